/* phonesec: the operators' command-line tool. Uses only the public API. */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

#include "tool.h"

static void version_usage(FILE *f)
{
    fprintf(f, "usage: phonesec version [--json]\n"
               "  The library version, the modules compiled in, the backend versions\n"
               "  (compiled and linked) and the platform hooks in use.\n"
               "  --json: one JSON object (see phonesec(1)).\n");
}

static const char *const module_names[] = {"ciphers", "tls",      "sdes",       "srtp",
                                           "mediasec", "cfgcrypt", "legacy_rc4", "flow"};

static int version_json(void)
{
    tool_json j;
    unsigned f = phonesec_features(), i;
    tool_json_begin(&j, "version");
    tool_json_str(&j, "version", phonesec_version());
    tool_json_int(&j, "version_number", (long long)phonesec_version_number());
    tool_json_open(&j, "modules", 1);
    tool_json_str(&j, NULL, "core");
    for (i = 0; i < sizeof module_names / sizeof module_names[0]; i++)
        if (f & (1u << i))
            tool_json_str(&j, NULL, module_names[i]);
    tool_json_close(&j, 1);
    tool_json_open(&j, "backends", 0);
    tool_json_open(&j, "wolfssl", 0);
    tool_json_str(&j, "compiled", phonesec_backend_version(PHONESEC_BACKEND_WOLFSSL, 0));
    tool_json_str(&j, "linked", phonesec_backend_version(PHONESEC_BACKEND_WOLFSSL, 1));
    tool_json_close(&j, 0);
    tool_json_open(&j, "libsrtp2", 0);
    tool_json_str(&j, "compiled", phonesec_backend_version(PHONESEC_BACKEND_LIBSRTP, 0));
    tool_json_str(&j, "linked", phonesec_backend_version(PHONESEC_BACKEND_LIBSRTP, 1));
    tool_json_close(&j, 0);
    tool_json_close(&j, 0);
    tool_json_end(&j);
    return TOOL_OK;
}

static const struct option version_opts[] = {TOOL_OPT_JSON_ENTRY, TOOL_OPTS_COMMON, {NULL, 0, NULL, 0}};

static int cmd_version(int argc, char **argv)
{
    char report[1024];
    size_t n;
    int o, st, json = 0;
    for (optind = 0; (o = tool_getopt(argc, argv, "phonesec version", "", version_opts, version_usage, &st)) != -1;) {
        if (o == TOOL_GETOPT_EXIT)
            return st;
        if (o != TOOL_OPT_JSON)
            return TOOL_USAGE;
        json = 1;
    }
    if (tool_operands(argc, argv, 0, 0, "phonesec version") != 0)
        return TOOL_USAGE;
    if (json)
        return version_json();
    if (phonesec_build_report(report, sizeof report, &n) != PHONESEC_OK) {
        fprintf(stderr, "phonesec: cannot make the build report\n");
        return TOOL_FAIL;
    }
    fputs(report, stdout);
    return TOOL_OK;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
    const char *help;
} commands[] = {
    {"version", cmd_version, "library version, modules and backend versions"},
#ifdef PHONESEC_TOOL_HAVE_CIPHERS
    {"ciphers", phonesec_tool_ciphers, "evaluate an OpenSSL cipher string"},
#endif
#ifdef PHONESEC_TOOL_HAVE_TLS
    {"tls", phonesec_tool_tls, "probe a TLS server or serve TLS (probe|serve)"},
#endif
#ifdef PHONESEC_TOOL_HAVE_SDES
    {"sdes", phonesec_tool_sdes, "SDP a=crypto offers and answers (offer|answer)"},
#endif
#ifdef PHONESEC_TOOL_HAVE_SRTP
    {"srtp", phonesec_tool_srtp, "protect or unprotect one packet (protect|unprotect)"},
#endif
#ifdef PHONESEC_TOOL_HAVE_MEDIASEC
    {"mediasec", phonesec_tool_mediasec, "RFC 3329 security agreement headers (verify|client)"},
#endif
#ifdef PHONESEC_TOOL_HAVE_CONFIG
    {"config", phonesec_tool_config, "encrypt or decrypt configuration files (encrypt|decrypt)"},
#endif
#ifdef PHONESEC_TOOL_HAVE_SIGENC
    {"sigenc", phonesec_tool_sigenc, "LEGACY RC4 signal encoding, not security (encode|decode)"},
#endif
};

static void usage(FILE *f)
{
    size_t i;
    fprintf(f, "usage: phonesec COMMAND [ARGS...]\n\ncommands:\n");
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n'phonesec COMMAND --help' describes a command. See phonesec(1).\n");
}

int main(int argc, char **argv)
{
    size_t i;
    if (argc < 2) {
        usage(stderr);
        return TOOL_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return TOOL_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(1, argv + 1);
    if (strcmp(argv[1], "--list-options") == 0) { /* the bash completion's list of commands */
        for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
            printf("%s\n", commands[i].name);
        printf("--help\n--version\n");
        return TOOL_OK;
    }
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "phonesec: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return TOOL_USAGE;
}
