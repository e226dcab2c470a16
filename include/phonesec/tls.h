/*
 * libphonesec - TLS contexts, identity checks and connections (on wolfSSL).
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_TLS_H
#define PHONESEC_TLS_H

#include <stddef.h>
#include <stdint.h>

#include "phonesec/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/tls.h
 * \brief TLS client and server contexts, SIP (RFC 5922) and HTTPS (RFC 6125)
 *        identity checks, and socket-less (sans-I/O) TLS connections.
 *
 * ## Objects
 * - **phonesec_tls_ctx**: what a phone configures once: role (client or
 *   server), protocol versions, cipher policy, trust list ("Trusted
 *   Certificates", default limit 10), "Only Accept Trusted Certificates"
 *   (default on), its own certificate + key (+ chain) (the server certificate,
 *   or the client certificate for mutual TLS), CRLs, identity mode and
 *   Restricted Access Domains. Every change is atomic: the context is rebuilt
 *   behind the scenes and a failed change leaves the previous configuration
 *   working. Connections already made keep the configuration they were made
 *   with. Besides the codes each call lists, any change may fail with
 *   PHONESEC_E_NOMEM, and a change of a server context with tickets on with
 *   PHONESEC_E_RANDOM (no random bytes for its new ticket key); the context
 *   is then unchanged.
 * - **phonesec_tls_conn**: one TLS connection. It never owns a socket. Bytes
 *   move either through caller callbacks (phonesec_tls_io) or, when no
 *   callbacks are given, by feeding received bytes in
 *   (phonesec_tls_conn_feed()) and draining bytes to send
 *   (phonesec_tls_conn_drain()). Everything is non-blocking:
 *   PHONESEC_E_WOULD_BLOCK is a normal return meaning "call again when the
 *   transport has data / room".
 * - **phonesec_tls_session**: a resumable session taken from an established
 *   client connection (phonesec_tls_conn_get_session()) and offered by the
 *   next connection to the same server (phonesec_tls_conn_set_session()).
 *
 * ## Checks a client connection makes (each reported separately)
 * 1. **chain**: the peer's chain must verify against the trust list (when
 *    "only accept trusted" is off the handshake may complete unverified, and
 *    phonesec_tls_info::chain says PHONESEC_TLS_CHECK_FAILED with the reason:
 *    the caller must not show a lock icon).
 * 2. **name**: our own code (never wolfSSL's hostname check) compares the
 *    reference identity with the leaf certificate, in SIP or HTTPS mode
 *    (see phonesec_tls_cert_check_name()). It can be switched off per
 *    connection ("TLS Name Validate = No") independently of the chain check.
 * 3. **restricted domains**: a client connection to a reference identity
 *    outside the configured list is refused before any byte is sent.
 * A failed enabled check aborts the handshake with an alert;
 * phonesec_tls_conn_last_error() says which check failed and why.
 *
 * ## Driving a connection (what the persistent-flow module does)
 * \code
 *   phonesec_tls_conn_config cc = PHONESEC_TLS_CONN_CONFIG_INIT;
 *   cc.reference_name = "sip.example.com";        // SNI + identity check
 *   cc.io.send = my_send; cc.io.recv = my_recv; cc.io.user = &my_socket;
 *   rc = phonesec_tls_conn_new(ctx, &cc, &conn);
 *   if (saved) rc = phonesec_tls_conn_set_session(conn, saved);   // resume
 *   while ((rc = phonesec_tls_conn_handshake(conn)) == PHONESEC_E_WOULD_BLOCK)
 *       wait_for_socket(phonesec_tls_conn_wants(conn));
 *   if (rc == PHONESEC_OK) {
 *       phonesec_tls_conn_get_session(conn, &saved_next);          // keep for reconnect
 *       rc = phonesec_tls_conn_write(conn, msg, len, &n);           // may be partial
 *       rc = phonesec_tls_conn_read(conn, buf, sizeof buf, &got);   // WOULD_BLOCK = no data yet
 *   }
 *   phonesec_tls_conn_close(conn);    // close_notify (WOULD_BLOCK: call again)
 *   phonesec_tls_conn_free(conn);
 * \endcode
 * In feed/drain mode (io.send == NULL and io.recv == NULL) the caller instead
 * calls phonesec_tls_conn_feed() with bytes from the network and sends
 * whatever phonesec_tls_conn_drain() returns, after every call.
 *
 * ## Threads
 * - A context may be shared by any number of threads: they may create
 *   connections on it and run them while another thread changes the context
 *   (trust list, certificate, CRL, ciphers, only_trusted, restricted
 *   domains). Every change builds a new configuration snapshot aside
 *   (wolfSSL context, copy of the trust list, policy, generation number)
 *   and swaps it in atomically; a failed change leaves the old one. A
 *   connection takes a reference to the snapshot current when
 *   phonesec_tls_conn_new() runs and keeps it until phonesec_tls_conn_free():
 *   its checks (the verify callback included) read that snapshot, never the
 *   live context. Changes are serialised against each other by the context.
 * - Connection creation only reads the context. A failure of
 *   phonesec_tls_conn_new() is recorded for phonesec_tls_ctx_last_error() in
 *   a slot of its own (under the context's lock; with several threads it is
 *   whichever failed last); everything after creation is reported on the
 *   connection (phonesec_tls_conn_last_error()).
 * - phonesec_tls_ctx_free() may be called while connections made from the
 *   context are still alive (they keep their snapshot), but not while
 *   another thread is still inside a call on the context.
 * - A connection, and a session object, are used by one thread at a time.
 * - The first phonesec_tls_ctx_new() initialises wolfSSL once for the
 *   process: make it before starting threads that create contexts.
 *
 * ## Sessions and resumption
 * - Every configuration change starts a new generation of the context.
 *   A client session records the context and generation that made it;
 *   phonesec_tls_conn_set_session() refuses (PHONESEC_E_EXPIRED) a session of
 *   another context or an older generation.
 * - A server resumes only sessions made by the same context in the same
 *   generation: session IDs from the snapshot's own cache (never wolfSSL's
 *   process-wide one), tickets sealed with the snapshot's own key. The
 *   server remembers each session's full-handshake verdicts and client
 *   certificate; a resumed connection reports them and is checked against
 *   its own policy (client certificate required, chain, reference name).
 *   A server remembers the last 1,024 sessions of each configuration
 *   snapshot; an older one makes a full handshake.
 *   A session that falls short is not resumed: a full handshake follows
 *   (except that a wolfSSL 5.5.4 client, this library's included, cannot
 *   fall back after its TLS 1.2 ticket is refused: that attempt fails, and
 *   the next one, without the session, is a full handshake).
 * - phonesec_tls_conn_get_session() never returns a session that cannot
 *   resume (see there).
 */

