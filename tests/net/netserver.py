#!/usr/bin/env python3
"""Scripted test servers for tests/net.bats (one connection each, then exit).

usage: netserver.py MODE PORT [--cert C --key K] [--tls-max 1.2] [--ready FILE]
modes:
  tls        implicit TLS: "220 tls <version>", then "250 echo <line>" per
             line until QUIT ("221 bye")
  starttls   plain "220 plain", expects STARTTLS, "220 go ahead", TLS
             handshake; then it answers only over TLS: "250 tls <version>"
             for the first line, echo after
  inject     as starttls, but sends "220 go ahead" and "250 injected" in
             one write before the handshake
  silent     accepts and never says a thing
  echo       plain: "220 plain", then echo as in tls
  big        plain, small socket buffers: "220 hello", then for each line
             the reply "250 " + the line (a server that answers while the
             client still sends)
  bigtls     the same over implicit TLS
  socks5     a SOCKS5 proxy (no auth, CONNECT); logs the requested
             destination to the --log file, then relays
Listens on --bind ADDRESS (default 127.0.0.1); writes its port to --ready
FILE once listening.
"""
import argparse
import os
import socket
import ssl
import sys
import threading


def tls_ctx(a):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    if a.tls_max == "1.2":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if a.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(a.client_ca)
    return ctx


def lines(f):
    for raw in f:
        yield raw.rstrip(b"\r\n")


def echo_loop(f, w):
    for line in lines(f):
        if line.upper() == b"QUIT":
            w(b"221 bye\r\n")
            return
        if line.upper() == b"DATA":
            w(b"354 go on\r\n")
            n = 0
            body = b""
            for d in f:
                if d == b".\r\n":
                    break
                body += d
            w(b"250 got %d bytes %s\r\n" % (len(body),
                                           body.hex().encode()[:200]))
            continue
        w(b"250 echo " + line + b"\r\n")


def serve(a, conn):
    if a.mode == "silent":
        while conn.recv(4096):
            pass
        return
    if a.mode == "tls":
        s = tls_ctx(a).wrap_socket(conn, server_side=True)
        f = s.makefile("rb")
        w = s.sendall
        w(b"220 tls " + s.version().encode() + b"\r\n")
        if a.client_ca:
            cn = dict(x[0] for x in s.getpeercert()["subject"])["commonName"]
            w(b"250 client " + cn.encode() + b"\r\n")
        echo_loop(f, w)
        return
    if a.mode in ("starttls", "inject"):
        conn.sendall(b"220 plain\r\n")
        line = b""
        while not line.endswith(b"\n"):
            b = conn.recv(1)
            if not b:
                return
            line += b
        if line.strip().upper() != b"STARTTLS":
            conn.sendall(b"502 no\r\n")
            return
        if a.mode == "inject":
            conn.sendall(b"220 go ahead\r\n250 injected\r\n")
        else:
            conn.sendall(b"220 go ahead\r\n")
        try:
            s = tls_ctx(a).wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            print("netserver: handshake failed: %s" % e, file=sys.stderr)
            return
        f = s.makefile("rb")
        first = f.readline()
        if not first:
            return
        s.sendall(b"250 tls " + s.version().encode() + b"\r\n")
        echo_loop(f, s.sendall)
        return
    if a.mode == "echo":
        conn.sendall(b"220 plain\r\n")
        echo_loop(conn.makefile("rb"), conn.sendall)
        return
    if a.mode in ("big", "bigtls"):
        if a.mode == "bigtls":
            conn = tls_ctx(a).wrap_socket(conn, server_side=True)
        conn.sendall(b"220 hello\r\n")
        for line in lines(conn.makefile("rb")):
            conn.sendall(b"250 " + line + b"\r\n")
        return
    if a.mode == "socks5":
        socks5(a, conn)
        return


def recvn(c, n):
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b


def socks5(a, c):
    ver, nm = recvn(c, 2)
    recvn(c, nm)
    c.sendall(b"\x05\x00")
    ver, cmd, _, atyp = recvn(c, 4)
    if atyp == 1:
        host = socket.inet_ntoa(recvn(c, 4))
    elif atyp == 3:
        host = recvn(c, recvn(c, 1)[0]).decode()
    else:
        host = socket.inet_ntop(socket.AF_INET6, recvn(c, 16))
    port = int.from_bytes(recvn(c, 2), "big")
    with open(a.log, "a") as lf:
        lf.write("connect %s %d\n" % (host, port))
    try:
        up = socket.create_connection((host, port))
    except OSError:
        c.sendall(b"\x05\x05\x00\x01" + bytes(6))
        return
    c.sendall(b"\x05\x00\x00\x01" + bytes(6))

    def pump(src, dst):
        try:
            while True:
                d = src.recv(65536)
                if not d:
                    break
                dst.sendall(d)
        except OSError:
            pass
        try:
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    t = threading.Thread(target=pump, args=(up, c))
    t.start()
    pump(c, up)
    t.join()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode")
    p.add_argument("port", type=int)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--client-ca")
    p.add_argument("--tls-max")
    p.add_argument("--ready")
    p.add_argument("--log")
    p.add_argument("--bind", default="127.0.0.1")
    a = p.parse_args()
    fam = socket.AF_INET6 if ":" in a.bind else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if a.mode in ("big", "bigtls"):
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16384)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 16384)
    ls.bind((a.bind, a.port))
    ls.listen(4)
    if a.ready:
        with open(a.ready + ".tmp", "w") as f:
            f.write("%d\n" % a.port)
        os.rename(a.ready + ".tmp", a.ready)
    ls.settimeout(30)
    try:
        conn, _ = ls.accept()
    except socket.timeout:
        return
    conn.settimeout(30)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        serve(a, conn)
    except (OSError, EOFError, ssl.SSLError) as e:
        print("netserver: %s" % e, file=sys.stderr)
    finally:
        try:
            conn.close()
        except OSError:
            pass


if __name__ == "__main__":
    main()
