#!/bin/bash
# Interop of persistent TLS flows (suite 'interop'): our client (wolfSSL)
# against Python/OpenSSL TLS servers that get killed, restarted and muted,
# then against Kamailio answering CRLF keep-alive pings over TLS.
# Usage: interop.sh FLOW_INTEROP_EXE   (bounded: about 40 s; kills all it starts)
set -euo pipefail
EXE=$1
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED="$(cd "$(dirname "$0")/../interop" && pwd)"
W=$(mktemp -d /tmp/flow-interop.XXXXXX)
KP=; DP=
cleanup() {
  [ -n "$DP" ] && kill -TERM "$DP" 2>/dev/null || true
  if [ -n "$KP" ] && kill -0 "$KP" 2>/dev/null; then
    kill -TERM "$KP"; for i in $(seq 60); do kill -0 "$KP" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$KP" 2>/dev/null || true
  fi
  rm -rf "$W"
}
trap cleanup EXIT
freeport() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$SHARED/mkpki.sh" "$W/pki" >/dev/null
P1=$(freeport); P2=$(freeport)
while [ "$P2" = "$P1" ]; do P2=$(freeport); done

echo "=== flows against OpenSSL servers (python3 ssl) on $P1 (primary) and $P2 (backup)"
timeout -k 5 60 "$EXE" failover "$W/pki/ca.crt" "$HERE/flow_peer.py" "$W/pki/server.crt" "$W/pki/server.key" "$P1" "$P2" &
DP=$!
wait $DP; DP=

if ! command -v kamailio >/dev/null; then echo "kamailio not installed: Kamailio part skipped"; exit 77; fi
for p in 5060 5061 5062; do
  if ss -Hltn "sport = :$p" | grep -q .; then echo "port $p busy: Kamailio part skipped"; exit 0; fi
done
echo "=== flow against Kamailio over TLS (127.0.0.1:5061)"
mkdir -p "$W/run"
sed "s#@PKI@#$W/pki#g" "$SHARED/tls.cfg" > "$W/tls.cfg"
kamailio -f "$SHARED/kamailio.cfg" -DD -E -Y "$W/run" -P "$W/run/kamailio.pid" -m 64 -M 8 \
  -A "TLSCFG=\"$W/tls.cfg\"" -A "CTLSOCK=\"unix:$W/run/kamailio_ctl\"" >"$W/kamailio.log" 2>&1 &
KP=$!
for i in $(seq 100); do ss -Hltn "sport = :5061" | grep -q . && break; sleep 0.05; done
timeout -k 5 30 "$EXE" kamailio "$W/pki/ca.crt" 5061 || { grep -E 'ERROR|WARN' "$W/kamailio.log" | tail -5; exit 1; }
echo "--- Kamailio's location table (the REGISTER sent over the flow):"
kamcmd -s "unix:$W/run/kamailio_ctl" ul.dump brief | grep -E 'AoR:' | tee "$W/ul"
grep -qE 'AoR: 1001(@sip.test)?$' "$W/ul"
