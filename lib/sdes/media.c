/* SPDX-License-Identifier: MIT
 * SDES for one m= section at a time (stacks that hand the SDP over stream by
 * stream, such as baresip's media-encryption modules): our a=crypto lines,
 * the choice among the peer's, and the SRTP session pair they give, with the
 * packet demultiplexing (RFC 5761 §4) and the counters a phone shows. */
#include <string.h>

#include "sdes/sdes_internal.h"

#define MAX_OFFER PHONESEC_SDES_MAX_SUITES
/* Authentication failures in a row, with no packet ever authenticated under
 * the current keys, after which the peer's key is taken as wrong. */
#define KEY_FAIL_RUN 25

typedef struct local_line {
    uint32_t tag;
    int suite;
    phonesec_srtp_key key;
    char text[400]; /* attribute value, without "a=crypto:" */
} local_line;

struct phonesec_sdes_media {
    phonesec_sdes_policy pol;
    phonesec__err err;
    int state;                 /* PHONESEC_SDES_SEC_* */
    int role;                  /* 0 none, 1 offered, 2 answered */
    local_line lines[MAX_OFFER];
    size_t n_lines;
    char peer_line[PHONESEC_SDES_LINE_MAX + 1]; /* the line in use (answerer: to see re-offers) */
    int suite;
    phonesec_srtp *tx, *rx;
    phonesec_sdes_media_stats st;
    uint64_t auth_run;
    uint32_t mki_gen;
};

static const int default_suites[] = {
    PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32,
    PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80, PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32,
    PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80, PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32,
    PHONESEC_SRTP_AEAD_AES_256_GCM,        PHONESEC_SRTP_AEAD_AES_128_GCM,
};

static size_t suites_of(const phonesec_sdes_media *m, const int **l)
{
    if (m->pol.n_suites == 0) {
        *l = default_suites;
        return sizeof default_suites / sizeof default_suites[0];
    }
    *l = m->pol.suites;
    return m->pol.n_suites;
}

static int allowed(const phonesec_sdes_media *m, int suite)
{
    const int *l;
    size_t n = suites_of(m, &l), i;
    for (i = 0; i < n; i++)
        if (l[i] == suite)
            return 1;
    return 0;
}

static unsigned check_flags(const phonesec_sdes_media *m)
{
    return m->pol.flags & (PHONESEC_SDES_ALLOW_NULL | PHONESEC_SDES_ALLOW_UNENCRYPTED |
                           PHONESEC_SDES_SRTCP_TAG32_COMPAT);
}

static void drop_sessions(phonesec_sdes_media *m)
{
    phonesec_srtp_free(m->tx);
    phonesec_srtp_free(m->rx);
    m->tx = m->rx = NULL;
}

static void wipe_lines(phonesec_sdes_media *m)
{
    phonesec_memzero(m->lines, sizeof m->lines);
    m->n_lines = 0;
}

int phonesec_sdes_media_new(const phonesec_sdes_policy *policy, phonesec_sdes_media **out)
{
    phonesec_sdes *probe = NULL;
    phonesec_sdes_media *m;
    int rc;
    if (policy == NULL || out == NULL)
        return PHONESEC_E_INVAL;
    /* The same policy rules as a whole-SDP negotiation. */
    rc = phonesec_sdes_new(policy, &probe);
    if (rc != PHONESEC_OK)
        return rc;
    phonesec_sdes_free(probe);
    if (policy->mode == PHONESEC_SDES_DISABLED)
        return PHONESEC_E_INVAL;
    m = phonesec__calloc(1, sizeof *m);
    if (m == NULL)
        return PHONESEC_E_NOMEM;
    m->pol = *policy;
    m->state = PHONESEC_SDES_SEC_CLEAR;
    m->suite = PHONESEC_SRTP_SUITE_NONE;
    m->mki_gen = 1;
    *out = m;
    return PHONESEC_OK;
}

void phonesec_sdes_media_free(phonesec_sdes_media *m)
{
    if (m == NULL)
        return;
    drop_sessions(m);
    phonesec__free_secret(m, sizeof *m);
}

