/*
 * libphonesec - ciphers: OpenSSL cipher-string evaluation.
 *
 * The model is OpenSSL 1.1.1/3.0's ssl_create_cipher_list(): one ordered
 * list holding every suite, each either active (selected) or not. The list
 * starts in descending IANA order, gets OpenSSL's default preference order
 * (ECDHE first, AEAD first, strength, ...), everything is deactivated, and
 * then each word of the string acts on the suites its masks match:
 *   WORD   add the inactive matching suites at the end (in list order)
 *   -WORD  deactivate the matching active suites, moving them to the front
 *          (so a later WORD brings them back in their old order)
 *   +WORD  move the matching active suites to the end
 *   !WORD  remove the matching suites for good
 *   @STRENGTH      stable sort of the active suites by strength bits
 *   @SECLEVEL=n    n in 0..5: accepted and recorded (see ciphers.h)
 * A+B+C ANDs the masks of its parts; a part that is unknown, or that leaves
 * an empty mask, makes the whole word be ignored, as OpenSSL ignores it.
 * No allocation: the list lives on the stack.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ciphers/internal.h"

#define MAXN PHONESEC__CIPHERS_MAX

enum { OP_ADD, OP_KILL, OP_DEL, OP_ORD, OP_SPECIAL, OP_BUMP };

typedef struct rule {
    uint32_t mkey, auth, enc, mac;
    uint32_t cls;
    uint16_t min_tls;
    int cipher; /* table index of an explicitly named suite, or -1 */
} rule;

typedef struct alias {
    const char *name;
    uint8_t len;
    uint32_t mkey, auth, enc, mac;
    uint16_t min_tls;
    uint8_t cls;
} alias;

#define AL(n, k, a, e, m, v, c) {n, (uint8_t)(sizeof(n) - 1), k, a, e, m, v, c}

/* OpenSSL 3.0's cipher_aliases[] as sets over our bits. The GOST aliases
 * are left out: OpenSSL drops them from its list when no GOST engine or
 * provider is loaded (the default), so they parse as unknown words. */
