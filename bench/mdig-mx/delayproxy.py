#!/usr/bin/env python3
"""delayproxy.py LISTEN_IP LISTEN_PORT UPSTREAM_PORT DELAY_MS [LOG]: a DNS
forwarding proxy for make bench-mdig-mx (asyncio, UDP and TCP).

Every query is forwarded at once to 127.0.0.1:UPSTREAM_PORT (the NSD under
test) and its answer is held DELAY_MS milliseconds before it goes back: a
round trip of DELAY_MS without netem, for every client alike. With LOG each
query is appended as "NAME TYPE" (the numeric type), so that the peers can
be given exactly the queries mdig-mx made. Prints "ready" once listening.
"""

import asyncio
import socket
import struct
import sys


def question(msg):
    off, labels = 12, []
    while msg[off]:
        labels.append(msg[off + 1:off + 1 + msg[off]].decode("ascii", "replace"))
        off += 1 + msg[off]
    return ".".join(labels), struct.unpack(">H", msg[off + 1:off + 3])[0]


class Upstream(asyncio.DatagramProtocol):
    """The one socket to the server: answers go back to whoever asked,
    held DELAY first. Query IDs are rewritten to tell the askers apart."""

    def __init__(self, proxy):
        self.proxy = proxy

    def connection_made(self, transport):
        widen(transport)

    def datagram_received(self, data, addr):
        self.proxy.answer(data)


def widen(transport):
    sock = transport.get_extra_info("socket")
    for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
        sock.setsockopt(socket.SOL_SOCKET, opt, 4 << 20)


class Proxy:
    def __init__(self, upstream, delay, log):
        self.up = ("127.0.0.1", upstream)
        self.delay = delay / 1000.0
        self.log = open(log, "a", buffering=1) if log else None
        self.pending = {}       # our ID: (front transport, peer, their ID)
        self.next_id = 0

    def note(self, msg):
        if self.log:
            try:
                self.log.write("%s %d\n" % question(msg))
            except (IndexError, struct.error):
                pass

    def ask(self, front, msg, peer):
        if len(msg) < 12:
            return
        self.note(msg)
        for _ in range(65536):
            self.next_id = (self.next_id + 1) & 0xFFFF
            if self.next_id not in self.pending:
                break
        else:
            return
        self.pending[self.next_id] = (front, peer, msg[:2])
        self.upstream.sendto(struct.pack(">H", self.next_id) + msg[2:])

    def answer(self, data):
        if len(data) < 12:
            return
        who = self.pending.pop(struct.unpack(">H", data[:2])[0], None)
        if who is None:
            return
        front, peer, qid = who
        asyncio.get_running_loop().call_later(
            self.delay, front.sendto, qid + data[2:], peer)

    async def tcp_one(self, reader, writer):
        try:
            while True:
                n = struct.unpack(">H", await reader.readexactly(2))[0]
                msg = await reader.readexactly(n)
                self.note(msg)
                ur, uw = await asyncio.open_connection(*self.up)
                uw.write(struct.pack(">H", n) + msg)
                await uw.drain()
                m = struct.unpack(">H", await ur.readexactly(2))[0]
                out = await ur.readexactly(m)
                uw.close()
                await asyncio.sleep(self.delay)
                writer.write(struct.pack(">H", m) + out)
                await writer.drain()
        except (asyncio.IncompleteReadError, OSError):
            pass
        finally:
            writer.close()


class Front(asyncio.DatagramProtocol):
    def __init__(self, proxy):
        self.proxy = proxy

    def connection_made(self, transport):
        self.tr = transport
        widen(transport)

    def datagram_received(self, data, addr):
        self.proxy.ask(self.tr, data, addr)


async def main():
    ip, port, upstream, delay = sys.argv[1], int(sys.argv[2]), \
        int(sys.argv[3]), int(sys.argv[4])
    proxy = Proxy(upstream, delay, sys.argv[5] if len(sys.argv) > 5 else None)
    loop = asyncio.get_running_loop()
    proxy.upstream, _ = await loop.create_datagram_endpoint(
        lambda: Upstream(proxy), remote_addr=proxy.up)
    await loop.create_datagram_endpoint(lambda: Front(proxy),
                                        local_addr=(ip, port))
    server = await asyncio.start_server(proxy.tcp_one, ip, port)
    print("ready", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
