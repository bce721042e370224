#!/usr/bin/env bats
# mimap append against the real Dovecot with its full capabilities
# (MULTIAPPEND, LITERAL+, UIDPLUS): an mboxrd stream goes as one APPEND
# command, each message's UID is reported, and a message of any size is
# spooled to a temporary file, never held in memory.

load mimap_helper

setup_file() {
	mimap_setup_file
}

teardown_file() {
	stop_servers
}

setup() {
	mimap_reset
}

# mbox SUBJECT...: an mboxrd stream of one message per subject
mbox() {
	local s
	for s in "$@"; do
		echo "From a@b Thu Jan  1 00:00:00 2026"
		msg "$s" "body of $s"
		echo
	done
}

@test "MULTIAPPEND: an mboxrd stream in one APPEND, each UID reported" {
	mbox one two three >"$BATS_TEST_TMPDIR/in"
	run mimap -v append INBOX <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	# one APPEND command carrying three literals
	[ "$(grep -c '^> A[0-9]* APPEND INBOX' <<<"$output")" -eq 1 ]
	[ "$(grep -c '{[0-9]*+}$' <<<"$output")" -eq 3 ]
	[[ $output == *"APPENDUID "*" 1:3]"* ]]
	run mimap append INBOX <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '4\n5\n6')" ]
	run mimap fetch INBOX 4:6
	[ "$status" -eq 0 ]
	diff <(sed 's/^From a@b.*$/From/' "$BATS_TEST_TMPDIR/in") \
		<(printf '%s\n' "$output" | sed 's/^From .*$/From/'; echo)
}

@test "MULTIAPPEND: --json gives uid and uidvalidity for each message" {
	run mimap append --json INBOX < <(mbox a b)
	[ "$status" -eq 0 ]
	python3 -c 'import json,sys
v = json.loads(sys.argv[1])
assert [m["uid"] for m in v] == [1, 2], v
assert all(m["uidvalidity"] > 0 for m in v), v' "$output"
}

@test "more messages than one MULTIAPPEND batch: batches in order" {
	local s
	for s in $(seq 1 150); do echo "m$s"; done >"$BATS_TEST_TMPDIR/subjects"
	# shellcheck disable=SC2046
	mbox $(cat "$BATS_TEST_TMPDIR/subjects") >"$BATS_TEST_TMPDIR/in"
	run mimap -v append INBOX <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^> A[0-9]* APPEND INBOX' <<<"$output")" -eq 3 ]
	run mimap append --json INBOX </dev/null
	run mimap search INBOX ALL
	[ "$(wc -l <<<"$output")" -eq 150 ]
	run mimap fetch INBOX 150 --headers
	[[ $output == *"Subject: m150"* ]]
}

@test "a refused MULTIAPPEND appends none of its batch: 65, nothing half-done" {
	run mimap append NoSuchFolder < <(mbox a b)
	[ "$status" -eq 65 ]
	[[ $output == *"messages 1 to 2"*"none appended"* ]]
	[[ $output == *"0 of 2 messages appended"* ]]
	run mimap status INBOX
	[[ $output == *"messages=0"* ]]
}

@test "a 50 MB message is appended in bounded memory, spooled and unlinked" {
	python3 - "$BATS_TEST_TMPDIR/big" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("From: a@example.test\nSubject: big\n\n")
    line = "0123456789abcdefghijklmnopqrstuvwxyz" * 2 + "\n"
    f.write(line * (50 * 1024 * 1024 // len(line)))
PY
	mkdir "$BATS_TEST_TMPDIR/spool"
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss0" mimap --version
	TMPDIR=$BATS_TEST_TMPDIR/spool /usr/bin/time -f %M \
		-o "$BATS_TEST_TMPDIR/rss" mimap append INBOX <"$BATS_TEST_TMPDIR/big"
	local base peak
	base=$(tail -1 "$BATS_TEST_TMPDIR/rss0")
	peak=$(tail -1 "$BATS_TEST_TMPDIR/rss")
	echo "peak $peak KiB, --version $base KiB" >&3
	# the message is 50 MiB: holding it would add at least that much (the
	# heap peaks under 1 MiB: what ASan adds when built with it is its own)
	[ "$peak" -lt $((base + 32 * 1024)) ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/spool")" ]
	mimap fetch INBOX 1 | cmp - "$BATS_TEST_TMPDIR/big"
}

@test "no spool possible: 73 before anything is sent" {
	run env TMPDIR=/nonexistent/dir mimap -v append INBOX < <(msg a)
	[ "$status" -eq 73 ]
	[[ $output == *"/nonexistent/dir"* ]]
	! grep -q '^> A[0-9]* APPEND' <<<"$output"
}
