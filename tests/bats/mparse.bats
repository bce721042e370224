#!/usr/bin/env bats
# mparse: every mode and flag, exit codes, JSON schema, inputs.

load mparse_helper

@test "tree lists every part with sections and decoded sizes" {
	mp tree "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "TEXT multipart/mixed" ]
	[ "${lines[1]}" = "  1 multipart/alternative" ]
	[ "${lines[2]}" = "    1.1 text/plain charset=iso-8859-1 size=10" ]
	[ "${lines[3]}" = "    1.2 text/html charset=utf-8 size=11" ]
	[ "${lines[4]}" = "  2 application/octet-stream filename=\"../../etc/passwd\" size=12" ]
	[ "${lines[5]}" = "  3 message/rfc822" ]
	[ "${lines[6]}" = "    3.1 text/plain size=10" ]
	[ "${#lines[@]}" -eq 7 ]
}

@test "tree is the default mode" {
	run mparse "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "TEXT multipart/mixed" ]
}

@test "--json follows the mparse/1 schema" {
	mp --json "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	echo "$output" | pyjson '
import hashlib
assert d["schema"] == "mparse/1"
h = d["headers"]
assert set(h) == {"subject","from","to","cc","date","date_utc","message_id"}
assert h["subject"] == "Hello wörld again", h["subject"]
assert h["from"] == [{"name": "Joe Q. Public", "addr": "joe@example.org"}, {"name": "Jürgen", "addr": "j@x.de"}], h["from"]
assert h["to"] == [{"name": "", "addr": "a@example.org"}, {"name": "Bob", "addr": "b@example.org"}], h["to"]
assert h["cc"] == [], h["cc"]
assert h["date_utc"] == "2026-11-23T11:29:07Z"
assert h["message_id"] == "<abc@example.org>"
keys = {"part","kind","type","charset","encoding","disposition","filename","boundary","size","sha256","text","headers"}
p = d["parts"]
assert [x["part"] for x in p] == ["TEXT","1","1.1","1.2","2","3","3.1"], [x["part"] for x in p]
assert all(set(x) == keys for x in p)
assert [x["kind"] for x in p] == ["multipart","multipart","leaf","leaf","leaf","message","leaf"]
assert p[0]["boundary"] == "outer" and p[0]["size"] is None and p[0]["sha256"] is None
assert p[2]["text"] == "café crème" and p[2]["encoding"] == "quoted-printable"
assert p[4]["sha256"] == hashlib.sha256(b"hello world\n").hexdigest() and p[4]["size"] == 12
assert p[4]["filename"] == "../../etc/passwd" and p[4]["disposition"] == "attachment" and p[4]["text"] is None
assert p[5]["headers"]["subject"] == "inner message" and p[5]["headers"]["to"] is None
assert p[5]["headers"]["from"] == [{"name": "Inner", "addr": "in@example.org"}]
assert p[6]["text"] == "inner body" and p[6]["charset"] is None and p[6]["headers"] is None
'
}

@test "json mode word is the same as --json" {
	a=$(mparse json "$T/multi.eml")
	b=$(mparse --json "$T/multi.eml")
	[ "$a" = "$b" ]
}

@test "json: absent headers are null, unknown charset gives null text" {
	printf 'X-Other: 1\nContent-Type: text/plain; charset=x-no-such\n\nabc' > "$T/u.eml"
	mp --json "$T/u.eml"
	[ "$status" -eq 0 ]
	echo "$output" | pyjson '
h = d["headers"]
assert h == {"subject": None, "from": None, "to": None, "cc": None, "date": None, "date_utc": None, "message_id": None}, h
p = d["parts"]
assert len(p) == 1 and p[0]["part"] == "1" and p[0]["text"] is None and p[0]["size"] == 3
'
}

@test "headers prints every field decoded and unfolded" {
	mp headers "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "${lines[3]}" = "Subject: Hello wörld again" ]
	[ "${lines[0]}" = 'From: "Joe Q. Public" <joe@example.org>, Jürgen <j@x.de>' ]
}

@test "headers -h prints the values only, in order" {
	mp headers -h subject,message-id "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Hello wörld again" ]
	[ "${lines[1]}" = "<abc@example.org>" ]
}

@test "headers --raw keeps the value as written" {
	mp headers --raw -h Subject "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = " =?utf-8?b?SGVsbG8gd8O2cmxk?=" ]
	[ "${lines[1]}" = " again" ]
}

