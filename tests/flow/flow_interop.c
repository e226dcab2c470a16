/* Interop driver for persistent TLS flows against real TLS servers (real
 * clock, real sockets, wolfSSL on our side, OpenSSL / Kamailio on theirs).
 *
 *   flow_interop failover CA PEER_PY CERT KEY PORT1 PORT2
 *     spawns two flow_peer.py servers (python3 ssl = OpenSSL) and checks:
 *     connect + identity checks, keep-alive pongs, primary killed -> backup,
 *     primary restarted -> fallback, a pong that never comes -> lost and
 *     re-established, resumption on reconnect, both down -> RFC 5626 backoff
 *     bounds, restart -> re-established. Every process it starts is killed.
 *   flow_interop kamailio CA PORT
 *     a flow to a running Kamailio: OPTIONS answered, CRLF pings answered.
 */
#define _GNU_SOURCE /* malloc_usable_size: count heap bytes through the allocator hook */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <phonesec.h>

static phonesec_flow *flow;
static phonesec_flow_event evs[1024];
static int nev;
static char lastmsg[4096];
static int nmsg;
static pid_t peers[2] = {-1, -1};
static const char *peer_py, *cert, *key;
static unsigned ports[2];
static int failures;

#define CHECK(cond, ...)                                                                                           \
    do {                                                                                                           \
        if (cond) {                                                                                                \
            printf("PASS: " __VA_ARGS__);                                                                          \
            printf("\n");                                                                                          \
        } else {                                                                                                   \
            printf("FAIL (%s:%d): ", __FILE__, __LINE__);                                                          \
            printf(__VA_ARGS__);                                                                                   \
            printf("\n");                                                                                          \
            failures++;                                                                                            \
        }                                                                                                          \
        fflush(stdout);                                                                                            \
    } while (0)

static long heap_bytes;
static void *h_malloc(void *ud, size_t n)
{
    void *p = malloc(n);
    (void)ud;
    if (p)
        heap_bytes += (long)malloc_usable_size(p);
    return p;
}
static void *h_realloc(void *ud, void *q, size_t n)
{
    long old = q ? (long)malloc_usable_size(q) : 0;
    void *p = realloc(q, n);
    (void)ud;
    if (p)
        heap_bytes += (long)malloc_usable_size(p) - old;
    return p;
}
static void h_free(void *ud, void *p)
{
    (void)ud;
    if (p)
        heap_bytes -= (long)malloc_usable_size(p);
    free(p);
}

static const char *evname(int t)
{
    static const char *n[] = {"?", "CONNECTED", "LOST", "REESTABLISHED", "FAILED_OVER", "FELL_BACK", "ATTEMPT_FAILED"};
    return t >= 1 && t <= 6 ? n[t] : "?";
}

static uint64_t t0;

static void on_event(void *ud, const phonesec_flow_event *e)
{
    (void)ud;
    if (nev < 1024)
        evs[nev++] = *e;
    printf("  [%6llu ms] event %-14s server=%u reason=%s resumed=%d retry_in=%llu failures=%u\n",
           (unsigned long long)(phonesec_now_ms() - t0), evname(e->type), e->server,
           e->reason ? phonesec_strerror(e->reason) : "-", e->resumed, (unsigned long long)e->retry_in_ms,
           e->failures);
    fflush(stdout);
}

static void on_msg(void *ud, const uint8_t *m, size_t n)
{
    (void)ud;
    if (n >= sizeof lastmsg)
        n = sizeof lastmsg - 1;
    memcpy(lastmsg, m, n);
    lastmsg[n] = '\0';
    nmsg++;
}

static int count(int type)
{
    int i, n = 0;
    for (i = 0; i < nev; i++)
        n += evs[i].type == type;
    return n;
}

