/*
 * libphonesec - TLS contexts on wolfSSL.
 *
 * The context keeps its whole configuration (trust list as DER, own
 * certificate/key, CRLs, cipher allow-list) and builds a fresh WOLFSSL_CTX
 * from it on every change. A change is tried on a new WOLFSSL_CTX and only
 * swapped in when everything loaded, so a failed change leaves the previous
 * one working. Connections hold a reference to the WOLFSSL_CTX they were made
 * with (wolfSSL reference-counts it).
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/memory.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "tls/tls_ctx.h"

#ifdef PHONESEC_HAVE_CIPHERS
#include "phonesec/ciphers.h"
#endif

/* ---------------------------------------------------------------- wolfSSL allocator routing */

/* wolfSSL's own allocations (WOLFSSL_CTX, WOLFSSL, record buffers, keys)
 * can go through the host allocator hook too (phonesec_tls_route_backend_memory()),
 * so a firmware sees, and a benchmark counts, every byte a connection holds.
 * Opt-in only: wolfSSL also keeps process-wide caches (its global RNG, the
 * FP-ECC point cache, the error queue) that it frees at process exit, so the
 * hook that allocated them must still be installed then. */
static _Thread_local unsigned long g_w_oom; /* backend allocations refused on this thread */
static void *w_malloc(size_t n)
{
    void *p = phonesec__malloc(n);
    g_w_oom += p == NULL;
    return p;
}
static void w_free(void *p) { phonesec__free(p); }
unsigned long phonesec__tls_backend_oom(void) { return g_w_oom; }
static void *w_realloc(void *p, size_t n)
{
    void *q = phonesec__realloc(p, n);
    g_w_oom += q == NULL;
    return q;
}

/* What a failed wolfSSL load call really means: wolfSSL reports running out
 * of memory as MEMORY_E, as a plain failure, or as the parse error of what
 * it was reading. When an allocation failed during the call (seen through
 * the routed allocator), or the code says memory, it is PHONESEC_E_NOMEM;
 * otherwise the caller's code for refused material. */
static int load_code(unsigned long oom_before, int r, int refused)
{
    if (r == MEMORY_E || r == MEMORY_ERROR || g_w_oom != oom_before)
        return PHONESEC_E_NOMEM;
    return refused;
}

static int g_tls_global;
static atomic_uint_fast64_t g_ctx_ids; /* process-unique context ids */

/* At phonesec_shutdown(): wolfSSL's global state (its RNG, session cache)
 * goes back through the allocator that made it. */
static void tls_global_cleanup(void)
{
    wolfSSL_Cleanup();
    g_tls_global = 0;
}

void phonesec__tls_global_init(void)
{
    if (g_tls_global)
        return;
    wolfSSL_Init();
    (void)phonesec__at_shutdown(tls_global_cleanup);
    g_tls_global = 1;
}

int phonesec_tls_route_backend_memory(void)
{
    if (g_tls_global)
        return PHONESEC_E_STATE;
    if (wolfSSL_SetAllocators(w_malloc, w_free, w_realloc) != 0)
        return PHONESEC_E_UNSUPPORTED;
    phonesec__tls_global_init();
    return PHONESEC_OK;
}

/* ---------------------------------------------------------------- helpers */

void phonesec_tls_config_init(phonesec_tls_config *cfg)
{
    static const phonesec_tls_config init = PHONESEC_TLS_CONFIG_INIT;
    if (cfg != NULL)
        *cfg = init;
}

static int fmt_is_pem(const uint8_t *d, size_t n, int format)
{
    if (format == PHONESEC_TLS_FORMAT_PEM)
        return 1;
    if (format == PHONESEC_TLS_FORMAT_DER)
        return 0;
    {
        static const char tag[] = "-----BEGIN";
        size_t i, tl = sizeof tag - 1;
        for (i = 0; i + tl <= n; i++)
            if (memcmp(d + i, tag, tl) == 0)
                return 1;
    }
    return 0;
}

/* Find the next "-----BEGIN <label>-----" block; decode its base64 body.
 * *pos advances. Returns 1 found (out allocated), 0 none left, <0 error. */
