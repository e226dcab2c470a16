/*
 * libphonesec - certificate identity: a small strict DER reader for the parts
 * of X.509 that name the peer, and the RFC 5922 / RFC 6125 matching rules.
 * Our own code on purpose: wolfSSL's hostname check accepts wildcards and
 * ignores sip: URIs. No allocation; every span points into the input.
 *
 * Normalisation happens once, at the edges: a reference identity may end in
 * one dot (removed); a presented name may end in one dot (removed); nothing
 * else is stripped, so "a.example.com.." and ".example.com" are malformed,
 * never equal to anything. A reference that is an IP address in any
 * spelling (IPv4 with a trailing dot, IPv6 with or without brackets or a
 * zone, or a name whose last label is a number, as the WHATWG URL parser
 * and inet_aton() read "10.1" or "010.0.0.1") is matched against iPAddress
 * subjectAltNames only; IPv4 must be written as four decimal numbers without
 * leading zeros, other numeric spellings are refused as ambiguous. See
 * doc/security.md ("Identity").
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "tls/tls_internal.h"

/* ---------------------------------------------------------------- DER */

typedef struct {
    const uint8_t *p;
    const uint8_t *end;
} der_rd;

/* Read one TLV: single-byte tags only, definite lengths up to 2^32-1 in
 * minimal form. Returns 0 and the tag / content, or -1. */
static int der_next(der_rd *r, uint8_t *tag, const uint8_t **val, size_t *len, const uint8_t **tlv_start)
{
    const uint8_t *p = r->p;
    size_t avail, l;

    if (p >= r->end || r->end - p < 2)
        return -1;
    if (tlv_start)
        *tlv_start = p;
    *tag = *p++;
    if ((*tag & 0x1f) == 0x1f)
        return -1;
    l = *p++;
    if (l & 0x80) {
        size_t nb = l & 0x7f, i;
        if (nb == 0 || nb > 4 || (size_t)(r->end - p) < nb || p[0] == 0)
            return -1;
        l = 0;
        for (i = 0; i < nb; i++)
            l = (l << 8) | *p++;
        if (l < 0x80)
            return -1;
    }
    avail = (size_t)(r->end - p);
    if (l > avail)
        return -1;
    *val = p;
    *len = l;
    r->p = p + l;
    return 0;
}

static int der_expect(der_rd *r, uint8_t want, const uint8_t **val, size_t *len)
{
    uint8_t tag;
    if (der_next(r, &tag, val, len, NULL) != 0 || tag != want)
        return -1;
    return 0;
}

static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};
static const uint8_t OID_SAN[] = {0x55, 0x1d, 0x11};
static const uint8_t OID_BC[] = {0x55, 0x1d, 0x13};

static int is_string_tag(uint8_t t)
{
    /* UTF8, Numeric, Printable, T61, IA5, Visible, Universal, BMP */
    return t == 0x0c || t == 0x12 || t == 0x13 || t == 0x14 || t == 0x16 || t == 0x1a || t == 0x1c || t == 0x1e;
}

/* Walk a Name; remember the last CN and count them. */
static int parse_name(const uint8_t *v, size_t len, phonesec__tls_certnames *out, int want_cn)
{
    der_rd r = {v, v + len};
    while (r.p < r.end) {
        const uint8_t *setv, *av, *oid, *sv;
        size_t setl, al, oidl, sl;
        uint8_t st;
        der_rd rs, ra;
        if (der_expect(&r, 0x31, &setv, &setl) != 0)
            return -1;
        rs.p = setv;
        rs.end = setv + setl;
        if (setl == 0)
            return -1;
        while (rs.p < rs.end) {
            if (der_expect(&rs, 0x30, &av, &al) != 0)
                return -1;
            ra.p = av;
            ra.end = av + al;
            if (der_expect(&ra, 0x06, &oid, &oidl) != 0 || oidl == 0)
                return -1;
            if (der_next(&ra, &st, &sv, &sl, NULL) != 0 || ra.p != ra.end)
                return -1;
            if (want_cn && oidl == sizeof OID_CN && memcmp(oid, OID_CN, oidl) == 0) {
                if (!is_string_tag(st))
                    return -1;
                out->cn = sv;
                out->cn_len = sl;
                out->n_cn++;
            }
        }
    }
    return 0;
}

