/*
 * MediaSec REGISTER (RFC 3329 security agreement with the `mediasec`
 * parameter), as carriers such as Deutsche Telekom require it.
 *
 * The SIP stack builds its requests as usual; before sending each one it
 * lets phonesec_mediasec_prepare_request() add Security-Client (first
 * REGISTER) or Security-Verify (every request once agreed) and the option
 * tags; every response goes through phonesec_mediasec_on_response(). After
 * a new flow (the persistent TLS flow's REESTABLISHED event) the stack calls
 * phonesec_mediasec_reset() and registers again.
 *
 *   mediasec_register [RESPONSE_FILE]
 *
 * Without a file, a Telekom-style 401 with two Security-Server headers is
 * used. Prints the first REGISTER, the one after the 401, and an INVITE.
 */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

#define REQ(method, cseq, extra)                                                                           \
    method " sip:tel.example.net SIP/2.0\r\nVia: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK-" #cseq "\r\n" \
           "From: <sip:+4930123@tel.example.net>;tag=1\r\nTo: <sip:+4930123@tel.example.net>\r\n"           \
           "Call-ID: reg-1\r\nCSeq: " #cseq " " method "\r\n" extra "Content-Length: 0\r\n\r\n"

static const char default_401[] =
    "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK-1\r\n"
    "From: <sip:+4930123@tel.example.net>;tag=1\r\nTo: <sip:+4930123@tel.example.net>;tag=srv\r\n"
    "Call-ID: reg-1\r\nCSeq: 1 REGISTER\r\n"
    "WWW-Authenticate: Digest realm=\"tel.example.net\",nonce=\"abc\",algorithm=MD5,qop=\"auth\"\r\n"
    "Security-Server: sdes-srtp;mediasec;q=0.1\r\nSecurity-Server: msrp-tls;mediasec;q=0.2\r\n"
    "Content-Length: 0\r\n\r\n";

/* Decorate one request and print it. */
static int send_request(phonesec_mediasec *ms, const char *req)
{
    char out[2048], err[256];
    size_t n;
    int rc = phonesec_mediasec_prepare_request(ms, req, strlen(req), out, sizeof out, &n);
    if (rc != PHONESEC_OK) {
        (void)phonesec_mediasec_last_error(ms, err, sizeof err);
        fprintf(stderr, "mediasec_register: prepare_request: %s %s\n", phonesec_strerror(rc), err);
        return -1;
    }
    printf("%.*s", (int)n, out);
    return 0;
}

int main(int argc, char **argv)
{
    phonesec_mediasec_config cfg = PHONESEC_MEDIASEC_CONFIG_INIT;
    phonesec_mediasec *ms = NULL;
    static char resp[8192];
    size_t len = sizeof default_401 - 1;
    int rc, status = 1;

    if (argc > 1) { /* a 401/494 captured from a real registrar */
        FILE *f = fopen(argv[1], "rb");
        if (f == NULL) {
            perror(argv[1]);
            return 2;
        }
        len = fread(resp, 1, sizeof resp - 1, f);
        fclose(f);
    } else {
        memcpy(resp, default_401, len);
    }

    /* "MediaSec Request = Yes", "MediaSec Over TLS Only = Yes", and no
     * registration without agreement. */
    cfg.client_initiated = 1;
    cfg.tls_only = 1;
    cfg.policy = PHONESEC_MEDIASEC_MANDATORY;
    cfg.client_mechanisms = "sdes-srtp;mediasec";
    if ((rc = phonesec_mediasec_new(&cfg, &ms)) != PHONESEC_OK ||
        (rc = phonesec_mediasec_reset(ms, 1)) != PHONESEC_OK) { /* this flow is TLS */
        fprintf(stderr, "mediasec_register: %s\n", phonesec_strerror(rc));
        goto out;
    }

    printf("=== REGISTER 1 (Security-Client) ===\n");
    if (send_request(ms, REQ("REGISTER", 1, "Expires: 600\r\n")) != 0)
        goto out;

    if ((rc = phonesec_mediasec_on_response(ms, resp, len)) != PHONESEC_OK) {
        fprintf(stderr, "mediasec_register: the response refused the registration: %s\n", phonesec_strerror(rc));
        goto out;
    }
    printf("=== 401 read: state %s ===\n",
           phonesec_mediasec_state(ms) == PHONESEC_MEDIASEC_ST_AGREED ? "AGREED" : "not agreed");

    printf("=== REGISTER 2 (with credentials; Security-Verify mirrors the server's list) ===\n");
    if (send_request(ms, REQ("REGISTER", 2, "Authorization: Digest username=\"+4930123\"\r\nExpires: 600\r\n")) != 0)
        goto out;

    /* Calls on this line now need SDES-SRTP, and offers carry a=3ge2ae. */
    printf("=== INVITE (media policy: %s) ===\n",
           (phonesec_mediasec_media_policy(ms) & PHONESEC_MEDIASEC_MEDIA_SDES_REQUIRED) ? "SDES-SRTP required"
                                                                                        : "none");
    if (send_request(ms, REQ("INVITE", 3, "")) != 0)
        goto out;
    status = 0;
out:
    phonesec_mediasec_free(ms);
    return status;
}
