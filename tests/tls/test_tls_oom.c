/* Out of memory inside wolfSSL while a context loads its material (issue
 * 17): every allocation, the library's and wolfSSL's (routed through the
 * counting hook), is failed in turn while a certificate and key, a trusted
 * certificate, a CRL or a cipher policy is installed. Each call either
 * succeeds or says PHONESEC_E_NOMEM -- never that the material is bad
 * ("certificate refused", PARSE/CRYPTO) -- and a failed call leaves the
 * previous configuration working. Sampled: every allocation up to the
 * 100th, then every 7th (about 1,000 points per call in all; the
 * environment variable PHONESEC_OOM_FULL=1 tries every one). */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include "tls_test_util.h"

static int group_setup(void **state)
{
    if (make_certs() != 0)
        return -1;
    if (test_platform_setup(state) != 0)
        return -1;
    return phonesec_tls_route_backend_memory() == PHONESEC_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    remove_certs();
    return 0; /* no phonesec_shutdown(): wolfSSL's caches go through the hook until exit */
}

enum { OP_CERT, OP_TRUSTED, OP_CRL, OP_CIPHERS };
static const char *const op_name[] = {"set_certificate", "add_trusted", "add_crl", "set_ciphers"};

static int run_op(phonesec_tls_ctx *ctx, int op, const uint8_t *crl, size_t crl_len)
{
    switch (op) {
    case OP_CERT: return phonesec_tls_ctx_set_certificate_file(ctx, cert_path("server.crt"), cert_path("server.key"));
    case OP_TRUSTED: return phonesec_tls_ctx_add_trusted_file(ctx, cert_path("ca.crt"));
    case OP_CRL: return phonesec_tls_ctx_add_crl(ctx, crl, crl_len, PHONESEC_TLS_FORMAT_AUTO);
    default: return phonesec_tls_ctx_set_ciphers(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384",
                                                 NULL, NULL);
    }
}

static void sweep(int op)
{
    size_t crl_len = 0;
    uint8_t *crl = slurp("ca.crl", &crl_len);
    long n, tried = 0, nomem = 0;
    int done = 0, full = getenv("PHONESEC_OOM_FULL") != NULL;
    assert_non_null(crl);
    /* every point up to 100, then every 7th (PHONESEC_OOM_FULL=1: all) */
    for (n = 1; !done && n < 20000; n += (full || n < 100) ? 1 : 7) {
        phonesec_tls_config cfg;
        phonesec_tls_ctx *ctx = NULL;
        char err[300];
        int rc;
        phonesec_tls_config_init(&cfg);
        cfg.role = PHONESEC_TLS_SERVER;
        assert_int_equal(phonesec_tls_ctx_new(&cfg, &ctx), PHONESEC_OK);
        if (op != OP_CERT)
            assert_int_equal(phonesec_tls_ctx_set_certificate_file(ctx, cert_path("server.crt"),
                                                                   cert_path("server.key")),
                             PHONESEC_OK);
        if (op == OP_CRL) /* a CRL is checked against its issuer */
            assert_int_equal(phonesec_tls_ctx_add_trusted_file(ctx, cert_path("ca.crt")), PHONESEC_OK);
        test_alloc_calls = 0;
        test_alloc_fail_at = n;
        rc = run_op(ctx, op, crl, crl_len);
        test_alloc_fail_at = 0;
        done = test_alloc_calls < n;
        tried++;
        err[0] = '\0';
        (void)phonesec_tls_ctx_last_error(ctx, err, sizeof err);
        if (rc != PHONESEC_OK && rc != PHONESEC_E_NOMEM)
            fprintf(stderr, "%s, allocation %ld failed: rc=%d (%s)\n", op_name[op], n, rc, err);
        assert_true(rc == PHONESEC_OK || rc == PHONESEC_E_NOMEM);
        if (rc == PHONESEC_E_NOMEM)
            nomem++;
        /* unchanged or changed, the context still works: the same call
         * succeeds once memory is back */
        rc = run_op(ctx, op, crl, crl_len);
        if (rc != PHONESEC_OK) {
            (void)phonesec_tls_ctx_last_error(ctx, err, sizeof err);
            fprintf(stderr, "%s after allocation %ld failed: the retry gave rc=%d (%s)\n", op_name[op], n, rc, err);
        }
        assert_int_equal(rc, PHONESEC_OK);
        phonesec_tls_ctx_free(ctx);
    }
    free(crl);
    print_message("%s: %ld allocation points tried, %ld gave NOMEM, none a parse/crypto error\n", op_name[op], tried,
                  nomem);
    assert_true(done);
    assert_true(nomem > 0);
}

static void oom_loading_certificate(void **state)
{
    (void)state;
    sweep(OP_CERT);
}

static void oom_loading_trusted(void **state)
{
    (void)state;
    sweep(OP_TRUSTED);
}

static void oom_loading_crl(void **state)
{
    (void)state;
    sweep(OP_CRL);
}

static void oom_loading_ciphers(void **state)
{
    (void)state;
    sweep(OP_CIPHERS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(oom_loading_certificate),
        cmocka_unit_test(oom_loading_trusted),
        cmocka_unit_test(oom_loading_crl),
        cmocka_unit_test(oom_loading_ciphers),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
