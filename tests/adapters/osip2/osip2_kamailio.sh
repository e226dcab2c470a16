#!/bin/bash
# oSIP2 adapter end to end (suite 'adapters'): examples/osip2_phone (oSIP2 for
# the SIP text, libphonesec for TLS, flow and MediaSec) registers to Kamailio
# over mutual TLS with the RFC 3329 MediaSec flow (Security-Client -> 494 ->
# Security-Verify -> 200), keeps the flow alive with CRLF pings, then
# Kamailio is restarted: the flow reconnects, the phone re-registers and
# MediaSec is negotiated again. A phone without a client certificate is
# refused. Loopback only, free ports; kills what it starts by PID.
# MODE call: the phone registers the same way, then calls a baresip phone
# (stock srtp-mand, registered to the same Kamailio) with SDES-SRTP through
# Kamailio; SRTP both ways: the phone decrypts baresip's packets, baresip
# decrypts ours, and a loopback capture shows only ciphertext.
# MODE sofia: EXE is tests/adapters/sofia-sip/sofia_register (a NUA client
# on sofia's own TLS) and registers with the sofia adapter's MediaSec tags.
# Usage: osip2_kamailio.sh OSIP2_PHONE_EXE [register|call]   (about 10 s each)
#        osip2_kamailio.sh SOFIA_REGISTER_EXE sofia|sofia-call
set -euo pipefail
EXE=$1
MODE=${2:-register}
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
BP=; SN=
cleanup() { rc=$?; stop "$PP"; stop "$BP"; stop "$SN"; stop "$KP"
  if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then echo "--- phone:"; cat "$W/phone.log" 2>/dev/null | tail -30
    echo "--- kamailio:"; grep -E 'ERROR|WARN|MEDIASEC' "$W"/kamailio*.log 2>/dev/null | tail -10; fi
  [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
fail() { echo "FAIL: $*"; exit 1; }
waitfor() { # file regex count seconds
  local n; for i in $(seq $(( $4 * 10 ))); do n=$(grep -cE "$2" "$1" 2>/dev/null || true); [ "${n:-0}" -ge "$3" ] && return 0; sleep 0.1; done; return 1; }

"$SHARED/mkpki.sh" "$W/pki" >/dev/null
P=$(freeport); T=$(freeport); while [ "$T" = "$P" ]; do T=$(freeport); done
T2=$(freeport); while [ "$T2" = "$P" ] || [ "$T2" = "$T" ]; do T2=$(freeport); done
sed -e "s/@UDPTCP@/$P/g" -e "s/@TLS@/$T/g" -e "s/@TLS2@/$T2/g" "$HERE/kamailio-osip2.cfg.in" > "$W/kamailio.cfg"
# port T: every TLS client must present a certificate from the test CA;
# port T2 (baresip, call test): server authentication only
cat > "$W/tls.cfg" <<EOT
[server:default]
method = TLSv1.2+
verify_certificate = no
require_certificate = no
certificate = $W/pki/server.crt
private_key = $W/pki/server.key
ca_list = $W/pki/ca.crt

[server:127.0.0.1:$T]
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
  for i in $(seq 100); do ss -Hltn "sport = :$T" | grep -q . && ss -Hltn "sport = :$T2" | grep -q . && return 0; sleep 0.05; done
  cat "$1"; fail "kamailio did not listen on $T"
}

start_bob() {
    command -v baresip >/dev/null || { echo "SKIP: baresip not installed"; exit 77; }
    echo "=== baresip (srtp-mand) registers to Kamailio over TLS (127.0.0.1:$T2)"
    SP=$(freeport); CP=$(freeport); RTP=$(freeport); RLO=$(( (RTP % 20000) + 30000 )); RHI=$((RLO + 9))
    mkdir -p "$W/bob"
    sed -e "s#@SIPPORT@#$SP#; s#@RTPLO@#$RLO#; s#@RTPHI@#$RHI#; s#@CTRLPORT@#$CP#; s#@PKI@#$W/pki#" \
      "$SHARED/baresip/config.in" > "$W/bob/config"
    echo "<sip:bob@sip.test;transport=tls>;outbound=\"sip:127.0.0.1:$T2;transport=tls\";regint=300;mediaenc=srtp-mand;audio_codecs=PCMU;answermode=auto" > "$W/bob/accounts"
    stdbuf -oL baresip -f "$W/bob" -s -t 30 > "$W/bob.log" 2>&1 &
    BP=$!
    waitfor "$W/bob.log" '200 OK' 1 15 || { tail -20 "$W/bob.log"; fail "baresip did not register"; }
}
check_bob_and_wire() {
  sed 's/\x1b\[[0-9;]*m//g' "$W/bob.log" | tr '\r' '\n' > "$W/bob.txt"
  grep -qE '^m=audio [0-9]+ RTP/SAVP' "$W/bob.txt" || fail "baresip saw no RTP/SAVP offer"
  grep -q '^a=crypto:' "$W/bob.txt" || fail "baresip saw no a=crypto"
  grep -q "incoming rtp for 'audio' established" "$W/bob.txt" || fail "baresip got no (decryptable) RTP"
  ! grep -qiE 'failed to decrypt|srtp.*(error|fail)' "$W/bob.txt" || fail "baresip failed to decrypt our SRTP"
  echo "baresip: RTP/SAVP offer with a=crypto received over TLS, our SRTP decrypted"
  wait "$SN" && SRC=0 || SRC=$?
  SN=
  cat "$W/sniff.log"
  if [ "$SRC" -eq 77 ]; then echo "(no capture possible here: wire check skipped)"; else
    grep -q '^SNIFF OK' "$W/sniff.log" || fail "the capture shows clear RTP"
    [ "$(grep -c 'encrypted$' "$W/sniff.log")" -ge 2 ] || fail "capture: not both directions seen encrypted"
  fi
}
start_kamailio "$W/kamailio1.log"
if [ "$MODE" = sofia ]; then
  echo "=== sofia-sip NUA client registers over mutual TLS with the adapter's MediaSec headers"
  mkdir -p "$W/sofia"
  cat "$W/pki/client.crt" "$W/pki/client.key" > "$W/sofia/agent.pem"
  cp "$W/pki/ca.crt" "$W/sofia/cafile.pem"
  "$EXE" "$W/sofia" "$T" 1003 10 >"$W/phone.log" 2>&1 && PRC=0 || PRC=$?
  cat "$W/phone.log" | grep -vE '^(tport|nta|nua|soa|tls|su_)' || true
  [ "$PRC" -eq 0 ] || fail "sofia client exited $PRC"
  grep -q '^REGISTERED mediasec=AGREED sdes=required' "$W/phone.log" || fail "no MediaSec registration"
  grep -q 'MEDIASEC 494' "$W/kamailio1.log" || fail "Kamailio sent no 494"
  grep -q 'MEDIASEC REGISTERED sip:1003@sip.test .* sc=1 sv=1$' "$W/kamailio1.log" ||
    fail "Kamailio did not register 1003 with one Security-Client and one Security-Verify"
  grep -qE 'RX REGISTER .*proto=tls .*peer_verified=1 peer=phone1.sip.test' "$W/kamailio1.log" ||
    fail "Kamailio did not see the client certificate"
  echo "PASS"
  exit 0
fi
if [ "$MODE" = sofia-call ]; then
  start_bob
  echo "=== sofia-sip NUA client registers (MediaSec) and calls bob with SDES keys from the adapter"
  mkdir -p "$W/sofia"
  cat "$W/pki/client.crt" "$W/pki/client.key" > "$W/sofia/agent.pem"
  cp "$W/pki/ca.crt" "$W/sofia/cafile.pem"
  python3 "$HERE/rtp_sniff.py" 8 "$RTP" $(seq "$RLO" "$RHI") > "$W/sniff.log" 2>&1 &
  SN=$!
  "$EXE" "$W/sofia" "$T" 1003 20 sip:bob@sip.test "$RTP" >"$W/phone.log" 2>&1 && PRC=0 || PRC=$?
  grep -E '^(->|<-|REGISTERED|CALL)' "$W/phone.log"
  [ "$PRC" -eq 0 ] || fail "sofia client exited $PRC"
  grep -qE '^CALL ESTABLISHED suite=AES_CM_128_HMAC_SHA1_(80|32) proto=RTP/SAVP' "$W/phone.log" || fail "no SRTP call"
  read -r sent ok bad < <(sed -n 's/^CALL ENDED sent=\([0-9]*\) received_ok=\([0-9]*\) received_bad=\([0-9]*\)$/\1 \2 \3/p' "$W/phone.log")
  [ "${sent:-0}" -ge 100 ] || fail "sent only ${sent:-0} SRTP packets"
  [ "${ok:-0}" -ge 75 ] || fail "decrypted only ${ok:-0} of baresip's SRTP packets"
  [ "${bad:-1}" -eq 0 ] || fail "$bad of baresip's packets did not decrypt"
  echo "sofia client: sent $sent SRTP packets, decrypted $ok from baresip, $bad failed"
  check_bob_and_wire
  echo "PASS"
  exit 0
fi
if [ "$MODE" = call ]; then
  start_bob
  echo "=== osip2_phone registers (mutual TLS, MediaSec) and calls bob with SDES-SRTP through Kamailio"
  python3 "$HERE/rtp_sniff.py" 9 "$RTP" $(seq "$RLO" "$RHI") > "$W/sniff.log" 2>&1 &
  SN=$!
  "$EXE" -a "$W/pki/ca.crt" -c "$W/pki/client.crt" -k "$W/pki/client.key" -H 127.0.0.1 -p "$T" -d sip.test \
    -u 1001 -r 500 -n 1 -t 25 -C sip:bob@sip.test -R "$RTP" -S 4 >"$W/phone.log" 2>&1 && PRC=0 || PRC=$?
  grep -E '^(->|<-|REGISTERED|CALL)' "$W/phone.log"
  [ "$PRC" -eq 0 ] || fail "phone exited $PRC"
  grep -qE '^CALL ESTABLISHED suite=AES_CM_128_HMAC_SHA1_(80|32) proto=RTP/SAVP' "$W/phone.log" || fail "no SRTP call"
  read -r sent ok bad < <(sed -n 's/^CALL ENDED sent=\([0-9]*\) received_ok=\([0-9]*\) received_bad=\([0-9]*\)$/\1 \2 \3/p' "$W/phone.log")
  [ "${sent:-0}" -ge 150 ] || fail "sent only ${sent:-0} SRTP packets"
  [ "${ok:-0}" -ge 100 ] || fail "decrypted only ${ok:-0} of baresip's SRTP packets"
  [ "${bad:-1}" -eq 0 ] || fail "$bad of baresip's packets did not decrypt"
  echo "phone: sent $sent SRTP packets, decrypted $ok from baresip, $bad failed"
  check_bob_and_wire
  echo "PASS"
  exit 0
fi
echo "=== osip2_phone registers over mutual TLS with MediaSec (Kamailio on 127.0.0.1:$T)"
"$EXE" -a "$W/pki/ca.crt" -c "$W/pki/client.crt" -k "$W/pki/client.key" -H 127.0.0.1 -p "$T" -d sip.test \
  -u 1001 -K 1000 -r 500 -n 2 -t 40 >"$W/phone.log" 2>&1 &
PP=$!
waitfor "$W/phone.log" '^REGISTERED n=1 mediasec=AGREED sdes=required' 1 15 || fail "first registration"
grep -E '^(flow|->|<-|REGISTERED|   Security)' "$W/phone.log"
grep -q 'MEDIASEC 494' "$W/kamailio1.log" || fail "Kamailio sent no 494"
grep -q 'MEDIASEC REGISTERED sip:1001@sip.test .* sc=1 sv=1$' "$W/kamailio1.log" ||
  fail "Kamailio did not register 1001 with one Security-Client and one Security-Verify"
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
