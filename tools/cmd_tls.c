/* phonesec tls: probe a TLS server (what a phone would see and check), serve
 * TLS for tests and demos, check a certificate's identity offline. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
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
            "usage: phonesec tls probe [--ca FILE]... [--ca-bundle FILE]... [--trust default|custom|all]\n"
            "                          [--cert FILE --key FILE] [--name NAME]\n"
            "                          [--mode sip|https] [--ciphers STRING] [--tls13 LIST] [--legacy-ciphers]\n"
            "                          [--tls-max 1.2|1.3] [--insecure] [--no-name-check]\n"
            "                          [--send TEXT] [--wait MS] [--timeout MS] [--json] HOST:PORT\n"
            "       phonesec tls serve --cert FILE --key FILE [--ca FILE]... [--ca-bundle FILE]...\n"
            "                          [--trust default|custom|all] [--require-client-cert]\n"
            "                          [--request-client-cert] [--ciphers STRING] [--tls13 LIST] [--legacy-ciphers]\n"
            "                          [--tls-max 1.2|1.3] [--count N] [--reply TEXT] [--echo] ADDR:PORT\n"
            "       phonesec tls check-name [--mode sip|https] [--json] CERTFILE NAME\n"
            "  Options take their value as --opt VALUE or --opt=VALUE; every subcommand has\n"
            "  --help and --version.\n"
            "  probe: connect, print version, suite, peer identity and each check's verdict,\n"
            "         then wait (at most --wait MS, default 2000) for the server's verdict on our\n"
            "         side of the handshake: ACCEPTED (TLS 1.2 handshake done; TLS 1.3 session\n"
            "         ticket or data), REFUSED (an alert or a close: TLS 1.3 servers refuse a\n"
            "         client certificate after our side completed) or UNCONFIRMED (nothing came).\n"
            "         Exit 0 only when the handshake completed, every enabled check passed and\n"
            "         the verdict is ACCEPTED, or UNCONFIRMED without --cert.\n"
            "         --insecure turns off chain and name checks (verdicts are still printed);\n"
            "         --no-name-check only the name check (TLS Name Validate = No).\n"
            "         --name defaults to HOST. --send writes TEXT (\\r \\n escapes) and prints the reply.\n"
            "         --json: one JSON object instead of the text (see phonesec(1)).\n"
            "  serve: accept N connections (default 1) on ADDR:PORT, print what was negotiated and\n"
            "         the client's identity; --echo echoes data, --reply answers each read with TEXT.\n"
            "  --ca: the custom trust list (at most 10, as a phone); --ca-bundle: built-in CAs, any\n"
            "         number (e.g. /etc/ssl/certs/ca-certificates.crt); --trust: which of the two\n"
            "         verify the peer: default (built-in), custom, all (the default).\n"
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

/* The same facts as JSON members (documented in phonesec(1), JSON OUTPUT). */
static void json_info(tool_json *j, const phonesec_tls_conn *conn)
{
    phonesec_tls_info in = PHONESEC_TLS_INFO_INIT;
    if (conn == NULL || phonesec_tls_conn_info(conn, &in) != PHONESEC_OK) {
        tool_json_bool(j, "handshake", 0);
        return;
    }
    tool_json_bool(j, "handshake", in.established);
    tool_json_str(j, "protocol", in.established ? in.protocol_name : NULL);
    tool_json_str(j, "suite", in.established ? in.suite_name : NULL);
    if (in.established)
        tool_json_int(j, "suite_code", in.suite);
    else
        tool_json_null(j, "suite_code");
    tool_json_bool(j, "resumed", in.established && in.resumed);
    tool_json_bool(j, "peer_certificate", in.peer_cert);
    tool_json_str(j, "peer_subject", in.peer_cert ? in.peer_subject : NULL);
    tool_json_str(j, "peer_issuer", in.peer_cert ? in.peer_issuer : NULL);
    tool_json_str(j, "peer_sans", in.peer_cert ? in.peer_sans : NULL);
    tool_json_str(j, "chain", verdict(in.chain));
    tool_json_bool(j, "chain_enforced", in.chain_enforced);
    tool_json_str(j, "chain_detail", in.chain_detail);
    tool_json_str(j, "name", verdict(in.name));
    tool_json_str(j, "identity_mode", in.identity_mode == PHONESEC_TLS_IDENTITY_HTTPS ? "https" : "sip");
    tool_json_str(j, "reference_name", in.reference_name);
    tool_json_str(j, "name_detail", in.name_detail);
}

