#!/bin/bash
# Built-in CAs beside the custom list of 10, and the trust source
# "default / custom / all" (issue 14), through phonesec tls probe against
# openssl s_server, loopback only. The system CA bundle (about 140
# certificates, from Debian's ca-certificates) is refused as a custom list
# and accepted as the built-in one.
# Needs: openssl, ca-certificates; env PHONESEC_TOOL, PHONESEC_SRCDIR.
set -uo pipefail
SRC=${PHONESEC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TOOL=${PHONESEC_TOOL:?PHONESEC_TOOL not set}
SYS=/etc/ssl/certs/ca-certificates.crt
command -v openssl > /dev/null || { echo "skip: no openssl"; exit 77; }
[ -s $SYS ] || { echo "skip: no $SYS (ca-certificates)"; exit 77; }
W=$(mktemp -d /tmp/phonesec-trust.XXXXXX)
PIDS=()
FAIL=0; PASS=0
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$W"
}
trap cleanup EXIT
ok()  { echo "PASS: $1"; PASS=$((PASS+1)); }
bad() { echo "FAIL: $1"; FAIL=$((FAIL+1)); [ -n "${2:-}" ] && sed 's/^/    | /' "$2" | head -20; }
sh "$SRC/tests/tls/mkcerts.sh" "$W/c" || { echo "cannot make certificates"; exit 1; }
C=$W/c
nsys=$(grep -c 'BEGIN CERTIFICATE' $SYS)
cat $SYS $C/ca.crt > $W/bundle-with-test-ca.pem   # a firmware bundle that includes our test CA
freeport() { local p; for i in $(seq 50); do p=$((20000 + RANDOM % 20000)); ss -Hltn "sport = :$p" | grep -q . || { echo $p; return; }; done; echo 0; }
waitlog() { for i in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
# probe NAME WANT_RC GREP ARGS...: a fresh s_server (our test CA's server certificate) per probe
probe() {
  local name=$1 want=$2 pat=$3; shift 3
  local P; P=$(freeport)
  openssl s_server -accept 127.0.0.1:$P -cert $C/server.crt -key $C/server.key -naccept 1 -rev \
    > $W/s.log 2>&1 & PIDS+=($!); waitlog $W/s.log ACCEPT
  timeout 20 "$TOOL" tls probe --timeout 5000 --wait 500 --name sip.example.com "$@" 127.0.0.1:$P > $W/p.out 2>&1
  local rc=$?
  if [ $rc -eq "$want" ] && grep -q -- "$pat" $W/p.out; then ok "$name (rc $rc)"; else bad "$name (rc $rc, want $want)" $W/p.out; fi
  # s_server waits for its one connection: a probe refused before connecting leaves it waiting
  kill "${PIDS[-1]}" 2>/dev/null
}

# the system bundle: too large for the custom list, fine as the built-in one
"$TOOL" tls probe --ca $SYS 127.0.0.1:1 > $W/o 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q "trust list is full (10 certificates" $W/o && ok "system bundle ($nsys certificates) refused as the custom list" \
  || bad "system bundle as --ca (rc $rc)" $W/o
probe "system bundle as built-in, test CA as custom, trust all" 0 "trust: 1 custom, $nsys built-in, source all" \
  --ca-bundle $SYS --ca $C/ca.crt
probe "trust default: only the built-in CAs, which lack the test CA" 1 "^chain: FAIL" \
  --ca-bundle $SYS --ca $C/ca.crt --trust default
probe "trust custom: only the custom list" 0 "source custom" \
  --ca-bundle $SYS --ca $C/ca.crt --trust custom
probe "a built-in bundle holding the test CA, trust default" 0 "$((nsys + 1)) built-in, source default" \
  --ca-bundle $W/bundle-with-test-ca.pem --trust default
probe "that bundle, trust custom with a custom list of another CA: refused" 1 "^chain: FAIL" \
  --ca-bundle $W/bundle-with-test-ca.pem --ca $C/rogue.crt --trust custom
probe "trust custom with an empty custom list: refused before the handshake" 1 "trust list is empty" \
  --ca-bundle $W/bundle-with-test-ca.pem --trust custom
probe "the same bundle twice: each certificate once" 0 "$((nsys + 1)) built-in" \
  --ca-bundle $W/bundle-with-test-ca.pem --ca-bundle $C/ca.crt
# a bundle with a damaged block: nothing of it is added (all or none)
{ cat $C/ca.crt; echo "-----BEGIN CERTIFICATE-----"; echo "AAAA"; echo "-----END CERTIFICATE-----"; } > $W/damaged.pem
"$TOOL" tls probe --ca-bundle $W/damaged.pem 127.0.0.1:1 > $W/o 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q -- "--ca-bundle" $W/o && ok "a damaged bundle is refused (rc $rc)" || bad "damaged bundle (rc $rc)" $W/o
"$TOOL" tls probe --trust=everything --ca-bundle $SYS 127.0.0.1:1 > $W/o 2>&1; rc=$?
[ $rc -eq 2 ] && ok "--trust everything: usage error" || bad "--trust everything (rc $rc)" $W/o

echo "$PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
