/*
 * libphonesec - cfgcrypt: streaming contexts for the four file formats: parameters,
 * work limits, output, creation and the update/final dispatch (the formats
 * are in openssl.c, yealink.c, rfc8188.c and psec.c).
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#if !defined(HAVE_AESGCM) || !defined(HAVE_HKDF) || !defined(HAVE_AES_ECB) || defined(NO_AES_CBC)
#error "cfgcrypt needs wolfCrypt with AES-GCM, AES-CBC, AES-ECB and HKDF"
#endif

#include "cfgcrypt/cfgcrypt_int.h"

void phonesec_cfgcrypt_params_init(phonesec_cfgcrypt_params *p)
{
    static const phonesec_cfgcrypt_params init = PHONESEC_CFGCRYPT_PARAMS_INIT;
    if (p != NULL)
        *p = init;
}

static size_t sat_add(size_t a, size_t b)
{
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static size_t sat_mul(size_t a, size_t b)
{
    return (b != 0 && a > SIZE_MAX / b) ? SIZE_MAX : a * b;
}

int phonesec__cfgcrypt_fail(phonesec_cfgcrypt_ctx *c, int code, const char *what)
{
    c->state = ST_FAILED;
    return phonesec__fail(&c->err, code, "%s", what);
}

int phonesec__cfgcrypt_failf(phonesec_cfgcrypt_ctx *c, int code, const char *fmt, ...)
{
    char m[PHONESEC__ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return phonesec__cfgcrypt_fail(c, code, m);
}

/* ---- work limits ------------------------------------------------------
 * Every cost a header (or the caller) asks for is checked here before any
 * work is done. Texts name the params field, so a tool can say which of its
 * options raises it. */

int phonesec__cfgcrypt_pbkdf2_limit(phonesec_cfgcrypt_ctx *c, uint32_t it, const char *where)
{
    if (c->format == PHONESEC_CFGCRYPT_PSEC && it > PSEC_ITER_MAX)
        return phonesec__cfgcrypt_failf(c, PHONESEC_E_LIMIT, "PBKDF2 iteration count %s(%lu) is above the psec format's bound (%lu)", where,
                     (unsigned long)it, (unsigned long)PSEC_ITER_MAX);
    if (it > c->max_iter)
        return phonesec__cfgcrypt_failf(c, PHONESEC_E_LIMIT, "PBKDF2 iteration count %s(%lu) is above the limit max_kdf_iter = %lu", where,
                     (unsigned long)it, (unsigned long)c->max_iter);
    return PHONESEC_OK;
}

/* scrypt parameters: what RFC 7914 allows (N < 2^(16 r)), what wolfCrypt
 * runs (r <= 8), the format's ranges, then the caller's cost limit. */
int phonesec__cfgcrypt_scrypt_check(phonesec_cfgcrypt_ctx *c, unsigned ln, unsigned r, unsigned p, const char *where)
{
    uint64_t mem, cost;
    if (ln < 10 || ln > 22 || r == 0 || p == 0 || p > 16)
        return phonesec__cfgcrypt_failf(c, PHONESEC_E_PARSE, "scrypt parameters %s(log2 N %u, r %u, p %u) out of range (log2 N 10..22, r 1..8, p 1..16)",
                     where, ln, r, p);
    if (r > SCRYPT_R_MAX)
        return phonesec__cfgcrypt_failf(c, PHONESEC_E_UNSUPPORTED, "scrypt r %s(%u) is above 8, the largest wolfCrypt runs", where, r);
    if (ln >= 16 * r)
        return phonesec__cfgcrypt_failf(c, PHONESEC_E_PARSE, "scrypt parameters %s(log2 N %u, r %u): RFC 7914 needs N < 2^(16 r)", where,
                     ln, r);
    mem = (uint64_t)128 * r << ln;
    cost = mem * p;
    if (mem > PSEC_SCRYPT_MEM_MAX)
        return phonesec__cfgcrypt_failf(c, PHONESEC_E_LIMIT, "scrypt parameters %s(log2 N %u, r %u) need %lu MiB, above the format's bound (256 MiB)",
                     where, ln, r, (unsigned long)(mem >> 20));
    if (cost > c->max_mem)
        return phonesec__cfgcrypt_failf(c, PHONESEC_E_LIMIT, "scrypt cost %s(128 * N * r * p = %lu KiB) is above the limit max_kdf_mem = %lu KiB",
                     where, (unsigned long)(cost >> 10), (unsigned long)(c->max_mem >> 10));
    return PHONESEC_OK;
}

