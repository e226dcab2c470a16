#!/usr/bin/python3
"""Cross-check `phonesec srtp` (libphonesec) against python3-pylibsrtp:
protect with one, unprotect with the other, both ways, RTP and RTCP, across a
sequence-number rollover; a rollover counter given with --roc against
pylibsrtp's own rollover; tampering and replay are refused with exit 1.

Run by meson with PHONESEC_TOOL set. Exit 77 (skip) without pylibsrtp."""
import base64
import os
import struct
import subprocess
import sys

try:
    import pylibsrtp
except ImportError:
    print("python3-pylibsrtp missing: skipped")
    sys.exit(77)

TOOL = os.environ.get("PHONESEC_TOOL", "phonesec")
ENGINE = sys.argv[1] if len(sys.argv) > 1 else "native"  # meson's -Dsrtp_engine
P = pylibsrtp.Policy
SUITES = {  # name: (profile, key len, salt len)
    "AES_CM_128_HMAC_SHA1_80": (P.SRTP_PROFILE_AES128_CM_SHA1_80, 16, 14),
    "AES_CM_128_HMAC_SHA1_32": (P.SRTP_PROFILE_AES128_CM_SHA1_32, 16, 14),
    "AEAD_AES_128_GCM": (P.SRTP_PROFILE_AEAD_AES_128_GCM, 16, 12),
    "AEAD_AES_256_GCM": (P.SRTP_PROFILE_AEAD_AES_256_GCM, 32, 12),
}
failures = 0


def check(cond, what):
    global failures
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures += 1


def tool(*args):
    r = subprocess.run([TOOL, "srtp", *args], capture_output=True, text=True)
    return r.returncode, r.stdout.split(), r.stderr


def rtp(seq, ssrc=0x1234ABCD):
    return struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, seq * 160 & 0xFFFFFFFF, ssrc) + bytes(
        (seq + i) & 0xFF for i in range(160))


def rtcp(n, ssrc=0x1234ABCD):
    return struct.pack("!BBHI", 0x80, 200, 6, ssrc) + bytes([n]) * 20


for name, (profile, kl, sl) in SUITES.items():
    keysalt = os.urandom(kl + sl)
    line = f"a=crypto:1 {name} inline:{base64.b64encode(keysalt).decode()}"
    seqs = [65533, 65534, 65535, 0, 1, 2]
    plain = [rtp(s) for s in seqs]

    # ours -> pylibsrtp
    rc, out, err = tool("protect", line, *[p.hex() for p in plain])
    rx = pylibsrtp.Session(P(key=keysalt, ssrc_type=P.SSRC_ANY_INBOUND, srtp_profile=profile))
    ok = rc == 0 and len(out) == len(plain)
    if ok:
        for o, p in zip(out, plain):
            try:
                ok = ok and rx.unprotect(bytes.fromhex(o)) == p
            except pylibsrtp.Error:
                ok = False
    check(ok, f"{name}: RTP protected by phonesec, unprotected by pylibsrtp (through a rollover)")

    # pylibsrtp -> ours
    tx = pylibsrtp.Session(P(key=keysalt, ssrc_type=P.SSRC_ANY_OUTBOUND, srtp_profile=profile))
    prot = [tx.protect(p) for p in plain]
    rc, out, err = tool("unprotect", line, *[p.hex() for p in prot])
    check(rc == 0 and [bytes.fromhex(o) for o in out] == plain,
          f"{name}: RTP protected by pylibsrtp, unprotected by phonesec")

    # RTCP both ways (pylibsrtp's profiles keep the 80-bit SRTCP tag with _32: RFC 4568)
    rplain = [rtcp(i) for i in range(3)]
    rc, out, err = tool("protect", "--rtcp", line, *[p.hex() for p in rplain])
    ok = rc == 0 and len(out) == 3
    if ok:
        for o, p in zip(out, rplain):
            try:
                ok = ok and rx.unprotect_rtcp(bytes.fromhex(o)) == p
            except pylibsrtp.Error:
                ok = False
    check(ok, f"{name}: RTCP protected by phonesec, unprotected by pylibsrtp")
    rprot = [tx.protect_rtcp(p) for p in rplain]
    rc, out, err = tool("unprotect", "--rtcp", line, *[p.hex() for p in rprot])
    check(rc == 0 and [bytes.fromhex(o) for o in out] == rplain,
          f"{name}: RTCP protected by pylibsrtp, unprotected by phonesec")

    # tampering and replay
    bad = bytearray(prot[0])
    bad[20] ^= 0x01
    rc, out, err = tool("unprotect", line, bytes(bad).hex())
    check(rc == 1 and "AUTHENTICATION FAILED" in err and not out, f"{name}: tampered packet refused (exit 1)")
    rc, out, err = tool("unprotect", line, prot[1].hex(), prot[1].hex())
    check(rc == 1 and "REPLAY" in err and len(out) == 1, f"{name}: replayed packet refused (exit 1)")

# Rollover counter: pylibsrtp reaches ROC 1 by itself; phonesec gets it with --roc.
keysalt = os.urandom(30)
line = f"a=crypto:7 AES_CM_128_HMAC_SHA1_80 inline:{base64.b64encode(keysalt).decode()}"
tx = pylibsrtp.Session(P(key=keysalt, ssrc_type=P.SSRC_ANY_OUTBOUND, srtp_profile=P.SRTP_PROFILE_AES128_CM_SHA1_80))
for s in range(0, 65536 + 5):
    pkt = tx.protect(rtp(s))
rc, out, err = tool("unprotect", "--roc", "1", line, pkt.hex())
check(rc == 0 and out and bytes.fromhex(out[0]) == rtp(65536 + 4), "ROC 1 packet from pylibsrtp: --roc 1 decrypts")
rc, out, err = tool("unprotect", line, pkt.hex())
check(rc == 1 and "AUTHENTICATION FAILED" in err, "same packet with ROC 0: authentication fails")
rc, out, err = tool("protect", "--roc", "1", line, rtp(65536 + 4).hex())
check(rc == 0 and out and bytes.fromhex(out[0]) == pkt, "phonesec --roc 1 protects exactly what pylibsrtp sent")

# Usage and unusable lines
rc, out, err = tool("protect", line)
check(rc == 2, "missing packet: usage error (exit 2)")
rc, out, err = tool("protect", line, "zz")
check(rc == 2, "bad hex: usage error (exit 2)")
rc, out, err = tool("frobnicate", line, "80")
check(rc == 2, "unknown mode: usage error (exit 2)")
rc, out, err = tool("protect", "a=crypto:1 F8_128_HMAC_SHA1_80 inline:" + base64.b64encode(keysalt).decode(),
                    rtp(1).hex())
if ENGINE == "libsrtp2":
    check(rc == 1 and "F8" in err, "F8 line declined by the libsrtp2 engine (exit 1)")
else:  # the native engine runs F8 (its bytes: xcheck_oracle.py)
    check(rc == 0 and len(out) == 1 and len(bytes.fromhex(out[0])) == len(rtp(1)) + 10,
          "F8 line protected by the native engine")
rc, out, err = tool("protect", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + base64.b64encode(keysalt[:29]).decode(),
                    rtp(1).hex())
check(rc == 1 and not out, "29-byte key declined (exit 1)")

print(f"{failures} failure(s)")
sys.exit(1 if failures else 0)
