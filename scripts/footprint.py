#!/usr/bin/env python3
"""Footprint report, size part (issue 16): code + data per module of a built
libphonesec (sum of its object files' text and data), the stripped library in
total, the smallest useful set (core, ciphers, tls, io socket layer, sdes,
srtp), and the stripped libsrtp2 and libwolfssl it links, side by side.

usage: footprint.py BUILDDIR LIBPHONESEC.SO [--tools PREFIX] [--sysroot DIR]
                    [--baseline FILE] [--write-baseline]
  --tools PREFIX     cross binutils prefix, e.g. arm-linux-gnueabihf-
  --sysroot DIR      where the target's libsrtp2/libwolfssl live (cross builds)
  --baseline FILE    the figures of the previous release (JSON, one entry per
                     target machine; default doc/footprint-baseline.json):
                     each figure is printed with its ratio to it
  --write-baseline   record this build's figures in FILE for its machine
                     (done once per release, by hand)
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

MINIMAL = ['core', 'ciphers', 'tls', 'io', 'sdes', 'srtp']


def tool(prefix, name):
    t = prefix + name
    if shutil.which(t) is None:
        sys.exit(f'footprint: {t} not found')
    return t


def text_data(size_tool, obj):
    out = subprocess.run([size_tool, '--format=berkeley', obj], capture_output=True, text=True, check=True).stdout
    line = out.strip().splitlines()[-1].split()
    return int(line[0]), int(line[1])


def stripped(strip_tool, path):
    with tempfile.TemporaryDirectory() as d:
        cp = os.path.join(d, 'lib.so')
        shutil.copy(os.path.realpath(path), cp)
        subprocess.run([strip_tool, '--strip-unneeded', cp], check=True)
        return os.path.getsize(cp)


def linked_lib(lib, pattern, sysroot):
    """Path of a library libphonesec links (from its DT_NEEDED + the usual dirs)."""
    out = subprocess.run(['readelf', '-d', lib], capture_output=True, text=True).stdout
    names = re.findall(r'Shared library: \[(' + pattern + r'[^\]]*)\]', out)
    if not names:
        return None
    for d in glob.glob(os.path.join(sysroot or '/', 'usr/lib/*')) + [os.path.join(sysroot or '/', 'usr/lib')]:
        p = os.path.join(d, names[0])
        if os.path.exists(p):
            return p
    return None


def main():
    args = sys.argv[1:]
    prefix, sysroot = '', None
    if '--tools' in args:
        i = args.index('--tools'); prefix = args[i + 1]; del args[i:i + 2]
    if '--sysroot' in args:
        i = args.index('--sysroot'); sysroot = args[i + 1]; del args[i:i + 2]
    baseline = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'doc', 'footprint-baseline.json')
    if '--baseline' in args:
        i = args.index('--baseline'); baseline = args[i + 1]; del args[i:i + 2]
    write = '--write-baseline' in args
    if write:
        args.remove('--write-baseline')
    build, lib = args[0], args[1]
    size_tool, strip_tool = tool(prefix, 'size'), tool(prefix, 'strip')
    objdir = glob.glob(os.path.join(build, 'lib', 'libphonesec.so*.p'))
    if not objdir:
        sys.exit('footprint: no object directory under ' + build + '/lib')
    per = {}
    for o in sorted(glob.glob(os.path.join(objdir[0], '*.o'))):
        mod = os.path.basename(o).split('_')[0]
        if os.path.basename(o).startswith('legacy_rc4'):
            mod = 'legacy_rc4'
        t, d = text_data(size_tool, o)
        per[mod] = per.get(mod, 0) + t + d
    total = stripped(strip_tool, lib)
    arch = subprocess.run(['readelf', '-h', lib], capture_output=True, text=True).stdout
    machine = re.search(r'Machine:\s+(.*)', arch).group(1).strip()
    try:
        with open(baseline) as f:
            base_all = json.load(f)
    except (OSError, ValueError):
        base_all = {}
    base = base_all.get(machine, {})
    release = base.get('release', 'previous release')

    def vs(key, n):
        b = base.get(key)
        return f'  ({n / b:.2f} x {release})' if b else ''

    print(f'footprint, size ({machine}): code + data per module (object files), stripped libraries')
    for m, n in sorted(per.items(), key=lambda kv: -kv[1]):
        print(f'  {m:<11} {n:>9} bytes{"  (minimal set)" if m in MINIMAL else "":<15}{vs(m, n)}')
    minimal = sum(n for m, n in per.items() if m in MINIMAL)
    print(f'  {"all":<11} {sum(per.values()):>9} bytes of code + data in {len(per)} modules{vs("all", sum(per.values()))}')
    print(f'  minimal set ({"+".join(MINIMAL)}): {minimal} bytes of code + data{vs("minimal", minimal)}')
    print(f'  libphonesec.so stripped: {total} bytes{vs("stripped", total)}')
    for name, pat in (('libsrtp2', 'libsrtp2'), ('libwolfssl', 'libwolfssl')):
        p = linked_lib(lib, pat, sysroot)
        if p:
            n = stripped(strip_tool, p)
            print(f'  {name}.so stripped: {n} bytes (libphonesec/{name}: {total / n:.2f})')
    if not base:
        print(f'  (no figures of a previous release for {machine} in {baseline})')
    if write:
        rec = dict(per)
        rec.update({'all': sum(per.values()), 'minimal': minimal, 'stripped': total,
                    'release': subprocess.run(['sh', os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                  'version.sh')],
                                              capture_output=True, text=True).stdout.strip()})
        base_all[machine] = rec
        with open(baseline, 'w') as f:
            json.dump(base_all, f, indent=1, sort_keys=True)
            f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
