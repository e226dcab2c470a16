/* Unit tests: RFC 3329 mechanism lists and the raw SIP message helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static phonesec_mediasec_list *parse_ok(const char *v)
{
    phonesec_mediasec_list *l = NULL;
    char err[300];
    assert_int_equal(phonesec_mediasec_list_new(&l), 0);
    int rc = phonesec_mediasec_list_parse(l, v, strlen(v));
    if (rc != 0) {
        (void)phonesec_mediasec_list_last_error(l, err, sizeof err);
        fail_msg("parse of [%s] failed: %s", v, err);
    }
    return l;
}

static int parse_rc(const char *v, char *err, size_t cap)
{
    phonesec_mediasec_list *l = NULL;
    int rc;
    assert_int_equal(phonesec_mediasec_list_new(&l), 0);
    assert_int_equal(phonesec_mediasec_list_parse(l, "tls", 3), 0);
    rc = phonesec_mediasec_list_parse(l, v, strlen(v));
    if (rc != 0) {
        /* failed parse leaves the list as it was */
        assert_int_equal(phonesec_mediasec_list_count(l), 1);
        assert_string_equal(phonesec_mediasec_list_name(l, 0), "tls");
    }
    if (err)
        (void)phonesec_mediasec_list_last_error(l, err, cap);
    phonesec_mediasec_list_free(l);
    return rc;
}

static char *print(const phonesec_mediasec_list *l, const char *h, int style)
{
    static char buf[2048];
    size_t n;
    assert_int_equal(phonesec_mediasec_list_print(l, h, style, buf, sizeof buf, &n), 0);
    assert_int_equal(strlen(buf), n);
    return buf;
}

static void rfc3329_examples(void **state)
{
    /* RFC 3329 §4 examples */
    phonesec_mediasec_list *l = parse_ok("ipsec-ike;q=0.1, tls;q=0.2");
    unsigned q;
    (void)state;
    assert_int_equal(phonesec_mediasec_list_count(l), 2);
    assert_string_equal(phonesec_mediasec_list_name(l, 0), "ipsec-ike");
    assert_int_equal(phonesec_mediasec_list_q(l, 0, &q), 0);
    assert_int_equal(q, 100);
    assert_int_equal(phonesec_mediasec_list_q(l, 1, &q), 0);
    assert_int_equal(q, 200);
    assert_string_equal(print(l, NULL, PHONESEC_MEDIASEC_STYLE_VALUE), "ipsec-ike;q=0.1, tls;q=0.2");
    assert_string_equal(print(l, "Security-Verify", PHONESEC_MEDIASEC_STYLE_SINGLE),
                        "Security-Verify: ipsec-ike;q=0.1, tls;q=0.2\r\n");
    assert_string_equal(print(l, "Security-Verify", PHONESEC_MEDIASEC_STYLE_PER_MECH),
                        "Security-Verify: ipsec-ike;q=0.1\r\nSecurity-Verify: tls;q=0.2\r\n");
    phonesec_mediasec_list_free(l);

    l = parse_ok("digest;d-alg=md5;d-ver=\"0123456789abcdef0123456789abcdef\";d-qop=auth-int;q=0.1");
    const char *v;
    assert_int_equal(phonesec_mediasec_list_get(l, 0, "D-VER", &v), 0);
    assert_string_equal(v, "\"0123456789abcdef0123456789abcdef\"");
    assert_int_equal(phonesec_mediasec_list_get(l, 0, "d-qop", &v), 0);
    assert_string_equal(v, "auth-int");
    assert_int_equal(phonesec_mediasec_list_get(l, 0, "nope", &v), PHONESEC_E_NOT_FOUND);
    phonesec_mediasec_list_free(l);
}