int phonesec__cfgcrypt_record_size_limit(phonesec_cfgcrypt_ctx *c, uint32_t rs, const char *where)
{
    if (rs < 18)
        return phonesec__cfgcrypt_failf(c, PHONESEC_E_PARSE, "record size %s(%lu) is below 18", where, (unsigned long)rs);
    if (rs > c->max_rs)
        return phonesec__cfgcrypt_failf(c, PHONESEC_E_LIMIT, "record size %s(%lu) is above the limit max_record_size = %lu", where,
                     (unsigned long)rs, (unsigned long)c->max_rs);
    return PHONESEC_OK;
}

int phonesec__cfgcrypt_put_raw(phonesec_cfgcrypt_ctx *c, const uint8_t *d, size_t n)
{
    if (c->o_cap - c->o_len < n)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_INTERNAL, "output bound exceeded");
    if (n > 0)
        memcpy(c->o + c->o_len, d, n);
    c->o_len += n;
    return PHONESEC_OK;
}

/* Room for n more bytes of raw output written in place (decryption). */
uint8_t *phonesec__cfgcrypt_room(phonesec_cfgcrypt_ctx *c, size_t n)
{
    if (c->o_cap - c->o_len < n) {
        phonesec__cfgcrypt_fail(c, PHONESEC_E_INTERNAL, "output bound exceeded");
        return NULL;
    }
    return c->o + c->o_len;
}

/* ---- creation -------------------------------------------------------- */

/* Why creation failed, for callers that want the text (the file helper). */
static int why_fail(phonesec__err *why, int code, const char *what)
{
    if (why != NULL)
        phonesec__fail(why, code, "%s", what);
    return code;
}

/* Move a context's error text to *why and free it. */
static int ctx_abort(phonesec_cfgcrypt_ctx *c, int rc, phonesec__err *why)
{
    if (why != NULL) {
        if (c->err.code != 0)
            *why = c->err;
        else
            phonesec__fail(why, rc, "%s", "cannot set up the context");
    }
    phonesec_cfgcrypt_free(c);
    return rc;
}

