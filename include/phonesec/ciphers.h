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
 * (phonesec_ciphers_select_tls13()). Every selection is floored (no
 * anonymous, NULL, RC4, 3DES or export suite) unless the caller passes
 * PHONESEC_CIPHERS_ALLOW_LEGACY.
 *
 * ## Threads
 * The suite table is constant and the selection functions keep no state:
 * phonesec_ciphers_select(), _select_ex(), _select_tls13(),
 * _select_or_preset(), the lookups and phonesec_ciphers_preset() may run
 * in any number of threads at once (tests/threads: 2, 8 and 32 threads
 * evaluating the same strings, under ThreadSanitizer).
 * phonesec_ciphers_apply_wolfssl() changes the wolfSSL context it is given:
 * one call per context at a time, and not while that context makes
 * connections. The library keeps no per-thread state of its own; what
 * wolfSSL keeps per thread is released as phonesec_thread_cleanup() says.
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

/** \name Flags (phonesec_ciphers_options.flags; may also be ORed into the
 *  preset argument of phonesec_ciphers_select_or_preset(), and so into
 *  phonesec_tls_config.cipher_preset)
 * @{ */
/** Do not apply the security floor: the selection is exactly what
 *  `openssl ciphers STRING` lists (anonymous, NULL, RC4 and 3DES suites
 *  included when the string selects them). For equipment that has nothing
 *  better; never a default. */
#define PHONESEC_CIPHERS_ALLOW_LEGACY 0x0100
/** When the string is invalid (PHONESEC_E_PARSE), selects nothing
 *  (PHONESEC_E_NO_MATCH) or only suites below the floor (PHONESEC_E_POLICY),
 *  evaluate the preset instead, as the phones' manuals describe, and say so:
 *  the report keeps the string's error in status, fallback is
 *  PHONESEC_CIPHERS_FALLBACK_INVALID, and a warning is logged. Needs a preset. */
#define PHONESEC_CIPHERS_FALLBACK_ON_ERROR 0x0200
/** @} */

/** \name Application presets, used when the administrator's setting is blank
 *  (and, with PHONESEC_CIPHERS_FALLBACK_ON_ERROR, when it is in error)
 * @{ */
#define PHONESEC_CIPHERS_PRESET_NONE    (-1)   /**< no preset: a blank string is an error */
#define PHONESEC_CIPHERS_PRESET_DEFAULT 0      /**< SIP, TR-069 and the rest: "DEFAULT" */
#define PHONESEC_CIPHERS_PRESET_WEB     1      /**< web server (HTTPS) list */
#define PHONESEC_CIPHERS_PRESET_XMPP    2      /**< "HIGH:MEDIUM:AES:\@STRENGTH" */
#define PHONESEC_CIPHERS_PRESET_MASK    0x00FF /**< the preset part of a preset-and-flags value */
/** @} */

/** \name Why a preset was used (phonesec_ciphers_report.fallback, *used_fallback)
 * @{ */
#define PHONESEC_CIPHERS_FALLBACK_NONE    0 /**< the string itself was evaluated */
#define PHONESEC_CIPHERS_FALLBACK_BLANK   1 /**< the string was NULL or blank */
#define PHONESEC_CIPHERS_FALLBACK_INVALID 2 /**< the string was in error (PHONESEC_CIPHERS_FALLBACK_ON_ERROR) */
/** @} */

/** Options of phonesec_ciphers_select_ex(). Fields are only ever added at the
 *  end; the library accepts every version from 1 to the current one. */
typedef struct phonesec_ciphers_options {
    unsigned int version; /**< PHONESEC_CIPHERS_OPTIONS_VERSION */
    unsigned int flags;   /**< PHONESEC_CIPHERS_ALLOW_LEGACY, PHONESEC_CIPHERS_FALLBACK_ON_ERROR */
    int preset;           /**< used when the string is NULL or blank: PHONESEC_CIPHERS_PRESET_*
                               (PHONESEC_CIPHERS_PRESET_NONE: a blank string is an error) */
} phonesec_ciphers_options;

/** Version of struct phonesec_ciphers_options understood by this header. */
#define PHONESEC_CIPHERS_OPTIONS_VERSION 1
/** Floored, strict, no preset. */
#define PHONESEC_CIPHERS_OPTIONS_INIT {PHONESEC_CIPHERS_OPTIONS_VERSION, 0, PHONESEC_CIPHERS_PRESET_NONE}

/** What phonesec_ciphers_select_ex() found, for a log line or the
 *  administrator. The caller sets version; the library writes only the
 *  fields that version has, on success and on failure alike (it is the
 *  error detail, not an output). */
