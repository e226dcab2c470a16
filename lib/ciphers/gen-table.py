#!/usr/bin/env python3
"""Regenerate lib/ciphers/table.inc from the `openssl` CLI (OpenSSL 3.0).

Run by hand (not at build time): python3 lib/ciphers/gen-table.py > lib/ciphers/table.inc
    and python3 lib/ciphers/gen-table.py --foreign > lib/ciphers/foreign.inc
Suite attributes (names, kx/auth/enc/mac, version, HIGH/FIPS/not-DEFAULT
classes) are read from OpenSSL itself. Suites this OpenSSL no longer builds
(3DES, RC4, SEED: OPENSSL_NO_WEAK_SSL_CIPHERS / legacy provider) are added
from the attributes OpenSSL 1.1.1/3.0's ssl/s3_lib.c gives them.
PSK and SRP suites are left out: phones do not use them, and without them
"DEFAULT" selects exactly the phones' 27 suites.
"""
import re
import subprocess
import sys

TLS13 = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:" \
        "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256"


def run(*args):
    return subprocess.run(["openssl", "ciphers", *args], capture_output=True, text=True).stdout


def names(expr):
    out = run("-ciphersuites", "", expr).strip()
    return set(out.split(":")) if out and "Error" not in out else set()


LINE = re.compile(r"0x(..),0x(..) - (\S+)\s+- (\S+)\s+(\S+)\s+Kx=(\S+)\s+Au=(\S+)\s+Enc=(\S+)\s+Mac=(\S+)")
suites = []
foreign = []
for line in run("-stdname", "-ciphersuites", TLS13, "-V", "ALL:COMPLEMENTOFALL").splitlines():
    m = LINE.search(line)
    code = int(m.group(1) + m.group(2), 16)
    std, name, ver, kx, au, enc, mac = m.group(3, 4, 5, 6, 7, 8, 9)
    if kx in ("PSK", "RSAPSK", "DHEPSK", "ECDHEPSK", "SRP"):
        foreign.append(dict(code=code, name=name, std=std, ver=ver, kx=kx, au=au, enc=enc, mac=mac))
        continue
    suites.append(dict(code=code, name=name, std=std, ver=ver, kx=kx, au=au, enc=enc, mac=mac))

high, fips, notdef = names("HIGH"), names("FIPS"), names("COMPLEMENTOFDEFAULT")
for s in suites + foreign:
    if s["ver"] == "TLSv1.3":
        s["cls"] = "0"
        continue
    flags = []
    if s["name"] in high:
        flags.append("C_HIGH")
    if s["name"] in fips:
        flags.append("C_FIPS")
    if s["name"] in notdef:
        flags.append("C_NOT_DEFAULT")
    s["cls"] = " | ".join(flags) or "0"

