/* Shared declarations of the phonesec command-line tool. */
#ifndef PHONESEC_TOOL_H
#define PHONESEC_TOOL_H

/* Exit statuses of every subcommand. */
#define TOOL_OK 0       /* done; every check passed */
#define TOOL_FAIL 1     /* ran, but the answer is "no" (no match, check failed, bad input) */
#define TOOL_USAGE 2    /* bad command line */

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

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

/* ---- One command-line convention for every subcommand (getopt_long).
 * Each subcommand's table ends with TOOL_OPTS_COMMON and {0}. Options may be
 * given as `--opt value` or `--opt=value`, anywhere before `--`; `--help`
 * prints the usage on standard output (exit 0), `--version` the library
 * version (exit 0); an unknown option, a missing value or an unexpected
 * operand prints one line naming it and "Try 'PROG --help'." on standard
 * error (exit 2). `--list-options` (undocumented, for the bash completion and
 * the man-page test) prints the table's long options, one a line, with '='
 * after those that take a value. */
#define TOOL_OPT_HELP 'h'
#define TOOL_OPT_VERSION 0x1001
#define TOOL_OPT_LIST 0x1002
#define TOOL_OPT_JSON 0x1003
#define TOOL_OPTS_COMMON                                                                                        \
    {"help", no_argument, NULL, TOOL_OPT_HELP}, {"version", no_argument, NULL, TOOL_OPT_VERSION},               \
        {"list-options", no_argument, NULL, TOOL_OPT_LIST}
#define TOOL_OPT_JSON_ENTRY {"json", no_argument, NULL, TOOL_OPT_JSON}
/* getopt_long returned: -1 at the end of the options (operands from optind);
 * TOOL_GETOPT_EXIT when the caller returns *status (help, version, usage
 * error: already printed); else the option's value (optarg set). Start each
 * subcommand's loop with optind = 0. */
#define TOOL_GETOPT_EXIT (-2)
int tool_getopt(int argc, char **argv, const char *prog, const char *shortopts, const struct option *longopts,
                void (*usage)(FILE *), int *status);
/* "PROG: MESSAGE\nTry 'PROG --help'.\n" on stderr; returns TOOL_USAGE. */
int tool_usage_error(const char *prog, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Operands argv[optind..argc): between min and max of them, else a usage
 * error (returns -1 after the message, 0 when fine). */
int tool_operands(int argc, char **argv, int min, int max, const char *prog);

/* ---- --json: one object per run on standard output, keys in a fixed
 * order, strings escaped (control bytes as \u00XX, bytes >= 0x80 passed
 * through; invalid UTF-8 as \u00XX of each byte). Every object starts with
 * "phonesec_json": 1 (the schema version) and "command". */
typedef struct tool_json {
    FILE *f;
    int depth;
    int count[8];
} tool_json;
void tool_json_begin(tool_json *j, const char *command);
void tool_json_str(tool_json *j, const char *key, const char *v); /* v NULL: null */
void tool_json_strn(tool_json *j, const char *key, const char *v, size_t n);
void tool_json_int(tool_json *j, const char *key, long long v);
void tool_json_bool(tool_json *j, const char *key, int v);
void tool_json_null(tool_json *j, const char *key);
/* key NULL inside an array */
void tool_json_open(tool_json *j, const char *key, int array);
void tool_json_close(tool_json *j, int array);
void tool_json_end(tool_json *j);
/* One whole object for a command that failed: result FAILED and the error. */
void tool_json_failure(const char *command, const char *err);

int phonesec_tool_ciphers(int argc, char **argv);
int phonesec_tool_tls(int argc, char **argv);
int phonesec_tool_sdes(int argc, char **argv);
int phonesec_tool_srtp(int argc, char **argv);
int phonesec_tool_mediasec(int argc, char **argv);
int phonesec_tool_config(int argc, char **argv);
int phonesec_tool_sigenc(int argc, char **argv);

#endif
