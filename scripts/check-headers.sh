#!/bin/sh
# Compiles every public header alone: C99 pedantic with gcc and clang, and C++.
# usage: check-headers.sh INCLUDE_DIR HEADER...
set -u
inc=$(realpath "$1"); shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0; n=0
for h in "$@"; do
  h=$(realpath "$h")
  rel=${h#"$inc"/}
  printf '#include "%s"\n#include "%s"\nint phonesec_header_test_dummy;\n' "$rel" "$rel" > "$tmp/t.c"
  for c in gcc clang; do
    command -v $c >/dev/null 2>&1 || continue
    n=$((n+1))
    if ! $c -std=c99 -pedantic -Werror -Wall -Wextra -I"$inc" -fsyntax-only "$tmp/t.c" 2>"$tmp/err"; then
      echo "FAIL: $rel does not compile alone as C99 with $c:"; cat "$tmp/err"; fail=1
    fi
  done
  if command -v g++ >/dev/null 2>&1; then
    n=$((n+1))
    cp "$tmp/t.c" "$tmp/t.cc"
    printf 'extern "C" int phonesec_version_number_check(void);\n' >> "$tmp/t.cc"
    if ! g++ -std=c++11 -pedantic -Werror -Wall -Wextra -I"$inc" -fsyntax-only "$tmp/t.cc" 2>"$tmp/err"; then
      echo "FAIL: $rel does not compile as C++:"; cat "$tmp/err"; fail=1
    fi
  fi
  grep -q 'extern "C"' "$h" || { [ "$(basename "$h")" = phonesec.h ] || { echo "FAIL: $rel lacks extern \"C\" guards"; fail=1; }; }
  if grep -nE '#include[[:space:]]*[<"](wolfssl|srtp2?)/' "$h"; then
    echo "FAIL: $rel includes a backend header"; fail=1
  fi
done
echo "checked $# headers ($n compilations)"
exit $fail
