/*
 * libphonesec - TLS connections without sockets: caller callbacks or
 * feed/drain buffers; the identity and chain checks; what was negotiated.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "tls/tls_ctx.h"

#ifndef WOLFSSL_ALWAYS_VERIFY_CB
#error "libphonesec's identity checks need wolfSSL built with WOLFSSL_ALWAYS_VERIFY_CB"
#endif

#define IN_MAX ((size_t)64 * 1024)
#define OUT_MAX ((size_t)1024 * 1024)

enum { ST_NEW, ST_HS, ST_EST, ST_CLOSED, ST_FAILED };

struct phonesec_tls_session {
    uint8_t *der; /* wolfSSL_i2d_SSL_SESSION (secret: wiped) */
    size_t len;
    uint64_t ctx_id, gen; /* the context configuration that made it */
    char ref[256];
    int mode;
    int chain, chain_enforced, name, peer_cert;
    char anchor[256], subject[256], issuer[256], sans[512], name_detail[256];
};

struct phonesec_tls_conn {
    phonesec__err err;
    phonesec__tls_snap *snap; /* the configuration this connection runs with (a reference) */
    WOLFSSL *ssl;
    phonesec_tls_io io;
    int feed;
    uint8_t *in;
    size_t in_len, in_off, in_cap;
    uint8_t *out;
    size_t out_len, out_cap;
    int state;
    int fail_code;
    int no_error_fails; /* consecutive "failed, no error" returns from wolfSSL */
    unsigned wants;
    int io_err;
    int role;
    char ref[256];
    int has_ref;
    int mode, name_validate, only_trusted;
    /* fail-closed policy, fixed at creation (resumption never changes it):
     * chain_required: the handshake succeeds only with a verified chain;
     * chain_refuses: a chain that fails verification aborts the handshake */
    int chain_required, chain_refuses;
    int oom; /* an allocation of ours failed inside a wolfSSL callback */
    int hs_oom; /* an allocation of wolfSSL's (routed through the hook) failed in the handshake */
    uint32_t hs_timeout; /* handshake deadline (ms after hs_start), 0 = none */
    uint64_t hs_start;   /* platform clock at creation */
    /* results */
    int chain, chain_enforced, name, peer_cert, resumed;
    int chain_fail_code;
    int max_depth;
    uint8_t top_issuer[512];
    size_t top_issuer_len;
    char chain_detail[256], anchor[256], name_detail[320], subject[256], issuer[256], sans[512];
    unsigned proto;
    uint16_t suite;
    char proto_name[16], suite_name[80];
    uint8_t *peer_der;
    size_t peer_der_len;
    phonesec_tls_session *offered; /* the session offered for resumption (with its verdicts) */
    uint8_t offered_ticket[32];    /* SHA-256 of its ticket (client) */
    int offered_has_ticket;
    phonesec__tls_srec srec; /* server: the record of the session a ticket named */
    int have_srec;
    int ticket_issued; /* server: a ticket carries this session */
};

static int session_copy(phonesec_tls_conn *c, const phonesec_tls_session *src, phonesec_tls_session **out);
static int peer_sent_cert(phonesec_tls_conn *c);

/* Bounded copy, always NUL-terminated (truncates). */
static void scopy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* ---------------------------------------------------------------- I/O glue */

static int recv_cb(WOLFSSL *ssl, char *buf, int sz, void *ud)
{
    phonesec_tls_conn *c = ud;
    (void)ssl;
    if (sz <= 0)
        return 0;
    if (c->feed) {
        size_t avail = c->in_len - c->in_off, n = (size_t)sz < avail ? (size_t)sz : avail;
        if (n == 0) {
            c->wants |= PHONESEC_TLS_WANT_READ;
            return WOLFSSL_CBIO_ERR_WANT_READ;
        }
        memcpy(buf, c->in + c->in_off, n);
        c->in_off += n;
        if (c->in_off == c->in_len) {
            c->in_off = c->in_len = 0;
            if (c->state == ST_EST) { /* idle connections hold no I/O buffers */
                phonesec__free(c->in);
                c->in = NULL;
                c->in_cap = 0;
            }
        }
        return (int)n;
    } else {
        size_t got = 0;
        int r = c->io.recv(c->io.user, (uint8_t *)buf, (size_t)sz, &got);
        if (r == PHONESEC_OK && got > 0 && got <= (size_t)sz)
            return (int)got;
        if (r == PHONESEC_E_WOULD_BLOCK) {
            c->wants |= PHONESEC_TLS_WANT_READ;
            return WOLFSSL_CBIO_ERR_WANT_READ;
        }
        if (r == PHONESEC_E_CLOSED) {
            c->io_err = PHONESEC_E_CLOSED;
            return WOLFSSL_CBIO_ERR_CONN_CLOSE;
        }
        c->io_err = PHONESEC_E_IO;
        return WOLFSSL_CBIO_ERR_GENERAL;
    }
}

static int send_cb(WOLFSSL *ssl, char *buf, int sz, void *ud)
{
    phonesec_tls_conn *c = ud;
    (void)ssl;
    if (sz <= 0)
        return 0;
    if (c->feed) {
        if (c->out_len + (size_t)sz > c->out_cap) {
            size_t nc = c->out_cap ? c->out_cap : 4096;
            uint8_t *nb;
            while (nc < c->out_len + (size_t)sz)
                nc *= 2;
            if (nc > OUT_MAX) {
                if (c->out_len + (size_t)sz > OUT_MAX) {
                    c->wants |= PHONESEC_TLS_WANT_WRITE;
                    return WOLFSSL_CBIO_ERR_WANT_WRITE;
                }
                nc = OUT_MAX;
            }
            nb = phonesec__realloc(c->out, nc);
            if (nb == NULL) {
                c->io_err = PHONESEC_E_NOMEM;
                return WOLFSSL_CBIO_ERR_GENERAL;
            }
            c->out = nb;
            c->out_cap = nc;
        }
        memcpy(c->out + c->out_len, buf, (size_t)sz);
        c->out_len += (size_t)sz;
        return sz;
    } else {
        size_t sent = 0;
        int r = c->io.send(c->io.user, (const uint8_t *)buf, (size_t)sz, &sent);
        if (r == PHONESEC_OK && sent > 0 && sent <= (size_t)sz)
            return (int)sent;
        if (r == PHONESEC_E_WOULD_BLOCK) {
            c->wants |= PHONESEC_TLS_WANT_WRITE;
            return WOLFSSL_CBIO_ERR_WANT_WRITE;
        }
        c->io_err = r == PHONESEC_E_CLOSED ? PHONESEC_E_CLOSED : PHONESEC_E_IO;
        return r == PHONESEC_E_CLOSED ? WOLFSSL_CBIO_ERR_CONN_CLOSE : WOLFSSL_CBIO_ERR_GENERAL;
    }
}

/* ---------------------------------------------------------------- verification */

static const char *verify_error_text(int e, int *code)
{
    *code = PHONESEC_E_VERIFY;
    switch (e) {
    case ASN_NO_SIGNER_E:
    case 20: /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY */
    case 2:  /* X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT */
    case 18: /* X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT */
    case 19: /* X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN */
        return "its issuer is not in the trust list (unknown or rogue CA)";
    case ASN_AFTER_DATE_E:
    case 10: /* X509_V_ERR_CERT_HAS_EXPIRED */
    case 14: /* X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD (wolfSSL's mapping) */
        *code = PHONESEC_E_EXPIRED;
        return "it has expired";
    case ASN_BEFORE_DATE_E:
    case 9:  /* X509_V_ERR_CERT_NOT_YET_VALID */
    case 13: /* X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD (wolfSSL's mapping) */
        *code = PHONESEC_E_EXPIRED;
        return "it is not valid yet";
    case ASN_SIG_CONFIRM_E:
    case 7: /* X509_V_ERR_CERT_SIGNATURE_FAILURE */
        return "its signature does not verify";
    case CRL_CERT_REVOKED:
    case 23: /* X509_V_ERR_CERT_REVOKED */
        return "it is revoked (CRL)";
    default:
        return NULL;
    }
}

/* The leaf's validity period, checked here whatever the backend did: a
 * pinned (non-CA) trust entry is accepted by wolfSSL as it is, dates
 * unchecked, and is held to the same dates as a chained certificate. */
