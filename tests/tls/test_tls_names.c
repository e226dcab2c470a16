/* Identity edge cases (issue 10 item 10 and the same class of mistake):
 * IP addresses in every spelling, trailing dots, several CNs, IDNA
 * A-labels, embedded NULs, restricted domains. Certificates come from the
 * openssl CLI (tests/tls/mkcerts-names.sh); the expected answers from
 * RFC 6125 / RFC 5922, RFC 6874 (zones) and the WHATWG URL host parser
 * (what browsers and curl take for an IPv4 address), as doc/security.md
 * states them. */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include "tls_test_util.h"

#define SIP PHONESEC_TLS_IDENTITY_SIP
#define HTTPS PHONESEC_TLS_IDENTITY_HTTPS

static int group_setup(void **state)
{
    const char *src = getenv("PHONESEC_SRCDIR");
    char cmd[1024];
    snprintf(g_certdir, sizeof g_certdir, "/tmp/phonesec-names-XXXXXX");
    if (mkdtemp(g_certdir) == NULL)
        return -1;
    snprintf(cmd, sizeof cmd, "sh '%s/tests/tls/mkcerts-names.sh' '%s'", src ? src : ".", g_certdir);
    if (system(cmd) != 0)
        return -1;
    return test_platform_setup(state);
}

static int group_teardown(void **state)
{
    remove_certs();
    return test_platform_teardown(state);
}

static int check(const char *cert, int mode, const char *ref)
{
    char file[128], why[512];
    size_t n;
    uint8_t *der;
    int rc;
    snprintf(file, sizeof file, "%s.der", cert);
    der = slurp(file, &n);
    assert_non_null(der);
    rc = phonesec_tls_cert_check_name(der, n, mode, ref, why, sizeof why);
    assert_true(why[0] != '\0');
    if (getenv("NAMES_DEBUG"))
        fprintf(stderr, "%s %s '%s': %d %s\n", cert, mode == SIP ? "sip" : "https", ref, rc, why);
    free(der);
    return rc;
}

/* both modes */
#define OK2(c, r)                                                                                                    \
    do {                                                                                                             \
        assert_int_equal(check(c, SIP, r), PHONESEC_OK);                                                             \
        assert_int_equal(check(c, HTTPS, r), PHONESEC_OK);                                                           \
    } while (0)
#define NO2(c, r)                                                                                                    \
    do {                                                                                                             \
        assert_int_equal(check(c, SIP, r), PHONESEC_E_NAME);                                                         \
        assert_int_equal(check(c, HTTPS, r), PHONESEC_E_NAME);                                                       \
    } while (0)
#define BAD2(c, r)                                                                                                   \
    do {                                                                                                             \
        assert_int_equal(check(c, SIP, r), PHONESEC_E_INVAL);                                                        \
        assert_int_equal(check(c, HTTPS, r), PHONESEC_E_INVAL);                                                      \
    } while (0)

/* "10.0.0.1." is the address 10.0.0.1: an iPAddress SAN only, never a
 * dNSName or CN that spells it (main matched both). */
static void ip_with_trailing_dot(void **state)
{
    (void)state;
    NO2("dns-ip", "10.0.0.1.");
    NO2("cn-ip", "10.0.0.1.");
    NO2("dns-ip", "10.0.0.1");
    NO2("cn-ip", "10.0.0.1");
    OK2("ip-san", "10.0.0.1.");
    OK2("ip-san", "10.0.0.1");
    BAD2("ip-san", "10.0.0.1..");
}

/* Other spellings inet_aton() and browsers read as an IPv4 address: refused
 * as ambiguous, never matched as names (main matched the dNSName/CN). */
static void ip_in_other_spellings(void **state)
{
    (void)state;
    BAD2("dns-short-ip", "10.1");
    BAD2("dns-short-ip", "010.0.0.1");
    BAD2("dns-short-ip", "0x0a.0.0.1");
    BAD2("dns-short-ip", "167772161");
    BAD2("cn-short-ip", "10.1");
    BAD2("numeric-tld", "example.123"); /* a numeric last label is an IPv4 attempt */
    BAD2("numeric-tld", "example.0x1f");
    BAD2("ip-san", "1.2.3.4.5");
    BAD2("ip-san", "256.0.0.1");
    BAD2("ip-san", "[10.0.0.1]");
    BAD2("ip-san", "[2001:db8::1");
    BAD2("ip-san", "2001:db8::1]");
    BAD2("ip-san", "2001:db8::g");
    NO2("numeric-tld", "example.com"); /* an ordinary name is still checked, and does not match */
}

/* IPv6 in any valid spelling; a zone (RFC 4007, RFC 6874 in brackets) is
 * not part of what a certificate names. */
