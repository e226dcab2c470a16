/* Known-answer a=crypto lines from tests/vectors/sdes/crypto-lines.txt. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static int code_of(const char *name)
{
    if (strcmp(name, "ok") == 0) return PHONESEC_OK;
    if (strcmp(name, "PARSE") == 0) return PHONESEC_E_PARSE;
    if (strcmp(name, "UNSUPPORTED") == 0) return PHONESEC_E_UNSUPPORTED;
    if (strcmp(name, "POLICY") == 0) return PHONESEC_E_POLICY;
    if (strcmp(name, "LIMIT") == 0) return PHONESEC_E_LIMIT;
    fail_msg("unknown result name %s", name);
    return 1;
}

/* The expected check result; "SRTP": what the SRTP layer says of the suite. */
static int expected(const char *name, const phonesec_sdes_crypto *c)
{
    if (strcmp(name, "SRTP") == 0) {
        int r = phonesec_srtp_suite_supported(c->suite);
        assert_true(r == PHONESEC_OK || r == PHONESEC_E_UNSUPPORTED);
        return r;
    }
    if (strchr(name, '/') != NULL) {
        /* "A/B": A where the SRTP engine runs KDR and an MKI with this suite
         * (native), B where it does not (libsrtp2) */
        char a[32];
        size_t n = (size_t)(strchr(name, '/') - name);
        assert_true(n < sizeof a);
        memcpy(a, name, n);
        a[n] = '\0';
        return phonesec_srtp_engine_supports(c->suite, 0, PHONESEC_SRTP_FEAT_KDR | PHONESEC_SRTP_FEAT_MKI) ==
                       PHONESEC_OK
                   ? code_of(a)
                   : code_of(name + n + 1);
    }
    return code_of(name);
}

/* Undo the \t escape of the vector file. */
static size_t unescape(const char *in, char *out)
{
    size_t n = 0;
    for (; *in; in++) {
        if (in[0] == '\\' && in[1] == 't') {
            out[n++] = '\t';
            in++;
        } else {
            out[n++] = *in;
        }
    }
    out[n] = '\0';
    return n;
}

static unsigned n_records, n_ok;

static void check_record(char *rec)
{
    static phonesec_sdes_crypto c;
    char line[PHONESEC_SDES_LINE_MAX + 1], why[256], printed[PHONESEC_SDES_LINE_MAX + 1];
    size_t len = 0, plen = 0;
    int have_line = 0, rc = 1;
    char *save = NULL, *l;

    for (l = strtok_r(rec, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        char *v = strchr(l, ':');
        if (l[0] == '#' || v == NULL)
            continue;
        *v = '\0';
        v += 2;
        if (strcmp(l, "line") == 0) {
            len = unescape(v, line);
            have_line = 1;
            n_records++;
            rc = phonesec_sdes_crypto_parse(line, len, &c, why, sizeof why);
        } else if (strcmp(l, "parse") == 0) {
            assert_true(have_line);
            if (rc != code_of(v))
                fail_msg("%s: parse gave %d (%s), expected %s", line, rc, why, v);
            if (rc == PHONESEC_OK) {
                n_ok++;
                assert_int_equal(phonesec_sdes_crypto_print(&c, printed, sizeof printed, &plen), PHONESEC_OK);
                assert_int_equal(plen, len);
                assert_memory_equal(printed, line, len);
            } else {
                assert_true(strlen(why) > 0);
            }
        } else if (strcmp(l, "tag") == 0) {
            assert_int_equal(c.tag, strtoul(v, NULL, 10));
        } else if (strcmp(l, "suite") == 0) {
            assert_string_equal(phonesec_sdes_suite_name(c.suite), v);
        } else if (strcmp(l, "keys") == 0) {
            assert_int_equal(c.n_keys, strtoul(v, NULL, 10));
        } else if (strcmp(l, "flags") == 0) {
            assert_int_equal(c.flags, strtoul(v, NULL, 10));
        } else if (strncmp(l, "key", 3) == 0) {
            uint8_t want[64];
            size_t i = (size_t)atoi(l + 3);
            long n = test_hex_decode(v, want, sizeof want);
            assert_true(i < c.n_keys);
            assert_int_equal((size_t)n, c.keys[i].key_len + c.keys[i].salt_len);
            assert_memory_equal(c.keys[i].key, want, c.keys[i].key_len);
            assert_memory_equal(c.keys[i].salt, want + c.keys[i].key_len, c.keys[i].salt_len);
        } else if (strncmp(l, "life", 4) == 0) {
            size_t i = (size_t)atoi(l + 4);
            assert_int_equal(c.keys[i].lifetime, strtoull(v, NULL, 10));
        } else if (strncmp(l, "mki", 3) == 0) {
            uint8_t want[PHONESEC_SRTP_MAX_MKI_LEN];
            size_t i = (size_t)atoi(l + 3);
            long n = test_hex_decode(v, want, sizeof want);
            assert_int_equal((size_t)n, c.keys[i].mki_len);
            assert_memory_equal(c.keys[i].mki, want, (size_t)n);
        } else if (strcmp(l, "check") == 0) {
            int r = phonesec_sdes_crypto_check(&c, 0, why, sizeof why);
            if (r != expected(v, &c))
                fail_msg("%s: check gave %d (%s), expected %s", line, r, why, v);
        } else if (strcmp(l, "check_allow") == 0) {
            int r = phonesec_sdes_crypto_check(&c, PHONESEC_SDES_ALLOW_NULL | PHONESEC_SDES_ALLOW_UNENCRYPTED, why,
                                               sizeof why);
            if (r != expected(v, &c))
                fail_msg("%s: check(allow) gave %d (%s), expected %s", line, r, why, v);
        } else if (strcmp(l, "check_compat") == 0) {
            int r = phonesec_sdes_crypto_check(&c, PHONESEC_SDES_SRTCP_TAG32_COMPAT, why, sizeof why);
            if (r != expected(v, &c))
                fail_msg("%s: check(compat) gave %d (%s), expected %s", line, r, why, v);
        } else if (strcmp(l, "check_unenc") == 0) {
            int r = phonesec_sdes_crypto_check(&c, PHONESEC_SDES_ALLOW_UNENCRYPTED, why, sizeof why);
            if (r != expected(v, &c))
                fail_msg("%s: check(unencrypted) gave %d (%s), expected %s", line, r, why, v);
        } else {
            fail_msg("unknown vector field %s", l);
        }
    }
    phonesec_sdes_crypto_wipe(&c);
}

static void crypto_line_vectors(void **state)
{
    size_t len;
    char *text = test_read_vector("sdes/crypto-lines.txt", &len), *p, *rec;
    (void)state;
    assert_non_null(text);
    /* Records are separated by blank lines. */
    for (p = text; p && *p;) {
        char *end = strstr(p, "\n\n");
        rec = p;
        if (end) {
            *end = '\0';
            p = end + 2;
        } else {
            p = NULL;
        }
        check_record(rec);
    }
    free(text);
    assert_true(n_records >= 40);
    assert_true(n_ok >= 20);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crypto_line_vectors),
    };
    return cmocka_run_group_tests(tests, test_platform_setup, test_platform_teardown);
}
