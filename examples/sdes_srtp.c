/*
 * SDES offer and answer into SRTP sessions: what a phone does for one call.
 *
 * The caller adds a=crypto lines to the SDP its SIP stack built, the callee
 * answers with one of them and its own key, the caller checks the answer;
 * both then turn the negotiated keys into one SRTP session per direction and
 * protect RTP with them. Both phones run in this process here; in a real
 * phone the two SDP bodies travel in the INVITE and its 200 OK.
 *
 *   sdes_srtp [SUITE-LIST]      e.g. sdes_srtp AEAD_AES_128_GCM,AES_CM_128_HMAC_SHA1_80
 */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

static const char caller_sdp[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                                 "m=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";
static const char callee_sdp[] = "v=0\r\no=- 2 1 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n"
                                 "m=audio 50000 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n";

/* One SRTP session for a direction of section 0 ("dir": the peer's key for
 * INBOUND, ours for OUTBOUND). The parameters hold keys: wipe them. */
static int session(const phonesec_sdes *sd, int dir, phonesec_srtp **out)
{
    phonesec_srtp_params p;
    int rc = phonesec_sdes_params(sd, 0, dir, &p);
    if (rc == PHONESEC_OK)
        rc = phonesec_srtp_new(&p, dir == PHONESEC_SDES_INBOUND ? PHONESEC_SRTP_DIR_INBOUND
                                                                 : PHONESEC_SRTP_DIR_OUTBOUND, 0, out);
    phonesec_memzero(&p, sizeof p);
    return rc;
}

static int fail(const char *what, int rc, const phonesec_sdes *sd)
{
    char why[256] = "";
    if (sd != NULL)
        (void)phonesec_sdes_last_error(sd, why, sizeof why);
    fprintf(stderr, "sdes_srtp: %s: %s %s\n", what, phonesec_strerror(rc), why);
    return 1;
}

int main(int argc, char **argv)
{
    phonesec_sdes_policy pol = PHONESEC_SDES_POLICY_INIT;
    phonesec_sdes *caller = NULL, *callee = NULL;
    phonesec_srtp *tx = NULL, *rx = NULL;
    phonesec_sdes_section_info si;
    static char offer[4096], answer[4096];
    uint8_t rtp[12 + 160], wire[sizeof rtp + 64], back[sizeof wire];
    size_t n, wlen, blen;
    int rc, status = 1;

    /* Policy of both phones: SRTP compulsory, signalling over TLS. */
    pol.mode = PHONESEC_SDES_MANDATORY;
    if (argc > 1 && (rc = phonesec_sdes_policy_set_suites(&pol, argv[1])) != PHONESEC_OK)
        return fail("suite list", rc, NULL);
    if ((rc = phonesec_sdes_new(&pol, &caller)) != PHONESEC_OK || (rc = phonesec_sdes_new(&pol, &callee)) != PHONESEC_OK)
        return fail("phonesec_sdes_new", rc, NULL);
    (void)phonesec_sdes_set_signalling_tls(caller, 1);
    (void)phonesec_sdes_set_signalling_tls(callee, 1);

    /* Caller: INVITE body. */
    rc = phonesec_sdes_offer(caller, caller_sdp, strlen(caller_sdp), offer, sizeof offer - 1, &n);
    if (rc != PHONESEC_OK) {
        fail("offer", rc, caller);
        goto out;
    }
    offer[n] = '\0';
    printf("--- offer (INVITE body) ---\n%s", offer);

    /* Callee: read the offer, build the 200 OK body. */
    rc = phonesec_sdes_answer(callee, offer, n);
    if (rc == PHONESEC_OK)
        rc = phonesec_sdes_answer_sdp(callee, callee_sdp, strlen(callee_sdp), answer, sizeof answer - 1, &n);
    if (rc != PHONESEC_OK) {
        fail("answer", rc, callee);
        goto out;
    }
    answer[n] = '\0';
    printf("--- answer (200 OK body) ---\n%s", answer);

    /* Caller: check the answer; the lock icon comes from the section state. */
    if ((rc = phonesec_sdes_accept_answer(caller, answer, n)) != PHONESEC_OK) {
        fail("accept_answer", rc, caller);
        goto out;
    }
    if (phonesec_sdes_section(caller, 0, &si) != PHONESEC_OK || si.state != PHONESEC_SDES_SEC_SECURED) {
        fprintf(stderr, "sdes_srtp: the audio section is not secured\n");
        goto out;
    }
    printf("--- negotiated: %s (lock icon on) ---\n", phonesec_sdes_suite_name(si.suite));

    /* Media: the caller protects with its key, the callee unprotects with
     * the key the caller offered (its INBOUND direction). */
    if ((rc = session(caller, PHONESEC_SDES_OUTBOUND, &tx)) != PHONESEC_OK ||
        (rc = session(callee, PHONESEC_SDES_INBOUND, &rx)) != PHONESEC_OK) {
        fail("phonesec_srtp_new", rc, NULL);
        goto out;
    }
    memset(rtp, 0xd5, sizeof rtp);                    /* PCMA silence */
    memcpy(rtp, "\x80\x08\x00\x01\x00\x00\x00\xa0\x12\x34\x56\x78", 12); /* V=2 PT=8 seq=1 ts=160 */
    rc = phonesec_srtp_protect(tx, rtp, sizeof rtp, wire, sizeof wire, &wlen);
    if (rc == PHONESEC_OK)
        rc = phonesec_srtp_unprotect(rx, wire, wlen, back, sizeof back, &blen);
    if (rc != PHONESEC_OK || blen != sizeof rtp || memcmp(back, rtp, blen) != 0) {
        fprintf(stderr, "sdes_srtp: media round trip failed: %s\n", phonesec_strerror(rc));
        goto out;
    }
    printf("RTP %zu bytes -> SRTP %zu bytes -> RTP %zu bytes, identical\n", sizeof rtp, wlen, blen);
    /* The same packet again is a replay: refused. */
    rc = phonesec_srtp_unprotect(rx, wire, wlen, back, sizeof back, &blen);
    printf("replayed packet: %s\n", phonesec_strerror(rc));
    status = rc == PHONESEC_E_REPLAY ? 0 : 1;
out:
    phonesec_srtp_free(tx); /* wipes the session keys */
    phonesec_srtp_free(rx);
    phonesec_sdes_free(caller);
    phonesec_sdes_free(callee);
    return status;
}
