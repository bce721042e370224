#!/usr/bin/env bats
# msend --batch as a stream: every message of a long mboxrd stream arrives,
# numbered and reported in order, on one connection; messages go out while
# standard input is still open; a lost connection fails the rest without
# sending anything twice; the edge cases behave as they always did.

load helpers
load batch_helper

setup() {
	export HOME=$BATS_TEST_TMPDIR XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/xdg
	unset MKIT_CONFIG
	BG_PID=
}

teardown() {
	exec 7>&- 2>/dev/null || true
	if [[ -n $BG_PID ]]; then
		kill "$BG_PID" 2>/dev/null || true
	fi
	stop_servers
}

# mboxmsg I [TO]: message I of an mboxrd stream, with a quoted From line.
mboxmsg() {
	printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n'
	printf 'From: alice@example.test\nTo: %s\nSubject: n %d\n\n>From the quoted line\nbody %d\n\n' \
		"${2:-bob@example.test}" "$1" "$1"
}

lines_in() { [[ -f $1 && $(wc -l <"$1") -ge $2 ]]; }
fake_says() { grep -q "$1" "$FAKE_LOG"; }

@test "--batch: 2,000 messages, all received, results numbered in order, one connection" {
	start_sink --dump
	for i in $(seq 2000); do mboxmsg "$i"; done >"$BATS_TEST_TMPDIR/mbox"
	run batch "$SINK_PORT" -v <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 0 ]
	grep -E '^[0-9]+: ' <<<"$output" >"$BATS_TEST_TMPDIR/results"
	seq 2000 | sed 's/$/: sent: 250 2.0.0 Ok/' >"$BATS_TEST_TMPDIR/want"
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/results"
	[ "$(grep -c '> EHLO' <<<"$output")" -eq 1 ]
	[ "$(grep -c '> QUIT' <<<"$output")" -eq 1 ]
	wait_until 10 sink_has 2000
	[ "$(sink_count)" -eq 2000 ]
	# every message once, unquoted, with its own envelope
	[ "$(grep '^Subject: n ' "$SINK_DUMP" | sort -u | wc -l)" -eq 2000 ]
	[ "$(grep -c '^From the quoted line$' "$SINK_DUMP")" -eq 2000 ]
	[ "$(grep -c '^X-Rcpt-Args: <bob@example.test>$' "$SINK_DUMP")" -eq 2000 ]
}

@test "--batch --json: failures across windows keep their index, the rest is sent" {
	start_sink --dump
	for i in $(seq 150); do
		if (( i % 50 == 0 )); then
			mboxmsg "$i" | sed '/^To: /d'	# no recipient
		else
			mboxmsg "$i"
		fi
	done >"$BATS_TEST_TMPDIR/mbox"
	run batch "$SINK_PORT" --json <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 64 ]
	python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.argv[1].splitlines() if l.startswith("{")]
assert [r["index"] for r in rows] == list(range(1, 151)), rows
bad = [r["index"] for r in rows if r["status"] != "sent"]
assert bad == [50, 100, 150], bad
assert all(rows[i - 1]["exit"] == 64 for i in bad), rows
assert all(r["code"] == 250 for r in rows if r["status"] == "sent"), rows
' "$output"
	wait_until 10 sink_has 147
	[ "$(sink_count)" -eq 147 ]
}

@test "--batch streams: messages go out and are reported while stdin is open" {
	start_sink --dump
	mkfifo "$BATS_TEST_TMPDIR/in"
	batch "$SINK_PORT" <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" 3>&- &
	BG_PID=$!
	exec 7>"$BATS_TEST_TMPDIR/in"
	{ mboxmsg 1; mboxmsg 2; mboxmsg 3; } >&7
	# message 3 is complete only once the next separator is seen
	printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n' >&7
	wait_until 20 sink_has 3
	wait_until 20 lines_in "$BATS_TEST_TMPDIR/out" 3
	[ "$(sink_count)" -eq 3 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf '%s: sent: 250 2.0.0 Ok\n' 1 2 3)" ]
	{ mboxmsg 4 | tail -n +2; mboxmsg 5; } >&7
	exec 7>&-
	wait "$BG_PID" && st=0 || st=$?
	BG_PID=
	[ "$st" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf '%s: sent: 250 2.0.0 Ok\n' 1 2 3 4 5)" ]
	wait_until 10 sink_has 5
	[ "$(sink_count)" -eq 5 ]
	grep -q '^Subject: n 4$' "$SINK_DUMP"
}

@test "--batch: connection lost mid-stream: the rest is read and failed, never resent" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo PIPELINING
expect MAIL
expect RCPT
expect DATA
send 250 ok
send 250 ok
send 354 go
data
send 250 2.0.0 queued as FIRST
expect MAIL
close
EOF
	# 70 messages: more than one window, so later windows meet a dead
	# connection too; the writer must not die of SIGPIPE.
	run bash -c 'for i in $(seq 70); do printf "From a Mon Jan  1 00:00:00 2024\nFrom: a@example.test\nTo: b@example.test\nSubject: %d\n\nx\n\n" "$i"; done |
		msend --batch --host 127.0.0.1 --port "$1" --tls=off --auth=off --timeout=10
		echo "statuses ${PIPESTATUS[*]}"' _ "$FAKE_PORT"
	[[ $output == *"statuses 0 75"* ]]
	[ "${lines[0]}" = "1: sent: 250 2.0.0 queued as FIRST" ]
	[ "$(grep -c '^[0-9]*: failed: ' <<<"$output")" -eq 69 ]
	[[ ${lines[69]} == "70: failed: "* ]]
	[ "$(grep -c '^\* connect' "$FAKE_LOG")" -eq 1 ]
	[ "$(grep -c '^C: DATA' "$FAKE_LOG")" -eq 1 ]
	[ "$(grep -c '^C: MAIL' "$FAKE_LOG")" -eq 2 ]
}

