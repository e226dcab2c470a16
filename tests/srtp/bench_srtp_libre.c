/* libre's SRTP (what baresip runs) for bench_srtp.c: a separate file because
 * re.h and srtp2/srtp.h cannot share a translation unit. */
#define _DEFAULT_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <re.h>

#include "bench_srtp_libre.h"

static struct mbuf *g_mb;

int benchre_init(void)
{
    if (libre_init() != 0)
        return -1;
    g_mb = mbuf_alloc(2048);
    return g_mb != NULL ? 0 : -1;
}

void benchre_close(void)
{
    g_mb = mem_deref(g_mb);
    libre_close();
}

void *benchre_new(int which, const uint8_t *key, size_t key_len)
{
    static const enum srtp_suite map[] = {SRTP_AES_CM_128_HMAC_SHA1_80, SRTP_AES_CM_128_HMAC_SHA1_32,
                                          SRTP_AES_256_CM_HMAC_SHA1_80, SRTP_AES_256_CM_HMAC_SHA1_32,
                                          SRTP_AES_128_GCM,             SRTP_AES_256_GCM};
    struct srtp *s = NULL;
    if (which < 0 || which >= (int)(sizeof map / sizeof map[0]) ||
        srtp_alloc(&s, map[which], key, key_len, 0) != 0)
        return NULL;
    return s;
}

void benchre_free(void *s)
{
    mem_deref(s);
}

/* The same work as the others: the packet is copied into the buffer the
 * transform runs on (libre works in place in an mbuf). */
int benchre_protect(void *s, const uint8_t *pkt, size_t len)
{
    g_mb->pos = 0;
    g_mb->end = 0;
    if (mbuf_write_mem(g_mb, pkt, len) != 0)
        return -1;
    g_mb->pos = 0;
    return srtp_encrypt(s, g_mb);
}

int benchre_unprotect(void *s, const uint8_t *pkt, size_t len)
{
    g_mb->pos = 0;
    g_mb->end = 0;
    if (mbuf_write_mem(g_mb, pkt, len) != 0)
        return -1;
    g_mb->pos = 0;
    return srtp_decrypt(s, g_mb);
}
