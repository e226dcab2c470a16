/*
 * libphonesec - security library for IP phones. Umbrella header.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_H
#define PHONESEC_H

/**
 * \mainpage libphonesec
 *
 * A portable C library for the security jobs of an IP phone: TLS contexts
 * with SIP/HTTPS identity checks and persistent flows, OpenSSL-exact cipher
 * strings, SDES key negotiation and SRTP sessions, RFC 3329 MediaSec,
 * encrypted configuration files, and (opt-in, legacy) RC4 signal encoding.
 *
 * Rules that hold for every function unless its documentation says otherwise:
 * - **Errors**: functions that can fail return `int`: 0 (PHONESEC_OK) or a
 *   negative PHONESEC_E_* code; phonesec_strerror() names it. Objects keep a
 *   last-error detail text (`phonesec_<object>_last_error()`) that never
 *   contains key material.
 * - **Outputs** are written only on success. Buffers are passed as
 *   `(out, out_cap, &out_len)`; a too-small buffer gives
 *   PHONESEC_E_BUFFER_SMALL with *out_len set to the size needed.
 * - **NULL**: a NULL object or required pointer gives PHONESEC_E_INVAL;
 *   `*_free(NULL)` is a no-op.
 * - **Ownership**: `*_new()` returns an object the caller frees with the
 *   matching `*_free()`; strings returned as `const char *` belong to the
 *   object and live until it changes or is freed. Input buffers are copied.
 * - **Threads**: the library owns no thread. An object is used by one thread at a
 *   time unless its header's "Threads" section says it may be shared
 *   (a TLS context, a finished mediasec list, parameter structs); functions
 *   without an object may run in any thread. phonesec_init(),
 *   phonesec_shutdown() and phonesec_legacy_rc4_enable() are start-up calls,
 *   not thread-safe. wolfSSL's per-thread state is released when a thread
 *   ends, or by phonesec_thread_cleanup() (doc/threads.md).
 * - **Secrets** are wiped when freed and compared in constant time; they never
 *   reach the log hook.
 * - **I/O and time**: the library owns no sockets, threads or timers. It
 *   moves bytes through caller callbacks and reads time from the clock hook.
 */

#include "phonesec/core.h"
#include "phonesec/ciphers.h"
#include "phonesec/mediasec.h"
#include "phonesec/srtp.h"
#include "phonesec/sdes.h"
#include "phonesec/flow.h"
#include "phonesec/tls.h"
#include "phonesec/cfgcrypt.h"
#include "phonesec/legacy_rc4.h"

#endif
