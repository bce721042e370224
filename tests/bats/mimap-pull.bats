#!/usr/bin/env bats
# mimap pull against the suite's real Dovecot (CONDSTORE and QRESYNC
# offered): a maildir mirror a user can rely on. The paths without
# QRESYNC, and without either, are checked in mimap-pull-fallback.bats
# through the same tests (PULL_CAPS).

load mimap_helper
load pull_helper

setup_file() {
	pull_setup_file
}

teardown_file() {
	stop_servers
}

setup() {
	pull_setup
}

@test "first pull: every message once, flags as maildir info, bytes intact" {
	msg one | mimap append INBOX
	msg two | mimap append INBOX --flags '\Seen \Flagged'
	msg three | mimap append INBOX --flags '\Answered'
	run mimap pull --maildir "$MD"
	[ "$status" -eq 0 ]
	[ "$output" = "INBOX: 3 new, 0 flags changed, 0 removed" ]
	[ "$(ls "$MD/new" | wc -l)" -eq 1 ]
	[ "$(ls "$MD/cur" | wc -l)" -eq 2 ]
	ls "$MD/cur" | grep -q ',U=2:2,FS$'
	ls "$MD/cur" | grep -q ',U=3:2,R$'
	msg two >"$BATS_TEST_TMPDIR/want"
	cmp "$BATS_TEST_TMPDIR/want" "$MD"/cur/*,U=2:2,FS
	[ "$(ls "$MD/tmp" | wc -l)" -eq 0 ]
}

@test "a large message comes down byte for byte: LF line ends, a lone CR kept" {
	python3 - "$BATS_TEST_TMPDIR/want" <<'PY'
import sys
lines = ["From: a@example.test", "Subject: big",
         "Message-ID: <big@example.test>", ""]
for i in range(20000):
    lines.append("line %d of a big body%s" % (i, "\r here" if i % 997 == 0 else ""))
open(sys.argv[1], "w", newline="").write("\n".join(lines) + "\n")
PY
	cp "$BATS_TEST_TMPDIR/want" "$MAILDIR_ROOT/$TEST_USER/Maildir/new/1.big.test"
	chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT/$TEST_USER"
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 1 new, 0 flags changed, 0 removed" ]
	cmp "$BATS_TEST_TMPDIR/want" "$(local_file 1)"
}

@test "incremental pulls: only what is new comes down; unchanged is one SELECT" {
	msg one | mimap append INBOX
	mimap pull --maildir "$MD"
	msg two | mimap append INBOX
	msg three | mimap append INBOX
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 2 new, 0 flags changed, 0 removed" ]
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 0 flags changed, 0 removed" ]
	[ "$(ls "$MD/new" "$MD/cur" | grep -c ',U=')" -eq 3 ]
	pull_check_unchanged_transcript
}

@test "an unchanged maildir is not read again; a change on either side still is seen" {
	for s in a b c; do msg $s | mimap append INBOX; done
	mimap pull --maildir "$MD"
	mimap pull --maildir "$MD"
	grep -q '^stamp ' "$XDG_STATE_HOME"/mkit/imap/*/INBOX
	# unchanged (the stamp of cur/ and new/ in the state): neither opened
	# (LeakSanitizer cannot run under ptrace)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=openat -o "$BATS_TEST_TMPDIR/trace" \
		mimap pull --maildir "$MD"
	grep -q "$XDG_STATE_HOME/mkit/imap/.*/INBOX\"" "$BATS_TEST_TMPDIR/trace"
	! grep -e "$MD/cur\"" -e "$MD/new\"" "$BATS_TEST_TMPDIR/trace"
	# the server flags one and adds one: the files are found and named
	mimap flag INBOX 2 +flagged
	msg d | mimap append INBOX
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 1 new, 1 flags changed, 0 removed" ]
	[ "$(local_flags 2)" = F ]
	[ -n "$(local_file 4)" ]
	# a reader's change at once after a pull goes up with the next one
	local_flag 1 S
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 1 flags changed, 0 removed" ]
	run mimap search INBOX SEEN
	[ "$output" = 1 ]
	# and a file removed at once after is a local delete
	rm "$(local_file 3)"
	run mimap pull --push-deletes --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 0 flags changed, 0 removed, 1 expunged on the server" ]
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n2\n4')" ]
}

