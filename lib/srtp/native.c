/*
 * libphonesec - the native SRTP engine (RFC 3711, RFC 6188, RFC 7714) on
 * wolfCrypt primitives.
 * SPDX-License-Identifier: MIT
 *
 * One session is one direction. Session keys are derived per master key
 * when the session is made (RFC 3711 4.3) and kept expanded; with a key
 * derivation rate (KDR=n: rate 2^n) they are derived again whenever a packet
 * index enters another multiple of the rate (r = index DIV 2^n, separately
 * for RTP and SRTCP), from the master key the session then keeps. Kept: the AES key schedules (and GCM table), the HMAC inner and
 * outer states. A packet then costs one keystream and one HMAC finish (or
 * one GCM pass): no allocation, no lock, no global state. Sessions are
 * independent of each other, so the cost of a packet does not depend on how
 * many sessions exist.
 *
 * Per SSRC the session keeps the highest packet index and a replay window
 * (RFC 3711 3.3.2) for RTP, the SRTCP index and its window, in a fixed
 * table of PHONESEC_SRTP_MAX_SSRC entries. The window memory is allocated
 * with the session. Outbound sessions refuse an index they used already
 * (keystream reuse), like inbound ones refuse replays.
 *
 * Parameter rules (and their error codes) are those of the libsrtp2 engine
 * where both run a case, so that the engines are interchangeable. Beyond
 * libsrtp2 this engine runs AES-F8-128 (RFC 3711 4.1.2), KDR 1..24, an MKI
 * with every suite (GCM: after the tag; SRTCP GCM: after the E|index word,
 * RFC 7714 8.1 and 9.1), and AES-192 (RFC 6188).
 */
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/aes.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "srtp/engine.h"
#include "srtp/prim.h"

#define MOD "srtp"
#define RTCP_WIN 128 /* SRTCP replay window (bits), as libsrtp2 */
#define RTCP_MAX_INDEX 0x7fffffffu

typedef struct nat_keys {
    Aes rtp_c, rtcp_c;            /* AES-CTR key, AES-GCM key, or F8's k_e */
    phonesec__hmac1 rtp_a, rtcp_a; /* unused with GCM */
    uint8_t rtp_salt[14], rtcp_salt[14];
    Aes *f8;                      /* F8 only: [0] RTP, [1] SRTCP key k_e XOR m */
    uint64_t r[2];                /* KDR: r of the RTP [0] and SRTCP [1] keys */
    uint8_t mk[32], ms[14];       /* KDR only: the master key and salt */
    uint8_t rtcp_gk[32];          /* GCM only: the SRTCP session key, for rtcp_gmac() */
} nat_keys;

typedef struct nat_ssrc {
    uint32_t ssrc;
    uint32_t roc;       /* highest RTP index: roc << 16 | seq */
    uint16_t seq;
    uint8_t seen_rtp;
    uint8_t seen_rtcp;
    uint32_t rtcp_hi;   /* inbound: highest SRTCP index; outbound: last sent */
    uint64_t *rtp_win;  /* bit k: index (highest - k) seen */
    uint64_t *rtcp_win;
} nat_ssrc;

typedef struct nat {
    phonesec__err err;
    int direction;
    unsigned opts;
    const phonesec__srtp_suite *sd;
    phonesec_srtp_params p; /* MKIs, lifetimes, flags; keys wiped after derivation */
    nat_keys *k;            /* n_keys entries */
    size_t rtp_tag, rtcp_tag, mki_len, rtp_over, rtcp_over;
    int rtp_conf, rtp_auth, rtcp_conf;
    size_t active;
    uint64_t count[PHONESEC_SRTP_MAX_KEYS];
    unsigned expired_logged;
    uint32_t wsh;
    size_t win_words;
    uint64_t *win; /* PHONESEC_SRTP_MAX_SSRC * (win_words + RTCP_WIN / 64) */
    nat_ssrc ss[PHONESEC_SRTP_MAX_SSRC];
    size_t n_ss, last;
} nat;

#define S(x) ((nat *)(x))
#define CS(x) ((const nat *)(x))

static uint32_t rd32(const uint8_t *b)
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

static void wr32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* ---- key derivation (RFC 3711 4.3.1) --------------------------------------- */

/* out = the first n bytes of AES-CM(master key) at IV = (salt XOR label at
 * byte 7) || 0000. The 96-bit GCM master salt is used zero-padded to 112
 * bits (RFC 7714 11). */
static int kdf(const uint8_t *mk, size_t mk_len, const uint8_t *salt, size_t salt_len, uint8_t label, uint64_t r,
               uint8_t *out, size_t n)
{
    uint8_t iv[16];
    Aes a;
    int rc, i;
    memset(iv, 0, sizeof iv);
    memcpy(iv, salt, salt_len);
    iv[7] ^= label;
    for (i = 0; i < 6; i++) /* key_id = label || r, r = index DIV KDR (48 bits) */
        iv[13 - i] ^= (uint8_t)(r >> (8 * i));
    memset(out, 0, n);
    rc = phonesec__aesctr_init(&a, mk, mk_len);
    if (rc == 0)
        rc = phonesec__aesctr(&a, iv, out, out, n);
    phonesec__aes_wipe(&a);
    return rc;
}

/* Derive the keys of one direction (0 RTP, 1 SRTCP) for r = index DIV KDR
 * from master key mk / salt ms; init: first time (else the AES objects are
 * only rekeyed). */
static int derive_dir(const phonesec__srtp_suite *sd, nat_keys *k, int dir, uint64_t r, int init, const uint8_t *mk,
                      const uint8_t *ms)
{
    uint8_t ek[32], ak[20];
    uint8_t base = dir == 0 ? 0 : 3;
    uint8_t *salt = dir == 0 ? k->rtp_salt : k->rtcp_salt;
    Aes *c = dir == 0 ? &k->rtp_c : &k->rtcp_c;
    int rc = 0;
    rc |= kdf(mk, sd->key_len, ms, sd->salt_len, base, r, ek, sd->key_len);
    rc |= kdf(mk, sd->key_len, ms, sd->salt_len, (uint8_t)(base + 2), r, salt, sd->salt_len);
    if (rc == 0 && init && wc_AesInit(c, NULL, INVALID_DEVID) != 0)
        rc = -1;
    if (rc == 0 && sd->gcm) {
        if (wc_AesGcmSetKey(c, ek, (word32)sd->key_len) != 0)
            rc = -1;
        if (dir == 1)
            memcpy(k->rtcp_gk, ek, sd->key_len);
    } else if (rc == 0) {
        if (sd->f8)
            rc |= phonesec__aesf8_init(c, &k->f8[dir], ek, sd->key_len, salt, sd->salt_len);
        else if (wc_AesSetKey(c, ek, (word32)sd->key_len, NULL, AES_ENCRYPTION) != 0)
            rc = -1;
        rc |= kdf(mk, sd->key_len, ms, sd->salt_len, (uint8_t)(base + 1), r, ak, sizeof ak);
        if (rc == 0)
            rc |= phonesec__hmac1_init(dir == 0 ? &k->rtp_a : &k->rtcp_a, ak, sizeof ak);
    }
    /* on failure no r matches: the next packet derives again (never half-new keys) */
    k->r[dir] = rc == 0 ? r : UINT64_MAX;
    phonesec_memzero(ek, sizeof ek);
    phonesec_memzero(ak, sizeof ak);
    return rc;
}

