/* Unit tests of the tls module: identity rules on an openssl-made certificate
 * matrix, contexts (trust list, certificates, versions, ciphers), and
 * in-memory client/server handshakes with every check. */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include "tls_test_util.h"

#define SIP PHONESEC_TLS_IDENTITY_SIP
#define HTTPS PHONESEC_TLS_IDENTITY_HTTPS

static int contains(const uint8_t *h, size_t n, const char *needle)
{
    size_t i, l = strlen(needle);
    for (i = 0; i + l <= n; i++)
        if (memcmp(h + i, needle, l) == 0)
            return 1;
    return 0;
}

static int group_setup(void **state)
{
    if (make_certs() != 0)
        return -1;
    return test_platform_setup(state);
}

static int group_teardown(void **state)
{
    remove_certs();
    return test_platform_teardown(state);
}

/* ------------------------------------------------------------ name matrix */

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
    free(der);
    return rc;
}

#define OK_(c, m, r) assert_int_equal(check(c, m, r), PHONESEC_OK)
#define NO_(c, m, r) assert_int_equal(check(c, m, r), PHONESEC_E_NAME)

/* RFC 5922 §7.1 */
static void test_names_sip(void **state)
{
    (void)state;
    OK_("dns", SIP, "sip.example.com");
    OK_("dns", SIP, "SIP.EXAMPLE.COM");
    OK_("dns", SIP, "sip.example.com.");
    NO_("dns", SIP, "example.com");
    NO_("dns", SIP, "x.sip.example.com");
    OK_("sip-uri", SIP, "sip.example.com");
    NO_("sip-uri", SIP, "unrelated.example");       /* CN not used: SAN present */
    NO_("sip-uri-user", SIP, "sip.example.com");    /* user part: not an identity */
    OK_("sip-uri-param", SIP, "sip.example.com");   /* URI parameters ignored */
    NO_("sips-uri", SIP, "sip.example.com");        /* only the sip scheme */
    OK_("cn-only", SIP, "sip.example.com");         /* no SAN extension: CN */
    NO_("cn-unrel-san", SIP, "sip.example.com");
    NO_("cn-unrel-san", SIP, "other.example");
    OK_("cn-unrel-san", SIP, "other.example.com");
    NO_("cn-uri-san", SIP, "sip.example.com");
    OK_("cn-uri-san", SIP, "other.example.com");
    NO_("cn-ip-san", SIP, "sip.example.com");       /* any SAN extension disables CN */
    NO_("wildcard", SIP, "a.example.com");          /* no wildcards in SIP */
    NO_("cn-wildcard", SIP, "a.example.com");
    OK_("case", SIP, "sip.example.com");
    OK_("case", SIP, "pbx.example.com");            /* URI scheme is case-insensitive */
    NO_("suffix", SIP, "sip.example.com");
    OK_("suffix", SIP, "example.com");
    NO_("suffix", SIP, "evil.net");
    OK_("ip", SIP, "127.0.0.1");
    OK_("ip", SIP, "2001:db8::1");
    OK_("ip", SIP, "[2001:db8::1]");
    NO_("ip", SIP, "127.0.0.2");
    NO_("ip-as-dns", SIP, "127.0.0.1");             /* an IP is never a DNS name */
    NO_("cn-only", SIP, "example.com");
    NO_("prov", SIP, "prov.example.com");           /* SIP: whole CN only */
    OK_("server", SIP, "localhost");
    OK_("server", SIP, "::1");
}

/* RFC 6125 + provisioning CN form */
static void test_names_https(void **state)
{
    (void)state;
    OK_("dns", HTTPS, "sip.example.com");
    NO_("sip-uri", HTTPS, "sip.example.com");       /* URI SANs are not HTTPS identities */
    OK_("cn-only", HTTPS, "sip.example.com");
    NO_("cn-unrel-san", HTTPS, "sip.example.com");  /* dNSName present: no CN */
    OK_("cn-uri-san", HTTPS, "sip.example.com");    /* no dNSName: CN fallback */
    OK_("cn-ip-san", HTTPS, "sip.example.com");
    OK_("wildcard", HTTPS, "a.example.com");
    OK_("wildcard", HTTPS, "A.EXAMPLE.COM");
    NO_("wildcard", HTTPS, "example.com");          /* one label exactly */
    NO_("wildcard", HTTPS, "a.b.example.com");
    NO_("wild-partial", HTTPS, "foo.example.com");  /* only a whole-label '*' */
    NO_("wild-inner", HTTPS, "sip.x.com");          /* only the left-most label */
    NO_("wild-tld", HTTPS, "example.com");          /* not directly under a TLD */
    OK_("cn-wildcard", HTTPS, "a.example.com");
    NO_("suffix", HTTPS, "sip.example.com");
    OK_("suffix", HTTPS, "evilsip.example.com");
    NO_("suffix", HTTPS, "xsip.example.com");
    OK_("case", HTTPS, "sip.example.com");
    OK_("prov", HTTPS, "prov.example.com");         /* CN=host/anything */
    NO_("prov", HTTPS, "phone-0042");
    NO_("prov-san", HTTPS, "prov.example.com");     /* dNSName present: no CN */
    OK_("ip", HTTPS, "127.0.0.1");
    NO_("ip-as-dns", HTTPS, "127.0.0.1");
    NO_("ip", HTTPS, "2001:db8::2");
}

static void test_names_bad_input(void **state)
{
    uint8_t junk[64];
    size_t n;
    uint8_t *der = slurp("dns.der", &n);
    char why[256];
    (void)state;
    assert_non_null(der);
    memset(junk, 0x30, sizeof junk);
    assert_int_equal(phonesec_tls_cert_check_name(junk, sizeof junk, SIP, "a.b", why, sizeof why), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_tls_cert_check_name(der, n - 1, SIP, "a.b", why, sizeof why), PHONESEC_E_PARSE);
    assert_int_equal(phonesec_tls_cert_check_name(der, n, 7, "a.b", why, sizeof why), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_cert_check_name(der, n, SIP, "", why, sizeof why), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_cert_check_name(der, n, HTTPS, "*.example.com", why, sizeof why),
                     PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_cert_check_name(der, n, HTTPS, "sip.example.com/x", why, sizeof why),
                     PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_cert_check_name(NULL, n, SIP, "a.b", why, sizeof why), PHONESEC_E_INVAL);
    free(der);
}

/* ------------------------------------------------------------ contexts */

static phonesec_tls_ctx *client_ctx(const char *ca)
{
    phonesec_tls_ctx *c = NULL;
    assert_int_equal(phonesec_tls_ctx_new(NULL, &c), PHONESEC_OK);
    if (ca != NULL)
        assert_int_equal(phonesec_tls_ctx_add_trusted_file(c, cert_path(ca)), PHONESEC_OK);
    return c;
}

