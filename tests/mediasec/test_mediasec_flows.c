/* Message flows modelled on the Deutsche Telekom REGISTER / 401 / REGISTER /
 * INVITE exchange (tests/vectors/mediasec/): both modes, both policies, 420
 * and 494 paths, re-REGISTER without accumulation, Require merging, and
 * Asterisk's known bugs as regression tests. Expected messages are written
 * by hand from the carrier's trace format, not produced by this library. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static char *vec(const char *name, size_t *len)
{
    char path[256];
    char *s;
    snprintf(path, sizeof path, "mediasec/%s", name);
    s = test_read_vector(path, len);
    if (s == NULL)
        fail_msg("cannot read vector %s", path);
    return s;
}

static phonesec_mediasec *mk(int client, int policy, int tls_only, const char *mechs)
{
    phonesec_mediasec_config c;
    phonesec_mediasec *ms = NULL;
    phonesec_mediasec_config_init(&c);
    c.client_initiated = client;
    c.policy = policy;
    c.tls_only = tls_only;
    c.client_mechanisms = mechs;
    assert_int_equal(phonesec_mediasec_new(&c, &ms), 0);
    assert_int_equal(phonesec_mediasec_reset(ms, 1), 0);
    return ms;
}

/* prepare_request(in) must equal the expect file byte for byte. */
static void expect_request(phonesec_mediasec *ms, const char *in_name, const char *expect_name)
{
    size_t il, el, ol;
    char *in = vec(in_name, &il), *ex = vec(expect_name, &el);
    char out[8192], err[300];
    int rc = phonesec_mediasec_prepare_request(ms, in, il, out, sizeof out, &ol);
    if (rc != 0) {
        (void)phonesec_mediasec_last_error(ms, err, sizeof err);
        fail_msg("prepare %s: %d %s", in_name, rc, err);
    }
    if (ol != el || memcmp(out, ex, el) != 0)
        fail_msg("%s -> differs from %s:\n--- got\n%s\n--- want\n%s", in_name, expect_name, out, ex);
    free(in);
    free(ex);
}

static void expect_unchanged(phonesec_mediasec *ms, const char *in_name)
{
    size_t il, ol;
    char *in = vec(in_name, &il);
    char out[8192];
    assert_int_equal(phonesec_mediasec_prepare_request(ms, in, il, out, sizeof out, &ol), 0);
    assert_int_equal(ol, il);
    assert_memory_equal(out, in, il);
    free(in);
}

static int feed(phonesec_mediasec *ms, const char *name)
{
    size_t n;
    char *m = vec(name, &n);
    int rc = phonesec_mediasec_on_response(ms, m, n);
    free(m);
    return rc;
}