static int derive(const phonesec__srtp_suite *sd, nat_keys *k, const phonesec_srtp_key *mk, uint32_t kdr)
{
    int rc = 0, dir;
    if (sd->f8) {
        k->f8 = phonesec__calloc_aligned(2, sizeof *k->f8, _Alignof(Aes));
        if (k->f8 == NULL)
            return -2; /* out of memory */
    }
    if (kdr != 0) {
        memcpy(k->mk, mk->key, sd->key_len);
        memcpy(k->ms, mk->salt, sd->salt_len);
    }
    for (dir = 0; dir < 2 && rc == 0; dir++)
        rc = derive_dir(sd, k, dir, 0, 1, mk->key, mk->salt);
    return rc;
}

/* KDR: the keys of direction dir for packet index `index`, derived again when
 * index DIV 2^kdr differs from what they were derived for. */
static int kdr_keys(const nat *s, nat_keys *k, int dir, uint64_t index)
{
    uint64_t r = index >> s->p.kdr;
    if (s->p.kdr == 0 || r == k->r[dir])
        return 0;
    return derive_dir(s->sd, k, dir, r, 0, k->mk, k->ms);
}

static void keys_free(nat_keys *k, size_t n)
{
    size_t i;
    if (k == NULL)
        return;
    for (i = 0; i < n; i++) {
        wc_AesFree(&k[i].rtp_c);
        wc_AesFree(&k[i].rtcp_c);
        if (k[i].f8 != NULL) {
            wc_AesFree(&k[i].f8[0]);
            wc_AesFree(&k[i].f8[1]);
            phonesec__free_aligned_secret(k[i].f8, 2 * sizeof *k[i].f8);
        }
    }
    phonesec__free_aligned_secret(k, n * sizeof *k);
}

/* ---- parameters ------------------------------------------------------------ */

#define ALL_FLAGS PHONESEC__SRTP_ALL_FLAGS

typedef struct nat_cfg {
    const phonesec__srtp_suite *sd;
    size_t rtp_tag, rtcp_tag, mki_len;
    int rtp_conf, rtp_auth, rtcp_conf;
    uint32_t wsh;
} nat_cfg;

static int check_params(phonesec__err *err, nat_cfg *c, const phonesec_srtp_params *p, unsigned opts)
{
    const phonesec__srtp_suite *sd;
    size_t i, j;

    if (!PHONESEC__VERSION_OK(p->version, PHONESEC_SRTP_PARAMS_VERSION))
        return phonesec__fail(err, PHONESEC_E_INVAL, "params version %u, this library knows 1..%u", p->version,
                              (unsigned)PHONESEC_SRTP_PARAMS_VERSION);
    sd = phonesec__srtp_find_suite(p->suite);
    if (sd == NULL || p->suite == PHONESEC_SRTP_SUITE_NONE)
        return phonesec__fail(err, PHONESEC_E_INVAL, "unknown suite number %d", p->suite);
    if (sd->null_cipher && !(opts & PHONESEC_SRTP_OPT_ALLOW_NULL))
        return phonesec__fail(err, PHONESEC_E_POLICY, "%s sends media in clear: not allowed without "
                              "PHONESEC_SRTP_OPT_ALLOW_NULL", sd->name);
    if (p->flags & ~(unsigned)ALL_FLAGS)
        return phonesec__fail(err, PHONESEC_E_INVAL, "unknown flags 0x%x", p->flags & ~(unsigned)ALL_FLAGS);
    if ((p->flags & PHONESEC_SRTP_F_UNENCRYPTED_SRTP) && (p->flags & PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP) &&
        !(opts & PHONESEC_SRTP_OPT_ALLOW_NULL))
        return phonesec__fail(err, PHONESEC_E_POLICY, "UNENCRYPTED_SRTP with UNAUTHENTICATED_SRTP leaves RTP "
                              "unprotected: not allowed without PHONESEC_SRTP_OPT_ALLOW_NULL");
    if (sd->gcm && (p->flags & (PHONESEC_SRTP_F_UNENCRYPTED_SRTP | PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP)))
        return phonesec__fail(err, PHONESEC_E_UNSUPPORTED, "%s cannot do UNENCRYPTED_SRTP or "
                              "UNAUTHENTICATED_SRTP (AEAD)", sd->name);
    if (p->kdr > 24)
        return phonesec__fail(err, PHONESEC_E_INVAL, "KDR=%u: RFC 3711 allows 2^1..2^24 (KDR=1..24)",
                              (unsigned)p->kdr);
    if (p->wsh != 0 && p->wsh < 64)
        return phonesec__fail(err, PHONESEC_E_INVAL, "WSH=%u below RFC 4568's minimum 64", (unsigned)p->wsh);
    if (p->wsh > 0x7fff)
        return phonesec__fail(err, PHONESEC_E_UNSUPPORTED, "WSH=%u above the limit 32767", (unsigned)p->wsh);
    if (p->n_keys < 1 || p->n_keys > PHONESEC_SRTP_MAX_KEYS)
        return phonesec__fail(err, PHONESEC_E_INVAL, "%zu master keys (1..%d allowed)", p->n_keys,
                              PHONESEC_SRTP_MAX_KEYS);
    for (i = 0; i < p->n_keys; i++) {
        const phonesec_srtp_key *k = &p->keys[i];
        if (k->key_len != sd->key_len || k->salt_len != sd->salt_len)
            return phonesec__fail(err, PHONESEC_E_INVAL, "key %zu: %zu-byte key and %zu-byte salt, %s needs "
                                  "%zu and %zu", i, k->key_len, k->salt_len, sd->name, sd->key_len, sd->salt_len);
        if (k->mki_len > PHONESEC_SRTP_MAX_MKI_LEN)
            return phonesec__fail(err, PHONESEC_E_INVAL, "key %zu: MKI of %zu bytes (max %d)", i, k->mki_len,
                                  PHONESEC_SRTP_MAX_MKI_LEN);
        if (k->mki_len != p->keys[0].mki_len)
            return phonesec__fail(err, PHONESEC_E_INVAL, "key %zu: MKI length %zu differs from key 0's %zu", i,
                                  k->mki_len, p->keys[0].mki_len);
        if (p->n_keys > 1 && k->mki_len == 0)
            return phonesec__fail(err, PHONESEC_E_INVAL, "key %zu: several keys need an MKI each", i);
        for (j = 0; j < i; j++)
            if (memcmp(p->keys[j].mki, k->mki, k->mki_len) == 0)
                return phonesec__fail(err, PHONESEC_E_INVAL, "keys %zu and %zu have the same MKI", j, i);
    }
    c->sd = sd;
    c->mki_len = p->keys[0].mki_len;
    c->rtp_conf = !sd->null_cipher && !(p->flags & PHONESEC_SRTP_F_UNENCRYPTED_SRTP);
    c->rtp_auth = !(p->flags & PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP);
    c->rtcp_conf = !sd->null_cipher && !(p->flags & PHONESEC_SRTP_F_UNENCRYPTED_SRTCP);
    if (sd->gcm) {
        c->rtp_tag = 16;
        c->rtcp_tag = 16;
    } else {
        c->rtp_tag = c->rtp_auth ? (sd->tag32 ? 4 : 10) : 0;
        /* RFC 4568: SRTCP keeps the 80-bit tag with _32 suites */
        c->rtcp_tag = sd->tag32 && (p->flags & PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT) ? 4 : 10;
    }
    /* WSH is a minimum (RFC 4568 6.3.7); rounded up to whole 32-bit words as
     * libsrtp2 does, so that the engines accept the same packets */
    c->wsh = ((p->wsh != 0 ? p->wsh : 64) + 31u) & ~31u;
    return PHONESEC_OK;
}

