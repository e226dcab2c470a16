/* phonesec: the operators' command-line tool. Uses only the public API. */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

#include "tool.h"

static const struct {
    unsigned bit;
    const char *name;
} cap_names[] = {
    {PHONESEC_CAP_TLS13, "TLS 1.3"},
    {PHONESEC_CAP_TLS11, "TLS 1.1 (opt-in)"},
    {PHONESEC_CAP_TLS10, "TLS 1.0 (opt-in)"},
    {PHONESEC_CAP_STATIC_RSA, "static RSA suites"},
    {PHONESEC_CAP_USE_SRTP, "DTLS use_srtp"},
    {PHONESEC_CAP_DTLS, "DTLS 1.2"},
    {PHONESEC_CAP_KEYING_MATERIAL, "keying-material export"},
    {PHONESEC_CAP_SESSION_TICKETS, "session tickets"},
    {PHONESEC_CAP_CRL, "CRL"},
    {PHONESEC_CAP_ASSEMBLY, "AES assembly"},
    {PHONESEC_CAP_SCRYPT, "scrypt"},
    {PHONESEC_CAP_RC4, "ARC4 primitive"},
    {PHONESEC_CAP_3DES, "3DES suites"},
    {PHONESEC_CAP_NULL_CIPHER, "NULL-cipher suites"},
    {PHONESEC_CAP_ANON, "anonymous suites"},
    {PHONESEC_CAP_OPENSSL_EXTRA, "OpenSSL-compatibility layer (OPENSSL_EXTRA)"},
    {PHONESEC_CAP_OPENSSL_ALL, "full compatibility layer (OPENSSL_ALL)"},
};

static void print_caps(const char *label, unsigned caps, int want)
{
    size_t i;
    int first = 1;
    printf("%s", label);
    for (i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
        if (((caps & cap_names[i].bit) != 0) == want) {
            printf("%s%s", first ? " " : ", ", cap_names[i].name);
            first = 0;
        }
    printf("%s\n", first ? " -" : "");
}

/* version --verbose: what the backend can do, as the library reports it. */
static int version_verbose(void)
{
    phonesec_build_info vi;
    memset(&vi, 0, sizeof vi);
    vi.version = PHONESEC_BUILD_INFO_VERSION;
    if (phonesec_version_info(&vi) != PHONESEC_OK) {
        fprintf(stderr, "phonesec: cannot read the version information\n");
        return TOOL_FAIL;
    }
    printf("backend: %s %s (compiled against %s)\n", vi.backend_name, vi.backend_version, vi.backend_compiled);
    print_caps("backend has:", vi.backend_caps, 1);
    print_caps("backend lacks:", vi.backend_caps, 0);
    printf("assembly: %s\n", vi.backend_assembly);
    printf("srtp engine: %s; linked: %s\n", vi.srtp_engine, vi.srtp_version);
#ifdef PHONESEC_TOOL_HAVE_CIPHERS
    {
        /* the suites DEFAULT selects, and how many this backend has */
        uint16_t codes[512];
        size_t n = 0, i, have = 0;
        if (phonesec_ciphers_select("DEFAULT", codes, sizeof codes / sizeof codes[0], &n) == PHONESEC_OK) {
            for (i = 0; i < n; i++)
                have += phonesec_ciphers_backend_available(codes[i]) ? 1 : 0;
            printf("DEFAULT suites (TLS 1.2 and below): %zu of %zu available in this backend\n", have, n);
        }
    }
#endif
    return TOOL_OK;
}

static void version_usage(FILE *f)
{
    fprintf(f, "usage: phonesec version [--json] [--verbose]\n"
               "  The library version, the modules compiled in, the backend versions\n"
               "  (compiled and linked) and the platform hooks in use.\n"
               "  --json: one JSON object (see phonesec(1)).\n"
               "  --verbose, -v: also what the backend can do (phonesec_version_info()).\n");
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

static const struct option version_opts[] = {TOOL_OPT_JSON_ENTRY, {"verbose", no_argument, NULL, 'v'},
                                             TOOL_OPTS_COMMON, {NULL, 0, NULL, 0}};

static int cmd_version(int argc, char **argv)
{
    char report[1024];
    size_t n;
    int o, st, json = 0, verbose = 0;
    for (optind = 0; (o = tool_getopt(argc, argv, "phonesec version", "v", version_opts, version_usage, &st)) != -1;) {
        if (o == TOOL_GETOPT_EXIT)
            return st;
        if (o == 'v')
            verbose = 1;
        else if (o == TOOL_OPT_JSON)
            json = 1;
        else
            return TOOL_USAGE;
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
    return verbose ? version_verbose() : TOOL_OK;
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
