/* Fuzz target: the flow's SIP stream framing and keep-alive reader.
 *
 * Byte 0 picks the read chunk size, byte 1 the pattern of the flags (pong
 * expected, input drained) and of our own pings going out (mark_ping); the
 * rest is the byte stream from the server. Checks: what the framer hands out
 * (messages, pings, pongs, stray CRLFs) concatenates back to exactly the
 * consumed input prefix; a pong is only ever a CRLF that starts after the
 * last mark while a pong is expected; every message fits the buffer, ends
 * its header section with CRLFCRLF and never starts with CRLF. Then the same stream runs
 * through a whole flow (in-memory transport, clock hook) that must stay
 * consistent: answered pings, never a crash, a lost flow on bad framing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

#include "flow/framer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP 512

static uint64_t fz_clock;
static uint64_t clock_fn(void *ud)
{
    (void)ud;
    return fz_clock;
}

/* --- a one-connection in-memory transport ---------------------------------- */
struct fz_conn {
    const uint8_t *in;
    size_t in_len, off, chunk;
    size_t sent;
    int open;
};
static struct fz_conn fz;

static int t_open(void *ud, unsigned server, const uint8_t *r, size_t rl, void **conn)
{
    (void)ud;
    (void)server;
    (void)r;
    (void)rl;
    if (fz.open)
        return PHONESEC_E_IO; /* only one connection at a time in this target */
    fz.open = 1;
    *conn = &fz;
    return PHONESEC_OK;
}
static int t_is_up(void *ud, void *conn)
{
    (void)ud;
    (void)conn;
    return 1;
}
static int t_send(void *ud, void *conn, const uint8_t *buf, size_t len, size_t *sent)
{
    (void)ud;
    (void)conn;
    (void)buf;
    fz.sent += len;
    *sent = len;
    return PHONESEC_OK;
}
static int t_recv(void *ud, void *conn, uint8_t *buf, size_t cap, size_t *got)
{
    size_t n = fz.in_len - fz.off;
    (void)ud;
    (void)conn;
    if (n == 0)
        return PHONESEC_E_WOULD_BLOCK;
    if (n > fz.chunk)
        n = fz.chunk;
    if (n > cap)
        n = cap;
    memcpy(buf, fz.in + fz.off, n);
    fz.off += n;
    *got = n;
    return PHONESEC_OK;
}
static void t_close(void *ud, void *conn)
{
    (void)ud;
    (void)conn;
    fz.open = 0;
}
static const phonesec_flow_transport transport = {PHONESEC_FLOW_TRANSPORT_VERSION, t_open, t_is_up, t_send, t_recv,
                                                  t_close, NULL, NULL, NULL};

static size_t delivered;
static void on_msg(void *ud, const uint8_t *m, size_t n)
{
    (void)ud;
    if (n == 0 || n > CAP || m[0] == '\r')
        abort();
    delivered += n;
}

