/* SPDX-License-Identifier: MIT
 * Internal interface between the files of the sdes module. */
#ifndef PHONESEC_SDES_INTERNAL_H
#define PHONESEC_SDES_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"
#include "phonesec/sdes.h"

/* 1 for the _32 suites. */
PHONESEC__INTERNAL int phonesec__sdes_suite_is_32(int suite);
/* Only the tag of a line (for duplicate detection on lines that fail). */
PHONESEC__INTERNAL int phonesec__sdes_parse_tag(const char *line, size_t len, uint32_t *tag);
/* Parse into caller storage (no allocation); wiped on failure. */
PHONESEC__INTERNAL int phonesec__sdes_crypto_parse_into(const char *line, size_t len, phonesec_sdes_crypto *c,
                                                        char *why, size_t cap);
/* Replace c->text by the canonical form of the fields. */
PHONESEC__INTERNAL int phonesec__sdes_crypto_render(phonesec_sdes_crypto *c);

#endif