@test "flags merge flag by flag: a change on either side wins over no change" {
	for s in a b c; do msg $s | mimap append INBOX; done
	msg d | mimap append INBOX --flags '\Seen'
	mimap pull --maildir "$MD"
	# server: 1 read; local: 2 flagged; 3 read there and flagged here;
	# 4 flagged there and made unread here
	mimap flag INBOX 1 +seen
	mimap flag INBOX 3 +seen
	mimap flag INBOX 4 +flagged
	local_flag 2 F
	local_flag 3 F
	local_flag 4 ""
	run mimap pull --maildir "$MD"
	[ "$status" -eq 0 ]
	[ "$output" = "INBOX: 0 new, 6 flags changed, 0 removed" ]
	[ "$(local_flags 1)" = S ]
	[ "$(local_flags 2)" = F ]
	[ "$(local_flags 3)" = FS ]
	[ "$(local_flags 4)" = F ]
	run mimap search INBOX FLAGGED
	[ "$output" = "$(printf '2\n3\n4')" ]
	run mimap search INBOX SEEN
	[ "$output" = "$(printf '1\n3')" ]
	# agreed: nothing more to do either way
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 0 flags changed, 0 removed" ]
	# a flag removed locally goes up too
	local_flag 1 ""
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 1 flags changed, 0 removed" ]
	run mimap search INBOX SEEN
	[ "$output" = 3 ]
	# no state (lost): no base to merge against, the server's flags win
	local_flag 2 S
	rm -r "$XDG_STATE_HOME/mkit"
	run mimap pull --maildir "$MD"
	[ "$status" -eq 0 ]
	[ "$output" = "INBOX: 0 new, 1 flags changed, 0 removed" ]
	[ "$(local_flags 2)" = F ]
	run mimap search INBOX SEEN
	[ "$output" = 3 ]
}

