/*
 * libphonesec - flow: stream framing of SIP messages with RFC 5626 CRLF
 * keep-alives mixed in between. Internal.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_FLOW_FRAMER_H
#define PHONESEC_FLOW_FRAMER_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"

/* What phonesec__flow_framer_next() found. Errors are negative PHONESEC_E_*. */
#define PHONESEC__FR_NEED    0 /* nothing complete yet: feed more bytes */
#define PHONESEC__FR_MESSAGE 1 /* a whole SIP message */
#define PHONESEC__FR_PING    2 /* CRLFCRLF from the peer: answer with CRLF */
#define PHONESEC__FR_PONG    3 /* CRLF, received after our ping went out, while we wait for a pong */
#define PHONESEC__FR_CRLF    4 /* stray CRLF between messages (RFC 3261 §7.5): ignored */

typedef struct phonesec__flow_framer {
    uint8_t *buf;
    size_t cap;      /* == largest message */
    size_t start;    /* first unconsumed byte */
    size_t len;      /* end of data */
    size_t deliver;  /* bytes of the last delivered message, dropped on the next call */
    size_t scan;     /* header-end search resumes here (relative to start) */
    size_t msg_len;  /* total length of the current message, 0 while headers incomplete */
    int in_msg;      /* first byte of a message seen */
    size_t old;      /* bytes from start that were buffered before our last ping went out */
    phonesec__err *err;
} phonesec__flow_framer;

/* buf must hold cap bytes; err receives failure details. */
PHONESEC__INTERNAL void phonesec__flow_framer_init(phonesec__flow_framer *fr, uint8_t *buf, size_t cap,
                                                   phonesec__err *err);
PHONESEC__INTERNAL void phonesec__flow_framer_reset(phonesec__flow_framer *fr);
/* Where the next received bytes go (*avail may be 0 when a complete message
 * or an error is pending: call next() first). */
PHONESEC__INTERNAL void phonesec__flow_framer_space(phonesec__flow_framer *fr, uint8_t **p, size_t *avail);
PHONESEC__INTERNAL void phonesec__flow_framer_commit(phonesec__flow_framer *fr, size_t n);
/* Flags of phonesec__flow_framer_next(). */
#define PHONESEC__FR_PONG_EXPECTED 1 /* a ping of ours is on the wire and unanswered */
#define PHONESEC__FR_DRAINED 2       /* the transport has no more bytes right now */

/* Our ping has just been handed to the transport: every byte buffered now
 * arrived before it, so none of it can be its pong (RFC 5626 4.4.1). */
PHONESEC__INTERNAL void phonesec__flow_framer_mark_ping(phonesec__flow_framer *fr);

/* Next framing event. With PHONESEC__FR_PONG_EXPECTED a CRLF that starts
 * after the last mark_ping() is the pong, except that a whole CRLFCRLF there
 * is the peer's own ping; a lone CRLF is only taken as the pong once
 * PHONESEC__FR_DRAINED says no more bytes are coming now (until then it may
 * be the first half of a ping). A CRLF buffered before the mark is never the
 * pong. On PHONESEC__FR_MESSAGE, msg and msg_len point into the buffer until
 * the next call. Errors: PHONESEC_E_LIMIT (message larger than cap),
 * PHONESEC_E_PARSE (no or bad Content-Length, lone CR); the stream is then
 * unusable until reset. */
PHONESEC__INTERNAL int phonesec__flow_framer_next(phonesec__flow_framer *fr, int flags, const uint8_t **msg,
                                                  size_t *msg_len);
/* 1 when no partial message is buffered (call next() until NEED first). */
PHONESEC__INTERNAL int phonesec__flow_framer_idle(const phonesec__flow_framer *fr);

#endif
