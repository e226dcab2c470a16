#!/bin/sh
# ABI check against the committed baseline (doc/libphonesec.abi, made by
# abidw from the 1.0 library): any removed or changed function, variable or
# type fails; additions (new functions, struct fields added at the end) are
# allowed and listed. usage: check-abi.sh SRCDIR LIBPHONESEC.SO [--update]
set -eu
src=$1 lib=$2
base=$src/doc/libphonesec.abi
command -v abidiff >/dev/null || { echo "abidiff missing (apt-get install abigail-tools)"; exit 1; }
if [ "${3:-}" = --update ]; then
  abidw --headers-dir "$src/include" --no-corpus-path --out-file "$base" "$lib"
  echo "check-abi: baseline written to $base"; exit 0
fi
[ -f "$base" ] || { echo "check-abi: no baseline $base (make it with --update at a release)"; exit 77; }
rc=0
abidiff --headers-dir2 "$src/include" --suppressions "$src/doc/abi.suppr" --no-added-syms \
        "$base" "$lib" || rc=$?
# abidiff's exit status is a bit set: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
if [ "$rc" -ne 0 ]; then echo "check-abi: the ABI changed against doc/libphonesec.abi (abidiff exit $rc)"; exit 1; fi
echo "check-abi: no removed or changed symbol or type; additions:"
abidiff --headers-dir2 "$src/include" --suppressions "$src/doc/abi.suppr" "$base" "$lib" | grep -E 'Added|\[A\]' || echo "  none"
