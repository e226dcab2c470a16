#!/bin/sh
# Debian packaging (suite 'install'): debian/ builds libphonesec1,
# libphonesec-dev and phonesec-tools with `dpkg-buildpackage -b -us -uc`,
# lintian finds no error or warning at its default level, the symbols file
# matches the export ledger, and the packages, unpacked into a scratch root,
# give a working tool and a program built against the -dev package.
# usage: debian.sh SRCDIR WORKDIR
set -eu
src=$1 w=$2
for t in dpkg-buildpackage dh lintian; do
  command -v $t >/dev/null || { echo "$t missing (scripts/install-deps.sh test installs it)"; exit 1; }
done
rm -rf "$w"; mkdir -p "$w/src" "$w/root"
python3 "$src/scripts/gen-debian-symbols.py" "$src" --check
hv=$(sed -n 's/^#define PHONESEC_VERSION_STRING "\(.*\)"/\1/p' "$src/include/phonesec/core.h")
cv=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
[ "$hv" = "$cv" ] || { echo "debian/changelog says $cv, the headers $hv"; exit 1; }
(cd "$src" && tar --exclude='./build*' --exclude='./.git' -cf - .) | tar -C "$w/src" -xf -
(cd "$w/src" && dpkg-checkbuilddeps && DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -b -us -uc) \
  >"$w/build.log" 2>&1 || { tail -40 "$w/build.log"; exit 1; }
ls "$w"/*.deb
changes=$(ls "$w"/libphonesec_*.changes)
lintian --fail-on error,warning "$changes" >"$w/lintian.log" 2>&1 || { cat "$w/lintian.log"; exit 1; }
cat "$w/lintian.log"
for d in "$w"/*.deb; do dpkg-deb -x "$d" "$w/root"; done
LD_LIBRARY_PATH=$(dirname "$(find "$w/root" -name 'libphonesec.so.*' | head -n 1)")
export LD_LIBRARY_PATH
"$w/root/usr/bin/phonesec" version
[ -f "$w/root/usr/share/bash-completion/completions/phonesec" ] || { echo "phonesec-tools lacks the bash completion"; exit 1; }
pc=$(dirname "$(find "$w/root" -name libphonesec.pc)")
# shellcheck disable=SC2046
cc -std=c99 -Wall -Werror -o "$w/consumer" "$src/tests/consumers/consumer.c" \
   $(PKG_CONFIG_PATH=$pc PKG_CONFIG_SYSROOT_DIR=$w/root pkg-config --cflags --libs libphonesec)
"$w/consumer"
echo "debian packages: OK"