static phonesec_tls_ctx *server_ctx_cfg(phonesec_tls_config *cfg, const char *cert, const char *key)
{
    phonesec_tls_ctx *s = NULL;
    cfg->role = PHONESEC_TLS_SERVER;
    assert_int_equal(phonesec_tls_ctx_new(cfg, &s), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_certificate_file(s, cert_path(cert), cert_path(key)), PHONESEC_OK);
    return s;
}

static phonesec_tls_ctx *server_ctx(const char *cert, const char *key)
{
    phonesec_tls_config cfg;
    phonesec_tls_config_init(&cfg);
    return server_ctx_cfg(&cfg, cert, key);
}

static phonesec_tls_conn *mkconn(phonesec_tls_ctx *ctx, const char *ref, int name_validate)
{
    phonesec_tls_conn_config cc;
    phonesec_tls_conn *c = NULL;
    phonesec_tls_conn_config_init(&cc);
    cc.reference_name = ref;
    cc.name_validate = name_validate;
    assert_int_equal(phonesec_tls_conn_new(ctx, &cc, &c), PHONESEC_OK);
    return c;
}

/* Full handshake; returns the client's result and fills info. */
static int run_hs(phonesec_tls_ctx *cctx, phonesec_tls_ctx *sctx, const char *ref, int name_validate,
                  phonesec_tls_info *info, char *err, size_t errcap)
{
    phonesec_tls_conn *c = mkconn(cctx, ref, name_validate), *s = mkconn(sctx, NULL, PHONESEC_TLS_INHERIT);
    int rs, rc = pump(c, s, &rs);
    phonesec_tls_info tmp = PHONESEC_TLS_INFO_INIT;
    const phonesec_tls_info *unused = &tmp;
    (void)unused;
    assert_int_equal(phonesec_tls_conn_info(c, info ? info : &tmp), PHONESEC_OK);
    if (err)
        assert_int_equal(phonesec_tls_conn_last_error(c, err, errcap), PHONESEC_OK);
    if (rc == PHONESEC_OK)
        assert_int_equal(rs, PHONESEC_OK);
    /* info strings belong to the conn: copy what the caller checks before freeing */
    if (info) {
        static char subj[256], anchor[256], nd[400], cd[400], suite[80], proto[16], sans[512];
        snprintf(subj, sizeof subj, "%s", info->peer_subject);
        snprintf(anchor, sizeof anchor, "%s", info->chain_anchor);
        snprintf(nd, sizeof nd, "%s", info->name_detail);
        snprintf(cd, sizeof cd, "%s", info->chain_detail);
        snprintf(suite, sizeof suite, "%s", info->suite_name);
        snprintf(proto, sizeof proto, "%s", info->protocol_name);
        snprintf(sans, sizeof sans, "%s", info->peer_sans);
        info->peer_subject = subj;
        info->chain_anchor = anchor;
        info->name_detail = nd;
        info->chain_detail = cd;
        info->suite_name = suite;
        info->protocol_name = proto;
        info->peer_sans = sans;
    }
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    return rc;
}

