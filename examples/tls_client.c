/*
 * TLS client with a trust list: how a phone connects to its SIP proxy or
 * provisioning server and decides whether to show the lock icon.
 *
 * A client context holds the trust list ("Trusted Certificates") with "Only
 * Accept Trusted Certificates" on, the identity mode (SIP, RFC 5922, or
 * HTTPS, RFC 6125) and, optionally, the phone's own certificate for mutual
 * TLS. Each connection names the identity it expects.
 *
 *   tls_client CA_FILE HOST PORT NAME [sip|https] [CERT KEY]
 *   e.g. tls_client ca.crt 127.0.0.1 5061 sip.example.com
 *
 * Sends one line, prints the first line of the answer. Exit status 0 when the
 * handshake passed every check, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <phonesec.h>

static const char *verdict(int check)
{
    switch (check) {
    case PHONESEC_TLS_CHECK_PASSED: return "passed";
    case PHONESEC_TLS_CHECK_FAILED: return "FAILED";
    default: return "not made";
    }
}

int main(int argc, char **argv)
{
    phonesec_tls_config cfg = PHONESEC_TLS_CONFIG_INIT;
    phonesec_tls_conn_config cc = PHONESEC_TLS_CONN_CONFIG_INIT;
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    phonesec_tls_ctx *ctx = NULL;
    phonesec_tls_conn *conn = NULL;
    char err[512] = "", line[512];
    static const char hello[] = "OPTIONS sip:ping SIP/2.0\r\n\r\n";
    size_t n;
    int fd = -1, rc, status = 1;

    memset(&info, 0, sizeof info);
    info.version = PHONESEC_TLS_INFO_VERSION; /* the library fills what this version has */
    if (argc != 5 && argc != 6 && argc != 8) {
        fprintf(stderr, "usage: tls_client CA_FILE HOST PORT NAME [sip|https] [CERT KEY]\n");
        return 2;
    }
    /* The context: what the phone's settings say, set up once. */
    cfg.role = PHONESEC_TLS_CLIENT;
    cfg.only_trusted = 1;
    cfg.identity_mode = argc > 5 && strcmp(argv[5], "https") == 0 ? PHONESEC_TLS_IDENTITY_HTTPS
                                                                  : PHONESEC_TLS_IDENTITY_SIP;
    rc = phonesec_tls_ctx_new(&cfg, &ctx);
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_ctx_add_trusted_file(ctx, argv[1]);
    if (rc == PHONESEC_OK && argc == 8) /* mutual TLS: the phone's own certificate */
        rc = phonesec_tls_ctx_set_certificate_file(ctx, argv[6], argv[7]);
    if (rc != PHONESEC_OK) {
        if (ctx != NULL)
            (void)phonesec_tls_ctx_last_error(ctx, err, sizeof err);
        fprintf(stderr, "tls_client: context: %s %s\n", phonesec_strerror(rc), err);
        goto out;
    }

    /* One connection: TCP, then TLS over the socket helper. */
    rc = phonesec_tls_socket_connect(argv[2], (unsigned)strtoul(argv[3], NULL, 10), 5000, &fd);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "tls_client: connect: %s\n", phonesec_strerror(rc));
        goto out;
    }
    cc.reference_name = argv[4]; /* SNI and the identity the certificate must carry */
    rc = phonesec_tls_io_socket(&cc.io, &fd);
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_conn_new(ctx, &cc, &conn);
    if (rc == PHONESEC_OK)
        rc = phonesec_tls_socket_handshake(conn, fd, 5000);
    if (conn != NULL) {
        (void)phonesec_tls_conn_info(conn, &info);
        (void)phonesec_tls_conn_last_error(conn, err, sizeof err);
    }
    printf("handshake: %s%s%s\n", phonesec_strerror(rc), err[0] ? " - " : "", err);
    if (rc != PHONESEC_OK)
        goto out;

    /* The lock icon: what was negotiated and what was checked. */
    printf("protocol: %s, suite: %s%s\n", info.protocol_name, info.suite_name, info.resumed ? " (resumed)" : "");
    printf("server: %s\n  issued by %s\n", info.peer_subject, info.peer_issuer);
    printf("chain: %s (anchor %s)\nname: %s (%s)\n", verdict(info.chain), info.chain_anchor, verdict(info.name),
           info.name_detail);

    rc = phonesec_tls_conn_write(conn, (const uint8_t *)hello, sizeof hello - 1, &n);
    for (int i = 0; rc == PHONESEC_OK && i < 50; i++) { /* about 5 s for an answer */
        rc = phonesec_tls_conn_read(conn, (uint8_t *)line, sizeof line - 1, &n);
        if (rc == PHONESEC_E_WOULD_BLOCK) {
            struct pollfd pfd = {fd, POLLIN, 0};
            (void)poll(&pfd, 1, 100);
            rc = PHONESEC_OK;
            continue;
        }
        if (rc == PHONESEC_OK) {
            line[n] = '\0';
            line[strcspn(line, "\r\n")] = '\0';
            printf("answer: %s\n", line);
            break;
        }
    }
    status = info.chain == PHONESEC_TLS_CHECK_PASSED && info.name == PHONESEC_TLS_CHECK_PASSED ? 0 : 1;
    (void)phonesec_tls_conn_close(conn); /* close_notify */
out:
    phonesec_tls_conn_free(conn);
    phonesec_tls_ctx_free(ctx);
    if (fd >= 0)
        close(fd);
    return status;
}