/* Derive every key of p into a new array (*out), or fail with nothing left. */
static int make_keys(nat *s, const phonesec_srtp_params *p, const phonesec__srtp_suite *sd, nat_keys **out)
{
    /* aligned: wolfCrypt's Aes needs 16 bytes, malloc gives 8 on 32-bit ARM
     * (found by the UBSan cross build, scripts/cross-test.sh armhf) */
    nat_keys *k = phonesec__calloc_aligned(p->n_keys, sizeof *k, _Alignof(nat_keys));
    size_t i;
    if (k == NULL)
        return phonesec__fail(&s->err, PHONESEC_E_NOMEM, "out of memory for %zu key(s)", p->n_keys);
    for (i = 0; i < p->n_keys; i++) {
        int rc = derive(sd, &k[i], &p->keys[i], p->kdr);
        if (rc != 0) {
            keys_free(k, p->n_keys);
            return rc == -2 ? phonesec__fail(&s->err, PHONESEC_E_NOMEM, "out of memory for the F8 keys")
                            : phonesec__fail(&s->err, PHONESEC_E_CRYPTO, "wolfCrypt failed deriving session keys");
        }
    }
    *out = k;
    return PHONESEC_OK;
}

static void apply_cfg(nat *s, const nat_cfg *c)
{
    s->sd = c->sd;
    s->rtp_tag = c->rtp_tag;
    s->rtcp_tag = c->rtcp_tag;
    s->mki_len = c->mki_len;
    s->rtp_conf = c->rtp_conf;
    s->rtp_auth = c->rtp_auth;
    s->rtcp_conf = c->rtcp_conf;
    s->rtp_over = c->rtp_tag + c->mki_len;
    s->rtcp_over = 4 + c->rtcp_tag + c->mki_len;
}

/* Copy params without the key bytes: those live on only as derived keys. */
static void keep_params(nat *s, const phonesec_srtp_params *p)
{
    size_t i;
    s->p = *p;
    for (i = 0; i < PHONESEC_SRTP_MAX_KEYS; i++) {
        phonesec_memzero(s->p.keys[i].key, sizeof s->p.keys[i].key);
        phonesec_memzero(s->p.keys[i].salt, sizeof s->p.keys[i].salt);
    }
}

static size_t ssrc_words(const nat *s)
{
    return s->win_words + RTCP_WIN / 64;
}

int phonesec__srtp_nat_suite_supported(int suite)
{
    const phonesec__srtp_suite *sd = phonesec__srtp_find_suite(suite);
    if (sd == NULL || suite == PHONESEC_SRTP_SUITE_NONE)
        return PHONESEC_E_INVAL;
    return PHONESEC_OK;
}

int phonesec__srtp_nat_supports(int suite, unsigned flags, unsigned features)
{
    (void)suite;
    (void)flags;
    (void)features;
    return PHONESEC_OK; /* MKI with every suite and flag set, KDR 1..24 */
}

int phonesec__srtp_nat_new(const phonesec_srtp_params *params, int direction, unsigned opts, phonesec_srtp **out)
{
    nat *s;
    nat_cfg c;
    int rc;

    if (out == NULL || params == NULL)
        return PHONESEC_E_INVAL;
    if (direction != PHONESEC_SRTP_DIR_INBOUND && direction != PHONESEC_SRTP_DIR_OUTBOUND)
        return PHONESEC_E_INVAL;
    if (opts & ~(unsigned)PHONESEC_SRTP_OPT_ALLOW_NULL)
        return PHONESEC_E_INVAL;
    s = phonesec__calloc(1, sizeof *s);
    if (s == NULL)
        return PHONESEC_E_NOMEM;
    s->direction = direction;
    s->opts = opts;
    rc = check_params(&s->err, &c, params, opts);
    if (rc != PHONESEC_OK)
        goto fail;
    s->wsh = c.wsh;
    s->win_words = (c.wsh + 63) / 64;
    s->win = phonesec__calloc(PHONESEC_SRTP_MAX_SSRC * ssrc_words(s), sizeof *s->win);
    if (s->win == NULL) {
        rc = PHONESEC_E_NOMEM;
        goto fail;
    }
    rc = make_keys(s, params, c.sd, &s->k);
    if (rc != PHONESEC_OK)
        goto fail;
    apply_cfg(s, &c);
    keep_params(s, params);
    phonesec__log(PHONESEC_LOG_DEBUG, MOD, "%s session %s (native engine), %zu key(s), MKI %zu bytes",
                  direction == PHONESEC_SRTP_DIR_INBOUND ? "inbound" : "outbound", s->sd->name, params->n_keys,
                  s->mki_len);
    phonesec__err_clear(&s->err);
    *out = (phonesec_srtp *)s;
    return PHONESEC_OK;
fail:
    if (rc != PHONESEC_OK && s->err.code == 0)
        phonesec__fail(&s->err, rc, "creating the session");
    phonesec__log(PHONESEC_LOG_WARN, MOD, "cannot create SRTP session: %s", s->err.msg);
    phonesec__srtp_nat_free((phonesec_srtp *)s);
    return rc;
}

void phonesec__srtp_nat_free(phonesec_srtp *ps)
{
    nat *s = S(ps);
    if (s == NULL)
        return;
    keys_free(s->k, s->p.n_keys);
    if (s->win != NULL)
        phonesec__free(s->win);
    phonesec__free_secret(s, sizeof *s);
}

int phonesec__srtp_nat_update(phonesec_srtp *ps, const phonesec_srtp_params *params)
{
    nat *s = S(ps);
    nat_cfg c;
    nat_keys *k;
    uint64_t *win = NULL;
    size_t words;
    int rc;

    if (s == NULL || params == NULL)
        return PHONESEC_E_INVAL;
    rc = check_params(&s->err, &c, params, s->opts);
    if (rc != PHONESEC_OK)
        return rc;
    words = (c.wsh + 63) / 64;
    if (words != s->win_words) {
        /* a new window size: the windows start again (indices are kept) */
        win = phonesec__calloc(PHONESEC_SRTP_MAX_SSRC * (words + RTCP_WIN / 64), sizeof *win);
        if (win == NULL)
            return phonesec__fail(&s->err, PHONESEC_E_NOMEM, "rekey: out of memory");
    }
    rc = make_keys(s, params, c.sd, &k);
    if (rc != PHONESEC_OK) {
        phonesec__free(win);
        return rc;
    }
    keys_free(s->k, s->p.n_keys);
    s->k = k;
    if (win != NULL) {
        size_t i;
        phonesec__free(s->win);
        s->win = win;
        s->win_words = words;
        for (i = 0; i < s->n_ss; i++) {
            s->ss[i].rtp_win = s->win + i * ssrc_words(s);
            s->ss[i].rtcp_win = s->ss[i].rtp_win + s->win_words;
        }
    }
    s->wsh = c.wsh;
    apply_cfg(s, &c);
    keep_params(s, params);
    s->active = 0;
    memset(s->count, 0, sizeof s->count);
    s->expired_logged = 0;
    phonesec__log(PHONESEC_LOG_INFO, MOD, "%s session rekeyed to %s, %zu SSRC(s) keep their rollover counter",
                  s->direction == PHONESEC_SRTP_DIR_INBOUND ? "inbound" : "outbound", s->sd->name, s->n_ss);
    phonesec__err_clear(&s->err);
    return PHONESEC_OK;
}

