/* Benchmark (issue 17): SRTP cost per packet as the number of live sessions
 * grows: 1, 100, 1,000 and 10,000 sessions (each one outbound and one
 * inbound phonesec_srtp), AES_CM_128_HMAC_SHA1_80 and AEAD_AES_128_GCM,
 * 160-byte payloads. Reported: ns per packet (protect + unprotect, /2) for
 * the libsrtp2 engine and the native engine (both always built), and bare
 * Debian libsrtp2 with its own NSS primitives as the anchor, with ratios
 * against one session of the same variant and against the anchor.
 *
 * The anchor runs in a child process forked before this process makes any
 * libsrtp2-engine session: that engine installs wolfCrypt primitives into
 * libsrtp2's (process-wide) crypto kernel, and the anchor must be the
 * libsrtp2 a distribution ships. Timed packets go round robin over up to
 * 1,000 of the sessions (the others stay live, holding their keys), after
 * one warm-up packet each; best of 3 rounds. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <srtp2/srtp.h>

#include "srtp/engine.h"
#include "support.h"

#define PAYLOAD 160
#define MAXS 10000
#define TIMED 1000   /* sessions the timed packets visit */
#define PKTS 4000    /* timed packets per round */

static const int counts[] = {1, 100, 1000, 10000};
#define NCOUNTS 4
static const int suites_[] = {PHONESEC_SRTP_AES_CM_128_HMAC_SHA1_80, PHONESEC_SRTP_AEAD_AES_128_GCM};
#define NSUITES 2

static uint8_t key[46];

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void mkpkt(uint8_t *b, uint16_t seq, uint32_t ssrc)
{
    b[0] = 0x80;
    b[1] = 0;
    b[2] = (uint8_t)(seq >> 8);
    b[3] = (uint8_t)seq;
    memset(b + 4, 0, 4);
    b[8] = (uint8_t)(ssrc >> 24);
    b[9] = (uint8_t)(ssrc >> 16);
    b[10] = (uint8_t)(ssrc >> 8);
    b[11] = (uint8_t)ssrc;
    memset(b + 12, 0xd5, PAYLOAD);
}

/* ---- bare libsrtp2 ----------------------------------------------------- */

static double bare_run(int suite, int n)
{
    srtp_t *tx = calloc((size_t)n, sizeof *tx), *rx = calloc((size_t)n, sizeof *rx);
    uint8_t b[12 + PAYLOAD + 64];
    int i, r, k, len, visit = n < TIMED ? n : TIMED, stride = n / visit;
    double best = 1e30;
    if (tx == NULL || rx == NULL)
        abort();
    for (i = 0; i < n; i++) {
        srtp_policy_t p;
        memset(&p, 0, sizeof p);
        if (suite == PHONESEC_SRTP_AEAD_AES_128_GCM) {
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
        } else {
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
        }
        p.key = key;
        p.window_size = 64;
        p.ssrc.type = ssrc_specific;
        p.ssrc.value = 0x10000u + (uint32_t)i;
        if (srtp_create(&tx[i], &p) != srtp_err_status_ok || srtp_create(&rx[i], &p) != srtp_err_status_ok)
            abort();
    }
    for (r = 0; r < 4; r++) { /* round 0 warms up */
        double t0 = now_ns();
        /* NSS at 1,000+ sessions costs milliseconds a packet: fewer packets */
        int pk = r == 0 ? visit : n >= 1000 ? PKTS / 10 : PKTS;
        for (k = 0; k < pk; k++) {
            i = (k % visit) * stride;
            mkpkt(b, (uint16_t)(r * PKTS + k), 0x10000u + (uint32_t)i);
            len = 12 + PAYLOAD;
            if (srtp_protect(tx[i], b, &len) != srtp_err_status_ok || srtp_unprotect(rx[i], b, &len) != srtp_err_status_ok)
                abort();
        }
        t0 = (now_ns() - t0) / pk / 2;
        if (r > 0 && t0 < best)
            best = t0;
    }
    for (i = 0; i < n; i++) {
        srtp_dealloc(tx[i]);
        srtp_dealloc(rx[i]);
    }
    free(tx);
    free(rx);
    return best;
}

/* ---- an engine --------------------------------------------------------- */

typedef struct engine {
    const char *name;
    int (*mk)(const phonesec_srtp_params *, int, unsigned, phonesec_srtp **);
    void (*fr)(phonesec_srtp *);
    int (*prot)(phonesec_srtp *, const uint8_t *, size_t, uint8_t *, size_t, size_t *);
    int (*unprot)(phonesec_srtp *, const uint8_t *, size_t, uint8_t *, size_t, size_t *);
} engine;

