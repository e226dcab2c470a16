/*
 * libphonesec - wolfCrypt AES-ICM, AES-GCM and HMAC-SHA1 for libsrtp2's
 * crypto kernel (the libsrtp2 engine).
 * SPDX-License-Identifier: MIT
 *
 * Why: Debian's libsrtp2 runs its primitives on NSS. Every packet creates
 * and destroys a PKCS#11 context on a key object that lives in NSS
 * softoken's session and object tables; those are hash tables of a fixed
 * size (32 buckets, since libsrtp2 initialises NSS with OPTIMIZESPACE), so
 * each lookup walks a chain as long as the number of live keys divided by
 * 32: per-packet cost grows linearly with the number of SRTP sessions in
 * the process (perf: the time goes into softoken's handle lookups). These
 * types keep the AES key schedule and the HMAC inner/outer state in the
 * cipher object itself: no handle, no table, no lock, no allocation per
 * packet. libsrtp2 does all the SRTP work as before (key derivation,
 * indices, replay, MKI, packet layout); only the block cipher and hash
 * underneath change. srtp_replace_*_type() runs libsrtp2's own known-answer
 * tests on each type, and ours (RFC 3711 B.2, RFC 6188 7.4 derivations, RFC
 * 7714 16.1.1, GCM test case 14 of McGrew-Viega, RFC 2202 case 1), before
 * it installs it.
 */
#include <string.h>

#include <srtp2/auth.h>
#include <srtp2/cipher.h>
#include <srtp2/srtp.h>

#include "srtp/engine.h"
#include "srtp/prim.h"

#include <wolfssl/wolfcrypt/error-crypt.h>

/* libsrtp2 reports some allocation failures of a cipher as init_fail; the
 * engine asks this flag (per thread, set here, cleared by the engine) so
 * that out of memory is reported as such. */
static _Thread_local int t_alloc_failed;

int phonesec__srtp_lsw_alloc_failed(int clear)
{
    int v = t_alloc_failed;
    if (clear)
        t_alloc_failed = 0;
    return v;
}

/* ---- AES-ICM ------------------------------------------------------------- */

typedef struct icm_state {
    Aes aes;
    uint8_t offset[16]; /* salt || 0000 */
    uint8_t ctr[16];
    int key_size;
} icm_state;

static const srtp_cipher_type_t *icm_type_for(int key_size);

static srtp_err_status_t icm_alloc(srtp_cipher_pointer_t *cp, int key_len, int tag_len)
{
    srtp_cipher_t *c;
    icm_state *st;
    int ks = key_len - 14;
    (void)tag_len;
    if (ks != 16 && ks != 24 && ks != 32)
        return srtp_err_status_bad_param;
    c = phonesec__calloc(1, sizeof *c);
    st = phonesec__calloc_aligned(1, sizeof *st, 16); /* holds a wolfCrypt Aes (16-byte aligned) */
    if (c == NULL || st == NULL) {
        phonesec__free(c);
        phonesec__free_aligned_secret(st, sizeof *st);
        t_alloc_failed = 1;
        return srtp_err_status_alloc_fail;
    }
    st->key_size = ks;
    c->state = st;
    c->type = icm_type_for(ks);
    c->algorithm = ks == 16 ? SRTP_AES_ICM_128 : ks == 24 ? SRTP_AES_ICM_192 : SRTP_AES_ICM_256;
    c->key_len = key_len;
    *cp = c;
    return srtp_err_status_ok;
}

static srtp_err_status_t icm_dealloc(srtp_cipher_pointer_t c)
{
    icm_state *st = c->state;
    if (st != NULL) {
        phonesec__aes_wipe(&st->aes);
        phonesec__free_aligned_secret(st, sizeof *st);
    }
    phonesec__free_secret(c, sizeof *c);
    return srtp_err_status_ok;
}

static srtp_err_status_t icm_init(void *state, const uint8_t *key)
{
    icm_state *st = state;
    memset(st->offset, 0, sizeof st->offset);
    memcpy(st->offset, key + st->key_size, 14);
    return phonesec__aesctr_init(&st->aes, key, (size_t)st->key_size) == 0 ? srtp_err_status_ok
                                                                            : srtp_err_status_init_fail;
}

