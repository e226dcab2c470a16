/*
 * libphonesec - SRTP sessions on libsrtp2 (2.x API).
 * SPDX-License-Identifier: MIT
 *
 * One phonesec_srtp is one direction. It owns a libsrtp2 session whose
 * template policy is never used for packets: every SSRC gets a specific
 * stream that this file adds itself, so that the rollover counter can be
 * set before its first packet (params->roc, or the counter reached before a
 * rekey) and so that a forged inbound packet never leaves a stream behind.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <string.h>

#include <srtp2/srtp.h>

#include "core/internal.h"
#include "phonesec/srtp.h"
#include "srtp/engine.h"

#define MOD "srtp"
#define KEYBUF_LEN (PHONESEC_SRTP_MAX_KEY_LEN + PHONESEC_SRTP_MAX_SALT_LEN)

typedef phonesec__srtp_suite suite_desc;
#define find_suite phonesec__srtp_find_suite

/* Everything derived from one set of parameters. Heap-allocated because the
 * libsrtp2 policy points into it (keys), and it must stay put while streams
 * are added. */
typedef struct keyset {
    phonesec_srtp_params p;
    const suite_desc *sd;
    srtp_policy_t pol;
    srtp_master_key_t mk[PHONESEC_SRTP_MAX_KEYS];
    srtp_master_key_t *mkp[PHONESEC_SRTP_MAX_KEYS];
    uint8_t keybuf[PHONESEC_SRTP_MAX_KEYS][KEYBUF_LEN];
    size_t rtp_tag, rtcp_tag, mki_len, rtp_over, rtcp_over;
    int rtp_conf, rtp_auth, rtcp_conf;
} keyset;

typedef struct ssrc_ent {
    uint32_t ssrc;
    uint32_t roc;      /* highest index seen: roc << 16 | seq */
    uint16_t seq;
    uint8_t have_stream;
    uint8_t seen_rtp;
} ssrc_ent;

struct phonesec_srtp {
    phonesec__err err;
    srtp_t ctx;
    keyset *ks;
    int direction;
    unsigned opts;
    size_t active;
    uint64_t count[PHONESEC_SRTP_MAX_KEYS];
    unsigned expired_logged;
    ssrc_ent ss[PHONESEC_SRTP_MAX_SSRC];
    size_t n_ss;
    size_t last;
    uint8_t *work;
};

/* ---- libsrtp2 global initialisation ---------------------------------- */

static pthread_once_t g_srtp_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t g_srtp_init_status = srtp_err_status_init_fail;

static int g_lsw_status;

static void do_srtp_init(void)
{
    g_srtp_init_status = srtp_init();
    if (g_srtp_init_status == srtp_err_status_ok)
        g_lsw_status = phonesec__srtp_lsw_install();
}

static int ensure_srtp_init(phonesec__err *err)
{
    if (pthread_once(&g_srtp_once, do_srtp_init) != 0)
        return phonesec__fail(err, PHONESEC_E_CRYPTO, "pthread_once failed");
    if (g_srtp_init_status != srtp_err_status_ok)
        return phonesec__fail(err, PHONESEC_E_CRYPTO, "srtp_init failed (libsrtp2 status %d)",
                              (int)g_srtp_init_status);
    if (g_lsw_status != 0)
        return phonesec__fail(err, PHONESEC_E_CRYPTO, "libsrtp2 refused the wolfCrypt primitives (known-answer "
                              "test failed, code %d)", g_lsw_status);
    return PHONESEC_OK;
}

/* libsrtp2 up to at least 2.5 derives AES-192 session keys with an AES-256
 * PRF (cisco/libsrtp#763), so its AES_192_CM suites do not interoperate with
 * RFC 6188 peers. Check once, against RFC 6188 7.4, and decline the 192-bit
 * suites while the linked libsrtp2 gets it wrong. The expected packet was
 * built from the RFC's derived session keys (header 800f1234decafbadcafebabe,
 * 16 bytes 0xab, ROC 0). */
static pthread_once_t g_aes192_once = PTHREAD_ONCE_INIT;
static int g_aes192_ok;

