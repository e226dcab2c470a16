/*
 * libphonesec - OpenSSL-compatible cipher strings.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_CIPHERS_H
#define PHONESEC_CIPHERS_H

#include <stddef.h>
#include <stdint.h>

#include "phonesec/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/ciphers.h
 * \brief Cipher strings in OpenSSL's syntax, selecting exactly the suites
 *        OpenSSL 1.1.1/3.0 would select, restricted to the library's table.
 *
 * TLS 1.2-and-older suites are chosen by a cipher string
 * (phonesec_ciphers_select()); TLS 1.3 suites are kept apart, as OpenSSL
 * keeps them, and chosen by a plain colon-separated list
 * (phonesec_ciphers_select_tls13()).
 */

/** One cipher suite of the library's table. Entries are static; fields are
 *  only ever added at the end, so never copy or index arrays of them. */
typedef struct phonesec_ciphers_suite {
    uint16_t iana;            /**< IANA code, e.g. 0xC02F */
    const char *openssl_name; /**< e.g. "ECDHE-RSA-AES128-GCM-SHA256" */
    const char *iana_name;    /**< e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
    const char *kx;           /**< key exchange as `openssl ciphers -v` prints it: "ECDH", "DH", "RSA", "any" */
    const char *auth;         /**< authentication: "RSA", "ECDSA", "DSS", "None", "any" */
    const char *enc;          /**< cipher: "AESGCM(128)", "CHACHA20/POLY1305(256)", ... */
    const char *mac;          /**< MAC: "AEAD", "SHA1", "SHA256", "SHA384", "MD5" */
    int strength_bits;        /**< effective strength in bits (what \@STRENGTH sorts by) */
    const char *protocol;     /**< version OpenSSL files it under: "SSLv3", "TLSv1", "TLSv1.2", "TLSv1.3" */
} phonesec_ciphers_suite;

/** \brief Number of suites in the library's table (TLS 1.3 ones included). */
PHONESEC_API size_t phonesec_ciphers_count(void);

/** \brief Suite number i of the table (0 <= i < phonesec_ciphers_count()), or NULL. */
PHONESEC_API const phonesec_ciphers_suite *phonesec_ciphers_at(size_t i);

/** \brief Suite with this IANA code, or NULL. */
PHONESEC_API const phonesec_ciphers_suite *phonesec_ciphers_by_code(uint16_t iana);

/** \brief Suite with this OpenSSL or IANA name (exact, case-sensitive as in OpenSSL), or NULL. */
PHONESEC_API const phonesec_ciphers_suite *phonesec_ciphers_by_name(const char *name);

/**
 * \brief Evaluate an OpenSSL cipher string.
 *
 * Writes the IANA codes of the selected TLS 1.2-and-older suites, in the
 * order OpenSSL 3.0 would use, restricted to the library's table. Unknown
 * words are ignored, as OpenSSL ignores them. The syntax is OpenSSL's:
 * words (aliases such as HIGH, kECDHE, aRSA, AESGCM, SHA256, TLSv1.2 ... or
 * single suite names) joined by `+` to AND them; prefixes `!` (remove for
 * good), `-` (deselect; a later word may select again), `+` (move to the
 * end); `@STRENGTH` (stable sort by strength bits); separators `:`, `,`,
 * `;` and space. A string starting with "DEFAULT" starts from OpenSSL 3.0's
 * default ("ALL:!COMPLEMENTOFDEFAULT:!eNULL"); one starting with SUITEB128,
 * SUITEB128ONLY, SUITEB128C2 or SUITEB192 is replaced by the Suite B list,
 * as OpenSSL does. `@SECLEVEL=n` (n = 0..5) is checked and accepted but does
 * not filter the list (OpenSSL applies it at handshake time; the TLS module
 * enforces its own minimums). See doc/ciphers.md.
 * \param str   cipher string, NUL-terminated (e.g. "HIGH:!aNULL:@STRENGTH")
 * \param codes output array
 * \param cap   its capacity (phonesec_ciphers_count() always suffices)
 * \param count set to the number of codes written (or needed, on BUFFER_SMALL)
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL argument);
 *         PHONESEC_E_PARSE (OpenSSL's "invalid command": a character that is
 *         neither part of a word nor a separator, an empty word after a prefix
 *         or `+`, or a malformed \@ command such as "\@FOO" or "\@SECLEVEL=9");
 *         PHONESEC_E_NO_MATCH (nothing selected: "no cipher match");
 *         PHONESEC_E_BUFFER_SMALL (codes untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_ciphers_select(const char *str, uint16_t *codes, size_t cap,
                                                               size_t *count);

/**
 * \brief Evaluate a TLS 1.3 suite list ("TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"),
 *        as OpenSSL's -ciphersuites does: IANA names separated by `:`, white
 *        space around them ignored, names in order, unknown ones ignored. A
 *        name given twice is listed once (OpenSSL repeats it).
 * \param str NULL or "" selects none and returns PHONESEC_OK with *count = 0
 * \return PHONESEC_OK, PHONESEC_E_INVAL, PHONESEC_E_NO_MATCH (non-empty list naming
 *         no known suite, " " included, as in OpenSSL), PHONESEC_E_BUFFER_SMALL
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_ciphers_select_tls13(const char *str, uint16_t *codes, size_t cap,
                                                                     size_t *count);

/** \name Application presets used when the administrator's setting is blank or invalid
 * @{ */
