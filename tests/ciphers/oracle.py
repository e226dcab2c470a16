#!/usr/bin/env python3
"""Oracle test: `phonesec ciphers -V` against `openssl ciphers -stdname -V`.

Usage: oracle.py PHONESEC_TOOL [--helper ORACLE_HELPER] [--count N] [--seed S] [--fixed FILE...]
                 [--write FILE]

For every string (hand-written keyword cases, N generated ones from a fixed
seed, and the stored cases of tests/vectors/ciphers/*.txt) both tools run
twice:
  floored: `phonesec ciphers STRING` against `openssl ciphers -s STRING`
           (-s: only what the security level lets through). The library's
           floor never goes below OpenSSL's level 2, so an @SECLEVEL=0 or 1
           in the string is given to OpenSSL as @SECLEVEL=2 (same length,
           same parse).
  legacy:  `phonesec ciphers --legacy STRING` against `openssl ciphers
           STRING` (no -s), or `-s` when the string sets @SECLEVEL itself,
           which --legacy honours as OpenSSL's level n.
Both outputs are restricted to the suites the other side knows (OpenSSL 3.0
here has no 3DES/RC4/SEED suites; our table has no PSK/SRP ones), and then
must be identical line for line (code, IANA name, OpenSSL name, version, Kx,
Au, Enc, Mac, in the same order). Errors must agree too: OpenSSL's "invalid
command" is our parse error; an empty restricted list ("no cipher match",
"below the security floor", or -s listing nothing) is the same on either
side. The floor's own additions (3DES, RC4) are suites this OpenSSL does not
have: the unit tests check those.

Speed: one process per string and side was far too slow under the
sanitizers, so by default OpenSSL is asked in-process, through ctypes, with
the very calls `openssl ciphers` makes (SSL_CTX_set_ciphersuites,
SSL_CTX_set_cipher_list, SSL_get_ciphers or SSL_get1_supported_ciphers,
SSL_CIPHER_description), and the library through tests/ciphers/
oracle_helper.c (--helper), which evaluates every string in one process. A
sample of strings is still run through both CLIs (`openssl ciphers` and
`phonesec ciphers -V`), and must give the same answers, so neither shortcut
can drift from the tools.
"""
import ctypes
import ctypes.util
import concurrent.futures
import os
import random
import re
import subprocess
import sys

TOOL = sys.argv[1]
args = sys.argv[2:]


def opt(name, default):
    if name in args:
        i = args.index(name)
        v = args[i + 1]
        del args[i:i + 2]
        return v
    return default


HELPER = opt("--helper", None)
COUNT = int(opt("--count", "400"))
SEED = int(opt("--seed", "20261123"))
WRITE = opt("--write", None)
FIXED = []
while "--fixed" in args:
    FIXED.append(opt("--fixed", None))

OPENSSL = os.environ.get("OPENSSL", "openssl")


