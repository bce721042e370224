#!/usr/bin/env python3
"""dnsfault.py PORTFILE LOG MODE [ARGS]: a scripted hostile DNS server on
127.0.0.1 (UDP and TCP on one port, written to PORTFILE when listening).
Each query is logged to LOG as "udp|tcp NAME TYPE", and its ID to LOG.ids.
MODE:

  truncate     UDP: TC set, no records; TCP: the full answer
  tcpclose     UDP: TC set; TCP: the connection closed unanswered
  wrongid      every answer carries another query ID
  loop         the answer's owner name is a compression pointer to itself
  rdataloop    an MX whose exchange is a pointer loop
  bigtxt       a TXT of 250 strings of 255 bytes (TC over UDP, whole on TCP)
  badtxt       a TXT whose string length runs past the record
  silent       never answers
  servfail     SERVFAIL
  ad           an A record with the AD bit set
  delay MS UPSTREAM   forward to 127.0.0.1:UPSTREAM, each answer delayed by
                      MS milliseconds (UDP and TCP)
  silentfor SUFFIX UPSTREAM  forward to 127.0.0.1:UPSTREAM, but never answer
                      a name ending in SUFFIX (one domain that times out
                      among others that do not)

Answers to A are 192.0.2.53, to MX "10 mx.NAME", to TXT "v=spf1 -all".
"""

import socket
import struct
import sys
import threading
import time

A, MX, TXT = 1, 15, 16


def qname_end(msg):
    off = 12
    while msg[off]:
        off += 1 + msg[off]
    return off + 1


def parse_q(msg):
    end = qname_end(msg)
    labels, off = [], 12
    while msg[off]:
        labels.append(msg[off + 1:off + 1 + msg[off]].decode("ascii", "replace"))
        off += 1 + msg[off]
    qtype = struct.unpack(">H", msg[end:end + 2])[0]
    return ".".join(labels), qtype, msg[12:end + 4]


def encode_name(name):
    out = b""
    for label in name.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def header(qid, flags, an):
    return struct.pack(">HHHHHH", qid, flags, 1, an, 0, 0)


def record(rtype, rdata, owner=b"\xc0\x0c"):
    return owner + struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata


def answer(msg, mode, tcp):
    qid = struct.unpack(">H", msg[:2])[0]
    name, qtype, question = parse_q(msg)
    flags = 0x8580  # QR AA RD RA
    if mode == "silent":
        return None
    if mode == "servfail":
        return header(qid, flags | 2, 0) + question
    if mode in ("truncate", "bigtxt", "tcpclose") and not tcp:
        return header(qid, flags | 0x0200, 0) + question
    if mode == "wrongid":
        qid = (qid + 1) & 0xFFFF
    if mode == "ad":
        flags |= 0x0020
    if mode == "loop":
        off = 12 + len(question)
        owner = struct.pack(">H", 0xC000 | off)
        return header(qid, flags, 1) + question + \
            record(A, bytes([192, 0, 2, 53]), owner)
    if mode == "rdataloop":
        off = 12 + len(question) + 12 + 2
        rd = struct.pack(">H", 10) + struct.pack(">H", 0xC000 | off)
        return header(qid, flags, 1) + question + record(MX, rd)
    if mode == "badtxt":
        return header(qid, flags, 1) + question + \
            record(TXT, bytes([200]) + b"short")
    if mode == "bigtxt" or (qtype == TXT):
        if mode == "bigtxt":
            rd = b"".join(bytes([255]) + bytes([65 + i % 26]) * 255
                          for i in range(250))
        else:
            rd = bytes([11]) + b"v=spf1 -all"
        return header(qid, flags, 1) + question + record(TXT, rd)
    if qtype == MX:
        rd = struct.pack(">H", 10) + encode_name("mx." + name)
        return header(qid, flags, 1) + question + record(MX, rd)
    if qtype == A:
        return header(qid, flags, 1) + question + \
            record(A, bytes([192, 0, 2, 53]))
    return header(qid, flags, 0) + question


class Server:
    def __init__(self, log, mode, args):
        self.log = open(log, "a", buffering=1)
        self.ids = open(log + ".ids", "a", buffering=1)
        self.mode = mode
        self.args = args
        self.lock = threading.Lock()

    def note(self, proto, msg):
        try:
            name, qtype, _ = parse_q(msg)
        except Exception:
            name, qtype = "?", 0
        with self.lock:
            self.log.write("%s %s %d\n" % (proto, name, qtype))
            if len(msg) >= 2:
                self.ids.write("%d\n" % struct.unpack(">H", msg[:2])[0])

    def forward(self, msg, tcp, delay_ms, port):
        up = ("127.0.0.1", int(port))
        time.sleep(delay_ms / 1000.0)
        if tcp:
            with socket.create_connection(up, timeout=5) as s:
                s.sendall(struct.pack(">H", len(msg)) + msg)
                n = struct.unpack(">H", recv_all(s, 2))[0]
                return recv_all(s, n)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(5)
            s.sendto(msg, up)
            return s.recv(65535)

    def reply(self, msg, tcp):
        if self.mode == "delay":
            return self.forward(msg, tcp, int(self.args[0]), self.args[1])
        if self.mode == "silentfor":
            name = parse_q(msg)[0].lower().rstrip(".")
            if name.endswith(self.args[0].lower()):
                return None
            return self.forward(msg, tcp, 0, self.args[1])
        return answer(msg, self.mode, tcp)

    def udp(self, sock):
        while True:
            msg, peer = sock.recvfrom(65535)
            self.note("udp", msg)
            threading.Thread(target=self.udp_one, args=(sock, msg, peer),
                             daemon=True).start()

    def udp_one(self, sock, msg, peer):
        try:
            out = self.reply(msg, False)
        except Exception:
            return
        if out is not None:
            sock.sendto(out, peer)

    def tcp(self, sock):
        while True:
            conn, _ = sock.accept()
            threading.Thread(target=self.tcp_one, args=(conn,),
                             daemon=True).start()

    def tcp_one(self, conn):
        with conn:
            try:
                while True:
                    n = struct.unpack(">H", recv_all(conn, 2))[0]
                    msg = recv_all(conn, n)
                    self.note("tcp", msg)
                    if self.mode == "tcpclose":
                        return
                    out = self.reply(msg, True)
                    if out is None:
                        time.sleep(3600)
                        return
                    conn.sendall(struct.pack(">H", len(out)) + out)
            except (EOFError, OSError):
                return


def recv_all(s, n):
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return out


def main():
    portfile, log, mode, args = sys.argv[1], sys.argv[2], sys.argv[3], \
        sys.argv[4:]
    for _ in range(20):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            t.bind(("127.0.0.1", port))
        except OSError:
            u.close()
            t.close()
            continue
        t.listen(64)
        break
    else:
        sys.exit("dnsfault: no free port")
    srv = Server(log, mode, args)
    threading.Thread(target=srv.tcp, args=(t,), daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    import os
    os.rename(portfile + ".tmp", portfile)
    srv.udp(u)


if __name__ == "__main__":
    main()
