/* Benchmark: SRTP protect/unprotect of 160-byte (G.711) and 1,200-byte
 * (video) payloads, every suite, through libphonesec against bare libsrtp2
 * calls, libre's SRTP and the crypto floor, side by side in one run
 * (interleaved rounds, best round reported); allocations per packet through
 * the library's allocator hook and, in non-sanitizer builds, every malloc of
 * the process (libsrtp2's and its crypto backend's included); SDES offer -> answer -> both sessions. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>

#include "srtp/engine.h"
#include "srtp/prim.h"
#include "support.h"
#ifdef HAVE_LIBRE
#include "bench_srtp_libre.h"
#endif

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
/* unused when the sanitizer owns malloc (no interposition) */
static long g_live_bytes __attribute__((unused));
#if !defined(NO_INTERPOSE) && defined(__GLIBC__)
#include <malloc.h>
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);
void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    g_sys_allocs++;
    if (p != NULL)
        g_live_bytes += (long)malloc_usable_size(p);
    return p;
}
void *calloc(size_t a, size_t b)
{
    void *p = __libc_calloc(a, b);
    g_sys_allocs++;
    if (p != NULL)
        g_live_bytes += (long)malloc_usable_size(p);
    return p;
}
void *realloc(void *p, size_t n)
{
    void *q;
    long old = p != NULL ? (long)malloc_usable_size(p) : 0;
    g_sys_allocs++;
    q = __libc_realloc(p, n);
    if (q != NULL)
        g_live_bytes += (long)malloc_usable_size(q) - old;
    return q;
}
void free(void *p)
{
    if (p != NULL)
        g_live_bytes -= (long)malloc_usable_size(p);
    __libc_free(p);
}
#define SYS_COUNTING 1
#else
#define SYS_COUNTING 0
#endif

#define BLOCK 250   /* packets per timed block */
#define NBLOCK 200  /* blocks per variant, alternating ours / bare */
#define NPKT (BLOCK * NBLOCK)
#define MAXPAY 1200
#define PKTMAX (12 + MAXPAY + 64)
static size_t g_payload = 160; /* bytes of RTP payload in this run */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint8_t key[46];
static uint8_t (*prot)[PKTMAX];
static uint8_t (*floor_pkts)[PKTMAX]; /* protected by the floor itself, same sizes */
static size_t prot_len;

static void mkpkt(uint8_t *b, uint16_t seq)
{
    static const uint8_t h[12] = {0x80, 0x00, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78};
    memcpy(b, h, 12);
    b[2] = (uint8_t)(seq >> 8);
    b[3] = (uint8_t)seq;
    memset(b + 12, 0xd5, g_payload);
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

/* Bare libsrtp2 for a suite, or NULL where it has none (F8). */
static srtp_t bare(int suite, int dir)
{
    srtp_policy_t p;
    srtp_t s = NULL;
    memset(&p, 0, sizeof p);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
    switch (suite) {
    case PHONESEC_SRTP_NULL_HMAC_SHA1_80: /* with g_flags = UNAUTHENTICATED_SRTP */
        srtp_crypto_policy_set_null_cipher_hmac_null(&p.rtp);
        srtp_crypto_policy_set_null_cipher_hmac_sha1_80(&p.rtcp);
        break;
    case PHONESEC_SRTP_AEAD_AES_128_GCM:
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
        break;
    case PHONESEC_SRTP_AEAD_AES_256_GCM:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtcp);
        break;
    case PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
        break;
    case PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80: /* its keys are not RFC 6188's: timing only */
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&p.rtp);
        break;
    case PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32:
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(&p.rtp);
        break;
    case PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p.rtp);
        break;
    case PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&p.rtp);
        break;
    case PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
        break;
    default: /* F8: libsrtp2 has none */
        return NULL;
    }
    p.ssrc.type = dir == PHONESEC_SRTP_DIR_OUTBOUND ? ssrc_any_outbound : ssrc_any_inbound;
    p.key = key;
    p.window_size = 64;
    if (srtp_create(&s, &p) != srtp_err_status_ok)
        return NULL;
    return s;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* ---- the crypto floor: the same wolfCrypt calls, keys expanded once, no
 * SRTP logic (no parsing, index, replay window, ROC) ---------------------- */
typedef struct floor_ctx {
    Aes aes, f8k;
    phonesec__hmac1 h;
    uint8_t iv[16];
    size_t tag;
    int gcm, f8;
} floor_ctx;

