#!/usr/bin/env python3
"""tests/servers/tcpproxy.py PORTFILE UPSTREAM [REGEX CMD...]: a forwarding
TCP proxy in front of a real server (Dovecot) on 127.0.0.1:UPSTREAM, for
faults a real server does not make by itself. Listens on a free loopback
port and writes it to PORTFILE once ready; runs until killed.

- REGEX CMD...: the first line from a client that matches REGEX waits
  until CMD has run to its end, then goes on: a change another client
  makes at exactly that point of a session (between a pull's FETCH and its
  STORE), deterministically. CMD's status is written to PORTFILE.ran.
- SIGUSR1: every connection open at that moment goes silent, both ways,
  without being closed (a NAT that forgot it, a peer that froze: the
  kernel still answers TCP keepalive probes, nothing else comes through);
  connections made later are forwarded as usual. PORTFILE.silent is
  written once they are.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading

portfile, upstream = sys.argv[1], int(sys.argv[2])
trigger = re.compile(sys.argv[3].encode()) if len(sys.argv) > 3 else None
cmd = sys.argv[4:]
lock = threading.Lock()
conns = []
fired = False


class Conn:
    def __init__(self, client):
        self.client = client
        self.server = socket.create_connection(("127.0.0.1", upstream))
        self.silent = threading.Event()
        self.pending = b""

    def hold(self):
        """Silent: read nothing more, write nothing, close nothing."""
        threading.Event().wait()

    def up(self, data):
        """Client to server, a line at a time when there is a trigger."""
        global fired
        if trigger is None:
            self.server.sendall(data)
            return
        self.pending += data
        while b"\n" in self.pending:
            line, self.pending = self.pending.split(b"\n", 1)
            with lock:
                run = not fired and trigger.search(line)
                if run:
                    fired = True
            if run:
                rc = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL).returncode
                with open(portfile + ".ran", "w") as f:
                    f.write("%d\n" % rc)
            self.server.sendall(line + b"\n")

    def pump(self, src, dst, up):
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            if self.silent.is_set():
                self.hold()
            if not data:
                break
            try:
                if up:
                    self.up(data)
                else:
                    dst.sendall(data)
            except OSError:
                break
        for s in (self.client, self.server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def silence(signum, frame):
    with lock:
        for c in conns:
            c.silent.set()
    with open(portfile + ".silent", "w") as f:
        f.write("%d\n" % len(conns))


signal.signal(signal.SIGUSR1, silence)
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(16)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
while True:
    client, _ = ls.accept()
    try:
        c = Conn(client)
    except OSError:
        client.close()
        continue
    with lock:
        conns.append(c)
    for src, dst, up in ((client, c.server, True), (c.server, client, False)):
        threading.Thread(target=c.pump, args=(src, dst, up),
                         daemon=True).start()
