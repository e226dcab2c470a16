/* Fuzz target: Yealink AES-ECB decoding (padding rules), round trip, key unwrap. */
#include "fuzz_cfg_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    phonesec_cfgcrypt_params p = PHONESEC_CFGCRYPT_PARAMS_INIT;
    uint8_t k[16];
    size_t kl;
    p.format = PHONESEC_CFGCRYPT_YEALINK;
    p.key = (const uint8_t *)"ljB7jiDIQQ7XD888ljB7jiDIQQ7XD888";
    p.key_len = (size > 0 && (data[0] & 1)) ? 32 : 16;
    fz_drive(&p, data, size, 1, 0);
    if (size >= 32) {
        int rc = phonesec_cfgcrypt_yealink_key_unwrap(data, 16, data + 16, 16, k, sizeof k, &kl);
        if (rc != 0 && rc != PHONESEC_E_AUTH)
            abort();
    }
    return 0;
}
