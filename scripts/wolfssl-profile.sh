#!/bin/sh
# Builds the "phone" wolfSSL profile: what a firmware vendor ships, not
# Debian's --enable-distro build. See doc/backends.md for why each flag is
# there.
#
#   scripts/wolfssl-profile.sh [--prefix DIR] [--arch x86_64|armhf|aarch64]
#                              [--src DIR] [--legacy-rc4] [--jobs N] [--force]
#
# Source: Debian's wolfssl source package (`apt-get source wolfssl`; a
# deb-src entry is added for the run and removed afterwards when none is
# configured), or a wolfSSL source tree given with --src.
# Result: DIR (default build/wolfssl-profile) with lib/pkgconfig/wolfssl.pc.
# Use it with:
#   PKG_CONFIG_PATH=DIR/lib/pkgconfig meson setup build-profile \
#     -Dc_link_args=-Wl,-rpath,DIR/lib
# The prefix is reused when it was built by this same script (hash) from
# the same source version for the same arch: rerunning costs nothing.
# Prints the prefix as its last line of output.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
prefix="$top/build/wolfssl-profile"
arch=$(uname -m)
src=""
rc4=no
jobs=2
force=no
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --arch) arch=$2; shift 2 ;;
    --src) src=$2; shift 2 ;;
    --legacy-rc4) rc4=yes; shift ;;
    --jobs) jobs=$2; shift 2 ;;
    --force) force=yes; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "wolfssl-profile: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$arch" in
  x86_64|amd64) arch=x86_64 ;;
  armhf|armv7l|arm) arch=armhf ;;
  aarch64|arm64) arch=aarch64 ;;
  *) echo "wolfssl-profile: unsupported arch $arch (x86_64, armhf, aarch64)" >&2; exit 2 ;;
esac
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac

log() { echo "wolfssl-profile: $*" >&2; }

# ---- the profile ---------------------------------------------------------
# configure switches (each explained in doc/backends.md)
CONF="--enable-shared --disable-static
 --disable-examples --disable-crypttests --disable-benchmark
 --enable-tls13 --enable-tlsv12 --enable-oldtls
 --enable-session-ticket --enable-extended-master
 --enable-crl --enable-sessioncerts
 --enable-dtls --enable-srtp --enable-keying-material
 --enable-sni --enable-supportedcurves --enable-curve25519
 --enable-aesgcm --enable-aesgcm-stream --enable-aesctr --enable-aescbc
 --enable-chacha --enable-poly1305
 --enable-hkdf --enable-pwdbased --enable-scrypt
 --enable-opensslextra
 --disable-anon --disable-des3 --disable-nullcipher --disable-md4 --disable-dsa
 --disable-oldnames"
# defines with no configure switch in 5.5.x
DEFS="-DWOLFSSL_STATIC_RSA -DHAVE_AES_ECB -DWOLFSSL_AES_DIRECT
 -DWOLFSSL_TRUST_PEER_CERT -DWOLFSSL_ALWAYS_VERIFY_CB -DWOLFSSL_FPKI
 -DWOLFSSL_ALT_NAMES"
if [ "$rc4" = yes ]; then
  CONF="$CONF --enable-arc4"
else
  CONF="$CONF --disable-arc4"
fi
HOST=""
case "$arch" in
  x86_64)
    CONF="$CONF --enable-aesni --enable-intelasm --enable-sp --enable-sp-asm"
    [ "$(uname -m)" = x86_64 ] || HOST="--host=x86_64-linux-gnu" ;;
  aarch64)
    CONF="$CONF --enable-armasm --enable-sp --enable-sp-asm"
    [ "$(uname -m)" = aarch64 ] || HOST="--host=aarch64-linux-gnu" ;;
  armhf)
    # ARMv7 phones: no ARMv8 crypto extensions; SP math in C.
    CONF="$CONF --enable-sp"
    [ "$(uname -m)" = armv7l ] || HOST="--host=arm-linux-gnueabihf" ;;
