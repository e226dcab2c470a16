/*
 * libphonesec - mediasec: RFC 3329 mechanism lists (parse, print, compare).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <string.h>

#include "mediasec/mediasec_int.h"

#define NONE ((size_t)-1)

typedef struct ms_param {
    size_t name;  /* offset into text */
    size_t value; /* offset into text, NONE for a flag */
} ms_param;

typedef struct ms_mech {
    size_t name;
    size_t first; /* index of the first parameter */
    size_t nparams;
    int q_milli; /* -1: no q */
    int media;   /* carries the mediasec flag */
} ms_mech;

struct phonesec_mediasec_list {
    phonesec__err err;
    char *text;
    size_t text_len, text_cap;
    ms_mech *mechs;
    size_t nmechs, mechs_cap;
    ms_param *params;
    size_t nparams, params_cap;
};

int phonesec_mediasec_list_new(phonesec_mediasec_list **out)
{
    phonesec_mediasec_list *l;
    if (out == NULL)
        return PHONESEC_E_INVAL;
    l = phonesec__calloc(1, sizeof *l);
    if (l == NULL)
        return PHONESEC_E_NOMEM;
    phonesec__err_clear(&l->err);
    *out = l;
    return PHONESEC_OK;
}

void phonesec_mediasec_list_free(phonesec_mediasec_list *l)
{
    if (l == NULL)
        return;
    phonesec__free(l->text);
    phonesec__free(l->mechs);
    phonesec__free(l->params);
    phonesec__free(l);
}

void phonesec_mediasec_list_clear(phonesec_mediasec_list *l)
{
    if (l == NULL)
        return;
    l->text_len = 0;
    l->nmechs = 0;
    l->nparams = 0;
}

/* --- growth helpers: return 0 or PHONESEC_E_NOMEM ------------------------ */

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
    size_t ncap;
    void *np;
    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    np = phonesec__realloc(*p, ncap * elem);
    if (np == NULL)
        return PHONESEC_E_NOMEM;
    *p = np;
    *cap = ncap;
    return 0;
}

/* Append n bytes + NUL to the text arena; *off gets the offset. */
static int text_add(phonesec_mediasec_list *l, const char *s, size_t n, size_t *off)
{
    void *t = l->text;
    if (grow(&t, &l->text_cap, l->text_len + n + 1, 1) != 0)
        return PHONESEC_E_NOMEM;
    l->text = t;
    memcpy(l->text + l->text_len, s, n);
    l->text[l->text_len + n] = '\0';
    *off = l->text_len;
    l->text_len += n + 1;
    return 0;
}

/* --- parser ------------------------------------------------------------- */

/* A cursor of the core text layer over the value, and the list it fills
 * (errors go to the list's err). */
typedef struct ps {
    phonesec__text_rd r;
    phonesec_mediasec_list *l;
} ps;

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static int parse_qvalue(const char *v, size_t n, int *milli)
{
    size_t i;
    int m = 0, scale = 100;
    if (n == 0 || (v[0] != '0' && v[0] != '1'))
        return -1;
    if (n == 1) {
        *milli = v[0] == '1' ? 1000 : 0;
        return 0;
    }
    if (v[1] != '.' || n > 5)
        return -1;
    for (i = 2; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        if (v[0] == '1' && v[i] != '0')
            return -1;
        m += (v[i] - '0') * scale;
        scale /= 10;
    }
    *milli = v[0] == '1' ? 1000 : m;
    return 0;
}

