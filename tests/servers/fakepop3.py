#!/usr/bin/env python3
"""fakepop3.py: a stateful, hostile POP3 server for mpop's fault tests.

Usage: fakepop3.py --dir DIR --log FILE --port-file FILE
                   [--cert CERT --key KEY] [--port N] [--once]
                   [--user NAME --password PW] [options below]

The maildrop is the files of DIR (sorted by name; message N is the Nth).
RETR sends a file with CRLF line ends, dot-stuffed. DELE marks; only QUIT's
+OK removes the marked files (RFC 1939 6), so a connection cut before QUIT
deletes nothing. The UIDL of a message is its file name.

Faults and strictness (each a flag):
  --pipelining       announce PIPELINING in CAPA. Without it the server is
                     strict: a client byte that arrives before the reply to
                     the line before it is "* pipelining violation: BYTES",
                     answered "-ERR pipelining not supported", and the
                     connection is closed (fakesmtp.refuse_pipelining's rule)
  --stls             announce STLS and do the TLS handshake on "STLS"
  --stls-err         answer STLS with -ERR
  --inject TEXT      after the STLS +OK, in the same write, send TEXT+CRLF
                     (bytes before TLS)
  --greeting-flood SIZE  a greeting of SIZE bytes (N, NK, NM) without CRLF
  --cut-retr N       RETR N sends half the message then closes the connection
  --dup-uidl         UIDL lists the first message's id for every message
  --no-uidl          UIDL answers -ERR
  --dele-err         DELE answers -ERR
  --cut-at-quit      QUIT closes the connection without a reply and without
                     removing anything
  --grace SECONDS    strict mode wait (default 0.05)

Transcript (--log) as fakesmtp.py: "* connect N", "C: LINE", "S: LINE"
(message data as "S: [message N: BYTES bytes]"), "* tls", "* eof", "* close".
"""

import argparse
import os
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fakesmtp import Closed, Session, parse_size, serve, show  # noqa: E402


