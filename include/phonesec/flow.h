/*
 * libphonesec - persistent SIP flows (RFC 5626 keep-alive, reconnect, failover).
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_FLOW_H
#define PHONESEC_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "phonesec/core.h"
#include "phonesec/tls.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/flow.h
 * \brief One persistent stream flow per phone (normally TLS), reused by every
 *        call: RFC 5626 CRLF keep-alive, SIP message framing, automatic
 *        reconnect with RFC 5626 §4.5 backoff, failover to a backup server
 *        and fallback to the primary.
 *
 * The flow owns no socket, thread or timer. It drives connections through a
 * small non-blocking transport vtable (phonesec_flow_transport) and reads
 * time from the platform clock hook (phonesec_now_ms()). The caller's event
 * loop calls phonesec_flow_on_io() when a connection's socket is ready and
 * phonesec_flow_tick() when phonesec_flow_next_timeout_ms() has run out.
 *
 * Events (phonesec_flow_event) tell the SIP stack what happened. Each
 * PHONESEC_FLOW_EV_CONNECTED and PHONESEC_FLOW_EV_REESTABLISHED means a NEW
 * connection: the SIP stack must (re-)REGISTER every account on it, and then
 * should call phonesec_flow_confirm().
 *
 * Whatever the servers do, a flow makes a bounded number of connection
 * attempts per hour (doc/flow.md gives the formula: 121 with one server,
 * 268 with two, with the defaults): every wait after a loss has a floor, a
 * connection that did not prove itself counts as a failure (RFC 5626 §4.5
 * backoff), rounds and fallback probes have a minimum spacing.
 *
 * Callbacks run inside phonesec_flow_on_io(), phonesec_flow_tick(),
 * phonesec_flow_start() and phonesec_flow_send(). From a callback you may call
 * phonesec_flow_send(), phonesec_flow_confirm() and the getters, but never
 * phonesec_flow_stop() or phonesec_flow_free().
 *
 * ## Threads
 * A flow and its TLS binding (phonesec_flow_tls) are used by one thread at a
 * time, including the callbacks, which always run in the thread that made
 * the call they come from. Different flows may run in different threads.
 * Flows whose bindings share one phonesec_tls_ctx follow the context's
 * rules in phonesec/tls.h (a shared context, connections made from it in
 * several threads). A thread that ran a flow over TLS keeps wolfSSL's
 * per-thread state until it ends (released then automatically) or calls
 * phonesec_thread_cleanup().
 */

/** \name Flow states (phonesec_flow_state())
 * @{ */
#define PHONESEC_FLOW_STOPPED    0 /**< not started, or stopped */
#define PHONESEC_FLOW_CONNECTING 1 /**< a connection attempt is in progress */
#define PHONESEC_FLOW_UP         2 /**< connected: messages can be sent */
#define PHONESEC_FLOW_WAITING    3 /**< backing off before the next attempt */
/** @} */

/** \name Event types (phonesec_flow_event.type)
 * @{ */
/** First connection after phonesec_flow_start(): register the accounts. */
#define PHONESEC_FLOW_EV_CONNECTED      1
/** The flow was lost; `reason` says why (PHONESEC_E_TIMEOUT: keep-alive
 *  pong missing; PHONESEC_E_CLOSED: peer closed; PHONESEC_E_PARSE or
 *  PHONESEC_E_LIMIT: framing broken; or the transport's error). */
#define PHONESEC_FLOW_EV_LOST           2
/** A new connection replaces a lost one (or a fallback): the SIP stack MUST
 *  re-REGISTER every account on this flow. */
#define PHONESEC_FLOW_EV_REESTABLISHED  3
/** The flow now runs to a backup server because the primary is down. */
#define PHONESEC_FLOW_EV_FAILED_OVER    4
/** The primary answered again: the flow moved back from the backup. */
#define PHONESEC_FLOW_EV_FELL_BACK      5
/** One connection attempt failed; `retry_in_ms` says when the next one runs
 *  (0: the backup is tried at once in the same round). */
#define PHONESEC_FLOW_EV_ATTEMPT_FAILED 6
/** @} */

