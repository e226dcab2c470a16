/* Unit tests of the cipher-string engine. Expected lists come from the
 * phones' documentation (requirements.md) and from `openssl ciphers` on the
 * test machine (the vectors suite compares hundreds more strings). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "support.h"

#include "ciphers/internal.h"

#define CAP 256

/* The phones' DEFAULT, in order (requirements.md). */
static const char *const phone_default[] = {
    "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",   "DHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",   "DHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",   "DHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-SHA384",     "ECDHE-RSA-AES256-SHA384",       "DHE-RSA-AES256-SHA256",
    "ECDHE-ECDSA-AES128-SHA256",     "ECDHE-RSA-AES128-SHA256",       "DHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES256-SHA",        "ECDHE-RSA-AES256-SHA",          "DHE-RSA-AES256-SHA",
    "ECDHE-ECDSA-AES128-SHA",        "ECDHE-RSA-AES128-SHA",          "DHE-RSA-AES128-SHA",
    "AES256-GCM-SHA384",             "AES128-GCM-SHA256",             "AES256-SHA256",
    "AES128-SHA256",                 "AES256-SHA",                    "AES128-SHA",
};

static void expect_names(const char *str, const char *const *names, size_t n)
{
    uint16_t codes[CAP];
    size_t count = 0, i;
    assert_int_equal(phonesec_ciphers_select(str, codes, CAP, &count), PHONESEC_OK);
    assert_int_equal(count, n);
    for (i = 0; i < n; i++) {
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(codes[i]);
        assert_non_null(s);
        assert_string_equal(s->openssl_name, names[i]);
    }
}

static void default_is_the_phones_list(void **state)
{
    (void)state;
    expect_names("DEFAULT", phone_default, 27);
    assert_string_equal(phonesec_ciphers_preset(PHONESEC_CIPHERS_PRESET_DEFAULT), "DEFAULT");
}

static void table_is_consistent(void **state)
{
    size_t i, n = phonesec_ciphers_count(), tls13 = 0;
    (void)state;
    assert_true(n >= 27 + 5);
    for (i = 0; i < n; i++) {
        const phonesec_ciphers_suite *s = phonesec_ciphers_at(i);
        assert_non_null(s);
        assert_ptr_equal(phonesec_ciphers_by_code(s->iana), s);
        assert_ptr_equal(phonesec_ciphers_by_name(s->openssl_name), s);
        assert_ptr_equal(phonesec_ciphers_by_name(s->iana_name), s);
        if (i > 0)
            assert_true(phonesec_ciphers_at(i - 1)->iana < s->iana);
        if (strcmp(s->protocol, "TLSv1.3") == 0)
            tls13++;
    }
    assert_int_equal(tls13, 5);
    assert_null(phonesec_ciphers_at(n));
    assert_null(phonesec_ciphers_by_code(0xFFFF));
    assert_null(phonesec_ciphers_by_name("ecdhe-rsa-aes128-gcm-sha256")); /* case-sensitive, as OpenSSL */
    assert_null(phonesec_ciphers_by_name(NULL));
    for (i = 0; i < 27; i++)
        assert_non_null(phonesec_ciphers_by_name(phone_default[i]));
}