static int ctx_new(phonesec_cfgcrypt_ctx **out, const phonesec_cfgcrypt_params *p, int enc, phonesec__err *why)
{
    phonesec_cfgcrypt_ctx *c;
    const uint8_t *sec = NULL;
    size_t sec_len = 0;
    int pw = 0, kdf, rc;
    uint32_t max_iter = 0, max_mem = 0, max_rs = 0;

    if (out == NULL || p == NULL)
        return why_fail(why, PHONESEC_E_INVAL, "invalid argument");
    *out = NULL;
    /* Every version from 1 on; fields an older struct lacks count as zero. */
    if (p->version < 1 || p->version > PHONESEC_CFGCRYPT_PARAMS_VERSION)
        return why_fail(why, PHONESEC_E_INVAL, "unknown version of phonesec_cfgcrypt_params");
    if (p->version >= 2) {
        max_iter = p->max_kdf_iter;
        max_mem = p->max_kdf_mem;
        max_rs = p->max_record_size;
    }
    kdf = p->kdf;
    switch (p->format) {
    case PHONESEC_CFGCRYPT_OPENSSL:
        if (kdf == PHONESEC_CFGCRYPT_KDF_DEFAULT)
            kdf = PHONESEC_CFGCRYPT_KDF_EVP_SHA256;
        if (kdf != PHONESEC_CFGCRYPT_KDF_EVP_MD5 && kdf != PHONESEC_CFGCRYPT_KDF_EVP_SHA256 && kdf != PHONESEC_CFGCRYPT_KDF_PBKDF2)
            return why_fail(why, PHONESEC_E_UNSUPPORTED, "this key derivation does not apply to the openssl format");
        sec = p->password, sec_len = p->password_len, pw = 1;
        if (enc && p->salt != NULL && p->salt_len != 8)
            return why_fail(why, PHONESEC_E_INVAL, "the openssl salt is 8 bytes");
        break;
    case PHONESEC_CFGCRYPT_YEALINK:
        if (p->key_len != 16 && p->key_len != 32)
            return why_fail(why, PHONESEC_E_INVAL, "the Yealink key is 16 or 32 characters");
        sec = p->key, sec_len = p->key_len;
        break;
    case PHONESEC_CFGCRYPT_RFC8188:
        sec = p->key, sec_len = p->key_len;
        if (p->key_id_len > 255 || (p->key_id_len > 0 && p->key_id == NULL))
            return why_fail(why, PHONESEC_E_INVAL, "the key id is 0..255 bytes");
        break;
    case PHONESEC_CFGCRYPT_PSEC:
        if (enc) {
            if (kdf == PHONESEC_CFGCRYPT_KDF_DEFAULT)
                kdf = PHONESEC_CFGCRYPT_KDF_PBKDF2;
            if (kdf != PHONESEC_CFGCRYPT_KDF_PBKDF2 && kdf != PHONESEC_CFGCRYPT_KDF_SCRYPT && kdf != PHONESEC_CFGCRYPT_KDF_RAW)
                return why_fail(why, PHONESEC_E_UNSUPPORTED, "this key derivation does not apply to the psec format");
#ifndef HAVE_SCRYPT
            if (kdf == PHONESEC_CFGCRYPT_KDF_SCRYPT)
                return why_fail(why, PHONESEC_E_UNSUPPORTED, "this build of wolfCrypt has no scrypt");
#endif
            pw = kdf != PHONESEC_CFGCRYPT_KDF_RAW;
        } else {
            pw = p->password != NULL;
        }
        if (pw)
            sec = p->password, sec_len = p->password_len;
        else
            sec = p->key, sec_len = p->key_len;
        break;
    default:
        return why_fail(why, PHONESEC_E_INVAL, "unknown format");
    }
    if (sec == NULL || sec_len == 0 || sec_len > SECRET_MAX)
        return why_fail(why, PHONESEC_E_INVAL, pw ? "missing, empty or over-long password" : "missing, empty or over-long key");
    if (p->base64 && p->format != PHONESEC_CFGCRYPT_OPENSSL)
        return why_fail(why, PHONESEC_E_INVAL, "base64 armour applies to the openssl format only");
    if (enc && is_record_format(p->format)) {
        uint32_t rs = p->record_size ? p->record_size : PHONESEC_CFGCRYPT_RECORD_SIZE;
        if (rs < 18 || rs > PHONESEC_CFGCRYPT_RECORD_MAX || p->pad > PAD_MAX)
            return why_fail(why, PHONESEC_E_INVAL, "record size outside 18..262144 or padding above 65536");
        if (p->salt != NULL && p->salt_len != 16)
            return why_fail(why, PHONESEC_E_INVAL, "the salt is 16 bytes");
    }
    if (p->format == PHONESEC_CFGCRYPT_PSEC && enc && kdf == PHONESEC_CFGCRYPT_KDF_PBKDF2 && p->iterations != 0 &&
        (p->iterations < PSEC_ITER_MIN || p->iterations > PSEC_ITER_MAX))
        return why_fail(why, PHONESEC_E_INVAL, "psec PBKDF2 iterations outside 1000..100000000");
    if (p->format == PHONESEC_CFGCRYPT_OPENSSL && p->iterations > INT_MAX)
        return why_fail(why, PHONESEC_E_INVAL, "openssl PBKDF2 iterations above 2147483647");

    /* aligned: the context holds a wolfCrypt Aes (16-byte alignment, more
     * than malloc gives on 32-bit ARM) */
    c = phonesec__calloc_aligned(1, sizeof *c, _Alignof(phonesec_cfgcrypt_ctx));
    if (c == NULL)
        return why_fail(why, PHONESEC_E_NOMEM, "out of memory");
    c->secret = phonesec__malloc(sec_len);
    if (c->secret == NULL) {
        phonesec__free_aligned_secret(c, sizeof *c);
        return why_fail(why, PHONESEC_E_NOMEM, "out of memory");
    }
    memcpy(c->secret, sec, sec_len);
    c->secret_len = sec_len;
    c->secret_is_password = pw;
    c->format = p->format;
    c->enc = enc;
    c->kdf = kdf;
    c->b64 = p->base64 != 0;
    phonesec__b64_enc_init(&c->b64e, 64);
    phonesec__b64_dec_init(&c->b64d);
    c->max_iter = max_iter ? max_iter : PHONESEC_CFGCRYPT_MAX_KDF_ITER;
    c->max_mem = max_mem ? max_mem : PHONESEC_CFGCRYPT_MAX_KDF_MEM;
    c->max_rs = max_rs ? max_rs : PHONESEC_CFGCRYPT_MAX_RECORD_SIZE;
    if (c->max_rs > PHONESEC_CFGCRYPT_RECORD_MAX)
        c->max_rs = PHONESEC_CFGCRYPT_RECORD_MAX;
    c->iterations = p->iterations;
    if (c->iterations == 0)
        c->iterations = p->format == PHONESEC_CFGCRYPT_PSEC ? PHONESEC_CFGCRYPT_PSEC_PBKDF2_ITER : PHONESEC_CFGCRYPT_OPENSSL_PBKDF2_ITER;
    c->rs = p->record_size ? p->record_size : PHONESEC_CFGCRYPT_RECORD_SIZE;
    c->pad = p->pad;
    c->scrypt_log2n = p->scrypt_log2n ? p->scrypt_log2n : 15;
    c->scrypt_r = p->scrypt_r ? p->scrypt_r : 8;
    c->scrypt_p = p->scrypt_p ? p->scrypt_p : 1;
    if (p->key_id_len > 0 && p->format == PHONESEC_CFGCRYPT_RFC8188) {
        memcpy(c->key_id, p->key_id, p->key_id_len);
        c->key_id_len = p->key_id_len;
    }
    if (wc_AesInit(&c->aes, NULL, INVALID_DEVID) != 0) {
        phonesec__free_secret(c->secret, c->secret_len);
        phonesec__free_aligned_secret(c, sizeof *c);
        return why_fail(why, PHONESEC_E_CRYPTO, "AES setup failed");
    }
    c->aes_ready = 1;
    /* The same limits bind both directions: what we write, we read. */
    rc = PHONESEC_OK;
    if (kdf == PHONESEC_CFGCRYPT_KDF_PBKDF2 && (enc || p->format == PHONESEC_CFGCRYPT_OPENSSL))
        rc = phonesec__cfgcrypt_pbkdf2_limit(c, c->iterations, "");
    else if (enc && kdf == PHONESEC_CFGCRYPT_KDF_SCRYPT)
        rc = phonesec__cfgcrypt_scrypt_check(c, c->scrypt_log2n, c->scrypt_r, c->scrypt_p, "");
    if (rc == PHONESEC_OK && enc && is_record_format(p->format))
        rc = phonesec__cfgcrypt_record_size_limit(c, c->rs, "");
    if (rc != PHONESEC_OK) {
        if (rc == PHONESEC_E_PARSE || rc == PHONESEC_E_UNSUPPORTED)
            rc = PHONESEC_E_INVAL; /* the caller's own parameters: invalid, not malformed input */
        return ctx_abort(c, rc, why);
    }
    c->state = ST_HEADER;
    *out = c;
    return PHONESEC_OK;
}

