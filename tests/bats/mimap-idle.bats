#!/usr/bin/env bats
# mimap idle against the suite's real Dovecot (IDLE, CONDSTORE and NOTIFY
# offered): an event line per change (new, expunge, flags), several
# folders on one connection with NOTIFY (changes in the folder not
# selected too, and one Dovecot says nothing of, caught by the check),
# --exec with the event in its environment and no shell built from server
# data, Dovecot stopped and started again during idle (the changes made
# meanwhile are reported after the reconnection), a proxy in front of
# Dovecot going silent both ways (TCP keepalive on, the NOOP timer finds
# it, what came meanwhile reported), IDLE renewed, SIGTERM; and a scripted
# server that stops answering (a half-open connection): found by the NOOP
# timer and connected again. mimap-idle-nonotify.bats
# and mimap-idle-poll.bats run the paths without NOTIFY and without IDLE.

load mimap_idle_helper

setup_file() {
	mimap_setup_file
}

@test "idle: a message appended gives a new event with its UID" {
	idle INBOX
	uid=$(msg one | mimap append INBOX)
	[ -n "$uid" ]
	wait_out "^INBOX: new $uid\$"
	uid2=$(msg two | mimap append INBOX)
	[ "$uid2" -gt "$uid" ]
	wait_out "^INBOX: new $uid2\$"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 2 ]
}

@test "idle: a message dropped into the maildir is reported (JSON Lines)" {
	msg old | mimap append INBOX >/dev/null
	idle INBOX --json
	drop "dropped"
	wait_out '^\{"folder":"INBOX","event":"new","uids":\[2\]\}$'
	# the baseline (the message there before) is no event
	! grep -q '"uids":\[1\]' "$OUT"
	stop_idle
	[ "$status" -eq 0 ]
}

@test "idle: flag changes and expunges are events with their UIDs" {
	for s in a b c; do msg $s | mimap append INBOX >/dev/null; done
	idle INBOX
	mimap flag INBOX 2 +seen +flagged
	wait_out '^INBOX: flags 2 \(.*\\Seen.*\)$'
	grep -q '^INBOX: flags 2 (.*\\Flagged' "$OUT"
	mimap flag INBOX 3 +deleted
	wait_out '^INBOX: flags 3 \(\\Deleted\)$'
	mimap expunge INBOX
	wait_out '^INBOX: expunge 3$'
	mimap flag INBOX 1 +mykeyword
	wait_out '^INBOX: flags 1 \(mykeyword\)$'
	stop_idle
	[ "$status" -eq 0 ]
	# nothing told twice, nothing else told
	[ "$(wc -l <"$OUT")" -eq 4 ]
}

@test "idle: three folders on one connection with NOTIFY, each event names its folder" {
	mimap create Work
	mimap create "My box"
	idle INBOX Work "My box"
	w=$(msg w | mimap append Work)
	wait_out "^Work: new $w\$"
	i=$(msg i | mimap append INBOX)
	wait_out "^INBOX: new $i\$"
	u=$(msg u | mimap append "My box")
	wait_out "^My box: new $u\$"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 3 ]
	# one connection: NOTIFY, and each change elsewhere than the folder
	# selected fetched after EXAMINE of its folder
	[ "$(grep -c '^\* connected to' "$ERR")" -eq 1 ]
	grep -q '^> A[0-9]* NOTIFY SET (SELECTED (MessageNew MessageExpunge FlagChange)) (MAILBOXES INBOX ' "$ERR"
	grep -q '^< \* STATUS Work ' "$ERR"
}

@test "idle: with NOTIFY, flag changes and expunges in a folder not selected" {
	mimap create Work
	for s in a b; do msg $s | mimap append INBOX >/dev/null; done
	msg w | mimap append Work >/dev/null
	idle INBOX Work
	# Work is selected: INBOX is told by STATUS (HIGHESTMODSEQ)
	mimap flag INBOX 1 +flagged
	wait_out '^INBOX: flags 1 \(\\Flagged\)$'
	# now INBOX is selected: Work's turn
	mimap flag Work 1 +deleted
	wait_out '^Work: flags 1 \(\\Deleted\)$'
	mimap expunge Work
	wait_out '^Work: expunge 1$'
	# flagged and expunged at once: the flags may be told or not (the
	# catch-up may come after both), the expunge is
	mimap flag INBOX 2 +deleted
	mimap expunge INBOX
	wait_out '^INBOX: expunge 2$'
	stop_idle
	[ "$status" -eq 0 ]
	run grep -v '^INBOX: flags 2 (\\Deleted)$' "$OUT"
	[ "${#lines[@]}" -eq 4 ]
}