static srtp_err_status_t icm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
    icm_state *st = state;
    size_t i;
    (void)dir;
    for (i = 0; i < 16; i++)
        st->ctr[i] = (uint8_t)(st->offset[i] ^ iv[i]);
    return srtp_err_status_ok;
}

static srtp_err_status_t icm_crypt(void *state, uint8_t *buf, unsigned int *len)
{
    icm_state *st = state;
    /* the 16-bit block counter of RFC 3711 4.1.1 must not overflow */
    if (*len > 0xffffu * 16u)
        return srtp_err_status_terminus;
    if (phonesec__aesctr(&st->aes, st->ctr, buf, buf, *len) != 0)
        return srtp_err_status_cipher_fail;
    return srtp_err_status_ok;
}

/* RFC 3711 B.2: keystream of counter blocks 0 and 1 (SSRC 0, index 0). */
static uint8_t icm128_key[30] = {0x2B, 0x7E, 0x15, 0x16, 0x28, 0xAE, 0xD2, 0xA6, 0xAB, 0xF7, 0x15, 0x88, 0x09, 0xCF,
                                 0x4F, 0x3C, 0xF0, 0xF1, 0xF2, 0xF3, 0xF4, 0xF5, 0xF6, 0xF7, 0xF8, 0xF9, 0xFA, 0xFB,
                                 0xFC, 0xFD};
static const uint8_t icm128_ks[32] = {0xE0, 0x3E, 0xAD, 0x09, 0x35, 0xC9, 0x5E, 0x80, 0xE1, 0x66, 0xB1,
                                      0x6D, 0xD9, 0x2B, 0x4E, 0xB4, 0xD2, 0x35, 0x13, 0x16, 0x2B, 0x02,
                                      0xD0, 0xF7, 0x2A, 0x43, 0xA2, 0xFE, 0x4A, 0x5F, 0x97, 0xAB};
/* RFC 6188 7.4 (AES-192) and 7.2 (AES-256): the derived cipher key is the
 * keystream of AES-CM(master key) at IV = master salt || 0000 (label 0). */
static uint8_t icm192_key[38] = {0x73, 0xed, 0xc6, 0x6c, 0x4f, 0xa1, 0x57, 0x76, 0xfb, 0x57, 0xf9, 0x50, 0x5c,
                                 0x17, 0x13, 0x65, 0x50, 0xff, 0xda, 0x71, 0xf3, 0xe8, 0xe5, 0xf1, 0xc8, 0x52,
                                 0x2f, 0x3a, 0xcd, 0x4c, 0xe8, 0x6d, 0x5a, 0xdd, 0x78, 0xed, 0xbb, 0x11};
static const uint8_t icm192_ks[24] = {0x31, 0x87, 0x47, 0x36, 0xa8, 0xf1, 0x14, 0x38, 0x70, 0xc2, 0x6e, 0x48,
                                      0x57, 0xd8, 0xa5, 0xb2, 0xc4, 0xa3, 0x54, 0x40, 0x7f, 0xaa, 0xda, 0xbb};
static uint8_t icm256_key[46] = {0xf0, 0xf0, 0x49, 0x14, 0xb5, 0x13, 0xf2, 0x76, 0x3a, 0x1b, 0x1f, 0xa1,
                                 0x30, 0xf1, 0x0e, 0x29, 0x98, 0xf6, 0xf6, 0xe4, 0x3e, 0x43, 0x09, 0xd1,
                                 0xe6, 0x22, 0xa0, 0xe3, 0x32, 0xb9, 0xf1, 0xb6, 0x3b, 0x04, 0x80, 0x3d,
                                 0xe5, 0x1e, 0xe7, 0xc9, 0x64, 0x23, 0xab, 0x5b, 0x78, 0xd2};
static const uint8_t icm256_ks[32] = {0x5b, 0xa1, 0x06, 0x4e, 0x30, 0xec, 0x51, 0x61, 0x3c, 0xad, 0x92,
                                      0x6c, 0x5a, 0x28, 0xef, 0x73, 0x1e, 0xc7, 0xfb, 0x39, 0x7f, 0x70,
                                      0xa9, 0x60, 0x65, 0x3c, 0xaf, 0x06, 0x55, 0x4c, 0xd8, 0xc4};
