/* Concurrency tests (issue 17), run in the normal builds and under
 * ThreadSanitizer (scripts/test.sh, suite 'threads'):
 *   srtp N     one SRTP session pair per thread, N threads at once
 *   ciphers N  N threads evaluating the same cipher strings at once; every
 *              result must equal the one computed before the threads started
 *   tls N      one client and one server context shared by N threads, each
 *              making connections (handshake, data both ways, close) at once
 *   mediasec N one Security-Server list shared read-only by N threads, each
 *              running its own client negotiation against it
 *   sdes N     one policy shared by N threads, each negotiating its own calls
 * The threads start together (a barrier) so they really overlap. Exit 0 when
 * every thread's every result was right; ThreadSanitizer makes the process
 * fail on any data race it sees. Nothing here is timed. */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include <pthread.h>

#include "thread_util.h"

static pthread_barrier_t g_start;
static int g_rounds = 3;

/* ------------------------------------------------------------ srtp */

static size_t rtp(uint8_t *p, uint16_t seq, uint32_t ssrc, size_t payload)
{
    size_t i;
    memset(p, 0, 12);
    p[0] = 0x80;
    p[2] = (uint8_t)(seq >> 8);
    p[3] = (uint8_t)seq;
    p[8] = (uint8_t)(ssrc >> 24);
    p[9] = (uint8_t)(ssrc >> 16);
    p[10] = (uint8_t)(ssrc >> 8);
    p[11] = (uint8_t)ssrc;
    for (i = 0; i < payload; i++)
        p[12 + i] = (uint8_t)(i + seq + ssrc);
    return 12 + payload;
}

static void *srtp_thread(void *arg)
{
    uintptr_t id = (uintptr_t)arg;
    phonesec_srtp_params p;
    phonesec_srtp *tx = NULL, *rx = NULL;
    uint8_t pkt[300], prot[400], out[400];
    size_t len, n, m, i;
    int bad = 0, k;

    phonesec_srtp_params_init(&p);
    p.suite = (id & 1) ? PHONESEC_SRTP_AEAD_AES_128_GCM : PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80;
    if (!phonesec_srtp_suite_supported(p.suite))
        p.suite = PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80;
    p.n_keys = 1;
    if (phonesec_srtp_suite_lengths(p.suite, &p.keys[0].key_len, &p.keys[0].salt_len) != 0)
        return (void *)1;
    for (i = 0; i < p.keys[0].key_len; i++)
        p.keys[0].key[i] = (uint8_t)(id * 31 + i);
    for (i = 0; i < p.keys[0].salt_len; i++)
        p.keys[0].salt[i] = (uint8_t)(id * 17 + i);
    pthread_barrier_wait(&g_start);
    if (phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_OUTBOUND, 0, &tx) != 0 ||
        phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &rx) != 0)
        bad = 1;
    for (k = 0; !bad && k < 500 * g_rounds; k++) {
        len = rtp(pkt, (uint16_t)k, 0x1000u + (uint32_t)id, 160);
        if (phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n) != 0 ||
            phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m) != 0 || m != len ||
            memcmp(out, pkt, len) != 0)
            bad = 1;
    }
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
    phonesec_srtp_params_wipe(&p);
    return bad ? (void *)1 : NULL;
}

/* ------------------------------------------------------------ ciphers */

static const char *const g_strings[] = {
    "HIGH:!aNULL:@STRENGTH", "ECDHE+AESGCM:ECDHE+CHACHA20", "DEFAULT:!RSA", "AES128-SHA:AES256-SHA256",
    "kEECDH:kEDH:!3DES:@SECLEVEL=2", "ALL:!COMPLEMENTOFDEFAULT:!eNULL",
};
#define NSTR (sizeof g_strings / sizeof g_strings[0])
static uint16_t g_ref[NSTR][512];
static size_t g_ref_n[NSTR];
static int g_ref_rc[NSTR];

static int select_one(size_t i, uint16_t *codes, size_t *n)
{
    return phonesec_ciphers_select(g_strings[i], codes, 512, n);
}