static void leaf_dates(phonesec_tls_conn *c, const phonesec__tls_certnames *cn, const uint8_t *der, size_t len)
{
    int64_t nb, na, now = (int64_t)time(NULL);
    const char *why = NULL;
    char subj[200] = "";
    (void)der;
    (void)len;
    if (phonesec__tls_cert_validity(cn, &nb, &na) != PHONESEC_OK) {
        why = "its validity period cannot be read";
        c->chain_fail_code = PHONESEC_E_VERIFY;
    } else if (now > na) {
        why = "it has expired";
        c->chain_fail_code = PHONESEC_E_EXPIRED;
    } else if (now < nb) {
        why = "it is not valid yet";
        c->chain_fail_code = PHONESEC_E_EXPIRED;
    }
    if (why == NULL)
        return;
    phonesec__tls_name_string(cn->subject, cn->subject_len, subj, sizeof subj);
    c->chain = PHONESEC_TLS_CHECK_FAILED;
    snprintf(c->chain_detail, sizeof c->chain_detail, "certificate at depth 0 (%s): %s", subj, why);
}

int phonesec__tls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
    phonesec_tls_conn *c = store ? (phonesec_tls_conn *)store->userCtx : NULL;
    phonesec__tls_certnames cn;
    const unsigned char *der = NULL;
    int depth, dlen = 0, have_names = 0;

    if (c == NULL)
        return 0; /* never accept what we cannot account for */
    depth = store->error_depth;
    if (store->current_cert != NULL)
        der = wolfSSL_X509_get_der(store->current_cert, &dlen);
    if (der != NULL && dlen > 0 && phonesec__tls_cert_names(der, (size_t)dlen, &cn) == PHONESEC_OK)
        have_names = 1;
    if (have_names && depth >= c->max_depth) {
        c->max_depth = depth;
        if (cn.issuer_len <= sizeof c->top_issuer) {
            memcpy(c->top_issuer, cn.issuer, cn.issuer_len);
            c->top_issuer_len = cn.issuer_len;
        }
    }
    if (!preverify && store->error != CRL_MISSING && c->chain != PHONESEC_TLS_CHECK_FAILED) {
        char subj[200] = "";
        int code;
        const char *t = verify_error_text(store->error, &code);
        char wtxt[WOLFSSL_MAX_ERROR_SZ];
        if (have_names)
            phonesec__tls_name_string(cn.subject, cn.subject_len, subj, sizeof subj);
        if (t == NULL) {
            wolfSSL_ERR_error_string_n((unsigned long)(store->error < 0 ? -store->error : store->error), wtxt,
                                       sizeof wtxt);
            t = wtxt;
        }
        c->chain = PHONESEC_TLS_CHECK_FAILED;
        c->chain_fail_code = code;
        snprintf(c->chain_detail, sizeof c->chain_detail, "certificate at depth %d (%s): %s (error %d)", depth,
                 subj, t, store->error);
    }
    if (depth == 0 && der != NULL && dlen > 0) {
        /* keep the leaf: never report a certificate we no longer have */
        phonesec__free(c->peer_der);
        c->peer_der_len = 0;
        c->peer_der = phonesec__malloc((size_t)dlen);
        if (c->peer_der == NULL) {
            c->oom = 1;
            c->peer_cert = 0;
            return 0;
        }
        memcpy(c->peer_der, der, (size_t)dlen);
        c->peer_der_len = (size_t)dlen;
        c->peer_cert = 1;
    }
    if (depth == 0 && have_names) {
        phonesec__tls_name_string(cn.subject, cn.subject_len, c->subject, sizeof c->subject);
        phonesec__tls_name_string(cn.issuer, cn.issuer_len, c->issuer, sizeof c->issuer);
        phonesec__tls_sans_string(&cn, c->sans, sizeof c->sans);
        if (c->chain != PHONESEC_TLS_CHECK_FAILED)
            leaf_dates(c, &cn, der, (size_t)dlen);
        if (c->chain != PHONESEC_TLS_CHECK_FAILED) {
            size_t i;
            c->chain = PHONESEC_TLS_CHECK_PASSED;
            snprintf(c->anchor, sizeof c->anchor, "(a trusted certificate)");
            for (i = 0; i < c->snap->n_trusted; i++) {
                phonesec__tls_certnames tn;
                const phonesec__tls_trusted *t = &c->snap->trusted[i];
                if (phonesec__tls_cert_names(t->der, t->len, &tn) != PHONESEC_OK)
                    continue;
                if ((tn.subject_len == c->top_issuer_len &&
                     memcmp(tn.subject, c->top_issuer, c->top_issuer_len) == 0) ||
                    (t->len == (size_t)dlen && memcmp(t->der, der, t->len) == 0)) {
                    scopy(c->anchor, sizeof c->anchor, t->subject);
                    break;
                }
            }
            scopy(c->chain_detail, sizeof c->chain_detail, "verified against ");
            {
                size_t dl = strlen(c->chain_detail);
                (void)phonesec__buf_append(c->chain_detail, sizeof c->chain_detail, &dl, c->anchor,
                                           strlen(c->anchor) < sizeof c->chain_detail - dl - 1
                                               ? strlen(c->anchor) : sizeof c->chain_detail - dl - 1);
            }
        }
        if (c->name_validate && c->has_ref) {
            int r = phonesec__tls_match(&cn, c->mode, c->ref, c->name_detail, sizeof c->name_detail);
            c->name = r == PHONESEC_OK ? PHONESEC_TLS_CHECK_PASSED : PHONESEC_TLS_CHECK_FAILED;
        } else {
            c->name = PHONESEC_TLS_CHECK_SKIPPED;
            snprintf(c->name_detail, sizeof c->name_detail, "%s",
                     c->has_ref ? "name validation switched off (TLS Name Validate = No)"
                                : "no reference identity given");
        }
    } else if (depth == 0 && !have_names) {
        if (c->name_validate && c->has_ref) {
            c->name = PHONESEC_TLS_CHECK_FAILED;
            snprintf(c->name_detail, sizeof c->name_detail, "the peer certificate could not be parsed");
        }
    }
    if (c->chain == PHONESEC_TLS_CHECK_FAILED && c->chain_refuses)
        return 0;
    if (c->name == PHONESEC_TLS_CHECK_FAILED)
        return 0;
    return 1;
}

/* ---------------------------------------------------------------- lifecycle */

/* wolfSSL_new() says only NULL. Besides memory it needs the random source
 * (wolfSSL opens /dev/urandom for every connection), so ask the random
 * source directly and report what really failed. */
static int new_failure(phonesec_tls_ctx *ctx)
{
    WC_RNG rng;
    int r, en;
    errno = 0;
    r = wc_InitRng(&rng);
    en = errno;
    wolfSSL_ERR_clear_error();
    if (r == 0) {
        wc_FreeRng(&rng);
        return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_NOMEM, "cannot create the wolfSSL connection (out of memory)");
    }
    if (r == MEMORY_E)
        return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_NOMEM, "out of memory while seeding the connection's random generator");
    return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_RANDOM, "cannot create the wolfSSL connection: the random source failed "
                                                "(wolfCrypt %d%s)", r,
                          en == EMFILE || en == ENFILE ? ": too many open files" : "");
}

void phonesec_tls_conn_config_init(phonesec_tls_conn_config *cfg)
{
    static const phonesec_tls_conn_config init = PHONESEC_TLS_CONN_CONFIG_INIT;
    if (cfg != NULL)
        *cfg = init;
}

/* Sizes of phonesec_tls_conn_config by struct version (sizes[0]: 1.0, forever). */
static const size_t conn_config_sizes[] = {
    offsetof(phonesec_tls_conn_config, io) + sizeof(phonesec_tls_io),
    offsetof(phonesec_tls_conn_config, handshake_timeout_ms) + sizeof(uint32_t),
};

/* Connection creation only reads the context: it takes a reference to the
 * current snapshot and works from that. A failure is recorded in the
 * context's connection-creation slot (never its configuration error), and
 * everything after creation stays on the connection. */