static void test_handshake_ok(void **state)
{
    phonesec_tls_ctx *cc = client_ctx("ca.crt"), *sc = server_ctx("server.crt", "server.key");
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    (void)state;
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
    assert_int_equal(info.established, 1);
    assert_int_equal(info.protocol, PHONESEC_TLS_V1_3);
    assert_string_equal(info.protocol_name, "TLSv1.3");
    assert_true(strncmp(info.suite_name, "TLS_AES_", 8) == 0 || strncmp(info.suite_name, "TLS_CHACHA20", 12) == 0);
    assert_int_equal(info.chain, PHONESEC_TLS_CHECK_PASSED);
    assert_int_equal(info.chain_enforced, 1);
    assert_string_equal(info.chain_anchor, "CN=Test Root CA,O=libphonesec tests");
    assert_int_equal(info.name, PHONESEC_TLS_CHECK_PASSED);
    assert_string_equal(info.peer_subject, "CN=sip.example.com");
    assert_string_equal(info.peer_sans, "DNS:sip.example.com, DNS:localhost, IP:127.0.0.1, IP:::1");
    assert_non_null(strstr(info.name_detail, "sip.example.com"));
    /* IP literal reference against iPAddress SAN */
    assert_int_equal(run_hs(cc, sc, "127.0.0.1", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
    assert_int_equal(info.name, PHONESEC_TLS_CHECK_PASSED);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

static void test_handshake_name_mismatch(void **state)
{
    phonesec_tls_ctx *cc = client_ctx("ca.crt"), *sc = server_ctx("server.crt", "server.key");
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    char err[512];
    (void)state;
    assert_int_equal(run_hs(cc, sc, "proxy.other.net", PHONESEC_TLS_INHERIT, &info, err, sizeof err),
                     PHONESEC_E_NAME);
    assert_int_equal(info.established, 0);
    assert_int_equal(info.name, PHONESEC_TLS_CHECK_FAILED);
    assert_int_equal(info.chain, PHONESEC_TLS_CHECK_PASSED);
    assert_non_null(strstr(err, "identity check failed"));
    assert_non_null(strstr(err, "proxy.other.net"));
    /* "TLS Name Validate = No": the same handshake completes, name skipped, chain still checked */
    assert_int_equal(run_hs(cc, sc, "proxy.other.net", 0, &info, NULL, 0), PHONESEC_OK);
    assert_int_equal(info.name, PHONESEC_TLS_CHECK_SKIPPED);
    assert_int_equal(info.chain, PHONESEC_TLS_CHECK_PASSED);
    /* the wildcard certificate is refused in SIP mode even for a matching host */
    phonesec_tls_ctx_free(sc);
    sc = server_ctx("wildcard.crt", "wildcard.key");
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_E_NAME);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

static void test_handshake_https_mode(void **state)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *cc = NULL, *sc = server_ctx("wildcard.crt", "wildcard.key");
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    (void)state;
    phonesec_tls_config_init(&cfg);
    cfg.identity_mode = HTTPS;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &cc), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(cc, cert_path("ca.crt")), PHONESEC_OK);
    assert_int_equal(run_hs(cc, sc, "prov.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
    assert_int_equal(info.identity_mode, HTTPS);
    assert_non_null(strstr(info.name_detail, "wildcard"));
    assert_int_equal(run_hs(cc, sc, "a.b.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_E_NAME);
    phonesec_tls_ctx_free(sc);
    sc = server_ctx("prov.crt", "prov.key");
    assert_int_equal(run_hs(cc, sc, "prov.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

static void test_handshake_chain(void **state)
{
    phonesec_tls_ctx *cc = client_ctx("ca.crt"), *sc = NULL;
    phonesec_tls_config cfg;
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    char err[512];
    int rc;
    (void)state;
    /* intermediate missing from what the server sends: cannot verify (a
     * fresh context: wolfSSL remembers intermediates it has verified) */
    sc = server_ctx("chained.crt", "chained.key");
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_E_VERIFY);
    phonesec_tls_ctx_free(sc);
    /* leaf via intermediate: server sends leaf + intermediate */
    phonesec_tls_config_init(&cfg);
    sc = server_ctx_cfg(&cfg, "chain.pem", "chained.key");
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
    assert_int_equal(info.chain, PHONESEC_TLS_CHECK_PASSED);
    assert_string_equal(info.chain_anchor, "CN=Test Root CA,O=libphonesec tests");
    phonesec_tls_ctx_free(sc);
    /* rogue CA */
    sc = server_ctx("rogue-leaf.crt", "rogue-leaf.key");
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, err, sizeof err),
                     PHONESEC_E_VERIFY);
    assert_int_equal(info.chain, PHONESEC_TLS_CHECK_FAILED);
    assert_non_null(strstr(err, "chain check failed"));
    assert_non_null(strstr(err, "trust list"));
    /* only-accept-trusted off: completes, but says plainly it is not verified */
    assert_int_equal(phonesec_tls_ctx_set_only_trusted(cc, 0), PHONESEC_OK);
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
    assert_int_equal(info.chain, PHONESEC_TLS_CHECK_FAILED);
    assert_int_equal(info.chain_enforced, 0);
    assert_string_equal(info.chain_anchor, "");
    assert_int_equal(info.name, PHONESEC_TLS_CHECK_PASSED);
    assert_int_equal(phonesec_tls_ctx_set_only_trusted(cc, 1), PHONESEC_OK);
    phonesec_tls_ctx_free(sc);
    /* expired */
    sc = server_ctx("expired.crt", "expired.key");
    rc = run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, err, sizeof err);
    assert_int_equal(rc, PHONESEC_E_EXPIRED);
    assert_non_null(strstr(err, "expired"));
    phonesec_tls_ctx_free(sc);
    phonesec_tls_ctx_free(cc);
}

static void test_mutual_tls(void **state)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *cc = client_ctx("ca.crt"), *sc;
    phonesec_tls_conn *c, *s;
    phonesec_tls_info si = PHONESEC_TLS_INFO_INIT;
    int rs, rc;
    (void)state;
    phonesec_tls_config_init(&cfg);
    cfg.client_cert = PHONESEC_TLS_CLIENT_CERT_REQUIRE;
    sc = server_ctx_cfg(&cfg, "server.crt", "server.key");
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(sc, cert_path("ca.crt")), PHONESEC_OK);
    /* no client certificate: refused */
    c = mkconn(cc, "sip.example.com", PHONESEC_TLS_INHERIT);
    s = mkconn(sc, NULL, PHONESEC_TLS_INHERIT);
    rc = pump(c, s, &rs);
    assert_true(rc != PHONESEC_OK || rs != PHONESEC_OK);
    assert_int_not_equal(rs, PHONESEC_OK);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    /* with one */
    assert_int_equal(phonesec_tls_ctx_set_certificate_file(cc, cert_path("client.crt"), cert_path("client.key")),
                     PHONESEC_OK);
    c = mkconn(cc, "sip.example.com", PHONESEC_TLS_INHERIT);
    s = mkconn(sc, NULL, PHONESEC_TLS_INHERIT);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    assert_int_equal(rs, PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_info(s, &si), PHONESEC_OK);
    assert_int_equal(si.peer_cert, 1);
    assert_int_equal(si.chain, PHONESEC_TLS_CHECK_PASSED);
    assert_string_equal(si.peer_subject, "CN=phone1.example.com");
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    /* a client cert from the rogue CA is refused */
    assert_int_equal(phonesec_tls_ctx_set_certificate_file(cc, cert_path("rogue-leaf.crt"),
                                                           cert_path("rogue-leaf.key")),
                     PHONESEC_OK);
    c = mkconn(cc, "sip.example.com", PHONESEC_TLS_INHERIT);
    s = mkconn(sc, NULL, PHONESEC_TLS_INHERIT);
    (void)pump(c, s, &rs);
    assert_int_equal(rs, PHONESEC_E_VERIFY);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

static void test_data_and_close(void **state)
{
    phonesec_tls_ctx *cc = client_ctx("ca.crt"), *sc = server_ctx("server.crt", "server.key");
    phonesec_tls_conn *c = mkconn(cc, "sip.example.com", PHONESEC_TLS_INHERIT);
    phonesec_tls_conn *s = mkconn(sc, NULL, PHONESEC_TLS_INHERIT);
    static const char msg[] = "REGISTER sip:example.com SIP/2.0\r\n\r\n";
    uint8_t buf[4096], wire[8192];
    size_t n, got, used;
    int rs;
    (void)state;
    assert_int_equal(phonesec_tls_conn_read(s, buf, sizeof buf, &got), PHONESEC_E_WOULD_BLOCK);
    assert_int_equal(phonesec_tls_conn_wants(s), PHONESEC_TLS_WANT_READ);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_is_established(c), 1);
    assert_int_equal(phonesec_tls_conn_write(c, (const uint8_t *)msg, sizeof msg - 1, &n), PHONESEC_OK);
    assert_int_equal(n, sizeof msg - 1);
    assert_true(phonesec_tls_conn_pending_output(c) > n); /* encrypted, with overhead */
    assert_int_equal(phonesec_tls_conn_drain(c, wire, sizeof wire, &n), PHONESEC_OK);
    assert_false(contains(wire, n, "REGISTER"));
    assert_int_equal(phonesec_tls_conn_feed(s, wire, n, &used), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_read(s, buf, 10, &got), PHONESEC_OK);
    assert_int_equal(got, 10);
    assert_int_equal(phonesec_tls_conn_pending(s), sizeof msg - 1 - 10);
    assert_int_equal(phonesec_tls_conn_read(s, buf + 10, sizeof buf - 10, &got), PHONESEC_OK);
    assert_int_equal(got, sizeof msg - 1 - 10);
    assert_int_equal(phonesec_tls_conn_pending(s), 0);
    assert_memory_equal(buf, msg, sizeof msg - 1);
    /* tampered record is rejected */
    assert_int_equal(phonesec_tls_conn_write(c, (const uint8_t *)msg, sizeof msg - 1, &n), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_drain(c, wire, sizeof wire, &n), PHONESEC_OK);
    wire[n - 3] ^= 1;
    assert_int_equal(phonesec_tls_conn_feed(s, wire, n, &used), PHONESEC_OK);
    assert_int_not_equal(phonesec_tls_conn_read(s, buf, sizeof buf, &got), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_read(s, buf, sizeof buf, &got), PHONESEC_E_STATE);
    /* close_notify */
    assert_int_equal(phonesec_tls_conn_close(c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_write(c, (const uint8_t *)msg, 3, &n), PHONESEC_E_STATE);
    assert_int_equal(phonesec_tls_conn_feed(c, wire, 1, &used), PHONESEC_OK);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    /* a clean close seen by the peer */
    c = mkconn(cc, "sip.example.com", PHONESEC_TLS_INHERIT);
    s = mkconn(sc, NULL, PHONESEC_TLS_INHERIT);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    settle(c, s);
    assert_int_equal(phonesec_tls_conn_close(c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_drain(c, wire, sizeof wire, &n), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_feed(s, wire, n, &used), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_read(s, buf, sizeof buf, &got), PHONESEC_E_CLOSED);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

static void resume_case(unsigned maxv)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *cc = NULL, *sc = server_ctx("server.crt", "server.key");
    phonesec_tls_conn *c, *s;
    phonesec_tls_session *sess = NULL;
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    int rs;
    phonesec_tls_config_init(&cfg);
    cfg.max_version = maxv;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &cc), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(cc, cert_path("ca.crt")), PHONESEC_OK);
    c = mkconn(cc, "sip.example.com", PHONESEC_TLS_INHERIT);
    s = mkconn(sc, NULL, PHONESEC_TLS_INHERIT);
    assert_int_equal(phonesec_tls_conn_get_session(c, &sess), PHONESEC_E_STATE);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    settle(c, s);
    assert_int_equal(phonesec_tls_conn_get_session(c, &sess), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_get_session(s, &(phonesec_tls_session *){NULL}), PHONESEC_E_STATE);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    /* resumed */
    c = mkconn(cc, "sip.example.com", PHONESEC_TLS_INHERIT);
    s = mkconn(sc, NULL, PHONESEC_TLS_INHERIT);
    assert_int_equal(phonesec_tls_conn_set_session(c, sess), PHONESEC_OK);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_info(c, &info), PHONESEC_OK);
    assert_int_equal(info.resumed, 1);
    assert_int_equal(info.protocol, maxv);
    assert_int_equal(info.chain, PHONESEC_TLS_CHECK_PASSED);
    assert_int_equal(info.name, PHONESEC_TLS_CHECK_PASSED);
    assert_string_equal(info.peer_subject, "CN=sip.example.com");
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    /* a session for another identity is not offered */
    c = mkconn(cc, "localhost", PHONESEC_TLS_INHERIT);
    assert_int_equal(phonesec_tls_conn_set_session(c, sess), PHONESEC_E_POLICY);
    phonesec_tls_conn_free(c);
    phonesec_tls_session_free(sess);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

static void test_resumption_tls13(void **state)
{
    (void)state;
    resume_case(PHONESEC_TLS_V1_3);
}

static void test_resumption_tls12(void **state)
{
    (void)state;
    resume_case(PHONESEC_TLS_V1_2);
}

/* A session made while checks were off must not stand in for a full
 * handshake once they are on (fail closed). */
static void test_resumption_below_policy(void **state)
{
    phonesec_tls_ctx *cc = client_ctx(NULL), *sc = server_ctx("server.crt", "server.key");
    phonesec_tls_conn *c, *s;
    phonesec_tls_session *sess = NULL;
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    int rs;
    (void)state;
    /* the phone has no trusted CA, only-accept-trusted off, name check off */
    assert_int_equal(phonesec_tls_ctx_set_only_trusted(cc, 0), PHONESEC_OK);
    c = mkconn(cc, "sip.example.com", 0);
    s = mkconn(sc, NULL, PHONESEC_TLS_INHERIT);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    settle(c, s);
    assert_int_equal(phonesec_tls_conn_info(c, &info), PHONESEC_OK);
    assert_int_equal(info.chain, PHONESEC_TLS_CHECK_FAILED);
    assert_int_equal(phonesec_tls_conn_get_session(c, &sess), PHONESEC_OK);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    /* the same policy may resume it */
    c = mkconn(cc, "sip.example.com", 0);
    s = mkconn(sc, NULL, PHONESEC_TLS_INHERIT);
    assert_int_equal(phonesec_tls_conn_set_session(c, sess), PHONESEC_OK);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_info(c, &info), PHONESEC_OK);
    assert_int_equal(info.resumed, 1);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    /* name validation on: the unchecked session is not offered */
    c = mkconn(cc, "sip.example.com", 1);
    assert_int_equal(phonesec_tls_conn_set_session(c, sess), PHONESEC_E_POLICY);
    phonesec_tls_conn_free(c);
    /* only-accept-trusted back on (with a CA now): not offered either (the
     * configuration changed, so the session is stale before it is short of
     * the policy: tests/tls/test_tls_resume.c) */
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(cc, cert_path("ca.crt")), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_only_trusted(cc, 1), PHONESEC_OK);
    c = mkconn(cc, "sip.example.com", 0);
    assert_int_equal(phonesec_tls_conn_set_session(c, sess), PHONESEC_E_EXPIRED);
    phonesec_tls_conn_free(c);
    phonesec_tls_session_free(sess);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

