/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "core/internal.h"
#include "core/text.h"

static const char std_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Value of c in the alphabet, or -1. */
static int b64_value(unsigned char c, int url)
{
    int v;
    if (c >= 'A' && c <= 'Z')
        v = c - 'A';
    else if (c >= 'a' && c <= 'z')
        v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
        v = c - '0' + 52;
    else if (c == (url ? '-' : '+'))
        v = 62;
    else if (c == (url ? '_' : '/'))
        v = 63;
    else
        v = -1;
    return v;
}

int phonesec_base64_decode(const char *in, size_t in_len, int variant, uint8_t *out, size_t out_cap,
                           size_t *out_len, size_t *err_pos)
{
    int url, pad_required, pad_allowed;
    size_t pads = 0, data_len, rem, need, i, o;
    uint32_t acc = 0;

    if ((in == NULL && in_len > 0) || (out == NULL && out_cap > 0) || out_len == NULL)
        return PHONESEC_E_INVAL;
    switch (variant) {
    case PHONESEC_BASE64_STD: url = 0; pad_required = 1; pad_allowed = 1; break;
    case PHONESEC_BASE64_STD_NOPAD_OK: url = 0; pad_required = 0; pad_allowed = 1; break;
    case PHONESEC_BASE64_URL: url = 1; pad_required = 0; pad_allowed = 0; break;
    case PHONESEC_BASE64_URL_NOPAD_OK: url = 1; pad_required = 0; pad_allowed = 1; break;
    default: return PHONESEC_E_INVAL;
    }

    while (pads < 2 && pads < in_len && in[in_len - 1 - pads] == '=')
        pads++;
    data_len = in_len - pads;
    rem = data_len % 4;

#define BAD(pos)                      \
    do {                              \
        if (err_pos != NULL)          \
            *err_pos = (pos);         \
        return PHONESEC_E_PARSE;      \
    } while (0)

    for (i = 0; i < data_len; i++)
        if (b64_value((unsigned char)in[i], url) < 0)
            BAD(i);
    if (pads > 0) {
        if (!pad_allowed)
            BAD(data_len);
        if (rem == 0 || rem == 1 || pads != 4 - rem)
            BAD(data_len);
    } else if (rem != 0 && pad_required) {
        BAD(in_len);
    }
    if (rem == 1)
        BAD(data_len - 1);
    if (rem == 2 && (b64_value((unsigned char)in[data_len - 1], url) & 0x0f) != 0)
        BAD(data_len - 1);
    if (rem == 3 && (b64_value((unsigned char)in[data_len - 1], url) & 0x03) != 0)
        BAD(data_len - 1);
#undef BAD

    need = data_len / 4 * 3 + (rem == 2 ? 1 : rem == 3 ? 2 : 0);
    *out_len = need;
    if (need > out_cap)
        return PHONESEC_E_BUFFER_SMALL;

    o = 0;
    for (i = 0; i + 4 <= data_len; i += 4) {
        acc = (uint32_t)b64_value((unsigned char)in[i], url) << 18 |
              (uint32_t)b64_value((unsigned char)in[i + 1], url) << 12 |
              (uint32_t)b64_value((unsigned char)in[i + 2], url) << 6 |
              (uint32_t)b64_value((unsigned char)in[i + 3], url);
        out[o++] = (uint8_t)(acc >> 16);
        out[o++] = (uint8_t)(acc >> 8);
        out[o++] = (uint8_t)acc;
    }
    if (rem >= 2) {
        acc = (uint32_t)b64_value((unsigned char)in[i], url) << 18 |
              (uint32_t)b64_value((unsigned char)in[i + 1], url) << 12;
        if (rem == 3)
            acc |= (uint32_t)b64_value((unsigned char)in[i + 2], url) << 6;
        out[o++] = (uint8_t)(acc >> 16);
        if (rem == 3)
            out[o++] = (uint8_t)(acc >> 8);
    }
    acc = 0;
    return PHONESEC_OK;
}