int phonesec_tls_conn_new(phonesec_tls_ctx *ctx, const phonesec_tls_conn_config *ucfg, phonesec_tls_conn **out)
{
    phonesec_tls_conn_config def;
    const phonesec_tls_conn_config *cfg = &def;
    phonesec_tls_conn *c;
    phonesec__tls_snap *snap;
    size_t rl = 0;
    uint8_t ip[16];

    if (ctx == NULL || out == NULL)
        return PHONESEC_E_INVAL;
    if (ucfg == NULL)
        phonesec_tls_conn_config_init(&def);
    else if (phonesec__struct_in(&def, sizeof def, ucfg, conn_config_sizes, PHONESEC_TLS_CONN_CONFIG_VERSION) !=
             PHONESEC_OK)
        return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_INVAL, "bad connection config version %u", ucfg->version);
    if ((cfg->io.send == NULL) != (cfg->io.recv == NULL))
        return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_INVAL, "bad connection config (half the callbacks)");
    if (cfg->identity_mode != PHONESEC_TLS_INHERIT && cfg->identity_mode != PHONESEC_TLS_IDENTITY_SIP &&
        cfg->identity_mode != PHONESEC_TLS_IDENTITY_HTTPS)
        return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_INVAL, "unknown identity mode %d", cfg->identity_mode);
    if (cfg->name_validate != PHONESEC_TLS_INHERIT && cfg->name_validate != 0 && cfg->name_validate != 1)
        return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_INVAL,
                                           "name_validate must be 0, 1 or PHONESEC_TLS_INHERIT");
    if (cfg->reference_name != NULL) {
        rl = strlen(cfg->reference_name);
        if (rl == 0 || rl >= 256)
            return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_INVAL, "reference name empty or too long");
    }
    c = phonesec__calloc(1, sizeof *c);
    if (c == NULL)
        return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_NOMEM, "out of memory");
    snap = phonesec__tls_snap_get(ctx);
    c->snap = snap;
    c->role = snap->role;
    c->io = cfg->io;
    c->feed = cfg->io.send == NULL;
    c->mode = cfg->identity_mode == PHONESEC_TLS_INHERIT ? snap->identity_mode : cfg->identity_mode;
    c->name_validate = cfg->name_validate == PHONESEC_TLS_INHERIT ? snap->name_validate : cfg->name_validate;
    c->only_trusted = snap->only_trusted;
    c->max_depth = -1;
    c->hs_timeout = cfg->handshake_timeout_ms;
    c->hs_start = phonesec_now_ms();
    if (rl > 0) {
        memcpy(c->ref, cfg->reference_name, rl + 1);
        c->has_ref = 1;
    }
    snprintf(c->chain_detail, sizeof c->chain_detail, "not checked yet");
    snprintf(c->name_detail, sizeof c->name_detail, "not checked yet");
    if (c->role == PHONESEC_TLS_CLIENT) {
        int rc = PHONESEC_OK;
        if (c->name_validate && !c->has_ref)
            rc = phonesec__tls_conn_new_fail(ctx, PHONESEC_E_INVAL, "a client connection needs a reference "
                                                                    "identity while name validation is on");
        else if (!c->has_ref && snap->n_domains > 0)
            rc = phonesec__tls_conn_new_fail(ctx, PHONESEC_E_POLICY,
                                             "Restricted Access Domains are set and the connection has no "
                                             "reference identity to check against them");
        else if (c->has_ref && phonesec__tls_snap_domain_allowed(snap, c->ref) != PHONESEC_OK)
            rc = phonesec__tls_conn_new_fail(ctx, PHONESEC_E_POLICY,
                                             "'%s' is outside the Restricted Access Domains", c->ref);
        else if (c->only_trusted && snap->n_trusted == 0)
            rc = phonesec__tls_conn_new_fail(ctx, PHONESEC_E_STATE, "the trust list is empty and only trusted "
                                                                    "certificates are accepted");
        if (rc != PHONESEC_OK) {
            phonesec_tls_conn_free(c);
            return rc;
        }
        c->chain_enforced = c->only_trusted;
        c->chain_required = c->chain_refuses = c->only_trusted;
    } else {
        if (!snap->has_cert) {
            phonesec_tls_conn_free(c);
            return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_STATE, "a server context needs a certificate");
        }
        /* REQUIRE means a verified client certificate, whatever only_trusted says */
        c->chain_required = snap->client_cert == PHONESEC_TLS_CLIENT_CERT_REQUIRE;
        c->chain_refuses = c->chain_required ||
                           (c->only_trusted && snap->client_cert == PHONESEC_TLS_CLIENT_CERT_REQUEST);
        c->chain_enforced = c->chain_refuses;
    }
    c->ssl = wolfSSL_new(snap->w);
    if (c->ssl == NULL) {
        phonesec_tls_conn_free(c);
        wolfSSL_ERR_clear_error();
        return new_failure(ctx);
    }
    wolfSSL_SSLSetIORecv(c->ssl, recv_cb);
    wolfSSL_SSLSetIOSend(c->ssl, send_cb);
    wolfSSL_SetIOReadCtx(c->ssl, c);
    wolfSSL_SetIOWriteCtx(c->ssl, c);
    wolfSSL_SetCertCbCtx(c->ssl, c);
    if (c->role == PHONESEC_TLS_CLIENT) {
        /* SNI carries the name without its trailing dot (RFC 6066 §3) */
        size_t sl = rl > 1 && c->ref[rl - 1] == '.' ? rl - 1 : rl;
        if (c->has_ref && !phonesec__tls_ip_literal(c->ref, ip) &&
            wolfSSL_UseSNI(c->ssl, WOLFSSL_SNI_HOST_NAME, c->ref, (unsigned short)sl) != WOLFSSL_SUCCESS) {
            phonesec_tls_conn_free(c);
            return phonesec__tls_conn_new_fail(ctx, PHONESEC_E_NOMEM, "cannot set SNI");
        }
        if (snap->session_tickets)
            wolfSSL_UseSessionTicket(c->ssl);
    }
    *out = c;
    return PHONESEC_OK;
}

static void session_free(phonesec_tls_session *s)
{
    if (s == NULL)
        return;
    phonesec__free_secret(s->der, s->len);
    phonesec__free_secret(s, sizeof *s);
}

void phonesec_tls_conn_free(phonesec_tls_conn *c)
{
    if (c == NULL)
        return;
    if (c->ssl != NULL)
        wolfSSL_free(c->ssl);
    wolfSSL_ERR_clear_error();
    phonesec__free(c->in);
    phonesec__free(c->out);
    phonesec__free(c->peer_der);
    session_free(c->offered);
    phonesec__tls_srec_clear(&c->srec);
    phonesec__tls_snap_put(c->snap);
    phonesec__free(c);
}

int phonesec_tls_conn_last_error(const phonesec_tls_conn *c, char *buf, size_t cap)
{
    if (c == NULL || buf == NULL || cap == 0)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&c->err, buf, cap);
}

/* ---------------------------------------------------------------- handshake */

static const char *proto_name(unsigned v)
{
    switch (v) {
    case PHONESEC_TLS_V1_0: return "TLSv1.0";
    case PHONESEC_TLS_V1_1: return "TLSv1.1";
    case PHONESEC_TLS_V1_2: return "TLSv1.2";
    case PHONESEC_TLS_V1_3: return "TLSv1.3";
    default: return "unknown";
    }
}

/* Idle connections hold no I/O buffers (feed/drain mode). */
static void release_idle(phonesec_tls_conn *c)
{
    if (c->in != NULL && c->in_off == c->in_len) {
        phonesec__free(c->in);
        c->in = NULL;
        c->in_cap = c->in_len = c->in_off = 0;
    }
    if (c->out != NULL && c->out_len == 0) {
        phonesec__free(c->out);
        c->out = NULL;
        c->out_cap = 0;
    }
}

/* A resumed session carries the verdicts of the full handshake that made
 * it. It may stand in for a full handshake only where those verdicts meet
 * this connection's policy; NULL when they do, else what is missing. */
static const char *session_policy_gap(const phonesec_tls_conn *c, int chain, int name)
{
    if (c->only_trusted && chain != PHONESEC_TLS_CHECK_PASSED)
        return "its certificate chain was not verified";
    if (c->name_validate && c->has_ref && name != PHONESEC_TLS_CHECK_PASSED)
        return "the server's identity was not checked";
    return NULL;
}

/* ---------------------------------------------------------------- server sessions */

/* Did the peer really send a certificate? (wolfSSL may call the verify
 * callback at depth 0 without one: REQUEST mode, nothing sent.) */
static int peer_sent_cert(phonesec_tls_conn *c)
{
    WOLFSSL_X509_CHAIN *ch;
    if (c->peer_der != NULL)
        return 1;
    ch = wolfSSL_get_peer_chain(c->ssl);
    return ch != NULL && wolfSSL_get_chain_count(ch) > 0;
}

/* The verdicts of this connection's full handshake, as a server record. */
static void srec_from_conn(phonesec_tls_conn *c, phonesec__tls_srec *r)
{
    memset(r, 0, sizeof *r);
    r->peer_cert = peer_sent_cert(c);
    r->chain = r->peer_cert ? c->chain : PHONESEC_TLS_CHECK_SKIPPED;
    r->chain_fail_code = c->chain_fail_code;
    scopy(r->anchor, sizeof r->anchor, r->chain == PHONESEC_TLS_CHECK_PASSED ? c->anchor : "");
    r->peer_der = c->peer_der; /* borrowed: phonesec__tls_srec_add copies it */
    r->peer_der_len = c->peer_der_len;
}

