/* Unit tests of SRTP sessions (lib/srtp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "srtp/engine.h"

static void fill_params(phonesec_srtp_params *p, int suite, uint8_t seed)
{
    size_t kl = 0, sl = 0, i;
    phonesec_srtp_params_init(p);
    p->suite = suite;
    p->n_keys = 1;
    (void)phonesec_srtp_suite_lengths(suite, &kl, &sl);
    for (i = 0; i < kl; i++)
        p->keys[0].key[i] = (uint8_t)(seed + i);
    for (i = 0; i < sl; i++)
        p->keys[0].salt[i] = (uint8_t)(seed ^ (0xa0 + i));
    p->keys[0].key_len = kl;
    p->keys[0].salt_len = sl;
}

static phonesec_srtp *mk(const phonesec_srtp_params *p, int dir)
{
    phonesec_srtp *s = NULL;
    int rc = phonesec_srtp_new(p, dir, PHONESEC_SRTP_OPT_ALLOW_NULL, &s);
    if (rc != PHONESEC_OK)
        fail_msg("phonesec_srtp_new: %s", phonesec_strerror(rc));
    return s;
}

static size_t rtp(uint8_t *b, uint16_t seq, uint32_t ssrc, size_t payload)
{
    b[0] = 0x80;
    b[1] = 0x00;
    b[2] = (uint8_t)(seq >> 8);
    b[3] = (uint8_t)seq;
    memset(b + 4, 0, 4);
    b[8] = (uint8_t)(ssrc >> 24);
    b[9] = (uint8_t)(ssrc >> 16);
    b[10] = (uint8_t)(ssrc >> 8);
    b[11] = (uint8_t)ssrc;
    memset(b + 12, 0xd5, payload);
    return 12 + payload;
}

static size_t rtcp(uint8_t *b, uint32_t ssrc)
{
    size_t i;
    b[0] = 0x80;
    b[1] = 200;
    b[2] = 0;
    b[3] = 6;
    b[4] = (uint8_t)(ssrc >> 24);
    b[5] = (uint8_t)(ssrc >> 16);
    b[6] = (uint8_t)(ssrc >> 8);
    b[7] = (uint8_t)ssrc;
    for (i = 8; i < 28; i++)
        b[i] = (uint8_t)i;
    return 28;
}

static void params_init_wipe(void **state)
{
    phonesec_srtp_params p;
    (void)state;
    memset(&p, 0x55, sizeof p);
    phonesec_srtp_params_init(&p);
    assert_int_equal(p.version, PHONESEC_SRTP_PARAMS_VERSION);
    assert_int_equal(p.suite, PHONESEC_SRTP_SUITE_NONE);
    assert_int_equal(p.n_keys, 0);
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 9);
    phonesec_srtp_params_wipe(&p);
    assert_int_equal(p.keys[0].key[3], 0);
    assert_int_equal(p.keys[0].salt[3], 0);
    assert_int_equal(p.n_keys, 0);
    phonesec_srtp_params_init(NULL);
    phonesec_srtp_params_wipe(NULL);
}

static void suite_table(void **state)
{
    size_t k, s;
    (void)state;
    assert_string_equal(phonesec_srtp_suite_name(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32), "AES_CM_128_HMAC_SHA1_32");
    assert_string_equal(phonesec_srtp_suite_name(PHONESEC_SRTP_AEAD_AES_256_GCM), "AEAD_AES_256_GCM");
    assert_null(phonesec_srtp_suite_name(0));
    assert_null(phonesec_srtp_suite_name(99));
    assert_int_equal(phonesec_srtp_suite_lengths(PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80, &k, &s), PHONESEC_OK);
    assert_int_equal(k, 24);
    assert_int_equal(s, 14);
    assert_int_equal(phonesec_srtp_suite_lengths(PHONESEC_SRTP_AEAD_AES_128_GCM, &k, &s), PHONESEC_OK);
    assert_int_equal(k, 16);
    assert_int_equal(s, 12);
    /* F8 runs on the native engine only (libsrtp2 has no F8) */
    assert_int_equal(phonesec_srtp_suite_lengths(PHONESEC_SRTP_F8_128_HMAC_SHA1_80, &k, &s),
                     phonesec__srtp_engine_native() ? PHONESEC_OK : PHONESEC_E_UNSUPPORTED);
    assert_int_equal(phonesec_srtp_suite_supported(PHONESEC_SRTP_F8_128_HMAC_SHA1_80),
                     phonesec__srtp_engine_native() ? PHONESEC_OK : PHONESEC_E_UNSUPPORTED);
    assert_int_equal(phonesec_srtp_suite_lengths(42, &k, &s), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_suite_supported(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_suite_supported(PHONESEC_SRTP_AEAD_AES_256_GCM), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_suite_supported(PHONESEC_SRTP_NULL_HMAC_SHA1_32), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_suite_supported(PHONESEC_SRTP_SUITE_NONE), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_suite_supported(99), PHONESEC_E_INVAL);
    {
        /* AES-192: supported exactly when a session can be made */
        phonesec_srtp_params p;
        phonesec_srtp *x = NULL;
        int rc, sup = phonesec_srtp_suite_supported(PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80);
        phonesec_srtp_params_init(&p);
        p.suite = PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80;
        p.n_keys = 1;
        p.keys[0].key_len = 24;
        p.keys[0].salt_len = 14;
        rc = phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_OUTBOUND, 0, &x);
        assert_int_equal(rc, sup);
        assert_true(sup == PHONESEC_OK || sup == PHONESEC_E_UNSUPPORTED);
        phonesec_srtp_free(x);
    }
}

