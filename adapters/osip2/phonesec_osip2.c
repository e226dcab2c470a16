/*
 * oSIP2 adapter: moves text between oSIP2 objects and libphonesec. No
 * protocol logic here: every decision is the library's (phonesec_osip2.h).
 */
#include "phonesec_osip2.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phonesec/core.h"

/* Headers whose contents the library decides for a request. */
static const char *const owned[] = {PHONESEC_MEDIASEC_HDR_CLIENT, PHONESEC_MEDIASEC_HDR_VERIFY, "Require",
                                    "Proxy-Require"};
#define N_OWNED (sizeof owned / sizeof owned[0])
#define SDP_MAX 65536u

static int osip_rc(int rc)
{
    return rc == OSIP_NOMEM ? PHONESEC_E_NOMEM : PHONESEC_E_PARSE;
}

static int has_eol(const char *s)
{
    return s != NULL && strpbrk(s, "\r\n") != NULL;
}

/* oSIP2 accepts a start line with a line end inside the Request-URI or the
 * reason phrase and prints it back as is: the text would then end its
 * header section early. Such a message is refused. */
static int start_line_ok(osip_message_t *m)
{
    char *u = NULL;
    int bad = has_eol(m->sip_method) || has_eol(m->sip_version) || has_eol(m->reason_phrase);
    if (!bad && m->req_uri != NULL) {
        if (osip_uri_to_str(m->req_uri, &u) != OSIP_SUCCESS || u == NULL)
            return 0;
        bad = has_eol(u);
        osip_free(u);
    }
    return !bad;
}

/* oSIP2 prints some objects it parsed into text it cannot read back (an
 * odd Content-Type printed without its line end swallows the next header):
 * such text is neither used nor sent. */
static int reads_back(const char *txt, size_t len)
{
    osip_message_t *m2 = NULL;
    int rc;
    if ((rc = osip_message_init(&m2)) != OSIP_SUCCESS)
        return rc;
    rc = osip_message_parse(m2, txt, len);
    osip_message_free(m2);
    return rc;
}

/* Print a SIP message; *txt is freed with osip_free(). */
static int msg_text(osip_message_t *m, char **txt, size_t *len)
{
    int rc;
    *txt = NULL;
    if (!start_line_ok(m))
        return PHONESEC_E_PARSE;
    rc = osip_message_to_str(m, txt, len);
    if (rc == OSIP_SUCCESS && *txt != NULL && (rc = reads_back(*txt, *len)) != OSIP_SUCCESS) {
        osip_free(*txt);
        *txt = NULL;
    }
    if (rc != OSIP_SUCCESS || *txt == NULL)
        return osip_rc(rc);
    if (*len > PHONESEC_MEDIASEC_MAX_TEXT) {
        osip_free(*txt);
        *txt = NULL;
        return PHONESEC_E_LIMIT;
    }
    return PHONESEC_OK;
}

static void free_headers(osip_list_t *l)
{
    osip_list_special_free(l, (void (*)(void *))osip_header_free);
}

/* New header objects for every `name` field of the library's text. */
static int collect(const char *txt, size_t len, const char *name, osip_list_t *into, size_t *count)
{
    size_t nth, off, vlen;
    for (nth = 0, *count = 0; phonesec_mediasec_msg_find(txt, len, name, nth, &off, &vlen) == PHONESEC_OK; nth++) {
        osip_header_t *h = NULL;
        if (osip_header_init(&h) != OSIP_SUCCESS)
            return PHONESEC_E_NOMEM;
        h->hname = osip_strdup(name);
        h->hvalue = (char *)osip_malloc(vlen + 1);
        if (h->hname == NULL || h->hvalue == NULL || osip_list_add(into, h, -1) < 0) {
            osip_header_free(h);
            return PHONESEC_E_NOMEM;
        }
        memcpy(h->hvalue, txt + off, vlen);
        h->hvalue[vlen] = '\0';
        ++*count;
    }
    return PHONESEC_OK;
}

/* Move every header named in owned[] from `from` to the end of `to`. */
static void move_owned(osip_list_t *from, osip_list_t *to)
{
    int pos;
    size_t i;
    for (pos = 0; pos < osip_list_size(from);) {
        osip_header_t *h = (osip_header_t *)osip_list_get(from, pos);
        int hit = 0;
        for (i = 0; i < N_OWNED; i++)
            hit |= h->hname != NULL && strcasecmp(h->hname, owned[i]) == 0;
        if (!hit) {
            pos++;
            continue;
        }
        osip_list_remove(from, pos);
        if (osip_list_add(to, h, -1) < 0)
            osip_header_free(h); /* list node allocation failed: the header is dropped */
    }
}

/* Move the first header of `from` to the end of `to`. */
static int move_first(osip_list_t *from, osip_list_t *to)
{
    osip_header_t *h;
    if (osip_list_size(from) <= 0)
        return PHONESEC_E_NOT_FOUND;
    h = (osip_header_t *)osip_list_get(from, 0);
    osip_list_remove(from, 0);
    if (osip_list_add(to, h, -1) < 0) {
        osip_header_free(h);
        return PHONESEC_E_NOMEM;
    }
    return PHONESEC_OK;
}