static int parse_san(const uint8_t *v, size_t len, phonesec__tls_certnames *out)
{
    der_rd r = {v, v + len}, g;
    const uint8_t *gv;
    size_t gl, n = 0;
    uint8_t tag;

    if (der_expect(&r, 0x30, &gv, &gl) != 0 || r.p != r.end)
        return PHONESEC_E_PARSE;
    out->san = gv;
    out->san_len = gl;
    g.p = gv;
    g.end = gv + gl;
    while (g.p < g.end) {
        const uint8_t *x;
        size_t xl;
        if (der_next(&g, &tag, &x, &xl, NULL) != 0)
            return PHONESEC_E_PARSE;
        if ((tag & 0xc0) != 0x80) /* GeneralName is always context-specific */
            return PHONESEC_E_PARSE;
        if (++n > PHONESEC__TLS_MAX_SANS)
            return PHONESEC_E_LIMIT;
    }
    out->n_san = n;
    return PHONESEC_OK;
}

int phonesec__tls_cert_names(const uint8_t *der, size_t len, phonesec__tls_certnames *out)
{
    der_rd r, t;
    const uint8_t *cv, *tv, *v, *start;
    size_t cl, tl, l;
    uint8_t tag;
    int rc, seen_san = 0, seen_bc = 0;

    if (der == NULL || out == NULL)
        return PHONESEC_E_INVAL;
    memset(out, 0, sizeof *out);
    r.p = der;
    r.end = der + len;
    if (der_expect(&r, 0x30, &cv, &cl) != 0 || r.p != r.end)
        return PHONESEC_E_PARSE;
    r.p = cv;
    r.end = cv + cl;
    if (der_expect(&r, 0x30, &tv, &tl) != 0)
        return PHONESEC_E_PARSE;
    /* signatureAlgorithm, signatureValue */
    if (der_expect(&r, 0x30, &v, &l) != 0 || der_expect(&r, 0x03, &v, &l) != 0 || r.p != r.end)
        return PHONESEC_E_PARSE;

    t.p = tv;
    t.end = tv + tl;
    if (der_next(&t, &tag, &v, &l, NULL) != 0)
        return PHONESEC_E_PARSE;
    if (tag == 0xa0) { /* [0] EXPLICIT version */
        if (der_next(&t, &tag, &v, &l, NULL) != 0)
            return PHONESEC_E_PARSE;
    }
    if (tag != 0x02) /* serialNumber */
        return PHONESEC_E_PARSE;
    if (der_expect(&t, 0x30, &v, &l) != 0) /* signature */
        return PHONESEC_E_PARSE;
    if (der_next(&t, &tag, &v, &l, &start) != 0 || tag != 0x30) /* issuer */
        return PHONESEC_E_PARSE;
    out->issuer = start;
    out->issuer_len = (size_t)(t.p - start);
    if (parse_name(v, l, out, 0) != 0)
        return PHONESEC_E_PARSE;
    if (der_expect(&t, 0x30, &v, &l) != 0) /* validity */
        return PHONESEC_E_PARSE;
    out->validity = v;
    out->validity_len = l;
    if (der_next(&t, &tag, &v, &l, &start) != 0 || tag != 0x30) /* subject */
        return PHONESEC_E_PARSE;
    out->subject = start;
    out->subject_len = (size_t)(t.p - start);
    if (parse_name(v, l, out, 1) != 0)
        return PHONESEC_E_PARSE;
    if (der_expect(&t, 0x30, &v, &l) != 0) /* subjectPublicKeyInfo */
        return PHONESEC_E_PARSE;
    while (t.p < t.end) {
        if (der_next(&t, &tag, &v, &l, NULL) != 0)
            return PHONESEC_E_PARSE;
        if (tag == 0x81 || tag == 0x82) /* issuer/subject unique IDs */
            continue;
        if (tag != 0xa3 || t.p != t.end)
            return PHONESEC_E_PARSE;
        {
            der_rd e = {v, v + l}, es;
            const uint8_t *sv;
            size_t sl;
            if (der_expect(&e, 0x30, &sv, &sl) != 0 || e.p != e.end)
                return PHONESEC_E_PARSE;
            es.p = sv;
            es.end = sv + sl;
            while (es.p < es.end) {
                const uint8_t *xv, *oid, *ov;
                size_t xl, oidl, ol;
                der_rd x;
                if (der_expect(&es, 0x30, &xv, &xl) != 0)
                    return PHONESEC_E_PARSE;
                x.p = xv;
                x.end = xv + xl;
                if (der_expect(&x, 0x06, &oid, &oidl) != 0)
                    return PHONESEC_E_PARSE;
                if (der_next(&x, &tag, &ov, &ol, NULL) != 0)
                    return PHONESEC_E_PARSE;
                if (tag == 0x01) { /* critical BOOLEAN */
                    if (ol != 1 || der_next(&x, &tag, &ov, &ol, NULL) != 0)
                        return PHONESEC_E_PARSE;
                }
                if (tag != 0x04 || x.p != x.end)
                    return PHONESEC_E_PARSE;
                if (oidl == sizeof OID_SAN && memcmp(oid, OID_SAN, oidl) == 0) {
                    if (seen_san++)
                        return PHONESEC_E_PARSE; /* RFC 5280: at most once */
                    out->has_san_ext = 1;
                    rc = parse_san(ov, ol, out);
                    if (rc != PHONESEC_OK)
                        return rc;
                } else if (oidl == sizeof OID_BC && memcmp(oid, OID_BC, oidl) == 0) {
                    der_rd b = {ov, ov + ol}, bs;
                    const uint8_t *bv, *cav;
                    size_t bl, cal;
                    if (seen_bc++)
                        return PHONESEC_E_PARSE;
                    if (der_expect(&b, 0x30, &bv, &bl) != 0 || b.p != b.end)
                        return PHONESEC_E_PARSE;
                    bs.p = bv;
                    bs.end = bv + bl;
                    if (bs.p < bs.end && bs.p[0] == 0x01) {
                        if (der_expect(&bs, 0x01, &cav, &cal) != 0 || cal != 1)
                            return PHONESEC_E_PARSE;
                        out->is_ca = cav[0] != 0;
                    }
                }
            }
        }
    }
    return PHONESEC_OK;
}

