#!/usr/bin/env bats
# msend against a server that offers no PIPELINING and enforces it, as
# OpenSMTPD 6.8 does (tests/servers/strictsmtp.py): every feature that
# msend.bats and msend-batch.bats prove against Postfix runs once more,
# one command and one reply at a time. Each test checks the exit status,
# the exact bytes the server stored and that its log holds no "pipelining
# violation".

load helpers

setup_file() {
	srv_cert
}

teardown_file() {
	stop_servers
}

setup() {
	export HOME=$BATS_TEST_TMPDIR XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/xdg
	unset MKIT_CONFIG
}

teardown() {
	stop_strict_smtp
	stop_fake_smtp
}

# msg SUBJECT [TO]: a small message with lines that need dot-stuffing.
msg() {
	printf 'From: alice@example.test\nTo: %s\nSubject: %s\n\n.leading dot\n..two\n.\nbody\n' \
		"${2:-bob@example.test}" "$1"
}

# plain [ARGS]: msend to the strict server, no TLS, no AUTH.
plain() {
	run timeout 30 msend --host 127.0.0.1 --port "$STRICT_PORT" \
		--tls=off --auth=off --timeout=10 "$@"
}

# secure METHOD [ARGS]: STARTTLS, then AUTH METHOD as alice.
secure() {
	local m=$1
	shift
	run timeout 30 msend --host 127.0.0.1 --port "$STRICT_PORT" \
		--tls=on --tls-starttls=on --tls-trust-file="$TEST_CERT" \
		--auth="$m" --user=alice --passwordeval='echo secret' \
		--timeout=10 "$@"
}

# strict_ok: the server saw no violation of the rules it enforces, and the
# session ended with QUIT.
strict_ok() {
	if grep -E '^\* (pipelining violation|bdat after refused chunk)' \
		"$STRICT_LOG"; then
		return 1
	fi
	grep -q '^C: QUIT$' "$STRICT_LOG"
}

# stored: the number of messages the server accepted.
stored() {
	find "$STRICT_DIR" -name 'msg.*.eml' 2>/dev/null | wc -l
}

# body N: message N's body (after the first empty line), CRLF as LF.
body() {
	tr -d '\r' <"$STRICT_DIR/msg.$1.eml" | sed '1,/^$/d'
}

# header N NAME: message N's header field NAME (first line only).
header() {
	tr -d '\r' <"$STRICT_DIR/msg.$1.eml" | sed '/^$/q' |
		grep -i "^$2:" | head -n 1
}

# env N KEY: message N's envelope lines for KEY, without the key.
env_of() {
	sed -n "s/^$2 //p" "$STRICT_DIR/msg.$1.env"
}

# talk CHUNK...: a raw client. Reads the greeting, then writes each CHUNK
# (Python escapes; "<pause>" inside waits 50 ms between two writes) and
# reads until a final reply line or the end of the connection; prints all
# the server said, and EOF when it closed.
talk() {
	python3 - "$STRICT_PORT" "$@" <<'EOF'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
f = s.makefile("rb")

def replies():
    while True:
        line = f.readline()
        if not line:
            print("EOF")
            return False
        print(line.decode().rstrip("\r\n"))
        if line[3:4] == b" ":
            return True

replies()
for chunk in sys.argv[2:]:
    parts = chunk.encode().decode("unicode_escape").encode("latin-1")
    for i, part in enumerate(parts.split(b"<pause>")):
        if i:
            time.sleep(0.05)
        s.sendall(part)
    if not replies():
        sys.exit(0)
try:
    if not f.readline():
        print("EOF")
except OSError:
    pass
EOF
}

