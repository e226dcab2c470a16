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
 *     -C URI      after the first registration, call URI (e.g. sip:bob@sip.test)
 *                 with SDES-SRTP, send 20 ms PCMU packets for -S seconds [4], hang up
 *     -R PORT     our RTP port                     [40000]
 *
 * What it does: on every new flow (CONNECTED, and REESTABLISHED after the
 * registrar restarted or the connection broke) it starts the negotiation
 * over (phonesec_mediasec_reset) and REGISTERs: Security-Client, then on
 * the 494 / 401 the same REGISTER with Security-Verify mirroring the
 * server's Security-Server list; a 200 confirms the flow.
 * The call: INVITE with our SDES offer (made by the adapter on an oSIP2 SDP
 * object; RTP/SAVP when MediaSec made SDES mandatory), the answer's key
 * taken by the adapter, ACK and BYE along the Record-Route set, SRTP both
 * ways with libphonesec's srtp sessions.
 * Output lines a test can wait for: "REGISTERED n=<count> mediasec=AGREED ...",
 * "CALL ESTABLISHED suite=...", "CALL ENDED sent=<n> received_ok=<n> received_bad=<n>".
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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
    /* the call */
    const char *callee;
    unsigned rtp_port;
    int call_state; /* 0 none, 1 INVITE sent, 2 established, 3 BYE sent, 4 ended */
    char call_id2[64], tag2[32];
    osip_message_t *ok200; /* the 200 to our INVITE: dialog (To tag, Contact, Record-Route) */
    phonesec_sdes *sdes;
    phonesec_srtp *tx, *rx;
    int rtp_fd;
    struct sockaddr_in peer;
    uint64_t next_pkt, call_end;
    unsigned seconds, sent, rx_ok, rx_bad;
    uint16_t seq;
    uint32_t ts, ssrc;
} ua = {"127.0.0.1", "sip.test", "1001", NULL, NULL, "", "", 0, 0, 0, 0,
        NULL, 40000, 0, "", "", NULL, NULL, NULL, NULL, -1, {0}, 0, 0, 4, 0, 0, 0, 0, 0, 0};

static void rand_hex(char *out, size_t bytes)
{
    unsigned char r[16];
    size_t i;
    if (bytes > sizeof r || phonesec_random(r, bytes) != PHONESEC_OK)
        memset(r, 0x5a, sizeof r);
    for (i = 0; i < bytes; i++)
        sprintf(out + 2 * i, "%02x", r[i]);
}

/* A request built with oSIP2's own setters (no text templates). */
static osip_message_t *new_request(const char *method, const char *ruri, const char *from_tag, const char *to,
                                   const char *call_id, int cseq)
{
    osip_message_t *m = NULL;
    osip_uri_t *uri = NULL;
    char buf[512], branch[17];

    rand_hex(branch, 8);
    if (osip_message_init(&m) != 0 || osip_uri_init(&uri) != 0 || osip_uri_parse(uri, ruri) != 0) {
        osip_uri_free(uri);
        osip_message_free(m);
        return NULL;
    }
    osip_message_set_method(m, osip_strdup(method));
    osip_message_set_uri(m, uri);
    osip_message_set_version(m, osip_strdup("SIP/2.0"));
    snprintf(buf, sizeof buf, "SIP/2.0/TLS %s;branch=z9hG4bK%s;rport", ua.host, branch);
    osip_message_set_via(m, buf);
    osip_message_set_max_forwards(m, "70");
    snprintf(buf, sizeof buf, "<sip:%s@%s>;tag=%s", ua.user, ua.domain, from_tag);
    osip_message_set_from(m, buf);
    osip_message_set_to(m, to);
    osip_message_set_call_id(m, call_id);
    snprintf(buf, sizeof buf, "%d %s", cseq, method);
    osip_message_set_cseq(m, buf);
    snprintf(buf, sizeof buf, "<sip:%s@%s;transport=tls>", ua.user, ua.host);
    osip_message_set_contact(m, buf);
    osip_message_set_user_agent(m, "osip2_phone (libphonesec)");
    return m;
}

