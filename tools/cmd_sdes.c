/* phonesec sdes: SDP a=crypto offers and answers (RFC 4568). Public API only. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

#include "tool.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: phonesec sdes answer [OPTIONS] < offer.sdp\n"
            "       phonesec sdes offer [OPTIONS]\n"
            "       phonesec sdes check --line-file F|--line-fd N [--allow-null] [--allow-unencrypted]\n"
            "                           [--tag32-compat]\n"
            "       phonesec sdes check 'a=crypto:TAG SUITE inline:KEY...' (other users can read it)\n"
            "\n"
            "answer: prints, for each m= section of the offer in order, the m= line and\n"
            "        the a=crypto line to answer with; exit 1 when no section can be secured.\n"
            "offer:  prints the a=crypto lines to offer (fresh keys), for the suites the\n"
            "        linked libsrtp2 can run.\n"
            "check:  says whether one a=crypto line is usable (with the linked libsrtp2), and\n"
            "        why not.\n"
            "\n"
            "options:\n"
            "  --policy disabled|optional|mandatory   (default optional)\n"
            "  --suites LIST       allowed suites, most preferred first (comma separated)\n"
            "  --mki N             MKI of N (1..4) bytes on our keys\n"
            "  --lifetime N        state a key lifetime of N packets\n"
            "  --tls               the signalling is TLS (no warning)\n"
            "  --require-tls       refuse SDES without TLS signalling\n"
            "  --tag32-compat      32-bit SRTCP tag with the _32 suites (Asterisk & co.)\n"
            "  --allow-null        allow NULL_HMAC_SHA1_* (no encryption)\n"
            "  --allow-unencrypted allow UNENCRYPTED_SRTP/SRTCP, UNAUTHENTICATED_SRTP\n"
            "  --3ge2ae            add a=3ge2ae:requested to offers\n"
            "  --json              one JSON object instead of the text (answer, offer, check;\n"
            "                      see phonesec(1))\n"
            "Options take their value as --opt VALUE or --opt=VALUE; --help, --version.\n");
}

static void log_to_stderr(void *ud, int level, const char *module, const char *msg)
{
    (void)ud;
    fprintf(stderr, "phonesec: %s: %s: %s\n", level <= PHONESEC_LOG_ERROR ? "error" : "warning", module, msg);
}

#define OFFER_MAX ((size_t)16 << 20)

/* All of f, at most OFFER_MAX bytes; NULL after a message. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        fprintf(stderr, "phonesec sdes: out of memory\n");
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) {
            if (ferror(f)) {
                fprintf(stderr, "phonesec sdes: cannot read the offer from standard input\n");
                free(buf);
                return NULL;
            }
            break;
        }
        if (n == cap) {
            char *nb;
            if (cap >= OFFER_MAX) {
                fprintf(stderr, "phonesec sdes: the offer is larger than %zu MiB (the limit of this tool)\n",
                        OFFER_MAX >> 20);
                free(buf);
                return NULL;
            }
            nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                fprintf(stderr, "phonesec sdes: out of memory\n");
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
    }
    *len = n;
    return buf;
}

enum {
    OPT_POLICY = 0x1100, OPT_SUITES, OPT_MKI, OPT_LIFETIME, OPT_TLS, OPT_REQUIRE_TLS, OPT_TAG32, OPT_ALLOW_NULL,
    OPT_ALLOW_UNENC, OPT_3GE2AE, OPT_LINE_FILE, OPT_LINE_FD
};

static const struct option policy_opts[] = {
    {"policy", required_argument, NULL, OPT_POLICY},
    {"suites", required_argument, NULL, OPT_SUITES},
    {"mki", required_argument, NULL, OPT_MKI},
    {"lifetime", required_argument, NULL, OPT_LIFETIME},
    {"tls", no_argument, NULL, OPT_TLS},
    {"require-tls", no_argument, NULL, OPT_REQUIRE_TLS},
    {"tag32-compat", no_argument, NULL, OPT_TAG32},
    {"allow-null", no_argument, NULL, OPT_ALLOW_NULL},
    {"allow-unencrypted", no_argument, NULL, OPT_ALLOW_UNENC},
    {"3ge2ae", no_argument, NULL, OPT_3GE2AE},
    TOOL_OPT_JSON_ENTRY,
    TOOL_OPTS_COMMON,
    {NULL, 0, NULL, 0}};

static const struct option check_opts[] = {
    {"line-file", required_argument, NULL, OPT_LINE_FILE},
    {"line-fd", required_argument, NULL, OPT_LINE_FD},
    {"tag32-compat", no_argument, NULL, OPT_TAG32},
    {"allow-null", no_argument, NULL, OPT_ALLOW_NULL},
    {"allow-unencrypted", no_argument, NULL, OPT_ALLOW_UNENC},
    TOOL_OPT_JSON_ENTRY,
    TOOL_OPTS_COMMON,
    {NULL, 0, NULL, 0}};

/* 0, TOOL_USAGE, or -1 when done without running (*st = status) */
static int parse_opts(int argc, char **argv, const char *prog, phonesec_sdes_policy *pol, int *tls, int *json,
                      int *st)
{
    int o;
    for (optind = 0; (o = tool_getopt(argc, argv, prog, "", policy_opts, usage, st)) != -1;) {
        const char *v = optarg;
        switch (o) {
        case TOOL_GETOPT_EXIT:
            return -1;
        case OPT_POLICY:
            if (strcmp(v, "disabled") == 0)
                pol->mode = PHONESEC_SDES_DISABLED;
            else if (strcmp(v, "optional") == 0)
                pol->mode = PHONESEC_SDES_OPTIONAL;
            else if (strcmp(v, "mandatory") == 0 || strcmp(v, "compulsory") == 0)
                pol->mode = PHONESEC_SDES_MANDATORY;
            else
                return tool_usage_error(prog, "unknown policy '%s' (disabled, optional or mandatory)", v);
            break;
        case OPT_SUITES: {
            int rc = phonesec_sdes_policy_set_suites(pol, v);
            if (rc != PHONESEC_OK)
                return tool_usage_error(prog, "bad suite list '%s': %s", v, phonesec_strerror(rc));
            break;
        }
        case OPT_MKI: {
            uint64_t x;
            if (tool_parse_u64(v, 10, PHONESEC_SRTP_MAX_MKI_LEN, &x) != 0)
                return tool_usage_error(prog, "--mki needs a byte count 0..%d", PHONESEC_SRTP_MAX_MKI_LEN);
            pol->mki_len = (size_t)x;
            break;
        }
        case OPT_LIFETIME:
            if (tool_parse_u64(v, 10, UINT64_MAX, &pol->lifetime) != 0)
                return tool_usage_error(prog, "--lifetime needs a number of packets");
            break;
        case OPT_TLS: *tls = 1; break;
        case OPT_REQUIRE_TLS: pol->flags |= PHONESEC_SDES_REQUIRE_TLS; break;
        case OPT_TAG32: pol->flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT; break;
        case OPT_ALLOW_NULL: pol->flags |= PHONESEC_SDES_ALLOW_NULL; break;
        case OPT_ALLOW_UNENC: pol->flags |= PHONESEC_SDES_ALLOW_UNENCRYPTED; break;
        case OPT_3GE2AE: pol->flags |= PHONESEC_SDES_OFFER_3GE2AE; break;
        case TOOL_OPT_JSON: *json = 1; break;
        default: return TOOL_USAGE;
        }
    }
    if (tool_operands(argc, argv, 0, 0, prog) != 0)
        return TOOL_USAGE;
    return 0;
}

