/*
 * libphonesec - cfgcrypt: streaming contexts for the four file formats.
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/md5.h>
#include <wolfssl/wolfcrypt/pwdbased.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "cfgcrypt/cfgcrypt_int.h"
#include "core/internal.h"
#include "phonesec/cfgcrypt.h"

#if !defined(HAVE_AESGCM) || !defined(HAVE_HKDF) || !defined(HAVE_AES_ECB) || defined(NO_AES_CBC)
#error "cfgcrypt needs wolfCrypt with AES-GCM, AES-CBC, AES-ECB and HKDF"
#endif

#define MOD "cfgcrypt"

enum { ST_HEADER, ST_BODY, ST_DONE, ST_FAILED };

#define RFC_HDR 21          /* salt(16) rs(4) idlen(1) */
#define TAG_LEN 16
#define PSEC_ID_LEN 26      /* "PSEC" ver kdf params(4) ksalt(16) */
#define PSEC_VERSION 1
#define PSEC_KDF_RAW 0
#define PSEC_KDF_PBKDF2 1
#define PSEC_KDF_SCRYPT 2
#define PSEC_ITER_MIN 1000u
#define PSEC_ITER_MAX 100000000u
#define PSEC_SCRYPT_MEM_MAX (256u * 1024u * 1024u) /* 128 * r * N, whatever the caller's limit */
#define SCRYPT_R_MAX 8u                               /* wolfCrypt's wc_scrypt() refuses r > 8 */
#define SECRET_MAX 4096u
#define PAD_MAX 65536u

struct phonesec_cfgcrypt_ctx {
    phonesec__err err;
    int format, enc, state, kdf, b64;
    uint32_t iterations;
    uint8_t *secret; /* password (openssl, psec) or key/IKM (yealink, rfc8188, psec raw) */
    size_t secret_len;
    int secret_is_password;
    uint8_t key_id[255];
    size_t key_id_len;
    uint32_t rs, pad;
    uint8_t salt[16];
    uint8_t scrypt_log2n, scrypt_r, scrypt_p;
    uint32_t max_iter, max_rs; /* work limits (params version 2; defaults otherwise) */
    uint64_t max_mem;
    Aes aes;
    int aes_ready;
    int hdr_pending; /* encrypt: header not yet written */
    uint8_t hdr[RFC_HDR + 255];
    size_t hdr_len, hdr_need;
    uint8_t blk[16];
    size_t blk_len;
    uint8_t *rec; /* record buffer: rs bytes */
    size_t rec_len;
    uint64_t seq;
    int last_seen;
    uint8_t cek[16], nonce[12];
    /* base64 armour */
    uint32_t b64_acc;
    unsigned b64_n, b64_col, b64_pad;
    /* output cursor of the current call */
    uint8_t *o;
    size_t o_cap, o_len;
};

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

static int fail(phonesec_cfgcrypt_ctx *c, int code, const char *what)
{
    c->state = ST_FAILED;
    return phonesec__fail(&c->err, code, "%s", what);
}

