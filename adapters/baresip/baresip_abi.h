/* SPDX-License-Identifier: MIT
 * The few parts of baresip's module ABI the phonesec media-encryption module
 * uses, declared here because Debian ships baresip's binary but no
 * baresip.h. Written from baresip's public interface as of 1.0.0 (Debian 12:
 * baresip-core 1.0.0-4) and checked against the symbols the installed
 * binary exports by tests/adapters/baresip/abi_check.py. libre's own types
 * and calls come from libre-dev's headers (<re.h>), the same libre 1.1.0
 * the baresip binary links.
 *
 * Layouts that must match baresip exactly: struct menc (its list element,
 * the id and SDP proto strings, wait_secure, the two handlers) and the
 * handler signatures. Unchanged in baresip.h up to 3.0.0; 4.x appends a
 * txrekeyh field to struct menc (doc/adapters.md). Tested with 1.0.0 only. */
#ifndef PHONESEC_BARESIP_ABI_H
#define PHONESEC_BARESIP_ABI_H

#include <re.h>

struct stream;
struct rtp_sock;
struct menc_sess;
struct menc_media;

/* Media-encryption events (baresip 1.0.0: enum menc_event). */
enum menc_event {
    MENC_EVENT_SECURE,
    MENC_EVENT_VERIFY_REQUEST,
    MENC_EVENT_PEER_VERIFIED,
};

typedef void(menc_event_h)(enum menc_event event, const char *prm, struct stream *strm, void *arg);
typedef void(menc_error_h)(int err, void *arg);
typedef int(menc_sess_h)(struct menc_sess **sessp, struct sdp_session *sdp, bool offerer, menc_event_h *eventh,
                         menc_error_h *errorh, void *arg);
typedef int(menc_media_h)(struct menc_media **mp, struct menc_sess *sess, struct rtp_sock *rtp,
                          struct udp_sock *rtpsock, struct udp_sock *rtcpsock, const struct sa *raddr_rtp,
                          const struct sa *raddr_rtcp, struct sdp_media *sdpm, const struct stream *strm);

struct menc {
    struct le le;
    const char *id;
    const char *sdp_proto;
    bool wait_secure;
    menc_sess_h *sessh;
    menc_media_h *mediah;
};

/* Exported by the baresip binary. */
void menc_register(struct list *mencl, struct menc *menc);
void menc_unregister(struct menc *menc);
struct list *baresip_mencl(void);
struct conf *conf_cur(void);
void info(const char *fmt, ...);
void warning(const char *fmt, ...);
void debug(const char *fmt, ...);

#endif
