/*
 * Footprint report, heap part (issue 16): bytes held per idle object,
 * counted through the platform allocator hook with wolfSSL's allocations
 * routed through it too (phonesec_tls_route_backend_memory). Each figure is
 * the live-byte delta of K objects divided by K, after the object is in its
 * idle state (TLS: handshake done and settled; flow: up; SRTP: created;
 * SDES: offer made and answer accepted). Sizes of the library per module are
 * reported by scripts/footprint.py in the same benchmark suite.
 * SPDX-License-Identifier: MIT
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include "../tls/tls_test_util.h"
#include "support.h"

#define K 16

static long live(void) { return test_alloc_bytes_live; }

static phonesec_tls_ctx *cctx, *sctx;

static int tls_ctxs(void)
{
    phonesec_tls_config cfg;
    phonesec_tls_config_init(&cfg);
    if (phonesec_tls_ctx_new(&cfg, &cctx) != 0 || phonesec_tls_ctx_add_trusted_file(cctx, cert_path("ca.crt")) != 0)
        return -1;
    cfg.role = PHONESEC_TLS_SERVER;
    if (phonesec_tls_ctx_new(&cfg, &sctx) != 0 ||
        phonesec_tls_ctx_set_certificate_file(sctx, cert_path("server.crt"), cert_path("server.key")) != 0)
        return -1;
    return 0;
}

static void tls_idle(long *client, long *server)
{
    phonesec_tls_conn *c[K], *s[K];
    phonesec_tls_conn_config cc;
    long base, with_pairs, clients_only;
    int i, rs;
    phonesec_tls_conn_config_init(&cc);
    cc.reference_name = "sip.example.com";
    base = live();
    for (i = 0; i < K; i++) {
        if (phonesec_tls_conn_new(cctx, &cc, &c[i]) != 0 || phonesec_tls_conn_new(sctx, NULL, &s[i]) != 0 ||
            pump(c[i], s[i], &rs) != PHONESEC_OK || rs != PHONESEC_OK) {
            fprintf(stderr, "handshake failed\n");
            exit(1);
        }
        settle(c[i], s[i]);
    }
    with_pairs = live();
    for (i = 0; i < K; i++)
        phonesec_tls_conn_free(s[i]);
    clients_only = live();
    for (i = 0; i < K; i++)
        phonesec_tls_conn_free(c[i]);
    *client = (clients_only - base) / K;
    *server = (with_pairs - clients_only) / K;
}

static long srtp_session(void)
{
    static const char line[] = "1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
    phonesec_srtp_params p;
    phonesec_srtp *s[K];
    long base;
    int i;
    char why[128];
    if (phonesec_sdes_line_to_params(line, sizeof line - 1, 0, &p, why, sizeof why) != 0) {
        fprintf(stderr, "params: %s\n", why);
        exit(1);
    }
    base = live();
    for (i = 0; i < K; i++)
        if (phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_OUTBOUND, 0, &s[i]) != 0)
            exit(1);
    base = (live() - base) / K;
    for (i = 0; i < K; i++)
        phonesec_srtp_free(s[i]);
    phonesec_srtp_params_wipe(&p);
    return base;
}

static long sdes_negotiation(void)
{
    static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                              "m=audio 4000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    phonesec_sdes_policy pol = PHONESEC_SDES_POLICY_INIT;
    phonesec_sdes *off[K], *ans[K];
    char o[4096], a[4096];
    size_t ol, al;
    long base;
    int i;
    pol.mode = PHONESEC_SDES_MANDATORY;
    base = live();
    for (i = 0; i < K; i++) {
        if (phonesec_sdes_new(&pol, &off[i]) != 0 || phonesec_sdes_new(&pol, &ans[i]) != 0 ||
            phonesec_sdes_offer(off[i], sdp, sizeof sdp - 1, o, sizeof o, &ol) != 0 ||
            phonesec_sdes_answer(ans[i], o, ol) != 0 ||
            phonesec_sdes_answer_sdp(ans[i], sdp, sizeof sdp - 1, a, sizeof a, &al) != 0 ||
            phonesec_sdes_accept_answer(off[i], a, al) != 0) {
            fprintf(stderr, "sdes negotiation failed\n");
            exit(1);
        }
    }
    base = (live() - base) / (2 * K);
    for (i = 0; i < K; i++) {
        phonesec_sdes_free(off[i]);
        phonesec_sdes_free(ans[i]);
    }
    return base;
}

static int dummy_open(void *u, unsigned idx, const uint8_t *resume, size_t resume_len, void **conn)
{
    (void)idx; (void)resume; (void)resume_len;
    *conn = u;
    return PHONESEC_OK;
}
static int dummy_up(void *u, void *conn) { (void)u; (void)conn; return 1; }
static int dummy_send(void *u, void *conn, const uint8_t *d, size_t n, size_t *sent)
{
    (void)u; (void)conn; (void)d;
    *sent = n;
    return PHONESEC_OK;
}
static int dummy_recv(void *u, void *conn, uint8_t *b, size_t cap, size_t *got)
{
    (void)u; (void)conn; (void)b; (void)cap;
    *got = 0;
    return PHONESEC_E_WOULD_BLOCK;
}
static void dummy_close(void *u, void *conn) { (void)u; (void)conn; }

static long flow_up(void)
{
    static phonesec_flow_transport t;
    phonesec_flow_config cfg = PHONESEC_FLOW_CONFIG_INIT;
    phonesec_flow *f[K];
    long base;
    int i;
    t.version = 1;
    t.open = dummy_open;
    t.is_up = dummy_up;
    t.send = dummy_send;
    t.recv = dummy_recv;
    t.close = dummy_close;
    cfg.transport = &t;
    cfg.transport_user = &t;
    base = live();
    for (i = 0; i < K; i++)
        if (phonesec_flow_new(&cfg, &f[i]) != 0 || phonesec_flow_start(f[i]) != 0) {
            fprintf(stderr, "flow failed\n");
            exit(1);
        }
    base = (live() - base) / K;
    for (i = 0; i < K; i++)
        phonesec_flow_free(f[i]);
    return base;
}

/* Peak heap of decrypting a 64 MiB provisioning file (the tool's call,
 * phonesec_cfgcrypt_file), encrypted by the openssl CLI (an independent
 * writer of the format): the figure a phone budgets for a firmware-sized
 * configuration. Returns -1 when openssl is missing. */
