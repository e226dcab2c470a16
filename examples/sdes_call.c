/*
 * sdes_call: a minimal SIP-over-UDP phone leg on libphonesec's public API.
 * It offers or answers SDES (RFC 4568) in SDP, makes the two SRTP sessions
 * from the negotiated keys and exchanges 20 ms PCMU packets, counting what
 * decrypts. Loopback interop with baresip and linphonec
 * (tests/srtp/interop_sdes.sh).
 *
 *   sdes_call answer [--port 5090] [--rtp 11000] [--timeout 15] [--seconds 2]
 *   sdes_call offer --to sip:bob@127.0.0.1:5082 [--suites LIST] [--port ..] [--rtp ..]
 *   common: [--tag32-compat] [--bad-key]
 *
 * Exit 0 when at least 10 packets decrypted and the peer got ours; 1 otherwise.
 * This is an example, not a SIP stack: no retransmissions, no authentication.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <phonesec.h>

#define HOST "127.0.0.1"

static struct {
    int answer;
    int port, rtp;
    const char *to, *suites;
    double timeout, seconds;
    int compat32, bad_key;
} opt = {0, 5090, 11000, NULL, NULL, 15, 2, 0, 0};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int udp_bind(int port)
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

/* Receive one datagram within timeout seconds; 0 on timeout. */
static ssize_t recv_to(int fd, char *buf, size_t cap, double timeout, struct sockaddr_in *from)
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

/* Value of header `name` (first one), into out. */
static int header(const char *msg, const char *name, char *out, size_t cap)
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

static const char *body_of(const char *msg)
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

static void local_sdp(char *out, size_t cap)
{
    snprintf(out, cap,
             "v=0\r\no=- %ld 1 IN IP4 " HOST "\r\ns=-\r\nc=IN IP4 " HOST "\r\nt=0 0\r\n"
             "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\na=ptime:20\r\n",
             (long)time(NULL), opt.rtp);
}

/* Peer's media address from its SDP (c= and the first m=audio port). */
static int media_addr(const char *sdp, struct sockaddr_in *a)
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

static int make_sessions(phonesec_sdes *sd, phonesec_srtp **tx, phonesec_srtp **rx)
{
    phonesec_srtp_params in, out;
    phonesec_sdes_section_info si;
    phonesec_srtp_info info;
    int rc;
    if (phonesec_sdes_section(sd, 0, &si) != PHONESEC_OK || si.state != PHONESEC_SDES_SEC_SECURED) {
        fprintf(stderr, "sdes_call: media not secured: %s\n", si.reason);
        return -1;
    }
    if (phonesec_sdes_params(sd, 0, PHONESEC_SDES_INBOUND, &in) != PHONESEC_OK ||
        phonesec_sdes_params(sd, 0, PHONESEC_SDES_OUTBOUND, &out) != PHONESEC_OK)
        return -1;
    if (opt.bad_key)
        out.keys[0].key[0] ^= 0x5a; /* negative test: protect with a key we did not signal */
    rc = phonesec_srtp_new(&in, PHONESEC_SRTP_DIR_INBOUND, 0, rx);
    if (rc == PHONESEC_OK)
        rc = phonesec_srtp_new(&out, PHONESEC_SRTP_DIR_OUTBOUND, 0, tx);
    phonesec_memzero(&in, sizeof in);
    phonesec_memzero(&out, sizeof out);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "sdes_call: SRTP session: %s\n", phonesec_strerror(rc));
        return -1;
    }
    info.version = PHONESEC_SRTP_INFO_VERSION;
    if (phonesec_srtp_get_info(*tx, &info) == PHONESEC_OK)
        printf("[sdes_call] lock icon: %s, tag %u, sending %s, receiving %s\n", info.suite_name, (unsigned)si.tag,
               si.protect_out ? "protected" : "CLEAR", si.protect_in ? "protected" : "CLEAR");
    return 0;
}

