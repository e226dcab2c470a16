/* Helpers shared by the phonesec tool's subcommands. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <phonesec.h>

#include "tool.h"

int tool_parse_u64(const char *s, int base, uint64_t max, uint64_t *v)
{
    char *end;
    unsigned long long x;
    if (s == NULL || *s < '0' || *s > '9') /* no sign, no space, not empty */
        return -1;
    errno = 0;
    x = strtoull(s, &end, base);
    if (errno != 0 || *end != '\0' || x > max)
        return -1;
    *v = (uint64_t)x;
    return 0;
}

int tool_parse_u32(const char *s, uint32_t *v)
{
    uint64_t x;
    if (tool_parse_u64(s, 0, 0xffffffffu, &x) != 0)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

int tool_parse_fd(const char *s, int *fd)
{
    uint64_t x;
    if (tool_parse_u64(s, 10, INT_MAX, &x) != 0)
        return -1;
    *fd = (int)x;
    return 0;
}

/* Where a secret comes from, for messages. */
static void source_name(const tool_secret_src *src, char *buf, size_t cap)
{
    if (src->path != NULL && strcmp(src->path, "-") != 0)
        snprintf(buf, cap, "%s", src->path);
    else if (src->path != NULL || src->fd == STDIN_FILENO)
        snprintf(buf, cap, "standard input");
    else
        snprintf(buf, cap, "descriptor %d", src->fd);
}

static int source_open(const char *prog, const tool_secret_src *src, int *owned)
{
    int fd;
    *owned = 0;
    if (src->path == NULL)
        fd = src->fd;
    else if (strcmp(src->path, "-") == 0)
        fd = STDIN_FILENO;
    else {
        fd = open(src->path, O_RDONLY | O_NOCTTY);
        if (fd < 0) {
            fprintf(stderr, "%s: cannot open %s: %s\n", prog, src->path, strerror(errno));
            return -1;
        }
        *owned = 1;
        return fd;
    }
    if (fcntl(fd, F_GETFD) < 0) {
        fprintf(stderr, "%s: descriptor %d is not open\n", prog, fd);
        return -1;
    }
    return fd;
}

static ssize_t read_retry(int fd, void *b, size_t n)
{
    ssize_t r;
    do
        r = read(fd, b, n);
    while (r < 0 && errno == EINTR);
    return r;
}

long tool_read_secret(const char *prog, const tool_secret_src *src, char *buf, size_t cap)
{
    char name[64];
    size_t n = 0;
    int owned, fd = source_open(prog, src, &owned);
    if (fd < 0)
        return -1;
    source_name(src, name, sizeof name);
    for (;;) {
        ssize_t r = read_retry(fd, buf + n, cap - 1 - n);
        if (r < 0) {
            fprintf(stderr, "%s: cannot read %s: %s\n", prog, name, strerror(errno));
            n = cap; /* failure */
            break;
        }
        if (r == 0)
            break;
        n += (size_t)r;
        if (n == cap - 1) {
            char extra;
            if (read_retry(fd, &extra, 1) != 0) {
                fprintf(stderr, "%s: %s holds more than %zu bytes: not a key\n", prog, name, cap - 1);
                n = cap;
            }
            break;
        }
    }
    if (owned)
        close(fd);
    if (n >= cap) {
        memset(buf, 0, cap);
        return -1;
    }
    buf[n] = '\0';
    return (long)n;
}

/* openssl's apps read a password line with BIO_gets() into a 1024-byte
 * buffer, cut it at the first '\n' and copy it as a C string: at most 1023
 * bytes, up to the first NUL. Read one byte at a time so that nothing after
 * the line is consumed (a descriptor may carry more). */
#define OPENSSL_PASS_LINE 1023

long tool_read_password(const char *prog, const tool_secret_src *src, char *buf, size_t cap)
{
    char name[64], ch;
    size_t n = 0;
    int owned, fd = source_open(prog, src, &owned), got_any = 0, longer = 0;
    ssize_t r = 0;
    if (fd < 0)
        return -1;
    source_name(src, name, sizeof name);
    if (cap < OPENSSL_PASS_LINE + 1) {
        if (owned)
            close(fd);
        return -1;
    }
    while (n < OPENSSL_PASS_LINE && (r = read_retry(fd, &ch, 1)) == 1) {
        got_any = 1;
        if (ch == '\n')
            break;
        buf[n++] = ch;
    }
    if (r == 1 && n == OPENSSL_PASS_LINE && ch != '\n' && read_retry(fd, &ch, 1) == 1 && ch != '\n')
        longer = 1;
    if (owned)
        close(fd);
    if (r < 0) {
        fprintf(stderr, "%s: cannot read the password from %s: %s\n", prog, name, strerror(errno));
        memset(buf, 0, cap);
        return -1;
    }
    if (!got_any) {
        fprintf(stderr, "%s: no password in %s (it is empty)\n", prog, name);
        return -1;
    }
    buf[n] = '\0';
    if (longer)
        fprintf(stderr, "%s: warning: the first line of %s is longer than %d bytes; like openssl -pass, only "
                        "those are the password\n", prog, name, OPENSSL_PASS_LINE);
    if (memchr(buf, '\0', n) != NULL) {
        n = strlen(buf);
        fprintf(stderr, "%s: warning: the password in %s holds a NUL byte; like openssl -pass, it ends there\n",
                prog, name);
    }
    if (n > 0 && buf[n - 1] == '\r')
        fprintf(stderr, "%s: warning: the password in %s ends in a carriage return (CRLF line end?); like openssl "
                        "-pass, it is kept as part of the password\n", prog, name);
    return (long)n;
}

void tool_warn_argv_secret(const char *prog, const char *what, const char *instead)
{
    fprintf(stderr, "%s: warning: %s given on the command line: other users can read it (ps, /proc); use %s\n",
            prog, what, instead);
}

/* ---- command line */

int tool_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help'.\n", prog);
    return TOOL_USAGE;
}

