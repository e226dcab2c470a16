/*
 * End-to-end demo of libphonesec: what a phone's firmware does, on loopback,
 * with only the public API.
 *
 *   demo PKI_DIR      (PKI_DIR from examples/mkpki.sh: ca.crt, server.crt/.key,
 *                      client.crt/.key, and optionally phone.cfg.enc made with
 *                      `openssl enc`)
 *
 * 1. boot: phonesec_init, build report, the administrator's cipher string
 * 2. register over TLS: persistent flow (phone) to a demo proxy (server TLS
 *    context, mutual TLS) in one event loop; MediaSec (RFC 3329) 401 / 200
 * 3. call: SDES offer/answer (sdes-srtp agreed => mandatory, a=3ge2ae),
 *    SRTP both ways over UDP loopback, tampered and replayed packets refused
 * 4. network hiccup: the proxy drops the connection and restarts; the flow
 *    reports LOST, retries with backoff, REESTABLISHED; re-REGISTER and
 *    MediaSec renegotiated on the new flow
 * 5. provisioning: encrypted configuration files (psec and openssl formats)
 *
 * Exit 0 only if every step succeeded ("demo: OK" is the last line).
 * One process, no threads, binds 127.0.0.1 only.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <phonesec.h>

#define LOCK "\xF0\x9F\x94\x92" /* U+1F512 lock */
#define OPEN "\xF0\x9F\x94\x93" /* U+1F513 open lock */
#define DOMAIN "sip.demo.test"
#define HOST "127.0.0.1"
#define PACKETS 50

/* The proxy's Security-Server list (one header per mechanism, as Deutsche
 * Telekom sends it). */
static const char *const server_mechs[] = {"sdes-srtp;mediasec;q=0.2", "msrp-tls;mediasec;q=0.1"};

static int failures;
static char pki[512];

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 1, 2)))
#endif
static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  FAIL: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failures++;
}

static void section(const char *title)
{
    printf("\n== %s ==\n", title);
}

static const char *path(const char *name)
{
    static char buf[4][600];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", pki, name);
    return buf[i];
}

static void log_hook(void *ud, int level, const char *module, const char *msg)
{
    (void)ud;
    printf("  [lib %s %s] %s\n", level <= PHONESEC_LOG_ERROR ? "error" : level == PHONESEC_LOG_WARN ? "warn" : "info",
           module, msg);
}

/* Value of header `name` (first one) of a SIP message, NUL-terminated. */
static int header(const char *msg, size_t len, const char *name, char *out, size_t cap)
{
    size_t off, vl;
    if (phonesec_mediasec_msg_find(msg, len, name, 0, &off, &vl) != PHONESEC_OK || vl >= cap) {
        out[0] = '\0';
        return -1;
    }
    memcpy(out, msg + off, vl);
    out[vl] = '\0';
    return 0;
}

static const char *body_of(const char *msg, size_t len, size_t *blen)
{
    const char *b = NULL;
    size_t i;
    for (i = 0; i + 3 < len; i++)
        if (memcmp(msg + i, "\r\n\r\n", 4) == 0) {
            b = msg + i + 4;
            break;
        }
    *blen = b ? len - (size_t)(b - msg) : 0;
    return b ? b : "";
}

/* Print the security-relevant header lines of a message, indented. */
static void show_sec_headers(const char *msg, size_t len)
{
    static const char *const names[] = {"Security-Client", "Security-Server", "Security-Verify", "Require",
                                        "Proxy-Require"};
    size_t i, k, off, vl;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        for (k = 0; phonesec_mediasec_msg_find(msg, len, names[i], k, &off, &vl) == PHONESEC_OK; k++)
            printf("       %s: %.*s\n", names[i], (int)vl, msg + off);
}

/* Print one SDP line, indented; the key of an a=crypto line is hidden. */
static void show_sdp_line(const char *p, size_t l)
{
    const char *k = strncmp(p, "a=crypto", 8) == 0 ? strstr(p, "inline:") : NULL;
    if (k != NULL && (size_t)(k - p) < l)
        printf("       %.*s<key hidden>\n", (int)(k + 7 - p), p);
    else
        printf("       %.*s\n", (int)l, p);
}

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int bind_local(int type, unsigned port, unsigned *bound)
{
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    int one = 1, fd = socket(AF_INET, type, 0);
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, HOST, &a.sin_addr);
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || (type == SOCK_STREAM && listen(fd, 4) != 0) ||
        getsockname(fd, (struct sockaddr *)&a, &al) != 0 || set_nonblock(fd) != 0) {
        close(fd);
        return -1;
    }
    *bound = ntohs(a.sin_port);
    return fd;
}

/* ======================================================================== */
/* The demo proxy (registrar + the callee "2002"): simple demo code on the
 * library's server-side TLS and MediaSec helpers. */

static struct proxy {
    phonesec_tls_ctx *ctx;
    int lfd;                  /* listening socket, -1 while "restarting" */
    unsigned port;
    uint64_t reopen_at;       /* when to listen again after a drop */
    int fd;                   /* accepted connection */
    phonesec_tls_io io;
    phonesec_tls_conn *conn;
    int established;
    char in[65536];
    size_t in_len;
    phonesec_mediasec_list *sent; /* Security-Server list we send */
    int challenged;               /* 401 with Security-Server sent on this connection */
    unsigned registrations, pings, connections;
    /* callee side of the call */
    phonesec_sdes *sdes;
    unsigned rtp_port;
    int got_ack, got_bye;
} px = {.lfd = -1, .fd = -1};

static void proxy_close_conn(void)
{
    phonesec_tls_conn_free(px.conn);
    px.conn = NULL;
    if (px.fd >= 0)
        close(px.fd);
    px.fd = -1;
    px.established = 0;
    px.in_len = 0;
    px.challenged = 0;
}

static int proxy_send(const char *data, size_t len)
{
    size_t off = 0, w;
    int tries = 0;
    while (off < len) {
        int rc = phonesec_tls_conn_write(px.conn, (const uint8_t *)data + off, len - off, &w);
        if (rc == PHONESEC_OK) {
            off += w;
        } else if (rc == PHONESEC_E_WOULD_BLOCK && tries++ < 100) {
            struct pollfd p = {px.fd, POLLOUT, 0};
            (void)poll(&p, 1, 20);
        } else {
            fail("proxy: send: %s", phonesec_strerror(rc));
            return -1;
        }
    }
    return 0;
}

/* Send a response to request `req`; extra = more header lines (CRLF ended). */
static void proxy_respond(const char *req, size_t len, const char *status, const char *extra, const char *body)
{
    char via[512], from[512], to[512], cid[256], cseq[128], msg[8192];
    int n;
    header(req, len, "Via", via, sizeof via);
    header(req, len, "From", from, sizeof from);
    header(req, len, "To", to, sizeof to);
    header(req, len, "Call-ID", cid, sizeof cid);
    header(req, len, "CSeq", cseq, sizeof cseq);
    n = snprintf(msg, sizeof msg,
                 "SIP/2.0 %s\r\nVia: %s\r\nFrom: %s\r\nTo: %s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n%s"
                 "%sContent-Length: %zu\r\n\r\n%s",
                 status, via, from, to, strstr(to, ";tag=") ? "" : ";tag=proxy1", cid, cseq, extra ? extra : "",
                 body ? "Content-Type: application/sdp\r\n" : "", body ? strlen(body) : 0, body ? body : "");
    if (n > 0 && (size_t)n < sizeof msg)
        (void)proxy_send(msg, (size_t)n);
}

