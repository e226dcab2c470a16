/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/version.h>
#include <srtp2/srtp.h>

#include "core/internal.h"

#ifndef PHONESEC_SRTP_COMPILED_VERSION
#define PHONESEC_SRTP_COMPILED_VERSION "unknown"
#endif

const char *phonesec_version(void)
{
    return PHONESEC_VERSION_STRING;
}

unsigned long phonesec_version_number(void)
{
    return PHONESEC_VERSION_NUMBER;
}

unsigned phonesec_features(void)
{
    unsigned f = 0;
#ifdef PHONESEC_HAVE_CIPHERS
    f |= PHONESEC_FEATURE_CIPHERS;
#endif
#ifdef PHONESEC_HAVE_TLS
    f |= PHONESEC_FEATURE_TLS;
#endif
#ifdef PHONESEC_HAVE_FLOW
    f |= PHONESEC_FEATURE_FLOW;
#endif
#ifdef PHONESEC_HAVE_SDES
    f |= PHONESEC_FEATURE_SDES;
#endif
#ifdef PHONESEC_HAVE_SRTP
    f |= PHONESEC_FEATURE_SRTP;
#endif
#ifdef PHONESEC_HAVE_MEDIASEC
    f |= PHONESEC_FEATURE_MEDIASEC;
#endif
#ifdef PHONESEC_HAVE_CFGCRYPT
    f |= PHONESEC_FEATURE_CFGCRYPT;
#endif
#ifdef PHONESEC_HAVE_LEGACY_RC4
    f |= PHONESEC_FEATURE_LEGACY_RC4;
#endif
    return f;
}

const char *phonesec_backend_version(int backend, int linked)
{
    switch (backend) {
    case PHONESEC_BACKEND_WOLFSSL:
        return linked ? wolfSSL_lib_version() : LIBWOLFSSL_VERSION_STRING;
    case PHONESEC_BACKEND_LIBSRTP:
        return linked ? srtp_get_version_string() : PHONESEC_SRTP_COMPILED_VERSION;
    default:
        return NULL;
    }
}

static const struct {
    unsigned bit;
    const char *name;
} feature_names[] = {
    {PHONESEC_FEATURE_CIPHERS, "ciphers"},   {PHONESEC_FEATURE_TLS, "tls"},           {PHONESEC_FEATURE_FLOW, "flow"},
    {PHONESEC_FEATURE_SDES, "sdes"},         {PHONESEC_FEATURE_SRTP, "srtp"},
    {PHONESEC_FEATURE_MEDIASEC, "mediasec"}, {PHONESEC_FEATURE_CFGCRYPT, "cfgcrypt"},
    {PHONESEC_FEATURE_LEGACY_RC4, "legacy_rc4 (legacy obfuscation, not security)"},
};

int phonesec_build_report(char *buf, size_t cap, size_t *out_len)
{
    char tmp[1024];
    size_t n = 0, i;
    unsigned f = phonesec_features();
    int w;

    if (buf == NULL && cap > 0)
        return PHONESEC_E_INVAL;

#define ADD(...)                                                          \
    do {                                                                  \
        w = snprintf(tmp + n, sizeof tmp - n, __VA_ARGS__);               \
        if (w < 0 || (size_t)w >= sizeof tmp - n)                         \
            return PHONESEC_E_INTERNAL;                                   \
        n += (size_t)w;                                                   \
    } while (0)

    ADD("libphonesec %s\n", phonesec_version());
    ADD("modules: core");
    for (i = 0; i < sizeof feature_names / sizeof feature_names[0]; i++)
        if (f & feature_names[i].bit)
            ADD(" %s", feature_names[i].name);
    ADD("\n");
    ADD("wolfSSL: compiled %s, linked %s\n", phonesec_backend_version(PHONESEC_BACKEND_WOLFSSL, 0),
        phonesec_backend_version(PHONESEC_BACKEND_WOLFSSL, 1));
    ADD("libsrtp2: compiled %s, linked %s\n", phonesec_backend_version(PHONESEC_BACKEND_LIBSRTP, 0),
        phonesec_backend_version(PHONESEC_BACKEND_LIBSRTP, 1));
    ADD("hooks: allocator %s, log %s, random %s, clock %s\n",
        phonesec__platform_custom(0) ? "host" : "default",
        phonesec__platform_custom(1) ? "host" : "off",
        phonesec__platform_custom(2) ? "host" : "wolfCrypt DRBG",
        phonesec__platform_custom(3) ? "host" : "CLOCK_MONOTONIC");
#undef ADD
    if (out_len != NULL)
        *out_len = n;
    if (n + 1 > cap)
        return PHONESEC_E_BUFFER_SMALL;
    memcpy(buf, tmp, n + 1);
    return PHONESEC_OK;
}
