/* SPDX-License-Identifier: MIT
 * Internal interface between the files of the sdes module. */
#ifndef PHONESEC_SDES_INTERNAL_H
#define PHONESEC_SDES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "phonesec/sdes.h"

/* 1 for the _32 suites. */
PHONESEC__INTERNAL int phonesec__sdes_suite_is_32(int suite);
/* PHONESEC_OK when phonesec_srtp_new() can run the suite with the linked
 * libsrtp2 (phonesec_srtp_suite_supported()), else PHONESEC_E_UNSUPPORTED;
 * *code (may be NULL) gets phonesec_srtp_suite_supported()'s result. */
PHONESEC__INTERNAL int phonesec__sdes_suite_runs(int suite, int *code);
/* Why a suite cannot be run (static text; code from phonesec__sdes_suite_runs). */
PHONESEC__INTERNAL const char *phonesec__sdes_suite_not_run_reason(int suite, int code);
/* 1 when keys with an MKI work for a line of this suite and these
 * PHONESEC_SRTP_F_* flags under `allow` (PHONESEC_SDES_SRTCP_TAG32_COMPAT):
 * libsrtp2 needs the SRTP and SRTCP tags to be of equal length. */
PHONESEC__INTERNAL int phonesec__sdes_mki_usable(int suite, unsigned flags, unsigned allow);
/* Only the tag of a line (for duplicate detection on lines that fail). */
PHONESEC__INTERNAL int phonesec__sdes_parse_tag(const char *line, size_t len, uint32_t *tag);
/* Parse into caller storage (no allocation); wiped on failure. */
PHONESEC__INTERNAL int phonesec__sdes_crypto_parse_into(const char *line, size_t len, phonesec_sdes_crypto *c,
                                                        char *why, size_t cap);
/* Replace c->text by the canonical form of the fields. */
PHONESEC__INTERNAL int phonesec__sdes_crypto_render(phonesec_sdes_crypto *c);

/* ---- SDP scanner (sdp.c) ---- */
#define PHONESEC__SDP_MAX_LINES 8192
#define PHONESEC__SDP_MAX_MEDIA 64
#define PHONESEC__SDP_OTHER 0
#define PHONESEC__SDP_AVP 1
#define PHONESEC__SDP_AVPF 2
#define PHONESEC__SDP_SAVP 3
#define PHONESEC__SDP_SAVPF 4

typedef struct phonesec__sdp_line {
    size_t off, len; /* without the line ending */
} phonesec__sdp_line;

typedef struct phonesec__sdp_media {
    size_t first, end;           /* lines [first, end): first is the m= line */
    size_t media_off, media_len; /* offsets inside the m= line */
    size_t port_off, port_len;   /* port, with any "/n" */
    size_t proto_off, proto_len;
    unsigned port;
    int kind;                    /* PHONESEC__SDP_* */
} phonesec__sdp_media;

typedef struct phonesec__sdp {
    const char *text;
    phonesec__sdp_line *lines;
    size_t n_lines;
    phonesec__sdp_media *media;
    size_t n_media;
    int crlf;                    /* line ending style of the input (default CRLF) */
    int limit;                   /* after PHONESEC_E_LIMIT: PHONESEC__SDP_LIMIT_* */
} phonesec__sdp;

#define PHONESEC__SDP_LIMIT_LINES 1
#define PHONESEC__SDP_LIMIT_MEDIA 2

/* PHONESEC_OK, _E_PARSE (not SDP lines), _E_LIMIT (s->limit says which),
 * _E_NOMEM. Text is borrowed. */
PHONESEC__INTERNAL int phonesec__sdp_scan(const char *text, size_t len, phonesec__sdp *s);
PHONESEC__INTERNAL void phonesec__sdp_free(phonesec__sdp *s);
PHONESEC__INTERNAL const char *phonesec__sdp_line_text(const phonesec__sdp *s, size_t i, size_t *len);
/* 1 when line i is "a=<name>" or "a=<name>:..." */
PHONESEC__INTERNAL int phonesec__sdp_is_attr(const phonesec__sdp *s, size_t i, const char *name);

/* Growable text buffer through the allocator hook (wiped when freed). */
typedef struct phonesec__dbuf {
    char *p;
    size_t len, cap;
    int failed;
} phonesec__dbuf;
PHONESEC__INTERNAL void phonesec__dbuf_add(phonesec__dbuf *b, const char *s, size_t n);
PHONESEC__INTERNAL void phonesec__dbuf_str(phonesec__dbuf *b, const char *s);
PHONESEC__INTERNAL void phonesec__dbuf_free(phonesec__dbuf *b);
/* Copy out: PHONESEC_OK, _E_NOMEM (an add failed), _E_BUFFER_SMALL. */
PHONESEC__INTERNAL int phonesec__dbuf_out(const phonesec__dbuf *b, char *out, size_t cap, size_t *out_len);

#endif