/* Run the event loop until cond() holds or ms passed; returns cond(). */
static int run_until(int (*cond)(void), unsigned ms)
{
    uint64_t end = phonesec_now_ms() + ms;
    for (;;) {
        struct pollfd p[2];
        int n = 0, i;
        int64_t to;
        if (cond != NULL && cond())
            return 1;
        if (phonesec_now_ms() >= end)
            return cond != NULL ? cond() : 1;
        for (i = 0; i < 2; i++) {
            void *c = phonesec_flow_connection(flow, i);
            unsigned w;
            if (c == NULL)
                continue;
            w = phonesec_flow_tls_wants(c);
            if (i == 0 && phonesec_flow_state(flow) == PHONESEC_FLOW_UP && phonesec_flow_wants_write(flow))
                w |= PHONESEC_TLS_WANT_WRITE;
            p[n].fd = phonesec_flow_tls_fd(c);
            p[n].events = (short)(((w & PHONESEC_TLS_WANT_READ) ? POLLIN : 0) |
                                  ((w & PHONESEC_TLS_WANT_WRITE) ? POLLOUT : 0));
            p[n].revents = 0;
            n++;
        }
        to = phonesec_flow_next_timeout_ms(flow);
        if (to < 0 || to > 50)
            to = 50;
        if (poll(p, (nfds_t)n, (int)to) > 0)
            (void)phonesec_flow_on_io(flow);
        (void)phonesec_flow_tick(flow);
    }
}

static void run_for(unsigned ms)
{
    (void)run_until(NULL, ms);
}

static int want_type, want_count, want_server;
static int cond_event(void)
{
    return count(want_type) >= want_count && phonesec_flow_state(flow) == PHONESEC_FLOW_UP &&
           (want_server < 0 || (int)phonesec_flow_server(flow) == want_server);
}

static int wait_event(int type, int n, int server, unsigned ms)
{
    want_type = type;
    want_count = n;
    want_server = server;
    return run_until(cond_event, ms);
}

static int want_nmsg;
static int cond_msg(void)
{
    return nmsg >= want_nmsg;
}

static int options(const char *expect, unsigned ms)
{
    static int cseq = 1;
    char m[512];
    int n = snprintf(m, sizeof m,
                     "OPTIONS sip:sip.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK-fl%d;rport\r\n"
                     "Max-Forwards: 70\r\nFrom: <sip:1001@sip.test>;tag=f%d\r\nTo: <sip:sip.test>\r\n"
                     "Call-ID: flow-%d-%d@127.0.0.1\r\nCSeq: %d OPTIONS\r\nContent-Length: 0\r\n\r\n",
                     cseq, cseq, (int)getpid(), cseq, cseq);
    cseq++;
    lastmsg[0] = '\0';
    want_nmsg = nmsg + 1;
    if (phonesec_flow_send(flow, (const uint8_t *)m, (size_t)n) != PHONESEC_OK)
        return 0;
    if (!run_until(cond_msg, ms))
        return 0;
    return strncmp(lastmsg, "SIP/2.0 200", 11) == 0 && (expect == NULL || strstr(lastmsg, expect) != NULL);
}

static int do_register(unsigned ms)
{
    char m[768];
    int n = snprintf(m, sizeof m,
                     "REGISTER sip:sip.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK-reg%d;rport\r\n"
                     "Max-Forwards: 70\r\nFrom: <sip:1001@sip.test>;tag=r1\r\nTo: <sip:1001@sip.test>\r\n"
                     "Call-ID: flow-reg-%d@127.0.0.1\r\nCSeq: 1 REGISTER\r\n"
                     "Contact: <sip:1001@127.0.0.1:40001;transport=tls>;reg-id=1;"
                     "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000000000001>\"\r\n"
                     "Supported: outbound\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n",
                     (int)getpid(), (int)getpid());
    lastmsg[0] = '\0';
    want_nmsg = nmsg + 1;
    if (phonesec_flow_send(flow, (const uint8_t *)m, (size_t)n) != PHONESEC_OK || !run_until(cond_msg, ms))
        return 0;
    return strncmp(lastmsg, "SIP/2.0 200", 11) == 0 && strstr(lastmsg, "CSeq: 1 REGISTER") != NULL;
}

