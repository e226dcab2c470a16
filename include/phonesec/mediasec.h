/*
 * libphonesec - MediaSec: RFC 3329 security agreement with the mediasec
 * parameter (draft-dawes-sipcore-mediasec-parameter).
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_MEDIASEC_H
#define PHONESEC_MEDIASEC_H

#include <stddef.h>

#include "phonesec/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/mediasec.h
 * \brief Security-Client / Security-Server / Security-Verify headers, raw SIP
 *        message helpers, and the per-registration negotiation state machine.
 *
 * Three layers, usable separately:
 * - **Mechanism lists** (phonesec_mediasec_list): parse and print the values
 *   of the three RFC 3329 headers. Mechanism names, parameter names, values,
 *   their order and spelling are kept as received, so a Security-Verify
 *   printed from a received Security-Server list is that list.
 * - **Raw message helpers** (phonesec_mediasec_msg_*): find, insert, replace
 *   and remove header fields in SIP message text without touching any other
 *   byte, and merge option tags into Require / Proxy-Require. For stacks
 *   without a parser of their own, or that hand out the raw text.
 * - **Negotiation** (phonesec_mediasec): one object per registration flow;
 *   it decorates outgoing requests and reads incoming responses.
 *
 * Header names are matched case-insensitively; compact forms (RFC 3261
 * §7.3.3, e.g. `l` for Content-Length, `k` for Supported) are matched too.
 * The library never sends SIP itself.
 *
 * ## Threads
 * A negotiation (phonesec_mediasec) belongs to one flow and is used by one
 * thread at a time; a mechanism list (phonesec_mediasec_list) too while it
 * is being changed (parse, append, clear). Functions that take a `const`
 * list or negotiation only read it: once nobody changes a list (e.g. the
 * Security-Server list a registrar sends), several threads may call
 * phonesec_mediasec_server_check(), phonesec_mediasec_list_equal(), _print(),
 * _count(), _name(), _get() and the other `const` readers on it at once.
 * The message helpers (phonesec_mediasec_msg_*()) and
 * phonesec_mediasec_sdp_3ge2ae() keep no state and may run in any thread at
 * any time.
 */

/** \name Limits
 * @{ */
/** Most mechanisms one list holds (PHONESEC_E_LIMIT beyond). */
#define PHONESEC_MEDIASEC_MAX_MECHS 64
/** Most parameters one mechanism carries (PHONESEC_E_LIMIT beyond). */
#define PHONESEC_MEDIASEC_MAX_PARAMS 32
/** Longest header value or raw SIP message accepted, in bytes. */
#define PHONESEC_MEDIASEC_MAX_TEXT 65536
/** @} */

/** \name Header names
 * @{ */
#define PHONESEC_MEDIASEC_HDR_CLIENT "Security-Client" /**< sent by the client (RFC 3329 §2.3.1) */
#define PHONESEC_MEDIASEC_HDR_SERVER "Security-Server" /**< the server's list, in a 401/494 */
#define PHONESEC_MEDIASEC_HDR_VERIFY "Security-Verify" /**< the client's mirror of Security-Server */
/** @} */

/** \name Print styles for phonesec_mediasec_list_print()
 * @{ */
/** The bare value: `a;p=1, b` (no header name, no line end). */
#define PHONESEC_MEDIASEC_STYLE_VALUE 0
/** One header line with a comma list: `Name: a;p=1, b\r\n`. */
#define PHONESEC_MEDIASEC_STYLE_SINGLE 1
/** One header line per mechanism: `Name: a;p=1\r\nName: b\r\n`. */
#define PHONESEC_MEDIASEC_STYLE_PER_MECH 2
/** @} */

/** An ordered list of security mechanisms with their parameters. */
typedef struct phonesec_mediasec_list phonesec_mediasec_list;

/**
 * \brief Create an empty mechanism list.
 * \param out set to the new list on success
 * \return PHONESEC_OK, PHONESEC_E_INVAL (out NULL) or PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_list_new(phonesec_mediasec_list **out);

/** \brief Free a list; NULL is a no-op. */
PHONESEC_API void phonesec_mediasec_list_free(phonesec_mediasec_list *l);

/** \brief Remove every mechanism (the list stays usable); NULL is a no-op. */
PHONESEC_API void phonesec_mediasec_list_clear(phonesec_mediasec_list *l);

