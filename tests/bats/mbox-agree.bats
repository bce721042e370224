#!/usr/bin/env bats
# mparse and msend --batch read the same input the same way (issue 7): one
# mboxrd reader (src/store/mboxrd.c), one stream rule (src/store/msgsrc.c),
# one header-block rule (mime_header_line). Each case runs both programs on
# the same bytes; msend sends to Postfix's smtp-sink and the dump shows what
# went out.

load helpers
load batch_helper

setup() {
	export HOME=$BATS_TEST_TMPDIR XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/xdg
	unset MKIT_CONFIG
}

teardown() {
	stop_servers
}

# sent N: the N-th message smtp-sink received, without its envelope lines
# (CRLF as sent).
sent() {
	awk -v want="$1" '
		/^X-Client-Addr:/ { n++; env = 1 }
		env && /^X-(Client|Helo|Mail|Rcpt)/ { next }
		{ env = 0 }
		n == want { print }' "$SINK_DUMP"
}

# jsonl_count: JSON lines on stdin.
jsonl_count() { grep -c '^{' || true; }

@test "a body line 'From here on' after a text line: 2 messages for mparse and msend" {
	{
		printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n'
		printf 'From: alice@example.test\nTo: bob@example.test\nSubject: one\n\n'
		printf 'line\nFrom here on, a body line\n\n'
		printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n'
		printf 'From: alice@example.test\nTo: bob@example.test\nSubject: two\n\nx\n'
	} >"$BATS_TEST_TMPDIR/mbox"
	run mparse --json "$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 0 ]
	[ "$(jsonl_count <<<"$output")" -eq 2 ]
	run mparse headers -h subject "$BATS_TEST_TMPDIR/mbox"
	[ "$output" = $'one\ntwo' ]
	start_sink --dump
	run batch "$SINK_PORT" <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 0 ]
	[ "$output" = $'1: sent: 250 2.0.0 Ok\n2: sent: 250 2.0.0 Ok' ]
	wait_until 10 sink_has 2
	[ "$(sink_count)" -eq 2 ]
	sent 1 | grep -q '^From here on, a body line'
	[ "$(grep -c '^Subject: ' "$SINK_DUMP")" -eq 2 ]
}

@test "the last message keeps its final line break" {
	run sh -c "printf 'From a@b Mon Nov 23 10:00:00 2026\nSubject: x\n\nmsg\n' |
		mparse text | od -An -c"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = 'm s g \n' ]
	# a last empty line is the writer's separating blank line
	run sh -c "printf 'From a@b Mon Nov 23 10:00:00 2026\nSubject: x\n\nmsg\n\n' |
		mparse text | od -An -c"
	[ "$(echo $output)" = 'm s g \n' ]
}

@test "text before the first From line: one message for mparse, refused (65) by msend --batch" {
	printf 'From: alice@example.test\nTo: bob@example.test\nSubject: first\n\nbody\n\nFrom alice@example.test Mon Jan  1 00:00:00 2024\nSubject: second\n\nx\n' \
		>"$BATS_TEST_TMPDIR/in"
	run mparse --json "$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(jsonl_count <<<"$output")" -eq 1 ]
	run mparse headers -h subject "$BATS_TEST_TMPDIR/in"
	[ "$output" = first ]
	# an empty first line is such text too
	run mparse --json < <(printf '\nFrom a Mon Jan  1 00:00:00 2024\nSubject: s\n\nx\n')
	[ "$status" -eq 65 ]
	[[ $output == *"not a mail message"* ]]
	start_sink --dump
	run batch "$SINK_PORT" <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 65 ]
	[[ $output == *'standard input: not an mbox stream: its first line does not start with "From "'* ]]
	run batch "$SINK_PORT" < <(printf '\nFrom a Mon Jan  1 00:00:00 2024\nFrom: a@example.test\nTo: b@example.test\n\nx\n')
	[ "$status" -eq 65 ]
	sleep 0.2
	[ "$(sink_count)" -eq 0 ]
}

@test "a header line without a colon: msend sends the header fields mparse reads" {
	{
		# "Subject : odd" has a blank before its colon: not a field, so
		# the header ends there for both
		printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n'
		printf 'From: alice@example.test\nTo: bob@example.test\n'
		printf 'Subject : odd\nX-After: 1\n\nbody\n\n'
		# a folded line before the first field: in the header, no field
		printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n'
		printf ' folded first\nFrom: alice@example.test\nTo: bob@example.test\n'
		printf 'Subject: two\n\nbody\n'
	} >"$BATS_TEST_TMPDIR/mbox"
	run mparse headers "$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 0 ]
	[ "$output" = $'From: alice@example.test\nTo: bob@example.test\nFrom: alice@example.test\nTo: bob@example.test\nSubject: two' ]
	start_sink --dump
	run batch "$SINK_PORT" <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 0 ]
	[ "$output" = $'1: sent: 250 2.0.0 Ok\n2: sent: 250 2.0.0 Ok' ]
	wait_until 10 sink_has 2
	# what went out reads, for mparse, as the fields it read before
	# plus the ones msend (and smtp-sink) add; the rest is body
	sent 1 | tr -d '\r' >"$BATS_TEST_TMPDIR/sent1"
	run mparse headers "$BATS_TEST_TMPDIR/sent1"
	[ "$status" -eq 0 ]
	[ "$(cut -d: -f1 <<<"$output" | tr '\n' ' ')" = "Received From To Date Message-ID " ]
	run mparse text "$BATS_TEST_TMPDIR/sent1"
	[[ $output == *$'Subject : odd\nX-After: 1\n\nbody'* ]]
	sent 2 | tr -d '\r' >"$BATS_TEST_TMPDIR/sent2"
	run mparse headers -h subject "$BATS_TEST_TMPDIR/sent2"
	[ "$output" = two ]
}
