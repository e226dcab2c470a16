/* Reconnect storms: 24 hours of fake time against adversarial servers.
 *
 * doc/flow.md promises that whatever the servers do, a flow makes at most
 *     servers * (3600 s / G + 1) + 2 * (3600 s / max(fallback_probe_ms, G) + 1)
 * connection attempts in any hour (the second term only with a backup),
 * G = max(retry_floor_ms, min(stable_ms, base_all_fail_ms, base_ok_ms,
 * max_backoff_ms / 2)): 121 with one server, 268 with two, with the
 * defaults. Each scenario below drives a flow with the default settings
 * for 24 hours of fake time and counts transport open() calls (counts, not
 * time): the busiest hour must stay within that bound. The scenarios where
 * a server never lets a flow prove itself must also settle into the RFC
 * 5626 maximum backoff (at most 5 rounds an hour after the first hours).
 * Every scenario runs twice: with the backoff's random numbers all zero
 * (every wait at its lower end: the worst case) and with a seeded PRNG.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

#include "memtransport.h"

#define HOUR 3600000ull
#define DAY (24 * HOUR)

enum {
    B_GOOD,          /* registers, answers pings, stays */
    B_REFUSE,        /* TCP refused */
    B_OPEN_ERR,      /* open() itself fails */
    B_HANG,          /* TCP/TLS never completes */
    B_DROP_AT_ONCE,  /* handshake, then the connection drops */
    B_200_DROP,      /* answers REGISTER with 200, then drops */
    B_PONG_DROP,     /* never answers REGISTER; answers the first ping, then drops */
    B_SILENT,        /* accepts, never answers anything */
    B_FLOOD,         /* registers, then floods pings, stray CRLFs and messages */
    B_GARBAGE,       /* 200, then bytes that are not SIP */
    B_SLOWLORIS,     /* 200, then one byte of a message every 5 s */
    B_GOOD_FOR,      /* good, drops after good_for ms */
    B_COUNT
};

typedef struct scenario {
    const char *name;
    unsigned servers;
    int beh[2];        /* fixed behaviour per server (when pick is NULL) */
    int (*pick)(unsigned server, uint64_t elapsed, uint32_t *rng);
    uint64_t good_for; /* B_GOOD_FOR */
    int settles;       /* never proves itself: RFC maximum backoff after the first hours */
    int min_up_pct;    /* a good server exists: the flow must be up at least this much of the day */
    int max_reest;     /* ... and re-establish at most this often per hour after the first 12 h */
} scenario;

/* --- the world of one run -------------------------------------------------- */
static mt_world W;
static phonesec_flow *F;
static const scenario *SC;
static uint64_t T0;
static uint64_t *opens;
static size_t nopens, opens_cap, win_lo;
static uint64_t max_hour, bound;
static int over_bound;
static uint32_t prng, beh_rng;
static int rng_zero;
static uint64_t last_lost_at, last_lost_wait;
static int lost_pending;
static uint64_t floor_violations, connected_events, reest_late;
static long bytes_peak;

static int rng_hook(void *ud, uint8_t *buf, size_t len)
{
    size_t i;
    (void)ud;
    for (i = 0; i < len; i++) {
        if (rng_zero) {
            buf[i] = 0;
        } else {
            prng ^= prng << 13;
            prng ^= prng >> 17;
            prng ^= prng << 5;
            buf[i] = (uint8_t)prng;
        }
    }
    return 0;
}

