/*
 * libphonesec - SRTP sessions (native engine on wolfCrypt, or libsrtp2).
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_SRTP_H
#define PHONESEC_SRTP_H

#include <stddef.h>
#include <stdint.h>

#include "phonesec/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/srtp.h
 * \brief SRTP crypto suites, negotiated key parameters, and SRTP sessions.
 *
 * The parameter types here are what the SDES module (phonesec/sdes.h)
 * produces and what SRTP sessions consume; neither exposes libsrtp2 types.
 *
 * Engines: the build option -Dsrtp_engine chooses what runs behind this API.
 * "native" (the default) is libphonesec's own RFC 3711/6188/7714 transform
 * on wolfCrypt: keys derived once and kept expanded, no allocation, lock or
 * global state per packet, so the cost of a packet does not depend on how
 * many sessions exist. "libsrtp2" runs the linked libsrtp2; it installs
 * wolfCrypt AES-ICM, AES-GCM and HMAC-SHA1 into libsrtp2's crypto kernel
 * (srtp_replace_cipher_type(), after libsrtp2's own known-answer tests) so
 * that the cost stays flat there too: NSS's per-packet key-handle lookups
 * grow with the number of live keys. That replacement is process-wide:
 * other libsrtp2 users in the process then run on the same primitives.
 *
 * ## Threads
 * A session (phonesec_srtp) is used by one thread at a time: protect and
 * unprotect update its replay window and rollover counters, and
 * phonesec_srtp_update() / _set_active_key() change its keys. Different
 * sessions may be used in different threads at once, one thread per session
 * or several sessions per thread (tests/threads: one session pair per thread
 * with 2, 8 and 32 threads, under ThreadSanitizer). The first
 * phonesec_srtp_new() in the process initialises the engine's global
 * state exactly once (pthread_once), so sessions may be created concurrently. A parameter
 * struct (phonesec_srtp_params) is plain data: it may be read by several
 * threads while none writes it. phonesec_srtp_suite_name(),
 * _suite_lengths(), _suite_supported(), _suite_get_info() and
 * _engine_supports() may run in any thread at any time.
 */

/** \name SRTP crypto suites (fixed numbers, part of the ABI)
 * @{ */
#define PHONESEC_SRTP_SUITE_NONE                0  /**< no suite (not negotiated) */
#define PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80   1  /**< RFC 4568 */
#define PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32   2  /**< RFC 4568 */
#define PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80   3  /**< RFC 6188 */
#define PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32   4  /**< RFC 6188 */
#define PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80   5  /**< RFC 6188 */
#define PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32   6  /**< RFC 6188 */
#define PHONESEC_SRTP_AEAD_AES_128_GCM          7  /**< RFC 7714 */
#define PHONESEC_SRTP_AEAD_AES_256_GCM          8  /**< RFC 7714 */
#define PHONESEC_SRTP_F8_128_HMAC_SHA1_80       9  /**< RFC 4568 (AES-F8, RFC 3711 4.1.2); native engine only; never offered or answered by default */
#define PHONESEC_SRTP_NULL_HMAC_SHA1_80        10  /**< no encryption; only when explicitly enabled */
#define PHONESEC_SRTP_NULL_HMAC_SHA1_32        11  /**< no encryption; only when explicitly enabled */
/** @} */

/** Largest master key (AES-256). */
#define PHONESEC_SRTP_MAX_KEY_LEN 32
/** Largest master salt (112 bits for AES-CM; GCM uses 96). */
#define PHONESEC_SRTP_MAX_SALT_LEN 14
/** Largest MKI (RFC 4568: 1..128 bytes). */
#define PHONESEC_SRTP_MAX_MKI_LEN 128
/** Master keys per direction (libsrtp2's limit). */
#define PHONESEC_SRTP_MAX_KEYS 16

/** \name Flags of phonesec_srtp_params (RFC 4568 session parameters and compatibility)
 * @{ */
