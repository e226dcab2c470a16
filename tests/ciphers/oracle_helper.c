/* Helper of tests/ciphers/oracle.py: evaluates many cipher strings in one
 * process (spawning the tool once per string took most of the oracle's
 * time, and far too long under the sanitizers). Reads one string per line,
 * hex-encoded; for each prints the floored and the legacy (ALLOW_LEGACY)
 * evaluation, each as "F STATUS" / "L STATUS" followed by the selected
 * suites in the layout of `openssl ciphers -stdname -V` (what `phonesec
 * ciphers -V` prints), then a line ".". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

static const char *status(int rc)
{
    switch (rc) {
    case PHONESEC_OK: return "OK";
    case PHONESEC_E_PARSE: return "PARSE";
    case PHONESEC_E_NO_MATCH: return "NO_MATCH";
    case PHONESEC_E_POLICY: return "POLICY";
    default: return "ERR";
    }
}

static void run(const char *s, unsigned flags, const char *tag)
{
    phonesec_ciphers_options opt = PHONESEC_CIPHERS_OPTIONS_INIT;
    uint16_t codes[512];
    size_t n = 0, i;
    int rc;
    opt.flags = flags;
    rc = phonesec_ciphers_select_ex(s, &opt, codes, sizeof codes / sizeof codes[0], &n, NULL);
    printf("%s %s\n", tag, status(rc));
    for (i = 0; rc == PHONESEC_OK && i < n; i++) {
        const phonesec_ciphers_suite *c = phonesec_ciphers_by_code(codes[i]);
        if (c == NULL) {
            printf("?\n");
            continue;
        }
        printf("          0x%02X,0x%02X - %-45s - %-30s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%-4s\n", c->iana >> 8,
               c->iana & 0xFF, c->iana_name, c->openssl_name, c->protocol, c->kx, c->auth, c->enc, c->mac);
    }
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int main(void)
{
    static char line[65536], str[32768];
    if (phonesec_init(NULL) != PHONESEC_OK)
        return 1;
    while (fgets(line, sizeof line, stdin) != NULL) {
        size_t i, n = 0;
        for (i = 0; line[i] != '\0' && line[i] != '\n' && n + 1 < sizeof str; i += 2) {
            int hi = hexval((unsigned char)line[i]), lo = line[i + 1] ? hexval((unsigned char)line[i + 1]) : -1;
            if (hi < 0 || lo < 0)
                return 2;
            str[n++] = (char)(hi * 16 + lo);
        }
        str[n] = '\0';
        run(str, 0, "F");
        run(str, PHONESEC_CIPHERS_ALLOW_LEGACY, "L");
        printf(".\n");
        fflush(stdout);
    }
    phonesec_shutdown();
    return 0;
}