static void ipv6_spellings(void **state)
{
    (void)state;
    OK2("ip-san", "2001:db8::1");
    OK2("ip-san", "[2001:db8::1]");
    OK2("ip-san", "2001:DB8:0:0:0:0:0:1");
    OK2("ip-san", "2001:0db8:0000::0001");
    OK2("ip-san", "[2001:db8::1].");
    OK2("ip-san", "fe80::1%eth0");
    OK2("ip-san", "[fe80::1%25eth0]");
    BAD2("ip-san", "[fe80::1%eth0]"); /* in brackets the zone is %25-escaped */
    BAD2("ip-san", "fe80::1%");
    BAD2("ip-san", "fe80::1%e/th0");
    NO2("ip-san", "fe80::2%eth0");
    OK2("ip-san", "::ffff:10.0.0.2");
    NO2("ip-san", "10.0.0.2"); /* 4 bytes never equal the 16 of a mapped address */
}

/* One trailing dot is normalised, once; more is malformed (main let
 * "*.example.com.." match a.example.com). */
static void trailing_dots(void **state)
{
    (void)state;
    assert_int_equal(check("wild-dots", HTTPS, "a.example.com"), PHONESEC_E_NAME);
    assert_int_equal(check("wild-dots", HTTPS, "a.example.com."), PHONESEC_E_NAME);
    assert_int_equal(check("wild-dot", HTTPS, "a.example.com"), PHONESEC_OK);
    assert_int_equal(check("wild-dot", HTTPS, "a.example.com."), PHONESEC_OK);
    NO2("dns-dots", "sip.example.com");
    assert_int_equal(check("dns-dots", SIP, "pbx.example.com"), PHONESEC_E_NAME);
    OK2("dns-dot", "sip.example.com");
    OK2("dns-dot", "sip.example.com.");
    assert_int_equal(check("dns-dot", SIP, "pbx.example.com"), PHONESEC_OK);
    NO2("dns-empty-label", "sip.example.com");
    NO2("dns-empty-label", "example.com");
    assert_int_equal(check("dns-empty-label", HTTPS, "a.example.com"), PHONESEC_E_NAME);
    NO2("cn-dots", "sip.example.com");
    BAD2("dns-dot", "sip.example.com..");
    BAD2("dns-dot", ".sip.example.com");
}

/* A subject with several CNs and no subjectAltName: ambiguous, none is
 * used (main used the last one). */
static void several_cns(void **state)
{
    (void)state;
    NO2("two-cn", "sip.example.com");
    NO2("two-cn", "evil.example.net");
    NO2("two-cn-same", "sip.example.com");
}

/* A-labels are compared as the ASCII they are; U-labels are not host names;
 * a wildcard is a whole label, never part of an A-label. */
static void idna(void **state)
{
    (void)state;
    OK2("idna", "xn--bcher-kva.example.com");
    OK2("idna", "XN--BCHER-KVA.EXAMPLE.COM");
    BAD2("idna", "b\xc3\xbc" "cher.example.com");
    assert_int_equal(check("idna", HTTPS, "www.xn--caf-dma.example"), PHONESEC_OK);
    assert_int_equal(check("idna", SIP, "www.xn--caf-dma.example"), PHONESEC_E_NAME);
    assert_int_equal(check("idna", HTTPS, "xn--abc.example.org"), PHONESEC_E_NAME);
}

/* NUL inside a name: never a match on the part before it. */
static void embedded_nul(void **state)
{
    (void)state;
    NO2("nul-cn", "sip.example.com");
    NO2("nul-san", "sip.example.com");
}

/* Restricted access domains: an address in any spelling, or a malformed
 * name, is in no domain; a numeric "domain" is not a domain (main took
 * "0.0.1" and then allowed the host 10.0.0.1.). */
static void restricted_domains(void **state)
{
    phonesec_tls_ctx *c = NULL;
    const char *numeric[] = {"0.0.1"};
    const char *doms[] = {"example.com"};
    (void)state;
    assert_int_equal(phonesec_tls_ctx_new(NULL, &c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_restricted_domains(c, numeric, 1), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_set_restricted_domains(c, doms, 1), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "sip.example.com"), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "sip.example.com."), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "sip.example.com.."), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "a..example.com"), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "10.0.0.1."), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "10.1"), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "fe80::1%eth0"), PHONESEC_E_POLICY);
    phonesec_tls_ctx_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ip_with_trailing_dot), cmocka_unit_test(ip_in_other_spellings),
        cmocka_unit_test(ipv6_spellings),       cmocka_unit_test(trailing_dots),
        cmocka_unit_test(several_cns),          cmocka_unit_test(idna),
        cmocka_unit_test(embedded_nul),         cmocka_unit_test(restricted_domains),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