static int pem_next(const uint8_t *d, size_t n, size_t *pos, const char *label, uint8_t **out, size_t *out_len)
{
    char begin[64], end[64];
    size_t bl, el, i, j, k;
    char *b64;
    uint8_t *der;
    size_t b64n = 0, dn;
    int rc;

    snprintf(begin, sizeof begin, "-----BEGIN %s-----", label);
    snprintf(end, sizeof end, "-----END %s-----", label);
    bl = strlen(begin);
    el = strlen(end);
    for (i = *pos; i + bl <= n; i++)
        if (memcmp(d + i, begin, bl) == 0)
            break;
    if (i + bl > n) {
        *pos = n;
        return 0;
    }
    i += bl;
    for (j = i; j + el <= n; j++)
        if (memcmp(d + j, end, el) == 0)
            break;
    if (j + el > n)
        return PHONESEC_E_PARSE;
    b64 = phonesec__malloc(j - i + 1);
    if (b64 == NULL)
        return PHONESEC_E_NOMEM;
    for (k = i; k < j; k++) {
        uint8_t c = d[k];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
            continue;
        b64[b64n++] = (char)c;
    }
    dn = b64n / 4 * 3 + 3;
    der = phonesec__malloc(dn);
    if (der == NULL) {
        phonesec__free(b64);
        return PHONESEC_E_NOMEM;
    }
    rc = phonesec_base64_decode(b64, b64n, PHONESEC_BASE64_STD, der, dn, &dn, NULL);
    phonesec__free(b64);
    if (rc != PHONESEC_OK || dn == 0) {
        phonesec__free(der);
        return PHONESEC_E_PARSE;
    }
    *out = der;
    *out_len = dn;
    *pos = j + el;
    return 1;
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f;
    uint8_t *buf = NULL, *nb;
    size_t cap = 0, n = 0, r;

    f = fopen(path, "rb");
    if (f == NULL)
        return PHONESEC_E_IO;
    for (;;) {
        if (n == cap) {
            if (cap >= (size_t)16 << 20) { /* 16 MiB: not a certificate */
                phonesec__free_secret(buf, cap);
                fclose(f);
                return PHONESEC_E_LIMIT;
            }
            /* Grow by copy, wiping the old block: the file may hold a
             * private key, and realloc would free it unwiped. */
            nb = phonesec__malloc(cap ? cap * 2 : 4096);
            if (nb == NULL) {
                phonesec__free_secret(buf, cap);
                fclose(f);
                return PHONESEC_E_NOMEM;
            }
            if (n > 0)
                memcpy(nb, buf, n);
            phonesec__free_secret(buf, cap);
            buf = nb;
            cap = cap ? cap * 2 : 4096;
        }
        r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (ferror(f)) {
        phonesec__free_secret(buf, cap);
        fclose(f);
        return PHONESEC_E_IO;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return PHONESEC_OK;
}

static void wolf_err_text(int e, char *buf, size_t cap)
{
    char tmp[WOLFSSL_MAX_ERROR_SZ];
    wolfSSL_ERR_error_string_n((unsigned long)(e < 0 ? -e : e), tmp, sizeof tmp);
    snprintf(buf, cap, "%s (wolfSSL %d)", tmp, e);
    wolfSSL_ERR_clear_error();
}

/* ---------------------------------------------------------------- cipher policy */

#define DEFAULT_TLS13 "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"

static int eval_ciphers(phonesec_tls_ctx *c, const char *list, const char *tls13, int preset, uint16_t *codes,
                        size_t *n, int *used_fallback)
{
#ifdef PHONESEC_HAVE_CIPHERS
    size_t n13 = 0, n12 = 0;
    int rc, fb = 0;
    if (c->cfg.max_version >= PHONESEC_TLS_V1_3) {
        rc = phonesec_ciphers_select_tls13(tls13 ? tls13 : DEFAULT_TLS13, codes, PHONESEC__TLS_MAX_SUITES, &n13);
        if (rc != PHONESEC_OK) /* "" selects none (OK); a list naming no known suite is an error */
            return phonesec__fail(&c->err, rc, "TLS 1.3 suite list '%s' is invalid", tls13 ? tls13 : "");
    }
    if (c->cfg.min_version <= PHONESEC_TLS_V1_2) {
        rc = phonesec_ciphers_select_or_preset(list, preset, codes + n13, PHONESEC__TLS_MAX_SUITES - n13, &n12, &fb);
        if (rc != PHONESEC_OK) /* a string that selects nothing is an error even beside TLS 1.3 suites */
            return phonesec__fail(&c->err, rc, "cipher string '%s' selects no usable suite", list ? list : "");
    }
    if (n13 + n12 == 0)
        return phonesec__fail(&c->err, PHONESEC_E_NO_MATCH, "the cipher policy leaves no suite");
    if (used_fallback)
        *used_fallback = fb;
    *n = n13 + n12;
    return PHONESEC_OK;
#else
    /* Built without the ciphers module: a fixed, explicit allow-list of
     * forward-secret AEAD suites (still never wolfSSL's default list). */
    static const uint16_t fixed[] = {0x1302, 0x1303, 0x1301, 0xC02C, 0xC030, 0xCCA9, 0xCCA8,
                                     0xC02B, 0xC02F, 0x009F, 0x009E};
    (void)list;
    (void)tls13;
    (void)preset;
    memcpy(codes, fixed, sizeof fixed);
    *n = sizeof fixed / sizeof fixed[0];
    if (used_fallback)
        *used_fallback = 0;
    return PHONESEC_OK;
#endif
}

static int apply_ciphers(WOLFSSL_CTX *w, const uint16_t *codes, size_t n, char *why, size_t cap)
{
#ifdef PHONESEC_HAVE_CIPHERS
    int rc = phonesec_ciphers_apply_wolfssl(w, codes, n);
    if (rc != PHONESEC_OK)
        snprintf(why, cap, "the cipher allow-list was refused by wolfSSL");
    return rc;
#else
    char list[2048];
    size_t i, len = 0;
    list[0] = '\0';
    for (i = 0; i < n; i++) {
        const char *nm = wolfSSL_get_cipher_name_from_suite((unsigned char)(codes[i] >> 8),
                                                            (unsigned char)(codes[i] & 0xff));
        if (nm == NULL || strcmp(nm, "None") == 0)
            continue;
        if (phonesec__buf_append(list, sizeof list, &len, len ? ":" : "", len ? 1 : 0) != 0 ||
            phonesec__buf_append(list, sizeof list, &len, nm, strlen(nm)) != 0)
            break;
    }
    if (len == 0 || wolfSSL_CTX_set_cipher_list(w, list) != WOLFSSL_SUCCESS) {
        snprintf(why, cap, "the cipher allow-list was refused by wolfSSL");
        return PHONESEC_E_CRYPTO;
    }
    return PHONESEC_OK;
#endif
}

/* ---------------------------------------------------------------- key/certificate match */

/* wolfSSL 5.5.4's wolfSSL_CTX_check_private_key() accepts an EC key of the
 * same curve that belongs to another certificate. So the pair is proven the
 * way a peer would: a TLS 1.3 handshake in memory between a throw-away
 * server holding the pair and a client checking its CertificateVerify
 * signature against the certificate. Nothing leaves the process. */
typedef struct {
    uint8_t *buf;
    size_t len;
} kp_pipe;

typedef struct {
    kp_pipe *rx, *tx;
} kp_end;

#define KP_CAP 32768

static int kp_recv(WOLFSSL *s, char *buf, int sz, void *ud)
{
    kp_end *e = ud;
    size_t n = e->rx->len < (size_t)sz ? e->rx->len : (size_t)sz;
    (void)s;
    if (n == 0)
        return WOLFSSL_CBIO_ERR_WANT_READ;
    memcpy(buf, e->rx->buf, n);
    memmove(e->rx->buf, e->rx->buf + n, e->rx->len - n);
    e->rx->len -= n;
    return (int)n;
}

static int kp_send(WOLFSSL *s, char *buf, int sz, void *ud)
{
    kp_end *e = ud;
    (void)s;
    if (e->tx->len + (size_t)sz > KP_CAP)
        return WOLFSSL_CBIO_ERR_GENERAL;
    memcpy(e->tx->buf + e->tx->len, buf, (size_t)sz);
    e->tx->len += (size_t)sz;
    return sz;
}

static int keypair_check_once(phonesec_tls_ctx *c)
{
    WOLFSSL_CTX *sc = NULL, *cc = NULL;
    WOLFSSL *ss = NULL, *cs = NULL;
    kp_pipe a = {NULL, 0}, b = {NULL, 0};
    kp_end ce = {&b, &a}, se = {&a, &b};
    int rc = PHONESEC_E_NOMEM, i, rcs = 0, rcc = 0, es = 0, ec = 0;
    unsigned long oom0 = g_w_oom;

    a.buf = phonesec__malloc(KP_CAP);
    b.buf = phonesec__malloc(KP_CAP);
    sc = wolfSSL_CTX_new(wolfTLSv1_3_server_method());
    cc = wolfSSL_CTX_new(wolfTLSv1_3_client_method());
    if (a.buf == NULL || b.buf == NULL || sc == NULL || cc == NULL)
        goto out;
    if (wolfSSL_CTX_use_certificate_chain_buffer_format(sc, c->chain, (long)c->chain_len,
                                                        c->chain_pem ? WOLFSSL_FILETYPE_PEM
                                                                     : WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS ||
        wolfSSL_CTX_use_PrivateKey_buffer(sc, c->key, (long)c->key_len,
                                          c->key_pem ? WOLFSSL_FILETYPE_PEM : WOLFSSL_FILETYPE_ASN1) !=
            WOLFSSL_SUCCESS) {
        rc = load_code(oom0, 0, PHONESEC_E_PARSE);
        goto out;
    }
    if (wolfSSL_CTX_check_private_key(sc) != WOLFSSL_SUCCESS) { /* catches type mismatches */
        rc = phonesec__fail(&c->err, PHONESEC_E_AUTH, "the private key does not belong to the certificate");
        goto out;
    }
    wolfSSL_CTX_set_verify(cc, WOLFSSL_VERIFY_NONE, NULL);
    ss = wolfSSL_new(sc);
    cs = wolfSSL_new(cc);
    if (ss == NULL || cs == NULL)
        goto out;
    wolfSSL_SSLSetIORecv(ss, kp_recv);
    wolfSSL_SSLSetIOSend(ss, kp_send);
    wolfSSL_SetIOReadCtx(ss, &se);
    wolfSSL_SetIOWriteCtx(ss, &se);
    wolfSSL_SSLSetIORecv(cs, kp_recv);
    wolfSSL_SSLSetIOSend(cs, kp_send);
    wolfSSL_SetIOReadCtx(cs, &ce);
    wolfSSL_SetIOWriteCtx(cs, &ce);
    for (i = 0; i < 10 && (rcc != WOLFSSL_SUCCESS || rcs != WOLFSSL_SUCCESS); i++) {
        if (rcc != WOLFSSL_SUCCESS) {
            rcc = wolfSSL_connect(cs);
            ec = rcc == WOLFSSL_SUCCESS ? 0 : wolfSSL_get_error(cs, rcc);
            if (ec != 0 && ec != WOLFSSL_ERROR_WANT_READ)
                break;
        }
        if (rcs != WOLFSSL_SUCCESS) {
            rcs = wolfSSL_accept(ss);
            es = rcs == WOLFSSL_SUCCESS ? 0 : wolfSSL_get_error(ss, rcs);
            if (es != 0 && es != WOLFSSL_ERROR_WANT_READ)
                break;
        }
    }
    if (rcc == WOLFSSL_SUCCESS)
        rc = PHONESEC_OK;
    else if (ec == MEMORY_E || es == MEMORY_E || ec == MEMORY_ERROR || es == MEMORY_ERROR || g_w_oom != oom0)
        rc = PHONESEC_E_NOMEM;
    else
        rc = PHONESEC_E_AUTH;
    if (rc == PHONESEC_E_AUTH)
        phonesec__fail(&c->err, rc, "the private key does not belong to the certificate "
                                    "(signature check failed: %d/%d)", ec, es);
out:
    if (rc == PHONESEC_E_NOMEM)
        phonesec__fail(&c->err, rc, "out of memory while checking the key");
    else if (rc == PHONESEC_E_PARSE)
        phonesec__fail(&c->err, rc, "certificate or key refused");
    wolfSSL_free(ss);
    wolfSSL_free(cs);
    wolfSSL_CTX_free(sc);
    wolfSSL_CTX_free(cc);
    phonesec__free(a.buf);
    phonesec__free(b.buf);
    wolfSSL_ERR_clear_error();
    return rc;
}

/* A mismatch is deterministic; a failure that goes away on a second try was
 * a resource problem (allocation), not a wrong key. */
static int keypair_check(phonesec_tls_ctx *c)
{
    int rc = keypair_check_once(c);
    if (rc == PHONESEC_E_AUTH && keypair_check_once(c) == PHONESEC_OK)
        rc = phonesec__fail(&c->err, PHONESEC_E_NOMEM, "transient failure (out of memory?) while checking the key");
    return rc;
}

/* ---------------------------------------------------------------- build */

static int wolf_version(unsigned v)
{
    switch (v) {
    case PHONESEC_TLS_V1_0: return TLS1_VERSION;
    case PHONESEC_TLS_V1_1: return TLS1_1_VERSION;
    case PHONESEC_TLS_V1_2: return TLS1_2_VERSION;
    default: return TLS1_3_VERSION;
    }
}

/* Build a WOLFSSL_CTX from the current configuration, for generation gen. */
/* The trust list a snapshot gets: the custom list and/or the built-in one,
 * as the trust source selects (custom first). */
static int source_has_custom(const phonesec_tls_ctx *c)
{
    return c->trust_source != PHONESEC_TLS_TRUST_DEFAULT;
}

static int source_has_builtin(const phonesec_tls_ctx *c)
{
    return c->trust_source != PHONESEC_TLS_TRUST_CUSTOM;
}

static size_t eff_count(const phonesec_tls_ctx *c)
{
    return (source_has_custom(c) ? c->n_trusted : 0) + (source_has_builtin(c) ? c->n_builtin : 0);
}

static const phonesec__tls_trusted *eff_at(const phonesec_tls_ctx *c, size_t i)
{
    size_t nc = source_has_custom(c) ? c->n_trusted : 0;
    return i < nc ? &c->trusted[i] : &c->builtin[i - nc];
}

static int build(phonesec_tls_ctx *c, uint64_t gen, WOLFSSL_CTX **out)
{
    WOLFSSL_CTX *w;
    char why[200];
    size_t i;
    int rc, mode;
    unsigned long oom0 = g_w_oom;

    why[0] = '\0';
    w = wolfSSL_CTX_new(c->cfg.role == PHONESEC_TLS_SERVER ? wolfSSLv23_server_method()
                                                             : wolfSSLv23_client_method());
    if (w == NULL)
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "cannot create the wolfSSL context");
    /* suites first: applying them may cap the version (no TLS 1.3 suite ->
     * TLS 1.2 at most); then our range, never above that cap */
    rc = apply_ciphers(w, c->suites, c->n_suites, why, sizeof why);
    if (rc != PHONESEC_OK) {
        if (rc == PHONESEC_E_CRYPTO && load_code(oom0, 0, rc) == PHONESEC_E_NOMEM) {
            rc = PHONESEC_E_NOMEM;
            snprintf(why, sizeof why, "out of memory while installing the cipher allow-list");
        }
        rc = phonesec__fail(&c->err, rc, "%s", why);
        goto fail;
    }
    {
        unsigned maxv = c->cfg.max_version;
        int has13 = 0;
        for (i = 0; i < c->n_suites; i++)
            if ((c->suites[i] & 0xff00) == 0x1300)
                has13 = 1;
        if (!has13 && maxv > PHONESEC_TLS_V1_2)
            maxv = PHONESEC_TLS_V1_2;
        if (maxv < c->cfg.min_version) {
            rc = phonesec__fail(&c->err, PHONESEC_E_NO_MATCH, "no cipher suite for the allowed protocol versions");
            goto fail;
        }
        if (wolfSSL_CTX_set_min_proto_version(w, wolf_version(c->cfg.min_version)) != WOLFSSL_SUCCESS ||
            wolfSSL_CTX_set_max_proto_version(w, wolf_version(maxv)) != WOLFSSL_SUCCESS) {
            rc = phonesec__fail(&c->err, PHONESEC_E_UNSUPPORTED, "wolfSSL refused the protocol version range");
            goto fail;
        }
    }
    /* Trust entries are loaded without wolfSSL's own checks (dates): a
     * context created with peer verification on (wolfSSL without
     * OPENSSL_COMPATIBLE_DEFAULTS, e.g. the phone profile) would refuse an
     * expired pinned certificate at load time, where Debian's build
     * (verification off by default) loads it. Validity is judged in the
     * verify callback for every backend; the real mode is set below. */
    wolfSSL_CTX_set_verify(w, WOLFSSL_VERIFY_NONE, NULL);
    for (i = 0; i < eff_count(c); i++) {
        const phonesec__tls_trusted *t = eff_at(c, i);
        int r;
        if (t->is_ca)
            r = wolfSSL_CTX_load_verify_buffer(w, t->der, (long)t->len, WOLFSSL_FILETYPE_ASN1);
        else /* a self-signed or leaf certificate trusted as it is (pinned) */
            r = wolfSSL_CTX_trust_peer_buffer(w, t->der, (long)t->len, WOLFSSL_FILETYPE_ASN1);
        if (r != WOLFSSL_SUCCESS) {
            wolf_err_text(r, why, sizeof why);
            rc = load_code(oom0, r, PHONESEC_E_CRYPTO);
            rc = phonesec__fail(&c->err, rc, "%s certificate '%s' %s: %s",
                                t >= c->trusted && t < c->trusted + c->n_trusted ? "trusted" : "built-in",
                                t->subject, rc == PHONESEC_E_NOMEM ? "not loaded (out of memory)" : "refused", why);
            goto fail;
        }
    }
    if (c->chain != NULL) {
        int wf = c->chain_pem ? WOLFSSL_FILETYPE_PEM : WOLFSSL_FILETYPE_ASN1;
        int r = wolfSSL_CTX_use_certificate_chain_buffer_format(w, c->chain, (long)c->chain_len, wf);
        if (r != WOLFSSL_SUCCESS) {
            wolf_err_text(r, why, sizeof why);
            rc = load_code(oom0, r, PHONESEC_E_PARSE);
            rc = phonesec__fail(&c->err, rc, "own certificate chain %s: %s",
                                rc == PHONESEC_E_NOMEM ? "not loaded (out of memory)" : "refused", why);
            goto fail;
        }
        r = wolfSSL_CTX_use_PrivateKey_buffer(w, c->key, (long)c->key_len,
                                              c->key_pem ? WOLFSSL_FILETYPE_PEM : WOLFSSL_FILETYPE_ASN1);
        if (r != WOLFSSL_SUCCESS) {
            wolf_err_text(r, why, sizeof why);
            rc = load_code(oom0, r, PHONESEC_E_PARSE);
            rc = phonesec__fail(&c->err, rc, "private key %s: %s",
                                rc == PHONESEC_E_NOMEM ? "not loaded (out of memory)" : "refused", why);
            goto fail;
        }
        rc = keypair_check(c);
        if (rc != PHONESEC_OK)
            goto fail;
    }
    if (c->n_crl > 0) {
        if (wolfSSL_CTX_EnableCRL(w, WOLFSSL_CRL_CHECKALL) != WOLFSSL_SUCCESS) {
            rc = load_code(oom0, 0, PHONESEC_E_CRYPTO);
            rc = phonesec__fail(&c->err, rc, "cannot enable CRL checking%s",
                                rc == PHONESEC_E_NOMEM ? " (out of memory)" : "");
            goto fail;
        }
        for (i = 0; i < c->n_crl; i++) {
            int r = wolfSSL_CTX_LoadCRLBuffer(w, c->crl[i].data, (long)c->crl[i].len,
                                              c->crl[i].pem ? WOLFSSL_FILETYPE_PEM : WOLFSSL_FILETYPE_ASN1);
            if (r != WOLFSSL_SUCCESS) {
                wolf_err_text(r, why, sizeof why);
                rc = load_code(oom0, r, PHONESEC_E_PARSE);
                rc = phonesec__fail(&c->err, rc, "CRL %s: %s",
                                    rc == PHONESEC_E_NOMEM ? "not loaded (out of memory)" : "refused", why);
                goto fail;
            }
        }
    }
    if (c->cfg.role == PHONESEC_TLS_SERVER) {
        mode = WOLFSSL_VERIFY_NONE;
        if (c->cfg.client_cert == PHONESEC_TLS_CLIENT_CERT_REQUEST)
            mode = WOLFSSL_VERIFY_PEER;
        else if (c->cfg.client_cert == PHONESEC_TLS_CLIENT_CERT_REQUIRE)
            mode = WOLFSSL_VERIFY_PEER | WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        if (!c->cfg.session_tickets) {
            wolfSSL_CTX_NoTicketTLSv12(w);
            wolfSSL_CTX_no_ticket_TLSv13(w);
        } else if (wolfSSL_CTX_set_TicketEncCb(w, phonesec__tls_ticket_cb) != WOLFSSL_SUCCESS) {
            /* never wolfSSL's default ticket key: ours is per snapshot */
            rc = phonesec__fail(&c->err, PHONESEC_E_CRYPTO, "cannot install the session ticket callback");
            goto fail;
        }
        /* Session IDs resume only from this snapshot's own cache: wolfSSL's
         * internal server cache is process-wide and resumes a session ID in
         * any context (wolfSSL 5.5.4 ignores the session-ID context there). */
        wolfSSL_CTX_set_session_cache_mode(w, WOLFSSL_SESS_CACHE_SERVER | WOLFSSL_SESS_CACHE_NO_INTERNAL);
        wolfSSL_CTX_sess_set_new_cb(w, phonesec__tls_sess_new_cb);
        wolfSSL_CTX_sess_set_get_cb(w, phonesec__tls_sess_get_cb);
        {
            /* and the session-ID context, checked on the external cache path */
            unsigned char sid_ctx[20];
            uint64_t v[2];
            v[0] = c->id;
            v[1] = gen;
            memcpy(sid_ctx, "psec", 4);
            memcpy(sid_ctx + 4, v, sizeof v);
            if (wolfSSL_CTX_set_session_id_context(w, sid_ctx, sizeof sid_ctx) != WOLFSSL_SUCCESS) {
                rc = phonesec__fail(&c->err, PHONESEC_E_CRYPTO, "cannot set the session ID context");
                goto fail;
            }
        }
    } else {
        mode = WOLFSSL_VERIFY_PEER;
        /* Client sessions are exported explicitly (phonesec_tls_conn_get_session);
         * wolfSSL's process-wide client cache stays out of it. */
        wolfSSL_CTX_set_session_cache_mode(w, WOLFSSL_SESS_CACHE_OFF);
    }
    wolfSSL_CTX_set_verify(w, mode, phonesec__tls_verify_cb);
    *out = w;
    return PHONESEC_OK;
fail:
    wolfSSL_CTX_free(w);
    wolfSSL_ERR_clear_error();
    return rc;
}

/* ---------------------------------------------------------------- snapshots */

static void srec_clear(phonesec__tls_srec *r)
{
    phonesec__free(r->peer_der);
    phonesec__free_secret(r->sess_der, r->sess_der_len);
    memset(r, 0, sizeof *r);
}

void phonesec__tls_srec_clear(phonesec__tls_srec *r)
{
    if (r != NULL)
        srec_clear(r);
}

static void snap_free(phonesec__tls_snap *s)
{
    size_t i;
    if (s == NULL)
        return;
    if (s->w != NULL)
        wolfSSL_CTX_free(s->w);
    for (i = 0; i < s->n_trusted; i++)
        phonesec__free(s->trusted[i].der);
    phonesec__free(s->trusted);
    for (i = 0; i < s->n_domains; i++)
        phonesec__free(s->domains[i]);
    phonesec__free(s->domains);
    if (s->recs != NULL) {
        for (i = 0; i < PHONESEC__TLS_MAX_SREC; i++)
            srec_clear(&s->recs[i]);
        phonesec__free(s->recs);
    }
    pthread_mutex_destroy(&s->lock);
    phonesec__free_secret(s, sizeof *s);
}

void phonesec__tls_snap_put(phonesec__tls_snap *s)
{
    if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1)
        snap_free(s);
}

phonesec__tls_snap *phonesec__tls_snap_get(phonesec_tls_ctx *c)
{
    phonesec__tls_snap *s;
    pthread_mutex_lock(&c->slock);
    s = c->snap;
    atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&c->slock);
    return s;
}

