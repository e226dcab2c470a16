/* Out-of-memory sweep (issue 17): every module's end-to-end scenario is run
 * once to count its allocations, then again with the N-th allocation failing,
 * for every N (sampled when a scenario makes more than OOM_MAX_POINTS). With
 * wolfSSL's own allocations routed through the same hook
 * (phonesec_tls_route_backend_memory()), failures land inside wolfSSL too.
 *
 * A point "holds" when:
 *  - nothing crashed (the sanitizer builds catch memory errors);
 *  - every byte allocated during the run was freed once the scenario freed
 *    its objects (the per-thread backend state is released first with
 *    phonesec_thread_cleanup(), so the FP-ECC cache does not count);
 *  - the scenario either succeeded with every result verified (the library
 *    recovered) or failed, and then the failure was reported as
 *    PHONESEC_E_NOMEM by the call whose allocation failed (two-party
 *    scenarios: by one of the parties);
 *  - no partial output: a failed file write leaves no file behind, and a
 *    successful one was made durable (file and directory fsync).
 *
 * usage: oom_sweep SCENARIO [max-points] [--lenient|--backend-loss-ok] [--first] [--known NAME]   (scenarios: table at the end)
 * --lenient counts, but lets pass, two kinds of point the TLS scenarios have
 * today: out of memory reported as another error (issue 17, being fixed in
 * lib/tls/conn.c and ctx.c), and a block lost inside wolfSSL when wolfSSL
 * recovered from the failure by itself (a backend bug our code cannot
 * reach). --known NAME lets the wrong success of one named finding pass
 * (counted): 'peer-cert' (issue 17: a failed copy of the peer certificate
 * is ignored; being fixed in lib/tls/conn.c). Crashes, other wrong
 * successes and our own leaks always fail.
 * --backend-loss-ok lets only the second kind pass: every out-of-memory
 * failure must be reported as PHONESEC_E_NOMEM.
 * --first stops at the first point that does not hold (the expected-fail
 * variants: quick while they fail).
 * Prints points tried and held. Exit 0 when every point held, 1 otherwise,
 * 77 (skip) for an unknown scenario. */
#define _GNU_SOURCE
#include "support.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "memtransport.h"
#include "thread_util.h"

#ifndef OOM_MAX_POINTS
#define OOM_MAX_POINTS 2500
#endif

/* ------------------------------------------------------------ fsync spy */

/* The test links the static library, so its fsync() calls land here. */
static int g_fsync_files, g_fsync_dirs;
int fsync(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            g_fsync_dirs++;
        else
            g_fsync_files++;
    }
    return (int)syscall(SYS_fsync, fd);
}

/* ------------------------------------------------------------ result of one run */

/* A scenario returns PHONESEC_OK after verifying every result, or the error
 * it met. It sets g_nomem_seen when any call reported PHONESEC_E_NOMEM, and
 * g_wrong with a description when a result was wrong (a wrong success). */
static int g_nomem_seen;
static const char *g_wrong;
static const char *g_wrong_id; /* short name of a known finding, or NULL */

static int note(int rc)
{
    if (rc == PHONESEC_E_NOMEM)
        g_nomem_seen = 1;
    return rc;
}
#define NOTE(call) note(call)
#define WRONG(what) (g_wrong = (what), g_wrong_id = NULL, PHONESEC_E_INTERNAL)
/* A wrong success that is a known, named finding (see --known). */
#define WRONG_KNOWN(id, what) (g_wrong = (what), g_wrong_id = (id), PHONESEC_E_INTERNAL)

/* ------------------------------------------------------------ ciphers */

static uint16_t g_ciphers_ref[512];
static size_t g_ciphers_ref_n;
static WOLFSSL_CTX *g_wctx;

static int setup_ciphers(void)
{
    g_wctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
    return g_wctx != NULL ? 0 : -1;
}

static void teardown_ciphers(void)
{
    wolfSSL_CTX_free(g_wctx);
}

static int sc_ciphers(void)
{
    uint16_t codes[512];
    size_t n = 0;
    phonesec_ciphers_options o = PHONESEC_CIPHERS_OPTIONS_INIT;
    int rc = NOTE(phonesec_ciphers_select_ex("ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:!aNULL:@STRENGTH", &o, codes,
                                             512, &n, NULL));
    if (rc == 0)
        rc = NOTE(phonesec_ciphers_select_tls13("TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256", codes + n,
                                                512 - n, &n));
    if (rc == 0)
        rc = NOTE(phonesec_ciphers_apply_wolfssl(g_wctx, codes, n));
    if (rc != 0)
        return rc;
    if (g_ciphers_ref_n == 0) {
        memcpy(g_ciphers_ref, codes, n * sizeof codes[0]);
        g_ciphers_ref_n = n;
    }
    if (n != g_ciphers_ref_n || memcmp(codes, g_ciphers_ref, n * sizeof codes[0]) != 0)
        return WRONG("cipher selection differs from the run without failure");
    return 0;
}

