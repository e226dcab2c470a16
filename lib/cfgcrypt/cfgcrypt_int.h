/*
 * libphonesec - cfgcrypt: what the format files (openssl.c, yealink.c,
 * rfc8188.c, psec.c), the dispatcher (cfgcrypt.c) and the file helper
 * (cfgfile.c) share. Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_CFGCRYPT_INT_H
#define PHONESEC_CFGCRYPT_INT_H

#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>

#include "core/internal.h"
#include "core/text.h"
#include "phonesec/cfgcrypt.h"

/* phonesec_cfgcrypt_encrypt_new() (enc 1) or _decrypt_new() (enc 0), with the
 * reason of a failure written to why ("<strerror>: <detail>"). */
PHONESEC__INTERNAL int phonesec__cfgcrypt_new(const phonesec_cfgcrypt_params *p, int enc, phonesec_cfgcrypt_ctx **out,
                                              char *why, size_t cap);

/* Tests only: 1 makes the file helper use a named temporary file even where
 * O_TMPFILE works (the portable path). */
PHONESEC__INTERNAL extern int phonesec__cfgfile_no_tmpfile;

/* ---- the streaming context ------------------------------------------- */

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
    phonesec__b64_enc b64e; /* core streaming base64 (core/text.h) */
    phonesec__b64_dec b64d;
    /* output cursor of the current call */
    uint8_t *o;
    size_t o_cap, o_len;
};
static inline void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline int is_record_format(int f)
{
    return f == PHONESEC_CFGCRYPT_RFC8188 || f == PHONESEC_CFGCRYPT_PSEC;
}


/* ---- cfgcrypt.c: errors, work limits, output cursor, header dispatch -- */

/* Record the error (the context fails from here on); returns code. */
PHONESEC__INTERNAL int phonesec__cfgcrypt_fail(phonesec_cfgcrypt_ctx *c, int code, const char *what);
PHONESEC__INTERNAL int phonesec__cfgcrypt_failf(phonesec_cfgcrypt_ctx *c, int code, const char *fmt, ...) PHONESEC__PRINTF(3, 4);
/* Work limits; where names the source in the text ("in the header " or ""). */
PHONESEC__INTERNAL int phonesec__cfgcrypt_pbkdf2_limit(phonesec_cfgcrypt_ctx *c, uint32_t it, const char *where);
PHONESEC__INTERNAL int phonesec__cfgcrypt_scrypt_check(phonesec_cfgcrypt_ctx *c, unsigned ln, unsigned r, unsigned p,
                                                       const char *where);
PHONESEC__INTERNAL int phonesec__cfgcrypt_record_size_limit(phonesec_cfgcrypt_ctx *c, uint32_t rs, const char *where);
/* Output of the current call: append n bytes, or room for n bytes in place. */
PHONESEC__INTERNAL int phonesec__cfgcrypt_put_raw(phonesec_cfgcrypt_ctx *c, const uint8_t *d, size_t n);
PHONESEC__INTERNAL uint8_t *phonesec__cfgcrypt_room(phonesec_cfgcrypt_ctx *c, size_t n);
/* Decryption input after the armour: header, then the format's body. */
PHONESEC__INTERNAL int phonesec__cfgcrypt_dec_feed(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n);

/* ---- openssl.c: armour, key derivation, block engine (also yealink) -- */

PHONESEC__INTERNAL int phonesec__cfgcrypt_emit(phonesec_cfgcrypt_ctx *c, const uint8_t *d, size_t n);
PHONESEC__INTERNAL int phonesec__cfgcrypt_emit_b64_final(phonesec_cfgcrypt_ctx *c);
PHONESEC__INTERNAL int phonesec__cfgcrypt_dec_feed_b64(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n);
PHONESEC__INTERNAL int phonesec__cfgcrypt_dec_b64_final(phonesec_cfgcrypt_ctx *c);
PHONESEC__INTERNAL int phonesec__cfgcrypt_openssl_keys(phonesec_cfgcrypt_ctx *c, const uint8_t salt[8]);
PHONESEC__INTERNAL int phonesec__cfgcrypt_blk_encrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n);
PHONESEC__INTERNAL int phonesec__cfgcrypt_blk_decrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n);
PHONESEC__INTERNAL int phonesec__cfgcrypt_blk_final(phonesec_cfgcrypt_ctx *c);

/* ---- yealink.c ------------------------------------------------------- */

PHONESEC__INTERNAL int phonesec__cfgcrypt_yealink_keys(phonesec_cfgcrypt_ctx *c);

/* ---- rfc8188.c: records (also psec's body) --------------------------- */

PHONESEC__INTERNAL int phonesec__cfgcrypt_rfc_keys(phonesec_cfgcrypt_ctx *c, const uint8_t *ikm, size_t ikm_len,
                                                   const uint8_t salt[16]);
PHONESEC__INTERNAL int phonesec__cfgcrypt_rec_encrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n);
PHONESEC__INTERNAL int phonesec__cfgcrypt_rec_encrypt_final(phonesec_cfgcrypt_ctx *c);
PHONESEC__INTERNAL int phonesec__cfgcrypt_rec_open(phonesec_cfgcrypt_ctx *c, const uint8_t *src, size_t len, int is_end);
PHONESEC__INTERNAL int phonesec__cfgcrypt_rec_header_done(phonesec_cfgcrypt_ctx *c);
PHONESEC__INTERNAL int phonesec__cfgcrypt_rec_decrypt(phonesec_cfgcrypt_ctx *c, const uint8_t *in, size_t n);

/* ---- psec.c: the key id block ---------------------------------------- */

PHONESEC__INTERNAL void phonesec__cfgcrypt_psec_id_make(phonesec_cfgcrypt_ctx *c, int kdf, const uint8_t ksalt[16]);
PHONESEC__INTERNAL int phonesec__cfgcrypt_psec_ikm(phonesec_cfgcrypt_ctx *c, const uint8_t *id, size_t id_len, uint8_t ikm[32],
                                                   size_t *ikm_len);
PHONESEC__INTERNAL int phonesec__cfgcrypt_psec_enc_ikm(phonesec_cfgcrypt_ctx *c, const uint8_t *fixed_salt, uint8_t ikm[32],
                                                       size_t *ikm_len);

#endif
