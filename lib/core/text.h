/*
 * libphonesec - core text layer: the one place that reads protocol text.
 * Never installed.
 *
 *   SIP (RFC 3261 §7.3): header section framing (start line, header lines,
 *   folding, the empty line), header names with compact forms, and inside a
 *   value: linear white space, tokens, quoted strings, parameter values and
 *   comma lists.
 *   SDP (RFC 4566 §5): line reading (CRLF or LF), the "<type>=" check and
 *   attribute names.
 *   Streaming base64 (RFC 4648 §4): encoder with line wrapping and a
 *   decoder that skips white space, both fed in pieces.
 *   One bounded string builder that counts what it would need.
 *
 * Modules keep the grammar of their own values (a=crypto, RFC 3329
 * mechanism parameters); how text is cut into lines, headers, tokens,
 * quoted strings and list entries is decided here only. Pure functions on
 * caller memory: no allocation, no I/O.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_CORE_TEXT_H
#define PHONESEC_CORE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"

/* ---- characters ------------------------------------------------------ */

/* RFC 3261 token characters: alphanum and - . ! % * _ + ` ' ~ */
PHONESEC__INTERNAL extern const unsigned char phonesec__text_tchar[256];
#define phonesec__text_is_tchar(c) (phonesec__text_tchar[(unsigned char)(c)] != 0)
#define phonesec__text_is_wsp(c) ((c) == ' ' || (c) == '\t')
/* 1 when s[0..n) is a non-empty token. */
PHONESEC__INTERNAL int phonesec__text_is_token(const char *s, size_t n);

/* ---- bounded string builder ------------------------------------------ */

/* Writes into out[0..cap) while it fits and counts every byte asked for:
 * run once with out NULL to learn the size, then again into a buffer of
 * len + 1 bytes. Bytes that do not fit are dropped, never written past cap. */
typedef struct phonesec__sb {
    char *out;
    size_t cap;
    size_t len;
} phonesec__sb;
PHONESEC__INTERNAL void phonesec__sb_put(phonesec__sb *b, const char *s, size_t n);
PHONESEC__INTERNAL void phonesec__sb_str(phonesec__sb *b, const char *s);
/* 1 when everything asked for so far fits with a terminating NUL. */
PHONESEC__INTERNAL int phonesec__sb_fits(const phonesec__sb *b);

/* ---- SIP header section ---------------------------------------------- */

/* Layout of a message: the first header line, the empty line ending the
 * header section and the line end style of the start line. */
typedef struct phonesec__sip_msg {
    const char *p;
    size_t len;
    size_t hdr_start; /* first header line */
    size_t hdr_end;   /* offset of the empty line ending the headers */
    const char *eol;  /* "\r\n" or "\n" */
} phonesec__sip_msg;

/* One header field (a line and its continuation lines). */
typedef struct phonesec__sip_hdr {
    size_t line_off; /* start of the header line (the name) */
    size_t name_len; /* the name: a token */
    size_t line_end; /* one past the line end of the last continuation line */
    size_t val_off;  /* value span (after colon, white space and folds) */
    size_t val_len;  /* trailing white space and empty folds removed */
    size_t eol_off;  /* offset of the line end of the last line (CR or LF) */
} phonesec__sip_hdr;

/* PHONESEC_OK, or PHONESEC_E_PARSE: empty, no start line, start line begins
 * with white space, or no empty line ending the header section. */
PHONESEC__INTERNAL int phonesec__sip_open(phonesec__sip_msg *m, const char *msg, size_t len);
/* Next header at or after *pos whose name designates `name` (full or
 * compact form, any case; NULL: every header). 1 found (*pos moves past
 * it), 0 no more, PHONESEC_E_PARSE for a line that is not "token: value"
 * or a continuation line without a header. */
PHONESEC__INTERNAL int phonesec__sip_next(const phonesec__sip_msg *m, size_t *pos, const char *name,
                                          phonesec__sip_hdr *h);
/* Does header name s[0..n) designate `name`? Case-insensitive; the
 * one-letter compact forms of RFC 3261 §7.3.3 and later RFCs count. */
PHONESEC__INTERNAL int phonesec__sip_name_is(const char *s, size_t n, const char *name);

/* ---- inside a SIP header value --------------------------------------- */

/* A cursor over a value; failures are written to *err with the offset. */
typedef struct phonesec__text_rd {
    const char *s;
    size_t n, i;
    phonesec__err *err;
} phonesec__text_rd;

/* LWS: SP/HT, and a line end (CRLF or LF) only when SP/HT follows it (a
 * fold). 0, or PHONESEC_E_PARSE (bare CR, line break that is no fold). */
