/*
 * libphonesec - cfgcrypt: encrypted configuration files.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_CFGCRYPT_H
#define PHONESEC_CFGCRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "phonesec/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec/cfgcrypt.h
 * \brief Encrypt and decrypt provisioning files in the formats phones read.
 *
 * Formats:
 * - PHONESEC_CFGCRYPT_OPENSSL: `openssl enc -aes-256-cbc` "Salted__" files
 *   (EVP_BytesToKey MD5 or SHA-256, or PBKDF2-SHA256), optional base64
 *   armour like `openssl enc -a`. Not authenticated.
 * - PHONESEC_CFGCRYPT_YEALINK: AES-ECB under the ASCII key's bytes. Not
 *   authenticated, and ECB: obfuscation only.
 * - PHONESEC_CFGCRYPT_RFC8188: the `aes128gcm` content coding of RFC 8188.
 * - PHONESEC_CFGCRYPT_PSEC: our authenticated format for new deployments:
 *   RFC 8188 with a slow password KDF whose parameters are in the header
 *   (doc/cfgcrypt.md describes it byte by byte).
 *
 * Streaming: a context is created for one direction and one format; feed
 * it with phonesec_cfgcrypt_update() and finish with phonesec_cfgcrypt_final(). Memory
 * stays constant whatever the file size (at most one record of the chosen
 * record size is buffered). Authenticated formats release the plaintext of
 * a record only after that record's tag has been checked; a truncated
 * stream fails at phonesec_cfgcrypt_final(). Callers that must not act on a
 * partial file use the file helpers, which write to a temporary file and
 * rename it only on success.
 *
 * ## Threads
 * A streaming context (phonesec_cfgcrypt_ctx) is used by one thread at a
 * time; different contexts in different threads at once. The file helpers
 * (phonesec_cfgcrypt_file()) may run in several threads at once on
 * different outputs (not on the same output at once). The list of named
 * temporary files that phonesec_cfgcrypt_signal_cleanup() removes holds 8
 * at once; a ninth concurrent run still works but a signal during it may
 * leave its temporary file (Linux uses unnamed O_TMPFILE files when the
 * file system allows, which need no clean-up). phonesec_cfgcrypt_signal_cleanup()
 * is async-signal-safe. The Yealink key helpers keep no state.
 */

/** \name Formats
 * @{ */
#define PHONESEC_CFGCRYPT_OPENSSL 1 /**< openssl enc -aes-256-cbc, "Salted__" header */
#define PHONESEC_CFGCRYPT_YEALINK 2 /**< Yealink AES-ECB, ASCII key */
#define PHONESEC_CFGCRYPT_RFC8188 3 /**< RFC 8188 aes128gcm */
#define PHONESEC_CFGCRYPT_PSEC    4 /**< libphonesec authenticated format (RFC 8188 + password KDF) */
/** @} */

/** \name Key derivations (`kdf` field)
 * @{ */
#define PHONESEC_CFGCRYPT_KDF_DEFAULT 0 /**< openssl: EVP_BytesToKey SHA-256; psec: PBKDF2-SHA256 */
#define PHONESEC_CFGCRYPT_KDF_EVP_MD5 1 /**< openssl: EVP_BytesToKey with MD5 (openssl -md md5) */
#define PHONESEC_CFGCRYPT_KDF_EVP_SHA256 2 /**< openssl: EVP_BytesToKey with SHA-256 (openssl -md sha256) */
#define PHONESEC_CFGCRYPT_KDF_PBKDF2 3 /**< openssl -pbkdf2 / psec: PBKDF2-HMAC-SHA256, `iterations` */
#define PHONESEC_CFGCRYPT_KDF_SCRYPT 4 /**< psec: scrypt, `scrypt_log2n`, `scrypt_r`, `scrypt_p` */
#define PHONESEC_CFGCRYPT_KDF_RAW 5 /**< psec: no password; `key` is the input keying material */
/** @} */

