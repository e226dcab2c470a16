/*
 * libphonesec - ciphers: handing a selection to wolfSSL.
 *
 * wolfSSL's defaults are never trusted: the context gets an explicit list
 * of wolfSSL's own suite names, built from IANA codes, so nothing that was
 * not selected (RC4, 3DES, NULL in Debian's build) can be negotiated.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "ciphers/internal.h"

const char *phonesec__ciphers_wolfssl_name(uint16_t iana)
{
    const char *n = wolfSSL_get_cipher_name_from_suite((unsigned char)(iana >> 8), (unsigned char)(iana & 0xFF));
    if (n == NULL || n[0] == '\0' || strcmp(n, "None") == 0)
        return NULL;
    return n;
}

int phonesec_ciphers_backend_available(uint16_t iana)
{
    if (phonesec_ciphers_by_code(iana) == NULL)
        return 0;
    return phonesec__ciphers_wolfssl_name(iana) != NULL;
}

int phonesec_ciphers_apply_wolfssl(void *wolfssl_ctx, const uint16_t *codes, size_t n)
{
    size_t i, len = 0, cap = 1, used = 0;
    char *list;
    int rc, has13 = 0;

    if (wolfssl_ctx == NULL || (codes == NULL && n > 0))
        return PHONESEC_E_INVAL;
    for (i = 0; i < n; i++) {
        const char *nm = phonesec_ciphers_by_code(codes[i]) ? phonesec__ciphers_wolfssl_name(codes[i]) : NULL;
        if (nm != NULL)
            cap += strlen(nm) + 1;
    }
    if (cap == 1)
        return PHONESEC_E_NO_MATCH;
    list = phonesec__malloc(cap);
    if (list == NULL)
        return PHONESEC_E_NOMEM;
    list[0] = '\0';
    for (i = 0; i < n; i++) {
        const char *nm = phonesec_ciphers_by_code(codes[i]) ? phonesec__ciphers_wolfssl_name(codes[i]) : NULL;
        size_t k;
        int dup = 0;
        if (nm == NULL)
            continue;
        for (k = 0; k < i; k++)
            if (codes[k] == codes[i])
                dup = 1;
        if (dup)
            continue;
        if ((codes[i] >> 8) == 0x13)
            has13 = 1;
        if (used > 0)
            (void)phonesec__buf_append(list, cap, &len, ":", 1);
        (void)phonesec__buf_append(list, cap, &len, nm, strlen(nm));
        used++;
    }
    rc = wolfSSL_CTX_set_cipher_list((WOLFSSL_CTX *)wolfssl_ctx, list);
    phonesec__log(PHONESEC_LOG_DEBUG, "ciphers", "wolfSSL cipher list (%zu suites): %s", used, list);
    phonesec__free(list);
    if (rc != WOLFSSL_SUCCESS)
        return PHONESEC_E_CRYPTO;
    /* Without a TLS 1.3 suite wolfSSL would still pick TLS 1.3 with a peer
     * that offers it, and then fail for want of a suite: cap at TLS 1.2. */
    if (!has13 && wolfSSL_CTX_set_max_proto_version((WOLFSSL_CTX *)wolfssl_ctx, TLS1_2_VERSION) != WOLFSSL_SUCCESS)
        return PHONESEC_E_CRYPTO;
    return PHONESEC_OK;
}
