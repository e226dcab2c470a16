/* Unit tests of the persistent flow: fake clock + in-memory transport. */
#define _POSIX_C_SOURCE 200809L
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support.h"

#include "memtransport.h"

static mt_world W;

#define MAXEV 4096
static phonesec_flow_event ev[MAXEV];
static int nev;
static char msgs[65536 * 4];
static size_t msgs_len;
static int nmsgs;
static phonesec_flow *cb_flow;   /* for callbacks that send */
static int reregister_on_event;  /* send a REGISTER on CONNECTED/REESTABLISHED */

static const char REG[] = "REGISTER sip:sip.test SIP/2.0\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";

static void on_event(void *ud, const phonesec_flow_event *e)
{
    (void)ud;
    if (nev < MAXEV)
        ev[nev++] = *e;
    if (reregister_on_event && cb_flow &&
        (e->type == PHONESEC_FLOW_EV_CONNECTED || e->type == PHONESEC_FLOW_EV_REESTABLISHED))
        assert_int_equal(phonesec_flow_send(cb_flow, (const uint8_t *)REG, strlen(REG)), PHONESEC_OK);
}

static void on_msg(void *ud, const uint8_t *m, size_t n)
{
    (void)ud;
    assert_true(msgs_len + n + 1 < sizeof msgs);
    memcpy(msgs + msgs_len, m, n);
    msgs_len += n;
    msgs[msgs_len++] = '|';
    nmsgs++;
}

static int count_ev(int type)
{
    int i, n = 0;
    for (i = 0; i < nev; i++)
        n += ev[i].type == type;
    return n;
}

static const phonesec_flow_event *last_ev(int type)
{
    int i;
    for (i = nev - 1; i >= 0; i--)
        if (ev[i].type == type)
            return &ev[i];
    return NULL;
}

static int setup(void **state)
{
    test_clock_now = 1000000;
    mt_init(&W);
    nev = 0;
    msgs_len = 0;
    nmsgs = 0;
    cb_flow = NULL;
    reregister_on_event = 0;
    test_alloc_fail_at = 0;
    return test_platform_setup(state);
}

static int teardown(void **state)
{
    mt_cleanup(&W);
    return test_platform_teardown(state);
}

static phonesec_flow *mkflow(unsigned servers)
{
    phonesec_flow_config c;
    phonesec_flow *f = NULL;
    phonesec_flow_config_init(&c);
    c.transport = &mt_transport;
    c.transport_user = &W;
    c.servers = servers;
    c.event_cb = on_event;
    c.message_cb = on_msg;
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_OK);
    cb_flow = f;
    return f;
}

/* Move the fake clock to the next timer and run it; returns the step. */
static int64_t step(phonesec_flow *f)
{
    int64_t t = phonesec_flow_next_timeout_ms(f);
    assert_true(t >= 0);
    test_clock_now += (uint64_t)t;
    assert_int_equal(phonesec_flow_tick(f), PHONESEC_OK);
    return t;
}

/* Step until the flow is up again (at most n timers); returns the time taken. */
static uint64_t step_until_up(phonesec_flow *f, int n)
{
    uint64_t t0 = test_clock_now;
    while (phonesec_flow_state(f) != PHONESEC_FLOW_UP && n-- > 0)
        step(f);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    return test_clock_now - t0;
}

/* Let ms pass on an up flow, answering every ping with a pong. */
static void run_answering(phonesec_flow *f, uint64_t ms)
{
    uint64_t end = test_clock_now + ms;
    while (test_clock_now < end) {
        int64_t t = phonesec_flow_next_timeout_ms(f);
        mt_conn *c;
        assert_true(t >= 0);
        if (test_clock_now + (uint64_t)t > end)
            t = (int64_t)(end - test_clock_now);
        test_clock_now += (uint64_t)t;
        assert_int_equal(phonesec_flow_tick(f), PHONESEC_OK);
        c = (mt_conn *)phonesec_flow_connection(f, 0);
        if (c != NULL && c->c2s_len >= 4 && memcmp(c->c2s + c->c2s_len - 4, "\r\n\r\n", 4) == 0) {
            c->c2s_len = 0;
            mt_push(c, "\r\n", 2);
            assert_int_equal(phonesec_flow_on_io(f), PHONESEC_OK);
        }
    }
}

