#!/usr/bin/env bats
# msend's composer (--to, --subject, --attach, --print...): every message it
# builds is read back by mparse AND Python's email package with the same
# subject, addresses, names, file names and the exact bytes of every part
# (tests/compose-roundtrip.py); sent through the suite's real Postfix
# (BDAT) and smtp-sink (DATA), what arrives is the same; values with a line
# break are refused, naming the option; a 1 GB attachment is printed in
# bounded memory. Sending needs root (Postfix); the rest runs anywhere.

load helpers

setup_file() {
	if [[ $(id -u) == 0 ]]; then
		start_postfix
		start_sink --dump
	fi
	# Without root the sending tests skip; the config is still read
	# (by nothing that connects) and must be sound.
	export MKIT_CONFIG=$BATS_FILE_TMPDIR/config
	{
		printf 'account default\nhost 127.0.0.1\nport %s\n' "${POSTFIX_PORT:-1}"
		printf 'tls on\ntls_starttls on\ntls_trust_file %s\n' "${TEST_CERT:-/dev/null}"
		printf 'user %s\npassword %s\n' "${TEST_USER:-alice}" "${TEST_PASS:-x}"
		printf 'from alice@example.test\ndomain client.example.test\n\n'
		printf 'account sink : default\nport %s\ntls off\nauth off\n' "${SINK_PORT:-1}"
	} >"$MKIT_CONFIG"
	chmod 600 "$MKIT_CONFIG"
}

teardown_file() { stop_servers; }

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	printf 'Hello,\nthe disk is full.\n' >body.txt
	printf '<p>Disk <b>full</b> <img src="cid:chart.png"></p>\n' >page.html
	head -c 70000 /dev/urandom >blob.bin
	printf '\x89PNG\r\n\x1a\n' >chart.png
	head -c 3000 /dev/urandom >>chart.png
	printf 'line one\nGr\xc3\xbc\xc3\x9fe, line two\n' >notes.txt
	printf '%%PDF-1.4\n%%\xe2\xe3\n' >report
	head -c 5000 /dev/urandom >>report
	if [[ $(id -u) == 0 ]]; then
		clear_maildir alice
		clear_maildir bob
	fi
}

# roundtrip MESSAGE EXPECT-JSON: both readers agree with what was given.
roundtrip() {
	printf '%s\n' "$2" >expect.json
	python3 "$MKIT_SRCDIR/tests/compose-roundtrip.py" "$1" expect.json
}

@test "--print: a text message reads back the same in mparse and Python" {
	run msend --print --from 'Ops Team <ops@example.org>' \
		--to 'Ann Lee <ann@example.org>' --to bob@example.org \
		--cc '"Doe, John" <j@example.org>' --subject 'disk full on db1' \
		--body-file body.txt
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >m.eml
	grep -q '^Content-Transfer-Encoding: 7bit$' m.eml
	grep -q '^MIME-Version: 1.0$' m.eml
	grep -q '^Message-ID: <.*@example.org>$' m.eml
	! grep -q $'\r' m.eml
	roundtrip m.eml '{"subject": "disk full on db1",
		"from": [["Ops Team", "ops@example.org"]],
		"to": [["Ann Lee", "ann@example.org"], ["", "bob@example.org"]],
		"cc": [["Doe, John", "j@example.org"]],
		"parts": [{"file": "body.txt", "type": "text/plain"}]}'
}

