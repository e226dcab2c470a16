/*
 * sdes_call: a minimal SIP-over-UDP phone leg on libphonesec's public API.
 * It offers or answers SDES (RFC 4568) in SDP, makes the two SRTP sessions
 * from the negotiated keys and exchanges 20 ms PCMU packets, counting what
 * decrypts. Loopback interop with baresip and linphonec
 * (tests/srtp/interop_sdes.sh).
 *
 *   sdes_call answer [--port 5090] [--rtp 11000] [--timeout 15] [--seconds 2]
 *   sdes_call offer --to sip:bob@127.0.0.1:5082 [--suites LIST] [--port ..] [--rtp ..]
 *   common: [--tag32-compat] [--bad-key]
 *
 * Exit 0 when at least 10 packets decrypted and the peer got ours; 1 otherwise.
 * This is an example, not a SIP stack: no retransmissions, no authentication.
 * Files: sdes_call.c (options, setup), call_leg.c (offerer and answerer),
 * call_sip.c (UDP, SIP text), call_media.c (SRTP sessions, RTP exchange).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sdes_call.h"

struct call_opt opt = {0, 5090, 11000, NULL, NULL, 15, 2, 0, 0};

static void log_hook(void *ud, int level, const char *module, const char *msg)
{
    (void)ud;
    printf("[sdes_call] %s %s: %s\n", level <= PHONESEC_LOG_WARN ? "warning" : "info", module, msg);
}

int main(int argc, char **argv)
{
    phonesec_platform plat = PHONESEC_PLATFORM_INIT;
    phonesec_sdes_policy pol = PHONESEC_SDES_POLICY_INIT;
    phonesec_sdes *sd = NULL;
    int sip, rtp, rtcp, i, ok;
    char tag[17];
    uint32_t rnd;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "answer") == 0)
            opt.answer = 1;
        else if (strcmp(argv[i], "offer") == 0)
            opt.answer = 0;
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            opt.port = atoi(argv[++i]);
        else if (strcmp(argv[i], "--rtp") == 0 && i + 1 < argc)
            opt.rtp = atoi(argv[++i]);
        else if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
            opt.to = argv[++i];
        else if (strcmp(argv[i], "--suites") == 0 && i + 1 < argc)
            opt.suites = argv[++i];
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
            opt.timeout = atof(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            opt.seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--tag32-compat") == 0)
            opt.compat32 = 1;
        else if (strcmp(argv[i], "--bad-key") == 0)
            opt.bad_key = 1;
        else {
            fprintf(stderr, "usage: sdes_call answer|offer [--to URI] [--port N] [--rtp N] [--suites LIST] "
                            "[--timeout S] [--seconds S] [--tag32-compat] [--bad-key]\n");
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    plat.log_fn = log_hook;
    if (phonesec_init(&plat) != PHONESEC_OK)
        return 1;
    pol.mode = PHONESEC_SDES_MANDATORY;
    if (opt.compat32)
        pol.flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT;
    if (opt.suites == NULL) {
        /* Offer/accept only what the linked libsrtp2 can really do: its AES-192
         * key derivation may be wrong (phonesec_srtp_suite_supported() checks). */
        opt.suites = phonesec_srtp_suite_supported(PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80) == PHONESEC_OK
                         ? "AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32,AES_256_CM_HMAC_SHA1_80,"
                           "AES_256_CM_HMAC_SHA1_32,AES_192_CM_HMAC_SHA1_80,AES_192_CM_HMAC_SHA1_32,"
                           "AEAD_AES_256_GCM,AEAD_AES_128_GCM"
                         : "AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32,AES_256_CM_HMAC_SHA1_80,"
                           "AES_256_CM_HMAC_SHA1_32,AEAD_AES_256_GCM,AEAD_AES_128_GCM";
    }
    if (phonesec_sdes_policy_set_suites(&pol, opt.suites) != PHONESEC_OK) {
        fprintf(stderr, "sdes_call: bad --suites\n");
        return 2;
    }
    if (phonesec_sdes_new(&pol, &sd) != PHONESEC_OK)
        return 1;
    (void)phonesec_sdes_set_signalling_tls(sd, 0);
    if (phonesec_random(&rnd, sizeof rnd) != PHONESEC_OK)
        return 1;
    snprintf(tag, sizeof tag, "%08x", (unsigned)rnd);
    sip = udp_bind(opt.port);
    rtp = udp_bind(opt.rtp);
    rtcp = udp_bind(opt.rtp + 1);
    ok = opt.answer ? answer_leg(sd, sip, rtp, rtcp, tag) : offer_leg(sd, sip, rtp, rtcp, tag, rnd);
    phonesec_sdes_free(sd);
    phonesec_shutdown();
    close(sip);
    close(rtp);
    close(rtcp);
    if (ok == -2)
        return 2;
    return ok >= 10 ? 0 : 1;
}