static void test_trust_list(void **state)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *c = NULL;
    char subj[256];
    uint8_t fp[32], *pem, *der;
    size_t n, dn;
    (void)state;
    phonesec_tls_config_init(&cfg);
    cfg.max_trusted = 2;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_trusted_count(c), 0);
    /* PEM bundle with two certificates, from memory */
    pem = slurp("ca-bundle.pem", &n);
    assert_int_equal(phonesec_tls_ctx_add_trusted(c, pem, n, PHONESEC_TLS_FORMAT_AUTO), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_trusted_count(c), 2);
    assert_int_equal(phonesec_tls_ctx_trusted_info(c, 1, subj, sizeof subj, fp), PHONESEC_OK);
    assert_string_equal(subj, "CN=Rogue CA,O=libphonesec tests");
    assert_int_equal(phonesec_tls_ctx_trusted_info(c, 0, subj, 5, NULL), PHONESEC_E_BUFFER_SMALL);
    assert_int_equal(phonesec_tls_ctx_trusted_info(c, 2, subj, sizeof subj, fp), PHONESEC_E_NOT_FOUND);
    /* same again: no duplicate, no error */
    assert_int_equal(phonesec_tls_ctx_add_trusted(c, pem, n, PHONESEC_TLS_FORMAT_PEM), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_trusted_count(c), 2);
    /* limit */
    der = slurp("int.der", &dn);
    assert_int_equal(phonesec_tls_ctx_add_trusted(c, der, dn, PHONESEC_TLS_FORMAT_DER), PHONESEC_E_LIMIT);
    assert_int_equal(phonesec_tls_ctx_trusted_count(c), 2);
    /* remove the rogue CA: its leaves no longer verify */
    assert_int_equal(phonesec_tls_ctx_remove_trusted(c, 1), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_trusted_count(c), 1);
    assert_int_equal(phonesec_tls_ctx_remove_trusted(c, 1), PHONESEC_E_NOT_FOUND);
    assert_int_equal(phonesec_tls_ctx_add_trusted(c, der, dn, PHONESEC_TLS_FORMAT_AUTO), PHONESEC_OK); /* DER */
    assert_int_equal(phonesec_tls_ctx_trusted_info(c, 1, subj, sizeof subj, NULL), PHONESEC_OK);
    assert_string_equal(subj, "CN=Test Intermediate CA,O=libphonesec tests");
    {
        phonesec_tls_ctx *sc = server_ctx("rogue-leaf.crt", "rogue-leaf.key");
        assert_int_equal(run_hs(c, sc, "sip.example.com", PHONESEC_TLS_INHERIT, NULL, NULL, 0), PHONESEC_E_VERIFY);
        phonesec_tls_ctx_free(sc);
    }
    /* a server's own (non-CA) certificate uploaded as trusted: pinned */
    {
        phonesec_tls_ctx *pin = client_ctx("server.crt"), *sc = server_ctx("server.crt", "server.key"),
                         *other = server_ctx("dns.crt", "dns.key");
        phonesec_tls_info pi = PHONESEC_TLS_INFO_INIT;
        assert_int_equal(run_hs(pin, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &pi, NULL, 0), PHONESEC_OK);
        assert_int_equal(pi.chain, PHONESEC_TLS_CHECK_PASSED);
        assert_string_equal(pi.chain_anchor, "CN=sip.example.com");
        assert_int_equal(run_hs(pin, other, "sip.example.com", PHONESEC_TLS_INHERIT, NULL, NULL, 0),
                         PHONESEC_E_VERIFY);
        phonesec_tls_ctx_free(pin);
        phonesec_tls_ctx_free(sc);
        phonesec_tls_ctx_free(other);
    }
    /* garbage */
    assert_int_equal(phonesec_tls_ctx_add_trusted(c, (const uint8_t *)"hello", 5, PHONESEC_TLS_FORMAT_AUTO),
                     PHONESEC_E_PARSE);
    assert_int_equal(phonesec_tls_ctx_add_trusted(c, (const uint8_t *)"-----BEGIN CERTIFICATE-----\nAAAA\n", 33,
                                                  PHONESEC_TLS_FORMAT_AUTO),
                     PHONESEC_E_PARSE);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(c, "/nonexistent/ca.pem"), PHONESEC_E_IO);
    assert_int_equal(phonesec_tls_ctx_trusted_count(c), 2);
    free(pem);
    free(der);
    phonesec_tls_ctx_free(c);
}

