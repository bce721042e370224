#!/usr/bin/env bats
# mimap against the real Dovecot advertising only IMAP4rev1 basics
# (imap_capability: no LITERAL+, MOVE, UIDPLUS, ESEARCH, LIST-STATUS,
# CONDSTORE, SPECIAL-USE): every fallback path does the job, and the
# transcript shows that no hidden extension was used.

load mimap_helper

setup_file() {
	export DOVECOT_IMAP_CAPABILITY="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE CHILDREN UNSELECT"
	mimap_setup_file
}

teardown_file() {
	stop_servers
}

setup() {
	mimap_reset
}

@test "append without LITERAL+: synchronizing literal, the server's + awaited" {
	run mimap -v append INBOX < <(msg "sync literal")
	[ "$status" -eq 0 ]
	[[ $output == *"APPEND INBOX {"*"}"* ]]
	[[ $output != *"+}"* ]]
	[[ $output == *"< + "* ]]
	run mimap fetch INBOX 1:*
	[[ $output == *"Subject: sync literal"* ]]
}

@test "several messages appended one after another without LITERAL+" {
	{
		for s in one two three; do
			echo "From a@b Thu Jan  1 00:00:00 2026"
			msg $s
			echo
		done
	} | mimap -v append INBOX 2>"$BATS_TEST_TMPDIR/ts"
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n2\n3')" ]
	# no MULTIAPPEND offered: one APPEND command per message
	[ "$(grep -c '^> A[0-9]* APPEND INBOX' "$BATS_TEST_TMPDIR/ts")" -eq 3 ]
}

@test "search without ESEARCH: plain SEARCH responses" {
	msg a | mimap append INBOX
	msg b | mimap append INBOX
	run mimap -v search INBOX SUBJECT b
	[ "$status" -eq 0 ]
	[[ $output != *"RETURN"* ]]
	[ "${lines[-1]}" = 2 ] || [[ $output == *$'\n2'* ]]
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n2')" ]
}

@test "list --status without LIST-STATUS: a STATUS per folder" {
	mimap create Other
	msg a | mimap append Other
	run mimap -v list --status
	[ "$status" -eq 0 ]
	[[ $output != *"RETURN (STATUS"* ]]
	[[ $output == *"STATUS Other (MESSAGES"* ]]
	[[ $output == *"Other messages=1"* ]]
}

@test "move without MOVE or UIDPLUS: COPY, STORE \\Deleted, and only ours expunged" {
	for s in a b c d; do msg $s | mimap append INBOX; done
	mimap create Archive
	# someone else marked message 4 deleted: it must survive our move
	mimap flag INBOX 4 +deleted
	run mimap -v move INBOX 2:3 Archive
	[ "$status" -eq 0 ]
	[[ $output != *"UID MOVE"* ]]
	[[ $output != *"UID EXPUNGE"* ]]
	[[ $output == *"UID COPY 2:3 Archive"* ]]
	[[ $output == *"UID STORE 2:3 +FLAGS.SILENT (\\Deleted)"* ]]
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n4')" ]
	run mimap search INBOX DELETED
	[ "$output" = 4 ]
	run mimap search Archive ALL
	[ "${#lines[@]}" -eq 2 ]
}

@test "expunge UIDS without UIDPLUS: only those" {
	for s in a b c; do msg $s | mimap append INBOX; done
	mimap flag INBOX 1:3 +deleted
	run mimap expunge INBOX 2
	[ "$status" -eq 0 ]
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n3')" ]
	run mimap search INBOX DELETED
	[ "$output" = "$(printf '1\n3')" ]
}

@test "status without CONDSTORE: no highestmodseq asked" {
	run mimap -v status INBOX
	[ "$status" -eq 0 ]
	[[ $output != *"HIGHESTMODSEQ"* ]]
	[[ $output == *"INBOX messages=0"* ]]
}