int phonesec__srtp_nat_set_active_key(phonesec_srtp *ps, size_t index)
{
    nat *s = S(ps);
    if (s == NULL)
        return PHONESEC_E_INVAL;
    if (s->direction != PHONESEC_SRTP_DIR_OUTBOUND)
        return phonesec__fail(&s->err, PHONESEC_E_STATE, "the active key is chosen by outbound sessions only");
    if (index >= s->p.n_keys)
        return phonesec__fail(&s->err, PHONESEC_E_INVAL, "key index %zu, session has %zu key(s)", index,
                              s->p.n_keys);
    s->active = index;
    phonesec__err_clear(&s->err);
    return PHONESEC_OK;
}

/* ---- per-packet helpers ---------------------------------------------------- */

/* RFC 3711 Appendix A, 64 bits wide so that a counter past 2^32-1 shows. */
static uint64_t estimate_roc(const nat_ssrc *e, uint16_t seq)
{
    if (!e->seen_rtp)
        return e->roc;
    if (e->seq < 32768) {
        if (seq > e->seq && (uint32_t)(seq - e->seq) > 32768)
            return e->roc > 0 ? (uint64_t)e->roc - 1 : UINT64_MAX; /* before index 0: no such packet */
        return e->roc;
    }
    if ((uint32_t)(e->seq - 32768) > seq)
        return (uint64_t)e->roc + 1;
    return e->roc;
}

/* Replay check of index idx against highest hi (seen) in window w of n bits:
 * 0 new or in the window and unseen; PHONESEC_E_REPLAY otherwise. */
static int win_check(const uint64_t *w, uint32_t nbits, int seen, uint64_t hi, uint64_t idx)
{
    uint64_t d;
    if (!seen || idx > hi)
        return 0;
    d = hi - idx;
    if (d >= nbits)
        return PHONESEC_E_REPLAY;
    return (w[d / 64] >> (d % 64)) & 1 ? PHONESEC_E_REPLAY : 0;
}

static void win_add(uint64_t *w, size_t words, uint32_t nbits, int seen, uint64_t hi, uint64_t idx)
{
    if (seen && idx <= hi) {
        uint64_t d = hi - idx;
        w[d / 64] |= (uint64_t)1 << (d % 64);
        return;
    }
    if (!seen || idx - hi >= nbits) {
        memset(w, 0, words * sizeof *w);
    } else {
        /* shift the window by idx - hi bits towards older */
        uint64_t sh = idx - hi;
        size_t ws = (size_t)(sh / 64), bs = (size_t)(sh % 64), i;
        for (i = words; i-- > 0;) {
            uint64_t v = 0;
            if (i >= ws) {
                v = w[i - ws] << bs;
                if (bs != 0 && i - ws >= 1)
                    v |= w[i - ws - 1] >> (64 - bs);
            }
            w[i] = v;
        }
    }
    w[0] |= 1;
}

static nat_ssrc *find_ssrc(nat *s, uint32_t ssrc)
{
    size_t i;
    if (s->last < s->n_ss && s->ss[s->last].ssrc == ssrc)
        return &s->ss[s->last];
    for (i = 0; i < s->n_ss; i++)
        if (s->ss[i].ssrc == ssrc) {
            s->last = i;
            return &s->ss[i];
        }
    return NULL;
}

static nat_ssrc *add_ssrc(nat *s, uint32_t ssrc)
{
    nat_ssrc *e = &s->ss[s->n_ss];
    memset(e, 0, sizeof *e);
    e->ssrc = ssrc;
    e->roc = s->p.roc;
    e->rtp_win = s->win + s->n_ss * ssrc_words(s);
    e->rtcp_win = e->rtp_win + s->win_words;
    memset(e->rtp_win, 0, ssrc_words(s) * sizeof *e->rtp_win);
    s->last = s->n_ss++;
    return e;
}

static size_t rtp_header_len(const uint8_t *p, size_t limit)
{
    size_t n = 12 + 4u * (p[0] & 0x0f);
    if (n > limit)
        return 0;
    if (p[0] & 0x10) {
        if (n + 4 > limit)
            return 0;
        n += 4 + 4u * (((size_t)p[n + 2] << 8) | p[n + 3]);
        if (n > limit)
            return 0;
    }
    return n;
}

static int key_alive(nat *s, size_t idx)
{
    uint64_t life = s->p.keys[idx].lifetime;
    if (life == 0 || s->count[idx] < life)
        return 1;
    if (!(s->expired_logged & (1u << idx))) {
        s->expired_logged |= 1u << idx;
        phonesec__log(PHONESEC_LOG_WARN, MOD, "%s key %zu: lifetime of %llu packets ran out: rekey needed",
                      s->direction == PHONESEC_SRTP_DIR_INBOUND ? "inbound" : "outbound", idx,
                      (unsigned long long)life);
    }
    return 0;
}

/* AES-CM IV (RFC 3711 4.1.1): salt || 0000 XOR SSRC at bytes 4..7 XOR the
 * 48-bit index at bytes 8..13. */
static void cm_iv(uint8_t iv[16], const uint8_t salt[14], uint32_t ssrc, uint64_t index)
{
    int i;
    memcpy(iv, salt, 14);
    iv[14] = iv[15] = 0;
    iv[4] ^= (uint8_t)(ssrc >> 24);
    iv[5] ^= (uint8_t)(ssrc >> 16);
    iv[6] ^= (uint8_t)(ssrc >> 8);
    iv[7] ^= (uint8_t)ssrc;
    for (i = 0; i < 6; i++)
        iv[13 - i] ^= (uint8_t)(index >> (8 * i));
}

/* GCM IV (RFC 7714 8.1 and 9.1): 00 00 || SSRC || ROC || SEQ (RTP) or
 * 00 00 || SSRC || 00 00 || SRTCP index (RTCP), XOR the 12-byte salt. */
static void gcm_iv(uint8_t iv[12], const uint8_t salt[12], uint32_t ssrc, uint32_t hi, uint32_t lo, int rtcp)
{
    uint8_t b[12];
    int i;
    memset(b, 0, sizeof b);
    wr32(b + 2, ssrc);
    if (rtcp) {
        wr32(b + 8, lo);
    } else {
        wr32(b + 6, hi);
        b[10] = (uint8_t)(lo >> 8);
        b[11] = (uint8_t)lo;
    }
    for (i = 0; i < 12; i++)
        iv[i] = (uint8_t)(b[i] ^ salt[i]);
}

/* F8 IVs (RFC 3711 4.1.2.2 and 4.1.2.3): RTP 0x00 || M|PT || SEQ || TS ||
 * SSRC || ROC; SRTCP 0x00000000 || E|index || the first 8 header bytes. */
static void f8_iv_rtp(uint8_t iv[16], const uint8_t *hdr, uint32_t roc)
{
    iv[0] = 0;
    memcpy(iv + 1, hdr + 1, 11);
    wr32(iv + 12, roc);
}

static void f8_iv_rtcp(uint8_t iv[16], const uint8_t *hdr, uint32_t eidx)
{
    memset(iv, 0, 4);
    wr32(iv + 4, eidx);
    memcpy(iv + 8, hdr, 8);
}

