/* Per-media-section SDES (phonesec_sdes_media_*): offer/answer of one m=
 * section, packets through the session pair, cross-checked against bare
 * libsrtp2 (an independent implementation keyed from the a=crypto text by
 * this file's own base64 decoder), the clear-RTCP decision (baresip's
 * 16-byte keep-alive with and without the _32 compatibility switch), the
 * peer-key-failed report, and the errors of every call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "support.h"

static phonesec_sdes_policy pol;
static phonesec_sdes_media *a, *b;

static int setup(void **state)
{
    (void)state;
    phonesec_sdes_policy_init(&pol);
    pol.flags = PHONESEC_SDES_SRTCP_TAG32_COMPAT;
    a = b = NULL;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    phonesec_sdes_media_free(a);
    phonesec_sdes_media_free(b);
    a = b = NULL;
    return 0;
}

static int suite_list(int suite)
{
    pol.n_suites = 1;
    pol.suites[0] = suite;
    return 0;
}

/* a offers, b answers, a accepts. */
static void negotiate(void)
{
    char lines[PHONESEC_SDES_MAX_SUITES][512];
    const char *ptr[PHONESEC_SDES_MAX_SUITES];
    size_t lens[PHONESEC_SDES_MAX_SUITES], n = 0, i, l;
    assert_int_equal(phonesec_sdes_media_new(&pol, &a), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_new(&pol, &b), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_offer(a, &n), PHONESEC_OK);
    assert_true(n >= 1);
    assert_int_equal(phonesec_sdes_media_state(a), PHONESEC_SDES_SEC_PENDING);
    for (i = 0; i < n; i++) {
        assert_int_equal(phonesec_sdes_media_local_line(a, i, lines[i], sizeof lines[i], &lens[i]), PHONESEC_OK);
        assert_null(strstr(lines[i], "a=crypto:"));
        ptr[i] = lines[i];
    }
    assert_int_equal(phonesec_sdes_media_answer(b, ptr, lens, n), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_local_line(b, 0, lines[0], sizeof lines[0], &l), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_local_line(b, 1, lines[1], sizeof lines[1], &l), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_sdes_media_local_line(b, 0, lines[0], sizeof lines[0], &l), PHONESEC_OK);
    ptr[0] = lines[0];
    lens[0] = l;
    assert_int_equal(phonesec_sdes_media_accept(a, ptr, lens, 1), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_state(a), PHONESEC_SDES_SEC_SECURED);
    assert_int_equal(phonesec_sdes_media_state(b), PHONESEC_SDES_SEC_SECURED);
}

static size_t rtp_packet(uint8_t *p, uint16_t seq, uint8_t fill)
{
    memset(p, 0, 172);
    p[0] = 0x80;
    p[1] = 0; /* PCMU */
    p[2] = (uint8_t)(seq >> 8);
    p[3] = (uint8_t)seq;
    p[7] = 160;
    p[8] = 0x12; p[9] = 0x34; p[10] = 0x56; p[11] = 0x78;
    memset(p + 12, fill, 160);
    return 172;
}

/* baresip 1.0's clear keep-alive, as captured on the wire in the adapters
 * suite: APP, SSRC, name "PING", data "PONG" (16 bytes). */
static const uint8_t baresip_keepalive[16] = {0x80, 0xcc, 0x00, 0x03, 0x14, 0xbd, 0xdb, 0x96,
                                              'P', 'I', 'N', 'G', 'P', 'O', 'N', 'G'};

/* RR without report blocks (8 bytes) + BYE of one SSRC (8 bytes): 16 bytes. */
static const uint8_t clear_rtcp16[16] = {0x80, 201, 0, 1, 0x12, 0x34, 0x56, 0x78,
                                         0x81, 203, 0, 1, 0x12, 0x34, 0x56, 0x78};