esac

# ---- source --------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/wolfssl-profile.XXXXXX")
added_src=""
cleanup() {
  if [ -n "$added_src" ]; then
    rm -f "$added_src"
    apt-get update -q >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

add_deb_src() {
  # No deb-src entry: add one (same archive as the binary entries) for this run.
  if grep -rqs 'deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || { log "need root to add a deb-src entry (or pass --src DIR)"; exit 1; }
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    added_src=/etc/apt/sources.list.d/phonesec-wolfssl-profile-src.sources
    sed 's/^Types:.*/Types: deb-src/' /etc/apt/sources.list.d/debian.sources > "$work/src.sources"
    cp "$work/src.sources" "$added_src"
  else
    added_src=/etc/apt/sources.list.d/phonesec-wolfssl-profile-src.list
    grep -hs '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' > "$work/src.list"
    cp "$work/src.list" "$added_src"
  fi
  log "added $added_src for this run"
  apt-get update -q >/dev/null
}

if [ -z "$src" ]; then
  # The source version is the binary one Debian offers (wolfssl builds
  # libwolfssl-dev at the same version): known without a deb-src entry, so
  # a cached prefix is reused without touching apt's sources.
  version=$(apt-cache policy libwolfssl-dev 2>/dev/null | sed -n 's/^ *Candidate: //p')
  [ -n "$version" ] && [ "$version" != "(none)" ] || { log "apt knows no libwolfssl-dev version"; exit 1; }
else
  src=$(cd "$src" && pwd)
  version=$(sed -n 's/^AC_INIT(\[wolfssl\],\[\([^]]*\)\].*/\1/p' "$src/configure.ac" | head -1)
  version="tree-${version:-unknown}-$(cd "$src" && (git rev-parse --short HEAD 2>/dev/null || echo nogit))"
fi

key="$(sha256sum "$0" | cut -c1-16) $version $arch"
if [ "$force" = no ] && [ -f "$prefix/.profile-key" ] && [ "$(cat "$prefix/.profile-key")" = "$key" ] \
   && [ -f "$prefix/lib/pkgconfig/wolfssl.pc" ]; then
  log "reusing $prefix ($key)"
  echo "$prefix"
  exit 0
fi

if [ -z "$src" ]; then
  command -v dpkg-source >/dev/null || { log "dpkg-dev is needed for apt-get source"; exit 1; }
  add_deb_src
  log "fetching wolfssl $version source"
  (cd "$work" && apt-get source -q "wolfssl=$version" >/dev/null 2>&1) || \
    (cd "$work" && apt-get source -q wolfssl >/dev/null)
  src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'wolfssl-*' | head -1)
  [ -n "$src" ] || { log "apt-get source produced no tree"; exit 1; }
fi
for t in autoreconf libtoolize make; do
  command -v $t >/dev/null || { log "$t missing (apt-get install autoconf automake libtool make)"; exit 1; }
done

# Build out of the source tree's copy so --src trees stay clean.
bld="$work/build"
cp -a "$src" "$bld"
cd "$bld"
[ -x configure ] || autoreconf -fi >/dev/null 2>&1
log "configuring ($arch): $(echo $CONF | tr '\n' ' ')"
# shellcheck disable=SC2086
./configure --prefix="$prefix" $HOST $CONF CPPFLAGS="$(echo $DEFS)" \
  >"$work/configure.log" 2>&1 || { tail -30 "$work/configure.log" >&2; exit 1; }
log "building with nice -n 10 make -j$jobs"
nice -n 10 make -j"$jobs" >"$work/make.log" 2>&1 || { tail -40 "$work/make.log" >&2; exit 1; }
rm -rf "$prefix"
make install >"$work/install.log" 2>&1 || { tail -20 "$work/install.log" >&2; exit 1; }
cp "$work/configure.log" "$prefix/configure.log"
echo "$key" > "$prefix/.profile-key"
log "installed $prefix ($key)"
echo "$prefix"
