/*
 * libphonesec - mediasec: per-registration negotiation state machine,
 * media tie-in and the server-side Security-Verify check.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "mediasec/mediasec_int.h"

#define DEFAULT_CLIENT "sdes-srtp;mediasec"
#define LOGM "mediasec"

struct phonesec_mediasec {
    phonesec__err err;
    phonesec_mediasec_config cfg;
    phonesec_mediasec_list *client;
    phonesec_mediasec_list *server;
    int state;
    int flow_tls;
    int tls_blocked; /* tls_only and the flow is not TLS */
    unsigned tags;
    int style;
};

void phonesec_mediasec_config_init(phonesec_mediasec_config *c)
{
    static const phonesec_mediasec_config d = PHONESEC_MEDIASEC_CONFIG_INIT;
    if (c != NULL)
        *c = d;
}

static void start_flow(phonesec_mediasec *ms, int flow_is_tls)
{
    phonesec_mediasec_list_clear(ms->server);
    ms->flow_tls = flow_is_tls ? 1 : 0;
    ms->tls_blocked = ms->cfg.tls_only && !ms->flow_tls;
    ms->state = ms->tls_blocked ? PHONESEC_MEDIASEC_ST_OFF : PHONESEC_MEDIASEC_ST_PENDING;
    phonesec__err_clear(&ms->err);
}

/* Sizes of phonesec_mediasec_config by struct version (sizes[0]: 1.0, forever). */
static const size_t config_sizes[] = {sizeof(phonesec_mediasec_config)};

int phonesec_mediasec_new(const phonesec_mediasec_config *in, phonesec_mediasec **out)
{
    phonesec_mediasec_config c;
    const phonesec_mediasec_config *cfg = &c;
    phonesec_mediasec *ms;
    const char *mechs;
    size_t i;
    int rc;
    if (in == NULL || out == NULL ||
        phonesec__struct_in(&c, sizeof c, in, config_sizes, PHONESEC_MEDIASEC_CONFIG_VERSION) != PHONESEC_OK)
        return PHONESEC_E_INVAL;
    if (cfg->policy != PHONESEC_MEDIASEC_OPPORTUNISTIC && cfg->policy != PHONESEC_MEDIASEC_MANDATORY)
        return PHONESEC_E_INVAL;
    if (cfg->option_tags & ~(PHONESEC_MEDIASEC_TAG_SEC_AGREE | PHONESEC_MEDIASEC_TAG_MEDIASEC))
        return PHONESEC_E_INVAL;
    if (cfg->header_style != 0 && cfg->header_style != PHONESEC_MEDIASEC_STYLE_SINGLE &&
        cfg->header_style != PHONESEC_MEDIASEC_STYLE_PER_MECH)
        return PHONESEC_E_INVAL;
    ms = phonesec__calloc(1, sizeof *ms);
    if (ms == NULL)
        return PHONESEC_E_NOMEM;
    ms->cfg = *cfg;
    ms->cfg.client_mechanisms = NULL;
    ms->style = cfg->header_style ? cfg->header_style : PHONESEC_MEDIASEC_STYLE_PER_MECH;
    if ((rc = phonesec_mediasec_list_new(&ms->client)) != 0 || (rc = phonesec_mediasec_list_new(&ms->server)) != 0) {
        phonesec_mediasec_free(ms);
        return rc;
    }
    mechs = cfg->client_mechanisms ? cfg->client_mechanisms : DEFAULT_CLIENT;
    rc = phonesec_mediasec_list_parse(ms->client, mechs, strlen(mechs));
    if (rc != 0) {
        phonesec__log(PHONESEC_LOG_ERROR, LOGM, "client_mechanisms: %s", phonesec__mediasec_list_detail(ms->client));
        phonesec_mediasec_free(ms);
        return rc;
    }
    ms->tags = cfg->option_tags;
    if (ms->tags == 0) {
        ms->tags = PHONESEC_MEDIASEC_TAG_SEC_AGREE;
        for (i = 0; i < phonesec_mediasec_list_count(ms->client); i++)
            if (phonesec_mediasec_list_is_media(ms->client, i))
                ms->tags |= PHONESEC_MEDIASEC_TAG_MEDIASEC;
    }
    start_flow(ms, 0);
    *out = ms;
    return PHONESEC_OK;
}