static int decrypt_new(const phonesec_cfgcrypt_params *p, phonesec_cfgcrypt_ctx **out, phonesec__err *why)
{
    int rc = ctx_new(out, p, 0, why);
    if (rc != 0)
        return rc;
    switch ((*out)->format) {
    case PHONESEC_CFGCRYPT_OPENSSL:
        (*out)->hdr_need = 16;
        break;
    case PHONESEC_CFGCRYPT_YEALINK:
        if ((rc = phonesec__cfgcrypt_yealink_keys(*out)) != 0) {
            ctx_abort(*out, rc, why);
            *out = NULL;
            return rc;
        }
        (*out)->state = ST_BODY;
        break;
    default:
        (*out)->hdr_need = RFC_HDR;
        break;
    }
    return PHONESEC_OK;
}

int phonesec_cfgcrypt_decrypt_new(const phonesec_cfgcrypt_params *p, phonesec_cfgcrypt_ctx **out)
{
    return decrypt_new(p, out, NULL);
}

static int encrypt_new(const phonesec_cfgcrypt_params *p, phonesec_cfgcrypt_ctx **out, phonesec__err *why)
{
    phonesec_cfgcrypt_ctx *c;
    int rc = ctx_new(out, p, 1, why);
    if (rc != 0)
        return rc;
    c = *out;
    if (c->format == PHONESEC_CFGCRYPT_YEALINK) {
        rc = phonesec__cfgcrypt_yealink_keys(c);
    } else {
        size_t slen = c->format == PHONESEC_CFGCRYPT_OPENSSL ? 8 : 16;
        if (p->salt != NULL)
            memcpy(c->salt, p->salt, slen);
        else if (phonesec_random(c->salt, slen) != 0)
            rc = phonesec__cfgcrypt_fail(c, PHONESEC_E_RANDOM, "the random source failed");
        c->hdr_pending = 1;
        if (rc == 0 && c->format == PHONESEC_CFGCRYPT_OPENSSL) {
            memcpy(c->hdr, "Salted__", 8);
            memcpy(c->hdr + 8, c->salt, 8);
            c->hdr_len = 16;
            rc = phonesec__cfgcrypt_openssl_keys(c, c->salt);
        } else if (rc == 0) {
            uint8_t ikm[32];
            const uint8_t *k = c->secret;
            size_t klen = c->secret_len;
            if (c->format == PHONESEC_CFGCRYPT_PSEC) {
                rc = phonesec__cfgcrypt_psec_enc_ikm(c, p->salt, ikm, &klen);
                k = ikm;
            }
            if (rc == 0) {
                memcpy(c->hdr, c->salt, 16);
                be32(c->hdr + 16, c->rs);
                c->hdr[20] = (uint8_t)c->key_id_len;
                memcpy(c->hdr + RFC_HDR, c->key_id, c->key_id_len);
                c->hdr_len = RFC_HDR + c->key_id_len;
                rc = phonesec__cfgcrypt_rfc_keys(c, k, klen, c->salt);
            }
            phonesec_memzero(ikm, sizeof ikm);
        }
    }
    if (rc != 0) {
        *out = NULL;
        return ctx_abort(c, rc, why);
    }
    c->state = ST_BODY;
    return PHONESEC_OK;
}

