#!/bin/bash
# Fail-closed verification against a real anonymous peer (issue 10 item 3):
# openssl s_server without a certificate, anonymous DH suites only. A client
# with "only accept trusted" on must refuse it (PHONESEC_E_VERIFY) even with
# name validation off and a cipher string that lets ADH through; the same
# server does complete a handshake with checks off (the control).
# Exit 77 (skip) only when openssl is missing. A backend without ADH suites
# (the phone profile) gets the checks that apply to it.
# Env: PHONESEC_TOOL, PHONESEC_SRCDIR.
set -uo pipefail
SRC=${PHONESEC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
TOOL=${PHONESEC_TOOL:?PHONESEC_TOOL not set}
command -v openssl >/dev/null || { echo "SKIP: openssl missing"; exit 77; }
W=$(mktemp -d /tmp/phonesec-tls-failclosed.XXXXXX)
PIDS=()
FAIL=0; PASS=0
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$W"
}
trap cleanup EXIT
ok()  { echo "PASS: $1"; PASS=$((PASS+1)); }
bad() { echo "FAIL: $1"; FAIL=$((FAIL+1)); [ -n "${2:-}" ] && sed 's/^/    | /' "$2" | head -30; }
check() { local what=$1 log=$2; shift 2; if "$@"; then ok "$what"; else bad "$what" "$log"; fi; }

sh "$SRC/tests/tls/mkcerts.sh" "$W/c" || { echo "cannot make certificates"; exit 1; }
C=$W/c
freeport() { local p; for i in $(seq 50); do p=$((20000 + RANDOM % 20000)); ss -Hltn "sport = :$p" | grep -q . || { echo $p; return; }; done; echo 0; }
waitlog() { for i in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
# anonymous suites the backend has (wolfSSL: ADH-AES256-GCM-SHA384, ADH-AES128-SHA)
ADH='ADH-AES256-GCM-SHA384:ADH-AES128-SHA'
HAVE_ADH=1
"$TOOL" ciphers --available --legacy "$ADH" 2>/dev/null | grep -q '^ADH-' || HAVE_ADH=0
# the phone's string lets ADH through (legacy opt-in: what HIGH/ALL/XMPP did before the floor)
PHONE="$ADH:ECDHE-ECDSA-AES128-GCM-SHA256"

adh_server() { # port log  (-rev: echo reversed, never reads stdin)
  openssl s_server -accept 127.0.0.1:$1 -nocert -cipher "$ADH:@SECLEVEL=0" -tls1_2 -naccept 1 -rev > "$2" 2>&1 &
  PIDS+=($!); waitlog "$2" ACCEPT; }
probe() { timeout 20 "$TOOL" tls probe --timeout 5000 --tls-max 1.2 --ciphers "$PHONE" --legacy-ciphers \
            --send 'REGISTER sip:example.com SIP/2.0\n' --wait 500 "$@"; }

if [ $HAVE_ADH = 0 ]; then
  # A wolfSSL without anonymous suites (the phone profile, doc/backends.md):
  # even the legacy opt-in cannot offer one; the anonymous server finds no
  # shared suite and nothing reaches it.
  echo "=== no ADH suite in this wolfSSL: the anonymous server cannot be reached at all"
  P=$(freeport); adh_server $P $W/a0.log
  timeout 20 "$TOOL" tls probe --timeout 5000 --tls-max 1.2 --ciphers "$ADH" --legacy-ciphers --insecure \
    --name 127.0.0.1 127.0.0.1:$P > $W/p0.out 2>&1; RC=$?
  check "an ADH-only string selects nothing here: refused before connecting (rc=$RC)" $W/p0.out \
    sh -c "[ $RC -eq 1 ] && grep -q 'no match' $W/p0.out"
  probe --insecure --name 127.0.0.1 127.0.0.1:$P > $W/p1.out 2>&1; RC=$?
  check "checks off, ADH allowed by the string: no shared suite, no handshake (rc=$RC)" $W/p1.out \
    sh -c "[ $RC -eq 1 ] && grep -q '^handshake: NOT completed' $W/p1.out"
  sleep 0.2
  check "no application data reached the anonymous server" $W/a0.log sh -c "! grep -q 'RETSIGER' $W/a0.log"
  echo "tls fail-closed interop: $PASS passed, $FAIL failed"
  [ $FAIL -eq 0 ]
  exit
fi

echo "=== our client vs an anonymous openssl s_server"
P=$(freeport); adh_server $P $W/a1.log
probe --insecure --name 127.0.0.1 127.0.0.1:$P > $W/p1.out 2>&1; RC=$?
check "(control) checks off: the anonymous server completes a handshake (rc=$RC)" $W/p1.out \
  sh -c "[ $RC -eq 0 ] && grep -q 'TLS_DH_anon_WITH' $W/p1.out && grep -q 'RETSIGER' $W/p1.out"

P=$(freeport); adh_server $P $W/a2.log
probe --ca $C/ca.crt --no-name-check --name 127.0.0.1 127.0.0.1:$P > $W/p2.out 2>&1; RC=$?
check "only_trusted on, name validation off: refused (rc=$RC)" $W/p2.out \
  sh -c "[ $RC -eq 1 ] && grep -q 'no verified certificate chain' $W/p2.out && grep -q '^handshake: NOT completed' $W/p2.out"
sleep 0.2
check "no application data reached the anonymous server" $W/a2.log sh -c "! grep -q 'RETSIGER' $W/a2.log"

P=$(freeport); adh_server $P $W/a3.log
probe --ca $C/ca.crt --name sip.example.com 127.0.0.1:$P > $W/p3.out 2>&1; RC=$?
check "only_trusted on, name validation on: refused as unverified (rc=$RC)" $W/p3.out \
  sh -c "[ $RC -eq 1 ] && grep -q 'certificate verification failed' $W/p3.out"

echo "tls fail-closed interop: $PASS passed, $FAIL failed"
[ $FAIL -eq 0 ]
