#!/usr/bin/env python3
"""Capture UDP on the loopback interface (AF_PACKET, needs CAP_NET_RAW) for
the given ports and say whether the RTP payloads look encrypted.

  rtp_sniff.py SECONDS PORT [PORT...]   -> one line per direction, then
  "SNIFF OK" when every direction with >= 50 packets has payload entropy
  >= 7.0 bit/byte (AES ciphertext: ~7.9; clear PCMU tone or silence: far
  lower) and at least one such direction exists; exit 77 without CAP_NET_RAW.
"""
import collections
import math
import socket
import struct
import sys
import time

secs = float(sys.argv[1])
ports = {int(p) for p in sys.argv[2:]}
try:
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind(('lo', 0))
except (PermissionError, OSError) as e:
    print('SKIP: no packet capture here (%s)' % e)
    sys.exit(77)
s.settimeout(0.2)
flows = collections.OrderedDict()
end = time.monotonic() + secs
while time.monotonic() < end:
    try:
        pkt, addr = s.recvfrom(65535)
    except socket.timeout:
        continue
    if addr[2] == socket.PACKET_OUTGOING:  # loopback shows each packet twice
        continue
    if len(pkt) < 14 + 20 + 8 or pkt[12:14] != b'\x08\x00':
        continue
    ip = pkt[14:]
    ihl = (ip[0] & 0x0F) * 4
    if ip[9] != 17:
        continue
    sport, dport = struct.unpack('!HH', ip[ihl:ihl + 4])
    if sport not in ports and dport not in ports:
        continue
    udp = ip[ihl + 8:]
    if len(udp) < 12 or (udp[0] >> 6) != 2 or 72 <= (udp[1] & 0x7F) <= 76:
        continue  # not RTP (or RTCP)
    hl = 12 + 4 * (udp[0] & 0x0F)
    key = '%d -> %d' % (sport, dport)
    flows.setdefault(key, []).append(udp[hl:])
good = 0
bad = 0
for k, pl in flows.items():
    c = collections.Counter(b''.join(pl))
    n = sum(c.values())
    h = -sum(v / n * math.log2(v / n) for v in c.values()) if n else 0.0
    verdict = 'encrypted' if h >= 7.0 else 'CLEAR'
    print('rtp %s: %d packets, payload entropy %.2f bit/byte -> %s' % (k, len(pl), h, verdict))
    if len(pl) >= 50:
        if h >= 7.0:
            good += 1
        else:
            bad += 1
print('SNIFF OK' if good and not bad else 'SNIFF FAIL')