static void proxy_handle_register(const char *m, size_t len)
{
    size_t n_client = 0, n_verify = 0, i;
    int status = 0;
    (void)phonesec_mediasec_msg_count(m, len, PHONESEC_MEDIASEC_HDR_CLIENT, &n_client);
    (void)phonesec_mediasec_msg_count(m, len, PHONESEC_MEDIASEC_HDR_VERIFY, &n_verify);
    if (n_client > 0 && n_verify == 0 && !px.challenged) {
        /* First REGISTER asking for a security agreement: challenge, and
         * say which mechanisms this server offers (RFC 3329 §2.3.1). */
        char extra[1024];
        size_t el = 0;
        el += (size_t)snprintf(extra + el, sizeof extra - el,
                               "WWW-Authenticate: Digest realm=\"" DOMAIN "\", nonce=\"demo\", algorithm=MD5\r\n");
        for (i = 0; i < sizeof server_mechs / sizeof server_mechs[0]; i++)
            el += (size_t)snprintf(extra + el, sizeof extra - el, "Security-Server: %s\r\n", server_mechs[i]);
        px.challenged = 1;
        printf("  proxy  <- REGISTER with Security-Client; -> 401 Unauthorized with Security-Server:\n");
        for (i = 0; i < sizeof server_mechs / sizeof server_mechs[0]; i++)
            printf("       Security-Server: %s\n", server_mechs[i]);
        proxy_respond(m, len, "401 Unauthorized", extra, NULL);
        return;
    }
    if (phonesec_mediasec_server_check(px.sent, m, len, &status) != PHONESEC_OK || status != 0 ||
        (px.challenged && n_verify == 0)) {
        printf("  proxy  <- REGISTER: Security-Verify does not match what we sent -> 494\n");
        proxy_respond(m, len, "494 Security Agreement Required", NULL, NULL);
        return;
    }
    px.registrations++;
    printf("  proxy  <- REGISTER: Security-Verify equals our Security-Server list (phonesec_mediasec_server_check)"
           " -> 200 OK\n");
    proxy_respond(m, len, "200 OK", "Contact: <sip:1001@" HOST ";transport=tls>;expires=600\r\n", NULL);
}

static void callee_sdp(char *out, size_t cap)
{
    snprintf(out, cap,
             "v=0\r\no=callee 2 1 IN IP4 " HOST "\r\ns=-\r\nc=IN IP4 " HOST "\r\nt=0 0\r\n"
             "m=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n",
             px.rtp_port);
}

static void proxy_handle_invite(const char *m, size_t len)
{
    phonesec_sdes_policy pol = PHONESEC_SDES_POLICY_INIT;
    char local[1024], sdp[4096], e[256];
    size_t blen, n;
    const char *body = body_of(m, len, &blen);
    int v = 0, rc;

    if (phonesec_mediasec_sdp_3ge2ae(body, blen, &v) == PHONESEC_OK && v == PHONESEC_MEDIASEC_3GE2AE_REQUESTED)
        printf("  callee <- INVITE: offer carries a=3ge2ae:requested (media security end to access edge)\n");
    else
        fail("callee: the offer has no a=3ge2ae:requested");
    pol.mode = PHONESEC_SDES_MANDATORY;
    phonesec_sdes_free(px.sdes);
    px.sdes = NULL;
    rc = phonesec_sdes_new(&pol, &px.sdes);
    if (rc == PHONESEC_OK)
        rc = phonesec_sdes_set_signalling_tls(px.sdes, 1);
    if (rc == PHONESEC_OK)
        rc = phonesec_sdes_answer(px.sdes, body, blen);
    callee_sdp(local, sizeof local);
    if (rc == PHONESEC_OK)
        rc = phonesec_sdes_answer_sdp(px.sdes, local, strlen(local), sdp, sizeof sdp, &n);
    if (rc != PHONESEC_OK) {
        (void)phonesec_sdes_last_error(px.sdes, e, sizeof e);
        fail("callee: cannot answer the offer: %s (%s)", phonesec_strerror(rc), e);
        proxy_respond(m, len, "488 Not Acceptable Here", NULL, NULL);
        return;
    }
    printf("  callee -> 200 OK, answer (phonesec_sdes_answer + phonesec_sdes_answer_sdp):\n");
    {
        const char *p = sdp;
        while (*p) {
            const char *eol = strstr(p, "\r\n");
            size_t l = eol ? (size_t)(eol - p) : strlen(p);
            if (strncmp(p, "m=", 2) == 0 || strncmp(p, "a=crypto", 8) == 0 || strncmp(p, "a=3ge2ae", 8) == 0)
                show_sdp_line(p, l);
            p += l + (eol ? 2 : 0);
        }
    }
    proxy_respond(m, len, "200 OK", "Contact: <sip:2002@" HOST ";transport=tls>\r\n", sdp);
}

static void proxy_handle(const char *m, size_t len)
{
    char method[32];
    int status = 0;
    if (phonesec_mediasec_msg_method(m, len, method, sizeof method) != PHONESEC_OK) {
        fail("proxy: unparsable message");
        return;
    }
    if (strcmp(method, "REGISTER") == 0) {
        proxy_handle_register(m, len);
        return;
    }
    /* Every later request must carry the agreed Security-Verify. */
    if (phonesec_mediasec_server_check(px.sent, m, len, &status) != PHONESEC_OK || status != 0) {
        fail("proxy: %s without the right Security-Verify", method);
        if (strcmp(method, "ACK") != 0)
            proxy_respond(m, len, "494 Security Agreement Required", NULL, NULL);
        return;
    }
    if (strcmp(method, "INVITE") == 0) {
        proxy_handle_invite(m, len);
    } else if (strcmp(method, "ACK") == 0) {
        px.got_ack = 1;
        printf("  callee <- ACK (with Security-Verify)\n");
    } else if (strcmp(method, "BYE") == 0) {
        px.got_bye = 1;
        printf("  callee <- BYE -> 200 OK\n");
        proxy_respond(m, len, "200 OK", NULL, NULL);
    } else {
        proxy_respond(m, len, "501 Not Implemented", NULL, NULL);
    }
}

/* Cut the received bytes into keep-alive pings and whole SIP messages. */
static void proxy_frame(void)
{
    for (;;) {
        size_t i, hdr = 0, cl = 0, total, off, vl;
        char num[32];
        if (px.in_len >= 4 && memcmp(px.in, "\r\n\r\n", 4) == 0) {
            px.pings++; /* RFC 5626 keep-alive ping: answer with a CRLF pong */
            memmove(px.in, px.in + 4, px.in_len - 4);
            px.in_len -= 4;
            (void)proxy_send("\r\n", 2);
            continue;
        }
        if (px.in_len > 0 && (px.in[0] == '\r' || px.in[0] == '\n')) {
            if (px.in_len < 4)
                return; /* maybe half a ping */
            memmove(px.in, px.in + 1, px.in_len - 1);
            px.in_len--;
            continue;
        }
        for (i = 0; i + 3 < px.in_len; i++)
            if (memcmp(px.in + i, "\r\n\r\n", 4) == 0) {
                hdr = i + 4;
                break;
            }
        if (hdr == 0)
            return;
        if (phonesec_mediasec_msg_find(px.in, hdr, "Content-Length", 0, &off, &vl) == PHONESEC_OK && vl < sizeof num) {
            memcpy(num, px.in + off, vl);
            num[vl] = '\0';
            cl = (size_t)strtoul(num, NULL, 10);
        }
        total = hdr + cl;
        if (total > sizeof px.in) {
            fail("proxy: message too large");
            proxy_close_conn();
            return;
        }
        if (px.in_len < total)
            return;
        proxy_handle(px.in, total);
        if (px.conn == NULL)
            return;
        memmove(px.in, px.in + total, px.in_len - total);
        px.in_len -= total;
    }
}

static void proxy_accept(void)
{
    phonesec_tls_conn_config cc = PHONESEC_TLS_CONN_CONFIG_INIT;
    int fd = accept(px.lfd, NULL, NULL), rc;
    if (fd < 0)
        return;
    if (px.conn != NULL)
        proxy_close_conn();
    px.fd = fd;
    if (set_nonblock(fd) != 0 || phonesec_tls_io_socket(&px.io, &px.fd) != PHONESEC_OK) {
        fail("proxy: socket setup");
        proxy_close_conn();
        return;
    }
    cc.io = px.io;
    rc = phonesec_tls_conn_new(px.ctx, &cc, &px.conn);
    if (rc != PHONESEC_OK) {
        fail("proxy: phonesec_tls_conn_new: %s", phonesec_strerror(rc));
        proxy_close_conn();
        return;
    }
    px.connections++;
}

