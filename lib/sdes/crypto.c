/* SPDX-License-Identifier: MIT
 * The a=crypto grammar of RFC 4568 §9.1 (with RFC 6188 and RFC 7714 suites):
 * parse, print, generate, check and map to SRTP parameters. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "phonesec/sdes.h"
#include "sdes/sdes_internal.h"

#define MAX_LIFETIME (UINT64_C(1) << 48)

/* The suites are the SRTP module's table (names, aliases, lengths, tags):
 * d filled and returned, or NULL for an unknown suite number. */
static const phonesec_srtp_suite_info *suite_def(int id, phonesec_srtp_suite_info *d)
{
    d->version = PHONESEC_SRTP_SUITE_INFO_VERSION;
    return id != PHONESEC_SRTP_SUITE_NONE && phonesec_srtp_suite_get_info(id, d) == PHONESEC_OK ? d : NULL;
}

const char *phonesec_sdes_suite_name(int suite)
{
    phonesec_srtp_suite_info dd;
    const phonesec_srtp_suite_info *d = suite_def(suite, &dd);
    return d ? d->name : NULL;
}

int phonesec_sdes_suite_from_name(const char *name, size_t len)
{
    phonesec_srtp_suite_info d;
    int id;
    if (name == NULL)
        return PHONESEC_E_NOT_FOUND;
    for (id = 1; suite_def(id, &d) != NULL; id++) { /* suite numbers are 1..N */
        if (strlen(d.name) == len && phonesec__strncaseeq(name, d.name, len))
            return id;
        if (d.alias && strlen(d.alias) == len && phonesec__strncaseeq(name, d.alias, len))
            return id;
    }
    return PHONESEC_E_NOT_FOUND;
}

int phonesec_sdes_suite_lengths(int suite, size_t *key_len, size_t *salt_len)
{
    phonesec_srtp_suite_info dd;
    const phonesec_srtp_suite_info *d = suite_def(suite, &dd);
    if (d == NULL)
        return PHONESEC_E_INVAL;
    if (key_len)
        *key_len = d->key_len;
    if (salt_len)
        *salt_len = d->salt_len;
    return PHONESEC_OK;
}

int phonesec__sdes_suite_is_32(int suite)
{
    phonesec_srtp_suite_info dd;
    const phonesec_srtp_suite_info *d = suite_def(suite, &dd);
    return d ? !d->aead && d->rtp_tag_len == 4 : 0;
}

/* What the SRTP layer (lib/srtp/session.c, phonesec_srtp_new()) can run,
 * so that every line we accept or offer gives working sessions. */

int phonesec__sdes_suite_runs(int suite, int *code)
{
    int rc = phonesec_srtp_suite_supported(suite);
    if (code != NULL)
        *code = rc;
    return rc == PHONESEC_OK ? PHONESEC_OK : PHONESEC_E_UNSUPPORTED;
}

const char *phonesec__sdes_suite_not_run_reason(int suite, int code)
{
    if (code == PHONESEC_E_CRYPTO)
        return "the SRTP engine failed to initialise (libsrtp2: srtp_init)";
    if (suite == PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80 || suite == PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32)
        return "AES-192 is off: the linked libsrtp2 derives AES-192 keys against RFC 6188 (cisco/libsrtp#763), "
               "so no media would decrypt";
    if (suite == PHONESEC_SRTP_F8_128_HMAC_SHA1_80)
        return "AES-F8 runs on the native SRTP engine only (libsrtp2 has none)";
    return "the SRTP engine of this build cannot run this suite (phonesec_srtp_engine_supports)";
}

int phonesec__sdes_mki_usable(int suite, unsigned flags, unsigned allow)
{
    /* the SRTP engine says (libsrtp2: not with GCM, nor where the SRTP and
     * SRTCP tags differ in length; native: everywhere) */
    if ((allow & PHONESEC_SDES_SRTCP_TAG32_COMPAT) && phonesec__sdes_suite_is_32(suite))
        flags |= PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT;
    return phonesec_srtp_engine_supports(suite, flags, PHONESEC_SRTP_FEAT_MKI) == PHONESEC_OK;
}

/* ---------------------------------------------------------------- */

static int why_set(char *why, size_t cap, int code, const char *fmt, ...) PHONESEC__PRINTF(4, 5);
static int why_set(char *why, size_t cap, int code, const char *fmt, ...)
{
    if (why != NULL && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, cap, fmt, ap);
        va_end(ap);
    }
    return code;
}

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_b64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || is_digit(c) || c == '+' || c == '/' || c == '=';
}

