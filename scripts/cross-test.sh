#!/bin/sh
# Cross-build libphonesec for a phone-class CPU and run the unit and vector
# suites under qemu-user. armhf (Cortex-A7 class, little-endian 32-bit),
# arm64, and s390x (the big-endian representative: every byte-order
# assumption is exercised there).
#   usage: cross-test.sh armhf|arm64|s390x [OUTDIR]   (default OUTDIR build/cross)
# Installs the Debian cross compiler and qemu-user-static, unpacks the
# target's wolfSSL, libsrtp2, cmocka (and their runtime closure) into a
# sysroot under OUTDIR/<arch>/sysroot (kept between runs), writes a meson
# cross file, builds with -Werror and runs the suites through qemu.
# The build is instrumented with -fsanitize=undefined in trap mode (no
# runtime library needed in the sysroot): undefined behaviour, unaligned
# access included, stops the test with SIGILL under qemu.
# Last, the size part of the footprint report for the target (footprint.py
# with the cross binutils against the target's libsrtp2 and libwolfssl).
set -eu
arch=${1:?usage: cross-test.sh armhf|arm64|s390x [OUTDIR]}
cd "$(dirname "$0")/.."
top=$(pwd)
out=${2:-$top/build/cross}
case $arch in
  armhf) triplet=arm-linux-gnueabihf qemu=qemu-arm-static cpu_family=arm cpu=armv7 endian=little ;;
  arm64) triplet=aarch64-linux-gnu qemu=qemu-aarch64-static cpu_family=aarch64 cpu=aarch64 endian=little ;;
  s390x) triplet=s390x-linux-gnu qemu=qemu-s390x-static cpu_family=s390x cpu=s390x endian=big ;;
  *) echo "cross-test: unknown architecture $arch" >&2; exit 2 ;;
esac
dir=$out/$arch
sysroot=$dir/sysroot
mkdir -p "$dir"

# Host side: cross compiler, its libc (only a Recommends of gcc), qemu.
need=""
for p in gcc-$triplet libc6-dev-$arch-cross qemu-user-static; do
  dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $need >"$dir/apt-host.log" 2>&1 ||
    { echo "cross-test: apt-get install$need failed ($dir/apt-host.log)"; tail -5 "$dir/apt-host.log"; exit 1; }
fi

# Target side: the -dev packages cannot be co-installed with amd64's, so they
# are downloaded and unpacked into a sysroot (cached: .stamp lists them).
pkgs="libwolfssl-dev libwolfssl35 libsrtp2-dev libsrtp2-1 libcmocka-dev libcmocka0 libnss3 libnss3-dev
      libnspr4 libnspr4-dev libsqlite3-0 libssl3 libssl-dev libc6 libc6-dev libgcc-s1 gcc-12-base zlib1g
      linux-libc-dev libcrypt1 libcrypt-dev libnsl2 libnsl-dev libtirpc3 libtirpc-dev libgssapi-krb5-2
      libkrb5-3 libk5crypto3 libkrb5support0 libcom-err2 libkeyutils1"
stamp="$sysroot/.stamp"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$pkgs" ]; then
  if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
    dpkg --add-architecture "$arch"
  fi
  apt-get -o DPkg::Lock::Timeout=600 update >"$dir/apt-update.log" 2>&1 || { echo "cross-test: apt-get update failed"; exit 1; }
  rm -rf "$sysroot" "$dir/debs"; mkdir -p "$sysroot" "$dir/debs"
  for p in $pkgs; do
    (cd "$dir/debs" && apt-get download "$p:$arch" >>"$dir/apt-download.log" 2>&1) ||
      { echo "cross-test: apt-get download $p:$arch failed ($dir/apt-download.log)"; exit 1; }
  done
  for d in "$dir"/debs/*.deb; do dpkg -x "$d" "$sysroot"; done
  # Absolute symlinks inside the sysroot point at the host: make them relative.
  find "$sysroot" -type l | while read -r l; do
    t=$(readlink "$l")
    case $t in /*) ln -sf "$(realpath -m --relative-to="$(dirname "$l")" "$sysroot$t")" "$l" ;; esac
  done
  # The usrmerge layout the packages assume (/lib -> usr/lib).
  [ -e "$sysroot/lib" ] || ln -s usr/lib "$sysroot/lib"
  printf '%s' "$pkgs" >"$stamp"
fi
versions=$(for d in "$dir"/debs/libwolfssl35_*.deb "$dir"/debs/libsrtp2-1_*.deb; do basename "$d"; done | tr '\n' ' ')

cat >"$dir/cross.ini" <<EOF
[binaries]
c = '$triplet-gcc'
ar = '$triplet-ar'
strip = '$triplet-strip'
pkgconfig = 'pkg-config'
exe_wrapper = ['$qemu', '-L', '$sysroot']

[properties]
sys_root = '$sysroot'
run_wrapper = ['$qemu', '-L', '$sysroot']
pkg_config_libdir = '$sysroot/usr/lib/$triplet/pkgconfig:$sysroot/usr/share/pkgconfig:$sysroot/usr/lib/pkgconfig'

[built-in options]
c_args = ['--sysroot=$sysroot', '-fsanitize=undefined', '-fsanitize-undefined-trap-on-error']
c_link_args = ['--sysroot=$sysroot', '-Wl,-rpath-link,$sysroot/usr/lib/$triplet', '-Wl,-rpath-link,$sysroot/lib/$triplet']

[host_machine]
system = 'linux'
cpu_family = '$cpu_family'
cpu = '$cpu'
endian = '$endian'
EOF

b=$dir/build
# a changed cross file (new script) means a new configuration
if [ -f "$b/build.ninja" ] && ! cmp -s "$dir/cross.ini" "$b/cross.ini.used"; then
  rm -rf "$b"
fi
if [ ! -f "$b/build.ninja" ]; then
  meson setup "$b" --cross-file "$dir/cross.ini" -Dwerror=true -Dbenchmarks=false >"$dir/setup.log" 2>&1 ||
    { echo "cross-test: meson setup failed ($dir/setup.log)"; tail -20 "$dir/setup.log"; exit 1; }
  cp "$dir/cross.ini" "$b/cross.ini.used"
fi
ninja -C "$b" >"$dir/ninja.log" 2>&1 || { echo "cross-test: build failed ($dir/ninja.log)"; grep -m20 -E 'error|Error' "$dir/ninja.log"; exit 1; }
echo "cross-test: $arch ($endian-endian) with $versions"
st=0
# suite 'slow' (100 flows, every cipher suite's handshake) takes minutes
# under qemu and tests scale, not byte order: the native runs have it
meson test -C "$b" --suite unit --suite vectors --no-suite slow --num-processes 2 --timeout-multiplier 4 \
  --print-errorlogs || st=1
python3 scripts/footprint.py "$b" "$b/lib/libphonesec.so" --tools "$triplet-" --sysroot "$sysroot" || st=1
exit $st