/* The payload transform of AES-CM or F8 (both their own inverse). */
static int cm_or_f8_rtp(nat *s, nat_keys *k, const uint8_t *hdrp, uint32_t ssrc, uint64_t index, const uint8_t *in,
                        uint8_t *out, size_t n)
{
    uint8_t iv[16];
    if (s->sd->f8) {
        f8_iv_rtp(iv, hdrp, (uint32_t)(index >> 16));
        return phonesec__aesf8(&k->rtp_c, &k->f8[0], iv, in, out, n);
    }
    cm_iv(iv, k->rtp_salt, ssrc, index);
    return phonesec__aesctr(&k->rtp_c, iv, in, out, n);
}

static int cm_or_f8_rtcp(nat *s, nat_keys *k, const uint8_t *hdrp, uint32_t ssrc, uint32_t eidx, const uint8_t *in,
                         uint8_t *out, size_t n)
{
    uint8_t iv[16];
    if (s->sd->f8) {
        f8_iv_rtcp(iv, hdrp, eidx);
        return phonesec__aesf8(&k->rtcp_c, &k->f8[1], iv, in, out, n);
    }
    cm_iv(iv, k->rtcp_salt, ssrc, eidx & 0x7fffffffu);
    return phonesec__aesctr(&k->rtcp_c, iv, in, out, n);
}

static int find_key_by_mki(const nat *s, const uint8_t *mki, size_t *idx)
{
    size_t i;
    for (i = 0; i < s->p.n_keys; i++)
        if (memcmp(s->p.keys[i].mki, mki, s->mki_len) == 0) {
            *idx = i;
            return 1;
        }
    return 0;
}

/* ---- RTP ------------------------------------------------------------------- */

static int rtp_protect(nat *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t hdr, need, idx = s->active;
    uint32_t ssrc;
    uint16_t seq;
    uint64_t roc, index;
    nat_ssrc *e;
    nat_keys *k;
    int rc;

    if (in_len < 12 || (in[0] >> 6) != 2)
        return phonesec__fail(&s->err, PHONESEC_E_PARSE, "protect: not an RTP packet (%zu bytes)", in_len);
    hdr = rtp_header_len(in, in_len);
    if (hdr == 0)
        return phonesec__fail(&s->err, PHONESEC_E_PARSE, "protect: RTP header (CSRCs, extension) beyond the packet");
    need = in_len + s->rtp_over;
    if (out_cap < need) {
        *out_len = need;
        return phonesec__fail(&s->err, PHONESEC_E_BUFFER_SMALL, "protect: %zu bytes needed, %zu given", need,
                              out_cap);
    }
    if (!key_alive(s, idx))
        return phonesec__fail(&s->err, PHONESEC_E_EXPIRED, "protect: lifetime of master key %zu ran out", idx);
    ssrc = rd32(in + 8);
    seq = (uint16_t)(((unsigned)in[2] << 8) | in[3]);
    e = find_ssrc(s, ssrc);
    if (e == NULL && s->n_ss == PHONESEC_SRTP_MAX_SSRC)
        return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "protect: more than %d SSRCs", PHONESEC_SRTP_MAX_SSRC);
    if (e != NULL) {
        roc = estimate_roc(e, seq);
        if (roc == UINT64_MAX)
            return phonesec__fail(&s->err, PHONESEC_E_REPLAY, "protect: packet older than the replay window");
        if (roc > UINT32_MAX)
            return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "protect: SSRC 0x%08lx is past the last of its 2^48 "
                                  "packet indices (RFC 3711 9.2): a new SSRC is needed", (unsigned long)ssrc);
    } else
        roc = s->p.roc;
    index = (roc << 16) | seq;
    if (e != NULL) {
        rc = win_check(e->rtp_win, s->wsh, e->seen_rtp, ((uint64_t)e->roc << 16) | e->seq, index);
        if (rc != 0)
            return phonesec__fail(&s->err, PHONESEC_E_REPLAY, "protect: packet index already used (keystream "
                                  "reuse refused)");
    }
    k = &s->k[idx];
    if (out != in)
        memmove(out, in, hdr);
    rc = kdr_keys(s, k, 0, index);
    if (rc != 0) {
        /* KDR re-derivation failed: reported as a wolfCrypt failure below */
    } else if (s->sd->gcm) {
        uint8_t iv[12];
        gcm_iv(iv, k->rtp_salt, ssrc, (uint32_t)roc, seq, 0);
        rc = wc_AesGcmEncrypt(&k->rtp_c, out + hdr, in + hdr, (word32)(in_len - hdr), iv, 12, out + in_len, 16,
                              out, (word32)hdr);
        if (rc == 0 && s->mki_len > 0) /* RFC 7714 8.1: the MKI follows the tag */
            memcpy(out + in_len + 16, s->p.keys[idx].mki, s->mki_len);
    } else {
        if (s->rtp_conf) {
            rc = cm_or_f8_rtp(s, k, out, ssrc, index, in + hdr, out + hdr, in_len - hdr);
        } else {
            if (out != in)
                memmove(out + hdr, in + hdr, in_len - hdr);
            rc = 0;
        }
        if (rc == 0 && s->mki_len > 0)
            memcpy(out + in_len, s->p.keys[idx].mki, s->mki_len);
        if (rc == 0 && s->rtp_auth) {
            uint8_t rocb[4], tag[20];
            wr32(rocb, (uint32_t)roc);
            rc = phonesec__hmac1_2(&k->rtp_a, out, in_len, rocb, 4, tag);
            memcpy(out + in_len + s->mki_len, tag, s->rtp_tag);
        }
    }
    if (rc != 0) {
        phonesec_memzero(out, need);
        return phonesec__fail(&s->err, PHONESEC_E_CRYPTO, "protect: wolfCrypt failed");
    }
    if (e == NULL)
        e = add_ssrc(s, ssrc);
    win_add(e->rtp_win, s->win_words, s->wsh, e->seen_rtp, ((uint64_t)e->roc << 16) | e->seq, index);
    if (!e->seen_rtp || index > (((uint64_t)e->roc << 16) | e->seq)) {
        e->roc = (uint32_t)roc;
        e->seq = seq;
        e->seen_rtp = 1;
    }
    s->count[idx]++;
    *out_len = need;
    s->err.code = 0;
    return PHONESEC_OK;
}