typedef struct phonesec_ciphers_report {
    unsigned int version; /**< in: PHONESEC_CIPHERS_REPORT_VERSION (0: nothing is written) */
    int status;           /**< the caller's string: PHONESEC_OK, PHONESEC_E_PARSE, PHONESEC_E_NO_MATCH or
                               PHONESEC_E_POLICY, kept when a preset replaced it */
    int fallback;         /**< PHONESEC_CIPHERS_FALLBACK_* */
    size_t word_offset;   /**< the word the message names: its byte offset in the caller's string */
    size_t word_len;      /**< its length; 0 when no word is named */
    size_t unknown_words; /**< words of the caller's string that are unknown (ignored, as OpenSSL does) */
    size_t removed;       /**< suites the security floor (or \@SECLEVEL) removed from what the evaluated
                               string selected */
    int seclevel;         /**< the caller's string's last \@SECLEVEL=n, or -1 */
    char message[192];    /**< one line of English naming the offending word or the floor's reasons; "" when
                               there is nothing to say */
} phonesec_ciphers_report;

/** Version of struct phonesec_ciphers_report understood by this header. */
#define PHONESEC_CIPHERS_REPORT_VERSION 1

/**
 * \brief Evaluate an OpenSSL cipher string, then apply the security floor.
 *
 * Selects the TLS 1.2-and-older suites the string selects, in the order
 * OpenSSL 3.0 would use, restricted to the library's table; then drops every
 * suite below the security floor and keeps the order of the rest (what
 * `openssl ciphers -s STRING` lists). The floor is OpenSSL 3.0's security
 * level 2 plus 3DES: no anonymous (aNULL), unencrypted (eNULL), RC4, 3DES,
 * MD5-MAC or export-strength (< 112 bits) suite. A string's `@SECLEVEL=n`
 * raises it as OpenSSL's levels do (3: forward secrecy and 128 bits; 4: no
 * SHA-1 MAC and 192 bits; 5: 256 bits) and never lowers it; only the
 * caller's PHONESEC_CIPHERS_ALLOW_LEGACY removes it (and then `@SECLEVEL=n`
 * applies exactly as OpenSSL's level n).
 *
 * The syntax is OpenSSL's: words (aliases such as HIGH, kECDHE, aRSA, AESGCM,
 * SHA256, TLSv1.2 ... or single suite names) joined by `+` to AND them;
 * prefixes `!` (remove for good), `-` (deselect; a later word may select
 * again), `+` (move to the end); `@STRENGTH` (stable sort by strength bits);
 * separators `:`, `,`, `;` and space. A string starting with "DEFAULT" starts
 * from OpenSSL 3.0's default ("ALL:!COMPLEMENTOFDEFAULT:!eNULL"); one
 * starting with SUITEB128, SUITEB128ONLY, SUITEB128C2 or SUITEB192 is
 * replaced by the Suite B list, as OpenSSL does. Unknown words are ignored,
 * as OpenSSL ignores them, and counted in the report; a string that selects
 * nothing is an error whose report names the word to blame. See
 * doc/ciphers.md.
 *
 * \param str    cipher string, NUL-terminated (e.g. "HIGH:!aNULL:@STRENGTH"); NULL or blank: the
 *               preset of opt
 * \param opt    NULL for PHONESEC_CIPHERS_OPTIONS_INIT
 * \param codes  output array
 * \param cap    its capacity (phonesec_ciphers_count() always suffices)
 * \param count  set to the number of codes written (or needed, on BUFFER_SMALL)
 * \param report NULL, or filled as described at phonesec_ciphers_report
 * \return PHONESEC_OK;
 *         PHONESEC_E_INVAL (NULL count, codes NULL with cap > 0, unknown options version, flag or
 *         preset, FALLBACK_ON_ERROR without a preset, str NULL without a preset);
 *         PHONESEC_E_PARSE (OpenSSL's "invalid command": a character that is neither part of a word
 *         nor a separator, an empty word after a prefix or `+`, or a malformed \@ command such as
 *         "\@FOO" or "\@SECLEVEL=9");
 *         PHONESEC_E_NO_MATCH (nothing selected: OpenSSL's "no cipher match"; also a blank string
 *         without a preset);
 *         PHONESEC_E_POLICY (everything the string selects is below the security floor);
 *         PHONESEC_E_BUFFER_SMALL (codes untouched; *count tells the size needed)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_ciphers_select_ex(const char *str, const phonesec_ciphers_options *opt,
                                                                  uint16_t *codes, size_t cap, size_t *count,
                                                                  phonesec_ciphers_report *report);

/**
 * \brief phonesec_ciphers_select_ex() with PHONESEC_CIPHERS_OPTIONS_INIT:
 *        floored, strict, no preset.
 * \return as phonesec_ciphers_select_ex(): PHONESEC_OK; PHONESEC_E_INVAL
 *         (NULL str or count, codes NULL with cap > 0); PHONESEC_E_PARSE;
 *         PHONESEC_E_NO_MATCH (nothing selected, "" included);
 *         PHONESEC_E_POLICY (only suites below the floor);
 *         PHONESEC_E_BUFFER_SMALL (codes untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_ciphers_select(const char *str, uint16_t *codes, size_t cap,
                                                               size_t *count);

/**
 * \brief Evaluate a TLS 1.3 suite list ("TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256"),
 *        as OpenSSL's -ciphersuites does: IANA names separated by `:`, white
 *        space around them ignored, names in order, unknown ones ignored. A
 *        name given twice is listed once (OpenSSL repeats it). The security
 *        floor applies (no TLS 1.3 suite of the table is below it today).
 * \param str NULL or "" selects none and returns PHONESEC_OK with *count = 0
 * \param codes receives the IANA codes in order (may be NULL when cap is 0)
 * \param cap   room in codes
 * \param count set to the number selected (the size needed on PHONESEC_E_BUFFER_SMALL)
 * \return PHONESEC_OK, PHONESEC_E_INVAL, PHONESEC_E_NO_MATCH (non-empty list naming
 *         no known suite, " " included, as in OpenSSL), PHONESEC_E_BUFFER_SMALL
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_ciphers_select_tls13(const char *str, uint16_t *codes, size_t cap,
                                                                     size_t *count);

/** \brief The cipher string of a preset (flag bits ignored), or NULL for an unknown preset. */
PHONESEC_API const char *phonesec_ciphers_preset(int preset);

