/*
 * libphonesec - io layer (ring 3): the persistent flow's TLS binding. A phonesec_flow_transport made of a
 * non-blocking TCP socket plus a phonesec_tls client connection driven
 * through the tls module's socket I/O helper (phonesec_tls_io_socket()).
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include "phonesec/flow.h"

#include "tls/tls_internal.h"
#include "core/internal.h"
#include "io/flow_tls_internal.h"

#define MOD "flow"

struct phonesec_flow_tls {
    phonesec_tls_ctx *ctx;
    char *host[2];
    char *ref[2];
    unsigned port[2];
    /* The session offered on the next connection to each server, kept only
     * while the flow holds a hint for it (open without a hint frees it). */
    phonesec_tls_session *sess[2];
    int have_pipe;
    phonesec__flow_tls_pipe pipe; /* tests: memory instead of TCP */
};

typedef struct ftls_conn {
    phonesec_flow_tls *b;
    unsigned server;
    int fd;
    void *pipe;
    int tcp_up;
    int offered;  /* a saved session was armed for resumption */
    int got_data; /* a read returned application data */
    phonesec_tls_conn *tls;
    phonesec_tls_io io;
} ftls_conn;

void phonesec_flow_tls_config_init(phonesec_flow_tls_config *cfg)
{
    static const phonesec_flow_tls_config def = PHONESEC_FLOW_TLS_CONFIG_INIT;
    if (cfg != NULL)
        *cfg = def;
}

int phonesec_flow_tls_new(const phonesec_flow_tls_config *cfg, phonesec_flow_tls **out)
{
    phonesec_flow_tls *b;
    int i;

    if (cfg == NULL || out == NULL || cfg->version < 1 || cfg->version > PHONESEC_FLOW_TLS_CONFIG_VERSION ||
        cfg->ctx == NULL || cfg->servers[0].host == NULL)
        return PHONESEC_E_INVAL;
    for (i = 0; i < 2; i++) {
        const phonesec_flow_tls_server *s = &cfg->servers[i];
        if (s->host != NULL && (s->host[0] == '\0' || s->port == 0 || s->port > 65535))
            return PHONESEC_E_INVAL;
    }
    b = phonesec__calloc(1, sizeof *b);
    if (b == NULL)
        return PHONESEC_E_NOMEM;
    b->ctx = cfg->ctx;
    for (i = 0; i < 2; i++) {
        const phonesec_flow_tls_server *s = &cfg->servers[i];
        if (s->host == NULL)
            continue;
        b->port[i] = s->port;
        b->host[i] = phonesec__strdup(s->host);
        b->ref[i] = phonesec__strdup(s->reference_name ? s->reference_name : s->host);
        if (b->host[i] == NULL || b->ref[i] == NULL) {
            phonesec_flow_tls_free(b);
            return PHONESEC_E_NOMEM;
        }
    }
    *out = b;
    return PHONESEC_OK;
}

void phonesec_flow_tls_free(phonesec_flow_tls *b)
{
    int i;
    if (b == NULL)
        return;
    for (i = 0; i < 2; i++) {
        phonesec__free(b->host[i]);
        phonesec__free(b->ref[i]);
        phonesec_tls_session_free(b->sess[i]);
    }
    phonesec__free(b);
}

void phonesec__flow_tls_set_pipe(phonesec_flow_tls *b, const phonesec__flow_tls_pipe *pipe)
{
    if (b == NULL)
        return;
    b->have_pipe = pipe != NULL;
    if (pipe != NULL)
        b->pipe = *pipe;
}

static void conn_destroy(ftls_conn *c)
{
    if (c->tls != NULL) {
        (void)phonesec_tls_conn_close(c->tls); /* best effort close_notify */
        phonesec_tls_conn_free(c->tls);
    }
    if (c->fd >= 0)
        close(c->fd);
    if (c->pipe != NULL && c->b->have_pipe)
        c->b->pipe.close(c->b->pipe.user, c->pipe);
    phonesec__free(c);
}