static void proxy_io(void)
{
    uint8_t buf[4096];
    size_t got;
    int rc;
    if (px.conn == NULL)
        return;
    if (!px.established) {
        phonesec_tls_info ti;
        rc = phonesec_tls_conn_handshake(px.conn);
        if (rc == PHONESEC_E_WOULD_BLOCK)
            return;
        if (rc != PHONESEC_OK) {
            char e[256];
            (void)phonesec_tls_conn_last_error(px.conn, e, sizeof e);
            fail("proxy: TLS handshake: %s", e);
            proxy_close_conn();
            return;
        }
        px.established = 1;
        ti.version = PHONESEC_TLS_INFO_VERSION;
        if (phonesec_tls_conn_info(px.conn, &ti) == PHONESEC_OK)
            printf("  proxy  accepted TLS connection #%u: mutual TLS, client certificate \"%s\" %s%s\n",
                   px.connections, ti.peer_subject,
                   ti.chain == PHONESEC_TLS_CHECK_PASSED ? "verified against " : "NOT verified",
                   ti.chain == PHONESEC_TLS_CHECK_PASSED ? ti.chain_anchor : "");
    }
    for (;;) {
        rc = phonesec_tls_conn_read(px.conn, buf, sizeof buf, &got);
        if (rc == PHONESEC_E_WOULD_BLOCK)
            break;
        if (rc != PHONESEC_OK) {
            if (rc != PHONESEC_E_CLOSED)
                printf("  proxy  connection ended: %s\n", phonesec_strerror(rc));
            proxy_close_conn();
            return;
        }
        if (got > sizeof px.in - px.in_len) {
            fail("proxy: input overflow");
            proxy_close_conn();
            return;
        }
        memcpy(px.in + px.in_len, buf, got);
        px.in_len += got;
    }
    proxy_frame();
}

/* ======================================================================== */
/* The phone: persistent TLS flow + MediaSec + SDES, as firmware would. */

static struct phone {
    phonesec_tls_ctx *ctx;
    phonesec_flow_tls *binding;
    phonesec_flow *flow;
    phonesec_mediasec *ms;
    unsigned cseq;
    char call_id[64];
    int registered;       /* 200 to REGISTER on the current flow */
    int lost, attempt_failed, reestablished;
    int last_status;      /* last final response */
    char last_resp[8192]; /* last final response to INVITE */
    size_t last_resp_len;
    int got_invite_resp, got_bye_resp;
    unsigned rtp_port;
    uint64_t lost_at;
    int pong_seen;        /* set by the event loop once a keep-alive pong came back */
} ph;

static void phone_send(const char *method, const char *ruri, const char *to, const char *extra, const char *body)
{
    char msg[8192], out[8192];
    size_t ol;
    int n, rc;
    n = snprintf(msg, sizeof msg,
                 "%s %s SIP/2.0\r\nVia: SIP/2.0/TLS " HOST ":5061;branch=z9hG4bK-%s-%u;rport\r\n"
                 "Max-Forwards: 70\r\nFrom: <sip:1001@" DOMAIN ">;tag=phone1\r\nTo: %s\r\n"
                 "Call-ID: %s\r\nCSeq: %u %s\r\n%s%sContent-Length: %zu\r\n\r\n%s",
                 method, ruri, method, ph.cseq, to, strcmp(method, "REGISTER") == 0 ? ph.call_id : "call-1@" HOST,
                 strcmp(method, "ACK") == 0 ? ph.cseq - 1 : ph.cseq, method, extra ? extra : "",
                 body ? "Content-Type: application/sdp\r\n" : "", body ? strlen(body) : 0, body ? body : "");
    if (strcmp(method, "ACK") != 0)
        ph.cseq++;
    if (n <= 0 || (size_t)n >= sizeof msg) {
        fail("phone: message too long");
        return;
    }
    /* MediaSec decorates every request on this flow. */
    rc = phonesec_mediasec_prepare_request(ph.ms, msg, (size_t)n, out, sizeof out, &ol);
    if (rc != PHONESEC_OK) {
        fail("phone: phonesec_mediasec_prepare_request: %s", phonesec_strerror(rc));
        return;
    }
    printf("  phone  -> %s (phonesec_mediasec_prepare_request added:)\n", method);
    show_sec_headers(out, ol);
    rc = phonesec_flow_send(ph.flow, (const uint8_t *)out, ol);
    if (rc != PHONESEC_OK)
        fail("phone: phonesec_flow_send: %s", phonesec_strerror(rc));
}

static void phone_register(void)
{
    phone_send("REGISTER", "sip:" DOMAIN, "<sip:1001@" DOMAIN ">",
               "Contact: <sip:1001@" HOST ";transport=tls>;reg-id=1;"
               "+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-000000000001>\"\r\n"
               "Supported: outbound\r\nExpires: 600\r\n",
               NULL);
}

static void show_tls(void)
{
    phonesec_tls_conn *c = phonesec_flow_tls_conn(phonesec_flow_connection(ph.flow, 0));
    phonesec_tls_info ti;
    ti.version = PHONESEC_TLS_INFO_VERSION;
    if (c == NULL || phonesec_tls_conn_info(c, &ti) != PHONESEC_OK) {
        fail("phone: no TLS connection info");
        return;
    }
    printf("  " LOCK " TLS %s, %s%s\n", ti.protocol_name, ti.suite_name, ti.resumed ? " (session resumed)" : "");
    printf("  " LOCK " server certificate \"%s\" (SANs %s)\n", ti.peer_subject, ti.peer_sans);
    printf("  " LOCK " chain %s against trusted \"%s\"%s\n",
           ti.chain == PHONESEC_TLS_CHECK_PASSED ? "verified" : "NOT verified", ti.chain_anchor,
           ti.chain_enforced ? " (Only Accept Trusted Certificates: on)" : "");
    printf("  " LOCK " identity (%s mode) %s: %s\n", ti.identity_mode == PHONESEC_TLS_IDENTITY_SIP ? "SIP/RFC 5922" : "HTTPS",
           ti.name == PHONESEC_TLS_CHECK_PASSED ? "matched" : "NOT matched", ti.name_detail);
    if (!ti.established || ti.chain != PHONESEC_TLS_CHECK_PASSED || ti.name != PHONESEC_TLS_CHECK_PASSED)
        fail("phone: TLS checks did not all pass");
}

static void on_event(void *ud, const phonesec_flow_event *e)
{
    (void)ud;
    switch (e->type) {
    case PHONESEC_FLOW_EV_CONNECTED:
        printf("  phone  flow event CONNECTED (server %u)\n", e->server);
        show_tls();
        (void)phonesec_mediasec_reset(ph.ms, 1);
        ph.registered = 0;
        phone_register();
        break;
    case PHONESEC_FLOW_EV_LOST:
        ph.lost++;
        ph.registered = 0;
        printf("  phone  flow event LOST: %s, next attempt in %llu ms\n", phonesec_strerror(e->reason),
               (unsigned long long)e->retry_in_ms);
        break;
    case PHONESEC_FLOW_EV_ATTEMPT_FAILED:
        ph.attempt_failed++;
        printf("  phone  flow event ATTEMPT_FAILED: %s, %u failure(s), RFC 5626 backoff: next attempt in %llu ms\n",
               phonesec_strerror(e->reason), e->failures, (unsigned long long)e->retry_in_ms);
        break;
    case PHONESEC_FLOW_EV_REESTABLISHED:
        ph.reestablished++;
        printf("  phone  flow event REESTABLISHED after %llu ms%s\n",
               (unsigned long long)(phonesec_now_ms() - ph.lost_at), e->resumed ? ", TLS session resumed" : "");
        show_tls();
        /* A new flow: the old security agreement belonged to the old one. */
        (void)phonesec_mediasec_reset(ph.ms, 1);
        printf("  phone  phonesec_mediasec_reset(): negotiation state %s\n",
               phonesec_mediasec_state(ph.ms) == PHONESEC_MEDIASEC_ST_PENDING ? "PENDING" : "?");
        ph.registered = 0;
        phone_register();
        break;
    default:
        printf("  phone  flow event %d\n", e->type);
        break;
    }
}