static void test_certificate_replace_atomic(void **state)
{
    phonesec_tls_ctx *cc = client_ctx("ca.crt"), *sc = server_ctx("server.crt", "server.key");
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    char err[256];
    uint8_t *crt, *key;
    size_t cl, kl;
    (void)state;
    assert_int_equal(phonesec_tls_ctx_has_certificate(sc), 1);
    /* key of another certificate: refused, old one keeps working */
    crt = slurp("dns.crt", &cl);
    key = slurp("server.key", &kl);
    assert_int_equal(phonesec_tls_ctx_set_certificate(sc, crt, cl, key, kl, PHONESEC_TLS_FORMAT_AUTO),
                     PHONESEC_E_AUTH);
    assert_int_equal(phonesec_tls_ctx_last_error(sc, err, sizeof err), PHONESEC_OK);
    assert_non_null(strstr(err, "does not belong"));
    assert_int_equal(phonesec_tls_ctx_set_certificate(sc, (const uint8_t *)"junk", 4, key, kl,
                                                      PHONESEC_TLS_FORMAT_AUTO),
                     PHONESEC_E_PARSE);
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
    assert_string_equal(info.peer_subject, "CN=sip.example.com");
    free(key);
    /* a good replacement takes effect */
    key = slurp("dns.key", &kl);
    assert_int_equal(phonesec_tls_ctx_set_certificate(sc, crt, cl, key, kl, PHONESEC_TLS_FORMAT_PEM), PHONESEC_OK);
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
    assert_string_equal(info.peer_subject, "CN=unrelated.example");
    free(crt);
    free(key);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

static void test_versions_and_ciphers(void **state)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *c = NULL, *sc;
    phonesec_tls_info info = PHONESEC_TLS_INFO_INIT;
    uint16_t codes[300];
    size_t n, i;
    (void)state;
    phonesec_tls_config_init(&cfg);
    cfg.min_version = PHONESEC_TLS_V1_1;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_E_POLICY);
    cfg.allow_legacy_versions = 1;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_OK); /* Debian's wolfSSL has TLS 1.1 */
    phonesec_tls_ctx_free(c);
    cfg.min_version = PHONESEC_TLS_V1_0;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_E_UNSUPPORTED); /* ... but not TLS 1.0 */
    cfg.min_version = PHONESEC_TLS_V1_3;
    cfg.max_version = PHONESEC_TLS_V1_2;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_E_INVAL);
    phonesec_tls_config_init(&cfg);
    cfg.version = 99;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_E_INVAL);
    /* TLS 1.1 by explicit opt-in on both ends only */
    {
        phonesec_tls_ctx *c11 = NULL, *s11, *s12;
        phonesec_tls_info in11;
        phonesec_tls_config_init(&cfg);
        cfg.min_version = cfg.max_version = PHONESEC_TLS_V1_1;
        cfg.allow_legacy_versions = 1;
        cfg.cipher_list = "ECDHE-ECDSA-AES128-SHA";
        assert_int_equal(phonesec_tls_ctx_new(&cfg, &c11), PHONESEC_OK);
        assert_int_equal(phonesec_tls_ctx_add_trusted_file(c11, cert_path("ca.crt")), PHONESEC_OK);
        phonesec_tls_config_init(&cfg);
        cfg.min_version = PHONESEC_TLS_V1_1;
        cfg.allow_legacy_versions = 1;
        cfg.cipher_list = "ECDHE-ECDSA-AES128-SHA";
        s11 = server_ctx_cfg(&cfg, "server.crt", "server.key");
        assert_int_equal(run_hs(c11, s11, "sip.example.com", PHONESEC_TLS_INHERIT, &in11, NULL, 0), PHONESEC_OK);
        assert_int_equal(in11.protocol, PHONESEC_TLS_V1_1);
        assert_string_equal(in11.protocol_name, "TLSv1.1");
        s12 = server_ctx("server.crt", "server.key"); /* default: 1.2+ */
        assert_int_equal(run_hs(c11, s12, "sip.example.com", PHONESEC_TLS_INHERIT, NULL, NULL, 0),
                         PHONESEC_E_HANDSHAKE);
        phonesec_tls_ctx_free(c11);
        phonesec_tls_ctx_free(s11);
        phonesec_tls_ctx_free(s12);
    }
    /* default allow-list: nothing weak */
    phonesec_tls_config_init(&cfg);
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_ciphers(c, codes, sizeof codes / sizeof codes[0], &n), PHONESEC_OK);
    assert_true(n > 3);
    assert_int_equal(codes[0], 0x1302); /* TLS_AES_256_GCM_SHA384 first */
    for (i = 0; i < n; i++) {
        const phonesec_ciphers_suite *s = phonesec_ciphers_by_code(codes[i]);
        assert_non_null(s);
        assert_null(strstr(s->openssl_name, "RC4"));
        assert_null(strstr(s->openssl_name, "DES-CBC3"));
        assert_null(strstr(s->openssl_name, "NULL"));
        assert_string_not_equal(s->auth, "None");
    }
    assert_int_equal(phonesec_tls_ctx_ciphers(c, codes, 1, &n), PHONESEC_E_BUFFER_SMALL);
    /* 1.2 only with one pinned suite: negotiated exactly */
    phonesec_tls_ctx_free(c);
    cfg.max_version = PHONESEC_TLS_V1_2;
    cfg.cipher_list = "ECDHE-ECDSA-AES128-GCM-SHA256";
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(c, cert_path("ca.crt")), PHONESEC_OK);
    sc = server_ctx("server.crt", "server.key");
    assert_int_equal(run_hs(c, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
    assert_int_equal(info.protocol, PHONESEC_TLS_V1_2);
    assert_int_equal(info.suite, 0xC02B);
    assert_string_equal(info.suite_name, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    /* no shared suite: handshake failure, not a silent fallback */
    {
        int fb = -1;
        /* an RSA suite against an ECDSA server certificate */
        assert_int_equal(phonesec_tls_ctx_set_ciphers(c, "ECDHE-RSA-AES128-GCM-SHA256", NULL, &fb), PHONESEC_OK);
        assert_int_equal(fb, 0);
        assert_int_equal(run_hs(c, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0),
                         PHONESEC_E_HANDSHAKE);
        assert_int_equal(phonesec_tls_ctx_set_ciphers(c, "", NULL, &fb), PHONESEC_OK);
        assert_int_equal(fb, 1); /* blank: the preset */
    }
    phonesec_tls_ctx_free(sc);
    phonesec_tls_ctx_free(c);
    /* A server that offers only RC4 / 3DES / NULL suites (which this wolfSSL
     * build has): a default client refuses; only an explicit choice allows it. */
    {
        const char *weak = "ECDHE-ECDSA-RC4-SHA:ECDHE-ECDSA-DES-CBC3-SHA:ECDHE-ECDSA-NULL-SHA";
        phonesec_tls_config_init(&cfg);
        cfg.max_version = PHONESEC_TLS_V1_2;
        cfg.cipher_list = weak;
        cfg.role = PHONESEC_TLS_SERVER; /* below the security floor: refused without the legacy opt-in */
        assert_int_equal(phonesec_tls_ctx_new(&cfg, &sc), PHONESEC_E_POLICY);
        cfg.cipher_preset |= PHONESEC_CIPHERS_ALLOW_LEGACY;
        sc = server_ctx_cfg(&cfg, "server.crt", "server.key");
        assert_int_equal(phonesec_tls_ctx_ciphers(sc, codes, 300, &n), PHONESEC_OK);
        assert_int_equal(n, 3);
        c = client_ctx("ca.crt");
        assert_int_equal(run_hs(c, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0),
                         PHONESEC_E_HANDSHAKE);
        phonesec_tls_ctx_free(c);
        phonesec_tls_config_init(&cfg);
        cfg.cipher_list = "ECDHE-ECDSA-DES-CBC3-SHA";
        cfg.cipher_preset |= PHONESEC_CIPHERS_ALLOW_LEGACY;
        cfg.max_version = PHONESEC_TLS_V1_2;
        assert_int_equal(phonesec_tls_ctx_new(&cfg, &c), PHONESEC_OK);
        assert_int_equal(phonesec_tls_ctx_add_trusted_file(c, cert_path("ca.crt")), PHONESEC_OK);
        assert_int_equal(run_hs(c, sc, "sip.example.com", PHONESEC_TLS_INHERIT, &info, NULL, 0), PHONESEC_OK);
        assert_int_equal(info.suite, 0xC008);
        phonesec_tls_ctx_free(sc);
    }
    phonesec_tls_ctx_free(c);
}

static void test_restricted_domains(void **state)
{
    phonesec_tls_ctx *c = client_ctx("ca.crt");
    phonesec_tls_conn_config cc;
    phonesec_tls_conn *conn = NULL;
    const char *doms[] = {"example.com", "corp.example.net."};
    const char *bad[] = {"exa mple.com"};
    char err[256];
    (void)state;
    assert_int_equal(phonesec_tls_ctx_set_restricted_domains(c, doms, 2), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "sip.example.com"), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "EXAMPLE.COM"), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "a.corp.example.net"), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "badexample.com"), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "example.com.evil.org"), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "127.0.0.1"), PHONESEC_E_POLICY);
    phonesec_tls_conn_config_init(&cc);
    cc.reference_name = "sip.evil.org";
    assert_int_equal(phonesec_tls_conn_new(c, &cc, &conn), PHONESEC_E_POLICY);
    assert_int_equal(phonesec_tls_ctx_last_error(c, err, sizeof err), PHONESEC_OK);
    assert_non_null(strstr(err, "Restricted Access Domains"));
    assert_int_equal(phonesec_tls_ctx_set_restricted_domains(c, bad, 1), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_ctx_domain_allowed(c, "sip.evil.org"), PHONESEC_E_POLICY); /* unchanged */
    assert_int_equal(phonesec_tls_ctx_set_restricted_domains(c, NULL, 0), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_new(c, &cc, &conn), PHONESEC_OK);
    phonesec_tls_conn_free(conn);
    phonesec_tls_ctx_free(c);
}

