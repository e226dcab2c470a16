/* phonesec_ciphers_apply_wolfssl(): real in-memory handshakes between two
 * wolfSSL endpoints prove that a context we configured cannot negotiate a
 * suite that was not selected (RC4, 3DES, NULL, TLS 1.3 integrity-only),
 * even against a peer that offers only that suite, and that it does
 * negotiate it once selected (so each check can fail). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#define USE_CERT_BUFFERS_2048
#define USE_CERT_BUFFERS_256
#include <wolfssl/certs_test.h>

#include "support.h"

#include "ciphers/internal.h"

/* Two one-way byte pipes. */
typedef struct pipe_buf {
    unsigned char data[65536];
    size_t len;
} pipe_buf;

typedef struct endpoint {
    pipe_buf *in, *out;
} endpoint;

static int mem_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    endpoint *e = ctx;
    size_t n = e->in->len < (size_t)sz ? e->in->len : (size_t)sz;
    (void)ssl;
    if (n == 0)
        return WOLFSSL_CBIO_ERR_WANT_READ;
    memcpy(buf, e->in->data, n);
    memmove(e->in->data, e->in->data + n, e->in->len - n);
    e->in->len -= n;
    return (int)n;
}

static int mem_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
    endpoint *e = ctx;
    (void)ssl;
    if (e->out->len + (size_t)sz > sizeof e->out->data)
        return WOLFSSL_CBIO_ERR_WANT_WRITE;
    memcpy(e->out->data + e->out->len, buf, (size_t)sz);
    e->out->len += (size_t)sz;
    return sz;
}

static WOLFSSL_CTX *server_ctx(int ecc, int tls13)
{
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(tls13 ? wolfTLSv1_3_server_method() : wolfTLSv1_2_server_method());
    assert_non_null(ctx);
    if (ecc) {
        assert_int_equal(wolfSSL_CTX_use_certificate_buffer(ctx, serv_ecc_der_256, sizeof_serv_ecc_der_256,
                                                            WOLFSSL_FILETYPE_ASN1),
                         WOLFSSL_SUCCESS);
        assert_int_equal(wolfSSL_CTX_use_PrivateKey_buffer(ctx, ecc_key_der_256, sizeof_ecc_key_der_256,
                                                           WOLFSSL_FILETYPE_ASN1),
                         WOLFSSL_SUCCESS);
    } else {
        assert_int_equal(wolfSSL_CTX_use_certificate_buffer(ctx, server_cert_der_2048, sizeof_server_cert_der_2048,
                                                            WOLFSSL_FILETYPE_ASN1),
                         WOLFSSL_SUCCESS);
        assert_int_equal(wolfSSL_CTX_use_PrivateKey_buffer(ctx, server_key_der_2048, sizeof_server_key_der_2048,
                                                           WOLFSSL_FILETYPE_ASN1),
                         WOLFSSL_SUCCESS);
    }
    assert_int_equal(wolfSSL_CTX_SetTmpDH_buffer(ctx, dh_key_der_2048, sizeof_dh_key_der_2048, WOLFSSL_FILETYPE_ASN1),
                     WOLFSSL_SUCCESS);
    return ctx;
}

/* Handshake a client context against a server context; returns the IANA
 * code negotiated, or -1 when the handshake failed. */