int phonesec_cfgcrypt_encrypt_new(const phonesec_cfgcrypt_params *p, phonesec_cfgcrypt_ctx **out)
{
    return encrypt_new(p, out, NULL);
}

int phonesec__cfgcrypt_new(const phonesec_cfgcrypt_params *p, int enc, phonesec_cfgcrypt_ctx **out, char *why, size_t cap)
{
    phonesec__err e;
    int rc;
    phonesec__err_clear(&e);
    rc = enc ? encrypt_new(p, out, &e) : decrypt_new(p, out, &e);
    if (rc != 0 && why != NULL && cap > 0)
        (void)phonesec__err_copy(&e, why, cap);
    return rc;
}

void phonesec_cfgcrypt_free(phonesec_cfgcrypt_ctx *c)
{
    if (c == NULL)
        return;
    if (c->aes_ready)
        wc_AesFree(&c->aes);
    if (c->rec != NULL)
        phonesec__free_secret(c->rec, c->rs);
    phonesec__free_secret(c->secret, c->secret_len);
    phonesec__free_aligned_secret(c, sizeof *c);
}

int phonesec_cfgcrypt_last_error(const phonesec_cfgcrypt_ctx *c, char *buf, size_t cap)
{
    if (c == NULL)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&c->err, buf, cap);
}

size_t phonesec_cfgcrypt_bound(const phonesec_cfgcrypt_ctx *c, size_t in_len)
{
    size_t n;
    if (c == NULL)
        return 0;
    if (!c->enc)
        return sat_add(sat_add(in_len, c->blk_len + c->rec_len), 32);
    n = sat_add(in_len, 32 + c->hdr_len + c->blk_len);
    if (is_record_format(c->format)) {
        size_t data = sat_add(sat_add(in_len, c->rec_len), c->pad);
        n = sat_add(n, sat_add(data - in_len, sat_mul(data / (c->rs - 17) + 2, 17)));
    }
    if (c->b64)
        n = sat_add(sat_add(sat_mul(n / 3 + 2, 4), n / 48 + 2), 0);
    return n;
}

/* ---- dispatch -------------------------------------------------------- */

int phonesec__cfgcrypt_dec_feed(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    int rc;
    if (c->state == ST_HEADER && n > 0) {
        size_t take = c->hdr_need - c->hdr_len < n ? c->hdr_need - c->hdr_len : n;
        memcpy(c->hdr + c->hdr_len, in, take);
        c->hdr_len += take, in += take, n -= take;
        if (c->hdr_len < c->hdr_need)
            return PHONESEC_OK;
        if (c->format == PHONESEC_CFGCRYPT_OPENSSL) {
            if (memcmp(c->hdr, "Salted__", 8) != 0)
                return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "no \"Salted__\" header: not an openssl enc file (or made with -nosalt, which is not supported)");
            if ((rc = phonesec__cfgcrypt_openssl_keys(c, c->hdr + 8)) != 0)
                return rc;
            c->state = ST_BODY;
        } else if (c->hdr_need == RFC_HDR && c->hdr[20] > 0) {
            c->hdr_need += c->hdr[20];
            return phonesec__cfgcrypt_dec_feed(c, in, n);
        } else {
            if ((rc = phonesec__cfgcrypt_rec_header_done(c)) != 0)
                return rc;
            c->state = ST_BODY;
        }
    }
    if (n == 0)
        return PHONESEC_OK;
    if (c->state == ST_HEADER)
        return phonesec__cfgcrypt_dec_feed(c, in, n);
    return is_record_format(c->format) ? phonesec__cfgcrypt_rec_decrypt(c, in, n) : phonesec__cfgcrypt_blk_decrypt(c, in, n);
}