void phonesec_mediasec_free(phonesec_mediasec *ms)
{
    if (ms == NULL)
        return;
    phonesec_mediasec_list_free(ms->client);
    phonesec_mediasec_list_free(ms->server);
    phonesec__free(ms);
}

int phonesec_mediasec_reset(phonesec_mediasec *ms, int flow_is_tls)
{
    if (ms == NULL)
        return PHONESEC_E_INVAL;
    start_flow(ms, flow_is_tls);
    phonesec__log(PHONESEC_LOG_INFO, LOGM, "new %s flow: %s", ms->flow_tls ? "TLS" : "non-TLS",
                  ms->tls_blocked ? "negotiation off (TLS only)" : "negotiation pending");
    return PHONESEC_OK;
}

int phonesec_mediasec_state(const phonesec_mediasec *ms)
{
    return ms ? ms->state : PHONESEC_E_INVAL;
}

const phonesec_mediasec_list *phonesec_mediasec_server_list(const phonesec_mediasec *ms)
{
    if (ms == NULL || ms->state != PHONESEC_MEDIASEC_ST_AGREED)
        return NULL;
    return ms->server;
}

static int method_is(const char *m, const char *want)
{
    return strcmp(m, want) == 0;
}

/* Which headers a request with this method carries: bit 0 client, bit 1 verify. */
static unsigned needs(const phonesec_mediasec *ms, const char *method)
{
    unsigned n = 0;
    if (ms->state != PHONESEC_MEDIASEC_ST_PENDING && ms->state != PHONESEC_MEDIASEC_ST_AGREED)
        return 0;
    if (ms->cfg.client_initiated && method_is(method, "REGISTER"))
        n |= 1;
    if (ms->state == PHONESEC_MEDIASEC_ST_AGREED)
        n |= 2;
    return n;
}

static int check_request_allowed(phonesec_mediasec *ms)
{
    if (ms->state == PHONESEC_MEDIASEC_ST_FAILED)
        return phonesec__fail(&ms->err, PHONESEC_E_STATE,
                              "negotiation failed on this flow (mandatory policy); reset on a new flow to retry");
    if (ms->tls_blocked && ms->cfg.policy == PHONESEC_MEDIASEC_MANDATORY) {
        ms->state = PHONESEC_MEDIASEC_ST_FAILED;
        return phonesec__fail(&ms->err, PHONESEC_E_POLICY,
                              "MediaSec is mandatory and limited to TLS, but this flow is not TLS");
    }
    return 0;
}

unsigned phonesec_mediasec_option_tags(const phonesec_mediasec *ms, const char *method)
{
    if (ms == NULL || method == NULL)
        return 0;
    return needs(ms, method) ? ms->tags : 0;
}

static void put_lines(const phonesec_mediasec *ms, unsigned n, int style, phonesec__sb *b)
{
    if (n & 1)
        phonesec__mediasec_list_put(ms->client, PHONESEC_MEDIASEC_HDR_CLIENT, style, "\r\n", b);
    if (n & 2)
        phonesec__mediasec_list_put(ms->server, PHONESEC_MEDIASEC_HDR_VERIFY, style, "\r\n", b);
}

