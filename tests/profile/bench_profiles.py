#!/usr/bin/env python3
"""Both wolfSSL profiles side by side, in one run (issue 13, doc/backends.md).

Debian's generic wolfSSL and the phone profile (scripts/wolfssl-profile.sh)
each drive a build of libphonesec; this runs the same benchmarks against
both, alternating, and prints the numbers next to each other with the
anchors measured in the same run:

  handshakes/s        tests/tls/bench_tls (anchor: a bare wolfSSL pair of
                      the same build)
  resumed/s           tests/tls/bench_tls (TLS 1.3 tickets)
  SRTP ns per packet  tests/srtp/bench_srtp (anchor: bare libsrtp2 on NSS,
                      the same library in both columns)
  config MB/s         tests/cfgcrypt/bench.sh (anchor: openssl enc, the same
                      in both columns)
  sizes               stripped libwolfssl.so and libphonesec.so

The build this benchmark runs in is one column; the other is the build in
PHONESEC_BENCH_OTHER_BUILDDIR or, when that is unset, one made here under
<builddir>/bench-other (the profile's wolfSSL prefix is reused from
build/wolfssl-profile, built once when missing). Exit 77 when the other
build cannot be made (e.g. no deb-src access for the profile).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get('PHONESEC_SRCDIR') or os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BUILD = os.environ.get('PHONESEC_BUILDDIR') or os.getcwd()
ROUNDS = int(os.environ.get('PHONESEC_BENCH_ROUNDS', '3'))
CFG_MB = os.environ.get('PHONESEC_BENCH_CFG_MB', '64')  # smaller files hit /usr/bin/time's 10 ms steps


def clean_env(extra=None):
    env = dict(os.environ)
    # A build carries its wolfSSL in its RUNPATH; LD_LIBRARY_PATH would
    # override that for the Debian column.
    for k in ('LD_LIBRARY_PATH', 'PKG_CONFIG_PATH', 'MESON_TEST_ITERATION'):
        env.pop(k, None)
    if extra:
        env.update(extra)
    return env


def sh(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


def wolfssl_of(build):
    """(kind, libwolfssl path, verbose report) of a build, from what it loads."""
    tool = os.path.join(build, 'tools', 'phonesec')
    r = sh(['ldd', tool], env=clean_env())
    m = re.search(r'libwolfssl\.so[.\d]* => (\S+)', r.stdout)
    lib = os.path.realpath(m.group(1)) if m else '?'
    v = sh([tool, 'version', '--verbose'], env=clean_env()).stdout
    # Debian's is the one from the system's library directory; anything
    # else (build/wolfssl-profile, a vendor's prefix) is the profile column
    kind = 'debian' if lib.startswith(('/usr/lib/', '/lib/')) else 'profile'
    return kind, lib, v


def make_other(kind_wanted):
    other = os.environ.get('PHONESEC_BENCH_OTHER_BUILDDIR')
    if other:
        return other
    other = os.path.join(BUILD, 'bench-other')
    env = clean_env()
    args = ['meson', 'setup', other, '--buildtype=debugoptimized', '-Dbenchmarks=true']
    if kind_wanted == 'profile':
        r = sh(['sh', os.path.join(SRC, 'scripts', 'wolfssl-profile.sh')])
        prefix = r.stdout.strip().splitlines()[-1] if r.returncode == 0 and r.stdout.strip() else ''
        if not prefix or not os.path.exists(os.path.join(prefix, 'lib', 'pkgconfig', 'wolfssl.pc')):
            print(r.stdout)
            print('SKIP: the phone profile could not be built (scripts/wolfssl-profile.sh)')
            sys.exit(77)
        env['PKG_CONFIG_PATH'] = os.path.join(prefix, 'lib', 'pkgconfig')
        args.append('-Dc_link_args=-Wl,-rpath,' + os.path.join(prefix, 'lib'))
    if not os.path.exists(os.path.join(other, 'build.ninja')):
        r = sh(args, cwd=SRC, env=env)
        if r.returncode != 0:
            print(r.stdout[-3000:])
            print('SKIP: cannot configure the other build')
            sys.exit(77)
    r = sh(['nice', 'ninja', '-C', other, '-j2', 'tools/phonesec', 'tests/tls/bench_tls', 'tests/srtp/bench_srtp'],
           env=env)
    if r.returncode != 0:
        print(r.stdout[-3000:])
        print('SKIP: cannot build the other build')
        sys.exit(77)
    return other


def run_bench(build, exe):
    env = clean_env({'PHONESEC_SRCDIR': SRC, 'PHONESEC_BUILDDIR': build,
                     'PHONESEC_TOOL': os.path.join(build, 'tools', 'phonesec')})
    r = sh(['nice', '-n', '5', os.path.join(build, exe)], env=env, cwd=build)
    if r.returncode != 0:
        print(r.stdout)
        sys.exit(f'{exe} failed in {build}')
    return r.stdout


def parse_tls(out):
    f = lambda pat: float(re.search(pat, out).group(1))
    return {'hs': f(r'libphonesec pair:\s+([\d.]+) /s \(best'),
            'hs_bare': f(r'bare wolfSSL pair:\s+([\d.]+) /s \(best'),
            'res': f(r'resumed handshakes/s[^:]*:\s+([\d.]+) /s')}


def parse_srtp(out):
    d = {}
    for m in re.finditer(r'^(AES_CM_128_HMAC_SHA1_80|AEAD_AES_128_GCM)\s+(protect|unprotect)\s+median ns/pkt:\s+'
                         r'libphonesec (\d+)\s+bare libsrtp2 (\d+)', out, re.M):
        d[(m.group(1), m.group(2))] = (float(m.group(3)), float(m.group(4)))
    return d


def run_cfg(build):
    env = clean_env({'PHONESEC_TOOL': os.path.join(build, 'tools', 'phonesec'), 'CFG_BENCH_MB': CFG_MB})
    r = sh(['nice', '-n', '5', 'sh', os.path.join(SRC, 'tests', 'cfgcrypt', 'bench.sh')], env=env)
    d = {}
    for line in r.stdout.splitlines():
        m = re.match(r'^(.{34}) +([\d.]+) +([\d.]+|-) ', line)
        if m:
            d[m.group(1).strip()] = (float(m.group(2)), None if m.group(3) == '-' else float(m.group(3)))
    return d


def stripped(path):
    if not os.path.exists(path):
        return 0
    with tempfile.TemporaryDirectory() as t:
        p = os.path.join(t, 'x.so')
        shutil.copy(path, p)
        sh(['strip', p])
        return os.path.getsize(p)


def best(a, b, key, lower_is_better=False):
    return min(a[key], b[key]) if lower_is_better else max(a[key], b[key])


def main():
    kind, lib, rep = wolfssl_of(BUILD)
    other = make_other('debian' if kind == 'profile' else 'profile')
    okind, olib, orep = wolfssl_of(other)
    if okind == kind:
        print(f'SKIP: both builds use the same kind of wolfSSL ({kind}): {BUILD}, {other}')
        return 77
    builds = {kind: BUILD, okind: other}
    libs = {kind: lib, okind: olib}
    reps = {kind: rep, okind: orep}
    for k in ('debian', 'profile'):
        asm = re.search(r'^assembly: (.*)$', reps[k], re.M)
        dflt = re.search(r'^DEFAULT suites.*: (\d+ of \d+)', reps[k], re.M)
        print(f'{k:8s} build {builds[k]}\n         wolfSSL {libs[k]}; assembly: {asm.group(1) if asm else "?"}; '
              f'DEFAULT suites {dflt.group(1) if dflt else "?"}')

    # alternate the columns, keep each one's best round (less noise from the
    # other agents sharing the machine)
    tls = {'debian': [], 'profile': []}
    srtp = {'debian': [], 'profile': []}
    for _ in range(ROUNDS):
        for k in ('debian', 'profile'):
            tls[k].append(parse_tls(run_bench(builds[k], 'tests/tls/bench_tls')))
            srtp[k].append(parse_srtp(run_bench(builds[k], 'tests/srtp/bench_srtp')))
    cfg = {k: run_cfg(builds[k]) for k in ('debian', 'profile')}

    T = {k: {m: max(r[m] for r in tls[k]) for m in ('hs', 'hs_bare', 'res')} for k in tls}
    S = {k: {key: (min(r[key][0] for r in srtp[k]), min(r[key][1] for r in srtp[k])) for key in srtp[k][0]}
         for k in srtp}

    print()
    print(f'{"metric (best of %d rounds each)" % ROUNDS:50s} {"Debian":>10s} {"profile":>10s} {"prof/Deb":>9s}   '
          'anchor (same run)')
    def row(name, d, p, anchor, better_high=True):
        ratio = p / d if better_high else d / p
        print(f'{name:50s} {d:10.1f} {p:10.1f} {ratio:8.2f}x   {anchor}')
    row('full handshakes/s (TLS 1.3, ECDSA P-256)', T['debian']['hs'], T['profile']['hs'],
        f'bare wolfSSL pair: Debian {T["debian"]["hs_bare"]:.1f}, profile {T["profile"]["hs_bare"]:.1f}; '
        f'libphonesec/bare {T["debian"]["hs"] / T["debian"]["hs_bare"]:.3f} / '
        f'{T["profile"]["hs"] / T["profile"]["hs_bare"]:.3f}')
    row('resumed handshakes/s (TLS 1.3 ticket)', T['debian']['res'], T['profile']['res'],
        f'full handshakes of the same build: x{T["debian"]["res"] / T["debian"]["hs"]:.2f} / '
        f'x{T["profile"]["res"] / T["profile"]["hs"]:.2f}')
    for key in sorted(S['debian']):
        (dn, da), (pn, pa) = S['debian'][key], S['profile'][key]
        row(f'SRTP {key[0]} {key[1]} ns/pkt', dn, pn,
            f'bare libsrtp2 (NSS) {da:.0f} / {pa:.0f} ns: ours/anchor {dn / da:.3f} / {pn / pa:.3f}',
            better_high=False)
    for label in cfg['debian']:
        if label not in cfg['profile']:
            continue
        (dv, do), (pv, po) = cfg['debian'][label], cfg['profile'][label]
        anchor = f'openssl enc {do:.1f} / {po:.1f} MB/s: ours/openssl {dv / do:.2f} / {pv / po:.2f}' if do else '-'
        row(f'config {label} MB/s', dv, pv, anchor)
    print(f'(config: {CFG_MB} MB file; SRTP: 160-byte payloads)')
    print('the ratio column: profile over Debian for rates, Debian over profile for times (above 1 = the profile is '
          'faster)')
    for k in ('debian', 'profile'):
        print(f'{k:8s} stripped libwolfssl.so {stripped(libs[k]):>9d} bytes, libphonesec.so '
              f'{stripped(os.path.join(builds[k], "lib", "libphonesec.so")):>8d} bytes')
    return 0


if __name__ == '__main__':
    sys.exit(main())
