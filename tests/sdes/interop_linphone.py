#!/usr/bin/python3
"""SDES interop with linphonec (Debian 12 linphone-cli 5.1.65), loopback only.

Runs itself inside `unshare --net` (only lo: linphone's SDP then says
127.0.0.1). 1. linphone offers, libphonesec answers (tests/sdes/sdes_driver);
2. libphonesec offers, linphone answers and libphonesec validates the answer.
Each time SRTP must decrypt both ways with the parameters libphonesec
negotiated (pylibsrtp as SRTP engine; linphone's ortp statistics count the
packets that passed srtp_unprotect). Bounded (~30 s); skips (77) without
linphonec, pylibsrtp or the right to create a network namespace.
"""
import base64, math, os, random, re, select, shutil, socket, struct, subprocess, sys, tempfile, time, wave

if os.environ.get("IN_NETNS") != "1":
    if shutil.which("linphonec") is None or shutil.which("unshare") is None:
        print("SKIP: linphonec or unshare missing"); sys.exit(77)
    r = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    if r.returncode != 0:
        print("SKIP: cannot create a network namespace"); sys.exit(77)
    os.execvp("unshare", ["unshare", "--net", "env", "IN_NETNS=1", sys.executable] + sys.argv)
subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
try:
    import pylibsrtp
except ImportError:
    print("SKIP: python3-pylibsrtp missing"); sys.exit(77)

HOST = "127.0.0.1"
HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = sys.argv[1]
P = pylibsrtp.Policy
PROFILES = {"AES_CM_128_HMAC_SHA1_80": P.SRTP_PROFILE_AES128_CM_SHA1_80,
            "AES_CM_128_HMAC_SHA1_32": P.SRTP_PROFILE_AES128_CM_SHA1_32,
            "AEAD_AES_128_GCM": P.SRTP_PROFILE_AEAD_AES_128_GCM,
            "AEAD_AES_256_GCM": P.SRTP_PROFILE_AEAD_AES_256_GCM}
SUITES = "AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32,AEAD_AES_128_GCM,AEAD_AES_256_GCM"
W = tempfile.mkdtemp(prefix="sdes-lp.")
PROCS, FAIL = [], []
SIP_PORT, RTP_PORT, LP_PORT = 5090, 11000, 5084


def log(*a):
    print(*a, flush=True)


def check(what, ok):
    log(("PASS: " if ok else "FAIL: ") + what)
    if not ok:
        FAIL.append(what)


def parse_sip(data):
    head, _, body = data.decode(errors="replace").partition("\r\n\r\n")
    lines = head.split("\r\n")
    hdrs = {}
    for l in lines[1:]:
        k, _, v = l.partition(":")
        hdrs.setdefault(k.strip().lower(), []).append(v.strip())
    return lines[0], hdrs, body


def h(hdrs, name):
    return hdrs.get(name, [""])[0]


def response(code, reason, hdrs, to, body=""):
    r = ["SIP/2.0 %d %s" % (code, reason)] + ["Via: " + v for v in hdrs["via"]] + [
        "From: " + h(hdrs, "from"), "To: " + to, "Call-ID: " + h(hdrs, "call-id"), "CSeq: " + h(hdrs, "cseq"),
        "Contact: <sip:peer@%s:%d>" % (HOST, SIP_PORT)]
    if body:
        r.append("Content-Type: application/sdp")
    r.append("Content-Length: %d" % len(body.encode()))
    return ("\r\n".join(r) + "\r\n\r\n" + body).encode()


def local_sdp():
    return ("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\na=ptime:20\r\n"
            % (random.randint(1, 1 << 30), HOST, HOST, RTP_PORT))


def offered_lines(sdp):
    return {int(m.group(1)): (m.group(2), base64.b64decode(m.group(3) + "=" * (-len(m.group(3)) % 4)))
            for m in re.finditer(r"^a=crypto:(\d+) (\S+) inline:([A-Za-z0-9+/=]+)", sdp, re.M)}


def srtp_both_ways(rtp, remote, suite, tx_key, rx_key, seconds=3.0):
    tx = pylibsrtp.Session(P(key=tx_key, ssrc_type=P.SSRC_ANY_OUTBOUND, srtp_profile=PROFILES[suite]))
    rx = pylibsrtp.Session(P(key=rx_key, ssrc_type=P.SSRC_ANY_INBOUND, srtp_profile=PROFILES[suite]))
    ssrc, seq, ts, ok, bad = random.getrandbits(32), random.getrandbits(15), 0, 0, 0
    end, nxt = time.time() + seconds, time.time()
    while time.time() < end:
        if time.time() >= nxt:
            rtp.sendto(tx.protect(struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts, ssrc) + b"\xff" * 160), remote)
            seq, ts, nxt = seq + 1, ts + 160, nxt + 0.02
        r, _, _ = select.select([rtp], [], [], 0.005)
        if r:
            data = rtp.recv(2048)
            if len(data) >= 20 and data[4:8] == b"\x21\x12\xa4\x42":  # STUN binding requests
                continue
            try:
                rx.unprotect(data); ok += 1
            except pylibsrtp.Error:
                bad += 1
    return ok, bad


