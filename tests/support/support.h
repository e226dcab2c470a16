/* Helpers for the unit tests of every module. */
#ifndef PHONESEC_TEST_SUPPORT_H
#define PHONESEC_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <phonesec.h>

/* A fake monotonic clock the tests move by hand (ms). */
extern uint64_t test_clock_now;
uint64_t test_clock(void *ud);

/* An allocator that fails the N-th call (counted from 1; 0 = never) and
 * counts live allocations and bytes held. */
extern long test_alloc_fail_at;
extern long test_alloc_calls;
extern long test_alloc_live;
extern long test_alloc_bytes_live;
extern long test_alloc_bytes_peak; /* highest test_alloc_bytes_live so far (reset it to measure) */
void *test_malloc_hook(void *ud, size_t n);
void *test_realloc_hook(void *ud, void *p, size_t n);
void test_free_hook(void *ud, void *p);

/* Log lines captured by test_log_hook (all of them joined by '\n'). */
extern char test_log_text[16384];
void test_log_hook(void *ud, int level, const char *module, const char *msg);

/* phonesec_init() with the fake clock, counting allocator and log capture;
 * use as a cmocka group setup/teardown. */
int test_platform_setup(void **state);
int test_platform_teardown(void **state);

/* Read a whole file from tests/vectors/ (PHONESEC_SRCDIR env); caller frees. */
char *test_read_vector(const char *name, size_t *len);

/* Hex helpers: decode ignores spaces; returns byte count or -1. */
long test_hex_decode(const char *hex, uint8_t *out, size_t cap);

#endif
