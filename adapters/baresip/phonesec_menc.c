/* SPDX-License-Identifier: MIT
 * phonesec.so: a baresip media-encryption module on libphonesec.
 *
 * SDES (RFC 4568) offer and answer through phonesec_sdes_media_*, RTP and
 * RTCP through its SRTP sessions. Three encryptions are registered:
 *   phonesec       RTP/SAVP, mandatory
 *   phonesec-f     RTP/SAVPF, mandatory
 *   phonesec-opt   RTP/AVP with a=crypto, optional (RFC 8643 OSRTP)
 * Select one with ";mediaenc=phonesec" in an account line. Config keys
 * (baresip's config file, both optional):
 *   phonesec_suites  AES_CM_128_HMAC_SHA1_80,AEAD_AES_256_GCM,...  (offer order)
 * This file only moves baresip's objects (SDP attributes, UDP buffers) to
 * the library and back: every decision is the library's. */
#include <string.h>

#include "baresip_abi.h"

#include <phonesec/sdes.h>

#define MAX_LINES 16
#define LINE_CAP 512

struct menc_sess {
    bool offerer;
    menc_event_h *eventh;
    menc_error_h *errorh;
    void *arg;
};

struct menc_st {
    struct menc_sess *sess;     /* referenced */
    const struct menc *menc;
    phonesec_sdes_media *m;
    struct udp_helper *uh_rtp, *uh_rtcp;
    void *rtpsock, *rtcpsock;
    struct sdp_media *sdpm;
    const struct stream *strm;
    struct tmr tmr_err;
    bool got_sdp;
    bool secure_told;
    bool key_fail_told;
    uint64_t logged;
};

static phonesec_sdes_policy base_policy;
static struct menc menc_mand, menc_mandf, menc_opt;

static bool optional_menc(const struct menc *menc)
{
    return menc == &menc_opt;
}

static const char *media_name(const struct menc_st *st)
{
    const char *n = sdp_media_name(st->sdpm);
    return n ? n : "?";
}

static void print_stats(const struct menc_st *st)
{
    phonesec_sdes_media_stats s;
    s.version = PHONESEC_SDES_MEDIA_STATS_VERSION;
    if (st->m == NULL || phonesec_sdes_media_get_stats(st->m, &s) != PHONESEC_OK)
        return;
    info("phonesec: %s: stats suite=%s rtp_out=%llu rtp_in=%llu rtcp_out=%llu rtcp_in=%llu "
         "auth_failures=%llu replays=%llu rtcp_clear_refused=%llu peer_key_failed=%d\n",
         media_name(st), s.suite ? phonesec_srtp_suite_name(s.suite) : "none",
         (unsigned long long)s.rtp_out, (unsigned long long)s.rtp_in, (unsigned long long)s.rtcp_out,
         (unsigned long long)s.rtcp_in, (unsigned long long)s.auth_failures, (unsigned long long)s.replays,
         (unsigned long long)s.rtcp_clear_refused, s.peer_key_failed);
}

/* Left on the sockets when the stream's encryption goes: baresip 1.0 sends
 * its RTCP BYE after the media encryption is freed, which would go out in
 * clear; this drops RTP and RTCP from then on (the socket frees it). */
static bool guard_send(int *err, struct sa *dst, struct mbuf *mb, void *arg)
{
    (void)err;
    (void)dst;
    (void)arg;
    return phonesec_sdes_media_classify(mbuf_buf(mb), mbuf_get_left(mb)) != PHONESEC_SDES_PKT_OTHER;
}

static bool guard_recv(struct sa *src, struct mbuf *mb, void *arg)
{
    (void)src;
    (void)arg;
    return phonesec_sdes_media_classify(mbuf_buf(mb), mbuf_get_left(mb)) != PHONESEC_SDES_PKT_OTHER;
}