/** \brief What happened to a flow; passed to phonesec_flow_config.event_cb. */
typedef struct phonesec_flow_event {
    int type;             /**< PHONESEC_FLOW_EV_* */
    unsigned server;      /**< server index the event is about (0 primary, 1 backup) */
    int reason;           /**< LOST / ATTEMPT_FAILED: a PHONESEC_E_* code; else 0 */
    int resumed;          /**< CONNECTED / REESTABLISHED: 1 when the transport resumed a session */
    uint64_t retry_in_ms; /**< LOST / ATTEMPT_FAILED: time until the next attempt (never 0 after
                               a loss: at least retry_floor_ms) */
    unsigned failures;    /**< consecutive failures counted so far (RFC 5626 §4.5) */
} phonesec_flow_event;

/** Version of struct phonesec_flow_transport understood by this header
 *  (2 added hint_presented; version 1 vtables are accepted). */
#define PHONESEC_FLOW_TRANSPORT_VERSION 2

/**
 * \brief Non-blocking stream transport the flow drives (TLS in production,
 *        in-memory in tests). Every function gets the `user` given in
 *        phonesec_flow_config.transport_user. Fields are only added at the end.
 */
typedef struct phonesec_flow_transport {
    unsigned version; /**< PHONESEC_FLOW_TRANSPORT_VERSION */
    /** Start connecting to server `server` (0 primary, 1 backup). `resume`
     *  (NULL when none) is the hint a previous connection to the same server
     *  gave through save_resume. NULL after a hint was dropped (an attempt
     *  that presented it failed, or its connection ended in an error): the
     *  transport must then not resume what it kept for that server. Set
     *  *conn and return 0, or return a negative PHONESEC_E_* code. Must not
     *  block. Required. */
    int (*open)(void *user, unsigned server, const uint8_t *resume, size_t resume_len, void **conn);
    /** 1 when the connection is established (handshake done), 0 while still
     *  connecting, negative PHONESEC_E_* when it failed. Required. */
    int (*is_up)(void *user, void *conn);
    /** Send up to len bytes: 0 with *sent set (may be less than len),
     *  PHONESEC_E_WOULD_BLOCK, or another negative code (flow lost). Required. */
    int (*send)(void *user, void *conn, const uint8_t *buf, size_t len, size_t *sent);
    /** Receive up to cap bytes: 0 with *got > 0, PHONESEC_E_WOULD_BLOCK when
     *  nothing is there, PHONESEC_E_CLOSED at end of stream, or another
     *  negative code. Required. */
    int (*recv)(void *user, void *conn, uint8_t *buf, size_t cap, size_t *got);
    /** Close and free the connection. Required. */
    void (*close)(void *user, void *conn);
    /** Optional: write a session-resumption hint for this connection (e.g. a
     *  serialised TLS session) into buf: 0 with *len set,
     *  PHONESEC_E_BUFFER_SMALL, or another negative code (no hint: the
     *  previous one stays). The flow keeps the hint per server, wipes it on
     *  free, and hands it to open. It asks when a connection that did not
     *  resume comes up, after the first read that returned data, and when a
     *  connection ends; a connection that resumed is asked only after a read
     *  returned data (a TLS 1.3 ticket comes after the handshake). */
    int (*save_resume)(void *user, void *conn, uint8_t *buf, size_t cap, size_t *len);
    /** Optional: 1 when an established connection resumed a session, else 0. */
    int (*resumed)(void *user, void *conn);
    /* ---- version 2 ---- */
    /** Optional: for a connection attempt that failed, 1 when it got far
     *  enough to present the resumption hint to the server (TLS: the
     *  ClientHello went out), 0 when it failed before (TCP refused or timed
     *  out). The flow drops a hint after a failed attempt that presented it;
     *  one that never reached the server keeps it (a restarted server is
     *  then met with resumptions, not a burst of full handshakes). NULL:
     *  every failed attempt counts as presented. */
    int (*hint_presented)(void *user, void *conn);
} phonesec_flow_transport;

/** Largest resumption hint the flow keeps per server (bytes). */
#define PHONESEC_FLOW_RESUME_MAX 4096

/** Version of struct phonesec_flow_config understood by this header
 *  (2 added retry_floor_ms and stable_ms; version 1 structs are accepted). */
#define PHONESEC_FLOW_CONFIG_VERSION 2