@test "the strict server catches a pipelining client (one write, two writes, QUIT behind the dot)" {
	start_strict_smtp --grace 0.5
	# two commands in one write: the first is never answered
	run talk 'EHLO client\r\nNOOP\r\n'
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == "500 5.5.1 Invalid command: Pipelining not supported" ]]
	[[ $output != *"250"* ]]
	[[ $output == *EOF ]]
	grep -q '^\* pipelining violation: NOOP\\r\\n$' "$STRICT_LOG"
	# two writes, the second 50 ms after the first, inside the grace
	: >"$STRICT_LOG"
	run talk 'EHLO client\r\n' 'NOOP\r\n<pause>NOOP\r\n'
	[[ $output == *"250 HELP"*"500 5.5.1 Invalid command: Pipelining not supported"* ]]
	grep -q '^\* pipelining violation: NOOP' "$STRICT_LOG"
	# QUIT in the same write as the final dot (the old msend): refused,
	# and nothing stored
	: >"$STRICT_LOG"
	run talk 'EHLO client\r\n' 'MAIL FROM:<a@example.test>\r\n' \
		'RCPT TO:<bob@example.test>\r\n' 'DATA\r\n' \
		'Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n'
	[[ $output == *"354 "*"500 5.5.1 Invalid command: Pipelining not supported"* ]]
	grep -q '^\* pipelining violation: QUIT' "$STRICT_LOG"
	[ "$(stored)" -eq 0 ]
	# the same, one command at a time: accepted, no violation
	: >"$STRICT_LOG"
	run talk 'EHLO client\r\n' 'MAIL FROM:<a@example.test>\r\n' \
		'RCPT TO:<bob@example.test>\r\n' 'DATA\r\n' \
		'Subject: x\r\n\r\nbody\r\n.\r\n' 'QUIT\r\n'
	[[ $output == *"250 2.0.0 00000001 Message accepted"*"221 "* ]]
	strict_ok
	[ "$(stored)" -eq 1 ]
}

@test "the strict server refuses BDAT after a refused chunk and pipelined chunks" {
	start_strict_smtp --chunking --grace 0.5
	run talk 'EHLO client\r\n' 'MAIL FROM:<a@example.test>\r\n' \
		'RCPT TO:<badmsg@example.test>\r\n' 'BDAT 3\r\nabc' \
		'BDAT 3 LAST\r\ndef' 'QUIT\r\n'
	[[ $output == *"554 5.6.0 Message refused"*"503 5.5.1 Invalid command: BDAT after a refused chunk"* ]]
	grep -q '^\* bdat after refused chunk$' "$STRICT_LOG"
	: >"$STRICT_LOG"
	run talk 'EHLO client\r\n' 'MAIL FROM:<a@example.test>\r\n' \
		'RCPT TO:<bob@example.test>\r\n' 'BDAT 3\r\nabcBDAT 3 LAST\r\ndef'
	[[ $output == *"500 5.5.1 Invalid command: Pipelining not supported"* ]]
	grep -q '^\* pipelining violation: BDAT 3 LAST' "$STRICT_LOG"
	[ "$(stored)" -eq 0 ]
}

@test "plain: delivered byte for byte over DATA, nothing written ahead" {
	start_strict_smtp
	msg "plain" >"$BATS_TEST_TMPDIR/m"
	plain -i -f alice@example.test bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	strict_ok
	[ "$(stored)" -eq 1 ]
	[ "$(env_of 1 transfer)" = DATA ]
	[ "$(env_of 1 tls)" = no ]
	[ "$(env_of 1 auth)" = none ]
	[[ $(env_of 1 mail) == "<alice@example.test> SIZE="* ]]
	[ "$(env_of 1 rcpt)" = "<bob@example.test>" ]
	printf '.leading dot\n..two\n.\nbody\n' | diff - <(body 1)
	[ "$(header 1 Subject)" = "Subject: plain" ]
	# every line the server stored ends in CRLF
	[ "$(grep -c $'\r$' "$STRICT_DIR/msg.1.eml")" -eq "$(wc -l <"$STRICT_DIR/msg.1.eml")" ]
	# each command waited for the reply to the one before
	[ "$(grep -c '^S: ' "$STRICT_LOG")" -ge 5 ]
}

@test "STARTTLS + AUTH PLAIN (TLS and AUTH required before MAIL)" {
	start_strict_smtp --require-tls --require-auth
	msg "tls plain" >"$BATS_TEST_TMPDIR/m"
	secure plain -i -f alice@example.test bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	strict_ok
	[ "$(stored)" -eq 1 ]
	[ "$(env_of 1 tls)" = yes ]
	[ "$(env_of 1 auth)" = "PLAIN alice" ]
	[ "$(env_of 1 helo | wc -l)" -eq 1 ]
	printf '.leading dot\n..two\n.\nbody\n' | diff - <(body 1)
	# EHLO before and after TLS
	[ "$(grep -c '^C: EHLO ' "$STRICT_LOG")" -eq 2 ]
}

