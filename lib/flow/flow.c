/*
 * libphonesec - flow: one persistent stream flow per phone. RFC 5626 §4.4.1
 * CRLF keep-alive, §4.5 reconnect backoff, failover to a backup server and
 * fallback to the primary. Driven by the caller's event loop and the
 * platform clock; no threads, no sleeps.
 *
 * Reconnect rules (doc/flow.md, "Reconnect: what a server can make the
 * phone do"): connection attempts come in rounds (primary, then backup);
 * a round never starts sooner than round_gap() after the previous one,
 * each round tries every server at most once, and fallback probes are at
 * least round_gap() apart too. Whatever the servers do, the number of
 * attempts in any period is therefore bounded by the configuration alone.
 * SPDX-License-Identifier: MIT
 */
#include <stddef.h>
#include <string.h>

#include "phonesec/flow.h"

#include "core/internal.h"
#include "flow/framer.h"

#define MOD "flow"
#define TX_SLACK 64            /* room kept for pings and pongs beyond tx_buffer */
#define MAX_READS_PER_IO 64    /* fairness bound for one on_io() call */
#define SIZE_MIN_CFG 256u
#define SIZE_MAX_CFG (16u * 1024u * 1024u)
#define DEFAULT_RETRY_FLOOR_MS 1000u
#define DEFAULT_STABLE_MS 120000u
#define FAILURES_MAX 1000000u  /* the count saturates (the backoff is at its maximum long before) */

struct phonesec_flow {
    phonesec_flow_config cfg;
    phonesec__err err;
    int state;
    int started;
    unsigned server;        /* server of conn (or of the last attempt) */
    void *conn;             /* connecting or up */
    uint64_t deadline;      /* CONNECTING: connect timeout; WAITING: next attempt */
    unsigned next_server;   /* WAITING: server of the next attempt */
    int next_is_round;      /* WAITING: the next attempt starts a new round */
    int ever_up;            /* a connection was up since start */
    int have_side;          /* last_side valid */
    unsigned last_side;     /* server of the last connection that was up */
    unsigned failures;      /* RFC 5626 §4.5 consecutive-failures */
    int proved;             /* the connection was seen working (pong or confirm) ... */
    uint64_t proof_at;      /* ... last at this time */
    uint64_t up_at;         /* when the current connection came up */
    int conn_offered;       /* the attempt of conn offered a resumption hint */
    int conn_resumed;       /* conn resumed a session */
    int saved_after_read;   /* hint refreshed after the first read that returned data */
    int other_ok;
    unsigned gen;           /* bumped each time conn changes */
    /* rounds */
    int have_round;
    uint64_t round_at;      /* when the last round started */
    uint64_t hold_until;    /* stopped while waiting: start() waits until then */
    /* keep-alive */
    int ping_out;           /* a ping is queued or on the wire, no pong yet */
    int ping_sent;          /* ... and it was handed to the transport */
    size_t ping_end;        /* while only queued: end of the ping in tx */
    uint64_t next_ping;
    uint64_t pong_deadline;
    /* fallback probe to the primary while on the backup */
    void *probe;
    int probe_offered;
    uint64_t probe_at;
    uint64_t probe_deadline;
    int have_probe;
    uint64_t last_probe_at;
    int conn_from_probe;     /* conn came up as a fallback probe */
    unsigned probe_failures; /* fallbacks lost before they proved themselves */
    /* buffers */
    phonesec__flow_framer fr;
    uint8_t *rx;
    uint8_t *tx;
    size_t tx_len, tx_cap;
    uint8_t *resume[2];
    size_t resume_len[2];
    size_t resume_cap[2];
    int in_io;
    phonesec_flow_stats st;
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

/* Deadlines saturate: a clock near the top of its range never wraps a
 * deadline into the past (which would make every timer due at once). */
static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
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
    uint64_t span;
    if (hi <= lo)
        return lo;
    span = hi - lo;
    if (span >= UINT32_MAX)
        return lo + rand_u32();
    return lo + (uint64_t)rand_u32() % (span + 1);
}