static void mechanisms_and_generic_params(void **state)
{
    static const char *mechs[] = {"digest", "tls", "ipsec-ike", "ipsec-man", "sdes-srtp", "msrp-tls",
                                  "dtls-srtp", "bfcp-tls", "udptl-dtls", "ipsec-3gpp", "X-Vendor.Mech_1"};
    size_t i;
    (void)state;
    for (i = 0; i < sizeof mechs / sizeof mechs[0]; i++) {
        char v[100];
        snprintf(v, sizeof v, "%s;mediasec", mechs[i]);
        phonesec_mediasec_list *l = parse_ok(v);
        assert_string_equal(phonesec_mediasec_list_name(l, 0), mechs[i]);
        assert_int_equal(phonesec_mediasec_list_is_media(l, 0), 1);
        assert_string_equal(print(l, NULL, 0), v);
        phonesec_mediasec_list_free(l);
    }
    /* generic parameters: order and spelling kept, white space normalised */
    phonesec_mediasec_list *l =
        parse_ok("  SDES-SRTP ; MediaSec ; Foo = \"a b;c,d\" ; bar ; alg=HMAC ;ip=[2001:db8::1] ;q=0.500 , tls");
    assert_string_equal(print(l, NULL, 0), "SDES-SRTP;MediaSec;Foo=\"a b;c,d\";bar;alg=HMAC;ip=[2001:db8::1];q=0.500, tls");
    assert_int_equal(phonesec_mediasec_list_is_media(l, 0), 1);
    assert_int_equal(phonesec_mediasec_list_is_media(l, 1), 0);
    assert_int_equal(phonesec_mediasec_list_param_count(l, 0), 6);
    const char *n, *v;
    assert_int_equal(phonesec_mediasec_list_param(l, 0, 2, &n, &v), 0);
    assert_string_equal(n, "bar");
    assert_null(v);
    assert_int_equal(phonesec_mediasec_list_param(l, 0, 6, &n, &v), PHONESEC_E_NOT_FOUND);
    size_t idx;
    assert_int_equal(phonesec_mediasec_list_find(l, "sdes-srtp", &idx), 0);
    assert_int_equal(idx, 0);
    assert_int_equal(phonesec_mediasec_list_find(l, "TLS", &idx), 0);
    assert_int_equal(idx, 1);
    assert_int_equal(phonesec_mediasec_list_find(l, "digest", &idx), PHONESEC_E_NOT_FOUND);
    phonesec_mediasec_list_free(l);
}

static void folded_and_repeated(void **state)
{
    phonesec_mediasec_list *l = parse_ok("sdes-srtp;mediasec,\r\n msrp-tls;mediasec\r\n\t,dtls-srtp;\r\n  mediasec");
    (void)state;
    assert_int_equal(phonesec_mediasec_list_count(l), 3);
    assert_string_equal(print(l, NULL, 0), "sdes-srtp;mediasec, msrp-tls;mediasec, dtls-srtp;mediasec");
    /* repeated headers accumulate in order */
    assert_int_equal(phonesec_mediasec_list_parse(l, "tls;q=0.2", 9), 0);
    assert_int_equal(phonesec_mediasec_list_count(l), 4);
    assert_string_equal(phonesec_mediasec_list_name(l, 3), "tls");
    /* a fold inside a quoted string keeps the white space */
    phonesec_mediasec_list_clear(l);
    assert_int_equal(phonesec_mediasec_list_count(l), 0);
    assert_int_equal(phonesec_mediasec_list_parse(l, "x;v=\"a\r\n b\"", 11), 0);
    assert_string_equal(print(l, NULL, 0), "x;v=\"a b\"");
    phonesec_mediasec_list_free(l);
}

static void qvalue_grammar(void **state)
{
    static const char *good[] = {"0", "0.", "0.5", "0.25", "0.125", "0.000", "1", "1.", "1.0", "1.00", "1.000"};
    static const unsigned goodq[] = {0, 0, 500, 250, 125, 0, 1000, 1000, 1000, 1000, 1000};
    static const char *bad[] = {"",    "2",     "0.1234", "1.001", "1.5",  ".5", "-0",
                                "00.1", "\"0.5\"", "0.5x",   "01",    "+0.1", "1e0", "0.5 0"};
    size_t i;
    char v[64], err[300];
    (void)state;
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        unsigned q = 9999;
        snprintf(v, sizeof v, "tls;q=%s", good[i]);
        phonesec_mediasec_list *l = parse_ok(v);
        assert_int_equal(phonesec_mediasec_list_q(l, 0, &q), 0);
        assert_int_equal(q, goodq[i]);
        assert_string_equal(print(l, NULL, 0), v);
        phonesec_mediasec_list_free(l);
    }
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(v, sizeof v, "tls;q=%s", bad[i]);
        assert_int_equal(parse_rc(v, err, sizeof err), PHONESEC_E_PARSE);
        if (bad[i][0] != '\0' && strcmp(bad[i], "0.5 0") != 0 && strcmp(bad[i], "0,5") != 0)
            assert_non_null(strstr(err, "q value"));
    }
}

