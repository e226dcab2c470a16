/* phonesec config: encrypt or decrypt configuration files (public API only). */
#define _POSIX_C_SOURCE 200809L
#define _XOPEN_SOURCE 700 /* realpath */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <phonesec.h>

#include "tool.h"

#define PROG "phonesec config"
#define SECRET_FILE_MAX 8192

static void config_usage(FILE *f)
{
    fprintf(f,
            "usage: phonesec config encrypt|decrypt --format openssl|yealink|rfc8188|psec [options] IN OUT\n"
            "  IN or OUT may be '-' (standard input/output; standard output is not atomic)\n"
            "openssl:  PASSWORD [--md md5|sha256] [--pbkdf2 [--iter N]] [--base64|-a]\n"
            "yealink:  --key-file F | --key-fd N (16 or 32 ASCII characters)\n"
            "          | --security-enc F (--common-key-file F | --common-key-fd N)\n"
            "            (decrypt: key from <name>_Security.enc; encrypt with a key: also writes F)\n"
            "rfc8188:  --ikm-file F | --ikm-fd N (base64url keying material) [--key-id ID]\n"
            "          [--record-size N] [--pad N]\n"
            "psec:     PASSWORD [--iter N | --scrypt] [--record-size N]\n"
            "          | --ikm-file F | --ikm-fd N (raw keying material)\n"
            "PASSWORD: --password-file F | --password-fd N | --password-env VAR\n"
            "          (the first line, read as openssl -pass file:/fd: does)\n"
            "  A file F may be '-' (standard input) when IN is not.\n"
            "limits (the header of a file is read before anything in it is authenticated):\n"
            "  --max-kdf-iter N       PBKDF2 iterations (default %u)\n"
            "  --max-kdf-mem SIZE     scrypt 128*N*r*p in bytes, K/M/G suffix (default %uM)\n"
            "  --max-record-size SIZE record size (default %uK)\n"
            "Secrets are never taken from the command line.\n",
            PHONESEC_CFGCRYPT_MAX_KDF_ITER, PHONESEC_CFGCRYPT_MAX_KDF_MEM >> 20, PHONESEC_CFGCRYPT_MAX_RECORD_SIZE >> 10);
}

static size_t strip_ws(char *s, size_t n)
{
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return n;
}

/* "1234", "64K", "64M", "1G" (binary) -> bytes, at most UINT32_MAX. */
static int parse_size(const char *s, uint32_t *v)
{
    char num[32];
    size_t n = strlen(s);
    uint64_t x, mul = 1;
    if (n == 0 || n >= sizeof num)
        return -1;
    memcpy(num, s, n + 1);
    switch (num[n - 1]) {
    case 'k': case 'K': mul = 1024; break;
    case 'm': case 'M': mul = 1024 * 1024; break;
    case 'g': case 'G': mul = 1024 * 1024 * 1024; break;
    default: break;
    }
    if (mul != 1)
        num[n - 1] = '\0';
    if (tool_parse_u64(num, 10, 0xffffffffu, &x) != 0 || x == 0 || x > 0xffffffffu / mul)
        return -1;
    *v = (uint32_t)(x * mul);
    return 0;
}

static void progress_cb(void *ud, uint64_t done, uint64_t total)
{
    int *last = ud;
    if (total > 0) {
        int pct = (int)(done * 100 / total);
        if (pct != *last) {
            fprintf(stderr, "\r" PROG ": %3d%%", pct);
            *last = pct;
        }
    }
}

/* ---- paths ---------------------------------------------------------- */

/* Canonical name of a path that may not exist yet: realpath() of it, or of
 * its directory plus its last component. NULL when neither resolves. */
