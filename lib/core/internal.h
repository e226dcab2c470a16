/*
 * libphonesec - internal helpers shared by every module. Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_CORE_INTERNAL_H
#define PHONESEC_CORE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "phonesec/core.h"

#if defined(__GNUC__) || defined(__clang__)
#define PHONESEC__PRINTF(f, a) __attribute__((format(printf, f, a)))
#define PHONESEC__INTERNAL __attribute__((visibility("hidden")))
#else
#define PHONESEC__PRINTF(f, a)
#define PHONESEC__INTERNAL
#endif

/* Register fn to run at phonesec_shutdown() (newest first, before the hooks
 * are reset; once per fn). For backend state a module sets up lazily. Not
 * thread-safe: call it where the module's one-time setup runs. */
PHONESEC__INTERNAL int phonesec__at_shutdown(void (*fn)(void));

/* Memory through the host's allocator hook. phonesec__free(NULL) is a no-op. */
PHONESEC__INTERNAL void *phonesec__malloc(size_t n);
PHONESEC__INTERNAL void *phonesec__calloc(size_t count, size_t size);
PHONESEC__INTERNAL void *phonesec__realloc(void *p, size_t n);
PHONESEC__INTERNAL void phonesec__free(void *p);
/* Wipe n bytes, then free. For anything that held key material. */
PHONESEC__INTERNAL void phonesec__free_secret(void *p, size_t n);
/* Zeroed memory aligned to `align` (a power of two up to 64) for structs of
 * the crypto backend that need more than the host allocator promises
 * (wolfCrypt's Aes wants 16 bytes; malloc gives 8 on 32-bit ARM). Free with
 * phonesec__free_aligned_secret(), which wipes n bytes first. */
PHONESEC__INTERNAL void *phonesec__calloc_aligned(size_t count, size_t size, size_t align);
PHONESEC__INTERNAL void phonesec__free_aligned_secret(void *p, size_t n);
/* NUL-terminated copy through the hook; NULL on OOM or s == NULL. */
PHONESEC__INTERNAL char *phonesec__strdup(const char *s);
PHONESEC__INTERNAL char *phonesec__strndup(const char *s, size_t n);

/* Log through the host hook (no-op without one, or above log_level).
 * Never pass key material. */
PHONESEC__INTERNAL void phonesec__log(int level, const char *module, const char *fmt, ...) PHONESEC__PRINTF(3, 4);
PHONESEC__INTERNAL int phonesec__log_enabled(int level);

/* Per-object last-error detail: embed one in each object. */
#define PHONESEC__ERRMSG_MAX 256
typedef struct phonesec__err {
    int code;
    char msg[PHONESEC__ERRMSG_MAX];
} phonesec__err;

/* Record code and detail (printf-style; never key material); returns code so
 * callers can write `return phonesec__fail(&o->err, PHONESEC_E_PARSE, "...")`. */
PHONESEC__INTERNAL int phonesec__fail(phonesec__err *e, int code, const char *fmt, ...) PHONESEC__PRINTF(3, 4);
PHONESEC__INTERNAL void phonesec__err_clear(phonesec__err *e);
/* Copy the detail out: "<strerror>: <detail>" or "" when no error. */
PHONESEC__INTERNAL int phonesec__err_copy(const phonesec__err *e, char *buf, size_t cap);

/* Note the calling thread once so that its crypto-backend state is released
 * when it exits (lib/core/thread.c). Called on every allocation and random
 * request; after the first call in a thread it is one thread-local test. */
PHONESEC__INTERNAL void phonesec__thread_note(void);

/* Which platform hooks the host replaced: 0 alloc, 1 log, 2 random, 3 clock. */
PHONESEC__INTERNAL int phonesec__platform_custom(int which);

/* ASCII helpers (locale-independent). */
PHONESEC__INTERNAL int phonesec__ascii_tolower(int c);
PHONESEC__INTERNAL int phonesec__strcaseeq(const char *a, const char *b);
PHONESEC__INTERNAL int phonesec__strncaseeq(const char *a, const char *b, size_t n);

/* Bounded append to a NUL-terminated buffer: returns 0, or -1 when it would
 * not fit (buffer then unchanged). */
PHONESEC__INTERNAL int phonesec__buf_append(char *buf, size_t cap, size_t *len, const char *s, size_t n);

/* Versioned structs (doc/abi.md). `sizes[v - 1]` is the size of version v of
 * the struct (up to the end of its last field), for v = 1 .. n (n = the
 * version this library knows). Each struct's table lives next to the code
 * that reads or fills it; sizes[0] must stay the 1.0 size forever.
 *
 * phonesec__struct_in: copy the caller's options struct `src` into `dst`
 * (the library's current layout, dst_size bytes): as many bytes as the
 * caller's version has, the rest zero. PHONESEC_E_INVAL for version 0 or a
 * version newer than n (settings this library cannot honour).
 *
 * phonesec__struct_out: copy the filled struct `full` (current layout) into
 * the caller's `dst`, only as many bytes as the caller's version (read from
 * dst's first field) has; a newer version than n gets n's bytes and its
 * version field set to n. PHONESEC_E_INVAL for version 0. */
PHONESEC__INTERNAL int phonesec__struct_in(void *dst, size_t dst_size, const void *src, const size_t *sizes,
                                           unsigned n);
PHONESEC__INTERNAL int phonesec__struct_out(void *dst, const void *full, const size_t *sizes, unsigned n);

/* A caller's struct version this library accepts: every one from 1 to the
 * current one (a caller compiled against an older header keeps working;
 * fields its version lacks count as zero). Never compare with `!=`. */
#define PHONESEC__VERSION_OK(v, current) ((v) >= 1u && (v) <= (unsigned)(current))

#endif
