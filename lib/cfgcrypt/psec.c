/*
 * libphonesec - cfgcrypt: the psec format: RFC 8188 records whose key id block
 * names the key derivation (raw HKDF, PBKDF2 or scrypt) and its salt.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/pwdbased.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "cfgcrypt/cfgcrypt_int.h"

/* psec key id block: "PSEC" ver kdf params(4) ksalt(16). */
void phonesec__cfgcrypt_psec_id_make(phonesec_cfgcrypt_ctx *c, int kdf, const uint8_t ksalt[16])
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
int phonesec__cfgcrypt_psec_ikm(phonesec_cfgcrypt_ctx *c, const uint8_t *id, size_t id_len, uint8_t ikm[32], size_t *ikm_len)
{
    int kdf, rc;
    if (id_len != PSEC_ID_LEN || memcmp(id, "PSEC", 4) != 0)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "not a psec file (no PSEC key id block)");
    if (id[4] != PSEC_VERSION)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_UNSUPPORTED, "unknown psec version");
    kdf = id[5];
    if (kdf == PSEC_KDF_RAW) {
        if (c->secret_is_password)
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_INVAL, "file was made with raw keying material, not a password");
        if (memcmp(id + 6, "\0\0\0\0", 4) != 0)
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "psec raw mode with non-zero KDF parameters");
        /* IKM = HKDF-SHA256(salt = ksalt, IKM = key, info = "psec raw", 32):
         * every byte of the key id block is bound to the content key. */
        rc = wc_HKDF(WC_SHA256, c->secret, (word32)c->secret_len, id + 10, 16, (const byte *)"psec raw", 8, ikm, 32);
        if (rc != 0)
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "HKDF failed");
        *ikm_len = 32;
        return PHONESEC_OK;
    }
    if (!c->secret_is_password)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_INVAL, "file is password-protected: give a password");
    if (kdf == PSEC_KDF_PBKDF2) {
        uint32_t it = rd32(id + 6);
        if (it < PSEC_ITER_MIN)
            return phonesec__cfgcrypt_failf(c, PHONESEC_E_POLICY, "PBKDF2 iteration count in the header (%lu) is below %u",
                         (unsigned long)it, PSEC_ITER_MIN);
        if ((rc = phonesec__cfgcrypt_pbkdf2_limit(c, it, "in the header ")) != 0)
            return rc;
        rc = wc_PBKDF2(ikm, c->secret, (int)c->secret_len, id + 10, 16, (int)it, 32, WC_SHA256);
    } else if (kdf == PSEC_KDF_SCRYPT) {
#ifdef HAVE_SCRYPT
        unsigned ln = id[6], r = id[7], p = id[8];
        if (id[9] != 0)
            return phonesec__cfgcrypt_fail(c, PHONESEC_E_PARSE, "scrypt parameters in the header: fourth byte is not 0");
        if ((rc = phonesec__cfgcrypt_scrypt_check(c, ln, r, p, "in the header ")) != 0)
            return rc;
        rc = wc_scrypt(ikm, c->secret, (int)c->secret_len, id + 10, 16, (int)ln, (int)r, (int)p, 32);
#else
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_UNSUPPORTED, "this build of wolfCrypt has no scrypt");
#endif
    } else {
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_UNSUPPORTED, "unknown psec key derivation");
    }
    if (rc == MEMORY_E) /* wolfCrypt allocates scrypt's table itself */
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_NOMEM, "no memory for the password key derivation");
    if (rc != 0)
        return phonesec__cfgcrypt_fail(c, PHONESEC_E_CRYPTO, "password key derivation failed");
    *ikm_len = 32;
    return PHONESEC_OK;
}

/* Encryption: the key id block (KDF, its parameters and a salt of its own)
 * and the IKM it gives with the password or key. */
int phonesec__cfgcrypt_psec_enc_ikm(phonesec_cfgcrypt_ctx *c, const uint8_t *fixed_salt, uint8_t ikm[32], size_t *ikm_len)
{
    int rc = PHONESEC_OK;
    uint8_t ksalt[16];
    int kdf = c->kdf == PHONESEC_CFGCRYPT_KDF_PBKDF2   ? PSEC_KDF_PBKDF2
              : c->kdf == PHONESEC_CFGCRYPT_KDF_SCRYPT ? PSEC_KDF_SCRYPT
                                                  : PSEC_KDF_RAW;
    /* The KDF salt is independent of the content salt. With a
     * fixed salt (tests) it is derived from it. */
    if (fixed_salt != NULL) {
        size_t i;
        for (i = 0; i < 16; i++)
            ksalt[i] = (uint8_t)(fixed_salt[i] ^ 0x5c);
    } else if (phonesec_random(ksalt, 16) != 0) {
        rc = phonesec__cfgcrypt_fail(c, PHONESEC_E_RANDOM, "the random source failed");
    }
    if (rc == 0) {
        phonesec__cfgcrypt_psec_id_make(c, kdf, ksalt);
        rc = phonesec__cfgcrypt_psec_ikm(c, c->key_id, c->key_id_len, ikm, ikm_len);
    }
    return rc;
}