static void malformed_lists(void **state)
{
    static const struct {
        const char *v;
        const char *why;
    } bad[] = {
        {"", "empty header value"},
        {"   ", "empty header value"},
        {",tls", "empty entry"},
        {"tls,,digest", "empty entry"},
        {"tls, ,digest", "empty entry"},
        {"tls,", "trailing comma"},
        {"tls;", "parameter name"},
        {"tls;;q=0.1", "parameter name"},
        {"tls;=x", "parameter name"},
        {"tls;a=", "parameter value"},
        {"t@ls", "expected ';' or ','"},
        {"\"tls\"", "mechanism name"},
        {"tls q=0.1", "expected ';' or ','"},
        {"digest;d-ver=0123456789abcdef0123456789abcdef", "d-ver"},
        {"digest;d-ver=\"0123456789ABCDEF0123456789abcdef\"", "d-ver"},
        {"digest;d-ver=\"0123456789abcdef0123456789abcde\"", "d-ver"},
        {"digest;d-ver=\"0123456789abcdef0123456789abcdef0\"", "d-ver"},
        {"digest;d-ver=\"0123456789abcdeg0123456789abcdef\"", "d-ver"},
        {"digest;d-alg", "token value"},
        {"digest;d-qop=\"auth\"", "token value"},
        {"sdes-srtp;mediasec=yes", "flag parameter"},
        {"tls;q=0.1;Q=0.2", "twice"},
        {"tls;x=\"abc", "unterminated"},
        {"tls\r\n;q=0.1", "folded line"},
        {"tls\r;q=0.1", "bare CR"},
        {"tls;x=\"a\x01\"", "control character"},
        {"tls;ip=[zz]", "IPv6"},
        {"tls\x80", "byte 0x80"},
    };
    size_t i;
    char err[300];
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = parse_rc(bad[i].v, err, sizeof err);
        if (rc != PHONESEC_E_PARSE || strstr(err, bad[i].why) == NULL)
            fail_msg("[%s]: rc %d err '%s' (wanted '%s')", bad[i].v, rc, err, bad[i].why);
    }
}

static void fuzz_regressions(void **state)
{
    phonesec_mediasec_list *l = NULL;
    char out[256], err[300];
    size_t n, vo, vl;
    static const char NUL_PAIR[] = "x;v=\"a\\\0b\"";
    static const char FOLD_ONLY[] = "OPTIONS sip:a SIP/2.0\r\nRequire: a\r\n \r\nl: 0\r\n\r\n";
    (void)state;
    /* a quoted pair with NUL would cut the stored value short: refused */
    assert_int_equal(phonesec_mediasec_list_new(&l), 0);
    assert_int_equal(phonesec_mediasec_list_parse(l, NUL_PAIR, sizeof NUL_PAIR - 1), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_mediasec_list_last_error(l, err, sizeof err), 0);
    assert_non_null(strstr(err, "quoted pair"));
    phonesec_mediasec_list_free(l);
    /* a continuation line holding only white space ends the value before it */
    assert_int_equal(phonesec_mediasec_msg_find(FOLD_ONLY, sizeof FOLD_ONLY - 1, "Require", 0, &vo, &vl), 0);
    assert_int_equal(vl, 1);
    assert_int_equal(phonesec_mediasec_msg_add_tag(FOLD_ONLY, sizeof FOLD_ONLY - 1, "Require", "t", out, sizeof out,
                                                   &n, NULL),
                     0);
    assert_string_equal(out, "OPTIONS sip:a SIP/2.0\r\nRequire: a, t\r\n \r\nl: 0\r\n\r\n");
    assert_int_equal(phonesec_mediasec_msg_has_tag(out, n, "Require", "t"), 1);
}