static int add_param(ps *p, ms_mech *m, size_t ns, size_t nn, size_t vs, size_t vn, int has_value)
{
    phonesec_mediasec_list *l = p->l;
    ms_param *pp;
    void *t = l->params;
    size_t k, tn = 0;
    if (m->nparams >= PHONESEC_MEDIASEC_MAX_PARAMS)
        return phonesec__fail(&l->err, PHONESEC_E_LIMIT, "more than %d parameters on mechanism at offset %zu",
                              PHONESEC_MEDIASEC_MAX_PARAMS, ns);
    if (grow(&t, &l->params_cap, l->nparams + 1, sizeof(ms_param)) != 0)
        return phonesec__fail(&l->err, PHONESEC_E_NOMEM, "out of memory");
    l->params = t;
    pp = &l->params[l->nparams];
    if (text_add(l, p->r.s + ns, nn, &pp->name) != 0)
        return phonesec__fail(&l->err, PHONESEC_E_NOMEM, "out of memory");
    pp->value = NONE;
    if (has_value) {
        char *v;
        if (text_add(l, p->r.s + vs, vn, &pp->value) != 0)
            return phonesec__fail(&l->err, PHONESEC_E_NOMEM, "out of memory");
        /* drop CR/LF of folds inside quoted strings (the white space stays) */
        v = l->text + pp->value;
        for (k = 0; k < vn; k++)
            if (v[k] != '\r' && v[k] != '\n')
                v[tn++] = v[k];
        v[tn] = '\0';
        l->text_len -= vn - tn;
    }
    l->nparams++;
    m->nparams++;
    return 0;
}

static int check_param(ps *p, ms_mech *m, unsigned *seen, size_t ns, size_t nn, size_t vs, size_t vn, int has_value,
                       int quoted)
{
    static const char *const known[] = {"q", "d-alg", "d-qop", "d-ver", "mediasec"};
    const char *v = p->r.s + vs;
    size_t k;
    int which = -1;
    for (k = 0; k < sizeof known / sizeof known[0]; k++)
        if (strlen(known[k]) == nn && phonesec__strncaseeq(p->r.s + ns, known[k], nn))
            which = (int)k;
    if (which < 0)
        return 0;
    if (*seen & (1u << which))
        return phonesec__fail(&p->l->err, PHONESEC_E_PARSE, "parameter '%s' appears twice in one mechanism (offset %zu)",
                              known[which], ns);
    *seen |= 1u << which;
    switch (which) {
    case 0:
        if (!has_value || quoted || parse_qvalue(v, vn, &m->q_milli) != 0)
            return phonesec__fail(&p->l->err, PHONESEC_E_PARSE,
                                  "bad q value at offset %zu (RFC 3329 qvalue: 0 to 1 with at most 3 decimals)", ns);
        return 0;
    case 1:
    case 2:
        if (!has_value || quoted)
            return phonesec__fail(&p->l->err, PHONESEC_E_PARSE, "parameter '%s' needs a token value (offset %zu)",
                                  known[which], ns);
        return 0;
    case 3:
        if (!has_value || !quoted || vn != 34)
            return phonesec__fail(&p->l->err, PHONESEC_E_PARSE,
                                  "bad d-ver at offset %zu (a quoted string of 32 lowercase hex digits)", ns);
        for (k = 1; k < 33; k++)
            if (!((v[k] >= '0' && v[k] <= '9') || (v[k] >= 'a' && v[k] <= 'f')))
                return phonesec__fail(&p->l->err, PHONESEC_E_PARSE,
                                      "bad d-ver at offset %zu (a quoted string of 32 lowercase hex digits)", ns);
        return 0;
    default:
        if (has_value)
            return phonesec__fail(&p->l->err, PHONESEC_E_PARSE,
                                  "'mediasec' is a flag parameter and takes no value (offset %zu)", ns);
        m->media = 1;
        return 0;
    }
}

