/*
 * libphonesec - mediasec internals shared by its source files. Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_MEDIASEC_INT_H
#define PHONESEC_MEDIASEC_INT_H

#include <stddef.h>

#include "core/internal.h"
#include "phonesec/mediasec.h"

/* One header field found in a raw message. */
typedef struct phonesec__mediasec_hdr {
    size_t line_off;  /* start of the header line */
    size_t line_end;  /* one past the line end of the last continuation line */
    size_t val_off;   /* value span (after colon and white space) */
    size_t val_len;   /* trailing white space removed */
    size_t eol_off;   /* offset of the line end of the last line (CR or LF) */
} phonesec__mediasec_hdr;

/* Layout of a message: end of the start line and where the header section
 * ends (offset of the empty line) and the line end style. */
typedef struct phonesec__mediasec_msg {
    const char *p;
    size_t len;
    size_t hdr_start; /* first header line */
    size_t hdr_end;   /* offset of the empty line ending the headers */
    const char *eol;  /* "\r\n" or "\n" */
} phonesec__mediasec_msg;

/* RFC 3261 token characters (1 for alphanum and - . ! % * _ + ` ' ~). */
PHONESEC__INTERNAL extern const unsigned char phonesec__mediasec_tchar[256];
#define phonesec__mediasec_is_tchar(c) (phonesec__mediasec_tchar[(unsigned char)(c)] != 0)
PHONESEC__INTERNAL int phonesec__mediasec_is_token(const char *s, size_t n);
PHONESEC__INTERNAL int phonesec__mediasec_msg_open(phonesec__mediasec_msg *m, const char *msg, size_t len);
/* Next header at or after *pos matching name (NULL: any); returns 1 found, 0 end. */
PHONESEC__INTERNAL int phonesec__mediasec_msg_next(const phonesec__mediasec_msg *m, size_t *pos, const char *name,
                                                   phonesec__mediasec_hdr *h);
/* Bounded text builder: counts the needed size even when it does not fit. */
typedef struct phonesec__mediasec_sb {
    char *out;
    size_t cap;
    size_t len;
} phonesec__mediasec_sb;
PHONESEC__INTERNAL void phonesec__mediasec_sb_put(phonesec__mediasec_sb *b, const char *s, size_t n);
PHONESEC__INTERNAL void phonesec__mediasec_sb_str(phonesec__mediasec_sb *b, const char *s);
/* Is tag (a token) one of the comma-separated entries of s[0..n)? */
PHONESEC__INTERNAL int phonesec__mediasec_list_has(const char *s, size_t n, const char *tag);
/* The list's last error detail without the strerror prefix. */
PHONESEC__INTERNAL const char *phonesec__mediasec_list_detail(const phonesec_mediasec_list *l);
/* Print into a builder (style/header as phonesec_mediasec_list_print). */
PHONESEC__INTERNAL void phonesec__mediasec_list_put(const phonesec_mediasec_list *l, const char *header, int style,
                                                   const char *eol, phonesec__mediasec_sb *b);

#endif