static int handshake(WOLFSSL_CTX *cctx, WOLFSSL_CTX *sctx)
{
    static pipe_buf c2s, s2c;
    endpoint ce = {&s2c, &c2s}, se = {&c2s, &s2c};
    WOLFSSL *c, *s;
    int cdone = 0, sdone = 0, rounds, result = -1;

    c2s.len = s2c.len = 0;
    wolfSSL_CTX_set_verify(cctx, WOLFSSL_VERIFY_NONE, NULL);
    wolfSSL_CTX_SetIORecv(cctx, mem_recv);
    wolfSSL_CTX_SetIOSend(cctx, mem_send);
    wolfSSL_CTX_SetIORecv(sctx, mem_recv);
    wolfSSL_CTX_SetIOSend(sctx, mem_send);
    c = wolfSSL_new(cctx);
    s = wolfSSL_new(sctx);
    assert_non_null(c);
    assert_non_null(s);
    wolfSSL_SetIOReadCtx(c, &ce);
    wolfSSL_SetIOWriteCtx(c, &ce);
    wolfSSL_SetIOReadCtx(s, &se);
    wolfSSL_SetIOWriteCtx(s, &se);
    for (rounds = 0; rounds < 50 && !(cdone && sdone); rounds++) {
        if (!cdone) {
            int r = wolfSSL_connect(c);
            if (r == WOLFSSL_SUCCESS)
                cdone = 1;
            else if (wolfSSL_get_error(c, r) != WOLFSSL_ERROR_WANT_READ &&
                     wolfSSL_get_error(c, r) != WOLFSSL_ERROR_WANT_WRITE)
                break;
        }
        if (!sdone) {
            int r = wolfSSL_accept(s);
            if (r == WOLFSSL_SUCCESS)
                sdone = 1;
            else if (wolfSSL_get_error(s, r) != WOLFSSL_ERROR_WANT_READ &&
                     wolfSSL_get_error(s, r) != WOLFSSL_ERROR_WANT_WRITE)
                break;
        }
    }
    if (getenv("HS_DEBUG"))
        fprintf(stderr, "handshake: rounds %d cdone %d sdone %d cerr %d serr %d\n", rounds, cdone, sdone,
                wolfSSL_get_error(c, 0), wolfSSL_get_error(s, 0));
    if (cdone && sdone) {
        const phonesec_ciphers_suite *cs = phonesec_ciphers_by_name(wolfSSL_get_cipher_name(c));
        int suite = wolfSSL_get_current_cipher_suite(c);
        result = suite & 0xFFFF;
        if (cs != NULL)
            assert_int_equal(cs->iana, result);
    }
    wolfSSL_free(c);
    wolfSSL_free(s);
    return result;
}

/* A client context with the suites str selects (flags: PHONESEC_CIPHERS_ALLOW_LEGACY or 0). */
static WOLFSSL_CTX *client_with_flags(const char *str, const char *tls13, unsigned flags)
{
    phonesec_ciphers_options opt = PHONESEC_CIPHERS_OPTIONS_INIT;
    uint16_t codes[256], t13[8];
    size_t n = 0, m = 0, i;
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
    assert_non_null(ctx);
    opt.flags = flags;
    assert_int_equal(phonesec_ciphers_select_ex(str, &opt, codes, 200, &n, NULL), PHONESEC_OK);
    if (tls13 != NULL) {
        assert_int_equal(phonesec_ciphers_select_tls13(tls13, t13, 8, &m), PHONESEC_OK);
        for (i = 0; i < m; i++)
            codes[n++] = t13[i];
    }
    assert_int_equal(phonesec_ciphers_apply_wolfssl(ctx, codes, n), PHONESEC_OK);
    return ctx;
}

static WOLFSSL_CTX *client_with(const char *str, const char *tls13)
{
    return client_with_flags(str, tls13, 0);
}

/* A server that offers exactly one suite (by wolfSSL name). */
static WOLFSSL_CTX *server_only(const char *wolf_name, int ecc)
{
    WOLFSSL_CTX *ctx = server_ctx(ecc, strncmp(wolf_name, "TLS13-", 6) == 0);
    assert_int_equal(wolfSSL_CTX_set_cipher_list(ctx, wolf_name), WOLFSSL_SUCCESS);
    return ctx;
}

/* selecting: a string that names the suite. Without the legacy opt-in the
 * floor keeps it out even then; with it, the suite is negotiated (so the
 * refusals above can fail). */
static void check_refused_then_allowed(const char *wolf_name, uint16_t code, int ecc, const char *selecting)
{
    WOLFSSL_CTX *s, *c, *plain;
    if (!phonesec_ciphers_backend_available(code)) {
        /* a lean wolfSSL (the phone profile) has no such suite at all */
        print_message("skipped: wolfSSL has no %s\n", wolf_name);
        skip();
    }
    s = server_only(wolf_name, ecc);
    c = client_with("DEFAULT", "TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256");
    plain = wolfSSL_CTX_new(wolfSSLv23_client_method());
    /* wolfSSL's own default would take it: that is what we guard against */
    assert_int_equal(handshake(plain, s), code);
    assert_int_equal(handshake(c, s), -1);
    wolfSSL_CTX_free(c);
    c = client_with(selecting, NULL); /* the string names it: the floor still removes it */
    assert_int_equal(handshake(c, s), -1);
    wolfSSL_CTX_free(c);
    c = client_with_flags(selecting, NULL, PHONESEC_CIPHERS_ALLOW_LEGACY);
    assert_int_equal(handshake(c, s), code);
    wolfSSL_CTX_free(c);
    wolfSSL_CTX_free(plain);
    wolfSSL_CTX_free(s);
}

