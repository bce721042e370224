#!/usr/bin/env bats
# mimap idle against the real Dovecot offering IDLE and CONDSTORE but not
# NOTIFY (imap_capability): one connection per folder, all in one process
# (poll), events for each; a restart caught up on every connection.

load mimap_idle_helper

setup_file() {
	export DOVECOT_IMAP_CAPABILITY="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE NAMESPACE CHILDREN UNSELECT UIDPLUS CONDSTORE ESEARCH"
	mimap_setup_file
}

@test "idle without NOTIFY: two folders, a connection each, one process" {
	mimap create Work
	idle INBOX Work
	w=$(msg w | mimap append Work)
	wait_out "^Work: new $w\$"
	i=$(msg i | mimap append INBOX)
	wait_out "^INBOX: new $i\$"
	mimap flag Work "$w" +seen
	wait_out "^Work: flags $w \\(\\\\Seen\\)\$"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 3 ]
	[ "$(grep -c '^\* connected to' "$ERR")" -eq 2 ]
	! grep -q '^> A[0-9]* NOTIFY' "$ERR"
	[ "$(grep -c '^> A[0-9]* LOGOUT' "$ERR")" -eq 2 ]
}

@test "idle without NOTIFY: Dovecot restarted, each connection made again and caught up" {
	mimap create Work
	msg a | mimap append INBOX >/dev/null
	msg w | mimap append Work >/dev/null
	idle INBOX Work
	dovecot_down
	wait_out 'folder "Work": .*connecting again' "$ERR"
	wait_out 'folder "INBOX": .*connecting again' "$ERR"
	drop "while down"
	rm "$MAILDIR_ROOT/$TEST_USER"/Maildir/.Work/{cur,new}/* 2>/dev/null || true
	dovecot_up
	wait_out '^INBOX: new 2$'
	wait_out '^Work: expunge 1$'
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 2 ]
}