int phonesec__tls_san_next(const phonesec__tls_certnames *cn, size_t *pos, int *type, const uint8_t **val,
                           size_t *val_len)
{
    der_rd r;
    uint8_t tag;
    if (cn->san == NULL || *pos >= cn->san_len)
        return 0;
    r.p = cn->san + *pos;
    r.end = cn->san + cn->san_len;
    if (der_next(&r, &tag, val, val_len, NULL) != 0)
        return 0; /* validated at parse time; defensive */
    *type = tag & 0x1f;
    *pos = (size_t)(r.p - cn->san);
    return 1;
}

/* ---------------------------------------------------------------- validity */

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's
 * days_from_civil), so no timegm() and no time zone is involved. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const uint8_t *p, size_t n, unsigned *out)
{
    size_t i;
    *out = 0;
    for (i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        *out = *out * 10 + (unsigned)(p[i] - '0');
    }
    return 0;
}

/* RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ (YY >= 50 is 19YY) or
 * GeneralizedTime YYYYMMDDHHMMSSZ; nothing else is accepted. */
static int der_time(der_rd *r, int64_t *out)
{
    const uint8_t *v;
    size_t l, yl;
    uint8_t tag;
    unsigned y, mo, d, h, mi, se;
    static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (der_next(r, &tag, &v, &l, NULL) != 0)
        return -1;
    if (tag == 0x17 && l == 13)
        yl = 2;
    else if (tag == 0x18 && l == 15)
        yl = 4;
    else
        return -1;
    if (v[l - 1] != 'Z' || digits(v, yl, &y) != 0 || digits(v + yl, 2, &mo) != 0 ||
        digits(v + yl + 2, 2, &d) != 0 || digits(v + yl + 4, 2, &h) != 0 || digits(v + yl + 6, 2, &mi) != 0 ||
        digits(v + yl + 8, 2, &se) != 0)
        return -1;
    if (yl == 2)
        y += y >= 50 ? 1900 : 2000;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return -1;
    *out = days_from_civil((int64_t)y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + (int64_t)se;
    return 0;
}

int phonesec__tls_cert_validity(const phonesec__tls_certnames *cn, int64_t *not_before, int64_t *not_after)
{
    der_rd r;
    if (cn == NULL || cn->validity == NULL)
        return PHONESEC_E_PARSE;
    r.p = cn->validity;
    r.end = cn->validity + cn->validity_len;
    if (der_time(&r, not_before) != 0 || der_time(&r, not_after) != 0 || r.p != r.end)
        return PHONESEC_E_PARSE;
    return PHONESEC_OK;
}

/* ---------------------------------------------------------------- matching */

static int lc(int c) { return phonesec__ascii_tolower(c); }

/* Bytes usable as a name: printable ASCII, no NUL, no space. */
static int printable_name(const uint8_t *p, size_t n)
{
    size_t i;
    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] >= 0x7f)
            return 0;
    return 1;
}

