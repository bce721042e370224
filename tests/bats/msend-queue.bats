#!/usr/bin/env bats
# msend's durable queue and failover against a real Postfix (issue 12,
# sections 2 and 4): a temporary failure queues the message, -q delivers it
# once the server is back, a kill -9 during a flush loses nothing and
# doubles only what it reports in doubt, a message queued over a delivered
# one's file (or killed doing so) is whole, two flushes never send one message
# twice, old entries expire, mailq lists them; a 421 greeting or a host
# that is down moves to the next server.

load helpers

setup_file() {
	require_root
	start_postfix
	export MKIT_CONFIG=$BATS_FILE_TMPDIR/config
	ACCESS_ORIG=$(cat "$POSTFIX_CONF_DIR/access")
	export ACCESS_ORIG
}

teardown_file() {
	stop_servers
}

# write_config PORT [EXTRA KEY VALUE LINES]: the default account (Postfix's
# plain port unless told), queue on; "plain" always Postfix.
write_config() {
	cat >"$MKIT_CONFIG" <<EOC
defaults
tls off
auth off
from alice@example.test

account default
host 127.0.0.1
port $1
queue on
${2:-}

account plain
host 127.0.0.1
port $POSTFIX_PLAIN_PORT
EOC
	chmod 600 "$MKIT_CONFIG"
}

setup() {
	clear_maildir alice
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
	write_config "$POSTFIX_PLAIN_PORT"
}

msg() {
	printf 'From: alice@example.test\nTo: alice@example.test\nSubject: %s\n\n%s\n' \
		"$1" "${2:-hello}"
}

queue_len() {
	msend -bp --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}

# count_subject S: how many delivered messages have Subject S.
count_subject() {
	local n=0 f
	for f in $(delivered_messages alice); do
		grep -qx "Subject: $1" "$f" && n=$((n + 1))
	done
	echo "$n"
}

# subject_counts: "COUNT SUBJECT" for each "m N" subject delivered.
subject_counts() {
	delivered_messages alice | xargs grep -h '^Subject: m ' |
		sed 's/^Subject: //' | sort | uniq -c | sed 's/^ *//'
}

# settle N: wait for N deliveries, then a little more so that an extra
# (a duplicate) would show up too.
settle() {
	wait_for_delivery alice "$1" 30 >/dev/null || return 1
	sleep 1
}

postfix_access() {
	printf '%s\n' "$1" >"$POSTFIX_CONF_DIR/access"
	touch -d '-1 minute' "$POSTFIX_CONF_DIR/access"
	postfix -c "$POSTFIX_CONF_DIR" reload >/dev/null 2>&1
	sleep 1
}

@test "a 4xx queues the message (exit 0, 'queued'); -q delivers it once the server takes it" {
	run msend tempfail@example.test < <(msg greylisted)
	[ "$status" -eq 0 ]
	[[ $output == *"queued as "*"450 4.2.0"* ]]
	[ "$(queue_len)" -eq 1 ]
	# still refused: kept, with the reason and a retry time
	run msend --flush-all
	[ "$status" -eq 0 ]
	[[ $output == *": deferred: "*"450 4.2.0"* ]]
	run msend -bp --json
	[[ $output == *'"attempts":2'* ]]
	# not due yet: -q leaves it alone
	run msend -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# healed
	postfix_access "${ACCESS_ORIG//tempfail@*try again later/}"
	run msend --flush-all
	postfix_access "$ACCESS_ORIG"
	[ "$status" -eq 0 ]
	[[ $output == *": sent to 127.0.0.1:$POSTFIX_PLAIN_PORT: 250 "* ]]
	settle 1
	[ "$(count_subject greylisted)" -eq 1 ]
	run msend -bp
	[ "$output" = "mail queue is empty" ]
}

@test "a 5xx is an error and nothing is queued" {
	run msend reject@example.test < <(msg refused)
	[ "$status" -eq 67 ]
	[[ $output == *"550 5.7.1"* ]]
	[ "$(queue_len)" -eq 0 ]
}