def linphone(name, commands, extra=()):
    home = os.path.join(W, name)
    os.makedirs(os.path.join(home, ".local/share/linphone"))
    rc = os.path.join(home, "linphonerc")
    shutil.copy(os.path.join(HERE, "linphonerc.in"), rc)
    env = dict(os.environ, HOME=home)
    p = subprocess.Popen(["timeout", "30", "linphonec", "-c", rc, "-d", "4", "-l", os.path.join(home, "lp.log")]
                         + list(extra), stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=env)
    PROCS.append(p)

    def feed():
        for delay, cmd in commands:
            time.sleep(delay)
            try:
                p.stdin.write((cmd + "\n").encode()); p.stdin.flush()
            except (BrokenPipeError, OSError):
                return
    import threading
    t = threading.Thread(target=feed, daemon=True); t.start()
    return p, os.path.join(home, "lp.log")


def lp_received(path):
    text = open(path, errors="replace").read()
    i = text.find("AUDIO SESSION'S RTP STATISTICS")
    m = re.search(r"received +(\d+) packets", text[i:i + 2000]) if i >= 0 else None
    return int(m.group(1)) if m else -1


def tone():
    path = os.path.join(W, "tone.wav")
    w = wave.open(path, "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                           for i in range(8000 * 20)))
    w.close()
    return path


def sockets():
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); sip.bind((HOST, SIP_PORT)); sip.settimeout(10)
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rtp.bind((HOST, RTP_PORT))
    rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rtcp.bind((HOST, RTP_PORT + 1))
    return sip, rtp, rtcp


def case_linphone_offers(wav):
    log("=== 1 linphone offers, libphonesec answers")
    sip, rtp, rtcp = sockets()
    p, lg = linphone("c1", [(1, "soundcard use files"), (0, "play " + wav),
                            (0, "call sip:peer@%s:%d" % (HOST, SIP_PORT)), (6, "terminate"), (1, "quit")])
    while True:
        data, src = sip.recvfrom(65535)
        start, hdrs, offer = parse_sip(data)
        if start.startswith("INVITE"):
            break
    log("\n".join(l for l in offer.splitlines() if l.startswith(("m=", "a=crypto"))))
    lf = os.path.join(W, "local1.sdp"); open(lf, "w").write(local_sdp())
    d = subprocess.run([DRIVER, "answer", lf, SUITES], input=offer.encode(), capture_output=True, timeout=10)
    res = [l for l in d.stderr.decode().splitlines() if l.startswith("RESULT")]
    check("libphonesec answered linphone's offer", d.returncode == 0 and len(res) == 1)
    if d.returncode != 0:
        log(d.stderr.decode()); return
    answer = d.stdout.decode()
    log("\n".join(l for l in answer.splitlines() if l.startswith(("m=", "a=crypto"))))
    _, tag, suite, in_hex, out_hex = res[0].split()
    offers, mine = offered_lines(offer), offered_lines(answer)
    check("answer: same tag and suite as an offered line", len(mine) == 1 and offers[int(tag)][0] == suite)
    check("inbound key = linphone's offered key", bytes.fromhex(in_hex) == offers[int(tag)][1])
    to = h(hdrs, "to") + ";tag=%08x" % random.getrandbits(32)
    sip.sendto(response(200, "OK", hdrs, to, answer), src)
    m = re.search(r"^m=audio (\d+)", offer, re.M)
    c = re.search(r"^c=IN IP4 (\S+)", offer, re.M).group(1)
    ok, bad = srtp_both_ways(rtp, (c, int(m.group(1))), suite, bytes.fromhex(out_hex), bytes.fromhex(in_hex))
    log("SRTP: decrypted %d from linphone with our inbound params, %d failed" % (ok, bad))
    check("we decrypt linphone's SRTP with the inbound params", ok >= 10 and bad == 0)
    try:
        while True:
            data, src2 = sip.recvfrom(65535)
            st, hb, _ = parse_sip(data)
            if st.startswith("BYE"):
                sip.sendto(response(200, "OK", hb, h(hb, "to")), src2)
                break
    except socket.timeout:
        log("no BYE from linphone")
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill(); p.wait()
    n = lp_received(lg)
    log("linphone received %d packets through srtp_unprotect" % n)
    check("linphone decrypts our SRTP (outbound params)", n >= 10)
    for s in (sip, rtp, rtcp):
        s.close()


