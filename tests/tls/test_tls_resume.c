/* Sessions and resumption (issue 10 items 1, 2, 4, 5; issue 17 "a session
 * that cannot resume"): real in-memory handshakes through the public API.
 *
 * Every test here resumes (or tries to) with real wolfSSL handshakes and
 * checks what the server and client decide, so each can fail: a control
 * in every test shows that the same session does resume where it should. */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include "tls_test_util.h"

#define V12 PHONESEC_TLS_V1_2
#define V13 PHONESEC_TLS_V1_3

static int group_setup(void **state)
{
    if (make_certs() != 0)
        return -1;
    return test_platform_setup(state);
}

static int group_teardown(void **state)
{
    remove_certs();
    return test_platform_teardown(state);
}

/* ------------------------------------------------------------ helpers */

/* A server context: version cap, tickets on/off, client certificate policy,
 * trusting ca.crt. */
static phonesec_tls_ctx *srv(unsigned maxv, int tickets, int client_cert)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *s = NULL;
    phonesec_tls_config_init(&cfg);
    cfg.role = PHONESEC_TLS_SERVER;
    cfg.max_version = maxv;
    cfg.session_tickets = tickets;
    cfg.client_cert = client_cert;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &s), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_certificate_file(s, cert_path("server.crt"), cert_path("server.key")),
                     PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(s, cert_path("ca.crt")), PHONESEC_OK);
    return s;
}

/* A client context trusting ca.crt, optionally with a client certificate. */
static phonesec_tls_ctx *cli(unsigned maxv, const char *cert)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *c = NULL;
    char key[64];
    phonesec_tls_config_init(&cfg);
    cfg.max_version = maxv;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(c, cert_path("ca.crt")), PHONESEC_OK);
    if (cert != NULL) {
        char crt[64];
        snprintf(crt, sizeof crt, "%s.crt", cert);
        snprintf(key, sizeof key, "%s.key", cert);
        assert_int_equal(phonesec_tls_ctx_set_certificate_file(c, cert_path(crt), cert_path(key)), PHONESEC_OK);
    }
    return c;
}

static phonesec_tls_conn *conn(phonesec_tls_ctx *ctx, const char *ref)
{
    phonesec_tls_conn_config cc;
    phonesec_tls_conn *c = NULL;
    phonesec_tls_conn_config_init(&cc);
    cc.reference_name = ref;
    assert_int_equal(phonesec_tls_conn_new(ctx, &cc, &c), PHONESEC_OK);
    return c;
}

typedef struct {
    int rc_c, rc_s;   /* handshake results */
    int c_resumed, s_resumed;
    phonesec_tls_info si; /* server's view (strings copied below) */
    char s_subject[256], s_chain_detail[256], s_name_detail[320];
    char c_chain_detail[256];
    char c_err[256], s_err[256];
} hs_result;

/* One handshake client->server, offering sess (may be NULL). The client
 * reference is sip.example.com; the server connection may carry its own
 * reference name (sref). When out_sess is given, the client's session is
 * exported (after_read: after the ticket has been read; else at once). */
