#!/usr/bin/env python3
"""dnsq.py PORT NAME TYPE: a minimal DNS client for checking the test DNS
server (no dig on a minimal Debian). Prints the rcode, then one line per
answer record: "name TYPE data" (A, AAAA, MX, CNAME, NS, PTR, TXT decoded;
other types as hex). Exit status 0 for an authoritative answer (AA set),
1 otherwise, 2 on a timeout or malformed reply."""

import ipaddress
import random
import socket
import struct
import sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15,
         "TXT": 16, "AAAA": 28, "SRV": 33, "ANY": 255}
NAMES = {v: k for k, v in TYPES.items()}
RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"]


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def read_name(msg, off):
    labels, jumped, end = [], False, off
    for _ in range(128):
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = off + 2
            off = ((n & 0x3F) << 8) | msg[off + 1]
            jumped = True
            continue
        if n == 0:
            if not jumped:
                end = off + 1
            return ".".join(labels) + ".", end
        labels.append(msg[off + 1:off + 1 + n].decode("ascii", "replace"))
        off += 1 + n
    raise ValueError("name loop")


def main():
    port, name, qtype = int(sys.argv[1]), sys.argv[2], sys.argv[3].upper()
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    q += encode_name(name) + struct.pack(">HH", TYPES[qtype], 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q, ("127.0.0.1", port))
    try:
        msg = s.recv(65535)
    except socket.timeout:
        print("timeout")
        return 2
    rid, flags, qd, an, _, _ = struct.unpack(">HHHHHH", msg[:12])
    if rid != qid:
        return 2
    print(RCODES[flags & 15] if flags & 15 < len(RCODES) else flags & 15)
    off = 12
    for _ in range(qd):
        _, off = read_name(msg, off)
        off += 4
    for _ in range(an):
        rname, off = read_name(msg, off)
        rtype, _, _, rdlen = struct.unpack(">HHIH", msg[off:off + 10])
        off += 10
        rd = msg[off:off + rdlen]
        t = NAMES.get(rtype, str(rtype))
        if t == "A":
            data = str(ipaddress.IPv4Address(rd))
        elif t == "AAAA":
            data = str(ipaddress.IPv6Address(rd))
        elif t == "MX":
            data = "%d %s" % (struct.unpack(">H", rd[:2])[0],
                              read_name(msg, off + 2)[0])
        elif t in ("CNAME", "NS", "PTR"):
            data = read_name(msg, off)[0]
        elif t == "TXT":
            parts, i = [], 0
            while i < len(rd):
                parts.append(rd[i + 1:i + 1 + rd[i]].decode("utf-8", "replace"))
                i += 1 + rd[i]
            data = '"%s"' % "".join(parts)
        else:
            data = rd.hex()
        print("%s %s %s" % (rname, t, data))
        off += rdlen
    return 0 if flags & 0x0400 else 1


if __name__ == "__main__":
    sys.exit(main())
