/* Benchmark: SRTP protect/unprotect of 160-byte G.711 payloads through
 * libphonesec against bare libsrtp2 calls, side by side in one run
 * (interleaved rounds, best round reported); allocations per packet through
 * the library's allocator hook and, in non-sanitizer builds, every malloc of
 * the process (libsrtp2's and its crypto backend's included); SDES offer -> answer -> both sessions. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include "support.h"

/* ---- counting every malloc of the process (glibc, no sanitizer) ---------- */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_INTERPOSE 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define NO_INTERPOSE 1
#endif

static long g_sys_allocs;
#if !defined(NO_INTERPOSE) && defined(__GLIBC__)
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
void *malloc(size_t n)
{
    g_sys_allocs++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    g_sys_allocs++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    g_sys_allocs++;
    return __libc_realloc(p, n);
}
#define SYS_COUNTING 1
#else
#define SYS_COUNTING 0
#endif

#define BLOCK 250   /* packets per timed block */
#define NBLOCK 200  /* blocks per variant, alternating ours / bare */
#define NPKT (BLOCK * NBLOCK)
#define PAYLOAD 160

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint8_t key[46];
static uint8_t (*prot)[12 + PAYLOAD + 16];
static size_t prot_len;

static void mkpkt(uint8_t *b, uint16_t seq)
{
    static const uint8_t h[12] = {0x80, 0x00, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};
    memcpy(b, h, 12);
    b[2] = (uint8_t)(seq >> 8);
    b[3] = (uint8_t)seq;
    memset(b + 12, 0xd5, PAYLOAD);
}

static unsigned g_flags; /* PHONESEC_SRTP_F_* for ours(); the NULL/no-auth run sets it */

static phonesec_srtp *ours(int suite, int dir)
{
    phonesec_srtp_params p;
    phonesec_srtp *s = NULL;
    size_t kl = 0, sl = 0;
    phonesec_srtp_params_init(&p);
    p.suite = suite;
    p.flags = g_flags;
    p.n_keys = 1;
    (void)phonesec_srtp_suite_lengths(suite, &kl, &sl);
    memcpy(p.keys[0].key, key, kl);
    memcpy(p.keys[0].salt, key + kl, sl);
    p.keys[0].key_len = kl;
    p.keys[0].salt_len = sl;
    if (phonesec_srtp_new(&p, dir, PHONESEC_SRTP_OPT_ALLOW_NULL, &s) != PHONESEC_OK)
        abort();
    return s;
}

static srtp_t bare(int suite, int dir)
{
    srtp_policy_t p;
    srtp_t s = NULL;
    memset(&p, 0, sizeof p);
    if (suite == PHONESEC_SRTP_NULL_HMAC_SHA1_80) { /* with g_flags = UNAUTHENTICATED_SRTP */
        srtp_crypto_policy_set_null_cipher_hmac_null(&p.rtp);
        srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&p.rtcp);
    } else if (suite == PHONESEC_SRTP_AEAD_AES_128_GCM) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
    }
    p.ssrc.type = dir == PHONESEC_SRTP_DIR_OUTBOUND ? ssrc_any_outbound : ssrc_any_inbound;
    p.key = key;
    p.window_size = 64;
    if (srtp_create(&s, &p) != srtp_err_status_ok)
        abort();
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Blocks of BLOCK packets, alternating libphonesec and bare libsrtp2 (and
 * which goes first), so both see the same machine state; the minimum and the
 * median block are reported. */
