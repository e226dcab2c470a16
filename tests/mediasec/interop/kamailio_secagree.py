#!/usr/bin/env python3
"""Interop: Kamailio as an RFC 3329 sec-agree registrar over TLS.

libphonesec (through its public API, loaded with ctypes from the shared
library) decorates every REGISTER; the messages travel over a real TLS
connection made by `openssl s_client` (server certificate verified against a
throw-away CA, host name sip.test). Kamailio answers the first REGISTER with
494 + Security-Server and accepts the second only when Security-Verify
mirrors its list (kamailio-secagree.cfg.in, the shared interop recipe with
the ports filled in). Checks:
  1. client-initiated, mandatory, TLS-only: 494 -> stored -> Security-Verify
     -> 200; re-REGISTER from a stack that copied stale Security-Verify lines
     still carries exactly one set -> 200
  2. a Security-Verify that drops the q value (Asterisk's bug) gets 494 from
     Kamailio, and our own server-side check says 494 too
  3. an INVITE (Security-Verify once, tags merged into an existing Require,
     SDES offer with a=3ge2ae:requested) is accepted and routed back to the
     registered contact over the same TLS flow, headers and body intact
  4. server-initiated + mandatory: Kamailio registers without ever sending
     Security-Server -> the library fails the registration (no downgrade)
Bounded (< 60 s) and kills everything it starts. Loopback only, free ports.
"""
import ctypes
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.environ.get('PHONESEC_BUILDDIR', '')
DEADLINE = time.monotonic() + 55
procs = []
failures = []


def check(cond, what):
    print(('ok - ' if cond else 'FAIL - ') + what, flush=True)
    if not cond:
        failures.append(what)


def skip(why):
    print('SKIP: ' + why)
    sys.exit(77)


for tool in ('kamailio', 'openssl'):
    if shutil.which(tool) is None and not os.path.exists('/usr/sbin/' + tool):
        skip(tool + ' not installed')
KAMAILIO = shutil.which('kamailio') or '/usr/sbin/kamailio'
libpath = os.path.join(BUILD, 'lib', 'libphonesec.so')
if not os.path.exists(libpath):
    print('cannot find ' + libpath)
    sys.exit(1)
lib = ctypes.CDLL(libpath)


class Config(ctypes.Structure):
    _fields_ = [('version', ctypes.c_uint), ('client_initiated', ctypes.c_int), ('tls_only', ctypes.c_int),
                ('policy', ctypes.c_int), ('client_mechanisms', ctypes.c_char_p), ('option_tags', ctypes.c_uint),
                ('header_style', ctypes.c_int)]


lib.phonesec_mediasec_config_init.argtypes = [ctypes.POINTER(Config)]
lib.phonesec_mediasec_new.argtypes = [ctypes.POINTER(Config), ctypes.POINTER(ctypes.c_void_p)]
lib.phonesec_mediasec_free.argtypes = [ctypes.c_void_p]
lib.phonesec_mediasec_reset.argtypes = [ctypes.c_void_p, ctypes.c_int]
lib.phonesec_mediasec_state.argtypes = [ctypes.c_void_p]
lib.phonesec_mediasec_prepare_request.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                                  ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
lib.phonesec_mediasec_on_response.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
lib.phonesec_mediasec_last_error.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
lib.phonesec_mediasec_server_list.argtypes = [ctypes.c_void_p]
lib.phonesec_mediasec_server_list.restype = ctypes.c_void_p
lib.phonesec_mediasec_server_check.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                               ctypes.POINTER(ctypes.c_int)]
lib.phonesec_mediasec_sdp_3ge2ae.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_int)]
lib.phonesec_mediasec_msg_replace.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_char_p,
                                              ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_size_t)]
ST_PENDING, ST_AGREED, ST_FAILED = 1, 2, 3
E_POLICY = -17


