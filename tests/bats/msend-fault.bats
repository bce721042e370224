#!/usr/bin/env bats
# msend against a scripted hostile server (tests/servers/fakesmtp.py): every
# fault ends with the right exit status, and nothing secret or unwanted is
# ever sent. The server records what the client sent in $FAKE_LOG.

load helpers

setup() {
	export HOME=$BATS_TEST_TMPDIR XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/xdg
	unset MKIT_CONFIG
	printf 'Subject: fault\n\nbody\n' >"$BATS_TEST_TMPDIR/m"
}

teardown() {
	stop_fake_smtp
}

teardown_file() {
	stop_servers
}

# send_plain [ARGS]: one message, no TLS, no AUTH, 5 s timeout.
send_plain() {
	run timeout 30 msend --host 127.0.0.1 --port "$FAKE_PORT" --tls=off \
		--auth=off --timeout=5 -f a@example.test "$@" b@example.test \
		<"$BATS_TEST_TMPDIR/m"
}

# send_tls [ARGS]: STARTTLS required, AUTH as alice.
send_tls() {
	run timeout 30 msend --host 127.0.0.1 --port "$FAKE_PORT" --tls=on \
		--tls-starttls=on --tls-trust-file="$TEST_CERT" --user=alice \
		--passwordeval='echo s3cret-pw' --timeout=5 -f a@example.test \
		"$@" b@example.test <"$BATS_TEST_TMPDIR/m"
}

# send_auth_plain: AUTH PLAIN allowed without TLS.
send_auth_plain() {
	run timeout 30 msend --host 127.0.0.1 --port "$FAKE_PORT" --tls=off \
		--auth=plain --allow-plaintext-auth --user=alice \
		--passwordeval='echo s3cret-pw' --timeout=5 -f a@example.test \
		b@example.test <"$BATS_TEST_TMPDIR/m"
}

client_sent() {
	grep -q "^C: $1" "$FAKE_LOG"
}

@test "STARTTLS required but not offered: exit 69 before any AUTH or MAIL" {
	start_fake_smtp <<'EOF'
send 220 fake ESMTP
ehlo AUTH_PLAIN_LOGIN PIPELINING
read
read
EOF
	send_tls
	[ "$status" -eq 69 ]
	[[ $output == *"does not offer STARTTLS"* ]]
	! client_sent AUTH
	! client_sent MAIL
	! grep -q s3cret "$FAKE_LOG"
}

@test "STARTTLS refused (454): exit 75 before any AUTH" {
	start_fake_smtp <<'EOF'
send 220 fake ESMTP
ehlo STARTTLS AUTH_PLAIN
expect STARTTLS
send 454 4.7.0 TLS not available
read
read
EOF
	send_tls
	[ "$status" -eq 75 ]
	[[ $output == *"454 4.7.0"* ]]
	! client_sent AUTH
	! client_sent MAIL
}

@test "bytes injected after the STARTTLS go-ahead: abort (76), no AUTH" {
	start_fake_smtp <<'EOF'
send 220 fake ESMTP
ehlo STARTTLS
expect STARTTLS
raw 220 2.0.0 go ahead\r\n250-fake\r\n250 AUTH PLAIN\r\n
starttls
ehlo AUTH_PLAIN
read
EOF
	send_tls
	[ "$status" -eq 76 ]
	[[ $output == *"before TLS"* ]]
	! client_sent AUTH
	! grep -q '^\* tls$' "$FAKE_LOG"
}

