/*
 * libphonesec - cfgcrypt: the openssl enc format (Salted__ header, EVP_BytesToKey
 * or PBKDF2, AES-256-CBC, base64 armour) and the block engine it shares with
 * the Yealink format (CBC or ECB, PKCS#7 or space padding).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/md5.h>
#include <wolfssl/wolfcrypt/pwdbased.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "cfgcrypt/cfgcrypt_int.h"

/* ---- base64 armour (output) ------------------------------------------ */

/* Armour output through the core streaming encoder, written straight into
 * the call's output (the bound leaves room for it). */
static int armour_put(phonesec_cfgcrypt_ctx *c, const uint8_t *d, size_t n, int final)
{
    phonesec__sb b;
    b.out = (char *)c->o;
    b.cap = c->o_cap;
    b.len = c->o_len;
    if (final)
        phonesec__b64_enc_final(&c->b64e, &b);
    else
        phonesec__b64_enc_update(&c->b64e, d, n, &b);
    if (b.len > c->o_cap)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_INTERNAL, "output bound exceeded");
    c->o_len = b.len;
    return PHONESEC_OK;
}

/* Ciphertext out: raw, or base64 with 64-character lines (openssl enc -a). */
int phonesec__cfgcrypt_emit(phonesec_cfgcrypt_ctx *c, const uint8_t *d, size_t n)
{
    if (!c->b64)
        return phonesec__cfgcrypt_put_raw(c, d, n);
    return armour_put(c, d, n, 0);
}

int phonesec__cfgcrypt_emit_b64_final(phonesec_cfgcrypt_ctx *c)
{
    return armour_put(c, NULL, 0, 1);
}

/* ---- key derivation -------------------------------------------------- */

static int evp_bytes_to_key(phonesec_cfgcrypt_ctx *c, int sha256, const uint8_t salt[8], uint8_t out[48])
{
    uint8_t d[WC_SHA256_DIGEST_SIZE];
    size_t have = 0, dlen = 0;
    int rc = 0;

    /* D_i = H(D_{i-1} || password || salt), concatenated until 48 bytes. */
    const enum wc_HashType type = sha256 ? WC_HASH_TYPE_SHA256 : WC_HASH_TYPE_MD5;
    const size_t hlen = sha256 ? WC_SHA256_DIGEST_SIZE : WC_MD5_DIGEST_SIZE;

    while (have < 48 && rc == 0) {
        wc_HashAlg h;
        rc = wc_HashInit(&h, type);
        if (rc == 0 && dlen > 0)
            rc = wc_HashUpdate(&h, type, d, (word32)dlen);
        if (rc == 0)
            rc = wc_HashUpdate(&h, type, c->secret, (word32)c->secret_len);
        if (rc == 0)
            rc = wc_HashUpdate(&h, type, salt, 8);
        if (rc == 0)
            rc = wc_HashFinal(&h, type, d);
        wc_HashFree(&h, type);
        phonesec_memzero(&h, sizeof h);
        dlen = hlen;
        if (rc == 0) {
            size_t take = 48 - have < dlen ? 48 - have : dlen;
            memcpy(out + have, d, take);
            have += take;
        }
    }
    phonesec_memzero(d, sizeof d);
    return rc == 0 ? PHONESEC_OK : phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "hash failed in EVP_BytesToKey");
}

/* openssl: key and IV from the password and the 8-byte salt; sets up CBC. */
int phonesec__cfgcrypt_openssl_keys(phonesec_cfgcrypt_ctx *c, const uint8_t salt[8])
{
    uint8_t kiv[48];
    int rc;
    if (c->kdf == PHONESEC_CFGCRYPT_KDF_PBKDF2) {
        rc = wc_PBKDF2(kiv, c->secret, (int)c->secret_len, salt, 8, (int)c->iterations, 48, WC_SHA256);
        rc = rc == 0 ? PHONESEC_OK : phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "PBKDF2 failed");
    } else {
        rc = evp_bytes_to_key(c, c->kdf != PHONESEC_CFGCRYPT_KDF_EVP_MD5, salt, kiv);
    }
    if (rc == 0 && wc_AesSetKey(&c->aes, kiv, 32, kiv + 32, c->enc ? AES_ENCRYPTION : AES_DECRYPTION) != 0)
        rc = phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "AES key setup failed");
    phonesec_memzero(kiv, sizeof kiv);
    return rc;
}

/* ---- block formats (openssl CBC, yealink ECB) ------------------------ */

static int blk_crypt(phonesec_cfgcrypt_ctx *c, uint8_t *out, const uint8_t *in, size_t n)
{
    int rc;
    if (c->format == PHONESEC_CFGCRYPT_OPENSSL)
        rc = c->enc ? wc_AesCbcEncrypt(&c->aes, out, in, (word32)n) : wc_AesCbcDecrypt(&c->aes, out, in, (word32)n);
    else
        rc = c->enc ? wc_AesEcbEncrypt(&c->aes, out, in, (word32)n) : wc_AesEcbDecrypt(&c->aes, out, in, (word32)n);
    return rc == 0 ? PHONESEC_OK : phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "AES failed");
}

#define BULK_MAX (1u << 30)