static long config_decrypt_peak(long *file_bytes)
{
    char dir[] = "/tmp/phonesec-fp-XXXXXX", cmd[1024], plain[256], enc[256], out[256];
    phonesec_cfgcrypt_params p = PHONESEC_CFGCRYPT_PARAMS_INIT;
    char err[256];
    long base, peak;
    int rc;
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(plain, sizeof plain, "%s/plain", dir);
    snprintf(enc, sizeof enc, "%s/plain.enc", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(cmd, sizeof cmd,
             "head -c 67108864 /dev/urandom > %s && openssl enc -aes-256-cbc -pbkdf2 -iter 10000 -pass pass:fp-bench "
             "-in %s -out %s 2>/dev/null", plain, plain, enc);
    if (system(cmd) != 0) {
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        (void)system(cmd);
        return -1;
    }
    p.format = PHONESEC_CFGCRYPT_OPENSSL;
    p.kdf = PHONESEC_CFGCRYPT_KDF_PBKDF2;
    p.iterations = 10000;
    p.password = (const uint8_t *)"fp-bench";
    p.password_len = 8;
    base = live();
    test_alloc_bytes_peak = base;
    rc = phonesec_cfgcrypt_file(&p, 0, enc, out, NULL, NULL, err, sizeof err);
    peak = test_alloc_bytes_peak - base;
    snprintf(cmd, sizeof cmd, "cmp -s %s %s", plain, out);
    if (rc != 0 || system(cmd) != 0) {
        fprintf(stderr, "config decrypt failed or differs: %s\n", err);
        exit(1);
    }
    *file_bytes = 67108864;
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    (void)system(cmd);
    return peak;
}

int main(void)
{
    phonesec_platform p;
    long cli, srv, ctx_bytes, before;
    if (make_certs() != 0)
        return 1;
    phonesec_platform_init(&p);
    p.malloc_fn = test_malloc_hook;
    p.realloc_fn = test_realloc_hook;
    p.free_fn = test_free_hook;
    if (phonesec_init(&p) != 0 || phonesec_tls_route_backend_memory() != 0)
        return 1;
    before = live();
    if (tls_ctxs() != 0) {
        fprintf(stderr, "contexts failed\n");
        return 1;
    }
    ctx_bytes = live() - before;
    tls_idle(&cli, &srv); /* warm-up: first-handshake caches */
    tls_idle(&cli, &srv);
    printf("footprint, heap held per idle object (platform hook, wolfSSL routed through it; mean of %d):\n", K);
    printf("  TLS client + server contexts, first ones in the process (trust list of 1, ECDSA cert;\n"
           "    includes wolfSSL's first-use caches: the key-pair check runs a handshake): %ld bytes\n", ctx_bytes);
    printf("  TLS client connection, handshake done (TLS 1.3):   %8ld bytes\n", cli);
    printf("  TLS server connection, handshake done (TLS 1.3):   %8ld bytes\n", srv);
    printf("  persistent flow (started; default 64 KiB receive + 64 KiB send buffers; transport not counted): %ld bytes\n", flow_up());
    printf("  SRTP session (AES_CM_128_HMAC_SHA1_80, one way):   %8ld bytes\n", srtp_session());
    printf("  SDES negotiation (one audio section, per side):    %8ld bytes\n", sdes_negotiation());
    {
        long fb = 0, pk = config_decrypt_peak(&fb);
        if (pk < 0)
            printf("  config decrypt peak heap: not measured (openssl CLI missing)\n");
        else
            printf("  config decrypt (phonesec_cfgcrypt_file, openssl format, %ld MiB file): peak heap %ld bytes "
                   "(%.5f of the file)\n", fb >> 20, pk, (double)pk / (double)fb);
    }
    phonesec_tls_ctx_free(cctx);
    phonesec_tls_ctx_free(sctx);
    phonesec_shutdown();
    remove_certs();
    return 0;
}
