#!/usr/bin/python3
"""RFC 8188 and psec checked against an independent implementation written
here from the specifications (RFC 8188 and doc/cfgcrypt.md) on top of
python3-cryptography and hashlib: Python encrypts / phonesec decrypts and
phonesec encrypts / Python decrypts, several record sizes, paddings and
key ids, and the three psec key derivations."""
import base64, hashlib, os, struct, subprocess, sys, tempfile

try:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    from cryptography.hazmat.primitives import hashes
except ImportError:
    print("python3-cryptography missing")
    sys.exit(77)

TOOL = os.environ["PHONESEC_TOOL"]


def hkdf(ikm, salt, info, n):
    return HKDF(hashes.SHA256(), n, salt, info).derive(ikm)


def keys(ikm, salt):
    return hkdf(ikm, salt, b"Content-Encoding: aes128gcm\0", 16), hkdf(ikm, salt, b"Content-Encoding: nonce\0", 12)


def nonce(base, seq):
    return (int.from_bytes(base, "big") ^ seq).to_bytes(12, "big")


def enc8188(ikm, data, rs, keyid=b"", pad=0, salt=None):
    salt = salt or os.urandom(16)
    cek, nb = keys(ikm, salt)
    g = AESGCM(cek)
    out = salt + struct.pack(">IB", rs, len(keyid)) + keyid
    chunk, seq, pos = rs - 17, 0, 0
    while True:
        d = data[pos:pos + chunk]
        pos += len(d)
        last = pos >= len(data)
        if last and len(d) + 1 + pad <= rs - 16:
            rec = d + b"\x02" + b"\0" * pad
        elif last:  # padding spills into more records (full ones are not last)
            p = chunk - len(d)
            rec = d + b"\x01" + b"\0" * p
            pad -= p
            out += g.encrypt(nonce(nb, seq), rec, None)
            seq += 1
            data, pos, chunk = b"", 0, rs - 17
            continue
        else:
            rec = d + b"\x01"
        out += g.encrypt(nonce(nb, seq), rec, None)
        seq += 1
        if last:
            return out


def dec8188(ikm_or_fn, blob):
    salt, rs, idlen = blob[:16], *struct.unpack(">IB", blob[16:21])
    keyid = blob[21:21 + idlen]
    ikm = ikm_or_fn(keyid) if callable(ikm_or_fn) else ikm_or_fn
    cek, nb = keys(ikm, salt)
    g = AESGCM(cek)
    body, out, seq = blob[21 + idlen:], b"", 0
    while body:
        rec, body = body[:rs], body[rs:]
        p = g.decrypt(nonce(nb, seq), rec, None).rstrip(b"\0")
        assert p[-1:] == (b"\x02" if not body else b"\x01"), "bad delimiter"
        out += p[:-1]
        seq += 1
    return out


def psec_ikm(password, raw_key):
    def fn(kid):
        assert kid[:4] == b"PSEC" and kid[4] == 1 and len(kid) == 26
        kdf, params, ksalt = kid[5], kid[6:10], kid[10:26]
        if kdf == 0:
            return hkdf(raw_key, ksalt, b"psec raw", 32)
        if kdf == 1:
            return hashlib.pbkdf2_hmac("sha256", password, ksalt, int.from_bytes(params, "big"), 32)
        if kdf == 2:
            n, r, p = 1 << params[0], params[1], params[2]
            return hashlib.scrypt(password, salt=ksalt, n=n, r=r, p=p, maxmem=300 * 1024 * 1024, dklen=32)
        raise ValueError("kdf")
    return fn


def tool(*args, env=None):
    r = subprocess.run([TOOL, "config", *args], capture_output=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.decode())


checks = 0
with tempfile.TemporaryDirectory() as t:
    j = lambda n: os.path.join(t, n)
    for size, rs, pad, kid in [(0, 18, 0, b""), (1, 4096, 0, b"a1"), (1000, 18, 5, b"k"), (5000, 100, 300, b""),
                               (70000, 4096, 40, b"x" * 255), (65536, 65536, 0, b"")]:
        data = os.urandom(size)
        ikm = os.urandom(16)
        open(j("ikm"), "w").write(base64.urlsafe_b64encode(ikm).decode().rstrip("="))
        open(j("py.enc"), "wb").write(enc8188(ikm, data, rs, kid, pad))
        tool("decrypt", "--format", "rfc8188", "--ikm-file", j("ikm"), j("py.enc"), j("out"))
        assert open(j("out"), "rb").read() == data, "phonesec decrypt of python rfc8188"
        os.unlink(j("out"))
        open(j("in"), "wb").write(data)
        args = ["--record-size", str(rs), "--pad", str(pad)] + (["--key-id", kid.decode()] if kid else [])
        tool("encrypt", "--format", "rfc8188", "--ikm-file", j("ikm"), *args, j("in"), j("ps.enc"))
        blob = open(j("ps.enc"), "rb").read()
        assert blob[16:21] == struct.pack(">IB", rs, len(kid)) and blob[21:21 + len(kid)] == kid
        assert dec8188(ikm, blob) == data, "python decrypt of phonesec rfc8188"
        os.unlink(j("ps.enc"))
        checks += 2
    # psec: the three key derivations, python decrypts phonesec's files
    data = os.urandom(9000)
    open(j("in"), "wb").write(data)
    open(j("pw"), "wb").write(b"correct horse battery staple\n")
    env = dict(os.environ, PSEC_PW="from the environment")
    for args, pw, raw in [(["--password-file", j("pw")], b"correct horse battery staple", None),
                          (["--password-file", j("pw"), "--iter", "1000"], b"correct horse battery staple", None),
                          (["--password-env", "PSEC_PW", "--scrypt"], b"from the environment", None),
                          (["--ikm-file", j("ikm")], None, ikm)]:
        tool("encrypt", "--format", "psec", *args, "--record-size", "1000", j("in"), j("ps.enc"), env=env)
        blob = open(j("ps.enc"), "rb").read()
        assert dec8188(psec_ikm(pw, raw), blob) == data, "python decrypt of psec " + " ".join(args)
        # and a python-made psec file decrypts in phonesec (PBKDF2, 1000 iterations)
        os.unlink(j("ps.enc"))
        checks += 1
    ksalt = os.urandom(16)
    kid = b"PSEC\x01\x01" + (1000).to_bytes(4, "big") + ksalt
    blob = enc8188(psec_ikm(b"correct horse battery staple", None)(kid), data, 333, kid, 7)
    open(j("py.psec"), "wb").write(blob)
    tool("decrypt", "--format", "psec", "--password-file", j("pw"), j("py.psec"), j("out"))
    assert open(j("out"), "rb").read() == data
    checks += 1
print(f"{checks} independent checks passed")
