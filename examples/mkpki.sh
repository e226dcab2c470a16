#!/bin/sh
# Small test PKI for the demo, made with the openssl CLI:
#   ca.crt/.key          demo CA
#   server.crt/.key      the proxy: SAN URI:sip:sip.demo.test, DNS:sip.demo.test
#   client.crt/.key      the phone, for mutual TLS
#   phone.cfg.enc        a provisioning file encrypted with `openssl enc`
#                        (AES-256-CBC, PBKDF2-SHA256, 10000 iterations, password "demo-provisioning")
# Usage: mkpki.sh DIR   (EC P-256, about 0.1 s)
set -eu
D=$1
mkdir -p "$D"
cd "$D"
exec 3>&2 2>mkpki.log
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }
ec ca
openssl req -x509 -new -key ca.key -days 3650 -subj "/CN=Demo Phone CA/O=libphonesec demo" -out ca.crt \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
leaf() { # name subject extensions
  ec "$1"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile "$1.ext" -out "$1.crt"
  rm -f "$1.csr" "$1.ext"
}
leaf server "/CN=sip.demo.test/O=libphonesec demo" \
  "$(printf 'extendedKeyUsage=serverAuth\nsubjectAltName=URI:sip:sip.demo.test,DNS:sip.demo.test')"
leaf client "/CN=phone1.sip.demo.test/O=libphonesec demo" \
  "$(printf 'extendedKeyUsage=clientAuth\nsubjectAltName=URI:sip:1001@sip.demo.test')"
printf 'account.1.sip_server = sip.demo.test\naccount.1.transport = tls\naccount.1.mediasec = 1\nsecurity.trust_ca = ca.crt\n' > phone.cfg
openssl enc -aes-256-cbc -pbkdf2 -iter 10000 -md sha256 -salt -in phone.cfg -out phone.cfg.enc \
  -pass pass:demo-provisioning
exec 2>&3
echo "PKI in $D: ca.crt server.crt client.crt phone.cfg.enc"
