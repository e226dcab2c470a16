#!/bin/sh
# phonesec sigenc: encode/decode one datagram through stdin/stdout, checked
# against the RC4 of the openssl CLI (legacy provider) when it has one.
set -u
TOOL=${PHONESEC_TOOL:?}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
printf 'SignalEncodeKey1' > "$T/key"  # 16 bytes: openssl -rc4 keys are 128-bit
printf 'REGISTER sip:example.com SIP/2.0\r\nCSeq: 1 REGISTER\r\n\r\n' > "$T/dgram"
"$TOOL" sigenc encode --profile raw --key-file "$T/key" < "$T/dgram" > "$T/enc" 2> "$T/err" || { echo "encode failed"; exit 1; }
grep -q "NOT security" "$T/err" || { echo "no warning on stderr"; exit 1; }
cmp -s "$T/enc" "$T/dgram" && { echo "output equals input"; exit 1; }
"$TOOL" sigenc decode --profile raw --key-file "$T/key" < "$T/enc" 2>/dev/null | cmp -s - "$T/dgram" || { echo "decode mismatch"; exit 1; }
"$TOOL" sigenc encode --profile vos --key-file "$T/key" < "$T/dgram" > /dev/null 2>&1 && { echo "unknown profile accepted"; exit 1; }
"$TOOL" sigenc encode --profile raw --key secret < "$T/dgram" > /dev/null 2>&1; [ $? -eq 2 ] || { echo "key on argv accepted"; exit 1; }
hex=$(od -An -tx1 < "$T/key" | tr -d ' \n')
if openssl enc -rc4 -provider legacy -provider default -K "$hex" -in "$T/dgram" -out "$T/ossl" 2>/dev/null; then
    cmp -s "$T/ossl" "$T/enc" || { echo "differs from openssl rc4"; exit 1; }
    echo "matches openssl rc4"
else
    echo "openssl has no legacy provider here: RFC 6229 vectors cover RC4"
fi
echo ok
