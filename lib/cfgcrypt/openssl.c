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

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int b64_put_group(phonesec_cfgcrypt_ctx *c, uint32_t v, unsigned nbytes)
{
    uint8_t q[5];
    size_t n = 4;
    q[0] = (uint8_t)b64_alpha[(v >> 18) & 63];
    q[1] = (uint8_t)b64_alpha[(v >> 12) & 63];
    q[2] = nbytes > 1 ? (uint8_t)b64_alpha[(v >> 6) & 63] : '=';
    q[3] = nbytes > 2 ? (uint8_t)b64_alpha[v & 63] : '=';
    c->b64_col += 4;
    if (c->b64_col == 64) {
        q[4] = '\n';
        n = 5;
        c->b64_col = 0;
    }
    return phonesec__cfgcrypt_put_raw(c, q, n);
}

/* Ciphertext out: raw, or base64 with 64-character lines (openssl enc -a). */
int phonesec__cfgcrypt_emit(phonesec_cfgcrypt_ctx *c, const uint8_t *d, size_t n)
{
    size_t i;
    int rc;
    if (!c->b64)
        return phonesec__cfgcrypt_put_raw(c, d, n);
    for (i = 0; i < n; i++) {
        c->b64_acc = (c->b64_acc << 8) | d[i];
        if (++c->b64_n == 3) {
            if ((rc = b64_put_group(c, c->b64_acc, 3)) != 0)
                return rc;
            c->b64_acc = 0;
            c->b64_n = 0;
        }
    }
    return PHONESEC_OK;
}

int phonesec__cfgcrypt_emit_b64_final(phonesec_cfgcrypt_ctx *c)
{
    int rc;
    if (c->b64_n > 0) {
        uint32_t v = c->b64_acc << (8 * (3 - c->b64_n));
        if ((rc = b64_put_group(c, v, c->b64_n)) != 0)
            return rc;
        c->b64_n = 0;
    }
    if (c->b64_col > 0) {
        c->b64_col = 0;
        return phonesec__cfgcrypt_put_raw(c, (const uint8_t *)"\n", 1);
    }
    return PHONESEC_OK;
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

static int b64_val(uint8_t ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

/* base64 armour in: white space between characters is ignored, '=' ends. */
int phonesec__cfgcrypt_dec_feed_b64(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    uint8_t buf[768];
    size_t bl = 0, i;
    int rc;
    for (i = 0; i < n; i++) {
        uint8_t ch = in[i];
        int v;
        if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t')
            continue;
        if (ch == '=') {
            if (c->b64_n < 2 || c->b64_n + c->b64_pad >= 4)
                return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "misplaced '=' in the base64 armour");
            c->b64_pad++;
            continue;
        }
        if (c->b64_pad > 0)
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "base64 data after '=' padding");
        if ((v = b64_val(ch)) < 0)
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "character outside the base64 alphabet in the armour");
        c->b64_acc = (c->b64_acc << 6) | (uint32_t)v;
        if (++c->b64_n == 4) {
            buf[bl++] = (uint8_t)(c->b64_acc >> 16);
            buf[bl++] = (uint8_t)(c->b64_acc >> 8);
            buf[bl++] = (uint8_t)c->b64_acc;
            c->b64_n = 0;
            c->b64_acc = 0;
            if (bl == sizeof buf) {
                if ((rc = phonesec__cfgcrypt_dec_feed(c, buf, bl)) != 0)
                    return rc;
                bl = 0;
            }
        }
    }
    return phonesec__cfgcrypt_dec_feed(c, buf, bl);
}

int phonesec__cfgcrypt_dec_b64_final(phonesec_cfgcrypt_ctx *c)
{
    uint8_t buf[2];
    size_t bl = 0;
    if (c->b64_pad > 0 && c->b64_n + c->b64_pad != 4)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "wrong '=' padding in the base64 armour");
    if (c->b64_n == 1)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_TRUNCATED, "base64 armour ends in the middle of a byte");
    if (c->b64_n == 2) {
        if (c->b64_acc & 0xf)
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "non-zero trailing bits in the base64 armour");
        buf[bl++] = (uint8_t)(c->b64_acc >> 4);
    } else if (c->b64_n == 3) {
        if (c->b64_acc & 0x3)
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "non-zero trailing bits in the base64 armour");
        buf[bl++] = (uint8_t)(c->b64_acc >> 10);
        buf[bl++] = (uint8_t)(c->b64_acc >> 2);
    }
    c->b64_n = 0;
    return phonesec__cfgcrypt_dec_feed(c, buf, bl);
}

