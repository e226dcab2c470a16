/* phonesec tls: probe a TLS server (what a phone would see and check), serve
 * TLS for tests and demos, check a certificate's identity offline. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <phonesec.h>

#include "tool.h"

#define MAX_CA 16

static void usage(FILE *f)
{
    fprintf(f,
            "usage: phonesec tls probe [--ca FILE]... [--cert FILE --key FILE] [--name NAME]\n"
            "                          [--mode sip|https] [--ciphers STRING] [--tls13 LIST] [--legacy-ciphers]\n"
            "                          [--tls-max 1.2|1.3] [--insecure] [--no-name-check]\n"
            "                          [--send TEXT] [--wait MS] [--timeout MS] HOST:PORT\n"
            "       phonesec tls serve --cert FILE --key FILE [--ca FILE]... [--require-client-cert]\n"
            "                          [--request-client-cert] [--ciphers STRING] [--tls13 LIST] [--legacy-ciphers]\n"
            "                          [--tls-max 1.2|1.3] [--count N] [--reply TEXT] [--echo] ADDR:PORT\n"
            "       phonesec tls check-name [--mode sip|https] CERTFILE NAME\n"
            "  probe: connect, print version, suite, peer identity and each check's verdict.\n"
            "         Exit 0 only when the handshake completed and every enabled check passed.\n"
            "         --insecure turns off chain and name checks (verdicts are still printed);\n"
            "         --no-name-check only the name check (TLS Name Validate = No).\n"
            "         --name defaults to HOST. --send writes TEXT (\\r \\n escapes) and prints the reply.\n"
            "  serve: accept N connections (default 1) on ADDR:PORT, print what was negotiated and\n"
            "         the client's identity; --echo echoes data, --reply answers each read with TEXT.\n"
            "  --ciphers: an OpenSSL cipher string (blank: DEFAULT); one that is invalid or selects\n"
            "         nothing is refused, naming the word. Suites below the security floor (anonymous,\n"
            "         NULL, RC4, 3DES) are dropped unless --legacy-ciphers is given.\n"
            "  check-name: match a PEM/DER certificate against NAME with the library's own rules.\n");
}

/* "\r\n" escapes -> bytes */
static size_t unescape(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    for (; *in && n + 1 < cap; in++) {
        if (in[0] == '\\' && in[1] == 'r') {
            out[n++] = '\r';
            in++;
        } else if (in[0] == '\\' && in[1] == 'n') {
            out[n++] = '\n';
            in++;
        } else if (in[0] == '\\' && in[1] == '\\') {
            out[n++] = '\\';
            in++;
        } else {
            out[n++] = *in;
        }
    }
    out[n] = '\0';
    return n;
}

static int split_hostport(const char *s, char *host, size_t cap, unsigned *port)
{
    const char *colon;
    size_t hl;
    char *end;
    unsigned long p;
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (rb == NULL || rb[1] != ':')
            return -1;
        hl = (size_t)(rb - s - 1);
        if (hl == 0 || hl >= cap)
            return -1;
        memcpy(host, s + 1, hl);
        host[hl] = '\0';
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return -1;
        hl = (size_t)(colon - s);
        if (hl == 0 || hl >= cap)
            return -1;
        memcpy(host, s, hl);
        host[hl] = '\0';
    }
    p = strtoul(colon + 1, &end, 10);
    if (*end != '\0' || p == 0 || p > 65535)
        return -1;
    *port = (unsigned)p;
    return 0;
}

static const char *verdict(int v)
{
    return v == PHONESEC_TLS_CHECK_PASSED ? "PASS" : v == PHONESEC_TLS_CHECK_FAILED ? "FAIL" : "SKIPPED";
}

static void print_info(const phonesec_tls_conn *conn, int is_server)
{
    phonesec_tls_info in = PHONESEC_TLS_INFO_INIT;
    if (phonesec_tls_conn_info(conn, &in) != PHONESEC_OK)
        return;
    printf("handshake: %s\n", in.established ? "completed" : "NOT completed");
    if (in.established) {
        printf("protocol: %s\n", in.protocol_name);
        printf("suite: %s (0x%04X)\n", in.suite_name, in.suite);
        printf("resumed: %s\n", in.resumed ? "yes" : "no");
    }
    printf("%s certificate: %s\n", is_server ? "client" : "peer", in.peer_cert ? "presented" : "none");
    if (in.peer_cert) {
        printf("peer subject: %s\n", in.peer_subject);
        printf("peer issuer: %s\n", in.peer_issuer);
        printf("peer SANs: %s\n", in.peer_sans[0] ? in.peer_sans : "(none)");
    }
    printf("chain: %s%s - %s\n", verdict(in.chain),
           in.chain == PHONESEC_TLS_CHECK_FAILED && !in.chain_enforced ? " (NOT VERIFIED, accepted anyway)" : "",
           in.chain_detail);
    if (!is_server || in.reference_name[0])
        printf("name: %s (%s mode, reference '%s') - %s\n", verdict(in.name),
               in.identity_mode == PHONESEC_TLS_IDENTITY_HTTPS ? "https" : "sip", in.reference_name,
               in.name_detail);
    fflush(stdout);
}

