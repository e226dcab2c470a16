/* Unit tests of the a=crypto line layer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static phonesec_sdes_crypto c, d;

static void suites_by_name(void **state)
{
    size_t k, s;
    (void)state;
    assert_int_equal(phonesec_sdes_suite_from_name("aes_cm_128_hmac_sha1_80", 23), PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    assert_int_equal(phonesec_sdes_suite_from_name("AES_CM_256_HMAC_SHA1_32", 23), PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32);
    assert_int_equal(phonesec_sdes_suite_from_name("AES_CM_192_HMAC_SHA1_80", 23), PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80);
    assert_int_equal(phonesec_sdes_suite_from_name("AEAD_AES_256_GCM", 16), PHONESEC_SRTP_AEAD_AES_256_GCM);
    assert_int_equal(phonesec_sdes_suite_from_name("AEAD_AES_256_GC", 15), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_sdes_suite_from_name(NULL, 0), PHONESEC_E_NOT_FOUND);
    assert_string_equal(phonesec_sdes_suite_name(PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80), "AES_256_CM_HMAC_SHA1_80");
    assert_null(phonesec_sdes_suite_name(99));
    assert_int_equal(phonesec_sdes_suite_lengths(PHONESEC_SRTP_AEAD_AES_128_GCM, &k, &s), PHONESEC_OK);
    assert_int_equal(k, 16);
    assert_int_equal(s, 12);
    assert_int_equal(phonesec_sdes_suite_lengths(0, &k, &s), PHONESEC_E_INVAL);
}

static void generate_and_reparse(void **state)
{
    char buf[PHONESEC_SDES_LINE_MAX + 1], why[128];
    size_t n;
    int suite;
    (void)state;
    for (suite = 1; suite <= PHONESEC_SRTP_NULL_HMAC_SHA1_32; suite++) {
        assert_int_equal(phonesec_sdes_crypto_generate(7, suite, 2, 1066, UINT64_C(1) << 31, &c), PHONESEC_OK);
        assert_int_equal(phonesec_sdes_crypto_print(&c, buf, sizeof buf, &n), PHONESEC_OK);
        assert_int_equal(n, strlen(buf));
        assert_non_null(strstr(buf, "|2^31|1066:2"));
        assert_int_equal(strncmp(buf, "a=crypto:7 ", 11), 0);
        assert_int_equal(phonesec_sdes_crypto_parse(buf, n, &d, why, sizeof why), PHONESEC_OK);
        assert_int_equal(d.suite, suite);
        assert_memory_equal(d.keys[0].key, c.keys[0].key, c.keys[0].key_len);
        assert_memory_equal(d.keys[0].salt, c.keys[0].salt, c.keys[0].salt_len);
        assert_int_equal(d.keys[0].mki_len, 2);
        assert_int_equal(d.keys[0].mki[0] << 8 | d.keys[0].mki[1], 1066);
    }
    /* Two fresh keys differ. */
    assert_int_equal(phonesec_sdes_crypto_generate(1, 1, 0, 0, 0, &c), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_crypto_generate(1, 1, 0, 0, 0, &d), PHONESEC_OK);
    assert_true(memcmp(c.keys[0].key, d.keys[0].key, 16) != 0);
    assert_int_equal(phonesec_sdes_crypto_generate(1000000000, 1, 0, 0, 0, &c), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_sdes_crypto_generate(1, 1, 1, 256, 0, &c), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_sdes_crypto_generate(1, 1, 0, 0, (UINT64_C(1) << 48) + 1, &c), PHONESEC_E_INVAL);
}