static int parse_mech(ps *p)
{
    phonesec_mediasec_list *l = p->l;
    char sh[12];
    size_t st = p->r.i, nn;
    ms_mech *m;
    void *t = l->mechs;
    unsigned seen = 0;
    int rc;

    nn = phonesec__text_token(&p->r);
    if (nn == 0)
        return phonesec__fail(&l->err, PHONESEC_E_PARSE, "bad mechanism name at offset %zu (%s is not a token character)",
                              p->r.i, phonesec__text_show(&p->r, sh));
    if (l->nmechs >= PHONESEC_MEDIASEC_MAX_MECHS)
        return phonesec__fail(&l->err, PHONESEC_E_LIMIT, "more than %d mechanisms", PHONESEC_MEDIASEC_MAX_MECHS);
    if (grow(&t, &l->mechs_cap, l->nmechs + 1, sizeof(ms_mech)) != 0)
        return phonesec__fail(&l->err, PHONESEC_E_NOMEM, "out of memory");
    l->mechs = t;
    m = &l->mechs[l->nmechs];
    memset(m, 0, sizeof *m);
    m->q_milli = -1;
    m->first = l->nparams;
    if (text_add(l, p->r.s + st, nn, &m->name) != 0)
        return phonesec__fail(&l->err, PHONESEC_E_NOMEM, "out of memory");
    l->nmechs++;
    for (;;) {
        size_t ns, pn, vs = 0, vn = 0;
        int has_value = 0, quoted = 0;
        if ((rc = phonesec__text_skip_lws(&p->r)) != 0)
            return rc;
        if (p->r.i >= p->r.n || p->r.s[p->r.i] == ',')
            return 0;
        if (p->r.s[p->r.i] != ';')
            return phonesec__fail(&l->err, PHONESEC_E_PARSE, "unexpected %s at offset %zu (expected ';' or ',')",
                                  phonesec__text_show(&p->r, sh), p->r.i);
        p->r.i++;
        if ((rc = phonesec__text_skip_lws(&p->r)) != 0)
            return rc;
        ns = p->r.i;
        pn = phonesec__text_token(&p->r);
        if (pn == 0)
            return phonesec__fail(&l->err, PHONESEC_E_PARSE, "empty or bad parameter name at offset %zu (%s)", p->r.i,
                                  phonesec__text_show(&p->r, sh));
        if ((rc = phonesec__text_skip_lws(&p->r)) != 0)
            return rc;
        if (p->r.i < p->r.n && p->r.s[p->r.i] == '=') {
            p->r.i++;
            if ((rc = phonesec__text_skip_lws(&p->r)) != 0)
                return rc;
            if ((rc = phonesec__text_param_value(&p->r, &vs, &vn, &quoted)) != 0)
                return rc;
            has_value = 1;
        }
        if ((rc = check_param(p, m, &seen, ns, pn, vs, vn, has_value, quoted)) != 0)
            return rc;
        if ((rc = add_param(p, m, ns, pn, vs, vn, has_value)) != 0)
            return rc;
    }
}

int phonesec_mediasec_list_parse(phonesec_mediasec_list *l, const char *value, size_t len)
{
    size_t save_m, save_p, save_t;
    ps p;
    int rc = 0;

    if (l == NULL || (value == NULL && len > 0))
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&l->err);
    if (len > PHONESEC_MEDIASEC_MAX_TEXT)
        return phonesec__fail(&l->err, PHONESEC_E_LIMIT, "header value longer than %d bytes",
                              PHONESEC_MEDIASEC_MAX_TEXT);
    save_m = l->nmechs;
    save_p = l->nparams;
    save_t = l->text_len;
    p.r.s = value;
    p.r.n = len;
    p.r.i = 0;
    p.r.err = &l->err;
    p.l = l;
    for (;;) {
        if ((rc = phonesec__text_skip_lws(&p.r)) != 0)
            break;
        if (p.r.i >= p.r.n) {
            rc = phonesec__fail(&l->err, PHONESEC_E_PARSE,
                                l->nmechs == save_m ? "empty header value (no mechanism)"
                                                    : "empty entry at the end of the list (trailing comma)");
            break;
        }
        if (p.r.s[p.r.i] == ',') {
            rc = phonesec__fail(&l->err, PHONESEC_E_PARSE, "empty entry in the list at offset %zu", p.r.i);
            break;
        }
        if ((rc = parse_mech(&p)) != 0)
            break;
        if (p.r.i >= p.r.n)
            break;
        p.r.i++; /* the comma */
    }
    if (rc != 0) {
        l->nmechs = save_m;
        l->nparams = save_p;
        l->text_len = save_t;
        return rc;
    }
    return PHONESEC_OK;
}