int tool_getopt(int argc, char **argv, const char *prog, const char *shortopts, const struct option *longopts,
                void (*usage)(FILE *), int *status)
{
    char so[64];
    int o;
    /* ':' first: a missing value is reported as ':', not '?' */
    snprintf(so, sizeof so, ":%s", shortopts != NULL ? shortopts : "");
    opterr = 0;
    o = getopt_long(argc, argv, so, longopts, NULL);
    switch (o) {
    case TOOL_OPT_HELP:
        usage(stdout);
        *status = TOOL_OK;
        return TOOL_GETOPT_EXIT;
    case TOOL_OPT_VERSION:
        printf("%s %s\n", prog, phonesec_version());
        *status = TOOL_OK;
        return TOOL_GETOPT_EXIT;
    case TOOL_OPT_LIST: {
        const struct option *l;
        const char *c;
        for (c = shortopts != NULL ? shortopts : ""; *c != '\0'; c++)
            if (*c != ':' && *c != '+')
                printf("-%c\n", *c);
        for (l = longopts; l->name != NULL; l++)
            if (l->val != TOOL_OPT_LIST)
                printf("--%s%s\n", l->name, l->has_arg == required_argument ? "=" : "");
        *status = TOOL_OK;
        return TOOL_GETOPT_EXIT;
    }
    case ':':
    case '?': {
        /* the word as typed: a long option (without its =value) or a short one */
        const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
        int len = (int)strcspn(arg, "=");
        if (!(arg[0] == '-' && arg[1] == '-') && optopt > 0 && optopt < 128)
            *status = tool_usage_error(prog, o == ':' ? "option '-%c' needs a value" : "unknown option '-%c'",
                                       optopt);
        else
            *status = tool_usage_error(prog, o == ':' ? "option '%.*s' needs a value"
                                                      : "unknown or ambiguous option '%.*s'", len, arg);
        return TOOL_GETOPT_EXIT;
    }
    default:
        return o;
    }
}

