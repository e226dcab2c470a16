/* Offer/answer tests: the field cases, the admin-guide offer, re-INVITEs,
 * offerer checks of the answer, policies, out-of-memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static phonesec_sdes_policy pol;
static phonesec_sdes *s;
static char buf[65536];

static int setup(void **state)
{
    (void)state;
    phonesec_sdes_policy_init(&pol);
    s = NULL;
    test_log_text[0] = '\0';
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    phonesec_sdes_free(s);
    s = NULL;
    return 0;
}

static void new_s(void)
{
    phonesec_sdes_free(s);
    s = NULL;
    assert_int_equal(phonesec_sdes_new(&pol, &s), PHONESEC_OK);
}

static size_t answer_sessions_work(const char *what);

static int answer_vec(const char *name)
{
    size_t len;
    char *t = test_read_vector(name, &len);
    int rc;
    assert_non_null(t);
    rc = phonesec_sdes_answer(s, t, len);
    free(t);
    return rc;
}

static void expect_hex_key(const phonesec_srtp_params *p, const char *hex)
{
    uint8_t want[64];
    long n = test_hex_decode(hex, want, sizeof want);
    assert_int_equal((size_t)n, p->keys[0].key_len + p->keys[0].salt_len);
    assert_memory_equal(p->keys[0].key, want, p->keys[0].key_len);
    assert_memory_equal(p->keys[0].salt, want + p->keys[0].key_len, p->keys[0].salt_len);
}

/* Our answer line for section idx, parsed. */
static void our_line(size_t idx, phonesec_sdes_crypto *c)
{
    char l[PHONESEC_SDES_LINE_MAX + 1];
    size_t n;
    assert_int_equal(phonesec_sdes_answer_crypto(s, idx, l, sizeof l, &n), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_crypto_parse(l, n, c, NULL, 0), PHONESEC_OK);
}

