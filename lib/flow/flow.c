/*
 * libphonesec - flow: one persistent stream flow per phone. RFC 5626 §4.4.1
 * CRLF keep-alive, §4.5 reconnect backoff, failover to a backup server and
 * fallback to the primary. Driven by the caller's event loop and the
 * platform clock; no threads, no sleeps.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "phonesec/flow.h"

#include "core/internal.h"
#include "flow/framer.h"

#define MOD "flow"
#define TX_SLACK 64            /* room kept for pings and pongs beyond tx_buffer */
#define MAX_READS_PER_IO 64    /* fairness bound for one on_io() call */
#define SIZE_MIN_CFG 256u
#define SIZE_MAX_CFG (16u * 1024u * 1024u)

struct phonesec_flow {
    phonesec_flow_config cfg;
    phonesec__err err;
    int state;
    int started;
    unsigned server;        /* server of conn */
    void *conn;             /* connecting or up */
    uint64_t deadline;      /* CONNECTING: connect timeout; WAITING: retry time */
    int ever_up;            /* a connection was up since start */
    int have_side;          /* last_side valid */
    unsigned last_side;     /* server of the last connection that was up */
    unsigned failures;      /* RFC 5626 §4.5 consecutive-failures */
    int confirmed;          /* current connection proved itself (pong or confirm) */
    int other_ok;
    unsigned gen;           /* bumped each time conn changes */
    /* keep-alive */
    int ping_out;
    uint64_t next_ping;
    uint64_t pong_deadline;
    /* fallback probe to the primary while on the backup */
    void *probe;
    uint64_t probe_at;
    uint64_t probe_deadline;
    /* buffers */
    phonesec__flow_framer fr;
    uint8_t *rx;
    uint8_t *tx;
    size_t tx_len, tx_cap;
    uint8_t *resume[2];
    size_t resume_len[2];
    size_t resume_cap[2];
    int in_io;
    int saved_after_read;
    phonesec_flow_stats st;   /* resumption hint refreshed after the first read (TLS 1.3 tickets) */
};

void phonesec_flow_config_init(phonesec_flow_config *cfg)
{
    static const phonesec_flow_config def = PHONESEC_FLOW_CONFIG_INIT;
    if (cfg != NULL)
        *cfg = def;
}

static uint64_t now(void)
{
    return phonesec_now_ms();
}

static uint32_t rand_u32(void)
{
    uint32_t r = 0;
    if (phonesec_random(&r, sizeof r) != PHONESEC_OK)
        r = UINT32_MAX; /* no randomness: use the upper bound (the safe side) */
    return r;
}

/* Uniform-ish value in [lo, hi]. */
static uint64_t rand_between(uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (uint64_t)rand_u32() % (hi - lo + 1);
}

static void emit(phonesec_flow *f, int type, unsigned server, int reason, uint64_t retry_in)
{
    phonesec_flow_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.server = server;
    ev.reason = reason;
    ev.retry_in_ms = retry_in;
    ev.failures = f->failures;
    if ((type == PHONESEC_FLOW_EV_CONNECTED || type == PHONESEC_FLOW_EV_REESTABLISHED) && f->conn != NULL &&
        f->cfg.transport->resumed != NULL)
        ev.resumed = f->cfg.transport->resumed(f->cfg.transport_user, f->conn) == 1;
    if (f->cfg.event_cb != NULL)
        f->cfg.event_cb(f->cfg.cb_user, &ev);
}

/* RFC 5626 §4.5: W = min(max-time, base-time * 2^consecutive-failures), then a
 * random wait between 50 % and 100 % of W. No wait before the first retry. */
static uint64_t backoff_ms(const phonesec_flow *f)
{
    uint64_t base = f->other_ok ? f->cfg.base_ok_ms : f->cfg.base_all_fail_ms;
    uint64_t w, max = f->cfg.max_backoff_ms;
    if (f->failures == 0)
        return 0;
    if (f->failures >= 32)
        w = max;
    else {
        w = base << f->failures;
        if (w > max)
            w = max;
    }
    return rand_between(w / 2, w);
}