static void config_checks(void **state)
{
    phonesec_flow_config c, d = PHONESEC_FLOW_CONFIG_INIT;
    phonesec_flow *f = NULL;
    (void)state;
    phonesec_flow_config_init(&c);
    assert_int_equal(c.version, d.version);
    assert_int_equal(c.servers, d.servers);
    assert_int_equal(c.connect_timeout_ms, d.connect_timeout_ms);
    assert_int_equal(c.fallback_probe_ms, d.fallback_probe_ms);
    assert_int_equal(c.max_message, d.max_message);
    assert_int_equal(c.tx_buffer, d.tx_buffer);
    assert_null(c.transport);
    assert_null(c.event_cb);
    assert_int_equal(c.keepalive_ms, 120000);
    assert_int_equal(c.pong_timeout_ms, 10000);
    assert_int_equal(c.base_all_fail_ms, 30000);
    assert_int_equal(c.base_ok_ms, 90000);
    assert_int_equal(c.max_backoff_ms, 1800000);
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_E_INVAL); /* no transport */
    c.transport = &mt_transport;
    c.transport_user = &W;
    assert_int_equal(phonesec_flow_new(NULL, &f), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_flow_new(&c, NULL), PHONESEC_E_INVAL);
    c.servers = 3;
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_E_INVAL);
    c.servers = 0;
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_E_INVAL);
    c.servers = 2;
    c.keepalive_ms = 10000; /* 80 % of it is not above the pong timeout */
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_E_INVAL);
    c.keepalive_ms = 30000;
    c.max_message = 100;
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_E_INVAL);
    c.max_message = 4096;
    c.version = 99;
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_E_INVAL);
    c.version = PHONESEC_FLOW_CONFIG_VERSION;
    assert_null(f);
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_STOPPED);
    assert_int_equal(phonesec_flow_next_timeout_ms(f), -1);
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)REG, strlen(REG)), PHONESEC_E_STATE);
    assert_int_equal(phonesec_flow_confirm(f), PHONESEC_E_STATE);
    assert_int_equal(phonesec_flow_start(NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_flow_tick(NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_flow_on_io(NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_flow_next_timeout_ms(NULL), -1);
    phonesec_flow_free(f);
    phonesec_flow_free(NULL);
}

static void oom(void **state)
{
    long n, start = test_alloc_live;
    int ok = 0;
    (void)state;
    for (n = 1; n < 20 && !ok; n++) {
        phonesec_flow_config c;
        phonesec_flow *f = NULL;
        int rc;
        phonesec_flow_config_init(&c);
        c.transport = &mt_transport;
        c.transport_user = &W;
        test_alloc_calls = 0;
        test_alloc_fail_at = n;
        rc = phonesec_flow_new(&c, &f);
        if (rc == PHONESEC_OK) {
            /* the resumption buffers are allocated later: run a connection too */
            assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
            assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
            phonesec_flow_free(f);
            ok = n > 5;
        } else {
            assert_int_equal(rc, PHONESEC_E_NOMEM);
            assert_null(f);
        }
        assert_int_equal(test_alloc_live, start);
    }
    test_alloc_fail_at = 0;
    assert_true(ok);
}

/* Keep-alive: a ping each 80-100 % of the interval, pong consumed, flow stays up. */
static void keepalive_interval_and_pong(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    char out[256];
    int i;
    (void)state;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_start(f), PHONESEC_E_ALREADY);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_CONNECTED), 1);
    c = mt_last(&W, 0);
    assert_non_null(c);
    for (i = 0; i < 50; i++) {
        int64_t t = phonesec_flow_next_timeout_ms(f);
        assert_true(t >= 96000 && t <= 120000);
        /* one ms early: nothing sent */
        test_clock_now += (uint64_t)t - 1;
        assert_int_equal(phonesec_flow_tick(f), PHONESEC_OK);
        assert_int_equal(mt_take(c, out, sizeof out), 0);
        test_clock_now += 1;
        assert_int_equal(phonesec_flow_tick(f), PHONESEC_OK);
        mt_take(c, out, sizeof out);
        assert_string_equal(out, "\r\n\r\n");
        /* now the pong deadline is the next timer */
        assert_int_equal(phonesec_flow_next_timeout_ms(f), 10000);
        test_clock_now += 3000;
        mt_push(c, "\r\n", 2);
        assert_int_equal(phonesec_flow_on_io(f), PHONESEC_OK);
        assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    }
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_LOST), 0);
    assert_int_equal(nmsgs, 0);
    /* Flow-Timer: 30 from the registrar -> pings every 24-30 s */
    assert_int_equal(phonesec_flow_set_keepalive_ms(f, 12000), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_flow_set_keepalive_ms(NULL, 30000), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_flow_set_keepalive_ms(f, 30000), PHONESEC_OK);
    for (i = 0; i < 20; i++) {
        int64_t t = phonesec_flow_next_timeout_ms(f);
        assert_true(t >= 24000 && t <= 30000);
        step(f);
        mt_take(c, out, sizeof out);
        assert_string_equal(out, "\r\n\r\n");
        mt_push(c, "\r\n", 2);
        phonesec_flow_on_io(f);
    }
    assert_int_equal(phonesec_flow_set_keepalive_ms(f, 0), PHONESEC_OK);
    assert_int_equal(phonesec_flow_next_timeout_ms(f), -1); /* no timer at all now */
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_LOST), 0);
    phonesec_flow_free(f);
}

/* No pong: lost with PHONESEC_E_TIMEOUT exactly at the pong deadline. */
static void pong_timeout(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    char out[256];
    const phonesec_flow_event *e;
    (void)state;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    c = mt_last(&W, 0);
    run_answering(f, 250000); /* pongs: the flow proved itself */
    assert_int_equal(phonesec_flow_failures(f), 0);
    step(f); /* next ping; this one goes unanswered */
    mt_take(c, out, sizeof out);
    assert_string_equal(out, "\r\n\r\n");
    test_clock_now += 9999;
    phonesec_flow_tick(f);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    test_clock_now += 1;
    phonesec_flow_tick(f);
    e = last_ev(PHONESEC_FLOW_EV_LOST);
    assert_non_null(e);
    assert_int_equal(e->reason, PHONESEC_E_TIMEOUT);
    /* the flow had proved itself (pong, and up longer than stable_ms):
     * reconnect after 1-2 times the floor, never at once */
    assert_true(e->retry_in_ms >= 1000 && e->retry_in_ms <= 2000);
    assert_int_equal(e->failures, 0);
    assert_true(c->closed);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_WAITING);
    assert_int_equal(phonesec_flow_next_timeout_ms(f), (int64_t)e->retry_in_ms);
    step(f);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    assert_true(mt_last(&W, 0) != c);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_REESTABLISHED), 1);
    assert_true(last_ev(PHONESEC_FLOW_EV_REESTABLISHED)->resumed); /* hint from the first connection */
    assert_string_equal(mt_last(&W, 0)->resume_in, "sess-0-1");
    {
        char buf[256];
        assert_int_equal(phonesec_flow_last_error(f, buf, sizeof buf), PHONESEC_OK);
        assert_non_null(strstr(buf, "pong"));
    }
    phonesec_flow_free(f);
}

/* A pong 1 ms before the deadline keeps the flow; a pong after it is too
 * late: the flow was already declared dead and the late pong is never read. */
static void late_pong(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    (void)state;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    c = mt_last(&W, 0);
    step(f);
    test_clock_now += 9999;
    mt_push(c, "\r\n", 2);
    phonesec_flow_tick(f);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_LOST), 0);
    step(f); /* next ping */
    test_clock_now += 10000; /* pong arrives, but only after the deadline ran out */
    phonesec_flow_tick(f);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_LOST), 1);
    mt_push(c, "\r\n", 2);
    phonesec_flow_on_io(f);
    assert_true(c->closed);
    assert_int_equal(c->s2c_off, 2); /* the late pong was not consumed */
    phonesec_flow_free(f);
}

/* Pings from the server are answered with a CRLF, also when split. */
static void peer_ping_answered(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    char out[256];
    (void)state;
    W.recv_chunk = 1;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    c = mt_last(&W, 0);
    mt_push(c, "\r\n\r\n", 4);
    phonesec_flow_on_io(f);
    mt_take(c, out, sizeof out);
    assert_string_equal(out, "\r\n");
    mt_push(c, "\r\n", 2);
    phonesec_flow_on_io(f);
    assert_int_equal(mt_take(c, out, sizeof out), 0); /* undecided yet */
    mt_push(c, "\r\n", 2);
    phonesec_flow_on_io(f);
    mt_take(c, out, sizeof out);
    assert_string_equal(out, "\r\n");
    /* a stray CRLF before a message is ignored, not answered */
    mt_push(c, "\r\nOPTIONS sip:x SIP/2.0\r\nContent-Length: 0\r\n\r\n", 47);
    phonesec_flow_on_io(f);
    assert_int_equal(mt_take(c, out, sizeof out), 0);
    assert_int_equal(nmsgs, 1);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    phonesec_flow_free(f);
}

