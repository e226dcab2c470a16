#!/usr/bin/python3
"""phonesec.so inside Debian's baresip 1.0.0, in real calls (suite `adapters`).

Runs in a private network namespace (unshare --net: only lo), so nothing it
binds is reachable from outside. Per case two phones call each other; both
send a 440 Hz tone (ausine) and write what they decode (sndfile). Checked:
  - the SDP each side saw (RTP/SAVP or RTP/AVP, the suite of the a=crypto);
  - the wire: a raw capture on lo; every RTP stream of >= 20 packets has the
    payload entropy of ciphertext (>= 7.0 bit/byte; clear PCMU tone is far
    lower), in both directions;
  - the audio: the far end's decoded recording holds the 440 Hz tone;
  - phonesec's own counters (printed when the stream ends).
Cases: ours offers / stock srtp-mand answers with AES_CM_128_HMAC_SHA1_80,
_32, AEAD_AES_128_GCM and AEAD_AES_256_GCM; stock offers / ours answers;
optional SRTP (OSRTP, RTP/AVP + a=crypto) both ways; ours with ours; a
wrong key (a SIP relay swaps the key in the offer: ours must report the peer
key failed and end the call, no tone decoded); linphonec both ways.
Skips (77) when baresip is missing; linphonec cases skip alone when it is.
usage: calls.py BUILD/adapters/baresip/phonesec.so [BUILD/lib]
"""
import base64, math, os, random, re, shutil, signal, socket, struct, subprocess, sys, tempfile, threading, time, wave

MODULE = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else ""
if shutil.which("baresip") is None:
    print("SKIP: baresip missing (apt-get install baresip-core)"); sys.exit(77)
if not os.path.exists(MODULE):
    print("FAIL: module %s not built" % MODULE); sys.exit(1)
if os.environ.get("PHONESEC_IN_NETNS") != "1":
    if shutil.which("unshare") is None:
        print("SKIP: unshare missing"); sys.exit(77)
    env = dict(os.environ, PHONESEC_IN_NETNS="1")
    try:
        root = [] if os.geteuid() == 0 else ["--map-root-user"]
        if subprocess.run(["unshare", "--net"] + root + ["true"], capture_output=True).returncode != 0:
            print("SKIP: cannot enter a network namespace (unshare --net refused here)"); sys.exit(77)
        os.execvpe("unshare", ["unshare", "--net"] + root + [sys.executable] + sys.argv, env)
    except OSError as e:
        print("SKIP: cannot enter a network namespace: %s" % e); sys.exit(77)
subprocess.run(["ip", "link", "set", "lo", "up"], check=False)

HOST = "127.0.0.1"
# the module finds the libphonesec it was built with (argv[2]: its directory)
ENV = dict(os.environ)
if len(sys.argv) > 2:
    ENV["LD_LIBRARY_PATH"] = os.path.abspath(sys.argv[2]) + ":" + ENV.get("LD_LIBRARY_PATH", "")
STOCK_MODS = "/usr/lib/baresip/modules"
W = tempfile.mkdtemp(prefix="phonesec-baresip.")
PROCS, FAIL = [], []
HAVE_LINPHONE = shutil.which("linphonec") is not None


def log(*a):
    print(*a, flush=True)


def check(what, ok, detail=""):
    log(("PASS: " if ok else "FAIL: ") + what + (("  [" + detail + "]") if detail else ""))
    if not ok:
        FAIL.append(what)


def clean(text):
    return re.sub(r"\x1b\[[0-9;]*m", "", text).replace("\r", "\n")


