/*
 * libphonesec - SRTP public API: the suite table and the engine chosen at
 * build time (-Dsrtp_engine).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "srtp/engine.h"

#if defined(PHONESEC_SRTP_ENGINE_NATIVE)
#define ENG(f) phonesec__srtp_nat_##f
#define ENGINE_HAS_F8 1
#define ENGINE_NATIVE 1
#else
#define ENG(f) phonesec__srtp_lib_##f
#define ENGINE_HAS_F8 0
#define ENGINE_NATIVE 0
#endif

/* The SRTP suite table of the library (lib/sdes reads it through
 * phonesec_srtp_suite_get_info()). */
static const phonesec__srtp_suite suites[] = {
    {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, "AES_CM_128_HMAC_SHA1_80", 16, 14, 0, 0, 0, 128, 0, NULL},
    {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, "AES_CM_128_HMAC_SHA1_32", 16, 14, 0, 1, 0, 128, 0, NULL},
    {PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80, "AES_192_CM_HMAC_SHA1_80", 24, 14, 0, 0, 0, 192, 0, "AES_CM_192_HMAC_SHA1_80"},
    {PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32, "AES_192_CM_HMAC_SHA1_32", 24, 14, 0, 1, 0, 192, 0, "AES_CM_192_HMAC_SHA1_32"},
    {PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80, "AES_256_CM_HMAC_SHA1_80", 32, 14, 0, 0, 0, 256, 0, "AES_CM_256_HMAC_SHA1_80"},
    {PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32, "AES_256_CM_HMAC_SHA1_32", 32, 14, 0, 1, 0, 256, 0, "AES_CM_256_HMAC_SHA1_32"},
    {PHONESEC_SRTP_AEAD_AES_128_GCM, "AEAD_AES_128_GCM", 16, 12, 1, 0, 0, 128, 0, NULL},
    {PHONESEC_SRTP_AEAD_AES_256_GCM, "AEAD_AES_256_GCM", 32, 12, 1, 0, 0, 256, 0, NULL},
    {PHONESEC_SRTP_F8_128_HMAC_SHA1_80, "F8_128_HMAC_SHA1_80", 16, 14, 0, 0, 0, 128, 1, NULL},
    {PHONESEC_SRTP_NULL_HMAC_SHA1_80, "NULL_HMAC_SHA1_80", 16, 14, 0, 0, 1, 128, 0, NULL},
    {PHONESEC_SRTP_NULL_HMAC_SHA1_32, "NULL_HMAC_SHA1_32", 16, 14, 0, 1, 1, 128, 0, NULL},
};

const phonesec__srtp_suite *phonesec__srtp_find_suite(int suite)
{
    size_t i;
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++)
        if (suites[i].suite == suite)
            return &suites[i];
    return NULL;
}

int phonesec__srtp_engine_native(void)
{
    return ENGINE_NATIVE;
}

void phonesec_srtp_params_init(phonesec_srtp_params *p)
{
    if (p == NULL)
        return;
    memset(p, 0, sizeof *p);
    p->version = PHONESEC_SRTP_PARAMS_VERSION;
    p->suite = PHONESEC_SRTP_SUITE_NONE;
}

void phonesec_srtp_params_wipe(phonesec_srtp_params *p)
{
    if (p == NULL)
        return;
    phonesec_memzero(p->keys, sizeof p->keys);
    p->n_keys = 0;
}

const char *phonesec_srtp_suite_name(int suite)
{
    const phonesec__srtp_suite *sd = phonesec__srtp_find_suite(suite);
    return sd != NULL ? sd->name : NULL;
}

int phonesec_srtp_suite_lengths(int suite, size_t *key_len, size_t *salt_len)
{
    const phonesec__srtp_suite *sd = phonesec__srtp_find_suite(suite);
    if (sd == NULL)
        return PHONESEC_E_INVAL;
    if (key_len != NULL)
        *key_len = sd->key_len;
    if (salt_len != NULL)
        *salt_len = sd->salt_len;
    return sd->f8 && !ENGINE_HAS_F8 ? PHONESEC_E_UNSUPPORTED : PHONESEC_OK;
}

