/*
 * Core text layer (lib/core/text.h): SIP header sections and values, SDP
 * lines, streaming base64, the bounded string builder. Expected values come
 * from the RFCs (RFC 3261 §7.3 folding and compact forms, §25.1 quoted
 * strings; RFC 4566 §5 lines; RFC 4648 §10 test vectors), worked out by
 * hand, never from this code's own output.
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <string.h>

#include "support.h"

#include "core/internal.h"
#include "core/text.h"

#define S(lit) lit, sizeof(lit) - 1

static void tokens(void **state)
{
    (void)state;
    assert_true(phonesec__text_is_token(S("sec-agree")));
    assert_true(phonesec__text_is_token(S("!%'*+-._`~09AZaz")));
    assert_false(phonesec__text_is_token(S("a b")));
    assert_false(phonesec__text_is_token(S("a\"")));
    assert_false(phonesec__text_is_token(S("a,b")));
    assert_false(phonesec__text_is_token("a\0b", 3));
    assert_false(phonesec__text_is_token("", 0));
    assert_false(phonesec__text_is_token(NULL, 3));
    assert_false(phonesec__text_is_tchar(0x80));
    assert_false(phonesec__text_is_tchar(0xff));
}

static void string_builder(void **state)
{
    char buf[8];
    phonesec__sb b = {NULL, 0, 0};
    (void)state;
    /* counting pass */
    phonesec__sb_str(&b, "Require");
    phonesec__sb_put(&b, ": ", 2);
    assert_int_equal(b.len, 9);
    assert_false(phonesec__sb_fits(&b));
    /* too small: nothing written past cap, the length still counted */
    memset(buf, 'x', sizeof buf);
    b.out = buf;
    b.cap = 4;
    b.len = 0;
    phonesec__sb_str(&b, "abc");
    phonesec__sb_str(&b, "def");
    assert_int_equal(b.len, 6);
    assert_memory_equal(buf, "abcxxxxx", 8);
    assert_false(phonesec__sb_fits(&b));
    /* fits with room for the NUL */
    b.cap = sizeof buf;
    b.len = 0;
    phonesec__sb_str(&b, "abcdefg");
    assert_true(phonesec__sb_fits(&b));
    phonesec__sb_put(&b, "h", 1);
    assert_false(phonesec__sb_fits(&b));
    assert_memory_equal(buf, "abcdefgh", 8);
}

/* A message in the style of RFC 4475 §3.1.1.1 (wsinv): compact forms, odd
 * case, white space around colons, folded values. */
static const char tortuous[] = "INVITE sip:vivekg@chair-dnrc.example.com SIP/2.0\r\n"
                               "TO :\r\n"
                               " sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\r\n"
                               "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\r\n"
                               "  ;\r\n"
                               "  tag = 98asjd8\r\n"
                               "MaX-fOrWaRdS: 0068\r\n"
                               "Call-ID: wsinv.ndaksdj@192.0.2.1\r\n"
                               "Content-Length   : 150\r\n"
                               "cseq: 0009\r\n"
                               "  INVITE\r\n"
                               "Via  : SIP  /   2.0\r\n"
                               " /UDP\r\n"
                               "    192.0.2.2;branch=390skdjuw\r\n"
                               "s :\r\n"
                               "NewFangledHeader:   newfangled value\r\n"
                               " continued newfangled value\r\n"
                               "UnknownHeaderWithUnusualValue: ;;,,;;,;\r\n"
                               "Content-Type: application/sdp\r\n"
                               "l: 150\r\n"
                               "\r\n"
                               "v=0\r\n";

static int find(const phonesec__sip_msg *m, const char *name, size_t nth, phonesec__sip_hdr *h)
{
    size_t pos = m->hdr_start, k = 0;
    int rc;
    while ((rc = phonesec__sip_next(m, &pos, name, h)) == 1)
        if (k++ == nth)
            return 1;
    return rc;
}

