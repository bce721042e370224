#!/usr/bin/env bats
# mimap idle against the real Dovecot offering neither IDLE nor CONDSTORE
# (imap_capability): NOOP polling at --interval finds the changes, and the
# catch-up after a reconnection compares every message's flags.

load mimap_idle_helper

setup_file() {
	export DOVECOT_IMAP_CAPABILITY="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE NAMESPACE CHILDREN UNSELECT UIDPLUS"
	mimap_setup_file
}

# poll ARGS...: mimap -v idle --interval 1 ARGS in the background, once
# its first NOOP went out (the baseline is taken).
poll() {
	local n=0
	mimap -v idle --interval 1 "$@" >"$OUT" 2>"$ERR" 3>&- &
	IDLE_PID=$!
	until grep -q '^> A[0-9]* NOOP' "$ERR"; do
		(( n++ < 100 )) || { cat "$ERR" >&2; return 1; }
		sleep 0.1
	done
}

@test "idle without IDLE: NOOP polling reports new messages, flags, expunges" {
	msg a | mimap append INBOX >/dev/null
	poll INBOX
	u=$(msg b | mimap append INBOX)
	wait_out "^INBOX: new $u\$"
	mimap flag INBOX 1 +answered
	wait_out '^INBOX: flags 1 \(\\Answered\)$'
	mimap flag INBOX "$u" +deleted
	mimap expunge INBOX
	wait_out "^INBOX: expunge $u\$"
	stop_idle
	[ "$status" -eq 0 ]
	! grep -q '^> A[0-9]* IDLE' "$ERR"
	! grep -q 'CONDSTORE' <(grep '^>' "$ERR")
}

@test "idle without CONDSTORE: after Dovecot restarted, the flags of every message are compared" {
	for s in a b c; do msg $s | mimap append INBOX >/dev/null; done
	poll INBOX
	dovecot_down
	wait_out 'connecting again' "$ERR"
	d=$MAILDIR_ROOT/$TEST_USER/Maildir
	f3=$(msg_file 3)
	mv "$f3" "$d/cur/$(basename "${f3%%:*}"):2,F"
	dovecot_up
	wait_out '^INBOX: flags 3 \(\\Flagged\)$'
	grep -q '^> A[0-9]* UID FETCH 1:3 (UID FLAGS)$' "$ERR"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 1 ]
}
