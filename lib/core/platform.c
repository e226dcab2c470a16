/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <pthread.h>
#include <sys/types.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/wc_port.h>

#include "core/internal.h"

static void *default_malloc(void *user, size_t n) { (void)user; return malloc(n); }
static void *default_realloc(void *user, void *p, size_t n) { (void)user; return realloc(p, n); }
static void default_free(void *user, void *p) { (void)user; free(p); }

/* wolfCrypt's Hash-DRBG, seeded from the OS. One DRBG for the process,
 * behind a mutex: instantiating one per call costs tens of microseconds of
 * OS entropy reads. After fork() the child must not continue the parent's
 * stream (both would hand out the same keys), so the DRBG is re-instantiated
 * whenever the process id changes. */
static pthread_mutex_t g_rng_lock = PTHREAD_MUTEX_INITIALIZER;
static WC_RNG g_rng;
static int g_rng_ready;
static pid_t g_rng_pid;

static int default_random(void *user, uint8_t *buf, size_t len)
{
    int rc = 0;
    pid_t pid = getpid();
    (void)user;
    if (pthread_mutex_lock(&g_rng_lock) != 0)
        return -1;
    if (g_rng_ready && g_rng_pid != pid) {
        wc_FreeRng(&g_rng);
        g_rng_ready = 0;
    }
    if (!g_rng_ready) {
        if (wc_InitRng(&g_rng) != 0) {
            pthread_mutex_unlock(&g_rng_lock);
            return -1;
        }
        g_rng_ready = 1;
        g_rng_pid = pid;
    }
    while (len > 0 && rc == 0) {
        word32 n = len > 0x10000 ? 0x10000 : (word32)len;
        rc = wc_RNG_GenerateBlock(&g_rng, buf, n);
        buf += n;
        len -= n;
    }
    if (rc != 0) {
        /* A failed DRBG (e.g. a failed health test) is not reused. */
        wc_FreeRng(&g_rng);
        g_rng_ready = 0;
    }
    pthread_mutex_unlock(&g_rng_lock);
    return rc == 0 ? 0 : -1;
}

static void default_random_release(void)
{
    pthread_mutex_lock(&g_rng_lock);
    if (g_rng_ready) {
        wc_FreeRng(&g_rng);
        g_rng_ready = 0;
    }
    pthread_mutex_unlock(&g_rng_lock);
}