/* Decorate (MediaSec) and queue on the flow; frees m. */
static int send_request(osip_message_t *m, const char *what)
{
    int rc;
    if ((rc = phonesec_osip2_prepare_request(ua.ms, m)) != PHONESEC_OK) {
        char err[200] = "";
        (void)phonesec_mediasec_last_error(ua.ms, err, sizeof err);
        printf("%s not sent: %s %s\n", what, phonesec_strerror(rc), err);
    } else {
        rc = phonesec_osip2_flow_send(ua.flow, m);
        printf("-> %s (%s): %s\n", what,
               phonesec_mediasec_state(ua.ms) == PHONESEC_MEDIASEC_ST_AGREED ? "Security-Verify" : "Security-Client",
               phonesec_strerror(rc));
    }
    fflush(stdout);
    osip_message_free(m);
    return rc;
}

static void send_register(void)
{
    char to[256], ruri[256], what[64];
    osip_message_t *m;
    snprintf(to, sizeof to, "<sip:%s@%s>", ua.user, ua.domain);
    snprintf(ruri, sizeof ruri, "sip:%s", ua.domain);
    if ((m = new_request("REGISTER", ruri, ua.tag, to, ua.call_id, ++ua.cseq)) == NULL) {
        printf("out of memory building REGISTER\n");
        return;
    }
    osip_message_set_expires(m, "600");
    osip_message_set_content_length(m, "0");
    snprintf(what, sizeof what, "REGISTER cseq %d", ua.cseq);
    (void)send_request(m, what);
}

/* ------------------------------------------------------------------ call */

static const char local_sdp_fmt[] = "v=0\r\no=- %u 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                    "m=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n"
                                    "a=sendrecv\r\n";

static void start_call(void)
{
    phonesec_sdes_policy pol = PHONESEC_SDES_POLICY_INIT;
    unsigned media = phonesec_mediasec_media_policy(ua.ms);
    sdp_message_t *local = NULL, *offer = NULL;
    osip_message_t *m = NULL;
    char txt[512], to[256];
    int rc;

    /* SDES mode from the registration: MediaSec agreed sdes-srtp -> mandatory. */
    pol.mode = (media & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED) ? PHONESEC_SDES_MANDATORY : PHONESEC_SDES_OPTIONAL;
    if (media & PHONESEC_MEDIASEC_MEDIA_3GE2AE)
        pol.flags |= PHONESEC_SDES_OFFER_3GE2AE;
    if ((rc = phonesec_sdes_new(&pol, &ua.sdes)) != PHONESEC_OK ||
        (rc = phonesec_sdes_set_signalling_tls(ua.sdes, 1)) != PHONESEC_OK)
        goto fail;
    snprintf(txt, sizeof txt, local_sdp_fmt, (unsigned)phonesec_now_ms(), ua.rtp_port);
    if (sdp_message_init(&local) != 0 || sdp_message_parse(local, txt) != 0) {
        rc = PHONESEC_E_PARSE;
        goto fail;
    }
    if ((rc = phonesec_osip2_sdes_offer(ua.sdes, local, &offer)) != PHONESEC_OK)
        goto fail;
    rand_hex(ua.tag2, 8);
    rand_hex(ua.call_id2, 16);
    snprintf(to, sizeof to, "<%s>", ua.callee);
    if ((m = new_request("INVITE", ua.callee, ua.tag2, to, ua.call_id2, 1)) == NULL) {
        rc = PHONESEC_E_NOMEM;
        goto fail;
    }
    if ((rc = phonesec_osip2_set_sdp(m, offer)) != PHONESEC_OK)
        goto fail;
    ua.call_state = 1;
    printf("CALL %s (SDES %s)\n", ua.callee, pol.mode == PHONESEC_SDES_MANDATORY ? "mandatory" : "optional");
    rc = send_request(m, "INVITE");
    m = NULL;
    if (rc != PHONESEC_OK)
        ua.call_state = 4;
    sdp_message_free(local);
    sdp_message_free(offer);
    return;
fail:
    printf("call not started: %s\n", phonesec_strerror(rc));
    ua.call_state = 4;
    osip_message_free(m);
    sdp_message_free(local);
    sdp_message_free(offer);
}

/* ACK or BYE inside the dialog the 200 made: Request-URI = its Contact,
 * Route = its Record-Route set in reverse (RFC 3261 §12.1.2). */
