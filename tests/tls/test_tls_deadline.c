/* Handshake deadline of the sans-I/O API (issue 17, servers under load):
 * phonesec_tls_conn_config.handshake_timeout_ms on the platform clock,
 * driven here by the fake clock of the test support (no sleeping, no timed
 * assertion); version 1 structs; what a server connection holds before and
 * during a handshake (wolfSSL's memory routed through the counting hook). */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include "tls_test_util.h"

static int group_setup(void **state)
{
    if (make_certs() != 0)
        return -1;
    if (test_platform_setup(state) != 0)
        return -1;
    /* count wolfSSL's own allocations too (before any TLS object exists) */
    return phonesec_tls_route_backend_memory() == PHONESEC_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    remove_certs();
    /* no phonesec_shutdown(): wolfSSL's process-wide caches were allocated
     * through the hook and are freed through it at exit */
    return 0;
}

static phonesec_tls_ctx *server_ctx(void)
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

static phonesec_tls_ctx *client_ctx(void)
{
    phonesec_tls_ctx *c = NULL;
    assert_int_equal(phonesec_tls_ctx_new(NULL, &c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(c, cert_path("ca.crt")), PHONESEC_OK);
    return c;
}

static phonesec_tls_conn *server_conn(phonesec_tls_ctx *sc, uint32_t timeout_ms)
{
    phonesec_tls_conn_config k;
    phonesec_tls_conn *s = NULL;
    phonesec_tls_conn_config_init(&k);
    k.handshake_timeout_ms = timeout_ms;
    assert_int_equal(phonesec_tls_conn_new(sc, &k, &s), PHONESEC_OK);
    return s;
}

static phonesec_tls_conn *client_conn(phonesec_tls_ctx *cc, uint32_t timeout_ms)
{
    phonesec_tls_conn_config k;
    phonesec_tls_conn *c = NULL;
    phonesec_tls_conn_config_init(&k);
    k.reference_name = "sip.example.com";
    k.handshake_timeout_ms = timeout_ms;
    assert_int_equal(phonesec_tls_conn_new(cc, &k, &c), PHONESEC_OK);
    return c;
}

/* A client that sends half a ClientHello and stops: the server's handshake
 * fails with PHONESEC_E_TIMEOUT exactly when the deadline passes. */
static void half_client_hello_times_out(void **state)
{
    phonesec_tls_ctx *sc = server_ctx(), *cc = client_ctx();
    phonesec_tls_conn *s = server_conn(sc, 5000), *c = client_conn(cc, 0);
    uint8_t hello[4096], buf[64];
    size_t n, used, got;
    char err[300];
    long base_bytes, new_bytes, half_bytes;
    (void)state;
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(s), 5000);
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(c), -1); /* no deadline asked for */
    assert_int_equal(phonesec_tls_conn_handshake(c), PHONESEC_E_WOULD_BLOCK);
    assert_int_equal(phonesec_tls_conn_drain(c, hello, sizeof hello, &n), PHONESEC_OK);
    assert_true(n > 40);
    base_bytes = test_alloc_bytes_live;
    assert_int_equal(phonesec_tls_conn_feed(s, hello, n / 2, &used), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_handshake(s), PHONESEC_E_WOULD_BLOCK);
    half_bytes = test_alloc_bytes_live - base_bytes;
    test_clock_now += 4999;
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(s), 1);
    assert_int_equal(phonesec_tls_conn_handshake(s), PHONESEC_E_WOULD_BLOCK);
    assert_int_equal(phonesec_tls_conn_read(s, buf, sizeof buf, &got), PHONESEC_E_WOULD_BLOCK);
    test_clock_now += 1;
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(s), 0);
    assert_int_equal(phonesec_tls_conn_handshake(s), PHONESEC_E_TIMEOUT);
    assert_int_equal(phonesec_tls_conn_is_established(s), 0);
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(s), -1);
    assert_int_equal(phonesec_tls_conn_last_error(s, err, sizeof err), PHONESEC_OK);
    assert_non_null(strstr(err, "5000 ms"));
    /* the connection stays failed; the rest of the hello changes nothing */
    assert_int_equal(phonesec_tls_conn_feed(s, hello + n / 2, n - n / 2, &used), PHONESEC_OK);
    assert_int_not_equal(phonesec_tls_conn_handshake(s), PHONESEC_OK);
    assert_int_not_equal(phonesec_tls_conn_read(s, buf, sizeof buf, &got), PHONESEC_OK);
    phonesec_tls_conn_free(s);
    /* what one more such connection costs, measured through the hook */
    base_bytes = test_alloc_bytes_live;
    s = server_conn(sc, 5000);
    new_bytes = test_alloc_bytes_live - base_bytes;
    phonesec_tls_conn_free(s);
    assert_int_equal(test_alloc_bytes_live, base_bytes);
    print_message("server connection: %ld bytes after phonesec_tls_conn_new(), %ld more with half a ClientHello "
                  "fed; all freed\n", new_bytes, half_bytes);
    phonesec_tls_conn_free(c);
    phonesec_tls_ctx_free(sc);
    phonesec_tls_ctx_free(cc);
}

