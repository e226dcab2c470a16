/*
 * libphonesec - core: version, errors, platform hooks and small helpers.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_CORE_H
#define PHONESEC_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/core.h
 * \brief Version, error codes, platform hooks and helpers every module uses.
 *
 * ## Threads
 * phonesec_init() and phonesec_shutdown() are not thread-safe: call them
 * from one thread while no other thread uses the library. Everything else
 * here may run in any number of threads at once: phonesec_random() (the
 * default DRBG is behind a mutex), phonesec_now_ms(), phonesec_memzero(),
 * phonesec_ct_memcmp(), the base64 functions, phonesec_strerror() and the
 * version and build reports. The host's hooks (allocator, log, random,
 * clock) are called from whichever thread is in the library, possibly
 * several at once: they must be thread-safe. wolfSSL keeps state per thread
 * that the library releases when the thread ends, or at once with
 * phonesec_thread_cleanup() (doc/threads.md). Each module's header says
 * which of its objects may be shared.
 */

/** \name Export and attribute macros
 * @{ */
#if defined(_WIN32) && defined(PHONESEC_BUILDING)
#define PHONESEC_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define PHONESEC_API __attribute__((visibility("default")))
#else
#define PHONESEC_API
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PHONESEC_WARN_UNUSED __attribute__((warn_unused_result))
#else
#define PHONESEC_WARN_UNUSED
#endif
/** @} */

/** \name Version
 * The compile-time version of the headers; phonesec_version() gives the
 * version of the library actually linked.
 * @{ */
#define PHONESEC_VERSION_MAJOR 1 /**< incompatible API changes (the SONAME follows it) */
#define PHONESEC_VERSION_MINOR 1 /**< additions: new calls, struct fields added at the end */
#define PHONESEC_VERSION_PATCH 0 /**< fixes only */
/** "MAJOR.MINOR.PATCH" (scripts read this line: keep it alone) */
#define PHONESEC_VERSION_STRING "1.1.0"
/** Single number, 0xMMmmpp, for `#if` comparisons. */
#define PHONESEC_VERSION_NUMBER \
    ((PHONESEC_VERSION_MAJOR << 16) | (PHONESEC_VERSION_MINOR << 8) | PHONESEC_VERSION_PATCH)
/** @} */

/**
 * \name Error codes
 * Every function that can fail returns `int`: 0 on success or one of these
 * negative values. The numbers are part of the ABI: they never change and
 * are never reused (see doc/abi.md).
 * @{ */
#define PHONESEC_OK                0   /**< success */
#define PHONESEC_E_INVAL          -1   /**< invalid argument (NULL where not allowed, bad size, bad flag) */
#define PHONESEC_E_NOMEM          -2   /**< the allocator returned NULL */
#define PHONESEC_E_BUFFER_SMALL   -3   /**< output buffer too small; nothing was written */
#define PHONESEC_E_PARSE          -4   /**< malformed input (syntax error) */
#define PHONESEC_E_UNSUPPORTED    -5   /**< well-formed but not supported by this build or backend */
#define PHONESEC_E_NOT_FOUND      -6   /**< the item looked for is not there */
#define PHONESEC_E_NO_MATCH       -7   /**< nothing acceptable was selected (e.g. "no cipher match") */
#define PHONESEC_E_STATE          -8   /**< call not valid in the object's current state */
#define PHONESEC_E_CRYPTO         -9   /**< the crypto backend failed */
#define PHONESEC_E_AUTH          -10   /**< authentication failed: tag mismatch, wrong key or password */
#define PHONESEC_E_REPLAY        -11   /**< replayed or too old packet */
#define PHONESEC_E_WOULD_BLOCK   -12   /**< no progress possible now; call again when I/O is ready */
#define PHONESEC_E_IO            -13   /**< I/O error reported by the caller's transport or the OS */
#define PHONESEC_E_CLOSED        -14   /**< the peer closed the connection */
#define PHONESEC_E_VERIFY        -15   /**< certificate chain did not verify */
#define PHONESEC_E_NAME          -16   /**< peer identity does not match the reference identity */
#define PHONESEC_E_POLICY        -17   /**< refused by the configured policy */
#define PHONESEC_E_LIMIT         -18   /**< a configured limit was reached */
#define PHONESEC_E_DISABLED      -19   /**< feature compiled out or not enabled at run time */
#define PHONESEC_E_TIMEOUT       -20   /**< a timer ran out */
#define PHONESEC_E_RANDOM        -21   /**< the random source failed */
#define PHONESEC_E_INTERNAL      -22   /**< internal error (a bug: please report) */
#define PHONESEC_E_EXPIRED       -23   /**< a key or certificate lifetime ran out */
#define PHONESEC_E_TRUNCATED     -24   /**< input ended before a complete structure */
#define PHONESEC_E_ALREADY       -25   /**< already done (e.g. phonesec_init() twice) */
#define PHONESEC_E_HANDSHAKE     -26   /**< TLS handshake failed for a reason other than verification */
/** @} */