static int failf(phonesec_cfgcrypt_ctx *c, int code, const char *fmt, ...) PHONESEC__PRINTF(3, 4);
static int failf(phonesec_cfgcrypt_ctx *c, int code, const char *fmt, ...)
{
    char m[PHONESEC__ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    return fail(c, code, m);
}

/* ---- work limits ------------------------------------------------------
 * Every cost a header (or the caller) asks for is checked here before any
 * work is done. Texts name the params field, so a tool can say which of its
 * options raises it. */

static int pbkdf2_limit(phonesec_cfgcrypt_ctx *c, uint32_t it, const char *where)
{
    if (c->format == PHONESEC_CFGCRYPT_PSEC && it > PSEC_ITER_MAX)
        return failf(c, PHONESEC_E_LIMIT, "PBKDF2 iteration count %s(%lu) is above the psec format's bound (%lu)", where,
                     (unsigned long)it, (unsigned long)PSEC_ITER_MAX);
    if (it > c->max_iter)
        return failf(c, PHONESEC_E_LIMIT, "PBKDF2 iteration count %s(%lu) is above the limit max_kdf_iter = %lu", where,
                     (unsigned long)it, (unsigned long)c->max_iter);
    return PHONESEC_OK;
}

/* scrypt parameters: what RFC 7914 allows (N < 2^(16 r)), what wolfCrypt
 * runs (r <= 8), the format's ranges, then the caller's cost limit. */
static int scrypt_check(phonesec_cfgcrypt_ctx *c, unsigned ln, unsigned r, unsigned p, const char *where)
{
    uint64_t mem, cost;
    if (ln < 10 || ln > 22 || r == 0 || p == 0 || p > 16)
        return failf(c, PHONESEC_E_PARSE, "scrypt parameters %s(log2 N %u, r %u, p %u) out of range (log2 N 10..22, r 1..8, p 1..16)",
                     where, ln, r, p);
    if (r > SCRYPT_R_MAX)
        return failf(c, PHONESEC_E_UNSUPPORTED, "scrypt r %s(%u) is above 8, the largest wolfCrypt runs", where, r);
    if (ln >= 16 * r)
        return failf(c, PHONESEC_E_PARSE, "scrypt parameters %s(log2 N %u, r %u): RFC 7914 needs N < 2^(16 r)", where,
                     ln, r);
    mem = (uint64_t)128 * r << ln;
    cost = mem * p;
    if (mem > PSEC_SCRYPT_MEM_MAX)
        return failf(c, PHONESEC_E_LIMIT, "scrypt parameters %s(log2 N %u, r %u) need %lu MiB, above the format's bound (256 MiB)",
                     where, ln, r, (unsigned long)(mem >> 20));
    if (cost > c->max_mem)
        return failf(c, PHONESEC_E_LIMIT, "scrypt cost %s(128 * N * r * p = %lu KiB) is above the limit max_kdf_mem = %lu KiB",
                     where, (unsigned long)(cost >> 10), (unsigned long)(c->max_mem >> 10));
    return PHONESEC_OK;
}

static int record_size_limit(phonesec_cfgcrypt_ctx *c, uint32_t rs, const char *where)
{
    if (rs < 18)
        return failf(c, PHONESEC_E_PARSE, "record size %s(%lu) is below 18", where, (unsigned long)rs);
    if (rs > c->max_rs)
        return failf(c, PHONESEC_E_LIMIT, "record size %s(%lu) is above the limit max_record_size = %lu", where,
                     (unsigned long)rs, (unsigned long)c->max_rs);
    return PHONESEC_OK;
}

/* ---- output ---------------------------------------------------------- */

static const char b64_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int put_raw(phonesec_cfgcrypt_ctx *c, const uint8_t *d, size_t n)
{
    if (c->o_cap - c->o_len < n)
        return fail(c, PHONESEC_E_INTERNAL, "output bound exceeded");
    if (n > 0)
        memcpy(c->o + c->o_len, d, n);
    c->o_len += n;
    return PHONESEC_OK;
}

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
    return put_raw(c, q, n);
}

/* Ciphertext out: raw, or base64 with 64-character lines (openssl enc -a). */
static int emit(phonesec_cfgcrypt_ctx *c, const uint8_t *d, size_t n)
{
    size_t i;
    int rc;
    if (!c->b64)
        return put_raw(c, d, n);
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

static int emit_b64_final(phonesec_cfgcrypt_ctx *c)
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
        return put_raw(c, (const uint8_t *)"\n", 1);
    }
    return PHONESEC_OK;
}

