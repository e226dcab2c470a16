/* Benchmark: the same realistic cipher strings parsed by libphonesec
 * (phonesec_ciphers_select) and by OpenSSL (SSL_CTX_set_cipher_list on one
 * reused context), in the same run. Prints per-string time and the ratio.
 * The machine is shared: each side runs in ROUNDS interleaved batches and
 * the fastest batch counts (the least disturbed one), for both sides alike. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/ssl.h>

#include <phonesec.h>

static const char *const strings[] = {
    "DEFAULT",
    "HIGH:MEDIUM:AES:@STRENGTH",
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA:AES128-SHA:DES-CBC3-SHA",
    "RSA:!aNULL:!eNULL",
    "HIGH:!aNULL:!MD5",
    "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL",
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384",
    "ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2",
    "HIGH:MEDIUM:!aNULL:!MD5:!RC4:@STRENGTH",
    "kEECDH+aECDSA+AES:kEECDH+AES+aRSA:kEDH+aRSA+AES:!SHA1",
    "DEFAULT:!kRSA:!SHA1:@STRENGTH",
    "ALL:COMPLEMENTOFALL:-ECDHE:+aRSA:!kRSA+SHA1:@STRENGTH",
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 2000, rounds = 15;
    size_t i, ns = sizeof strings / sizeof strings[0];
    double tot_us = 0, tot_os = 0;
    uint16_t codes[256];
    size_t n;
    SSL_CTX *ctx = SSL_CTX_new(TLS_method());
    int failures = 0;

    if (ctx == NULL) {
        fprintf(stderr, "SSL_CTX_new failed\n");
        return 1;
    }
    printf("%-60s %10s %10s %7s\n", "cipher string (per call)", "phonesec", "OpenSSL", "ratio");
    for (i = 0; i < ns; i++) {
        double t0, t_us, t_os;
        int k, r, ok_us = 1, ok_os = 1;
        /* warm up both */
        ok_us = phonesec_ciphers_select(strings[i], codes, 256, &n) == PHONESEC_OK;
        ok_os = SSL_CTX_set_cipher_list(ctx, strings[i]) == 1;
        t_us = t_os = 1e9;
        for (r = 0; r < rounds; r++) {
            double t;
            t0 = now_s();
            for (k = 0; k < iters / rounds; k++)
                if (phonesec_ciphers_select(strings[i], codes, 256, &n) != PHONESEC_OK)
                    ok_us = 0;
            t = (now_s() - t0) / (iters / rounds);
            if (t < t_us)
                t_us = t;
            t0 = now_s();
            for (k = 0; k < iters / rounds; k++)
                if (SSL_CTX_set_cipher_list(ctx, strings[i]) != 1)
                    ok_os = 0;
            t = (now_s() - t0) / (iters / rounds);
            if (t < t_os)
                t_os = t;
        }
        if (!ok_us || !ok_os)
            failures++;
        tot_us += t_us;
        tot_os += t_os;
        printf("%-60.60s %8.2fus %8.2fus %6.1fx\n", strings[i], t_us * 1e6, t_os * 1e6, t_os / t_us);
    }
    printf("%-60s %8.2fus %8.2fus %6.1fx  (%zu strings, best of %d batches of %d calls; ratio = OpenSSL time / ours)\n",
           "TOTAL", tot_us * 1e6, tot_os * 1e6, tot_os / tot_us, ns, rounds, iters / rounds);
    SSL_CTX_free(ctx);
    return failures ? 1 : 0;
}