static uint64_t default_clock(void *user)
{
    struct timespec ts;
    (void)user;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static phonesec_platform g_platform = {
    PHONESEC_PLATFORM_VERSION, default_malloc, default_realloc, default_free, NULL,
    NULL, NULL, PHONESEC_LOG_WARN, default_random, NULL, default_clock, NULL,
};
static int g_initialised;

void phonesec_platform_init(phonesec_platform *p)
{
    static const phonesec_platform init = PHONESEC_PLATFORM_INIT;
    if (p != NULL)
        *p = init;
}

/* Sizes of phonesec_platform by struct version (sizes[0]: 1.0, forever). */
static const size_t platform_sizes[] = {sizeof(phonesec_platform)};

int phonesec_init(const phonesec_platform *p)
{
    phonesec_platform np;
    int have;

    if (g_initialised)
        return PHONESEC_E_ALREADY;
    phonesec_platform_init(&np);
    if (p != NULL) {
        /* Every struct version from 1 on; what an older one lacks is zero. */
        if (phonesec__struct_in(&np, sizeof np, p, platform_sizes, PHONESEC_PLATFORM_VERSION) != PHONESEC_OK)
            return PHONESEC_E_INVAL;
        have = (np.malloc_fn != NULL) + (np.realloc_fn != NULL) + (np.free_fn != NULL);
        if (have != 0 && have != 3)
            return PHONESEC_E_INVAL;
        if (np.log_level < 0 || np.log_level > PHONESEC_LOG_DEBUG)
            return PHONESEC_E_INVAL;
    }
    if (np.malloc_fn == NULL) {
        np.malloc_fn = default_malloc;
        np.realloc_fn = default_realloc;
        np.free_fn = default_free;
        np.alloc_user = NULL;
    }
    if (np.random_fn == NULL) {
        np.random_fn = default_random;
        np.random_user = NULL;
    }
    if (np.clock_ms_fn == NULL) {
        np.clock_ms_fn = default_clock;
        np.clock_user = NULL;
    }
    if (wolfCrypt_Init() != 0)
        return PHONESEC_E_CRYPTO;
    g_platform = np;
    g_initialised = 1;
    return PHONESEC_OK;
}

/* Backend state other modules set up (wolfSSL_Init in tls) is torn down by
 * phonesec_shutdown(), newest first, while the hooks that allocated it are
 * still installed. */
#define MAX_AT_SHUTDOWN 4
static void (*g_at_shutdown[MAX_AT_SHUTDOWN])(void);
static unsigned g_n_at_shutdown;

int phonesec__at_shutdown(void (*fn)(void))
{
    unsigned i;
    for (i = 0; i < g_n_at_shutdown; i++)
        if (g_at_shutdown[i] == fn)
            return PHONESEC_OK;
    if (g_n_at_shutdown == MAX_AT_SHUTDOWN)
        return PHONESEC_E_LIMIT;
    g_at_shutdown[g_n_at_shutdown++] = fn;
    return PHONESEC_OK;
}

void phonesec_shutdown(void)
{
    if (!g_initialised)
        return;
    while (g_n_at_shutdown > 0)
        g_at_shutdown[--g_n_at_shutdown]();
    /* Free the backend state first, while the allocator hook that made it
     * (wolfSSL routed through it, phonesec_tls_route_backend_memory) is
     * still installed; only then go back to the defaults. */
    default_random_release();
    wolfCrypt_Cleanup();
    phonesec_platform_init(&g_platform);
    g_platform.malloc_fn = default_malloc;
    g_platform.realloc_fn = default_realloc;
    g_platform.free_fn = default_free;
    g_platform.random_fn = default_random;
    g_platform.clock_ms_fn = default_clock;
    g_initialised = 0;
}

void *phonesec__malloc(size_t n)
{
    phonesec__thread_note();
    return g_platform.malloc_fn(g_platform.alloc_user, n == 0 ? 1 : n);
}

void *phonesec__calloc(size_t count, size_t size)
{
    void *p;
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    p = phonesec__malloc(count * size);
    if (p != NULL)
        memset(p, 0, count * size);
    return p;
}

void *phonesec__realloc(void *p, size_t n)
{
    phonesec__thread_note();
    return g_platform.realloc_fn(g_platform.alloc_user, p, n == 0 ? 1 : n);
}

void phonesec__free(void *p)
{
    if (p != NULL)
        g_platform.free_fn(g_platform.alloc_user, p);
}

void phonesec__free_secret(void *p, size_t n)
{
    if (p != NULL) {
        phonesec_memzero(p, n);
        g_platform.free_fn(g_platform.alloc_user, p);
    }
}

void *phonesec__calloc_aligned(size_t count, size_t size, size_t align)
{
    unsigned char *raw;
    uintptr_t at;
    size_t n;
    if (align < sizeof(void *))
        align = sizeof(void *);
    if ((align & (align - 1)) != 0 || align > 64 || (size != 0 && count > (SIZE_MAX - align - sizeof(void *)) / size))
        return NULL;
    n = count * size + align + sizeof(void *);
    raw = phonesec__calloc(1, n);
    if (raw == NULL)
        return NULL;
    /* the block starts at the first aligned address after room for the
     * pointer to the allocation, which is kept just below it */
    at = ((uintptr_t)raw + sizeof(void *) + align - 1) & ~(uintptr_t)(align - 1);
    memcpy((unsigned char *)at - sizeof(void *), &raw, sizeof raw);
    return (void *)at;
}

void phonesec__free_aligned_secret(void *p, size_t n)
{
    void *raw;
    if (p == NULL)
        return;
    phonesec_memzero(p, n);
    memcpy(&raw, (unsigned char *)p - sizeof(void *), sizeof raw);
    phonesec__free(raw);
}

char *phonesec__strndup(const char *s, size_t n)
{
    char *d;
    if (s == NULL)
        return NULL;
    d = phonesec__malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *phonesec__strdup(const char *s)
{
    return s == NULL ? NULL : phonesec__strndup(s, strlen(s));
}

int phonesec__log_enabled(int level)
{
    return g_platform.log_fn != NULL && level <= g_platform.log_level;
}

void phonesec__log(int level, const char *module, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    if (!phonesec__log_enabled(level))
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    g_platform.log_fn(g_platform.log_user, level, module, line);
}

int phonesec_random(void *buf, size_t len)
{
    if (len == 0)
        return PHONESEC_OK;
    if (buf == NULL)
        return PHONESEC_E_INVAL;
    phonesec__thread_note();
    if (g_platform.random_fn(g_platform.random_user, buf, len) != 0) {
        phonesec_memzero(buf, len);
        phonesec__log(PHONESEC_LOG_ERROR, "core", "random source failed");
        return PHONESEC_E_RANDOM;
    }
    return PHONESEC_OK;
}

uint64_t phonesec_now_ms(void)
{
    return g_platform.clock_ms_fn(g_platform.clock_user);
}

int phonesec__platform_custom(int which)
{
    switch (which) {
    case 0: return g_platform.malloc_fn != default_malloc;
    case 1: return g_platform.log_fn != NULL;
    case 2: return g_platform.random_fn != default_random;
    case 3: return g_platform.clock_ms_fn != default_clock;
    default: return 0;
    }
}
