/* SPDX-License-Identifier: MIT
 * SDES offer/answer (RFC 4568 §7, RFC 8643) with a per-account policy, and
 * the per-call key state kept across re-INVITEs (RFC 4568 §7.1.4). */
#include <stdio.h>
#include <string.h>

#include "sdes/sdes_internal.h"

#define MAX_LIFETIME (UINT64_C(1) << 48)
#define MAX_CRYPTO_LINES 1024

/* One a=crypto line of ours: tag, suite and key, and its text. */
typedef struct ours_line {
    uint32_t tag;
    int suite;
    unsigned flags;
    phonesec_srtp_key key;
    char text[400];
} ours_line;

typedef struct sec {
    int state;                  /* PHONESEC_SDES_SEC_* */
    int kind;                   /* PHONESEC__SDP_* of the offer (answerer) or answer (offerer) */
    int e2ae;
    char media[16];
    char proto[16];             /* the offer's proto token (answerer) */
    char reason[160];
    unsigned n_lines;
    char **why;                 /* answerer: reason per offered a=crypto line ("" = chosen) */
    char *mline;                /* answerer: our m= line */
    int has_ours, has_theirs;
    ours_line ours;             /* our key (outbound) */
    phonesec_srtp_params theirs; /* the peer's key (inbound) */
    uint32_t roc_in, roc_out;
    int rekey;                  /* our key's lifetime ran out: next SDP carries a new one */
    size_t n_offered;           /* offerer: our lines while the offer is pending */
    ours_line *offered;
} sec;

struct phonesec_sdes {
    phonesec_sdes_policy pol;
    phonesec__err err;
    int tls;
    int warned;
    sec *act;                   /* negotiated state, per m= section */
    size_t n_act;
    int act_is_answer;          /* act came from phonesec_sdes_answer() */
    sec *pend;                  /* our pending offer */
    size_t n_pend;
    uint32_t mki_gen;           /* MKI value of our next fresh key */
};

static const int default_suites[] = {
    PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32,
    PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80, PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32,
    PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80, PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32,
    PHONESEC_SRTP_AEAD_AES_256_GCM,        PHONESEC_SRTP_AEAD_AES_128_GCM,
};

static size_t policy_suites(const phonesec_sdes_policy *p, const int **list)
{
    if (p->n_suites == 0) {
        *list = default_suites;
        return sizeof default_suites / sizeof default_suites[0];
    }
    *list = p->suites;
    return p->n_suites;
}

static int suite_allowed(const phonesec_sdes_policy *p, int suite)
{
    const int *l;
    size_t n = policy_suites(p, &l), i;
    for (i = 0; i < n; i++)
        if (l[i] == suite)
            return 1;
    return 0;
}

void phonesec_sdes_policy_init(phonesec_sdes_policy *p)
{
    static const phonesec_sdes_policy init = PHONESEC_SDES_POLICY_INIT;
    if (p != NULL)
        *p = init;
}

int phonesec_sdes_policy_set_suites(phonesec_sdes_policy *p, const char *list)
{
    int tmp[PHONESEC_SDES_MAX_SUITES];
    size_t n = 0, i;
    const char *q;
    if (p == NULL || list == NULL)
        return PHONESEC_E_INVAL;
    for (q = list; *q;) {
        const char *e;
        int id;
        while (*q == ',' || *q == ':' || *q == ' ' || *q == '\t')
            q++;
        if (*q == '\0')
            break;
        for (e = q; *e && *e != ',' && *e != ':' && *e != ' ' && *e != '\t'; e++)
            ;
        id = phonesec_sdes_suite_from_name(q, (size_t)(e - q));
        if (id < 0)
            return PHONESEC_E_NOT_FOUND;
        /* F8 only where the SRTP engine runs it (native), and only listed
         * explicitly: it is never in the default list */
        if (id == PHONESEC_SRTP_F8_128_HMAC_SHA1_80 && phonesec_srtp_suite_supported(id) != PHONESEC_OK)
            return PHONESEC_E_UNSUPPORTED;
        for (i = 0; i < n && tmp[i] != id; i++)
            ;
        if (i == n) {
            if (n == PHONESEC_SDES_MAX_SUITES)
                return PHONESEC_E_LIMIT;
            tmp[n++] = id;
        }
        q = e;
    }
    if (n == 0)
        return PHONESEC_E_INVAL;
    memcpy(p->suites, tmp, n * sizeof tmp[0]);
    p->n_suites = n;
    return PHONESEC_OK;
}

static void sec_clear(sec *x)
{
    unsigned i;
    if (x->why) {
        for (i = 0; i < x->n_lines; i++)
            phonesec__free(x->why[i]);
        phonesec__free(x->why);
    }
    phonesec__free(x->mline);
    if (x->offered)
        phonesec__free_secret(x->offered, x->n_offered * sizeof *x->offered);
    phonesec_memzero(x, sizeof *x);
}

static void secs_free(sec *a, size_t n)
{
    size_t i;
    if (a == NULL)
        return;
    for (i = 0; i < n; i++)
        sec_clear(&a[i]);
    phonesec__free_secret(a, n * sizeof *a);
}

int phonesec_sdes_new(const phonesec_sdes_policy *policy, phonesec_sdes **out)
{
    phonesec_sdes *s;
    size_t i;
    if (policy == NULL || out == NULL || !PHONESEC__VERSION_OK(policy->version, PHONESEC_SDES_POLICY_VERSION) ||
        policy->mode < PHONESEC_SDES_DISABLED || policy->mode > PHONESEC_SDES_MANDATORY ||
        policy->n_suites > PHONESEC_SDES_MAX_SUITES || policy->mki_len > 4 || policy->lifetime > MAX_LIFETIME)
        return PHONESEC_E_INVAL;
    for (i = 0; i < policy->n_suites; i++) {
        int id = policy->suites[i];
        if (phonesec_sdes_suite_name(id) == NULL ||
            (id == PHONESEC_SRTP_F8_128_HMAC_SHA1_80 && phonesec_srtp_suite_supported(id) != PHONESEC_OK) ||
            ((id == PHONESEC_SRTP_NULL_HMAC_SHA1_80 || id == PHONESEC_SRTP_NULL_HMAC_SHA1_32) &&
             !(policy->flags & PHONESEC_SDES_ALLOW_NULL)))
            return PHONESEC_E_INVAL;
    }
    s = phonesec__calloc(1, sizeof *s);
    if (s == NULL)
        return PHONESEC_E_NOMEM;
    s->pol = *policy;
    s->mki_gen = 1;
    *out = s;
    return PHONESEC_OK;
}

