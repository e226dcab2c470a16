/* Benchmark: one SDES offer/answer round (offer with the default 8 suites,
 * parse it and answer it, validate the answer) against the floor of the same
 * round measured in the same run: the key generation and base64 work the
 * round cannot avoid (9 fresh keys encoded, 9 keys decoded). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <phonesec.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static char offer[16384], answer[16384];

/* A host random hook as a phone would give it (the kernel's getrandom). */
static int host_random(void *ud, uint8_t *buf, size_t len)
{
    (void)ud;
    return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static int measure(const char *rng_name, long rounds);

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 5000;
    phonesec_platform p;
    if (phonesec_init(NULL) != PHONESEC_OK || measure("default random source (wolfCrypt DRBG)", rounds) != 0)
        return 1;
    phonesec_shutdown();
    phonesec_platform_init(&p);
    p.random_fn = host_random;
    if (phonesec_init(&p) != PHONESEC_OK || measure("host random hook (getrandom)", rounds) != 0)
        return 1;
    phonesec_shutdown();
    return 0;
}

static int measure(const char *rng_name, long rounds)
{
    static const char local[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
                                "m=audio 4000 RTP/SAVP 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
                                "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n";
    phonesec_sdes_policy pol;
    phonesec_sdes *a, *b;
    long i, j;
    size_t n, m;
    double t0, ours, floor_us;
    volatile unsigned sink = 0;

    phonesec_sdes_policy_init(&pol);
    pol.mode = PHONESEC_SDES_MANDATORY;
    for (j = 0; j < 2; j++) { /* warm-up pass, then the measured one */
        t0 = now_us();
        for (i = 0; i < rounds; i++) {
            /* A first call: both sides new, so every key is fresh. */
            if (phonesec_sdes_new(&pol, &a) != PHONESEC_OK || phonesec_sdes_new(&pol, &b) != PHONESEC_OK)
                return 1;
            (void)phonesec_sdes_set_signalling_tls(a, 1);
            (void)phonesec_sdes_set_signalling_tls(b, 1);
            if (phonesec_sdes_offer(a, local, sizeof local - 1, offer, sizeof offer, &n) != PHONESEC_OK ||
                phonesec_sdes_answer(b, offer, n) != PHONESEC_OK ||
                phonesec_sdes_answer_sdp(b, offer, n, answer, sizeof answer, &m) != PHONESEC_OK ||
                phonesec_sdes_accept_answer(a, answer, m) != PHONESEC_OK) {
                fprintf(stderr, "round %ld failed\n", i);
                return 1;
            }
            phonesec_sdes_free(a);
            phonesec_sdes_free(b);
        }
        ours = (now_us() - t0) / (double)rounds;
    }
    for (j = 0; j < 2; j++) {
        t0 = now_us();
        for (i = 0; i < rounds; i++) {
            uint8_t key[46], back[46];
            char b64[80];
            int k;
            for (k = 0; k < 9; k++) {
                if (phonesec_random(key, 30) != PHONESEC_OK ||
                    phonesec_base64_encode(key, 30, PHONESEC_BASE64_STD, b64, sizeof b64, &n) != PHONESEC_OK ||
                    phonesec_base64_decode(b64, n, PHONESEC_BASE64_STD_NOPAD_OK, back, sizeof back, &m, NULL) !=
                        PHONESEC_OK)
                    return 1;
                sink += back[0];
            }
        }
        floor_us = (now_us() - t0) / (double)rounds;
    }
    printf("sdes first-call round: make offer (8 suites), parse it + make answer, validate answer\n"
           "  [%s, %ld rounds]\n", rng_name, rounds);
    printf("  libphonesec                  %8.2f us/round\n", ours);
    printf("  anchor: floor (9 key gens + base64 in/out) %8.2f us/round\n", floor_us);
    printf("  ratio libphonesec/anchor     %8.2f\n", ours / floor_us);
    (void)sink;
    return 0;
}
