/* Shared helpers of the threads, oom and load tests: a TLS client/server
 * context pair on the test certificates (tests/tls/mkcerts.sh) and one
 * complete in-memory exchange (handshake, data both ways, close). */
#ifndef THREAD_UTIL_H
#define THREAD_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

#include "tls_test_util.h"

#define CHECK(cond)                                                                 \
    do {                                                                            \
        if (!(cond)) {                                                              \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
            exit(1);                                                                \
        }                                                                           \
    } while (0)

/* Client and server contexts (TLS 1.3 and 1.2 allowed, chain verified). */
static inline int tu_contexts(phonesec_tls_ctx **cctx, phonesec_tls_ctx **sctx)
{
    phonesec_tls_config cfg;
    int rc;
    *cctx = *sctx = NULL;
    phonesec_tls_config_init(&cfg);
    rc = phonesec_tls_ctx_new(&cfg, cctx);
    if (rc == 0)
        rc = phonesec_tls_ctx_add_trusted_file(*cctx, cert_path("ca.crt"));
    cfg.role = PHONESEC_TLS_SERVER;
    if (rc == 0)
        rc = phonesec_tls_ctx_new(&cfg, sctx);
    if (rc == 0)
        rc = phonesec_tls_ctx_set_certificate_file(*sctx, cert_path("server.crt"), cert_path("server.key"));
    if (rc != 0) {
        phonesec_tls_ctx_free(*cctx);
        phonesec_tls_ctx_free(*sctx);
        *cctx = *sctx = NULL;
    }
    return rc;
}

/* Move everything pending from one side to the other. */
static inline int tu_move(phonesec_tls_conn *from, phonesec_tls_conn *to)
{
    uint8_t buf[16384];
    size_t n, used;
    int rc;
    while ((rc = phonesec_tls_conn_drain(from, buf, sizeof buf, &n)) == PHONESEC_OK && n > 0) {
        rc = phonesec_tls_conn_feed(to, buf, n, &used);
        if (rc != PHONESEC_OK)
            return rc;
        if (used != n)
            return PHONESEC_E_INTERNAL;
    }
    return rc;
}

/* Read exactly len bytes that must equal want (pumping from the peer). */
static inline int tu_expect(phonesec_tls_conn *from, phonesec_tls_conn *to, const char *want)
{
    uint8_t got[64];
    size_t have = 0, n, len = strlen(want);
    int rc, i;
    for (i = 0; i < 8 && have < len; i++) {
        rc = tu_move(from, to);
        if (rc != PHONESEC_OK)
            return rc;
        rc = phonesec_tls_conn_read(to, got + have, sizeof got - have, &n);
        if (rc == PHONESEC_E_WOULD_BLOCK)
            continue;
        if (rc != PHONESEC_OK)
            return rc;
        have += n;
    }
    if (have != len || memcmp(got, want, len) != 0)
        return PHONESEC_E_INTERNAL;
    return PHONESEC_OK;
}

/* One client+server exchange in memory: handshake, a message each way,
 * close_notify from the client seen by the server. Returns PHONESEC_OK only
 * if every step succeeded and both sides report a verified, established
 * connection; otherwise the first error. */
static inline int tu_exchange(phonesec_tls_ctx *cctx, phonesec_tls_ctx *sctx)
{
    phonesec_tls_conn_config cc;
    phonesec_tls_conn *c = NULL, *s = NULL;
    phonesec_tls_info ic, is;
    size_t w;
    int rc, rs = PHONESEC_E_INTERNAL;
    uint8_t b[16];

    phonesec_tls_conn_config_init(&cc);
    cc.reference_name = "sip.example.com";
    rc = phonesec_tls_conn_new(cctx, &cc, &c);
    if (rc == 0)
        rc = phonesec_tls_conn_new(sctx, NULL, &s);
    if (rc == 0) {
        rc = pump(c, s, &rs);
        if (rc == 0 && rs != 0)
            rc = rs;
    }
    if (rc == 0) {
        ic.version = is.version = PHONESEC_TLS_INFO_VERSION;
        rc = phonesec_tls_conn_info(c, &ic);
        if (rc == 0)
            rc = phonesec_tls_conn_info(s, &is);
        if (rc == 0 && (!ic.established || !is.established || ic.chain != PHONESEC_TLS_CHECK_PASSED ||
                        ic.name != PHONESEC_TLS_CHECK_PASSED || !ic.peer_cert))
            rc = PHONESEC_E_INTERNAL;
        if (rc == 0) {
            /* the certificate the info promises must really be there */
            size_t need = 0;
            if (phonesec_tls_conn_peer_cert(c, NULL, 0, &need) != PHONESEC_E_BUFFER_SMALL || need == 0)
                rc = PHONESEC_E_INTERNAL;
        }
    }
    if (rc == 0)
        rc = phonesec_tls_conn_write(c, (const uint8_t *)"ping", 4, &w);
    if (rc == 0 && w != 4)
        rc = PHONESEC_E_INTERNAL;
    if (rc == 0)
        rc = tu_expect(c, s, "ping");
    if (rc == 0)
        rc = phonesec_tls_conn_write(s, (const uint8_t *)"pong", 4, &w);
    if (rc == 0 && w != 4)
        rc = PHONESEC_E_INTERNAL;
    if (rc == 0)
        rc = tu_expect(s, c, "pong");
    if (rc == 0)
        rc = phonesec_tls_conn_close(c);
    if (rc == 0)
        rc = tu_move(c, s);
    if (rc == 0) {
        size_t n;
        rc = phonesec_tls_conn_read(s, b, sizeof b, &n);
        rc = rc == PHONESEC_E_CLOSED ? PHONESEC_OK : (rc == 0 ? PHONESEC_E_INTERNAL : rc);
    }
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    return rc;
}

/* Resident set size of this process in KiB (/proc/self/status VmRSS). */
static inline long tu_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kib = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kib;
}

#endif
