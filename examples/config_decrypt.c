/*
 * Decrypt a provisioning file the way a phone does after downloading it.
 *
 * The provisioning server encrypted it with `openssl enc -aes-256-cbc
 * -pbkdf2` (Cisco, Grandstream, Panasonic style), with our `psec` format, or
 * Yealink-style AES-ECB. phonesec_cfgcrypt_file() writes the plaintext
 * atomically: on a wrong password, a tag mismatch, a truncated download or a
 * full flash, OUT is not created and the old configuration stays in place.
 * The password is read from a file (never from the command line) and wiped
 * after use.
 *
 *   config_decrypt openssl|psec|yealink SECRET_FILE IN OUT
 *   e.g. config_decrypt openssl pw.txt phone.cfg.enc phone.cfg
 */
#include <stdio.h>
#include <string.h>

#include <phonesec.h>

int main(int argc, char **argv)
{
    phonesec_cfgcrypt_params p = PHONESEC_CFGCRYPT_PARAMS_INIT;
    uint8_t secret[256];
    char err[512] = "";
    size_t len;
    FILE *f;
    int rc;

    if (argc != 5) {
        fprintf(stderr, "usage: config_decrypt openssl|psec|yealink SECRET_FILE IN OUT\n");
        return 2;
    }
    if ((f = fopen(argv[2], "rb")) == NULL) {
        perror(argv[2]);
        return 1;
    }
    len = fread(secret, 1, sizeof secret, f);
    fclose(f);
    if (len > 0 && secret[len - 1] == '\n') /* as `openssl enc -pass file:` reads it */
        len--;

    if (strcmp(argv[1], "openssl") == 0) {
        p.format = PHONESEC_CFGCRYPT_OPENSSL;
        p.kdf = PHONESEC_CFGCRYPT_KDF_PBKDF2; /* openssl enc -pbkdf2 (-iter 10000, -md sha256) */
    } else if (strcmp(argv[1], "psec") == 0) {
        p.format = PHONESEC_CFGCRYPT_PSEC;    /* KDF and its parameters come from the header */
    } else if (strcmp(argv[1], "yealink") == 0) {
        p.format = PHONESEC_CFGCRYPT_YEALINK; /* the 16 or 32 character AES key */
    } else {
        fprintf(stderr, "config_decrypt: unknown format %s\n", argv[1]);
        return 2;
    }
    if (p.format == PHONESEC_CFGCRYPT_YEALINK) {
        p.key = secret;
        p.key_len = len;
    } else {
        p.password = secret;
        p.password_len = len;
    }

    rc = phonesec_cfgcrypt_file(&p, 0, argv[3], argv[4], NULL, NULL, err, sizeof err);
    phonesec_memzero(secret, sizeof secret);
    if (rc != PHONESEC_OK) {
        fprintf(stderr, "config_decrypt: %s (%s); %s left as it was\n", err, phonesec_strerror(rc), argv[4]);
        return 1;
    }
    printf("config_decrypt: %s -> %s\n", argv[3], argv[4]);
    return 0;
}
