#!/usr/bin/env python3
"""Deterministic MIME corpus for the mparse benchmark.

Writes, under OUT (default bench/out/mparse):
  corpus/maildir/{cur,new,tmp}  1,000 messages, ~85 MB in all
  corpus/corpus.mboxrd          the same messages as one mboxrd stream
  corpus/manifest.tsv           file name, size, kind, parts, charset
  big/big.eml                   one ~270 MB message: a 200 MB base64
                                attachment, written streaming
Each tree carries a STAMP naming the seed and a hash of this script; a tree
whose STAMP matches is reused as it is (use --force to rebuild).

The mix: plain text (7bit, 8bit, base64), quoted-printable, multipart/
alternative, multipart/mixed with base64 attachments of 20 KiB to 6 MiB
(sizes skewed small; their scale is solved so the corpus totals ~85 MB),
multipart/related with inline images, and forwards (message/rfc822, some
nested twice). Headers carry RFC 2047 encoded-words (B and Q) and RFC 2231
parameters (with and without continuations) in utf-8, iso-8859-1/2/15,
koi8-r, shift_jis, big5, gb2312 and windows-1252. Text bodies sometimes hold
"From " and ">From " lines so that mboxrd quoting matters.
"""

import argparse
import base64
import hashlib
import math
import os
import quopri
import random
import re
import shutil
import sys
import time

SEED = 20261123
N_MSGS = 1000
TARGET_BYTES = 85_000_000
ATT_MIN = 20 * 1024
ATT_MAX = 6 * 1024 * 1024
BIG_RAW = 200_000_000

CHARSETS = {
	# charset name in mail: (python codec, weight as a body charset)
	"us-ascii": ("ascii", 6),
	"utf-8": ("utf-8", 30),
	"iso-8859-1": ("iso8859-1", 12),
	"windows-1252": ("cp1252", 10),
	"iso-8859-15": ("iso8859-15", 6),
	"iso-8859-2": ("iso8859-2", 8),
	"koi8-r": ("koi8-r", 8),
	"shift_jis": ("shift_jis", 8),
	"big5": ("big5", 6),
	"gb2312": ("gb2312", 6),
}

ASCII_WORDS = (
	"the report meeting budget quarter please find attached review draft "
	"schedule project update team thanks regards tomorrow morning agenda "
	"numbers server deploy release notes invoice customer order shipping "
	"question answer follow up call office travel plan design document "
	"version final approval status issue ticket fixed pending weekly "
	"summary minutes action items owner deadline friday monday board data "
	"analysis results figure table chapter section appendix contract legal"
).split()

WORDS = {
	"us-ascii": [],
	"utf-8": ("naïve café Grüße Größe façade résumé Ελληνικά καλημέρα "
		  "日本語 中文 한국어 привет Zażółć żółw 🙂 ☕ → € ✓ "
		  "Ärger Øresund Ångström São Paulo").split(),
	"iso-8859-1": ("Grüße Größe Mädchen über façade élève niño señor año "
		       "café déjà Ärger Übersicht Straße prêt à porter "
		       "Düsseldorf Zürich garçon crème brûlée").split(),
	"windows-1252": ("“quoted” ‘single’ – — € … ™ œuvre Œ Š "
			 "naïve café résumé •").split(),
	"iso-8859-15": ("cœur œuvre € prix Œdipe Šárka Žofie Ÿvette "
			"bœuf sœur élève façade").split(),
	"iso-8859-2": ("Zażółć gęślą jaźń Příliš žluťoučký kůň úpěl "
		       "ďábelské ódy árvíztűrő tükörfúrógép Łódź Kraków "
		       "Brno Plzeň").split(),
	"koi8-r": ("Привет съешь ещё этих мягких французских булок да "
		   "выпей же чаю отчёт встреча бюджет квартал Москва "
		   "спасибо завтра").split(),
	"shift_jis": ("こんにちは 会議 資料 添付 ファイル 確認 お願いします "
		      "今日 明日 東京 予算 報告書 宜しく 担当者 ").split(),
	"big5": ("您好 會議 資料 附件 請 確認 謝謝 台北 時間 預算 報告 "
		 "明天 負責人 檔案").split(),
	"gb2312": ("你好 会议 资料 附件 请 确认 谢谢 北京 时间 预算 报告 "
		   "明天 负责人 文件").split(),
}