@test "a flag change on the server between the pull's FETCH and its STORE" {
	for s in a b c; do msg $s | mimap append INBOX; done
	msg d | mimap append INBOX --flags '\Seen'
	msg e | mimap append INBOX
	# another client, just before the pull's first STORE: 1 flagged (read
	# here: both stay), 2 read (the same change), a keyword on 5 (no
	# system flag)
	start_proxy "$DOVECOT_IMAP_PORT" ' UID STORE ' sh -c 'mimap flag INBOX 1 \
		+flagged && mimap flag INBOX 2 +seen && mimap flag INBOX 5 +Label1'
	px=(--port "$PROXY_PORT" --tls=off --allow-plaintext-auth)
	mimap "${px[@]}" pull --maildir "$MD"
	# local: 1, 2 and 5 read, 3 flagged, 4 unread and flagged
	local_flag 1 S
	local_flag 2 S
	local_flag 3 F
	local_flag 4 F
	local_flag 5 S
	run mimap "${px[@]}" -v pull --json --maildir "$MD"
	echo "$output"
	[ "$status" -eq 0 ]
	pulled=$output
	[ "$(cat "$PROXY_RAN")" = 0 ]
	for i in 2 3 4 5; do
		[ "$(local_flags $i)" = "$(sed -n "${i}p" <<<'
S
F
F
S')" ]
	done
	run mimap search INBOX KEYWORD Label1
	[ "$output" = 5 ]
	if [ "$PULL_MODE" = full ]; then
		# no CONDSTORE: the STOREs go flag by flag over the change (a
		# race the man page tells of): 1's \Flagged comes down next time
		[ "$(local_flags 1)" = S ]
		run mimap "${px[@]}" pull --maildir "$MD"
		[ "$output" = "INBOX: 0 new, 1 flags changed, 0 removed" ]
	else
		# refused ([MODIFIED]), read again, merged, pushed again
		grep -q ' OK \[MODIFIED [0-9:,]*1[],:]' <<<"$pulled"
		[[ $pulled == *"(UNCHANGEDSINCE "*"[MODIFIED "* ]]
		python3 -c 'import json, sys
d = json.loads(sys.argv[1].splitlines()[-1])[0]
assert (d["conflicts"], d["flags_server"], d["flags_local"]) == (0, 5, 1), d
' "$pulled"
	fi
	# 1: the other client's \Flagged and the local \Seen, on both sides
	[ "$(local_flags 1)" = FS ]
	run mimap search INBOX SEEN
	[ "$output" = "$(printf '1\n2\n5')" ]
	run mimap search INBOX FLAGGED
	[ "$output" = "$(printf '1\n3\n4')" ]
	run mimap "${px[@]}" pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 0 flags changed, 0 removed" ]
}

@test "one flag changed on both sides, met by [MODIFIED]: the server's later change wins" {
	msg a | mimap append INBOX --flags '\Seen'
	msg b | mimap append INBOX --flags '\Seen'
	# another client, just before the pull's first STORE: reads 1 again,
	# flags 2
	start_proxy "$DOVECOT_IMAP_PORT" ' UID STORE ' sh -c 'mimap flag INBOX 1 \
		+seen && mimap flag INBOX 2 +flagged'
	px=(--port "$PROXY_PORT" --tls=off --allow-plaintext-auth)
	mimap "${px[@]}" pull --maildir "$MD"
	# 1: unread on both sides (the server's change seen by the pull) and
	# flagged here; 2: unread here
	mimap flag INBOX 1 -seen
	local_flag 1 F
	local_flag 2 ""
	run mimap "${px[@]}" -v pull --json --maildir "$MD"
	echo "$output"
	[ "$status" -eq 0 ]
	pulled=$output
	[ "$(cat "$PROXY_RAN")" = 0 ]
	if [ "$PULL_MODE" = full ]; then
		# no CONDSTORE: 1's \Flagged and 2's -\Seen went over the
		# change flag by flag; the next pull brings the rest down
		run mimap "${px[@]}" pull --maildir "$MD"
		[ "$output" = "INBOX: 0 new, 2 flags changed, 0 removed" ]
	else
		# both refused, read again, merged and pushed again
		[ "$(grep -c '^< A[0-9]* OK \[MODIFIED ' <<<"$pulled")" -eq 2 ]
		stores=$(grep '^> A[0-9]* UID STORE ' <<<"$pulled")
		[ "$(grep -c ' 1 (UNCHANGEDSINCE .*) +FLAGS (\\Flagged)' \
			<<<"$stores")" -eq 2 ]
		[ "$(grep -c ' 2 (UNCHANGEDSINCE .*) -FLAGS (\\Seen)' \
			<<<"$stores")" -eq 2 ]
		python3 -c 'import json, sys
d = json.loads(sys.argv[1].splitlines()[-1])[0]
assert (d["conflicts"], d["flags_server"], d["flags_local"]) == (1, 2, 2), d
' "$pulled"
	fi
	# 1: \Seen cleared here, set again there later: the server's wins;
	# the local \Flagged stays. 2: both changes.
	[ "$(local_flags 1)" = FS ]
	[ "$(local_flags 2)" = F ]
	run mimap search INBOX SEEN
	[ "$output" = 1 ]
	run mimap search INBOX FLAGGED
	[ "$output" = "$(printf '1\n2')" ]
	run mimap "${px[@]}" pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 0 flags changed, 0 removed" ]
}

@test "keywords are not mirrored: the server's stay there, local letters stay here" {
	msg a | mimap append INBOX --flags '\Seen $Forwarded Label1'
	msg b | mimap append INBOX
	run mimap pull --maildir "$MD"
	[ "$status" -eq 0 ]
	# only the system flags come down; no keyword table is written
	[ "$(local_flags 1)" = S ]
	[ ! -e "$MD/dovecot-keywords" ]
	# letters pull does not mirror (P, and a-z: keywords by another
	# program's table) stay when a flag change renames the file, and
	# never go up
	local_flag 2 Pab
	mimap flag INBOX 2 +flagged
	mimap flag INBOX 1 -seen
	local_flag 1 FS
	run mimap pull --maildir "$MD"
	[ "$status" -eq 0 ]
	[ "$(local_flags 2)" = FPab ]
	# 1: unread there, flagged here: both; its keywords untouched
	[ "$(local_flags 1)" = F ]
	run mimap search INBOX FLAGGED UNSEEN KEYWORD Label1 KEYWORD '$Forwarded'
	[ "$output" = 1 ]
	run mimap search INBOX OR KEYWORD '$Forwarded' OR KEYWORD a KEYWORD b
	[ "$output" = 1 ]
	# a local change with keywords on the server: the keywords stay
	local_flag 1 FR
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 1 flags changed, 0 removed" ]
	run mimap search INBOX ANSWERED KEYWORD Label1 KEYWORD '$Forwarded'
	[ "$output" = 1 ]
}

@test "server expunge: removed locally; --keep-local keeps the file as the user's" {
	for s in a b c; do msg $s | mimap append INBOX; done
	mimap pull --maildir "$MD"
	mimap flag INBOX 1 +deleted
	mimap expunge INBOX
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 0 flags changed, 1 removed" ]
	[ -z "$(local_file 1)" ]
	[ -n "$(local_file 2)" ]
	mimap flag INBOX 2 +deleted
	mimap expunge INBOX
	run mimap pull --keep-local --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 0 flags changed, 0 removed, 1 kept" ]
	# still there, no longer tied to a UID
	grep -l "Subject: b" "$MD"/new/* "$MD"/cur/* 2>/dev/null | grep -qv ',U='
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 0 flags changed, 0 removed" ]
	[ "$(grep -l "Subject: b" "$MD"/new/* "$MD"/cur/* 2>/dev/null | wc -l)" -eq 1 ]
}

@test "local delete: kept on the server (and never fetched again) unless --push-deletes" {
	for s in a b c; do msg $s | mimap append INBOX; done
	mimap pull --maildir "$MD"
	rm "$(local_file 2)"
	run mimap pull --maildir "$MD"
	[ "$output" = "INBOX: 0 new, 0 flags changed, 0 removed" ]
	[ -z "$(local_file 2)" ]
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n2\n3')" ]
	run mimap pull --push-deletes --maildir "$MD"
	[ "$status" -eq 0 ]
	[ "$output" = "INBOX: 0 new, 0 flags changed, 0 removed, 1 expunged on the server" ]
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n3')" ]
	run mimap -v pull --push-deletes --maildir "$MD"
	[[ $output == *"INBOX: 0 new, 0 flags changed, 0 removed"* ]]
	[[ $output != *EXPUNGE* ]]
}

@test "UIDVALIDITY change: files matched by Message-ID and size, the rest kept aside" {
	mimap create Box
	for s in a b c; do msg $s | mimap append Box; done
	mimap pull --maildir "$MD" Box
	local_flag 2 F Box
	mimap delete Box
	mimap create Box
	msg c | mimap append Box
	msg a | mimap append Box
	msg new | mimap append Box
	run mimap pull --maildir "$MD" Box
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Box: 1 new, 0 flags changed, 0 removed, UIDVALIDITY changed" ]]
	[[ ${lines[1]} == "Box: kept aside: $MD/.Box/"* ]]
	# b is kept aside with its flag, untagged; a and c have their new UIDs
	[[ ${lines[1]} != *",U="* ]]
	grep -q "Subject: b" "${lines[1]#Box: kept aside: }"
	grep -q "Subject: c" "$(local_file 1 Box)"
	grep -q "Subject: a" "$(local_file 2 Box)"
	grep -q "Subject: new" "$(local_file 3 Box)"
	[ "$(find "$MD/.Box/new" "$MD/.Box/cur" -type f | wc -l)" -eq 4 ]
	run mimap pull --maildir "$MD" Box
	[ "$output" = "Box: 0 new, 0 flags changed, 0 removed" ]
}

@test "several folders, non-ASCII names, --all, maildir++ and tree layouts, --json" {
	mimap create "Caf$(printf '\xc3\xa9')"
	mimap create Archive
	mimap create Archive.2026
	msg x | mimap append INBOX
	msg y | mimap append "Caf$(printf '\xc3\xa9')"
	msg z | mimap append Archive.2026
	run mimap pull --all --maildir "$MD"
	[ "$status" -eq 0 ]
	[[ $output == *"INBOX: 1 new,"* ]]
	[[ $output == *"Caf$(printf '\xc3\xa9'): 1 new,"* ]]
	[[ $output == *"Archive.2026: 1 new,"* ]]
	grep -q "Subject: y" "$MD/.Caf$(printf '\xc3\xa9')"/new/*
	grep -q "Subject: z" "$MD/.Archive.2026"/new/*
	run mimap pull --layout tree --maildir "$BATS_TEST_TMPDIR/tree" INBOX Archive.2026
	[ "$status" -eq 0 ]
	grep -q "Subject: z" "$BATS_TEST_TMPDIR/tree/Archive/2026"/new/*
	grep -q "Subject: x" "$BATS_TEST_TMPDIR/tree/INBOX"/new/*
	run mimap pull --json --maildir "$MD" "Caf$(printf '\xc3\xa9')"
	[ "$status" -eq 0 ]
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d[0]["folder"]=="Caf\u00e9" and d[0]["new"]==0 and d[0]["removed"]==0 and d[0]["mode"] in ("qresync","condstore","full"), d' "$output"
}

@test "the account's maildir key; usage errors are 64" {
	sed -i "/^account default/a maildir $MD" "$MKIT_CONFIG"
	msg k | mimap append INBOX
	run mimap pull
	[ "$status" -eq 0 ]
	[ "$output" = "INBOX: 1 new, 0 flags changed, 0 removed" ]
	run mimap pull --all INBOX
	[ "$status" -eq 64 ]
	run mimap pull --layout flat
	[ "$status" -eq 64 ]
	[[ $output == *'layout "flat"'* ]]
}

@test "a second pull while one runs exits 75 and touches nothing" {
	pull_second_while_first
}

@test "kill -9 at random points of a large pull, then a rerun: every message once, no flag change lost" {
	pull_kill_test 1500
}
