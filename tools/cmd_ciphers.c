/* phonesec ciphers: evaluate an OpenSSL cipher string like `openssl ciphers`,
 * then apply the library's security floor and say what it removed. */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

#include "tool.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: phonesec ciphers [-V] [--available] [--legacy] [--preset default|web|xmpp [--fallback]]\n"
            "                        [--tls13 LIST] [--json] [--] [STRING]\n"
            "  Prints the suites OpenSSL would select for STRING, restricted to the\n"
            "  library's table and above the security floor, one OpenSSL name per line,\n"
            "  in order (what `openssl ciphers -s` lists). What the floor removed, and\n"
            "  why, is listed on standard error.\n"
            "  -V           also the IANA code and name, in `openssl ciphers -stdname -V` layout\n"
            "  --available  keep only suites the linked wolfSSL can negotiate\n"
            "  --legacy     no security floor: the legacy selection (anonymous, NULL, RC4,\n"
            "               3DES suites included when STRING selects them)\n"
            "  --preset P   evaluate preset P when STRING is missing or blank\n"
            "  --fallback   with --preset: also when STRING is invalid or selects nothing\n"
            "               (what phones do; the error is still printed)\n"
            "  --tls13 LIST also list these TLS 1.3 suites first (as -ciphersuites does)\n"
            "  --json       one JSON object: the suites with their codes and parameters,\n"
            "               what the floor removed and why (see phonesec(1))\n"
            "  Options take their value as --opt VALUE or --opt=VALUE; --help, --version.\n"
            "  Exit status 1 with \"no cipher match\" (naming the word to blame), \"invalid\n"
            "  cipher string\", or \"below the security floor\".\n");
}

static void print_suite(const phonesec_ciphers_suite *s, int verbose)
{
    if (!verbose) {
        printf("%s\n", s->openssl_name);
        return;
    }
    printf("          0x%02X,0x%02X - %-45s - %-30s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%-4s\n", s->iana >> 8,
           s->iana & 0xFF, s->iana_name, s->openssl_name, s->protocol, s->kx, s->auth, s->enc, s->mac);
}

static int preset_by_name(const char *n)
{
    if (strcmp(n, "default") == 0)
        return PHONESEC_CIPHERS_PRESET_DEFAULT;
    if (strcmp(n, "web") == 0)
        return PHONESEC_CIPHERS_PRESET_WEB;
    if (strcmp(n, "xmpp") == 0)
        return PHONESEC_CIPHERS_PRESET_XMPP;
    return -1;
}

static int has_code(const uint16_t *c, size_t n, uint16_t x)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (c[i] == x)
            return 1;
    return 0;
}

/* The suites of the legacy selection that the floor drops, with the reason. */
static void print_floor(const char *evaluated, const uint16_t *kept, size_t nkept, int seclevel, int legacy,
                        tool_json *j)
{
    phonesec_ciphers_options opt = PHONESEC_CIPHERS_OPTIONS_INIT;
    uint16_t all[512];
    size_t n = 0, i, shown = 0;

    opt.flags = PHONESEC_CIPHERS_ALLOW_LEGACY;
    if (evaluated == NULL || phonesec_ciphers_select_ex(evaluated, &opt, all, sizeof all / sizeof all[0], &n, NULL) !=
                                 PHONESEC_OK)
        return;
    for (i = 0; i < n; i++) {
        const char *why = phonesec_ciphers_floor_reason(all[i], seclevel);
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(all[i]);
        if (why == NULL || s == NULL || (!legacy && has_code(kept, nkept, all[i])))
            continue;
        if (j != NULL) {
            tool_json_open(j, NULL, 0);
            tool_json_str(j, "name", s->openssl_name);
            tool_json_int(j, "code", s->iana);
            tool_json_str(j, "reason", why);
            tool_json_close(j, 0);
            continue;
        }
        if (shown++ == 0)
            fprintf(stderr, legacy ? "phonesec ciphers: below the security floor, kept because of --legacy:\n"
                                   : "phonesec ciphers: removed by the security floor (--legacy keeps them):\n");
        fprintf(stderr, "  %-30s %s\n", s->openssl_name, why);
    }
}

