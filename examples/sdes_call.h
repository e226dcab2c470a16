/*
 * sdes_call: the parts of a minimal SIP-over-UDP phone leg (see sdes_call.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef SDES_CALL_H
#define SDES_CALL_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <phonesec.h>

#define HOST "127.0.0.1"

struct call_opt {
    int answer;
    int port, rtp;
    const char *to, *suites;
    double timeout, seconds;
    int compat32, bad_key;
};
extern struct call_opt opt;

/* call_sip.c: UDP and just enough SIP text for one call */
double now(void);
int udp_bind(int port);
/* One datagram within timeout seconds (NUL-terminated); 0 on timeout. */
ssize_t recv_to(int fd, char *buf, size_t cap, double timeout, struct sockaddr_in *from);
/* Value of the first header `name` into out; -1 when absent. */
int header(const char *msg, const char *name, char *out, size_t cap);
const char *body_of(const char *msg);
/* Our SDP before SDES: PCMU on opt.rtp. */
void local_sdp(char *out, size_t cap);
/* The peer's media address from its SDP (c= and the first m=audio port). */
int media_addr(const char *sdp, struct sockaddr_in *a);
/* Answer request req with status ("200 OK"): its Vias, From, To (with
 * ;tag=to_tag unless NULL), Call-ID and CSeq, then extra header lines and an
 * SDP body (both may be NULL). */
void reply(int sip, const struct sockaddr_in *to, const char *req, const char *status, const char *to_tag,
           const char *extra, const char *body);

/* call_media.c: SRTP sessions from the negotiation, 20 ms PCMU both ways */
int make_sessions(phonesec_sdes *sd, phonesec_srtp **tx, phonesec_srtp **rx);
/* Packets decrypted in opt.seconds of media. */
int exchange(int rtp, int rtcp, const struct sockaddr_in *to, phonesec_srtp *tx, phonesec_srtp *rx);

/* call_leg.c: the two roles; packets decrypted, -1 failure, -2 usage */
int answer_leg(phonesec_sdes *sd, int sip, int rtp, int rtcp, const char *tag);
int offer_leg(phonesec_sdes *sd, int sip, int rtp, int rtcp, const char *tag, uint32_t rnd);

#endif