int phonesec_mediasec_request_headers(phonesec_mediasec *ms, const char *method, int style, char *out,
                                      size_t out_cap, size_t *out_len)
{
    phonesec__sb b = {NULL, 0, 0};
    unsigned n;
    int rc;
    if (ms == NULL || method == NULL || out_len == NULL || (out == NULL && out_cap > 0) ||
        (style != PHONESEC_MEDIASEC_STYLE_SINGLE && style != PHONESEC_MEDIASEC_STYLE_PER_MECH))
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&ms->err);
    if ((rc = check_request_allowed(ms)) != 0)
        return rc;
    n = needs(ms, method);
    put_lines(ms, n, style, &b);
    *out_len = b.len;
    if (b.len + 1 > out_cap)
        return PHONESEC_E_BUFFER_SMALL;
    b.out = out;
    b.cap = out_cap;
    b.len = 0;
    put_lines(ms, n, style, &b);
    out[b.len] = '\0';
    return PHONESEC_OK;
}

/* Ping-pong editing of a request in two heap buffers. */
typedef struct edit {
    char *cur, *other;
    size_t len, cap;
} edit;

static int edit_step(edit *e, int rc, size_t nlen)
{
    char *t;
    if (rc != 0)
        return rc;
    t = e->cur;
    e->cur = e->other;
    e->other = t;
    e->len = nlen;
    return 0;
}

/* Header kinds the single-pass builder cares about. */
enum { K_OTHER, K_CLIENT, K_VERIFY, K_REQUIRE, K_PROXY_REQUIRE, K_CLEN };

static int kind_of(const char *p, size_t nl)
{
    static const struct {
        const char *name;
        int kind;
    } t[] = {{PHONESEC_MEDIASEC_HDR_CLIENT, K_CLIENT}, {PHONESEC_MEDIASEC_HDR_VERIFY, K_VERIFY},
             {"Require", K_REQUIRE}, {"Proxy-Require", K_PROXY_REQUIRE}, {"Content-Length", K_CLEN}};
    size_t i;
    for (i = 0; i < sizeof t / sizeof t[0]; i++)
        if (phonesec__sip_name_is(p, nl, t[i].name))
            return t[i].kind;
    return K_OTHER;
}

static const char *const tag_names[2] = {"sec-agree", "mediasec"};

/* Tags still to add to header kind k (bit 0 sec-agree, bit 1 mediasec). */
static void put_tags(phonesec__sb *b, unsigned add, int first_without_comma)
{
    int t;
    for (t = 0; t < 2; t++)
        if (add & (1u << t)) {
            if (!first_without_comma)
                phonesec__sb_put(b, ", ", 2);
            first_without_comma = 0;
            phonesec__sb_str(b, tag_names[t]);
        }
}

/*
 * Active states, in one pass over the headers (the same result as replacing
 * Security-Client / Security-Verify in place, inserting them before
 * Content-Length when absent, and merging each tag into the first Require /
 * Proxy-Require or a new one before Content-Length).
 */
typedef struct plan {
    phonesec__sip_msg m;
    size_t anchor;  /* first Content-Length line, else the empty line */
    unsigned add[2]; /* tags to add to Require / Proxy-Require */
    int exists[6];
} plan;

static int make_plan(const phonesec_mediasec *ms, unsigned n, const char *msg, size_t len, plan *pl)
{
    phonesec__sip_hdr h;
    size_t pos;
    unsigned have[2] = {0, 0};
    int rc, k, t;
    memset(pl, 0, sizeof *pl);
    if ((rc = phonesec__sip_open(&pl->m, msg, len)) != 0)
        return rc;
    pl->anchor = pl->m.hdr_end;
    pos = pl->m.hdr_start;
    while ((rc = phonesec__sip_next(&pl->m, &pos, NULL, &h)) == 1) {
        int kd = kind_of(msg + h.line_off, h.name_len);
        if (kd == K_CLEN && !pl->exists[K_CLEN])
            pl->anchor = h.line_off;
        if (kd == K_REQUIRE || kd == K_PROXY_REQUIRE)
            for (t = 0; t < 2; t++)
                if (phonesec__text_list_has(msg + h.val_off, h.val_len, tag_names[t]))
                    have[kd - K_REQUIRE] |= 1u << t;
        pl->exists[kd] = 1;
    }
    if (rc < 0)
        return rc;
    for (k = 0; n && k < 2; k++)
        pl->add[k] = ms->tags & ~have[k];
    return 0;
}