static void create_validates(void **state)
{
    phonesec_srtp_params p;
    phonesec_srtp *s = (phonesec_srtp *)0x1;
    (void)state;
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 1);
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_new(NULL, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_new(&p, 3, 0, &s), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0x80, &s), PHONESEC_E_INVAL);
    p.version = 7;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    p.version = PHONESEC_SRTP_PARAMS_VERSION;
    p.keys[0].key_len = 15;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    p.keys[0].key_len = 16;
    p.keys[0].salt_len = 12; /* GCM's salt with an AES-CM suite */
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    p.keys[0].salt_len = 14;
    p.n_keys = 0;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    p.n_keys = 2; /* two keys without MKI */
    p.keys[1] = p.keys[0];
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    p.keys[0].mki_len = p.keys[1].mki_len = 2; /* same MKI twice */
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    p.keys[1].mki_len = 3; /* unequal lengths */
    p.keys[1].mki[0] = 1;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 1);
    p.kdr = 16; /* the native engine runs a key derivation rate, libsrtp2 does not */
    if (phonesec__srtp_engine_native()) {
        assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_OK);
        phonesec_srtp_free(s);
        s = (phonesec_srtp *)0x1;
        p.kdr = 25; /* RFC 3711: 2^1..2^24 */
        assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    } else
        assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_UNSUPPORTED);
    p.kdr = 0;
    p.wsh = 32;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    p.wsh = 40000;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_UNSUPPORTED);
    p.wsh = 0;
    p.flags = 1u << 20;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    p.flags = PHONESEC_SRTP_F_UNENCRYPTED_SRTP | PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_POLICY);
    fill_params(&p, PHONESEC_SRTP_F8_128_HMAC_SHA1_80, 1);
    if (phonesec__srtp_engine_native()) {
        assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_OK);
        phonesec_srtp_free(s);
        s = (phonesec_srtp *)0x1;
    } else
        assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_UNSUPPORTED);
    fill_params(&p, PHONESEC_SRTP_NULL_HMAC_SHA1_80, 1);
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_POLICY);
    fill_params(&p, PHONESEC_SRTP_AEAD_AES_128_GCM, 1);
    p.flags = PHONESEC_SRTP_F_UNENCRYPTED_SRTP;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_UNSUPPORTED);
    p.suite = 77;
    assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_INVAL);
    assert_ptr_equal(s, (phonesec_srtp *)0x1); /* never written on failure */
    phonesec_srtp_free(NULL);
}

/* Every usable suite: RTP and RTCP both ways, overheads as specified. */
static void round_trip_all_suites(void **state)
{
    static const struct {
        int suite;
        unsigned flags;
        size_t rtp_over, rtcp_over;
    } c[] = {
        {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 0, 10, 14},
        {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, 0, 4, 14}, /* RFC 4568: SRTCP keeps 80 bits */
        {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT, 4, 8},
        {PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80, 0, 10, 14},
        {PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32, 0, 4, 14},
        {PHONESEC_SRTP_AEAD_AES_128_GCM, 0, 16, 20},
        {PHONESEC_SRTP_AEAD_AES_256_GCM, 0, 16, 20},
        {PHONESEC_SRTP_NULL_HMAC_SHA1_80, 0, 10, 14},
        {PHONESEC_SRTP_NULL_HMAC_SHA1_32, 0, 4, 14},
        {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP, 0, 14},
        {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_F_UNENCRYPTED_SRTP, 10, 14},
        {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_F_UNENCRYPTED_SRTCP, 10, 14},
        {PHONESEC_SRTP_AEAD_AES_128_GCM, PHONESEC_SRTP_F_UNENCRYPTED_SRTCP, 16, 20},
        /* where the engine runs them (native: all; libsrtp2: no F8, AES-192 only if compliant) */
        {PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80, 0, 10, 14},
        {PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32, 0, 4, 14},
        {PHONESEC_SRTP_F8_128_HMAC_SHA1_80, 0, 10, 14},
        {PHONESEC_SRTP_F8_128_HMAC_SHA1_80, PHONESEC_SRTP_F_UNENCRYPTED_SRTCP, 10, 14},
    };
    size_t i, n, m;
    (void)state;
    for (i = 0; i < sizeof c / sizeof c[0]; i++) {
        phonesec_srtp_params p;
        phonesec_srtp *tx, *rx;
        phonesec_srtp_info info;
        uint8_t pkt[256], prot[300], back[300];
        uint16_t seq;
        if (phonesec_srtp_suite_supported(c[i].suite) != PHONESEC_OK) {
            assert_false(phonesec__srtp_engine_native());
            continue;
        }
        fill_params(&p, c[i].suite, (uint8_t)(i + 1));
        p.flags = c[i].flags;
        tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
        rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
        info.version = PHONESEC_SRTP_INFO_VERSION;
        assert_int_equal(phonesec_srtp_get_info(tx, &info), PHONESEC_OK);
        assert_int_equal(info.suite, c[i].suite);
        assert_string_equal(info.suite_name, phonesec_srtp_suite_name(c[i].suite));
        assert_int_equal(info.direction, PHONESEC_SRTP_DIR_OUTBOUND);
        assert_int_equal(info.rtp_overhead, c[i].rtp_over);
        assert_int_equal(info.rtcp_overhead, c[i].rtcp_over);
        assert_int_equal(info.rtp_encrypted,
                         !(c[i].flags & PHONESEC_SRTP_F_UNENCRYPTED_SRTP) &&
                             c[i].suite != PHONESEC_SRTP_NULL_HMAC_SHA1_80 &&
                             c[i].suite != PHONESEC_SRTP_NULL_HMAC_SHA1_32);
        for (seq = 100; seq < 110; seq++) {
            size_t len = rtp(pkt, seq, 0x11223344, 160);
            assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
            assert_int_equal(n, len + c[i].rtp_over);
            /* encrypted unless said otherwise */
            assert_int_equal(memcmp(prot + 12, pkt + 12, 160) == 0, !info.rtp_encrypted);
            assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, back, sizeof back, &m), PHONESEC_OK);
            assert_int_equal(m, len);
            assert_memory_equal(back, pkt, len);
            len = rtcp(pkt, 0x11223344);
            assert_int_equal(phonesec_srtp_protect_rtcp(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
            assert_int_equal(n, len + c[i].rtcp_over);
            /* E flag of the SRTCP index (after the tag with AEAD, RFC 7714) */
            assert_int_equal((prot[info.rtp_tag_len == 16 ? n - 4 : len] & 0x80) != 0, info.rtcp_encrypted);
            assert_int_equal(phonesec_srtp_unprotect_rtcp(rx, prot, n, back, sizeof back, &m), PHONESEC_OK);
            assert_int_equal(m, len);
            assert_memory_equal(back, pkt, len);
        }
        {
            /* exact capacities on the heap: a sanitizer sees any write past them */
            size_t len = rtp(pkt, 200, 0x11223344, 160);
            uint8_t *o = malloc(len + c[i].rtp_over), *b = malloc(len);
            assert_int_equal(phonesec_srtp_protect(tx, pkt, len, o, len + c[i].rtp_over, &n), PHONESEC_OK);
            assert_int_equal(phonesec_srtp_unprotect(rx, o, n, b, len, &m), PHONESEC_OK);
            assert_memory_equal(b, pkt, len);
            free(o);
            free(b);
            len = rtcp(pkt, 0x11223344);
            o = malloc(len + c[i].rtcp_over);
            b = malloc(len);
            assert_int_equal(phonesec_srtp_protect_rtcp(tx, pkt, len, o, len + c[i].rtcp_over, &n), PHONESEC_OK);
            assert_int_equal(phonesec_srtp_unprotect_rtcp(rx, o, n, b, len, &m), PHONESEC_OK);
            assert_memory_equal(b, pkt, len);
            free(o);
            free(b);
        }
        phonesec_srtp_free(tx);
        phonesec_srtp_free(rx);
    }
}

