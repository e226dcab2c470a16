#!/bin/sh
# The `phonesec sdes` subcommands: output lines, exit codes, messages.
set -u
T=${PHONESEC_TOOL:?}; V=${PHONESEC_SRCDIR:?}/tests/vectors/sdes
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

# The admin-guide offer: tag 1 AES_CM_128_HMAC_SHA1_80, m= line kept.
"$T" sdes answer --tls < "$V/offer-admin-guide.sdp" > "$W/out" 2> "$W/err"; rc=$?
[ $rc -eq 0 ] && ok "admin-guide exit 0" || bad "admin-guide exit $rc"
[ "$(sed -n 1p "$W/out")" = "m=audio 11780 RTP/SAVP 0 8 18 9 101" ] && ok "m= line" || bad "m= line: $(sed -n 1p "$W/out")"
sed -n 2p "$W/out" | grep -Eq '^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}$' && ok "crypto line" \
  || bad "crypto line: $(sed -n 2p "$W/out")"
[ "$(wc -l < "$W/out")" -eq 2 ] && ok "two lines" || bad "line count $(wc -l < "$W/out")"
# The answer key is fresh: not the offered one, and 30 bytes (coreutils base64).
k=$(sed -n 2p "$W/out" | sed 's/.*inline://')
[ "$k" != "NzFINTUwZDk2OGVIOTc3YzNkYTkwZWVkMTM1YWFj" ] && ok "fresh key" || bad "echoed key"
[ "$(printf %s "$k" | base64 -d | wc -c)" -eq 30 ] && ok "30-byte key" || bad "key length"
# Without --tls: a warning on stderr, still an answer.
"$T" sdes answer < "$V/offer-admin-guide.sdp" > /dev/null 2> "$W/err"; rc=$?
[ $rc -eq 0 ] && grep -q "not TLS" "$W/err" && ok "TLS warning" || bad "TLS warning (rc $rc)"
"$T" sdes answer --require-tls < "$V/offer-admin-guide.sdp" > /dev/null 2> "$W/err"; rc=$?
[ $rc -eq 1 ] && grep -q "no m= section can be secured" "$W/err" && ok "require-tls refuses" || bad "require-tls (rc $rc)"
# RFC 4568 §5.1: nothing usable -> exit 1 with the reason.
"$T" sdes answer --tls --policy mandatory < "$V/offer-rfc4568-5.1.sdp" > "$W/out" 2> "$W/err"; rc=$?
[ $rc -eq 1 ] && grep -q "FEC" "$W/err" && ok "rfc4568 5.1 refused with reason" || bad "rfc4568 5.1 (rc $rc): $(cat "$W/err")"
# Mixed SAVP/AVP offer, mandatory: the plain section is refused with port 0.
"$T" sdes answer --tls --policy mandatory < "$V/offer-savp-avp.sdp" > "$W/out" 2> "$W/err"; rc=$?
[ $rc -eq 0 ] && grep -qx "m=audio 0 RTP/AVP 0" "$W/out" && grep -q "^a=crypto:1 AEAD_AES_128_GCM inline:" "$W/out" \
  && ok "mixed offer" || bad "mixed offer (rc $rc): $(cat "$W/out")"
# Skipped lines are explained.
"$T" sdes answer --tls < "$V/offer-tags-5-6-9.sdp" > "$W/out" 2> "$W/err"
grep -q "^a=crypto:9 " "$W/out" && grep -q "line 1 skipped: tag 5: F8" "$W/err" && grep -q "line 2 skipped: .*30 bytes" "$W/err" \
  && ok "reasons" || bad "reasons: $(cat "$W/err")"
# Offer.
"$T" sdes offer --tls --suites AES_CM_128_HMAC_SHA1_32,AEAD_AES_256_GCM --3ge2ae > "$W/out"; rc=$?
[ $rc -eq 0 ] && [ "$(wc -l < "$W/out")" -eq 3 ] && grep -q "^a=crypto:2 AEAD_AES_256_GCM inline:" "$W/out" \
  && grep -qx "a=3ge2ae:requested" "$W/out" && ok "offer" || bad "offer: $(cat "$W/out")"