static void admin_guide_offer(void **state)
{
    phonesec_sdes_section_info info;
    phonesec_srtp_params in, out;
    static phonesec_sdes_crypto c;
    char l[256];
    size_t n;
    (void)state;
    new_s();
    assert_int_equal(answer_vec("sdes/offer-admin-guide.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section_count(s), 1);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_SECURED);
    assert_int_equal(info.tag, 1);
    assert_int_equal(info.suite, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    assert_true(info.protect_in && info.protect_out && info.savp);
    assert_int_equal(info.n_lines, 3);
    assert_string_equal(info.media, "audio");
    assert_int_equal(phonesec_sdes_answer_mline(s, 0, l, sizeof l, &n), PHONESEC_OK);
    assert_string_equal(l, "m=audio 11780 RTP/SAVP 0 8 18 9 101");
    our_line(0, &c);
    assert_int_equal(c.tag, 1);
    assert_int_equal(c.suite, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out), PHONESEC_OK);
    assert_int_equal(in.version, PHONESEC_SRTP_PARAMS_VERSION);
    assert_int_equal(out.version, PHONESEC_SRTP_PARAMS_VERSION);
    expect_hex_key(&in, "373148353530643936386548393737633364613930656564313335616163");
    assert_memory_equal(out.keys[0].key, c.keys[0].key, 16);
    assert_memory_equal(out.keys[0].salt, c.keys[0].salt, 14);
    assert_true(memcmp(out.keys[0].key, in.keys[0].key, 16) != 0); /* a fresh key, not an echo */
    assert_int_equal(phonesec_sdes_line_reason(s, 0, 0, l, sizeof l), PHONESEC_OK);
    assert_string_equal(l, "");
    assert_int_equal(phonesec_sdes_line_reason(s, 0, 3, l, sizeof l), PHONESEC_E_NOT_FOUND);
    /* Not TLS: allowed, with a warning through the log hook. */
    assert_non_null(strstr(test_log_text, "not TLS"));
    phonesec_memzero(&in, sizeof in);
    phonesec_memzero(&out, sizeof out);
    phonesec_sdes_crypto_wipe(&c);
}

static void f8_first_wrong_length_then_good(void **state)
{
    phonesec_sdes_section_info info;
    phonesec_srtp_params in;
    char l[256];
    (void)state;
    new_s();
    assert_int_equal(answer_vec("sdes/offer-tags-5-6-9.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_SECURED);
    assert_int_equal(info.tag, 9);
    assert_int_equal(phonesec_sdes_line_reason(s, 0, 0, l, sizeof l), PHONESEC_OK);
    assert_non_null(strstr(l, "F8"));
    assert_int_equal(phonesec_sdes_line_reason(s, 0, 1, l, sizeof l), PHONESEC_OK);
    assert_non_null(strstr(l, "30 bytes"));
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    expect_hex_key(&in, "774466766726542b29784737406662356a552c5261417d5c7c7030252a23");
    assert_int_equal(in.keys[0].mki_len, 4);
    assert_int_equal(in.keys[0].mki[2], 0x04);
    assert_int_equal(in.keys[0].mki[3], 0x2a);
    assert_int_equal(in.keys[0].lifetime, 1u << 20);
    phonesec_memzero(&in, sizeof in);
}

static void renumbered_reoffer_keeps_keys(void **state)
{
    phonesec_srtp_params out1, out2, in2;
    static phonesec_sdes_crypto c;
    phonesec_sdes_section_info info;
    (void)state;
    new_s();
    assert_int_equal(answer_vec("sdes/offer-tags-5-6-9.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out1), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_set_roc(s, 0, PHONESEC_SDES_OUTBOUND, 3), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_set_roc(s, 0, PHONESEC_SDES_INBOUND, 5), PHONESEC_OK);
    /* The same key renumbered to tag 1: answer tag 1, our key kept (RFC 4568 §7.1.4). */
    assert_int_equal(answer_vec("sdes/offer-renumbered.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.tag, 1);
    our_line(0, &c);
    assert_int_equal(c.tag, 1);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out2), PHONESEC_OK);
    assert_memory_equal(out1.keys[0].key, out2.keys[0].key, 16);
    assert_memory_equal(c.keys[0].key, out2.keys[0].key, 16);
    assert_int_equal(out2.roc, 3);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in2), PHONESEC_OK);
    assert_int_equal(in2.roc, 5);
    expect_hex_key(&in2, "774466766726542b29784737406662356a552c5261417d5c7c7030252a23");
    /* Our lifetime runs out: reported, and the next answer carries a new key, ROC kept. */
    assert_int_equal(phonesec_sdes_report_packets(s, 0, PHONESEC_SDES_OUTBOUND, 1000), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_report_packets(s, 0, PHONESEC_SDES_INBOUND, 1u << 20), PHONESEC_E_EXPIRED);
    assert_int_equal(phonesec_sdes_report_packets(s, 0, PHONESEC_SDES_OUTBOUND, UINT64_C(1) << 48),
                     PHONESEC_E_EXPIRED);
    assert_non_null(strstr(test_log_text, "lifetime used up"));
    assert_int_equal(answer_vec("sdes/offer-renumbered.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out2), PHONESEC_OK);
    assert_true(memcmp(out1.keys[0].key, out2.keys[0].key, 16) != 0);
    assert_int_equal(out2.roc, 3);
    /* A suite change also requires a new key. */
    memcpy(&out1, &out2, sizeof out1);
    {
        const char *o = "m=audio 4000 RTP/SAVP 0\r\n"
                        "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
        assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    }
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out2), PHONESEC_OK);
    assert_int_equal(out2.suite, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32);
    assert_true(memcmp(out1.keys[0].key, out2.keys[0].key, 16) != 0);
    phonesec_memzero(&out1, sizeof out1);
    phonesec_memzero(&out2, sizeof out2);
    phonesec_memzero(&in2, sizeof in2);
    phonesec_sdes_crypto_wipe(&c);
}

static void reoffer_new_peer_key_and_two_keys(void **state)
{
    phonesec_srtp_params out1, out2, in;
    phonesec_sdes_section_info info;
    const char *o1 = "m=audio 4000 RTP/SAVP 0\r\n"
                     "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4\r\n";
    /* RFC 4568 §5.1's two master keys with MKIs 1 and 2, now as AES_CM_128. */
    const char *o2 = "m=audio 4000 RTP/SAVP 0\r\n"
                     "a=crypto:4 AES_CM_128_HMAC_SHA1_80 "
                     "inline:MTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5QUJjZGVm|2^20|1:4;"
                     "inline:QUJjZGVmMTIzNDU2Nzg5QUJDREUwMTIzNDU2Nzg5|2^20|2:4\r\n";
    (void)state;
    new_s();
    assert_int_equal(phonesec_sdes_answer(s, o1, strlen(o1)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out1), PHONESEC_OK);
    /* The peer rekeys (new key, two master keys): our key stays, inbound follows. */
    assert_int_equal(phonesec_sdes_answer(s, o2, strlen(o2)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.tag, 4);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out2), PHONESEC_OK);
    assert_memory_equal(out1.keys[0].key, out2.keys[0].key, 16);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    assert_int_equal(in.n_keys, 2);
    expect_hex_key(&in, "313233343536373839414243444530313233343536373839414263646566");
    assert_int_equal(in.keys[1].mki_len, 4);
    assert_int_equal(in.keys[1].mki[3], 2);
    {
        uint8_t want[30];
        assert_int_equal(test_hex_decode("414263646566313233343536373839414243444530313233343536373839", want, 30), 30);
        assert_memory_equal(in.keys[1].key, want, 16);
        assert_memory_equal(in.keys[1].salt, want + 16, 14);
    }
    phonesec_memzero(&out1, sizeof out1);
    phonesec_memzero(&out2, sizeof out2);
    phonesec_memzero(&in, sizeof in);
}

static void more_than_64_lines(void **state)
{
    phonesec_sdes_section_info info;
    phonesec_srtp_params in;
    char *big;
    size_t n = 0, i;
    (void)state;
    new_s();
    assert_int_equal(answer_vec("sdes/offer-71-lines.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_SECURED);
    assert_int_equal(info.tag, 7);
    assert_int_equal(info.n_lines, 71);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    expect_hex_key(&in, "3d2d6e40255e7821426a75667239293f2c2335685c603d265d7b71695051");
    phonesec_memzero(&in, sizeof in);
    /* Over 1024 lines in one section: refused as a whole. */
    big = malloc(200000);
    assert_non_null(big);
    n += (size_t)sprintf(big, "m=audio 1 RTP/SAVP 0\n");
    for (i = 0; i < 1025; i++)
        n += (size_t)sprintf(big + n, "a=crypto:%u X inline:AAAA\n", (unsigned)i);
    assert_int_equal(phonesec_sdes_answer(s, big, n), PHONESEC_E_LIMIT);
    /* More m= sections or lines than the scanner holds: the limit is named
     * (main said "the offer is not SDP text"). */
    {
        char err[300];
        for (n = 0, i = 0; i < 65; i++)
            n += (size_t)sprintf(big + n, "m=audio %u RTP/SAVP 0\n", (unsigned)(4000 + 2 * i));
        assert_int_equal(phonesec_sdes_answer(s, big, n), PHONESEC_E_LIMIT);
        assert_int_equal(phonesec_sdes_last_error(s, err, sizeof err), PHONESEC_OK);
        assert_non_null(strstr(err, "more than 64 m= sections"));
        for (n = 0, i = 0; i < 8193; i++)
            n += (size_t)sprintf(big + n, "a=x:%u\n", (unsigned)i);
        assert_int_equal(phonesec_sdes_answer(s, big, n), PHONESEC_E_LIMIT);
        assert_int_equal(phonesec_sdes_last_error(s, err, sizeof err), PHONESEC_OK);
        assert_non_null(strstr(err, "more than 8192 lines"));
    }
    free(big);
    /* The earlier answer stays in force. */
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.tag, 7);
}

static void savp_and_avp_in_one_offer(void **state)
{
    phonesec_sdes_section_info info;
    size_t n;
    const char *local = "v=0\no=- 9 9 IN IP4 192.0.2.10\ns=-\nc=IN IP4 192.0.2.10\nt=0 0\n"
                        "m=audio 7000 RTP/AVP 8\na=crypto:9 AES_CM_128_HMAC_SHA1_80 inline:stale\n"
                        "m=video 7002 RTP/AVP 96\nm=audio 7004 RTP/AVP 0\nm=application 7006 UDP/BFCP *\n";
    (void)state;
    new_s();
    assert_int_equal(answer_vec("sdes/offer-savp-avp.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section_count(s), 4);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_SECURED);
    assert_int_equal(info.tag, 0);
    assert_int_equal(info.suite, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32);
    assert_int_equal(phonesec_sdes_section(s, 1, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_SECURED); /* RFC 8643: a=crypto on RTP/AVP */
    assert_int_equal(info.savp, 0);
    assert_int_equal(info.suite, PHONESEC_SRTP_AEAD_AES_128_GCM);
    assert_int_equal(phonesec_sdes_section(s, 2, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_CLEAR);
    assert_int_equal(phonesec_sdes_section(s, 3, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_NOT_RTP);
    /* Rewrite the stack's answer: protos, our lines, LF kept, stale crypto dropped. */
    assert_int_equal(phonesec_sdes_answer_sdp(s, local, strlen(local), buf, sizeof buf, &n), PHONESEC_OK);
    assert_int_equal(n, strlen(buf));
    assert_null(strchr(buf, '\r'));
    assert_non_null(strstr(buf, "m=audio 7000 RTP/SAVP 8\na=crypto:0 AES_CM_128_HMAC_SHA1_32 inline:"));
    assert_non_null(strstr(buf, "m=video 7002 RTP/AVP 96\na=crypto:1 AEAD_AES_128_GCM inline:"));
    assert_non_null(strstr(buf, "m=audio 7004 RTP/AVP 0\nm=application 7006 UDP/BFCP *\n"));
    assert_null(strstr(buf, "stale"));
    {
        char small[16];
        size_t need = 0;
        memset(small, 'x', sizeof small);
        assert_int_equal(phonesec_sdes_answer_sdp(s, local, strlen(local), small, sizeof small, &need),
                         PHONESEC_E_BUFFER_SMALL);
        assert_int_equal(need, n);
        assert_int_equal(small[0], 'x');
    }
    /* Mandatory: the clear audio section is refused (port 0), the rest secured. */
    pol.mode = PHONESEC_SDES_MANDATORY;
    new_s();
    assert_int_equal(answer_vec("sdes/offer-savp-avp.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 2, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_REJECTED);
    {
        char l[128];
        assert_int_equal(phonesec_sdes_answer_mline(s, 2, l, sizeof l, &n), PHONESEC_OK);
        assert_string_equal(l, "m=audio 0 RTP/AVP 0");
        assert_int_equal(phonesec_sdes_answer_crypto(s, 2, l, sizeof l, &n), PHONESEC_E_NOT_FOUND);
    }
    /* Disabled: the SAVP section is refused, the AVP ones answered in clear. */
    pol.mode = PHONESEC_SDES_DISABLED;
    new_s();
    assert_int_equal(answer_vec("sdes/offer-savp-avp.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_REJECTED);
    assert_int_equal(phonesec_sdes_section(s, 1, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_CLEAR);
}

static void invalid_and_unsecurable_offers(void **state)
{
    char err[512];
    const char *avp = "m=audio 1 RTP/AVP 0\r\n";
    (void)state;
    new_s();
    assert_int_equal(answer_vec("sdes/offer-duplicate-tag.sdp"), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_sdes_last_error(s, err, sizeof err), PHONESEC_OK);
    assert_non_null(strstr(err, "tag 1 appears twice"));
    assert_int_equal(phonesec_sdes_section_count(s), 0);
    /* RFC 4568 §5.1: FEC_ORDER and F8 only; nothing we can honour. */
    assert_int_equal(answer_vec("sdes/offer-rfc4568-5.1.sdp"), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_sdes_last_error(s, err, sizeof err), PHONESEC_OK);
    assert_non_null(strstr(err, "FEC"));
    assert_int_equal(phonesec_sdes_answer(s, "hello", 5), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_sdes_answer(s, "v=0\r\n", 5), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_sdes_offer(s, "v=0\r\n", 5, buf, sizeof buf, &(size_t){0}), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_sdes_answer(NULL, "v=0", 3), PHONESEC_E_INVAL);
    /* Optional: plain RTP/AVP goes ahead in clear; mandatory refuses it. */
    assert_int_equal(phonesec_sdes_answer(s, avp, strlen(avp)), PHONESEC_OK);
    pol.mode = PHONESEC_SDES_MANDATORY;
    new_s();
    assert_int_equal(phonesec_sdes_answer(s, avp, strlen(avp)), PHONESEC_E_NO_MATCH);
    /* Suite policy: only GCM allowed, the admin-guide offer has none. */
    assert_int_equal(phonesec_sdes_policy_set_suites(&pol, "AEAD_AES_256_GCM, aead_aes_128_gcm"), PHONESEC_OK);
    assert_int_equal(pol.n_suites, 2);
    new_s();
    assert_int_equal(answer_vec("sdes/offer-admin-guide.sdp"), PHONESEC_E_NO_MATCH);
    if (phonesec_srtp_suite_supported(PHONESEC_SRTP_F8_128_HMAC_SHA1_80) == PHONESEC_OK) {
        /* native engine: F8 is answered only when the policy lists it */
        phonesec_sdes_section_info info;
        assert_int_equal(phonesec_sdes_policy_set_suites(&pol, "F8_128_HMAC_SHA1_80"), PHONESEC_OK);
        new_s();
        assert_int_equal(answer_vec("sdes/offer-tags-5-6-9.sdp"), PHONESEC_OK);
        assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
        assert_int_equal(info.tag, 5);
        assert_int_equal(answer_sessions_work("F8 listed"), 1);
    } else
        assert_int_equal(phonesec_sdes_policy_set_suites(&pol, "F8_128_HMAC_SHA1_80"), PHONESEC_E_UNSUPPORTED);
    assert_int_equal(phonesec_sdes_policy_set_suites(&pol, "AES_CM_999"), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_sdes_policy_set_suites(&pol, "NULL_HMAC_SHA1_80"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_new(&pol, &s), PHONESEC_E_INVAL); /* NULL without ALLOW_NULL */
}

static void tls_policy(void **state)
{
    phonesec_sdes_section_info info;
    (void)state;
    pol.flags |= PHONESEC_SDES_REQUIRE_TLS;
    new_s();
    /* Optional + not TLS: the SAVP offer cannot be secured. */
    assert_int_equal(answer_vec("sdes/offer-admin-guide.sdp"), PHONESEC_E_NO_MATCH);
    /* The opportunistic AVP+crypto section goes ahead in clear. */
    assert_int_equal(answer_vec("sdes/offer-savp-avp.sdp"), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 1, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_CLEAR);
    assert_non_null(strstr(info.reason, "not TLS"));
    assert_int_equal(phonesec_sdes_set_signalling_tls(s, 1), PHONESEC_OK);
    assert_int_equal(answer_vec("sdes/offer-admin-guide.sdp"), PHONESEC_OK);
    assert_null(strstr(test_log_text, "not TLS"));
    pol.mode = PHONESEC_SDES_MANDATORY;
    new_s();
    assert_int_equal(answer_vec("sdes/offer-admin-guide.sdp"), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_sdes_offer(s, "m=audio 1 RTP/AVP 0\r\n", 21, buf, sizeof buf, &(size_t){0}),
                     PHONESEC_E_POLICY);
}

/* Find the offered line with `tag` in an SDP text and parse it. */
static void offered_line(const char *sdp, unsigned tag, phonesec_sdes_crypto *c)
{
    char pat[32];
    const char *p, *e;
    snprintf(pat, sizeof pat, "a=crypto:%u ", tag);
    p = strstr(sdp, pat);
    assert_non_null(p);
    e = strstr(p, "\r\n");
    assert_non_null(e);
    assert_int_equal(phonesec_sdes_crypto_parse(p, (size_t)(e - p), c, NULL, 0), PHONESEC_OK);
}

static void offerer(void **state)
{
    static const char local[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                                "m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
                                "m=video 0 RTP/AVP 96\r\n";
    static phonesec_sdes_crypto c1, c2;
    phonesec_srtp_params in, out;
    phonesec_sdes_section_info info;
    char ans[1024];
    size_t n;
    (void)state;
    pol.mode = PHONESEC_SDES_MANDATORY;
    pol.flags |= PHONESEC_SDES_OFFER_3GE2AE | PHONESEC_SDES_SRTCP_TAG32_COMPAT;
    pol.mki_len = 1;
    new_s();
    assert_int_equal(phonesec_sdes_set_signalling_tls(s, 1), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_offer(s, local, sizeof local - 1, buf, sizeof buf, &n), PHONESEC_OK);
    assert_non_null(strstr(buf, "m=audio 4000 RTP/SAVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=crypto:1 "
                                "AES_CM_128_HMAC_SHA1_80 inline:"));
    /* Tags follow the suites offered: the AES-192 pair is left out while the
     * linked libsrtp2 fails RFC 6188's known answer. */
    if (phonesec_srtp_suite_supported(PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80) == PHONESEC_OK) {
        assert_non_null(strstr(buf, "a=crypto:5 AES_192_CM_HMAC_SHA1_80 inline:"));
        assert_non_null(strstr(buf, "a=crypto:8 AEAD_AES_128_GCM inline:"));
    } else {
        assert_null(strstr(buf, "AES_192"));
        assert_non_null(strstr(buf, "a=crypto:6 AEAD_AES_128_GCM inline:"));
    }
    assert_non_null(strstr(buf, "a=3ge2ae:requested\r\nm=video 0 RTP/AVP 96\r\n"));
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_PENDING);
    offered_line(buf, 2, &c1);
    assert_int_equal(c1.suite, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32);
    assert_int_equal(c1.keys[0].mki_len, 1);
    /* Answers that must be refused. */
#define ANS(body) snprintf(ans, sizeof ans, "v=0\r\nm=audio 5000 RTP/SAVP 0\r\n%sm=video 0 RTP/AVP 96\r\n", body)
    ANS("");
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_E_NO_MATCH);
    ANS("a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n");
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_E_NO_MATCH);
    ANS("a=crypto:99 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n");
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_E_NO_MATCH);
    ANS("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n");
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_E_NO_MATCH);
    ANS("a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVB\r\n");
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_E_PARSE);
    ANS("a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR UNENCRYPTED_SRTP\r\n");
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_E_POLICY);
    snprintf(ans, sizeof ans, "m=audio 5000 RTP/AVP 0\r\n"
                              "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
                              "m=video 0 RTP/AVP 96\r\n");
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_sdes_accept_answer(s, "m=audio 5000 RTP/SAVP 0\r\n", 25), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out), PHONESEC_E_NOT_FOUND);
    /* The good one: tag 2, its suite, exactly one line. */
    ANS("a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\na=3ge2ae:applied\r\n");
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_E_STATE);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_SECURED);
    assert_int_equal(info.tag, 2);
    assert_int_equal(info.e2ae, 1);
    assert_true(info.protect_in && info.protect_out);
    assert_int_equal(phonesec_sdes_section(s, 1, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_REJECTED);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    assert_memory_equal(out.keys[0].key, c1.keys[0].key, 16);
    assert_int_equal(out.keys[0].mki_len, 1);
    assert_int_equal(out.flags, PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT);
    assert_int_equal(in.flags, PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT);
    expect_hex_key(&in, "3d2d6e40255e7821426a75667239293f2c2335685c603d265d7b71695051");
    /* Re-offer: the key in use is offered again; outbound unchanged until answered. */
    assert_int_equal(phonesec_sdes_offer(s, local, sizeof local - 1, buf, sizeof buf, &n), PHONESEC_OK);
    offered_line(buf, 2, &c2);
    assert_memory_equal(c2.keys[0].key, c1.keys[0].key, 16);
    assert_memory_equal(c2.keys[0].mki, c1.keys[0].mki, 1);
    /* Lifetime used up: the next offer carries a new key (and a new MKI); the
     * sending key changes only once that offer is answered. */
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_set_roc(s, 0, PHONESEC_SDES_OUTBOUND, 7), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_report_packets(s, 0, PHONESEC_SDES_OUTBOUND, UINT64_C(1) << 48),
                     PHONESEC_E_EXPIRED);
    assert_int_equal(phonesec_sdes_offer(s, local, sizeof local - 1, buf, sizeof buf, &n), PHONESEC_OK);
    offered_line(buf, 2, &c2);
    assert_true(memcmp(c2.keys[0].key, c1.keys[0].key, 16) != 0);
    assert_true(c2.keys[0].mki[0] != c1.keys[0].mki[0]);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out), PHONESEC_OK);
    assert_memory_equal(out.keys[0].key, c1.keys[0].key, 16);
    assert_int_equal(phonesec_sdes_answer(s, ans, strlen(ans)), PHONESEC_E_STATE); /* glare */
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out), PHONESEC_OK);
    assert_memory_equal(out.keys[0].key, c2.keys[0].key, 16);
    assert_int_equal(out.roc, 7);
    phonesec_memzero(&in, sizeof in);
    phonesec_memzero(&out, sizeof out);
    phonesec_sdes_crypto_wipe(&c1);
    phonesec_sdes_crypto_wipe(&c2);
#undef ANS
}

static void offerer_optional(void **state)
{
    static const char local[] = "m=audio 4000 RTP/AVPF 0\nm=application 9 TCP/BFCP *\n";
    phonesec_sdes_section_info info;
    size_t n;
    const char *ans = "m=audio 5000 RTP/AVPF 0\nm=application 9 TCP/BFCP *\n";
    (void)state;
    assert_int_equal(phonesec_sdes_policy_set_suites(&pol, "AES_CM_128_HMAC_SHA1_80"), PHONESEC_OK);
    new_s();
    assert_int_equal(phonesec_sdes_offer(s, local, sizeof local - 1, buf, sizeof buf, &n), PHONESEC_OK);
    assert_null(strchr(buf, '\r'));
    assert_non_null(strstr(buf, "m=audio 4000 RTP/AVPF 0\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
    assert_null(strstr(buf, "a=crypto:2"));
    assert_null(strstr(buf, "3ge2ae"));
    /* RFC 8643: the peer may answer without a=crypto: media in clear. */
    assert_int_equal(phonesec_sdes_accept_answer(s, ans, strlen(ans)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_CLEAR);
    assert_int_equal(phonesec_sdes_section(s, 1, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_NOT_RTP);
    /* Disabled: the SDP passes unchanged. */
    pol.mode = PHONESEC_SDES_DISABLED;
    new_s();
    assert_int_equal(phonesec_sdes_offer(s, local, sizeof local - 1, buf, sizeof buf, &n), PHONESEC_OK);
    assert_string_equal(buf, local);
}

static void weakened_lines_lock_icon(void **state)
{
    phonesec_sdes_section_info info;
    phonesec_srtp_params in, out;
    static phonesec_sdes_crypto c;
    const char *o = "m=audio 1 RTP/SAVP 0\r\n"
                    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR "
                    "UNENCRYPTED_SRTP WSH=512\r\n"
                    "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n";
    (void)state;
    new_s();
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.tag, 2); /* UNENCRYPTED_SRTP not allowed: line 1 declined */
    pol.flags |= PHONESEC_SDES_ALLOW_UNENCRYPTED;
    new_s();
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.tag, 1);
    assert_int_equal(info.protect_in, 0);
    assert_int_equal(info.protect_out, 0);
    our_line(0, &c);
    assert_int_equal(c.flags, PHONESEC_SRTP_F_UNENCRYPTED_SRTP); /* echoed, honoured both ways */
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &out), PHONESEC_OK);
    assert_int_equal(in.flags, PHONESEC_SRTP_F_UNENCRYPTED_SRTP);
    assert_int_equal(out.flags, PHONESEC_SRTP_F_UNENCRYPTED_SRTP);
    assert_int_equal(in.wsh, 512);
    phonesec_memzero(&in, sizeof in);
    phonesec_memzero(&out, sizeof out);
    phonesec_sdes_crypto_wipe(&c);
}

/* ---- every answer and offer must give working phonesec_srtp sessions ---- */

static const uint8_t rtp_pkt[32] = {0x80, 0x00, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0x11, 0x22, 0x33, 0x44,
                                    'p',  'a',  'y',  'l',  'o',  'a',  'd',  ' ',  'o',  'f',  ' ',  't',
                                    'w',  'e',  'n',  't',  'y',  ' ',  'B',  '!'};
static const uint8_t rtcp_pkt[28] = {0x80, 0xc8, 0x00, 0x06, 0x11, 0x22, 0x33, 0x44, 1, 2, 3, 4, 5, 6,
                                     7,    8,    9,    10,   11,   12,   13,   14,   15, 16, 17, 18, 19, 20};

static phonesec_srtp *srtp_or_fail(const phonesec_srtp_params *p, int dir, unsigned opts, const char *what)
{
    phonesec_srtp *x = NULL;
    int rc = phonesec_srtp_new(p, dir, opts, &x);
    if (rc != PHONESEC_OK)
        fail_msg("%s: phonesec_srtp_new(%s, %s) gave %s", what, phonesec_srtp_suite_name(p->suite),
                 dir == PHONESEC_SRTP_DIR_INBOUND ? "inbound" : "outbound", phonesec_strerror(rc));
    return x;
}

/* Sessions from tx (sender) and rx (receiver): one RTP and one RTCP packet
 * protected by the first must come out of the second unchanged. */
static void roundtrip(const phonesec_srtp_params *tx, const phonesec_srtp_params *rx, unsigned opts, const char *what)
{
    phonesec_srtp *a = srtp_or_fail(tx, PHONESEC_SRTP_DIR_OUTBOUND, opts, what);
    phonesec_srtp *b = srtp_or_fail(rx, PHONESEC_SRTP_DIR_INBOUND, opts, what);
    uint8_t w[256], r[256];
    size_t wn, rn;
    int rc;
    assert_int_equal(phonesec_srtp_protect(a, rtp_pkt, sizeof rtp_pkt, w, sizeof w, &wn), PHONESEC_OK);
    rc = phonesec_srtp_unprotect(b, w, wn, r, sizeof r, &rn);
    if (rc != PHONESEC_OK) {
        char e[256];
        phonesec_srtp_last_error(b, e, sizeof e);
        fail_msg("%s: %s flags %x/%x mki %zu/%zu: unprotect: %s", what, phonesec_srtp_suite_name(tx->suite),
                 tx->flags, rx->flags, tx->keys[0].mki_len, rx->keys[0].mki_len, e);
    }
    assert_int_equal(rn, sizeof rtp_pkt);
    assert_memory_equal(r, rtp_pkt, sizeof rtp_pkt);
    assert_int_equal(phonesec_srtp_protect_rtcp(a, rtcp_pkt, sizeof rtcp_pkt, w, sizeof w, &wn), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_unprotect_rtcp(b, w, wn, r, sizeof r, &rn), PHONESEC_OK);
    assert_int_equal(rn, sizeof rtcp_pkt);
    assert_memory_equal(r, rtcp_pkt, sizeof rtcp_pkt);
    phonesec_srtp_free(a);
    phonesec_srtp_free(b);
}

static unsigned srtp_opts(void)
{
    return (pol.flags & PHONESEC_SDES_ALLOW_NULL) ? PHONESEC_SRTP_OPT_ALLOW_NULL : 0;
}

/* Every secured section of the current answer: both our sessions are made
 * from phonesec_sdes_params(); what we send is read by a peer that built its
 * inbound session from our a=crypto answer line, and what the peer sends
 * with its offered key is read by our inbound session. Returns the number
 * of secured sections. */
static size_t answer_sessions_work(const char *what)
{
    size_t i, n = phonesec_sdes_section_count(s), secured = 0;
    for (i = 0; i < n; i++) {
        phonesec_sdes_section_info info;
        phonesec_srtp_params in, out, peer_in;
        char l[PHONESEC_SDES_LINE_MAX + 1], why[200];
        size_t ln;
        assert_int_equal(phonesec_sdes_section(s, i, &info), PHONESEC_OK);
        if (info.state != PHONESEC_SDES_SEC_SECURED)
            continue;
        secured++;
        assert_int_equal(phonesec_sdes_params(s, i, PHONESEC_SDES_INBOUND, &in), PHONESEC_OK);
        assert_int_equal(phonesec_sdes_params(s, i, PHONESEC_SDES_OUTBOUND, &out), PHONESEC_OK);
        assert_int_equal(phonesec_sdes_answer_crypto(s, i, l, sizeof l, &ln), PHONESEC_OK);
        if (phonesec_sdes_line_to_params(l, ln, pol.flags, &peer_in, why, sizeof why) != PHONESEC_OK)
            fail_msg("%s: section %zu: the peer cannot use our answer line: %s", what, i, why);
        roundtrip(&out, &peer_in, srtp_opts(), what); /* we send, the peer reads */
        roundtrip(&in, &in, srtp_opts(), what);       /* the peer sends, we read */
        phonesec_memzero(&in, sizeof in);
        phonesec_memzero(&out, sizeof out);
        phonesec_memzero(&peer_in, sizeof peer_in);
    }
    return secured;
}

static const char *const field_offers[] = {
    "sdes/offer-admin-guide.sdp", "sdes/offer-tags-5-6-9.sdp", "sdes/offer-renumbered.sdp",
    "sdes/offer-savp-avp.sdp",    "sdes/offer-71-lines.sdp",
};

/* Offers the SRTP layer cannot run as written (AES-192 first; MKI with
 * unequal SRTP/SRTCP tags first), each with a usable line after. */
static const char *const srtp_limit_offers[] = {
    "m=audio 4000 RTP/SAVP 0\r\n"
    "a=crypto:1 AES_192_CM_HMAC_SHA1_80 inline:v9yuX0va81siixgYIxXbLdDyUo/oSSmMa1+zb6u+g9ERJr4EZ24\r\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n",
    "m=audio 4000 RTP/SAVP 0\r\n"
    "a=crypto:1 AES_192_CM_HMAC_SHA1_32 inline:v9yuX0va81siixgYIxXbLdDyUo/oSSmMa1+zb6u+g9ERJr4EZ24\r\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n",
    "m=audio 4000 RTP/SAVP 0\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4\r\n"
    "a=crypto:2 AES_256_CM_HMAC_SHA1_32 inline:1wTfnQFdJ9wxb7Ut2y4tA+gJtnLjoeuQDmXQFyUAhJ34TuNQBS/l4w96uLBntQ|7:1\r\n"
    "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:4\r\n",
    "m=audio 4000 RTP/SAVP 0\r\n"
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4 UNAUTHENTICATED_SRTP\r\n"
    "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj UNAUTHENTICATED_SRTP\r\n"
    "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:NzkyM2FjNzQ2ZDgxYjg0MzQwMGVmMGUxMzdmNWFm UNENCRYPTED_SRTP "
    "UNAUTHENTICATED_SRTP\r\n"
    "a=crypto:4 NULL_HMAC_SHA1_32 inline:NzkyM2FjNzQ2ZDgxYjg0MzQwMGVmMGUxMzdmNWFm|9:2\r\n"
    "a=crypto:5 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj\r\n",
};

static void set_policy(int variant)
{
    phonesec_sdes_policy_init(&pol);
    switch (variant) {
    case 1: pol.flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT; break;
    case 2: pol.mki_len = 2; break;                                     /* our keys carry an MKI */
    case 3: pol.mki_len = 4; pol.flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT; break;
    case 4: pol.mki_len = 1; pol.flags |= PHONESEC_SDES_ALLOW_UNENCRYPTED; break;
    case 5:
        pol.mki_len = 3;
        pol.flags |= PHONESEC_SDES_ALLOW_UNENCRYPTED | PHONESEC_SDES_ALLOW_NULL;
        assert_int_equal(phonesec_sdes_policy_set_suites(&pol, "NULL_HMAC_SHA1_32,AES_CM_128_HMAC_SHA1_80,"
                                                               "AES_CM_128_HMAC_SHA1_32,AES_256_CM_HMAC_SHA1_80,"
                                                               "AES_192_CM_HMAC_SHA1_80,AEAD_AES_128_GCM"),
                         PHONESEC_OK);
        break;
    case 6: pol.mode = PHONESEC_SDES_MANDATORY; pol.mki_len = 1; break;
    default: break;
    }
}
#define N_VARIANTS 7

static void field_answers_make_sessions(void **state)
{
    size_t v, i, secured = 0;
    char what[160];
    (void)state;
    for (v = 0; v < N_VARIANTS; v++) {
        set_policy((int)v);
        new_s();
        assert_int_equal(phonesec_sdes_set_signalling_tls(s, 1), PHONESEC_OK);
        for (i = 0; i < sizeof field_offers / sizeof field_offers[0]; i++) {
            int rc = answer_vec(field_offers[i]);
            snprintf(what, sizeof what, "policy %zu, %s", v, field_offers[i]);
            assert_true(rc == PHONESEC_OK || rc == PHONESEC_E_NO_MATCH);
            if (rc == PHONESEC_OK)
                secured += answer_sessions_work(what);
        }
        for (i = 0; i < sizeof srtp_limit_offers / sizeof srtp_limit_offers[0]; i++) {
            const char *o = srtp_limit_offers[i];
            snprintf(what, sizeof what, "policy %zu, offer %zu", v, i);
            assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
            assert_int_equal(answer_sessions_work(what), 1);
            secured++;
        }
    }
    assert_true(secured >= N_VARIANTS * 8); /* the loop really made sessions */
}

static void aes192_first_then_aes128(void **state)
{
    phonesec_sdes_section_info info;
    char l[200];
    const char *o = srtp_limit_offers[0];
    int ok192 = phonesec_srtp_suite_supported(PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80);
    (void)state;
    assert_true(ok192 == PHONESEC_OK || ok192 == PHONESEC_E_UNSUPPORTED);
    new_s();
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_SECURED);
    if (ok192 == PHONESEC_OK) {
        /* A libsrtp2 that passes RFC 6188's known answer: AES-192 is fine. */
        assert_int_equal(info.suite, PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80);
    } else {
        assert_int_equal(info.tag, 2);
        assert_int_equal(info.suite, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
        assert_int_equal(phonesec_sdes_line_reason(s, 0, 0, l, sizeof l), PHONESEC_OK);
        assert_non_null(strstr(l, "tag 1"));
        assert_non_null(strstr(l, "AES-192"));
        assert_non_null(strstr(l, "RFC 6188"));
        /* Alone, the AES-192 line leaves nothing to answer with. */
        o = "m=audio 4000 RTP/SAVP 0\r\n"
            "a=crypto:1 AES_CM_192_HMAC_SHA1_32 inline:v9yuX0va81siixgYIxXbLdDyUo/oSSmMa1+zb6u+g9ERJr4EZ24\r\n";
        assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_E_NO_MATCH);
        assert_int_equal(phonesec_sdes_last_error(s, l, sizeof l), PHONESEC_OK);
        assert_non_null(strstr(l, "AES-192"));
        /* A policy of AES-192 only: nothing to offer; optional mode offers clear. */
        assert_int_equal(phonesec_sdes_policy_set_suites(&pol, "AES_192_CM_HMAC_SHA1_80"), PHONESEC_OK);
        new_s();
        assert_int_equal(phonesec_sdes_offer(s, "m=audio 1 RTP/AVP 0\r\n", 21, buf, sizeof buf, &(size_t){0}),
                         PHONESEC_OK);
        assert_string_equal(buf, "m=audio 1 RTP/AVP 0\r\n");
        assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
        assert_int_equal(info.state, PHONESEC_SDES_SEC_CLEAR);
        pol.mode = PHONESEC_SDES_MANDATORY;
        new_s();
        assert_int_equal(phonesec_sdes_offer(s, "m=audio 1 RTP/AVP 0\r\n", 21, buf, sizeof buf, &(size_t){0}),
                         PHONESEC_E_NO_MATCH);
    }
    assert_int_equal(answer_sessions_work("AES-192 first") + 0, ok192 == PHONESEC_OK ? 1u : 0u);
}