/* ------------------------------------------------------------ tls */

static phonesec_tls_ctx *g_cctx, *g_sctx;
static uint8_t *g_crl, *g_ca, *g_crt, *g_key;
static size_t g_crl_len, g_ca_len, g_crt_len, g_key_len;

static int g_with_crl;

/* Context set-up: everything a phone loads (tls_crl: and a CRL). */
static int sc_tls_ctx(void)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *c = NULL, *s = NULL;
    int rc;
    phonesec_tls_config_init(&cfg);
    rc = NOTE(phonesec_tls_ctx_new(&cfg, &c));
    if (rc == 0)
        rc = NOTE(phonesec_tls_ctx_add_trusted(c, g_ca, g_ca_len, PHONESEC_TLS_FORMAT_AUTO));
    if (rc == 0 && g_with_crl)
        rc = NOTE(phonesec_tls_ctx_add_crl(c, g_crl, g_crl_len, PHONESEC_TLS_FORMAT_AUTO));
    if (rc == 0)
        rc = NOTE(phonesec_tls_ctx_set_ciphers(c, "ECDHE+AESGCM", NULL, NULL));
    cfg.role = PHONESEC_TLS_SERVER;
    if (rc == 0)
        rc = NOTE(phonesec_tls_ctx_new(&cfg, &s));
    if (rc == 0)
        rc = NOTE(phonesec_tls_ctx_set_certificate(s, g_crt, g_crt_len, g_key, g_key_len, PHONESEC_TLS_FORMAT_AUTO));
    if (rc == 0 && (phonesec_tls_ctx_trusted_count(c) != 1 || !phonesec_tls_ctx_has_certificate(s)))
        rc = WRONG("context reports success without its trust list or certificate");
    if (rc == 0) {
        /* and the contexts really work: a connection, with no failure
         * injected and its allocations not counted as points */
        long calls = test_alloc_calls, fail_at = test_alloc_fail_at;
        test_alloc_fail_at = 0;
        rc = tu_exchange(c, s);
        test_alloc_calls = calls;
        test_alloc_fail_at = fail_at;
        if (rc != 0)
            rc = WRONG("contexts built under failure cannot make a connection");
    }
    phonesec_tls_ctx_free(c);
    phonesec_tls_ctx_free(s);
    return rc;
}

/* Handshake, data both ways, close; every step checked. Both parties use
 * the hook, so a failure lands in one of them: that one must say NOMEM. */
static int sc_tls_exchange(void)
{
    phonesec_tls_conn_config cc;
    phonesec_tls_conn *c = NULL, *s = NULL;
    phonesec_tls_info ic = PHONESEC_TLS_INFO_INIT;
    size_t w, n;
    int rc, rs = 0;
    uint8_t b[64];

    phonesec_tls_conn_config_init(&cc);
    cc.reference_name = "sip.example.com";
    rc = NOTE(phonesec_tls_conn_new(g_cctx, &cc, &c));
    if (rc == 0)
        rc = NOTE(phonesec_tls_conn_new(g_sctx, NULL, &s));
    if (rc == 0) {
        rc = NOTE(pump(c, s, &rs));
        (void)NOTE(rs);
        if (rc == 0 && rs != 0)
            rc = rs;
        if (rc == 0 && (!phonesec_tls_conn_is_established(c) || !phonesec_tls_conn_is_established(s)))
            rc = WRONG("handshake said OK but a side is not established");
    }
    if (rc == 0) {
        size_t need = 0;
        ic.version = PHONESEC_TLS_INFO_VERSION;
        if (phonesec_tls_conn_info(c, &ic) != 0)
            rc = WRONG("no info after a successful handshake");
        else if (ic.chain != PHONESEC_TLS_CHECK_PASSED || ic.name != PHONESEC_TLS_CHECK_PASSED)
            rc = WRONG("handshake succeeded without both checks passed");
        else if (!ic.peer_cert || strstr(ic.peer_subject, "sip.example.com") == NULL)
            rc = WRONG("handshake succeeded without the peer certificate's subject");
        else if (phonesec_tls_conn_peer_cert(c, NULL, 0, &need) != PHONESEC_E_BUFFER_SMALL || need == 0)
            rc = WRONG_KNOWN("peer-cert", "info says peer_cert = 1 but the certificate is gone");
    }
    if (rc == 0)
        rc = NOTE(phonesec_tls_conn_write(c, (const uint8_t *)"REGISTER", 8, &w));
    if (rc == 0 && w != 8)
        rc = WRONG("short write");
    if (rc == 0)
        rc = NOTE(tu_move(c, s));
    if (rc == 0)
        rc = NOTE(phonesec_tls_conn_read(s, b, sizeof b, &n));
    if (rc == 0 && (n != 8 || memcmp(b, "REGISTER", 8) != 0))
        rc = WRONG("server read other bytes than the client wrote");
    if (rc == 0)
        rc = NOTE(phonesec_tls_conn_write(s, (const uint8_t *)"200 OK", 6, &w));
    if (rc == 0)
        rc = NOTE(tu_move(s, c));
    if (rc == 0)
        rc = NOTE(phonesec_tls_conn_read(c, b, sizeof b, &n));
    if (rc == 0 && (n != 6 || memcmp(b, "200 OK", 6) != 0))
        rc = WRONG("client read other bytes than the server wrote");
    if (rc == 0)
        rc = NOTE(phonesec_tls_conn_close(c));
    if (rc == 0)
        rc = NOTE(tu_move(c, s));
    if (rc == 0) {
        rc = NOTE(phonesec_tls_conn_read(s, b, sizeof b, &n));
        if (rc == PHONESEC_E_CLOSED)
            rc = 0;
        else if (rc == 0)
            rc = WRONG("data instead of close_notify");
    }
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    return rc;
}