class Negotiation:
    def __init__(self, client_initiated, mandatory, tls_only):
        c = Config()
        lib.phonesec_mediasec_config_init(ctypes.byref(c))
        c.client_initiated = client_initiated
        c.policy = 1 if mandatory else 0
        c.tls_only = tls_only
        self.h = ctypes.c_void_p()
        assert lib.phonesec_mediasec_new(ctypes.byref(c), ctypes.byref(self.h)) == 0
        assert lib.phonesec_mediasec_reset(self.h, 1) == 0  # the flow is TLS

    def prepare(self, msg):
        out = ctypes.create_string_buffer(len(msg) + 4096)
        n = ctypes.c_size_t()
        rc = lib.phonesec_mediasec_prepare_request(self.h, msg, len(msg), out, len(out), ctypes.byref(n))
        if rc != 0:
            raise RuntimeError('prepare_request: %d %s' % (rc, self.error()))
        return out.raw[:n.value]

    def on_response(self, msg):
        return lib.phonesec_mediasec_on_response(self.h, msg, len(msg))

    def state(self):
        return lib.phonesec_mediasec_state(self.h)

    def error(self):
        b = ctypes.create_string_buffer(300)
        lib.phonesec_mediasec_last_error(self.h, b, 300)
        return b.value.decode()

    def free(self):
        lib.phonesec_mediasec_free(self.h)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