@test "after STARTTLS: EHLO again, pre-TLS capabilities forgotten, AUTH redacted" {
	start_fake_smtp <<'EOF'
send 220 fake ESMTP
ehlo STARTTLS PIPELINING CHUNKING
expect STARTTLS
send 220 2.0.0 go ahead
starttls
ehlo AUTH_PLAIN
expect AUTH PLAIN
send 235 2.7.0 ok
expect MAIL FROM:<a@example.test>
send 250 2.1.0 ok
expect RCPT TO:<b@example.test>
send 250 2.1.5 ok
expect DATA
send 354 go
data
send 250 2.0.0 queued as FAKE1
quit
EOF
	send_tls -v
	[ "$status" -eq 0 ]
	[[ $output == *"AUTH PLAIN <redacted>"* ]]
	[[ $output != *s3cret* ]]
	# EHLO after "* tls"; DATA (not BDAT: CHUNKING was only offered before TLS)
	awk '/^\* tls$/ { t = 1 } t && /^C: EHLO/ { e = 1 } END { exit !e }' "$FAKE_LOG"
	client_sent DATA
	! client_sent BDAT
}

@test "EHLO refused with 502: HELO fallback" {
	start_fake_smtp <<'EOF'
send 220 fake
expect EHLO
send 502 5.5.2 no EHLO here
expect HELO
send 250 fake
expect MAIL
send 250 ok
expect RCPT
send 250 ok
expect DATA
send 354 go
data
send 250 ok
quit
EOF
	send_plain
	[ "$status" -eq 0 ]
}

# cut_test SCRIPT-PREFIX: the server closes right after the prefix.
cut_test() {
	start_fake_smtp <<EOF
$1
close
EOF
	send_plain
}

@test "connection cut at the greeting: 75" {
	cut_test ""
	[ "$status" -eq 75 ]
}

@test "connection cut at EHLO: 75" {
	cut_test $'send 220 fake\nexpect EHLO'
	[ "$status" -eq 75 ]
}

@test "connection cut at AUTH: 75, password never in a message" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo AUTH_PLAIN
expect AUTH
close
EOF
	send_auth_plain
	[ "$status" -eq 75 ]
	[[ $output != *s3cret* ]]
}

@test "AUTH refused (535): exit 77, QUIT sent, no MAIL, password never shown" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo AUTH_PLAIN
expect AUTH
send 535 5.7.8 authentication failed
read
EOF
	send_auth_plain
	[ "$status" -eq 77 ]
	[[ $output == *"535 5.7.8 authentication failed"* ]]
	[[ $output != *s3cret* ]]
	client_sent QUIT
	! client_sent MAIL
}

@test "connection cut at MAIL: 75" {
	cut_test $'send 220 fake\nehlo SIZE\nexpect MAIL'
	[ "$status" -eq 75 ]
}

@test "connection cut at RCPT: 75" {
	cut_test $'send 220 fake\nehlo SIZE\nexpect MAIL\nsend 250 ok\nexpect RCPT'
	[ "$status" -eq 75 ]
}

@test "connection cut at DATA: 75, never reported as sent" {
	cut_test $'send 220 fake\nehlo SIZE\nexpect MAIL\nsend 250 ok\nexpect RCPT\nsend 250 ok\nexpect DATA'
	[ "$status" -eq 75 ]
}

@test "connection cut during the data (before the final dot left): 75" {
	# 8 MB: the server hangs up long before the client's last write.
	head -c 8000000 /dev/zero | tr '\0' x | fold -w 900 >>"$BATS_TEST_TMPDIR/m"
	cut_test $'send 220 fake\nehlo SIZE\nexpect MAIL\nsend 250 ok\nexpect RCPT\nsend 250 ok\nexpect DATA\nsend 354 go\nread'
	[ "$status" -eq 75 ]
}

@test "connection cut after the final dot: 74, in doubt" {
	cut_test $'send 220 fake\nehlo SIZE\nexpect MAIL\nsend 250 ok\nexpect RCPT\nsend 250 ok\nexpect DATA\nsend 354 go\ndata'
	[ "$status" -eq 74 ]
	[[ $output == *"may or may not have been delivered"* ]]
}

@test "connection cut after BDAT LAST: 74, in doubt" {
	cut_test $'send 220 fake\nehlo CHUNKING PIPELINING\nexpect MAIL\nsend 250 ok\nexpect RCPT\nsend 250 ok\nbdat\nsend 250 chunk\nbdat'
	[ "$status" -eq 74 ]
}

