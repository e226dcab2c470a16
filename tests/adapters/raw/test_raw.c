/* Raw SIP text adapter (adapters/raw): on messages real stacks produced
 * (vectors/: stock baresip 1.0.0's INVITE with an SRTP offer, and the 200
 * that baresip with phonesec.so answered it with, both captured from the
 * adapters suite's SIP trace), a REGISTER / 494 / INVITE MediaSec flow, and
 * malformed messages. Checks are on the bytes: every header but the ones
 * the adapter owns is kept, Content-Length equals the body. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "phonesec_raw.h"

static char *read_vec(const char *name, size_t *len)
{
    char path[1024];
    const char *src = getenv("PHONESEC_SRCDIR");
    FILE *f;
    char *b;
    long n;
    snprintf(path, sizeof path, "%s/tests/adapters/raw/vectors/%s", src ? src : ".", name);
    f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return b;
}

/* Content-Length of msg must equal its body's length. */
static void assert_length_right(const char *msg, size_t len)
{
    size_t off, blen, voff, vlen;
    assert_int_equal(phonesec_raw_body(msg, len, &off, &blen), PHONESEC_OK);
    assert_int_equal(off + blen, len);
    assert_int_equal(phonesec_mediasec_msg_find(msg, len, "Content-Length", 0, &voff, &vlen), PHONESEC_OK);
    assert_int_equal(strtoul(msg + voff, NULL, 10), blen);
}

/* Every line of a that is not an a=crypto line or Content-Length is in b. */
static void assert_lines_kept(const char *a, const char *b)
{
    const char *p = a;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p + 1) : strlen(p);
        char line[1024];
        if (n < sizeof line && strncmp(p, "a=crypto:", 9) != 0 && strncmp(p, "Content-Length:", 15) != 0) {
            memcpy(line, p, n);
            line[n] = '\0';
            if (strstr(b, line) == NULL)
                fail_msg("line lost: %s", line);
        }
        p += n;
    }
}

static phonesec_sdes *new_sdes(int mode)
{
    phonesec_sdes_policy pol;
    phonesec_sdes *s = NULL;
    phonesec_sdes_policy_init(&pol);
    pol.mode = mode;
    pol.flags = PHONESEC_SDES_SRTCP_TAG32_COMPAT;
    assert_int_equal(phonesec_sdes_new(&pol, &s), PHONESEC_OK);
    return s;
}

/* baresip's INVITE arrives; our 200 (baresip+phonesec's, keys replaced by
 * ours) goes out; then the original caller's side reads our 200. */
