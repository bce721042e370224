#!/usr/bin/env bats
# mpop against tests/servers/fakepop3.py, for what Dovecot will not do:
# STLS refused or missing, bytes before TLS, a huge greeting, a message cut
# before its dot, duplicate or missing UIDLs, DELE refused, the connection
# cut before QUIT, a strict server without PIPELINING. Nothing is lost,
# nothing is delivered twice.

load helpers

setup() {
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
	export HOME=$BATS_TEST_TMPDIR/home
	mkdir -p "$HOME"
	MAIL=$BATS_TEST_TMPDIR/Mail
	export MKIT_CONFIG=$BATS_TEST_TMPDIR/config
}

teardown() {
	stop_fake_pop3
}

# fake [FAKEPOP3 OPTIONS...]: start the server with 3 messages and write an
# account for it (tls off, auth user) delivering into $MAIL.
fake() {
	start_fake_pop3 "$@"
	local i
	for i in 1 2 3; do
		printf 'Subject: f%s\n\nbody %s\n' "$i" "$i" >"$FAKE_POP3_DIR/m$i"
	done
	conf
}

# conf [EXTRA LINES...]
conf() {
	{
		printf '%s\n' "account default" "host 127.0.0.1" \
			"port $FAKE_POP3_PORT" "tls off" "auth user" \
			"user alice" "password secret" "delivery maildir $MAIL"
		printf '%s\n' "$@"
	} >"$MKIT_CONFIG"
	chmod 600 "$MKIT_CONFIG"
}

fetched() {
	ls "$MAIL/new" 2>/dev/null | wc -l
}

left() {
	ls "$FAKE_POP3_DIR" | wc -l
}

@test "a strict server without PIPELINING: one command at a time, all fetched" {
	fake
	run mpop
	[ "$status" -eq 0 ]
	! grep -q 'pipelining violation' "$FAKE_POP3_LOG"
	[ "$(fetched)" -eq 3 ]
	[ "$(left)" -eq 0 ]
}

@test "a server with PIPELINING: RETR in one window" {
	fake --pipelining
	run mpop -v
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 3 ]
	[ "$(left)" -eq 0 ]
	grep -A1 '^> RETR 1$' <<<"$output" | grep -q '^> RETR 2$'
}

@test "USER/PASS with tls on but no TLS in effect: refused, nothing sent" {
	fake
	conf "tls on" "tls_starttls off" "auth on" "port 1"
	conf "tls on" "tls_starttls on"
	run mpop
	[ "$status" -eq 69 ]
	[[ $output == *"does not offer STLS"* ]]
	! grep -q '^C: USER' "$FAKE_POP3_LOG"
	! grep -q '^C: PASS' "$FAKE_POP3_LOG"
}

@test "STLS answered -ERR: 69, no credentials sent" {
	fake --stls-err
	conf "tls on" "tls_starttls on" "tls_trust_file $TEST_CERT"
	run mpop
	[ "$status" -eq 69 ]
	[[ $output == *"STLS (required by the account; nothing was sent)"* ]]
	! grep -q '^C: USER' "$FAKE_POP3_LOG"
}

@test "bytes injected before the TLS handshake: 76" {
	fake --stls --inject "+OK injected"
	conf "tls on" "tls_starttls on" "tls_trust_file $TEST_CERT"
	run mpop
	[ "$status" -eq 76 ]
	[[ $output == *"before TLS"* ]]
	! grep -q '^C: USER' "$FAKE_POP3_LOG"
}

@test "STLS then USER/PASS over TLS: fetched" {
	fake --stls
	conf "tls on" "tls_starttls on" "tls_trust_file $TEST_CERT"
	run mpop
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 3 ]
	# the capabilities were asked again after TLS
	[ "$(grep -c '^C: CAPA' "$FAKE_POP3_LOG")" -eq 2 ]
}

@test "only USER offered, tls off, no method named: refused with 77" {
	fake
	conf "auth on"
	run mpop
	[ "$status" -eq 77 ]
	[[ $output == *"in the clear"* ]]
	! grep -q '^C: PASS' "$FAKE_POP3_LOG"
	conf "auth on" "allow_plaintext_auth on"
	run mpop
	[ "$status" -eq 0 ]
}

@test "a 10 MB greeting: 76 in bounded memory" {
	fake --greeting-flood 10M
	run mpop
	[ "$status" -eq 76 ]
	[[ $output == *"too long"* ]]
}

@test "a message cut before its dot: not delivered, not deleted; the rerun delivers nothing twice" {
	fake --cut-retr 2
	run mpop
	[ "$status" -eq 75 ]
	[[ $output == *"cut"* ]]
	[ "$(fetched)" -eq 1 ]
	[ "$(left)" -eq 3 ]
	ls "$MAIL/tmp" | wc -l | grep -qx 0
	run mpop
	[ "$status" -eq 75 ]
	[ "$(fetched)" -eq 1 ]
}

@test "duplicate UIDLs: 76 with only_new; with only_new off and keep off all fetched" {
	fake --dup-uidl
	run mpop
	[ "$status" -eq 76 ]
	[[ $output == *"same UIDL"* ]]
	[ "$(fetched)" -eq 0 ]
	run mpop --only-new=off
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 3 ]
	[ "$(left)" -eq 0 ]
}