static void errors_auth_replay_state_buffers(void **state)
{
    phonesec_srtp_params p;
    phonesec_srtp *tx, *rx;
    uint8_t pkt[200], prot[220], prot2[220], out[220];
    size_t len, n, m, i;
    char err[300];
    (void)state;
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 3);
    tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
    len = rtp(pkt, 7, 0xabcdef01, 160);

    /* buffer too small: out untouched, size needed reported */
    memset(prot, 0x77, sizeof prot);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, len + 9, &n), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(n, len + 10);
    for (i = 0; i < sizeof prot; i++)
        assert_int_equal(prot[i], 0x77);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
    /* wrong direction */
    assert_int_equal(phonesec_srtp_protect(rx, pkt, len, out, sizeof out, &m), PHONESEC_E_STATE);
    assert_int_equal(phonesec_srtp_unprotect(tx, prot, n, out, sizeof out, &m), PHONESEC_E_STATE);
    /* same sequence number again on the sender */
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot2, sizeof prot2, &m), PHONESEC_E_REPLAY);
    /* tampered: AUTH, output wiped */
    memcpy(prot2, prot, n);
    prot2[40] ^= 1;
    memset(out, 0x66, sizeof out);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot2, n, out, sizeof out, &m), PHONESEC_E_AUTH);
    for (i = 0; i < n; i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(phonesec_srtp_last_error(rx, err, sizeof err), PHONESEC_OK);
    assert_non_null(strstr(err, "authentication"));
    /* unprotect into exactly the plaintext size (work-buffer path) */
    memset(out, 0x66, sizeof out);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, len - 1, &m), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(m, len);
    assert_int_equal(out[0], 0x66);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, len, &m), PHONESEC_OK);
    assert_int_equal(m, len);
    assert_memory_equal(out, pkt, len);
    assert_int_equal(phonesec_srtp_last_error(rx, err, sizeof err), PHONESEC_OK);
    assert_string_equal(err, "");
    /* replay */
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m), PHONESEC_E_REPLAY);
    /* in place */
    len = rtp(pkt, 8, 0xabcdef01, 160);
    memcpy(prot, pkt, len);
    assert_int_equal(phonesec_srtp_protect(tx, prot, len, prot, sizeof prot, &n), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, prot, sizeof prot, &m), PHONESEC_OK);
    assert_memory_equal(prot, pkt, len);
    /* not RTP */
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, 11, out, sizeof out, &m), PHONESEC_E_PARSE);
    pkt[0] = 0x40;
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, out, sizeof out, &m), PHONESEC_E_PARSE);
    pkt[0] = 0x8f; /* 15 CSRCs in a 20-byte packet */
    assert_int_equal(phonesec_srtp_protect(tx, pkt, 20, out, sizeof out, &m), PHONESEC_E_PARSE);
    pkt[0] = 0x90; /* extension header beyond the end */
    pkt[12] = 0xbe;
    pkt[13] = 0xde;
    pkt[14] = 0x10;
    pkt[15] = 0x00;
    assert_int_equal(phonesec_srtp_protect(tx, pkt, 40, out, sizeof out, &m), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_srtp_protect(tx, NULL, 40, out, sizeof out, &m), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_protect(NULL, pkt, 40, out, sizeof out, &m), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_unprotect_rtcp(rx, pkt, 7, out, sizeof out, &m), PHONESEC_E_PARSE);
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
}

/* A session started at ROC r produces what a session reaching r by rollover
 * produces; the ROC survives a rekey (RFC 4568 7.1.4). */
