/*
 * libphonesec - SRTP sessions on libsrtp2.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_SRTP_H
#define PHONESEC_SRTP_H

#include <stddef.h>
#include <stdint.h>

#include "phonesec/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/srtp.h
 * \brief SRTP crypto suites, negotiated key parameters, and SRTP sessions.
 *
 * The parameter types here are what the SDES module (phonesec/sdes.h)
 * produces and what SRTP sessions consume; neither exposes libsrtp2 types.
 */

/** \name SRTP crypto suites (fixed numbers, part of the ABI)
 * @{ */
#define PHONESEC_SRTP_SUITE_NONE                0
#define PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80   1  /**< RFC 4568 */
#define PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32   2  /**< RFC 4568 */
#define PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80   3  /**< RFC 6188 */
#define PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32   4  /**< RFC 6188 */
#define PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80   5  /**< RFC 6188 */
#define PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32   6  /**< RFC 6188 */
#define PHONESEC_SRTP_AEAD_AES_128_GCM          7  /**< RFC 7714 */
#define PHONESEC_SRTP_AEAD_AES_256_GCM          8  /**< RFC 7714 */
#define PHONESEC_SRTP_F8_128_HMAC_SHA1_80       9  /**< RFC 4568; recognised, never usable (libsrtp2 lacks F8) */
#define PHONESEC_SRTP_NULL_HMAC_SHA1_80        10  /**< no encryption; only when explicitly enabled */
#define PHONESEC_SRTP_NULL_HMAC_SHA1_32        11  /**< no encryption; only when explicitly enabled */
/** @} */

/** Largest master key (AES-256). */
#define PHONESEC_SRTP_MAX_KEY_LEN 32
/** Largest master salt (112 bits for AES-CM; GCM uses 96). */
#define PHONESEC_SRTP_MAX_SALT_LEN 14
/** Largest MKI (RFC 4568: 1..128 bytes). */
#define PHONESEC_SRTP_MAX_MKI_LEN 128
/** Master keys per direction (libsrtp2's limit). */
#define PHONESEC_SRTP_MAX_KEYS 16

/** \name Flags of phonesec_srtp_params (RFC 4568 session parameters and compatibility)
 * @{ */
#define PHONESEC_SRTP_F_UNENCRYPTED_SRTP      (1u << 0) /**< RTP payload not encrypted */
#define PHONESEC_SRTP_F_UNENCRYPTED_SRTCP     (1u << 1) /**< RTCP not encrypted */
#define PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP  (1u << 2) /**< RTP not authenticated */
/** SRTCP with a _32 suite uses a 32-bit tag (Asterisk, FreeSWITCH, baresip,
 *  Linphone) instead of RFC 4568's 80-bit one. */
#define PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT    (1u << 8)
/** @} */

/** One master key with its salt, MKI and lifetime. */
typedef struct phonesec_srtp_key {
    uint8_t key[PHONESEC_SRTP_MAX_KEY_LEN];
    size_t key_len;
    uint8_t salt[PHONESEC_SRTP_MAX_SALT_LEN];
    size_t salt_len;
    uint8_t mki[PHONESEC_SRTP_MAX_MKI_LEN]; /**< MKI value, big-endian, mki_len bytes */
    size_t mki_len;                          /**< 0: no MKI */
    uint64_t lifetime;                       /**< packets; 0: the suite's maximum */
} phonesec_srtp_key;

/** Version of struct phonesec_srtp_params understood by this header. */
#define PHONESEC_SRTP_PARAMS_VERSION 1

/** Parameters of one direction of SRTP: what SDES negotiated for it. */
typedef struct phonesec_srtp_params {
    unsigned version;  /**< PHONESEC_SRTP_PARAMS_VERSION */
    int suite;         /**< PHONESEC_SRTP_* */
    unsigned flags;    /**< PHONESEC_SRTP_F_* */
    size_t n_keys;     /**< 1..PHONESEC_SRTP_MAX_KEYS; with n_keys > 1 every key has an MKI */
    phonesec_srtp_key keys[PHONESEC_SRTP_MAX_KEYS];
    uint32_t kdr;      /**< key derivation rate as 2^kdr; 0 = none (RFC 4568 KDR=) */
    uint32_t wsh;      /**< replay window size; 0 = default 64 (RFC 4568 WSH=) */
    uint32_t roc;      /**< initial rollover counter (kept across a rekey) */
} phonesec_srtp_params;

/** \brief Initialise params to version, no suite, no keys. */
PHONESEC_API void phonesec_srtp_params_init(phonesec_srtp_params *p);

/** \brief Wipe the key material in params (safe on any state). */
PHONESEC_API void phonesec_srtp_params_wipe(phonesec_srtp_params *p);

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_SRTP_H */
