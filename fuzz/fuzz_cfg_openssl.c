/* Fuzz target: openssl enc "Salted__" parser (raw and base64), and round trip. */
#include "fuzz_cfg_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    phonesec_cfgcrypt_params p = PHONESEC_CFGCRYPT_PARAMS_INIT;
    static const uint8_t salt[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    p.format = PHONESEC_CFGCRYPT_OPENSSL;
    p.kdf = (size > 0 && (data[0] & 1)) ? PHONESEC_CFGCRYPT_KDF_EVP_MD5 : PHONESEC_CFGCRYPT_KDF_EVP_SHA256;
    p.base64 = size > 0 && (data[0] & 2);
    p.password = (const uint8_t *)"secret";
    p.password_len = 6;
    p.salt = salt;
    p.salt_len = 8;
    fz_drive(&p, data, size, 1, 1);
    return 0;
}
