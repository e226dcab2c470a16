/* Shared declarations of the phonesec command-line tool. */
#ifndef PHONESEC_TOOL_H
#define PHONESEC_TOOL_H

/* Exit statuses of every subcommand. */
#define TOOL_OK 0       /* done; every check passed */
#define TOOL_FAIL 1     /* ran, but the answer is "no" (no match, check failed, bad input) */
#define TOOL_USAGE 2    /* bad command line */

#include <stdint.h>

/* Whole-string unsigned numbers: decimal, or 0x hex / 0 octal with base 0;
 * no sign, no spaces, no trailing characters, at most max.
 * 0 on success, -1 otherwise (*v untouched). */
int tool_parse_u64(const char *s, int base, uint64_t max, uint64_t *v);
/* The same for uint32_t, base 0. */
int tool_parse_u32(const char *s, uint32_t *v);
/* A file descriptor number (decimal, 0..INT_MAX). 0 or -1. */
int tool_parse_fd(const char *s, int *fd);

/* Where a secret is read from: path ("-" = standard input), or, when path
 * is NULL, the descriptor fd (left open). */
typedef struct tool_secret_src {
    const char *path;
    int fd;
} tool_secret_src;
/* The whole content (at most cap - 1 bytes; NUL added). Length, or -1 after
 * a message on stderr (buf wiped). */
long tool_read_secret(const char *prog, const tool_secret_src *src, char *buf, size_t cap);
/* A password exactly as `openssl ... -pass file:F` (fd:N, stdin) reads it:
 * the first line without its '\n', at most 1023 bytes, up to a NUL byte;
 * a '\r' stays part of it (with a warning). Nothing after the line is read.
 * cap >= 1024. Length, or -1 after a message. */
long tool_read_password(const char *prog, const tool_secret_src *src, char *buf, size_t cap);
/* "PROG: warning: WHAT given on the command line ... use INSTEAD" */
void tool_warn_argv_secret(const char *prog, const char *what, const char *instead);

int phonesec_tool_ciphers(int argc, char **argv);
int phonesec_tool_tls(int argc, char **argv);
int phonesec_tool_sdes(int argc, char **argv);
int phonesec_tool_srtp(int argc, char **argv);
int phonesec_tool_mediasec(int argc, char **argv);
int phonesec_tool_config(int argc, char **argv);
int phonesec_tool_sigenc(int argc, char **argv);

#endif