static void floor_init(floor_ctx *f, int suite)
{
    const phonesec__srtp_suite *sd = phonesec__srtp_find_suite(suite);
    memset(f, 0, sizeof *f);
    f->gcm = sd->gcm;
    f->f8 = sd->f8;
    f->tag = sd->gcm ? 16 : sd->tag32 ? 4 : 10;
    if (f->gcm) {
        if (wc_AesInit(&f->aes, NULL, INVALID_DEVID) != 0 || wc_AesGcmSetKey(&f->aes, key, (word32)sd->key_len) != 0)
            abort();
    } else if (f->f8) {
        if (phonesec__aesf8_init(&f->aes, &f->f8k, key, 16, key + 16, 14) != 0 ||
            phonesec__hmac1_init(&f->h, key + 16, 20) != 0)
            abort();
    } else if (phonesec__aesctr_init(&f->aes, key, sd->key_len) != 0 || phonesec__hmac1_init(&f->h, key + 16, 20) != 0)
        abort();
    memcpy(f->iv, key + 16, 14);
}

static int floor_cipher(floor_ctx *f, const uint8_t *in, uint8_t *out, size_t n)
{
    return f->f8 ? phonesec__aesf8(&f->aes, &f->f8k, f->iv, in, out, n) : phonesec__aesctr(&f->aes, f->iv, in, out, n);
}

static void floor_protect(floor_ctx *f, const uint8_t *in, size_t len, uint8_t *out)
{
    memcpy(out, in, 12);
    if (f->gcm) {
        if (wc_AesGcmEncrypt(&f->aes, out + 12, in + 12, (word32)(len - 12), f->iv, 12, out + len, 16, in, 12) != 0)
            abort();
    } else {
        uint8_t roc[4] = {0, 0, 0, 0}, tag[20];
        if (floor_cipher(f, in + 12, out + 12, len - 12) != 0 || phonesec__hmac1_2(&f->h, out, len, roc, 4, tag) != 0)
            abort();
        memcpy(out + len, tag, f->tag);
    }
}

static int floor_unprotect(floor_ctx *f, const uint8_t *in, size_t len, uint8_t *out)
{
    memcpy(out, in, 12);
    if (f->gcm) {
        if (wc_AesGcmDecrypt(&f->aes, out + 12, in + 12, (word32)(len - 12 - 16), f->iv, 12, in + len - 16, 16, in,
                             12) != 0)
            abort(); /* the floor's own packets (floor_pkts) must verify */
        return 1;
    }
    {
        uint8_t roc[4] = {0, 0, 0, 0}, tag[20];
        if (phonesec__hmac1_2(&f->h, in, len - f->tag, roc, 4, tag) != 0)
            abort();
        (void)phonesec_ct_memcmp(tag, in + len - f->tag, f->tag);
        return floor_cipher(f, in + 12, out + 12, len - 12 - f->tag) == 0;
    }
}

enum { V_OURS, V_BARE, V_LIBRE, V_FLOOR, NV };
static const char *const vname[NV] = {"libphonesec", "bare libsrtp2", "libre", "crypto floor"};

/* Blocks of BLOCK packets; in each block every variant runs once, in an
 * order that rotates from block to block, so all see the same machine
 * state; the minimum and the median block are reported. */
/* The summary table: median ns of [protect, unprotect][variant] per run. */
#define MAXRUNS 32
static struct {
    const char *name;
    size_t payload;
    double t[2][NV];
} g_runs[MAXRUNS];
static int g_nruns;

/* libre's number for a suite (bench_srtp_libre.c), or -1 where it has none */
#ifdef HAVE_LIBRE
static int libre_suite(int suite)
{
    switch (suite) {
    case PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80: return 0;
    case PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32: return 1;
    case PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80: return 2;
    case PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32: return 3;
    case PHONESEC_SRTP_AEAD_AES_128_GCM: return 4;
    case PHONESEC_SRTP_AEAD_AES_256_GCM: return 5;
    default: return -1;
    }
}
#endif

