/* Fuzz target: RFC 8188 aes128gcm header and record parser, and round trip. */
#include "fuzz_cfg_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    phonesec_cfgcrypt_params p = PHONESEC_CFGCRYPT_PARAMS_INIT;
    static const uint8_t ikm[16] = {0xca, 0xa7, 0x65, 0x67, 0xeb, 0x58, 0x7a, 0x67,
                                    0xe8, 0x81, 0x29, 0xaf, 0xed, 0x6b, 0x39, 0x3d}; /* RFC 8188 §3.1 */
    static const uint8_t salt[16] = {0};
    p.format = PHONESEC_CFGCRYPT_RFC8188;
    p.key = ikm;
    p.key_len = sizeof ikm;
    p.salt = salt;
    p.salt_len = 16;
    p.key_id = (const uint8_t *)"a1";
    p.key_id_len = 2;
    p.record_size = size > 0 ? 18 + data[0] : 18;
    p.pad = size > 0 ? data[0] % 41 : 0;
    /* a tight record size limit sometimes: headers asking for more are refused */
    p.max_record_size = size > 0 && (data[0] & 0x80) ? p.record_size : 0;
    fz_drive(&p, data, size, 1, 1);
    return 0;
}
