#!/usr/bin/python3
"""SDES interop with a real softphone (baresip 1.0.0, Debian 12), loopback only.

1. baresip offers SDES (srtp-mand); libphonesec answers (tests/sdes/sdes_driver);
   baresip must accept the answer, and SRTP must decrypt both ways with the
   parameters libphonesec negotiated (pylibsrtp stands in for the srtp module).
2. libphonesec offers; baresip answers; libphonesec validates the answer;
   SRTP both ways again.
Bounded (~20 s); kills every process it starts. Skips (77) without baresip.
"""
import base64, os, random, re, select, shutil, socket, struct, subprocess, sys, tempfile, time

try:
    import pylibsrtp
except ImportError:
    print("SKIP: python3-pylibsrtp missing"); sys.exit(77)
if shutil.which("baresip") is None:
    print("SKIP: baresip missing"); sys.exit(77)

HOST = "127.0.0.1"
HERE = os.path.dirname(os.path.abspath(__file__))
DRIVER = sys.argv[1]
P = pylibsrtp.Policy
PROFILES = {"AES_CM_128_HMAC_SHA1_80": P.SRTP_PROFILE_AES128_CM_SHA1_80,
            "AES_CM_128_HMAC_SHA1_32": P.SRTP_PROFILE_AES128_CM_SHA1_32,
            "AEAD_AES_128_GCM": P.SRTP_PROFILE_AEAD_AES_128_GCM,
            "AEAD_AES_256_GCM": P.SRTP_PROFILE_AEAD_AES_256_GCM}
SUITES = "AES_CM_128_HMAC_SHA1_80,AES_CM_128_HMAC_SHA1_32,AEAD_AES_128_GCM,AEAD_AES_256_GCM"
W = tempfile.mkdtemp(prefix="sdes-interop.")
PROCS, FAIL = [], []


def log(*a):
    print(*a, flush=True)


def check(what, ok):
    log(("PASS: " if ok else "FAIL: ") + what)
    if not ok:
        FAIL.append(what)


def free_port(n=1):
    while True:
        base = random.randint(20000, 60000) & ~1
        socks = []
        try:
            for i in range(n):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((HOST, base + i)); socks.append(s)
            for s in socks:
                s.close()
            return base
        except OSError:
            for s in socks:
                s.close()


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


def local_sdp(rtp):
    return ("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\na=ptime:20\r\n"
            % (random.randint(1, 1 << 30), HOST, HOST, rtp))


def baresip(name, sipport, rtplo, extra, account):
    d = os.path.join(W, name)
    os.makedirs(d, exist_ok=True)
    cfg = open(os.path.join(HERE, "baresip.config.in")).read()
    cfg = cfg.replace("@SIPPORT@", str(sipport)).replace("@RTPLO@", str(rtplo)).replace("@RTPHI@", str(rtplo + 9))
    cfg = cfg.replace("@CTRLPORT@", str(free_port()))
    open(os.path.join(d, "config"), "w").write(cfg)
    open(os.path.join(d, "accounts"), "w").write(account + "\n")
    logf = open(os.path.join(d, "log"), "w")
    p = subprocess.Popen(["stdbuf", "-oL", "-eL", "baresip", "-f", d] + extra, stdout=logf, stderr=subprocess.STDOUT)
    PROCS.append(p)
    return p, os.path.join(d, "log")


def blog(path):
    return re.sub(r"\x1b\[[0-9;]*m", "", open(path, errors="replace").read()).replace("\r", "\n")


def wait_for(path, text, t=8.0):
    end = time.time() + t
    while time.time() < end:
        if text in blog(path):
            return True
        time.sleep(0.05)
    return False


def srtp_both_ways(rtp, remote, suite, tx_key, rx_key, seconds=1.5):
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
            try:
                rx.unprotect(data); ok += 1
            except pylibsrtp.Error:
                bad += 1
    return ok, bad


def offered_lines(sdp):
    return {int(m.group(1)): (m.group(2), base64.b64decode(m.group(3) + "=" * (-len(m.group(3)) % 4)))
            for m in re.finditer(r"^a=crypto:(\d+) (\S+) inline:([A-Za-z0-9+/=]+)", sdp, re.M)}