/* RFC 5626 §4.4.1: only a CRLF that arrives after our ping went out is its
 * pong. A stray CRLF the server sent before (buffered, undecided: it might
 * have been the start of a ping) must not hide a dead server for one more
 * interval. */
static void stray_crlf_before_ping_is_not_pong(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    char out[64];
    uint64_t ping_at;
    const phonesec_flow_event *e;
    (void)state;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    phonesec_flow_confirm(f);
    c = mt_last(&W, 0);
    mt_push(c, "\r\n", 2); /* stray CRLF (RFC 3261 §7.5) */
    phonesec_flow_on_io(f);
    step(f); /* our ping */
    ping_at = test_clock_now;
    mt_take(c, out, sizeof out);
    assert_string_equal(out, "\r\n\r\n");
    /* the server is dead from here on: nothing arrives */
    phonesec_flow_on_io(f);
    assert_int_equal(phonesec_flow_next_timeout_ms(f), 10000);
    step(f);
    e = last_ev(PHONESEC_FLOW_EV_LOST);
    assert_non_null(e);
    assert_int_equal(e->reason, PHONESEC_E_TIMEOUT);
    assert_int_equal(test_clock_now - ping_at, 10000);
    {
        phonesec_flow_stats st = PHONESEC_FLOW_STATS_INIT;
        assert_int_equal(phonesec_flow_get_stats(f, &st), PHONESEC_OK);
        assert_int_equal(st.pongs_received, 0);
    }
    phonesec_flow_free(f);
}

/* The same stray CRLF followed by the real pong: stray + pong, not a server
 * ping (which would be answered and leave our pong missing). */
static void stray_crlf_then_pong(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    char out[64];
    phonesec_flow_stats st = PHONESEC_FLOW_STATS_INIT;
    (void)state;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    c = mt_last(&W, 0);
    mt_push(c, "\r\n", 2);
    phonesec_flow_on_io(f);
    step(f);
    mt_take(c, out, sizeof out);
    assert_string_equal(out, "\r\n\r\n");
    mt_push(c, "\r\n", 2); /* the pong */
    phonesec_flow_on_io(f);
    assert_int_equal(phonesec_flow_get_stats(f, &st), PHONESEC_OK);
    assert_int_equal(st.pongs_received, 1);
    assert_int_equal(st.peer_pings, 0);
    {   /* out-struct versions (doc/abi.md): 0 refused, untouched; a newer
         * caller's version is lowered to ours and its extra bytes untouched */
        struct { phonesec_flow_stats s; uint64_t later; } big;
        phonesec_flow_stats z;
        memset(&z, 0xa5, sizeof z);
        z.version = 0;
        assert_int_equal(phonesec_flow_get_stats(f, &z), PHONESEC_E_INVAL);
        assert_int_equal(z.pongs_received, 0xa5a5a5a5a5a5a5a5ull);
        memset(&big, 0xa5, sizeof big);
        big.s.version = PHONESEC_FLOW_STATS_VERSION + 1;
        assert_int_equal(phonesec_flow_get_stats(f, &big.s), PHONESEC_OK);
        assert_int_equal(big.s.version, PHONESEC_FLOW_STATS_VERSION);
        assert_int_equal(big.s.pongs_received, 1);
        assert_int_equal(big.later, 0xa5a5a5a5a5a5a5a5ull);
    }
    assert_int_equal(mt_take(c, out, sizeof out), 0); /* nothing answered */
    assert_true(phonesec_flow_next_timeout_ms(f) >= 96000);
    step(f);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_LOST), 0);
    phonesec_flow_free(f);
}

/* A CRLF that arrives while our ping is still queued behind a blocked
 * socket is not its pong either. */
static void crlf_before_ping_sent_is_not_pong(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    char out[64];
    (void)state;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    c = mt_last(&W, 0);
    c->send_block = 1;
    step(f); /* ping queued, not sent */
    assert_int_equal(c->c2s_len, 0);
    mt_push(c, "\r\n", 2);
    phonesec_flow_on_io(f);
    c->send_block = 0;
    phonesec_flow_on_io(f); /* now the ping goes out */
    mt_take(c, out, sizeof out);
    assert_string_equal(out, "\r\n\r\n");
    step(f);
    assert_non_null(last_ev(PHONESEC_FLOW_EV_LOST));
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_LOST)->reason, PHONESEC_E_TIMEOUT);
    phonesec_flow_free(f);
}

/* The server's own CRLFCRLF ping while we wait for our pong is a ping
 * (answered with CRLF), not our pong plus a stray CRLF; the pong that
 * follows, in the same read or later, is the pong. Every read size. */
static void server_ping_while_pong_awaited(void **state)
{
    size_t chunk;
    int together;
    (void)state;
    for (together = 0; together < 2; together++) {
        for (chunk = 1; chunk <= 8; chunk++) {
            phonesec_flow *f;
            mt_conn *c;
            char out[64];
            phonesec_flow_stats st = PHONESEC_FLOW_STATS_INIT;
            mt_cleanup(&W);
            mt_init(&W);
            W.recv_chunk = chunk;
            nev = 0;
            f = mkflow(1);
            assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
            c = mt_last(&W, 0);
            step(f);
            mt_take(c, out, sizeof out);
            assert_string_equal(out, "\r\n\r\n");
            if (together) {
                mt_push(c, "\r\n\r\n\r\n", 6); /* server ping, then our pong */
                phonesec_flow_on_io(f);
            } else {
                mt_push(c, "\r\n\r\n", 4);
                phonesec_flow_on_io(f);
                assert_int_equal(phonesec_flow_get_stats(f, &st), PHONESEC_OK);
                assert_int_equal(st.peer_pings, 1);
                assert_int_equal(st.pongs_received, 0);
                assert_int_equal(phonesec_flow_next_timeout_ms(f), 10000); /* still waiting */
                mt_push(c, "\r\n", 2);
                phonesec_flow_on_io(f);
            }
            mt_take(c, out, sizeof out);
            assert_string_equal(out, "\r\n"); /* the server's ping answered */
            assert_int_equal(phonesec_flow_get_stats(f, &st), PHONESEC_OK);
            assert_int_equal(st.peer_pings, 1);
            assert_int_equal(st.pongs_received, 1);
            assert_true(phonesec_flow_next_timeout_ms(f) >= 96000);
            assert_int_equal(count_ev(PHONESEC_FLOW_EV_LOST), 0);
            phonesec_flow_free(f);
        }
    }
}

