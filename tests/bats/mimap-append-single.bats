#!/usr/bin/env bats
# mimap against the real Dovecot with MULTIAPPEND, ID and NAMESPACE
# hidden but LITERAL+ and UIDPLUS offered: one APPEND per message, a window
# of them in flight, each message's UID still reported; no ID sent; the
# namespace from LIST "" "".

load mimap_helper

setup_file() {
	export DOVECOT_IMAP_CAPABILITY="IMAP4rev1 SASL-IR LOGIN-REFERRALS ENABLE IDLE LITERAL+ UIDPLUS"
	mimap_setup_file
}

teardown_file() {
	stop_servers
}

setup() {
	mimap_reset
}

@test "no MULTIAPPEND: pipelined APPENDs, one per message, UIDs in order" {
	local s
	for s in $(seq 1 40); do
		echo "From a@b Thu Jan  1 00:00:00 2026"
		msg "m$s"
		echo
	done >"$BATS_TEST_TMPDIR/in"
	run mimap -v append INBOX <"$BATS_TEST_TMPDIR/in"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^> A[0-9]* APPEND INBOX' <<<"$output")" -eq 40 ]
	[ "$(grep -c '{[0-9]*+}$' <<<"$output")" -eq 40 ]
	run mimap append INBOX < <(msg x; )
	[ "$output" = 41 ]
	run mimap fetch INBOX 40 --headers
	[[ $output == *"Subject: m40"* ]]
}

@test "no MULTIAPPEND: a refused APPEND is 65 and says how many went in" {
	run mimap append NoSuchFolder < <(printf 'From a@b Thu Jan  1 00:00:00 2026\n'; msg a)
	[ "$status" -eq 65 ]
	[[ $output == *"message 1"* ]]
}

@test "no ID offered: none sent" {
	run mimap -v status INBOX
	[ "$status" -eq 0 ]
	! grep -q '^> A[0-9]* ID ' <<<"$output"
}

@test "no NAMESPACE: list --namespace asks LIST \"\" \"\" for the delimiter" {
	mimap create "Sub"
	run mimap -v list --namespace --json
	[ "$status" -eq 0 ]
	grep -q '^> A[0-9]* LIST "" ""$' <<<"$output"
	! grep -q '^> A[0-9]* NAMESPACE' <<<"$output"
	ns=$(grep '^{' <<<"$output")
	run mimap list --json
	python3 -c 'import json,sys
ns = json.loads(sys.argv[1]); folders = json.loads(sys.argv[2])
assert ns["prefix"] == "", ns
assert {f["delimiter"] for f in folders} == {ns["delimiter"]}, (ns, folders)' "$ns" "$output"
}