def case_baresip_offers():
    log("=== 1 baresip offers, libphonesec answers")
    sipport, rtp_port = free_port(), free_port(2)
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); sip.bind((HOST, sipport)); sip.settimeout(10)
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rtp.bind((HOST, rtp_port))
    rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rtcp.bind((HOST, rtp_port + 1))
    bport = free_port()
    p, lg = baresip("alice", bport, free_port(10), ["-t", "6", "-e", "/dial sip:peer@%s:%d" % (HOST, sipport)],
                    "<sip:alice@%s:%d>;regint=0;mediaenc=srtp-mand;audio_codecs=PCMU" % (HOST, bport))
    try:
        data, src = sip.recvfrom(65535)
    except socket.timeout:
        log(blog(lg)[-2000:])
        raise
    start, hdrs, offer = parse_sip(data)
    check("got baresip's INVITE", start.startswith("INVITE"))
    log(offer.strip())
    lf = os.path.join(W, "local1.sdp"); open(lf, "w").write(local_sdp(rtp_port))
    d = subprocess.run([DRIVER, "answer", lf, SUITES], input=offer.encode(), capture_output=True, timeout=10)
    answer = d.stdout.decode()
    res = [l for l in d.stderr.decode().splitlines() if l.startswith("RESULT")]
    check("libphonesec answered", d.returncode == 0 and len(res) == 1)
    if d.returncode != 0:
        log(d.stderr.decode()); return
    log(answer.strip())
    _, tag, suite, in_hex, out_hex = res[0].split()
    offers = offered_lines(offer)
    mine = offered_lines(answer)
    check("answer: one a=crypto line, an offered tag, the suite offered under it",
          len(mine) == 1 and int(tag) in mine and int(tag) in offers and offers[int(tag)][0] == suite
          and mine[int(tag)][0] == suite)
    check("inbound key = baresip's offered key (decoded by python)", bytes.fromhex(in_hex) == offers[int(tag)][1])
    check("outbound key = the key in our answer line", bytes.fromhex(out_hex) == mine[int(tag)][1])
    to = h(hdrs, "to") + ";tag=%08x" % random.getrandbits(32)
    resp = ["SIP/2.0 200 OK"] + ["Via: " + v for v in hdrs["via"]] + [
        "From: " + h(hdrs, "from"), "To: " + to, "Call-ID: " + h(hdrs, "call-id"), "CSeq: " + h(hdrs, "cseq"),
        "Contact: <sip:peer@%s:%d>" % (HOST, sipport), "Content-Type: application/sdp",
        "Content-Length: %d" % len(answer.encode())]
    sip.sendto(("\r\n".join(resp) + "\r\n\r\n" + answer).encode(), src)
    while not parse_sip(sip.recvfrom(65535)[0])[0].startswith("ACK"):
        pass
    m = re.search(r"^m=audio (\d+)", offer, re.M)
    ok, bad = srtp_both_ways(rtp, (HOST, int(m.group(1))), suite, bytes.fromhex(out_hex), bytes.fromhex(in_hex))
    log("SRTP: decrypted %d from baresip with our inbound params, %d failed" % (ok, bad))
    check("we decrypt baresip's SRTP with the inbound params", ok >= 10 and bad == 0)
    try:  # answer baresip's BYE (its -t timeout ends the call)
        while True:
            st, hb, _ = parse_sip(sip.recvfrom(65535)[0])
            if st.startswith("BYE"):
                r = ["SIP/2.0 200 OK"] + ["Via: " + v for v in hb["via"]] + [
                    "From: " + h(hb, "from"), "To: " + h(hb, "to"), "Call-ID: " + h(hb, "call-id"),
                    "CSeq: " + h(hb, "cseq"), "Content-Length: 0"]
                sip.sendto(("\r\n".join(r) + "\r\n\r\n").encode(), src)
                break
    except socket.timeout:
        log("no BYE from baresip")
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
    text = blog(lg)
    check("baresip decrypts our SRTP (outbound params)",
          "incoming rtp for 'audio' established" in text and "failed to decrypt" not in text)
    for s in (sip, rtp, rtcp):
        s.close()