/**
 * \brief Parse one header field value and append its mechanisms.
 *
 * Grammar: RFC 3329 §2.2 (`sec-mechanism *(COMMA sec-mechanism)`), with
 * folded lines (CRLF followed by white space) taken as white space. Call
 * once per header field for repeated headers: mechanisms accumulate in
 * order. Checked: mechanism and parameter names are tokens; `q` follows
 * RFC 3329's qvalue; `d-alg`, `d-qop` are tokens; `d-ver` is a quoted
 * string of 32 lowercase hex digits; `mediasec` is a flag without value;
 * none of these appears twice in one mechanism; no empty entries. Other
 * parameters are kept verbatim (token, host or quoted-string value).
 * On any error the list is unchanged and phonesec_mediasec_list_last_error()
 * says what and where.
 * \param l     the list
 * \param value the header value (after the colon); need not be NUL-terminated
 * \param len   its length
 * \return PHONESEC_OK, PHONESEC_E_INVAL (l NULL, value NULL with len > 0),
 *         PHONESEC_E_PARSE (malformed), PHONESEC_E_LIMIT (too many
 *         mechanisms or parameters, or too long) or PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_list_parse(phonesec_mediasec_list *l, const char *value,
                                                                    size_t len);

/**
 * \brief Append copies of every mechanism of another list.
 * \return PHONESEC_OK, PHONESEC_E_INVAL (a NULL argument or dst == src),
 *         PHONESEC_E_LIMIT or PHONESEC_E_NOMEM (dst unchanged)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_list_append(phonesec_mediasec_list *dst,
                                                                     const phonesec_mediasec_list *src);

/** \brief Number of mechanisms; 0 for NULL. */
PHONESEC_API size_t phonesec_mediasec_list_count(const phonesec_mediasec_list *l);

/**
 * \brief Name of mechanism i as received (e.g. "sdes-srtp").
 * \return the name (owned by the list, valid until it changes), or NULL when
 *         l is NULL or i out of range
 */
PHONESEC_API const char *phonesec_mediasec_list_name(const phonesec_mediasec_list *l, size_t i);

/** \brief Number of parameters of mechanism i (0 when out of range). */
PHONESEC_API size_t phonesec_mediasec_list_param_count(const phonesec_mediasec_list *l, size_t i);

/**
 * \brief Parameter j of mechanism i, in received order and spelling.
 * \param name  set to the parameter name (owned by the list)
 * \param value set to its value as written (quotes included), or NULL for a
 *              flag parameter such as `mediasec`; may be NULL
 * \param l the list
 * \param i index of the mechanism, from 0
 * \param j index of the parameter, from 0
 * \return PHONESEC_OK, PHONESEC_E_INVAL (NULL l or name) or
 *         PHONESEC_E_NOT_FOUND (i or j out of range)
 */
PHONESEC_API int phonesec_mediasec_list_param(const phonesec_mediasec_list *l, size_t i, size_t j, const char **name,
                                              const char **value);

/**
 * \brief Look a parameter of mechanism i up by name (case-insensitive).
 * \param value set to the value as written, or NULL for a flag; may be NULL
 * \param l the list
 * \param i index of the mechanism, from 0
 * \param pname parameter name (case-insensitive)
 * \return PHONESEC_OK, PHONESEC_E_INVAL (NULL l or pname) or
 *         PHONESEC_E_NOT_FOUND (no such mechanism or parameter)
 */
PHONESEC_API int phonesec_mediasec_list_get(const phonesec_mediasec_list *l, size_t i, const char *pname,
                                            const char **value);

/**
 * \brief The q value of mechanism i in thousandths (q=0.5 gives 500).
 * \return PHONESEC_OK, PHONESEC_E_INVAL (NULL argument) or
 *         PHONESEC_E_NOT_FOUND (no such mechanism, or it has no q)
 */
PHONESEC_API int phonesec_mediasec_list_q(const phonesec_mediasec_list *l, size_t i, unsigned *q_milli);

/**
 * \brief Whether mechanism i carries the `mediasec` flag (media plane).
 * \return 1 when it does, else 0 (also for NULL or out of range)
 */
PHONESEC_API int phonesec_mediasec_list_is_media(const phonesec_mediasec_list *l, size_t i);

