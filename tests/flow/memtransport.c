#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memtransport.h"

static int mt_open(void *ud, unsigned server, const uint8_t *resume, size_t resume_len, void **conn)
{
    mt_world *w = ud;
    mt_conn *c;
    if (server > 1)
        return PHONESEC_E_INVAL;
    w->srv[server].opens++;
    if (w->srv[server].open_error) {
        if (w->on_open)
            (void)w->on_open(w, server, NULL);
        return w->srv[server].open_error;
    }
    if (w->nconns >= w->conns_cap) {
        int nc = w->conns_cap ? 2 * w->conns_cap : 64;
        mt_conn **n = realloc(w->conns, (size_t)nc * sizeof *n);
        if (n == NULL)
            return PHONESEC_E_NOMEM;
        w->conns = n;
        w->conns_cap = nc;
    }
    c = calloc(1, sizeof *c);
    if (c == NULL)
        return PHONESEC_E_NOMEM;
    c->server = server;
    c->id = ++w->next_id;
    c->recv_chunk = w->recv_chunk;
    c->send_chunk = w->send_chunk;
    if (resume != NULL && resume_len < sizeof c->resume_in) {
        memcpy(c->resume_in, resume, resume_len);
        c->resumed = 1;
    }
    if (!w->srv[server].alive)
        c->refused = 1;
    else if (!w->srv[server].hang)
        c->up = 1;
    if (w->on_open) {
        int rc = w->on_open(w, server, c);
        if (rc < 0) {
            free(c);
            return rc;
        }
    }
    w->conns[w->nconns++] = c;
    *conn = c;
    return PHONESEC_OK;
}

static int mt_is_up(void *ud, void *conn)
{
    mt_conn *c = conn;
    (void)ud;
    if (c->refused || c->closed_by_peer)
        return PHONESEC_E_IO;
    return c->up;
}

static int mt_send(void *ud, void *conn, const uint8_t *buf, size_t len, size_t *sent)
{
    mt_conn *c = conn;
    (void)ud;
    if (c->closed_by_peer)
        return PHONESEC_E_CLOSED;
    if (c->send_block)
        return PHONESEC_E_WOULD_BLOCK;
    if (c->send_chunk && len > c->send_chunk)
        len = c->send_chunk;
    if (len > MT_BUF - c->c2s_len)
        len = MT_BUF - c->c2s_len;
    if (len == 0)
        return PHONESEC_E_WOULD_BLOCK;
    memcpy(c->c2s + c->c2s_len, buf, len);
    c->c2s_len += len;
    *sent = len;
    return PHONESEC_OK;
}

static int mt_recv(void *ud, void *conn, uint8_t *buf, size_t cap, size_t *got)
{
    mt_conn *c = conn;
    size_t n = c->s2c_len - c->s2c_off;
    (void)ud;
    if (n == 0)
        return c->closed_by_peer ? PHONESEC_E_CLOSED : PHONESEC_E_WOULD_BLOCK;
    if (c->recv_chunk && n > c->recv_chunk)
        n = c->recv_chunk;
    if (n > cap)
        n = cap;
    memcpy(buf, c->s2c + c->s2c_off, n);
    c->s2c_off += n;
    *got = n;
    return PHONESEC_OK;
}

static void mt_close(void *ud, void *conn)
{
    mt_conn *c = conn;
    (void)ud;
    c->closed = 1;
}

static int mt_save_resume(void *ud, void *conn, uint8_t *buf, size_t cap, size_t *len)
{
    mt_world *w = ud;
    mt_conn *c = conn;
    char s[32];
    int n;
    n = snprintf(s, sizeof s, "sess-%u-%d", c->server, c->id);
    if ((size_t)n > cap)
        return PHONESEC_E_BUFFER_SMALL;
    memcpy(buf, s, (size_t)n);
    *len = (size_t)n;
    memcpy(w->last_saved[c->server], s, (size_t)n + 1);
    return PHONESEC_OK;
}

static int mt_resumed(void *ud, void *conn)
{
    (void)ud;
    return ((mt_conn *)conn)->resumed;
}

/* A refused connection never reached the server (TCP); anything else may
 * have seen the hint. */
static int mt_hint_presented(void *ud, void *conn)
{
    (void)ud;
    return !((mt_conn *)conn)->refused;
}

const phonesec_flow_transport mt_transport = {PHONESEC_FLOW_TRANSPORT_VERSION, mt_open, mt_is_up, mt_send,
                                              mt_recv, mt_close, mt_save_resume, mt_resumed, mt_hint_presented};

void mt_init(mt_world *w)
{
    memset(w, 0, sizeof *w);
    w->srv[0].alive = 1;
    w->srv[1].alive = 1;
}

void mt_cleanup(mt_world *w)
{
    int i;
    for (i = 0; i < w->nconns; i++)
        free(w->conns[i]);
    free(w->conns);
    w->conns = NULL;
    w->nconns = w->conns_cap = 0;
}

void mt_reap(mt_world *w)
{
    int i, j = 0;
    for (i = 0; i < w->nconns; i++) {
        if (w->conns[i]->closed)
            free(w->conns[i]);
        else
            w->conns[j++] = w->conns[i];
    }
    w->nconns = j;
}

mt_conn *mt_last(mt_world *w, unsigned s)
{
    int i;
    for (i = w->nconns - 1; i >= 0; i--)
        if (w->conns[i]->server == s)
            return w->conns[i];
    return NULL;
}

void mt_push(mt_conn *c, const void *p, size_t n)
{
    if (n > MT_BUF - c->s2c_len)
        abort();
    memcpy(c->s2c + c->s2c_len, p, n);
    c->s2c_len += n;
}

size_t mt_take(mt_conn *c, char *out, size_t cap)
{
    size_t n = c->c2s_len < cap - 1 ? c->c2s_len : cap - 1;
    memcpy(out, c->c2s, n);
    out[n] = '\0';
    c->c2s_len = 0;
    return n;
}

void mt_kill(mt_world *w, unsigned s)
{
    int i;
    w->srv[s].alive = 0;
    for (i = 0; i < w->nconns; i++)
        if (w->conns[i]->server == s)
            w->conns[i]->closed_by_peer = 1;
}

void mt_restore(mt_world *w, unsigned s)
{
    w->srv[s].alive = 1;
}
