/*
 * oSIP2 adapter unit tests (suite 'adapters'): messages and SDP built and
 * parsed by libosip2, decorated and read through phonesec_osip2_*.
 * Known answers: the Security-Server list and the key of the RFC 4568 §7.1.1
 * example offer come from the peer's text, never from our own output.
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "phonesec_osip2.h"

static const char reg[] = "REGISTER sip:sip.test SIP/2.0\r\n"
                          "Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK-1;rport\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:1001@sip.test>;tag=t1\r\nTo: <sip:1001@sip.test>\r\n"
                          "Call-ID: reg-1@127.0.0.1\r\nCSeq: 1 REGISTER\r\n"
                          "Contact: <sip:1001@127.0.0.1:40001;transport=tls>\r\n"
                          "Require: timer\r\n"
                          "security-verify: stale;q=0.9\r\n"
                          "Expires: 600\r\nContent-Length: 0\r\n\r\n";

/* A Telekom-style 494 (two Security-Server headers, as Deutsche Telekom sends). */
static const char r494[] = "SIP/2.0 494 Security Agreement Required\r\n"
                           "Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK-1;rport=40001\r\n"
                           "From: <sip:1001@sip.test>;tag=t1\r\nTo: <sip:1001@sip.test>;tag=srv\r\n"
                           "Call-ID: reg-1@127.0.0.1\r\nCSeq: 1 REGISTER\r\n"
                           "Security-Server: sdes-srtp;mediasec;q=0.1\r\n"
                           "Security-Server: msrp-tls;mediasec;q=0.2\r\n"
                           "Require: sec-agree\r\nContent-Length: 0\r\n\r\n";

/* RFC 4568 §7.1.1 offer (addresses as in the RFC, one crypto line kept). */
static const char rfc4568_offer[] =
    "v=0\r\no=sam 2890844526 2890842807 IN IP4 10.47.16.5\r\ns=SRTP Discussion\r\n"
    "c=IN IP4 168.2.17.12\r\nt=2854511357 0\r\n"
    "m=audio 49170 RTP/SAVP 0\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4\r\n";
/* its key and salt (base64 decoded independently) */
static const uint8_t rfc_key[16] = {0x3d, 0x2d, 0x6e, 0x40, 0x25, 0x5e, 0x78, 0x21,
                                    0x42, 0x6a, 0x75, 0x66, 0x72, 0x39, 0x29, 0x3f};
static const uint8_t rfc_salt[14] = {0x2c, 0x23, 0x35, 0x68, 0x5c, 0x60, 0x3d,
                                     0x26, 0x5d, 0x7b, 0x71, 0x69, 0x50, 0x51};

static const char plain_sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                "m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n";

static osip_message_t *parse(const char *txt)
{
    osip_message_t *m = NULL;
    assert_int_equal(phonesec_osip2_parse((const uint8_t *)txt, strlen(txt), &m), PHONESEC_OK);
    return m;
}

__attribute__((noinline)) static char *text(osip_message_t *m)
{
    char *t = NULL;
    size_t n;
    assert_int_equal(osip_message_to_str(m, &t, &n), 0);
    return t;
}

static sdp_message_t *sdp(const char *txt)
{
    sdp_message_t *s = NULL;
    assert_int_equal(sdp_message_init(&s), 0);
    assert_int_equal(sdp_message_parse(s, txt), 0);
    return s;
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    size_t off = 0, hl = strlen(hay), nl = strlen(needle);
    for (; off + nl <= hl; off++)
        n += memcmp(hay + off, needle, nl) == 0;
    return n;
}

static phonesec_mediasec *new_ms(int policy, int tls)
{
    phonesec_mediasec_config c = PHONESEC_MEDIASEC_CONFIG_INIT;
    phonesec_mediasec *ms = NULL;
    c.client_initiated = 1;
    c.tls_only = 1;
    c.policy = policy;
    assert_int_equal(phonesec_mediasec_new(&c, &ms), PHONESEC_OK);
    assert_int_equal(phonesec_mediasec_reset(ms, tls), PHONESEC_OK);
    return ms;
}