/* Room for n more bytes of raw output written in place (decryption). */
static uint8_t *room(phonesec_cfgcrypt_ctx *c, size_t n)
{
    if (c->o_cap - c->o_len < n) {
        fail(c, PHONESEC_E_INTERNAL, "output bound exceeded");
        return NULL;
    }
    return c->o + c->o_len;
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
    return rc == 0 ? PHONESEC_OK : fail(c, PHONESEC_E_CRYPTO, "hash failed in EVP_BytesToKey");
}

/* openssl: key and IV from the password and the 8-byte salt; sets up CBC. */
static int openssl_keys(phonesec_cfgcrypt_ctx *c, const uint8_t salt[8])
{
    uint8_t kiv[48];
    int rc;
    if (c->kdf == PHONESEC_CFGCRYPT_KDF_PBKDF2) {
        rc = wc_PBKDF2(kiv, c->secret, (int)c->secret_len, salt, 8, (int)c->iterations, 48, WC_SHA256);
        rc = rc == 0 ? PHONESEC_OK : fail(c, PHONESEC_E_CRYPTO, "PBKDF2 failed");
    } else {
        rc = evp_bytes_to_key(c, c->kdf != PHONESEC_CFGCRYPT_KDF_EVP_MD5, salt, kiv);
    }
    if (rc == 0 && wc_AesSetKey(&c->aes, kiv, 32, kiv + 32, c->enc ? AES_ENCRYPTION : AES_DECRYPTION) != 0)
        rc = fail(c, PHONESEC_E_CRYPTO, "AES key setup failed");
    phonesec_memzero(kiv, sizeof kiv);
    return rc;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* psec key id block: "PSEC" ver kdf params(4) ksalt(16). */
static void psec_id_make(phonesec_cfgcrypt_ctx *c, int kdf, const uint8_t ksalt[16])
{
    uint8_t *p = c->key_id;
    memcpy(p, "PSEC", 4);
    p[4] = PSEC_VERSION;
    p[5] = (uint8_t)kdf;
    memset(p + 6, 0, 4);
    if (kdf == PSEC_KDF_PBKDF2)
        be32(p + 6, c->iterations);
    else if (kdf == PSEC_KDF_SCRYPT) {
        p[6] = c->scrypt_log2n;
        p[7] = c->scrypt_r;
        p[8] = c->scrypt_p;
    }
    memcpy(p + 10, ksalt, 16);
    c->key_id_len = PSEC_ID_LEN;
}

/* psec: IKM (32 bytes) from the key id block and the password. */
static int psec_ikm(phonesec_cfgcrypt_ctx *c, const uint8_t *id, size_t id_len, uint8_t ikm[32], size_t *ikm_len)
{
    int kdf, rc;
    if (id_len != PSEC_ID_LEN || memcmp(id, "PSEC", 4) != 0)
        return fail(c, PHONESEC_E_PARSE, "not a psec file (no PSEC key id block)");
    if (id[4] != PSEC_VERSION)
        return fail(c, PHONESEC_E_UNSUPPORTED, "unknown psec version");
    kdf = id[5];
    if (kdf == PSEC_KDF_RAW) {
        if (c->secret_is_password)
            return fail(c, PHONESEC_E_INVAL, "file was made with raw keying material, not a password");
        if (memcmp(id + 6, "\0\0\0\0", 4) != 0)
            return fail(c, PHONESEC_E_PARSE, "psec raw mode with non-zero KDF parameters");
        /* IKM = HKDF-SHA256(salt = ksalt, IKM = key, info = "psec raw", 32):
         * every byte of the key id block is bound to the content key. */
        rc = wc_HKDF(WC_SHA256, c->secret, (word32)c->secret_len, id + 10, 16, (const byte *)"psec raw", 8, ikm, 32);
        if (rc != 0)
            return fail(c, PHONESEC_E_CRYPTO, "HKDF failed");
        *ikm_len = 32;
        return PHONESEC_OK;
    }
    if (!c->secret_is_password)
        return fail(c, PHONESEC_E_INVAL, "file is password-protected: give a password");
    if (kdf == PSEC_KDF_PBKDF2) {
        uint32_t it = rd32(id + 6);
        if (it < PSEC_ITER_MIN)
            return failf(c, PHONESEC_E_POLICY, "PBKDF2 iteration count in the header (%lu) is below %u",
                         (unsigned long)it, PSEC_ITER_MIN);
        if ((rc = pbkdf2_limit(c, it, "in the header ")) != 0)
            return rc;
        rc = wc_PBKDF2(ikm, c->secret, (int)c->secret_len, id + 10, 16, (int)it, 32, WC_SHA256);
    } else if (kdf == PSEC_KDF_SCRYPT) {
#ifdef HAVE_SCRYPT
        unsigned ln = id[6], r = id[7], p = id[8];
        if (id[9] != 0)
            return fail(c, PHONESEC_E_PARSE, "scrypt parameters in the header: fourth byte is not 0");
        if ((rc = scrypt_check(c, ln, r, p, "in the header ")) != 0)
            return rc;
        rc = wc_scrypt(ikm, c->secret, (int)c->secret_len, id + 10, 16, (int)ln, (int)r, (int)p, 32);
#else
        return fail(c, PHONESEC_E_UNSUPPORTED, "this build of wolfCrypt has no scrypt");
#endif
    } else {
        return fail(c, PHONESEC_E_UNSUPPORTED, "unknown psec key derivation");
    }
    if (rc == MEMORY_E) /* wolfCrypt allocates scrypt's table itself */
        return fail(c, PHONESEC_E_NOMEM, "no memory for the password key derivation");
    if (rc != 0)
        return fail(c, PHONESEC_E_CRYPTO, "password key derivation failed");
    *ikm_len = 32;
    return PHONESEC_OK;
}

/* RFC 8188 §2.2/2.3: CEK and nonce base from IKM and salt; sets up GCM. */
static int rfc_keys(phonesec_cfgcrypt_ctx *c, const uint8_t *ikm, size_t ikm_len, const uint8_t salt[16])
{
    static const byte info_cek[] = "Content-Encoding: aes128gcm"; /* the NUL is part of the info */
    static const byte info_nonce[] = "Content-Encoding: nonce";
    if (wc_HKDF(WC_SHA256, ikm, (word32)ikm_len, salt, 16, info_cek, sizeof info_cek, c->cek, 16) != 0 ||
        wc_HKDF(WC_SHA256, ikm, (word32)ikm_len, salt, 16, info_nonce, sizeof info_nonce, c->nonce, 12) != 0)
        return fail(c, PHONESEC_E_CRYPTO, "HKDF failed");
    if (wc_AesGcmSetKey(&c->aes, c->cek, 16) != 0)
        return fail(c, PHONESEC_E_CRYPTO, "AES-GCM key setup failed");
    c->rec = phonesec__malloc(c->rs);
    if (c->rec == NULL)
        return fail(c, PHONESEC_E_NOMEM, "no memory for the record buffer");
    return PHONESEC_OK;
}

static void rec_nonce(const phonesec_cfgcrypt_ctx *c, uint8_t n[12])
{
    int i;
    memcpy(n, c->nonce, 12);
    for (i = 0; i < 8; i++)
        n[11 - i] ^= (uint8_t)(c->seq >> (8 * i));
}

/* ---- creation -------------------------------------------------------- */

static int is_record_format(int f)
{
    return f == PHONESEC_CFGCRYPT_RFC8188 || f == PHONESEC_CFGCRYPT_PSEC;
}

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
        rc = pbkdf2_limit(c, c->iterations, "");
    else if (enc && kdf == PHONESEC_CFGCRYPT_KDF_SCRYPT)
        rc = scrypt_check(c, c->scrypt_log2n, c->scrypt_r, c->scrypt_p, "");
    if (rc == PHONESEC_OK && enc && is_record_format(p->format))
        rc = record_size_limit(c, c->rs, "");
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
        if (wc_AesSetKey(&(*out)->aes, (*out)->secret, (word32)(*out)->secret_len, NULL, AES_DECRYPTION) != 0) {
            rc = fail(*out, PHONESEC_E_CRYPTO, "AES key setup failed");
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
        if (wc_AesSetKey(&c->aes, c->secret, (word32)c->secret_len, NULL, AES_ENCRYPTION) != 0)
            rc = fail(c, PHONESEC_E_CRYPTO, "AES key setup failed");
    } else {
        size_t slen = c->format == PHONESEC_CFGCRYPT_OPENSSL ? 8 : 16;
        if (p->salt != NULL)
            memcpy(c->salt, p->salt, slen);
        else if (phonesec_random(c->salt, slen) != 0)
            rc = fail(c, PHONESEC_E_RANDOM, "the random source failed");
        c->hdr_pending = 1;
        if (rc == 0 && c->format == PHONESEC_CFGCRYPT_OPENSSL) {
            memcpy(c->hdr, "Salted__", 8);
            memcpy(c->hdr + 8, c->salt, 8);
            c->hdr_len = 16;
            rc = openssl_keys(c, c->salt);
        } else if (rc == 0) {
            uint8_t ikm[32];
            const uint8_t *k = c->secret;
            size_t klen = c->secret_len;
            if (c->format == PHONESEC_CFGCRYPT_PSEC) {
                uint8_t ksalt[16];
                int kdf = c->kdf == PHONESEC_CFGCRYPT_KDF_PBKDF2   ? PSEC_KDF_PBKDF2
                          : c->kdf == PHONESEC_CFGCRYPT_KDF_SCRYPT ? PSEC_KDF_SCRYPT
                                                              : PSEC_KDF_RAW;
                /* The KDF salt is independent of the content salt. With a
                 * fixed salt (tests) it is derived from it. */
                if (p->salt != NULL) {
                    size_t i;
                    for (i = 0; i < 16; i++)
                        ksalt[i] = (uint8_t)(p->salt[i] ^ 0x5c);
                } else if (phonesec_random(ksalt, 16) != 0) {
                    rc = fail(c, PHONESEC_E_RANDOM, "the random source failed");
                }
                if (rc == 0) {
                    psec_id_make(c, kdf, ksalt);
                    rc = psec_ikm(c, c->key_id, c->key_id_len, ikm, &klen);
                    k = ikm;
                }
            }
            if (rc == 0) {
                memcpy(c->hdr, c->salt, 16);
                be32(c->hdr + 16, c->rs);
                c->hdr[20] = (uint8_t)c->key_id_len;
                memcpy(c->hdr + RFC_HDR, c->key_id, c->key_id_len);
                c->hdr_len = RFC_HDR + c->key_id_len;
                rc = rfc_keys(c, k, klen, c->salt);
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

/* ---- block formats (openssl CBC, yealink ECB) ------------------------ */

static int blk_crypt(phonesec_cfgcrypt_ctx *c, uint8_t *out, const uint8_t *in, size_t n)
{
    int rc;
    if (c->format == PHONESEC_CFGCRYPT_OPENSSL)
        rc = c->enc ? wc_AesCbcEncrypt(&c->aes, out, in, (word32)n) : wc_AesCbcDecrypt(&c->aes, out, in, (word32)n);
    else
        rc = c->enc ? wc_AesEcbEncrypt(&c->aes, out, in, (word32)n) : wc_AesEcbDecrypt(&c->aes, out, in, (word32)n);
    return rc == 0 ? PHONESEC_OK : fail(c, PHONESEC_E_CRYPTO, "AES failed");
}

#define BULK_MAX (1u << 30)

static int blk_encrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    uint8_t tmp[1024];
    int rc;
    while (n > 0) {
        if (c->blk_len > 0 || n < 16) {
            size_t take = 16 - c->blk_len < n ? 16 - c->blk_len : n;
            memcpy(c->blk + c->blk_len, in, take);
            c->blk_len += take, in += take, n -= take;
            if (c->blk_len == 16) {
                if ((rc = blk_crypt(c, tmp, c->blk, 16)) != 0 || (rc = emit(c, tmp, 16)) != 0)
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
                if ((dst = room(c, bulk)) == NULL)
                    return c->err.code;
                if ((rc = blk_crypt(c, dst, in, bulk)) != 0)
                    return rc;
                c->o_len += bulk;
            } else {
                if (bulk > sizeof tmp)
                    bulk = sizeof tmp;
                if ((rc = blk_crypt(c, tmp, in, bulk)) != 0 || (rc = emit(c, tmp, bulk)) != 0)
                    return rc;
            }
            in += bulk, n -= bulk;
        }
    }
    return PHONESEC_OK;
}

static int blk_decrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    uint8_t *dst;
    int rc;
    /* Hold the last block back: it carries the padding. */
    while (n > 0) {
        if (c->blk_len == 16) {
            if ((dst = room(c, 16)) == NULL)
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
            if ((dst = room(c, bulk)) == NULL)
                return c->err.code;
            if ((rc = blk_crypt(c, dst, in, bulk)) != 0)
                return rc;
            c->o_len += bulk;
            in += bulk, n -= bulk;
        }
    }
    return PHONESEC_OK;
}

static int blk_final(phonesec_cfgcrypt_ctx *c)
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
        if ((rc = blk_crypt(c, last, c->blk, 16)) != 0 || (rc = emit(c, last, 16)) != 0)
            return rc;
        c->blk_len = 0;
        return c->b64 ? emit_b64_final(c) : PHONESEC_OK;
    }
    if (c->blk_len == 0 && c->format == PHONESEC_CFGCRYPT_YEALINK)
        return PHONESEC_OK;
    if (c->blk_len == 0)
        return fail(c, PHONESEC_E_TRUNCATED, "no ciphertext after the Salted__ header");
    if (c->blk_len != 16)
        return fail(c, PHONESEC_E_TRUNCATED, "ciphertext length is not a multiple of 16 (truncated file?)");
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
            return fail(c, PHONESEC_E_AUTH, "bad padding: wrong password or key derivation (-md/-pbkdf2/-iter), or a damaged file");
        }
        /* yealink: only valid PKCS#7 is removed; NUL or space padding stays. */
        rc = put_raw(c, last, keep);
    }
    phonesec_memzero(last, sizeof last);
    return rc;
}