static int t_open(void *ud, unsigned server, const uint8_t *resume, size_t resume_len, void **conn)
{
    phonesec_flow_tls *b = ud;
    phonesec_tls_conn_config cc;
    ftls_conn *c;
    int rc;

    (void)resume_len;
    if (b == NULL || server > 1 || b->host[server] == NULL)
        return PHONESEC_E_INVAL;
    if (resume == NULL && b->sess[server] != NULL) {
        /* The flow dropped its hint (the session failed, or ended in an
         * error): the session is gone for good, never offered again. */
        phonesec_tls_session_free(b->sess[server]);
        b->sess[server] = NULL;
    }
    c = phonesec__calloc(1, sizeof *c);
    if (c == NULL)
        return PHONESEC_E_NOMEM;
    c->b = b;
    c->server = server;
    c->fd = -1;
    if (b->have_pipe) {
        rc = b->pipe.open(b->pipe.user, server, &c->io, &c->pipe);
        if (rc != PHONESEC_OK) {
            c->pipe = NULL;
            conn_destroy(c);
            return rc;
        }
    } else {
        rc = phonesec__tls_tcp_connect(b->host[server], b->port[server], -1, &c->fd);
        if (rc != PHONESEC_OK) {
            conn_destroy(c);
            return rc;
        }
        rc = phonesec_tls_io_socket(&c->io, &c->fd);
    }
    if (rc == PHONESEC_OK) {
        phonesec_tls_conn_config_init(&cc);
        cc.reference_name = b->ref[server];
        cc.io = c->io;
        rc = phonesec_tls_conn_new(b->ctx, &cc, &c->tls);
    }
    if (rc != PHONESEC_OK) {
        conn_destroy(c);
        return rc;
    }
    if (resume != NULL && b->sess[server] != NULL) {
        int r = phonesec_tls_conn_set_session(c->tls, b->sess[server]);
        if (r != PHONESEC_OK)
            phonesec__log(PHONESEC_LOG_INFO, MOD, "session for server %u not offered: %s", server,
                          phonesec_strerror(r));
        c->offered = r == PHONESEC_OK;
    }
    *conn = c;
    return PHONESEC_OK;
}

static int t_is_up(void *ud, void *conn)
{
    ftls_conn *c = conn;
    int rc;
    (void)ud;
    if (!c->tcp_up && c->b->have_pipe) {
        rc = c->b->pipe.ready(c->b->pipe.user, c->pipe);
        if (rc <= 0)
            return rc;
        c->tcp_up = 1;
    }
    if (!c->tcp_up) {
        struct pollfd p;
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        p.fd = c->fd;
        p.events = POLLOUT;
        p.revents = 0;
        if (poll(&p, 1, 0) == 0)
            return 0;
        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0)
            return soerr == ECONNREFUSED ? PHONESEC_E_CLOSED : PHONESEC_E_IO;
        c->tcp_up = 1;
    }
    rc = phonesec_tls_conn_handshake(c->tls);
    if (rc == PHONESEC_OK) {
        /* Fail closed: with "only accept trusted" on, no REGISTER goes to a
         * server whose chain was not verified, whatever let the handshake
         * complete (an anonymous suite, a verdict that did not run). */
        phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
        memset(&info, 0, sizeof info);
        info.version = PHONESEC_TLS_INFO_VERSION;
        if (phonesec_tls_conn_info(c->tls, &info) != PHONESEC_OK ||
            (info.chain_enforced && info.chain != PHONESEC_TLS_CHECK_PASSED)) {
            phonesec__log(PHONESEC_LOG_WARN, MOD,
                          "TLS handshake with server %u completed without a verified certificate chain (%s, %s): "
                          "refused",
                          c->server, info.suite_name ? info.suite_name : "?",
                          info.chain_detail ? info.chain_detail : "no detail");
            return PHONESEC_E_VERIFY;
        }
        return 1;
    }
    if (rc == PHONESEC_E_WOULD_BLOCK)
        return 0;
    {
        char why[256];
        (void)phonesec_tls_conn_last_error(c->tls, why, sizeof why);
        phonesec__log(PHONESEC_LOG_WARN, MOD, "TLS handshake with server %u failed: %s", c->server, why);
    }
    return rc;
}