int phonesec__tls_conn_new_fail(phonesec_tls_ctx *c, int code, const char *fmt, ...)
{
    char msg[PHONESEC__ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&c->slock);
    phonesec__fail(&c->conn_err, code, "%s", msg);
    c->conn_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->slock);
    return code;
}

static int domain_allowed(char *const *domains, size_t n, const char *host)
{
    size_t i;
    uint8_t ip[16];
    if (n == 0)
        return PHONESEC_OK;
    if (phonesec__tls_ip_literal(host, ip))
        return PHONESEC_E_POLICY;
    for (i = 0; i < n; i++)
        if (phonesec__tls_in_domain(host, domains[i]))
            return PHONESEC_OK;
    return PHONESEC_E_POLICY;
}

int phonesec__tls_snap_domain_allowed(const phonesec__tls_snap *s, const char *host)
{
    return domain_allowed(s->domains, s->n_domains, host);
}

int phonesec__tls_srec_add(phonesec__tls_snap *s, const phonesec__tls_srec *r, uint64_t *id)
{
    phonesec__tls_srec *slot;
    uint8_t *der = NULL, *sd = NULL;
    if (r->peer_der != NULL) {
        der = phonesec__malloc(r->peer_der_len);
        if (der == NULL)
            return PHONESEC_E_NOMEM;
        memcpy(der, r->peer_der, r->peer_der_len);
    }
    if (r->sess_der != NULL) {
        sd = phonesec__malloc(r->sess_der_len);
        if (sd == NULL) {
            phonesec__free(der);
            return PHONESEC_E_NOMEM;
        }
        memcpy(sd, r->sess_der, r->sess_der_len);
    }
    pthread_mutex_lock(&s->lock);
    if (s->recs == NULL) {
        s->recs = phonesec__calloc(PHONESEC__TLS_MAX_SREC, sizeof *s->recs);
        if (s->recs == NULL) {
            pthread_mutex_unlock(&s->lock);
            phonesec__free(der);
            phonesec__free_secret(sd, r->sess_der_len);
            return PHONESEC_E_NOMEM;
        }
    }
    /* a ring: the oldest record goes (its session then makes a full handshake) */
    slot = &s->recs[s->next];
    srec_clear(slot);
    *slot = *r;
    slot->peer_der = der;
    slot->sess_der = sd;
    if (r->sid_len == 0)
        slot->id = ++s->rec_counter;
    if (id != NULL)
        *id = slot->id;
    s->next = (s->next + 1) % PHONESEC__TLS_MAX_SREC;
    if (s->n_recs < PHONESEC__TLS_MAX_SREC)
        s->n_recs++;
    pthread_mutex_unlock(&s->lock);
    return PHONESEC_OK;
}