static void bench_suite(int suite)
{
    static double t[2][NV][NBLOCK];
    long hook_allocs = 0, sys_allocs = 0, bare_sys_allocs = 0, h0, s0;
    uint8_t pkt[12 + MAXPAY], buf[PKTMAX];
    size_t n, plen = 12 + g_payload;
    int b, i, v, op, len;
    int have_anchor = suite != PHONESEC_SRTP_NULL_HMAC_SHA1_80; /* libre and the floor: the AES suites */
    phonesec_srtp *tx0 = ours(suite, PHONESEC_SRTP_DIR_OUTBOUND);
    phonesec_srtp *tx = ours(suite, PHONESEC_SRTP_DIR_OUTBOUND), *rx = ours(suite, PHONESEC_SRTP_DIR_INBOUND);
    srtp_t btx = bare(suite, PHONESEC_SRTP_DIR_OUTBOUND), brx = bare(suite, PHONESEC_SRTP_DIR_INBOUND);
    void *rtx = NULL, *rrx = NULL; /* libre's contexts, when the build has libre */
    floor_ctx fl;
    const char *name = phonesec_srtp_suite_name(suite);

    (void)rtx;
    (void)rrx;
#ifdef HAVE_LIBRE
    if (have_anchor && libre_suite(suite) >= 0) {
        const phonesec__srtp_suite *sd = phonesec__srtp_find_suite(suite);
        rtx = benchre_new(libre_suite(suite), key, sd->key_len + sd->salt_len);
        rrx = benchre_new(libre_suite(suite), key, sd->key_len + sd->salt_len);
        if (rtx == NULL || rrx == NULL)
            abort();
    }
#endif
    floor_init(&fl, suite);
    for (i = 0; i < NPKT; i++) {
        mkpkt(pkt, (uint16_t)i);
        if (have_anchor)
            floor_protect(&fl, pkt, plen, floor_pkts[i]);
        if (phonesec_srtp_protect(tx0, pkt, plen, prot[i], sizeof prot[i], &prot_len) != PHONESEC_OK)
            abort();
    }
    phonesec_srtp_free(tx0);
    /* warm up: the first packet of an SSRC makes the stream (allocates in libsrtp2) */
    mkpkt(pkt, 65000);
    if (phonesec_srtp_protect(tx, pkt, plen, buf, sizeof buf, &n) != PHONESEC_OK)
        abort();
    if (btx != NULL) {
        memcpy(buf, pkt, plen);
        len = (int)plen;
        if (srtp_protect(btx, buf, &len) != srtp_err_status_ok)
            abort();
    }
    if (phonesec_srtp_unprotect(rx, prot[0], prot_len, buf, sizeof buf, &n) != PHONESEC_OK)
        abort();
    if (brx != NULL) {
        memcpy(buf, prot[0], prot_len);
        len = (int)prot_len;
        /* libsrtp2's AES-192 keys are not RFC 6188's: it fails our packets (timing of the failure path then) */
        if (srtp_unprotect(brx, buf, &len) != srtp_err_status_ok && suite != PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80 &&
            suite != PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32)
            abort();
    }
#ifdef HAVE_LIBRE
    if (rtx != NULL && (benchre_protect(rtx, pkt, plen) != 0 || benchre_unprotect(rrx, prot[0], prot_len) != 0))
        abort();
#endif

    mkpkt(pkt, 0);
    for (b = 0; b < NBLOCK; b++) {
        int first = b * BLOCK + 1, last = first + BLOCK; /* packet 0 was the warm-up */
        int k;
        if (last > NPKT)
            last = NPKT;
        for (k = 0; k < 2 * NV; k++) {
            int slot = (k + b) % (2 * NV);
            double t0;
            v = slot / 2;
            op = slot % 2; /* 0 protect, 1 unprotect */
            if ((v == V_LIBRE && rtx == NULL) || (v == V_FLOOR && !have_anchor) || (v == V_BARE && btx == NULL)) {
                t[op][v][b] = 0;
                continue;
            }
            if (op == 1) {
                /* the block's packets into the cache first, so that no
                 * variant pays the misses for the ones after it */
                volatile uint8_t sink = 0;
                size_t j;
                for (i = first; i < last; i++)
                    for (j = 0; j < prot_len; j += 32)
                        sink ^= v == V_FLOOR ? floor_pkts[i][j] : prot[i][j];
                (void)sink;
            }
            h0 = test_alloc_calls;
            s0 = g_sys_allocs;
            t0 = now_ns();
            for (i = first; i < last; i++) {
                if (op == 0) {
                    pkt[2] = (uint8_t)(i >> 8);
                    pkt[3] = (uint8_t)i;
                    switch (v) {
                    case V_OURS:
                        if (phonesec_srtp_protect(tx, pkt, plen, buf, sizeof buf, &n) != PHONESEC_OK)
                            abort();
                        break;
                    case V_BARE:
                        memcpy(buf, pkt, plen); /* the same work: libsrtp2 protects in place */
                        len = (int)plen;
                        if (srtp_protect(btx, buf, &len) != srtp_err_status_ok)
                            abort();
                        break;
#ifdef HAVE_LIBRE
                    case V_LIBRE:
                        if (benchre_protect(rtx, pkt, plen) != 0)
                            abort();
                        break;
#endif
                    default:
                        floor_protect(&fl, pkt, plen, buf);
                        break;
                    }
                } else {
                    switch (v) {
                    case V_OURS:
                        if (phonesec_srtp_unprotect(rx, prot[i], prot_len, buf, sizeof buf, &n) != PHONESEC_OK)
                            abort();
                        break;
                    case V_BARE:
                        memcpy(buf, prot[i], prot_len);
                        len = (int)prot_len;
                        (void)srtp_unprotect(brx, buf, &len); /* checked at the warm-up */
                        break;
#ifdef HAVE_LIBRE
                    case V_LIBRE:
                        if (benchre_unprotect(rrx, prot[i], prot_len) != 0)
                            abort();
                        break;
#endif
                    default:
                        (void)floor_unprotect(&fl, floor_pkts[i], prot_len, buf);
                        break;
                    }
                }
            }
            t[op][v][b] = (now_ns() - t0) / (last - first);
            if (v == V_OURS) {
                hook_allocs += test_alloc_calls - h0;
                sys_allocs += g_sys_allocs - s0;
            } else if (v == V_BARE)
                bare_sys_allocs += g_sys_allocs - s0;
        }
    }
    for (op = 0; op < 2; op++)
        for (v = 0; v < NV; v++)
            qsort(t[op][v], NBLOCK, sizeof t[op][v][0], cmp_double);
    if (g_nruns < MAXRUNS) {
        g_runs[g_nruns].name = name;
        g_runs[g_nruns].payload = g_payload;
        for (op = 0; op < 2; op++)
            for (v = 0; v < NV; v++)
                g_runs[g_nruns].t[op][v] = t[op][v][NBLOCK / 2];
        g_nruns++;
    }
    for (op = 0; op < 2; op++) {
        double o = t[op][V_OURS][NBLOCK / 2];
        printf("%-24s %4zu B %-9s median ns/pkt:", name, g_payload, op == 0 ? "protect" : "unprotect");
        for (v = 0; v < NV; v++)
            if (t[op][v][NBLOCK / 2] > 0)
                printf("  %s %.0f", vname[v], t[op][v][NBLOCK / 2]);
        printf("\n%-24s %6s %-9s libphonesec / anchor:", "", "", "");
        for (v = 1; v < NV; v++)
            if (t[op][v][NBLOCK / 2] > 0)
                printf("  /%s %.3f", vname[v], o / t[op][v][NBLOCK / 2]);
        printf("   (min blocks: ours %.0f, bare %.0f)\n", t[op][V_OURS][0], t[op][V_BARE][0]);
        (void)o;
    }
    printf("%-24s allocations per packet: %.4f through the phonesec hook", name,
           (double)hook_allocs / (2.0 * (NPKT - 1)));
    if (SYS_COUNTING)
        printf(";\n%-24s   process-wide malloc calls per packet: libphonesec %.2f, bare libsrtp2 (NSS) %.2f\n", "",
               (double)sys_allocs / (2.0 * (NPKT - 1)), (double)bare_sys_allocs / (2.0 * (NPKT - 1)));
    else
        printf(" (process-wide malloc count unavailable in sanitizer builds)\n");
    phonesec_srtp_free(tx);
    phonesec_srtp_free(rx);
    if (btx != NULL)
        srtp_dealloc(btx);
    if (brx != NULL)
        srtp_dealloc(brx);
#ifdef HAVE_LIBRE
    if (rtx != NULL) {
        benchre_free(rtx);
        benchre_free(rrx);
    }
#endif
    phonesec__aes_wipe(&fl.aes);
    phonesec__aes_wipe(&fl.f8k);
}