/** \name Roles
 * @{ */
#define PHONESEC_TLS_CLIENT 0 /**< connects out (SIP proxy, provisioning, LDAP) */
#define PHONESEC_TLS_SERVER 1 /**< accepts connections */
/** @} */

/** \name Protocol versions (wire values)
 * @{ */
#define PHONESEC_TLS_V1_0 0x0301 /**< TLS 1.0: deprecated (RFC 8996), opt-in only */
#define PHONESEC_TLS_V1_1 0x0302 /**< TLS 1.1: deprecated (RFC 8996), opt-in only */
#define PHONESEC_TLS_V1_2 0x0303 /**< TLS 1.2 (default minimum) */
#define PHONESEC_TLS_V1_3 0x0304 /**< TLS 1.3 (default maximum) */
/** @} */

/** \name Identity modes
 * @{ */
/** RFC 5922: `sip:` URI SANs without user part and dNSName SANs, CN only when
 *  the certificate has no subjectAltName extension; exact, case-insensitive,
 *  no wildcards; IP literals against iPAddress SANs. */
#define PHONESEC_TLS_IDENTITY_SIP 0
/** RFC 6125: dNSName SANs, `*` only as the whole left-most label; CN when
 *  there is no dNSName SAN, including the provisioning form
 *  `CN=host.example.com/anything`; IP literals against iPAddress SANs. */
#define PHONESEC_TLS_IDENTITY_HTTPS 1
/** @} */

/** \name Client certificate policy of a server context
 * @{ */
#define PHONESEC_TLS_CLIENT_CERT_NONE    0 /**< do not ask for one (default) */
#define PHONESEC_TLS_CLIENT_CERT_REQUEST 1 /**< ask; accept none; one that is sent must verify when
                                                 only_trusted is on (off: accepted, reported unverified) */
#define PHONESEC_TLS_CLIENT_CERT_REQUIRE 2 /**< mutual TLS: a verified client certificate is required,
                                                 whatever only_trusted says (PHONESEC_E_VERIFY otherwise) */
/** @} */

/** \name Input formats of certificates, keys and CRLs
 * @{ */
#define PHONESEC_TLS_FORMAT_AUTO 0 /**< PEM when the data contains "-----BEGIN", else DER */
#define PHONESEC_TLS_FORMAT_PEM  1 /**< PEM ("-----BEGIN ...-----" blocks, base64) */
#define PHONESEC_TLS_FORMAT_DER  2 /**< DER (binary ASN.1, one object) */
/** @} */

/** Default maximum number of trusted certificates (as phones allow). */
#define PHONESEC_TLS_DEFAULT_MAX_TRUSTED 10

/** Version of phonesec_tls_config understood by this header. */
#define PHONESEC_TLS_CONFIG_VERSION 1

/**
 * \brief Settings of a context, fixed at phonesec_tls_ctx_new() (the
 *        trust list, certificate, CRLs and cipher policy are set afterwards
 *        through functions). Fields are only ever added at the end.
 */
typedef struct phonesec_tls_config {
    unsigned version;       /**< PHONESEC_TLS_CONFIG_VERSION */
    int role;               /**< PHONESEC_TLS_CLIENT (default) or PHONESEC_TLS_SERVER */
    unsigned min_version;   /**< lowest protocol, default PHONESEC_TLS_V1_2; lower values need allow_legacy_versions */
    unsigned max_version;   /**< highest protocol, default PHONESEC_TLS_V1_3 */
    int allow_legacy_versions; /**< 1 = explicit opt-in to TLS 1.0/1.1 (default 0) */
    /** Cipher string in OpenSSL syntax for TLS 1.2 and older; NULL or blank =
     *  cipher_preset (the phones' default). Floored: no anonymous, NULL, RC4,
     *  3DES or export suite (see phonesec_ciphers_select_ex()). A string that
     *  is invalid or selects nothing is an error, unless cipher_preset
     *  carries PHONESEC_CIPHERS_FALLBACK_ON_ERROR. */
    const char *cipher_list;
    int cipher_preset;      /**< PHONESEC_CIPHERS_PRESET_*, default PHONESEC_CIPHERS_PRESET_DEFAULT, optionally
                                 ORed with PHONESEC_CIPHERS_ALLOW_LEGACY (no security floor) and
                                 PHONESEC_CIPHERS_FALLBACK_ON_ERROR (the phones' fallback) */
    /** TLS 1.3 suites, colon-separated IANA names; NULL = TLS_AES_256_GCM_SHA384:
     *  TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256. */
    const char *tls13_ciphers;
    size_t max_trusted;     /**< trust list limit, default PHONESEC_TLS_DEFAULT_MAX_TRUSTED */
    int only_trusted;       /**< "Only Accept Trusted Certificates": default 1 */
    int identity_mode;      /**< PHONESEC_TLS_IDENTITY_SIP (default) or _HTTPS; per-connection override possible */
    int name_validate;      /**< "TLS Name Validate": default 1; per-connection override possible */
    int client_cert;        /**< server only: PHONESEC_TLS_CLIENT_CERT_*, default NONE */
    int session_tickets;    /**< 1 (default): resumption by session ticket (TLS 1.2 and 1.3) and session ID */
} phonesec_tls_config;