static void do_aes192_check(void)
{
    static const uint8_t keysalt[38] = {
        0x73, 0xed, 0xc6, 0x6c, 0x4f, 0xa1, 0x57, 0x76, 0xfb, 0x57, 0xf9, 0x50, 0x5c, 0x17, 0x13, 0x65,
        0x50, 0xff, 0xda, 0x71, 0xf3, 0xe8, 0xe5, 0xf1, 0xc8, 0x52, 0x2f, 0x3a, 0xcd, 0x4c, 0xe8, 0x6d,
        0x5a, 0xdd, 0x78, 0xed, 0xbb, 0x11};
    static const uint8_t expect[38] = {
        0x80, 0x0f, 0x12, 0x34, 0xde, 0xca, 0xfb, 0xad, 0xca, 0xfe, 0xba, 0xbe, 0x1e, 0x84, 0xe1, 0x39,
        0x5a, 0x55, 0xcc, 0x6c, 0xd7, 0xb8, 0x0d, 0xb9, 0x39, 0xa8, 0x3a, 0x78, 0xe3, 0xe7, 0xe1, 0x0b,
        0xf5, 0x79, 0xc2, 0x61, 0xe5, 0xc6};
    uint8_t key[38], pkt[64];
    srtp_policy_t pol;
    srtp_t ctx = NULL;
    int len = 28;

    memcpy(key, keysalt, sizeof key);
    memset(&pol, 0, sizeof pol);
    srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&pol.rtp);
    srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(&pol.rtcp);
    pol.ssrc.type = ssrc_specific;
    pol.ssrc.value = 0xcafebabe;
    pol.key = key;
    pol.window_size = 64;
    memcpy(pkt, expect, 12);
    memset(pkt + 12, 0xab, 16);
    g_aes192_ok = srtp_create(&ctx, &pol) == srtp_err_status_ok && srtp_protect(ctx, pkt, &len) == srtp_err_status_ok &&
                  len == (int)sizeof expect && memcmp(pkt, expect, sizeof expect) == 0;
    if (ctx != NULL)
        srtp_dealloc(ctx);
}

static int aes192_compliant(void)
{
    if (pthread_once(&g_aes192_once, do_aes192_check) != 0)
        return 0;
    return g_aes192_ok;
}

/* ---- suites ------------------------------------------------------------ */

int phonesec__srtp_lib_suite_supported(int suite)
{
    const suite_desc *sd = find_suite(suite);
    int rc;
    if (sd == NULL || suite == PHONESEC_SRTP_SUITE_NONE)
        return PHONESEC_E_INVAL;
    if (suite == PHONESEC_SRTP_F8_128_HMAC_SHA1_80)
        return PHONESEC_E_UNSUPPORTED;
    rc = ensure_srtp_init(NULL);
    if (rc != PHONESEC_OK)
        return rc;
    if (sd->bits == 192 && !sd->gcm && !aes192_compliant())
        return PHONESEC_E_UNSUPPORTED;
    return PHONESEC_OK;
}

int phonesec__srtp_lib_supports(int suite, unsigned flags, unsigned features)
{
    const suite_desc *sd = find_suite(suite);
    if (sd == NULL)
        return PHONESEC_E_INVAL;
    if (features & PHONESEC_SRTP_FEAT_KDR)
        return PHONESEC_E_UNSUPPORTED; /* libsrtp2 derives session keys once */
    /* the MKI rules of build_keyset() below */
    if ((features & PHONESEC_SRTP_FEAT_MKI) &&
        (sd->gcm || (sd->tag32 && !(flags & PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT)) ||
         (flags & PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP)))
        return PHONESEC_E_UNSUPPORTED;
    return PHONESEC_OK;
}

/* ---- building a libsrtp2 policy ---------------------------------------- */

static void set_cm(srtp_crypto_policy_t *c, int bits, int tag32)
{
    switch (bits) {
    case 192:
        if (tag32)
            srtp_crypto_policy_set_aes_cm_192_hmac_sha1_32(c);
        else
            srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(c);
        break;
    case 256:
        if (tag32)
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(c);
        else
            srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(c);
        break;
    default:
        if (tag32)
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(c);
        else
            srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(c);
        break;
    }
}

static void set_null(srtp_crypto_policy_t *c, int tag32)
{
    srtp_crypto_policy_set_null_cipher_hmac_sha1_80(c);
    if (tag32)
        c->auth_tag_len = 4;
}

#define ALL_FLAGS (PHONESEC_SRTP_F_UNENCRYPTED_SRTP | PHONESEC_SRTP_F_UNENCRYPTED_SRTCP | \
                   PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP | PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT)