enum { OPT_AVAILABLE = 0x1100, OPT_LEGACY, OPT_FALLBACK, OPT_PRESET, OPT_TLS13 };
static const struct option ciphers_opts[] = {
    {"available", no_argument, NULL, OPT_AVAILABLE},
    {"legacy", no_argument, NULL, OPT_LEGACY},
    {"fallback", no_argument, NULL, OPT_FALLBACK},
    {"preset", required_argument, NULL, OPT_PRESET},
    {"tls13", required_argument, NULL, OPT_TLS13},
    TOOL_OPT_JSON_ENTRY,
    TOOL_OPTS_COMMON,
    {NULL, 0, NULL, 0}};

static void json_suite(tool_json *j, const phonesec_ciphers_suite *s)
{
    tool_json_open(j, NULL, 0);
    tool_json_str(j, "name", s->openssl_name);
    tool_json_str(j, "iana_name", s->iana_name);
    tool_json_int(j, "code", s->iana);
    tool_json_str(j, "protocol", s->protocol);
    tool_json_str(j, "kx", s->kx);
    tool_json_str(j, "auth", s->auth);
    tool_json_str(j, "enc", s->enc);
    tool_json_str(j, "mac", s->mac);
    tool_json_bool(j, "available", phonesec_ciphers_backend_available(s->iana));
    tool_json_close(j, 0);
}

static int json_error(const char *str, const char *err)
{
    tool_json j;
    tool_json_begin(&j, "ciphers");
    tool_json_str(&j, "string", str);
    tool_json_str(&j, "result", "FAILED");
    tool_json_str(&j, "error", err);
    tool_json_end(&j);
    return TOOL_FAIL;
}