/**
 * \brief Short English text for an error code; never NULL.
 *
 * Unknown codes give "unknown error". The text never contains key material.
 */
PHONESEC_API const char *phonesec_strerror(int err);

/** \brief Version of the linked library, e.g. "0.1.0". */
PHONESEC_API const char *phonesec_version(void);

/** \brief Version of the linked library as PHONESEC_VERSION_NUMBER would give it. */
PHONESEC_API unsigned long phonesec_version_number(void);

/** \name Feature bits reported by phonesec_features()
 * @{ */
#define PHONESEC_FEATURE_CIPHERS    (1u << 0) /**< ciphers module (ciphers.h) */
#define PHONESEC_FEATURE_TLS        (1u << 1) /**< tls module (tls.h) */
#define PHONESEC_FEATURE_SDES       (1u << 2) /**< sdes module (sdes.h) */
#define PHONESEC_FEATURE_SRTP       (1u << 3) /**< srtp module (srtp.h) */
#define PHONESEC_FEATURE_MEDIASEC   (1u << 4) /**< mediasec module (mediasec.h) */
#define PHONESEC_FEATURE_CFGCRYPT   (1u << 5) /**< cfgcrypt module (cfgcrypt.h) */
#define PHONESEC_FEATURE_LEGACY_RC4 (1u << 6) /**< legacy_rc4 module (legacy_rc4.h) */
#define PHONESEC_FEATURE_FLOW       (1u << 7) /**< persistent TLS flow (flow.h) */
/** @} */

/** \brief Bit set of PHONESEC_FEATURE_* compiled into the linked library. */
PHONESEC_API unsigned phonesec_features(void);

/** \name Backends for phonesec_backend_version()
 * @{ */
#define PHONESEC_BACKEND_WOLFSSL 1 /**< the TLS and crypto backend */
#define PHONESEC_BACKEND_LIBSRTP 2 /**< libsrtp2 (the SRTP reference engine) */
/** @} */

/**
 * \brief Version string of a crypto backend.
 * \param backend PHONESEC_BACKEND_WOLFSSL or PHONESEC_BACKEND_LIBSRTP
 * \param linked  1: the version of the library linked at run time;
 *                0: the version whose headers libphonesec was compiled with
 * \return a static string, or NULL for an unknown backend
 */
PHONESEC_API const char *phonesec_backend_version(int backend, int linked);

/**
 * \brief Human-readable build report: library version, modules compiled in,
 *        backend versions (compiled and linked), platform hooks in use.
 *
 * The text is NUL-terminated and ends in a newline.
 * \param buf     output buffer
 * \param cap     its size in bytes
 * \param out_len set to the length written, or needed, without the NUL (may be NULL)
 * \return PHONESEC_OK, PHONESEC_E_INVAL (buf NULL with cap > 0) or
 *         PHONESEC_E_BUFFER_SMALL (buf untouched; *out_len tells the size needed)
 */
PHONESEC_API int phonesec_build_report(char *buf, size_t cap, size_t *out_len);

/** \name Log levels
 * @{ */