static uint8_t zero_iv[16];
static const uint8_t zeros[32];

static const srtp_cipher_test_case_t icm128_tc = {30, icm128_key, zero_iv, 32, zeros, 32, icm128_ks, 0, NULL, 0, NULL};
static const srtp_cipher_test_case_t icm192_tc = {38, icm192_key, zero_iv, 24, zeros, 24, icm192_ks, 0, NULL, 0, NULL};
static const srtp_cipher_test_case_t icm256_tc = {46, icm256_key, zero_iv, 32, zeros, 32, icm256_ks, 0, NULL, 0, NULL};

static const srtp_cipher_type_t icm128 = {icm_alloc, icm_dealloc, icm_init, NULL, icm_crypt, icm_crypt, icm_set_iv,
                                          NULL, "AES-128 counter mode on wolfCrypt (libphonesec)", &icm128_tc,
                                          SRTP_AES_ICM_128};
static const srtp_cipher_type_t icm192 = {icm_alloc, icm_dealloc, icm_init, NULL, icm_crypt, icm_crypt, icm_set_iv,
                                          NULL, "AES-192 counter mode on wolfCrypt (libphonesec)", &icm192_tc,
                                          SRTP_AES_ICM_192};
static const srtp_cipher_type_t icm256 = {icm_alloc, icm_dealloc, icm_init, NULL, icm_crypt, icm_crypt, icm_set_iv,
                                          NULL, "AES-256 counter mode on wolfCrypt (libphonesec)", &icm256_tc,
                                          SRTP_AES_ICM_256};

static const srtp_cipher_type_t *icm_type_for(int key_size)
{
    return key_size == 16 ? &icm128 : key_size == 24 ? &icm192 : &icm256;
}

/* ---- AES-GCM ------------------------------------------------------------- */

#define GCM_AAD_MAX 2048 /* what libsrtp2's own NSS and OpenSSL types allow */

typedef struct gcm_state {
    Aes aes;
    uint8_t iv[12];
    uint8_t tag[16];
    uint32_t aad_len;
    int key_size, tag_len;
    uint8_t aad[GCM_AAD_MAX];
} gcm_state;

static const srtp_cipher_type_t gcm128, gcm256;

static srtp_err_status_t gcm_alloc(srtp_cipher_pointer_t *cp, int key_len, int tag_len)
{
    srtp_cipher_t *c;
    gcm_state *st;
    int ks = key_len - 12;
    if ((ks != 16 && ks != 32) || (tag_len != 16 && tag_len != 8))
        return srtp_err_status_bad_param;
    c = phonesec__calloc(1, sizeof *c);
    st = phonesec__calloc_aligned(1, sizeof *st, 16); /* holds a wolfCrypt Aes (16-byte aligned) */
    if (c == NULL || st == NULL) {
        phonesec__free(c);
        phonesec__free_aligned_secret(st, sizeof *st);
        t_alloc_failed = 1;
        return srtp_err_status_alloc_fail;
    }
    st->key_size = ks;
    st->tag_len = tag_len;
    c->state = st;
    c->type = ks == 16 ? &gcm128 : &gcm256;
    c->algorithm = ks == 16 ? SRTP_AES_GCM_128 : SRTP_AES_GCM_256;
    c->key_len = key_len;
    *cp = c;
    return srtp_err_status_ok;
}

static srtp_err_status_t gcm_dealloc(srtp_cipher_pointer_t c)
{
    gcm_state *st = c->state;
    if (st != NULL) {
        phonesec__aes_wipe(&st->aes);
        phonesec__free_aligned_secret(st, sizeof *st);
    }
    phonesec__free_secret(c, sizeof *c);
    return srtp_err_status_ok;
}