/* One fresh line of ours (key from phonesec_random()). */
static int make_line(phonesec_sdes_media *m, local_line *o, uint32_t tag, int suite)
{
    phonesec_sdes_crypto *c = phonesec__malloc(sizeof *c);
    size_t mki_len = 0;
    uint32_t mki = 0;
    const char *t;
    size_t n;
    int rc;
    if (c == NULL)
        return PHONESEC_E_NOMEM;
    if (m->pol.mki_len > 0 && phonesec__sdes_mki_usable(suite, 0, check_flags(m))) {
        mki_len = m->pol.mki_len;
        mki = m->mki_gen++;
        if (mki_len < 4)
            mki &= (UINT32_C(1) << (8 * mki_len)) - 1;
    }
    rc = phonesec_sdes_crypto_generate(tag, suite, mki_len, mki, m->pol.lifetime, c);
    if (rc == PHONESEC_OK) {
        t = c->text;
        n = c->text_len;
        if (n > 9 && memcmp(t, "a=crypto:", 9) == 0) {
            t += 9;
            n -= 9;
        }
        if (n >= sizeof o->text) {
            rc = PHONESEC_E_INTERNAL;
        } else {
            memset(o, 0, sizeof *o);
            o->tag = tag;
            o->suite = suite;
            o->key = c->keys[0];
            memcpy(o->text, t, n);
            o->text[n] = '\0';
        }
    }
    phonesec__free_secret(c, sizeof *c);
    return rc;
}

static int make_sessions(phonesec_sdes_media *m, const local_line *ours, const phonesec_sdes_crypto *theirs)
{
    phonesec_srtp_params p;
    phonesec_srtp *tx = NULL, *rx = NULL;
    unsigned opts = (m->pol.flags & PHONESEC_SDES_ALLOW_NULL) ? PHONESEC_SRTP_OPT_ALLOW_NULL : 0;
    int rc;
    rc = phonesec_sdes_crypto_to_params(theirs, check_flags(m), &p);
    if (rc == PHONESEC_OK)
        rc = phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, opts, &rx);
    if (rc == PHONESEC_OK) {
        /* Ours: same suite and session parameters as the line chosen. */
        p.n_keys = 1;
        p.keys[0] = ours->key;
        rc = phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_OUTBOUND, opts, &tx);
    }
    phonesec_srtp_params_wipe(&p);
    if (rc != PHONESEC_OK) {
        phonesec_srtp_free(rx);
        return phonesec__fail(&m->err, rc, "cannot make SRTP sessions for %s",
                              phonesec_srtp_suite_name(ours->suite));
    }
    drop_sessions(m);
    m->tx = tx;
    m->rx = rx;
    m->suite = ours->suite;
    m->state = PHONESEC_SDES_SEC_SECURED;
    m->auth_run = 0;
    m->st.rtp_in_since_keys = 0;
    return PHONESEC_OK;
}

int phonesec_sdes_media_offer(phonesec_sdes_media *m, size_t *n_lines)
{
    const int *l;
    size_t n, i;
    int rc;
    if (m == NULL)
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&m->err);
    if (m->role == 1 && m->n_lines > 0) {
        /* Offer again (re-INVITE, or the stack asks twice): same keys. */
        if (n_lines)
            *n_lines = m->n_lines;
        return PHONESEC_OK;
    }
    wipe_lines(m);
    n = suites_of(m, &l);
    for (i = 0; i < n && m->n_lines < MAX_OFFER; i++) {
        if (phonesec__sdes_suite_runs(l[i], NULL) != PHONESEC_OK)
            continue;
        if ((l[i] == PHONESEC_SRTP_NULL_HMAC_SHA1_80 || l[i] == PHONESEC_SRTP_NULL_HMAC_SHA1_32) &&
            !(m->pol.flags & PHONESEC_SDES_ALLOW_NULL))
            continue;
        if (phonesec__sdes_suite_is_32(l[i]) && !(m->pol.flags & PHONESEC_SDES_SRTCP_TAG32_COMPAT) &&
            m->pol.mki_len > 0)
            continue;
        rc = make_line(m, &m->lines[m->n_lines], (uint32_t)(m->n_lines + 1), l[i]);
        if (rc != PHONESEC_OK) {
            wipe_lines(m);
            return phonesec__fail(&m->err, rc, "cannot make a key");
        }
        m->n_lines++;
    }
    if (m->n_lines == 0)
        return phonesec__fail(&m->err, PHONESEC_E_NO_MATCH, "no suite of the policy can be run");
    m->role = 1;
    if (m->state != PHONESEC_SDES_SEC_SECURED)
        m->state = PHONESEC_SDES_SEC_PENDING;
    if (n_lines)
        *n_lines = m->n_lines;
    return PHONESEC_OK;
}