/* Pongs between and around SIP messages never corrupt them, whatever the
 * read boundaries. */
static void pong_between_messages(void **state)
{
    static const char m1[] = "SIP/2.0 200 OK\r\nCSeq: 1 REGISTER\r\nContent-Length: 5\r\n\r\nhello";
    static const char m2[] = "INVITE sip:1001@x SIP/2.0\r\nl: 10\r\nX-Content-Length: 99\r\n\r\n\r\n\r\n\r\n\r\n\r\n";
    static const char m3[] = "NOTIFY sip:a SIP/2.0\r\ncontent-length :  3 \r\n\r\n\r\n\r";
    size_t chunk;
    (void)state;
    for (chunk = 1; chunk <= 160; chunk = chunk < 8 ? chunk + 1 : chunk * 2) {
        phonesec_flow *f;
        mt_conn *c;
        char out[256], expect[512];
        mt_cleanup(&W);
        mt_init(&W);
        W.recv_chunk = chunk;
        nmsgs = 0;
        msgs_len = 0;
        f = mkflow(1);
        assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
        c = mt_last(&W, 0);
        step(f); /* ping out */
        mt_take(c, out, sizeof out);
        mt_push(c, m1, strlen(m1));
        mt_push(c, "\r\n", 2); /* pong after a message */
        mt_push(c, m2, strlen(m2));
        mt_push(c, m3, strlen(m3));
        while (c->s2c_off < c->s2c_len)
            phonesec_flow_on_io(f);
        phonesec_flow_on_io(f);
        snprintf(expect, sizeof expect, "%s|%s|%s|", m1, m2, m3);
        assert_int_equal(nmsgs, 3);
        msgs[msgs_len] = '\0';
        assert_string_equal(msgs, expect);
        assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
        assert_int_equal(phonesec_flow_failures(f), 0); /* the pong confirmed the flow */
        /* pong deadline gone: next timer is the next ping */
        assert_true(phonesec_flow_next_timeout_ms(f) >= 96000);
        phonesec_flow_free(f);
    }
}

/* Framing errors tear the flow down: oversize and missing Content-Length. */
static void framing_errors(void **state)
{
    static const char nocl[] = "OPTIONS sip:x SIP/2.0\r\nCSeq: 1 OPTIONS\r\n\r\n";
    static const char big[] = "OPTIONS sip:x SIP/2.0\r\nContent-Length: 70000\r\n\r\n";
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    char buf[256];
    (void)state;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    phonesec_flow_confirm(f);
    c = mt_last(&W, 0);
    mt_push(c, nocl, strlen(nocl));
    phonesec_flow_on_io(f);
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_LOST)->reason, PHONESEC_E_PARSE);
    phonesec_flow_last_error(f, buf, sizeof buf);
    assert_non_null(strstr(buf, "Content-Length"));
    /* lost seconds after it came up: a failure, RFC 5626 backoff (30-60 s) */
    assert_int_equal(phonesec_flow_failures(f), 1);
    assert_true(step_until_up(f, 1) >= 30000);
    c = mt_last(&W, 0);
    phonesec_flow_confirm(f);
    mt_push(c, big, strlen(big));
    phonesec_flow_on_io(f);
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_LOST)->reason, PHONESEC_E_LIMIT);
    step_until_up(f, 1);
    c = mt_last(&W, 0);
    phonesec_flow_confirm(f);
    { /* a header section that never ends */
        static char junk[70000];
        memset(junk, 'a', sizeof junk);
        mt_push(c, junk, sizeof junk);
    }
    phonesec_flow_on_io(f);
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_LOST)->reason, PHONESEC_E_LIMIT);
    step_until_up(f, 1);
    c = mt_last(&W, 0);
    phonesec_flow_confirm(f);
    mt_push(c, "\r\n\rX", 4); /* a lone CR between messages */
    phonesec_flow_on_io(f);
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_LOST)->reason, PHONESEC_E_PARSE);
    assert_int_equal(phonesec_flow_failures(f), 4);
    step_until_up(f, 1);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_REESTABLISHED), 4);
    assert_int_equal(nmsgs, 0);
    phonesec_flow_free(f);
}

/* Outgoing messages are whole; a ping never lands inside a partly sent one. */
static void send_whole_messages(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    char out[1024];
    static char m[20000];
    size_t i;
    (void)state;
    W.send_chunk = 7;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    c = mt_last(&W, 0);
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)REG, strlen(REG)), PHONESEC_OK);
    while (c->c2s_len < strlen(REG))
        phonesec_flow_on_io(f);
    /* the ping is queued behind the message, never inside it */
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)REG, strlen(REG)), PHONESEC_OK);
    test_clock_now += 120000;
    phonesec_flow_tick(f);
    for (i = 0; i < 100; i++)
        phonesec_flow_on_io(f);
    mt_take(c, out, sizeof out);
    assert_int_equal(strlen(out), 2 * strlen(REG) + 4);
    assert_memory_equal(out + 2 * strlen(REG), "\r\n\r\n", 4);
    assert_memory_equal(out, REG, strlen(REG));
    memset(m, 'x', sizeof m);
    c->send_block = 1; /* the socket buffer is full: output queues up */
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)m, 70000), PHONESEC_E_LIMIT);
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)m, sizeof m), PHONESEC_OK);
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)m, sizeof m), PHONESEC_OK);
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)m, sizeof m), PHONESEC_OK);
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)m, sizeof m), PHONESEC_E_WOULD_BLOCK);
    assert_int_equal(phonesec_flow_wants_write(f), 1);
    assert_int_equal(phonesec_flow_send(f, NULL, 3), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)m, 0), PHONESEC_E_INVAL);
    c->send_block = 0;
    phonesec_flow_on_io(f);
    assert_int_equal(phonesec_flow_wants_write(f), 0);
    assert_int_equal(c->c2s_len, 3 * sizeof m);
    assert_int_equal(phonesec_flow_send(f, (const uint8_t *)m, sizeof m), PHONESEC_OK);
    phonesec_flow_free(f);
}