static void hs(phonesec_tls_ctx *cc, phonesec_tls_ctx *sc, const char *sref, const phonesec_tls_session *sess,
               phonesec_tls_session **out_sess, int after_read, hs_result *r)
{
    phonesec_tls_conn *c = conn(cc, "sip.example.com"), *s = conn(sc, sref);
    phonesec_tls_info ci = PHONESEC_TLS_INFO_INIT;
    memset(r, 0, sizeof *r);
    if (sess != NULL)
        assert_int_equal(phonesec_tls_conn_set_session(c, sess), PHONESEC_OK);
    r->rc_c = pump(c, s, &r->rc_s);
    if (r->rc_c == PHONESEC_OK && r->rc_s == PHONESEC_OK && out_sess != NULL) {
        if (after_read)
            settle(c, s);
        *out_sess = NULL;
        {
            int g = phonesec_tls_conn_get_session(c, out_sess);
            assert_true(g == PHONESEC_OK || g == PHONESEC_E_NOT_FOUND);
        }
    }
    assert_int_equal(phonesec_tls_conn_last_error(c, r->c_err, sizeof r->c_err), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_last_error(s, r->s_err, sizeof r->s_err), PHONESEC_OK);
    if (getenv("TLS_RESUME_DEBUG"))
        print_message("  rc %d/%d resumed %d/%d: client '%s' server '%s'\n", r->rc_c, r->rc_s, r->rc_c == 0,
                      r->rc_s == 0, r->c_err, r->s_err);
    assert_int_equal(phonesec_tls_conn_info(c, &ci), PHONESEC_OK);
    r->c_resumed = ci.resumed;
    snprintf(r->c_chain_detail, sizeof r->c_chain_detail, "%s", ci.chain_detail);
    r->si.version = PHONESEC_TLS_INFO_VERSION;
    assert_int_equal(phonesec_tls_conn_info(s, &r->si), PHONESEC_OK);
    r->s_resumed = r->si.resumed;
    snprintf(r->s_subject, sizeof r->s_subject, "%s", r->si.peer_subject);
    snprintf(r->s_chain_detail, sizeof r->s_chain_detail, "%s", r->si.chain_detail);
    snprintf(r->s_name_detail, sizeof r->s_name_detail, "%s", r->si.name_detail);
    r->si.peer_subject = r->s_subject;
    r->si.chain_detail = r->s_chain_detail;
    r->si.name_detail = r->s_name_detail;
    r->si.peer_issuer = r->si.peer_sans = r->si.chain_anchor = r->si.reference_name = "";
    r->si.protocol_name = r->si.suite_name = "";
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
}

/* A full handshake that exports the client's session after the ticket. */
static phonesec_tls_session *full(phonesec_tls_ctx *cc, phonesec_tls_ctx *sc, const char *sref)
{
    phonesec_tls_session *sess = NULL;
    hs_result r;
    hs(cc, sc, sref, NULL, &sess, 1, &r);
    assert_int_equal(r.rc_c, PHONESEC_OK);
    assert_int_equal(r.rc_s, PHONESEC_OK);
    assert_int_equal(r.c_resumed, 0);
    assert_non_null(sess);
    return sess;
}

/* The three ways a server resumes: TLS 1.2 session ID (no tickets), TLS 1.2
 * ticket, TLS 1.3 ticket. */
static const struct {
    unsigned v;
    int tickets;
    const char *name;
} modes[] = {{V12, 0, "TLS 1.2 session ID"}, {V12, 1, "TLS 1.2 ticket"}, {V13, 1, "TLS 1.3 ticket"}};
#define N_MODES (sizeof modes / sizeof modes[0])

/* A session the server must not resume: never resumed. Where a full
 * handshake would pass, it passes, except with TLS 1.2 tickets: a wolfSSL
 * 5.5.4 client cannot fall back to a full handshake after the server
 * refuses its TLS 1.2 ticket (it sees an unexpected message), so there the
 * refusal ends the attempt; the next one, without the session, is a full
 * handshake (checked by the callers). An OpenSSL client gets the full
 * handshake (tests/tls/resume_interop.sh, run_same_policy). */
static int is_v12_ticket(size_t m)
{
    return modes[m].v == V12 && modes[m].tickets;
}

/* ------------------------------------------------------------ item 1 */

/* A session made without a client certificate on one server context must
 * not resume on another context of the same process that requires one. */