#define PHONESEC_LOG_ERROR 1 /**< an operation failed */
#define PHONESEC_LOG_WARN  2 /**< something the operator should know (a legacy setting, a weak peer) */
#define PHONESEC_LOG_INFO  3 /**< state changes (connected, renegotiated) */
#define PHONESEC_LOG_DEBUG 4 /**< protocol detail, never key material */
/** @} */

/** Version of struct phonesec_platform understood by this header. */
#define PHONESEC_PLATFORM_VERSION 1

/**
 * \brief Hooks the host supplies once, at phonesec_init().
 *
 * Set `version` to PHONESEC_PLATFORM_VERSION (PHONESEC_PLATFORM_INIT or
 * phonesec_platform_init() do that); leave a hook NULL to keep the default.
 * Fields are only ever added at the end.
 */
typedef struct phonesec_platform {
    unsigned version; /**< PHONESEC_PLATFORM_VERSION (1 .. the library's version are accepted) */
    /** Allocator: all three or none. Defaults: malloc, realloc, free. */
    void *(*malloc_fn)(void *user, size_t size);
    void *(*realloc_fn)(void *user, void *ptr, size_t size); /**< see malloc_fn */
    void (*free_fn)(void *user, void *ptr);                  /**< see malloc_fn */
    void *alloc_user; /**< passed first to the allocator hooks */
    /** Log sink; default none. `msg` is one line without newline; it never
     *  contains key material. `module` is e.g. "tls", "sdes". */
    void (*log_fn)(void *user, int level, const char *module, const char *msg);
    void *log_user; /**< passed first to log_fn */
    /** Most verbose level passed to log_fn (default PHONESEC_LOG_WARN). */
    int log_level;
    /** Random source: fill buf with len cryptographically secure bytes,
     *  return 0 on success. Default: wolfCrypt's DRBG seeded by the OS. */
    int (*random_fn)(void *user, uint8_t *buf, size_t len);
    void *random_user; /**< passed first to random_fn */
    /** Monotonic clock in milliseconds for the timer-driven modules.
     *  Default: CLOCK_MONOTONIC. */
    uint64_t (*clock_ms_fn)(void *user);
    void *clock_user; /**< passed first to clock_ms_fn */
} phonesec_platform;

/** Static initialiser: every hook default. */
#define PHONESEC_PLATFORM_INIT { PHONESEC_PLATFORM_VERSION, NULL, NULL, NULL, NULL, \
                                 NULL, NULL, PHONESEC_LOG_WARN, NULL, NULL, NULL, NULL }

/** \brief Fill *p with defaults (same as PHONESEC_PLATFORM_INIT). */
PHONESEC_API void phonesec_platform_init(phonesec_platform *p);

/**
 * \brief Install the platform hooks. Call once, before creating any object.
 *
 * Calling it is optional: without it every hook has its default. It is not
 * thread-safe: call it from one thread before others use the library.
 * \param p hooks (copied), or NULL for all defaults
 * \return PHONESEC_OK; PHONESEC_E_INVAL (unknown struct version, or only part
 *         of the allocator triple given, or log_level out of range);
 *         PHONESEC_E_ALREADY (called before without phonesec_shutdown());
 *         PHONESEC_E_CRYPTO (the crypto backend failed to initialise)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_init(const phonesec_platform *p);

/**
 * \brief Undo phonesec_init(): hooks return to their defaults.
 * Every object must have been freed first.
 */
PHONESEC_API void phonesec_shutdown(void);

/**
 * \brief Release what the crypto backend keeps for the calling thread.
 *
 * wolfSSL keeps per-thread state: a fixed-point cache of ECC points (about
 * 10 MB once the thread has done an ECDHE handshake or an ECDSA signature,
 * see doc/threads.md) and an error queue. The library releases it by itself
 * when a thread that used it ends through pthread_exit() or by returning
 * from its start routine. Call this function where that does not happen:
 * before a thread is ended some other way (an RTOS task deleted from
 * outside), or in a thread pool's worker between jobs to give the memory
 * back early. Calling it when nothing is held, or several times, is harmless.
 * The thread may use the library again afterwards (the cache is rebuilt on
 * demand). Objects and other threads are not affected.
 *
 * With wolfSSL's memory routed through the allocator hook
 * (phonesec_tls_route_backend_memory()), the hook must still be installed
 * when a thread that used the library ends.
 * \return PHONESEC_OK (always; the int is for future backends)
 */
