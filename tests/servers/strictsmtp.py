#!/usr/bin/env python3
"""strictsmtp.py: a stateful SMTP server that enforces "no PIPELINING".

Usage: strictsmtp.py --log FILE --dir DIR --port-file FILE
                     [--cert CERT --key KEY] [--port N] [--once]
                     [--chunking] [--smtputf8] [--pipelining]
                     [--no-starttls] [--no-auth] [--require-tls]
                     [--require-auth] [--user NAME] [--password PW]
                     [--size N] [--grace SECONDS]

It behaves like OpenSMTPD 6.8, which offers no PIPELINING and enforces it:
after every line the client sends (a command, an AUTH response, the final
"." of DATA) and after every BDAT chunk, client bytes already buffered, or
arriving within --grace seconds (default 0.05) before the reply is sent,
are a violation. The server then logs "* pipelining violation: BYTES",
answers "500 5.5.1 Invalid command: Pipelining not supported" and closes,
as OpenSMTPD does. The grace period makes the check deterministic for a
client that writes two commands in two writes. With --pipelining the
server offers PIPELINING and checks nothing.

Conventions as in fakesmtp.py: 127.0.0.1, port 0 = a free one written to
--port-file (atomically, once the server accepts), one thread per
connection, --once to serve one connection and exit.

EHLO offers 8BITMIME ENHANCEDSTATUSCODES SIZE N DSN STARTTLS AUTH PLAIN
LOGIN HELP, plus CHUNKING (--chunking) and SMTPUTF8 (--smtputf8), without
STARTTLS after TLS or with --no-starttls, without AUTH with --no-auth, and
with AUTH only after TLS with --require-tls (which also refuses MAIL before
STARTTLS: 530). --require-auth refuses MAIL before AUTH (530).

Commands: EHLO, HELO, STARTTLS (real TLS with --cert/--key; bytes received
before the handshake: "* pre-tls bytes: ..." and close), AUTH PLAIN and
AUTH LOGIN (with or without an initial response; --user/--password,
default alice/secret; 235 or 535), MAIL FROM (SIZE, BODY=7BIT|8BITMIME,
SMTPUTF8, RET, ENVID; anything else 555), RCPT TO (NOTIFY, ORCPT; anything
else 555), DATA (dot-unstuffed), BDAT n [LAST] (with --chunking), RSET,
NOOP, HELP, QUIT. A command out of sequence gets 503.

A sender whose local part is refuse* gets 550 5.7.1. Recipients by local
part: refuse* -> 550 5.1.1, busy* -> 451 4.2.0,
badmsg* -> accepted, but the message is refused (554 5.6.0) at the final
dot or at the transaction's first BDAT chunk; anything else -> 250. After a
refused chunk, a further BDAT before RSET or MAIL gets 503 and is logged as
"* bdat after refused chunk" (RFC 3030 3: the client must send none).

Every accepted message is stored in --dir as msg.N.eml (N from 1, across
connections: the exact bytes received, after dot-unstuffing for DATA) and,
written first, msg.N.env, one "key value" line each:
  connection N       the connection it came on
  helo EHLO NAME     the greeting command last given
  tls yes|no
  auth MECH USER     or "auth none"
  mail <ADDR> PARAMS the MAIL FROM address and parameters as sent
  rcpt <ADDR> PARAMS one line per accepted recipient
  transfer DATA      or "transfer BDAT N" (N chunks)
  size N             bytes in msg.N.eml

Transcript (--log), appended and flushed at once, one entry per line:
  "* connect N", "C: LINE", "S: LINE", "C| LINE" (BDAT chunk lines),
  "* bdat N bytes", "* tls", "* tls failed: WHY", "* pre-tls bytes: ...",
  "* pipelining violation: BYTES", "* bdat after refused chunk",
  "* stored N", "* eof" (the client closed), "* close" (the server did).
"""

import argparse
import base64
import os
import re
import socket
import ssl
import sys
import threading

from fakesmtp import Closed, refuse_pipelining, serve

HOSTNAME = "strict.localhost"