struct common {
    const char *ca[MAX_CA];
    int n_ca;
    const char *cert, *key, *ciphers, *tls13;
    unsigned maxv;
    int legacy_ciphers;
};

static int parse_common(int argc, char **argv, int *a, struct common *c)
{
    const char *o = argv[*a];
    if (strcmp(o, "--legacy-ciphers") == 0) {
        c->legacy_ciphers = 1;
        return 1;
    }
    if (*a + 1 >= argc)
        return 0;
    if (strcmp(o, "--ca") == 0) {
        if (c->n_ca >= MAX_CA)
            return -1;
        c->ca[c->n_ca++] = argv[++*a];
    } else if (strcmp(o, "--cert") == 0) {
        c->cert = argv[++*a];
    } else if (strcmp(o, "--key") == 0) {
        c->key = argv[++*a];
    } else if (strcmp(o, "--ciphers") == 0) {
        c->ciphers = argv[++*a];
    } else if (strcmp(o, "--tls13") == 0) {
        c->tls13 = argv[++*a];
    } else if (strcmp(o, "--tls-max") == 0) {
        const char *v = argv[++*a];
        if (strcmp(v, "1.2") == 0)
            c->maxv = PHONESEC_TLS_V1_2;
        else if (strcmp(v, "1.3") == 0)
            c->maxv = PHONESEC_TLS_V1_3;
        else
            return -1;
    } else {
        return 0;
    }
    return 1;
}

static int setup_ctx(phonesec_tls_config *cfg, const struct common *c, phonesec_tls_ctx **ctx, const char *who)
{
    char err[512];
    int rc, i;
    cfg->cipher_list = c->ciphers;
    cfg->tls13_ciphers = c->tls13;
    if (c->legacy_ciphers)
        cfg->cipher_preset |= PHONESEC_CIPHERS_ALLOW_LEGACY;
    if (c->maxv)
        cfg->max_version = c->maxv;
    if (c->ciphers != NULL) { /* name the offending word; the context would only say "no match" */
        phonesec_ciphers_options co = PHONESEC_CIPHERS_OPTIONS_INIT;
        phonesec_ciphers_report rep;
        size_t need = 0;
        co.flags = (unsigned)cfg->cipher_preset & ~(unsigned)PHONESEC_CIPHERS_PRESET_MASK;
        co.preset = cfg->cipher_preset & PHONESEC_CIPHERS_PRESET_MASK;
        memset(&rep, 0, sizeof rep);
        rep.version = PHONESEC_CIPHERS_REPORT_VERSION;
        rc = phonesec_ciphers_select_ex(c->ciphers, &co, NULL, 0, &need, &rep);
        if (rc != PHONESEC_OK && rc != PHONESEC_E_BUFFER_SMALL) {
            fprintf(stderr, "phonesec tls %s: --ciphers '%s': %s\n", who, c->ciphers,
                    rep.message[0] ? rep.message : phonesec_strerror(rc));
            return rc;
        }
        if (rep.message[0])
            fprintf(stderr, "phonesec tls %s: --ciphers: %s\n", who, rep.message);
    }
    rc = phonesec_tls_ctx_new(cfg, ctx);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "phonesec tls %s: cannot create the TLS context: %s\n", who, phonesec_strerror(rc));
        return rc;
    }
    for (i = 0; i < c->n_ca; i++) {
        rc = phonesec_tls_ctx_add_trusted_file(*ctx, c->ca[i]);
        if (rc != PHONESEC_OK) {
            phonesec_tls_ctx_last_error(*ctx, err, sizeof err);
            fprintf(stderr, "phonesec tls %s: --ca %s: %s\n", who, c->ca[i], err);
            return rc;
        }
    }
    if (c->cert != NULL) {
        rc = phonesec_tls_ctx_set_certificate_file(*ctx, c->cert, c->key);
        if (rc != PHONESEC_OK) {
            phonesec_tls_ctx_last_error(*ctx, err, sizeof err);
            fprintf(stderr, "phonesec tls %s: --cert %s: %s\n", who, c->cert, err);
            return rc;
        }
    }
    return PHONESEC_OK;
}