@test "without queue on, a temporary failure is still exit 75 and nothing is queued" {
	write_config "$(free_port)" "queue off"
	run msend alice@example.test < <(msg noqueue)
	[ "$status" -eq 75 ]
	[ "$(queue_len)" -eq 0 ]
}

@test "server down: queued; a flush while down keeps it; back up: delivered" {
	local dead
	dead=$(free_port)
	write_config "$dead"
	run msend alice@example.test < <(msg down)
	[ "$status" -eq 0 ]
	[[ $output == *"queued as"*"refused"* ]]
	run msend --flush-all
	[ "$status" -eq 0 ]
	[[ $output == *"deferred"* ]]
	[ "$(queue_len)" -eq 1 ]
	write_config "$POSTFIX_PLAIN_PORT"
	run msend --flush-all
	[ "$status" -eq 0 ]
	[[ $output == *"sent to"* ]]
	settle 1
	[ "$(count_subject down)" -eq 1 ]
	[ "$(queue_len)" -eq 0 ]
}

# queue_many N: queue N messages (subjects "m 1".."m N", senders sI@) with
# the server down, then point the account back at Postfix.
queue_many() {
	local i
	write_config "$(free_port)"
	for ((i = 1; i <= $1; i++)); do
		msg "m $i" | msend -f "s$i@example.test" alice@example.test \
			2>/dev/null &
		(( i % 4 )) || wait
	done
	wait
	write_config "$POSTFIX_PLAIN_PORT"
	[ "$(queue_len)" -eq "$1" ]
}

# doubles_in_doubt N: every one of the N subjects "m I" delivered at least
# once; one seen twice must be one the rerun (its output in
# $BATS_TEST_TMPDIR/second) reported as sent again after being in doubt
# (its sender sI names it in $BATS_TEST_TMPDIR/ids.json).
doubles_in_doubt() {
	local c s id
	subject_counts >"$BATS_TEST_TMPDIR/counts"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/counts")" -eq "$1" ]
	while read -r c s; do
		[ "$c" -gt 1 ] || continue
		id=$(python3 -c 'import json,sys
for e in json.load(open(sys.argv[1])):
    if e["from"] == sys.argv[2]: print(e["id"])' \
			"$BATS_TEST_TMPDIR/ids.json" "s${s#m }@example.test")
		grep -q "^$id: sent to .*again: was in doubt" \
			"$BATS_TEST_TMPDIR/second" ||
			{ echo "$s doubled silently"; return 1; }
	done <"$BATS_TEST_TMPDIR/counts"
}

@test "kill -9 during a flush of 200, then a rerun: all delivered, doubles only those reported in doubt" {
	local n=200
	queue_many "$n"
	msend -bp --json >"$BATS_TEST_TMPDIR/ids.json"
	msend --flush-all >"$BATS_TEST_TMPDIR/first" 2>&1 &
	local pid=$!
	sleep 0.$((RANDOM % 6 + 2))
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	run msend --flush-all
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/second"
	settle "$n"
	[ "$(queue_len)" -eq 0 ]
	doubles_in_doubt "$n"
}

@test "kill -9 as the next window's ids are written ahead: a rerun delivers all, doubles only those reported in doubt" {
	local n=150 left
	queue_many "$n"
	msend -bp --json >"$BATS_TEST_TMPDIR/ids.json"
	# the second window is read, and its ids written to the journal,
	# while the first is answered (or, when the server is quicker, once
	# the first is done)
	run env MKIT_TEST_KILL=journal-ahead msend --flush-all
	[ "$status" -eq 137 ]
	left=$(queue_len)
	[ "$left" -eq "$n" ] || [ "$left" -eq $((n - 64)) ]
	run msend --flush-all
	[ "$status" -eq 0 ]
	echo "$output" >"$BATS_TEST_TMPDIR/second"
	# in doubt: the window being answered and the one written ahead
	# (never sent: "again", once), none of the rest
	[ "$(grep -c 'again: was in doubt' <<<"$output")" -le 128 ]
	[ "$(grep -c 'again: was in doubt' <<<"$output")" -ge 64 ]
	settle "$n"
	[ "$(queue_len)" -eq 0 ]
	doubles_in_doubt "$n"
}

