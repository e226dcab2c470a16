#!/bin/bash
# oSIP2 adapter end to end (suite 'adapters'): examples/osip2_phone (oSIP2 for
# the SIP text, libphonesec for TLS, flow and MediaSec) registers to Kamailio
# over mutual TLS with the RFC 3329 MediaSec flow (Security-Client -> 494 ->
# Security-Verify -> 200), keeps the flow alive with CRLF pings, then
# Kamailio is restarted: the flow reconnects, the phone re-registers and
# MediaSec is negotiated again. A phone without a client certificate is
# refused. Loopback only, free ports; kills what it starts by PID.
# Usage: osip2_kamailio.sh OSIP2_PHONE_EXE     (about 15 s)
set -euo pipefail
EXE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$(cd "$HERE/../../interop" && pwd)
KAMAILIO=$(command -v kamailio || echo /usr/sbin/kamailio)
[ -x "$KAMAILIO" ] || { echo "SKIP: kamailio not installed"; exit 77; }
[ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ] || ls /usr/lib/*/kamailio/modules/tls.so >/dev/null 2>&1 ||
  { echo "SKIP: kamailio-tls-modules not installed"; exit 77; }
W=$(mktemp -d /tmp/osip2-kam.XXXXXX)
KP=; PP=
stop() { # pid
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill -TERM "$1"; for i in $(seq 60); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true
  fi
}
cleanup() { rc=$?; stop "$PP"; stop "$KP"
  if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then echo "--- phone:"; cat "$W/phone.log" 2>/dev/null | tail -30
    echo "--- kamailio:"; grep -E 'ERROR|WARN|MEDIASEC' "$W"/kamailio*.log 2>/dev/null | tail -10; fi
  rm -rf "$W"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*"; exit 1; }
waitfor() { # file regex count seconds
  for i in $(seq $(( $4 * 10 ))); do [ "$(grep -cE "$2" "$1" 2>/dev/null || true)" -ge "$3" ] && return 0; sleep 0.1; done; return 1; }

"$SHARED/mkpki.sh" "$W/pki" >/dev/null
P=$(freeport); T=$(freeport); while [ "$T" = "$P" ]; do T=$(freeport); done
sed -e "s/@UDPTCP@/$P/g" -e "s/@TLS@/$T/g" "$HERE/kamailio-osip2.cfg.in" > "$W/kamailio.cfg"
# every TLS client must present a certificate from the test CA
cat > "$W/tls.cfg" <<EOT
[server:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
certificate = $W/pki/server.crt
private_key = $W/pki/server.key
ca_list = $W/pki/ca.crt
server_name = sip.test
EOT
mkdir -p "$W/run"
start_kamailio() { # log
  "$KAMAILIO" -f "$W/kamailio.cfg" -DD -E -Y "$W/run" -P "$W/run/kamailio.pid" -m 64 -M 8 \
    -A "TLSCFG=\"$W/tls.cfg\"" -A "CTLSOCK=\"unix:$W/run/kamailio_ctl\"" >"$1" 2>&1 &
  KP=$!
  for i in $(seq 100); do ss -Hltn "sport = :$T" | grep -q . && return 0; sleep 0.05; done
  cat "$1"; fail "kamailio did not listen on $T"
}

start_kamailio "$W/kamailio1.log"
echo "=== osip2_phone registers over mutual TLS with MediaSec (Kamailio on 127.0.0.1:$T)"
"$EXE" -a "$W/pki/ca.crt" -c "$W/pki/client.crt" -k "$W/pki/client.key" -H 127.0.0.1 -p "$T" -d sip.test \
  -u 1001 -K 1000 -r 500 -n 2 -t 40 >"$W/phone.log" 2>&1 &
PP=$!
waitfor "$W/phone.log" '^REGISTERED n=1 mediasec=AGREED sdes=required' 1 15 || fail "first registration"
grep -E '^(flow|->|<-|REGISTERED|   Security)' "$W/phone.log"
grep -q 'MEDIASEC 494' "$W/kamailio1.log" || fail "Kamailio sent no 494"
grep -q 'MEDIASEC REGISTERED sip:1001@sip.test' "$W/kamailio1.log" || fail "Kamailio did not register 1001"
grep -qE 'RX REGISTER .*proto=tls .*peer_verified=1 peer=phone1.sip.test' "$W/kamailio1.log" ||
  fail "Kamailio did not see the client certificate"
echo "--- Kamailio's location table:"
kamcmd -s "unix:$W/run/kamailio_ctl" ul.dump brief 2>/dev/null | grep -E 'AoR:' | tee "$W/ul" || true
grep -qE 'AoR: 1001' "$W/ul" || fail "1001 not in the location table"
echo "--- keep-alive: CRLFCRLF pings every ~1 s answered with CRLF by Kamailio"
sleep 3

echo "=== Kamailio restarted: reconnect, re-REGISTER, MediaSec renegotiated"
stop "$KP"; KP=
start_kamailio "$W/kamailio2.log"
wait "$PP" && PRC=0 || PRC=$?
PP=
sed -n '/^REGISTERED n=1/,$p' "$W/phone.log" | grep -E '^(flow|->|<-|REGISTERED|stats)'
[ "$PRC" -eq 0 ] || fail "phone exited $PRC"
grep -q '^flow LOST' "$W/phone.log" || fail "no LOST event"
grep -q '^flow REESTABLISHED' "$W/phone.log" || fail "no REESTABLISHED event"
waitfor "$W/phone.log" '^REGISTERED n=2 mediasec=AGREED sdes=required' 1 1 || fail "no second registration"
grep -q 'MEDIASEC 494' "$W/kamailio2.log" || fail "restarted Kamailio sent no 494 (MediaSec not renegotiated)"
grep -q 'MEDIASEC REGISTERED sip:1001@sip.test' "$W/kamailio2.log" || fail "restarted Kamailio did not register 1001"
pongs=$(sed -n 's/^stats: .* pongs \([0-9]*\)$/\1/p' "$W/phone.log")
[ "${pongs:-0}" -ge 2 ] || fail "keep-alive pongs: ${pongs:-none}"
echo "pongs from Kamailio: $pongs"

echo "=== no client certificate: the registrar refuses the TLS handshake, nothing registers"
"$EXE" -a "$W/pki/ca.crt" -H 127.0.0.1 -p "$T" -d sip.test -u 1002 -r 500 -n 1 -t 4 >"$W/phone2.log" 2>&1 &
PP=$!
wait "$PP" && PRC=0 || PRC=$?
PP=
grep -q '^REGISTERED' "$W/phone2.log" && fail "registered without a client certificate"
[ "$PRC" -ne 0 ] || fail "phone without certificate exited 0"
grep -E '^flow' "$W/phone2.log" | sort | uniq -c
echo "PASS"
