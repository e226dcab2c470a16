#!/bin/bash
# The end-to-end demo: every example program does its one phone task against
# real peers (openssl s_server / s_client, Kamailio), on loopback only.
#   run-demo.sh BUILD_DIR [WORK_DIR]
# As root it runs in a private network namespace (unshare --net: Kamailio's
# fixed ports cannot clash with anything). Ends with "demo: OK" (exit 0) or
# "demo: N step(s) FAILED" (exit 1). Stops every process it started.
set -u
B=$(cd "${1:?usage: run-demo.sh BUILD_DIR [WORK_DIR]}" && pwd)
if [ -z "${IN_NETNS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
   unshare --net true 2>/dev/null; then
  exec unshare --net env IN_NETNS=1 bash "$0" "$@"
fi
[ -n "${IN_NETNS:-}" ] && ip link set lo up
SRC=$(cd "$(dirname "$0")/.." && pwd)
EX=$B/examples
W=${2:-$(mktemp -d /tmp/phonesec-demo.XXXXXX)}
mkdir -p "$W"
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; for p in $PIDS; do wait "$p" 2>/dev/null; done; }
trap cleanup EXIT
fails=0
step() { printf '\n== %s\n' "$*"; }
ok() { echo "   -> OK: $*"; }
bad() { echo "   -> FAILED: $*"; fails=$((fails + 1)); }
waitport() { for _ in $(seq 100); do ss -Hltn "sport = :$1" | grep -q . && return 0; sleep 0.05; done; return 1; }
indent() { sed 's/^/   | /'; }

bash "$SRC/tests/interop/mkpki.sh" "$W/pki" >/dev/null || { echo "demo: cannot make the test PKI"; exit 1; }
C=$W/pki

step "1. cipher_check: the administrator's cipher list, before applying it"
"$EX/cipher_check" 'ECDHE+AESGCM:!aNULL' sip | indent
[ "${PIPESTATUS[0]}" -eq 0 ] && ok "string accepted, suites negotiable" || bad "cipher_check"

step "2. tls_client: the phone connects to a proxy (openssl s_server) with a trust list"
openssl s_server -accept 127.0.0.1:5071 -cert "$C/server.crt" -key "$C/server.key" -rev -naccept 2 \
  >"$W/s_server.log" 2>&1 &
PIDS="$PIDS $!"
waitport 5071
"$EX/tls_client" "$C/ca.crt" 127.0.0.1 5071 sip.test | indent
[ "${PIPESTATUS[0]}" -eq 0 ] && ok "chain and name verified: lock icon" || bad "tls_client sip.test"
"$EX/tls_client" "$C/ca.crt" 127.0.0.1 5071 sip.other.test | indent
[ "${PIPESTATUS[0]}" -eq 1 ] && ok "a certificate for another domain is refused" || bad "wrong domain accepted"

step "3. tls_server: mutual TLS, the client is openssl s_client"
"$EX/tls_server" "$C/server.crt" "$C/server.key" "$C/ca.crt" 5072 >"$W/srv1.log" 2>&1 &
SP=$!; PIDS="$PIDS $SP"
waitport 5072
(echo hello; sleep 1) | timeout 10 openssl s_client -connect 127.0.0.1:5072 -cert "$C/client.crt" \
  -key "$C/client.key" -CAfile "$C/ca.crt" -quiet >"$W/c1.out" 2>/dev/null
wait "$SP"; rc=$?
indent <"$W/srv1.log"
[ $rc -eq 0 ] && grep -q HELLO "$W/c1.out" && ok "client certificate verified, line echoed" || bad "mutual TLS"
"$EX/tls_server" "$C/server.crt" "$C/server.key" "$C/ca.crt" 5073 >"$W/srv2.log" 2>&1 &
SP=$!; PIDS="$PIDS $SP"
waitport 5073
(echo hello; sleep 1) | timeout 10 openssl s_client -connect 127.0.0.1:5073 -CAfile "$C/ca.crt" -quiet \
  >/dev/null 2>&1
