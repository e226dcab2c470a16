/*
 * Persistent TLS flow in a phone's event loop: one flow to a SIP proxy
 * (primary + optional backup), RFC 5626 keep-alive, automatic reconnect,
 * failover and fallback. The "SIP stack" here is a stub that REGISTERs on
 * every CONNECTED / REESTABLISHED event and confirms the flow on a 200.
 *
 *   flow_demo CA_FILE HOST PORT DOMAIN [BACKUP_HOST BACKUP_PORT] [SECONDS]
 *   e.g. flow_demo ca.crt 127.0.0.1 5061 sip.test
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

static phonesec_flow *flow;
static const char *domain;
static int cseq;

static void send_register(void)
{
    char m[768];
    int n = snprintf(m, sizeof m,
                     "REGISTER sip:%s SIP/2.0\r\n"
                     "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-demo%d;rport\r\n"
                     "Max-Forwards: 70\r\nFrom: <sip:1001@%s>;tag=demo\r\nTo: <sip:1001@%s>\r\n"
                     "Call-ID: flow-demo@127.0.0.1\r\nCSeq: %d REGISTER\r\n"
                     "Contact: <sip:1001@127.0.0.1;transport=tls>;reg-id=1;"
                     "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000000000001>\"\r\n"
                     "Supported: outbound\r\nExpires: 600\r\nContent-Length: 0\r\n\r\n",
                     domain, cseq, domain, domain, cseq);
    if (n < 0 || (size_t)n >= sizeof m) {
        fprintf(stderr, "flow_demo: the domain is too long for the REGISTER buffer\n");
        return;
    }
    cseq++;
    int rc = phonesec_flow_send(flow, (const uint8_t *)m, (size_t)n);
    printf("  -> REGISTER (CSeq %d): %s\n", cseq - 1, phonesec_strerror(rc));
}

static void on_event(void *ud, const phonesec_flow_event *e)
{
    static const char *names[] = {"?", "CONNECTED", "LOST", "REESTABLISHED", "FAILED_OVER", "FELL_BACK",
                                  "ATTEMPT_FAILED"};
    (void)ud;
    printf("event %s: server %u", names[e->type >= 1 && e->type <= 6 ? e->type : 0], e->server);
    if (e->reason)
        printf(", reason: %s, next attempt in %llu ms", phonesec_strerror(e->reason),
               (unsigned long long)e->retry_in_ms);
    if (e->resumed)
        printf(", TLS session resumed");
    printf("\n");
    /* A new flow: the registrar only knows the old one, so register again. */
    if (e->type == PHONESEC_FLOW_EV_CONNECTED || e->type == PHONESEC_FLOW_EV_REESTABLISHED)
        send_register();
}

static void on_message(void *ud, const uint8_t *msg, size_t len)
{
    const char *eol = memchr(msg, '\r', len);
    (void)ud;
    printf("  <- %.*s\n", (int)(eol ? (size_t)(eol - (const char *)msg) : len), (const char *)msg);
    if (len > 11 && memcmp(msg, "SIP/2.0 200", 11) == 0)
        (void)phonesec_flow_confirm(flow); /* registered: RFC 5626 failure count back to 0 */
}

int main(int argc, char **argv)
{
    phonesec_tls_config tc;
    phonesec_tls_ctx *ctx = NULL;
    phonesec_flow_tls_config bc;
    phonesec_flow_tls *binding = NULL;
    phonesec_flow_config fc;
    uint64_t end;
    int rc, seconds = 30;

    if (argc != 5 && argc != 6 && argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s CA_FILE HOST PORT DOMAIN [BACKUP_HOST BACKUP_PORT] [SECONDS]\n", argv[0]);
        return 2;
    }
    domain = argv[4];
    if (argc == 6)
        seconds = atoi(argv[5]);
    if (argc == 8)
        seconds = atoi(argv[7]);
    if ((rc = phonesec_init(NULL)) != PHONESEC_OK)
        goto fail;

    /* 1. TLS client context: trust list, identity checks on (the defaults). */
    phonesec_tls_config_init(&tc);
    if ((rc = phonesec_tls_ctx_new(&tc, &ctx)) != PHONESEC_OK ||
        (rc = phonesec_tls_ctx_add_trusted_file(ctx, argv[1])) != PHONESEC_OK)
        goto fail;

    /* 2. The TLS binding: where the flow connects. */
    phonesec_flow_tls_config_init(&bc);
    bc.ctx = ctx;
    bc.servers[0].host = argv[2];
    bc.servers[0].port = (unsigned)atoi(argv[3]);
    bc.servers[0].reference_name = domain;
    if (argc >= 7) {
        bc.servers[1].host = argv[5];
        bc.servers[1].port = (unsigned)atoi(argv[6]);
        bc.servers[1].reference_name = domain;
    }
    if ((rc = phonesec_flow_tls_new(&bc, &binding)) != PHONESEC_OK)
        goto fail;

    /* 3. The flow: RFC 5626 keep-alive every 80-100 % of 30 s here (120 s is
     *    the default), pong within 10 s, backoff 30 s .. 30 min. */
    phonesec_flow_config_init(&fc);
    fc.transport = phonesec_flow_tls_transport();
    fc.transport_user = binding;
    fc.servers = argc >= 7 ? 2 : 1;
    fc.keepalive_ms = 30000;
    fc.fallback_probe_ms = 60000;
    fc.event_cb = on_event;
    fc.message_cb = on_message;
    if ((rc = phonesec_flow_new(&fc, &flow)) != PHONESEC_OK)
        goto fail;
    (void)phonesec_flow_start(flow);

    /* 4. The event loop: poll the flow's sockets, tick its timers. */
    end = phonesec_now_ms() + (uint64_t)seconds * 1000;
    while (phonesec_now_ms() < end) {
        struct pollfd p[2];
        int n = 0, i;
        int64_t timeout = phonesec_flow_next_timeout_ms(flow);
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
        if (timeout < 0 || timeout > 1000)
            timeout = 1000; /* also bounds the demo's run time */
        if (poll(p, (nfds_t)n, (int)timeout) > 0)
            (void)phonesec_flow_on_io(flow);
        (void)phonesec_flow_tick(flow);
    }
    {
        phonesec_flow_stats st = PHONESEC_FLOW_STATS_INIT;
        (void)phonesec_flow_get_stats(flow, &st);
        printf("pings %llu, pongs %llu, connections %llu, losses %llu\n", (unsigned long long)st.pings_sent,
               (unsigned long long)st.pongs_received, (unsigned long long)st.connections,
               (unsigned long long)st.losses);
    }
    phonesec_flow_free(flow);
    phonesec_flow_tls_free(binding);
    phonesec_tls_ctx_free(ctx);
    phonesec_shutdown();
    return 0;
fail:
    fprintf(stderr, "flow_demo: %s\n", phonesec_strerror(rc));
    phonesec_flow_free(flow);
    phonesec_flow_tls_free(binding);
    phonesec_tls_ctx_free(ctx);
    phonesec_shutdown();
    return 1;
}