/* Bytes held per session: live heap (every allocator of the process) after
 * making 200 sessions of each direction, divided by 400. */
static void bench_memory(int suite)
{
#if SYS_COUNTING
    enum { N = 200 };
    static phonesec_srtp *o[2 * N];
    static srtp_t bs[2 * N];
    long before, ours_b, bare_b;
    int i;
    uint8_t pkt[12 + MAXPAY], buf[PKTMAX];
    size_t n;
    int len;
    g_payload = 160;
    before = g_live_bytes;
    for (i = 0; i < 2 * N; i++) {
        o[i] = ours(suite, i < N ? PHONESEC_SRTP_DIR_OUTBOUND : PHONESEC_SRTP_DIR_INBOUND);
        if (i < N) { /* with its first packet: the SSRC state exists */
            mkpkt(pkt, 1);
            if (phonesec_srtp_protect(o[i], pkt, 12 + g_payload, buf, sizeof buf, &n) != PHONESEC_OK)
                abort();
        }
    }
    ours_b = g_live_bytes - before;
    before = g_live_bytes;
    for (i = 0; i < 2 * N; i++) {
        bs[i] = bare(suite, i < N ? PHONESEC_SRTP_DIR_OUTBOUND : PHONESEC_SRTP_DIR_INBOUND);
        if (i < N) {
            mkpkt(pkt, 1);
            len = (int)(12 + g_payload);
            if (srtp_protect(bs[i], pkt, &len) != srtp_err_status_ok)
                abort();
        }
    }
    bare_b = g_live_bytes - before;
    printf("%-24s memory per session (heap bytes, incl. one SSRC): libphonesec %ld, bare libsrtp2 (NSS) %ld, "
           "ratio %.3f\n", phonesec_srtp_suite_name(suite), ours_b / (2 * N), bare_b / (2 * N),
           (double)ours_b / (double)bare_b);
    for (i = 0; i < 2 * N; i++) {
        phonesec_srtp_free(o[i]);
        srtp_dealloc(bs[i]);
    }
#else
    (void)suite;
#endif
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
    floor_pkts = malloc(sizeof *floor_pkts * NPKT);
    if (prot == NULL || floor_pkts == NULL)
        return 1;
    if (srtp_init() != srtp_err_status_ok) /* the bare anchor's own initialisation */
        return 1;
#ifdef HAVE_LIBRE
    if (benchre_init() != 0)
        return 1;
#endif
    printf("SRTP, 160- and %d-byte payloads, %d blocks of %d packets per variant, rotating order (%s engine; anchors: "
           "bare %s on NSS, libre%s, crypto floor = the same wolfCrypt calls without SRTP logic)\n", MAXPAY,
           NBLOCK, BLOCK, phonesec__srtp_engine_native() ? "native" : "libsrtp2", srtp_get_version_string(),
#ifdef HAVE_LIBRE
           ""
#else
           " (not built: no libre-dev)"
#endif
    );
    {
        static const int all[] = {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_32,
                                  PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_80, PHONESEC_SRTP_AES_192_CM_HMAC_SHA1_32,
                                  PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_80, PHONESEC_SRTP_AES_256_CM_HMAC_SHA1_32,
                                  PHONESEC_SRTP_AEAD_AES_128_GCM,        PHONESEC_SRTP_AEAD_AES_256_GCM,
                                  PHONESEC_SRTP_F8_128_HMAC_SHA1_80};
        static const size_t pay[] = {160, MAXPAY};
        size_t k, j;
        for (j = 0; j < 2; j++)
            for (k = 0; k < sizeof all / sizeof all[0]; k++) {
                if (phonesec_srtp_suite_supported(all[k]) != PHONESEC_OK)
                    continue; /* libsrtp2 engine: no F8, AES-192 only if compliant */
                g_payload = pay[j];
                bench_suite(all[k]);
            }
    }
    bench_memory(PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80);
    bench_memory(PHONESEC_SRTP_AEAD_AES_128_GCM);
    /* no cipher, no tag: what is left is libphonesec's own per-packet work */
    printf("-- NULL cipher without authentication: the wrapper's own cost --\n");
    g_flags = PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP;
    g_payload = 160;
    bench_suite(PHONESEC_SRTP_NULL_HMAC_SHA1_80);
    g_flags = 0;
    {
        int r, op;
        printf("-- summary: libphonesec median ns/pkt and its ratio to each anchor (same run; - = no such anchor) --\n");
        printf("%-24s %5s %-9s %8s %8s %8s %8s\n", "suite", "bytes", "op", "ns", "/floor", "/libsrtp2", "/libre");
        for (r = 0; r < g_nruns; r++)
            for (op = 0; op < 2; op++) {
                double o = g_runs[r].t[op][V_OURS];
                char f[16] = "-", b[16] = "-", l[16] = "-";
                if (g_runs[r].t[op][V_FLOOR] > 0)
                    snprintf(f, sizeof f, "%.3f", o / g_runs[r].t[op][V_FLOOR]);
                if (g_runs[r].t[op][V_BARE] > 0)
                    snprintf(b, sizeof b, "%.3f", o / g_runs[r].t[op][V_BARE]);
                if (g_runs[r].t[op][V_LIBRE] > 0)
                    snprintf(l, sizeof l, "%.3f", o / g_runs[r].t[op][V_LIBRE]);
                printf("%-24s %5zu %-9s %8.0f %8s %8s %8s\n", g_runs[r].name, g_runs[r].payload,
                       op == 0 ? "protect" : "unprotect", o, f, b, l);
            }
    }
    bench_negotiation();
    free(prot);
    free(floor_pkts);
#ifdef HAVE_LIBRE
    benchre_close();
#endif
    phonesec_shutdown();
    return 0;
}