# Weak suites OpenSSL 3.0 no longer compiles (attributes as in 1.1.1/3.0 s3_lib.c).
WEAK = [
    (0x000A, "DES-CBC3-SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "SSLv3", "RSA", "RSA", "3DES(168)", "SHA1", "C_MEDIUM | C_FIPS | C_NOT_DEFAULT"),
    (0x0016, "DHE-RSA-DES-CBC3-SHA", "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA", "SSLv3", "DH", "RSA", "3DES(168)", "SHA1", "C_MEDIUM | C_FIPS | C_NOT_DEFAULT"),
    (0xC012, "ECDHE-RSA-DES-CBC3-SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLSv1", "ECDH", "RSA", "3DES(168)", "SHA1", "C_MEDIUM | C_FIPS | C_NOT_DEFAULT"),
    (0xC008, "ECDHE-ECDSA-DES-CBC3-SHA", "TLS_ECDHE_ECDSA_WITH_3DES_EDE_CBC_SHA", "TLSv1", "ECDH", "ECDSA", "3DES(168)", "SHA1", "C_MEDIUM | C_FIPS | C_NOT_DEFAULT"),
    (0x0004, "RC4-MD5", "TLS_RSA_WITH_RC4_128_MD5", "SSLv3", "RSA", "RSA", "RC4(128)", "MD5", "C_MEDIUM | C_NOT_DEFAULT"),
    (0x0005, "RC4-SHA", "TLS_RSA_WITH_RC4_128_SHA", "SSLv3", "RSA", "RSA", "RC4(128)", "SHA1", "C_MEDIUM | C_NOT_DEFAULT"),
    (0xC011, "ECDHE-RSA-RC4-SHA", "TLS_ECDHE_RSA_WITH_RC4_128_SHA", "TLSv1", "ECDH", "RSA", "RC4(128)", "SHA1", "C_MEDIUM | C_NOT_DEFAULT"),
    (0xC007, "ECDHE-ECDSA-RC4-SHA", "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "TLSv1", "ECDH", "ECDSA", "RC4(128)", "SHA1", "C_MEDIUM | C_NOT_DEFAULT"),
    (0x0096, "SEED-SHA", "TLS_RSA_WITH_SEED_CBC_SHA", "SSLv3", "RSA", "RSA", "SEED(128)", "SHA1", "C_MEDIUM | C_NOT_DEFAULT"),
    (0x009A, "DHE-RSA-SEED-SHA", "TLS_DHE_RSA_WITH_SEED_CBC_SHA", "SSLv3", "DH", "RSA", "SEED(128)", "SHA1", "C_MEDIUM | C_NOT_DEFAULT"),
]
for code, name, std, ver, kx, au, enc, mac, cls in WEAK:
    suites.append(dict(code=code, name=name, std=std, ver=ver, kx=kx, au=au, enc=enc, mac=mac, cls=cls))

KX = {"RSA": "K_RSA", "DH": "K_DHE", "ECDH": "K_ECDHE", "any": "K_ANY", "PSK": "K_PSK", "RSAPSK": "K_RSAPSK",
      "DHEPSK": "K_DHEPSK", "ECDHEPSK": "K_ECDHEPSK", "SRP": "K_SRP"}
AU = {"RSA": "A_RSA", "DSS": "A_DSS", "ECDSA": "A_ECDSA", "None": "A_NULL", "any": "A_ANY", "PSK": "A_PSK",
      "SRP": "A_SRP"}
ENC = {"AES(128)": "E_AES128", "AES(256)": "E_AES256", "AESGCM(128)": "E_AES128GCM", "AESGCM(256)": "E_AES256GCM",
       "AESCCM(128)": "E_AES128CCM", "AESCCM(256)": "E_AES256CCM", "AESCCM8(128)": "E_AES128CCM8",
       "AESCCM8(256)": "E_AES256CCM8", "Camellia(128)": "E_CAMELLIA128", "Camellia(256)": "E_CAMELLIA256",
       "ARIAGCM(128)": "E_ARIA128GCM", "ARIAGCM(256)": "E_ARIA256GCM", "CHACHA20/POLY1305(256)": "E_CHACHA20POLY1305",
       "None": "E_NULL", "3DES(168)": "E_3DES", "RC4(128)": "E_RC4", "SEED(128)": "E_SEED"}
MAC = {"MD5": "M_MD5", "SHA1": "M_SHA1", "SHA256": "M_SHA256", "SHA384": "M_SHA384", "AEAD": "M_AEAD"}
VER = {"SSLv3": "V_SSL3", "TLSv1": "V_TLS1", "TLSv1.2": "V_TLS1_2", "TLSv1.3": "V_TLS1_3"}


def bits(enc):
    if enc == "None":
        return 0
    if enc.startswith("3DES"):
        return 112
    return int(re.search(r"\((\d+)\)", enc).group(1))


suites.sort(key=lambda s: s["code"])
if len(sys.argv) > 1 and sys.argv[1] == "--foreign":
    print("/* Generated by lib/ciphers/gen-table.py --foreign from `openssl ciphers` (OpenSSL 3.0); do not edit.")
    print(" * Suites OpenSSL knows but the library does not offer (PSK, SRP): their names must still parse")
    print(" * as OpenSSL parses them, selecting nothing. */")
    for s in sorted(foreign, key=lambda s: s["code"]):
        print('F("%s", %s, %s, %s, %s, %s)' % (s["name"], KX[s["kx"]], AU[s["au"]], ENC[s["enc"]], MAC[s["mac"]],
                                               s["cls"]))
    sys.exit(0)
print("/* Generated by lib/ciphers/gen-table.py from `openssl ciphers` (OpenSSL 3.0); do not edit. */")
for s in suites:
    print('S(0x%04X, "%s", "%s", "%s", "%s", "%s", "%s", %d, "%s", %s, %s, %s, %s, %s, %s)' % (
        s["code"], s["name"], s["std"], s["kx"], s["au"], s["enc"], s["mac"], bits(s["enc"]), s["ver"],
        KX[s["kx"]], AU[s["au"]], ENC[s["enc"]], MAC[s["mac"]], VER[s["ver"]], s["cls"]))
