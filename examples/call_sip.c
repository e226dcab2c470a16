/*
 * sdes_call: UDP and just enough SIP text for one call leg. An example, not
 * a SIP stack: no retransmissions, no authentication, no folded headers.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "sdes_call.h"

double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int udp_bind(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, HOST, &a.sin_addr);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        fprintf(stderr, "sdes_call: cannot bind %s:%d\n", HOST, port);
        exit(1);
    }
    return fd;
}

ssize_t recv_to(int fd, char *buf, size_t cap, double timeout, struct sockaddr_in *from)
{
    struct pollfd p = {fd, POLLIN, 0};
    socklen_t fl = sizeof *from;
    ssize_t n;
    if (poll(&p, 1, (int)(timeout * 1000)) <= 0)
        return 0;
    n = recvfrom(fd, buf, cap - 1, 0, (struct sockaddr *)from, &fl);
    if (n > 0)
        buf[n] = '\0';
    return n;
}

int header(const char *msg, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    const char *p = msg;
    while ((p = strstr(p, "\r\n")) != NULL) {
        p += 2;
        if (p[0] == '\r')
            break;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1, *e = strstr(v, "\r\n");
            size_t n;
            while (*v == ' ')
                v++;
            n = e ? (size_t)(e - v) : strlen(v);
            if (n >= cap)
                n = cap - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return 0;
        }
    }
    out[0] = '\0';
    return -1;
}

const char *body_of(const char *msg)
{
    const char *b = strstr(msg, "\r\n\r\n");
    return b ? b + 4 : "";
}

/* Copy all Via header lines of msg into out. */
static void vias(const char *msg, char *out, size_t cap)
{
    const char *p = msg;
    size_t len = 0;
    out[0] = '\0';
    while ((p = strstr(p, "\r\nVia:")) != NULL) {
        const char *s = p + 2, *e = strstr(s, "\r\n");
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (len + n + 3 < cap) {
            memcpy(out + len, s, n);
            len += n;
            memcpy(out + len, "\r\n", 3);
            len += 2;
        }
        p = s;
    }
}

void local_sdp(char *out, size_t cap)
{
    snprintf(out, cap,
             "v=0\r\no=- %ld 1 IN IP4 " HOST "\r\ns=-\r\nc=IN IP4 " HOST "\r\nt=0 0\r\n"
             "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\na=ptime:20\r\n",
             (long)time(NULL), opt.rtp);
}

int media_addr(const char *sdp, struct sockaddr_in *a)
{
    char ip[64] = "";
    int port = 0;
    const char *c = strstr(sdp, "c=IN IP4 "), *m = strstr(sdp, "m=audio ");
    if (c == NULL || m == NULL || sscanf(c + 9, "%63[0-9.]", ip) != 1 || sscanf(m + 8, "%d", &port) != 1)
        return -1;
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, ip, &a->sin_addr) == 1 ? 0 : -1;
}

void reply(int sip, const struct sockaddr_in *to, const char *req, const char *status, const char *to_tag,
           const char *extra, const char *body)
{
    static char msg[32768], v[2048], from[512], tov[600], cid[256], cseq[128];
    size_t n;
    header(req, "From", from, sizeof from);
    header(req, "To", tov, sizeof tov);
    header(req, "Call-ID", cid, sizeof cid);
    header(req, "CSeq", cseq, sizeof cseq);
    vias(req, v, sizeof v);
    n = (size_t)snprintf(msg, sizeof msg, "SIP/2.0 %s\r\n%sFrom: %s\r\nTo: %s%s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n%s"
                         "Content-Length: %zu\r\n\r\n%s",
                         status, v, from, tov, to_tag ? ";tag=" : "", to_tag ? to_tag : "", cid, cseq, extra ? extra : "",
                         body ? strlen(body) : 0, body ? body : "");
    sendto(sip, msg, n, 0, (const struct sockaddr *)to, sizeof *to);
}
