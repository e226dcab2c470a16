/*
 * sdes_call: the two roles. The answerer takes an INVITE's SDES offer and
 * answers 200 OK (488 when nothing acceptable is offered); the offerer sends
 * an INVITE with its offer and accepts the 200 OK's answer. Then both make
 * the SRTP sessions, exchange media and end with BYE / 200 OK.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sdes_call.h"

static char buf[65536], sdp[16384], msg[32768];

static void show_error(phonesec_sdes *sd, const char *what)
{
    char e[512];
    phonesec_sdes_last_error(sd, e, sizeof e);
    fprintf(stderr, "sdes_call: %s: %s\n", what, e);
}

/* SRTP sessions for the peer's media address; wait_ack: the answerer's
 * wait for the ACK, between making the sessions and sending media. */
static int media(phonesec_sdes *sd, const char *peer_sdp, int sip, int wait_ack, int rtp, int rtcp)
{
    struct sockaddr_in m, f;
    phonesec_srtp *tx = NULL, *rx = NULL;
    int i, ok;
    if (media_addr(peer_sdp, &m) != 0 || make_sessions(sd, &tx, &rx) != 0)
        return -1;
    for (i = 0; wait_ack && i < 20; i++)
        if (recv_to(sip, buf, sizeof buf, opt.timeout, &f) <= 0 || strncmp(buf, "ACK ", 4) == 0)
            break;
    ok = exchange(rtp, rtcp, &m, tx, rx);
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
    return ok;
}

int answer_leg(phonesec_sdes *sd, int sip, int rtp, int rtcp, const char *tag)
{
    static char invite[65536];
    struct sockaddr_in peer, f;
    char contact[128];
    size_t n;
    int i, ok, rc;
    if (recv_to(sip, invite, sizeof invite, opt.timeout, &peer) <= 0 || strncmp(invite, "INVITE ", 7) != 0) {
        fprintf(stderr, "sdes_call: no INVITE\n");
        return -1;
    }
    printf("[sdes_call] got INVITE, offer:\n%s", body_of(invite));
    rc = phonesec_sdes_answer(sd, body_of(invite), strlen(body_of(invite)));
    if (rc == PHONESEC_OK) {
        local_sdp(msg, sizeof msg);
        rc = phonesec_sdes_answer_sdp(sd, msg, strlen(msg), sdp, sizeof sdp, &n);
    }
    if (rc != PHONESEC_OK) {
        show_error(sd, "cannot answer");
        reply(sip, &peer, invite, "488 Not Acceptable Here", tag, NULL, NULL);
        return -1;
    }
    printf("[sdes_call] answer:\n%s", sdp);
    snprintf(contact, sizeof contact, "Contact: <sip:peer@" HOST ":%d>\r\nContent-Type: application/sdp\r\n",
             opt.port);
    reply(sip, &peer, invite, "200 OK", tag, contact, sdp);
    ok = media(sd, body_of(invite), sip, 1, rtp, rtcp);
    for (i = 0; ok >= 0 && i < 20; i++) { /* answer the BYE */
        if (recv_to(sip, buf, sizeof buf, 3, &f) <= 0)
            break;
        if (strncmp(buf, "BYE ", 4) == 0) {
            reply(sip, &f, buf, "200 OK", NULL, NULL, NULL);
            printf("[sdes_call] BYE answered\n");
            break;
        }
    }
    return ok;
}

/* A request of our dialog (branch 1 INVITE, 2 ACK, 3 BYE): To tag (may be
 * ""), extra header lines, body. */
static void request(int sip, const struct sockaddr_in *peer, const char *method, int cseq, const char *tag,
                    const char *to_tag, const char *callid, const char *extra, const char *body)
{
    size_t n = (size_t)snprintf(msg, sizeof msg,
                                "%s %s SIP/2.0\r\nVia: SIP/2.0/UDP " HOST ":%d;branch=z9hG4bK%s%d;rport\r\n"
                                "Max-Forwards: 70\r\nFrom: <sip:peer@" HOST ":%d>;tag=%s\r\nTo: <%s>%s%s\r\n"
                                "Call-ID: %s\r\nCSeq: %d %s\r\n%sContent-Length: %zu\r\n\r\n%s",
                                method, opt.to, opt.port, tag, method[0] == 'I' ? 1 : method[0] == 'A' ? 2 : 3, opt.port, tag, opt.to,
                                *to_tag ? ";tag=" : "", to_tag, callid, cseq, method, extra, strlen(body), body);
    sendto(sip, msg, n, 0, (const struct sockaddr *)peer, sizeof *peer);
}

int offer_leg(phonesec_sdes *sd, int sip, int rtp, int rtcp, const char *tag, uint32_t rnd)
{
    struct sockaddr_in peer, f;
    char host[64], to_tag[128] = "", callid[64], extra[160], h_to[600];
    int pport, code, ok;
    size_t n;
    if (opt.to == NULL || sscanf(opt.to, "sip:%*[^@]@%63[^:;]:%d", host, &pport) != 2) {
        fprintf(stderr, "sdes_call: offer needs --to sip:user@host:port\n");
        return -2;
    }
    memset(&peer, 0, sizeof peer);
    peer.sin_family = AF_INET;
    peer.sin_port = htons((uint16_t)pport);
    inet_pton(AF_INET, host, &peer.sin_addr);
    local_sdp(msg, sizeof msg);
    if (phonesec_sdes_offer(sd, msg, strlen(msg), sdp, sizeof sdp, &n) != PHONESEC_OK)
        return -1;
    printf("[sdes_call] offer:\n%s", sdp);
    snprintf(callid, sizeof callid, "%08x%s@" HOST, (unsigned)rnd, tag);
    snprintf(extra, sizeof extra, "Contact: <sip:peer@" HOST ":%d>\r\nContent-Type: application/sdp\r\n", opt.port);
    request(sip, &peer, "INVITE", 1, tag, "", callid, extra, sdp);
    do { /* provisional responses are skipped */
        if (recv_to(sip, buf, sizeof buf, opt.timeout, &f) <= 0) {
            fprintf(stderr, "sdes_call: no final response\n");
            return -1;
        }
    } while (sscanf(buf, "SIP/2.0 %d", &code) != 1 || code < 200);
    if (code != 200) {
        fprintf(stderr, "sdes_call: call failed: %.40s\n", buf);
        return -1;
    }
    header(buf, "To", h_to, sizeof h_to);
    if (strstr(h_to, ";tag=") != NULL)
        sscanf(strstr(h_to, ";tag=") + 5, "%127[^;> ]", to_tag);
    request(sip, &peer, "ACK", 1, tag, to_tag, callid, "", "");
    printf("[sdes_call] answer:\n%s", body_of(buf));
    if (phonesec_sdes_accept_answer(sd, body_of(buf), strlen(body_of(buf))) != PHONESEC_OK) {
        show_error(sd, "answer refused");
        return -1;
    }
    ok = media(sd, body_of(buf), sip, 0, rtp, rtcp);
    request(sip, &peer, "BYE", 2, tag, to_tag, callid, "", "");
    return ok;
}