int phonesec_mediasec_list_append(phonesec_mediasec_list *dst, const phonesec_mediasec_list *src)
{
    size_t i, j, save_m, save_p, save_t;
    void *t;
    if (dst == NULL || src == NULL || dst == src)
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&dst->err);
    if (dst->nmechs + src->nmechs > PHONESEC_MEDIASEC_MAX_MECHS)
        return phonesec__fail(&dst->err, PHONESEC_E_LIMIT, "more than %d mechanisms", PHONESEC_MEDIASEC_MAX_MECHS);
    save_m = dst->nmechs;
    save_p = dst->nparams;
    save_t = dst->text_len;
    t = dst->mechs;
    if (grow(&t, &dst->mechs_cap, dst->nmechs + src->nmechs, sizeof(ms_mech)) != 0)
        goto nomem;
    dst->mechs = t;
    t = dst->params;
    if (grow(&t, &dst->params_cap, dst->nparams + src->nparams, sizeof(ms_param)) != 0)
        goto nomem;
    dst->params = t;
    for (i = 0; i < src->nmechs; i++) {
        const ms_mech *sm = &src->mechs[i];
        ms_mech *dm = &dst->mechs[dst->nmechs];
        *dm = *sm;
        dm->first = dst->nparams;
        if (text_add(dst, src->text + sm->name, strlen(src->text + sm->name), &dm->name) != 0)
            goto nomem;
        for (j = 0; j < sm->nparams; j++) {
            const ms_param *sp = &src->params[sm->first + j];
            ms_param *dp = &dst->params[dst->nparams];
            if (text_add(dst, src->text + sp->name, strlen(src->text + sp->name), &dp->name) != 0)
                goto nomem;
            dp->value = NONE;
            if (sp->value != NONE &&
                text_add(dst, src->text + sp->value, strlen(src->text + sp->value), &dp->value) != 0)
                goto nomem;
            dst->nparams++;
        }
        dst->nmechs++;
    }
    return PHONESEC_OK;
nomem:
    dst->nmechs = save_m;
    dst->nparams = save_p;
    dst->text_len = save_t;
    return phonesec__fail(&dst->err, PHONESEC_E_NOMEM, "out of memory");
}

size_t phonesec_mediasec_list_count(const phonesec_mediasec_list *l)
{
    return l ? l->nmechs : 0;
}

const char *phonesec_mediasec_list_name(const phonesec_mediasec_list *l, size_t i)
{
    if (l == NULL || i >= l->nmechs)
        return NULL;
    return l->text + l->mechs[i].name;
}

size_t phonesec_mediasec_list_param_count(const phonesec_mediasec_list *l, size_t i)
{
    if (l == NULL || i >= l->nmechs)
        return 0;
    return l->mechs[i].nparams;
}

int phonesec_mediasec_list_param(const phonesec_mediasec_list *l, size_t i, size_t j, const char **name,
                                 const char **value)
{
    const ms_param *pp;
    if (l == NULL || name == NULL)
        return PHONESEC_E_INVAL;
    if (i >= l->nmechs || j >= l->mechs[i].nparams)
        return PHONESEC_E_NOT_FOUND;
    pp = &l->params[l->mechs[i].first + j];
    *name = l->text + pp->name;
    if (value != NULL)
        *value = pp->value == NONE ? NULL : l->text + pp->value;
    return PHONESEC_OK;
}

int phonesec_mediasec_list_get(const phonesec_mediasec_list *l, size_t i, const char *pname, const char **value)
{
    size_t j;
    if (l == NULL || pname == NULL)
        return PHONESEC_E_INVAL;
    if (i >= l->nmechs)
        return PHONESEC_E_NOT_FOUND;
    for (j = 0; j < l->mechs[i].nparams; j++) {
        const ms_param *pp = &l->params[l->mechs[i].first + j];
        if (phonesec__strcaseeq(l->text + pp->name, pname)) {
            if (value != NULL)
                *value = pp->value == NONE ? NULL : l->text + pp->value;
            return PHONESEC_OK;
        }
    }
    return PHONESEC_E_NOT_FOUND;
}