@test "queued over a delivered entry's file: whole; kill -9 while doing so queues nothing half" {
	local dead f free=$XDG_STATE_HOME/mkit/queue/free
	dead=$(free_port)
	write_config "$dead"
	msend alice@example.test < <(msg "first one" "$(seq 1 2000)") 2>/dev/null
	write_config "$POSTFIX_PLAIN_PORT"
	run msend --flush-all
	[ "$status" -eq 0 ]
	# the delivered entry's file is kept for the next one
	[ "$(ls "$free" | wc -l)" -eq 1 ]
	write_config "$dead"
	run env MKIT_TEST_KILL=queue-reused msend alice@example.test \
		< <(msg killed)
	[ "$status" -eq 137 ]
	[ "$(queue_len)" -eq 0 ]
	# a file was taken (the killed one's, in tmp/, swept in an hour)
	[ "$(ls "$free" | wc -l)" -eq 0 ]
	# back to free/: the next message is written over the long one
	mv "$XDG_STATE_HOME"/mkit/queue/tmp/* "$free/"
	run msend alice@example.test < <(msg "over it" short)
	[ "$status" -eq 0 ]
	[ "$(ls "$free" | wc -l)" -eq 0 ]
	write_config "$POSTFIX_PLAIN_PORT"
	run msend --flush-all
	[ "$status" -eq 0 ]
	settle 2
	[ "$(count_subject killed)" -eq 0 ]
	[ "$(count_subject 'over it')" -eq 1 ]
	# the long message's lines are not in the short one written over it
	f=$(grep -lx 'Subject: over it' $(delivered_messages alice))
	[ -z "$(grep -x 2000 "$f")" ]
	grep -qx short "$f"
}

@test "two flushes at once send each message exactly once" {
	local n=60
	queue_many "$n"
	msend --flush-all >"$BATS_TEST_TMPDIR/a" 2>&1 &
	local a=$!
	msend --flush-all >"$BATS_TEST_TMPDIR/b" 2>&1 &
	local b=$!
	wait "$a"
	wait "$b"
	[ "$(cat "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/b" | grep -c ': sent to ')" -eq "$n" ]
	settle "$n"
	[ "$(delivered_messages alice | wc -l)" -eq "$n" ]
	[ "$(subject_counts | awk '$1 == 1' | wc -l)" -eq "$n" ]
}

# the_report: the path of the one delivered message, a delivery report
# from msend (fails otherwise: called as f=$(the_report), so each check
# returns).
the_report() {
	local f
	f=$(wait_for_delivery alice 1 30) || return 1
	[ "$(echo "$f" | wc -l)" -eq 1 ] || return 1
	# sent with the null sender: Postfix's Return-Path says so
	grep -qx 'Return-Path: <>' "$f" || return 1
	grep -q '^From: Mail Delivery System <MAILER-DAEMON@example.test>' \
		"$f" || return 1
	grep -q '^Content-Type: multipart/report; report-type=delivery-status' \
		"$f" || return 1
	echo "$f"
}

@test "an entry older than queue_lifetime is dropped and reported to its sender" {
	write_config "$(free_port)"
	run msend alice@example.test < <(msg old)
	[ "$status" -eq 0 ]
	write_config "$POSTFIX_PLAIN_PORT" "queue_lifetime 1s"
	sleep 2.2
	run msend -q
	[ "$status" -eq 69 ]
	[[ $output == *"expired (dropped)"*"queue_lifetime"* ]]
	[[ $output == *"not delivered: queued longer than queue_lifetime (1s); last: "*"refused"* ]]
	[[ $output == *": reported to <alice@example.test> (queued as "* ]]
	[ "$(queue_len)" -eq 0 ]
	f=$(the_report)
	# mparse reads it as the bounce it is
	run mparse bounce "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == $'failed\t4.4.7\talice@example.test\t'*"refused"* ]]
	grep -qx 'Subject: old' "$f"
}

# RFC 6533: a recipient address that is not ASCII is reported with the
# utf-8 address type in a message/global-delivery-status part (and the
# original header, UTF-8 too, as message/global-headers); mparse reads the
# address back as it was.
@test "an expired entry for a UTF-8 recipient: a global delivery report that mparse reads" {
	local rcpt=$'bj\xc3\xb8rn@ex\xc3\xa4mple.test' f
	write_config "$(free_port)"
	run msend "$rcpt" < <(printf 'From: alice@example.test\nTo: %s\nSubject: global\n\nhello\n' "$rcpt")
	[ "$status" -eq 0 ]
	write_config "$POSTFIX_PLAIN_PORT" "queue_lifetime 1s"
	sleep 2.2
	run msend -q
	echo "$output"
	[ "$status" -eq 69 ]
	[[ $output == *": reported to <alice@example.test> (queued as "* ]]
	[ "$(queue_len)" -eq 0 ]
	f=$(wait_for_delivery alice 1 30)
	grep -qx 'Return-Path: <>' "$f"
	grep -q '^Content-Type: multipart/report; report-type=global-delivery-status' "$f"
	grep -qx $'Content-Type: message/global-delivery-status\r\{0,1\}' "$f"
	grep -qx $'Content-Type: message/global-headers\r\{0,1\}' "$f"
	grep -q "^Final-Recipient: utf-8; $rcpt" "$f"
	run mparse bounce "$f"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == $'failed\t4.4.7\t'"$rcpt"$'\t'* ]]
}

@test "a 5xx during a flush: removed, and a report lands in the sender's mailbox" {
	write_config "$(free_port)"
	run msend reject@example.test < <(msg refused)
	[ "$status" -eq 0 ]
	write_config "$POSTFIX_PLAIN_PORT"
	run msend --flush-all
	echo "$output"
	[ "$status" -eq 67 ]
	[[ $output == *"failed (removed)"*"550 5.7.1"* ]]
	[[ $output == *": reported to <alice@example.test> (queued as "* ]]
	[ "$(queue_len)" -eq 0 ]
	f=$(the_report)
	run mparse bounce "$f"
	[[ $output == $'failed\t5.7.1\treject@example.test\t'*"rejected by policy"* ]]
	# the original header is in the report, not its body
	grep -qx 'Subject: refused' "$f"
	[ -z "$(grep '^hello' "$f")" ]
}

# kill_at_report POINT SUBJECT [CONFIG LINE]: a queued message whose flush
# drops it (refused, or expired with the config line) is killed at POINT of
# its report's making; a rerun leaves exactly one report in the sender's
# mailbox, and an empty queue.
kill_at_report() {
	clear_maildir alice
	write_config "$(free_port)"
	run msend "${4:-alice@example.test}" < <(msg "$2")
	[ "$status" -eq 0 ]
	write_config "$POSTFIX_PLAIN_PORT" "${3:-}"
	[ -z "${3:-}" ] || sleep 2.2
	run env MKIT_TEST_KILL="$1" msend --flush-all
	echo "killed: $output"
	[ "$status" -eq 137 ]
	run msend --flush-all
	echo "rerun: $output"
	[ "$(queue_len)" -eq 0 ]
	settle 1
	[ "$(delivered_messages alice | wc -l)" -eq 1 ]
	grep -q '^Content-Type: multipart/report; report-type=delivery-status' \
		"$(delivered_messages alice)"
	grep -qx "Subject: $2" "$(delivered_messages alice)"
}

@test "kill -9 just before or after a refused message's report is queued: one report, never none or two" {
	kill_at_report report-pending "refused early" "" reject@example.test
	kill_at_report report-queued "refused late" "" reject@example.test
}

@test "kill -9 just before or after an expired message's report is queued: one report, never none or two" {
	kill_at_report report-pending "expired early" "queue_lifetime 1s"
	kill_at_report report-queued "expired late" "queue_lifetime 1s"
}

@test "queue_bounce stderr: a dropped message is reported on stderr only" {
	write_config "$(free_port)"
	run msend reject@example.test < <(msg quiet)
	write_config "$POSTFIX_PLAIN_PORT" "queue_bounce stderr"
	run msend --flush-all
	echo "$output"
	[ "$status" -eq 67 ]
	[[ $output == *"from <alice@example.test> to <reject@example.test> not delivered: "*"550 5.7.1"* ]]
	[[ $output != *"reported to"* ]]
	[ "$(queue_len)" -eq 0 ]
	sleep 1
	[ "$(delivered_messages alice | wc -l)" -eq 0 ]
}

@test "a report that is refused in turn is dropped, never reported: no loop" {
	start_fake_smtp <<'EOS'
send 220 fake
ehlo 8BITMIME
expect MAIL FROM:
send 250 ok
expect RCPT TO:
send 550 5.1.1 no such user
read
send 250 ok
read
send 221 bye
EOS
	write_config "$(free_port)"
	run msend bob@example.test < <(msg looping)
	write_config "$FAKE_PORT"
	run msend --flush-all
	stop_fake_smtp
	echo "$output"
	[ "$status" -eq 67 ]
	[ "$(grep -c '^C: MAIL FROM:' "$FAKE_LOG")" -eq 2 ]
	grep -q '^C: MAIL FROM:<alice@example.test>' "$FAKE_LOG"
	grep -q '^C: MAIL FROM:<>' "$FAKE_LOG"
	grep -q '^C: RCPT TO:<alice@example.test>' "$FAKE_LOG"
	[ "$(grep -c 'reported to' <<<"$output")" -eq 1 ]
	[ "$(queue_len)" -eq 0 ]
}

@test "mailq (msend named mailq) lists the queue in sendmail's format" {
	ln -s "$(command -v msend)" "$BATS_TEST_TMPDIR/mailq"
	run "$BATS_TEST_TMPDIR/mailq"
	[ "$output" = "mail queue is empty" ]
	write_config "$(free_port)"
	msg listed | msend -f bounce@example.test alice@example.test bob@example.test 2>/dev/null
	run "$BATS_TEST_TMPDIR/mailq"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^[0-9.]+\ +[0-9]+\ [A-Z][a-z]{2}\ [A-Z][a-z]{2}\ .*\<bounce@example.test\>$ ]]
	[[ ${lines[1]} == *"(127.0.0.1:"*"refused)" ]]
	[[ ${lines[2]} == *"<alice@example.test>" ]]
	[[ ${lines[3]} == *"<bob@example.test>" ]]
	[ "${lines[4]}" = "-- 1 request" ]
	run msend -bp --json
	[[ $output == '[{"id":"'*'"account":"default","from":"bounce@example.test","rcpt":["alice@example.test","bob@example.test"]'* ]]
}

@test "failover: a 421 greeting moves to the fallback account, which takes the message" {
	start_fake_smtp <<'EOS'
send 421 4.3.2 fake: not now
close
EOS
	write_config "$FAKE_PORT" "fallback plain"
	run msend --queue=off alice@example.test < <(msg fallback)
	stop_fake_smtp
	[ "$status" -eq 0 ]
	[[ $output == *"421 4.3.2"*"; using 127.0.0.1:$POSTFIX_PLAIN_PORT (account \"plain\")"* ]]
	settle 1
	[ "$(count_subject fallback)" -eq 1 ]
}

@test "failover: the first host down, the second (Postfix) takes the message" {
	write_config "$POSTFIX_PLAIN_PORT"
	sed -i 's/^host 127.0.0.1$/host 127.0.0.2 127.0.0.1/' "$MKIT_CONFIG"
	run msend --queue=off alice@example.test < <(msg second)
	[ "$status" -eq 0 ]
	[[ $output == *"127.0.0.2:$POSTFIX_PLAIN_PORT: "*"; using 127.0.0.1:$POSTFIX_PLAIN_PORT"* ]]
	settle 1
	[ "$(count_subject second)" -eq 1 ]
}
