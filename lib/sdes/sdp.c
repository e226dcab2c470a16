/* SPDX-License-Identifier: MIT
 * A small SDP scanner: lines, m= sections and their a=crypto lines, on text
 * with CRLF or LF line endings; and a growable output buffer. Lines and
 * attribute names are read by the core text layer (core/text.h). */
#include <string.h>

#include "core/text.h"
#include "sdes/sdes_internal.h"

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

void phonesec__sdp_free(phonesec__sdp *s)
{
    if (s == NULL)
        return;
    phonesec__free(s->lines);
    phonesec__free(s->media);
    memset(s, 0, sizeof *s);
}

static int proto_kind(const char *p, size_t n)
{
    if (n == 7 && phonesec__strncaseeq(p, "RTP/AVP", 7))
        return PHONESEC__SDP_AVP;
    if (n == 8 && phonesec__strncaseeq(p, "RTP/AVPF", 8))
        return PHONESEC__SDP_AVPF;
    if (n == 8 && phonesec__strncaseeq(p, "RTP/SAVP", 8))
        return PHONESEC__SDP_SAVP;
    if (n == 9 && phonesec__strncaseeq(p, "RTP/SAVPF", 9))
        return PHONESEC__SDP_SAVPF;
    return PHONESEC__SDP_OTHER;
}

/* "m=<media> <port>[/<n>] <proto> <fmt> ..." */
static int scan_mline(const char *l, size_t n, phonesec__sdp_media *m)
{
    const char *p = l + 2, *e = l + n, *q;
    unsigned long port = 0;

    for (q = p; q < e && *q != ' '; q++)
        ;
    if (q == p || q == e)
        return PHONESEC_E_PARSE;
    m->media_off = (size_t)(p - l);
    m->media_len = (size_t)(q - p);
    p = q + 1;
    for (q = p; q < e && is_digit(*q); q++) {
        port = port * 10 + (unsigned long)(*q - '0');
        if (port > 65535)
            return PHONESEC_E_PARSE;
    }
    if (q == p)
        return PHONESEC_E_PARSE;
    m->port = (unsigned)port;
    m->port_off = (size_t)(p - l);
    if (q < e && *q == '/') {
        for (q++; q < e && is_digit(*q); q++)
            ;
    }
    m->port_len = (size_t)(q - l) - m->port_off;
    if (q == e || *q != ' ')
        return PHONESEC_E_PARSE;
    p = q + 1;
    for (q = p; q < e && *q != ' '; q++)
        ;
    if (q == p)
        return PHONESEC_E_PARSE;
    m->proto_off = (size_t)(p - l);
    m->proto_len = (size_t)(q - p);
    m->kind = proto_kind(p, m->proto_len);
    return PHONESEC_OK;
}

int phonesec__sdp_scan(const char *text, size_t len, phonesec__sdp *s)
{
    phonesec__text_line tl;
    size_t pos = 0, cap = 0, mcap = 0;
    int rc = PHONESEC_OK, limit = 0;

    memset(s, 0, sizeof *s);
    s->text = text;
    s->crlf = -1;
    while (phonesec__text_line_next(text, len, &pos, &tl) == 1) {
        size_t n = tl.len;
        phonesec__sdp_line *ln;

        if (s->crlf < 0 && tl.eol > 0)
            s->crlf = tl.eol == 2;
        if (n == 0) /* blank line: tolerated, dropped */
            continue;
        if (!phonesec__text_sdp_line_ok(text + tl.off, n)) {
            rc = PHONESEC_E_PARSE;
            break;
        }
        if (s->n_lines == cap) {
            size_t nc = cap ? cap * 2 : 32;
            phonesec__sdp_line *nlines;
            if (nc > PHONESEC__SDP_MAX_LINES + 1)
                nc = PHONESEC__SDP_MAX_LINES + 1;
            if (s->n_lines >= PHONESEC__SDP_MAX_LINES) {
                rc = PHONESEC_E_LIMIT;
                limit = PHONESEC__SDP_LIMIT_LINES;
                break;
            }
            nlines = phonesec__realloc(s->lines, nc * sizeof *nlines);
            if (nlines == NULL) {
                rc = PHONESEC_E_NOMEM;
                break;
            }
            s->lines = nlines;
            cap = nc;
        }
        ln = &s->lines[s->n_lines];
        ln->off = tl.off;
        ln->len = n;
        if (text[tl.off] == 'm') {
            phonesec__sdp_media *m;
            if (s->n_media == PHONESEC__SDP_MAX_MEDIA) {
                rc = PHONESEC_E_LIMIT;
                limit = PHONESEC__SDP_LIMIT_MEDIA;
                break;
            }
            if (s->n_media == mcap) {
                size_t nc = mcap ? mcap * 2 : 4;
                phonesec__sdp_media *nm = phonesec__realloc(s->media, nc * sizeof *nm);
                if (nm == NULL) {
                    rc = PHONESEC_E_NOMEM;
                    break;
                }
                s->media = nm;
                mcap = nc;
            }
            m = &s->media[s->n_media];
            memset(m, 0, sizeof *m);
            rc = scan_mline(text + tl.off, n, m);
            if (rc != PHONESEC_OK)
                break;
            m->first = s->n_lines;
            if (s->n_media > 0)
                s->media[s->n_media - 1].end = s->n_lines;
            s->n_media++;
        }
        s->n_lines++;
    }
    if (rc == PHONESEC_OK && s->n_lines == 0)
        rc = PHONESEC_E_PARSE;
    if (rc != PHONESEC_OK) {
        phonesec__sdp_free(s);
        s->limit = limit;
        return rc;
    }
    if (s->n_media > 0)
        s->media[s->n_media - 1].end = s->n_lines;
    if (s->crlf < 0)
        s->crlf = 1;
    return PHONESEC_OK;
}

const char *phonesec__sdp_line_text(const phonesec__sdp *s, size_t i, size_t *len)
{
    *len = s->lines[i].len;
    return s->text + s->lines[i].off;
}

int phonesec__sdp_is_attr(const phonesec__sdp *s, size_t i, const char *name)
{
    size_t n;
    const char *l = phonesec__sdp_line_text(s, i, &n);
    return phonesec__text_sdp_attr(l, n, name, NULL, NULL);
}

/* ---------------- output buffer ---------------- */

void phonesec__dbuf_add(phonesec__dbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap : 256;
        char *np;
        while (nc < b->len + n + 1)
            nc *= 2;
        np = phonesec__malloc(nc);
        if (np == NULL) {
            b->failed = 1;
            return;
        }
        if (b->p) {
            memcpy(np, b->p, b->len);
            phonesec__free_secret(b->p, b->cap);
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void phonesec__dbuf_str(phonesec__dbuf *b, const char *s)
{
    phonesec__dbuf_add(b, s, strlen(s));
}

void phonesec__dbuf_free(phonesec__dbuf *b)
{
    if (b->p)
        phonesec__free_secret(b->p, b->cap);
    memset(b, 0, sizeof *b);
}

int phonesec__dbuf_out(const phonesec__dbuf *b, char *out, size_t cap, size_t *out_len)
{
    if (b->failed)
        return PHONESEC_E_NOMEM;
    *out_len = b->len;
    if (b->len + 1 > cap)
        return PHONESEC_E_BUFFER_SMALL;
    if (b->len)
        memcpy(out, b->p, b->len);
    out[b->len] = '\0';
    return PHONESEC_OK;
}