static pid_t spawn_peer(int i)
{
    char port[16];
    pid_t pid;
    snprintf(port, sizeof port, "%u", ports[i]);
    pid = fork();
    if (pid == 0) {
        execl("/usr/bin/python3", "python3", peer_py, port, cert, key, i == 0 ? "primary" : "backup", (char *)NULL);
        _exit(127);
    }
    peers[i] = pid;
    /* wait until it listens: a TCP connect succeeds */
    {
        int k;
        for (k = 0; k < 100; k++) {
            int fd = -1;
            if (phonesec_tls_socket_connect("127.0.0.1", ports[i], 100, &fd) == PHONESEC_OK) {
                close(fd);
                break;
            }
            struct timespec ts = {0, 50 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
    }
    return pid;
}

static void kill_peer(int i)
{
    if (peers[i] > 0) {
        kill(peers[i], SIGKILL);
        waitpid(peers[i], NULL, 0);
        peers[i] = -1;
    }
}

static void cleanup(void)
{
    kill_peer(0);
    kill_peer(1);
}

static void on_signal(int s)
{
    (void)s;
    cleanup();
    _exit(2);
}

static phonesec_tls_ctx *client_ctx(const char *ca)
{
    phonesec_tls_config tc;
    phonesec_tls_ctx *ctx = NULL;
    phonesec_tls_config_init(&tc);
    if (phonesec_tls_ctx_new(&tc, &ctx) != PHONESEC_OK || phonesec_tls_ctx_add_trusted_file(ctx, ca) != PHONESEC_OK) {
        fprintf(stderr, "cannot make the TLS context\n");
        exit(1);
    }
    return ctx;
}

static void show_tls(void)
{
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    memset(&info, 0, sizeof info);
    if (phonesec_tls_conn_info(phonesec_flow_tls_conn(phonesec_flow_connection(flow, 0)), &info) == PHONESEC_OK)
        printf("  TLS: %s %s chain=%d name=%d (%s) resumed=%d\n", info.protocol_name, info.suite_name, info.chain,
               info.name, info.name_detail, info.resumed);
    CHECK(info.chain == PHONESEC_TLS_CHECK_PASSED && info.name == PHONESEC_TLS_CHECK_PASSED,
          "certificate chain and SIP identity verified");
}

static int scenario_failover(const char *ca)
{
    phonesec_tls_ctx *ctx = client_ctx(ca);
    phonesec_flow_tls_config bc;
    phonesec_flow_tls *b = NULL;
    phonesec_flow_config fc;
    phonesec_flow_stats st = PHONESEC_FLOW_STATS_INIT;
    int i, before;

    spawn_peer(0);
    spawn_peer(1);
    phonesec_flow_tls_config_init(&bc);
    bc.ctx = ctx;
    bc.servers[0].host = "127.0.0.1";
    bc.servers[0].port = ports[0];
    bc.servers[0].reference_name = "sip.test";
    bc.servers[1].host = "127.0.0.1";
    bc.servers[1].port = ports[1];
    bc.servers[1].reference_name = "sip.test";
    if (phonesec_flow_tls_new(&bc, &b) != PHONESEC_OK)
        return 1;
    phonesec_flow_config_init(&fc);
    fc.transport = phonesec_flow_tls_transport();
    fc.transport_user = b;
    fc.servers = 2;
    fc.keepalive_ms = 1200; /* pings every 0.96-1.2 s */
    fc.pong_timeout_ms = 800;
    fc.connect_timeout_ms = 3000;
    fc.base_all_fail_ms = 200;
    fc.base_ok_ms = 600;
    fc.max_backoff_ms = 1600;
    fc.fallback_probe_ms = 1500;
    fc.retry_floor_ms = 100;  /* reconnect 0.1-0.2 s after a loss of a flow that proved itself */
    fc.stable_ms = 2000;      /* proved: seen working (pong) 2 s or more after it came up */
    fc.event_cb = on_event;
    fc.message_cb = on_msg;
    if (phonesec_flow_new(&fc, &flow) != PHONESEC_OK)
        return 1;

    printf("--- 1. connect to the primary\n");
    (void)phonesec_flow_start(flow);
    CHECK(wait_event(PHONESEC_FLOW_EV_CONNECTED, 1, 0, 5000), "CONNECTED to the primary");
    show_tls();
    CHECK(options("peer=primary", 3000), "OPTIONS answered by the primary");
    run_for(3000);
    phonesec_flow_get_stats(flow, &st);
    CHECK(st.pongs_received >= 2 && st.losses == 0, "keep-alive: %llu pings, %llu pongs, no loss",
          (unsigned long long)st.pings_sent, (unsigned long long)st.pongs_received);

    printf("--- 2. primary killed -> backup\n");
    kill_peer(0);
    CHECK(wait_event(PHONESEC_FLOW_EV_REESTABLISHED, 1, 1, 5000), "re-established on the backup");
    CHECK(count(PHONESEC_FLOW_EV_LOST) == 1 && count(PHONESEC_FLOW_EV_FAILED_OVER) == 1, "LOST then FAILED_OVER");
    CHECK(options("peer=backup", 3000), "OPTIONS answered by the backup");

    printf("--- 3. primary restarted -> fallback at the probe interval\n");
    spawn_peer(0);
    CHECK(wait_event(PHONESEC_FLOW_EV_FELL_BACK, 1, 0, 6000), "FELL_BACK to the primary");
    CHECK(count(PHONESEC_FLOW_EV_REESTABLISHED) == 2, "re-established event for the fallback");
    CHECK(options("peer=primary", 3000), "OPTIONS answered by the primary again");
    run_for(2500); /* pongs prove the flow (stable_ms); the TLS 1.3 ticket arrives */

    printf("--- 4. pong never comes -> lost (timeout) -> re-established\n");
    before = count(PHONESEC_FLOW_EV_REESTABLISHED);
    kill(peers[0], SIGUSR1);
    CHECK(wait_event(PHONESEC_FLOW_EV_REESTABLISHED, before + 1, 0, 5000), "re-established after the pong timeout");
    CHECK(count(PHONESEC_FLOW_EV_LOST) == 2 && evs[nev - 1].type == PHONESEC_FLOW_EV_REESTABLISHED,
          "second LOST event");
    for (i = nev - 1; i >= 0 && evs[i].type != PHONESEC_FLOW_EV_LOST; i--)
        ;
    CHECK(i >= 0 && evs[i].reason == PHONESEC_E_TIMEOUT, "lost for PHONESEC_E_TIMEOUT (missing pong)");
    CHECK(evs[nev - 1].resumed == 1, "the reconnection resumed the TLS session");
    CHECK(options("peer=primary", 3000), "OPTIONS on the new flow");

    printf("--- 4b. a resumed connection closed right after its handshake (issue 17)\n");
    run_for(2500); /* proved again */
    before = count(PHONESEC_FLOW_EV_FELL_BACK);
    kill(peers[0], SIGUSR2); /* the primary closes the next connection at once */
    kill(peers[0], SIGUSR1); /* ... and the current one stops answering pings */
    /* pong timeout -> the primary again (resumed, closed at once) -> the
     * backup -> the fallback probe offers the primary's session again */
    CHECK(wait_event(PHONESEC_FLOW_EV_FELL_BACK, before + 1, 0, 8000), "back on the primary after the drop");
    for (i = nev - 1; i >= 0 && evs[i].type != PHONESEC_FLOW_EV_REESTABLISHED; i--)
        ;
    CHECK(i >= 0 && evs[i].server == 0 && evs[i].resumed == 1,
          "the session kept across the drop still resumes (no 'binder does not verify')");
    CHECK(options("peer=primary", 3000), "OPTIONS on the primary");

    printf("--- 5. both servers down -> RFC 5626 backoff, then restart\n");
    kill_peer(0);
    kill_peer(1);
    before = nev;
    run_for(5000);
    {
        int ok = 1, seen = 0;
        for (i = before; i < nev; i++) {
            if (evs[i].type == PHONESEC_FLOW_EV_ATTEMPT_FAILED && evs[i].server == 1) {
                uint64_t w = 200ull << evs[i].failures;
                if (w > 1600)
                    w = 1600;
                seen++;
                if (evs[i].retry_in_ms < w / 2 || evs[i].retry_in_ms > w)
                    ok = 0;
            }
        }
        CHECK(seen >= 3 && ok, "%d failed rounds, each wait within [W/2, W], W = min(1600, 200 * 2^n) ms", seen);
    }
    spawn_peer(0);
    before = count(PHONESEC_FLOW_EV_REESTABLISHED);
    CHECK(wait_event(PHONESEC_FLOW_EV_REESTABLISHED, before + 1, 0, 4000), "re-established once the primary is back");
    CHECK(options("peer=primary", 3000), "OPTIONS after the outage");

    phonesec_flow_get_stats(flow, &st);
    printf("stats: pings %llu pongs %llu connections %llu losses %llu failed attempts %llu\n",
           (unsigned long long)st.pings_sent, (unsigned long long)st.pongs_received,
           (unsigned long long)st.connections, (unsigned long long)st.losses,
           (unsigned long long)st.failed_attempts);
    phonesec_flow_free(flow);
    phonesec_flow_tls_free(b);
    phonesec_tls_ctx_free(ctx);
    return failures ? 1 : 0;
}

static int routed;
static int scenario_kamailio(const char *ca, unsigned port)
{
    long heap0;
    phonesec_tls_ctx *ctx = client_ctx(ca);
    phonesec_flow_tls_config bc;
    phonesec_flow_tls *b = NULL;
    phonesec_flow_config fc;
    phonesec_flow_stats st = PHONESEC_FLOW_STATS_INIT;
    int i, ok = 0;

    phonesec_flow_tls_config_init(&bc);
    bc.ctx = ctx;
    bc.servers[0].host = "127.0.0.1";
    bc.servers[0].port = port;
    bc.servers[0].reference_name = "sip.test";
    if (phonesec_flow_tls_new(&bc, &b) != PHONESEC_OK)
        return 1;
    heap0 = heap_bytes;
    phonesec_flow_config_init(&fc);
    fc.transport = phonesec_flow_tls_transport();
    fc.transport_user = b;
    fc.keepalive_ms = 1000;
    fc.pong_timeout_ms = 700;
    fc.event_cb = on_event;
    fc.message_cb = on_msg;
    if (phonesec_flow_new(&fc, &flow) != PHONESEC_OK)
        return 1;
    (void)phonesec_flow_start(flow);
    CHECK(wait_event(PHONESEC_FLOW_EV_CONNECTED, 1, 0, 5000), "CONNECTED to Kamailio over TLS");
    show_tls();
    for (i = 0; i < 10 && !ok; i++) /* the first request after start-up may go unanswered */
        ok = options(NULL, 700);
    CHECK(ok, "OPTIONS answered by Kamailio: %.40s", lastmsg);
    CHECK(do_register(3000), "REGISTER over the flow accepted by Kamailio (200)");
    CHECK(phonesec_flow_confirm(flow) == PHONESEC_OK && phonesec_flow_failures(flow) == 0, "flow confirmed");
    run_for(3000);
    phonesec_flow_get_stats(flow, &st);
    CHECK(st.pongs_received >= 2 && st.losses == 0, "Kamailio answered CRLFCRLF pings: %llu pings, %llu pongs",
          (unsigned long long)st.pings_sent, (unsigned long long)st.pongs_received);
    {
        long idle = heap_bytes, after_flow, after_binding;
        phonesec_flow_free(flow);
        after_flow = heap_bytes;
        phonesec_flow_tls_free(b);
        after_binding = heap_bytes;
        flow = NULL;
        b = NULL;
        printf("heap held by one idle established TLS flow: %ld bytes (flow with default 64 KiB in/out "
               "buffers + TLS connection), plus %ld bytes for the kept TLS session%s; wolfSSL's process-wide "
               "caches grew by %ld bytes during the run\n",
               idle - after_flow, after_flow - after_binding,
               routed ? " (wolfSSL allocations included)" : " (wolfSSL allocations not routed)",
               after_binding - heap0);
    }
    phonesec_flow_free(flow);
    phonesec_flow_tls_free(b);
    phonesec_tls_ctx_free(ctx);
    return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
    int rc;
    setvbuf(stdout, NULL, _IOLBF, 0);
    {
        phonesec_platform pf;
        phonesec_platform_init(&pf);
        pf.malloc_fn = h_malloc;
        pf.realloc_fn = h_realloc;
        pf.free_fn = h_free;
        if (phonesec_init(&pf) != PHONESEC_OK)
            return 1;
        /* hooks stay compatible with free(): wolfSSL caches freed at exit are fine */
        routed = phonesec_tls_route_backend_memory() == PHONESEC_OK;
    }
    t0 = phonesec_now_ms();
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    atexit(cleanup);
    if (argc == 8 && strcmp(argv[1], "failover") == 0) {
        peer_py = argv[3];
        cert = argv[4];
        key = argv[5];
        ports[0] = (unsigned)atoi(argv[6]);
        ports[1] = (unsigned)atoi(argv[7]);
        rc = scenario_failover(argv[2]);
    } else if (argc == 4 && strcmp(argv[1], "kamailio") == 0) {
        rc = scenario_kamailio(argv[2], (unsigned)atoi(argv[3]));
    } else {
        fprintf(stderr, "usage: flow_interop failover CA PEER_PY CERT KEY PORT1 PORT2 | kamailio CA PORT\n");
        return 2;
    }
    cleanup();
    printf("%s (%d failure(s))\n", rc ? "FAILED" : "OK", failures);
    return rc;
}
