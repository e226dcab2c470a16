/* Fuzz target: certificate lists as a phone receives them: an uploaded
 * trusted certificate (.crt/.cer, PEM or DER) or a CA bundle for the
 * built-in list (PEM, any number of blocks), through
 * phonesec_tls_ctx_add_trusted() and phonesec_tls_ctx_add_builtin(): the
 * PEM scanner, the base64 decoder, the strict DER name reader and wolfSSL's
 * certificate loading. Invariants: all or none (a failed call leaves the
 * count as it was); a success adds at most one certificate per PEM block
 * (one for DER); the custom list never exceeds its limit; a context stays
 * usable for a connection afterwards.
 * Input: byte 0 = list (bit 0: built-in) | format << 1 (0 AUTO, 1 PEM,
 * 2 DER, 3 invalid); the rest is the certificate data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t count_blocks(const uint8_t *d, size_t n)
{
    static const char tag[] = "-----BEGIN CERTIFICATE-----";
    size_t i, c = 0;
    for (i = 0; i + sizeof tag - 1 <= n; i++)
        if (memcmp(d + i, tag, sizeof tag - 1) == 0)
            c++;
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static phonesec_tls_ctx *ctx;
    phonesec_tls_conn *conn = NULL;
    phonesec_tls_conn_config cc;
    size_t before, after, blocks;
    int builtin, format, rc;

    if (size < 1)
        return 0;
    if (ctx == NULL) {
        phonesec_tls_config cfg;
        if (phonesec_init(NULL) != PHONESEC_OK)
            abort();
        phonesec_tls_config_init(&cfg);
        if (phonesec_tls_ctx_new(&cfg, &ctx) != PHONESEC_OK)
            abort();
    }
    builtin = data[0] & 1;
    format = (data[0] >> 1) & 3;
    data++;
    size--;
    before = builtin ? phonesec_tls_ctx_builtin_count(ctx) : phonesec_tls_ctx_trusted_count(ctx);
    rc = builtin ? phonesec_tls_ctx_add_builtin(ctx, data, size, format)
                 : phonesec_tls_ctx_add_trusted(ctx, data, size, format);
    after = builtin ? phonesec_tls_ctx_builtin_count(ctx) : phonesec_tls_ctx_trusted_count(ctx);
    if (rc != PHONESEC_OK && after != before)
        abort(); /* all or none */
    if (format == 3 && rc != PHONESEC_E_INVAL)
        abort();
    blocks = count_blocks(data, size);
    if (rc == PHONESEC_OK && after - before > (blocks > 0 ? blocks : 1))
        abort();
    if (!builtin && after > PHONESEC_TLS_DEFAULT_MAX_TRUSTED)
        abort();
    /* still usable */
    phonesec_tls_conn_config_init(&cc);
    cc.reference_name = "sip.example.com";
    rc = phonesec_tls_conn_new(ctx, &cc, &conn);
    if (rc != PHONESEC_OK && rc != PHONESEC_E_STATE && rc != PHONESEC_E_NOMEM)
        abort();
    phonesec_tls_conn_free(conn);
    /* bounded state: start the next input from empty lists */
    if (phonesec_tls_ctx_clear_builtin(ctx) != PHONESEC_OK)
        abort();
    while (phonesec_tls_ctx_trusted_count(ctx) > 0)
        if (phonesec_tls_ctx_remove_trusted(ctx, 0) != PHONESEC_OK)
            abort();
    return 0;
}