def case_we_offer(wav):
    log("=== 2 libphonesec offers, linphone answers")
    p, lg = linphone("c2", [(1, "soundcard use files"), (0, "play " + wav), (9, "quit")], ["-a"])
    time.sleep(2)
    sip, rtp, rtcp = sockets()
    lf = os.path.join(W, "local2.sdp"); open(lf, "w").write(local_sdp())
    d = subprocess.Popen([DRIVER, "offer", lf, "AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    PROCS.append(d)
    offer = ""
    for line in d.stdout:
        line = line.decode()
        if line == "END\n":
            break
        offer += line
    tag, callid, uri = "%08x" % random.getrandbits(32), "%016x@%s" % (random.getrandbits(64), HOST), \
        "sip:carol@%s:%d" % (HOST, LP_PORT)

    def req(method, ruri, cseq, body="", to_tag=""):
        r = ["%s %s SIP/2.0" % (method, ruri),
             "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%08x;rport" % (HOST, SIP_PORT, random.getrandbits(32)),
             "Max-Forwards: 70", "From: <sip:peer@%s:%d>;tag=%s" % (HOST, SIP_PORT, tag),
             "To: <%s>" % uri + (";tag=" + to_tag if to_tag else ""), "Call-ID: " + callid,
             "CSeq: %d %s" % (cseq, method), "Contact: <sip:peer@%s:%d>" % (HOST, SIP_PORT)]
        if body:
            r.append("Content-Type: application/sdp")
        r.append("Content-Length: %d" % len(body.encode()))
        return ("\r\n".join(r) + "\r\n\r\n" + body).encode()

    sip.sendto(req("INVITE", uri, 1, offer), (HOST, LP_PORT))
    while True:
        start, hdrs, body = parse_sip(sip.recvfrom(65535)[0])
        if start.startswith("SIP/2.0") and int(start.split()[1]) >= 200:
            break
    check("linphone answered 200", start.startswith("SIP/2.0 200"))
    log("\n".join(l for l in body.splitlines() if l.startswith(("m=", "a=crypto"))))
    to_tag = re.search(r";tag=([^;>\s]+)", h(hdrs, "to")).group(1)
    contact = re.search(r"<([^>]+)>", h(hdrs, "contact")).group(1)
    sip.sendto(req("ACK", contact, 1, to_tag=to_tag), (HOST, LP_PORT))
    out, _ = d.communicate(body.encode(), timeout=10)
    res = out.decode().strip().splitlines()
    check("libphonesec accepted linphone's answer", d.returncode == 0 and res and res[-1].startswith("RESULT "))
    if d.returncode != 0:
        log(out.decode()); return
    _, rtag, suite, in_hex, out_hex = res[-1].split()
    ans, ours = offered_lines(body), offered_lines(offer)
    check("inbound key = linphone's answer key", bytes.fromhex(in_hex) == ans[int(rtag)][1])
    check("outbound key = the key we offered under that tag", bytes.fromhex(out_hex) == ours[int(rtag)][1])
    m = re.search(r"^m=audio (\d+)", body, re.M)
    c = re.search(r"^c=IN IP4 (\S+)", body, re.M).group(1)
    ok, bad = srtp_both_ways(rtp, (c, int(m.group(1))), suite, bytes.fromhex(out_hex), bytes.fromhex(in_hex))
    log("SRTP: decrypted %d from linphone with our inbound params, %d failed" % (ok, bad))
    check("we decrypt linphone's SRTP with the inbound params", ok >= 10 and bad == 0)
    sip.sendto(req("BYE", contact, 2, to_tag=to_tag), (HOST, LP_PORT))
    try:
        p.wait(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill(); p.wait()
    n = lp_received(lg)
    log("linphone received %d packets through srtp_unprotect" % n)
    check("linphone decrypts our SRTP (outbound params)", n >= 10)
    for s in (sip, rtp, rtcp):
        s.close()


try:
    wav = tone()
    case_linphone_offers(wav)
    case_we_offer(wav)
except Exception as e:
    check("no exception (%r)" % e, False)
finally:
    for p in PROCS:
        if p.poll() is None:
            p.kill()
        try:
            p.wait(timeout=5)
        except Exception:
            pass
    shutil.rmtree(W, ignore_errors=True)
log("linphone SDES interop: " + ("OK" if not FAIL else "FAILED: " + "; ".join(FAIL)))
sys.exit(1 if FAIL else 0)