#define PHONESEC_SRTP_F_UNENCRYPTED_SRTP      (1u << 0) /**< RTP payload not encrypted */
#define PHONESEC_SRTP_F_UNENCRYPTED_SRTCP     (1u << 1) /**< RTCP not encrypted */
#define PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP  (1u << 2) /**< RTP not authenticated */
/** SRTCP with a _32 suite uses a 32-bit tag (Asterisk, FreeSWITCH, baresip,
 *  Linphone) instead of RFC 4568's 80-bit one. */
#define PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT    (1u << 8)
/** @} */

/** One master key with its salt, MKI and lifetime. */
typedef struct phonesec_srtp_key {
    uint8_t key[PHONESEC_SRTP_MAX_KEY_LEN];   /**< master key, key_len bytes (wiped on free) */
    size_t key_len;                          /**< the suite's key length (16, 24 or 32) */
    uint8_t salt[PHONESEC_SRTP_MAX_SALT_LEN]; /**< master salt, salt_len bytes */
    size_t salt_len;                         /**< the suite's salt length (14, or 12 for AEAD) */
    uint8_t mki[PHONESEC_SRTP_MAX_MKI_LEN]; /**< MKI value, big-endian, mki_len bytes */
    size_t mki_len;                          /**< 0: no MKI */
    uint64_t lifetime;                       /**< packets; 0: the suite's maximum */
} phonesec_srtp_key;

/** Version of struct phonesec_srtp_params understood by this header. */
#define PHONESEC_SRTP_PARAMS_VERSION 1

/** Parameters of one direction of SRTP: what SDES negotiated for it. */
typedef struct phonesec_srtp_params {
    unsigned version;  /**< PHONESEC_SRTP_PARAMS_VERSION */
    int suite;         /**< PHONESEC_SRTP_* */
    unsigned flags;    /**< PHONESEC_SRTP_F_* */
    size_t n_keys;     /**< 1..PHONESEC_SRTP_MAX_KEYS; with n_keys > 1 every key has an MKI */
    phonesec_srtp_key keys[PHONESEC_SRTP_MAX_KEYS]; /**< master keys; the first n_keys are used */
    uint32_t kdr;      /**< key derivation rate as 2^kdr, 1..24; 0 = none (RFC 4568 KDR=; native engine only) */
    uint32_t wsh;      /**< replay window size; 0 = default 64 (RFC 4568 WSH=) */
    uint32_t roc;      /**< initial rollover counter (kept across a rekey) */
} phonesec_srtp_params;

/** \brief Initialise params to version, no suite, no keys. */
PHONESEC_API void phonesec_srtp_params_init(phonesec_srtp_params *p);

/** \brief Wipe the key material in params (safe on any state). */
PHONESEC_API void phonesec_srtp_params_wipe(phonesec_srtp_params *p);

/** \name Directions of a session
 * @{ */
#define PHONESEC_SRTP_DIR_INBOUND  1 /**< unprotect what the peer sends */
#define PHONESEC_SRTP_DIR_OUTBOUND 2 /**< protect what we send */
/** @} */

/** \name Options of phonesec_srtp_new()
 * @{ */
/** Allow the NULL_HMAC_SHA1_* suites and RTP with neither encryption nor
 *  authentication (UNENCRYPTED_SRTP together with UNAUTHENTICATED_SRTP).
 *  Without it such parameters give PHONESEC_E_POLICY. */
#define PHONESEC_SRTP_OPT_ALLOW_NULL (1u << 0)
/** @} */

/** Distinct SSRCs one session tracks (rollover counter, stream state). */
#define PHONESEC_SRTP_MAX_SSRC 16

/** Packets up to this size are unprotected through the session's internal
 *  work buffer when out_cap is smaller than in_len (see phonesec_srtp_unprotect()). */
#define PHONESEC_SRTP_WORK_BUF 4096

/** An SRTP session for one direction (opaque). */
typedef struct phonesec_srtp phonesec_srtp;

/** Version of struct phonesec_srtp_info understood by this header. */
#define PHONESEC_SRTP_INFO_VERSION 1