/* Shortest time between the starts of two rounds (and two fallback probes):
 * the smallest wait the backoff can ever ask for after a failure, and no
 * more than stable_ms, so it never delays what the RFC 5626 §4.5 rules
 * allow; enforced anyway, so that no path can do better. */
static uint64_t round_gap(const phonesec_flow *f)
{
    uint64_t g = f->cfg.stable_ms;
    g = min_u64(g, f->cfg.base_all_fail_ms);
    g = min_u64(g, f->cfg.base_ok_ms);
    g = min_u64(g, f->cfg.max_backoff_ms / 2);
    return max_u64(g, f->cfg.retry_floor_ms);
}

/* Time between fallback probes: fallback_probe_ms, doubled for each
 * fallback that was lost before it proved itself (a primary that takes the
 * flow and drops it cannot pull the phone off a working backup every few
 * minutes), at most max_backoff_ms; never below round_gap(). */
static uint64_t probe_interval(const phonesec_flow *f)
{
    uint64_t p = f->cfg.fallback_probe_ms;
    uint64_t cap = max_u64(p, f->cfg.max_backoff_ms);
    unsigned k = f->probe_failures;
    while (k-- > 0 && p < cap)
        p *= 2;
    return max_u64(min_u64(p, cap), round_gap(f));
}

/* The current connection proved itself: it was seen working (a pong, or
 * the SIP stack's confirm) stable_ms or more after it came up. A server
 * that registers the phone and then drops it, or keeps the connection but
 * stops answering, never gets there. */
static int is_stable(const phonesec_flow *f)
{
    return f->state == PHONESEC_FLOW_UP && f->conn != NULL && f->proved && f->proof_at >= f->up_at &&
           f->proof_at - f->up_at >= f->cfg.stable_ms;
}

static unsigned failures_now(const phonesec_flow *f)
{
    return is_stable(f) ? 0 : f->failures;
}

/* The connection was seen working now (pong or confirm). */
static void proof(phonesec_flow *f)
{
    f->proved = 1;
    f->proof_at = now();
    if (is_stable(f)) {
        f->failures = 0; /* RFC 5626 §4.5: the flow works again */
        if (f->server == 0)
            f->probe_failures = 0;
    }
}

static void emit(phonesec_flow *f, int type, unsigned server, int reason, uint64_t retry_in)
{
    phonesec_flow_event ev;
    memset(&ev, 0, sizeof ev);
    ev.type = type;
    ev.server = server;
    ev.reason = reason;
    ev.retry_in_ms = retry_in;
    ev.failures = failures_now(f);
    if (type == PHONESEC_FLOW_EV_CONNECTED || type == PHONESEC_FLOW_EV_REESTABLISHED)
        ev.resumed = f->conn_resumed;
    if (f->cfg.event_cb != NULL)
        f->cfg.event_cb(f->cfg.cb_user, &ev);
}

/* RFC 5626 §4.5: W = min(max-time, base-time * 2^consecutive-failures), then a
 * random wait between 50 % and 100 % of W. With no failure counted the wait
 * is 1-2 times the floor; it is never below the floor. */
static uint64_t backoff_ms(const phonesec_flow *f)
{
    uint64_t base = f->other_ok ? f->cfg.base_ok_ms : f->cfg.base_all_fail_ms;
    uint64_t w, max = f->cfg.max_backoff_ms, floor = f->cfg.retry_floor_ms;
    if (f->failures == 0)
        return rand_between(floor, 2 * floor);
    if (f->failures >= 32)
        w = max;
    else {
        w = base << f->failures;
        if (w > max)
            w = max;
    }
    return max_u64(rand_between(w / 2, w), floor);
}

static void count_failure(phonesec_flow *f)
{
    if (f->failures < FAILURES_MAX)
        f->failures++;
}

/* Forget the resumption hint of a server: the next connection to it is a
 * full handshake, and the transport is told so (open gets no hint). */
