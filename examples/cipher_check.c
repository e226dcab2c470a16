/*
 * Check the administrator's "TLS Cipher List" setting before applying it.
 *
 * The setting is an OpenSSL cipher string; the library evaluates it exactly
 * as OpenSSL would, restricted to its suite table. A blank setting falls back
 * to the application's preset (as the phones' manuals say); a string that
 * selects nothing is reported, so the web UI can refuse it. For each suite
 * the program tells whether the linked wolfSSL can negotiate it.
 *
 *   cipher_check 'CIPHER STRING' [sip|web|xmpp]
 *   e.g. cipher_check 'ECDHE+AESGCM:!aNULL' sip
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int main(int argc, char **argv)
{
    int preset = PHONESEC_CIPHERS_PRESET_DEFAULT, fell_back = 0, rc;
    size_t cap = phonesec_ciphers_count(), n = 0, i, usable = 0;
    uint16_t *codes;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: cipher_check 'CIPHER STRING' [sip|web|xmpp]\n");
        return 2;
    }
    if (argc == 3)
        preset = strcmp(argv[2], "web") == 0    ? PHONESEC_CIPHERS_PRESET_WEB
                 : strcmp(argv[2], "xmpp") == 0 ? PHONESEC_CIPHERS_PRESET_XMPP
                                                : PHONESEC_CIPHERS_PRESET_DEFAULT;
    if ((codes = calloc(cap, sizeof *codes)) == NULL)
        return 1;

    /* What the setting itself selects: an error here is what the web UI shows. */
    rc = phonesec_ciphers_select(argv[1], codes, cap, &n);
    if (rc != PHONESEC_OK)
        printf("setting \"%s\": %s\n", argv[1], phonesec_strerror(rc));

    /* What the phone will use: the setting, or the application's preset. */
    rc = phonesec_ciphers_select_or_preset(argv[1], preset, codes, cap, &n, &fell_back);
    if (rc != PHONESEC_OK) {
        printf("no usable cipher list: %s\n", phonesec_strerror(rc));
        free(codes);
        return 1;
    }
    if (fell_back)
        printf("using the preset \"%s\" instead\n", phonesec_ciphers_preset(preset));
    for (i = 0; i < n; i++) {
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(codes[i]);
        int ok = phonesec_ciphers_backend_available(codes[i]);
        usable += (size_t)ok;
        printf("  0x%04X %-32s %-7s %s\n", codes[i], s->openssl_name, s->protocol,
               ok ? "" : "(not in the linked wolfSSL)");
    }
    printf("%zu suites selected, %zu negotiable\n", n, usable);
    free(codes);
    return usable > 0 && !fell_back ? 0 : 1;
}
