/*
 * libphonesec adapter for sofia-sip (libsofia-sip-ua 1.12.11): the
 * library's MediaSec (RFC 3329) headers and SDES offer/answer on sofia's
 * types (msg_t / sip_t, sdp_session_t), and the tags its NUA layer takes.
 *
 * The adapter only moves text between sofia objects and the library's text
 * interfaces; every decision is libphonesec's. Link with `pkg-config
 * libphonesec-sofia`. Signalling runs over sofia's own transports (its TLS
 * is OpenSSL, not libphonesec's): see doc/adapters.md, "sofia-sip".
 * Threading: as sofia's objects, one caller at a time.
 */
#ifndef PHONESEC_SOFIA_H
#define PHONESEC_SOFIA_H

#include <stddef.h>

#include <sofia-sip/msg.h>
#include <sofia-sip/sdp.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/su_alloc.h>
#include <sofia-sip/su_tag.h>

#include "phonesec/mediasec.h"
#include "phonesec/sdes.h"

#ifdef __cplusplus
extern "C" {
#endif

/** \defgroup sofia sofia-sip adapter
 * @{ */

/**
 * \brief Tags a NUA request call needs for MediaSec on this flow, e.g.
 *        `nua_register(nh, ..., TAG_NEXT(tags))`: SIPTAG_SECURITY_CLIENT_STR
 *        and/or SIPTAG_SECURITY_VERIFY_STR (one comma list each, from
 *        phonesec_mediasec_request_headers()) and SIPTAG_REQUIRE_STR /
 *        SIPTAG_PROXY_REQUIRE_STR with the option tags
 *        (phonesec_mediasec_option_tags()). No tag when nothing is needed.
 * \param ms     the line's negotiation
 * \param home   where the tag list and its strings are allocated
 * \param method request method ("REGISTER", "INVITE"...)
 * \param tags   set to a TAG_END-terminated list (never NULL on success)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_STATE (negotiation
 *         FAILED); PHONESEC_E_POLICY (mandatory policy on a non-TLS flow);
 *         PHONESEC_E_NOMEM
 */
int phonesec_sofia_request_tags(phonesec_mediasec *ms, su_home_t *home, const char *method, tagi_t **tags);

/**
 * \brief Read a response received on this flow (a NUA event's message:
 *        nua_save_event() + nua_event_data()->e_msg), or any msg_t:
 *        phonesec_mediasec_on_response() on its text.
 * \return what phonesec_mediasec_on_response() returns; PHONESEC_E_INVAL;
 *         PHONESEC_E_PARSE (sofia cannot print it); PHONESEC_E_NOMEM
 */
int phonesec_sofia_on_response(phonesec_mediasec *ms, msg_t *msg);

/**
 * \brief Our SDES offer from our plain SDP (phonesec_sdes_offer()).
 * \param offer set to a new session allocated in `home`
 * \return PHONESEC_OK or what phonesec_sdes_offer() returns; PHONESEC_E_INVAL;
 *         PHONESEC_E_PARSE (sofia cannot print or read the SDP); PHONESEC_E_NOMEM
 */
int phonesec_sofia_sdes_offer(phonesec_sdes *s, su_home_t *home, sdp_session_t const *local,
                              sdp_session_t **offer);

/**
 * \brief Answer the peer's offer with our plain SDP (phonesec_sdes_answer()
 *        and phonesec_sdes_answer_sdp()).
 * \param answer set to a new session allocated in `home`
 * \return PHONESEC_OK or what those calls return; PHONESEC_E_INVAL;
 *         PHONESEC_E_PARSE; PHONESEC_E_NOMEM
 */
int phonesec_sofia_sdes_answer(phonesec_sdes *s, su_home_t *home, sdp_session_t const *offer,
                               sdp_session_t const *local, sdp_session_t **answer);

/**
 * \brief Take the peer's answer to our offer (phonesec_sdes_accept_answer()).
 * \return what phonesec_sdes_accept_answer() returns; PHONESEC_E_INVAL;
 *         PHONESEC_E_PARSE; PHONESEC_E_NOMEM
 */
int phonesec_sofia_sdes_accept_answer(phonesec_sdes *s, sdp_session_t const *answer);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_SOFIA_H */
