#!/bin/sh
# `phonesec ciphers`: output, exit statuses and messages.
set -u
T=${PHONESEC_TOOL:?}
fail=0
check() { # desc expected-status command...
    desc=$1; want=$2; shift 2
    "$@" >/tmp/phonesec-tool-$$.out 2>/tmp/phonesec-tool-$$.err
    got=$?
    if [ "$got" != "$want" ]; then echo "FAIL: $desc: exit $got, want $want"; cat /tmp/phonesec-tool-$$.err; fail=1; fi
}
expect_out() { # desc grep-pattern
    if ! grep -q -- "$2" /tmp/phonesec-tool-$$.out /tmp/phonesec-tool-$$.err; then echo "FAIL: $1: no '$2'"; fail=1; fi
}
check "plain" 0 "$T" ciphers 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA'
[ "$(cat /tmp/phonesec-tool-$$.out)" = "ECDHE-RSA-AES128-GCM-SHA256
AES128-SHA" ] || { echo "FAIL: plain output"; fail=1; }
check "-V" 0 "$T" ciphers -V 'ECDHE-RSA-AES128-GCM-SHA256'
expect_out "-V layout" '          0xC0,0x2F - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         - ECDHE-RSA-AES128-GCM-SHA256    TLSv1.2 Kx=ECDH     Au=RSA   Enc=AESGCM(128)            Mac=AEAD'
check "default count" 0 "$T" ciphers DEFAULT
[ "$(wc -l < /tmp/phonesec-tool-$$.out)" -eq 27 ] || { echo "FAIL: DEFAULT is not 27 lines"; fail=1; }
check "no match" 1 "$T" ciphers 'NOTHING:AT:all'
expect_out "no match message" "no cipher match"
check "parse error" 1 "$T" ciphers 'HIGH:@BOGUS'
expect_out "parse message" "invalid cipher string"
check "usage" 2 "$T" ciphers
check "bad preset" 2 "$T" ciphers --preset nope x
check "preset fallback" 0 "$T" ciphers --preset web ''
expect_out "fallback note" "using preset"
expect_out "web preset" "DES-CBC3-SHA"
check "available" 0 "$T" ciphers --available 'HIGH:3DES'
if grep -q -- "-CBC3-SHA" /tmp/phonesec-tool-$$.out; then :; fi
check "available none" 1 "$T" ciphers --available 'NULL-MD5'
check "tls13 first" 0 "$T" ciphers --tls13 TLS_AES_256_GCM_SHA384 AES128-SHA
[ "$(head -1 /tmp/phonesec-tool-$$.out)" = "TLS_AES_256_GCM_SHA384" ] || { echo "FAIL: tls13 first"; fail=1; }
check "dash string" 0 "$T" ciphers -- '-ALL:AES128-SHA'
rm -f /tmp/phonesec-tool-$$.out /tmp/phonesec-tool-$$.err
[ $fail = 0 ] && echo "tool checks passed"
exit $fail