int phonesec_srtp_suite_supported(int suite)
{
    return ENG(suite_supported)(suite);
}

int phonesec_srtp_suite_get_info(int suite, phonesec_srtp_suite_info *info)
{
    /* Sizes of phonesec_srtp_suite_info by struct version (sizes[0]: 1.1, forever). */
    static const size_t sizes[PHONESEC_SRTP_SUITE_INFO_VERSION] = {sizeof(phonesec_srtp_suite_info)};
    const phonesec__srtp_suite *sd = phonesec__srtp_find_suite(suite);
    phonesec_srtp_suite_info full;
    if (sd == NULL || info == NULL)
        return PHONESEC_E_INVAL;
    memset(&full, 0, sizeof full);
    full.version = PHONESEC_SRTP_SUITE_INFO_VERSION;
    full.suite = sd->suite;
    full.name = sd->name;
    full.alias = sd->alias;
    full.key_len = sd->key_len;
    full.salt_len = sd->salt_len;
    full.rtp_tag_len = sd->gcm ? 16 : sd->tag32 ? 4 : 10;
    full.rtcp_tag_len = sd->gcm ? 16 : 10; /* RFC 4568: SRTCP keeps 80 bits with _32 suites */
    full.rtcp_tag32_len = sd->gcm ? 16 : sd->tag32 ? 4 : 10;
    full.aead = sd->gcm;
    full.encrypts = !sd->null_cipher;
    full.explicit_only = sd->f8 || sd->null_cipher;
    return phonesec__struct_out(info, &full, sizes, PHONESEC_SRTP_SUITE_INFO_VERSION);
}

int phonesec_srtp_engine_supports(int suite, unsigned flags, unsigned features)
{
    const phonesec__srtp_suite *sd = phonesec__srtp_find_suite(suite);
    int rc;
    if (sd == NULL || (flags & ~(unsigned)PHONESEC__SRTP_ALL_FLAGS) ||
        (features & ~(unsigned)(PHONESEC_SRTP_FEAT_MKI | PHONESEC_SRTP_FEAT_KDR)))
        return PHONESEC_E_INVAL;
    if (sd->gcm && (flags & (PHONESEC_SRTP_F_UNENCRYPTED_SRTP | PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP)))
        return PHONESEC_E_UNSUPPORTED;
    rc = ENG(suite_supported)(suite);
    if (rc != PHONESEC_OK)
        return rc;
    return ENG(supports)(suite, flags, features);
}

int phonesec_srtp_new(const phonesec_srtp_params *params, int direction, unsigned opts, phonesec_srtp **out)
{
    return ENG(new)(params, direction, opts, out);
}

void phonesec_srtp_free(phonesec_srtp *s)
{
    ENG(free)(s);
}

int phonesec_srtp_update(phonesec_srtp *s, const phonesec_srtp_params *params)
{
    return ENG(update)(s, params);
}

int phonesec_srtp_set_active_key(phonesec_srtp *s, size_t index)
{
    return ENG(set_active_key)(s, index);
}

int phonesec_srtp_protect(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    return ENG(protect)(s, in, in_len, out, out_cap, out_len);
}

int phonesec_srtp_unprotect(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                            size_t *out_len)
{
    return ENG(unprotect)(s, in, in_len, out, out_cap, out_len);
}

int phonesec_srtp_protect_rtcp(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    return ENG(protect_rtcp)(s, in, in_len, out, out_cap, out_len);
}

int phonesec_srtp_unprotect_rtcp(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    return ENG(unprotect_rtcp)(s, in, in_len, out, out_cap, out_len);
}

int phonesec_srtp_get_roc(const phonesec_srtp *s, uint32_t ssrc, uint32_t *roc)
{
    return ENG(get_roc)(s, ssrc, roc);
}

int phonesec_srtp_get_info(const phonesec_srtp *s, phonesec_srtp_info *info)
{
    return ENG(get_info)(s, info);
}

int phonesec_srtp_last_error(const phonesec_srtp *s, char *buf, size_t cap)
{
    return ENG(last_error)(s, buf, cap);
}
