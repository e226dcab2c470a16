/* Memory that grows with threads (issue 17): wolfSSL's per-thread ECC
 * fixed-point cache (about 10 MB) must be released when a thread that did a
 * handshake ends, and by phonesec_thread_cleanup() on demand.
 *
 * wolfSSL's allocations are routed through the counting allocator hook
 * (phonesec_tls_route_backend_memory), so "bytes held" counts every byte of
 * the library and of wolfSSL. Threads run one after another; each does a
 * complete in-memory exchange (handshake, data both ways, close).
 *  - held after 100 thread lifetimes vs after 1: must stay flat
 *    (on the old code every thread leaves its cache behind: +10 MB each;
 *    the loop stops at 200 MB held so the old code fails fast);
 *  - phonesec_thread_cleanup() in a live thread and in the main thread gives
 *    the cache back.
 * Prints the figures doc/threads.md quotes. */
#define _POSIX_C_SOURCE 200809L
#include "support.h"

#include <pthread.h>
#include <time.h>

#include "thread_util.h"

static phonesec_tls_ctx *g_cctx, *g_sctx;
static long g_mid_bytes; /* held inside the thread after its exchange */
static int g_cleanup_in_thread;

/* --bench: how much slower the first exchange in a fresh thread is than its
 * second (the per-thread ECC tables are built during the first). */
static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define TIMED 6
static double g_t[TIMED];
static void *timed_life(void *arg)
{
    int rc = 0, k;
    (void)arg;
    for (k = 0; k < TIMED && rc == 0; k++) {
        double t0 = now_s();
        rc = tu_exchange(g_cctx, g_sctx);
        g_t[k] = now_s() - t0;
    }
    return rc == 0 ? NULL : (void *)1;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Medians over 21 fresh threads of the 1st, 2nd and 6th exchange. */
static int bench(void)
{
    double t[3][21];
    int i;
    for (i = 0; i < 21; i++) {
        pthread_t th;
        void *res = (void *)1;
        if (pthread_create(&th, NULL, timed_life, NULL) != 0 || pthread_join(th, &res) != 0 || res != NULL)
            return 1;
        t[0][i] = g_t[0];
        t[1][i] = g_t[1];
        t[2][i] = g_t[TIMED - 1];
    }
    for (i = 0; i < 3; i++)
        qsort(t[i], 21, sizeof t[i][0], cmp_d);
    printf("exchange (client+server handshake, data, close) in a fresh thread, medians of 21 threads: 1st %.2f ms, "
           "2nd %.2f ms, 6th %.2f ms; 1st/6th %.2f, 2nd/6th %.2f\n", t[0][10] * 1e3, t[1][10] * 1e3,
           t[2][10] * 1e3, t[0][10] / t[2][10], t[1][10] / t[2][10]);
    return 0;
}

static void *one_life(void *arg)
{
    int rc = tu_exchange(g_cctx, g_sctx);
    (void)arg;
    g_mid_bytes = test_alloc_bytes_live;
    if (rc == 0 && g_cleanup_in_thread)
        rc = phonesec_thread_cleanup();
    return rc == 0 ? NULL : (void *)1;
}

static int run_thread(void)
{
    pthread_t t;
    void *res = (void *)1;
    if (pthread_create(&t, NULL, one_life, NULL) != 0)
        return -1;
    if (pthread_join(t, &res) != 0)
        return -1;
    return res == NULL ? 0 : -1;
}

int main(int argc, char **argv)
{
    phonesec_platform p;
    long base, after1, after100 = 0, first_cost, rss0, rss1, rss100, held, limit = 200L << 20;
    int n = 1;

    CHECK(make_certs() == 0);
    phonesec_platform_init(&p);
    p.malloc_fn = test_malloc_hook;
    p.realloc_fn = test_realloc_hook;
    p.free_fn = test_free_hook;
    CHECK(phonesec_init(&p) == 0);
    CHECK(phonesec_tls_route_backend_memory() == 0);
    CHECK(tu_contexts(&g_cctx, &g_sctx) == 0);
    if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
        int rc = bench();
        phonesec_tls_ctx_free(g_cctx);
        phonesec_tls_ctx_free(g_sctx);
        remove_certs();
        return rc;
    }
    base = test_alloc_bytes_live;
    rss0 = tu_rss_kib();

    CHECK(run_thread() == 0);
    first_cost = g_mid_bytes - base;
    after1 = test_alloc_bytes_live;
    rss1 = tu_rss_kib();
    for (n = 1; n < 100; n++) {
        CHECK(run_thread() == 0);
        after100 = test_alloc_bytes_live;
        if (after100 - base > limit)
            break;
    }
    rss100 = tu_rss_kib();
    printf("first exchange in a thread: %.2f MB held while the thread lives\n", first_cost / 1048576.0);
    printf("held after 1 thread lifetime: %.3f MB, after %d: %.3f MB (ratio %.3f)\n",
           (after1 - base) / 1048576.0, n, (after100 - base) / 1048576.0,
           after1 - base > 0 ? (double)(after100 - base) / (double)(after1 - base) : 0.0);
    printf("RSS: before %ld KiB, after 1 thread %ld KiB, after %d threads %ld KiB (growth ratio %.2f)\n",
           rss0, rss1, n, rss100, rss1 > rss0 ? (double)(rss100 - rss0) / (double)(rss1 - rss0) : 0.0);
    /* Whatever one thread lifetime leaves (session cache rows, tickets) may
     * stay; what grows per thread must not: 99 more threads may add at most
     * 512 KiB in total, where the old code added about 1 GB. */
    CHECK(n == 100);
    CHECK(after100 - after1 < 512L * 1024);
    CHECK(after1 - base < 1024L * 1024);
    /* and the cache really was built inside the thread (the test can see it) */
    CHECK(first_cost > 2L * 1024 * 1024);

    /* phonesec_thread_cleanup() inside a live thread */
    g_cleanup_in_thread = 1;
    held = test_alloc_bytes_live;
    CHECK(run_thread() == 0);
    printf("thread calling phonesec_thread_cleanup(): %.3f MB held after its exchange, %.3f MB after exit\n",
           (g_mid_bytes - held) / 1048576.0, (test_alloc_bytes_live - held) / 1048576.0);
    CHECK(test_alloc_bytes_live - held < 512L * 1024);

    /* the main thread: its cache stays until phonesec_thread_cleanup() */
    held = test_alloc_bytes_live;
    CHECK(tu_exchange(g_cctx, g_sctx) == 0);
    CHECK(tu_exchange(g_cctx, g_sctx) == 0);
    first_cost = test_alloc_bytes_live - held;
    CHECK(phonesec_thread_cleanup() == PHONESEC_OK);
    printf("main thread: %.2f MB held after two exchanges, %.3f MB after phonesec_thread_cleanup()\n",
           first_cost / 1048576.0, (test_alloc_bytes_live - held) / 1048576.0);
    CHECK(first_cost > 2L * 1024 * 1024);
    CHECK(test_alloc_bytes_live - held < 512L * 1024);
    /* twice is harmless, and the thread can go on using the library */
    CHECK(phonesec_thread_cleanup() == PHONESEC_OK);
    CHECK(tu_exchange(g_cctx, g_sctx) == 0);
    CHECK(phonesec_thread_cleanup() == PHONESEC_OK);

    phonesec_tls_ctx_free(g_cctx);
    phonesec_tls_ctx_free(g_sctx);
    remove_certs();
    /* no phonesec_shutdown(): wolfSSL's process-wide state was allocated
     * through the hook, which must stay installed until exit */
    return 0;
}