static const char *state_name(int st)
{
    switch (st) {
    case PHONESEC_SDES_SEC_SECURED: return "secured";
    case PHONESEC_SDES_SEC_CLEAR: return "in clear";
    case PHONESEC_SDES_SEC_REJECTED: return "rejected";
    case PHONESEC_SDES_SEC_NOT_RTP: return "not RTP";
    default: return "pending";
    }
}

/* Print an m= line with its port (and any "/count") replaced by 0: the
 * stream is refused (RFC 3264 §6). */
static void print_refused_mline(const char *l)
{
    const char *sp = strchr(l, ' '), *end;
    if (sp == NULL) {
        printf("%s\n", l);
        return;
    }
    end = strchr(sp + 1, ' ');
    printf("%.*s 0%s\n", (int)(sp - l), l, end ? end : "");
}

static int do_answer_json(phonesec_sdes *s, size_t cnt, size_t secured)
{
    char line[PHONESEC_SDES_LINE_MAX + 1];
    size_t i, j2, n;
    tool_json j;
    tool_json_begin(&j, "sdes answer");
    tool_json_str(&j, "result", secured > 0 ? "OK" : "REFUSED");
    tool_json_int(&j, "secured", (long long)secured);
    tool_json_open(&j, "sections", 1);
    for (i = 0; i < cnt; i++) {
        phonesec_sdes_section_info info;
        if (phonesec_sdes_section(s, i, &info) != PHONESEC_OK ||
            phonesec_sdes_answer_mline(s, i, line, sizeof line, &n) != PHONESEC_OK)
            return TOOL_FAIL;
        tool_json_open(&j, NULL, 0);
        tool_json_int(&j, "index", (long long)i + 1);
        tool_json_str(&j, "media", info.media);
        tool_json_str(&j, "state", state_name(info.state));
        tool_json_str(&j, "reason", info.reason);
        if (secured == 0) { /* the m= line as refused: port 0 */
            const char *sp = strchr(line, ' '), *end = sp ? strchr(sp + 1, ' ') : NULL;
            char refused[PHONESEC_SDES_LINE_MAX + 8];
            if (sp != NULL)
                snprintf(refused, sizeof refused, "%.*s 0%s", (int)(sp - line), line, end ? end : "");
            else
                snprintf(refused, sizeof refused, "%s", line);
            tool_json_str(&j, "mline", refused);
        } else {
            tool_json_str(&j, "mline", line);
        }
        if (info.state == PHONESEC_SDES_SEC_SECURED &&
            phonesec_sdes_answer_crypto(s, i, line, sizeof line, &n) == PHONESEC_OK)
            tool_json_str(&j, "crypto", line);
        else
            tool_json_null(&j, "crypto");
        phonesec_memzero(line, sizeof line);
        tool_json_open(&j, "skipped_lines", 1);
        for (j2 = 0; j2 < info.n_lines; j2++)
            if (phonesec_sdes_line_reason(s, i, j2, line, sizeof line) == PHONESEC_OK && line[0] &&
                strncmp(line, "not needed", 10) != 0) {
                tool_json_open(&j, NULL, 0);
                tool_json_int(&j, "line", (long long)j2 + 1);
                tool_json_str(&j, "reason", line);
                tool_json_close(&j, 0);
            }
        tool_json_close(&j, 1);
        tool_json_close(&j, 0);
    }
    tool_json_close(&j, 1);
    tool_json_end(&j);
    return secured > 0 ? TOOL_OK : TOOL_FAIL;
}