static void test_conn_args(void **state)
{
    phonesec_tls_ctx *c = client_ctx(NULL), *sc;
    phonesec_tls_conn_config cc;
    phonesec_tls_conn *conn = NULL;
    phonesec_tls_config cfg;
    (void)state;
    phonesec_tls_conn_config_init(&cc);
    assert_int_equal(phonesec_tls_conn_new(c, &cc, &conn), PHONESEC_E_INVAL); /* no reference name */
    cc.reference_name = "sip.example.com";
    assert_int_equal(phonesec_tls_conn_new(c, &cc, &conn), PHONESEC_E_STATE); /* empty trust list */
    cc.identity_mode = 5;
    assert_int_equal(phonesec_tls_conn_new(c, &cc, &conn), PHONESEC_E_INVAL);
    phonesec_tls_config_init(&cfg);
    cfg.role = PHONESEC_TLS_SERVER;
    assert_int_equal(phonesec_tls_ctx_new(&cfg, &sc), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_new(sc, NULL, &conn), PHONESEC_E_STATE); /* no certificate */
    assert_int_equal(phonesec_tls_conn_new(NULL, NULL, &conn), PHONESEC_E_INVAL);
    assert_int_equal(phonesec_tls_conn_handshake(NULL), PHONESEC_E_INVAL);
    phonesec_tls_conn_free(NULL);
    phonesec_tls_ctx_free(NULL);
    phonesec_tls_ctx_free(sc);
    phonesec_tls_ctx_free(c);
}