int phonesec_tool_ciphers(int argc, char **argv)
{
    static const char prog[] = "phonesec ciphers";
    phonesec_ciphers_options opt = PHONESEC_CIPHERS_OPTIONS_INIT;
    phonesec_ciphers_report rep;
    uint16_t codes[512], tls13[64];
    size_t n = 0, n13 = 0, i, shown = 0;
    int verbose = 0, available = 0, preset = -1, legacy = 0, fallback_on_error = 0, json = 0, rc, o, st;
    const char *str = NULL, *tls13_list = NULL, *evaluated;
    tool_json j;

    for (optind = 0; (o = tool_getopt(argc, argv, prog, "V", ciphers_opts, usage, &st)) != -1;) {
        switch (o) {
        case TOOL_GETOPT_EXIT: return st;
        case 'V': verbose = 1; break;
        case OPT_AVAILABLE: available = 1; break;
        case OPT_LEGACY: legacy = 1; break;
        case OPT_FALLBACK: fallback_on_error = 1; break;
        case TOOL_OPT_JSON: json = 1; break;
        case OPT_TLS13: tls13_list = optarg; break;
        case OPT_PRESET:
            preset = preset_by_name(optarg);
            if (preset < 0)
                return tool_usage_error(prog, "unknown preset '%s' (default, web or xmpp)", optarg);
            break;
        default: return TOOL_USAGE;
        }
    }
    if (tool_operands(argc, argv, preset < 0 ? 1 : 0, 1, prog) != 0)
        return TOOL_USAGE;
    if (optind < argc)
        str = argv[optind];
    if (fallback_on_error && preset < 0)
        return tool_usage_error(prog, "--fallback needs --preset");
    if (tls13_list != NULL) {
        rc = phonesec_ciphers_select_tls13(tls13_list, tls13, sizeof tls13 / sizeof tls13[0], &n13);
        if (rc != PHONESEC_OK) {
            fprintf(stderr, "phonesec ciphers: TLS 1.3 list '%s': %s\n", tls13_list,
                    rc == PHONESEC_E_NO_MATCH ? "no cipher match" : phonesec_strerror(rc));
            return json ? json_error(str, rc == PHONESEC_E_NO_MATCH ? "TLS 1.3 list: no cipher match"
                                                                    : phonesec_strerror(rc))
                        : TOOL_FAIL;
        }
    }
    opt.flags = (legacy ? PHONESEC_CIPHERS_ALLOW_LEGACY : 0) | (fallback_on_error ? PHONESEC_CIPHERS_FALLBACK_ON_ERROR : 0);
    opt.preset = preset >= 0 ? preset : PHONESEC_CIPHERS_PRESET_NONE;
    memset(&rep, 0, sizeof rep);
    rep.version = PHONESEC_CIPHERS_REPORT_VERSION;
    rc = phonesec_ciphers_select_ex(str, &opt, codes, sizeof codes / sizeof codes[0], &n, &rep);
    evaluated = rep.fallback != PHONESEC_CIPHERS_FALLBACK_NONE ? phonesec_ciphers_preset(preset) : str;
    if (rep.status != PHONESEC_OK || rep.message[0] != '\0') {
        /* the string's own problem, also when a preset replaced it */
        const char *what = rep.status == PHONESEC_OK ? "warning" : "error";
        fprintf(stderr, "phonesec ciphers: %s in '%s': %s\n", what, str ? str : "", rep.message);
    }
    if (rep.status == PHONESEC_E_POLICY && !legacy)
        print_floor(str, NULL, 0, rep.seclevel, 0, NULL);
    if (rc != PHONESEC_OK) {
        if (rc != PHONESEC_E_PARSE && rc != PHONESEC_E_NO_MATCH && rc != PHONESEC_E_POLICY)
            fprintf(stderr, "phonesec ciphers: %s\n", phonesec_strerror(rc));
        return json ? json_error(str, rep.message[0] ? rep.message : phonesec_strerror(rc)) : TOOL_FAIL;
    }
    if (json) {
        tool_json_begin(&j, "ciphers");
        tool_json_str(&j, "string", str);
        tool_json_str(&j, "result", "OK");
        tool_json_null(&j, "error");
        tool_json_str(&j, "evaluated", evaluated);
        tool_json_str(&j, "fallback", rep.fallback == PHONESEC_CIPHERS_FALLBACK_NONE    ? "none"
                                      : rep.fallback == PHONESEC_CIPHERS_FALLBACK_BLANK ? "blank"
                                                                                         : "error");
        tool_json_str(&j, "warning", rep.message[0] && rep.status == PHONESEC_OK ? rep.message : NULL);
        tool_json_bool(&j, "legacy", legacy);
        tool_json_open(&j, "suites", 1);
        for (i = 0; i < n13 + n; i++) {
            uint16_t c = i < n13 ? tls13[i] : codes[i - n13];
            const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(c);
            if (s == NULL || (available && !phonesec_ciphers_backend_available(c)))
                continue;
            json_suite(&j, s);
            shown++;
        }
        tool_json_close(&j, 1);
        tool_json_open(&j, legacy ? "below_floor" : "removed_by_floor", 1);
        if (rep.removed > 0 || legacy)
            print_floor(evaluated, codes, n, rep.fallback != PHONESEC_CIPHERS_FALLBACK_NONE ? -1 : rep.seclevel,
                        legacy, &j);
        tool_json_close(&j, 1);
        tool_json_end(&j);
        return shown > 0 ? TOOL_OK : TOOL_FAIL;
    }
    if (rep.fallback != PHONESEC_CIPHERS_FALLBACK_NONE)
        fprintf(stderr, "phonesec ciphers: using preset \"%s\"%s\n", evaluated,
                rep.fallback == PHONESEC_CIPHERS_FALLBACK_BLANK ? " (the string is blank)" : "");
    for (i = 0; i < n13 + n; i++) {
        uint16_t c = i < n13 ? tls13[i] : codes[i - n13];
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(c);
        if (s == NULL || (available && !phonesec_ciphers_backend_available(c)))
            continue;
        print_suite(s, verbose);
        shown++;
    }
    fflush(stdout);
    if (rep.removed > 0 || legacy)
        print_floor(evaluated, codes, n,
                    rep.fallback != PHONESEC_CIPHERS_FALLBACK_NONE ? -1 : rep.seclevel, legacy, NULL);
    if (shown == 0) {
        fprintf(stderr, "phonesec ciphers: no selected suite is available in the linked backend\n");
        return TOOL_FAIL;
    }
    return TOOL_OK;
}