# ---- capture on lo (AF_PACKET; we are root in the namespace) ----
class Capture:
    def __init__(self):
        self.pkts, self.stop = [], False
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
        self.s.bind(("lo", 0))
        self.s.settimeout(0.2)
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        while not self.stop:
            try:
                f, addr = self.s.recvfrom(65535)
            except socket.timeout:
                continue
            if addr[2] == socket.PACKET_OUTGOING:  # lo shows each packet twice
                continue
            if len(f) < 14 + 20 or f[12:14] != b"\x08\x00":
                continue
            ip = f[14:]
            ihl = (ip[0] & 15) * 4
            if ip[9] != 17:
                continue
            udp = ip[ihl:]
            sp, dp = struct.unpack("!HH", udp[:4])
            self.pkts.append((sp, dp, bytes(udp[8:])))

    def close(self):
        self.stop = True
        self.t.join()
        self.s.close()

    def rtp_streams(self, ports):
        """RTP (not RTCP) between media ports, per (src, dst, ssrc)."""
        st = {}
        for sp, dp, p in self.pkts:
            if sp not in ports or dp not in ports or len(p) < 12 or not (128 <= p[0] <= 191):
                continue
            if 64 <= (p[1] & 0x7F) <= 95:
                continue
            hl = 12 + 4 * (p[0] & 15)
            st.setdefault((sp, dp, p[8:12].hex()), []).append(p[hl:])
        return st


def clear_rtcp(cap, ports, senders):
    """RTCP packets from `senders` ports to media ports that parse as clear
    compound RTCP (version 2 headers whose lengths add up exactly): SRTCP
    never does, its E flag, index and tag come after the last header."""
    n = tot = 0
    for sp, dp, p in cap.pkts:
        if sp not in senders:
            continue
        if sp not in ports or dp not in ports or len(p) < 8 or not (128 <= p[0] <= 191):
            continue
        if not (64 <= (p[1] & 0x7F) <= 95):
            continue
        tot += 1
        off = 0
        while off + 4 <= len(p) and (p[off] >> 6) == 2 and 192 <= p[off + 1] <= 223:
            off += (p[off + 2] << 8 | p[off + 3]) * 4 + 4
        if off == len(p):
            n += 1
            log("  clear RTCP %d->%d %d bytes: %s" % (sp, dp, len(p), p[:12].hex()))
    return n, tot


def entropy(chunks):
    data = b"".join(chunks)
    if not data:
        return 0.0
    c = [0] * 256
    for b in data:
        c[b] += 1
    n = len(data)
    return -sum(v / n * math.log2(v / n) for v in c if v)


