/*
 * libphonesec - core text layer (text.h): SIP header sections and values,
 * SDP lines, streaming base64, the bounded string builder.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "core/text.h"

/* ---- characters ------------------------------------------------------ */

const unsigned char phonesec__text_tchar[256] = {
    ['!'] = 1, ['%'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1, ['-'] = 1, ['.'] = 1, ['_'] = 1, ['`'] = 1, ['~'] = 1,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
    ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
    ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
    ['y'] = 1, ['z'] = 1,
};

int phonesec__text_is_token(const char *s, size_t n)
{
    size_t i;
    if (s == NULL || n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (!phonesec__text_is_tchar(s[i]))
            return 0;
    return 1;
}

/* ---- bounded string builder ------------------------------------------ */

void phonesec__sb_put(phonesec__sb *b, const char *s, size_t n)
{
    if (b->out != NULL && n > 0 && b->len <= b->cap && n <= b->cap - b->len)
        memcpy(b->out + b->len, s, n);
    b->len = b->len > (size_t)-1 - n ? (size_t)-1 : b->len + n;
}

void phonesec__sb_str(phonesec__sb *b, const char *s)
{
    phonesec__sb_put(b, s, strlen(s));
}

int phonesec__sb_fits(const phonesec__sb *b)
{
    return b->out != NULL && b->len < b->cap;
}

/* ---- SIP header section ---------------------------------------------- */

/* Compact forms: RFC 3261 §7.3.3, RFC 3265 (o, u), RFC 3515 (r),
 * RFC 4028 (x), RFC 3892 (b), RFC 8224 (y), RFC 3841 (j, a, d). */
static const char *const compact[][2] = {
    {"Call-ID", "i"},        {"Contact", "m"},         {"Content-Encoding", "e"}, {"Content-Length", "l"},
    {"Content-Type", "c"},   {"From", "f"},            {"Subject", "s"},          {"Supported", "k"},
    {"To", "t"},             {"Via", "v"},             {"Event", "o"},            {"Refer-To", "r"},
    {"Allow-Events", "u"},   {"Session-Expires", "x"}, {"Referred-By", "b"},      {"Identity", "y"},
    {"Reject-Contact", "j"}, {"Accept-Contact", "a"},  {"Request-Disposition", "d"},
};

int phonesec__sip_name_is(const char *s, size_t n, const char *name)
{
    size_t k, nl = strlen(name);
    if (nl == n && phonesec__strncaseeq(s, name, n))
        return 1;
    if (n != 1 && nl != 1)
        return 0; /* a compact form is one letter */
    for (k = 0; k < sizeof compact / sizeof compact[0]; k++) {
        const char *full = compact[k][0], *c = compact[k][1];
        if (n == 1 && phonesec__ascii_tolower((unsigned char)s[0]) == c[0])
            return phonesec__strcaseeq(name, full);
        if (nl == 1 && phonesec__ascii_tolower((unsigned char)name[0]) == c[0])
            return strlen(full) == n && phonesec__strncaseeq(s, full, n);
    }
    return 0;
}

/* Offset one past the LF ending the line that starts at i, or len. */
static size_t line_end(const char *p, size_t len, size_t i)
{
    const char *lf = i < len ? memchr(p + i, '\n', len - i) : NULL;
    return lf ? (size_t)(lf - p) + 1 : len;
}

int phonesec__sip_open(phonesec__sip_msg *m, const char *msg, size_t len)
{
    size_t i, e;
    if (msg == NULL || len == 0)
        return PHONESEC_E_PARSE;
    m->p = msg;
    m->len = len;
    e = line_end(msg, len, 0);
    if (e == len || e < 2 || msg[0] == '\r' || msg[0] == '\n' || phonesec__text_is_wsp(msg[0]))
        return PHONESEC_E_PARSE;
    m->eol = (msg[e - 2] == '\r') ? "\r\n" : "\n";
    m->hdr_start = e;
    for (i = e; i < len; i = e) {
        e = line_end(msg, len, i);
        if (e == len && msg[len - 1] != '\n')
            return PHONESEC_E_PARSE; /* last line has no line end: no empty line */
        if (msg[i] == '\n' || (msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n')) {
            m->hdr_end = i;
            return 0;
        }
    }
    return PHONESEC_E_PARSE;
}

int phonesec__sip_next(const phonesec__sip_msg *m, size_t *pos, const char *name, phonesec__sip_hdr *h)
{
    const char *p = m->p;
    while (*pos < m->hdr_end) {
        size_t i = *pos, ns = i, ne, e, v, last;
        if (phonesec__text_is_wsp(p[i]))
            return PHONESEC_E_PARSE; /* continuation without a header */
        while (i < m->hdr_end && phonesec__text_is_tchar(p[i]))
            i++;
        ne = i;
        while (i < m->hdr_end && phonesec__text_is_wsp(p[i]))
            i++;
        if (ne == ns || i >= m->hdr_end || p[i] != ':')
            return PHONESEC_E_PARSE;
        i++;
        /* the logical header: this line plus continuation lines */
        e = line_end(p, m->hdr_end, ns);
        last = ns;
        while (e < m->hdr_end && phonesec__text_is_wsp(p[e])) {
            last = e;
            e = line_end(p, m->hdr_end, e);
        }
        h->line_off = ns;
        h->name_len = ne - ns;
        h->line_end = e;
        h->eol_off = e - 1;
        if (h->eol_off > last && p[h->eol_off - 1] == '\r')
            h->eol_off--;
        /* value: skip white space and folds after the colon */
        v = i;
        for (;;) {
            while (v < h->eol_off && phonesec__text_is_wsp(p[v]))
                v++;
            if (v < h->eol_off && (p[v] == '\r' || p[v] == '\n')) {
                size_t w = v;
                if (p[w] == '\r' && w + 1 < h->eol_off && p[w + 1] == '\n')
                    w++;
                if (p[w] == '\n' && w + 1 < h->eol_off && phonesec__text_is_wsp(p[w + 1])) {
                    v = w + 1;
                    continue;
                }
            }
            break;
        }
        h->val_off = v;
        h->val_len = h->eol_off - v;
        /* trailing white space, and folds of white-space-only lines */
        while (h->val_len > 0 && (phonesec__text_is_wsp(p[v + h->val_len - 1]) || p[v + h->val_len - 1] == '\r' ||
                                  p[v + h->val_len - 1] == '\n'))
            h->val_len--;
        *pos = e;
        if (name == NULL || phonesec__sip_name_is(p + ns, ne - ns, name))
            return 1;
    }
    return 0;
}

/* ---- inside a SIP header value --------------------------------------- */

int phonesec__text_skip_lws(phonesec__text_rd *r)
{
    for (;;) {
        while (r->i < r->n && phonesec__text_is_wsp(r->s[r->i]))
            r->i++;
        if (r->i < r->n && (r->s[r->i] == '\r' || r->s[r->i] == '\n')) {
            size_t j = r->i;
            if (r->s[j] == '\r') {
                j++;
                if (j >= r->n || r->s[j] != '\n')
                    return phonesec__fail(r->err, PHONESEC_E_PARSE, "bare CR at offset %zu", r->i);
            }
            j++;
            if (j >= r->n || !phonesec__text_is_wsp(r->s[j]))
                return phonesec__fail(r->err, PHONESEC_E_PARSE,
                                      "line break at offset %zu is not a folded line (no white space after it)", r->i);
            r->i = j;
            continue;
        }
        return 0;
    }
}

size_t phonesec__text_token(phonesec__text_rd *r)
{
    size_t st = r->i;
    while (r->i < r->n && phonesec__text_is_tchar(r->s[r->i]))
        r->i++;
    return r->i - st;
}

const char *phonesec__text_show(const phonesec__text_rd *r, char buf[12])
{
    unsigned char c;
    if (r->i >= r->n)
        return "end of value";
    c = (unsigned char)r->s[r->i];
    if (c >= 0x21 && c < 0x7f) {
        buf[0] = '\'';
        buf[1] = (char)c;
        buf[2] = '\'';
        buf[3] = '\0';
    } else {
        static const char hx[] = "0123456789abcdef";
        memcpy(buf, "byte 0x", 7);
        buf[7] = hx[c >> 4];
        buf[8] = hx[c & 15];
        buf[9] = '\0';
    }
    return buf;
}

static int is_ipv6_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

int phonesec__text_param_value(phonesec__text_rd *r, size_t *vs, size_t *vn, int *quoted)
{
    char sh[12];
    size_t st = r->i;
    *quoted = 0;
    if (r->i < r->n && r->s[r->i] == '"') {
        r->i++;
        for (;;) {
            unsigned char c;
            if (r->i >= r->n)
                return phonesec__fail(r->err, PHONESEC_E_PARSE, "unterminated quoted string starting at offset %zu", st);
            c = (unsigned char)r->s[r->i];
            if (c == '"') {
                r->i++;
                break;
            }
            if (c == '\\') {
                /* RFC 3261 allows \NUL; refused here (it would cut the value short) */
                if (r->i + 1 >= r->n || r->s[r->i + 1] == '\r' || r->s[r->i + 1] == '\n' || r->s[r->i + 1] == '\0' ||
                    (unsigned char)r->s[r->i + 1] > 0x7f)
                    return phonesec__fail(r->err, PHONESEC_E_PARSE, "bad quoted pair at offset %zu", r->i);
                r->i += 2;
                continue;
            }
            if (c == '\r' || c == '\n') {
                int rc = phonesec__text_skip_lws(r);
                if (rc != 0)
                    return rc;
                continue;
            }
            if (c < 0x20 && c != '\t')
                return phonesec__fail(r->err, PHONESEC_E_PARSE, "control character in quoted string at offset %zu", r->i);
            if (c == 0x7f)
                return phonesec__fail(r->err, PHONESEC_E_PARSE, "DEL in quoted string at offset %zu", r->i);
            r->i++;
        }
        *quoted = 1;
    } else if (r->i < r->n && r->s[r->i] == '[') {
        r->i++;
        while (r->i < r->n && is_ipv6_char(r->s[r->i]))
            r->i++;
        if (r->i >= r->n || r->s[r->i] != ']' || r->i == st + 1)
            return phonesec__fail(r->err, PHONESEC_E_PARSE, "bad IPv6 reference at offset %zu", st);
        r->i++;
    } else if (phonesec__text_token(r) == 0) {
        return phonesec__fail(r->err, PHONESEC_E_PARSE, "missing or bad parameter value at offset %zu (%s)", r->i,
                              phonesec__text_show(r, sh));
    }
    *vs = st;
    *vn = r->i - st;
    return 0;
}

static int is_lws_char(char c)
{
    return phonesec__text_is_wsp(c) || c == '\r' || c == '\n';
}

size_t phonesec__text_list_next(const char *s, size_t n, size_t i, size_t *st, size_t *e)
{
    while (i < n && is_lws_char(s[i]))
        i++;
    *st = i;
    while (i < n && s[i] != ',')
        i++;
    *e = i;
    while (*e > *st && is_lws_char(s[*e - 1]))
        (*e)--;
    return i + 1;
}

int phonesec__text_list_has(const char *s, size_t n, const char *tag)
{
    size_t i = 0, st, e, tl = strlen(tag);
    while (i <= n) {
        i = phonesec__text_list_next(s, n, i, &st, &e);
        if (e - st == tl && phonesec__strncaseeq(s + st, tag, tl))
            return 1;
    }
    return 0;
}

/* ---- SDP lines --------------------------------------------------------- */

int phonesec__text_line_next(const char *text, size_t len, size_t *pos, phonesec__text_line *ln)
{
    const char *nl;
    size_t end;
    if (*pos >= len)
        return 0;
    nl = memchr(text + *pos, '\n', len - *pos);
    end = nl ? (size_t)(nl - text) : len;
    ln->off = *pos;
    ln->len = end - *pos;
    ln->eol = nl ? 1 : 0;
    if (ln->len > 0 && text[end - 1] == '\r') {
        ln->len--;
        ln->eol++;
    }
    *pos = end + (nl ? 1 : 0);
    return 1;
}

int phonesec__text_sdp_line_ok(const char *l, size_t n)
{
    return n >= 2 && l[1] == '=' && l[0] >= 'a' && l[0] <= 'z' && memchr(l, '\0', n) == NULL &&
           memchr(l, '\r', n) == NULL;
}

int phonesec__text_sdp_attr(const char *l, size_t n, const char *name, const char **val, size_t *vlen)
{
    size_t k = strlen(name), v, ve;
    if (n < 2 + k || memcmp(l, "a=", 2) != 0 || !phonesec__strncaseeq(l + 2, name, k))
        return 0;
    if (n != 2 + k && l[2 + k] != ':')
        return 0;
    v = n == 2 + k ? n : 3 + k;
    for (ve = n; ve > v && (phonesec__text_is_wsp(l[ve - 1]) || l[ve - 1] == '\r'); ve--)
        ;
    if (val != NULL)
        *val = l + v;
    if (vlen != NULL)
        *vlen = ve - v;
    return 1;
}

/* ---- streaming base64 -------------------------------------------------- */

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void phonesec__b64_enc_init(phonesec__b64_enc *e, unsigned wrap)
{
    memset(e, 0, sizeof *e);
    e->wrap = wrap;
}

static void b64_group(phonesec__b64_enc *e, uint32_t v, unsigned nbytes, phonesec__sb *b)
{
    char q[5];
    size_t n = 4;
    q[0] = b64_alpha[(v >> 18) & 63];
    q[1] = b64_alpha[(v >> 12) & 63];
    q[2] = nbytes > 1 ? b64_alpha[(v >> 6) & 63] : '=';
    q[3] = nbytes > 2 ? b64_alpha[v & 63] : '=';
    e->col += 4;
    if (e->wrap != 0 && e->col >= e->wrap) {
        q[4] = '\n';
        n = 5;
        e->col = 0;
    }
    phonesec__sb_put(b, q, n);
}

void phonesec__b64_enc_update(phonesec__b64_enc *e, const uint8_t *in, size_t n, phonesec__sb *b)
{
    size_t i;
    for (i = 0; i < n; i++) {
        e->acc = (e->acc << 8) | in[i];
        if (++e->n == 3) {
            b64_group(e, e->acc, 3, b);
            e->acc = 0;
            e->n = 0;
        }
    }
}

void phonesec__b64_enc_final(phonesec__b64_enc *e, phonesec__sb *b)
{
    if (e->n > 0) {
        b64_group(e, e->acc << (8 * (3 - e->n)), e->n, b);
        e->n = 0;
        e->acc = 0;
    }
    if (e->wrap != 0 && e->col > 0) {
        e->col = 0;
        phonesec__sb_put(b, "\n", 1);
    }
}

static int b64_val(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

void phonesec__b64_dec_init(phonesec__b64_dec *d)
{
    memset(d, 0, sizeof *d);
}

int phonesec__b64_dec_update(phonesec__b64_dec *d, const char *in, size_t n, uint8_t *out, size_t *out_n,
                             const char **why)
{
    size_t i, o = 0;
    *out_n = 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        int v;
        if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t')
            continue;
        if (ch == '=') {
            if (d->n < 2 || d->n + d->pad >= 4) {
                *why = "misplaced '=' in base64";
                return PHONESEC_E_PARSE;
            }
            d->pad++;
            continue;
        }
        if (d->pad > 0) {
            *why = "base64 data after '=' padding";
            return PHONESEC_E_PARSE;
        }
        if ((v = b64_val(ch)) < 0) {
            *why = "character outside the base64 alphabet";
            return PHONESEC_E_PARSE;
        }
        d->acc = (d->acc << 6) | (uint32_t)v;
        if (++d->n == 4) {
            out[o++] = (uint8_t)(d->acc >> 16);
            out[o++] = (uint8_t)(d->acc >> 8);
            out[o++] = (uint8_t)d->acc;
            d->n = 0;
            d->acc = 0;
        }
        *out_n = o;
    }
    *out_n = o;
    return 0;
}

int phonesec__b64_dec_final(phonesec__b64_dec *d, uint8_t *out, size_t *out_n, const char **why)
{
    *out_n = 0;
    if (d->pad > 0 && d->n + d->pad != 4) {
        *why = "wrong '=' padding in base64";
        return PHONESEC_E_PARSE;
    }
    if (d->n == 1) {
        *why = "base64 ends in the middle of a byte";
        return PHONESEC_E_TRUNCATED;
    }
    if (d->n == 2) {
        if (d->acc & 0xf) {
            *why = "non-zero trailing bits in base64";
            return PHONESEC_E_PARSE;
        }
        out[0] = (uint8_t)(d->acc >> 4);
        *out_n = 1;
    } else if (d->n == 3) {
        if (d->acc & 0x3) {
            *why = "non-zero trailing bits in base64";
            return PHONESEC_E_PARSE;
        }
        out[0] = (uint8_t)(d->acc >> 10);
        out[1] = (uint8_t)(d->acc >> 2);
        *out_n = 2;
    }
    d->n = 0;
    d->acc = 0;
    d->pad = 0;
    return 0;
}