/* Read whatever arrives until the peer closes or nothing came for idle_ms. */
static void read_reply(phonesec_tls_conn *conn, int fd, unsigned wait_ms)
{
    uint8_t buf[4096];
    size_t got;
    uint64_t deadline = phonesec_now_ms() + wait_ms;
    for (;;) {
        struct pollfd p;
        uint64_t now;
        int rc = phonesec_tls_conn_read(conn, buf, sizeof buf, &got);
        if (rc == PHONESEC_OK) {
            fwrite(buf, 1, got, stdout);
            fflush(stdout);
            continue;
        }
        if (rc != PHONESEC_E_WOULD_BLOCK)
            return;
        now = phonesec_now_ms();
        if (now >= deadline)
            return;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, (int)(deadline - now)) <= 0)
            return;
    }
}

static int write_all(phonesec_tls_conn *conn, int fd, const char *data, size_t len)
{
    size_t off = 0, n;
    while (off < len) {
        int rc = phonesec_tls_conn_write(conn, (const uint8_t *)data + off, len - off, &n);
        if (rc == PHONESEC_OK) {
            off += n;
        } else if (rc == PHONESEC_E_WOULD_BLOCK) {
            struct pollfd p;
            p.fd = fd;
            p.events = POLLOUT | POLLIN;
            p.revents = 0;
            if (poll(&p, 1, 5000) <= 0)
                return PHONESEC_E_TIMEOUT;
        } else {
            return rc;
        }
    }
    return PHONESEC_OK;
}

