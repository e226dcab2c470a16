#!/bin/sh
# Extra certificates for test_tls_failclosed, made with the openssl CLI in a
# directory already filled by mkcerts.sh (uses its CA and ca.cnf).
# Usage: mkcerts-failclosed.sh DIR
set -eu
cd "$1"
exec 2>>mkcerts.log
# a leaf that becomes valid only in 2099 (pinned as a trust entry by the test)
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out future.key
openssl req -new -key future.key -subj "/CN=sip.example.com" \
  -addext "subjectAltName=DNS:sip.example.com,IP:127.0.0.1" -out future.csr
openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in future.csr -out future.crt \
  -startdate 20990101000000Z -enddate 21000101000000Z -notext
# a self-signed, non-CA server certificate whose validity ended in 2020
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out selfexp.key
openssl req -new -key selfexp.key -subj "/CN=sip.example.com" \
  -addext "subjectAltName=DNS:sip.example.com,IP:127.0.0.1" -addext "basicConstraints=CA:FALSE" -out selfexp.csr
openssl ca -batch -config ca.cnf -selfsign -keyfile selfexp.key -in selfexp.csr -out selfexp.crt \
  -startdate 20190101000000Z -enddate 20200101000000Z -notext
for c in future selfexp; do openssl x509 -in $c.crt -outform DER -out $c.der; done
rm -f future.csr selfexp.csr
echo ok > done-failclosed
