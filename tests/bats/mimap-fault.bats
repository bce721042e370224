#!/usr/bin/env bats
# mimap against a scripted hostile IMAP server (tests/servers/fakesmtp.py,
# which speaks any line protocol): the EAST classes of STARTTLS attacks and
# broken responses. Each ends with one clear error and the right exit
# status; nothing is written locally, nothing secret or changing is sent.

load helpers

setup() {
	export HOME=$BATS_TEST_TMPDIR XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/xdg
	unset MKIT_CONFIG
	MD=$BATS_TEST_TMPDIR/md
}

teardown() {
	stop_fake_smtp
}

teardown_file() {
	stop_servers
}

# plain ARGS...: no TLS, no login, 5 s timeout.
plain() {
	run timeout 30 mimap --host 127.0.0.1 --port "$FAKE_PORT" --tls=off \
		--auth=off --timeout=5 "$@"
}

# tls ARGS...: STARTTLS required, login as alice.
tls() {
	run timeout 30 mimap --host 127.0.0.1 --port "$FAKE_PORT" --tls=on \
		--tls-starttls=on --tls-trust-file="$TEST_CERT" --user=alice \
		--passwordeval='echo s3cret-pw' --timeout=5 "$@"
}

client_sent() {
	grep -q "^C: $1" "$FAKE_LOG"
}

# nothing in the maildir, and nothing that changes mail was sent
nothing_done() {
	[ -z "$(find "$MD" -type f 2>/dev/null)" ] || return 1
	! grep -Eq '^C: A[0-9]+ (UID STORE|STORE|UID EXPUNGE|EXPUNGE|UID MOVE|UID COPY|APPEND)' "$FAKE_LOG"
}

@test "STARTTLS required but not offered: 69, no credential sent" {
	start_fake_server <<'EOF'
send * OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake
read
EOF
	tls status INBOX
	[ "$status" -eq 69 ]
	[[ $output == *"does not offer STARTTLS"* ]]
	! client_sent "A[0-9]* LOGIN"
	! client_sent "A[0-9]* AUTHENTICATE"
	[ "${#lines[@]}" -eq 1 ]
}

@test "STARTTLS refused: 69, no credential sent" {
	start_fake_server <<'EOF'
send * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake
expect A1 STARTTLS
send A1 NO not today
read
EOF
	tls status INBOX
	[ "$status" -eq 69 ]
	[[ $output == *"STARTTLS"*"not today"* ]]
	! client_sent "A[0-9]* AUTHENTICATE"
}

@test "bytes injected before the TLS handshake: 76, nothing sent after" {
	start_fake_server <<'EOF'
send * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake
expect A1 STARTTLS
raw A1 OK go ahead\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n
starttls
read
EOF
	tls status INBOX
	[ "$status" -eq 76 ]
	[[ $output == *"before TLS started"* ]]
	! client_sent "A[0-9]* AUTHENTICATE"
}

@test "untagged response injected before the tagged OK of STARTTLS: 76" {
	start_fake_server <<'EOF'
send * OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake
expect A1 STARTTLS
send * CAPABILITY IMAP4rev1 AUTH=PLAIN LOGINDISABLED
send A1 OK go ahead
starttls
read
EOF
	tls status INBOX
	[ "$status" -eq 76 ]
	[[ $output == *"before the reply to STARTTLS"* ]]
	! client_sent "A[0-9]* AUTHENTICATE"
}

@test "PREAUTH on plaintext while TLS is required: 69, nothing sent" {
	start_fake_server <<'EOF'
send * PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] you are in
read
EOF
	tls fetch INBOX 1 --maildir "$MD"
	[ "$status" -eq 69 ]
	[[ $output == *"PREAUTH"* ]]
	! grep -q '^C: ' "$FAKE_LOG"
	nothing_done
}

fetch_script() {
	cat <<EOF
send * OK [CAPABILITY IMAP4rev1] fake
expect A1 EXAMINE INBOX
send * 1 EXISTS
send * OK [UIDVALIDITY 7] ok
send A1 OK [READ-ONLY] done
expect A2 UID FETCH 1
$1
read
read
EOF
}

# fault_fetch STEP: the server answers the fetch with STEP; mimap fetches
# into a maildir.
fault_fetch() {
	start_fake_server < <(fetch_script "$1")
	plain fetch INBOX 1 --peek --maildir "$MD"
}

@test "a literal that lies about its size (RFC822.SIZE 10, {1000}): 76, nothing written" {
	fault_fetch 'raw * 1 FETCH (UID 1 RFC822.SIZE 10 BODY[] {1000}\r\nshort\r\n'
	[ "$status" -eq 76 ]
	[[ $output == *"RFC822.SIZE"* ]]
	nothing_done
}

@test "a literal shorter than the message (BODY[] {5} for 10 bytes): 76, nothing written" {
	fault_fetch 'raw * 1 FETCH (UID 1 RFC822.SIZE 10 BODY[] {5}\r\n0123456789)\r\nA2 OK done\r\n'
	[ "$status" -eq 76 ]
	nothing_done
}

@test "the connection cut inside a literal: 75, the partial file removed" {
	fault_fetch 'raw * 1 FETCH (UID 1 BODY[] {100000}\r\nFrom: a@b\r\n\r\nbody
close'
	[ "$status" -eq 75 ]
	nothing_done
}