class LibSSL:
    """`openssl ciphers [-s] -stdname -ciphersuites "" -V STRING`, in-process."""

    def __init__(self):
        ssl = ctypes.CDLL(ctypes.util.find_library("ssl") or "libssl.so.3")
        crypto = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
        vp, cp = ctypes.c_void_p, ctypes.c_char_p
        for lib, name, res, args in [
                (ssl, "TLS_server_method", vp, []), (ssl, "SSL_CTX_new", vp, [vp]), (ssl, "SSL_CTX_free", None, [vp]),
                (ssl, "SSL_CTX_set_ciphersuites", ctypes.c_int, [vp, cp]),
                (ssl, "SSL_CTX_set_cipher_list", ctypes.c_int, [vp, cp]), (ssl, "SSL_new", vp, [vp]),
                (ssl, "SSL_free", None, [vp]), (ssl, "SSL_get_ciphers", vp, [vp]),
                (ssl, "SSL_get1_supported_ciphers", vp, [vp]), (ssl, "SSL_CIPHER_get_id", ctypes.c_uint32, [vp]),
                (ssl, "SSL_CIPHER_standard_name", cp, [vp]),
                (ssl, "SSL_CIPHER_description", cp, [vp, cp, ctypes.c_int]),
                (crypto, "OPENSSL_sk_num", ctypes.c_int, [vp]), (crypto, "OPENSSL_sk_value", vp, [vp, ctypes.c_int]),
                (crypto, "OPENSSL_sk_free", None, [vp]), (crypto, "ERR_get_error", ctypes.c_ulong, []),
                (crypto, "ERR_reason_error_string", cp, [ctypes.c_ulong]), (crypto, "ERR_clear_error", None, [])]:
            f = getattr(lib, name)
            f.restype = res
            f.argtypes = args
        self.ssl, self.crypto = ssl, crypto

    def ciphers(self, s, secure):
        ssl, crypto = self.ssl, self.crypto
        crypto.ERR_clear_error()
        ctx = ssl.SSL_CTX_new(ssl.TLS_server_method())
        try:
            if not ssl.SSL_CTX_set_ciphersuites(ctx, b""):
                return "ERR:ciphersuites", []
            if not ssl.SSL_CTX_set_cipher_list(ctx, s.encode()):
                reasons = []
                while True:
                    e = crypto.ERR_get_error()
                    if not e:
                        break
                    r = crypto.ERR_reason_error_string(e)
                    reasons.append(r.decode() if r else str(e))
                if "invalid command" in reasons:
                    return "PARSE", []
                if "no cipher match" in reasons:
                    return "OK", []
                return "ERR:" + " | ".join(reasons), []
            h = ssl.SSL_new(ctx)
            sk = ssl.SSL_get1_supported_ciphers(h) if secure else ssl.SSL_get_ciphers(h)
            lines = []
            buf = ctypes.create_string_buffer(256)
            for i in range(crypto.OPENSSL_sk_num(sk) if sk else 0):
                c = crypto.OPENSSL_sk_value(sk, i)
                cid = ssl.SSL_CIPHER_get_id(c)
                std = ssl.SSL_CIPHER_standard_name(c)
                desc = ssl.SSL_CIPHER_description(c, buf, 256).decode()
                lines.append("          0x%02X,0x%02X - %-45s - %s" % ((cid >> 8) & 0xFF, cid & 0xFF,
                                                                      std.decode() if std else "UNKNOWN", desc))
            if secure and sk:
                crypto.OPENSSL_sk_free(sk)
            ssl.SSL_free(h)
            return "OK", [l.rstrip("\n") for l in lines if l.strip()]
        finally:
            ssl.SSL_CTX_free(ctx)


try:
    LIBSSL = LibSSL()
except (OSError, AttributeError) as e:
    print("note: libssl not usable through ctypes (%s): asking the openssl CLI for every string" % e)
    LIBSSL = None


def openssl(s, secure=False):
    if LIBSSL is not None:
        return LIBSSL.ciphers(s, secure)
    return openssl_cli(s, secure)


def openssl_cli(s, secure=False):
    p = subprocess.run([OPENSSL, "ciphers", "-stdname", "-ciphersuites", ""] + (["-s"] if secure else []) +
                       ["-V", s], capture_output=True, text=True)
    out = p.stdout + p.stderr
    if "invalid command" in out:
        return "PARSE", []
    if "no cipher match" in out:
        return "OK", []
    if p.returncode != 0 or "Error" in out:
        return "ERR:" + out.strip().replace("\n", " | "), []
    return "OK", [l for l in p.stdout.splitlines() if l.strip()]


OURS_CACHE = {}


def ours_batch(strings):
    """Evaluate strings floored and legacy in one oracle_helper process."""
    todo = [x for x in dict.fromkeys(strings) if x not in OURS_CACHE]
    if not todo:
        return
    p = subprocess.run([HELPER], input="".join(x.encode().hex() + "\n" for x in todo), capture_output=True,
                       text=True)
    if p.returncode != 0:
        raise SystemExit("oracle_helper failed (%d): %s" % (p.returncode, p.stderr.strip()))
    out = p.stdout.split("\n")
    pos = 0
    for x in todo:
        res = {}
        while out[pos] != ".":
            tag, st = out[pos].split()
            pos += 1
            lines = []
            while out[pos] and out[pos][0] == " ":
                lines.append(out[pos])
                pos += 1
            res[tag == "L"] = ("PARSE", []) if st == "PARSE" else \
                ("OK", lines) if st in ("OK", "NO_MATCH", "POLICY") else ("ERR:" + st, [])
        pos += 1
        OURS_CACHE[x] = res


def ours(s, legacy=False):
    if HELPER is not None:
        ours_batch([s])
        return OURS_CACHE[s][legacy]
    return ours_cli(s, legacy)