static int begin(phonesec_cfgcrypt_ctx *c, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t need;
    if (c == NULL || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    if (c->state == ST_FAILED) /* keep the first error's detail */
        return PHONESEC_E_STATE;
    if (c->state == ST_DONE)
        return phonesec__fail(&c->err, PHONESEC_E_STATE, "context already finished");
    need = phonesec_cfgcrypt_bound(c, in_len);
    if (out_cap < need) {
        *out_len = need;
        return PHONESEC_E_BUFFER_SMALL;
    }
    c->o = out;
    c->o_cap = out_cap;
    c->o_len = 0;
    return PHONESEC_OK;
}

static int finish(phonesec_cfgcrypt_ctx *c, int rc, size_t *out_len)
{
    if (rc != 0) {
        if (c->state != ST_FAILED) {
            c->state = ST_FAILED;
            if (c->err.code == 0)
                phonesec__fail(&c->err, rc, "%s", "operation failed");
        }
        /* nothing of a failed call is released */
        phonesec_memzero(c->o, c->o_len);
        *out_len = 0;
    } else {
        *out_len = c->o_len;
    }
    c->o = NULL;
    c->o_cap = c->o_len = 0;
    return rc;
}

int phonesec_cfgcrypt_update(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                        size_t *out_len)
{
    int rc;
    if (in == NULL && in_len > 0)
        return PHONESEC_E_INVAL;
    if ((rc = begin(c, in_len, out, out_cap, out_len)) != 0)
        return rc;
    if (c->enc) {
        if (c->hdr_pending) {
            rc = phonesec__cfgcrypt_emit(c, c->hdr, c->hdr_len);
            c->hdr_pending = 0;
        }
        if (rc == 0 && in_len > 0)
            rc = is_record_format(c->format) ? phonesec__cfgcrypt_rec_encrypt(c, in, in_len) : phonesec__cfgcrypt_blk_encrypt(c, in, in_len);
    } else if (in_len > 0) {
        rc = c->b64 ? phonesec__cfgcrypt_dec_feed_b64(c, in, in_len) : phonesec__cfgcrypt_dec_feed(c, in, in_len);
    }
    return finish(c, rc, out_len);
}

int phonesec_cfgcrypt_final(phonesec_cfgcrypt_ctx *c, uint8_t *out, size_t out_cap, size_t *out_len)
{
    int rc;
    if ((rc = begin(c, 0, out, out_cap, out_len)) != 0)
        return rc;
    if (c->enc) {
        if (c->hdr_pending) {
            rc = phonesec__cfgcrypt_emit(c, c->hdr, c->hdr_len);
            c->hdr_pending = 0;
        }
        if (rc == 0)
            rc = is_record_format(c->format) ? phonesec__cfgcrypt_rec_encrypt_final(c) : phonesec__cfgcrypt_blk_final(c);
    } else {
        if (c->b64)
            rc = phonesec__cfgcrypt_dec_b64_final(c);
        if (rc == 0 && c->state == ST_HEADER && (c->hdr_len > 0 || c->format != PHONESEC_CFGCRYPT_YEALINK))
            rc = phonesec__cfgcrypt_fail(c, PHONESEC_E_TRUNCATED, c->hdr_len == 0 ? "empty input: no header" : "input ends inside the header");
        else if (rc == 0 && is_record_format(c->format)) {
            if (c->rec_len > 0) {
                rc = phonesec__cfgcrypt_rec_open(c, c->rec, c->rec_len, 1);
                c->rec_len = 0;
            } else if (!c->last_seen) {
                rc = phonesec__cfgcrypt_fail(c, PHONESEC_E_TRUNCATED, "input ends before the last record (truncated file)");
            }
        } else if (rc == 0) {
            rc = phonesec__cfgcrypt_blk_final(c);
        }
    }
    rc = finish(c, rc, out_len);
    if (rc == 0)
        c->state = ST_DONE;
    return rc;
}

