/*
 * libphonesec - tls module internals. Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_TLS_INTERNAL_H
#define PHONESEC_TLS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "phonesec/tls.h"

/* ---- DER certificate names (names.c): no allocation, spans point into the DER ---- */

#define PHONESEC__TLS_MAX_SANS 256

#define PHONESEC__GN_EMAIL 1
#define PHONESEC__GN_DNS 2
#define PHONESEC__GN_URI 6
#define PHONESEC__GN_IP 7

typedef struct phonesec__tls_certnames {
    const uint8_t *subject; /* whole Name TLV */
    size_t subject_len;
    const uint8_t *issuer; /* whole Name TLV */
    size_t issuer_len;
    const uint8_t *cn; /* value bytes of the last CN, NULL when none */
    size_t cn_len;
    int has_san_ext; /* the certificate has a subjectAltName extension */
    const uint8_t *san; /* content of the GeneralNames SEQUENCE */
    size_t san_len;
    size_t n_san;
    int is_ca; /* basicConstraints cA TRUE */
    size_t n_cn; /* number of CNs in the subject (several: none is used for matching) */
    const uint8_t *validity; /* content of the Validity SEQUENCE */
    size_t validity_len;
} phonesec__tls_certnames;

/* notBefore / notAfter as seconds since 1970-01-01 UTC (UTCTime or
 * GeneralizedTime in the RFC 5280 form only). PHONESEC_OK or PHONESEC_E_PARSE. */
/* Allocations of wolfSSL's refused on this thread so far (counted when its
 * memory is routed through the platform hook; 0 for ever otherwise). */
PHONESEC__INTERNAL unsigned long phonesec__tls_backend_oom(void);

PHONESEC__INTERNAL int phonesec__tls_cert_validity(const phonesec__tls_certnames *cn, int64_t *not_before,
                                                   int64_t *not_after);

/* Parse a DER certificate far enough for identity checks.
 * PHONESEC_OK, PHONESEC_E_PARSE, PHONESEC_E_LIMIT (too many SANs). */
PHONESEC__INTERNAL int phonesec__tls_cert_names(const uint8_t *der, size_t len, phonesec__tls_certnames *out);

/* Iterate the SANs: *pos starts at 0; returns 1 with type/value, 0 at end. */
PHONESEC__INTERNAL int phonesec__tls_san_next(const phonesec__tls_certnames *cn, size_t *pos, int *type,
                                              const uint8_t **val, size_t *val_len);

/* Identity check on parsed names (see phonesec_tls_cert_check_name()). */
PHONESEC__INTERNAL int phonesec__tls_match(const phonesec__tls_certnames *cn, int mode, const char *reference,
                                           char *why, size_t why_cap);

/* Name TLV -> "CN=x,O=y" (truncated to fit, always NUL-terminated when cap > 0). */
/* Non-blocking TCP connect to host:port (lib/tls/sock.c); see there for wait_ms. */
PHONESEC__INTERNAL int phonesec__tls_tcp_connect(const char *host, unsigned port, int wait_ms, int *fd_out);
PHONESEC__INTERNAL void phonesec__tls_name_string(const uint8_t *name, size_t len, char *out, size_t cap);
/* SANs -> "DNS:a, URI:sip:b, IP:127.0.0.1". */
PHONESEC__INTERNAL void phonesec__tls_sans_string(const phonesec__tls_certnames *cn, char *out, size_t cap);

/* Is host a syntactically valid DNS name (LDH labels, optional trailing dot,
 * last label not a number)? */
PHONESEC__INTERNAL int phonesec__tls_valid_hostname(const char *host, size_t len);
/* 4 or 16 when s is an IPv4 (dotted decimal) or IPv6 literal (brackets, a
 * zone and one trailing dot allowed; out holds the address); -1 when s is
 * an IP address in another or a broken spelling ("10.1", "010.0.0.1",
 * "1.2.3.4.5", "[x]"): never a host name, never matched; 0 otherwise. */
PHONESEC__INTERNAL int phonesec__tls_ip_literal(const char *s, uint8_t out[16]);
/* host equals domain or is a subdomain of it (case-insensitive, one trailing
 * dot ignored); an IP address or a malformed name is in no domain. */
PHONESEC__INTERNAL int phonesec__tls_in_domain(const char *host, const char *domain);

/* ---- Allocator routing for wolfSSL (ctx.c) ---- */
PHONESEC__INTERNAL void phonesec__tls_global_init(void);

#endif
