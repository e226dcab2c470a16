/*
 * libphonesec - cfgcrypt: RFC 8188 aes128gcm records (also the body of psec).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "cfgcrypt/cfgcrypt_int.h"

/* RFC 8188 §2.2/2.3: CEK and nonce base from IKM and salt; sets up GCM. */
int phonesec__cfgcrypt_rfc_keys(phonesec_cfgcrypt_ctx *c, const uint8_t *ikm, size_t ikm_len, const uint8_t salt[16])
{
    static const byte info_cek[] = "Content-Encoding: aes128gcm"; /* the NUL is part of the info */
    static const byte info_nonce[] = "Content-Encoding: nonce";
    if (wc_HKDF(WC_SHA256, ikm, (word32)ikm_len, salt, 16, info_cek, sizeof info_cek, c->cek, 16) != 0 ||
        wc_HKDF(WC_SHA256, ikm, (word32)ikm_len, salt, 16, info_nonce, sizeof info_nonce, c->nonce, 12) != 0)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "HKDF failed");
    if (wc_AesGcmSetKey(&c->aes, c->cek, 16) != 0)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "AES-GCM key setup failed");
    c->rec = phonesec__malloc(c->rs);
    if (c->rec == NULL)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_NOMEM, "no memory for the record buffer");
    return PHONESEC_OK;
}

static void rec_nonce(const phonesec_cfgcrypt_ctx *c, uint8_t n[12])
{
    int i;
    memcpy(n, c->nonce, 12);
    for (i = 0; i < 8; i++)
        n[11 - i] ^= (uint8_t)(c->seq >> (8 * i));
}

/* ---- record formats (RFC 8188, psec) --------------------------------- */

static int rec_seal(phonesec_cfgcrypt_ctx *c, size_t data_len, uint8_t delim, size_t padn)
{
    uint8_t n[12], *dst;
    size_t len = data_len + 1 + padn;
    int rc;
    c->rec[data_len] = delim;
    memset(c->rec + data_len + 1, 0, padn);
    if ((dst = phonesec__cfgcrypt_room(c, len + TAG_LEN)) == NULL)
        return c->err.code;
    rec_nonce(c, n);
    rc = wc_AesGcmEncrypt(&c->aes, dst, c->rec, (word32)len, n, 12, dst + len, TAG_LEN, NULL, 0);
    if (rc != 0)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "AES-GCM failed");
    c->o_len += len + TAG_LEN;
    c->seq++;
    c->rec_len = 0;
    return PHONESEC_OK;
}

int phonesec__cfgcrypt_rec_encrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    size_t cap = c->rs - 17, take;
    int rc;
    while (n > 0) {
        if (c->rec_len == cap) {
            if ((rc = rec_seal(c, cap, 1, 0)) != 0)
                return rc;
        }
        take = cap - c->rec_len < n ? cap - c->rec_len : n;
        memcpy(c->rec + c->rec_len, in, take);
        c->rec_len += take, in += take, n -= take;
    }
    return PHONESEC_OK;
}

int phonesec__cfgcrypt_rec_encrypt_final(phonesec_cfgcrypt_ctx *c)
{
    size_t cap = c->rs - 17;
    size_t pad = c->pad;
    int rc;
    for (;;) {
        size_t p = cap - c->rec_len < pad ? cap - c->rec_len : pad;
        pad -= p;
        if (pad == 0)
            return rec_seal(c, c->rec_len, 2, p);
        if ((rc = rec_seal(c, c->rec_len, 1, p)) != 0)
            return rc;
    }
}

/* Open one record of len bytes (tag included) from src; is_end: input ends here. */
int phonesec__cfgcrypt_rec_open(phonesec_cfgcrypt_ctx *c, const uint8_t *src, size_t len, int is_end)
{
    uint8_t n[12], *dst;
    size_t plen, i;
    int rc;
    if (c->last_seen)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "data after the last record");
    if (len < TAG_LEN + 1)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_TRUNCATED, "last record too short to hold a tag and a delimiter");
    plen = len - TAG_LEN;
    if ((dst = phonesec__cfgcrypt_room(c, plen)) == NULL)
        return c->err.code;
    rec_nonce(c, n);
    rc = wc_AesGcmDecrypt(&c->aes, dst, src, (word32)plen, n, 12, src + plen, TAG_LEN, NULL, 0);
    if (rc != 0) {
        phonesec_memzero(dst, plen);
        if (rc == AES_GCM_AUTH_E)
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_AUTH, c->seq == 0 ? "first record does not authenticate: wrong key or password, or altered data"
                                                         : "record does not authenticate: altered or truncated data");
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "AES-GCM failed");
    }
    for (i = plen; i > 0 && dst[i - 1] == 0; i--)
        ;
    if (i == 0 || (dst[i - 1] != 1 && dst[i - 1] != 2)) {
        phonesec_memzero(dst, plen);
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "record without a valid padding delimiter");
    }
    if (dst[i - 1] == 2)
        c->last_seen = 1;
    else if (is_end) {
        phonesec_memzero(dst, plen);
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_TRUNCATED, "input ends before the last record (truncated file)");
    } else if (len != c->rs) {
        phonesec_memzero(dst, plen);
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "short record that is not the last");
    }
    dst[i - 1] = 0;
    c->o_len += i - 1;
    c->seq++;
    return PHONESEC_OK;
}

int phonesec__cfgcrypt_rec_header_done(phonesec_cfgcrypt_ctx *c)
{
    uint8_t ikm[32];
    const uint8_t *k = c->secret;
    size_t klen = c->secret_len;
    int rc;
    c->rs = rd32(c->hdr + 16);
    if ((rc = phonesec__cfgcrypt_record_size_limit(c, c->rs, "in the header ")) != 0)
        return rc;
    if (c->format == PHONESEC_CFGCRYPT_PSEC) {
        if ((rc = phonesec__cfgcrypt_psec_ikm(c, c->hdr + RFC_HDR, c->hdr[20], ikm, &klen)) != 0)
            return rc;
        k = ikm;
    }
    rc = phonesec__cfgcrypt_rfc_keys(c, k, klen, c->hdr);
    phonesec_memzero(ikm, sizeof ikm);
    return rc;
}

int phonesec__cfgcrypt_rec_decrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    size_t take;
    int rc;
    while (n > 0) {
        if (c->rec_len == 0 && n > c->rs) {
            /* a whole record straight from the input */
            if ((rc = phonesec__cfgcrypt_rec_open(c, in, c->rs, 0)) != 0)
                return rc;
            in += c->rs, n -= c->rs;
            continue;
        }
        if (c->rec_len == c->rs) {
            if ((rc = phonesec__cfgcrypt_rec_open(c, c->rec, c->rs, 0)) != 0)
                return rc;
            c->rec_len = 0;
        }
        take = c->rs - c->rec_len < n ? c->rs - c->rec_len : n;
        memcpy(c->rec + c->rec_len, in, take);
        c->rec_len += take, in += take, n -= take;
    }
    return PHONESEC_OK;
}

