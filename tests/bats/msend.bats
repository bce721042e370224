#!/usr/bin/env bats
# msend against a real Postfix (STARTTLS + AUTH through Dovecot, CHUNKING):
# what arrives in the maildir is what a user relies on.

load helpers

setup_file() {
	require_root
	start_postfix
	start_sink --dump
	export MKIT_CONFIG=$BATS_FILE_TMPDIR/config
	cat >"$MKIT_CONFIG" <<EOC
account default
host 127.0.0.1
port $POSTFIX_PORT
tls on
tls_starttls on
tls_trust_file $TEST_CERT
user $TEST_USER
password $TEST_PASS
from alice@example.test
domain client.example.test

account plain
host 127.0.0.1
port $POSTFIX_PLAIN_PORT
tls off
auth off
from alice@example.test

account other
host 127.0.0.1
port $POSTFIX_PLAIN_PORT
tls off
auth off
from carol@example.test
EOC
	chmod 600 "$MKIT_CONFIG"
}

teardown_file() {
	stop_servers
}

setup() {
	clear_maildir alice
	clear_maildir bob
}

# msg SUBJECT [BODY]: a small message on stdout.
msg() {
	printf 'From: alice@example.test\nTo: bob@example.test\nSubject: %s\n\n%s\n' \
		"$1" "${2:-hello}"
}

# only_message USER: the path of USER's single delivered message.
only_message() {
	run wait_for_delivery "$1" 1 10
	[ "$status" -eq 0 ] || return 1
	[ "${#lines[@]}" -eq 1 ] || { echo "more than one message: ${lines[*]}"; return 1; }
	echo "${lines[0]}"
}

@test "STARTTLS + AUTH: delivered with the right envelope" {
	run msend bob@example.test < <(msg "envelope 1")
	[ "$status" -eq 0 ]
	f=$(only_message bob)
	grep -q '^Return-Path: <alice@example.test>' "$f"
	grep -q '^Delivered-To: bob@example.test' "$f"
	grep -q '^X-Original-To: bob@example.test' "$f"
	grep -q '^Subject: envelope 1' "$f"
	grep -q 'with ESMTPSA' "$f"
}

@test "Date and Message-ID added when missing, kept when present" {
	run msend bob@example.test < <(msg "added headers")
	[ "$status" -eq 0 ]
	f=$(only_message bob)
	grep -q '^Date: ' "$f"
	grep -q '^Message-ID: <.*@client.example.test>' "$f"
	clear_maildir bob
	printf 'Date: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <fixed@x>\nSubject: kept\n\nx\n' |
		msend bob@example.test
	f=$(only_message bob)
	[ "$(grep -c '^Date: ' "$f")" -eq 1 ]
	grep -q '^Message-ID: <fixed@x>' "$f"
}

@test "-t: To, Cc and Bcc are recipients; Bcc is removed from what arrives" {
	printf 'From: alice@example.test\nTo: bob@example.test\nBcc: alice@example.test\nSubject: bcc\n\nsecret list\n' >"$BATS_TEST_TMPDIR/m"
	run msend -t <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	a=$(only_message alice)
	b=$(only_message bob)
	! grep -qi '^Bcc:' "$a"
	! grep -qi '^Bcc:' "$b"
	grep -q '^Delivered-To: alice@example.test' "$a"
}

@test "dot-stuffing: lines starting with a dot arrive intact (-i)" {
	printf 'Subject: dots\n\n.\n..\n.leading\n...three\nend\n' >"$BATS_TEST_TMPDIR/m"
	run msend -i bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	f=$(only_message bob)
	sed '1,/^$/d' "$f" >"$BATS_TEST_TMPDIR/body"
	printf '.\n..\n.leading\n...three\nend\n' | diff - "$BATS_TEST_TMPDIR/body"
}

