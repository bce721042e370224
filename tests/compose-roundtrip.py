#!/usr/bin/env python3
"""Round trip of a message msend composed: read it back with mparse --json
AND Python's email package and check that both give what was put in.

usage: compose-roundtrip.py MESSAGE EXPECT.json

EXPECT holds what the composer was given:
  {"subject": "...", "from": [["Name", "addr"]], "to": [...], "cc": [...],
   "parts": [{"file": "path", "name": "shown name" or null,
              "type": "type/subtype" or null}, ...]}
parts lists the leaves in message order (text body, html, inline...,
attachments...). Checked: the subject, every address and display name,
each leaf's file name and type, and the exact bytes of each part (text
parts with their line ends made LF on both sides: MIME text travels with
CRLF). The same for mparse: its subject, names, addresses, file names and
the SHA-256 of every decoded part. Prints what differs; exit 1 if anything.
"""
import email.parser
import email.policy
import hashlib
import json
import subprocess
import sys


def lf(b):
    return b.replace(b"\r\n", b"\n")


def main():
    path, exp_path = sys.argv[1], sys.argv[2]
    with open(exp_path) as f:
        exp = json.load(f)
    with open(path, "rb") as f:
        raw = f.read()
    bad = []

    def check(what, got, want):
        if got != want:
            bad.append("%s: got %r, want %r" % (what, got, want))

    # Python's email package.
    msg = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
    check("python subject", str(msg.get("subject", "")), exp.get("subject", ""))
    for field in ("from", "to", "cc"):
        want = [list(a) for a in exp.get(field, [])]
        got = []
        h = msg.get(field)
        if h is not None:
            for a in h.addresses:
                got.append([a.display_name, a.addr_spec])
        check("python %s" % field, got, want)
    leaves = [p for p in msg.walk() if not p.is_multipart()]
    check("python number of parts", len(leaves), len(exp["parts"]))
    want_bytes = []
    for i, (p, e) in enumerate(zip(leaves, exp["parts"])):
        with open(e["file"], "rb") as f:
            content = f.read()
        data = p.get_payload(decode=True) or b""
        if p.get_content_maintype() == "text":
            content, data = lf(content), lf(data)
            # A single text body gets a final line break if it had none.
            if content and not content.endswith(b"\n") and \
                    data == content + b"\n":
                data = content
        want_bytes.append(content)
        check("python part %d bytes" % (i + 1), hashlib.sha256(data).hexdigest(),
              hashlib.sha256(content).hexdigest())
        if e.get("name") is not None:
            check("python part %d filename" % (i + 1), p.get_filename(),
                  e["name"])
        if e.get("type") is not None:
            check("python part %d type" % (i + 1), p.get_content_type(),
                  e["type"])

    # mparse --json.
    r = subprocess.run(["mparse", "--json", path], stdout=subprocess.PIPE,
                       check=True)
    doc = json.loads(r.stdout)
    hd = doc["headers"]
    check("mparse subject", hd.get("subject") or "", exp.get("subject", ""))
    for field in ("from", "to", "cc"):
        want = [list(a) for a in exp.get(field, [])]
        got = [[a.get("name") or "", a["addr"]] for a in (hd.get(field) or [])]
        check("mparse %s" % field, got, want)
    mleaves = [p for p in doc["parts"] if p["kind"] == "leaf"]
    check("mparse number of parts", len(mleaves), len(exp["parts"]))
    for i, (p, e) in enumerate(zip(mleaves, exp["parts"])):
        content = want_bytes[i] if i < len(want_bytes) else b""
        got = p["sha256"]
        if p["type"].startswith("text/"):
            # mparse gives the decoded text as it came: compare LF forms.
            data = (p.get("text") or "").encode("utf-8")
            got = hashlib.sha256(lf(data)).hexdigest() if p.get("text") \
                is not None else got
        check("mparse part %d bytes" % (i + 1), got,
              hashlib.sha256(content).hexdigest())
        if e.get("name") is not None:
            check("mparse part %d filename" % (i + 1), p["filename"], e["name"])
        if e.get("type") is not None:
            check("mparse part %d type" % (i + 1), p["type"], e["type"])
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