static void save_resume(phonesec_flow *f, void *conn, unsigned server)
{
    size_t n = 0;
    uint8_t *tmp;
    const phonesec_flow_transport *t = f->cfg.transport;
    if (t->save_resume == NULL || conn == NULL || server > 1)
        return;
    /* Transient buffer: only the hint's own size is kept afterwards. */
    tmp = phonesec__malloc(PHONESEC_FLOW_RESUME_MAX);
    if (tmp == NULL)
        return;
    if (t->save_resume(f->cfg.transport_user, conn, tmp, PHONESEC_FLOW_RESUME_MAX, &n) == PHONESEC_OK && n > 0 &&
        n <= PHONESEC_FLOW_RESUME_MAX) {
        if (f->resume_cap[server] < n) {
            uint8_t *nb = phonesec__malloc(n);
            if (nb != NULL) {
                phonesec__free_secret(f->resume[server], f->resume_cap[server]);
                f->resume[server] = nb;
                f->resume_cap[server] = n;
            }
        }
        if (f->resume_cap[server] >= n) {
            memcpy(f->resume[server], tmp, n);
            f->resume_len[server] = n;
        }
    }
    phonesec__free_secret(tmp, PHONESEC_FLOW_RESUME_MAX);
}

static void close_conn(phonesec_flow *f, void **conn)
{
    if (*conn != NULL) {
        f->cfg.transport->close(f->cfg.transport_user, *conn);
        *conn = NULL;
    }
}

static void close_probe(phonesec_flow *f)
{
    close_conn(f, &f->probe);
}

static void attempt(phonesec_flow *f, unsigned server);

static void start_round(phonesec_flow *f)
{
    attempt(f, 0);
}

static void schedule_retry(phonesec_flow *f, uint64_t wait)
{
    f->state = PHONESEC_FLOW_WAITING;
    f->deadline = now() + wait;
}

static void round_failed_or_next(phonesec_flow *f, unsigned server, int reason)
{
    if (server + 1 < f->cfg.servers) {
        emit(f, PHONESEC_FLOW_EV_ATTEMPT_FAILED, server, reason, 0);
        if (f->state == PHONESEC_FLOW_STOPPED)
            return;
        attempt(f, server + 1);
        return;
    }
    f->failures++;
    {
        uint64_t wait = backoff_ms(f);
        schedule_retry(f, wait);
        phonesec__log(PHONESEC_LOG_INFO, MOD, "all servers failed (%u in a row): next attempt in %llu ms",
                      f->failures, (unsigned long long)wait);
        emit(f, PHONESEC_FLOW_EV_ATTEMPT_FAILED, server, reason, wait);
    }
}

static void attempt_failed(phonesec_flow *f, int reason)
{
    unsigned server = f->server;
    f->st.failed_attempts++;
    close_conn(f, &f->conn);
    f->gen++;
    phonesec__fail(&f->err, reason, "connection to server %u failed", server);
    phonesec__log(PHONESEC_LOG_INFO, MOD, "connection to server %u failed: %s", server, phonesec_strerror(reason));
    round_failed_or_next(f, server, reason);
}

static void schedule_ping(phonesec_flow *f)
{
    uint64_t iv = f->cfg.keepalive_ms;
    f->ping_out = 0;
    if (iv != 0)
        f->next_ping = now() + rand_between(iv - iv / 5, iv); /* 80-100 %, RFC 5626 §4.4.1 */
}

static void became_up(phonesec_flow *f)
{
    unsigned s = f->server;
    int first = !f->ever_up;

    f->state = PHONESEC_FLOW_UP;
    f->confirmed = 0;
    f->saved_after_read = 0;
    f->st.connections++;
    f->tx_len = 0;
    phonesec__flow_framer_reset(&f->fr);
    schedule_ping(f);
    save_resume(f, f->conn, s);
    if (s > 0 && f->cfg.fallback_probe_ms != 0)
        f->probe_at = now() + f->cfg.fallback_probe_ms;
    phonesec__log(PHONESEC_LOG_INFO, MOD, "flow up to server %u", s);
    f->ever_up = 1;
    if (s > 0 && (!f->have_side || f->last_side == 0))
        emit(f, PHONESEC_FLOW_EV_FAILED_OVER, s, 0, 0);
    else if (s == 0 && f->have_side && f->last_side > 0)
        emit(f, PHONESEC_FLOW_EV_FELL_BACK, s, 0, 0);
    f->have_side = 1;
    f->last_side = s;
    if (f->state != PHONESEC_FLOW_UP)
        return;
    emit(f, first ? PHONESEC_FLOW_EV_CONNECTED : PHONESEC_FLOW_EV_REESTABLISHED, s, 0, 0);
}