@test "dot-stuffing over DATA (smtp-sink has no CHUNKING)" {
	# The dump belongs to the sink's user: read what this test adds.
	before=$(stat -c %s "$SINK_DUMP" 2>/dev/null || echo 0)
	printf 'Subject: dots data\n\n.\n..\n.x\nend\n' >"$BATS_TEST_TMPDIR/m"
	run msend -v -i --host 127.0.0.1 --port "$SINK_PORT" --tls=off --auth=off \
		-f alice@example.test bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	[[ $output == *"> DATA"* ]]
	tail -c +$((before + 1)) "$SINK_DUMP" | sed '1,/^Message-ID: /d' >"$BATS_TEST_TMPDIR/body"
	printf '\n.\n..\n.x\nend\n\n' | diff - "$BATS_TEST_TMPDIR/body"
}

@test "tls off: OpenSSL's configuration file is never opened (TLS accounts read it)" {
	# A FIFO with no writer: opening it blocks, so a run that reads it
	# hangs until timeout kills it (124).
	mkfifo "$BATS_TEST_TMPDIR/openssl.cnf"
	printf 'Subject: no openssl.cnf\n\nhello\n' >"$BATS_TEST_TMPDIR/m"
	OPENSSL_CONF=$BATS_TEST_TMPDIR/openssl.cnf run timeout 10 msend -a plain \
		bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	only_message bob >/dev/null
	# the same with TLS: the system policy in it is read before anything
	OPENSSL_CONF=$BATS_TEST_TMPDIR/openssl.cnf run timeout 3 msend --probe
	[ "$status" -eq 124 ]
}

@test "without -i a line with a single dot ends the message" {
	printf 'Subject: cut\n\nbefore\n.\nafter\n' >"$BATS_TEST_TMPDIR/m"
	run msend bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	f=$(only_message bob)
	grep -q '^before' "$f"
	! grep -q '^after' "$f"
}

@test "8-bit body and UTF-8 header arrive byte for byte (8BITMIME, SMTPUTF8)" {
	printf 'Subject: caf\xc3\xa9 \xe2\x82\xac\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nJ\xc3\xb6rg \xf0\x9f\x98\x80 \xff\xfe raw\n' >"$BATS_TEST_TMPDIR/m"
	run msend -v bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	[[ $output == *"BODY=8BITMIME"* ]]
	[[ $output == *"SMTPUTF8"* ]]
	f=$(only_message bob)
	grep -q $'^Subject: caf\xc3\xa9 \xe2\x82\xac' "$f"
	sed '1,/^$/d' "$f" >"$BATS_TEST_TMPDIR/body"
	printf 'J\xc3\xb6rg \xf0\x9f\x98\x80 \xff\xfe raw\n' | cmp - "$BATS_TEST_TMPDIR/body"
}

@test "ASCII message: no BODY=8BITMIME, no SMTPUTF8" {
	run msend -v bob@example.test < <(msg "ascii")
	[ "$status" -eq 0 ]
	mail=$(grep '^> MAIL FROM' <<<"$output")
	[[ $mail != *"BODY=8BITMIME"* ]]
	[[ $mail != *"SMTPUTF8"* ]]
}

@test "CHUNKING: Postfix gets BDAT ... LAST, no DATA" {
	run msend -v bob@example.test < <(msg "chunking")
	[ "$status" -eq 0 ]
	[[ $output == *"> BDAT "*" LAST"* ]]
	[[ $output != *"> DATA"* ]]
	only_message bob >/dev/null
}

@test "CHUNKING + PIPELINING: one recipient's envelope and BDAT leave in one write" {
	run msend -v bob@example.test < <(msg "one write")
	[ "$status" -eq 0 ]
	# every command of the transaction is sent before the first reply
	# to it (the reply to MAIL FROM) is read
	t=$(grep -E '^(> (MAIL|RCPT|BDAT)|< 250 2\.1\.0)' <<<"$output" |
		cut -c1-6 | uniq)
	[ "$t" = $'> MAIL\n> RCPT\n> BDAT\n< 250 ' ]
	only_message bob >/dev/null
}

@test "one refused recipient with BDAT pipelined: its 550 reported, exit 67" {
	run msend -v unknown@example.test < <(msg "refused alone")
	[ "$status" -eq 67 ]
	[[ $output == *"> BDAT "* ]]
	# the reason is the refusal, not the server's answer to the BDAT
	# that followed it
	last=$(tail -n 1 <<<"$output")
	[[ $last == *"RCPT TO:<unknown@example.test>: 550 5.1.1"* ]]
	# a marker sent afterwards is bob's only message
	msend bob@example.test < <(msg "marker")
	f=$(only_message bob)
	grep -q '^Subject: marker' "$f"
}

