/*
 * libphonesec - mediasec internals shared by its source files. Never installed.
 * SIP text (header framing, names, values, lists) is read by core/text.h.
 * SPDX-License-Identifier: MIT
 */
#ifndef PHONESEC_MEDIASEC_INT_H
#define PHONESEC_MEDIASEC_INT_H

#include <stddef.h>

#include "core/internal.h"
#include "core/text.h"
#include "phonesec/mediasec.h"

/* The list's last error detail without the strerror prefix. */
PHONESEC__INTERNAL const char *phonesec__mediasec_list_detail(const phonesec_mediasec_list *l);
/* Print into a builder (style/header as phonesec_mediasec_list_print). */
PHONESEC__INTERNAL void phonesec__mediasec_list_put(const phonesec_mediasec_list *l, const char *header, int style,
                                                   const char *eol, phonesec__sb *b);

#endif