static void roc_initial_rollover_and_rekey(void **state)
{
    phonesec_srtp_params p, p2;
    phonesec_srtp *a, *b, *rx, *rx0, *rx2;
    uint8_t pkt[200], pa[220], pb[220], out[220];
    size_t len, n, m;
    uint32_t seq, roc = 99;
    (void)state;
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 5);
    a = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    for (seq = 65530; seq < 65536 + 3; seq++) {
        len = rtp(pkt, (uint16_t)seq, 0x01020304, 50);
        assert_int_equal(phonesec_srtp_protect(a, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
    }
    assert_int_equal(phonesec_srtp_get_roc(a, 0x01020304, &roc), PHONESEC_OK);
    assert_int_equal(roc, 1);
    assert_int_equal(phonesec_srtp_get_roc(a, 0x99, &roc), PHONESEC_E_NOT_FOUND);
    p.roc = 1;
    b = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    len = rtp(pkt, 2, 0x01020304, 50);
    assert_int_equal(phonesec_srtp_protect(b, pkt, len, pb, sizeof pb, &m), PHONESEC_OK);
    assert_int_equal(m, n);
    assert_memory_equal(pa, pb, n); /* seq 2 after rollover == seq 2 at ROC 1 */
    rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
    assert_int_equal(phonesec_srtp_unprotect(rx, pb, m, out, sizeof out, &n), PHONESEC_OK);
    p.roc = 0;
    rx0 = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
    assert_int_equal(phonesec_srtp_unprotect(rx0, pb, m, out, sizeof out, &n), PHONESEC_E_AUTH);

    /* rekey a at ROC 1 just before a second rollover */
    for (seq = 3; seq <= 65535; seq += 1000) {
        len = rtp(pkt, (uint16_t)seq, 0x01020304, 50);
        assert_int_equal(phonesec_srtp_protect(a, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
    }
    len = rtp(pkt, 65534, 0x01020304, 50);
    assert_int_equal(phonesec_srtp_protect(a, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
    fill_params(&p2, PHONESEC_SRTP_AEAD_AES_128_GCM, 77);
    assert_int_equal(phonesec_srtp_update(a, &p2), PHONESEC_OK);
    /* next packets: 65535 (ROC 1), then 0 and 1 (ROC 2) under the new key */
    p2.roc = 1;
    rx2 = mk(&p2, PHONESEC_SRTP_DIR_INBOUND);
    for (seq = 65535; seq < 65536 + 2; seq++) {
        len = rtp(pkt, (uint16_t)seq, 0x01020304, 50);
        assert_int_equal(phonesec_srtp_protect(a, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
        assert_int_equal(phonesec_srtp_unprotect(rx2, pa, n, out, sizeof out, &m), PHONESEC_OK);
        assert_memory_equal(out, pkt, len);
    }
    assert_int_equal(phonesec_srtp_get_roc(a, 0x01020304, &roc), PHONESEC_OK);
    assert_int_equal(roc, 2);
    assert_int_equal(phonesec_srtp_get_roc(rx2, 0x01020304, &roc), PHONESEC_OK);
    assert_int_equal(roc, 2);
    /* a bad update keeps the old keys */
    p2.keys[0].key_len = 5;
    assert_int_equal(phonesec_srtp_update(a, &p2), PHONESEC_E_INVAL);
    len = rtp(pkt, 2, 0x01020304, 50);
    assert_int_equal(phonesec_srtp_protect(a, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_unprotect(rx2, pa, n, out, sizeof out, &m), PHONESEC_OK);
    phonesec_srtp_free(a);
    phonesec_srtp_free(b);
    phonesec_srtp_free(rx);
    phonesec_srtp_free(rx0);
    phonesec_srtp_free(rx2);
}

/* Issue 10 item 13: the 48-bit packet index (ROC << 16 | SEQ) must never
 * wrap. With the initial ROC 2^32-1 the packet after seq 65535 would be
 * index 2^48, i.e. index 0 again: the keystream of ROC 0 seq 0 reused.
 * Protect and unprotect refuse it with PHONESEC_E_LIMIT, for every suite. */
static void index_never_wraps(void **state)
{
    static const int suites_[] = {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_AEAD_AES_128_GCM,
                                  PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof suites_ / sizeof suites_[0]; k++) {
        phonesec_srtp_params p;
        phonesec_srtp *tx, *tx0, *rx;
        uint8_t pkt[200], pa[220], p0[220], out[220];
        size_t len, n, n0, m;
        uint32_t roc = 0;
        char msg[200];
        fill_params(&p, suites_[k], 9);
        p.roc = 0xffffffffu;
        tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
        rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
        p.roc = 0;
        tx0 = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
        /* the last indices 2^48-2 and 2^48-1 are fine */
        len = rtp(pkt, 65534, 0x0a0b0c0d, 40);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
        assert_int_equal(phonesec_srtp_unprotect(rx, pa, n, out, sizeof out, &m), PHONESEC_OK);
        len = rtp(pkt, 65535, 0x0a0b0c0d, 40);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
        assert_int_equal(phonesec_srtp_unprotect(rx, pa, n, out, sizeof out, &m), PHONESEC_OK);
        assert_memory_equal(out, pkt, len);
        /* seq 0 next: index 2^48. Refused, and out holds nothing. */
        len = rtp(pkt, 0, 0x0a0b0c0d, 40);
        memset(pa, 0x55, sizeof pa);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_E_LIMIT);
        for (m = 0; m < len; m++)
            assert_true(pa[m] == 0 || pa[m] == 0x55);
        assert_int_equal(phonesec_srtp_last_error(tx, msg, sizeof msg), PHONESEC_OK);
        assert_non_null(strstr(msg, "2^48"));
        /* again, and with other sequence numbers of the next "rollover" */
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_E_LIMIT);
        len = rtp(pkt, 100, 0x0a0b0c0d, 40);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_E_LIMIT);
        assert_int_equal(phonesec_srtp_get_roc(tx, 0x0a0b0c0d, &roc), PHONESEC_OK);
        assert_int_equal(roc, 0xffffffffu);
        /* the receiver: a packet made at ROC 0 seq 0 (the index the wrap
         * would reuse) is refused as past 2^48, not accepted */
        len = rtp(pkt, 0, 0x0a0b0c0d, 40);
        assert_int_equal(phonesec_srtp_protect(tx0, pkt, len, p0, sizeof p0, &n0), PHONESEC_OK);
        memset(out, 0x55, sizeof out);
        assert_int_equal(phonesec_srtp_unprotect(rx, p0, n0, out, sizeof out, &m), PHONESEC_E_LIMIT);
        for (m = 0; m < n0; m++)
            assert_true(out[m] == 0 || out[m] == 0x55);
        assert_int_equal(phonesec_srtp_get_roc(rx, 0x0a0b0c0d, &roc), PHONESEC_OK);
        assert_int_equal(roc, 0xffffffffu);
        /* a rekey keeps the index, so it does not lift the limit */
        fill_params(&p, suites_[k], 10);
        assert_int_equal(phonesec_srtp_update(tx, &p), PHONESEC_OK);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_E_LIMIT);
        /* other SSRCs are unaffected */
        len = rtp(pkt, 0, 0x0a0b0c0e, 40);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
        phonesec_srtp_free(tx);
        phonesec_srtp_free(tx0);
        phonesec_srtp_free(rx);
    }
}

/* Native engine: SRTCP stops at index 2^31-1 (RFC 3711 9.2), and SRTCP sent
 * in clear (E flag 0) is refused where encryption was negotiated (a
 * downgrade the libsrtp2 engine accepts). */
static void native_srtcp_limit_and_e_flag(void **state)
{
    phonesec_srtp_params p;
    phonesec_srtp *tx, *rx, *txc;
    uint8_t pkt[64], pa[128], out[128];
    size_t len, n, m;
    char msg[200];
    (void)state;
    if (!phonesec__srtp_engine_native())
        skip();
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 21);
    tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
    len = rtcp(pkt, 0x3344);
    assert_int_equal(phonesec_srtp_protect_rtcp(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
    assert_memory_equal(pa + len, "\x80\x00\x00\x01", 4); /* E=1, index 1 */
    assert_int_equal(phonesec_srtp_unprotect_rtcp(rx, pa, n, out, sizeof out, &m), PHONESEC_OK);
    assert_int_equal(phonesec__srtp_nat_test_set_rtcp_index(tx, 0x3344, 0x7ffffffe), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_protect_rtcp(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
    assert_memory_equal(pa + len, "\xff\xff\xff\xff", 4); /* E=1, index 2^31-1 */
    assert_int_equal(phonesec_srtp_unprotect_rtcp(rx, pa, n, out, sizeof out, &m), PHONESEC_OK);
    assert_int_equal(m, len);
    assert_int_equal(phonesec_srtp_protect_rtcp(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_E_LIMIT);
    assert_int_equal(phonesec_srtp_last_error(tx, msg, sizeof msg), PHONESEC_OK);
    assert_non_null(strstr(msg, "2^31"));
    assert_int_equal(phonesec_srtp_protect_rtcp(tx, pkt, len, pa, sizeof pa, &n), PHONESEC_E_LIMIT);
    /* E flag 0 from a sender configured with UNENCRYPTED_SRTCP, same keys */
    p.flags = PHONESEC_SRTP_F_UNENCRYPTED_SRTCP;
    txc = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    len = rtcp(pkt, 0x5566);
    assert_int_equal(phonesec_srtp_protect_rtcp(txc, pkt, len, pa, sizeof pa, &n), PHONESEC_OK);
    assert_memory_equal(pa + len, "\x00\x00\x00\x01", 4);
    memset(out, 0x55, sizeof out);
    assert_int_equal(phonesec_srtp_unprotect_rtcp(rx, pa, n, out, sizeof out, &m), PHONESEC_E_AUTH);
    for (m = 0; m < n; m++)
        assert_int_equal(out[m], 0);
    phonesec_srtp_free(tx);
    phonesec_srtp_free(txc);
    phonesec_srtp_free(rx);
}

static void mki_keys(void **state)
{
    phonesec_srtp_params p, p1;
    phonesec_srtp *tx, *rx, *rx1;
    phonesec_srtp_info info;
    uint8_t pkt[200], prot[260], out[260];
    size_t len, n, m;
    (void)state;
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, 8);
    p.n_keys = 2;
    p.keys[1] = p.keys[0];
    p.keys[1].key[0] ^= 0xff;
    p.keys[0].mki_len = p.keys[1].mki_len = 4;
    memcpy(p.keys[0].mki, "\x00\x00\x00\x01", 4);
    memcpy(p.keys[1].mki, "\x00\x00\x04\x2a", 4); /* 1066 */
    if (phonesec__srtp_engine_native()) {
        /* SRTP tag 32 bits, SRTCP tag 80 (RFC 4568) with an MKI: the SRTCP
         * MKI sits between E|index and the 10-byte tag (RFC 3711 3.4) */
        phonesec_srtp *t2, *r2;
        uint8_t rt[64], pr[96], o2[96];
        size_t rl = rtcp(rt, 0x5555), pl, ol;
        t2 = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
        r2 = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
        assert_int_equal(phonesec_srtp_protect_rtcp(t2, rt, rl, pr, sizeof pr, &pl), PHONESEC_OK);
        assert_int_equal(pl, rl + 4 + 4 + 10);
        assert_memory_equal(pr + rl + 4, "\x00\x00\x00\x01", 4);
        assert_int_equal(phonesec_srtp_unprotect_rtcp(r2, pr, pl, o2, sizeof o2, &ol), PHONESEC_OK);
        assert_int_equal(ol, rl);
        assert_memory_equal(o2, rt, rl);
        pr[rl + 4 + 3] = 0x2a; /* the other key's MKI: authentication fails */
        assert_int_equal(phonesec_srtp_unprotect_rtcp(r2, pr, pl, o2, sizeof o2, &ol), PHONESEC_E_AUTH);
        phonesec_srtp_free(t2);
        phonesec_srtp_free(r2);
    } else {
        /* libsrtp2 misplaces the SRTCP MKI when the tags differ: declined */
        assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_OUTBOUND, 0, &tx), PHONESEC_E_UNSUPPORTED);
    }
    p.flags = PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT;
    tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
    p1 = p;
    p1.n_keys = 1;
    rx1 = mk(&p1, PHONESEC_SRTP_DIR_INBOUND);
    info.version = PHONESEC_SRTP_INFO_VERSION;
    assert_int_equal(phonesec_srtp_get_info(tx, &info), PHONESEC_OK);
    assert_int_equal(info.rtp_overhead, 8);
    assert_int_equal(info.rtcp_overhead, 4 + 4 + 4);
    len = rtp(pkt, 1, 0x5555, 160);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
    assert_int_equal(n, len + 8);
    assert_memory_equal(prot + len, "\x00\x00\x00\x01", 4); /* MKI before the tag */
    assert_int_equal(phonesec_srtp_unprotect(rx1, prot, n, out, sizeof out, &m), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_set_active_key(tx, 2), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_set_active_key(rx, 1), PHONESEC_E_STATE);
    assert_int_equal(phonesec_srtp_set_active_key(tx, 1), PHONESEC_OK);
    len = rtp(pkt, 2, 0x5555, 160);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
    assert_memory_equal(prot + len, "\x00\x00\x04\x2a", 4);
    assert_int_equal(phonesec_srtp_unprotect(rx1, prot, n, out, sizeof out, &m), PHONESEC_E_AUTH);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m), PHONESEC_OK);
    assert_memory_equal(out, pkt, len);
    len = rtcp(pkt, 0x5555);
    assert_int_equal(phonesec_srtp_protect_rtcp(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_unprotect_rtcp(rx, prot, n, out, sizeof out, &m), PHONESEC_OK);
    assert_memory_equal(out, pkt, len);
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
    phonesec_srtp_free(rx1);
}

/* After a rekey, one forged packet on a known SSRC must not break that
 * SSRC: the stream created for the failed packet is removed, and the next
 * genuine packet must get a stream with the right rollover counter again. */
static void bad_packet_after_rekey(void **state)
{
    phonesec_srtp_params p;
    phonesec_srtp *tx, *rx;
    uint8_t pkt[200], prot[260], bad[260], out[260];
    size_t len, n, m;
    uint16_t seq;
    (void)state;
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 5);
    p.roc = 1; /* a call some 22 minutes old */
    tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
    len = rtp(pkt, 100, 0x11223344, 160);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m), PHONESEC_OK);
    p.keys[0].key[0] ^= 0x5a; /* rekey both ends */
    assert_int_equal(phonesec_srtp_update(tx, &p), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_update(rx, &p), PHONESEC_OK);
    len = rtp(pkt, 101, 0x11223344, 160);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
    memcpy(bad, prot, n);
    bad[20] ^= 0x01;
    assert_int_equal(phonesec_srtp_unprotect(rx, bad, n, out, sizeof out, &m), PHONESEC_E_AUTH);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m), PHONESEC_OK);
    for (seq = 102; seq < 110; seq++) {
        len = rtp(pkt, seq, 0x11223344, 160);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
        assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m), PHONESEC_OK);
        assert_memory_equal(out, pkt, len);
    }
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
}

