#!/bin/bash
# Interop: examples/sdes_call (libphonesec SDES + SRTP) against real softphones
# on loopback, following ../shared/interop/baresip-sdes.sh and linphone-sdes.sh.
#   1 baresip offers, sdes_call answers    2 sdes_call offers GCM256,SHA1_32,SHA1_80, baresip answers
#   3 negative: sdes_call protects with a key it did not signal -> baresip fails to decrypt
#   4 linphonec offers, sdes_call answers  5 sdes_call offers, linphonec answers
# Runs in a private network namespace (unshare --net: only lo, so fixed ports
# cannot collide and nothing is reachable from outside); without root it
# stays on the host's 127.0.0.1 and skips linphonec. Bounded (~45 s); every
# process started is killed on exit. Exit 77 = skipped (no baresip).
# usage: interop_sdes.sh SDES_CALL
set -uo pipefail
SDES_CALL=${1:?usage: interop_sdes.sh path/to/sdes_call}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SHARED=$SRC/tests/interop
command -v baresip >/dev/null || { echo "baresip missing: skipped"; exit 77; }
if [ -z "${IN_NETNS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
    exec unshare --net env IN_NETNS=1 bash "$0" "$@"
fi
[ -n "${IN_NETNS:-}" ] && ip link set lo up
W=$(mktemp -d /tmp/psec-interop.XXXXXX); PIDS=(); FAIL=0
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] && echo "kept $W" || rm -rf "$W"; }
trap cleanup EXIT
if [ -n "${IN_NETNS:-}" ]; then B=5000; else B=$((20000 + ($$ % 400) * 100)); fi
check() { local what=$1; shift; if "$@"; then echo "PASS: $CASE: $what"; else echo "FAIL: $CASE: $what"; FAIL=1; fi; }
waitlog() { for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done; return 1; }
clean() { sed 's/\x1b\[[0-9;]*m//g' "$1" | tr '\r' '\n'; }
bs_rx_ok() { clean "$1" | grep "incoming rtp for 'audio' established" >/dev/null || { echo "  (no incoming rtp in $1)"; return 1; }
             ! grep -m3 'failed to decrypt RTP ' "$1"; }
decrypted() { sed -n 's/.*decrypted \([0-9]*\),.*/\1/p' "$1" | tail -1; }

"$SHARED/mkpki.sh" "$W/pki" >/dev/null 2>&1 || mkdir -p "$W/pki"
mkbs() { # name sipport rtplo rtphi ctrlport account-line
  mkdir -p "$W/$1"
  sed -e "s#@SIPPORT@#$2#; s#@RTPLO@#$3#; s#@RTPHI@#$4#; s#@CTRLPORT@#$5#; s#@PKI@#$W/pki#" "$SHARED/baresip/config.in" > "$W/$1/config"
  echo "$6" > "$W/$1/accounts"
}
mkbs alice $((B+80)) $((B+100)) $((B+119)) $((B+44)) "<sip:alice@127.0.0.1:$((B+80))>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU"
mkbs bob   $((B+82)) $((B+120)) $((B+139)) $((B+45)) "<sip:bob@127.0.0.1:$((B+82))>;regint=0;mediaenc=srtp-mand;answermode=auto;audio_codecs=PCMU"
BARESIP="stdbuf -oL -eL timeout 20 baresip"
CALL="timeout 25 $SDES_CALL"

CASE="1 baresip offers, sdes_call answers"; echo "=== $CASE"
$CALL answer --port $((B+90)) --rtp $((B+200)) --timeout 15 --tag32-compat > "$W/call1.log" 2>&1 & P=$!; PIDS+=($P)
$BARESIP -f "$W/alice" -s -t 5 -e "/dial sip:peer@127.0.0.1:$((B+90))" > "$W/alice1.log" 2>&1 & BA=$!; PIDS+=($BA)
wait $P; RC=$?; wait $BA
grep -E '^a=crypto|lock icon|SRTP:' "$W/call1.log"
check "sdes_call decrypted baresip ($(decrypted "$W/call1.log") packets)" [ $RC -eq 0 ]
check "baresip decrypted sdes_call" bs_rx_ok "$W/alice1.log"

CASE="2 sdes_call offers GCM256,SHA1_32,SHA1_80; baresip answers"; echo "=== $CASE"
$BARESIP -f "$W/bob" -s -t 8 > "$W/bob2.log" 2>&1 & BB=$!; PIDS+=($BB)
waitlog "$W/bob2.log" 'baresip is ready'
$CALL offer --to "sip:bob@127.0.0.1:$((B+82))" --port $((B+90)) --rtp $((B+200)) --tag32-compat \
    --suites AEAD_AES_256_GCM,AES_CM_128_HMAC_SHA1_32,AES_CM_128_HMAC_SHA1_80 > "$W/call2.log" 2>&1; RC=$?
