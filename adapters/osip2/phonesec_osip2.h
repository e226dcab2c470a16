/*
 * libphonesec adapter for oSIP2 (libosip2 >= 5.0): the library's MediaSec
 * (RFC 3329), SDES offer/answer and persistent TLS flow on oSIP2's objects.
 *
 * The adapter only moves text between oSIP2 objects and the library's text
 * interfaces; every decision (which Security-* header, which tags, which
 * crypto line) is taken by libphonesec. Link with `pkg-config
 * libphonesec-osip2`. See doc/adapters.md, section "oSIP2".
 *
 * Threading: like oSIP2 itself, no locking; one caller per object at a time.
 * The parser must have been initialised (parser_init()) before any call.
 */
#ifndef PHONESEC_OSIP2_H
#define PHONESEC_OSIP2_H

#include <stddef.h>
#include <stdint.h>

#include <osipparser2/osip_parser.h>
#include <osipparser2/sdp_message.h>

#include "phonesec/flow.h"
#include "phonesec/mediasec.h"
#include "phonesec/sdes.h"

#ifdef __cplusplus
extern "C" {
#endif

/** \defgroup osip2 oSIP2 adapter
 * @{ */

/**
 * \brief Decorate an outgoing request for this registration flow, in place.
 *
 * The request is printed, handed to phonesec_mediasec_prepare_request(), and
 * the Security-Client, Security-Verify, Require and Proxy-Require headers of
 * `req` are replaced by the ones the library wrote (names written in their
 * canonical case: oSIP2 would otherwise print a parsed "Security-Verify" as
 * "Security-verify", which case-sensitive servers refuse). Every other part
 * of `req` is left as it was.
 * \param ms  the line's negotiation (phonesec_mediasec_new())
 * \param req a request built or parsed by oSIP2
 * \return PHONESEC_OK; PHONESEC_E_INVAL (NULL, or not a request);
 *         PHONESEC_E_PARSE (oSIP2 cannot print it, its start line holds a
 *         line end, which oSIP2 accepts and prints back, or the library
 *         cannot read it); PHONESEC_E_STATE (negotiation FAILED); PHONESEC_E_POLICY
 *         (mandatory policy on a non-TLS flow); PHONESEC_E_NOMEM;
 *         PHONESEC_E_LIMIT (larger than PHONESEC_MEDIASEC_MAX_TEXT).
 *         On error `req` is unchanged.
 */
int phonesec_osip2_prepare_request(phonesec_mediasec *ms, osip_message_t *req);

/**
 * \brief Read a response received on this flow (401, 407, 494, 2xx, 420...):
 *        phonesec_mediasec_on_response() on its text.
 * \return what phonesec_mediasec_on_response() returns; PHONESEC_E_INVAL
 *         (NULL, or not a response); PHONESEC_E_PARSE (oSIP2 cannot print
 *         it, or its start line holds a line end); PHONESEC_E_NOMEM; PHONESEC_E_LIMIT (too large)
 */
int phonesec_osip2_on_response(phonesec_mediasec *ms, osip_message_t *resp);

/**
 * \brief Read the Security-Server list of a 401/494 into `out` (replacing
 *        its contents): for screens and logs; phonesec_osip2_on_response()
 *        already stores it in the negotiation.
 * \return PHONESEC_OK; PHONESEC_E_NOT_FOUND (no Security-Server);
 *         PHONESEC_E_PARSE (malformed list); PHONESEC_E_INVAL;
 *         PHONESEC_E_NOMEM; PHONESEC_E_LIMIT
 */
int phonesec_osip2_security_server(osip_message_t *resp, phonesec_mediasec_list *out);

/**
 * \brief Make our SDES offer from our plain SDP: phonesec_sdes_offer() on
 *        its text, the result parsed into a new oSIP2 SDP object.
 * \param s     the call's SDES state
 * \param local our SDP without crypto lines (oSIP2 object)
 * \param offer set to a new object on success (free: sdp_message_free())
 * \return PHONESEC_OK, or what phonesec_sdes_offer() returns;
 *         PHONESEC_E_INVAL; PHONESEC_E_PARSE (oSIP2 cannot print or read
 *         the SDP); PHONESEC_E_NOMEM; PHONESEC_E_BUFFER_SMALL (SDP over
 *         64 KiB)
 */
int phonesec_osip2_sdes_offer(phonesec_sdes *s, sdp_message_t *local, sdp_message_t **offer);

/**
 * \brief Answer the peer's offer: phonesec_sdes_answer() on the offer, then
 *        phonesec_sdes_answer_sdp() on our plain SDP (same m= sections in
 *        the same order), parsed into a new oSIP2 SDP object.
 * \param s      the call's SDES state
 * \param offer  the peer's SDP offer
 * \param local  our SDP without crypto lines
 * \param answer set to a new object on success (free: sdp_message_free())
 * \return PHONESEC_OK, or what phonesec_sdes_answer() /
 *         phonesec_sdes_answer_sdp() return (PHONESEC_E_NO_MATCH, _POLICY...);
 *         PHONESEC_E_INVAL; PHONESEC_E_PARSE; PHONESEC_E_NOMEM;
 *         PHONESEC_E_BUFFER_SMALL
 */
int phonesec_osip2_sdes_answer(phonesec_sdes *s, sdp_message_t *offer, sdp_message_t *local,
                               sdp_message_t **answer);

/**
 * \brief Read the peer's answer to our offer: phonesec_sdes_accept_answer().
 * \return what phonesec_sdes_accept_answer() returns; PHONESEC_E_INVAL;
 *         PHONESEC_E_PARSE (oSIP2 cannot print it); PHONESEC_E_NOMEM
 */
int phonesec_osip2_sdes_accept_answer(phonesec_sdes *s, sdp_message_t *answer);

/**
 * \brief The SDP body of a message (first body), parsed; NULL-safe.
 * \param sdp set to a new object (free: sdp_message_free())
 * \return PHONESEC_OK; PHONESEC_E_NOT_FOUND (no body); PHONESEC_E_PARSE
 *         (the body is not SDP oSIP2 can read); PHONESEC_E_LIMIT (body over
 *         64 KiB); PHONESEC_E_INVAL; PHONESEC_E_NOMEM
 */
int phonesec_osip2_message_sdp(osip_message_t *msg, sdp_message_t **sdp);

/**
 * \brief Make `sdp` the body of `msg` (replacing any body), with
 *        Content-Type application/sdp; oSIP2 writes Content-Length.
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE; PHONESEC_E_NOMEM
 */
int phonesec_osip2_set_sdp(osip_message_t *msg, sdp_message_t *sdp);

/**
 * \brief Queue a message on the persistent TLS flow (phonesec_flow_send()
 *        on its text).
 * \return what phonesec_flow_send() returns; PHONESEC_E_INVAL;
 *         PHONESEC_E_PARSE (oSIP2 cannot print it, or its start line holds
 *         a line end: nothing is sent); PHONESEC_E_NOMEM
 */
int phonesec_osip2_flow_send(phonesec_flow *flow, osip_message_t *msg);

/**
 * \brief Parse one message the flow handed to its message_cb.
 * \param out set to a new object (free: osip_message_free())
 * \return PHONESEC_OK; PHONESEC_E_PARSE (oSIP2 refused it); PHONESEC_E_INVAL;
 *         PHONESEC_E_NOMEM
 */
int phonesec_osip2_parse(const uint8_t *buf, size_t len, osip_message_t **out);

/** @} */

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_OSIP2_H */