static void *ciphers_thread(void *arg)
{
    uint16_t codes[512];
    size_t n, i;
    int k, bad = 0;
    (void)arg;
    pthread_barrier_wait(&g_start);
    for (k = 0; k < 20 * g_rounds && !bad; k++)
        for (i = 0; i < NSTR; i++) {
            n = 0;
            if (select_one(i, codes, &n) != g_ref_rc[i] ||
                (g_ref_rc[i] == 0 && (n != g_ref_n[i] || memcmp(codes, g_ref[i], n * sizeof codes[0]) != 0)))
                bad = 1;
        }
    return bad ? (void *)1 : NULL;
}

/* ------------------------------------------------------------ tls */

static phonesec_tls_ctx *g_cctx, *g_sctx;

static void *tls_thread(void *arg)
{
    int k, bad = 0;
    (void)arg;
    pthread_barrier_wait(&g_start);
    for (k = 0; k < g_rounds && !bad; k++)
        if (tu_exchange(g_cctx, g_sctx) != 0)
            bad = 1;
    return bad ? (void *)1 : NULL;
}

/* ------------------------------------------------------------ mediasec */

static phonesec_mediasec_list *g_srv_list;
static char g_srv_hdr[512];

static const char REG[] = "REGISTER sip:sip.test SIP/2.0\r\nVia: SIP/2.0/TLS 192.0.2.1;branch=z9hG4bK1\r\n"
                          "CSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";

/* Each thread: its own client negotiation against the one shared server
 * list (read-only), checked with phonesec_mediasec_server_check(). */
static void *mediasec_thread(void *arg)
{
    char req[2048], resp[2048], hdr[512];
    size_t n, hn;
    int k, bad = 0, status;
    (void)arg;
    pthread_barrier_wait(&g_start);
    for (k = 0; k < 50 * g_rounds && !bad; k++) {
        phonesec_mediasec_config c;
        phonesec_mediasec *ms = NULL;
        phonesec_mediasec_config_init(&c);
        c.client_initiated = 1;
        status = -1;
        if (phonesec_mediasec_new(&c, &ms) != 0 || phonesec_mediasec_reset(ms, 1) != 0 ||
            phonesec_mediasec_prepare_request(ms, REG, sizeof REG - 1, req, sizeof req, &n) != 0 ||
            phonesec_mediasec_list_print(g_srv_list, "Security-Server", PHONESEC_MEDIASEC_STYLE_SINGLE, hdr,
                                         sizeof hdr, &hn) != 0 ||
            strcmp(hdr, g_srv_hdr) != 0)
            bad = 1;
        if (!bad) {
            snprintf(resp, sizeof resp, "SIP/2.0 401 Unauthorized\r\nCSeq: 1 REGISTER\r\n%sContent-Length: 0\r\n\r\n",
                     hdr);
            if (phonesec_mediasec_on_response(ms, resp, strlen(resp)) != 0 ||
                phonesec_mediasec_prepare_request(ms, REG, sizeof REG - 1, req, sizeof req, &n) != 0 ||
                phonesec_mediasec_server_check(g_srv_list, req, n, &status) != 0 || status != 0 ||
                phonesec_mediasec_list_equal(g_srv_list, phonesec_mediasec_server_list(ms)) != PHONESEC_OK)
                bad = 1;
        }
        phonesec_mediasec_free(ms);
    }
    return bad ? (void *)1 : NULL;
}

/* ------------------------------------------------------------ sdes */