void phonesec_sdes_free(phonesec_sdes *s)
{
    if (s == NULL)
        return;
    secs_free(s->act, s->n_act);
    secs_free(s->pend, s->n_pend);
    phonesec__free_secret(s, sizeof *s);
}

int phonesec_sdes_set_signalling_tls(phonesec_sdes *s, int tls)
{
    if (s == NULL)
        return PHONESEC_E_INVAL;
    s->tls = tls != 0;
    return PHONESEC_OK;
}

int phonesec_sdes_last_error(const phonesec_sdes *s, char *buf, size_t cap)
{
    if (s == NULL)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&s->err, buf, cap);
}

/* May SDES go ahead on this signalling? Warns once when it goes ahead in clear. */
static int tls_ok(phonesec_sdes *s)
{
    if (s->tls)
        return 1;
    if (s->pol.flags & PHONESEC_SDES_REQUIRE_TLS)
        return 0;
    if (!s->warned) {
        phonesec__log(PHONESEC_LOG_WARN, "sdes",
                      "SDES keys travel in SDP over signalling that is not TLS: anyone on the path can read them");
        s->warned = 1;
    }
    return 1;
}

/* MKI length of our key on a line of this suite and flags: the policy's,
 * or none where libsrtp2 cannot use an MKI (SRTP and SRTCP tags of
 * different lengths: see phonesec__sdes_mki_usable()). */
static size_t our_mki_len(const phonesec_sdes *s, int suite, unsigned flags)
{
    return phonesec__sdes_mki_usable(suite, flags, s->pol.flags) ? s->pol.mki_len : 0;
}

/* May our previous key be offered or answered again for this suite and flags? */
static int can_keep(const phonesec_sdes *s, const sec *prev, int suite, unsigned flags)
{
    return prev && prev->state == PHONESEC_SDES_SEC_SECURED && prev->has_ours && prev->ours.suite == suite &&
           prev->ours.flags == flags && !prev->rekey && prev->ours.key.mki_len == our_mki_len(s, suite, flags) &&
           prev->ours.key.lifetime == s->pol.lifetime;
}

/* Fill *o with our line: a fresh key, or `keep` re-tagged. tmp is scratch. */
static int make_ours(phonesec_sdes *s, phonesec_sdes_crypto *tmp, ours_line *o, uint32_t tag, int suite,
                     unsigned flags, const phonesec_srtp_key *keep)
{
    int rc;
    if (keep == NULL) {
        uint32_t mki = 0;
        size_t mki_len = our_mki_len(s, suite, flags);
        if (mki_len > 0) {
            mki = s->mki_gen++;
            if (mki_len < 4)
                mki &= (UINT32_C(1) << (8 * mki_len)) - 1;
        }
        rc = phonesec_sdes_crypto_generate(tag, suite, mki_len, mki, s->pol.lifetime, tmp);
        if (rc != PHONESEC_OK)
            return rc;
    } else {
        phonesec_sdes_crypto_wipe(tmp);
        tmp->version = PHONESEC_SDES_CRYPTO_VERSION;
        tmp->tag = tag;
        tmp->suite = suite;
        tmp->kdr = -1;
        tmp->n_keys = 1;
        tmp->keys[0] = *keep;
    }
    tmp->flags = flags;
    rc = phonesec__sdes_crypto_render(tmp);
    if (rc == PHONESEC_OK && tmp->text_len >= sizeof o->text)
        rc = PHONESEC_E_INTERNAL;
    if (rc == PHONESEC_OK) {
        memset(o, 0, sizeof *o);
        o->tag = tag;
        o->suite = suite;
        o->flags = flags;
        o->key = tmp->keys[0];
        memcpy(o->text, tmp->text, tmp->text_len + 1);
    }
    phonesec_sdes_crypto_wipe(tmp);
    return rc;
}

static void copy_media_name(sec *x, const phonesec__sdp *sdp, const phonesec__sdp_media *m)
{
    size_t n;
    const char *l = phonesec__sdp_line_text(sdp, m->first, &n);
    size_t k = m->media_len < sizeof x->media - 1 ? m->media_len : sizeof x->media - 1;
    memcpy(x->media, l + m->media_off, k);
    x->media[k] = '\0';
    k = m->proto_len < sizeof x->proto - 1 ? m->proto_len : sizeof x->proto - 1;
    memcpy(x->proto, l + m->proto_off, k);
    x->proto[k] = '\0';
}

static int has_attr_value(const phonesec__sdp *sdp, const phonesec__sdp_media *m, const char *name,
                          const char *value)
{
    size_t i, n, k = strlen(name), v = strlen(value);
    for (i = m->first + 1; i < m->end; i++) {
        const char *l = phonesec__sdp_line_text(sdp, i, &n);
        if (phonesec__sdp_is_attr(sdp, i, name) && n == 3 + k + v && phonesec__strncaseeq(l + 3 + k, value, v))
            return 1;
    }
    return 0;
}

static int is_savp(int kind)
{
    return kind == PHONESEC__SDP_SAVP || kind == PHONESEC__SDP_SAVPF;
}

/* Why phonesec__sdp_scan() refused `what` ("the offer"...): a limit is named. */
static int scan_fail(phonesec_sdes *s, const phonesec__sdp *sdp, int rc, const char *what)
{
    if (rc == PHONESEC_E_LIMIT && sdp->limit == PHONESEC__SDP_LIMIT_MEDIA)
        return phonesec__fail(&s->err, rc, "%s has more than %u m= sections (the limit of this library)", what,
                              (unsigned)PHONESEC__SDP_MAX_MEDIA);
    if (rc == PHONESEC_E_LIMIT)
        return phonesec__fail(&s->err, rc, "%s has more than %u lines (the limit of this library)", what,
                              (unsigned)PHONESEC__SDP_MAX_LINES);
    if (rc == PHONESEC_E_NOMEM)
        return phonesec__fail(&s->err, rc, "out of memory");
    return phonesec__fail(&s->err, rc, "%s is not SDP text", what);
}

