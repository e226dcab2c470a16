/*
 * libphonesec - tls module: object layouts shared by ctx.c and conn.c
 * (include after <wolfssl/options.h> and <wolfssl/ssl.h>). Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_TLS_CTX_H
#define PHONESEC_TLS_CTX_H

#include <pthread.h>
#include <stdatomic.h>

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

/* What a server remembers of the full handshake behind a resumable session
 * (issue 10 item 2): the verdicts and the identity, so a resumed connection
 * reports them and is checked against its own policy. Kept per snapshot, so
 * a session is only ever resumed by the context configuration that made it. */
typedef struct phonesec__tls_srec {
    uint64_t id;        /* ticket records: the id in the ticket's key_name; 0 for session-ID records */
    uint8_t sid[32];    /* session-ID records (TLS 1.2 without a ticket) */
    size_t sid_len;
    int chain, chain_fail_code, peer_cert;
    char anchor[256];
    uint8_t *peer_der; /* the client's leaf (NULL when none was sent) */
    size_t peer_der_len;
    uint8_t *sess_der; /* session-ID records: the wolfSSL session (secret: wiped) */
    size_t sess_der_len;
} phonesec__tls_srec;

#define PHONESEC__TLS_MAX_SREC 1024

/* An immutable configuration snapshot: everything a connection needs from
 * its context, from creation to free. Built aside on every change, swapped
 * in atomically, reference counted (the context holds one reference, each
 * connection one). Only the server's session records change after the
 * build, under their own lock. */
typedef struct phonesec__tls_snap {
    atomic_uint refs;
    WOLFSSL_CTX *w;
    uint64_t ctx_id, gen; /* process-unique context id, configuration generation */
    int role, only_trusted, client_cert, identity_mode, name_validate, session_tickets, has_cert;
    phonesec__tls_trusted *trusted; /* copies of what the trust source selects (custom, then built-in) */
    size_t n_trusted;
    char **domains;
    size_t n_domains;
    /* server: session records and the ticket key of this snapshot */
    pthread_mutex_t lock;
    phonesec__tls_srec *recs; /* ring of PHONESEC__TLS_MAX_SREC, allocated on first use */
    size_t n_recs, next;
    uint64_t rec_counter;
    uint8_t tname[8];  /* random: first half of every ticket's key_name */
    uint8_t tkey[32];  /* ticket key (secret: wiped) */
} phonesec__tls_snap;

struct phonesec_tls_ctx {
    /* Writers (every configuration change) hold wlock: they edit the
     * builder state below and swap in a new snapshot. Readers (connection
     * creation) only take a reference to the current snapshot under slock. */
    pthread_mutex_t wlock, slock;
    phonesec__tls_snap *snap; /* current snapshot (slock) */
    uint64_t id, gen;
    phonesec__err err;        /* last failed configuration call (wlock) */
    phonesec__err conn_err;   /* last failed phonesec_tls_conn_new() (slock) */
    atomic_uint err_seq;       /* orders the two slots */
    unsigned cfg_err_seq;      /* wlock */
    unsigned conn_err_seq;     /* slock */
    phonesec_tls_config cfg; /* string fields not kept */
    phonesec__tls_trusted *trusted; /* cfg.max_trusted slots: the custom list */
    size_t n_trusted;
    phonesec__tls_trusted *builtin; /* the built-in list (any size; grows) */
    size_t n_builtin, cap_builtin;
    int trust_source; /* PHONESEC_TLS_TRUST_*: which lists the snapshots trust */
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

/* A reference to the context's current snapshot (never NULL for a live context). */
PHONESEC__INTERNAL phonesec__tls_snap *phonesec__tls_snap_get(phonesec_tls_ctx *c);
PHONESEC__INTERNAL void phonesec__tls_snap_put(phonesec__tls_snap *s);
/* Record a failed phonesec_tls_conn_new() for phonesec_tls_ctx_last_error()
 * (its own slot, under slock: never the configuration's). Returns code. */
PHONESEC__INTERNAL int phonesec__tls_conn_new_fail(phonesec_tls_ctx *c, int code, const char *fmt, ...)
    PHONESEC__PRINTF(3, 4);
/* Restricted Access Domains of a snapshot (as phonesec_tls_ctx_domain_allowed()). */
PHONESEC__INTERNAL int phonesec__tls_snap_domain_allowed(const phonesec__tls_snap *s, const char *host);
/* Server session records: add a copy of *r (id or sid set by the caller;
 * id 0 = assign a new one, returned in *id); find one by id or by session ID
 * and copy it into *out (peer_der allocated; free with phonesec__tls_srec_clear). */
PHONESEC__INTERNAL int phonesec__tls_srec_add(phonesec__tls_snap *s, const phonesec__tls_srec *r, uint64_t *id);
PHONESEC__INTERNAL int phonesec__tls_srec_find(phonesec__tls_snap *s, uint64_t id, const uint8_t *sid,
                                               size_t sid_len, phonesec__tls_srec *out);
PHONESEC__INTERNAL void phonesec__tls_srec_clear(phonesec__tls_srec *r);
/* The server session cache of a snapshot (conn.c): wolfSSL's internal,
 * process-wide cache is switched off for server contexts. */
PHONESEC__INTERNAL int phonesec__tls_sess_new_cb(WOLFSSL *ssl, WOLFSSL_SESSION *sess);
PHONESEC__INTERNAL WOLFSSL_SESSION *phonesec__tls_sess_get_cb(WOLFSSL *ssl, const unsigned char *id, int len,
                                                              int *copy);
/* Session ticket encryption (conn.c): registered on every server WOLFSSL_CTX
 * with the snapshot as its context. */
PHONESEC__INTERNAL int phonesec__tls_ticket_cb(WOLFSSL *ssl, unsigned char key_name[WOLFSSL_TICKET_NAME_SZ],
                                               unsigned char iv[WOLFSSL_TICKET_IV_SZ],
                                               unsigned char mac[WOLFSSL_TICKET_MAC_SZ], int enc,
                                               unsigned char *ticket, int in_len, int *out_len, void *user);

PHONESEC__INTERNAL int phonesec__tls_verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store);

#endif