/**
 * \brief Evaluate str; when it is NULL or blank, evaluate the preset instead
 *        (the phones' per-application default). The security floor applies
 *        to both.
 *
 * A string that is invalid or selects nothing is an error, not a silent
 * fallback: the caller is told and decides. A firmware that must behave as
 * the phones' manuals say ("blank or invalid: the application's default")
 * ORs PHONESEC_CIPHERS_FALLBACK_ON_ERROR into preset and checks
 * *used_fallback; phonesec_ciphers_select_ex() with a report names the
 * offending word for the administrator.
 * \param str    the administrator's cipher string; NULL or blank selects the preset
 * \param codes  receives the IANA codes in order (may be NULL when cap is 0)
 * \param cap    room in codes
 * \param count  set to the number selected (the size needed on PHONESEC_E_BUFFER_SMALL)
 * \param preset PHONESEC_CIPHERS_PRESET_DEFAULT, _WEB or _XMPP, optionally ORed with
 *               PHONESEC_CIPHERS_ALLOW_LEGACY and PHONESEC_CIPHERS_FALLBACK_ON_ERROR
 * \param used_fallback set on success to PHONESEC_CIPHERS_FALLBACK_NONE, _BLANK or _INVALID
 *               (may be NULL)
 * \return as phonesec_ciphers_select_ex(): PHONESEC_OK; PHONESEC_E_INVAL (unknown preset or
 *         flag, NULL count, codes NULL with cap > 0); PHONESEC_E_PARSE; PHONESEC_E_NO_MATCH;
 *         PHONESEC_E_POLICY; PHONESEC_E_BUFFER_SMALL
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_ciphers_select_or_preset(const char *str, int preset,
                                                                         uint16_t *codes, size_t cap,
                                                                         size_t *count, int *used_fallback);

/**
 * \brief Why a suite is below the security floor, or NULL when it is not.
 *
 * The rule phonesec_ciphers_select_ex() applies without
 * PHONESEC_CIPHERS_ALLOW_LEGACY, for a string whose last `@SECLEVEL` is
 * seclevel (-1: none; 0 and 1 do not lower the floor).
 * \return a static English phrase such as "RC4 (prohibited by RFC 7465)";
 *         NULL when the suite passes; "not a suite of the library's table"
 *         for an unknown code
 */
PHONESEC_API const char *phonesec_ciphers_floor_reason(uint16_t iana, int seclevel);

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
 * The codes are installed as given: the security floor is applied where a
 * string is evaluated (phonesec_ciphers_select_ex() and the calls built on
 * it), so a list made from their results is floored unless the caller opted
 * in to legacy suites there.
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
 * \param n           number of codes
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
