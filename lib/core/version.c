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

/* ------------------------------------------------------------ backend profile */

static unsigned wolfssl_caps(void)
{
    unsigned c = 0;
#ifdef WOLFSSL_TLS13
    c |= PHONESEC_CAP_TLS13;
#endif
#ifndef NO_OLD_TLS
    c |= PHONESEC_CAP_TLS11;
#ifdef WOLFSSL_ALLOW_TLSV10
    c |= PHONESEC_CAP_TLS10;
#endif
#endif
#if defined(WOLFSSL_STATIC_RSA) && !defined(NO_RSA)
    c |= PHONESEC_CAP_STATIC_RSA;
#endif
#if defined(WOLFSSL_SRTP) && defined(WOLFSSL_DTLS)
    c |= PHONESEC_CAP_USE_SRTP;
#endif
#ifdef WOLFSSL_DTLS
    c |= PHONESEC_CAP_DTLS;
#endif
#ifdef HAVE_KEYING_MATERIAL
    c |= PHONESEC_CAP_KEYING_MATERIAL;
#endif
#ifdef HAVE_SESSION_TICKET
    c |= PHONESEC_CAP_SESSION_TICKETS;
#endif
#ifdef HAVE_CRL
    c |= PHONESEC_CAP_CRL;
#endif
#if defined(WOLFSSL_AESNI) || defined(WOLFSSL_ARMASM) || defined(WOLFSSL_AFALG) || defined(WOLFSSL_DEVCRYPTO_AES)
    c |= PHONESEC_CAP_ASSEMBLY;
#endif
#ifndef NO_RC4
    c |= PHONESEC_CAP_RC4;
#endif
#ifndef NO_DES3
    c |= PHONESEC_CAP_3DES;
#endif
#ifdef HAVE_NULL_CIPHER
    c |= PHONESEC_CAP_NULL_CIPHER;
#endif
#ifdef HAVE_ANON
    c |= PHONESEC_CAP_ANON;
#endif
#ifdef OPENSSL_EXTRA
    c |= PHONESEC_CAP_OPENSSL_EXTRA;
#endif
#ifdef OPENSSL_ALL
    c |= PHONESEC_CAP_OPENSSL_ALL;
#endif
#ifdef HAVE_SCRYPT
    c |= PHONESEC_CAP_SCRYPT;
#endif
    return c;
}

static const char *wolfssl_assembly(void)
{
#if defined(WOLFSSL_AESNI) && defined(USE_INTEL_SPEEDUP)
    return "AES-NI + Intel AVX (x86_64)";
#elif defined(WOLFSSL_AESNI)
    return "AES-NI (x86_64)";
#elif defined(WOLFSSL_ARMASM) && defined(__aarch64__)
    return "ARMv8 crypto extensions (aarch64)";
#elif defined(WOLFSSL_ARMASM)
    return "ARMv8 crypto extensions (AArch32)";
#elif defined(WOLFSSL_AFALG) || defined(WOLFSSL_DEVCRYPTO_AES)
    return "kernel crypto offload";
#else
    return "none";
#endif
}

int phonesec_version_info(phonesec_build_info *info)
{
    /* Sizes of phonesec_build_info by struct version (sizes[0]: 1.1, forever). */
    static const size_t sizes[PHONESEC_BUILD_INFO_VERSION] = {sizeof(phonesec_build_info)};
    phonesec_build_info full;
    if (info == NULL)
        return PHONESEC_E_INVAL;
    memset(&full, 0, sizeof full);
    full.version = PHONESEC_BUILD_INFO_VERSION;
    full.library_version = phonesec_version();
    full.modules = phonesec_features();
    full.backend_name = "wolfSSL";
    full.backend_version = phonesec_backend_version(PHONESEC_BACKEND_WOLFSSL, 1);
    full.backend_compiled = phonesec_backend_version(PHONESEC_BACKEND_WOLFSSL, 0);
    full.backend_caps = wolfssl_caps();
    full.backend_assembly = wolfssl_assembly();
#if !defined(PHONESEC_HAVE_SRTP)
    full.srtp_engine = "none (srtp module not built)";
#elif defined(PHONESEC_SRTP_ENGINE_NATIVE)
    full.srtp_engine = "native (wolfCrypt)";
#else
    full.srtp_engine = "libsrtp2";
#endif
    full.srtp_version = phonesec_backend_version(PHONESEC_BACKEND_LIBSRTP, 1);
    return phonesec__struct_out(info, &full, sizes, PHONESEC_BUILD_INFO_VERSION);
}
