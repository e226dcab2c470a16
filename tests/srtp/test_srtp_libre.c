/* Cross-check against libre's SRTP (the independent implementation baresip
 * uses): protect with libphonesec, decrypt with libre, and the reverse, for
 * every suite both implement, RTP and RTCP. libre sends 32-bit SRTCP tags
 * with the _32 suites, so RTCP of those needs PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT,
 * and must fail without it (RFC 4568's 80-bit tag). */
#define _DEFAULT_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <re.h>

#include "support.h"

static const struct {
    const char *name;
    int ours;
    enum srtp_suite re;
    size_t klen, slen;
    int tag32;
} suites[] = {
    {"AES_CM_128_HMAC_SHA1_80", PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, SRTP_AES_CM_128_HMAC_SHA1_80, 16, 14, 0},
    {"AES_CM_128_HMAC_SHA1_32", PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, SRTP_AES_CM_128_HMAC_SHA1_32, 16, 14, 1},
    {"AES_256_CM_HMAC_SHA1_80", PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80, SRTP_AES_256_CM_HMAC_SHA1_80, 32, 14, 0},
    {"AES_256_CM_HMAC_SHA1_32", PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32, SRTP_AES_256_CM_HMAC_SHA1_32, 32, 14, 1},
    {"AEAD_AES_128_GCM", PHONESEC_SRTP_AEAD_AES_128_GCM, SRTP_AES_128_GCM, 16, 12, 0},
    {"AEAD_AES_256_GCM", PHONESEC_SRTP_AEAD_AES_256_GCM, SRTP_AES_256_GCM, 32, 12, 0},
};

static phonesec_srtp *ours(size_t i, const uint8_t *ks, int dir, unsigned flags)
{
    phonesec_srtp_params p;
    phonesec_srtp *s = NULL;
    phonesec_srtp_params_init(&p);
    p.suite = suites[i].ours;
    p.flags = flags;
    p.n_keys = 1;
    memcpy(p.keys[0].key, ks, suites[i].klen);
    memcpy(p.keys[0].salt, ks + suites[i].klen, suites[i].slen);
    p.keys[0].key_len = suites[i].klen;
    p.keys[0].salt_len = suites[i].slen;
    assert_int_equal(phonesec_srtp_new(&p, dir, 0, &s), PHONESEC_OK);
    phonesec_srtp_params_wipe(&p);
    return s;
}

static size_t rtp(uint8_t *b, uint16_t seq)
{
    static const uint8_t h[12] = {0x80, 0x00, 0, 0, 0, 0, 0x01, 0x40, 0xde, 0xad, 0xbe, 0xef};
    size_t i;
    memcpy(b, h, 12);
    b[2] = (uint8_t)(seq >> 8);
    b[3] = (uint8_t)seq;
    for (i = 0; i < 160; i++)
        b[12 + i] = (uint8_t)(0xd5 ^ i ^ seq);
    return 172;
}

static size_t rtcp(uint8_t *b, uint8_t v)
{
    static const uint8_t h[8] = {0x80, 200, 0x00, 0x06, 0xde, 0xad, 0xbe, 0xef};
    memcpy(b, h, 8);
    memset(b + 8, v, 20);
    return 28;
}