/* ------------------------------------------------------------ flow */

static const char REG[] = "REGISTER sip:sip.test SIP/2.0\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
static const char OK200[] = "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
static char g_flow_got[512];
static size_t g_flow_got_len;
static int g_flow_events_bad;

static void flow_msg(void *ud, const uint8_t *m, size_t n)
{
    (void)ud;
    if (g_flow_got_len + n < sizeof g_flow_got) {
        memcpy(g_flow_got + g_flow_got_len, m, n);
        g_flow_got_len += n;
    }
}

static void flow_event(void *ud, const phonesec_flow_event *e)
{
    (void)ud;
    (void)e;
}

/* Connect, register (request out, response in), close. The flow retries a
 * failed attempt by itself: time moves on the fake clock until it is up. */
static int sc_flow(void)
{
    mt_world *w = calloc(1, sizeof *w);
    phonesec_flow_config c;
    phonesec_flow *f = NULL;
    mt_conn *mc;
    char sent[512];
    int rc, i;

    if (w == NULL)
        return PHONESEC_E_INTERNAL;
    mt_init(w);
    g_flow_got_len = 0;
    g_flow_events_bad = 0;
    phonesec_flow_config_init(&c);
    c.transport = &mt_transport;
    c.transport_user = w;
    c.message_cb = flow_msg;
    c.event_cb = flow_event;
    rc = NOTE(phonesec_flow_new(&c, &f));
    if (rc == 0)
        rc = NOTE(phonesec_flow_start(f));
    for (i = 0; rc == 0 && i < 50 && phonesec_flow_state(f) != PHONESEC_FLOW_UP; i++) {
        int64_t t = phonesec_flow_next_timeout_ms(f);
        if (t < 0)
            break;
        test_clock_now += (uint64_t)t;
        rc = NOTE(phonesec_flow_tick(f));
    }
    if (rc == 0 && phonesec_flow_state(f) != PHONESEC_FLOW_UP)
        rc = WRONG("flow never came up after one allocation failure");
    if (rc == 0)
        rc = NOTE(phonesec_flow_send(f, (const uint8_t *)REG, sizeof REG - 1));
    if (rc == 0) {
        mc = (mt_conn *)phonesec_flow_connection(f, 0);
        if (mc == NULL || mt_take(mc, sent, sizeof sent) != sizeof REG - 1 || strcmp(sent, REG) != 0)
            rc = WRONG("the server did not get the REGISTER intact");
        else {
            mt_push(mc, OK200, sizeof OK200 - 1);
            rc = NOTE(phonesec_flow_on_io(f));
        }
    }
    if (rc == 0 && (g_flow_got_len != sizeof OK200 - 1 || memcmp(g_flow_got, OK200, g_flow_got_len) != 0))
        rc = WRONG("the response did not reach the message callback intact");
    if (rc == 0)
        rc = NOTE(phonesec_flow_stop(f));
    phonesec_flow_free(f);
    mt_cleanup(w);
    free(w);
    return rc;
}

/* ------------------------------------------------------------ sdes */