/* Validate params and fill ks (allocated by the caller). */
static int build_keyset(phonesec__err *err, keyset *ks, const phonesec_srtp_params *p, unsigned opts)
{
    const suite_desc *sd;
    size_t i, j;
    srtp_policy_t *pol = &ks->pol;

    if (!PHONESEC__VERSION_OK(p->version, PHONESEC_SRTP_PARAMS_VERSION))
        return phonesec__fail(err, PHONESEC_E_INVAL, "params version %u, this library knows 1..%u", p->version,
                              (unsigned)PHONESEC_SRTP_PARAMS_VERSION);
    sd = find_suite(p->suite);
    if (sd == NULL)
        return phonesec__fail(err, PHONESEC_E_INVAL, "unknown suite number %d", p->suite);
    if (p->suite == PHONESEC_SRTP_F8_128_HMAC_SHA1_80)
        return phonesec__fail(err, PHONESEC_E_UNSUPPORTED, "%s: libsrtp2 has no AES-F8", sd->name);
    if (sd->bits == 192 && !sd->gcm && !aes192_compliant())
        return phonesec__fail(err, PHONESEC_E_UNSUPPORTED, "%s: the linked libsrtp2 %s derives AES-192 keys "
                              "against RFC 6188 (cisco/libsrtp#763), so peers could not decrypt", sd->name,
                              srtp_get_version_string());
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
    if (p->kdr != 0)
        return phonesec__fail(err, PHONESEC_E_UNSUPPORTED, "KDR=%u: libsrtp2 derives session keys once "
                              "only (no key derivation rate)", (unsigned)p->kdr);
    if (p->wsh != 0 && p->wsh < 64)
        return phonesec__fail(err, PHONESEC_E_INVAL, "WSH=%u below RFC 4568's minimum 64", (unsigned)p->wsh);
    if (p->wsh > 0x7fff)
        return phonesec__fail(err, PHONESEC_E_UNSUPPORTED, "WSH=%u above libsrtp2's limit 32767",
                              (unsigned)p->wsh);
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

    /* libsrtp2 2.5 finds the MKI of an SRTCP packet using the SRTP tag
     * length, so it cannot unprotect SRTCP when the two tags differ. */
    if (p->keys[0].mki_len > 0 &&
        ((sd->tag32 && !(p->flags & PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT)) ||
         (p->flags & PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP)))
        return phonesec__fail(err, PHONESEC_E_UNSUPPORTED, "MKI with SRTP and SRTCP tags of different lengths "
                              "(%s%s): libsrtp2 misplaces the SRTCP MKI", sd->name,
                              (p->flags & PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP) ? ", UNAUTHENTICATED_SRTP" : "");

    /* libsrtp2 2.5 cannot find the MKI of an AEAD (GCM) packet, not even one
     * it protected itself: its own round trip fails with "unknown MKI". */
    if (p->keys[0].mki_len > 0 && sd->gcm)
        return phonesec__fail(err, PHONESEC_E_UNSUPPORTED, "MKI with %s: libsrtp2 cannot find the MKI of an "
                              "AEAD packet", sd->name);

    memset(ks, 0, sizeof *ks);
    ks->p = *p;
    ks->sd = sd;
    ks->mki_len = p->keys[0].mki_len;

    /* RTP */
    if (sd->gcm) {
        if (sd->bits == 256) {
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtp);
            srtp_crypto_policy_set_aes_gcm_256_16_auth(&pol->rtcp);
        } else {
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtcp);
        }
    } else if (sd->null_cipher) {
        set_null(&pol->rtp, sd->tag32);
        /* RFC 4568: SRTCP keeps the 80-bit tag with _32 suites */
        set_null(&pol->rtcp, sd->tag32 && (p->flags & PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT));
    } else {
        set_cm(&pol->rtp, sd->bits, sd->tag32);
        set_cm(&pol->rtcp, sd->bits, sd->tag32 && (p->flags & PHONESEC_SRTP_F_SRTCP_TAG32_COMPAT));
    }
    {
        int conf = !sd->null_cipher && !(p->flags & PHONESEC_SRTP_F_UNENCRYPTED_SRTP);
        int auth = !(p->flags & PHONESEC_SRTP_F_UNAUTHENTICATED_SRTP);
        pol->rtp.sec_serv = (srtp_sec_serv_t)((conf ? sec_serv_conf : 0) | (auth ? sec_serv_auth : 0));
        if (!auth) {
            /* libsrtp2 2.5 strips the tag length on unprotect even without
             * sec_serv_auth: make the tag really empty. */
            srtp_crypto_policy_t na;
            srtp_crypto_policy_set_aes_cm_128_null_auth(&na);
            pol->rtp.auth_type = na.auth_type;
            pol->rtp.auth_key_len = na.auth_key_len;
            pol->rtp.auth_tag_len = na.auth_tag_len;
        }
        ks->rtp_conf = conf;
        ks->rtp_auth = auth;
    }
    ks->rtcp_conf = !sd->null_cipher && !(p->flags & PHONESEC_SRTP_F_UNENCRYPTED_SRTCP);
    pol->rtcp.sec_serv = ks->rtcp_conf ? sec_serv_conf_and_auth : sec_serv_auth;

    ks->rtp_tag = ks->rtp_auth ? (size_t)pol->rtp.auth_tag_len : 0;
    ks->rtcp_tag = (size_t)pol->rtcp.auth_tag_len;
    ks->rtp_over = ks->rtp_tag + ks->mki_len;
    ks->rtcp_over = 4 + ks->rtcp_tag + ks->mki_len;

    for (i = 0; i < p->n_keys; i++) {
        memcpy(ks->keybuf[i], p->keys[i].key, sd->key_len);
        memcpy(ks->keybuf[i] + sd->key_len, p->keys[i].salt, sd->salt_len);
        ks->mk[i].key = ks->keybuf[i];
        ks->mk[i].mki_id = ks->p.keys[i].mki;
        ks->mk[i].mki_size = (unsigned)ks->mki_len;
        ks->mkp[i] = &ks->mk[i];
    }
    if (ks->mki_len > 0) {
        pol->key = NULL;
        pol->keys = ks->mkp;
        pol->num_master_keys = p->n_keys;
    } else {
        pol->key = ks->keybuf[0];
    }
    pol->ssrc.type = ssrc_undefined;
    pol->window_size = p->wsh != 0 ? p->wsh : 64;
    pol->allow_repeat_tx = 0;
    pol->next = NULL;
    return PHONESEC_OK;
}

