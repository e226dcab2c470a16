/*
 * libphonesec - mediasec: raw SIP message text helpers (find, insert,
 * replace, remove header fields; option tags). Every byte not edited is
 * copied unchanged.
 * Framing (header lines, folds, names and compact forms, comma lists) is
 * read by the core text layer (core/text.h).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "mediasec/mediasec_int.h"

static int check_name(const char *name)
{
    return name != NULL && phonesec__text_is_token(name, strlen(name));
}

int phonesec_mediasec_msg_find(const char *msg, size_t len, const char *name, size_t nth, size_t *val_off,
                               size_t *val_len)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    size_t pos, k = 0;
    int rc;
    if (msg == NULL || !check_name(name) || val_off == NULL || val_len == NULL)
        return PHONESEC_E_INVAL;
    if ((rc = phonesec__sip_open(&m, msg, len)) != 0)
        return rc;
    pos = m.hdr_start;
    while ((rc = phonesec__sip_next(&m, &pos, name, &h)) == 1) {
        if (k++ == nth) {
            *val_off = h.val_off;
            *val_len = h.val_len;
            return PHONESEC_OK;
        }
    }
    return rc < 0 ? rc : PHONESEC_E_NOT_FOUND;
}

int phonesec_mediasec_msg_count(const char *msg, size_t len, const char *name, size_t *count)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    size_t pos, k = 0;
    int rc;
    if (msg == NULL || !check_name(name) || count == NULL)
        return PHONESEC_E_INVAL;
    if ((rc = phonesec__sip_open(&m, msg, len)) != 0)
        return rc;
    pos = m.hdr_start;
    while ((rc = phonesec__sip_next(&m, &pos, name, &h)) == 1)
        k++;
    if (rc < 0)
        return rc;
    *count = k;
    return PHONESEC_OK;
}

int phonesec_mediasec_msg_status(const char *msg, size_t len, int *status)
{
    if (msg == NULL || status == NULL)
        return PHONESEC_E_INVAL;
    if (len < 12 || memcmp(msg, "SIP/2.0 ", 8) != 0 || msg[8] < '1' || msg[8] > '6' || msg[9] < '0' ||
        msg[9] > '9' || msg[10] < '0' || msg[10] > '9' || (msg[11] != ' ' && msg[11] != '\r' && msg[11] != '\n'))
        return PHONESEC_E_PARSE;
    *status = (msg[8] - '0') * 100 + (msg[9] - '0') * 10 + (msg[10] - '0');
    return PHONESEC_OK;
}

int phonesec_mediasec_msg_method(const char *msg, size_t len, char *method, size_t cap)
{
    phonesec__sip_msg m;
    const char *s;
    size_t n = 0, vo, vl;
    int rc, st;
    if (msg == NULL || method == NULL)
        return PHONESEC_E_INVAL;
    if ((rc = phonesec__sip_open(&m, msg, len)) != 0)
        return rc;
    if (phonesec_mediasec_msg_status(msg, len, &st) == PHONESEC_OK) {
        /* CSeq: 1*DIGIT LWS Method */
        if ((rc = phonesec_mediasec_msg_find(msg, len, "CSeq", 0, &vo, &vl)) != 0)
            return rc == PHONESEC_E_NOT_FOUND ? PHONESEC_E_PARSE : rc;
        s = msg + vo;
        while (n < vl && s[n] >= '0' && s[n] <= '9')
            n++;
        if (n == 0 || n >= vl || !phonesec__text_is_wsp(s[n]))
            return PHONESEC_E_PARSE;
        while (n < vl && phonesec__text_is_wsp(s[n]))
            n++;
        s += n;
        vl -= n;
        n = 0;
        while (n < vl && phonesec__text_is_tchar((unsigned char)s[n]))
            n++;
        if (n == 0 || n != vl)
            return PHONESEC_E_PARSE;
    } else {
        s = msg;
        while (n < m.hdr_start && phonesec__text_is_tchar((unsigned char)s[n]))
            n++;
        if (n == 0 || s[n] != ' ')
            return PHONESEC_E_PARSE;
    }
    if (n + 1 > cap)
        return PHONESEC_E_BUFFER_SMALL;
    memcpy(method, s, n);
    method[n] = '\0';
    return PHONESEC_OK;
}

/* Output assembly: a list of (pointer, length) pieces, copied only when the
 * whole fits. */
typedef struct piece {
    const char *s;
    size_t n;
} piece;

static int emit(const piece *pc, size_t np, char *out, size_t out_cap, size_t *out_len)
{
    size_t i, total = 0;
    for (i = 0; i < np; i++)
        total += pc[i].n;
    *out_len = total;
    if (total + 1 > out_cap || out == NULL)
        return PHONESEC_E_BUFFER_SMALL;
    total = 0;
    for (i = 0; i < np; i++) {
        if (pc[i].n)
            memcpy(out + total, pc[i].s, pc[i].n);
        total += pc[i].n;
    }
    out[total] = '\0';
    return PHONESEC_OK;
}