static char *resolve(const char *path)
{
    const char *slash, *base;
    char *dir, *rd, *r;
    size_t n;
    r = realpath(path, NULL);
    if (r != NULL || errno != ENOENT)
        return r;
    slash = strrchr(path, '/');
    base = slash ? slash + 1 : path;
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
        return NULL;
    if (slash == NULL)
        dir = strdup(".");
    else if (slash == path)
        dir = strdup("/");
    else
        dir = strndup(path, (size_t)(slash - path));
    if (dir == NULL)
        return NULL;
    rd = realpath(dir, NULL);
    free(dir);
    if (rd == NULL)
        return NULL;
    n = strlen(rd) + 1 + strlen(base) + 1;
    r = malloc(n);
    if (r != NULL)
        snprintf(r, n, "%s%s%s", rd, strcmp(rd, "/") == 0 ? "" : "/", base);
    free(rd);
    return r;
}

/* 1 when a and b name one file: same text, same file (links), or the same
 * place once "." and "..", symbolic links of the directories and the
 * current directory are resolved, also for files that do not exist yet. */
static int same_path(const char *a, const char *b)
{
    struct stat sa, sb;
    char *ra, *rb;
    int same;
    if (strcmp(a, b) == 0)
        return 1;
    if (stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
        return 1;
    ra = resolve(a);
    rb = resolve(b);
    same = ra != NULL && rb != NULL && strcmp(ra, rb) == 0;
    free(ra);
    free(rb);
    return same;
}

struct named_path {
    const char *opt, *path;
    int written;
};

/* Refuse any file written by this run that is also read or written under
 * another name (IN against OUT is the library's check). */
static int check_paths(const struct named_path *v, size_t n)
{
    size_t i, k;
    for (i = 0; i < n; i++) {
        if (!v[i].written || v[i].path == NULL)
            continue;
        for (k = 0; k < n; k++) {
            if (k == i || v[k].path == NULL || (k < i && v[k].written))
                continue;
            if (strcmp(v[i].opt, "OUT") == 0 && strcmp(v[k].opt, "IN") == 0)
                continue;
            if (same_path(v[i].path, v[k].path)) {
                fprintf(stderr, PROG ": %s (%s) and %s (%s) are the same file: writing one would destroy the other\n",
                        v[i].opt, v[i].path, v[k].opt, v[k].path);
                return -1;
            }
        }
    }
    return 0;
}

/* ---- signals -------------------------------------------------------- */

/* The <name>_Security.enc we write goes through a temporary file too. */
static char key_tmp[PATH_MAX + 32];
static volatile sig_atomic_t key_tmp_armed;

static void on_fatal_signal(int sig)
{
    phonesec_cfgcrypt_signal_cleanup();
    if (key_tmp_armed)
        (void)unlink(key_tmp);
    raise(sig); /* SA_RESETHAND: the default action once this returns */
}

static void install_signals(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    struct sigaction sa;
    size_t i;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* a signal the caller ignores (nohup) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(sigs[i], &sa, NULL);
    }
    /* A file size limit (ulimit -f) becomes the library's "file size limit"
     * error, which removes the temporary file, instead of killing us. */
    signal(SIGXFSZ, SIG_IGN);
}

/* Write the key file's bytes to a temporary file next to path (not yet
 * renamed). 0, or -1 after a message. */
static int key_file_prepare(const char *path, const uint8_t *d, size_t n)
{
    struct stat st;
    const char *slash = strrchr(path, '/');
    int fd, ok;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        fprintf(stderr, PROG ": --security-enc %s is not a regular file (a symbolic link, device or directory is "
                        "not replaced)\n", path);
        return -1;
    }
    if (snprintf(key_tmp, sizeof key_tmp, "%.*s.%s.tmp.XXXXXX", slash ? (int)(slash - path + 1) : 0, path,
                 slash ? slash + 1 : path) >= (int)sizeof key_tmp) {
        fprintf(stderr, PROG ": --security-enc path too long\n");
        return -1;
    }
    key_tmp_armed = 1;
    fd = mkstemp(key_tmp);
    if (fd < 0) {
        key_tmp_armed = 0;
        fprintf(stderr, PROG ": cannot create a temporary file next to %s: %s\n", path, strerror(errno));
        return -1;
    }
    ok = write(fd, d, n) == (ssize_t)n && fsync(fd) == 0;
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        fprintf(stderr, PROG ": cannot write %s: %s\n", key_tmp, strerror(errno ? errno : EIO));
        unlink(key_tmp);
        key_tmp_armed = 0;
        return -1;
    }
    return 0;
}

