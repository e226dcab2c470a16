#!/usr/bin/env python3
"""One command-line convention for every phonesec subcommand (issue 14).

For every command and subcommand the tool reports (phonesec --list-options,
phonesec CMD --list-options): --help exits 0 with the usage on stdout only;
--version exits 0 with the library version; an unknown option, a missing
value and an extra operand exit 2 with one line naming it and "Try ... --help"
on stderr and nothing on stdout; --opt=value means the same as --opt value.
Every check runs the real tool. Env: PHONESEC_TOOL.
"""
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, done  # noqa: E402

T = os.environ["PHONESEC_TOOL"]


def run(args, stdin=b"", **kw):
    p = subprocess.run([T] + args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60, **kw)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")




def lines(args):
    rc, out, _ = run(args + ["--list-options"])
    assert rc == 0, args
    return out.split()


version = run(["version", "--json"])[1]
version = re.search(r'"version":"([^"]+)"', version).group(1)

commands = [c for c in lines([]) if not c.startswith("-")]
check(set(["version", "ciphers", "tls", "sdes", "srtp", "mediasec"]) <= set(commands), "commands listed: %s" % commands)
targets = []
for c in commands:
    subs = [s for s in lines([c]) if not s.startswith("-")]
    targets += [[c, s] for s in subs] if subs else [[c]]

for t in targets:
    name = "phonesec " + " ".join(t)
    rc, out, err = run(t + ["--help"])
    check(rc == 0 and "usage:" in out and err == "", "%s --help (rc %d, stderr %r)" % (name, rc, err[:80]))
    rc, out, err = run(t + ["--version"])
    check(rc == 0 and out.strip() == "%s %s" % (name, version) and err == "",
          "%s --version: %r" % (name, out))
    rc, out, err = run(t + ["--no-such-option"])
    check(rc == 2 and out == "" and "'--no-such-option'" in err and ("Try '%s --help'." % name) in err
          and len(err.strip().split("\n")) == 2, "%s --no-such-option (rc %d): %r" % (name, rc, err))
    rc, out, err = run(t + ["--no-such-option=3"])
    check(rc == 2 and "'--no-such-option'" in err, "%s --no-such-option=3 names the option: %r" % (name, err))
    opts = lines(t)
    valued = [o for o in opts if o.endswith("=")]
    for o in valued:
        rc, out, err = run(t + [o[:-1]])
        check(rc == 2 and out == "" and ("option '%s' needs a value" % o[:-1]) in err,
              "%s %s without a value (rc %d): %r" % (name, o[:-1], rc, err))
    # the usage names every option of the table
    rc, out, err = run(t + ["--help"])
    for o in opts:
        if o in ("--help", "--version"):
            continue
        check(o.rstrip("=") in out, "%s --help mentions %s" % (name, o.rstrip("=")))

# extra operands
for args in (["version", "extra"], ["tls", "check-name", "a", "b", "c"], ["mediasec", "client", "x"],
             ["sdes", "offer", "x"], ["ciphers", "HIGH", "LOW"]):
    if args[0] not in commands:  # -Dmodules left it out
        continue
    rc, out, err = run(args)
    check(rc == 2 and "unexpected operand" in err and "Try '" in err, "%s: extra operand (rc %d): %r" % (args, rc, err))
# unknown subcommands
for c in ("tls", "sdes", "srtp", "mediasec", "config", "sigenc"):
    if c in commands:
        rc, out, err = run([c, "nonsense"])
        check(rc == 2 and "unknown subcommand 'nonsense'" in err, "%s nonsense: %r" % (c, err))

# --opt=value is --opt value
same = [
    (["ciphers", "--preset=web", "--fallback", "--", "FOO"], ["ciphers", "--preset", "web", "--fallback", "--", "FOO"]),
    (["ciphers", "--tls13=TLS_AES_128_GCM_SHA256", "HIGH"], ["ciphers", "--tls13", "TLS_AES_128_GCM_SHA256", "HIGH"]),
    (["mediasec", "client", "--mech=sdes-srtp,msrp-tls", "--style=per-mech"],
     ["mediasec", "client", "--mech", "sdes-srtp,msrp-tls", "--style", "per-mech"]),
    # options after operands, abbreviations
    (["ciphers", "HIGH", "--avail"], ["ciphers", "--available", "HIGH"]),
]
with tempfile.TemporaryDirectory() as w:
    line = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\n"
    lf = os.path.join(w, "line")
    with open(lf, "w") as f:
        f.write(line)
    pkt = "800000010000000100000001abcdef"
    same.append((["srtp", "protect", "--line-file=" + lf, "--roc=1", pkt],
                 ["srtp", "protect", "--line-file", lf, "--roc", "1", pkt]))
    same.append((["sdes", "check", "--line-file=" + lf], ["sdes", "check", "--line-file", lf]))
    if "config" in commands:
        pw = os.path.join(w, "pw")
        with open(pw, "w") as f:
            f.write("secret\n")
        plain = os.path.join(w, "plain")
        with open(plain, "w") as f:
            f.write("config\n")
        enc = os.path.join(w, "enc")
        rc, _, err = run(["config", "encrypt", "--format=openssl", "--pbkdf2", "--iter=1000",
                          "--password-file=" + pw, plain, enc])
        check(rc == 0, "config encrypt with --opt=value: %r" % err)
        same.append((["config", "decrypt", "--format=openssl", "--pbkdf2", "--iter=1000", "--password-file=" + pw, enc, "-"],
                     ["config", "decrypt", "--format", "openssl", "--pbkdf2", "--iter", "1000", "--password-file", pw, enc, "-"]))
    for a, b in same:
        if a[0] not in commands:
            continue
        ra, rb = run(a), run(b)
        check(ra == rb and ra[0] in (0, 1) and (ra[1] or ra[2]), "%s == %s: %r vs %r" % (a, b, ra, rb))

done()