/* May a session with these full-handshake verdicts stand in for a full
 * handshake on this server connection? NULL when it may, else why not;
 * *code is the error a full handshake would have given. The name check is
 * made again, against this connection's reference name. */
static const char *srec_policy_gap(phonesec_tls_conn *c, const phonesec__tls_srec *r, int *code, char *why,
                                   size_t why_cap)
{
    *code = PHONESEC_E_POLICY;
    if (c->snap->client_cert == PHONESEC_TLS_CLIENT_CERT_REQUIRE && !r->peer_cert)
        return "the full handshake had no client certificate, and one is required";
    if (r->peer_cert && r->chain != PHONESEC_TLS_CHECK_PASSED &&
        (c->only_trusted || c->snap->client_cert == PHONESEC_TLS_CLIENT_CERT_REQUIRE)) {
        *code = r->chain_fail_code ? r->chain_fail_code : PHONESEC_E_VERIFY;
        return "the client certificate was not verified on the full handshake";
    }
    if (c->name_validate && c->has_ref) {
        phonesec__tls_certnames cn;
        *code = PHONESEC_E_NAME;
        if (r->peer_der == NULL || phonesec__tls_cert_names(r->peer_der, r->peer_der_len, &cn) != PHONESEC_OK)
            return "no client certificate to check the reference name against";
        if (phonesec__tls_match(&cn, c->mode, c->ref, why, why_cap) != PHONESEC_OK)
            return why;
    }
    return NULL;
}

/* Session tickets of a server snapshot: ChaCha20-Poly1305 under the
 * snapshot's own random key; the key_name is the snapshot's random tag and
 * the number of the record holding the full handshake's verdicts. A ticket
 * of another context or configuration generation, or whose record is gone,
 * or whose verdicts fall short of this connection's policy, is rejected:
 * the client gets a full handshake. */
int phonesec__tls_ticket_cb(WOLFSSL *ssl, unsigned char key_name[WOLFSSL_TICKET_NAME_SZ],
                            unsigned char iv[WOLFSSL_TICKET_IV_SZ], unsigned char mac[WOLFSSL_TICKET_MAC_SZ],
                            int enc, unsigned char *ticket, int in_len, int *out_len, void *user)
{
    phonesec__tls_snap *snap = user;
    phonesec_tls_conn *c = wolfSSL_GetIOReadCtx(ssl);
    uint8_t *tmp;
    uint64_t id = 0;
    int i, r;

    if (snap == NULL || c == NULL || c->snap != snap || in_len <= 0 || out_len == NULL)
        return WOLFSSL_TICKET_RET_FATAL;
    if (enc) {
        phonesec__tls_srec rec;
        if (wolfSSL_session_reused(ssl) == 1 && c->have_srec) {
            rec = c->srec; /* a resumed connection's new ticket: the same full handshake */
        } else {
            srec_from_conn(c, &rec);
        }
        rec.id = 0;
        rec.sid_len = 0;
        if (phonesec__tls_srec_add(snap, &rec, &id) != PHONESEC_OK) {
            c->hs_oom = 1; /* its only failure: the record table could not grow */
            return WOLFSSL_TICKET_RET_FATAL;
        }
        memcpy(key_name, snap->tname, 8);
        for (i = 0; i < 8; i++)
            key_name[8 + i] = (unsigned char)(id >> (56 - 8 * i));
        if (phonesec_random(iv, WOLFSSL_TICKET_IV_SZ) != PHONESEC_OK)
            return WOLFSSL_TICKET_RET_FATAL;
        tmp = phonesec__malloc((size_t)in_len);
        if (tmp == NULL) {
            c->hs_oom = 1;
            return WOLFSSL_TICKET_RET_FATAL;
        }
        memset(mac, 0, WOLFSSL_TICKET_MAC_SZ);
        r = wc_ChaCha20Poly1305_Encrypt(snap->tkey, iv, key_name, WOLFSSL_TICKET_NAME_SZ, ticket, (word32)in_len,
                                        tmp, mac);
        if (r == 0)
            memcpy(ticket, tmp, (size_t)in_len);
        phonesec__free_secret(tmp, (size_t)in_len);
        if (r != 0)
            return WOLFSSL_TICKET_RET_FATAL;
        *out_len = in_len;
        c->ticket_issued = 1;
        return WOLFSSL_TICKET_RET_OK;
    }
    /* decrypt */
    if (memcmp(key_name, snap->tname, 8) != 0)
        return WOLFSSL_TICKET_RET_REJECT; /* another context or generation */
    for (i = 0; i < 8; i++)
        id = (id << 8) | key_name[8 + i];
    for (i = 16; i < WOLFSSL_TICKET_MAC_SZ; i++)
        if (mac[i] != 0)
            return WOLFSSL_TICKET_RET_REJECT;
    tmp = phonesec__malloc((size_t)in_len);
    if (tmp == NULL)
        return WOLFSSL_TICKET_RET_REJECT;
    r = wc_ChaCha20Poly1305_Decrypt(snap->tkey, iv, key_name, WOLFSSL_TICKET_NAME_SZ, ticket, (word32)in_len, mac,
                                    tmp);
    if (r != 0) {
        phonesec__free_secret(tmp, (size_t)in_len);
        return WOLFSSL_TICKET_RET_REJECT;
    }
    {
        phonesec__tls_srec rec;
        char why[256];
        int code;
        if (phonesec__tls_srec_find(snap, id, NULL, 0, &rec) != PHONESEC_OK) {
            phonesec__free_secret(tmp, (size_t)in_len);
            return WOLFSSL_TICKET_RET_REJECT; /* forgotten: a full handshake */
        }
        if (srec_policy_gap(c, &rec, &code, why, sizeof why) != NULL) {
            phonesec__tls_srec_clear(&rec);
            phonesec__free_secret(tmp, (size_t)in_len);
            return WOLFSSL_TICKET_RET_REJECT; /* below this connection's policy: a full handshake */
        }
        phonesec__tls_srec_clear(&c->srec);
        c->srec = rec;
        c->have_srec = 1;
    }
    memcpy(ticket, tmp, (size_t)in_len);
    phonesec__free_secret(tmp, (size_t)in_len);
    *out_len = in_len;
    return WOLFSSL_TICKET_RET_OK;
}

/* The snapshot's server session cache (TLS 1.2 session IDs): wolfSSL hands
 * over every new session; we keep it with the verdicts of its handshake. */
int phonesec__tls_sess_new_cb(WOLFSSL *ssl, WOLFSSL_SESSION *sess)
{
    phonesec_tls_conn *c = wolfSSL_GetIOReadCtx(ssl);
    const unsigned char *sid;
    unsigned int sid_len = 0;
    phonesec__tls_srec rec;
    unsigned char *p;
    int n;
    if (c == NULL || c->snap == NULL || c->role != PHONESEC_TLS_SERVER || wolfSSL_version(ssl) > TLS1_2_VERSION)
        return 0; /* TLS 1.3 resumes by ticket only */
    sid = wolfSSL_SESSION_get_id(sess, &sid_len);
    if (sid == NULL || sid_len == 0 || sid_len > 32 || (n = wolfSSL_i2d_SSL_SESSION(sess, NULL)) <= 0)
        return 0;
    if (wolfSSL_session_reused(ssl) == 1 && c->have_srec)
        rec = c->srec;
    else
        srec_from_conn(c, &rec);
    rec.id = 0;
    memcpy(rec.sid, sid, sid_len);
    rec.sid_len = sid_len;
    rec.sess_der = phonesec__malloc((size_t)n);
    if (rec.sess_der == NULL)
        return 0;
    p = rec.sess_der;
    if (wolfSSL_i2d_SSL_SESSION(sess, &p) == n) {
        rec.sess_der_len = (size_t)n;
        (void)phonesec__tls_srec_add(c->snap, &rec, NULL); /* out of memory: not resumable, no harm */
    }
    phonesec__free_secret(rec.sess_der, (size_t)n);
    return 0; /* wolfSSL keeps no extra reference for us */
}

