#!/usr/bin/env python3
"""fakesmtp.py: a scripted, hostile line-protocol server for fault tests.

Usage: fakesmtp.py --script FILE --log FILE --port-file FILE
                   [--cert CERT --key KEY] [--port N] [--once]
                   [--strict [--grace SECONDS]]

Listens on 127.0.0.1 (port 0 = the kernel picks a free one; the port is then
written to --port-file, which appears atomically once the server accepts).
Every connection runs the script from its first step. With --once the server
exits after the first connection ends.

With --strict the server enforces "no PIPELINING" as strictsmtp.py does:
after each expect, read, data and bdat step, a client byte already received
or arriving within --grace seconds (default 0.05) is logged as
"* pipelining violation: BYTES", answered "500 5.5.1 Invalid command:
Pipelining not supported", and the connection is closed.

Script: one step per line, "#" comments and blank lines ignored. A step is a
keyword and an argument (the rest of the line). In arguments, C escapes are
decoded: \\r \\n \\t \\xHH \\\\.

  send TEXT      send TEXT + CRLF (one reply line; several sends = multiline)
  raw TEXT       send TEXT exactly (escapes decoded, no CRLF added), one write
  expect PREFIX  read one line; it must start with PREFIX (case-insensitive).
                 On mismatch: log "* unexpected: LINE", send "500 5.5.1
                 unexpected" and close (so a wrong client is visible).
  read           read one line, whatever it is
  data           read a message body up to the "." line (logged as C: lines)
  bdat           read one "BDAT n [LAST]" command and its n bytes
  sinkdata       as data, for big messages: nothing kept or logged line by
                 line; logged once: "* sunk N bytes sha256 HEX" (the bytes
                 as sent, dot-stuffing included, without the final ".")
  sinkbdat       as bdat, the same way; the sum runs over the chunks of a
                 transaction and is logged at the LAST one
  starttls       TLS handshake as server with --cert/--key. Any client bytes
                 already received and not yet consumed are logged as
                 "* pre-tls bytes: ..." first.
  sleep SECONDS  pause (fractions allowed)
  hang           never answer again; log what the client still sends
                 until it closes
  flood SIZE     send SIZE bytes of "x" without any newline (SIZE: N, NK, NM)
  close          close the connection (the rest of the script is skipped)
  quit           shortcut: expect QUIT, send "221 2.0.0 bye", close
  ehlo CAPS...   shortcut: expect EHLO, reply "250-fake" then one line per
                 capability (space-separated; use _ for a space inside one,
                 e.g. AUTH_PLAIN_LOGIN), the last with "250 ".

When the script ends the connection is closed.

Transcript (--log), appended, flushed at once, one entry per line:
  "* connect N"  a new connection (N counts from 1)
  "C: LINE"      a line from the client (CRLF stripped; non-UTF-8 shown as
                 \\xHH escapes)
  "S: LINE"      what the server sent (raw sends show escapes)
  "* tls"        TLS is established; "* tls failed: WHY" if not
  "* eof"        the client closed the connection
  "* close"      the server closed the connection
"""

import argparse
import hashlib
import os
import socket
import ssl
import sys
import threading
import time


def unescape(s):
    out = bytearray()
    i = 0
    b = s.encode("utf-8")
    while i < len(b):
        c = b[i]
        if c == 0x5C and i + 1 < len(b):
            n = chr(b[i + 1])
            if n == "r":
                out += b"\r"
            elif n == "n":
                out += b"\n"
            elif n == "t":
                out += b"\t"
            elif n == "\\":
                out += b"\\"
            elif n == "x" and i + 3 < len(b):
                out.append(int(b[i + 2:i + 4].decode(), 16))
                i += 4
                continue
            else:
                out += b"\\" + bytes([b[i + 1]])
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


def show(b):
    return b.decode("utf-8", "backslashreplace").replace("\r", "\\r")


def parse_size(s):
    s = s.strip().upper()
    mult = 1
    if s.endswith("K"):
        mult, s = 1024, s[:-1]
    elif s.endswith("M"):
        mult, s = 1024 * 1024, s[:-1]
    return int(s) * mult


