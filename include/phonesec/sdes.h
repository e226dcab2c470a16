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
 * honour, F8 unless listed) never fails its m= section: it is skipped and the reason is
 * kept (phonesec_sdes_line_reason()).
 *
 * "Usable" includes the SRTP layer: every line the answerer accepts and
 * every line we offer gives parameters that phonesec_srtp_new() takes with
 * the linked libsrtp2 (phonesec_srtp_suite_supported(); no MKI where the
 * SRTP and SRTCP tags differ or with GCM). Pass PHONESEC_SRTP_OPT_ALLOW_NULL
 * to phonesec_srtp_new() exactly when the policy has PHONESEC_SDES_ALLOW_NULL.
 *
 * ## Threads
 * One negotiation state (phonesec_sdes) belongs to one call and is used by
 * one thread at a time; different calls may be negotiated in different
 * threads at once. The functions without a state object
 * (phonesec_sdes_crypto_parse(), _print(), _check(), _to_params(),
 * _line_to_params(), phonesec_sdes_suite_*(), phonesec_sdes_policy_*() on
 * the caller's own policy) keep no state and may run in any thread at any
 * time; phonesec_sdes_crypto_generate() and the key making of offers and
 * answers draw from phonesec_random(), which is safe from several threads.
 * A policy struct is copied by phonesec_sdes_new(): it may be shared
 * read-only.
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
#define PHONESEC_SDES_FEC_NONE      0 /**< no FEC_ORDER parameter */
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
 * F8 and NULL suites parse (phonesec_sdes_crypto_check() says whether they run).
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
 * \param c the parsed line
 * \param out output buffer
 * \param out_cap its size
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_BUFFER_SMALL (out
 *         untouched); PHONESEC_E_UNSUPPORTED (fields changed on a line with
 *         FEC_KEY or unknown parameters, which cannot be reprinted)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_crypto_print(const phonesec_sdes_crypto *c, char *out,
                                                                  size_t out_cap, size_t *out_len);

/**
 * \brief Make a fresh line: a new key||salt from phonesec_random().
 * \param tag       0..999999999
 * \param suite     PHONESEC_SRTP_*
 * \param mki_len   0 for no MKI, else 1..4 (value given as an integer)
 * \param mki_value MKI value (must fit in mki_len bytes)
 * \param lifetime  0 to omit, else 1..2^48 (printed as 2^n when a power of 2)
 * \param out receives the line (its keys freshly drawn from the random hook)
 * \return PHONESEC_OK; PHONESEC_E_INVAL (bad argument); PHONESEC_E_RANDOM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_crypto_generate(uint32_t tag,
                                                                     int suite, size_t mki_len,
                                                                     uint32_t mki_value, uint64_t lifetime, phonesec_sdes_crypto *out);

/**
 * \brief Can this line be used as it is? Every session parameter must be
 *        honoured or the line declined, and phonesec_srtp_new() must be able
 *        to make sessions of it with the linked libsrtp2.
 * \param allow   PHONESEC_SDES_ALLOW_NULL, PHONESEC_SDES_ALLOW_UNENCRYPTED,
 *                PHONESEC_SDES_SRTCP_TAG32_COMPAT (as later given to
 *                phonesec_sdes_crypto_to_params())
 * \param why     reason when not usable; may be NULL
 * \param c the parsed line
 * \param why_cap size of why
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_UNSUPPORTED (a
 *         suite phonesec_srtp_suite_supported() refuses (libsrtp2 engine:
 *         F8, AES-192 with a libsrtp2 that fails RFC 6188's known answer),
 *         KDR other than 0 where phonesec_srtp_engine_supports() refuses it,
 *         FEC_ORDER/FEC_KEY, unknown session parameter, WSH above 32767,
 *         UNAUTHENTICATED_SRTP or UNENCRYPTED_* with a GCM suite; libsrtp2
 *         engine: an MKI with a GCM suite, an MKI where the SRTP and SRTCP
 *         tags differ: a _32 suite without PHONESEC_SDES_SRTCP_TAG32_COMPAT,
 *         or UNAUTHENTICATED_SRTP);
 *         PHONESEC_E_POLICY (NULL suite or UNENCRYPTED/UNAUTHENTICATED not
 *         allowed; UNENCRYPTED_SRTP with UNAUTHENTICATED_SRTP without
 *         PHONESEC_SDES_ALLOW_NULL);
 *         PHONESEC_E_PARSE (WSH below 64);
 *         PHONESEC_E_CRYPTO (libsrtp2 failed to initialise)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_crypto_check(const phonesec_sdes_crypto *c, unsigned allow,
                                                                  char *why, size_t why_cap);

/**
 * \brief Fill SRTP parameters from a line (keys, MKIs, lifetimes, flags,
 *        WSH, KDR; ROC 0). Does not check usability: call
 *        phonesec_sdes_crypto_check() first.
 * \param allow PHONESEC_SDES_SRTCP_TAG32_COMPAT sets the compat flag for _32 suites
 * \param c the parsed line
 * \param out receives the SRTP parameters (wipe them after use)
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
 * \param line the a=crypto attribute value
 * \param len its length in bytes
 * \param why_cap size of why
 * \return PHONESEC_OK, or any code of phonesec_sdes_crypto_parse() and
 *         phonesec_sdes_crypto_check() (PHONESEC_E_INVAL, PHONESEC_E_PARSE,
 *         PHONESEC_E_UNSUPPORTED, PHONESEC_E_LIMIT, PHONESEC_E_POLICY,
 *         PHONESEC_E_CRYPTO); PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_line_to_params(const char *line, size_t len, unsigned allow,
                                                                    phonesec_srtp_params *out, char *why,
                                                                    size_t why_cap);

/* ------------------------------------------------------------------ */
/* Offer/answer                                                        */
/* ------------------------------------------------------------------ */

/** \name Modes of phonesec_sdes_policy.mode (the phone's "Voice Encryption (SRTP)")
 * @{ */
#define PHONESEC_SDES_DISABLED   0 /**< no SDES: SAVP sections are refused, crypto lines ignored */
#define PHONESEC_SDES_OPTIONAL   1 /**< RFC 8643 opportunistic: offer RTP/AVP with a=crypto */
#define PHONESEC_SDES_MANDATORY  2 /**< offer RTP/SAVP; refuse media that cannot be secured */
/** @} */

/** Most suites in a preference list. */
#define PHONESEC_SDES_MAX_SUITES 12

/** Version of struct phonesec_sdes_policy understood by this header. */
#define PHONESEC_SDES_POLICY_VERSION 1

/** Per-account SDES policy. */
typedef struct phonesec_sdes_policy {
    unsigned version;       /**< PHONESEC_SDES_POLICY_VERSION */
    int mode;               /**< PHONESEC_SDES_DISABLED / _OPTIONAL / _MANDATORY */
    size_t n_suites;        /**< 0: default list (AES_CM_128_80, AES_CM_128_32, AES_256_CM_80,
                                 AES_256_CM_32, AES_192_CM_80, AES_192_CM_32, GCM 256, GCM 128);
                                 suites the linked libsrtp2 cannot run are skipped */
    int suites[PHONESEC_SDES_MAX_SUITES]; /**< allowed suites, most preferred first (offer order) */
    unsigned flags;         /**< PHONESEC_SDES_ALLOW_*, _SRTCP_TAG32_COMPAT, _REQUIRE_TLS, _OFFER_3GE2AE */
    size_t mki_len;         /**< MKI on our keys: 0 none, else 1..4 bytes (left off GCM lines, and
                                 _32 or UNAUTHENTICATED_SRTP lines without equal SRTP/SRTCP tags) */
    uint64_t lifetime;      /**< lifetime to state in our lines: 0 none, else 1..2^48 */
} phonesec_sdes_policy;

/** Static initialiser: optional mode, default suites, no MKI, TLS not required. */
#define PHONESEC_SDES_POLICY_INIT { PHONESEC_SDES_POLICY_VERSION, PHONESEC_SDES_OPTIONAL, 0, \
                                    {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 0 }

/** \brief Fill *p with the defaults of PHONESEC_SDES_POLICY_INIT. */
PHONESEC_API void phonesec_sdes_policy_init(phonesec_sdes_policy *p);

/**
 * \brief Parse a suite list ("AES_CM_128_HMAC_SHA1_80,AEAD_AES_256_GCM", ','
 *        ':' or space separated) into p->suites.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND (unknown
 *         name); PHONESEC_E_UNSUPPORTED (F8 on the libsrtp2 engine);
 *         PHONESEC_E_LIMIT (too many)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_policy_set_suites(phonesec_sdes_policy *p, const char *list);

/** One call's SDES state (opaque). */
typedef struct phonesec_sdes phonesec_sdes;

/**
 * \brief New SDES state for one call (one SDP session).
 * \param policy copied
 * \param out receives the negotiation
 * \return PHONESEC_OK; PHONESEC_E_INVAL (bad version, mode, suite, MKI
 *         length or lifetime); PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_new(const phonesec_sdes_policy *policy, phonesec_sdes **out);

/** \brief Free the state, wiping every key. NULL is a no-op. */
PHONESEC_API void phonesec_sdes_free(phonesec_sdes *s);

/**
 * \brief Tell whether the signalling carrying this SDP is TLS (default: no).
 * Without TLS, SDES is refused under PHONESEC_SDES_REQUIRE_TLS, else it goes
 * ahead with a warning through the log hook.
 * \return PHONESEC_OK or PHONESEC_E_INVAL
 */
PHONESEC_API int phonesec_sdes_set_signalling_tls(phonesec_sdes *s, int tls);

/**
 * \brief Answer an offer (first or re-INVITE).
 *
 * Per m= section: the first offered a=crypto line that parses, is usable
 * (phonesec_sdes_crypto_check() with the policy's flags: the SRTP layer can
 * run it) and allowed by the policy is chosen; the answer uses the same tag and
 * suite with our fresh key (kept from the previous answer on a re-offer
 * when nothing requires a change, RFC 4568 §7.1.4). Sections that cannot be
 * secured are answered in clear (RTP/AVP, optional mode) or rejected (port
 * 0). Results: phonesec_sdes_section(), phonesec_sdes_answer_sdp(),
 * phonesec_sdes_answer_mline(), phonesec_sdes_answer_crypto(),
 * phonesec_sdes_params().
 * \return PHONESEC_OK (at least one section secured, or the policy lets the
 *         call go on in clear); PHONESEC_E_INVAL; PHONESEC_E_PARSE (not
 *         SDP, or a crypto line tag used twice in one m= section: the offer
 *         is invalid); PHONESEC_E_NO_MATCH (mandatory mode and no section
 *         could be secured); PHONESEC_E_POLICY (TLS required but not in
 *         use, mandatory mode); PHONESEC_E_LIMIT (too many m= sections);
 *         PHONESEC_E_STATE (an offer of ours is pending); PHONESEC_E_NOMEM;
 *         PHONESEC_E_RANDOM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_answer(phonesec_sdes *s, const char *offer, size_t offer_len);

/**
 * \brief Make an offer (first or re-INVITE) by adding SDES to our SDP.
 *
 * `local` is the SDP the SIP stack built (codecs, ports). For each RTP m=
 * section: the proto becomes RTP/SAVP(F) (mandatory) or stays RTP/AVP(F)
 * (optional), existing a=crypto lines are replaced by ours (one per policy
 * suite that phonesec_srtp_suite_supported() accepts, tags 1, 2, ...), and
 * `a=3ge2ae:requested` is added under PHONESEC_SDES_OFFER_3GE2AE. When the
 * linked libsrtp2 can run none of the policy's suites, optional mode offers
 * the media in clear and mandatory mode fails with PHONESEC_E_NO_MATCH. On a re-offer our keys are kept unless one
 * ran out (phonesec_sdes_report_packets()) or the policy changed them.
 * Disabled mode copies `local` unchanged.
 * \param out_len the SDP length written, or needed on PHONESEC_E_BUFFER_SMALL
 * \param s the negotiation
 * \param local our SDP (the text the stack built, without keys)
 * \param local_len its length in bytes
 * \param out output buffer
 * \param out_cap its size
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE (local is not
 *         SDP); PHONESEC_E_BUFFER_SMALL (out untouched); PHONESEC_E_POLICY
 *         (TLS required but not in use, mandatory mode); PHONESEC_E_NO_MATCH
 *         (mandatory mode and no suite of the policy can be run);
 *         PHONESEC_E_LIMIT; PHONESEC_E_NOMEM; PHONESEC_E_RANDOM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_offer(phonesec_sdes *s, const char *local, size_t local_len,
                                                           char *out, size_t out_cap, size_t *out_len);

/**
 * \brief Check the answer to our pending offer and take its keys.
 *
 * Per section where we offered crypto: the answer must carry exactly one
 * a=crypto line, with a tag among those we offered and the suite we offered
 * under that tag; zero lines is accepted only on an RTP/AVP (opportunistic)
 * section in optional mode. `a=3ge2ae:applied` is recorded.
 * On failure the previous negotiated state stays in force.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (no offer
 *         pending); PHONESEC_E_PARSE (not SDP, different number of m=
 *         sections, bad crypto line); PHONESEC_E_NO_MATCH (several lines,
 *         unknown tag, suite differs from the offered one);
 *         PHONESEC_E_POLICY (mandatory mode and a section came back in clear);
 *         PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_accept_answer(phonesec_sdes *s, const char *answer,
                                                                   size_t answer_len);

/**
 * \brief Rewrite the SIP stack's answer SDP: per m= section the proto and port
 *        we decided, our a=crypto line (replacing any there).
 *
 * `local` must have the offer's m= sections in the same order.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (no answer made);
 *         PHONESEC_E_PARSE (local not SDP or a different section count);
 *         PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_answer_sdp(phonesec_sdes *s, const char *local,
                                                                size_t local_len, char *out, size_t out_cap,
                                                                size_t *out_len);

/**
 * \brief Drop our pending offer: it was rejected (a 488 or other final
 *        failure to the INVITE or UPDATE, or a 491 on glare). The keys and
 *        sections negotiated before stay in force (RFC 3264 §8), and the
 *        peer's next offer can be answered. (Since 1.1.)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (no offer pending)
 */
PHONESEC_API int phonesec_sdes_offer_withdraw(phonesec_sdes *s);

/** \name Section states (phonesec_sdes_section_info.state)
 * @{ */
#define PHONESEC_SDES_SEC_NOT_RTP   0 /**< not an RTP/AVP(F) or RTP/SAVP(F) section: left alone */
#define PHONESEC_SDES_SEC_SECURED   1 /**< SRTP keys negotiated */
#define PHONESEC_SDES_SEC_CLEAR     2 /**< media in clear (optional or disabled mode) */
#define PHONESEC_SDES_SEC_REJECTED  3 /**< refused (port 0 in the answer), or port 0 offered */
#define PHONESEC_SDES_SEC_PENDING   4 /**< our offer sent, no answer yet */
/** @} */

/** What one m= section ended with: the lock icon. */
typedef struct phonesec_sdes_section_info {
    int state;             /**< PHONESEC_SDES_SEC_* */
    int suite;             /**< negotiated suite, PHONESEC_SRTP_SUITE_NONE when not secured */
    uint32_t tag;          /**< negotiated tag */
    int protect_out;       /**< 1: what we send is encrypted and authenticated */
    int protect_in;        /**< 1: what we receive is encrypted and authenticated */
    int savp;              /**< 1: RTP/SAVP(F) on the wire; 0: RTP/AVP(F) */
    int e2ae;              /**< 1: a=3ge2ae:requested seen (as answerer) or :applied (as offerer) */
    unsigned n_lines;      /**< a=crypto lines seen in the peer's SDP for this section */
    char media[16];        /**< "audio", "video"... (truncated) */
    char reason[160];      /**< why not secured, or why lines were skipped (no key material) */
} phonesec_sdes_section_info;

/** \brief Number of m= sections of the last offer/answer (0 before any). */
PHONESEC_API size_t phonesec_sdes_section_count(const phonesec_sdes *s);

/**
 * \brief State of m= section idx (from 0).
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND (no such section)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_section(const phonesec_sdes *s, size_t idx,
                                                             phonesec_sdes_section_info *info);

/**
 * \brief Why the peer's a=crypto line number `line` (from 0, in SDP order) of
 *        section idx was or was not used ("" when it was chosen).
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND;
 *         PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_line_reason(const phonesec_sdes *s, size_t idx, size_t line,
                                                                 char *out, size_t out_cap);

/**
 * \brief The m= line to answer section idx with (port 0 when rejected,
 *        the proto kept), without line ending, NUL-terminated.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (no answer made);
 *         PHONESEC_E_NOT_FOUND; PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_answer_mline(const phonesec_sdes *s, size_t idx, char *out,
                                                                  size_t out_cap, size_t *out_len);

/**
 * \brief Our a=crypto answer line for section idx, NUL-terminated.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (no answer made);
 *         PHONESEC_E_NOT_FOUND (section not secured);
 *         PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_answer_crypto(const phonesec_sdes *s, size_t idx, char *out,
                                                                   size_t out_cap, size_t *out_len);

/** \name Directions for phonesec_sdes_params()
 * @{ */
#define PHONESEC_SDES_INBOUND  0 /**< the peer's key: what we unprotect with */
#define PHONESEC_SDES_OUTBOUND 1 /**< our key: what we protect with */
/** @} */

/**
 * \brief SRTP parameters of a secured section, for one direction. The caller
 *        wipes *out (phonesec_memzero) when done.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND (no such
 *         section, or not secured)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_params(const phonesec_sdes *s, size_t idx, int dir,
                                                            phonesec_srtp_params *out);

/**
 * \brief Record the rollover counter the SRTP session of a direction reached,
 *        so the parameters after a rekey carry it on (RFC 4568 §7.1.4).
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND
 */
PHONESEC_API int phonesec_sdes_set_roc(phonesec_sdes *s, size_t idx, int dir, uint32_t roc);

/**
 * \brief Report how many packets a direction has protected with its current
 *        master key; when the key's lifetime is used up, the next offer or
 *        answer carries a fresh key (for OUTBOUND) and the caller must re-INVITE.
 * \return PHONESEC_OK (lifetime left); PHONESEC_E_EXPIRED (lifetime used
 *         up: rekey now); PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND
 */
PHONESEC_API int phonesec_sdes_report_packets(phonesec_sdes *s, size_t idx, int dir, uint64_t packets);

/**
 * \brief Detail of the last failure ("" when none); never key material.
 * \return PHONESEC_OK or PHONESEC_E_INVAL
 */
PHONESEC_API int phonesec_sdes_last_error(const phonesec_sdes *s, char *buf, size_t cap);

/* ------------------------------------------------------------------ */
/* One m= section at a time (since 1.1)                                */
/* ------------------------------------------------------------------ */

/**
 * \name SDES for one media section (since 1.1)
 *
 * For SIP stacks that hand the SDP over one stream at a time and keep the
 * SDP text to themselves (baresip's media-encryption modules, stacks with
 * their own SDP objects): the caller passes the a=crypto attribute values of
 * ONE m= section and writes back the ones this object gives; the object
 * makes the two SRTP sessions (ours outbound, the peer's inbound) and
 * protects and unprotects the packets of that stream. The m= proto
 * (RTP/SAVP or RTP/AVP for RFC 8643 optional SRTP) stays the stack's job.
 *
 * Policy, suites and checks are those of phonesec_sdes_answer() and
 * phonesec_sdes_offer(); a line carrying UNENCRYPTED_SRTP/_SRTCP or
 * UNAUTHENTICATED_SRTP is skipped when answering.
 *
 * RTCP sent in clear: a well-formed clear RTCP packet (version 2 headers
 * of types 200..207 whose lengths add up) that reaches the inbound session
 * of a secured section and fails as SRTCP is refused with
 * PHONESEC_E_POLICY and counted in rtcp_clear_refused: it is neither a
 * forgery nor malformed, and it is never passed on (RFC 3711 §3.4: SRTCP
 * is always authenticated). baresip 1.0 sends two such packets in clear:
 * its 16-byte keep-alive (an APP packet "PING" "PONG", sent as its stream
 * starts; with a _32 suite under PHONESEC_SDES_SRTCP_TAG32_COMPAT it
 * reads as SRTCP with a wrong tag, with an 80-bit tag as too short for
 * SRTCP) and its BYE at hang-up.
 *
 * One object per stream, used by one thread at a time.
 * @{ */

/** One stream's SDES and SRTP state (opaque). */
typedef struct phonesec_sdes_media phonesec_sdes_media;

/** \name Packet kinds of phonesec_sdes_media_classify()
 * @{ */
#define PHONESEC_SDES_PKT_OTHER 0 /**< not RTP or RTCP (STUN, DTLS, ...): leave it alone */
#define PHONESEC_SDES_PKT_RTP   1 /**< RTP */
#define PHONESEC_SDES_PKT_RTCP  2 /**< RTCP (payload type 64..95 without marker, RFC 5761 §4) */
/** @} */

/** Version of struct phonesec_sdes_media_stats understood by this header. */
#define PHONESEC_SDES_MEDIA_STATS_VERSION 1

/** Counters of one stream (what a phone shows next to its lock icon). */
typedef struct phonesec_sdes_media_stats {
    unsigned version;          /**< set by the caller to PHONESEC_SDES_MEDIA_STATS_VERSION */
    int state;                 /**< PHONESEC_SDES_SEC_SECURED / _CLEAR / _PENDING */
    int suite;                 /**< the suite in use, PHONESEC_SRTP_SUITE_NONE when not secured */
    uint64_t rtp_out;          /**< RTP packets protected */
    uint64_t rtcp_out;         /**< RTCP packets protected */
    uint64_t rtp_in;           /**< SRTP packets authenticated and decrypted */
    uint64_t rtcp_in;          /**< SRTCP packets authenticated and decrypted */
    uint64_t rtp_in_since_keys; /**< rtp_in under the keys now in force */
    uint64_t auth_failures;    /**< inbound packets that failed authentication */
    uint64_t replays;          /**< inbound packets refused as replayed or too old */
    uint64_t rtcp_clear_refused; /**< clear RTCP refused (PHONESEC_E_POLICY) */
    uint64_t in_errors;        /**< other inbound failures (malformed, limits) */
    uint64_t out_errors;       /**< outbound failures */
    int peer_key_failed;       /**< 1: 25 inbound RTP packets in a row failed authentication and
                                    none ever passed under the current keys: the peer's key is
                                    wrong (the call should be ended or re-keyed) */
} phonesec_sdes_media_stats;

/**
 * \brief New per-stream SDES state.
 * \param policy copied; checked as by phonesec_sdes_new(); mode _OPTIONAL or
 *               _MANDATORY (_DISABLED makes no sense for a stream that
 *               should be secured)
 * \param out receives the object
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, bad policy, disabled mode);
 *         PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_media_new(const phonesec_sdes_policy *policy,
                                                               phonesec_sdes_media **out);

/** \brief Free the object, its sessions and keys (wiped). NULL is a no-op. */
PHONESEC_API void phonesec_sdes_media_free(phonesec_sdes_media *m);

/**
 * \brief Make our offer: one line per policy suite the SRTP engine runs
 *        (tags 1, 2, ...), each with a fresh key. Asked again while the
 *        offer stands (or after it was answered), it gives the same lines.
 *        Read them with phonesec_sdes_media_local_line().
 * \param m       the stream
 * \param n_lines set to the number of lines (may be NULL)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NO_MATCH (no suite of
 *         the policy can be run); PHONESEC_E_RANDOM; PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_media_offer(phonesec_sdes_media *m, size_t *n_lines);

/**
 * \brief Our a=crypto attribute value number idx (without "a=crypto:"),
 *        NUL-terminated: the offered lines, or after
 *        phonesec_sdes_media_answer() the one answer line.
 * \param m       the stream
 * \param idx     line number, from 0
 * \param out     receives the value
 * \param out_cap its size
 * \param out_len set to the length (without NUL), also on PHONESEC_E_BUFFER_SMALL
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND (no such
 *         line); PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_media_local_line(const phonesec_sdes_media *m, size_t idx,
                                                                      char *out, size_t out_cap,
                                                                      size_t *out_len);

/**
 * \brief Answer the peer's a=crypto lines of this m= section.
 *
 * The first line (in the order given) that parses, carries no session
 * parameter changing the transform, is of a policy suite and passes
 * phonesec_sdes_crypto_check() is chosen; our answer line (same tag and
 * suite, a fresh key) is then local line 0 and the sessions are made. Given
 * the line in use again (the stack re-runs the negotiation), nothing
 * changes. Lines may carry "a=crypto:" and a line ending, or be the bare
 * value.
 * \param m     the stream
 * \param lines the attribute values (need not be NUL-terminated)
 * \param lens their lengths
 * \param n how many (0: the offer had none)
 * \return PHONESEC_OK (secured; or in optional mode with n == 0: in clear);
 *         PHONESEC_E_INVAL; PHONESEC_E_PARSE (a tag used twice: invalid
 *         offer); PHONESEC_E_NO_MATCH (no usable line, or none in mandatory
 *         mode); any error of phonesec_srtp_new(); PHONESEC_E_RANDOM;
 *         PHONESEC_E_NOMEM. On failure the previous state stays.
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_media_answer(phonesec_sdes_media *m, const char *const *lines,
                                                                  const size_t *lens, size_t n);

/**
 * \brief Take the peer's answer to our offer: exactly one line, with a tag
 *        we offered and the suite we offered under it. The same answer
 *        again changes nothing.
 * \return PHONESEC_OK (secured; or optional mode and n == 0: in clear);
 *         PHONESEC_E_INVAL; PHONESEC_E_STATE (no offer made);
 *         PHONESEC_E_PARSE (the line does not parse);
 *         PHONESEC_E_NO_MATCH (several lines, unknown tag, other suite);
 *         PHONESEC_E_POLICY (mandatory mode and no line);
 *         PHONESEC_E_UNSUPPORTED (the line's parameters cannot be honoured,
 *         see phonesec_sdes_crypto_check()); any error of phonesec_srtp_new();
 *         PHONESEC_E_NOMEM. On failure the previous state stays.
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_media_accept(phonesec_sdes_media *m, const char *const *lines,
                                                                  const size_t *lens, size_t n);

/**
 * \brief The stream's state.
 * \return PHONESEC_SDES_SEC_SECURED, _CLEAR (nothing negotiated yet, or
 *         optional mode fell back to clear) or _PENDING (offer out);
 *         PHONESEC_E_INVAL for NULL
 */
PHONESEC_API int phonesec_sdes_media_state(const phonesec_sdes_media *m);

/**
 * \brief Tell RTP from RTCP from anything else on a media socket
 *        (first byte 128..191; RFC 5761 §4 for RTCP).
 * \return PHONESEC_SDES_PKT_RTP, _RTCP or _OTHER (also for NULL or len < 2)
 */
PHONESEC_API int phonesec_sdes_media_classify(const uint8_t *pkt, size_t len);

/**
 * \brief Protect one outgoing RTP or RTCP packet (told apart by
 *        phonesec_sdes_media_classify()). in and out may be the same
 *        buffer; out_cap must hold in_len plus the suite's overhead (at most
 *        in_len + 4 + 16 + the MKI).
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (not secured);
 *         PHONESEC_E_PARSE (neither RTP nor RTCP, or malformed); and the
 *         errors of phonesec_srtp_protect() / phonesec_srtp_protect_rtcp()
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_media_protect(phonesec_sdes_media *m, const uint8_t *in,
                                                                   size_t in_len, uint8_t *out, size_t out_cap,
                                                                   size_t *out_len);

/**
 * \brief Verify and decrypt one incoming SRTP or SRTCP packet. Drop the
 *        packet on any error. After PHONESEC_E_AUTH look at
 *        phonesec_sdes_media_stats.peer_key_failed.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (not secured);
 *         PHONESEC_E_POLICY (clear RTCP refused, see above);
 *         PHONESEC_E_PARSE; PHONESEC_E_AUTH; PHONESEC_E_REPLAY; and the
 *         other errors of phonesec_srtp_unprotect() / _unprotect_rtcp()
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_sdes_media_unprotect(phonesec_sdes_media *m, const uint8_t *in,
                                                                     size_t in_len, uint8_t *out, size_t out_cap,
                                                                     size_t *out_len);

/**
 * \brief The stream's counters and state.
 * \param m   the stream
 * \param out set out->version to PHONESEC_SDES_MEDIA_STATS_VERSION first
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, or version 0)
 */
PHONESEC_API int phonesec_sdes_media_get_stats(const phonesec_sdes_media *m, phonesec_sdes_media_stats *out);

/**
 * \brief Detail of the last negotiation failure ("" when none); never key material.
 * \return PHONESEC_OK; PHONESEC_E_INVAL
 */
PHONESEC_API int phonesec_sdes_media_last_error(const phonesec_sdes_media *m, char *buf, size_t cap);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_SDES_H */
