/* Shared declarations of the phonesec command-line tool. */
#ifndef PHONESEC_TOOL_H
#define PHONESEC_TOOL_H

/* Exit statuses of every subcommand. */
#define TOOL_OK 0       /* done; every check passed */
#define TOOL_FAIL 1     /* ran, but the answer is "no" (no match, check failed, bad input) */
#define TOOL_USAGE 2    /* bad command line */

int phonesec_tool_ciphers(int argc, char **argv);
int phonesec_tool_tls(int argc, char **argv);
int phonesec_tool_sdes(int argc, char **argv);
int phonesec_tool_srtp(int argc, char **argv);
int phonesec_tool_mediasec(int argc, char **argv);
int phonesec_tool_config(int argc, char **argv);
int phonesec_tool_sigenc(int argc, char **argv);

#endif