@test "--batch: a server that hangs up while idle gets a new connection" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo PIPELINING
expect MAIL
expect RCPT
expect DATA
send 250 ok
send 250 ok
send 354 go
data
send 250 2.0.0 queued
sleep 0.2
send 421 4.4.2 idle timeout
close
EOF
	mkfifo "$BATS_TEST_TMPDIR/in"
	batch "$FAKE_PORT" -v <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" 3>&- &
	BG_PID=$!
	exec 7>"$BATS_TEST_TMPDIR/in"
	{ mboxmsg 1; printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n'; } >&7
	wait_until 20 lines_in "$BATS_TEST_TMPDIR/out" 1
	wait_until 20 fake_says '^\* close'
	mboxmsg 2 | tail -n +2 >&7
	exec 7>&-
	wait "$BG_PID" && st=0 || st=$?
	BG_PID=
	[ "$st" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/out")" = "$(printf '%s: sent: 250 2.0.0 queued\n' 1 2)" ]
	[ "$(grep -c '^\* connect' "$FAKE_LOG")" -eq 2 ]
	[ "$(grep -c '^C: MAIL' "$FAKE_LOG")" -eq 2 ]
	grep -q 'session ended while idle: .*421 4.4.2 idle timeout' \
		"$BATS_TEST_TMPDIR/err"
}

@test "--batch: an empty stream sends nothing and does not connect" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo PIPELINING
quit
EOF
	run batch "$FAKE_PORT" </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	! fake_says '^\* connect'
}

@test "--batch: one message" {
	start_sink --dump
	run batch "$SINK_PORT" < <(mboxmsg 1)
	[ "$status" -eq 0 ]
	[ "$output" = "1: sent: 250 2.0.0 Ok" ]
	wait_until 10 sink_has 1
	grep -q '^From the quoted line$' "$SINK_DUMP"
}

@test "--batch: a progress line when stderr is a terminal, none in cron" {
	start_sink --dump
	for i in 1 2 3; do mboxmsg "$i"; done >"$BATS_TEST_TMPDIR/in"
	args="--batch --host 127.0.0.1 --port $SINK_PORT --tls=off --auth=off"
	# script(1) gives msend a terminal; the results go to a file
	run script -qefc "msend $args <'$BATS_TEST_TMPDIR/in' \
		>'$BATS_TEST_TMPDIR/out'" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"msend: 3 messages: 3 sent, 0 not sent"* ]]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 3 ]
	# no terminal: the results only, nothing on stderr
	msend $args <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" \
		2>"$BATS_TEST_TMPDIR/err" || false
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -eq 3 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "--batch: read error: 74; not an mbox stream: 65, nothing sent" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo PIPELINING
quit
EOF
	run batch "$FAKE_PORT" </
	[ "$status" -eq 74 ]
	[[ $output == *"reading standard input"* ]]
	run batch "$FAKE_PORT" < <(printf 'Subject: x\n\nbody\n')
	[ "$status" -eq 65 ]
	[[ $output == *'standard input: not an mbox stream: its first line does not start with "From "'* ]]
	! fake_says '^\* connect'
}

@test "--batch: a message over the server's SIZE fails alone: 69" {
	start_fake_smtp <<'EOF'
send 220 fake
ehlo SIZE_400 PIPELINING
expect MAIL
expect RCPT
expect DATA
send 250 ok
send 250 ok
send 354 go
data
send 250 2.0.0 queued
expect MAIL
expect RCPT
expect DATA
send 250 ok
send 250 ok
send 354 go
data
send 250 2.0.0 queued
quit
EOF
	{
		mboxmsg 1
		mboxmsg 2 | sed '$d'
		head -c 600 /dev/zero | tr '\0' x
		printf '\n\n'
		mboxmsg 3
	} >"$BATS_TEST_TMPDIR/mbox"
	run batch "$FAKE_PORT" <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 69 ]
	[ "${lines[0]}" = "1: sent: 250 2.0.0 queued" ]
	[[ ${lines[1]} == "2: failed: "*"server limit is 400"* ]]
	[ "${lines[2]}" = "3: sent: 250 2.0.0 queued" ]
	[ "$(grep -c '^C: MAIL' "$FAKE_LOG")" -eq 2 ]
}

@test "--batch: messages of several MiB: windows by size, all sent intact" {
	start_sink --dump
	body=$(head -c 3000000 /dev/zero | tr '\0' y | fold -w 76)
	for i in 1 2 3 4 5; do
		printf 'From a Mon Jan  1 00:00:00 2024\nFrom: alice@example.test\nTo: bob@example.test\nSubject: big %d\n\n%s\n\n' "$i" "$body"
	done >"$BATS_TEST_TMPDIR/mbox"
	run batch "$SINK_PORT" <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s: sent: 250 2.0.0 Ok\n' 1 2 3 4 5)" ]
	wait_until 10 sink_has 5
	[ "$(grep -c '^yyyy' "$SINK_DUMP")" -eq $((5 * $(wc -l <<<"$body"))) ]
}
