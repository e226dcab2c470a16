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
umbrella=$(find "$stage" -path '*/include/phonesec.h' | head -n 1)
[ -n "$umbrella" ] || { echo "check-install: phonesec.h not installed"; exit 1; }
# Every header the umbrella names is installed (-Dmodules, -Dlegacy_rc4), and
# every installed module header is named by the umbrella.
for h in $(sed -n 's/^#include "\(phonesec\/[a-z0-9_]*\.h\)"$/\1/p' "$umbrella"); do
  [ -f "$(dirname "$umbrella")/$h" ] || { echo "check-install: phonesec.h includes $h, which is not installed"; exit 1; }
done
for h in "$(dirname "$umbrella")"/phonesec/*.h; do
  grep -q "^#include \"phonesec/$(basename "$h")\"$" "$umbrella" ||
    { echo "check-install: $(basename "$h") installed but not in phonesec.h"; exit 1; }
done
for h in phonesec/core.h phonesec/ciphers.h; do
  [ -f "$(dirname "$umbrella")/$h" ] || { echo "check-install: $h not installed"; exit 1; }
done
[ -z "$(find "$stage" -name '*internal*.h')" ] || { echo "check-install: an internal header was installed"; exit 1; }
[ -n "$(find "$stage" -name phonesec.1)" ] || { echo "check-install: man page not installed"; exit 1; }
[ -x "$(find "$stage" -path '*/bin/phonesec' | head -n 1)" ] || { echo "check-install: tool not installed"; exit 1; }
[ -f "$(find "$stage" -path '*/share/bash-completion/completions/phonesec' | head -n 1)" ] ||
  { echo "check-install: bash completion not installed"; exit 1; }
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
# Static: only what `pkg-config --static` says, with the shared library out of
# the way so -lphonesec can only be the archive (as in a firmware build).
mkdir -p "$stage/static-only"
cp "$libdir/libphonesec.a" "$stage/static-only/"
sed "s#^libdir=.*#libdir=$stage/static-only#" "$pcdir/libphonesec.pc" > "$stage/static-only/libphonesec.pc"
# shellcheck disable=SC2046
PKG_CONFIG_PATH="$stage/static-only" PKG_CONFIG_SYSROOT_DIR= \
  cc -std=c99 -Wall -Werror -o "$stage/consumer-static" "$stage/consumer.c" \
     $(PKG_CONFIG_PATH="$stage/static-only" PKG_CONFIG_SYSROOT_DIR= pkg-config --static --cflags --libs libphonesec) \
     -I"$(dirname "$(find "$stage" -path '*/include/phonesec.h' | head -n 1)")"
if ldd "$stage/consumer-static" | grep -q libphonesec; then
  echo "check-install: the static consumer still loads libphonesec.so"; exit 1
fi
"$stage/consumer-static"
echo "check-install: headers, pkg-config file, shared and static library, tool, man page and bash completion OK"
