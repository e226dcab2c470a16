/*
 * libphonesec - SRTP engines (internal).
 * SPDX-License-Identifier: MIT
 *
 * Two engines implement the phonesec_srtp API: "lib" on libsrtp2
 * (session.c, the reference) and "nat", the native engine on wolfCrypt
 * (native.c). srtp_front.c routes the public calls to the engine chosen
 * with -Dsrtp_engine; both are always compiled so that the differential
 * test can run them side by side. Each engine casts phonesec_srtp * to its
 * own session type; a handle only ever goes back to the engine that made it.
 */
#ifndef PHONESEC_SRTP_ENGINE_H
#define PHONESEC_SRTP_ENGINE_H

#include "core/internal.h"
#include "phonesec/srtp.h"

typedef struct phonesec__srtp_suite {
    int suite;
    const char *name;
    size_t key_len;
    size_t salt_len;
    int gcm;
    int tag32;
    int null_cipher;
    int bits; /* AES key size */
    int f8;
    const char *alias; /* another spelling peers send (RFC 6188's AES_CM_192_...), or NULL */
} phonesec__srtp_suite;

PHONESEC__INTERNAL const phonesec__srtp_suite *phonesec__srtp_find_suite(int suite);
/* 1 when phonesec_srtp_* run on the native engine, 0 on libsrtp2. */
PHONESEC__INTERNAL int phonesec__srtp_engine_native(void);

#define PHONESEC__SRTP_ENGINE_DECL(e)                                                                                \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_suite_supported(int suite);                                        \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_new(const phonesec_srtp_params *params, int direction,             \
                                                    unsigned opts, phonesec_srtp **out);                             \
    PHONESEC__INTERNAL void phonesec__srtp_##e##_free(phonesec_srtp *s);                                           \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_update(phonesec_srtp *s, const phonesec_srtp_params *params);      \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_set_active_key(phonesec_srtp *s, size_t index);                    \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_protect(phonesec_srtp *s, const uint8_t *in, size_t in_len,        \
                                                        uint8_t *out, size_t out_cap, size_t *out_len);              \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_unprotect(phonesec_srtp *s, const uint8_t *in, size_t in_len,      \
                                                          uint8_t *out, size_t out_cap, size_t *out_len);            \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_protect_rtcp(phonesec_srtp *s, const uint8_t *in, size_t in_len,   \
                                                             uint8_t *out, size_t out_cap, size_t *out_len);         \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_unprotect_rtcp(phonesec_srtp *s, const uint8_t *in, size_t in_len, \
                                                               uint8_t *out, size_t out_cap, size_t *out_len);       \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_get_roc(const phonesec_srtp *s, uint32_t ssrc, uint32_t *roc);     \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_get_info(const phonesec_srtp *s, phonesec_srtp_info *info);        \
    PHONESEC__INTERNAL int phonesec__srtp_##e##_last_error(const phonesec_srtp *s, char *buf, size_t cap);

/* Flags every engine knows (phonesec_srtp_params.flags). */
#define PHONESEC__SRTP_ALL_FLAGS (PHONESEC_SRTP_F_UNENCRYPTED_SRTP | PHONESEC_SRTP_F_UNENCRYPTED_SRTCP | \
                                  PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP | PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT)

/* What an engine runs beyond the suite itself (phonesec_srtp_engine_supports()
 * after the checks common to both): PHONESEC_OK, PHONESEC_E_UNSUPPORTED or
 * PHONESEC_E_CRYPTO. */
PHONESEC__INTERNAL int phonesec__srtp_lib_supports(int suite, unsigned flags, unsigned features);
PHONESEC__INTERNAL int phonesec__srtp_nat_supports(int suite, unsigned flags, unsigned features);

PHONESEC__SRTP_ENGINE_DECL(lib)
PHONESEC__SRTP_ENGINE_DECL(nat)

/* Test hook of the native engine: set the last SRTCP index of an SSRC. */
PHONESEC__INTERNAL int phonesec__srtp_nat_test_set_rtcp_index(phonesec_srtp *s, uint32_t ssrc, uint32_t index);
/* Test hook of the native engine: session keys of key 0 given directly
 * (vectors that give session keys, not master keys). */
PHONESEC__INTERNAL int phonesec__srtp_nat_test_set_keys(phonesec_srtp *s, int rtcp, const uint8_t *key, size_t key_len,
                                                        const uint8_t *salt, size_t salt_len);

/* Install the wolfCrypt AES-ICM/AES-GCM/HMAC-SHA1 types into libsrtp2's
 * crypto kernel (lsw.c); 0 on success. Called once, after srtp_init(). */
PHONESEC__INTERNAL int phonesec__srtp_lsw_install(void);
/* Whether one of those types failed to allocate on this thread since the
 * flag was last cleared (clear: reset it). */
PHONESEC__INTERNAL int phonesec__srtp_lsw_alloc_failed(int clear);

#endif
