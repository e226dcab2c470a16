/* Shared TLS contexts under threads (issue 17 "Threads"): N threads make
 * real in-memory handshakes on one client and one server context while
 * another thread keeps changing the server's certificate and both trust
 * lists; connections outlive their contexts. Run it under ThreadSanitizer
 * too (meson setup -Db_sanitize=thread -Db_lundef=false): races found must
 * be 0.
 *
 * The library's default allocator is used (the counting test allocator of
 * tests/support is not thread-safe). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>

#include "support.h"

#include "tls_test_util.h"

static phonesec_tls_ctx *g_cli, *g_srv;
static atomic_int g_stop, g_ok, g_fail, g_swaps, g_conn_new_fail;
static int g_per_thread;
static char g_first_error[512];
static pthread_mutex_t g_err_lock = PTHREAD_MUTEX_INITIALIZER;

static void note_error(const char *who, phonesec_tls_conn *c, int rc)
{
    char e[256] = "";
    if (c != NULL)
        (void)phonesec_tls_conn_last_error(c, e, sizeof e);
    pthread_mutex_lock(&g_err_lock);
    if (g_first_error[0] == '\0')
        snprintf(g_first_error, sizeof g_first_error, "%s: %d %s", who, rc, e);
    pthread_mutex_unlock(&g_err_lock);
}

static void *worker(void *arg)
{
    int i;
    (void)arg;
    for (i = 0; i < g_per_thread; i++) {
        phonesec_tls_conn_config cc;
        phonesec_tls_conn *c = NULL, *s = NULL;
        int rc, rs = PHONESEC_E_WOULD_BLOCK;
        phonesec_tls_conn_config_init(&cc);
        cc.reference_name = "sip.example.com";
        rc = phonesec_tls_conn_new(g_cli, &cc, &c);
        if (rc == PHONESEC_OK)
            rc = phonesec_tls_conn_new(g_srv, NULL, &s);
        if (rc != PHONESEC_OK) {
            atomic_fetch_add(&g_conn_new_fail, 1);
            note_error("conn_new", NULL, rc);
        } else {
            rc = pump(c, s, &rs);
            if (rc == PHONESEC_OK && rs == PHONESEC_OK) {
                atomic_fetch_add(&g_ok, 1);
            } else {
                atomic_fetch_add(&g_fail, 1);
                note_error(rc != PHONESEC_OK ? "client" : "server", rc != PHONESEC_OK ? c : s,
                           rc != PHONESEC_OK ? rc : rs);
            }
        }
        /* a creation that fails on a shared context (restricted domain):
         * recorded without a race */
        if (i % 4 == 0) {
            phonesec_tls_conn *x = NULL;
            cc.version = 0;
            if (phonesec_tls_conn_new(g_cli, &cc, &x) != PHONESEC_E_INVAL)
                atomic_fetch_add(&g_fail, 1);
            phonesec_tls_conn_free(x);
        }
        phonesec_tls_conn_free(c);
        phonesec_tls_conn_free(s);
    }
    return NULL;
}

/* Changes while the workers handshake: the server certificate alternates
 * between two valid ones for sip.example.com, a second CA comes and goes on
 * both trust lists, the ciphers are set again. */
static void *changer(void *arg)
{
    uint8_t *c1, *k1, *c2, *k2;
    size_t c1n, k1n, c2n, k2n;
    int n = 0;
    (void)arg;
    c1 = slurp("server.crt", &c1n);
    k1 = slurp("server.key", &k1n);
    c2 = slurp("dns.crt", &c2n);
    k2 = slurp("dns.key", &k2n);
    while (!atomic_load(&g_stop)) {
        int rc = (n & 1) ? phonesec_tls_ctx_set_certificate(g_srv, c1, c1n, k1, k1n, PHONESEC_TLS_FORMAT_AUTO)
                         : phonesec_tls_ctx_set_certificate(g_srv, c2, c2n, k2, k2n, PHONESEC_TLS_FORMAT_AUTO);
        if (rc == PHONESEC_OK)
            rc = (n & 1) ? phonesec_tls_ctx_remove_trusted(g_cli, 1)
                         : phonesec_tls_ctx_add_trusted_file(g_cli, cert_path("rogue.crt"));
        if (rc == PHONESEC_OK && n % 3 == 0)
            rc = phonesec_tls_ctx_set_ciphers(g_cli, NULL, NULL, NULL);
        if (rc == PHONESEC_OK && n % 5 == 0)
            rc = phonesec_tls_ctx_set_only_trusted(g_srv, 1);
        if (rc != PHONESEC_OK) {
            char e[256];
            (void)phonesec_tls_ctx_last_error(g_cli, e, sizeof e);
            note_error("change", NULL, rc);
            break;
        }
        (void)phonesec_tls_ctx_trusted_count(g_cli);
        atomic_fetch_add(&g_swaps, 1);
        n++;
    }
    free(c1);
    free(k1);
    free(c2);
    free(k2);
    return NULL;
}

