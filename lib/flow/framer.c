/*
 * libphonesec - flow: SIP stream framing with RFC 5626 §3.5.1/§4.4.1 CRLF
 * keep-alives. Messages are delimited by Content-Length (RFC 3261 §18.3:
 * mandatory on stream transports); CRLFCRLF between messages is a ping,
 * CRLF a pong (or a stray CRLF, RFC 3261 §7.5).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "flow/framer.h"

void phonesec__flow_framer_init(phonesec__flow_framer *fr, uint8_t *buf, size_t cap, phonesec__err *err)
{
    memset(fr, 0, sizeof *fr);
    fr->buf = buf;
    fr->cap = cap;
    fr->err = err;
}

void phonesec__flow_framer_reset(phonesec__flow_framer *fr)
{
    phonesec__flow_framer_init(fr, fr->buf, fr->cap, fr->err);
}

/* Consume n bytes at the front (every advance of start goes through here, so
 * the count of bytes older than our last ping stays right). */
static void advance(phonesec__flow_framer *fr, size_t n)
{
    fr->start += n;
    fr->old = fr->old > n ? fr->old - n : 0;
}

static void drop_delivered(phonesec__flow_framer *fr)
{
    advance(fr, fr->deliver);
    fr->deliver = 0;
    if (fr->start == fr->len)
        fr->start = fr->len = 0;
}

void phonesec__flow_framer_mark_ping(phonesec__flow_framer *fr)
{
    drop_delivered(fr);
    fr->old = fr->len - fr->start;
}

void phonesec__flow_framer_space(phonesec__flow_framer *fr, uint8_t **p, size_t *avail)
{
    drop_delivered(fr);
    if (fr->start > 0 && fr->len == fr->cap) {
        memmove(fr->buf, fr->buf + fr->start, fr->len - fr->start);
        fr->len -= fr->start;
        fr->start = 0;
    }
    *p = fr->buf + fr->len;
    *avail = fr->cap - fr->len;
}

void phonesec__flow_framer_commit(phonesec__flow_framer *fr, size_t n)
{
    if (n > fr->cap - fr->len)
        n = fr->cap - fr->len;
    fr->len += n;
}

int phonesec__flow_framer_idle(const phonesec__flow_framer *fr)
{
    /* Outside a message only CR / CRLF / CRLFCR prefixes can be buffered
     * (next() turns anything else into a message start): nothing to lose. */
    return !fr->in_msg;
}

static int is_ws(uint8_t c)
{
    return c == ' ' || c == '\t';
}

/* Find Content-Length (or compact "l") in the header section h[0..n), which
 * ends just before the CRLF that closes the last header line. */
static int content_length(phonesec__flow_framer *fr, const uint8_t *h, size_t n, size_t *out)
{
    size_t i = 0, line_end, found = 0, value = 0;
    int have = 0, prev_cl = 0, first = 1;

    while (i <= n) {
        const uint8_t *cr = NULL;
        size_t k;
        for (k = i; k + 1 < n; k++) {
            if (h[k] == '\r' && h[k + 1] == '\n') {
                cr = h + k;
                break;
            }
        }
        line_end = cr ? (size_t)(cr - h) : n;
        if (first) {
            first = 0; /* start line */
        } else if (line_end > i && is_ws(h[i])) {
            if (prev_cl)
                return phonesec__fail(fr->err, PHONESEC_E_PARSE, "folded Content-Length header");
        } else {
            size_t c = i, name_end;
            prev_cl = 0;
            while (c < line_end && h[c] != ':')
                c++;
            if (c < line_end) {
                name_end = c;
                while (name_end > i && is_ws(h[name_end - 1]))
                    name_end--;
                if ((name_end - i == 14 && phonesec__strncaseeq((const char *)h + i, "content-length", 14)) ||
                    (name_end - i == 1 && (h[i] == 'l' || h[i] == 'L'))) {
                    size_t v = c + 1, digits = 0, val = 0;
                    int big = 0;
                    prev_cl = 1;
                    while (v < line_end && is_ws(h[v]))
                        v++;
                    while (v < line_end && h[v] >= '0' && h[v] <= '9') {
                        if (val > fr->cap)
                            big = 1;
                        else
                            val = val * 10 + (size_t)(h[v] - '0');
                        v++;
                        digits++;
                    }
                    while (v < line_end && is_ws(h[v]))
                        v++;
                    if (digits == 0 || v != line_end)
                        return phonesec__fail(fr->err, PHONESEC_E_PARSE, "bad Content-Length value");
                    if (big || val > fr->cap)
                        val = fr->cap + 1; /* any value too large for the buffer */
                    if (have && val != value)
                        return phonesec__fail(fr->err, PHONESEC_E_PARSE, "conflicting Content-Length headers");
                    have = 1;
                    value = val;
                    found++;
                }
            }
        }
        if (cr == NULL)
            break;
        i = line_end + 2;
    }
    if (!have)
        return phonesec__fail(fr->err, PHONESEC_E_PARSE,
                              "SIP message without Content-Length on a stream transport (RFC 3261 18.3)");
    (void)found;
    *out = value;
    return PHONESEC_OK;
}