kill $BB 2>/dev/null; wait $BB
grep -E 'lock icon|SRTP:' "$W/call2.log"; sed -n '/answer:/,/lock/p' "$W/call2.log" | grep '^a=crypto'
check "sdes_call decrypted baresip ($(decrypted "$W/call2.log") packets)" [ $RC -eq 0 ]
check "baresip decrypted sdes_call" bs_rx_ok "$W/bob2.log"

CASE="3 negative: sdes_call protects with a key it did not signal"; echo "=== $CASE"
$BARESIP -f "$W/bob" -t 5 > "$W/bob3.log" 2>&1 & BB=$!; PIDS+=($BB)
waitlog "$W/bob3.log" 'baresip is ready'
$CALL offer --bad-key --to "sip:bob@127.0.0.1:$((B+82))" --port $((B+90)) --rtp $((B+200)) \
    --suites AES_CM_128_HMAC_SHA1_80 --seconds 1 > "$W/call3.log" 2>&1
kill $BB 2>/dev/null; wait $BB
grep -m1 'failed to decrypt RTP' "$W/bob3.log" | sed 's/.*\(srtp: failed.*\)/\1/'
check "baresip rejected the bad key" grep -q 'failed to decrypt RTP' "$W/bob3.log"

if [ -n "${IN_NETNS:-}" ] && command -v linphonec >/dev/null; then
    /usr/bin/python3 -c "
import wave, math, struct
w=wave.open('$W/tone.wav','wb'); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b''.join(struct.pack('<h', int(8000*math.sin(2*math.pi*440*i/8000))) for i in range(8000*20))); w.close()"
    lp_rx() { grep -A6 "AUDIO SESSION'S RTP STATISTICS" "$1" | grep -m1 -E 'received +[0-9]+ packets' | awk '{print $(NF-1)}'; }
    lp_start() { local H=$W/$1; shift; mkdir -p "$H/.local/share/linphone"; cp "$SHARED/linphone/linphonerc.in" "$H/linphonerc"
                 HOME=$H timeout 30 linphonec -c "$H/linphonerc" -d 4 -l "$H/lp.log" "$@" > "$H/out.log" 2>&1; }

    CASE="4 linphonec offers, sdes_call answers"; echo "=== $CASE"
    $CALL answer --port 5090 --rtp 11000 --seconds 3 --timeout 15 > "$W/call4.log" 2>&1 & P=$!; PIDS+=($P)
    (sleep 1; echo 'soundcard use files'; echo "play $W/tone.wav"; echo 'call sip:peer@127.0.0.1:5090'; sleep 5; echo 'terminate'; sleep 1; echo quit) | lp_start c4 & L=$!; PIDS+=($L)
    wait $P; RC=$?; wait $L
    grep -E '^a=crypto|lock icon|SRTP:' "$W/call4.log"; echo "linphonec received: $(lp_rx "$W/c4/lp.log") packets"
    check "sdes_call decrypted linphonec ($(decrypted "$W/call4.log") packets)" [ $RC -eq 0 ]
    check "linphonec decrypted sdes_call" [ "$(lp_rx "$W/c4/lp.log" || echo 0)" -ge 10 ]

    CASE="5 sdes_call offers GCM256,SHA1_32,SHA1_80; linphonec answers"; echo "=== $CASE"
    (sleep 1; echo 'soundcard use files'; echo "play $W/tone.wav"; sleep 8; echo quit) | lp_start c5 -a & L=$!; PIDS+=($L)
    sleep 1.5
    $CALL offer --to sip:carol@127.0.0.1:5084 --port 5090 --rtp 11000 --seconds 3 \
        --suites AEAD_AES_256_GCM,AES_CM_128_HMAC_SHA1_32,AES_CM_128_HMAC_SHA1_80 > "$W/call5.log" 2>&1; RC=$?; wait $L
    grep -E 'lock icon|SRTP:' "$W/call5.log"; echo "linphonec received: $(lp_rx "$W/c5/lp.log") packets"
    check "sdes_call decrypted linphonec ($(decrypted "$W/call5.log") packets)" [ $RC -eq 0 ]
    check "linphonec decrypted sdes_call" [ "$(lp_rx "$W/c5/lp.log" || echo 0)" -ge 10 ]
else
    echo "linphonec cases skipped (need root for unshare --net, and linphonec)"
fi
[ $FAIL -eq 0 ] && echo "SDES/SRTP interop: OK" || { echo "SDES/SRTP interop: FAILED"; exit 1; }
