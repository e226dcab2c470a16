#!/usr/bin/env python3
"""Check the three rings of doc/architecture.md on the source tree.

  ring 1  lib/core                      no I/O, no backend headers (except the
                                        backend glue files listed below)
  ring 2  lib/<protocol module>         core + its own files + public headers +
                                        backends; another module only through
                                        its public header (pairs listed below)
  ring 3  lib/io, adapters/, tools/,    public headers only (lib/io may use the
          examples/                     internals of the modules it drives)
  public  include/                      C and system headers only, never a
                                        backend's

Also: no socket call (socket, connect, bind, listen, accept, send, recv,
getaddrinfo, ...) outside ring 3; and no module reads SIP or SDP text on its
own: cutting text into lines, a private token-character or compact-form
table, or an LWS/fold/line-end reader of its own belongs in the core text
layer (lib/core/text.c) only. Exit 0 when every rule holds, 1 with one
line per violation otherwise. usage: check-rings.py SRCDIR
"""
import os
import re
import sys

RING2 = {'tls', 'ciphers', 'sdes', 'srtp', 'mediasec', 'cfgcrypt', 'legacy_rc4', 'flow'}
# Files of ring 1 that are the backend glue (default RNG, version report).
CORE_BACKEND_GLUE = {'lib/core/platform.c', 'lib/core/version.c', 'lib/core/thread.c'}
# Ring-2 pairs allowed to share internal headers: the persistent flow is the
# tls module's state machine for long-lived connections.
RING2_INTERNAL_PAIRS = {('flow', 'tls')}
BACKEND_PREFIXES = ('wolfssl/', 'srtp2/', 'cmocka', 'nss', 'openssl/')
SOCKET_CALL = re.compile(r'(?<![\w.>])(socket|connect|bind|listen|accept|accept4|send|sendto|sendmsg|recv|recvfrom|'
                         r'recvmsg|getaddrinfo|gethostbyname|setsockopt|getsockopt|shutdown)\s*\(')
# Protocol text reading outside lib/core/text.c (rings 1 and 2, lib/io):
# splitting on line ends, the RFC 3261 token table, the compact-form table,
# private LWS / line readers.
TEXT_LAYER = 'lib/core/text.c'
TEXT_READING = [
    (re.compile(r"\b(memchr|strchr|strrchr)\s*\([^;]*'\\n'"), 'splits text into lines'),
    (re.compile(r"\[\s*'!'\s*\]\s*=\s*1"), 'has its own RFC 3261 token-character table'),
    (re.compile(r'\{\s*"Call-ID"\s*,\s*"i"\s*\}|\{\s*"Content-Length"\s*,\s*"l"\s*\}'), 'has its own compact-form table'),
    (re.compile(r'\bstatic\b[^;{]*\b(skip_lws|line_end|read_token|is_tchar|next_line)\s*\('), 'defines its own SIP/SDP text reader'),
]
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)
STRING = re.compile(r'"(?:\\.|[^"\\\n])*"')


def files(root, sub, exts=('.c', '.h', '.inc')):
    top = os.path.join(root, sub)
    for d, _, names in os.walk(top):
        for n in sorted(names):
            if n.endswith(exts):
                p = os.path.join(d, n)
                yield os.path.relpath(p, root)


def ring_of(rel):
    parts = rel.split('/')
    if parts[0] == 'include':
        return 'public', None
    if parts[0] == 'lib' and len(parts) > 2:
        if parts[1] == 'core':
            return 1, 'core'
        if parts[1] in RING2:
            return 2, parts[1]
        if parts[1] == 'io':
            return 3, 'io'
        return None, parts[1]
    if parts[0] in ('adapters', 'tools', 'examples'):
        return 3, parts[0]
    return None, None


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else '.'
    bad = []
    checked = 0
    for sub in ('include', 'lib', 'adapters', 'tools', 'examples'):
        if not os.path.isdir(os.path.join(root, sub)):
            continue
        for rel in files(root, sub):
            ring, mod = ring_of(rel)
            if ring is None:
                if rel.startswith('lib/'):
                    bad.append(f'{rel}: lib/{mod} is in no ring (add it to scripts/check-rings.py and doc/architecture.md)')
                continue
            checked += 1
            text = open(os.path.join(root, rel), encoding='utf-8', errors='replace').read()
            for kind, inc in INCLUDE.findall(text):
                first = inc.split('/')[0]
                is_backend = inc.startswith(BACKEND_PREFIXES)
                is_public = inc == 'phonesec.h' or inc.startswith('phonesec/')
                is_internal = kind == '"' and not is_public and '/' in inc and first in RING2 | {'core', 'io'}
                if ring == 'public':
                    if kind == '"' and not is_public:
                        bad.append(f'{rel}: public header includes "{inc}"')
                    if is_backend:
                        bad.append(f'{rel}: public header includes backend header <{inc}>')
                    continue
                if ring == 1:
                    if is_internal and first != 'core':
                        bad.append(f'{rel}: ring 1 includes ring-{3 if first == "io" else 2} header "{inc}"')
                    if is_backend and rel not in CORE_BACKEND_GLUE:
                        bad.append(f'{rel}: ring 1 includes backend header <{inc}> (only {sorted(CORE_BACKEND_GLUE)})')
                elif ring == 2:
                    if is_internal and first not in ('core', mod) and (mod, first) not in RING2_INTERNAL_PAIRS:
                        bad.append(f'{rel}: module {mod} includes another module\'s internal header "{inc}"')
                elif ring == 3 and mod != 'io':
                    if is_internal:
                        bad.append(f'{rel}: ring 3 ({mod}) includes library internals "{inc}"')
            if (ring in (1, 2) or mod == 'io') and rel != TEXT_LAYER:
                code = COMMENT.sub(lambda c: re.sub(r'[^\n]', ' ', c.group(0)), text)  # keeps line numbers
                hits = set()
                for rx, what in TEXT_READING:
                    for m in rx.finditer(code):
                        hits.add((code.count('\n', 0, m.start()) + 1, what))
                for line, what in sorted(hits):
                    bad.append(f'{rel}:{line}: {what}: protocol text is read by the core text layer ({TEXT_LAYER})')
            if ring in (1, 2):
                code = STRING.sub('""', COMMENT.sub(' ', text))
                for m in SOCKET_CALL.finditer(code):
                    line = code.count('\n', 0, m.start()) + 1
                    bad.append(f'{rel}:{line}: socket call {m.group(1)}() in ring {ring} (belongs in lib/io)')
    for b in bad:
        print(b)
    print(f'check-rings: {checked} files, {len(bad)} violation(s)')
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