/** What a session protects: what a phone shows as its lock icon. */
typedef struct phonesec_srtp_info {
    unsigned version;       /**< set by the caller to PHONESEC_SRTP_INFO_VERSION */
    int suite;              /**< PHONESEC_SRTP_* */
    const char *suite_name; /**< e.g. "AES_CM_128_HMAC_SHA1_80" (static) */
    int direction;          /**< PHONESEC_SRTP_DIR_* */
    unsigned flags;         /**< the PHONESEC_SRTP_F_* in force */
    int rtp_encrypted;      /**< 1 when RTP payloads are encrypted */
    int rtp_authenticated;  /**< 1 when RTP packets carry an authentication tag */
    int rtcp_encrypted;     /**< 1 when RTCP is encrypted (SRTCP is always authenticated) */
    size_t rtp_tag_len;     /**< bytes of RTP authentication tag */
    size_t rtcp_tag_len;    /**< bytes of SRTCP authentication tag */
    size_t rtp_overhead;    /**< bytes protect adds to an RTP packet (tag + MKI) */
    size_t rtcp_overhead;   /**< bytes protect_rtcp adds (E flag/index + tag + MKI) */
    size_t n_keys;          /**< master keys installed */
    size_t active_key;      /**< index of the key outbound packets use */
    uint64_t packets;       /**< packets processed under the active key (RTP + RTCP) */
    uint64_t lifetime;      /**< lifetime of the active key in packets (0: the suite's maximum) */
    int expired;            /**< 1 when the active key's lifetime has run out */
    size_t n_ssrc;          /**< SSRCs seen */
} phonesec_srtp_info;

/**
 * \brief Name of a suite as written in SDP, e.g. "AES_CM_128_HMAC_SHA1_80".
 * \return a static string, or NULL for an unknown suite number
 */
PHONESEC_API const char *phonesec_srtp_suite_name(int suite);

/**
 * \brief Master key and salt lengths a suite needs.
 * \param suite    PHONESEC_SRTP_*
 * \param key_len  set to the master key length in bytes (may be NULL)
 * \param salt_len set to the master salt length in bytes (may be NULL)
 * \return PHONESEC_OK; PHONESEC_E_INVAL (unknown suite);
 *         PHONESEC_E_UNSUPPORTED (F8 on the libsrtp2 engine, which has no F8; lengths still set)
 */
PHONESEC_API int phonesec_srtp_suite_lengths(int suite, size_t *key_len, size_t *salt_len);

/**
 * \brief Whether sessions of a suite can be made with the engine of this
 *        build (what an answerer should check before choosing a crypto line).
 *
 * Native engine: every suite. libsrtp2 engine: no F8; runs srtp_init() and,
 * for AES-192, a one-time known-answer check of the linked libsrtp2 against
 * RFC 6188 (libsrtp2 2.5 fails it: cisco/libsrtp#763).
 * NULL suites are "supported" here; phonesec_srtp_new() still wants
 * PHONESEC_SRTP_OPT_ALLOW_NULL for them.
 * \return PHONESEC_OK; PHONESEC_E_INVAL (unknown suite number);
 *         PHONESEC_E_UNSUPPORTED (libsrtp2 engine: F8, or AES-192 with a
 *         non-compliant libsrtp2);
 *         PHONESEC_E_CRYPTO (srtp_init failed)
 */
PHONESEC_API int phonesec_srtp_suite_supported(int suite);

/** Version of struct phonesec_srtp_suite_info understood by this header. */
#define PHONESEC_SRTP_SUITE_INFO_VERSION 1

/** What a suite is (RFC 4568, RFC 6188, RFC 7714): the one SRTP suite table
 *  of the library, which the SDES module also reads (phonesec_srtp_suite_get_info()). */