/*
 * Active states, in one pass over the headers (the same result as replacing
 * Security-Client / Security-Verify in place, inserting them before
 * Content-Length when absent, and merging each tag into the first Require /
 * Proxy-Require or a new one before Content-Length).
 */
static int build_active(const phonesec_mediasec *ms, unsigned n, const plan *pl, phonesec__sb *b)
{
    const phonesec__sip_msg *m = &pl->m;
    const char *msg = m->p;
    phonesec__sip_hdr h;
    size_t pos, copied = 0;
    int done_hdr[6] = {0, 0, 0, 0, 0, 0}, rc, k, flushed = 0;

    pos = m->hdr_start;
    for (;;) {
        int kd;
        rc = phonesec__sip_next(m, &pos, NULL, &h);
        if (rc < 0)
            return rc;
        if (!flushed && (rc == 0 || h.line_off >= pl->anchor)) {
            /* insertions that go before Content-Length (or the empty line) */
            phonesec__sb_put(b, msg + copied, pl->anchor - copied);
            copied = pl->anchor;
            if ((n & 1) && !pl->exists[K_CLIENT])
                phonesec__mediasec_list_put(ms->client, PHONESEC_MEDIASEC_HDR_CLIENT, ms->style, m->eol, b);
            if ((n & 2) && !pl->exists[K_VERIFY])
                phonesec__mediasec_list_put(ms->server, PHONESEC_MEDIASEC_HDR_VERIFY, ms->style, m->eol, b);
            for (k = 0; k < 2; k++)
                if (pl->add[k] && !pl->exists[K_REQUIRE + k]) {
                    phonesec__sb_str(b, k ? "Proxy-Require: " : "Require: ");
                    put_tags(b, pl->add[k], 1);
                    phonesec__sb_str(b, m->eol);
                }
            flushed = 1;
        }
        if (rc == 0)
            break;
        kd = kind_of(msg + h.line_off, h.name_len);
        if (kd == K_CLIENT || kd == K_VERIFY) {
            phonesec__sb_put(b, msg + copied, h.line_off - copied);
            copied = h.line_end;
            if (!done_hdr[kd] && (n & (kd == K_CLIENT ? 1u : 2u)))
                phonesec__mediasec_list_put(kd == K_CLIENT ? ms->client : ms->server,
                                            kd == K_CLIENT ? PHONESEC_MEDIASEC_HDR_CLIENT
                                                           : PHONESEC_MEDIASEC_HDR_VERIFY,
                                            ms->style, m->eol, b);
            done_hdr[kd] = 1;
        } else if ((kd == K_REQUIRE || kd == K_PROXY_REQUIRE) && !done_hdr[kd]) {
            done_hdr[kd] = 1;
            if (pl->add[kd - K_REQUIRE]) {
                size_t at = h.val_off + h.val_len;
                phonesec__sb_put(b, msg + copied, at - copied);
                copied = at;
                put_tags(b, pl->add[kd - K_REQUIRE], h.val_len == 0);
            }
        }
    }
    phonesec__sb_put(b, msg + copied, m->len - copied);
    return 0;
}