def ours_cli(s, legacy=False):
    p = subprocess.run([TOOL, "ciphers", "-V"] + (["--legacy"] if legacy else []) + ["--", s],
                       capture_output=True, text=True)
    if p.returncode == 0:
        return "OK", [l for l in p.stdout.splitlines() if l.strip()]
    if "invalid cipher string" in p.stderr:
        return "PARSE", []
    if "no cipher match" in p.stderr or "below the security floor" in p.stderr:
        return "OK", []
    return "ERR:%d:%s" % (p.returncode, p.stderr.strip()), []


# An @SECLEVEL=n command as OpenSSL reads it: at the start of a term (string
# start or after a separator, or right after a leading DEFAULT), not inside a
# word skipped as unknown; never in a Suite B string, whose rest is ignored.
SECLEVEL = re.compile(r"(?:^|(?<=[:, ;])|(?<=^DEFAULT))@SECLEVEL=([0-5])(?![A-Za-z0-9.=-])")


def sets_seclevel(s):
    return not s.startswith("SUITEB") and SECLEVEL.search(s) is not None


def floor_string(s):
    """The string OpenSSL must see for the floored comparison."""
    if s.startswith("SUITEB"):
        return s
    return SECLEVEL.sub(lambda m: "@SECLEVEL=" + ("2" if m.group(1) in "01" else m.group(1)), s)


def name_of(line):
    return line.split(" - ")[2].split()[0]


def norm(lines):
    """A -V line as its fields (code, IANA name, name, version, Kx, Au, Enc, Mac)."""
    return [" ".join(l.split()) for l in lines]


def names(tool_args):
    p = subprocess.run(tool_args, capture_output=True, text=True, check=True)
    return set(p.stdout.strip().replace(":", "\n").split())


OURS_ALL = names([TOOL, "ciphers", "--legacy", "ALL:COMPLEMENTOFALL"])
OSSL_ALL = names([OPENSSL, "ciphers", "-ciphersuites", "", "ALL:COMPLEMENTOFALL"])
if LIBSSL is not None and {name_of(l) for l in LIBSSL.ciphers("ALL:COMPLEMENTOFALL", False)[1]} != OSSL_ALL:
    raise SystemExit("libssl through ctypes and the openssl CLI disagree on ALL:COMPLEMENTOFALL")

# Every keyword of the requirements list, then the rest of OpenSSL's aliases.
KEYWORDS = """DEFAULT COMPLEMENTOFDEFAULT ALL COMPLEMENTOFALL HIGH MEDIUM eNULL NULL aNULL kRSA RSA kDHE kEDH DH
DHE EDH ADH kECDHE kEECDH ECDHE EECDH ECDH AECDH aRSA aDSS DSS aECDSA ECDSA TLSv1.2 TLSv1 SSLv3 AES128 AES256 AES
AESGCM AESCCM AESCCM8 ARIA128 ARIA256 ARIA CAMELLIA128 CAMELLIA256 CAMELLIA CHACHA20 SEED MD5 SHA1 SHA SHA256
SHA384 SUITEB128 SUITEB128ONLY SUITEB192""".split()
OTHER_ALIASES = """LOW FIPS CBC ARIAGCM TLSv1.0 3DES RC4 RC2 IDEA kPSK kRSAPSK kECDHEPSK kDHEPSK PSK aPSK kSRP SRP aSRP
kGOST aGOST aGOST01 aGOST12 GOST GOST94 GOST89MAC GOST12 EDH-RSA-DES-CBC3-SHA EDH-DSS-DES-CBC3-SHA SUITEB128C2""".split()
NOISE = """FOO high Default TLSv1.1 TLSv1.3 DTLSv1 kRSA. AES-128 ECDHE-RSA TLS_AES_128_GCM_SHA256
TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 RSA-PSK-AES256-GCM-SHA384 PSK-AES128-CBC-SHA DES-CBC3-SHA RC4-SHA""".split()
SUITES = sorted(OURS_ALL | OSSL_ALL)