int phonesec_base64_encode(const uint8_t *in, size_t in_len, int variant, char *out, size_t out_cap,
                           size_t *out_len)
{
    const char *alpha;
    int pad;
    size_t full, rem, need, i, o = 0;

    if ((in == NULL && in_len > 0) || out_len == NULL || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    switch (variant) {
    case PHONESEC_BASE64_STD: alpha = std_alpha; pad = 1; break;
    case PHONESEC_BASE64_STD_NOPAD: alpha = std_alpha; pad = 0; break;
    case PHONESEC_BASE64_URL: alpha = url_alpha; pad = 0; break;
    default: return PHONESEC_E_INVAL;
    }
    if (in_len > (SIZE_MAX / 4) * 3 - 3)
        return PHONESEC_E_INVAL;
    full = in_len / 3;
    rem = in_len % 3;
    need = full * 4 + (rem == 0 ? 0 : pad ? 4 : rem + 1);
    *out_len = need;
    if (need + 1 > out_cap)
        return PHONESEC_E_BUFFER_SMALL;
    for (i = 0; i < full * 3; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        out[o++] = alpha[v >> 6 & 63];
        out[o++] = alpha[v & 63];
    }
    if (rem > 0) {
        uint32_t v = (uint32_t)in[i] << 16 | (rem == 2 ? (uint32_t)in[i + 1] << 8 : 0);
        out[o++] = alpha[v >> 18 & 63];
        out[o++] = alpha[v >> 12 & 63];
        if (rem == 2)
            out[o++] = alpha[v >> 6 & 63];
        if (pad) {
            if (rem == 1)
                out[o++] = '=';
            out[o++] = '=';
        }
    }
    out[o] = '\0';
    return PHONESEC_OK;
}

/* ---- streaming (core/text.h): armour fed in pieces ---------------------- */

void phonesec__b64_enc_init(phonesec__b64_enc *e, unsigned wrap)
{
    memset(e, 0, sizeof *e);
    e->wrap = wrap;
}

static void b64_group(phonesec__b64_enc *e, uint32_t v, unsigned nbytes, phonesec__sb *b)
{
    char q[5];
    size_t n = 4;
    q[0] = std_alpha[(v >> 18) & 63];
    q[1] = std_alpha[(v >> 12) & 63];
    q[2] = nbytes > 1 ? std_alpha[(v >> 6) & 63] : '=';
    q[3] = nbytes > 2 ? std_alpha[v & 63] : '=';
    e->col += 4;
    if (e->wrap != 0 && e->col >= e->wrap) {
        q[4] = '\n';
        n = 5;
        e->col = 0;
    }
    phonesec__sb_put(b, q, n);
}

void phonesec__b64_enc_update(phonesec__b64_enc *e, const uint8_t *in, size_t n, phonesec__sb *b)
{
    size_t i;
    for (i = 0; i < n; i++) {
        e->acc = (e->acc << 8) | in[i];
        if (++e->n == 3) {
            b64_group(e, e->acc, 3, b);
            e->acc = 0;
            e->n = 0;
        }
    }
}

void phonesec__b64_enc_final(phonesec__b64_enc *e, phonesec__sb *b)
{
    if (e->n > 0) {
        b64_group(e, e->acc << (8 * (3 - e->n)), e->n, b);
        e->n = 0;
        e->acc = 0;
    }
    if (e->wrap != 0 && e->col > 0) {
        e->col = 0;
        phonesec__sb_put(b, "\n", 1);
    }
}

void phonesec__b64_dec_init(phonesec__b64_dec *d)
{
    memset(d, 0, sizeof *d);
}

int phonesec__b64_dec_update(phonesec__b64_dec *d, const char *in, size_t n, uint8_t *out, size_t *out_n,
                             const char **why)
{
    size_t i, o = 0;
    *out_n = 0;
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)in[i];
        int v;
        if (ch == '\n' || ch == '\r' || ch == ' ' || ch == '\t')
            continue;
        if (ch == '=') {
            if (d->n < 2 || d->n + d->pad >= 4) {
                *why = "misplaced '=' in base64";
                return PHONESEC_E_PARSE;
            }
            d->pad++;
            continue;
        }
        if (d->pad > 0) {
            *why = "base64 data after '=' padding";
            return PHONESEC_E_PARSE;
        }
        if ((v = b64_value(ch, 0)) < 0) {
            *why = "character outside the base64 alphabet";
            return PHONESEC_E_PARSE;
        }
        d->acc = (d->acc << 6) | (uint32_t)v;
        if (++d->n == 4) {
            out[o++] = (uint8_t)(d->acc >> 16);
            out[o++] = (uint8_t)(d->acc >> 8);
            out[o++] = (uint8_t)d->acc;
            d->n = 0;
            d->acc = 0;
        }
        *out_n = o;
    }
    *out_n = o;
    return 0;
}

int phonesec__b64_dec_final(phonesec__b64_dec *d, uint8_t *out, size_t *out_n, const char **why)
{
    *out_n = 0;
    if (d->pad > 0 && d->n + d->pad != 4) {
        *why = "wrong '=' padding in base64";
        return PHONESEC_E_PARSE;
    }
    if (d->n == 1) {
        *why = "base64 ends in the middle of a byte";
        return PHONESEC_E_TRUNCATED;
    }
    if (d->n == 2) {
        if (d->acc & 0xf) {
            *why = "non-zero trailing bits in base64";
            return PHONESEC_E_PARSE;
        }
        out[0] = (uint8_t)(d->acc >> 4);
        *out_n = 1;
    } else if (d->n == 3) {
        if (d->acc & 0x3) {
            *why = "non-zero trailing bits in base64";
            return PHONESEC_E_PARSE;
        }
        out[0] = (uint8_t)(d->acc >> 10);
        out[1] = (uint8_t)(d->acc >> 2);
        *out_n = 2;
    }
    d->n = 0;
    d->acc = 0;
    d->pad = 0;
    return 0;
}
