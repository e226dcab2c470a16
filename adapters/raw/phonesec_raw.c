/* SPDX-License-Identifier: MIT
 * Raw SIP text adapter: finds the body and a few header values of a whole
 * SIP message and hands them to libphonesec's mediasec and sdes calls; puts
 * the pieces back together with a right Content-Length. Public libphonesec
 * API only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonesec_raw.h"

struct phonesec_raw {
    phonesec_mediasec *ms;
    phonesec_sdes *sdes;
    int our_offer;      /* our offer sent, no answer yet */
    char *buf;          /* output */
    size_t cap;
    char err[200];
};

static int fail(phonesec_raw *r, int rc, const char *what)
{
    if (r)
        snprintf(r->err, sizeof r->err, "%s: %s", phonesec_strerror(rc), what);
    return rc;
}

int phonesec_raw_new(phonesec_mediasec *ms, phonesec_sdes *sdes, phonesec_raw **out)
{
    phonesec_raw *r;
    if (out == NULL)
        return PHONESEC_E_INVAL;
    r = calloc(1, sizeof *r);
    if (r == NULL)
        return PHONESEC_E_NOMEM;
    r->ms = ms;
    r->sdes = sdes;
    *out = r;
    return PHONESEC_OK;
}

void phonesec_raw_free(phonesec_raw *r)
{
    if (r == NULL)
        return;
    if (r->buf) {
        phonesec_memzero(r->buf, r->cap);
        free(r->buf);
    }
    free(r);
}

int phonesec_raw_last_error(const phonesec_raw *r, char *buf, size_t cap)
{
    if (r == NULL || buf == NULL || cap == 0)
        return PHONESEC_E_INVAL;
    snprintf(buf, cap, "%s", r->err);
    return PHONESEC_OK;
}

int phonesec_raw_body(const char *msg, size_t len, size_t *body_off, size_t *body_len)
{
    size_t i = 0, off = 0, n = 0, voff, vlen, k, cl = 0;
    int found = 0, rc;
    if (msg == NULL || body_off == NULL || body_len == NULL)
        return PHONESEC_E_INVAL;
    if (len > PHONESEC_MEDIASEC_MAX_TEXT)
        return PHONESEC_E_LIMIT;
    /* the first empty line ends the headers */
    while (i < len) {
        const char *nl = memchr(msg + i, '\n', len - i);
        size_t end;
        if (nl == NULL)
            break;
        end = (size_t)(nl - msg);
        if (end == i || (end == i + 1 && msg[i] == '\r')) {
            if (i == 0)
                return PHONESEC_E_PARSE; /* no start line */
            off = end + 1;
            found = 1;
            break;
        }
        i = end + 1;
    }
    if (!found)
        return PHONESEC_E_PARSE;
    rc = phonesec_mediasec_msg_count(msg, len, "Content-Length", &n);
    if (rc != PHONESEC_OK)
        return rc;
    if (n > 1)
        return PHONESEC_E_PARSE;
    if (n == 1) {
        rc = phonesec_mediasec_msg_find(msg, len, "Content-Length", 0, &voff, &vlen);
        if (rc != PHONESEC_OK)
            return rc;
        if (vlen == 0 || vlen > 9)
            return PHONESEC_E_PARSE;
        for (k = 0; k < vlen; k++) {
            char c = msg[voff + k];
            if (c < '0' || c > '9')
                return PHONESEC_E_PARSE;
            cl = cl * 10 + (size_t)(c - '0');
        }
        if (cl > len - off)
            return PHONESEC_E_TRUNCATED;
    } else {
        cl = len - off;
    }
    *body_off = off;
    *body_len = cl;
    return PHONESEC_OK;
}

static int is_sdp(const char *msg, size_t len)
{
    size_t off, vlen;
    static const char t[] = "application/sdp";
    if (phonesec_mediasec_msg_find(msg, len, "Content-Type", 0, &off, &vlen) != PHONESEC_OK)
        return 0;
    if (vlen < sizeof t - 1)
        return 0;
    for (size_t i = 0; i < sizeof t - 1; i++) {
        char c = msg[off + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != t[i])
            return 0;
    }
    return vlen == sizeof t - 1 || msg[off + sizeof t - 1] == ';' || msg[off + sizeof t - 1] == ' ' ||
           msg[off + sizeof t - 1] == '\t';
}