static int key_file_commit(const char *path)
{
    char *dir;
    const char *slash = strrchr(path, '/');
    int dfd, ok = rename(key_tmp, path) == 0;
    if (!ok) {
        fprintf(stderr, PROG ": cannot rename %s to %s: %s\n", key_tmp, path, strerror(errno));
        unlink(key_tmp);
    }
    key_tmp_armed = 0;
    if (!ok)
        return -1;
    dir = slash == NULL ? strdup(".") : slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
    dfd = dir != NULL ? open(dir, O_RDONLY) : -1;
    free(dir);
    if (dfd < 0 || (fsync(dfd) != 0 && errno != EINVAL)) {
        fprintf(stderr, PROG ": %s written, but its directory could not be flushed\n", path);
        if (dfd >= 0)
            close(dfd);
        return -1;
    }
    close(dfd);
    return 0;
}

static void key_file_abort(void)
{
    if (key_tmp_armed) {
        unlink(key_tmp);
        key_tmp_armed = 0;
    }
}

/* ---- limits ---------------------------------------------------------- */

/* The library names the params field of a limit; say which option raises it. */
static void limit_hint(const char *err)
{
    static const struct {
        const char *field, *opt, *unit;
    } map[] = {
        {"max_kdf_iter", "--max-kdf-iter", "N"},
        {"max_kdf_mem", "--max-kdf-mem", "SIZE"},
        {"max_record_size", "--max-record-size", "SIZE"},
    };
    size_t i;
    for (i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strstr(err, map[i].field) != NULL) {
            fprintf(stderr, PROG ": the limit is there because this work is done before anything in the file is "
                            "authenticated; if you trust where the file comes from, raise it with %s %s\n",
                    map[i].opt, map[i].unit);
            return;
        }
}

/* ---- secrets --------------------------------------------------------- */

struct secret_opt {
    const char *file_opt, *fd_opt, *path;
    int fd, given;
};

/* --X-file F or --X-fd N into s; 1 when a matched, 0 when not, -1 on error. */
static int secret_arg(struct secret_opt *s, const char *a, const char *v)
{
    if (strcmp(a, s->file_opt) == 0 || (s->fd_opt != NULL && strcmp(a, s->fd_opt) == 0)) {
        if (v == NULL) {
            fprintf(stderr, PROG ": %s needs a value\n", a);
            return -1;
        }
        if (s->given) {
            fprintf(stderr, PROG ": %s given twice\n", s->file_opt);
            return -1;
        }
        s->given = 1;
        if (strcmp(a, s->file_opt) == 0) {
            s->path = v;
        } else if (tool_parse_fd(v, &s->fd) != 0) {
            fprintf(stderr, PROG ": %s needs a descriptor number\n", a);
            return -1;
        }
        return 1;
    }
    return 0;
}

static int from_stdin(const struct secret_opt *s)
{
    return s->given && ((s->path != NULL && strcmp(s->path, "-") == 0) || (s->path == NULL && s->fd == STDIN_FILENO));
}

static long read_secret_opt(const struct secret_opt *s, char *buf, size_t cap)
{
    tool_secret_src src;
    src.path = s->path;
    src.fd = s->fd;
    return tool_read_secret(PROG, &src, buf, cap);
}

