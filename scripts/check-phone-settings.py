#!/usr/bin/env python3
"""doc/phone-settings.md names only what exists: every phonesec_* call,
PHONESEC_* constant and struct field (`type.field`) in its table is declared
in the public headers, and `_suffix()` shorthands resolve against the last
full name in the same cell. usage: check-phone-settings.py SRCDIR"""
import glob
import os
import re
import sys

src = sys.argv[1]
headers = ""
for h in glob.glob(os.path.join(src, "include", "phonesec", "*.h")) + [os.path.join(src, "include", "phonesec.h.in")]:
    headers += open(h, encoding="utf-8").read()
idents = set(re.findall(r"\b[A-Za-z_][A-Za-z0-9_]*\b", headers))
doc = open(os.path.join(src, "doc", "phone-settings.md"), encoding="utf-8").read()
rows = [l for l in doc.split("\n") if l.startswith("| ") and not l.startswith("|---")][1:]
bad = []
for row in rows:
    for cell in row.split(" | "):
        last = None
        for code in re.findall(r"`([^`]+)`", cell):
            for name in re.findall(r"\b(?:phonesec|PHONESEC)_[A-Za-z0-9_]+", code):
                base = name
                if name not in idents:
                    bad.append(name)
                last = base
            for short in re.findall(r"(?<![A-Za-z0-9])(_[a-z][a-z0-9_]*)\(\)", code):
                if last is None:
                    continue
                prefix = re.match(r"(phonesec_[a-z0-9]+_[a-z0-9]+)_", last)
                cand = [p + short for p in ([prefix.group(1)] if prefix else [])]
                if not any(c in idents for c in cand) and not any(i.endswith(short) and i.startswith("phonesec_") for i in idents):
                    bad.append(short)
            for m in re.findall(r"\b(phonesec_[a-z0-9_]+)\.([a-z_][a-z0-9_]*)", code):
                if m[1] not in idents:
                    bad.append("%s.%s" % m)
if not rows:
    bad.append("(no table rows)")
for b in bad:
    print("doc/phone-settings.md names %s, which no public header declares" % b)
print("phone-settings: %d rows, %d unknown names" % (len(rows), len(bad)))
sys.exit(1 if bad else 0)
