#!/bin/sh
# How other build systems consume libphonesec (suite 'install'):
#  1. CMake: find_package(libphonesec) on an installed tree; the shared target
#     and the static one (archive + backends through pkg-config) both link
#     and run; asking for the next major version fails.
#  2. meson: a parent project with libphonesec in subprojects/ gets it from
#     dependency('libphonesec') (meson.override_dependency) and links it
#     statically.
# usage: run.sh SRCDIR BUILDDIR WORKDIR
set -eu
src=$1 build=$2 w=$3
here=$src/tests/consumers
rm -rf "$w"; mkdir -p "$w"
meson install -C "$build" --destdir "$w/stage" --quiet
prefix=$(dirname "$(dirname "$(find "$w/stage" -path '*/include/phonesec.h' | head -n 1)")")
version=$(sed -n 's/^#define PHONESEC_VERSION_STRING "\(.*\)"/\1/p' "$src/include/phonesec/core.h")
major=${version%%.*}

echo "== CMake consumer (find_package(libphonesec $version))"
cmake -S "$here/cmake" -B "$w/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DPHONESEC_WANT="$version" >"$w/cmake.log" 2>&1 ||
  { cat "$w/cmake.log"; exit 1; }
cmake --build "$w/cmake" >>"$w/cmake.log" 2>&1 || { cat "$w/cmake.log"; exit 1; }
LD_LIBRARY_PATH=$(dirname "$(find "$prefix" -name 'libphonesec.so' | head -n 1)") "$w/cmake/consumer"
if ldd "$w/cmake/consumer_static" | grep -q libphonesec; then echo "static target loads libphonesec.so"; exit 1; fi
"$w/cmake/consumer_static"
if cmake -S "$here/cmake" -B "$w/cmake-next" -DCMAKE_PREFIX_PATH="$prefix" -DPHONESEC_WANT="$((major + 1)).0" \
     >"$w/cmake-next.log" 2>&1; then
  echo "find_package accepted major version $((major + 1)) for $version"; exit 1
fi
echo "   next major version refused, as it must be"

echo "== meson parent project with subprojects/libphonesec"
mkdir -p "$w/parent/subprojects/libphonesec"
cp "$here/meson-subproject/meson.build" "$here/consumer.c" "$w/parent/"
sed -i "s#'../consumer.c'#'consumer.c'#" "$w/parent/meson.build"
(cd "$src" && tar --exclude='./build*' --exclude='./.git' --exclude='./fuzz/corpus' -cf - .) |
  tar -C "$w/parent/subprojects/libphonesec" -xf -
meson setup "$w/parent/build" "$w/parent" >"$w/meson.log" 2>&1 || { cat "$w/meson.log"; exit 1; }
ninja -C "$w/parent/build" >>"$w/meson.log" 2>&1 || { cat "$w/meson.log"; exit 1; }
if ldd "$w/parent/build/consumer" | grep -q libphonesec; then echo "subproject consumer loads libphonesec.so"; exit 1; fi
"$w/parent/build/consumer"
echo "consumers: OK"