static void on_message(void *ud, const uint8_t *msg, size_t len)
{
    const char *m = (const char *)msg;
    char method[32];
    int status = 0, rc;
    (void)ud;
    if (phonesec_mediasec_msg_status(m, len, &status) != PHONESEC_OK ||
        phonesec_mediasec_msg_method(m, len, method, sizeof method) != PHONESEC_OK) {
        fail("phone: unexpected message");
        return;
    }
    /* Every response on the flow goes through MediaSec. */
    rc = phonesec_mediasec_on_response(ph.ms, m, len);
    if (rc != PHONESEC_OK) {
        char e[256];
        (void)phonesec_mediasec_last_error(ph.ms, e, sizeof e);
        fail("phone: phonesec_mediasec_on_response: %s (%s)", phonesec_strerror(rc), e);
        return;
    }
    if (status < 200)
        return;
    ph.last_status = status;
    printf("  phone  <- %d to %s\n", status, method);
    if (strcmp(method, "REGISTER") == 0) {
        if (status == 401 && phonesec_mediasec_state(ph.ms) == PHONESEC_MEDIASEC_ST_AGREED) {
            char v[512];
            size_t vl;
            if (phonesec_mediasec_list_print(phonesec_mediasec_server_list(ph.ms), NULL, PHONESEC_MEDIASEC_STYLE_VALUE,
                                             v, sizeof v, &vl) == PHONESEC_OK)
                printf("  phone  MediaSec state AGREED, server list stored: %s\n", v);
            phone_register(); /* (a real phone adds its digest credentials here) */
        } else if (status == 200) {
            ph.registered = 1;
            (void)phonesec_flow_confirm(ph.flow);
            printf("  phone  registered on this flow (phonesec_flow_confirm)\n");
        } else {
            fail("phone: REGISTER answered %d", status);
        }
    } else if (strcmp(method, "INVITE") == 0) {
        if (len < sizeof ph.last_resp) {
            memcpy(ph.last_resp, m, len);
            ph.last_resp_len = len;
        }
        ph.got_invite_resp = 1;
    } else if (strcmp(method, "BYE") == 0) {
        ph.got_bye_resp = 1;
    }
}

/* ======================================================================== */
/* The one event loop: proxy sockets, the flow's connection, the flow's timers. */

static int run_until(const int *flag, unsigned timeout_ms)
{
    uint64_t end = phonesec_now_ms() + timeout_ms;
    while (!*flag && failures == 0) {
        struct pollfd p[3];
        int n = 0, i_l = -1, i_p = -1, i_f = -1;
        int64_t t = phonesec_flow_next_timeout_ms(ph.flow);
        uint64_t now = phonesec_now_ms();
        void *c = phonesec_flow_connection(ph.flow, 0);
        if (now >= end)
            return -1;
        if (px.lfd < 0 && px.reopen_at != 0 && now >= px.reopen_at) {
            unsigned port;
            px.lfd = bind_local(SOCK_STREAM, px.port, &port);
            if (px.lfd >= 0) {
                px.reopen_at = 0;
                printf("  proxy  back up, listening on " HOST ":%u again\n", px.port);
            }
        }
        if (px.lfd >= 0) {
            i_l = n;
            p[n].fd = px.lfd;
            p[n].events = POLLIN;
            n++;
        }
        if (px.conn != NULL) {
            i_p = n;
            p[n].fd = px.fd;
            p[n].events = POLLIN;
            if (!px.established && (phonesec_tls_conn_wants(px.conn) & PHONESEC_TLS_WANT_WRITE))
                p[n].events |= POLLOUT;
            n++;
        }
        if (c != NULL) {
            unsigned w = phonesec_flow_tls_wants(c);
            if (phonesec_flow_state(ph.flow) == PHONESEC_FLOW_UP && phonesec_flow_wants_write(ph.flow))
                w |= PHONESEC_TLS_WANT_WRITE;
            i_f = n;
            p[n].fd = phonesec_flow_tls_fd(c);
            p[n].events = (short)(((w & PHONESEC_TLS_WANT_READ) ? POLLIN : 0) |
                                  ((w & PHONESEC_TLS_WANT_WRITE) ? POLLOUT : 0));
            n++;
        }
        if (t < 0 || t > 50)
            t = 50;
        if (poll(p, (nfds_t)n, (int)t) > 0) {
            if (i_l >= 0 && p[i_l].revents)
                proxy_accept();
            if (i_p >= 0 && p[i_p].revents)
                proxy_io();
            if (i_f >= 0 && p[i_f].revents)
                (void)phonesec_flow_on_io(ph.flow);
        }
        (void)phonesec_flow_tick(ph.flow);
        if (!ph.pong_seen) {
            phonesec_flow_stats st;
            st.version = PHONESEC_FLOW_STATS_VERSION;
            ph.pong_seen = phonesec_flow_get_stats(ph.flow, &st) == PHONESEC_OK && st.pongs_received > 0;
        }
    }
    return failures == 0 ? 0 : -1;
}

/* ======================================================================== */
/* Steps */

static int step_boot(void)
{
    static const char *admin_setting = "   "; /* "SIP TLS cipher list" left blank in the web UI */
    char report[2048];
    size_t n, i, cap = phonesec_ciphers_count(), count = 0, avail = 0;
    uint16_t *codes = calloc(cap, sizeof *codes);
    int rc, fb = 0;
    const char *p;

    section("1. Boot");
    if (codes == NULL)
        return -1;
    rc = phonesec_build_report(report, sizeof report, &n);
    if (rc != PHONESEC_OK) {
        fail("phonesec_build_report: %s", phonesec_strerror(rc));
        free(codes);
        return -1;
    }
    printf("  phonesec_init() OK; build report:\n");
    for (p = report; *p;) {
        const char *eol = strchr(p, '\n');
        size_t l = eol ? (size_t)(eol - p) : strlen(p);
        printf("    %.*s\n", (int)l, p);
        p += l + (eol ? 1 : 0);
    }
    rc = phonesec_ciphers_select_or_preset(admin_setting, PHONESEC_CIPHERS_PRESET_DEFAULT, codes, cap, &count, &fb);
    if (rc != PHONESEC_OK) {
        fail("phonesec_ciphers_select_or_preset: %s", phonesec_strerror(rc));
        free(codes);
        return -1;
    }
    for (i = 0; i < count; i++)
        avail += (size_t)phonesec_ciphers_backend_available(codes[i]);
    printf("  administrator's SIP cipher list: \"%s\" (blank) -> %s preset \"%s\"\n", admin_setting,
           fb ? "falls back to the SIP DEFAULT" : "NOT the", phonesec_ciphers_preset(PHONESEC_CIPHERS_PRESET_DEFAULT));
    printf("  %zu TLS 1.2 suites selected in OpenSSL's order, %zu of them negotiable by the linked wolfSSL; first: %s\n",
           count, avail, count ? phonesec_ciphers_by_code(codes[0])->openssl_name : "-");
    if (!fb || avail == 0)
        fail("cipher policy: expected the DEFAULT fallback with negotiable suites");
    free(codes);
    return failures ? -1 : 0;
}