struct common {
    const char *ca[MAX_CA];
    int n_ca;
    const char *bundle[MAX_CA];
    int n_bundle;
    int trust; /* PHONESEC_TLS_TRUST_*, -1: not given */
    const char *cert, *key, *ciphers, *tls13;
    unsigned maxv;
    int legacy_ciphers;
};

/* Options probe and serve share (values above 0x1100; TOOL_OPTS_COMMON below). */
enum {
    OPT_CA = 0x1100, OPT_CERT, OPT_KEY, OPT_CIPHERS, OPT_TLS13, OPT_TLS_MAX, OPT_LEGACY_CIPHERS,
    OPT_INSECURE, OPT_NO_NAME, OPT_NAME, OPT_SEND, OPT_WAIT, OPT_TIMEOUT, OPT_MODE,
    OPT_REQUIRE, OPT_REQUEST, OPT_ECHO, OPT_REPLY, OPT_COUNT, OPT_CA_BUNDLE, OPT_TRUST
};
#define COMMON_TLS_OPTS                                                                                        \
    {"ca", required_argument, NULL, OPT_CA}, {"cert", required_argument, NULL, OPT_CERT},                      \
        {"key", required_argument, NULL, OPT_KEY}, {"ciphers", required_argument, NULL, OPT_CIPHERS},          \
        {"tls13", required_argument, NULL, OPT_TLS13}, {"tls-max", required_argument, NULL, OPT_TLS_MAX},      \
        {"legacy-ciphers", no_argument, NULL, OPT_LEGACY_CIPHERS},                                               \
        {"ca-bundle", required_argument, NULL, OPT_CA_BUNDLE}, {"trust", required_argument, NULL, OPT_TRUST}

/* 1 when o was one of COMMON_TLS_OPTS (taken), 0 when not, -1 after a usage error. */
static int parse_common(int o, const char *prog, struct common *c)
{
    switch (o) {
    case OPT_LEGACY_CIPHERS:
        c->legacy_ciphers = 1;
        return 1;
    case OPT_CA:
        if (c->n_ca >= MAX_CA) {
            tool_usage_error(prog, "at most %d --ca files", MAX_CA);
            return -1;
        }
        c->ca[c->n_ca++] = optarg;
        return 1;
    case OPT_CA_BUNDLE:
        if (c->n_bundle >= MAX_CA) {
            tool_usage_error(prog, "at most %d --ca-bundle files", MAX_CA);
            return -1;
        }
        c->bundle[c->n_bundle++] = optarg;
        return 1;
    case OPT_TRUST:
        if (strcmp(optarg, "all") == 0)
            c->trust = PHONESEC_TLS_TRUST_ALL;
        else if (strcmp(optarg, "default") == 0)
            c->trust = PHONESEC_TLS_TRUST_DEFAULT;
        else if (strcmp(optarg, "custom") == 0)
            c->trust = PHONESEC_TLS_TRUST_CUSTOM;
        else {
            tool_usage_error(prog, "--trust is default, custom or all, not '%s'", optarg);
            return -1;
        }
        return 1;
    case OPT_CERT:
        c->cert = optarg;
        return 1;
    case OPT_KEY:
        c->key = optarg;
        return 1;
    case OPT_CIPHERS:
        c->ciphers = optarg;
        return 1;
    case OPT_TLS13:
        c->tls13 = optarg;
        return 1;
    case OPT_TLS_MAX:
        if (strcmp(optarg, "1.2") == 0)
            c->maxv = PHONESEC_TLS_V1_2;
        else if (strcmp(optarg, "1.3") == 0)
            c->maxv = PHONESEC_TLS_V1_3;
        else {
            tool_usage_error(prog, "--tls-max is 1.2 or 1.3, not '%s'", optarg);
            return -1;
        }
        return 1;
    default:
        return 0;
    }
}