int phonesec_mediasec_list_q(const phonesec_mediasec_list *l, size_t i, unsigned *q_milli)
{
    if (l == NULL || q_milli == NULL)
        return PHONESEC_E_INVAL;
    if (i >= l->nmechs || l->mechs[i].q_milli < 0)
        return PHONESEC_E_NOT_FOUND;
    *q_milli = (unsigned)l->mechs[i].q_milli;
    return PHONESEC_OK;
}

int phonesec_mediasec_list_is_media(const phonesec_mediasec_list *l, size_t i)
{
    if (l == NULL || i >= l->nmechs)
        return 0;
    return l->mechs[i].media;
}

int phonesec_mediasec_list_find(const phonesec_mediasec_list *l, const char *mech, size_t *index)
{
    size_t i;
    if (l == NULL || mech == NULL)
        return PHONESEC_E_INVAL;
    for (i = 0; i < l->nmechs; i++)
        if (phonesec__strcaseeq(l->text + l->mechs[i].name, mech)) {
            if (index != NULL)
                *index = i;
            return PHONESEC_OK;
        }
    return PHONESEC_E_NOT_FOUND;
}

static int value_equal(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a[0] == '"' || b[0] == '"')
        return strcmp(a, b) == 0;
    return phonesec__strcaseeq(a, b);
}

int phonesec_mediasec_list_equal(const phonesec_mediasec_list *a, const phonesec_mediasec_list *b)
{
    size_t i, j, k;
    uint64_t used;
    if (a == NULL || b == NULL)
        return PHONESEC_E_INVAL;
    if (a->nmechs != b->nmechs)
        return PHONESEC_E_NO_MATCH;
    for (i = 0; i < a->nmechs; i++) {
        const ms_mech *ma = &a->mechs[i], *mb = &b->mechs[i];
        if (!phonesec__strcaseeq(a->text + ma->name, b->text + mb->name) || ma->nparams != mb->nparams ||
            ma->q_milli != mb->q_milli || ma->media != mb->media)
            return PHONESEC_E_NO_MATCH;
        /* parameters as a multiset: each of a matches an unused one of b */
        used = 0;
        for (j = 0; j < ma->nparams; j++) {
            const ms_param *pa = &a->params[ma->first + j];
            const char *na = a->text + pa->name;
            const char *va = pa->value == NONE ? NULL : a->text + pa->value;
            int found = 0;
            for (k = 0; k < mb->nparams && !found; k++) {
                const ms_param *pb = &b->params[mb->first + k];
                const char *vb = pb->value == NONE ? NULL : b->text + pb->value;
                if ((used >> k) & 1u || !phonesec__strcaseeq(na, b->text + pb->name))
                    continue;
                if (phonesec__strcaseeq(na, "q") || value_equal(va, vb)) {
                    found = 1;
                    used |= (uint64_t)1 << k;
                }
            }
            if (!found)
                return PHONESEC_E_NO_MATCH;
        }
    }
    return PHONESEC_OK;
}

static void put_mech(const phonesec_mediasec_list *l, size_t i, phonesec__sb *b)
{
    size_t j;
    const ms_mech *m = &l->mechs[i];
    phonesec__sb_str(b, l->text + m->name);
    for (j = 0; j < m->nparams; j++) {
        const ms_param *pp = &l->params[m->first + j];
        phonesec__sb_put(b, ";", 1);
        phonesec__sb_str(b, l->text + pp->name);
        if (pp->value != NONE) {
            phonesec__sb_put(b, "=", 1);
            phonesec__sb_str(b, l->text + pp->value);
        }
    }
}