/** Default PBKDF2 iterations for `openssl enc -pbkdf2` (its own default). */
#define PHONESEC_CFGCRYPT_OPENSSL_PBKDF2_ITER 10000u
/** Default PBKDF2-SHA256 iterations of the psec format (slow on purpose). */
#define PHONESEC_CFGCRYPT_PSEC_PBKDF2_ITER 600000u
/** Default RFC 8188 / psec record size. */
#define PHONESEC_CFGCRYPT_RECORD_SIZE 4096u
/** Largest record size accepted (memory bound of a context). */
#define PHONESEC_CFGCRYPT_RECORD_MAX (256u * 1024u)

/** \name Default work limits (fields max_kdf_iter, max_kdf_mem, max_record_size)
 * A file's header is read before anything in it is authenticated, so the
 * work and memory its header asks for are bounded by the caller. The
 * defaults sit a little above what our encoder writes.
 * @{ */
/** PBKDF2 iterations a context runs at most (psec header, openssl -iter): 1,000,000. */
#define PHONESEC_CFGCRYPT_MAX_KDF_ITER 1000000u
/** scrypt cost 128 * N * r * p (bytes) a psec header may ask: 64 MiB (we write 32 MiB). */
#define PHONESEC_CFGCRYPT_MAX_KDF_MEM (64u * 1024u * 1024u)
/** Record size an RFC 8188 / psec header may ask: 64 KiB (we write 4096). */
#define PHONESEC_CFGCRYPT_MAX_RECORD_SIZE (64u * 1024u)
/** @} */

/** Version of struct phonesec_cfgcrypt_params understood by this header
 *  (1: up to scrypt_p; 2: adds the work limits). */
#define PHONESEC_CFGCRYPT_PARAMS_VERSION 2

/**
 * \brief What to do: format, keys and options. Pointers are borrowed only
 *        during phonesec_cfgcrypt_encrypt_new()/decrypt_new() (copied inside).
 */
typedef struct phonesec_cfgcrypt_params {
    unsigned version;         /**< PHONESEC_CFGCRYPT_PARAMS_VERSION */
    int format;               /**< PHONESEC_CFGCRYPT_* */
    int kdf;                  /**< PHONESEC_CFGCRYPT_KDF_*: openssl and psec (encrypt; psec decrypt reads the header) */
    uint32_t iterations;      /**< PBKDF2 iterations; 0 = the format's default */
    int base64;               /**< openssl: 1 = base64 armour (openssl enc -a), 64-character lines */
    const uint8_t *password;  /**< openssl, psec: password bytes */
    size_t password_len;      /**< its length */
    const uint8_t *key;       /**< yealink: the 16 or 32 ASCII key characters; rfc8188 and psec raw: IKM */
    size_t key_len;           /**< its length */
    const uint8_t *key_id;    /**< rfc8188 encrypt: key id written in the header (0..255 bytes) */
    size_t key_id_len;        /**< its length */
    uint32_t record_size;     /**< rfc8188/psec encrypt: record size (18..PHONESEC_CFGCRYPT_RECORD_MAX); 0 = default */
    uint32_t pad;             /**< rfc8188/psec encrypt: zero padding bytes added at the end (at most 65536) */
    const uint8_t *salt;      /**< encrypt: fixed salt for reproducible output (tests); NULL = random */
    size_t salt_len;          /**< 8 for openssl, 16 for rfc8188 and psec */
    uint8_t scrypt_log2n;     /**< psec scrypt: log2(N), 10..22 and below 16 * r; 0 = 15 */
    uint8_t scrypt_r;         /**< psec scrypt: r, 1..8 (wolfCrypt's limit); 0 = 8 (128 * r * N at most 256 MiB) */
    uint8_t scrypt_p;         /**< psec scrypt: p, 1..16; 0 = 1 */
    /* version 2 */
    uint32_t max_kdf_iter;    /**< most PBKDF2 iterations the context runs, both directions (psec
                                   header; openssl `iterations`); 0 = PHONESEC_CFGCRYPT_MAX_KDF_ITER */
    uint32_t max_kdf_mem;     /**< largest psec scrypt cost 128 * N * r * p in bytes, both directions:
                                   the table wolfCrypt fills (128 * N * r) times the lanes it runs one
                                   after the other (p), so it bounds memory and time;
                                   0 = PHONESEC_CFGCRYPT_MAX_KDF_MEM. Whatever the value, 128 * N * r
                                   stays at most 256 MiB */
    uint32_t max_record_size; /**< rfc8188/psec: largest record size, both directions (a header asking
                                   for more is refused); 0 = PHONESEC_CFGCRYPT_MAX_RECORD_SIZE; values
                                   above PHONESEC_CFGCRYPT_RECORD_MAX count as that */
} phonesec_cfgcrypt_params;

