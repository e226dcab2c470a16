/* phonesec srtp: protect or unprotect one packet with the keys of an
 * a=crypto line. Public API only. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

#include "tool.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: phonesec srtp protect|unprotect [OPTIONS] --line-file F|--line-fd N HEX [HEX...]\n"
            "       phonesec srtp protect|unprotect [OPTIONS] 'a=crypto:TAG SUITE inline:KEY...' HEX [HEX...]\n"
            "\n"
            "The a=crypto line holds the master key: give it in a file (F '-' is standard\n"
            "input) or a descriptor; on the command line other users can read it (a warning\n"
            "says so).\n"
            "Protects RTP (RTCP) packets, or verifies and decrypts SRTP (SRTCP) ones, with the\n"
            "keys of an SDP a=crypto line, and prints each result as hex on its own line. The\n"
            "packets go through one session, in order. unprotect exits 1 on an authentication\n"
            "failure (wrong key, tampered packet) or a replay (a packet given twice).\n"
            "\n"
            "options:\n"
            "  --line-file F       read the a=crypto line from F ('-': standard input)\n"
            "  --line-fd N         read the a=crypto line from descriptor N\n"
            "  --rtcp              the packet is RTCP/SRTCP\n"
            "  --roc N             rollover counter of the packet's SSRC (default 0)\n"
            "  --key N             protect with master key N of the line (MKI; default 0)\n"
            "  --tag32-compat      32-bit SRTCP tag with the _32 suites (Asterisk & co.)\n"
            "  --allow-null        allow NULL suites and UNENCRYPTED_*/UNAUTHENTICATED_SRTP\n"
            "  -v, --verbose       say which suite and direction were used (stderr)\n");
}

static long parse_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v;
        if (isspace((unsigned char)*s) || *s == ':')
            continue;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            v = *s - 'A' + 10;
        else
            return -1;
        if (hi < 0)
            hi = v;
        else {
            if (n == cap)
                return -1;
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 ? (long)n : -1;
}

/* The a=crypto line from its file or descriptor: the first line, without
 * its line end. 0, or -1 after a message. */
static int read_line(const tool_secret_src *src, char *buf, size_t cap)
{
    long r = tool_read_secret("phonesec srtp", src, buf, cap);
    char *nl;
    if (r < 0)
        return -1;
    nl = memchr(buf, '\n', (size_t)r);
    if (nl != NULL)
        *nl = '\0';
    r = (long)strlen(buf);
    while (r > 0 && (buf[r - 1] == '\r' || buf[r - 1] == ' ' || buf[r - 1] == '\t'))
        buf[--r] = '\0';
    if (r == 0) {
        fprintf(stderr, "phonesec srtp: no a=crypto line in %s\n",
                src->path ? (strcmp(src->path, "-") == 0 ? "standard input" : src->path) : "the descriptor");
        return -1;
    }
    return 0;
}