@test "headers -h with an absent field exits 1" {
	mp headers -h x-nothing "$T/multi.eml"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "addr prints Name <addr> per mailbox" {
	mp addr "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = '"Joe Q. Public" <joe@example.org>' ]
	[ "${lines[1]}" = "Jürgen <j@x.de>" ]
	[ "${lines[2]}" = "a@example.org" ]
	[ "${lines[3]}" = "Bob <b@example.org>" ]
	[ "${#lines[@]}" -eq 4 ]
}

@test "addr -a -h to prints addresses only" {
	mp addr -a -h to "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "$output" = $'a@example.org\nb@example.org' ]
}

@test "addr with no address exits 1" {
	mp addr -h cc "$T/multi.eml"
	[ "$status" -eq 1 ]
}

@test "text prints text/plain converted to UTF-8" {
	mp text "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "café crème" ]
}

@test "text --html prefers HTML" {
	mp text --html "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "<p>html</p>" ]
}

@test "text falls back to HTML when there is no plain text" {
	mp text "$T/html.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "<b>hi</b>" ]
}

@test "text with no text part exits 1" {
	printf 'Subject: x\nContent-Type: image/png\n\nPNG' > "$T/img.eml"
	mp text "$T/img.eml"
	[ "$status" -eq 1 ]
}

@test "part writes one decoded leaf" {
	mp part 2 "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "hello world" ]
	mp part 3.1 "$T/multi.eml"
	[ "$output" = "inner body" ]
}

@test "part of a missing section exits 1" {
	mp part 9 "$T/multi.eml"
	[ "$status" -eq 1 ]
	[[ $output == *"no leaf part 9"* ]]
}

@test "part of a message part is the attached message, as it is" {
	run sh -c "mparse part 3 '$T/multi.eml' | mparse headers -h subject"
	[ "$status" -eq 0 ]
	[ "$output" = "inner message" ]
	run sh -c "mparse part 3 < '$T/multi.eml'"
	[ "$status" -eq 0 ]
	[ "$output" = $'Subject: inner message\nFrom: Inner <in@example.org>\n\ninner body' ]
}

@test "part of a multipart is its raw body, up to the enclosing delimiter" {
	mp part 1 "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "--inner" ]
	[ "${lines[${#lines[@]}-1]}" = "--inner--" ]
	mp part TEXT "$T/multi.eml"
	[ "${lines[0]}" = "This is a preamble." ]
	[ "${lines[${#lines[@]}-1]}" = "epilogue" ]
}

@test "part of a non-leaf from a pipe exits 1 with a clear error" {
	run sh -c "cat '$T/multi.eml' | mparse part 3"
	[ "$status" -eq 1 ]
	[ "$output" = "mparse: stdin: part 3 is not a leaf: its raw bytes need the message in a file" ]
}

@test "part without a section is a usage error" {
	mp part
	[ "$status" -eq 64 ]
}

@test "bounce lists recipients of a delivery status report" {
	cat > "$T/dsn.eml" <<'MSG'
From: MAILER-DAEMON@mx.example.org
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="R"

--R
Content-Type: text/plain

Your message could not be delivered.
--R
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; gone@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

Final-Recipient: rfc822; slow@example.org
Action: delayed
Status: 4.4.1
--R
Content-Type: text/rfc822-headers

Subject: hello
--R--
MSG
	mp bounce "$T/dsn.eml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = $'failed\t5.1.1\tgone@example.org\t550 5.1.1 user unknown' ]
	[ "${lines[1]}" = $'delayed\t4.4.1\tslow@example.org\t-' ]
}

@test "bounce on an ordinary message exits 1" {
	mp bounce "$T/multi.eml"
	[ "$status" -eq 1 ]
}

@test "an mboxrd stream gives one JSON line per message, unquoted" {
	{
		printf 'From a@b Mon Nov 23 12:00:00 2026\nSubject: one\n\n>From here\n\n'
		printf 'From c@d Mon Nov 23 12:00:01 2026\nSubject: two\n\nbody\n'
	} > "$T/mbox"
	mp --json "$T/mbox"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	echo "$output" | pyjson '
assert [x["headers"]["subject"] for x in docs] == ["one", "two"]
assert docs[0]["parts"][0]["text"] == "From here\n", docs[0]["parts"][0]["text"]
'
	run sh -c "mparse part 1 < '$T/mbox'"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "From here" ]
}