static int cmd_probe(int argc, char **argv)
{
    struct common c;
    phonesec_tls_config cfg;
    phonesec_tls_conn_config cc;
    phonesec_tls_ctx *ctx = NULL;
    phonesec_tls_conn *conn = NULL;
    phonesec_tls_io io;
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    const char *name = NULL, *target = NULL, *send = NULL;
    char host[256], err[512], sendbuf[8192];
    unsigned port, timeout = 5000, wait = 2000;
    int insecure = 0, no_name = 0, mode = PHONESEC_TLS_IDENTITY_SIP, fd = -1, a, rc, status = TOOL_FAIL;

    memset(&c, 0, sizeof c);
    for (a = 1; a < argc; a++) {
        int r = parse_common(argc, argv, &a, &c);
        if (r < 0) {
            usage(stderr);
            return TOOL_USAGE;
        }
        if (r > 0)
            continue;
        if (strcmp(argv[a], "--insecure") == 0) {
            insecure = 1;
        } else if (strcmp(argv[a], "--no-name-check") == 0) {
            no_name = 1;
        } else if (strcmp(argv[a], "--name") == 0 && a + 1 < argc) {
            name = argv[++a];
        } else if (strcmp(argv[a], "--send") == 0 && a + 1 < argc) {
            send = argv[++a];
        } else if (strcmp(argv[a], "--wait") == 0 && a + 1 < argc) {
            uint64_t x;
            if (tool_parse_u64(argv[++a], 10, 0x7fffffff, &x) != 0) {
                fprintf(stderr, "phonesec tls: --wait needs milliseconds\n");
                return TOOL_USAGE;
            }
            wait = (unsigned)x;
        } else if (strcmp(argv[a], "--timeout") == 0 && a + 1 < argc) {
            uint64_t x;
            if (tool_parse_u64(argv[++a], 10, 0x7fffffff, &x) != 0) {
                fprintf(stderr, "phonesec tls: --timeout needs milliseconds\n");
                return TOOL_USAGE;
            }
            timeout = (unsigned)x;
        } else if (strcmp(argv[a], "--mode") == 0 && a + 1 < argc) {
            a++;
            if (strcmp(argv[a], "sip") == 0)
                mode = PHONESEC_TLS_IDENTITY_SIP;
            else if (strcmp(argv[a], "https") == 0)
                mode = PHONESEC_TLS_IDENTITY_HTTPS;
            else {
                usage(stderr);
                return TOOL_USAGE;
            }
        } else if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            usage(stdout);
            return TOOL_OK;
        } else if (argv[a][0] != '-' && target == NULL) {
            target = argv[a];
        } else {
            fprintf(stderr, "phonesec tls probe: unknown or incomplete option '%s'\n", argv[a]);
            usage(stderr);
            return TOOL_USAGE;
        }
    }
    if (target == NULL || split_hostport(target, host, sizeof host, &port) != 0 || (c.cert && !c.key)) {
        usage(stderr);
        return TOOL_USAGE;
    }
    phonesec_tls_config_init(&cfg);
    cfg.identity_mode = mode;
    cfg.only_trusted = !insecure;
    cfg.name_validate = !(insecure || no_name);
    if (setup_ctx(&cfg, &c, &ctx, "probe") != PHONESEC_OK)
        goto out;
    if (!insecure && c.n_ca == 0) {
        fprintf(stderr, "phonesec tls probe: no --ca given: nothing to verify against (use --insecure to look anyway)\n");
        goto out;
    }
    rc = phonesec_tls_socket_connect(host, port, timeout, &fd);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "phonesec tls probe: cannot connect to %s: %s\n", target, phonesec_strerror(rc));
        goto out;
    }
    printf("connected: %s\n", target);
    phonesec_tls_conn_config_init(&cc);
    cc.reference_name = name ? name : host;
    (void)phonesec_tls_io_socket(&io, &fd);
    cc.io = io;
    rc = phonesec_tls_conn_new(ctx, &cc, &conn);
    if (rc != PHONESEC_OK) {
        phonesec_tls_ctx_last_error(ctx, err, sizeof err);
        fprintf(stderr, "phonesec tls probe: %s\n", err);
        goto out;
    }
    rc = phonesec_tls_socket_handshake(conn, fd, timeout);
    print_info(conn, 0);
    if (rc != PHONESEC_OK) {
        phonesec_tls_conn_last_error(conn, err, sizeof err);
        printf("result: FAILED: %s\n", rc == PHONESEC_E_TIMEOUT ? "handshake timed out" : err);
        goto out;
    }
    if (phonesec_tls_conn_info(conn, &info) == PHONESEC_OK && info.chain != PHONESEC_TLS_CHECK_PASSED && !insecure) {
        printf("result: FAILED: peer not verified\n");
        goto out;
    }
    status = TOOL_OK;
    printf("result: OK%s\n", insecure ? " (INSECURE: checks off)" : no_name ? " (name check off)" : "");
    fflush(stdout);
    if (send != NULL) {
        size_t n = unescape(send, sendbuf, sizeof sendbuf);
        printf("--- sent %zu bytes, reply:\n", n);
        fflush(stdout);
        if (write_all(conn, fd, sendbuf, n) != PHONESEC_OK)
            status = TOOL_FAIL;
        else
            read_reply(conn, fd, wait);
    }
    (void)phonesec_tls_conn_close(conn);
out:
    phonesec_tls_conn_free(conn);
    phonesec_tls_ctx_free(ctx);
    if (fd >= 0)
        close(fd);
    return status;
}

/* Listening socket on a numeric IPv4 or IPv6 address; -1 on failure. */
static int listen_on(const char *host, unsigned port)
{
    struct addrinfo hints, *res = NULL;
    char ps[16];
    int fd, one = 1;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
    snprintf(ps, sizeof ps, "%u", port);
    if (getaddrinfo(host, ps, &hints, &res) != 0 || res == NULL)
        return -1;
    fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 8) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

static int serve_one(phonesec_tls_ctx *ctx, int fd, int echo, const char *reply)
{
    phonesec_tls_conn_config cc;
    phonesec_tls_conn *conn = NULL;
    phonesec_tls_io io;
    char err[512];
    uint8_t buf[4096];
    size_t got;
    int rc, ok = 0;
    uint64_t idle_deadline;

    phonesec_tls_conn_config_init(&cc);
    (void)phonesec_tls_io_socket(&io, &fd);
    cc.io = io;
    rc = phonesec_tls_conn_new(ctx, &cc, &conn);
    if (rc != PHONESEC_OK) {
        phonesec_tls_ctx_last_error(ctx, err, sizeof err);
        fprintf(stderr, "phonesec tls serve: %s\n", err);
        return 0;
    }
    rc = phonesec_tls_socket_handshake(conn, fd, 10000);
    print_info(conn, 1);
    if (rc != PHONESEC_OK) {
        phonesec_tls_conn_last_error(conn, err, sizeof err);
        printf("result: FAILED: %s\n", rc == PHONESEC_E_TIMEOUT ? "handshake timed out" : err);
        fflush(stdout);
        phonesec_tls_conn_free(conn);
        return 0;
    }
    printf("result: OK\n");
    fflush(stdout);
    ok = 1;
    idle_deadline = phonesec_now_ms() + 10000;
    while (echo || reply) {
        struct pollfd p;
        rc = phonesec_tls_conn_read(conn, buf, sizeof buf, &got);
        if (rc == PHONESEC_OK) {
            idle_deadline = phonesec_now_ms() + 10000;
            if (echo)
                rc = write_all(conn, fd, (const char *)buf, got);
            else {
                char out[8192];
                size_t n = unescape(reply, out, sizeof out);
                rc = write_all(conn, fd, out, n);
            }
            if (rc != PHONESEC_OK)
                break;
            continue;
        }
        if (rc != PHONESEC_E_WOULD_BLOCK || phonesec_now_ms() >= idle_deadline)
            break;
        p.fd = fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, 1000) < 0 && errno != EINTR)
            break;
    }
    (void)phonesec_tls_conn_close(conn);
    phonesec_tls_conn_free(conn);
    return ok;
}