static const alias aliases[] = {
    AL("ALL", 0, 0, ~E_NULL, 0, 0, 0),
    AL("COMPLEMENTOFALL", 0, 0, E_NULL, 0, 0, 0),
    AL("COMPLEMENTOFDEFAULT", 0, 0, 0, 0, 0, C_NOT_DEFAULT),
    AL("kRSA", K_RSA, 0, 0, 0, 0, 0),
    AL("kEDH", K_DHE, 0, 0, 0, 0, 0),
    AL("kDHE", K_DHE, 0, 0, 0, 0, 0),
    AL("DH", K_DHE, 0, 0, 0, 0, 0),
    AL("kEECDH", K_ECDHE, 0, 0, 0, 0, 0),
    AL("kECDHE", K_ECDHE, 0, 0, 0, 0, 0),
    AL("ECDH", K_ECDHE, 0, 0, 0, 0, 0),
    AL("kPSK", K_PSK, 0, 0, 0, 0, 0),
    AL("kRSAPSK", K_RSAPSK, 0, 0, 0, 0, 0),
    AL("kECDHEPSK", K_ECDHEPSK, 0, 0, 0, 0, 0),
    AL("kDHEPSK", K_DHEPSK, 0, 0, 0, 0, 0),
    AL("kSRP", K_SRP, 0, 0, 0, 0, 0),
    AL("aRSA", 0, A_RSA, 0, 0, 0, 0),
    AL("aDSS", 0, A_DSS, 0, 0, 0, 0),
    AL("DSS", 0, A_DSS, 0, 0, 0, 0),
    AL("aNULL", 0, A_NULL, 0, 0, 0, 0),
    AL("aECDSA", 0, A_ECDSA, 0, 0, 0, 0),
    AL("ECDSA", 0, A_ECDSA, 0, 0, 0, 0),
    AL("aPSK", 0, A_PSK, 0, 0, 0, 0),
    AL("aSRP", 0, A_SRP, 0, 0, 0, 0),
    AL("EDH", K_DHE, ~A_NULL, 0, 0, 0, 0),
    AL("DHE", K_DHE, ~A_NULL, 0, 0, 0, 0),
    AL("EECDH", K_ECDHE, ~A_NULL, 0, 0, 0, 0),
    AL("ECDHE", K_ECDHE, ~A_NULL, 0, 0, 0, 0),
    AL("NULL", 0, 0, E_NULL, 0, 0, 0),
    AL("RSA", K_RSA, A_RSA, 0, 0, 0, 0),
    AL("ADH", K_DHE, A_NULL, 0, 0, 0, 0),
    AL("AECDH", K_ECDHE, A_NULL, 0, 0, 0, 0),
    AL("PSK", K_PSK_ALL, 0, 0, 0, 0, 0),
    AL("SRP", K_SRP, 0, 0, 0, 0, 0),
    AL("3DES", 0, 0, E_3DES, 0, 0, 0),
    AL("RC4", 0, 0, E_RC4, 0, 0, 0),
    AL("RC2", 0, 0, E_RC2, 0, 0, 0),
    AL("IDEA", 0, 0, E_IDEA, 0, 0, 0),
    AL("SEED", 0, 0, E_SEED, 0, 0, 0),
    AL("eNULL", 0, 0, E_NULL, 0, 0, 0),
    AL("AES128", 0, 0, E_AES128 | E_AES128GCM | E_AES128CCM | E_AES128CCM8, 0, 0, 0),
    AL("AES256", 0, 0, E_AES256 | E_AES256GCM | E_AES256CCM | E_AES256CCM8, 0, 0, 0),
    AL("AES", 0, 0, E_AES, 0, 0, 0),
    AL("AESGCM", 0, 0, E_AESGCM, 0, 0, 0),
    AL("AESCCM", 0, 0, E_AESCCM, 0, 0, 0),
    AL("AESCCM8", 0, 0, E_AES128CCM8 | E_AES256CCM8, 0, 0, 0),
    AL("CAMELLIA128", 0, 0, E_CAMELLIA128, 0, 0, 0),
    AL("CAMELLIA256", 0, 0, E_CAMELLIA256, 0, 0, 0),
    AL("CAMELLIA", 0, 0, E_CAMELLIA, 0, 0, 0),
    AL("CHACHA20", 0, 0, E_CHACHA20POLY1305, 0, 0, 0),
    AL("ARIA", 0, 0, E_ARIA, 0, 0, 0),
    AL("ARIAGCM", 0, 0, E_ARIA, 0, 0, 0),
    AL("ARIA128", 0, 0, E_ARIA128GCM, 0, 0, 0),
    AL("ARIA256", 0, 0, E_ARIA256GCM, 0, 0, 0),
    AL("CBC", 0, 0, E_CBC, 0, 0, 0),
    AL("MD5", 0, 0, 0, M_MD5, 0, 0),
    AL("SHA1", 0, 0, 0, M_SHA1, 0, 0),
    AL("SHA", 0, 0, 0, M_SHA1, 0, 0),
    AL("SHA256", 0, 0, 0, M_SHA256, 0, 0),
    AL("SHA384", 0, 0, 0, M_SHA384, 0, 0),
    AL("SSLv3", 0, 0, 0, 0, V_SSL3, 0),
    AL("TLSv1", 0, 0, 0, 0, V_TLS1, 0),
    AL("TLSv1.0", 0, 0, 0, 0, V_TLS1, 0),
    AL("TLSv1.2", 0, 0, 0, 0, V_TLS1_2, 0),
    AL("LOW", 0, 0, 0, 0, 0, C_LOW),
    AL("MEDIUM", 0, 0, 0, 0, 0, C_MEDIUM),
    AL("HIGH", 0, 0, 0, 0, 0, C_HIGH),
    AL("FIPS", 0, 0, ~E_NULL, 0, 0, C_FIPS),
    /* OpenSSL keeps these two old names as aliases, classed HIGH although
     * the suites are MEDIUM: so they select nothing. We do the same. */
    AL("EDH-DSS-DES-CBC3-SHA", K_DHE, A_DSS, E_3DES, M_SHA1, 0, C_HIGH | C_FIPS),
    AL("EDH-RSA-DES-CBC3-SHA", K_DHE, A_RSA, E_3DES, M_SHA1, 0, C_HIGH | C_FIPS),
/* Suites OpenSSL knows and we do not offer: known words that select nothing
 * here, so that what follows them parses exactly as in OpenSSL. */
#define F(n, k, a, e, m, c) AL(n, k, a, e, m, 0, c),
#include "foreign.inc"
#undef F
};