def tone_ratio(path):
    """Share of the recording's power at 440 Hz (Goertzel over 0.1 s blocks)."""
    try:
        w = wave.open(path)
    except Exception:
        return 0.0, 0
    rate, ch, sw, n = w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()
    raw = w.readframes(n)
    w.close()
    if sw != 2 or n == 0:
        return 0.0, n
    s = struct.unpack("<%dh" % (len(raw) // 2), raw)[::ch]
    blk = rate // 10
    k = 2 * math.cos(2 * math.pi * 440 / rate)
    best = 0.0
    tot_t, tot_e = 0.0, 0.0
    for i in range(0, len(s) - blk, blk):
        x = s[i:i + blk]
        q1 = q2 = 0.0
        for v in x:
            q0 = k * q1 - q2 + v
            q2, q1 = q1, q0
        pw = (q1 * q1 + q2 * q2 - k * q1 * q2) * 2 / blk
        e = sum(v * v for v in x)
        tot_t += pw
        tot_e += e
    return (tot_t / tot_e if tot_e > 0 else 0.0), len(s)


# ---- baresip phones ----
PORT = [15060]


def next_ports():
    PORT[0] += 20
    return PORT[0]


def phone(name, menc, extra_conf="", opts="", mux="no"):
    """A baresip home: config, accounts, a module dir with stock modules and ours."""
    d = os.path.join(W, name)
    os.makedirs(os.path.join(d, "mods"))
    os.makedirs(os.path.join(d, "snd"))
    for m in ("g711.so", "ausine.so", "aubridge.so", "srtp.so", "sndfile.so", "account.so", "menu.so"):
        os.symlink(os.path.join(STOCK_MODS, m), os.path.join(d, "mods", m))
    os.symlink(MODULE, os.path.join(d, "mods", "phonesec.so"))
    sip = next_ports()
    conf = """poll_method epoll
net_interface 127.0.0.1
sip_listen 127.0.0.1:%d
audio_player aubridge,nil
audio_source ausine,440
audio_alert aubridge,nil
ausrc_srate 48000
auplay_srate 48000
ausrc_channels 2
auplay_channels 2
rtp_ports %d-%d
rtcp_mux %s
module_path %s/mods
module g711.so
module ausine.so
module aubridge.so
module srtp.so
module phonesec.so
module sndfile.so
snd_path %s/snd
module_tmp account.so
module_app menu.so
%s
""" % (sip, sip + 2, sip + 19, mux, d, d, extra_conf)
    open(os.path.join(d, "config"), "w").write(conf)
    acc = "<sip:%s@127.0.0.1:%d>;regint=0;mediaenc=%s;answermode=auto;audio_codecs=PCMU%s\n" % (
        name, sip, menc, opts)
    open(os.path.join(d, "accounts"), "w").write(acc)
    return {"name": name, "dir": d, "sip": sip, "ports": set(range(sip + 2, sip + 20)),
            "uri": "sip:%s@127.0.0.1:%d" % (name, sip)}


def start(ph, seconds, cmd=None):
    args = ["stdbuf", "-oL", "-eL", "baresip", "-s", "-f", ph["dir"], "-t", str(seconds)]
    if cmd:
        args += ["-e", cmd]
    f = open(os.path.join(ph["dir"], "log"), "w")
    p = subprocess.Popen(args, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=ENV)
    PROCS.append(p)
    return p


def wait_log(ph, pat, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        if re.search(pat, read_log(ph)):
            return True
        time.sleep(0.05)
    return False


def read_log(ph):
    try:
        return clean(open(os.path.join(ph["dir"], "log"), errors="replace").read())
    except OSError:
        return ""


def stop(p, timeout=8):
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def dec_wav(ph):
    d = os.path.join(ph["dir"], "snd")
    f = sorted(x for x in os.listdir(d) if x.endswith("-dec.wav"))
    return os.path.join(d, f[-1]) if f else ""


def call(case, caller, callee, seconds=4, relay=None, expect_fail=False, ours=(), suite=None, proto=None):
    """caller dials callee; both run `seconds` of media; then the checks."""
    log("=== " + case)
    cap = Capture()
    pb = start(callee, seconds + 4)
    wait_log(callee, "baresip is ready")
    target = callee["uri"] if relay is None else "sip:%s@127.0.0.1:%d" % (callee["name"], relay)
    pa = start(caller, seconds + 2, "/dial " + target)
    stop(pa, seconds + 10)
    stop(pb, seconds + 10)
    time.sleep(0.3)
    cap.close()
    la, lb = read_log(caller), read_log(callee)
    ports = caller["ports"] | callee["ports"]
    streams = cap.rtp_streams(ports)
    big = {k: v for k, v in streams.items() if len(v) >= 20}
    dirs = {(k[0] in caller["ports"]) for k in big}
    ents = ["%d->%d %d pkts %.2f bit/B" % (k[0], k[1], len(v), entropy(v)) for k, v in big.items()]
    for ph, lg in ((caller, la), (callee, lb)):
        for m in re.findall(r"phonesec: audio: stats [^\n]*", lg):
            log("  %s: %s" % (ph["name"], m))
    sdp = re.findall(r"(m=audio \d+ \S+|a=crypto:\d+ \S+)", la + lb)
    log("  SDP seen: " + ", ".join(sorted(set(sdp))))
    if expect_fail:
        return la, lb, big
    check(case + ": RTP both ways on the wire", dirs == {True, False}, "; ".join(ents))
    check(case + ": wire shows SRTP only (entropy >= 7.0 per stream)",
          bool(big) and all(entropy(v) >= 7.0 for v in big.values()), "; ".join(ents))
    for ph in (caller, callee):
        nclear, nrtcp = clear_rtcp(cap, ports, ph["ports"])
        if ph["name"] in ours:
            check(case + ": %s (phonesec) sent no clear RTCP" % ph["name"], nrtcp > 0 and nclear == 0,
                  "%d RTCP packets, %d clear" % (nrtcp, nclear))
        else:
            log("  %s (stock) sent %d RTCP packets, %d of them clear" % (ph["name"], nrtcp, nclear))
    for ph, other in ((caller, callee), (callee, caller)):
        r, n = tone_ratio(dec_wav(ph))
        check(case + ": %s decodes %s's 440 Hz tone" % (ph["name"], other["name"]), r > 0.5,
              "tone share %.2f over %d samples" % (r, n))
    for ph, lg in ((caller, la), (callee, lb)):
        if ph["name"] in ours:
            m = re.search(r"phonesec: audio: stats suite=(\S+) rtp_out=(\d+) rtp_in=(\d+) rtcp_out=\d+ "
                          r"rtcp_in=(\d+) auth_failures=(\d+)", lg)
            # RTP both ways, SRTCP from the peer authenticated (libre's 32-bit SRTCP tag with _32), no failure
            ok = m is not None and int(m.group(2)) >= 20 and int(m.group(3)) >= 20 and int(m.group(4)) >= 1 \
                and int(m.group(5)) == 0
            if ok and suite:
                ok = m.group(1) == suite
            check(case + ": %s (phonesec) protected and authenticated every RTP and RTCP packet" % ph["name"], ok,
                  m.group(0) if m else "no stats line")
        else:
            check(case + ": %s (stock srtp) decrypted without error" % ph["name"],
                  "failed to decrypt" not in lg and "SRTP is Enabled" in lg)
    if suite:
        check(case + ": suite %s negotiated" % suite, ("a=crypto:" in " ".join(sdp)) and suite in " ".join(sdp))
    if proto:
        check(case + ": m= proto %s" % proto, any(s.startswith("m=audio") and s.endswith(proto) for s in sdp))
    return la, lb, big


# ---- a SIP relay that swaps the key of the offer (same length) ----
def key_swap_relay(dst_port):
    """UDP SIP relay: requests go to dst_port with every inline key replaced by
    another of the same length (the same replacement for a retransmission);
    what dst_port sends comes back to the client."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((HOST, 0))
    port = s.getsockname()[1]
    swapped, client = {}, [None]

    def swap(m):
        k = m.group(2)
        if k not in swapped:
            raw = bytes(random.randrange(256) for _ in range(len(base64.b64decode(k + "=" * (-len(k) % 4)))))
            swapped[k] = base64.b64encode(raw).decode()[:len(k)]
        return m.group(1) + swapped[k]

    def run():
        s.settimeout(0.2)
        end = time.time() + 25
        while time.time() < end:
            try:
                d, a = s.recvfrom(65535)
            except socket.timeout:
                continue
            if a[1] == dst_port:
                if client[0]:
                    s.sendto(d, client[0])
                continue
            client[0] = a
            t = re.sub(r"(a=crypto:\d+ \S+ inline:)([A-Za-z0-9+/]+)", swap, d.decode("latin-1"))
            s.sendto(t.encode("latin-1"), (HOST, dst_port))
    threading.Thread(target=run, daemon=True).start()
    return port


def want(tag):
    only = os.environ.get("CASES")  # debugging: CASES=wrong,linphone runs only those
    return not only or any(x in tag for x in only.split(","))


def main():
    t0 = time.time()
    # libre's SRTP (stock srtp.so) offers AES_CM_128_HMAC_SHA1_80 only; it answers the first
    # line of ours it knows, so phonesec_suites picks the suite of each call.
    for i, suite in enumerate(("AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32",
                               "AEAD_AES_128_GCM", "AEAD_AES_256_GCM")):
        if not want("offer"):
            break
        a = phone("alice%d" % i, "phonesec", "phonesec_suites %s" % suite)
        b = phone("bob%d" % i, "srtp-mand")
        call("phonesec offers %s, stock srtp-mand answers" % suite, a, b, ours=("alice%d" % i,), suite=suite,
             proto="RTP/SAVP")
    if want('answer'):
        a = phone("alice5", "srtp-mand")
        b = phone("bob5", "phonesec")
        call("stock srtp-mand offers, phonesec answers", a, b, ours=("bob5",), suite="AES_CM_128_HMAC_SHA1_80",
             proto="RTP/SAVP")
    if want('osrtp'):
        a = phone("alice6", "phonesec-opt", "phonesec_suites AEAD_AES_256_GCM,AES_CM_128_HMAC_SHA1_80")
        b = phone("bob6", "srtp")
        call("OSRTP: phonesec-opt offers RTP/AVP + a=crypto, stock srtp answers", a, b, ours=("alice6",),
             suite="AEAD_AES_256_GCM", proto="RTP/AVP")
        a = phone("alice7", "srtp")
        b = phone("bob7", "phonesec-opt")
        call("OSRTP: stock srtp offers, phonesec-opt answers", a, b, ours=("bob7",), suite="AES_CM_128_HMAC_SHA1_80",
             proto="RTP/AVP")
    if want('mux'):
        a = phone("alice10", "phonesec", "phonesec_suites AES_CM_128_HMAC_SHA1_32", mux="yes")
        b = phone("bob10", "srtp-mand", mux="yes")
        call("rtcp-mux: RTP and SRTCP on one port, phonesec offers _32, stock answers", a, b, ours=("alice10",),
             suite="AES_CM_128_HMAC_SHA1_32", proto="RTP/SAVP")
    if want('self'):
        a = phone("alice8", "phonesec", "phonesec_suites AES_CM_128_HMAC_SHA1_32,AEAD_AES_128_GCM")
        b = phone("bob8", "phonesec")
        call("phonesec with phonesec, _32 with the 32-bit SRTCP tag", a, b, ours=("alice8", "bob8"),
             suite="AES_CM_128_HMAC_SHA1_32")

    if want('wrong'):
        # wrong key: the offer's key is swapped on the way; the callee (ours) gets a key the caller does not use
        a = phone("alice9", "srtp-mand")
        b = phone("bob9", "phonesec")
        relay = key_swap_relay(b["sip"])
        la, lb, big = call("wrong key: offer's key swapped in transit", a, b, seconds=4, relay=relay, expect_fail=True)
        case = "wrong key"
        check(case + ": phonesec reports the peer key failed", "peer key failed" in lb)
        check(case + ": the call is ended (mediaenc error)", "mediaenc" in lb and
              re.search(r"mediaenc '[^']*' error|mediaenc failed", lb) is not None)
        r, n = tone_ratio(dec_wav(b))
        check(case + ": no tone decoded by phonesec", r < 0.1, "tone share %.2f over %d samples" % (r, n))
        # (the answer's key is not swapped: the caller decrypts the callee; only one way is wrong)

    if HAVE_LINPHONE and want("linphone"):
        linphone_cases()
    elif not HAVE_LINPHONE:
        log("SKIP: linphonec missing (apt-get install linphone-cli): linphone cases not run")
    log("suite time %.1f s" % (time.time() - t0))


# ---- linphonec ----
def linphone_home(name, port, rtp):
    h = os.path.join(W, name)
    os.makedirs(os.path.join(h, ".local/share/linphone"))
    rc = """[sip]
sip_port=%d
sip_tcp_port=0
sip_tls_port=0
bind_address=127.0.0.1
guess_hostname=0
contact="L" <sip:%s@127.0.0.1:%d>
use_ipv6=0
media_encryption=srtp
media_encryption_mandatory=1
srtp_crypto_suites=AES_CM_128_HMAC_SHA1_80, AES_CM_128_HMAC_SHA1_32, AEAD_AES_128_GCM, AEAD_AES_256_GCM
default_proxy=-1
register_only_when_network_is_up=0
[rtp]
audio_rtp_port=%d
video_rtp_port=%d
[video]
capture=0
display=0
automatically_initiate=0
automatically_accept=0
""" % (port, name, port, rtp, rtp + 10)
    open(os.path.join(h, "linphonerc"), "w").write(rc)
    tone = os.path.join(h, "tone.wav")
    w = wave.open(tone, "wb")
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                           for i in range(8000 * 20)))
    w.close()
    return h


def linphone(h, script, answer=False):
    args = ["linphonec", "-c", os.path.join(h, "linphonerc"), "-d", "4", "-l", os.path.join(h, "lp.log")]
    if answer:
        args.append("-a")
    p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=open(os.path.join(h, "out.log"), "w"),
                         stderr=subprocess.STDOUT, env=dict(os.environ, HOME=h))
    PROCS.append(p)

    def feed():
        for delay, line in script:
            time.sleep(delay)
            try:
                p.stdin.write((line + "\n").encode()); p.stdin.flush()
            except (BrokenPipeError, ValueError):
                return
    threading.Thread(target=feed, daemon=True).start()
    return p


def lp_received(h):
    try:
        t = open(os.path.join(h, "lp.log"), errors="replace").read()
    except OSError:
        return -1
    m = re.search(r"AUDIO SESSION'S RTP STATISTICS(?:.*\n){0,6}?.*?received +(\d+) packets", t)
    return int(m.group(1)) if m else -1


def linphone_cases():
    for way in ("phonesec calls linphonec", "linphonec calls phonesec"):
        log("=== " + way)
        cap = Capture()
        lport = next_ports()
        h = linphone_home("carol%d" % lport, lport, lport + 2)
        ph = phone("dave%d" % lport, "phonesec", "phonesec_suites AES_CM_128_HMAC_SHA1_80")
        tone = os.path.join(h, "tone.wav")
        if way.startswith("phonesec"):
            lp = linphone(h, [(0.5, "soundcard use files"), (0.1, "play " + tone), (7, "quit")], answer=True)
            time.sleep(1.5)
            pb = start(ph, 5, "/dial sip:carol@127.0.0.1:%d" % lport)
        else:
            pb = start(ph, 8)
            wait_log(ph, "baresip is ready")
            lp = linphone(h, [(0.5, "soundcard use files"), (0.1, "play " + tone),
                              (0.2, "call " + ph["uri"]), (5, "terminate"), (1, "quit")])
        stop(pb, 12)
        try:
            lp.wait(timeout=12)
        except subprocess.TimeoutExpired:
            lp.kill(); lp.wait()
        cap.close()
        lg = read_log(ph)
        ports = ph["ports"] | set(range(lport + 2, lport + 4))
        big = {k: v for k, v in cap.rtp_streams(ports).items() if len(v) >= 20}
        ents = ["%d->%d %d pkts %.2f bit/B" % (k[0], k[1], len(v), entropy(v)) for k, v in big.items()]
        for m in re.findall(r"phonesec: audio: stats [^\n]*", lg):
            log("  %s: %s" % (ph["name"], m))
        check(way + ": RTP both ways, SRTP only on the wire",
              len({k[0] in ph["ports"] for k in big}) == 2 and all(entropy(v) >= 7.0 for v in big.values()),
              "; ".join(ents))
        m = re.search(r"stats suite=(\S+) rtp_out=(\d+) rtp_in=(\d+) [^\n]*auth_failures=(\d+)", lg)
        check(way + ": phonesec authenticated linphone's SRTP",
              m is not None and int(m.group(3)) >= 20 and int(m.group(4)) == 0, m.group(0) if m else "no stats")
        r, n = tone_ratio(dec_wav(ph))
        check(way + ": phonesec decodes linphone's 440 Hz tone", r > 0.5, "tone share %.2f over %d samples" % (r, n))
        rx = lp_received(h)
        check(way + ": linphonec decrypted phonesec's SRTP", rx >= 20, "linphone received %d packets" % rx)


def cleanup():
    for p in PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()
    if os.environ.get("KEEP"):
        log("kept " + W)
    else:
        shutil.rmtree(W, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    finally:
        cleanup()
    if FAIL:
        log("%d check(s) failed" % len(FAIL))
        sys.exit(1)
    log("all baresip adapter checks passed")
