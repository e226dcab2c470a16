#!/bin/sh
# Certificate matrix for the tls tests, made with the openssl CLI (an
# independent implementation). Usage: mkcerts.sh DIR   (~1 s, EC P-256)
# Writes NAME.crt (PEM), NAME.der, NAME.key for every certificate below, plus
# chain.pem (leaf + intermediate) and ca-bundle.pem.
set -eu
D=$1; mkdir -p "$D"; cd "$D"
exec 2>mkcerts.log
ec() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key"; }

# --- CAs
ca() { # name CN
  ec "$1"
  openssl req -x509 -new -key "$1.key" -days 3650 -subj "/CN=$2/O=libphonesec tests" -out "$1.crt" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
ca ca "Test Root CA"
ca rogue "Rogue CA"
ec int
openssl req -new -key int.key -subj "/CN=Test Intermediate CA/O=libphonesec tests" -out int.csr
printf 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n' > int.ext
openssl x509 -req -in int.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile int.ext -out int.crt

# --- leaves: name "subject" "extensions (one per line, may be empty)" [issuer]
leaf() {
  ec "$1"
  openssl req -new -key "$1.key" -subj "$2" -out "$1.csr"
  printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "${4:-ca}.crt" -CAkey "${4:-ca}.key" -CAcreateserial -days 3650 \
    -extfile "$1.ext" -out "$1.crt"
}
leaf server      "/CN=sip.example.com"   "subjectAltName=DNS:sip.example.com,DNS:localhost,IP:127.0.0.1,IP:::1"
leaf sip-uri     "/CN=unrelated.example" "subjectAltName=URI:sip:sip.example.com"
leaf sip-uri-user "/CN=sip.example.com"  "subjectAltName=URI:sip:alice@sip.example.com"
leaf sip-uri-param "/CN=x"               "subjectAltName=URI:sip:sip.example.com;transport=tls"
leaf sips-uri    "/CN=x"                 "subjectAltName=URI:sips:sip.example.com"
leaf dns         "/CN=unrelated.example" "subjectAltName=DNS:sip.example.com"
leaf cn-only     "/O=Example/CN=sip.example.com" ""
leaf cn-unrel-san "/CN=sip.example.com"  "subjectAltName=DNS:other.example.com"
leaf cn-uri-san  "/CN=sip.example.com"   "subjectAltName=URI:sip:other.example.com"
leaf cn-ip-san   "/CN=sip.example.com"   "subjectAltName=IP:192.0.2.7"
leaf wildcard    "/CN=*.example.com"     "subjectAltName=DNS:*.example.com"
leaf wild-partial "/CN=x"                "subjectAltName=DNS:f*.example.com"
leaf wild-inner  "/CN=x"                 "subjectAltName=DNS:sip.*.com"
leaf wild-tld    "/CN=x"                 "subjectAltName=DNS:*.com"
leaf cn-wildcard "/CN=*.example.com"     ""
leaf suffix      "/CN=x"                 "subjectAltName=DNS:example.com,DNS:sip.example.com.evil.net,DNS:evilsip.example.com"
leaf case        "/CN=x"                 "subjectAltName=DNS:SIP.Example.COM,URI:SIP:PBX.Example.COM"
leaf ip          "/CN=127.0.0.1"         "subjectAltName=IP:127.0.0.1,IP:2001:db8::1"
leaf ip-as-dns   "/CN=127.0.0.1"         "subjectAltName=DNS:127.0.0.1"
leaf prov        "/CN=prov.example.com\\/phone-0042" ""
leaf prov-san    "/CN=prov.example.com\\/phone-0042" "subjectAltName=DNS:other.example.com"
leaf chained     "/CN=sip.example.com"   "subjectAltName=DNS:sip.example.com,IP:127.0.0.1" int
leaf rogue-leaf  "/CN=sip.example.com"   "subjectAltName=DNS:sip.example.com,IP:127.0.0.1" rogue
leaf client      "/CN=phone1.example.com" "subjectAltName=DNS:phone1.example.com,URI:sip:1001@example.com"

# --- expired leaf (validity entirely in the past) through `openssl ca`
mkdir -p ca.db; : > ca.db/index.txt; echo 01 > ca.db/serial
cat > ca.cnf <<CNF
[ca]
default_ca = c
[c]
dir = ca.db
database = ca.db/index.txt
serial = ca.db/serial
new_certs_dir = ca.db
default_md = sha256
policy = p
copy_extensions = copy
unique_subject = no
[p]
commonName = supplied
CNF
ec expired
openssl req -new -key expired.key -subj "/CN=sip.example.com" -addext "subjectAltName=DNS:sip.example.com,IP:127.0.0.1" -out expired.csr
openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in expired.csr -out expired.crt \
  -startdate 20200101000000Z -enddate 20200201000000Z -notext

# --- RSA server (for RSA-authenticated suites) and a CRL revoking 'revoked'
openssl req -newkey rsa:2048 -nodes -subj "/CN=sip.example.com" -keyout server-rsa.key -out server-rsa.csr
printf 'subjectAltName=DNS:sip.example.com,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > rsa.ext
openssl x509 -req -in server-rsa.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 -extfile rsa.ext -out server-rsa.crt
ec revoked
openssl req -new -key revoked.key -subj "/CN=sip.example.com" -addext "subjectAltName=DNS:sip.example.com,IP:127.0.0.1" -out revoked.csr
openssl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in revoked.csr -out revoked.crt -days 3650 -notext
openssl ca -config ca.cnf -cert ca.crt -keyfile ca.key -revoke revoked.crt
openssl ca -config ca.cnf -cert ca.crt -keyfile ca.key -gencrl -crldays 30 -out ca.crl

for c in *.crt; do openssl x509 -in "$c" -outform DER -out "${c%.crt}.der"; done
cat chained.crt int.crt > chain.pem
cat ca.crt rogue.crt > ca-bundle.pem
rm -f *.csr *.ext
echo ok > done