int phonesec__flow_framer_next(phonesec__flow_framer *fr, int flags, const uint8_t **msg, size_t *msg_len)
{
    const uint8_t *b;
    size_t avail, i;

    drop_delivered(fr);
    b = fr->buf + fr->start;
    avail = fr->len - fr->start;

    if (!fr->in_msg) {
        if (avail == 0)
            return PHONESEC__FR_NEED;
        if (b[0] == '\r') {
            if (avail < 2)
                return PHONESEC__FR_NEED;
            if (b[1] != '\n')
                return phonesec__fail(fr->err, PHONESEC_E_PARSE, "stray CR between SIP messages");
            if ((flags & PHONESEC__FR_PONG_EXPECTED) && fr->old == 0) {
                /* Arrived after our ping: the pong, unless it is a whole
                 * CRLFCRLF ping of the peer (answer it, keep waiting). */
                if (avail == 2 && !(flags & PHONESEC__FR_DRAINED))
                    return PHONESEC__FR_NEED;
                if (avail >= 3 && b[2] == '\r') {
                    if (avail < 4)
                        return PHONESEC__FR_NEED;
                    if (b[3] == '\n') {
                        advance(fr, 4);
                        return PHONESEC__FR_PING;
                    }
                }
                advance(fr, 2);
                return PHONESEC__FR_PONG;
            }
            if ((flags & PHONESEC__FR_PONG_EXPECTED) && fr->old <= 2) {
                /* Started before our ping and everything after it is newer:
                 * a stray CRLF (a ping never straddles our own, since each
                 * side's CRLFCRLF is written in one piece). */
                advance(fr, 2);
                return PHONESEC__FR_CRLF;
            }
            if (avail < 3)
                return PHONESEC__FR_NEED;
            if (b[2] == '\r') {
                if (avail < 4)
                    return PHONESEC__FR_NEED;
                if (b[3] == '\n') {
                    advance(fr, 4);
                    return PHONESEC__FR_PING;
                }
            }
            advance(fr, 2);
            return PHONESEC__FR_CRLF;
        }
        fr->in_msg = 1;
        fr->scan = 0;
        fr->msg_len = 0;
    }

    if (fr->msg_len == 0) {
        size_t body = 0;
        int rc;
        for (i = fr->scan; i + 4 <= avail; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n')
                break;
        }
        if (i + 4 > avail) {
            fr->scan = avail >= 3 ? avail - 3 : 0;
            if (avail >= fr->cap)
                return phonesec__fail(fr->err, PHONESEC_E_LIMIT, "SIP header section larger than %zu bytes",
                                      fr->cap);
            return PHONESEC__FR_NEED;
        }
        rc = content_length(fr, b, i, &body);
        if (rc < 0)
            return rc;
        if (body > fr->cap || i + 4 + body > fr->cap)
            return phonesec__fail(fr->err, PHONESEC_E_LIMIT, "SIP message larger than %zu bytes", fr->cap);
        fr->msg_len = i + 4 + body;
    }
    if (avail < fr->msg_len) {
        /* Make room at the front so the whole message fits. */
        if (fr->start > 0 && fr->start + fr->msg_len > fr->cap) {
            memmove(fr->buf, fr->buf + fr->start, avail);
            fr->len = avail;
            fr->start = 0;
        }
        return PHONESEC__FR_NEED;
    }
    *msg = b;
    *msg_len = fr->msg_len;
    fr->deliver = fr->msg_len;
    fr->in_msg = 0;
    fr->msg_len = 0;
    fr->scan = 0;
    return PHONESEC__FR_MESSAGE;
}
