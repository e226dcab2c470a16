#!/bin/sh
# Certificates for the in-memory TLS flow tests, made with the openssl CLI:
# a CA and a server leaf for sip.example.com (EC P-256). Usage: mkcerts.sh DIR
set -eu
D=$1; mkdir -p "$D"; cd "$D"
exec 2>mkcerts.log
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ca.key
openssl req -x509 -new -key ca.key -days 3650 -subj "/CN=Flow Test CA/O=libphonesec tests" -out ca.crt \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key
openssl req -new -key server.key -subj "/CN=sip.example.com" -out server.csr
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:sip.example.com\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile server.ext -out server.crt