/** Static initialiser with every default. */
#define PHONESEC_TLS_CONFIG_INIT { PHONESEC_TLS_CONFIG_VERSION, PHONESEC_TLS_CLIENT, PHONESEC_TLS_V1_2, \
                                   PHONESEC_TLS_V1_3, 0, NULL, 0, NULL, PHONESEC_TLS_DEFAULT_MAX_TRUSTED, 1, \
                                   PHONESEC_TLS_IDENTITY_SIP, 1, PHONESEC_TLS_CLIENT_CERT_NONE, 1 }

/** \brief Fill *cfg with defaults (same as PHONESEC_TLS_CONFIG_INIT); NULL is ignored. */
PHONESEC_API void phonesec_tls_config_init(phonesec_tls_config *cfg);

/** Opaque TLS context. */
typedef struct phonesec_tls_ctx phonesec_tls_ctx;
/** Opaque TLS connection. */
typedef struct phonesec_tls_conn phonesec_tls_conn;
/** Opaque resumable session (a copy: it outlives the connection it came from). */
typedef struct phonesec_tls_session phonesec_tls_session;

/* ------------------------------------------------------------------------ */
/** \name Contexts
 * @{ */

/**
 * \brief Create a context.
 *
 * The cipher policy of cfg is evaluated and installed as an explicit
 * allow-list (wolfSSL's own default list never applies).
 * \param cfg settings (copied; strings copied), or NULL for all defaults
 * \param out set to the new context on success
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL out, unknown struct version,
 *         role, mode, client_cert, min > max, max_trusted 0);
 *         PHONESEC_E_POLICY (a version below TLS 1.2 without allow_legacy_versions);
 *         PHONESEC_E_UNSUPPORTED (a version the backend lacks, e.g. TLS 1.0 in
 *         Debian's wolfSSL); PHONESEC_E_PARSE (an invalid cipher string);
 *         PHONESEC_E_NO_MATCH (the cipher string or TLS 1.3 list selects nothing,
 *         or the policy leaves no suite the backend has); PHONESEC_E_POLICY (the
 *         cipher string selects only suites below the security floor);
 *         PHONESEC_E_NOMEM; PHONESEC_E_CRYPTO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_new(const phonesec_tls_config *cfg, phonesec_tls_ctx **out);

/** \brief Free a context (NULL is a no-op). Connections made from it may outlive it: each keeps
 *  the configuration snapshot it was made with. No other thread may be inside a call on ctx. */
PHONESEC_API void phonesec_tls_ctx_free(phonesec_tls_ctx *ctx);

/**
 * \brief Detail of the last failed call on ctx: "<error>: <what and why>",
 *        or "" when the last call succeeded.
 * \return PHONESEC_OK, PHONESEC_E_INVAL (ctx or buf NULL, cap 0) or
 *         PHONESEC_E_BUFFER_SMALL (text truncated, still NUL-terminated)
 */
PHONESEC_API int phonesec_tls_ctx_last_error(const phonesec_tls_ctx *ctx, char *buf, size_t cap);

/**
 * \brief Add a trusted certificate (a trust anchor or intermediate CA).
 *
 * PEM input may hold several certificates; each is added (all or none).
 * A certificate already in the list is not added twice (not an error).
 * A CA certificate (basicConstraints cA) anchors chains; any other
 * certificate (e.g. a server's self-signed one) is pinned: it is trusted as
 * exactly that certificate, and only within its validity period (outside
 * it the handshake fails with PHONESEC_E_EXPIRED, as for a chained one).
 * \param ctx    the context
 * \param data   certificate bytes
 * \param len    their length
 * \param format PHONESEC_TLS_FORMAT_AUTO, _PEM or _DER
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE (not a certificate);
 *         PHONESEC_E_LIMIT (the list would exceed max_trusted; list unchanged);
 *         PHONESEC_E_NOMEM; PHONESEC_E_CRYPTO (the backend refused it)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_add_trusted(phonesec_tls_ctx *ctx, const uint8_t *data,
                                                                    size_t len, int format);

/**
 * \brief phonesec_tls_ctx_add_trusted() with the bytes of a file (format AUTO).
 * \return as phonesec_tls_ctx_add_trusted(), plus PHONESEC_E_IO (cannot read the file)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_add_trusted_file(phonesec_tls_ctx *ctx, const char *path);

/** \brief Number of certificates in the trust list (0 for NULL). */
PHONESEC_API size_t phonesec_tls_ctx_trusted_count(const phonesec_tls_ctx *ctx);

/**
 * \brief Describe trusted certificate number i (0-based, in the order added).
 * \param ctx         the context
 * \param i           index, 0 .. phonesec_tls_ctx_trusted_count() - 1
 * \param subject     receives the subject, e.g. "CN=Test CA,O=Example" (NUL-terminated; may be NULL)
 * \param subject_cap its size
 * \param sha256      receives the certificate's SHA-256 fingerprint, 32 bytes (may be NULL)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND (i out of range);
 *         PHONESEC_E_BUFFER_SMALL (subject too small; nothing written)
 */
PHONESEC_API int phonesec_tls_ctx_trusted_info(const phonesec_tls_ctx *ctx, size_t i, char *subject,
                                               size_t subject_cap, uint8_t sha256[32]);

/**
 * \brief Remove trusted certificate number i; later ones move down by one.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND; PHONESEC_E_NOMEM
 *         or PHONESEC_E_CRYPTO (rebuild failed: the list is unchanged)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_remove_trusted(phonesec_tls_ctx *ctx, size_t i);

/** \name Built-in CAs and the trust source (since 1.1)
 * A phone trusts two lists: the built-in CAs its firmware ships (a system
 * CA bundle such as /etc/ssl/certs/ca-certificates.crt, about 140
 * certificates: any size) and the custom list the administrator uploads
 * (phonesec_tls_ctx_add_trusted(), at most phonesec_tls_config::max_trusted,
 * 10 by default). The setting "CA certificates: Default / Custom / All"
 * (doc/phone-settings.md) picks which of them verify a peer. Every change
 * starts a new configuration generation, as any trust-list change does:
 * sessions made before are not resumed. Each connection copies the list
 * it trusts (a bundle of 140 CAs is about 200 KB per configuration).
 * @{ */
