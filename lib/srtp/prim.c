/*
 * libphonesec - SRTP building blocks on wolfCrypt.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "srtp/prim.h"

int phonesec__hmac1_init(phonesec__hmac1 *h, const uint8_t *key, size_t key_len)
{
    uint8_t pad[WC_SHA_BLOCK_SIZE];
    size_t i;
    int rc = 0;

    if (key_len > sizeof pad)
        return -1; /* SRTP auth keys are 20 bytes; longer keys are not needed */
    if (wc_InitSha(&h->inner) != 0 || wc_InitSha(&h->outer) != 0)
        return -1;
    for (i = 0; i < sizeof pad; i++)
        pad[i] = (uint8_t)((i < key_len ? key[i] : 0) ^ 0x36);
    rc |= wc_ShaUpdate(&h->inner, pad, sizeof pad);
    for (i = 0; i < sizeof pad; i++)
        pad[i] = (uint8_t)((i < key_len ? key[i] : 0) ^ 0x5c);
    rc |= wc_ShaUpdate(&h->outer, pad, sizeof pad);
    phonesec_memzero(pad, sizeof pad);
    return rc == 0 ? 0 : -1;
}

int phonesec__hmac1_start(const phonesec__hmac1 *h, wc_Sha *work)
{
    *work = h->inner; /* plain state (no handles): a copy is a fork */
    return 0;
}

int phonesec__hmac1_finish(const phonesec__hmac1 *h, wc_Sha *work, uint8_t out[20])
{
    uint8_t d[WC_SHA_DIGEST_SIZE];
    wc_Sha o;
    int rc = wc_ShaFinal(work, d);
    o = h->outer;
    rc |= wc_ShaUpdate(&o, d, sizeof d);
    rc |= wc_ShaFinal(&o, out);
    phonesec_memzero(d, sizeof d);
    phonesec_memzero(&o, sizeof o);
    phonesec_memzero(work, sizeof *work);
    return rc == 0 ? 0 : -1;
}

int phonesec__hmac1_2(const phonesec__hmac1 *h, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
                      uint8_t out[20])
{
    wc_Sha w;
    int rc;
    phonesec__hmac1_start(h, &w);
    rc = wc_ShaUpdate(&w, a, (word32)alen);
    if (blen > 0)
        rc |= wc_ShaUpdate(&w, b, (word32)blen);
    rc |= phonesec__hmac1_finish(h, &w, out);
    return rc == 0 ? 0 : -1;
}

void phonesec__hmac1_wipe(phonesec__hmac1 *h)
{
    phonesec_memzero(h, sizeof *h);
}

int phonesec__aesctr_init(Aes *a, const uint8_t *key, size_t key_len)
{
    if (wc_AesInit(a, NULL, INVALID_DEVID) != 0)
        return -1;
    return wc_AesSetKey(a, key, (word32)key_len, NULL, AES_ENCRYPTION) == 0 ? 0 : -1;
}

int phonesec__aesctr(Aes *a, const uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t n)
{
    if (wc_AesSetIV(a, iv) != 0)
        return -1;
    a->left = 0; /* no keystream left over from the previous packet */
    return wc_AesCtrEncrypt(a, out, in, (word32)n) == 0 ? 0 : -1;
}

void phonesec__aes_wipe(Aes *a)
{
    wc_AesFree(a);
    phonesec_memzero(a, sizeof *a);
}

int phonesec__aesf8_init(Aes *e, Aes *ivk, const uint8_t *key, size_t key_len, const uint8_t *salt, size_t salt_len)
{
    uint8_t km[32];
    size_t i;
    int rc;
    if (key_len > sizeof km || salt_len > key_len)
        return -1;
    for (i = 0; i < key_len; i++)
        km[i] = (uint8_t)(key[i] ^ (i < salt_len ? salt[i] : 0x55));
    rc = phonesec__aesctr_init(e, key, key_len);
    if (rc == 0)
        rc = phonesec__aesctr_init(ivk, km, key_len);
    phonesec_memzero(km, sizeof km);
    return rc;
}

int phonesec__aesf8(Aes *e, Aes *ivk, const uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t n)
{
    uint8_t ivp[16], s[16], x[16];
    uint32_t j = 0;
    size_t off = 0, i;
    int rc = wc_AesEcbEncrypt(ivk, ivp, iv, 16);
    memset(s, 0, sizeof s);
    while (rc == 0 && off < n) {
        size_t m = n - off < 16 ? n - off : 16;
        for (i = 0; i < 16; i++)
            x[i] = (uint8_t)(ivp[i] ^ s[i]);
        x[12] ^= (uint8_t)(j >> 24);
        x[13] ^= (uint8_t)(j >> 16);
        x[14] ^= (uint8_t)(j >> 8);
        x[15] ^= (uint8_t)j;
        rc = wc_AesEcbEncrypt(e, s, x, 16);
        for (i = 0; rc == 0 && i < m; i++)
            out[off + i] = (uint8_t)(in[off + i] ^ s[i]);
        off += m;
        j++;
    }
    phonesec_memzero(ivp, sizeof ivp);
    phonesec_memzero(s, sizeof s);
    phonesec_memzero(x, sizeof x);
    return rc == 0 ? 0 : -1;
}