static int value_ok(const char *v)
{
    return v != NULL && strpbrk(v, "\r\n") == NULL;
}

/* Where a new header `name` goes: after the last one of that name, else
 * before Content-Length, else at the end of the header section. */
static int insert_pos(const phonesec__sip_msg *m, const char *name, size_t *at)
{
    phonesec__sip_hdr h;
    size_t pos = m->hdr_start, last = (size_t)-1, cl = (size_t)-1;
    int rc;
    while ((rc = phonesec__sip_next(m, &pos, NULL, &h)) == 1) {
        if (phonesec__sip_name_is(m->p + h.line_off, h.name_len, name))
            last = h.line_end;
        else if (cl == (size_t)-1 && phonesec__sip_name_is(m->p + h.line_off, h.name_len, "Content-Length"))
            cl = h.line_off;
    }
    if (rc < 0)
        return rc;
    *at = last != (size_t)-1 ? last : cl != (size_t)-1 ? cl : m->hdr_end;
    return 0;
}

int phonesec_mediasec_msg_insert(const char *msg, size_t len, const char *name, const char *value, char *out,
                                 size_t out_cap, size_t *out_len)
{
    phonesec__sip_msg m;
    size_t at;
    piece pc[6];
    int rc;
    if (msg == NULL || !check_name(name) || !value_ok(value) || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    if ((rc = phonesec__sip_open(&m, msg, len)) != 0)
        return rc;
    if ((rc = insert_pos(&m, name, &at)) != 0)
        return rc;
    pc[0].s = msg;
    pc[0].n = at;
    pc[1].s = name;
    pc[1].n = strlen(name);
    pc[2].s = ": ";
    pc[2].n = 2;
    pc[3].s = value;
    pc[3].n = strlen(value);
    pc[4].s = m.eol;
    pc[4].n = strlen(m.eol);
    pc[5].s = msg + at;
    pc[5].n = len - at;
    return emit(pc, 6, out, out_cap, out_len);
}

/* Remove all `name` headers; when value != NULL put `name: value` at the
 * place of the first (or the insert position when there is none). */
static int remove_replace(const char *msg, size_t len, const char *name, const char *value, char *out,
                          size_t out_cap, size_t *out_len, size_t *removed)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    phonesec__sb b;
    size_t pos, copied, k = 0, at = (size_t)-1;
    int rc, pass, inserted;
    if ((rc = phonesec__sip_open(&m, msg, len)) != 0)
        return rc;
    if (value != NULL) {
        pos = m.hdr_start;
        if ((rc = phonesec__sip_next(&m, &pos, name, &h)) < 0)
            return rc;
        if (rc == 1)
            at = h.line_off;
        else if ((rc = insert_pos(&m, name, &at)) != 0)
            return rc;
    }
    for (pass = 0; pass < 2; pass++) {
        b.out = pass ? out : NULL;
        b.cap = pass ? out_cap : 0;
        b.len = 0;
        copied = 0;
        k = 0;
        inserted = value == NULL;
        pos = m.hdr_start;
        while ((rc = phonesec__sip_next(&m, &pos, name, &h)) == 1) {
            phonesec__sb_put(&b, msg + copied, h.line_off - copied);
            if (!inserted && at == h.line_off) {
                phonesec__sb_str(&b, name);
                phonesec__sb_put(&b, ": ", 2);
                phonesec__sb_str(&b, value);
                phonesec__sb_str(&b, m.eol);
                inserted = 1;
            }
            copied = h.line_end;
            k++;
        }
        if (rc < 0)
            return rc;
        if (!inserted) {
            phonesec__sb_put(&b, msg + copied, at - copied);
            phonesec__sb_str(&b, name);
            phonesec__sb_put(&b, ": ", 2);
            phonesec__sb_str(&b, value);
            phonesec__sb_str(&b, m.eol);
            copied = at;
        }
        phonesec__sb_put(&b, msg + copied, len - copied);
        if (pass == 0) {
            *out_len = b.len;
            if (b.len + 1 > out_cap || out == NULL)
                return PHONESEC_E_BUFFER_SMALL;
        } else {
            out[b.len] = '\0';
        }
    }
    if (removed != NULL)
        *removed = k;
    return PHONESEC_OK;
}