static const char SDP_A[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                            "m=audio 4000 RTP/AVP 0 8\r\nm=video 4002 RTP/AVP 96\r\n";
static const char SDP_B[] = "v=0\r\no=- 2 2 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n"
                            "m=audio 5000 RTP/AVP 0 8\r\nm=video 5002 RTP/AVP 96\r\n";

static int same_key(const phonesec_srtp_params *a, const phonesec_srtp_params *b)
{
    return a->suite == b->suite && a->n_keys == b->n_keys && a->n_keys >= 1 &&
           a->keys[0].key_len == b->keys[0].key_len && a->keys[0].key_len > 0 &&
           memcmp(a->keys[0].key, b->keys[0].key, a->keys[0].key_len) == 0 &&
           a->keys[0].salt_len == b->keys[0].salt_len &&
           memcmp(a->keys[0].salt, b->keys[0].salt, a->keys[0].salt_len) == 0;
}

static int sc_sdes(void)
{
    phonesec_sdes_policy pol;
    phonesec_sdes *a = NULL, *b = NULL;
    static char offer[4096], answer[4096];
    size_t on = 0, an = 0, idx;
    int rc;

    phonesec_sdes_policy_init(&pol);
    pol.mode = PHONESEC_SDES_MANDATORY;
    rc = NOTE(phonesec_sdes_new(&pol, &a));
    if (rc == 0)
        rc = NOTE(phonesec_sdes_new(&pol, &b));
    if (rc == 0)
        rc = NOTE(phonesec_sdes_offer(a, SDP_A, sizeof SDP_A - 1, offer, sizeof offer, &on));
    if (rc == 0)
        rc = NOTE(phonesec_sdes_answer(b, offer, on));
    if (rc == 0)
        rc = NOTE(phonesec_sdes_answer_sdp(b, SDP_B, sizeof SDP_B - 1, answer, sizeof answer, &an));
    if (rc == 0)
        rc = NOTE(phonesec_sdes_accept_answer(a, answer, an));
    for (idx = 0; rc == 0 && idx < 2; idx++) {
        phonesec_srtp_params ao, ai, bo, bi;
        phonesec_srtp_params_init(&ao);
        phonesec_srtp_params_init(&ai);
        phonesec_srtp_params_init(&bo);
        phonesec_srtp_params_init(&bi);
        rc = NOTE(phonesec_sdes_params(a, idx, PHONESEC_SDES_OUTBOUND, &ao));
        if (rc == 0)
            rc = NOTE(phonesec_sdes_params(a, idx, PHONESEC_SDES_INBOUND, &ai));
        if (rc == 0)
            rc = NOTE(phonesec_sdes_params(b, idx, PHONESEC_SDES_OUTBOUND, &bo));
        if (rc == 0)
            rc = NOTE(phonesec_sdes_params(b, idx, PHONESEC_SDES_INBOUND, &bi));
        if (rc == 0 && (!same_key(&ao, &bi) || !same_key(&bo, &ai)))
            rc = WRONG("offerer and answerer keys do not pair up");
        phonesec_srtp_params_wipe(&ao);
        phonesec_srtp_params_wipe(&ai);
        phonesec_srtp_params_wipe(&bo);
        phonesec_srtp_params_wipe(&bi);
    }
    if (rc == 0 && (phonesec_sdes_section_count(a) != 2 || phonesec_sdes_section_count(b) != 2))
        rc = WRONG("section count");
    phonesec_sdes_free(a);
    phonesec_sdes_free(b);
    return rc;
}

/* ------------------------------------------------------------ srtp */

static size_t rtp_packet(uint8_t *p, uint16_t seq, uint32_t ssrc, size_t payload)
{
    size_t i;
    p[0] = 0x80;
    p[1] = 0;
    p[2] = (uint8_t)(seq >> 8);
    p[3] = (uint8_t)seq;
    p[4] = p[5] = p[6] = 0;
    p[7] = (uint8_t)seq;
    p[8] = (uint8_t)(ssrc >> 24);
    p[9] = (uint8_t)(ssrc >> 16);
    p[10] = (uint8_t)(ssrc >> 8);
    p[11] = (uint8_t)ssrc;
    for (i = 0; i < payload; i++)
        p[12 + i] = (uint8_t)(i * 7 + seq);
    return 12 + payload;
}

static int sc_srtp(void)
{
    phonesec_srtp_params p;
    phonesec_srtp *tx = NULL, *rx = NULL;
    uint8_t pkt[256], prot[512], out[512];
    size_t len, n, m;
    int rc, i;

    phonesec_srtp_params_init(&p);
    p.suite = PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80;
    p.n_keys = 1;
    p.keys[0].key_len = 16;
    p.keys[0].salt_len = 14;
    for (i = 0; i < 16; i++)
        p.keys[0].key[i] = (uint8_t)(i + 1);
    for (i = 0; i < 14; i++)
        p.keys[0].salt[i] = (uint8_t)(0xa0 + i);
    rc = NOTE(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_OUTBOUND, 0, &tx));
    if (rc == 0)
        rc = NOTE(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &rx));
    for (i = 0; rc == 0 && i < 4; i++) {
        len = rtp_packet(pkt, (uint16_t)(100 + i), 0x11223344u + (uint32_t)(i & 1), 160);
        rc = NOTE(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n));
        if (rc == 0 && (n <= len || memcmp(prot + 12, pkt + 12, 16) == 0))
            rc = WRONG("protect did not encrypt");
        if (rc == 0)
            rc = NOTE(phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m));
        if (rc == 0 && (m != len || memcmp(out, pkt, len) != 0))
            rc = WRONG("unprotect gave other bytes");
        if (rc == 0 && phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m) != PHONESEC_E_REPLAY)
            rc = WRONG("a replay was accepted");
    }
    if (rc == 0) {
        /* RTCP sender report header + a few bytes */
        static const uint8_t rtcp[] = {0x80, 200, 0, 6, 0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4, 5, 6, 7, 8,
                                       9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24};
        rc = NOTE(phonesec_srtp_protect_rtcp(tx, rtcp, sizeof rtcp, prot, sizeof prot, &n));
        if (rc == 0)
            rc = NOTE(phonesec_srtp_unprotect_rtcp(rx, prot, n, out, sizeof out, &m));
        if (rc == 0 && (m != sizeof rtcp || memcmp(out, rtcp, m) != 0))
            rc = WRONG("RTCP round trip gave other bytes");
    }
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
    phonesec_srtp_params_wipe(&p);
    return rc;
}