static int make_contexts(const char *admin_ciphers)
{
    phonesec_tls_config c;
    size_t n = 0;
    int rc, fb = 0;
    char e[256];

    /* Proxy: server certificate for sip:sip.demo.test, mutual TLS required. */
    phonesec_tls_config_init(&c);
    c.role = PHONESEC_TLS_SERVER;
    c.client_cert = PHONESEC_TLS_CLIENT_CERT_REQUIRE;
    rc = phonesec_tls_ctx_new(&c, &px.ctx);
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_ctx_set_certificate_file(px.ctx, path("server.crt"), path("server.key"));
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_ctx_add_trusted_file(px.ctx, path("ca.crt"));
    if (rc != PHONESEC_OK) {
        if (px.ctx)
            (void)phonesec_tls_ctx_last_error(px.ctx, e, sizeof e);
        fail("proxy TLS context: %s (%s)", phonesec_strerror(rc), px.ctx ? e : "");
        return -1;
    }
    /* Phone: the CA in its trust list, only-accept-trusted on, SIP identity
     * mode, its own certificate for mutual TLS, the admin's cipher list. */
    phonesec_tls_config_init(&c);
    c.role = PHONESEC_TLS_CLIENT;
    c.only_trusted = 1;
    c.identity_mode = PHONESEC_TLS_IDENTITY_SIP;
    c.cipher_list = admin_ciphers;
    c.cipher_preset = PHONESEC_CIPHERS_PRESET_DEFAULT;
    rc = phonesec_tls_ctx_new(&c, &ph.ctx);
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_ctx_add_trusted_file(ph.ctx, path("ca.crt"));
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_ctx_set_certificate_file(ph.ctx, path("client.crt"), path("client.key"));
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_ctx_set_ciphers(ph.ctx, admin_ciphers, NULL, &fb);
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_ctx_ciphers(ph.ctx, NULL, 0, &n);
    if (rc != PHONESEC_OK) {
        if (ph.ctx)
            (void)phonesec_tls_ctx_last_error(ph.ctx, e, sizeof e);
        fail("phone TLS context: %s (%s)", phonesec_strerror(rc), ph.ctx ? e : "");
        return -1;
    }
    printf("  phone TLS context: %zu trusted certificate(s), only-accept-trusted on, identity mode SIP,\n"
           "    client certificate for mutual TLS, %zu suites allowed (TLS 1.3 + the %s cipher list)\n",
           phonesec_tls_ctx_trusted_count(ph.ctx), n, fb ? "DEFAULT fallback" : "admin's");
    return 0;
}

/* A second handshake between the same two contexts, in memory (sans-I/O
 * feed/drain), with the phone configured for another SIP domain. */
static int wrong_domain_refused(const char *reference, char *why, size_t cap)
{
    phonesec_tls_conn_config cc = PHONESEC_TLS_CONN_CONFIG_INIT, sc = PHONESEC_TLS_CONN_CONFIG_INIT;
    phonesec_tls_conn *c = NULL, *sv = NULL;
    static uint8_t buf[32768];
    size_t n, used;
    int rc_c = PHONESEC_E_WOULD_BLOCK, rc_s = PHONESEC_E_WOULD_BLOCK, i;
    cc.reference_name = reference;
    why[0] = '\0';
    if (phonesec_tls_conn_new(ph.ctx, &cc, &c) != PHONESEC_OK || phonesec_tls_conn_new(px.ctx, &sc, &sv) != PHONESEC_OK) {
        phonesec_tls_conn_free(c);
        return PHONESEC_E_INTERNAL;
    }
    for (i = 0; i < 20 && (rc_c == PHONESEC_E_WOULD_BLOCK || rc_s == PHONESEC_E_WOULD_BLOCK); i++) {
        if (rc_c == PHONESEC_E_WOULD_BLOCK)
            rc_c = phonesec_tls_conn_handshake(c);
        while (phonesec_tls_conn_drain(c, buf, sizeof buf, &n) == PHONESEC_OK && n > 0)
            if (phonesec_tls_conn_feed(sv, buf, n, &used) != PHONESEC_OK)
                break;
        if (rc_s == PHONESEC_E_WOULD_BLOCK)
            rc_s = phonesec_tls_conn_handshake(sv);
        while (phonesec_tls_conn_drain(sv, buf, sizeof buf, &n) == PHONESEC_OK && n > 0)
            if (phonesec_tls_conn_feed(c, buf, n, &used) != PHONESEC_OK)
                break;
    }
    (void)phonesec_tls_conn_last_error(c, why, cap);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(sv);
    return rc_c;
}

static int step_register(void)
{
    phonesec_flow_tls_config bc;
    phonesec_flow_config fc;
    phonesec_mediasec_config mc = PHONESEC_MEDIASEC_CONFIG_INIT;
    size_t i;
    int rc;

    section("2. Register over TLS (persistent flow, MediaSec)");
    if (make_contexts("   ") != 0)
        return -1;
    px.lfd = bind_local(SOCK_STREAM, 0, &px.port);
    if (px.lfd < 0) {
        fail("proxy: cannot listen on " HOST);
        return -1;
    }
    if ((rc = phonesec_mediasec_list_new(&px.sent)) != PHONESEC_OK)
        return -1;
    for (i = 0; i < sizeof server_mechs / sizeof server_mechs[0]; i++)
        if (phonesec_mediasec_list_parse(px.sent, server_mechs[i], strlen(server_mechs[i])) != PHONESEC_OK) {
            fail("proxy: bad Security-Server list");
            return -1;
        }
    printf("  proxy  listening on " HOST ":%u (TLS, certificate for sip:" DOMAIN ")\n", px.port);

    /* MediaSec: client-initiated ("MediaSec Request = Yes"), over TLS only,
     * mandatory: no agreement, no registration. */
    mc.client_initiated = 1;
    mc.tls_only = 1;
    mc.policy = PHONESEC_MEDIASEC_MANDATORY;
    mc.client_mechanisms = "sdes-srtp;mediasec";
    if ((rc = phonesec_mediasec_new(&mc, &ph.ms)) != PHONESEC_OK) {
        fail("phonesec_mediasec_new: %s", phonesec_strerror(rc));
        return -1;
    }

    phonesec_flow_tls_config_init(&bc);
    bc.ctx = ph.ctx;
    bc.servers[0].host = HOST;
    bc.servers[0].port = px.port;
    bc.servers[0].reference_name = DOMAIN;
    if ((rc = phonesec_flow_tls_new(&bc, &ph.binding)) != PHONESEC_OK) {
        fail("phonesec_flow_tls_new: %s", phonesec_strerror(rc));
        return -1;
    }
    phonesec_flow_config_init(&fc);
    fc.transport = phonesec_flow_tls_transport();
    fc.transport_user = ph.binding;
    fc.keepalive_ms = 1500;       /* demo values: pings every 1.2-1.5 s ... */
    fc.pong_timeout_ms = 1000;
    fc.connect_timeout_ms = 5000;
    fc.base_all_fail_ms = 1000;   /* ... and an RFC 5626 backoff of 1-2 s */
    fc.max_backoff_ms = 2000;
    fc.retry_floor_ms = 100;      /* a flow that proved itself (a pong 1 s or more after it */
    fc.stable_ms = 1000;          /* came up) is rebuilt after 0.1-0.2 s */
    fc.event_cb = on_event;
    fc.message_cb = on_message;
    if ((rc = phonesec_flow_new(&fc, &ph.flow)) != PHONESEC_OK) {
        fail("phonesec_flow_new: %s", phonesec_strerror(rc));
        return -1;
    }
    snprintf(ph.call_id, sizeof ph.call_id, "reg-1@" HOST);
    ph.cseq = 1;
    printf("  phone  phonesec_flow_start(): TLS to " HOST ":%u, reference identity %s\n", px.port, DOMAIN);
    (void)phonesec_flow_start(ph.flow);
    if (run_until(&ph.registered, 10000) != 0) {
        if (failures == 0)
            fail("registration did not complete in time");
        return -1;
    }
    if (phonesec_mediasec_state(ph.ms) != PHONESEC_MEDIASEC_ST_AGREED || px.registrations != 1) {
        fail("MediaSec not agreed after registration");
        return -1;
    }
    /* What the proxy does with a request whose Security-Verify was altered
     * (a downgrade attempt by a man in the middle): 494. */
    {
        static const char forged[] = "REGISTER sip:" DOMAIN " SIP/2.0\r\nVia: SIP/2.0/TLS " HOST
                                     ";branch=z9hG4bK-x\r\nFrom: <sip:1001@" DOMAIN ">;tag=x\r\nTo: <sip:1001@" DOMAIN
                                     ">\r\nCall-ID: x\r\nCSeq: 9 REGISTER\r\nRequire: sec-agree\r\n"
                                     "Security-Verify: msrp-tls;mediasec;q=0.1\r\nContent-Length: 0\r\n\r\n";
        int st = 0;
        rc = phonesec_mediasec_server_check(px.sent, forged, sizeof forged - 1, &st);
        printf("  proxy  a REGISTER with a downgraded Security-Verify would get: %d\n", st);
        if (rc != PHONESEC_OK || st != 494)
            fail("server_check accepted a mismatched Security-Verify");
    }
    {
        char why[256];
        rc = wrong_domain_refused("sip.other.test", why, sizeof why);
        printf("  phone  same proxy certificate, phone configured for sip.other.test (in memory, feed/drain):\n"
               "         handshake refused: %s\n",
               why);
        if (rc != PHONESEC_E_NAME)
            fail("a certificate for another domain was not refused (%s)", phonesec_strerror(rc));
    }
    printf("  " LOCK " registered over TLS, MediaSec agreed\n");
    return failures ? -1 : 0;
}