static int ldh(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* WHATWG URL: a host whose last label (after one trailing dot) is a number
 * -- decimal digits, or "0x"/"0X" and hex digits -- is an IPv4 address,
 * whatever else it holds ("10.1", "0x0a.0.0.1", "4294967295", "a.1"). */
static int ends_in_number(const char *h, size_t n)
{
    size_t start, i;
    if (n > 0 && h[n - 1] == '.')
        n--;
    if (n == 0)
        return 0;
    start = n;
    while (start > 0 && h[start - 1] != '.')
        start--;
    if (start == n)
        return 0;
    if (n - start >= 2 && h[start] == '0' && (h[start + 1] == 'x' || h[start + 1] == 'X')) {
        for (i = start + 2; i < n; i++)
            if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f') || (h[i] >= 'A' && h[i] <= 'F')))
                return 0;
        return 1;
    }
    for (i = start; i < n; i++)
        if (h[i] < '0' || h[i] > '9')
            return 0;
    return 1;
}

int phonesec__tls_valid_hostname(const char *h, size_t n)
{
    size_t i, lab = 0;
    if (n > 0 && h[n - 1] == '.')
        n--;
    if (n == 0 || n > 253)
        return 0;
    for (i = 0; i < n; i++) {
        if (h[i] == '.') {
            if (lab == 0 || h[i - 1] == '-')
                return 0;
            lab = 0;
        } else if (ldh((unsigned char)h[i])) {
            if (lab == 0 && h[i] == '-')
                return 0;
            if (++lab > 63)
                return 0;
        } else {
            return 0;
        }
    }
    /* a numeric last label makes it an IP address, not a host name */
    return lab > 0 && h[n - 1] != '-' && !ends_in_number(h, n);
}

/* Dotted decimal, exactly: four numbers 0..255, no leading zeros, nothing else. */
static int ipv4_canonical(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0, digits = 0;
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (digits > 0 && v == 0)
                return 0; /* leading zero: octal to inet_aton(), decimal to a human */
            v = v * 10 + (unsigned)(s[i] - '0');
            if (v > 255)
                return 0;
            digits++;
            i++;
        }
        if (digits == 0)
            return 0;
        out[part] = (uint8_t)v;
    }
    return i == n;
}

/* RFC 4007 / RFC 6874 zone: 1..64 unreserved characters. */
static int valid_zone(const char *z, size_t n)
{
    size_t i;
    if (n == 0 || n > 64)
        return 0;
    for (i = 0; i < n; i++)
        if (!ldh((unsigned char)z[i]) && z[i] != '.' && z[i] != '~')
            return 0;
    return 1;
}

/* IPv6 text (no brackets), optionally with a zone; the zone is not part of
 * the address a certificate can name. */
static int ipv6_text(const char *s, size_t n, int bracketed, uint8_t out[16])
{
    char tmp[64];
    const char *pct = memchr(s, '%', n);
    size_t an = pct != NULL ? (size_t)(pct - s) : n;
    if (pct != NULL) {
        const char *z = pct + 1;
        size_t zn = n - an - 1;
        if (bracketed) { /* RFC 6874: "%25" introduces the zone inside a URI */
            if (zn < 2 || z[0] != '2' || z[1] != '5')
                return 0;
            z += 2;
            zn -= 2;
        }
        if (!valid_zone(z, zn))
            return 0;
    }
    if (an == 0 || an >= sizeof tmp)
        return 0;
    memcpy(tmp, s, an);
    tmp[an] = '\0';
    return inet_pton(AF_INET6, tmp, out) == 1;
}