int phonesec_osip2_prepare_request(phonesec_mediasec *ms, osip_message_t *req)
{
    char *txt = NULL, *out = NULL;
    size_t len, cap, n = 0, i;
    osip_list_t fresh, old;
    size_t want[N_OWNED];
    int rc;

    if (ms == NULL || req == NULL || !MSG_IS_REQUEST(req))
        return PHONESEC_E_INVAL;
    if ((rc = msg_text(req, &txt, &len)) != PHONESEC_OK)
        return rc;
    cap = len + 1024;
    for (;;) {
        char *p = realloc(out, cap);
        if (p == NULL) {
            rc = PHONESEC_E_NOMEM;
            goto done;
        }
        out = p;
        rc = phonesec_mediasec_prepare_request(ms, txt, len, out, cap, &n);
        if (rc != PHONESEC_E_BUFFER_SMALL || n <= cap)
            break;
        cap = n;
    }
    if (rc != PHONESEC_OK)
        goto done;

    /* All new header objects first, so a failure leaves req as it was. */
    osip_list_init(&fresh);
    osip_list_init(&old);
    for (i = 0; i < N_OWNED && rc == PHONESEC_OK; i++)
        rc = collect(out, n, owned[i], &fresh, &want[i]);
    if (rc != PHONESEC_OK) {
        free_headers(&fresh);
        goto done;
    }
    move_owned(&req->headers, &old);
    while ((rc = move_first(&fresh, &req->headers)) == PHONESEC_OK)
        ;
    rc = rc == PHONESEC_E_NOT_FOUND ? PHONESEC_OK : rc;
    osip_message_force_update(req);

    /* oSIP2 prints some objects it parsed so that a header line swallows the
     * next one (an odd Content-Type printed without its line end): check
     * that the text now carries exactly the headers the library wrote. */
    osip_free(txt);
    txt = NULL;
    for (i = 0; rc == PHONESEC_OK && i < N_OWNED; i++) {
        size_t got = 0;
        if (i == 0 && (rc = msg_text(req, &txt, &len)) != PHONESEC_OK)
            break;
        if (phonesec_mediasec_msg_count(txt, len, owned[i], &got) != PHONESEC_OK || got != want[i])
            rc = PHONESEC_E_PARSE;
    }
    if (rc != PHONESEC_OK) { /* put the old headers back */
        move_owned(&req->headers, &fresh);
        free_headers(&fresh);
        while (move_first(&old, &req->headers) == PHONESEC_OK)
            ;
        osip_message_force_update(req);
    }
    free_headers(&old);
done:
    free(out);
    osip_free(txt);
    return rc;
}

int phonesec_osip2_on_response(phonesec_mediasec *ms, osip_message_t *resp)
{
    char *txt;
    size_t len;
    int rc;
    if (ms == NULL || resp == NULL || !MSG_IS_RESPONSE(resp))
        return PHONESEC_E_INVAL;
    if ((rc = msg_text(resp, &txt, &len)) != PHONESEC_OK)
        return rc;
    rc = phonesec_mediasec_on_response(ms, txt, len);
    osip_free(txt);
    return rc;
}

int phonesec_osip2_security_server(osip_message_t *resp, phonesec_mediasec_list *out)
{
    char *txt;
    size_t len;
    int rc;
    if (resp == NULL || out == NULL)
        return PHONESEC_E_INVAL;
    if ((rc = msg_text(resp, &txt, &len)) != PHONESEC_OK)
        return rc;
    phonesec_mediasec_list_clear(out);
    rc = phonesec_mediasec_list_from_msg(out, txt, len, PHONESEC_MEDIASEC_HDR_SERVER);
    if (rc == PHONESEC_OK && phonesec_mediasec_list_count(out) == 0)
        rc = PHONESEC_E_NOT_FOUND;
    osip_free(txt);
    return rc;
}

/* ---------------------------------------------------------------- SDP */

/* sdp_message_parse() of libosip2 5.3 reads past the terminating NUL of
 * a body that ends in a lone CR (found by fuzz_osip2 under ASan): it only
 * ever gets a private copy with zero padding behind the text. */
static int sdp_parse(const char *txt, size_t len, sdp_message_t **out)
{
    char *copy;
    int rc;
    *out = NULL;
    if (len > SDP_MAX)
        return PHONESEC_E_LIMIT;
    if ((copy = calloc(1, len + 16)) == NULL)
        return PHONESEC_E_NOMEM;
    memcpy(copy, txt, len);
    if ((rc = sdp_message_init(out)) != OSIP_SUCCESS || (rc = sdp_message_parse(*out, copy)) != OSIP_SUCCESS) {
        sdp_message_free(*out);
        *out = NULL;
        rc = osip_rc(rc);
    }
    phonesec_memzero(copy, len);
    free(copy);
    return rc;
}

typedef int (*sdp_fn)(phonesec_sdes *, const char *, size_t, char *, size_t, size_t *);

