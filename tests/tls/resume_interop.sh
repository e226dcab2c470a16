#!/bin/bash
# Resumption against an independent TLS stack (issue 10 items 1, 2): openssl
# s_client saves a session from listener A of tests/tls/resume_peer (no
# client certificate asked) with -sess_out and offers it with -sess_in:
#  - to A again: resumed (the control: the session is a resumable one);
#  - to B, a mutual-TLS listener of the same process with the same
#    certificate: never resumed, and refused for lack of a client certificate.
# For TLS 1.3 tickets, TLS 1.2 tickets and TLS 1.2 session IDs.
# Needs openssl; env PHONESEC_SRCDIR, RESUME_PEER (the built resume_peer).
set -uo pipefail
SRC=${PHONESEC_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
PEER=${1:-${RESUME_PEER:?usage: resume_interop.sh PATH_TO_resume_peer}}
command -v openssl >/dev/null || { echo "missing openssl"; exit 1; }
W=$(mktemp -d /tmp/phonesec-resume-interop.XXXXXX)
PID=
FAIL=0; PASS=0
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
ok()  { echo "PASS: $1"; PASS=$((PASS+1)); }
bad() { echo "FAIL: $1"; FAIL=$((FAIL+1)); [ -n "${2:-}" ] && sed 's/^/    | /' "$2" | head -20; }
freeport() { local p; for i in $(seq 50); do p=$((20000 + RANDOM % 20000)); ss -Hltn "sport = :$p" | grep -q . || { echo $p; return; }; done; echo 0; }
waitlog() { for i in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }

sh "$SRC/tests/tls/mkcerts.sh" "$W/c" || { echo "cannot make certificates"; exit 1; }
C=$W/c

# mode name, resume_peer flags, s_client flags
run_mode() {
  local name=$1 pflags=$2 cflags=$3 log=$W/peer-$1.log
  local A B
  A=$(freeport); B=$(freeport)
  "$PEER" $C/server.crt $C/server.key $C/ca.crt $A $B 3 $pflags > $log 2>&1 & PID=$!
  waitlog $log listening || { bad "$name: peer did not start" $log; return; }
  echo | timeout 10 openssl s_client -connect 127.0.0.1:$A -CAfile $C/ca.crt -ign_eof $cflags -sess_out $W/$name.sess \
    > $W/$name-full.out 2>&1
  [ -s $W/$name.sess ] && ok "$name: s_client saved a session from A" || bad "$name: no session saved" $W/$name-full.out
  echo | timeout 10 openssl s_client -connect 127.0.0.1:$A -CAfile $C/ca.crt -ign_eof $cflags -sess_in $W/$name.sess \
    > $W/$name-a.out 2>&1
  echo | timeout 10 openssl s_client -connect 127.0.0.1:$B -CAfile $C/ca.crt -ign_eof $cflags -sess_in $W/$name.sess \
    > $W/$name-b.out 2>&1
  wait $PID; PID=
  sed -n 2p $log | grep -q '^A rc=success resumed=0' && ok "$name: full handshake on A" || bad "$name: full handshake on A" $log
  if sed -n 3p $log | grep -q '^A rc=success resumed=1' && grep -q '^Reused' $W/$name-a.out; then
    ok "$name: control: the session resumes on A (s_client: Reused)"
  else bad "$name: control: the session resumes on A" $W/$name-a.out; cat $log; fi
  if sed -n 4p $log | grep -q '^B rc=.* resumed=0 peer_cert=0' && ! sed -n 4p $log | grep -q 'rc=success' &&
     ! grep -q '^Reused' $W/$name-b.out; then
    ok "$name: A's session is not resumed on the mutual-TLS listener B, and B refuses the certificate-less client"
  else bad "$name: cross-context resumption" $log; fi
}

# B asks for no certificate either: another context with the same policy
# gives s_client a full handshake (wolfSSL's own client cannot fall back
# after a refused TLS 1.2 ticket; OpenSSL can)
run_same_policy() {
  local name=$1 pflags=$2 cflags=$3 log=$W/peer-same-$1.log
  local A B
  A=$(freeport); B=$(freeport)
  "$PEER" $C/server.crt $C/server.key $C/ca.crt $A $B 2 $pflags bnone > $log 2>&1 & PID=$!
  waitlog $log listening || { bad "$name: peer did not start" $log; return; }
  echo | timeout 10 openssl s_client -connect 127.0.0.1:$A -CAfile $C/ca.crt -ign_eof $cflags -sess_out $W/s-$name.sess \
    > $W/same-$name-full.out 2>&1
  echo | timeout 10 openssl s_client -connect 127.0.0.1:$B -CAfile $C/ca.crt -ign_eof $cflags -sess_in $W/s-$name.sess \
    > $W/same-$name-b.out 2>&1
  wait $PID; PID=
  if sed -n 3p $log | grep -q '^B rc=success resumed=0' && grep -q '^New' $W/same-$name-b.out &&
     grep -q 'hello B' $W/same-$name-b.out; then
    ok "$name: another context with the same policy: not resumed, a full handshake instead"
  else bad "$name: same-policy context" $W/same-$name-b.out; cat $log; fi
}

run_mode tls13 "" "-tls1_3"
run_mode tls12-ticket "tls12" "-tls1_2"
run_mode tls12-sessionid "tls12 notickets" "-tls1_2 -no_ticket"
run_same_policy tls13 "" "-tls1_3"
run_same_policy tls12-ticket "tls12" "-tls1_2"
run_same_policy tls12-sessionid "tls12 notickets" "-tls1_2 -no_ticket"

echo "passed $PASS, failed $FAIL"
[ $FAIL -eq 0 ]