static char *dup_mline(const phonesec__sdp *sdp, const phonesec__sdp_media *m, int reject)
{
    size_t n;
    const char *l = phonesec__sdp_line_text(sdp, m->first, &n);
    phonesec__dbuf b = {0};
    char *r;
    phonesec__dbuf_add(&b, l, m->port_off);
    if (reject)
        phonesec__dbuf_str(&b, "0");
    else
        phonesec__dbuf_add(&b, l + m->port_off, m->port_len);
    phonesec__dbuf_add(&b, l + m->port_off + m->port_len, n - m->port_off - m->port_len);
    r = b.failed ? NULL : phonesec__strdup(b.p);
    phonesec__dbuf_free(&b);
    return r;
}

/* Answerer: decide one RTP m= section. Returns an error only for an invalid
 * offer or a resource failure; unusable lines just leave the section unsecured. */
static int answer_section(phonesec_sdes *s, const phonesec__sdp *sdp, size_t mi, sec *x, const sec *prev,
                          phonesec_sdes_crypto *tmp, int sdes_ok)
{
    const phonesec__sdp_media *m = &sdp->media[mi];
    size_t i, j, n, nl = 0, *idx = NULL;
    uint32_t *tags = NULL;
    int chosen = -1, rc = PHONESEC_OK, mandatory = s->pol.mode == PHONESEC_SDES_MANDATORY;

    for (i = m->first + 1; i < m->end; i++)
        if (phonesec__sdp_is_attr(sdp, i, "crypto"))
            nl++;
    if (nl > MAX_CRYPTO_LINES)
        return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "m= section %zu has more than %u a=crypto lines", mi + 1,
                              (unsigned)MAX_CRYPTO_LINES);
    x->n_lines = (unsigned)nl;
    if (nl > 0) {
        idx = phonesec__calloc(nl, sizeof *idx);
        tags = phonesec__calloc(nl, sizeof *tags);
        x->why = phonesec__calloc(nl, sizeof *x->why);
        if (idx == NULL || tags == NULL || x->why == NULL) {
            rc = PHONESEC_E_NOMEM;
            goto out;
        }
    }
    for (i = m->first + 1, j = 0; i < m->end; i++)
        if (phonesec__sdp_is_attr(sdp, i, "crypto"))
            idx[j++] = i;
    /* Duplicate tags make the whole offer invalid (RFC 4568 §5.1). */
    for (j = 0; j < nl; j++) {
        const char *l = phonesec__sdp_line_text(sdp, idx[j], &n);
        size_t k;
        if (phonesec__sdes_parse_tag(l, n, &tags[j]) != PHONESEC_OK) {
            tags[j] = UINT32_MAX; /* no readable tag: the line is just invalid */
            continue;
        }
        for (k = 0; k < j; k++)
            if (tags[k] == tags[j]) {
                rc = phonesec__fail(&s->err, PHONESEC_E_PARSE,
                                    "m= section %zu (%s): a=crypto tag %u appears twice: the offer is invalid",
                                    mi + 1, x->media, (unsigned)tags[j]);
                goto out;
            }
    }
    x->e2ae = has_attr_value(sdp, m, "3ge2ae", "requested");
    if (m->port == 0) {
        x->state = PHONESEC_SDES_SEC_REJECTED;
        snprintf(x->reason, sizeof x->reason, "port 0 in the offer");
    } else if (s->pol.mode == PHONESEC_SDES_DISABLED || !sdes_ok) {
        snprintf(x->reason, sizeof x->reason, "%s",
                 s->pol.mode == PHONESEC_SDES_DISABLED ? "SRTP is disabled by the policy"
                                                       : "SDES refused: the signalling is not TLS");
        x->state = is_savp(m->kind) || mandatory ? PHONESEC_SDES_SEC_REJECTED : PHONESEC_SDES_SEC_CLEAR;
    } else {
        char why[160];
        for (j = 0; j < nl; j++) {
            const char *l = phonesec__sdp_line_text(sdp, idx[j], &n);
            why[0] = '\0';
            if (chosen >= 0) {
                snprintf(why, sizeof why, "not needed: tag %u was chosen", (unsigned)x->ours.tag);
            } else {
                int r = phonesec__sdes_crypto_parse_into(l, n, tmp, why, sizeof why);
                if (r == PHONESEC_E_NOMEM) {
                    rc = r;
                    goto out;
                }
                if (r == PHONESEC_OK)
                    r = phonesec_sdes_crypto_check(tmp, s->pol.flags, why, sizeof why);
                if (r == PHONESEC_OK && !suite_allowed(&s->pol, tmp->suite)) {
                    snprintf(why, sizeof why, "tag %u: %s is not allowed by the policy", (unsigned)tmp->tag,
                             phonesec_sdes_suite_name(tmp->suite));
                    r = PHONESEC_E_POLICY;
                }
                if (r == PHONESEC_OK) {
                    const phonesec_srtp_key *keep = NULL;
                    uint32_t tag = tmp->tag;
                    int suite = tmp->suite;
                    unsigned flags = tmp->flags;
                    rc = phonesec_sdes_crypto_to_params(tmp, s->pol.flags, &x->theirs);
                    phonesec_sdes_crypto_wipe(tmp);
                    if (rc != PHONESEC_OK)
                        goto out;
                    x->has_theirs = 1;
                    /* RFC 4568 §7.1.4: keep our key unless something requires a change. */
                    if (can_keep(s, prev, suite, flags))
                        keep = &prev->ours.key;
                    rc = make_ours(s, tmp, &x->ours, tag, suite, flags, keep);
                    if (rc != PHONESEC_OK)
                        goto out;
                    x->has_ours = 1;
                    chosen = (int)j;
                }
            }
            if (why[0] == '\0' && chosen != (int)j)
                snprintf(why, sizeof why, "not usable");
            x->why[j] = phonesec__strdup(chosen == (int)j ? "" : why);
            if (x->why[j] == NULL) {
                rc = PHONESEC_E_NOMEM;
                goto out;
            }
        }
        if (chosen >= 0) {
            x->state = PHONESEC_SDES_SEC_SECURED;
            if (prev) {
                x->roc_in = prev->roc_in;
                x->roc_out = prev->roc_out;
            }
        } else {
            if (nl == 0)
                snprintf(x->reason, sizeof x->reason, "no a=crypto line");
            else
                snprintf(x->reason, sizeof x->reason, "no usable a=crypto line (first: %s)", x->why[0]);
            x->state = is_savp(m->kind) || mandatory ? PHONESEC_SDES_SEC_REJECTED : PHONESEC_SDES_SEC_CLEAR;
        }
    }
    x->mline = dup_mline(sdp, m, x->state == PHONESEC_SDES_SEC_REJECTED);
    if (x->mline == NULL)
        rc = PHONESEC_E_NOMEM;
