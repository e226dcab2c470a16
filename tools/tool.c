/* Helpers shared by the phonesec tool's subcommands. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