static void print_follows_the_fields(void **state)
{
    const char *l = "a=crypto:05 aes_cm_128_hmac_sha1_80  inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|1048576|0001:4";
    char buf[PHONESEC_SDES_LINE_MAX + 1], small[8];
    size_t n = 0;
    (void)state;
    assert_int_equal(phonesec_sdes_crypto_parse(l, strlen(l), &c, NULL, 0), PHONESEC_OK);
    assert_int_equal(c.tag, 5);
    assert_int_equal(phonesec_sdes_crypto_print(&c, buf, sizeof buf, &n), PHONESEC_OK);
    assert_string_equal(buf, l);
    memset(small, 'x', sizeof small);
    assert_int_equal(phonesec_sdes_crypto_print(&c, small, sizeof small, &n), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(n, strlen(l));
    assert_int_equal(small[0], 'x');
    /* Change a field: the print follows it, in canonical spelling. */
    c.tag = 6;
    assert_int_equal(phonesec_sdes_crypto_print(&c, buf, sizeof buf, &n), PHONESEC_OK);
    assert_string_equal(buf, "a=crypto:6 AES_CM_128_HMAC_SHA1_80 "
                             "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4");
    c.keys[0].key[0] ^= 1;
    c.tag = 5;
    assert_int_equal(phonesec_sdes_crypto_print(&c, buf, sizeof buf, &n), PHONESEC_OK);
    assert_true(strcmp(buf, l) != 0);
    /* A line with an unknown parameter cannot be reprinted once changed. */
    l = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz X=1";
    assert_int_equal(phonesec_sdes_crypto_parse(l, strlen(l), &c, NULL, 0), PHONESEC_OK);
    assert_int_equal(phonesec_sdes_crypto_print(&c, buf, sizeof buf, &n), PHONESEC_OK);
    assert_string_equal(buf, l);
    c.tag = 2;
    assert_int_equal(phonesec_sdes_crypto_print(&c, buf, sizeof buf, &n), PHONESEC_E_UNSUPPORTED);
    phonesec_sdes_crypto_wipe(&c);
}

static void to_params(void **state)
{
    const char *l = "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:4 WSH=256";
    phonesec_srtp_params p;
    char why[128];
    uint8_t key[30];
    (void)state;
    assert_int_equal(test_hex_decode("37307877504835402f2c4c3a53317759227e3d27457067542528695f5663", key, sizeof key), 30);
    memset(&p, 0xa5, sizeof p);
    /* An MKI on a _32 line: RFC 4568's 80-bit SRTCP tag differs from the
     * 32-bit SRTP one and libsrtp2 then misplaces the SRTCP MKI, so
     * phonesec_srtp_new() would refuse it: declined, output untouched. */
    if (phonesec_srtp_engine_supports(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, 0, PHONESEC_SRTP_FEAT_MKI) ==
        PHONESEC_OK) {
        /* the native engine places every MKI right: usable as it is */
        assert_int_equal(phonesec_sdes_line_to_params(l, strlen(l), 0, &p, why, sizeof why), PHONESEC_OK);
        assert_int_equal(p.flags, 0);
        assert_int_equal(p.keys[0].mki_len, 4);
        memset(&p, 0xa5, sizeof p);
    } else {
        assert_int_equal(phonesec_sdes_line_to_params(l, strlen(l), 0, &p, why, sizeof why),
                         PHONESEC_E_UNSUPPORTED);
        assert_non_null(strstr(why, "MKI"));
        assert_non_null(strstr(why, "TAG32_COMPAT"));
        assert_int_equal(p.version, 0xa5a5a5a5u);
    }
    /* With the 32-bit SRTCP tag both tags are equal: usable. */
    assert_int_equal(phonesec_sdes_line_to_params(l, strlen(l), PHONESEC_SDES_SRTCP_TAG32_COMPAT, &p, why, sizeof why),
                     PHONESEC_OK);
    assert_int_equal(p.version, PHONESEC_SRTP_PARAMS_VERSION);
    assert_int_equal(p.suite, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32);
    assert_int_equal(p.flags, PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT);
    assert_int_equal(p.n_keys, 1);
    assert_memory_equal(p.keys[0].key, key, 16);
    assert_memory_equal(p.keys[0].salt, key + 16, 14);
    assert_int_equal(p.keys[0].mki_len, 4);
    assert_int_equal(p.keys[0].mki[3], 1);
    assert_int_equal(p.keys[0].lifetime, 1 << 20);
    assert_int_equal(p.wsh, 256);
    assert_int_equal(p.kdr, 0);
    assert_int_equal(p.roc, 0);
    /* Without MKI the _32 line is usable either way, without the flag. */
    l = "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj";
    assert_int_equal(phonesec_sdes_line_to_params(l, strlen(l), 0, &p, why, sizeof why), PHONESEC_OK);
    assert_int_equal(p.flags, 0);
    /* The compat flag only matters for _32 suites. */
    l = "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj";
    assert_int_equal(phonesec_sdes_line_to_params(l, strlen(l), PHONESEC_SDES_SRTCP_TAG32_COMPAT, &p, why, sizeof why),
                     PHONESEC_OK);
    assert_int_equal(p.flags, 0);
    /* Bare attribute value and a=crypto: prefix both work. */
    l = "2 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj";
    assert_int_equal(phonesec_sdes_line_to_params(l, strlen(l), 0, &p, why, sizeof why), PHONESEC_OK);
    /* Failures leave the output alone and say why without the key. */
    memset(&p, 0x5a, sizeof p);
    l = "a=crypto:1 F8_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj";
    if (phonesec_srtp_suite_supported(PHONESEC_SRTP_F8_128_HMAC_SHA1_80) == PHONESEC_OK) {
        /* native engine: an F8 line is usable (whether it is negotiated is the policy's call) */
        assert_int_equal(phonesec_sdes_line_to_params(l, strlen(l), 0, &p, why, sizeof why), PHONESEC_OK);
        assert_int_equal(p.suite, PHONESEC_SRTP_F8_128_HMAC_SHA1_80);
        memset(&p, 0x5a, sizeof p);
        l = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj FEC_ORDER=FEC_SRTP";
    }
    assert_int_equal(phonesec_sdes_line_to_params(l, strlen(l), 0, &p, why, sizeof why), PHONESEC_E_UNSUPPORTED);
    assert_non_null(strstr(why, phonesec_srtp_suite_supported(PHONESEC_SRTP_F8_128_HMAC_SHA1_80) == PHONESEC_OK
                                    ? "FEC"
                                    : "F8"));
    assert_null(strstr(why, "NzB4"));
    assert_int_equal(p.version, 0x5a5a5a5au);
    l = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Z";
    assert_int_equal(phonesec_sdes_line_to_params(l, strlen(l), 0, &p, why, sizeof why), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_sdes_line_to_params(NULL, 0, 0, &p, why, sizeof why), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_sdes_line_to_params("a=crypto:1\0", 11, 0, &p, why, sizeof why), PHONESEC_E_PARSE);
    phonesec_memzero(&p, sizeof p);
}

static void limits(void **state)
{
    char *l = malloc(PHONESEC_SDES_LINE_MAX + 100);
    size_t n, i;
    const char *k = "inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
    (void)state;
    assert_non_null(l);
    /* 16 keys with MKIs: ok; 17: PHONESEC_E_LIMIT. */
    n = (size_t)sprintf(l, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 ");
    for (i = 0; i < 17; i++) {
        n += (size_t)sprintf(l + n, "%s%s|%u:1", i ? ";" : "", k, (unsigned)i);
        if (i == 15)
            assert_int_equal(phonesec_sdes_crypto_parse(l, n, &c, NULL, 0), PHONESEC_OK);
    }
    assert_int_equal(phonesec_sdes_crypto_parse(l, n, &c, NULL, 0), PHONESEC_E_LIMIT);
    /* A 128-byte MKI: the largest value fits, one more does not. */
    n = (size_t)sprintf(l, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 %s|", k);
    memset(l + n, '9', 300);
    n += 300;
    n += (size_t)sprintf(l + n, ":128");
    assert_int_equal(phonesec_sdes_crypto_parse(l, n, &c, NULL, 0), PHONESEC_OK);
    assert_int_equal(c.keys[0].mki_len, 128);
    {
        char out[PHONESEC_SDES_LINE_MAX + 1];
        size_t m;
        c.tag = 3;  /* force the canonical print: the decimal MKI is printed from its bytes */
        assert_int_equal(phonesec_sdes_crypto_print(&c, out, sizeof out, &m), PHONESEC_OK);
        assert_non_null(strstr(out, "|999999999999"));
        assert_non_null(strstr(out, ":128"));
    }
    n = (size_t)sprintf(l, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 %s|", k);
    memset(l + n, '9', 310);
    n += 310;
    n += (size_t)sprintf(l + n, ":128");
    assert_int_equal(phonesec_sdes_crypto_parse(l, n, &c, NULL, 0), PHONESEC_E_PARSE);
    /* Over-long line. */
    memset(l, ' ', PHONESEC_SDES_LINE_MAX + 1);
    memcpy(l, "a=crypto:1", 10);
    assert_int_equal(phonesec_sdes_crypto_parse(l, PHONESEC_SDES_LINE_MAX + 1, &c, NULL, 0), PHONESEC_E_LIMIT);
    free(l);
    phonesec_sdes_crypto_wipe(&c);
}

static void out_of_memory(void **state)
{
    const char *l = "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzB4d1BINUAvLEw6UzF3WSJ+PSdFcGdUJShpX1Zj|2^20|1:4";
    phonesec_srtp_params p;
    char buf[512];
    size_t n;
    long i, start = test_alloc_live;
    int ok = 0;
    (void)state;
    for (i = 1; i < 10 && !ok; i++) {
        int r1, r2, r3;
        test_alloc_calls = 0;
        test_alloc_fail_at = i;
        r1 = phonesec_sdes_line_to_params(l, strlen(l), PHONESEC_SDES_SRTCP_TAG32_COMPAT, &p, NULL, 0);
        test_alloc_calls = 0;
        r2 = phonesec_sdes_crypto_parse(l, strlen(l), &c, NULL, 0);
        test_alloc_calls = 0;
        r3 = r2 == PHONESEC_OK ? phonesec_sdes_crypto_print(&c, buf, sizeof buf, &n) : PHONESEC_E_NOMEM;
        assert_true(r1 == PHONESEC_OK || r1 == PHONESEC_E_NOMEM);
        assert_true(r2 == PHONESEC_OK || r2 == PHONESEC_E_NOMEM);
        assert_true(r3 == PHONESEC_OK || r3 == PHONESEC_E_NOMEM);
        assert_int_equal(test_alloc_live, start);
        ok = r1 == PHONESEC_OK && r2 == PHONESEC_OK && r3 == PHONESEC_OK;
    }
    test_alloc_fail_at = 0;
    assert_true(ok);
    assert_true(i > 2); /* the first allocation failed at least once */
    phonesec_memzero(&p, sizeof p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(suites_by_name),
        cmocka_unit_test(generate_and_reparse),
        cmocka_unit_test(print_follows_the_fields),
        cmocka_unit_test(to_params),
        cmocka_unit_test(limits),
        cmocka_unit_test(out_of_memory),
    };
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