static void keyset_free(keyset *ks)
{
    phonesec__free_secret(ks, sizeof *ks);
}

static int map_status(phonesec__err *err, srtp_err_status_t st, const char *what)
{
    switch (st) {
    case srtp_err_status_ok:
        return PHONESEC_OK;
    case srtp_err_status_auth_fail:
        return phonesec__fail(err, PHONESEC_E_AUTH, "%s: authentication tag mismatch", what);
    case srtp_err_status_bad_mki:
        return phonesec__fail(err, PHONESEC_E_AUTH, "%s: unknown MKI", what);
    case srtp_err_status_replay_fail:
        return phonesec__fail(err, PHONESEC_E_REPLAY, "%s: packet index already seen (replay)", what);
    case srtp_err_status_replay_old:
        return phonesec__fail(err, PHONESEC_E_REPLAY, "%s: packet older than the replay window", what);
    case srtp_err_status_key_expired:
        return phonesec__fail(err, PHONESEC_E_EXPIRED, "%s: libsrtp2 key usage limit reached", what);
    case srtp_err_status_alloc_fail:
        return phonesec__fail(err, PHONESEC_E_NOMEM, "%s: libsrtp2 out of memory", what);
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
        return phonesec__fail(err, PHONESEC_E_PARSE, "%s: malformed packet", what);
    default:
        return phonesec__fail(err, PHONESEC_E_CRYPTO, "%s: libsrtp2 status %d", what, (int)st);
    }
}

static int make_ctx(phonesec__err *err, keyset *ks, srtp_t *ctx)
{
    srtp_policy_t pol = ks->pol;
    srtp_err_status_t st;
    /* The template is never used for packets (see the top of this file); it
     * only validates the policy now. */
    pol.ssrc.type = ssrc_any_inbound;
    (void)phonesec__srtp_lsw_alloc_failed(1);
    st = srtp_create(ctx, &pol);
    if (st != srtp_err_status_ok) {
        *ctx = NULL;
        if (st == srtp_err_status_alloc_fail || phonesec__srtp_lsw_alloc_failed(1))
            return phonesec__fail(err, PHONESEC_E_NOMEM, "srtp_create: out of memory");
        return phonesec__fail(err, PHONESEC_E_CRYPTO, "srtp_create refused %s (libsrtp2 status %d)",
                              ks->sd->name, (int)st);
    }
    return PHONESEC_OK;
}