/* The working list: ord[] holds table indices in list order (suites removed
 * by '!' are gone from it); active[] is indexed by table index. */
typedef struct clist {
    uint8_t ord[MAXN];
    uint8_t active[MAXN];
    size_t n;
    const phonesec__cipher *t;
} clist;

static int rule_matches(const phonesec__cipher *c, int idx, const rule *r)
{
    if (r->cipher >= 0 && r->cipher != idx)
        return 0;
    if (r->mkey && !(r->mkey & c->mkey))
        return 0;
    if (r->auth && !(r->auth & c->auth))
        return 0;
    if (r->enc && !(r->enc & c->enc))
        return 0;
    if (r->mac && !(r->mac & c->mac))
        return 0;
    if (r->min_tls && r->min_tls != c->min_tls)
        return 0;
    if ((r->cls & C_STRONG_MASK) && !(r->cls & C_STRONG_MASK & c->cls))
        return 0;
    if ((r->cls & C_DEFAULT_MASK) && !(r->cls & C_DEFAULT_MASK & c->cls))
        return 0;
    return 1;
}

static void apply(clist *l, const rule *r, int op)
{
    uint8_t keep[MAXN], moved[MAXN];
    size_t nk = 0, nm = 0, i;

    for (i = 0; i < l->n; i++) {
        uint8_t x = l->ord[i];
        int hit = rule_matches(&l->t[x], x, r);
        switch (op) {
        case OP_ADD:
            hit = hit && !l->active[x];
            if (hit)
                l->active[x] = 1;
            break;
        case OP_DEL:
            hit = hit && l->active[x];
            if (hit)
                l->active[x] = 0;
            break;
        case OP_ORD:
        case OP_BUMP:
            hit = hit && l->active[x];
            break;
        case OP_KILL:
            if (hit) {
                l->active[x] = 0;
                continue; /* gone for good */
            }
            break;
        default:
            break;
        }
        if (hit)
            moved[nm++] = x;
        else
            keep[nk++] = x;
    }
    if (op == OP_DEL || op == OP_BUMP) { /* to the front, order kept */
        memcpy(l->ord, moved, nm);
        memcpy(l->ord + nm, keep, nk);
    } else { /* to the end, order kept */
        memcpy(l->ord, keep, nk);
        memcpy(l->ord + nk, moved, nm);
    }
    l->n = nk + nm;
}

/* OpenSSL's ssl_cipher_strength_sort(): for each strength value from the
 * highest down, move the active suites of that strength to the end. The
 * result: inactive suites first (order kept), then the active ones stably
 * sorted by descending strength. */
static void strength_sort(clist *l)
{
    uint8_t out[MAXN];
    size_t no = 0, i, j;
    int levels[MAXN], nl = 0, k;

    for (i = 0; i < l->n; i++) {
        uint8_t x = l->ord[i];
        if (!l->active[x]) {
            out[no++] = x;
            continue;
        }
        for (k = 0; k < nl; k++)
            if (levels[k] == l->t[x].pub.strength_bits)
                break;
        if (k == nl && nl < (int)(sizeof levels / sizeof levels[0]))
            levels[nl++] = l->t[x].pub.strength_bits;
    }
    /* levels descending (tiny insertion sort) */
    for (k = 1; k < nl; k++) {
        int v = levels[k], m = k;
        while (m > 0 && levels[m - 1] < v) {
            levels[m] = levels[m - 1];
            m--;
        }
        levels[m] = v;
    }
    for (k = 0; k < nl; k++)
        for (j = 0; j < l->n; j++) {
            uint8_t x = l->ord[j];
            if (l->active[x] && l->t[x].pub.strength_bits == levels[k])
                out[no++] = x;
        }
    memcpy(l->ord, out, no);
}

static void rule_init(rule *r)
{
    memset(r, 0, sizeof *r);
    r->cipher = -1;
}

