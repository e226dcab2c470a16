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
#define PHONESEC__FR_PONG    3 /* CRLF while we wait for a pong */
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
/* Next framing event. pong_expected: a ping of ours is outstanding, so a lone
 * CRLF is its pong. On PHONESEC__FR_MESSAGE, msg and msg_len point into the
 * buffer until the next call. Errors: PHONESEC_E_LIMIT (message larger than
 * cap), PHONESEC_E_PARSE (no or bad Content-Length); the stream is then
 * unusable until reset. */
PHONESEC__INTERNAL int phonesec__flow_framer_next(phonesec__flow_framer *fr, int pong_expected, const uint8_t **msg,
                                                  size_t *msg_len);
/* 1 when no partial message is buffered (call next() until NEED first). */
PHONESEC__INTERNAL int phonesec__flow_framer_idle(const phonesec__flow_framer *fr);

#endif