int phonesec__tls_ip_literal(const char *s, uint8_t out[16])
{
    size_t n = strlen(s);
    if (n > 0 && s[n - 1] == '.') /* one trailing dot, as on a name */
        n--;
    if (n == 0)
        return 0;
    if (s[0] == '[' || s[n - 1] == ']') {
        if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && ipv6_text(s + 1, n - 2, 1, out))
            return 16;
        return -1;
    }
    if (memchr(s, ':', n) != NULL)
        return ipv6_text(s, n, 0, out) ? 16 : -1;
    if (ends_in_number(s, n))
        return ipv4_canonical(s, n, out) ? 4 : -1;
    return 0;
}

/* A presented DNS name (dNSName, CN, sip: URI host): printable ASCII, one
 * trailing dot allowed and not counted, no empty label. Returns the length
 * to compare, or 0 when the name is unusable. */
static size_t presented_len(const uint8_t *p, size_t n)
{
    size_t i;
    if (!printable_name(p, n))
        return 0;
    if (p[n - 1] == '.')
        n--;
    if (n == 0 || p[0] == '.' || p[n - 1] == '.')
        return 0;
    for (i = 0; i + 1 < n; i++)
        if (p[i] == '.' && p[i + 1] == '.')
            return 0;
    return n;
}

/* Case-insensitive whole-name equality of a presented name and the
 * reference (already checked and without its trailing dot). */
static int name_eq(const uint8_t *a, size_t an, const char *b, size_t bn)
{
    size_t i;
    an = presented_len(a, an);
    if (an != bn || an == 0)
        return 0;
    for (i = 0; i < an; i++)
        if (lc(a[i]) != lc((unsigned char)b[i]))
            return 0;
    return 1;
}

/* RFC 6125 §6.4.3 restricted: "*" only as the complete left-most label, at
 * least two labels after it, matching exactly one non-empty label. */
static int wildcard_eq(const uint8_t *pat, size_t pn, const char *ref, size_t rn)
{
    const uint8_t *rest;
    size_t restn, i, dots = 0;
    const char *rdot;
    pn = presented_len(pat, pn);
    if (pn < 3 || pat[0] != '*' || pat[1] != '.')
        return 0;
    rest = pat + 2;
    restn = pn - 2;
    for (i = 0; i < restn; i++) {
        if (rest[i] == '*')
            return 0;
        if (rest[i] == '.')
            dots++;
    }
    if (dots == 0)
        return 0;
    rdot = memchr(ref, '.', rn);
    if (rdot == NULL || rdot == ref)
        return 0;
    return name_eq(rest, restn, rdot + 1, rn - (size_t)(rdot + 1 - ref));
}

static int has_star(const uint8_t *p, size_t n) { return memchr(p, '*', n) != NULL; }

/* A sip: URI SAN without user part -> host span. Returns 1 when usable. */
static int sip_uri_host(const uint8_t *u, size_t n, const uint8_t **host, size_t *hn, const char **skip_why)
{
    size_t i, end;
    if (n < 4 || lc(u[0]) != 's' || lc(u[1]) != 'i' || lc(u[2]) != 'p' || u[3] != ':') {
        *skip_why = "not a sip: URI";
        return 0;
    }
    u += 4;
    n -= 4;
    end = n;
    for (i = 0; i < n; i++) {
        if (u[i] == '@') {
            *skip_why = "has a user part";
            return 0;
        }
        if ((u[i] == ';' || u[i] == '?') && end == n)
            end = i;
    }
    for (i = 0; i < end; i++)
        if (u[i] == ':') {
            *skip_why = "has a port";
            return 0;
        }
    *host = u;
    *hn = end;
    return end > 0;
}

/* why = a + printable(b) + c */
static void why_set(char *why, size_t cap, const char *a, const uint8_t *b, size_t bn, const char *c)
{
    char v[128];
    size_t i, n = bn < sizeof v - 1 ? bn : sizeof v - 1;
    if (why == NULL || cap == 0)
        return;
    for (i = 0; i < n; i++)
        v[i] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '?';
    v[n] = '\0';
    snprintf(why, cap, "%s%s%s", a, v, c);
}

