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
    /* the web preset names DES-CBC3-SHA (the phones' list); the floor drops it */
    expect_names(phonesec_ciphers_preset(PHONESEC_CIPHERS_PRESET_WEB), web, 4);
    assert_string_equal(phonesec_ciphers_preset(PHONESEC_CIPHERS_PRESET_XMPP), "HIGH:MEDIUM:AES:@STRENGTH");
    assert_null(phonesec_ciphers_preset(42));
    assert_null(phonesec_ciphers_preset(PHONESEC_CIPHERS_PRESET_NONE));
    assert_string_equal(phonesec_ciphers_preset(PHONESEC_CIPHERS_PRESET_XMPP | PHONESEC_CIPHERS_ALLOW_LEGACY),
                        "HIGH:MEDIUM:AES:@STRENGTH");
    assert_int_equal(phonesec_ciphers_select_or_preset("  ", PHONESEC_CIPHERS_PRESET_DEFAULT, codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, 1);
    assert_int_equal(count, 27);
    assert_int_equal(phonesec_ciphers_select_or_preset(NULL, PHONESEC_CIPHERS_PRESET_WEB, codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, PHONESEC_CIPHERS_FALLBACK_BLANK);
    assert_int_equal(count, 4);
    /* invalid or empty: an error, not a silent fallback (issue 14) ... */
    assert_int_equal(phonesec_ciphers_select_or_preset("NOTHING", PHONESEC_CIPHERS_PRESET_WEB, codes, CAP, &count, &fb),
                     PHONESEC_E_NO_MATCH);
    assert_int_equal(phonesec_ciphers_select_or_preset("HIGH:@BAD", PHONESEC_CIPHERS_PRESET_WEB, codes, CAP, &count, &fb),
                     PHONESEC_E_PARSE);
    assert_int_equal(phonesec_ciphers_select_or_preset("RC4", PHONESEC_CIPHERS_PRESET_WEB, codes, CAP, &count, &fb),
                     PHONESEC_E_POLICY);
    /* ... unless the caller asks for the phones' behaviour, and then it is told */
    fb = -1;
    assert_int_equal(phonesec_ciphers_select_or_preset("NOTHING",
                                                       PHONESEC_CIPHERS_PRESET_WEB | PHONESEC_CIPHERS_FALLBACK_ON_ERROR,
                                                       codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, PHONESEC_CIPHERS_FALLBACK_INVALID);
    assert_int_equal(count, 4);
    assert_int_equal(phonesec_ciphers_select_or_preset("HIGH:@BAD",
                                                       PHONESEC_CIPHERS_PRESET_WEB | PHONESEC_CIPHERS_FALLBACK_ON_ERROR,
                                                       codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, PHONESEC_CIPHERS_FALLBACK_INVALID);
    assert_int_equal(phonesec_ciphers_select_or_preset("", PHONESEC_CIPHERS_PRESET_WEB | PHONESEC_CIPHERS_FALLBACK_ON_ERROR,
                                                       codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, PHONESEC_CIPHERS_FALLBACK_BLANK);
    /* legacy opt-in through the preset argument: the phones' exact list */
    assert_int_equal(phonesec_ciphers_select_or_preset(NULL, PHONESEC_CIPHERS_PRESET_WEB | PHONESEC_CIPHERS_ALLOW_LEGACY,
                                                       codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(count, 5);
    assert_int_equal(codes[4], 0x000A);
    assert_int_equal(phonesec_ciphers_select_or_preset("ALL", 0x0400, codes, CAP, &count, &fb), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_ciphers_select_or_preset("ALL", -1, codes, CAP, &count, &fb), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_ciphers_select_or_preset("AES128-SHA", PHONESEC_CIPHERS_PRESET_WEB, codes, CAP, &count, &fb),
                     PHONESEC_OK);
    assert_int_equal(fb, PHONESEC_CIPHERS_FALLBACK_NONE);
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

/* ------------------------------------------------------------ the security floor (issue 10 item 6) */

/* Below the floor, decided from the suite's own attributes (OpenSSL's
 * security level 2 rules plus 3DES), not from our floor code. */
static int weak(const phonesec_ciphers_suite *s)
{
    return strcmp(s->auth, "None") == 0 || strcmp(s->enc, "None") == 0 || strncmp(s->enc, "RC4", 3) == 0 ||
           strncmp(s->enc, "3DES", 4) == 0 || strcmp(s->mac, "MD5") == 0 || s->strength_bits < 112;
}

static size_t count_weak(const uint16_t *codes, size_t n)
{
    size_t i, w = 0;
    for (i = 0; i < n; i++)
        w += (size_t)weak(phonesec_ciphers_by_code(codes[i]));
    return w;
}

/* The strings of the issue negotiated RC4/3DES/ADH; now none is selected. */
static void floor_drops_weak_suites(void **state)
{
    static const char *const strings[] = {"ALL", "MEDIUM", "HIGH", "HIGH:MEDIUM:AES:@STRENGTH", "ALL:COMPLEMENTOFALL",
                                          "DEFAULT:ADH:RC4", "kRSA:3DES", "ALL:@SECLEVEL=0", "ALL:@SECLEVEL=1",
                                          "COMPLEMENTOFDEFAULT", "ALL:+aNULL:+RC4", "SEED:CAMELLIA:3DES"};
    uint16_t codes[CAP];
    size_t i, n;
    (void)state;
    for (i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        n = 0;
        assert_int_equal(phonesec_ciphers_select(strings[i], codes, CAP, &n), PHONESEC_OK);
        assert_true(n > 0);
        if (count_weak(codes, n) != 0) {
            fprintf(stderr, "'%s' selects %zu suites below the floor\n", strings[i], count_weak(codes, n));
            fail();
        }
    }
    /* only weak suites: refused by policy, and the report says why */
    assert_int_equal(phonesec_ciphers_select("RC4", codes, CAP, &n), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_ciphers_select("aNULL", codes, CAP, &n), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_ciphers_select("eNULL", codes, CAP, &n), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_ciphers_select("3DES", codes, CAP, &n), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_ciphers_select("DES-CBC3-SHA:ADH-AES128-SHA:NULL-MD5", codes, CAP, &n),
                     PHONESEC_E_POLICY);
}

/* A blank XMPP setting (and the other presets) installs nothing weak. */
static void presets_are_floored(void **state)
{
    uint16_t codes[CAP];
    size_t n = 0;
    int p, fb;
    (void)state;
    for (p = PHONESEC_CIPHERS_PRESET_DEFAULT; p <= PHONESEC_CIPHERS_PRESET_XMPP; p++) {
        assert_int_equal(phonesec_ciphers_select_or_preset("", p, codes, CAP, &n, &fb), PHONESEC_OK);
        assert_int_equal(fb, PHONESEC_CIPHERS_FALLBACK_BLANK);
        assert_true(n > 0);
        assert_int_equal(count_weak(codes, n), 0);
        assert_int_equal(phonesec_ciphers_select_or_preset(NULL, p, codes, CAP, &n, &fb), PHONESEC_OK);
        assert_int_equal(count_weak(codes, n), 0);
    }
    /* the legacy XMPP list is what OpenSSL 1.1.1 gave: ADH, RC4 and 3DES in it */
    assert_int_equal(phonesec_ciphers_select_or_preset("", PHONESEC_CIPHERS_PRESET_XMPP | PHONESEC_CIPHERS_ALLOW_LEGACY,
                                                       codes, CAP, &n, &fb),
                     PHONESEC_OK);
    assert_true(count_weak(codes, n) >= 12 + 4 + 4);
}

/* Floored = the legacy selection minus what floor_reason() names, order
 * kept; and floor_reason() agrees with the suite's attributes. */
static void floor_is_a_filter_of_the_legacy_selection(void **state)
{
    static const char *const strings[] = {
        "ALL", "ALL:COMPLEMENTOFALL:@STRENGTH", "HIGH:MEDIUM:AES:@STRENGTH", "DEFAULT", "kRSA:+aNULL:RC4-MD5",
        "ALL:@SECLEVEL=3", "ALL:@SECLEVEL=4", "ALL:@SECLEVEL=5", "ALL:COMPLEMENTOFALL:@SECLEVEL=0", "MEDIUM:LOW",
        "AESGCM:-ECDHE:DHE:ECDHE:ADH", "eNULL:ALL"};
    phonesec_ciphers_options legacy = PHONESEC_CIPHERS_OPTIONS_INIT;
    phonesec_ciphers_report rep, lrep;
    uint16_t all[CAP], kept[CAP];
    size_t i, j, k, na, nk;
    (void)state;
    legacy.flags = PHONESEC_CIPHERS_ALLOW_LEGACY;
    for (i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        int lvl;
        memset(&rep, 0, sizeof rep);
        rep.version = PHONESEC_CIPHERS_REPORT_VERSION;
        assert_int_equal(phonesec_ciphers_select_ex(strings[i], NULL, kept, CAP, &nk, &rep), PHONESEC_OK);
        lvl = rep.seclevel;
        memset(&lrep, 0, sizeof lrep);
        lrep.version = PHONESEC_CIPHERS_REPORT_VERSION;
        assert_int_equal(phonesec_ciphers_select_ex(strings[i], &legacy, all, CAP, &na, &lrep), PHONESEC_OK);
        assert_int_equal(lrep.seclevel, lvl);
        if (lvl < 1) /* legacy without a level removes nothing */
            assert_int_equal(lrep.removed, 0);
        for (j = 0, k = 0; j < na; j++) {
            const char *why = phonesec_ciphers_floor_reason(all[j], lvl);
            const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(all[j]);
            if (lvl < 3) /* the attribute rule is the level-2 one */
                assert_int_equal(why != NULL, weak(s));
            if (why == NULL) {
                assert_true(k < nk);
                assert_int_equal(kept[k], all[j]);
                k++;
            }
        }
        assert_int_equal(k, nk);
        assert_int_equal(rep.removed, lrep.removed + (na - nk));
    }
}

static void floor_reasons(void **state)
{
    (void)state;
    assert_non_null(strstr(phonesec_ciphers_floor_reason(0x0005, -1), "RC4")); /* RC4-SHA */
    assert_non_null(strstr(phonesec_ciphers_floor_reason(0x000A, -1), "3DES")); /* DES-CBC3-SHA */
    assert_non_null(strstr(phonesec_ciphers_floor_reason(0x0034, -1), "aNULL")); /* ADH-AES128-SHA */
    assert_non_null(strstr(phonesec_ciphers_floor_reason(0x0002, -1), "eNULL")); /* NULL-SHA */
    assert_non_null(strstr(phonesec_ciphers_floor_reason(0x0001, 0), "eNULL")); /* NULL-MD5, level 0 no lower */
    assert_null(phonesec_ciphers_floor_reason(0x002F, -1));                     /* AES128-SHA */
    assert_null(phonesec_ciphers_floor_reason(0x002F, 2));
    assert_non_null(strstr(phonesec_ciphers_floor_reason(0x002F, 3), "forward secrecy"));
    assert_null(phonesec_ciphers_floor_reason(0xC013, 3));                       /* ECDHE-RSA-AES128-SHA */
    assert_non_null(phonesec_ciphers_floor_reason(0xC013, 4));                   /* 128 bits < 192 */
    assert_non_null(strstr(phonesec_ciphers_floor_reason(0xC014, 4), "SHA-1"));  /* ECDHE-RSA-AES256-SHA */
    assert_null(phonesec_ciphers_floor_reason(0xC030, 5));                       /* ECDHE-RSA-AES256-GCM-SHA384 */
    assert_null(phonesec_ciphers_floor_reason(0x1301, -1));                      /* TLS 1.3 */
    assert_string_equal(phonesec_ciphers_floor_reason(0x1234, -1), "not a suite of the library's table");
}

/* @SECLEVEL raises the floor as OpenSSL's levels do; it never lowers it. */
static void seclevel(void **state)
{
    phonesec_ciphers_options legacy = PHONESEC_CIPHERS_OPTIONS_INIT;
    uint16_t a[CAP], b[CAP];
    size_t na, nb, i;
    (void)state;
    legacy.flags = PHONESEC_CIPHERS_ALLOW_LEGACY;
    assert_int_equal(phonesec_ciphers_select("ALL:COMPLEMENTOFALL", a, CAP, &na), PHONESEC_OK);
    assert_int_equal(phonesec_ciphers_select("ALL:COMPLEMENTOFALL:@SECLEVEL=0", b, CAP, &nb), PHONESEC_OK);
    assert_int_equal(na, nb);
    assert_memory_equal(a, b, na * sizeof a[0]);
    assert_int_equal(phonesec_ciphers_select("ALL:@SECLEVEL=3", b, CAP, &nb), PHONESEC_OK);
    assert_true(nb < na);
    for (i = 0; i < nb; i++) {
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(b[i]);
        assert_true(strcmp(s->kx, "ECDH") == 0 || strcmp(s->kx, "DH") == 0);
        assert_true(s->strength_bits >= 128);
    }
    /* legacy: no floor, and @SECLEVEL=n is OpenSSL's level n */
    assert_int_equal(phonesec_ciphers_select_ex("ALL:COMPLEMENTOFALL", &legacy, a, CAP, &na, NULL), PHONESEC_OK);
    assert_true(count_weak(a, na) > 20);
    assert_int_equal(phonesec_ciphers_select_ex("ALL:COMPLEMENTOFALL:@SECLEVEL=0", &legacy, b, CAP, &nb, NULL),
                     PHONESEC_OK);
    assert_int_equal(na, nb);
    assert_int_equal(phonesec_ciphers_select_ex("ALL:COMPLEMENTOFALL:@SECLEVEL=1", &legacy, b, CAP, &nb, NULL),
                     PHONESEC_OK);
    for (i = 0; i < nb; i++) {
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(b[i]);
        assert_string_not_equal(s->auth, "None");
        assert_string_not_equal(s->enc, "None");
    }
    assert_true(count_weak(b, nb) > 0); /* RC4 and 3DES pass level 1 */
}

/* ------------------------------------------------------------ errors name their word (issue 14) */

static void expect_report(const char *str, int rc, const char *word, const char *in_message)
{
    phonesec_ciphers_report rep;
    uint16_t codes[CAP];
    size_t n = 0;
    memset(&rep, 0x5A, sizeof rep);
    rep.version = PHONESEC_CIPHERS_REPORT_VERSION;
    assert_int_equal(phonesec_ciphers_select_ex(str, NULL, codes, CAP, &n, &rep), rc);
    assert_int_equal(rep.version, PHONESEC_CIPHERS_REPORT_VERSION);
    assert_int_equal(rep.status, rc);
    assert_int_equal(rep.fallback, PHONESEC_CIPHERS_FALLBACK_NONE);
    assert_non_null(memchr(rep.message, '\0', sizeof rep.message));
    if (word == NULL) {
        assert_int_equal(rep.word_len, 0);
    } else {
        if (rep.word_len != strlen(word) || strncmp(str + rep.word_offset, word, rep.word_len) != 0) {
            fprintf(stderr, "'%s': word at %zu+%zu, want '%s'\n", str, rep.word_offset, rep.word_len, word);
            fail();
        }
    }
    if (strstr(rep.message, in_message) == NULL) {
        fprintf(stderr, "'%s': message \"%s\" lacks \"%s\"\n", str, rep.message, in_message);
        fail();
    }
}

static void errors_name_the_word(void **state)
{
    (void)state;
    expect_report("FOO", PHONESEC_E_NO_MATCH, "FOO", "unknown word 'FOO'");
    expect_report("FOO:BAR", PHONESEC_E_NO_MATCH, "FOO", "and 1 more");
    expect_report("kECDHE+BAR", PHONESEC_E_NO_MATCH, "BAR", "unknown word 'BAR'");
    expect_report("PSK", PHONESEC_E_NO_MATCH, "PSK", "matches no suite");
    expect_report("kECDHE+kRSA", PHONESEC_E_NO_MATCH, "kECDHE+kRSA", "matches no suite");
    expect_report("TLS_AES_128_GCM_SHA256", PHONESEC_E_NO_MATCH, "TLS_AES_128_GCM_SHA256", "unknown word");
    expect_report("ALL:!ALL", PHONESEC_E_NO_MATCH, "!ALL", "removes every suite");
    expect_report("DEFAULT:-ALL", PHONESEC_E_NO_MATCH, "-ALL", "removes every suite");
    expect_report("", PHONESEC_E_NO_MATCH, NULL, "empty");
    expect_report(":::", PHONESEC_E_NO_MATCH, NULL, "no cipher match");
    expect_report("HIGH:@BOGUS", PHONESEC_E_PARSE, "@BOGUS", "'@BOGUS' at offset 5");
    expect_report("HIGH:@SECLEVEL=9", PHONESEC_E_PARSE, "@SECLEVEL=9", "invalid cipher string");
    expect_report("HIGH:*", PHONESEC_E_PARSE, "*", "'*'");
    expect_report("HIGH:!", PHONESEC_E_PARSE, "!", "invalid cipher string");
    expect_report("HIGH+", PHONESEC_E_PARSE, "HIGH+", "invalid cipher string");
    expect_report("HIGH:\x01", PHONESEC_E_PARSE, "\x01", "'\\x01'"); /* never raw control bytes */
    expect_report("RC4", PHONESEC_E_POLICY, NULL, "below the security floor");
    expect_report("HIGH:FOO", PHONESEC_OK, "FOO", "ignored unknown word 'FOO'");
    expect_report("HIGH:!aNUL", PHONESEC_OK, "aNUL", "ignored unknown word 'aNUL'"); /* a typo is visible */
    expect_report("HIGH", PHONESEC_OK, NULL, "");
}

/* The same through the preset call: the fallback is reported, not silent. */
static void fallback_is_reported(void **state)
{
    phonesec_ciphers_options opt = PHONESEC_CIPHERS_OPTIONS_INIT;
    phonesec_ciphers_report rep;
    uint16_t codes[CAP], dflt[CAP];
    size_t n = 0, nd = 0;
    (void)state;
    assert_int_equal(phonesec_ciphers_select("DEFAULT", dflt, CAP, &nd), PHONESEC_OK);
    opt.preset = PHONESEC_CIPHERS_PRESET_DEFAULT;
    opt.flags = PHONESEC_CIPHERS_FALLBACK_ON_ERROR;
    memset(&rep, 0, sizeof rep);
    rep.version = PHONESEC_CIPHERS_REPORT_VERSION;
    test_log_text[0] = '\0';
    assert_int_equal(phonesec_ciphers_select_ex("xHIGH:!aNULL", &opt, codes, CAP, &n, &rep), PHONESEC_OK);
    assert_int_equal(rep.status, PHONESEC_E_NO_MATCH);
    assert_int_equal(rep.fallback, PHONESEC_CIPHERS_FALLBACK_INVALID);
    assert_int_equal(rep.word_offset, 0);
    assert_int_equal(rep.word_len, 5);
    assert_non_null(strstr(rep.message, "'xHIGH'"));
    assert_non_null(strstr(test_log_text, "'xHIGH'"));
    assert_int_equal(n, nd);
    assert_memory_equal(codes, dflt, n * sizeof codes[0]);
    /* without the flag: the error, the codes untouched */
    opt.flags = 0;
    codes[0] = 0x4242;
    assert_int_equal(phonesec_ciphers_select_ex("xHIGH:!aNULL", &opt, codes, CAP, &n, &rep), PHONESEC_E_NO_MATCH);
    assert_int_equal(codes[0], 0x4242);
    /* blank: the preset, as phones do, reported as such */
    assert_int_equal(phonesec_ciphers_select_ex(" \t", &opt, codes, CAP, &n, &rep), PHONESEC_OK);
    assert_int_equal(rep.status, PHONESEC_OK);
    assert_int_equal(rep.fallback, PHONESEC_CIPHERS_FALLBACK_BLANK);
    assert_int_equal(phonesec_ciphers_select_ex(NULL, &opt, codes, CAP, &n, &rep), PHONESEC_OK);
    assert_int_equal(rep.fallback, PHONESEC_CIPHERS_FALLBACK_BLANK);
}

static void options_and_report_versions(void **state)
{
    phonesec_ciphers_options opt = PHONESEC_CIPHERS_OPTIONS_INIT;
    phonesec_ciphers_report rep;
    uint16_t codes[CAP], one[1] = {0x4242};
    size_t n = 0;
    (void)state;
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", &opt, codes, CAP, &n, NULL), PHONESEC_OK);
    opt.version = 0;
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", &opt, codes, CAP, &n, NULL), PHONESEC_E_INVAL);
    opt.version = PHONESEC_CIPHERS_OPTIONS_VERSION + 1;
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", &opt, codes, CAP, &n, NULL), PHONESEC_E_INVAL);
    opt.version = PHONESEC_CIPHERS_OPTIONS_VERSION;
    opt.flags = 0x8000;
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", &opt, codes, CAP, &n, NULL), PHONESEC_E_INVAL);
    opt.flags = PHONESEC_CIPHERS_FALLBACK_ON_ERROR; /* needs a preset */
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", &opt, codes, CAP, &n, NULL), PHONESEC_E_INVAL);
    opt.flags = 0;
    opt.preset = 7;
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", &opt, codes, CAP, &n, NULL), PHONESEC_E_INVAL);
    opt.preset = PHONESEC_CIPHERS_PRESET_XMPP | PHONESEC_CIPHERS_ALLOW_LEGACY; /* flags go in .flags here */
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", &opt, codes, CAP, &n, NULL), PHONESEC_E_INVAL);
    opt.preset = PHONESEC_CIPHERS_PRESET_NONE;
    assert_int_equal(phonesec_ciphers_select_ex(NULL, &opt, codes, CAP, &n, NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", &opt, codes, CAP, NULL, NULL), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", &opt, NULL, 4, &n, NULL), PHONESEC_E_INVAL);
    /* zero-filled version-1 options: preset 0 (DEFAULT) for a blank string */
    memset(&opt, 0, sizeof opt);
    opt.version = 1;
    assert_int_equal(phonesec_ciphers_select_ex("", &opt, codes, CAP, &n, NULL), PHONESEC_OK);
    assert_int_equal(n, 27);
    /* a report of version 0 is left alone */
    memset(&rep, 0x77, sizeof rep);
    rep.version = 0;
    assert_int_equal(phonesec_ciphers_select_ex("FOO", NULL, codes, CAP, &n, &rep), PHONESEC_E_NO_MATCH);
    assert_int_equal(rep.status, 0x77777777);
    /* BUFFER_SMALL: count, report, codes untouched */
    rep.version = PHONESEC_CIPHERS_REPORT_VERSION;
    assert_int_equal(phonesec_ciphers_select_ex("ALL:COMPLEMENTOFALL", NULL, one, 1, &n, &rep),
                     PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(one[0], 0x4242);
    assert_true(n > 50);
    assert_true(rep.removed > 20);
    assert_int_equal(rep.status, PHONESEC_OK);
    /* a cap of 0 with NULL codes asks for the size (how the tool checks a string) */
    assert_int_equal(phonesec_ciphers_select_ex("HIGH", NULL, NULL, 0, &n, NULL), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(phonesec_ciphers_select_ex("FOO", NULL, NULL, 0, &n, NULL), PHONESEC_E_NO_MATCH);
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
        cmocka_unit_test(floor_drops_weak_suites),
        cmocka_unit_test(presets_are_floored),
        cmocka_unit_test(floor_is_a_filter_of_the_legacy_selection),
        cmocka_unit_test(floor_reasons),
        cmocka_unit_test(seclevel),
        cmocka_unit_test(errors_name_the_word),
        cmocka_unit_test(fallback_is_reported),
        cmocka_unit_test(options_and_report_versions),
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