#define PHONESEC_TLS_TRUST_ALL     0 /**< built-in and custom certificates (the default) */
#define PHONESEC_TLS_TRUST_DEFAULT 1 /**< only the built-in certificates ("Default Certificates") */
#define PHONESEC_TLS_TRUST_CUSTOM  2 /**< only the custom list ("Custom Certificates") */
#define PHONESEC_TLS_MAX_BUILTIN   4096 /**< most certificates in the built-in list */

/**
 * \brief Add certificates to the built-in list (a CA bundle: PEM input may
 *        hold any number of certificates; each is added, all or none).
 *
 * As phonesec_tls_ctx_add_trusted() in every other respect: duplicates are
 * added once, a CA certificate anchors chains, any other one is pinned.
 * \param ctx    the context
 * \param data   certificate bytes
 * \param len    their length
 * \param format PHONESEC_TLS_FORMAT_AUTO, _PEM or _DER
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE (a block that is
 *         not a certificate: nothing added); PHONESEC_E_LIMIT (more than
 *         PHONESEC_TLS_MAX_BUILTIN; nothing added); PHONESEC_E_NOMEM;
 *         PHONESEC_E_CRYPTO (the backend refused one; nothing added)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_add_builtin(phonesec_tls_ctx *ctx, const uint8_t *data,
                                                                    size_t len, int format);

/**
 * \brief phonesec_tls_ctx_add_builtin() with the bytes of a file (format AUTO),
 *        e.g. "/etc/ssl/certs/ca-certificates.crt".
 * \param ctx  the context
 * \param path the bundle file (at most 16 MiB)
 * \return as phonesec_tls_ctx_add_builtin(), plus PHONESEC_E_IO (cannot read
 *         the file) and PHONESEC_E_LIMIT (larger than 16 MiB)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_add_builtin_file(phonesec_tls_ctx *ctx, const char *path);

/** \brief Number of certificates in the built-in list.
 *  \param ctx the context
 *  \return the count (0 for NULL) */
PHONESEC_API size_t phonesec_tls_ctx_builtin_count(const phonesec_tls_ctx *ctx);

/**
 * \brief Empty the built-in list (before loading a new bundle).
 * \param ctx the context
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOMEM or PHONESEC_E_CRYPTO
 *         (rebuild failed: the list is unchanged)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_clear_builtin(phonesec_tls_ctx *ctx);

/**
 * \brief Choose which lists verify peers: PHONESEC_TLS_TRUST_ALL (default),
 *        _DEFAULT (built-in only) or _CUSTOM (custom only).
 *
 * With only_trusted on, a connection whose selected lists are both empty
 * is refused at phonesec_tls_conn_new() (PHONESEC_E_STATE), as with an
 * empty trust list.
 * \param ctx    the context
 * \param source PHONESEC_TLS_TRUST_*
 * \return PHONESEC_OK; PHONESEC_E_INVAL (unknown source: unchanged);
 *         PHONESEC_E_NOMEM or PHONESEC_E_CRYPTO (rebuild failed: unchanged)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_set_trust_source(phonesec_tls_ctx *ctx, int source);

/** \brief The trust source in use.
 *  \param ctx the context
 *  \return PHONESEC_TLS_TRUST_*, or PHONESEC_E_INVAL for NULL */
PHONESEC_API int phonesec_tls_ctx_trust_source(const phonesec_tls_ctx *ctx);
/** @} */

/**
 * \brief Turn "Only Accept Trusted Certificates" on (1) or off (0).
 *
 * On (the default): a client handshake completes only with a verified
 * chain, whatever the suite: a peer that sends no certificate (an anonymous
 * suite) fails with PHONESEC_E_VERIFY, name validation on or off.
 * Off: a client handshake completes with an unverifiable peer, and the
 * connection's info says chain = PHONESEC_TLS_CHECK_FAILED (or SKIPPED when
 * no certificate came) with the reason.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOMEM or PHONESEC_E_CRYPTO (unchanged)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_set_only_trusted(phonesec_tls_ctx *ctx, int on);

/**
 * \brief Install this context's own certificate and private key: the server
 *        certificate, or a client certificate for mutual TLS.
 *
 * Replaces the previous one atomically: when anything fails (bad PEM, key not
 * matching the certificate ...) the previous certificate stays in use.
 * \param ctx       the context
 * \param chain     leaf certificate first, then intermediates (PEM: one or
 *                  more blocks; DER: the leaf only)
 * \param chain_len its length
 * \param key       private key (PEM, or DER PKCS#8/traditional; RSA, EC or Ed25519), unencrypted
 * \param key_len   its length (the copy kept is wiped on free)
 * \param format    PHONESEC_TLS_FORMAT_AUTO, _PEM or _DER (for both inputs)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE (not a certificate or key);
 *         PHONESEC_E_AUTH (the key does not belong to the certificate);
 *         PHONESEC_E_NOMEM; PHONESEC_E_CRYPTO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_set_certificate(phonesec_tls_ctx *ctx, const uint8_t *chain,
                                                                        size_t chain_len, const uint8_t *key,
                                                                        size_t key_len, int format);

/**
 * \brief phonesec_tls_ctx_set_certificate() from files (format AUTO). key_path
 *        may be NULL or equal to chain_path when one PEM file holds both.
 * \return as phonesec_tls_ctx_set_certificate(), plus PHONESEC_E_IO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_set_certificate_file(phonesec_tls_ctx *ctx,
                                                                             const char *chain_path,
                                                                             const char *key_path);

/** \brief Whether the context has its own certificate.
 *  \return 1 when it has one, 0 when not (or ctx is NULL) */
PHONESEC_API int phonesec_tls_ctx_has_certificate(const phonesec_tls_ctx *ctx);