def handwritten():
    cases = []
    for k in KEYWORDS + OTHER_ALIASES:
        cases += [k, "ALL:!" + k, "ALL:-%s:%s" % (k, k), "ALL:+" + k, k + ":@STRENGTH", "COMPLEMENTOFALL:" + k]
    cases += ["DEFAULT:!aNULL", "DEFAULT:@STRENGTH", "DEFAULT,RSA", "DEFAULTRSA", "DEFAULT+RSA", "HIGH:DEFAULT",
              "SUITEB128:RSA", "RSA:SUITEB128", "SUITEB128ONLY:!ECDSA", "SUITEB192", "HIGH:!", "HIGH+", "HIGH:*",
              "HIGH:@SECLEVEL=2", "HIGH:@SECLEVEL=9", "HIGH:@SECLEVEL=22", "HIGH:@STRENGTHX", "@STRENGTH", "HIGH:@",
              "HIGH+FIPS", "AES128-SHA+RSA", "RSA+AES128-SHA", "kECDHE+aRSA+AESGCM", "ECDHE+aNULL", "DHE+aNULL",
              "ALL+eNULL", "kRSA+TLSv1+SHA1", "TLSv1.2+TLSv1", "AESGCM+AES256:AESGCM:@STRENGTH",
              "RSA:!aNULL:!eNULL", "HIGH:MEDIUM:AES:@STRENGTH", "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256"
              ":AES256-SHA:AES128-SHA:DES-CBC3-SHA", "HIGH;MEDIUM", "HIGH MEDIUM", "HIGH,,:: MEDIUM", "  HIGH  ",
              "ALL:-ALL:ECDHE:+AES128", "AESGCM:-ECDHE:DHE:ECDHE", "ALL:!ECDHE:ECDHE", "ALL:-AES:AES128",
              "eNULL:ALL:@STRENGTH", "ALL:COMPLEMENTOFALL:@STRENGTH", "ALL:+aNULL:+SHA1:@STRENGTH",
              "CAMELLIA:ARIA:+ARIA", "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA", "!ALL:HIGH", "-HIGH:HIGH",
              "+HIGH:HIGH", "HIGH:+HIGH:-HIGH:HIGH", "ALL:!kRSA:!DHE+SHA1", "aRSA+kDHE+AES128+SHA256", ""]
    # the floor and OpenSSL's security levels
    for lvl in range(6):
        cases += ["ALL:@SECLEVEL=%d" % lvl, "ALL:COMPLEMENTOFALL:@SECLEVEL=%d" % lvl, "aNULL:@SECLEVEL=%d" % lvl,
                  "kRSA:@SECLEVEL=%d" % lvl, "HIGH:MEDIUM:AES:@STRENGTH:@SECLEVEL=%d" % lvl]
    cases += ["aNULL", "ADH:AECDH", "eNULL", "NULL:aNULL", "HIGH:MEDIUM:AES:@STRENGTH", "ALL:+aNULL",
              "HIGH:@SECLEVEL=4:@SECLEVEL=0", "HIGH:@SECLEVEL=0:@SECLEVEL=4", "DEFAULT@SECLEVEL=3",
              "DEFAULT:@SECLEVEL=3", "SUITEB128:@SECLEVEL=0", "FOO@SECLEVEL=3:HIGH", "HIGH:@SECLEVEL=3*",
              "ECDHE-ECDSA-NULL-SHA:ADH-AES128-SHA:AES128-SHA", "aNULL:AES128-SHA:@SECLEVEL=3"]
    return cases


def generated(rng, n):
    pools = [(0.55, KEYWORDS), (0.15, OTHER_ALIASES), (0.22, SUITES), (0.08, NOISE)]

    def word():
        r = rng.random()
        for w, pool in pools:
            if r < w:
                return rng.choice(pool)
            r -= w
        return rng.choice(KEYWORDS)
    seps = [":", ":", ":", ",", " ", ";", "::", ": "]
    out = []
    for _ in range(n):
        terms = []
        for _ in range(rng.randint(1, 7)):
            r = rng.random()
            if r < 0.08:
                terms.append("@STRENGTH")
                continue
            if r < 0.10:
                terms.append("@SECLEVEL=%d" % rng.randint(0, 6))
                continue
            parts = [word() for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3))]
            pre = rng.choice(["", "", "", "!", "-", "+"])
            terms.append(pre + "+".join(parts))
        s = terms[0]
        for t in terms[1:]:
            s += rng.choice(seps) + t
        r = rng.random()
        if r < 0.12:
            s = "DEFAULT:" + s
        elif r < 0.15:
            s = rng.choice(["DEFAULT", "SUITEB128", "SUITEB192"]) + s
        elif r < 0.17:
            s += rng.choice(["*", "+", ":!", "@FOO", "&"])
        out.append(s)
    return out