static void bench_suite(int suite)
{
    static double t[4][NBLOCK];
    long hook_allocs = 0, sys_allocs = 0, bare_sys_allocs = 0, h0, s0;
    uint8_t pkt[12 + PAYLOAD], buf[12 + PAYLOAD + 64];
    size_t n;
    int b, i, op, len;
    phonesec_srtp *tx0 = ours(suite, PHONESEC_SRTP_DIR_OUTBOUND);
    phonesec_srtp *tx = ours(suite, PHONESEC_SRTP_DIR_OUTBOUND), *rx = ours(suite, PHONESEC_SRTP_DIR_INBOUND);
    srtp_t btx = bare(suite, PHONESEC_SRTP_DIR_OUTBOUND), brx = bare(suite, PHONESEC_SRTP_DIR_INBOUND);
    const char *name = phonesec_srtp_suite_name(suite);

    for (i = 0; i < NPKT; i++) {
        mkpkt(pkt, (uint16_t)i);
        if (phonesec_srtp_protect(tx0, pkt, sizeof pkt, prot[i], sizeof prot[i], &prot_len) != PHONESEC_OK)
            abort();
    }
    phonesec_srtp_free(tx0);
    /* warm up: the first packet of an SSRC makes the stream (allocates in libsrtp2) */
    mkpkt(pkt, 65000);
    if (phonesec_srtp_protect(tx, pkt, sizeof pkt, buf, sizeof buf, &n) != PHONESEC_OK)
        abort();
    memcpy(buf, pkt, sizeof pkt);
    len = (int)sizeof pkt;
    if (srtp_protect(btx, buf, &len) != srtp_err_status_ok)
        abort();
    if (phonesec_srtp_unprotect(rx, prot[0], prot_len, buf, sizeof buf, &n) != PHONESEC_OK)
        abort();
    memcpy(buf, prot[0], prot_len);
    len = (int)prot_len;
    if (srtp_unprotect(brx, buf, &len) != srtp_err_status_ok)
        abort();

    mkpkt(pkt, 0);
    for (b = 0; b < NBLOCK; b++) {
        int first = b * BLOCK + 1, last = first + BLOCK; /* packet 0 was the warm-up */
        double t0;
        if (last > NPKT)
            last = NPKT;
        for (op = 0; op < 4; op++) {
            int ours_op = (op + b) % 2 == 0; /* alternate which runs first */
            int unprot = op >= 2;
            h0 = test_alloc_calls;
            s0 = g_sys_allocs;
            t0 = now_ns();
            for (i = first; i < last; i++) {
                if (!unprot) {
                    pkt[2] = (uint8_t)(i >> 8);
                    pkt[3] = (uint8_t)i;
                    if (ours_op) {
                        if (phonesec_srtp_protect(tx, pkt, sizeof pkt, buf, sizeof buf, &n) != PHONESEC_OK)
                            abort();
                    } else {
                        memcpy(buf, pkt, sizeof pkt); /* the same work: libsrtp2 protects in place */
                        len = (int)sizeof pkt;
                        if (srtp_protect(btx, buf, &len) != srtp_err_status_ok)
                            abort();
                    }
                } else if (ours_op) {
                    if (phonesec_srtp_unprotect(rx, prot[i], prot_len, buf, sizeof buf, &n) != PHONESEC_OK)
                        abort();
                } else {
                    memcpy(buf, prot[i], prot_len);
                    len = (int)prot_len;
                    if (srtp_unprotect(brx, buf, &len) != srtp_err_status_ok)
                        abort();
                }
            }
            t0 = (now_ns() - t0) / (last - first);
            t[(unprot ? 2 : 0) + (ours_op ? 0 : 1)][b] = t0;
            if (ours_op) {
                hook_allocs += test_alloc_calls - h0;
                sys_allocs += g_sys_allocs - s0;
            } else
                bare_sys_allocs += g_sys_allocs - s0;
        }
    }
    for (op = 0; op < 4; op++)
        qsort(t[op], NBLOCK, sizeof t[op][0], cmp_double);
    printf("%-24s protect   libphonesec %7.1f ns/pkt  bare libsrtp2 %7.1f ns/pkt  ratio %.3f (min block; median "
           "%.1f / %.1f = %.3f)\n",
           name, t[0][0], t[1][0], t[0][0] / t[1][0], t[0][NBLOCK / 2], t[1][NBLOCK / 2],
           t[0][NBLOCK / 2] / t[1][NBLOCK / 2]);
    printf("%-24s unprotect libphonesec %7.1f ns/pkt  bare libsrtp2 %7.1f ns/pkt  ratio %.3f (min block; median "
           "%.1f / %.1f = %.3f)\n",
           name, t[2][0], t[3][0], t[2][0] / t[3][0], t[2][NBLOCK / 2], t[3][NBLOCK / 2],
           t[2][NBLOCK / 2] / t[3][NBLOCK / 2]);
    printf("%-24s overhead of libphonesec per packet: protect %+.1f ns, unprotect %+.1f ns (medians)\n", name,
           t[0][NBLOCK / 2] - t[1][NBLOCK / 2], t[2][NBLOCK / 2] - t[3][NBLOCK / 2]);
    printf("%-24s allocations per packet: %.4f through the phonesec hook", name,
           (double)hook_allocs / (2.0 * (NPKT - 1)));
    if (SYS_COUNTING)
        printf(";\n%-24s   process-wide malloc calls per packet (inside libsrtp2's NSS backend): libphonesec %.2f, "
               "bare libsrtp2 %.2f\n", "", (double)sys_allocs / (2.0 * (NPKT - 1)),
               (double)bare_sys_allocs / (2.0 * (NPKT - 1)));
    else
        printf(" (process-wide malloc count unavailable in sanitizer builds)\n");
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
    srtp_dealloc(btx);
    srtp_dealloc(brx);
}