int phonesec__tls_srec_find(phonesec__tls_snap *s, uint64_t id, const uint8_t *sid, size_t sid_len,
                            phonesec__tls_srec *out)
{
    size_t i;
    int rc = PHONESEC_E_NOT_FOUND;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->lock);
    for (i = 0; s->recs != NULL && i < PHONESEC__TLS_MAX_SREC; i++) {
        const phonesec__tls_srec *r = &s->recs[i];
        if (sid == NULL ? (r->sid_len == 0 && r->id != 0 && r->id == id)
                        : (r->sid_len != 0 && r->sid_len == sid_len && memcmp(r->sid, sid, sid_len) == 0)) {
            *out = *r;
            out->peer_der = NULL;
            out->sess_der = NULL;
            rc = PHONESEC_OK;
            if (r->peer_der != NULL) {
                out->peer_der = phonesec__malloc(r->peer_der_len);
                if (out->peer_der == NULL)
                    rc = PHONESEC_E_NOMEM;
                else
                    memcpy(out->peer_der, r->peer_der, r->peer_der_len);
            }
            if (rc == PHONESEC_OK && r->sess_der != NULL) {
                out->sess_der = phonesec__malloc(r->sess_der_len);
                if (out->sess_der == NULL)
                    rc = PHONESEC_E_NOMEM;
                else
                    memcpy(out->sess_der, r->sess_der, r->sess_der_len);
            }
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (rc == PHONESEC_E_NOMEM)
        srec_clear(out);
    return rc;
}

/* A snapshot of the builder state around the new WOLFSSL_CTX w (taken over). */
static int snap_new(phonesec_tls_ctx *c, WOLFSSL_CTX *w, uint64_t gen, phonesec__tls_snap **out)
{
    phonesec__tls_snap *s;
    size_t i;
    s = phonesec__calloc(1, sizeof *s);
    if (s == NULL) {
        wolfSSL_CTX_free(w);
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
    }
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        phonesec__free(s);
        wolfSSL_CTX_free(w);
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "cannot create a lock");
    }
    atomic_init(&s->refs, 1);
    s->w = w;
    s->ctx_id = c->id;
    s->gen = gen;
    s->role = c->cfg.role;
    s->only_trusted = c->cfg.only_trusted;
    s->client_cert = c->cfg.client_cert;
    s->identity_mode = c->cfg.identity_mode;
    s->name_validate = c->cfg.name_validate;
    s->session_tickets = c->cfg.session_tickets;
    s->has_cert = c->chain != NULL;
    if (eff_count(c) > 0) {
        size_t n = eff_count(c);
        s->trusted = phonesec__calloc(n, sizeof *s->trusted);
        if (s->trusted == NULL)
            goto nomem;
        for (i = 0; i < n; i++) {
            const phonesec__tls_trusted *t = eff_at(c, i);
            s->trusted[i] = *t;
            s->trusted[i].der = phonesec__malloc(t->len);
            if (s->trusted[i].der == NULL)
                goto nomem;
            memcpy(s->trusted[i].der, t->der, t->len);
            s->n_trusted = i + 1;
        }
    }
    if (c->n_domains > 0) {
        s->domains = phonesec__calloc(c->n_domains, sizeof *s->domains);
        if (s->domains == NULL)
            goto nomem;
        for (i = 0; i < c->n_domains; i++) {
            s->domains[i] = phonesec__strdup(c->domains[i]);
            if (s->domains[i] == NULL)
                goto nomem;
            s->n_domains = i + 1;
        }
    }
    if (c->cfg.role == PHONESEC_TLS_SERVER && c->cfg.session_tickets) {
        int r = phonesec_random(s->tname, sizeof s->tname);
        if (r == PHONESEC_OK)
            r = phonesec_random(s->tkey, sizeof s->tkey);
        if (r != PHONESEC_OK) {
            snap_free(s);
            return phonesec__fail(&c->err, PHONESEC_E_RANDOM, "no random bytes for the session ticket key");
        }
        wolfSSL_CTX_set_TicketEncCtx(w, s);
    }

    *out = s;
    return PHONESEC_OK;
