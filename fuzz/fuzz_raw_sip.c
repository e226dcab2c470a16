/* Fuzz target: the raw SIP text adapter (adapters/raw). The input is one SIP
 * message; it goes in (incoming) and out (outgoing) through an adapter with
 * a MediaSec flow and an SDES call, and through one with SDES only. Every
 * output must frame right (Content-Length equals the body) and, when the
 * adapter says it changed nothing, be the input's message byte for byte. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phonesec_raw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_out(const char *in, size_t in_len, const char *out, size_t out_len, unsigned done, int plain)
{
    size_t off, blen, ioff, iblen;
    if (phonesec_raw_body(out, out_len, &off, &blen) != PHONESEC_OK || off + blen != out_len)
        abort();
    if (phonesec_raw_body(in, in_len, &ioff, &iblen) != PHONESEC_OK)
        abort();
    if (done == 0 && plain && (out_len != ioff + iblen || memcmp(out, in, out_len) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *msg = (const char *)data, *out;
    size_t out_len, off, blen;
    unsigned done;
    phonesec_mediasec_config cfg;
    phonesec_mediasec *ms = NULL;
    phonesec_sdes_policy pol;
    phonesec_sdes *s1 = NULL, *s2 = NULL;
    phonesec_raw *a = NULL, *b = NULL;
    int rc;

    rc = phonesec_raw_body(msg, size, &off, &blen);
    if (rc == PHONESEC_OK && (off > size || blen > size - off))
        abort();
    phonesec_mediasec_config_init(&cfg);
    cfg.client_initiated = 1;
    phonesec_sdes_policy_init(&pol);
    if (phonesec_mediasec_new(&cfg, &ms) != PHONESEC_OK || phonesec_sdes_new(&pol, &s1) != PHONESEC_OK ||
        phonesec_sdes_new(&pol, &s2) != PHONESEC_OK || phonesec_raw_new(ms, s1, &a) != PHONESEC_OK ||
        phonesec_raw_new(NULL, s2, &b) != PHONESEC_OK)
        abort();
    (void)phonesec_mediasec_reset(ms, 1);

    rc = phonesec_raw_incoming(a, msg, size, &done);
    if (rc == PHONESEC_E_INVAL || rc == PHONESEC_E_INTERNAL)
        abort();
    rc = phonesec_raw_outgoing(a, msg, size, &out, &out_len, &done);
    if (rc == PHONESEC_OK)
        check_out(msg, size, out, out_len, done, 0);
    else if (rc == PHONESEC_E_INVAL || rc == PHONESEC_E_INTERNAL)
        abort();
    rc = phonesec_raw_outgoing(b, msg, size, &out, &out_len, &done);
    if (rc == PHONESEC_OK)
        check_out(msg, size, out, out_len, done, 1);
    else if (rc == PHONESEC_E_INVAL || rc == PHONESEC_E_INTERNAL)
        abort();

    phonesec_raw_free(a);
    phonesec_raw_free(b);
    phonesec_sdes_free(s1);
    phonesec_sdes_free(s2);
    phonesec_mediasec_free(ms);
    return 0;
}
