/*
 * Mutual-TLS server: a phone (or a small SIP proxy) that accepts TLS
 * connections and lets in only clients whose certificate verifies against
 * its trust list.
 *
 * The server context holds the one server certificate (+ key + chain) and
 * the trust list; client_cert = REQUIRE means "a verified client certificate,
 * always". The connection here runs in feed/drain mode (sans-I/O): the
 * program owns the socket and moves bytes, the library never touches it.
 *
 *   tls_server CERT KEY CA_FILE PORT
 *
 * Accepts one connection on 127.0.0.1:PORT, prints the client's identity,
 * echoes one line back in upper case, and exits 0 (1 when the handshake was
 * refused).
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <phonesec.h>

/* Send everything the connection wants to send. */
static int flush(phonesec_tls_conn *conn, int fd)
{
    uint8_t buf[16384];
    size_t n;
    while (phonesec_tls_conn_drain(conn, buf, sizeof buf, &n) == PHONESEC_OK && n > 0)
        if (send(fd, buf, n, 0) != (ssize_t)n)
            return -1;
    return 0;
}

/* Hand the library what arrived; 0 on end of stream or error. */
static int pump_in(phonesec_tls_conn *conn, int fd)
{
    uint8_t buf[16384];
    size_t used;
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    return r > 0 && phonesec_tls_conn_feed(conn, buf, (size_t)r, &used) == PHONESEC_OK;
}

static int listen_on(unsigned port)
{
    struct sockaddr_in a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 1) != 0) {
        perror("tls_server: listen");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int main(int argc, char **argv)
{
    phonesec_tls_config cfg = PHONESEC_TLS_CONFIG_INIT;
    phonesec_tls_conn_config cc = PHONESEC_TLS_CONN_CONFIG_INIT; /* feed/drain mode */
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    phonesec_tls_ctx *ctx = NULL;
    phonesec_tls_conn *conn = NULL;
    char err[512] = "";
    uint8_t line[1024];
    size_t n, i;
    int lfd = -1, fd = -1, rc, status = 1;

    memset(&info, 0, sizeof info);
    info.version = PHONESEC_TLS_INFO_VERSION; /* the library fills what this version has */
    if (argc != 5) {
        fprintf(stderr, "usage: tls_server CERT KEY CA_FILE PORT\n");
        return 2;
    }
    cfg.role = PHONESEC_TLS_SERVER;
    cfg.client_cert = PHONESEC_TLS_CLIENT_CERT_REQUIRE;
    rc = phonesec_tls_ctx_new(&cfg, &ctx);
    if (rc == PHONESEC_OK) /* replaces any previous one atomically */
        rc = phonesec_tls_ctx_set_certificate_file(ctx, argv[1], argv[2]);
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_ctx_add_trusted_file(ctx, argv[3]);
    if (rc != PHONESEC_OK) {
        if (ctx != NULL)
            (void)phonesec_tls_ctx_last_error(ctx, err, sizeof err);
        fprintf(stderr, "tls_server: context: %s %s\n", phonesec_strerror(rc), err);
        goto out;
    }
    if ((lfd = listen_on((unsigned)strtoul(argv[4], NULL, 10))) < 0)
        goto out;
    printf("listening on 127.0.0.1:%s\n", argv[4]);
    fflush(stdout);
    if ((fd = accept(lfd, NULL, NULL)) < 0 || (rc = phonesec_tls_conn_new(ctx, &cc, &conn)) != PHONESEC_OK)
        goto out;

    /* Handshake: feed what arrives, send what it produces, until done. */
    while ((rc = phonesec_tls_conn_handshake(conn)) == PHONESEC_E_WOULD_BLOCK)
        if (flush(conn, fd) != 0 || !pump_in(conn, fd))
            break;
    (void)flush(conn, fd); /* our last flight, or the alert that refuses the client */
    (void)phonesec_tls_conn_last_error(conn, err, sizeof err);
    (void)phonesec_tls_conn_info(conn, &info);
    printf("handshake: %s%s%s\n", phonesec_strerror(rc), err[0] ? " - " : "", err);
    if (rc != PHONESEC_OK)
        goto out;
    printf("client: %s (chain %s, anchor %s)\n", info.peer_subject,
           info.chain == PHONESEC_TLS_CHECK_PASSED ? "verified" : "NOT verified", info.chain_anchor);

    /* Echo one line, upper-cased. */
    while ((rc = phonesec_tls_conn_read(conn, line, sizeof line, &n)) == PHONESEC_E_WOULD_BLOCK)
        if (!pump_in(conn, fd))
            break;
    if (rc == PHONESEC_OK) {
        for (i = 0; i < n; i++)
            line[i] = (uint8_t)toupper(line[i]);
        if (phonesec_tls_conn_write(conn, line, n, &n) == PHONESEC_OK)
            status = 0;
    }
    (void)phonesec_tls_conn_close(conn);
    (void)flush(conn, fd);
out:
    phonesec_tls_conn_free(conn);
    phonesec_tls_ctx_free(ctx);
    if (fd >= 0)
        close(fd);
    if (lfd >= 0)
        close(lfd);
    return status;
}
