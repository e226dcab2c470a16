#!/bin/sh
# meson test 'demo' (registered in examples/meson.build): make the demo PKI with the openssl CLI, run the demo.
# Usage: run_demo.sh DEMO_EXE PKI_DIR
set -eu
sh "$(dirname "$0")/../../examples/mkpki.sh" "$2" >/dev/null
exec "$1" "$2"