static void drop_hint(phonesec_flow *f, unsigned server, const char *why)
{
    if (server > 1 || f->resume[server] == NULL)
        return;
    phonesec__free_secret(f->resume[server], f->resume_cap[server]);
    f->resume[server] = NULL;
    f->resume_len[server] = 0;
    f->resume_cap[server] = 0;
    phonesec__log(PHONESEC_LOG_INFO, MOD, "resumption hint for server %u dropped: %s", server, why);
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
        return; /* the transport was not asked: the old hint still matches it */
    if (t->save_resume(f->cfg.transport_user, conn, tmp, PHONESEC_FLOW_RESUME_MAX, &n) == PHONESEC_OK && n > 0 &&
        n <= PHONESEC_FLOW_RESUME_MAX) {
        if (f->resume_cap[server] < n) {
            uint8_t *nb = phonesec__malloc(n);
            if (nb == NULL) {
                /* The transport moved on to a new session that cannot be
                 * kept: the old hint may no longer match it. */
                drop_hint(f, server, "out of memory keeping the new one");
            } else {
                phonesec__free_secret(f->resume[server], f->resume_cap[server]);
                f->resume[server] = nb;
                f->resume_cap[server] = n;
            }
        }
        if (f->resume[server] != NULL && f->resume_cap[server] >= n) {
            memcpy(f->resume[server], tmp, n);
            f->resume_len[server] = n;
        }
    }
    phonesec__free_secret(tmp, PHONESEC_FLOW_RESUME_MAX);
}

/* The hint a connection may still hand out: a resumed connection's session is
 * only taken once data was read (a TLS 1.3 ticket comes after the
 * handshake; before it arrives the export pairs the old ticket with the new
 * secret and cannot resume). Until then the hint it was opened with stays. */
static void refresh_hint(phonesec_flow *f)
{
    if (!f->conn_resumed || f->saved_after_read)
        save_resume(f, f->conn, f->server);
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
    f->have_round = 1;
    f->round_at = now();
    attempt(f, 0);
}

/* Wait before the next attempt; a new round never starts sooner than
 * round_gap() after the previous one. Returns the wait actually scheduled. */
static uint64_t schedule(phonesec_flow *f, unsigned server, int round, uint64_t wait)
{
    uint64_t t = now(), at = sat_add(t, wait);
    if (round && f->have_round)
        at = max_u64(at, sat_add(f->round_at, round_gap(f)));
    f->state = PHONESEC_FLOW_WAITING;
    f->next_server = server;
    f->next_is_round = round;
    f->deadline = at;
    return at - t;
}

static void run_due(phonesec_flow *f)
{
    if (f->next_is_round || f->next_server >= f->cfg.servers)
        start_round(f);
    else
        attempt(f, f->next_server);
}

/* A failed attempt got far enough to present its resumption hint (without
 * the transport's answer: assume it did, the safe side). */
static int presented(const phonesec_flow *f, void *conn)
{
    const phonesec_flow_transport *t = f->cfg.transport;
    if (conn == NULL)
        return 0; /* open() itself failed: nothing went out */
    if (t->version < 2 || t->hint_presented == NULL)
        return 1;
    return t->hint_presented(f->cfg.transport_user, conn) != 0;
}

static void attempt_failed(phonesec_flow *f, int reason)
{
    unsigned server = f->server;
    int drop = f->conn_offered && presented(f, f->conn);
    f->st.failed_attempts++;
    close_conn(f, &f->conn);
    f->gen++;
    phonesec__fail(&f->err, reason, "connection to server %u failed", server);
    phonesec__log(PHONESEC_LOG_INFO, MOD, "connection to server %u failed: %s", server, phonesec_strerror(reason));
    if (drop)
        drop_hint(f, server, "the attempt that offered it failed");
    f->conn_offered = 0;
    if (server + 1 < f->cfg.servers) {
        /* failover within the round: the next server at once */
        emit(f, PHONESEC_FLOW_EV_ATTEMPT_FAILED, server, reason, 0);
        if (f->state == PHONESEC_FLOW_STOPPED)
            return;
        attempt(f, server + 1);
        return;
    }
    count_failure(f);
    {
        uint64_t wait = schedule(f, 0, 1, backoff_ms(f));
        phonesec__log(PHONESEC_LOG_INFO, MOD, "all servers failed (%u in a row): next attempt in %llu ms",
                      f->failures, (unsigned long long)wait);
        emit(f, PHONESEC_FLOW_EV_ATTEMPT_FAILED, server, reason, wait);
    }
}