static void rtp_packet(uint8_t *pkt, uint16_t seq, uint32_t ssrc, unsigned salt)
{
    uint32_t ts = (uint32_t)seq * 160u;
    size_t i;
    pkt[0] = 0x80;
    pkt[1] = 0; /* PCMU */
    pkt[2] = (uint8_t)(seq >> 8);
    pkt[3] = (uint8_t)seq;
    pkt[4] = (uint8_t)(ts >> 24);
    pkt[5] = (uint8_t)(ts >> 16);
    pkt[6] = (uint8_t)(ts >> 8);
    pkt[7] = (uint8_t)ts;
    pkt[8] = (uint8_t)(ssrc >> 24);
    pkt[9] = (uint8_t)(ssrc >> 16);
    pkt[10] = (uint8_t)(ssrc >> 8);
    pkt[11] = (uint8_t)ssrc;
    for (i = 0; i < 160; i++)
        pkt[12 + i] = (uint8_t)(i * 7u + seq + salt);
}

static int udp_to(unsigned port, struct sockaddr_in *a)
{
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, HOST, &a->sin_addr) == 1 ? 0 : -1;
}

static ssize_t udp_recv(int fd, uint8_t *buf, size_t cap)
{
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0)
        return -1;
    return recv(fd, buf, cap, 0);
}

/* Protect on tx, send from fd_from to port_to, receive on fd_to, unprotect on rx, compare. */
static int one_way(phonesec_srtp *tx, phonesec_srtp *rx, int fd_from, int fd_to, unsigned port_to, uint16_t seq,
                   uint32_t ssrc, unsigned salt, int tamper, int *result)
{
    uint8_t pkt[172], wire[256], in[256], plain[256];
    struct sockaddr_in to;
    size_t n, pn;
    ssize_t r;
    rtp_packet(pkt, seq, ssrc, salt);
    if (phonesec_srtp_protect(tx, pkt, sizeof pkt, wire, sizeof wire, &n) != PHONESEC_OK)
        return -1;
    if (memcmp(wire + 12, pkt + 12, 160) == 0)
        return -1; /* payload must not travel in clear */
    if (tamper)
        wire[40] ^= 0x01;
    if (udp_to(port_to, &to) != 0 || sendto(fd_from, wire, n, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)n)
        return -1;
    r = udp_recv(fd_to, in, sizeof in);
    if (r <= 0)
        return -1;
    *result = phonesec_srtp_unprotect(rx, in, (size_t)r, plain, sizeof plain, &pn);
    if (*result == PHONESEC_OK && (pn != sizeof pkt || memcmp(plain, pkt, sizeof pkt) != 0))
        return -1;
    return 0;
}

/* Send one good packet, then the very same bytes again (an attacker's replay). */
static int replay(phonesec_srtp *tx, phonesec_srtp *rx, int fd_from, int fd_to, unsigned port_to, int *result)
{
    uint8_t pkt[172], wire[256], in[256], plain[256];
    struct sockaddr_in to;
    size_t n, pn;
    ssize_t r;
    int k;
    rtp_packet(pkt, 1000 + PACKETS + 1, 0x11111111u, 1);
    if (phonesec_srtp_protect(tx, pkt, sizeof pkt, wire, sizeof wire, &n) != PHONESEC_OK || udp_to(port_to, &to) != 0)
        return -1;
    for (k = 0; k < 2; k++) {
        if (sendto(fd_from, wire, n, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)n)
            return -1;
        r = udp_recv(fd_to, in, sizeof in);
        if (r <= 0)
            return -1;
        *result = phonesec_srtp_unprotect(rx, in, (size_t)r, plain, sizeof plain, &pn);
        if (k == 0 && *result != PHONESEC_OK)
            return -1;
    }
    return 0;
}

static int make_srtp(phonesec_sdes *sd, phonesec_srtp **tx, phonesec_srtp **rx)
{
    phonesec_srtp_params in, out;
    int rc;
    if (phonesec_sdes_params(sd, 0, PHONESEC_SDES_INBOUND, &in) != PHONESEC_OK)
        return -1;
    if (phonesec_sdes_params(sd, 0, PHONESEC_SDES_OUTBOUND, &out) != PHONESEC_OK) {
        phonesec_srtp_params_wipe(&in);
        return -1;
    }
    rc = phonesec_srtp_new(&in, PHONESEC_SRTP_DIR_INBOUND, 0, rx);
    if (rc == PHONESEC_OK)
        rc = phonesec_srtp_new(&out, PHONESEC_SRTP_DIR_OUTBOUND, 0, tx);
    phonesec_srtp_params_wipe(&in);
    phonesec_srtp_params_wipe(&out);
    return rc == PHONESEC_OK ? 0 : -1;
}