nomem:
    snap_free(s);
    return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
}

/* Build a new snapshot aside from the builder state and swap it in: the
 * next generation. On failure the old snapshot stays, unchanged. Every
 * configuration change goes through here, so every change starts a new
 * generation: sessions made before it are not resumed (the snapshot's
 * session-ID context, ticket key and session records are its own). */
static int rebuild(phonesec_tls_ctx *c)
{
    WOLFSSL_CTX *w = NULL;
    phonesec__tls_snap *s = NULL, *old;
    uint64_t gen = c->gen + 1;
    int rc = build(c, gen, &w);
    if (rc != PHONESEC_OK)
        return rc;
    rc = snap_new(c, w, gen, &s);
    if (rc != PHONESEC_OK)
        return rc;
    pthread_mutex_lock(&c->slock);
    old = c->snap;
    c->snap = s;
    pthread_mutex_unlock(&c->slock);
    phonesec__tls_snap_put(old);
    c->gen = gen;
    phonesec__err_clear(&c->err);
    return PHONESEC_OK;
}

/* A configuration call that fails before it reaches the locked part. */
static int cfg_fail(phonesec_tls_ctx *c, int code, const char *fmt, ...) PHONESEC__PRINTF(3, 4);
static int cfg_fail(phonesec_tls_ctx *c, int code, const char *fmt, ...)
{
    char msg[PHONESEC__ERRMSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&c->wlock);
    phonesec__fail(&c->err, code, "%s", msg);
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return code;
}

/* ---------------------------------------------------------------- lifecycle */

int phonesec_tls_ctx_new(const phonesec_tls_config *cfg, phonesec_tls_ctx **out)
{
    phonesec_tls_config def;
    phonesec_tls_ctx *c;
    int rc;

    if (out == NULL)
        return PHONESEC_E_INVAL;
    if (cfg == NULL) {
        phonesec_tls_config_init(&def);
        cfg = &def;
    }
    if (!PHONESEC__VERSION_OK(cfg->version, PHONESEC_TLS_CONFIG_VERSION) || /* version 2 on: read with phonesec__struct_in */
        (cfg->role != PHONESEC_TLS_CLIENT && cfg->role != PHONESEC_TLS_SERVER) ||
        (cfg->identity_mode != PHONESEC_TLS_IDENTITY_SIP && cfg->identity_mode != PHONESEC_TLS_IDENTITY_HTTPS) ||
        cfg->client_cert < PHONESEC_TLS_CLIENT_CERT_NONE || cfg->client_cert > PHONESEC_TLS_CLIENT_CERT_REQUIRE ||
        cfg->min_version < PHONESEC_TLS_V1_0 || cfg->max_version > PHONESEC_TLS_V1_3 ||
        cfg->min_version > cfg->max_version || cfg->max_trusted == 0 || cfg->max_trusted > 1000)
        return PHONESEC_E_INVAL;
    if (cfg->min_version < PHONESEC_TLS_V1_2 && !cfg->allow_legacy_versions)
        return PHONESEC_E_POLICY;
#ifndef WOLFSSL_ALLOW_TLSV10
    if (cfg->min_version <= PHONESEC_TLS_V1_0)
        return PHONESEC_E_UNSUPPORTED;
#endif
#ifdef NO_OLD_TLS
    if (cfg->min_version <= PHONESEC_TLS_V1_1)
        return PHONESEC_E_UNSUPPORTED;
#endif
    phonesec__tls_global_init();
    c = phonesec__calloc(1, sizeof *c);
    if (c == NULL)
        return PHONESEC_E_NOMEM;
    if (pthread_mutex_init(&c->wlock, NULL) != 0) {
        phonesec__free(c);
        return PHONESEC_E_NOMEM;
    }
    if (pthread_mutex_init(&c->slock, NULL) != 0) {
        pthread_mutex_destroy(&c->wlock);
        phonesec__free(c);
        return PHONESEC_E_NOMEM;
    }
    c->id = atomic_fetch_add(&g_ctx_ids, 1) + 1;
    c->cfg = *cfg;
    c->cfg.cipher_list = NULL;
    c->cfg.tls13_ciphers = NULL;
    c->trusted = phonesec__calloc(cfg->max_trusted, sizeof *c->trusted);
    if (c->trusted == NULL) {
        phonesec_tls_ctx_free(c);
        return PHONESEC_E_NOMEM;
    }
    rc = eval_ciphers(c, cfg->cipher_list, cfg->tls13_ciphers, cfg->cipher_preset, c->suites, &c->n_suites, NULL);
    if (rc == PHONESEC_OK)
        rc = rebuild(c);
    if (rc != PHONESEC_OK) {
        phonesec_tls_ctx_free(c);
        return rc;
    }
    *out = c;
    return PHONESEC_OK;
}

void phonesec_tls_ctx_free(phonesec_tls_ctx *c)
{
    size_t i;
    if (c == NULL)
        return;
    /* Connections still alive keep their own reference to the snapshot
     * (and so to the WOLFSSL_CTX, trust list and session records). */
    phonesec__tls_snap_put(c->snap);
    for (i = 0; i < c->n_trusted; i++)
        phonesec__free(c->trusted[i].der);
    phonesec__free(c->trusted);
    for (i = 0; i < c->n_builtin; i++)
        phonesec__free(c->builtin[i].der);
    phonesec__free(c->builtin);
    phonesec__free(c->chain);
    phonesec__free_secret(c->key, c->key_len);
    for (i = 0; i < c->n_crl; i++)
        phonesec__free(c->crl[i].data);
    phonesec__free(c->crl);
    for (i = 0; i < c->n_domains; i++)
        phonesec__free(c->domains[i]);
    phonesec__free(c->domains);
    pthread_mutex_destroy(&c->wlock);
    pthread_mutex_destroy(&c->slock);
    phonesec__free(c);
}

