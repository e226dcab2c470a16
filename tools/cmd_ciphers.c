/* phonesec ciphers: evaluate an OpenSSL cipher string like `openssl ciphers`. */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

#include "tool.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: phonesec ciphers [--available] [-V] [--preset default|web|xmpp] [--tls13 LIST] [STRING]\n"
               "  Prints the suites OpenSSL would select for STRING, restricted to the\n"
               "  library's table, one OpenSSL name per line, in order.\n"
               "  -V           also the IANA code and name, in `openssl ciphers -stdname -V` layout\n"
               "  --available  keep only suites the linked wolfSSL can negotiate\n"
               "  --preset P   evaluate preset P when STRING is missing, blank or invalid\n"
               "  --tls13 LIST also list these TLS 1.3 suites first (as -ciphersuites does)\n");
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

int phonesec_tool_ciphers(int argc, char **argv)
{
    uint16_t codes[512], tls13[64];
    size_t n = 0, n13 = 0, i, shown = 0;
    int verbose = 0, available = 0, preset = -1, rc, fallback = 0, a;
    const char *str = NULL, *tls13_list = NULL;

    for (a = 1; a < argc; a++) {
        if (strcmp(argv[a], "-V") == 0) {
            verbose = 1;
        } else if (strcmp(argv[a], "--available") == 0) {
            available = 1;
        } else if (strcmp(argv[a], "--preset") == 0 && a + 1 < argc) {
            preset = preset_by_name(argv[++a]);
            if (preset < 0) {
                fprintf(stderr, "phonesec ciphers: unknown preset '%s' (default, web or xmpp)\n", argv[a]);
                return TOOL_USAGE;
            }
        } else if (strcmp(argv[a], "--tls13") == 0 && a + 1 < argc) {
            tls13_list = argv[++a];
        } else if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
            usage(stdout);
            return TOOL_OK;
        } else if (strcmp(argv[a], "--") == 0 && a + 2 == argc) {
            str = argv[++a];
        } else if (argv[a][0] == '-' && argv[a][1] == '-') {
            usage(stderr);
            return TOOL_USAGE;
        } else if (str == NULL && a + 1 == argc) {
            str = argv[a];
        } else {
            usage(stderr);
            return TOOL_USAGE;
        }
    }
    if (str == NULL && preset < 0) {
        usage(stderr);
        return TOOL_USAGE;
    }
    if (tls13_list != NULL) {
        rc = phonesec_ciphers_select_tls13(tls13_list, tls13, sizeof tls13 / sizeof tls13[0], &n13);
        if (rc != PHONESEC_OK) {
            fprintf(stderr, "phonesec ciphers: TLS 1.3 list '%s': %s\n", tls13_list,
                    rc == PHONESEC_E_NO_MATCH ? "no cipher match" : phonesec_strerror(rc));
            return TOOL_FAIL;
        }
    }
    if (preset >= 0)
        rc = phonesec_ciphers_select_or_preset(str, preset, codes, sizeof codes / sizeof codes[0], &n, &fallback);
    else
        rc = phonesec_ciphers_select(str, codes, sizeof codes / sizeof codes[0], &n);
    if (rc == PHONESEC_E_NO_MATCH) {
        fprintf(stderr, "phonesec ciphers: no cipher match for '%s'\n", fallback ? phonesec_ciphers_preset(preset) : str);
        return TOOL_FAIL;
    }
    if (rc == PHONESEC_E_PARSE) {
        fprintf(stderr, "phonesec ciphers: invalid cipher string '%s' (bad character or \"@\" command)\n", str);
        return TOOL_FAIL;
    }
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "phonesec ciphers: %s\n", phonesec_strerror(rc));
        return TOOL_FAIL;
    }
    if (fallback)
        fprintf(stderr, "phonesec ciphers: using preset \"%s\"\n", phonesec_ciphers_preset(preset));
    for (i = 0; i < n13 + n; i++) {
        uint16_t c = i < n13 ? tls13[i] : codes[i - n13];
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(c);
        if (s == NULL || (available && !phonesec_ciphers_backend_available(c)))
            continue;
        print_suite(s, verbose);
        shown++;
    }
    if (shown == 0) {
        fprintf(stderr, "phonesec ciphers: no selected suite is available in the linked backend\n");
        return TOOL_FAIL;
    }
    return TOOL_OK;
}