static void mki_with_unequal_tags_declined(void **state)
{
    phonesec_sdes_section_info info;
    static phonesec_sdes_crypto c;
    char l[200];
    const char *o = srtp_limit_offers[2];
    (void)state;
    if (phonesec_srtp_engine_supports(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, 0, PHONESEC_SRTP_FEAT_MKI) ==
        PHONESEC_OK) {
        /* native engine: the SRTCP MKI is where RFC 3711 puts it whatever
         * the tags, so the first line is used, and our key carries the
         * policy's MKI on a _32 line too */
        new_s();
        assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
        assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
        assert_int_equal(info.tag, 1);
        assert_int_equal(answer_sessions_work("MKI, native"), 1);
        phonesec_sdes_policy_init(&pol);
        pol.mki_len = 2;
        new_s();
        o = "m=audio 4000 RTP/SAVP 0\r\n"
            "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
        assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
        our_line(0, &c);
        assert_int_equal(c.keys[0].mki_len, 2);
        assert_int_equal(answer_sessions_work("our MKI, _32, native"), 1);
        /* and GCM: the peer's MKI line is answered, ours carries an MKI too
         * (RFC 7714: after the tag) */
        o = "m=audio 4000 RTP/SAVP 0\r\n"
            "a=crypto:1 AEAD_AES_128_GCM inline:ElL8BL+ZV0ZNKPlbjtZeeulhlO5a1R/YSTkCvQ|5:1\r\n";
        new_s();
        assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
        assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
        assert_int_equal(info.tag, 1);
        our_line(0, &c);
        assert_int_equal(c.suite, PHONESEC_SRTP_AEAD_AES_128_GCM);
        assert_int_equal(c.keys[0].mki_len, 2);
        assert_int_equal(answer_sessions_work("MKI, GCM, native"), 1);
        (void)l;
        return;
    }
    /* RFC mode: the _32 lines with an MKI are declined, with the reason. */
    new_s();
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.tag, 3);
    assert_int_equal(phonesec_sdes_line_reason(s, 0, 0, l, sizeof l), PHONESEC_OK);
    assert_non_null(strstr(l, "tag 1: MKI"));
    assert_non_null(strstr(l, "SRTCP"));
    assert_int_equal(phonesec_sdes_line_reason(s, 0, 1, l, sizeof l), PHONESEC_OK);
    assert_non_null(strstr(l, "tag 2: MKI"));
    assert_int_equal(answer_sessions_work("MKI, RFC mode"), 1);
    /* TAG32_COMPAT makes both tags 32 bits: the first line is used. */
    pol.flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT;
    new_s();
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.tag, 1);
    assert_int_equal(answer_sessions_work("MKI, compat"), 1);
    /* Our own key on a _32 line in RFC mode carries no MKI even when the
     * policy asks for one (it would break our SRTCP); on an _80 line it does. */
    phonesec_sdes_policy_init(&pol);
    pol.mki_len = 2;
    new_s();
    o = "m=audio 4000 RTP/SAVP 0\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    our_line(0, &c);
    assert_int_equal(c.keys[0].mki_len, 0);
    assert_int_equal(answer_sessions_work("our MKI, _32"), 1);
    o = "m=audio 4000 RTP/SAVP 0\r\n"
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    our_line(0, &c);
    assert_int_equal(c.keys[0].mki_len, 2);
    assert_int_equal(answer_sessions_work("our MKI, _80"), 1);
    /* UNAUTHENTICATED_SRTP: no SRTP tag at all. The peer's MKI line is
     * declined; on the line without MKI ours carries none either. Clear RTP
     * (UNENCRYPTED_SRTP with UNAUTHENTICATED_SRTP) also needs ALLOW_NULL. */
    pol.flags |= PHONESEC_SDES_ALLOW_UNENCRYPTED;
    new_s();
    o = srtp_limit_offers[3];
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.tag, 2);
    assert_int_equal(phonesec_sdes_line_reason(s, 0, 0, l, sizeof l), PHONESEC_OK);
    assert_non_null(strstr(l, "UNAUTHENTICATED_SRTP"));
    our_line(0, &c);
    assert_int_equal(c.keys[0].mki_len, 0);
    assert_int_equal(c.flags, PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP);
    assert_int_equal(answer_sessions_work("UNAUTHENTICATED_SRTP"), 1);
    o = "m=audio 4000 RTP/SAVP 0\r\n"
        "a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:NzkyM2FjNzQ2ZDgxYjg0MzQwMGVmMGUxMzdmNWFm UNENCRYPTED_SRTP "
        "UNAUTHENTICATED_SRTP\r\n";
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_sdes_last_error(s, l, sizeof l), PHONESEC_OK);
    assert_non_null(strstr(l, "ALLOW_NULL"));
    pol.flags |= PHONESEC_SDES_ALLOW_NULL;
    new_s();
    assert_int_equal(phonesec_sdes_answer(s, o, strlen(o)), PHONESEC_OK);
    assert_int_equal(answer_sessions_work("clear RTP, ALLOW_NULL"), 1);
    phonesec_sdes_crypto_wipe(&c);
}