/**
 * \brief Index of the first mechanism with this name (case-insensitive).
 * \param index set to the index when found; may be NULL
 * \param l the list
 * \param mech mechanism name (case-insensitive)
 * \return PHONESEC_OK, PHONESEC_E_INVAL or PHONESEC_E_NOT_FOUND
 */
PHONESEC_API int phonesec_mediasec_list_find(const phonesec_mediasec_list *l, const char *mech, size_t *index);

/**
 * \brief Compare two lists by RFC 3329 rules (a received Security-Verify
 *        against the Security-Server list sent).
 *
 * Equal means: same number of mechanisms in the same order; names equal
 * ignoring case; per mechanism the same set of parameters (names ignoring
 * case, in any order); q values equal as numbers (0.5 = 0.500); token values
 * equal ignoring case; quoted values (d-ver included) byte for byte.
 * \return PHONESEC_OK (equal), PHONESEC_E_NO_MATCH (different) or
 *         PHONESEC_E_INVAL (NULL argument)
 */
PHONESEC_API int phonesec_mediasec_list_equal(const phonesec_mediasec_list *a, const phonesec_mediasec_list *b);

/**
 * \brief Print the list, mechanisms in order, parameters as received.
 *
 * Writes a NUL after the text. Line ends are CRLF.
 * \param header  header name for the SINGLE and PER_MECH styles (e.g.
 *                PHONESEC_MEDIASEC_HDR_VERIFY); ignored for VALUE
 * \param style   PHONESEC_MEDIASEC_STYLE_VALUE, _SINGLE or _PER_MECH
 * \param out_len set to the length written (without NUL), or needed (without
 *                NUL) on PHONESEC_E_BUFFER_SMALL
 * \param l the list
 * \param out output buffer
 * \param out_cap its size
 * \return PHONESEC_OK, PHONESEC_E_INVAL (NULL argument, bad style, header not
 *         a token), PHONESEC_E_NOT_FOUND (the list is empty) or
 *         PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_list_print(const phonesec_mediasec_list *l,
                                                                    const char *header, int style, char *out,
                                                                    size_t out_cap, size_t *out_len);

/**
 * \brief Detail of the last error on this list ("" when none).
 * \return PHONESEC_OK or PHONESEC_E_INVAL (NULL l or buf, cap 0)
 */
PHONESEC_API int phonesec_mediasec_list_last_error(const phonesec_mediasec_list *l, char *buf, size_t cap);

/**
 * \brief Collect every header field called `name` of a raw SIP message into
 *        a list (repeated headers in message order, each a comma list).
 * \param l   the list; mechanisms are appended
 * \param msg message text (start line, headers, empty line, body)
 * \param len its length in bytes
 * \param name header name (or its compact form)
 * \return PHONESEC_OK, PHONESEC_E_NOT_FOUND (no such header; list unchanged),
 *         PHONESEC_E_INVAL, PHONESEC_E_PARSE (malformed message or value;
 *         list unchanged), PHONESEC_E_LIMIT or PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_list_from_msg(phonesec_mediasec_list *l, const char *msg,
                                                                       size_t len, const char *name);

/* ---------------------------------------------------------------------- */
/** \name Raw SIP message helpers
 * Every editing helper copies the message to `out` with exactly one change;
 * every other byte (start line, other headers, their line ends, the empty
 * line and the body) is copied unchanged, so Content-Length stays right.
 * New header lines use the message's own line end (CRLF, or LF when the
 * message uses bare LF). The header section ends at the first empty line;
 * a message without one is refused (PHONESEC_E_PARSE).
 * @{ */

/**
 * \brief Find the n-th (from 0) header field called `name` (or its compact
 *        form) and return its value span, folded continuation lines included.
 *
 * The span starts after the colon and leading white space and ends before
 * the line end of the last continuation line, trailing white space removed.
 * \param val_off set to the offset of the value in msg
 * \param val_len set to its length (may be 0 for an empty header)
 * \param msg SIP message text (start line, headers, empty line, body)
 * \param len its length in bytes
 * \param name header name (or its compact form)
 * \param nth which occurrence, from 0
 * \return PHONESEC_OK, PHONESEC_E_NOT_FOUND, PHONESEC_E_INVAL or
 *         PHONESEC_E_PARSE (no empty line ending the headers, or a header
 *         line without a colon)
 */