out:
    phonesec__free(idx);
    phonesec__free(tags);
    if (rc == PHONESEC_E_NOMEM)
        phonesec__fail(&s->err, rc, "out of memory");
    else if (rc == PHONESEC_E_RANDOM)
        phonesec__fail(&s->err, rc, "the random source failed");
    return rc;
}

int phonesec_sdes_answer(phonesec_sdes *s, const char *offer, size_t offer_len)
{
    phonesec__sdp sdp;
    phonesec_sdes_crypto *tmp = NULL;
    sec *nw = NULL;
    size_t i, n_rtp = 0, n_secured = 0, n_clear = 0;
    int rc, sdes_ok;
    char summary[200];

    if (s == NULL || offer == NULL)
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&s->err);
    if (s->n_pend > 0)
        return phonesec__fail(&s->err, PHONESEC_E_STATE, "an offer of ours is pending (glare)");
    rc = phonesec__sdp_scan(offer, offer_len, &sdp);
    if (rc != PHONESEC_OK)
        return scan_fail(s, &sdp, rc, "the offer");
    if (sdp.n_media == 0) {
        phonesec__sdp_free(&sdp);
        return phonesec__fail(&s->err, PHONESEC_E_PARSE, "the offer has no m= section");
    }
    nw = phonesec__calloc(sdp.n_media, sizeof *nw);
    tmp = phonesec__malloc(sizeof *tmp);
    if (nw == NULL || tmp == NULL) {
        rc = phonesec__fail(&s->err, PHONESEC_E_NOMEM, "out of memory");
        goto out;
    }
    sdes_ok = s->pol.mode == PHONESEC_SDES_DISABLED || s->tls || !(s->pol.flags & PHONESEC_SDES_REQUIRE_TLS);
    summary[0] = '\0';
    for (i = 0; i < sdp.n_media; i++) {
        sec *x = &nw[i];
        const sec *prev = i < s->n_act ? &s->act[i] : NULL;
        x->kind = sdp.media[i].kind;
        copy_media_name(x, &sdp, &sdp.media[i]);
        if (x->kind == PHONESEC__SDP_OTHER) {
            x->state = PHONESEC_SDES_SEC_NOT_RTP;
            x->mline = dup_mline(&sdp, &sdp.media[i], 0);
            if (x->mline == NULL) {
                rc = phonesec__fail(&s->err, PHONESEC_E_NOMEM, "out of memory");
                goto out;
            }
            continue;
        }
        rc = answer_section(s, &sdp, i, x, prev, tmp, sdes_ok);
        if (rc != PHONESEC_OK)
            goto out;
        if (sdp.media[i].port != 0)
            n_rtp++;
        if (x->state == PHONESEC_SDES_SEC_SECURED)
            n_secured++;
        if (x->state == PHONESEC_SDES_SEC_CLEAR)
            n_clear++;
        if (x->state != PHONESEC_SDES_SEC_SECURED && summary[0] == '\0' && sdp.media[i].port != 0)
            snprintf(summary, sizeof summary, "%s: %s", x->media, x->reason);
    }
    if (n_secured > 0 && !s->tls && s->pol.mode != PHONESEC_SDES_DISABLED)
        (void)tls_ok(s); /* the warning */
    if (n_rtp > 0 && n_secured == 0 && n_clear == 0) {
        rc = phonesec__fail(&s->err, !sdes_ok && s->pol.mode == PHONESEC_SDES_MANDATORY ? PHONESEC_E_POLICY
                                                                                          : PHONESEC_E_NO_MATCH,
                            "no m= section can be secured under the policy (%s)", summary);
        goto out;
    }
    secs_free(s->act, s->n_act);
    s->act = nw;
    s->n_act = sdp.n_media;
    s->act_is_answer = 1;
    nw = NULL;
    rc = PHONESEC_OK;
out:
    secs_free(nw, sdp.n_media);
    if (tmp)
        phonesec__free_secret(tmp, sizeof *tmp);
    phonesec__sdp_free(&sdp);
    return rc;
}

/* Write the m= line of section m with a new port (NULL: keep) and proto (NULL: keep). */
static void put_mline(phonesec__dbuf *b, const phonesec__sdp *sdp, const phonesec__sdp_media *m, const char *port,
                      const char *proto)
{
    size_t n;
    const char *l = phonesec__sdp_line_text(sdp, m->first, &n);
    phonesec__dbuf_add(b, l, m->port_off);
    if (port)
        phonesec__dbuf_str(b, port);
    else
        phonesec__dbuf_add(b, l + m->port_off, m->port_len);
    phonesec__dbuf_add(b, l + m->port_off + m->port_len, m->proto_off - m->port_off - m->port_len);
    if (proto)
        phonesec__dbuf_str(b, proto);
    else
        phonesec__dbuf_add(b, l + m->proto_off, m->proto_len);
    phonesec__dbuf_add(b, l + m->proto_off + m->proto_len, n - m->proto_off - m->proto_len);
}