static void schedule_ping(phonesec_flow *f)
{
    uint64_t iv = f->cfg.keepalive_ms;
    f->ping_out = 0;
    f->ping_sent = 0;
    f->ping_end = 0;
    if (iv != 0)
        f->next_ping = sat_add(now(), rand_between(iv - iv / 5, iv)); /* 80-100 %, RFC 5626 §4.4.1 */
}

static void became_up(phonesec_flow *f)
{
    unsigned s = f->server;
    int first = !f->ever_up;
    const phonesec_flow_transport *t = f->cfg.transport;

    f->state = PHONESEC_FLOW_UP;
    f->up_at = now();
    f->proved = 0;
    f->conn_from_probe = 0;
    f->saved_after_read = 0;
    f->conn_resumed = t->resumed != NULL && t->resumed(f->cfg.transport_user, f->conn) == 1;
    f->st.connections++;
    f->tx_len = 0;
    phonesec__flow_framer_reset(&f->fr);
    schedule_ping(f);
    /* A full handshake's session is usable now; a resumed connection keeps
     * the hint it was opened with until data was read (refresh_hint). */
    refresh_hint(f);
    if (s > 0 && f->cfg.fallback_probe_ms != 0) {
        uint64_t gap = probe_interval(f);
        f->probe_at = sat_add(f->up_at, gap);
        if (f->have_probe)
            f->probe_at = max_u64(f->probe_at, sat_add(f->last_probe_at, gap));
    }
    phonesec__log(PHONESEC_LOG_INFO, MOD, "flow up to server %u%s", s, f->conn_resumed ? " (session resumed)" : "");
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
    f->deadline = sat_add(now(), f->cfg.connect_timeout_ms);
    f->gen++;
    f->conn_offered = hint != NULL;
    f->conn_resumed = 0;
    rc = f->cfg.transport->open(f->cfg.transport_user, server, hint, hint ? f->resume_len[server] : 0, &c);
    if (rc < 0 || c == NULL) {
        attempt_failed(f, rc < 0 ? rc : PHONESEC_E_INTERNAL);
        return;
    }
    f->conn = c;
    poll_connecting(f);
}

/* Losses after which the session is still fine: the peer closed, a missing
 * pong, or our own verdict on the framing. Any other error (a TLS alert, a
 * transport failure) drops the hint: a session ended by a fatal error is
 * not resumed (RFC 5246 §7.2.2), and a full handshake is the safe side. */
static int loss_keeps_hint(int reason)
{
    return reason == PHONESEC_E_CLOSED || reason == PHONESEC_E_TIMEOUT || reason == PHONESEC_E_PARSE ||
           reason == PHONESEC_E_LIMIT;
}

/* The flow broke: say so, then reconnect after a wait. A connection that
 * had proved itself (is_stable) is rebuilt after 1-2 floors, starting a new
 * round at the primary; one that had not counts as a failure of its server:
 * the round goes on with the next server (after the floor), or, when none is
 * left, the RFC 5626 §4.5 backoff runs. */
