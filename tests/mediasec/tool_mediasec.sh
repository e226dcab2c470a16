#!/bin/sh
# phonesec mediasec verify/client: output and exit status on the vectors.
set -u
T=${PHONESEC_TOOL:?}; V=${PHONESEC_SRCDIR:?}/tests/vectors/mediasec
fails=0
check() { # name expected actual
  if [ "$2" = "$3" ]; then echo "ok - $1"; else echo "FAIL - $1"; echo "  want: $2"; echo "  got:  $3"; fails=$((fails+1)); fi
}
out=$("$T" mediasec verify < "$V/tk-401.sip"); rc=$?
check "verify single" "Security-Verify: msrp-tls;mediasec, sdes-srtp;mediasec, dtls-srtp;mediasec" "$out"
check "verify single rc" 0 "$rc"
out=$("$T" mediasec verify --style per-mech < "$V/srv-494.sip" | tr -d '\r')
want=$(tr -d '\r' < "$V/srv-494-verify.expect")
check "verify per-mech keeps q, unknown mechanisms, generic params, order" "$want" "$out"
out=$("$T" mediasec verify --style per-mech --crlf < "$V/srv-494.sip" | od -An -c | tr -d ' \n' | head -c 2000)
want=$(od -An -c < "$V/srv-494-verify.expect" | tr -d ' \n' | head -c 2000)
check "verify --crlf bytes" "$want" "$out"
out=$("$T" mediasec verify --style list < "$V/tk-401.sip")
check "verify list" "msrp-tls;mediasec, sdes-srtp;mediasec, dtls-srtp;mediasec" "$out"
err=$("$T" mediasec verify < "$V/tk-200-register.sip" 2>&1 >/dev/null); rc=$?
check "no Security-Server rc" 1 "$rc"
case $err in *"no Security-Server"*) echo "ok - no Security-Server message";; *) echo "FAIL - message: $err"; fails=$((fails+1));; esac
err=$(printf 'SIP/2.0 494 x\r\nSecurity-Server: tls;q=1.5, digest\r\n\r\n' | "$T" mediasec verify 2>&1 >/dev/null); rc=$?
check "bad q rc" 1 "$rc"
case $err in *"q value"*) echo "ok - bad q message";; *) echo "FAIL - message: $err"; fails=$((fails+1));; esac
err=$(printf 'SIP/2.0 494 x\r\nSecurity-Server: tls,,digest\r\n\r\n' | "$T" mediasec verify 2>&1 >/dev/null); rc=$?
check "empty entry rc" 1 "$rc"
case $err in *"empty entry"*) echo "ok - empty entry message";; *) echo "FAIL - message: $err"; fails=$((fails+1));; esac
out=$(printf 'SIP/2.0 401 x\nsecurity-server: tls;q=0.2,\n  digest;d-ver="0123456789abcdef0123456789abcdef"\n' | "$T" mediasec verify --style per-mech)
check "folded, lowercase name, LF-only, no empty line" 'Security-Verify: tls;q=0.2
Security-Verify: digest;d-ver="0123456789abcdef0123456789abcdef"' "$out"
out=$("$T" mediasec client)
check "client default" "Security-Client: sdes-srtp" "$out"
out=$("$T" mediasec client --mech sdes-srtp,msrp-tls,dtls-srtp --mediasec)
check "client --mediasec" "Security-Client: sdes-srtp;mediasec, msrp-tls;mediasec, dtls-srtp;mediasec" "$out"
out=$("$T" mediasec client --mech 'tls;q=0.2,sdes-srtp' --style per-mech)
check "client per-mech" "Security-Client: tls;q=0.2
Security-Client: sdes-srtp" "$out"
"$T" mediasec client --mech 'bad mech' >/dev/null 2>&1; check "client bad mech rc" 2 "$?"
"$T" mediasec verify --style nope </dev/null >/dev/null 2>&1; check "bad style rc" 2 "$?"
"$T" mediasec frob >/dev/null 2>&1; check "unknown subcommand rc" 2 "$?"
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