static void test_register_flow(void **st)
{
    phonesec_mediasec *ms = new_ms(PHONESEC_MEDIASEC_MANDATORY, 1);
    osip_message_t *m = parse(reg), *r = parse(r494);
    char *t;
    (void)st;

    /* 1st REGISTER: Security-Client, written with its canonical name, once;
     * the stale Security-Verify gone; sec-agree merged into Require. */
    assert_int_equal(phonesec_osip2_prepare_request(ms, m), PHONESEC_OK);
    t = text(m);
    assert_non_null(strstr(t, "\r\nSecurity-Client: sdes-srtp;mediasec\r\n"));
    assert_int_equal(count(t, "Security-Client:"), 1);
    assert_null(strcasestr(t, "security-verify"));
    assert_non_null(strstr(t, "Require: timer"));
    assert_non_null(strstr(t, "sec-agree"));
    assert_non_null(strstr(t, "Proxy-Require:"));
    assert_non_null(strstr(t, "Call-ID: reg-1@127.0.0.1\r\n")); /* the rest untouched */
    assert_non_null(strstr(t, "Contact: <sip:1001@127.0.0.1:40001;transport=tls>\r\n"));
    osip_free(t);

    /* Applying it twice changes nothing (no duplicates). */
    assert_int_equal(phonesec_osip2_prepare_request(ms, m), PHONESEC_OK);
    t = text(m);
    assert_int_equal(count(t, "Security-Client:"), 1);
    assert_int_equal(count(t, "sec-agree"), 2); /* Require and Proxy-Require */
    osip_free(t);

    /* 494: the server's list stored; Security-Verify mirrors it exactly. */
    assert_int_equal(phonesec_osip2_on_response(ms, r), PHONESEC_OK);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_AGREED);
    assert_int_equal(phonesec_osip2_prepare_request(ms, m), PHONESEC_OK);
    t = text(m);
    assert_non_null(strstr(t, "\r\nSecurity-Verify: sdes-srtp;mediasec;q=0.1\r\n"));
    assert_non_null(strstr(t, "\r\nSecurity-Verify: msrp-tls;mediasec;q=0.2\r\n"));
    assert_int_equal(count(t, "Security-Verify:"), 2);
    osip_free(t);
    assert_true(phonesec_mediasec_media_policy(ms) & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED);

    osip_message_free(m);
    osip_message_free(r);
    phonesec_mediasec_free(ms);
}

static void test_security_server(void **st)
{
    osip_message_t *r = parse(r494), *m = parse(reg);
    phonesec_mediasec_list *l = NULL;
    unsigned q = 0;
    (void)st;
    assert_int_equal(phonesec_mediasec_list_new(&l), PHONESEC_OK);
    assert_int_equal(phonesec_osip2_security_server(r, l), PHONESEC_OK);
    assert_int_equal(phonesec_mediasec_list_count(l), 2);
    assert_string_equal(phonesec_mediasec_list_name(l, 0), "sdes-srtp");
    assert_string_equal(phonesec_mediasec_list_name(l, 1), "msrp-tls");
    assert_int_equal(phonesec_mediasec_list_q(l, 1, &q), PHONESEC_OK);
    assert_int_equal(q, 200);
    assert_int_equal(phonesec_osip2_security_server(m, l), PHONESEC_E_NOT_FOUND);
    phonesec_mediasec_list_free(l);
    osip_message_free(r);
    osip_message_free(m);
}