/**
 * \brief Flow settings. Start from PHONESEC_FLOW_CONFIG_INIT or
 *        phonesec_flow_config_init(); fields are only added at the end.
 *        Times are milliseconds.
 */
typedef struct phonesec_flow_config {
    unsigned version;                          /**< PHONESEC_FLOW_CONFIG_VERSION */
    const phonesec_flow_transport *transport;  /**< required; must outlive the flow */
    void *transport_user;                        /**< passed to every transport function */
    unsigned servers;            /**< 1 (primary only) or 2 (primary + backup); default 1 */
    uint32_t keepalive_ms;       /**< CRLFCRLF interval; each wait is 80-100 % of it (RFC 5626 §4.4.1);
                                      0 = no keep-alive; default 120000 */
    uint32_t pong_timeout_ms;    /**< CRLF pong must arrive within this; 0 = pongs not required;
                                      default 10000 (RFC 5626 §4.4.1) */
    uint32_t connect_timeout_ms; /**< an attempt not up after this fails; default 10000 */
    uint32_t base_all_fail_ms;   /**< RFC 5626 §4.5 base-time when all flows failed; default 30000 */
    uint32_t base_ok_ms;         /**< base-time when other flows are OK; default 90000 */
    uint32_t max_backoff_ms;     /**< RFC 5626 §4.5 max-time; default 1800000 */
    uint32_t fallback_probe_ms;  /**< while on the backup, probe the primary this often;
                                      0 = never fall back; default 300000 */
    size_t max_message;          /**< largest SIP message (headers + body) received; default 65536 */
    size_t tx_buffer;            /**< largest queued output; default 65536 */
    /** Events; may be NULL. */
    void (*event_cb)(void *user, const phonesec_flow_event *ev);
    /** Each complete received SIP message (start line, headers, body as
     *  delimited by Content-Length). `msg` is valid during the call only. */
    void (*message_cb)(void *user, const uint8_t *msg, size_t len);
    void *cb_user; /**< passed to event_cb and message_cb */
    /* ---- version 2 ---- */
    /** Floor under every reconnect after a loss: the wait before the next
     *  attempt is never below it (1-2 times it when nothing counts as a
     *  failure). 0 = the default, 1000; there is no way to turn it off. */
    uint32_t retry_floor_ms;
    /** A connection proves itself only when it is seen working (a pong, or
     *  phonesec_flow_confirm()) this long or longer after it came up: only
     *  then does the consecutive-failure count return to 0. A loss before
     *  that (say, a server that answers REGISTER with 200 and drops the
     *  connection) counts as a failure. 0 = the default, 120000. */
    uint32_t stable_ms;
} phonesec_flow_config;

/** Static initialiser: every default, no transport, no callbacks. */
#define PHONESEC_FLOW_CONFIG_INIT { PHONESEC_FLOW_CONFIG_VERSION, NULL, NULL, 1, 120000u, 10000u, 10000u, \
                                    30000u, 90000u, 1800000u, 300000u, 65536u, 65536u, NULL, NULL, NULL, \
                                    1000u, 120000u }

/** \brief Fill *cfg with the defaults (same as PHONESEC_FLOW_CONFIG_INIT). */
PHONESEC_API void phonesec_flow_config_init(phonesec_flow_config *cfg);

/** Opaque persistent flow. */
typedef struct phonesec_flow phonesec_flow;

/**
 * \brief Create a flow (stopped). The configuration is copied; the receive
 *        and send buffers (max_message + tx_buffer bytes) are allocated here
 *        and nothing is allocated per message afterwards.
 * \param cfg  settings; transport and its open/is_up/send/recv/close required
 * \param out  receives the flow on success
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL argument, unknown version,
 *         missing transport function, servers not 1 or 2, zero timeouts or
 *         base times, max_message below 256 or above 16 MiB, tx_buffer below
 *         256 or above 16 MiB, a keep-alive interval whose 80 % is not
 *         above the pong timeout); PHONESEC_E_NOMEM. Struct versions 1 and
 *         2 are accepted (version 1 has no retry_floor_ms / stable_ms: their
 *         defaults apply).
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_flow_new(const phonesec_flow_config *cfg, phonesec_flow **out);

/** \brief Close any connection, wipe the resumption hints and free. NULL is a no-op. */
PHONESEC_API void phonesec_flow_free(phonesec_flow *flow);

