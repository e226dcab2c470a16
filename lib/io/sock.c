/*
 * libphonesec - io layer (ring 3): thin convenience layer over POSIX sockets for the tool,
 * examples and tests. The connection code never calls it.
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

#include "tls/tls_internal.h"

static int set_nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Resolve host (a name, an IPv4 literal or a bracketed IPv6 literal) and
 * start a non-blocking TCP connect. wait_ms < 0: return the first address
 * whose connect started (it may still be in progress: the caller polls for
 * writability). wait_ms >= 0: wait up to that long for each address in turn
 * and return only a connected socket. */
int phonesec__tls_tcp_connect(const char *host, unsigned port, int wait_ms, int *fd_out)
{
    struct addrinfo hints, *res = NULL, *ai;
    char ps[16], h[256];
    size_t hl;
    int rc = PHONESEC_E_IO;

    if (host == NULL || fd_out == NULL || port == 0 || port > 65535)
        return PHONESEC_E_INVAL;
    hl = strlen(host);
    if (hl == 0 || hl >= sizeof h)
        return PHONESEC_E_INVAL;
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') { /* [v6] */
        memcpy(h, host + 1, hl - 2);
        h[hl - 2] = '\0';
    } else {
        memcpy(h, host, hl + 1);
    }
    snprintf(ps, sizeof ps, "%u", port);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(h, ps, &hints, &res) != 0 || res == NULL)
        return PHONESEC_E_NOT_FOUND;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol), one = 1, soerr = 0;
        socklen_t sl = sizeof soerr;
        struct pollfd pfd;
        if (fd < 0)
            continue;
        if (set_nonblock(fd) != 0) {
            close(fd);
            continue;
        }
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            int pr;
            if (errno != EINPROGRESS) {
                close(fd);
                continue;
            }
            if (wait_ms >= 0) {
                pfd.fd = fd;
                pfd.events = POLLOUT;
                pfd.revents = 0;
                do
                    pr = poll(&pfd, 1, wait_ms);
                while (pr < 0 && errno == EINTR);
                if (pr == 0) {
                    close(fd);
                    rc = PHONESEC_E_TIMEOUT;
                    continue;
                }
                if (pr < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 || soerr != 0) {
                    close(fd);
                    continue;
                }
            }
        }
        freeaddrinfo(res);
        *fd_out = fd;
        return PHONESEC_OK;
    }
    freeaddrinfo(res);
    return rc;
}

int phonesec_tls_socket_connect(const char *host, unsigned port, unsigned timeout_ms, int *fd_out)
{
    if (timeout_ms > 0x7fffffffu)
        timeout_ms = 0x7fffffffu;
    return phonesec__tls_tcp_connect(host, port, (int)timeout_ms, fd_out);
}

static int sock_send(void *user, const uint8_t *data, size_t len, size_t *sent)
{
    int fd = *(int *)user;
    ssize_t n;
    do
        n = send(fd, data, len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        *sent = (size_t)n;
        return PHONESEC_OK;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return PHONESEC_E_WOULD_BLOCK;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
        return PHONESEC_E_CLOSED;
    return PHONESEC_E_IO;
}

static int sock_recv(void *user, uint8_t *buf, size_t cap, size_t *got)
{
    int fd = *(int *)user;
    ssize_t n;
    do
        n = recv(fd, buf, cap, 0);
    while (n < 0 && errno == EINTR);
    if (n > 0) {
        *got = (size_t)n;
        return PHONESEC_OK;
    }
    if (n == 0)
        return PHONESEC_E_CLOSED;
    if (errno == EAGAIN || errno == EWOULDBLOCK)
        return PHONESEC_E_WOULD_BLOCK;
    if (errno == ECONNRESET)
        return PHONESEC_E_CLOSED;
    return PHONESEC_E_IO;
}

int phonesec_tls_io_socket(phonesec_tls_io *io, int *fd)
{
    if (io == NULL || fd == NULL || *fd < 0)
        return PHONESEC_E_INVAL;
    io->send = sock_send;
    io->recv = sock_recv;
    io->user = fd;
    return PHONESEC_OK;
}

int phonesec_tls_socket_handshake(phonesec_tls_conn *conn, int fd, unsigned timeout_ms)
{
    uint64_t deadline = phonesec_now_ms() + timeout_ms;
    for (;;) {
        struct pollfd pfd;
        uint64_t now;
        unsigned w;
        int rc = phonesec_tls_conn_handshake(conn);
        if (rc != PHONESEC_E_WOULD_BLOCK)
            return rc;
        now = phonesec_now_ms();
        if (now >= deadline)
            return PHONESEC_E_TIMEOUT;
        w = phonesec_tls_conn_wants(conn);
        pfd.fd = fd;
        pfd.events = (short)(((w & PHONESEC_TLS_WANT_WRITE) ? POLLOUT : 0) |
                             ((w & PHONESEC_TLS_WANT_READ) || w == 0 ? POLLIN : 0));
        pfd.revents = 0;
        if (poll(&pfd, 1, (int)(deadline - now)) < 0 && errno != EINTR)
            return PHONESEC_E_IO;
    }
}