@test "several recipients in one transaction" {
	run msend -v alice@example.test bob@example.test < <(msg "two")
	[ "$status" -eq 0 ]
	[ "$(grep -c '> MAIL FROM' <<<"$output")" -eq 1 ]
	only_message alice >/dev/null
	only_message bob >/dev/null
}

@test "unknown recipient: 550 reported, exit 67, nothing delivered to the others" {
	run msend bob@example.test unknown@example.test < <(msg "refused")
	[ "$status" -eq 67 ]
	[[ $output == *"RCPT TO:<unknown@example.test>: 550 5.1.1"* ]]
	# A marker sent afterwards is the only message bob ever gets.
	msend bob@example.test < <(msg "marker")
	f=$(only_message bob)
	grep -q '^Subject: marker' "$f"
}

@test "--partial: accepted recipients get it, the refusal is still exit 67" {
	run msend --partial bob@example.test unknown@example.test < <(msg "partial")
	[ "$status" -eq 67 ]
	[[ $output == *"550 5.1.1"* ]]
	f=$(only_message bob)
	grep -q '^Subject: partial' "$f"
}

@test "4xx recipient: exit 75 (retry later)" {
	run msend tempfail@example.test < <(msg "tempfail")
	[ "$status" -eq 75 ]
	[[ $output == *"450 4.2.0"* ]]
}

@test "-t with Resent-*: only the Resent- recipients" {
	printf 'From: carol@example.test\nTo: bob@example.test\nResent-From: alice@example.test\nResent-To: alice@example.test\nSubject: resent\n\nforwarded\n' >"$BATS_TEST_TMPDIR/m"
	run msend -t <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	f=$(only_message alice)
	grep -q '^Subject: resent' "$f"
	sleep 1
	[ -z "$(delivered_messages bob)" ]
}

@test "wrong password: exit 77, nothing sent" {
	sed 's/^password .*/password wrong/' "$MKIT_CONFIG" >"$BATS_TEST_TMPDIR/cfg"
	chmod 600 "$BATS_TEST_TMPDIR/cfg"
	run msend -C "$BATS_TEST_TMPDIR/cfg" bob@example.test < <(msg "bad pw")
	[ "$status" -eq 77 ]
	[[ $output == *"535"* ]]
	[[ $output != *wrong* ]]
}

@test "-v: the transcript redacts AUTH and never shows the password" {
	run msend -v --auth=plain bob@example.test < <(msg "transcript")
	[ "$status" -eq 0 ]
	[[ $output == *"AUTH PLAIN <redacted>"* ]]
	[[ $output != *"$TEST_PASS"* ]]
	# nor its base64 form inside PLAIN's initial response
	b64=$(printf '\0%s\0%s' "$TEST_USER" "$TEST_PASS" | base64)
	[[ $output != *"$b64"* ]]
}

@test "account auto-selection by -f, and -a" {
	run msend -v -f carol@example.test bob@example.test < <(msg "auto")
	[ "$status" -eq 0 ]
	[[ $output == *"127.0.0.1:$POSTFIX_PLAIN_PORT"* ]]
	f=$(only_message bob)
	grep -q '^Return-Path: <carol@example.test>' "$f"
}

@test "null sender: -f '' and -f '<>'" {
	run msend -f '' bob@example.test < <(msg "null 1")
	[ "$status" -eq 0 ]
	run msend -f '<>' bob@example.test < <(msg "null 2")
	[ "$status" -eq 0 ]
	run wait_for_delivery bob 2 10
	[ "$status" -eq 0 ]
	grep -q '^Return-Path: <>' "${lines[0]}"
}

@test "caller: cron (-FCronDaemon -i -odi -oem -oi -t -f root, -B8BITMIME)" {
	printf 'To: bob@example.test\nSubject: cron\n\noutput\n' >"$BATS_TEST_TMPDIR/m"
	run msend -FCronDaemon -i -B8BITMIME -odi -oem -oi -t -f alice@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	[[ $output != *ignoring* ]]
	f=$(only_message bob)
	grep -q '^From: CronDaemon <alice@example.test>' "$f"
}