static int cmd_serve(int argc, char **argv)
{
    struct common c;
    phonesec_tls_config cfg;
    phonesec_tls_ctx *ctx = NULL;
    const char *target = NULL, *reply = NULL;
    char host[256];
    unsigned port;
    int a, lfd = -1, count = 1, echo = 0, client_cert = PHONESEC_TLS_CLIENT_CERT_NONE, i, failures = 0;

    memset(&c, 0, sizeof c);
    for (a = 1; a < argc; a++) {
        int r = parse_common(argc, argv, &a, &c);
        if (r < 0) {
            usage(stderr);
            return TOOL_USAGE;
        }
        if (r > 0)
            continue;
        if (strcmp(argv[a], "--require-client-cert") == 0) {
            client_cert = PHONESEC_TLS_CLIENT_CERT_REQUIRE;
        } else if (strcmp(argv[a], "--request-client-cert") == 0) {
            client_cert = PHONESEC_TLS_CLIENT_CERT_REQUEST;
        } else if (strcmp(argv[a], "--echo") == 0) {
            echo = 1;
        } else if (strcmp(argv[a], "--reply") == 0 && a + 1 < argc) {
            reply = argv[++a];
        } else if (strcmp(argv[a], "--count") == 0 && a + 1 < argc) {
            uint64_t x;
            if (tool_parse_u64(argv[++a], 10, 0x7fffffff, &x) != 0) {
                fprintf(stderr, "phonesec tls: --count needs a number\n");
                return TOOL_USAGE;
            }
            count = (int)x;
        } else if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            usage(stdout);
            return TOOL_OK;
        } else if (argv[a][0] != '-' && target == NULL) {
            target = argv[a];
        } else {
            fprintf(stderr, "phonesec tls serve: unknown or incomplete option '%s'\n", argv[a]);
            usage(stderr);
            return TOOL_USAGE;
        }
    }
    if (target == NULL || c.cert == NULL || c.key == NULL || count < 1 ||
        split_hostport(target, host, sizeof host, &port) != 0) {
        usage(stderr);
        return TOOL_USAGE;
    }
    phonesec_tls_config_init(&cfg);
    cfg.role = PHONESEC_TLS_SERVER;
    cfg.client_cert = client_cert;
    if (setup_ctx(&cfg, &c, &ctx, "serve") != PHONESEC_OK) {
        phonesec_tls_ctx_free(ctx);
        return TOOL_FAIL;
    }
    lfd = listen_on(host, port);
    if (lfd < 0) {
        fprintf(stderr, "phonesec tls serve: cannot listen on %s: %s\n", target, strerror(errno));
        phonesec_tls_ctx_free(ctx);
        return TOOL_FAIL;
    }
    printf("listening: %s\n", target);
    fflush(stdout);
    for (i = 0; i < count; i++) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            failures++;
            continue;
        }
        printf("--- connection %d\n", i + 1);
        if (!serve_one(ctx, fd, echo, reply))
            failures++;
        close(fd);
    }
    close(lfd);
    phonesec_tls_ctx_free(ctx);
    return failures == 0 ? TOOL_OK : TOOL_FAIL;
}