static void rc4_refused_unless_selected(void **state)
{
    uint16_t codes[128];
    size_t n = 0, i;
    (void)state;
    /* "DEFAULT:RC4" adds nothing: DEFAULT removed RC4 for good ("!"), as in OpenSSL */
    assert_int_equal(phonesec_ciphers_select("DEFAULT:RC4", codes, 128, &n), PHONESEC_OK);
    for (i = 0; i < n; i++)
        assert_int_not_equal(codes[i], 0xC011);
    check_refused_then_allowed("ECDHE-RSA-RC4-SHA", 0xC011, 0, "HIGH:RC4");
}

static void des3_refused_unless_selected(void **state)
{
    (void)state;
    check_refused_then_allowed("ECDHE-RSA-DES-CBC3-SHA", 0xC012, 0, "HIGH:3DES");
}

static void null_refused_unless_selected(void **state)
{
    (void)state;
    check_refused_then_allowed("ECDHE-ECDSA-NULL-SHA", 0xC006, 1, "HIGH:eNULL");
}

static void tls13_integrity_only_refused(void **state)
{
    WOLFSSL_CTX *s, *plain, *c;
    (void)state;
    if (!phonesec_ciphers_backend_available(0xC0B4)) {
        print_message("skipped: wolfSSL has no TLS13-SHA256-SHA256 (HAVE_NULL_CIPHER)\n");
        skip();
    }
    s = server_only("TLS13-SHA256-SHA256", 0);
    plain = wolfSSL_CTX_new(wolfSSLv23_client_method());
    c = client_with("DEFAULT", "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256");
    assert_int_equal(handshake(plain, s), 0xC0B4); /* TLS_SHA256_SHA256 (RFC 9150) */
    assert_int_equal(handshake(c, s), -1);
    wolfSSL_CTX_free(c);
    wolfSSL_CTX_free(plain);
    wolfSSL_CTX_free(s);
}

static void default_negotiates_in_order(void **state)
{
    WOLFSSL_CTX *s = server_ctx(0, 0), *c;
    (void)state;
    c = client_with("DEFAULT", NULL);
    /* whatever the server picks must be one of the selected suites */
    {
        int got = handshake(c, s);
        uint16_t codes[64];
        size_t n = 0, i;
        int ok = 0;
        assert_true(got > 0);
        assert_int_equal(phonesec_ciphers_select("DEFAULT", codes, 64, &n), PHONESEC_OK);
        for (i = 0; i < n; i++)
            if (codes[i] == got)
                ok = 1;
        assert_true(ok);
    }
    wolfSSL_CTX_free(c);
    wolfSSL_CTX_free(s);
}

#if defined(OPENSSL_ALL) || defined(WOLFSSL_NGINX) || defined(WOLFSSL_HAPROXY)
static void list_read_back(void **state)
{
    WOLFSSL_CTX *c = client_with("ALL:!RC4:!3DES:!eNULL", "TLS_AES_128_GCM_SHA256");
    WOLFSSL *ssl = wolfSSL_new(c);
    WOLF_STACK_OF(WOLFSSL_CIPHER) *sk = wolfSSL_get_ciphers_compat(ssl);
    int i, n = wolfSSL_sk_SSL_CIPHER_num(sk);
    (void)state;
    assert_true(n > 10);
    for (i = 0; i < n; i++) {
        const char *nm = wolfSSL_CIPHER_get_name(wolfSSL_sk_SSL_CIPHER_value(sk, i));
        assert_null(strstr(nm, "RC4"));
        assert_null(strstr(nm, "DES-CBC3"));
        assert_null(strstr(nm, "NULL"));
        assert_null(strstr(nm, "TLS13-SHA"));
        assert_null(strstr(nm, "PSK"));
    }
    wolfSSL_free(ssl);
    wolfSSL_CTX_free(c);
}
#else
/* wolfSSL_get_ciphers_compat needs OPENSSL_ALL (Debian's build has it,
 * the phone profile does not). */
static void list_read_back(void **state)
{
    (void)state;
    print_message("skipped: wolfSSL_get_ciphers_compat needs OPENSSL_ALL\n");
    skip();
}
#endif