/** Static initialiser: every field zero except the version. */
#define PHONESEC_CFGCRYPT_PARAMS_INIT { PHONESEC_CFGCRYPT_PARAMS_VERSION, 0, 0, 0, 0, NULL, 0, NULL, 0, NULL, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0 }

/** \brief Fill *p as PHONESEC_CFGCRYPT_PARAMS_INIT does. p NULL is ignored. */
PHONESEC_API void phonesec_cfgcrypt_params_init(phonesec_cfgcrypt_params *p);

/** Opaque streaming context for one file in one direction. */
typedef struct phonesec_cfgcrypt_ctx phonesec_cfgcrypt_ctx;

/**
 * \brief New encryption context.
 * \param out set to the new context on success
 * \param p   format and keys (copied)
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, unknown format or version,
 *         missing or ill-sized key, password, salt, record size or pad,
 *         scrypt parameters wolfCrypt cannot run);
 *         PHONESEC_E_LIMIT (PBKDF2 iterations, scrypt cost or record size
 *         above max_kdf_iter, max_kdf_mem or max_record_size: a file the
 *         same limits could not read back);
 *         PHONESEC_E_UNSUPPORTED (KDF not valid for the format);
 *         PHONESEC_E_NOMEM; PHONESEC_E_RANDOM (no salt could be drawn);
 *         PHONESEC_E_CRYPTO (backend failure in the key derivation)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_cfgcrypt_encrypt_new(const phonesec_cfgcrypt_params *p, phonesec_cfgcrypt_ctx **out);

/**
 * \brief New decryption context. Key derivation happens once the header has
 *        been read (inside phonesec_cfgcrypt_update()).
 * \param out set to the new context on success
 * \param p   format and keys (copied); kdf/iterations for openssl; psec reads
 *            its KDF from the header
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, unknown format or version,
 *         missing or ill-sized key or password); PHONESEC_E_UNSUPPORTED;
 *         PHONESEC_E_LIMIT (openssl: `iterations` above max_kdf_iter);
 *         PHONESEC_E_NOMEM
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_cfgcrypt_decrypt_new(const phonesec_cfgcrypt_params *p, phonesec_cfgcrypt_ctx **out);

/**
 * \brief Largest output phonesec_cfgcrypt_update(ctx, in_len bytes) or
 *        phonesec_cfgcrypt_final() (in_len 0) can produce now.
 * \return the bound in bytes (SIZE_MAX when it does not fit a size_t; 0 for ctx NULL)
 */
PHONESEC_API size_t phonesec_cfgcrypt_bound(const phonesec_cfgcrypt_ctx *ctx, size_t in_len);