static void send_both_ways(void)
{
    uint8_t pkt[256], prot[256], back[256];
    size_t n, pl, bl;
    int i;
    for (i = 0; i < 5; i++) {
        n = rtp_packet(pkt, (uint16_t)(100 + i), 0xd5);
        assert_int_equal(phonesec_sdes_media_protect(a, pkt, n, prot, sizeof prot, &pl), PHONESEC_OK);
        assert_true(pl > n);
        assert_memory_not_equal(prot + 12, pkt + 12, 16);
        assert_int_equal(phonesec_sdes_media_unprotect(b, prot, pl, back, sizeof back, &bl), PHONESEC_OK);
        assert_int_equal(bl, n);
        assert_memory_equal(back, pkt, n);
        /* replay */
        assert_int_equal(phonesec_sdes_media_unprotect(b, prot, pl, back, sizeof back, &bl), PHONESEC_E_REPLAY);
        assert_int_equal(phonesec_sdes_media_protect(b, pkt, n, prot, sizeof prot, &pl), PHONESEC_OK);
        assert_int_equal(phonesec_sdes_media_unprotect(a, prot, pl, back, sizeof back, &bl), PHONESEC_OK);
        assert_memory_equal(back, pkt, n);
    }
    memcpy(pkt, clear_rtcp16, 16);
    assert_int_equal(phonesec_sdes_media_classify(pkt, 16), PHONESEC_SDES_PKT_RTCP);
    assert_int_equal(phonesec_sdes_media_protect(a, pkt, 16, prot, sizeof prot, &pl), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_unprotect(b, prot, pl, back, sizeof back, &bl), PHONESEC_OK);
    assert_int_equal(bl, 16);
    assert_memory_equal(back, clear_rtcp16, 16);
}

static void each_suite(void **state)
{
    static const int suites[] = {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32,
                                 PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80, PHONESEC_SRTP_AEAD_AES_128_GCM,
                                 PHONESEC_SRTP_AEAD_AES_256_GCM};
    size_t i;
    phonesec_sdes_media_stats st;
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        teardown(state);
        suite_list(suites[i]);
        negotiate();
        send_both_ways();
        st.version = PHONESEC_SDES_MEDIA_STATS_VERSION;
        assert_int_equal(phonesec_sdes_media_get_stats(b, &st), PHONESEC_OK);
        assert_int_equal(st.suite, suites[i]);
        assert_int_equal(st.state, PHONESEC_SDES_SEC_SECURED);
        assert_int_equal(st.rtp_in, 5);
        assert_int_equal(st.rtp_out, 5);
        assert_int_equal(st.rtcp_in, 1);
        assert_int_equal(st.replays, 5);
        assert_int_equal(st.peer_key_failed, 0);
    }
}

/* The default list: the answerer takes the offerer's first line. */
static void default_offer_first_line(void **state)
{
    char l[512];
    size_t n;
    (void)state;
    pol.n_suites = 0;
    negotiate();
    assert_int_equal(phonesec_sdes_media_local_line(b, 0, l, sizeof l, &n), PHONESEC_OK);
    assert_int_equal(strncmp(l, "1 AES_CM_128_HMAC_SHA1_80 inline:", 33), 0);
    send_both_ways();
}

/* ---- bare libsrtp2 on the other side ---- */
static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Key||salt of "TAG SUITE inline:KEY..." into out; returns bytes. */
static size_t key_of(const char *line, uint8_t *out)
{
    const char *p = strstr(line, "inline:");
    unsigned acc = 0;
    int bits = 0;
    size_t n = 0;
    assert_non_null(p);
    for (p += 7; b64val(*p) >= 0; p++) {
        acc = (acc << 6) | (unsigned)b64val(*p);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (uint8_t)(acc >> bits);
        }
    }
    return n;
}

static srtp_t bare(const uint8_t *key, int tag32, int outbound)
{
    srtp_policy_t p;
    srtp_t s = NULL;
    memset(&p, 0, sizeof p);
    if (tag32) {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtcp); /* the field's 32-bit SRTCP tag */
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
    }
    p.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    p.key = (unsigned char *)key;
    p.window_size = 128;
    assert_int_equal(srtp_create(&s, &p), srtp_err_status_ok);
    return s;
}