static int cmd_check_name(int argc, char **argv)
{
    int mode = PHONESEC_TLS_IDENTITY_SIP, a, rc;
    const char *file = NULL, *name = NULL;
    FILE *f;
    static uint8_t buf[65536], der[65536];
    size_t n, dn = 0;
    char why[512];
    int more;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "--mode") == 0 && a + 1 < argc) {
            a++;
            if (strcmp(argv[a], "https") == 0) {
                mode = PHONESEC_TLS_IDENTITY_HTTPS;
            } else if (strcmp(argv[a], "sip") == 0) {
                mode = PHONESEC_TLS_IDENTITY_SIP;
            } else {
                fprintf(stderr, "phonesec tls check-name: --mode is sip or https, not '%s'\n", argv[a]);
                return TOOL_USAGE;
            }
        } else if (file == NULL) {
            file = argv[a];
        } else if (name == NULL) {
            name = argv[a];
        } else {
            usage(stderr);
            return TOOL_USAGE;
        }
    }
    if (file == NULL || name == NULL) {
        usage(stderr);
        return TOOL_USAGE;
    }
    f = fopen(file, "rb");
    if (f == NULL) {
        fprintf(stderr, "phonesec tls check-name: cannot open %s: %s\n", file, strerror(errno));
        return TOOL_FAIL;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    if (ferror(f)) {
        fprintf(stderr, "phonesec tls check-name: cannot read %s: %s\n", file, strerror(errno));
        fclose(f);
        return TOOL_FAIL;
    }
    more = n == sizeof buf - 1 && fgetc(f) != EOF; /* only the first 64 KiB are read */
    fclose(f);
    buf[n] = '\0';
    if (n == 0) {
        fprintf(stderr, "phonesec tls check-name: %s is empty\n", file);
        return TOOL_FAIL;
    }
    if (strstr((char *)buf, "-----BEGIN CERTIFICATE-----") != NULL) {
        char *b = strstr((char *)buf, "-----BEGIN CERTIFICATE-----") + 27, *e = strstr(b, "-----END CERTIFICATE-----");
        static char b64[65536];
        size_t k = 0;
        if (e == NULL && more) {
            fprintf(stderr, "phonesec tls check-name: %s: the first PEM certificate does not end within the first "
                            "%zu bytes (oversized?)\n", file, sizeof buf - 1);
            return TOOL_FAIL;
        }
        if (e == NULL) {
            fprintf(stderr, "phonesec tls check-name: %s: PEM certificate without its "
                            "\"-----END CERTIFICATE-----\" line (truncated file?)\n", file);
            return TOOL_FAIL;
        }
        for (; b < e; b++)
            if (*b != '\r' && *b != '\n' && *b != ' ' && *b != '\t')
                b64[k++] = *b;
        if (k == 0 || phonesec_base64_decode(b64, k, PHONESEC_BASE64_STD, der, sizeof der, &dn, NULL) != PHONESEC_OK) {
            fprintf(stderr, "phonesec tls check-name: %s: the PEM certificate is not valid base64 (damaged file?)\n",
                    file);
            return TOOL_FAIL;
        }
    } else if (more) {
        fprintf(stderr, "phonesec tls check-name: %s: no PEM certificate in its first %zu bytes, and too large for "
                        "one DER certificate\n", file, sizeof buf - 1);
        return TOOL_FAIL;
    } else if (buf[0] != 0x30) { /* a DER certificate starts with a SEQUENCE */
        fprintf(stderr, "phonesec tls check-name: %s is neither a PEM nor a DER certificate\n", file);
        return TOOL_FAIL;
    } else {
        memcpy(der, buf, n);
        dn = n;
    }
    rc = phonesec_tls_cert_check_name(der, dn, mode, name, why, sizeof why);
    if (rc != PHONESEC_OK && rc != PHONESEC_E_NAME) {
        fprintf(stderr, "phonesec tls check-name: %s: %s%s%s\n", file, phonesec_strerror(rc), why[0] ? ": " : "", why);
        return rc == PHONESEC_E_INVAL ? TOOL_USAGE : TOOL_FAIL;
    }
    printf("%s: %s\n", rc == PHONESEC_OK ? "MATCH" : "NO MATCH", why);
    return rc == PHONESEC_OK ? TOOL_OK : TOOL_FAIL;
}

int phonesec_tool_tls(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TOOL_USAGE;
    }
    if (strcmp(argv[1], "probe") == 0)
        return cmd_probe(argc - 1, argv + 1);
    if (strcmp(argv[1], "serve") == 0)
        return cmd_serve(argc - 1, argv + 1);
    if (strcmp(argv[1], "check-name") == 0)
        return cmd_check_name(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return TOOL_OK;
    }
    usage(stderr);
    return TOOL_USAGE;
}
