#!/bin/sh
# Installs a build into a staging directory and builds a small program against
# the installed headers, pkg-config file and library (shared, then static), as
# a firmware build would. usage: check-install.sh BUILDDIR STAGEDIR
set -eu
build=$1 stage=$2
rm -rf "$stage"
meson install -C "$build" --destdir "$stage" --quiet
pcdir=$(dirname "$(find "$stage" -name libphonesec.pc | head -n 1)")
[ -f "$pcdir/libphonesec.pc" ] || { echo "check-install: no libphonesec.pc installed"; exit 1; }
for h in phonesec.h phonesec/core.h phonesec/ciphers.h phonesec/tls.h phonesec/sdes.h phonesec/srtp.h; do
  [ -n "$(find "$stage" -path "*/include/$h")" ] || { echo "check-install: $h not installed"; exit 1; }
done
[ -z "$(find "$stage" -name '*internal*.h')" ] || { echo "check-install: an internal header was installed"; exit 1; }
[ -n "$(find "$stage" -name phonesec.1)" ] || { echo "check-install: man page not installed"; exit 1; }
[ -x "$(find "$stage" -path '*/bin/phonesec' | head -n 1)" ] || { echo "check-install: tool not installed"; exit 1; }
cat > "$stage/consumer.c" <<'C'
#include <phonesec.h>
#include <stdio.h>
#include <string.h>
int main(void)
{
    uint16_t codes[128];
    size_t n = 0;
    if (phonesec_init(NULL) != PHONESEC_OK)
        return 1;
    if (strcmp(phonesec_version(), PHONESEC_VERSION_STRING) != 0)
        return 2;
    if (phonesec_ciphers_select("DEFAULT", codes, 128, &n) != PHONESEC_OK || n != 27)
        return 3;
    phonesec_shutdown();
    puts("consumer: OK");
    return 0;
}
C
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$stage"
libdir=$(dirname "$(find "$stage" -name 'libphonesec.so' | head -n 1)")
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror -o "$stage/consumer" "$stage/consumer.c" $(pkg-config --cflags --libs libphonesec)
LD_LIBRARY_PATH="$libdir" "$stage/consumer"
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror -o "$stage/consumer-static" "$stage/consumer.c" \
   $(pkg-config --cflags libphonesec) "$libdir/libphonesec.a" $(pkg-config --libs-only-l --static wolfssl libsrtp2) -lpthread
"$stage/consumer-static"
echo "check-install: headers, pkg-config file, shared and static library, tool and man page OK"