@test "STARTTLS + AUTH LOGIN; a wrong password: 77, QUIT, nothing sent" {
	start_strict_smtp --require-tls --require-auth
	msg "tls login" >"$BATS_TEST_TMPDIR/m"
	secure login -i -f alice@example.test bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	strict_ok
	[ "$(stored)" -eq 1 ]
	[ "$(env_of 1 auth)" = "LOGIN alice" ]
	[ "$(env_of 1 tls)" = yes ]
	: >"$STRICT_LOG"
	run timeout 30 msend --host 127.0.0.1 --port "$STRICT_PORT" \
		--tls=on --tls-starttls=on --tls-trust-file="$TEST_CERT" \
		--auth=login --user=alice --passwordeval='echo wrong' \
		--timeout=10 -f alice@example.test bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 77 ]
	[[ $output == *"535 5.7.8"* ]]
	strict_ok
	! grep -q '^C: MAIL' "$STRICT_LOG"
	[ "$(stored)" -eq 1 ]
}

@test "several recipients in one transaction" {
	start_strict_smtp
	msg "three" >"$BATS_TEST_TMPDIR/m"
	plain -f alice@example.test bob@example.test carol@example.test \
		dave@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	strict_ok
	[ "$(stored)" -eq 1 ]
	[ "$(env_of 1 rcpt | tr '\n' ' ')" = "<bob@example.test> <carol@example.test> <dave@example.test> " ]
	[ "$(grep -c '^C: MAIL FROM' "$STRICT_LOG")" -eq 1 ]
}

@test "one refused recipient: exit 67, nothing delivered" {
	start_strict_smtp
	msg "refused" >"$BATS_TEST_TMPDIR/m"
	plain -f alice@example.test bob@example.test refuse1@example.test \
		carol@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 67 ]
	[[ $output == *"RCPT TO:<refuse1@example.test>: 550 5.1.1"* ]]
	strict_ok
	! grep -q '^C: DATA' "$STRICT_LOG"
	[ "$(stored)" -eq 0 ]
}

@test "refused sender: exit 69, no RCPT, QUIT" {
	start_strict_smtp
	msg "sender" >"$BATS_TEST_TMPDIR/m"
	plain -f refuse@example.test bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 69 ]
	[[ $output == *"MAIL FROM:<refuse@example.test>: 550 5.7.1"* ]]
	strict_ok
	! grep -q '^C: RCPT' "$STRICT_LOG"
	[ "$(stored)" -eq 0 ]
}

@test "--partial: the accepted recipients get it, exit 67" {
	start_strict_smtp
	msg "partial" >"$BATS_TEST_TMPDIR/m"
	plain --partial -f alice@example.test bob@example.test \
		refuse1@example.test carol@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 67 ]
	[[ $output == *"550 5.1.1"* ]]
	strict_ok
	[ "$(stored)" -eq 1 ]
	[ "$(env_of 1 rcpt | tr '\n' ' ')" = "<bob@example.test> <carol@example.test> " ]
	[ "$(header 1 Subject)" = "Subject: partial" ]
}

@test "4xx recipient: exit 75, nothing delivered" {
	start_strict_smtp
	msg "busy" >"$BATS_TEST_TMPDIR/m"
	plain -f alice@example.test busy1@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 75 ]
	[[ $output == *"451 4.2.0"* ]]
	strict_ok
	[ "$(stored)" -eq 0 ]
}

@test "DSN: -N, -R and -V arrive as NOTIFY, ORCPT, RET and ENVID" {
	start_strict_smtp
	msg "dsn" >"$BATS_TEST_TMPDIR/m"
	plain -N success,failure -R hdrs -V env42 -f alice@example.test \
		bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	strict_ok
	[ "$(stored)" -eq 1 ]
	[[ $(env_of 1 mail) == "<alice@example.test> SIZE="*" RET=HDRS ENVID=env42" ]]
	[ "$(env_of 1 rcpt)" = "<bob@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob@example.test" ]
}

@test "8-bit body and UTF-8 header: BODY=8BITMIME, SMTPUTF8, bytes intact" {
	start_strict_smtp --smtputf8
	printf 'Subject: caf\xc3\xa9 \xe2\x82\xac\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nJ\xc3\xb6rg \xf0\x9f\x98\x80 \xff\xfe raw\n.\xc3\xa9\n' >"$BATS_TEST_TMPDIR/m"
	plain -i -f alice@example.test bob@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	strict_ok
	[ "$(stored)" -eq 1 ]
	[[ $(env_of 1 mail) == *" BODY=8BITMIME"* ]]
	[[ $(env_of 1 mail) == *" SMTPUTF8"* ]]
	[ "$(header 1 Subject)" = $'Subject: caf\xc3\xa9 \xe2\x82\xac' ]
	printf 'J\xc3\xb6rg \xf0\x9f\x98\x80 \xff\xfe raw\n.\xc3\xa9\n' | cmp - <(body 1)
	# an 8-bit body under ASCII headers needs no SMTPUTF8
	stop_strict_smtp
	start_strict_smtp
	printf 'Subject: ascii\n\n\xe9t\xe9\n' | plain -f alice@example.test bob@example.test
	[ "$status" -eq 0 ]
	strict_ok
	[[ $(env_of 1 mail) == *" BODY=8BITMIME" ]]
	printf '\xe9t\xe9\n' | cmp - <(body 1)
}