# Words the library knows (as OpenSSL 1.1.1 does) but this OpenSSL 3.0 build
# does not: the legacy-provider cipher aliases and the weak suites it no longer
# compiles. They select the same (nothing OpenSSL knows), but a stray
# character right after one is an "invalid command" for us and skipped by
# OpenSSL 3.0 along with the unknown word. Such a case counts as a known
# divergence when it agrees once those words are replaced by an unknown one.
DIVERGENT = re.compile(r"(?<![\w.=-])(RC4|RC2|IDEA|SEED|DES|RC4-MD5|RC4-SHA|ECDHE-RSA-RC4-SHA|ECDHE-ECDSA-RC4-SHA|"
                       r"DES-CBC3-SHA|DHE-RSA-DES-CBC3-SHA|ECDHE-RSA-DES-CBC3-SHA|ECDHE-ECDSA-DES-CBC3-SHA|"
                       r"SEED-SHA|DHE-RSA-SEED-SHA)(?![\w.=-])")
divergences = []


def compare(s, legacy, retry=True):
    if s.startswith("-"):
        s = ":" + s  # the openssl CLI would take it for an option; ':' is a no-op separator
    if legacy:
        st_o, lines_o = openssl(s, secure=sets_seclevel(s))
    else:
        st_o, lines_o = openssl(floor_string(s), secure=True)
    st_p, lines_p = ours(s, legacy)
    ro = norm([l for l in lines_o if name_of(l) in OURS_ALL])
    rp = norm([l for l in lines_p if name_of(l) in OSSL_ALL])
    ok = st_o == st_p and ro == rp
    if not ok and retry and st_o != st_p and DIVERGENT.search(s):
        if compare(DIVERGENT.sub("ZZUNKNOWN", s), legacy, retry=False)[0]:
            divergences.append(s)
            ok = True
    return ok, s, (st_o, ro), (st_p, rp)


TLS13 = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256",
         "TLS_AES_128_CCM_SHA256", "TLS_AES_128_CCM_8_SHA256", "BOGUS", "TLS13-AES128-GCM-SHA256", " "]


def tls13_compare(lst):
    """TLS 1.3 lists: `--tls13 LIST` against `-ciphersuites LIST` (duplicates,
    which OpenSSL repeats and we list once, are removed from its answer)."""
    p = subprocess.run([OPENSSL, "ciphers", "-stdname", "-ciphersuites", lst, "-V", "AES128-SHA"],
                       capture_output=True, text=True)
    theirs = "NOMATCH" if "no cipher match" in p.stderr else \
        [l for l in p.stdout.splitlines() if "TLSv1.3" in l]
    if theirs != "NOMATCH":
        seen = []
        for l in theirs:
            if l not in seen:
                seen.append(l)
        theirs = seen
    q = subprocess.run([TOOL, "ciphers", "--tls13", lst, "-V", "AES128-SHA"], capture_output=True, text=True)
    ours_ = "NOMATCH" if q.returncode != 0 and "no cipher match" in q.stderr else \
        [l for l in q.stdout.splitlines() if "TLSv1.3" in l]
    return theirs == ours_, theirs, ours_