static void against_libsrtp2(int tag32)
{
    /* The peer's offer: a fixed key of our choosing, the RFC 4568 §9.2 example line's shape. */
    const char *offer = tag32 ? "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"
                              : "a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n";
    const char *lines[1] = {offer};
    size_t lens[1] = {strlen(offer)}, n, pl;
    uint8_t peer_key[64], our_key[64], pkt[256], buf[256];
    char l[512];
    srtp_t ptx, prx;
    int len;
    static int inited;
#ifndef PHONESEC_SRTP_ENGINE_NATIVE
    /* libsrtp2 engine: libsrtp2 is ours (its cipher types replaced by
     * wolfCrypt's), and a second srtp_init() from another user fails its
     * self-test; known limitation, see doc/srtp.md. */
    skip();
#endif
    if (!inited) {
        assert_int_equal(srtp_init(), srtp_err_status_ok);
        inited = 1;
    }
    assert_int_equal(phonesec_sdes_media_new(&pol, &b), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_answer(b, lines, lens, 1), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_local_line(b, 0, l, sizeof l, &n), PHONESEC_OK);
    assert_int_equal(strncmp(l, tag32 ? "7 AES_CM_128_HMAC_SHA1_32 inline:" : "7 AES_CM_128_HMAC_SHA1_80 inline:", 33), 0);
    assert_int_equal(key_of(offer, peer_key), 30);
    assert_int_equal(key_of(l, our_key), 30);
    ptx = bare(peer_key, tag32, 1);
    prx = bare(our_key, tag32, 0);
    /* peer -> us, RTP */
    len = (int)rtp_packet(pkt, 5, 0x55);
    memcpy(buf, pkt, (size_t)len);
    assert_int_equal(srtp_protect(ptx, buf, &len), srtp_err_status_ok);
    assert_int_equal(phonesec_sdes_media_unprotect(b, buf, (size_t)len, buf, sizeof buf, &pl), PHONESEC_OK);
    assert_int_equal(pl, 172);
    assert_memory_equal(buf, pkt, 172);
    /* peer -> us, RTCP (libsrtp2 2.5 refuses a 32-bit SRTCP tag policy:
     * the _32 compat form is checked against libre's SRTP in the adapter
     * suite, where baresip is the peer) */
    if (!tag32) {
        memcpy(buf, clear_rtcp16, 16);
        len = 16;
        assert_int_equal(srtp_protect_rtcp(ptx, buf, &len), srtp_err_status_ok);
        assert_int_equal(len, 30);
        assert_int_equal(phonesec_sdes_media_unprotect(b, buf, (size_t)len, buf, sizeof buf, &pl), PHONESEC_OK);
        assert_memory_equal(buf, clear_rtcp16, 16);
    }
    /* us -> peer, RTP and RTCP */
    len = (int)rtp_packet(pkt, 9, 0x33);
    assert_int_equal(phonesec_sdes_media_protect(b, pkt, 172, buf, sizeof buf, &pl), PHONESEC_OK);
    len = (int)pl;
    assert_int_equal(srtp_unprotect(prx, buf, &len), srtp_err_status_ok);
    assert_int_equal(len, 172);
    assert_memory_equal(buf, pkt, 172);
    if (!tag32) {
        assert_int_equal(phonesec_sdes_media_protect(b, clear_rtcp16, 16, buf, sizeof buf, &pl), PHONESEC_OK);
        len = (int)pl;
        assert_int_equal(srtp_unprotect_rtcp(prx, buf, &len), srtp_err_status_ok);
        assert_int_equal(len, 16);
        assert_memory_equal(buf, clear_rtcp16, 16);
    }
    srtp_dealloc(ptx);
    srtp_dealloc(prx);
}

static void libsrtp2_80(void **state)
{
    (void)state;
    against_libsrtp2(0);
}

static void libsrtp2_32_compat(void **state)
{
    (void)state;
    against_libsrtp2(1);
}

/* The clear-RTCP decision: baresip's 16-byte clear RTCP refused as policy,
 * with the _32 compat switch (it reads as SRTCP, tag wrong) and without it
 * (_80: too short for SRTCP). Garbage stays an authentication/parse error. */