static int rtp_unprotect(nat *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t hdr, need, body, idx = 0;
    uint32_t ssrc;
    uint16_t seq;
    uint64_t roc, index;
    nat_ssrc *e, tmp;
    nat_keys *k;
    int rc;

    if (in_len < 12 || (in[0] >> 6) != 2)
        return phonesec__fail(&s->err, PHONESEC_E_PARSE, "unprotect: not an SRTP packet (%zu bytes)", in_len);
    hdr = rtp_header_len(in, in_len >= s->rtp_over ? in_len - s->rtp_over : 0);
    if (hdr == 0)
        return phonesec__fail(&s->err, PHONESEC_E_PARSE, "unprotect: RTP header (CSRCs, extension) beyond the "
                              "authenticated part");
    need = in_len - s->rtp_over;
    if (out_cap < need) {
        *out_len = need;
        return phonesec__fail(&s->err, PHONESEC_E_BUFFER_SMALL, "unprotect: %zu bytes needed, %zu given", need,
                              out_cap);
    }
    if (s->mki_len > 0 && !find_key_by_mki(s, in + need + (s->sd->gcm ? 16 : 0), &idx))
        return phonesec__fail(&s->err, PHONESEC_E_AUTH, "unprotect: unknown MKI");
    if (!key_alive(s, idx))
        return phonesec__fail(&s->err, PHONESEC_E_EXPIRED, "unprotect: lifetime of master key %zu ran out", idx);
    ssrc = rd32(in + 8);
    seq = (uint16_t)(((unsigned)in[2] << 8) | in[3]);
    e = find_ssrc(s, ssrc);
    if (e == NULL && s->n_ss == PHONESEC_SRTP_MAX_SSRC)
        return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "unprotect: more than %d SSRCs", PHONESEC_SRTP_MAX_SSRC);
    if (e == NULL) {
        /* a candidate entry; it joins the table only once a packet authenticates */
        memset(&tmp, 0, sizeof tmp);
        tmp.roc = s->p.roc;
        e = &tmp;
    }
    roc = estimate_roc(e, seq);
    if (roc == UINT64_MAX)
        return phonesec__fail(&s->err, PHONESEC_E_REPLAY, "unprotect: packet older than the replay window");
    if (roc > UINT32_MAX)
        return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "unprotect: SSRC 0x%08lx is past the last of its 2^48 "
                              "packet indices (RFC 3711 9.2): a new SSRC is needed", (unsigned long)ssrc);
    index = (roc << 16) | seq;
    if (e != &tmp && win_check(e->rtp_win, s->wsh, e->seen_rtp, ((uint64_t)e->roc << 16) | e->seq, index) != 0)
        return phonesec__fail(&s->err, PHONESEC_E_REPLAY, "unprotect: packet index already seen (replay) or "
                              "older than the replay window");
    k = &s->k[idx];
    body = need - hdr; /* need excludes tag and MKI */
    rc = kdr_keys(s, k, 0, index);
    if (rc != 0) {
        /* KDR re-derivation failed: reported as a wolfCrypt failure below */
    } else if (s->sd->gcm) {
        uint8_t iv[12];
        gcm_iv(iv, k->rtp_salt, ssrc, (uint32_t)roc, seq, 0);
        rc = wc_AesGcmDecrypt(&k->rtp_c, out + hdr, in + hdr, (word32)body, iv, 12, in + need, 16, in,
                              (word32)hdr);
        if (rc == AES_GCM_AUTH_E) {
            phonesec_memzero(out, need);
            return phonesec__fail(&s->err, PHONESEC_E_AUTH, "unprotect: authentication tag mismatch");
        }
        if (out != in && rc == 0)
            memmove(out, in, hdr);
    } else {
        if (s->rtp_auth) {
            uint8_t rocb[4], tag[20];
            wr32(rocb, (uint32_t)roc);
            rc = phonesec__hmac1_2(&k->rtp_a, in, need, rocb, 4, tag);
            if (rc == 0 && phonesec_ct_memcmp(tag, in + need + s->mki_len, s->rtp_tag) != 0)
                return phonesec__fail(&s->err, PHONESEC_E_AUTH, "unprotect: authentication tag mismatch");
        }
        if (rc == 0) {
            if (out != in)
                memmove(out, in, hdr);
            if (s->rtp_conf)
                rc = cm_or_f8_rtp(s, k, in, ssrc, index, in + hdr, out + hdr, body);
            else if (out != in)
                memmove(out + hdr, in + hdr, body);
        }
    }
    if (rc != 0) {
        phonesec_memzero(out, need);
        return phonesec__fail(&s->err, PHONESEC_E_CRYPTO, "unprotect: wolfCrypt failed");
    }
    if (e == &tmp)
        e = add_ssrc(s, ssrc);
    win_add(e->rtp_win, s->win_words, s->wsh, e->seen_rtp, ((uint64_t)e->roc << 16) | e->seq, index);
    if (!e->seen_rtp || index > (((uint64_t)e->roc << 16) | e->seq)) {
        e->roc = (uint32_t)roc;
        e->seq = seq;
        e->seen_rtp = 1;
    }
    s->count[idx]++;
    *out_len = need;
    s->err.code = 0;
    return PHONESEC_OK;
}

/* ---- RTCP ------------------------------------------------------------------ */

/* SRTCP layout: AES-CM: header || payload || E|index || MKI || tag;
 * GCM (RFC 7714 9): header || payload || tag || E|index (no MKI here). */
/* Authentication-only SRTCP with GCM (RFC 7714 9.2): a GMAC over aad (the
 * packet and E|index), computed (verify 0) or checked (verify 1) with a
 * fresh Aes object keyed from the SRTCP session key. Not the session's own
 * object: wolfSSL 5.5.4 on big-endian CPUs gives a wrong tag for a GMAC (no
 * plaintext) on an object that computed a GMAC over a whole number of
 * blocks before (found on s390x; the encrypting calls are not affected).
 * SRTCP is a few packets per second, so the key set-up per packet is cheap. */
static int rtcp_gmac(const nat *s, const nat_keys *k, const uint8_t iv[12], const uint8_t *aad, size_t n,
                     uint8_t tag[16], int verify)
{
    Aes a;
    int rc = wc_AesInit(&a, NULL, INVALID_DEVID);
    if (rc == 0) {
        rc = wc_AesGcmSetKey(&a, k->rtcp_gk, (word32)s->sd->key_len);
        if (rc == 0)
            rc = verify ? wc_AesGcmDecrypt(&a, NULL, NULL, 0, iv, 12, tag, 16, aad, (word32)n)
                        : wc_AesGcmEncrypt(&a, NULL, NULL, 0, iv, 12, tag, 16, aad, (word32)n);
        wc_AesFree(&a);
    }
    phonesec_memzero(&a, sizeof a);
    return rc;
}

static int rtcp_protect(nat *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t need = in_len + s->rtcp_over, idx = s->active;
    uint32_t ssrc, index, eidx;
    nat_ssrc *e;
    nat_keys *k;
    int rc;

    if (in_len < 8 || (in[0] >> 6) != 2)
        return phonesec__fail(&s->err, PHONESEC_E_PARSE, "protect_rtcp: not an RTCP packet (%zu bytes)", in_len);
    if (out_cap < need) {
        *out_len = need;
        return phonesec__fail(&s->err, PHONESEC_E_BUFFER_SMALL, "protect_rtcp: %zu bytes needed, %zu given", need,
                              out_cap);
    }
    if (!key_alive(s, idx))
        return phonesec__fail(&s->err, PHONESEC_E_EXPIRED, "protect_rtcp: lifetime of master key %zu ran out",
                              idx);
    ssrc = rd32(in + 4);
    e = find_ssrc(s, ssrc);
    if (e == NULL && s->n_ss == PHONESEC_SRTP_MAX_SSRC)
        return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "protect_rtcp: more than %d SSRCs",
                              PHONESEC_SRTP_MAX_SSRC);
    if (e != NULL && e->seen_rtcp && e->rtcp_hi >= RTCP_MAX_INDEX)
        return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "protect_rtcp: SSRC 0x%08lx used the last of its 2^31 "
                              "SRTCP indices (RFC 3711 9.2): a new SSRC is needed", (unsigned long)ssrc);
    /* the first SRTCP packet of an SSRC has index 1, as libsrtp2 sends */
    index = e != NULL && e->seen_rtcp ? e->rtcp_hi + 1 : 1;
    eidx = index | (s->rtcp_conf ? 0x80000000u : 0);
    k = &s->k[idx];
    if (out != in)
        memmove(out, in, in_len);
    rc = kdr_keys(s, k, 1, index);
    if (rc != 0) {
        /* KDR re-derivation failed: reported as a wolfCrypt failure below */
    } else if (s->sd->gcm) {
        uint8_t iv[12], aad[8 + 4];
        gcm_iv(iv, k->rtcp_salt, ssrc, 0, index, 1);
        if (s->rtcp_conf) {
            memcpy(aad, in, 8);
            wr32(aad + 8, eidx);
            rc = wc_AesGcmEncrypt(&k->rtcp_c, out + 8, in + 8, (word32)(in_len - 8), iv, 12, out + in_len, 16, aad,
                                  sizeof aad);
        } else {
            /* authentication only: the whole packet and E|index are the
             * AAD, made contiguous by writing E|index right after the
             * packet for one GMAC (rtcp_gmac); the tag then takes that
             * place and E|index moves behind it */
            uint8_t tag[16];
            wr32(out + in_len, eidx);
            rc = rtcp_gmac(s, k, iv, out, in_len + 4, tag, 0);
            if (rc == 0)
                memcpy(out + in_len, tag, 16);
        }
        if (rc == 0)
            wr32(out + in_len + 16, eidx);
        if (rc == 0 && s->mki_len > 0) /* RFC 7714 9.1: the MKI follows E|index */
            memcpy(out + in_len + 20, s->p.keys[idx].mki, s->mki_len);
    } else {
        if (s->rtcp_conf)
            rc = cm_or_f8_rtcp(s, k, in, ssrc, eidx, in + 8, out + 8, in_len - 8);
        if (rc == 0) {
            uint8_t tag[20];
            wr32(out + in_len, eidx);
            if (s->mki_len > 0)
                memcpy(out + in_len + 4, s->p.keys[idx].mki, s->mki_len);
            rc = phonesec__hmac1_2(&k->rtcp_a, out, in_len + 4, NULL, 0, tag);
            memcpy(out + in_len + 4 + s->mki_len, tag, s->rtcp_tag);
        }
    }
    if (rc != 0) {
        phonesec_memzero(out, need);
        return phonesec__fail(&s->err, PHONESEC_E_CRYPTO, "protect_rtcp: wolfCrypt failed");
    }
    if (e == NULL)
        e = add_ssrc(s, ssrc);
    e->rtcp_hi = index;
    e->seen_rtcp = 1;
    s->count[idx]++;
    *out_len = need;
    s->err.code = 0;
    return PHONESEC_OK;
}