@test "a maildir folder is read from cur and new" {
	mkdir -p "$T/md/cur" "$T/md/new" "$T/md/tmp"
	printf 'Subject: first\n\na\n' > "$T/md/cur/1000.1.host:2,S"
	printf 'Subject: second\n\nb\n' > "$T/md/new/1001.1.host"
	printf 'Subject: ignored\n\nc\n' > "$T/md/tmp/1002.1.host"
	mp headers -h subject "$T/md"
	[ "$status" -eq 0 ]
	[ "$output" = $'first\nsecond' ]
}

@test "several files are read in turn" {
	mp headers -h subject "$T/multi.eml" "$T/html.eml"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[1]}" = "html only" ]
}

@test "stdin is read without a file or with -" {
	run sh -c "mparse headers -h subject < '$T/html.eml'"
	[ "$output" = "html only" ]
	run sh -c "mparse headers -h subject - < '$T/html.eml'"
	[ "$output" = "html only" ]
}

@test "a missing file exits 66 with a one-line error" {
	mp tree "$T/nonexistent"
	[ "$status" -eq 66 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == "mparse: $T/nonexistent: "* ]]
}

@test "empty input and input without header fields exit 65" {
	: > "$T/empty"
	mp tree "$T/empty"
	[ "$status" -eq 65 ]
	[[ $output == *"not a mail message"* ]]
	printf '\x00\x01\x02 binary junk\n' > "$T/junk"
	mp --json "$T/junk"
	[ "$status" -eq 65 ]
}

@test "bad usage exits 64" {
	mp --no-such-option
	[ "$status" -eq 64 ]
	mp headers --html "$T/multi.eml"
	[ "$status" -eq 64 ]
	mp tree --json "$T/multi.eml"
	[ "$status" -eq 64 ]
}

@test "malformed input is parsed with exit 0; -v reports the defects" {
	printf 'Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nunclosed\n' > "$T/bad.eml"
	run sh -c "mparse tree '$T/bad.eml' 2>&1"
	[ "$status" -eq 0 ]
	[ "$output" = $'TEXT multipart/mixed\n  1 text/plain size=9' ]
	run sh -c "mparse -v tree '$T/bad.eml' 2>&1 >/dev/null"
	[ "$status" -eq 0 ]
	[[ $output == *'missing close delimiter for boundary "b"'* ]]
}

@test "a 40 MB base64 attachment parses in the memory of a 4 MB one" {
	python3 - "$T" <<'PY'
import base64, sys
for name, n in (("small.eml", 5), ("big.eml", 50)):
    with open(sys.argv[1] + "/" + name, "wb") as f:
        f.write(b"Subject: big\nContent-Type: multipart/mixed; boundary=B\n\n--B\nContent-Transfer-Encoding: base64\n\n")
        chunk = base64.encodebytes(bytes(range(256)) * 3072)
        for i in range(n):
            f.write(chunk)
        f.write(b"--B--\n")
PY
	rss() {
		python3 -c 'import resource, subprocess, sys
r = subprocess.run(["mparse", "tree", sys.argv[1]], stdout=subprocess.PIPE)
assert r.returncode == 0
sys.stdout.write(r.stdout.decode().splitlines()[1] + "\n")
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$1"
	}
	run rss "$T/small.eml"
	[ "$status" -eq 0 ]
	small=${lines[1]}
	run rss "$T/big.eml"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "  1 text/plain size=39321600" ]
	big=${lines[1]}
	echo "maxrss small $small KiB, big $big KiB"
	[ $((big - small)) -lt 8000 ]
}

@test "--help, the man page and the completions name the same options" {
	mp --help
	[ "$status" -eq 0 ]
	for opt in --verbose --json --header --raw --addr-only --html --output --force --part; do
		grep -q -- "${opt#--}" "$MKIT_SRCDIR/man/mparse.1"
		grep -q -- "$opt" "$MKIT_SRCDIR/completions/mparse.bash"
		grep -q -- "$opt" "$MKIT_SRCDIR/completions/_mparse"
		grep -q -- "-l ${opt#--}" "$MKIT_SRCDIR/completions/mparse.fish"
	done
	for m in json headers addr tree text part extract bounce; do
		[[ $output == *"  $m"* ]]
		grep -q "^\.Cm $m" "$MKIT_SRCDIR/man/mparse.1"
		grep -q "$m" "$MKIT_SRCDIR/completions/mparse.bash"
		grep -q "'$m:" "$MKIT_SRCDIR/completions/_mparse"
		grep -q -- "-a $m " "$MKIT_SRCDIR/completions/mparse.fish"
	done
}

