#!/bin/sh
# The phonesec tool outside `config` (issue 10, small misreports; issue 14,
# secrets off the command line): every check runs the real tool.
set -u
T=${PHONESEC_TOOL:?}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
n=0
ok() { n=$((n + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# ---- tls check-name: a damaged certificate file is a clear error, not a silent exit 1
if command -v openssl > /dev/null; then
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/k.pem" -out "$W/c.pem" \
        -subj /CN=sip.example.com -addext subjectAltName=DNS:sip.example.com -days 2 2>/dev/null
    "$T" tls check-name "$W/c.pem" sip.example.com > "$W/out" 2> "$W/err"; rc=$?
    [ $rc -eq 0 ] && grep -q "^MATCH" "$W/out" && ok || bad "check-name on a good PEM (rc $rc)"
    head -c 300 "$W/c.pem" > "$W/trunc.pem"
    "$T" tls check-name "$W/trunc.pem" sip.example.com > "$W/out" 2> "$W/err"; rc=$?
    [ $rc -eq 1 ] && grep -q "truncated" "$W/err" && ok || bad "check-name on a truncated PEM (rc $rc): '$(cat "$W/err")'"
    { echo "-----BEGIN CERTIFICATE-----"; i=0; while [ $i -lt 1000 ]; do echo "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB"; i=$((i + 1)); done
      echo "-----END CERTIFICATE-----"; } > "$W/huge.pem"
    "$T" tls check-name "$W/huge.pem" sip.example.com > "$W/out" 2> "$W/err"; rc=$?
    [ $rc -eq 1 ] && grep -q "oversized" "$W/err" && ok || bad "check-name on an oversized PEM (rc $rc): '$(cat "$W/err")'"
    sed 's/^M/!/' "$W/c.pem" > "$W/bad64.pem"
    "$T" tls check-name "$W/bad64.pem" sip.example.com > "$W/out" 2> "$W/err"; rc=$?
    [ $rc -eq 1 ] && [ -s "$W/err" ] && ok || bad "check-name on damaged base64 (rc $rc)"
    "$T" tls check-name "$W/k.pem" sip.example.com > "$W/out" 2> "$W/err"; rc=$?
    [ $rc -eq 1 ] && grep -q "neither a PEM nor a DER certificate" "$W/err" && ok || bad "check-name on a key (rc $rc)"
else
    echo "skip: no openssl CLI for the check-name certificates"
fi

# ---- mediasec verify reads responses: a request is refused with a reason
printf 'REGISTER sip:example.com SIP/2.0\r\nSecurity-Server: tls;q=0.1\r\n\r\n' | "$T" mediasec verify > "$W/out" 2> "$W/err"; rc=$?
[ $rc -eq 1 ] && [ ! -s "$W/out" ] && grep -q "SIP request" "$W/err" && ok || bad "mediasec verify of a request (rc $rc): $(cat "$W/out")"
# ---- mediasec client --mech: the error offset points into what was typed
"$T" mediasec client --mech 'a,,b' --mediasec > /dev/null 2> "$W/err"; rc=$?
[ $rc -eq 2 ] && grep -q "empty entry in the list at offset 2" "$W/err" && ok || bad "--mech 'a,,b': $(cat "$W/err")"
"$T" mediasec client --mech 'a,,b' > /dev/null 2> "$W/err"; rc=$?
[ $rc -eq 2 ] && grep -q "offset 2" "$W/err" && ok || bad "--mech 'a,,b' without --mediasec: $(cat "$W/err")"

# ---- sdes answer: a refused offer prints its m= lines with port 0 (RFC 3264 §6)
H='v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n'
printf "${H}m=audio 4000 RTP/AVP 0\r\na=crypto:1 FOO_SUITE inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\nm=video 5000/2 RTP/AVP 96\r\n" \
    | "$T" sdes answer --tls > "$W/out" 2> "$W/err"; rc=$?
[ $rc -eq 1 ] && [ "$(cat "$W/out")" = "m=audio 0 RTP/AVP 0
m=video 0 RTP/AVP 96" ] && ok || bad "refused offer keeps its ports (rc $rc): $(cat "$W/out")"
# ---- sdes answer: too many m= sections names the limit
{ printf "$H"; i=0; while [ $i -lt 10000 ]; do printf 'm=audio %d RTP/SAVP 0\r\n' $((4000 + 2 * (i % 30000))); i=$((i + 1)); done; } > "$W/10k.sdp"
"$T" sdes answer --tls < "$W/10k.sdp" > /dev/null 2> "$W/err"; rc=$?
[ $rc -eq 1 ] && grep -q "more than 64 m= sections" "$W/err" && ok || bad "10,000 m= sections: $(cat "$W/err")"

# ---- secrets: the a=crypto line of srtp and sdes check from a file, a descriptor or standard input
L='a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz'
P=800000010000000100000001abcdef
"$T" srtp protect "$L" $P > "$W/argv.out" 2> "$W/err"; rc=$?
[ $rc -eq 0 ] && grep -q "warning: the a=crypto line .* command line" "$W/err" && ok || bad "srtp argv line warns (rc $rc)"
printf '%s\r\n' "$L" > "$W/line"
"$T" srtp protect --line-file "$W/line" $P > "$W/o1" 2> "$W/err" && cmp -s "$W/o1" "$W/argv.out" && [ ! -s "$W/err" ] && ok || bad "srtp --line-file"
"$T" srtp protect --line-fd 3 $P 3< "$W/line" > "$W/o2" && cmp -s "$W/o2" "$W/argv.out" && ok || bad "srtp --line-fd"
"$T" srtp protect --line-file - $P < "$W/line" > "$W/o3" && cmp -s "$W/o3" "$W/argv.out" && ok || bad "srtp --line-file -"
"$T" srtp unprotect --line-file "$W/line" "$(cat "$W/argv.out")" > "$W/o4" && [ "$(cat "$W/o4")" = "$P" ] && ok || bad "srtp unprotect --line-file"
"$T" sdes check "$L" > /dev/null 2> "$W/err"; rc=$?
[ $rc -eq 0 ] && grep -q "warning" "$W/err" && ok || bad "sdes check argv line warns"
"$T" sdes check --line-fd 4 4< "$W/line" > "$W/out" 2> "$W/err"; rc=$?
[ $rc -eq 0 ] && grep -q "^usable" "$W/out" && [ ! -s "$W/err" ] && ok || bad "sdes check --line-fd (rc $rc)"
# ---- sigenc: the key from a descriptor
if "$T" sigenc --help > /dev/null 2>&1; then   # built with legacy_rc4
    head -c 32 /dev/urandom > "$W/key"
    printf 'REGISTER sip:x SIP/2.0\r\n\r\n' > "$W/dgram"
    "$T" sigenc encode --key-fd 3 < "$W/dgram" 3< "$W/key" 2>/dev/null | "$T" sigenc decode --key-file "$W/key" 2>/dev/null | cmp -s - "$W/dgram" \
        && ok || bad "sigenc --key-fd"
    "$T" sigenc encode --key-file - < "$W/dgram" > /dev/null 2> "$W/err"; rc=$?
    [ $rc -eq 2 ] && grep -q "standard input carries the datagram" "$W/err" && ok || bad "sigenc key and datagram both on stdin (rc $rc)"
fi

echo "$n checks passed, $fails failed"
[ "$fails" -eq 0 ]
