/*
 * libphonesec - ciphers: internal declarations. Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_CIPHERS_INTERNAL_H
#define PHONESEC_CIPHERS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "phonesec/ciphers.h"

/* Algorithm bits, one per algorithm, combined into masks exactly as
 * OpenSSL's ssl_local.h combines its SSL_k* / SSL_a* / SSL_e* / SSL_m*
 * bits (the numbers are ours; only the set algebra matters). */
#define K_RSA      0x0001u
#define K_DHE      0x0002u
#define K_ECDHE    0x0004u
#define K_PSK      0x0008u
#define K_RSAPSK   0x0010u
#define K_ECDHEPSK 0x0020u
#define K_DHEPSK   0x0040u
#define K_SRP      0x0080u
#define K_GOST     0x0100u
#define K_GOST18   0x0200u
#define K_ANY      0x0000u /* TLS 1.3: never matched by cipher strings */
#define K_PSK_ALL  (K_PSK | K_RSAPSK | K_ECDHEPSK | K_DHEPSK)

#define A_RSA    0x0001u
#define A_DSS    0x0002u
#define A_NULL   0x0004u
#define A_ECDSA  0x0008u
#define A_PSK    0x0010u
#define A_GOST01 0x0020u
#define A_GOST12 0x0040u
#define A_SRP    0x0080u
#define A_ANY    0x0000u

#define E_DES              0x000001u
#define E_3DES             0x000002u
#define E_RC4              0x000004u
#define E_RC2              0x000008u
#define E_IDEA             0x000010u
#define E_NULL             0x000020u
#define E_AES128           0x000040u
#define E_AES256           0x000080u
#define E_CAMELLIA128      0x000100u
#define E_CAMELLIA256      0x000200u
#define E_GOST89           0x000400u
#define E_SEED             0x000800u
#define E_AES128GCM        0x001000u
#define E_AES256GCM        0x002000u
#define E_AES128CCM        0x004000u
#define E_AES256CCM        0x008000u
#define E_AES128CCM8       0x010000u
#define E_AES256CCM8       0x020000u
#define E_GOST8912         0x040000u
#define E_CHACHA20POLY1305 0x080000u
#define E_ARIA128GCM       0x100000u
#define E_ARIA256GCM       0x200000u
#define E_MAGMA            0x400000u
#define E_KUZNYECHIK       0x800000u
#define E_AESGCM   (E_AES128GCM | E_AES256GCM)
#define E_AESCCM   (E_AES128CCM | E_AES256CCM | E_AES128CCM8 | E_AES256CCM8)
#define E_AES      (E_AES128 | E_AES256 | E_AESGCM | E_AESCCM)
#define E_CAMELLIA (E_CAMELLIA128 | E_CAMELLIA256)
#define E_ARIA     (E_ARIA128GCM | E_ARIA256GCM)
#define E_CBC      (E_DES | E_3DES | E_RC2 | E_IDEA | E_AES128 | E_AES256 | E_CAMELLIA128 | E_CAMELLIA256 | E_SEED)

#define M_MD5        0x0001u
#define M_SHA1       0x0002u
#define M_GOST94     0x0004u
#define M_GOST89MAC  0x0008u
#define M_SHA256     0x0010u
#define M_SHA384     0x0020u
#define M_AEAD       0x0040u
#define M_GOST12_256 0x0080u
#define M_GOST89MAC12 0x0100u
#define M_GOST12_512 0x0200u

/* Strength classes (OpenSSL's algo_strength): the first five bits form
 * one group ("strong mask"), NOT_DEFAULT a second one. */
#define C_STRONG_NONE 0x01u
#define C_LOW         0x02u
#define C_MEDIUM      0x04u
#define C_HIGH        0x08u
#define C_FIPS        0x10u
#define C_STRONG_MASK 0x1Fu
#define C_NOT_DEFAULT 0x20u
#define C_DEFAULT_MASK 0x20u

/* Protocol versions, as on the wire. */
#define V_SSL3   0x0300
#define V_TLS1   0x0301
#define V_TLS1_2 0x0303
#define V_TLS1_3 0x0304

/* One table entry: the public description first (phonesec_ciphers_at()
 * hands out a pointer to it), then the masks the engine works on. */
typedef struct phonesec__cipher {
    phonesec_ciphers_suite pub;
    uint32_t mkey, auth, enc, mac;
    uint16_t min_tls;
    uint8_t cls;
} phonesec__cipher;

/* Upper bound of the table size: the engine's lists live on the stack and
 * hold table indices in uint8_t. */
#define PHONESEC__CIPHERS_MAX 128

/* The whole table, sorted by IANA code; TLS 1.3 entries included. */
PHONESEC__INTERNAL const phonesec__cipher *phonesec__ciphers_table(size_t *n);

/* Computes OpenSSL's default preference order of the TLS 1.2 suites (table
 * indices) at run time; returns the count (out written when it fits). The
 * engine uses a precomputed copy (order.inc); tests compare the two. */
PHONESEC__INTERNAL size_t phonesec__ciphers_default_order(uint8_t *out, size_t cap);

/* wolfSSL's own name for a suite, or NULL when the linked wolfSSL lacks it. */
PHONESEC__INTERNAL const char *phonesec__ciphers_wolfssl_name(uint16_t iana);

#endif