static int rtcp_unprotect(nat *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t need, idx = 0, body;
    uint32_t ssrc, eidx, index;
    nat_ssrc *e;
    nat_keys *k;
    const uint8_t *ep;
    int rc, enc;

    if (in_len < 8 + s->rtcp_over || (in[0] >> 6) != 2)
        return phonesec__fail(&s->err, PHONESEC_E_PARSE, "unprotect_rtcp: not an SRTCP packet (%zu bytes)", in_len);
    need = in_len - s->rtcp_over;
    if (out_cap < need) {
        *out_len = need;
        return phonesec__fail(&s->err, PHONESEC_E_BUFFER_SMALL, "unprotect_rtcp: %zu bytes needed, %zu given",
                              need, out_cap);
    }
    if (s->mki_len > 0 && !find_key_by_mki(s, in + need + (s->sd->gcm ? 20 : 4), &idx))
        return phonesec__fail(&s->err, PHONESEC_E_AUTH, "unprotect_rtcp: unknown MKI");
    if (!key_alive(s, idx))
        return phonesec__fail(&s->err, PHONESEC_E_EXPIRED, "unprotect_rtcp: lifetime of master key %zu ran out",
                              idx);
    ssrc = rd32(in + 4);
    e = find_ssrc(s, ssrc);
    if (e == NULL && s->n_ss == PHONESEC_SRTP_MAX_SSRC)
        return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "unprotect_rtcp: more than %d SSRCs",
                              PHONESEC_SRTP_MAX_SSRC);
    ep = s->sd->gcm ? in + need + 16 : in + need;
    eidx = rd32(ep);
    enc = (eidx >> 31) != 0;
    index = eidx & 0x7fffffffu;
    if (e != NULL && win_check(e->rtcp_win, RTCP_WIN, e->seen_rtcp, e->rtcp_hi, index) != 0)
        return phonesec__fail(&s->err, PHONESEC_E_REPLAY, "unprotect_rtcp: SRTCP index already seen (replay) or "
                              "older than the replay window");
    k = &s->k[idx];
    body = need - 8;
    rc = kdr_keys(s, k, 1, index);
    if (rc != 0) {
        /* KDR re-derivation failed: reported as a wolfCrypt failure below */
    } else if (s->sd->gcm) {
        uint8_t iv[12];
        gcm_iv(iv, k->rtcp_salt, ssrc, 0, index, 1);
        if (enc) {
            uint8_t aad[12];
            memcpy(aad, in, 8);
            wr32(aad + 8, eidx);
            rc = wc_AesGcmDecrypt(&k->rtcp_c, out + 8, in + 8, (word32)body, iv, 12, in + need, 16, aad, sizeof aad);
            if (rc == 0 && out != in)
                memmove(out, in, 8);
        } else {
            /* authentication only: AAD = packet || E|index, made contiguous
             * for one GMAC (rtcp_gmac) in out when it has room (in place it
             * always has), else on the stack */
            uint8_t tag[16], e4[4], stack_aad[2048], *aad;
            memcpy(tag, in + need, 16);
            memcpy(e4, ep, 4);
            if (out == in || out_cap >= need + 4) {
                aad = out;
                if (out != in)
                    memmove(out, in, need);
            } else if (need + 4 <= sizeof stack_aad) {
                aad = stack_aad;
                memcpy(aad, in, need);
            } else {
                *out_len = need + 4;
                return phonesec__fail(&s->err, PHONESEC_E_BUFFER_SMALL, "unprotect_rtcp: %zu bytes needed for "
                                      "authentication-only SRTCP of this size, %zu given", need + 4, out_cap);
            }
            memcpy(aad + need, e4, 4);
            rc = rtcp_gmac(s, k, iv, aad, need + 4, tag, 1);
            if (aad == stack_aad) {
                if (rc == 0)
                    memcpy(out, in, need);
                phonesec_memzero(stack_aad, need + 4);
            }
        }
        if (rc == AES_GCM_AUTH_E) {
            phonesec_memzero(out, need);
            return phonesec__fail(&s->err, PHONESEC_E_AUTH, "unprotect_rtcp: authentication tag mismatch");
        }
    } else {
        uint8_t tag[20];
        rc = phonesec__hmac1_2(&k->rtcp_a, in, need + 4, NULL, 0, tag);
        if (rc == 0 && phonesec_ct_memcmp(tag, in + need + 4 + s->mki_len, s->rtcp_tag) != 0)
            return phonesec__fail(&s->err, PHONESEC_E_AUTH, "unprotect_rtcp: authentication tag mismatch");
        if (rc == 0) {
            if (out != in)
                memmove(out, in, 8);
            if (enc)
                rc = cm_or_f8_rtcp(s, k, in, ssrc, eidx, in + 8, out + 8, body);
            else if (out != in)
                memmove(out + 8, in + 8, body);
        }
    }
    if (rc != 0) {
        phonesec_memzero(out, need);
        return phonesec__fail(&s->err, PHONESEC_E_CRYPTO, "unprotect_rtcp: wolfCrypt failed");
    }
    if (s->rtcp_conf && !enc) {
        /* authentic but sent in clear while we require encryption */
        phonesec_memzero(out, need);
        return phonesec__fail(&s->err, PHONESEC_E_AUTH, "unprotect_rtcp: unencrypted SRTCP (E flag 0) where "
                              "encryption was negotiated");
    }
    if (e == NULL)
        e = add_ssrc(s, ssrc);
    win_add(e->rtcp_win, RTCP_WIN / 64, RTCP_WIN, e->seen_rtcp, e->rtcp_hi, index);
    if (!e->seen_rtcp || index > e->rtcp_hi) {
        e->rtcp_hi = index;
        e->seen_rtcp = 1;
    }
    s->count[idx]++;
    *out_len = need;
    s->err.code = 0;
    return PHONESEC_OK;
}