static void client_initiated_telekom_flow(void **state)
{
    phonesec_mediasec *ms = mk(1, PHONESEC_MEDIASEC_OPPORTUNISTIC, 0, NULL);
    size_t n, il;
    int v;
    (void)state;
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_PENDING);
    expect_request(ms, "tk-register1.sip", "tk-register1-client.expect");
    assert_int_equal(phonesec_mediasec_media_policy(ms), 0);
    assert_int_equal(feed(ms, "tk-401.sip"), 0);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_AGREED);
    /* after the challenge: Security-Client still, plus Security-Verify */
    expect_request(ms, "tk-register2.sip", "tk-register2-client.expect");
    assert_int_equal(feed(ms, "tk-200-register.sip"), 0);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_AGREED);
    /* INVITE: Security-Verify once, tags merged into the first of two Require headers */
    expect_request(ms, "tk-invite.sip", "tk-invite.expect");
    /* media tie-in */
    assert_int_equal(phonesec_mediasec_media_policy(ms),
                     PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED | PHONESEC_MEDIASEC_MEDIA_3GE2AE);
    char *inv = vec("tk-invite.expect", &il);
    size_t bo, bl;
    assert_int_equal(phonesec_mediasec_msg_find(inv, il, "Content-Length", 0, &bo, &bl), 0);
    const char *body = strstr(inv, "\r\n\r\n") + 4;
    assert_int_equal((size_t)atoi(inv + bo), il - (size_t)(body - inv)); /* body and length untouched */
    assert_int_equal(phonesec_mediasec_sdp_3ge2ae(body, il - (size_t)(body - inv), &v), 0);
    assert_int_equal(v, PHONESEC_MEDIASEC_3GE2AE_REQUESTED);
    free(inv);
    /* the stored list is the server's, as received */
    const phonesec_mediasec_list *sl = phonesec_mediasec_server_list(ms);
    assert_non_null(sl);
    assert_int_equal(phonesec_mediasec_list_count(sl), 3);
    /* OPTIONS and ACK carry it too (RFC 3329: all subsequent requests) */
    static const char OPT[] = "OPTIONS sip:tel.t-online.de SIP/2.0\r\nCSeq: 9 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    char out[2048];
    assert_int_equal(phonesec_mediasec_prepare_request(ms, OPT, sizeof OPT - 1, out, sizeof out, &n), 0);
    assert_int_equal(phonesec_mediasec_msg_count(out, n, "Security-Verify", &n), 0);
    assert_int_equal(n, 3);
    static const char ACK[] = "ACK sip:x SIP/2.0\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(phonesec_mediasec_prepare_request(ms, ACK, sizeof ACK - 1, out, sizeof out, &n), 0);
    assert_int_equal(phonesec_mediasec_msg_count(out, n, "Security-Verify", &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(phonesec_mediasec_option_tags(ms, "INVITE"),
                     PHONESEC_MEDIASEC_TAG_SEC_AGREE | PHONESEC_MEDIASEC_TAG_MEDIASEC);
    assert_int_equal(phonesec_mediasec_option_tags(ms, "BYE"),
                     PHONESEC_MEDIASEC_TAG_SEC_AGREE | PHONESEC_MEDIASEC_TAG_MEDIASEC);
    phonesec_mediasec_free(ms);
}

static void reregister_never_accumulates(void **state)
{
    phonesec_mediasec *ms = mk(1, PHONESEC_MEDIASEC_OPPORTUNISTIC, 0, NULL);
    (void)state;
    assert_int_equal(feed(ms, "tk-401.sip"), 0);
    /* a stack that copied old Security-* lines: exactly one set leaves (Asterisk repeats them: 403) */
    expect_request(ms, "tk-reregister-stale.sip", "tk-reregister.expect");
    /* a new server list replaces the old one */
    assert_int_equal(feed(ms, "tk-401-new.sip"), 0);
    expect_request(ms, "tk-reregister4.sip", "tk-reregister-new.expect");
    phonesec_mediasec_free(ms);
}

static void server_initiated_494(void **state)
{
    phonesec_mediasec *ms = mk(0, PHONESEC_MEDIASEC_OPPORTUNISTIC, 0, NULL);
    size_t n, el;
    char out[8192];
    (void)state;
    /* nothing added before the server asks */
    expect_unchanged(ms, "tk-register1.sip");
    assert_int_equal(phonesec_mediasec_option_tags(ms, "REGISTER"), 0);
    assert_int_equal(feed(ms, "tk-401.sip"), 0);
    expect_request(ms, "tk-register2.sip", "tk-register2-server.expect");
    /* 494 with folded, comma-listed, repeated Security-Server, q values,
     * unknown mechanism and generic parameters: mirrored exactly (Asterisk
     * drops q values and unknown mechanisms) */
    assert_int_equal(feed(ms, "srv-494.sip"), 0);
    assert_int_equal(phonesec_mediasec_request_headers(ms, "REGISTER", PHONESEC_MEDIASEC_STYLE_PER_MECH, out,
                                                       sizeof out, &n),
                     0);
    char *ex = vec("srv-494-verify.expect", &el);
    assert_int_equal(n, el);
    assert_memory_equal(out, ex, el);
    free(ex);
    assert_int_equal(phonesec_mediasec_request_headers(ms, "INVITE", PHONESEC_MEDIASEC_STYLE_SINGLE, out, sizeof out,
                                                       &n),
                     0);
    assert_string_equal(out, "Security-Verify: sdes-srtp;q=0.5;mediasec, x-vendor-srtp;mediasec;ver=\"2\", "
                             "tls;q=0.2, digest;d-alg=md5;d-qop=auth;d-ver=\"0123456789abcdef0123456789abcdef\";q=0.1\r\n");
    /* sdes-srtp offered by the server: SDES becomes mandatory */
    assert_true(phonesec_mediasec_media_policy(ms) & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED);
    phonesec_mediasec_free(ms);
}

static void mandatory_without_security_server_fails(void **state)
{
    phonesec_mediasec *ms = mk(1, PHONESEC_MEDIASEC_MANDATORY, 0, NULL);
    size_t il, n;
    char out[8192], err[300];
    char *in = vec("tk-register1.sip", &il);
    (void)state;
    assert_int_equal(phonesec_mediasec_prepare_request(ms, in, il, out, sizeof out, &n), 0);
    assert_int_equal(feed(ms, "tk-200-register.sip"), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_FAILED);
    assert_int_equal(phonesec_mediasec_last_error(ms, err, sizeof err), 0);
    assert_non_null(strstr(err, "without a Security-Server"));
    assert_int_equal(phonesec_mediasec_prepare_request(ms, in, il, out, sizeof out, &n), PHONESEC_E_STATE);
    /* a new flow starts over */
    assert_int_equal(phonesec_mediasec_reset(ms, 1), 0);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_PENDING);
    phonesec_mediasec_free(ms);
    /* opportunistic: downgrade, later requests unchanged */
    ms = mk(1, PHONESEC_MEDIASEC_OPPORTUNISTIC, 0, NULL);
    assert_int_equal(feed(ms, "tk-200-register.sip"), 0);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_OFF);
    expect_unchanged(ms, "tk-register1.sip");
    phonesec_mediasec_free(ms);
    /* server-initiated mandatory: registration without the server asking fails */
    ms = mk(0, PHONESEC_MEDIASEC_MANDATORY, 0, NULL);
    assert_int_equal(feed(ms, "tk-200-register.sip"), PHONESEC_E_POLICY);
    phonesec_mediasec_free(ms);
    /* server-initiated opportunistic: stays ready for a later Security-Server */
    ms = mk(0, PHONESEC_MEDIASEC_OPPORTUNISTIC, 0, NULL);
    assert_int_equal(feed(ms, "tk-200-register.sip"), 0);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_PENDING);
    phonesec_mediasec_free(ms);
    free(in);
}