static void errors(void **state)
{
    uint16_t codes[CAP], one[1] = {0x4242};
    size_t count = 0;
    (void)state;
    assert_int_equal(phonesec_ciphers_select(NULL, codes, CAP, &count), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_ciphers_select("ALL", codes, CAP, NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_ciphers_select("ALL", NULL, 3, &count), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_ciphers_select("", codes, CAP, &count), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_ciphers_select("FOO:BAR", codes, CAP, &count), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_ciphers_select("ALL:!ALL", codes, CAP, &count), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_ciphers_select("TLS_AES_128_GCM_SHA256", codes, CAP, &count), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_ciphers_select("HIGH:@FOO", codes, CAP, &count), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_ciphers_select("HIGH:@SECLEVEL=6", codes, CAP, &count), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_ciphers_select("HIGH:!", codes, CAP, &count), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_ciphers_select("HIGH+", codes, CAP, &count), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_ciphers_select("HIGH:*", codes, CAP, &count), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_ciphers_select("HIGH:@SECLEVEL=2", codes, CAP, &count), PHONESEC_OK);
    /* BUFFER_SMALL: count tells the size, codes untouched */
    assert_int_equal(phonesec_ciphers_select("DEFAULT", one, 1, &count), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(count, 27);
    assert_int_equal(one[0], 0x4242);
}

static void presets(void **state)
{
    uint16_t codes[CAP];
    size_t count = 0;
    int fb = -1;
    static const char *const web[] = {"ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256", "AES256-SHA",
                                      "AES128-SHA", "DES-CBC3-SHA"};
    (void)state;
    expect_names(phonesec_ciphers_preset(PHONESEC_CIPHERS_PRESET_WEB), web, 5);
    assert_string_equal(phonesec_ciphers_preset(PHONESEC_CIPHERS_PRESET_XMPP), "HIGH:MEDIUM:AES:@STRENGTH");
    assert_null(phonesec_ciphers_preset(42));
    assert_int_equal(phonesec_ciphers_select_or_preset("  ", PHONESEC_CIPHERS_PRESET_DEFAULT, codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, 1);
    assert_int_equal(count, 27);
    assert_int_equal(phonesec_ciphers_select_or_preset(NULL, PHONESEC_CIPHERS_PRESET_WEB, codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, 1);
    assert_int_equal(count, 5);
    assert_int_equal(phonesec_ciphers_select_or_preset("NOTHING", PHONESEC_CIPHERS_PRESET_WEB, codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, 1);
    assert_int_equal(phonesec_ciphers_select_or_preset("HIGH:@BAD", PHONESEC_CIPHERS_PRESET_WEB, codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, 1);
    assert_int_equal(phonesec_ciphers_select_or_preset("AES128-SHA", PHONESEC_CIPHERS_PRESET_WEB, codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, 0);
    assert_int_equal(count, 1);
    assert_int_equal(codes[0], 0x002F);
    assert_int_equal(phonesec_ciphers_select_or_preset("ALL", 99, codes, CAP, &count, &fb), PHONESEC_E_INVAL);
}

static void tls13_lists(void **state)
{
    uint16_t codes[16];
    size_t count = 9;
    (void)state;
    assert_int_equal(phonesec_ciphers_select_tls13("", codes, 16, &count), PHONESEC_OK);
    assert_int_equal(count, 0);
    assert_int_equal(phonesec_ciphers_select_tls13(NULL, codes, 16, &count), PHONESEC_OK);
    assert_int_equal(
        phonesec_ciphers_select_tls13("TLS_CHACHA20_POLY1305_SHA256: BOGUS :TLS_AES_128_GCM_SHA256", codes, 16, &count),
        PHONESEC_OK);
    assert_int_equal(count, 2);
    assert_int_equal(codes[0], 0x1303);
    assert_int_equal(codes[1], 0x1301);
    assert_int_equal(phonesec_ciphers_select_tls13("BOGUS:ECDHE-RSA-AES128-GCM-SHA256", codes, 16, &count),
                     PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_ciphers_select_tls13(" ", codes, 16, &count), PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_ciphers_select_tls13("TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256", codes, 16, &count),
                     PHONESEC_OK);
    assert_int_equal(count, 1);
    assert_int_equal(phonesec_ciphers_select_tls13("TLS_AES_256_GCM_SHA384", codes, 0, &count),
                     PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(count, 1);
    assert_int_equal(phonesec_ciphers_select_tls13("TLS_AES_256_GCM_SHA384", NULL, 1, &count), PHONESEC_E_INVAL);
}

static void default_order_matches_precomputed(void **state)
{
    uint8_t order[256];
    size_t n = phonesec__ciphers_default_order(order, sizeof order), i, tn;
    const phonesec__cipher *t = phonesec__ciphers_table(&tn);
    static const uint8_t pre[] = {
#include "../../lib/ciphers/order.inc"
    };
    (void)state;
    assert_int_equal(n, sizeof pre);
    assert_memory_equal(order, pre, n);
    for (i = 0; i < n; i++)
        assert_int_not_equal(t[order[i]].min_tls, V_TLS1_3);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_is_the_phones_list),
        cmocka_unit_test(table_is_consistent),
        cmocka_unit_test(errors),
        cmocka_unit_test(presets),
        cmocka_unit_test(tls13_lists),
        cmocka_unit_test(default_order_matches_precomputed),
    };
    if (argc > 1 && strcmp(argv[1], "--print-order") == 0) {
        /* regenerate lib/ciphers/order.inc: test_ciphers --print-order > order.inc */
        uint8_t order[256];
        size_t n = phonesec__ciphers_default_order(order, sizeof order), i, tn;
        const phonesec__cipher *t = phonesec__ciphers_table(&tn);
        printf("/* OpenSSL's default preference order as table indices; generated by\n"
               " * `test_ciphers --print-order` (tests/ciphers/test_ciphers.c); do not edit. */\n");
        for (i = 0; i < n; i++)
            printf("%3u, /* %s */\n", (unsigned)order[i], t[order[i]].pub.openssl_name);
        return 0;
    }
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