@test "--print: UTF-8 subject, names and file names; every kind of part" {
	printf 'Gr\xc3\xbc\xc3\x9fe aus M\xc3\xbcnchen\n' >utf8.txt
	msend --print --from "Jörg Müller <jm@example.org>" \
		--to 'Zoë Ça <zoe@example.org>' \
		--subject 'Grüße: the weekly report, with figures — all of them, for every host we watch' \
		--body-file utf8.txt --html page.html --inline chart.png \
		--attach blob.bin --attach 'report;name=Bericht für März.pdf' \
		--attach notes.txt --attach 'notes.txt;type=application/x-log;name=log.txt' \
		>m.eml
	grep -q '^Content-Type: multipart/mixed;' m.eml
	grep -q '^Content-Type: multipart/alternative;' m.eml
	grep -q '^Content-Type: multipart/related;' m.eml
	grep -q '^Content-ID: <chart.png>$' m.eml
	grep -q "filename\*=utf-8''Bericht%20f%C3%BCr%20M%C3%A4rz.pdf" m.eml
	grep -q '^Subject: =?UTF-8?' m.eml
	# header lines within 78 columns
	! sed '/^$/q' m.eml | grep -q '.\{79\}'
	roundtrip m.eml '{"subject": "Grüße: the weekly report, with figures — all of them, for every host we watch",
		"from": [["Jörg Müller", "jm@example.org"]],
		"to": [["Zoë Ça", "zoe@example.org"]],
		"parts": [{"file": "utf8.txt", "type": "text/plain"},
			{"file": "page.html", "type": "text/html"},
			{"file": "chart.png", "name": "chart.png", "type": "image/png"},
			{"file": "blob.bin", "name": "blob.bin", "type": "application/octet-stream"},
			{"file": "report", "name": "Bericht für März.pdf", "type": "application/pdf"},
			{"file": "notes.txt", "name": "notes.txt", "type": "text/plain"},
			{"file": "notes.txt", "name": "log.txt", "type": "application/x-log"}]}'
}

@test "--print: the body on stdin, types by content when the name says nothing" {
	cp chart.png picture
	printf 'plain words\n' >README
	run msend --print --to a@example.org --subject s --attach picture \
		--attach README --attach report <body.txt
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >m.eml
	roundtrip m.eml '{"subject": "s", "to": [["", "a@example.org"]],
		"parts": [{"file": "body.txt"},
			{"file": "picture", "name": "picture", "type": "image/png"},
			{"file": "README", "name": "README", "type": "text/plain"},
			{"file": "report", "name": "report", "type": "application/pdf"}]}'
}

@test "--print: 8-bit text, long lines and boundary look-alikes go quoted-printable" {
	{ printf 'caf\xc3\xa9\n'; head -c 1500 /dev/zero | tr '\0' x; printf '\n--=_mkit_0000000000000000_1--\n'; } >odd.txt
	msend --print --to a@example.org --body-file odd.txt --attach blob.bin >m.eml
	grep -c '^Content-Transfer-Encoding: quoted-printable$' m.eml
	# the only delimiter lines are the message's own
	[ "$(grep -c '^--=_mkit_' m.eml)" -eq 3 ]
	roundtrip m.eml '{"to": [["", "a@example.org"]],
		"parts": [{"file": "odd.txt"}, {"file": "blob.bin", "name": "blob.bin"}]}'
}

@test "--print: Bcc is printed (for msend -t, which removes it); the envelope is not needed" {
	run msend --print --to a@example.org --bcc 'Hidden <h@example.org>' \
		--subject s </dev/null
	[ "$status" -eq 0 ]
	[[ $output == *$'\nBcc: Hidden <h@example.org>\n'* ]]
	# no From without --from: msend -t adds the account's
	[[ $output != *$'\nFrom:'* && $output != From:* ]]
}

@test "a line break in any value is refused, naming the option; nothing printed" {
	for opt in --to --cc --bcc --subject --reply-to --header --from --attach --inline --body-file --html; do
		run msend --print --to a@example.org "$opt" $'x@example.org\r\nBcc: evil@example.org' </dev/null
		[ "$status" -eq 64 ]
		[ "${#lines[@]}" -eq 1 ]
		[[ ${lines[0]} == "msend: $opt: the value holds a line break (CR or LF)" ]]
	done
	run msend --print --to a@example.org --subject $'a\nb' </dev/null
	[ "$status" -eq 64 ]
	[ "$output" = "msend: --subject: the value holds a line break (CR or LF)" ]
}

@test "bad composer input: one line, the right status, nothing printed" {
	run msend --print --to a@example.org --attach missing.bin </dev/null
	[ "$status" -eq 66 ]
	[ "$output" = "msend: missing.bin: No such file or directory" ]
	run msend --print --to a@example.org --attach 'blob.bin;type=nonsense' </dev/null
	[ "$status" -eq 64 ]
	[ "$output" = 'msend: blob.bin: invalid media type "nonsense" (type/subtype)' ]
	run msend --print --to a@example.org --attach 'blob.bin;type=a/b;size=3' </dev/null
	[ "$status" -eq 64 ]
	[ "$output" = 'msend: --attach: unknown parameter "size=3" (type=, name=)' ]
	run msend --print --to a@example.org --header 'Content-Type: text/html' </dev/null
	[ "$status" -eq 64 ]
	[[ $output == *'header "Content-Type" is written by the composer'* ]]
	run msend --print --to a@example.org --header 'no colon' </dev/null
	[ "$status" -eq 64 ]
	run msend --subject s </dev/null
	[ "$status" -eq 64 ]
	[ "$output" = "msend: no recipients (give --to, --cc or --bcc)" ]
	run msend -t --to a@example.org </dev/null
	[ "$status" -eq 64 ]
}

