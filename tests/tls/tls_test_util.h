/* Shared helpers of the tls tests and benchmark: certificate matrix and
 * in-memory client/server pairs (feed/drain mode). */
#ifndef TLS_TEST_UTIL_H
#define TLS_TEST_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <phonesec.h>

static char g_certdir[256];

/* Make the certificate matrix once (tests/tls/mkcerts.sh, openssl CLI). */
static inline int make_certs(void)
{
    const char *src = getenv("PHONESEC_SRCDIR");
    char cmd[1024];
    snprintf(g_certdir, sizeof g_certdir, "/tmp/phonesec-tls-XXXXXX");
    if (mkdtemp(g_certdir) == NULL)
        return -1;
    snprintf(cmd, sizeof cmd, "sh '%s/tests/tls/mkcerts.sh' '%s'", src ? src : ".", g_certdir);
    return system(cmd) == 0 ? 0 : -1;
}

static inline void remove_certs(void)
{
    char cmd[600];
    if (g_certdir[0] == '\0')
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_certdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", g_certdir);
}

static inline char *cert_path(const char *name)
{
    static char p[8][512];
    static int i;
    i = (i + 1) % 8;
    snprintf(p[i], sizeof p[i], "%s/%s", g_certdir, name);
    return p[i];
}

static inline uint8_t *slurp(const char *name, size_t *len)
{
    FILE *f = fopen(cert_path(name), "rb");
    uint8_t *b;
    long n;
    *len = 0;
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)n + 1);
    if (b == NULL || fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Move bytes both ways and drive both handshakes until both are done or
 * nothing moves. Returns the client's handshake result; *srv_rc the server's. */
static inline int pump(phonesec_tls_conn *cli, phonesec_tls_conn *srv, int *srv_rc)
{
    uint8_t buf[32768];
    int rc_c = PHONESEC_E_WOULD_BLOCK, rc_s = PHONESEC_E_WOULD_BLOCK, i;
    for (i = 0; i < 100; i++) {
        size_t n, used, moved = 0;
        if (rc_c == PHONESEC_E_WOULD_BLOCK)
            rc_c = phonesec_tls_conn_handshake(cli);
        if (rc_s == PHONESEC_E_WOULD_BLOCK)
            rc_s = phonesec_tls_conn_handshake(srv);
        while (phonesec_tls_conn_drain(cli, buf, sizeof buf, &n) == PHONESEC_OK && n > 0) {
            int rf = phonesec_tls_conn_feed(srv, buf, n, &used);
            if (rf != PHONESEC_OK)
                return rf; /* out of memory for the receive buffer is NOMEM */
            if (used != n)
                return PHONESEC_E_INTERNAL;
            moved += n;
        }
        while (phonesec_tls_conn_drain(srv, buf, sizeof buf, &n) == PHONESEC_OK && n > 0) {
            int rf = phonesec_tls_conn_feed(cli, buf, n, &used);
            if (rf != PHONESEC_OK)
                return rf; /* out of memory for the receive buffer is NOMEM */
            if (used != n)
                return PHONESEC_E_INTERNAL;
            moved += n;
        }
        if (moved == 0 && rc_c != PHONESEC_E_WOULD_BLOCK && rc_s != PHONESEC_E_WOULD_BLOCK)
            break;
        if (moved == 0 && i > 3 && (rc_c != PHONESEC_E_WOULD_BLOCK || rc_s != PHONESEC_E_WOULD_BLOCK))
            break;
    }
    if (srv_rc)
        *srv_rc = rc_s;
    return rc_c;
}

/* Let both sides process whatever is in flight (TLS 1.3 tickets...). */
static inline void settle(phonesec_tls_conn *cli, phonesec_tls_conn *srv)
{
    uint8_t buf[32768];
    size_t n, used, got;
    int i;
    for (i = 0; i < 4; i++) {
        while (phonesec_tls_conn_drain(srv, buf, sizeof buf, &n) == PHONESEC_OK && n > 0)
            if (phonesec_tls_conn_feed(cli, buf, n, &used) != PHONESEC_OK)
                return;
        if (phonesec_tls_conn_read(cli, buf, sizeof buf, &got) == PHONESEC_E_INTERNAL)
            return;
        while (phonesec_tls_conn_drain(cli, buf, sizeof buf, &n) == PHONESEC_OK && n > 0)
            if (phonesec_tls_conn_feed(srv, buf, n, &used) != PHONESEC_OK)
                return;
        if (phonesec_tls_conn_read(srv, buf, sizeof buf, &got) == PHONESEC_E_INTERNAL)
            return;
    }
}

#endif