#define PHONESEC_CIPHERS_PRESET_DEFAULT 0 /**< SIP, TR-069 and the rest: "DEFAULT" */
#define PHONESEC_CIPHERS_PRESET_WEB     1 /**< web server (HTTPS) list */
#define PHONESEC_CIPHERS_PRESET_XMPP    2 /**< "HIGH:MEDIUM:AES:\@STRENGTH" */
/** @} */

/** \brief The cipher string of a preset, or NULL for an unknown preset. */
PHONESEC_API const char *phonesec_ciphers_preset(int preset);

/**
 * \brief Evaluate str; when it is NULL, blank, invalid (PHONESEC_E_PARSE) or
 *        selects nothing, evaluate the preset instead (the phones'
 *        per-application fallback). A fallback is logged at WARN level.
 * \param used_fallback set to 1 when the preset was used, else 0 (may be NULL)
 * \return as phonesec_ciphers_select(), for whichever string was evaluated
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_ciphers_select_or_preset(const char *str, int preset,
                                                                         uint16_t *codes, size_t cap,
                                                                         size_t *count, int *used_fallback);

/**
 * \brief Whether the linked TLS backend (wolfSSL) can negotiate this suite.
 *
 * Asks wolfSSL's own suite table (wolfSSL_get_cipher_name_from_suite()), so
 * the answer follows how the linked wolfSSL was configured; Debian's build,
 * for one, has no static-RSA suites (AES128-SHA and the like).
 * \return 1 when the suite is in the library's table and the backend has it,
 *         otherwise 0 (never an error code)
 */
PHONESEC_API int phonesec_ciphers_backend_available(uint16_t iana);

/**
 * \brief Install codes as the explicit, complete allow-list of a wolfSSL
 *        context (a `WOLFSSL_CTX *` passed as void * so no wolfSSL type
 *        appears here). Suites the backend lacks are left out; wolfSSL's own
 *        default list (RC4, 3DES, NULL suites in Debian's build) never applies.
 *
 * The list is made of wolfSSL's names for the suites (they differ from
 * OpenSSL's in places, e.g. TLS13-AES128-GCM-SHA256, EDH-RSA-DES-CBC3-SHA).
 * Include TLS 1.3 codes (from phonesec_ciphers_select_tls13()) to allow TLS
 * 1.3: a list without any leaves the context with no TLS 1.3 suite, and then
 * caps its maximum version at TLS 1.2 (otherwise wolfSSL would agree on TLS
 * 1.3 with a peer and fail for want of a suite). A later call with TLS 1.3
 * codes does not lift that cap: set the version range after this call.
 * Not thread-safe for one context: call it while setting the context up.
 * \param wolfssl_ctx a WOLFSSL_CTX *
 * \param codes       suites in preference order (TLS 1.3 codes allowed)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NO_MATCH (none of the
 *         codes is available in the backend: the context is left unchanged);
 *         PHONESEC_E_NOMEM; PHONESEC_E_CRYPTO (wolfSSL refused the list
 *         or the version cap)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_ciphers_apply_wolfssl(void *wolfssl_ctx, const uint16_t *codes,
                                                                      size_t n);

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_CIPHERS_H */
