/*
 * libphonesec - tls module: object layouts shared by ctx.c and conn.c
 * (include after <wolfssl/options.h> and <wolfssl/ssl.h>). Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_TLS_CTX_H
#define PHONESEC_TLS_CTX_H

#include "tls/tls_internal.h"

#define PHONESEC__TLS_MAX_SUITES 256

typedef struct phonesec__tls_trusted {
    uint8_t *der;
    size_t len;
    int is_ca;
    uint8_t sha256[32];
    char subject[256];
} phonesec__tls_trusted;

typedef struct phonesec__tls_blob {
    uint8_t *data;
    size_t len;
    int pem;
} phonesec__tls_blob;

struct phonesec_tls_ctx {
    phonesec__err err;
    phonesec_tls_config cfg; /* string fields not kept */
    WOLFSSL_CTX *w;          /* current build */
    phonesec__tls_trusted *trusted; /* cfg.max_trusted slots */
    size_t n_trusted;
    uint8_t *chain;
    size_t chain_len;
    int chain_pem;
    uint8_t *key; /* secret: wiped on free */
    size_t key_len;
    int key_pem;
    phonesec__tls_blob *crl;
    size_t n_crl;
    char **domains;
    size_t n_domains;
    uint16_t suites[PHONESEC__TLS_MAX_SUITES];
    size_t n_suites;
};

PHONESEC__INTERNAL int phonesec__tls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store);

#endif
