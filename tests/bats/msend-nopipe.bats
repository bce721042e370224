#!/usr/bin/env bats
# msend against a real Postfix that does not offer PIPELINING
# (smtpd_discard_ehlo_keywords = pipelining): the mail arrives, and Postfix
# never logs "improper command pipelining" (with
# smtpd_forbid_unauth_pipelining it would also hang up).
# A limit of this proof: Postfix (3.7) looks for client input written ahead
# only after the commands that must end a pipelined group (EHLO, DATA,
# STARTTLS, AUTH...), whether or not it offered PIPELINING; it does not see
# QUIT behind the final dot or the last chunk, nor RSET ahead of MAIL. The
# strict server of msend-strict.bats does, as OpenSMTPD does.

load helpers

setup_file() {
	require_root
	export POSTFIX_MAIN_EXTRA=$'smtpd_discard_ehlo_keywords = pipelining\nsmtpd_forbid_unauth_pipelining = yes'
	start_postfix
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

account plain
host 127.0.0.1
port $POSTFIX_PLAIN_PORT
tls off
auth off
from alice@example.test
EOC
	chmod 600 "$MKIT_CONFIG"
}

teardown_file() {
	stop_servers
}

setup() {
	clear_maildir alice
	clear_maildir bob
	LOG_START=$(stat -c %s "$POSTFIX_LOG" 2>/dev/null || echo 0)
}

# msg SUBJECT [TO]: a small message.
msg() {
	printf 'From: alice@example.test\nTo: %s\nSubject: %s\n\n.dot\nbody\n' \
		"${2:-bob@example.test}" "$1"
}

# only_message USER: the path of USER's single delivered message.
only_message() {
	run wait_for_delivery "$1" 1 10
	[ "$status" -eq 0 ] || return 1
	[ "${#lines[@]}" -eq 1 ] || { echo "more than one message: ${lines[*]}"; return 1; }
	echo "${lines[0]}"
}

# test_log: what Postfix logged since the test began.
test_log() {
	tail -c +$((LOG_START + 1)) "$POSTFIX_LOG"
}

# no_improper: Postfix logged no improper pipelining during this test.
no_improper() {
	# postlogd writes the log after the fact: let it catch up
	sleep 0.5
	if test_log | grep 'improper command pipelining'; then
		return 1
	fi
}

@test "Postfix offers no PIPELINING here (but CHUNKING)" {
	run msend -a plain --probe
	[ "$status" -eq 0 ]
	[[ $output != *PIPELINING* ]]
	[[ $output == *CHUNKING* ]]
}

@test "plain: delivered, nothing written ahead" {
	run msend -v -a plain -i bob@example.test < <(msg "plain")
	[ "$status" -eq 0 ]
	[[ $output == *"> BDAT "* ]]
	f=$(only_message bob)
	grep -q '^Subject: plain' "$f"
	sed '1,/^$/d' "$f" | diff - <(printf '.dot\nbody\n')
	no_improper
}

@test "STARTTLS + AUTH: delivered, nothing written ahead" {
	run msend -i bob@example.test < <(msg "tls auth")
	[ "$status" -eq 0 ]
	f=$(only_message bob)
	grep -q '^Subject: tls auth' "$f"
	grep -q 'with ESMTPSA' "$f"
	no_improper
}

@test "several recipients, and one refused: 67, nothing delivered" {
	run msend alice@example.test bob@example.test < <(msg "two")
	[ "$status" -eq 0 ]
	only_message alice >/dev/null
	only_message bob >/dev/null
	clear_maildir alice
	clear_maildir bob
	run msend bob@example.test unknown@example.test < <(msg "refused")
	[ "$status" -eq 67 ]
	[[ $output == *"550 5.1.1"* ]]
	run msend --partial bob@example.test unknown@example.test < <(msg "partial")
	[ "$status" -eq 67 ]
	f=$(only_message bob)
	grep -q '^Subject: partial' "$f"
	no_improper
}

@test "--batch: refused recipients mid-stream and last, RSET, the rest arrives" {
	for i in 1 2 3 4 5; do
		case $i in
		2|5) to=unknown@example.test ;;
		*) to=bob@example.test ;;
		esac
		printf 'From alice@example.test Mon Jan  1 00:00:00 2024\n'
		printf 'From: alice@example.test\nTo: %s\nSubject: batch %d\n\nbody %d\n\n' \
			"$to" "$i" "$i"
	done >"$BATS_TEST_TMPDIR/mbox"
	run msend -v --batch <"$BATS_TEST_TMPDIR/mbox"
	[ "$status" -eq 67 ]
	grep -E '^[0-9]+: ' <<<"$output" | cut -d: -f1-2 >"$BATS_TEST_TMPDIR/res"
	printf '1: sent\n2: failed\n3: sent\n4: sent\n5: failed\n' |
		diff - "$BATS_TEST_TMPDIR/res"
	[ "$(grep -c '> RSET' <<<"$output")" -eq 1 ]
	run wait_for_delivery bob 3 10
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	for i in 1 3 4; do
		grep -l "^Subject: batch $i\$" "${lines[@]}" >/dev/null
	done
	no_improper
}

@test "Postfix's check is live: a client writing ahead after EHLO is logged" {
	python3 - "$POSTFIX_PLAIN_PORT" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
f = s.makefile("rb")
f.readline()
s.sendall(b"EHLO client\r\nNOOP\r\n")
while f.readline():
    pass
PY
	n=0
	until test_log | grep -q 'improper command pipelining after EHLO'; do
		(( n++ < 50 )) || return 1
		sleep 0.1
	done
}
