#!/bin/sh
# meson test 'demo': make the demo PKI with the openssl CLI, run the demo.
# Usage: demo-test.sh DEMO_EXE PKI_DIR
set -eu
sh "$(dirname "$0")/mkpki.sh" "$2" >/dev/null
exec "$1" "$2"
