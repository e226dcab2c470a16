/*
 * sofia-sip adapter unit tests (suite 'adapters'): messages parsed by
 * sofia's msg parser, SDP by its sdp parser; MediaSec tags applied to a
 * request with sip_add_tl() and printed by sofia. Known answers: the
 * Security-Server list and the RFC 4568 §7.1.1 key come from the peer's text.
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_tag.h>

#include "phonesec_sofia.h"

/* A Telekom-style 494 (two Security-Server headers). */
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

static su_home_t home[1] = {SU_HOME_INIT(home)};

static msg_t *parse(const char *txt)
{
    msg_t *m = msg_make(sip_default_mclass(), 0, txt, (ssize_t)strlen(txt));
    assert_non_null(m);
    assert_non_null(sip_object(m));
    return m;
}

static sdp_session_t *sdp(const char *txt)
{
    sdp_parser_t *p = sdp_parse(home, txt, (issize_t)strlen(txt), 0);
    assert_non_null(sdp_session(p));
    return sdp_session(p);
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

/* The tags applied to a REGISTER by sofia, printed by sofia. */
static char *decorate(phonesec_mediasec *ms)
{
    static const char r[] = "REGISTER sip:sip.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-1\r\n"
                            "From: <sip:1001@sip.test>;tag=t1\r\nTo: <sip:1001@sip.test>\r\n"
                            "Call-ID: reg-1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
    msg_t *m = parse(r);
    tagi_t *tags = NULL;
    size_t len;
    char *t, *copy;
    assert_int_equal(phonesec_sofia_request_tags(ms, home, "REGISTER", &tags), PHONESEC_OK);
    assert_int_equal(sip_add_tl(m, sip_object(m), TAG_NEXT(tags)), 0);
    t = msg_as_string(home, m, NULL, 0, &len);
    assert_non_null(t);
    copy = strdup(t);
    msg_destroy(m);
    return copy;
}

static void test_register_flow(void **st)
{
    phonesec_mediasec *ms = new_ms(PHONESEC_MEDIASEC_MANDATORY, 1);
    msg_t *r = parse(r494);
    char *t;
    (void)st;
    t = decorate(ms);
    assert_non_null(strstr(t, "\r\nSecurity-Client: sdes-srtp;mediasec\r\n"));
    assert_null(strcasestr(t, "Security-Verify"));
    assert_non_null(strstr(t, "\r\nRequire: sec-agree, mediasec\r\n"));
    assert_non_null(strstr(t, "\r\nProxy-Require: sec-agree, mediasec\r\n"));
    free(t);

    assert_int_equal(phonesec_sofia_on_response(ms, r), PHONESEC_OK);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_AGREED);
    t = decorate(ms);
    /* the server's two mechanisms, as sent (sofia prints one line each) */
    assert_non_null(strstr(t, "\r\nSecurity-Verify: sdes-srtp;mediasec;q=0.1\r\n"));
    assert_non_null(strstr(t, "\r\nSecurity-Verify: msrp-tls;mediasec;q=0.2\r\n"));
    assert_non_null(strstr(t, "\r\nSecurity-Client: sdes-srtp;mediasec\r\n"));
    free(t);
    msg_destroy(r);
    phonesec_mediasec_free(ms);
}

