#!/usr/bin/python3
"""Cross-check `phonesec srtp protect|unprotect` against an independent SRTP
written here on python3-cryptography's AES, HMAC-SHA1 and AES-GCM: RFC 3711
(AES-CM, AES-F8, key derivation with KDR, MKI, SRTCP), RFC 6188 (AES-192 and
AES-256) and RFC 7714 (AEAD GCM, MKI after the tag, SRTCP E|index then MKI).

The oracle is first checked against the RFC vectors (RFC 3711 B.1 F8, B.2
AES-CM keystream, B.3 key derivation, RFC 6188 7.2/7.4 derivation, RFC 7714
16-17 GCM SRTP and SRTCP); then, for every suite, with and without an MKI
(two keys, the second one active), RTP and SRTCP, the tool's packets must
equal the oracle's byte for byte and the oracle's packets must unprotect.

argv[1]: the -Dsrtp_engine of the build. The libsrtp2 engine declines F8,
KDR, AES-192 (libsrtp2 2.5 derives it wrong), MKI with GCM and an MKI where
the SRTP and SRTCP tags differ: those must then be declined (exit 1), never
produce other bytes. Exit 77 without python3-cryptography."""
import base64
import os
import struct
import subprocess
import sys

try:
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError:
    print("python3-cryptography missing: skipped")
    sys.exit(77)