static void test_crl(void **state)
{
    phonesec_tls_ctx *cc = client_ctx("ca.crt"), *sc = server_ctx("revoked.crt", "revoked.key"),
                     *good = server_ctx("server.crt", "server.key");
    uint8_t *crl;
    size_t n;
    char err[512];
    (void)state;
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, NULL, NULL, 0), PHONESEC_OK);
    crl = slurp("ca.crl", &n);
    assert_int_equal(phonesec_tls_ctx_add_crl(cc, crl, n, PHONESEC_TLS_FORMAT_AUTO), PHONESEC_OK);
    assert_int_equal(run_hs(cc, sc, "sip.example.com", PHONESEC_TLS_INHERIT, NULL, err, sizeof err),
                     PHONESEC_E_VERIFY);
    assert_non_null(strstr(err, "revoked"));
    assert_int_equal(run_hs(cc, good, "sip.example.com", PHONESEC_TLS_INHERIT, NULL, NULL, 0), PHONESEC_OK);
    {
        /* a CA without a loaded CRL (the intermediate) is not an error */
        phonesec_tls_config cfg;
        phonesec_tls_ctx *ch;
        phonesec_tls_config_init(&cfg);
        ch = server_ctx_cfg(&cfg, "chain.pem", "chained.key");
        assert_int_equal(run_hs(cc, ch, "sip.example.com", PHONESEC_TLS_INHERIT, NULL, err, sizeof err), PHONESEC_OK);
        phonesec_tls_ctx_free(ch);
    }
    assert_int_equal(phonesec_tls_ctx_add_crl(cc, (const uint8_t *)"nope", 4, PHONESEC_TLS_FORMAT_DER),
                     PHONESEC_E_PARSE);
    free(crl);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
    phonesec_tls_ctx_free(good);
}


/* ------------------------------------------------------------ callback mode, non-blocking */

typedef struct {
    uint8_t buf[65536];
    size_t len;
} cb_pipe;

typedef struct {
    cb_pipe *rx, *tx;
    unsigned tick;
} cb_end;

/* A stingy non-blocking transport: every other call would block, and at
 * most 97 bytes move per call. */
static int cb_send(void *user, const uint8_t *d, size_t n, size_t *sent)
{
    cb_end *e = user;
    if (++e->tick % 2 == 0)
        return PHONESEC_E_WOULD_BLOCK;
    if (n > 97)
        n = 97;
    if (e->tx->len + n > sizeof e->tx->buf)
        return PHONESEC_E_WOULD_BLOCK;
    memcpy(e->tx->buf + e->tx->len, d, n);
    e->tx->len += n;
    *sent = n;
    return PHONESEC_OK;
}

static int cb_recv(void *user, uint8_t *b, size_t cap, size_t *got)
{
    cb_end *e = user;
    size_t n;
    if (++e->tick % 2 == 0 || e->rx->len == 0)
        return PHONESEC_E_WOULD_BLOCK;
    n = e->rx->len < cap ? e->rx->len : cap;
    if (n > 97)
        n = 97;
    memcpy(b, e->rx->buf, n);
    memmove(e->rx->buf, e->rx->buf + n, e->rx->len - n);
    e->rx->len -= n;
    *got = n;
    return PHONESEC_OK;
}

static int cb_closed_recv(void *user, uint8_t *b, size_t cap, size_t *got)
{
    (void)user;
    (void)b;
    (void)cap;
    (void)got;
    return PHONESEC_E_CLOSED;
}