int phonesec_mediasec_msg_remove(const char *msg, size_t len, const char *name, char *out, size_t out_cap,
                                 size_t *out_len, size_t *removed)
{
    if (msg == NULL || !check_name(name) || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    return remove_replace(msg, len, name, NULL, out, out_cap, out_len, removed);
}

int phonesec_mediasec_msg_replace(const char *msg, size_t len, const char *name, const char *value, char *out,
                                  size_t out_cap, size_t *out_len)
{
    if (msg == NULL || !check_name(name) || !value_ok(value) || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    return remove_replace(msg, len, name, value, out, out_cap, out_len, NULL);
}

int phonesec_mediasec_msg_has_tag(const char *msg, size_t len, const char *name, const char *tag)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    size_t pos;
    int rc;
    if (msg == NULL || !check_name(name) || !check_name(tag))
        return PHONESEC_E_INVAL;
    if ((rc = phonesec__sip_open(&m, msg, len)) != 0)
        return rc;
    pos = m.hdr_start;
    while ((rc = phonesec__sip_next(&m, &pos, name, &h)) == 1)
        if (phonesec__text_list_has(msg + h.val_off, h.val_len, tag))
            return 1;
    return rc < 0 ? rc : 0;
}

int phonesec_mediasec_msg_add_tag(const char *msg, size_t len, const char *name, const char *tag, char *out,
                                  size_t out_cap, size_t *out_len, int *changed)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    size_t pos;
    piece pc[4];
    int rc;
    if (msg == NULL || !check_name(name) || !check_name(tag) || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    rc = phonesec_mediasec_msg_has_tag(msg, len, name, tag);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        pc[0].s = msg;
        pc[0].n = len;
        rc = emit(pc, 1, out, out_cap, out_len);
        if (rc == 0 && changed != NULL)
            *changed = 0;
        return rc;
    }
    if ((rc = phonesec__sip_open(&m, msg, len)) != 0)
        return rc;
    pos = m.hdr_start;
    rc = phonesec__sip_next(&m, &pos, name, &h);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        rc = phonesec_mediasec_msg_insert(msg, len, name, tag, out, out_cap, out_len);
    } else {
        size_t at = h.val_off + h.val_len;
        pc[0].s = msg;
        pc[0].n = at;
        pc[1].s = ", ";
        pc[1].n = h.val_len ? 2 : 0;
        pc[2].s = tag;
        pc[2].n = strlen(tag);
        pc[3].s = msg + at;
        pc[3].n = len - at;
        rc = emit(pc, 4, out, out_cap, out_len);
    }
    if (rc == 0 && changed != NULL)
        *changed = 1;
    return rc;
}

int phonesec_mediasec_msg_remove_tag(const char *msg, size_t len, const char *name, const char *tag, char *out,
                                     size_t out_cap, size_t *out_len, int *changed)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    phonesec__sb b;
    size_t pos, copied, tl;
    int rc, pass, did = 0;
    if (msg == NULL || !check_name(name) || !check_name(tag) || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    if ((rc = phonesec__sip_open(&m, msg, len)) != 0)
        return rc;
    tl = strlen(tag);
    for (pass = 0; pass < 2; pass++) {
        b.out = pass ? out : NULL;
        b.cap = pass ? out_cap : 0;
        b.len = 0;
        copied = 0;
        did = 0;
        pos = m.hdr_start;
        while ((rc = phonesec__sip_next(&m, &pos, name, &h)) == 1) {
            const char *v = msg + h.val_off;
            size_t i = 0, st, e, kept = 0;
            if (!phonesec__text_list_has(v, h.val_len, tag))
                continue;
            did = 1;
            phonesec__sb_put(&b, msg + copied, h.line_off - copied);
            copied = h.line_end;
            /* count what stays */
            while (i <= h.val_len) {
                i = phonesec__text_list_next(v, h.val_len, i, &st, &e);
                if (e > st && !(e - st == tl && phonesec__strncaseeq(v + st, tag, tl)))
                    kept++;
            }
            if (kept == 0)
                continue; /* the header had only this tag: the line goes */
            phonesec__sb_put(&b, msg + h.line_off, h.name_len);
            phonesec__sb_put(&b, ": ", 2);
            kept = 0;
            for (i = 0; i <= h.val_len;) {
                i = phonesec__text_list_next(v, h.val_len, i, &st, &e);
                if (e > st && !(e - st == tl && phonesec__strncaseeq(v + st, tag, tl))) {
                    if (kept++)
                        phonesec__sb_put(&b, ", ", 2);
                    phonesec__sb_put(&b, v + st, e - st);
                }
            }
            phonesec__sb_str(&b, m.eol);
        }
        if (rc < 0)
            return rc;
        phonesec__sb_put(&b, msg + copied, len - copied);
        if (pass == 0) {
            *out_len = b.len;
            if (b.len + 1 > out_cap || out == NULL)
                return PHONESEC_E_BUFFER_SMALL;
        } else {
            out[b.len] = '\0';
        }
    }
    if (changed != NULL)
        *changed = did;
    return PHONESEC_OK;
}