/* Send 20 ms PCMU packets for opt.seconds and unprotect what comes back. */
static int exchange(int rtp, int rtcp, const struct sockaddr_in *to, phonesec_srtp *tx, phonesec_srtp *rx)
{
    uint8_t pkt[200], wire[300], plain[2048], in[2048];
    uint32_t ssrc, ts = 0;
    uint16_t seq;
    unsigned sent = 0, ok = 0, bad = 0, stun = 0, rtcp_ok = 0;
    double end = now() + opt.seconds, next = now();
    struct sockaddr_in from;
    int rc;
    size_t n;
    if (phonesec_random(&ssrc, sizeof ssrc) != PHONESEC_OK || phonesec_random(&seq, sizeof seq) != PHONESEC_OK)
        return 0;
    seq &= 0x7fff;
    while (now() < end) {
        struct pollfd p[2] = {{rtp, POLLIN, 0}, {rtcp, POLLIN, 0}};
        if (now() >= next) {
            pkt[0] = 0x80;
            pkt[1] = 0;
            pkt[2] = (uint8_t)(seq >> 8);
            pkt[3] = (uint8_t)seq;
            pkt[4] = (uint8_t)(ts >> 24);
            pkt[5] = (uint8_t)(ts >> 16);
            pkt[6] = (uint8_t)(ts >> 8);
            pkt[7] = (uint8_t)ts;
            memcpy(pkt + 8, &ssrc, 4);
            memset(pkt + 12, 0xff, 160);
            if (phonesec_srtp_protect(tx, pkt, 172, wire, sizeof wire, &n) == PHONESEC_OK &&
                sendto(rtp, wire, n, 0, (const struct sockaddr *)to, sizeof *to) == (ssize_t)n)
                sent++;
            seq++;
            ts += 160;
            next += 0.02;
        }
        if (poll(p, 2, 5) <= 0)
            continue;
        if (p[0].revents & POLLIN) {
            socklen_t fl = sizeof from;
            ssize_t r = recvfrom(rtp, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
            if (r >= 20 && in[4] == 0x21 && in[5] == 0x12 && in[6] == 0xa4 && in[7] == 0x42) {
                stun++; /* linphone's ICE binding requests */
                continue;
            }
            if (r <= 0)
                continue;
            rc = phonesec_srtp_unprotect(rx, in, (size_t)r, plain, sizeof plain, &n);
            if (rc == PHONESEC_OK) {
                if (++ok == 1)
                    printf("[sdes_call] first SRTP packet decrypted: %zd bytes -> RTP pt=%u, %zu bytes\n", r,
                           plain[1] & 0x7fu, n);
            } else if (++bad <= 2) {
                char e[256];
                phonesec_srtp_last_error(rx, e, sizeof e);
                printf("[sdes_call] undecryptable packet (%zd bytes): %s\n", r, e);
            }
        }
        if (p[1].revents & POLLIN) {
            socklen_t fl = sizeof from;
            ssize_t r = recvfrom(rtcp, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
            if (r > 0 && phonesec_srtp_unprotect_rtcp(rx, in, (size_t)r, plain, sizeof plain, &n) == PHONESEC_OK)
                rtcp_ok++;
        }
    }
    printf("[sdes_call] SRTP: sent %u protected packets, decrypted %u, failed %u, SRTCP decrypted %u%s\n", sent, ok,
           bad, rtcp_ok, stun ? " (STUN ignored)" : "");
    return (int)ok;
}

static void log_hook(void *ud, int level, const char *module, const char *msg)
{
    (void)ud;
    printf("[sdes_call] %s %s: %s\n", level <= PHONESEC_LOG_WARN ? "warning" : "info", module, msg);
}

int main(int argc, char **argv)
{
    static char buf[65536], sdp[16384], msg[32768], v[2048], h_from[512], h_to[600], h_cid[256], h_cseq[128],
        h_contact[512];
    phonesec_platform plat = PHONESEC_PLATFORM_INIT;
    phonesec_sdes_policy pol = PHONESEC_SDES_POLICY_INIT;
    phonesec_sdes *sd = NULL;
    phonesec_srtp *tx = NULL, *rx = NULL;
    struct sockaddr_in peer, media;
    int sip, rtp, rtcp, i, ok = 0, rc;
    size_t n;
    ssize_t r;
    char tag[17];
    uint32_t rnd;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "answer") == 0)
            opt.answer = 1;
        else if (strcmp(argv[i], "offer") == 0)
            opt.answer = 0;
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            opt.port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--rtp") == 0 && i + 1 < argc)
            opt.rtp = atoi(argv[++i]);
        else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
            opt.to = argv[++i];
        else if (strcmp(argv[i], "--suites") == 0 && i + 1 < argc)
            opt.suites = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
            opt.timeout = atof(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            opt.seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--tag32-compat") == 0)
            opt.compat32 = 1;
        else if (strcmp(argv[i], "--bad-key") == 0)
            opt.bad_key = 1;
        else {
            fprintf(stderr, "usage: sdes_call answer|offer [--to URI] [--port N] [--rtp N] [--suites LIST] "
                            "[--timeout S] [--seconds S] [--tag32-compat] [--bad-key]\n");
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    plat.log_fn = log_hook;
    if (phonesec_init(&plat) != PHONESEC_OK)
        return 1;
    pol.mode = PHONESEC_SDES_MANDATORY;
    if (opt.compat32)
        pol.flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT;
    if (opt.suites == NULL) {
        /* Offer/accept only what the linked libsrtp2 can really do: its AES-192
         * key derivation may be wrong (phonesec_srtp_suite_supported() checks). */
        opt.suites = phonesec_srtp_suite_supported(PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80) == PHONESEC_OK
                         ? "AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32,AES_256_CM_HMAC_SHA1_80,"
                           "AES_256_CM_HMAC_SHA1_32,AES_192_CM_HMAC_SHA1_80,AES_192_CM_HMAC_SHA1_32,"
                           "AEAD_AES_256_GCM,AEAD_AES_128_GCM"
                         : "AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32,AES_256_CM_HMAC_SHA1_80,"
                           "AES_256_CM_HMAC_SHA1_32,AEAD_AES_256_GCM,AEAD_AES_128_GCM";
    }
    if (phonesec_sdes_policy_set_suites(&pol, opt.suites) != PHONESEC_OK) {
        fprintf(stderr, "sdes_call: bad --suites\n");
        return 2;
    }
    if (phonesec_sdes_new(&pol, &sd) != PHONESEC_OK)
        return 1;
    (void)phonesec_sdes_set_signalling_tls(sd, 0);
    if (phonesec_random(&rnd, sizeof rnd) != PHONESEC_OK)
        return 1;
    snprintf(tag, sizeof tag, "%08x", (unsigned)rnd);
    sip = udp_bind(opt.port);
    rtp = udp_bind(opt.rtp);
    rtcp = udp_bind(opt.rtp + 1);

    if (opt.answer) {
        r = recv_to(sip, buf, sizeof buf, opt.timeout, &peer);
        if (r <= 0 || strncmp(buf, "INVITE ", 7) != 0) {
            fprintf(stderr, "sdes_call: no INVITE\n");
            return 1;
        }
        printf("[sdes_call] got INVITE, offer:\n%s", body_of(buf));
        rc = phonesec_sdes_answer(sd, body_of(buf), strlen(body_of(buf)));
        if (rc == PHONESEC_OK) {
            local_sdp(msg, sizeof msg);
            rc = phonesec_sdes_answer_sdp(sd, msg, strlen(msg), sdp, sizeof sdp, &n);
        }
        header(buf, "From", h_from, sizeof h_from);
        header(buf, "To", h_to, sizeof h_to);
        header(buf, "Call-ID", h_cid, sizeof h_cid);
        header(buf, "CSeq", h_cseq, sizeof h_cseq);
        vias(buf, v, sizeof v);
        if (rc != PHONESEC_OK) {
            char e[512];
            phonesec_sdes_last_error(sd, e, sizeof e);
            fprintf(stderr, "sdes_call: cannot answer: %s\n", e);
            n = (size_t)snprintf(msg, sizeof msg,
                                 "SIP/2.0 488 Not Acceptable Here\r\n%sFrom: %s\r\nTo: %s;tag=%s\r\nCall-ID: %s\r\n"
                                 "CSeq: %s\r\nContent-Length: 0\r\n\r\n",
                                 v, h_from, h_to, tag, h_cid, h_cseq);
            sendto(sip, msg, n, 0, (struct sockaddr *)&peer, sizeof peer);
            return 1;
        }
        printf("[sdes_call] answer:\n%s", sdp);
        n = (size_t)snprintf(msg, sizeof msg,
                             "SIP/2.0 200 OK\r\n%sFrom: %s\r\nTo: %s;tag=%s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                             "Contact: <sip:peer@" HOST ":%d>\r\nContent-Type: application/sdp\r\n"
                             "Content-Length: %zu\r\n\r\n%s",
                             v, h_from, h_to, tag, h_cid, h_cseq, opt.port, strlen(sdp), sdp);
        sendto(sip, msg, n, 0, (struct sockaddr *)&peer, sizeof peer);
        if (media_addr(body_of(buf), &media) != 0 || make_sessions(sd, &tx, &rx) != 0)
            return 1;
        for (i = 0; i < 20; i++) { /* wait for the ACK */
            struct sockaddr_in f;
            r = recv_to(sip, buf, sizeof buf, opt.timeout, &f);
            if (r <= 0 || strncmp(buf, "ACK ", 4) == 0)
                break;
        }
        ok = exchange(rtp, rtcp, &media, tx, rx);
        for (i = 0; i < 20; i++) { /* answer the BYE */
            struct sockaddr_in f;
            r = recv_to(sip, buf, sizeof buf, 3, &f);
            if (r <= 0)
                break;
            if (strncmp(buf, "BYE ", 4) == 0) {
                header(buf, "From", h_from, sizeof h_from);
                header(buf, "To", h_to, sizeof h_to);
                header(buf, "Call-ID", h_cid, sizeof h_cid);
                header(buf, "CSeq", h_cseq, sizeof h_cseq);
                vias(buf, v, sizeof v);
                n = (size_t)snprintf(msg, sizeof msg,
                                     "SIP/2.0 200 OK\r\n%sFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                                     "Content-Length: 0\r\n\r\n",
                                     v, h_from, h_to, h_cid, h_cseq);
                sendto(sip, msg, n, 0, (struct sockaddr *)&f, sizeof f);
                printf("[sdes_call] BYE answered\n");
                break;
            }
        }
    } else {
        char host[64];
        int pport;
        char to_tag[128] = "", callid[64], branch[32];
        if (opt.to == NULL || sscanf(opt.to, "sip:%*[^@]@%63[^:;]:%d", host, &pport) != 2) {
            fprintf(stderr, "sdes_call: offer needs --to sip:user@host:port\n");
            return 2;
        }
        memset(&peer, 0, sizeof peer);
        peer.sin_family = AF_INET;
        peer.sin_port = htons((uint16_t)pport);
        inet_pton(AF_INET, host, &peer.sin_addr);
        local_sdp(msg, sizeof msg);
        if (phonesec_sdes_offer(sd, msg, strlen(msg), sdp, sizeof sdp, &n) != PHONESEC_OK)
            return 1;
        printf("[sdes_call] offer:\n%s", sdp);
        snprintf(callid, sizeof callid, "%08x%s@" HOST, (unsigned)rnd, tag);
        snprintf(branch, sizeof branch, "z9hG4bK%s1", tag);
        n = (size_t)snprintf(msg, sizeof msg,
                             "INVITE %s SIP/2.0\r\nVia: SIP/2.0/UDP " HOST ":%d;branch=%s;rport\r\n"
                             "Max-Forwards: 70\r\nFrom: <sip:peer@" HOST ":%d>;tag=%s\r\nTo: <%s>\r\n"
                             "Call-ID: %s\r\nCSeq: 1 INVITE\r\nContact: <sip:peer@" HOST ":%d>\r\n"
                             "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
                             opt.to, opt.port, branch, opt.port, tag, opt.to, callid, opt.port, strlen(sdp), sdp);
        sendto(sip, msg, n, 0, (struct sockaddr *)&peer, sizeof peer);
        for (;;) {
            struct sockaddr_in f;
            int code;
            r = recv_to(sip, buf, sizeof buf, opt.timeout, &f);
            if (r <= 0) {
                fprintf(stderr, "sdes_call: no final response\n");
                return 1;
            }
            if (sscanf(buf, "SIP/2.0 %d", &code) != 1)
                continue;
            if (code < 200)
                continue;
            if (code != 200) {
                fprintf(stderr, "sdes_call: call failed: %.40s\n", buf);
                return 1;
            }
            break;
        }
        header(buf, "To", h_to, sizeof h_to);
        header(buf, "Contact", h_contact, sizeof h_contact);
        {
            const char *t = strstr(h_to, ";tag=");
            if (t)
                sscanf(t + 5, "%127[^;> ]", to_tag);
        }
        n = (size_t)snprintf(msg, sizeof msg,
                             "ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP " HOST ":%d;branch=z9hG4bK%s2;rport\r\n"
                             "Max-Forwards: 70\r\nFrom: <sip:peer@" HOST ":%d>;tag=%s\r\nTo: <%s>;tag=%s\r\n"
                             "Call-ID: %s\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
                             opt.to, opt.port, tag, opt.port, tag, opt.to, to_tag, callid);
        sendto(sip, msg, n, 0, (struct sockaddr *)&peer, sizeof peer);
        printf("[sdes_call] answer:\n%s", body_of(buf));
        rc = phonesec_sdes_accept_answer(sd, body_of(buf), strlen(body_of(buf)));
        if (rc != PHONESEC_OK) {
            char e[512];
            phonesec_sdes_last_error(sd, e, sizeof e);
            fprintf(stderr, "sdes_call: answer refused: %s\n", e);
            return 1;
        }
        if (media_addr(body_of(buf), &media) != 0 || make_sessions(sd, &tx, &rx) != 0)
            return 1;
        ok = exchange(rtp, rtcp, &media, tx, rx);
        n = (size_t)snprintf(msg, sizeof msg,
                             "BYE %s SIP/2.0\r\nVia: SIP/2.0/UDP " HOST ":%d;branch=z9hG4bK%s3;rport\r\n"
                             "Max-Forwards: 70\r\nFrom: <sip:peer@" HOST ":%d>;tag=%s\r\nTo: <%s>;tag=%s\r\n"
                             "Call-ID: %s\r\nCSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
                             opt.to, opt.port, tag, opt.port, tag, opt.to, to_tag, callid);
        sendto(sip, msg, n, 0, (struct sockaddr *)&peer, sizeof peer);
    }
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
    phonesec_sdes_free(sd);
    phonesec_shutdown();
    close(sip);
    close(rtp);
    close(rtcp);
    return ok >= 10 ? 0 : 1;
}