/**
 * \brief Feed input; write whatever output is ready.
 *
 * All input is consumed on success. When out_cap is below
 * phonesec_cfgcrypt_bound(ctx, in_len) nothing is consumed or written.
 * After any error other than PHONESEC_E_BUFFER_SMALL the context is failed:
 * every later call returns PHONESEC_E_STATE.
 * \param ctx     context
 * \param in      input bytes (may be NULL when in_len is 0)
 * \param in_len  their number
 * \param out     output buffer
 * \param out_cap its size
 * \param out_len set to the number of bytes written
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_BUFFER_SMALL (*out_len
 *         set to the bound); PHONESEC_E_STATE (finished or failed context);
 *         PHONESEC_E_PARSE (bad header, bad base64, data after the last
 *         record); PHONESEC_E_AUTH (record tag mismatch: wrong key or
 *         password, or altered data); PHONESEC_E_LIMIT (the header asks for
 *         a record size, PBKDF2 iteration count or scrypt cost above
 *         max_record_size, max_kdf_iter or max_kdf_mem, or above the psec
 *         format's bounds: refused before any of that work is done; the
 *         error text names the field); PHONESEC_E_POLICY (psec: fewer than
 *         1000 PBKDF2 iterations); PHONESEC_E_UNSUPPORTED (unknown psec
 *         version or KDF, scrypt r above 8); PHONESEC_E_NOMEM (record
 *         buffer or scrypt table); PHONESEC_E_CRYPTO (backend failure; never
 *         for psec KDF parameters inside the limits)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_cfgcrypt_update(phonesec_cfgcrypt_ctx *ctx, const uint8_t *in, size_t in_len,
                                                          uint8_t *out, size_t out_cap, size_t *out_len);

/**
 * \brief End of input: write the rest (last block, last record, padding).
 * \param ctx     context
 * \param out     output buffer
 * \param out_cap its size (phonesec_cfgcrypt_bound(ctx, 0) is enough)
 * \param out_len set to the number of bytes written
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_BUFFER_SMALL;
 *         PHONESEC_E_STATE; PHONESEC_E_TRUNCATED (input ended early: no or
 *         partial header, partial block, missing last record);
 *         PHONESEC_E_AUTH (tag mismatch; openssl: bad padding, which usually
 *         means a wrong password); PHONESEC_E_PARSE; PHONESEC_E_CRYPTO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_cfgcrypt_final(phonesec_cfgcrypt_ctx *ctx, uint8_t *out, size_t out_cap,
                                                         size_t *out_len);

/**
 * \brief Text of the context's last error ("" when none); never key material.
 * \return PHONESEC_OK (text cut to fit cap, always NUL-terminated) or
 *         PHONESEC_E_INVAL (ctx or buf NULL, cap 0)
 */
PHONESEC_API int phonesec_cfgcrypt_last_error(const phonesec_cfgcrypt_ctx *ctx, char *buf, size_t cap);

/** \brief Wipe and free a context; NULL is ignored. */
PHONESEC_API void phonesec_cfgcrypt_free(phonesec_cfgcrypt_ctx *ctx);

/** Progress callback of the file helpers: bytes read so far and input size (0 when unknown). */
typedef void (*phonesec_cfgcrypt_progress_fn)(void *user, uint64_t done, uint64_t total);