static void poll_connecting(phonesec_flow *f)
{
    int r = f->cfg.transport->is_up(f->cfg.transport_user, f->conn);
    if (r < 0)
        attempt_failed(f, r);
    else if (r > 0)
        became_up(f);
    else if (now() >= f->deadline)
        attempt_failed(f, PHONESEC_E_TIMEOUT);
}

static void attempt(phonesec_flow *f, unsigned server)
{
    void *c = NULL;
    int rc;
    const uint8_t *hint = f->resume_len[server] ? f->resume[server] : NULL;

    f->server = server;
    f->state = PHONESEC_FLOW_CONNECTING;
    f->deadline = now() + f->cfg.connect_timeout_ms;
    f->gen++;
    rc = f->cfg.transport->open(f->cfg.transport_user, server, hint, hint ? f->resume_len[server] : 0, &c);
    if (rc < 0 || c == NULL) {
        attempt_failed(f, rc < 0 ? rc : PHONESEC_E_INTERNAL);
        return;
    }
    f->conn = c;
    poll_connecting(f);
}

/* The flow broke: say so, then reconnect at once or after the backoff. */
static void lose(phonesec_flow *f, int reason)
{
    unsigned s = f->server;
    uint64_t wait;

    save_resume(f, f->conn, s);
    close_conn(f, &f->conn);
    close_probe(f);
    f->gen++;
    f->tx_len = 0;
    f->ping_out = 0;
    phonesec__flow_framer_reset(&f->fr);
    if (!f->confirmed)
        f->failures++; /* a flow that never proved itself counts as a failed attempt */
    f->confirmed = 0;
    wait = backoff_ms(f);
    phonesec__log(PHONESEC_LOG_WARN, MOD, "flow to server %u lost (%s); reconnect in %llu ms", s,
                  phonesec_strerror(reason), (unsigned long long)wait);
    schedule_retry(f, wait);
    f->st.losses++;
    emit(f, PHONESEC_FLOW_EV_LOST, s, reason, wait);
    if (f->state == PHONESEC_FLOW_WAITING && wait == 0)
        start_round(f);
}

static void confirm(phonesec_flow *f)
{
    f->confirmed = 1;
    f->failures = 0;
}

static int tx_queue(phonesec_flow *f, const uint8_t *p, size_t n, size_t limit)
{
    if (n > limit - f->tx_len)
        return PHONESEC_E_WOULD_BLOCK;
    memcpy(f->tx + f->tx_len, p, n);
    f->tx_len += n;
    return PHONESEC_OK;
}

/* Send what is queued; on a transport error the flow is lost. Returns 0 or the loss reason. */
static int flush(phonesec_flow *f)
{
    size_t off = 0;
    int rc = PHONESEC_OK;
    while (off < f->tx_len && f->conn != NULL && f->state == PHONESEC_FLOW_UP) {
        size_t sent = 0;
        rc = f->cfg.transport->send(f->cfg.transport_user, f->conn, f->tx + off, f->tx_len - off, &sent);
        if (rc == PHONESEC_E_WOULD_BLOCK) {
            rc = PHONESEC_OK;
            break;
        }
        if (rc < 0) {
            phonesec__fail(&f->err, rc, "send to server %u failed", f->server);
            lose(f, rc);
            return rc;
        }
        if (sent == 0 || sent > f->tx_len - off)
            break;
        off += sent;
    }
    if (off > 0 && f->state == PHONESEC_FLOW_UP) {
        memmove(f->tx, f->tx + off, f->tx_len - off);
        f->tx_len -= off;
    }
    return rc;
}