/* libsrtp2 2.5 cannot unprotect a GCM packet with an MKI, not even its own:
 * such sessions are refused, inbound and outbound, on that engine. The
 * native engine runs them (RFC 7714 8.1/9.1: the MKI after the tag, and
 * after the E|index word in SRTCP); the places are checked here, the
 * bytes against RFC 7714's vectors in test_srtp_vectors. */
static void gcm_with_mki_declined(void **state)
{
    if (phonesec__srtp_engine_native()) {
        static const int gcm[] = {PHONESEC_SRTP_AEAD_AES_128_GCM, PHONESEC_SRTP_AEAD_AES_256_GCM};
        phonesec_srtp_params p;
        phonesec_srtp *tx, *rx;
        uint8_t pkt[200], prot[260], out[260];
        size_t i, len, n, m;
        (void)state;
        for (i = 0; i < 2; i++) {
            fill_params(&p, gcm[i], 3);
            p.n_keys = 2;
            p.keys[1] = p.keys[0];
            p.keys[1].key[0] ^= 1;
            p.keys[0].mki_len = p.keys[1].mki_len = 2;
            memcpy(p.keys[0].mki, "\x00\x01", 2);
            memcpy(p.keys[1].mki, "\x00\x02", 2);
            tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
            rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
            assert_int_equal(phonesec_srtp_set_active_key(tx, 1), PHONESEC_OK);
            len = rtp(pkt, 7, 0x0a0b0c0d, 100);
            assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
            assert_int_equal(n, len + 16 + 2);
            assert_memory_equal(prot + len + 16, "\x00\x02", 2); /* after the tag */
            assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m), PHONESEC_OK);
            assert_memory_equal(out, pkt, len);
            len = rtcp(pkt, 0x0a0b0c0d);
            assert_int_equal(phonesec_srtp_protect_rtcp(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
            assert_int_equal(n, len + 16 + 4 + 2);
            assert_int_equal(prot[len + 16] & 0x80, 0x80); /* E|index after the tag */
            assert_memory_equal(prot + len + 20, "\x00\x02", 2); /* MKI after E|index */
            assert_int_equal(phonesec_srtp_unprotect_rtcp(rx, prot, n, out, sizeof out, &m), PHONESEC_OK);
            assert_memory_equal(out, pkt, len);
            prot[len + 21] = 9; /* unknown MKI */
            assert_int_equal(phonesec_srtp_unprotect_rtcp(rx, prot, n, out, sizeof out, &m), PHONESEC_E_AUTH);
            phonesec_srtp_free(tx);
            phonesec_srtp_free(rx);
        }
        return;
    }
    {
    static const int gcm[] = {PHONESEC_SRTP_AEAD_AES_128_GCM, PHONESEC_SRTP_AEAD_AES_256_GCM};
    phonesec_srtp_params p;
    phonesec_srtp *s = NULL;
    size_t i;
    (void)state;
    for (i = 0; i < 2; i++) {
        fill_params(&p, gcm[i], 3);
        p.keys[0].mki_len = 2;
        memcpy(p.keys[0].mki, "\x00\x01", 2);
        assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_OUTBOUND, 0, &s), PHONESEC_E_UNSUPPORTED);
        assert_int_equal(phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s), PHONESEC_E_UNSUPPORTED);
        assert_null(s);
        p.keys[0].mki_len = 0; /* without an MKI the suite works */
        s = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
        phonesec_srtp_free(s);
        s = NULL;
    }
    }
}