@test "caller: mail(1) (-i -f from -- rcpts)" {
	run msend -i -f alice@example.test -- bob@example.test < <(msg "mailx")
	[ "$status" -eq 0 ]
	only_message bob >/dev/null
}

@test "caller: mutt (-oem -oi -N failure,delay -R hdrs -V envid -- rcpts)" {
	run msend -v -oem -oi -N failure,delay -R hdrs -V env42 -- bob@example.test < <(msg "mutt")
	[ "$status" -eq 0 ]
	[[ $output == *"RET=HDRS ENVID=env42"* ]]
	[[ $output == *"NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.test"* ]]
	only_message bob >/dev/null
}

@test "caller: git send-email (-i -f env rcpts)" {
	run msend -i -f alice@example.test bob@example.test alice@example.test < <(msg "git")
	[ "$status" -eq 0 ]
	only_message bob >/dev/null
	only_message alice >/dev/null
}

@test "caller: PHP mail() (-t -i -f)" {
	printf 'To: bob@example.test\nSubject: php\n\nx\n' >"$BATS_TEST_TMPDIR/m"
	run msend -t -i -f alice@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	only_message bob >/dev/null
}

@test "caller: busybox / mdadm (glued -falice@..., grouped -ti)" {
	printf 'To: bob@example.test\nSubject: busybox\n\nx\n' >"$BATS_TEST_TMPDIR/m"
	run msend -ti -falice@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	f=$(only_message bob)
	grep -q '^Return-Path: <alice@example.test>' "$f"
}

@test "invoked as sendmail; -r as -f; unknown flags warn once and never fail" {
	ln -sf "$(command -v msend)" "$BATS_TEST_TMPDIR/sendmail"
	run "$BATS_TEST_TMPDIR/sendmail" -Z -Y -r alice@example.test bob@example.test < <(msg "as sendmail")
	[ "$status" -eq 0 ]
	[ "$(grep -c ignoring <<<"$output")" -eq 1 ]
	only_message bob >/dev/null
}

@test "-bp and mailq: the queue is empty" {
	run msend -bp
	[ "$status" -eq 0 ]
	[[ $output == *"empty"* ]]
	ln -sf "$(command -v msend)" "$BATS_TEST_TMPDIR/mailq"
	run "$BATS_TEST_TMPDIR/mailq"
	[ "$status" -eq 0 ]
	[[ $output == *"empty"* ]]
}

@test "--batch: 50 messages on one connection, each with its envelope" {
	for i in $(seq 50); do
		printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n'
		printf 'Return-Path: <alice@example.test>\nFrom: alice@example.test\nTo: bob@example.test\nSubject: batch %d\n\n>From the quoted line\nbody %d\n\n' "$i" "$i"
	done >"$BATS_TEST_TMPDIR/mbox"
	run msend -v --batch <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': sent: 250' <<<"$output")" -eq 50 ]
	[ "$(grep -c '> EHLO' <<<"$output")" -eq 2 ]	# before and after STARTTLS
	run wait_for_delivery bob 50 20
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 50 ]
	grep -l '^Subject: batch 17$' "${lines[@]}" | xargs grep -q '^From the quoted line'
}

@test "--batch --json: one JSON line per message, failures included" {
	{
		printf 'From a Mon Jan  1 00:00:00 2024\nFrom: alice@example.test\nTo: bob@example.test\nSubject: j1\n\nx\n\n'
		printf 'From a Mon Jan  1 00:00:00 2024\nFrom: alice@example.test\nTo: unknown@example.test\nSubject: j2\n\nx\n'
	} >"$BATS_TEST_TMPDIR/mbox"
	run msend --batch --json <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 67 ]
	python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.argv[1].splitlines() if l.startswith("{")]
assert [r["status"] for r in rows] == ["sent", "failed"], rows
assert rows[0]["code"] == 250 and rows[1]["exit"] == 67, rows
assert rows[1]["recipients"][0]["code"] == 550, rows
' "$output"
}