/* Offerer and answerer both ours: for each policy variant and each single
 * suite, the offer is answered, accepted, and both ends' sessions work. */
static void offers_make_sessions(void **state)
{
    static const char local[] = "m=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 96\r\n";
    static const int all[] = {
        PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32,
        PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80, PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32,
        PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80, PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32,
        PHONESEC_SRTP_AEAD_AES_128_GCM,        PHONESEC_SRTP_AEAD_AES_256_GCM,
        PHONESEC_SRTP_NULL_HMAC_SHA1_32,       0 /* the default list */
    };
    static char offer[8192], ans[8192];
    size_t v, k, n, i, made = 0;
    char what[160];
    (void)state;
    for (v = 0; v < N_VARIANTS; v++) {
        for (k = 0; k < sizeof all / sizeof all[0]; k++) {
            phonesec_sdes *b = NULL;
            phonesec_sdes_policy saved;
            set_policy((int)v);
            if (all[k] != 0) {
                pol.suites[0] = all[k];
                pol.n_suites = 1;
                if (all[k] == PHONESEC_SRTP_NULL_HMAC_SHA1_32 && !(pol.flags & PHONESEC_SDES_ALLOW_NULL))
                    continue;
            }
            snprintf(what, sizeof what, "policy %zu, suite %s", v, all[k] ? phonesec_srtp_suite_name(all[k]) : "default");
            new_s();
            assert_int_equal(phonesec_sdes_new(&pol, &b), PHONESEC_OK);
            assert_int_equal(phonesec_sdes_set_signalling_tls(s, 1), PHONESEC_OK);
            assert_int_equal(phonesec_sdes_set_signalling_tls(b, 1), PHONESEC_OK);
            n = 0;
            offer[0] = '\0';
            i = (size_t)phonesec_sdes_offer(s, local, sizeof local - 1, offer, sizeof offer, &n);
            if (all[k] != 0 && phonesec_srtp_suite_supported(all[k]) != PHONESEC_OK) {
                /* Nothing the SRTP layer can run: never offered. */
                assert_null(strstr(offer, "a=crypto"));
                assert_int_equal((int)i, pol.mode == PHONESEC_SDES_MANDATORY ? PHONESEC_E_NO_MATCH : PHONESEC_OK);
                phonesec_sdes_free(b);
                continue;
            }
            assert_int_equal((int)i, PHONESEC_OK);
            /* Every line we offer passes the answerer's check under our policy. */
            {
                const char *p = offer;
                while ((p = strstr(p, "a=crypto:")) != NULL) {
                    phonesec_srtp_params tmp;
                    char why[200];
                    const char *e = strstr(p, "\r\n");
                    if (phonesec_sdes_line_to_params(p, (size_t)(e - p), pol.flags, &tmp, why, sizeof why) !=
                        PHONESEC_OK)
                        fail_msg("%s: we offered a line the SRTP layer cannot run: %.*s: %s", what, (int)(e - p), p,
                                 why);
                    phonesec_sdes_free(NULL);
                    phonesec_memzero(&tmp, sizeof tmp);
                    p = e;
                }
            }
            /* The other end (ours too) answers; we accept. */
            saved = pol;
            {
                phonesec_sdes *t = s;
                s = b;
                assert_int_equal(phonesec_sdes_answer(s, offer, n), PHONESEC_OK);
                assert_int_equal(answer_sessions_work(what), 2);
                assert_int_equal(phonesec_sdes_answer_sdp(s, local, sizeof local - 1, ans, sizeof ans, &n), PHONESEC_OK);
                s = t;
            }
            pol = saved;
            assert_int_equal(phonesec_sdes_accept_answer(s, ans, n), PHONESEC_OK);
            for (i = 0; i < 2; i++) {
                phonesec_srtp_params a_out, a_in, b_out, b_in;
                assert_int_equal(phonesec_sdes_params(s, i, PHONESEC_SDES_OUTBOUND, &a_out), PHONESEC_OK);
                assert_int_equal(phonesec_sdes_params(s, i, PHONESEC_SDES_INBOUND, &a_in), PHONESEC_OK);
                assert_int_equal(phonesec_sdes_params(b, i, PHONESEC_SDES_OUTBOUND, &b_out), PHONESEC_OK);
                assert_int_equal(phonesec_sdes_params(b, i, PHONESEC_SDES_INBOUND, &b_in), PHONESEC_OK);
                roundtrip(&a_out, &b_in, srtp_opts(), what);
                roundtrip(&b_out, &a_in, srtp_opts(), what);
                made++;
                phonesec_memzero(&a_out, sizeof a_out);
                phonesec_memzero(&a_in, sizeof a_in);
                phonesec_memzero(&b_out, sizeof b_out);
                phonesec_memzero(&b_in, sizeof b_in);
            }
            phonesec_sdes_free(b);
        }
    }
    assert_true(made >= N_VARIANTS * 2 * 6);
}

