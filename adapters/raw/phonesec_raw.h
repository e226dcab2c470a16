/*
 * libphonesec raw SIP text adapter: whole SIP messages in, rewritten
 * messages out, for in-house SIP stacks.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_RAW_H
#define PHONESEC_RAW_H

#include <stddef.h>

#include "phonesec/mediasec.h"
#include "phonesec/sdes.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * \file phonesec_raw.h
 * \brief Decorate and read whole SIP messages: Security-* headers (through
 *        phonesec/mediasec.h), the SDP body's a=crypto lines (through
 *        phonesec/sdes.h), Content-Length.
 *
 * The stack hands every message it sends to phonesec_raw_outgoing() and
 * sends what comes back; it hands every message it receives to
 * phonesec_raw_incoming() before acting on it. Nothing else of the message
 * is parsed or changed: the start line, the other headers and their order
 * and spelling, and a body that is not application/sdp stay byte for byte.
 *
 * One phonesec_raw per call leg (or per registration, without SDES); it
 * uses the caller's phonesec_mediasec (per registration flow, may be NULL)
 * and phonesec_sdes (per call, may be NULL), which stay the caller's: the
 * negotiated keys are read from the phonesec_sdes (phonesec_sdes_params()).
 *
 * Message rules: headers end at the first empty line (CRLF or LF); a
 * Content-Length (or `l`) header gives the body length, exactly one, in
 * decimal; without one the body is the rest (RFC 3261 §18.3, UDP); bytes
 * after Content-Length are dropped from the output. A body counts as SDP
 * when Content-Type (or `c`) is application/sdp. Multipart bodies are not
 * handled (left untouched). Messages are at most PHONESEC_MEDIASEC_MAX_TEXT
 * bytes.
 */

/** \name What a call did (the `done` bits)
 * @{ */
#define PHONESEC_RAW_MEDIASEC   (1u << 0) /**< Security-* headers written (out) or Security-Server read (in) */
#define PHONESEC_RAW_SDP_OFFER  (1u << 1) /**< our offer written (out) / the peer's offer answered (in) */
#define PHONESEC_RAW_SDP_ANSWER (1u << 2) /**< our answer written (out) / the peer's answer accepted (in) */
#define PHONESEC_RAW_LENGTH     (1u << 3) /**< Content-Length rewritten (out) */
/** @} */

/** One call leg's (or registration's) adapter state (opaque). */
typedef struct phonesec_raw phonesec_raw;

/**
 * \brief New adapter state.
 * \param ms   MediaSec negotiation of the registration flow, or NULL
 * \param sdes SDES state of the call, or NULL (then bodies are left alone)
 * \param out  receives the object
 * \return PHONESEC_OK; PHONESEC_E_INVAL (out NULL); PHONESEC_E_NOMEM
 */
int phonesec_raw_new(phonesec_mediasec *ms, phonesec_sdes *sdes, phonesec_raw **out);

/** \brief Free the state (not ms or sdes); its output buffer is wiped. NULL is a no-op. */
void phonesec_raw_free(phonesec_raw *r);

/**
 * \brief Rewrite a message we are about to send.
 *
 * Requests go through phonesec_mediasec_prepare_request() (Security-Client,
 * Security-Verify, Require/Proxy-Require). An SDP body becomes our answer
 * (phonesec_sdes_answer_sdp()) when the peer's offer was read and not yet
 * answered, else our offer (phonesec_sdes_offer()); Content-Length is then
 * set to the new body's length.
 * \param out     set to the rewritten message (owned by r, valid until the
 *                next call on r; wiped at phonesec_raw_free())
 * \param out_len its length
 * \param done    PHONESEC_RAW_* bits (may be NULL)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE (no empty line
 *         after the headers, a bad or repeated Content-Length, or an SDP the
 *         sdes module refuses); PHONESEC_E_TRUNCATED (Content-Length beyond
 *         the end); PHONESEC_E_LIMIT (message too long); any error of
 *         phonesec_mediasec_prepare_request(), phonesec_sdes_offer() or
 *         phonesec_sdes_answer_sdp(); PHONESEC_E_NOMEM
 */
int phonesec_raw_outgoing(phonesec_raw *r, const char *msg, size_t len, const char **out, size_t *out_len,
                          unsigned *done);

/**
 * \brief Read a message we received.
 *
 * Responses go to phonesec_mediasec_on_response() (Security-Server). An
 * SDP body in a request other than ACK is the peer's offer
 * (phonesec_sdes_answer(): our answer goes into the next outgoing SDP); in
 * a response or an ACK it is the answer to our pending offer
 * (phonesec_sdes_accept_answer()); a response with SDP and no offer of ours
 * pending (a 200 repeating a 183's answer) changes nothing. A final
 * response of 300 or more to our offer withdraws it
 * (phonesec_sdes_offer_withdraw()).
 * \param done PHONESEC_RAW_* bits (may be NULL)
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE;
 *         PHONESEC_E_TRUNCATED; PHONESEC_E_LIMIT; PHONESEC_E_STATE (an
 *         offer from the peer while ours is pending: glare, answer 491);
 *         any error of phonesec_mediasec_on_response(),
 *         phonesec_sdes_answer() or phonesec_sdes_accept_answer()
 */
int phonesec_raw_incoming(phonesec_raw *r, const char *msg, size_t len, unsigned *done);

/**
 * \brief Where the body of a message is (stateless).
 * \param body_off set to the offset of the body
 * \param body_len set to its length (from Content-Length, else the rest)
 * \param msg the SIP message text
 * \param len its length in bytes
 * \return PHONESEC_OK; PHONESEC_E_INVAL; PHONESEC_E_PARSE (no empty line,
 *         a Content-Length that is not one decimal number or is repeated);
 *         PHONESEC_E_TRUNCATED (Content-Length beyond the end);
 *         PHONESEC_E_LIMIT (longer than PHONESEC_MEDIASEC_MAX_TEXT)
 */
int phonesec_raw_body(const char *msg, size_t len, size_t *body_off, size_t *body_len);

/**
 * \brief Detail of the last failure ("" when none); never key material.
 * \return PHONESEC_OK or PHONESEC_E_INVAL
 */
int phonesec_raw_last_error(const phonesec_raw *r, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif /* PHONESEC_RAW_H */
