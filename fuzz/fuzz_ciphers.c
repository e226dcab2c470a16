/* Fuzz target: OpenSSL cipher-string evaluation and TLS 1.3 lists.
 * Checks: no crash, results only from the table, no duplicates, stable
 * across calls, BUFFER_SMALL leaves the output alone, fallback always works. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint16_t a[512], b[512], small[2] = {0xAAAA, 0xAAAA};
    size_t na = 0, nb = 0, ns = 0, i, j;
    char *s;
    int ra, rb, fb = 0;

    if (size > 8192)
        return 0;
    s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    ra = phonesec_ciphers_select(s, a, 512, &na);
    rb = phonesec_ciphers_select(s, b, 512, &nb);
    if (ra != rb)
        abort();
    if (ra != PHONESEC_OK && ra != PHONESEC_E_NO_MATCH && ra != PHONESEC_E_PARSE)
        abort();
    if (ra == PHONESEC_OK) {
        if (na == 0 || na != nb || na > phonesec_ciphers_count() || memcmp(a, b, na * sizeof a[0]) != 0)
            abort();
        for (i = 0; i < na; i++) {
            const phonesec_ciphers_suite *cs = phonesec_ciphers_by_code(a[i]);
            if (cs == NULL || strcmp(cs->protocol, "TLSv1.3") == 0)
                abort();
            for (j = 0; j < i; j++)
                if (a[j] == a[i])
                    abort();
        }
        if (na > 2) {
            if (phonesec_ciphers_select(s, small, 2, &ns) != PHONESEC_E_BUFFER_SMALL || ns != na ||
                small[0] != 0xAAAA || small[1] != 0xAAAA)
                abort();
        }
    }
    if (phonesec_ciphers_select_or_preset(s, PHONESEC_CIPHERS_PRESET_XMPP, b, 512, &nb, &fb) != PHONESEC_OK)
        abort();
    if (fb != (ra != PHONESEC_OK))
        abort();

    ra = phonesec_ciphers_select_tls13(s, a, 512, &na);
    if (ra == PHONESEC_OK) {
        for (i = 0; i < na; i++) {
            const phonesec_ciphers_suite *cs = phonesec_ciphers_by_code(a[i]);
            if (cs == NULL || strcmp(cs->protocol, "TLSv1.3") != 0)
                abort();
        }
    } else if (ra != PHONESEC_E_NO_MATCH) {
        abort();
    }
    (void)phonesec_ciphers_by_name(s);
    free(s);
    return 0;
}