static void apply_errors(void **state)
{
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
    uint16_t none[2] = {0x0035, 0x1234}; /* static RSA (not in Debian's wolfSSL), unknown */
    uint16_t one[1] = {0xC02F};
    (void)state;
    assert_int_equal(phonesec_ciphers_apply_wolfssl(NULL, one, 1), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_ciphers_apply_wolfssl(ctx, NULL, 1), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_ciphers_apply_wolfssl(ctx, one, 0), PHONESEC_E_NO_MATCH);
    if (!phonesec_ciphers_backend_available(0x0035))
        assert_int_equal(phonesec_ciphers_apply_wolfssl(ctx, none, 2), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_ciphers_apply_wolfssl(ctx, one, 1), PHONESEC_OK);
    assert_int_equal(phonesec_ciphers_backend_available(0x1234), 0);
    assert_int_equal(phonesec_ciphers_backend_available(0xC02F), 1);
    wolfSSL_CTX_free(ctx);
}

/* Out of memory: the one allocation fails cleanly, nothing leaks, the
 * context keeps its previous list. */
static void apply_out_of_memory(void **state)
{
    WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
    uint16_t codes[64];
    size_t n = 0;
    long live = test_alloc_live, at;
    int rc = PHONESEC_E_NOMEM;
    (void)state;
    assert_int_equal(phonesec_ciphers_select("DEFAULT", codes, 64, &n), PHONESEC_OK);
    for (at = 1; rc == PHONESEC_E_NOMEM && at < 10; at++) {
        test_alloc_calls = 0;
        test_alloc_fail_at = at;
        rc = phonesec_ciphers_apply_wolfssl(ctx, codes, n);
        test_alloc_fail_at = 0;
        assert_true(rc == PHONESEC_E_NOMEM || rc == PHONESEC_OK);
        assert_int_equal(test_alloc_live, live);
    }
    assert_int_equal(rc, PHONESEC_OK);
    assert_true(at > 2); /* at least one allocation was failed */
    wolfSSL_CTX_free(ctx);
}

/* The fallback to a preset, when the caller asked for it, is logged
 * (warning) and names the word to blame. */