static void sip_folding_and_compact_forms(void **state)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    const char *p = tortuous;
    size_t pos, count = 0;
    (void)state;
    assert_int_equal(phonesec__sip_open(&m, S(tortuous)), PHONESEC_OK);
    assert_string_equal(m.eol, "\r\n");
    assert_int_equal(m.hdr_start, strlen("INVITE sip:vivekg@chair-dnrc.example.com SIP/2.0\r\n"));
    assert_memory_equal(p + m.hdr_end, "\r\nv=0", 5);

    /* "TO :" then a fold: the value starts on the continuation line */
    assert_int_equal(find(&m, "To", 0, &h), 1);
    assert_int_equal(h.name_len, 2);
    assert_memory_equal(p + h.line_off, "TO", 2);
    assert_int_equal(h.val_len, strlen("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n"));
    assert_memory_equal(p + h.val_off, "sip:vivekg@chair-dnrc.example.com ;", 35);
    /* "t" is the compact form of To */
    assert_int_equal(find(&m, "t", 0, &h), 1);
    assert_memory_equal(p + h.line_off, "TO :", 4);

    /* a value over three lines: the raw span keeps the folds */
    assert_int_equal(find(&m, "FROM", 0, &h), 1);
    assert_memory_equal(p + h.val_off, "\"J Rosenberg", 12);
    assert_memory_equal(p + h.val_off + h.val_len - 13, "tag = 98asjd8", 13);
    assert_int_equal(p[h.line_end - 1], '\n');
    assert_memory_equal(p + h.line_end, "MaX-fOrWaRdS", 12);

    /* Content-Length twice: full and compact form, asked for either way */
    assert_int_equal(find(&m, "Content-Length", 0, &h), 1);
    assert_memory_equal(p + h.val_off, "150", h.val_len);
    assert_int_equal(find(&m, "content-length", 1, &h), 1);
    assert_int_equal(h.name_len, 1);
    assert_int_equal(find(&m, "L", 0, &h), 1);
    assert_memory_equal(p + h.line_off, "Content-Length   :", 18);
    assert_int_equal(find(&m, "l", 2, &h), 0);

    /* empty value ("s :"), compact Subject */
    assert_int_equal(find(&m, "Subject", 0, &h), 1);
    assert_int_equal(h.val_len, 0);
    /* i is Call-ID, k is Supported (absent) */
    assert_int_equal(find(&m, "i", 0, &h), 1);
    assert_memory_equal(p + h.val_off, "wsinv.ndaksdj@192.0.2.1", h.val_len);
    assert_int_equal(find(&m, "k", 0, &h), 0);
    /* a one-letter name that is no compact form matches only itself */
    assert_int_equal(phonesec__sip_name_is("q", 1, "Content-Length"), 0);
    assert_int_equal(phonesec__sip_name_is("m", 1, "Contact"), 1);
    assert_int_equal(phonesec__sip_name_is("Contact", 7, "M"), 1);
    assert_int_equal(phonesec__sip_name_is("Contacts", 8, "m"), 0);

    /* every header once, continuation lines folded into their header */
    pos = m.hdr_start;
    while (phonesec__sip_next(&m, &pos, NULL, &h) == 1)
        count++;
    assert_int_equal(count, 12);
}

static void sip_malformed(void **state)
{
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    size_t pos;
    (void)state;
    /* no empty line, no line end, white space first, nothing */
    assert_int_equal(phonesec__sip_open(&m, S("OPTIONS sip:a SIP/2.0\r\nTo: x\r\n")), PHONESEC_E_PARSE);
    assert_int_equal(phonesec__sip_open(&m, S("OPTIONS sip:a SIP/2.0")), PHONESEC_E_PARSE);
    assert_int_equal(phonesec__sip_open(&m, S(" OPTIONS sip:a SIP/2.0\r\n\r\n")), PHONESEC_E_PARSE);
    assert_int_equal(phonesec__sip_open(&m, S("\r\n\r\n")), PHONESEC_E_PARSE);
    assert_int_equal(phonesec__sip_open(&m, "", 0), PHONESEC_E_PARSE);
    /* LF-only messages are read, their style kept */
    assert_int_equal(phonesec__sip_open(&m, S("SIP/2.0 200 OK\nTo: x\n\n")), PHONESEC_OK);
    assert_string_equal(m.eol, "\n");
    /* continuation line right after the start line */
    assert_int_equal(phonesec__sip_open(&m, S("OPTIONS sip:a SIP/2.0\r\n x\r\n\r\n")), PHONESEC_OK);
    pos = m.hdr_start;
    assert_int_equal(phonesec__sip_next(&m, &pos, NULL, &h), PHONESEC_E_PARSE);
    /* no colon; a name that is no token; NUL in the name */
    assert_int_equal(phonesec__sip_open(&m, S("OPTIONS sip:a SIP/2.0\r\nTo x\r\n\r\n")), PHONESEC_OK);
    pos = m.hdr_start;
    assert_int_equal(phonesec__sip_next(&m, &pos, NULL, &h), PHONESEC_E_PARSE);
    assert_int_equal(phonesec__sip_open(&m, S("OPTIONS sip:a SIP/2.0\r\nT(o: x\r\n\r\n")), PHONESEC_OK);
    pos = m.hdr_start;
    assert_int_equal(phonesec__sip_next(&m, &pos, NULL, &h), PHONESEC_E_PARSE);
    {
        static const char nul[] = "OPTIONS sip:a SIP/2.0\r\nT\0o: x\r\n\r\n";
        assert_int_equal(phonesec__sip_open(&m, nul, sizeof nul - 1), PHONESEC_OK);
        pos = m.hdr_start;
        assert_int_equal(phonesec__sip_next(&m, &pos, NULL, &h), PHONESEC_E_PARSE);
    }
}