/* Kill the only server after the flow proved itself: the first retry comes
 * after 1-2 times the floor, then RFC 5626 §4.5:
 * W = min(1800 s, 30 s * 2^failures), wait uniformly in [W/2, W]. */
static void backoff_bounds(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    int k;
    uint64_t lost_at;
    int64_t t;
    (void)state;
    reregister_on_event = 1;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_confirm(f), PHONESEC_OK); /* registered */
    assert_int_equal(phonesec_flow_failures(f), 0);
    /* pongs for a while: seen working stable_ms after it came up */
    run_answering(f, 250000);
    c = mt_last(&W, 0);
    mt_kill(&W, 0);
    lost_at = test_clock_now;
    phonesec_flow_on_io(f);
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_LOST)->reason, PHONESEC_E_CLOSED);
    assert_true(c->closed);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_WAITING);
    assert_int_equal(phonesec_flow_failures(f), 0);
    t = phonesec_flow_next_timeout_ms(f);
    assert_true(t >= 1000 && t <= 2000); /* the floor, not at once */
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_LOST)->retry_in_ms, (uint64_t)t);
    test_clock_now += (uint64_t)t - 1;
    phonesec_flow_tick(f);
    assert_int_equal(W.srv[0].opens, 1);
    test_clock_now += 1;
    phonesec_flow_tick(f);
    /* the first retry ran and failed: 1 failure */
    assert_int_equal(W.srv[0].opens, 2);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_WAITING);
    for (k = 1; k <= 10; k++) {
        uint64_t w = 30000ull << k;
        if (w > 1800000)
            w = 1800000;
        assert_int_equal(phonesec_flow_failures(f), k);
        t = phonesec_flow_next_timeout_ms(f);
        assert_true((uint64_t)t >= w / 2 && (uint64_t)t <= w);
        assert_int_equal(last_ev(PHONESEC_FLOW_EV_ATTEMPT_FAILED)->retry_in_ms, (uint64_t)t);
        test_clock_now += (uint64_t)t - 1;
        phonesec_flow_tick(f);
        assert_int_equal(W.srv[0].opens, k + 1); /* not yet */
        test_clock_now += 1;
        phonesec_flow_tick(f);
        assert_int_equal(W.srv[0].opens, k + 2);
    }
    assert_true(test_clock_now - lost_at > 3600000);
    mt_restore(&W, 0);
    step(f);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_REESTABLISHED), 1);
    /* the re-REGISTER sent from the event went out on the new connection */
    {
        char out[512];
        mt_take(mt_last(&W, 0), out, sizeof out);
        assert_string_equal(out, REG);
    }
    assert_int_equal(phonesec_flow_failures(f), 11);
    /* the count returns to 0 only when the flow is seen working (confirm
     * or pong) stable_ms or more after it came up: a loss before that
     * still counts */
    assert_int_equal(phonesec_flow_set_keepalive_ms(f, 0), PHONESEC_OK);
    assert_int_equal(phonesec_flow_confirm(f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_failures(f), 11);
    test_clock_now += 119999;
    assert_int_equal(phonesec_flow_confirm(f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_failures(f), 11);
    test_clock_now += 1;
    assert_int_equal(phonesec_flow_failures(f), 11); /* time alone proves nothing */
    assert_int_equal(phonesec_flow_confirm(f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_failures(f), 0);
    phonesec_flow_free(f);
}

/* A server that accepts and drops at once never resets the failure count,
 * so it cannot make the phone reconnect in a tight loop. Other flows OK:
 * base time 90 s. */
static void flapping_server_backs_off(void **state)
{
    phonesec_flow *f = mkflow(1);
    int k;
    (void)state;
    assert_int_equal(phonesec_flow_set_other_flows_ok(f, 1), PHONESEC_OK);
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    for (k = 1; k <= 5; k++) {
        uint64_t w = 90000ull << k;
        int64_t t;
        if (w > 1800000)
            w = 1800000;
        mt_last(&W, 0)->closed_by_peer = 1;
        phonesec_flow_on_io(f);
        assert_int_equal(phonesec_flow_failures(f), k);
        t = phonesec_flow_next_timeout_ms(f);
        assert_true((uint64_t)t >= w / 2 && (uint64_t)t <= w);
        step(f);
        assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    }
    phonesec_flow_free(f);
}

/* Primary down -> backup; primary back -> fallback at the probe interval. */
static void failover_and_fallback(void **state)
{
    phonesec_flow *f = mkflow(2);
    mt_conn *b;
    char out[512];
    (void)state;
    reregister_on_event = 1;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_server(f), 0);
    phonesec_flow_confirm(f);
    run_answering(f, 250000); /* proved itself */
    mt_kill(&W, 0);
    phonesec_flow_on_io(f);
    /* lost; after the floor a new round: primary refused, backup at once */
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_WAITING);
    step(f);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    assert_int_equal(phonesec_flow_server(f), 1);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_FAILED_OVER), 1);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_REESTABLISHED), 1);
    assert_int_equal(ev[nev - 1].type, PHONESEC_FLOW_EV_REESTABLISHED);
    assert_int_equal(ev[nev - 2].type, PHONESEC_FLOW_EV_FAILED_OVER);
    assert_int_equal(ev[nev - 3].type, PHONESEC_FLOW_EV_ATTEMPT_FAILED);
    assert_int_equal(ev[nev - 3].retry_in_ms, 0);
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_ATTEMPT_FAILED)->server, 0);
    b = mt_last(&W, 1);
    mt_take(b, out, sizeof out);
    assert_string_equal(out, REG);
    phonesec_flow_confirm(f);
    /* keep-alive on the backup, primary still down at the first probe */
    {
        uint64_t t0 = test_clock_now;
        int opens = W.srv[0].opens;
        while (test_clock_now - t0 < 300000) {
            step(f);
            if (b->c2s_len) {
                mt_take(b, out, sizeof out);
                if (strcmp(out, "\r\n\r\n") == 0) {
                    mt_push(b, "\r\n", 2);
                    phonesec_flow_on_io(f);
                }
            }
        }
        assert_int_equal(W.srv[0].opens, opens + 1); /* the probe at +300 s */
        assert_int_equal(phonesec_flow_server(f), 1);
        assert_null(phonesec_flow_connection(f, 1)); /* failed probe closed */
    }
    mt_restore(&W, 0);
    /* next probe: 300 s later */
    {
        uint64_t t0 = test_clock_now;
        while (phonesec_flow_server(f) == 1) {
            step(f);
            if (b->c2s_len) {
                mt_take(b, out, sizeof out);
                mt_push(b, "\r\n", 2);
                phonesec_flow_on_io(f);
            }
            assert_true(test_clock_now - t0 <= 300000);
        }
        assert_int_equal(test_clock_now - t0, 300000);
    }
    assert_true(b->closed);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_FELL_BACK), 1);
    assert_int_equal(ev[nev - 1].type, PHONESEC_FLOW_EV_REESTABLISHED);
    assert_int_equal(ev[nev - 1].server, 0);
    assert_int_equal(ev[nev - 2].type, PHONESEC_FLOW_EV_FELL_BACK);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_REESTABLISHED), 2);
    mt_take(mt_last(&W, 0), out, sizeof out);
    assert_string_equal(out, REG);
    /* the refused retries never reached the primary: the hint of the first
     * connection stays and the fallback connection offers it */
    assert_string_equal(mt_last(&W, 0)->resume_in, "sess-0-1");
    phonesec_flow_free(f);
}