/* ---- record formats (RFC 8188, psec) --------------------------------- */

static int rec_seal(phonesec_cfgcrypt_ctx *c, size_t data_len, uint8_t delim, size_t padn)
{
    uint8_t n[12], *dst;
    size_t len = data_len + 1 + padn;
    int rc;
    c->rec[data_len] = delim;
    memset(c->rec + data_len + 1, 0, padn);
    if ((dst = room(c, len + TAG_LEN)) == NULL)
        return c->err.code;
    rec_nonce(c, n);
    rc = wc_AesGcmEncrypt(&c->aes, dst, c->rec, (word32)len, n, 12, dst + len, TAG_LEN, NULL, 0);
    if (rc != 0)
        return fail(c, PHONESEC_E_CRYPTO, "AES-GCM failed");
    c->o_len += len + TAG_LEN;
    c->seq++;
    c->rec_len = 0;
    return PHONESEC_OK;
}

static int rec_encrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
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

static int rec_encrypt_final(phonesec_cfgcrypt_ctx *c)
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
static int rec_open(phonesec_cfgcrypt_ctx *c, const uint8_t *src, size_t len, int is_end)
{
    uint8_t n[12], *dst;
    size_t plen, i;
    int rc;
    if (c->last_seen)
        return fail(c, PHONESEC_E_PARSE, "data after the last record");
    if (len < TAG_LEN + 1)
        return fail(c, PHONESEC_E_TRUNCATED, "last record too short to hold a tag and a delimiter");
    plen = len - TAG_LEN;
    if ((dst = room(c, plen)) == NULL)
        return c->err.code;
    rec_nonce(c, n);
    rc = wc_AesGcmDecrypt(&c->aes, dst, src, (word32)plen, n, 12, src + plen, TAG_LEN, NULL, 0);
    if (rc != 0) {
        phonesec_memzero(dst, plen);
        if (rc == AES_GCM_AUTH_E)
            return fail(c, PHONESEC_E_AUTH, c->seq == 0 ? "first record does not authenticate: wrong key or password, or altered data"
                                                         : "record does not authenticate: altered or truncated data");
        return fail(c, PHONESEC_E_CRYPTO, "AES-GCM failed");
    }
    for (i = plen; i > 0 && dst[i - 1] == 0; i--)
        ;
    if (i == 0 || (dst[i - 1] != 1 && dst[i - 1] != 2)) {
        phonesec_memzero(dst, plen);
        return fail(c, PHONESEC_E_PARSE, "record without a valid padding delimiter");
    }
    if (dst[i - 1] == 2)
        c->last_seen = 1;
    else if (is_end) {
        phonesec_memzero(dst, plen);
        return fail(c, PHONESEC_E_TRUNCATED, "input ends before the last record (truncated file)");
    } else if (len != c->rs) {
        phonesec_memzero(dst, plen);
        return fail(c, PHONESEC_E_PARSE, "short record that is not the last");
    }
    dst[i - 1] = 0;
    c->o_len += i - 1;
    c->seq++;
    return PHONESEC_OK;
}