#define REFB(r) (const uint8_t *)(r), strlen(r)

int phonesec__tls_match(const phonesec__tls_certnames *cn, int mode, const char *reference, char *why,
                        size_t why_cap)
{
    uint8_t ip[16];
    int iplen, type, n_dns = 0, n_uri = 0;
    size_t pos = 0, vl, rn;
    const uint8_t *v;
    char ref[256];

    if (why != NULL && why_cap > 0)
        why[0] = '\0';
    if (cn == NULL || reference == NULL || reference[0] == '\0' ||
        (mode != PHONESEC_TLS_IDENTITY_SIP && mode != PHONESEC_TLS_IDENTITY_HTTPS))
        return PHONESEC_E_INVAL;
    rn = strlen(reference);
    if (rn >= sizeof ref) {
        why_set(why, why_cap, "reference identity too long", REFB(""), "");
        return PHONESEC_E_INVAL;
    }
    memcpy(ref, reference, rn + 1);

    iplen = phonesec__tls_ip_literal(ref, ip);
    if (iplen < 0) {
        why_set(why, why_cap, "reference identity '", REFB(ref),
                strpbrk(ref, ":[]") != NULL
                    ? "' is not a valid IPv6 address"
                    : "' ends in a number but is not a dotted-decimal IPv4 address (four decimal numbers, no "
                      "leading zeros): refused as ambiguous, never matched against DNS names");
        return PHONESEC_E_INVAL;
    }
    if (iplen > 0) {
        while (phonesec__tls_san_next(cn, &pos, &type, &v, &vl)) {
            if (type == PHONESEC__GN_IP && vl == (size_t)iplen && memcmp(v, ip, vl) == 0) {
                why_set(why, why_cap, "matched iPAddress ", REFB(ref), "");
                return PHONESEC_OK;
            }
        }
        why_set(why, why_cap, "no iPAddress subjectAltName equals ", REFB(ref), "");
        return PHONESEC_E_NAME;
    }
    if (!phonesec__tls_valid_hostname(ref, rn)) {
        why_set(why, why_cap, "reference identity '", REFB(ref), "' is not a valid host name");
        return PHONESEC_E_INVAL;
    }
    if (ref[rn - 1] == '.')
        ref[--rn] = '\0';

    if (mode == PHONESEC_TLS_IDENTITY_SIP) {
        const char *skip = NULL;
        while (phonesec__tls_san_next(cn, &pos, &type, &v, &vl)) {
            if (type == PHONESEC__GN_URI) {
                const uint8_t *h;
                size_t hn;
                const char *sw = NULL;
                n_uri++;
                if (!sip_uri_host(v, vl, &h, &hn, &sw)) {
                    skip = sw;
                    continue;
                }
                if (printable_name(h, hn) && name_eq(h, hn, ref, rn)) {
                    why_set(why, why_cap, "matched URI subjectAltName ", v, vl, "");
                    return PHONESEC_OK;
                }
            } else if (type == PHONESEC__GN_DNS) {
                n_dns++;
                if (printable_name(v, vl) && !has_star(v, vl) && name_eq(v, vl, ref, rn)) {
                    why_set(why, why_cap, "matched dNSName ", v, vl, "");
                    return PHONESEC_OK;
                }
            }
        }
        if (!cn->has_san_ext) {
            if (cn->n_cn > 1) {
                why_set(why, why_cap, "SIP (RFC 5922): no subjectAltName and the subject has several CNs (ambiguous, "
                        "none used); reference ", REFB(ref), "");
                return PHONESEC_E_NAME;
            }
            if (cn->cn != NULL && printable_name(cn->cn, cn->cn_len) && !has_star(cn->cn, cn->cn_len) &&
                name_eq(cn->cn, cn->cn_len, ref, rn)) {
                why_set(why, why_cap, "matched subject CN ", cn->cn, cn->cn_len, " (no subjectAltName)");
                return PHONESEC_OK;
            }
            why_set(why, why_cap, "SIP (RFC 5922): no subjectAltName and the subject CN is not ", REFB(ref), "");
            return PHONESEC_E_NAME;
        }
        if (why != NULL && why_cap > 0)
            snprintf(why, why_cap,
                     "SIP (RFC 5922): none of %d sip: URI / %d dNSName subjectAltNames equals %s%s%s%s; CN not "
                     "used because the certificate has subjectAltNames; wildcards not allowed",
                     n_uri, n_dns, ref, skip ? " (a URI was ignored: " : "", skip ? skip : "", skip ? ")" : "");
        return PHONESEC_E_NAME;
    }

    /* HTTPS (RFC 6125) */
    while (phonesec__tls_san_next(cn, &pos, &type, &v, &vl)) {
        if (type != PHONESEC__GN_DNS)
            continue;
        n_dns++;
        if (!printable_name(v, vl))
            continue;
        if (name_eq(v, vl, ref, rn) && !has_star(v, vl)) {
            why_set(why, why_cap, "matched dNSName ", v, vl, "");
            return PHONESEC_OK;
        }
        if (wildcard_eq(v, vl, ref, rn)) {
            why_set(why, why_cap, "matched wildcard dNSName ", v, vl, "");
            return PHONESEC_OK;
        }
    }
    if (n_dns > 0) {
        if (why != NULL && why_cap > 0)
            snprintf(why, why_cap,
                     "HTTPS (RFC 6125): none of %d dNSName subjectAltNames matches %s (CN not used when dNSNames "
                     "exist)",
                     n_dns, ref);
        return PHONESEC_E_NAME;
    }
    if (cn->n_cn > 1) {
        why_set(why, why_cap, "HTTPS (RFC 6125): no dNSName subjectAltName and the subject has several CNs "
                "(ambiguous, none used); reference ", REFB(ref), "");
        return PHONESEC_E_NAME;
    }
    if (cn->cn != NULL) {
        const uint8_t *c = cn->cn;
        size_t cl = cn->cn_len;
        const uint8_t *slash = memchr(c, '/', cl);
        if (slash != NULL) /* provisioning form host.example.com/anything */
            cl = (size_t)(slash - c);
        if (printable_name(c, cl) && ((name_eq(c, cl, ref, rn) && !has_star(c, cl)) || wildcard_eq(c, cl, ref, rn))) {
            why_set(why, why_cap, "matched subject CN ", cn->cn, cn->cn_len, " (no dNSName subjectAltName)");
            return PHONESEC_OK;
        }
    }
    why_set(why, why_cap, "HTTPS (RFC 6125): no dNSName subjectAltName and the subject CN does not match ", REFB(ref),
            "");
    return PHONESEC_E_NAME;
}