/* The suite table (phonesec_srtp_suite_get_info) and the engine's
 * capabilities (phonesec_srtp_engine_supports), per engine. */
static void suite_info_and_capabilities(void **state)
{
    phonesec_srtp_suite_info si;
    int nat = phonesec__srtp_engine_native(), suite;
    (void)state;
    memset(&si, 0x5a, sizeof si);
    si.version = PHONESEC_SRTP_SUITE_INFO_VERSION;
    assert_int_equal(phonesec_srtp_suite_get_info(PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32, &si), PHONESEC_OK);
    assert_string_equal(si.name, "AES_192_CM_HMAC_SHA1_32");
    assert_string_equal(si.alias, "AES_CM_192_HMAC_SHA1_32");
    assert_int_equal(si.key_len, 24);
    assert_int_equal(si.salt_len, 14);
    assert_int_equal(si.rtp_tag_len, 4);
    assert_int_equal(si.rtcp_tag_len, 10); /* RFC 4568 */
    assert_int_equal(si.rtcp_tag32_len, 4);
    assert_int_equal(si.aead, 0);
    assert_int_equal(si.encrypts, 1);
    assert_int_equal(si.explicit_only, 0);
    assert_int_equal(phonesec_srtp_suite_get_info(PHONESEC_SRTP_AEAD_AES_256_GCM, &si), PHONESEC_OK);
    assert_null(si.alias);
    assert_int_equal(si.salt_len, 12);
    assert_int_equal(si.rtp_tag_len, 16);
    assert_int_equal(si.rtcp_tag_len, 16);
    assert_int_equal(si.aead, 1);
    assert_int_equal(phonesec_srtp_suite_get_info(PHONESEC_SRTP_F8_128_HMAC_SHA1_80, &si), PHONESEC_OK);
    assert_int_equal(si.explicit_only, 1);
    assert_int_equal(phonesec_srtp_suite_get_info(PHONESEC_SRTP_NULL_HMAC_SHA1_80, &si), PHONESEC_OK);
    assert_int_equal(si.explicit_only, 1);
    assert_int_equal(si.encrypts, 0);
    assert_int_equal(phonesec_srtp_suite_get_info(PHONESEC_SRTP_SUITE_NONE, &si), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_suite_get_info(12, &si), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_suite_get_info(1, NULL), PHONESEC_E_INVAL);
    si.version = 0;
    assert_int_equal(phonesec_srtp_suite_get_info(1, &si), PHONESEC_E_INVAL);
    for (suite = 1; suite <= 11; suite++) {
        si.version = PHONESEC_SRTP_SUITE_INFO_VERSION;
        assert_int_equal(phonesec_srtp_suite_get_info(suite, &si), PHONESEC_OK);
        assert_int_equal(si.suite, suite);
        assert_string_equal(si.name, phonesec_srtp_suite_name(suite));
    }

    assert_int_equal(phonesec_srtp_engine_supports(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 0, 0), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_engine_supports(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 0, PHONESEC_SRTP_FEAT_MKI),
                     PHONESEC_OK);
    assert_int_equal(phonesec_srtp_engine_supports(0, 0, 0), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_engine_supports(1, 1u << 20, 0), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_engine_supports(1, 0, 1u << 5), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_srtp_engine_supports(PHONESEC_SRTP_AEAD_AES_128_GCM, PHONESEC_SRTP_F_UNENCRYPTED_SRTP, 0),
                     PHONESEC_E_UNSUPPORTED);
    /* what differs between the engines */
    assert_int_equal(phonesec_srtp_engine_supports(PHONESEC_SRTP_F8_128_HMAC_SHA1_80, 0, 0),
                     nat ? PHONESEC_OK : PHONESEC_E_UNSUPPORTED);
    assert_int_equal(phonesec_srtp_engine_supports(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 0, PHONESEC_SRTP_FEAT_KDR),
                     nat ? PHONESEC_OK : PHONESEC_E_UNSUPPORTED);
    assert_int_equal(phonesec_srtp_engine_supports(PHONESEC_SRTP_AEAD_AES_128_GCM, 0, PHONESEC_SRTP_FEAT_MKI),
                     nat ? PHONESEC_OK : PHONESEC_E_UNSUPPORTED);
    assert_int_equal(phonesec_srtp_engine_supports(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, 0, PHONESEC_SRTP_FEAT_MKI),
                     nat ? PHONESEC_OK : PHONESEC_E_UNSUPPORTED);
    assert_int_equal(phonesec_srtp_engine_supports(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32,
                                                   PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT, PHONESEC_SRTP_FEAT_MKI),
                     PHONESEC_OK);
    assert_int_equal(phonesec_srtp_engine_supports(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80,
                                                   PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP, PHONESEC_SRTP_FEAT_MKI),
                     nat ? PHONESEC_OK : PHONESEC_E_UNSUPPORTED);
    /* engine_supports agrees with what phonesec_srtp_new() does */
    for (suite = 1; suite <= 11; suite++) {
        unsigned feat;
        for (feat = 0; feat < 4; feat++) {
            phonesec_srtp_params p;
            phonesec_srtp *s = NULL;
            int want = phonesec_srtp_engine_supports(suite, 0, feat), got;
            fill_params(&p, suite, 3);
            if (feat & PHONESEC_SRTP_FEAT_MKI) {
                p.keys[0].mki_len = 1;
                p.keys[0].mki[0] = 7;
            }
            if (feat & PHONESEC_SRTP_FEAT_KDR)
                p.kdr = 8;
            got = phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, PHONESEC_SRTP_OPT_ALLOW_NULL, &s);
            assert_int_equal(got, want);
            phonesec_srtp_free(s);
        }
    }
}