/* Copy lines [from, to), leaving out a=crypto (and a=3ge2ae when drop_e2ae). */
static void put_lines(phonesec__dbuf *b, const phonesec__sdp *sdp, size_t from, size_t to, int drop_e2ae,
                      const char *eol)
{
    size_t i, n;
    for (i = from; i < to; i++) {
        const char *l;
        if (phonesec__sdp_is_attr(sdp, i, "crypto") || (drop_e2ae && phonesec__sdp_is_attr(sdp, i, "3ge2ae")))
            continue;
        l = phonesec__sdp_line_text(sdp, i, &n);
        phonesec__dbuf_add(b, l, n);
        phonesec__dbuf_str(b, eol);
    }
}

int phonesec_sdes_offer(phonesec_sdes *s, const char *local, size_t local_len, char *out, size_t out_cap,
                        size_t *out_len)
{
    phonesec__sdp sdp;
    phonesec__dbuf b = {0};
    phonesec_sdes_crypto *tmp = NULL;
    sec *nw = NULL;
    const char *eol;
    const int *list;
    int usable[PHONESEC_SDES_MAX_SUITES];
    size_t i, k, n_suites;
    int rc = PHONESEC_OK, sdes_ok, mandatory;

    if (s == NULL || local == NULL || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&s->err);
    rc = phonesec__sdp_scan(local, local_len, &sdp);
    if (rc != PHONESEC_OK)
        return scan_fail(s, &sdp, rc, "the local SDP");
    if (sdp.n_media == 0) {
        phonesec__sdp_free(&sdp);
        return phonesec__fail(&s->err, PHONESEC_E_PARSE, "the local SDP has no m= section");
    }
    mandatory = s->pol.mode == PHONESEC_SDES_MANDATORY;
    sdes_ok = s->pol.mode != PHONESEC_SDES_DISABLED && (s->tls || !(s->pol.flags & PHONESEC_SDES_REQUIRE_TLS));
    if (mandatory && !sdes_ok) {
        rc = phonesec__fail(&s->err, PHONESEC_E_POLICY, "SDES requires TLS signalling (policy) and SRTP is mandatory");
        goto out;
    }
    /* Offer only the suites the SRTP layer can run with the linked libsrtp2
     * (AES-192 is off while libsrtp2 derives its keys against RFC 6188). */
    {
        const int *pl;
        size_t np = policy_suites(&s->pol, &pl);
        for (k = 0, n_suites = 0; k < np; k++) {
            int code;
            if (phonesec__sdes_suite_runs(pl[k], &code) == PHONESEC_OK)
                usable[n_suites++] = pl[k];
            else
                phonesec__log(PHONESEC_LOG_DEBUG, "sdes", "not offering %s: %s", phonesec_sdes_suite_name(pl[k]),
                              phonesec__sdes_suite_not_run_reason(pl[k], code));
        }
        list = usable;
    }
    if (n_suites == 0 && sdes_ok) {
        if (mandatory) {
            rc = phonesec__fail(&s->err, PHONESEC_E_NO_MATCH,
                                "SRTP is mandatory and the linked libsrtp2 can run none of the policy's suites");
            goto out;
        }
        phonesec__log(PHONESEC_LOG_WARN, "sdes",
                      "the linked libsrtp2 can run none of the policy's suites: offering media in clear");
        sdes_ok = 0;
    }
    eol = sdp.crlf ? "\r\n" : "\n";
    nw = phonesec__calloc(sdp.n_media, sizeof *nw);
    tmp = phonesec__malloc(sizeof *tmp);
    if (nw == NULL || tmp == NULL) {
        rc = phonesec__fail(&s->err, PHONESEC_E_NOMEM, "out of memory");
        goto out;
    }
    put_lines(&b, &sdp, 0, sdp.media[0].first, 0, eol);
    for (i = 0; i < sdp.n_media; i++) {
        const phonesec__sdp_media *m = &sdp.media[i];
        sec *x = &nw[i];
        const sec *prev = i < s->n_act ? &s->act[i] : NULL;
        int avpf = m->kind == PHONESEC__SDP_AVPF || m->kind == PHONESEC__SDP_SAVPF;
        x->kind = m->kind;
        copy_media_name(x, &sdp, m);
        if (m->kind == PHONESEC__SDP_OTHER || m->port == 0 || !sdes_ok) {
            x->state = m->kind == PHONESEC__SDP_OTHER ? PHONESEC_SDES_SEC_NOT_RTP
                       : m->port == 0                 ? PHONESEC_SDES_SEC_REJECTED
                                                      : PHONESEC_SDES_SEC_CLEAR;
            if (x->state == PHONESEC_SDES_SEC_CLEAR)
                put_mline(&b, &sdp, m, NULL, avpf ? "RTP/AVPF" : "RTP/AVP");
            else
                put_mline(&b, &sdp, m, NULL, NULL);
            phonesec__dbuf_str(&b, eol);
            put_lines(&b, &sdp, m->first + 1, m->end, x->state == PHONESEC_SDES_SEC_CLEAR, eol);
            continue;
        }
        x->offered = phonesec__calloc(n_suites, sizeof *x->offered);
        if (x->offered == NULL) {
            rc = phonesec__fail(&s->err, PHONESEC_E_NOMEM, "out of memory");
            goto out;
        }
        x->n_offered = n_suites;
        for (k = 0; k < n_suites; k++) {
            /* RFC 4568 §7.1.4: a re-offer keeps the key in use unless it must change. */
            const phonesec_srtp_key *keep = NULL;
            if (can_keep(s, prev, list[k], 0))
                keep = &prev->ours.key;
            rc = make_ours(s, tmp, &x->offered[k], (uint32_t)(k + 1), list[k], 0, keep);
            if (rc != PHONESEC_OK) {
                phonesec__fail(&s->err, rc, "cannot make a key");
                goto out;
            }
        }
        x->state = PHONESEC_SDES_SEC_PENDING;
        if (prev) {
            x->roc_in = prev->roc_in;
            x->roc_out = prev->roc_out;
        }
        put_mline(&b, &sdp, m, NULL, mandatory ? (avpf ? "RTP/SAVPF" : "RTP/SAVP") : (avpf ? "RTP/AVPF" : "RTP/AVP"));
        phonesec__dbuf_str(&b, eol);
        put_lines(&b, &sdp, m->first + 1, m->end, 1, eol);
        for (k = 0; k < n_suites; k++) {
            phonesec__dbuf_str(&b, x->offered[k].text);
            phonesec__dbuf_str(&b, eol);
        }
        if (s->pol.flags & PHONESEC_SDES_OFFER_3GE2AE) {
            phonesec__dbuf_str(&b, "a=3ge2ae:requested");
            phonesec__dbuf_str(&b, eol);
        }
    }
    rc = phonesec__dbuf_out(&b, out, out_cap, out_len);
    if (rc == PHONESEC_E_NOMEM)
        phonesec__fail(&s->err, rc, "out of memory");
    else if (rc == PHONESEC_E_BUFFER_SMALL)
        phonesec__fail(&s->err, rc, "the offer needs %zu bytes", *out_len + 1);
    if (rc != PHONESEC_OK)
        goto out;
    if (sdes_ok && !s->tls)
        (void)tls_ok(s);
    secs_free(s->pend, s->n_pend);
    s->pend = nw;
    s->n_pend = sdp.n_media;
    nw = NULL;
out:
    secs_free(nw, sdp.n_media);
    if (tmp)
        phonesec__free_secret(tmp, sizeof *tmp);
    phonesec__dbuf_free(&b);
    phonesec__sdp_free(&sdp);
    return rc;
}