static void run(int threads, int per_thread)
{
    pthread_t t[32], ch;
    phonesec_tls_config cfg;
    int i;
    assert_true(threads <= 32);
    g_per_thread = per_thread;
    atomic_store(&g_stop, 0);
    atomic_store(&g_ok, 0);
    atomic_store(&g_fail, 0);
    atomic_store(&g_swaps, 0);
    atomic_store(&g_conn_new_fail, 0);
    g_first_error[0] = '\0';
    g_cli = NULL;
    g_srv = NULL;
    assert_int_equal(phonesec_tls_ctx_new(NULL, &g_cli), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(g_cli, cert_path("ca.crt")), PHONESEC_OK);
    phonesec_tls_config_init(&cfg);
    cfg.role = PHONESEC_TLS_SERVER;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &g_srv), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_certificate_file(g_srv, cert_path("server.crt"), cert_path("server.key")),
                     PHONESEC_OK);
    assert_int_equal(pthread_create(&ch, NULL, changer, NULL), 0);
    for (i = 0; i < threads; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    atomic_store(&g_stop, 1);
    pthread_join(ch, NULL);
    print_message("%d threads: %d handshakes ok, %d failed, %d configuration swaps meanwhile\n", threads,
                  atomic_load(&g_ok), atomic_load(&g_fail), atomic_load(&g_swaps));
    if (g_first_error[0] != '\0')
        print_message("first error: %s\n", g_first_error);
    assert_int_equal(atomic_load(&g_fail), 0);
    assert_int_equal(atomic_load(&g_conn_new_fail), 0);
    assert_int_equal(atomic_load(&g_ok), threads * per_thread);
    assert_true(atomic_load(&g_swaps) > 0);
    phonesec_tls_ctx_free(g_cli);
    phonesec_tls_ctx_free(g_srv);
}

static void test_threads_2(void **state)
{
    (void)state;
    run(2, 12);
}

static void test_threads_8(void **state)
{
    (void)state;
    run(8, 4);
}

static void test_threads_32(void **state)
{
    (void)state;
    run(32, 2);
}

/* Connections outlive their contexts: both contexts are freed between
 * phonesec_tls_conn_new() and the handshake. */
static void test_conn_outlives_ctx(void **state)
{
    phonesec_tls_ctx *cc = NULL, *sc = NULL;
    phonesec_tls_config cfg;
    phonesec_tls_conn_config k;
    phonesec_tls_conn *c = NULL, *s = NULL;
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    int rs;
    (void)state;
    assert_int_equal(phonesec_tls_ctx_new(NULL, &cc), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(cc, cert_path("ca.crt")), PHONESEC_OK);
    phonesec_tls_config_init(&cfg);
    cfg.role = PHONESEC_TLS_SERVER;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &sc), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_certificate_file(sc, cert_path("server.crt"), cert_path("server.key")),
                     PHONESEC_OK);
    phonesec_tls_conn_config_init(&k);
    k.reference_name = "sip.example.com";
    assert_int_equal(phonesec_tls_conn_new(cc, &k, &c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_new(sc, NULL, &s), PHONESEC_OK);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    assert_int_equal(rs, PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_info(c, &info), PHONESEC_OK);
    assert_int_equal(info.chain, PHONESEC_TLS_CHECK_PASSED);
    assert_string_equal(info.chain_anchor, "CN=Test Root CA,O=libphonesec tests");
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
}

/* A connection checks with the trust list it was made with: a CA removed
 * after phonesec_tls_conn_new() still verifies that connection, and the
 * next connection is refused. */
static void test_conn_keeps_its_snapshot(void **state)
{
    phonesec_tls_ctx *cc = NULL, *sc = NULL;
    phonesec_tls_config cfg;
    phonesec_tls_conn_config k;
    phonesec_tls_conn *c = NULL, *s = NULL;
    int rs;
    (void)state;
    assert_int_equal(phonesec_tls_ctx_new(NULL, &cc), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(cc, cert_path("ca.crt")), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(cc, cert_path("rogue.crt")), PHONESEC_OK);
    phonesec_tls_config_init(&cfg);
    cfg.role = PHONESEC_TLS_SERVER;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &sc), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_certificate_file(sc, cert_path("server.crt"), cert_path("server.key")),
                     PHONESEC_OK);
    phonesec_tls_conn_config_init(&k);
    k.reference_name = "sip.example.com";
    assert_int_equal(phonesec_tls_conn_new(cc, &k, &c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_remove_trusted(cc, 0), PHONESEC_OK); /* the CA goes */
    assert_int_equal(phonesec_tls_conn_new(sc, NULL, &s), PHONESEC_OK);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    assert_int_equal(phonesec_tls_conn_new(cc, &k, &c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_new(sc, NULL, &s), PHONESEC_OK);
    assert_int_equal(pump(c, s, &rs), PHONESEC_E_VERIFY);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

static int group_setup(void **state)
{
    (void)state;
    return make_certs();
}

static int group_teardown(void **state)
{
    (void)state;
    remove_certs();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conn_outlives_ctx),
        cmocka_unit_test(test_conn_keeps_its_snapshot),
        cmocka_unit_test(test_threads_2),
        cmocka_unit_test(test_threads_8),
        cmocka_unit_test(test_threads_32),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