static const struct option config_opts[] = {
    {"format", required_argument, NULL, 0x1100},
    {"md", required_argument, NULL, 0x1101},
    {"pbkdf2", no_argument, NULL, 0x1102},
    {"scrypt", no_argument, NULL, 0x1103},
    {"iter", required_argument, NULL, 0x1104},
    {"max-kdf-iter", required_argument, NULL, 0x1105},
    {"max-kdf-mem", required_argument, NULL, 0x1106},
    {"max-record-size", required_argument, NULL, 0x1107},
    {"base64", no_argument, NULL, 0x1108},
    {"password-env", required_argument, NULL, 0x1109},
    {"security-enc", required_argument, NULL, 0x110a},
    {"key-id", required_argument, NULL, 0x110b},
    {"record-size", required_argument, NULL, 0x110c},
    {"pad", required_argument, NULL, 0x110d},
    {"password-file", required_argument, NULL, 0x110e},
    {"password-fd", required_argument, NULL, 0x110f},
    {"key-file", required_argument, NULL, 0x1110},
    {"key-fd", required_argument, NULL, 0x1111},
    {"ikm-file", required_argument, NULL, 0x1112},
    {"ikm-fd", required_argument, NULL, 0x1113},
    {"common-key-file", required_argument, NULL, 0x1114},
    {"common-key-fd", required_argument, NULL, 0x1115},
    /* refused with a reason: secrets never on the command line */
    {"password", required_argument, NULL, 0x1116},
    {"key", required_argument, NULL, 0x1117},
    {"ikm", required_argument, NULL, 0x1118},
    {"pass", required_argument, NULL, 0x1119}, /* openssl's spelling */
    TOOL_OPTS_COMMON,
    {NULL, 0, NULL, 0}};

/* "--NAME" of a config_opts value (the parser below compares names). */
static const char *config_opt_name(int val)
{
    static char name[40];
    const struct option *l;
    for (l = config_opts; l->name != NULL; l++)
        if (l->val == val) {
            snprintf(name, sizeof name, "--%s", l->name);
            return name;
        }
    return "";
}

