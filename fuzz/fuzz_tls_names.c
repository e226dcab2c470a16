/* Fuzz target: certificate-name handling of the tls module: the strict DER
 * reader (subject, issuer, CN, subjectAltNames, basicConstraints), the
 * RFC 5922 / RFC 6125 matchers and the subject/SAN renderers.
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
                                       "prov.example.com", "example.com."};
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
        int m1, m2;
        if (r[0] == '\0')
            continue;
        m1 = phonesec__tls_match(&cn, mode, r, why, sizeof why);
        check_text(why, sizeof why);
        if (m1 != PHONESEC_OK && m1 != PHONESEC_E_NAME && m1 != PHONESEC_E_INVAL)
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