/* ------------------------------------------------------------ mediasec */

static const char MS_REG[] = "REGISTER sip:sip.test SIP/2.0\r\nVia: SIP/2.0/TLS 192.0.2.1;branch=z9hG4bK1\r\n"
                             "CSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
static const char MS_SERVER_LIST[] = "sdes-srtp;mediasec, tls;q=0.1";

static int sc_mediasec(void)
{
    phonesec_mediasec_config c;
    phonesec_mediasec *ms = NULL;
    phonesec_mediasec_list *srv = NULL;
    static char req[4096], resp[4096], hdr[1024];
    size_t n = 0, hn = 0;
    int rc, status = -1;

    phonesec_mediasec_config_init(&c);
    c.client_initiated = 1;
    rc = NOTE(phonesec_mediasec_new(&c, &ms));
    if (rc == 0)
        rc = NOTE(phonesec_mediasec_reset(ms, 1));
    /* client: first REGISTER with Security-Client */
    if (rc == 0)
        rc = NOTE(phonesec_mediasec_prepare_request(ms, MS_REG, sizeof MS_REG - 1, req, sizeof req, &n));
    if (rc == 0 && strstr(req, "Security-Client:") == NULL)
        rc = WRONG("first REGISTER without Security-Client");
    /* server: its list, a 401 carrying it */
    if (rc == 0)
        rc = NOTE(phonesec_mediasec_list_new(&srv));
    if (rc == 0)
        rc = NOTE(phonesec_mediasec_list_parse(srv, MS_SERVER_LIST, sizeof MS_SERVER_LIST - 1));
    if (rc == 0)
        rc = NOTE(phonesec_mediasec_list_print(srv, "Security-Server", PHONESEC_MEDIASEC_STYLE_SINGLE, hdr,
                                               sizeof hdr, &hn));
    if (rc == 0) {
        snprintf(resp, sizeof resp,
                 "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/TLS 192.0.2.1;branch=z9hG4bK1\r\nCSeq: 1 REGISTER\r\n"
                 "%sContent-Length: 0\r\n\r\n", hdr);
        rc = NOTE(phonesec_mediasec_on_response(ms, resp, strlen(resp)));
    }
    if (rc == 0 && phonesec_mediasec_state(ms) != PHONESEC_MEDIASEC_ST_AGREED)
        rc = WRONG("not agreed after the server's list");
    /* client: second REGISTER carries Security-Verify; the server checks it */
    if (rc == 0)
        rc = NOTE(phonesec_mediasec_prepare_request(ms, MS_REG, sizeof MS_REG - 1, req, sizeof req, &n));
    if (rc == 0)
        rc = NOTE(phonesec_mediasec_server_check(srv, req, n, &status));
    if (rc == 0 && status != 0)
        rc = WRONG("the server refused the Security-Verify the client sent");
    if (rc == 0 && !(phonesec_mediasec_media_policy(ms) & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED))
        rc = WRONG("sdes-srtp agreed but not required for media");
    phonesec_mediasec_list_free(srv);
    phonesec_mediasec_free(ms);
    return rc;
}

