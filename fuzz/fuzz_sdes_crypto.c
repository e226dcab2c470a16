/* Fuzz target: the a=crypto line parser. print(parse(x)) must give x back
 * byte for byte and reparse to the same fields; the canonical print of a
 * changed line must reparse to the changed fields; a line the check accepts
 * must give SRTP sessions in both directions. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static phonesec_sdes_crypto a, b;
static char out[PHONESEC_SDES_LINE_MAX + 1];

static int same(const phonesec_sdes_crypto *x, const phonesec_sdes_crypto *y)
{
    size_t i;
    if (x->tag != y->tag || x->suite != y->suite || x->flags != y->flags || x->kdr != y->kdr || x->wsh != y->wsh ||
        x->fec_order != y->fec_order || x->has_fec_key != y->has_fec_key || x->n_unknown != y->n_unknown ||
        x->n_keys != y->n_keys)
        return 0;
    for (i = 0; i < x->n_keys; i++)
        if (memcmp(&x->keys[i], &y->keys[i], sizeof x->keys[i]) != 0)
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[256];
    size_t n;
    phonesec_srtp_params p;
    int rc;

    rc = phonesec_sdes_crypto_parse((const char *)data, size, &a, why, sizeof why);
    if (rc != PHONESEC_OK) {
        if (rc != PHONESEC_E_PARSE && rc != PHONESEC_E_UNSUPPORTED && rc != PHONESEC_E_LIMIT)
            abort();
        if (why[0] == '\0')
            abort();
        return 0;
    }
    if (phonesec_sdes_crypto_print(&a, out, sizeof out, &n) != PHONESEC_OK || n != size ||
        memcmp(out, data, size) != 0)
        abort();
    if (phonesec_sdes_crypto_parse(out, n, &b, NULL, 0) != PHONESEC_OK || !same(&a, &b))
        abort();
    {
        /* The line's length picks the compat switch. */
        unsigned allow = PHONESEC_SDES_ALLOW_NULL | PHONESEC_SDES_ALLOW_UNENCRYPTED |
                         ((size & 1) ? PHONESEC_SDES_SRTCP_TAG32_COMPAT : 0);
        rc = phonesec_sdes_crypto_check(&a, allow, why, sizeof why);
        if (rc == PHONESEC_OK) {
            phonesec_srtp *s = NULL;
            int d;
            if (phonesec_sdes_crypto_to_params(&a, allow, &p) != PHONESEC_OK || p.n_keys != a.n_keys ||
                p.suite != a.suite)
                abort();
            for (d = PHONESEC_SRTP_DIR_INBOUND; d <= PHONESEC_SRTP_DIR_OUTBOUND; d++) {
                if (phonesec_srtp_new(&p, d, PHONESEC_SRTP_OPT_ALLOW_NULL, &s) != PHONESEC_OK)
                    abort();
                phonesec_srtp_free(s);
                s = NULL;
            }
            phonesec_memzero(&p, sizeof p);
        } else if (why[0] == '\0') {
            abort();
        }
    }
    /* Change the tag: the canonical form must reparse to the changed fields. */
    a.tag = a.tag == 999999999u ? 0 : a.tag + 1;
    rc = phonesec_sdes_crypto_print(&a, out, sizeof out, &n);
    if (rc == PHONESEC_OK) {
        if (phonesec_sdes_crypto_parse(out, n, &b, NULL, 0) != PHONESEC_OK || !same(&a, &b))
            abort();
    } else if (rc != PHONESEC_E_UNSUPPORTED || (a.n_unknown == 0 && !a.has_fec_key)) {
        abort();
    }
    phonesec_sdes_crypto_wipe(&a);
    phonesec_sdes_crypto_wipe(&b);
    return 0;
}