static void cross(void **state)
{
    uint8_t ks[46];
    size_t i, k;
    (void)state;
    for (k = 0; k < sizeof ks; k++)
        ks[k] = (uint8_t)(k * 7 + 1);
    assert_int_equal(libre_init(), 0);
    for (i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        unsigned flags = suites[i].tag32 ? PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT : 0;
        phonesec_srtp *tx = ours(i, ks, PHONESEC_SRTP_DIR_OUTBOUND, flags);
        phonesec_srtp *rx = ours(i, ks, PHONESEC_SRTP_DIR_INBOUND, flags);
        struct srtp *re_tx = NULL, *re_rx = NULL;
        int ok1 = 0, ok2 = 0, ok3 = 0, ok4 = 0;
        uint16_t seq;
        assert_int_equal(srtp_alloc(&re_tx, suites[i].re, ks, suites[i].klen + suites[i].slen, 0), 0);
        assert_int_equal(srtp_alloc(&re_rx, suites[i].re, ks, suites[i].klen + suites[i].slen, 0), 0);
        for (seq = 65500; seq != 30; seq++) { /* through a rollover */
            uint8_t plain[200], buf[300];
            size_t len = rtp(plain, seq), n;
            struct mbuf *mb;
            /* libphonesec -> libre */
            assert_int_equal(phonesec_srtp_protect(tx, plain, len, buf, sizeof buf, &n), PHONESEC_OK);
            mb = mbuf_alloc(300);
            mbuf_write_mem(mb, buf, n);
            mb->pos = 0;
            if (srtp_decrypt(re_rx, mb) == 0 && mbuf_get_left(mb) == len && memcmp(mbuf_buf(mb), plain, len) == 0)
                ok1++;
            mem_deref(mb);
            /* libre -> libphonesec */
            mb = mbuf_alloc(300);
            mbuf_write_mem(mb, plain, len);
            mb->pos = 0;
            if (srtp_encrypt(re_tx, mb) == 0) {
                mb->pos = 0;
                if (phonesec_srtp_unprotect(rx, mbuf_buf(mb), mbuf_get_left(mb), buf, sizeof buf, &n) == PHONESEC_OK &&
                    n == len && memcmp(buf, plain, len) == 0)
                    ok2++;
            }
            mem_deref(mb);
            if (seq % 8 == 0) {
                len = rtcp(plain, (uint8_t)seq);
                assert_int_equal(phonesec_srtp_protect_rtcp(tx, plain, len, buf, sizeof buf, &n), PHONESEC_OK);
                mb = mbuf_alloc(300);
                mbuf_write_mem(mb, buf, n);
                mb->pos = 0;
                if (srtcp_decrypt(re_rx, mb) == 0 && mbuf_get_left(mb) == len && memcmp(mbuf_buf(mb), plain, len) == 0)
                    ok3++;
                mem_deref(mb);
                mb = mbuf_alloc(300);
                mbuf_write_mem(mb, plain, len);
                mb->pos = 0;
                if (srtcp_encrypt(re_tx, mb) == 0) {
                    mb->pos = 0;
                    if (phonesec_srtp_unprotect_rtcp(rx, mbuf_buf(mb), mbuf_get_left(mb), buf, sizeof buf, &n) ==
                            PHONESEC_OK &&
                        n == len && memcmp(buf, plain, len) == 0)
                        ok4++;
                }
                mem_deref(mb);
            }
        }
        print_message("%-24s RTP ours->libre %d/66 libre->ours %d/66, RTCP ours->libre %d/8 libre->ours %d/8\n",
                      suites[i].name, ok1, ok2, ok3, ok4);
        assert_int_equal(ok1, 66);
        assert_int_equal(ok2, 66);
        assert_int_equal(ok3, 8);
        assert_int_equal(ok4, 8);
        phonesec_srtp_free(tx);
        phonesec_srtp_free(rx);
        mem_deref(re_tx);
        mem_deref(re_rx);
    }
    libre_close();
}

/* Without the compat flag, SRTCP of a _32 suite carries RFC 4568's 80-bit tag,
 * which libre (and baresip) cannot verify. */
static void rfc_srtcp_tag_differs_from_libre(void **state)
{
    uint8_t ks[46], plain[64], buf[128];
    size_t k, len, n;
    struct srtp *re_rx = NULL;
    struct mbuf *mb;
    phonesec_srtp *tx;
    (void)state;
    for (k = 0; k < sizeof ks; k++)
        ks[k] = (uint8_t)(k * 7 + 1);
    assert_int_equal(libre_init(), 0);
    tx = ours(1, ks, PHONESEC_SRTP_DIR_OUTBOUND, 0);
    assert_int_equal(srtp_alloc(&re_rx, SRTP_AES_CM_128_HMAC_SHA1_32, ks, 30, 0), 0);
    len = rtcp(plain, 1);
    assert_int_equal(phonesec_srtp_protect_rtcp(tx, plain, len, buf, sizeof buf, &n), PHONESEC_OK);
    assert_int_equal(n, len + 4 + 10);
    mb = mbuf_alloc(128);
    mbuf_write_mem(mb, buf, n);
    mb->pos = 0;
    assert_int_not_equal(srtcp_decrypt(re_rx, mb), 0);
    mem_deref(mb);
    mem_deref(re_rx);
    phonesec_srtp_free(tx);
    libre_close();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cross),
        cmocka_unit_test(rfc_srtcp_tag_differs_from_libre),
    };
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