int phonesec__tls_in_domain(const char *host, const char *domain)
{
    uint8_t ip[16];
    size_t hn = strlen(host), dn = strlen(domain);
    /* an address in any spelling is in no domain; malformed names in none either */
    if (phonesec__tls_ip_literal(host, ip) != 0 || !phonesec__tls_valid_hostname(host, hn) ||
        !phonesec__tls_valid_hostname(domain, dn))
        return 0;
    if (hn > 0 && host[hn - 1] == '.')
        hn--;
    if (dn > 0 && domain[dn - 1] == '.')
        dn--;
    if (dn == 0 || hn < dn)
        return 0;
    if (!phonesec__strncaseeq(host + hn - dn, domain, dn))
        return 0;
    return hn == dn || host[hn - dn - 1] == '.';
}

/* ---------------------------------------------------------------- rendering */

static void put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
    size_t room;
    if (cap == 0 || *len >= cap - 1)
        return;
    room = cap - 1 - *len;
    if (n > room)
        n = room;
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = '\0';
}

static void put_bytes(char *out, size_t cap, size_t *len, const uint8_t *p, size_t n, int escape_comma)
{
    size_t i;
    char hex[5];
    for (i = 0; i < n; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && !(escape_comma && p[i] == ',')) {
            put(out, cap, len, (const char *)p + i, 1);
        } else {
            snprintf(hex, sizeof hex, "\\x%02x", p[i]);
            put(out, cap, len, hex, 4);
        }
    }
}

static const struct {
    uint8_t oid[3];
    const char *name;
} short_names[] = {
    {{0x55, 0x04, 0x03}, "CN"}, {{0x55, 0x04, 0x06}, "C"},  {{0x55, 0x04, 0x07}, "L"},
    {{0x55, 0x04, 0x08}, "ST"}, {{0x55, 0x04, 0x0a}, "O"},  {{0x55, 0x04, 0x0b}, "OU"},
    {{0x55, 0x04, 0x05}, "serialNumber"},
};

