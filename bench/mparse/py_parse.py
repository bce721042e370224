#!/usr/bin/env python3
"""Peer for the mparse benchmark: Python's email package, full decode.

usage: py_parse.py [-q] [--defects] PATH...
PATH is a message file, a maildir (cur/ and new/ are read) or, with
--mbox, an mbox file. Every message is parsed with policy.default; every
header is decoded (RFC 2047, addresses), every leaf part is decoded with
get_content() (text to str in its charset, the rest to bytes; on failure
get_payload(decode=True)). message/rfc822 parts are walked into.
Prints one summary line to stderr: messages, leaves, decoded bytes.
"""

import email
import mailbox
import os
import sys
from email import policy


def leaves(msg, stats):
	for k, v in msg.items():
		str(v)
	if msg.is_multipart():
		for p in msg.iter_parts():
			leaves(p, stats)
		return
	stats["leaves"] += 1
	try:
		c = msg.get_content()
	except Exception:
		c = msg.get_payload(decode=True) or b""
	if isinstance(c, str):
		stats["bytes"] += len(c.encode("utf-8", "surrogateescape"))
	elif isinstance(c, bytes):
		stats["bytes"] += len(c)
	msg.get_filename()
	stats["defects"] += len(msg.defects)


def parse_file(path, stats):
	with open(path, "rb") as f:
		msg = email.message_from_binary_file(f, policy=policy.default)
	parse_msg(msg, stats)


def parse_msg(msg, stats):
	stats["msgs"] += 1
	stats["defects"] += len(msg.defects)
	leaves(msg, stats)


def main(argv):
	stats = {"msgs": 0, "leaves": 0, "bytes": 0, "defects": 0}
	mbox = False
	quiet = False
	for a in argv:
		if a == "--mbox":
			mbox = True
			continue
		if a == "-q":
			quiet = True
			continue
		if mbox:
			box = mailbox.mbox(a, create=False)
			for key in box.iterkeys():
				msg = email.message_from_bytes(
					box.get_bytes(key), policy=policy.default)
				parse_msg(msg, stats)
		elif os.path.isdir(a):
			for sub in ("cur", "new"):
				d = os.path.join(a, sub)
				for name in sorted(os.listdir(d)):
					parse_file(os.path.join(d, name), stats)
		else:
			parse_file(a, stats)
	if not quiet:
		print("py_parse: %(msgs)d messages, %(leaves)d leaves, "
		      "%(bytes)d decoded bytes, %(defects)d defects" % stats,
		      file=sys.stderr)
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv[1:]))
