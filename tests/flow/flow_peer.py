#!/usr/bin/env python3
"""A minimal SIP-over-TLS peer for the flow interop test (OpenSSL through
Python's ssl module, independent of wolfSSL). It answers RFC 5626 CRLFCRLF
pings with a CRLF pong and every SIP request with a 200 OK (Content-Length
framing). SIGUSR1: stop answering pings on the connections open right now
(a "late pong" that never comes); new connections answer again. SIGUSR2:
close the next connection right after its TLS handshake (before reading
anything; OpenSSL has already sent its TLS 1.3 session ticket).
Usage: flow_peer.py PORT CERT KEY NAME"""
import selectors
import signal
import socket
import ssl
import sys

port, cert, key, name = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
ctx.load_cert_chain(cert, key)
ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(('127.0.0.1', port))
ls.listen(16)
ls.setblocking(False)
sel = selectors.DefaultSelector()
sel.register(ls, selectors.EVENT_READ, None)
conns = {}
mute_now = [False]
drop_next = [False]


def log(*a):
    print(f'peer {name}:', *a, file=sys.stderr, flush=True)


def on_usr1(signum, frame):
    mute_now[0] = True


def on_usr2(signum, frame):
    drop_next[0] = True


signal.signal(signal.SIGUSR1, on_usr1)
signal.signal(signal.SIGUSR2, on_usr2)
log('listening on', port)


def handle(c, st):
    while True:
        buf = st['buf']
        if buf.startswith(b'\r\n\r\n'):
            st['buf'] = buf[4:]
            if not st['mute']:
                c.sendall(b'\r\n')
            log('ping', 'ignored' if st['mute'] else 'answered')
            continue
        if buf.startswith(b'\r\n') and len(buf) >= 3 and buf[2:3] != b'\r':
            st['buf'] = buf[2:]
            continue
        end = buf.find(b'\r\n\r\n')
        if end < 0 or buf.startswith(b'\r'):
            return
        head = buf[:end].decode('latin-1')
        clen = 0
        for line in head.split('\r\n')[1:]:
            k, _, v = line.partition(':')
            if k.strip().lower() in ('content-length', 'l'):
                clen = int(v.strip())
        total = end + 4 + clen
        if len(buf) < total:
            return
        st['buf'] = buf[total:]
        first = head.split('\r\n')[0]
        log('got', first)
        if not first.startswith('SIP/2.0'):
            hdrs = [ln for ln in head.split('\r\n')[1:] if ln.split(':')[0].strip().lower() in
                    ('via', 'from', 'to', 'call-id', 'cseq')]
            body = f'peer={name}'
            resp = 'SIP/2.0 200 OK\r\n' + ''.join(h + '\r\n' for h in hdrs) + \
                f'Content-Length: {len(body)}\r\n\r\n{body}'
            c.sendall(resp.encode())


while True:
    for k, _ in sel.select(timeout=0.2):
        if k.data is None:
            try:
                raw, _ = ls.accept()
            except BlockingIOError:
                continue
            raw.setblocking(True)
            raw.settimeout(5)
            try:
                c = ctx.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError) as e:
                log('handshake failed:', e)
                raw.close()
                continue
            c.settimeout(5)
            if drop_next[0]:
                drop_next[0] = False
                log('accepted', c.version(), 'resumed' if c.session_reused else 'full', '- closed at once')
                c.close()
                continue
            st = {'buf': b'', 'mute': False}
            conns[c] = st
            sel.register(c, selectors.EVENT_READ, st)
            log('accepted', c.version(), 'resumed' if c.session_reused else 'full')
        else:
            c, st = k.fileobj, k.data
            try:
                data = c.recv(65536)
                while data and c.pending():
                    data += c.recv(c.pending())
            except (ssl.SSLError, OSError):
                data = b''
            if not data:
                sel.unregister(c)
                del conns[c]
                c.close()
                log('closed')
                continue
            st['buf'] += data
            handle(c, st)
    if mute_now[0]:
        mute_now[0] = False
        for st in conns.values():
            st['mute'] = True
        log('muted', len(conns), 'connection(s)')