static srtp_err_status_t gcm_init(void *state, const uint8_t *key)
{
    gcm_state *st = state;
    st->aad_len = 0;
    if (wc_AesInit(&st->aes, NULL, INVALID_DEVID) != 0 || wc_AesGcmSetKey(&st->aes, key, (word32)st->key_size) != 0)
        return srtp_err_status_init_fail;
    return srtp_err_status_ok;
}

static srtp_err_status_t gcm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
    gcm_state *st = state;
    if (dir != srtp_direction_encrypt && dir != srtp_direction_decrypt)
        return srtp_err_status_bad_param;
    memcpy(st->iv, iv, 12);
    st->aad_len = 0;
    return srtp_err_status_ok;
}

static srtp_err_status_t gcm_set_aad(void *state, const uint8_t *aad, uint32_t len)
{
    gcm_state *st = state;
    if (len > GCM_AAD_MAX - st->aad_len)
        return srtp_err_status_bad_param;
    if (len > 0)
        memcpy(st->aad + st->aad_len, aad, len);
    st->aad_len += len;
    return srtp_err_status_ok;
}

/* wolfCrypt wants tags of 12 bytes at least; a GCM tag of 8 bytes is the
 * first 8 bytes of the full one (libsrtp2's own tests use 8). */
static srtp_err_status_t gcm_encrypt(void *state, uint8_t *buf, unsigned int *len)
{
    gcm_state *st = state;
    int rc = wc_AesGcmEncrypt(&st->aes, buf, buf, *len, st->iv, 12, st->tag, 16, st->aad_len ? st->aad : NULL,
                              st->aad_len);
    st->aad_len = 0;
    return rc == 0 ? srtp_err_status_ok : srtp_err_status_cipher_fail;
}

static srtp_err_status_t gcm_get_tag(void *state, uint8_t *tag, uint32_t *len)
{
    gcm_state *st = state;
    memcpy(tag, st->tag, (size_t)st->tag_len); /* the first tag_len bytes of the full tag */
    *len = (uint32_t)st->tag_len;
    return srtp_err_status_ok;
}

static srtp_err_status_t gcm_decrypt(void *state, uint8_t *buf, unsigned int *len)
{
    gcm_state *st = state;
    unsigned int n;
    int rc;
    if (*len < (unsigned)st->tag_len)
        return srtp_err_status_bad_param;
    n = *len - (unsigned)st->tag_len;
    if (st->tag_len == 16) {
        rc = wc_AesGcmDecrypt(&st->aes, buf, buf, n, st->iv, 12, buf + n, 16, st->aad_len ? st->aad : NULL,
                              st->aad_len);
    } else {
        /* short tag: the keystream is the same both ways, so decrypt by
         * encrypting, then encrypt the plaintext again for the full tag over
         * the ciphertext, and compare its first tag_len bytes */
        uint8_t full[16], scratch[16];
        rc = wc_AesGcmEncrypt(&st->aes, buf, buf, n, st->iv, 12, scratch, 16, NULL, 0);
        if (rc == 0) {
            uint8_t *tmp = phonesec__malloc(n > 0 ? n : 1);
            if (tmp == NULL) {
                t_alloc_failed = 1;
                rc = -1;
            }
            else {
                memcpy(tmp, buf, n);
                rc = wc_AesGcmEncrypt(&st->aes, tmp, tmp, n, st->iv, 12, full, 16, st->aad_len ? st->aad : NULL,
                                      st->aad_len);
                phonesec__free_secret(tmp, n > 0 ? n : 1);
                if (rc == 0 && phonesec_ct_memcmp(full, buf + n, (size_t)st->tag_len) != 0) {
                    phonesec_memzero(buf, n);
                    rc = AES_GCM_AUTH_E;
                }
            }
        }
    }
    st->aad_len = 0;
    if (rc == AES_GCM_AUTH_E)
        return srtp_err_status_auth_fail;
    if (rc != 0)
        return srtp_err_status_cipher_fail;
    *len = n;
    return srtp_err_status_ok;
}

/* RFC 7714 16.1.1: session key || salt, IV, header as AAD, payload. */
static uint8_t gcm128_key[28] = {0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
                                 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x51, 0x75, 0x69, 0x64,
                                 0x20, 0x70, 0x72, 0x6f, 0x20, 0x71, 0x75, 0x6f};