static int do_answer(phonesec_sdes *s, int json)
{
    size_t len, i, n, cnt, secured = 0;
    char *offer = read_all(stdin, &len), line[PHONESEC_SDES_LINE_MAX + 1], err[512];
    int rc;
    if (offer == NULL) {
        if (json)
            tool_json_failure("sdes answer", "cannot read the offer");
        return TOOL_FAIL;
    }
    rc = phonesec_sdes_answer(s, offer, len);
    free(offer);
    if (rc != PHONESEC_OK) {
        (void)phonesec_sdes_last_error(s, err, sizeof err);
        fprintf(stderr, "phonesec sdes: no answer: %s\n", err);
        if (json)
            tool_json_failure("sdes answer", err);
        return TOOL_FAIL;
    }
    cnt = phonesec_sdes_section_count(s);
    for (i = 0; i < cnt; i++) {
        phonesec_sdes_section_info info;
        if (phonesec_sdes_section(s, i, &info) != PHONESEC_OK)
            return TOOL_FAIL;
        if (info.state == PHONESEC_SDES_SEC_SECURED)
            secured++;
    }
    if (json)
        return do_answer_json(s, cnt, secured);
    /* The library may answer some sections in clear (optional policy); this
     * tool answers only when at least one is secured. Otherwise the whole
     * offer is refused, and every m= line says so with port 0. */
    for (i = 0; i < cnt; i++) {
        phonesec_sdes_section_info info;
        size_t j;
        if (phonesec_sdes_section(s, i, &info) != PHONESEC_OK ||
            phonesec_sdes_answer_mline(s, i, line, sizeof line, &n) != PHONESEC_OK)
            return TOOL_FAIL;
        if (secured == 0)
            print_refused_mline(line);
        else
            printf("%s\n", line);
        if (info.state == PHONESEC_SDES_SEC_SECURED) {
            if (phonesec_sdes_answer_crypto(s, i, line, sizeof line, &n) != PHONESEC_OK)
                return TOOL_FAIL;
            printf("%s\n", line);
            phonesec_memzero(line, sizeof line); /* it held our key */
        } else if (info.state != PHONESEC_SDES_SEC_NOT_RTP) {
            fprintf(stderr, "phonesec sdes: m= section %zu (%s) %s: %s\n", i + 1, info.media, state_name(info.state),
                    info.reason);
        }
        for (j = 0; j < info.n_lines; j++)
            if (phonesec_sdes_line_reason(s, i, j, line, sizeof line) == PHONESEC_OK && line[0] &&
                strncmp(line, "not needed", 10) != 0)
                fprintf(stderr, "phonesec sdes: m= section %zu, a=crypto line %zu skipped: %s\n", i + 1, j + 1, line);
    }
    if (secured == 0) {
        fprintf(stderr, "phonesec sdes: no m= section can be secured under the policy: the offer is refused "
                        "(every m= line with port 0)\n");
        return TOOL_FAIL;
    }
    return TOOL_OK;
}

