/*
 * libphonesec - legacy_rc4: RC4 signal encoding (obfuscation, not security).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <wolfssl/options.h>
#ifndef NO_RC4
#include <wolfssl/wolfcrypt/arc4.h>
#endif

#include "core/internal.h"
#include "phonesec/legacy_rc4.h"

#define MOD "legacy_rc4"
#define DGRAM_MAX 65535u

static int g_enabled;
static int g_warned;

/* ---- RC4: wolfCrypt's, or a local one where wolfSSL was built NO_RC4 ---- */
#ifndef NO_RC4
typedef Arc4 rc4_state;
static int rc4_init(rc4_state *st)
{
    return wc_Arc4Init(st, NULL, INVALID_DEVID) == 0 ? 0 : -1;
}
static int rc4_xor(rc4_state *st, const uint8_t *key, size_t klen, const uint8_t *in, uint8_t *out, size_t n)
{
    if (wc_Arc4SetKey(st, key, (word32)klen) != 0)
        return -1;
    return n == 0 || wc_Arc4Process(st, out, in, (word32)n) == 0 ? 0 : -1;
}
static void rc4_done(rc4_state *st)
{
    wc_Arc4Free(st);
}
#else
typedef struct {
    uint8_t s[256];
} rc4_state;
static int rc4_init(rc4_state *st)
{
    (void)st;
    return 0;
}
static int rc4_xor(rc4_state *st, const uint8_t *key, size_t klen, const uint8_t *in, uint8_t *out, size_t n)
{
    unsigned i, j = 0;
    size_t k;
    for (i = 0; i < 256; i++)
        st->s[i] = (uint8_t)i;
    for (i = 0; i < 256; i++) {
        uint8_t t = st->s[i];
        j = (j + t + key[i % klen]) & 255;
        st->s[i] = st->s[j];
        st->s[j] = t;
    }
    for (k = 0, i = 0, j = 0; k < n; k++) {
        uint8_t t;
        i = (i + 1) & 255;
        j = (j + st->s[i]) & 255;
        t = st->s[i];
        st->s[i] = st->s[j];
        st->s[j] = t;
        out[k] = in[k] ^ st->s[(st->s[i] + st->s[j]) & 255];
    }
    return 0;
}
static void rc4_done(rc4_state *st)
{
    (void)st;
}
#endif

struct phonesec_legacy_rc4;

/* ---- framing profiles ---------------------------------------------------
 * A profile turns a SIP datagram into what goes on the wire and back. Add a
 * softswitch framing here (name, bound, encode, decode) once real captures
 * show its layout; do not guess one. */
typedef struct sigenc_profile {
    const char *name;
    /* largest output for in_len input bytes */
    size_t (*bound)(size_t in_len, int encode);
    /* out has room for bound(); out may equal in. Returns a PHONESEC_E_* code. */
    int (*encode)(struct phonesec_legacy_rc4 *s, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len);
    int (*decode)(struct phonesec_legacy_rc4 *s, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len);
} sigenc_profile;

struct phonesec_legacy_rc4 {
    phonesec__err err;
    const sigenc_profile *prof;
    uint8_t key[256];
    size_t key_len;
    rc4_state rc4;
};

static size_t raw_bound(size_t in_len, int encode)
{
    (void)encode;
    return in_len;
}

/* raw: RC4, re-keyed for this datagram, over all of it. */
static int raw_xcode(struct phonesec_legacy_rc4 *s, const uint8_t *in, size_t n, uint8_t *out, size_t *out_len)
{
    if (rc4_xor(&s->rc4, s->key, s->key_len, in, out, n) != 0)
        return phonesec__fail(&s->err, PHONESEC_E_CRYPTO, "RC4 failed");
    *out_len = n;
    return PHONESEC_OK;
}

static const sigenc_profile profiles[] = {
    {"raw", raw_bound, raw_xcode, raw_xcode},
};