static void fallback_is_logged(void **state)
{
    uint16_t codes[128];
    size_t n = 0;
    int fb = 0;
    (void)state;
    test_log_text[0] = '\0';
    assert_int_equal(phonesec_ciphers_select_or_preset("NOPE", PHONESEC_CIPHERS_PRESET_XMPP, codes, 128, &n, &fb),
                     PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_ciphers_select_or_preset(
                         "NOPE", PHONESEC_CIPHERS_PRESET_XMPP | PHONESEC_CIPHERS_FALLBACK_ON_ERROR, codes, 128, &n, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, PHONESEC_CIPHERS_FALLBACK_INVALID);
    assert_non_null(strstr(test_log_text, "unknown word 'NOPE'"));
    assert_non_null(strstr(test_log_text, "preset"));
}

#ifdef HAVE_ANON
/* An anonymous (certificate-less) server: a client built from the blank
 * XMPP setting, which installed ADH suites before the floor, refuses it;
 * the legacy opt-in does negotiate ADH (so the refusal can fail). */
static void anonymous_server_refused(void **state)
{
    uint16_t codes[128];
    size_t n = 0;
    int fb = 0;
    WOLFSSL_CTX *s, *c;
    (void)state;
    if (!phonesec_ciphers_backend_available(0x00A7)) /* ADH-AES256-GCM-SHA384 */
        skip();
    s = wolfSSL_CTX_new(wolfTLSv1_2_server_method());
    assert_non_null(s);
    assert_int_equal(wolfSSL_CTX_allow_anon_cipher(s), WOLFSSL_SUCCESS);
    assert_int_equal(wolfSSL_CTX_set_cipher_list(s, "ADH-AES256-GCM-SHA384"), WOLFSSL_SUCCESS);
    assert_int_equal(wolfSSL_CTX_SetTmpDH_buffer(s, dh_key_der_2048, sizeof_dh_key_der_2048, WOLFSSL_FILETYPE_ASN1),
                     WOLFSSL_SUCCESS);

    assert_int_equal(phonesec_ciphers_select_or_preset("", PHONESEC_CIPHERS_PRESET_XMPP, codes, 128, &n, &fb),
                     PHONESEC_OK);
    c = wolfSSL_CTX_new(wolfSSLv23_client_method());
    assert_int_equal(wolfSSL_CTX_allow_anon_cipher(c), WOLFSSL_SUCCESS);
    assert_int_equal(phonesec_ciphers_apply_wolfssl(c, codes, n), PHONESEC_OK);
    assert_int_equal(handshake(c, s), -1);
    wolfSSL_CTX_free(c);

    assert_int_equal(phonesec_ciphers_select_or_preset("", PHONESEC_CIPHERS_PRESET_XMPP | PHONESEC_CIPHERS_ALLOW_LEGACY,
                                                       codes, 128, &n, &fb),
                     PHONESEC_OK);
    c = wolfSSL_CTX_new(wolfSSLv23_client_method());
    assert_int_equal(wolfSSL_CTX_allow_anon_cipher(c), WOLFSSL_SUCCESS);
    assert_int_equal(phonesec_ciphers_apply_wolfssl(c, codes, n), PHONESEC_OK);
    assert_int_equal(handshake(c, s), 0x00A7);
    wolfSSL_CTX_free(c);
    wolfSSL_CTX_free(s);
}
#else
/* wolfSSL built without HAVE_ANON: no anonymous suite exists to refuse. */
static void anonymous_server_refused(void **state)
{
    (void)state;
    print_message("skipped: wolfSSL has no anonymous suites (HAVE_ANON)\n");
    skip();
}
#endif

/* The TLS module gets the floor on every path it evaluates: an explicit
 * string, a blank one (preset), a TLS 1.3 list, a later set_ciphers. It
 * opts in to legacy suites only when its caller put the flag into
 * cipher_preset. (Before the floor, the blank XMPP setting installed 12
 * ADH, 4 RC4 and 4 3DES suites here.) */
static size_t ctx_weak(phonesec_tls_ctx *ctx, size_t *total)
{
    uint16_t codes[256];
    size_t n = 0, i, w = 0;
    assert_int_equal(phonesec_tls_ctx_ciphers(ctx, codes, 256, &n), PHONESEC_OK);
    for (i = 0; i < n; i++) {
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(codes[i]);
        assert_non_null(s);
        if (strcmp(s->auth, "None") == 0 || strcmp(s->enc, "None") == 0 || strncmp(s->enc, "RC4", 3) == 0 ||
            strncmp(s->enc, "3DES", 4) == 0 || strcmp(s->mac, "MD5") == 0)
            w++;
    }
    *total = n;
    return w;
}

static void tls_context_is_floored(void **state)
{
    static const char *const lists[] = {NULL, "", "ALL", "HIGH:MEDIUM:AES:@STRENGTH", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"};
    phonesec_tls_config cfg;
    phonesec_tls_ctx *ctx;
    size_t i, n;
    int p, fb;
    (void)state;
    for (p = PHONESEC_CIPHERS_PRESET_DEFAULT; p <= PHONESEC_CIPHERS_PRESET_XMPP; p++)
        for (i = 0; i < sizeof lists / sizeof lists[0]; i++) {
            phonesec_tls_config_init(&cfg);
            cfg.cipher_preset = p;
            cfg.cipher_list = lists[i];
            ctx = NULL;
            assert_int_equal(phonesec_tls_ctx_new(&cfg, &ctx), PHONESEC_OK);
            assert_int_equal(ctx_weak(ctx, &n), 0);
            assert_true(n > 3);
            /* replacing the policy later: the same floor */
            assert_int_equal(phonesec_tls_ctx_set_ciphers(ctx, "ALL:COMPLEMENTOFALL", NULL, &fb), PHONESEC_OK);
            assert_int_equal(ctx_weak(ctx, &n), 0);
            assert_int_equal(phonesec_tls_ctx_set_ciphers(ctx, "", "TLS_AES_128_GCM_SHA256", &fb), PHONESEC_OK);
            assert_int_equal(fb, PHONESEC_CIPHERS_FALLBACK_BLANK);
            assert_int_equal(ctx_weak(ctx, &n), 0);
            /* a string that selects only weak suites cannot be installed */
            assert_int_not_equal(phonesec_tls_ctx_set_ciphers(ctx, "RC4:3DES:aNULL:eNULL", NULL, &fb), PHONESEC_OK);
            assert_int_equal(ctx_weak(ctx, &n), 0);
            phonesec_tls_ctx_free(ctx);
        }
    /* a string (or TLS 1.3 list) that selects nothing is an error, also
     * beside TLS 1.3 suites; the phones' fallback only when asked for */
    phonesec_tls_config_init(&cfg);
    cfg.cipher_list = "FOO";
    ctx = NULL;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &ctx), PHONESEC_E_NO_MATCH);
    assert_null(ctx);
    cfg.cipher_list = "HIGH:@BOGUS";
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &ctx), PHONESEC_E_PARSE);
    cfg.cipher_list = NULL;
    cfg.tls13_ciphers = "BOGUS";
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &ctx), PHONESEC_E_NO_MATCH);
    cfg.tls13_ciphers = NULL;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &ctx), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_ciphers(ctx, "FOO", NULL, &fb), PHONESEC_E_NO_MATCH);
    phonesec_tls_ctx_free(ctx);
    cfg.cipher_list = "FOO";
    cfg.cipher_preset = PHONESEC_CIPHERS_PRESET_DEFAULT | PHONESEC_CIPHERS_FALLBACK_ON_ERROR;
    ctx = NULL;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &ctx), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_ciphers(ctx, "FOO", NULL, &fb), PHONESEC_OK);
    assert_int_equal(fb, PHONESEC_CIPHERS_FALLBACK_INVALID);
    assert_int_equal(ctx_weak(ctx, &n), 0);
    phonesec_tls_ctx_free(ctx);

    /* explicit opt-in through cipher_preset: the legacy XMPP list */
    phonesec_tls_config_init(&cfg);
    cfg.cipher_preset = PHONESEC_CIPHERS_PRESET_XMPP | PHONESEC_CIPHERS_ALLOW_LEGACY;
    cfg.max_version = PHONESEC_TLS_V1_2;
    ctx = NULL;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &ctx), PHONESEC_OK);
    assert_true(ctx_weak(ctx, &n) >= 12 + 4 + 4);
    phonesec_tls_ctx_free(ctx);
}