/**
 * \brief Add a CRL (PEM or DER); from then on every peer chain is checked
 *        against the CRLs (a CA with no CRL loaded is not an error).
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE; PHONESEC_E_NOMEM;
 *         PHONESEC_E_CRYPTO (the backend refused it: unchanged)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_add_crl(phonesec_tls_ctx *ctx, const uint8_t *data, size_t len,
                                                                int format);

/**
 * \brief Replace the cipher policy (both strings as in phonesec_tls_config).
 * \param ctx         the context
 * \param cipher_list OpenSSL cipher string, NULL/blank = the context's preset
 * \param tls13       TLS 1.3 suite list, NULL = the default three
 * \param used_fallback set to PHONESEC_CIPHERS_FALLBACK_NONE, _BLANK or _INVALID (may be NULL)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE (invalid cipher string);
 *         PHONESEC_E_NO_MATCH (a string or list that selects nothing, or no suite
 *         left that the backend has); PHONESEC_E_POLICY (only suites below the
 *         security floor); PHONESEC_E_NOMEM; PHONESEC_E_CRYPTO (on any error the
 *         context keeps its previous policy)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_set_ciphers(phonesec_tls_ctx *ctx, const char *cipher_list,
                                                                    const char *tls13, int *used_fallback);

/**
 * \brief Number of suites in the installed allow-list, and optionally their
 *        IANA codes in preference order (TLS 1.3 ones first).
 * \param ctx    the context
 * \param codes  output array (may be NULL when cap is 0)
 * \param cap    its capacity
 * \param count  set to the number of suites
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_BUFFER_SMALL (codes untouched)
 */
PHONESEC_API int phonesec_tls_ctx_ciphers(const phonesec_tls_ctx *ctx, uint16_t *codes, size_t cap, size_t *count);

/**
 * \brief Set the Restricted Access Domains (Cisco): client connections are
 *        refused unless the reference identity equals one of these FQDNs or
 *        is a subdomain of one. n = 0 clears the list (no restriction).
 *        While the list is not empty, a client connection without a
 *        reference identity is refused (PHONESEC_E_POLICY).
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL entry, empty or malformed name);
 *         PHONESEC_E_NOMEM (list unchanged)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_ctx_set_restricted_domains(phonesec_tls_ctx *ctx,
                                                                               const char *const *domains, size_t n);

/**
 * \brief Would the Restricted Access Domains allow a connection to host?
 * \return PHONESEC_OK (allowed or no list); PHONESEC_E_INVAL; PHONESEC_E_POLICY (refused)
 */
PHONESEC_API int phonesec_tls_ctx_domain_allowed(const phonesec_tls_ctx *ctx, const char *host);

/** @} */

/**
 * \brief Route wolfSSL's own heap allocations (contexts, connections, record
 *        buffers, keys) through the platform allocator hook of phonesec_init().
 *
 * Off by default: then wolfSSL uses the C allocator and only the library's
 * own objects go through the hook. Turn it on to see (or count, or cap) every
 * byte a TLS connection holds. Rules, because wolfSSL also keeps process-wide
 * caches (its global RNG, the FP-ECC point cache, the error queue) that it
 * allocates through the same hook and frees only at process exit:
 * call it once, after phonesec_init() and before any TLS object exists, and
 * keep that hook installed until the process exits (do not call
 * phonesec_shutdown() and then keep running wolfSSL code or exit with another
 * allocator installed). Not thread-safe.
 * \return PHONESEC_OK; PHONESEC_E_STATE (a TLS object was already created, or
 *         called twice); PHONESEC_E_UNSUPPORTED (wolfSSL built without
 *         allocator hooks)
 */
PHONESEC_API int phonesec_tls_route_backend_memory(void);

/* ------------------------------------------------------------------------ */
/** \name Identity checks on raw certificates (our own code, fuzzed)
 * @{ */

/**
 * \brief Check a DER certificate's identity against a reference identity.
 *
 * SIP mode (RFC 5922 §7.1): identities are the `sip:` URI subjectAltNames
 * that have no user part (`sip:example.com`, URI parameters ignored) and the
 * dNSName subjectAltNames; the subject CN counts only when the certificate
 * has no subjectAltName extension at all. Comparison is of the whole name,
 * ASCII case-insensitive, one trailing dot ignored; `*` is never a wildcard.
 *
 * HTTPS mode (RFC 6125): dNSName subjectAltNames, where `*` is a wildcard only
 * as the whole left-most label of a name with at least three labels and
 * matches exactly one label; when the certificate has no dNSName SAN, the
 * (last) subject CN is used the same way, and a CN of the provisioning form
 * `host.example.com/anything` means `host.example.com`.
 *
 * In both modes an IPv4/IPv6 literal reference matches only iPAddress SANs
 * (byte comparison), never a DNS name or CN.
 * \param der       certificate, DER
 * \param der_len   its length
 * \param mode      PHONESEC_TLS_IDENTITY_SIP or PHONESEC_TLS_IDENTITY_HTTPS
 * \param reference host name, SIP domain or IP literal expected
 * \param why       receives a one-line reason ("matched dNSName ..." or why
 *                  not), NUL-terminated, truncated to fit (may be NULL)
 * \param why_cap   its size
 * \return PHONESEC_OK (match); PHONESEC_E_NAME (no match); PHONESEC_E_INVAL
 *         (NULL, empty reference, bad mode); PHONESEC_E_PARSE (not a
 *         well-formed X.509 certificate); PHONESEC_E_LIMIT (more than 256
 *         subjectAltNames)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_cert_check_name(const uint8_t *der, size_t der_len, int mode,
                                                                    const char *reference, char *why, size_t why_cap);

/** @} */

/* ------------------------------------------------------------------------ */
/** \name Connections
 * @{ */

/**
 * \brief Transport callbacks of a connection (non-blocking).
 *
 * Both get `user` first and report through their last argument, like every
 * call of the library:
 * - send: write up to len bytes; return PHONESEC_OK with *sent set to the
 *   number written (1..len), PHONESEC_E_WOULD_BLOCK when nothing can be
 *   written now, or PHONESEC_E_IO / PHONESEC_E_CLOSED.
 * - recv: read up to cap bytes; return PHONESEC_OK with *got set to the
 *   number read (1..cap), PHONESEC_E_WOULD_BLOCK when nothing is there now,
 *   PHONESEC_E_CLOSED at end of stream, or PHONESEC_E_IO.
 * Any other return, or PHONESEC_OK with a count of 0 or above the limit, is
 * treated as PHONESEC_E_IO.
 */