static void clear_rtcp(int suite, unsigned flags)
{
    uint8_t buf[64], junk[16];
    size_t n;
    phonesec_sdes_media_stats st;
    pol.flags = flags;
    suite_list(suite);
    negotiate();
    assert_int_equal(phonesec_sdes_media_unprotect(b, clear_rtcp16, 16, buf, sizeof buf, &n), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_sdes_media_unprotect(b, baresip_keepalive, 16, buf, sizeof buf, &n), PHONESEC_E_POLICY);
    /* in place, as a stack's receive buffer is used (baresip's mbuf) */
    memcpy(buf, baresip_keepalive, 16);
    assert_int_equal(phonesec_sdes_media_unprotect(b, buf, 16, buf, sizeof buf, &n), PHONESEC_E_POLICY);
    /* an 8-byte empty RR too */
    assert_int_equal(phonesec_sdes_media_unprotect(b, clear_rtcp16, 8, buf, sizeof buf, &n), PHONESEC_E_POLICY);
    /* lengths that do not add up: not clear RTCP, so not POLICY */
    memcpy(junk, clear_rtcp16, 16);
    junk[11] = 9;
    assert_int_not_equal(phonesec_sdes_media_unprotect(b, junk, 16, buf, sizeof buf, &n), PHONESEC_E_POLICY);
    assert_int_not_equal(phonesec_sdes_media_unprotect(b, junk, 16, buf, sizeof buf, &n), PHONESEC_OK);
    st.version = PHONESEC_SDES_MEDIA_STATS_VERSION;
    assert_int_equal(phonesec_sdes_media_get_stats(b, &st), PHONESEC_OK);
    assert_int_equal(st.rtcp_clear_refused, 4);
    assert_int_equal(st.auth_failures + st.in_errors, 2); /* the two junk packets */
    assert_int_equal(st.rtcp_in, 0);
    assert_int_equal(st.peer_key_failed, 0);
    send_both_ways(); /* the session still works */
}

static void clear_rtcp_tag32_compat(void **state)
{
    (void)state;
    clear_rtcp(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, PHONESEC_SDES_SRTCP_TAG32_COMPAT);
}

static void clear_rtcp_80(void **state)
{
    (void)state;
    clear_rtcp(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 0);
}

/* A peer protecting with a key it did not signal: every packet fails, and
 * after 25 in a row with none ever good the report says so. */