int phonesec_tls_ctx_last_error(const phonesec_tls_ctx *c, char *buf, size_t cap)
{
    phonesec_tls_ctx *m = (phonesec_tls_ctx *)c; /* locks only */
    int rc;
    if (c == NULL || buf == NULL || cap == 0)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&m->wlock);
    pthread_mutex_lock(&m->slock);
    /* the latest of: the last configuration call, the last failed connection creation */
    rc = phonesec__err_copy(c->conn_err_seq > c->cfg_err_seq ? &c->conn_err : &c->err, buf, cap);
    pthread_mutex_unlock(&m->slock);
    pthread_mutex_unlock(&m->wlock);
    return rc;
}

/* ---------------------------------------------------------------- trust list */

/* Into the custom list (cfg.max_trusted slots), or with builtin set the
 * built-in one (grows, at most PHONESEC_TLS_MAX_BUILTIN). der is taken over. */
static int add_one_trusted(phonesec_tls_ctx *c, uint8_t *der, size_t len, size_t *added, int builtin)
{
    phonesec__tls_certnames cn;
    phonesec__tls_trusted *t, *list = builtin ? c->builtin : c->trusted;
    size_t *n = builtin ? &c->n_builtin : &c->n_trusted;
    uint8_t fp[32];
    size_t i;

    if (phonesec__tls_cert_names(der, len, &cn) != PHONESEC_OK) {
        phonesec__free(der);
        return phonesec__fail(&c->err, PHONESEC_E_PARSE, "%s certificate %zu is not a valid X.509 certificate",
                              builtin ? "built-in" : "trusted", *n + 1);
    }
    if (wc_Sha256Hash(der, (word32)len, fp) != 0) {
        phonesec__free(der);
        return phonesec__fail(&c->err, PHONESEC_E_CRYPTO, "SHA-256 failed");
    }
    for (i = 0; i < *n; i++)
        if (memcmp(list[i].sha256, fp, 32) == 0) {
            phonesec__free(der); /* already there */
            return PHONESEC_OK;
        }
    if (!builtin && c->n_trusted >= c->cfg.max_trusted) {
        phonesec__free(der);
        return phonesec__fail(&c->err, PHONESEC_E_LIMIT, "the trust list is full (%zu certificates; a CA bundle "
                                                         "goes into the built-in list: phonesec_tls_ctx_add_builtin())",
                              c->cfg.max_trusted);
    }
    if (builtin && c->n_builtin >= PHONESEC_TLS_MAX_BUILTIN) {
        phonesec__free(der);
        return phonesec__fail(&c->err, PHONESEC_E_LIMIT, "the built-in list is full (%d certificates)",
                              PHONESEC_TLS_MAX_BUILTIN);
    }
    if (builtin && c->n_builtin == c->cap_builtin) {
        size_t cap = c->cap_builtin ? c->cap_builtin * 2 : 64;
        phonesec__tls_trusted *nb = phonesec__calloc(cap, sizeof *nb);
        if (nb == NULL) {
            phonesec__free(der);
            return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
        }
        if (c->n_builtin > 0)
            memcpy(nb, c->builtin, c->n_builtin * sizeof *nb);
        phonesec__free(c->builtin);
        c->builtin = list = nb;
        c->cap_builtin = cap;
    }
    t = &list[(*n)++];
    t->der = der;
    t->len = len;
    t->is_ca = cn.is_ca;
    memcpy(t->sha256, fp, 32);
    phonesec__tls_name_string(cn.subject, cn.subject_len, t->subject, sizeof t->subject);
    (*added)++;
    return PHONESEC_OK;
}

static int add_trusted_locked(phonesec_tls_ctx *c, const uint8_t *data, size_t len, int format, int builtin)
{
    size_t before, added = 0, pos = 0;
    size_t *n;
    int rc = PHONESEC_OK;

    if (c == NULL || data == NULL || len == 0 || format < PHONESEC_TLS_FORMAT_AUTO ||
        format > PHONESEC_TLS_FORMAT_DER)
        return c ? phonesec__fail(&c->err, PHONESEC_E_INVAL, "no certificate data") : PHONESEC_E_INVAL;
    n = builtin ? &c->n_builtin : &c->n_trusted;
    before = *n;
    if (fmt_is_pem(data, len, format)) {
        for (;;) {
            uint8_t *der;
            size_t dl;
            int r = pem_next(data, len, &pos, "CERTIFICATE", &der, &dl);
            if (r == 0)
                break;
            if (r < 0) {
                rc = phonesec__fail(&c->err, r, "malformed PEM certificate block");
                break;
            }
            rc = add_one_trusted(c, der, dl, &added, builtin);
            if (rc != PHONESEC_OK)
                break;
        }
        if (rc == PHONESEC_OK && added == 0 && *n == before && pos >= len) {
            /* no block at all (duplicates are fine) */
            size_t p2 = 0;
            uint8_t *d2;
            size_t l2;
            int r = pem_next(data, len, &p2, "CERTIFICATE", &d2, &l2);
            if (r == 1)
                phonesec__free(d2);
            else
                rc = phonesec__fail(&c->err, PHONESEC_E_PARSE, "no PEM CERTIFICATE block found");
        }
    } else {
        uint8_t *der = phonesec__malloc(len);
        if (der == NULL)
            return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
        memcpy(der, data, len);
        rc = add_one_trusted(c, der, len, &added, builtin);
    }
    if (rc == PHONESEC_OK && added > 0)
        rc = rebuild(c);
    if (rc != PHONESEC_OK) { /* all or none */
        phonesec__tls_trusted *list = builtin ? c->builtin : c->trusted;
        while (*n > before) {
            (*n)--;
            phonesec__free(list[*n].der);
            memset(&list[*n], 0, sizeof list[0]);
        }
        return rc;
    }
    phonesec__err_clear(&c->err);
    return PHONESEC_OK;
}

/* The custom (builtin 0) or built-in (1) list: add certificates from
 * memory under the lock, or from a file. */
static int add_trust(phonesec_tls_ctx *c, const uint8_t *data, size_t len, int format, int builtin)
{
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&c->wlock);
    rc = add_trusted_locked(c, data, len, format, builtin);
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return rc;
}

static int add_trust_file(phonesec_tls_ctx *c, const char *path, int builtin)
{
    uint8_t *buf;
    size_t n;
    int rc;
    if (c == NULL || path == NULL)
        return PHONESEC_E_INVAL;
    rc = read_file(path, &buf, &n);
    if (rc != PHONESEC_OK)
        return cfg_fail(c, rc, "cannot read '%s'", path);
    if (n == 0) {
        phonesec__free(buf);
        return cfg_fail(c, PHONESEC_E_PARSE, "'%s' is empty", path);
    }
    rc = add_trust(c, buf, n, PHONESEC_TLS_FORMAT_AUTO, builtin);
    phonesec__free(buf);
    return rc;
}

int phonesec_tls_ctx_add_trusted_file(phonesec_tls_ctx *c, const char *path)
{
    return add_trust_file(c, path, 0);
}

/* ---------------------------------------------------------------- built-in list */

int phonesec_tls_ctx_add_builtin(phonesec_tls_ctx *c, const uint8_t *data, size_t len, int format)
{
    return add_trust(c, data, len, format, 1);
}

int phonesec_tls_ctx_add_builtin_file(phonesec_tls_ctx *c, const char *path)
{
    return add_trust_file(c, path, 1);
}

size_t phonesec_tls_ctx_builtin_count(const phonesec_tls_ctx *c)
{
    phonesec_tls_ctx *m = (phonesec_tls_ctx *)c; /* locks only */
    size_t n;
    if (c == NULL)
        return 0;
    pthread_mutex_lock(&m->wlock);
    n = c->n_builtin;
    pthread_mutex_unlock(&m->wlock);
    return n;
}