def main():
    rng = random.Random(SEED)
    t13_fail = 0
    t13_cases = ["TLS_AES_128_GCM_SHA256", " TLS_AES_128_GCM_SHA256 : TLS_AES_256_GCM_SHA384", "BOGUS",
                 "BOGUS:TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384",
                 "TLS_AES_128_GCM_SHA256:TLS_AES_128_GCM_SHA256"]
    for _ in range(30):
        t13_cases.append(":".join(rng.choice(TLS13) for _ in range(rng.randint(1, 5))))
    for lst in t13_cases:
        ok, theirs, ours_ = tls13_compare(lst)
        if not ok:
            t13_fail += 1
            print("TLS1.3 MISMATCH %r\n  openssl: %s\n  ours:    %s" % (lst, theirs, ours_))
    print("%d TLS 1.3 lists compared with openssl -ciphersuites; %d mismatches" % (len(t13_cases), t13_fail))
    cases = handwritten() + generated(rng, COUNT)
    failures = 0
    stored = 0
    stored_skipped = 0
    stored_cases = []
    for path in FIXED:
        cur = None
        with open(path) as f:
            for line in f:
                line = line.rstrip("\n")
                if line.startswith("> "):
                    cur = line[2:]
                    cases.append(cur)
                elif line.startswith("= ") and cur is not None and sets_seclevel(cur) and \
                        not re.search(r"@SECLEVEL=0(?![A-Za-z0-9.=-])", cur):
                    # stored answers are `openssl ciphers` without -s; --legacy honours the
                    # string's @SECLEVEL=n (n > 0), so only the live -s comparison applies
                    stored_skipped += 1
                    cur = None
                elif line.startswith("= ") and cur is not None:
                    stored_cases.append((path, cur, line[2:].split()))
                    cur = None
    if HELPER is not None:
        ours_batch([":" + c if c.startswith("-") else c for c in cases])
    for path, cur, want in stored_cases:
        # stored answer: checked without asking openssl again
        st, lines = ours(":" + cur if cur.startswith("-") else cur, legacy=True)
        got = [st] + ([name_of(l) for l in lines if name_of(l) in OSSL_ALL] or ["-"])
        if st == "PARSE":
            got = ["PARSE"]
        stored += 1
        if got != want:
            failures += 1
            print("STORED MISMATCH %s: %r\n  want %s\n  got  %s" % (path, cur, want, got))
    nonempty = {False: 0, True: 0}
    results = [(legacy,) + compare(c, legacy) for c in cases for legacy in (False, True)]
    for legacy, ok, s2, o, p in results:
        if o[1]:
            nonempty[legacy] += 1
        if not ok:
            failures += 1
            if failures <= 15:
                print("MISMATCH (%s) %r" % ("legacy, openssl ciphers" if legacy else "floored, openssl ciphers -s",
                                            s2))
                print("  openssl: %s %s" % (o[0], [name_of(l) for l in o[1]]))
                print("  ours:    %s %s" % (p[0], [name_of(l) for l in p[1]]))
    print("%d cipher strings compared with openssl (%d hand-written, %d generated with seed %d, %d from files, "
          "%d of them also against their stored answer, %d setting @SECLEVEL only live), "
          "each floored (against -s) and legacy; "
          "%d / %d non-empty; %d mismatches"
          % (len(cases), len(handwritten()), COUNT, SEED, len(cases) - len(handwritten()) - COUNT, stored,
             stored_skipped, nonempty[False], nonempty[True], failures))
    # the shortcuts against the two command-line tools, on a sample
    sample = cases[::max(1, len(cases) // 40)]
    cross = 0
    if LIBSSL is not None or HELPER is not None:
        def both(c):
            c = ":" + c if c.startswith("-") else c
            bad = 0
            for legacy in (False, True):
                if LIBSSL is not None:
                    args = (c, sets_seclevel(c)) if legacy else (floor_string(c), True)
                    a, b = LIBSSL.ciphers(*args), openssl_cli(*args)
                    if a[0] != b[0] or norm(a[1]) != norm(b[1]):
                        print("CROSS-CHECK libssl/ctypes vs openssl CLI differ on %r (legacy=%s)" % (c, legacy))
                        bad += 1
                if HELPER is not None:
                    a, b = ours(c, legacy), ours_cli(c, legacy)
                    if a[0] != b[0] or norm(a[1]) != norm(b[1]):
                        print("CROSS-CHECK oracle_helper vs phonesec ciphers differ on %r (legacy=%s)" % (c, legacy))
                        bad += 1
            return bad
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as ex:
            cross = sum(ex.map(both, sample))
        failures += cross
        print("%d strings also run through the openssl and phonesec CLIs: %d differences from the in-process "
              "answers" % (len(sample), cross))
    for d in sorted(set(divergences)):
        print("known divergence (word unknown to this OpenSSL build): %r" % d)
    if WRITE:
        with open(WRITE, "w") as f:
            f.write("# Cases for tests/ciphers/oracle.py: '> STRING', then '= STATUS SUITES' as OpenSSL 3.0.x\n"
                    "# (`openssl ciphers`) answered it, restricted to the library's table ('-': none).\n"
                    "# Written by: oracle.py TOOL --write FILE (strings from seed+1).\n")
            for s in generated(random.Random(SEED + 1), 40):
                st, lines = openssl(":" + s if s.startswith("-") else s)
                f.write("> %s\n" % s)
                if st == "PARSE":
                    f.write("= PARSE\n")
                else:
                    f.write("= %s %s\n" % (st, " ".join(name_of(l) for l in lines if name_of(l) in OURS_ALL) or "-"))
    return 1 if failures or t13_fail else 0


sys.exit(main())