static int accept_section(phonesec_sdes *s, const phonesec__sdp *sdp, size_t i, const sec *p, sec *x,
                          const sec *prev, phonesec_sdes_crypto *tmp)
{
    const phonesec__sdp_media *m = &sdp->media[i];
    size_t j, n, nl = 0, line = 0;
    char why[160];
    int r;

    x->kind = m->kind;
    copy_media_name(x, sdp, m);
    x->e2ae = has_attr_value(sdp, m, "3ge2ae", "applied");
    for (j = m->first + 1; j < m->end; j++)
        if (phonesec__sdp_is_attr(sdp, j, "crypto")) {
            nl++;
            line = j;
        }
    x->n_lines = (unsigned)(nl > MAX_CRYPTO_LINES ? MAX_CRYPTO_LINES : nl);
    if (p->state != PHONESEC_SDES_SEC_PENDING) {
        x->state = p->state;
        if (x->state == PHONESEC_SDES_SEC_CLEAR && m->port == 0)
            x->state = PHONESEC_SDES_SEC_REJECTED;
        if (nl > 0)
            snprintf(x->reason, sizeof x->reason, "a=crypto ignored: we offered this section without SDES");
        return PHONESEC_OK;
    }
    if (m->port == 0) {
        x->state = PHONESEC_SDES_SEC_REJECTED;
        snprintf(x->reason, sizeof x->reason, "the answer rejected the section (port 0)");
        return PHONESEC_OK;
    }
    if (is_savp(m->kind) != (s->pol.mode == PHONESEC_SDES_MANDATORY))
        return phonesec__fail(&s->err, PHONESEC_E_NO_MATCH, "m= section %zu (%s): the answer changed the profile",
                              i + 1, x->media);
    if (nl == 0) {
        if (s->pol.mode == PHONESEC_SDES_OPTIONAL) {
            x->state = PHONESEC_SDES_SEC_CLEAR;
            snprintf(x->reason, sizeof x->reason, "the peer answered without a=crypto: media in clear");
            return PHONESEC_OK;
        }
        return phonesec__fail(&s->err, PHONESEC_E_NO_MATCH, "m= section %zu (%s): the answer has no a=crypto line",
                              i + 1, x->media);
    }
    if (nl > 1)
        return phonesec__fail(&s->err, PHONESEC_E_NO_MATCH,
                              "m= section %zu (%s): the answer has %zu a=crypto lines, exactly one is allowed", i + 1,
                              x->media, nl);
    {
        const char *l = phonesec__sdp_line_text(sdp, line, &n);
        r = phonesec__sdes_crypto_parse_into(l, n, tmp, why, sizeof why);
    }
    if (r != PHONESEC_OK)
        return phonesec__fail(&s->err, r == PHONESEC_E_NOMEM ? r : PHONESEC_E_PARSE,
                              "m= section %zu (%s): answer a=crypto: %s", i + 1, x->media, why);
    for (j = 0; j < p->n_offered && p->offered[j].tag != tmp->tag; j++)
        ;
    if (j == p->n_offered) {
        r = phonesec__fail(&s->err, PHONESEC_E_NO_MATCH, "m= section %zu (%s): answer tag %u was not offered",
                           i + 1, x->media, (unsigned)tmp->tag);
        goto out;
    }
    if (p->offered[j].suite != tmp->suite) {
        r = phonesec__fail(&s->err, PHONESEC_E_NO_MATCH, "m= section %zu (%s): answer tag %u has %s, we offered %s",
                           i + 1, x->media, (unsigned)tmp->tag, phonesec_sdes_suite_name(tmp->suite),
                           phonesec_sdes_suite_name(p->offered[j].suite));
        goto out;
    }
    r = phonesec_sdes_crypto_check(tmp, s->pol.flags, why, sizeof why);
    if (r == PHONESEC_OK && tmp->flags != p->offered[j].flags)
        r = PHONESEC_E_NO_MATCH, snprintf(why, sizeof why, "session parameters differ from the offer");
    if (r != PHONESEC_OK) {
        r = phonesec__fail(&s->err, r == PHONESEC_E_POLICY ? r : PHONESEC_E_NO_MATCH, "m= section %zu (%s): %s",
                           i + 1, x->media, why);
        goto out;
    }
    r = phonesec_sdes_crypto_to_params(tmp, s->pol.flags, &x->theirs);
    if (r != PHONESEC_OK)
        goto out;
    x->has_theirs = 1;
    x->ours = p->offered[j];
    x->has_ours = 1;
    x->state = PHONESEC_SDES_SEC_SECURED;
    if (prev) {
        x->roc_in = prev->roc_in;
        x->roc_out = prev->roc_out;
    }
out:
    phonesec_sdes_crypto_wipe(tmp);
    return r;
}