int phonesec_tls_ctx_clear_builtin(phonesec_tls_ctx *c)
{
    phonesec__tls_trusted *old;
    size_t n, cap, i;
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&c->wlock);
    old = c->builtin;
    n = c->n_builtin;
    cap = c->cap_builtin;
    c->builtin = NULL;
    c->n_builtin = c->cap_builtin = 0;
    rc = n > 0 ? rebuild(c) : PHONESEC_OK;
    if (rc != PHONESEC_OK) { /* unchanged */
        c->builtin = old;
        c->n_builtin = n;
        c->cap_builtin = cap;
    } else {
        for (i = 0; i < n; i++)
            phonesec__free(old[i].der);
        phonesec__free(old);
        phonesec__err_clear(&c->err);
    }
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return rc;
}

int phonesec_tls_ctx_set_trust_source(phonesec_tls_ctx *c, int source)
{
    int old, rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&c->wlock);
    if (source != PHONESEC_TLS_TRUST_ALL && source != PHONESEC_TLS_TRUST_DEFAULT &&
        source != PHONESEC_TLS_TRUST_CUSTOM) {
        rc = phonesec__fail(&c->err, PHONESEC_E_INVAL, "unknown trust source %d", source);
    } else {
        old = c->trust_source;
        c->trust_source = source;
        rc = rebuild(c); /* a new generation: sessions made before are not resumed */
        if (rc != PHONESEC_OK)
            c->trust_source = old;
    }
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return rc;
}

int phonesec_tls_ctx_trust_source(const phonesec_tls_ctx *c)
{
    phonesec_tls_ctx *m = (phonesec_tls_ctx *)c; /* locks only */
    int v;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&m->wlock);
    v = c->trust_source;
    pthread_mutex_unlock(&m->wlock);
    return v;
}

size_t phonesec_tls_ctx_trusted_count(const phonesec_tls_ctx *c)
{
    phonesec_tls_ctx *m = (phonesec_tls_ctx *)c; /* locks only */
    size_t n;
    if (c == NULL)
        return 0;
    pthread_mutex_lock(&m->wlock);
    n = c->n_trusted;
    pthread_mutex_unlock(&m->wlock);
    return n;
}

static int trusted_info_unlocked(const phonesec_tls_ctx *c, size_t i, char *subject, size_t subject_cap,
                                  uint8_t sha256[32])
{
    size_t sl;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    if (i >= c->n_trusted)
        return PHONESEC_E_NOT_FOUND;
    sl = strlen(c->trusted[i].subject);
    if (subject != NULL && sl + 1 > subject_cap)
        return PHONESEC_E_BUFFER_SMALL;
    if (subject != NULL)
        memcpy(subject, c->trusted[i].subject, sl + 1);
    if (sha256 != NULL)
        memcpy(sha256, c->trusted[i].sha256, 32);
    return PHONESEC_OK;
}

static int remove_trusted_locked(phonesec_tls_ctx *c, size_t i)
{
    phonesec__tls_trusted saved;
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    if (i >= c->n_trusted)
        return phonesec__fail(&c->err, PHONESEC_E_NOT_FOUND, "no trusted certificate number %zu", i);
    saved = c->trusted[i];
    memmove(&c->trusted[i], &c->trusted[i + 1], (c->n_trusted - i - 1) * sizeof c->trusted[0]);
    c->n_trusted--;
    rc = rebuild(c);
    if (rc != PHONESEC_OK) {
        memmove(&c->trusted[i + 1], &c->trusted[i], (c->n_trusted - i) * sizeof c->trusted[0]);
        c->trusted[i] = saved;
        c->n_trusted++;
        return rc;
    }
    phonesec__free(saved.der);
    return PHONESEC_OK;
}

static int set_only_trusted_locked(phonesec_tls_ctx *c, int on)
{
    int old, rc;
    if (c == NULL || (on != 0 && on != 1))
        return PHONESEC_E_INVAL;
    old = c->cfg.only_trusted;
    c->cfg.only_trusted = on;
    rc = rebuild(c); /* a new generation: sessions made before are not resumed */
    if (rc != PHONESEC_OK)
        c->cfg.only_trusted = old;
    return rc;
}

/* ---------------------------------------------------------------- own certificate */

static int set_certificate_locked(phonesec_tls_ctx *c, const uint8_t *chain, size_t chain_len,
                                     const uint8_t *key, size_t key_len, int format)
{
    uint8_t *old_chain, *old_key, *nc, *nk;
    size_t old_cl, old_kl;
    int old_cp, old_kp, rc;

    if (c == NULL || chain == NULL || chain_len == 0 || key == NULL || key_len == 0 ||
        format < PHONESEC_TLS_FORMAT_AUTO || format > PHONESEC_TLS_FORMAT_DER)
        return c ? phonesec__fail(&c->err, PHONESEC_E_INVAL, "certificate and key are required") : PHONESEC_E_INVAL;
    nc = phonesec__malloc(chain_len);
    nk = phonesec__malloc(key_len);
    if (nc == NULL || nk == NULL) {
        phonesec__free(nc);
        phonesec__free(nk);
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
    }
    memcpy(nc, chain, chain_len);
    memcpy(nk, key, key_len);
    old_chain = c->chain;
    old_cl = c->chain_len;
    old_cp = c->chain_pem;
    old_key = c->key;
    old_kl = c->key_len;
    old_kp = c->key_pem;
    c->chain = nc;
    c->chain_len = chain_len;
    c->chain_pem = fmt_is_pem(chain, chain_len, format);
    c->key = nk;
    c->key_len = key_len;
    c->key_pem = fmt_is_pem(key, key_len, format);
    rc = rebuild(c);
    if (rc != PHONESEC_OK) {
        c->chain = old_chain;
        c->chain_len = old_cl;
        c->chain_pem = old_cp;
        c->key = old_key;
        c->key_len = old_kl;
        c->key_pem = old_kp;
        phonesec__free(nc);
        phonesec__free_secret(nk, key_len);
        return rc;
    }
    phonesec__free(old_chain);
    phonesec__free_secret(old_key, old_kl);
    return PHONESEC_OK;
}

int phonesec_tls_ctx_set_certificate_file(phonesec_tls_ctx *c, const char *chain_path, const char *key_path)
{
    uint8_t *cb = NULL, *kb = NULL;
    size_t cl = 0, kl = 0;
    int rc;
    if (c == NULL || chain_path == NULL)
        return PHONESEC_E_INVAL;
    rc = read_file(chain_path, &cb, &cl);
    if (rc != PHONESEC_OK)
        return cfg_fail(c, rc, "cannot read '%s'", chain_path);
    if (key_path != NULL && strcmp(key_path, chain_path) != 0) {
        rc = read_file(key_path, &kb, &kl);
        if (rc != PHONESEC_OK) {
            phonesec__free(cb);
            return cfg_fail(c, rc, "cannot read '%s'", key_path);
        }
    }
    if (kb == NULL)
        rc = phonesec_tls_ctx_set_certificate(c, cb, cl, cb, cl, PHONESEC_TLS_FORMAT_AUTO);
    else
        rc = phonesec_tls_ctx_set_certificate(c, cb, cl, kb, kl, PHONESEC_TLS_FORMAT_AUTO);
    phonesec__free_secret(cb, cl);
    phonesec__free_secret(kb, kl);
    return rc;
}

static int has_certificate_unlocked(const phonesec_tls_ctx *c)
{
    return c != NULL && c->chain != NULL;
}

/* ---------------------------------------------------------------- CRL */

/* CRLs are kept, and handed to wolfSSL, as DER: when wolfSSL runs out of
 * memory while loading a PEM CRL it loses its own copy of the PEM text
 * (found by the out-of-memory sweep, tests/oom tls_crl), so the PEM armour
 * is taken off here, each "X509 CRL" block of a PEM input becoming one
 * entry. */
static int push_crl(phonesec_tls_ctx *c, uint8_t *der, size_t len)
{
    phonesec__tls_blob *nl = phonesec__realloc(c->crl, (c->n_crl + 1) * sizeof *nl);
    if (nl == NULL)
        return PHONESEC_E_NOMEM;
    c->crl = nl;
    c->crl[c->n_crl].data = der;
    c->crl[c->n_crl].len = len;
    c->crl[c->n_crl].pem = 0;
    c->n_crl++;
    return PHONESEC_OK;
}