class Pop3(Session):
    def __init__(self, sock, n, args, log):
        super().__init__(sock, n, args, log)
        self.deleted = set()
        self.msgs = sorted(os.listdir(args.dir))

    def check(self):
        if self.args.pipelining:
            return
        if not self.buf:
            self.sock.settimeout(self.args.grace)
            try:
                self.buf += self.sock.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError, OSError):
                pass
            finally:
                self.sock.settimeout(None)
        if self.buf:
            self.log("* pipelining violation: " +
                     show(self.buf).replace("\n", "\\n"))
            try:
                self.sock.sendall(b"-ERR pipelining not supported\r\n")
            except OSError:
                pass
            raise Closed("server")

    def ok(self, text=""):
        self.reply("+OK" + (" " + text if text else ""))

    def reply(self, line):
        self.check()
        self.sendall(line.encode() + b"\r\n", line)

    def path(self, n):
        return os.path.join(self.args.dir, self.msgs[n - 1])

    def number(self, arg):
        try:
            n = int(arg)
        except ValueError:
            return None
        if n < 1 or n > len(self.msgs) or n in self.deleted:
            return None
        return n

    def body(self, n, cut):
        with open(self.path(n), "rb") as f:
            data = f.read()
        out = bytearray()
        for line in data.split(b"\n"):
            line = line.rstrip(b"\r")
            if line.startswith(b"."):
                line = b"." + line
            out += line + b"\r\n"
        if data.endswith(b"\n"):
            out = out[:-2]
        if cut:
            self.sendall(bytes(out[:len(out) // 2]),
                         "[message %d: cut]" % n)
            raise Closed("server")
        self.sendall(bytes(out) + b".\r\n",
                     "[message %d: %d bytes]" % (n, len(out)))

    def capa(self):
        lines = ["+OK", "TOP", "UIDL", "RESP-CODES", "USER"]
        if self.args.pipelining:
            lines.append("PIPELINING")
        if (self.args.stls or self.args.stls_err) and not self.tls:
            lines.append("STLS")
        lines.append(".")
        self.check()
        for ln in lines:
            self.sendall(ln.encode() + b"\r\n", ln)

    def listing(self, uidl):
        self.check()
        out = ["+OK"]
        for i, name in enumerate(self.msgs, 1):
            if i in self.deleted:
                continue
            if uidl:
                uid = self.msgs[0] if self.args.dup_uidl else name
                out.append("%d %s" % (i, uid))
            else:
                out.append("%d %d" % (i, os.path.getsize(self.path(i))))
        out.append(".")
        self.sendall(("\r\n".join(out) + "\r\n").encode())
        for ln in out:
            self.log("S: " + ln)

    def run(self):
        self.log("* connect %d" % self.n)
        self.tls = False
        authed = False
        user = None
        try:
            if self.args.greeting_flood:
                self.sendall(b"+OK " + b"x" * parse_size(
                    self.args.greeting_flood), "[flood]")
                while True:
                    self.readline()
            self.sendall(b"+OK fake POP3 ready\r\n", "+OK fake POP3 ready")
            while True:
                line = self.readline().decode("utf-8", "replace")
                cmd, _, arg = line.partition(" ")
                cmd = cmd.upper()
                if cmd == "CAPA":
                    self.capa()
                elif cmd == "STLS" and self.args.stls_err:
                    self.reply("-ERR TLS not available now")
                elif cmd == "STLS" and self.args.stls and not self.tls:
                    self.check()
                    extra = b""
                    if self.args.inject:
                        extra = self.args.inject.encode() + b"\r\n"
                    self.sendall(b"+OK begin TLS\r\n" + extra,
                                 "+OK begin TLS")
                    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                    ctx.load_cert_chain(self.args.cert, self.args.key)
                    try:
                        self.sock = ctx.wrap_socket(self.sock,
                                                    server_side=True)
                    except (OSError, ssl.SSLError) as e:
                        self.log("* tls failed: %s" % e)
                        raise Closed()
                    self.tls = True
                    self.log("* tls")
                elif cmd == "USER":
                    user = arg
                    self.ok()
                elif cmd == "PASS":
                    if user == self.args.user and arg == self.args.password:
                        authed = True
                        self.ok("logged in")
                    else:
                        self.reply("-ERR [AUTH] bad login")
                elif cmd == "QUIT":
                    if self.args.cut_at_quit:
                        raise Closed("server")
                    for n in sorted(self.deleted):
                        os.unlink(self.path(n))
                    self.ok("bye")
                    raise Closed("server")
                elif not authed:
                    self.reply("-ERR log in first")
                elif cmd == "STAT":
                    live = [i for i in range(1, len(self.msgs) + 1)
                            if i not in self.deleted]
                    self.ok("%d %d" % (len(live), sum(
                        os.path.getsize(self.path(i)) for i in live)))
                elif cmd == "LIST" and not arg:
                    self.listing(False)
                elif cmd == "UIDL" and not arg:
                    if self.args.no_uidl:
                        self.reply("-ERR no UIDL here")
                    else:
                        self.listing(True)
                elif cmd == "RETR" and self.number(arg):
                    n = self.number(arg)
                    self.ok()
                    self.body(n, n == self.args.cut_retr)
                elif cmd == "DELE" and self.number(arg):
                    if self.args.dele_err:
                        self.reply("-ERR [SYS/PERM] cannot delete")
                    else:
                        self.deleted.add(self.number(arg))
                        self.ok("deleted")
                elif cmd == "RSET":
                    self.deleted.clear()
                    self.ok()
                elif cmd == "NOOP":
                    self.ok()
                else:
                    self.reply("-ERR unknown command or message")
        except Closed as e:
            if e.args and e.args[0] == "server":
                self.log("* close")
        finally:
            try:
                self.sock.close()
            except OSError:
                pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--once", action="store_true")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--password", default="secret")
    ap.add_argument("--pipelining", action="store_true")
    ap.add_argument("--stls", action="store_true")
    ap.add_argument("--stls-err", action="store_true")
    ap.add_argument("--inject")
    ap.add_argument("--greeting-flood")
    ap.add_argument("--cut-retr", type=int, default=0)
    ap.add_argument("--dup-uidl", action="store_true")
    ap.add_argument("--no-uidl", action="store_true")
    ap.add_argument("--dele-err", action="store_true")
    ap.add_argument("--cut-at-quit", action="store_true")
    ap.add_argument("--grace", type=float, default=0.05)
    args = ap.parse_args()
    args.lock = threading.Lock()
    args.strict = not args.pipelining
    return serve(args, lambda c, n, log: Pop3(c, n, args, log))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