int phonesec_sdes_media_local_line(const phonesec_sdes_media *m, size_t idx, char *out, size_t out_cap,
                                   size_t *out_len)
{
    size_t n;
    if (m == NULL || out == NULL || out_len == NULL)
        return PHONESEC_E_INVAL;
    if (idx >= m->n_lines)
        return PHONESEC_E_NOT_FOUND;
    n = strlen(m->lines[idx].text);
    *out_len = n;
    if (n + 1 > out_cap)
        return PHONESEC_E_BUFFER_SMALL;
    memcpy(out, m->lines[idx].text, n + 1);
    return PHONESEC_OK;
}

/* Strip an "a=crypto:" prefix and trailing CR/LF. */
static void value_of(const char **p, size_t *n)
{
    if (*n >= 9 && phonesec__strncaseeq(*p, "a=crypto:", 9)) {
        *p += 9;
        *n -= 9;
    }
    while (*n > 0 && ((*p)[*n - 1] == '\r' || (*p)[*n - 1] == '\n'))
        (*n)--;
}

int phonesec_sdes_media_answer(phonesec_sdes_media *m, const char *const *lines, const size_t *lens, size_t n)
{
    phonesec_sdes_crypto *c;
    local_line ours;
    uint32_t tags[64];
    size_t i, j, ntags = 0;
    int rc = PHONESEC_E_NO_MATCH;
    if (m == NULL || (n > 0 && (lines == NULL || lens == NULL)))
        return PHONESEC_E_INVAL;
    for (i = 0; i < n; i++)
        if (lines[i] == NULL)
            return PHONESEC_E_INVAL;
    phonesec__err_clear(&m->err);
    /* RFC 4568 §5.1: a tag is unique within the m= section. */
    for (i = 0; i < n; i++) {
        const char *p = lines[i];
        size_t l = lens[i];
        uint32_t tag;
        value_of(&p, &l);
        if (phonesec__sdes_parse_tag(p, l, &tag) != PHONESEC_OK)
            continue;
        for (j = 0; j < ntags; j++)
            if (tags[j] == tag)
                return phonesec__fail(&m->err, PHONESEC_E_PARSE, "crypto tag %u used twice", (unsigned)tag);
        if (ntags < sizeof tags / sizeof tags[0])
            tags[ntags++] = tag;
    }
    /* The same line again (the stack re-runs the negotiation): keep keys. */
    if (m->role == 2 && m->state == PHONESEC_SDES_SEC_SECURED) {
        for (i = 0; i < n; i++) {
            const char *p = lines[i];
            size_t l = lens[i];
            value_of(&p, &l);
            if (l == strlen(m->peer_line) && memcmp(p, m->peer_line, l) == 0)
                return PHONESEC_OK;
        }
    }
    if (n == 0) {
        if (m->pol.mode == PHONESEC_SDES_MANDATORY)
            return phonesec__fail(&m->err, PHONESEC_E_NO_MATCH, "the offer has no a=crypto line");
        drop_sessions(m);
        wipe_lines(m);
        m->role = 2;
        m->state = PHONESEC_SDES_SEC_CLEAR;
        m->suite = PHONESEC_SRTP_SUITE_NONE;
        return PHONESEC_OK;
    }
    c = phonesec__malloc(sizeof *c);
    if (c == NULL)
        return PHONESEC_E_NOMEM;
    for (i = 0; i < n; i++) {
        const char *p = lines[i];
        size_t l = lens[i];
        char why[160];
        value_of(&p, &l);
        if (phonesec__sdes_crypto_parse_into(p, l, c, why, sizeof why) != PHONESEC_OK)
            continue;
        /* Session parameters that change the transform (UNENCRYPTED_*,
         * UNAUTHENTICATED_SRTP) are not taken per media section. */
        if (!allowed(m, c->suite) || c->flags != 0 ||
            phonesec_sdes_crypto_check(c, check_flags(m), why, sizeof why) != PHONESEC_OK) {
            phonesec_sdes_crypto_wipe(c);
            continue;
        }
        rc = make_line(m, &ours, c->tag, c->suite);
        if (rc == PHONESEC_OK) {
            /* Our line carries the session parameters of theirs that apply to both directions. */
            rc = make_sessions(m, &ours, c);
        }
        if (rc == PHONESEC_OK) {
            wipe_lines(m);
            m->lines[0] = ours;
            m->n_lines = 1;
            m->role = 2;
            memcpy(m->peer_line, p, l);
            m->peer_line[l] = '\0';
        }
        phonesec_memzero(&ours, sizeof ours);
        phonesec_sdes_crypto_wipe(c);
        break;
    }
    phonesec__free_secret(c, sizeof *c);
    if (rc == PHONESEC_E_NO_MATCH)
        return phonesec__fail(&m->err, rc, "none of the %u a=crypto lines is usable", (unsigned)n);
    return rc;
}