@test "idle: twenty folders on one connection with NOTIFY" {
	local f=()
	for i in $(seq 1 20); do f+=("box$i"); done
	mimap create "${f[@]}"
	idle "${f[@]}"
	a=$(msg a | mimap append box7)
	b=$(msg b | mimap append box15)
	c=$(msg c | mimap append box20)
	wait_out "^box7: new $a\$"
	wait_out "^box15: new $b\$"
	wait_out "^box20: new $c\$"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 3 ]
	[ "$(grep -c '^\* connected to' "$ERR")" -eq 1 ]
}

@test "idle: with NOTIFY, a folder the server says nothing of is caught by the check" {
	mimap create "Ünïcödé box"
	mimap create Work
	MIMAP_IDLE_NOOP=1 idle "Ünïcödé box" Work
	u=$(msg u | mimap append "Ünïcödé box")
	wait_out "^Ünïcödé box: new $u\$"
	w=$(msg w | mimap append Work)
	wait_out "^Work: new $w\$"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 2 ]
	grep -q '^> A[0-9]* STATUS "&ANw-n&AO8-c&APY-d&AOk- box" (MESSAGES UIDNEXT UIDVALIDITY HIGHESTMODSEQ)$' "$ERR"
}

@test "idle --exec: the event in the environment, no shell built from server data" {
	hostile='x$(touch PWNED1);touch PWNED2`touch PWNED3`'
	mimap create "$hostile"
	log=$BATS_TEST_TMPDIR/exec.log
	cat >"$BATS_TEST_TMPDIR/hook" <<EOF
#!/bin/sh
printf '%s|%s|%s|%s\n' "\$MIMAP_FOLDER" "\$MIMAP_EVENT" "\$MIMAP_UIDS" "\$#" >>"$log"
EOF
	chmod +x "$BATS_TEST_TMPDIR/hook"
	cd "$BATS_TEST_TMPDIR"
	# a plain command (execvp) and one with shell syntax of the user's own
	idle "$hostile" INBOX --exec "$BATS_TEST_TMPDIR/hook"
	u=$(msg h | mimap append "$hostile")
	wait_out "\\|new\\|$u\\|" "$log"
	[ "$(cat "$log")" = "$hostile|new|$u|0" ]
	stop_idle
	idle "$hostile" --exec 'echo "[$MIMAP_FOLDER] $MIMAP_EVENT $MIMAP_UIDS" >>shell.log'
	u2=$(msg h2 | mimap append "$hostile")
	wait_out "new $u2\$" shell.log
	[ "$(cat shell.log)" = "[$hostile] new $u2" ]
	stop_idle
	[ "$status" -eq 0 ]
	run ls PWNED1 PWNED2 PWNED3
	[ "$status" -ne 0 ]
}

@test "idle --exec: a failing command is reported and idle goes on" {
	idle INBOX --exec 'sh -c "exit 3"'
	u=$(msg one | mimap append INBOX)
	wait_out "exited with 3 .*INBOX.*new $u" "$ERR"
	u2=$(msg two | mimap append INBOX)
	wait_out "^INBOX: new $u2\$"
	grep -q "^INBOX: new $u\$" "$OUT"
	stop_idle
	[ "$status" -eq 0 ]
}

@test "idle: Dovecot restarted: reconnects and reports what changed meanwhile" {
	for s in a b c; do msg $s | mimap append INBOX >/dev/null; done
	idle INBOX
	dovecot_down
	wait_out 'connecting again' "$ERR"
	# meanwhile: a new message, message 2 expunged, message 1 seen
	drop "while down"
	d=$MAILDIR_ROOT/$TEST_USER/Maildir
	f1=$(msg_file 1)
	rm "$(msg_file 2)"
	mv "$f1" "$d/cur/$(basename "${f1%%:*}"):2,S"
	dovecot_up
	wait_out '^INBOX: new 4$'
	wait_out '^INBOX: expunge 2$'
	wait_out '^INBOX: flags 1 \(\\Seen\)$'
	grep -q 'connected again' "$ERR"
	# and idle goes on on the new connection
	u=$(msg after | mimap append INBOX)
	wait_out "^INBOX: new $u\$"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 4 ]
}

