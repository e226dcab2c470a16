/* Shared driver of the cfgcrypt fuzz targets: decrypt the input in chunks of
 * a size taken from its first byte, check the result is sane, then check
 * that encrypt-then-decrypt of the same bytes gives them back. */
#ifndef FUZZ_CFG_COMMON_H
#define FUZZ_CFG_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run one direction over in[0..n) in chunks; returns the rc, output in *out. */
static int fz_run(const phonesec_cfgcrypt_params *p, int enc, const uint8_t *in, size_t n, size_t chunk, uint8_t **out,
                  size_t *out_len)
{
    phonesec_cfgcrypt_ctx *c = NULL;
    uint8_t *o = NULL, *tmp;
    size_t ol = 0, pos = 0, got, cap;
    int rc = enc ? phonesec_cfgcrypt_encrypt_new(p, &c) : phonesec_cfgcrypt_decrypt_new(p, &c);
    if (rc != 0)
        return rc;
    for (;;) {
        size_t take = n - pos < chunk ? n - pos : chunk;
        int last = take == 0;
        cap = phonesec_cfgcrypt_bound(c, take);
        tmp = realloc(o, ol + cap + 1);
        if (tmp == NULL)
            abort();
        o = tmp;
        /* a too-small buffer must be refused without writing */
        if (cap > 0) {
            size_t need = 0;
            int r2 = last ? phonesec_cfgcrypt_final(c, o + ol, cap - 1, &need) : phonesec_cfgcrypt_update(c, in + pos, take, o + ol, cap - 1, &need);
            if (r2 != PHONESEC_E_BUFFER_SMALL || need != cap)
                abort();
        }
        rc = last ? phonesec_cfgcrypt_final(c, o + ol, cap, &got) : phonesec_cfgcrypt_update(c, in + pos, take, o + ol, cap, &got);
        if (rc != 0)
            break;
        if (got > cap)
            abort();
        ol += got;
        pos += take;
        if (last)
            break;
    }
    if (rc != 0) {
        char e[300];
        if (phonesec_cfgcrypt_last_error(c, e, sizeof e) != 0 || e[0] == '\0')
            abort();
        /* a failed context stays failed */
        if (phonesec_cfgcrypt_final(c, o, 0, &got) != PHONESEC_E_STATE && phonesec_cfgcrypt_bound(c, 0) != 0)
            abort();
    }
    phonesec_cfgcrypt_free(c);
    *out = o;
    *out_len = ol;
    return rc;
}

static int fz_known(int rc)
{
    return rc == 0 || rc == PHONESEC_E_PARSE || rc == PHONESEC_E_AUTH || rc == PHONESEC_E_TRUNCATED ||
           rc == PHONESEC_E_LIMIT || rc == PHONESEC_E_UNSUPPORTED || rc == PHONESEC_E_INVAL ||
           rc == PHONESEC_E_POLICY;
}

/* decrypt data[1..] (chunk size from data[0]); if roundtrip, also encrypt it and decrypt back */
static void fz_drive(const phonesec_cfgcrypt_params *p, const uint8_t *data, size_t size, int roundtrip, int exact)
{
    uint8_t *o = NULL, *e = NULL, *d = NULL;
    size_t ol, el, dl, chunk;
    int rc;
    if (size < 1 || size > 1 << 16)
        return;
    chunk = (size_t)data[0] * 7 + 1;
    data++, size--;
    rc = fz_run(p, 0, data, size, chunk, &o, &ol);
    if (!fz_known(rc))
        abort();
    if (rc == 0 && ol > size)
        abort();
    free(o);
    if (!roundtrip)
        return;
    rc = fz_run(p, 1, data, size, chunk, &e, &el);
    if (rc != 0)
        abort();
    rc = fz_run(p, 0, e, el, chunk + 5, &d, &dl);
    if (rc != 0)
        abort();
    if (exact) {
        if (dl != size || memcmp(d, data, size) != 0)
            abort();
    } else if (dl + 16 < size || dl > size + 15 || memcmp(d, data, dl < size ? dl : size) != 0) {
        abort();
    }
    free(e);
    free(d);
}

#endif
