#!/bin/sh
# Certificates for the identity edge cases of tests/tls/test_tls_names.c,
# made with the openssl CLI (an independent implementation). Self-signed:
# only the names matter to phonesec_tls_cert_check_name(). Bytes openssl will
# not put into a name (NUL) are patched into the DER afterwards (the
# signature no longer verifies; the name reader does not look at it).
# Usage: mkcerts-names.sh DIR   Writes NAME.der for every certificate below.
set -eu
D=$1; mkdir -p "$D"; cd "$D"
exec 2>mkcerts-names.log
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out key.pem
cert() { # name subject [subjectAltName]
  if [ -n "${3:-}" ]; then
    openssl req -x509 -new -key key.pem -days 3650 -subj "$2" -addext "subjectAltName=$3" -outform DER -out "$1.der"
  else
    openssl req -x509 -new -key key.pem -days 3650 -subj "$2" -outform DER -out "$1.der"
  fi
}
# an IP address written as a name
cert dns-ip        "/CN=10.0.0.1"          "DNS:10.0.0.1"
cert cn-ip         "/CN=10.0.0.1"
cert dns-short-ip  "/CN=x"                 "DNS:10.1,DNS:010.0.0.1,DNS:0x0a.0.0.1,DNS:167772161"
cert cn-short-ip   "/CN=10.1"
cert numeric-tld   "/CN=x"                 "DNS:example.123"
cert ip-san        "/CN=x"                 "IP:10.0.0.1,IP:2001:db8::1,IP:fe80::1,IP:::ffff:10.0.0.2"
# trailing dots
cert wild-dots     "/CN=x"                 "DNS:*.example.com.."
cert wild-dot      "/CN=x"                 "DNS:*.example.com."
cert dns-dots      "/CN=x"                 "DNS:sip.example.com..,URI:sip:pbx.example.com.."
cert dns-dot       "/CN=x"                 "DNS:sip.example.com.,URI:sip:pbx.example.com."
cert dns-empty-label "/CN=x"               "DNS:sip..example.com,DNS:.example.com,DNS:*..example.com"
cert cn-dots       "/CN=sip.example.com.."
# several CNs, no subjectAltName
cert two-cn        "/CN=evil.example.net/CN=sip.example.com"
cert two-cn-same   "/CN=sip.example.com/CN=sip.example.com"
# IDNA A-labels
cert idna          "/CN=x"                 "DNS:xn--bcher-kva.example.com,DNS:*.xn--caf-dma.example,DNS:xn--*.example.org"
# embedded NUL (patched in below)
cert nul-cn        "/CN=sip.example.com~.evil.net"
cert nul-san       "/CN=x"                 "DNS:sip.example.com~.evil.net"
python3 - <<'PY'
for name in ("nul-cn", "nul-san"):
    d = open(name + ".der", "rb").read()
    assert b"sip.example.com~.evil.net" in d
    open(name + ".der", "wb").write(d.replace(b"sip.example.com~.evil.net", b"sip.example.com\0.evil.net"))
PY