int phonesec_sdes_media_accept(phonesec_sdes_media *m, const char *const *lines, const size_t *lens, size_t n)
{
    phonesec_sdes_crypto *c;
    const char *p;
    size_t l, i;
    char why[160];
    int rc;
    if (m == NULL || (n > 0 && (lines == NULL || lens == NULL)))
        return PHONESEC_E_INVAL;
    for (i = 0; i < n; i++)
        if (lines[i] == NULL)
            return PHONESEC_E_INVAL;
    phonesec__err_clear(&m->err);
    if (m->role != 1 || m->n_lines == 0)
        return phonesec__fail(&m->err, PHONESEC_E_STATE, "no offer of ours is pending");
    if (n == 0) {
        if (m->pol.mode == PHONESEC_SDES_MANDATORY)
            return phonesec__fail(&m->err, PHONESEC_E_POLICY, "the answer came back without a=crypto");
        drop_sessions(m);
        m->state = PHONESEC_SDES_SEC_CLEAR;
        m->suite = PHONESEC_SRTP_SUITE_NONE;
        return PHONESEC_OK;
    }
    if (n > 1)
        return phonesec__fail(&m->err, PHONESEC_E_NO_MATCH, "the answer has %u a=crypto lines", (unsigned)n);
    p = lines[0];
    l = lens[0];
    value_of(&p, &l);
    if (m->state == PHONESEC_SDES_SEC_SECURED && l == strlen(m->peer_line) && memcmp(p, m->peer_line, l) == 0)
        return PHONESEC_OK; /* the same answer again */
    c = phonesec__malloc(sizeof *c);
    if (c == NULL)
        return PHONESEC_E_NOMEM;
    rc = phonesec__sdes_crypto_parse_into(p, l, c, why, sizeof why);
    if (rc != PHONESEC_OK) {
        phonesec__free_secret(c, sizeof *c);
        return phonesec__fail(&m->err, PHONESEC_E_PARSE, "answer a=crypto: %s", why);
    }
    rc = PHONESEC_E_NO_MATCH;
    for (i = 0; i < m->n_lines; i++)
        if (m->lines[i].tag == c->tag)
            break;
    if (i == m->n_lines) {
        phonesec__fail(&m->err, rc, "answer tag %u was not offered", (unsigned)c->tag);
    } else if (m->lines[i].suite != c->suite) {
        phonesec__fail(&m->err, rc, "answer suite differs from the one offered under tag %u", (unsigned)c->tag);
    } else if ((rc = phonesec_sdes_crypto_check(c, check_flags(m), why, sizeof why)) != PHONESEC_OK) {
        phonesec__fail(&m->err, rc, "answer a=crypto: %s", why);
    } else {
        rc = make_sessions(m, &m->lines[i], c);
        if (rc == PHONESEC_OK) {
            memcpy(m->peer_line, p, l);
            m->peer_line[l] = '\0';
        }
    }
    phonesec_sdes_crypto_wipe(c);
    phonesec__free_secret(c, sizeof *c);
    return rc;
}

int phonesec_sdes_media_state(const phonesec_sdes_media *m)
{
    if (m == NULL)
        return PHONESEC_E_INVAL;
    return m->state;
}

int phonesec_sdes_media_classify(const uint8_t *pkt, size_t len)
{
    if (pkt == NULL || len < 2 || pkt[0] < 128 || pkt[0] > 191)
        return PHONESEC_SDES_PKT_OTHER;
    /* RFC 5761 §4: RTCP packet types 192..223 show as 64..95 without the marker bit. */
    if ((pkt[1] & 0x7f) >= 64 && (pkt[1] & 0x7f) <= 95)
        return PHONESEC_SDES_PKT_RTCP;
    return PHONESEC_SDES_PKT_RTP;
}

/* A well-formed clear RTCP packet: version 2 headers of the RTCP packet
 * types (SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR: 200..207) whose lengths
 * add up exactly. The first need not be an SR or RR (RFC 3550 §6.1 wants
 * one): baresip's keep-alive is a lone 16-byte APP "PING"/"PONG". */
