/* phonesec config: encrypt or decrypt configuration files (public API only). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <phonesec.h>

#include "tool.h"

#define SECRET_FILE_MAX 8192

static void config_usage(FILE *f)
{
    fprintf(f,
            "usage: phonesec config encrypt|decrypt --format openssl|yealink|rfc8188|psec [options] IN OUT\n"
            "  IN or OUT may be '-' (standard input/output; standard output is not atomic)\n"
            "openssl:  --password-file F | --password-env VAR  [--md md5|sha256] [--pbkdf2 [--iter N]] [--base64]\n"
            "yealink:  --key-file F (16 or 32 ASCII characters)\n"
            "          | --security-enc F --common-key-file F (decrypt: key from <name>_Security.enc;\n"
            "            encrypt with --key-file too: also writes F)\n"
            "rfc8188:  --ikm-file F (base64url keying material) [--key-id ID] [--record-size N] [--pad N]\n"
            "psec:     --password-file F | --password-env VAR [--iter N | --scrypt] [--record-size N]\n"
            "          | --ikm-file F (raw keying material)\n"
            "Secrets are never taken from the command line.\n");
}

/* Whole small file into buf (NUL added); returns length or -1. */
static long read_small(const char *path, char *buf, size_t cap)
{
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "phonesec config: cannot open %s: %s\n", path, strerror(errno));
        return -1;
    }
    n = fread(buf, 1, cap - 1, f);
    if (ferror(f) || (n == cap - 1 && fgetc(f) != EOF)) {
        fprintf(stderr, "phonesec config: cannot read %s (or larger than %zu bytes)\n", path, cap - 2);
        fclose(f);
        return -1;
    }
    fclose(f);
    buf[n] = '\0';
    return (long)n;
}

static size_t strip_ws(char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return n;
}

static void progress_cb(void *ud, uint64_t done, uint64_t total)
{
    int *last = ud;
    if (total > 0) {
        int pct = (int)(done * 100 / total);
        if (pct != *last) {
            fprintf(stderr, "\rphonesec config: %3d%%", pct);
            *last = pct;
        }
    }
}

/* Write a small file atomically (temp + fsync + rename). */
/* 1 when a and b name the same file (same path, or same device and inode). */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (strcmp(a, b) == 0)
        return 1;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int write_atomic(const char *path, const uint8_t *d, size_t n)
{
    size_t len = strlen(path) + 16;
    char *tmp = malloc(len);
    int fd, ok = 0, err = 0;
    if (tmp == NULL)
        return -1;
    snprintf(tmp, len, "%s.tmp.XXXXXX", path);
    fd = mkstemp(tmp);
    if (fd < 0) {
        err = errno;
    } else {
        ok = write(fd, d, n) == (ssize_t)n && fsync(fd) == 0;
        if (!ok)
            err = errno ? errno : EIO;
        if (close(fd) != 0 && ok) {
            err = errno;
            ok = 0;
        }
        if (ok && rename(tmp, path) != 0) {
            err = errno;
            ok = 0;
        }
        if (!ok)
            unlink(tmp);
    }
    if (!ok)
        fprintf(stderr, "phonesec config: cannot write %s: %s\n", path, strerror(err));
    free(tmp);
    return ok ? 0 : -1;
}