/**
 * \brief Start connecting (primary first, then the backup).
 *
 * Events may fire before it returns (a transport that connects at once).
 * After phonesec_flow_stop() the first attempt waits as the stopped flow
 * would have (the pending backoff, and the minimum time between rounds).
 * \return PHONESEC_OK (an attempt runs or the flow is waiting to retry);
 *         PHONESEC_E_INVAL (flow NULL); PHONESEC_E_ALREADY (already started)
 */
PHONESEC_API int phonesec_flow_start(phonesec_flow *flow);

/**
 * \brief Close every connection and stop all timers. No event fires.
 *        Resumption hints, the failure count and a pending backoff are kept
 *        (a stop/start loop cannot speed up reconnects);
 *        phonesec_flow_start() may be called again.
 * \return PHONESEC_OK or PHONESEC_E_INVAL (flow NULL)
 */
PHONESEC_API int phonesec_flow_stop(phonesec_flow *flow);

/**
 * \brief Do the I/O work: finish connecting, read and frame what arrived
 *        (messages, pings, pongs), flush queued output. Call it when a
 *        connection's socket is readable or writable. Never blocks.
 * \return PHONESEC_OK (also when the flow was lost: an event said so);
 *         PHONESEC_E_INVAL (flow NULL)
 */
PHONESEC_API int phonesec_flow_on_io(phonesec_flow *flow);

/**
 * \brief Run the timers due now (keep-alive, pong timeout, connect timeout,
 *        backoff, fallback probe), then the same I/O work as
 *        phonesec_flow_on_io().
 * \return PHONESEC_OK or PHONESEC_E_INVAL (flow NULL)
 */
PHONESEC_API int phonesec_flow_tick(phonesec_flow *flow);

/**
 * \brief Milliseconds until phonesec_flow_tick() must be called next.
 * \return 0 when a timer is already due, -1 when no timer runs (stopped or
 *         flow NULL), else the delay (capped at INT32_MAX)
 */
PHONESEC_API int64_t phonesec_flow_next_timeout_ms(const phonesec_flow *flow);

/**
 * \brief Queue one complete SIP message for sending and try to send it.
 *
 * Whole messages are queued, so keep-alive pings never land inside one.
 * Queued output is dropped when the flow is lost (the SIP transaction layer
 * retransmits or times out).
 * \return PHONESEC_OK (queued; sent as the transport allows);
 *         PHONESEC_E_INVAL (NULL, or len 0);
 *         PHONESEC_E_STATE (the flow is not up: wait for CONNECTED or
 *         REESTABLISHED); PHONESEC_E_LIMIT (len larger than tx_buffer);
 *         PHONESEC_E_WOULD_BLOCK (the queue is full now: call again after
 *         phonesec_flow_on_io())
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_flow_send(phonesec_flow *flow, const uint8_t *msg, size_t len);

/**
 * \brief Tell the flow that registration on it succeeded (call it after
 *        every successful REGISTER, refreshes included). A keep-alive pong
 *        received on the flow counts the same. The RFC 5626 §4.5
 *        consecutive-failure count returns to 0 when the flow is seen working
 *        this way stable_ms or more after the connection came up; a loss
 *        before that counts as a failure.
 * \return PHONESEC_OK; PHONESEC_E_INVAL (flow NULL); PHONESEC_E_STATE (not up)
 */
PHONESEC_API int phonesec_flow_confirm(phonesec_flow *flow);

/**
 * \brief Change the keep-alive interval at run time, e.g. to the Flow-Timer
 *        value of a REGISTER response (RFC 5626 §4.4.1: pings then go out
 *        every 80-100 % of it). The next ping is rescheduled at once.
 * \param flow the flow
 * \param ms new interval; 0 turns keep-alives off
 * \return PHONESEC_OK; PHONESEC_E_INVAL (flow NULL, or 80 % of ms not above
 *         the pong timeout)
 */
PHONESEC_API int phonesec_flow_set_keepalive_ms(phonesec_flow *flow, uint32_t ms);

/**
 * \brief Tell the flow whether the phone has other working flows (other
 *        reg-ids): it then uses base_ok_ms instead of base_all_fail_ms.
 * \return PHONESEC_OK or PHONESEC_E_INVAL (flow NULL)
 */