static void test_no_cross_context_resumption(void **state)
{
    size_t m;
    (void)state;
    for (m = 0; m < N_MODES; m++) {
        phonesec_tls_ctx *a = srv(modes[m].v, modes[m].tickets, PHONESEC_TLS_CLIENT_CERT_NONE);
        phonesec_tls_ctx *b = srv(modes[m].v, modes[m].tickets, PHONESEC_TLS_CLIENT_CERT_REQUIRE);
        phonesec_tls_ctx *cc = cli(modes[m].v, NULL);
        phonesec_tls_session *sess;
        hs_result r;
        print_message("%s\n", modes[m].name);
        sess = full(cc, a, NULL);
        /* control: the session resumes on the context that made it */
        hs(cc, a, NULL, sess, NULL, 0, &r);
        assert_int_equal(r.rc_c, PHONESEC_OK);
        assert_int_equal(r.s_resumed, 1);
        /* the mutual-TLS context: a full handshake, refused for lack of a certificate */
        hs(cc, b, NULL, sess, NULL, 0, &r);
        assert_int_equal(r.s_resumed, 0);
        assert_int_not_equal(r.rc_s, PHONESEC_OK);
        /* and a context with the very same policy is still another context */
        {
            phonesec_tls_ctx *a2 = srv(modes[m].v, modes[m].tickets, PHONESEC_TLS_CLIENT_CERT_NONE);
            hs(cc, a2, NULL, sess, NULL, 0, &r);
            assert_int_equal(r.s_resumed, 0);
            assert_int_equal(r.c_resumed, 0);
            if (!is_v12_ticket(m))
                assert_int_equal(r.rc_s, PHONESEC_OK);
            hs(cc, a2, NULL, NULL, NULL, 0, &r); /* the next attempt, without the session */
            assert_int_equal(r.rc_s, PHONESEC_OK);
            phonesec_tls_ctx_free(a2);
        }
        phonesec_tls_session_free(sess);
        phonesec_tls_ctx_free(a);
        phonesec_tls_ctx_free(b);
        phonesec_tls_ctx_free(cc);
    }
}

/* ------------------------------------------------------------ item 2 */

/* A mutual-TLS session made before the client's CA left the trust list, or
 * before a CRL revoked the client certificate, is not resumed. */
static void test_server_no_resume_after_trust_or_crl_change(void **state)
{
    size_t m;
    uint8_t *crl;
    size_t crl_len;
    (void)state;
    crl = slurp("ca.crl", &crl_len);
    assert_non_null(crl);
    for (m = 0; m < N_MODES; m++) {
        int step;
        print_message("%s\n", modes[m].name);
        for (step = 0; step < 4; step++) {
            phonesec_tls_ctx *sc = srv(modes[m].v, modes[m].tickets, PHONESEC_TLS_CLIENT_CERT_REQUIRE);
            phonesec_tls_ctx *cc = cli(modes[m].v, step == 1 ? "revoked" : "client");
            phonesec_tls_session *sess = full(cc, sc, NULL);
            hs_result r;
            /* control: resumes while nothing changed */
            hs(cc, sc, NULL, sess, NULL, 0, &r);
            assert_int_equal(r.rc_s, PHONESEC_OK);
            assert_int_equal(r.s_resumed, 1);
            if (step == 0) { /* the CA leaves the trust list (another one stays) */
                assert_int_equal(phonesec_tls_ctx_add_trusted_file(sc, cert_path("rogue.crt")), PHONESEC_OK);
                assert_int_equal(phonesec_tls_ctx_remove_trusted(sc, 0), PHONESEC_OK);
            } else if (step == 1) { /* a CRL revokes the client certificate */
                assert_int_equal(phonesec_tls_ctx_add_crl(sc, crl, crl_len, PHONESEC_TLS_FORMAT_AUTO), PHONESEC_OK);
            } else if (step == 2) { /* a new server certificate */
                assert_int_equal(phonesec_tls_ctx_set_certificate_file(sc, cert_path("server.crt"),
                                                                       cert_path("server.key")),
                                 PHONESEC_OK);
            } else { /* only_trusted changed (and back): a new generation */
                assert_int_equal(phonesec_tls_ctx_set_only_trusted(sc, 0), PHONESEC_OK);
                assert_int_equal(phonesec_tls_ctx_set_only_trusted(sc, 1), PHONESEC_OK);
            }
            hs(cc, sc, NULL, sess, NULL, 0, &r);
            assert_int_equal(r.s_resumed, 0);
            assert_int_equal(r.c_resumed, 0);
            if (step < 2)
                assert_int_not_equal(r.rc_s, PHONESEC_OK); /* the full handshake refuses the client */
            else if (!is_v12_ticket(m))
                assert_int_equal(r.rc_s, PHONESEC_OK);
            hs(cc, sc, NULL, NULL, NULL, 0, &r); /* without the session: the full handshake's verdict */
            if (step < 2)
                assert_int_not_equal(r.rc_s, PHONESEC_OK);
            else
                assert_int_equal(r.rc_s, PHONESEC_OK);
            phonesec_tls_session_free(sess);
            phonesec_tls_ctx_free(sc);
            phonesec_tls_ctx_free(cc);
        }
    }
    free(crl);
}