@test "idle: a connection to Dovecot gone silent (half-open): found, made again, what came meanwhile reported" {
	mimap create Work
	msg a | mimap append INBOX >/dev/null
	msg w | mimap append Work >/dev/null
	start_proxy "$DOVECOT_IMAP_PORT"
	export MIMAP_IDLE_NOOP=3
	idle INBOX Work --port="$PROXY_PORT" --tls=off --allow-plaintext-auth \
		--timeout=2
	# TCP keepalive on the idle connection
	keepalive_on
	# the proxy stops forwarding both ways, closes nothing; meanwhile
	# mail comes (straight to Dovecot)
	kill -USR1 "$PROXY_PID"
	wait_out . "$PROXY_SILENT"
	drop "while silent"
	msg w2 | mimap append Work >/dev/null
	# the NOOP timer: no reply within the timeout, connect again
	wait_out 'no reply.*connecting again in 1 s' "$ERR"
	wait_out '^INBOX: new 2$'
	wait_out '^Work: new 2$'
	grep -q 'connected again' "$ERR"
	keepalive_on
	u=$(msg after | mimap append INBOX)
	wait_out "^INBOX: new $u\$"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 3 ]
}

@test "idle: with NOTIFY, Dovecot restarted: what changed in each folder meanwhile is reported" {
	mimap create Work
	for s in a b; do msg $s | mimap append INBOX >/dev/null; done
	msg w | mimap append Work >/dev/null
	idle INBOX Work
	dovecot_down
	wait_out 'connecting again' "$ERR"
	drop "while down"
	d=$MAILDIR_ROOT/$TEST_USER/Maildir/.Work
	f=$(msg_file 1 "$d")
	mv "$f" "$d/cur/$(basename "${f%%:*}"):2,FS"
	dovecot_up
	wait_out '^INBOX: new 3$'
	wait_out '^Work: flags 1 \(\\Flagged \\Seen\)$'
	grep -q 'folders "INBOX, Work": connected again' "$ERR"
	u=$(msg after | mimap append Work)
	wait_out "^Work: new $u\$"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 3 ]
}

@test "idle: SIGTERM ends it promptly with DONE and LOGOUT, status 0" {
	mimap create Work
	idle INBOX Work
	stop_idle
	[ "$status" -eq 0 ]
	[ "$took" -le 2 ]
	# one connection (NOTIFY): one DONE, one LOGOUT
	[ "$(grep -c '^> DONE' "$ERR")" -eq 1 ]
	[ "$(grep -c '^> A[0-9]* LOGOUT' "$ERR")" -eq 1 ]
}

@test "idle: IDLE renewed (DONE, NOOP, IDLE) on the timer, nothing missed around it" {
	MIMAP_IDLE_RENEW=1 idle INBOX
	wait_out '^> A[0-9]+ NOOP' "$ERR"
	n=0
	until [ "$(grep -c '^< + idling' "$ERR")" -ge 3 ]; do
		(( n++ < 100 )); sleep 0.1
	done
	u=$(msg one | mimap append INBOX)
	wait_out "^INBOX: new $u\$"
	stop_idle
	[ "$status" -eq 0 ]
	[ "$(wc -l <"$OUT")" -eq 1 ]
	# each renewal: DONE answered, then NOOP, then IDLE again
	grep -A3 '^> DONE' "$ERR" | grep -q '^> A[0-9]* NOOP'
}

@test "idle: a folder that does not exist: one error, status 69" {
	run timeout 20 mimap idle INBOX Nope
	[ "$status" -eq 69 ]
	[[ $output == *Nope* ]]
}

@test "idle: bad --interval and --exec are usage errors" {
	run mimap idle INBOX --interval 0
	[ "$status" -eq 64 ]
	run mimap idle INBOX --exec "'open quote"
	[ "$status" -eq 64 ]
	run mimap idle
	[ "$status" -eq 64 ]
}

@test "idle: a server that stops answering (half-open) is found and left" {
	start_fake_server <<'EOF'
send * OK [CAPABILITY IMAP4rev1 IDLE] fake
expect A1 EXAMINE
send * 1 EXISTS
send * OK [UIDVALIDITY 7] ok
send * OK [UIDNEXT 2] ok
send A1 OK [READ-ONLY] done
expect A2 UID FETCH 1:*
send * 1 FETCH (UID 1 FLAGS ())
send A2 OK done
expect A3 IDLE
send + idling
hang
EOF
	MIMAP_IDLE_NOOP=1 mimap idle INBOX --host 127.0.0.1 \
		--port "$FAKE_PORT" --tls=off --auth=off --timeout=2 \
		>"$OUT" 2>"$ERR" 3>&- &
	IDLE_PID=$!
	# the NOOP timer: DONE, NOOP, no reply within 2 s, connect again
	wait_out '^\* connect 2$' "$FAKE_LOG"
	grep -q '^C: DONE$' "$FAKE_LOG"
	grep -q 'folder "INBOX": .*no reply.*; connecting again in 1 s' "$ERR"
	stop_idle
	[ "$status" -eq 0 ]
	[ ! -s "$OUT" ]
}