static void apply_simple(clist *l, uint32_t mkey, uint32_t auth, uint32_t enc, uint32_t mac, uint16_t min_tls,
                         int op)
{
    rule r;
    rule_init(&r);
    r.mkey = mkey;
    r.auth = auth;
    r.enc = enc;
    r.mac = mac;
    r.min_tls = min_tls;
    apply(l, &r, op);
}

/* OpenSSL's default preference order, computed as ssl_create_cipher_list()
 * does before it reads the string: start in descending IANA order, apply the
 * fixed preference rules, deactivate everything (order kept). */
static void default_order_compute(clist *l)
{
    size_t n, i;
    const phonesec__cipher *t = phonesec__ciphers_table(&n);

    l->t = t;
    l->n = 0;
    memset(l->active, 0, sizeof l->active);
    for (i = n; i-- > 0;) /* descending IANA code */
        if (t[i].min_tls != V_TLS1_3)
            l->ord[l->n++] = (uint8_t)i;

    apply_simple(l, K_ECDHE, A_ECDSA, 0, 0, 0, OP_ADD);
    apply_simple(l, K_ECDHE, 0, 0, 0, 0, OP_ADD);
    apply_simple(l, K_ECDHE, 0, 0, 0, 0, OP_DEL);
    apply_simple(l, 0, 0, E_AESGCM, 0, 0, OP_ADD);
    apply_simple(l, 0, 0, E_CHACHA20POLY1305, 0, 0, OP_ADD);
    apply_simple(l, 0, 0, E_AES ^ E_AESGCM, 0, 0, OP_ADD);
    apply_simple(l, 0, 0, 0, 0, 0, OP_ADD);
    apply_simple(l, 0, 0, 0, M_MD5, 0, OP_ORD);
    apply_simple(l, 0, A_NULL, 0, 0, 0, OP_ORD);
    apply_simple(l, K_RSA, 0, 0, 0, 0, OP_ORD);
    apply_simple(l, K_PSK, 0, 0, 0, 0, OP_ORD);
    apply_simple(l, 0, 0, E_RC4, 0, 0, OP_ORD);
    strength_sort(l);
    apply_simple(l, 0, 0, 0, 0, V_TLS1_2, OP_BUMP);
    apply_simple(l, 0, 0, 0, M_AEAD, 0, OP_BUMP);
    apply_simple(l, K_DHE | K_ECDHE, 0, 0, 0, 0, OP_BUMP);
    apply_simple(l, K_DHE | K_ECDHE, 0, 0, M_AEAD, 0, OP_BUMP);
    apply_simple(l, 0, 0, 0, 0, 0, OP_DEL);
}

/* The same order, computed once at development time (order.inc); the unit
 * test checks it against default_order_compute(). */
static const uint8_t default_order[] = {
#include "order.inc"
};

size_t phonesec__ciphers_default_order(uint8_t *out, size_t cap)
{
    clist l;
    default_order_compute(&l);
    if (l.n <= cap)
        memcpy(out, l.ord, l.n);
    return l.n;
}

/* The list every cipher string starts from: the default order, all inactive. */
static void clist_init(clist *l)
{
    size_t n;
    l->t = phonesec__ciphers_table(&n);
    l->n = sizeof default_order;
    memcpy(l->ord, default_order, sizeof default_order);
    memset(l->active, 0, sizeof l->active);
}

static int is_sep(char c)
{
    return c == ':' || c == ' ' || c == ';' || c == ',';
}

static int is_word(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '=';
}