int phonesec_mediasec_prepare_request(phonesec_mediasec *ms, const char *msg, size_t len, char *out, size_t out_cap,
                                      size_t *out_len)
{
    char method[32];
    phonesec__sb b = {NULL, 0, 0};
    edit e = {NULL, NULL, 0, 0};
    unsigned n;
    size_t nlen;
    int rc, st;
    if (ms == NULL || msg == NULL || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&ms->err);
    if (phonesec_mediasec_msg_status(msg, len, &st) == PHONESEC_OK)
        return phonesec__fail(&ms->err, PHONESEC_E_PARSE, "a response, not a request");
    rc = phonesec_mediasec_msg_method(msg, len, method, sizeof method);
    if (rc != 0)
        return phonesec__fail(&ms->err, rc == PHONESEC_E_BUFFER_SMALL ? PHONESEC_E_PARSE : rc,
                              "not a SIP request (no method or no empty line after the headers)");
    if ((rc = check_request_allowed(ms)) != 0)
        return rc;
    n = ms->state == PHONESEC_MEDIASEC_ST_OFF ? 0 : needs(ms, method);
    if (ms->state == PHONESEC_MEDIASEC_ST_PENDING || ms->state == PHONESEC_MEDIASEC_ST_AGREED) {
        /* measure, then write: out is touched only when everything fits */
        plan pl;
        if ((rc = make_plan(ms, n, msg, len, &pl)) != 0 || (rc = build_active(ms, n, &pl, &b)) != 0)
            return phonesec__fail(&ms->err, rc, "malformed request (header section)");
        *out_len = b.len;
        if (b.len + 1 > out_cap)
            return PHONESEC_E_BUFFER_SMALL;
        b.out = out;
        b.cap = out_cap;
        b.len = 0;
        if ((rc = build_active(ms, n, &pl, &b)) != 0)
            return phonesec__fail(&ms->err, rc, "malformed request (header section)");
        out[b.len] = '\0';
        return PHONESEC_OK;
    }
    /* room: the message plus every line we may add */
    put_lines(ms, 3, PHONESEC_MEDIASEC_STYLE_PER_MECH, &b);
    e.cap = len + b.len + 2 * (sizeof "Proxy-Require: sec-agree, mediasec\r\n") + 1;
    e.cur = phonesec__malloc(e.cap);
    e.other = phonesec__malloc(e.cap);
    if (e.cur == NULL || e.other == NULL) {
        rc = phonesec__fail(&ms->err, PHONESEC_E_NOMEM, "out of memory");
        goto done;
    }
    memcpy(e.cur, msg, len);
    e.len = len;
    if (ms->state == PHONESEC_MEDIASEC_ST_OFF) {
        /* not negotiating on this flow: nothing of ours may go out (a
         * request resent after a 420 must not ask for the extension again) */
        static const char *const hdrs[] = {PHONESEC_MEDIASEC_HDR_CLIENT, PHONESEC_MEDIASEC_HDR_VERIFY};
        static const char *const tagh[] = {"Require", "Proxy-Require"};
        size_t k;
        for (k = 0; k < 2; k++) {
            rc = phonesec_mediasec_msg_remove(e.cur, e.len, hdrs[k], e.other, e.cap, &nlen, NULL);
            if ((rc = edit_step(&e, rc, nlen)) != 0)
                goto done;
        }
        for (k = 0; k < 2; k++) {
            if (ms->tags & PHONESEC_MEDIASEC_TAG_SEC_AGREE) {
                rc = phonesec_mediasec_msg_remove_tag(e.cur, e.len, tagh[k], "sec-agree", e.other, e.cap, &nlen,
                                                      NULL);
                if ((rc = edit_step(&e, rc, nlen)) != 0)
                    goto done;
            }
            if (ms->tags & PHONESEC_MEDIASEC_TAG_MEDIASEC) {
                rc = phonesec_mediasec_msg_remove_tag(e.cur, e.len, tagh[k], "mediasec", e.other, e.cap, &nlen,
                                                      NULL);
                if ((rc = edit_step(&e, rc, nlen)) != 0)
                    goto done;
            }
        }
    }
    *out_len = e.len;
    if (e.len + 1 > out_cap) {
        rc = PHONESEC_E_BUFFER_SMALL;
        goto done;
    }
    memcpy(out, e.cur, e.len);
    out[e.len] = '\0';
    rc = PHONESEC_OK;
done:
    if (rc != 0 && rc != PHONESEC_E_BUFFER_SMALL && ms->err.code == 0)
        (void)phonesec__fail(&ms->err, rc, "editing the request failed");
    phonesec__free(e.cur);
    phonesec__free(e.other);
    return rc;
}

