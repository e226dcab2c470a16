/* Fuzz target: certificate-name handling of the tls module: the strict DER
 * reader (subject, issuer, CN, subjectAltNames, basicConstraints), the
 * RFC 5922 / RFC 6125 matchers, the reference-name classifier (host name or
 * IP address in any spelling), restricted domains and the subject/SAN
 * renderers. Invariants: an IP reference only ever matches an iPAddress SAN;
 * an ambiguous IP spelling is refused; a name never is both an IP and a
 * host name; a reference ending in two dots never matches.
 * Input: byte 0 = mode (bit 0) | reference length << 1; then the reference
 * name; then the DER certificate. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

#include "tls/tls_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t cap)
{
    if (memchr(s, '\0', cap) == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const refs[] = {"sip.example.com", "a.example.com", "127.0.0.1", "::1",
                                       "prov.example.com", "example.com.", "10.0.0.1.", "10.1",
                                       "fe80::1%eth0", "[2001:db8::1]", "a.example.com.."};
    phonesec__tls_certnames cn;
    char ref[128], why[160], subj[200], sans[300];
    size_t rl, i, pos = 0, vl, count = 0;
    const uint8_t *der, *v;
    int mode, rc, type;

    if (size < 1)
        return 0;
    mode = data[0] & 1 ? PHONESEC_TLS_IDENTITY_HTTPS : PHONESEC_TLS_IDENTITY_SIP;
    rl = (size_t)(data[0] >> 1);
    if (rl > size - 1)
        rl = size - 1;
    memcpy(ref, data + 1, rl);
    ref[rl] = '\0';
    der = data + 1 + rl;

    rc = phonesec__tls_cert_names(der, size - 1 - rl, &cn);
    if (rc != PHONESEC_OK) {
        if (rc != PHONESEC_E_PARSE && rc != PHONESEC_E_LIMIT)
            abort();
        if (phonesec_tls_cert_check_name(der, size - 1 - rl, mode, "sip.example.com", why, sizeof why) != rc)
            abort();
        return 0;
    }
    /* spans stay inside the input */
    if (cn.subject < der || cn.subject + cn.subject_len > der + (size - 1 - rl) || cn.issuer < der ||
        cn.issuer + cn.issuer_len > der + (size - 1 - rl))
        abort();
    while (phonesec__tls_san_next(&cn, &pos, &type, &v, &vl))
        count++;
    if (count != cn.n_san)
        abort();
    phonesec__tls_name_string(cn.subject, cn.subject_len, subj, sizeof subj);
    check_text(subj, sizeof subj);
    phonesec__tls_name_string(cn.issuer, cn.issuer_len, subj, sizeof subj);
    check_text(subj, sizeof subj);
    phonesec__tls_sans_string(&cn, sans, sizeof sans);
    check_text(sans, sizeof sans);

    for (i = 0; i <= sizeof refs / sizeof refs[0]; i++) {
        const char *r = i < sizeof refs / sizeof refs[0] ? refs[i] : ref;
        uint8_t ip[16];
        size_t n = strlen(r);
        int m1, m2, iplen;
        if (r[0] == '\0')
            continue;
        iplen = phonesec__tls_ip_literal(r, ip);
        if (iplen != 0 && phonesec__tls_valid_hostname(r, n))
            abort();
        if (iplen != 0 && phonesec__tls_in_domain(r, "example.com"))
            abort();
        m1 = phonesec__tls_match(&cn, mode, r, why, sizeof why);
        check_text(why, sizeof why);
        if (m1 != PHONESEC_OK && m1 != PHONESEC_E_NAME && m1 != PHONESEC_E_INVAL)
            abort();
        if (iplen < 0 && m1 != PHONESEC_E_INVAL)
            abort();
        if (iplen > 0 && m1 == PHONESEC_OK && strncmp(why, "matched iPAddress ", 18) != 0)
            abort();
        if (m1 == PHONESEC_OK && n >= 2 && r[n - 1] == '.' && r[n - 2] == '.')
            abort();
        /* deterministic, and the public entry point agrees */
        m2 = phonesec_tls_cert_check_name(der, size - 1 - rl, mode, r, NULL, 0);
        if (m1 != m2)
            abort();
        /* SIP never accepts a wildcard: a match must not come from a '*' name */
        if (m1 == PHONESEC_OK && strchr(r, '*') != NULL)
            abort();
    }
    return 0;
}