static void answer_baresip_invite(void **state)
{
    size_t ilen, olen, out_len, boff, blen;
    char *inv = read_vec("baresip-invite.sip", &ilen);
    char *ok = read_vec("baresip-phonesec-200.sip", &olen);
    phonesec_sdes *s = new_sdes(PHONESEC_SDES_MANDATORY), *caller = new_sdes(PHONESEC_SDES_MANDATORY);
    phonesec_raw *r = NULL, *rc_caller = NULL;
    phonesec_sdes_section_info info;
    phonesec_srtp_params a, b;
    const char *out;
    char line[256];
    size_t ll;
    unsigned done = 0;
    (void)state;
    assert_int_equal(phonesec_raw_new(NULL, s, &r), PHONESEC_OK);
    assert_int_equal(phonesec_raw_incoming(r, inv, ilen, &done), PHONESEC_OK);
    assert_int_equal(done, PHONESEC_RAW_SDP_OFFER);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_SECURED);
    assert_int_equal(info.suite, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    /* the peer's key is baresip's, byte for byte from its SDP */
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &a), PHONESEC_OK);
    {
        const char *k = strstr(inv, "inline:") + 7;
        phonesec_srtp_params p;
        char l2[128];
        snprintf(l2, sizeof l2, "1 AES_CM_128_HMAC_SHA1_80 inline:%.40s", k);
        assert_int_equal(phonesec_sdes_line_to_params(l2, strlen(l2), 0, &p, NULL, 0), PHONESEC_OK);
        assert_memory_equal(p.keys[0].key, a.keys[0].key, 16);
        assert_memory_equal(p.keys[0].salt, a.keys[0].salt, 14);
    }
    assert_int_equal(phonesec_raw_outgoing(r, ok, olen, &out, &out_len, &done), PHONESEC_OK);
    assert_int_equal(done, PHONESEC_RAW_SDP_ANSWER | PHONESEC_RAW_LENGTH);
    assert_length_right(out, out_len);
    assert_lines_kept(ok, out);
    assert_int_equal(phonesec_sdes_answer_crypto(s, 0, line, sizeof line, &ll), PHONESEC_OK);
    assert_non_null(strstr(out, line));
    assert_null(strstr(out, "inline:YwhQFVCG3kXh8NcGEANZryTjstyPShpXZPRWjnFE")); /* baresip's key is gone */
    /* the caller (our sdes as offerer, on baresip's offer text) reads our 200 */
    assert_int_equal(phonesec_raw_new(NULL, caller, &rc_caller), PHONESEC_OK);
    assert_int_equal(phonesec_raw_body(inv, ilen, &boff, &blen), PHONESEC_OK);
    {
        const char *o2;
        size_t o2len;
        assert_int_equal(phonesec_raw_outgoing(rc_caller, inv, ilen, &o2, &o2len, &done), PHONESEC_OK);
        assert_int_equal(done, PHONESEC_RAW_SDP_OFFER | PHONESEC_RAW_LENGTH);
        assert_length_right(o2, o2len);
        assert_lines_kept(inv, o2);
    }
    /* answer with our 200 text but its tag/suite: tag 1 _80 was offered by caller too */
    {
        char *copy = malloc(out_len + 1);
        memcpy(copy, out, out_len + 1);
        assert_int_equal(phonesec_raw_incoming(rc_caller, copy, out_len, &done), PHONESEC_OK);
        assert_int_equal(done, PHONESEC_RAW_SDP_ANSWER);
        /* a 200 repeating it changes nothing */
        assert_int_equal(phonesec_raw_incoming(rc_caller, copy, out_len, &done), PHONESEC_OK);
        assert_int_equal(done, 0);
        free(copy);
    }
    assert_int_equal(phonesec_sdes_params(caller, 0, PHONESEC_SDES_INBOUND, &b), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_OUTBOUND, &a), PHONESEC_OK);
    assert_memory_equal(a.keys[0].key, b.keys[0].key, 16);
    phonesec_srtp_params_wipe(&a);
    phonesec_srtp_params_wipe(&b);
    phonesec_raw_free(r);
    phonesec_raw_free(rc_caller);
    phonesec_sdes_free(s);
    phonesec_sdes_free(caller);
    free(inv);
    free(ok);
}

static const char reg[] =
    "REGISTER sip:example.com SIP/2.0\r\n"
    "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1\r\n"
    "From: <sip:alice@example.com>;tag=1\r\n"
    "To: <sip:alice@example.com>\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 1 REGISTER\r\n"
    "Contact: <sip:alice@192.0.2.1:5061;transport=tls>\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static const char r494[] =
    "SIP/2.0 494 Security Agreement Required\r\n"
    "Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1\r\n"
    "From: <sip:alice@example.com>;tag=1\r\n"
    "To: <sip:alice@example.com>;tag=2\r\n"
    "Call-ID: c1\r\n"
    "CSeq: 1 REGISTER\r\n"
    "Security-Server: sdes-srtp;mediasec\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

