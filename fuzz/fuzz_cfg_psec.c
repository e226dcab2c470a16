/* Fuzz target: psec header (PSEC key id block) and records, raw-key mode
 * (password modes would make every run as slow as the KDF), and round trip. */
#include "fuzz_cfg_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    phonesec_cfgcrypt_params p = PHONESEC_CFGCRYPT_PARAMS_INIT;
    static const uint8_t ikm[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    static const uint8_t salt[16] = {9};
    p.format = PHONESEC_CFGCRYPT_PSEC;
    p.kdf = PHONESEC_CFGCRYPT_KDF_RAW;
    p.key = ikm;
    p.key_len = size > 0 && (data[0] & 1) ? 32 : 16;
    p.salt = salt;
    p.salt_len = 16;
    p.record_size = size > 0 ? 18 + data[0] * 3 : 18;
    fz_drive(&p, data, size, 1, 1);
    return 0;
}