def case_we_offer():
    log("=== 2 libphonesec offers, baresip answers")
    sipport, rtp_port, bport = free_port(), free_port(2), free_port()
    p, lg = baresip("bob", bport, free_port(10), ["-t", "8"],
                    "<sip:bob@%s:%d>;regint=0;mediaenc=srtp-mand;answermode=auto;audio_codecs=PCMU" % (HOST, bport))
    check("baresip ready", wait_for(lg, "baresip is ready"))
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); sip.bind((HOST, sipport)); sip.settimeout(10)
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rtp.bind((HOST, rtp_port))
    rtcp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); rtcp.bind((HOST, rtp_port + 1))
    lf = os.path.join(W, "local2.sdp"); open(lf, "w").write(local_sdp(rtp_port))
    d = subprocess.Popen([DRIVER, "offer", lf, "AES_CM_128_HMAC_SHA1_32,AES_CM_128_HMAC_SHA1_80"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    PROCS.append(d)
    offer = ""
    for line in d.stdout:
        line = line.decode()
        if line == "END\n":
            break
        offer += line
    log(offer.strip())
    check("offer is RTP/SAVP with our lines", "RTP/SAVP" in offer and "a=crypto:2 AES_CM_128_HMAC_SHA1_80" in offer)
    tag, callid, uri = "%08x" % random.getrandbits(32), "%016x@%s" % (random.getrandbits(64), HOST), \
        "sip:bob@%s:%d" % (HOST, bport)

    def req(method, ruri, cseq, body="", to_tag=""):
        r = ["%s %s SIP/2.0" % (method, ruri),
             "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%08x;rport" % (HOST, sipport, random.getrandbits(32)),
             "Max-Forwards: 70", "From: <sip:peer@%s:%d>;tag=%s" % (HOST, sipport, tag),
             "To: <%s>" % uri + (";tag=" + to_tag if to_tag else ""), "Call-ID: " + callid,
             "CSeq: %d %s" % (cseq, method), "Contact: <sip:peer@%s:%d>" % (HOST, sipport)]
        if body:
            r.append("Content-Type: application/sdp")
        r.append("Content-Length: %d" % len(body.encode()))
        return ("\r\n".join(r) + "\r\n\r\n" + body).encode()

    sip.sendto(req("INVITE", uri, 1, offer.replace("\n", "\r\n").replace("\r\r", "\r")), (HOST, bport))
    while True:
        start, hdrs, body = parse_sip(sip.recvfrom(65535)[0])
        if int(start.split()[1]) >= 200:
            break
    check("baresip answered 200", start.startswith("SIP/2.0 200"))
    log(body.strip())
    to_tag = re.search(r";tag=([^;>\s]+)", h(hdrs, "to")).group(1)
    contact = re.search(r"<([^>]+)>", h(hdrs, "contact")).group(1)
    sip.sendto(req("ACK", contact, 1, to_tag=to_tag), (HOST, bport))
    out, _ = d.communicate(body.encode(), timeout=10)
    res = out.decode().strip().splitlines()
    check("libphonesec accepted baresip's answer", d.returncode == 0 and res and res[-1].startswith("RESULT "))
    if d.returncode != 0:
        log(out.decode()); return
    _, rtag, suite, in_hex, out_hex = res[-1].split()
    ans = offered_lines(body)
    ours = offered_lines(offer)
    check("inbound key = baresip's answer key", bytes.fromhex(in_hex) == ans[int(rtag)][1])
    check("outbound key = the key we offered under that tag", bytes.fromhex(out_hex) == ours[int(rtag)][1])
    m = re.search(r"^m=audio (\d+)", body, re.M)
    ok, bad = srtp_both_ways(rtp, (HOST, int(m.group(1))), suite, bytes.fromhex(out_hex), bytes.fromhex(in_hex))
    log("SRTP: decrypted %d from baresip with our inbound params, %d failed" % (ok, bad))
    check("we decrypt baresip's SRTP with the inbound params", ok >= 10 and bad == 0)
    sip.sendto(req("BYE", contact, 2, to_tag=to_tag), (HOST, bport))
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
    text = blog(lg)
    check("baresip decrypts our SRTP (outbound params)",
          "incoming rtp for 'audio' established" in text and "failed to decrypt" not in text)
    for s in (sip, rtp, rtcp):
        s.close()


try:
    case_baresip_offers()
    case_we_offer()
except Exception as e:  # a timeout or a malformed reply is a failure, not a crash
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
log("baresip SDES interop: " + ("OK" if not FAIL else "FAILED: " + "; ".join(FAIL)))
sys.exit(1 if FAIL else 0)