static void send_in_dialog(const char *method, int cseq)
{
    osip_contact_t *c = NULL;
    osip_record_route_t *rr;
    osip_message_t *m;
    char *ruri = NULL, *to = NULL, *v = NULL;
    int i;
    if (osip_message_get_contact(ua.ok200, 0, &c) < 0 || c == NULL || c->url == NULL ||
        osip_uri_to_str(c->url, &ruri) != 0 || osip_to_to_str(ua.ok200->to, &to) != 0) {
        printf("%s not sent: the 200 has no usable Contact/To\n", method);
        osip_free(ruri);
        osip_free(to);
        return;
    }
    m = new_request(method, ruri, ua.tag2, to, ua.call_id2, cseq);
    for (i = osip_list_size(&ua.ok200->record_routes) - 1; m != NULL && i >= 0; i--) {
        rr = (osip_record_route_t *)osip_list_get(&ua.ok200->record_routes, i);
        if (osip_record_route_to_str(rr, &v) == 0) {
            osip_message_set_route(m, v);
            osip_free(v);
        }
    }
    osip_free(ruri);
    osip_free(to);
    if (m == NULL)
        return;
    osip_message_set_content_length(m, "0");
    (void)send_request(m, method);
}

static void end_call(void)
{
    printf("CALL ENDED sent=%u received_ok=%u received_bad=%u\n", ua.sent, ua.rx_ok, ua.rx_bad);
    fflush(stdout);
    ua.call_state = 4;
    if (ua.want == 0 || ua.registrations >= ua.want)
        ua.stop = 1;
}

/* 200 to our INVITE: take the answer's key, ACK, start SRTP. */
static void call_answered(osip_message_t *resp)
{
    sdp_message_t *ans = NULL;
    phonesec_srtp_params in, out;
    phonesec_sdes_section_info info;
    const char *addr, *port;
    int rc;

    ua.ok200 = resp;
    send_in_dialog("ACK", 1);
    phonesec_srtp_params_init(&in);
    phonesec_srtp_params_init(&out);
    if ((rc = phonesec_osip2_message_sdp(resp, &ans)) != PHONESEC_OK ||
        (rc = phonesec_osip2_sdes_accept_answer(ua.sdes, ans)) != PHONESEC_OK ||
        (rc = phonesec_sdes_section(ua.sdes, 0, &info)) != PHONESEC_OK) {
        char err[200] = "";
        (void)phonesec_sdes_last_error(ua.sdes, err, sizeof err);
        printf("answer refused: %s %s\n", phonesec_strerror(rc), err);
        goto bye;
    }
    addr = sdp_message_c_addr_get(ans, 0, 0);
    if (addr == NULL)
        addr = sdp_message_c_addr_get(ans, -1, 0);
    port = sdp_message_m_port_get(ans, 0);
    memset(&ua.peer, 0, sizeof ua.peer);
    ua.peer.sin_family = AF_INET;
    ua.peer.sin_port = htons((uint16_t)(port ? atoi(port) : 0));
    if (info.state != PHONESEC_SDES_SEC_SECURED || addr == NULL || inet_pton(AF_INET, addr, &ua.peer.sin_addr) != 1 ||
        ua.peer.sin_port == 0) {
        printf("answer: media not secured or no address (%s)\n", info.reason);
        goto bye;
    }
    if ((rc = phonesec_sdes_params(ua.sdes, 0, PHONESEC_SDES_INBOUND, &in)) != PHONESEC_OK ||
        (rc = phonesec_sdes_params(ua.sdes, 0, PHONESEC_SDES_OUTBOUND, &out)) != PHONESEC_OK ||
        (rc = phonesec_srtp_new(&in, PHONESEC_SRTP_DIR_INBOUND, 0, &ua.rx)) != PHONESEC_OK ||
        (rc = phonesec_srtp_new(&out, PHONESEC_SRTP_DIR_OUTBOUND, 0, &ua.tx)) != PHONESEC_OK) {
        printf("SRTP sessions: %s\n", phonesec_strerror(rc));
        goto bye;
    }
    printf("CALL ESTABLISHED suite=%s proto=%s peer=%s:%s\n", phonesec_sdes_suite_name(info.suite),
           info.savp ? "RTP/SAVP" : "RTP/AVP", addr, port);
    ua.call_state = 2;
    ua.next_pkt = phonesec_now_ms();
    ua.call_end = ua.next_pkt + (uint64_t)ua.seconds * 1000;
    if (phonesec_random(&ua.ssrc, sizeof ua.ssrc) != PHONESEC_OK)
        ua.ssrc = 0x12345678u;
    goto out;
bye:
    send_in_dialog("BYE", 2);
    ua.call_state = 3;
out:
    phonesec_srtp_params_wipe(&in);
    phonesec_srtp_params_wipe(&out);
    sdp_message_free(ans);
}