WOLFSSL_SESSION *phonesec__tls_sess_get_cb(WOLFSSL *ssl, const unsigned char *id, int len, int *copy)
{
    phonesec_tls_conn *c = wolfSSL_GetIOReadCtx(ssl);
    phonesec__tls_srec rec;
    WOLFSSL_SESSION *ws;
    const unsigned char *p;
    char why[256];
    int code;
    if (copy != NULL)
        *copy = 0; /* wolfSSL frees what we return */
    if (c == NULL || c->snap == NULL || id == NULL || len <= 0 || len > 32)
        return NULL;
    if (phonesec__tls_srec_find(c->snap, 0, id, (size_t)len, &rec) != PHONESEC_OK)
        return NULL; /* not made by this snapshot: a full handshake */
    if (rec.sess_der == NULL || srec_policy_gap(c, &rec, &code, why, sizeof why) != NULL) {
        phonesec__tls_srec_clear(&rec);
        return NULL; /* below this connection's policy: a full handshake */
    }
    p = rec.sess_der;
    ws = wolfSSL_d2i_SSL_SESSION(NULL, &p, (long)rec.sess_der_len);
    if (ws == NULL) {
        phonesec__tls_srec_clear(&rec);
        wolfSSL_ERR_clear_error();
        return NULL;
    }
    phonesec__tls_srec_clear(&c->srec);
    c->srec = rec;
    c->have_srec = 1;
    return ws;
}

/* A resumed server connection: find the record of its full handshake (the
 * ticket's, or the session ID's), report its identity and verdicts, and
 * check them against this connection's policy. Fail closed when there is
 * no record. */
static int server_resumed(phonesec_tls_conn *c)
{
    phonesec__tls_srec *r = &c->srec;
    const char *gap;
    char why[256];
    int code;
    if (!c->have_srec) {
        WOLFSSL_SESSION *ws = wolfSSL_get_session(c->ssl);
        const unsigned char *sid = NULL;
        unsigned int sid_len = 0;
        if (ws != NULL)
            sid = wolfSSL_SESSION_get_id(ws, &sid_len);
        if (sid == NULL || sid_len == 0 ||
            phonesec__tls_srec_find(c->snap, 0, sid, sid_len, &c->srec) != PHONESEC_OK) {
            c->state = ST_FAILED;
            return phonesec__fail(&c->err, PHONESEC_E_POLICY,
                                  "resumed a session this context configuration did not make (refused)");
        }
        c->have_srec = 1;
    }
    c->peer_cert = r->peer_cert;
    c->chain = r->chain;
    c->chain_fail_code = r->chain_fail_code;
    scopy(c->anchor, sizeof c->anchor, r->anchor);
    c->subject[0] = c->issuer[0] = c->sans[0] = '\0';
    phonesec__free(c->peer_der);
    c->peer_der = NULL;
    c->peer_der_len = 0;
    if (r->peer_der != NULL) {
        phonesec__tls_certnames cn;
        c->peer_der = phonesec__malloc(r->peer_der_len);
        if (c->peer_der == NULL) {
            c->state = ST_FAILED;
            return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
        }
        memcpy(c->peer_der, r->peer_der, r->peer_der_len);
        c->peer_der_len = r->peer_der_len;
        if (phonesec__tls_cert_names(c->peer_der, c->peer_der_len, &cn) == PHONESEC_OK) {
            phonesec__tls_name_string(cn.subject, cn.subject_len, c->subject, sizeof c->subject);
            phonesec__tls_name_string(cn.issuer, cn.issuer_len, c->issuer, sizeof c->issuer);
            phonesec__tls_sans_string(&cn, c->sans, sizeof c->sans);
        }
    }
    if (!r->peer_cert)
        scopy(c->chain_detail, sizeof c->chain_detail, "resumed session; no client certificate on the full handshake");
    else if (r->chain == PHONESEC_TLS_CHECK_PASSED)
        snprintf(c->chain_detail, sizeof c->chain_detail, "resumed session; chain verified against %s on the full "
                                                          "handshake", r->anchor);
    else
        scopy(c->chain_detail, sizeof c->chain_detail, "resumed session; chain NOT verified on the full handshake");
    gap = srec_policy_gap(c, r, &code, why, sizeof why);
    if (c->name_validate && c->has_ref) {
        c->name = gap == NULL || code != PHONESEC_E_NAME ? PHONESEC_TLS_CHECK_PASSED : PHONESEC_TLS_CHECK_FAILED;
        if (c->name == PHONESEC_TLS_CHECK_PASSED)
        {
            size_t dl = 0;
            static const char pre[] = "resumed session: the full handshake's client certificate matches ";
            c->name_detail[0] = '\0';
            (void)phonesec__buf_append(c->name_detail, sizeof c->name_detail, &dl, pre, sizeof pre - 1);
            (void)phonesec__buf_append(c->name_detail, sizeof c->name_detail, &dl, c->ref, strlen(c->ref));
        }
        else
            snprintf(c->name_detail, sizeof c->name_detail, "resumed session: %s", gap);
    } else {
        c->name = PHONESEC_TLS_CHECK_SKIPPED;
        scopy(c->name_detail, sizeof c->name_detail, c->has_ref ? "name validation switched off"
                                                                : "no reference identity given");
    }
    if (gap != NULL) {
        c->state = ST_FAILED;
        return phonesec__fail(&c->err, code, "resumed session refused: %s", gap);
    }
    return PHONESEC_OK;
}

static int finish(phonesec_tls_conn *c)
{
    int s = wolfSSL_get_current_cipher_suite(c->ssl);
    const char *nm;
    c->proto = (unsigned)wolfSSL_version(c->ssl);
    scopy(c->proto_name, sizeof c->proto_name, proto_name(c->proto));
    c->suite = (uint16_t)s;
    nm = wolfSSL_get_cipher_name_iana_from_suite((unsigned char)(s >> 8), (unsigned char)(s & 0xff));
    scopy(c->suite_name, sizeof c->suite_name, nm ? nm : "unknown");
    c->resumed = wolfSSL_session_reused(c->ssl) == 1;
    if (c->resumed) {
        if (c->offered != NULL && c->role == PHONESEC_TLS_CLIENT) {
            phonesec_tls_session *o = c->offered;
            c->chain = o->chain;
            c->chain_enforced = o->chain_enforced;
            c->name = c->name_validate ? o->name : PHONESEC_TLS_CHECK_SKIPPED;
            c->peer_cert = o->peer_cert;
            scopy(c->anchor, sizeof c->anchor, o->anchor);
            scopy(c->subject, sizeof c->subject, o->subject);
            scopy(c->issuer, sizeof c->issuer, o->issuer);
            scopy(c->sans, sizeof c->sans, o->sans);
            if (o->chain == PHONESEC_TLS_CHECK_PASSED)
                snprintf(c->chain_detail, sizeof c->chain_detail,
                         "resumed session; chain verified against %s on the full handshake", o->anchor);
            else
                scopy(c->chain_detail, sizeof c->chain_detail,
                      "resumed session; chain NOT verified on the full handshake");
            snprintf(c->name_detail, sizeof c->name_detail, "resumed session: %s", o->name_detail);
        } else if (c->role == PHONESEC_TLS_SERVER) {
            int rc = server_resumed(c);
            if (rc != PHONESEC_OK)
                return rc;
        } else {
            snprintf(c->chain_detail, sizeof c->chain_detail, "resumed session (no certificate exchanged)");
            snprintf(c->name_detail, sizeof c->name_detail, "resumed session (no certificate exchanged)");
        }
        if (c->role == PHONESEC_TLS_CLIENT) {
            const char *gap = c->offered == NULL ? "it is not the session this connection offered"
                                                 : session_policy_gap(c, c->chain, c->name);
            if (gap != NULL) {
                c->state = ST_FAILED;
                return phonesec__fail(&c->err, PHONESEC_E_POLICY, "resumed session refused: %s", gap);
            }
        }
    } else if (!c->peer_cert || !peer_sent_cert(c)) {
        c->peer_cert = 0; /* never claim a certificate that was not sent */
        c->subject[0] = c->issuer[0] = c->sans[0] = '\0';
        snprintf(c->chain_detail, sizeof c->chain_detail, "the peer sent no certificate");
        snprintf(c->name_detail, sizeof c->name_detail, "the peer sent no certificate");
        c->chain = PHONESEC_TLS_CHECK_SKIPPED;
        c->name = PHONESEC_TLS_CHECK_SKIPPED;
    }
    /* Fail closed where the result is judged: an anonymous suite, a peer
     * that sent no certificate, a callback that never ran all leave the
     * chain unverified, and only a verified chain passes where one is
     * required (client with only_trusted; server with CLIENT_CERT_REQUIRE). */
    if (c->chain_required && c->chain != PHONESEC_TLS_CHECK_PASSED) {
        c->state = ST_FAILED;
        c->chain_enforced = 1;
        if (c->chain == PHONESEC_TLS_CHECK_FAILED)
            c->fail_code = phonesec__fail(&c->err, c->chain_fail_code ? c->chain_fail_code : PHONESEC_E_VERIFY,
                                          "chain check failed: %s", c->chain_detail);
        else
            c->fail_code = phonesec__fail(&c->err, PHONESEC_E_VERIFY, "no verified certificate chain (%s)%s",
                                          c->peer_cert ? c->chain_detail : "the peer sent no certificate",
                                          c->role == PHONESEC_TLS_CLIENT
                                              ? "; only trusted certificates are accepted"
                                              : "; a verified client certificate is required");
        return c->fail_code;
    }
    if (c->chain == PHONESEC_TLS_CHECK_FAILED && !c->chain_refuses)
        phonesec__log(PHONESEC_LOG_WARN, "tls", "peer NOT verified (only-accept-trusted is off): %s", c->chain_detail);
    /* Fail closed if the identity check did not run: it runs in the verify
     * callback, which must see successful verifications too. */
    if (c->role == PHONESEC_TLS_CLIENT && !c->resumed && c->name_validate && c->has_ref &&
        c->name != PHONESEC_TLS_CHECK_PASSED) {
        c->state = ST_FAILED;
        return phonesec__fail(&c->err, PHONESEC_E_NAME, "identity of '%s' not established: %s", c->ref,
                              c->name_detail[0] ? c->name_detail : "the check did not run");
    }
    c->state = ST_EST;
    release_idle(c);
    phonesec__err_clear(&c->err);
    return PHONESEC_OK;
}