/* Both servers down: one round = primary then backup, then backoff. A hung
 * primary times out after connect_timeout_ms. */
static void both_down_and_hang(void **state)
{
    phonesec_flow *f = mkflow(2);
    int64_t t;
    (void)state;
    W.srv[0].hang = 1;
    W.srv[1].alive = 0;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_CONNECTING);
    assert_int_equal(phonesec_flow_wants_write(f), 1);
    assert_int_equal(phonesec_flow_next_timeout_ms(f), 10000);
    step(f);
    /* primary timed out, backup refused: one failure, wait 30-60 s */
    assert_int_equal(W.srv[1].opens, 1);
    assert_int_equal(phonesec_flow_failures(f), 1);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_WAITING);
    t = phonesec_flow_next_timeout_ms(f);
    assert_true(t >= 30000 && t <= 60000);
    assert_int_equal(ev[0].reason, PHONESEC_E_TIMEOUT);
    W.srv[1].alive = 1;
    step(f); /* primary hangs again */
    step(f); /* timeout -> backup up */
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    assert_int_equal(phonesec_flow_server(f), 1);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_FAILED_OVER), 1);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_CONNECTED), 1);
    assert_int_equal(phonesec_flow_stop(f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_STOPPED);
    assert_int_equal(phonesec_flow_next_timeout_ms(f), -1);
    phonesec_flow_free(f);
}

/* 24 hours of timeline, a server restart every 3 hours, primary outage of
 * 1 hour in the middle: each re-establishment is reported, the phone
 * re-registers every time, and nothing sleeps. */
static void hours_of_timeline(void **state)
{
    phonesec_flow *f = mkflow(2);
    uint64_t t0 = test_clock_now, pings = 0;
    /* a few minutes past the last restart at 24 h */
    int restarts = 0, regs = 0, zero_steps = 0;
    char out[1024];
    (void)state;
    reregister_on_event = 1;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    while (test_clock_now - t0 < 24ull * 3600 * 1000 + 300000) {
        uint64_t el;
        mt_conn *c;
        int64_t st = step(f);
        zero_steps = st == 0 ? zero_steps + 1 : 0;
        assert_true(zero_steps < 10); /* never a busy loop */
        el = test_clock_now - t0;
        if (restarts < 8 && el >= (uint64_t)(restarts + 1) * 3 * 3600 * 1000) {
            restarts++;
            mt_kill(&W, 0);
            if (restarts != 4)
                mt_restore(&W, 0); /* plain restart */
        }
        if (restarts == 4 && el >= 13ull * 3600 * 1000)
            mt_restore(&W, 0);
        phonesec_flow_on_io(f);
        c = (mt_conn *)phonesec_flow_connection(f, 0);
        if (c != NULL && phonesec_flow_state(f) == PHONESEC_FLOW_UP) {
            if (c->c2s_len) {
                const char *p = out;
                int pong = 0;
                mt_take(c, out, sizeof out);
                while (*p) {
                    if (strncmp(p, REG, strlen(REG)) == 0) {
                        regs++;
                        p += strlen(REG);
                        assert_int_equal(phonesec_flow_confirm(f), PHONESEC_OK);
                    } else if (strncmp(p, "\r\n\r\n", 4) == 0) {
                        pings++;
                        pong = 1;
                        p += 4;
                    } else {
                        fail_msg("unexpected output: %s", p);
                    }
                }
                if (pong) {
                    mt_push(c, "\r\n", 2);
                    phonesec_flow_on_io(f);
                }
            }
        }
    }
    /* 24 h / (96..120 s) pings, minus a little around reconnects */
    assert_true(pings >= 700 && pings <= 24 * 3600 / 96 + 1);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_CONNECTED), 1);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_LOST), 8);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_FAILED_OVER), 1);
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_FELL_BACK), 1);
    /* 8 losses + 1 fallback: 9 re-establishments, each followed by a REGISTER */
    assert_int_equal(count_ev(PHONESEC_FLOW_EV_REESTABLISHED), 9);
    assert_int_equal(regs, 10);
    {
        phonesec_flow_stats st = PHONESEC_FLOW_STATS_INIT;
        assert_int_equal(phonesec_flow_get_stats(f, &st), PHONESEC_OK);
        /* a ping sent just before a kill is never seen by the test */
        assert_true(st.pings_sent >= pings && st.pings_sent <= pings + 8);
        assert_true(st.pongs_received + 8 >= pings && st.pongs_received <= pings);
        assert_int_equal(st.losses, 8);
        assert_int_equal(st.connections, 10);
        assert_int_equal(st.messages_sent, 10);
        assert_int_equal(phonesec_flow_get_stats(NULL, &st), PHONESEC_E_INVAL);
    }
    phonesec_flow_free(f);
}

/* A failed attempt that offered a hint drops it when the hint reached the
 * server (here: the handshake never completes), keeps it when the attempt
 * never got there (TCP refused); version 1 transports (no hint_presented)
 * count every failure as presented. */