int phonesec_tool_config(int argc, char **argv)
{
    phonesec_cfgcrypt_params p;
    const char *pw_file = NULL, *pw_env = NULL, *key_file = NULL, *sec_enc = NULL, *common_file = NULL,
               *ikm_file = NULL, *md = NULL, *in = NULL, *out = NULL;
    static char pw[SECRET_FILE_MAX], keytxt[SECRET_FILE_MAX], ikmtxt[SECRET_FILE_MAX], common[SECRET_FILE_MAX];
    static uint8_t ikm[SECRET_FILE_MAX], yk[16], wrapped[64];
    size_t wrapped_len = 0;
    char errbuf[512];
    int encrypt, pbkdf2 = 0, scrypt = 0, rc, i, have_iter = 0, last_pct = -1, ret = TOOL_FAIL;
    size_t n;

    phonesec_cfgcrypt_params_init(&p);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        config_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? TOOL_USAGE : TOOL_OK;
    }
    if (strcmp(argv[1], "encrypt") == 0)
        encrypt = 1;
    else if (strcmp(argv[1], "decrypt") == 0)
        encrypt = 0;
    else {
        fprintf(stderr, "phonesec config: first argument must be 'encrypt' or 'decrypt'\n");
        return TOOL_USAGE;
    }
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
#define VAL(var)                                                                   \
    do {                                                                           \
        if (!has_val) {                                                            \
            fprintf(stderr, "phonesec config: %s needs a value\n", a);             \
            return TOOL_USAGE;                                                     \
        }                                                                          \
        var = argv[++i];                                                           \
    } while (0)
        if (strcmp(a, "--format") == 0) {
            const char *f;
            VAL(f);
            if (strcmp(f, "openssl") == 0)
                p.format = PHONESEC_CFGCRYPT_OPENSSL;
            else if (strcmp(f, "yealink") == 0)
                p.format = PHONESEC_CFGCRYPT_YEALINK;
            else if (strcmp(f, "rfc8188") == 0 || strcmp(f, "aes128gcm") == 0)
                p.format = PHONESEC_CFGCRYPT_RFC8188;
            else if (strcmp(f, "psec") == 0)
                p.format = PHONESEC_CFGCRYPT_PSEC;
            else {
                fprintf(stderr, "phonesec config: unknown format '%s' (openssl, yealink, rfc8188, psec)\n", f);
                return TOOL_USAGE;
            }
        } else if (strcmp(a, "--md") == 0) {
            VAL(md);
        } else if (strcmp(a, "--pbkdf2") == 0) {
            pbkdf2 = 1;
        } else if (strcmp(a, "--scrypt") == 0) {
            scrypt = 1;
        } else if (strcmp(a, "--iter") == 0) {
            const char *v;
            uint64_t x;
            VAL(v);
            if (tool_parse_u64(v, 10, 0xffffffffu, &x) != 0 || x == 0) {
                fprintf(stderr, "phonesec config: --iter needs a positive number\n");
                return TOOL_USAGE;
            }
            p.iterations = (uint32_t)x;
            have_iter = 1;
        } else if (strcmp(a, "--base64") == 0 || strcmp(a, "-a") == 0) {
            p.base64 = 1;
        } else if (strcmp(a, "--password-file") == 0) {
            VAL(pw_file);
        } else if (strcmp(a, "--password-env") == 0) {
            VAL(pw_env);
        } else if (strcmp(a, "--key-file") == 0) {
            VAL(key_file);
        } else if (strcmp(a, "--security-enc") == 0) {
            VAL(sec_enc);
        } else if (strcmp(a, "--common-key-file") == 0) {
            VAL(common_file);
        } else if (strcmp(a, "--ikm-file") == 0) {
            VAL(ikm_file);
        } else if (strcmp(a, "--key-id") == 0) {
            const char *v;
            VAL(v);
            p.key_id = (const uint8_t *)v;
            p.key_id_len = strlen(v);
        } else if (strcmp(a, "--record-size") == 0 || strcmp(a, "--pad") == 0) {
            const char *v;
            uint64_t x;
            VAL(v);
            if (tool_parse_u64(v, 10, 0xffffffffu, &x) != 0) {
                fprintf(stderr, "phonesec config: %s needs a number\n", a);
                return TOOL_USAGE;
            }
            if (a[2] == 'r')
                p.record_size = (uint32_t)x;
            else
                p.pad = (uint32_t)x;
        } else if (strcmp(a, "--password") == 0 || strcmp(a, "--key") == 0 || strcmp(a, "--ikm") == 0 ||
                   strncmp(a, "--pass", 6) == 0) {
            fprintf(stderr, "phonesec config: secrets are not accepted on the command line; use a file or --password-env\n");
            return TOOL_USAGE;
        } else if (strcmp(a, "-") != 0 && a[0] == '-') {
            fprintf(stderr, "phonesec config: unknown option '%s'\n", a);
            return TOOL_USAGE;
        } else if (in == NULL) {
            in = a;
        } else if (out == NULL) {
            out = a;
        } else {
            fprintf(stderr, "phonesec config: too many arguments\n");
            return TOOL_USAGE;
        }