/* Grow r->buf to hold n bytes (+ NUL). */
static int reserve(phonesec_raw *r, size_t n)
{
    char *b;
    if (n + 1 <= r->cap)
        return PHONESEC_OK;
    b = malloc(n + 1);
    if (b == NULL)
        return PHONESEC_E_NOMEM;
    if (r->buf) {
        phonesec_memzero(r->buf, r->cap);
        free(r->buf);
    }
    r->buf = b;
    r->cap = n + 1;
    return PHONESEC_OK;
}

typedef int (*rewrite_fn)(void *obj, const char *in, size_t in_len, char *out, size_t cap, size_t *out_len);

static int w_prepare(void *o, const char *in, size_t n, char *out, size_t cap, size_t *ol)
{
    return phonesec_mediasec_prepare_request(o, in, n, out, cap, ol);
}
static int w_offer(void *o, const char *in, size_t n, char *out, size_t cap, size_t *ol)
{
    return phonesec_sdes_offer(o, in, n, out, cap, ol);
}
static int w_answer(void *o, const char *in, size_t n, char *out, size_t cap, size_t *ol)
{
    return phonesec_sdes_answer_sdp(o, in, n, out, cap, ol);
}

/* Run a rewrite into a fresh heap buffer (retrying once with the size asked
 * for). *res is malloc'ed; the caller wipes and frees it. */
static int run(rewrite_fn f, void *obj, const char *in, size_t n, char **res, size_t *res_len, size_t *res_cap)
{
    size_t cap = n + 4096, ol = 0;
    int rc, tries;
    for (tries = 0; tries < 2; tries++) {
        char *b = malloc(cap);
        if (b == NULL)
            return PHONESEC_E_NOMEM;
        rc = f(obj, in, n, b, cap, &ol);
        if (rc == PHONESEC_OK) {
            *res = b;
            *res_len = ol;
            *res_cap = cap;
            return rc;
        }
        phonesec_memzero(b, cap);
        free(b);
        if (rc != PHONESEC_E_BUFFER_SMALL)
            return rc;
        cap = ol + 1;
    }
    return PHONESEC_E_INTERNAL;
}

static void drop(char **b, size_t cap)
{
    if (*b) {
        phonesec_memzero(*b, cap);
        free(*b);
        *b = NULL;
    }
}

/* What both directions read first: the framing (body offset and length),
 * and the status code or method of the start line (0 / "" when none). */
static int start(phonesec_raw *r, const char *msg, size_t len, unsigned *done, size_t *boff, size_t *blen,
                 int *status, char method[32])
{
    int rc;
    r->err[0] = '\0';
    if (done)
        *done = 0;
    rc = phonesec_raw_body(msg, len, boff, blen);
    if (rc != PHONESEC_OK)
        return fail(r, rc, "message framing (empty line, Content-Length)");
    if (phonesec_mediasec_msg_status(msg, len, status) != PHONESEC_OK)
        *status = 0;
    if (phonesec_mediasec_msg_method(msg, len, method, 32) != PHONESEC_OK)
        method[0] = '\0';
    return PHONESEC_OK;
}

