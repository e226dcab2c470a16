#!/usr/bin/env python3
"""Makes the linker version script from the per-module symbol lists
(lib/<m>/<m>.sym: one name a line, '#' comments) and the ledger
doc/symbols-in-versions (name, release that introduced it): a symbol
introduced in release 1.N goes into the version node PHONESEC_1.N, each node
inheriting the previous one, as glibc and libabigail-checked libraries do.
A listed symbol missing from the ledger is an error: adding to the ABI is a
decision, recorded with its release.
usage: gen-map.py OUT LEDGER SYMFILE..."""
import re
import sys


def read_ledger(path):
    ledger = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.split('#', 1)[0].split()
            if not line:
                continue
            if len(line) not in (2, 3) or not re.fullmatch(r'\d+\.\d+', line[1]):
                sys.exit(f'{path}:{n}: expected "name introduced [deprecated]"')
            if line[0] in ledger:
                sys.exit(f'{path}:{n}: {line[0]} listed twice')
            ledger[line[0]] = tuple(int(x) for x in line[1].split('.'))
    return ledger


def main():
    out, ledger_path, inputs = sys.argv[1], sys.argv[2], sys.argv[3:]
    ledger = read_ledger(ledger_path)
    names = []
    for path in inputs:
        with open(path) as f:
            for line in f:
                line = line.split('#', 1)[0].strip()
                if line:
                    if not line.startswith('phonesec_'):
                        sys.exit(f'{path}: symbol {line!r} lacks the phonesec_ prefix')
                    if line not in ledger:
                        sys.exit(f'{path}: {line} is not in {ledger_path}: add it with the release that '
                                 'introduces it')
                    names.append(line)
    dups = {n for n in names if names.count(n) > 1}
    if dups:
        sys.exit(f'duplicate symbols in version script: {sorted(dups)}')
    nodes = sorted({ledger[n] for n in names} | {(1, 0)})
    with open(out, 'w') as f:
        f.write('/* Generated from the modules .sym files and doc/symbols-in-versions: do not edit. */\n')
        prev = None
        for v in nodes:
            tag = f'PHONESEC_{v[0]}.{v[1]}'
            f.write(f'{tag} {{\n  global:\n')
            for n in sorted(x for x in names if ledger[x] == v):
                f.write(f'    {n};\n')
            if prev is None:
                f.write('  local:\n    *;\n')
            f.write('}' + (f' {prev};\n' if prev else ';\n'))
            prev = tag


main()