static const char *trust_name(int t)
{
    return t == PHONESEC_TLS_TRUST_DEFAULT ? "default" : t == PHONESEC_TLS_TRUST_CUSTOM ? "custom" : "all";
}

static int parse_mode(const char *prog, const char *v, int *mode)
{
    if (strcmp(v, "sip") == 0)
        *mode = PHONESEC_TLS_IDENTITY_SIP;
    else if (strcmp(v, "https") == 0)
        *mode = PHONESEC_TLS_IDENTITY_HTTPS;
    else {
        tool_usage_error(prog, "--mode is sip or https, not '%s'", v);
        return -1;
    }
    return 0;
}

static int parse_ms(const char *prog, const char *opt, const char *v, unsigned *out)
{
    uint64_t x;
    if (tool_parse_u64(v, 10, 0x7fffffff, &x) != 0) {
        tool_usage_error(prog, "%s needs milliseconds, not '%s'", opt, v);
        return -1;
    }
    *out = (unsigned)x;
    return 0;
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
    for (i = 0; i < c->n_bundle; i++) {
        rc = phonesec_tls_ctx_add_builtin_file(*ctx, c->bundle[i]);
        if (rc != PHONESEC_OK) {
            phonesec_tls_ctx_last_error(*ctx, err, sizeof err);
            fprintf(stderr, "phonesec tls %s: --ca-bundle %s: %s\n", who, c->bundle[i], err);
            return rc;
        }
    }
    if (c->trust >= 0 && (rc = phonesec_tls_ctx_set_trust_source(*ctx, c->trust)) != PHONESEC_OK) {
        phonesec_tls_ctx_last_error(*ctx, err, sizeof err);
        fprintf(stderr, "phonesec tls %s: --trust: %s\n", who, err);
        return rc;
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

/* What the server made of our side of the handshake. */
enum { SRV_UNCONFIRMED, SRV_ACCEPTED, SRV_REFUSED };
static const char *const srv_names[] = {"UNCONFIRMED", "ACCEPTED", "REFUSED"};

/* Where the server's bytes go: stdout as they come, or a buffer (--json). */
struct sink {
    char *buf;
    size_t cap, len;
    int truncated;
};

static void sink_put(struct sink *k, const uint8_t *d, size_t n)
{
    if (k == NULL || k->buf == NULL) {
        fwrite(d, 1, n, stdout);
        fflush(stdout);
        return;
    }
    if (n > k->cap - k->len) {
        n = k->cap - k->len;
        k->truncated = 1;
    }
    memcpy(k->buf + k->len, d, n);
    k->len += n;
}

/* Read until the peer closes, fails, or nothing came for wait_ms. Data
 * received, or a TLS 1.3 session ticket (sent by the server only once it
 * has checked our Finished and certificate), proves the server accepted
 * the handshake: *srv becomes ACCEPTED; an alert or a close before that
 * makes it REFUSED (why filled). With stop_on_verdict the read ends as
 * soon as the verdict is known (nothing was sent yet: no reply to wait
 * for). */
static void read_reply(phonesec_tls_conn *conn, int fd, unsigned wait_ms, struct sink *k, int *srv, char *why,
                       size_t whycap, int stop_on_verdict)
{
    uint8_t buf[4096];
    size_t got;
    uint64_t deadline = phonesec_now_ms() + wait_ms;
    for (;;) {
        struct pollfd p;
        uint64_t now;
        int rc = phonesec_tls_conn_read(conn, buf, sizeof buf, &got);
        if (rc == PHONESEC_OK) {
            *srv = SRV_ACCEPTED;
            sink_put(k, buf, got);
            continue;
        }
        if (rc == PHONESEC_E_CLOSED) {
            if (*srv != SRV_ACCEPTED) {
                *srv = SRV_REFUSED;
                snprintf(why, whycap, "the server closed the connection without a word after the handshake");
            }
            return;
        }
        if (rc != PHONESEC_E_WOULD_BLOCK) {
            if (*srv != SRV_ACCEPTED) {
                char err[512];
                *srv = SRV_REFUSED;
                phonesec_tls_conn_last_error(conn, err, sizeof err);
                snprintf(why, whycap, "%s", err[0] ? err : phonesec_strerror(rc));
            }
            return;
        }
        if (*srv != SRV_ACCEPTED) {
            phonesec_tls_session *sess = NULL;
            if (phonesec_tls_conn_get_session(conn, &sess) == PHONESEC_OK) {
                *srv = SRV_ACCEPTED;
                snprintf(why, whycap, "the server sent a session ticket");
            }
            phonesec_tls_session_free(sess);
        }
        if (stop_on_verdict && *srv != SRV_UNCONFIRMED)
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

static const struct option probe_opts[] = {
    COMMON_TLS_OPTS,
    {"insecure", no_argument, NULL, OPT_INSECURE},
    {"no-name-check", no_argument, NULL, OPT_NO_NAME},
    {"name", required_argument, NULL, OPT_NAME},
    {"mode", required_argument, NULL, OPT_MODE},
    {"send", required_argument, NULL, OPT_SEND},
    {"wait", required_argument, NULL, OPT_WAIT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    TOOL_OPT_JSON_ENTRY,
    TOOL_OPTS_COMMON,
    {NULL, 0, NULL, 0}};

static int cmd_probe(int argc, char **argv)
{
    static const char prog[] = "phonesec tls probe";
    static char replybuf[65536];
    struct common c;
    struct sink sink = {NULL, 0, 0, 0}, *k;
    phonesec_tls_config cfg;
    phonesec_tls_conn_config cc;
    phonesec_tls_ctx *ctx = NULL;
    phonesec_tls_conn *conn = NULL;
    phonesec_tls_io io;
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    tool_json j;
    const char *name = NULL, *target = NULL, *send = NULL, *result = "FAILED";
    char host[256], err[512] = "", sendbuf[8192], why[512] = "";
    unsigned port = 0, timeout = 5000, wait = 2000;
    int insecure = 0, no_name = 0, json = 0, mode = PHONESEC_TLS_IDENTITY_SIP, fd = -1, o, rc, st;
    int status = TOOL_FAIL, srv = SRV_UNCONFIRMED, connected = 0, handshake_rc = PHONESEC_E_STATE;
    size_t sent = 0;

    memset(&c, 0, sizeof c);
    c.trust = -1;
    for (optind = 0; (o = tool_getopt(argc, argv, prog, "", probe_opts, usage, &st)) != -1;) {
        int r = parse_common(o, prog, &c);
        if (o == TOOL_GETOPT_EXIT)
            return st;
        if (r < 0)
            return TOOL_USAGE;
        if (r > 0)
            continue;
        switch (o) {
        case OPT_INSECURE: insecure = 1; break;
        case OPT_NO_NAME: no_name = 1; break;
        case OPT_NAME: name = optarg; break;
        case OPT_SEND: send = optarg; break;
        case TOOL_OPT_JSON: json = 1; break;
        case OPT_WAIT:
            if (parse_ms(prog, "--wait", optarg, &wait) != 0)
                return TOOL_USAGE;
            break;
        case OPT_TIMEOUT:
            if (parse_ms(prog, "--timeout", optarg, &timeout) != 0)
                return TOOL_USAGE;
            break;
        case OPT_MODE:
            if (parse_mode(prog, optarg, &mode) != 0)
                return TOOL_USAGE;
            break;
        default:
            return TOOL_USAGE;
        }
    }
    if (tool_operands(argc, argv, 1, 1, prog) != 0)
        return TOOL_USAGE;
    target = argv[optind];
    if (split_hostport(target, host, sizeof host, &port) != 0)
        return tool_usage_error(prog, "'%s' is not HOST:PORT", target);
    if ((c.cert != NULL) != (c.key != NULL))
        return tool_usage_error(prog, "--cert and --key go together");
    /* the reply is printed after the verdict, which it may decide */
    sink.buf = replybuf;
    sink.cap = sizeof replybuf;
    k = &sink;
    phonesec_tls_config_init(&cfg);
    cfg.identity_mode = mode;
    cfg.only_trusted = !insecure;
    cfg.name_validate = !(insecure || no_name);
    if (setup_ctx(&cfg, &c, &ctx, "probe") != PHONESEC_OK) {
        snprintf(err, sizeof err, "cannot set up the TLS context (see standard error)");
        goto out;
    }
    if (!insecure && c.n_ca == 0 && c.n_bundle == 0) {
        fprintf(stderr, "phonesec tls probe: no --ca or --ca-bundle given: nothing to verify against (use "
                        "--insecure to look anyway)\n");
        snprintf(err, sizeof err, "no --ca or --ca-bundle given");
        goto out;
    }
    rc = phonesec_tls_socket_connect(host, port, timeout, &fd);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "phonesec tls probe: cannot connect to %s: %s\n", target, phonesec_strerror(rc));
        snprintf(err, sizeof err, "cannot connect: %s", phonesec_strerror(rc));
        goto out;
    }
    connected = 1;
    if (!json)
        printf("connected: %s\n", target);
    if (!json && !insecure)
        printf("trust: %zu custom, %zu built-in, source %s\n", phonesec_tls_ctx_trusted_count(ctx),
               phonesec_tls_ctx_builtin_count(ctx), trust_name(phonesec_tls_ctx_trust_source(ctx)));
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
    handshake_rc = phonesec_tls_socket_handshake(conn, fd, timeout);
    if (!json)
        print_info(conn, 0);
    if (handshake_rc != PHONESEC_OK) {
        phonesec_tls_conn_last_error(conn, err, sizeof err);
        if (handshake_rc == PHONESEC_E_TIMEOUT)
            snprintf(err, sizeof err, "handshake timed out");
        goto out;
    }
    memset(&info, 0, sizeof info);
    if (phonesec_tls_conn_info(conn, &info) != PHONESEC_OK ||
        (info.chain != PHONESEC_TLS_CHECK_PASSED && !insecure)) {
        snprintf(err, sizeof err, "peer not verified");
        goto out;
    }
    /* TLS 1.2: the server's Finished comes after it checked our certificate.
     * TLS 1.3: our Finished (and certificate) is checked after our side of the
     * handshake completed; a refusal arrives as an alert, acceptance shows as
     * a session ticket or data. Read until one of them, at most --wait ms. */
    if (info.protocol != PHONESEC_TLS_V1_3) {
        srv = SRV_ACCEPTED;
        snprintf(why, sizeof why, "TLS 1.2: the server's Finished follows its check of our side");
    } else {
        read_reply(conn, fd, wait, k, &srv, why, sizeof why, 1);
    }
    if (srv == SRV_REFUSED) {
        snprintf(err, sizeof err, "the server refused the handshake after our side completed%s: %s",
                 c.cert ? " (our client certificate?)" : " (it wants a client certificate?)", why);
    } else if (send != NULL) {
        size_t n = unescape(send, sendbuf, sizeof sendbuf);
        rc = write_all(conn, fd, sendbuf, n);
        if (rc != PHONESEC_OK) {
            snprintf(err, sizeof err, "cannot send: %s", phonesec_strerror(rc));
        } else {
            sent = n;
            read_reply(conn, fd, wait, k, &srv, why, sizeof why, 0);
            if (srv == SRV_REFUSED)
                snprintf(err, sizeof err, "the server refused the handshake after our side completed: %s", why);
        }
    }
    if (err[0] == '\0' && srv == SRV_UNCONFIRMED)
        snprintf(why, sizeof why, "no session ticket, data or alert from the server within %u ms (--wait)", wait);
    if (err[0] == '\0' && srv == SRV_UNCONFIRMED && c.cert != NULL) {
        result = "UNCONFIRMED";
        snprintf(err, sizeof err, "the server did not say whether it accepts our client certificate: %s", why);
    } else if (err[0] == '\0') {
        result = "OK";
        status = TOOL_OK;
    }
    (void)phonesec_tls_conn_close(conn);
out:
    if (json) {
        tool_json_begin(&j, "tls probe");
        tool_json_str(&j, "target", target);
        tool_json_str(&j, "result", result);
        tool_json_str(&j, "error", status == TOOL_OK ? NULL : err);
        tool_json_bool(&j, "connected", connected);
        tool_json_int(&j, "trusted_custom", (long long)phonesec_tls_ctx_trusted_count(ctx));
        tool_json_int(&j, "trusted_builtin", (long long)phonesec_tls_ctx_builtin_count(ctx));
        tool_json_str(&j, "trust_source", ctx ? trust_name(phonesec_tls_ctx_trust_source(ctx)) : NULL);
        json_info(&j, conn);
        tool_json_str(&j, "server_verdict", handshake_rc == PHONESEC_OK ? srv_names[srv] : NULL);
        tool_json_str(&j, "server_verdict_detail", handshake_rc == PHONESEC_OK ? why : NULL);
        tool_json_bool(&j, "client_certificate_sent", c.cert != NULL);
        tool_json_bool(&j, "insecure", insecure);
        tool_json_bool(&j, "name_check", !(insecure || no_name));
        if (send != NULL) {
            tool_json_int(&j, "sent_bytes", (long long)sent);
            tool_json_strn(&j, "reply", sink.buf, sink.len);
            tool_json_bool(&j, "reply_truncated", sink.truncated);
        }
        tool_json_end(&j);
    } else if (handshake_rc == PHONESEC_OK) {
        printf("server verdict: %s - %s\n", srv_names[srv], why);
        if (status == TOOL_OK)
            printf("result: OK%s\n", insecure ? " (INSECURE: checks off)" : no_name ? " (name check off)" : "");
        else
            printf("result: %s: %s\n", result, err);
        if (send != NULL && srv != SRV_REFUSED && sent > 0) {
            printf("--- sent %zu bytes, reply:\n", sent);
            fwrite(sink.buf, 1, sink.len, stdout);
            if (sink.truncated)
                fprintf(stderr, "phonesec tls probe: reply cut at %zu bytes\n", sink.cap);
        }
    } else if (connected && conn != NULL) {
        printf("result: FAILED: %s\n", err);
    }
    fflush(stdout);
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

static const struct option serve_opts[] = {
    COMMON_TLS_OPTS,
    {"require-client-cert", no_argument, NULL, OPT_REQUIRE},
    {"request-client-cert", no_argument, NULL, OPT_REQUEST},
    {"echo", no_argument, NULL, OPT_ECHO},
    {"reply", required_argument, NULL, OPT_REPLY},
    {"count", required_argument, NULL, OPT_COUNT},
    TOOL_OPTS_COMMON,
    {NULL, 0, NULL, 0}};

static int cmd_serve(int argc, char **argv)
{
    static const char prog[] = "phonesec tls serve";
    struct common c;
    phonesec_tls_config cfg;
    phonesec_tls_ctx *ctx = NULL;
    const char *target = NULL, *reply = NULL;
    char host[256];
    unsigned port;
    int o, st, lfd = -1, count = 1, echo = 0, client_cert = PHONESEC_TLS_CLIENT_CERT_NONE, i, failures = 0;

    memset(&c, 0, sizeof c);
    c.trust = -1;
    for (optind = 0; (o = tool_getopt(argc, argv, prog, "", serve_opts, usage, &st)) != -1;) {
        int r = parse_common(o, prog, &c);
        if (o == TOOL_GETOPT_EXIT)
            return st;
        if (r < 0)
            return TOOL_USAGE;
        if (r > 0)
            continue;
        switch (o) {
        case OPT_REQUIRE: client_cert = PHONESEC_TLS_CLIENT_CERT_REQUIRE; break;
        case OPT_REQUEST: client_cert = PHONESEC_TLS_CLIENT_CERT_REQUEST; break;
        case OPT_ECHO: echo = 1; break;
        case OPT_REPLY: reply = optarg; break;
        case OPT_COUNT: {
            uint64_t x;
            if (tool_parse_u64(optarg, 10, 0x7fffffff, &x) != 0 || x < 1)
                return tool_usage_error(prog, "--count needs a number from 1, not '%s'", optarg);
            count = (int)x;
            break;
        }
        default:
            return TOOL_USAGE;
        }
    }
    if (tool_operands(argc, argv, 1, 1, prog) != 0)
        return TOOL_USAGE;
    target = argv[optind];
    if (c.cert == NULL || c.key == NULL)
        return tool_usage_error(prog, "--cert and --key are needed");
    if (split_hostport(target, host, sizeof host, &port) != 0)
        return tool_usage_error(prog, "'%s' is not ADDR:PORT", target);
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

static const struct option check_name_opts[] = {
    {"mode", required_argument, NULL, OPT_MODE},
    TOOL_OPT_JSON_ENTRY,
    TOOL_OPTS_COMMON,
    {NULL, 0, NULL, 0}};

/* check-name's errors: the message on stderr, and with --json the object
 * with match and detail null and the message as error. */
static void cn_fail(int json, int mode, const char *file, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
static void cn_fail(int json, int mode, const char *file, const char *name, const char *fmt, ...)
{
    char msg[1024];
    size_t n;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "phonesec tls check-name: %s", msg);
    n = strlen(msg);
    if (n > 0 && msg[n - 1] == '\n')
        msg[n - 1] = '\0';
    if (json) {
        tool_json j;
        tool_json_begin(&j, "tls check-name");
        tool_json_str(&j, "file", file);
        tool_json_str(&j, "name", name);
        tool_json_str(&j, "identity_mode", mode == PHONESEC_TLS_IDENTITY_HTTPS ? "https" : "sip");
        tool_json_null(&j, "match");
        tool_json_null(&j, "detail");
        tool_json_str(&j, "error", msg);
        tool_json_end(&j);
    }
}

static int cmd_check_name(int argc, char **argv)
{
    static const char prog[] = "phonesec tls check-name";
    int mode = PHONESEC_TLS_IDENTITY_SIP, o, st, rc, json = 0;
    const char *file = NULL, *name = NULL;
    FILE *f;
    static uint8_t buf[65536], der[65536];
    size_t n, dn = 0;
    char why[512];
    int more;

    for (optind = 0; (o = tool_getopt(argc, argv, prog, "", check_name_opts, usage, &st)) != -1;) {
        if (o == TOOL_GETOPT_EXIT)
            return st;
        if (o == OPT_MODE) {
            if (parse_mode(prog, optarg, &mode) != 0)
                return TOOL_USAGE;
        } else if (o == TOOL_OPT_JSON) {
            json = 1;
        } else {
            return TOOL_USAGE;
        }
    }
    if (tool_operands(argc, argv, 2, 2, prog) != 0)
        return TOOL_USAGE;
    file = argv[optind];
    name = argv[optind + 1];
    f = fopen(file, "rb");
    if (f == NULL) {
        cn_fail(json, mode, file, name, "cannot open %s: %s\n", file, strerror(errno));
        return TOOL_FAIL;
    }
    n = fread(buf, 1, sizeof buf - 1, f);
    if (ferror(f)) {
        cn_fail(json, mode, file, name, "cannot read %s: %s\n", file, strerror(errno));
        fclose(f);
        return TOOL_FAIL;
    }
    more = n == sizeof buf - 1 && fgetc(f) != EOF; /* only the first 64 KiB are read */
    fclose(f);
    buf[n] = '\0';
    if (n == 0) {
        cn_fail(json, mode, file, name, "%s is empty\n", file);
        return TOOL_FAIL;
    }
    if (strstr((char *)buf, "-----BEGIN CERTIFICATE-----") != NULL) {
        char *b = strstr((char *)buf, "-----BEGIN CERTIFICATE-----") + 27, *e = strstr(b, "-----END CERTIFICATE-----");
        static char b64[65536];
        size_t k = 0;
        if (e == NULL && more) {
            cn_fail(json, mode, file, name, "%s: the first PEM certificate does not end within the first "
                            "%zu bytes (oversized?)\n", file, sizeof buf - 1);
            return TOOL_FAIL;
        }
        if (e == NULL) {
            cn_fail(json, mode, file, name, "%s: PEM certificate without its "
                            "\"-----END CERTIFICATE-----\" line (truncated file?)\n", file);
            return TOOL_FAIL;
        }
        for (; b < e; b++)
            if (*b != '\r' && *b != '\n' && *b != ' ' && *b != '\t')
                b64[k++] = *b;
        if (k == 0 || phonesec_base64_decode(b64, k, PHONESEC_BASE64_STD, der, sizeof der, &dn, NULL) != PHONESEC_OK) {
            cn_fail(json, mode, file, name, "%s: the PEM certificate is not valid base64 (damaged file?)\n",
                    file);
            return TOOL_FAIL;
        }
    } else if (more) {
        cn_fail(json, mode, file, name, "%s: no PEM certificate in its first %zu bytes, and too large for "
                        "one DER certificate\n", file, sizeof buf - 1);
        return TOOL_FAIL;
    } else if (buf[0] != 0x30) { /* a DER certificate starts with a SEQUENCE */
        cn_fail(json, mode, file, name, "%s is neither a PEM nor a DER certificate\n", file);
        return TOOL_FAIL;
    } else {
        memcpy(der, buf, n);
        dn = n;
    }
    rc = phonesec_tls_cert_check_name(der, dn, mode, name, why, sizeof why);
    if (rc != PHONESEC_OK && rc != PHONESEC_E_NAME) {
        cn_fail(json, mode, file, name, "%s: %s%s%s\n", file, phonesec_strerror(rc), why[0] ? ": " : "", why);
        return rc == PHONESEC_E_INVAL ? TOOL_USAGE : TOOL_FAIL;
    }
    if (json) {
        tool_json j;
        tool_json_begin(&j, "tls check-name");
        tool_json_str(&j, "file", file);
        tool_json_str(&j, "name", name);
        tool_json_str(&j, "identity_mode", mode == PHONESEC_TLS_IDENTITY_HTTPS ? "https" : "sip");
        tool_json_bool(&j, "match", rc == PHONESEC_OK);
        tool_json_str(&j, "detail", why);
        tool_json_null(&j, "error");
        tool_json_end(&j);
    } else {
        printf("%s: %s\n", rc == PHONESEC_OK ? "MATCH" : "NO MATCH", why);
    }
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
    if (strcmp(argv[1], "--version") == 0) {
        printf("phonesec tls %s\n", phonesec_version());
        return TOOL_OK;
    }
    if (strcmp(argv[1], "--list-options") == 0) {
        printf("probe\nserve\ncheck-name\n--help\n--version\n");
        return TOOL_OK;
    }
    return tool_usage_error("phonesec tls", "unknown subcommand '%s' (probe, serve or check-name)", argv[1]);
}
