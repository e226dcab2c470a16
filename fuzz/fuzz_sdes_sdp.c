/* Fuzz target: the SDP scanner and the SDES answerer/offerer. The first byte
 * picks the policy. Invariants: every answer line reparses with the tag the
 * section reports; our own offer, answered by a peer with the same policy,
 * is accepted; every secured section gives parameters that phonesec_srtp_new()
 * takes in both directions (SDES never agrees on what SRTP cannot run). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char out[1 << 17], out2[1 << 17];
static phonesec_sdes_crypto c;

/* A fast deterministic random hook: the default DRBG costs ~90 us a call,
 * which would starve the fuzzer; the keys' quality does not matter here. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static int fast_random(void *ud, uint8_t *buf, size_t len)
{
    size_t i;
    (void)ud;
    for (i = 0; i < len; i++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        buf[i] = (uint8_t)rng_state;
    }
    return 0;
}

static void init_once(void)
{
    static int done;
    phonesec_platform p;
    if (done)
        return;
    phonesec_platform_init(&p);
    p.random_fn = fast_random;
    if (phonesec_init(&p) != PHONESEC_OK)
        abort();
    done = 1;
}

/* Both SRTP sessions of section i must be made. */
static void sessions_or_abort(const phonesec_sdes *s, size_t i, unsigned flags)
{
    phonesec_srtp_params p;
    phonesec_srtp *x = NULL;
    unsigned opts = (flags & PHONESEC_SDES_ALLOW_NULL) ? PHONESEC_SRTP_OPT_ALLOW_NULL : 0;
    int d;
    for (d = 0; d < 2; d++) {
        if (phonesec_sdes_params(s, i, d ? PHONESEC_SDES_OUTBOUND : PHONESEC_SDES_INBOUND, &p) != PHONESEC_OK)
            abort();
        if (phonesec_srtp_new(&p, d ? PHONESEC_SRTP_DIR_OUTBOUND : PHONESEC_SRTP_DIR_INBOUND, opts, &x) != PHONESEC_OK)
            abort();
        phonesec_srtp_free(x);
        x = NULL;
        phonesec_memzero(&p, sizeof p);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    phonesec_sdes_policy pol;
    phonesec_sdes *a = NULL, *b = NULL;
    const char *sdp;
    size_t len, n, n2, i;
    char l[PHONESEC_SDES_LINE_MAX + 1];

    if (size < 1 || size > 65536)
        return 0;
    init_once();
    phonesec_sdes_policy_init(&pol);
    pol.mode = data[0] % 3;
    if (data[0] & 0x04)
        pol.flags |= PHONESEC_SDES_ALLOW_NULL | PHONESEC_SDES_ALLOW_UNENCRYPTED;
    if (data[0] & 0x08)
        pol.flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT | PHONESEC_SDES_OFFER_3GE2AE;
    if (data[0] & 0x10)
        pol.mki_len = 1 + (data[0] >> 6);
    if ((data[0] & 0x20) && phonesec_sdes_policy_set_suites(&pol, "AEAD_AES_128_GCM,AES_CM_128_HMAC_SHA1_32") != 0)
        abort();
    sdp = (const char *)data + 1;
    len = size - 1;
    if (phonesec_sdes_new(&pol, &a) != PHONESEC_OK || phonesec_sdes_new(&pol, &b) != PHONESEC_OK)
        abort();
    (void)phonesec_sdes_set_signalling_tls(a, 1);
    (void)phonesec_sdes_set_signalling_tls(b, 1);

    /* Answerer on the input. */
    if (phonesec_sdes_answer(a, sdp, len) == PHONESEC_OK) {
        size_t cnt = phonesec_sdes_section_count(a);
        if (cnt == 0)
            abort();
        for (i = 0; i < cnt; i++) {
            phonesec_sdes_section_info info;
            phonesec_srtp_params p;
            if (phonesec_sdes_section(a, i, &info) != PHONESEC_OK ||
                phonesec_sdes_answer_mline(a, i, l, sizeof l, &n) != PHONESEC_OK)
                abort();
            if (info.state == PHONESEC_SDES_SEC_SECURED) {
                if (phonesec_sdes_answer_crypto(a, i, l, sizeof l, &n) != PHONESEC_OK ||
                    phonesec_sdes_crypto_parse(l, n, &c, NULL, 0) != PHONESEC_OK || c.tag != info.tag ||
                    c.suite != info.suite)
                    abort();
                if (phonesec_sdes_params(a, i, PHONESEC_SDES_INBOUND, &p) != PHONESEC_OK || p.suite != info.suite ||
                    phonesec_sdes_params(a, i, PHONESEC_SDES_OUTBOUND, &p) != PHONESEC_OK)
                    abort();
                sessions_or_abort(a, i, pol.flags);
            }
        }
        if (phonesec_sdes_answer_sdp(a, sdp, len, out, sizeof out, &n) != PHONESEC_OK)
            abort();
        /* Our answer is SDP again. */
        if (phonesec_sdes_answer(b, out, n) == PHONESEC_E_PARSE && n > 0) {
            /* duplicate tags cannot appear in our answer; other parse errors would be ours */
            abort();
        }
        phonesec_sdes_free(b);
        b = NULL;
        if (phonesec_sdes_new(&pol, &b) != PHONESEC_OK)
            abort();
        (void)phonesec_sdes_set_signalling_tls(b, 1);
    }
    /* Garbage as an answer to nothing, then as local SDP for an offer. */
    if (phonesec_sdes_accept_answer(a, sdp, len) != PHONESEC_E_STATE)
        abort();
    phonesec_sdes_free(a);
    a = NULL;
    if (phonesec_sdes_new(&pol, &a) != PHONESEC_OK)
        abort();
    (void)phonesec_sdes_set_signalling_tls(a, 1);
    if (phonesec_sdes_offer(a, sdp, len, out, sizeof out, &n) == PHONESEC_OK) {
        int r = phonesec_sdes_accept_answer(a, sdp, len); /* garbage answer: any result, no crash */
        (void)r;
        if (phonesec_sdes_offer(a, sdp, len, out, sizeof out, &n) != PHONESEC_OK)
            abort();
        /* A peer with the same policy answers our offer: we must accept it. */
        if (phonesec_sdes_answer(b, out, n) == PHONESEC_OK) {
            if (phonesec_sdes_answer_sdp(b, out, n, out2, sizeof out2, &n2) != PHONESEC_OK)
                abort();
            if (phonesec_sdes_accept_answer(a, out2, n2) != PHONESEC_OK)
                abort();
            for (i = 0; i < phonesec_sdes_section_count(a); i++) {
                phonesec_sdes_section_info info;
                if (phonesec_sdes_section(a, i, &info) != PHONESEC_OK)
                    abort();
                if (info.state == PHONESEC_SDES_SEC_SECURED)
                    sessions_or_abort(a, i, pol.flags);
            }
        }
    }
    phonesec_sdes_crypto_wipe(&c);
    phonesec_sdes_free(a);
    phonesec_sdes_free(b);
    return 0;
}