static void bad_extension_420(void **state)
{
    phonesec_mediasec *ms = mk(1, PHONESEC_MEDIASEC_OPPORTUNISTIC, 0, NULL);
    (void)state;
    assert_int_equal(feed(ms, "resp-420.sip"), 0);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_OFF);
    /* resend without: the message goes out as the stack built it */
    expect_unchanged(ms, "tk-register1.sip");
    /* a stack that resends the decorated REGISTER: our headers and tags come out */
    expect_request(ms, "tk-register1-client.expect", "tk-register1.sip");
    expect_request(ms, "tk-register2-client.expect", "tk-register2.sip");
    phonesec_mediasec_free(ms);
    ms = mk(1, PHONESEC_MEDIASEC_MANDATORY, 0, NULL);
    assert_int_equal(feed(ms, "resp-420.sip"), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_FAILED);
    phonesec_mediasec_free(ms);
}

static void tls_only_policy(void **state)
{
    phonesec_mediasec *ms = mk(1, PHONESEC_MEDIASEC_OPPORTUNISTIC, 1, NULL);
    size_t il, n;
    char out[8192];
    char *in = vec("tk-register1.sip", &il);
    (void)state;
    assert_int_equal(phonesec_mediasec_reset(ms, 0), 0); /* UDP/TCP flow */
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_OFF);
    expect_unchanged(ms, "tk-register1.sip");
    assert_int_equal(feed(ms, "tk-401.sip"), 0); /* ignored while off */
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_OFF);
    /* the persistent TLS flow came back: renegotiate */
    assert_int_equal(phonesec_mediasec_reset(ms, 1), 0);
    expect_request(ms, "tk-register1.sip", "tk-register1-client.expect");
    phonesec_mediasec_free(ms);
    ms = mk(1, PHONESEC_MEDIASEC_MANDATORY, 1, NULL);
    assert_int_equal(phonesec_mediasec_reset(ms, 0), 0);
    assert_int_equal(phonesec_mediasec_prepare_request(ms, in, il, out, sizeof out, &n), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_FAILED);
    phonesec_mediasec_free(ms);
    free(in);
}