/* A client that connects and sends nothing: the same. The client side
 * has its own deadline too (a server that never answers). */
static void silence_times_out_both_sides(void **state)
{
    phonesec_tls_ctx *sc = server_ctx(), *cc = client_ctx();
    phonesec_tls_conn *s = server_conn(sc, 1000), *c = client_conn(cc, 2000);
    (void)state;
    assert_int_equal(phonesec_tls_conn_handshake(s), PHONESEC_E_WOULD_BLOCK);
    assert_int_equal(phonesec_tls_conn_handshake(c), PHONESEC_E_WOULD_BLOCK);
    test_clock_now += 1000;
    assert_int_equal(phonesec_tls_conn_handshake(s), PHONESEC_E_TIMEOUT);
    assert_int_equal(phonesec_tls_conn_handshake(c), PHONESEC_E_WOULD_BLOCK);
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(c), 1000);
    test_clock_now += 1000;
    assert_int_equal(phonesec_tls_conn_handshake(c), PHONESEC_E_TIMEOUT);
    phonesec_tls_conn_free(s);
    phonesec_tls_conn_free(c);
    phonesec_tls_ctx_free(sc);
    phonesec_tls_ctx_free(cc);
}

/* A handshake that completes in time is untouched, and the deadline ends
 * with it: an established connection never times out. */
static void completed_handshake_has_no_deadline(void **state)
{
    phonesec_tls_ctx *sc = server_ctx(), *cc = client_ctx();
    phonesec_tls_conn *s = server_conn(sc, 3000), *c = client_conn(cc, 3000);
    static const uint8_t msg[] = "OPTIONS";
    uint8_t buf[64], wire[4096];
    size_t n, used, got;
    int rs;
    (void)state;
    test_clock_now += 2999;
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    assert_int_equal(rs, PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(s), -1);
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(c), -1);
    settle(c, s);
    test_clock_now += 3600 * 1000;
    assert_int_equal(phonesec_tls_conn_handshake(s), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_write(c, msg, sizeof msg, &n), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_drain(c, wire, sizeof wire, &n), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_feed(s, wire, n, &used), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_read(s, buf, sizeof buf, &got), PHONESEC_OK);
    assert_int_equal(got, sizeof msg);
    phonesec_tls_conn_free(s);
    phonesec_tls_conn_free(c);
    phonesec_tls_ctx_free(sc);
    phonesec_tls_ctx_free(cc);
}

/* A caller compiled against version 1 of the struct: accepted, no
 * deadline, and nothing read beyond its struct (the bytes after it are
 * garbage here). Versions 0 and above the current one are refused. */
static void version_1_struct_has_no_deadline(void **state)
{
    phonesec_tls_ctx *sc = server_ctx(), *cc = client_ctx();
    phonesec_tls_conn_config k;
    unsigned char raw[sizeof(phonesec_tls_conn_config)];
    size_t v1 = offsetof(phonesec_tls_conn_config, io) + sizeof(phonesec_tls_io);
    phonesec_tls_conn *s = NULL, *c = client_conn(cc, 0);
    int rs;
    (void)state;
    phonesec_tls_conn_config_init(&k);
    k.version = 1;
    memset(raw, 0x5a, sizeof raw); /* a deadline of 0x5a5a5a5a ms would be read from here */
    memcpy(raw, &k, v1);
    memset(&k, 0x5a, sizeof k);
    memcpy(&k, raw, sizeof k);
    assert_int_equal(phonesec_tls_conn_new(sc, &k, &s), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(s), -1);
    test_clock_now += 0x5a5a5a5bu;
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    assert_int_equal(rs, PHONESEC_OK);
    phonesec_tls_conn_free(s);
    s = NULL;
    phonesec_tls_conn_config_init(&k);
    k.version = 0;
    assert_int_equal(phonesec_tls_conn_new(sc, &k, &s), PHONESEC_E_INVAL);
    k.version = PHONESEC_TLS_CONN_CONFIG_VERSION + 1;
    assert_int_equal(phonesec_tls_conn_new(sc, &k, &s), PHONESEC_E_INVAL);
    assert_null(s);
    assert_int_equal(phonesec_tls_conn_next_timeout_ms(NULL), -1);
    phonesec_tls_conn_free(c);
    phonesec_tls_ctx_free(sc);
    phonesec_tls_ctx_free(cc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(half_client_hello_times_out),
        cmocka_unit_test(silence_times_out_both_sides),
        cmocka_unit_test(completed_handshake_has_no_deadline),
        cmocka_unit_test(version_1_struct_has_no_deadline),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
