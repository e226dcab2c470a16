/* Fuzz target: strict base64 decoding, every variant; decode(encode(x)) == x. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <phonesec.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int dec_variants[] = {PHONESEC_BASE64_STD, PHONESEC_BASE64_STD_NOPAD_OK, PHONESEC_BASE64_URL,
                                       PHONESEC_BASE64_URL_NOPAD_OK};
    uint8_t out[4096], back[4096];
    char enc[6000];
    size_t i, n, m, pos;

    if (size > 4096)
        return 0;
    for (i = 0; i < 4; i++) {
        pos = (size_t)-1;
        int rc = phonesec_base64_decode((const char *)data, size, dec_variants[i], out, sizeof out, &n, &pos);
        if (rc == PHONESEC_E_PARSE && pos > size)
            abort();
        if (rc == PHONESEC_OK && n > size)
            abort();
    }
    if (phonesec_base64_encode(data, size, PHONESEC_BASE64_URL, enc, sizeof enc, &n) != PHONESEC_OK)
        abort();
    if (phonesec_base64_decode(enc, n, PHONESEC_BASE64_URL, back, sizeof back, &m, NULL) != PHONESEC_OK ||
        m != size || memcmp(back, data, size) != 0)
        abort();
    return 0;
}