PHONESEC_API int phonesec_mediasec_msg_find(const char *msg, size_t len, const char *name, size_t nth,
                                            size_t *val_off, size_t *val_len);

/**
 * \brief Count the header fields called `name` (or its compact form).
 * \return PHONESEC_OK, PHONESEC_E_INVAL or PHONESEC_E_PARSE
 */
PHONESEC_API int phonesec_mediasec_msg_count(const char *msg, size_t len, const char *name, size_t *count);

/**
 * \brief Status code of a response (200 for "SIP/2.0 200 OK").
 * \return PHONESEC_OK, PHONESEC_E_INVAL or PHONESEC_E_PARSE (not a response)
 */
PHONESEC_API int phonesec_mediasec_msg_status(const char *msg, size_t len, int *status);

/**
 * \brief Method of a request's start line, or of a response's CSeq.
 * \param method  output buffer for the method name (NUL-terminated)
 * \param msg SIP message text (start line, headers, empty line, body)
 * \param len its length in bytes
 * \param cap its size
 * \return PHONESEC_OK, PHONESEC_E_INVAL, PHONESEC_E_PARSE (no start line or
 *         CSeq) or PHONESEC_E_BUFFER_SMALL (method untouched)
 */
PHONESEC_API int phonesec_mediasec_msg_method(const char *msg, size_t len, char *method, size_t cap);

/**
 * \brief Insert a header line `name: value`.
 *
 * Placed after the last header of the same name, else before Content-Length,
 * else at the end of the header section.
 * \param value header value; must not contain CR or LF
 * \param msg SIP message text (start line, headers, empty line, body)
 * \param len its length in bytes
 * \param name header name (or its compact form)
 * \param out output buffer
 * \param out_cap its size
 * \param out_len set to the length written, or needed on PHONESEC_E_BUFFER_SMALL
 * \return PHONESEC_OK, PHONESEC_E_INVAL (NULL argument, name not a token,
 *         value with CR/LF), PHONESEC_E_PARSE or PHONESEC_E_BUFFER_SMALL
 *         (out untouched; *out_len is the size needed without NUL)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_msg_insert(const char *msg, size_t len, const char *name,
                                                                    const char *value, char *out, size_t out_cap,
                                                                    size_t *out_len);

/**
 * \brief Remove every header field called `name` (or its compact form),
 *        continuation lines included.
 * \param removed set to the number removed (0 is not an error); may be NULL
 * \param msg SIP message text (start line, headers, empty line, body)
 * \param len its length in bytes
 * \param name header name (or its compact form)
 * \param out output buffer
 * \param out_cap its size
 * \param out_len set to the length written, or needed on PHONESEC_E_BUFFER_SMALL
 * \return PHONESEC_OK, PHONESEC_E_INVAL, PHONESEC_E_PARSE or
 *         PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_msg_remove(const char *msg, size_t len, const char *name,
                                                                    char *out, size_t out_cap, size_t *out_len,
                                                                    size_t *removed);

/**
 * \brief Replace every header field called `name` by one line `name: value`
 *        at the place of the first (inserted as by
 *        phonesec_mediasec_msg_insert() when there is none).
 * \return PHONESEC_OK, PHONESEC_E_INVAL, PHONESEC_E_PARSE or
 *         PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_msg_replace(const char *msg, size_t len, const char *name,
                                                                     const char *value, char *out, size_t out_cap,
                                                                     size_t *out_len);

/**
 * \brief Whether an option tag is listed in any header called `name`
 *        (Require, Proxy-Require, Supported, Unsupported), ignoring case.
 * \return 1 (present), 0 (absent), PHONESEC_E_INVAL or PHONESEC_E_PARSE
 */
PHONESEC_API int phonesec_mediasec_msg_has_tag(const char *msg, size_t len, const char *name, const char *tag);

