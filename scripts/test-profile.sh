#!/bin/sh
# The second test configuration: the unit, vectors, tool and interop suites
# against the phone wolfSSL profile (scripts/wolfssl-profile.sh) instead of
# Debian's generic build. See doc/backends.md.
#
#   scripts/test-profile.sh [BUILDDIR]        (default build-test/profile)
#
# scripts/test.sh runs it (unless PHONESEC_TEST_PROFILE=0). The wolfSSL prefix is
# cached under build/wolfssl-profile (a fresh machine builds it once, about
# a minute or three on 2 cores; reruns reuse it). Extra suites:
# PHONESEC_PROFILE_SUITES="unit vectors tool interop" (the default).
# PHONESEC_PROFILE_PREFIX=DIR tests a wolfSSL installed in DIR instead (a
# vendor's own build); the checks of what the phone profile must offer
# (27 of 27 DEFAULT suites, static RSA, use_srtp, assembly) then only warn.
# Exit status 0 only if the profile was built and every suite passed.
set -u
cd "$(dirname "$0")/.."
top=$(pwd)
out=${1:-$top/build-test/profile}
suites=${PHONESEC_PROFILE_SUITES:-unit vectors tool interop}

if [ -n "${PHONESEC_PROFILE_PREFIX:-}" ]; then
  prefix=$PHONESEC_PROFILE_PREFIX   # a vendor's own wolfSSL install prefix
else
  for p in autoconf automake libtool make dpkg-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || {
      echo "test-profile: $p missing (scripts/install-deps.sh profile)" >&2; exit 1; }
  done
  prefix=$(sh scripts/wolfssl-profile.sh | tail -1) || { echo "test-profile: building the wolfSSL profile failed" >&2; exit 1; }
fi
[ -f "$prefix/lib/pkgconfig/wolfssl.pc" ] || { echo "test-profile: no wolfssl.pc under $prefix" >&2; exit 1; }

status=0
strict=1
[ -n "${PHONESEC_PROFILE_PREFIX:-}" ] && strict=0
need() { echo "test-profile: $*" >&2; [ $strict = 0 ] || status=1; }
run() { echo "+ $*"; "$@" || status=1; }

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if [ ! -f "$out/build.ninja" ]; then
  mkdir -p "$(dirname "$out")"
  # its summary says which wolfSSL was found and what it can do
  run meson setup "$out" -Dwerror=true --buildtype=debugoptimized \
      "-Dc_link_args=-Wl,-rpath,$prefix/lib" | sed -n '/wolfSSL backend/,/^$/p'
fi
run nice ninja -C "$out" -j2

# The library must have linked against the profile, not Debian's wolfSSL.
if ! ldd "$out/lib/libphonesec.so" | grep -q "$prefix/lib/libwolfssl"; then
  echo "test-profile: libphonesec.so is not linked against $prefix" >&2
  status=1
fi
# What the profile is for: every DEFAULT suite available, static RSA,
# use_srtp, assembly (x86_64/aarch64).
info=$("$out/tools/phonesec" version --verbose) || status=1
echo "$info"
echo "$info" | grep -Eq 'DEFAULT suites .*: ([0-9]+) of \1 available' || need "the profile does not offer every DEFAULT suite"
for cap in 'static RSA suites' 'DTLS use_srtp' 'TLS 1.3'; do
  echo "$info" | grep '^backend has:' | grep -q "$cap" || need "the profile lacks $cap"
done
case "$(uname -m)" in
  x86_64|aarch64) echo "$info" | grep -q '^assembly: none' && need "the profile was built without assembly" ;;
esac

args=""
for s in $suites; do args="$args --suite $s"; done
# shellcheck disable=SC2086
run meson test -C "$out" --print-errorlogs --num-processes 2 $args
exit $status