static void test_refusals(void **st)
{
    phonesec_mediasec *ms = new_ms(PHONESEC_MEDIASEC_MANDATORY, 0); /* TLS only, flow is not TLS */
    osip_message_t *m = parse(reg), *r = parse(r494);
    osip_message_t *bad = NULL;
    char *before, *after;
    (void)st;
    before = text(m);
    assert_int_equal(phonesec_osip2_prepare_request(ms, m), PHONESEC_E_POLICY);
    after = text(m);
    assert_string_equal(before, after); /* unchanged on error */
    osip_free(before);
    osip_free(after);
    assert_int_equal(phonesec_osip2_prepare_request(ms, r), PHONESEC_E_INVAL); /* a response */
    assert_int_equal(phonesec_osip2_on_response(ms, m), PHONESEC_E_INVAL);     /* a request */
    assert_int_equal(phonesec_osip2_prepare_request(NULL, m), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_osip2_prepare_request(ms, NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_osip2_on_response(ms, NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_osip2_flow_send(NULL, m), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_osip2_parse((const uint8_t *)"garbage\r\n\r\n", 11, &bad), PHONESEC_E_PARSE);
    assert_null(bad);
    assert_int_equal(phonesec_osip2_parse(NULL, 0, &bad), PHONESEC_E_INVAL);
    {
        /* oSIP2 takes a Request-URI with a line end in it (found by
         * fuzz_osip2) and would print a header section that ends early. */
        static const char inj[] = "INVITE sip:1002\r\n\r\n.test SIP/2.0\r\n"
                                  "Via: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-2\r\nFrom: <sip:a@b>;tag=1\r\n"
                                  "To: <sip:c@b>\r\nCall-ID: i\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        osip_message_t *x = NULL;
        if (phonesec_osip2_parse((const uint8_t *)inj, sizeof inj - 1, &x) == PHONESEC_OK) {
            assert_int_equal(phonesec_osip2_prepare_request(ms, x), PHONESEC_E_PARSE);
            osip_message_free(x);
        }
    }
    {
        /* oSIP2 prints this Content-Type without its line end, gluing the
         * next header to it (found by fuzz_osip2): refused, never sent. */
        static const char glue[] = "INVITE sip:1002@sip.test SIP/2.0\r\n"
                                   "Via: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-3\r\nFrom: <sip:a@b>;tag=1\r\n"
                                   "To: <sip:c@b>\r\nCall-ID: i\r\nCSeq: 1 INVITE\r\n"
                                   "Content-Type: application/proxy-reqent-Le;gth: 322\r\n"
                                   "Content-Length: 3\r\n\r\nv=0";
        osip_message_t *x = NULL;
        phonesec_mediasec *ok = new_ms(PHONESEC_MEDIASEC_OPPORTUNISTIC, 1);
        assert_int_equal(phonesec_osip2_on_response(ok, r), PHONESEC_OK); /* agreed: Security-Verify due */
        if (phonesec_osip2_parse((const uint8_t *)glue, sizeof glue - 1, &x) == PHONESEC_OK) {
            char *t0 = text(x), *t1;
            assert_int_equal(phonesec_osip2_prepare_request(ok, x), PHONESEC_E_PARSE);
            t1 = text(x);
            assert_string_equal(t0, t1);
            osip_free(t0);
            osip_free(t1);
            osip_message_free(x);
        }
        phonesec_mediasec_free(ok);
    }
    osip_message_free(m);
    osip_message_free(r);
    phonesec_mediasec_free(ms);
}

/* Opportunistic and OFF: a 200 without Security-Server turns negotiation
 * off, and the next request carries no Security-* and no sec-agree. */
static void test_fallback_off(void **st)
{
    static const char ok[] = "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK-1\r\n"
                             "From: <sip:1001@sip.test>;tag=t1\r\nTo: <sip:1001@sip.test>;tag=srv\r\n"
                             "Call-ID: reg-1@127.0.0.1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
    phonesec_mediasec *ms = new_ms(PHONESEC_MEDIASEC_OPPORTUNISTIC, 1);
    osip_message_t *m = parse(reg), *r = parse(ok);
    char *t;
    (void)st;
    assert_int_equal(phonesec_osip2_prepare_request(ms, m), PHONESEC_OK);
    assert_int_equal(phonesec_osip2_on_response(ms, r), PHONESEC_OK);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_OFF);
    assert_int_equal(phonesec_osip2_prepare_request(ms, m), PHONESEC_OK);
    t = text(m);
    assert_null(strcasestr(t, "Security-"));
    assert_null(strstr(t, "sec-agree"));
    assert_non_null(strstr(t, "Require: timer"));
    osip_free(t);
    osip_message_free(m);
    osip_message_free(r);
    phonesec_mediasec_free(ms);
}

static phonesec_sdes *new_sdes(int mode)
{
    phonesec_sdes_policy p = PHONESEC_SDES_POLICY_INIT;
    phonesec_sdes *s = NULL;
    p.mode = mode;
    assert_int_equal(phonesec_sdes_new(&p, &s), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_set_signalling_tls(s, 1), PHONESEC_OK);
    return s;
}

/* Answer the RFC 4568 offer: its key is what we decrypt with. */
static void test_sdes_answer_rfc4568(void **st)
{
    phonesec_sdes *s = new_sdes(PHONESEC_SDES_MANDATORY);
    sdp_message_t *offer = sdp(rfc4568_offer), *local = sdp(plain_sdp), *ans = NULL;
    phonesec_srtp_params in;
    phonesec_sdes_crypto c;
    const char *proto, *val = NULL;
    (void)st;
    assert_int_equal(phonesec_osip2_sdes_answer(s, offer, local, &ans), PHONESEC_OK);
    assert_non_null(ans);
    proto = sdp_message_m_proto_get(ans, 0);
    assert_string_equal(proto, "RTP/SAVP");
    for (int i = 0; sdp_message_a_att_field_get(ans, 0, i) != NULL; i++)
        if (strcmp(sdp_message_a_att_field_get(ans, 0, i), "crypto") == 0)
            val = sdp_message_a_att_value_get(ans, 0, i);
    assert_non_null(val);
    assert_int_equal(strncmp(val, "1 AES_CM_128_HMAC_SHA1_80 inline:", 33), 0);
    {
        char line[600];
        snprintf(line, sizeof line, "a=crypto:%s", val);
        assert_int_equal(phonesec_sdes_crypto_parse(line, strlen(line), &c, NULL, 0), PHONESEC_OK);
        assert_int_not_equal(memcmp(c.keys[0].key, rfc_key, 16), 0); /* our own fresh key */
        phonesec_sdes_crypto_wipe(&c);
    }
    phonesec_srtp_params_init(&in);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    assert_int_equal(in.keys[0].key_len, 16);
    assert_memory_equal(in.keys[0].key, rfc_key, 16);
    assert_memory_equal(in.keys[0].salt, rfc_salt, 14);
    assert_int_equal(in.keys[0].mki_len, 4); /* |1:4: MKI value 1 in 4 bytes */
    assert_int_equal(in.keys[0].mki[3], 1);
    assert_int_equal(in.keys[0].mki[0], 0);
    phonesec_srtp_params_wipe(&in);
    sdp_message_free(offer);
    sdp_message_free(local);
    sdp_message_free(ans);
    phonesec_sdes_free(s);
}

/* Our offer, answered with the RFC 4568 key under tag 1. */
static void test_sdes_offer_accept(void **st)
{
    static const char answer_txt[] =
        "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio 50000 RTP/SAVP 0\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4\r\n";
    phonesec_sdes *s = new_sdes(PHONESEC_SDES_MANDATORY);
    sdp_message_t *local = sdp(plain_sdp), *offer = NULL, *ans = sdp(answer_txt), *wrong;
    phonesec_srtp_params in;
    int n = 0;
    (void)st;
    assert_int_equal(phonesec_osip2_sdes_offer(s, local, &offer), PHONESEC_OK);
    assert_string_equal(sdp_message_m_proto_get(offer, 0), "RTP/SAVP");
    assert_string_equal(sdp_message_m_port_get(offer, 0), "40000");
    for (int i = 0; sdp_message_a_att_field_get(offer, 0, i) != NULL; i++)
        n += strcmp(sdp_message_a_att_field_get(offer, 0, i), "crypto") == 0;
    assert_true(n >= 2);

    /* an answer whose section count differs is refused */
    wrong = sdp("v=0\r\no=p 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n");
    assert_int_not_equal(phonesec_osip2_sdes_accept_answer(s, wrong), PHONESEC_OK);
    sdp_message_free(wrong);

    assert_int_equal(phonesec_osip2_sdes_accept_answer(s, ans), PHONESEC_OK);
    phonesec_srtp_params_init(&in);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    assert_memory_equal(in.keys[0].key, rfc_key, 16);
    assert_memory_equal(in.keys[0].salt, rfc_salt, 14);
    phonesec_srtp_params_wipe(&in);
    sdp_message_free(local);
    sdp_message_free(offer);
    sdp_message_free(ans);
    phonesec_sdes_free(s);
}

/* SDP into an INVITE: Content-Type and a Content-Length equal to the body. */
static void test_set_sdp(void **st)
{
    static const char inv[] = "INVITE sip:1002@sip.test SIP/2.0\r\n"
                              "Via: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK-9\r\n"
                              "From: <sip:1001@sip.test>;tag=a\r\nTo: <sip:1002@sip.test>\r\n"
                              "Call-ID: call-1\r\nCSeq: 1 INVITE\r\nContent-Type: text/plain\r\n"
                              "Content-Length: 5\r\n\r\nhello";
    osip_message_t *m = parse(inv), *back;
    sdp_message_t *s = sdp(plain_sdp), *got = NULL;
    char *t, *body;
    long cl;
    (void)st;
    assert_int_equal(phonesec_osip2_set_sdp(m, s), PHONESEC_OK);
    t = text(m);
    assert_non_null(strstr(t, "Content-Type: application/sdp\r\n"));
    assert_null(strstr(t, "hello"));
    body = strstr(t, "\r\n\r\n") + 4;
    cl = strtol(strstr(t, "Content-Length: ") + 16, NULL, 10);
    assert_int_equal(cl, (long)strlen(body));
    back = parse(t);
    assert_int_equal(phonesec_osip2_message_sdp(back, &got), PHONESEC_OK);
    assert_string_equal(sdp_message_m_port_get(got, 0), "40000");
    osip_free(t);
    sdp_message_free(got);
    osip_message_free(back);
    osip_message_free(m);
    sdp_message_free(s);
    m = parse(reg);
    assert_int_equal(phonesec_osip2_message_sdp(m, &got), PHONESEC_E_NOT_FOUND);
    osip_message_free(m);
}

static int setup(void **st)
{
    (void)st;
    parser_init();
    return phonesec_init(NULL) == PHONESEC_OK ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    phonesec_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_flow),     cmocka_unit_test(test_security_server),
        cmocka_unit_test(test_refusals),          cmocka_unit_test(test_fallback_off),
        cmocka_unit_test(test_sdes_answer_rfc4568), cmocka_unit_test(test_sdes_offer_accept),
        cmocka_unit_test(test_set_sdp),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