PHONESEC__INTERNAL int phonesec__text_skip_lws(phonesec__text_rd *r);
/* Token at the cursor: its length (0: none), the cursor moves past it. */
PHONESEC__INTERNAL size_t phonesec__text_token(phonesec__text_rd *r);
/* A parameter value at the cursor: quoted-string (quotes included, folds
 * inside kept raw), IPv6 reference "[...]" or token. *vs, *vn: the span;
 * *quoted: 1 for a quoted string. 0 or PHONESEC_E_PARSE (unterminated
 * quote, bad quoted pair or \NUL, control character or DEL in quotes, bad
 * IPv6 reference, no value). */
PHONESEC__INTERNAL int phonesec__text_param_value(phonesec__text_rd *r, size_t *vs, size_t *vn, int *quoted);
/* What is at the cursor, for error texts: "'c'", "byte 0xNN" or
 * "end of value" (buf: 12 bytes). */
PHONESEC__INTERNAL const char *phonesec__text_show(const phonesec__text_rd *r, char buf[12]);

/* Comma lists of tokens (Require, Supported, ...): entry [*st, *e) of
 * s[0..n) from index i on, white space and folds trimmed; returns the index
 * after the comma (n + 1 after the last entry). */
PHONESEC__INTERNAL size_t phonesec__text_list_next(const char *s, size_t n, size_t i, size_t *st, size_t *e);
/* Is tag (case-insensitive) one of the entries of s[0..n)? */
PHONESEC__INTERNAL int phonesec__text_list_has(const char *s, size_t n, const char *tag);

/* ---- SDP lines --------------------------------------------------------- */

typedef struct phonesec__text_line {
    size_t off, len; /* the line without its line end */
    unsigned eol;    /* 0 (last line without one), 1 (LF) or 2 (CRLF) */
} phonesec__text_line;

/* Next line of text[0..len) at *pos (CRLF or LF): 1 and *pos past it, 0 at
 * the end. Blank lines are returned too (len 0). */
PHONESEC__INTERNAL int phonesec__text_line_next(const char *text, size_t len, size_t *pos, phonesec__text_line *ln);
/* 1 when l[0..n) is an SDP line: "<a-z>=" and no NUL or CR inside. */
PHONESEC__INTERNAL int phonesec__text_sdp_line_ok(const char *l, size_t n);
/* 1 when l[0..n) is "a=<name>" or "a=<name>:..." (name in any case);
 * *val and *vlen (may be NULL) get what follows the colon, trailing white
 * space removed (empty without a colon). */
PHONESEC__INTERNAL int phonesec__text_sdp_attr(const char *l, size_t n, const char *name, const char **val,
                                               size_t *vlen);

/* ---- streaming base64 (RFC 4648 §4, standard alphabet) ---------------- */

typedef struct phonesec__b64_enc {
    uint32_t acc;
    unsigned n, col;
    unsigned wrap; /* characters per line (a multiple of 4), 0: one line */
} phonesec__b64_enc;
/* Encode in[0..n) into b; phonesec__b64_enc_final() writes the last group
 * with '=' padding and ends a started line. */
PHONESEC__INTERNAL void phonesec__b64_enc_init(phonesec__b64_enc *e, unsigned wrap);
PHONESEC__INTERNAL void phonesec__b64_enc_update(phonesec__b64_enc *e, const uint8_t *in, size_t n, phonesec__sb *b);
PHONESEC__INTERNAL void phonesec__b64_enc_final(phonesec__b64_enc *e, phonesec__sb *b);

typedef struct phonesec__b64_dec {
    uint32_t acc;
    unsigned n, pad;
} phonesec__b64_dec;
/* Decode in[0..n): white space (SP, HT, CR, LF) is skipped, '=' only at
 * the end of a group. Writes at most 3 * (n / 4 + 1) bytes to out (*out_n).
 * 0, or PHONESEC_E_PARSE with a static text in *why. */
PHONESEC__INTERNAL void phonesec__b64_dec_init(phonesec__b64_dec *d);
PHONESEC__INTERNAL int phonesec__b64_dec_update(phonesec__b64_dec *d, const char *in, size_t n, uint8_t *out,
                                                size_t *out_n, const char **why);
/* The last 1 or 2 bytes (out: 2 bytes): 0, PHONESEC_E_PARSE (padding,
 * non-zero trailing bits) or PHONESEC_E_TRUNCATED (one character left). */
PHONESEC__INTERNAL int phonesec__b64_dec_final(phonesec__b64_dec *d, uint8_t *out, size_t *out_n, const char **why);

#endif