int phonesec_tool_srtp(int argc, char **argv)
{
    const char *mode, *line = NULL;
    static char line_buf[4096];
    tool_secret_src line_src = {NULL, -1};
    int line_from_src = 0;
    const char *hexes[64];
    size_t n_hex = 0, h;
    int rtcp = 0, verbose = 0, protect, rc, i;
    unsigned allow = 0, opts = 0;
    uint32_t roc = 0, key = 0;
    phonesec_srtp_params params;
    phonesec_srtp *s = NULL;
    phonesec_srtp_info info;
    static uint8_t in[65536], out[65536 + 256];
    size_t out_len = 0;
    long in_len;
    char why[512];

    if (argc < 2) {
        usage(stderr);
        return TOOL_USAGE;
    }
    mode = argv[1];
    if (strcmp(mode, "--help") == 0 || strcmp(mode, "-h") == 0) {
        usage(stdout);
        return TOOL_OK;
    }
    if (strcmp(mode, "protect") == 0)
        protect = 1;
    else if (strcmp(mode, "unprotect") == 0)
        protect = 0;
    else if (strcmp(mode, "--version") == 0) {
        printf("phonesec srtp %s\n", phonesec_version());
        return TOOL_OK;
    } else if (strcmp(mode, "--list-options") == 0) {
        printf("protect\nunprotect\n--help\n--version\n");
        return TOOL_OK;
    } else
        return tool_usage_error("phonesec srtp", "unknown subcommand '%s' (protect or unprotect)", mode);
    {
        enum { OPT_LINE_FILE = 0x1100, OPT_LINE_FD, OPT_RTCP, OPT_ROC, OPT_KEY, OPT_TAG32, OPT_ALLOW_NULL };
        static const struct option srtp_opts[] = {
            {"line-file", required_argument, NULL, OPT_LINE_FILE},
            {"line-fd", required_argument, NULL, OPT_LINE_FD},
            {"rtcp", no_argument, NULL, OPT_RTCP},
            {"roc", required_argument, NULL, OPT_ROC},
            {"key", required_argument, NULL, OPT_KEY},
            {"tag32-compat", no_argument, NULL, OPT_TAG32},
            {"allow-null", no_argument, NULL, OPT_ALLOW_NULL},
            {"verbose", no_argument, NULL, 'v'},
            TOOL_OPTS_COMMON,
            {NULL, 0, NULL, 0}};
        const char *prog = protect ? "phonesec srtp protect" : "phonesec srtp unprotect";
        int o, st;
        for (optind = 0; (o = tool_getopt(argc - 1, argv + 1, prog, "v", srtp_opts, usage, &st)) != -1;) {
            switch (o) {
            case TOOL_GETOPT_EXIT: return st;
            case OPT_RTCP: rtcp = 1; break;
            case 'v': verbose = 1; break;
            case OPT_TAG32: allow |= PHONESEC_SDES_SRTCP_TAG32_COMPAT; break;
            case OPT_ALLOW_NULL:
                allow |= PHONESEC_SDES_ALLOW_NULL | PHONESEC_SDES_ALLOW_UNENCRYPTED;
                opts |= PHONESEC_SRTP_OPT_ALLOW_NULL;
                break;
            case OPT_LINE_FILE:
            case OPT_LINE_FD:
                if (line_from_src)
                    return tool_usage_error(prog, "give the a=crypto line once");
                line_from_src = 1;
                if (o == OPT_LINE_FILE)
                    line_src.path = optarg;
                else if (tool_parse_fd(optarg, &line_src.fd) != 0)
                    return tool_usage_error(prog, "--line-fd needs a descriptor number, not '%s'", optarg);
                break;
            case OPT_ROC:
                if (tool_parse_u32(optarg, &roc) != 0)
                    return tool_usage_error(prog, "--roc needs a number 0..4294967295");
                break;
            case OPT_KEY:
                if (tool_parse_u32(optarg, &key) != 0 || key >= PHONESEC_SRTP_MAX_KEYS)
                    return tool_usage_error(prog, "--key needs an index 0..%d", PHONESEC_SRTP_MAX_KEYS - 1);
                break;
            default: return TOOL_USAGE;
            }
        }
        for (i = 1 + optind; i < argc; i++) {
            if (line == NULL && !line_from_src)
                line = argv[i];
            else if (n_hex < sizeof hexes / sizeof hexes[0])
                hexes[n_hex++] = argv[i];
            else
                return tool_usage_error(prog, "at most %zu packets", sizeof hexes / sizeof hexes[0]);
        }
        if ((line == NULL && !line_from_src) || n_hex == 0)
            return tool_usage_error(prog, "missing operand (the a=crypto line, then packets in hex)");
    }
    if (!line_from_src)
        tool_warn_argv_secret("phonesec srtp", "the a=crypto line (it holds the master key)",
                              "--line-file F, --line-fd N or --line-file - (standard input)");
    for (h = 0; h < n_hex; h++)
        if (parse_hex(hexes[h], in, sizeof in) <= 0) {
            fprintf(stderr, "phonesec srtp: packet %zu must be non-empty hex (at most %zu bytes)\n", h + 1,
                    sizeof in);
            return TOOL_USAGE;
        }
    if (phonesec_init(NULL) != PHONESEC_OK) {
        fprintf(stderr, "phonesec srtp: cannot initialise the library\n");
        return TOOL_FAIL;
    }
    if (line_from_src) {
        if (read_line(&line_src, line_buf, sizeof line_buf) != 0) {
            phonesec_shutdown();
            return TOOL_FAIL;
        }
        line = line_buf;
    }
    phonesec_srtp_params_init(&params);
    rc = phonesec_sdes_line_to_params(line, strlen(line), allow, &params, why, sizeof why);
    phonesec_memzero(line_buf, sizeof line_buf); /* the key now lives in params only */
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "phonesec srtp: unusable a=crypto line: %s%s%s\n", phonesec_strerror(rc),
                why[0] ? ": " : "", why);
        phonesec_shutdown();
        return TOOL_FAIL;
    }
    params.roc = roc;
    rc = phonesec_srtp_new(&params, protect ? PHONESEC_SRTP_DIR_OUTBOUND : PHONESEC_SRTP_DIR_INBOUND, opts, &s);
    if (rc == PHONESEC_OK && key != 0)
        rc = phonesec_srtp_set_active_key(s, key);
    if (rc != PHONESEC_OK) {
        if (s != NULL)
            phonesec_srtp_last_error(s, why, sizeof why);
        else
            snprintf(why, sizeof why, "%s", phonesec_strerror(rc));
        fprintf(stderr, "phonesec srtp: cannot make the SRTP session: %s\n", why);
        phonesec_srtp_free(s);
        phonesec_srtp_params_wipe(&params);
        phonesec_shutdown();
        return TOOL_FAIL;
    }
    for (h = 0, rc = PHONESEC_OK; h < n_hex && rc == PHONESEC_OK; h++) {
        in_len = parse_hex(hexes[h], in, sizeof in);
        if (protect)
            rc = rtcp ? phonesec_srtp_protect_rtcp(s, in, (size_t)in_len, out, sizeof out, &out_len)
                      : phonesec_srtp_protect(s, in, (size_t)in_len, out, sizeof out, &out_len);
        else
            rc = rtcp ? phonesec_srtp_unprotect_rtcp(s, in, (size_t)in_len, out, sizeof out, &out_len)
                      : phonesec_srtp_unprotect(s, in, (size_t)in_len, out, sizeof out, &out_len);
        if (rc != PHONESEC_OK) {
            phonesec_srtp_last_error(s, why, sizeof why);
            if (rc == PHONESEC_E_AUTH)
                fprintf(stderr, "phonesec srtp: packet %zu: AUTHENTICATION FAILED: wrong key or tampered packet (%s)\n",
                        h + 1, why);
            else if (rc == PHONESEC_E_REPLAY)
                fprintf(stderr, "phonesec srtp: packet %zu: REPLAY: %s\n", h + 1, why);
            else
                fprintf(stderr, "phonesec srtp: packet %zu: %s\n", h + 1, why);
        } else {
            size_t k;
            if (verbose) {
                info.version = PHONESEC_SRTP_INFO_VERSION;
                if (phonesec_srtp_get_info(s, &info) == PHONESEC_OK)
                    fprintf(stderr, "phonesec srtp: packet %zu: %s %s %s, initial ROC %u: %zu -> %zu bytes\n", h + 1,
                            info.suite_name, rtcp ? "SRTCP" : "SRTP", protect ? "protected" : "verified and decrypted",
                            (unsigned)roc, (size_t)in_len, out_len);
            }
            for (k = 0; k < out_len; k++)
                printf("%02x", out[k]);
            printf("\n");
        }
    }
    phonesec_srtp_free(s);
    phonesec_srtp_params_wipe(&params);
    phonesec_memzero(out, sizeof out);
    phonesec_shutdown();
    return rc == PHONESEC_OK ? TOOL_OK : TOOL_FAIL;
}
