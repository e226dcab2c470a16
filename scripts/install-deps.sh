#!/bin/sh
# Installs the Debian 12 packages libphonesec needs, by purpose:
#   install-deps.sh build     what `meson setup && ninja` needs (library, tool)
#   install-deps.sh test      + what the unit, vector, fuzz-corpus, sanitizer,
#                               valgrind, install and packaging checks need
#   install-deps.sh interop   + the real peers of the interop suites
#   install-deps.sh [all]     all three (what scripts/test.sh uses)
# Does nothing when everything asked for is present.
set -eu
BUILD="meson ninja-build pkg-config gcc libwolfssl-dev libsrtp2-dev"
TEST="clang libclang-rt-14-dev valgrind python3 openssl libcmocka-dev libssl-dev libosip2-dev libre-dev
python3-pylibsrtp python3-cryptography bc time cmake abigail-tools doxygen man-db ca-certificates
debhelper dpkg-dev lintian fakeroot"
INTEROP="gnutls-bin kamailio kamailio-tls-modules baresip-core linphone-cli iproute2 util-linux"
case "${1:-all}" in
  build) PKGS=$BUILD ;;
  test) PKGS="$BUILD $TEST" ;;
  interop) PKGS="$BUILD $TEST $INTEROP" ;;
  all) PKGS="$BUILD $TEST $INTEROP" ;;
  *) echo "usage: install-deps.sh [build|test|interop|all]" >&2; exit 2 ;;
esac
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "install-deps: installing:$missing"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $missing
fi