static void st_destructor(void *arg)
{
    struct menc_st *st = arg;
    print_stats(st);
    tmr_cancel(&st->tmr_err);
    if (st->m && phonesec_sdes_media_state(st->m) != PHONESEC_SDES_SEC_CLEAR) {
        if (st->rtpsock)
            (void)udp_register_helper(NULL, st->rtpsock, 10, guard_send, guard_recv, NULL);
        if (st->rtcpsock)
            (void)udp_register_helper(NULL, st->rtcpsock, 10, guard_send, guard_recv, NULL);
    }
    /* helpers before the sockets they hang on */
    mem_deref(st->uh_rtp);
    mem_deref(st->uh_rtcp);
    mem_deref(st->rtpsock);
    mem_deref(st->rtcpsock);
    mem_deref(st->sdpm);
    mem_deref(st->sess);
    phonesec_sdes_media_free(st->m);
}

static void sess_destructor(void *arg)
{
    (void)arg;
}

/* The peer's key failed: end the call, outside the UDP callback. */
static void key_failed_tmr(void *arg)
{
    struct menc_st *st = arg;
    if (st->sess->errorh)
        st->sess->errorh(EAUTH, st->sess->arg);
}

static bool send_handler(int *err, struct sa *dst, struct mbuf *mb, void *arg)
{
    struct menc_st *st = arg;
    size_t len = mbuf_get_left(mb), out_len = 0;
    int rc;
    (void)dst;

    if (phonesec_sdes_media_classify(mbuf_buf(mb), len) == PHONESEC_SDES_PKT_OTHER)
        return false;
    rc = phonesec_sdes_media_state(st->m);
    if (rc == PHONESEC_SDES_SEC_CLEAR && optional_menc(st->menc) && st->got_sdp)
        return false; /* OSRTP answered in clear */
    if (rc != PHONESEC_SDES_SEC_SECURED)
        return true;  /* nothing leaves in clear before the keys are agreed */
    if (mbuf_resize(mb, mb->pos + len + 64)) {
        *err = ENOMEM;
        return true;
    }
    rc = phonesec_sdes_media_protect(st->m, mbuf_buf(mb), len, mbuf_buf(mb), mb->size - mb->pos, &out_len);
    if (rc != PHONESEC_OK) {
        if (st->logged++ < 5)
            warning("phonesec: %s: protect failed: %s\n", media_name(st), phonesec_strerror(rc));
        *err = EPROTO;
        return true;  /* never send it unprotected */
    }
    mb->end = mb->pos + out_len;
    return false;
}

static bool recv_handler(struct sa *src, struct mbuf *mb, void *arg)
{
    struct menc_st *st = arg;
    size_t len = mbuf_get_left(mb), out_len = 0;
    phonesec_sdes_media_stats s;
    int rc;
    (void)src;

    if (!st->got_sdp)
        return true;
    if (phonesec_sdes_media_classify(mbuf_buf(mb), len) == PHONESEC_SDES_PKT_OTHER)
        return false;
    rc = phonesec_sdes_media_state(st->m);
    if (rc == PHONESEC_SDES_SEC_CLEAR && optional_menc(st->menc))
        return false;
    if (rc != PHONESEC_SDES_SEC_SECURED)
        return true;
    rc = phonesec_sdes_media_unprotect(st->m, mbuf_buf(mb), len, mbuf_buf(mb), len, &out_len);
    if (rc == PHONESEC_OK) {
        mb->end = mb->pos + out_len;
        return false;
    }
    if (st->logged++ < 5 || st->logged % 500 == 0)
        warning("phonesec: %s: dropped incoming %zu-byte packet: %s\n", media_name(st), len,
                phonesec_strerror(rc));
    s.version = PHONESEC_SDES_MEDIA_STATS_VERSION;
    if (rc == PHONESEC_E_AUTH && !st->key_fail_told && phonesec_sdes_media_get_stats(st->m, &s) == PHONESEC_OK &&
        s.peer_key_failed) {
        st->key_fail_told = true;
        warning("phonesec: %s: peer key failed (every packet fails authentication)\n", media_name(st));
        tmr_start(&st->tmr_err, 0, key_failed_tmr, st);
    }
    return true;
}

/* Collect the peer's a=crypto values of this m= section. */
struct lines {
    const char *p[MAX_LINES];
    size_t l[MAX_LINES];
    size_t n;
};

static bool attr_handler(const char *name, const char *value, void *arg)
{
    struct lines *ls = arg;
    (void)name;
    if (value && ls->n < MAX_LINES) {
        ls->p[ls->n] = value;
        ls->l[ls->n] = strlen(value);
        ls->n++;
    }
    return false; /* go on */
}

