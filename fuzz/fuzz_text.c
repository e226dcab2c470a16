/* Fuzz target: the core text layer (lib/core/text.h). Every input is read
 * as a SIP message (every header, every value through the value cursor and
 * the comma lists), as SDP lines and attributes, and as base64 fed in pieces
 * (the first byte picks the piece size). Spans must stay inside the input;
 * the streaming decoder must agree with the one-shot strict decoder. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

#include "core/internal.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(size_t off, size_t len, size_t size)
{
    if (off > size || len > size - off)
        abort();
}

static void sip(const char *s, size_t n)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    size_t pos, last;
    int rc;
    if (phonesec__sip_open(&m, s, n) != 0)
        return;
    if (m.hdr_start > m.hdr_end || m.hdr_end >= n)
        abort();
    pos = m.hdr_start;
    while ((rc = phonesec__sip_next(&m, &pos, NULL, &h)) == 1) {
        phonesec__err e;
        phonesec__text_rd r;
        size_t i, st, en, vs, vn;
        int q;
        check_span(h.line_off, h.line_end - h.line_off, m.hdr_end);
        check_span(h.val_off, h.val_len, h.line_end);
        if (h.name_len == 0 || !phonesec__text_is_token(s + h.line_off, h.name_len) || pos != h.line_end)
            abort();
        /* a one-letter name designates Content-Length exactly when it is l or L */
        if (h.name_len == 1 && phonesec__sip_name_is(s + h.line_off, 1, "Content-Length") !=
                                   (phonesec__ascii_tolower((unsigned char)s[h.line_off]) == 'l'))
            abort();
        /* the value as parameters: ;name[=value] until an error or the end */
        phonesec__err_clear(&e);
        r.s = s + h.val_off;
        r.n = h.val_len;
        r.i = 0;
        r.err = &e;
        for (;;) {
            last = r.i;
            if (phonesec__text_skip_lws(&r) != 0 || r.i >= r.n)
                break;
            if (r.s[r.i] == ';' || r.s[r.i] == ',' || r.s[r.i] == '=') {
                r.i++;
                continue;
            }
            if (phonesec__text_param_value(&r, &vs, &vn, &q) != 0)
                break;
            check_span(vs, vn, r.n);
            if (vn == 0 || r.i <= last)
                abort();
        }
        if (r.i > r.n)
            abort();
        /* the value as a comma list */
        for (i = 0; i <= h.val_len;) {
            size_t next = phonesec__text_list_next(s + h.val_off, h.val_len, i, &st, &en);
            if (next <= i || st > en || en > h.val_len)
                abort();
            i = next;
        }
    }
    if (rc != 0 && rc != PHONESEC_E_PARSE)
        abort();
}

static void sdp(const char *s, size_t n)
{
    phonesec__text_line ln;
    size_t pos = 0, prev = 0;
    while (phonesec__text_line_next(s, n, &pos, &ln) == 1) {
        const char *v;
        size_t vn;
        check_span(ln.off, ln.len, n);
        if (pos <= prev || ln.off != prev || ln.eol > 2)
            abort();
        prev = pos;
        (void)phonesec__text_sdp_line_ok(s + ln.off, ln.len);
        if (phonesec__text_sdp_attr(s + ln.off, ln.len, "crypto", &v, &vn))
            check_span((size_t)(v - s), vn, n);
    }
    if (pos != n)
        abort();
}

static void base64(const char *s, size_t n, size_t piece)
{
    static uint8_t stream[3 * 4096 / 4 + 8], oneshot[3 * 4096 / 4 + 8];
    phonesec__b64_dec d;
    const char *why = NULL;
    size_t got = 0, i, k, m;
    int rc = 0, rc1;
    phonesec__b64_dec_init(&d);
    for (i = 0; i < n && rc == 0; i += k) {
        k = n - i < piece ? n - i : piece;
        rc = phonesec__b64_dec_update(&d, s + i, k, stream + got, &m, &why);
        got += m;
    }
    if (rc == 0) {
        rc = phonesec__b64_dec_final(&d, stream + got, &m, &why);
        got += m;
    }
    if (got > n)
        abort();
    /* without white space the strict one-shot decoder must agree */
    if (memchr(s, ' ', n) || memchr(s, '\t', n) || memchr(s, '\r', n) || memchr(s, '\n', n))
        return;
    rc1 = phonesec_base64_decode(s, n, PHONESEC_BASE64_STD_NOPAD_OK, oneshot, sizeof oneshot, &m, NULL);
    if (rc == 0 && n % 4 == 0 && (rc1 != 0 || m != got || memcmp(oneshot, stream, got) != 0))
        abort();
    /* and encoding the bytes again gives them back */
    if (rc == 0) {
        char enc[4096 * 2];
        phonesec__sb b = {enc, sizeof enc, 0};
        phonesec__b64_enc e;
        phonesec__b64_dec d2;
        uint8_t back[sizeof stream];
        size_t g2 = 0;
        phonesec__b64_enc_init(&e, 64);
        phonesec__b64_enc_update(&e, stream, got, &b);
        phonesec__b64_enc_final(&e, &b);
        if (b.len > sizeof enc)
            abort();
        phonesec__b64_dec_init(&d2);
        if (phonesec__b64_dec_update(&d2, enc, b.len, back, &g2, &why) != 0 ||
            phonesec__b64_dec_final(&d2, back + g2, &m, &why) != 0 || g2 + m != got || memcmp(back, stream, got) != 0)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    if (size == 0 || size > 4096)
        return 0;
    sip(s, size);
    sdp(s, size);
    base64(s + 1, size - 1, (size_t)data[0] % 17 + 1);
    return 0;
}