@test "sent through Postfix (BDAT): To, Cc, Bcc delivered, no Bcc in what arrives, parts intact" {
	require_root
	run msend --to bob@example.test --bcc alice@example.test \
		--subject 'nightly backup' --attach blob.bin \
		--attach 'report;name=Bericht für März.pdf' <body.txt
	[ "$status" -eq 0 ]
	b=$(wait_for_delivery bob 1 10)
	a=$(wait_for_delivery alice 1 10)
	! grep -qi '^Bcc:' "$b"
	! grep -qi '^Bcc:' "$a"
	grep -q '^Return-Path: <alice@example.test>' "$b"
	grep -q '^From: alice@example.test' "$b"
	grep -q '^Message-ID: <.*@client.example.test>' "$b"
	roundtrip "$b" '{"subject": "nightly backup",
		"from": [["", "alice@example.test"]], "to": [["", "bob@example.test"]],
		"parts": [{"file": "body.txt"}, {"file": "blob.bin", "name": "blob.bin"},
			{"file": "report", "name": "Bericht für März.pdf"}]}'
	cmp <(sed '1,/^Message-ID:/d' "$a") <(sed '1,/^Message-ID:/d' "$b")
}

@test "sent over DATA (smtp-sink): the spooled body streams through dot-stuffing" {
	require_root
	before=$(stat -c %s "$SINK_DUMP" 2>/dev/null || echo 0)
	printf '.\n..leading dots\n.\nend\n' >dots.txt
	run msend -a sink -v --to bob@example.test --from 'Ops <alice@example.test>' \
		--subject dots --body-file dots.txt --attach blob.bin
	[ "$status" -eq 0 ]
	[[ $output == *"> DATA"* ]]
	[[ $output == *"> MAIL FROM:<alice@example.test>"* ]]
	tail -c +$((before + 1)) "$SINK_DUMP" | sed -n '/^From: Ops/,$p' >m.eml
	roundtrip m.eml '{"subject": "dots", "from": [["Ops", "alice@example.test"]],
		"to": [["", "bob@example.test"]],
		"parts": [{"file": "dots.txt"}, {"file": "blob.bin", "name": "blob.bin"}]}'
}

@test "a non-ASCII address is written as given and needs SMTPUTF8" {
	require_root
	msend --print --to 'Zoë <zoë@bücher.example>' </dev/null >m.eml
	grep -q '^To: =?UTF-8?[BQ]?.*?= <zoë@bücher.example>$' m.eml
	# Postfix offers SMTPUTF8: MAIL FROM carries it (the recipient is
	# then refused: no such domain here)
	run msend -v --to 'Zoë <zoë@bücher.example>' --subject idn --body-file body.txt
	[ "$status" -eq 67 ]
	[[ $output == *"> MAIL FROM:<alice@example.test>"*" SMTPUTF8"* ]]
	[[ $output == *"> RCPT TO:<zoë@bücher.example>"* ]]
	# smtp-sink does not: nothing is sent, exit 69, one line
	run msend -a sink --to 'zoë@bücher.example' --subject idn --body-file body.txt
	[ "$status" -eq 69 ]
	[[ $output == *"the message needs SMTPUTF8"* ]]
}

@test "a 1 GB attachment is printed in bounded memory (--version's RSS + 8 MiB)" {
	truncate -s 1G big.bin
	base=$(/usr/bin/time -f %M msend --version 2>&1 >/dev/null)
	/usr/bin/time -o rss -f %M msend --print --to a@example.org --subject big \
		--attach big.bin </dev/null | tail -c 200 >tail.txt
	peak=$(cat rss)
	echo "start-up $base KiB, peak $peak KiB"
	[ "$peak" -le $((base + 8192)) ]
	# the whole message went out: it ends with the closing delimiter
	grep -q '^--=_mkit_.*_1--$' tail.txt
}