wait "$SP"; rc=$?
indent <"$W/srv2.log"
[ $rc -eq 1 ] && ok "a client without a certificate is refused" || bad "client without certificate accepted"

step "4. flow_demo: persistent TLS flow; the primary is down, the backup is Kamailio"
if command -v kamailio >/dev/null; then
  mkdir -p "$W/run"
  sed "s#@PKI@#$C#g" "$SRC/tests/interop/tls.cfg" >"$W/tls.cfg"
  kamailio -f "$SRC/tests/interop/kamailio.cfg" -DD -E -Y "$W/run" -P "$W/run/kamailio.pid" -m 64 -M 8 \
    -A "TLSCFG=\"$W/tls.cfg\"" -A "CTLSOCK=\"unix:$W/run/kamailio_ctl\"" >"$W/kamailio.log" 2>&1 &
  PIDS="$PIDS $!"
  waitport 5061 && sleep 0.5
  timeout 30 "$EX/flow_demo" "$C/ca.crt" 127.0.0.1 5079 sip.test 127.0.0.1 5061 4 >"$W/flow.log" 2>&1
  indent <"$W/flow.log"
  grep -q 'event FAILED_OVER' "$W/flow.log" && grep -q '<- SIP/2.0 200' "$W/flow.log" &&
    ok "failed over to the backup, registered (200 OK)" || bad "flow failover"
else
  bad "kamailio is not installed (scripts/install-deps.sh installs it)"
fi

step "5. mediasec_register: RFC 3329 Security-Client / 401 / Security-Verify"
"$EX/mediasec_register" >"$W/ms.log"; rc=$?
grep -E '^(===|Security-|Require)' "$W/ms.log" | indent
[ $rc -eq 0 ] && grep -q '^Security-Verify: sdes-srtp;mediasec;q=0.1' "$W/ms.log" &&
  ok "Security-Verify mirrors the server's list" || bad "mediasec_register"

step "6. sdes_srtp: SDES offer/answer into SRTP sessions"
"$EX/sdes_srtp" >"$W/sdes.log"; rc=$?
grep -E '^(m=|a=crypto|---|RTP|replayed)' "$W/sdes.log" | indent
[ $rc -eq 0 ] && ok "media protected and unprotected, replay refused" || bad "sdes_srtp"

step "7. config_decrypt: a provisioning file made by openssl enc"
printf 'account.1.sip_server = sip.test\naccount.1.transport = tls\n' >"$W/phone.cfg"
printf 'provisioning-secret\n' >"$W/pw.txt"
# A fixed salt: the format has no MAC, so with a random salt the
# wrong-password step below would be accepted by chance about once in 256
# runs. (With -S, openssl 3 leaves out the "Salted__" header: written here.)
{ printf 'Salted__\x5a\x1c\x0f\xfe\xe0\xdd\xf0\x0d'
  openssl enc -aes-256-cbc -pbkdf2 -iter 10000 -md sha256 -S 5a1c0ffee0ddf00d -in "$W/phone.cfg" \
    -pass file:"$W/pw.txt"; } >"$W/phone.cfg.enc"
"$EX/config_decrypt" openssl "$W/pw.txt" "$W/phone.cfg.enc" "$W/out.cfg" | indent
cmp -s "$W/phone.cfg" "$W/out.cfg" && ok "decrypted byte for byte" || bad "config_decrypt"
printf 'wrong\n' >"$W/bad.txt"
"$EX/config_decrypt" openssl "$W/bad.txt" "$W/phone.cfg.enc" "$W/out2.cfg" 2>&1 | indent
[ ! -e "$W/out2.cfg" ] && ok "wrong password: refused, nothing written" || bad "wrong password left output"

echo
if [ $fails -eq 0 ]; then echo "demo: OK"; exit 0; fi
echo "demo: $fails step(s) FAILED (work files in $W)"
exit 1