int phonesec_raw_outgoing(phonesec_raw *r, const char *msg, size_t len, const char **out, size_t *out_len,
                          unsigned *done)
{
    char method[32] = "";
    char *hdr = NULL, *body = NULL, *hl = NULL;
    size_t hdr_len = 0, hdr_cap = 0, body_len = 0, body_cap = 0, hl_len = 0, hl_cap = 0;
    size_t boff, blen;
    const char *cur = msg;
    size_t cur_len;
    unsigned d = 0;
    int status = 0, rc;

    if (r == NULL || msg == NULL || out == NULL || out_len == NULL)
        return PHONESEC_E_INVAL;
    rc = start(r, msg, len, done, &boff, &blen, &status, method);
    if (rc != PHONESEC_OK)
        return rc;
    cur_len = boff + blen;

    if (r->ms && status == 0) {
        rc = run(w_prepare, r->ms, cur, cur_len, &hdr, &hdr_len, &hdr_cap);
        if (rc != PHONESEC_OK)
            return fail(r, rc, "MediaSec headers");
        if (hdr_len != cur_len || memcmp(hdr, cur, cur_len) != 0)
            d |= PHONESEC_RAW_MEDIASEC;
        cur = hdr;
        cur_len = hdr_len;
        rc = phonesec_raw_body(cur, cur_len, &boff, &blen);
        if (rc != PHONESEC_OK) {
            drop(&hdr, hdr_cap);
            return fail(r, rc, "message after MediaSec headers");
        }
    }

    if (r->sdes && blen > 0 && is_sdp(cur, cur_len)) {
        int answer = status != 0 || strcmp(method, "ACK") == 0;
        char num[24];
        rc = run(answer ? w_answer : w_offer, r->sdes, cur + boff, blen, &body, &body_len, &body_cap);
        if (rc != PHONESEC_OK) {
            drop(&hdr, hdr_cap);
            return fail(r, rc, answer ? "SDP answer" : "SDP offer");
        }
        snprintf(num, sizeof num, "%zu", body_len);
        {
            size_t cap = boff + 64, ol = 0;
            hl = malloc(cap);
            rc = hl ? phonesec_mediasec_msg_replace(cur, boff, "Content-Length", num, hl, cap, &ol)
                    : PHONESEC_E_NOMEM;
            hl_len = ol;
            hl_cap = cap;
        }
        if (rc != PHONESEC_OK) {
            drop(&hdr, hdr_cap);
            drop(&body, body_cap);
            drop(&hl, hl_cap);
            return fail(r, rc, "Content-Length");
        }
        d |= (answer ? PHONESEC_RAW_SDP_ANSWER : PHONESEC_RAW_SDP_OFFER) | PHONESEC_RAW_LENGTH;
        if (!answer)
            r->our_offer = 1;
        rc = reserve(r, hl_len + body_len);
        if (rc == PHONESEC_OK) {
            memcpy(r->buf, hl, hl_len);
            memcpy(r->buf + hl_len, body, body_len);
            r->buf[hl_len + body_len] = '\0';
            *out_len = hl_len + body_len;
        }
    } else {
        rc = reserve(r, cur_len);
        if (rc == PHONESEC_OK) {
            memcpy(r->buf, cur, cur_len);
            r->buf[cur_len] = '\0';
            *out_len = cur_len;
        }
    }
    drop(&hdr, hdr_cap);
    drop(&body, body_cap);
    drop(&hl, hl_cap);
    if (rc != PHONESEC_OK)
        return fail(r, rc, "output");
    *out = r->buf;
    if (done)
        *done = d;
    return PHONESEC_OK;
}

int phonesec_raw_incoming(phonesec_raw *r, const char *msg, size_t len, unsigned *done)
{
    char method[32] = "";
    size_t boff, blen, n = 0;
    unsigned d = 0;
    int status = 0, rc;

    if (r == NULL || msg == NULL)
        return PHONESEC_E_INVAL;
    rc = start(r, msg, len, done, &boff, &blen, &status, method);
    if (rc != PHONESEC_OK)
        return rc;

    if (r->ms && status != 0) {
        rc = phonesec_mediasec_on_response(r->ms, msg, boff + blen);
        if (rc != PHONESEC_OK)
            return fail(r, rc, "MediaSec response");
        if (phonesec_mediasec_msg_count(msg, len, "Security-Server", &n) == PHONESEC_OK && n > 0)
            d |= PHONESEC_RAW_MEDIASEC;
    }
    if (r->sdes && blen > 0 && is_sdp(msg, len)) {
        if (status == 0 && strcmp(method, "ACK") != 0) {
            if (r->our_offer)
                return fail(r, PHONESEC_E_STATE, "offer received while ours is pending (glare)");
            rc = phonesec_sdes_answer(r->sdes, msg + boff, blen);
            if (rc != PHONESEC_OK)
                return fail(r, rc, "the peer's SDP offer");
            d |= PHONESEC_RAW_SDP_OFFER;
        } else if (r->our_offer && (status == 0 || status < 300)) {
            rc = phonesec_sdes_accept_answer(r->sdes, msg + boff, blen);
            if (rc != PHONESEC_OK)
                return fail(r, rc, "the peer's SDP answer");
            r->our_offer = 0;
            d |= PHONESEC_RAW_SDP_ANSWER;
        }
    }
    if (status >= 300 && r->our_offer && (strcmp(method, "INVITE") == 0 || strcmp(method, "UPDATE") == 0)) {
        r->our_offer = 0;
        if (r->sdes)
            (void)phonesec_sdes_offer_withdraw(r->sdes);
    }
    if (done)
        *done = d;
    return PHONESEC_OK;
}
