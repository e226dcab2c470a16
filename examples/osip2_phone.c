/*
 * A small SIP user agent: oSIP2 builds and parses the SIP text, libphonesec
 * does everything secure (mutual TLS, the persistent flow with CRLF
 * keep-alive and reconnect, RFC 3329 MediaSec negotiation), joined by the
 * oSIP2 adapter (adapters/osip2/phonesec_osip2.h). No other SIP stack.
 *
 *   osip2_phone [options]
 *     -a CA       trusted CA file (PEM)                        (required)
 *     -c CERT     our certificate, -k KEY its key (mutual TLS)
 *     -H HOST     registrar address (IP literal)   [127.0.0.1]
 *     -p PORT     registrar TLS port               [5061]
 *     -d DOMAIN   SIP domain, also the name checked in the certificate [sip.test]
 *     -u USER     our user                         [1001]
 *     -K MS       keep-alive interval (RFC 5626)   [120000]
 *     -r MS       reconnect floor and backoff base (small for tests) [default timers]
 *     -n N        exit 0 after N registrations with MediaSec agreed
 *     -t SECONDS  run time                         [60]
 *
 * What it does: on every new flow (CONNECTED, and REESTABLISHED after the
 * registrar restarted or the connection broke) it starts the negotiation
 * over (phonesec_mediasec_reset) and REGISTERs: Security-Client, then on
 * the 494 / 401 the same REGISTER with Security-Verify mirroring the
 * server's Security-Server list; a 200 confirms the flow.
 * Output lines a test can wait for: "REGISTERED n=<count> mediasec=AGREED ...".
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <phonesec.h>

#include "phonesec_osip2.h"

static struct {
    const char *host, *domain, *user;
    phonesec_flow *flow;
    phonesec_mediasec *ms;
    char call_id[64], tag[32];
    int cseq, registrations, want;
    volatile sig_atomic_t stop;
} ua = {"127.0.0.1", "sip.test", "1001", NULL, NULL, "", "", 0, 0, 0, 0};

static void rand_hex(char *out, size_t bytes)
{
    unsigned char r[16];
    size_t i;
    if (bytes > sizeof r || phonesec_random(r, bytes) != PHONESEC_OK)
        memset(r, 0x5a, sizeof r);
    for (i = 0; i < bytes; i++)
        sprintf(out + 2 * i, "%02x", r[i]);
}

/* REGISTER built with oSIP2's own setters; decorated by the adapter; sent on the flow. */
static void send_register(void)
{
    osip_message_t *m = NULL;
    osip_uri_t *uri = NULL;
    char buf[256], branch[17];
    int rc;

    rand_hex(branch, 8);
    if (osip_message_init(&m) != 0 || osip_uri_init(&uri) != 0)
        goto oom;
    snprintf(buf, sizeof buf, "sip:%s", ua.domain);
    if (osip_uri_parse(uri, buf) != 0)
        goto oom;
    osip_message_set_method(m, osip_strdup("REGISTER"));
    osip_message_set_uri(m, uri);
    uri = NULL;
    osip_message_set_version(m, osip_strdup("SIP/2.0"));
    snprintf(buf, sizeof buf, "SIP/2.0/TLS %s;branch=z9hG4bK%s;rport", ua.host, branch);
    osip_message_set_via(m, buf);
    osip_message_set_max_forwards(m, "70");
    snprintf(buf, sizeof buf, "<sip:%s@%s>;tag=%s", ua.user, ua.domain, ua.tag);
    osip_message_set_from(m, buf);
    snprintf(buf, sizeof buf, "<sip:%s@%s>", ua.user, ua.domain);
    osip_message_set_to(m, buf);
    osip_message_set_call_id(m, ua.call_id);
    snprintf(buf, sizeof buf, "%d REGISTER", ++ua.cseq);
    osip_message_set_cseq(m, buf);
    snprintf(buf, sizeof buf, "<sip:%s@%s;transport=tls>", ua.user, ua.host);
    osip_message_set_contact(m, buf);
    osip_message_set_expires(m, "600");
    osip_message_set_user_agent(m, "osip2_phone (libphonesec)");
    osip_message_set_content_length(m, "0");

    /* MediaSec: Security-Client or Security-Verify, and the option tags. */
    if ((rc = phonesec_osip2_prepare_request(ua.ms, m)) != PHONESEC_OK) {
        char err[200] = "";
        (void)phonesec_mediasec_last_error(ua.ms, err, sizeof err);
        printf("REGISTER not sent: %s %s\n", phonesec_strerror(rc), err);
    } else {
        rc = phonesec_osip2_flow_send(ua.flow, m);
        printf("-> REGISTER cseq %d (mediasec %s): %s\n", ua.cseq,
               phonesec_mediasec_state(ua.ms) == PHONESEC_MEDIASEC_ST_AGREED ? "Security-Verify" : "Security-Client",
               phonesec_strerror(rc));
    }
    fflush(stdout);
    osip_message_free(m);
    return;
oom:
    printf("out of memory building REGISTER\n");
    osip_uri_free(uri);
    osip_message_free(m);
}

