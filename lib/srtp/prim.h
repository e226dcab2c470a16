/*
 * libphonesec - SRTP building blocks on wolfCrypt (internal).
 * SPDX-License-Identifier: MIT
 *
 * Keys are expanded once (AES key schedule, GCM table, HMAC inner and outer
 * SHA-1 state); a packet then costs one keystream and one HMAC finish. No
 * allocation, no lock, no global state.
 */
#ifndef PHONESEC_SRTP_PRIM_H
#define PHONESEC_SRTP_PRIM_H

#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/sha.h>

#include "core/internal.h"

/* HMAC-SHA1 with the keyed inner and outer states precomputed. */
typedef struct phonesec__hmac1 {
    wc_Sha inner, outer;
} phonesec__hmac1;

PHONESEC__INTERNAL int phonesec__hmac1_init(phonesec__hmac1 *h, const uint8_t *key, size_t key_len);
/* The first 20 bytes of HMAC(a || b); b may be NULL with blen 0. */
PHONESEC__INTERNAL int phonesec__hmac1_2(const phonesec__hmac1 *h, const uint8_t *a, size_t alen, const uint8_t *b,
                                         size_t blen, uint8_t out[20]);
/* Streaming use: start copies the inner state into work. */
PHONESEC__INTERNAL int phonesec__hmac1_start(const phonesec__hmac1 *h, wc_Sha *work);
PHONESEC__INTERNAL int phonesec__hmac1_finish(const phonesec__hmac1 *h, wc_Sha *work, uint8_t out[20]);
PHONESEC__INTERNAL void phonesec__hmac1_wipe(phonesec__hmac1 *h);

/* AES in counter mode: key set once, counter block per packet. */
PHONESEC__INTERNAL int phonesec__aesctr_init(Aes *a, const uint8_t *key, size_t key_len);
/* XOR the keystream starting at counter block iv into in -> out (may alias). */
PHONESEC__INTERNAL int phonesec__aesctr(Aes *a, const uint8_t iv[16], const uint8_t *in, uint8_t *out, size_t n);
PHONESEC__INTERNAL void phonesec__aes_wipe(Aes *a);

/* AES-F8 (RFC 3711 4.1.2). e holds the session key k_e, ivk the key
 * k_e XOR m with m = session salt || 0x55.. (set by phonesec__aesf8_init).
 * Keystream: IV' = E(k_e XOR m, IV); S(-1) = 0;
 * S(j) = E(k_e, IV' XOR j XOR S(j-1)); in XOR S -> out (may alias). */
PHONESEC__INTERNAL int phonesec__aesf8_init(Aes *e, Aes *ivk, const uint8_t *key, size_t key_len, const uint8_t *salt,
                                            size_t salt_len);
PHONESEC__INTERNAL int phonesec__aesf8(Aes *e, Aes *ivk, const uint8_t iv[16], const uint8_t *in, uint8_t *out,
                                       size_t n);

#endif
