#!/bin/sh
# Fresh Debian 12 machine -> the end-to-end demo, in one command:
# install the Debian packages, build, make a small test PKI with the openssl
# CLI (build/demo-pki), run build/examples/demo on loopback.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
echo "demo.sh: building (meson + ninja in build/)"
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
sh examples/mkpki.sh build/demo-pki
exec ./build/examples/demo build/demo-pki