/* Decimal digits [p, e) to uint64 with a ceiling; -1 on overflow or empty. */
static int dec_u64(const char *p, const char *e, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (p == e)
        return -1;
    for (; p < e; p++) {
        if (!is_digit(*p))
            return -1;
        if (v > (max - (uint64_t)(*p - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    return 0;
}

/* Decimal digits to a big-endian number of exactly len bytes; -1 when it
 * does not fit (or is not decimal). */
static int dec_to_be(const char *p, const char *e, uint8_t *out, size_t len)
{
    size_t i;
    if (p == e)
        return -1;
    memset(out, 0, len);
    for (; p < e; p++) {
        unsigned carry;
        if (!is_digit(*p))
            return -1;
        carry = (unsigned)(*p - '0');
        for (i = len; i-- > 0;) {
            unsigned v = (unsigned)out[i] * 10u + carry;
            out[i] = (uint8_t)(v & 0xffu);
            carry = v >> 8;
        }
        if (carry != 0)
            return -1;
    }
    return 0;
}

/* Big-endian bytes to decimal text; returns the length written (no NUL). */
static size_t be_to_dec(const uint8_t *in, size_t len, char *out, size_t cap)
{
    uint8_t tmp[PHONESEC_SRTP_MAX_MKI_LEN];
    char rev[320];
    size_t n = 0, i, nz;

    memcpy(tmp, in, len);
    for (;;) {
        unsigned rem = 0;
        nz = 0;
        for (i = 0; i < len; i++) {
            unsigned v = (rem << 8) | tmp[i];
            tmp[i] = (uint8_t)(v / 10u);
            rem = v % 10u;
            nz |= tmp[i];
        }
        rev[n++] = (char)('0' + rem);
        if (!nz || n >= sizeof rev)
            break;
    }
    if (n > cap)
        return 0;
    for (i = 0; i < n; i++)
        out[i] = rev[n - 1 - i];
    return n;
}

/* One key-param "inline:KEYSALT[|LIFETIME][|MKI:LEN]" in [p, e). */
static int parse_key_param(const char *p, const char *e, const phonesec_srtp_suite_info *d, phonesec_srtp_key *k,
                           char *why, size_t cap, unsigned idx)
{
    const char *colon, *bar, *f, *fe;
    uint8_t buf[64];
    size_t n = 0;
    int have_life = 0, have_mki = 0;

    for (colon = p; colon < e && *colon != ':'; colon++)
        ;
    if (colon == e)
        return why_set(why, cap, PHONESEC_E_PARSE, "key-param %u: no ':' after the key method", idx + 1);
    if (!((size_t)(colon - p) == 6 && phonesec__strncaseeq(p, "inline", 6)))
        return why_set(why, cap, PHONESEC_E_UNSUPPORTED, "key-param %u: key method '%.*s' is not inline", idx + 1,
                       (int)((colon - p) > 32 ? 32 : (colon - p)), p);
    p = colon + 1;
    for (bar = p; bar < e && *bar != '|'; bar++)
        if (!is_b64(*bar))
            return why_set(why, cap, PHONESEC_E_PARSE, "key-param %u: character %ld of the key is not base64",
                           idx + 1, (long)(bar - p) + 1);
    if (bar == p)
        return why_set(why, cap, PHONESEC_E_PARSE, "key-param %u: empty key", idx + 1);
    if ((size_t)(bar - p) > 4 * sizeof buf / 3)
        return why_set(why, cap, PHONESEC_E_PARSE,
                       "key-param %u: key||salt too long for %s (needs %u bytes)", idx + 1, d->name,
                       (unsigned)(d->key_len + d->salt_len));
    if (phonesec_base64_decode(p, (size_t)(bar - p), PHONESEC_BASE64_STD_NOPAD_OK, buf, sizeof buf, &n, NULL) !=
        PHONESEC_OK) {
        phonesec_memzero(buf, sizeof buf);
        return why_set(why, cap, PHONESEC_E_PARSE, "key-param %u: key is not valid base64", idx + 1);
    }
    if (n != (size_t)d->key_len + d->salt_len) {
        phonesec_memzero(buf, sizeof buf);
        return why_set(why, cap, PHONESEC_E_PARSE, "key-param %u: key||salt is %u bytes, %s needs %u", idx + 1,
                       (unsigned)n, d->name, (unsigned)(d->key_len + d->salt_len));
    }
    memset(k, 0, sizeof *k);
    memcpy(k->key, buf, d->key_len);
    k->key_len = d->key_len;
    memcpy(k->salt, buf + d->key_len, d->salt_len);
    k->salt_len = d->salt_len;
    phonesec_memzero(buf, sizeof buf);

    /* Optional fields: a lifetime has no ':', an MKI has one; lifetime first. */
    for (f = bar; f < e; f = fe) {
        const char *c;
        f++; /* skip '|' */
        for (fe = f; fe < e && *fe != '|'; fe++)
            ;
        for (c = f; c < fe && *c != ':'; c++)
            ;
        if (c == fe) {
            uint64_t v;
            if (have_life || have_mki)
                return why_set(why, cap, PHONESEC_E_PARSE, "key-param %u: lifetime out of place", idx + 1);
            if (fe - f > 2 && f[0] == '2' && f[1] == '^') {
                uint64_t exp;
                if (dec_u64(f + 2, fe, 48, &exp) != 0)
                    return why_set(why, cap, PHONESEC_E_PARSE, "key-param %u: lifetime 2^n needs n in 0..48",
                                   idx + 1);
                v = UINT64_C(1) << exp;
            } else if (dec_u64(f, fe, MAX_LIFETIME, &v) != 0 || v == 0) {
                return why_set(why, cap, PHONESEC_E_PARSE,
                               "key-param %u: lifetime must be 2^n or a decimal number 1..2^48", idx + 1);
            }
            k->lifetime = v;
            have_life = 1;
        } else {
            uint64_t mlen;
            if (have_mki)
                return why_set(why, cap, PHONESEC_E_PARSE, "key-param %u: two MKI fields", idx + 1);
            if (fe - (c + 1) > 3 || dec_u64(c + 1, fe, 128, &mlen) != 0 || mlen == 0)
                return why_set(why, cap, PHONESEC_E_PARSE, "key-param %u: MKI length must be 1..128", idx + 1);
            if (dec_to_be(f, c, k->mki, (size_t)mlen) != 0)
                return why_set(why, cap, PHONESEC_E_PARSE,
                               "key-param %u: MKI value is not a decimal number that fits in %u bytes", idx + 1,
                               (unsigned)mlen);
            k->mki_len = (size_t)mlen;
            have_mki = 1;
        }
    }
    return PHONESEC_OK;
}

static int parse_session_param(const char *p, const char *e, phonesec_sdes_crypto *c, char *why, size_t cap)
{
    size_t n = (size_t)(e - p);
    uint64_t v;
#define IS(lit) (n == sizeof(lit) - 1 && phonesec__strncaseeq(p, lit, n))
#define PREFIX(lit) (n >= sizeof(lit) - 1 && phonesec__strncaseeq(p, lit, sizeof(lit) - 1))
    if (IS("UNENCRYPTED_SRTP") || IS("UNENCRYPTED_SRTCP") || IS("UNAUTHENTICATED_SRTP")) {
        unsigned f = IS("UNENCRYPTED_SRTP")    ? PHONESEC_SRTP_F_UNENCRYPTED_SRTP
                     : IS("UNENCRYPTED_SRTCP") ? PHONESEC_SRTP_F_UNENCRYPTED_SRTCP
                                               : PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP;
        if (c->flags & f)
            return why_set(why, cap, PHONESEC_E_PARSE, "session parameter %.*s given twice", (int)n, p);
        c->flags |= f;
    } else if (PREFIX("KDR=")) {
        if (c->kdr >= 0)
            return why_set(why, cap, PHONESEC_E_PARSE, "KDR given twice");
        if (n - 4 > 2 || dec_u64(p + 4, e, 24, &v) != 0)
            return why_set(why, cap, PHONESEC_E_PARSE, "KDR must be 0..24");
        c->kdr = (int)v;
    } else if (PREFIX("WSH=")) {
        if (c->wsh != 0)
            return why_set(why, cap, PHONESEC_E_PARSE, "WSH given twice");
        if (dec_u64(p + 4, e, UINT32_MAX, &v) != 0 || v == 0)
            return why_set(why, cap, PHONESEC_E_PARSE, "WSH must be a decimal number");
        c->wsh = (uint32_t)v;
    } else if (PREFIX("FEC_ORDER=")) {
        const char *q = p + 10;
        size_t m = (size_t)(e - q);
        if (c->fec_order != PHONESEC_SDES_FEC_NONE)
            return why_set(why, cap, PHONESEC_E_PARSE, "FEC_ORDER given twice");
        if (m == 8 && phonesec__strncaseeq(q, "FEC_SRTP", 8))
            c->fec_order = PHONESEC_SDES_FEC_SRTP;
        else if (m == 8 && phonesec__strncaseeq(q, "SRTP_FEC", 8))
            c->fec_order = PHONESEC_SDES_SRTP_FEC;
        else
            return why_set(why, cap, PHONESEC_E_PARSE, "FEC_ORDER must be FEC_SRTP or SRTP_FEC");
    } else if (PREFIX("FEC_KEY=")) {
        if (c->has_fec_key)
            return why_set(why, cap, PHONESEC_E_PARSE, "FEC_KEY given twice");
        if (n == 8)
            return why_set(why, cap, PHONESEC_E_PARSE, "FEC_KEY is empty");
        c->has_fec_key = 1; /* its keys are never used: checked lines with it are declined */
    } else {
        const char *q;
        for (q = p; q < e; q++)
            if ((unsigned char)*q < 0x21 || (unsigned char)*q > 0x7e)
                return why_set(why, cap, PHONESEC_E_PARSE, "session parameter with a non-visible character");
        c->n_unknown++;
    }
#undef IS
#undef PREFIX
    return PHONESEC_OK;
}

int phonesec__sdes_parse_tag(const char *line, size_t len, uint32_t *tag)
{
    const char *p = line, *e = line + len, *q;
    uint64_t v;
    if (len >= 9 && phonesec__strncaseeq(p, "a=crypto:", 9))
        p += 9;
    else if (len >= 7 && phonesec__strncaseeq(p, "crypto:", 7))
        p += 7;
    while (p < e && is_wsp(*p))
        p++;
    for (q = p; q < e && is_digit(*q); q++)
        ;
    if (q == p || q - p > 9 || (q < e && !is_wsp(*q)) || dec_u64(p, q, 999999999, &v) != 0)
        return PHONESEC_E_PARSE;
    *tag = (uint32_t)v;
    return PHONESEC_OK;
}

static int parse_into(const char *line, size_t len, phonesec_sdes_crypto *c, char *why, size_t cap)
{
    const char *p = line, *e = line + len, *q, *kp;
    phonesec_srtp_suite_info dd;
    const phonesec_srtp_suite_info *d;
    uint64_t v;
    size_t i;
    int rc;

    memset(c, 0, sizeof *c);
    c->version = PHONESEC_SDES_CRYPTO_VERSION;
    c->kdr = -1;
    if (len > PHONESEC_SDES_LINE_MAX)
        return why_set(why, cap, PHONESEC_E_LIMIT, "line longer than %u bytes", (unsigned)PHONESEC_SDES_LINE_MAX);
    for (i = 0; i < len; i++)
        if (line[i] == '\0' || line[i] == '\r' || line[i] == '\n')
            return why_set(why, cap, PHONESEC_E_PARSE, "NUL or line break inside the line");

    if (len >= 9 && phonesec__strncaseeq(p, "a=crypto:", 9))
        p += 9;
    else if (len >= 7 && phonesec__strncaseeq(p, "crypto:", 7))
        p += 7;
    while (p < e && is_wsp(*p))
        p++;
    /* tag */
    for (q = p; q < e && is_digit(*q); q++)
        ;
    if (q == p)
        return why_set(why, cap, PHONESEC_E_PARSE, "no tag");
    if (q - p > 9 || dec_u64(p, q, 999999999, &v) != 0)
        return why_set(why, cap, PHONESEC_E_PARSE, "tag must be 0..999999999");
    c->tag = (uint32_t)v;
    if (q == e || !is_wsp(*q))
        return why_set(why, cap, PHONESEC_E_PARSE, "tag %u: no white space after the tag", c->tag);
    for (p = q; p < e && is_wsp(*p); p++)
        ;
    /* crypto-suite */
    for (q = p; q < e && !is_wsp(*q); q++)
        if (!(is_digit(*q) || (*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') || *q == '_'))
            return why_set(why, cap, PHONESEC_E_PARSE, "tag %u: crypto-suite has a character other than A-Z 0-9 _",
                           c->tag);
    if (q == p)
        return why_set(why, cap, PHONESEC_E_PARSE, "tag %u: no crypto-suite", c->tag);
    rc = phonesec_sdes_suite_from_name(p, (size_t)(q - p));
    if (rc < 0)
        return why_set(why, cap, PHONESEC_E_UNSUPPORTED, "tag %u: unknown crypto-suite %.*s", c->tag,
                       (int)((q - p) > 40 ? 40 : (q - p)), p);
    c->suite = rc;
    d = suite_def(rc, &dd);
    if (q == e || !is_wsp(*q))
        return why_set(why, cap, PHONESEC_E_PARSE, "tag %u: no key-params", c->tag);
    for (p = q; p < e && is_wsp(*p); p++)
        ;
    if (p == e)
        return why_set(why, cap, PHONESEC_E_PARSE, "tag %u: no key-params", c->tag);
    /* key-params, ';'-separated, up to white space */
    for (q = p; q < e && !is_wsp(*q); q++)
        ;
    for (kp = p; kp < q;) {
        const char *ke;
        for (ke = kp; ke < q && *ke != ';'; ke++)
            ;
        if (c->n_keys == PHONESEC_SRTP_MAX_KEYS)
            return why_set(why, cap, PHONESEC_E_LIMIT, "tag %u: more than %u key-params", c->tag,
                           (unsigned)PHONESEC_SRTP_MAX_KEYS);
        rc = parse_key_param(kp, ke, d, &c->keys[c->n_keys], why, cap, (unsigned)c->n_keys);
        if (rc != PHONESEC_OK)
            return rc;
        c->n_keys++;
        if (ke == q)
            break;
        kp = ke + 1;
        if (kp == q)
            return why_set(why, cap, PHONESEC_E_PARSE, "tag %u: empty key-param after ';'", c->tag);
    }
    if (c->n_keys > 1) {
        size_t j;
        for (i = 0; i < c->n_keys; i++) {
            if (c->keys[i].mki_len == 0 || c->keys[i].mki_len != c->keys[0].mki_len)
                return why_set(why, cap, PHONESEC_E_PARSE,
                               "tag %u: several keys need an MKI of the same length on each", c->tag);
            for (j = 0; j < i; j++)
                if (memcmp(c->keys[i].mki, c->keys[j].mki, c->keys[i].mki_len) == 0)
                    return why_set(why, cap, PHONESEC_E_PARSE, "tag %u: two keys with the same MKI", c->tag);
        }
    }
    /* session params */
    for (p = q; p < e;) {
        while (p < e && is_wsp(*p))
            p++;
        if (p == e)
            break;
        for (q = p; q < e && !is_wsp(*q); q++)
            ;
        rc = parse_session_param(p, q, c, why, cap);
        if (rc != PHONESEC_OK)
            return rc;
        p = q;
    }
    memcpy(c->text, line, len);
    c->text[len] = '\0';
    c->text_len = len;
    return PHONESEC_OK;
}

int phonesec_sdes_crypto_parse(const char *line, size_t len, phonesec_sdes_crypto *out, char *why, size_t why_cap)
{
    phonesec_sdes_crypto *tmp;
    int rc;
    if (why != NULL && why_cap > 0)
        why[0] = '\0';
    if (line == NULL || out == NULL)
        return why_set(why, why_cap, PHONESEC_E_INVAL, "NULL argument");
    tmp = phonesec__malloc(sizeof *tmp);
    if (tmp == NULL)
        return why_set(why, why_cap, PHONESEC_E_NOMEM, "out of memory");
    rc = parse_into(line, len, tmp, why, why_cap);
    if (rc == PHONESEC_OK)
        memcpy(out, tmp, sizeof *tmp);
    phonesec__free_secret(tmp, sizeof *tmp);
    return rc;
}

int phonesec__sdes_crypto_parse_into(const char *line, size_t len, phonesec_sdes_crypto *c, char *why, size_t cap)
{
    int rc = parse_into(line, len, c, why, cap);
    if (rc != PHONESEC_OK)
        phonesec_sdes_crypto_wipe(c);
    return rc;
}

/* Do two parsed lines say the same thing? (Key material compared in constant time.) */
static int same_fields(const phonesec_sdes_crypto *a, const phonesec_sdes_crypto *b)
{
    size_t i;
    int diff = 0;
    if (a->tag != b->tag || a->suite != b->suite || a->flags != b->flags || a->kdr != b->kdr || a->wsh != b->wsh ||
        a->fec_order != b->fec_order || a->has_fec_key != b->has_fec_key || a->n_unknown != b->n_unknown ||
        a->n_keys != b->n_keys)
        return 0;
    for (i = 0; i < a->n_keys; i++) {
        const phonesec_srtp_key *x = &a->keys[i], *y = &b->keys[i];
        if (x->key_len != y->key_len || x->salt_len != y->salt_len || x->mki_len != y->mki_len ||
            x->lifetime != y->lifetime || x->key_len > sizeof x->key || x->salt_len > sizeof x->salt ||
            x->mki_len > sizeof x->mki)
            return 0;
        diff |= phonesec_ct_memcmp(x->key, y->key, x->key_len);
        diff |= phonesec_ct_memcmp(x->salt, y->salt, x->salt_len);
        diff |= memcmp(x->mki, y->mki, x->mki_len) != 0;
    }
    return diff == 0;
}

/* Canonical text of the fields into buf (cap >= PHONESEC_SDES_LINE_MAX + 1). */
static int canonical(const phonesec_sdes_crypto *c, char *buf, size_t cap, size_t *len)
{
    phonesec_srtp_suite_info dd;
    const phonesec_srtp_suite_info *d = suite_def(c->suite, &dd);
    char num[330];
    size_t i, n;
    int w;

    *len = 0;
    buf[0] = '\0';
    if (d == NULL || c->n_keys == 0 || c->n_keys > PHONESEC_SRTP_MAX_KEYS || c->tag > 999999999u)
        return PHONESEC_E_INVAL;
    if (c->has_fec_key || c->n_unknown)
        return PHONESEC_E_UNSUPPORTED;
    w = snprintf(num, sizeof num, "a=crypto:%lu %s ", (unsigned long)c->tag, d->name);
    if (phonesec__buf_append(buf, cap, len, num, (size_t)w) != 0)
        return PHONESEC_E_LIMIT;
    for (i = 0; i < c->n_keys; i++) {
        const phonesec_srtp_key *k = &c->keys[i];
        uint8_t ks[PHONESEC_SRTP_MAX_KEY_LEN + PHONESEC_SRTP_MAX_SALT_LEN];
        char b64[80];
        int rc;
        if (k->key_len != d->key_len || k->salt_len != d->salt_len || k->mki_len > PHONESEC_SRTP_MAX_MKI_LEN ||
            k->lifetime > MAX_LIFETIME)
            return PHONESEC_E_INVAL;
        memcpy(ks, k->key, k->key_len);
        memcpy(ks + k->key_len, k->salt, k->salt_len);
        rc = phonesec_base64_encode(ks, k->key_len + k->salt_len, PHONESEC_BASE64_STD, b64, sizeof b64, &n);
        phonesec_memzero(ks, sizeof ks);
        if (rc != PHONESEC_OK)
            return PHONESEC_E_INTERNAL;
        rc = (i > 0 && phonesec__buf_append(buf, cap, len, ";", 1) != 0) ||
             phonesec__buf_append(buf, cap, len, "inline:", 7) != 0 || phonesec__buf_append(buf, cap, len, b64, n);
        phonesec_memzero(b64, sizeof b64);
        if (rc)
            return PHONESEC_E_LIMIT;
        if (k->lifetime) {
            unsigned e2 = 0;
            while (e2 < 48 && (UINT64_C(1) << e2) < k->lifetime)
                e2++;
            if ((UINT64_C(1) << e2) == k->lifetime)
                w = snprintf(num, sizeof num, "|2^%u", e2);
            else
                w = snprintf(num, sizeof num, "|%llu", (unsigned long long)k->lifetime);
            if (phonesec__buf_append(buf, cap, len, num, (size_t)w) != 0)
                return PHONESEC_E_LIMIT;
        }
        if (k->mki_len) {
            num[0] = '|';
            n = be_to_dec(k->mki, k->mki_len, num + 1, sizeof num - 8);
            w = snprintf(num + 1 + n, sizeof num - 1 - n, ":%u", (unsigned)k->mki_len);
            if (phonesec__buf_append(buf, cap, len, num, 1 + n + (size_t)w) != 0)
                return PHONESEC_E_LIMIT;
        }
    }
    if (c->kdr >= 0) {
        w = snprintf(num, sizeof num, " KDR=%d", c->kdr);
        if (phonesec__buf_append(buf, cap, len, num, (size_t)w) != 0)
            return PHONESEC_E_LIMIT;
    }
    if ((c->flags & PHONESEC_SRTP_F_UNENCRYPTED_SRTP) &&
        phonesec__buf_append(buf, cap, len, " UNENCRYPTED_SRTP", 17) != 0)
        return PHONESEC_E_LIMIT;
    if ((c->flags & PHONESEC_SRTP_F_UNENCRYPTED_SRTCP) &&
        phonesec__buf_append(buf, cap, len, " UNENCRYPTED_SRTCP", 18) != 0)
        return PHONESEC_E_LIMIT;
    if ((c->flags & PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP) &&
        phonesec__buf_append(buf, cap, len, " UNAUTHENTICATED_SRTP", 21) != 0)
        return PHONESEC_E_LIMIT;
    if (c->fec_order) {
        const char *s = c->fec_order == PHONESEC_SDES_FEC_SRTP ? " FEC_ORDER=FEC_SRTP" : " FEC_ORDER=SRTP_FEC";
        if (phonesec__buf_append(buf, cap, len, s, strlen(s)) != 0)
            return PHONESEC_E_LIMIT;
    }
    if (c->wsh) {
        w = snprintf(num, sizeof num, " WSH=%lu", (unsigned long)c->wsh);
        if (phonesec__buf_append(buf, cap, len, num, (size_t)w) != 0)
            return PHONESEC_E_LIMIT;
    }
    return PHONESEC_OK;
}

/* Set c->text to the canonical form of its fields. */
int phonesec__sdes_crypto_render(phonesec_sdes_crypto *c)
{
    size_t n;
    return canonical(c, c->text, sizeof c->text, &n) == PHONESEC_OK ? (c->text_len = n, PHONESEC_OK)
                                                                     : PHONESEC_E_INVAL;
}

int phonesec_sdes_crypto_print(const phonesec_sdes_crypto *c, char *out, size_t out_cap, size_t *out_len)
{
    phonesec_sdes_crypto *tmp;
    const char *src;
    size_t n;
    int rc = PHONESEC_OK;

    if (c == NULL || out_len == NULL || (out == NULL && out_cap > 0) || !PHONESEC__VERSION_OK(c->version, PHONESEC_SDES_CRYPTO_VERSION))
        return PHONESEC_E_INVAL;
    tmp = phonesec__malloc(sizeof *tmp);
    if (tmp == NULL)
        return PHONESEC_E_NOMEM;
    /* The stored spelling, as long as it still says what the fields say. */
    if (c->text_len <= PHONESEC_SDES_LINE_MAX && memchr(c->text, 0, sizeof c->text) == c->text + c->text_len &&
        parse_into(c->text, c->text_len, tmp, NULL, 0) == PHONESEC_OK && same_fields(c, tmp)) {
        src = c->text;
        n = c->text_len;
    } else {
        rc = canonical(c, tmp->text, sizeof tmp->text, &n);
        src = tmp->text;
    }
    if (rc == PHONESEC_OK) {
        *out_len = n;
        if (n + 1 > out_cap)
            rc = PHONESEC_E_BUFFER_SMALL;
        else {
            memcpy(out, src, n);
            out[n] = '\0';
        }
    }
    phonesec__free_secret(tmp, sizeof *tmp);
    return rc;
}

int phonesec_sdes_crypto_generate(uint32_t tag, int suite, size_t mki_len,
                                  uint32_t mki_value, uint64_t lifetime, phonesec_sdes_crypto *out)
{
    phonesec_srtp_suite_info dd;
    const phonesec_srtp_suite_info *d = suite_def(suite, &dd);
    phonesec_srtp_key *k;
    size_t i;
    uint8_t rnd[PHONESEC_SRTP_MAX_KEY_LEN + PHONESEC_SRTP_MAX_SALT_LEN];

    if (out == NULL || d == NULL || tag > 999999999u ||
        mki_len > 4 || lifetime > MAX_LIFETIME || (mki_len < 4 && mki_len > 0 && (mki_value >> (8 * mki_len)) != 0) ||
        (mki_len == 0 && mki_value != 0))
        return PHONESEC_E_INVAL;
    if (phonesec_random(rnd, (size_t)d->key_len + d->salt_len) != PHONESEC_OK) {
        phonesec_memzero(rnd, sizeof rnd);
        return PHONESEC_E_RANDOM;
    }
    phonesec_sdes_crypto_wipe(out);
    out->version = PHONESEC_SDES_CRYPTO_VERSION;
    out->tag = tag;
    out->suite = suite;
    out->kdr = -1;
    out->n_keys = 1;
    k = &out->keys[0];
    memcpy(k->key, rnd, d->key_len);
    k->key_len = d->key_len;
    memcpy(k->salt, rnd + d->key_len, d->salt_len);
    k->salt_len = d->salt_len;
    phonesec_memzero(rnd, sizeof rnd);
    k->lifetime = lifetime;
    k->mki_len = mki_len;
    for (i = 0; i < mki_len; i++)
        k->mki[i] = (uint8_t)(mki_value >> (8 * (mki_len - 1 - i)));
    if (phonesec__sdes_crypto_render(out) != PHONESEC_OK) {
        phonesec_sdes_crypto_wipe(out);
        return PHONESEC_E_INTERNAL;
    }
    return PHONESEC_OK;
}

int phonesec_sdes_crypto_check(const phonesec_sdes_crypto *c, unsigned allow, char *why, size_t why_cap)
{
    const char *name;
    int gcm, rc;
    if (why != NULL && why_cap > 0)
        why[0] = '\0';
    if (c == NULL || !PHONESEC__VERSION_OK(c->version, PHONESEC_SDES_CRYPTO_VERSION))
        return why_set(why, why_cap, PHONESEC_E_INVAL, "NULL or unversioned line");
    name = phonesec_sdes_suite_name(c->suite);
    if (name == NULL || c->n_keys == 0)
        return why_set(why, why_cap, PHONESEC_E_INVAL, "line without suite or key");
    if (phonesec__sdes_suite_runs(c->suite, &rc) != PHONESEC_OK)
        return why_set(why, why_cap, rc == PHONESEC_E_CRYPTO ? PHONESEC_E_CRYPTO : PHONESEC_E_UNSUPPORTED,
                       "tag %u: %s: %s", c->tag, name, phonesec__sdes_suite_not_run_reason(c->suite, rc));
    if ((c->suite == PHONESEC_SRTP_NULL_HMAC_SHA1_80 || c->suite == PHONESEC_SRTP_NULL_HMAC_SHA1_32) &&
        !(allow & PHONESEC_SDES_ALLOW_NULL))
        return why_set(why, why_cap, PHONESEC_E_POLICY, "tag %u: %s (no encryption) is not enabled", c->tag, name);
    if (c->n_unknown)
        return why_set(why, why_cap, PHONESEC_E_UNSUPPORTED, "tag %u: unknown session parameter", c->tag);
    if (c->fec_order != PHONESEC_SDES_FEC_NONE || c->has_fec_key)
        return why_set(why, why_cap, PHONESEC_E_UNSUPPORTED, "tag %u: FEC_ORDER/FEC_KEY cannot be honoured (no FEC)",
                       c->tag);
    if (c->kdr > 0 && phonesec_srtp_engine_supports(c->suite, 0, PHONESEC_SRTP_FEAT_KDR) != PHONESEC_OK)
        return why_set(why, why_cap, PHONESEC_E_UNSUPPORTED,
                       "tag %u: KDR=%d cannot be honoured (the SRTP engine derives session keys once)", c->tag,
                       c->kdr);
    if (c->wsh != 0 && c->wsh < 64)
        return why_set(why, why_cap, PHONESEC_E_PARSE, "tag %u: WSH below the minimum of 64", c->tag);
    if (c->wsh > 32767)
        return why_set(why, why_cap, PHONESEC_E_UNSUPPORTED, "tag %u: WSH above libsrtp2's 32767", c->tag);
    gcm = c->suite == PHONESEC_SRTP_AEAD_AES_128_GCM || c->suite == PHONESEC_SRTP_AEAD_AES_256_GCM;
    if (c->flags) {
        if (gcm)
            return why_set(why, why_cap, PHONESEC_E_UNSUPPORTED,
                           "tag %u: UNENCRYPTED_*/UNAUTHENTICATED_SRTP with an AEAD suite", c->tag);
        if (!(allow & PHONESEC_SDES_ALLOW_UNENCRYPTED))
            return why_set(why, why_cap, PHONESEC_E_POLICY,
                           "tag %u: UNENCRYPTED_*/UNAUTHENTICATED_SRTP not allowed by the policy", c->tag);
        /* phonesec_srtp_new() wants PHONESEC_SRTP_OPT_ALLOW_NULL for RTP with
         * neither encryption nor authentication. */
        if ((c->flags & PHONESEC_SRTP_F_UNENCRYPTED_SRTP) && (c->flags & PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP) &&
            !(allow & PHONESEC_SDES_ALLOW_NULL))
            return why_set(why, why_cap, PHONESEC_E_POLICY,
                           "tag %u: clear RTP (UNENCRYPTED_SRTP and UNAUTHENTICATED_SRTP) needs ALLOW_NULL",
                           c->tag);
    }
    if (c->keys[0].mki_len > 0 && gcm && !phonesec__sdes_mki_usable(c->suite, c->flags, allow))
        return why_set(why, why_cap, PHONESEC_E_UNSUPPORTED,
                       "tag %u: MKI with %s: libsrtp2 misplaces the MKI of AEAD packets", c->tag, name);
    if (c->keys[0].mki_len > 0 && !phonesec__sdes_mki_usable(c->suite, c->flags, allow))
        return why_set(why, why_cap, PHONESEC_E_UNSUPPORTED,
                       "tag %u: MKI needs equal SRTP/SRTCP tags (%s): libsrtp2 misplaces the SRTCP MKI", c->tag,
                       (c->flags & PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP) ? "UNAUTHENTICATED_SRTP has none"
                                                                          : "32/80 bits; SRTCP_TAG32_COMPAT evens them");
    return PHONESEC_OK;
}

int phonesec_sdes_crypto_to_params(const phonesec_sdes_crypto *c, unsigned allow, phonesec_srtp_params *out)
{
    phonesec_srtp_suite_info dd;
    const phonesec_srtp_suite_info *d;
    if (c == NULL || out == NULL || !PHONESEC__VERSION_OK(c->version, PHONESEC_SDES_CRYPTO_VERSION) || c->n_keys == 0 ||
        c->n_keys > PHONESEC_SRTP_MAX_KEYS)
        return PHONESEC_E_INVAL;
    d = suite_def(c->suite, &dd);
    if (d == NULL)
        return PHONESEC_E_INVAL;
    phonesec_memzero(out, sizeof *out);
    out->version = PHONESEC_SRTP_PARAMS_VERSION;
    out->suite = c->suite;
    out->flags = c->flags;
    if ((allow & PHONESEC_SDES_SRTCP_TAG32_COMPAT) && !d->aead && d->rtp_tag_len == 4)
        out->flags |= PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT;
    out->n_keys = c->n_keys;
    memcpy(out->keys, c->keys, c->n_keys * sizeof c->keys[0]);
    out->kdr = c->kdr > 0 ? (uint32_t)c->kdr : 0;
    out->wsh = c->wsh;
    out->roc = 0;
    return PHONESEC_OK;
}

void phonesec_sdes_crypto_wipe(phonesec_sdes_crypto *c)
{
    if (c != NULL)
        phonesec_memzero(c, sizeof *c);
}

int phonesec_sdes_line_to_params(const char *line, size_t len, unsigned allow, phonesec_srtp_params *out,
                                 char *why, size_t why_cap)
{
    phonesec_sdes_crypto *c;
    int rc;
    if (why != NULL && why_cap > 0)
        why[0] = '\0';
    if (line == NULL || out == NULL)
        return why_set(why, why_cap, PHONESEC_E_INVAL, "NULL argument");
    c = phonesec__malloc(sizeof *c);
    if (c == NULL)
        return why_set(why, why_cap, PHONESEC_E_NOMEM, "out of memory");
    rc = parse_into(line, len, c, why, why_cap);
    if (rc == PHONESEC_OK)
        rc = phonesec_sdes_crypto_check(c, allow, why, why_cap);
    if (rc == PHONESEC_OK)
        rc = phonesec_sdes_crypto_to_params(c, allow, out);
    phonesec__free_secret(c, sizeof *c);
    return rc;
}