static void sip_nul_and_long_values(void **state)
{
    static const char nul[] = "MESSAGE sip:a SIP/2.0\r\nSubject: a\0b\r\nTo: x\r\n\r\n";
    phonesec__sip_msg m;
    phonesec__sip_hdr h;
    size_t n = 300000, pos;
    char *big;
    (void)state;
    /* a NUL byte inside a value is a byte of the value (lengths, not C strings) */
    assert_int_equal(phonesec__sip_open(&m, nul, sizeof nul - 1), PHONESEC_OK);
    assert_int_equal(find(&m, "Subject", 0, &h), 1);
    assert_int_equal(h.val_len, 3);
    assert_memory_equal(nul + h.val_off, "a\0b", 3);
    assert_int_equal(find(&m, "To", 0, &h), 1);

    /* an over-long header line: read whole, nothing cut */
    big = malloc(n + 64);
    assert_non_null(big);
    memcpy(big, "MESSAGE sip:a SIP/2.0\r\nX-Long: ", 31);
    memset(big + 31, 'z', n);
    memcpy(big + 31 + n, "\r\nTo: y\r\n\r\n", 11);
    assert_int_equal(phonesec__sip_open(&m, big, n + 42), PHONESEC_OK);
    pos = m.hdr_start;
    assert_int_equal(phonesec__sip_next(&m, &pos, "x-long", &h), 1);
    assert_int_equal(h.val_off, 31);
    assert_int_equal(h.val_len, n);
    assert_int_equal(phonesec__sip_next(&m, &pos, NULL, &h), 1);
    assert_memory_equal(big + h.val_off, "y", h.val_len);
    assert_int_equal(phonesec__sip_next(&m, &pos, NULL, &h), 0);
    free(big);
}

static int value_at(const char *s, size_t n, size_t at, size_t *vs, size_t *vn, int *quoted, phonesec__err *e)
{
    phonesec__text_rd r;
    int rc;
    r.s = s;
    r.n = n;
    r.i = at;
    r.err = e;
    rc = phonesec__text_param_value(&r, vs, vn, quoted);
    if (rc == 0)
        assert_int_equal(r.i, *vs + *vn);
    return rc;
}