/**
 * \brief Merge an option tag into the header called `name` (e.g. Require).
 *
 * Already listed in any such header: copied unchanged. Else, when such a
 * header exists, `, tag` is appended to the value of the first one; else a
 * new header `name: tag` is inserted. Never duplicates the tag.
 * \param changed set to 1 when the tag was added, 0 when already there; may
 *                be NULL
 * \param msg SIP message text (start line, headers, empty line, body)
 * \param len its length in bytes
 * \param name header name (or its compact form)
 * \param tag option tag
 * \param out output buffer
 * \param out_cap its size
 * \param out_len set to the length written, or needed on PHONESEC_E_BUFFER_SMALL
 * \return PHONESEC_OK, PHONESEC_E_INVAL (NULL argument, tag or name not a
 *         token), PHONESEC_E_PARSE or PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_msg_add_tag(const char *msg, size_t len, const char *name,
                                                                     const char *tag, char *out, size_t out_cap,
                                                                     size_t *out_len, int *changed);

/**
 * \brief Remove an option tag from every header called `name` (ignoring
 *        case); a header left without any tag is removed. Headers without
 *        the tag are copied unchanged; one that had it is rewritten as
 *        `Name: a, b` (its name spelled as before).
 * \param changed set to 1 when the tag was found, else 0; may be NULL
 * \param msg SIP message text (start line, headers, empty line, body)
 * \param len its length in bytes
 * \param name header name (or its compact form)
 * \param tag option tag
 * \param out output buffer
 * \param out_cap its size
 * \param out_len set to the length written, or needed on PHONESEC_E_BUFFER_SMALL
 * \return PHONESEC_OK, PHONESEC_E_INVAL (NULL argument, tag or name not a
 *         token), PHONESEC_E_PARSE or PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_msg_remove_tag(const char *msg, size_t len, const char *name,
                                                                        const char *tag, char *out, size_t out_cap,
                                                                        size_t *out_len, int *changed);
/** @} */

/* ---------------------------------------------------------------------- */
/* Negotiation */

/** Option tag of RFC 3329. */
#define PHONESEC_MEDIASEC_TAG_SEC_AGREE (1u << 0)
/** Option tag `mediasec` as Deutsche Telekom and Asterisk send it. */
#define PHONESEC_MEDIASEC_TAG_MEDIASEC (1u << 1)

/** What a missing Security-Server or a 420 does. */
#define PHONESEC_MEDIASEC_OPPORTUNISTIC 0 /**< go on without MediaSec */
#define PHONESEC_MEDIASEC_MANDATORY 1     /**< fail the registration */

/** Version of phonesec_mediasec_config understood by this header. */
#define PHONESEC_MEDIASEC_CONFIG_VERSION 1

/**
 * \brief Per-line MediaSec policy (the phone's "MediaSec Request" and
 *        "MediaSec Over TLS Only" settings, plus a downgrade policy).
 */
typedef struct phonesec_mediasec_config {
    unsigned version; /**< PHONESEC_MEDIASEC_CONFIG_VERSION */
    /** 1: client-initiated ("MediaSec Request = Yes": Security-Client in
     *  REGISTER); 0 (default): server-initiated (wait for Security-Server). */
    int client_initiated;
    /** 1: negotiate only when the flow is TLS ("MediaSec Over TLS Only"). */
    int tls_only;
    /** PHONESEC_MEDIASEC_OPPORTUNISTIC (default) or _MANDATORY. */
    int policy;
    /** Security-Client value (a mechanism list, e.g. "sdes-srtp;mediasec");
     *  NULL: "sdes-srtp;mediasec". Copied at phonesec_mediasec_new(). */
    const char *client_mechanisms;
    /** Option tags put into Require and Proxy-Require of requests carrying
     *  Security-Client or Security-Verify: PHONESEC_MEDIASEC_TAG_* bits;
     *  0 means PHONESEC_MEDIASEC_TAG_SEC_AGREE | PHONESEC_MEDIASEC_TAG_MEDIASEC
     *  when any client mechanism carries `mediasec`, else _SEC_AGREE. */
    unsigned option_tags;
    /** How Security-Verify (and Security-Client) lines are written:
     *  PHONESEC_MEDIASEC_STYLE_SINGLE (one comma list) or _PER_MECH (one
     *  header per mechanism, as Deutsche Telekom sends Security-Server);
     *  0 means _PER_MECH. */
    int header_style;
} phonesec_mediasec_config;

/** Static initialiser with the defaults. */
#define PHONESEC_MEDIASEC_CONFIG_INIT { PHONESEC_MEDIASEC_CONFIG_VERSION, 0, 0, PHONESEC_MEDIASEC_OPPORTUNISTIC, NULL, 0u, 0 }

/** \brief Fill *c with the defaults (same as PHONESEC_MEDIASEC_CONFIG_INIT). */
PHONESEC_API void phonesec_mediasec_config_init(phonesec_mediasec_config *c);