static int looks_clear_rtcp(const uint8_t *p, size_t len)
{
    size_t off = 0;
    if (len < 8)
        return 0;
    while (off < len) {
        size_t plen;
        if (len - off < 4 || (p[off] >> 6) != 2 || p[off + 1] < 200 || p[off + 1] > 207)
            return 0;
        plen = ((size_t)p[off + 2] << 8 | p[off + 3]) * 4 + 4;
        if (plen > len - off)
            return 0;
        off += plen;
    }
    return 1;
}

int phonesec_sdes_media_protect(phonesec_sdes_media *m, const uint8_t *in, size_t in_len, uint8_t *out,
                                size_t out_cap, size_t *out_len)
{
    int kind, rc;
    if (m == NULL || in == NULL || out == NULL || out_len == NULL)
        return PHONESEC_E_INVAL;
    if (m->state != PHONESEC_SDES_SEC_SECURED || m->tx == NULL)
        return PHONESEC_E_STATE;
    kind = phonesec_sdes_media_classify(in, in_len);
    if (kind == PHONESEC_SDES_PKT_RTCP) {
        rc = phonesec_srtp_protect_rtcp(m->tx, in, in_len, out, out_cap, out_len);
        if (rc == PHONESEC_OK)
            m->st.rtcp_out++;
    } else if (kind == PHONESEC_SDES_PKT_RTP) {
        rc = phonesec_srtp_protect(m->tx, in, in_len, out, out_cap, out_len);
        if (rc == PHONESEC_OK)
            m->st.rtp_out++;
    } else {
        rc = PHONESEC_E_PARSE;
    }
    if (rc != PHONESEC_OK && rc != PHONESEC_E_BUFFER_SMALL)
        m->st.out_errors++;
    return rc;
}

int phonesec_sdes_media_unprotect(phonesec_sdes_media *m, const uint8_t *in, size_t in_len, uint8_t *out,
                                  size_t out_cap, size_t *out_len)
{
    int kind, rc;
    if (m == NULL || in == NULL || out == NULL || out_len == NULL)
        return PHONESEC_E_INVAL;
    if (m->state != PHONESEC_SDES_SEC_SECURED || m->rx == NULL)
        return PHONESEC_E_STATE;
    kind = phonesec_sdes_media_classify(in, in_len);
    if (kind == PHONESEC_SDES_PKT_RTCP) {
        /* judged before unprotecting: in and out may be the same buffer, and
         * a failed unprotect zeroes what it used */
        int clear = looks_clear_rtcp(in, in_len);
        rc = phonesec_srtp_unprotect_rtcp(m->rx, in, in_len, out, out_cap, out_len);
        if (rc == PHONESEC_OK) {
            m->st.rtcp_in++;
            return rc;
        }
        if ((rc == PHONESEC_E_AUTH || rc == PHONESEC_E_PARSE) && clear) {
            /* Clear RTCP on an SRTP session (an early report or keep-alive sent
             * before the peer's SRTP was up): refused by policy, not a forgery. */
            m->st.rtcp_clear_refused++;
            return PHONESEC_E_POLICY;
        }
    } else if (kind == PHONESEC_SDES_PKT_RTP) {
        rc = phonesec_srtp_unprotect(m->rx, in, in_len, out, out_cap, out_len);
        if (rc == PHONESEC_OK) {
            m->st.rtp_in++;
            m->st.rtp_in_since_keys++;
            m->auth_run = 0;
            return rc;
        }
    } else {
        rc = PHONESEC_E_PARSE;
    }
    if (rc == PHONESEC_E_BUFFER_SMALL)
        return rc;
    if (rc == PHONESEC_E_AUTH) {
        m->st.auth_failures++;
        m->auth_run++;
        if (m->auth_run >= KEY_FAIL_RUN && m->st.rtp_in_since_keys == 0)
            m->st.peer_key_failed = 1;
    } else if (rc == PHONESEC_E_REPLAY) {
        m->st.replays++;
    } else {
        m->st.in_errors++;
    }
    return rc;
}

static const size_t stats_sizes[] = {sizeof(phonesec_sdes_media_stats)};

int phonesec_sdes_media_get_stats(const phonesec_sdes_media *m, phonesec_sdes_media_stats *out)
{
    phonesec_sdes_media_stats full;
    if (m == NULL || out == NULL)
        return PHONESEC_E_INVAL;
    full = m->st;
    full.version = PHONESEC_SDES_MEDIA_STATS_VERSION;
    full.state = m->state;
    full.suite = m->suite;
    return phonesec__struct_out(out, &full, stats_sizes, 1);
}

int phonesec_sdes_media_last_error(const phonesec_sdes_media *m, char *buf, size_t cap)
{
    if (m == NULL)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&m->err, buf, cap);
}
