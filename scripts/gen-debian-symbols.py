#!/usr/bin/env python3
"""Writes debian/libphonesec1.symbols from the export list (doc/symbols-in-versions)
and the library version (include/phonesec/core.h). A symbol introduced in
release X.Y needs libphonesec1 (>= X.Y.0); before 1.0.0 is released, the
current version stands in for it. usage: gen-debian-symbols.py SRCDIR [--check]"""
import os
import re
import sys

src = sys.argv[1]
check = '--check' in sys.argv[2:]
core = open(os.path.join(src, 'include/phonesec/core.h')).read()
version = re.search(r'#define PHONESEC_VERSION_STRING "([^"]+)"', core).group(1)
soname = re.search(r"phonesec_soversion = '(\d+)'", open(os.path.join(src, 'meson.build')).read()).group(1)


def vkey(v):
    return tuple(int(x) for x in re.findall(r'\d+', v))


lines = [f'libphonesec.so.{soname} libphonesec{soname} #MINVER#',
         '* Build-Depends-Package: libphonesec-dev']
nodes = set()
syms = []
for line in open(os.path.join(src, 'doc/symbols-in-versions')):
    f = line.split('#', 1)[0].split()
    if not f:
        continue
    rel = f[1] + '.0'
    minver = rel if vkey(rel) <= vkey(version) else version
    nodes.add((f[1], minver))
    syms.append(f' {f[0]}@PHONESEC_{f[1]} {minver}')
for node, minver in sorted(nodes, key=lambda n: vkey(n[0])):
    lines.append(f' PHONESEC_{node}@PHONESEC_{node} {minver}')
lines += sorted(syms)
text = '\n'.join(lines) + '\n'
path = os.path.join(src, 'debian', f'libphonesec{soname}.symbols')
if check:
    if not os.path.exists(path) or open(path).read() != text:
        sys.exit(f'{path} is out of date: run scripts/gen-debian-symbols.py {src}')
    print(f'{path}: up to date ({len(syms)} symbols)')
else:
    open(path, 'w').write(text)