int phonesec_tool_config(int argc, char **argv)
{
    phonesec_cfgcrypt_params p;
    const char *pw_env = NULL, *sec_enc = NULL, *md = NULL, *in = NULL, *out = NULL;
    struct secret_opt pw = {"--password-file", "--password-fd", NULL, -1, 0};
    struct secret_opt key = {"--key-file", "--key-fd", NULL, -1, 0};
    struct secret_opt ikmo = {"--ikm-file", "--ikm-fd", NULL, -1, 0};
    struct secret_opt common = {"--common-key-file", "--common-key-fd", NULL, -1, 0};
    struct secret_opt *secrets[] = {&pw, &key, &ikmo, &common};
    static char pwbuf[SECRET_FILE_MAX], keytxt[SECRET_FILE_MAX], ikmtxt[SECRET_FILE_MAX], commonbuf[SECRET_FILE_MAX];
    static uint8_t ikm[SECRET_FILE_MAX], yk[16], wrapped[64];
    size_t wrapped_len = 0, si;
    char errbuf[512];
    const char *prog;
    int o, gst;
    int encrypt, pbkdf2 = 0, scrypt = 0, rc, have_iter = 0, last_pct = -1, ret = TOOL_FAIL, n_stdin = 0;
    int write_key_file = 0;
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
    else if (strcmp(argv[1], "--version") == 0) {
        printf(PROG " %s\n", phonesec_version());
        return TOOL_OK;
    } else if (strcmp(argv[1], "--list-options") == 0) {
        printf("encrypt\ndecrypt\n--help\n--version\n");
        return TOOL_OK;
    } else
        return tool_usage_error(PROG, "unknown subcommand '%s' (encrypt or decrypt)", argv[1]);
    prog = encrypt ? PROG " encrypt" : PROG " decrypt";
    for (optind = 0; (o = tool_getopt(argc - 1, argv + 1, prog, "a", config_opts, config_usage, &gst)) != -1;) {
        const char *a = o == 'a' ? "-a" : config_opt_name(o);
        const char *next = optarg;
        int m = 0;
        if (o == TOOL_GETOPT_EXIT)
            return gst;
#define VAL(var) var = optarg
        for (si = 0; si < sizeof secrets / sizeof secrets[0] && m == 0; si++)
            m = secret_arg(secrets[si], a, next);
        if (m < 0)
            return TOOL_USAGE;
        if (m > 0)
            continue;
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
                fprintf(stderr, PROG ": unknown format '%s' (openssl, yealink, rfc8188, psec)\n", f);
                return TOOL_USAGE;
            }
        } else if (strcmp(a, "--md") == 0) {
            VAL(md);
        } else if (strcmp(a, "--pbkdf2") == 0) {
            pbkdf2 = 1;
        } else if (strcmp(a, "--scrypt") == 0) {
            scrypt = 1;
        } else if (strcmp(a, "--iter") == 0 || strcmp(a, "--max-kdf-iter") == 0) {
            const char *v;
            uint64_t x;
            VAL(v);
            if (tool_parse_u64(v, 10, 0xffffffffu, &x) != 0 || x == 0) {
                fprintf(stderr, PROG ": %s needs a positive number\n", a);
                return TOOL_USAGE;
            }
            if (a[2] == 'i') {
                p.iterations = (uint32_t)x;
                have_iter = 1;
            } else {
                p.max_kdf_iter = (uint32_t)x;
            }
        } else if (strcmp(a, "--max-kdf-mem") == 0 || strcmp(a, "--max-record-size") == 0) {
            const char *v;
            VAL(v);
            if (parse_size(v, strcmp(a, "--max-kdf-mem") == 0 ? &p.max_kdf_mem : &p.max_record_size) != 0) {
                fprintf(stderr, PROG ": %s needs a size in bytes (K, M or G suffix allowed)\n", a);
                return TOOL_USAGE;
            }
        } else if (strcmp(a, "--base64") == 0 || strcmp(a, "-a") == 0) {
            p.base64 = 1;
        } else if (strcmp(a, "--password-env") == 0) {
            VAL(pw_env);
        } else if (strcmp(a, "--security-enc") == 0) {
            VAL(sec_enc);
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
                fprintf(stderr, PROG ": %s needs a number\n", a);
                return TOOL_USAGE;
            }
            if (a[2] == 'r')
                p.record_size = (uint32_t)x;
            else
                p.pad = (uint32_t)x;
        } else if (strcmp(a, "--password") == 0 || strcmp(a, "--key") == 0 || strcmp(a, "--ikm") == 0 ||
                   strncmp(a, "--pass", 6) == 0) {
            fprintf(stderr, PROG ": secrets are not accepted on the command line (other users can read it); use a "
                            "file, a descriptor (--password-fd N, --key-fd N, --ikm-fd N), standard input or "
                            "--password-env\n");
            return TOOL_USAGE;
        } else {
            return TOOL_USAGE;
        }