typedef struct phonesec_tls_io {
    /** Write up to len bytes of data; *sent = bytes taken (see above). */
    int (*send)(void *user, const uint8_t *data, size_t len, size_t *sent);
    /** Read up to cap bytes into buf; *got = bytes read (see above). */
    int (*recv)(void *user, uint8_t *buf, size_t cap, size_t *got);
    void *user; /**< passed first to send and recv */
} phonesec_tls_io;

/** Version of phonesec_tls_conn_config understood by this header (2 added
 *  handshake_timeout_ms; version 1 structs are still accepted). */
#define PHONESEC_TLS_CONN_CONFIG_VERSION 2

/** \name "inherit from the context" value for per-connection switches
 * @{ */
#define PHONESEC_TLS_INHERIT (-1) /**< take the context's setting */
/** @} */

/** \brief Per-connection settings. Fields are only ever added at the end. */
typedef struct phonesec_tls_conn_config {
    unsigned version;           /**< PHONESEC_TLS_CONN_CONFIG_VERSION */
    /** Client: the reference identity (SIP domain, host name or IP literal):
     *  sent as SNI (unless an IP literal; without a trailing dot), checked against the certificate
     *  and the Restricted Access Domains. Required for a client unless
     *  name_validate is 0. Server: optional; when set, the client
     *  certificate's identity is checked against it. */
    const char *reference_name;
    int identity_mode;          /**< PHONESEC_TLS_IDENTITY_*, or PHONESEC_TLS_INHERIT (default) */
    int name_validate;          /**< 0/1, or PHONESEC_TLS_INHERIT (default) */
    /** Transport callbacks; both NULL = feed/drain mode. */
    phonesec_tls_io io;
    /** (version 2) Handshake deadline in milliseconds, counted from
     *  phonesec_tls_conn_new() on the platform clock (phonesec_now_ms(), the
     *  clock_ms_fn hook). Once it has passed without a completed handshake,
     *  phonesec_tls_conn_handshake() (and read/write, which drive it) fail
     *  with PHONESEC_E_TIMEOUT and the connection is failed. 0 = no deadline
     *  (the default, and what a version 1 struct gets). Servers should set
     *  it: a client that connects and sends nothing, or half a ClientHello,
     *  otherwise holds its connection for ever. See
     *  phonesec_tls_conn_next_timeout_ms(). */
    uint32_t handshake_timeout_ms;
} phonesec_tls_conn_config;

/** Static initialiser with every default (feed/drain mode, no deadline). */
#define PHONESEC_TLS_CONN_CONFIG_INIT { PHONESEC_TLS_CONN_CONFIG_VERSION, NULL, PHONESEC_TLS_INHERIT, \
                                        PHONESEC_TLS_INHERIT, { NULL, NULL, NULL }, 0 }

/** \brief Fill *cfg with defaults (same as PHONESEC_TLS_CONN_CONFIG_INIT); NULL is ignored. */
PHONESEC_API void phonesec_tls_conn_config_init(phonesec_tls_conn_config *cfg);

/**
 * \brief Create a connection on ctx (client or server per the context's role).
 *
 * No byte moves until phonesec_tls_conn_handshake(). The handshake deadline
 * (handshake_timeout_ms) starts now.
 *
 * **Servers: create connections lazily, on the first byte.** A connection
 * holds its wolfSSL object (and, once bytes move, its I/O buffers) from
 * here until it is freed. A server under load should accept the socket,
 * wait until it is readable, and only then create the connection (feed
 * mode: on the first received byte), with handshake_timeout_ms set: a
 * socket that never sends costs nothing but its descriptor (closed by the
 * server's own accept-level timer), and a client that stops in the middle
 * of its handshake is failed with PHONESEC_E_TIMEOUT when the deadline
 * passes. In feed/drain mode the input buffer is allocated on the first
 * phonesec_tls_conn_feed() and grows only as far as the largest flight
 * needs; an established idle connection holds no I/O buffers.
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, a struct version of 0 or
 *         newer than this library knows, one callback
 *         without the other, client without reference_name while name
 *         validation is on, bad mode); PHONESEC_E_POLICY (reference_name outside the
 *         Restricted Access Domains, or a client connection without
 *         reference_name while Restricted Access Domains are set);
 *         PHONESEC_E_STATE (a client context
 *         that would need a trust list has none and only_trusted is on; a server
 *         context without certificate); PHONESEC_E_NOMEM; PHONESEC_E_RANDOM (the
 *         random source could not be opened for the connection, e.g. out of file
 *         descriptors); PHONESEC_E_CRYPTO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_conn_new(phonesec_tls_ctx *ctx,
                                                             const phonesec_tls_conn_config *cfg,
                                                             phonesec_tls_conn **out);

/** \brief Free a connection (NULL is a no-op). Does not send close_notify:
 *         call phonesec_tls_conn_close() first for a clean close. */
PHONESEC_API void phonesec_tls_conn_free(phonesec_tls_conn *conn);

/**
 * \brief Offer a saved session for resumption (client, before the handshake).
 *
 * The session is copied. Whether the server accepted it shows in
 * phonesec_tls_info::resumed after the handshake; if not, a full handshake
 * happens (not an error).
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (server connection,
 *         or handshake already started); PHONESEC_E_POLICY (the session was made
 *         for another reference identity or identity mode, or its full
 *         handshake did not pass a check this connection requires: chain
 *         verification with only_trusted on, or the name check: not offered);
 *         PHONESEC_E_EXPIRED (the session was made by another context, or
 *         under an older configuration of this one: any trust list, CRL,
 *         certificate, only_trusted, restricted-domain or cipher change since;
 *         not offered, the handshake will be a full one: drop the session);
 *         PHONESEC_E_CRYPTO (unusable session); PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_conn_set_session(phonesec_tls_conn *conn,
                                                                     const phonesec_tls_session *sess);

/**
 * \brief Copy the connection's resumable session (client, after the handshake).
 *
 * With TLS 1.3 the ticket arrives after the handshake: call this after at
 * least one phonesec_tls_conn_read() (even one returning WOULD_BLOCK) has run.
 * It never returns a session that cannot resume: before the first TLS 1.3
 * ticket it returns PHONESEC_E_NOT_FOUND; on a resumed TLS 1.3 connection
 * whose new ticket has not been read yet it returns a copy of the session
 * that was offered (which just resumed).
 * \param conn a client connection whose handshake completed
 * \param out  set to a new session the caller frees with phonesec_tls_session_free()
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (handshake not
 *         done, or server connection); PHONESEC_E_NOT_FOUND (the server gave
 *         nothing resumable, or no TLS 1.3 ticket has been read yet); PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_conn_get_session(phonesec_tls_conn *conn,
                                                                     phonesec_tls_session **out);

/** \brief Free a session (wiped; NULL is a no-op). */
PHONESEC_API void phonesec_tls_session_free(phonesec_tls_session *sess);