@test "BDAT pipelined behind a refused recipient: the refusal, exit 67" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo CHUNKING PIPELINING
expect MAIL
expect RCPT
bdat
bdat
send 250 ok
send 550 5.1.1 no such user
send 554 5.5.1 no valid recipients
send 554 5.5.1 no valid recipients
expect QUIT
send 221 bye
EOF
	send_plain
	[ "$status" -eq 67 ]
	[[ $output == *"RCPT TO:<b@example.test>: 550 5.1.1 no such user"* ]]
	[[ $output != *"no valid recipients"* ]]
}

@test "BDAT accepted after the recipient was refused: 76, in doubt, never sent" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo CHUNKING PIPELINING
expect MAIL
expect RCPT
bdat
bdat
send 250 ok
send 550 5.1.1 no such user
send 250 2.0.0 chunk
send 250 2.0.0 queued anyway
read
EOF
	send_plain
	[ "$status" -eq 76 ]
	[[ $output == *"accepted the message after refusing its envelope: it may or may not have been delivered"* ]]
	[[ $output != *" sent"* ]]
}

# reply_test SCRIPT: a server answering as scripted, then reading on.
reply_test() {
	start_fake_smtp <<EOF
$1
read
read
read
EOF
	send_plain
}

M=$'send 220 fake\nehlo SIZE'

@test "greeting 421 -> 75, 554 -> 69" {
	reply_test "send 421 4.3.2 busy"
	[ "$status" -eq 75 ]
	stop_fake_smtp
	reply_test "send 554 5.3.2 go away"
	[ "$status" -eq 69 ]
	[[ $output == *"554 5.3.2 go away"* ]]
}

@test "EHLO 421 -> 75, 550 -> 69" {
	reply_test $'send 220 fake\nexpect EHLO\nsend 421 4.3.2 busy'
	[ "$status" -eq 75 ]
	stop_fake_smtp
	reply_test $'send 220 fake\nexpect EHLO\nsend 550 5.7.1 not you'
	[ "$status" -eq 69 ]
}

@test "AUTH 454 -> 75, 535 -> 77, nothing after it" {
	for c in "454 4.7.0 try later:75" "535 5.7.8 bad credentials:77"; do
		start_fake_smtp <<EOF
send 220 fake
ehlo AUTH_PLAIN
expect AUTH
send ${c%:*}
read
EOF
		send_auth_plain
		[ "$status" -eq "${c#*:}" ]
		[[ $output == *"${c%%:*}"* ]]
		[[ $output != *s3cret* ]]
		! client_sent MAIL
		stop_fake_smtp
	done
}

@test "MAIL 451 -> 75, 550 -> 69" {
	reply_test "$M"$'\nexpect MAIL\nsend 451 4.3.0 later'
	[ "$status" -eq 75 ]
	stop_fake_smtp
	reply_test "$M"$'\nexpect MAIL\nsend 550 5.7.1 sender refused'
	[ "$status" -eq 69 ]
	[[ $output == *"MAIL FROM:<a@example.test>: 550 5.7.1 sender refused"* ]]
	! client_sent DATA
}

@test "RCPT 450 -> 75, 550 -> 67, and no DATA" {
	reply_test "$M"$'\nexpect MAIL\nsend 250 ok\nexpect RCPT\nsend 450 4.2.0 later'
	[ "$status" -eq 75 ]
	! client_sent DATA
	stop_fake_smtp
	reply_test "$M"$'\nexpect MAIL\nsend 250 ok\nexpect RCPT\nsend 550 5.1.1 no such user'
	[ "$status" -eq 67 ]
	[[ $output == *"127.0.0.1:$FAKE_PORT: RCPT TO:<b@example.test>: 550 5.1.1 no such user"* ]]
	! client_sent DATA
}

@test "DATA 451 -> 75, 554 -> 69" {
	D="$M"$'\nexpect MAIL\nsend 250 ok\nexpect RCPT\nsend 250 ok\nexpect DATA'
	reply_test "$D"$'\nsend 451 4.3.0 later'
	[ "$status" -eq 75 ]
	stop_fake_smtp
	reply_test "$D"$'\nsend 554 5.5.0 no'
	[ "$status" -eq 69 ]
}

