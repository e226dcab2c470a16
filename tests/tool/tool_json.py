#!/usr/bin/env python3
"""phonesec --json: one stable object per run (issue 14).

Each reporting subcommand prints exactly one line holding one JSON object
(parsed with Python's json module, an independent parser), with the
documented members in the documented order (phonesec(1), JSON OUTPUT), on
success and on failure, with the same exit status as the text form. Values
are checked against known answers: IANA codes from RFC 5289 / RFC 8446,
key and salt sizes and lifetime/MKI from RFC 4568 and RFC 3711, the
mechanism order of an RFC 3329 Security-Server header, and the text output
of the same run. Env: PHONESEC_TOOL.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, done  # noqa: E402

T = os.environ["PHONESEC_TOOL"]




def run(args, stdin=b""):
    p = subprocess.run([T] + args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout, p.stderr


def obj(args, stdin=b"", rc_want=0, command=None):
    """Run with --json: one line, one object, the usual members first."""
    at = 2 if args[0] in ("tls", "sdes", "mediasec") else 1
    rc, out, err = run(args[:at] + ["--json"] + args[at:], stdin)
    check(rc == rc_want, "%s --json exit %d, want %d (%s)" % (args, rc, rc_want, err.decode()[:200]))
    check(out.endswith(b"\n") and out.count(b"\n") == 1, "%s --json: one line" % args)
    try:
        o = json.loads(out.decode("utf-8"), object_pairs_hook=list)
    except ValueError as e:
        check(False, "%s --json is not JSON (%s): %r" % (args, e, out[:200]))
        return [], {}
    keys = [k for k, _ in o]
    check(keys[:2] == ["phonesec_json", "command"] and dict(o)["phonesec_json"] == 1
          and dict(o)["command"] == (command or " ".join(args[:2] if args[0] in ("tls", "sdes", "mediasec") else args[:1])),
          "%s: phonesec_json and command first: %s" % (args, keys[:2]))
    return keys, json.loads(out.decode("utf-8"))


# ---- version: the text report says the same
keys, o = obj(["version"])
check(keys == ["phonesec_json", "command", "version", "version_number", "modules", "backends"], "version keys %s" % keys)
text = run(["version"])[1].decode()
check(text.split("\n")[0] == "libphonesec " + o["version"], "version matches the text: %r" % text[:40])
mods = text.split("\n")[1].split(":", 1)[1].split("(")[0].split()
check(sorted(o["modules"]) == sorted(mods) and o["modules"][0] == "core", "modules %s vs %s" % (o["modules"], mods))
maj, mi, pa = (int(x) for x in o["version"].split("."))
check(o["version_number"] == (maj << 16) | (mi << 8) | pa, "version_number %#x" % o["version_number"])
check(("wolfSSL: compiled %s, linked %s" % (o["backends"]["wolfssl"]["compiled"], o["backends"]["wolfssl"]["linked"])) in text,
      "wolfSSL versions as in the text")

# ---- ciphers
ok_keys = ["phonesec_json", "command", "string", "result", "error", "evaluated", "fallback", "warning", "legacy",
           "suites", "removed_by_floor"]
keys, o = obj(["ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256:TLS_AES_128_GCM_SHA256"], command="ciphers")
check(keys == ok_keys, "ciphers keys %s" % keys)
s = o["suites"]
check(len(s) >= 1 and s[0]["code"] == 0xC02B and s[0]["iana_name"] == "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
      and s[0]["protocol"] == "TLSv1.2", "RFC 5289: ECDHE-ECDSA-AES128-GCM-SHA256 is 0xC02B: %s" % s[:1])
keys, o = obj(["ciphers", "--tls13", "TLS_CHACHA20_POLY1305_SHA256", "HIGH"], command="ciphers")
check(o["suites"][0]["code"] == 0x1303, "RFC 8446: TLS_CHACHA20_POLY1305_SHA256 is 0x1303")
text = run(["ciphers", "HIGH:RC4:3DES"])[1].decode().split()
keys, o = obj(["ciphers", "HIGH:RC4:3DES"], command="ciphers")
check([x["name"] for x in o["suites"]] == text, "ciphers --json lists what the text lists")
check(all(x["reason"] for x in o["removed_by_floor"]) and any("3DES" in x["name"] or "DES-CBC3" in x["name"]
                                                             for x in o["removed_by_floor"]),
      "what the floor removed, with reasons: %s" % o["removed_by_floor"][:2])
keys, o = obj(["ciphers", "FOO"], rc_want=1, command="ciphers")
check(keys == ["phonesec_json", "command", "string", "result", "error"] and o["result"] == "FAILED"
      and "'FOO'" in o["error"], "ciphers FOO names the word: %s" % o)
keys, o = obj(["ciphers", "--preset", "xmpp", "--fallback", "--", "FOO"], command="ciphers")
check(o["fallback"] == "error" and o["evaluated"] == "HIGH:MEDIUM:AES:@STRENGTH", "preset fallback: %s" % o["evaluated"])

# ---- sdes check: RFC 4568 section 9.1's line
L = "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4"
keys, o = obj(["sdes", "check", "--line-fd", "0"], (L + "\n").encode())
check(keys == ["phonesec_json", "command", "usable", "reason", "error", "suite", "keys", "key_bytes", "salt_bytes",
               "mki_bytes", "lifetime", "wsh"], "sdes check keys %s" % keys)
check(o["usable"] and o["suite"] == "AES_CM_128_HMAC_SHA1_80" and o["key_bytes"] == 16 and o["salt_bytes"] == 14
      and o["lifetime"] == 1 << 20 and o["mki_bytes"] == 4, "RFC 4568 9.1 line: %s" % o)
check(b"PS1uQCVee" not in run(["sdes", "check", "--line-fd", "0", "--json"], (L + "\n").encode())[1],
      "sdes check --json prints no key")
keys, o = obj(["sdes", "check", "--line-fd", "0"], b"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:short\n", rc_want=1)
check(keys == ["phonesec_json", "command", "usable", "reason", "error"] and o["usable"] is False and o["reason"],
      "sdes check of a bad line: %s" % o)

keys, o = obj(["sdes", "check", "--line-file", "/nonexistent/line"], rc_want=1)
check(keys == ["phonesec_json", "command", "usable", "reason", "error"] and o["usable"] is False,
      "sdes check of an unreadable file: still one object: %s" % o)

# ---- sdes offer: every offered line is usable
keys, o = obj(["sdes", "offer", "--suites", "AES_CM_128_HMAC_SHA1_80,AEAD_AES_128_GCM"])
check(keys == ["phonesec_json", "command", "result", "lines"] and len(o["lines"]) == 2, "sdes offer: %s" % o)
for ln in o["lines"]:
    rc, out, _ = run(["sdes", "check", "--line-fd", "0"], (ln + "\n").encode())
    check(rc == 0, "offered line usable: %s" % ln[:40])

# ---- sdes answer: an offer of two sections, RTP/SAVP and an unsupported one
H = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
offer = (H + "m=audio 4000 RTP/SAVP 0\r\n" + L.replace("|2^20|1:4", "") + "\r\n"
         "m=video 5000 RTP/SAVP 96\r\na=crypto:7 FOO_SUITE inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n")
keys, o = obj(["sdes", "answer", "--tls"], offer.encode())
check(keys == ["phonesec_json", "command", "result", "secured", "sections"], "sdes answer keys %s" % keys)
sec = o["sections"]
check(o["result"] == "OK" and o["secured"] == 1 and len(sec) == 2, "sdes answer: %s" % o)
check(sec[0]["state"] == "secured" and sec[0]["crypto"].startswith("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:")
      and sec[0]["mline"] == "m=audio 4000 RTP/SAVP 0", "section 1 answered with tag 1: %s" % sec[0])
check(sec[1]["state"] != "secured" and sec[1]["crypto"] is None and sec[1]["skipped_lines"]
      and sec[1]["skipped_lines"][0]["line"] == 1, "section 2 not secured, its line skipped: %s" % sec[1])
keys, o = obj(["sdes", "answer", "--tls"], (H + "m=audio 4000 RTP/AVP 0\r\n"
                                              "a=crypto:1 FOO_SUITE inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n").encode(),
              rc_want=1)
check(o["result"] == "REFUSED" and o["sections"][0]["mline"] == "m=audio 0 RTP/AVP 0", "refused offer: port 0: %s" % o)

# ---- mediasec verify: RFC 3329 section 2.3.1's header, order kept
resp = (b"SIP/2.0 494 Security Agreement Required\r\nVia: SIP/2.0/TLS 192.0.2.1\r\n"
        b"Security-Server: ipsec-ike;q=0.1\r\nSecurity-Server: tls;q=0.2\r\n\r\n")
keys, o = obj(["mediasec", "verify"], resp)
check(keys == ["phonesec_json", "command", "result", "headers", "mechanisms"], "mediasec keys %s" % keys)
check([m["name"] for m in o["mechanisms"]] == ["ipsec-ike", "tls"] and [m["q_milli"] for m in o["mechanisms"]] == [100, 200]
      and o["headers"] == ["Security-Verify: ipsec-ike;q=0.1, tls;q=0.2"], "RFC 3329 2.3.1 header: %s" % o)
keys, o = obj(["mediasec", "verify"], b"SIP/2.0 200 OK\r\n\r\n", rc_want=1)
check(o["result"] == "FAILED" and "Security-Server" in o["error"], "no Security-Server: %s" % o)
keys, o = obj(["mediasec", "client", "--mech", "sdes-srtp,msrp-tls", "--mediasec"])
check([(m["name"], m["mediasec"]) for m in o["mechanisms"]] == [("sdes-srtp", True), ("msrp-tls", True)],
      "mediasec client: %s" % o)

# ---- tls check-name, with a certificate made by openssl; odd names survive escaping
if shutil.which("openssl"):
    with tempfile.TemporaryDirectory() as w:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                        "-keyout", w + "/k.pem", "-out", w + "/c.pem", "-subj", "/CN=sip.example.com",
                        "-addext", "subjectAltName=DNS:sip.example.com", "-days", "2"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        keys, o = obj(["tls", "check-name", w + "/c.pem", "sip.example.com"])
        cn_keys = ["phonesec_json", "command", "file", "name", "identity_mode", "match", "detail", "error"]
        check(keys == cn_keys and o["match"] is True and o["error"] is None and "sip.example.com" in o["detail"], "check-name match: %s" % o)
        keys, o = obj(["tls", "check-name", w + "/c.pem", "other.example.com"], rc_want=1)
        check(keys == cn_keys and o["match"] is False and o["detail"], "check-name no match: %s" % o)
        # a name the library refuses (exit 2): still one object, the name escaped and intact
        odd = 'x"\\\t\x01\u00e9.example.com'
        keys, o = obj(["tls", "check-name", "--mode=https", w + "/c.pem", odd], rc_want=2)
        check(keys == cn_keys and o["match"] is None and o["name"] == odd and o["identity_mode"] == "https"
              and "not a valid host name" in o["error"], "an odd name round-trips through the JSON escaping: %r" % o)
        keys, o = obj(["tls", "check-name", w + "/k.pem", "sip.example.com"], rc_want=1)
        check(keys == cn_keys and o["match"] is None and "neither a PEM nor a DER" in o["error"], "a key file: %s" % o)
        rc, out, _ = run(["tls", "check-name", "--json", w + "/c.pem", "a\xffb".encode("latin-1").decode("utf-8", "surrogateescape")])
        try:
            check(json.loads(out.decode("utf-8"))["name"] == "a\u00ffb", "invalid UTF-8 byte escaped as \\u00ff")
        except ValueError:
            check(False, "invalid UTF-8 in a name breaks the JSON: %r" % out)
else:
    print("note: no openssl: check-name not checked")

# ---- tls probe that cannot connect: still one object
keys, o = obj(["tls", "probe", "--insecure", "--timeout", "2000", "127.0.0.1:9"], rc_want=1)
check(o["result"] == "FAILED" and o["connected"] is False and o["handshake"] is False and o["server_verdict"] is None,
      "probe to a closed port: %s" % o)

done()