NAMES = {
	"us-ascii": ["Alice Smith", "Bob Jones", "Carol White", "Dave Brown"],
	"utf-8": ["Zoë Ångström", "José Müller", "Łukasz Żółkiewski",
		  "山田 太郎", "Διονύσης"],
	"iso-8859-1": ["Jürgen Groß", "François Lefèvre", "Íñigo Peña"],
	"windows-1252": ["Chloë O’Brien", "Renée Dubois"],
	"iso-8859-15": ["Œdipe Roi", "Žofie Šárka"],
	"iso-8859-2": ["Łukasz Żółkiewski", "Jiří Dvořák", "Ágnes Kővári"],
	"koi8-r": ["Иван Петров", "Ольга Смирнова"],
	"shift_jis": ["山田 太郎", "佐藤 花子"],
	"big5": ["陳大文", "林美玲"],
	"gb2312": ["王小明", "李华"],
}

TLD = {"us-ascii": "com", "utf-8": "org", "iso-8859-1": "de",
       "windows-1252": "net", "iso-8859-15": "fr", "iso-8859-2": "pl",
       "koi8-r": "ru", "shift_jis": "jp", "big5": "tw", "gb2312": "cn"}

ATT_TYPES = [
	# (content type, extension, magic, weight)
	("application/pdf", "pdf", b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n", 30),
	("image/jpeg", "jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", 22),
	("image/png", "png", b"\x89PNG\r\n\x1a\n", 12),
	("application/zip", "zip", b"PK\x03\x04", 10),
	("application/vnd.openxmlformats-officedocument."
	 "spreadsheetml.sheet", "xlsx", b"PK\x03\x04", 8),
	("application/octet-stream", "bin", b"", 8),
	("text/csv", "csv", None, 10),
]

KINDS = [("plain", 250), ("qp", 150), ("alternative", 200), ("mixed", 280),
	 ("related", 20), ("forward", 100)]


def pick(rng, table):
	"""Weighted choice over a dict {key: (.., weight)} or list of tuples."""
	items = list(table.items()) if isinstance(table, dict) else table
	weights = [it[1][-1] if isinstance(table, dict) else it[-1]
		   for it in items]
	return rng.choices(items, weights)[0]


def codec(cs):
	return CHARSETS[cs][0]


# ---------------------------------------------------------------- text

def sentence(rng, cs):
	words = WORDS[cs]
	n = rng.randint(5, 14)
	out = []
	for _ in range(n):
		if words and rng.random() < 0.45:
			out.append(rng.choice(words))
		else:
			out.append(rng.choice(ASCII_WORDS))
	s = " ".join(out)
	return s[0].upper() + s[1:] + rng.choice([".", ".", ".", "?", "!"])


def wrap(text, width=72):
	lines, cur = [], ""
	for w in text.split(" "):
		if cur and len(cur) + 1 + len(w) > width:
			lines.append(cur)
			cur = w
		else:
			cur = cur + " " + w if cur else w
	if cur:
		lines.append(cur)
	return lines


def paragraphs(rng, cs, target):
	"""Text of about target characters, as a list of lines."""
	lines, size = [], 0
	while size < target:
		r = rng.random()
		if r < 0.04:
			# mboxrd quoting matters for these two
			para = ["From the " + rng.choice(ASCII_WORDS) +
				" desk: " + sentence(rng, cs)]
			if rng.random() < 0.5:
				para.append(">From an earlier note, " +
					    sentence(rng, cs))
		elif r < 0.14:
			para = ["> " + l for l in
				wrap(" ".join(sentence(rng, cs)
					      for _ in range(rng.randint(1, 4))),
				     70)]
		elif r < 0.18:
			# one long line: QP must soft-break it
			para = [" ".join(sentence(rng, cs)
					 for _ in range(rng.randint(4, 10)))]
		else:
			para = wrap(" ".join(sentence(rng, cs)
					     for _ in range(rng.randint(1, 6))))
		lines.extend(para)
		lines.append("")
		size += sum(len(l) + 1 for l in para) + 1
	lines.append("-- ")
	lines.append(rng.choice(NAMES[cs] + NAMES["us-ascii"]))
	return lines


def html_of(rng, lines, cs):
	out = ["<!DOCTYPE html>", "<html><head>",
	       '<meta http-equiv="Content-Type" content="text/html; '
	       'charset=%s">' % cs,
	       "<style>p{margin:0 0 1em 0;font-family:Arial,sans-serif}"
	       "</style></head>", '<body style="font-size:14px">']
	para = []
	for l in lines + [""]:
		if l:
			para.append(l.replace("&", "&amp;").replace("<", "&lt;")
				    .replace(">", "&gt;"))
		elif para:
			out.append('<p style="color:#222222">' +
				   "<br>".join(para) + "</p>")
			para = []
	out.append("</body></html>")
	return out


# ------------------------------------------------------------- headers

def q_payload(b):
	out = []
	for c in b:
		ch = chr(c)
		if ch == " ":
			out.append("_")
		elif ch.isascii() and (ch.isalnum() or ch in "!*+-/"):
			out.append(ch)
		else:
			out.append("=%02X" % c)
	return "".join(out)


def encoded_words(text, cs, enc):
	"""RFC 2047 encoded-words for text, each at most 75 characters,
	split between characters (never inside a multibyte one)."""
	prefix = "=?%s?%s?" % (cs, enc)

	def payload(s):
		b = s.encode(codec(cs))
		if enc == "B":
			return base64.b64encode(b).decode()
		return q_payload(b)

	words, cur = [], ""
	for ch in text:
		if cur and len(prefix) + len(payload(cur + ch)) + 2 > 75:
			words.append(cur)
			cur = ch
		else:
			cur += ch
	if cur:
		words.append(cur)
	return "\n ".join(prefix + payload(w) + "?=" for w in words)


def header_text(rng, text, cs):
	"""text as it goes into an unstructured header."""
	if cs == "us-ascii" or text.isascii():
		return text
	return encoded_words(text, cs, "B" if rng.random() < 0.6 else "Q")


def mailbox(rng, cs, name=None):
	name = name or rng.choice(NAMES[cs])
	local = "".join(c for c in name.lower() if c.isascii() and
			c.isalnum()) or "user%d" % rng.randint(1, 999)
	addr = "%s@mail.example.%s" % (local, TLD[cs])
	if name.isascii():
		return '"%s" <%s>' % (name, addr)
	return "%s <%s>" % (encoded_words(name, cs, rng.choice("BQ")), addr)


ATTR_CHARS = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		 b"0123456789!#$&+-.^_`|~")


