/* Known answer: AEAD_AES_256_GCM, authentication-only SRTCP (RFC 7714 9.2:
 * E = 0; the packet and E|index are the AAD). Computed by the independent
 * Python implementation (tests/srtp/xcheck_oracle.py's RFC 3711 KDF and
 * python3-cryptography's AES-GCM): master key 00..1f, master salt a0..ab,
 * SSRC 0x5ec0de01, the SSRC's first two SRTCP packets (indices 1 and 2;
 * the second is 20 bytes, so its AAD is not a multiple of 16 bytes). */
#ifndef KAT_GCM_SRTCP_AUTH_H
#define KAT_GCM_SRTCP_AUTH_H
#include <stdint.h>
#include <string.h>
#include <phonesec/srtp.h>

static const uint8_t kat_gcm_auth_plain[28] = {0x80, 0xc8, 0x00, 0x06, 0x5e, 0xc0, 0xde, 0x01, 0x10, 0x11,
                                               0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b,
                                               0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23};
/* what follows the packet: the 16-byte tag, then E|index */
static const uint8_t kat_gcm_auth_trailer[20] = {0x96, 0xca, 0x0f, 0x63, 0xd0, 0x8b, 0xcf, 0xfd, 0x4c, 0x70,
                                                 0x9a, 0xee, 0xb2, 0x75, 0xb7, 0x2b, 0x00, 0x00, 0x00, 0x01};

static const uint8_t kat_gcm_auth_plain2[20] = {0x81, 0xc9, 0x00, 0x04, 0x5e, 0xc0, 0xde, 0x01, 0x30, 0x31,
                                                0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x3b};
static const uint8_t kat_gcm_auth_trailer2[20] = {0xef, 0x34, 0xc3, 0x3c, 0x24, 0x4b, 0x85, 0x50, 0xa2, 0xac,
                                                  0x41, 0xaf, 0xb5, 0xff, 0xca, 0x29, 0x00, 0x00, 0x00, 0x02};

static inline void kat_gcm_auth_params(phonesec_srtp_params *p)
{
    size_t i;
    phonesec_srtp_params_init(p);
    p->suite = PHONESEC_SRTP_AEAD_AES_256_GCM;
    p->flags = PHONESEC_SRTP_F_UNENCRYPTED_SRTCP;
    p->n_keys = 1;
    for (i = 0; i < 32; i++)
        p->keys[0].key[i] = (uint8_t)i;
    p->keys[0].key_len = 32;
    for (i = 0; i < 12; i++)
        p->keys[0].salt[i] = (uint8_t)(0xa0 + i);
    p->keys[0].salt_len = 12;
}
#endif
