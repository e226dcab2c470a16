#!/usr/bin/env python3
"""ABI check: every exported symbol of the shared and static library carries
the phonesec_ prefix; the shared library exports exactly the functions the
public headers declare with PHONESEC_API and the version script lists; each
of them has a Doxygen comment, and int-returning ones document their returns."""
import argparse
import re
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument('--shared', required=True)
ap.add_argument('--static', required=True)
ap.add_argument('--map', required=True)
ap.add_argument('--ledger', required=True)
ap.add_argument('headers', nargs='+')
a = ap.parse_args()
errors = []


def nm(args):
    out = subprocess.run(['nm'] + args, check=True, capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] not in ('U', 'w', 'v', 'A'):
            syms.append(parts[2])
    return syms


shared_versioned = [s for s in nm(['-D', '--defined-only', a.shared]) if s.startswith('phonesec_')]
shared = set(s.split('@')[0] for s in nm(['-D', '--defined-only', a.shared]))
# Each export sits in the version node of the release the ledger says
# introduced it (doc/symbols-in-versions).
ledger = {}
for line in open(a.ledger):
    f = line.split('#', 1)[0].split()
    if f:
        ledger[f[0]] = f[1]
for s in shared_versioned:
    name, _, node = s.partition('@')
    node = node.lstrip('@')
    if name not in ledger:
        errors.append(f'{name} is exported but not in {a.ledger}')
    elif node != 'PHONESEC_' + ledger[name]:
        errors.append(f'{name} is exported in node {node or "(none)"}, the ledger says PHONESEC_{ledger[name]}')
for s in sorted(shared):
    if not s.startswith('phonesec_'):
        errors.append(f'shared library exports unprefixed symbol {s}')
for s in sorted(set(nm(['-g', '--defined-only', a.static]))):
    if not s.startswith('phonesec_'):
        errors.append(f'static library has unprefixed global symbol {s}')

mapped = set(re.findall(r'^\s+(phonesec_\w+);', open(a.map).read(), re.M))

declared = {}
decl_re = re.compile(r'PHONESEC_API\b([^;{]*?)\b(phonesec_\w+)\s*\(', re.S)
for h in a.headers:
    text = open(h).read()
    for m in decl_re.finditer(text):
        name = m.group(2)
        declared[name] = h
        before = text[:m.start()].rstrip()
        if not before.endswith('*/'):
            errors.append(f'{h}: {name} has no documentation comment')
            continue
        doc = before[before.rfind('/**'):]
        ret = m.group(1)
        if re.search(r'\bint\b', ret) and '*' not in ret and 'return' not in doc:
            errors.append(f'{h}: {name} returns int but its comment lists no return codes')

for n in sorted(set(declared) - mapped):
    errors.append(f'{n} is declared PHONESEC_API ({declared[n]}) but missing from the version script')
for n in sorted(mapped - set(declared)):
    errors.append(f'{n} is in the version script but no public header declares it')
for n in sorted(mapped - shared):
    errors.append(f'{n} is in the version script but the shared library does not export it')
for n in sorted(shared - mapped):
    errors.append(f'{n} is exported but not in the version script')

for e in errors:
    print('FAIL:', e)
print(f'{len(shared)} exported symbols, {len(declared)} declared, {len(mapped)} in the version script')
sys.exit(1 if errors else 0)