static void framer_check(const uint8_t *in, size_t len, size_t chunk, uint8_t pattern)
{
    static uint8_t buf[CAP], back[1 << 17];
    phonesec__err err;
    phonesec__flow_framer fr;
    size_t off = 0, back_len = 0;
    unsigned k = 0;

    if (len > sizeof back - 8)
        return;
    memset(&err, 0, sizeof err);
    phonesec__flow_framer_init(&fr, buf, sizeof buf, &err);
    for (;;) {
        const uint8_t *m = NULL;
        size_t mlen = 0, avail, old_before;
        uint8_t *p;
        int flags = ((pattern >> (k % 8)) & 1) ? PHONESEC__FR_PONG_EXPECTED : 0;
        int ev;
        if ((pattern >> ((k + 3) % 8)) & 1)
            flags |= PHONESEC__FR_DRAINED;
        if (k % 7 == 3 && (pattern & 0x80))
            phonesec__flow_framer_mark_ping(&fr);
        k++;
        /* next() first drops the message it delivered last time */
        old_before = fr.old > fr.deliver ? fr.old - fr.deliver : 0;
        ev = phonesec__flow_framer_next(&fr, flags, &m, &mlen);
        if (ev == PHONESEC__FR_PONG && (!(flags & PHONESEC__FR_PONG_EXPECTED) || old_before > 0))
            abort(); /* only a CRLF that came after our ping is its pong */
        if (ev < 0) {
            if (ev != PHONESEC_E_PARSE && ev != PHONESEC_E_LIMIT)
                abort();
            if (err.code != ev || err.msg[0] == '\0')
                abort();
            break;
        }
        switch (ev) {
        case PHONESEC__FR_MESSAGE: {
            size_t i, h = 0;
            if (mlen == 0 || mlen > CAP || m[0] == '\r')
                abort();
            for (i = 0; i + 4 <= mlen; i++)
                if (memcmp(m + i, "\r\n\r\n", 4) == 0) {
                    h = i + 4;
                    break;
                }
            if (h == 0)
                abort();
            memcpy(back + back_len, m, mlen);
            back_len += mlen;
            continue;
        }
        case PHONESEC__FR_PING:
            memcpy(back + back_len, "\r\n\r\n", 4);
            back_len += 4;
            continue;
        case PHONESEC__FR_PONG:
        case PHONESEC__FR_CRLF:
            memcpy(back + back_len, "\r\n", 2);
            back_len += 2;
            continue;
        case PHONESEC__FR_NEED:
            break;
        default:
            abort();
        }
        if (off == len)
            break;
        phonesec__flow_framer_space(&fr, &p, &avail);
        if (avail == 0)
            abort(); /* next() must have reported LIMIT */
        if (avail > chunk)
            avail = chunk;
        if (avail > len - off)
            avail = len - off;
        memcpy(p, in + off, avail);
        phonesec__flow_framer_commit(&fr, avail);
        off += avail;
    }
    /* What was handed out is exactly a prefix of the input. */
    if (back_len > len || memcmp(back, in, back_len) != 0)
        abort();
    /* Without an error, what is left buffered fits the buffer. */
    if (err.code == 0 && len - back_len > CAP)
        abort();
}

static void flow_check(const uint8_t *in, size_t len, size_t chunk)
{
    static int inited;
    phonesec_flow_config c;
    phonesec_flow *f = NULL;
    int i;

    if (!inited) {
        phonesec_platform p;
        phonesec_platform_init(&p);
        p.clock_ms_fn = clock_fn;
        if (phonesec_init(&p) != PHONESEC_OK)
            abort();
        inited = 1;
    }
    memset(&fz, 0, sizeof fz);
    fz.in = in;
    fz.in_len = len;
    fz.chunk = chunk;
    delivered = 0;
    phonesec_flow_config_init(&c);
    c.transport = &transport;
    c.max_message = CAP;
    c.tx_buffer = 256;
    c.keepalive_ms = 30000;
    c.message_cb = on_msg;
    if (phonesec_flow_new(&c, &f) != PHONESEC_OK)
        abort();
    if (phonesec_flow_start(f) != PHONESEC_OK || phonesec_flow_state(f) != PHONESEC_FLOW_UP)
        abort();
    for (i = 0; i < 64 && phonesec_flow_state(f) == PHONESEC_FLOW_UP && fz.off < fz.in_len; i++) {
        fz_clock += 7000; /* pings go out and pongs may match them */
        if (phonesec_flow_tick(f) != PHONESEC_OK)
            abort();
    }
    if (delivered > len)
        abort();
    phonesec_flow_free(f);
    if (fz.open)
        abort(); /* the connection was closed */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t chunk;
    if (size < 2 || size > 65536)
        return 0;
    chunk = (size_t)(data[0] % 64) + 1;
    if (data[0] >= 192)
        chunk = CAP;
    framer_check(data + 2, size - 2, chunk, data[1]);
    flow_check(data + 2, size - 2, chunk);
    return 0;
}