@test "--json on a real-looking CRLF message: 2231 names, ISO-2022-JP, inline image" {
	python3 - "$T/tb.eml" <<'PY'
import base64, sys
png = bytes(range(256)) * 4
msg = "\r\n".join([
    "Return-Path: <alice@example.org>",
    "Received: from mx.example.org (mx.example.org [192.0.2.1])",
    "\tby mail.example.net with ESMTPS id 4B2x; Mon, 23 Nov 2026 12:00:00 +0000",
    "Message-ID: <6f1c2a9e-0d4b-4e3a-9f0e-1b2c3d4e5f60@example.org>",
    "Date: Mon, 23 Nov 2026 07:00:00 -0500",
    "MIME-Version: 1.0",
    "User-Agent: Mozilla/5.0 Thunderbird/115.5.0",
    "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= report",
    "From: =?UTF-8?Q?Al=C3=AFce_Example?= <alice@example.org>",
    "To: Bob <bob@example.net>, \"Carol, C.\" <carol@example.net>",
    "Cc: dave@example.net",
    "Content-Type: multipart/mixed;",
    " boundary=\"------------0aBcDeFgHiJkLmNoPq\"",
    "",
    "This is a multi-part message in MIME format.",
    "--------------0aBcDeFgHiJkLmNoPq",
    "Content-Type: multipart/related;",
    " boundary=\"------------rElAtEd\"",
    "",
    "--------------rElAtEd",
    "Content-Type: text/html; charset=UTF-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    "<p>Grüße <img src=\"cid:part1\"></p>",
    "--------------rElAtEd",
    "Content-Type: image/png; name=\"logo.png\"",
    "Content-Disposition: inline; filename=\"logo.png\"",
    "Content-Id: <part1>",
    "Content-Transfer-Encoding: base64",
    "",
    base64.encodebytes(png).decode().replace("\n", "\r\n").rstrip(),
    "--------------rElAtEd--",
    "",
    "--------------0aBcDeFgHiJkLmNoPq",
    "Content-Type: application/vnd.ms-excel;",
    " name*0*=UTF-8''%C3%9Cbersicht%20Q4%20;",
    " name*1*=2026.xls",
    "Content-Disposition: attachment;",
    " filename*0*=UTF-8''%C3%9Cbersicht%20Q4%20;",
    " filename*1*=2026.xls",
    "Content-Transfer-Encoding: base64",
    "",
    base64.encodebytes(b"xls\x00data" * 10).decode().replace("\n", "\r\n").rstrip(),
    "",
    "--------------0aBcDeFgHiJkLmNoPq--",
    "",
])
open(sys.argv[1], "wb").write(msg.encode("utf-8"))
PY
	mp --json "$T/tb.eml"
	[ "$status" -eq 0 ]
	echo "$output" | pyjson '
import hashlib
h = d["headers"]
assert h["subject"] == "\u30c6\u30b9\u30c8 report", h["subject"]
assert h["from"] == [{"name": "Al\u00efce Example", "addr": "alice@example.org"}]
assert h["to"] == [{"name": "Bob", "addr": "bob@example.net"}, {"name": "Carol, C.", "addr": "carol@example.net"}], h["to"]
assert h["cc"] == [{"name": "", "addr": "dave@example.net"}]
assert h["date_utc"] == "2026-11-23T12:00:00Z"
assert h["message_id"] == "<6f1c2a9e-0d4b-4e3a-9f0e-1b2c3d4e5f60@example.org>"
p = {x["part"]: x for x in d["parts"]}
assert list(p) == ["TEXT", "1", "1.1", "1.2", "2"], list(p)
assert p["TEXT"]["boundary"] == "------------0aBcDeFgHiJkLmNoPq"
assert p["1"]["type"] == "multipart/related" and p["1"]["kind"] == "multipart"
assert p["1.1"]["text"] == "<p>Gr\u00fc\u00dfe <img src=\"cid:part1\"></p>" and p["1.1"]["encoding"] == "8bit"
assert p["1.2"]["sha256"] == hashlib.sha256(bytes(range(256)) * 4).hexdigest() and p["1.2"]["size"] == 1024
assert p["1.2"]["disposition"] == "inline" and p["1.2"]["filename"] == "logo.png"
assert p["2"]["filename"] == "\u00dcbersicht Q4 2026.xls", p["2"]["filename"]
assert p["2"]["size"] == 80 and p["2"]["sha256"] == hashlib.sha256(b"xls\x00data" * 10).hexdigest()
assert p["2"]["text"] is None and p["2"]["charset"] is None
'
	mp extract -o "$T/x" "$T/tb.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/x/logo.png"$'\n'"$T/x/Übersicht Q4 2026.xls" ]
}