@test "-t: To, Cc and Bcc are recipients; Bcc is not in what arrives" {
	start_strict_smtp
	printf 'From: alice@example.test\nTo: bob@example.test\nCc: carol@example.test\nBcc: dave@example.test\nSubject: bcc\n\nsecret list\n' >"$BATS_TEST_TMPDIR/m"
	plain -t -f alice@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	strict_ok
	[ "$(stored)" -eq 1 ]
	[ "$(env_of 1 rcpt | sort | tr '\n' ' ')" = "<bob@example.test> <carol@example.test> <dave@example.test> " ]
	! tr -d '\r' <"$STRICT_DIR/msg.1.eml" | grep -qi '^Bcc:'
	[ "$(header 1 To)" = "To: bob@example.test" ]
	[ "$(body 1)" = "secret list" ]
}

@test "CHUNKING without PIPELINING: one BDAT at a time, bytes intact" {
	start_strict_smtp --chunking
	msg "chunks" >"$BATS_TEST_TMPDIR/m"
	plain -v -i -f alice@example.test bob@example.test carol@example.test \
		<"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	strict_ok
	[[ $output == *"> BDAT "*" LAST"* ]]
	[[ $output != *"> DATA"* ]]
	[ "$(stored)" -eq 1 ]
	[[ $(env_of 1 transfer) == "BDAT "* ]]
	printf '.leading dot\n..two\n.\nbody\n' | diff - <(body 1)
	# every BDAT got its reply before the next line from the client
	awk '/^C: BDAT/ { if (open) bad = 1; open = 1 }
		/^S: / { open = 0 }
		END { exit bad }' "$STRICT_LOG"
}

@test "CHUNKING without PIPELINING: a refused chunk stops the message (69), --partial too, QUIT" {
	start_strict_smtp --chunking
	msg "bad chunk" badmsg@example.test >"$BATS_TEST_TMPDIR/m"
	plain -f alice@example.test badmsg@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 69 ]
	[[ $output == *"554 5.6.0"* ]]
	strict_ok
	[ "$(grep -c '^C: BDAT' "$STRICT_LOG")" -eq 1 ]
	[ "$(stored)" -eq 0 ]
	# --partial changes nothing: no chunk follows a refused one
	: >"$STRICT_LOG"
	plain --partial -f alice@example.test bob@example.test \
		badmsg@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 69 ]
	[[ $output == *"554 5.6.0"* ]]
	strict_ok
	[ "$(grep -c '^C: BDAT' "$STRICT_LOG")" -eq 1 ]
	[ "$(stored)" -eq 0 ]
}

# batch_mbox: six messages: ok, refused recipient, refused message,
# refused sender, ok, refused recipient (the last).
batch_mbox() {
	local i to from
	for i in 1 2 3 4 5 6; do
		from=alice@example.test to=bob@example.test
		case $i in
		2) to=refuse1@example.test ;;
		3) to=badmsg@example.test ;;
		4) from=refuse@example.test ;;
		6) to=refuse2@example.test ;;
		esac
		printf 'From %s Mon Jan  1 00:00:00 2024\n' "$from"
		printf 'From: %s\nTo: %s\nSubject: n %d\n\n>From the quoted line\n.dot %d\n\n' \
			"$from" "$to" "$i" "$i"
	done
}

# batch_check RSETS: the results and deliveries of batch_mbox.
batch_check() {
	[ "$status" -eq 67 ]
	grep -E '^[0-9]+: ' <<<"$output" | cut -d: -f1-2 >"$BATS_TEST_TMPDIR/res"
	printf '1: sent\n2: failed\n3: failed\n4: failed\n5: sent\n6: failed\n' |
		diff - "$BATS_TEST_TMPDIR/res"
	[[ $output == *"2: failed: "*"550 5.1.1"* ]]
	[[ $output == *"3: failed: "*"554 5.6.0"* ]]
	[[ $output == *"4: failed: "*"MAIL FROM:<refuse@example.test>: 550 5.7.1"* ]]
	[[ $output == *"6: failed: "*"550 5.1.1"* ]]
	strict_ok
	[ "$(grep -c '^C: EHLO' "$STRICT_LOG")" -eq 1 ]
	[ "$(grep -c '^C: RSET' "$STRICT_LOG")" -eq "$1" ]
	[ "$(stored)" -eq 2 ]
	[ "$(header 1 Subject)" = "Subject: n 1" ]
	[ "$(header 2 Subject)" = "Subject: n 5" ]
	printf 'From the quoted line\n.dot 5\n' | diff - <(body 2)
}

