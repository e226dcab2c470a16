/* phonesec mediasec: RFC 3329 security agreement headers (verify | client). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

#include "tool.h"

#define MAX_INPUT (1024 * 1024)

static void usage(FILE *f)
{
    fprintf(f, "usage: phonesec mediasec verify [--style single|list|per-mech] [--crlf] [--json] < sip-response\n"
               "       phonesec mediasec client [--mech NAME[,NAME...]] [--mediasec]\n"
               "                                [--style single|list|per-mech] [--crlf] [--json]\n"
               "\n"
               "verify: reads a SIP response carrying Security-Server header(s) and prints\n"
               "        the Security-Verify a client must send next: mechanisms in the\n"
               "        server's order, parameters as received.\n"
               "client: prints the Security-Client for a policy (default mechanism\n"
               "        sdes-srtp; --mediasec marks each as a media-plane mechanism).\n"
               "styles: single   = one header, comma list (default)\n"
               "        list     = the bare comma list, no header name\n"
               "        per-mech = one header per mechanism\n"
               "--json: one JSON object: the header lines and each mechanism with its\n"
               "        parameters (see phonesec(1)).\n");
}

enum { OPT_STYLE = 0x1100, OPT_CRLF, OPT_MECH, OPT_MEDIASEC };
static const struct option verify_opts[] = {
    {"style", required_argument, NULL, OPT_STYLE},
    {"crlf", no_argument, NULL, OPT_CRLF},
    TOOL_OPT_JSON_ENTRY,
    TOOL_OPTS_COMMON,
    {NULL, 0, NULL, 0}};
static const struct option client_opts[] = {
    {"mech", required_argument, NULL, OPT_MECH},
    {"mediasec", no_argument, NULL, OPT_MEDIASEC},
    {"style", required_argument, NULL, OPT_STYLE},
    {"crlf", no_argument, NULL, OPT_CRLF},
    TOOL_OPT_JSON_ENTRY,
    TOOL_OPTS_COMMON,
    {NULL, 0, NULL, 0}};

static int parse_style(const char *s, int *style)
{
    if (strcmp(s, "single") == 0)
        *style = PHONESEC_MEDIASEC_STYLE_SINGLE;
    else if (strcmp(s, "list") == 0)
        *style = PHONESEC_MEDIASEC_STYLE_VALUE;
    else if (strcmp(s, "per-mech") == 0)
        *style = PHONESEC_MEDIASEC_STYLE_PER_MECH;
    else
        return -1;
    return 0;
}

/* Print with CRLF or LF line ends; the bare list gets one newline. With
 * command set: one JSON object instead. */
static int print_list(const phonesec_mediasec_list *l, const char *hdr, int style, int crlf, const char *command)
{
    size_t n, i;
    char *buf;
    int rc = phonesec_mediasec_list_print(l, hdr, style, NULL, 0, &n);
    if (rc != PHONESEC_E_BUFFER_SMALL) {
        fprintf(stderr, "phonesec mediasec: cannot print the list: %s\n", phonesec_strerror(rc));
        return TOOL_FAIL;
    }
    buf = malloc(n + 1);
    if (buf == NULL || phonesec_mediasec_list_print(l, hdr, style, buf, n + 1, &n) != PHONESEC_OK) {
        free(buf);
        fprintf(stderr, "phonesec mediasec: out of memory\n");
        return TOOL_FAIL;
    }
    if (command != NULL) {
        tool_json j;
        size_t k, m, start = 0;
        tool_json_begin(&j, command);
        tool_json_str(&j, "result", "OK");
        tool_json_open(&j, "headers", 1);
        for (i = 0; i <= n; i++)
            if (i == n || buf[i] == '\r' || buf[i] == '\n') {
                if (i > start)
                    tool_json_strn(&j, NULL, buf + start, i - start);
                start = i + 1;
            }
        tool_json_close(&j, 1);
        tool_json_open(&j, "mechanisms", 1);
        for (k = 0; k < phonesec_mediasec_list_count(l); k++) {
            unsigned q;
            tool_json_open(&j, NULL, 0);
            tool_json_str(&j, "name", phonesec_mediasec_list_name(l, k));
            tool_json_bool(&j, "mediasec", phonesec_mediasec_list_is_media(l, k));
            if (phonesec_mediasec_list_q(l, k, &q) == PHONESEC_OK)
                tool_json_int(&j, "q_milli", q);
            else
                tool_json_null(&j, "q_milli");
            tool_json_open(&j, "params", 1);
            for (m = 0; m < phonesec_mediasec_list_param_count(l, k); m++) {
                const char *pn = NULL, *pv = NULL;
                if (phonesec_mediasec_list_param(l, k, m, &pn, &pv) != PHONESEC_OK)
                    continue;
                tool_json_open(&j, NULL, 0);
                tool_json_str(&j, "name", pn);
                tool_json_str(&j, "value", pv);
                tool_json_close(&j, 0);
            }
            tool_json_close(&j, 1);
            tool_json_close(&j, 0);
        }
        tool_json_close(&j, 1);
        tool_json_end(&j);
        free(buf);
        return TOOL_OK;
    }
    for (i = 0; i < n; i++) {
        if (buf[i] == '\r' && !crlf)
            continue;
        putchar(buf[i]);
    }
    if (style == PHONESEC_MEDIASEC_STYLE_VALUE)
        fputs(crlf ? "\r\n" : "\n", stdout);
    free(buf);
    return fflush(stdout) == 0 ? TOOL_OK : TOOL_FAIL;
}