/* Look a word up: a suite name (index into the table, *a NULL) or an alias. */
static int lookup(const clist *l, const char *w, size_t len, const alias **a)
{
    size_t i, n;
    const phonesec__cipher *t = phonesec__ciphers_table(&n);

    *a = NULL;
    for (i = 0; i < n; i++) {
        const char *nm = t[i].pub.openssl_name;
        if (t[i].min_tls != V_TLS1_3 && nm[0] == w[0] && strncmp(nm, w, len) == 0 && nm[len] == '\0')
            return (int)i;
    }
    for (i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (aliases[i].len == len && memcmp(aliases[i].name, w, len) == 0) {
            *a = &aliases[i];
            return -1;
        }
    (void)l;
    return -2;
}

/* AND one mask into a rule: returns 0 when the result is empty. */
static int and_mask(uint32_t *acc, uint32_t m)
{
    if (m == 0)
        return 1;
    *acc = *acc ? (*acc & m) : m;
    return *acc != 0;
}

static int and_class(uint32_t *acc, uint32_t m, uint32_t group)
{
    if ((m & group) == 0)
        return 1;
    if (*acc & group) {
        *acc &= (m & group) | ~group;
        return (*acc & group) != 0;
    }
    *acc |= m & group;
    return 1;
}

static int process(clist *l, const char *p, int *seclevel)
{
    for (;;) {
        char ch = *p;
        int op, found = 0;
        const char *buf = p;
        size_t buflen = 0;
        rule r;

        if (ch == '\0')
            break;
        if (ch == '-') {
            op = OP_DEL;
            p++;
        } else if (ch == '+') {
            op = OP_ORD;
            p++;
        } else if (ch == '!') {
            op = OP_KILL;
            p++;
        } else if (ch == '@') {
            op = OP_SPECIAL;
            p++;
        } else {
            op = OP_ADD;
        }
        if (is_sep(ch)) {
            p++;
            continue;
        }
        rule_init(&r);
        for (;;) {
            const alias *a;
            int idx, multi = 0;
            uint32_t cls;

            buf = p;
            buflen = 0;
            while (is_word(*p)) {
                p++;
                buflen++;
            }
            if (buflen == 0)
                return PHONESEC_E_PARSE; /* OpenSSL: "invalid command" */
            if (op == OP_SPECIAL)
                break;
            if (*p == '+') {
                multi = 1;
                p++;
            }
            r.cipher = -1;
            idx = lookup(l, buf, buflen, &a);
            if (idx == -2) {
                found = 0;
                break;
            }
            found = 1;
            if (idx >= 0) {
                const phonesec__cipher *c = &l->t[idx];
                if (!and_mask(&r.mkey, c->mkey) || !and_mask(&r.auth, c->auth) || !and_mask(&r.enc, c->enc) ||
                    !and_mask(&r.mac, c->mac)) {
                    found = 0;
                    break;
                }
                cls = c->cls;
            } else {
                if (!and_mask(&r.mkey, a->mkey) || !and_mask(&r.auth, a->auth) || !and_mask(&r.enc, a->enc) ||
                    !and_mask(&r.mac, a->mac)) {
                    found = 0;
                    break;
                }
                cls = a->cls;
            }
            if (!and_class(&r.cls, cls, C_STRONG_MASK) || !and_class(&r.cls, cls, C_DEFAULT_MASK)) {
                found = 0;
                break;
            }
            if (idx >= 0) {
                r.cipher = idx; /* its version is not part of the pattern */
            } else if (a->min_tls) {
                if (r.min_tls != 0 && r.min_tls != a->min_tls) {
                    found = 0;
                    break;
                }
                r.min_tls = a->min_tls;
            }
            if (!multi)
                break;
        }
        if (op == OP_SPECIAL) {
            if (buflen == 8 && strncmp(buf, "STRENGTH", 8) == 0) {
                strength_sort(l);
            } else if (buflen == 10 && strncmp(buf, "SECLEVEL=", 9) == 0 && buf[9] >= '0' && buf[9] <= '5') {
                *seclevel = buf[9] - '0';
            } else {
                return PHONESEC_E_PARSE;
            }
            while (*p != '\0' && !is_sep(*p))
                p++;
        } else if (found) {
            apply(l, &r, op);
        } else {
            while (*p != '\0' && !is_sep(*p))
                p++;
        }
        if (*p == '\0')
            break;
    }
    return PHONESEC_OK;
}

int phonesec__ciphers_eval(const char *str, uint16_t *codes, size_t cap, size_t *count, int *seclevel)
{
    clist l;
    size_t i, n = 0;
    int rc, level = -1;
    const char *rest = str;

    if (str == NULL || count == NULL || (codes == NULL && cap > 0))
        return PHONESEC_E_INVAL;
    /* Suite B modes replace the whole string, as in OpenSSL. */
    if (strncmp(str, "SUITEB128ONLY", 13) == 0)
        rest = "ECDHE-ECDSA-AES128-GCM-SHA256";
    else if (strncmp(str, "SUITEB128C2", 11) == 0)
        rest = "ECDHE-ECDSA-AES256-GCM-SHA384";
    else if (strncmp(str, "SUITEB128", 9) == 0)
        rest = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    else if (strncmp(str, "SUITEB192", 9) == 0)
        rest = "ECDHE-ECDSA-AES256-GCM-SHA384";

    clist_init(&l);
    if (strncmp(rest, "DEFAULT", 7) == 0) {
        rc = process(&l, "ALL:!COMPLEMENTOFDEFAULT:!eNULL", &level);
        if (rc != PHONESEC_OK)
            return rc;
        rest += 7;
        if (*rest == ':')
            rest++;
    }
    rc = process(&l, rest, &level);
    if (rc != PHONESEC_OK)
        return rc;
    for (i = 0; i < l.n; i++)
        if (l.active[l.ord[i]])
            n++;
    if (n == 0)
        return PHONESEC_E_NO_MATCH;
    *count = n;
    if (seclevel != NULL)
        *seclevel = level;
    if (n > cap)
        return PHONESEC_E_BUFFER_SMALL;
    n = 0;
    for (i = 0; i < l.n; i++)
        if (l.active[l.ord[i]])
            codes[n++] = l.t[l.ord[i]].pub.iana;
    return PHONESEC_OK;
}

int phonesec_ciphers_select(const char *str, uint16_t *codes, size_t cap, size_t *count)
{
    return phonesec__ciphers_eval(str, codes, cap, count, NULL);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int phonesec_ciphers_select_tls13(const char *str, uint16_t *codes, size_t cap, size_t *count)
{
    uint16_t found[MAXN];
    size_t n = 0, i, tn;
    const phonesec__cipher *t = phonesec__ciphers_table(&tn);
    const char *p = str;

    if (count == NULL || (codes == NULL && cap > 0))
        return PHONESEC_E_INVAL;
    if (str == NULL || *str == '\0') {
        *count = 0;
        return PHONESEC_OK;
    }
    while (*p != '\0') {
        const char *s = p, *e;
        while (*p != '\0' && *p != ':')
            p++;
        e = p;
        if (*p == ':')
            p++;
        while (s < e && is_space(*s))
            s++;
        while (e > s && is_space(e[-1]))
            e--;
        if (s == e)
            continue;
        for (i = 0; i < tn; i++) {
            const char *nm = t[i].pub.iana_name;
            if (t[i].min_tls == V_TLS1_3 && strncmp(nm, s, (size_t)(e - s)) == 0 && nm[e - s] == '\0') {
                size_t k;
                for (k = 0; k < n; k++)
                    if (found[k] == t[i].pub.iana)
                        break;
                if (k == n && n < MAXN)
                    found[n++] = t[i].pub.iana;
                break;
            }
        }
    }
    if (n == 0) /* as OpenSSL: a non-empty list naming no known suite */
        return PHONESEC_E_NO_MATCH;
    *count = n;
    if (n > cap)
        return PHONESEC_E_BUFFER_SMALL;
    if (n > 0)
        memcpy(codes, found, n * sizeof found[0]);
    return PHONESEC_OK;
}

static int is_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

int phonesec_ciphers_select_or_preset(const char *str, int preset, uint16_t *codes, size_t cap, size_t *count,
                                      int *used_fallback)
{
    const char *ps = phonesec_ciphers_preset(preset);
    int rc;

    if (ps == NULL || count == NULL || (codes == NULL && cap > 0))
        return PHONESEC_E_INVAL;
    if (used_fallback != NULL)
        *used_fallback = 0;
    if (str != NULL && !is_blank(str)) {
        rc = phonesec_ciphers_select(str, codes, cap, count);
        if (rc != PHONESEC_E_NO_MATCH && rc != PHONESEC_E_PARSE)
            return rc;
        phonesec__log(PHONESEC_LOG_WARN, "ciphers", "cipher list invalid or selects nothing (%s); using preset %d",
                      phonesec_strerror(rc), preset);
    }
    if (used_fallback != NULL)
        *used_fallback = 1;
    return phonesec_ciphers_select(ps, codes, cap, count);
}
