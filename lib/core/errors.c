/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "core/internal.h"

const char *phonesec_strerror(int err)
{
    switch (err) {
    case PHONESEC_OK: return "success";
    case PHONESEC_E_INVAL: return "invalid argument";
    case PHONESEC_E_NOMEM: return "out of memory";
    case PHONESEC_E_BUFFER_SMALL: return "output buffer too small";
    case PHONESEC_E_PARSE: return "malformed input";
    case PHONESEC_E_UNSUPPORTED: return "not supported";
    case PHONESEC_E_NOT_FOUND: return "not found";
    case PHONESEC_E_NO_MATCH: return "no match";
    case PHONESEC_E_STATE: return "invalid state for this call";
    case PHONESEC_E_CRYPTO: return "crypto backend failure";
    case PHONESEC_E_AUTH: return "authentication failed";
    case PHONESEC_E_REPLAY: return "replayed packet";
    case PHONESEC_E_WOULD_BLOCK: return "operation would block";
    case PHONESEC_E_IO: return "I/O error";
    case PHONESEC_E_CLOSED: return "connection closed";
    case PHONESEC_E_VERIFY: return "certificate verification failed";
    case PHONESEC_E_NAME: return "peer identity mismatch";
    case PHONESEC_E_POLICY: return "refused by policy";
    case PHONESEC_E_LIMIT: return "limit reached";
    case PHONESEC_E_DISABLED: return "feature disabled";
    case PHONESEC_E_TIMEOUT: return "timed out";
    case PHONESEC_E_RANDOM: return "random source failure";
    case PHONESEC_E_INTERNAL: return "internal error";
    case PHONESEC_E_EXPIRED: return "lifetime expired";
    case PHONESEC_E_TRUNCATED: return "truncated input";
    case PHONESEC_E_ALREADY: return "already initialised";
    case PHONESEC_E_HANDSHAKE: return "TLS handshake failed";
    default: return "unknown error";
    }
}

int phonesec__fail(phonesec__err *e, int code, const char *fmt, ...)
{
    if (e == NULL)
        return code;
    e->code = code;
    e->msg[0] = '\0';
    if (fmt != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

void phonesec__err_clear(phonesec__err *e)
{
    if (e != NULL) {
        e->code = 0;
        e->msg[0] = '\0';
    }
}

int phonesec__err_copy(const phonesec__err *e, char *buf, size_t cap)
{
    if (buf == NULL || cap == 0)
        return PHONESEC_E_INVAL;
    buf[0] = '\0';
    if (e == NULL || e->code == 0)
        return PHONESEC_OK;
    if (e->msg[0] != '\0')
        snprintf(buf, cap, "%s: %s", phonesec_strerror(e->code), e->msg);
    else
        snprintf(buf, cap, "%s", phonesec_strerror(e->code));
    return PHONESEC_OK;
}
