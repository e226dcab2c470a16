/*
 * libphonesec - ciphers: the suite table and lookups.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "ciphers/internal.h"

#define S(code, name, std, kx, au, enc, mac, bits, ver, km, am, em, mm, vm, cls) \
    {{code, name, std, kx, au, enc, mac, bits, ver}, km, am, em, mm, vm, cls},

static const phonesec__cipher table[] = {
#include "table.inc"
};

#define TABLE_N (sizeof table / sizeof table[0])
_Static_assert(TABLE_N <= PHONESEC__CIPHERS_MAX, "cipher table outgrew the engine's lists");

const phonesec__cipher *phonesec__ciphers_table(size_t *n)
{
    *n = TABLE_N;
    return table;
}

size_t phonesec_ciphers_count(void)
{
    return TABLE_N;
}

const phonesec_ciphers_suite *phonesec_ciphers_at(size_t i)
{
    return i < TABLE_N ? &table[i].pub : NULL;
}

const phonesec_ciphers_suite *phonesec_ciphers_by_code(uint16_t iana)
{
    size_t lo = 0, hi = TABLE_N;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (table[mid].pub.iana == iana)
            return &table[mid].pub;
        if (table[mid].pub.iana < iana)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const phonesec_ciphers_suite *phonesec_ciphers_by_name(const char *name)
{
    size_t i;
    if (name == NULL)
        return NULL;
    for (i = 0; i < TABLE_N; i++)
        if (strcmp(table[i].pub.openssl_name, name) == 0 || strcmp(table[i].pub.iana_name, name) == 0)
            return &table[i].pub;
    return NULL;
}

const char *phonesec_ciphers_preset(int preset)
{
    if (preset < 0)
        return NULL;
    switch (preset & PHONESEC_CIPHERS_PRESET_MASK) { /* flag bits ignored */
    case PHONESEC_CIPHERS_PRESET_DEFAULT:
        return "DEFAULT";
    case PHONESEC_CIPHERS_PRESET_WEB:
        return "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA:AES128-SHA:DES-CBC3-SHA";
    case PHONESEC_CIPHERS_PRESET_XMPP:
        return "HIGH:MEDIUM:AES:@STRENGTH";
    default:
        return NULL;
    }
}