/* A session made by client identity A does not resume on a server
 * connection whose reference name expects B. */
static void test_server_resume_checks_reference(void **state)
{
    size_t m;
    (void)state;
    for (m = 0; m < N_MODES; m++) {
        phonesec_tls_ctx *sc = srv(modes[m].v, modes[m].tickets, PHONESEC_TLS_CLIENT_CERT_REQUIRE);
        phonesec_tls_ctx *cc = cli(modes[m].v, "client");
        phonesec_tls_session *sess = full(cc, sc, "phone1.example.com");
        hs_result r;
        print_message("%s\n", modes[m].name);
        /* control: the same expectation resumes, and says who it is */
        hs(cc, sc, "phone1.example.com", sess, NULL, 0, &r);
        assert_int_equal(r.rc_s, PHONESEC_OK);
        assert_int_equal(r.s_resumed, 1);
        assert_int_equal(r.si.name, PHONESEC_TLS_CHECK_PASSED);
        /* another expectation: refused (never resumed as B) */
        hs(cc, sc, "phone2.example.com", sess, NULL, 0, &r);
        assert_int_equal(r.s_resumed, 0);
        assert_int_not_equal(r.rc_s, PHONESEC_OK);
        if (!is_v12_ticket(m))
            assert_true(r.rc_s == PHONESEC_E_NAME || r.rc_s == PHONESEC_E_POLICY);
        assert_int_not_equal(r.si.name, PHONESEC_TLS_CHECK_PASSED);
        /* a session made without an expectation is not enough for one */
        {
            phonesec_tls_session *s2 = full(cc, sc, NULL);
            hs(cc, sc, "phone2.example.com", s2, NULL, 0, &r);
            assert_int_not_equal(r.rc_s, PHONESEC_OK);
            assert_int_equal(r.s_resumed, 0);
            hs(cc, sc, "phone1.example.com", s2, NULL, 0, &r);
            assert_int_equal(r.rc_s, PHONESEC_OK);
            assert_int_equal(r.si.name, PHONESEC_TLS_CHECK_PASSED);
            phonesec_tls_session_free(s2);
        }
        phonesec_tls_session_free(sess);
        phonesec_tls_ctx_free(sc);
        phonesec_tls_ctx_free(cc);
    }
}

/* ------------------------------------------------------------ item 4 */

/* A client's saved session is not offered after a trust, CRL,
 * certificate, only_trusted, restricted-domain or cipher change. */
