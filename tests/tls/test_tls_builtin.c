/* Built-in CAs beside the custom trust list, and the trust source
 * default / custom / all (issue 14): API edges, the Debian system bundle
 * (ca-certificates, an independent list of about 140 CAs), and real
 * handshakes in memory between our client and our server under each source.
 * Certificates come from the openssl CLI (mkcerts.sh). */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "support.h"

#include "tls_test_util.h"

#define SYS_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

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

static phonesec_tls_ctx *client(void)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *c = NULL;
    phonesec_tls_config_init(&cfg);
    cfg.role = PHONESEC_TLS_CLIENT;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_OK);
    return c;
}

static phonesec_tls_ctx *server(void)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *s = NULL;
    phonesec_tls_config_init(&cfg);
    cfg.role = PHONESEC_TLS_SERVER;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &s), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_certificate_file(s, cert_path("server.crt"), cert_path("server.key")),
                     PHONESEC_OK);
    return s;
}

/* One handshake; the client's result (the session out when asked). */
static int handshake(phonesec_tls_ctx *cc, phonesec_tls_ctx *sc, const phonesec_tls_session *offer,
                     phonesec_tls_session **got, int *set_rc)
{
    phonesec_tls_conn_config ccfg;
    phonesec_tls_conn *c = NULL, *s = NULL;
    int rc;
    phonesec_tls_conn_config_init(&ccfg);
    ccfg.reference_name = "sip.example.com";
    rc = phonesec_tls_conn_new(cc, &ccfg, &c);
    if (rc != PHONESEC_OK)
        return rc;
    assert_int_equal(phonesec_tls_conn_new(sc, NULL, &s), PHONESEC_OK);
    if (offer != NULL)
        *set_rc = phonesec_tls_conn_set_session(c, offer);
    rc = pump(c, s, NULL);
    if (rc == PHONESEC_OK && got != NULL) {
        settle(c, s);
        assert_int_equal(phonesec_tls_conn_get_session(c, got), PHONESEC_OK);
    }
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    return rc;
}

static void api_edges(void **state)
{
    phonesec_tls_ctx *c = client();
    size_t n;
    uint8_t *ca = slurp("ca.crt", &n);
    (void)state;
    assert_non_null(ca);
    assert_int_equal(phonesec_tls_ctx_add_builtin(NULL, ca, n, PHONESEC_TLS_FORMAT_AUTO), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_add_builtin(c, NULL, n, PHONESEC_TLS_FORMAT_AUTO), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_add_builtin(c, ca, n, 7), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_add_builtin_file(c, NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_add_builtin_file(c, "/nonexistent/bundle.pem"), PHONESEC_E_IO);
    assert_int_equal(phonesec_tls_ctx_builtin_count(NULL), 0);
    assert_int_equal(phonesec_tls_ctx_builtin_count(c), 0);
    assert_int_equal(phonesec_tls_ctx_trust_source(c), PHONESEC_TLS_TRUST_ALL); /* the default */
    assert_int_equal(phonesec_tls_ctx_trust_source(NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_set_trust_source(NULL, PHONESEC_TLS_TRUST_ALL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_set_trust_source(c, 3), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_set_trust_source(c, -1), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_trust_source(c), PHONESEC_TLS_TRUST_ALL); /* unchanged */
    assert_int_equal(phonesec_tls_ctx_clear_builtin(NULL), PHONESEC_E_INVAL);
    /* once per certificate, custom list untouched */
    assert_int_equal(phonesec_tls_ctx_add_builtin(c, ca, n, PHONESEC_TLS_FORMAT_AUTO), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_builtin(c, ca, n, PHONESEC_TLS_FORMAT_PEM), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_builtin_count(c), 1);
    assert_int_equal(phonesec_tls_ctx_trusted_count(c), 0);
    assert_int_equal(phonesec_tls_ctx_add_builtin_file(c, cert_path("rogue.der")), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_builtin_count(c), 2);
    assert_int_equal(phonesec_tls_ctx_clear_builtin(c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_builtin_count(c), 0);
    assert_int_equal(phonesec_tls_ctx_clear_builtin(c), PHONESEC_OK); /* empty: fine */
    {
        /* all or none: a good block followed by a damaged one adds nothing */
        char *bad = malloc(n + 100);
        assert_non_null(bad);
        memcpy(bad, ca, n);
        memcpy(bad + n, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 60);
        assert_int_not_equal(phonesec_tls_ctx_add_builtin(c, (uint8_t *)bad, n + 60, PHONESEC_TLS_FORMAT_AUTO),
                             PHONESEC_OK);
        assert_int_equal(phonesec_tls_ctx_builtin_count(c), 0);
        free(bad);
    }
    free(ca);
    phonesec_tls_ctx_free(c);
}

/* The Debian bundle: the custom list refuses it, the built-in list takes
 * every certificate in it. */
static void system_bundle(void **state)
{
    phonesec_tls_ctx *c;
    FILE *f = fopen(SYS_BUNDLE, "r");
    char line[256];
    size_t blocks = 0;
    (void)state;
    if (f == NULL)
        skip();
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "-----BEGIN CERTIFICATE-----", 27) == 0)
            blocks++;
    fclose(f);
    assert_true(blocks > 10);
    c = client();
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(c, SYS_BUNDLE), PHONESEC_E_LIMIT);
    assert_int_equal(phonesec_tls_ctx_trusted_count(c), 0);
    assert_int_equal(phonesec_tls_ctx_add_builtin_file(c, SYS_BUNDLE), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_builtin_count(c), blocks);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(c, cert_path("ca.crt")), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_trusted_count(c), 1);
    phonesec_tls_ctx_free(c);
}

/* Server certificate issued by "ca"; the client's custom list holds "rogue",
 * its built-in list "ca". */
static void sources_in_handshakes(void **state)
{
    phonesec_tls_ctx *c = client(), *s = server();
    phonesec_tls_session *sess = NULL;
    int set_rc = 0;
    (void)state;
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(c, cert_path("rogue.crt")), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_builtin_file(c, cert_path("ca.crt")), PHONESEC_OK);
    assert_int_equal(handshake(c, s, NULL, &sess, NULL), PHONESEC_OK); /* all */
    assert_int_equal(phonesec_tls_ctx_set_trust_source(c, PHONESEC_TLS_TRUST_CUSTOM), PHONESEC_OK);
    assert_int_equal(handshake(c, s, NULL, NULL, NULL), PHONESEC_E_VERIFY);
    assert_int_equal(phonesec_tls_ctx_set_trust_source(c, PHONESEC_TLS_TRUST_DEFAULT), PHONESEC_OK);
    /* a new configuration: the session made under "all" is not offered */
    assert_int_equal(handshake(c, s, sess, NULL, &set_rc), PHONESEC_OK);
    assert_int_equal(set_rc, PHONESEC_E_EXPIRED);
    phonesec_tls_session_free(sess);
    /* the built-in list emptied under "default": nothing to verify against */
    assert_int_equal(phonesec_tls_ctx_clear_builtin(c), PHONESEC_OK);
    assert_int_equal(handshake(c, s, NULL, NULL, NULL), PHONESEC_E_STATE);
    assert_int_equal(phonesec_tls_ctx_set_trust_source(c, PHONESEC_TLS_TRUST_ALL), PHONESEC_OK);
    assert_int_equal(handshake(c, s, NULL, NULL, NULL), PHONESEC_E_VERIFY); /* rogue only */
    phonesec_tls_ctx_free(c);
    phonesec_tls_ctx_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_edges),
        cmocka_unit_test(system_bundle),
        cmocka_unit_test(sources_in_handshakes),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