PHONESEC_API int phonesec_thread_cleanup(void);

/**
 * \brief Fill buf with len random bytes from the configured random source.
 * \return PHONESEC_OK, PHONESEC_E_INVAL (buf NULL with len > 0) or PHONESEC_E_RANDOM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_random(void *buf, size_t len);

/** \brief Milliseconds from the configured monotonic clock. */
PHONESEC_API uint64_t phonesec_now_ms(void);

/**
 * \brief Overwrite len bytes at p with zeros in a way the compiler cannot
 *        optimise away. p may be NULL when len is 0.
 */
PHONESEC_API void phonesec_memzero(void *p, size_t len);

/**
 * \brief Compare two secrets in time that depends only on len.
 * \return 0 when equal, -1 when different (never which byte differed)
 */
PHONESEC_API int phonesec_ct_memcmp(const void *a, const void *b, size_t len);

/** \name Base64 variants for phonesec_base64_decode()/encode()
 * @{ */
/** RFC 4648 §4 alphabet; decoding requires correct '=' padding. */
#define PHONESEC_BASE64_STD           0
/** RFC 4648 §4 alphabet; '=' padding optional but, if present, correct. */
#define PHONESEC_BASE64_STD_NOPAD_OK  1
/** RFC 4648 §5 URL-safe alphabet; no padding allowed (RFC 8188 style). */
#define PHONESEC_BASE64_URL           2
/** RFC 4648 §5 alphabet; '=' padding optional but, if present, correct. */
#define PHONESEC_BASE64_URL_NOPAD_OK  3
/** Encoder only: standard alphabet without padding. */
#define PHONESEC_BASE64_STD_NOPAD     4
/** @} */

/**
 * \brief Strict base64 decoding.
 *
 * Refuses characters outside the variant's alphabet (including white space),
 * misplaced or wrong padding, a length that cannot come from encoding, and
 * non-zero bits left over in the last character.
 * \param in       text (need not be NUL-terminated)
 * \param in_len   its length
 * \param variant  PHONESEC_BASE64_STD, _STD_NOPAD_OK, _URL or _URL_NOPAD_OK
 * \param out      output buffer (may be NULL when out_cap is 0)
 * \param out_cap  its size
 * \param out_len  set to the decoded length on success, or to the length needed
 *                 on PHONESEC_E_BUFFER_SMALL
 * \param err_pos  on PHONESEC_E_PARSE, set to the offset of the first offending
 *                 character (in_len when the input ended too early); may be NULL
 * \return PHONESEC_OK, PHONESEC_E_INVAL, PHONESEC_E_PARSE or
 *         PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_base64_decode(const char *in, size_t in_len, int variant,
                                                              uint8_t *out, size_t out_cap, size_t *out_len,
                                                              size_t *err_pos);

/**
 * \brief Base64 encoding; writes a NUL after the text.
 * \param in       bytes to encode (may be NULL when in_len is 0)
 * \param in_len   their number
 * \param out      output buffer for the text and its NUL (may be NULL when out_cap is 0)
 * \param out_cap  its size
 * \param variant  PHONESEC_BASE64_STD (padded), PHONESEC_BASE64_STD_NOPAD or
 *                 PHONESEC_BASE64_URL (unpadded)
 * \param out_len  set to the text length (without NUL), or the length needed
 *                 (without NUL) on PHONESEC_E_BUFFER_SMALL
 * \return PHONESEC_OK, PHONESEC_E_INVAL or PHONESEC_E_BUFFER_SMALL (out untouched)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_base64_encode(const uint8_t *in, size_t in_len, int variant,
                                                              char *out, size_t out_cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_CORE_H */