static int fail(phonesec_tls_conn *c, int werr)
{
    char wt[WOLFSSL_MAX_ERROR_SZ];
    int code;

    if (c->oom) {
        code = phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory while keeping the peer certificate");
    } else if (c->hs_oom) {
        /* wolfSSL reports an allocation it could not make as whatever step
         * failed next (a decode or verify error): the routed allocator saw it */
        code = phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory during the handshake");
    } else if (c->name == PHONESEC_TLS_CHECK_FAILED) {
        code = phonesec__fail(&c->err, PHONESEC_E_NAME, "identity check failed for '%s': %s", c->ref, c->name_detail);
    } else if (c->chain == PHONESEC_TLS_CHECK_FAILED && c->chain_refuses) {
        code = phonesec__fail(&c->err, c->chain_fail_code ? c->chain_fail_code : PHONESEC_E_VERIFY,
                              "chain check failed: %s", c->chain_detail);
    } else if (c->io_err == PHONESEC_E_NOMEM || werr == MEMORY_E || werr == MEMORY_ERROR) {
        code = phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory during the handshake");
    } else if (c->io_err != 0) {
        code = phonesec__fail(&c->err, c->io_err, "transport: %s",
                              c->io_err == PHONESEC_E_CLOSED ? "the peer closed the connection" : "I/O error");
    } else {
        WOLFSSL_ALERT_HISTORY h;
        wolfSSL_ERR_error_string_n((unsigned long)(werr < 0 ? -werr : werr), wt, sizeof wt);
        memset(&h, 0, sizeof h);
        wolfSSL_get_alert_history(c->ssl, &h);
        if (h.last_rx.code > 0)
            code = phonesec__fail(&c->err, PHONESEC_E_HANDSHAKE, "peer sent alert %d (%s); wolfSSL: %s (%d)",
                                  h.last_rx.code, wolfSSL_alert_desc_string_long(h.last_rx.code), wt, werr);
        else
            code = phonesec__fail(&c->err, PHONESEC_E_HANDSHAKE, "handshake failed: %s (wolfSSL %d)", wt, werr);
    }
    if (!c->peer_cert && c->chain == PHONESEC_TLS_CHECK_SKIPPED)
        scopy(c->chain_detail, sizeof c->chain_detail, "no certificate received from the peer");
    if (c->name == PHONESEC_TLS_CHECK_SKIPPED && !c->peer_cert)
        scopy(c->name_detail, sizeof c->name_detail, "no certificate received from the peer");
    c->state = ST_FAILED;
    c->fail_code = code;
    wolfSSL_ERR_clear_error();
    return code;
}

static int deadline_passed(const phonesec_tls_conn *c)
{
    return c->hs_timeout != 0 && phonesec_now_ms() - c->hs_start >= c->hs_timeout;
}

int64_t phonesec_tls_conn_next_timeout_ms(const phonesec_tls_conn *c)
{
    uint64_t el;
    if (c == NULL || c->hs_timeout == 0 || (c->state != ST_NEW && c->state != ST_HS))
        return -1;
    el = phonesec_now_ms() - c->hs_start;
    return el >= c->hs_timeout ? 0 : (int64_t)(c->hs_timeout - el);
}

int phonesec_tls_conn_handshake(phonesec_tls_conn *c)
{
    unsigned long oom0;
    int ret, e;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    switch (c->state) {
    case ST_EST: return PHONESEC_OK;
    case ST_FAILED:
    case ST_CLOSED: return phonesec__fail(&c->err, PHONESEC_E_STATE, "the connection is %s",
                                         c->state == ST_FAILED ? "failed" : "closed");
    default: break;
    }
    if (deadline_passed(c)) {
        c->state = ST_FAILED;
        c->wants = 0;
        c->fail_code = phonesec__fail(&c->err, PHONESEC_E_TIMEOUT, "the handshake did not complete within %lu ms",
                                      (unsigned long)c->hs_timeout);
        return c->fail_code;
    }
    c->state = ST_HS;
    c->wants = 0;
    oom0 = phonesec__tls_backend_oom();
    c->hs_oom = 0; /* set by our callbacks too */
    ret = c->role == PHONESEC_TLS_CLIENT ? wolfSSL_connect(c->ssl) : wolfSSL_accept(c->ssl);
    if (phonesec__tls_backend_oom() != oom0)
        c->hs_oom = 1;
    if (ret == WOLFSSL_SUCCESS || wolfSSL_get_error(c->ssl, ret) != 0)
        c->no_error_fails = 0;
    if (ret == WOLFSSL_SUCCESS)
        return finish(c);
    e = wolfSSL_get_error(c->ssl, ret);
    if ((e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE) && c->io_err == 0) {
        c->wants = e == WOLFSSL_ERROR_WANT_READ ? PHONESEC_TLS_WANT_READ : PHONESEC_TLS_WANT_WRITE;
        wolfSSL_ERR_clear_error();
        return PHONESEC_E_WOULD_BLOCK;
    }
    if (e == 0 && c->io_err == 0 && ++c->no_error_fails < 32) {
        /* wolfSSL 5.5.4's TLS 1.3 server can return failure with no error
         * after a partial write was flushed: nothing is wrong, call again */
        c->wants = PHONESEC_TLS_WANT_READ | PHONESEC_TLS_WANT_WRITE;
        wolfSSL_ERR_clear_error();
        return PHONESEC_E_WOULD_BLOCK;
    }
    if (c->peer_cert && !peer_sent_cert(c))
        c->peer_cert = 0; /* an empty Certificate message is no certificate */
    return fail(c, e);
}

int phonesec_tls_conn_is_established(const phonesec_tls_conn *c)
{
    return c != NULL && c->state == ST_EST;
}

unsigned phonesec_tls_conn_wants(const phonesec_tls_conn *c)
{
    return c ? c->wants : 0;
}

static int ready(phonesec_tls_conn *c)
{
    if (c->state == ST_NEW || c->state == ST_HS)
        return phonesec_tls_conn_handshake(c);
    if (c->state != ST_EST)
        return phonesec__fail(&c->err, PHONESEC_E_STATE, "the connection is %s",
                              c->state == ST_FAILED ? "failed" : "closed");
    return PHONESEC_OK;
}

/* After a failed wolfSSL_read/write: did it fail, or leave a record half
 * processed behind a WANT_*, because memory ran out? Then the connection
 * cannot go on (its state is unknown) and the answer is NOMEM. */
static int backend_oom(phonesec_tls_conn *c, unsigned long oom0, int e)
{
    if (phonesec__tls_backend_oom() == oom0 && e != MEMORY_E && e != MEMORY_ERROR && c->io_err != PHONESEC_E_NOMEM)
        return 0;
    wolfSSL_ERR_clear_error();
    c->state = ST_FAILED;
    c->wants = 0;
    return 1;
}