static void mediasec_register_then_invite(void **state)
{
    phonesec_mediasec_config cfg;
    phonesec_mediasec *ms = NULL;
    phonesec_sdes *s = new_sdes(PHONESEC_SDES_MANDATORY);
    phonesec_raw *r = NULL;
    const char *out;
    size_t out_len, ilen, off, vlen;
    unsigned done;
    char *inv = read_vec("baresip-invite.sip", &ilen);
    (void)state;
    phonesec_mediasec_config_init(&cfg);
    cfg.client_initiated = 1;
    assert_int_equal(phonesec_mediasec_new(&cfg, &ms), PHONESEC_OK);
    assert_int_equal(phonesec_mediasec_reset(ms, 1), PHONESEC_OK);
    assert_int_equal(phonesec_raw_new(ms, s, &r), PHONESEC_OK);
    assert_int_equal(phonesec_raw_outgoing(r, reg, sizeof reg - 1, &out, &out_len, &done), PHONESEC_OK);
    assert_int_equal(done, PHONESEC_RAW_MEDIASEC);
    assert_int_equal(phonesec_mediasec_msg_find(out, out_len, "Security-Client", 0, &off, &vlen), PHONESEC_OK);
    assert_length_right(out, out_len);
    assert_lines_kept(reg, out);
    assert_int_equal(phonesec_raw_incoming(r, r494, sizeof r494 - 1, &done), PHONESEC_OK);
    assert_int_equal(done, PHONESEC_RAW_MEDIASEC);
    assert_int_equal(phonesec_mediasec_state(ms), PHONESEC_MEDIASEC_ST_AGREED);
    /* the INVITE now carries Security-Verify and our SDES offer */
    assert_int_equal(phonesec_raw_outgoing(r, inv, ilen, &out, &out_len, &done), PHONESEC_OK);
    assert_int_equal(done, PHONESEC_RAW_MEDIASEC | PHONESEC_RAW_SDP_OFFER | PHONESEC_RAW_LENGTH);
    assert_int_equal(phonesec_mediasec_msg_find(out, out_len, "Security-Verify", 0, &off, &vlen), PHONESEC_OK);
    assert_true(vlen == strlen("sdes-srtp;mediasec") && memcmp(out + off, "sdes-srtp;mediasec", vlen) == 0);
    assert_length_right(out, out_len);
    assert_non_null(strstr(out, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
    assert_non_null(strstr(out, "m=audio 15086 RTP/SAVP 0 101\r\n"));
    /* glare: an offer from the peer while ours is pending */
    assert_int_equal(phonesec_raw_incoming(r, inv, ilen, &done), PHONESEC_E_STATE);
    /* a 488 withdraws our offer; the peer's offer is then answered */
    {
        static const char r488[] = "SIP/2.0 488 Not Acceptable Here\r\nCSeq: 48233 INVITE\r\nContent-Length: 0\r\n\r\n";
        assert_int_equal(phonesec_raw_incoming(r, r488, sizeof r488 - 1, &done), PHONESEC_OK);
        assert_int_equal(phonesec_raw_incoming(r, inv, ilen, &done), PHONESEC_OK);
        assert_int_equal(done, PHONESEC_RAW_SDP_OFFER);
    }
    phonesec_raw_free(r);
    phonesec_mediasec_free(ms);
    phonesec_sdes_free(s);
    free(inv);
}

static void malformed(void **state)
{
    phonesec_sdes *s = new_sdes(PHONESEC_SDES_OPTIONAL);
    phonesec_raw *r = NULL;
    const char *out;
    size_t out_len, off, blen;
    unsigned done;
    char big[PHONESEC_MEDIASEC_MAX_TEXT + 10];
    static const char no_empty[] = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 0\r\n";
    static const char too_long_cl[] = "INVITE sip:a@b SIP/2.0\r\nContent-Type: application/sdp\r\nContent-Length: 99\r\n\r\nv=0\r\n";
    static const char bad_cl[] = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 1x\r\n\r\n";
    static const char neg_cl[] = "INVITE sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n";
    static const char two_cl[] = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 0\r\nl: 0\r\n\r\n";
    static const char empty_cl[] = "INVITE sip:a@b SIP/2.0\r\nContent-Length:\r\n\r\n";
    static const char huge_cl[] = "INVITE sip:a@b SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n";
    static const char starts_empty[] = "\r\nINVITE sip:a@b SIP/2.0\r\n\r\n";
    static const char not_sdp[] = "MESSAGE sip:a@b SIP/2.0\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
    static const char garbage_sdp[] = "INVITE sip:a@b SIP/2.0\r\nc: application/sdp\r\nl: 5\r\n\r\nhello";
    static const char extra[] = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 2\r\n\r\nhiTRAILING";
    static const char lf_only[] = "INVITE sip:a@b SIP/2.0\nc: application/sdp\nl: 62\n\nv=0\no=- 1 1 IN IP4 h\ns=-\nc=IN IP4 h\nt=0 0\nm=audio 4 RTP/AVP 0\n";
    (void)state;
    assert_int_equal(phonesec_raw_new(NULL, s, &r), PHONESEC_OK);
    assert_int_equal(phonesec_raw_outgoing(r, no_empty, sizeof no_empty - 1, &out, &out_len, &done), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_raw_incoming(r, no_empty, sizeof no_empty - 1, &done), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_raw_incoming(r, too_long_cl, sizeof too_long_cl - 1, &done), PHONESEC_E_TRUNCATED);
    assert_int_equal(phonesec_raw_incoming(r, bad_cl, sizeof bad_cl - 1, &done), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_raw_incoming(r, neg_cl, sizeof neg_cl - 1, &done), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_raw_incoming(r, two_cl, sizeof two_cl - 1, &done), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_raw_incoming(r, empty_cl, sizeof empty_cl - 1, &done), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_raw_incoming(r, huge_cl, sizeof huge_cl - 1, &done), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_raw_incoming(r, starts_empty, sizeof starts_empty - 1, &done), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_raw_incoming(r, "", 0, &done), PHONESEC_E_PARSE);
    memset(big, 'a', sizeof big);
    assert_int_equal(phonesec_raw_incoming(r, big, sizeof big, &done), PHONESEC_E_LIMIT);
    /* a body that is not SDP is left alone, byte for byte */
    assert_int_equal(phonesec_raw_outgoing(r, not_sdp, sizeof not_sdp - 1, &out, &out_len, &done), PHONESEC_OK);
    assert_int_equal(done, 0);
    assert_int_equal(out_len, sizeof not_sdp - 1);
    assert_memory_equal(out, not_sdp, out_len);
    /* SDP that is not SDP: the sdes module refuses it */
    assert_int_not_equal(phonesec_raw_incoming(r, garbage_sdp, sizeof garbage_sdp - 1, &done), PHONESEC_OK);
    assert_int_not_equal(phonesec_raw_outgoing(r, garbage_sdp, sizeof garbage_sdp - 1, &out, &out_len, &done),
                         PHONESEC_OK);
    /* bytes after Content-Length are dropped */
    assert_int_equal(phonesec_raw_outgoing(r, extra, sizeof extra - 1, &out, &out_len, &done), PHONESEC_OK);
    assert_int_equal(out_len, sizeof extra - 1 - 8);
    /* LF-only message with compact headers: offer made, l: rewritten */
    assert_int_equal(phonesec_raw_body(lf_only, sizeof lf_only - 1, &off, &blen), PHONESEC_OK);
    assert_int_equal(off + blen, sizeof lf_only - 1);
    assert_int_equal(phonesec_raw_outgoing(r, lf_only, sizeof lf_only - 1, &out, &out_len, &done), PHONESEC_OK);
    assert_int_equal(done, PHONESEC_RAW_SDP_OFFER | PHONESEC_RAW_LENGTH);
    assert_length_right(out, out_len);
    assert_null(strstr(out, "\r"));
    assert_non_null(strstr(out, "a=crypto:1 "));
    /* NULLs */
    assert_int_equal(phonesec_raw_outgoing(NULL, not_sdp, 5, &out, &out_len, &done), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_raw_outgoing(r, NULL, 5, &out, &out_len, &done), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_raw_incoming(r, NULL, 5, &done), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_raw_body(NULL, 5, &off, &blen), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_raw_new(NULL, NULL, NULL), PHONESEC_E_INVAL);
    {
        char e[256];
        assert_int_equal(phonesec_raw_incoming(r, bad_cl, sizeof bad_cl - 1, &done), PHONESEC_E_PARSE);
        assert_int_equal(phonesec_raw_last_error(r, e, sizeof e), PHONESEC_OK);
        assert_non_null(strstr(e, "Content-Length"));
    }
    phonesec_raw_free(r);
    phonesec_sdes_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answer_baresip_invite),
        cmocka_unit_test(mediasec_register_then_invite),
        cmocka_unit_test(malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