typedef struct phonesec_srtp_suite_info {
    unsigned version;        /**< set by the caller to PHONESEC_SRTP_SUITE_INFO_VERSION */
    int suite;               /**< PHONESEC_SRTP_* */
    const char *name;        /**< SDP name, e.g. "AES_192_CM_HMAC_SHA1_80" (static) */
    const char *alias;       /**< another spelling peers send ("AES_CM_192_HMAC_SHA1_80"), or NULL */
    size_t key_len;          /**< master key bytes */
    size_t salt_len;         /**< master salt bytes */
    size_t rtp_tag_len;      /**< SRTP authentication tag bytes (16 for AEAD) */
    size_t rtcp_tag_len;     /**< SRTCP tag bytes per RFC 4568 (10 also for _32 suites; 16 for AEAD) */
    size_t rtcp_tag32_len;   /**< SRTCP tag bytes with PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT */
    int aead;                /**< 1 for AEAD_AES_*_GCM (RFC 7714) */
    int encrypts;            /**< 0 for the NULL_* suites */
    int explicit_only;       /**< 1: negotiated only when the caller lists the suite (F8, NULL_*) */
} phonesec_srtp_suite_info;

/**
 * \brief Facts about a suite from the library's SRTP suite table.
 * \param suite PHONESEC_SRTP_* suite to describe
 * \param info set info->version to PHONESEC_SRTP_SUITE_INFO_VERSION first;
 *             only the fields of that version are written
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL info, info->version 0, or an
 *         unknown suite number, PHONESEC_SRTP_SUITE_NONE included)
 * \since 1.1
 */
PHONESEC_API int phonesec_srtp_suite_get_info(int suite, phonesec_srtp_suite_info *info);

/** \name Features asked of phonesec_srtp_engine_supports()
 * @{ */
#define PHONESEC_SRTP_FEAT_MKI (1u << 0) /**< master keys with an MKI */
#define PHONESEC_SRTP_FEAT_KDR (1u << 1) /**< a key derivation rate other than 0 (RFC 3711 4.3.1) */
/** @} */

/**
 * \brief Whether phonesec_srtp_new() of this build runs a suite with these
 *        flags and features (what an offerer or answerer should ask).
 *
 * Native engine: every suite, every flag combination the suite allows, an
 * MKI with every suite (GCM included) and KDR 1..24. libsrtp2 engine: no
 * F8, no KDR, AES-192 only with an RFC 6188 compliant libsrtp2, no MKI with
 * GCM, and an MKI only where the SRTP and SRTCP tags have the same length
 * (so not with UNAUTHENTICATED_SRTP, nor a _32 suite without
 * PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT).
 * \param suite    PHONESEC_SRTP_*
 * \param flags    the PHONESEC_SRTP_F_* the session would have
 * \param features 0 or PHONESEC_SRTP_FEAT_*
 * \return PHONESEC_OK;
 *         PHONESEC_E_INVAL (unknown suite, flag or feature bit);
 *         PHONESEC_E_UNSUPPORTED (the engine cannot run it; also
 *         UNENCRYPTED_SRTP or UNAUTHENTICATED_SRTP with an AEAD suite);
 *         PHONESEC_E_CRYPTO (libsrtp2 engine: srtp_init failed)
 * \since 1.1
 */
PHONESEC_API int phonesec_srtp_engine_supports(int suite, unsigned flags, unsigned features);

