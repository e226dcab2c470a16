/*
 * libphonesec - cfgcrypt: interface between the streaming code and the file
 * helper. Never installed.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_CFGCRYPT_INT_H
#define PHONESEC_CFGCRYPT_INT_H

#include <stddef.h>

#include "core/internal.h"
#include "phonesec/cfgcrypt.h"

/* phonesec_cfgcrypt_encrypt_new() (enc 1) or _decrypt_new() (enc 0), with the
 * reason of a failure written to why ("<strerror>: <detail>"). */
PHONESEC__INTERNAL int phonesec__cfgcrypt_new(const phonesec_cfgcrypt_params *p, int enc, phonesec_cfgcrypt_ctx **out,
                                              char *why, size_t cap);

/* Tests only: 1 makes the file helper use a named temporary file even where
 * O_TMPFILE works (the portable path). */
PHONESEC__INTERNAL extern int phonesec__cfgfile_no_tmpfile;

#endif