static void new_flow_resets(void **state)
{
    phonesec_mediasec *ms = mk(1, PHONESEC_MEDIASEC_OPPORTUNISTIC, 0, NULL);
    (void)state;
    assert_int_equal(feed(ms, "tk-401.sip"), 0);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_AGREED);
    assert_int_equal(phonesec_mediasec_reset(ms, 1), 0);
    assert_null(phonesec_mediasec_server_list(ms));
    assert_int_equal(phonesec_mediasec_media_policy(ms), 0);
    expect_request(ms, "tk-register1.sip", "tk-register1-client.expect");
    phonesec_mediasec_free(ms);
}

/* The server list may come in a 401, 407, 421, 494 or 2xx; other statuses
 * do not count. Each new list replaces the stored one. */
static void list_arrives_in_any_allowed_status(void **state)
{
    static const struct {
        const char *status;
        int stored;
    } cases[] = {{"401 Unauthorized", 1}, {"407 Proxy Authentication Required", 1}, {"421 Extension Required", 1},
                 {"494 Security Agreement Required", 1}, {"200 OK", 1}, {"202 Accepted", 1},
                 {"100 Trying", 0}, {"183 Session Progress", 0}, {"302 Moved Temporarily", 0},
                 {"403 Forbidden", 0}, {"500 Server Internal Error", 0}};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        phonesec_mediasec *ms = mk(0, PHONESEC_MEDIASEC_OPPORTUNISTIC, 0, NULL);
        char m[512];
        int n = snprintf(m, sizeof m,
                         "SIP/2.0 %s\r\nCSeq: 7 OPTIONS\r\nSecurity-Server: sdes-srtp;mediasec;q=0.3\r\n"
                         "Content-Length: 0\r\n\r\n",
                         cases[i].status);
        assert_int_equal(phonesec_mediasec_on_response(ms, m, (size_t)n), 0);
        if (cases[i].stored) {
            assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_AGREED);
            assert_int_equal(phonesec_mediasec_list_count(phonesec_mediasec_server_list(ms)), 1);
            /* a later list replaces it */
            n = snprintf(m, sizeof m,
                         "SIP/2.0 %s\r\nCSeq: 8 OPTIONS\r\nSecurity-Server: tls;q=0.1\r\n"
                         "Security-Server: msrp-tls;mediasec\r\nContent-Length: 0\r\n\r\n",
                         cases[i].status);
            assert_int_equal(phonesec_mediasec_on_response(ms, m, (size_t)n), 0);
            assert_int_equal(phonesec_mediasec_list_count(phonesec_mediasec_server_list(ms)), 2);
            assert_string_equal(phonesec_mediasec_list_name(phonesec_mediasec_server_list(ms), 0), "tls");
        } else {
            if (phonesec_mediasec_state(ms) != PHONESEC_MEDIASEC_ST_PENDING)
                fail_msg("%s must not store a server list", cases[i].status);
            assert_null(phonesec_mediasec_server_list(ms));
        }
        phonesec_mediasec_free(ms);
    }
}