/* Test hook: move the SRTCP index of an SSRC the session knows (to reach
 * the 2^31 limit without sending 2^31 packets). */
int phonesec__srtp_nat_test_set_rtcp_index(phonesec_srtp *ps, uint32_t ssrc, uint32_t index)
{
    nat *s = S(ps);
    nat_ssrc *e = s != NULL ? find_ssrc(s, ssrc) : NULL;
    if (e == NULL)
        return PHONESEC_E_NOT_FOUND;
    e->rtcp_hi = index;
    e->seen_rtcp = 1;
    return PHONESEC_OK;
}

/* Test hook: replace the session keys of key 0 for RTP (rtcp 0) or SRTCP
 * (rtcp 1) with given ones, to run vectors that give session keys (RFC 3711
 * B.1, RFC 7714 16-17). The salt may be shorter than the suite's (F8's B.1
 * salt is 4 bytes; m pads it with 0x55). KDR sessions are refused. */
int phonesec__srtp_nat_test_set_keys(phonesec_srtp *ps, int rtcp, const uint8_t *key, size_t key_len,
                                     const uint8_t *salt, size_t salt_len)
{
    nat *s = S(ps);
    nat_keys *k;
    Aes *c;
    int rc;
    if (s == NULL || s->p.kdr != 0 || key_len != s->sd->key_len || salt_len > s->sd->salt_len)
        return PHONESEC_E_INVAL;
    k = &s->k[0];
    c = rtcp ? &k->rtcp_c : &k->rtp_c;
    memset(rtcp ? k->rtcp_salt : k->rtp_salt, 0, 14);
    memcpy(rtcp ? k->rtcp_salt : k->rtp_salt, salt, salt_len);
    if (s->sd->gcm)
        rc = wc_AesGcmSetKey(c, key, (word32)key_len) == 0 ? 0 : -1;
    else if (s->sd->f8)
        rc = phonesec__aesf8_init(c, &k->f8[rtcp ? 1 : 0], key, key_len, salt, salt_len);
    else
        rc = wc_AesSetKey(c, key, (word32)key_len, NULL, AES_ENCRYPTION) == 0 ? 0 : -1;
    return rc == 0 ? PHONESEC_OK : PHONESEC_E_CRYPTO;
}

/* ---- entry points ---------------------------------------------------------- */

static int entry(nat *s, int rtcp, int protect, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                 size_t *out_len)
{
    const char *what = rtcp ? (protect ? "protect_rtcp" : "unprotect_rtcp") : (protect ? "protect" : "unprotect");
    size_t over;
    int rc;
    if (s == NULL)
        return PHONESEC_E_INVAL;
    if (in == NULL || out == NULL || out_len == NULL)
        return phonesec__fail(&s->err, PHONESEC_E_INVAL, "%s: NULL buffer", what);
    if (s->direction != (protect ? PHONESEC_SRTP_DIR_OUTBOUND : PHONESEC_SRTP_DIR_INBOUND))
        return phonesec__fail(&s->err, PHONESEC_E_STATE, "%s on an %s session", what,
                              protect ? "inbound" : "outbound");
    over = rtcp ? s->rtcp_over : s->rtp_over;
    if (in_len > (size_t)0x7fffffff - over)
        return phonesec__fail(&s->err, PHONESEC_E_INVAL, "%s: packet of %zu bytes too large", what, in_len);
    /* in and out may be the same buffer; partial overlap is not supported */
    if (rtcp)
        rc = protect ? rtcp_protect(s, in, in_len, out, out_cap, out_len)
                     : rtcp_unprotect(s, in, in_len, out, out_cap, out_len);
    else
        rc = protect ? rtp_protect(s, in, in_len, out, out_cap, out_len)
                     : rtp_unprotect(s, in, in_len, out, out_cap, out_len);
    if (rc != PHONESEC_OK && rc != PHONESEC_E_BUFFER_SMALL) {
        /* no partial output: the bytes the call could have used are zeroed */
        size_t n = protect ? in_len + over : in_len;
        phonesec_memzero(out, n < out_cap ? n : out_cap);
    }
    return rc;
}

int phonesec__srtp_nat_protect(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    return entry(S(s), 0, 1, in, in_len, out, out_cap, out_len);
}

int phonesec__srtp_nat_unprotect(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    return entry(S(s), 0, 0, in, in_len, out, out_cap, out_len);
}

int phonesec__srtp_nat_protect_rtcp(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out,
                                    size_t out_cap, size_t *out_len)
{
    return entry(S(s), 1, 1, in, in_len, out, out_cap, out_len);
}

int phonesec__srtp_nat_unprotect_rtcp(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out,
                                      size_t out_cap, size_t *out_len)
{
    return entry(S(s), 1, 0, in, in_len, out, out_cap, out_len);
}

int phonesec__srtp_nat_get_roc(const phonesec_srtp *ps, uint32_t ssrc, uint32_t *roc)
{
    const nat *s = CS(ps);
    size_t i;
    if (s == NULL || roc == NULL)
        return PHONESEC_E_INVAL;
    for (i = 0; i < s->n_ss; i++)
        if (s->ss[i].ssrc == ssrc) {
            *roc = s->ss[i].roc;
            return PHONESEC_OK;
        }
    return PHONESEC_E_NOT_FOUND;
}

int phonesec__srtp_nat_get_info(const phonesec_srtp *ps, phonesec_srtp_info *out)
{
    /* Sizes of phonesec_srtp_info by struct version (sizes[0]: 1.0, forever). */
    static const size_t sizes[PHONESEC_SRTP_INFO_VERSION] = {sizeof(phonesec_srtp_info)};
    phonesec_srtp_info full, *info = &full;
    const nat *s = CS(ps);
    if (s == NULL || out == NULL || out->version == 0)
        return PHONESEC_E_INVAL;
    memset(info, 0, sizeof *info);
    info->version = PHONESEC_SRTP_INFO_VERSION;
    info->suite = s->sd->suite;
    info->suite_name = s->sd->name;
    info->direction = s->direction;
    info->flags = s->p.flags;
    info->rtp_encrypted = s->rtp_conf;
    info->rtp_authenticated = s->rtp_auth;
    info->rtcp_encrypted = s->rtcp_conf;
    info->rtp_tag_len = s->rtp_tag;
    info->rtcp_tag_len = s->rtcp_tag;
    info->rtp_overhead = s->rtp_over;
    info->rtcp_overhead = s->rtcp_over;
    info->n_keys = s->p.n_keys;
    info->active_key = s->active;
    info->packets = s->count[s->active];
    info->lifetime = s->p.keys[s->active].lifetime;
    info->expired = info->lifetime != 0 && info->packets >= info->lifetime;
    info->n_ssrc = s->n_ss;
    /* only as many bytes as the caller's version has */
    return phonesec__struct_out(out, &full, sizes, PHONESEC_SRTP_INFO_VERSION);
}

int phonesec__srtp_nat_last_error(const phonesec_srtp *ps, char *buf, size_t cap)
{
    const nat *s = CS(ps);
    if (s == NULL)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&s->err, buf, cap);
}