/* ------------------------------------------------------------ cfgcrypt */

static const char PLAIN[] = "#!version:1.0.0.1\naccount.1.enable = 1\naccount.1.password = hunter2\n"
                            "static.security.trust_certificates = 1\n";

static int cfg_run(phonesec_cfgcrypt_params *p, int enc, const uint8_t *in, size_t in_len, uint8_t *out,
                   size_t cap, size_t *out_len)
{
    phonesec_cfgcrypt_ctx *ctx = NULL;
    size_t n1 = 0, n2 = 0;
    int rc = NOTE(enc ? phonesec_cfgcrypt_encrypt_new(p, &ctx) : phonesec_cfgcrypt_decrypt_new(p, &ctx));
    if (rc == 0 && phonesec_cfgcrypt_bound(ctx, in_len) > cap)
        rc = PHONESEC_E_INTERNAL;
    if (rc == 0)
        rc = NOTE(phonesec_cfgcrypt_update(ctx, in, in_len, out, cap, &n1));
    if (rc == 0)
        rc = NOTE(phonesec_cfgcrypt_final(ctx, out + n1, cap - n1, &n2));
    phonesec_cfgcrypt_free(ctx);
    *out_len = n1 + n2;
    return rc;
}

static int sc_cfgcrypt(void)
{
    static const uint8_t ikm[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    static const uint8_t pw[] = "correct horse";
    static uint8_t ct[8192], pt[8192];
    size_t cn, pn;
    phonesec_cfgcrypt_params p;
    int rc, fmt;

    for (fmt = 0; fmt < 2; fmt++) {
        phonesec_cfgcrypt_params_init(&p);
        if (fmt == 0) {
            p.format = PHONESEC_CFGCRYPT_RFC8188;
            p.key = ikm;
            p.key_len = sizeof ikm;
            p.record_size = 64; /* several records */
        } else {
            p.format = PHONESEC_CFGCRYPT_OPENSSL;
            p.kdf = PHONESEC_CFGCRYPT_KDF_PBKDF2;
            p.iterations = 1000;
            p.base64 = 1;
            p.password = pw;
            p.password_len = sizeof pw - 1;
        }
        rc = cfg_run(&p, 1, (const uint8_t *)PLAIN, sizeof PLAIN - 1, ct, sizeof ct, &cn);
        if (rc == 0)
            rc = cfg_run(&p, 0, ct, cn, pt, sizeof pt, &pn);
        if (rc == 0 && (pn != sizeof PLAIN - 1 || memcmp(pt, PLAIN, pn) != 0))
            return WRONG("decrypt(encrypt(x)) != x");
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The file helper: atomic write, durable (file and directory fsync), and
 * nothing left behind on failure. */
static char g_dir[64], g_in[128], g_out[128];

static int dir_entries(void)
{
    DIR *d = opendir(g_dir);
    struct dirent *e;
    int n = 0;
    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static int sc_cfgfile(void)
{
    static const uint8_t ikm[16] = {16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    phonesec_cfgcrypt_params p;
    char err[256];
    int rc;

    unlink(g_out);
    g_fsync_files = g_fsync_dirs = 0;
    phonesec_cfgcrypt_params_init(&p);
    p.format = PHONESEC_CFGCRYPT_RFC8188;
    p.key = ikm;
    p.key_len = sizeof ikm;
    rc = NOTE(phonesec_cfgcrypt_file(&p, 1, g_in, g_out, NULL, NULL, err, sizeof err));
    if (rc != 0) {
        if (dir_entries() != 1)
            return WRONG("a failed write left a file behind");
        return rc;
    }
    if (g_fsync_files < 1 || g_fsync_dirs < 1)
        return WRONG("the output was written without fsync of the file and of its directory");
    if (dir_entries() != 2)
        return WRONG("temporary file left next to the output");
    /* decrypt it back, to a second file */
    {
        char back[140];
        FILE *f;
        char buf[512];
        size_t n;
        snprintf(back, sizeof back, "%s.back", g_out);
        rc = NOTE(phonesec_cfgcrypt_file(&p, 0, g_out, back, NULL, NULL, err, sizeof err));
        if (rc != 0) {
            if (dir_entries() != 2)
                return WRONG("a failed decrypt left a file behind");
            return rc;
        }
        f = fopen(back, "rb");
        n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        unlink(back);
        if (n != sizeof PLAIN - 1 || memcmp(buf, PLAIN, n) != 0)
            return WRONG("the file does not decrypt to the input");
    }
    return 0;
}

static int setup_cfgfile(void)
{
    FILE *f;
    snprintf(g_dir, sizeof g_dir, "/tmp/phonesec-oom-XXXXXX");
    if (mkdtemp(g_dir) == NULL)
        return -1;
    snprintf(g_in, sizeof g_in, "%s/in.cfg", g_dir);
    snprintf(g_out, sizeof g_out, "%s/out.enc", g_dir);
    f = fopen(g_in, "wb");
    if (f == NULL || fwrite(PLAIN, 1, sizeof PLAIN - 1, f) != sizeof PLAIN - 1)
        return -1;
    return fclose(f);
}

static void teardown_cfgfile(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", g_dir);
}

/* ------------------------------------------------------------ driver */

static int setup_tls(void)
{
    if (make_certs() != 0)
        return -1;
    g_ca = slurp("ca.crt", &g_ca_len);
    g_crl = slurp("ca.crl", &g_crl_len);
    g_crt = slurp("server.crt", &g_crt_len);
    g_key = slurp("server.key", &g_key_len);
    if (!g_ca || !g_crl || !g_crt || !g_key)
        return -1;
    return tu_contexts(&g_cctx, &g_sctx);
}

static int setup_tls_crl(void)
{
    g_with_crl = 1;
    return setup_tls();
}

static void teardown_tls(void)
{
    phonesec_tls_ctx_free(g_cctx);
    phonesec_tls_ctx_free(g_sctx);
    free(g_ca);
    free(g_crl);
    free(g_crt);
    free(g_key);
    remove_certs();
}

typedef struct {
    const char *name;
    int (*run)(void);
    int (*setup)(void);
    void (*teardown)(void);
} scenario;

static const scenario scenarios[] = {
    {"ciphers", sc_ciphers, setup_ciphers, teardown_ciphers},
    {"tls_ctx", sc_tls_ctx, setup_tls, teardown_tls},
    {"tls_crl", sc_tls_ctx, setup_tls_crl, teardown_tls},
    {"tls_exchange", sc_tls_exchange, setup_tls, teardown_tls},
    {"flow", sc_flow, NULL, NULL},
    {"sdes", sc_sdes, NULL, NULL},
    {"srtp", sc_srtp, NULL, NULL},
    {"mediasec", sc_mediasec, NULL, NULL},
    {"cfgcrypt", sc_cfgcrypt, NULL, NULL},
    {"cfgfile", sc_cfgfile, setup_cfgfile, teardown_cfgfile},
};

/* The i-th of `points` allocation numbers to fail out of `total`: all of
 * them when they fit; otherwise the first 300 (set-up paths), the last 100
 * (tear-down and close) and an even spread in between. */
static long point(long i, long points, long total)
{
    long head = 300, tail = 100, mid;
    if (total <= points)
        return i + 1;
    if (i < head)
        return i + 1;
    if (i >= points - tail)
        return total - (points - i) + 1;
    mid = points - head - tail;
    return head + 1 + (i - head) * (total - head - tail) / mid;
}

int main(int argc, char **argv)
{
    const scenario *sc = NULL;
    phonesec_platform p;
    long total, points, i, held = 0, leaks = 0, wrong = 0, misreported = 0, recovered = 0, unreached = 0;
    long base, base_bytes, backend_leaks = 0, max_points = OOM_MAX_POINTS;
    int lenient = 0, first = 0, backend_ok = 0;
    const char *known = NULL;
    long known_seen = 0;
    size_t k;
    int rc;

    for (i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--lenient") == 0)
            lenient = backend_ok = 1;
        else if (strcmp(argv[i], "--backend-loss-ok") == 0)
            backend_ok = 1;
        else if (strcmp(argv[i], "--first") == 0)
            first = 1;
        else if (strcmp(argv[i], "--known") == 0 && i + 1 < argc)
            known = argv[++i];
        else
            max_points = atol(argv[i]);
    }
    for (k = 0; argc > 1 && k < sizeof scenarios / sizeof scenarios[0]; k++)
        if (strcmp(argv[1], scenarios[k].name) == 0)
            sc = &scenarios[k];
    if (sc == NULL) {
        fprintf(stderr, "usage: oom_sweep SCENARIO [max-points] [--lenient|--backend-loss-ok] [--first] [--known NAME]\n");
        return 77;
    }
    phonesec_platform_init(&p);
    p.malloc_fn = test_malloc_hook;
    p.realloc_fn = test_realloc_hook;
    p.free_fn = test_free_hook;
    p.clock_ms_fn = test_clock;
    CHECK(phonesec_init(&p) == 0);
    CHECK(phonesec_tls_route_backend_memory() == 0);
    CHECK(sc->setup == NULL || sc->setup() == 0);

    /* warm-up: process-wide caches (wolfSSL's session cache rows...) settle */
    for (i = 0; i < 3; i++) {
        g_wrong = NULL;
        rc = sc->run();
        if (rc != 0 || g_wrong != NULL) {
            fprintf(stderr, "%s: fails without any allocation failure: %s (%s)\n", sc->name, phonesec_strerror(rc),
                    g_wrong ? g_wrong : "");
            return 1;
        }
    }
    CHECK(phonesec_thread_cleanup() == 0);
    base = test_alloc_live;
    base_bytes = test_alloc_bytes_live;
    test_alloc_calls = 0;
    CHECK(sc->run() == 0);
    CHECK(phonesec_thread_cleanup() == 0);
    total = test_alloc_calls;
    if (test_alloc_live != base) {
        fprintf(stderr, "%s: %ld blocks not freed without any failure\n", sc->name, test_alloc_live - base);
        return 1;
    }
    points = total < max_points ? total : max_points;

    for (i = 0; i < points; i++) {
        long n = getenv("OOM_ONLY") ? atol(getenv("OOM_ONLY")) : point(i, points, total);
        if (getenv("OOM_ONLY") != NULL)
            points = 1; /* one chosen point (debugging: run it under valgrind) */
        int ok = 1;
        g_nomem_seen = 0;
        g_wrong = NULL;
        g_wrong_id = NULL;
        test_alloc_calls = 0;
        test_alloc_fail_at = n;
        rc = sc->run();
        test_alloc_fail_at = 0;
        if (test_alloc_calls < n) {
            unreached++; /* this run made fewer allocations: nothing failed */
            if (rc != 0 || g_wrong != NULL) {
                fprintf(stderr, "%s: point %ld: failed although no allocation failed: %s %s\n", sc->name, n,
                        phonesec_strerror(rc), g_wrong ? g_wrong : "");
                ok = 0;
                wrong++;
            }
        } else if (g_wrong != NULL && g_wrong_id != NULL && known != NULL && strcmp(g_wrong_id, known) == 0) {
            fprintf(stderr, "%s: point %ld: wrong success, known finding '%s' (allowed: --known): %s\n", sc->name,
                    n, known, g_wrong);
            known_seen++;
        } else if (g_wrong != NULL) {
            fprintf(stderr, "%s: point %ld: wrong success: %s\n", sc->name, n, g_wrong);
            wrong++;
            ok = 0;
        } else if (rc == 0) {
            recovered++;
        } else if (!g_nomem_seen) {
            fprintf(stderr, "%s: point %ld: out of memory reported as %s\n", sc->name, n, phonesec_strerror(rc));
            misreported++;
            if (!lenient)
                ok = 0;
        }
        phonesec_thread_cleanup();
        if (test_alloc_live != base) {
            /* A run that succeeded with every result verified took the same
             * path through our code as the clean run (which frees all): the
             * failure was absorbed inside wolfSSL, so a block lost then is
             * lost by wolfSSL. Any other leak is ours. */
            int backend = rc == 0 && g_wrong == NULL && !g_nomem_seen && test_alloc_calls >= n;
            fprintf(stderr, "%s: point %ld: %ld blocks (%ld bytes) leaked%s\n", sc->name, n, test_alloc_live - base,
                    test_alloc_bytes_live - base_bytes,
                    backend ? " inside wolfSSL (it recovered from the failure itself)" : "");
            if (backend) {
                backend_leaks++;
                if (!backend_ok)
                    ok = 0;
            } else {
                leaks++;
                ok = 0;
            }
            base = test_alloc_live; /* report each leak once */
            base_bytes = test_alloc_bytes_live;
        }
        held += ok;
        if (!ok && first)
            break;
    }
    if (i < points)
        points = i + 1; /* --first: stopped at the first point that did not hold */
    printf("%s: %ld allocations per run; points tried %ld, held %ld (recovered with verified results %ld, "
           "not reached %ld); wrong success %ld, leaks %ld, out of memory misreported %ld%s, "
           "blocks lost inside wolfSSL %ld%s, known finding %ld%s\n",
           sc->name, total, points, held, recovered, unreached, wrong, leaks, misreported,
           lenient && misreported ? " (allowed: --lenient)" : "", backend_leaks,
           backend_ok && backend_leaks ? " (allowed: a wolfSSL bug, see --backend-loss-ok)" : "", known_seen, known ? " (allowed: --known)" : "");
    if (sc->teardown)
        sc->teardown();
    /* no phonesec_shutdown(): wolfSSL's process-wide state was allocated
     * through the hook, which must stay installed until exit */
    return held == points ? 0 : 1;
}