static void malformed_security_server(void **state)
{
    static const char BAD[] = "SIP/2.0 401 Unauthorized\r\nCSeq: 1 REGISTER\r\nSecurity-Server: sdes-srtp;q=2\r\n"
                              "Content-Length: 0\r\n\r\n";
    phonesec_mediasec *ms = mk(1, PHONESEC_MEDIASEC_OPPORTUNISTIC, 0, NULL);
    char err[300];
    (void)state;
    assert_int_equal(feed(ms, "tk-401.sip"), 0);
    assert_int_equal(phonesec_mediasec_on_response(ms, BAD, sizeof BAD - 1), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_mediasec_last_error(ms, err, sizeof err), 0);
    assert_non_null(strstr(err, "q value"));
    /* nothing stored: the old list stays */
    assert_int_equal(phonesec_mediasec_list_count(phonesec_mediasec_server_list(ms)), 3);
    phonesec_mediasec_free(ms);
    ms = mk(1, PHONESEC_MEDIASEC_MANDATORY, 0, NULL);
    assert_int_equal(phonesec_mediasec_on_response(ms, BAD, sizeof BAD - 1), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_FAILED);
    phonesec_mediasec_free(ms);
}

static void server_side_494(void **state)
{
    phonesec_mediasec_list *sent = NULL;
    size_t rl, n;
    int st;
    char *req = vec("tk-register2-client.expect", &rl);
    char out[8192];
    (void)state;
    assert_int_equal(phonesec_mediasec_list_new(&sent), 0);
    size_t l401;
    char *r401 = vec("tk-401.sip", &l401);
    assert_int_equal(phonesec_mediasec_list_from_msg(sent, r401, l401, "Security-Server"), 0);
    free(r401);
    assert_int_equal(phonesec_mediasec_server_check(sent, req, rl, &st), 0);
    assert_int_equal(st, 0);
    /* tampered Security-Verify (a downgrade attack drops a mechanism) */
    assert_int_equal(phonesec_mediasec_msg_remove(req, rl, "Security-Verify", out, sizeof out, &n, NULL), 0);
    assert_int_equal(phonesec_mediasec_server_check(sent, out, n, &st), 0);
    assert_int_equal(st, 494); /* Security-Client and sec-agree but no Security-Verify */
    char out2[8192];
    size_t n2;
    assert_int_equal(phonesec_mediasec_msg_insert(out, n, "Security-Verify", "sdes-srtp;mediasec, dtls-srtp;mediasec",
                                                  out2, sizeof out2, &n2),
                     0);
    assert_int_equal(phonesec_mediasec_server_check(sent, out2, n2, &st), 0);
    assert_int_equal(st, 494);
    /* same list in a single comma-separated header, different case: accepted */
    assert_int_equal(phonesec_mediasec_msg_insert(out, n, "security-verify",
                                                  "MSRP-TLS;MEDIASEC, sdes-srtp;mediasec, dtls-srtp;mediasec", out2,
                                                  sizeof out2, &n2),
                     0);
    assert_int_equal(phonesec_mediasec_server_check(sent, out2, n2, &st), 0);
    assert_int_equal(st, 0);
    /* malformed Security-Verify: 494 */
    assert_int_equal(phonesec_mediasec_msg_insert(out, n, "Security-Verify", "sdes-srtp;;", out2, sizeof out2, &n2), 0);
    assert_int_equal(phonesec_mediasec_server_check(sent, out2, n2, &st), 0);
    assert_int_equal(st, 494);
    /* no negotiation asked for at all: passes */
    size_t pl;
    char *plain = vec("tk-register1.sip", &pl);
    assert_int_equal(phonesec_mediasec_server_check(sent, plain, pl, &st), 0);
    assert_int_equal(st, 0);
    free(plain);
    free(req);
    phonesec_mediasec_list_free(sent);
}

