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

int phonesec_tool_ciphers(int argc, char **argv);
int phonesec_tool_tls(int argc, char **argv);
int phonesec_tool_sdes(int argc, char **argv);
int phonesec_tool_srtp(int argc, char **argv);
int phonesec_tool_mediasec(int argc, char **argv);
int phonesec_tool_config(int argc, char **argv);
int phonesec_tool_sigenc(int argc, char **argv);

#endif