/* 20 ms of PCMU (a 500 Hz square wave), protected and sent. */
static void rtp_send(void)
{
    uint8_t pkt[12 + 160], wire[12 + 160 + 64];
    size_t n, i;
    pkt[0] = 0x80;
    pkt[1] = 0; /* PCMU */
    pkt[2] = (uint8_t)(ua.seq >> 8);
    pkt[3] = (uint8_t)ua.seq;
    pkt[4] = (uint8_t)(ua.ts >> 24);
    pkt[5] = (uint8_t)(ua.ts >> 16);
    pkt[6] = (uint8_t)(ua.ts >> 8);
    pkt[7] = (uint8_t)ua.ts;
    memcpy(pkt + 8, &ua.ssrc, 4);
    for (i = 0; i < 160; i++)
        pkt[12 + i] = (i / 8) % 2 ? 0x20 : 0xa0;
    ua.seq++;
    ua.ts += 160;
    if (phonesec_srtp_protect(ua.tx, pkt, sizeof pkt, wire, sizeof wire, &n) == PHONESEC_OK &&
        sendto(ua.rtp_fd, wire, n, 0, (const struct sockaddr *)&ua.peer, sizeof ua.peer) == (ssize_t)n)
        ua.sent++;
}

static void rtp_recv(void)
{
    uint8_t in[2048], plain[2048];
    size_t n;
    ssize_t r;
    while ((r = recv(ua.rtp_fd, in, sizeof in, MSG_DONTWAIT)) > 0) {
        if (ua.rx == NULL)
            continue;
        if ((in[1] & 0x7f) >= 72 && (in[1] & 0x7f) <= 76)
            continue; /* RTCP on the RTP port (rtcp-mux): not counted */
        if (phonesec_srtp_unprotect(ua.rx, in, (size_t)r, plain, sizeof plain, &n) == PHONESEC_OK)
            ua.rx_ok++;
        else
            ua.rx_bad++;
    }
}