PHONESEC_API int phonesec_flow_set_other_flows_ok(phonesec_flow *flow, int ok);

/**
 * \brief Current state of the flow.
 * \return PHONESEC_FLOW_STOPPED, _CONNECTING, _UP or _WAITING (STOPPED for NULL)
 */
PHONESEC_API int phonesec_flow_state(const phonesec_flow *flow);

/** \brief Index of the server in use or being tried (0 primary, 1 backup; 0 for NULL). */
PHONESEC_API unsigned phonesec_flow_server(const phonesec_flow *flow);

/** \brief RFC 5626 §4.5 consecutive failures counted now (0 for NULL; 0 once
 *         the current connection has proved itself, see phonesec_flow_confirm()). */
PHONESEC_API unsigned phonesec_flow_failures(const phonesec_flow *flow);

/**
 * \brief The transport connection currently up or connecting (NULL when
 *        none), e.g. to find its socket for poll(). `probe` 1 asks for the
 *        fallback probe connection to the primary instead.
 */
PHONESEC_API void *phonesec_flow_connection(const phonesec_flow *flow, int probe);

/**
 * \brief Whether the caller should poll the connections for writability.
 * \return 1 when output is queued or a connection (or the fallback probe) is
 *         being established, else 0 (also for NULL)
 */
PHONESEC_API int phonesec_flow_wants_write(const phonesec_flow *flow);

/** Version of struct phonesec_flow_stats understood by this header: the
 *  caller sets .version to it before phonesec_flow_get_stats(). */
#define PHONESEC_FLOW_STATS_VERSION 1

/** \brief Counters since phonesec_flow_new() (diagnostics screens, tests).
 *         Fields are only added at the end. */
typedef struct phonesec_flow_stats {
    unsigned version;            /**< set by the caller: PHONESEC_FLOW_STATS_VERSION */
    uint64_t pings_sent;         /**< CRLFCRLF keep-alives sent */
    uint64_t pongs_received;     /**< CRLF pongs matched to our pings */
    uint64_t peer_pings;         /**< pings from the peer, each answered with CRLF */
    uint64_t messages_received;  /**< whole SIP messages handed to message_cb */
    uint64_t messages_sent;      /**< messages queued by phonesec_flow_send() */
    uint64_t connections;        /**< connections that came up */
    uint64_t losses;             /**< PHONESEC_FLOW_EV_LOST events */
    uint64_t failed_attempts;    /**< connection attempts that failed */
} phonesec_flow_stats;

/** Static initialiser: this header's version, counters zero. */
#define PHONESEC_FLOW_STATS_INIT { PHONESEC_FLOW_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0 }

/**
 * \brief Copy the counters.
 *
 * The caller sets stats->version (PHONESEC_FLOW_STATS_VERSION of the header it
 * was compiled with); the library writes only the fields that version has, so
 * a caller built against an older header is never written past its struct. A
 * version newer than the library's gets the library's fields and its version
 * field lowered to the library's.
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, or stats->version 0)
 */
PHONESEC_API int phonesec_flow_get_stats(const phonesec_flow *flow, phonesec_flow_stats *stats);

/**
 * \brief Text of the last failure ("<error>: <detail>"), "" when none.
 * \return PHONESEC_OK or PHONESEC_E_INVAL (flow or buf NULL, cap 0)
 */
PHONESEC_API int phonesec_flow_last_error(const phonesec_flow *flow, char *buf, size_t cap);

