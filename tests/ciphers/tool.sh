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
no_out() { # desc pattern: not on standard output
    if grep -q -- "$2" /tmp/phonesec-tool-$$.out; then echo "FAIL: $1: '$2' listed"; fail=1; fi
}
# the web preset names DES-CBC3-SHA (the phones' list): the floor removes it and says why
no_out "web preset floored" "DES-CBC3-SHA"
expect_out "floor section" "removed by the security floor"
expect_out "floor reason" "DES-CBC3-SHA .*3DES"
check "web preset legacy" 0 "$T" ciphers --legacy --preset web ''
grep -qx "DES-CBC3-SHA" /tmp/phonesec-tool-$$.out || { echo "FAIL: --legacy keeps DES-CBC3-SHA"; fail=1; }
expect_out "legacy section" "kept because of --legacy"

# issue 10 item 6: ALL, MEDIUM and a blank XMPP setting listed RC4, 3DES, ADH
for s in ALL MEDIUM 'HIGH:MEDIUM:AES:@STRENGTH'; do
    check "floored $s" 0 "$T" ciphers "$s"
    for w in RC4 DES-CBC3 ADH- AECDH- NULL; do no_out "floored $s" "$w"; done
done
check "xmpp blank" 0 "$T" ciphers --preset xmpp ''
for w in RC4 DES-CBC3 ADH- AECDH-; do no_out "xmpp blank" "$w"; done
expect_out "xmpp floor reasons" "ADH-AES256-GCM-SHA384 .*aNULL"
expect_out "xmpp floor reasons" "RC4-SHA .*RFC 7465"
check "legacy ALL" 0 "$T" ciphers --legacy ALL
grep -qx "RC4-SHA" /tmp/phonesec-tool-$$.out || { echo "FAIL: --legacy ALL lacks RC4-SHA"; fail=1; }
check "only weak" 1 "$T" ciphers 'RC4:3DES'
expect_out "only weak message" "below the security floor"

# issue 14: a string that selects nothing is an error naming the word
check "unknown word" 1 "$T" ciphers FOO
expect_out "unknown word named" "unknown word 'FOO'"
check "no silent preset" 1 "$T" ciphers --preset default FOO
expect_out "no silent preset" "unknown word 'FOO'"
check "phones' fallback on request" 0 "$T" ciphers --preset default --fallback FOO
expect_out "fallback names the word" "unknown word 'FOO'"
expect_out "fallback says so" 'using preset "DEFAULT"'
[ "$(wc -l < /tmp/phonesec-tool-$$.out)" -eq 27 ] || { echo "FAIL: fallback is not DEFAULT"; fail=1; }
check "--fallback needs --preset" 2 "$T" ciphers --fallback FOO
check "ignored word warned" 0 "$T" ciphers 'HIGH:!aNUL'
expect_out "typo visible" "ignored unknown word 'aNUL'"
check "parse error names the command" 1 "$T" ciphers 'HIGH:@BOGUS'
expect_out "parse word" "'@BOGUS' at offset 5"
# the tls subcommands exist when the build has the tls module (-Dmodules)
if "$T" tls probe --help >/dev/null 2>&1; then
check "tls probe --ciphers FOO" 1 "$T" tls probe --ciphers FOO 127.0.0.1:9
expect_out "tls probe names the word" "unknown word 'FOO'"
check "tls probe --ciphers RC4" 1 "$T" tls probe --ciphers RC4 127.0.0.1:9
expect_out "tls probe floor" "below the security floor"
fi
check "available" 0 "$T" ciphers --available 'HIGH:3DES'
if grep -q -- "-CBC3-SHA" /tmp/phonesec-tool-$$.out; then :; fi
check "available none" 1 "$T" ciphers --available 'NULL-MD5'
check "tls13 first" 0 "$T" ciphers --tls13 TLS_AES_256_GCM_SHA384 AES128-SHA
[ "$(head -1 /tmp/phonesec-tool-$$.out)" = "TLS_AES_256_GCM_SHA384" ] || { echo "FAIL: tls13 first"; fail=1; }
check "dash string" 0 "$T" ciphers -- '-ALL:AES128-SHA'
rm -f /tmp/phonesec-tool-$$.out /tmp/phonesec-tool-$$.err
[ $fail = 0 ] && echo "tool checks passed"
exit $fail
