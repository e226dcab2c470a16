/*
 * libphonesec - per-thread state of the crypto backend.
 *
 * wolfSSL as Debian builds it (FP_ECC with HAVE_THREAD_LS) keeps a
 * fixed-point cache of ECC points per thread: once a thread has used the
 * same point twice (every ECDHE handshake does, with the curve's base point)
 * it builds a lookup table of about 10 MB for that thread. The cache lives in
 * thread-local storage, so when the thread ends only the table's pointers
 * go away: the table itself stays allocated for the life of the process.
 * The per-thread error queue (ERROR_QUEUE_PER_THREAD) is kept the same way.
 *
 * Every thread that enters the library through an allocation or the random
 * source is noted once (a thread-local flag, then a pthread key with a
 * destructor), so its backend state is released when it exits through
 * pthread_exit() or by returning from its start routine. Hosts whose threads
 * do not end that way (an RTOS task deleted from outside, a thread pool that
 * recycles its threads) call phonesec_thread_cleanup() themselves.
 * SPDX-License-Identifier: MIT
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/logging.h>

#include "core/internal.h"

static pthread_once_t g_key_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_key;
static int g_key_ok;
static _Thread_local int t_noted;

/* What wolfSSL keeps for the calling thread only. */
static void release_backend_thread_state(void)
{
#if defined(HAVE_ECC) && defined(FP_ECC)
    wc_ecc_fp_free();
#endif
#if defined(OPENSSL_EXTRA) || defined(DEBUG_WOLFSSL_VERBOSE)
    (void)wc_ERR_remove_state();
#endif
}

static void thread_exit(void *value)
{
    (void)value;
    release_backend_thread_state();
}

static void key_create(void)
{
    g_key_ok = pthread_key_create(&g_key, thread_exit) == 0;
}

/* A shared library unloaded while threads still carry the key would leave
 * them a destructor pointing at unmapped code: drop the key first. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((destructor)) static void thread_key_unload(void)
{
    if (g_key_ok) {
        g_key_ok = 0;
        pthread_key_delete(g_key);
    }
}
#endif

void phonesec__thread_note(void)
{
    static int value; /* any non-NULL value makes the destructor run */
    if (t_noted)
        return;
    t_noted = 1;
    if (pthread_once(&g_key_once, key_create) != 0 || !g_key_ok)
        return;
    if (pthread_setspecific(g_key, &value) != 0)
        t_noted = 0; /* try again on the next call */
}

int phonesec_thread_cleanup(void)
{
    release_backend_thread_state();
    return PHONESEC_OK;
}