static int put_local(struct menc_st *st, size_t n)
{
    char line[LINE_CAP];
    size_t i, len;
    int err = 0;
    for (i = 0; i < n && !err; i++) {
        if (phonesec_sdes_media_local_line(st->m, i, line, sizeof line, &len) != PHONESEC_OK)
            return EINVAL;
        err = sdp_media_set_lattr(st->sdpm, i == 0, "crypto", "%s", line);
    }
    phonesec_memzero(line, sizeof line);
    return err;
}

static void tell_secure(struct menc_st *st)
{
    phonesec_sdes_media_stats s;
    char prm[64];
    s.version = PHONESEC_SDES_MEDIA_STATS_VERSION;
    if (st->secure_told || phonesec_sdes_media_get_stats(st->m, &s) != PHONESEC_OK ||
        s.state != PHONESEC_SDES_SEC_SECURED)
        return;
    st->secure_told = true;
    info("phonesec: %s: SRTP secured (suite=%s)\n", media_name(st), phonesec_srtp_suite_name(s.suite));
    if (st->sess->eventh && re_snprintf(prm, sizeof prm, "%s,%s", media_name(st),
                                        phonesec_srtp_suite_name(s.suite)) > 0)
        st->sess->eventh(MENC_EVENT_SECURE, prm, (struct stream *)st->strm, st->sess->arg);
}

/* Called when the stream is made and after every SDP exchange. */
static int negotiate(struct menc_st *st)
{
    struct lines ls;
    char why[256];
    size_t n = 0;
    int rc;

    memset(&ls, 0, sizeof ls);
    if (sdp_media_rport(st->sdpm))
        st->got_sdp = true;
    (void)sdp_media_rattr_apply(st->sdpm, "crypto", attr_handler, &ls);

    if (st->sess->offerer) {
        if (!st->got_sdp) {
            rc = phonesec_sdes_media_offer(st->m, &n);
            if (rc != PHONESEC_OK)
                goto fail;
            return put_local(st, n);
        }
        rc = phonesec_sdes_media_accept(st->m, ls.p, ls.l, ls.n);
        if (rc != PHONESEC_OK)
            goto fail;
    } else {
        if (!st->got_sdp)
            return 0; /* the offer is not decoded yet */
        rc = phonesec_sdes_media_answer(st->m, ls.p, ls.l, ls.n);
        if (rc != PHONESEC_OK)
            goto fail;
        if (phonesec_sdes_media_state(st->m) == PHONESEC_SDES_SEC_SECURED) {
            int err = put_local(st, 1);
            if (err)
                return err;
        } else {
            sdp_media_del_lattr(st->sdpm, "crypto");
        }
    }
    if (phonesec_sdes_media_state(st->m) == PHONESEC_SDES_SEC_SECURED)
        tell_secure(st);
    else
        info("phonesec: %s: media in clear (optional SRTP, peer sent no usable a=crypto)\n", media_name(st));
    return 0;

fail:
    (void)phonesec_sdes_media_last_error(st->m, why, sizeof why);
    warning("phonesec: %s: SDES failed: %s\n", media_name(st), why);
    return EPROTO;
}

static int session_alloc(struct menc_sess **sessp, struct sdp_session *sdp, bool offerer, menc_event_h *eventh,
                         menc_error_h *errorh, void *arg)
{
    struct menc_sess *sess;
    (void)sdp;
    if (!sessp)
        return EINVAL;
    sess = mem_zalloc(sizeof *sess, sess_destructor);
    if (!sess)
        return ENOMEM;
    sess->offerer = offerer;
    sess->eventh = eventh;
    sess->errorh = errorh;
    sess->arg = arg;
    *sessp = sess;
    return 0;
}