static void test_client_session_dies_with_configuration(void **state)
{
    uint8_t *crl;
    size_t crl_len;
    int step;
    (void)state;
    crl = slurp("ca.crl", &crl_len);
    assert_non_null(crl);
    for (step = 0; step < 7; step++) {
        phonesec_tls_ctx *sc = srv(V13, 1, PHONESEC_TLS_CLIENT_CERT_NONE), *cc = cli(V13, NULL);
        phonesec_tls_session *sess = full(cc, sc, NULL);
        phonesec_tls_conn *c;
        hs_result r;
        static const char *const dom[] = {"example.com"};
        hs(cc, sc, NULL, sess, NULL, 0, &r); /* control */
        assert_int_equal(r.c_resumed, 1);
        switch (step) {
        case 0: assert_int_equal(phonesec_tls_ctx_add_trusted_file(cc, cert_path("rogue.crt")), PHONESEC_OK); break;
        case 1: assert_int_equal(phonesec_tls_ctx_add_crl(cc, crl, crl_len, PHONESEC_TLS_FORMAT_AUTO), PHONESEC_OK);
            break;
        case 2:
            assert_int_equal(phonesec_tls_ctx_set_certificate_file(cc, cert_path("client.crt"),
                                                                   cert_path("client.key")),
                             PHONESEC_OK);
            break;
        case 3:
            assert_int_equal(phonesec_tls_ctx_set_only_trusted(cc, 0), PHONESEC_OK);
            assert_int_equal(phonesec_tls_ctx_set_only_trusted(cc, 1), PHONESEC_OK);
            break;
        case 4: assert_int_equal(phonesec_tls_ctx_set_restricted_domains(cc, dom, 1), PHONESEC_OK); break;
        case 5: assert_int_equal(phonesec_tls_ctx_set_ciphers(cc, NULL, NULL, NULL), PHONESEC_OK); break;
        default:
            assert_int_equal(phonesec_tls_ctx_add_trusted_file(cc, cert_path("rogue.crt")), PHONESEC_OK);
            assert_int_equal(phonesec_tls_ctx_remove_trusted(cc, 1), PHONESEC_OK);
            break;
        }
        c = conn(cc, "sip.example.com");
        assert_int_equal(phonesec_tls_conn_set_session(c, sess), PHONESEC_E_EXPIRED);
        {
            char e[256];
            assert_int_equal(phonesec_tls_conn_last_error(c, e, sizeof e), PHONESEC_OK);
            assert_non_null(strstr(e, "configuration"));
        }
        phonesec_tls_conn_free(c);
        /* a new full handshake gives a session that resumes again */
        phonesec_tls_session_free(sess);
        sess = full(cc, sc, NULL);
        hs(cc, sc, NULL, sess, NULL, 0, &r);
        assert_int_equal(r.c_resumed, 1);
        phonesec_tls_session_free(sess);
        phonesec_tls_ctx_free(sc);
        phonesec_tls_ctx_free(cc);
    }
    free(crl);
}

/* A session of one client context is not offered by another. */
static void test_client_session_bound_to_context(void **state)
{
    phonesec_tls_ctx *sc = srv(V13, 1, PHONESEC_TLS_CLIENT_CERT_NONE), *cc = cli(V13, NULL), *cc2 = cli(V13, NULL);
    phonesec_tls_session *sess = full(cc, sc, NULL);
    phonesec_tls_conn *c = conn(cc2, "sip.example.com");
    (void)state;
    assert_int_equal(phonesec_tls_conn_set_session(c, sess), PHONESEC_E_EXPIRED);
    phonesec_tls_conn_free(c);
    phonesec_tls_session_free(sess);
    phonesec_tls_ctx_free(sc);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(cc2);
}

/* ------------------------------------------------------------ item 5 */

/* A resumed mutual-TLS server connection reports the identity and verdicts
 * of the full handshake; the client's resumed text reads right. */
