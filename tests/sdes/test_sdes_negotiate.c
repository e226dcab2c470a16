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
    assert_non_null(strstr(buf, "a=crypto:8 AEAD_AES_128_GCM inline:"));
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
        T(api_misuse),
        T(out_of_memory),
    };
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