void phonesec__mediasec_list_put(const phonesec_mediasec_list *l, const char *header, int style, const char *eol,
                                 phonesec__sb *b)
{
    size_t i;
    for (i = 0; i < l->nmechs; i++) {
        if (style == PHONESEC_MEDIASEC_STYLE_PER_MECH || (style == PHONESEC_MEDIASEC_STYLE_SINGLE && i == 0)) {
            phonesec__sb_str(b, header);
            phonesec__sb_put(b, ": ", 2);
        } else if (i > 0) {
            phonesec__sb_put(b, ", ", 2);
        }
        put_mech(l, i, b);
        if (style == PHONESEC_MEDIASEC_STYLE_PER_MECH)
            phonesec__sb_str(b, eol);
    }
    if (style == PHONESEC_MEDIASEC_STYLE_SINGLE && l->nmechs > 0)
        phonesec__sb_str(b, eol);
}

int phonesec_mediasec_list_print(const phonesec_mediasec_list *l, const char *header, int style, char *out,
                                 size_t out_cap, size_t *out_len)
{
    phonesec__sb b = {NULL, 0, 0};
    if (l == NULL || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    if (style != PHONESEC_MEDIASEC_STYLE_VALUE && style != PHONESEC_MEDIASEC_STYLE_SINGLE &&
        style != PHONESEC_MEDIASEC_STYLE_PER_MECH)
        return PHONESEC_E_INVAL;
    if (style != PHONESEC_MEDIASEC_STYLE_VALUE && (header == NULL || !phonesec__text_is_token(header, strlen(header))))
        return PHONESEC_E_INVAL;
    if (l->nmechs == 0)
        return PHONESEC_E_NOT_FOUND;
    phonesec__mediasec_list_put(l, header, style, "\r\n", &b);
    *out_len = b.len;
    if (b.len + 1 > out_cap)
        return PHONESEC_E_BUFFER_SMALL;
    b.out = out;
    b.cap = out_cap;
    b.len = 0;
    phonesec__mediasec_list_put(l, header, style, "\r\n", &b);
    out[b.len] = '\0';
    return PHONESEC_OK;
}

const char *phonesec__mediasec_list_detail(const phonesec_mediasec_list *l)
{
    return l->err.msg;
}

int phonesec_mediasec_list_last_error(const phonesec_mediasec_list *l, char *buf, size_t cap)
{
    if (l == NULL || buf == NULL || cap == 0)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&l->err, buf, cap);
}

int phonesec_mediasec_list_from_msg(phonesec_mediasec_list *l, const char *msg, size_t len, const char *name)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    size_t pos, save_m, save_p, save_t, found = 0;
    int rc;
    if (l == NULL || msg == NULL || name == NULL)
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&l->err);
    rc = phonesec__sip_open(&m, msg, len);
    if (rc != 0)
        return phonesec__fail(&l->err, rc, "not a SIP message (no empty line ending the header section)");
    save_m = l->nmechs;
    save_p = l->nparams;
    save_t = l->text_len;
    pos = m.hdr_start;
    while ((rc = phonesec__sip_next(&m, &pos, name, &h)) == 1) {
        char where[PHONESEC__ERRMSG_MAX];
        rc = phonesec_mediasec_list_parse(l, msg + h.val_off, h.val_len);
        if (rc != 0) {
            memcpy(where, l->err.msg, sizeof where);
            l->nmechs = save_m;
            l->nparams = save_p;
            l->text_len = save_t;
            return phonesec__fail(&l->err, rc, "%s header #%zu: %.200s", name, found + 1, where);
        }
        found++;
    }
    if (rc < 0) {
        l->nmechs = save_m;
        l->nparams = save_p;
        l->text_len = save_t;
        return phonesec__fail(&l->err, rc, "malformed header section");
    }
    if (found == 0)
        return phonesec__fail(&l->err, PHONESEC_E_NOT_FOUND, "no %s header in the message", name);
    return PHONESEC_OK;
}