int phonesec__cfgcrypt_blk_encrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    uint8_t tmp[1024];
    int rc;
    while (n > 0) {
        if (c->blk_len > 0 || n < 16) {
            size_t take = 16 - c->blk_len < n ? 16 - c->blk_len : n;
            memcpy(c->blk + c->blk_len, in, take);
            c->blk_len += take, in += take, n -= take;
            if (c->blk_len == 16) {
                if ((rc = blk_crypt(c, tmp, c->blk, 16)) != 0 || (rc = phonesec__cfgcrypt_emit(c, tmp, 16)) != 0)
                    return rc;
                c->blk_len = 0;
            }
            continue;
        }
        {
            size_t bulk = n & ~(size_t)15;
            if (!c->b64) {
                uint8_t *dst;
                if (bulk > BULK_MAX)
                    bulk = BULK_MAX;
                if ((dst = phonesec__cfgcrypt_room(c, bulk)) == NULL)
                    return c->err.code;
                if ((rc = blk_crypt(c, dst, in, bulk)) != 0)
                    return rc;
                c->o_len += bulk;
            } else {
                if (bulk > sizeof tmp)
                    bulk = sizeof tmp;
                if ((rc = blk_crypt(c, tmp, in, bulk)) != 0 || (rc = phonesec__cfgcrypt_emit(c, tmp, bulk)) != 0)
                    return rc;
            }
            in += bulk, n -= bulk;
        }
    }
    return PHONESEC_OK;
}

int phonesec__cfgcrypt_blk_decrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    uint8_t *dst;
    int rc;
    /* Hold the last block back: it carries the padding. */
    while (n > 0) {
        if (c->blk_len == 16) {
            if ((dst = phonesec__cfgcrypt_room(c, 16)) == NULL)
                return c->err.code;
            if ((rc = blk_crypt(c, dst, c->blk, 16)) != 0)
                return rc;
            c->o_len += 16;
            c->blk_len = 0;
        }
        if (c->blk_len > 0 || n <= 16) {
            size_t take = 16 - c->blk_len < n ? 16 - c->blk_len : n;
            memcpy(c->blk + c->blk_len, in, take);
            c->blk_len += take, in += take, n -= take;
            continue;
        }
        {
            size_t bulk = (n - 1) & ~(size_t)15;
            if (bulk > BULK_MAX)
                bulk = BULK_MAX;
            if ((dst = phonesec__cfgcrypt_room(c, bulk)) == NULL)
                return c->err.code;
            if ((rc = blk_crypt(c, dst, in, bulk)) != 0)
                return rc;
            c->o_len += bulk;
            in += bulk, n -= bulk;
        }
    }
    return PHONESEC_OK;
}

int phonesec__cfgcrypt_blk_final(phonesec_cfgcrypt_ctx *c)
{
    uint8_t last[16];
    int rc;
    if (c->enc) {
        if (c->format == PHONESEC_CFGCRYPT_OPENSSL) {
            uint8_t padv = (uint8_t)(16 - c->blk_len);
            memset(c->blk + c->blk_len, padv, padv);
        } else {
            if (c->blk_len == 0)
                return PHONESEC_OK;
            memset(c->blk + c->blk_len, ' ', 16 - c->blk_len); /* as the vendor tool pads */
        }
        if ((rc = blk_crypt(c, last, c->blk, 16)) != 0 || (rc = phonesec__cfgcrypt_emit(c, last, 16)) != 0)
            return rc;
        c->blk_len = 0;
        return c->b64 ? phonesec__cfgcrypt_emit_b64_final(c) : PHONESEC_OK;
    }
    if (c->blk_len == 0 && c->format == PHONESEC_CFGCRYPT_YEALINK)
        return PHONESEC_OK;
    if (c->blk_len == 0)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_TRUNCATED, "no ciphertext after the Salted__ header");
    if (c->blk_len != 16)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_TRUNCATED, "ciphertext length is not a multiple of 16 (truncated file?)");
    if ((rc = blk_crypt(c, last, c->blk, 16)) != 0)
        return rc;
    {
        unsigned p = last[15], i, bad = 0;
        size_t keep = 16;
        if (p >= 1 && p <= 16) {
            for (i = 16 - p; i < 16; i++)
                bad |= last[i] ^ p;
        } else {
            bad = 1;
        }
        if (bad == 0)
            keep = 16 - p;
        else if (c->format == PHONESEC_CFGCRYPT_OPENSSL) {
            phonesec_memzero(last, sizeof last);
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_AUTH, "bad padding: wrong password or key derivation (-md/-pbkdf2/-iter), or a damaged file");
        }
        /* yealink: only valid PKCS#7 is removed; NUL or space padding stays. */
        rc = phonesec__cfgcrypt_put_raw(c, last, keep);
    }
    phonesec_memzero(last, sizeof last);
    return rc;
}

/* base64 armour in (core streaming decoder): white space between
 * characters is ignored, '=' ends. */
int phonesec__cfgcrypt_dec_feed_b64(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    uint8_t buf[768];
    const char *why = NULL;
    size_t bl;
    int rc;
    while (n > 0) {
        size_t take = n < 1024 ? n : 1024; /* 1024 characters: at most 768 bytes */
        rc = phonesec__b64_dec_update(&c->b64d, (const char *)in, take, buf, &bl, &why);
        if (rc != 0)
            return phonesec__cfgcrypt_failf(c, rc, "%s armour", why);
        if ((rc = phonesec__cfgcrypt_dec_feed(c, buf, bl)) != 0)
            return rc;
        in += take, n -= take;
    }
    return PHONESEC_OK;
}

int phonesec__cfgcrypt_dec_b64_final(phonesec_cfgcrypt_ctx *c)
{
    uint8_t buf[2];
    const char *why = NULL;
    size_t bl;
    int rc = phonesec__b64_dec_final(&c->b64d, buf, &bl, &why);
    if (rc != 0)
        return phonesec__cfgcrypt_failf(c, rc, "%s armour", why);
    return phonesec__cfgcrypt_dec_feed(c, buf, bl);
}
