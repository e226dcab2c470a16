/*
 * libphonesec - SDES: SDP a=crypto key negotiation (RFC 4568, RFC 6188,
 * RFC 7714, RFC 8643).
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_SDES_H
#define PHONESEC_SDES_H

#include <stddef.h>
#include <stdint.h>

#include "phonesec/core.h"
#include "phonesec/srtp.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/sdes.h
 * \brief SDP Security Descriptions: the a=crypto grammar, and offer/answer.
 *
 * Two layers:
 * - one a=crypto line: phonesec_sdes_crypto_parse() / _print() (round-trip
 *   exact), phonesec_sdes_crypto_check() (can we honour it?) and
 *   phonesec_sdes_crypto_to_params() (fill phonesec_srtp_params);
 *   phonesec_sdes_line_to_params() does all three.
 * - a call: a phonesec_sdes object holds the per-account policy and the keys
 *   of each m= section across offer/answer and re-INVITEs. It reads and
 *   writes SDP text (CRLF or LF) and never touches SRTP packets: the
 *   phonesec_srtp_params it gives out feed phonesec/srtp.h sessions.
 *
 * A line we will not use (unknown suite, bad key, a parameter we cannot
 * honour, F8) never fails its m= section: it is skipped and the reason is
 * kept (phonesec_sdes_line_reason()).
 */

/** Longest a=crypto line handled (bytes, without the line ending). */
#define PHONESEC_SDES_LINE_MAX 4096

/** \name Flags for phonesec_sdes_crypto_check(), phonesec_sdes_line_to_params()
 * and phonesec_sdes_policy.flags
 * @{ */
/** Allow the NULL_HMAC_SHA1_* suites (no encryption). Off by default. */
#define PHONESEC_SDES_ALLOW_NULL            (1u << 0)
/** Allow the session parameters UNENCRYPTED_SRTP, UNENCRYPTED_SRTCP and
 *  UNAUTHENTICATED_SRTP (they are honoured: mapped to PHONESEC_SRTP_F_*).
 *  Off by default: such lines are declined. */
#define PHONESEC_SDES_ALLOW_UNENCRYPTED     (1u << 1)
/** Use a 32-bit SRTCP tag with the _32 suites (Asterisk, FreeSWITCH, baresip,
 *  Linphone) instead of RFC 4568's 80 bits: sets PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT. */
#define PHONESEC_SDES_SRTCP_TAG32_COMPAT    (1u << 2)
/** Refuse SDES when the signalling is not TLS (default: allow, with a
 *  warning through the log hook). Policy only. */
#define PHONESEC_SDES_REQUIRE_TLS           (1u << 3)
/** Add `a=3ge2ae:requested` to each secured m= section of our offers
 *  (draft-dawes-sipcore-mediasec-parameter); policy only. */
#define PHONESEC_SDES_OFFER_3GE2AE          (1u << 4)
/** @} */

/** \name FEC_ORDER values of phonesec_sdes_crypto.fec_order
 * @{ */
#define PHONESEC_SDES_FEC_NONE      0
#define PHONESEC_SDES_FEC_SRTP      1 /**< FEC_ORDER=FEC_SRTP */
#define PHONESEC_SDES_SRTP_FEC      2 /**< FEC_ORDER=SRTP_FEC */
/** @} */

/** Version of struct phonesec_sdes_crypto understood by this header. */
#define PHONESEC_SDES_CRYPTO_VERSION 1

/**
 * \brief One a=crypto line, parsed.
 *
 * Holds key material: wipe with phonesec_sdes_crypto_wipe(). `text` keeps
 * the line exactly as parsed (or as generated), so printing a parsed line
 * reproduces it byte for byte, spelling included.
 */
typedef struct phonesec_sdes_crypto {
    unsigned version;       /**< PHONESEC_SDES_CRYPTO_VERSION */
    uint32_t tag;           /**< 0..999999999 */
    int suite;              /**< PHONESEC_SRTP_* */
    unsigned flags;         /**< PHONESEC_SRTP_F_UNENCRYPTED_SRTP/_SRTCP, _UNAUTHENTICATED_SRTP */
    int kdr;                /**< KDR= value 0..24, or -1 when absent */
    uint32_t wsh;           /**< WSH= value, or 0 when absent */
    int fec_order;          /**< PHONESEC_SDES_FEC_* */
    int has_fec_key;        /**< 1 when FEC_KEY= is present */
    unsigned n_unknown;     /**< session parameters we do not know (kept in text) */
    size_t n_keys;          /**< 1..PHONESEC_SRTP_MAX_KEYS key-params */
    phonesec_srtp_key keys[PHONESEC_SRTP_MAX_KEYS]; /**< key, salt, lifetime (0: none given), MKI */
    size_t text_len;        /**< length of text */
    char text[PHONESEC_SDES_LINE_MAX + 1]; /**< the line, NUL-terminated, no line ending */
} phonesec_sdes_crypto;

/**
 * \brief Canonical RFC name of a suite ("AES_CM_128_HMAC_SHA1_80"...).
 * \return a static string, or NULL for an unknown suite number
 */
PHONESEC_API const char *phonesec_sdes_suite_name(int suite);

/**
 * \brief Suite number from its name, case-insensitively, including the field
 *        aliases AES_CM_192_HMAC_SHA1_* and AES_CM_256_HMAC_SHA1_*.
 * \return a PHONESEC_SRTP_* number (> 0), or PHONESEC_E_NOT_FOUND
 */