int phonesec__srtp_lib_new(const phonesec_srtp_params *params, int direction, unsigned opts, phonesec_srtp **out)
{
    phonesec_srtp *s;
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
    rc = ensure_srtp_init(&s->err);
    if (rc != PHONESEC_OK)
        goto fail;
    s->ks = phonesec__malloc(sizeof *s->ks);
    if (s->ks == NULL) {
        rc = PHONESEC_E_NOMEM;
        goto fail;
    }
    rc = build_keyset(&s->err, s->ks, params, opts);
    if (rc != PHONESEC_OK)
        goto fail;
    if (direction == PHONESEC_SRTP_DIR_INBOUND) {
        s->work = phonesec__malloc(PHONESEC_SRTP_WORK_BUF);
        if (s->work == NULL) {
            rc = PHONESEC_E_NOMEM;
            goto fail;
        }
    }
    rc = make_ctx(&s->err, s->ks, &s->ctx);
    if (rc != PHONESEC_OK)
        goto fail;
    phonesec__log(PHONESEC_LOG_DEBUG, MOD, "%s session %s, %zu key(s), MKI %zu bytes",
                  direction == PHONESEC_SRTP_DIR_INBOUND ? "inbound" : "outbound", s->ks->sd->name,
                  params->n_keys, s->ks->mki_len);
    phonesec__err_clear(&s->err);
    *out = s;
    return PHONESEC_OK;
fail:
    if (rc != PHONESEC_OK && s->err.code == 0)
        phonesec__fail(&s->err, rc, "creating the session");
    phonesec__log(PHONESEC_LOG_WARN, MOD, "cannot create SRTP session: %s", s->err.msg);
    phonesec__srtp_lib_free(s);
    return rc;
}

void phonesec__srtp_lib_free(phonesec_srtp *s)
{
    if (s == NULL)
        return;
    if (s->ctx != NULL)
        srtp_dealloc(s->ctx); /* libsrtp2 wipes its session keys */
    if (s->ks != NULL)
        keyset_free(s->ks);
    if (s->work != NULL)
        phonesec__free_secret(s->work, PHONESEC_SRTP_WORK_BUF);
    phonesec__free_secret(s, sizeof *s);
}

int phonesec__srtp_lib_update(phonesec_srtp *s, const phonesec_srtp_params *params)
{
    keyset *ks;
    srtp_t ctx;
    size_t i;
    int rc;

    if (s == NULL || params == NULL)
        return PHONESEC_E_INVAL;
    ks = phonesec__malloc(sizeof *ks);
    if (ks == NULL)
        return phonesec__fail(&s->err, PHONESEC_E_NOMEM, "rekey: out of memory");
    rc = build_keyset(&s->err, ks, params, s->opts);
    if (rc == PHONESEC_OK)
        rc = make_ctx(&s->err, ks, &ctx);
    if (rc != PHONESEC_OK) {
        keyset_free(ks);
        return rc;
    }
    srtp_dealloc(s->ctx);
    keyset_free(s->ks);
    s->ctx = ctx;
    s->ks = ks;
    s->active = 0;
    memset(s->count, 0, sizeof s->count);
    s->expired_logged = 0;
    /* Streams are made again on each SSRC's next packet, at the index reached. */
    for (i = 0; i < s->n_ss; i++)
        s->ss[i].have_stream = 0;
    phonesec__log(PHONESEC_LOG_INFO, MOD, "%s session rekeyed to %s, %zu SSRC(s) keep their rollover counter",
                  s->direction == PHONESEC_SRTP_DIR_INBOUND ? "inbound" : "outbound", ks->sd->name, s->n_ss);
    phonesec__err_clear(&s->err);
    return PHONESEC_OK;
}

int phonesec__srtp_lib_set_active_key(phonesec_srtp *s, size_t index)
{
    if (s == NULL)
        return PHONESEC_E_INVAL;
    if (s->direction != PHONESEC_SRTP_DIR_OUTBOUND)
        return phonesec__fail(&s->err, PHONESEC_E_STATE, "the active key is chosen by outbound sessions only");
    if (index >= s->ks->p.n_keys)
        return phonesec__fail(&s->err, PHONESEC_E_INVAL, "key index %zu, session has %zu key(s)", index,
                              s->ks->p.n_keys);
    s->active = index;
    phonesec__err_clear(&s->err);
    return PHONESEC_OK;
}

/* ---- per-packet helpers ------------------------------------------------ */

/* The 32-bit value whose bytes in memory are ssrc in network order (what
 * srtp_remove_stream() takes). */
static uint32_t net_u32(uint32_t v)
{
    uint8_t b[4];
    uint32_t r;
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
    memcpy(&r, b, 4);
    return r;
}

static uint32_t rd32(const uint8_t *b)
{
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3];
}