static void test_resumed_reports_full_handshake(void **state)
{
    size_t m;
    (void)state;
    for (m = 0; m < N_MODES; m++) {
        phonesec_tls_ctx *sc = srv(modes[m].v, modes[m].tickets, PHONESEC_TLS_CLIENT_CERT_REQUIRE);
        phonesec_tls_ctx *cc = cli(modes[m].v, "client");
        phonesec_tls_session *sess = full(cc, sc, NULL);
        hs_result r;
        print_message("%s\n", modes[m].name);
        hs(cc, sc, NULL, sess, NULL, 0, &r);
        assert_int_equal(r.rc_s, PHONESEC_OK);
        assert_int_equal(r.s_resumed, 1);
        assert_int_equal(r.si.peer_cert, 1);
        assert_string_equal(r.s_subject, "CN=phone1.example.com");
        assert_int_equal(r.si.chain, PHONESEC_TLS_CHECK_PASSED);
        assert_non_null(strstr(r.s_chain_detail, "CN=Test Root CA"));
        assert_string_equal(r.c_chain_detail,
                            "resumed session; chain verified against CN=Test Root CA,O=libphonesec tests on the "
                            "full handshake");
        phonesec_tls_session_free(sess);
        phonesec_tls_ctx_free(sc);
        phonesec_tls_ctx_free(cc);
    }
}

/* REQUEST mode without a client certificate: no certificate is claimed,
 * on the full handshake and on a resumed one. */
static void test_request_mode_no_cert_claimed(void **state)
{
    size_t m;
    (void)state;
    for (m = 0; m < N_MODES; m++) {
        phonesec_tls_ctx *sc = srv(modes[m].v, modes[m].tickets, PHONESEC_TLS_CLIENT_CERT_REQUEST);
        phonesec_tls_ctx *cc = cli(modes[m].v, NULL);
        phonesec_tls_session *sess = NULL;
        hs_result r;
        print_message("%s\n", modes[m].name);
        hs(cc, sc, NULL, NULL, &sess, 1, &r);
        assert_int_equal(r.rc_s, PHONESEC_OK);
        assert_int_equal(r.si.peer_cert, 0);
        assert_string_equal(r.s_subject, "");
        assert_int_equal(r.si.chain, PHONESEC_TLS_CHECK_SKIPPED);
        assert_non_null(sess);
        hs(cc, sc, NULL, sess, NULL, 0, &r);
        assert_int_equal(r.rc_s, PHONESEC_OK);
        assert_int_equal(r.s_resumed, 1);
        assert_int_equal(r.si.peer_cert, 0);
        assert_int_equal(r.si.chain, PHONESEC_TLS_CHECK_SKIPPED);
        phonesec_tls_session_free(sess);
        phonesec_tls_ctx_free(sc);
        phonesec_tls_ctx_free(cc);
    }
}

/* ------------------------------------------------------------ issue 17 */

/* Chains of resumptions, each session exported either at once after the
 * handshake or after the ticket was read, in every order: every exported
 * session resumes (or there was none to export, and the previous one is
 * used). Length 4: 16 orders per protocol version. */
static void test_resumption_chains_every_order(void **state)
{
    unsigned vi;
    (void)state;
    for (vi = 0; vi < 2; vi++) {
        unsigned v = vi ? V13 : V12, order;
        for (order = 0; order < 16; order++) {
            phonesec_tls_ctx *sc = srv(v, 1, PHONESEC_TLS_CLIENT_CERT_NONE), *cc = cli(v, NULL);
            phonesec_tls_session *sess = NULL;
            hs_result r;
            int k;
            hs(cc, sc, NULL, NULL, &sess, order & 1, &r);
            assert_int_equal(r.rc_c, PHONESEC_OK);
            if (sess == NULL) { /* TLS 1.3 before the ticket: nothing to resume yet, said so */
                assert_int_equal(v, V13);
                assert_int_equal(order & 1, 0);
                hs(cc, sc, NULL, NULL, &sess, 1, &r);
            }
            assert_non_null(sess);
            for (k = 1; k <= 4; k++) {
                phonesec_tls_session *next = NULL;
                hs(cc, sc, NULL, sess, &next, (order >> (k % 4)) & 1, &r);
                if (r.rc_c != PHONESEC_OK || !r.c_resumed)
                    fail_msg("TLS 1.%d order %u step %d: rc %d/%d resumed %d", vi ? 3 : 2, order, k, r.rc_c,
                             r.rc_s, r.c_resumed);
                if (next != NULL) {
                    phonesec_tls_session_free(sess);
                    sess = next;
                }
            }
            phonesec_tls_session_free(sess);
            phonesec_tls_ctx_free(sc);
            phonesec_tls_ctx_free(cc);
        }
    }
}