@test "a 4 GB literal announced: 76 at once, nothing allocated or written" {
	fault_fetch 'raw * 1 FETCH (UID 1 BODY[] {4294967296}\r\n
hang'
	[ "$status" -eq 76 ]
	[[ $output == *"4294967296"* ]]
	nothing_done
}

@test "unbalanced parentheses: 76" {
	fault_fetch 'send * 1 FETCH (UID 1 FLAGS (\Seen)'
	[ "$status" -eq 76 ]
	[[ $output == *"unbalanced parentheses"* ]]
	nothing_done
}

@test "a reply to the wrong tag: 76" {
	fault_fetch 'send A7 OK done'
	[ "$status" -eq 76 ]
	[[ $output == *"tag A7"*"A2"* ]]
	nothing_done
}

@test "BYE in the middle of a command: 75 with the server's words" {
	fault_fetch 'send * BYE server shutting down
close'
	[ "$status" -eq 75 ]
	[[ $output == *"server shutting down"* ]]
	nothing_done
}

@test "a 10 MB line: 76, memory bounded" {
	fault_fetch 'flood 10M'
	[ "$status" -eq 76 ]
	[[ $output == *"too long"* ]]
	nothing_done
}

@test "fetch --maildir: FLAGS after a message's bytes are its maildir info" {
	# the same response after the literal, then a FETCH of its own
	fault_fetch 'raw * 1 FETCH (UID 1 BODY[] {20}\r\nSubject: x\r\n\r\nbody\r\n FLAGS (\\Seen))\r\n* 1 FETCH (UID 1 FLAGS (\\Seen \\Flagged \\Answered))\r\nA2 OK done\r\n'
	[ "$status" -eq 0 ]
	[ -z "$(find "$MD/new" "$MD/tmp" -type f)" ]
	[ "$(ls "$MD/cur")" = "$(cd "$MD/cur" && echo *,V=7,U=1:2,FRS)" ]
	printf 'Subject: x\n\nbody\n' | cmp - "$MD"/cur/*
}

@test "fetch --maildir: FLAGS sent at the end of the FETCH reach a file pending and one already committed" {
	# 501 messages: the first batch (500) is committed when the last
	# begins; FLAGS for UID 1 and UID 501 come after all the bytes
	local i body='raw '
	for i in $(seq 1 501); do
		body+="* $i FETCH (UID $i BODY[] {20}\\r\\nSubject: x\\r\\n\\r\\nbody\\r\\n)\\r\\n"
	done
	body+='* 1 FETCH (UID 1 FLAGS (\\Flagged))\r\n* 501 FETCH (UID 501 FLAGS (\\Seen))\r\nA2 OK done\r\n'
	start_fake_server < <(fetch_script "$body")
	plain fetch INBOX 1:501 --peek --maildir "$MD"
	[ "$status" -eq 0 ]
	[ "$(ls "$MD/new" | wc -l)" -eq 499 ]
	[ "$(ls "$MD/cur" | sed 's/.*,V=//' | sort)" = "$(printf '7,U=1:2,F\n7,U=501:2,S')" ]
	[ -z "$(ls -A "$MD/tmp")" ]
}

@test "fetch --maildir from a folder without UIDVALIDITY: 76, nothing written" {
	start_fake_server <<'EOF'
send * OK [CAPABILITY IMAP4rev1] fake
expect A1 EXAMINE INBOX
send * 1 EXISTS
send A1 OK [READ-ONLY] done
read
EOF
	plain fetch INBOX 1 --peek --maildir "$MD"
	[ "$status" -eq 76 ]
	[[ $output == *"UIDVALIDITY"* ]]
	nothing_done
}

@test "NO [UNAVAILABLE] and [INUSE] are 75; a plain NO is 69" {
	for code in "[UNAVAILABLE] " "[INUSE] " ""; do
		start_fake_server <<EOF
send * OK [CAPABILITY IMAP4rev1] fake
expect A1 EXAMINE
send A1 NO ${code}cannot now
expect A2 LOGOUT
send * BYE
send A2 OK bye
EOF
		plain search INBOX ALL
		if [ -n "$code" ]; then
			[ "$status" -eq 75 ]
		else
			[ "$status" -eq 69 ]
		fi
		[[ $output == *"cannot now"* ]]
		stop_fake_smtp
	done
}

@test "LOGIN quotes what needs quoting" {
	start_fake_server <<'EOF'
send * OK [CAPABILITY IMAP4rev1] fake
expect A1 LOGIN
send A1 OK logged in
expect A2 CAPABILITY
send * CAPABILITY IMAP4rev1
send A2 OK done
expect A3 LIST
send A3 OK done
expect A4 LOGOUT
send A4 OK bye
EOF
	run timeout 30 mimap --host 127.0.0.1 --port "$FAKE_PORT" --tls=off \
		--allow-plaintext-auth --user='al "ice"' \
		--passwordeval='printf "%s" "p\\w\"d"' --timeout=5 list x
	[ "$status" -eq 0 ]
	grep -qF 'C: A1 LOGIN "al \"ice\"" "p\\w\"d"' "$FAKE_LOG"
}

@test "LOGIN over plaintext without allow_plaintext_auth: 77, nothing sent" {
	start_fake_server <<'EOF'
send * OK [CAPABILITY IMAP4rev1] fake
read
EOF
	run timeout 30 mimap --host 127.0.0.1 --port "$FAKE_PORT" --tls=off \
		--user=alice --passwordeval='echo s3cret-pw' --timeout=5 \
		status INBOX
	[ "$status" -eq 77 ]
	! grep -q 's3cret-pw' "$FAKE_LOG"
}
