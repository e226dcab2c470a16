/* Fuzz target: OpenSSL cipher-string evaluation, the security floor and
 * TLS 1.3 lists.
 * Checks: no crash, results only from the table, no duplicates, stable
 * across calls, BUFFER_SMALL leaves the output alone; the floored selection
 * is the legacy one minus exactly the suites phonesec_ciphers_floor_reason()
 * names, order kept; the report names a word inside the string and its
 * message is terminated; the phones' fallback always works and says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int blank(const char *s)
{
    for (; *s != '\0'; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

static void check_report(const char *s, const phonesec_ciphers_report *r, int rc)
{
    if (memchr(r->message, '\0', sizeof r->message) == NULL)
        abort();
    if (r->word_len > 0 && (r->word_offset > strlen(s) || r->word_len > strlen(s) - r->word_offset))
        abort();
    if (r->status != rc || r->fallback != PHONESEC_CIPHERS_FALLBACK_NONE)
        abort();
    if ((rc == PHONESEC_E_PARSE || rc == PHONESEC_E_POLICY) && r->message[0] == '\0')
        abort();
    if (rc == PHONESEC_E_NO_MATCH && strstr(r->message, "no cipher match") == NULL)
        abort();
    if (r->seclevel < -1 || r->seclevel > 5)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    phonesec_ciphers_options legacy = PHONESEC_CIPHERS_OPTIONS_INIT;
    phonesec_ciphers_report rep, lrep;
    uint16_t a[512], b[512], l[512], small[2] = {0xAAAA, 0xAAAA};
    size_t na = 0, nb = 0, nl = 0, ns = 0, i, j, k;
    char *s;
    int ra, rb, rl, fb = 0;

    if (size > 8192)
        return 0;
    s = malloc(size + 1);
    if (s == NULL)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    memset(&rep, 0, sizeof rep);
    rep.version = PHONESEC_CIPHERS_REPORT_VERSION;
    ra = phonesec_ciphers_select_ex(s, NULL, a, 512, &na, &rep);
    rb = phonesec_ciphers_select(s, b, 512, &nb);
    if (ra != rb)
        abort();
    if (ra != PHONESEC_OK && ra != PHONESEC_E_NO_MATCH && ra != PHONESEC_E_PARSE && ra != PHONESEC_E_POLICY)
        abort();
    check_report(s, &rep, ra);
    if (ra == PHONESEC_OK) {
        if (na == 0 || na != nb || na > phonesec_ciphers_count() || memcmp(a, b, na * sizeof a[0]) != 0)
            abort();
        for (i = 0; i < na; i++) {
            const phonesec_ciphers_suite *cs = phonesec_ciphers_by_code(a[i]);
            if (cs == NULL || strcmp(cs->protocol, "TLSv1.3") == 0)
                abort();
            if (phonesec_ciphers_floor_reason(a[i], rep.seclevel) != NULL)
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

    /* the legacy selection; the floored one is it, filtered */
    legacy.flags = PHONESEC_CIPHERS_ALLOW_LEGACY;
    memset(&lrep, 0, sizeof lrep);
    lrep.version = PHONESEC_CIPHERS_REPORT_VERSION;
    rl = phonesec_ciphers_select_ex(s, &legacy, l, 512, &nl, &lrep);
    check_report(s, &lrep, rl);
    if (rl == PHONESEC_E_POLICY) {
        /* legacy applies only the string's own @SECLEVEL */
        if (lrep.seclevel < 1 || ra != PHONESEC_E_POLICY)
            abort();
    } else if (rl != PHONESEC_OK) {
        if (ra != rl)
            abort();
    } else {
        if (ra != PHONESEC_OK && ra != PHONESEC_E_POLICY)
            abort();
        for (j = 0, k = 0; j < nl; j++) {
            const char *why = phonesec_ciphers_floor_reason(l[j], lrep.seclevel);
            if (why == NULL) {
                if (k >= na || a[k] != l[j])
                    abort();
                k++;
            }
        }
        if (k != (ra == PHONESEC_OK ? na : 0))
            abort();
        if (rep.removed != lrep.removed + (nl - k))
            abort();
    }

    /* the phones' fallback, on request: always a list, and the reason */
    if (phonesec_ciphers_select_or_preset(s, PHONESEC_CIPHERS_PRESET_XMPP | PHONESEC_CIPHERS_FALLBACK_ON_ERROR, b, 512,
                                          &nb, &fb) != PHONESEC_OK)
        abort();
    if (blank(s) ? fb != PHONESEC_CIPHERS_FALLBACK_BLANK
                 : fb != (ra != PHONESEC_OK ? PHONESEC_CIPHERS_FALLBACK_INVALID : PHONESEC_CIPHERS_FALLBACK_NONE))
        abort();
    /* without it: the error itself */
    rb = phonesec_ciphers_select_or_preset(s, PHONESEC_CIPHERS_PRESET_XMPP, b, 512, &nb, &fb);
    if (!blank(s) && rb != ra)
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