class Closed(Exception):
    pass


def refuse_pipelining(session, shown):
    """What OpenSMTPD does to a client that wrote ahead of a reply: log
    it, answer 500 and close (raises Closed). session has sock and log()."""
    session.log("* pipelining violation: " + shown)
    try:
        session.sock.sendall(b"500 5.5.1 Invalid command: "
                             b"Pipelining not supported\r\n")
        session.log("S: 500 5.5.1 Invalid command: "
                    "Pipelining not supported")
    except OSError:
        pass
    raise Closed("server")


class Session:
    MAXLINE = 1 << 20

    def __init__(self, sock, n, args, log):
        self.sock = sock
        self.n = n
        self.args = args
        self.logf = log
        self.buf = b""
        self.sunk = None

    def log(self, line):
        with self.args.lock:
            self.logf.write(line + "\n")
            self.logf.flush()

    def sendall(self, data, shown=None):
        try:
            self.sock.sendall(data)
        except OSError as e:
            self.log("* send failed: %s" % e)
            raise Closed()
        if shown is not None:
            self.log("S: " + shown)

    def fill(self):
        try:
            d = self.sock.recv(65536)
        except OSError as e:
            self.log("* recv failed: %s" % e)
            raise Closed()
        if not d:
            self.log("* eof")
            raise Closed()
        self.buf += d

    def readline(self):
        while b"\n" not in self.buf:
            if len(self.buf) > self.MAXLINE:
                line, self.buf = self.buf, b""
                self.log("C: " + show(line) + " [overlong]")
                return line
            self.fill()
        line, self.buf = self.buf.split(b"\n", 1)
        if line.endswith(b"\r"):
            line = line[:-1]
        self.log("C: " + show(line))
        return line

    def readn(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def sink_begin(self):
        if self.sunk is None:
            self.sunk = [0, hashlib.sha256()]

    def sink_end(self):
        n, h = self.sunk
        self.sunk = None
        self.log("* sunk %d bytes sha256 %s" % (n, h.hexdigest()))

    def sink_add(self, d):
        self.sunk[0] += len(d)
        self.sunk[1].update(d)

    def sink_data(self):
        """Up to CRLF "." CRLF, in bounded memory. last2: the two bytes
        before buf (at first the DATA line's CRLF)."""
        self.sink_begin()
        last2 = b"\r\n"
        while True:
            look = last2 + self.buf
            i = look.find(b"\r\n.\r\n")
            if i >= 0:
                self.sink_add(look[2:i + 2])
                self.buf = look[i + 5:]
                break
            # all but the last 4 bytes, which may start the terminator
            cut = max(len(self.buf) - 4, 0)
            if cut:
                self.sink_add(self.buf[:cut])
                last2 = look[cut:cut + 2]
                self.buf = self.buf[cut:]
            self.fill()
        self.sink_end()

    def sink_bdat(self):
        line = self.readline()
        parts = line.split()
        if len(parts) < 2 or parts[0].upper() != b"BDAT":
            self.log("* unexpected: " + show(line))
            raise Closed()
        self.sink_begin()
        left = int(parts[1])
        while left > 0:
            if not self.buf:
                self.fill()
            d = self.buf[:left]
            self.buf = self.buf[len(d):]
            self.sink_add(d)
            left -= len(d)
        if len(parts) > 2 and parts[2].upper() == b"LAST":
            self.sink_end()

    def check(self):
        """--strict: nothing more from the client may be here yet."""
        if not self.args.strict:
            return
        if not self.buf:
            self.sock.settimeout(self.args.grace)
            try:
                d = self.sock.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError):
                d = b""
            except OSError:
                d = b""
            finally:
                self.sock.settimeout(None)
            self.buf += d
        if self.buf:
            refuse_pipelining(self, show(self.buf).replace("\n", "\\n"))

    def expect(self, prefix):
        line = self.readline()
        if not line.upper().startswith(prefix.upper().encode()):
            self.log("* unexpected: " + show(line))
            try:
                self.sock.sendall(b"500 5.5.1 unexpected\r\n")
                self.log("S: 500 5.5.1 unexpected")
            except OSError:
                pass
            raise Closed()
        self.check()

    def step(self, kw, arg):
        if kw == "send":
            self.sendall(unescape(arg) + b"\r\n", arg)
        elif kw == "raw":
            self.sendall(unescape(arg), arg)
        elif kw == "expect":
            self.expect(arg)
        elif kw == "read":
            self.readline()
            self.check()
        elif kw == "data":
            while True:
                line = self.readline()
                if line == b".":
                    break
            self.check()
        elif kw == "bdat":
            line = self.readline()
            parts = line.split()
            if len(parts) < 2 or parts[0].upper() != b"BDAT":
                self.log("* unexpected: " + show(line))
                raise Closed()
            d = self.readn(int(parts[1]))
            self.log("* bdat %d bytes" % len(d))
            for chunk_line in d.split(b"\n"):
                self.log("C| " + show(chunk_line.rstrip(b"\r")))
            self.check()
        elif kw == "sinkdata":
            self.sink_data()
            self.check()
        elif kw == "sinkbdat":
            self.sink_bdat()
            self.check()
        elif kw == "starttls":
            if self.buf:
                self.log("* pre-tls bytes: " + show(self.buf))
                self.buf = b""
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.args.cert, self.args.key)
            try:
                self.sock = ctx.wrap_socket(self.sock, server_side=True)
            except (OSError, ssl.SSLError) as e:
                self.log("* tls failed: %s" % e)
                raise Closed()
            self.log("* tls")
        elif kw == "sleep":
            time.sleep(float(arg))
        elif kw == "hang":
            self.log("* hang")
            while True:
                self.readline()
        elif kw == "flood":
            left = parse_size(arg)
            self.log("S: [flood %d bytes]" % left)
            chunk = b"x" * 65536
            while left > 0:
                n = min(left, len(chunk))
                self.sendall(chunk[:n])
                left -= n
        elif kw == "close":
            raise Closed("server")
        elif kw == "quit":
            self.expect("QUIT")
            self.sendall(b"221 2.0.0 bye\r\n", "221 2.0.0 bye")
            raise Closed("server")
        elif kw == "ehlo":
            self.expect("EHLO")
            caps = [c.replace("_", " ") for c in arg.split()]
            lines = ["fake"] + caps
            out = b""
            for i, c in enumerate(lines):
                sep = " " if i == len(lines) - 1 else "-"
                out += ("250" + sep + c + "\r\n").encode()
            self.sendall(out)
            for ln in out.decode().split("\r\n")[:-1]:
                self.log("S: " + ln)
        else:
            self.log("* bad script step: " + kw)
            raise Closed("server")

    def run(self, steps):
        self.log("* connect %d" % self.n)
        try:
            for kw, arg in steps:
                self.step(kw, arg)
            raise Closed("server")
        except Closed as e:
            if e.args and e.args[0] == "server":
                self.log("* close")
        finally:
            try:
                self.sock.close()
            except OSError:
                pass


def load(path):
    steps = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            kw, _, arg = s.partition(" ")
            steps.append((kw.lower(), arg))
    return steps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--script", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--once", action="store_true")
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--grace", type=float, default=0.05)
    args = ap.parse_args()
    args.lock = threading.Lock()
    steps = load(args.script)
    return serve(args, lambda c, n, log: Session(c, n, args, log), (steps,))


def serve(args, session, run_args=()):
    """Listen on 127.0.0.1:args.port, write the port to args.port_file
    (atomically, once listening), append the transcript to args.log, and
    run session(sock, n, log).run(*run_args) for every connection, each in
    a thread; with args.once only the first, then return 0."""
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(16)
    port = ls.getsockname()[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)

    log = open(args.log, "a", encoding="utf-8")
    n = 0
    while True:
        c, _ = ls.accept()
        n += 1
        s = session(c, n, log)
        if args.once:
            s.run(*run_args)
            return 0
        t = threading.Thread(target=s.run, args=run_args, daemon=True)
        t.start()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