int phonesec_legacy_rc4_enable(int on)
{
    if (on != 0 && on != 1)
        return PHONESEC_E_INVAL;
    g_enabled = on;
    if (on && !g_warned) {
        g_warned = 1;
        phonesec__log(PHONESEC_LOG_WARN, MOD,
                      "legacy RC4 signal encoding enabled: obfuscation only, NOT security (the same RC4 keystream "
                      "is reused for every datagram and nothing is authenticated)");
    }
    return PHONESEC_OK;
}

int phonesec_legacy_rc4_enabled(void)
{
    return g_enabled;
}

const char *phonesec_legacy_rc4_profile(size_t i)
{
    return i < sizeof profiles / sizeof profiles[0] ? profiles[i].name : NULL;
}

int phonesec_legacy_rc4_new(const char *profile, const uint8_t *key, size_t key_len, phonesec_legacy_rc4 **out)
{
    phonesec_legacy_rc4 *s;
    size_t i;
    if (!g_enabled)
        return PHONESEC_E_DISABLED;
    if (out == NULL || profile == NULL || key == NULL || key_len == 0 || key_len > 256)
        return PHONESEC_E_INVAL;
    *out = NULL;
    for (i = 0; i < sizeof profiles / sizeof profiles[0]; i++)
        if (strcmp(profiles[i].name, profile) == 0)
            break;
    if (i == sizeof profiles / sizeof profiles[0])
        return PHONESEC_E_NOT_FOUND;
    s = phonesec__calloc(1, sizeof *s);
    if (s == NULL)
        return PHONESEC_E_NOMEM;
    if (rc4_init(&s->rc4) != 0) {
        phonesec__free(s);
        return PHONESEC_E_CRYPTO;
    }
    s->prof = &profiles[i];
    memcpy(s->key, key, key_len);
    s->key_len = key_len;
    *out = s;
    return PHONESEC_OK;
}

static int xcode(phonesec_legacy_rc4 *s, int enc, const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap,
                 size_t *out_len)
{
    size_t need;
    if (!g_enabled)
        return s != NULL ? phonesec__fail(&s->err, PHONESEC_E_DISABLED, "legacy RC4 is not enabled")
                         : PHONESEC_E_DISABLED;
    if (s == NULL || out_len == NULL || (in == NULL && in_len > 0) || (out == NULL && out_cap > 0))
        return PHONESEC_E_INVAL;
    if (in_len > DGRAM_MAX)
        return phonesec__fail(&s->err, PHONESEC_E_INVAL, "datagram longer than 65535 bytes");
    need = s->prof->bound(in_len, enc);
    if (out_cap < need) {
        *out_len = need;
        return PHONESEC_E_BUFFER_SMALL;
    }
    return enc ? s->prof->encode(s, in, in_len, out, out_len) : s->prof->decode(s, in, in_len, out, out_len);
}

int phonesec_legacy_rc4_encode(phonesec_legacy_rc4 *s, const uint8_t *in, size_t in_len, uint8_t *out,
                                  size_t out_cap, size_t *out_len)
{
    return xcode(s, 1, in, in_len, out, out_cap, out_len);
}

int phonesec_legacy_rc4_decode(phonesec_legacy_rc4 *s, const uint8_t *in, size_t in_len, uint8_t *out,
                                  size_t out_cap, size_t *out_len)
{
    return xcode(s, 0, in, in_len, out, out_cap, out_len);
}

int phonesec_legacy_rc4_last_error(const phonesec_legacy_rc4 *s, char *buf, size_t cap)
{
    if (s == NULL)
        return PHONESEC_E_INVAL;
    return phonesec__err_copy(&s->err, buf, cap);
}

void phonesec_legacy_rc4_free(phonesec_legacy_rc4 *s)
{
    if (s == NULL)
        return;
    rc4_done(&s->rc4);
    phonesec__free_secret(s, sizeof *s);
}