/**
 * \brief Drive the handshake as far as the transport allows.
 * \return PHONESEC_OK (done: see phonesec_tls_conn_info());
 *         PHONESEC_E_WOULD_BLOCK (call again when the transport is ready; see
 *         phonesec_tls_conn_wants());
 *         PHONESEC_E_VERIFY (the peer's chain did not verify and only_trusted is on);
 *         PHONESEC_E_NAME (the peer's identity does not match the reference, or
 *         could not be established);
 *         PHONESEC_E_POLICY (a resumed session that this connection did not offer,
 *         or whose original checks fall short of this connection's policy);
 *         PHONESEC_E_EXPIRED (a certificate in the chain is outside its validity);
 *         PHONESEC_E_HANDSHAKE (protocol failure, no shared version or cipher,
 *         peer alert); PHONESEC_E_TIMEOUT (handshake_timeout_ms passed before
 *         the handshake completed); PHONESEC_E_CLOSED; PHONESEC_E_IO;
 *         PHONESEC_E_STATE (connection failed before, or closed);
 *         PHONESEC_E_INVAL; PHONESEC_E_NOMEM.
 *         After a failure phonesec_tls_conn_last_error() tells which check failed and why.
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_conn_handshake(phonesec_tls_conn *conn);

/**
 * \brief Milliseconds until the handshake deadline of conn passes (the
 *        event loop's timer: when it runs out, call
 *        phonesec_tls_conn_handshake(), which then fails with
 *        PHONESEC_E_TIMEOUT unless the handshake completed).
 * \return 0 when the deadline has passed, -1 when no deadline runs (none
 *         set, handshake completed or failed, conn NULL), else the delay
 *         (capped at INT32_MAX)
 */
PHONESEC_API int64_t phonesec_tls_conn_next_timeout_ms(const phonesec_tls_conn *conn);

/** \brief Whether the handshake completed successfully.
 *  \return 1 once established, 0 otherwise (or conn is NULL) */
PHONESEC_API int phonesec_tls_conn_is_established(const phonesec_tls_conn *conn);

/** \name phonesec_tls_conn_wants() bits
 * @{ */
#define PHONESEC_TLS_WANT_READ  1 /**< waiting for bytes from the peer */
#define PHONESEC_TLS_WANT_WRITE 2 /**< waiting for room to send */
/** @} */

/** \brief What the last call that returned PHONESEC_E_WOULD_BLOCK waits for:
 *         PHONESEC_TLS_WANT_* bits (0 when nothing). */
PHONESEC_API unsigned phonesec_tls_conn_wants(const phonesec_tls_conn *conn);

/**
 * \brief Send application data (drives the handshake first if needed).
 * As with OpenSSL, after PHONESEC_E_WOULD_BLOCK call again with the same
 * data: a record may already be half on the wire.
 * \param conn    the connection
 * \param data    bytes to send
 * \param len     their count
 * \param written set to the bytes taken (<= len; fewer than len on a partial write)
 * \return PHONESEC_OK (*written > 0); PHONESEC_E_WOULD_BLOCK (nothing taken);
 *         the handshake's errors; PHONESEC_E_CLOSED; PHONESEC_E_IO;
 *         PHONESEC_E_STATE; PHONESEC_E_INVAL
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_conn_write(phonesec_tls_conn *conn, const uint8_t *data,
                                                               size_t len, size_t *written);

/**
 * \brief Receive application data (drives the handshake first if needed).
 * \param conn the connection
 * \param buf  receives the data
 * \param cap  its size (> 0)
 * \param got set to the bytes read (> 0 on success)
 * \return PHONESEC_OK; PHONESEC_E_WOULD_BLOCK (no data yet); PHONESEC_E_CLOSED
 *         (the peer sent close_notify or the transport ended);
 *         the handshake's errors; PHONESEC_E_IO; PHONESEC_E_STATE; PHONESEC_E_INVAL
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_conn_read(phonesec_tls_conn *conn, uint8_t *buf, size_t cap,
                                                              size_t *got);

/**
 * \brief Bytes of decrypted application data ready to be read without any
 *        transport input (read them before waiting on the socket again).
 * \return the byte count; 0 for NULL or when nothing is buffered
 */
PHONESEC_API size_t phonesec_tls_conn_pending(const phonesec_tls_conn *conn);

/**
 * \brief Send close_notify. After it, read/write return PHONESEC_E_STATE.
 * \return PHONESEC_OK; PHONESEC_E_WOULD_BLOCK (call again); PHONESEC_E_IO;
 *         PHONESEC_E_NOMEM (no memory for the output buffer: close_notify
 *         not sent); PHONESEC_E_INVAL
 */
PHONESEC_API int phonesec_tls_conn_close(phonesec_tls_conn *conn);

/**
 * \brief Feed/drain mode: hand over bytes received from the network.
 * \param conn     the connection
 * \param data     the bytes received
 * \param len      their count
 * \param consumed set to how many were taken (all of them unless the
 *                 internal input buffer of 64 KiB is full)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (callback mode);
 *         PHONESEC_E_WOULD_BLOCK (buffer full: call read/handshake first); PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_conn_feed(phonesec_tls_conn *conn, const uint8_t *data,
                                                              size_t len, size_t *consumed);

/**
 * \brief Feed/drain mode: take bytes to send to the network.
 * \param conn    the connection
 * \param out     receives the bytes to send
 * \param cap     its size
 * \param out_len set to the bytes copied (0 when nothing is pending)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (callback mode)
 */