static void got_pong(phonesec_flow *f)
{
    if (!f->ping_out)
        return;
    f->st.pongs_received++;
    confirm(f);
    schedule_ping(f);
}

/* Read and frame everything available on the up connection. */
static void read_conn(phonesec_flow *f)
{
    unsigned gen = f->gen;
    int reads = 0;

    while (f->state == PHONESEC_FLOW_UP && f->gen == gen) {
        const uint8_t *msg = NULL;
        size_t mlen = 0, avail = 0, got = 0;
        uint8_t *p;
        int ev = phonesec__flow_framer_next(&f->fr, f->ping_out, &msg, &mlen);
        if (ev < 0) {
            phonesec__log(PHONESEC_LOG_WARN, MOD, "framing error from server %u: %s", f->server, f->err.msg);
            lose(f, ev);
            return;
        }
        switch (ev) {
        case PHONESEC__FR_MESSAGE:
            f->st.messages_received++;
            if (f->cfg.message_cb != NULL)
                f->cfg.message_cb(f->cfg.cb_user, msg, mlen);
            continue;
        case PHONESEC__FR_PING:
            phonesec__log(PHONESEC_LOG_DEBUG, MOD, "ping from server %u: answering", f->server);
            f->st.peer_pings++;
            (void)tx_queue(f, (const uint8_t *)"\r\n", 2, f->tx_cap + TX_SLACK);
            continue;
        case PHONESEC__FR_PONG:
            got_pong(f);
            continue;
        case PHONESEC__FR_CRLF:
            continue;
        default:
            break;
        }
        if (reads++ >= MAX_READS_PER_IO)
            return;
        phonesec__flow_framer_space(&f->fr, &p, &avail);
        if (avail == 0) { /* cannot happen: next() reports LIMIT first */
            lose(f, phonesec__fail(&f->err, PHONESEC_E_INTERNAL, "receive buffer stuck"));
            return;
        }
        {
            int rc = f->cfg.transport->recv(f->cfg.transport_user, f->conn, p, avail, &got);
            if (!f->saved_after_read && rc == PHONESEC_OK && got > 0) {
                /* A TLS 1.3 ticket arrives after the handshake, before the
                 * server's first application data: once a read returned
                 * data, the ticket has been processed. (A would-block read
                 * right after the handshake usually comes too early.) */
                f->saved_after_read = 1;
                save_resume(f, f->conn, f->server);
            }
            if (rc == PHONESEC_E_WOULD_BLOCK)
                return;
            if (rc < 0) {
                phonesec__fail(&f->err, rc, "receive from server %u failed", f->server);
                lose(f, rc);
                return;
            }
            if (got == 0 || got > avail) {
                lose(f, phonesec__fail(&f->err, PHONESEC_E_IO, "transport recv returned %zu bytes", got));
                return;
            }
            phonesec__flow_framer_commit(&f->fr, got);
        }
    }
}

/* Fallback probe: connect to the primary while the flow runs on a backup. */
static void poll_probe(phonesec_flow *f)
{
    int r;
    unsigned gen;
    if (f->probe == NULL)
        return;
    r = f->cfg.transport->is_up(f->cfg.transport_user, f->probe);
    if (r < 0 || (r == 0 && now() >= f->probe_deadline)) {
        phonesec__log(PHONESEC_LOG_DEBUG, MOD, "fallback probe to the primary failed: %s",
                      phonesec_strerror(r < 0 ? r : PHONESEC_E_TIMEOUT));
        close_probe(f);
        f->probe_at = now() + f->cfg.fallback_probe_ms;
        return;
    }
    if (r == 0)
        return;
    if (!phonesec__flow_framer_idle(&f->fr)) {
        /* Switch between messages; a message still partial when the probe's
         * connect time is over is given up (the peer stalled anyway). */
        if (now() < f->probe_deadline)
            return;
        phonesec__log(PHONESEC_LOG_WARN, MOD, "falling back drops a partial message from the backup");
    }
    gen = f->gen;
    (void)flush(f);
    /* flush may lose the backup; a synchronous transport may even bring a
     * new connection up in the same call, which closes the probe. */
    if (f->state != PHONESEC_FLOW_UP || f->gen != gen || f->probe == NULL)
        return;
    save_resume(f, f->conn, f->server);
    close_conn(f, &f->conn);
    f->conn = f->probe;
    f->probe = NULL;
    f->server = 0;
    f->gen++;
    phonesec__log(PHONESEC_LOG_INFO, MOD, "primary is back: falling back from the backup");
    became_up(f);
}

