/* Fuzz target: psec header (PSEC key id block) and records, and round trip.
 * data[0] bits 1 and 6 both set: password mode with tiny work limits (1000
 * PBKDF2 iterations, 256 KiB of scrypt), so every header the fuzzer writes
 * goes through the limit checks and, when inside them, a real wolfCrypt
 * KDF: never a backend error (PHONESEC_E_CRYPTO aborts). Decryption only
 * there (a KDF per input is slow enough). Otherwise raw-key mode with the
 * round trip. */
#include "fuzz_cfg_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    phonesec_cfgcrypt_params p = PHONESEC_CFGCRYPT_PARAMS_INIT;
    static const uint8_t ikm[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    static const uint8_t salt[16] = {9};
    int pw = size > 0 && (data[0] & 0x42) == 0x42;
    p.format = PHONESEC_CFGCRYPT_PSEC;
    if (pw) {
        p.kdf = (data[0] & 4) ? PHONESEC_CFGCRYPT_KDF_SCRYPT : PHONESEC_CFGCRYPT_KDF_PBKDF2;
        p.password = (const uint8_t *)"fuzz";
        p.password_len = 4;
        p.iterations = 1000;
        p.scrypt_log2n = 10;
        p.scrypt_r = 1 + (data[0] >> 7); /* 1 or 2 */
        p.scrypt_p = 1;
        p.max_kdf_iter = 1000;
        p.max_kdf_mem = 256 * 1024;
    } else {
        p.kdf = PHONESEC_CFGCRYPT_KDF_RAW;
        p.key = ikm;
        p.key_len = size > 0 && (data[0] & 1) ? 32 : 16;
    }
    p.salt = salt;
    p.salt_len = 16;
    p.record_size = size > 0 ? 18 + data[0] * 3 : 18;
    p.max_record_size = size > 0 && (data[0] & 8) ? p.record_size : 0;
    fz_drive(&p, data, size, !pw, 1);
    return 0;
}
