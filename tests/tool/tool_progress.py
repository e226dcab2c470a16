#!/usr/bin/env python3
"""Progress of long operations on standard error only when it is a terminal
(issue 14): phonesec config encrypt/decrypt of an 8 MiB file shows a
percentage on a pseudo-terminal, and writes nothing to standard error when
it is a pipe or a file. Standard output carries no progress either way.
Env: PHONESEC_TOOL.
"""
import os
import pty
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, done  # noqa: E402

T = os.environ["PHONESEC_TOOL"]
if subprocess.run([T, "config", "--help"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode != 0:
    print("skip: the tool has no config command (-Dmodules)")
    sys.exit(77)




def run_pty_stderr(args):
    """Run with stderr on a pseudo-terminal; stdout to a pipe. (rc, stdout, what the terminal got)"""
    master, slave = pty.openpty()
    outf = tempfile.TemporaryFile()  # not a pipe: the child never waits on us
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=outf, stderr=slave)
    os.close(slave)
    got = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not chunk:
            break
        got += chunk
    rc = p.wait(timeout=120)
    outf.seek(0)
    out = outf.read()
    outf.close()
    os.close(master)
    return rc, out, got


with tempfile.TemporaryDirectory() as w:
    plain, enc, dec, pw = (os.path.join(w, x) for x in ("plain", "enc", "dec", "pw"))
    with open(plain, "wb") as f:
        f.write(os.urandom(8 * 1024 * 1024 + 123))
    with open(pw, "w") as f:
        f.write("progress test\n")
    base = ["config", "encrypt", "--format", "openssl", "--pbkdf2", "--iter", "1000", "--password-file", pw]
    rc, out, tty = run_pty_stderr([T] + base + [plain, enc])
    pcts = [int(x) for x in re.findall(rb"(\d+)%", tty)]
    check(rc == 0 and out == b"" and pcts and pcts[-1] == 100 and pcts == sorted(pcts),
          "encrypt: a rising percentage to 100 on the terminal (rc %d): %r" % (rc, tty[-120:]))
    check(b"\r" in tty, "the percentage is redrawn in place (carriage return)")
    dbase = ["config", "decrypt", "--format", "openssl", "--pbkdf2", "--iter", "1000", "--password-file", pw]
    rc, out, tty = run_pty_stderr([T] + dbase + [enc, dec])
    check(rc == 0 and re.search(rb"100%", tty) is not None, "decrypt: progress on the terminal: %r" % tty[-80:])
    check(open(dec, "rb").read() == open(plain, "rb").read(), "decrypt gives the plaintext back")
    # stderr a pipe, or a file: nothing at all
    p = subprocess.run([T] + dbase + [enc, dec], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    check(p.returncode == 0 and p.stderr == b"" and p.stdout == b"", "stderr a pipe: no progress: %r" % p.stderr[:80])
    with open(os.path.join(w, "err"), "wb") as ef:
        p = subprocess.run([T] + base + [plain, enc], stdout=subprocess.PIPE, stderr=ef, timeout=120)
    check(p.returncode == 0 and os.path.getsize(os.path.join(w, "err")) == 0, "stderr a file: no progress")
    # output to standard output: the progress would mix with a terminal's data: none
    rc, out, tty = run_pty_stderr([T] + dbase + [enc, "-"])
    check(rc == 0 and b"%" not in tty and len(out) == 8 * 1024 * 1024 + 123, "OUT '-': no progress: %r" % tty[:80])

done()
