/*
 * sofia-sip adapter: moves text between sofia objects and libphonesec. No
 * protocol logic here: every decision is the library's (phonesec_sofia.h).
 */
#include "phonesec_sofia.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sofia-sip/sip_tag.h>

#include "phonesec/core.h"

#define SDP_MAX 65536u

int phonesec_sofia_request_tags(phonesec_mediasec *ms, su_home_t *home, const char *method, tagi_t **tags)
{
    char buf[4096], req[64] = "";
    size_t len = 0, i = 0;
    unsigned bits;
    const char *p, *end;
    tagi_t *t;
    int rc;

    if (ms == NULL || home == NULL || method == NULL || tags == NULL)
        return PHONESEC_E_INVAL;
    *tags = NULL;
    rc = phonesec_mediasec_request_headers(ms, method, PHONESEC_MEDIASEC_STYLE_SINGLE, buf, sizeof buf, &len);
    if (rc != PHONESEC_OK)
        return rc == PHONESEC_E_BUFFER_SMALL ? PHONESEC_E_LIMIT : rc;
    if ((t = su_zalloc(home, 5 * sizeof *t)) == NULL)
        return PHONESEC_E_NOMEM;
    /* one "Name: value" line per header (single style) */
    for (p = buf, end = buf + len; p < end && i < 2;) {
        const char *eol = memchr(p, '\r', (size_t)(end - p)), *colon = memchr(p, ':', (size_t)(end - p));
        const char *v;
        if (eol == NULL || colon == NULL || colon > eol)
            break;
        for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
            ;
        if ((size_t)(colon - p) == strlen(PHONESEC_MEDIASEC_HDR_CLIENT) &&
            strncasecmp(p, PHONESEC_MEDIASEC_HDR_CLIENT, (size_t)(colon - p)) == 0)
            t[i].t_tag = siptag_security_client_str;
        else
            t[i].t_tag = siptag_security_verify_str;
        t[i].t_value = (tag_value_t)su_strndup(home, v, (isize_t)(eol - v));
        if ((char *)t[i].t_value == NULL)
            return PHONESEC_E_NOMEM;
        i++;
        p = eol + 2;
    }
    bits = phonesec_mediasec_option_tags(ms, method);
    if (bits & PHONESEC_MEDIASEC_TAG_SEC_AGREE)
        strcat(req, "sec-agree");
    if (bits & PHONESEC_MEDIASEC_TAG_MEDIASEC)
        strcat(req, req[0] ? ", mediasec" : "mediasec");
    if (req[0] != '\0') {
        t[i].t_tag = siptag_require_str;
        t[i++].t_value = (tag_value_t)su_strdup(home, req);
        t[i].t_tag = siptag_proxy_require_str;
        t[i++].t_value = (tag_value_t)su_strdup(home, req);
        if ((char *)t[i - 1].t_value == NULL || (char *)t[i - 2].t_value == NULL)
            return PHONESEC_E_NOMEM;
    }
    t[i].t_tag = NULL; /* TAG_END */
    t[i].t_value = 0;
    *tags = t;
    return PHONESEC_OK;
}

int phonesec_sofia_on_response(phonesec_mediasec *ms, msg_t *msg)
{
    su_home_t home[1] = {SU_HOME_INIT(home)};
    size_t len = 0;
    char *txt;
    int rc;
    if (ms == NULL || msg == NULL)
        return PHONESEC_E_INVAL;
    if ((txt = msg_as_string(home, msg, NULL, 0, &len)) == NULL) {
        su_home_deinit(home);
        return PHONESEC_E_PARSE;
    }
    rc = phonesec_mediasec_on_response(ms, txt, len);
    su_home_deinit(home);
    return rc;
}

/* ---------------------------------------------------------------- SDP */