TOOL = os.environ.get("PHONESEC_TOOL", "phonesec")
SRCDIR = os.environ.get("PHONESEC_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
ENGINE = sys.argv[1] if len(sys.argv) > 1 else "native"
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def ecb(key, block):
    e = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return e.update(block) + e.finalize()


def ctr(key, iv, data):
    e = Cipher(algorithms.AES(key), modes.CTR(iv)).encryptor()
    return e.update(data) + e.finalize()


def hmac_sha1(key, data):
    h = hmac.HMAC(key, hashes.SHA1())
    h.update(data)
    return h.finalize()


def f8(key, salt, iv, data):
    """RFC 3711 4.1.2: m = salt || 0x55..; IV' = E(k XOR m, IV);
    S(j) = E(k, IV' XOR j XOR S(j-1)), S(-1) = 0."""
    m = salt + b"\x55" * (len(key) - len(salt))
    ivp = ecb(xor(key, m), iv)
    out, s, j = b"", bytes(16), 0
    while len(out) < len(data):
        s = ecb(key, xor(xor(ivp, j.to_bytes(16, "big")), s))
        out += s
        j += 1
    return xor(data, out[:len(data)])


def kdf(mk, ms, label, r, n):
    """RFC 3711 4.3: x = (label || r) XOR salt (salt padded to 112 bits),
    keystream of AES-CM(mk) at IV x || 0000."""
    x = bytearray(ms.ljust(14, b"\0"))
    x[7] ^= label
    for i in range(6):
        x[13 - i] ^= (r >> (8 * i)) & 0xFF
    return ctr(mk, bytes(x) + b"\0\0", bytes(n))


class Suite:
    def __init__(self, name, kl, sl, tag, gcm=False, f8=False, null=False):
        self.name, self.kl, self.sl, self.tag, self.gcm, self.f8, self.null = name, kl, sl, tag, gcm, f8, null


SUITES = [
    Suite("AES_CM_128_HMAC_SHA1_80", 16, 14, 10), Suite("AES_CM_128_HMAC_SHA1_32", 16, 14, 4),
    Suite("AES_192_CM_HMAC_SHA1_80", 24, 14, 10), Suite("AES_192_CM_HMAC_SHA1_32", 24, 14, 4),
    Suite("AES_256_CM_HMAC_SHA1_80", 32, 14, 10), Suite("AES_256_CM_HMAC_SHA1_32", 32, 14, 4),
    Suite("AEAD_AES_128_GCM", 16, 12, 16, gcm=True), Suite("AEAD_AES_256_GCM", 32, 12, 16, gcm=True),
    Suite("F8_128_HMAC_SHA1_80", 16, 14, 10, f8=True), Suite("NULL_HMAC_SHA1_80", 16, 14, 10, null=True),
    Suite("NULL_HMAC_SHA1_32", 16, 14, 4, null=True),
]


class Oracle:
    """One direction of SRTP with master keys [(key, salt, mki)], key `active`."""

    def __init__(self, suite, keys, active=0, kdr=0):
        self.s, self.keys, self.active, self.kdr = suite, keys, active, kdr

    def session(self, rtcp, index, key=None):
        mk, ms, _ = self.keys[self.active if key is None else key]
        r = index >> self.kdr if self.kdr else 0
        base = 3 if rtcp else 0
        s = self.s
        return (kdf(mk, ms, base, r, s.kl), kdf(mk, ms, base + 2, r, s.sl),
                None if s.gcm else kdf(mk, ms, base + 1, r, 20))

    def rtp(self, pkt, roc=0):
        s, mki = self.s, self.keys[self.active][2]
        seq, ssrc = struct.unpack("!H", pkt[2:4])[0], struct.unpack("!I", pkt[8:12])[0]
        hl = 12 + 4 * (pkt[0] & 0x0F)
        index = (roc << 16) | seq
        ek, es, ak = self.session(False, index)
        if s.gcm:
            iv = xor(bytes(2) + struct.pack("!IIH", ssrc, roc, seq), es)
            return pkt[:hl] + AESGCM(ek).encrypt(iv, pkt[hl:], pkt[:hl]) + mki
        if s.null:
            body = pkt[hl:]
        elif s.f8:
            body = f8(ek, es, b"\0" + pkt[1:12] + struct.pack("!I", roc), pkt[hl:])
        else:
            iv = xor(es + b"\0\0", bytes(4) + struct.pack("!I", ssrc) + index.to_bytes(6, "big") + b"\0\0")
            body = ctr(ek, iv, pkt[hl:])
        auth = pkt[:hl] + body
        return auth + mki + hmac_sha1(ak, auth + struct.pack("!I", roc))[:s.tag]

    def rtcp(self, pkt, index, tag32=False):
        """SRTCP with E = 1 (encrypted unless NULL)."""
        s, mki = self.s, self.keys[self.active][2]
        ssrc = struct.unpack("!I", pkt[4:8])[0]
        ek, es, ak = self.session(True, index)
        eidx = struct.pack("!I", index | (0 if s.null else 0x80000000))
        if s.gcm:
            iv = xor(bytes(2) + struct.pack("!IHI", ssrc, 0, index), es)
            return pkt[:8] + AESGCM(ek).encrypt(iv, pkt[8:], pkt[:8] + eidx) + eidx + mki
        if s.null:
            body = pkt[8:]
        elif s.f8:
            body = f8(ek, es, bytes(4) + eidx + pkt[:8], pkt[8:])
        else:
            iv = xor(es + b"\0\0", bytes(4) + struct.pack("!I", ssrc) + index.to_bytes(6, "big") + b"\0\0")
            body = ctr(ek, iv, pkt[8:])
        auth = pkt[:8] + body + eidx
        return auth + mki + hmac_sha1(ak, auth)[:4 if tag32 and s.tag == 4 else (10 if not s.gcm else 16)]


def vectors(name):
    v = {}
    with open(os.path.join(SRCDIR, "tests", "vectors", "srtp", name)) as f:
        for line in f:
            if "=" in line and not line.startswith("#"):
                k, x = line.split("=", 1)
                v[k.strip()] = bytes.fromhex(x.strip())
    return v


# ---- the oracle against the RFCs ---------------------------------------------
v = vectors("rfc3711.txt")
check(f8(v["b1_session_key"], v["b1_session_salt"], v["b1_iv"], v["b1_plain"]) == v["b1_cipher"],
      "oracle: RFC 3711 B.1 AES-F8")
ks = ctr(v["b2_session_key"], v["b2_iv"], bytes(16 * 3))
check(ks[:16] == v["b2_ks_0000"] and ks[32:48] == v["b2_ks_0002"], "oracle: RFC 3711 B.2 AES-CM keystream")
check(kdf(v["b3_master_key"], v["b3_master_salt"], 0, 0, 16) == v["b3_cipher_key"] and
      kdf(v["b3_master_key"], v["b3_master_salt"], 2, 0, 14) == v["b3_cipher_salt"] and
      kdf(v["b3_master_key"], v["b3_master_salt"], 1, 0, 20) == v["b3_auth_key"], "oracle: RFC 3711 B.3 derivation")
v = vectors("rfc6188.txt")
for p, kl in (("aes256", 32), ("aes192", 24)):
    check(kdf(v[p + "_master_key"], v[p + "_master_salt"], 0, 0, kl) == v[p + "_cipher_key"] and
          kdf(v[p + "_master_key"], v[p + "_master_salt"], 2, 0, 14) == v[p + "_cipher_salt"] and
          kdf(v[p + "_master_key"], v[p + "_master_salt"], 1, 0, 20) == v[p + "_auth_key"],
          f"oracle: RFC 6188 {p} derivation")
v = vectors("rfc7714.txt")
for p, s in (("gcm128", SUITES[6]), ("gcm256", SUITES[7])):
    o = Oracle(s, [(None, None, b"")])
    o.session = lambda rtcp, index, key=None, p=p: (v[p + "_session_key"], v["gcm128_session_salt"], None)
    check(o.rtp(v["gcm128_rtp_plain"]) == v[p + "_rtp_protected"], f"oracle: RFC 7714 {p} SRTP")
    check(o.rtcp(v["rtcp_plain"], 0x5D4) == v[p + "_rtcp_protected"], f"oracle: RFC 7714 {p} SRTCP")


# ---- the tool against the oracle ---------------------------------------------
def tool(*args):
    r = subprocess.run([TOOL, "srtp", *args], capture_output=True, text=True)
    return r.returncode, r.stdout.split(), r.stderr


def rtp(seq, ssrc=0x5EC0DE01, cc=0):
    return struct.pack("!BBHII", 0x80 | cc, 8, seq & 0xFFFF, seq * 160 & 0xFFFFFFFF, ssrc) + bytes(
        (seq * 7 + i) & 0xFF for i in range(4 * cc + 173))


def rtcp_pkt(n, ssrc=0x5EC0DE01):
    return struct.pack("!BBHI", 0x81, 200, 7, ssrc) + bytes((n + i) & 0xFF for i in range(24))


def declined_by_libsrtp2(s, mki, kdr):
    return (s.f8 or kdr or s.kl == 24 or (mki and s.gcm) or (mki and s.tag == 4))


for s in SUITES:
    for mki in (False, True):
        for kdr in ((0, 4) if not s.gcm else (0,)):
            keys = [(os.urandom(s.kl), os.urandom(s.sl), bytes([0, 0, 0, i + 1]) if mki else b"")
                    for i in range(2 if mki else 1)]
            params = ";".join(f"inline:{base64.b64encode(k + m).decode()}" + (f"|{i + 1}:4" if mki else "")
                              for i, (k, m, _) in enumerate(keys))
            line = f"a=crypto:1 {s.name} {params}" + (f" KDR={kdr}" if kdr else "")
            active = len(keys) - 1
            opts = ["--allow-null"] if s.null else []
            popts = opts + (["--key", str(active)] if active else [])  # protect with the last key
            what = f"{s.name}{' MKI' if mki else ''}{f' KDR={kdr}' if kdr else ''}"
            o = Oracle(s, keys, active, kdr)
            seqs = [1, 2, 15, 16, 17, 31, 32, 33]  # KDR=4: key epochs at 16 and 32
            plain = [rtp(q, cc=q % 3) for q in seqs]
            rc, out, err = tool("protect", *popts, line, *[p.hex() for p in plain])
            if ENGINE == "libsrtp2" and declined_by_libsrtp2(s, mki, kdr):
                check(rc == 1 and not out, f"{what}: declined by the libsrtp2 engine")
                continue
            want = [o.rtp(p) for p in plain]
            check(rc == 0 and [bytes.fromhex(x) for x in out] == want, f"{what}: SRTP equals the oracle's")
            rc, out, err = tool("unprotect", *opts, line, *[w.hex() for w in want])
            check(rc == 0 and [bytes.fromhex(x) for x in out] == plain, f"{what}: oracle's SRTP unprotected")
            rplain = [rtcp_pkt(i) for i in range(5)]
            rc, out, err = tool("protect", "--rtcp", *popts, line, *[p.hex() for p in rplain])
            # the first SRTCP packet of an SSRC has index 1
            want = [o.rtcp(p, i + 1) for i, p in enumerate(rplain)]
            check(rc == 0 and [bytes.fromhex(x) for x in out] == want, f"{what}: SRTCP equals the oracle's")
            rc, out, err = tool("unprotect", "--rtcp", *opts, line, *[w.hex() for w in want])
            check(rc == 0 and [bytes.fromhex(x) for x in out] == rplain, f"{what}: oracle's SRTCP unprotected")
            bad = bytearray(want[2])
            bad[12] ^= 0x40
            rc, out, err = tool("unprotect", "--rtcp", *opts, line, bytes(bad).hex())
            check(rc == 1 and not out, f"{what}: tampered SRTCP refused")

# _32 suites with the 32-bit SRTCP tag (--tag32-compat), MKI included
s = SUITES[1]
keys = [(os.urandom(16), os.urandom(14), b"\0\0\0\x07")]
line = f"a=crypto:1 {s.name} inline:{base64.b64encode(keys[0][0] + keys[0][1]).decode()}|7:4"
o = Oracle(s, keys)
rplain = [rtcp_pkt(i) for i in range(3)]
rc, out, err = tool("protect", "--rtcp", "--tag32-compat", line, *[p.hex() for p in rplain])
check(rc == 0 and [bytes.fromhex(x) for x in out] == [o.rtcp(p, i + 1, tag32=True) for i, p in enumerate(rplain)],
      "AES_CM_128_HMAC_SHA1_32 MKI --tag32-compat: SRTCP equals the oracle's")

print(f"{failures} failure(s)")
sys.exit(1 if failures else 0)