static void lose(phonesec_flow *f, int reason)
{
    unsigned s = f->server;
    uint64_t wait;
    int stable = is_stable(f);

    if (f->conn_from_probe && !stable && f->probe_failures < 32)
        f->probe_failures++;
    f->conn_from_probe = 0;
    if (!loss_keeps_hint(reason))
        drop_hint(f, s, "the connection ended in an error");
    else
        refresh_hint(f);
    close_conn(f, &f->conn);
    close_probe(f);
    f->gen++;
    f->tx_len = 0;
    f->ping_out = 0;
    f->ping_sent = 0;
    f->ping_end = 0;
    f->proved = 0;
    f->conn_offered = 0;
    phonesec__flow_framer_reset(&f->fr);
    if (stable) {
        f->failures = 0;
        wait = schedule(f, 0, 1, backoff_ms(f));
    } else if (s + 1 < f->cfg.servers) {
        wait = schedule(f, s + 1, 0, rand_between(f->cfg.retry_floor_ms, 2 * (uint64_t)f->cfg.retry_floor_ms));
    } else {
        count_failure(f);
        wait = schedule(f, 0, 1, backoff_ms(f));
    }
    phonesec__log(PHONESEC_LOG_WARN, MOD, "flow to server %u lost (%s)%s; reconnect in %llu ms", s,
                  phonesec_strerror(reason), stable ? "" : " before it proved itself", (unsigned long long)wait);
    f->st.losses++;
    emit(f, PHONESEC_FLOW_EV_LOST, s, reason, wait);
}

static int tx_queue(phonesec_flow *f, const uint8_t *p, size_t n, size_t limit)
{
    if (f->tx_len > limit || n > limit - f->tx_len)
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
        if (f->ping_end != 0) {
            if (off >= f->ping_end) {
                /* Our ping is on the wire: from now on a CRLF is its pong. */
                f->ping_end = 0;
                f->ping_sent = 1;
                phonesec__flow_framer_mark_ping(&f->fr);
            } else {
                f->ping_end -= off;
            }
        }
    }
    return rc;
}

static void got_pong(phonesec_flow *f)
{
    if (!f->ping_out || !f->ping_sent)
        return;
    f->st.pongs_received++;
    proof(f);
    schedule_ping(f);
}