int phonesec_sdes_accept_answer(phonesec_sdes *s, const char *answer, size_t answer_len)
{
    phonesec__sdp sdp;
    phonesec_sdes_crypto *tmp = NULL;
    sec *nw = NULL;
    size_t i, n_secured = 0, n_clear = 0, n_rtp = 0;
    int rc;

    if (s == NULL || answer == NULL)
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&s->err);
    if (s->n_pend == 0)
        return phonesec__fail(&s->err, PHONESEC_E_STATE, "no offer of ours is pending");
    rc = phonesec__sdp_scan(answer, answer_len, &sdp);
    if (rc != PHONESEC_OK)
        return scan_fail(s, &sdp, rc, "the answer");
    if (sdp.n_media != s->n_pend) {
        rc = phonesec__fail(&s->err, PHONESEC_E_PARSE, "the answer has %zu m= sections, the offer had %zu",
                            sdp.n_media, s->n_pend);
        goto out;
    }
    nw = phonesec__calloc(sdp.n_media, sizeof *nw);
    tmp = phonesec__malloc(sizeof *tmp);
    if (nw == NULL || tmp == NULL) {
        rc = phonesec__fail(&s->err, PHONESEC_E_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < sdp.n_media; i++) {
        rc = accept_section(s, &sdp, i, &s->pend[i], &nw[i], i < s->n_act ? &s->act[i] : NULL, tmp);
        if (rc != PHONESEC_OK)
            goto out;
        if (s->pend[i].state == PHONESEC_SDES_SEC_PENDING)
            n_rtp++;
        n_secured += nw[i].state == PHONESEC_SDES_SEC_SECURED;
        n_clear += nw[i].state == PHONESEC_SDES_SEC_CLEAR;
    }
    if (s->pol.mode == PHONESEC_SDES_MANDATORY && n_clear > 0) {
        rc = phonesec__fail(&s->err, PHONESEC_E_POLICY, "SRTP is mandatory and a section came back in clear");
        goto out;
    }
    if (s->pol.mode == PHONESEC_SDES_MANDATORY && n_rtp > 0 && n_secured == 0) {
        rc = phonesec__fail(&s->err, PHONESEC_E_NO_MATCH, "SRTP is mandatory and no section was secured");
        goto out;
    }
    secs_free(s->act, s->n_act);
    s->act = nw;
    s->n_act = sdp.n_media;
    s->act_is_answer = 0;
    nw = NULL;
    secs_free(s->pend, s->n_pend);
    s->pend = NULL;
    s->n_pend = 0;
out:
    secs_free(nw, sdp.n_media);
    if (tmp)
        phonesec__free_secret(tmp, sizeof *tmp);
    phonesec__sdp_free(&sdp);
    return rc;
}

int phonesec_sdes_answer_sdp(phonesec_sdes *s, const char *local, size_t local_len, char *out, size_t out_cap,
                             size_t *out_len)
{
    phonesec__sdp sdp;
    phonesec__dbuf b = {0};
    const char *eol;
    size_t i;
    int rc;

    if (s == NULL || local == NULL || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&s->err);
    if (!s->act_is_answer || s->n_act == 0)
        return phonesec__fail(&s->err, PHONESEC_E_STATE, "no answer has been made");
    rc = phonesec__sdp_scan(local, local_len, &sdp);
    if (rc != PHONESEC_OK)
        return scan_fail(s, &sdp, rc, "the local SDP");
    if (sdp.n_media != s->n_act) {
        rc = phonesec__fail(&s->err, PHONESEC_E_PARSE, "the local SDP has %zu m= sections, the offer had %zu",
                            sdp.n_media, s->n_act);
        goto out;
    }
    eol = sdp.crlf ? "\r\n" : "\n";
    put_lines(&b, &sdp, 0, sdp.media[0].first, 0, eol);
    for (i = 0; i < sdp.n_media; i++) {
        const phonesec__sdp_media *m = &sdp.media[i];
        const sec *x = &s->act[i];
        if (x->state == PHONESEC_SDES_SEC_NOT_RTP) {
            put_lines(&b, &sdp, m->first, m->end, 0, eol);
            continue;
        }
        put_mline(&b, &sdp, m, x->state == PHONESEC_SDES_SEC_REJECTED ? "0" : NULL, x->proto);
        phonesec__dbuf_str(&b, eol);
        put_lines(&b, &sdp, m->first + 1, m->end, 0, eol);
        if (x->state == PHONESEC_SDES_SEC_SECURED) {
            phonesec__dbuf_str(&b, x->ours.text);
            phonesec__dbuf_str(&b, eol);
        }
    }
    rc = phonesec__dbuf_out(&b, out, out_cap, out_len);
    if (rc != PHONESEC_OK)
        phonesec__fail(&s->err, rc, rc == PHONESEC_E_NOMEM ? "out of memory" : "output buffer too small");
out:
    phonesec__dbuf_free(&b);
    phonesec__sdp_free(&sdp);
    return rc;
}

size_t phonesec_sdes_section_count(const phonesec_sdes *s)
{
    if (s == NULL)
        return 0;
    return s->n_pend ? s->n_pend : s->n_act;
}

static const sec *section_at(const phonesec_sdes *s, size_t idx)
{
    if (s->n_pend)
        return idx < s->n_pend ? &s->pend[idx] : NULL;
    return idx < s->n_act ? &s->act[idx] : NULL;
}

static int protects(int suite, unsigned flags)
{
    return suite != PHONESEC_SRTP_NULL_HMAC_SHA1_80 && suite != PHONESEC_SRTP_NULL_HMAC_SHA1_32 &&
           !(flags & (PHONESEC_SRTP_F_UNENCRYPTED_SRTP | PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP));
}

int phonesec_sdes_section(const phonesec_sdes *s, size_t idx, phonesec_sdes_section_info *info)
{
    const sec *x;
    if (s == NULL || info == NULL)
        return PHONESEC_E_INVAL;
    x = section_at(s, idx);
    if (x == NULL)
        return PHONESEC_E_NOT_FOUND;
    memset(info, 0, sizeof *info);
    info->state = x->state;
    info->savp = is_savp(x->kind);
    info->e2ae = x->e2ae;
    info->n_lines = x->n_lines;
    memcpy(info->media, x->media, sizeof info->media);
    memcpy(info->reason, x->reason, sizeof info->reason);
    if (x->state == PHONESEC_SDES_SEC_SECURED) {
        info->suite = x->ours.suite;
        info->tag = x->ours.tag;
        info->protect_out = protects(x->ours.suite, x->ours.flags);
        info->protect_in = protects(x->theirs.suite, x->theirs.flags);
    }
    return PHONESEC_OK;
}

