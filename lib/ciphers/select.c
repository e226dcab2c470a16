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
 *   @SECLEVEL=n    n in 0..5: recorded; applied by the floor (below)
 * A+B+C ANDs the masks of its parts; a part that is unknown, or that leaves
 * an empty mask, makes the whole word be ignored, as OpenSSL ignores it.
 * Then the security floor drops, order kept, what OpenSSL's security level
 * (at least 2) would refuse, and 3DES; the caller may opt out of it.
 * While reading the caller's string the engine notes what to blame when
 * nothing is selected: the first unknown word, the first word that matches
 * no suite of the table, the last word that removed selected suites.
 * No allocation: the list lives on the stack.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
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

static inline int rule_matches(const phonesec__cipher *c, int idx, const rule *r)
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

/* Returns how many suites changed state: activated (ADD), deactivated
 * (DEL) or removed while active (KILL). */
static size_t apply(clist *l, const rule *r, int op)
{
    uint8_t keep[MAXN], moved[MAXN];
    size_t nk = 0, nm = 0, i, changed = 0;

    for (i = 0; i < l->n; i++) {
        uint8_t x = l->ord[i];
        int hit = rule_matches(&l->t[x], x, r);
        switch (op) {
        case OP_ADD:
            hit = hit && !l->active[x];
            if (hit) {
                l->active[x] = 1;
                changed++;
            }
            break;
        case OP_DEL:
            hit = hit && l->active[x];
            if (hit) {
                l->active[x] = 0;
                changed++;
            }
            break;
        case OP_ORD:
        case OP_BUMP:
            hit = hit && l->active[x];
            break;
        case OP_KILL:
            if (hit) {
                changed += l->active[x];
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
    return changed;
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
    (void)apply(l, &r, op);
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

/* What the engine noticed in the caller's string (offsets into it). */
typedef struct notes {
    const char *base; /* the caller's string; NULL while reading our own strings */
    int seclevel;
    size_t n_unknown, unk_off, unk_len;   /* unknown words: count, first */
    size_t n_empty, empty_off, empty_len; /* known words matching no suite of the table: count, first */
    int have_del;
    size_t del_off, del_len;              /* last word that deselected or removed selected suites */
    size_t bad_off, bad_len;              /* parse error */
} notes;

static void note_at(const notes *nt, const char *from, const char *to, size_t *off, size_t *len)
{
    *off = (size_t)(from - nt->base);
    *len = (size_t)(to - from);
}

/* Does the rule match any TLS 1.2-and-older suite of the table at all? */
static int rule_matches_any(const clist *l, const rule *r)
{
    size_t i, n;
    const phonesec__cipher *t = phonesec__ciphers_table(&n);
    for (i = 0; i < n; i++)
        if (t[i].min_tls != V_TLS1_3 && rule_matches(&t[i], (int)i, r))
            return 1;
    (void)l;
    return 0;
}

static int process(clist *l, const char *p, notes *nt)
{
    for (;;) {
        char ch = *p;
        int op, found = 0, unknown = 0;
        const char *buf = p, *term = p, *unk = NULL;
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
            if (buflen == 0) { /* OpenSSL: "invalid command" */
                if (nt->base != NULL)
                    note_at(nt, term, *p != '\0' ? p + 1 : p, &nt->bad_off, &nt->bad_len);
                return PHONESEC_E_PARSE;
            }
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
                unknown = 1;
                unk = buf;
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
                nt->seclevel = buf[9] - '0';
            } else {
                while (*p != '\0' && !is_sep(*p))
                    p++;
                if (nt->base != NULL)
                    note_at(nt, term, p, &nt->bad_off, &nt->bad_len);
                return PHONESEC_E_PARSE;
            }
            while (*p != '\0' && !is_sep(*p))
                p++;
        } else if (found) {
            size_t changed = apply(l, &r, op);
            if (nt->base != NULL) {
                if (changed == 0 && !rule_matches_any(l, &r)) {
                    if (nt->n_empty++ == 0)
                        note_at(nt, term, p, &nt->empty_off, &nt->empty_len);
                } else if ((op == OP_DEL || op == OP_KILL) && changed > 0) {
                    nt->have_del = 1;
                    note_at(nt, term, p, &nt->del_off, &nt->del_len);
                }
            }
        } else {
            while (*p != '\0' && !is_sep(*p))
                p++;
            if (nt->base != NULL) {
                if (unknown) { /* named from the unknown part to where OpenSSL resumes reading */
                    if (nt->n_unknown++ == 0)
                        note_at(nt, unk, p, &nt->unk_off, &nt->unk_len);
                } else if (nt->n_empty++ == 0) { /* known parts whose conditions exclude each other */
                    note_at(nt, term, p, &nt->empty_off, &nt->empty_len);
                }
            }
        }
        if (*p == '\0')
            break;
    }
    return PHONESEC_OK;
}

/* ---------------------------------------------------------------- the floor */

/* OpenSSL's security levels, as its default security callback applies them
 * to a suite (SSL_SECOP_CIPHER_SUPPORTED): minimum strength bits, no aNULL,
 * no MD5 MAC (level >= 1); no RC4 (>= 2); forward secrecy (>= 3, TLS 1.2 and
 * older); no SHA-1 MAC (minimum above 160 bits, so >= 4). */
static const int level_bits[6] = {0, 80, 112, 128, 192, 256};

static const char *const why_bits[6] = {
    NULL,
    "export strength (below 80 bits)",
    "export or weak strength (below 112 bits)",
    "below the 128 bits @SECLEVEL=3 asks for",
    "below the 192 bits @SECLEVEL=4 asks for",
    "below the 256 bits @SECLEVEL=5 asks for",
};

#define WHY_ENULL "no encryption (eNULL)"
#define WHY_ANULL "anonymous (aNULL): the peer is not authenticated"
#define WHY_MD5   "MD5 MAC"
#define WHY_RC4   "RC4 (prohibited by RFC 7465)"
#define WHY_3DES  "3DES: 64-bit blocks (Sweet32), 112-bit strength"
#define WHY_NOFS  "no forward secrecy (static RSA key exchange), which @SECLEVEL=3 and above refuse"
#define WHY_SHA1  "SHA-1 MAC, which @SECLEVEL=4 and above refuse"

/* The floor's verdict on one suite: NULL when it passes. level: the
 * OpenSSL security level to apply (-1: none); floor: our own additions
 * (3DES, and the level never below 2). */
static const char *floor_check(const phonesec__cipher *c, int level, int floor)
{
    if (floor && level < 2)
        level = 2;
    if (level > 5)
        level = 5;
    if (level >= 1 && (c->enc & E_NULL))
        return WHY_ENULL;
    if (level >= 1 && (c->auth & A_NULL))
        return WHY_ANULL;
    if (level >= 2 && (c->enc & E_RC4))
        return WHY_RC4;
    if (floor && (c->enc & E_3DES))
        return WHY_3DES;
    if (level >= 1 && (c->mac & M_MD5))
        return WHY_MD5;
    if (level >= 1 && c->pub.strength_bits < level_bits[level])
        return why_bits[level];
    if (level >= 3 && c->min_tls != V_TLS1_3 && !(c->mkey & (K_DHE | K_ECDHE)))
        return WHY_NOFS;
    if (level >= 4 && (c->mac & M_SHA1))
        return WHY_SHA1;
    return NULL;
}

static const phonesec__cipher *find_code(uint16_t iana)
{
    size_t n, i;
    const phonesec__cipher *t = phonesec__ciphers_table(&n);
    for (i = 0; i < n; i++)
        if (t[i].pub.iana == iana)
            return &t[i];
    return NULL;
}

const char *phonesec_ciphers_floor_reason(uint16_t iana, int seclevel)
{
    const phonesec__cipher *c = find_code(iana);
    if (c == NULL)
        return "not a suite of the library's table";
    return floor_check(c, seclevel, 1);
}

/* ---------------------------------------------------------------- evaluation */

#define KNOWN_FLAGS (PHONESEC_CIPHERS_ALLOW_LEGACY | PHONESEC_CIPHERS_FALLBACK_ON_ERROR)

/* A word of the caller's string, quoted and made printable, for a message. */
static void quote_word(char *out, size_t cap, const char *s, size_t off, size_t len)
{
    size_t i, n = 0;
    const size_t max = 40;
    if (cap == 0)
        return;
    for (i = 0; i < len && i < max && n + 5 < cap; i++) {
        unsigned char ch = (unsigned char)s[off + i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\'') {
            out[n++] = (char)ch;
        } else {
            static const char hex[] = "0123456789abcdef";
            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[ch >> 4];
            out[n++] = hex[ch & 15];
        }
    }
    if (i < len && n + 4 < cap) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
}

typedef struct result {
    int rc;
    size_t n;           /* suites selected after the floor */
    size_t removed;     /* suites the floor removed */
    uint16_t codes[MAXN];
    const char *first_why; /* the first reason the floor gave */
    uint16_t first_removed;
    notes nt;
} result;

/* Evaluate one string into res (never touches the caller's buffers). */
static void evaluate(const char *str, int user, unsigned flags, result *res)
{
    clist l;
    size_t i;
    int rc, level;
    const char *rest = str;

    memset(res, 0, sizeof *res);
    res->nt.seclevel = -1;
    res->nt.base = user ? str : NULL;
    /* Suite B modes replace the whole string, as in OpenSSL. */
    if (strncmp(str, "SUITEB128ONLY", 13) == 0)
        rest = "ECDHE-ECDSA-AES128-GCM-SHA256";
    else if (strncmp(str, "SUITEB128C2", 11) == 0)
        rest = "ECDHE-ECDSA-AES256-GCM-SHA384";
    else if (strncmp(str, "SUITEB128", 9) == 0)
        rest = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384";
    else if (strncmp(str, "SUITEB192", 9) == 0)
        rest = "ECDHE-ECDSA-AES256-GCM-SHA384";
    if (rest != str)
        res->nt.base = NULL; /* nothing of the caller's string is read */

    clist_init(&l);
    if (strncmp(rest, "DEFAULT", 7) == 0) {
        const char *saved = res->nt.base;
        res->nt.base = NULL;
        rc = process(&l, "ALL:!COMPLEMENTOFDEFAULT:!eNULL", &res->nt);
        res->nt.base = saved;
        if (rc != PHONESEC_OK) {
            res->rc = rc;
            return;
        }
        rest += 7;
        if (*rest == ':')
            rest++;
    }
    rc = process(&l, rest, &res->nt);
    if (rc != PHONESEC_OK) {
        res->rc = rc;
        return;
    }
    level = res->nt.seclevel;
    for (i = 0; i < l.n; i++) {
        const phonesec__cipher *c = &l.t[l.ord[i]];
        const char *why;
        if (!l.active[l.ord[i]])
            continue;
        why = floor_check(c, level, !(flags & PHONESEC_CIPHERS_ALLOW_LEGACY));
        if (why != NULL) {
            if (res->removed++ == 0) {
                res->first_why = why;
                res->first_removed = c->pub.iana;
            }
            continue;
        }
        res->codes[res->n++] = c->pub.iana;
    }
    if (res->n > 0)
        res->rc = PHONESEC_OK;
    else if (res->removed > 0)
        res->rc = PHONESEC_E_POLICY;
    else
        res->rc = PHONESEC_E_NO_MATCH;
}

static int is_blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

/* The report's message and word for the caller's string. */
static void describe(const char *str, const result *res, phonesec_ciphers_report *rep)
{
    char w[64];
    const notes *nt = &res->nt;
    size_t off = 0, len = 0;

    rep->message[0] = '\0';
    switch (res->rc) {
    case PHONESEC_E_PARSE:
        off = nt->bad_off;
        len = nt->bad_len;
        quote_word(w, sizeof w, str, off, len);
        snprintf(rep->message, sizeof rep->message,
                 "invalid cipher string: '%s' at offset %zu is neither a word nor a valid @ command", w, off);
        break;
    case PHONESEC_E_NO_MATCH:
        if (is_blank(str)) {
            snprintf(rep->message, sizeof rep->message, "no cipher match: the cipher string is empty");
        } else if (nt->n_unknown > 0) {
            off = nt->unk_off;
            len = nt->unk_len;
            quote_word(w, sizeof w, str, off, len);
            if (nt->n_unknown > 1)
                snprintf(rep->message, sizeof rep->message,
                         "no cipher match: unknown word '%s' (and %zu more unknown words)", w, nt->n_unknown - 1);
            else
                snprintf(rep->message, sizeof rep->message, "no cipher match: unknown word '%s'", w);
        } else if (nt->n_empty > 0) {
            off = nt->empty_off;
            len = nt->empty_len;
            quote_word(w, sizeof w, str, off, len);
            snprintf(rep->message, sizeof rep->message,
                     "no cipher match: '%s' matches no suite the library supports", w);
        } else if (nt->have_del) {
            off = nt->del_off;
            len = nt->del_len;
            quote_word(w, sizeof w, str, off, len);
            snprintf(rep->message, sizeof rep->message,
                     "no cipher match: '%s' removes every suite selected before it", w);
        } else if (nt->base == NULL) {
            snprintf(rep->message, sizeof rep->message, "no cipher match");
        } else {
            snprintf(rep->message, sizeof rep->message, "no cipher match: the string selects no suite");
        }
        break;
    case PHONESEC_E_POLICY: {
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(res->first_removed);
        snprintf(rep->message, sizeof rep->message,
                 "every suite the string selects is below the security floor (%zu, e.g. %s: %s)", res->removed,
                 s ? s->openssl_name : "?", res->first_why);
        break;
    }
    case PHONESEC_OK:
        if (nt->n_unknown > 0) {
            off = nt->unk_off;
            len = nt->unk_len;
            quote_word(w, sizeof w, str, off, len);
            if (nt->n_unknown > 1)
                snprintf(rep->message, sizeof rep->message, "ignored unknown word '%s' (and %zu more)", w,
                         nt->n_unknown - 1);
            else
                snprintf(rep->message, sizeof rep->message, "ignored unknown word '%s'", w);
        }
        break;
    default:
        break;
    }
    rep->word_offset = off;
    rep->word_len = len;
    rep->unknown_words = nt->n_unknown;
    rep->seclevel = nt->seclevel;
}

int phonesec_ciphers_select_ex(const char *str, const phonesec_ciphers_options *opt, uint16_t *codes, size_t cap,
                               size_t *count, phonesec_ciphers_report *report)
{
    static const phonesec_ciphers_options defaults = PHONESEC_CIPHERS_OPTIONS_INIT;
    phonesec_ciphers_report rep;
    result res;
    const char *ps = NULL;
    int fallback = PHONESEC_CIPHERS_FALLBACK_NONE, status;

    if (opt == NULL)
        opt = &defaults;
    if (count == NULL || (codes == NULL && cap > 0) || opt->version < 1 ||
        opt->version > PHONESEC_CIPHERS_OPTIONS_VERSION || (opt->flags & ~(unsigned)KNOWN_FLAGS) != 0)
        return PHONESEC_E_INVAL;
    if (opt->preset != PHONESEC_CIPHERS_PRESET_NONE) {
        ps = phonesec_ciphers_preset(opt->preset);
        if (ps == NULL || (opt->preset & ~PHONESEC_CIPHERS_PRESET_MASK) != 0)
            return PHONESEC_E_INVAL;
    }
    if (ps == NULL && ((opt->flags & PHONESEC_CIPHERS_FALLBACK_ON_ERROR) || str == NULL))
        return PHONESEC_E_INVAL;

    memset(&rep, 0, sizeof rep);
    rep.seclevel = -1;
    if (str == NULL || (ps != NULL && is_blank(str))) {
        fallback = PHONESEC_CIPHERS_FALLBACK_BLANK;
        evaluate(ps, 0, opt->flags, &res);
        status = PHONESEC_OK;
        rep.removed = res.removed;
    } else {
        evaluate(str, 1, opt->flags, &res);
        describe(str, &res, &rep);
        status = res.rc;
        rep.removed = res.removed;
        if (res.rc != PHONESEC_OK && (opt->flags & PHONESEC_CIPHERS_FALLBACK_ON_ERROR)) {
            size_t ml = strlen(rep.message);
            phonesec__log(PHONESEC_LOG_WARN, "ciphers", "%s; using preset %d instead", rep.message, opt->preset);
            snprintf(rep.message + ml, sizeof rep.message - ml, "; the preset was used instead");
            fallback = PHONESEC_CIPHERS_FALLBACK_INVALID;
            evaluate(ps, 0, opt->flags, &res);
            rep.removed = res.removed;
        } else if (res.rc == PHONESEC_OK && res.nt.n_unknown > 0) {
            phonesec__log(PHONESEC_LOG_WARN, "ciphers", "%s", rep.message);
        }
    }
    rep.status = status;
    rep.fallback = fallback;
    if (report != NULL && report->version >= 1) {
        /* only the fields of the caller's version (a newer one than this
         * library knows gets what this library has) */
        static const size_t rep_sizes[PHONESEC_CIPHERS_REPORT_VERSION] = {sizeof(phonesec_ciphers_report)};
        unsigned v = report->version > PHONESEC_CIPHERS_REPORT_VERSION ? PHONESEC_CIPHERS_REPORT_VERSION
                                                                       : report->version;
        rep.version = v;
        memcpy(report, &rep, rep_sizes[v - 1]);
    }
    if (res.rc != PHONESEC_OK)
        return res.rc;
    *count = res.n;
    if (res.n > cap)
        return PHONESEC_E_BUFFER_SMALL;
    memcpy(codes, res.codes, res.n * sizeof res.codes[0]);
    return PHONESEC_OK;
}

int phonesec_ciphers_select(const char *str, uint16_t *codes, size_t cap, size_t *count)
{
    return phonesec_ciphers_select_ex(str, NULL, codes, cap, count, NULL);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int phonesec_ciphers_select_tls13(const char *str, uint16_t *codes, size_t cap, size_t *count)
{
    uint16_t found[MAXN];
    size_t n = 0, i, tn, named = 0;
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
                named++;
                if (floor_check(&t[i], -1, 1) != NULL)
                    break;
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
        return named > 0 ? PHONESEC_E_POLICY : PHONESEC_E_NO_MATCH;
    *count = n;
    if (n > cap)
        return PHONESEC_E_BUFFER_SMALL;
    memcpy(codes, found, n * sizeof found[0]);
    return PHONESEC_OK;
}

int phonesec_ciphers_select_or_preset(const char *str, int preset, uint16_t *codes, size_t cap, size_t *count,
                                      int *used_fallback)
{
    phonesec_ciphers_options opt = PHONESEC_CIPHERS_OPTIONS_INIT;
    phonesec_ciphers_report rep;
    int rc;

    if (preset < 0)
        return PHONESEC_E_INVAL;
    opt.preset = preset & PHONESEC_CIPHERS_PRESET_MASK;
    opt.flags = (unsigned)preset & ~(unsigned)PHONESEC_CIPHERS_PRESET_MASK;
    rep.version = PHONESEC_CIPHERS_REPORT_VERSION;
    rc = phonesec_ciphers_select_ex(str == NULL ? "" : str, &opt, codes, cap, count, &rep);
    if (rc == PHONESEC_OK && used_fallback != NULL)
        *used_fallback = rep.fallback;
    return rc;
}