static void api_misuse(void **state)
{
    size_t n;
    char l[64];
    phonesec_srtp_params p;
    phonesec_sdes_section_info info;
    (void)state;
    assert_int_equal(phonesec_sdes_new(NULL, &s), PHONESEC_E_INVAL);
    pol.version = 99;
    assert_int_equal(phonesec_sdes_new(&pol, &s), PHONESEC_E_INVAL);
    pol.version = PHONESEC_SDES_POLICY_VERSION;
    pol.mki_len = 5;
    assert_int_equal(phonesec_sdes_new(&pol, &s), PHONESEC_E_INVAL);
    pol.mki_len = 0;
    new_s();
    assert_int_equal(phonesec_sdes_answer_mline(s, 0, l, sizeof l, &n), PHONESEC_E_STATE);
    assert_int_equal(phonesec_sdes_answer_sdp(s, "m=audio 1 RTP/AVP 0\n", 20, buf, sizeof buf, &n), PHONESEC_E_STATE);
    assert_int_equal(phonesec_sdes_accept_answer(s, "m=audio 1 RTP/AVP 0\n", 20), PHONESEC_E_STATE);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &p), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_sdes_params(s, 0, 7, &p), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_sdes_report_packets(s, 0, PHONESEC_SDES_OUTBOUND, 1), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_sdes_section_count(NULL), 0);
    phonesec_sdes_free(NULL);
}