static void wrong_peer_key(void **state)
{
    phonesec_sdes_media *c = NULL;
    uint8_t pkt[256], prot[256], back[256];
    size_t n, pl, bl;
    phonesec_sdes_media_stats st;
    int i;
    (void)state;
    suite_list(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    negotiate();
    /* c has its own keys, never signalled to b */
    assert_int_equal(phonesec_sdes_media_new(&pol, &c), PHONESEC_OK);
    {
        const char *ln = "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
        size_t ll = strlen(ln);
        assert_int_equal(phonesec_sdes_media_answer(c, &ln, &ll, 1), PHONESEC_OK);
    }
    st.version = PHONESEC_SDES_MEDIA_STATS_VERSION;
    for (i = 0; i < 25; i++) {
        assert_int_equal(phonesec_sdes_media_get_stats(b, &st), PHONESEC_OK);
        assert_int_equal(st.peer_key_failed, 0);
        n = rtp_packet(pkt, (uint16_t)i, 0x11);
        assert_int_equal(phonesec_sdes_media_protect(c, pkt, n, prot, sizeof prot, &pl), PHONESEC_OK);
        assert_int_equal(phonesec_sdes_media_unprotect(b, prot, pl, back, sizeof back, &bl), PHONESEC_E_AUTH);
    }
    assert_int_equal(phonesec_sdes_media_get_stats(b, &st), PHONESEC_OK);
    assert_int_equal(st.peer_key_failed, 1);
    assert_int_equal(st.auth_failures, 25);
    assert_int_equal(st.rtp_in, 0);
    phonesec_sdes_media_free(c);
}

/* Some failures mixed with good packets are not a wrong key. */
static void failures_after_good_are_not_key_failure(void **state)
{
    uint8_t pkt[256], prot[256], back[256];
    size_t n, pl, bl;
    phonesec_sdes_media_stats st;
    int i;
    (void)state;
    suite_list(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    negotiate();
    n = rtp_packet(pkt, 1, 0x11);
    assert_int_equal(phonesec_sdes_media_protect(a, pkt, n, prot, sizeof prot, &pl), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_unprotect(b, prot, pl, back, sizeof back, &bl), PHONESEC_OK);
    for (i = 0; i < 40; i++) {
        n = rtp_packet(pkt, (uint16_t)(2 + i), 0x11);
        assert_int_equal(phonesec_sdes_media_protect(a, pkt, n, prot, sizeof prot, &pl), PHONESEC_OK);
        prot[20] ^= 1;
        assert_int_equal(phonesec_sdes_media_unprotect(b, prot, pl, back, sizeof back, &bl), PHONESEC_E_AUTH);
    }
    st.version = PHONESEC_SDES_MEDIA_STATS_VERSION;
    assert_int_equal(phonesec_sdes_media_get_stats(b, &st), PHONESEC_OK);
    assert_int_equal(st.peer_key_failed, 0);
    assert_int_equal(st.auth_failures, 40);
}

static void answer_cases(void **state)
{
    const char *l[3];
    size_t len[3], n;
    char out[512], out2[512];
    (void)state;
    assert_int_equal(phonesec_sdes_media_new(&pol, &b), PHONESEC_OK);
    /* duplicate tag: invalid offer */
    l[0] = "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    l[1] = "1 AES_CM_128_HMAC_SHA1_32 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    len[0] = strlen(l[0]);
    len[1] = strlen(l[1]);
    assert_int_equal(phonesec_sdes_media_answer(b, l, len, 2), PHONESEC_E_PARSE);
    /* unknown suite, F8, bad key, then a good _32 line: the good one is taken */
    l[0] = "1 FOO_BAR inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    l[1] = "2 F8_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    l[2] = "3 AES_CM_128_HMAC_SHA1_32 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    len[0] = strlen(l[0]);
    len[1] = strlen(l[1]);
    len[2] = strlen(l[2]);
    assert_int_equal(phonesec_sdes_media_answer(b, l, len, 3), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_local_line(b, 0, out, sizeof out, &n), PHONESEC_OK);
    assert_int_equal(strncmp(out, "3 AES_CM_128_HMAC_SHA1_32 inline:", 33), 0);
    assert_int_equal(phonesec_sdes_media_local_line(b, 0, out2, 5, &n), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(n, strlen(out));
    /* the same offer again: same answer key */
    assert_int_equal(phonesec_sdes_media_answer(b, l, len, 3), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_local_line(b, 0, out2, sizeof out2, &n), PHONESEC_OK);
    assert_string_equal(out, out2);
    /* nothing usable: NO_MATCH, previous state kept */
    assert_int_equal(phonesec_sdes_media_answer(b, l, len, 2), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_sdes_media_state(b), PHONESEC_SDES_SEC_SECURED);
    /* UNENCRYPTED_SRTCP is not taken per section */
    l[0] = "4 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj UNENCRYPTED_SRTCP";
    len[0] = strlen(l[0]);
    assert_int_equal(phonesec_sdes_media_answer(b, l, len, 1), PHONESEC_E_NO_MATCH);
    /* optional mode: no lines -> clear */
    assert_int_equal(phonesec_sdes_media_answer(b, l, len, 0), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_state(b), PHONESEC_SDES_SEC_CLEAR);
    assert_int_equal(phonesec_sdes_media_protect(b, (const uint8_t *)out, 20, (uint8_t *)out2, sizeof out2, &n),
                     PHONESEC_E_STATE);
    assert_int_equal(phonesec_sdes_media_accept(b, l, len, 1), PHONESEC_E_STATE);
    assert_int_equal(phonesec_sdes_media_answer(NULL, l, len, 1), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_sdes_media_answer(b, NULL, len, 1), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_sdes_media_last_error(b, out, sizeof out), PHONESEC_OK);
    phonesec_sdes_media_free(b);
    b = NULL;
    /* mandatory: no lines -> NO_MATCH */
    pol.mode = PHONESEC_SDES_MANDATORY;
    assert_int_equal(phonesec_sdes_media_new(&pol, &b), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_answer(b, l, len, 0), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_sdes_media_last_error(b, out, sizeof out), PHONESEC_OK);
    assert_non_null(strstr(out, "no a=crypto"));
    /* disabled mode is refused */
    pol.mode = PHONESEC_SDES_DISABLED;
    assert_int_equal(phonesec_sdes_media_new(&pol, &a), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_sdes_media_new(NULL, &a), PHONESEC_E_INVAL);
}

static void accept_cases(void **state)
{
    const char *l[2];
    size_t len[2], n, i;
    char offered[4][512], bad[512];
    (void)state;
    pol.n_suites = 2;
    pol.suites[0] = PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80;
    pol.suites[1] = PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32;
    assert_int_equal(phonesec_sdes_media_new(&pol, &a), PHONESEC_OK);
    l[0] = "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    len[0] = strlen(l[0]);
    assert_int_equal(phonesec_sdes_media_accept(a, l, len, 1), PHONESEC_E_STATE);
    assert_int_equal(phonesec_sdes_media_offer(a, &n), PHONESEC_OK);
    assert_int_equal(n, 2);
    for (i = 0; i < n; i++)
        assert_int_equal(phonesec_sdes_media_local_line(a, i, offered[i], sizeof offered[i], &len[0]), PHONESEC_OK);
    assert_int_equal(strncmp(offered[1], "2 AES_CM_128_HMAC_SHA1_32 ", 26), 0);
    /* asked again: the same lines */
    assert_int_equal(phonesec_sdes_media_offer(a, &n), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_local_line(a, 0, bad, sizeof bad, &len[0]), PHONESEC_OK);
    assert_string_equal(bad, offered[0]);
    /* two lines */
    l[0] = "1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    l[1] = "2 AES_CM_128_HMAC_SHA1_32 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    len[0] = strlen(l[0]);
    len[1] = strlen(l[1]);
    assert_int_equal(phonesec_sdes_media_accept(a, l, len, 2), PHONESEC_E_NO_MATCH);
    /* unknown tag */
    l[0] = "9 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    len[0] = strlen(l[0]);
    assert_int_equal(phonesec_sdes_media_accept(a, l, len, 1), PHONESEC_E_NO_MATCH);
    /* other suite under tag 1 */
    l[0] = "1 AES_CM_128_HMAC_SHA1_32 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj";
    len[0] = strlen(l[0]);
    assert_int_equal(phonesec_sdes_media_accept(a, l, len, 1), PHONESEC_E_NO_MATCH);
    /* garbage */
    l[0] = "1 AES_CM_128_HMAC_SHA1_80 inline:short";
    len[0] = strlen(l[0]);
    assert_int_equal(phonesec_sdes_media_accept(a, l, len, 1), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_sdes_media_state(a), PHONESEC_SDES_SEC_PENDING);
    /* a good one, with "a=crypto:" and CRLF */
    l[0] = "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n";
    len[0] = strlen(l[0]);
    assert_int_equal(phonesec_sdes_media_accept(a, l, len, 1), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_state(a), PHONESEC_SDES_SEC_SECURED);
    assert_int_equal(phonesec_sdes_media_accept(a, l, len, 1), PHONESEC_OK);
    /* optional: an answer without crypto means clear */
    assert_int_equal(phonesec_sdes_media_accept(a, l, len, 0), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_state(a), PHONESEC_SDES_SEC_CLEAR);
    phonesec_sdes_media_free(a);
    a = NULL;
    pol.mode = PHONESEC_SDES_MANDATORY;
    assert_int_equal(phonesec_sdes_media_new(&pol, &a), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_offer(a, NULL), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_media_accept(a, l, len, 0), PHONESEC_E_POLICY);
}

/* Another libsrtp2 user in the same process (baresip's modules, a media
 * library) initialises and shuts libsrtp2 down: sessions made before and
 * after keep working. */
static void other_libsrtp2_user_shuts_down(void **state)
{
    uint8_t key[30] = {1, 2, 3};
    srtp_t other;
    (void)state;
#ifndef PHONESEC_SRTP_ENGINE_NATIVE
    /* libsrtp2 engine: another user's srtp_shutdown() takes the crypto
     * kernel away from our sessions (protect gives PHONESEC_E_CRYPTO). */
    skip();
#endif
    suite_list(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    negotiate();
    (void)srtp_init();
    other = bare(key, 0, 1);
    srtp_dealloc(other);
    assert_int_equal(srtp_shutdown(), srtp_err_status_ok);
    send_both_ways();
    teardown(state);
    suite_list(PHONESEC_SRTP_AEAD_AES_128_GCM);
    negotiate();
    send_both_ways();
}

/* phonesec_sdes_offer_withdraw() (whole-SDP state, since 1.1): a rejected
 * offer leaves the negotiated keys, and the peer's offer can be answered. */
static void whole_sdp_offer_withdraw(void **state)
{
    static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 h\r\ns=-\r\nc=IN IP4 h\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    static const char peer[] = "v=0\r\no=- 2 2 IN IP4 p\r\ns=-\r\nc=IN IP4 p\r\nt=0 0\r\nm=audio 5000 RTP/SAVP 0\r\n"
                               "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n";
    phonesec_sdes *s = NULL;
    phonesec_sdes_section_info info;
    phonesec_srtp_params before, after;
    char out[4096];
    size_t n;
    (void)state;
    assert_int_equal(phonesec_sdes_new(&pol, &s), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_offer_withdraw(s), PHONESEC_E_STATE);
    assert_int_equal(phonesec_sdes_offer_withdraw(NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_sdes_answer(s, peer, sizeof peer - 1), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &before), PHONESEC_OK);
    /* our re-offer is rejected */
    assert_int_equal(phonesec_sdes_offer(s, sdp, sizeof sdp - 1, out, sizeof out, &n), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_answer(s, peer, sizeof peer - 1), PHONESEC_E_STATE); /* glare */
    assert_int_equal(phonesec_sdes_offer_withdraw(s), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_offer_withdraw(s), PHONESEC_E_STATE);
    assert_int_equal(phonesec_sdes_section(s, 0, &info), PHONESEC_OK);
    assert_int_equal(info.state, PHONESEC_SDES_SEC_SECURED);
    assert_int_equal(phonesec_sdes_params(s, 0, PHONESEC_SDES_INBOUND, &after), PHONESEC_OK);
    assert_memory_equal(before.keys[0].key, after.keys[0].key, 16);
    assert_int_equal(phonesec_sdes_answer(s, peer, sizeof peer - 1), PHONESEC_OK);
    phonesec_srtp_params_wipe(&before);
    phonesec_srtp_params_wipe(&after);
    phonesec_sdes_free(s);
}

static void classify(void **state)
{
    uint8_t p[12] = {0x80, 0, 0, 1};
    (void)state;
    assert_int_equal(phonesec_sdes_media_classify(p, 12), PHONESEC_SDES_PKT_RTP);
    p[1] = 0x80 | 96;
    assert_int_equal(phonesec_sdes_media_classify(p, 12), PHONESEC_SDES_PKT_RTP);
    p[1] = 200;
    assert_int_equal(phonesec_sdes_media_classify(p, 12), PHONESEC_SDES_PKT_RTCP);
    p[1] = 223;
    assert_int_equal(phonesec_sdes_media_classify(p, 12), PHONESEC_SDES_PKT_RTCP);
    p[0] = 0x00; /* STUN */
    assert_int_equal(phonesec_sdes_media_classify(p, 12), PHONESEC_SDES_PKT_OTHER);
    p[0] = 22; /* DTLS */
    assert_int_equal(phonesec_sdes_media_classify(p, 12), PHONESEC_SDES_PKT_OTHER);
    assert_int_equal(phonesec_sdes_media_classify(p, 1), PHONESEC_SDES_PKT_OTHER);
    assert_int_equal(phonesec_sdes_media_classify(NULL, 12), PHONESEC_SDES_PKT_OTHER);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(each_suite),
        T(default_offer_first_line),
        T(libsrtp2_80),
        T(libsrtp2_32_compat),
        T(clear_rtcp_tag32_compat),
        T(clear_rtcp_80),
        T(wrong_peer_key),
        T(failures_after_good_are_not_key_failure),
        T(answer_cases),
        T(accept_cases),
        T(classify),
        T(whole_sdp_offer_withdraw),
        T(other_libsrtp2_user_shuts_down), /* last: leaves libsrtp2 shut down */
    };
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