static void on_event(void *user, const phonesec_flow_event *e)
{
    static const char *names[] = {"?", "CONNECTED", "LOST", "REESTABLISHED", "FAILED_OVER", "FELL_BACK",
                                  "ATTEMPT_FAILED"};
    (void)user;
    printf("flow %s", names[e->type >= 1 && e->type <= 6 ? e->type : 0]);
    if (e->reason)
        printf(" (%s, next attempt in %llu ms)", phonesec_strerror(e->reason), (unsigned long long)e->retry_in_ms);
    printf("\n");
    fflush(stdout);
    if (e->type == PHONESEC_FLOW_EV_CONNECTED || e->type == PHONESEC_FLOW_EV_REESTABLISHED) {
        /* A new flow: the registrar and its security agreement are new too. */
        (void)phonesec_mediasec_reset(ua.ms, 1);
        send_register();
    }
}

static void on_message(void *user, const uint8_t *buf, size_t len)
{
    osip_message_t *m = NULL;
    int rc, status;
    (void)user;
    if (phonesec_osip2_parse(buf, len, &m) != PHONESEC_OK) {
        printf("<- unparsable message (%zu bytes) dropped\n", len);
        return;
    }
    if (!MSG_IS_RESPONSE(m) || m->cseq == NULL || m->cseq->method == NULL ||
        strcmp(m->cseq->method, "REGISTER") != 0 || osip_atoi(m->cseq->number) != ua.cseq) {
        printf("<- %s ignored\n", MSG_IS_RESPONSE(m) ? "stray response" : m->sip_method);
        osip_message_free(m);
        return;
    }
    status = osip_message_get_status_code(m);
    rc = phonesec_osip2_on_response(ua.ms, m);
    printf("<- %d %s (mediasec: %s)\n", status, m->reason_phrase ? m->reason_phrase : "", phonesec_strerror(rc));
    if (rc == PHONESEC_OK && (status == 494 || status == 401 || status == 407) &&
        phonesec_mediasec_state(ua.ms) == PHONESEC_MEDIASEC_ST_AGREED && ua.cseq < 1000) {
        phonesec_mediasec_list *l = NULL;
        if (phonesec_mediasec_list_new(&l) == PHONESEC_OK && phonesec_osip2_security_server(m, l) == PHONESEC_OK)
            printf("   Security-Server: %zu mechanism(s), first %s\n", phonesec_mediasec_list_count(l),
                   phonesec_mediasec_list_name(l, 0));
        phonesec_mediasec_list_free(l);
        send_register(); /* again, with Security-Verify */
    } else if (rc == PHONESEC_OK && status >= 200 && status < 300) {
        unsigned pol = phonesec_mediasec_media_policy(ua.ms);
        (void)phonesec_flow_confirm(ua.flow);
        ua.registrations++;
        printf("REGISTERED n=%d mediasec=%s sdes=%s\n", ua.registrations,
               phonesec_mediasec_state(ua.ms) == PHONESEC_MEDIASEC_ST_AGREED ? "AGREED" : "OFF",
               (pol & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED) ? "required" : "not-required");
        if (ua.want > 0 && ua.registrations >= ua.want)
            ua.stop = 1;
    } else if (status >= 300) {
        printf("registration refused (%d)\n", status);
    }
    fflush(stdout);
    osip_message_free(m);
}

static void on_signal(int sig)
{
    (void)sig;
    ua.stop = 1;
}

