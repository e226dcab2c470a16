#!/bin/sh
# Fresh Debian 12 machine -> the end-to-end demo, in one command: install the
# Debian packages, build, then run every example program against real peers
# (openssl s_server / s_client, Kamailio) on loopback: examples/run-demo.sh.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
echo "demo.sh: building (meson + ninja in build/)"
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec bash examples/run-demo.sh build build/demo
