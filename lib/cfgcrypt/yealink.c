/*
 * libphonesec - cfgcrypt: the Yealink format (AES-ECB with the device key) and the
 * <name>_Security.enc key wrapping.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>

#include "cfgcrypt/cfgcrypt_int.h"

/* The body: AES-ECB with the 16- or 32-character key as it is. */
int phonesec__cfgcrypt_yealink_keys(phonesec_cfgcrypt_ctx *c)
{
    if (wc_AesSetKey(&c->aes, c->secret, (word32)c->secret_len, NULL, c->enc ? AES_ENCRYPTION : AES_DECRYPTION) != 0)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "AES key setup failed");
    return PHONESEC_OK;
}

/* ---- Yealink <name>_Security.enc -------------------------------------- */

static int ecb16(const uint8_t *key, const uint8_t in[16], uint8_t out[16], int enc)
{
    Aes aes;
    int rc;
    if (wc_AesInit(&aes, NULL, INVALID_DEVID) != 0)
        return PHONESEC_E_CRYPTO;
    rc = wc_AesSetKey(&aes, key, 16, NULL, enc ? AES_ENCRYPTION : AES_DECRYPTION);
    if (rc == 0)
        rc = enc ? wc_AesEcbEncrypt(&aes, out, in, 16) : wc_AesEcbDecrypt(&aes, out, in, 16);
    wc_AesFree(&aes);
    phonesec_memzero(&aes, sizeof aes);
    return rc == 0 ? PHONESEC_OK : PHONESEC_E_CRYPTO;
}

int phonesec_cfgcrypt_yealink_key_unwrap(const uint8_t *enc, size_t enc_len, const uint8_t *common, size_t common_len,
                                    uint8_t *key, size_t key_cap, size_t *key_len)
{
    uint8_t k[16];
    int rc, i;
    if (enc == NULL || common == NULL || common_len != 16 || key_len == NULL || (key == NULL && key_cap > 0))
        return PHONESEC_E_INVAL;
    if (enc_len != 16)
        return PHONESEC_E_PARSE;
    if (key_cap < 16) {
        *key_len = 16;
        return PHONESEC_E_BUFFER_SMALL;
    }
    if ((rc = ecb16(common, enc, k, 0)) != 0)
        return rc;
    for (i = 0; i < 16; i++)
        if (k[i] < 0x21 || k[i] > 0x7e) {
            phonesec_memzero(k, sizeof k);
            return PHONESEC_E_AUTH;
        }
    memcpy(key, k, 16);
    phonesec_memzero(k, sizeof k);
    *key_len = 16;
    return PHONESEC_OK;
}

int phonesec_cfgcrypt_yealink_key_wrap(const uint8_t *key, size_t key_len, const uint8_t *common, size_t common_len,
                                  uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t i;
    if (key == NULL || key_len != 16 || common == NULL || common_len != 16 || out_len == NULL ||
        (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    for (i = 0; i < 16; i++)
        if (key[i] < 0x21 || key[i] > 0x7e)
            return PHONESEC_E_INVAL;
    if (out_cap < 16) {
        *out_len = 16;
        return PHONESEC_E_BUFFER_SMALL;
    }
    if (ecb16(common, key, out, 1) != 0)
        return PHONESEC_E_CRYPTO;
    *out_len = 16;
    return PHONESEC_OK;
}