static void lifetime_expires(void **state)
{
    phonesec_srtp_params p;
    phonesec_srtp *tx, *rx;
    phonesec_srtp_info info;
    uint8_t pkt[200], prot[5][220], out[220];
    size_t len, n[5], m;
    int i;
    (void)state;
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 4);
    p.keys[0].lifetime = 3;
    tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    p.keys[0].lifetime = 2;
    rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
    for (i = 0; i < 3; i++) {
        len = rtp(pkt, (uint16_t)(10 + i), 0x42, 100);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot[i], sizeof prot[i], &n[i]), PHONESEC_OK);
    }
    len = rtp(pkt, 13, 0x42, 100);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot[3], sizeof prot[3], &n[3]), PHONESEC_E_EXPIRED);
    assert_int_equal(phonesec_srtp_protect_rtcp(tx, pkt, 28, prot[3], sizeof prot[3], &n[3]), PHONESEC_E_EXPIRED);
    info.version = PHONESEC_SRTP_INFO_VERSION;
    assert_int_equal(phonesec_srtp_get_info(tx, &info), PHONESEC_OK);
    assert_int_equal(info.expired, 1);
    assert_int_equal(info.packets, 3);
    assert_non_null(strstr(test_log_text, "lifetime of 3 packets ran out"));
    assert_int_equal(phonesec_srtp_unprotect(rx, prot[0], n[0], out, sizeof out, &m), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot[1], n[1], out, sizeof out, &m), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot[2], n[2], out, sizeof out, &m), PHONESEC_E_EXPIRED);
    /* a rekey brings it back */
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 40);
    assert_int_equal(phonesec_srtp_update(tx, &p), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot[4], sizeof prot[4], &n[4]), PHONESEC_OK);
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
}