/* Print a session; *txt lives in the printer (free with sdp_printer_free). */
static int sdp_text(sdp_session_t const *sdp, sdp_printer_t **pr, const char **txt, size_t *len)
{
    *pr = sdp_print(NULL, sdp, NULL, 0, 0);
    if (*pr == NULL)
        return PHONESEC_E_NOMEM;
    if ((*txt = sdp_message(*pr)) == NULL) {
        sdp_printer_free(*pr);
        *pr = NULL;
        return PHONESEC_E_PARSE;
    }
    *len = (size_t)sdp_message_size(*pr);
    return PHONESEC_OK;
}

static void wipe_printer(sdp_printer_t *pr, const char *txt, size_t len)
{
    if (pr != NULL && txt != NULL)
        phonesec_memzero((void *)txt, len); /* SDES keys */
    sdp_printer_free(pr);
}

/* Parse text into a session allocated in home. */
static int sdp_read(su_home_t *home, const char *txt, size_t len, sdp_session_t **out)
{
    sdp_parser_t *p = sdp_parse(NULL, txt, (issize_t)len, 0);
    sdp_session_t *s = p != NULL ? sdp_session(p) : NULL;
    *out = s != NULL ? sdp_session_dup(home, s) : NULL;
    sdp_parser_free(p);
    if (*out == NULL)
        return s == NULL ? PHONESEC_E_PARSE : PHONESEC_E_NOMEM;
    return PHONESEC_OK;
}

typedef int (*sdp_fn)(phonesec_sdes *, const char *, size_t, char *, size_t, size_t *);

static int sdp_through(phonesec_sdes *s, sdp_fn fn, su_home_t *home, sdp_session_t const *in, sdp_session_t **res)
{
    sdp_printer_t *pr = NULL;
    const char *txt = NULL;
    size_t len = 0, n = 0;
    char *out;
    int rc;
    if ((rc = sdp_text(in, &pr, &txt, &len)) != PHONESEC_OK)
        return rc;
    if ((out = malloc(SDP_MAX + 1)) == NULL) {
        wipe_printer(pr, txt, len);
        return PHONESEC_E_NOMEM;
    }
    rc = fn(s, txt, len, out, SDP_MAX, &n);
    wipe_printer(pr, txt, len);
    if (rc == PHONESEC_OK)
        rc = sdp_read(home, out, n, res);
    phonesec_memzero(out, SDP_MAX + 1);
    free(out);
    return rc;
}

int phonesec_sofia_sdes_offer(phonesec_sdes *s, su_home_t *home, sdp_session_t const *local,
                              sdp_session_t **offer)
{
    if (s == NULL || home == NULL || local == NULL || offer == NULL)
        return PHONESEC_E_INVAL;
    *offer = NULL;
    return sdp_through(s, phonesec_sdes_offer, home, local, offer);
}

int phonesec_sofia_sdes_answer(phonesec_sdes *s, su_home_t *home, sdp_session_t const *offer,
                               sdp_session_t const *local, sdp_session_t **answer)
{
    sdp_printer_t *pr = NULL;
    const char *txt = NULL;
    size_t len = 0;
    int rc;
    if (s == NULL || home == NULL || offer == NULL || local == NULL || answer == NULL)
        return PHONESEC_E_INVAL;
    *answer = NULL;
    if ((rc = sdp_text(offer, &pr, &txt, &len)) != PHONESEC_OK)
        return rc;
    rc = phonesec_sdes_answer(s, txt, len);
    wipe_printer(pr, txt, len);
    if (rc != PHONESEC_OK)
        return rc;
    return sdp_through(s, phonesec_sdes_answer_sdp, home, local, answer);
}

int phonesec_sofia_sdes_accept_answer(phonesec_sdes *s, sdp_session_t const *answer)
{
    sdp_printer_t *pr = NULL;
    const char *txt = NULL;
    size_t len = 0;
    int rc;
    if (s == NULL || answer == NULL)
        return PHONESEC_E_INVAL;
    if ((rc = sdp_text(answer, &pr, &txt, &len)) != PHONESEC_OK)
        return rc;
    rc = phonesec_sdes_accept_answer(s, txt, len);
    wipe_printer(pr, txt, len);
    return rc;
}
