/* Benchmark: read a 401 carrying three Security-Server headers (Deutsche
 * Telekom style) and produce the next request's headers.
 *   ours:   phonesec_mediasec_on_response() + phonesec_mediasec_request_headers()
 *   ours+:  the same with phonesec_mediasec_prepare_request() on the whole REGISTER
 *   anchor: libosip2 (an independent SIP parser) parsing the same 401, pulling
 *           out the three Security-Server values and printing Security-Verify
 *           lines from them with snprintf (what a stack with a parser does).
 * Prints CPU ns per message (process CPU time, best of 5 runs: the test
 * machine is shared, wall time would measure the neighbours) and the ratio. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <phonesec.h>
#ifdef HAVE_OSIP
#include <osipparser2/osip_parser.h>
#endif

#include "support.h"

#define ITER 5000
#define RUNS 5

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static char *r401, *reg2;
static size_t l401, lreg2;
static volatile size_t sink;

static int run_ours(int full)
{
    phonesec_mediasec_config c;
    phonesec_mediasec *ms = NULL;
    static char out[8192];
    size_t n;
    int i;
    phonesec_mediasec_config_init(&c);
    c.client_initiated = 1;
    if (phonesec_mediasec_new(&c, &ms) != 0 || phonesec_mediasec_reset(ms, 1) != 0)
        return -1;
    for (i = 0; i < ITER; i++) {
        if (phonesec_mediasec_on_response(ms, r401, l401) != 0)
            return -1;
        if (full) {
            if (phonesec_mediasec_prepare_request(ms, reg2, lreg2, out, sizeof out, &n) != 0)
                return -1;
        } else if (phonesec_mediasec_request_headers(ms, "REGISTER", PHONESEC_MEDIASEC_STYLE_PER_MECH, out, sizeof out,
                                                     &n) != 0) {
            return -1;
        }
        sink += n;
    }
    if (strstr(out, "Security-Verify: dtls-srtp;mediasec\r\n") == NULL)
        return -1;
    phonesec_mediasec_free(ms);
    return 0;
}

#ifdef HAVE_OSIP
static int run_osip(void)
{
    static char out[8192];
    int i;
    for (i = 0; i < ITER; i++) {
        osip_message_t *m;
        osip_header_t *h;
        int pos = 0;
        size_t n = 0;
        if (osip_message_init(&m) != 0 || osip_message_parse(m, r401, l401) != 0)
            return -1;
        while ((pos = osip_message_header_get_byname(m, "security-server", pos, &h)) >= 0) {
            n += (size_t)snprintf(out + n, sizeof out - n, "Security-Verify: %s\r\n", h->hvalue);
            pos++;
        }
        osip_message_free(m);
        sink += n;
    }
    if (strstr(out, "Security-Verify: dtls-srtp;mediasec\r\n") == NULL)
        return -1;
    return 0;
}
#endif

static double best(int (*fn)(int), int arg)
{
    double b = 1e30;
    int r;
    for (r = 0; r < RUNS; r++) {
        double t0 = now_ns();
        if (fn(arg) != 0) {
            fprintf(stderr, "benchmark run failed\n");
            exit(1);
        }
        double t = (now_ns() - t0) / ITER;
        if (t < b)
            b = t;
    }
    return b;
}

#ifdef HAVE_OSIP
static int osip_wrap(int unused)
{
    (void)unused;
    return run_osip();
}
#endif

int main(void)
{
    double ours, ours_full;
    r401 = test_read_vector("mediasec/tk-401.sip", &l401);
    reg2 = test_read_vector("mediasec/tk-register2.sip", &lreg2);
    if (r401 == NULL || reg2 == NULL) {
        fprintf(stderr, "cannot read vectors (PHONESEC_SRCDIR)\n");
        return 1;
    }
    if (phonesec_init(NULL) != 0)
        return 1;
    ours = best(run_ours, 0);
    ours_full = best(run_ours, 1);
    printf("mediasec 401 (3 x Security-Server, %zu bytes) -> next request headers\n", l401);
    printf("  ours   (on_response + request_headers): %8.0f ns/message\n", ours);
    printf("  ours   (on_response + prepare_request on the %zu-byte REGISTER): %8.0f ns/message\n", lreg2, ours_full);
#ifdef HAVE_OSIP
    parser_init();
    double anchor = best(osip_wrap, 0);
    printf("  anchor (libosip2 parse + header lookup + snprintf): %8.0f ns/message\n", anchor);
    printf("  ratio ours/anchor: %.2f (headers only), %.2f (whole request)\n", ours / anchor, ours_full / anchor);
#else
    printf("  anchor: libosip2 not available at build time\n");
#endif
    phonesec_shutdown();
    free(r401);
    free(reg2);
    return 0;
}