static uint8_t gcm128_iv[12] = {0x51, 0x75, 0x3c, 0x65, 0x80, 0xc2, 0x72, 0x6f, 0x20, 0x71, 0x84, 0x14};
static const uint8_t gcm128_aad[12] = {0x80, 0x40, 0xf1, 0x7b, 0x80, 0x41, 0xf8, 0xd3, 0x55, 0x01, 0xa0, 0xb2};
static const uint8_t gcm128_pt[38] = {0x47, 0x61, 0x6c, 0x6c, 0x69, 0x61, 0x20, 0x65, 0x73, 0x74, 0x20, 0x6f, 0x6d,
                                      0x6e, 0x69, 0x73, 0x20, 0x64, 0x69, 0x76, 0x69, 0x73, 0x61, 0x20, 0x69, 0x6e,
                                      0x20, 0x70, 0x61, 0x72, 0x74, 0x65, 0x73, 0x20, 0x74, 0x72, 0x65, 0x73};
static const uint8_t gcm128_ct[54] = {
    0xf2, 0x4d, 0xe3, 0xa3, 0xfb, 0x34, 0xde, 0x6c, 0xac, 0xba, 0x86, 0x1c, 0x9d, 0x7e, 0x4b, 0xca, 0xbe, 0x63,
    0x3b, 0xd5, 0x0d, 0x29, 0x4e, 0x6f, 0x42, 0xa5, 0xf4, 0x7a, 0x51, 0xc7, 0xd1, 0x9b, 0x36, 0xde, 0x3a, 0xdf,
    0x88, 0x33, 0x89, 0x9d, 0x7f, 0x27, 0xbe, 0xb1, 0x6a, 0x91, 0x52, 0xcf, 0x76, 0x5e, 0xe4, 0x39, 0x0c, 0xce};
/* McGrew-Viega GCM test case 14 (AES-256, zero key and IV, one zero block). */
static uint8_t gcm256_key[44];
static uint8_t gcm256_iv[12];
static const uint8_t gcm256_ct[32] = {0xce, 0xa7, 0x40, 0x3d, 0x4d, 0x60, 0x6b, 0x6e, 0x07, 0x4e, 0xc5,
                                      0xd3, 0xba, 0xf3, 0x9d, 0x18, 0xd0, 0xd1, 0xc8, 0xa7, 0x99, 0x99,
                                      0x6b, 0xf0, 0x26, 0x5b, 0x98, 0xb5, 0xd4, 0x8a, 0xb9, 0x19};

static const srtp_cipher_test_case_t gcm128_tc = {28, gcm128_key, gcm128_iv, 38, gcm128_pt, 54, gcm128_ct,
                                                  12, gcm128_aad, 16, NULL};
static const srtp_cipher_test_case_t gcm256_tc = {44, gcm256_key, gcm256_iv, 16, zeros, 32, gcm256_ct,
                                                  0, NULL, 16, NULL};

static const srtp_cipher_type_t gcm128 = {gcm_alloc, gcm_dealloc, gcm_init, gcm_set_aad, gcm_encrypt, gcm_decrypt,
                                          gcm_set_iv, gcm_get_tag, "AES-128 GCM on wolfCrypt (libphonesec)",
                                          &gcm128_tc, SRTP_AES_GCM_128};
static const srtp_cipher_type_t gcm256 = {gcm_alloc, gcm_dealloc, gcm_init, gcm_set_aad, gcm_encrypt, gcm_decrypt,
                                          gcm_set_iv, gcm_get_tag, "AES-256 GCM on wolfCrypt (libphonesec)",
                                          &gcm256_tc, SRTP_AES_GCM_256};

/* ---- HMAC-SHA1 ----------------------------------------------------------- */

typedef struct hmac_state {
    phonesec__hmac1 h;
    wc_Sha work;
} hmac_state;

static const srtp_auth_type_t hmac;