int phonesec_sdes_line_reason(const phonesec_sdes *s, size_t idx, size_t line, char *out, size_t out_cap)
{
    const sec *x;
    size_t n;
    if (s == NULL || out == NULL || out_cap == 0)
        return PHONESEC_E_INVAL;
    x = section_at(s, idx);
    if (x == NULL || x->why == NULL || line >= x->n_lines || x->why[line] == NULL)
        return PHONESEC_E_NOT_FOUND;
    n = strlen(x->why[line]);
    if (n + 1 > out_cap)
        return PHONESEC_E_BUFFER_SMALL;
    memcpy(out, x->why[line], n + 1);
    return PHONESEC_OK;
}

static int copy_out(const char *src, char *out, size_t out_cap, size_t *out_len)
{
    size_t n = strlen(src);
    *out_len = n;
    if (n + 1 > out_cap)
        return PHONESEC_E_BUFFER_SMALL;
    memcpy(out, src, n + 1);
    return PHONESEC_OK;
}

int phonesec_sdes_answer_mline(const phonesec_sdes *s, size_t idx, char *out, size_t out_cap, size_t *out_len)
{
    if (s == NULL || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    if (!s->act_is_answer || s->n_pend)
        return PHONESEC_E_STATE;
    if (idx >= s->n_act || s->act[idx].mline == NULL)
        return PHONESEC_E_NOT_FOUND;
    return copy_out(s->act[idx].mline, out, out_cap, out_len);
}

int phonesec_sdes_answer_crypto(const phonesec_sdes *s, size_t idx, char *out, size_t out_cap, size_t *out_len)
{
    if (s == NULL || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    if (!s->act_is_answer || s->n_pend)
        return PHONESEC_E_STATE;
    if (idx >= s->n_act || s->act[idx].state != PHONESEC_SDES_SEC_SECURED)
        return PHONESEC_E_NOT_FOUND;
    return copy_out(s->act[idx].ours.text, out, out_cap, out_len);
}

int phonesec_sdes_params(const phonesec_sdes *s, size_t idx, int dir, phonesec_srtp_params *out)
{
    const sec *x;
    if (s == NULL || out == NULL || (dir != PHONESEC_SDES_INBOUND && dir != PHONESEC_SDES_OUTBOUND))
        return PHONESEC_E_INVAL;
    if (idx >= s->n_act || s->act[idx].state != PHONESEC_SDES_SEC_SECURED)
        return PHONESEC_E_NOT_FOUND;
    x = &s->act[idx];
    if (dir == PHONESEC_SDES_INBOUND) {
        *out = x->theirs;
        out->roc = x->roc_in;
        return PHONESEC_OK;
    }
    phonesec_memzero(out, sizeof *out);
    out->version = PHONESEC_SRTP_PARAMS_VERSION;
    out->suite = x->ours.suite;
    out->flags = x->ours.flags;
    if ((s->pol.flags & PHONESEC_SDES_SRTCP_TAG32_COMPAT) && phonesec__sdes_suite_is_32(x->ours.suite))
        out->flags |= PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT;
    out->n_keys = 1;
    out->keys[0] = x->ours.key;
    out->roc = x->roc_out;
    return PHONESEC_OK;
}

int phonesec_sdes_set_roc(phonesec_sdes *s, size_t idx, int dir, uint32_t roc)
{
    if (s == NULL || (dir != PHONESEC_SDES_INBOUND && dir != PHONESEC_SDES_OUTBOUND))
        return PHONESEC_E_INVAL;
    if (idx >= s->n_act)
        return PHONESEC_E_NOT_FOUND;
    if (dir == PHONESEC_SDES_INBOUND)
        s->act[idx].roc_in = roc;
    else
        s->act[idx].roc_out = roc;
    return PHONESEC_OK;
}

int phonesec_sdes_report_packets(phonesec_sdes *s, size_t idx, int dir, uint64_t packets)
{
    sec *x;
    uint64_t life;
    if (s == NULL || (dir != PHONESEC_SDES_INBOUND && dir != PHONESEC_SDES_OUTBOUND))
        return PHONESEC_E_INVAL;
    if (idx >= s->n_act || s->act[idx].state != PHONESEC_SDES_SEC_SECURED)
        return PHONESEC_E_NOT_FOUND;
    x = &s->act[idx];
    life = dir == PHONESEC_SDES_OUTBOUND ? x->ours.key.lifetime : x->theirs.keys[0].lifetime;
    if (life == 0)
        life = MAX_LIFETIME;
    if (packets < life)
        return PHONESEC_OK;
    if (dir == PHONESEC_SDES_OUTBOUND)
        x->rekey = 1;
    phonesec__log(PHONESEC_LOG_WARN, "sdes", "m= section %zu (%s): %s master key lifetime used up: re-INVITE with %s",
                  idx + 1, x->media, dir == PHONESEC_SDES_OUTBOUND ? "our" : "the peer's",
                  dir == PHONESEC_SDES_OUTBOUND ? "a new key" : "a new key from the peer");
    return phonesec__fail(&s->err, PHONESEC_E_EXPIRED, "section %zu: %s key lifetime used up", idx + 1,
                          dir == PHONESEC_SDES_OUTBOUND ? "outbound" : "inbound");
}

int phonesec_sdes_offer_withdraw(phonesec_sdes *s)
{
    if (s == NULL)
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&s->err);
    if (s->n_pend == 0)
        return phonesec__fail(&s->err, PHONESEC_E_STATE, "no offer of ours is pending");
    /* RFC 3264 §8: a rejected offer leaves the session as it was */
    secs_free(s->pend, s->n_pend);
    s->pend = NULL;
    s->n_pend = 0;
    return PHONESEC_OK;
}