void phonesec__tls_name_string(const uint8_t *name, size_t len, char *out, size_t cap)
{
    der_rd r, rs, ra;
    const uint8_t *v, *sv, *av, *oid, *val;
    size_t l, sl, al, oidl, vl, n = 0, i;
    uint8_t tag;
    int first = 1;

    if (cap == 0)
        return;
    out[0] = '\0';
    r.p = name;
    r.end = name + len;
    if (der_expect(&r, 0x30, &v, &l) != 0)
        return;
    r.p = v;
    r.end = v + l;
    while (r.p < r.end) {
        if (der_expect(&r, 0x31, &sv, &sl) != 0)
            return;
        rs.p = sv;
        rs.end = sv + sl;
        while (rs.p < rs.end) {
            const char *nm = NULL;
            if (der_expect(&rs, 0x30, &av, &al) != 0)
                return;
            ra.p = av;
            ra.end = av + al;
            if (der_expect(&ra, 0x06, &oid, &oidl) != 0 || der_next(&ra, &tag, &val, &vl, NULL) != 0)
                return;
            for (i = 0; i < sizeof short_names / sizeof short_names[0]; i++)
                if (oidl == 3 && memcmp(oid, short_names[i].oid, 3) == 0)
                    nm = short_names[i].name;
            if (!first)
                put(out, cap, &n, ",", 1);
            first = 0;
            if (nm != NULL) {
                put(out, cap, &n, nm, strlen(nm));
            } else {
                char o[8];
                put(out, cap, &n, "OID", 3);
                for (i = 0; i < oidl && i < 16; i++) {
                    snprintf(o, sizeof o, ".%u", oid[i]);
                    put(out, cap, &n, o, strlen(o));
                }
            }
            put(out, cap, &n, "=", 1);
            put_bytes(out, cap, &n, val, vl, 1);
        }
    }
}

void phonesec__tls_sans_string(const phonesec__tls_certnames *cn, char *out, size_t cap)
{
    size_t pos = 0, vl, n = 0;
    const uint8_t *v;
    int type, first = 1;
    char ipbuf[64];

    if (cap == 0)
        return;
    out[0] = '\0';
    while (phonesec__tls_san_next(cn, &pos, &type, &v, &vl)) {
        const char *pre;
        switch (type) {
        case PHONESEC__GN_DNS: pre = "DNS:"; break;
        case PHONESEC__GN_URI: pre = "URI:"; break;
        case PHONESEC__GN_EMAIL: pre = "email:"; break;
        case PHONESEC__GN_IP: pre = "IP:"; break;
        default: continue;
        }
        if (!first)
            put(out, cap, &n, ", ", 2);
        first = 0;
        put(out, cap, &n, pre, strlen(pre));
        if (type == PHONESEC__GN_IP) {
            if ((vl == 4 && inet_ntop(AF_INET, v, ipbuf, sizeof ipbuf) != NULL) ||
                (vl == 16 && inet_ntop(AF_INET6, v, ipbuf, sizeof ipbuf) != NULL))
                put(out, cap, &n, ipbuf, strlen(ipbuf));
            else
                put(out, cap, &n, "?", 1);
        } else {
            put_bytes(out, cap, &n, v, vl, 0);
        }
    }
}

int phonesec_tls_cert_check_name(const uint8_t *der, size_t der_len, int mode, const char *reference, char *why,
                                 size_t why_cap)
{
    phonesec__tls_certnames cn;
    int rc;
    if (why != NULL && why_cap > 0)
        why[0] = '\0';
    if (der == NULL || reference == NULL)
        return PHONESEC_E_INVAL;
    rc = phonesec__tls_cert_names(der, der_len, &cn);
    if (rc != PHONESEC_OK) {
        if (why != NULL && why_cap > 0)
            snprintf(why, why_cap, "%s", rc == PHONESEC_E_LIMIT ? "too many subjectAltNames"
                                                                 : "certificate is not well-formed DER X.509");
        return rc;
    }
    return phonesec__tls_match(&cn, mode, reference, why, why_cap);
}