#undef VAL
    }
    if (tool_operands(argc - 1, argv + 1, 2, 2, prog) != 0)
        return TOOL_USAGE;
    in = argv[1 + optind];
    out = argv[2 + optind];
    if (p.format == 0 || in == NULL || out == NULL) {
        fprintf(stderr, PROG ": --format, IN and OUT are required\n");
        config_usage(stderr);
        return TOOL_USAGE;
    }

    /* key derivation options */
    if (p.format == PHONESEC_CFGCRYPT_OPENSSL) {
        if (pbkdf2 && md != NULL && strcmp(md, "sha256") != 0) {
            fprintf(stderr, PROG ": --pbkdf2 uses SHA-256 only\n");
            return TOOL_USAGE;
        }
        if (pbkdf2)
            p.kdf = PHONESEC_CFGCRYPT_KDF_PBKDF2;
        else if (md == NULL || strcmp(md, "sha256") == 0)
            p.kdf = PHONESEC_CFGCRYPT_KDF_EVP_SHA256;
        else if (strcmp(md, "md5") == 0)
            p.kdf = PHONESEC_CFGCRYPT_KDF_EVP_MD5;
        else {
            fprintf(stderr, PROG ": --md must be md5 or sha256\n");
            return TOOL_USAGE;
        }
        if (have_iter && !pbkdf2) {
            fprintf(stderr, PROG ": --iter needs --pbkdf2\n");
            return TOOL_USAGE;
        }
    } else if (md != NULL || pbkdf2 || p.base64) {
        fprintf(stderr, PROG ": --md, --pbkdf2 and --base64 apply to --format openssl only\n");
        return TOOL_USAGE;
    }
    if (p.format == PHONESEC_CFGCRYPT_PSEC)
        p.kdf = ikmo.given ? PHONESEC_CFGCRYPT_KDF_RAW : scrypt ? PHONESEC_CFGCRYPT_KDF_SCRYPT : PHONESEC_CFGCRYPT_KDF_PBKDF2;
    else if (scrypt) {
        fprintf(stderr, PROG ": --scrypt applies to --format psec only\n");
        return TOOL_USAGE;
    }
    if (pw.given && pw_env != NULL) {
        fprintf(stderr, PROG ": give the password one way only\n");
        return TOOL_USAGE;
    }
    /* standard input: one reader */
    for (si = 0; si < sizeof secrets / sizeof secrets[0]; si++)
        n_stdin += from_stdin(secrets[si]);
    if (n_stdin > 1 || (n_stdin == 1 && strcmp(in, "-") == 0)) {
        fprintf(stderr, PROG ": standard input can feed only one of IN and the secrets\n");
        return TOOL_USAGE;
    }
    write_key_file = encrypt && p.format == PHONESEC_CFGCRYPT_YEALINK && sec_enc != NULL && key.given;
    {
        /* every file this run reads or writes, by what the operator typed */
        struct named_path paths[] = {
            {"IN", strcmp(in, "-") == 0 ? NULL : in, 0},
            {"OUT", strcmp(out, "-") == 0 ? NULL : out, 1},
            {"--security-enc", sec_enc, write_key_file},
            {"--password-file", from_stdin(&pw) ? NULL : pw.path, 0},
            {"--key-file", from_stdin(&key) ? NULL : key.path, 0},
            {"--ikm-file", from_stdin(&ikmo) ? NULL : ikmo.path, 0},
            {"--common-key-file", from_stdin(&common) ? NULL : common.path, 0},
        };
        if (check_paths(paths, sizeof paths / sizeof paths[0]) != 0)
            return TOOL_USAGE;
    }
    install_signals();

    /* secrets: files, descriptors, standard input or the environment */
    if (pw.given || pw_env != NULL) {
        if (pw.given) {
            tool_secret_src src;
            long r;
            src.path = pw.path;
            src.fd = pw.fd;
            r = tool_read_password(PROG, &src, pwbuf, sizeof pwbuf);
            if (r < 0)
                goto done;
            n = (size_t)r;
        } else {
            const char *v = getenv(pw_env);
            if (v == NULL) {
                fprintf(stderr, PROG ": environment variable %s is not set\n", pw_env);
                ret = TOOL_USAGE;
                goto done;
            }
            n = strlen(v);
            if (n >= sizeof pwbuf) {
                fprintf(stderr, PROG ": password too long\n");
                ret = TOOL_USAGE;
                goto done;
            }
            memcpy(pwbuf, v, n);
        }
        if (n == 0) {
            fprintf(stderr, PROG ": the password is empty\n");
            ret = TOOL_USAGE;
            goto done;
        }
        p.password = (const uint8_t *)pwbuf;
        p.password_len = n;
    }
    if (ikmo.given) {
        long r = read_secret_opt(&ikmo, ikmtxt, sizeof ikmtxt);
        if (r < 0)
            goto done;
        n = strip_ws(ikmtxt, (size_t)r);
        if (phonesec_base64_decode(ikmtxt, n, PHONESEC_BASE64_URL_NOPAD_OK, ikm, sizeof ikm, &p.key_len, NULL) != 0 ||
            p.key_len == 0) {
            fprintf(stderr, PROG ": %s does not hold base64url keying material\n", ikmo.path ? ikmo.path : "--ikm-fd");
            goto done;
        }
        p.key = ikm;
    }
    if (p.format == PHONESEC_CFGCRYPT_YEALINK) {
        if (key.given) {
            long r = read_secret_opt(&key, keytxt, sizeof keytxt);
            if (r < 0)
                goto done;
            p.key_len = strip_ws(keytxt, (size_t)r);
            p.key = (const uint8_t *)keytxt;
        }
        if (sec_enc != NULL || common.given) {
            long cr;
            uint8_t enc[64];
            size_t cl;

            if (sec_enc == NULL || !common.given) {
                fprintf(stderr, PROG ": --security-enc and --common-key-file (or --common-key-fd) go together\n");
                ret = TOOL_USAGE;
                goto done;
            }
            cr = read_secret_opt(&common, commonbuf, sizeof commonbuf);
            if (cr < 0)
                goto done;
            cl = (size_t)cr;
            if (cl == 17 && commonbuf[16] == '\n')
                cl = 16;
            if (cl != 16) {
                fprintf(stderr, PROG ": the common key must be 16 bytes\n");
                goto done;
            }
            if (write_key_file) {
                rc = phonesec_cfgcrypt_yealink_key_wrap(p.key, p.key_len, (const uint8_t *)commonbuf, 16, wrapped,
                                                        sizeof wrapped, &wrapped_len);
                if (rc != 0) {
                    fprintf(stderr, PROG ": cannot wrap the key (it must be 16 printable characters): %s\n",
                            phonesec_strerror(rc));
                    goto done;
                }
            } else {
                tool_secret_src src;
                long er;
                src.path = sec_enc;
                src.fd = -1;
                er = tool_read_secret(PROG, &src, (char *)enc, sizeof enc);
                if (er < 0)
                    goto done;
                rc = phonesec_cfgcrypt_yealink_key_unwrap(enc, (size_t)er, (const uint8_t *)commonbuf, 16, yk,
                                                          sizeof yk, &n);
                if (rc != 0) {
                    fprintf(stderr, PROG ": cannot unwrap %s: %s\n", sec_enc,
                            rc == PHONESEC_E_AUTH ? "wrong common key (result is not a printable key)"
                                                  : rc == PHONESEC_E_PARSE ? "file is not 16 bytes" : phonesec_strerror(rc));
                    goto done;
                }
                p.key = yk;
                p.key_len = 16;
            }
        }
        if (p.key == NULL) {
            fprintf(stderr, PROG ": yealink needs --key-file/--key-fd, or --security-enc with --common-key-file\n");
            ret = TOOL_USAGE;
            goto done;
        }
        if (p.key_len != 16 && p.key_len != 32) {
            fprintf(stderr, PROG ": the Yealink key must be 16 (AES-128) or 32 (AES-256) characters\n");
            goto done;
        }
    } else if (key.given || sec_enc != NULL || common.given) {
        fprintf(stderr, PROG ": --key-file, --security-enc and --common-key-file apply to yealink only\n");
        ret = TOOL_USAGE;
        goto done;
    }
    if ((p.format == PHONESEC_CFGCRYPT_OPENSSL && p.password == NULL) ||
        (p.format == PHONESEC_CFGCRYPT_PSEC && p.password == NULL && p.key == NULL)) {
        fprintf(stderr, PROG ": a password is needed: --password-file F, --password-fd N or --password-env VAR\n");
        ret = TOOL_USAGE;
        goto done;
    }
    if (p.format == PHONESEC_CFGCRYPT_RFC8188 && p.key == NULL) {
        fprintf(stderr, PROG ": rfc8188 needs --ikm-file F or --ikm-fd N (base64url keying material)\n");
        ret = TOOL_USAGE;
        goto done;
    }
    if (p.format == PHONESEC_CFGCRYPT_PSEC && p.password != NULL && p.key != NULL) {
        fprintf(stderr, PROG ": give either a password or --ikm-file, not both\n");
        ret = TOOL_USAGE;
        goto done;
    }
    if (p.key_id != NULL && p.format != PHONESEC_CFGCRYPT_RFC8188) {
        fprintf(stderr, PROG ": --key-id applies to rfc8188 only (psec uses the key id for its header)\n");
        ret = TOOL_USAGE;
        goto done;
    }
    if ((p.record_size != 0 || p.pad != 0) && p.format != PHONESEC_CFGCRYPT_RFC8188 && p.format != PHONESEC_CFGCRYPT_PSEC) {
        fprintf(stderr, PROG ": --record-size and --pad apply to rfc8188 and psec only\n");
        ret = TOOL_USAGE;
        goto done;
    }
    if (!encrypt && (p.record_size != 0 || p.pad != 0 || p.key_id != NULL || scrypt)) {
        fprintf(stderr, PROG ": --record-size, --pad, --key-id and --scrypt are read from the file when decrypting\n");
        ret = TOOL_USAGE;
        goto done;
    }
    if (p.format != PHONESEC_CFGCRYPT_PSEC && have_iter && p.format != PHONESEC_CFGCRYPT_OPENSSL) {
        fprintf(stderr, PROG ": --iter applies to openssl --pbkdf2 and psec only\n");
        ret = TOOL_USAGE;
        goto done;
    }

    /* The key file is written next to its place first and renamed only once
     * the configuration is written: never one without the other. */
    if (write_key_file && key_file_prepare(sec_enc, wrapped, wrapped_len) != 0)
        goto done;
    {
        int tty = isatty(STDERR_FILENO) && strcmp(out, "-") != 0;
        struct stat st;
        int show = tty && strcmp(in, "-") != 0 && stat(in, &st) == 0 && st.st_size >= 8 * 1024 * 1024;
        rc = phonesec_cfgcrypt_file(&p, encrypt, in, out, show ? progress_cb : NULL, &last_pct, errbuf, sizeof errbuf);
        if (show && last_pct >= 0)
            fprintf(stderr, "\n");
    }
    if (rc != 0) {
        key_file_abort();
        fprintf(stderr, PROG ": %s failed: %s\n", encrypt ? "encryption" : "decryption",
                errbuf[0] ? errbuf : phonesec_strerror(rc));
        if (rc == PHONESEC_E_LIMIT)
            limit_hint(errbuf);
        if (strcmp(out, "-") != 0)
            fprintf(stderr, PROG ": %s was not written\n", out);
        goto done;
    }
    if (write_key_file && key_file_commit(sec_enc) != 0) {
        /* A config under a key the phone cannot unwrap is worse than none. */
        if (strcmp(out, "-") != 0 && unlink(out) == 0)
            fprintf(stderr, PROG ": %s removed: the key file %s could not be written\n", out, sec_enc);
        goto done;
    }
    ret = TOOL_OK;
done:
    key_file_abort();
    phonesec_memzero(pwbuf, sizeof pwbuf);
    phonesec_memzero(keytxt, sizeof keytxt);
    phonesec_memzero(ikmtxt, sizeof ikmtxt);
    phonesec_memzero(ikm, sizeof ikm);
    phonesec_memzero(commonbuf, sizeof commonbuf);
    phonesec_memzero(yk, sizeof yk);
    phonesec_memzero(wrapped, sizeof wrapped);
    return ret;
}