/* Read and frame everything available on the up connection. */
static void read_conn(phonesec_flow *f)
{
    unsigned gen = f->gen;
    int reads = 0, drained = 0;

    while (f->state == PHONESEC_FLOW_UP && f->gen == gen) {
        const uint8_t *msg = NULL;
        size_t mlen = 0, avail = 0, got = 0;
        uint8_t *p;
        int flags = (f->ping_out && f->ping_sent ? PHONESEC__FR_PONG_EXPECTED : 0) |
                    (drained ? PHONESEC__FR_DRAINED : 0);
        int ev = phonesec__flow_framer_next(&f->fr, flags, &msg, &mlen);
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
        if (drained)
            return; /* nothing more now; what is buffered waits for more bytes */
        if (reads++ >= MAX_READS_PER_IO)
            return;
        phonesec__flow_framer_space(&f->fr, &p, &avail);
        if (avail == 0) { /* cannot happen: next() reports LIMIT first */
            lose(f, phonesec__fail(&f->err, PHONESEC_E_INTERNAL, "receive buffer stuck"));
            return;
        }
        {
            int rc = f->cfg.transport->recv(f->cfg.transport_user, f->conn, p, avail, &got);
            if (rc == PHONESEC_E_WOULD_BLOCK) {
                drained = 1; /* decide what waited for more bytes (a lone CRLF: the pong) */
                continue;
            }
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
            if (!f->saved_after_read) {
                /* A TLS 1.3 ticket arrives after the handshake, before the
                 * server's first application data: once a read returned
                 * data, the ticket has been processed. */
                f->saved_after_read = 1;
                save_resume(f, f->conn, f->server);
            }
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
        int drop = f->probe_offered && presented(f, f->probe);
        phonesec__log(PHONESEC_LOG_DEBUG, MOD, "fallback probe to the primary failed: %s",
                      phonesec_strerror(r < 0 ? r : PHONESEC_E_TIMEOUT));
        close_probe(f);
        f->st.failed_attempts++;
        if (drop)
            drop_hint(f, 0, "the fallback probe that offered it failed");
        f->probe_offered = 0;
        f->probe_at = sat_add(now(), probe_interval(f));
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
    /* flush may lose the backup, which closes the probe too. */
    if (f->state != PHONESEC_FLOW_UP || f->gen != gen || f->probe == NULL)
        return;
    refresh_hint(f);
    close_conn(f, &f->conn);
    f->conn = f->probe;
    f->probe = NULL;
    f->server = 0;
    f->conn_offered = f->probe_offered;
    f->probe_offered = 0;
    f->gen++;
    phonesec__log(PHONESEC_LOG_INFO, MOD, "primary is back: falling back from the backup");
    became_up(f);
    f->conn_from_probe = 1;
}

static void start_probe(phonesec_flow *f, uint64_t t)
{
    void *c = NULL;
    const uint8_t *hint = f->resume_len[0] ? f->resume[0] : NULL;
    int rc;
    f->have_probe = 1;
    f->last_probe_at = t;
    rc = f->cfg.transport->open(f->cfg.transport_user, 0, hint, hint ? f->resume_len[0] : 0, &c);
    if (rc < 0 || c == NULL) {
        f->st.failed_attempts++; /* open() failed: the hint never went out, it stays */
        f->probe_at = sat_add(t, probe_interval(f));
    } else {
        f->probe = c;
        f->probe_offered = hint != NULL;
        f->probe_deadline = sat_add(t, f->cfg.connect_timeout_ms);
    }
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
    phonesec_flow_config c;

    if (cfg == NULL || out == NULL || cfg->version < 1 || cfg->version > PHONESEC_FLOW_CONFIG_VERSION)
        return PHONESEC_E_INVAL;
    /* transport vtables of version 1 end before hint_presented: presented()
     * reads it only from version 2 on */
    /* An older caller's struct ends before the newer fields: read only what
     * it has, the rest is zero (= the defaults). */
    memset(&c, 0, sizeof c);
    if (cfg->version == 1)
        memcpy(&c, cfg, offsetof(phonesec_flow_config, retry_floor_ms));
    else
        c = *cfg;
    c.version = PHONESEC_FLOW_CONFIG_VERSION;
    if (c.retry_floor_ms == 0)
        c.retry_floor_ms = DEFAULT_RETRY_FLOOR_MS;
    if (c.stable_ms == 0)
        c.stable_ms = DEFAULT_STABLE_MS;
    t = c.transport;
    if (t == NULL || t->version < 1 || t->version > PHONESEC_FLOW_TRANSPORT_VERSION || t->open == NULL || t->is_up == NULL ||
        t->send == NULL || t->recv == NULL || t->close == NULL)
        return PHONESEC_E_INVAL;
    if (c.servers < 1 || c.servers > 2 || c.connect_timeout_ms == 0 || c.base_all_fail_ms == 0 ||
        c.base_ok_ms == 0 || c.max_backoff_ms == 0 || c.max_message < SIZE_MIN_CFG || c.max_message > SIZE_MAX_CFG ||
        c.tx_buffer < SIZE_MIN_CFG || c.tx_buffer > SIZE_MAX_CFG)
        return PHONESEC_E_INVAL;
    if (c.keepalive_ms != 0 && c.keepalive_ms - c.keepalive_ms / 5 <= c.pong_timeout_ms)
        return PHONESEC_E_INVAL;
    f = phonesec__calloc(1, sizeof *f);
    if (f == NULL)
        return PHONESEC_E_NOMEM;
    f->cfg = c;
    f->tx_cap = c.tx_buffer;
    f->rx = phonesec__malloc(c.max_message);
    f->tx = phonesec__malloc(c.tx_buffer + TX_SLACK);
    if (f->rx == NULL || f->tx == NULL) {
        phonesec__free(f->rx);
        phonesec__free(f->tx);
        phonesec__free(f);
        return PHONESEC_E_NOMEM;
    }
    phonesec__flow_framer_init(&f->fr, f->rx, c.max_message, &f->err);
    f->state = PHONESEC_FLOW_STOPPED;
    *out = f;
    return PHONESEC_OK;
}

int phonesec_flow_stop(phonesec_flow *f)
{
    if (f == NULL)
        return PHONESEC_E_INVAL;
    if (f->conn != NULL && f->state == PHONESEC_FLOW_UP)
        refresh_hint(f);
    if (f->state == PHONESEC_FLOW_WAITING)
        f->hold_until = f->deadline;
    else if (f->state == PHONESEC_FLOW_CONNECTING && f->failures > 0)
        /* stopped in the middle of a retry: the next one waits as the
         * backoff says */
        f->hold_until = sat_add(now(), backoff_ms(f));
    close_conn(f, &f->conn);
    close_probe(f);
    f->gen++;
    f->state = PHONESEC_FLOW_STOPPED;
    f->started = 0;
    f->tx_len = 0;
    f->ping_out = 0;
    f->ping_sent = 0;
    f->ping_end = 0;
    f->ever_up = 0;
    f->have_side = 0;
    f->proved = 0;
    f->conn_offered = 0;
    f->probe_offered = 0;
    /* The failure count, the pending wait (hold_until), the round and probe
     * times stay: a host that stops and restarts the flow (say at every
     * loss) neither resets the backoff nor makes rounds closer than
     * round_gap(). */
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
    {
        uint64_t t = now();
        uint64_t at = max_u64(f->hold_until, f->have_round ? sat_add(f->round_at, round_gap(f)) : 0);
        if (t < at)
            (void)schedule(f, 0, 1, at - t);
        else
            start_round(f);
    }
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
            run_due(f);
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
            if (tx_queue(f, (const uint8_t *)"\r\n\r\n", 4, f->tx_cap + TX_SLACK) == PHONESEC_OK) {
                f->st.pings_sent++;
                f->ping_end = f->tx_len;
                phonesec__log(PHONESEC_LOG_DEBUG, MOD, "keep-alive ping to server %u", f->server);
            } else {
                /* The peer has not read 64 KiB of our output: no room even
                 * for a ping. With pongs required the flow is lost when the
                 * pong time is over. */
                phonesec__log(PHONESEC_LOG_WARN, MOD, "keep-alive ping to server %u not queued: output full",
                              f->server);
            }
            if (f->cfg.pong_timeout_ms != 0) {
                f->ping_out = 1;
                f->pong_deadline = sat_add(t, f->cfg.pong_timeout_ms);
            } else {
                schedule_ping(f);
            }
            (void)flush(f);
        }
        if (f->state == PHONESEC_FLOW_UP && f->server > 0 && f->probe == NULL && f->cfg.fallback_probe_ms != 0 &&
            t >= f->probe_at)
            start_probe(f, t);
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

int64_t phonesec_flow_next_timeout_ms(const phonesec_flow *f)
{
    uint64_t t, due = 0;
    int have = 0;
    if (f == NULL)
        return -1;
    switch (f->state) {
    case PHONESEC_FLOW_WAITING:
    case PHONESEC_FLOW_CONNECTING:
        due = f->deadline;
        have = 1;
        break;
    case PHONESEC_FLOW_UP:
        if (f->ping_out && f->cfg.pong_timeout_ms != 0) {
            due = f->pong_deadline;
            have = 1;
        } else if (f->cfg.keepalive_ms != 0) {
            due = f->next_ping;
            have = 1;
        }
        if (f->server > 0 && f->cfg.fallback_probe_ms != 0) {
            uint64_t p = f->probe != NULL ? f->probe_deadline : f->probe_at;
            due = have ? min_u64(due, p) : p;
            have = 1;
        }
        break;
    default:
        return -1;
    }
    if (!have)
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
    proof(f);
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
    return f ? failures_now(f) : 0;
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
    /* Sizes of phonesec_flow_stats by struct version (sizes[0]: 1.0, forever). */
    static const size_t sizes[PHONESEC_FLOW_STATS_VERSION] = { sizeof(phonesec_flow_stats) };
    phonesec_flow_stats full;
    if (f == NULL || stats == NULL)
        return PHONESEC_E_INVAL;
    full = f->st;
    full.version = PHONESEC_FLOW_STATS_VERSION;
    /* only as many bytes as the caller's version has: never past its struct */
    return phonesec__struct_out(stats, &full, sizes, PHONESEC_FLOW_STATS_VERSION);
}

int phonesec_flow_last_error(const phonesec_flow *f, char *buf, size_t cap)
{
    if (f == NULL || buf == NULL || cap == 0)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&f->err, buf, cap);
}