@test "no UIDL: 78 with only_new, says what to set" {
	fake --no-uidl
	run mpop
	[ "$status" -eq 78 ]
	[[ $output == *'only_new off'* ]]
	[ "$(left)" -eq 3 ]
	run mpop --only-new=off
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 3 ]
}

@test "DELE refused: delivered and recorded, a warning naming the message; no second delivery" {
	fake --dele-err
	run mpop
	[ "$status" -eq 0 ]
	[[ $output == *'message 1 (UIDL "m1"): DELE refused'* ]]
	[ "$(fetched)" -eq 3 ]
	[ "$(left)" -eq 3 ]
	run mpop
	[ "$(fetched)" -eq 3 ]
}

@test "the connection cut after DELE, before QUIT: 75; the rerun delivers nothing twice and deletes" {
	fake --cut-at-quit
	# the state outlives the server's port (%U: the user)
	conf "uidls_file $BATS_TEST_TMPDIR/uidls-%U"
	run mpop
	[ "$status" -eq 75 ]
	[ "$(fetched)" -eq 3 ]
	[ "$(left)" -eq 3 ]
	stop_fake_pop3
	start_fake_pop3
	for i in 1 2 3; do
		printf 'Subject: f%s\n\nbody %s\n' "$i" "$i" >"$FAKE_POP3_DIR/m$i"
	done
	conf "uidls_file $BATS_TEST_TMPDIR/uidls-%U"
	run mpop
	[ "$status" -eq 0 ]
	[ "$(fetched)" -eq 3 ]
	[ "$(left)" -eq 0 ]
}

@test "an MDA that fails: its exit code, nothing deleted, nothing recorded" {
	fake
	conf "delivery mda sh -c 'cat >/dev/null; exit 75'"
	run mpop
	[ "$status" -eq 75 ]
	[[ $output == *'message 1 (UIDL "m1")'* ]]
	[ "$(left)" -eq 3 ]
	conf "delivery mda sh -c 'cat >/dev/null; exit 1'"
	run mpop
	[ "$status" -eq 74 ]
	[ "$(left)" -eq 3 ]
}

@test "a second mpop on the same mailbox: 75, mailbox in use" {
	fake
	conf "delivery mda sh -c 'sleep 3; cat >/dev/null'"
	mpop -q >/dev/null 2>&1 &
	pid=$!
	sleep 1
	run mpop
	wait "$pid"
	[ "$status" -eq 75 ]
	[[ $output == *"in use"* ]]
}

# killed RUNS DELIVERY: fetch 150 messages, kill -9 mpop RUNS times at
# random moments, then let a last run finish; every message must be in the
# destination exactly once.
killed() {
	local runs=$1 i pid
	start_fake_pop3 --pipelining
	for i in $(seq 1 150); do
		printf 'Subject: k%s\n\nbody %s\n%s\n' "$i" "$i" \
			"$(head -c 2000 /dev/zero | tr '\0' b)" >"$FAKE_POP3_DIR/m$i"
	done
	conf "$2" "uidls_file $BATS_TEST_TMPDIR/uidls"
	for ((i = 0; i < runs; i++)); do
		mpop -q >/dev/null 2>&1 &
		pid=$!
		sleep "0.$((RANDOM % 40 + 2))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	run mpop
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(left)" -eq 0 ]
}

@test "kill -9 at random moments, then a rerun: each message exactly once in the maildir" {
	killed 8 "delivery maildir $MAIL"
	cat "$MAIL"/new/* | grep '^Subject: k' | sort | uniq -c |
		awk '$1 != 1 { print "twice: " $0; bad = 1 } END { exit bad }'
	[ "$(cat "$MAIL"/new/* | grep -c '^Subject: k')" -eq 150 ]
	[ "$(ls "$MAIL/tmp" | wc -l)" -eq 0 ]
}

@test "kill -9 at random moments, then a rerun: each message exactly once in the mbox" {
	killed 8 "delivery mbox $BATS_TEST_TMPDIR/mbox"
	grep '^Subject: k' "$BATS_TEST_TMPDIR/mbox" | sort | uniq -c |
		awk '$1 != 1 { print "twice: " $0; bad = 1 } END { exit bad }'
	[ "$(grep -c '^Subject: k' "$BATS_TEST_TMPDIR/mbox")" -eq 150 ]
	[ "$(grep -c '^From ' "$BATS_TEST_TMPDIR/mbox")" -eq 150 ]
}

@test "a full disk (a maildir on a tiny tmpfs): 74, what was written is kept, the rest stays on the server" {
	[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
	start_fake_pop3 --pipelining
	for i in 1 2 3 4; do
		printf 'Subject: d%s\n\n%s\n' "$i" \
			"$(head -c 20000 /dev/zero | tr '\0' d)" >"$FAKE_POP3_DIR/m$i"
	done
	conf
	mkdir -p "$MAIL"
	run unshare -m sh -c 'mount -t tmpfs -o size=48k tmpfs "$1" &&
		mpop; s=$?; ls "$1/new" | wc -l >"$2"; ls "$1/tmp" | wc -l >>"$2"
		exit $s' sh "$MAIL" "$BATS_TEST_TMPDIR/count"
	echo "$output"
	[ "$status" -eq 74 ]
	[[ $output == *"No space left on device"* ]]
	got=$(head -1 "$BATS_TEST_TMPDIR/count")
	[ "$(tail -1 "$BATS_TEST_TMPDIR/count")" -eq 0 ]
	[ "$got" -ge 1 ]
	[ $((got + $(left))) -eq 4 ]
}