static int step_call(void)
{
    phonesec_sdes_policy pol = PHONESEC_SDES_POLICY_INIT;
    phonesec_sdes *sd = NULL;
    phonesec_srtp *ptx = NULL, *prx = NULL, *ctx_ = NULL, *crx = NULL;
    phonesec_sdes_section_info si;
    phonesec_srtp_info info;
    char local[1024], offer[4096];
    size_t n, blen;
    const char *body;
    unsigned policy = phonesec_mediasec_media_policy(ph.ms), ok_fwd = 0, ok_back = 0, i;
    int rc, res = 0, phone_rtp = -1, callee_rtp = -1, ret = -1;

    section("3. Call (SDES / SRTP)");
    printf("  phone  phonesec_mediasec_media_policy(): %s%s\n",
           (policy & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED) ? "SDES_REQUIRED " : "",
           (policy & PHONESEC_MEDIASEC_MEDIA_3GE2AE) ? "3GE2AE" : "");
    if (!(policy & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED)) {
        fail("sdes-srtp was not agreed");
        return -1;
    }
    /* sdes-srtp agreed: SDES becomes mandatory for calls on this line. */
    pol.mode = PHONESEC_SDES_MANDATORY;
    if (policy & PHONESEC_MEDIASEC_MEDIA_3GE2AE)
        pol.flags |= PHONESEC_SDES_OFFER_3GE2AE;
    phone_rtp = bind_local(SOCK_DGRAM, 0, &ph.rtp_port);
    callee_rtp = bind_local(SOCK_DGRAM, 0, &px.rtp_port);
    if (phone_rtp < 0 || callee_rtp < 0) {
        fail("cannot bind the RTP sockets");
        goto out;
    }
    if ((rc = phonesec_sdes_new(&pol, &sd)) != PHONESEC_OK || (rc = phonesec_sdes_set_signalling_tls(sd, 1)) != 0) {
        fail("phonesec_sdes_new: %s", phonesec_strerror(rc));
        goto out;
    }
    snprintf(local, sizeof local,
             "v=0\r\no=phone1 1 1 IN IP4 " HOST "\r\ns=-\r\nc=IN IP4 " HOST "\r\nt=0 0\r\n"
             "m=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n",
             ph.rtp_port);
    if ((rc = phonesec_sdes_offer(sd, local, strlen(local), offer, sizeof offer, &n)) != PHONESEC_OK) {
        fail("phonesec_sdes_offer: %s", phonesec_strerror(rc));
        goto out;
    }
    {
        const char *p = offer;
        unsigned lines = 0;
        while (*p) {
            const char *eol = strstr(p, "\r\n");
            size_t l = eol ? (size_t)(eol - p) : strlen(p);
            if (strncmp(p, "a=crypto", 8) == 0)
                lines++;
            if (strncmp(p, "m=", 2) == 0 || strncmp(p, "a=3ge2ae", 8) == 0 || (strncmp(p, "a=crypto", 8) == 0 && lines <= 2))
                show_sdp_line(p, l);
            p += l + (eol ? 2 : 0);
        }
        printf("  phone  offer (phonesec_sdes_offer, mandatory): RTP/SAVP with %u a=crypto lines (2 shown)\n",
               lines);
    }
    phone_send("INVITE", "sip:2002@" DOMAIN, "<sip:2002@" DOMAIN ">",
               "Contact: <sip:1001@" HOST ";transport=tls>\r\n", offer);
    if (run_until(&ph.got_invite_resp, 10000) != 0 || ph.last_status != 200) {
        fail("INVITE not answered with 200");
        goto out;
    }
    body = body_of(ph.last_resp, ph.last_resp_len, &blen);
    if ((rc = phonesec_sdes_accept_answer(sd, body, blen)) != PHONESEC_OK) {
        char e[256];
        (void)phonesec_sdes_last_error(sd, e, sizeof e);
        fail("phonesec_sdes_accept_answer: %s (%s)", phonesec_strerror(rc), e);
        goto out;
    }
    phone_send("ACK", "sip:2002@" HOST, "<sip:2002@" DOMAIN ">;tag=proxy1", NULL, NULL);
    if (run_until(&px.got_ack, 5000) != 0)
        goto out;
    if (phonesec_sdes_section(sd, 0, &si) != PHONESEC_OK || si.state != PHONESEC_SDES_SEC_SECURED) {
        fail("phone: media section not secured");
        goto out;
    }
    printf("  phone  phonesec_sdes_accept_answer(): answer valid (tag %u, %s)\n", (unsigned)si.tag,
           phonesec_sdes_suite_name(si.suite));
    if (make_srtp(sd, &ptx, &prx) != 0 || make_srtp(px.sdes, &ctx_, &crx) != 0) {
        fail("SRTP sessions from phonesec_sdes_params");
        goto out;
    }
    info.version = PHONESEC_SRTP_INFO_VERSION;
    if (phonesec_srtp_get_info(ptx, &info) != PHONESEC_OK) {
        fail("phonesec_srtp_get_info");
        goto out;
    }
    printf("  " LOCK " call secured: SRTP %s, sending %s, receiving %s (RTP over UDP " HOST ":%u <-> :%u)\n",
           info.suite_name, si.protect_out ? "protected" : "CLEAR", si.protect_in ? "protected" : "CLEAR", ph.rtp_port,
           px.rtp_port);
    for (i = 0; i < PACKETS; i++) {
        if (one_way(ptx, crx, phone_rtp, callee_rtp, px.rtp_port, (uint16_t)(1000 + i), 0x11111111u, 1, 0, &res) != 0)
            break;
        ok_fwd += res == PHONESEC_OK;
        if (one_way(ctx_, prx, callee_rtp, phone_rtp, ph.rtp_port, (uint16_t)(5000 + i), 0x22222222u, 2, 0, &res) != 0)
            break;
        ok_back += res == PHONESEC_OK;
    }
    printf("  media  phone -> callee: %u/%u packets decrypted to exactly what was sent\n", ok_fwd, PACKETS);
    printf("  media  callee -> phone: %u/%u packets decrypted to exactly what was sent\n", ok_back, PACKETS);
    if (ok_fwd != PACKETS || ok_back != PACKETS) {
        fail("not every packet decrypted");
        goto out;
    }
    if (one_way(ptx, crx, phone_rtp, callee_rtp, px.rtp_port, (uint16_t)(1000 + PACKETS), 0x11111111u, 1, 1, &res) !=
            0 ||
        res != PHONESEC_E_AUTH) {
        fail("a tampered packet was not rejected");
        goto out;
    }
    printf("  media  one payload bit flipped on the wire: rejected (%s)\n", phonesec_strerror(res));
    if (replay(ptx, crx, phone_rtp, callee_rtp, px.rtp_port, &res) != 0 || res != PHONESEC_E_REPLAY) {
        fail("a replayed packet was not rejected as a replay (%s)", phonesec_strerror(res));
        goto out;
    }
    printf("  media  a replayed packet: rejected (%s)\n", phonesec_strerror(res));
    phone_send("BYE", "sip:2002@" HOST, "<sip:2002@" DOMAIN ">;tag=proxy1", NULL, NULL);
    if (run_until(&ph.got_bye_resp, 5000) != 0 || ph.last_status != 200) {
        fail("BYE not answered");
        goto out;
    }
    printf("  call ended\n");
    ret = failures ? -1 : 0;
out:
    phonesec_srtp_free(ptx);
    phonesec_srtp_free(prx);
    phonesec_srtp_free(ctx_);
    phonesec_srtp_free(crx);
    phonesec_sdes_free(sd);
    phonesec_sdes_free(px.sdes);
    px.sdes = NULL;
    if (phone_rtp >= 0)
        close(phone_rtp);
    if (callee_rtp >= 0)
        close(callee_rtp);
    return ret;
}

static int step_hiccup(void)
{
    uint64_t t;
    section("4. Network hiccup");
    t = phonesec_now_ms();
    if (run_until(&ph.pong_seen, 5000) != 0) {
        fail("no keep-alive pong within 5 s");
        return -1;
    }
    printf("  phone  idle: RFC 5626 keep-alive CRLFCRLF ping answered by a CRLF pong after %llu ms\n",
           (unsigned long long)(phonesec_now_ms() - t));
    printf("  proxy  drops the TLS connection (no close_notify) and restarts: not listening for 0.8 s\n");
    t = ph.lost_at = phonesec_now_ms();
    ph.registered = 0;
    proxy_close_conn();
    close(px.lfd);
    px.lfd = -1;
    px.reopen_at = t + 800;
    if (run_until(&ph.registered, 15000) != 0) {
        if (failures == 0)
            fail("the flow did not come back and re-register in time");
        return -1;
    }
    printf("  phone  re-registered %llu ms after the drop; MediaSec state %s on the new flow\n",
           (unsigned long long)(phonesec_now_ms() - t),
           phonesec_mediasec_state(ph.ms) == PHONESEC_MEDIASEC_ST_AGREED ? "AGREED again" : "NOT agreed");
    if (ph.lost != 1 || ph.reestablished != 1 || ph.attempt_failed < 1 || px.registrations != 2 ||
        phonesec_mediasec_state(ph.ms) != PHONESEC_MEDIASEC_ST_AGREED ||
        !(phonesec_mediasec_media_policy(ph.ms) & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED)) {
        fail("expected LOST, a failed attempt, REESTABLISHED and a new agreement (lost %d, failed %d, "
             "reestablished %d, registrations %u)",
             ph.lost, ph.attempt_failed, ph.reestablished, px.registrations);
        return -1;
    }
    printf("  " LOCK " back on a verified TLS flow, registered, MediaSec agreed\n");
    return 0;
}

/* Run one whole file through a cfgcrypt context (what a phone does while
 * the HTTPS download streams in). */