static const char offer[] = "v=0\r\n"
                            "o=- 1 1 IN IP4 192.0.2.10\r\n"
                            "s=-\r\n"
                            "c=IN IP4 192.0.2.10\r\n"
                            "t=0 0\r\n"
                            "m=audio 11780 RTP/SAVP 0 8 18 9 101\r\n"
                            "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:NzFINTUwZDk2OGVIOTc3YzNkYTkwZWVkMTM1YWFj\r\n"
                            "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:NzkyM2FjNzQ2ZDgxYjg0MzQwMGVmMGUxMzdmNWFm\r\n"
                            "a=crypto:3 F8_128_HMAC_SHA1_80 inline:NDIiMWIzZGE1ZTAwZjA5ZGFhNjQ5YmEANTMzYzA0\r\n"
                            "a=rtpmap:0 PCMU/8000\r\n";

static void bench_negotiation(void)
{
    const int iters = 500;
    double best = 1e30, best_sdes = 1e30;
    int r, i;
    for (r = 0; r < 5; r++) {
        double t = now_ns(), t_sdes = 0;
        for (i = 0; i < iters; i++) {
            phonesec_sdes_policy pol;
            phonesec_sdes *sd = NULL;
            phonesec_srtp_params in, out;
            phonesec_srtp *rx = NULL, *tx = NULL;
            double t1 = now_ns();
            phonesec_sdes_policy_init(&pol);
            if (phonesec_sdes_new(&pol, &sd) != PHONESEC_OK ||
                phonesec_sdes_answer(sd, offer, sizeof offer - 1) != PHONESEC_OK ||
                phonesec_sdes_params(sd, 0, PHONESEC_SDES_INBOUND, &in) != PHONESEC_OK ||
                phonesec_sdes_params(sd, 0, PHONESEC_SDES_OUTBOUND, &out) != PHONESEC_OK)
                abort();
            t_sdes += now_ns() - t1;
            if (phonesec_srtp_new(&in, PHONESEC_SRTP_DIR_INBOUND, 0, &rx) != PHONESEC_OK ||
                phonesec_srtp_new(&out, PHONESEC_SRTP_DIR_OUTBOUND, 0, &tx) != PHONESEC_OK)
                abort();
            phonesec_srtp_params_wipe(&in);
            phonesec_srtp_params_wipe(&out);
            phonesec_srtp_free(rx);
            phonesec_srtp_free(tx);
            phonesec_sdes_free(sd);
        }
        t = (now_ns() - t) / iters / 1000.0;
        t_sdes = t_sdes / iters / 1000.0;
        if (t < best)
            best = t;
        if (t_sdes < best_sdes)
            best_sdes = t_sdes;
    }
    printf("SDES parse offer + answer (fresh key from the default wolfCrypt DRBG) + create both SRTP sessions:\n"
           "  %.1f us per call leg (SDES offer/answer %.1f us, two SRTP sessions %.1f us)\n",
           best, best_sdes, best - best_sdes);
}

int main(void)
{
    size_t i;
    phonesec_platform plat;
    phonesec_platform_init(&plat);
    plat.malloc_fn = test_malloc_hook; /* counting allocator, no log hook */
    plat.realloc_fn = test_realloc_hook;
    plat.free_fn = test_free_hook;
    if (phonesec_init(&plat) != PHONESEC_OK)
        return 1;
    test_alloc_fail_at = 0;
    for (i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 13 + 5);
    prot = malloc(sizeof *prot * NPKT);
    if (prot == NULL)
        return 1;
    printf("SRTP, %d-byte G.711 payloads, %d alternating blocks of %d packets per variant (%s)\n", PAYLOAD,
           NBLOCK, BLOCK, srtp_get_version_string());
    bench_suite(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    bench_suite(PHONESEC_SRTP_AEAD_AES_128_GCM);
    /* no cipher, no tag: what is left is libphonesec's own per-packet work */
    printf("-- NULL cipher without authentication: the wrapper's own cost --\n");
    g_flags = PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP;
    bench_suite(PHONESEC_SRTP_NULL_HMAC_SHA1_80);
    g_flags = 0;
    bench_negotiation();
    free(prot);
    phonesec_shutdown();
    return 0;
}
