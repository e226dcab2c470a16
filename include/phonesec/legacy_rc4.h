/*
 * libphonesec - legacy_rc4: Yealink-style "Signal Encode = RC4" obfuscation.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_LEGACY_RC4_H
#define PHONESEC_LEGACY_RC4_H

#include <stddef.h>
#include <stdint.h>

#include "phonesec/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/legacy_rc4.h
 * \brief LEGACY RC4 "signal encoding" some softswitches require.
 *
 * THIS IS NOT SECURITY. RC4 is keyed with the configured Signal Encode Key
 * and re-initialised for every datagram, so every datagram is XORed with
 * the SAME keystream: anyone who sees two datagrams, or knows one plaintext
 * (SIP is mostly predictable text), recovers the keystream and reads or
 * forges all traffic. There is no integrity check. Use it only where a
 * softswitch refuses plain SIP, and put TLS underneath or around it where
 * you can.
 *
 * The module is compiled in only with the meson option `legacy_rc4`
 * (default on for tests and tools; turn it off for firmware that does not
 * need it: PHONESEC_FEATURE_LEGACY_RC4 then is absent from
 * phonesec_features() and these symbols do not exist). At run time every
 * call fails with PHONESEC_E_DISABLED until phonesec_legacy_rc4_enable(1)
 * was called; the first enable logs a warning through the log hook.
 *
 * Framing profiles: "raw" applies RC4 to the whole datagram. Other
 * framings (e.g. a VOS-style header) plug into the profile table in
 * lib/legacy_rc4/ once captures are available; none is invented here.
 *
 * ## Threads
 * phonesec_legacy_rc4_enable() sets a process-wide switch without locking:
 * call it at start-up, before other threads use this module (like
 * phonesec_init()). A coder object is used by one thread at a time;
 * different objects in different threads at once.
 */

/**
 * \brief Switch the legacy RC4 signal encoding on (1) or off (0), process-wide.
 *
 * Call it at start-up like phonesec_init() (not thread-safe against
 * concurrent encode/decode). The first switch-on logs a PHONESEC_LOG_WARN
 * line saying this is obfuscation with a reused keystream.
 * \param on 1 to allow, 0 to forbid again
 * \return PHONESEC_OK, or PHONESEC_E_INVAL (on not 0 or 1)
 */
PHONESEC_API int phonesec_legacy_rc4_enable(int on);

/**
 * \brief Whether the legacy RC4 signal encoding is switched on.
 * \return 1 when phonesec_legacy_rc4_enable(1) is in force, else 0
 */
PHONESEC_API int phonesec_legacy_rc4_enabled(void);

/**
 * \brief Name of the i-th framing profile ("raw" is 0), or NULL past the end.
 */
PHONESEC_API const char *phonesec_legacy_rc4_profile(size_t i);

/** Opaque encoder/decoder for one key and one profile. */
typedef struct phonesec_legacy_rc4 phonesec_legacy_rc4;

/**
 * \brief New encoder/decoder.
 * \param out     set to the new object on success
 * \param profile framing profile name ("raw")
 * \param key     Signal Encode Key bytes (as configured, e.g. ASCII text)
 * \param key_len 1..256
 * \return PHONESEC_OK; PHONESEC_E_DISABLED (not enabled at run time);
 *         PHONESEC_E_INVAL (NULL, key length); PHONESEC_E_NOT_FOUND (unknown
 *         profile); PHONESEC_E_NOMEM; PHONESEC_E_CRYPTO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_legacy_rc4_new(const char *profile,
                                                                 const uint8_t *key, size_t key_len, phonesec_legacy_rc4 **out);

/**
 * \brief Encode one outgoing datagram. No allocation.
 * \param s       object
 * \param in      the SIP datagram
 * \param in_len  its length (0..65535)
 * \param out     output buffer (may equal in for the raw profile)
 * \param out_cap its size
 * \param out_len set to the encoded length (or the length needed)
 * \return PHONESEC_OK; PHONESEC_E_DISABLED; PHONESEC_E_INVAL;
 *         PHONESEC_E_BUFFER_SMALL (out untouched); PHONESEC_E_CRYPTO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_legacy_rc4_encode(phonesec_legacy_rc4 *s, const uint8_t *in,
                                                                    size_t in_len, uint8_t *out, size_t out_cap,
                                                                    size_t *out_len);

/**
 * \brief Decode one incoming datagram. Nothing is verified (RC4 has no
 *        integrity): garbage in gives garbage out.
 * \param s       object
 * \param in      the received datagram
 * \param in_len  its length (0..65535)
 * \param out     output buffer (may equal in for the raw profile)
 * \param out_cap its size
 * \param out_len set to the decoded length (or the length needed)
 * \return PHONESEC_OK; PHONESEC_E_DISABLED; PHONESEC_E_INVAL;
 *         PHONESEC_E_BUFFER_SMALL (out untouched); PHONESEC_E_PARSE (framing
 *         profile rejected the datagram); PHONESEC_E_CRYPTO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_legacy_rc4_decode(phonesec_legacy_rc4 *s, const uint8_t *in,
                                                                    size_t in_len, uint8_t *out, size_t out_cap,
                                                                    size_t *out_len);

/**
 * \brief Text of the object's last error ("" when none).
 * \return PHONESEC_OK or PHONESEC_E_INVAL (NULL s or buf, cap 0)
 */
PHONESEC_API int phonesec_legacy_rc4_last_error(const phonesec_legacy_rc4 *s, char *buf, size_t cap);

/** \brief Wipe and free; NULL is ignored. */
PHONESEC_API void phonesec_legacy_rc4_free(phonesec_legacy_rc4 *s);

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_LEGACY_RC4_H */