static int rec_header_done(phonesec_cfgcrypt_ctx *c)
{
    uint8_t ikm[32];
    const uint8_t *k = c->secret;
    size_t klen = c->secret_len;
    int rc;
    c->rs = rd32(c->hdr + 16);
    if ((rc = record_size_limit(c, c->rs, "in the header ")) != 0)
        return rc;
    if (c->format == PHONESEC_CFGCRYPT_PSEC) {
        if ((rc = psec_ikm(c, c->hdr + RFC_HDR, c->hdr[20], ikm, &klen)) != 0)
            return rc;
        k = ikm;
    }
    rc = rfc_keys(c, k, klen, c->hdr);
    phonesec_memzero(ikm, sizeof ikm);
    return rc;
}

static int rec_decrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
{
    size_t take;
    int rc;
    while (n > 0) {
        if (c->rec_len == 0 && n > c->rs) {
            /* a whole record straight from the input */
            if ((rc = rec_open(c, in, c->rs, 0)) != 0)
                return rc;
            in += c->rs, n -= c->rs;
            continue;
        }
        if (c->rec_len == c->rs) {
            if ((rc = rec_open(c, c->rec, c->rs, 0)) != 0)
                return rc;
            c->rec_len = 0;
        }
        take = c->rs - c->rec_len < n ? c->rs - c->rec_len : n;
        memcpy(c->rec + c->rec_len, in, take);
        c->rec_len += take, in += take, n -= take;
    }
    return PHONESEC_OK;
}