/* fn(text of in) -> new SDP object; the text with keys is wiped. */
static int sdp_through(phonesec_sdes *s, sdp_fn fn, sdp_message_t *in, sdp_message_t **res)
{
    char *txt = NULL, *out;
    size_t n = 0;
    int rc;
    if (s == NULL || in == NULL || res == NULL)
        return PHONESEC_E_INVAL;
    *res = NULL;
    if ((rc = sdp_message_to_str(in, &txt)) != OSIP_SUCCESS || txt == NULL)
        return osip_rc(rc);
    if ((out = malloc(SDP_MAX + 1)) == NULL) {
        osip_free(txt);
        return PHONESEC_E_NOMEM;
    }
    rc = fn(s, txt, strlen(txt), out, SDP_MAX, &n);
    osip_free(txt);
    if (rc == PHONESEC_OK)
        rc = sdp_parse(out, n, res);
    phonesec_memzero(out, SDP_MAX + 1);
    free(out);
    return rc;
}

int phonesec_osip2_sdes_offer(phonesec_sdes *s, sdp_message_t *local, sdp_message_t **offer)
{
    return sdp_through(s, phonesec_sdes_offer, local, offer);
}

int phonesec_osip2_sdes_answer(phonesec_sdes *s, sdp_message_t *offer, sdp_message_t *local,
                               sdp_message_t **answer)
{
    char *txt = NULL;
    int rc;
    if (s == NULL || offer == NULL || local == NULL || answer == NULL)
        return PHONESEC_E_INVAL;
    *answer = NULL;
    if ((rc = sdp_message_to_str(offer, &txt)) != OSIP_SUCCESS || txt == NULL)
        return osip_rc(rc);
    rc = phonesec_sdes_answer(s, txt, strlen(txt));
    phonesec_memzero(txt, strlen(txt));
    osip_free(txt);
    if (rc != PHONESEC_OK)
        return rc;
    return sdp_through(s, phonesec_sdes_answer_sdp, local, answer);
}

int phonesec_osip2_sdes_accept_answer(phonesec_sdes *s, sdp_message_t *answer)
{
    char *txt = NULL;
    int rc;
    if (s == NULL || answer == NULL)
        return PHONESEC_E_INVAL;
    if ((rc = sdp_message_to_str(answer, &txt)) != OSIP_SUCCESS || txt == NULL)
        return osip_rc(rc);
    rc = phonesec_sdes_accept_answer(s, txt, strlen(txt));
    phonesec_memzero(txt, strlen(txt));
    osip_free(txt);
    return rc;
}

int phonesec_osip2_message_sdp(osip_message_t *msg, sdp_message_t **sdp)
{
    osip_body_t *b = NULL;
    if (msg == NULL || sdp == NULL)
        return PHONESEC_E_INVAL;
    *sdp = NULL;
    if (osip_message_get_body(msg, 0, &b) < 0 || b == NULL || b->body == NULL)
        return PHONESEC_E_NOT_FOUND;
    return sdp_parse(b->body, b->length, sdp);
}

int phonesec_osip2_set_sdp(osip_message_t *msg, sdp_message_t *sdp)
{
    char *txt = NULL;
    int rc;
    if (msg == NULL || sdp == NULL)
        return PHONESEC_E_INVAL;
    if ((rc = sdp_message_to_str(sdp, &txt)) != OSIP_SUCCESS || txt == NULL)
        return osip_rc(rc);
    osip_list_special_free(&msg->bodies, (void (*)(void *))osip_body_free);
    osip_content_length_free(msg->content_length);
    msg->content_length = NULL;
    osip_content_type_free(msg->content_type);
    msg->content_type = NULL;
    rc = osip_message_set_body(msg, txt, strlen(txt));
    if (rc == OSIP_SUCCESS)
        rc = osip_message_set_content_type(msg, "application/sdp");
    phonesec_memzero(txt, strlen(txt));
    osip_free(txt);
    osip_message_force_update(msg);
    return rc == OSIP_SUCCESS ? PHONESEC_OK : osip_rc(rc);
}

/* --------------------------------------------------------------- flow */

int phonesec_osip2_flow_send(phonesec_flow *flow, osip_message_t *msg)
{
    char *txt = NULL;
    size_t len = 0;
    int rc;
    if (flow == NULL || msg == NULL)
        return PHONESEC_E_INVAL;
    if ((rc = msg_text(msg, &txt, &len)) != PHONESEC_OK)
        return rc;
    rc = phonesec_flow_send(flow, (const uint8_t *)txt, len);
    phonesec_memzero(txt, len); /* may carry SDES keys */
    osip_free(txt);
    return rc;
}

int phonesec_osip2_parse(const uint8_t *buf, size_t len, osip_message_t **out)
{
    int rc;
    if (buf == NULL || out == NULL)
        return PHONESEC_E_INVAL;
    *out = NULL;
    if ((rc = osip_message_init(out)) != OSIP_SUCCESS)
        return osip_rc(rc);
    if ((rc = osip_message_parse(*out, (const char *)buf, len)) != OSIP_SUCCESS) {
        osip_message_free(*out);
        *out = NULL;
        return osip_rc(rc);
    }
    return PHONESEC_OK;
}
