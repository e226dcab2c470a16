/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "core/internal.h"

void phonesec_memzero(void *p, size_t len)
{
    /* A volatile function pointer keeps the compiler from proving the
     * stores dead (the technique libsodium and OpenSSL use where
     * explicit_bzero/memset_s are not portable). */
    static void *(*const volatile memset_v)(void *, int, size_t) = memset;
    if (p != NULL && len > 0)
        memset_v(p, 0, len);
}

int phonesec_ct_memcmp(const void *a, const void *b, size_t len)
{
    const volatile unsigned char *x = a;
    const volatile unsigned char *y = b;
    unsigned char d = 0;
    size_t i;

    if (len == 0)
        return 0;
    if (a == NULL || b == NULL)
        return -1;
    for (i = 0; i < len; i++)
        d |= (unsigned char)(x[i] ^ y[i]);
    /* (d - 1) >> 8 is 1 only for d == 0, without a branch on d. */
    return (int)((1u & (((unsigned)d - 1u) >> 8)) - 1u);
}

int phonesec__ascii_tolower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int phonesec__strcaseeq(const char *a, const char *b)
{
    for (;; a++, b++) {
        if (phonesec__ascii_tolower((unsigned char)*a) != phonesec__ascii_tolower((unsigned char)*b))
            return 0;
        if (*a == '\0')
            return 1;
    }
}

int phonesec__strncaseeq(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (phonesec__ascii_tolower((unsigned char)a[i]) != phonesec__ascii_tolower((unsigned char)b[i]))
            return 0;
        if (a[i] == '\0')
            return 1;
    }
    return 1;
}

int phonesec__buf_append(char *buf, size_t cap, size_t *len, const char *s, size_t n)
{
    if (*len + n + 1 > cap)
        return -1;
    memcpy(buf + *len, s, n);
    *len += n;
    buf[*len] = '\0';
    return 0;
}

int phonesec__struct_in(void *dst, size_t dst_size, const void *src, const size_t *sizes, unsigned n)
{
    unsigned v;
    size_t len;
    if (dst == NULL || src == NULL || sizes == NULL || n == 0)
        return PHONESEC_E_INVAL;
    memcpy(&v, src, sizeof v);
    if (v == 0 || v > n)
        return PHONESEC_E_INVAL;
    len = sizes[v - 1];
    if (len > dst_size || len < sizeof v)
        return PHONESEC_E_INTERNAL;
    memset(dst, 0, dst_size);
    memcpy(dst, src, len);
    return PHONESEC_OK;
}

int phonesec__struct_out(void *dst, const void *full, const size_t *sizes, unsigned n)
{
    unsigned v;
    if (dst == NULL || full == NULL || sizes == NULL || n == 0)
        return PHONESEC_E_INVAL;
    memcpy(&v, dst, sizeof v);
    if (v == 0)
        return PHONESEC_E_INVAL;
    if (v > n)
        v = n;
    memcpy(dst, full, sizes[v - 1]);
    memcpy(dst, &v, sizeof v);
    return PHONESEC_OK;
}