/**
 * \brief Create an SRTP session for one direction from negotiated parameters.
 *
 * All keys in \p params are copied (the caller may wipe its copy at once).
 * With more than one key each has an MKI, all of the same length; outbound
 * packets use key 0 until phonesec_srtp_set_active_key(). Every new SSRC
 * starts at the rollover counter params->roc. Calls srtp_init() once per
 * process on the libsrtp2 engine (thread-safe through pthread_once);
 * libsrtp2 is never shut down by this library. The replay window is WSH
 * rounded up to a multiple of 32 packets (WSH is a minimum, RFC 4568).
 * \param out       receives the session (set only on success)
 * \param params    suite, keys, flags, KDR, WSH and ROC
 * \param direction PHONESEC_SRTP_DIR_INBOUND or PHONESEC_SRTP_DIR_OUTBOUND
 * \param opts      0 or PHONESEC_SRTP_OPT_ALLOW_NULL
 * \return PHONESEC_OK;
 *         PHONESEC_E_INVAL (NULL argument, bad version, direction, flag or
 *         option, key or salt of the wrong length for the suite, no key or
 *         too many, MKI missing/of unequal length/duplicated, WSH below 64;
 *         native engine: KDR above 24);
 *         PHONESEC_E_UNSUPPORTED (WSH above 32767, a flag combination the
 *         suite cannot do, e.g. UNENCRYPTED_SRTP with GCM; on the libsrtp2
 *         engine also F8, KDR other than 0, an MKI with a GCM suite, AES-192
 *         with a non-compliant libsrtp2, and an MKI where the SRTP and SRTCP
 *         tags differ in length: see phonesec_srtp_engine_supports());
 *         PHONESEC_E_POLICY (a NULL suite or clear RTP without PHONESEC_SRTP_OPT_ALLOW_NULL);
 *         PHONESEC_E_NOMEM; PHONESEC_E_CRYPTO (the crypto backend failed)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_srtp_new(const phonesec_srtp_params *params,
                                                        int direction, unsigned opts, phonesec_srtp **out);

/** \brief Free a session and wipe its keys. NULL is a no-op. */
PHONESEC_API void phonesec_srtp_free(phonesec_srtp *s);

/**
 * \brief Rekey: replace suite, keys and parameters, keeping each SSRC's
 *        rollover counter (RFC 4568 §7.1.4 re-INVITE).
 *
 * SSRCs the session has seen continue with the index they reached; new SSRCs
 * start at params->roc. The active key becomes key 0 and the packet counts
 * start again. On failure the session keeps its old keys.
 * \return PHONESEC_OK, or any error of phonesec_srtp_new() (same meaning)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_srtp_update(phonesec_srtp *s, const phonesec_srtp_params *params);

/**
 * \brief Choose which master key (by index into params->keys) outbound
 *        packets use from now on (MKI switch).
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL or index out of range);
 *         PHONESEC_E_STATE (inbound session)
 */
PHONESEC_API int phonesec_srtp_set_active_key(phonesec_srtp *s, size_t index);

