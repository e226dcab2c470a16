/* legacy_rc4: RFC 6229 keystream vectors (data file), run-time switch,
 * one-time warning, profile table, buffer rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static void disabled_until_enabled(void **state)
{
    phonesec_legacy_rc4 *s = NULL;
    uint8_t buf[8] = "abc";
    size_t n;
    (void)state;
    assert_int_equal(phonesec_legacy_rc4_enabled(), 0);
    assert_int_equal(phonesec_legacy_rc4_new("raw", (const uint8_t *)"k", 1, &s), PHONESEC_E_DISABLED);
    assert_null(s);
    assert_int_equal(phonesec_legacy_rc4_encode(NULL, buf, 3, buf, 8, &n), PHONESEC_E_DISABLED);
    assert_null(strstr(test_log_text, "legacy RC4"));
    assert_int_equal(phonesec_legacy_rc4_enable(2), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_legacy_rc4_enable(1), PHONESEC_OK);
    assert_int_equal(phonesec_legacy_rc4_enabled(), 1);
    /* one warning, saying what it is */
    assert_non_null(strstr(test_log_text, "NOT security"));
    assert_non_null(strstr(test_log_text, "keystream"));
    {
        const char *first = strstr(test_log_text, "legacy RC4");
        assert_int_equal(phonesec_legacy_rc4_enable(0), PHONESEC_OK);
        assert_int_equal(phonesec_legacy_rc4_enable(1), PHONESEC_OK);
        assert_null(strstr(first + 1, "legacy RC4"));
    }
    assert_int_equal(phonesec_legacy_rc4_new("raw", (const uint8_t *)"k", 1, &s), PHONESEC_OK);
    /* switched off again: existing objects refuse too */
    assert_int_equal(phonesec_legacy_rc4_enable(0), PHONESEC_OK);
    assert_int_equal(phonesec_legacy_rc4_encode(s, buf, 3, buf, 8, &n), PHONESEC_E_DISABLED);
    assert_int_equal(phonesec_legacy_rc4_enable(1), PHONESEC_OK);
    phonesec_legacy_rc4_free(s);
}

static void rfc6229_vectors(void **state)
{
    size_t len, checked = 0;
    char *text = test_read_vector("legacy_rc4/rfc6229.txt", &len), *line, *save = NULL;
    static uint8_t zeros[4112], ks[4112];
    phonesec_legacy_rc4 *s = NULL;
    (void)state;
    assert_non_null(text);
    assert_int_equal(phonesec_legacy_rc4_enable(1), PHONESEC_OK);
    for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
        uint8_t key[64], want[16];
        size_t n;
        long kl;
        if (line[0] == '#')
            continue;
        if (strncmp(line, "key ", 4) == 0) {
            kl = test_hex_decode(line + 4, key, sizeof key);
            assert_true(kl > 0);
            phonesec_legacy_rc4_free(s);
            assert_int_equal(phonesec_legacy_rc4_new("raw", key, (size_t)kl, &s), 0);
            /* encoding zeros gives the keystream */
            assert_int_equal(phonesec_legacy_rc4_encode(s, zeros, sizeof zeros, ks, sizeof ks, &n), 0);
            assert_int_equal(n, sizeof zeros);
            continue;
        }
        {
            unsigned long off = strtoul(line, NULL, 16);
            const char *hex = strchr(line, ' ');
            assert_non_null(hex);
            assert_int_equal(test_hex_decode(hex + 1, want, sizeof want), 16);
            assert_true(off + 16 <= sizeof ks);
            assert_memory_equal(ks + off, want, 16);
            checked++;
        }
    }
    assert_int_equal(checked, 7 * 18);
    phonesec_legacy_rc4_free(s);
    free(text);
}

static void per_datagram_rekey(void **state)
{
    phonesec_legacy_rc4 *s;
    const char *msg = "INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1\r\n\r\n";
    size_t len = strlen(msg), n, n2;
    uint8_t a[128], b[128], c[128];
    (void)state;
    assert_int_equal(phonesec_legacy_rc4_enable(1), PHONESEC_OK);
    assert_int_equal(phonesec_legacy_rc4_new("raw", (const uint8_t *)"SignalKey", 9, &s), 0);
    assert_int_equal(phonesec_legacy_rc4_encode(s, (const uint8_t *)msg, len, a, sizeof a, &n), 0);
    /* the same datagram twice gives the same bytes: the keystream restarts */
    assert_int_equal(phonesec_legacy_rc4_encode(s, (const uint8_t *)msg, len, b, sizeof b, &n2), 0);
    assert_int_equal(n, n2);
    assert_memory_equal(a, b, n);
    assert_memory_not_equal(a, msg, len);
    /* decode in place */
    memcpy(c, a, n);
    assert_int_equal(phonesec_legacy_rc4_decode(s, c, n, c, sizeof c, &n2), 0);
    assert_memory_equal(c, msg, len);
    /* buffer too small: untouched */
    memset(c, 0x77, sizeof c);
    assert_int_equal(phonesec_legacy_rc4_encode(s, (const uint8_t *)msg, len, c, len - 1, &n2),
                     PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(n2, len);
    assert_int_equal(c[0], 0x77);
    /* empty datagram, oversize datagram, bad args */
    assert_int_equal(phonesec_legacy_rc4_encode(s, NULL, 0, c, sizeof c, &n2), 0);
    assert_int_equal(n2, 0);
    {
        static uint8_t big[65536];
        char e[200];
        assert_int_equal(phonesec_legacy_rc4_encode(s, big, sizeof big, big, sizeof big, &n2), PHONESEC_E_INVAL);
        assert_int_equal(phonesec_legacy_rc4_last_error(s, e, sizeof e), 0);
        assert_non_null(strstr(e, "65535"));
    }
    assert_int_equal(phonesec_legacy_rc4_encode(s, NULL, 3, c, sizeof c, &n2), PHONESEC_E_INVAL);
    phonesec_legacy_rc4_free(s);
    phonesec_legacy_rc4_free(NULL);
    /* profiles */
    assert_string_equal(phonesec_legacy_rc4_profile(0), "raw");
    assert_null(phonesec_legacy_rc4_profile(1));
    assert_int_equal(phonesec_legacy_rc4_new("vos", (const uint8_t *)"k", 1, &s), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_legacy_rc4_new("raw", (const uint8_t *)"k", 0, &s), PHONESEC_E_INVAL);
    {
        static uint8_t longkey[257];
        assert_int_equal(phonesec_legacy_rc4_new("raw", longkey, 257, &s), PHONESEC_E_INVAL);
        assert_int_equal(phonesec_legacy_rc4_new("raw", longkey, 256, &s), 0);
        phonesec_legacy_rc4_free(s);
    }
    assert_true((phonesec_features() & PHONESEC_FEATURE_LEGACY_RC4) != 0);
}

static void out_of_memory(void **state)
{
    phonesec_legacy_rc4 *s = NULL;
    long start = test_alloc_live;
    (void)state;
    assert_int_equal(phonesec_legacy_rc4_enable(1), PHONESEC_OK);
    test_alloc_fail_at = test_alloc_calls + 1;
    assert_int_equal(phonesec_legacy_rc4_new("raw", (const uint8_t *)"k", 1, &s), PHONESEC_E_NOMEM);
    test_alloc_fail_at = 0;
    assert_null(s);
    assert_int_equal(test_alloc_live, start);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(disabled_until_enabled),
        cmocka_unit_test(rfc6229_vectors),
        cmocka_unit_test(per_datagram_rekey),
        cmocka_unit_test(out_of_memory),
    };
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