static void do_io(phonesec_flow *f)
{
    if (f->state == PHONESEC_FLOW_CONNECTING)
        poll_connecting(f);
    if (f->state == PHONESEC_FLOW_UP) {
        read_conn(f);
        if (f->state == PHONESEC_FLOW_UP)
            (void)flush(f);
    }
    if (f->state == PHONESEC_FLOW_UP)
        poll_probe(f);
}

int phonesec_flow_new(const phonesec_flow_config *cfg, phonesec_flow **out)
{
    phonesec_flow *f;
    const phonesec_flow_transport *t;

    if (cfg == NULL || out == NULL || cfg->version != PHONESEC_FLOW_CONFIG_VERSION)
        return PHONESEC_E_INVAL;
    t = cfg->transport;
    if (t == NULL || t->version != PHONESEC_FLOW_TRANSPORT_VERSION || t->open == NULL || t->is_up == NULL ||
        t->send == NULL || t->recv == NULL || t->close == NULL)
        return PHONESEC_E_INVAL;
    if (cfg->servers < 1 || cfg->servers > 2 || cfg->connect_timeout_ms == 0 || cfg->base_all_fail_ms == 0 ||
        cfg->base_ok_ms == 0 || cfg->max_backoff_ms == 0 || cfg->max_message < SIZE_MIN_CFG ||
        cfg->max_message > SIZE_MAX_CFG || cfg->tx_buffer < SIZE_MIN_CFG || cfg->tx_buffer > SIZE_MAX_CFG)
        return PHONESEC_E_INVAL;
    if (cfg->keepalive_ms != 0 && cfg->keepalive_ms - cfg->keepalive_ms / 5 <= cfg->pong_timeout_ms)
        return PHONESEC_E_INVAL;
    f = phonesec__calloc(1, sizeof *f);
    if (f == NULL)
        return PHONESEC_E_NOMEM;
    f->cfg = *cfg;
    f->tx_cap = cfg->tx_buffer;
    f->rx = phonesec__malloc(cfg->max_message);
    f->tx = phonesec__malloc(cfg->tx_buffer + TX_SLACK);
    if (f->rx == NULL || f->tx == NULL) {
        phonesec__free(f->rx);
        phonesec__free(f->tx);
        phonesec__free(f);
        return PHONESEC_E_NOMEM;
    }
    phonesec__flow_framer_init(&f->fr, f->rx, cfg->max_message, &f->err);
    f->state = PHONESEC_FLOW_STOPPED;
    *out = f;
    return PHONESEC_OK;
}

int phonesec_flow_stop(phonesec_flow *f)
{
    if (f == NULL)
        return PHONESEC_E_INVAL;
    if (f->conn != NULL && f->state == PHONESEC_FLOW_UP)
        save_resume(f, f->conn, f->server);
    close_conn(f, &f->conn);
    close_probe(f);
    f->gen++;
    f->state = PHONESEC_FLOW_STOPPED;
    f->started = 0;
    f->tx_len = 0;
    f->ping_out = 0;
    f->ever_up = 0;
    f->have_side = 0;
    f->failures = 0;
    f->confirmed = 0;
    phonesec__flow_framer_reset(&f->fr);
    return PHONESEC_OK;
}

void phonesec_flow_free(phonesec_flow *f)
{
    int i;
    if (f == NULL)
        return;
    (void)phonesec_flow_stop(f);
    for (i = 0; i < 2; i++)
        phonesec__free_secret(f->resume[i], f->resume_cap[i]);
    phonesec__free_secret(f->rx, f->cfg.max_message);
    phonesec__free_secret(f->tx, f->cfg.tx_buffer + TX_SLACK);
    phonesec__free(f);
}

