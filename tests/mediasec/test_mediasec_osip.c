/* Cross-check against an independent SIP parser (libosip2):
 *  - every vector message: the Security-* and Require header values osip finds
 *    give the same mechanism lists / option tags as our raw-text helpers;
 *  - every message our negotiation produced still parses with osip, with the
 *    Security-Verify values, Content-Length and body osip sees being the ones
 *    expected. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "support.h"

static const char *const files[] = {"tk-register1.sip",    "tk-401.sip",          "tk-register2.sip",
                                    "tk-200-register.sip", "tk-reregister-stale.sip", "tk-invite.sip",
                                    "srv-494.sip",         "resp-420.sip",        "tk-401-new.sip",
                                    "tk-invite.expect",    "tk-register2-client.expect"};
static const char *const hdrs[] = {"Security-Server", "Security-Client", "Security-Verify"};

static char *vec(const char *name, size_t *len)
{
    char path[256];
    char *s;
    snprintf(path, sizeof path, "mediasec/%s", name);
    s = test_read_vector(path, len);
    if (s == NULL)
        fail_msg("cannot read %s", path);
    return s;
}

/* Mechanism list built from the values osip returns for header h. */
static int osip_list(osip_message_t *m, const char *h, phonesec_mediasec_list *l, size_t *count)
{
    osip_header_t *hd;
    int pos = 0;
    char lower[64];
    size_t i;
    for (i = 0; h[i] && i < sizeof lower - 1; i++)
        lower[i] = (char)((h[i] >= 'A' && h[i] <= 'Z') ? h[i] + 32 : h[i]);
    lower[i] = '\0';
    *count = 0;
    while ((pos = osip_message_header_get_byname(m, lower, pos, &hd)) >= 0) {
        if (hd->hvalue == NULL || phonesec_mediasec_list_parse(l, hd->hvalue, strlen(hd->hvalue)) != 0)
            return -1;
        (*count)++;
        pos++;
    }
    return 0;
}

static void same_lists_as_osip(void **state)
{
    size_t f, k;
    (void)state;
    for (f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t len;
        char *msg = vec(files[f], &len);
        osip_message_t *m;
        assert_int_equal(osip_message_init(&m), 0);
        if (osip_message_parse(m, msg, len) != 0)
            fail_msg("osip cannot parse %s", files[f]);
        for (k = 0; k < sizeof hdrs / sizeof hdrs[0]; k++) {
            phonesec_mediasec_list *a = NULL, *b = NULL;
            size_t oc, ours;
            assert_int_equal(phonesec_mediasec_list_new(&a), 0);
            assert_int_equal(phonesec_mediasec_list_new(&b), 0);
            assert_int_equal(osip_list(m, hdrs[k], a, &oc), 0);
            assert_int_equal(phonesec_mediasec_msg_count(msg, len, hdrs[k], &ours), 0);
            /* osip splits comma lists into separate header entries */
            if ((oc == 0) != (ours == 0) || oc < ours)
                fail_msg("%s: %s count osip %zu ours %zu", files[f], hdrs[k], oc, ours);
            if (ours > 0) {
                assert_int_equal(phonesec_mediasec_list_from_msg(b, msg, len, hdrs[k]), 0);
                if (phonesec_mediasec_list_equal(a, b) != PHONESEC_OK)
                    fail_msg("%s: %s lists differ from osip's", files[f], hdrs[k]);
                assert_true(phonesec_mediasec_list_count(a) > 0);
            }
            phonesec_mediasec_list_free(a);
            phonesec_mediasec_list_free(b);
        }
        osip_message_free(m);
        free(msg);
    }
}

static void our_output_parses_with_osip(void **state)
{
    phonesec_mediasec_config c;
    phonesec_mediasec *ms = NULL;
    size_t l401, linv, n;
    char *r401 = vec("tk-401.sip", &l401), *inv = vec("tk-invite.sip", &linv);
    static char out[8192];
    osip_message_t *m;
    osip_header_t *hd;
    osip_body_t *body;
    osip_content_length_t *cl;
    int pos = 0, k = 0;
    static const char *const want[] = {"msrp-tls;mediasec", "sdes-srtp;mediasec", "dtls-srtp;mediasec"};
    (void)state;
    phonesec_mediasec_config_init(&c);
    c.client_initiated = 1;
    assert_int_equal(phonesec_mediasec_new(&c, &ms), 0);
    assert_int_equal(phonesec_mediasec_reset(ms, 1), 0);
    assert_int_equal(phonesec_mediasec_on_response(ms, r401, l401), 0);
    assert_int_equal(phonesec_mediasec_prepare_request(ms, inv, linv, out, sizeof out, &n), 0);
    assert_int_equal(osip_message_init(&m), 0);
    assert_int_equal(osip_message_parse(m, out, n), 0);
    while ((pos = osip_message_header_get_byname(m, "security-verify", pos, &hd)) >= 0) {
        assert_true(k < 3);
        assert_string_equal(hd->hvalue, want[k]);
        k++;
        pos++;
    }
    assert_int_equal(k, 3);
    cl = osip_message_get_content_length(m);
    assert_non_null(cl);
    assert_int_equal(osip_message_get_body(m, 0, &body), 0);
    assert_int_equal((size_t)atoi(cl->value), body->length);
    assert_non_null(strstr(body->body, "a=3ge2ae:requested"));
    assert_memory_equal(body->body, strstr(inv, "\r\n\r\n") + 4, body->length);
    osip_message_free(m);
    phonesec_mediasec_free(ms);
    free(r401);
    free(inv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_lists_as_osip),
        cmocka_unit_test(our_output_parses_with_osip),
    };
    parser_init();
    return cmocka_run_group_tests_name("mediasec_osip", tests, test_platform_setup, test_platform_teardown);
}