static int fail_policy(phonesec_mediasec *ms, int code, const char *why)
{
    ms->state = PHONESEC_MEDIASEC_ST_FAILED;
    phonesec__log(PHONESEC_LOG_ERROR, LOGM, "registration must fail: %s", why);
    return phonesec__fail(&ms->err, code, "%s", why);
}

static void downgrade(phonesec_mediasec *ms, const char *why)
{
    ms->state = PHONESEC_MEDIASEC_ST_OFF;
    phonesec__log(PHONESEC_LOG_WARN, LOGM, "continuing without MediaSec (opportunistic policy): %s", why);
}

int phonesec_mediasec_on_response(phonesec_mediasec *ms, const char *msg, size_t len)
{
    char method[32];
    size_t count = 0;
    int rc, st, mandatory;
    if (ms == NULL || msg == NULL)
        return PHONESEC_E_INVAL;
    phonesec__err_clear(&ms->err);
    if (phonesec_mediasec_msg_status(msg, len, &st) != PHONESEC_OK)
        return phonesec__fail(&ms->err, PHONESEC_E_PARSE, "not a SIP response");
    if ((rc = phonesec_mediasec_msg_count(msg, len, PHONESEC_MEDIASEC_HDR_SERVER, &count)) != 0)
        return phonesec__fail(&ms->err, rc, "malformed SIP response (header section)");
    if (phonesec_mediasec_msg_method(msg, len, method, sizeof method) != PHONESEC_OK)
        method[0] = '\0';
    if (ms->state != PHONESEC_MEDIASEC_ST_PENDING && ms->state != PHONESEC_MEDIASEC_ST_AGREED)
        return PHONESEC_OK;
    mandatory = ms->cfg.policy == PHONESEC_MEDIASEC_MANDATORY;

    if (st == 420) {
        int a = phonesec_mediasec_msg_has_tag(msg, len, "Unsupported", "sec-agree");
        int b = phonesec_mediasec_msg_has_tag(msg, len, "Unsupported", "mediasec");
        if (a == 1 || b == 1) {
            const char *why = "420 Bad Extension: the server does not support security agreement";
            if (mandatory)
                return fail_policy(ms, PHONESEC_E_POLICY, why);
            downgrade(ms, why);
        }
        return PHONESEC_OK;
    }
    if (count > 0 && (st == 401 || st == 407 || st == 421 || st == 494 || (st >= 200 && st < 300))) {
        phonesec_mediasec_list *nl = NULL;
        if ((rc = phonesec_mediasec_list_new(&nl)) != 0)
            return phonesec__fail(&ms->err, rc, "out of memory");
        rc = phonesec_mediasec_list_from_msg(nl, msg, len, PHONESEC_MEDIASEC_HDR_SERVER);
        if (rc != 0) {
            char detail[PHONESEC__ERRMSG_MAX];
            memcpy(detail, phonesec__mediasec_list_detail(nl), sizeof detail);
            phonesec_mediasec_list_free(nl);
            if (mandatory) {
                ms->state = PHONESEC_MEDIASEC_ST_FAILED;
                phonesec__log(PHONESEC_LOG_ERROR, LOGM, "registration must fail: bad Security-Server");
            }
            return phonesec__fail(&ms->err, rc, "bad Security-Server in %d response: %.180s", st, detail);
        }
        /* a new server list replaces the old one */
        phonesec_mediasec_list_free(ms->server);
        ms->server = nl;
        ms->state = PHONESEC_MEDIASEC_ST_AGREED;
        phonesec__log(PHONESEC_LOG_INFO, LOGM, "Security-Server list of %zu mechanism(s) stored from %d response",
                      phonesec_mediasec_list_count(nl), st);
        return PHONESEC_OK;
    }
    if (st >= 200 && st < 300 && strcmp(method, "REGISTER") == 0 && ms->state == PHONESEC_MEDIASEC_ST_PENDING) {
        const char *why = "the registration succeeded without a Security-Server header";
        if (mandatory)
            return fail_policy(ms, PHONESEC_E_POLICY, why);
        if (ms->cfg.client_initiated)
            downgrade(ms, why);
    }
    return PHONESEC_OK;
}