static int t_send(void *ud, void *conn, const uint8_t *buf, size_t len, size_t *sent)
{
    (void)ud;
    return phonesec_tls_conn_write(((ftls_conn *)conn)->tls, buf, len, sent);
}

static int t_recv(void *ud, void *conn, uint8_t *buf, size_t cap, size_t *got)
{
    ftls_conn *c = conn;
    int rc;
    (void)ud;
    rc = phonesec_tls_conn_read(c->tls, buf, cap, got);
    if (rc == PHONESEC_OK && *got > 0)
        c->got_data = 1;
    return rc;
}

static void t_close(void *ud, void *conn)
{
    (void)ud;
    conn_destroy(conn);
}

static int t_resumed(void *ud, void *conn);

static int t_save_resume(void *ud, void *conn, uint8_t *buf, size_t cap, size_t *len)
{
    phonesec_flow_tls *b = ud;
    ftls_conn *c = conn;
    phonesec_tls_session *s = NULL;
    int rc;
    if (cap < 1)
        return PHONESEC_E_BUFFER_SMALL;
    if (c->offered && !c->got_data && t_resumed(ud, conn)) {
        /* Resumed, and the server's new TLS 1.3 ticket has not been read
         * yet: an export now would pair the old ticket with the new secret
         * and could never resume. Keep the session that just worked. */
        if (b->sess[c->server] == NULL)
            return PHONESEC_E_NOT_FOUND;
        buf[0] = 1;
        *len = 1;
        return PHONESEC_OK;
    }
    rc = phonesec_tls_conn_get_session(c->tls, &s);
    if (rc != PHONESEC_OK)
        return rc;
    phonesec_tls_session_free(b->sess[c->server]);
    b->sess[c->server] = s;
    /* The session object stays in the binding; the flow only learns that
     * there is one for this server. */
    buf[0] = 1;
    *len = 1;
    return PHONESEC_OK;
}

static int t_resumed(void *ud, void *conn)
{
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    (void)ud;
    memset(&info, 0, sizeof info);
    if (phonesec_tls_conn_info(((ftls_conn *)conn)->tls, &info) != PHONESEC_OK)
        return 0;
    return info.resumed != 0;
}

/* TCP connected: the next handshake step sent the ClientHello, and with it
 * the session offered (t_is_up drives the handshake as soon as TCP is up). */
static int t_hint_presented(void *ud, void *conn)
{
    (void)ud;
    return ((ftls_conn *)conn)->tcp_up;
}

static const phonesec_flow_transport tls_transport = {PHONESEC_FLOW_TRANSPORT_VERSION, t_open, t_is_up, t_send,
                                                      t_recv, t_close, t_save_resume, t_resumed,
                                                      t_hint_presented};

const phonesec_flow_transport *phonesec_flow_tls_transport(void)
{
    return &tls_transport;
}

int phonesec_flow_tls_fd(const void *conn)
{
    return conn ? ((const ftls_conn *)conn)->fd : -1;
}

unsigned phonesec_flow_tls_wants(const void *conn)
{
    const ftls_conn *c = conn;
    unsigned w;
    if (c == NULL)
        return 0;
    if (!c->tcp_up)
        return PHONESEC_TLS_WANT_WRITE;
    if (phonesec_tls_conn_is_established(c->tls))
        return PHONESEC_TLS_WANT_READ;
    w = phonesec_tls_conn_wants(c->tls);
    return w ? w : PHONESEC_TLS_WANT_READ;
}

phonesec_tls_conn *phonesec_flow_tls_conn(void *conn)
{
    return conn ? ((ftls_conn *)conn)->tls : NULL;
}