static void test_callback_mode(void **state)
{
    static cb_pipe a, b;
    cb_end ce = {&b, &a, 0}, se = {&a, &b, 1};
    phonesec_tls_ctx *cc = client_ctx("ca.crt"), *sc = server_ctx("server.crt", "server.key");
    phonesec_tls_conn_config k;
    phonesec_tls_conn *c = NULL, *s = NULL;
    static const char msg[] = "INVITE sip:bob@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n";
    uint8_t buf[256];
    size_t n, got = 0, off = 0;
    int rc = PHONESEC_E_WOULD_BLOCK, rs = PHONESEC_E_WOULD_BLOCK, i, blocked = 0;
    char err[256];
    (void)state;
    a.len = b.len = 0;
    phonesec_tls_conn_config_init(&k);
    k.reference_name = "sip.example.com";
    k.io.send = cb_send;
    k.io.recv = cb_recv;
    k.io.user = &ce;
    assert_int_equal(phonesec_tls_conn_new(cc, &k, &c), PHONESEC_OK);
    k.reference_name = NULL;
    k.io.user = &se;
    assert_int_equal(phonesec_tls_conn_new(sc, &k, &s), PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_feed(c, buf, 1, &n), PHONESEC_E_STATE); /* not in feed mode */
    assert_int_equal(phonesec_tls_conn_drain(c, buf, sizeof buf, &n), PHONESEC_E_STATE);
    for (i = 0; i < 2000 && (rc != PHONESEC_OK || rs != PHONESEC_OK); i++) {
        if (rc == PHONESEC_E_WOULD_BLOCK) {
            rc = phonesec_tls_conn_handshake(c);
            blocked += rc == PHONESEC_E_WOULD_BLOCK;
            assert_true(rc != PHONESEC_E_WOULD_BLOCK || phonesec_tls_conn_wants(c) != 0);
        }
        if (rs == PHONESEC_E_WOULD_BLOCK)
            rs = phonesec_tls_conn_handshake(s);
    }
    assert_int_equal(rc, PHONESEC_OK);
    assert_int_equal(rs, PHONESEC_OK);
    assert_true(blocked > 5);
    /* application data through the stingy transport, retrying as documented */
    for (i = 0; i < 2000 && (off < sizeof msg - 1 || got < sizeof msg - 1); i++) {
        if (off < sizeof msg - 1) {
            rc = phonesec_tls_conn_write(c, (const uint8_t *)msg + off, sizeof msg - 1 - off, &n);
            if (rc == PHONESEC_OK)
                off += n;
            else
                assert_int_equal(rc, PHONESEC_E_WOULD_BLOCK);
        }
        rs = phonesec_tls_conn_read(s, buf + got, sizeof buf - got, &n);
        if (rs == PHONESEC_OK)
            got += n;
        else
            assert_int_equal(rs, PHONESEC_E_WOULD_BLOCK);
    }
    assert_int_equal(got, sizeof msg - 1);
    assert_memory_equal(buf, msg, got);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    /* transport closed during the handshake: PHONESEC_E_CLOSED with a reason */
    k.io.recv = cb_closed_recv;
    k.reference_name = "sip.example.com";
    k.io.user = &ce;
    assert_int_equal(phonesec_tls_conn_new(cc, &k, &c), PHONESEC_OK);
    for (i = 0; i < 10 && (rc = phonesec_tls_conn_handshake(c)) == PHONESEC_E_WOULD_BLOCK; i++)
        ;
    assert_int_equal(rc, PHONESEC_E_CLOSED);
    assert_int_equal(phonesec_tls_conn_last_error(c, err, sizeof err), PHONESEC_OK);
    assert_non_null(strstr(err, "closed"));
    assert_int_equal(phonesec_tls_conn_handshake(c), PHONESEC_E_STATE);
    phonesec_tls_conn_free(c);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

/* A server may check the client certificate's identity too. */
static void test_server_checks_client_identity(void **state)
{
    phonesec_tls_config cfg;
    phonesec_tls_ctx *cc = client_ctx("ca.crt"), *sc;
    phonesec_tls_conn_config k;
    phonesec_tls_conn *c, *s;
    phonesec_tls_info si = PHONESEC_TLS_INFO_INIT;
    int rs;
    (void)state;
    phonesec_tls_config_init(&cfg);
    cfg.client_cert = PHONESEC_TLS_CLIENT_CERT_REQUIRE;
    cfg.identity_mode = HTTPS;
    sc = server_ctx_cfg(&cfg, "server.crt", "server.key");
    assert_int_equal(phonesec_tls_ctx_add_trusted_file(sc, cert_path("ca.crt")), PHONESEC_OK);
    assert_int_equal(phonesec_tls_ctx_set_certificate_file(cc, cert_path("client.crt"), cert_path("client.key")),
                     PHONESEC_OK);
    phonesec_tls_conn_config_init(&k);
    k.reference_name = "phone1.example.com";
    c = mkconn(cc, "sip.example.com", PHONESEC_TLS_INHERIT);
    assert_int_equal(phonesec_tls_conn_new(sc, &k, &s), PHONESEC_OK);
    assert_int_equal(pump(c, s, &rs), PHONESEC_OK);
    assert_int_equal(rs, PHONESEC_OK);
    assert_int_equal(phonesec_tls_conn_info(s, &si), PHONESEC_OK);
    assert_int_equal(si.name, PHONESEC_TLS_CHECK_PASSED);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    k.reference_name = "phone2.example.com";
    c = mkconn(cc, "sip.example.com", PHONESEC_TLS_INHERIT);
    assert_int_equal(phonesec_tls_conn_new(sc, &k, &s), PHONESEC_OK);
    (void)pump(c, s, &rs);
    assert_int_equal(rs, PHONESEC_E_NAME);
    phonesec_tls_conn_free(c);
    phonesec_tls_conn_free(s);
    phonesec_tls_ctx_free(cc);
    phonesec_tls_ctx_free(sc);
}

/* Fail the N-th allocation everywhere in a full setup + handshake: every
 * failure is reported cleanly and nothing leaks. */
static void test_out_of_memory(void **state)
{
    long n, base;
    int completed = 0;
    (void)state;
    for (n = 1; n < 2000 && !completed; n += 1) {
        phonesec_tls_ctx *cc = NULL, *sc = NULL;
        phonesec_tls_config cfg;
        phonesec_tls_conn *c = NULL, *s = NULL;
        phonesec_tls_conn_config k;
        int rc, rs = -1;
        base = test_alloc_live;
        test_alloc_calls = 0;
        test_alloc_fail_at = n;
        phonesec_tls_config_init(&cfg);
        rc = phonesec_tls_ctx_new(&cfg, &cc);
        if (rc == PHONESEC_OK)
            rc = phonesec_tls_ctx_add_trusted_file(cc, cert_path("ca.crt"));
        cfg.role = PHONESEC_TLS_SERVER;
        if (rc == PHONESEC_OK)
            rc = phonesec_tls_ctx_new(&cfg, &sc);
        if (rc == PHONESEC_OK)
            rc = phonesec_tls_ctx_set_certificate_file(sc, cert_path("server.crt"), cert_path("server.key"));
        phonesec_tls_conn_config_init(&k);
        k.reference_name = "sip.example.com";
        if (rc == PHONESEC_OK)
            rc = phonesec_tls_conn_new(cc, &k, &c);
        if (rc == PHONESEC_OK)
            rc = phonesec_tls_conn_new(sc, NULL, &s);
        if (rc == PHONESEC_OK) {
            rc = pump(c, s, &rs);
            if (rc == PHONESEC_OK && rs == PHONESEC_OK)
                completed = test_alloc_calls < n; /* the failure point was never reached */
        } else {
            if (!(rc == PHONESEC_E_NOMEM || rc == PHONESEC_E_CRYPTO || rc == PHONESEC_E_PARSE))
            {
                char e[300];
                phonesec_tls_ctx_last_error(sc ? sc : cc, e, sizeof e);
                fprintf(stderr, "n=%ld rc=%d %s\n", n, rc, e);
            }
            assert_true(rc == PHONESEC_E_NOMEM || rc == PHONESEC_E_CRYPTO || rc == PHONESEC_E_PARSE ||
                        rc == PHONESEC_E_IO || rc == PHONESEC_E_UNSUPPORTED);
        }
        phonesec_tls_conn_free(c);
        phonesec_tls_conn_free(s);
        phonesec_tls_ctx_free(cc);
        phonesec_tls_ctx_free(sc);
        test_alloc_fail_at = 0;
        if (test_alloc_live != base)
            fprintf(stderr, "leak at n=%ld: %ld\n", n, test_alloc_live - base);
        assert_int_equal(test_alloc_live, base);
    }
    print_message("out-of-memory: %ld failure points tried\n", n - 1);
    assert_true(completed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_sip),
        cmocka_unit_test(test_names_https),
        cmocka_unit_test(test_names_bad_input),
        cmocka_unit_test(test_handshake_ok),
        cmocka_unit_test(test_handshake_name_mismatch),
        cmocka_unit_test(test_handshake_https_mode),
        cmocka_unit_test(test_handshake_chain),
        cmocka_unit_test(test_mutual_tls),
        cmocka_unit_test(test_data_and_close),
        cmocka_unit_test(test_resumption_tls13),
        cmocka_unit_test(test_resumption_tls12),
        cmocka_unit_test(test_resumption_below_policy),
        cmocka_unit_test(test_trust_list),
        cmocka_unit_test(test_certificate_replace_atomic),
        cmocka_unit_test(test_versions_and_ciphers),
        cmocka_unit_test(test_restricted_domains),
        cmocka_unit_test(test_conn_args),
        cmocka_unit_test(test_crl),
        cmocka_unit_test(test_callback_mode),
        cmocka_unit_test(test_server_checks_client_identity),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