W = tempfile.mkdtemp(prefix='ms-kam.')
try:
    # throw-away PKI: CA + server certificate for sip.test
    pki = os.path.join(W, 'pki')
    os.mkdir(pki)
    run = lambda *a: subprocess.run(a, cwd=pki, check=True, capture_output=True, timeout=20)
    run('openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
        '-subj', '/CN=mediasec test CA', '-keyout', 'ca.key', '-out', 'ca.crt',
        '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')
    run('openssl', 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=sip.test',
        '-keyout', 'server.key', '-out', 'server.csr')
    with open(os.path.join(pki, 'ext'), 'w') as f:
        f.write('subjectAltName=DNS:sip.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n')
    run('openssl', 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
        '-days', '2', '-extfile', 'ext', '-out', 'server.crt')
    with open(os.path.join(W, 'tls.cfg'), 'w') as f:
        f.write('[server:default]\nmethod = TLSv1.2+\nverify_certificate = no\nrequire_certificate = no\n'
                'certificate = %s/server.crt\nprivate_key = %s/server.key\nca_list = %s/ca.crt\n'
                'server_name = sip.test\n\n[client:default]\nmethod = TLSv1.2+\nverify_certificate = yes\n'
                'require_certificate = yes\nca_list = %s/ca.crt\n' % (pki, pki, pki, pki))
    udp, tls = free_port(), free_port()
    cfg = open(os.path.join(HERE, 'kamailio-secagree.cfg.in')).read()
    cfg = cfg.replace('@UDPTCP@', str(udp)).replace('@TLS@', str(tls))
    with open(os.path.join(W, 'kamailio.cfg'), 'w') as f:
        f.write(cfg)
    rundir = os.path.join(W, 'run')
    os.mkdir(rundir)
    klog = open(os.path.join(W, 'kamailio.log'), 'w')
    kam = subprocess.Popen([KAMAILIO, '-f', os.path.join(W, 'kamailio.cfg'), '-DD', '-E', '-Y', rundir,
                            '-P', os.path.join(rundir, 'k.pid'), '-m', '64', '-M', '8',
                            '-A', 'TLSCFG="%s"' % os.path.join(W, 'tls.cfg'),
                            '-A', 'CTLSOCK="unix:%s"' % os.path.join(rundir, 'ctl')],
                           stdout=klog, stderr=subprocess.STDOUT, start_new_session=True)
    procs.append(kam)

    def s_client():
        p = subprocess.Popen(['openssl', 's_client', '-connect', '127.0.0.1:%d' % tls, '-CAfile',
                              os.path.join(pki, 'ca.crt'), '-verify_hostname', 'sip.test', '-verify_return_error',
                              '-servername', 'sip.test', '-quiet', '-no_ign_eof', '-nocommands'],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=open(os.path.join(W, 'sc.err'), 'a'),
                             start_new_session=True)
        procs.append(p)
        return p

    pending = {}

    def read_msg(p, timeout=5.0):
        """One SIP message from the TLS pipe (headers + Content-Length body);
        bytes of the next message read along with it are kept for later."""
        buf = pending.pop(p.pid, b'')
        end = time.monotonic() + timeout
        fd = p.stdout.fileno()
        while True:
            m = re.search(rb'\r\n\r\n', buf)
            if m:
                cl = re.search(rb'(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)', buf[:m.end()])
                need = m.end() + (int(cl.group(1)) if cl else 0)
                if len(buf) >= need:
                    pending[p.pid] = buf[need:]
                    return buf[:need]
            if time.monotonic() >= end:
                break
            r, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
            if not r:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            buf += chunk
        return buf if buf else None

    def msg(method, cseq, extra=b'', branch=None, callid=b'ms'):
        return (b'%s sip:sip.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK-%s%d;rport\r\n'
                b'Max-Forwards: 70\r\nFrom: <sip:1001@sip.test>;tag=t1\r\nTo: <sip:1001@sip.test>\r\n'
                b'Call-ID: %s%d@127.0.0.1\r\nCSeq: %d %s\r\nContact: <sip:1001@127.0.0.1:40001;transport=tls>\r\n'
                b'Expires: 600\r\n%sContent-Length: 0\r\n\r\n'
                % (method, (branch or method), cseq, callid, os.getpid(), cseq, method, extra))

    # wait for the TLS port, then for the first answered OPTIONS (Kamailio may drop the very first)
    for _ in range(200):
        if kam.poll() is not None:
            break
        try:
            socket.create_connection(('127.0.0.1', tls), 0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    check(kam.poll() is None, 'kamailio runs on TLS port %d' % tls)
    ready = False
    for i in range(20):
        p = s_client()
        p.stdin.write(msg(b'OPTIONS', 1, branch=b'probe%d' % i))
        p.stdin.flush()
        r = read_msg(p, 2.0)
        p.stdin.close()
        p.wait(5)
        if r and r.startswith(b'SIP/2.0 200'):
            ready = True
            break
    check(ready, 'OPTIONS over TLS answered 200 (certificate verified by s_client)')
    if not ready:
        raise SystemExit

    # --- 1. client-initiated, mandatory, TLS only: one persistent TLS flow
    ms = Negotiation(client_initiated=1, mandatory=1, tls_only=1)
    tlsp = s_client()
    r1 = ms.prepare(msg(b'REGISTER', 1))
    check(r1.count(b'\r\nSecurity-Client: sdes-srtp;mediasec\r\n') == 1, 'REGISTER 1 carries Security-Client once')
    check(b'\r\nRequire: sec-agree, mediasec\r\n' in r1 and b'\r\nProxy-Require: sec-agree, mediasec\r\n' in r1,
          'REGISTER 1 carries the option tags')
    tlsp.stdin.write(r1)
    tlsp.stdin.flush()
    a1 = read_msg(tlsp)
    check(a1 is not None and a1.startswith(b'SIP/2.0 494'), 'Kamailio answers 494: %r' % (a1 or b'')[:40])
    check(a1 is not None and b'\r\nSecurity-Server: tls;q=0.2\r\n' in a1, '494 carries Security-Server')
    rc = ms.on_response(a1 or b'')
    check(rc == 0 and ms.state() == ST_AGREED, 'library stored the server list (rc %d, %s)' % (rc, ms.error()))
    r2 = ms.prepare(msg(b'REGISTER', 2))
    check(r2.count(b'Security-Verify:') == 1 and b'\r\nSecurity-Verify: tls;q=0.2\r\n' in r2,
          'REGISTER 2 mirrors it in Security-Verify exactly once')
    check(b'\r\nSecurity-Client: sdes-srtp;mediasec\r\n' in r2, 'REGISTER 2 still carries Security-Client')
    tlsp.stdin.write(r2)
    tlsp.stdin.flush()
    a2 = read_msg(tlsp)
    check(a2 is not None and a2.startswith(b'SIP/2.0 200'), 'Kamailio accepts the Security-Verify: %r'
          % (a2 or b'')[:40])
    check(ms.on_response(a2 or b'') == 0 and ms.state() == ST_AGREED, 'still agreed after 200')
    # a stack that copied the old Security-Verify twice: still exactly one leaves
    stale = msg(b'REGISTER', 3, b'Security-Verify: tls;q=0.2\r\nSecurity-Verify: tls;q=0.2\r\n')
    r3 = ms.prepare(stale)
    check(r3.count(b'Security-Verify:') == 1, 're-REGISTER carries Security-Verify once (no accumulation)')
    tlsp.stdin.write(r3)
    tlsp.stdin.flush()
    a3 = read_msg(tlsp)
    check(a3 is not None and a3.startswith(b'SIP/2.0 200'), 're-REGISTER accepted: %r' % (a3 or b'')[:40])

    # --- 2. Asterisk's bug: the q value dropped from Security-Verify
    bad = ctypes.create_string_buffer(len(r3) + 100)
    n = ctypes.c_size_t()
    assert lib.phonesec_mediasec_msg_replace(r3, len(r3), b'Security-Verify', b'tls', bad, len(bad),
                                             ctypes.byref(n)) == 0
    bad = bad.raw[:n.value].replace(b'CSeq: 3 ', b'CSeq: 4 ').replace(b'REGISTER3;', b'REGISTER4;')
    tlsp.stdin.write(bad)
    tlsp.stdin.flush()
    a4 = read_msg(tlsp)
    check(a4 is not None and a4.startswith(b'SIP/2.0 494'), 'Kamailio refuses Security-Verify without q: %r'
          % (a4 or b'')[:40])
    st = ctypes.c_int(-1)
    sent = lib.phonesec_mediasec_server_list(ms.h)
    check(lib.phonesec_mediasec_server_check(sent, bad, len(bad), ctypes.byref(st)) == 0 and st.value == 494,
          'our server-side check agrees: 494')
    check(lib.phonesec_mediasec_server_check(sent, r3, len(r3), ctypes.byref(st)) == 0 and st.value == 0,
          'our server-side check accepts what Kamailio accepted')
    # --- INVITE on the same flow to the AoR just registered: Kamailio routes
    # it back to us over the same TLS connection (or answers it itself)
    sdp = (b'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n'
           b'm=audio 40002 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 '
           b'inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\na=3ge2ae:requested\r\n')
    inv = (b'INVITE sip:1001@sip.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:40001;branch=z9hG4bK-inv%d;rport\r\n'
           b'Max-Forwards: 70\r\nFrom: <sip:1001@sip.test>;tag=i1\r\nTo: <sip:1001@sip.test>\r\n'
           b'Call-ID: inv%d@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:1001@127.0.0.1:40001;transport=tls>\r\n'
           b'Require: 100rel\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s'
           % (os.getpid(), os.getpid(), len(sdp), sdp))
    ri = ms.prepare(inv)
    check(ri.count(b'Security-Verify:') == 1 and b'\r\nRequire: 100rel, sec-agree, mediasec\r\n' in ri
          and ri.endswith(sdp), 'INVITE: Security-Verify once, tags merged into the existing Require, body intact')
    tlsp.stdin.write(ri)
    tlsp.stdin.flush()
    got = read_msg(tlsp)
    check(got is not None and got.startswith(b'SIP/2.0 100'), 'Kamailio accepts the INVITE: %r' % (got or b'')[:30])
    fwd = read_msg(tlsp)
    check(fwd is not None and fwd.startswith(b'INVITE sip:1001@'), 'Kamailio routes it to the registered contact '
          'over the same TLS flow: %r' % (fwd or b'')[:30])
    fwd = fwd or b''
    body = fwd[fwd.find(b'\r\n\r\n') + 4:] if b'\r\n\r\n' in fwd else b''
    v = ctypes.c_int(0)
    check(body == sdp and lib.phonesec_mediasec_sdp_3ge2ae(body, len(body), ctypes.byref(v)) == 0 and v.value == 1,
          'the relayed offer still carries a=3ge2ae:requested, body unchanged')
    check(fwd.count(b'\r\nSecurity-Verify: tls;q=0.2\r\n') == 1, 'the relayed INVITE carries our Security-Verify')
    tlsp.stdin.close()
    tlsp.wait(5)
    ms.free()

    # --- 4. server-initiated + mandatory: a registrar that never sends Security-Server
    ms = Negotiation(client_initiated=0, mandatory=1, tls_only=1)
    tlsp = s_client()
    r1 = ms.prepare(msg(b'REGISTER', 1, branch=b'srv', callid=b'srv'))
    check(b'Security-' not in r1, 'server-initiated REGISTER carries no Security-* header')
    tlsp.stdin.write(r1)
    tlsp.stdin.flush()
    a1 = read_msg(tlsp)
    check(a1 is not None and a1.startswith(b'SIP/2.0 200'), 'Kamailio registers it: %r' % (a1 or b'')[:40])
    rc = ms.on_response(a1 or b'')
    check(rc == E_POLICY and ms.state() == ST_FAILED,
          'mandatory policy fails the registration instead of downgrading (rc %d: %s)' % (rc, ms.error()))
    tlsp.stdin.close()
    tlsp.wait(5)
    ms.free()
    check(time.monotonic() < DEADLINE, 'finished within the time bound')
finally:
    cleanup()
    if failures:
        try:
            print(open(os.path.join(W, 'kamailio.log')).read()[-3000:])
            print(open(os.path.join(W, 'sc.err')).read()[-1000:])
        except OSError:
            pass
    shutil.rmtree(W, ignore_errors=True)

print('%d failure(s)' % len(failures))
sys.exit(1 if failures else 0)