def rfc2231(rng, param, value, cs):
	"""param*=charset''pct, with continuations when long."""
	b = value.encode(codec(cs))
	pct = "".join(chr(c) if c in ATTR_CHARS else "%%%02X" % c for c in b)
	lang = rng.choice(["", "", "en", TLD[cs]])
	if len(pct) < 50:
		return "%s*=%s'%s'%s" % (param, cs, lang, pct)
	chunks, i = [], 0
	while i < len(pct):
		j = min(i + 40, len(pct))
		while j < len(pct) and "%" in pct[j - 2:j]:
			j -= 1	# never split a %XX
		chunks.append(pct[i:j])
		i = j
	out = []
	for k, c in enumerate(chunks):
		if k == 0:
			out.append("%s*0*=%s'%s'%s" % (param, cs, lang, c))
		else:
			out.append("%s*%d*=%s" % (param, k, c))
	return ";\n ".join(out)


def filename_params(rng, fname, cs):
	"""(content-type params, content-disposition params) for fname."""
	if fname.isascii():
		if len(fname) > 40 and rng.random() < 0.5:
			# RFC 2231 continuation without charset
			h = len(fname) // 2
			p = 'filename*0="%s";\n filename*1="%s"' % (
				fname[:h], fname[h:])
			return 'name="%s"' % fname, p
		return 'name="%s"' % fname, 'filename="%s"' % fname
	r = rng.random()
	if r < 0.75:
		ct = 'name="%s"' % encoded_words(fname, cs, "B") \
			if r < 0.35 else rfc2231(rng, "name", fname, cs)
		return ct, rfc2231(rng, "filename", fname, cs)
	# encoded-words inside quoted parameters: wrong but everywhere
	ew = encoded_words(fname, cs, rng.choice("BQ"))
	return 'name="%s"' % ew, 'filename="%s"' % ew