/* RFC 3711 Appendix A: the rollover counter a sequence number belongs to.
 * 64 bits wide so that the counter after 2^32-1 shows as 2^32 (an index of
 * 2^48 or more) instead of wrapping to 0. */
static uint64_t estimate_roc(const ssrc_ent *e, uint16_t seq)
{
    if (!e->seen_rtp)
        return e->roc;
    if (e->seq < 32768) {
        if (seq > e->seq && (uint32_t)(seq - e->seq) > 32768)
            return e->roc > 0 ? e->roc - 1 : 0;
        return e->roc;
    }
    if ((uint32_t)(e->seq - 32768) > seq)
        return (uint64_t)e->roc + 1;
    return e->roc;
}

static void note_seq(ssrc_ent *e, uint16_t seq)
{
    uint64_t v = estimate_roc(e, seq);
    uint64_t cur = ((uint64_t)e->roc << 16) | e->seq, nw = (v << 16) | seq;
    if (v > UINT32_MAX)
        return; /* refused before; never reached */
    if (!e->seen_rtp || nw > cur) {
        e->roc = (uint32_t)v;
        e->seq = seq;
        e->seen_rtp = 1;
    }
}

static ssrc_ent *find_ssrc(phonesec_srtp *s, uint32_t ssrc)
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

static int add_stream(phonesec_srtp *s, uint32_t ssrc, uint32_t roc)
{
    srtp_policy_t pol = s->ks->pol;
    srtp_err_status_t st;
    pol.ssrc.type = ssrc_specific;
    pol.ssrc.value = ssrc;
    pol.next = NULL;
    (void)phonesec__srtp_lsw_alloc_failed(1);
    st = srtp_add_stream(s->ctx, &pol);
    if (st != srtp_err_status_ok && phonesec__srtp_lsw_alloc_failed(1))
        st = srtp_err_status_alloc_fail;
    if (st != srtp_err_status_ok)
        return map_status(&s->err, st, "adding a stream");
    st = srtp_set_stream_roc(s->ctx, ssrc, roc);
    if (st != srtp_err_status_ok) {
        srtp_remove_stream(s->ctx, net_u32(ssrc));
        return map_status(&s->err, st, "setting the rollover counter");
    }
    return PHONESEC_OK;
}

/* Length of the RTP header (fixed part, CSRCs, extension), or 0 when it does
 * not fit in limit bytes. */
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