k=$(sed -n 2p "$W/out" | sed 's/.*inline://')
[ "$(printf %s "$k" | base64 -d | wc -c)" -eq 44 ] && ok "GCM-256 key 44 bytes" || bad "GCM key length"
# Which SRTP engine: the native one runs F8 and an MKI with every suite.
NATIVE=0
"$T" sdes check 'a=crypto:1 F8_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR' > /dev/null 2>&1 && NATIVE=1
"$T" sdes offer --suites F8_128_HMAC_SHA1_80 > "$W/out" 2>/dev/null; rc=$?
if [ $NATIVE -eq 1 ]; then
  [ $rc -eq 0 ] && grep -q "^a=crypto:1 F8_128_HMAC_SHA1_80 inline:" "$W/out" && ok "F8 offered when listed (native engine)" \
    || bad "F8 offer rc $rc"
  "$T" sdes offer > "$W/out" 2>/dev/null; ! grep -q F8_128 "$W/out" && ok "F8 not offered by default" || bad "F8 in the default offer"
else
  [ $rc -eq 2 ] && ok "F8 not offered" || bad "F8 offer rc $rc"
fi
# Check.
"$T" sdes check 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4' > "$W/out"; rc=$?
[ $rc -eq 0 ] && grep -q "MKI 4 bytes, lifetime 1048576" "$W/out" && ! grep -q PS1u "$W/out" && ok "check" || bad "check: $(cat "$W/out")"
"$T" sdes check 'a=crypto:1 AES_CM_256_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR' 2> "$W/err"; rc=$?
[ $rc -eq 1 ] && grep -q "30 bytes" "$W/err" && ok "check wrong length" || bad "check wrong length rc $rc"
# A line the SRTP layer cannot run is skipped with the reason: an MKI on a
# _32 line (80-bit SRTCP tag in RFC mode), and AES-192 on a libsrtp2 that
# fails RFC 6188's known answer (the next line is used).
printf 'm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n' \
  | "$T" sdes answer --tls > "$W/out" 2> "$W/err"
if [ $NATIVE -eq 1 ]; then # the native engine places the SRTCP MKI right whatever the tags
  grep -q "^a=crypto:1 AES_CM_128_HMAC_SHA1_32 " "$W/out" && ok "MKI on _32 answered (native engine)" \
    || bad "MKI on _32: $(cat "$W/out" "$W/err")"
else
  grep -q "^a=crypto:2 AES_CM_128_HMAC_SHA1_80 " "$W/out" && grep -q "line 1 skipped: tag 1: MKI" "$W/err" \
    && ok "MKI on _32 skipped" || bad "MKI on _32: $(cat "$W/out" "$W/err")"
fi
printf 'm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4\r\n' \
  | "$T" sdes answer --tls --tag32-compat > "$W/out" 2> "$W/err"
grep -q "^a=crypto:1 AES_CM_128_HMAC_SHA1_32 " "$W/out" && ok "MKI on _32 with --tag32-compat" || bad "compat: $(cat "$W/err")"
"$T" sdes check 'a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4' > /dev/null 2>&1; r1=$?
"$T" sdes check 'a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4' --tag32-compat > /dev/null 2>&1; r2=$?
[ $r1 -eq $((1 - NATIVE)) ] && [ $r2 -eq 0 ] && ok "check --tag32-compat" || bad "check --tag32-compat ($r1 $r2)"
printf 'm=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_192_CM_HMAC_SHA1_80 inline:v9yuX0va81siixgYIxXbLdDyUo/oSSmMa1+zb6u+g9ERJr4EZ24\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n' \
  | "$T" sdes answer --tls > "$W/out" 2> "$W/err"
if grep -q "^a=crypto:1 AES_192" "$W/out"; then
  ok "AES-192 answered (this libsrtp2 passes RFC 6188's known answer)"
  "$T" sdes offer | grep -q AES_192 && ok "AES-192 offered" || bad "AES-192 runs but is not offered"
else
  grep -q "^a=crypto:2 AES_CM_128_HMAC_SHA1_80 " "$W/out" && grep -q "line 1 skipped: tag 1: .*AES-192" "$W/err" \
    && ok "AES-192 skipped with the reason" || bad "AES-192: $(cat "$W/out" "$W/err")"
  "$T" sdes offer 2>/dev/null | grep -q AES_192 && bad "AES-192 offered" || ok "AES-192 not offered"
fi
"$T" sdes answer --bogus < /dev/null > /dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "usage error" || bad "usage rc $rc"
printf 'not sdp' | "$T" sdes answer > /dev/null 2>&1; rc=$?
[ $rc -eq 1 ] && ok "garbage input" || bad "garbage rc $rc"
exit $fail