def received(rng, i, t):
	hosts = ["mx%d.example.net" % rng.randint(1, 9),
		 "relay%d.example.org" % rng.randint(1, 9),
		 "smtp-out%d.example.com" % rng.randint(1, 40)]
	out = []
	for k in range(rng.randint(2, 5)):
		h = rng.choice(hosts)
		out.append(
			"Received: from %s (%s [192.0.2.%d])\n"
			"\tby mx.example.net (Postfix) with ESMTPS id %08X%02X\n"
			"\tfor <inbox@example.net>; %s" % (
				h, h, rng.randint(1, 254), rng.getrandbits(32),
				k, rfc_date(t - k * 7)))
	return out


def rfc_date(t):
	return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))


def dkim(rng):
	b = base64.b64encode(rng.randbytes(190)).decode()
	return ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; "
		"d=example.org;\n\ts=sel1; t=1700000000;\n"
		"\th=from:to:subject:date:message-id:mime-version:"
		"content-type;\n\tbh=%s;\n\tb=%s\n\t %s" % (
			base64.b64encode(rng.randbytes(32)).decode(),
			b[:70], b[70:]))


# --------------------------------------------------------------- parts
# A part renders to a list of segments: str/bytes, or Att (filled in
# once every attachment size is known).

class Att:
	__slots__ = ("idx", "x", "ctype", "magic", "size")

	def __init__(self, idx, x, ctype, magic):
		self.idx, self.x, self.ctype, self.magic = idx, x, ctype, magic
		self.size = ATT_MIN