static int cmd_verify(int argc, char **argv)
{
    phonesec_mediasec_list *l = NULL;
    static const char prog[] = "phonesec mediasec verify";
    int style = PHONESEC_MEDIASEC_STYLE_SINGLE, crlf = 0, json = 0, o, st, rc;
    char *buf, err[400];
    size_t n = 0, r;

    for (optind = 0; (o = tool_getopt(argc, argv, prog, "", verify_opts, usage, &st)) != -1;) {
        if (o == TOOL_GETOPT_EXIT)
            return st;
        if (o == OPT_STYLE) {
            if (parse_style(optarg, &style) != 0)
                return tool_usage_error(prog, "unknown style '%s' (single, list or per-mech)", optarg);
        } else if (o == OPT_CRLF) {
            crlf = 1;
        } else if (o == TOOL_OPT_JSON) {
            json = 1;
        } else {
            return TOOL_USAGE;
        }
    }
    if (tool_operands(argc, argv, 0, 0, prog) != 0)
        return TOOL_USAGE;
    buf = malloc(MAX_INPUT + 3);
    if (buf == NULL) {
        fprintf(stderr, "phonesec mediasec: out of memory\n");
        return TOOL_FAIL;
    }
    while ((r = fread(buf + n, 1, MAX_INPUT + 1 - n, stdin)) > 0)
        n += r;
    if (n > MAX_INPUT) {
        fprintf(stderr, "phonesec mediasec: input larger than %d bytes\n", MAX_INPUT);
        free(buf);
        return TOOL_FAIL;
    }
    /* a message cut after its headers (no empty line) still counts */
    if (n > 0 && buf[n - 1] != '\n')
        buf[n++] = '\n';
    if (n >= 1 && !(n >= 2 && buf[n - 2] == '\n') && !(n >= 3 && buf[n - 3] == '\n' && buf[n - 2] == '\r'))
        buf[n++] = '\n';
    {
        /* verify reads the server's response; a request (ours, echoed back,
         * or a REGISTER pasted by mistake) is not what was asked for */
        int status;
        if (phonesec_mediasec_msg_status(buf, n, &status) != PHONESEC_OK) {
            size_t ll = 0;
            while (ll < n && ll < 200 && buf[ll] != '\r' && buf[ll] != '\n')
                ll++;
            if (ll >= 8 && ll < 200 && memcmp(buf + ll - 8, " SIP/2.0", 8) == 0)
                fprintf(stderr, "phonesec mediasec: the input is a SIP request (\"%.*s\"), not a response: verify "
                                "reads the response (401, 407, 494...) that carries Security-Server\n",
                        (int)ll, buf);
            else
                fprintf(stderr, "phonesec mediasec: the input is not a SIP response: its first line is not "
                                "\"SIP/2.0 <code> <reason>\"\n");
            if (json)
                tool_json_failure("mediasec verify", "the input is not a SIP response");
            free(buf);
            return TOOL_FAIL;
        }
    }
    if (phonesec_mediasec_list_new(&l) != PHONESEC_OK) {
        free(buf);
        fprintf(stderr, "phonesec mediasec: out of memory\n");
        return TOOL_FAIL;
    }
    rc = phonesec_mediasec_list_from_msg(l, buf, n, PHONESEC_MEDIASEC_HDR_SERVER);
    free(buf);
    if (rc != PHONESEC_OK) {
        if (rc == PHONESEC_E_NOT_FOUND)
            snprintf(err, sizeof err, "no Security-Server header in the message");
        else if (!(phonesec_mediasec_list_last_error(l, err, sizeof err) == PHONESEC_OK && err[0] != '\0'))
            snprintf(err, sizeof err, "%s", phonesec_strerror(rc));
        fprintf(stderr, "phonesec mediasec: %s\n", err);
        if (json)
            tool_json_failure("mediasec verify", err);
        phonesec_mediasec_list_free(l);
        return TOOL_FAIL;
    }
    rc = print_list(l, PHONESEC_MEDIASEC_HDR_VERIFY, style, crlf, json ? "mediasec verify" : NULL);
    phonesec_mediasec_list_free(l);
    return rc;
}