/** \name Negotiation states (phonesec_mediasec_state())
 * @{ */
#define PHONESEC_MEDIASEC_ST_OFF 0      /**< not negotiating on this flow (policy, fallback) */
#define PHONESEC_MEDIASEC_ST_PENDING 1  /**< waiting for the server's Security-Server */
#define PHONESEC_MEDIASEC_ST_AGREED 2   /**< server list stored; requests carry Security-Verify */
#define PHONESEC_MEDIASEC_ST_FAILED 3   /**< mandatory policy refused the flow; reset to retry */
/** @} */

/** One registration flow's negotiation. */
typedef struct phonesec_mediasec phonesec_mediasec;

/**
 * \brief Create a negotiation for one registration; the flow starts as
 *        non-TLS until phonesec_mediasec_reset() says otherwise.
 * \return PHONESEC_OK, PHONESEC_E_INVAL (NULL, unknown version or policy),
 *         PHONESEC_E_PARSE (client_mechanisms malformed) or PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_new(const phonesec_mediasec_config *cfg,
                                                             phonesec_mediasec **out);

/** \brief Free; NULL is a no-op. */
PHONESEC_API void phonesec_mediasec_free(phonesec_mediasec *ms);

/**
 * \brief Start over on a new flow (a new connection, e.g. after the
 *        persistent TLS flow was re-established): forget the server list.
 * \param flow_is_tls 1 when the new flow is SIP over TLS
 * \param ms the negotiation state
 * \return PHONESEC_OK or PHONESEC_E_INVAL
 */
PHONESEC_API int phonesec_mediasec_reset(phonesec_mediasec *ms, int flow_is_tls);

/**
 * \brief Current negotiation state.
 * \return a PHONESEC_MEDIASEC_ST_* value, or PHONESEC_E_INVAL for NULL
 */
PHONESEC_API int phonesec_mediasec_state(const phonesec_mediasec *ms);

/**
 * \brief Decorate an outgoing request (raw text) for this flow.
 *
 * Any Security-Client / Security-Verify already in the message is replaced,
 * so each appears exactly once: Security-Client on REGISTER while
 * client-initiated negotiation is on (also after a 401/407); Security-Verify,
 * equal to the stored server list, on every request once agreed (RFC 3329
 * §2.3.1: all subsequent requests to that server: REGISTER, INVITE,
 * in-dialog requests, OPTIONS, ACK, CANCEL); the option tags merged into
 * Require and Proxy-Require. With the state OFF (policy or fallback) any
 * Security-Client and Security-Verify and the sec-agree / mediasec tags are
 * taken out, so a request resent after a 420 no longer asks for them.
 * \return PHONESEC_OK, PHONESEC_E_INVAL, PHONESEC_E_PARSE (not a request),
 *         PHONESEC_E_STATE (state FAILED), PHONESEC_E_POLICY (mandatory
 *         policy on a non-TLS flow with tls_only; state becomes FAILED) or
 *         PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_prepare_request(phonesec_mediasec *ms, const char *msg,
                                                                         size_t len, char *out, size_t out_cap,
                                                                         size_t *out_len);

/**
 * \brief The header lines a request needs (for stacks with their own
 *        parser): Security-Client and/or Security-Verify lines in the given
 *        style, CRLF-terminated; empty when none is needed. Option tags are
 *        given by phonesec_mediasec_option_tags().
 * \param method request method, e.g. "REGISTER"
 * \param style  PHONESEC_MEDIASEC_STYLE_SINGLE or _PER_MECH
 * \param ms the negotiation state
 * \param out output buffer
 * \param out_cap its size
 * \param out_len set to the length written, or needed on PHONESEC_E_BUFFER_SMALL
 * \return PHONESEC_OK, PHONESEC_E_INVAL, PHONESEC_E_STATE, PHONESEC_E_POLICY
 *         or PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_request_headers(phonesec_mediasec *ms, const char *method,
                                                                         int style, char *out, size_t out_cap,
                                                                         size_t *out_len);

/**
 * \brief Option tags (PHONESEC_MEDIASEC_TAG_* bits) to put in Require and
 *        Proxy-Require of a request with this method; 0 when none.
 */
PHONESEC_API unsigned phonesec_mediasec_option_tags(const phonesec_mediasec *ms, const char *method);

