#!/usr/bin/env python3
"""Joins the per-module symbol lists (lib/<m>/<m>.sym, one name a line,
'#' comments) into the linker version script."""
import sys

out, inputs = sys.argv[1], sys.argv[2:]
names = []
for path in inputs:
    with open(path) as f:
        for line in f:
            line = line.split('#', 1)[0].strip()
            if line:
                if not line.startswith('phonesec_'):
                    sys.exit(f'{path}: symbol {line!r} lacks the phonesec_ prefix')
                names.append(line)
dups = {n for n in names if names.count(n) > 1}
if dups:
    sys.exit(f'duplicate symbols in version script: {sorted(dups)}')
with open(out, 'w') as f:
    f.write('/* Generated from the per-module .sym files: do not edit. */\nPHONESEC_0.1 {\n  global:\n')
    for n in sorted(names):
        f.write(f'    {n};\n')
    f.write('  local:\n    *;\n};\n')