static double eng_run(const engine *e, int suite, int n)
{
    phonesec_srtp **tx = calloc((size_t)n, sizeof *tx), **rx = calloc((size_t)n, sizeof *rx);
    phonesec_srtp_params p;
    uint8_t b[12 + PAYLOAD], o[12 + PAYLOAD + 64], o2[12 + PAYLOAD + 64];
    size_t kl = 0, sl = 0, m, m2;
    int i, r, k, visit = n < TIMED ? n : TIMED, stride = n / visit;
    double best = 1e30;
    if (tx == NULL || rx == NULL)
        abort();
    phonesec_srtp_params_init(&p);
    p.suite = suite;
    p.n_keys = 1;
    (void)phonesec_srtp_suite_lengths(suite, &kl, &sl);
    memcpy(p.keys[0].key, key, kl);
    memcpy(p.keys[0].salt, key + kl, sl);
    p.keys[0].key_len = kl;
    p.keys[0].salt_len = sl;
    for (i = 0; i < n; i++)
        if (e->mk(&p, PHONESEC_SRTP_DIR_OUTBOUND, 0, &tx[i]) != PHONESEC_OK ||
            e->mk(&p, PHONESEC_SRTP_DIR_INBOUND, 0, &rx[i]) != PHONESEC_OK)
            abort();
    for (r = 0; r < 4; r++) {
        double t0 = now_ns();
        int pk = r == 0 ? visit : PKTS;
        for (k = 0; k < pk; k++) {
            i = (k % visit) * stride;
            mkpkt(b, (uint16_t)(r * PKTS + k), 0x10000u + (uint32_t)i);
            if (e->prot(tx[i], b, sizeof b, o, sizeof o, &m) != PHONESEC_OK ||
                e->unprot(rx[i], o, m, o2, sizeof o2, &m2) != PHONESEC_OK)
                abort();
        }
        t0 = (now_ns() - t0) / pk / 2;
        if (r > 0 && t0 < best)
            best = t0;
    }
    for (i = 0; i < n; i++) {
        e->fr(tx[i]);
        e->fr(rx[i]);
    }
    free(tx);
    free(rx);
    phonesec_srtp_params_wipe(&p);
    return best;
}

static const engine engines[] = {
    {"libsrtp2 engine", phonesec__srtp_lib_new, phonesec__srtp_lib_free, phonesec__srtp_lib_protect,
     phonesec__srtp_lib_unprotect},
    {"native engine", phonesec__srtp_nat_new, phonesec__srtp_nat_free, phonesec__srtp_nat_protect,
     phonesec__srtp_nat_unprotect},
};
#define NENG (sizeof engines / sizeof engines[0])

int main(void)
{
    double bare[NSUITES][NCOUNTS], res[NENG][NSUITES][NCOUNTS];
    int fd[2], s, c;
    size_t e;
    pid_t pid;
    for (s = 0; s < (int)sizeof key; s++)
        key[s] = (uint8_t)(s * 11 + 3);

    /* the anchor first, in a child that never touches the libsrtp2 engine */
    if (pipe(fd) != 0)
        return 1;
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        close(fd[0]);
        if (srtp_init() != srtp_err_status_ok)
            _exit(1);
        for (s = 0; s < NSUITES; s++)
            for (c = 0; c < NCOUNTS; c++)
                bare[s][c] = bare_run(suites_[s], counts[c]);
        if (write(fd[1], bare, sizeof bare) != (ssize_t)sizeof bare)
            _exit(1);
        _exit(0);
    }
    close(fd[1]);
    {
        int st = 0;
        size_t got = 0;
        while (got < sizeof bare) {
            ssize_t k = read(fd[0], (char *)bare + got, sizeof bare - got);
            if (k <= 0)
                return 1;
            got += (size_t)k;
        }
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return 1;
    }
    if (phonesec_init(NULL) != PHONESEC_OK)
        return 1;
    for (e = 0; e < NENG; e++)
        for (s = 0; s < NSUITES; s++)
            for (c = 0; c < NCOUNTS; c++)
                res[e][s][c] = eng_run(&engines[e], suites_[s], counts[c]);

    printf("SRTP ns per packet ((protect + unprotect) / 2, %d-byte payload) by number of live sessions\n"
           "(each: one outbound + one inbound session); anchor: bare %s on its own NSS primitives\n", PAYLOAD,
           srtp_get_version_string());
    for (s = 0; s < NSUITES; s++) {
        printf("%s\n  %-26s", phonesec_srtp_suite_name(suites_[s]), "sessions");
        for (c = 0; c < NCOUNTS; c++)
            printf(" %10d", counts[c]);
        printf("   x1 -> x%d\n  %-26s", counts[NCOUNTS - 1], "bare libsrtp2 (NSS) ns");
        for (c = 0; c < NCOUNTS; c++)
            printf(" %10.0f", bare[s][c]);
        printf("   %.2fx\n", bare[s][NCOUNTS - 1] / bare[s][0]);
        for (e = 0; e < NENG; e++) {
            printf("  %-26s", engines[e].name);
            for (c = 0; c < NCOUNTS; c++)
                printf(" %10.0f", res[e][s][c]);
            printf("   %.2fx\n  %-26s", res[e][s][NCOUNTS - 1] / res[e][s][0], "  ratio to bare libsrtp2");
            for (c = 0; c < NCOUNTS; c++)
                printf(" %10.3f", res[e][s][c] / bare[s][c]);
            printf("\n");
        }
    }
    phonesec_shutdown();
    return 0;
}