/* A request from the peer (BYE when it hangs up first): 200 OK. */
static void answer_request(osip_message_t *req)
{
    osip_message_t *r = NULL;
    osip_via_t *v = NULL, *vc = NULL;
    int i;
    if (MSG_IS_ACK(req) || osip_message_init(&r) != 0)
        return;
    osip_message_set_version(r, osip_strdup("SIP/2.0"));
    osip_message_set_status_code(r, 200);
    osip_message_set_reason_phrase(r, osip_strdup("OK"));
    for (i = 0; osip_message_get_via(req, i, &v) >= 0 && v != NULL; i++)
        if (osip_via_clone(v, &vc) == 0)
            osip_list_add(&r->vias, vc, -1);
    osip_from_clone(req->from, &r->from);
    osip_to_clone(req->to, &r->to);
    osip_call_id_clone(req->call_id, &r->call_id);
    osip_cseq_clone(req->cseq, &r->cseq);
    osip_message_set_content_length(r, "0");
    printf("<- %s, -> 200: %s\n", req->sip_method, phonesec_strerror(phonesec_osip2_flow_send(ua.flow, r)));
    if (MSG_IS_BYE(req) && ua.call_state == 2)
        end_call();
    osip_message_free(r);
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
    if (MSG_IS_REQUEST(m)) {
        answer_request(m);
        osip_message_free(m);
        return;
    }
    if (m->call_id != NULL && m->call_id->number != NULL && m->cseq != NULL && m->cseq->method != NULL &&
        strcmp(m->call_id->number, ua.call_id2) == 0) {
        status = osip_message_get_status_code(m);
        printf("<- %d %s (%s)\n", status, m->reason_phrase ? m->reason_phrase : "", m->cseq->method);
        fflush(stdout);
        if (strcmp(m->cseq->method, "INVITE") == 0 && status >= 200 && status < 300 && ua.call_state == 1) {
            call_answered(m); /* keeps m as the dialog's 200 */
            return;
        }
        if (strcmp(m->cseq->method, "INVITE") == 0 && status >= 300 && ua.call_state == 1) {
            printf("CALL FAILED %d\n", status);
            end_call();
        } else if (strcmp(m->cseq->method, "BYE") == 0 && status >= 200 && ua.call_state == 3) {
            end_call();
        }
        osip_message_free(m);
        return;
    }
    if (m->cseq == NULL || m->cseq->method == NULL ||
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
        if (ua.callee != NULL && ua.call_state == 0)
            start_call();
        if (ua.want > 0 && ua.registrations >= ua.want && (ua.callee == NULL || ua.call_state == 4))
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

    while ((opt = getopt(argc, argv, "a:c:k:H:p:d:u:K:r:n:t:C:R:S:")) != -1) {
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
        case 'C': ua.callee = optarg; break;
        case 'R': ua.rtp_port = (unsigned)atoi(optarg); break;
        case 'S': ua.seconds = (unsigned)atoi(optarg); break;
        default:
            fprintf(stderr, "usage: %s -a CA [-c CERT -k KEY] [-H HOST] [-p PORT] [-d DOMAIN] [-u USER] "
                            "[-K KEEPALIVE_MS] [-r RETRY_MS] [-n REGISTRATIONS] [-t SECONDS] [-C URI -R RTP_PORT -S SECONDS]\n", argv[0]);
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
    if (ua.callee != NULL) {
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_port = htons((uint16_t)ua.rtp_port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if ((ua.rtp_fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 || bind(ua.rtp_fd, (struct sockaddr *)&a, sizeof a) != 0) {
            perror("osip2_phone: RTP socket");
            rc = PHONESEC_E_IO;
            goto fail;
        }
    }
    (void)phonesec_flow_start(ua.flow);

    end = phonesec_now_ms() + (uint64_t)seconds * 1000;
    while (!ua.stop && phonesec_now_ms() < end) {
        struct pollfd p[3];
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
        if (ua.rtp_fd >= 0) {
            p[n].fd = ua.rtp_fd;
            p[n].events = POLLIN;
            p[n].revents = 0;
            n++;
        }
        if (timeout < 0 || timeout > 200)
            timeout = 200;
        if (ua.call_state == 2)
            timeout = 5;
        if (poll(p, (nfds_t)n, (int)timeout) > 0)
            (void)phonesec_flow_on_io(ua.flow);
        (void)phonesec_flow_tick(ua.flow);
        if (ua.rtp_fd >= 0)
            rtp_recv();
        if (ua.call_state == 2) {
            uint64_t now = phonesec_now_ms();
            while (ua.next_pkt <= now) {
                rtp_send();
                ua.next_pkt += 20;
            }
            if (now >= ua.call_end) {
                send_in_dialog("BYE", 2);
                ua.call_state = 3;
            }
        }
    }
    if (ua.call_state == 2 || ua.call_state == 3)
        end_call();
    (void)phonesec_flow_get_stats(ua.flow, &st);
    printf("stats: registrations %d, connections %llu, losses %llu, pings %llu, pongs %llu\n", ua.registrations,
           (unsigned long long)st.connections, (unsigned long long)st.losses, (unsigned long long)st.pings_sent,
           (unsigned long long)st.pongs_received);
    status = (ua.want == 0 || ua.registrations >= ua.want) ? 0 : 1;
    if (ua.callee != NULL && (ua.sent == 0 || ua.rx_ok == 0))
        status = 1; /* the call carried no SRTP both ways */
    goto out;
fail:
    fprintf(stderr, "osip2_phone: %s\n", phonesec_strerror(rc));
out:
    phonesec_flow_free(ua.flow);
    phonesec_flow_tls_free(binding);
    phonesec_mediasec_free(ua.ms);
    phonesec_srtp_free(ua.tx);
    phonesec_srtp_free(ua.rx);
    phonesec_sdes_free(ua.sdes);
    osip_message_free(ua.ok200);
    if (ua.rtp_fd >= 0)
        close(ua.rtp_fd);
    phonesec_tls_ctx_free(ctx);
    phonesec_shutdown();
    return status;
}