/* Forged packets with new SSRCs leave nothing behind; at most
 * PHONESEC_SRTP_MAX_SSRC SSRCs are tracked. */
static void ssrc_limit_and_forgeries(void **state)
{
    phonesec_srtp_params p;
    phonesec_srtp *tx, *rx;
    phonesec_srtp_info info;
    uint8_t pkt[100], prot[120], out[120];
    size_t len, n, m;
    uint32_t i;
    (void)state;
    fill_params(&p, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 6);
    tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
    for (i = 0; i < 100; i++) {
        len = rtp(pkt, 1, 0x1000 + i, 40);
        memset(prot, 0, sizeof prot);
        memcpy(prot, pkt, len);
        assert_int_equal(phonesec_srtp_unprotect(rx, prot, len + 10, out, sizeof out, &m), PHONESEC_E_AUTH);
    }
    info.version = PHONESEC_SRTP_INFO_VERSION;
    assert_int_equal(phonesec_srtp_get_info(rx, &info), PHONESEC_OK);
    assert_int_equal(info.n_ssrc, 0);
    for (i = 0; i < PHONESEC_SRTP_MAX_SSRC; i++) {
        len = rtp(pkt, 1, 0x1000 + i, 40);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
        assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, sizeof out, &m), PHONESEC_OK);
    }
    len = rtp(pkt, 1, 0x9999, 40);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_E_LIMIT);
    assert_int_equal(phonesec_srtp_get_info(rx, &info), PHONESEC_OK);
    assert_int_equal(info.n_ssrc, PHONESEC_SRTP_MAX_SSRC);
    /* a newer caller gets the fields this library knows, and their version */
    info.version = 99;
    assert_int_equal(phonesec_srtp_get_info(rx, &info), PHONESEC_OK);
    assert_int_equal(info.version, PHONESEC_SRTP_INFO_VERSION);
    assert_int_equal(info.n_ssrc, PHONESEC_SRTP_MAX_SSRC);
    info.version = 0;
    assert_int_equal(phonesec_srtp_get_info(rx, &info), PHONESEC_E_INVAL);
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
}

static void out_of_memory(void **state)
{
    phonesec_srtp_params p;
    long start = test_alloc_live, k;
    int ok = 0, pass;
    (void)state;
    /* AES-CM, then F8 with two keys (its IV keys are allocated per key) */
    for (pass = 0; pass < 2; pass++, ok = 0) {
    fill_params(&p, pass == 0 ? PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80 : PHONESEC_SRTP_F8_128_HMAC_SHA1_80, 2);
    if (pass == 1) {
        if (phonesec_srtp_suite_supported(PHONESEC_SRTP_F8_128_HMAC_SHA1_80) != PHONESEC_OK)
            break;
        p.n_keys = 2;
        p.keys[1] = p.keys[0];
        p.keys[0].mki_len = p.keys[1].mki_len = 1;
        p.keys[1].mki[0] = 1;
    }
    for (k = 1; k < 20 && !ok; k++) {
        phonesec_srtp *s = NULL;
        int rc;
        test_alloc_calls = 0;
        test_alloc_fail_at = k;
        rc = phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &s);
        test_alloc_fail_at = 0;
        if (rc == PHONESEC_OK) {
            ok = 1;
            assert_int_equal(phonesec_srtp_update(s, &p), PHONESEC_OK);
            test_alloc_calls = 0;
            test_alloc_fail_at = 1;
            assert_int_equal(phonesec_srtp_update(s, &p), PHONESEC_E_NOMEM);
            test_alloc_fail_at = 0;
            phonesec_srtp_free(s);
        } else {
            assert_int_equal(rc, PHONESEC_E_NOMEM);
            assert_null(s);
        }
        assert_int_equal(test_alloc_live, start);
    }
    assert_true(ok);
    }
}

/* Keys leave no copy in the session's memory once freed (checked through
 * the allocator: bytes held return to the start). */
static void no_allocation_per_packet(void **state)
{
    phonesec_srtp_params p;
    phonesec_srtp *tx, *rx;
    uint8_t pkt[200], prot[220], out[220];
    size_t len, n, m;
    long calls;
    uint16_t seq;
    (void)state;
    fill_params(&p, PHONESEC_SRTP_AEAD_AES_128_GCM, 2);
    tx = mk(&p, PHONESEC_SRTP_DIR_OUTBOUND);
    rx = mk(&p, PHONESEC_SRTP_DIR_INBOUND);
    /* the first packet of an SSRC may make its stream (libsrtp2 engine) */
    len = rtp(pkt, 0, 0x77, 160);
    assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
    assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, len, &m), PHONESEC_OK);
    calls = test_alloc_calls;
    for (seq = 1; seq < 1000; seq++) {
        len = rtp(pkt, seq, 0x77, 160);
        assert_int_equal(phonesec_srtp_protect(tx, pkt, len, prot, sizeof prot, &n), PHONESEC_OK);
        assert_int_equal(phonesec_srtp_unprotect(rx, prot, n, out, len, &m), PHONESEC_OK);
    }
    assert_int_equal(test_alloc_calls, calls);
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(params_init_wipe),
        cmocka_unit_test(suite_table),
        cmocka_unit_test(create_validates),
        cmocka_unit_test(round_trip_all_suites),
        cmocka_unit_test(suite_info_and_capabilities),
        cmocka_unit_test(errors_auth_replay_state_buffers),
        cmocka_unit_test(roc_initial_rollover_and_rekey),
        cmocka_unit_test(index_never_wraps),
        cmocka_unit_test(native_srtcp_limit_and_e_flag),
        cmocka_unit_test(mki_keys),
        cmocka_unit_test(gcm_with_mki_declined),
        cmocka_unit_test(bad_packet_after_rekey),
        cmocka_unit_test(lifetime_expires),
        cmocka_unit_test(ssrc_limit_and_forgeries),
        cmocka_unit_test(out_of_memory),
        cmocka_unit_test(no_allocation_per_packet),
    };
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