int main(int argc, char **argv)
{
    const char *ca = NULL, *cert = NULL, *key = NULL;
    unsigned port = 5061;
    uint32_t keepalive = 120000, retry = 0;
    int seconds = 60, opt, rc, status = 1;
    phonesec_tls_config tc;
    phonesec_tls_ctx *ctx = NULL;
    phonesec_flow_tls_config bc;
    phonesec_flow_tls *binding = NULL;
    phonesec_flow_config fc;
    phonesec_mediasec_config mc = PHONESEC_MEDIASEC_CONFIG_INIT;
    phonesec_flow_stats st = PHONESEC_FLOW_STATS_INIT;
    uint64_t end;

    while ((opt = getopt(argc, argv, "a:c:k:H:p:d:u:K:r:n:t:")) != -1) {
        switch (opt) {
        case 'a': ca = optarg; break;
        case 'c': cert = optarg; break;
        case 'k': key = optarg; break;
        case 'H': ua.host = optarg; break;
        case 'p': port = (unsigned)atoi(optarg); break;
        case 'd': ua.domain = optarg; break;
        case 'u': ua.user = optarg; break;
        case 'K': keepalive = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'r': retry = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'n': ua.want = atoi(optarg); break;
        case 't': seconds = atoi(optarg); break;
        default:
            fprintf(stderr, "usage: %s -a CA [-c CERT -k KEY] [-H HOST] [-p PORT] [-d DOMAIN] [-u USER] "
                            "[-K KEEPALIVE_MS] [-r RETRY_MS] [-n REGISTRATIONS] [-t SECONDS]\n", argv[0]);
            return 2;
        }
    }
    if (ca == NULL) {
        fprintf(stderr, "osip2_phone: -a CA is required\n");
        return 2;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);
    parser_init();
    if ((rc = phonesec_init(NULL)) != PHONESEC_OK)
        goto fail;
    rand_hex(ua.tag, 8);
    rand_hex(ua.call_id, 16);

    /* Mutual TLS: trust list, identity checks (defaults), our certificate. */
    phonesec_tls_config_init(&tc);
    if ((rc = phonesec_tls_ctx_new(&tc, &ctx)) != PHONESEC_OK ||
        (rc = phonesec_tls_ctx_add_trusted_file(ctx, ca)) != PHONESEC_OK ||
        (cert != NULL && (rc = phonesec_tls_ctx_set_certificate_file(ctx, cert, key)) != PHONESEC_OK))
        goto fail;
    phonesec_flow_tls_config_init(&bc);
    bc.ctx = ctx;
    bc.servers[0].host = ua.host;
    bc.servers[0].port = port;
    bc.servers[0].reference_name = ua.domain;
    if ((rc = phonesec_flow_tls_new(&bc, &binding)) != PHONESEC_OK)
        goto fail;

    /* "MediaSec Request = Yes", over TLS only, no registration without it. */
    mc.client_initiated = 1;
    mc.tls_only = 1;
    mc.policy = PHONESEC_MEDIASEC_MANDATORY;
    mc.client_mechanisms = "sdes-srtp;mediasec";
    if ((rc = phonesec_mediasec_new(&mc, &ua.ms)) != PHONESEC_OK)
        goto fail;

    phonesec_flow_config_init(&fc);
    fc.transport = phonesec_flow_tls_transport();
    fc.transport_user = binding;
    fc.keepalive_ms = keepalive;
    if (keepalive != 0 && keepalive - keepalive / 5 <= fc.pong_timeout_ms)
        fc.pong_timeout_ms = keepalive / 2; /* the pong must be due before the next ping */
    if (retry > 0) { /* tests: reconnect within seconds, not the RFC 5626 30 s .. 30 min */
        fc.retry_floor_ms = retry;
        fc.base_all_fail_ms = retry;
        fc.base_ok_ms = retry;
        fc.stable_ms = retry;
        fc.max_backoff_ms = 4 * retry;
    }
    fc.event_cb = on_event;
    fc.message_cb = on_message;
    if ((rc = phonesec_flow_new(&fc, &ua.flow)) != PHONESEC_OK)
        goto fail;
    (void)phonesec_flow_start(ua.flow);

    end = phonesec_now_ms() + (uint64_t)seconds * 1000;
    while (!ua.stop && phonesec_now_ms() < end) {
        struct pollfd p[2];
        int n = 0, i;
        int64_t timeout = phonesec_flow_next_timeout_ms(ua.flow);
        for (i = 0; i < 2; i++) {
            void *c = phonesec_flow_connection(ua.flow, i);
            unsigned w;
            if (c == NULL)
                continue;
            w = phonesec_flow_tls_wants(c);
            if (i == 0 && phonesec_flow_state(ua.flow) == PHONESEC_FLOW_UP && phonesec_flow_wants_write(ua.flow))
                w |= PHONESEC_TLS_WANT_WRITE;
            p[n].fd = phonesec_flow_tls_fd(c);
            p[n].events = (short)(((w & PHONESEC_TLS_WANT_READ) ? POLLIN : 0) |
                                  ((w & PHONESEC_TLS_WANT_WRITE) ? POLLOUT : 0));
            p[n].revents = 0;
            n++;
        }
        if (timeout < 0 || timeout > 200)
            timeout = 200;
        if (poll(p, (nfds_t)n, (int)timeout) > 0)
            (void)phonesec_flow_on_io(ua.flow);
        (void)phonesec_flow_tick(ua.flow);
    }
    (void)phonesec_flow_get_stats(ua.flow, &st);
    printf("stats: registrations %d, connections %llu, losses %llu, pings %llu, pongs %llu\n", ua.registrations,
           (unsigned long long)st.connections, (unsigned long long)st.losses, (unsigned long long)st.pings_sent,
           (unsigned long long)st.pongs_received);
    status = (ua.want == 0 || ua.registrations >= ua.want) ? 0 : 1;
    goto out;
fail:
    fprintf(stderr, "osip2_phone: %s\n", phonesec_strerror(rc));
out:
    phonesec_flow_free(ua.flow);
    phonesec_flow_tls_free(binding);
    phonesec_mediasec_free(ua.ms);
    phonesec_tls_ctx_free(ctx);
    phonesec_shutdown();
    return status;
}
