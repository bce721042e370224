#!/usr/bin/env python3
"""tests/servers/blackhole.py PORT ADDR...: a TCP black hole for mdig-mx's
tests. Listens on each ADDR (a loopback address) at PORT, lets the kernel
complete every connection and never sends a byte nor reads one: a client
waits out its read timeout (an SMTP greeting, a TLS handshake). Prints
"ready" once listening; runs until killed.
"""
import signal
import socket
import sys

port = int(sys.argv[1])
socks = []
for addr in sys.argv[2:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    socks.append(s)
print("ready", flush=True)
signal.pause()