def show(b, limit=300):
    s = b.decode("utf-8", "backslashreplace").replace("\r", "\\r")
    s = s.replace("\n", "\\n")
    if len(s) > limit:
        s = s[:limit] + "..."
    return s


class Session:
    MAXLINE = 1 << 16

    def __init__(self, sock, n, args, log):
        self.sock = sock
        self.n = n
        self.args = args
        self.logf = log
        self.buf = b""
        self.eof = False
        self.tls = False
        self.helo = None
        self.esmtp = False
        self.auth = None
        self.reset()

    def reset(self):
        self.mail = None
        self.rcpts = []
        self.chunks = []
        self.badmsg = False
        self.chunk_refused = False

    # ---- transcript and wire ----

    def log(self, line):
        with self.args.lock:
            self.logf.write(line + "\n")
            self.logf.flush()

    def reply(self, *lines):
        out = b""
        for i, ln in enumerate(lines):
            code, text = ln[:3], ln[4:]
            sep = " " if i == len(lines) - 1 else "-"
            out += (code + sep + text + "\r\n").encode()
        try:
            self.sock.sendall(out)
        except OSError as e:
            self.log("* send failed: %s" % e)
            raise Closed()
        for ln in out.decode().split("\r\n")[:-1]:
            self.log("S: " + ln)

    def fill(self):
        if self.eof:
            raise Closed()
        try:
            d = self.sock.recv(65536)
        except OSError as e:
            self.log("* recv failed: %s" % e)
            raise Closed()
        if not d:
            self.log("* eof")
            raise Closed()
        self.buf += d

    def rawline(self):
        """One line with its terminator, or the overlong rest."""
        while b"\n" not in self.buf:
            if len(self.buf) > self.MAXLINE:
                line, self.buf = self.buf, b""
                return line
            self.fill()
        i = self.buf.index(b"\n") + 1
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def readline(self):
        line = self.rawline().rstrip(b"\n")
        if line.endswith(b"\r"):
            line = line[:-1]
        self.log("C: " + show(line, 1 << 20))
        return line

    def readn(self, n):
        while len(self.buf) < n:
            self.fill()
        d, self.buf = self.buf[:n], self.buf[n:]
        return d

    def check(self):
        """The reply is due: nothing more from the client may be here."""
        if self.args.pipelining:
            return
        if not self.buf and not self.eof:
            self.sock.settimeout(self.args.grace)
            try:
                d = self.sock.recv(65536)
            except (socket.timeout, ssl.SSLWantReadError):
                d = None
            except OSError:
                d = b""
            finally:
                self.sock.settimeout(None)
            if d == b"":
                # the client closed (after QUIT it need not wait)
                self.log("* eof")
                self.eof = True
            elif d:
                self.buf += d
        if self.buf:
            refuse_pipelining(self, show(self.buf))

    # ---- commands ----

    def caps(self):
        c = ["8BITMIME", "ENHANCEDSTATUSCODES", "SIZE %d" % self.args.size,
             "DSN"]
        if self.args.pipelining:
            c.append("PIPELINING")
        if self.args.chunking:
            c.append("CHUNKING")
        if self.args.smtputf8:
            c.append("SMTPUTF8")
        if not self.args.no_starttls and not self.tls:
            c.append("STARTTLS")
        if not self.args.no_auth and (self.tls or not self.args.require_tls):
            c.append("AUTH PLAIN LOGIN")
        c.append("HELP")
        return c

    def cmd_ehlo(self, verb, arg):
        if not arg:
            return self.reply("501 5.5.4 %s requires domain name" % verb)
        self.reset()
        self.helo = "%s %s" % (verb, arg)
        self.esmtp = verb == "EHLO"
        greet = "250 %s Hello %s [127.0.0.1], pleased to meet you" % (
            HOSTNAME, arg)
        if not self.esmtp:
            return self.reply(greet)
        self.reply(greet, *["250 " + c for c in self.caps()])

    def cmd_starttls(self, arg):
        if self.args.no_starttls or self.tls:
            return self.reply("503 5.5.1 Invalid command: "
                              "Command not supported")
        if self.helo is None:
            return self.reply("503 5.5.1 Invalid command: "
                              "Polite people say HELO first")
        if arg:
            return self.reply("501 5.5.4 No parameters allowed")
        self.reply("220 2.0.0 Ready to start TLS")
        if self.buf:
            self.log("* pre-tls bytes: " + show(self.buf))
            raise Closed("server")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.args.cert, self.args.key)
        try:
            self.sock = ctx.wrap_socket(self.sock, server_side=True)
        except (OSError, ssl.SSLError) as e:
            self.log("* tls failed: %s" % e)
            raise Closed()
        self.log("* tls")
        # RFC 3207 4.2: everything before TLS is forgotten
        self.tls = True
        self.helo = None
        self.esmtp = False
        self.auth = None
        self.reset()

    def auth_line(self, prompt):
        self.reply("334 " + prompt)
        line = self.readline()
        self.check()
        if line == b"*":
            self.reply("501 5.7.0 Authentication aborted")
            return None
        try:
            return base64.b64decode(line, validate=True)
        except ValueError:
            self.reply("501 5.5.2 Syntax error")
            return None

    def b64arg(self, s):
        if s == "=":
            return b""
        try:
            return base64.b64decode(s, validate=True)
        except ValueError:
            self.reply("501 5.5.2 Syntax error")
            return None

    def cmd_auth(self, arg):
        if self.helo is None:
            return self.reply("503 5.5.1 Invalid command: "
                              "Polite people say HELO first")
        if self.args.no_auth:
            return self.reply("503 5.5.1 Invalid command: "
                              "Command not supported")
        if self.args.require_tls and not self.tls:
            return self.reply("530 5.7.0 Must issue a STARTTLS "
                              "command first")
        if self.auth is not None:
            return self.reply("503 5.5.1 Invalid command: "
                              "Already authenticated")
        if self.mail is not None:
            return self.reply("503 5.5.1 Invalid command: "
                              "Transaction in progress")
        parts = arg.split()
        if not parts or len(parts) > 2:
            return self.reply("501 5.5.4 Syntax error")
        mech = parts[0].upper()
        ir = parts[1] if len(parts) == 2 else None
        if mech == "PLAIN":
            d = self.b64arg(ir) if ir is not None else self.auth_line("")
            if d is None:
                return
            f = d.split(b"\0")
            if len(f) != 3:
                return self.reply("501 5.5.2 Syntax error")
            user, pw = f[1], f[2]
        elif mech == "LOGIN":
            if ir is not None:
                user = self.b64arg(ir)
            else:
                user = self.auth_line("VXNlcm5hbWU6")
            if user is None:
                return
            pw = self.auth_line("UGFzc3dvcmQ6")
            if pw is None:
                return
        else:
            return self.reply("504 5.5.4 Mechanism not supported")
        if (user.decode("utf-8", "replace") == self.args.user and
                pw.decode("utf-8", "replace") == self.args.password):
            self.auth = "%s %s" % (mech, self.args.user)
            return self.reply("235 2.0.0 Authentication succeeded")
        self.reply("535 5.7.8 Authentication failed")

    def params(self, s):
        out = []
        for p in s.split():
            k, eq, v = p.partition("=")
            out.append((k.upper(), v if eq else None, p))
        return out

    def cmd_mail(self, arg):
        if self.helo is None:
            return self.reply("503 5.5.1 Invalid command: "
                              "Polite people say HELO first")
        if self.args.require_tls and not self.tls:
            return self.reply("530 5.7.0 Must issue a STARTTLS "
                              "command first")
        if self.args.require_auth and self.auth is None:
            return self.reply("530 5.7.0 Must issue an AUTH command first")
        if self.mail is not None:
            return self.reply("503 5.5.1 Invalid command: "
                              "Only one MAIL FROM allowed")
        m = re.match(r"(?i)FROM:\s*<([^<>]*)>(.*)$", arg)
        if not m:
            return self.reply("553 5.1.7 Sender address syntax error")
        for k, v, p in self.params(m.group(2)):
            ok = self.esmtp
            if k == "SIZE":
                ok = ok and v is not None and v.isdigit()
                if ok and int(v) > self.args.size:
                    return self.reply("552 5.3.4 Message too large")
            elif k == "BODY":
                ok = ok and v is not None and v.upper() in ("7BIT",
                                                            "8BITMIME")
            elif k == "SMTPUTF8":
                ok = ok and v is None and self.args.smtputf8
            elif k == "RET":
                ok = ok and v is not None and v.upper() in ("FULL", "HDRS")
            elif k == "ENVID":
                ok = ok and bool(v)
            else:
                ok = False
            if not ok:
                return self.reply("555 5.5.4 Unsupported option %s" % p)
        if m.group(1).rsplit("@", 1)[0].lower().startswith("refuse"):
            return self.reply("550 5.7.1 Sender refused: <%s>" % m.group(1))
        self.reset()
        self.mail = "<%s>%s" % (m.group(1), m.group(2).rstrip())
        self.reply("250 2.0.0 Ok")

    def cmd_rcpt(self, arg):
        if self.mail is None:
            return self.reply("503 5.5.1 Invalid command: "
                              "No sender specified")
        m = re.match(r"(?i)TO:\s*<([^<>]+)>(.*)$", arg)
        if not m:
            return self.reply("501 5.1.3 Bad recipient address syntax")
        addr = m.group(1)
        for k, v, p in self.params(m.group(2)):
            if k == "NOTIFY" and v:
                w = v.upper().split(",")
                ok = w == ["NEVER"] or all(
                    x in ("SUCCESS", "FAILURE", "DELAY") for x in w)
            elif k == "ORCPT" and v:
                ok = ";" in v
            else:
                ok = False
            if not ok:
                return self.reply("555 5.5.4 Unsupported option %s" % p)
        local = addr.rsplit("@", 1)[0].lower()
        if local.startswith("refuse"):
            return self.reply("550 5.1.1 Invalid recipient: <%s>" % addr)
        if local.startswith("busy"):
            return self.reply("451 4.2.0 Temporary failure: <%s>" % addr)
        if local.startswith("badmsg"):
            self.badmsg = True
        self.rcpts.append("<%s>%s" % (addr, m.group(2).rstrip()))
        self.reply("250 2.1.5 Destination address valid: Recipient ok")

    def store(self, data, transfer):
        a = self.args
        with a.lock:
            a.count += 1
            n = a.count
        base = os.path.join(a.dir, "msg.%d" % n)
        env = ["connection %d" % self.n, "helo %s" % self.helo,
               "tls %s" % ("yes" if self.tls else "no"),
               "auth %s" % (self.auth or "none"), "mail %s" % self.mail]
        env += ["rcpt %s" % r for r in self.rcpts]
        env += ["transfer %s" % transfer, "size %d" % len(data)]
        with open(base + ".env.tmp", "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write("\n".join(env) + "\n")
        os.rename(base + ".env.tmp", base + ".env")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(data)
        os.rename(base + ".eml.tmp", base + ".eml")
        self.log("* stored %d" % n)
        return n

    def cmd_data(self, arg):
        if self.mail is None:
            return self.reply("503 5.5.1 Invalid command: "
                              "No sender specified")
        if not self.rcpts:
            return self.reply("503 5.5.1 Invalid command: "
                              "No recipient specified")
        if self.chunks:
            return self.reply("503 5.5.1 Invalid command: "
                              "DATA after BDAT")
        if arg:
            return self.reply("501 5.5.4 No parameters allowed")
        self.reply('354 Enter mail, end with "." on a line by itself')
        data = bytearray()
        while True:
            raw = self.rawline()
            line = raw.rstrip(b"\n").rstrip(b"\r")
            self.log("C: " + show(line, 1 << 20))
            if line == b".":
                break
            if raw.startswith(b"."):
                raw = raw[1:]
            data += raw
        self.check()
        if self.badmsg:
            self.reset()
            return self.reply("554 5.6.0 Message refused")
        n = self.store(bytes(data), "DATA")
        self.reset()
        self.reply("250 2.0.0 %08x Message accepted for delivery" % n)

    def cmd_bdat(self, arg):
        if not self.args.chunking:
            return self.reply("500 5.5.1 Invalid command: "
                              "Command unrecognized")
        m = re.match(r"(?i)(\d+)( +LAST)? *$", arg)
        if not m:
            self.reply("501 5.5.4 Syntax error")
            raise Closed("server")
        d = self.readn(int(m.group(1)))
        last = m.group(2) is not None
        self.log("* bdat %d bytes" % len(d))
        for chunk_line in d.split(b"\n"):
            self.log("C| " + show(chunk_line.rstrip(b"\r"), 1 << 20))
        self.check()
        if self.chunk_refused:
            self.log("* bdat after refused chunk")
            return self.reply("503 5.5.1 Invalid command: "
                              "BDAT after a refused chunk")
        if self.mail is None:
            return self.reply("503 5.5.1 Invalid command: "
                              "No sender specified")
        if not self.rcpts:
            return self.reply("503 5.5.1 Invalid command: "
                              "No recipient specified")
        if self.badmsg:
            self.reset()
            self.chunk_refused = True
            return self.reply("554 5.6.0 Message refused")
        self.chunks.append(d)
        if not last:
            return self.reply("250 2.0.0 %d bytes received" % len(d))
        n = self.store(b"".join(self.chunks), "BDAT %d" % len(self.chunks))
        self.reset()
        self.reply("250 2.0.0 %08x Message accepted for delivery" % n)

    def command(self, line):
        text = line.decode("utf-8", "surrogateescape")
        verb, _, arg = text.partition(" ")
        verb = verb.upper()
        arg = arg.strip()
        if verb in ("EHLO", "HELO"):
            self.cmd_ehlo(verb, arg)
        elif verb == "STARTTLS":
            self.cmd_starttls(arg)
        elif verb == "AUTH":
            self.cmd_auth(arg)
        elif verb == "MAIL":
            self.cmd_mail(arg)
        elif verb == "RCPT":
            self.cmd_rcpt(arg)
        elif verb == "DATA":
            self.cmd_data(arg)
        elif verb == "BDAT":
            self.cmd_bdat(arg)
        elif verb == "RSET":
            self.reset()
            self.reply("250 2.0.0 Reset state")
        elif verb == "NOOP":
            self.reply("250 2.0.0 Ok")
        elif verb == "HELP":
            self.reply("214 2.0.0 This is a strict test server")
        elif verb == "QUIT":
            try:
                self.reply("221 2.0.0 Bye")
            except Closed:
                pass
            raise Closed("server")
        else:
            self.reply("500 5.5.1 Invalid command: Command unrecognized")

    def run(self):
        self.log("* connect %d" % self.n)
        try:
            self.reply("220 %s ESMTP OpenSMTPD" % HOSTNAME)
            while True:
                line = self.readline()
                # BDAT's chunk follows its command line at once
                if not (self.args.chunking and
                        line.upper().startswith(b"BDAT")):
                    self.check()
                self.command(line)
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
    ap.add_argument("--log", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port-file")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--once", action="store_true")
    ap.add_argument("--chunking", action="store_true")
    ap.add_argument("--smtputf8", action="store_true")
    ap.add_argument("--pipelining", action="store_true")
    ap.add_argument("--no-starttls", action="store_true")
    ap.add_argument("--no-auth", action="store_true")
    ap.add_argument("--require-tls", action="store_true")
    ap.add_argument("--require-auth", action="store_true")
    ap.add_argument("--user", default="alice")
    ap.add_argument("--password", default="secret")
    ap.add_argument("--size", type=int, default=10485760)
    ap.add_argument("--grace", type=float, default=0.05)
    args = ap.parse_args()
    args.lock = threading.Lock()
    args.count = 0
    os.makedirs(args.dir, exist_ok=True)

    return serve(args, lambda c, n, log: Session(c, n, args, log))

if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(0)