/**
 * \brief Encrypt (encrypt 1) or decrypt (encrypt 0) the file in_path into out_path.
 *
 * Output rules (doc/cfgcrypt.md, "Output rules"):
 * - A regular out_path, or one that does not exist yet, is written
 *   atomically: an unnamed temporary file (O_TMPFILE, Linux) or a named one
 *   (`.<name>.tmp.XXXXXX`) in its directory, fsync, rename only on
 *   success, fsync of the directory. Everything the commit needs is
 *   allocated before the first byte is written. On any failure (wrong key,
 *   bad padding, tag mismatch, truncated input, disk full, out of
 *   memory...) nothing is left: out_path is not created or keeps its old
 *   content. The output file gets mode 0600.
 * - "-", "/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/fd/N" and
 *   "/proc/self/fd/N" write to that descriptor in place; an out_path that
 *   is a character device or a FIFO (directly or through a symbolic link)
 *   is opened and written in place. Such output cannot be made atomic:
 *   output of a failed run may have been written.
 * - An out_path that is a symbolic link to anything else, a directory, a
 *   block device or a socket is refused (PHONESEC_E_INVAL).
 * - in_path is never modified. in_path and out_path naming one file (same
 *   path, hard or symbolic link, or standard input/output redirected to the
 *   other: `1<>IN`, `>> IN`, `< OUT`) are refused (PHONESEC_E_INVAL).
 * - A host that stops on signals calls phonesec_cfgcrypt_signal_cleanup()
 *   from its handler so that no named temporary file stays behind.
 * \param p        format and keys
 * \param encrypt  1 to encrypt, 0 to decrypt
 * \param in_path  input file, or "-"
 * \param out_path output file, or "-"
 * \param progress called after each chunk (may be NULL)
 * \param user     passed first to progress
 * \param err      error text buffer (may be NULL)
 * \param err_cap  its size
 * \return PHONESEC_OK; any code of phonesec_cfgcrypt_encrypt_new(),
 *         phonesec_cfgcrypt_decrypt_new(), phonesec_cfgcrypt_update() or
 *         phonesec_cfgcrypt_final() (err says why, e.g. which limit);
 *         PHONESEC_E_INVAL (same file, NULL path, refused kind of output);
 *         PHONESEC_E_IO (open, read, write, fsync or rename failed: disk full
 *         or file size limit); PHONESEC_E_NOMEM; PHONESEC_E_RANDOM (no name
 *         for the temporary file)
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_cfgcrypt_file(const phonesec_cfgcrypt_params *p, int encrypt, const char *in_path,
                                                        const char *out_path, phonesec_cfgcrypt_progress_fn progress,
                                                        void *user, char *err, size_t err_cap);

/**
 * \brief Remove the temporary files of every phonesec_cfgcrypt_file() call in
 *        progress in this process. Async-signal-safe.
 *
 * For a host's SIGINT, SIGTERM or SIGHUP handler, which then re-raises the
 * signal or exits. Only named temporary files exist on disk (where
 * O_TMPFILE works, the output has no name until the instant of its rename,
 * so it vanishes with the process); their paths are relative to the current
 * directory of the call when out_path was. Up to 8 calls running at once are
 * covered. A call whose file was removed and that goes on fails with
 * PHONESEC_E_IO. (SIGXFSZ needs no handler: ignore it, and a file size limit
 * becomes the PHONESEC_E_IO "file size limit" error, which cleans up.)
 */
PHONESEC_API void phonesec_cfgcrypt_signal_cleanup(void);

/**
 * \brief Unwrap a Yealink `<name>_Security.enc` file: AES-128-ECB of the
 *        16-character configuration key under the caller's "common" key.
 * \param enc        the file's bytes (16)
 * \param enc_len    their number
 * \param common     the common key (16 bytes); this library ships none
 * \param common_len its length
 * \param key        receives the 16 key characters (not NUL-terminated)
 * \param key_cap    its size (at least 16)
 * \param key_len    set to 16 on success
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, common key not 16 bytes);
 *         PHONESEC_E_PARSE (enc not 16 bytes); PHONESEC_E_BUFFER_SMALL;
 *         PHONESEC_E_AUTH (the result is not printable ASCII: wrong common key);
 *         PHONESEC_E_CRYPTO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_cfgcrypt_yealink_key_unwrap(const uint8_t *enc, size_t enc_len,
                                                                      const uint8_t *common, size_t common_len,
                                                                      uint8_t *key, size_t key_cap, size_t *key_len);

/**
 * \brief Make a Yealink `<name>_Security.enc`: the 16-character key
 *        AES-128-ECB-encrypted under the common key.
 * \param key        16 printable ASCII characters
 * \param key_len    16
 * \param common     the common key (16 bytes)
 * \param common_len 16
 * \param out        receives 16 bytes
 * \param out_cap    its size
 * \param out_len    set to 16
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_BUFFER_SMALL; PHONESEC_E_CRYPTO
 */
PHONESEC_API PHONESEC_WARN_UNUSED int phonesec_cfgcrypt_yealink_key_wrap(const uint8_t *key, size_t key_len,
                                                                    const uint8_t *common, size_t common_len,
                                                                    uint8_t *out, size_t out_cap, size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_CFGCRYPT_H */
