#!/usr/bin/env python3
"""tests/servers/stshttps.py: an HTTPS server on a loopback address, port
443, serving MTA-STS policies (RFC 8461 3.3) for mdig-mx's tests.

usage: stshttps.py CONFIG CERT KEY BADCERT BADKEY ADDRFILE

CONFIG is JSON: {"HOST": {"status": 200, "type": "text/plain",
"body": "...", "size": N, "location": "..."}, ...}, chosen by the Host
header; "size" serves N bytes of "#" instead of a body. A client asking
(SNI) for a name in "badcert" of CONFIG gets BADCERT (a certificate no CA
of the suite signed). The server binds 127.83.X.Y:443 for a free X.Y and
writes the address to ADDRFILE once it listens.
"""
import json
import os
import random
import socket
import ssl
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

cfg_path, cert, key, badcert, badkey, addrfile = sys.argv[1:7]
with open(cfg_path) as f:
    cfg = json.load(f)
bad_names = set(cfg.pop("badcert", []))


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        host = self.headers.get("Host", "").split(":")[0].lower()
        r = cfg.get(host)
        if r is None or self.path != "/.well-known/mta-sts.txt":
            self.send_error(404)
            return
        body = (b"#" * r["size"]) if "size" in r else r.get("body", "").encode()
        self.send_response(r.get("status", 200))
        if r.get("type"):
            self.send_header("Content-Type", r["type"])
        if r.get("location"):
            self.send_header("Location", r["location"])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass  # the client stopped reading (the size cap)

    def log_message(self, fmt, *args):
        sys.stderr.write("stshttps: " + (fmt % args) + "\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
bad = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
bad.load_cert_chain(badcert, badkey)


def sni(sock, name, _ctx):
    if name and name.lower() in bad_names:
        sock.context = bad


ctx.sni_callback = sni

httpd = None
for _ in range(50):
    addr = "127.83.%d.%d" % (random.randint(0, 255), random.randint(1, 254))
    try:
        httpd = Server((addr, 443), Handler)
        break
    except OSError:
        continue
if httpd is None:
    sys.exit("stshttps: no free 127.83.x.y:443")
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
with open(addrfile + ".tmp", "w") as f:
    f.write(addr + "\n")
os.rename(addrfile + ".tmp", addrfile)
httpd.serve_forever()