static const char SDP_A[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                            "m=audio 4000 RTP/AVP 0\r\n";
static const char SDP_B[] = "v=0\r\no=- 2 2 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n"
                            "m=audio 5000 RTP/AVP 0\r\n";

/* Each thread: offer/answer between two states of its own, from one shared
 * policy (read-only); the keys must pair up. */
static phonesec_sdes_policy g_pol;

static void *sdes_thread(void *arg)
{
    char offer[2048], answer[2048];
    size_t on, an;
    int k, bad = 0;
    (void)arg;
    pthread_barrier_wait(&g_start);
    for (k = 0; k < 50 * g_rounds && !bad; k++) {
        phonesec_sdes *a = NULL, *b = NULL;
        phonesec_srtp_params ao, bi;
        phonesec_srtp_params_init(&ao);
        phonesec_srtp_params_init(&bi);
        if (phonesec_sdes_new(&g_pol, &a) != 0 || phonesec_sdes_new(&g_pol, &b) != 0 ||
            phonesec_sdes_offer(a, SDP_A, sizeof SDP_A - 1, offer, sizeof offer, &on) != 0 ||
            phonesec_sdes_answer(b, offer, on) != 0 ||
            phonesec_sdes_answer_sdp(b, SDP_B, sizeof SDP_B - 1, answer, sizeof answer, &an) != 0 ||
            phonesec_sdes_accept_answer(a, answer, an) != 0 ||
            phonesec_sdes_params(a, 0, PHONESEC_SDES_OUTBOUND, &ao) != 0 ||
            phonesec_sdes_params(b, 0, PHONESEC_SDES_INBOUND, &bi) != 0 || ao.keys[0].key_len == 0 ||
            ao.keys[0].key_len != bi.keys[0].key_len ||
            memcmp(ao.keys[0].key, bi.keys[0].key, ao.keys[0].key_len) != 0)
            bad = 1;
        phonesec_srtp_params_wipe(&ao);
        phonesec_srtp_params_wipe(&bi);
        phonesec_sdes_free(a);
        phonesec_sdes_free(b);
    }
    return bad ? (void *)1 : NULL;
}

/* ------------------------------------------------------------ driver */

int main(int argc, char **argv)
{
    pthread_t th[64];
    void *(*fn)(void *) = NULL;
    int n = argc > 2 ? atoi(argv[2]) : 0, i, failed = 0;

    if (argc < 3 || n < 1 || n > 64) {
        fprintf(stderr, "usage: test_threads srtp|ciphers|tls|mediasec|sdes N (1..64)\n");
        return 2;
    }
    if (getenv("PHONESEC_THREAD_ROUNDS") != NULL)
        g_rounds = atoi(getenv("PHONESEC_THREAD_ROUNDS"));
    if (strcmp(argv[1], "srtp") == 0) {
        fn = srtp_thread;
    } else if (strcmp(argv[1], "ciphers") == 0) {
        size_t s;
        for (s = 0; s < NSTR; s++)
            g_ref_rc[s] = select_one(s, g_ref[s], &g_ref_n[s]);
        CHECK(g_ref_rc[0] == 0 && g_ref_n[0] > 0);
        fn = ciphers_thread;
    } else if (strcmp(argv[1], "mediasec") == 0) {
        static const char list[] = "sdes-srtp;mediasec, tls;q=0.1";
        size_t hn;
        CHECK(phonesec_mediasec_list_new(&g_srv_list) == 0);
        CHECK(phonesec_mediasec_list_parse(g_srv_list, list, sizeof list - 1) == 0);
        CHECK(phonesec_mediasec_list_print(g_srv_list, "Security-Server", PHONESEC_MEDIASEC_STYLE_SINGLE, g_srv_hdr,
                                           sizeof g_srv_hdr, &hn) == 0);
        fn = mediasec_thread;
    } else if (strcmp(argv[1], "sdes") == 0) {
        phonesec_sdes_policy_init(&g_pol);
        g_pol.mode = PHONESEC_SDES_MANDATORY;
        fn = sdes_thread;
    } else if (strcmp(argv[1], "tls") == 0) {
        CHECK(make_certs() == 0);
        /* the first context initialises wolfSSL: before the threads */
        CHECK(tu_contexts(&g_cctx, &g_sctx) == 0);
        fn = tls_thread;
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    CHECK(pthread_barrier_init(&g_start, NULL, (unsigned)n) == 0);
    for (i = 0; i < n; i++)
        CHECK(pthread_create(&th[i], NULL, fn, (void *)(uintptr_t)i) == 0);
    for (i = 0; i < n; i++) {
        void *res = NULL;
        CHECK(pthread_join(th[i], &res) == 0);
        if (res != NULL) {
            fprintf(stderr, "%s: thread %d of %d got a wrong result\n", argv[1], i, n);
            failed = 1;
        }
    }
    pthread_barrier_destroy(&g_start);
    phonesec_mediasec_list_free(g_srv_list);
    if (g_cctx != NULL) {
        phonesec_tls_ctx_free(g_cctx);
        phonesec_tls_ctx_free(g_sctx);
        remove_certs();
    }
    phonesec_thread_cleanup();
    printf("%s: %d threads, %d rounds each: %s\n", argv[1], n, g_rounds, failed ? "FAILED" : "all results right");
    return failed;
}