/**
 * \brief Read a response received on this flow.
 *
 * A Security-Server list in a 401, 407, 421, 494 or 2xx replaces the stored
 * one (never accumulates) and the state becomes AGREED. A 2xx to REGISTER
 * while still PENDING: opportunistic policy turns negotiation OFF; mandatory
 * policy fails. A 420 whose Unsupported lists sec-agree or mediasec:
 * opportunistic turns OFF (resend without), mandatory fails. Other responses
 * change nothing.
 * \return PHONESEC_OK; PHONESEC_E_POLICY (mandatory policy refused: the
 *         registration must fail; state FAILED); PHONESEC_E_PARSE (not a
 *         response, or a malformed Security-Server: nothing stored;
 *         mandatory policy also fails); PHONESEC_E_INVAL; PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_mediasec_on_response(phonesec_mediasec *ms, const char *msg,
                                                                     size_t len);

/**
 * \brief The stored server list (what Security-Verify carries), or NULL
 *        when none. Owned by ms; valid until the next call changing ms.
 */
PHONESEC_API const phonesec_mediasec_list *phonesec_mediasec_server_list(const phonesec_mediasec *ms);

/** \name Media policy bits (phonesec_mediasec_media_policy())
 * @{ */
/** sdes-srtp was agreed: SDES/SRTP is mandatory for calls on this line. */
#define PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED (1u << 0)
/** Offers must carry PHONESEC_MEDIASEC_SDP_REQUESTED. */
#define PHONESEC_MEDIASEC_MEDIA_3GE2AE (1u << 1)
/** @} */

/** SDP attribute line an offer carries when sdes-srtp is agreed. */
#define PHONESEC_MEDIASEC_SDP_REQUESTED "a=3ge2ae:requested"

/**
 * \brief What the SDES layer must do for calls on this line: a bit set of
 *        PHONESEC_MEDIASEC_MEDIA_*; 0 when nothing is agreed or for NULL.
 *
 * sdes-srtp counts as agreed when the stored server list has it and, in
 * client-initiated mode, the Security-Client list offered it too.
 */
PHONESEC_API unsigned phonesec_mediasec_media_policy(const phonesec_mediasec *ms);

/** \name a=3ge2ae values (phonesec_mediasec_sdp_3ge2ae())
 * @{ */
#define PHONESEC_MEDIASEC_3GE2AE_REQUESTED 1 /**< a=3ge2ae:requested */
#define PHONESEC_MEDIASEC_3GE2AE_APPLIED 2 /**< a=3ge2ae:applied */
/** @} */

/**
 * \brief Find `a=3ge2ae:` in an SDP body (first occurrence).
 * \param value set to PHONESEC_MEDIASEC_3GE2AE_REQUESTED or _APPLIED
 * \param sdp SDP body text
 * \param len its length in bytes
 * \return PHONESEC_OK, PHONESEC_E_NOT_FOUND, PHONESEC_E_INVAL or
 *         PHONESEC_E_PARSE (another value)
 */
PHONESEC_API int phonesec_mediasec_sdp_3ge2ae(const char *sdp, size_t len, int *value);

/**
 * \brief Server side: check a received request against the Security-Server
 *        list we sent (RFC 3329 §2.3.1).
 *
 * The request passes (status 0) when its Security-Verify list equals
 * `sent` (phonesec_mediasec_list_equal()), or when it carries neither
 * Security-Verify nor Security-Client nor sec-agree in Require /
 * Proxy-Require (no negotiation asked for; the caller decides whether to
 * insist). Otherwise status is 494 (Security Agreement Required): missing,
 * mismatched or malformed Security-Verify.
 * \param status set to 0 or 494
 * \param sent the list we sent
 * \param msg SIP message text (start line, headers, empty line, body)
 * \param len its length in bytes
 * \return PHONESEC_OK (status set), PHONESEC_E_INVAL or PHONESEC_E_PARSE
 *         (malformed message framing)
 */
PHONESEC_API int phonesec_mediasec_server_check(const phonesec_mediasec_list *sent, const char *msg, size_t len,
                                                int *status);

/**
 * \brief Detail of the last error on this negotiation ("" when none).
 * \return PHONESEC_OK or PHONESEC_E_INVAL
 */
PHONESEC_API int phonesec_mediasec_last_error(const phonesec_mediasec *ms, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_MEDIASEC_H */