static int media_alloc(const struct menc *menc, struct menc_media **stp, struct menc_sess *sess,
                       struct udp_sock *rtpsock, struct udp_sock *rtcpsock, struct sdp_media *sdpm,
                       const struct stream *strm)
{
    struct menc_st *st;
    phonesec_sdes_policy pol;
    int err = 0;

    if (!stp || !sdpm || !sess)
        return EINVAL;
    st = (struct menc_st *)*stp;
    if (!st) {
        st = mem_zalloc(sizeof *st, st_destructor);
        if (!st)
            return ENOMEM;
        tmr_init(&st->tmr_err);
        st->sess = mem_ref(sess);
        st->menc = menc;
        st->sdpm = mem_ref(sdpm);
        st->strm = strm;
        pol = base_policy;
        pol.mode = optional_menc(menc) ? PHONESEC_SDES_OPTIONAL : PHONESEC_SDES_MANDATORY;
        if (phonesec_sdes_media_new(&pol, &st->m) != PHONESEC_OK) {
            err = ENOMEM;
            goto out;
        }
        if (optional_menc(menc) && 0 == str_cmp(sdp_media_proto(sdpm), "RTP/AVP")) {
            err = sdp_media_set_alt_protos(sdpm, 4, "RTP/AVP", "RTP/AVPF", "RTP/SAVP", "RTP/SAVPF");
            if (err)
                goto out;
        }
        if (rtpsock) {
            st->rtpsock = mem_ref(rtpsock);
            err |= udp_register_helper(&st->uh_rtp, rtpsock, 10, send_handler, recv_handler, st);
        }
        if (rtcpsock && rtcpsock != rtpsock) {
            st->rtcpsock = mem_ref(rtcpsock);
            err |= udp_register_helper(&st->uh_rtcp, rtcpsock, 10, send_handler, recv_handler, st);
        }
        if (err)
            goto out;
    }
    err = negotiate(st);
out:
    if (err) {
        if (!*stp)
            mem_deref(st);
    } else {
        *stp = (struct menc_media *)st;
    }
    return err;
}

#define MEDIA_H(name, menc)                                                                               \
    static int name(struct menc_media **stp, struct menc_sess *sess, struct rtp_sock *rtp,                \
                    struct udp_sock *rtpsock, struct udp_sock *rtcpsock, const struct sa *raddr_rtp,       \
                    const struct sa *raddr_rtcp, struct sdp_media *sdpm, const struct stream *strm)        \
    {                                                                                                     \
        (void)rtp;                                                                                        \
        (void)raddr_rtp;                                                                                  \
        (void)raddr_rtcp;                                                                                 \
        return media_alloc(&menc, stp, sess, rtpsock, rtcpsock, sdpm, strm);                              \
    }
MEDIA_H(media_mand, menc_mand)
MEDIA_H(media_mandf, menc_mandf)
MEDIA_H(media_opt, menc_opt)

static struct menc menc_mand = {.id = "phonesec", .sdp_proto = "RTP/SAVP", .sessh = session_alloc,
                                 .mediah = media_mand};
static struct menc menc_mandf = {.id = "phonesec-f", .sdp_proto = "RTP/SAVPF", .sessh = session_alloc,
                                  .mediah = media_mandf};
static struct menc menc_opt = {.id = "phonesec-opt", .sdp_proto = "RTP/AVP", .sessh = session_alloc,
                                .mediah = media_opt};

static int module_init(void)
{
    char suites[256] = "";
    struct list *mencl = baresip_mencl();

    phonesec_sdes_policy_init(&base_policy);
    /* baresip (libre) and the other field stacks use a 32-bit SRTCP tag with _32 suites */
    base_policy.flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT;
    if (0 == conf_get_str(conf_cur(), "phonesec_suites", suites, sizeof suites) &&
        phonesec_sdes_policy_set_suites(&base_policy, suites) != PHONESEC_OK) {
        warning("phonesec: bad phonesec_suites '%s'\n", suites);
        return EINVAL;
    }
    menc_register(mencl, &menc_mand);
    menc_register(mencl, &menc_mandf);
    menc_register(mencl, &menc_opt);
    info("phonesec: libphonesec %s media encryption loaded (suites: %s)\n", phonesec_version(),
         suites[0] ? suites : "default");
    return 0;
}

static int module_close(void)
{
    menc_unregister(&menc_opt);
    menc_unregister(&menc_mandf);
    menc_unregister(&menc_mand);
    return 0;
}

/* The symbol baresip's module loader looks up. */
__attribute__((visibility("default"))) const struct mod_export exports = {"phonesec", "menc", module_init,
                                                                           module_close};
