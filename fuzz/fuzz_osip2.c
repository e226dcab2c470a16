/* Fuzz target: the oSIP2 adapter on any message oSIP2 accepts.
 * Input: a SIP message. Checks: a request decorated on an agreed flow
 * prints with exactly one Security-Verify line (the server's one mechanism)
 * and at most one Security-Client (REGISTER), whatever Security-* / Require lines it carried
 * (any case, duplicates), and oSIP2 reparses it; a response never crashes
 * the negotiation; an SDP body goes through SDES answer and set_sdp. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

#include "phonesec_osip2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char r494[] = "SIP/2.0 494 Security Agreement Required\r\n"
                           "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-1\r\n"
                           "From: <sip:1@a>;tag=1\r\nTo: <sip:1@a>;tag=2\r\nCall-ID: c\r\nCSeq: 1 REGISTER\r\n"
                           "Security-Server: sdes-srtp;mediasec;q=0.1\r\nContent-Length: 0\r\n\r\n";
static const char local_sdp[] = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                "m=audio 40000 RTP/AVP 0\r\n";
static int ready;

static size_t count_lines(const char *txt, const char *prefix)
{
    size_t n = 0, pl = strlen(prefix);
    const char *p = txt, *end = strstr(txt, "\r\n\r\n");
    while (p != NULL && (end == NULL || p < end)) {
        if (strncmp(p, prefix, pl) == 0)
            n++;
        p = strstr(p, "\r\n");
        if (p != NULL)
            p += 2;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    osip_message_t *m = NULL, *r = NULL;
    phonesec_mediasec_config c = PHONESEC_MEDIASEC_CONFIG_INIT;
    phonesec_mediasec *ms = NULL;
    if (!ready) {
        parser_init();
        if (phonesec_init(NULL) != PHONESEC_OK)
            abort();
        ready = 1;
    }
    if (phonesec_osip2_parse(data, size, &m) != PHONESEC_OK)
        return 0;
    c.client_initiated = 1;
    if (phonesec_mediasec_new(&c, &ms) != PHONESEC_OK || phonesec_mediasec_reset(ms, 1) != PHONESEC_OK)
        abort();
    if (MSG_IS_REQUEST(m)) {
        if (phonesec_osip2_parse((const uint8_t *)r494, sizeof r494 - 1, &r) != PHONESEC_OK ||
            phonesec_osip2_on_response(ms, r) != PHONESEC_OK)
            abort();
        if (phonesec_osip2_prepare_request(ms, m) == PHONESEC_OK) {
            char *t = NULL;
            size_t n;
            osip_message_t *back = NULL;
            if (osip_message_to_str(m, &t, &n) == 0 && t != NULL) {
                if (count_lines(t, "Security-Verify: sdes-srtp;mediasec;q=0.1\r\n") != 1 ||
                    count_lines(t, "Security-Verify:") != 1 || count_lines(t, "Security-Client:") > 1)
                    abort();
                if (phonesec_osip2_parse((const uint8_t *)t, n, &back) != PHONESEC_OK)
                    abort();
                osip_message_free(back);
                osip_free(t);
            }
        }
    } else {
        (void)phonesec_osip2_on_response(ms, m);
    }
    {
        sdp_message_t *offer = NULL, *local = NULL, *ans = NULL;
        phonesec_sdes_policy p = PHONESEC_SDES_POLICY_INIT;
        phonesec_sdes *s = NULL;
        if (phonesec_osip2_message_sdp(m, &offer) == PHONESEC_OK && sdp_message_init(&local) == 0 &&
            sdp_message_parse(local, local_sdp) == 0 && phonesec_sdes_new(&p, &s) == PHONESEC_OK) {
            if (phonesec_osip2_sdes_answer(s, offer, local, &ans) == PHONESEC_OK &&
                phonesec_osip2_set_sdp(m, ans) != PHONESEC_OK)
                abort();
        }
        phonesec_sdes_free(s);
        sdp_message_free(ans);
        sdp_message_free(local);
        sdp_message_free(offer);
    }
    osip_message_free(r);
    osip_message_free(m);
    phonesec_mediasec_free(ms);
    return 0;
}