@test "--batch over DATA: refusals mid-stream and last, RSET, result per message" {
	start_strict_smtp
	batch_mbox >"$BATS_TEST_TMPDIR/mbox"
	plain --batch <"$BATS_TEST_TMPDIR/mbox"
	# RSET after messages 2 and 4: 3 was refused at its dot, 6 is last
	batch_check 2
}

@test "--batch over BDAT: the same, a refused chunk is followed by RSET" {
	start_strict_smtp --chunking
	batch_mbox >"$BATS_TEST_TMPDIR/mbox"
	plain --batch <"$BATS_TEST_TMPDIR/mbox"
	batch_check 3
	[[ $(env_of 2 transfer) == "BDAT "* ]]
}

@test "--batch with STARTTLS + AUTH: every message on one session" {
	start_strict_smtp --require-tls --require-auth --chunking
	for i in 1 2 3; do
		printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n'
		printf 'From: alice@example.test\nTo: bob@example.test\nSubject: n %d\n\nbody %d\n\n' "$i" "$i"
	done >"$BATS_TEST_TMPDIR/mbox"
	secure plain --batch <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': sent: 250' <<<"$output")" -eq 3 ]
	strict_ok
	[ "$(stored)" -eq 3 ]
	for i in 1 2 3; do
		[ "$(env_of "$i" auth)" = "PLAIN alice" ]
		[ "$(header "$i" Subject)" = "Subject: n $i" ]
	done
}

@test "-bs: an SMTP session on stdin/stdout is relayed, message by message" {
	start_strict_smtp
	printf 'EHLO client\r\nMAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nSubject: via -bs 1\r\n\r\n..dot line\r\nbody\r\n.\r\nMAIL FROM:<alice@example.test>\r\nRCPT TO:<refuse1@example.test>\r\nDATA\r\nSubject: refused\r\n\r\nx\r\n.\r\nMAIL FROM:<alice@example.test>\r\nRCPT TO:<carol@example.test>\r\nDATA\r\nSubject: via -bs 2\r\n\r\nbody 2\r\n.\r\nQUIT\r\n' >"$BATS_TEST_TMPDIR/s"
	plain -bs <"$BATS_TEST_TMPDIR/s"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == 220* ]]
	[[ $output == *"550 5.1.1 "*"refuse1@example.test"* ]]
	[[ $output == *"221 "* ]]
	strict_ok
	[ "$(stored)" -eq 2 ]
	[ "$(header 1 Subject)" = "Subject: via -bs 1" ]
	printf '.dot line\nbody\n' | diff - <(body 1)
	[ "$(env_of 2 rcpt)" = "<carol@example.test>" ]
	[ "$(body 2)" = "body 2" ]
	[ "$(grep -c '^C: EHLO' "$STRICT_LOG")" -eq 1 ]
}

@test "the scripted server's strict mode (FAKE_STRICT=1): a step-by-step session passes" {
	FAKE_STRICT=1 start_fake_smtp <<'EOF'
send 220 fake ESMTP
ehlo 8BITMIME SIZE_1000000
expect MAIL FROM:<alice@example.test>
send 250 2.1.0 ok
expect RCPT TO:<bob@example.test>
send 250 2.1.5 ok
expect DATA
send 354 go ahead
data
send 250 2.0.0 queued
quit
EOF
	msg "scripted" >"$BATS_TEST_TMPDIR/m"
	run timeout 30 msend --host 127.0.0.1 --port "$FAKE_PORT" --tls=off \
		--auth=off --timeout=10 -f alice@example.test bob@example.test \
		<"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	! grep '^\* pipelining violation' "$FAKE_LOG"
	grep -q '^C: QUIT$' "$FAKE_LOG"
	# and it catches a client that writes ahead
	STRICT_PORT=$FAKE_PORT run talk 'EHLO client\r\nMAIL FROM:<a@b>\r\n'
	[[ $output == *"500 5.5.1 Invalid command: Pipelining not supported"* ]]
	grep -q '^\* pipelining violation: MAIL FROM:<a@b>\\r\\n$' "$FAKE_LOG"
}