@test "final dot 452 -> 75, 552 -> 69" {
	D="$M"$'\nexpect MAIL\nsend 250 ok\nexpect RCPT\nsend 250 ok\nexpect DATA\nsend 354 go\ndata'
	reply_test "$D"$'\nsend 452 4.3.1 full'
	[ "$status" -eq 75 ]
	stop_fake_smtp
	reply_test "$D"$'\nsend 552 5.3.4 too big'
	[ "$status" -eq 69 ]
	[[ $output == *"552 5.3.4 too big"* ]]
}

@test "pipelined envelope: several recipients, one refused, nothing sent" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo PIPELINING
expect MAIL
expect RCPT
expect RCPT
send 250 ok
send 250 ok
send 550 5.1.1 nobody
quit
EOF
	run timeout 30 msend --host 127.0.0.1 --port "$FAKE_PORT" --tls=off \
		--auth=off --timeout=5 -f a@example.test b@example.test \
		c@example.test <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 67 ]
	! client_sent DATA
	client_sent QUIT
}

@test "--batch: RSET after a refused message, the next one still sent" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo PIPELINING
expect MAIL FROM:<a@example.test>
expect RCPT TO:<x@example.test>
expect DATA
send 250 ok
send 550 5.1.1 nobody
send 554 5.5.1 no valid recipients
expect RSET
expect MAIL FROM:<b@example.test>
expect RCPT TO:<y@example.test>
expect DATA
send 250 ok
send 250 ok
send 250 ok
send 354 go
data
send 250 2.0.0 queued as SECOND
quit
EOF
	{
		printf 'From x Mon Jan  1 00:00:00 2024\nFrom: a@example.test\nTo: x@example.test\n\none\n\n'
		printf 'From x Mon Jan  1 00:00:00 2024\nFrom: b@example.test\nTo: y@example.test\n\ntwo\n'
	} >"$BATS_TEST_TMPDIR/mbox"
	run timeout 30 msend --batch --host 127.0.0.1 --port "$FAKE_PORT" \
		--tls=off --auth=off --timeout=5 <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 67 ]
	[[ ${lines[0]} == "1: failed: "*"550 5.1.1 nobody"* ]]
	[[ $output == *"2: sent: 250 2.0.0 queued as SECOND"* ]]
	client_sent RSET
}

@test "malformed reply: 76" {
	reply_test $'send 220 fake\nexpect EHLO\nsend 25O-what'
	[ "$status" -eq 76 ]
}

@test "endless reply line: 76, bounded memory" {
	start_fake_smtp <<'EOF'
send 220 fake
expect EHLO
flood 10M
EOF
	send_plain
	[ "$status" -eq 76 ]
	[[ $output == *"too long"* ]]
}

@test "server that never answers, --timeout=1: 75 within seconds" {
	start_fake_smtp <<'EOF'
hang
EOF
	SECONDS=0
	run timeout 30 msend --host 127.0.0.1 --port "$FAKE_PORT" --tls=off \
		--auth=off --timeout=1 -f a@example.test b@example.test \
		<"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 75 ]
	[ "$SECONDS" -lt 10 ]
}

@test "SMTPUTF8 needed but not offered: 69, nothing sent" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo 8BITMIME
read
read
EOF
	printf 'Subject: caf\xc3\xa9\n\nx\n' >"$BATS_TEST_TMPDIR/m"
	send_plain
	[ "$status" -eq 69 ]
	[[ $output == *SMTPUTF8* ]]
	! client_sent MAIL
}

@test "SIZE announced: an oversized message is refused before MAIL" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo SIZE_100
read
read
EOF
	head -c 500 /dev/zero | tr '\0' x >>"$BATS_TEST_TMPDIR/m"
	send_plain
	[ "$status" -eq 69 ]
	[[ $output == *"server limit is 100"* ]]
	! client_sent MAIL
}