unsigned phonesec_mediasec_media_policy(const phonesec_mediasec *ms)
{
    if (ms == NULL || ms->state != PHONESEC_MEDIASEC_ST_AGREED)
        return 0;
    if (phonesec_mediasec_list_find(ms->server, "sdes-srtp", NULL) != PHONESEC_OK)
        return 0;
    if (ms->cfg.client_initiated && phonesec_mediasec_list_find(ms->client, "sdes-srtp", NULL) != PHONESEC_OK)
        return 0;
    return PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED | PHONESEC_MEDIASEC_MEDIA_3GE2AE;
}

int phonesec_mediasec_sdp_3ge2ae(const char *sdp, size_t len, int *value)
{
    phonesec__text_line ln;
    size_t pos = 0;
    if (sdp == NULL || value == NULL)
        return PHONESEC_E_INVAL;
    while (phonesec__text_line_next(sdp, len, &pos, &ln) == 1) {
        const char *v;
        size_t vn;
        /* Name and value compared as the sdes module does: ignoring case
         * and trailing white space. */
        if (!phonesec__text_sdp_attr(sdp + ln.off, ln.len, "3ge2ae", &v, &vn) || ln.len == 8)
            continue;
        if (vn == 9 && phonesec__strncaseeq(v, "requested", 9))
            *value = PHONESEC_MEDIASEC_3GE2AE_REQUESTED;
        else if (vn == 7 && phonesec__strncaseeq(v, "applied", 7))
            *value = PHONESEC_MEDIASEC_3GE2AE_APPLIED;
        else
            return PHONESEC_E_PARSE;
        return PHONESEC_OK;
    }
    return PHONESEC_E_NOT_FOUND;
}

int phonesec_mediasec_server_check(const phonesec_mediasec_list *sent, const char *msg, size_t len, int *status)
{
    phonesec_mediasec_list *got = NULL;
    size_t nv = 0, nc = 0;
    int rc;
    if (sent == NULL || msg == NULL || status == NULL)
        return PHONESEC_E_INVAL;
    if ((rc = phonesec_mediasec_msg_count(msg, len, PHONESEC_MEDIASEC_HDR_VERIFY, &nv)) != 0)
        return rc;
    if ((rc = phonesec_mediasec_msg_count(msg, len, PHONESEC_MEDIASEC_HDR_CLIENT, &nc)) != 0)
        return rc;
    if (nv == 0) {
        int a = phonesec_mediasec_msg_has_tag(msg, len, "Require", "sec-agree");
        int b = phonesec_mediasec_msg_has_tag(msg, len, "Proxy-Require", "sec-agree");
        *status = (nc > 0 || a == 1 || b == 1) ? 494 : 0;
        return PHONESEC_OK;
    }
    if ((rc = phonesec_mediasec_list_new(&got)) != 0)
        return rc;
    rc = phonesec_mediasec_list_from_msg(got, msg, len, PHONESEC_MEDIASEC_HDR_VERIFY);
    if (rc == PHONESEC_E_NOMEM) {
        phonesec_mediasec_list_free(got);
        return rc;
    }
    *status = (rc == 0 && phonesec_mediasec_list_equal(sent, got) == PHONESEC_OK) ? 0 : 494;
    phonesec_mediasec_list_free(got);
    return PHONESEC_OK;
}

int phonesec_mediasec_last_error(const phonesec_mediasec *ms, char *buf, size_t cap)
{
    if (ms == NULL || buf == NULL || cap == 0)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&ms->err, buf, cap);
}