static void single_style_and_custom_mechs(void **state)
{
    phonesec_mediasec_config c;
    phonesec_mediasec *ms = NULL;
    static const char REG[] = "REGISTER sip:sip.test SIP/2.0\r\nCSeq: 1 REGISTER\r\nRequire: path\r\n"
                              "Proxy-Require: sec-agree\r\nContent-Length: 0\r\n\r\n";
    char out[2048];
    size_t n;
    (void)state;
    phonesec_mediasec_config_init(&c);
    c.client_initiated = 1;
    c.client_mechanisms = "tls;q=0.2, sdes-srtp;mediasec;q=0.1";
    c.header_style = PHONESEC_MEDIASEC_STYLE_SINGLE;
    c.option_tags = PHONESEC_MEDIASEC_TAG_SEC_AGREE;
    assert_int_equal(phonesec_mediasec_new(&c, &ms), 0);
    assert_int_equal(phonesec_mediasec_reset(ms, 1), 0);
    assert_int_equal(phonesec_mediasec_prepare_request(ms, REG, sizeof REG - 1, out, sizeof out, &n), 0);
    assert_string_equal(out, "REGISTER sip:sip.test SIP/2.0\r\nCSeq: 1 REGISTER\r\nRequire: path, sec-agree\r\n"
                             "Proxy-Require: sec-agree\r\nSecurity-Client: tls;q=0.2, sdes-srtp;mediasec;q=0.1\r\n"
                             "Content-Length: 0\r\n\r\n");
    /* too small: untouched */
    memset(out, 'z', 4);
    assert_int_equal(phonesec_mediasec_prepare_request(ms, REG, sizeof REG - 1, out, 10, &n), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(out[0], 'z');
    /* a response is not a request */
    assert_int_equal(phonesec_mediasec_prepare_request(ms, "SIP/2.0 200 OK\r\n\r\n", 18, out, sizeof out, &n),
                     PHONESEC_E_PARSE);
    phonesec_mediasec_free(ms);
    /* bad configs */
    c.client_mechanisms = "tls;q=7";
    assert_int_equal(phonesec_mediasec_new(&c, &ms), PHONESEC_E_PARSE);
    c.client_mechanisms = NULL;
    c.version = 99;
    assert_int_equal(phonesec_mediasec_new(&c, &ms), PHONESEC_E_INVAL);
    c.version = PHONESEC_MEDIASEC_CONFIG_VERSION;
    c.policy = 5;
    assert_int_equal(phonesec_mediasec_new(&c, &ms), PHONESEC_E_INVAL);
    phonesec_mediasec_free(NULL);
    assert_int_equal(phonesec_mediasec_state(NULL), PHONESEC_E_INVAL);
}

static void nego_out_of_memory(void **state)
{
    long k;
    size_t il, rl;
    char *in = vec("tk-register2.sip", &il), *r401 = vec("tk-401.sip", &rl);
    char out[8192];
    (void)state;
    for (k = 1; k < 80; k++) {
        phonesec_mediasec_config c;
        phonesec_mediasec *ms = NULL;
        long live = test_alloc_live;
        size_t n;
        int rc;
        phonesec_mediasec_config_init(&c);
        c.client_initiated = 1;
        test_alloc_calls = 0;
        test_alloc_fail_at = k;
        rc = phonesec_mediasec_new(&c, &ms);
        if (rc == 0) {
            rc = phonesec_mediasec_on_response(ms, r401, rl);
            if (rc == 0)
                rc = phonesec_mediasec_prepare_request(ms, in, il, out, sizeof out, &n);
        }
        test_alloc_fail_at = 0;
        assert_true(rc == 0 || rc == PHONESEC_E_NOMEM);
        phonesec_mediasec_free(ms);
        assert_int_equal(test_alloc_live, live);
    }
    free(in);
    free(r401);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(client_initiated_telekom_flow),
        cmocka_unit_test(reregister_never_accumulates),
        cmocka_unit_test(server_initiated_494),
        cmocka_unit_test(mandatory_without_security_server_fails),
        cmocka_unit_test(bad_extension_420),
        cmocka_unit_test(tls_only_policy),
        cmocka_unit_test(new_flow_resets),
        cmocka_unit_test(list_arrives_in_any_allowed_status),
        cmocka_unit_test(malformed_security_server),
        cmocka_unit_test(server_side_494),
        cmocka_unit_test(single_style_and_custom_mechs),
        cmocka_unit_test(nego_out_of_memory),
    };
    return cmocka_run_group_tests_name("mediasec_flows", tests, test_platform_setup, test_platform_teardown);
}
