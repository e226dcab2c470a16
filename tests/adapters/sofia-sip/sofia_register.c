/*
 * NUA test client for the sofia-sip adapter: registers to a registrar with
 * the RFC 3329 MediaSec flow, every Security-* / Require header made by the
 * adapter (phonesec_sofia_request_tags), every response read through it
 * (phonesec_sofia_on_response). Signalling: sofia's own TLS (OpenSSL).
 *
 *   sofia_register CERTDIR REGISTRAR_PORT USER [SECONDS [CALLEE RTP_PORT]]
 *     CERTDIR holds agent.pem (our certificate and key) and cafile.pem;
 *     the registrar is sip.test at 127.0.0.1:REGISTRAR_PORT over TLS.
 * Prints "REGISTERED mediasec=AGREED ..." and exits 0 on a 200 with
 * MediaSec agreed; 1 otherwise. With CALLEE it then calls it through the
 * registrar: SDES offer made by the adapter on an sdp_session_t (NUA's
 * media layer off), the answer's key taken by the adapter, 3 s of SRTP
 * PCMU both ways (libphonesec srtp), BYE; exits 0 only when SRTP flowed
 * both ways ("CALL ENDED sent=.. received_ok=.. received_bad=..").
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su_tag_io.h>
#include <sofia-sip/tport_tag.h>

#include <phonesec.h>

#include "phonesec_sofia.h"

static su_root_t *root;
static nua_handle_t *nh;
static phonesec_mediasec *ms;
static su_home_t home[1] = {SU_HOME_INIT(home)};
static char registrar[128];
static int result = 1, registers;
static nua_t *nua_g;
static const char *callee;
static char from_g[128];
static nua_handle_t *call_h;
static phonesec_sdes *sdes;
static phonesec_srtp *tx, *rx;
static int rtp_fd = -1, call_state; /* 1 inviting, 2 media, 3 bye sent, 4 ended */
static unsigned rtp_port, sent, rx_ok, rx_bad, ticks;
static uint16_t seq;
static uint32_t ts, ssrc = 0x50f1a001u;
static struct sockaddr_in peer;
static su_timer_t *media_timer;

static void end_call(void)
{
    printf("CALL ENDED sent=%u received_ok=%u received_bad=%u\n", sent, rx_ok, rx_bad);
    fflush(stdout);
    call_state = 4;
    if (sent == 0 || rx_ok == 0 || rx_bad != 0)
        result = 1;
    nua_shutdown(nua_g);
}

static void send_bye(void)
{
    tagi_t *tags = NULL;
    if (phonesec_sofia_request_tags(ms, home, "BYE", &tags) != PHONESEC_OK)
        tags = NULL;
    call_state = 3;
    printf("-> BYE\n");
    nua_bye(call_h, TAG_NEXT(tags));
}

/* every 20 ms: receive what came, send one protected PCMU packet */
static void on_media(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
    uint8_t pkt[12 + 160], wire[256], in[2048], plain[2048];
    size_t n, i;
    ssize_t r;
    (void)m;
    (void)t;
    (void)arg;
    while ((r = recv(rtp_fd, in, sizeof in, MSG_DONTWAIT)) > 0) {
        if ((in[1] & 0x7f) >= 72 && (in[1] & 0x7f) <= 76)
            continue; /* RTCP (mux) */
        if (phonesec_srtp_unprotect(rx, in, (size_t)r, plain, sizeof plain, &n) == PHONESEC_OK)
            rx_ok++;
        else
            rx_bad++;
    }
    if (call_state != 2)
        return;
    pkt[0] = 0x80;
    pkt[1] = 0;
    pkt[2] = (uint8_t)(seq >> 8);
    pkt[3] = (uint8_t)seq;
    pkt[4] = (uint8_t)(ts >> 24);
    pkt[5] = (uint8_t)(ts >> 16);
    pkt[6] = (uint8_t)(ts >> 8);
    pkt[7] = (uint8_t)ts;
    memcpy(pkt + 8, &ssrc, 4);
    for (i = 0; i < 160; i++)
        pkt[12 + i] = (i / 10) % 2 ? 0x30 : 0xb0;
    seq++;
    ts += 160;
    if (phonesec_srtp_protect(tx, pkt, sizeof pkt, wire, sizeof wire, &n) == PHONESEC_OK &&
        sendto(rtp_fd, wire, n, 0, (struct sockaddr *)&peer, sizeof peer) == (ssize_t)n)
        sent++;
    if (++ticks == 150) /* 3 s */
        send_bye();
}