/* ---- dispatch -------------------------------------------------------- */

static int dec_feed(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
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
                return fail(c, PHONESEC_E_PARSE, "no \"Salted__\" header: not an openssl enc file (or made with -nosalt, which is not supported)");
            if ((rc = openssl_keys(c, c->hdr + 8)) != 0)
                return rc;
            c->state = ST_BODY;
        } else if (c->hdr_need == RFC_HDR && c->hdr[20] > 0) {
            c->hdr_need += c->hdr[20];
            return dec_feed(c, in, n);
        } else {
            if ((rc = rec_header_done(c)) != 0)
                return rc;
            c->state = ST_BODY;
        }
    }
    if (n == 0)
        return PHONESEC_OK;
    if (c->state == ST_HEADER)
        return dec_feed(c, in, n);
    return is_record_format(c->format) ? rec_decrypt(c, in, n) : blk_decrypt(c, in, n);
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
static int dec_feed_b64(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n)
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
                return fail(c, PHONESEC_E_PARSE, "misplaced '=' in the base64 armour");
            c->b64_pad++;
            continue;
        }
        if (c->b64_pad > 0)
            return fail(c, PHONESEC_E_PARSE, "base64 data after '=' padding");
        if ((v = b64_val(ch)) < 0)
            return fail(c, PHONESEC_E_PARSE, "character outside the base64 alphabet in the armour");
        c->b64_acc = (c->b64_acc << 6) | (uint32_t)v;
        if (++c->b64_n == 4) {
            buf[bl++] = (uint8_t)(c->b64_acc >> 16);
            buf[bl++] = (uint8_t)(c->b64_acc >> 8);
            buf[bl++] = (uint8_t)c->b64_acc;
            c->b64_n = 0;
            c->b64_acc = 0;
            if (bl == sizeof buf) {
                if ((rc = dec_feed(c, buf, bl)) != 0)
                    return rc;
                bl = 0;
            }
        }
    }
    return dec_feed(c, buf, bl);
}