static int add_crl_locked(phonesec_tls_ctx *c, const uint8_t *data, size_t len, int format)
{
    size_t first, i;
    uint8_t *d;
    int rc = PHONESEC_OK;
    if (c == NULL || data == NULL || len == 0 || format < PHONESEC_TLS_FORMAT_AUTO || format > PHONESEC_TLS_FORMAT_DER)
        return PHONESEC_E_INVAL;
    first = c->n_crl;
    if (fmt_is_pem(data, len, format)) {
        size_t pos = 0, dl;
        for (;;) {
            int r = pem_next(data, len, &pos, "X509 CRL", &d, &dl);
            if (r == 0)
                break;
            if (r < 0) {
                rc = phonesec__fail(&c->err, r, r == PHONESEC_E_NOMEM ? "out of memory"
                                                                       : "CRL refused: broken PEM block");
                goto undo;
            }
            if (push_crl(c, d, dl) != PHONESEC_OK) {
                phonesec__free(d);
                rc = phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
                goto undo;
            }
        }
        if (c->n_crl == first)
            return phonesec__fail(&c->err, PHONESEC_E_PARSE, "CRL refused: no \"X509 CRL\" PEM block");
    } else {
        d = phonesec__malloc(len);
        if (d == NULL)
            return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
        memcpy(d, data, len);
        if (push_crl(c, d, len) != PHONESEC_OK) {
            phonesec__free(d);
            return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
        }
    }
    rc = rebuild(c);
    if (rc == PHONESEC_OK)
        return rc;
undo:
    for (i = first; i < c->n_crl; i++)
        phonesec__free(c->crl[i].data);
    c->n_crl = first;
    return rc;
}

/* ---------------------------------------------------------------- ciphers */

static int set_ciphers_locked(phonesec_tls_ctx *c, const char *list, const char *tls13, int *used_fallback)
{
    uint16_t saved[PHONESEC__TLS_MAX_SUITES], codes[PHONESEC__TLS_MAX_SUITES];
    size_t saved_n, n = 0;
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    rc = eval_ciphers(c, list, tls13, c->cfg.cipher_preset, codes, &n, used_fallback);
    if (rc != PHONESEC_OK)
        return rc;
    memcpy(saved, c->suites, sizeof saved);
    saved_n = c->n_suites;
    memcpy(c->suites, codes, sizeof codes);
    c->n_suites = n;
    rc = rebuild(c);
    if (rc != PHONESEC_OK) {
        memcpy(c->suites, saved, sizeof saved);
        c->n_suites = saved_n;
    }
    return rc;
}

static int ciphers_unlocked(const phonesec_tls_ctx *c, uint16_t *codes, size_t cap, size_t *count)
{
    if (c == NULL || count == NULL || (codes == NULL && cap > 0))
        return PHONESEC_E_INVAL;
    *count = c->n_suites;
    if (codes == NULL && cap == 0)
        return PHONESEC_OK;
    if (cap < c->n_suites)
        return PHONESEC_E_BUFFER_SMALL;
    memcpy(codes, c->suites, c->n_suites * sizeof codes[0]);
    return PHONESEC_OK;
}

/* ---------------------------------------------------------------- restricted domains */

static int set_restricted_domains_locked(phonesec_tls_ctx *c, const char *const *domains, size_t n)
{
    char **nd = NULL;
    size_t i;
    if (c == NULL || (domains == NULL && n > 0) || n > 1000)
        return PHONESEC_E_INVAL;
    for (i = 0; i < n; i++)
        if (domains[i] == NULL || !phonesec__tls_valid_hostname(domains[i], strlen(domains[i])))
            return phonesec__fail(&c->err, PHONESEC_E_INVAL, "restricted domain %zu is not a valid FQDN", i);
    if (n > 0) {
        nd = phonesec__calloc(n, sizeof *nd);
        if (nd == NULL)
            return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
        for (i = 0; i < n; i++) {
            nd[i] = phonesec__strdup(domains[i]);
            if (nd[i] == NULL) {
                while (i > 0)
                    phonesec__free(nd[--i]);
                phonesec__free(nd);
                return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
            }
        }
    }
    {
        char **od = c->domains;
        size_t on = c->n_domains;
        int rc;
        c->domains = nd;
        c->n_domains = n;
        rc = rebuild(c); /* a new generation */
        if (rc != PHONESEC_OK) {
            c->domains = od;
            c->n_domains = on;
            od = nd;
            on = n;
        }
        for (i = 0; i < on; i++)
            phonesec__free(od[i]);
        phonesec__free(od);
        return rc;
    }
}

static int domain_allowed_unlocked(const phonesec_tls_ctx *c, const char *host)
{
    if (host == NULL || host[0] == '\0')
        return PHONESEC_E_INVAL;
    return domain_allowed(c->domains, c->n_domains, host);
}

/* ---------------------------------------------------------------- locked entry points */

/* Configuration changes are serialised by wlock (so they may come from
 * several threads); connections being created or running meanwhile keep the
 * snapshot they started with. */

int phonesec_tls_ctx_add_trusted(phonesec_tls_ctx *c, const uint8_t *data, size_t len, int format)
{
    return add_trust(c, data, len, format, 0);
}

int phonesec_tls_ctx_remove_trusted(phonesec_tls_ctx *c, size_t i)
{
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&c->wlock);
    rc = remove_trusted_locked(c, i);
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return rc;
}

int phonesec_tls_ctx_set_only_trusted(phonesec_tls_ctx *c, int on)
{
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&c->wlock);
    rc = set_only_trusted_locked(c, on);
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return rc;
}

int phonesec_tls_ctx_set_certificate(phonesec_tls_ctx *c, const uint8_t *chain, size_t chain_len,
                                     const uint8_t *key, size_t key_len, int format)
{
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&c->wlock);
    rc = set_certificate_locked(c, chain, chain_len, key, key_len, format);
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return rc;
}

int phonesec_tls_ctx_add_crl(phonesec_tls_ctx *c, const uint8_t *data, size_t len, int format)
{
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&c->wlock);
    rc = add_crl_locked(c, data, len, format);
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return rc;
}

int phonesec_tls_ctx_set_ciphers(phonesec_tls_ctx *c, const char *list, const char *tls13, int *used_fallback)
{
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&c->wlock);
    rc = set_ciphers_locked(c, list, tls13, used_fallback);
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return rc;
}

int phonesec_tls_ctx_set_restricted_domains(phonesec_tls_ctx *c, const char *const *domains, size_t n)
{
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&c->wlock);
    rc = set_restricted_domains_locked(c, domains, n);
    c->cfg_err_seq = atomic_fetch_add(&c->err_seq, 1) + 1;
    pthread_mutex_unlock(&c->wlock);
    return rc;
}

int phonesec_tls_ctx_trusted_info(const phonesec_tls_ctx *c, size_t i, char *subject, size_t subject_cap,
                                  uint8_t sha256[32])
{
    phonesec_tls_ctx *m = (phonesec_tls_ctx *)c; /* locks only */
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&m->wlock);
    rc = trusted_info_unlocked(c, i, subject, subject_cap, sha256);
    pthread_mutex_unlock(&m->wlock);
    return rc;
}

int phonesec_tls_ctx_has_certificate(const phonesec_tls_ctx *c)
{
    phonesec_tls_ctx *m = (phonesec_tls_ctx *)c; /* locks only */
    int rc;
    if (c == NULL)
        return 0;
    pthread_mutex_lock(&m->wlock);
    rc = has_certificate_unlocked(c);
    pthread_mutex_unlock(&m->wlock);
    return rc;
}

int phonesec_tls_ctx_ciphers(const phonesec_tls_ctx *c, uint16_t *codes, size_t cap, size_t *count)
{
    phonesec_tls_ctx *m = (phonesec_tls_ctx *)c; /* locks only */
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&m->wlock);
    rc = ciphers_unlocked(c, codes, cap, count);
    pthread_mutex_unlock(&m->wlock);
    return rc;
}

int phonesec_tls_ctx_domain_allowed(const phonesec_tls_ctx *c, const char *host)
{
    phonesec_tls_ctx *m = (phonesec_tls_ctx *)c; /* locks only */
    int rc;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    pthread_mutex_lock(&m->wlock);
    rc = domain_allowed_unlocked(c, host);
    pthread_mutex_unlock(&m->wlock);
    return rc;
}