static void start_call(void)
{
    phonesec_sdes_policy pol = PHONESEC_SDES_POLICY_INIT;
    unsigned media = phonesec_mediasec_media_policy(ms);
    char local[512];
    sdp_parser_t *p;
    sdp_session_t *offer = NULL;
    sdp_printer_t *pr;
    tagi_t *tags = NULL;
    int rc;

    pol.mode = (media & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED) ? PHONESEC_SDES_MANDATORY : PHONESEC_SDES_OPTIONAL;
    snprintf(local, sizeof local,
             "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
             "m=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n", rtp_port);
    p = sdp_parse(home, local, (issize_t)strlen(local), 0);
    if ((rc = phonesec_sdes_new(&pol, &sdes)) != PHONESEC_OK ||
        (rc = phonesec_sdes_set_signalling_tls(sdes, 1)) != PHONESEC_OK ||
        (rc = phonesec_sofia_sdes_offer(sdes, home, sdp_session(p), &offer)) != PHONESEC_OK ||
        (rc = phonesec_sofia_request_tags(ms, home, "INVITE", &tags)) != PHONESEC_OK) {
        printf("call not started: %s\n", phonesec_strerror(rc));
        nua_shutdown(nua_g);
        return;
    }
    pr = sdp_print(home, offer, NULL, 0, 0);
    call_h = nua_handle(nua_g, NULL, SIPTAG_TO_STR(callee), SIPTAG_FROM_STR(from_g), TAG_END());
    call_state = 1;
    printf("CALL %s (SDES %s)\n", callee, pol.mode == PHONESEC_SDES_MANDATORY ? "mandatory" : "optional");
    fflush(stdout);
    nua_invite(call_h, NUTAG_MEDIA_ENABLE(0), SIPTAG_CONTENT_TYPE_STR("application/sdp"),
               SIPTAG_PAYLOAD_STR(sdp_message(pr)), TAG_NEXT(tags));
}

