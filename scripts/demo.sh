#!/bin/sh
# Fresh Debian 12 machine -> the end-to-end demo, in one command.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
./build/examples/demo
