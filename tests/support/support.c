#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

uint64_t test_clock_now = 1000000;
uint64_t test_clock(void *ud)
{
    (void)ud;
    return test_clock_now;
}

long test_alloc_fail_at;
long test_alloc_calls;
long test_alloc_live;
long test_alloc_bytes_live;
long test_alloc_bytes_peak;

/* A size header before each block so bytes held can be counted. */
#define HDR 16
void *test_malloc_hook(void *ud, size_t n)
{
    unsigned char *p;
    (void)ud;
    test_alloc_calls++;
    if (test_alloc_fail_at > 0 && test_alloc_calls == test_alloc_fail_at)
        return NULL;
    p = malloc(n + HDR);
    if (p == NULL)
        return NULL;
    memcpy(p, &n, sizeof n);
    test_alloc_live++;
    test_alloc_bytes_live += (long)n;
    if (test_alloc_bytes_live > test_alloc_bytes_peak)
        test_alloc_bytes_peak = test_alloc_bytes_live;
    return p + HDR;
}

void test_free_hook(void *ud, void *q)
{
    unsigned char *p = q;
    size_t n;
    (void)ud;
    if (p == NULL)
        return;
    p -= HDR;
    memcpy(&n, p, sizeof n);
    test_alloc_live--;
    test_alloc_bytes_live -= (long)n;
    free(p);
}

void *test_realloc_hook(void *ud, void *q, size_t n)
{
    unsigned char *p;
    size_t old;
    if (q == NULL)
        return test_malloc_hook(ud, n);
    test_alloc_calls++;
    if (test_alloc_fail_at > 0 && test_alloc_calls == test_alloc_fail_at)
        return NULL;
    p = (unsigned char *)q - HDR;
    memcpy(&old, p, sizeof old);
    p = realloc(p, n + HDR);
    if (p == NULL)
        return NULL;
    memcpy(p, &n, sizeof n);
    test_alloc_bytes_live += (long)n - (long)old;
    if (test_alloc_bytes_live > test_alloc_bytes_peak)
        test_alloc_bytes_peak = test_alloc_bytes_live;
    return p + HDR;
}

char test_log_text[16384];
void test_log_hook(void *ud, int level, const char *module, const char *msg)
{
    size_t l = strlen(test_log_text);
    (void)ud;
    snprintf(test_log_text + l, sizeof test_log_text - l, "%d %s: %s\n", level, module, msg);
}

int test_platform_setup(void **state)
{
    phonesec_platform p;
    (void)state;
    phonesec_platform_init(&p);
    p.malloc_fn = test_malloc_hook;
    p.realloc_fn = test_realloc_hook;
    p.free_fn = test_free_hook;
    p.log_fn = test_log_hook;
    p.log_level = PHONESEC_LOG_DEBUG;
    p.clock_ms_fn = test_clock;
    return phonesec_init(&p) == PHONESEC_OK ? 0 : -1;
}

int test_platform_teardown(void **state)
{
    (void)state;
    phonesec_shutdown();
    return 0;
}

char *test_read_vector(const char *name, size_t *len)
{
    const char *dir = getenv("PHONESEC_SRCDIR");
    char path[4096];
    FILE *f;
    char *buf;
    long n;

    snprintf(path, sizeof path, "%s/tests/vectors/%s", dir ? dir : ".", name);
    f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

long test_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *hex; hex++) {
        int v;
        char c = *hex;
        if (c == ' ' || c == '\n' || c == '\t' || c == ':')
            continue;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
        else return -1;
        if (hi < 0) {
            hi = v;
        } else {
            if (n >= cap)
                return -1;
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return hi < 0 ? (long)n : -1;
}