/* Fail the N-th allocation (the library's own, through the platform hook)
 * in a resumed mutual-TLS handshake, for every N until one completes: no
 * crash, no leak, and no wrong success (a server connection that succeeds
 * reports the verified client certificate, resumed or not). */
static void test_resumption_out_of_memory(void **state)
{
    size_t m;
    (void)state;
    for (m = 0; m < N_MODES; m++) {
        long n, base, tried = 0;
        int completed = 0;
        for (n = 1; n < 500 && !completed; n++) {
            phonesec_tls_ctx *sc, *cc;
            phonesec_tls_session *sess;
            phonesec_tls_conn *c = NULL, *s = NULL;
            phonesec_tls_conn_config k;
            phonesec_tls_info si = PHONESEC_TLS_INFO_INIT;
            int rc, rs = -1;
            base = test_alloc_live;
            sc = srv(modes[m].v, modes[m].tickets, PHONESEC_TLS_CLIENT_CERT_REQUIRE);
            cc = cli(modes[m].v, "client");
            sess = full(cc, sc, NULL);
            test_alloc_calls = 0;
            test_alloc_fail_at = n;
            phonesec_tls_conn_config_init(&k);
            k.reference_name = "sip.example.com";
            rc = phonesec_tls_conn_new(cc, &k, &c);
            if (rc == PHONESEC_OK)
                rc = phonesec_tls_conn_set_session(c, sess);
            if (rc == PHONESEC_OK)
                rc = phonesec_tls_conn_new(sc, NULL, &s);
            if (rc == PHONESEC_OK) {
                rc = pump(c, s, &rs);
                memset(&si, 0, sizeof si);
                assert_int_equal(phonesec_tls_conn_info(s, &si), PHONESEC_OK);
                if (rs == PHONESEC_OK) {
                    assert_int_equal(si.peer_cert, 1);
                    assert_int_equal(si.chain, PHONESEC_TLS_CHECK_PASSED);
                    assert_string_equal(si.peer_subject, "CN=phone1.example.com");
                }
                if (rc == PHONESEC_OK && rs == PHONESEC_OK && test_alloc_calls < n)
                    completed = 1;
            } else {
                assert_true(rc == PHONESEC_E_NOMEM);
            }
            test_alloc_fail_at = 0;
            tried++;
            phonesec_tls_conn_free(c);
            phonesec_tls_conn_free(s);
            phonesec_tls_session_free(sess);
            phonesec_tls_ctx_free(sc);
            phonesec_tls_ctx_free(cc);
            if (test_alloc_live != base)
                fail_msg("%s: leak at n=%ld: %ld blocks", modes[m].name, n, test_alloc_live - base);
        }
        print_message("%s: %ld failure points tried\n", modes[m].name, tried - 1);
        assert_true(completed);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_cross_context_resumption),
        cmocka_unit_test(test_server_no_resume_after_trust_or_crl_change),
        cmocka_unit_test(test_server_resume_checks_reference),
        cmocka_unit_test(test_client_session_dies_with_configuration),
        cmocka_unit_test(test_client_session_bound_to_context),
        cmocka_unit_test(test_resumed_reports_full_handshake),
        cmocka_unit_test(test_request_mode_no_cert_claimed),
        cmocka_unit_test(test_resumption_chains_every_order),
        cmocka_unit_test(test_resumption_out_of_memory),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