@test "text ignores the text of an attached message" {
	printf 'Subject: fwd\nContent-Type: multipart/mixed; boundary=F\n\n--F\nContent-Type: text/html\n\n<i>mine</i>\n--F\nContent-Type: message/rfc822\n\nSubject: old\n\ntheirs\n--F--\n' > "$T/fwd.eml"
	mp text "$T/fwd.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "<i>mine</i>" ]
}

@test "long option forms work like the short ones" {
	a=$(mparse addr -a -h to "$T/multi.eml")
	b=$(mparse addr --addr-only --header to "$T/multi.eml")
	[ "$a" = "$b" ]
	a=$(mparse headers -r -h subject "$T/multi.eml")
	b=$(mparse headers --raw --header=subject "$T/multi.eml")
	[ "$a" = "$b" ]
	run mparse extract --output "$T/lo" --part 2 --force "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/lo/passwd" ]
	printf 'Subject: x\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nunclosed\n' > "$T/bad.eml"
	run sh -c "mparse --verbose tree '$T/bad.eml' 2>&1 >/dev/null"
	[[ $output == *"missing close delimiter"* ]]
	run sh -c "mparse tree --verbose '$T/bad.eml' 2>&1 >/dev/null"
	[[ $output == *"missing close delimiter"* ]]
}

@test "a file name is reported whole: NUL and control characters escaped, never cut" {
	{
		printf 'Subject: n\nContent-Type: multipart/mixed; boundary=Z\n\n'
		printf -- "--Z\nContent-Disposition: attachment; filename*=UTF-8''x.txt%%00.jpg\n\na\n"
		printf -- '--Z\nContent-Type: application/x; name="=?utf-8?q?b=00c=01=0D=0Ad.exe?="\n\nb\n'
		printf -- "--Z\nContent-Disposition: attachment;\n filename*0*=UTF-8''e%%00; filename*1=f.txt\n\nc\n--Z--\n"
	} > "$T/nul.eml"
	mp --json "$T/nul.eml"
	[ "$status" -eq 0 ]
	[[ $output == *'"filename":"x.txt\u0000.jpg"'* ]]
	echo "$output" | pyjson '
p = d["parts"]
assert [x["filename"] for x in p[1:]] == ["x.txt\x00.jpg", "b\x00c\x01\r\nd.exe", "e\x00f.txt"], p'
	mp tree "$T/nul.eml"
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = '  1 text/plain filename="x.txt?.jpg" size=1' ]
	[ "${lines[2]}" = '  2 application/x filename="b?c???d.exe" size=1' ]
	[ "${lines[3]}" = '  3 text/plain filename="e?f.txt" size=1' ]
}

@test "a quoted display name keeps its blanks; a fold loses only its CRLF" {
	printf 'From: "John   Q.  Public" <j@x>\nTo: "Folded\n   Name" <f@x>, Plain\n   Words <p@x>\nCc: "  two  " <t@x>\nSubject: s\n\nbody\n' > "$T/dn.eml"
	mp --json "$T/dn.eml"
	[ "$status" -eq 0 ]
	echo "$output" | pyjson '
h = d["headers"]
assert h["from"] == [{"name": "John   Q.  Public", "addr": "j@x"}], h["from"]
assert h["to"] == [{"name": "Folded   Name", "addr": "f@x"}, {"name": "Plain Words", "addr": "p@x"}], h["to"]
assert h["cc"] == [{"name": "  two  ", "addr": "t@x"}], h["cc"]'
	mp addr "$T/dn.eml"
	[ "$status" -eq 0 ]
	[ "$output" = $'"John   Q.  Public" <j@x>\n"Folded   Name" <f@x>\nPlain Words <p@x>\n"  two  " <t@x>' ]
}