static int cfg_run(const phonesec_cfgcrypt_params *p, int encrypt, const uint8_t *in, size_t in_len, uint8_t *out,
                   size_t cap, size_t *out_len, char *err, size_t err_cap)
{
    phonesec_cfgcrypt_ctx *c = NULL;
    size_t n1 = 0, n2 = 0;
    int rc = encrypt ? phonesec_cfgcrypt_encrypt_new(p, &c) : phonesec_cfgcrypt_decrypt_new(p, &c);
    err[0] = '\0';
    if (rc == PHONESEC_OK)
        rc = phonesec_cfgcrypt_bound(c, in_len) <= cap ? phonesec_cfgcrypt_update(c, in, in_len, out, cap, &n1)
                                                  : PHONESEC_E_BUFFER_SMALL;
    if (rc == PHONESEC_OK)
        rc = phonesec_cfgcrypt_bound(c, 0) <= cap - n1 ? phonesec_cfgcrypt_final(c, out + n1, cap - n1, &n2)
                                                  : PHONESEC_E_BUFFER_SMALL;
    if (rc != PHONESEC_OK && c != NULL)
        (void)phonesec_cfgcrypt_last_error(c, err, err_cap);
    phonesec_cfgcrypt_free(c);
    *out_len = n1 + n2;
    return rc;
}

static size_t read_file(const char *name, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(name, "rb");
    size_t n;
    if (f == NULL)
        return 0;
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

static int step_provisioning(void)
{
    static const char config[] = "account.1.sip_server = sip.demo.test\n"
                                 "account.1.transport = tls\n"
                                 "account.1.mediasec = 1\n"
                                 "account.1.password = correct horse battery staple\n";
    static const char pw[] = "per-device secret 0042";
    static uint8_t enc[16384], dec[16384], file[16384], plain[16384];
    phonesec_cfgcrypt_params p = PHONESEC_CFGCRYPT_PARAMS_INIT;
    size_t el, dl, fl, pl;
    char err[256];
    int rc;

    section("5. Provisioning (encrypted configuration)");
    /* The provisioning server's side: psec format (RFC 8188 records, key from
     * the password by PBKDF2-SHA256; demo cost 20000 iterations). */
    p.format = PHONESEC_CFGCRYPT_PSEC;
    p.kdf = PHONESEC_CFGCRYPT_KDF_PBKDF2;
    p.iterations = 20000;
    p.password = (const uint8_t *)pw;
    p.password_len = sizeof pw - 1;
    rc = cfg_run(&p, 1, (const uint8_t *)config, sizeof config - 1, enc, sizeof enc, &el, err, sizeof err);
    if (rc != PHONESEC_OK) {
        fail("psec encrypt: %s (%s)", phonesec_strerror(rc), err);
        return -1;
    }
    printf("  server encrypted a %zu-byte config: %zu bytes, psec format (\"%.4s\" header)\n", sizeof config - 1, el,
           (const char *)enc + 21);
    /* The phone's side, after the HTTPS download. */
    phonesec_cfgcrypt_params_init(&p);
    p.format = PHONESEC_CFGCRYPT_PSEC;
    p.password = (const uint8_t *)pw;
    p.password_len = sizeof pw - 1;
    rc = cfg_run(&p, 0, enc, el, dec, sizeof dec, &dl, err, sizeof err);
    if (rc != PHONESEC_OK || dl != sizeof config - 1 || memcmp(dec, config, dl) != 0) {
        fail("psec decrypt: %s (%s)", phonesec_strerror(rc), err);
        return -1;
    }
    printf("  " LOCK " phone decrypted it: %zu bytes, identical; first line \"%.36s\"\n", dl, (const char *)dec);
    phonesec_memzero(dec, sizeof dec);
    enc[el / 2] ^= 0x20;
    rc = cfg_run(&p, 0, enc, el, dec, sizeof dec, &dl, err, sizeof err);
    enc[el / 2] ^= 0x20;
    printf("  one bit changed in transit: %s\n", rc == PHONESEC_E_AUTH ? "refused (authentication failed)" : "ACCEPTED");
    if (rc != PHONESEC_E_AUTH)
        fail("a tampered config file was not refused: %s", phonesec_strerror(rc));
    p.password = (const uint8_t *)"wrong password";
    p.password_len = 14;
    rc = cfg_run(&p, 0, enc, el, dec, sizeof dec, &dl, err, sizeof err);
    printf("  wrong password: %s\n", rc == PHONESEC_E_AUTH ? "refused (authentication failed)" : "ACCEPTED");
    if (rc != PHONESEC_E_AUTH)
        fail("a wrong password was not refused: %s", phonesec_strerror(rc));
    phonesec_memzero(dec, sizeof dec);

    /* A file made by the openssl CLI (examples/mkpki.sh), as many
     * provisioning servers still produce: openssl enc -aes-256-cbc -pbkdf2. */
    fl = read_file(path("phone.cfg.enc"), file, sizeof file);
    pl = read_file(path("phone.cfg"), plain, sizeof plain);
    if (fl == 0 || pl == 0) {
        printf("  (no %s: skipping the openssl-made file)\n", path("phone.cfg.enc"));
        return failures ? -1 : 0;
    }
    phonesec_cfgcrypt_params_init(&p);
    p.format = PHONESEC_CFGCRYPT_OPENSSL;
    p.kdf = PHONESEC_CFGCRYPT_KDF_PBKDF2;
    p.iterations = 10000;
    p.password = (const uint8_t *)"demo-provisioning";
    p.password_len = 17;
    rc = cfg_run(&p, 0, file, fl, dec, sizeof dec, &dl, err, sizeof err);
    if (rc != PHONESEC_OK || dl != pl || memcmp(dec, plain, pl) != 0) {
        fail("openssl-format decrypt: %s (%s)", phonesec_strerror(rc), err);
        return -1;
    }
    printf("  " LOCK " phone.cfg.enc from `openssl enc -aes-256-cbc -pbkdf2 -iter 10000` (%zu bytes) decrypted:"
           " %zu bytes, identical to the original\n",
           fl, dl);
    phonesec_memzero(dec, sizeof dec);
    return failures ? -1 : 0;
}

static void shutdown_all(void)
{
    phonesec_flow_free(ph.flow);
    phonesec_flow_tls_free(ph.binding);
    phonesec_tls_ctx_free(ph.ctx);
    phonesec_mediasec_free(ph.ms);
    proxy_close_conn();
    if (px.lfd >= 0)
        close(px.lfd);
    phonesec_mediasec_list_free(px.sent);
    phonesec_sdes_free(px.sdes);
    phonesec_tls_ctx_free(px.ctx);
    phonesec_shutdown();
}

int main(int argc, char **argv)
{
    phonesec_platform plat = PHONESEC_PLATFORM_INIT;
    uint64_t t0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s PKI_DIR   (make one with examples/mkpki.sh)\n", argv[0]);
        return 2;
    }
    snprintf(pki, sizeof pki, "%s", argv[1]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    plat.log_fn = log_hook;
    plat.log_level = PHONESEC_LOG_WARN;
    rc = phonesec_init(&plat);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "demo: phonesec_init: %s\n", phonesec_strerror(rc));
        return 1;
    }
    t0 = phonesec_now_ms();
    if (step_boot() == 0 && step_register() == 0 && step_call() == 0 && step_hiccup() == 0)
        (void)step_provisioning();
    printf("\n");
    if (ph.flow != NULL) {
        phonesec_flow_stats st;
        st.version = PHONESEC_FLOW_STATS_VERSION;
        if (phonesec_flow_get_stats(ph.flow, &st) == PHONESEC_OK)
            printf("flow: %llu connection(s), %llu loss(es), %llu keep-alive ping(s) (%u answered by the proxy), "
                   "%llu pong(s), %llu message(s) sent, %llu received\n",
                   (unsigned long long)st.connections, (unsigned long long)st.losses,
                   (unsigned long long)st.pings_sent, px.pings, (unsigned long long)st.pongs_received,
                   (unsigned long long)st.messages_sent, (unsigned long long)st.messages_received);
    }
    printf("run time: %llu ms\n", (unsigned long long)(phonesec_now_ms() - t0));
    shutdown_all();
    if (failures) {
        printf("demo: FAILED (%d problem(s))\n", failures);
        return 1;
    }
    printf("demo: OK\n");
    return 0;
}