/* ------------------------------------------------------------------------ */
/** \name TLS binding: flows over phonesec_tls connections on plain sockets
 *
 * A ready-made phonesec_flow_transport: each connection is a non-blocking
 * TCP socket to the configured server with a phonesec_tls client connection
 * on it (identity checks as the context says, SNI = reference name). The
 * TLS session of the last connection to each server is kept and offered on
 * the next connection to it (resumption); a resumed connection's session
 * replaces it only once a read has returned data (after the server's new
 * TLS 1.3 ticket), and a session the flow dropped is freed, never offered
 * again. With "only accept trusted" on, a connection whose handshake
 * completed without a verified chain is refused (PHONESEC_E_VERIFY) before
 * the flow reports it up. Use it like this:
 * \code
 *   phonesec_flow_tls_config tc = PHONESEC_FLOW_TLS_CONFIG_INIT;
 *   tc.ctx = client_ctx;
 *   tc.servers[0].host = "192.0.2.10"; tc.servers[0].port = 5061;
 *   tc.servers[0].reference_name = "sip.example.com";
 *   phonesec_flow_tls_new(&tc, &binding);
 *   fc.transport = phonesec_flow_tls_transport();
 *   fc.transport_user = binding;
 *   phonesec_flow_new(&fc, &flow);
 *   // event loop: poll phonesec_flow_tls_fd(phonesec_flow_connection(flow, 0))
 *   // and (..., 1) for phonesec_flow_tls_wants(); on readiness call
 *   // phonesec_flow_on_io(); on timeout phonesec_flow_tick().
 * \endcode
 * Host names are resolved with getaddrinfo(), which blocks: give IP
 * addresses (and the SIP domain as reference_name) to keep the loop
 * non-blocking.
 * @{ */

/** One server of a TLS flow. */
typedef struct phonesec_flow_tls_server {
    const char *host;           /**< IP literal (or a name: resolving it blocks); NULL = not configured */
    unsigned port;              /**< TCP port, e.g. 5061 */
    const char *reference_name; /**< identity checked in the certificate and sent as SNI; NULL = host */
} phonesec_flow_tls_server;

/** Version of struct phonesec_flow_tls_config understood by this header. */
#define PHONESEC_FLOW_TLS_CONFIG_VERSION 1

/** \brief Settings of the TLS binding; fields are only added at the end. */
typedef struct phonesec_flow_tls_config {
    unsigned version;                   /**< PHONESEC_FLOW_TLS_CONFIG_VERSION */
    phonesec_tls_ctx *ctx;              /**< client context; must outlive the binding */
    phonesec_flow_tls_server servers[2]; /**< [0] primary (required), [1] backup (optional) */
} phonesec_flow_tls_config;

/** Static initialiser: no context, no servers. */
#define PHONESEC_FLOW_TLS_CONFIG_INIT { PHONESEC_FLOW_TLS_CONFIG_VERSION, NULL, \
                                        { { NULL, 0, NULL }, { NULL, 0, NULL } } }

/** \brief Fill *cfg with the defaults (same as PHONESEC_FLOW_TLS_CONFIG_INIT); NULL is ignored. */
PHONESEC_API void phonesec_flow_tls_config_init(phonesec_flow_tls_config *cfg);

/** Opaque TLS binding: pass it as phonesec_flow_config.transport_user. */
typedef struct phonesec_flow_tls phonesec_flow_tls;

/**
 * \brief Create a TLS binding (strings are copied).
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, unknown version, no context,
 *         no primary host, port 0 or above 65535, a backup host without
 *         port); PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_flow_tls_new(const phonesec_flow_tls_config *cfg,
                                                             phonesec_flow_tls **out);

/** \brief Free the binding and the TLS sessions it kept (wiped). Free the
 *         flow first. NULL is a no-op. */
PHONESEC_API void phonesec_flow_tls_free(phonesec_flow_tls *binding);

/** \brief The transport vtable of the binding (static, never NULL). */
PHONESEC_API const phonesec_flow_transport *phonesec_flow_tls_transport(void);

/**
 * \brief Socket of a binding connection (from phonesec_flow_connection()).
 * \return the file descriptor, or -1 for NULL
 */
PHONESEC_API int phonesec_flow_tls_fd(const void *conn);

/**
 * \brief What a binding connection waits for, to choose poll() events.
 * \return PHONESEC_TLS_WANT_* bits: WANT_WRITE while TCP connects, what the
 *         handshake waits for during it, WANT_READ once established (add
 *         WANT_WRITE yourself when phonesec_flow_wants_write() says so);
 *         0 for NULL
 */
PHONESEC_API unsigned phonesec_flow_tls_wants(const void *conn);

/** \brief The phonesec_tls connection of a binding connection (for
 *         phonesec_tls_conn_info(): the lock icon), or NULL. */
PHONESEC_API phonesec_tls_conn *phonesec_flow_tls_conn(void *conn);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_FLOW_H */