static srtp_err_status_t hmac_alloc(srtp_auth_pointer_t *ap, int key_len, int out_len)
{
    srtp_auth_t *a;
    hmac_state *st;
    if (key_len < 0 || key_len > 20 || out_len < 0 || out_len > 20)
        return srtp_err_status_bad_param;
    a = phonesec__calloc(1, sizeof *a);
    st = phonesec__calloc_aligned(1, sizeof *st, _Alignof(hmac_state)); /* wolfCrypt state inside */
    if (a == NULL || st == NULL) {
        phonesec__free(a);
        phonesec__free_aligned_secret(st, sizeof *st);
        t_alloc_failed = 1;
        return srtp_err_status_alloc_fail;
    }
    a->state = st;
    a->type = &hmac;
    a->out_len = out_len;
    a->key_len = key_len;
    a->prefix_len = 0;
    *ap = a;
    return srtp_err_status_ok;
}

static srtp_err_status_t hmac_dealloc(srtp_auth_pointer_t a)
{
    phonesec__free_aligned_secret(a->state, sizeof(hmac_state));
    phonesec__free_secret(a, sizeof *a);
    return srtp_err_status_ok;
}

static srtp_err_status_t hmac_init(void *state, const uint8_t *key, int key_len)
{
    hmac_state *st = state;
    return phonesec__hmac1_init(&st->h, key, (size_t)key_len) == 0 ? srtp_err_status_ok : srtp_err_status_auth_fail;
}

static srtp_err_status_t hmac_start(void *state)
{
    hmac_state *st = state;
    phonesec__hmac1_start(&st->h, &st->work);
    return srtp_err_status_ok;
}

static srtp_err_status_t hmac_update(void *state, const uint8_t *buf, int n)
{
    hmac_state *st = state;
    if (n < 0)
        return srtp_err_status_bad_param;
    return wc_ShaUpdate(&st->work, buf, (word32)n) == 0 ? srtp_err_status_ok : srtp_err_status_auth_fail;
}

static srtp_err_status_t hmac_compute(void *state, const uint8_t *buf, int n, int tag_len, uint8_t *tag)
{
    hmac_state *st = state;
    uint8_t d[20];
    if (n < 0 || tag_len < 0 || tag_len > 20)
        return srtp_err_status_bad_param;
    if (wc_ShaUpdate(&st->work, buf, (word32)n) != 0 || phonesec__hmac1_finish(&st->h, &st->work, d) != 0)
        return srtp_err_status_auth_fail;
    memcpy(tag, d, (size_t)tag_len);
    phonesec_memzero(d, sizeof d);
    return srtp_err_status_ok;
}

/* RFC 2202 test case 1. */
static const uint8_t hmac_key[20] = {0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b,
                                     0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b, 0x0b};
static const uint8_t hmac_data[8] = {'H', 'i', ' ', 'T', 'h', 'e', 'r', 'e'};
static const uint8_t hmac_tag[20] = {0xb6, 0x17, 0x31, 0x86, 0x55, 0x05, 0x72, 0x64, 0xe2, 0x8b,
                                     0xc0, 0xb6, 0xfb, 0x37, 0x8c, 0x8e, 0xf1, 0x46, 0xbe, 0x00};
static const srtp_auth_test_case_t hmac_tc = {20, hmac_key, 8, hmac_data, 20, hmac_tag, NULL};

static const srtp_auth_type_t hmac = {hmac_alloc, hmac_dealloc, hmac_init, hmac_compute, hmac_update, hmac_start,
                                      "HMAC-SHA1 on wolfCrypt, keyed state precomputed (libphonesec)", &hmac_tc,
                                      SRTP_HMAC_SHA1};

int phonesec__srtp_lsw_install(void)
{
    static const srtp_cipher_type_t *const ct[] = {&icm128, &icm192, &icm256, &gcm128, &gcm256};
    size_t i;
    srtp_err_status_t st;
    for (i = 0; i < sizeof ct / sizeof ct[0]; i++) {
        st = srtp_replace_cipher_type(ct[i], ct[i]->id);
        if (st != srtp_err_status_ok)
            return -(int)(i + 1) * 100 - (int)st;
    }
    st = srtp_replace_auth_type(&hmac, SRTP_HMAC_SHA1);
    return st == srtp_err_status_ok ? 0 : -600 - (int)st;
}