#undef VAL
    }
    if (p.format == 0 || in == NULL || out == NULL) {
        fprintf(stderr, "phonesec config: --format, IN and OUT are required\n");
        config_usage(stderr);
        return TOOL_USAGE;
    }

    /* key derivation options */
    if (p.format == PHONESEC_CFGCRYPT_OPENSSL) {
        if (pbkdf2 && md != NULL && strcmp(md, "sha256") != 0) {
            fprintf(stderr, "phonesec config: --pbkdf2 uses SHA-256 only\n");
            return TOOL_USAGE;
        }
        if (pbkdf2)
            p.kdf = PHONESEC_CFGCRYPT_KDF_PBKDF2;
        else if (md == NULL || strcmp(md, "sha256") == 0)
            p.kdf = PHONESEC_CFGCRYPT_KDF_EVP_SHA256;
        else if (strcmp(md, "md5") == 0)
            p.kdf = PHONESEC_CFGCRYPT_KDF_EVP_MD5;
        else {
            fprintf(stderr, "phonesec config: --md must be md5 or sha256\n");
            return TOOL_USAGE;
        }
        if (have_iter && !pbkdf2) {
            fprintf(stderr, "phonesec config: --iter needs --pbkdf2\n");
            return TOOL_USAGE;
        }
    } else if (md != NULL || pbkdf2 || p.base64) {
        fprintf(stderr, "phonesec config: --md, --pbkdf2 and --base64 apply to --format openssl only\n");
        return TOOL_USAGE;
    }
    if (p.format == PHONESEC_CFGCRYPT_PSEC)
        p.kdf = ikm_file ? PHONESEC_CFGCRYPT_KDF_RAW : scrypt ? PHONESEC_CFGCRYPT_KDF_SCRYPT : PHONESEC_CFGCRYPT_KDF_PBKDF2;
    else if (scrypt) {
        fprintf(stderr, "phonesec config: --scrypt applies to --format psec only\n");
        return TOOL_USAGE;
    }

    if (sec_enc != NULL && encrypt && (same_file(sec_enc, in) || same_file(sec_enc, out))) {
        fprintf(stderr, "phonesec config: --security-enc %s names IN or OUT; it would overwrite it\n", sec_enc);
        return TOOL_USAGE;
    }

    /* secrets: files or environment only */
    if (pw_file != NULL || pw_env != NULL) {
        if (pw_file != NULL) {
            long r = read_small(pw_file, pw, sizeof pw);
            char *nl;
            if (r < 0)
                goto done; /* ret is TOOL_FAIL; secrets are wiped there */
            nl = memchr(pw, '\n', (size_t)r); /* first line, as openssl -pass file: */
            n = nl ? (size_t)(nl - pw) : (size_t)r;
            if (n > 0 && pw[n - 1] == '\r')
                n--;
        } else {
            const char *v = getenv(pw_env);
            if (v == NULL) {
                fprintf(stderr, "phonesec config: environment variable %s is not set\n", pw_env);
                {
                ret = TOOL_USAGE;
                goto done;
            }
            }
            n = strlen(v);
            if (n >= sizeof pw) {
                fprintf(stderr, "phonesec config: password too long\n");
                {
                ret = TOOL_USAGE;
                goto done;
            }
            }
            memcpy(pw, v, n);
        }
        if (n == 0) {
            fprintf(stderr, "phonesec config: the password is empty\n");
            {
                ret = TOOL_USAGE;
                goto done;
            }
        }
        p.password = (const uint8_t *)pw;
        p.password_len = n;
    }
    if (ikm_file != NULL) {
        long r = read_small(ikm_file, ikmtxt, sizeof ikmtxt);
        if (r < 0)
            goto done; /* ret is TOOL_FAIL; secrets are wiped there */
        n = strip_ws(ikmtxt, (size_t)r);
        if (phonesec_base64_decode(ikmtxt, n, PHONESEC_BASE64_URL_NOPAD_OK, ikm, sizeof ikm, &p.key_len, NULL) != 0 ||
            p.key_len == 0) {
            fprintf(stderr, "phonesec config: %s does not hold base64url keying material\n", ikm_file);
            goto done; /* ret is TOOL_FAIL; secrets are wiped there */
        }
        p.key = ikm;
    }
    if (p.format == PHONESEC_CFGCRYPT_YEALINK) {
        if (key_file != NULL) {
            long r = read_small(key_file, keytxt, sizeof keytxt);
            if (r < 0)
                goto done; /* ret is TOOL_FAIL; secrets are wiped there */
            p.key_len = strip_ws(keytxt, (size_t)r);
            p.key = (const uint8_t *)keytxt;
        }
        if (sec_enc != NULL || common_file != NULL) {
            long cr;
            uint8_t enc[64];
            size_t cl;

            if (sec_enc == NULL || common_file == NULL) {
                fprintf(stderr, "phonesec config: --security-enc and --common-key-file go together\n");
                {
                ret = TOOL_USAGE;
                goto done;
            }
            }
            cr = read_small(common_file, common, sizeof common);
            if (cr < 0)
                goto done; /* ret is TOOL_FAIL; secrets are wiped there */
            cl = (size_t)cr;
            if (cl == 17 && common[16] == '\n')
                cl = 16;
            if (cl != 16) {
                fprintf(stderr, "phonesec config: the common key must be 16 bytes\n");
                goto done; /* ret is TOOL_FAIL; secrets are wiped there */
            }
            if (encrypt && key_file != NULL) {
                rc = phonesec_cfgcrypt_yealink_key_wrap(p.key, p.key_len, (const uint8_t *)common, 16, wrapped,
                                                   sizeof wrapped, &wrapped_len);
                if (rc != 0) {
                    fprintf(stderr, "phonesec config: cannot wrap the key (it must be 16 printable characters): %s\n",
                            phonesec_strerror(rc));
                    goto done; /* ret is TOOL_FAIL; secrets are wiped there */
                }
            } else {
                long er = read_small(sec_enc, (char *)enc, sizeof enc);
                if (er < 0)
                    goto done; /* ret is TOOL_FAIL; secrets are wiped there */
                rc = phonesec_cfgcrypt_yealink_key_unwrap(enc, (size_t)er, (const uint8_t *)common, 16, yk, sizeof yk, &n);
                if (rc != 0) {
                    fprintf(stderr, "phonesec config: cannot unwrap %s: %s\n", sec_enc,
                            rc == PHONESEC_E_AUTH ? "wrong common key (result is not a printable key)"
                                                  : rc == PHONESEC_E_PARSE ? "file is not 16 bytes" : phonesec_strerror(rc));
                    goto done; /* ret is TOOL_FAIL; secrets are wiped there */
                }
                p.key = yk;
                p.key_len = 16;
            }
        }
        if (p.key == NULL) {
            fprintf(stderr, "phonesec config: yealink needs --key-file or --security-enc with --common-key-file\n");
            {
                ret = TOOL_USAGE;
                goto done;
            }
        }
        if (p.key_len != 16 && p.key_len != 32) {
            fprintf(stderr, "phonesec config: the Yealink key must be 16 (AES-128) or 32 (AES-256) characters\n");
            goto done; /* ret is TOOL_FAIL; secrets are wiped there */
        }
    } else if (key_file != NULL || sec_enc != NULL || common_file != NULL) {
        fprintf(stderr, "phonesec config: --key-file, --security-enc and --common-key-file apply to yealink only\n");
        {
                ret = TOOL_USAGE;
                goto done;
            }
    }
    if ((p.format == PHONESEC_CFGCRYPT_OPENSSL && p.password == NULL) ||
        (p.format == PHONESEC_CFGCRYPT_PSEC && p.password == NULL && p.key == NULL)) {
        fprintf(stderr, "phonesec config: a password is needed: --password-file F or --password-env VAR\n");
        {
                ret = TOOL_USAGE;
                goto done;
            }
    }
    if (p.format == PHONESEC_CFGCRYPT_RFC8188 && p.key == NULL) {
        fprintf(stderr, "phonesec config: rfc8188 needs --ikm-file F (base64url keying material)\n");
        {
                ret = TOOL_USAGE;
                goto done;
            }
    }
    if (p.format == PHONESEC_CFGCRYPT_PSEC && p.password != NULL && p.key != NULL) {
        fprintf(stderr, "phonesec config: give either a password or --ikm-file, not both\n");
        {
                ret = TOOL_USAGE;
                goto done;
            }
    }
    if (p.key_id != NULL && p.format != PHONESEC_CFGCRYPT_RFC8188) {
        fprintf(stderr, "phonesec config: --key-id applies to rfc8188 only (psec uses the key id for its header)\n");
        {
                ret = TOOL_USAGE;
                goto done;
            }
    }
    if ((p.record_size != 0 || p.pad != 0) && p.format != PHONESEC_CFGCRYPT_RFC8188 && p.format != PHONESEC_CFGCRYPT_PSEC) {
        fprintf(stderr, "phonesec config: --record-size and --pad apply to rfc8188 and psec only\n");
        {
                ret = TOOL_USAGE;
                goto done;
            }
    }
    if (!encrypt && (p.record_size != 0 || p.pad != 0 || p.key_id != NULL || scrypt)) {
        fprintf(stderr, "phonesec config: --record-size, --pad, --key-id and --scrypt are read from the file when decrypting\n");
        {
                ret = TOOL_USAGE;
                goto done;
            }
    }
    if (p.format != PHONESEC_CFGCRYPT_PSEC && have_iter && p.format != PHONESEC_CFGCRYPT_OPENSSL) {
        fprintf(stderr, "phonesec config: --iter applies to openssl --pbkdf2 and psec only\n");
        {
                ret = TOOL_USAGE;
                goto done;
            }
    }

    {
        int tty = isatty(STDERR_FILENO) && strcmp(out, "-") != 0;
        struct stat st;
        int show = tty && strcmp(in, "-") != 0 && stat(in, &st) == 0 && st.st_size >= 8 * 1024 * 1024;
        rc = phonesec_cfgcrypt_file(&p, encrypt, in, out, show ? progress_cb : NULL, &last_pct, errbuf, sizeof errbuf);
        if (show && last_pct >= 0)
            fprintf(stderr, "\n");
    }
    if (rc != 0) {
        fprintf(stderr, "phonesec config: %s failed: %s\n", encrypt ? "encryption" : "decryption",
                errbuf[0] ? errbuf : phonesec_strerror(rc));
        if (strcmp(out, "-") != 0)
            fprintf(stderr, "phonesec config: %s was not written\n", out);
        goto done;
    }
    if (encrypt && p.format == PHONESEC_CFGCRYPT_YEALINK && sec_enc != NULL && key_file != NULL &&
        write_atomic(sec_enc, wrapped, wrapped_len) != 0) {
        /* A config under a key the phone cannot unwrap is worse than none. */
        if (strcmp(out, "-") != 0 && unlink(out) == 0)
            fprintf(stderr, "phonesec config: %s removed: the key file %s could not be written\n", out, sec_enc);
        goto done;
    }
    ret = TOOL_OK;
done:
    phonesec_memzero(pw, sizeof pw);
    phonesec_memzero(keytxt, sizeof keytxt);
    phonesec_memzero(ikmtxt, sizeof ikmtxt);
    phonesec_memzero(ikm, sizeof ikm);
    phonesec_memzero(common, sizeof common);
    phonesec_memzero(yk, sizeof yk);
    phonesec_memzero(wrapped, sizeof wrapped);
    return ret;
}