PHONESEC_API int phonesec_sdes_suite_from_name(const char *name, size_t len);

/**
 * \brief Master key and salt lengths of a suite, in bytes.
 * \return PHONESEC_OK, or PHONESEC_E_INVAL for an unknown suite
 */
PHONESEC_API int phonesec_sdes_suite_lengths(int suite, size_t *key_len, size_t *salt_len);

/**
 * \brief Parse one a=crypto line (RFC 4568 §9.1 grammar).
 *
 * `line` is `a=crypto:...` or only the attribute value (`1 AES_CM_...`),
 * without line ending. Accepted: tag 0..999999999; suite names
 * case-insensitively with aliases; several key-params separated by ';';
 * `inline:` key||salt in base64, padded or not, of exactly the suite's
 * length; lifetime `2^n` or decimal (1..2^48); MKI `value:length` (length
 * 1..128, value must fit); session parameters; runs of spaces and tabs.
 * F8 and NULL suites parse (phonesec_sdes_crypto_check() declines them).
 * \param line    the line (need not be NUL-terminated)
 * \param len     its length
 * \param out     filled on success only
 * \param why     on failure, a reason (never key material); may be NULL
 * \param why_cap size of why
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL argument); PHONESEC_E_PARSE
 *         (grammar, bad base64, wrong key length, bad lifetime or MKI);
 *         PHONESEC_E_UNSUPPORTED (unknown suite or key method);
 *         PHONESEC_E_LIMIT (line longer than PHONESEC_SDES_LINE_MAX or more
 *         than PHONESEC_SRTP_MAX_KEYS key-params)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_crypto_parse(const char *line, size_t len,
                                                                  phonesec_sdes_crypto *out, char *why,
                                                                  size_t why_cap);

/**
 * \brief Print a line: the parsed text byte for byte when the fields still
 *        describe it, else the canonical form of the fields
 *        (`a=crypto:TAG SUITE inline:KEY[|LIFETIME][|MKI:LEN]... [PARAMS]`).
 *
 * Writes a NUL after the text.
 * \param out_len set to the text length, or the length needed (without NUL)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_BUFFER_SMALL (out
 *         untouched); PHONESEC_E_UNSUPPORTED (fields changed on a line with
 *         FEC_KEY or unknown parameters, which cannot be reprinted)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_crypto_print(const phonesec_sdes_crypto *c, char *out,
                                                                  size_t out_cap, size_t *out_len);

/**
 * \brief Make a fresh line: a new key||salt from phonesec_random().
 * \param tag       0..999999999
 * \param suite     PHONESEC_SRTP_* (not F8)
 * \param mki_len   0 for no MKI, else 1..4 (value given as an integer)
 * \param mki_value MKI value (must fit in mki_len bytes)
 * \param lifetime  0 to omit, else 1..2^48 (printed as 2^n when a power of 2)
 * \return PHONESEC_OK; PHONESEC_E_INVAL (bad argument); PHONESEC_E_RANDOM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_crypto_generate(phonesec_sdes_crypto *out, uint32_t tag,
                                                                     int suite, size_t mki_len,
                                                                     uint32_t mki_value, uint64_t lifetime);

/**
 * \brief Can this line be used as it is? Every session parameter must be
 *        honoured or the line declined.
 * \param allow   PHONESEC_SDES_ALLOW_NULL, PHONESEC_SDES_ALLOW_UNENCRYPTED
 * \param why     reason when not usable; may be NULL
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_UNSUPPORTED (F8, KDR
 *         other than 0, FEC_ORDER/FEC_KEY, unknown session parameter, WSH
 *         above 32767, UNAUTHENTICATED_SRTP or UNENCRYPTED_* with a GCM suite);
 *         PHONESEC_E_POLICY (NULL suite or UNENCRYPTED/UNAUTHENTICATED not allowed);
 *         PHONESEC_E_PARSE (WSH below 64)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_crypto_check(const phonesec_sdes_crypto *c, unsigned allow,
                                                                  char *why, size_t why_cap);

/**
 * \brief Fill SRTP parameters from a line (keys, MKIs, lifetimes, flags,
 *        WSH; KDR 0; ROC 0). Does not check usability: call
 *        phonesec_sdes_crypto_check() first.
 * \param allow PHONESEC_SDES_SRTCP_TAG32_COMPAT sets the compat flag for _32 suites
 * \return PHONESEC_OK or PHONESEC_E_INVAL
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_crypto_to_params(const phonesec_sdes_crypto *c,
                                                                      unsigned allow,
                                                                      phonesec_srtp_params *out);

/** \brief Wipe the key material and text of a parsed line. */
PHONESEC_API void phonesec_sdes_crypto_wipe(phonesec_sdes_crypto *c);

/**
 * \brief Parse one a=crypto line straight into SRTP parameters: parse,
 *        check and fill in one call (for tools that take keys from an SDP).
 * \param allow   PHONESEC_SDES_ALLOW_* and PHONESEC_SDES_SRTCP_TAG32_COMPAT
 * \param out     filled on success only
 * \param why     reason on failure; may be NULL
 * \return PHONESEC_OK, or any code of phonesec_sdes_crypto_parse() and
 *         phonesec_sdes_crypto_check(); PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_line_to_params(const char *line, size_t len, unsigned allow,
                                                                    phonesec_srtp_params *out, char *why,
                                                                    size_t why_cap);

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_SDES_H */