def b64_len(n):
	enc = 4 * ((n + 2) // 3)
	return enc + (enc + 75) // 76


class Gen:
	def __init__(self, seed):
		self.rng = random.Random(seed)
		self.seed = seed
		self.atts = []
		self.nboundary = 0

	def boundary(self):
		self.nboundary += 1
		return "----=_Part_%d_%d.%d" % (
			self.nboundary, self.rng.getrandbits(30),
			1700000000 + self.nboundary)

	def text_part(self, cs, lines, subtype="plain", cte=None):
		rng = self.rng
		body = "\n".join(lines) + "\n"
		data = body.encode(codec(cs))
		if cte is None:
			if data.isascii():
				cte = "7bit"
			elif cs in ("shift_jis", "big5", "gb2312") and \
					rng.random() < 0.5:
				cte = "base64"
			else:
				cte = rng.choice(["8bit", "8bit",
						  "quoted-printable",
						  "base64"])
		if cte == "quoted-printable":
			payload = quopri.encodestring(data)
		elif cte == "base64":
			payload = base64.encodebytes(data)
		else:
			payload = data
		ct = "text/%s; charset=%s" % (
			subtype, cs if rng.random() < 0.8 else '"%s"' % cs)
		if subtype == "plain" and rng.random() < 0.2:
			ct += "; format=flowed"
		return ["Content-Type: %s\nContent-Transfer-Encoding: %s\n\n"
			% (ct, cte), payload]

	def attachment(self, cs, small=False):
		rng = self.rng
		ctype, ext, magic, _ = pick(rng, ATT_TYPES)
		words = WORDS[cs] or ASCII_WORDS
		stem = "_".join(rng.choice(words)
				for _ in range(rng.randint(1, 4)))
		if rng.random() < 0.4:
			stem = rng.choice(ASCII_WORDS) + "-" + \
				str(rng.randint(2019, 2026))
		fname = "%s.%s" % (stem, ext)
		x = rng.expovariate(1.0)
		if small:
			x = min(x, 0.3)
		a = Att(len(self.atts), x, ctype, magic)
		self.atts.append(a)
		ctp, cdp = filename_params(rng, fname, cs)
		disp = "attachment" if rng.random() < 0.9 else "inline"
		ct = ctype
		if ctype == "text/csv":
			ct += "; charset=utf-8"
		return ["Content-Type: %s; %s\n"
			"Content-Disposition: %s; %s\n"
			"Content-Transfer-Encoding: base64\n\n" % (
				ct, ctp, disp, cdp), a]

	def multipart(self, subtype, parts, extra=""):
		b = self.boundary()
		segs = ['Content-Type: multipart/%s;%s\n boundary="%s"\n\n'
			"This is a multi-part message in MIME format.\n" % (
				subtype, extra, b)]
		for p in parts:
			segs.append("\n--%s\n" % b)
			segs.extend(p)
		segs.append("\n--%s--\n" % b)
		return segs

	def alternative(self, cs, size):
		rng = self.rng
		lines = paragraphs(rng, cs, size)
		plain = self.text_part(cs, lines, "plain")
		html = self.text_part(cs, html_of(rng, lines, cs), "html",
				      rng.choice(["quoted-printable",
						  "quoted-printable", "base64"]))
		return self.multipart("alternative", [plain, html])

	def body(self, kind, cs, depth=0):
		"""(segments of the top-level entity, number of leaves)."""
		rng = self.rng
		size = int(rng.lognormvariate(math.log(2500), 0.9)) + 200
		if kind == "plain":
			return self.text_part(cs, paragraphs(rng, cs, size)), 1
		if kind == "qp":
			return self.text_part(cs, paragraphs(rng, cs, size),
					      "plain", "quoted-printable"), 1
		if kind == "alternative":
			return self.alternative(cs, size), 2
		if kind == "related":
			lines = paragraphs(rng, cs, size)
			html = self.text_part(cs, html_of(rng, lines, cs),
					      "html", "quoted-printable")
			imgs = [self.inline_image() for _ in
				range(rng.randint(1, 3))]
			rel = self.multipart("related", [html] + imgs,
					     ' type="text/html";')
			alt = self.multipart("alternative", [
				self.text_part(cs, lines), rel])
			return alt, 2 + len(imgs)
		if kind == "mixed":
			n = rng.choices([1, 2, 3, 4], [55, 25, 12, 8])[0]
			first, leaves = (self.alternative(cs, size), 2) \
				if rng.random() < 0.5 else \
				(self.text_part(cs, paragraphs(rng, cs, size)), 1)
			atts = [self.attachment(cs, small=depth > 0)
				for _ in range(n)]
			return self.multipart("mixed", [first] + atts), \
				leaves + n
		if kind == "forward":
			note = self.text_part(cs, paragraphs(rng, cs, size // 4))
			inner_kind = rng.choices(
				["plain", "qp", "alternative", "mixed",
				 "forward"], [25, 15, 25, 25,
					      10 if depth == 0 else 0])[0]
			inner_cs = pick(rng, CHARSETS)[0]
			inner, leaves = self.message(inner_kind, inner_cs,
						     depth + 1)
			subj = "Fwd: " + sentence(rng, inner_cs)[:40]
			if rng.random() < 0.5:
				disp = "inline"
			else:
				_, cdp = filename_params(rng, subj + ".eml",
							 inner_cs)
				disp = "attachment; " + cdp
			fwd = ["Content-Type: message/rfc822\n"
			       "Content-Disposition: %s\n\n" % disp] + inner
			return self.multipart("mixed", [note, fwd]), 1 + leaves
		raise ValueError(kind)

	def inline_image(self):
		rng = self.rng
		a = Att(len(self.atts), min(rng.expovariate(1.0), 0.4),
			"image/png", b"\x89PNG\r\n\x1a\n")
		self.atts.append(a)
		cid = "img%d.%d@example.org" % (a.idx, rng.getrandbits(24))
		return ['Content-Type: image/png; name="image%03d.png"\n'
			"Content-Transfer-Encoding: base64\n"
			"Content-ID: <%s>\n"
			'Content-Disposition: inline; filename="image%03d.png"'
			"\n\n" % (a.idx, cid, a.idx), a]

	def message(self, kind, cs, depth=0, i=0):
		rng = self.rng
		t = 1700000000 + i * 3607 + depth * 11
		subj = sentence(rng, cs)
		if len(subj) > 60:
			subj = subj[:60].rstrip()
		if rng.random() < 0.3:
			subj = "Re: " + subj
		hdr = []
		if depth == 0:
			hdr.append("Return-Path: <bounce-%d@example.org>" % i)
			hdr.extend(received(rng, i, t))
			if rng.random() < 0.5:
				hdr.append(dkim(rng))
			hdr.append("Authentication-Results: mx.example.net;"
				   "\n\tdkim=pass header.d=example.org;"
				   "\n\tspf=pass smtp.mailfrom=example.org")
		hdr.append("Date: " + rfc_date(t))
		hdr.append("From: " + mailbox(rng, cs))
		tos = [mailbox(rng, pick(rng, CHARSETS)[0])
		       for _ in range(rng.choices([1, 2, 4], [70, 20, 10])[0])]
		hdr.append("To: " + ",\n\t".join(tos))
		if rng.random() < 0.25:
			hdr.append("Cc: " + mailbox(rng, cs))
		if rng.random() < 0.2 and not subj.isascii():
			# encoded-words next to plain text
			hdr.append("Subject: [list-%d] %s (ticket %d)" % (
				rng.randint(1, 9),
				encoded_words(subj, cs, rng.choice("BQ")),
				rng.randint(1000, 9999)))
		else:
			hdr.append("Subject: " + header_text(rng, subj, cs))
		hdr.append("Message-ID: <%d.%d.%x@example.org>" % (
			i, depth, rng.getrandbits(40)))
		if subj.startswith("Re: "):
			ref = "<%x@example.org>" % rng.getrandbits(48)
			hdr.append("In-Reply-To: " + ref)
			hdr.append("References: <%x@example.org>\n\t%s" % (
				rng.getrandbits(48), ref))
		hdr.append("MIME-Version: 1.0")
		hdr.append("X-Mailer: " + rng.choice(
			["Microsoft Outlook 16.0", "Apple Mail (2.3731)",
			 "Thunderbird 115.4.1", "mutt 2.2.9", "Roundcube"]))
		body, leaves = self.body(kind, cs, depth)
		return ["\n".join(hdr) + "\n"] + body, leaves


# -------------------------------------------------------------- output

def att_bytes(seed, a):
	rng = random.Random("att-%d-%d" % (seed, a.idx))
	if a.magic is None:
		# text/csv
		rows = ["id,date,item,amount,note"]
		n = len(rows[0]) + 1
		while n < a.size:
			r = "%d,2026-%02d-%02d,%s,%d.%02d,%s" % (
				len(rows), rng.randint(1, 12),
				rng.randint(1, 28), rng.choice(ASCII_WORDS),
				rng.randint(0, 99999), rng.randint(0, 99),
				rng.choice(WORDS["utf-8"]))
			rows.append(r)
			n += len(r.encode()) + 1
		return ("\n".join(rows) + "\n").encode()[:a.size]
	return a.magic + rng.randbytes(a.size - len(a.magic))


def seg_len(s):
	if isinstance(s, Att):
		return b64_len(s.size)
	if isinstance(s, str):
		return len(s.encode())
	return len(s)


def render(seed, segs):
	out = []
	for s in segs:
		if isinstance(s, Att):
			out.append(base64.encodebytes(att_bytes(seed, s)))
		elif isinstance(s, str):
			out.append(s.encode())
		else:
			out.append(s)
	return b"".join(out)


def solve_sizes(msgs, atts, target):
	"""Scale every attachment size as ATT_MIN * exp(s * x), clamped to
	ATT_MAX, with s chosen so the corpus totals target bytes."""
	fixed = sum(seg_len(s) for segs in msgs for s in segs
		    if not isinstance(s, Att))

	def total(s):
		t = fixed
		for a in atts:
			n = int(ATT_MIN * math.exp(min(s * a.x, 30.0)))
			t += b64_len(min(max(n, ATT_MIN), ATT_MAX))
		return t

	lo, hi = 0.0, 10.0
	for _ in range(60):
		mid = (lo + hi) / 2
		if total(mid) < target:
			lo = mid
		else:
			hi = mid
	for a in atts:
		n = int(ATT_MIN * math.exp(min(lo * a.x, 30.0)))
		a.size = min(max(n, ATT_MIN), ATT_MAX)
	return lo


MBOXRD_FROM = re.compile(rb"^(>*From )", re.M)


def gen_corpus(out, seed):
	g = Gen(seed)
	kinds = [k for k, n in KINDS for _ in range(n)]
	assert len(kinds) == N_MSGS
	g.rng.shuffle(kinds)
	msgs, meta = [], []
	for i, kind in enumerate(kinds):
		cs = pick(g.rng, CHARSETS)[0]
		segs, leaves = g.message(kind, cs, 0, i)
		msgs.append(segs)
		meta.append((kind, cs, leaves))
	# the largest attachment sits at the 6 MiB cap
	top = [a for a in g.atts if a.x >= 0.3]
	if top:
		max(top, key=lambda a: a.x).x = 1000.0
	scale = solve_sizes(msgs, g.atts, TARGET_BYTES)

	tmp = out + ".tmp"
	shutil.rmtree(tmp, ignore_errors=True)
	for d in ("cur", "new", "tmp"):
		os.makedirs(os.path.join(tmp, "maildir", d))
	total = 0
	with open(os.path.join(tmp, "corpus.mboxrd"), "wb") as mbox, \
	     open(os.path.join(tmp, "manifest.tsv"), "w") as man:
		man.write("file\tbytes\tkind\tcharset\tleaves\n")
		for i, segs in enumerate(msgs):
			data = render(seed, segs)
			name = "%d.M%04dP4242.mkit-bench:2,S" % (
				1700000000 + i * 3607, i)
			with open(os.path.join(tmp, "maildir", "cur", name),
				  "wb") as f:
				f.write(data)
			t = time.gmtime(1700000000 + i * 3607)
			mbox.write(b"From bounce-%d@example.org %s\n" % (
				i, time.strftime("%a %b %d %H:%M:%S %Y",
						 t).encode()))
			mbox.write(MBOXRD_FROM.sub(rb">\1", data))
			if not data.endswith(b"\n"):
				mbox.write(b"\n")
			mbox.write(b"\n")
			kind, cs, leaves = meta[i]
			man.write("cur/%s\t%d\t%s\t%s\t%d\n" % (
				name, len(data), kind, cs, leaves))
			total += len(data)
	sizes = sorted(a.size for a in g.atts)
	summary = ("%d messages, %d bytes; %d attachments of %d..%d bytes "
		   "(median %d, scale %.3f)" % (
			   len(msgs), total, len(sizes), sizes[0], sizes[-1],
			   sizes[len(sizes) // 2], scale))
	return tmp, summary


def gen_big(out, seed):
	tmp = out + ".tmp"
	shutil.rmtree(tmp, ignore_errors=True)
	os.makedirs(tmp)
	rng = random.Random("big-%d" % seed)
	path = os.path.join(tmp, "big.eml")
	b = "----=_Part_big_%d" % seed
	with open(path, "wb") as f:
		f.write(("Return-Path: <backup@example.org>\n"
			 "Date: %s\n"
			 "From: =?utf-8?Q?Sauvegarde_automatis=C3=A9e?= "
			 "<backup@example.org>\n"
			 "To: \"Ops\" <ops@example.net>\n"
			 "Subject: =?utf-8?B?w4lub3JtZSBwacOoY2Ugam9pbnRl?=\n"
			 "Message-ID: <big.%d@example.org>\n"
			 "MIME-Version: 1.0\n"
			 "Content-Type: multipart/mixed; boundary=\"%s\"\n\n"
			 "--%s\n"
			 "Content-Type: text/plain; charset=utf-8\n"
			 "Content-Transfer-Encoding: quoted-printable\n\n"
			 "Ci-joint l'image disque compl=C3=A8te.\n\n"
			 "--%s\n"
			 "Content-Type: application/octet-stream; "
			 "name=\"disk-image.bin\"\n"
			 "Content-Disposition: attachment;\n"
			 " filename*=utf-8''disk-image-%%C3%%A9t%%C3%%A9.bin\n"
			 "Content-Transfer-Encoding: base64\n\n" % (
				 rfc_date(1700000000), seed, b, b, b)).encode())
		chunk = 57 * 16384
		left = BIG_RAW
		while left:
			n = min(chunk, left)
			f.write(base64.encodebytes(rng.randbytes(n)))
			left -= n
		f.write(("\n--%s--\n" % b).encode())
	return tmp, "1 message, %d bytes (%d-byte attachment)" % (
		os.path.getsize(path), BIG_RAW)


def stamp_of(seed, what):
	with open(os.path.abspath(__file__), "rb") as f:
		h = hashlib.sha256(f.read()).hexdigest()[:16]
	return "%s seed=%d gen=%s\n" % (what, seed, h)


def ensure(path, seed, what, fn, force):
	stamp = stamp_of(seed, what)
	sp = os.path.join(path, "STAMP")
	if not force and os.path.exists(sp):
		with open(sp) as f:
			if f.read() == stamp:
				print("gen_corpus: %s: up to date" % path)
				return
	t0 = time.time()
	tmp, summary = fn(path, seed)
	with open(os.path.join(tmp, "STAMP"), "w") as f:
		f.write(stamp)
	shutil.rmtree(path, ignore_errors=True)
	os.rename(tmp, path)
	print("gen_corpus: %s: %s, in %.1f s" % (path, summary,
						 time.time() - t0))


def check_tables():
	for cs, (c, _) in CHARSETS.items():
		for w in WORDS[cs] + NAMES[cs]:
			w.encode(c)	# raises if the tables drift


def main():
	ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
	ap.add_argument("--out", default=os.path.join(
		os.path.dirname(os.path.abspath(__file__)), "..", "out",
		"mparse"))
	ap.add_argument("--seed", type=int, default=SEED)
	ap.add_argument("--force", action="store_true")
	ap.add_argument("--no-big", action="store_true",
			help="skip the 270 MB message")
	args = ap.parse_args()
	check_tables()
	out = os.path.normpath(args.out)
	os.makedirs(out, exist_ok=True)
	ensure(os.path.join(out, "corpus"), args.seed, "corpus", gen_corpus,
	       args.force)
	if not args.no_big:
		ensure(os.path.join(out, "big"), args.seed, "big", gen_big,
		       args.force)
	return 0


if __name__ == "__main__":
	sys.exit(main())
