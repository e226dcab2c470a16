#!/bin/sh
# Prints the library version as written in include/phonesec/core.h (the one source of truth).
h="$(dirname "$0")/../include/phonesec/core.h"
maj=$(sed -n 's/^#define PHONESEC_VERSION_MAJOR \([0-9]*\).*/\1/p' "$h")
min=$(sed -n 's/^#define PHONESEC_VERSION_MINOR \([0-9]*\).*/\1/p' "$h")
pat=$(sed -n 's/^#define PHONESEC_VERSION_PATCH \([0-9]*\).*/\1/p' "$h")
printf '%s.%s.%s\n' "$maj" "$min" "$pat"
