#!/usr/bin/env python3
"""phonesec(1) against the tool's option tables (issue 14).

For every command and subcommand (phonesec --list-options, phonesec CMD
--list-options), its paragraph under COMMANDS in tools/phonesec.1 names
every long option of its getopt_long table, and names no option the table
does not have. The page renders without a warning (man --warnings -l, and
groff -ww -z when man is absent). Env: PHONESEC_TOOL, PHONESEC_SRCDIR.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, done, passed  # noqa: E402

T = os.environ["PHONESEC_TOOL"]
PAGE = os.path.join(os.environ["PHONESEC_SRCDIR"], "tools", "phonesec.1")




def listed(args):
    p = subprocess.run([T] + args + ["--list-options"], stdout=subprocess.PIPE, check=True, timeout=30)
    return p.stdout.decode().split()


# ---- rendering
env = dict(os.environ, MANWIDTH="80", LC_ALL="C.UTF-8")
if shutil.which("man"):
    p = subprocess.run(["man", "--warnings", "-l", PAGE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                       timeout=60)
    check(p.returncode == 0 and p.stderr == b"", "man --warnings -l: rc %d, %s" % (p.returncode, p.stderr.decode()[:500]))
elif shutil.which("groff"):
    p = subprocess.run(["groff", "-ww", "-man", "-z", PAGE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    check(p.returncode == 0 and p.stderr == b"", "groff -ww: %s" % p.stderr.decode()[:500])
else:
    print("note: neither man nor groff: rendering not checked")

# ---- the COMMANDS section, cut into paragraphs at .TP
text = open(PAGE, encoding="utf-8").read()
m = re.search(r"^\.SH COMMANDS\n(.*?)^\.SH ", text, re.S | re.M)
check(m is not None, "a COMMANDS section")
paras = re.split(r"^\.TP\n", m.group(1), flags=re.M)[1:]


def paragraph(cmd, sub):
    """The paragraph whose head line (.B cmd sub...) names cmd and sub."""
    for p in paras:
        head = p.split("\n", 1)[0].replace("\\-", "-").replace("\\fR", "").replace("\\fB", "").replace("\\fI", "")
        words = re.split(r"[ |]+", head)
        if len(words) >= 2 and words[0] == ".B" and words[1] == cmd and (sub is None or sub in words[2:4]):
            return p
    return None


opt_re = re.compile(r"\\-\\-([a-z0-9]+(?:\\-[a-z0-9]+)*)")
commands = [c for c in listed([]) if not c.startswith("-")]
for c in commands:
    subs = [s for s in listed([c]) if not s.startswith("-")] or [None]
    for s in subs:
        t = [c] + ([s] if s else [])
        name = "phonesec " + " ".join(t)
        p = paragraph(c, s)
        check(p is not None, "%s has a paragraph in phonesec(1)" % name)
        if p is None:
            continue
        table = {o.rstrip("=")[2:] for o in listed(t) if o.startswith("--")} - {"help", "version", "list-options"}
        in_page = {w.replace("\\-", "-") for w in opt_re.findall(p)}
        for o in sorted(table - in_page):
            check(False, "%s: --%s is not in its phonesec(1) paragraph" % (name, o))
        for o in sorted(in_page - table):
            check(False, "%s: phonesec(1) names --%s, which it does not take" % (name, o))
        passed()

# the conventions and JSON OUTPUT sections exist
check(".SS Command-line conventions" in text, "a 'Command-line conventions' subsection")
check(".SH JSON OUTPUT" in text, "a JSON OUTPUT section")
done()