static void hint_dropped_only_when_presented(void **state)
{
    phonesec_flow *f = mkflow(1);
    (void)state;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    run_answering(f, 250000);
    mt_kill(&W, 0); /* refuses: the hint never reaches it */
    phonesec_flow_on_io(f);
    step(f);
    assert_int_equal(W.srv[0].opens, 2);
    assert_string_equal(mt_last(&W, 0)->resume_in, "sess-0-1");
    mt_restore(&W, 0);
    W.srv[0].hang = 1; /* accepts, the handshake (with the hint) never ends */
    step(f);
    assert_string_equal(mt_last(&W, 0)->resume_in, "sess-0-1");
    step(f); /* connect timeout */
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_ATTEMPT_FAILED)->reason, PHONESEC_E_TIMEOUT);
    W.srv[0].hang = 0;
    step(f);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_UP);
    assert_string_equal(mt_last(&W, 0)->resume_in, ""); /* dropped: a full handshake */
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_REESTABLISHED)->resumed, 0);
    phonesec_flow_free(f);
}

/* A version 1 transport vtable (before hint_presented) is accepted and read
 * only to its end. */
static void transport_version_1(void **state)
{
    size_t n = offsetof(phonesec_flow_transport, hint_presented);
    phonesec_flow_transport full = mt_transport;
    unsigned char *v1 = malloc(n);
    phonesec_flow_config c;
    phonesec_flow *f = NULL;
    (void)state;
    assert_non_null(v1);
    full.version = 1;
    memcpy(v1, &full, n);
    phonesec_flow_config_init(&c);
    c.transport = (const phonesec_flow_transport *)(void *)v1;
    c.transport_user = &W;
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    run_answering(f, 250000);
    mt_kill(&W, 0);
    phonesec_flow_on_io(f);
    step(f); /* refused, counted as presented: dropped */
    mt_restore(&W, 0);
    step_until_up(f, 2);
    assert_string_equal(mt_last(&W, 0)->resume_in, "");
    phonesec_flow_free(f);
    full.version = PHONESEC_FLOW_TRANSPORT_VERSION + 1;
    c.transport = &full;
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_E_INVAL);
    free(v1);
}

/* Out of memory at every allocation of a reconnect (issue 17: "also after
 * an allocation failure at the wrong moment"): the hint offered next is the
 * one the transport handed out last, or none, never an older one; nothing
 * leaks. The connection ids go from 9 to 10, so the new hint is longer than
 * the buffer kept for the old one. */
static void oom_hint_never_stale(void **state)
{
    long n, start = test_alloc_live;
    int hit = 0;
    (void)state;
    for (n = 1; n <= 12; n++) {
        phonesec_flow *f;
        mt_cleanup(&W);
        mt_init(&W);
        W.next_id = 8;
        nev = 0;
        f = mkflow(1);
        assert_int_equal(phonesec_flow_start(f), PHONESEC_OK); /* id 9, hint sess-0-9 */
        run_answering(f, 250000);
        test_alloc_calls = 0;
        test_alloc_fail_at = n;
        mt_last(&W, 0)->closed_by_peer = 1;
        phonesec_flow_on_io(f);
        step_until_up(f, 3); /* id 10: hint sess-0-10 */
        test_alloc_fail_at = 0;
        hit |= test_alloc_calls >= n;
        run_answering(f, 250000);
        mt_last(&W, 0)->closed_by_peer = 1;
        phonesec_flow_on_io(f);
        step_until_up(f, 3);
        if (mt_last(&W, 0)->resume_in[0] != '\0')
            assert_string_equal(mt_last(&W, 0)->resume_in, "sess-0-10");
        phonesec_flow_free(f);
        assert_int_equal(test_alloc_live, start);
    }
    assert_true(hit);
}

/* A host clock near the top of its range (a signed time cast to unsigned,
 * a counter that starts high): deadlines must not wrap into the past and
 * make every timer due at once. */
static void clock_near_wrap(void **state)
{
    phonesec_flow *f = mkflow(1);
    int i;
    (void)state;
    test_clock_now = UINT64_MAX - 20000;
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    phonesec_flow_confirm(f);
    mt_kill(&W, 0);
    for (i = 0; i < 100; i++) {
        int64_t t;
        phonesec_flow_on_io(f);
        t = phonesec_flow_next_timeout_ms(f);
        assert_true(t >= 0);
        if (test_clock_now + (uint64_t)t >= UINT64_MAX - 1)
            break;
        test_clock_now += (uint64_t)t;
        phonesec_flow_tick(f);
    }
    /* lost, one retry after the floor (refused), then the backoff runs into
     * the end of the clock: nothing more */
    assert_true(W.srv[0].opens <= 2);
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_WAITING);
    phonesec_flow_free(f);
}

/* A ping that cannot be queued (the peer reads nothing and the output is
 * full) is not counted as sent; the flow is lost at the pong time. */
static void ping_not_queued_not_counted(void **state)
{
    phonesec_flow *f = mkflow(1);
    mt_conn *c;
    phonesec_flow_stats st = PHONESEC_FLOW_STATS_INIT;
    static uint8_t m[60000];
    (void)state;
    memset(m, 'x', sizeof m);
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    c = mt_last(&W, 0);
    c->send_block = 1;
    assert_int_equal(phonesec_flow_send(f, m, sizeof m), PHONESEC_OK);
    assert_int_equal(phonesec_flow_send(f, m, 5536), PHONESEC_OK); /* tx_buffer full */
    /* the room kept for pings is taken by pongs to a flood of server pings */
    {
        int i;
        for (i = 0; i < 40; i++)
            mt_push(c, "\r\n\r\n", 4);
    }
    phonesec_flow_on_io(f);
    step(f); /* ping time: no room */
    assert_int_equal(phonesec_flow_get_stats(f, &st), PHONESEC_OK);
    assert_int_equal(st.pings_sent, 0);
    step(f); /* pong time over */
    assert_non_null(last_ev(PHONESEC_FLOW_EV_LOST));
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_LOST)->reason, PHONESEC_E_TIMEOUT);
    phonesec_flow_free(f);
}

/* Config struct version 1 (before retry_floor_ms and stable_ms): accepted,
 * nothing read past its end, the new fields take their defaults. */