/* Every suite the backend says it has must really be negotiable. */
static void available_means_negotiable(void **state)
{
    size_t i, n = phonesec_ciphers_count(), tried = 0;
    (void)state;
    for (i = 0; i < n; i++) {
        const phonesec_ciphers_suite *cs = phonesec_ciphers_at(i);
        const char *wn;
        WOLFSSL_CTX *s, *c;
        int ecc;
        if (!phonesec_ciphers_backend_available(cs->iana))
            continue;
        if (strcmp(cs->auth, "None") == 0 || strcmp(cs->auth, "DSS") == 0)
            continue; /* anonymous / DSA: need server setup beyond this test */
        wn = phonesec__ciphers_wolfssl_name(cs->iana);
        ecc = strcmp(cs->auth, "ECDSA") == 0;
        s = server_only(wn, ecc);
        c = wolfSSL_CTX_new(wolfSSLv23_client_method());
        assert_int_equal(phonesec_ciphers_apply_wolfssl(c, &cs->iana, 1), PHONESEC_OK);
        if (handshake(c, s) != cs->iana) {
            fprintf(stderr, "suite %s (wolfSSL %s) reported available but not negotiated\n", cs->openssl_name, wn);
            fail();
        }
        tried++;
        wolfSSL_CTX_free(c);
        wolfSSL_CTX_free(s);
    }
    assert_true(tried >= 15);
}

int main(int argc, char **argv)
{
    /* The exhaustive handshake of every available suite is slow under
     * valgrind: it runs as its own test (suite 'vectors'). */
    const struct CMUnitTest all_suites[] = {
        cmocka_unit_test(available_means_negotiable),
    };
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rc4_refused_unless_selected),
        cmocka_unit_test(des3_refused_unless_selected),
        cmocka_unit_test(null_refused_unless_selected),
        cmocka_unit_test(tls13_integrity_only_refused),
        cmocka_unit_test(default_negotiates_in_order),
        cmocka_unit_test(list_read_back),
        cmocka_unit_test(apply_errors),
        cmocka_unit_test(apply_out_of_memory),
        cmocka_unit_test(fallback_is_logged),
        cmocka_unit_test(anonymous_server_refused),
        cmocka_unit_test(tls_context_is_floored),
    };
    wolfSSL_Init();
    if (argc > 1 && strcmp(argv[1], "--all-suites") == 0)
        return cmocka_run_group_tests(all_suites, test_platform_setup, test_platform_teardown);
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