static int key_alive(phonesec_srtp *s, size_t idx)
{
    uint64_t life = s->ks->p.keys[idx].lifetime;
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

static int process(phonesec_srtp *s, int rtcp, int protect, const uint8_t *in, size_t in_len, uint8_t *out,
                   size_t out_cap, size_t *out_len)
{
    const char *what = rtcp ? (protect ? "protect_rtcp" : "unprotect_rtcp") : (protect ? "protect" : "unprotect");
    keyset *ks;
    size_t over, need, idx = 0, hdr, tag;
    uint8_t *buf;
    uint32_t ssrc;
    uint16_t seq = 0;
    ssrc_ent *e;
    int created = 0, rc, len;
    srtp_err_status_t st;

    if (s == NULL)
        return PHONESEC_E_INVAL;
    if (in == NULL || out == NULL || out_len == NULL)
        return phonesec__fail(&s->err, PHONESEC_E_INVAL, "%s: NULL buffer", what);
    if (s->direction != (protect ? PHONESEC_SRTP_DIR_OUTBOUND : PHONESEC_SRTP_DIR_INBOUND))
        return phonesec__fail(&s->err, PHONESEC_E_STATE, "%s on an %s session", what,
                              protect ? "inbound" : "outbound");
    ks = s->ks;
    over = rtcp ? ks->rtcp_over : ks->rtp_over;
    tag = rtcp ? ks->rtcp_tag : ks->rtp_tag;
    if (in_len > (size_t)0x7fffffff - over)
        return phonesec__fail(&s->err, PHONESEC_E_INVAL, "%s: packet of %zu bytes too large", what, in_len);
    if (rtcp) {
        if (in_len < 8 + (protect ? 0 : over) || (in[0] >> 6) != 2)
            return phonesec__fail(&s->err, PHONESEC_E_PARSE, "%s: not an %s packet (%zu bytes)", what,
                                  protect ? "RTCP" : "SRTCP", in_len);
        ssrc = rd32(in + 4);
    } else {
        if (in_len < 12 || (in[0] >> 6) != 2)
            return phonesec__fail(&s->err, PHONESEC_E_PARSE, "%s: not an %s packet (%zu bytes)", what,
                                  protect ? "RTP" : "SRTP", in_len);
        hdr = rtp_header_len(in, protect ? in_len : (in_len >= over ? in_len - over : 0));
        if (hdr == 0)
            return phonesec__fail(&s->err, PHONESEC_E_PARSE, "%s: RTP header (CSRCs, extension) beyond the "
                                  "%s", what, protect ? "packet" : "authenticated part");
        ssrc = rd32(in + 8);
        seq = (uint16_t)(((unsigned)in[2] << 8) | in[3]);
    }

    if (protect) {
        need = in_len + over;
        if (out_cap < need) {
            *out_len = need;
            return phonesec__fail(&s->err, PHONESEC_E_BUFFER_SMALL, "%s: %zu bytes needed, %zu given", what, need,
                                  out_cap);
        }
        idx = s->active;
        buf = out;
    } else {
        need = in_len - over;
        if (out_cap < need) {
            *out_len = need;
            return phonesec__fail(&s->err, PHONESEC_E_BUFFER_SMALL, "%s: %zu bytes needed, %zu given", what, need,
                                  out_cap);
        }
        if (out_cap >= in_len)
            buf = out;
        else if (in_len <= PHONESEC_SRTP_WORK_BUF)
            buf = s->work;
        else {
            *out_len = in_len;
            return phonesec__fail(&s->err, PHONESEC_E_BUFFER_SMALL, "%s: packets above %d bytes need out_cap >= "
                                  "in_len (%zu)", what, PHONESEC_SRTP_WORK_BUF, in_len);
        }
        if (ks->mki_len > 0) {
            const uint8_t *mki = in + in_len - tag - ks->mki_len;
            for (idx = 0; idx < ks->p.n_keys; idx++)
                if (memcmp(ks->p.keys[idx].mki, mki, ks->mki_len) == 0)
                    break;
            if (idx == ks->p.n_keys)
                return phonesec__fail(&s->err, PHONESEC_E_AUTH, "%s: unknown MKI", what);
        }
    }
    if (!key_alive(s, idx))
        return phonesec__fail(&s->err, PHONESEC_E_EXPIRED, "%s: lifetime of master key %zu ran out", what, idx);

    e = find_ssrc(s, ssrc);
    if (e == NULL && s->n_ss == PHONESEC_SRTP_MAX_SSRC)
        return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "%s: more than %d SSRCs", what, PHONESEC_SRTP_MAX_SSRC);
    /* RFC 3711 3.3.1 and 9.2: the 48-bit index never wraps (that would reuse
     * the keystream of index 0), and a rekey does not reset it. */
    if (!rtcp && e != NULL && estimate_roc(e, seq) > UINT32_MAX)
        return phonesec__fail(&s->err, PHONESEC_E_LIMIT, "%s: SSRC 0x%08lx is past the last of its 2^48 packet "
                              "indices (RFC 3711 9.2): a new SSRC is needed", what, (unsigned long)ssrc);

    if (buf != in)
        memmove(buf, in, in_len);
    if (e == NULL || !e->have_stream) {
        uint32_t roc = e == NULL ? ks->p.roc : (rtcp ? e->roc : (uint32_t)estimate_roc(e, seq));
        rc = add_stream(s, ssrc, roc);
        if (rc != PHONESEC_OK)
            goto fail;
        created = 1;
        if (protect || e != NULL) {
            if (e == NULL) {
                e = &s->ss[s->n_ss];
                memset(e, 0, sizeof *e);
                e->ssrc = ssrc;
                e->roc = roc;
                s->last = s->n_ss++;
            }
            e->have_stream = 1;
        }
    }

    len = (int)in_len;
    if (protect) {
        if (ks->mki_len > 0)
            st = rtcp ? srtp_protect_rtcp_mki(s->ctx, buf, &len, 1, (unsigned)idx)
                      : srtp_protect_mki(s->ctx, buf, &len, 1, (unsigned)idx);
        else
            st = rtcp ? srtp_protect_rtcp(s->ctx, buf, &len) : srtp_protect(s->ctx, buf, &len);
    } else {
        if (ks->mki_len > 0)
            st = rtcp ? srtp_unprotect_rtcp_mki(s->ctx, buf, &len, 1) : srtp_unprotect_mki(s->ctx, buf, &len, 1);
        else
            st = rtcp ? srtp_unprotect_rtcp(s->ctx, buf, &len) : srtp_unprotect(s->ctx, buf, &len);
    }
    if (st != srtp_err_status_ok) {
        if (rtcp && protect && st == srtp_err_status_key_expired)
            rc = phonesec__fail(&s->err, PHONESEC_E_LIMIT, "%s: SSRC 0x%08lx used the last of its 2^31 SRTCP "
                                "indices (RFC 3711 9.2): a new SSRC is needed", what, (unsigned long)ssrc);
        else
            rc = map_status(&s->err, st, what);
        goto fail;
    }
    if (len < 0 || (size_t)len != (protect ? in_len + over : need)) {
        rc = phonesec__fail(&s->err, PHONESEC_E_INTERNAL, "%s: libsrtp2 returned %d bytes, expected %zu", what, len,
                            protect ? in_len + over : need);
        goto fail;
    }
    if (!protect && created) {
        if (e == NULL) {
            e = &s->ss[s->n_ss];
            memset(e, 0, sizeof *e);
            e->ssrc = ssrc;
            e->roc = ks->p.roc;
            s->last = s->n_ss++;
        }
        e->have_stream = 1;
    }
    if (!rtcp)
        note_seq(e, seq);
    s->count[idx]++;
    if (buf != out) {
        memcpy(out, buf, (size_t)len);
        phonesec_memzero(buf, in_len);
    }
    *out_len = (size_t)len;
    s->err.code = 0;
    return PHONESEC_OK;

fail:
    if (!protect && created) {
        srtp_remove_stream(s->ctx, net_u32(ssrc));
        /* The stream is gone: the next packet of this SSRC must add one
         * again (with its rollover counter), not fall back to the template. */
        if (e != NULL)
            e->have_stream = 0;
    }
    phonesec_memzero(buf, protect ? in_len + over : in_len);
    return rc;
}

