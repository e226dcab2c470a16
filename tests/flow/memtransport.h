/* In-memory stream transport for the flow tests: two "servers" that can be
 * killed, restored, made slow, and whose connections the test reads and
 * writes directly. */
#ifndef PHONESEC_TEST_MEMTRANSPORT_H
#define PHONESEC_TEST_MEMTRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include <phonesec.h>

#ifndef MT_BUF
#define MT_BUF 140000 /* per direction and connection; the storm simulation builds with less */
#endif

typedef struct mt_conn {
    unsigned server;
    int id;
    int up;          /* handshake done */
    int refused;     /* open accepted but is_up reports failure */
    int closed_by_peer;
    int closed;      /* closed by the flow */
    uint8_t c2s[MT_BUF]; /* what the client sent */
    size_t c2s_len;
    uint8_t s2c[MT_BUF]; /* queued for the client */
    size_t s2c_len, s2c_off;
    size_t recv_chunk;  /* max bytes per recv (0 = all) */
    size_t send_chunk;  /* max bytes accepted per send (0 = all) */
    int send_block;     /* send reports would-block */
    char resume_in[64]; /* hint given to open */
    int resumed;
    /* free for the simulations (tests/flow/test_flow_storm.c) */
    int beh;
    int stage;
    uint64_t t0;
} mt_conn;

typedef struct mt_server {
    int alive;        /* accepts connections */
    int hang;         /* connections never come up */
    int open_error;   /* open() itself fails with this code when nonzero */
    int opens;        /* open() calls */
} mt_server;

typedef struct mt_world mt_world;
struct mt_world {
    mt_server srv[2];
    mt_conn **conns;
    int nconns, conns_cap;
    int next_id;
    size_t recv_chunk;
    size_t send_chunk;
    /* called at every open() (c is NULL when open itself fails); a negative
     * return makes that open() fail with it */
    int (*on_open)(mt_world *w, unsigned server, mt_conn *c);
    void *hook_user;
    char last_saved[2][32]; /* the hint save_resume handed out last, per server */
};

extern const phonesec_flow_transport mt_transport;

void mt_init(mt_world *w);
void mt_cleanup(mt_world *w);
/* Latest connection opened to server s (NULL when none). */
mt_conn *mt_last(mt_world *w, unsigned s);
/* Queue bytes from the server to the client on c. */
void mt_push(mt_conn *c, const void *p, size_t n);
/* Take (and clear) what the client sent on c, NUL-terminated into out. */
size_t mt_take(mt_conn *c, char *out, size_t cap);
/* Kill server s: it refuses new connections and drops live ones. */
void mt_kill(mt_world *w, unsigned s);
void mt_restore(mt_world *w, unsigned s);
/* Free the connections the flow has closed (long simulations). */
void mt_reap(mt_world *w);

#endif
