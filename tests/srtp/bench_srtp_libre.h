/* libre's SRTP behind plain functions (bench_srtp_libre.c). */
#ifndef BENCH_SRTP_LIBRE_H
#define BENCH_SRTP_LIBRE_H
#include <stddef.h>
#include <stdint.h>
int benchre_init(void);
void benchre_close(void);
/* which: 0 AES_CM_128_HMAC_SHA1_80, 1 _32, 2 AES_256_CM_HMAC_SHA1_80, 3 _32, 4 AES-128-GCM, 5 AES-256-GCM */
void *benchre_new(int which, const uint8_t *key, size_t key_len);
void benchre_free(void *s);
int benchre_protect(void *s, const uint8_t *pkt, size_t len);
int benchre_unprotect(void *s, const uint8_t *pkt, size_t len);
#endif