static int cmd_client(int argc, char **argv)
{
    phonesec_mediasec_list *l = NULL;
    const char *mechs = "sdes-srtp";
    static const char prog[] = "phonesec mediasec client";
    int style = PHONESEC_MEDIASEC_STYLE_SINGLE, crlf = 0, media = 0, json = 0, o, st, rc;
    char text[4096], err[400];
    size_t n = 0;
    const char *p;

    for (optind = 0; (o = tool_getopt(argc, argv, prog, "", client_opts, usage, &st)) != -1;) {
        switch (o) {
        case TOOL_GETOPT_EXIT: return st;
        case OPT_MECH: mechs = optarg; break;
        case OPT_MEDIASEC: media = 1; break;
        case OPT_CRLF: crlf = 1; break;
        case TOOL_OPT_JSON: json = 1; break;
        case OPT_STYLE:
            if (parse_style(optarg, &style) != 0)
                return tool_usage_error(prog, "unknown style '%s' (single, list or per-mech)", optarg);
            break;
        default: return TOOL_USAGE;
        }
    }
    if (tool_operands(argc, argv, 0, 0, prog) != 0)
        return TOOL_USAGE;
    /* The list as typed first: an error offset then points into --mech. */
    if (phonesec_mediasec_list_new(&l) != PHONESEC_OK) {
        fprintf(stderr, "phonesec mediasec: out of memory\n");
        return TOOL_FAIL;
    }
    rc = phonesec_mediasec_list_parse(l, mechs, strlen(mechs));
    if (rc != PHONESEC_OK) {
        if (phonesec_mediasec_list_last_error(l, err, sizeof err) == PHONESEC_OK)
            fprintf(stderr, "phonesec mediasec: bad --mech '%s': %s\n", mechs, err);
        phonesec_mediasec_list_free(l);
        return TOOL_USAGE;
    }
    phonesec_mediasec_list_free(l);
    l = NULL;
    /* NAME[,NAME...] -> "NAME;mediasec, NAME;mediasec" (each entry may carry parameters) */
    for (p = mechs;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        int w = snprintf(text + n, sizeof text - n, "%s%.*s%s", n ? ", " : "", (int)len, p, media ? ";mediasec" : "");
        if (w < 0 || (size_t)w >= sizeof text - n) {
            fprintf(stderr, "phonesec mediasec: --mech list too long\n");
            return TOOL_USAGE;
        }
        n += (size_t)w;
        if (c == NULL)
            break;
        p = c + 1;
    }
    if (phonesec_mediasec_list_new(&l) != PHONESEC_OK) {
        fprintf(stderr, "phonesec mediasec: out of memory\n");
        return TOOL_FAIL;
    }
    rc = phonesec_mediasec_list_parse(l, text, n);
    if (rc != PHONESEC_OK) {
        if (phonesec_mediasec_list_last_error(l, err, sizeof err) == PHONESEC_OK)
            fprintf(stderr, "phonesec mediasec: bad --mech '%s': %s\n", mechs, err);
        phonesec_mediasec_list_free(l);
        return TOOL_USAGE;
    }
    rc = print_list(l, PHONESEC_MEDIASEC_HDR_CLIENT, style, crlf, json ? "mediasec client" : NULL);
    phonesec_mediasec_list_free(l);
    return rc;
}

int phonesec_tool_mediasec(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TOOL_USAGE;
    }
    if (strcmp(argv[1], "verify") == 0)
        return cmd_verify(argc - 1, argv + 1);
    if (strcmp(argv[1], "client") == 0)
        return cmd_client(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return TOOL_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("phonesec mediasec %s\n", phonesec_version());
        return TOOL_OK;
    }
    if (strcmp(argv[1], "--list-options") == 0) {
        printf("verify\nclient\n--help\n--version\n");
        return TOOL_OK;
    }
    return tool_usage_error("phonesec mediasec", "unknown subcommand '%s' (verify or client)", argv[1]);
}