int phonesec_flow_start(phonesec_flow *f)
{
    if (f == NULL)
        return PHONESEC_E_INVAL;
    if (f->started)
        return PHONESEC_E_ALREADY;
    f->started = 1;
    phonesec__err_clear(&f->err);
    f->in_io++;
    start_round(f);
    if (f->state == PHONESEC_FLOW_UP && f->tx_len > 0)
        (void)flush(f);
    f->in_io--;
    return PHONESEC_OK;
}

int phonesec_flow_on_io(phonesec_flow *f)
{
    if (f == NULL)
        return PHONESEC_E_INVAL;
    if (f->in_io)
        return PHONESEC_OK; /* called from a callback: the outer call does the work */
    f->in_io++;
    do_io(f);
    if (f->state == PHONESEC_FLOW_UP && f->tx_len > 0)
        (void)flush(f);
    f->in_io--;
    return PHONESEC_OK;
}

int phonesec_flow_tick(phonesec_flow *f)
{
    uint64_t t;
    if (f == NULL)
        return PHONESEC_E_INVAL;
    if (f->in_io)
        return PHONESEC_OK;
    f->in_io++;
    do_io(f);
    t = now();
    switch (f->state) {
    case PHONESEC_FLOW_WAITING:
        if (t >= f->deadline)
            start_round(f);
        break;
    case PHONESEC_FLOW_CONNECTING:
        if (t >= f->deadline)
            poll_connecting(f);
        break;
    case PHONESEC_FLOW_UP:
        if (f->ping_out && f->cfg.pong_timeout_ms != 0 && t >= f->pong_deadline) {
            lose(f, phonesec__fail(&f->err, PHONESEC_E_TIMEOUT,
                                   "no CRLF pong from server %u within %u ms (RFC 5626 4.4.1)", f->server,
                                   (unsigned)f->cfg.pong_timeout_ms));
            break;
        }
        if (f->cfg.keepalive_ms != 0 && !f->ping_out && t >= f->next_ping) {
            f->st.pings_sent++;
            if (tx_queue(f, (const uint8_t *)"\r\n\r\n", 4, f->tx_cap + TX_SLACK) == PHONESEC_OK)
                phonesec__log(PHONESEC_LOG_DEBUG, MOD, "keep-alive ping to server %u", f->server);
            if (f->cfg.pong_timeout_ms != 0) {
                f->ping_out = 1;
                f->pong_deadline = t + f->cfg.pong_timeout_ms;
            } else {
                schedule_ping(f);
            }
            (void)flush(f);
        }
        if (f->state == PHONESEC_FLOW_UP && f->server > 0 && f->probe == NULL && f->cfg.fallback_probe_ms != 0 &&
            t >= f->probe_at) {
            void *c = NULL;
            const uint8_t *hint = f->resume_len[0] ? f->resume[0] : NULL;
            int rc = f->cfg.transport->open(f->cfg.transport_user, 0, hint, hint ? f->resume_len[0] : 0, &c);
            if (rc < 0 || c == NULL) {
                f->probe_at = t + f->cfg.fallback_probe_ms;
            } else {
                f->probe = c;
                f->probe_deadline = t + f->cfg.connect_timeout_ms;
            }
        }
        if (f->state == PHONESEC_FLOW_UP)
            poll_probe(f);
        break;
    default:
        break;
    }
    if (f->state == PHONESEC_FLOW_UP && f->tx_len > 0)
        (void)flush(f);
    f->in_io--;
    return PHONESEC_OK;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

int64_t phonesec_flow_next_timeout_ms(const phonesec_flow *f)
{
    uint64_t t, due = UINT64_MAX;
    if (f == NULL)
        return -1;
    switch (f->state) {
    case PHONESEC_FLOW_WAITING:
    case PHONESEC_FLOW_CONNECTING:
        due = f->deadline;
        break;
    case PHONESEC_FLOW_UP:
        if (f->ping_out && f->cfg.pong_timeout_ms != 0)
            due = f->pong_deadline;
        else if (f->cfg.keepalive_ms != 0)
            due = f->next_ping;
        if (f->server > 0 && f->cfg.fallback_probe_ms != 0)
            due = min_u64(due, f->probe != NULL ? f->probe_deadline : f->probe_at);
        break;
    default:
        return -1;
    }
    if (due == UINT64_MAX)
        return -1;
    t = now();
    if (due <= t)
        return 0;
    return (int64_t)min_u64(due - t, INT32_MAX);
}

int phonesec_flow_send(phonesec_flow *f, const uint8_t *msg, size_t len)
{
    int rc;
    if (f == NULL || msg == NULL || len == 0)
        return PHONESEC_E_INVAL;
    if (f->state != PHONESEC_FLOW_UP)
        return PHONESEC_E_STATE;
    if (len > f->tx_cap)
        return PHONESEC_E_LIMIT;
    if (len > f->tx_cap - (f->tx_len < f->tx_cap ? f->tx_len : f->tx_cap) && f->tx_len > 0 && !f->in_io) {
        f->in_io++;
        (void)flush(f);
        f->in_io--;
        if (f->state != PHONESEC_FLOW_UP)
            return PHONESEC_E_STATE;
    }
    if (f->tx_len > f->tx_cap || len > f->tx_cap - f->tx_len)
        return PHONESEC_E_WOULD_BLOCK;
    rc = tx_queue(f, msg, len, f->tx_cap);
    if (rc != PHONESEC_OK)
        return rc;
    f->st.messages_sent++;
    if (!f->in_io) {
        f->in_io++;
        (void)flush(f);
        f->in_io--;
    }
    return PHONESEC_OK;
}

int phonesec_flow_confirm(phonesec_flow *f)
{
    if (f == NULL)
        return PHONESEC_E_INVAL;
    if (f->state != PHONESEC_FLOW_UP)
        return PHONESEC_E_STATE;
    confirm(f);
    return PHONESEC_OK;
}

int phonesec_flow_set_keepalive_ms(phonesec_flow *f, uint32_t ms)
{
    if (f == NULL || (ms != 0 && ms - ms / 5 <= f->cfg.pong_timeout_ms))
        return PHONESEC_E_INVAL;
    f->cfg.keepalive_ms = ms;
    if (f->state == PHONESEC_FLOW_UP && !f->ping_out)
        schedule_ping(f);
    return PHONESEC_OK;
}

int phonesec_flow_set_other_flows_ok(phonesec_flow *f, int ok)
{
    if (f == NULL)
        return PHONESEC_E_INVAL;
    f->other_ok = ok != 0;
    return PHONESEC_OK;
}

int phonesec_flow_state(const phonesec_flow *f)
{
    return f ? f->state : PHONESEC_FLOW_STOPPED;
}

unsigned phonesec_flow_server(const phonesec_flow *f)
{
    return f ? f->server : 0;
}

unsigned phonesec_flow_failures(const phonesec_flow *f)
{
    return f ? f->failures : 0;
}

void *phonesec_flow_connection(const phonesec_flow *f, int probe)
{
    if (f == NULL)
        return NULL;
    return probe ? f->probe : f->conn;
}

int phonesec_flow_wants_write(const phonesec_flow *f)
{
    if (f == NULL)
        return 0;
    return f->state == PHONESEC_FLOW_CONNECTING || f->probe != NULL || (f->state == PHONESEC_FLOW_UP && f->tx_len > 0);
}

int phonesec_flow_get_stats(const phonesec_flow *f, phonesec_flow_stats *stats)
{
    if (f == NULL || stats == NULL)
        return PHONESEC_E_INVAL;
    *stats = f->st;
    stats->version = PHONESEC_FLOW_STATS_VERSION;
    return PHONESEC_OK;
}

int phonesec_flow_last_error(const phonesec_flow *f, char *buf, size_t cap)
{
    if (f == NULL || buf == NULL || cap == 0)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&f->err, buf, cap);
}