@test "-bs: an SMTP session on stdin/stdout is relayed" {
	printf 'EHLO client\r\nMAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: via -bs\r\n\r\n..dot line\r\nbody\r\n.\r\nQUIT\r\n' >"$BATS_TEST_TMPDIR/s"
	run msend -bs <"$BATS_TEST_TMPDIR/s"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == 220* ]]
	[[ $output == *"354 "* ]]
	[[ $output == *"250 2.0.0 250 2.0.0 Ok"*"queued as"* ]]
	[[ $output == *"221 "* ]]
	f=$(only_message bob)
	grep -q '^Subject: via -bs' "$f"
	grep -q '^\.dot line' "$f"
}

@test "-bs: a refused recipient is answered at the final dot" {
	printf 'HELO client\r\nMAIL FROM:<alice@example.test>\r\nRCPT TO:<unknown@example.test>\r\nDATA\r\nSubject: x\r\n\r\nx\r\n.\r\nQUIT\r\n' >"$BATS_TEST_TMPDIR/s"
	run msend -bs <"$BATS_TEST_TMPDIR/s"
	[ "$status" -eq 0 ]
	[[ $output == *"550 5.1.1 "*"unknown@example.test"* ]]
}

@test "--probe: greeting, TLS certificate, extensions, AUTH mechanisms" {
	run msend --probe
	[ "$status" -eq 0 ]
	[[ $output == *"greeting: 220 "* ]]
	[[ $output == *"tls: TLSv1."* ]]
	[[ $output == *"certificate sha256: $TEST_CERT_SHA256"* ]]
	[[ $output == *"CHUNKING"* ]]
	[[ $output == *"auth mechanisms: "*"PLAIN"* ]]
	run msend --probe --json
	[ "$status" -eq 0 ]
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d["tls"]["sha256"]; assert "PLAIN" in d["auth"]' "$output"
}

@test "--logfile: one line with host, from, recipients, size, reply, exit status" {
	run msend --logfile="$BATS_TEST_TMPDIR/log" bob@example.test < <(msg "logged")
	[ "$status" -eq 0 ]
	run msend -X "$BATS_TEST_TMPDIR/log" unknown@example.test < <(msg "logged 2")
	[ "$status" -eq 67 ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/log")" -eq 2 ]
	l1=$(sed -n 1p "$BATS_TEST_TMPDIR/log")
	[[ $l1 == *"host=127.0.0.1"*"from=alice@example.test recipients=bob@example.test mailsize="*"smtpstatus=250"*"queued as"*"exitcode=EX_OK" ]]
	[[ $(sed -n 2p "$BATS_TEST_TMPDIR/log") == *"exitcode=EX_NOUSER" ]]
}

@test "SIZE: an oversized message is refused before it is sent (exit 69)" {
	head -c 11000000 /dev/zero | tr '\0' 'x' | fold -w 998 >"$BATS_TEST_TMPDIR/big"
	{ printf 'Subject: big\n\n'; cat "$BATS_TEST_TMPDIR/big"; } >"$BATS_TEST_TMPDIR/m"
	run msend -v bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 69 ]
	[[ $output == *"server limit is 10240000"* ]]
	[[ $output != *"> MAIL FROM"* ]]
}

@test "header values from the command line never carry a line break" {
	run msend -F $'Evil\nBcc: x@example.test' bob@example.test < <(msg "inject")
	[ "$status" -eq 64 ]
	run msend -f $'alice@example.test\r\nRCPT TO:<x@y>' bob@example.test < <(msg "inject")
	[ "$status" -eq 64 ]
	run msend $'bob@example.test>\r\nRCPT TO:<x@y' < <(msg "inject")
	[ "$status" -eq 64 ]
}

@test "--read-envelope-from and an aliases file" {
	printf 'root: bob@example.test\n# comment\ndefault: alice@example.test\n' >"$BATS_TEST_TMPDIR/aliases"
	printf 'From: Carol <carol@example.test>\nSubject: aliased\n\nx\n' >"$BATS_TEST_TMPDIR/m"
	run msend -a plain --read-envelope-from --aliases="$BATS_TEST_TMPDIR/aliases" root nobody <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	f=$(only_message bob)
	grep -q '^Return-Path: <carol@example.test>' "$f"
	only_message alice >/dev/null
}