static void test_refusals(void **st)
{
    phonesec_mediasec *ms = new_ms(PHONESEC_MEDIASEC_MANDATORY, 0); /* TLS only, flow not TLS */
    tagi_t *tags = (tagi_t *)1;
    (void)st;
    assert_int_equal(phonesec_sofia_request_tags(ms, home, "REGISTER", &tags), PHONESEC_E_POLICY);
    assert_null(tags);
    assert_int_equal(phonesec_sofia_request_tags(ms, home, "REGISTER", &tags), PHONESEC_E_STATE);
    assert_int_equal(phonesec_sofia_request_tags(NULL, home, "REGISTER", &tags), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_sofia_on_response(ms, NULL), PHONESEC_E_INVAL);
    phonesec_mediasec_free(ms);
    /* opportunistic, and the server never asked: no tag at all */
    ms = new_ms(PHONESEC_MEDIASEC_OPPORTUNISTIC, 1);
    {
        static const char ok[] = "SIP/2.0 200 OK\r\nVia: SIP/2.0/TLS 127.0.0.1;branch=z9hG4bK-1\r\n"
                                 "From: <sip:1001@sip.test>;tag=t1\r\nTo: <sip:1001@sip.test>;tag=s\r\n"
                                 "Call-ID: reg-1\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n";
        msg_t *m = parse(ok);
        assert_int_equal(phonesec_sofia_on_response(ms, m), PHONESEC_OK);
        assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_OFF);
        assert_int_equal(phonesec_sofia_request_tags(ms, home, "REGISTER", &tags), PHONESEC_OK);
        assert_null(tags[0].t_tag);
        msg_destroy(m);
    }
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

static void test_sdes_answer_rfc4568(void **st)
{
    phonesec_sdes *s = new_sdes(PHONESEC_SDES_MANDATORY);
    sdp_session_t *ans = NULL;
    phonesec_srtp_params in;
    sdp_attribute_t *a;
    int n = 0;
    (void)st;
    assert_int_equal(phonesec_sofia_sdes_answer(s, home, sdp(rfc4568_offer), sdp(plain_sdp), &ans), PHONESEC_OK);
    assert_int_equal(ans->sdp_media->m_proto, sdp_proto_srtp);
    for (a = ans->sdp_media->m_attributes; a != NULL; a = a->a_next)
        if (strcmp(a->a_name, "crypto") == 0) {
            n++;
            assert_int_equal(strncmp(a->a_value, "1 AES_CM_128_HMAC_SHA1_80 inline:", 33), 0);
        }
    assert_int_equal(n, 1);
    phonesec_srtp_params_init(&in);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    assert_memory_equal(in.keys[0].key, rfc_key, 16);
    assert_memory_equal(in.keys[0].salt, rfc_salt, 14);
    phonesec_srtp_params_wipe(&in);
    phonesec_sdes_free(s);
}

static void test_sdes_offer_accept(void **st)
{
    static const char answer_txt[] =
        "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        "m=audio 50000 RTP/SAVP 0\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4\r\n";
    phonesec_sdes *s = new_sdes(PHONESEC_SDES_MANDATORY);
    sdp_session_t *offer = NULL;
    phonesec_srtp_params in;
    sdp_attribute_t *a;
    int n = 0;
    (void)st;
    assert_int_equal(phonesec_sofia_sdes_offer(s, home, sdp(plain_sdp), &offer), PHONESEC_OK);
    assert_int_equal(offer->sdp_media->m_proto, sdp_proto_srtp);
    assert_int_equal(offer->sdp_media->m_port, 40000);
    for (a = offer->sdp_media->m_attributes; a != NULL; a = a->a_next)
        n += strcmp(a->a_name, "crypto") == 0;
    assert_true(n >= 2);
    assert_int_equal(phonesec_sofia_sdes_accept_answer(s, sdp(answer_txt)), PHONESEC_OK);
    phonesec_srtp_params_init(&in);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    assert_memory_equal(in.keys[0].key, rfc_key, 16);
    phonesec_srtp_params_wipe(&in);
    assert_int_equal(phonesec_sofia_sdes_accept_answer(NULL, offer), PHONESEC_E_INVAL);
    phonesec_sdes_free(s);
}

static int setup(void **st)
{
    (void)st;
    return phonesec_init(NULL) == PHONESEC_OK ? 0 : -1;
}

static int teardown(void **st)
{
    (void)st;
    su_home_deinit(home);
    phonesec_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_flow),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_sdes_answer_rfc4568),
        cmocka_unit_test(test_sdes_offer_accept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
