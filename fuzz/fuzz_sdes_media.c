/* Fuzz target: the per-media-section SDES calls (phonesec_sdes_media_*).
 * Input: a=crypto lines separated by '\n', then a NUL, then a packet. The
 * lines are answered (first byte's low bits choose mode and flags) and, by a
 * second object that made an offer, accepted; every return code must be a
 * documented one; a secured answer's own line must parse with its peer's
 * tag; the packet goes through unprotect and protect on the secured object. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXL 24

static int answer_rc_ok(int rc)
{
    return rc == PHONESEC_OK || rc == PHONESEC_E_PARSE || rc == PHONESEC_E_NO_MATCH || rc == PHONESEC_E_NOMEM;
}

static int accept_rc_ok(int rc)
{
    return rc == PHONESEC_OK || rc == PHONESEC_E_PARSE || rc == PHONESEC_E_NO_MATCH || rc == PHONESEC_E_POLICY ||
           rc == PHONESEC_E_UNSUPPORTED || rc == PHONESEC_E_NOMEM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *lines[MAXL];
    size_t lens[MAXL], n = 0, i, start, split = size, olen, pl;
    phonesec_sdes_policy pol;
    phonesec_sdes_media *m = NULL, *o = NULL;
    phonesec_sdes_crypto c;
    char line[1024];
    static uint8_t buf[8192], pkt[8192];
    unsigned sel = size ? data[0] : 0;
    int rc;

    for (i = 0; i < size; i++)
        if (data[i] == 0) {
            split = i;
            break;
        }
    for (start = size ? 1 : 0, i = start; i <= split && n < MAXL; i++)
        if (i == split || data[i] == '\n') {
            lines[n] = (const char *)data + start;
            lens[n] = i - start;
            n++;
            start = i + 1;
        }

    phonesec_sdes_policy_init(&pol);
    pol.mode = (sel & 1) ? PHONESEC_SDES_MANDATORY : PHONESEC_SDES_OPTIONAL;
    if (sel & 2)
        pol.flags |= PHONESEC_SDES_SRTCP_TAG32_COMPAT;
    if (sel & 4)
        pol.mki_len = 1 + ((sel >> 4) & 3);
    if (phonesec_sdes_media_new(&pol, &m) != PHONESEC_OK)
        abort();
    rc = phonesec_sdes_media_answer(m, lines, lens, n);
    if (!answer_rc_ok(rc))
        abort();
    if (rc == PHONESEC_OK && phonesec_sdes_media_state(m) == PHONESEC_SDES_SEC_SECURED) {
        if (phonesec_sdes_media_local_line(m, 0, line, sizeof line, &olen) != PHONESEC_OK)
            abort();
        if (phonesec_sdes_crypto_parse(line, olen, &c, NULL, 0) != PHONESEC_OK)
            abort();
        phonesec_sdes_crypto_wipe(&c);
        /* the same offer again changes nothing */
        if (phonesec_sdes_media_answer(m, lines, lens, n) != PHONESEC_OK)
            abort();
        if (split < size) {
            size_t plen = size - split - 1;
            if (plen > sizeof pkt)
                plen = sizeof pkt;
            memcpy(pkt, data + split + 1, plen);
            rc = phonesec_sdes_media_unprotect(m, pkt, plen, buf, sizeof buf, &pl);
            if (rc == PHONESEC_E_INVAL || rc == PHONESEC_E_STATE)
                abort();
            /* and the same bytes through protect */
            rc = phonesec_sdes_media_protect(m, pkt, plen, buf, sizeof buf, &pl);
            if (rc == PHONESEC_E_INVAL || rc == PHONESEC_E_STATE)
                abort();
        }
    } else if (rc == PHONESEC_OK && phonesec_sdes_media_state(m) != PHONESEC_SDES_SEC_CLEAR) {
        abort();
    }
    (void)phonesec_sdes_media_classify(data, size);

    if (phonesec_sdes_media_new(&pol, &o) != PHONESEC_OK)
        abort();
    if (phonesec_sdes_media_offer(o, &olen) != PHONESEC_OK || olen == 0)
        abort();
    rc = phonesec_sdes_media_accept(o, lines, lens, n);
    if (!accept_rc_ok(rc))
        abort();
    if (rc == PHONESEC_OK && n == 1 && phonesec_sdes_media_state(o) != PHONESEC_SDES_SEC_SECURED)
        abort();
    phonesec_sdes_media_free(m);
    phonesec_sdes_media_free(o);
    return 0;
}