int phonesec_tls_conn_write(phonesec_tls_conn *c, const uint8_t *data, size_t len, size_t *written)
{
    unsigned long oom0;
    int rc, ret, e;
    if (c == NULL || data == NULL || len == 0 || written == NULL)
        return PHONESEC_E_INVAL;
    rc = ready(c);
    if (rc != PHONESEC_OK)
        return rc;
    c->wants = 0;
    oom0 = phonesec__tls_backend_oom();
    ret = wolfSSL_write(c->ssl, data, (int)(len > INT_MAX ? INT_MAX : len));
    if (ret > 0) {
        *written = (size_t)ret;
        return PHONESEC_OK;
    }
    e = wolfSSL_get_error(c->ssl, ret);
    if (backend_oom(c, oom0, e))
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "write: out of memory");
    if ((e == WOLFSSL_ERROR_WANT_WRITE || e == WOLFSSL_ERROR_WANT_READ) && c->io_err == 0) {
        c->wants = e == WOLFSSL_ERROR_WANT_READ ? PHONESEC_TLS_WANT_READ : PHONESEC_TLS_WANT_WRITE;
        wolfSSL_ERR_clear_error();
        return PHONESEC_E_WOULD_BLOCK;
    }
    wolfSSL_ERR_clear_error();
    c->state = ST_FAILED;
    if (c->io_err != 0)
        return phonesec__fail(&c->err, c->io_err, "write: transport %s",
                              c->io_err == PHONESEC_E_CLOSED ? "closed" : "error");
    return phonesec__fail(&c->err, PHONESEC_E_IO, "write failed (wolfSSL %d)", e);
}

int phonesec_tls_conn_read(phonesec_tls_conn *c, uint8_t *buf, size_t cap, size_t *got)
{
    unsigned long oom0;
    int rc, ret, e;
    if (c == NULL || buf == NULL || cap == 0 || got == NULL)
        return PHONESEC_E_INVAL;
    rc = ready(c);
    if (rc != PHONESEC_OK)
        return rc;
    c->wants = 0;
    oom0 = phonesec__tls_backend_oom();
    ret = wolfSSL_read(c->ssl, buf, (int)(cap > INT_MAX ? INT_MAX : cap));
    if (ret > 0) {
        *got = (size_t)ret;
        return PHONESEC_OK;
    }
    e = wolfSSL_get_error(c->ssl, ret);
    if (backend_oom(c, oom0, e))
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "read: out of memory");
    if ((e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE) && c->io_err == 0) {
        c->wants = e == WOLFSSL_ERROR_WANT_READ ? PHONESEC_TLS_WANT_READ : PHONESEC_TLS_WANT_WRITE;
        wolfSSL_ERR_clear_error();
        if (c->feed)
            release_idle(c);
        return PHONESEC_E_WOULD_BLOCK;
    }
    wolfSSL_ERR_clear_error();
    if (e == WOLFSSL_ERROR_ZERO_RETURN || c->io_err == PHONESEC_E_CLOSED) {
        c->state = ST_CLOSED;
        return phonesec__fail(&c->err, PHONESEC_E_CLOSED, "%s",
                              e == WOLFSSL_ERROR_ZERO_RETURN ? "the peer sent close_notify"
                                                             : "the transport ended without close_notify");
    }
    c->state = ST_FAILED;
    if (c->io_err != 0)
        return phonesec__fail(&c->err, c->io_err, "read: transport error");
    {
        /* A TLS 1.3 server refuses our certificate after our side of the
         * handshake completed: name the alert (phonesec tls probe shows it). */
        WOLFSSL_ALERT_HISTORY h;
        memset(&h, 0, sizeof h);
        wolfSSL_get_alert_history(c->ssl, &h);
        if (h.last_rx.code > 0 && h.last_rx.level == alert_fatal)
            return phonesec__fail(&c->err, PHONESEC_E_IO, "read failed: peer sent alert %d (%s) (wolfSSL %d)",
                                  h.last_rx.code, wolfSSL_alert_desc_string_long(h.last_rx.code), e);
    }
    return phonesec__fail(&c->err, PHONESEC_E_IO, "read failed (wolfSSL %d)", e);
}

size_t phonesec_tls_conn_pending(const phonesec_tls_conn *c)
{
    int n;
    if (c == NULL || c->state != ST_EST)
        return 0;
    n = wolfSSL_pending(c->ssl);
    return n > 0 ? (size_t)n : 0;
}

int phonesec_tls_conn_close(phonesec_tls_conn *c)
{
    unsigned long oom0;
    int ret, e;
    if (c == NULL)
        return PHONESEC_E_INVAL;
    if (c->state != ST_EST && c->state != ST_CLOSED) {
        c->state = ST_CLOSED;
        return PHONESEC_OK;
    }
    oom0 = phonesec__tls_backend_oom();
    ret = wolfSSL_shutdown(c->ssl);
    if (phonesec__tls_backend_oom() != oom0) {
        c->state = ST_CLOSED;
        wolfSSL_ERR_clear_error();
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory while sending close_notify");
    }
    if (ret == WOLFSSL_SUCCESS || ret == WOLFSSL_SHUTDOWN_NOT_DONE) {
        c->state = ST_CLOSED;
        wolfSSL_ERR_clear_error();
        return PHONESEC_OK;
    }
    e = wolfSSL_get_error(c->ssl, ret);
    wolfSSL_ERR_clear_error();
    if ((e == WOLFSSL_ERROR_WANT_WRITE || e == WOLFSSL_ERROR_WANT_READ) && c->io_err == 0)
        return PHONESEC_E_WOULD_BLOCK;
    c->state = ST_CLOSED;
    if (c->io_err == PHONESEC_E_NOMEM)
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory while sending close_notify");
    if (c->io_err != 0 && c->io_err != PHONESEC_E_CLOSED)
        return phonesec__fail(&c->err, PHONESEC_E_IO, "close_notify could not be sent");
    return PHONESEC_OK;
}

/* ---------------------------------------------------------------- feed / drain */

int phonesec_tls_conn_feed(phonesec_tls_conn *c, const uint8_t *data, size_t len, size_t *consumed)
{
    size_t room, n;
    if (c == NULL || (data == NULL && len > 0) || consumed == NULL)
        return PHONESEC_E_INVAL;
    if (!c->feed)
        return phonesec__fail(&c->err, PHONESEC_E_STATE, "feed() on a connection with transport callbacks");
    if (c->in_off > 0) {
        memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
        c->in_len -= c->in_off;
        c->in_off = 0;
    }
    /* grow on demand (4 KiB, doubling) up to IN_MAX: an idle connection
     * keeps only what its largest flight needed */
    if (c->in_len + len > c->in_cap && c->in_cap < IN_MAX) {
        size_t nc = c->in_cap ? c->in_cap : 4096;
        uint8_t *nb;
        while (nc < c->in_len + len && nc < IN_MAX)
            nc *= 2;
        if (nc > IN_MAX)
            nc = IN_MAX;
        nb = phonesec__realloc(c->in, nc);
        if (nb == NULL)
            return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
        c->in = nb;
        c->in_cap = nc;
    }
    room = c->in_cap - c->in_len;
    if (room == 0 && len > 0)
        return PHONESEC_E_WOULD_BLOCK;
    n = len < room ? len : room;
    if (n > 0)
        memcpy(c->in + c->in_len, data, n);
    c->in_len += n;
    *consumed = n;
    return PHONESEC_OK;
}

int phonesec_tls_conn_drain(phonesec_tls_conn *c, uint8_t *out, size_t cap, size_t *out_len)
{
    size_t n;
    if (c == NULL || out_len == NULL || (out == NULL && cap > 0))
        return PHONESEC_E_INVAL;
    if (!c->feed)
        return phonesec__fail(&c->err, PHONESEC_E_STATE, "drain() on a connection with transport callbacks");
    n = c->out_len < cap ? c->out_len : cap;
    if (n > 0) {
        memcpy(out, c->out, n);
        memmove(c->out, c->out + n, c->out_len - n);
        c->out_len -= n;
        if (c->out_len == 0 && c->state == ST_EST) { /* idle connections hold no I/O buffers */
            phonesec__free(c->out);
            c->out = NULL;
            c->out_cap = 0;
        }
    }
    *out_len = n;
    return PHONESEC_OK;
}

size_t phonesec_tls_conn_pending_output(const phonesec_tls_conn *c)
{
    return (c != NULL && c->feed) ? c->out_len : 0;
}

/* ---------------------------------------------------------------- results */