static void limits_and_args(void **state)
{
    phonesec_mediasec_list *l = NULL;
    char big[4096], out[8];
    size_t i, n = 0, k;
    (void)state;
    for (i = 0; i < PHONESEC_MEDIASEC_MAX_MECHS + 1; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "%sm%zu", i ? "," : "", i);
    assert_int_equal(phonesec_mediasec_list_new(&l), 0);
    assert_int_equal(phonesec_mediasec_list_parse(l, big, n), PHONESEC_E_LIMIT);
    assert_int_equal(phonesec_mediasec_list_count(l), 0);
    n = (size_t)snprintf(big, sizeof big, "tls");
    for (i = 0; i < PHONESEC_MEDIASEC_MAX_PARAMS + 1; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, ";p%zu", i);
    assert_int_equal(phonesec_mediasec_list_parse(l, big, n), PHONESEC_E_LIMIT);
    assert_int_equal(phonesec_mediasec_list_parse(NULL, "tls", 3), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_mediasec_list_parse(l, NULL, 3), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_mediasec_list_print(l, NULL, 0, out, sizeof out, &k), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_mediasec_list_parse(l, "sdes-srtp;mediasec", 18), 0);
    memset(out, 'x', sizeof out);
    assert_int_equal(phonesec_mediasec_list_print(l, NULL, 0, out, sizeof out, &k), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(k, 18);
    assert_int_equal(out[0], 'x');
    assert_int_equal(phonesec_mediasec_list_print(l, "Bad Name", 1, out, sizeof out, &k), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_mediasec_list_print(l, "X", 7, out, sizeof out, &k), PHONESEC_E_INVAL);
    assert_null(phonesec_mediasec_list_name(l, 1));
    assert_null(phonesec_mediasec_list_name(NULL, 0));
    assert_int_equal(phonesec_mediasec_list_count(NULL), 0);
    assert_int_equal(phonesec_mediasec_list_is_media(l, 5), 0);
    assert_int_equal(phonesec_mediasec_list_new(NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_mediasec_list_append(l, l), PHONESEC_E_INVAL);
    phonesec_mediasec_list_free(l);
    phonesec_mediasec_list_free(NULL);
}

static void equality_rules(void **state)
{
    static const struct {
        const char *a, *b;
        int eq;
    } cases[] = {
        {"tls;q=0.2", "tls;q=0.2", 1},
        {"tls;q=0.2", "TLS;Q=0.200", 1},
        {"tls;q=0.2", "tls;q=0.3", 0},
        {"tls;q=0.2", "tls", 0},
        {"tls, digest", "digest, tls", 0},
        {"tls", "tls, digest", 0},
        {"sdes-srtp;mediasec", "sdes-srtp", 0},
        {"sdes-srtp;mediasec;q=0.1", "sdes-srtp;q=0.1;mediasec", 1},
        {"digest;d-alg=md5", "digest;d-alg=MD5", 1},
        {"x;v=\"Ab\"", "x;v=\"ab\"", 0},
        {"x;v=\"ab\"", "x;v=\"ab\"", 1},
        {"x;a=1;b=2", "x;a=1;c=2", 0},
        {"x;a", "x;a=1", 0},
        /* repeated generic parameters compare as a multiset (found by fuzzing) */
        {"x;a=1;a=2", "x;a=2;a=1", 1},
        {"x;a=1;a=1", "x;a=1;a=2", 0},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        phonesec_mediasec_list *a = parse_ok(cases[i].a), *b = parse_ok(cases[i].b);
        int want = cases[i].eq ? PHONESEC_OK : PHONESEC_E_NO_MATCH;
        if (phonesec_mediasec_list_equal(a, b) != want || phonesec_mediasec_list_equal(b, a) != want)
            fail_msg("equal(%s, %s) should be %d", cases[i].a, cases[i].b, cases[i].eq);
        phonesec_mediasec_list_free(a);
        phonesec_mediasec_list_free(b);
    }
    assert_int_equal(phonesec_mediasec_list_equal(NULL, NULL), PHONESEC_E_INVAL);
}

static void append_copies(void **state)
{
    phonesec_mediasec_list *a = parse_ok("sdes-srtp;mediasec;q=0.5"), *b = parse_ok("tls;x=\"y\", digest");
    (void)state;
    assert_int_equal(phonesec_mediasec_list_append(a, b), 0);
    phonesec_mediasec_list_free(b);
    assert_string_equal(print(a, NULL, 0), "sdes-srtp;mediasec;q=0.5, tls;x=\"y\", digest");
    phonesec_mediasec_list_free(a);
}

static void out_of_memory(void **state)
{
    long n;
    (void)state;
    for (n = 1; n < 60; n++) {
        phonesec_mediasec_list *l = NULL, *c = NULL;
        long live = test_alloc_live;
        int rc;
        test_alloc_calls = 0;
        test_alloc_fail_at = n;
        rc = phonesec_mediasec_list_new(&l);
        if (rc == 0) {
            static const char V[] = "sdes-srtp;mediasec;q=0.5, tls;a=b;c;d=\"e\", x, y, z, w, v, u";
            rc = phonesec_mediasec_list_parse(l, V, sizeof V - 1);
            assert_true(rc == 0 || rc == PHONESEC_E_NOMEM);
            if (rc == 0 && phonesec_mediasec_list_new(&c) == 0) {
                rc = phonesec_mediasec_list_append(c, l);
                assert_true(rc == 0 || rc == PHONESEC_E_NOMEM);
                if (rc == PHONESEC_E_NOMEM)
                    assert_int_equal(phonesec_mediasec_list_count(c), 0);
            }
        } else {
            assert_int_equal(rc, PHONESEC_E_NOMEM);
        }
        phonesec_mediasec_list_free(c);
        phonesec_mediasec_list_free(l);
        test_alloc_fail_at = 0;
        assert_int_equal(test_alloc_live, live);
    }
}

/* ---- raw message helpers ---------------------------------------------- */

static const char MSG[] = "SIP/2.0 401 Unauthorized\r\n"
                          "v: SIP/2.0/TLS 10.0.0.1;branch=z9hG4bK1\r\n"
                          "Via: SIP/2.0/TLS 10.0.0.2;branch=z9hG4bK2\r\n"
                          "security-server: msrp-tls;mediasec\r\n"
                          "SECURITY-SERVER :  sdes-srtp;mediasec,\r\n"
                          "   dtls-srtp;mediasec  \r\n"
                          "CSeq: 1 REGISTER\r\n"
                          "Require:\r\n"
                          "l: 4\r\n"
                          "\r\n"
                          "body";

static void msg_find(void **state)
{
    size_t off, len, n;
    (void)state;
    assert_int_equal(phonesec_mediasec_msg_count(MSG, sizeof MSG - 1, "Via", &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(phonesec_mediasec_msg_count(MSG, sizeof MSG - 1, "v", &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(phonesec_mediasec_msg_find(MSG, sizeof MSG - 1, "Via", 0, &off, &len), 0);
    assert_memory_equal(MSG + off, "SIP/2.0/TLS 10.0.0.1;branch=z9hG4bK1", len);
    assert_int_equal(phonesec_mediasec_msg_find(MSG, sizeof MSG - 1, "Content-Length", 0, &off, &len), 0);
    assert_int_equal(len, 1);
    assert_int_equal(MSG[off], '4');
    assert_int_equal(phonesec_mediasec_msg_find(MSG, sizeof MSG - 1, "Security-Server", 1, &off, &len), 0);
    assert_int_equal(len, strlen("sdes-srtp;mediasec,\r\n   dtls-srtp;mediasec"));
    assert_memory_equal(MSG + off, "sdes-srtp;mediasec,\r\n   dtls-srtp;mediasec", len);
    assert_int_equal(phonesec_mediasec_msg_find(MSG, sizeof MSG - 1, "Security-Server", 2, &off, &len),
                     PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_mediasec_msg_find(MSG, sizeof MSG - 1, "Require", 0, &off, &len), 0);
    assert_int_equal(len, 0);
    /* body text that looks like a header is not a header */
    assert_int_equal(phonesec_mediasec_msg_find("SIP/2.0 200 OK\r\n\r\nVia: x\r\n", 25, "Via", 0, &off, &len),
                     PHONESEC_E_NOT_FOUND);
    /* framing errors */
    assert_int_equal(phonesec_mediasec_msg_count("SIP/2.0 200 OK\r\nVia: x\r\n", 24, "Via", &n), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_mediasec_msg_count("SIP/2.0 200 OK\r\nNoColon\r\n\r\n", 27, "Via", &n),
                     PHONESEC_E_PARSE);
    assert_int_equal(phonesec_mediasec_msg_count("SIP/2.0 200 OK\r\n x: y\r\n\r\n", 25, "Via", &n), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_mediasec_msg_count(MSG, sizeof MSG - 1, "Bad Name", &n), PHONESEC_E_INVAL);

    phonesec_mediasec_list *l = NULL;
    assert_int_equal(phonesec_mediasec_list_new(&l), 0);
    assert_int_equal(phonesec_mediasec_list_from_msg(l, MSG, sizeof MSG - 1, "Security-Server"), 0);
    assert_string_equal(print(l, NULL, 0), "msrp-tls;mediasec, sdes-srtp;mediasec, dtls-srtp;mediasec");
    assert_int_equal(phonesec_mediasec_list_from_msg(l, MSG, sizeof MSG - 1, "Security-Verify"),
                     PHONESEC_E_NOT_FOUND);
    phonesec_mediasec_list_free(l);
}

static void msg_status_method(void **state)
{
    char m[16];
    int st;
    (void)state;
    assert_int_equal(phonesec_mediasec_msg_status(MSG, sizeof MSG - 1, &st), 0);
    assert_int_equal(st, 401);
    assert_int_equal(phonesec_mediasec_msg_method(MSG, sizeof MSG - 1, m, sizeof m), 0);
    assert_string_equal(m, "REGISTER");
    assert_int_equal(phonesec_mediasec_msg_method("OPTIONS sip:a SIP/2.0\r\n\r\n", 25, m, sizeof m), 0);
    assert_string_equal(m, "OPTIONS");
    assert_int_equal(phonesec_mediasec_msg_method("OPTIONS sip:a SIP/2.0\r\n\r\n", 25, m, 4),
                     PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(phonesec_mediasec_msg_status("OPTIONS sip:a SIP/2.0\r\n\r\n", 25, &st), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_mediasec_msg_status("SIP/2.0 99 x\r\n\r\n", 16, &st), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_mediasec_msg_method("SIP/2.0 200 OK\r\n\r\n", 18, m, sizeof m), PHONESEC_E_PARSE);
}

static void msg_edit(void **state)
{
    char out[1024];
    size_t n, removed;
    int changed;
    static const char R[] = "OPTIONS sip:a SIP/2.0\r\nVia: x\r\nRequire: 100rel\r\nRequire: timer,\r\n precondition\r\n"
                            "Content-Length: 0\r\n\r\n";
    (void)state;
    /* insert: before Content-Length when no header of that name */
    assert_int_equal(phonesec_mediasec_msg_insert(R, sizeof R - 1, "X-A", "1", out, sizeof out, &n), 0);
    assert_string_equal(out, "OPTIONS sip:a SIP/2.0\r\nVia: x\r\nRequire: 100rel\r\nRequire: timer,\r\n precondition\r\n"
                             "X-A: 1\r\nContent-Length: 0\r\n\r\n");
    /* after the last header of the same name (continuation included) */
    assert_int_equal(phonesec_mediasec_msg_insert(R, sizeof R - 1, "require", "y", out, sizeof out, &n), 0);
    assert_string_equal(out, "OPTIONS sip:a SIP/2.0\r\nVia: x\r\nRequire: 100rel\r\nRequire: timer,\r\n precondition\r\n"
                             "require: y\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(phonesec_mediasec_msg_insert(R, sizeof R - 1, "X", "a\r\nInjected: 1", out, sizeof out, &n),
                     PHONESEC_E_INVAL);
    /* remove: every instance, continuation lines included */
    assert_int_equal(phonesec_mediasec_msg_remove(R, sizeof R - 1, "Require", out, sizeof out, &n, &removed), 0);
    assert_int_equal(removed, 2);
    assert_string_equal(out, "OPTIONS sip:a SIP/2.0\r\nVia: x\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(n, strlen(out));
    /* replace at the place of the first */
    assert_int_equal(phonesec_mediasec_msg_replace(R, sizeof R - 1, "Require", "z", out, sizeof out, &n), 0);
    assert_string_equal(out, "OPTIONS sip:a SIP/2.0\r\nVia: x\r\nRequire: z\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(phonesec_mediasec_msg_replace(R, sizeof R - 1, "Supported", "k1", out, sizeof out, &n), 0);
    assert_string_equal(out, "OPTIONS sip:a SIP/2.0\r\nVia: x\r\nRequire: 100rel\r\nRequire: timer,\r\n precondition\r\n"
                             "Supported: k1\r\nContent-Length: 0\r\n\r\n");
    /* option tags: present in the second (folded) Require: unchanged */
    assert_int_equal(phonesec_mediasec_msg_has_tag(R, sizeof R - 1, "Require", "PRECONDITION"), 1);
    assert_int_equal(phonesec_mediasec_msg_add_tag(R, sizeof R - 1, "Require", "precondition", out, sizeof out, &n,
                                                   &changed),
                     0);
    assert_int_equal(changed, 0);
    assert_string_equal(out, R);
    /* absent: appended to the first Require, never a second copy */
    assert_int_equal(phonesec_mediasec_msg_add_tag(R, sizeof R - 1, "Require", "sec-agree", out, sizeof out, &n,
                                                   &changed),
                     0);
    assert_int_equal(changed, 1);
    assert_string_equal(out, "OPTIONS sip:a SIP/2.0\r\nVia: x\r\nRequire: 100rel, sec-agree\r\nRequire: timer,\r\n"
                             " precondition\r\nContent-Length: 0\r\n\r\n");
    char again[1024];
    size_t n2;
    assert_int_equal(phonesec_mediasec_msg_add_tag(out, n, "Require", "sec-agree", again, sizeof again, &n2, &changed),
                     0);
    assert_int_equal(changed, 0);
    assert_string_equal(again, out);
    /* no such header: a new one */
    assert_int_equal(phonesec_mediasec_msg_add_tag(R, sizeof R - 1, "Proxy-Require", "sec-agree", out, sizeof out, &n,
                                                   &changed),
                     0);
    assert_non_null(strstr(out, "Proxy-Require: sec-agree\r\nContent-Length: 0\r\n"));
    /* substring of another tag does not count */
    assert_int_equal(phonesec_mediasec_msg_has_tag("A sip:a SIP/2.0\r\nRequire: sec-agreement\r\n\r\n", 43, "Require",
                                                   "sec-agree"),
                     0);
    /* remove_tag: from a list, and a header left empty goes */
    static const char T[] = "OPTIONS sip:a SIP/2.0\r\nRequire: 100rel, SEC-AGREE,\r\n timer\r\n"
                            "Proxy-Require: sec-agree\r\nrequire: x\r\nContent-Length: 0\r\n\r\n";
    assert_int_equal(phonesec_mediasec_msg_remove_tag(T, sizeof T - 1, "Require", "sec-agree", out, sizeof out, &n,
                                                      &changed),
                     0);
    assert_int_equal(changed, 1);
    assert_string_equal(out, "OPTIONS sip:a SIP/2.0\r\nRequire: 100rel, timer\r\n"
                             "Proxy-Require: sec-agree\r\nrequire: x\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(phonesec_mediasec_msg_remove_tag(T, sizeof T - 1, "Proxy-Require", "sec-agree", out, sizeof out,
                                                      &n, &changed),
                     0);
    assert_string_equal(out, "OPTIONS sip:a SIP/2.0\r\nRequire: 100rel, SEC-AGREE,\r\n timer\r\n"
                             "require: x\r\nContent-Length: 0\r\n\r\n");
    assert_int_equal(phonesec_mediasec_msg_remove_tag(T, sizeof T - 1, "Require", "nope", out, sizeof out, &n,
                                                      &changed),
                     0);
    assert_int_equal(changed, 0);
    assert_string_equal(out, T);
    memset(out, 'q', 8);
    assert_int_equal(phonesec_mediasec_msg_remove_tag(T, sizeof T - 1, "Require", "timer", out, 8, &n, NULL),
                     PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(out[0], 'q');
    /* bare-LF messages get bare-LF lines */
    assert_int_equal(phonesec_mediasec_msg_insert("A sip:a SIP/2.0\nVia: x\n\nbody", 28, "X", "1", out, sizeof out, &n),
                     0);
    assert_string_equal(out, "A sip:a SIP/2.0\nVia: x\nX: 1\n\nbody");
    /* too small: untouched, size reported */
    memset(out, 'q', 8);
    assert_int_equal(phonesec_mediasec_msg_insert(R, sizeof R - 1, "X-A", "1", out, 8, &n), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(n, sizeof R - 1 + 8);
    assert_int_equal(out[0], 'q');
    assert_int_equal(phonesec_mediasec_msg_remove(R, sizeof R - 1, "Require", out, 8, &n, NULL),
                     PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(out[0], 'q');
    assert_int_equal(phonesec_mediasec_msg_add_tag(R, sizeof R - 1, "Require", "x", out, 8, &n, NULL),
                     PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(out[0], 'q');
}

static void sdp_attr(void **state)
{
    int v;
    static const char S1[] = "v=0\r\nm=audio 1 RTP/SAVP 0\r\na=3ge2ae:requested\r\n";
    static const char S2[] = "v=0\nm=audio 1 RTP/SAVP 0\na=3ge2ae:applied";
    (void)state;
    assert_int_equal(phonesec_mediasec_sdp_3ge2ae(S1, sizeof S1 - 1, &v), 0);
    assert_int_equal(v, PHONESEC_MEDIASEC_3GE2AE_REQUESTED);
    assert_int_equal(phonesec_mediasec_sdp_3ge2ae(S2, sizeof S2 - 1, &v), 0);
    assert_int_equal(v, PHONESEC_MEDIASEC_3GE2AE_APPLIED);
    assert_int_equal(phonesec_mediasec_sdp_3ge2ae("v=0\r\n", 5, &v), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_mediasec_sdp_3ge2ae("a=3ge2ae:maybe\r\n", 16, &v), PHONESEC_E_PARSE);
    /* read as the sdes module reads it: value ignoring case and trailing blanks */
    v = 0;
    assert_int_equal(phonesec_mediasec_sdp_3ge2ae("a=3ge2ae:Requested \r\n", 22, &v), 0);
    assert_int_equal(v, PHONESEC_MEDIASEC_3GE2AE_REQUESTED);
    assert_int_equal(phonesec_mediasec_sdp_3ge2ae("a=3ge2ae:\r\n", 11, &v), PHONESEC_E_PARSE);
    assert_string_equal(PHONESEC_MEDIASEC_SDP_REQUESTED, "a=3ge2ae:requested");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc3329_examples),
        cmocka_unit_test(mechanisms_and_generic_params),
        cmocka_unit_test(folded_and_repeated),
        cmocka_unit_test(qvalue_grammar),
        cmocka_unit_test(malformed_lists),
        cmocka_unit_test(fuzz_regressions),
        cmocka_unit_test(limits_and_args),
        cmocka_unit_test(equality_rules),
        cmocka_unit_test(append_copies),
        cmocka_unit_test(out_of_memory),
        cmocka_unit_test(msg_find),
        cmocka_unit_test(msg_status_method),
        cmocka_unit_test(msg_edit),
        cmocka_unit_test(sdp_attr),
    };
    return cmocka_run_group_tests_name("mediasec_list", tests, test_platform_setup, test_platform_teardown);
}