static void out_of_memory(void **state)
{
    size_t len, n;
    char *offer = test_read_vector("sdes/offer-savp-avp.sdp", &len);
    static const char local[] = "m=audio 4000 RTP/AVP 0\r\nm=video 4002 RTP/AVP 96\r\n";
    const char *ans = "m=audio 5000 RTP/SAVP 0\r\n"
                      "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n"
                      "m=video 5002 RTP/SAVP 96\r\n"
                      "a=crypto:3 AES_256_CM_HMAC_SHA1_80 "
                      "inline:1wTfnQFdJ9wxb7Ut2y4tA+gJtnLjoeuQDmXQFyUAhJ34TuNQBS/l4w96uLBntQ\r\n";
    long i, start = test_alloc_live;
    int done = 0;
    (void)state;
    assert_non_null(offer);
    pol.mode = PHONESEC_SDES_MANDATORY;
    for (i = 1; i < 500 && !done; i++) {
        phonesec_sdes *t = NULL;
        int r;
        test_alloc_calls = 0;
        test_alloc_fail_at = i;
        r = phonesec_sdes_new(&pol, &t);
        if (r == PHONESEC_OK) {
            int a = phonesec_sdes_answer(t, offer, len);
            int b = a == PHONESEC_OK ? phonesec_sdes_answer_sdp(t, offer, len, buf, sizeof buf, &n) : a;
            int c = phonesec_sdes_offer(t, local, sizeof local - 1, buf, sizeof buf, &n);
            int d = c == PHONESEC_OK ? phonesec_sdes_accept_answer(t, ans, strlen(ans)) : c;
            assert_true(a == PHONESEC_OK || a == PHONESEC_E_NOMEM);
            assert_true(b == PHONESEC_OK || b == PHONESEC_E_NOMEM);
            assert_true(c == PHONESEC_OK || c == PHONESEC_E_NOMEM);
            assert_true(d == PHONESEC_OK || d == PHONESEC_E_NOMEM);
            done = a == PHONESEC_OK && b == PHONESEC_OK && c == PHONESEC_OK && d == PHONESEC_OK;
            phonesec_sdes_free(t);
        } else {
            assert_int_equal(r, PHONESEC_E_NOMEM);
        }
        assert_int_equal(test_alloc_live, start);
    }
    test_alloc_fail_at = 0;
    assert_true(done);
    assert_true(i > 20); /* many allocation points were failed */
    free(offer);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(admin_guide_offer),
        T(f8_first_wrong_length_then_good),
        T(renumbered_reoffer_keeps_keys),
        T(reoffer_new_peer_key_and_two_keys),
        T(more_than_64_lines),
        T(savp_and_avp_in_one_offer),
        T(invalid_and_unsecurable_offers),
        T(tls_policy),
        T(offerer),
        T(offerer_optional),
        T(weakened_lines_lock_icon),
        T(field_answers_make_sessions),
        T(aes192_first_then_aes128),
        T(mki_with_unequal_tags_declined),
        T(offers_make_sessions),
        T(api_misuse),
        T(out_of_memory),
    };
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
