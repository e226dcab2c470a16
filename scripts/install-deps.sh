#!/bin/sh
# Installs the Debian 12 packages libphonesec needs to build, test and run its
# interop suites. Does nothing when they are all present.
set -eu
PKGS="meson ninja-build pkg-config gcc clang libclang-rt-14-dev valgrind python3 openssl
libwolfssl-dev libsrtp2-dev libcmocka-dev libssl-dev
gnutls-bin kamailio kamailio-tls-modules baresip-core linphone-cli
libosip2-dev libre-dev python3-pylibsrtp iproute2 util-linux"
PKGS="$PKGS python3-cryptography bc time"  # cfgcrypt: independent RFC 8188/psec check, benchmark
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