static uint32_t next_rand(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static int setup(void **state)
{
    phonesec_platform p;
    (void)state;
    phonesec_platform_init(&p);
    p.malloc_fn = test_malloc_hook;
    p.realloc_fn = test_realloc_hook;
    p.free_fn = test_free_hook;
    p.clock_ms_fn = test_clock;
    p.random_fn = rng_hook;
    p.log_level = PHONESEC_LOG_ERROR;
    return phonesec_init(&p) == PHONESEC_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    phonesec_shutdown();
    return 0;
}

static int hook_open(mt_world *w, unsigned server, mt_conn *c)
{
    uint64_t t = test_clock_now;
    int b;
    (void)w;
    if (nopens == opens_cap) {
        opens_cap = opens_cap ? 2 * opens_cap : 1024;
        opens = realloc(opens, opens_cap * sizeof *opens);
        assert_non_null(opens);
    }
    opens[nopens++] = t;
    while (opens[win_lo] + HOUR <= t)
        win_lo++;
    if (nopens - win_lo > max_hour)
        max_hour = nopens - win_lo;
    if (nopens - win_lo > bound)
        over_bound = 1;
    if (lost_pending) {
        /* the floor under every reconnect */
        if (t - last_lost_at < 1000 || t - last_lost_at < last_lost_wait)
            floor_violations++;
        lost_pending = 0;
    }
    if (c == NULL)
        return 0;
    b = SC->pick ? SC->pick(server, t - T0, &beh_rng) : SC->beh[server];
    c->beh = b;
    c->stage = 0;
    c->t0 = t;
    switch (b) {
    case B_OPEN_ERR:
        return PHONESEC_E_IO;
    case B_REFUSE:
        c->refused = 1;
        c->up = 0;
        break;
    case B_HANG:
        c->up = 0;
        break;
    default:
        c->up = 1;
        break;
    }
    return 0;
}

static const char REG[] = "REGISTER sip:sip.test SIP/2.0\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
static const char OK200[] = "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
static const char OPTS[] = "OPTIONS sip:phone SIP/2.0\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n";

static void on_event(void *ud, const phonesec_flow_event *e)
{
    (void)ud;
    if (e->type == PHONESEC_FLOW_EV_CONNECTED)
        connected_events++;
    if (e->type == PHONESEC_FLOW_EV_REESTABLISHED && test_clock_now - T0 >= 12 * HOUR)
        reest_late++;
    if (e->type == PHONESEC_FLOW_EV_CONNECTED || e->type == PHONESEC_FLOW_EV_REESTABLISHED)
        assert_int_equal(phonesec_flow_send(F, (const uint8_t *)REG, strlen(REG)), PHONESEC_OK);
    if (e->type == PHONESEC_FLOW_EV_LOST) {
        if (e->retry_in_ms < 1000)
            floor_violations++;
        lost_pending = 1;
        last_lost_at = test_clock_now;
        last_lost_wait = e->retry_in_ms;
    }
}

static void on_msg(void *ud, const uint8_t *m, size_t n)
{
    (void)ud;
    if (n >= 11 && memcmp(m, "SIP/2.0 200", 11) == 0)
        assert_int_equal(phonesec_flow_confirm(F), PHONESEC_OK);
}

static int live(const mt_conn *c)
{
    return c->up && !c->closed && !c->closed_by_peer;
}

static void push(mt_conn *c, const void *p, size_t n)
{
    if (c->s2c_off == c->s2c_len)
        c->s2c_off = c->s2c_len = 0;
    if (c->s2c_len + n <= MT_BUF)
        mt_push(c, p, n);
}

/* The server side of one connection: read what the phone sent, answer as
 * the behaviour says. Returns 1 when it did anything. */
static int serve(mt_conn *c, uint64_t t)
{
    int did = 0;
    size_t off = 0;
    if (!live(c))
        return 0;
    if (c->beh == B_DROP_AT_ONCE) {
        c->closed_by_peer = 1;
        return 1;
    }
    if (c->beh == B_GOOD_FOR && t - c->t0 >= SC->good_for) {
        c->closed_by_peer = 1;
        return 1;
    }
    while (off < c->c2s_len && live(c)) {
        const uint8_t *p = c->c2s + off;
        size_t left = c->c2s_len - off;
        did = 1;
        if (left >= 4 && memcmp(p, "\r\n\r\n", 4) == 0) {
            off += 4;
            switch (c->beh) {
            case B_GOOD:
            case B_GOOD_FOR:
            case B_FLOOD:
            case B_GARBAGE:
                push(c, "\r\n", 2);
                break;
            case B_PONG_DROP:
                push(c, "\r\n", 2);
                c->closed_by_peer = 1;
                break;
            case B_SLOWLORIS:
                push(c, "\r\n", 2); /* lands inside the partial message: no pong */
                break;
            default:
                break;
            }
        } else if (left >= 2 && memcmp(p, "\r\n", 2) == 0) {
            off += 2; /* our pong to a server ping */
        } else if (left >= strlen(REG) && memcmp(p, REG, strlen(REG)) == 0) {
            off += strlen(REG);
            switch (c->beh) {
            case B_GOOD:
            case B_GOOD_FOR:
            case B_FLOOD:
                push(c, OK200, strlen(OK200));
                break;
            case B_200_DROP:
                push(c, OK200, strlen(OK200));
                c->closed_by_peer = 1;
                break;
            case B_GARBAGE:
                push(c, OK200, strlen(OK200));
                push(c, "\x01garbage\r\r\n", 11);
                break;
            case B_SLOWLORIS:
                push(c, OK200, strlen(OK200));
                c->stage = 1;
                c->t0 = t;
                break;
            default:
                break;
            }
        } else {
            fail_msg("unexpected bytes from the flow: %.*s", (int)(left > 40 ? 40 : left), (const char *)p);
        }
    }
    c->c2s_len = 0;
    if (c->beh == B_FLOOD && live(c) && c->s2c_off == c->s2c_len && t >= c->t0) {
        int i;
        c->t0 = t + 10000; /* a burst every 10 s */
        for (i = 0; i < 50; i++)
            push(c, "\r\n\r\n", 4);
        for (i = 0; i < 20; i++) {
            push(c, OPTS, strlen(OPTS));
            push(c, "\r\n", 2);
        }
        did = 1;
    }
    if (c->beh == B_SLOWLORIS && c->stage >= 1 && live(c) && t - c->t0 >= 5000) {
        static const char part[] = "INVITE sip:phone SIP/2.0\r\nVia: SIP/2.0/TLS x\r\nX-Slow: ";
        push(c, c->stage <= (int)strlen(part) ? &part[c->stage - 1] : "a", 1);
        c->stage++;
        c->t0 = t;
        did = 1;
    }
    return did;
}

static uint64_t server_next(uint64_t t)
{
    uint64_t due = UINT64_MAX;
    int i;
    for (i = 0; i < W.nconns; i++) {
        mt_conn *c = W.conns[i];
        uint64_t d = UINT64_MAX;
        if (!live(c))
            continue;
        if (c->beh == B_GOOD_FOR)
            d = c->t0 + SC->good_for;
        else if (c->beh == B_SLOWLORIS && c->stage >= 1)
            d = c->t0 + 5000;
        else if (c->beh == B_FLOOD)
            d = c->t0 > t ? c->t0 : t;
        if (d < due)
            due = d;
    }
    return due;
}

static void settle_io(void)
{
    int k;
    for (k = 0; k < 100; k++) {
        int i, did = 0;
        for (i = 0; i < W.nconns; i++)
            did |= serve(W.conns[i], test_clock_now);
        assert_int_equal(phonesec_flow_on_io(F), PHONESEC_OK);
        if (!did)
            return;
    }
}

/* Busiest window of one hour that starts at or after `from`. */
static uint64_t max_hour_from(uint64_t from)
{
    size_t i, j = 0;
    uint64_t best = 0;
    for (i = 0; i < nopens; i++) {
        if (opens[i] < from)
            continue;
        if (j < i)
            j = i;
        while (j < nopens && opens[j] < opens[i] + HOUR)
            j++;
        if (j - i > best)
            best = j - i;
    }
    return best;
}

static uint64_t doc_bound(const phonesec_flow_config *c)
{
    uint64_t g = c->stable_ms, probe, n;
    if (c->base_all_fail_ms < g)
        g = c->base_all_fail_ms;
    if (c->base_ok_ms < g)
        g = c->base_ok_ms;
    if (c->max_backoff_ms / 2 < g)
        g = c->max_backoff_ms / 2;
    if (c->retry_floor_ms > g)
        g = c->retry_floor_ms;
    n = c->servers * (HOUR / g + 1);
    if (c->servers == 2 && c->fallback_probe_ms != 0) {
        probe = c->fallback_probe_ms > g ? c->fallback_probe_ms : g;
        n += 2 * (HOUR / probe + 1);
    }
    return n;
}

static void run(const scenario *sc, int zero, uint32_t seed)
{
    phonesec_flow_config c;
    int zero_steps = 0;
    uint64_t up_ms = 0, last = 0;
    long base_bytes;

    SC = sc;
    rng_zero = zero;
    prng = seed | 1;
    beh_rng = seed * 2654435761u | 1;
    mt_init(&W);
    W.on_open = hook_open;
    nopens = win_lo = 0;
    max_hour = 0;
    over_bound = 0;
    lost_pending = 0;
    floor_violations = 0;
    connected_events = 0;
    reest_late = 0;
    phonesec_flow_config_init(&c);
    c.transport = &mt_transport;
    c.transport_user = &W;
    c.servers = sc->servers;
    c.event_cb = on_event;
    c.message_cb = on_msg;
    bound = doc_bound(&c);
    assert_true(bound == (sc->servers == 1 ? 121u : 268u)); /* the numbers doc/flow.md states */
    assert_int_equal(phonesec_flow_new(&c, &F), PHONESEC_OK);
    base_bytes = test_alloc_bytes_live;
    bytes_peak = 0;
    T0 = test_clock_now;
    assert_int_equal(phonesec_flow_start(F), PHONESEC_OK);
    while (test_clock_now - T0 < DAY && !over_bound) {
        int64_t ft;
        uint64_t due, sn;
        settle_io();
        mt_reap(&W);
        if (test_alloc_bytes_live - base_bytes > bytes_peak)
            bytes_peak = test_alloc_bytes_live - base_bytes;
        ft = phonesec_flow_next_timeout_ms(F);
        assert_true(ft >= 0); /* a started flow always has a timer */
        due = test_clock_now + (uint64_t)ft;
        sn = server_next(test_clock_now);
        if (sn < due)
            due = sn;
        if (due > T0 + DAY)
            due = T0 + DAY;
        if (phonesec_flow_state(F) == PHONESEC_FLOW_UP)
            up_ms += due - test_clock_now;
        zero_steps = due == test_clock_now ? zero_steps + 1 : 0;
        assert_true(zero_steps < 50); /* never a busy loop */
        test_clock_now = due;
        assert_int_equal(phonesec_flow_tick(F), PHONESEC_OK);
    }
    last = max_hour_from(T0 + 12 * HOUR);
    print_message("  %-36s %-6s attempts %4llu, busiest hour %3llu (bound %llu), last 12 h: busiest hour %2llu, "
                  "re-established %3llu, up %5.1f%%\n",
                  sc->name, zero ? "worst" : "random", (unsigned long long)nopens, (unsigned long long)max_hour,
                  (unsigned long long)bound, (unsigned long long)last, (unsigned long long)reest_late,
                  100.0 * (double)up_ms / (double)DAY);
    assert_false(over_bound);
    assert_true(max_hour <= bound);
    assert_int_equal(floor_violations, 0);
    assert_true(connected_events <= 1);
    if (sc->settles) /* RFC 5626 max-time 30 min: rounds 15-30 min apart */
        assert_true(last <= 5 * sc->servers);
    if (sc->min_up_pct) {
        assert_true(up_ms * 100 >= (uint64_t)sc->min_up_pct * DAY);
        assert_true(reest_late <= (uint64_t)sc->max_reest * 12);
    }
    /* memory does not grow with what the server does: the resumption hint
     * is the only thing allocated after phonesec_flow_new() */
    assert_true(bytes_peak <= 2 * 64);
    phonesec_flow_free(F);
    F = NULL;
    mt_cleanup(&W);
}

static void run_both(const scenario *sc, uint32_t seed)
{
    run(sc, 1, seed);
    run(sc, 0, seed);
}

/* --- scenarios ------------------------------------------------------------- */

#define ONE(n, b, s) {n, 1, {b, b}, NULL, 0, s, 0, 0}
#define TWO(n, b0, b1, s) {n, 2, {b0, b1}, NULL, 0, s, 0, 0}
/* a good backup: up most of the day, few re-registrations once the probe backs off */
#define GOOD_BACKUP(n, b0, up, re) {n, 2, {b0, B_GOOD}, NULL, 0, 0, up, re}

static void single_server(void **state)
{
    static const scenario sc[] = {
        ONE("drop at once", B_DROP_AT_ONCE, 1),
        ONE("200 then drop", B_200_DROP, 1),
        ONE("pong then drop", B_PONG_DROP, 1),
        ONE("silence", B_SILENT, 1),
        ONE("flood", B_FLOOD, 0),
        ONE("200 then garbage", B_GARBAGE, 1),
        ONE("slow-loris", B_SLOWLORIS, 1),
        ONE("handshake never ends", B_HANG, 1),
        ONE("refused", B_REFUSE, 1),
        ONE("open fails", B_OPEN_ERR, 1),
        ONE("good", B_GOOD, 0),
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof sc / sizeof sc[0]; i++)
        run_both(&sc[i], (uint32_t)i + 1);
}

static void two_servers(void **state)
{
    static const scenario sc[] = {
        TWO("both drop at once", B_DROP_AT_ONCE, B_DROP_AT_ONCE, 1),
        TWO("both 200 then drop", B_200_DROP, B_200_DROP, 1),
        TWO("both pong then drop", B_PONG_DROP, B_PONG_DROP, 1),
        TWO("refused / 200 then drop", B_REFUSE, B_200_DROP, 1),
        TWO("200 then drop / refused", B_200_DROP, B_REFUSE, 1),
        TWO("silent / garbage", B_SILENT, B_GARBAGE, 1),
        TWO("hang / slow-loris", B_HANG, B_SLOWLORIS, 1),
        /* the primary takes the flow and drops it (or never answers): the
         * flow goes back to the backup at once and probes ever less often */
        GOOD_BACKUP("drop at once / good (probe loop)", B_DROP_AT_ONCE, 99, 4),
        GOOD_BACKUP("200 then drop / good (probe loop)", B_200_DROP, 99, 4),
        GOOD_BACKUP("pong then drop / good (probe loop)", B_PONG_DROP, 95, 4),
        GOOD_BACKUP("silent / good (black hole)", B_SILENT, 95, 4),
        GOOD_BACKUP("garbage / good", B_GARBAGE, 99, 4),
        TWO("flood / flood", B_FLOOD, B_FLOOD, 0),
        TWO("refused / refused", B_REFUSE, B_REFUSE, 1),
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof sc / sizeof sc[0]; i++)
        run_both(&sc[i], (uint32_t)i + 101);
}

/* Alternating failures: every 7 minutes primary and backup swap between
 * refusing and accepting-then-dropping. */
static int pick_alternate(unsigned server, uint64_t elapsed, uint32_t *rng)
{
    int slot = (int)((elapsed / 420000) & 1);
    (void)rng;
    return (int)server == slot ? B_REFUSE : B_200_DROP;
}

/* Alternating primary outage and backup flapping, 3-minute slots. */
static int pick_alternate2(unsigned server, uint64_t elapsed, uint32_t *rng)
{
    int slot = (int)((elapsed / 180000) % 3);
    (void)rng;
    if (slot == 0)
        return server == 0 ? B_HANG : B_PONG_DROP;
    if (slot == 1)
        return server == 0 ? B_DROP_AT_ONCE : B_GOOD;
    return server == 0 ? B_GOOD_FOR : B_REFUSE;
}

/* Every connection picks a behaviour at random. */
static int pick_random(unsigned server, uint64_t elapsed, uint32_t *rng)
{
    (void)server;
    (void)elapsed;
    return (int)(next_rand(rng) % B_COUNT);
}

/* Random, but never a connection that stays for good. */
static int pick_random_bad(unsigned server, uint64_t elapsed, uint32_t *rng)
{
    int b;
    (void)server;
    (void)elapsed;
    do
        b = (int)(next_rand(rng) % B_COUNT);
    while (b == B_GOOD || b == B_FLOOD);
    return b;
}

static void alternating_and_edges(void **state)
{
    static const scenario sc[] = {
        {"alternating refuse / 200-drop", 2, {0, 0}, pick_alternate, 0, 1, 0, 0},
        {"alternating outage / flapping", 2, {0, 0}, pick_alternate2, 60000, 0, 0, 0},
        /* stays up a little less or a little more than stable_ms */
        {"good for stable_ms - 1", 1, {B_GOOD_FOR, B_GOOD_FOR}, NULL, 119999, 1, 0, 0},
        {"good for stable_ms + 1", 1, {B_GOOD_FOR, B_GOOD_FOR}, NULL, 120001, 0, 0, 0},
        {"good for 2 x stable_ms", 1, {B_GOOD_FOR, B_GOOD_FOR}, NULL, 240001, 0, 0, 0},
        {"both good for stable_ms + 1", 2, {B_GOOD_FOR, B_GOOD_FOR}, NULL, 120001, 0, 0, 0},
        {"good for stable_ms - 1 / refused", 2, {B_GOOD_FOR, B_REFUSE}, NULL, 119999, 1, 0, 0},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof sc / sizeof sc[0]; i++)
        run_both(&sc[i], (uint32_t)i + 201);
}

static void random_servers(void **state)
{
    static const scenario one = {"random (1 server)", 1, {0, 0}, pick_random, 30000, 0, 0, 0};
    static const scenario two = {"random (2 servers)", 2, {0, 0}, pick_random, 30000, 0, 0, 0};
    static const scenario bad1 = {"random, never good (1 server)", 1, {0, 0}, pick_random_bad, 120001, 0, 0, 0};
    static const scenario bad2 = {"random, never good (2 servers)", 2, {0, 0}, pick_random_bad, 120001, 0, 0, 0};
    uint32_t seed;
    (void)state;
    for (seed = 1; seed <= 8; seed++) {
        run(&one, seed & 1, seed * 7919);
        run(&two, seed & 1, seed * 7919 + 1);
        run(&bad1, seed & 1, seed * 7919 + 2);
        run(&bad2, seed & 1, seed * 7919 + 3);
    }
}

/* A host that restarts the flow (stop + start) at every loss cannot make
 * rounds closer than G either. */
static void host_restart_loop(void **state)
{
    static const scenario sc = ONE("200 then drop, host restarts", B_200_DROP, 0);
    phonesec_flow_config c;
    uint64_t t_end;
    (void)state;
    SC = &sc;
    rng_zero = 1;
    mt_init(&W);
    W.on_open = hook_open;
    nopens = win_lo = 0;
    max_hour = 0;
    over_bound = 0;
    phonesec_flow_config_init(&c);
    c.transport = &mt_transport;
    c.transport_user = &W;
    c.event_cb = on_event;
    c.message_cb = on_msg;
    bound = doc_bound(&c);
    assert_int_equal(phonesec_flow_new(&c, &F), PHONESEC_OK);
    assert_int_equal(phonesec_flow_start(F), PHONESEC_OK);
    t_end = test_clock_now + 2 * HOUR;
    while (test_clock_now < t_end && !over_bound) {
        int64_t ft;
        settle_io();
        mt_reap(&W);
        if (phonesec_flow_state(F) == PHONESEC_FLOW_WAITING) {
            assert_int_equal(phonesec_flow_stop(F), PHONESEC_OK);
            assert_int_equal(phonesec_flow_start(F), PHONESEC_OK);
            settle_io();
        }
        ft = phonesec_flow_next_timeout_ms(F);
        assert_true(ft >= 0);
        test_clock_now += (uint64_t)ft;
        assert_int_equal(phonesec_flow_tick(F), PHONESEC_OK);
    }
    print_message("  %-34s attempts %llu in 2 h, busiest hour %llu (bound %llu)\n", sc.name,
                  (unsigned long long)nopens, (unsigned long long)max_hour, (unsigned long long)bound);
    assert_false(over_bound);
    assert_true(max_hour <= HOUR / 30000 + 1);
    phonesec_flow_free(F);
    F = NULL;
    mt_cleanup(&W);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(single_server, setup, teardown),
        cmocka_unit_test_setup_teardown(two_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(alternating_and_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(random_servers, setup, teardown),
        cmocka_unit_test_setup_teardown(host_restart_loop, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(opens);
    return rc;
}