/**
 * \brief Protect one RTP packet.
 *
 * \p in and \p out may be the same buffer. out_cap must hold in_len plus
 * info.rtp_overhead bytes. No allocation happens here.
 * \param s       an outbound session
 * \param in      the RTP packet (12-byte header at least, version 2)
 * \param in_len  its length
 * \param out     where the SRTP packet goes
 * \param out_cap its size
 * \param out_len set to the SRTP packet length, or to the size needed on
 *                PHONESEC_E_BUFFER_SMALL
 * \return PHONESEC_OK;
 *         PHONESEC_E_INVAL (NULL argument);
 *         PHONESEC_E_STATE (inbound session);
 *         PHONESEC_E_PARSE (not an RTP packet: too short, wrong version,
 *         CSRC list or header extension beyond the end);
 *         PHONESEC_E_BUFFER_SMALL (out untouched);
 *         PHONESEC_E_EXPIRED (the active key's lifetime ran out: rekey);
 *         PHONESEC_E_REPLAY (the same sequence number again);
 *         PHONESEC_E_LIMIT (more than PHONESEC_SRTP_MAX_SSRC SSRCs, or the
 *         SSRC has used all 2^48 packet indices (RFC 3711 9.2: the index
 *         never wraps, a rekey keeps it; a new SSRC is needed));
 *         PHONESEC_E_NOMEM; PHONESEC_E_CRYPTO.
 *         On errors other than INVAL, STATE and BUFFER_SMALL the bytes of
 *         out the call used are zeroed.
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_srtp_protect(phonesec_srtp *s, const uint8_t *in, size_t in_len,
                                                            uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * \brief Verify and decrypt one SRTP packet.
 *
 * \p in and \p out may be the same buffer. The plaintext is in_len minus
 * info.rtp_overhead bytes; out_cap must hold that much. Native engine: no
 * allocation, and a packet that fails leaves no state (a new SSRC is
 * recorded only once a packet of it authenticates). libsrtp2 engine: when
 * out_cap is smaller than in_len the packet goes through the session's
 * preallocated work buffer, which needs in_len <= PHONESEC_SRTP_WORK_BUF
 * (else PHONESEC_E_BUFFER_SMALL asks for in_len); libsrtp2 allocates a
 * stream (and derives its session keys) for a packet of an SSRC that has
 * none yet; when that packet fails to authenticate the stream is removed
 * again, so a flood of forged packets with new SSRCs costs a key derivation
 * each but holds no memory. SRTCP: the native engine refuses SRTCP sent in
 * clear (E flag 0) by a session that negotiated encrypted SRTCP
 * (PHONESEC_E_AUTH); the libsrtp2 engine accepts it.
 * \param s       an inbound session
 * \param in      the SRTP packet
 * \param in_len  its length
 * \param out     where the RTP packet goes
 * \param out_cap its size
 * \param out_len set to the RTP packet length, or the size needed on
 *                PHONESEC_E_BUFFER_SMALL
 * \return PHONESEC_OK;
 *         PHONESEC_E_INVAL (NULL argument);
 *         PHONESEC_E_STATE (outbound session);
 *         PHONESEC_E_PARSE (not an SRTP packet: too short, wrong version,
 *         header beyond the end);
 *         PHONESEC_E_BUFFER_SMALL (out untouched);
 *         PHONESEC_E_AUTH (authentication failed, or unknown MKI);
 *         PHONESEC_E_REPLAY (replayed, or older than the replay window);
 *         PHONESEC_E_EXPIRED (the key's lifetime ran out);
 *         PHONESEC_E_LIMIT (more than PHONESEC_SRTP_MAX_SSRC SSRCs, or a
 *         packet whose index would be 2^48 or more: the index never wraps);
 *         PHONESEC_E_NOMEM; PHONESEC_E_CRYPTO.
 *         On errors other than INVAL, STATE and BUFFER_SMALL the bytes of
 *         out the call used are zeroed: no unauthenticated plaintext is left.
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_srtp_unprotect(phonesec_srtp *s, const uint8_t *in, size_t in_len,
                                                              uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * \brief Protect one RTCP packet (compound packets included).
 * out_cap must hold in_len plus info.rtcp_overhead bytes.
 * \return as phonesec_srtp_protect(); PHONESEC_E_PARSE when the packet is
 *         shorter than 8 bytes or not version 2; PHONESEC_E_LIMIT also when
 *         the SSRC has used all 2^31 SRTCP indices (RFC 3711 9.2)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_srtp_protect_rtcp(phonesec_srtp *s, const uint8_t *in, size_t in_len,
                                                                 uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * \brief Verify and decrypt one SRTCP packet.
 * Buffer rules as phonesec_srtp_unprotect(), with info.rtcp_overhead.
 * \return as phonesec_srtp_unprotect()
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_srtp_unprotect_rtcp(phonesec_srtp *s, const uint8_t *in,
                                                                   size_t in_len, uint8_t *out, size_t out_cap,
                                                                   size_t *out_len);

/**
 * \brief Rollover counter the session has reached for an SSRC.
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL argument);
 *         PHONESEC_E_NOT_FOUND (no packet of that SSRC seen yet)
 */
PHONESEC_API int phonesec_srtp_get_roc(const phonesec_srtp *s, uint32_t ssrc, uint32_t *roc);

/**
 * \brief What the session protects (suite, direction, services; the lock icon).
 * \param s    the session
 * \param info set info->version to PHONESEC_SRTP_INFO_VERSION first
 * \return PHONESEC_OK (a version newer than this library knows gets the
 *         fields it knows and info->version set to PHONESEC_SRTP_INFO_VERSION);
 *         PHONESEC_E_INVAL (NULL argument or info->version 0)
 */
PHONESEC_API int phonesec_srtp_get_info(const phonesec_srtp *s, phonesec_srtp_info *info);

/**
 * \brief Detail of the session's last error: "<strerror>: <detail>", or ""
 *        when the last call succeeded. Never contains key material.
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, or cap 0)
 */
PHONESEC_API int phonesec_srtp_last_error(const phonesec_srtp *s, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_SRTP_H */