@test "an unknown long option warns and does not fail" {
	run msend --no-such-option bob@example.test < <(msg "unknown long")
	[ "$status" -eq 0 ]
	[[ $output == *"ignoring unknown option --no-such-option"* ]]
	only_message bob >/dev/null
}

@test "implicit TLS (port 465 style) with AUTH" {
	run msend --port "$POSTFIX_TLS_PORT" --tls-starttls=off bob@example.test < <(msg "smtps")
	[ "$status" -eq 0 ]
	only_message bob >/dev/null
}

@test "SOCKS5: STARTTLS + AUTH through a real proxy (microsocks); proxy gone: 75" {
	command -v microsocks >/dev/null ||
		skip "microsocks not installed (Debian: microsocks)"
	port=$(free_port)
	microsocks -i 127.0.0.1 -p "$port" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
		sleep 0.05
	done
	run msend --proxy-host=127.0.0.1 --proxy-port="$port" \
		bob@example.test < <(msg "via socks")
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	[ "$status" -eq 0 ]
	only_message bob >/dev/null
	# with the proxy gone the same command cannot connect: it went through
	run msend --proxy-host=127.0.0.1 --proxy-port="$port" \
		bob@example.test < <(msg "no socks")
	[ "$status" -eq 75 ]
	[[ $output == *"127.0.0.1:$port"* || $output == *"proxy"* ]]
}

@test "TLS verification failure: exit 77 before any credential" {
	run msend -v --tls-trust-file=/etc/ssl/certs/ca-certificates.crt bob@example.test < <(msg "untrusted")
	[ "$status" -eq 77 ]
	[[ $output != *"> AUTH"* ]]
	[[ $output != *"$TEST_PASS"* ]]
}

@test "client certificate: Postfix sees it (tls_cert_file, tls_key_file)" {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mkit-client \
		-keyout "$BATS_TEST_TMPDIR/client.key" \
		-out "$BATS_TEST_TMPDIR/client.pem" 2>/dev/null
	run msend --tls-cert-file="$BATS_TEST_TMPDIR/client.pem" \
		--tls-key-file="$BATS_TEST_TMPDIR/client.key" \
		bob@example.test < <(msg "client cert")
	[ "$status" -eq 0 ]
	f=$(only_message bob)
	# Received: ... (using TLSv1.3 ...) (Client CN "mkit-client", Issuer
	# "mkit-client" (not verified))
	sed -n '/^Received:/,/^[^ \t]/p' "$f" | grep -q 'Client CN "mkit-client"'
	# without one, Postfix names none
	clear_maildir bob
	msend bob@example.test < <(msg "no client cert")
	f=$(only_message bob)
	! grep -q 'Client CN' "$f"
}

@test "pinned certificate fingerprint instead of a CA" {
	sed '/^tls_trust_file/d' "$MKIT_CONFIG" >"$BATS_TEST_TMPDIR/cfg"
	chmod 600 "$BATS_TEST_TMPDIR/cfg"
	run msend -C "$BATS_TEST_TMPDIR/cfg" --tls-fingerprint="$TEST_CERT_SHA256" bob@example.test < <(msg "pinned")
	[ "$status" -eq 0 ]
	only_message bob >/dev/null
	run msend -C "$BATS_TEST_TMPDIR/cfg" --tls-fingerprint="${TEST_CERT_SHA256/#??/00}" bob@example.test < <(msg "bad pin")
	[ "$status" -eq 77 ]
}

@test "--json for one message; --syslog and --file accepted" {
	run msend --json --syslog --file="$MKIT_CONFIG" bob@example.test < <(msg "json")
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["status"] == "sent" and d["code"] == 250 and d["exit"] == 0, d
assert d["recipients"] == [{"address": "bob@example.test", "code": 250, "enhanced": "2.1.5", "reply": "250 2.1.5 Ok"}], d
assert d["from"] == "alice@example.test" and d["error"] is None, d
' "$output"
	only_message bob >/dev/null
}

@test "no recipients: usage error 64" {
	run msend < <(msg "nobody")
	[ "$status" -eq 64 ]
}
