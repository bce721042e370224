# Shared fixtures for the mparse bats tests.

setup() {
	T=$BATS_TEST_TMPDIR
	cat > "$T/multi.eml" <<'MSG'
From: "Joe Q. Public" <joe@example.org>, =?utf-8?q?J=C3=BCrgen?= <j@x.de>
To: team: a@example.org, Bob <b@example.org>;
Cc: undisclosed-recipients:;
Subject: =?utf-8?b?SGVsbG8gd8O2cmxk?=
 again
Date: Mon, 23 Nov 2026 12:29:07 +0100
Message-ID: <abc@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

This is a preamble.
--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

caf=E9 cr=E8me
--inner
Content-Type: text/html; charset=utf-8

<p>html</p>
--inner--
--outer
Content-Type: application/octet-stream; name="../../etc/passwd"
Content-Transfer-Encoding: base64
Content-Disposition: attachment

aGVsbG8gd29ybGQK
--outer
Content-Type: message/rfc822

Subject: inner message
From: Inner <in@example.org>

inner body
--outer--
epilogue
MSG
	printf 'From: a@example.org\nSubject: html only\nContent-Type: text/html\n\n<b>hi</b>\n' > "$T/html.eml"
}

# Run mparse and keep its status for comparison inside the test.
mp() {
	run mparse "$@"
}

# python3 -c with the JSON document on stdin.
pyjson() {
	python3 -c "import json,sys
docs=[json.loads(l) for l in sys.stdin.read().splitlines() if l.strip()]
d=docs[0]
$1"
}