static int dec_b64_final(phonesec_cfgcrypt_ctx *c)
{
    uint8_t buf[2];
    size_t bl = 0;
    if (c->b64_pad > 0 && c->b64_n + c->b64_pad != 4)
        return fail(c, PHONESEC_E_PARSE, "wrong '=' padding in the base64 armour");
    if (c->b64_n == 1)
        return fail(c, PHONESEC_E_TRUNCATED, "base64 armour ends in the middle of a byte");
    if (c->b64_n == 2) {
        if (c->b64_acc & 0xf)
            return fail(c, PHONESEC_E_PARSE, "non-zero trailing bits in the base64 armour");
        buf[bl++] = (uint8_t)(c->b64_acc >> 4);
    } else if (c->b64_n == 3) {
        if (c->b64_acc & 0x3)
            return fail(c, PHONESEC_E_PARSE, "non-zero trailing bits in the base64 armour");
        buf[bl++] = (uint8_t)(c->b64_acc >> 10);
        buf[bl++] = (uint8_t)(c->b64_acc >> 2);
    }
    c->b64_n = 0;
    return dec_feed(c, buf, bl);
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
            rc = emit(c, c->hdr, c->hdr_len);
            c->hdr_pending = 0;
        }
        if (rc == 0 && in_len > 0)
            rc = is_record_format(c->format) ? rec_encrypt(c, in, in_len) : blk_encrypt(c, in, in_len);
    } else if (in_len > 0) {
        rc = c->b64 ? dec_feed_b64(c, in, in_len) : dec_feed(c, in, in_len);
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
            rc = emit(c, c->hdr, c->hdr_len);
            c->hdr_pending = 0;
        }
        if (rc == 0)
            rc = is_record_format(c->format) ? rec_encrypt_final(c) : blk_final(c);
    } else {
        if (c->b64)
            rc = dec_b64_final(c);
        if (rc == 0 && c->state == ST_HEADER && (c->hdr_len > 0 || c->format != PHONESEC_CFGCRYPT_YEALINK))
            rc = fail(c, PHONESEC_E_TRUNCATED, c->hdr_len == 0 ? "empty input: no header" : "input ends inside the header");
        else if (rc == 0 && is_record_format(c->format)) {
            if (c->rec_len > 0) {
                rc = rec_open(c, c->rec, c->rec_len, 1);
                c->rec_len = 0;
            } else if (!c->last_seen) {
                rc = fail(c, PHONESEC_E_TRUNCATED, "input ends before the last record (truncated file)");
            }
        } else if (rc == 0) {
            rc = blk_final(c);
        }
    }
    rc = finish(c, rc, out_len);
    if (rc == 0)
        c->state = ST_DONE;
    return rc;
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