int tool_operands(int argc, char **argv, int min, int max, const char *prog)
{
    int n = argc - optind;
    if (n < min) {
        tool_usage_error(prog, "missing operand");
        return -1;
    }
    if (n > max) {
        tool_usage_error(prog, "unexpected operand '%s'", argv[optind + max]);
        return -1;
    }
    return 0;
}

/* ---- JSON */

static void json_string(FILE *f, const char *s, size_t n)
{
    size_t i;
    fputc('"', f);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
        } else if (c == '\n') {
            fputs("\\n", f);
        } else if (c == '\r') {
            fputs("\\r", f);
        } else if (c == '\t') {
            fputs("\\t", f);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(f, "\\u%04x", c);
        } else if (c < 0x80) {
            fputc(c, f);
        } else {
            /* a well-formed UTF-8 sequence passes; any other byte is escaped as U+00XX */
            size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c <= 0xdf ? 2 : 0, k;
            int good = len > 0 && i + len <= n;
            for (k = 1; good && k < len; k++)
                good = ((unsigned char)s[i + k] & 0xc0) == 0x80;
            if (good && len == 3 && ((c == 0xe0 && (unsigned char)s[i + 1] < 0xa0) ||
                                     (c == 0xed && (unsigned char)s[i + 1] >= 0xa0)))
                good = 0;
            if (good && len == 4 && ((c == 0xf0 && (unsigned char)s[i + 1] < 0x90) ||
                                     (c == 0xf4 && (unsigned char)s[i + 1] >= 0x90)))
                good = 0;
            if (good) {
                fwrite(s + i, 1, len, f);
                i += len - 1;
            } else {
                fprintf(f, "\\u%04x", c);
            }
        }
    }
    fputc('"', f);
}

static void json_key(tool_json *j, const char *key)
{
    if (j->count[j->depth]++ > 0)
        fputc(',', j->f);
    if (key != NULL) {
        json_string(j->f, key, strlen(key));
        fputc(':', j->f);
    }
}

void tool_json_begin(tool_json *j, const char *command)
{
    memset(j, 0, sizeof *j);
    j->f = stdout;
    fputc('{', j->f);
    tool_json_int(j, "phonesec_json", 1);
    tool_json_str(j, "command", command);
}

void tool_json_strn(tool_json *j, const char *key, const char *v, size_t n)
{
    json_key(j, key);
    json_string(j->f, v, n);
}

void tool_json_str(tool_json *j, const char *key, const char *v)
{
    if (v == NULL) {
        tool_json_null(j, key);
        return;
    }
    tool_json_strn(j, key, v, strlen(v));
}

void tool_json_int(tool_json *j, const char *key, long long v)
{
    json_key(j, key);
    fprintf(j->f, "%lld", v);
}

void tool_json_bool(tool_json *j, const char *key, int v)
{
    json_key(j, key);
    fputs(v ? "true" : "false", j->f);
}

void tool_json_null(tool_json *j, const char *key)
{
    json_key(j, key);
    fputs("null", j->f);
}

void tool_json_open(tool_json *j, const char *key, int array)
{
    json_key(j, key);
    fputc(array ? '[' : '{', j->f);
    if (j->depth + 1 < (int)(sizeof j->count / sizeof j->count[0]))
        j->depth++;
    j->count[j->depth] = 0;
}

void tool_json_close(tool_json *j, int array)
{
    fputc(array ? ']' : '}', j->f);
    if (j->depth > 0)
        j->depth--;
}

void tool_json_end(tool_json *j)
{
    fputs("}\n", j->f);
    fflush(j->f);
}

void tool_json_failure(const char *command, const char *err)
{
    tool_json j;
    tool_json_begin(&j, command);
    tool_json_str(&j, "result", "FAILED");
    tool_json_str(&j, "error", err);
    tool_json_end(&j);
}