int phonesec__srtp_lib_protect(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                          size_t *out_len)
{
    return process(s, 0, 1, in, in_len, out, out_cap, out_len);
}

int phonesec__srtp_lib_unprotect(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                            size_t *out_len)
{
    return process(s, 0, 0, in, in_len, out, out_cap, out_len);
}

int phonesec__srtp_lib_protect_rtcp(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                               size_t *out_len)
{
    return process(s, 1, 1, in, in_len, out, out_cap, out_len);
}

int phonesec__srtp_lib_unprotect_rtcp(phonesec_srtp *s, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                                 size_t *out_len)
{
    return process(s, 1, 0, in, in_len, out, out_cap, out_len);
}

int phonesec__srtp_lib_get_roc(const phonesec_srtp *s, uint32_t ssrc, uint32_t *roc)
{
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

int phonesec__srtp_lib_get_info(const phonesec_srtp *s, phonesec_srtp_info *out)
{
    /* Sizes of phonesec_srtp_info by struct version (sizes[0]: 1.0, forever). */
    static const size_t sizes[PHONESEC_SRTP_INFO_VERSION] = {sizeof(phonesec_srtp_info)};
    phonesec_srtp_info full, *info = &full;
    const keyset *ks;
    if (s == NULL || out == NULL || out->version == 0)
        return PHONESEC_E_INVAL;
    ks = s->ks;
    memset(info, 0, sizeof *info);
    info->version = PHONESEC_SRTP_INFO_VERSION;
    info->suite = ks->sd->suite;
    info->suite_name = ks->sd->name;
    info->direction = s->direction;
    info->flags = ks->p.flags;
    info->rtp_encrypted = ks->rtp_conf;
    info->rtp_authenticated = ks->rtp_auth;
    info->rtcp_encrypted = ks->rtcp_conf;
    info->rtp_tag_len = ks->rtp_tag;
    info->rtcp_tag_len = ks->rtcp_tag;
    info->rtp_overhead = ks->rtp_over;
    info->rtcp_overhead = ks->rtcp_over;
    info->n_keys = ks->p.n_keys;
    info->active_key = s->active;
    info->packets = s->count[s->active];
    info->lifetime = ks->p.keys[s->active].lifetime;
    info->expired = info->lifetime != 0 && info->packets >= info->lifetime;
    info->n_ssrc = s->n_ss;
    /* only as many bytes as the caller's version has */
    return phonesec__struct_out(out, &full, sizes, PHONESEC_SRTP_INFO_VERSION);
}

int phonesec__srtp_lib_last_error(const phonesec_srtp *s, char *buf, size_t cap)
{
    if (s == NULL)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&s->err, buf, cap);
}
