/* phonesec: the operators' command-line tool. Uses only the public API. */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

#include "tool.h"

static int cmd_version(int argc, char **argv)
{
    char report[1024];
    size_t n;
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: phonesec version\n");
        return TOOL_USAGE;
    }
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
    for (i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "phonesec: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return TOOL_USAGE;
}
