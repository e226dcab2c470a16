#!/bin/sh
# meson test 'demo' (registered in examples/meson.build): make the demo PKI
# with the openssl CLI, run the demo, and check what it must show beyond its
# own exit status.
# Usage: run_demo.sh DEMO_EXE PKI_DIR
set -eu
sh "$(dirname "$0")/../../examples/mkpki.sh" "$2" >/dev/null
out="$2/demo.out"
rc=0
"$1" "$2" > "$out" 2>&1 || rc=$?
cat "$out"
[ "$rc" -eq 0 ] || { echo "run_demo: demo exited $rc"; exit 1; }
# After the network hiccup the persistent flow must resume the TLS session
# (TLS 1.3 ticket) rather than make a full handshake.
grep -q 'REESTABLISHED.*TLS session resumed' "$out" ||
    { echo "run_demo: the re-established flow did not resume its TLS session"; exit 1; }
tail -n 1 "$out" | grep -qx 'demo: OK' || { echo "run_demo: no 'demo: OK' at the end"; exit 1; }