static int do_offer(phonesec_sdes *s, int json)
{
    tool_json j;
    static const char local[] = "m=audio 9 RTP/AVP 0\r\n";
    char out[16384], err[512], *p, *save = NULL;
    size_t n;
    int rc = phonesec_sdes_offer(s, local, sizeof local - 1, out, sizeof out, &n);
    if (rc != PHONESEC_OK) {
        (void)phonesec_sdes_last_error(s, err, sizeof err);
        fprintf(stderr, "phonesec sdes: no offer: %s\n", err);
        if (json)
            tool_json_failure("sdes offer", err);
        return TOOL_FAIL;
    }
    if (json) {
        tool_json_begin(&j, "sdes offer");
        tool_json_str(&j, "result", "OK");
        tool_json_open(&j, "lines", 1);
    }
    for (p = strtok_r(out, "\r\n", &save); p; p = strtok_r(NULL, "\r\n", &save))
        if (strncmp(p, "a=crypto:", 9) == 0 || strncmp(p, "a=3ge2ae:", 9) == 0) {
            if (json)
                tool_json_str(&j, NULL, p);
            else
                printf("%s\n", p);
        }
    if (json) {
        tool_json_close(&j, 1);
        tool_json_end(&j);
    }
    phonesec_memzero(out, sizeof out);
    return TOOL_OK;
}

static int do_check(const char *l, unsigned flags, int json)
{
    phonesec_srtp_params p;
    char why[256];
    int rc = phonesec_sdes_line_to_params(l, strlen(l), flags, &p, why, sizeof why);
    if (json) {
        tool_json j;
        tool_json_begin(&j, "sdes check");
        tool_json_bool(&j, "usable", rc == PHONESEC_OK);
        tool_json_str(&j, "reason", rc == PHONESEC_OK ? NULL : why);
        tool_json_str(&j, "error", rc == PHONESEC_OK ? NULL : phonesec_strerror(rc));
        if (rc == PHONESEC_OK) {
            tool_json_str(&j, "suite", phonesec_sdes_suite_name(p.suite));
            tool_json_int(&j, "keys", (long long)p.n_keys);
            tool_json_int(&j, "key_bytes", (long long)p.keys[0].key_len);
            tool_json_int(&j, "salt_bytes", (long long)p.keys[0].salt_len);
            tool_json_int(&j, "mki_bytes", (long long)p.keys[0].mki_len);
            tool_json_int(&j, "lifetime", (long long)p.keys[0].lifetime);
            tool_json_int(&j, "wsh", (long long)p.wsh);
        }
        tool_json_end(&j);
        phonesec_memzero(&p, sizeof p);
        return rc == PHONESEC_OK ? TOOL_OK : TOOL_FAIL;
    }
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "phonesec sdes: not usable: %s (%s)\n", why, phonesec_strerror(rc));
        return TOOL_FAIL;
    }
    printf("usable: %s, %zu key(s), key %zu bytes, salt %zu bytes", phonesec_sdes_suite_name(p.suite), p.n_keys,
           p.keys[0].key_len, p.keys[0].salt_len);
    if (p.keys[0].mki_len)
        printf(", MKI %zu bytes", p.keys[0].mki_len);
    if (p.keys[0].lifetime)
        printf(", lifetime %llu", (unsigned long long)p.keys[0].lifetime);
    if (p.wsh)
        printf(", WSH %u", (unsigned)p.wsh);
    printf("\n");
    phonesec_memzero(&p, sizeof p);
    return TOOL_OK;
}