static void quoted_strings_and_values(void **state)
{
    phonesec__err e;
    size_t vs, vn;
    int q;
    (void)state;
    phonesec__err_clear(&e);
    /* a comma inside quotes is part of the value */
    assert_int_equal(value_at(S("\"a,b\";x"), 0, &vs, &vn, &q, &e), 0);
    assert_int_equal(q, 1);
    assert_int_equal(vn, 5);
    /* escaped quote and backslash (RFC 3261 quoted-pair) */
    assert_int_equal(value_at(S("\"a\\\"b\\\\\",c"), 0, &vs, &vn, &q, &e), 0);
    assert_int_equal(vn, 8);
    /* a fold inside quotes stays in the raw span */
    assert_int_equal(value_at(S("\"a\r\n b\""), 0, &vs, &vn, &q, &e), 0);
    assert_int_equal(vn, 7);
    /* token and IPv6 reference */
    assert_int_equal(value_at(S("0.5;y"), 0, &vs, &vn, &q, &e), 0);
    assert_int_equal(q, 0);
    assert_int_equal(vn, 3);
    assert_int_equal(value_at(S("[2001:db8::1]:5060"), 0, &vs, &vn, &q, &e), 0);
    assert_int_equal(vn, 13);
    /* failures, each with its offset in the text */
    assert_int_equal(value_at(S("\"abc"), 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_non_null(strstr(e.msg, "unterminated quoted string starting at offset 0"));
    assert_int_equal(value_at(S("x=\"a\\"), 2, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_non_null(strstr(e.msg, "bad quoted pair at offset 4"));
    assert_int_equal(value_at("\"a\\\0b\"", 6, 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE); /* \NUL */
    assert_int_equal(value_at("\"a\0b\"", 5, 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_non_null(strstr(e.msg, "control character in quoted string at offset 2"));
    assert_int_equal(value_at(S("\"a\x7f\""), 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_int_equal(value_at(S("\"a\rb\""), 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_non_null(strstr(e.msg, "bare CR at offset 2"));
    assert_int_equal(value_at(S("\"a\r\nb\""), 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_non_null(strstr(e.msg, "not a folded line"));
    assert_int_equal(value_at(S("[]"), 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_int_equal(value_at(S("[::1"), 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_int_equal(value_at(S(";"), 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_non_null(strstr(e.msg, "(';')"));
    assert_int_equal(value_at(S("\x80"), 0, &vs, &vn, &q, &e), PHONESEC_E_PARSE);
    assert_non_null(strstr(e.msg, "(byte 0x80)"));
}

static void lws_and_tokens(void **state)
{
    static const char v[] = "  \r\n\tsdes-srtp ;\r\n q=0.1";
    phonesec__err e;
    phonesec__text_rd r = {v, sizeof v - 1, 0, &e};
    char sh[12];
    (void)state;
    phonesec__err_clear(&e);
    assert_int_equal(phonesec__text_skip_lws(&r), 0);
    assert_int_equal(r.i, 5);
    assert_int_equal(phonesec__text_token(&r), 9);
    assert_int_equal(phonesec__text_skip_lws(&r), 0);
    assert_string_equal(phonesec__text_show(&r, sh), "';'");
    r.i++;
    assert_int_equal(phonesec__text_skip_lws(&r), 0);
    assert_int_equal(phonesec__text_token(&r), 1);
    r.i = r.n;
    assert_string_equal(phonesec__text_show(&r, sh), "end of value");
    /* a line break at the very end is no fold */
    r.s = "a\r\n";
    r.n = 3;
    r.i = 1;
    assert_int_equal(phonesec__text_skip_lws(&r), PHONESEC_E_PARSE);
}

static void comma_lists(void **state)
{
    static const char v[] = "timer ,100rel,\r\n  Sec-Agree , ,path";
    size_t i = 0, st, e, k = 0;
    static const char *const want[] = {"timer", "100rel", "Sec-Agree", "", "path"};
    (void)state;
    while (i <= sizeof v - 1) {
        i = phonesec__text_list_next(v, sizeof v - 1, i, &st, &e);
        assert_true(k < 5);
        assert_int_equal(e - st, strlen(want[k]));
        assert_memory_equal(v + st, want[k], e - st);
        k++;
    }
    assert_int_equal(k, 5);
    assert_true(phonesec__text_list_has(S(v), "sec-agree"));
    assert_true(phonesec__text_list_has(S(v), "PATH"));
    assert_false(phonesec__text_list_has(S(v), "sec"));
    assert_false(phonesec__text_list_has(S(v), "timer ,100rel"));
    assert_false(phonesec__text_list_has("", 0, "x"));
}

static void sdp_lines(void **state)
{
    static const char t[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\n\r\ns=-\n\nm=audio 5004 RTP/SAVP 0";
    phonesec__text_line ln;
    size_t pos = 0;
    (void)state;
    assert_int_equal(phonesec__text_line_next(S(t), &pos, &ln), 1);
    assert_int_equal(ln.off, 0);
    assert_int_equal(ln.len, 3);
    assert_int_equal(ln.eol, 2);
    assert_int_equal(phonesec__text_line_next(S(t), &pos, &ln), 1);
    assert_int_equal(ln.len, strlen("o=- 1 1 IN IP4 192.0.2.1"));
    assert_int_equal(ln.eol, 1);
    assert_int_equal(phonesec__text_line_next(S(t), &pos, &ln), 1); /* "\r\n": blank */
    assert_int_equal(ln.len, 0);
    assert_int_equal(ln.eol, 2);
    assert_int_equal(phonesec__text_line_next(S(t), &pos, &ln), 1);
    assert_memory_equal(t + ln.off, "s=-", 3);
    assert_int_equal(phonesec__text_line_next(S(t), &pos, &ln), 1);
    assert_int_equal(ln.len, 0);
    assert_int_equal(phonesec__text_line_next(S(t), &pos, &ln), 1);
    assert_int_equal(ln.eol, 0);
    assert_int_equal(ln.len, strlen("m=audio 5004 RTP/SAVP 0"));
    assert_int_equal(phonesec__text_line_next(S(t), &pos, &ln), 0);
    assert_int_equal(pos, sizeof t - 1);

    assert_true(phonesec__text_sdp_line_ok(S("a=x")));
    assert_true(phonesec__text_sdp_line_ok(S("v=")));
    assert_false(phonesec__text_sdp_line_ok(S("A=x")));
    assert_false(phonesec__text_sdp_line_ok(S("a")));
    assert_false(phonesec__text_sdp_line_ok(S("ab=x")));
    assert_false(phonesec__text_sdp_line_ok(S(" a=x")));
    assert_false(phonesec__text_sdp_line_ok("a=\0x", 4));
    assert_false(phonesec__text_sdp_line_ok(S("a=x\ry")));
}

static void sdp_long_and_nul_lines(void **state)
{
    size_t n = 200000, pos = 0;
    phonesec__text_line ln;
    char *t = malloc(n + 8);
    (void)state;
    assert_non_null(t);
    memcpy(t, "a=", 2);
    memset(t + 2, 'k', n);
    memcpy(t + 2 + n, "\r\nb=\0\n", 6);
    assert_int_equal(phonesec__text_line_next(t, n + 8, &pos, &ln), 1);
    assert_int_equal(ln.len, n + 2);
    assert_true(phonesec__text_sdp_line_ok(t + ln.off, ln.len));
    assert_int_equal(phonesec__text_line_next(t, n + 8, &pos, &ln), 1);
    assert_int_equal(ln.len, 3);
    assert_false(phonesec__text_sdp_line_ok(t + ln.off, ln.len));
    assert_int_equal(phonesec__text_line_next(t, n + 8, &pos, &ln), 0);
    free(t);
}

static void sdp_attributes(void **state)
{
    const char *v = NULL;
    size_t vn = 99;
    (void)state;
    assert_true(phonesec__text_sdp_attr(S("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:x \t"), "crypto", &v, &vn));
    assert_int_equal(vn, strlen("1 AES_CM_128_HMAC_SHA1_80 inline:x"));
    assert_memory_equal(v, "1 AES", 5);
    assert_true(phonesec__text_sdp_attr(S("a=3GE2AE:applied"), "3ge2ae", &v, &vn));
    assert_memory_equal(v, "applied", vn);
    assert_true(phonesec__text_sdp_attr(S("a=rtcp-mux"), "rtcp-mux", &v, &vn));
    assert_int_equal(vn, 0);
    assert_true(phonesec__text_sdp_attr(S("a=crypto:"), "crypto", NULL, NULL));
    assert_false(phonesec__text_sdp_attr(S("a=cryptox:1"), "crypto", &v, &vn));
    assert_false(phonesec__text_sdp_attr(S("a=crypt"), "crypto", &v, &vn));
    assert_false(phonesec__text_sdp_attr(S("b=crypto:1"), "crypto", &v, &vn));
}

/* RFC 4648 §10 */
static const char *const vec_in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const vec_out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};

static void base64_stream_rfc4648(void **state)
{
    size_t v, i, n, m;
    (void)state;
    for (v = 0; v < 7; v++) {
        char out[16];
        uint8_t back[8], tail[2];
        phonesec__sb b = {out, sizeof out, 0};
        phonesec__b64_enc e;
        phonesec__b64_dec d;
        const char *why = NULL;
        size_t got = 0;
        phonesec__b64_enc_init(&e, 0);
        for (i = 0; i < strlen(vec_in[v]); i++) /* one byte at a time */
            phonesec__b64_enc_update(&e, (const uint8_t *)vec_in[v] + i, 1, &b);
        phonesec__b64_enc_final(&e, &b);
        assert_int_equal(b.len, strlen(vec_out[v]));
        assert_memory_equal(out, vec_out[v], b.len);
        phonesec__b64_dec_init(&d);
        for (i = 0; i < strlen(vec_out[v]); i++) { /* one character at a time */
            assert_int_equal(phonesec__b64_dec_update(&d, vec_out[v] + i, 1, back + got, &n, &why), 0);
            got += n;
        }
        assert_int_equal(phonesec__b64_dec_final(&d, tail, &m, &why), 0);
        memcpy(back + got, tail, m);
        got += m;
        assert_int_equal(got, strlen(vec_in[v]));
        assert_memory_equal(back, vec_in[v], got);
    }
}

static void base64_stream_wrap_and_errors(void **state)
{
    uint8_t in[48], out[64];
    char txt[80];
    phonesec__sb b = {txt, sizeof txt, 0};
    phonesec__b64_enc e;
    phonesec__b64_dec d;
    const char *why = NULL;
    size_t n, m;
    (void)state;
    /* 48 bytes: exactly one 64-character line, then its line end; final adds nothing */
    memset(in, 0, sizeof in);
    phonesec__b64_enc_init(&e, 64);
    phonesec__b64_enc_update(&e, in, sizeof in, &b);
    assert_int_equal(b.len, 65);
    assert_int_equal(txt[64], '\n');
    assert_int_equal(txt[0], 'A');
    phonesec__b64_enc_final(&e, &b);
    assert_int_equal(b.len, 65);
    /* one byte more: a second, ended line "AA==\n" */
    phonesec__b64_enc_update(&e, in, 1, &b);
    phonesec__b64_enc_final(&e, &b);
    assert_int_equal(b.len, 70);
    assert_memory_equal(txt + 65, "AA==\n", 5);

    /* white space anywhere, split across calls */
    phonesec__b64_dec_init(&d);
    assert_int_equal(phonesec__b64_dec_update(&d, S(" Zm\r\n9v Y"), out, &n, &why), 0);
    assert_int_equal(n, 3);
    assert_int_equal(phonesec__b64_dec_update(&d, S("g =\t="), out + 3, &m, &why), 0);
    assert_int_equal(m, 0);
    assert_int_equal(phonesec__b64_dec_final(&d, out + 3, &m, &why), 0);
    assert_int_equal(m, 1);
    assert_memory_equal(out, "foob", 4);
    /* errors */
    phonesec__b64_dec_init(&d);
    assert_int_equal(phonesec__b64_dec_update(&d, S("Z="), out, &n, &why), PHONESEC_E_PARSE);
    phonesec__b64_dec_init(&d);
    assert_int_equal(phonesec__b64_dec_update(&d, S("Zg=a"), out, &n, &why), PHONESEC_E_PARSE);
    phonesec__b64_dec_init(&d);
    assert_int_equal(phonesec__b64_dec_update(&d, S("Zg*="), out, &n, &why), PHONESEC_E_PARSE);
    assert_non_null(strstr(why, "alphabet"));
    phonesec__b64_dec_init(&d);
    assert_int_equal(phonesec__b64_dec_update(&d, "Zg\0=", 4, out, &n, &why), PHONESEC_E_PARSE);
    phonesec__b64_dec_init(&d);
    assert_int_equal(phonesec__b64_dec_update(&d, S("Zm9vZ"), out, &n, &why), 0);
    assert_int_equal(phonesec__b64_dec_final(&d, out, &m, &why), PHONESEC_E_TRUNCATED);
    phonesec__b64_dec_init(&d);
    assert_int_equal(phonesec__b64_dec_update(&d, S("Zh=="), out, &n, &why), 0); /* 'h': low bits set */
    assert_int_equal(phonesec__b64_dec_final(&d, out, &m, &why), PHONESEC_E_PARSE);
    phonesec__b64_dec_init(&d);
    assert_int_equal(phonesec__b64_dec_update(&d, S("Zg="), out, &n, &why), 0);
    assert_int_equal(phonesec__b64_dec_final(&d, out, &m, &why), PHONESEC_E_PARSE);
    assert_non_null(strstr(why, "padding"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tokens),
        cmocka_unit_test(string_builder),
        cmocka_unit_test(sip_folding_and_compact_forms),
        cmocka_unit_test(sip_malformed),
        cmocka_unit_test(sip_nul_and_long_values),
        cmocka_unit_test(quoted_strings_and_values),
        cmocka_unit_test(lws_and_tokens),
        cmocka_unit_test(comma_lists),
        cmocka_unit_test(sdp_lines),
        cmocka_unit_test(sdp_long_and_nul_lines),
        cmocka_unit_test(sdp_attributes),
        cmocka_unit_test(base64_stream_rfc4648),
        cmocka_unit_test(base64_stream_wrap_and_errors),
    };
    return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