int phonesec_tls_conn_info(const phonesec_tls_conn *c, phonesec_tls_info *out_info)
{
    phonesec_tls_info *info = out_info;
    /* sizes of every phonesec_tls_info version (1.0: up to name_detail) */
    static const size_t sizes[PHONESEC_TLS_INFO_VERSION] = {sizeof(phonesec_tls_info)};
    phonesec_tls_info full = PHONESEC_TLS_INFO_INIT;
    unsigned v;
    if (c == NULL || info == NULL)
        return PHONESEC_E_INVAL;
    /* The caller's version says how big its struct is; one that is 0 or
     * unknown gets the 1.0 fields only, which every caller's struct holds. */
    memcpy(&v, info, sizeof v);
    if (!PHONESEC__VERSION_OK(v, PHONESEC_TLS_INFO_VERSION))
        v = 1;
    memset(&full, 0, sizeof full);
    full.version = v;
    info = &full; /* filled below, then copied out at the caller's size */
    info->established = c->state == ST_EST || (c->state == ST_CLOSED && c->proto != 0);
    info->protocol = c->proto;
    info->protocol_name = c->proto ? c->proto_name : "";
    info->suite = c->suite;
    info->suite_name = c->proto ? c->suite_name : "";
    info->resumed = c->resumed;
    info->peer_cert = c->peer_cert;
    info->peer_subject = c->subject;
    info->peer_issuer = c->issuer;
    info->peer_sans = c->sans;
    info->chain = c->chain;
    info->chain_enforced = c->chain_enforced;
    info->chain_anchor = c->chain == PHONESEC_TLS_CHECK_PASSED ? c->anchor : "";
    info->chain_detail = c->chain_detail;
    info->name = c->name;
    info->identity_mode = c->mode;
    info->reference_name = c->ref;
    info->name_detail = c->name_detail;
    memcpy(out_info, &full, sizes[v - 1]);
    return PHONESEC_OK;
}

int phonesec_tls_conn_peer_cert(const phonesec_tls_conn *c, uint8_t *out, size_t cap, size_t *out_len)
{
    if (c == NULL || out_len == NULL || (out == NULL && cap > 0))
        return PHONESEC_E_INVAL;
    if (c->peer_der == NULL)
        return PHONESEC_E_NOT_FOUND;
    if (cap < c->peer_der_len) {
        *out_len = c->peer_der_len;
        return PHONESEC_E_BUFFER_SMALL;
    }
    memcpy(out, c->peer_der, c->peer_der_len);
    *out_len = c->peer_der_len;
    return PHONESEC_OK;
}

/* ---------------------------------------------------------------- sessions */

int phonesec_tls_conn_get_session(phonesec_tls_conn *c, phonesec_tls_session **out)
{
    WOLFSSL_SESSION *ws;
    phonesec_tls_session *s;
    unsigned char *p;
    int n;

    if (c == NULL || out == NULL)
        return PHONESEC_E_INVAL;
    if (c->role != PHONESEC_TLS_CLIENT || c->state != ST_EST)
        return phonesec__fail(&c->err, PHONESEC_E_STATE, "sessions come from established client connections");
    ws = wolfSSL_get_session(c->ssl);
    if (ws == NULL)
        return phonesec__fail(&c->err, PHONESEC_E_NOT_FOUND, "the server gave no resumable session");
    {
        /* Never hand out a session that cannot resume (issue 17). With
         * TLS 1.3 the ticket comes after the handshake: none yet, nothing
         * to resume. After a TLS 1.3 resumption, until the server's new
         * ticket is read, wolfSSL pairs the old ticket with the new
         * secret: give the session that was offered instead (it just
         * worked). */
        unsigned char tk[2048];
        word32 tl = sizeof tk;
        unsigned int sid_len = 0;
        int has_ticket = wolfSSL_get_SessionTicket(c->ssl, tk, &tl) == WOLFSSL_SUCCESS && tl > 0;
        (void)wolfSSL_SESSION_get_id(ws, &sid_len);
        if (c->proto >= PHONESEC_TLS_V1_3 && c->resumed && c->offered != NULL && c->offered->der != NULL &&
            c->offered_has_ticket && has_ticket) {
            uint8_t h[32];
            if (wc_Sha256Hash(tk, tl, h) == 0 && memcmp(h, c->offered_ticket, 32) == 0)
                return session_copy(c, c->offered, out);
        }
        if (c->proto >= PHONESEC_TLS_V1_3 ? !has_ticket : (!has_ticket && sid_len == 0))
            return phonesec__fail(&c->err, PHONESEC_E_NOT_FOUND,
                                  c->proto >= PHONESEC_TLS_V1_3
                                      ? "no session ticket yet (read from the connection first)"
                                      : "the server gave no resumable session");
    }
    if ((n = wolfSSL_i2d_SSL_SESSION(ws, NULL)) <= 0)
        return phonesec__fail(&c->err, PHONESEC_E_NOT_FOUND, "the server gave no resumable session");
    s = phonesec__calloc(1, sizeof *s);
    if (s == NULL)
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
    s->der = phonesec__malloc((size_t)n);
    if (s->der == NULL) {
        phonesec__free(s);
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
    }
    p = s->der;
    if (wolfSSL_i2d_SSL_SESSION(ws, &p) != n) {
        session_free(s);
        wolfSSL_ERR_clear_error();
        return phonesec__fail(&c->err, PHONESEC_E_NOT_FOUND, "the session could not be exported");
    }
    s->len = (size_t)n;
    s->ctx_id = c->snap->ctx_id;
    s->gen = c->snap->gen;
    scopy(s->ref, sizeof s->ref, c->ref);
    s->mode = c->mode;
    s->chain = c->chain;
    s->chain_enforced = c->chain_enforced;
    s->name = c->name;
    s->peer_cert = c->peer_cert;
    scopy(s->anchor, sizeof s->anchor, c->anchor);
    scopy(s->subject, sizeof s->subject, c->subject);
    scopy(s->issuer, sizeof s->issuer, c->issuer);
    scopy(s->sans, sizeof s->sans, c->sans);
    scopy(s->name_detail, sizeof s->name_detail, c->name_detail);
    *out = s;
    return PHONESEC_OK;
}

/* A copy of a session (with its bytes). */
static int session_copy(phonesec_tls_conn *c, const phonesec_tls_session *src, phonesec_tls_session **out)
{
    phonesec_tls_session *s = phonesec__malloc(sizeof *s);
    if (s == NULL)
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
    *s = *src;
    s->der = phonesec__malloc(src->len);
    if (s->der == NULL) {
        phonesec__free(s);
        return phonesec__fail(&c->err, PHONESEC_E_NOMEM, "out of memory");
    }
    memcpy(s->der, src->der, src->len);
    *out = s;
    return PHONESEC_OK;
}

void phonesec_tls_session_free(phonesec_tls_session *s)
{
    session_free(s);
}

int phonesec_tls_conn_set_session(phonesec_tls_conn *c, const phonesec_tls_session *s)
{
    WOLFSSL_SESSION *ws;
    const unsigned char *p;
    phonesec_tls_session *copy;
    const char *gap;

    if (c == NULL || s == NULL)
        return PHONESEC_E_INVAL;
    if (c->role != PHONESEC_TLS_CLIENT || c->state != ST_NEW)
        return phonesec__fail(&c->err, PHONESEC_E_STATE, "sessions are offered by client connections before the "
                                                          "handshake");
    if (s->ctx_id != c->snap->ctx_id || s->gen != c->snap->gen)
        return phonesec__fail(&c->err, PHONESEC_E_EXPIRED,
                              "the session was made under another configuration of the context (trust list, "
                              "CRL, certificate, policy or ciphers changed since) or by another context: not "
                              "offered");
    if (!phonesec__strcaseeq(s->ref, c->ref) || s->mode != c->mode)
        return phonesec__fail(&c->err, PHONESEC_E_POLICY,
                              "the session was made for '%s', not '%s': not offered", s->ref, c->ref);
    gap = session_policy_gap(c, s->chain, s->name);
    if (gap != NULL)
        return phonesec__fail(&c->err, PHONESEC_E_POLICY, "the session for '%s' is not offered: %s", s->ref, gap);
    /* Copy first: a session armed in wolfSSL without our copy of its
     * verdicts would resume with no checks recorded. */
    if (session_copy(c, s, &copy) != PHONESEC_OK)
        return PHONESEC_E_NOMEM;
    p = s->der;
    ws = wolfSSL_d2i_SSL_SESSION(NULL, &p, (long)s->len);
    if (ws == NULL) {
        session_free(copy);
        wolfSSL_ERR_clear_error();
        return phonesec__fail(&c->err, PHONESEC_E_CRYPTO, "the session could not be imported");
    }
    if (wolfSSL_set_session(c->ssl, ws) != WOLFSSL_SUCCESS) {
        session_free(copy);
        wolfSSL_SESSION_free(ws);
        wolfSSL_ERR_clear_error();
        return phonesec__fail(&c->err, PHONESEC_E_CRYPTO, "wolfSSL refused the session (expired?)");
    }
    wolfSSL_SESSION_free(ws);
    {
        unsigned char tk[2048];
        word32 tl = sizeof tk;
        c->offered_has_ticket = wolfSSL_get_SessionTicket(c->ssl, tk, &tl) == WOLFSSL_SUCCESS && tl > 0 &&
                                wc_Sha256Hash(tk, tl, c->offered_ticket) == 0;
    }
    session_free(c->offered);
    c->offered = copy;
    return PHONESEC_OK;
}