PHONESEC_API int phonesec_tls_conn_drain(phonesec_tls_conn *conn, uint8_t *out, size_t cap, size_t *out_len);

/** \brief Feed/drain mode: number of bytes waiting to be drained (0 otherwise). */
PHONESEC_API size_t phonesec_tls_conn_pending_output(const phonesec_tls_conn *conn);

/** \name Check verdicts in phonesec_tls_info
 * @{ */
#define PHONESEC_TLS_CHECK_SKIPPED 0 /**< not performed (switched off, or not applicable) */
#define PHONESEC_TLS_CHECK_PASSED  1 /**< performed and passed */
#define PHONESEC_TLS_CHECK_FAILED  2 /**< failed; with the check enabled the handshake was aborted */
/** @} */

/** Version of phonesec_tls_info filled by this library. */
#define PHONESEC_TLS_INFO_VERSION 1

/**
 * \brief What the phone shows after a handshake (the "lock icon" data).
 * Strings belong to the connection and live until it is freed; never NULL
 * (empty when unknown). Fields are only ever added at the end.
 */
typedef struct phonesec_tls_info {
    unsigned version;           /**< PHONESEC_TLS_INFO_VERSION */
    int established;            /**< 1 when the handshake completed */
    unsigned protocol;          /**< PHONESEC_TLS_V1_x, 0 before the handshake */
    const char *protocol_name;  /**< "TLSv1.2", "TLSv1.3" */
    uint16_t suite;             /**< IANA code of the suite */
    const char *suite_name;     /**< IANA name, e.g. "TLS_AES_128_GCM_SHA256" */
    int resumed;                /**< 1 when the session was resumed */
    int peer_cert;              /**< 1 when the peer presented a certificate */
    const char *peer_subject;   /**< e.g. "CN=sip.test,O=Example" */
    const char *peer_issuer;    /**< issuer of the leaf */
    const char *peer_sans;      /**< "DNS:a, URI:sip:b, IP:127.0.0.1" */
    int chain;                  /**< PHONESEC_TLS_CHECK_*: chain verified against the trust list */
    int chain_enforced;         /**< 1 when "only accept trusted" made the chain check mandatory */
    const char *chain_anchor;   /**< subject of the trusted certificate it verified against */
    const char *chain_detail;   /**< why it failed / was skipped */
    int name;                   /**< PHONESEC_TLS_CHECK_*: identity check */
    int identity_mode;          /**< mode used */
    const char *reference_name; /**< identity expected */
    const char *name_detail;    /**< "matched dNSName sip.test" or why not */
} phonesec_tls_info;

/** Static initialiser: the version this header describes, everything else
 *  empty. Give phonesec_tls_conn_info() a struct made with it (or with
 *  `version` set): the library writes only the fields of that version. */
#define PHONESEC_TLS_INFO_INIT { PHONESEC_TLS_INFO_VERSION, 0, 0, NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL, NULL, 0, 0, NULL, NULL }

/**
 * \brief Fill *info (also usable after a failed handshake: it shows how far the checks got).
 *
 * The caller sets info->version first (PHONESEC_TLS_INFO_INIT does):
 * the library writes the fields of that version and no byte past them, so
 * a program built against an older header keeps working when fields are
 * added. A version of 0, or one newer than this library knows, gets the
 * 1.0 fields only (and info->version says 1).
 * \param conn the connection
 * \param info filled; strings live as long as the connection
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL argument)
 */
PHONESEC_API int phonesec_tls_conn_info(const phonesec_tls_conn *conn, phonesec_tls_info *info);

/**
 * \brief The peer's leaf certificate, DER.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND (no peer certificate);
 *         PHONESEC_E_BUFFER_SMALL (out untouched; *out_len = size needed)
 */
PHONESEC_API int phonesec_tls_conn_peer_cert(const phonesec_tls_conn *conn, uint8_t *out, size_t cap,
                                             size_t *out_len);

/**
 * \brief Per-connection error text: "<error>: <which check failed and why>", "" when none.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_BUFFER_SMALL (truncated, NUL-terminated)
 */
PHONESEC_API int phonesec_tls_conn_last_error(const phonesec_tls_conn *conn, char *buf, size_t cap);

/** @} */

/* ------------------------------------------------------------------------ */
/** \name Convenience layer over plain POSIX sockets (examples, tool, tests)
 * The core API above never touches sockets; these helpers do, and nothing
 * else in the library depends on them.
 * @{ */

/**
 * \brief Connect a TCP socket to host:port (numeric or resolvable name),
 *        blocking, with a timeout.
 * \param host       numeric address or name to resolve
 * \param port       TCP port, 1..65535
 * \param timeout_ms bound on resolution and connection, in milliseconds
 * \param fd set to the connected socket, left in non-blocking mode (caller closes it)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_NOT_FOUND (name does not
 *         resolve); PHONESEC_E_IO (connect failed); PHONESEC_E_TIMEOUT
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_socket_connect(const char *host, unsigned port,
                                                                   unsigned timeout_ms, int *fd);

/**
 * \brief phonesec_tls_io that reads/writes a socket file descriptor (blocking
 *        or non-blocking: EAGAIN becomes PHONESEC_E_WOULD_BLOCK).
 * \param io filled in; fd is stored in a per-io slot so io must outlive the connection
 * \param fd the socket
 * \return PHONESEC_OK; PHONESEC_E_INVAL
 */
PHONESEC_API int phonesec_tls_io_socket(phonesec_tls_io *io, int *fd);

/**
 * \brief Run the handshake on a socket connection, waiting with poll() until
 *        done or timeout_ms passed.
 * \return as phonesec_tls_conn_handshake(), plus PHONESEC_E_TIMEOUT
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_tls_socket_handshake(phonesec_tls_conn *conn, int fd,
                                                                     unsigned timeout_ms);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_TLS_H */