static void config_version_1(void **state)
{
    size_t n = offsetof(phonesec_flow_config, retry_floor_ms);
    unsigned char *v1 = malloc(n); /* exactly a version 1 struct: ASan/valgrind see over-reads */
    const phonesec_flow_config *c = (const phonesec_flow_config *)(void *)v1;
    phonesec_flow_config full;
    phonesec_flow *f = NULL;
    (void)state;
    assert_non_null(v1);
    phonesec_flow_config_init(&full);
    full.version = 1;
    full.transport = &mt_transport;
    full.transport_user = &W;
    full.event_cb = on_event;
    memcpy(v1, &full, n);
    assert_int_equal(phonesec_flow_new(c, &f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    run_answering(f, 250000);
    mt_kill(&W, 0);
    phonesec_flow_on_io(f);
    /* the floor's default applies */
    assert_true(last_ev(PHONESEC_FLOW_EV_LOST)->retry_in_ms >= 1000 &&
                last_ev(PHONESEC_FLOW_EV_LOST)->retry_in_ms <= 2000);
    phonesec_flow_free(f);
    full.version = 0;
    memcpy(v1, &full, n);
    assert_int_equal(phonesec_flow_new(c, &f), PHONESEC_E_INVAL);
    free(v1);
    full.version = PHONESEC_FLOW_CONFIG_VERSION + 1;
    full.transport = &mt_transport;
    assert_int_equal(phonesec_flow_new(&full, &f), PHONESEC_E_INVAL);
}

/* The TLS binding without a peer: argument checks, OOM, a refused port. */
static void tls_binding(void **state)
{
    phonesec_tls_config tc;
    phonesec_tls_ctx *ctx = NULL;
    phonesec_flow_tls_config bc;
    phonesec_flow_tls *b = NULL;
    phonesec_flow *f;
    phonesec_flow_config c;
    long n, start;
    unsigned port;
    (void)state;
    phonesec_tls_config_init(&tc);
    tc.only_trusted = 0;
    assert_int_equal(phonesec_tls_ctx_new(&tc, &ctx), PHONESEC_OK);
    phonesec_flow_tls_config_init(&bc);
    assert_int_equal(phonesec_flow_tls_new(&bc, &b), PHONESEC_E_INVAL); /* no ctx */
    bc.ctx = ctx;
    assert_int_equal(phonesec_flow_tls_new(&bc, &b), PHONESEC_E_INVAL); /* no primary */
    bc.servers[0].host = "127.0.0.1";
    assert_int_equal(phonesec_flow_tls_new(&bc, &b), PHONESEC_E_INVAL); /* port 0 */
    bc.servers[0].port = 70000;
    assert_int_equal(phonesec_flow_tls_new(&bc, &b), PHONESEC_E_INVAL);
    bc.servers[1].host = "127.0.0.1";
    bc.servers[0].port = 5061;
    assert_int_equal(phonesec_flow_tls_new(&bc, &b), PHONESEC_E_INVAL); /* backup without port */
    bc.servers[1].host = NULL;
    assert_int_equal(phonesec_flow_tls_new(NULL, &b), PHONESEC_E_INVAL);
    assert_null(b);
    start = test_alloc_live;
    for (n = 1; n < 10; n++) {
        test_alloc_calls = 0;
        test_alloc_fail_at = n;
        b = NULL;
        if (phonesec_flow_tls_new(&bc, &b) == PHONESEC_OK)
            phonesec_flow_tls_free(b);
        assert_int_equal(test_alloc_live, start);
    }
    test_alloc_fail_at = 0;
    assert_int_equal(phonesec_flow_tls_fd(NULL), -1);
    assert_int_equal(phonesec_flow_tls_wants(NULL), 0);
    assert_null(phonesec_flow_tls_conn(NULL));
    assert_non_null(phonesec_flow_tls_transport());
    { /* a loopback port nobody listens on */
        struct sockaddr_in a;
        socklen_t al = sizeof a;
        int s = socket(AF_INET, SOCK_STREAM, 0);
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
        assert_int_equal(getsockname(s, (struct sockaddr *)&a, &al), 0);
        port = ntohs(a.sin_port);
        close(s);
    }
    bc.servers[0].port = port;
    bc.servers[0].reference_name = "sip.test";
    assert_int_equal(phonesec_flow_tls_new(&bc, &b), PHONESEC_OK);
    phonesec_flow_config_init(&c);
    c.transport = phonesec_flow_tls_transport();
    c.transport_user = b;
    c.event_cb = on_event;
    assert_int_equal(phonesec_flow_new(&c, &f), PHONESEC_OK);
    assert_int_equal(phonesec_flow_start(f), PHONESEC_OK);
    for (n = 0; n < 1000 && phonesec_flow_state(f) == PHONESEC_FLOW_CONNECTING; n++) {
        poll(NULL, 0, 1);
        phonesec_flow_on_io(f);
    }
    assert_int_equal(phonesec_flow_state(f), PHONESEC_FLOW_WAITING);
    assert_int_equal(last_ev(PHONESEC_FLOW_EV_ATTEMPT_FAILED)->reason, PHONESEC_E_CLOSED);
    phonesec_flow_free(f);
    phonesec_flow_tls_free(b);
    assert_int_equal(test_alloc_live, start);
    phonesec_tls_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(config_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(oom, setup, teardown),
        cmocka_unit_test_setup_teardown(keepalive_interval_and_pong, setup, teardown),
        cmocka_unit_test_setup_teardown(pong_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(late_pong, setup, teardown),
        cmocka_unit_test_setup_teardown(peer_ping_answered, setup, teardown),
        cmocka_unit_test_setup_teardown(pong_between_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(stray_crlf_before_ping_is_not_pong, setup, teardown),
        cmocka_unit_test_setup_teardown(stray_crlf_then_pong, setup, teardown),
        cmocka_unit_test_setup_teardown(crlf_before_ping_sent_is_not_pong, setup, teardown),
        cmocka_unit_test_setup_teardown(server_ping_while_pong_awaited, setup, teardown),
        cmocka_unit_test_setup_teardown(framing_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(send_whole_messages, setup, teardown),
        cmocka_unit_test_setup_teardown(backoff_bounds, setup, teardown),
        cmocka_unit_test_setup_teardown(flapping_server_backs_off, setup, teardown),
        cmocka_unit_test_setup_teardown(failover_and_fallback, setup, teardown),
        cmocka_unit_test_setup_teardown(both_down_and_hang, setup, teardown),
        cmocka_unit_test_setup_teardown(hours_of_timeline, setup, teardown),
        cmocka_unit_test_setup_teardown(hint_dropped_only_when_presented, setup, teardown),
        cmocka_unit_test_setup_teardown(transport_version_1, setup, teardown),
        cmocka_unit_test_setup_teardown(oom_hint_never_stale, setup, teardown),
        cmocka_unit_test_setup_teardown(clock_near_wrap, setup, teardown),
        cmocka_unit_test_setup_teardown(ping_not_queued_not_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(config_version_1, setup, teardown),
        cmocka_unit_test_setup_teardown(tls_binding, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