static void call_answered(sip_t const *sip)
{
    sdp_parser_t *p;
    sdp_session_t *ans;
    sdp_connection_t *c;
    phonesec_srtp_params in, out;
    phonesec_sdes_section_info info;
    struct sockaddr_in a;
    int rc;

    phonesec_srtp_params_init(&in);
    phonesec_srtp_params_init(&out);
    if (sip->sip_payload == NULL) {
        printf("answer without SDP\n");
        goto bye;
    }
    p = sdp_parse(home, sip->sip_payload->pl_data, (issize_t)sip->sip_payload->pl_len, 0);
    ans = sdp_session(p);
    if (ans == NULL || ans->sdp_media == NULL || (rc = phonesec_sofia_sdes_accept_answer(sdes, ans)) != PHONESEC_OK ||
        (rc = phonesec_sdes_section(sdes, 0, &info)) != PHONESEC_OK) {
        printf("answer refused\n");
        goto bye;
    }
    c = ans->sdp_media->m_connections ? ans->sdp_media->m_connections : ans->sdp_connection;
    memset(&peer, 0, sizeof peer);
    peer.sin_family = AF_INET;
    peer.sin_port = htons((uint16_t)ans->sdp_media->m_port);
    if (info.state != PHONESEC_SDES_SEC_SECURED || c == NULL || inet_pton(AF_INET, c->c_address, &peer.sin_addr) != 1 ||
        phonesec_sdes_params(sdes, 0, PHONESEC_SDES_INBOUND, &in) != PHONESEC_OK ||
        phonesec_sdes_params(sdes, 0, PHONESEC_SDES_OUTBOUND, &out) != PHONESEC_OK ||
        phonesec_srtp_new(&in, PHONESEC_SRTP_DIR_INBOUND, 0, &rx) != PHONESEC_OK ||
        phonesec_srtp_new(&out, PHONESEC_SRTP_DIR_OUTBOUND, 0, &tx) != PHONESEC_OK) {
        printf("media not secured (%s)\n", info.reason);
        goto bye;
    }
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)rtp_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((rtp_fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 || bind(rtp_fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("RTP socket");
        goto bye;
    }
    printf("CALL ESTABLISHED suite=%s proto=%s\n", phonesec_sdes_suite_name(info.suite),
           info.savp ? "RTP/SAVP" : "RTP/AVP");
    fflush(stdout);
    call_state = 2;
    media_timer = su_timer_create(su_root_task(root), 20);
    su_timer_set_for_ever(media_timer, on_media, NULL);
    goto out;
bye:
    send_bye();
out:
    phonesec_srtp_params_wipe(&in);
    phonesec_srtp_params_wipe(&out);
}

static void do_register(void)
{
    tagi_t *tags = NULL;
    int rc = phonesec_sofia_request_tags(ms, home, "REGISTER", &tags);
    if (rc != PHONESEC_OK) {
        printf("REGISTER not sent: %s\n", phonesec_strerror(rc));
        su_root_break(root);
        return;
    }
    registers++;
    printf("-> REGISTER %d (%s)\n", registers,
           phonesec_mediasec_state(ms) == PHONESEC_MEDIASEC_ST_AGREED ? "Security-Verify" : "Security-Client");
    fflush(stdout);
    nua_register(nh, NUTAG_REGISTRAR(URL_STRING_MAKE(registrar)), NUTAG_OUTBOUND("no-options-keepalive"),
                 TAG_NEXT(tags));
}

static void on_event(nua_event_t event, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *h, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
    nua_saved_event_t saved[1];
    nua_event_data_t const *data;
    int rc;
    (void)magic;
    (void)h;
    (void)hmagic;
    (void)tags;
    if (event == nua_r_shutdown) {
        if (status >= 200)
            su_root_break(root);
        return;
    }
    if (event == nua_r_invite) {
        printf("<- %d %s (INVITE)\n", status, phrase);
        fflush(stdout);
        if (status >= 200 && status < 300 && call_state == 1)
            call_answered(sip);
        else if (status >= 300 && call_state == 1)
            end_call();
        return;
    }
    if (event == nua_r_bye || (event == nua_i_bye && call_state != 4)) {
        printf("<- %d %s (BYE)\n", status, phrase);
        if (status >= 200 || event == nua_i_bye)
            end_call();
        return;
    }
    if (event != nua_r_register && event != nua_r_unregister)
        return;
    printf("<- %d %s\n", status, phrase);
    if (status < 200 || event == nua_r_unregister || sip == NULL) {
        if (status >= 200 && event == nua_r_register) /* internal error, no response */
            nua_shutdown(nua);
        return;
    }
    /* The response message itself, for the adapter. */
    if (nua_save_event(nua, saved) == 0 || (data = nua_event_data(saved)) == NULL || data->e_msg == NULL) {
        printf("no saved event\n");
        nua_shutdown(nua);
        return;
    }
    rc = phonesec_sofia_on_response(ms, data->e_msg);
    nua_destroy_event(saved);
    printf("   mediasec: %s, state %d\n", phonesec_strerror(rc), phonesec_mediasec_state(ms));
    if (rc == PHONESEC_OK && (status == 494 || status == 401 || status == 407) &&
        phonesec_mediasec_state(ms) == PHONESEC_MEDIASEC_ST_AGREED && registers < 5) {
        do_register();
    } else if (rc == PHONESEC_OK && status >= 200 && status < 300) {
        unsigned pol = phonesec_mediasec_media_policy(ms);
        printf("REGISTERED mediasec=%s sdes=%s\n",
               phonesec_mediasec_state(ms) == PHONESEC_MEDIASEC_ST_AGREED ? "AGREED" : "OFF",
               (pol & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED) ? "required" : "not-required");
        result = phonesec_mediasec_state(ms) == PHONESEC_MEDIASEC_ST_AGREED ? 0 : 1;
        if (callee != NULL && call_state == 0 && result == 0)
            start_call();
        else if (call_state == 0)
            nua_shutdown(nua);
    } else {
        printf("registration failed\n");
        nua_shutdown(nua);
    }
    fflush(stdout);
}

static void on_timeout(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
    (void)m;
    (void)t;
    (void)arg;
    printf("timeout\n");
    su_root_break(root);
}

int main(int argc, char **argv)
{
    phonesec_mediasec_config c = PHONESEC_MEDIASEC_CONFIG_INIT;
    char from[128], sips[128];
    su_timer_t *timer;
    nua_t *nua;

    if (argc < 4) {
        fprintf(stderr, "usage: %s CERTDIR REGISTRAR_PORT USER [SECONDS]\n", argv[0]);
        return 2;
    }
    if (phonesec_init(NULL) != PHONESEC_OK)
        return 1;
    c.client_initiated = 1;
    c.tls_only = 1;
    c.policy = PHONESEC_MEDIASEC_MANDATORY;
    c.client_mechanisms = "sdes-srtp;mediasec";
    if (phonesec_mediasec_new(&c, &ms) != PHONESEC_OK || phonesec_mediasec_reset(ms, 1) != PHONESEC_OK)
        return 1;
    snprintf(registrar, sizeof registrar, "sip:127.0.0.1:%s;transport=tls", argv[2]);
    snprintf(from, sizeof from, "<sip:%s@sip.test>", argv[3]);
    snprintf(from_g, sizeof from_g, "%s", from);
    if (argc > 6) {
        callee = argv[5];
        rtp_port = (unsigned)atoi(argv[6]);
    }
    snprintf(sips, sizeof sips, "sips:127.0.0.1:*");

    su_init();
    root = su_root_create(NULL);
    nua = nua_create(root, on_event, NULL, NUTAG_URL("sip:127.0.0.1:*;transport=tcp"), NUTAG_SIPS_URL(sips),
                     TPTAG_CERTIFICATE(argv[1]), TPTAG_TLS_VERIFY_POLICY(TPTLS_VERIFY_OUT),
                     NUTAG_PROXY(registrar), NUTAG_MEDIA_ENABLE(0), TAG_END());
    nua_g = nua;
    if (nua == NULL) {
        fprintf(stderr, "sofia_register: nua_create failed (certificate directory?)\n");
        return 1;
    }
    nh = nua_handle(nua, NULL, SIPTAG_FROM_STR(from), SIPTAG_TO_STR(from), TAG_END());
    timer = su_timer_create(su_root_task(root), 0);
    su_timer_set_interval(timer, on_timeout, NULL, (su_duration_t)(argc > 4 ? atoi(argv[4]) : 10) * 1000);
    do_register();
    su_root_run(root);
    su_timer_destroy(timer);
    su_timer_destroy(media_timer);
    if (call_h != NULL)
        nua_handle_destroy(call_h);
    nua_handle_destroy(nh);
    nua_destroy(nua);
    su_root_destroy(root);
    su_deinit();
    su_home_deinit(home);
    phonesec_mediasec_free(ms);
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
    phonesec_sdes_free(sdes);
    if (rtp_fd >= 0)
        close(rtp_fd);
    phonesec_shutdown();
    return result;
}
