/* Fuzz target: arbitrary packets into SRTP/SRTCP unprotect, every suite
 * (with and without MKI; F8, KDR and MKI with GCM on the native engine),
 * buffers of every size. Nothing may crash, and a
 * packet that unprotects must shrink by exactly the session's overhead. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t g_kdr; /* KDR of the next session made */

static phonesec_srtp *make_w(int suite, size_t klen, size_t slen, size_t mki_len, unsigned flags, uint32_t wsh,
                             uint32_t roc)
{
    phonesec_srtp_params p;
    phonesec_srtp *s = NULL;
    size_t i, k;
    int rc;
    phonesec_srtp_params_init(&p);
    p.suite = suite;
    p.flags = flags;
    p.wsh = wsh;
    p.roc = roc;
    p.kdr = g_kdr;
    p.n_keys = mki_len ? 2 : 1;
    for (k = 0; k < p.n_keys; k++) {
        for (i = 0; i < klen; i++)
            p.keys[k].key[i] = (uint8_t)(i + 1 + k);
        for (i = 0; i < slen; i++)
            p.keys[k].salt[i] = (uint8_t)(0xa0 + i);
        p.keys[k].key_len = klen;
        p.keys[k].salt_len = slen;
        p.keys[k].mki_len = mki_len;
        for (i = 0; i < mki_len; i++)
            p.keys[k].mki[i] = (uint8_t)(k + i);
    }
    rc = phonesec_srtp_new(&p, PHONESEC_SRTP_DIR_INBOUND, PHONESEC_SRTP_OPT_ALLOW_NULL, &s);
    if (rc == PHONESEC_E_UNSUPPORTED)
        return NULL; /* what the engine of this build cannot run (libsrtp2: AES-192, MKI with mixed tags,
                        F8, KDR, MKI with GCM) */
    if (rc != PHONESEC_OK)
        abort();
    return s;
}

static phonesec_srtp *make(int suite, size_t klen, size_t slen, size_t mki_len, unsigned flags)
{
    return make_w(suite, klen, slen, mki_len, flags, 0, 0);
}

#define NSESS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static phonesec_srtp *sess[NSESS];
    static uint8_t out[8192];
    phonesec_srtp_info info;
    phonesec_srtp *s;
    size_t n = 0, cap, over;
    int rc, rtcp;

    if (sess[0] == NULL) {
        sess[0] = make(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 16, 14, 0, 0);
        sess[1] = make(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32, 16, 14, 4, PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT);
        sess[2] = make(PHONESEC_SRTP_AEAD_AES_128_GCM, 16, 12, 0, 0);
        sess[3] = make(PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80, 32, 14, 1, PHONESEC_SRTP_F_UNENCRYPTED_SRTCP);
        sess[4] = make(PHONESEC_SRTP_NULL_HMAC_SHA1_32, 16, 14, 0, PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT);
        sess[5] = make(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 16, 14, 0, PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP);
        /* every other suite, and the edges: a large window, ROC 2^32-1,
         * unencrypted SRTCP with GCM, an 80-bit SRTCP tag with a _32 suite
         * and an MKI */
        sess[6] = make_w(PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80, 24, 14, 0, 0, 32767, 0);
        sess[7] = make(PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32, 32, 14, 2, 0);
        sess[8] = make_w(PHONESEC_SRTP_AEAD_AES_256_GCM, 32, 12, 0, PHONESEC_SRTP_F_UNENCRYPTED_SRTCP, 0, 0xffffffffu);
        sess[9] = make(PHONESEC_SRTP_NULL_HMAC_SHA1_80, 16, 14, 3, 0);
        sess[10] = make(PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32, 24, 14, 0, PHONESEC_SRTP_F_UNENCRYPTED_SRTP);
        sess[11] = make_w(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 16, 14, 0, 0, 0, 0xffffffffu);
        /* issue 12, native engine: F8 with an MKI, MKI with GCM (after the
         * tag; SRTCP after E|index), a key derivation rate of 2 packets */
        sess[12] = make(PHONESEC_SRTP_F8_128_HMAC_SHA1_80, 16, 14, 2, 0);
        sess[13] = make(PHONESEC_SRTP_AEAD_AES_128_GCM, 16, 12, 1, 0);
        g_kdr = 1;
        sess[14] = make(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, 16, 14, 0, 0);
        g_kdr = 0;
        sess[15] = make(PHONESEC_SRTP_AEAD_AES_256_GCM, 32, 12, 3, PHONESEC_SRTP_F_UNENCRYPTED_SRTCP);
    }
    if (size < 2 || size > 6000)
        return 0;
    s = sess[(data[0] & 0x07) + 8 * ((data[1] >> 7) & 1) < NSESS ? (data[0] & 0x07) + 8 * ((data[1] >> 7) & 1)
                                                                  : data[0] % 6];
    if (s == NULL)
        s = sess[0];
    rtcp = (data[0] >> 3) & 1;
    cap = (data[0] & 0x80) ? sizeof out : (size_t)data[1] * 24;
    data += 2;
    size -= 2;
    info.version = PHONESEC_SRTP_INFO_VERSION;
    if (phonesec_srtp_get_info(s, &info) != PHONESEC_OK)
        abort();
    over = rtcp ? info.rtcp_overhead : info.rtp_overhead;
    rc = rtcp ? phonesec_srtp_unprotect_rtcp(s, data, size, out, cap, &n)
              : phonesec_srtp_unprotect(s, data, size, out, cap, &n);
    if (rc == PHONESEC_OK && (n + over != size || n > cap))
        abort();
    if (rc > 0 || rc < PHONESEC_E_HANDSHAKE)
        abort();
    return 0;
}
