/* Two TLS servers in one process, as on a phone with an HTTPS UI next to
 * its SIP-TLS server: listener A does not ask for a client certificate,
 * listener B requires one (mutual TLS). Both use the same certificate. For
 * the resumption interop test (resume_interop.sh): openssl s_client saves a
 * session from A (-sess_out) and offers it to B (-sess_in).
 *
 * usage: resume_peer CERT KEY CA PORT_A PORT_B COUNT [tls12] [notickets] [bnone]
 * Prints one line per connection:
 *   A|B rc=<error name> resumed=<0|1> peer_cert=<0|1> subject=<...>
 * then answers "hello <A|B>\n" on success. Exits after COUNT connections. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <phonesec.h>

static int flush_out(phonesec_tls_conn *conn, int fd)
{
    uint8_t buf[16384];
    size_t n;
    while (phonesec_tls_conn_drain(conn, buf, sizeof buf, &n) == PHONESEC_OK && n > 0)
        if (send(fd, buf, n, 0) != (ssize_t)n)
            return -1;
    return 0;
}

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
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) {
        perror("resume_peer: listen");
        return -1;
    }
    return fd;
}

static phonesec_tls_ctx *server(int client_cert, int tls12, int tickets, char **argv)
{
    phonesec_tls_config cfg = PHONESEC_TLS_CONFIG_INIT;
    phonesec_tls_ctx *ctx = NULL;
    cfg.role = PHONESEC_TLS_SERVER;
    cfg.client_cert = client_cert;
    cfg.session_tickets = tickets;
    if (tls12)
        cfg.max_version = PHONESEC_TLS_V1_2;
    if (phonesec_tls_ctx_new(&cfg, &ctx) != PHONESEC_OK ||
        phonesec_tls_ctx_set_certificate_file(ctx, argv[1], argv[2]) != PHONESEC_OK ||
        phonesec_tls_ctx_add_trusted_file(ctx, argv[3]) != PHONESEC_OK) {
        fprintf(stderr, "resume_peer: context setup failed\n");
        phonesec_tls_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

int main(int argc, char **argv)
{
    phonesec_tls_ctx *ctx[2];
    struct pollfd p[2];
    int lfd[2], count, i, tls12 = 0, tickets = 1, b_none = 0;
    if (argc < 7) {
        fprintf(stderr, "usage: resume_peer CERT KEY CA PORT_A PORT_B COUNT [tls12] [notickets]\n");
        return 2;
    }
    for (i = 7; i < argc; i++) {
        if (strcmp(argv[i], "tls12") == 0)
            tls12 = 1;
        else if (strcmp(argv[i], "notickets") == 0)
            tickets = 0;
        else if (strcmp(argv[i], "bnone") == 0)
            b_none = 1; /* B asks for no client certificate either: another context, same policy */
    }
    count = atoi(argv[6]);
    ctx[0] = server(PHONESEC_TLS_CLIENT_CERT_NONE, tls12, tickets, argv);
    ctx[1] = server(b_none ? PHONESEC_TLS_CLIENT_CERT_NONE : PHONESEC_TLS_CLIENT_CERT_REQUIRE, tls12, tickets, argv);
    lfd[0] = listen_on((unsigned)atoi(argv[4]));
    lfd[1] = listen_on((unsigned)atoi(argv[5]));
    if (ctx[0] == NULL || ctx[1] == NULL || lfd[0] < 0 || lfd[1] < 0)
        return 1;
    printf("listening\n");
    fflush(stdout);
    while (count-- > 0) {
        phonesec_tls_conn *conn = NULL;
        phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
        int which, fd, rc;
        p[0].fd = lfd[0];
        p[1].fd = lfd[1];
        p[0].events = p[1].events = POLLIN;
        if (poll(p, 2, 30000) <= 0)
            break;
        which = (p[0].revents & POLLIN) ? 0 : 1;
        fd = accept(lfd[which], NULL, NULL);
        if (fd < 0)
            break;
        rc = phonesec_tls_conn_new(ctx[which], NULL, &conn);
        if (rc == PHONESEC_OK)
            while ((rc = phonesec_tls_conn_handshake(conn)) == PHONESEC_E_WOULD_BLOCK)
                if (flush_out(conn, fd) != 0 || !pump_in(conn, fd))
                    break;
        (void)flush_out(conn, fd);
        memset(&info, 0, sizeof info);
        info.version = PHONESEC_TLS_INFO_VERSION;
        (void)phonesec_tls_conn_info(conn, &info);
        printf("%c rc=%s resumed=%d peer_cert=%d subject=%s\n", which ? 'B' : 'A', phonesec_strerror(rc),
               info.resumed, info.peer_cert, info.peer_subject ? info.peer_subject : "");
        fflush(stdout);
        if (rc == PHONESEC_OK) {
            char msg[16];
            size_t n;
            snprintf(msg, sizeof msg, "hello %c\n", which ? 'B' : 'A');
            if (phonesec_tls_conn_write(conn, (const uint8_t *)msg, strlen(msg), &n) == PHONESEC_OK)
                (void)flush_out(conn, fd);
            (void)phonesec_tls_conn_close(conn);
            (void)flush_out(conn, fd);
        }
        phonesec_tls_conn_free(conn);
        close(fd);
    }
    phonesec_tls_ctx_free(ctx[0]);
    phonesec_tls_ctx_free(ctx[1]);
    close(lfd[0]);
    close(lfd[1]);
    return 0;
}