int phonesec_tool_sdes(int argc, char **argv)
{
    phonesec_platform plat;
    phonesec_sdes_policy pol;
    phonesec_sdes *s = NULL;
    int tls = 0, json = 0, rc;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? TOOL_USAGE : TOOL_OK;
    }
    phonesec_platform_init(&plat);
    plat.log_fn = log_to_stderr;
    if (phonesec_init(&plat) != PHONESEC_OK) {
        fprintf(stderr, "phonesec sdes: cannot initialise the library\n");
        return TOOL_FAIL;
    }
    phonesec_sdes_policy_init(&pol);
    if (strcmp(argv[1], "check") == 0) {
        unsigned flags = 0;
        const char *line = NULL;
        static char line_buf[4096];
        tool_secret_src src = {NULL, -1};
        int o, st, from_src = 0;
        static const char prog[] = "phonesec sdes check";
        rc = TOOL_OK;
        for (optind = 0; rc == TOOL_OK && (o = tool_getopt(argc - 1, argv + 1, prog, "", check_opts, usage, &st)) != -1;) {
            switch (o) {
            case TOOL_GETOPT_EXIT:
                phonesec_shutdown();
                return st;
            case OPT_ALLOW_NULL: flags |= PHONESEC_SDES_ALLOW_NULL; break;
            case OPT_ALLOW_UNENC: flags |= PHONESEC_SDES_ALLOW_UNENCRYPTED; break;
            case OPT_TAG32: flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT; break;
            case TOOL_OPT_JSON: json = 1; break;
            case OPT_LINE_FILE:
            case OPT_LINE_FD:
                if (from_src) {
                    rc = tool_usage_error(prog, "one --line-file or --line-fd");
                    break;
                }
                from_src = 1;
                if (o == OPT_LINE_FILE)
                    src.path = optarg;
                else if (tool_parse_fd(optarg, &src.fd) != 0)
                    rc = tool_usage_error(prog, "--line-fd needs a descriptor number, not '%s'", optarg);
                break;
            default:
                rc = TOOL_USAGE;
            }
        }
        if (rc == TOOL_OK && tool_operands(argc - 1, argv + 1, from_src ? 0 : 1, from_src ? 0 : 1, prog) != 0)
            rc = TOOL_USAGE;
        if (rc == TOOL_OK && !from_src)
            line = argv[1 + optind];
        if (rc == TOOL_USAGE) {
            /* already said */
        } else if (from_src) {
            long r = tool_read_secret("phonesec sdes check", &src, line_buf, sizeof line_buf);
            if (r < 0) {
                rc = TOOL_FAIL;
                if (json) { /* the same members as a line that is not usable */
                    tool_json j;
                    tool_json_begin(&j, "sdes check");
                    tool_json_bool(&j, "usable", 0);
                    tool_json_str(&j, "reason", "cannot read the a=crypto line (see standard error)");
                    tool_json_str(&j, "error", "I/O error");
                    tool_json_end(&j);
                }
            } else {
                char *nl = memchr(line_buf, '\n', (size_t)r);
                size_t n;
                if (nl != NULL)
                    *nl = '\0';
                n = strlen(line_buf);
                while (n > 0 && (line_buf[n - 1] == '\r' || line_buf[n - 1] == ' ' || line_buf[n - 1] == '\t'))
                    line_buf[--n] = '\0';
                rc = do_check(line_buf, flags, json);
            }
            phonesec_memzero(line_buf, sizeof line_buf);
        } else {
            tool_warn_argv_secret("phonesec sdes check", "the a=crypto line (it holds the master key)",
                                  "--line-file F, --line-fd N or --line-file - (standard input)");
            rc = do_check(line, flags, json);
        }
        phonesec_shutdown();
        return rc;
    }
    if (strcmp(argv[1], "answer") != 0 && strcmp(argv[1], "offer") != 0) {
        phonesec_shutdown();
        if (strcmp(argv[1], "--version") == 0) {
            printf("phonesec sdes %s\n", phonesec_version());
            return TOOL_OK;
        }
        if (strcmp(argv[1], "--list-options") == 0) {
            printf("answer\noffer\ncheck\n--help\n--version\n");
            return TOOL_OK;
        }
        return tool_usage_error("phonesec sdes", "unknown subcommand '%s' (answer, offer or check)", argv[1]);
    }
    {
        int st, r = parse_opts(argc - 1, argv + 1, strcmp(argv[1], "answer") == 0 ? "phonesec sdes answer"
                                                                                   : "phonesec sdes offer",
                               &pol, &tls, &json, &st);
        if (r != 0) {
            phonesec_shutdown();
            return r < 0 ? st : TOOL_USAGE;
        }
    }
    rc = phonesec_sdes_new(&pol, &s);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "phonesec sdes: bad policy: %s\n", phonesec_strerror(rc));
        phonesec_shutdown();
        return TOOL_USAGE;
    }
    (void)phonesec_sdes_set_signalling_tls(s, tls);
    rc = strcmp(argv[1], "answer") == 0 ? do_answer(s, json) : do_offer(s, json);
    phonesec_sdes_free(s);
    phonesec_shutdown();
    return rc;
}
