/*
 * sdes_call: the media side. The negotiated keys become two SRTP sessions
 * (inbound, outbound); 20 ms PCMU packets go out protected and what comes
 * back is unprotected and counted.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sdes_call.h"

int make_sessions(phonesec_sdes *sd, phonesec_srtp **tx, phonesec_srtp **rx)
{
    phonesec_srtp_params in, out;
    phonesec_sdes_section_info si;
    phonesec_srtp_info info;
    int rc;
    if (phonesec_sdes_section(sd, 0, &si) != PHONESEC_OK || si.state != PHONESEC_SDES_SEC_SECURED) {
        fprintf(stderr, "sdes_call: media not secured: %s\n", si.reason);
        return -1;
    }
    if (phonesec_sdes_params(sd, 0, PHONESEC_SDES_INBOUND, &in) != PHONESEC_OK ||
        phonesec_sdes_params(sd, 0, PHONESEC_SDES_OUTBOUND, &out) != PHONESEC_OK)
        return -1;
    if (opt.bad_key)
        out.keys[0].key[0] ^= 0x5a; /* negative test: protect with a key we did not signal */
    rc = phonesec_srtp_new(&in, PHONESEC_SRTP_DIR_INBOUND, 0, rx);
    if (rc == PHONESEC_OK)
        rc = phonesec_srtp_new(&out, PHONESEC_SRTP_DIR_OUTBOUND, 0, tx);
    phonesec_memzero(&in, sizeof in);
    phonesec_memzero(&out, sizeof out);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "sdes_call: SRTP session: %s\n", phonesec_strerror(rc));
        return -1;
    }
    info.version = PHONESEC_SRTP_INFO_VERSION;
    if (phonesec_srtp_get_info(*tx, &info) == PHONESEC_OK)
        printf("[sdes_call] lock icon: %s, tag %u, sending %s, receiving %s\n", info.suite_name, (unsigned)si.tag,
               si.protect_out ? "protected" : "CLEAR", si.protect_in ? "protected" : "CLEAR");
    return 0;
}

/* Send 20 ms PCMU packets for opt.seconds and unprotect what comes back
 * (SRTP and SRTCP); linphone's STUN binding requests are skipped. */
int exchange(int rtp, int rtcp, const struct sockaddr_in *to, phonesec_srtp *tx, phonesec_srtp *rx)
{
    uint8_t pkt[200], wire[300], plain[2048], in[2048];
    uint32_t ssrc, ts = 0;
    uint16_t seq;
    unsigned sent = 0, ok = 0, bad = 0, stun = 0, rtcp_ok = 0;
    double end = now() + opt.seconds, next = now();
    struct sockaddr_in from;
    int rc;
    size_t n;
    if (phonesec_random(&ssrc, sizeof ssrc) != PHONESEC_OK || phonesec_random(&seq, sizeof seq) != PHONESEC_OK)
        return 0;
    seq &= 0x7fff;
    while (now() < end) {
        struct pollfd p[2] = {{rtp, POLLIN, 0}, {rtcp, POLLIN, 0}};
        if (now() >= next) {
            pkt[0] = 0x80;
            pkt[1] = 0;
            pkt[2] = (uint8_t)(seq >> 8);
            pkt[3] = (uint8_t)seq;
            pkt[4] = (uint8_t)(ts >> 24);
            pkt[5] = (uint8_t)(ts >> 16);
            pkt[6] = (uint8_t)(ts >> 8);
            pkt[7] = (uint8_t)ts;
            memcpy(pkt + 8, &ssrc, 4);
            memset(pkt + 12, 0xff, 160);
            if (phonesec_srtp_protect(tx, pkt, 172, wire, sizeof wire, &n) == PHONESEC_OK &&
                sendto(rtp, wire, n, 0, (const struct sockaddr *)to, sizeof *to) == (ssize_t)n)
                sent++;
            seq++;
            ts += 160;
            next += 0.02;
        }
        if (poll(p, 2, 5) <= 0)
            continue;
        if (p[0].revents & POLLIN) {
            socklen_t fl = sizeof from;
            ssize_t r = recvfrom(rtp, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
            if (r >= 20 && in[4] == 0x21 && in[5] == 0x12 && in[6] == 0xa4 && in[7] == 0x42) {
                stun++; /* linphone's ICE binding requests */
                continue;
            }
            if (r <= 0)
                continue;
            rc = phonesec_srtp_unprotect(rx, in, (size_t)r, plain, sizeof plain, &n);
            if (rc == PHONESEC_OK) {
                if (++ok == 1)
                    printf("[sdes_call] first SRTP packet decrypted: %zd bytes -> RTP pt=%u, %zu bytes\n", r,
                           plain[1] & 0x7fu, n);
            } else if (++bad <= 2) {
                char e[256];
                phonesec_srtp_last_error(rx, e, sizeof e);
                printf("[sdes_call] undecryptable packet (%zd bytes): %s\n", r, e);
            }
        }
        if (p[1].revents & POLLIN) {
            socklen_t fl = sizeof from;
            ssize_t r = recvfrom(rtcp, in, sizeof in, 0, (struct sockaddr *)&from, &fl);
            if (r > 0 && phonesec_srtp_unprotect_rtcp(rx, in, (size_t)r, plain, sizeof plain, &n) == PHONESEC_OK)
                rtcp_ok++;
        }
    }
    printf("[sdes_call] SRTP: sent %u protected packets, decrypted %u, failed %u, SRTCP decrypted %u%s\n", sent, ok,
           bad, rtcp_ok, stun ? " (STUN ignored)" : "");
    return (int)ok;
}

