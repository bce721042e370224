#!/usr/bin/env bats
# mimap against the suite's real Dovecot with every extension it offers
# (LITERAL+, MOVE, UIDPLUS, ESEARCH, LIST-STATUS, CONDSTORE, ENABLE...):
# what lands on the server and what comes back is what a user relies on.

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

@test "append then fetch one message: the same bytes back, raw" {
	msg "round trip" "line one
line two" >"$BATS_TEST_TMPDIR/m"
	run mimap append INBOX <"$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	mimap fetch INBOX 1 >"$BATS_TEST_TMPDIR/got"
	cmp "$BATS_TEST_TMPDIR/m" "$BATS_TEST_TMPDIR/got"
}

@test "append an mboxrd stream, fetch 1:* as mboxrd: every message intact" {
	{
		echo "From a@b Thu Jan  1 00:00:00 2026"
		msg "first" ">From quoted
>>From quoted twice
From
not a separator"
		echo
		echo "From a@b Thu Jan  1 00:00:00 2026"
		msg "second"
		echo
	} >"$BATS_TEST_TMPDIR/in.mbox"
	run mimap append INBOX <"$BATS_TEST_TMPDIR/in.mbox"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ] && [ "${lines[1]}" = 2 ]
	mimap fetch INBOX 1:* >"$BATS_TEST_TMPDIR/out.mbox"
	python3 - "$BATS_TEST_TMPDIR/in.mbox" "$BATS_TEST_TMPDIR/out.mbox" <<'PY'
import mailbox, sys
a = [m.as_bytes() for m in mailbox.mbox(sys.argv[1])]
b = [m.as_bytes() for m in mailbox.mbox(sys.argv[2])]
assert len(a) == 2 and a == b, (a, b)
PY
}

@test "search: UIDs one per line; nothing matched is exit 1; UTF-8 keys" {
	msg "alpha" | mimap append INBOX
	msg "caf$(printf '\xc3\xa9') order" | mimap append INBOX
	msg "beta" | mimap append INBOX
	run mimap search INBOX SUBJECT beta
	[ "$status" -eq 0 ]
	[ "$output" = 3 ]
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n2\n3')" ]
	run mimap search INBOX SUBJECT "caf$(printf '\xc3\xa9')"
	[ "$status" -eq 0 ]
	[ "$output" = 2 ]
	run mimap search INBOX FROM nobody@nowhere
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run mimap search INBOX SUBJECT "two words"
	[ "$status" -eq 1 ]
	run mimap search --json INBOX ALL
	[ "$output" = '{"folder":"INBOX","uids":[1,2,3]}' ]
}

@test "status and list --status: the counts, as text and JSON" {
	msg one | mimap append INBOX
	msg two | mimap append INBOX --flags '\Seen'
	run mimap status INBOX
	[ "$status" -eq 0 ]
	[[ $output == "INBOX messages=2 recent="*" unseen=1 uidnext=3 uidvalidity="* ]]
	run mimap list --status --json
	python3 -c '
import json, sys
l = json.loads(sys.argv[1])
inbox = [f for f in l if f["name"] == "INBOX"][0]
assert inbox["status"]["messages"] == 2 and inbox["status"]["unseen"] == 1
assert inbox["delimiter"] == "."
' "$output"
}

@test "folders with non-ASCII and special characters: create, list, rename, delete" {
	run mimap create "Entwürfe" "日本語" 'a "quoted" & b' "Café.été"
	[ "$status" -eq 0 ]
	# on the server, modified UTF-7 (RFC 3501 5.1.3), or UTF-8 with
	# UTF8=ACCEPT; Dovecot keeps maildir++ names in modified UTF-7
	ls -a "$MAILDIR_ROOT/$TEST_USER/Maildir" >"$BATS_TEST_TMPDIR/dirs"
	grep -qx '.Entw&APw-rfe' "$BATS_TEST_TMPDIR/dirs"
	grep -qx '.&ZeVnLIqe-' "$BATS_TEST_TMPDIR/dirs"
	run mimap list
	[[ $output == *"Entwürfe"* ]]
	[[ $output == *"日本語"* ]]
	[[ $output == *'a "quoted" & b'* ]]
	[[ $output == *"Café.été"* ]]
	msg "in a folder" | mimap append "日本語"
	run mimap search "日本語" ALL
	[ "$output" = 1 ]
	run mimap rename "Entwürfe" "Brouillons"
	[ "$status" -eq 0 ]
	run mimap delete 'a "quoted" & b'
	[ "$status" -eq 0 ]
	run mimap list
	[[ $output != *"Entwürfe"* ]]
	[[ $output == *"Brouillons"* ]]
	[[ $output != *'quoted'* ]]
	run mimap subscribe "Brouillons"
	[ "$status" -eq 0 ]
	run mimap unsubscribe "Brouillons"
	[ "$status" -eq 0 ]
}

@test "flag: +FLAG and -FLAG; fetch --json shows flags, envelope, structure" {
	msg "flag me" | mimap append INBOX --flags '\Seen'
	run mimap flag INBOX 1 +flagged -seen +'$Label1'
	[ "$status" -eq 0 ]
	run mimap fetch INBOX 1 --json
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
m = json.loads(sys.argv[1])
assert m["uid"] == 1
assert "\\Flagged" in m["flags"] and "\\Seen" not in m["flags"], m["flags"]
assert "$Label1" in m["flags"]
assert m["envelope"]["subject"] == "flag me"
assert m["envelope"]["from"][0]["address"] == "alice@example.test"
assert m["body"]["type"] == "text/plain"
' "$output"
}

@test "fetch without --peek sets \\Seen; with --peek it does not" {
	msg "peek" | mimap append INBOX
	mimap fetch INBOX 1 --peek >/dev/null
	run mimap search INBOX UNSEEN
	[ "$output" = 1 ]
	mimap fetch INBOX 1 >/dev/null
	run mimap search INBOX UNSEEN
	[ "$status" -eq 1 ]
}

@test "fetch --headers and --partial" {
	msg "parts" "0123456789" | mimap append INBOX
	run mimap fetch INBOX 1 --headers --peek
	[[ $output == *"Subject: parts"* ]]
	[[ $output != *"0123456789"* ]]
	run mimap fetch INBOX 1 --partial 0:5 --peek
	[ "$output" = "From:" ]
}

@test "move uses MOVE; copy keeps the original; the pipe from search works" {
	msg a | mimap append INBOX
	msg b | mimap append INBOX
	msg c | mimap append INBOX
	mimap create Archive Copies
	run mimap -v move INBOX 2 Archive
	[ "$status" -eq 0 ]
	[[ $output == *"UID MOVE 2 Archive"* ]]
	run mimap copy INBOX 1 Copies
	[ "$status" -eq 0 ]
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n3')" ]
	mimap search INBOX SUBJECT c | mimap move INBOX - Archive
	run mimap search INBOX ALL
	[ "$output" = 1 ]
	run mimap search Archive ALL
	[ "${#lines[@]}" -eq 2 ]
	run mimap search Copies ALL
	[ "$output" = 1 ]
}

@test "expunge UIDS removes exactly those, not other \\Deleted messages" {
	for s in a b c; do msg $s | mimap append INBOX; done
	mimap flag INBOX 1,3 +deleted
	run mimap -v expunge INBOX 3
	[ "$status" -eq 0 ]
	[[ $output == *"UID EXPUNGE 3"* ]]
	run mimap search INBOX ALL
	[ "$output" = "$(printf '1\n2')" ]
	run mimap expunge INBOX
	run mimap search INBOX ALL
	[ "$output" = 2 ]
}

@test "UIDs from stdin: compressed into ranges" {
	for s in a b c d e; do msg $s | mimap append INBOX; done
	run bash -c 'printf "5\n1\n2\n3\n\n" | mimap -v flag INBOX - +flagged'
	[ "$status" -eq 0 ]
	[[ $output == *"UID STORE 1:3,5 +FLAGS.SILENT (\\Flagged)"* ]]
	run mimap search INBOX FLAGGED
	[ "$output" = "$(printf '1\n2\n3\n5')" ]
	run bash -c 'printf "1\nx\n" | mimap flag INBOX - +flagged'
	[ "$status" -eq 64 ]
	[[ $output == *"stdin: line 2: not a UID"* ]]
}

@test "fetch --maildir: durable files in new/ (cur/ when flagged), nothing left in tmp/" {
	msg one | mimap append INBOX --flags '\Seen \Flagged'
	msg two | mimap append INBOX
	run mimap fetch INBOX 1:* --peek --maildir "$BATS_TEST_TMPDIR/md"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(ls "$BATS_TEST_TMPDIR/md/new" | wc -l)" -eq 1 ]
	[ "$(ls "$BATS_TEST_TMPDIR/md/cur" | wc -l)" -eq 1 ]
	[ -z "$(ls "$BATS_TEST_TMPDIR/md/tmp")" ]
	grep -q '^Subject: two' "$BATS_TEST_TMPDIR/md/new/"*
	grep -q '^Subject: one' "$BATS_TEST_TMPDIR/md/cur/"*:2,FS
}

@test "a 50 MB message appended and fetched back byte for byte" {
	python3 - "$BATS_TEST_TMPDIR/big" <<'PY'
import sys, random
r = random.Random(7)
with open(sys.argv[1], "w") as f:
    f.write("From: a@example.test\nSubject: big\n\n")
    line = "".join(chr(r.randrange(33, 126)) for _ in range(76))
    for i in range(50 * 1024 * 1024 // 77):
        f.write(line[i % 76:] + line[:i % 76] + "\n")
PY
	run mimap append INBOX <"$BATS_TEST_TMPDIR/big"
	[ "$status" -eq 0 ]
	mimap fetch INBOX 1 >"$BATS_TEST_TMPDIR/back"
	cmp "$BATS_TEST_TMPDIR/big" "$BATS_TEST_TMPDIR/back"
}

@test "implicit TLS (imaps) works; -v never shows the password" {
	msg "tls" | mimap -a imaps append INBOX
	run mimap -a imaps -v search INBOX ALL
	[ "$status" -eq 0 ]
	[[ $output == *"TLS started"* ]]
	[[ $output != *"$TEST_PASS"* ]]
	run mimap -v --auth=login search INBOX ALL
	[[ $output != *"$TEST_PASS"* ]]
	[[ $output == *"<redacted>"* ]]
}

@test "wrong password: exit 77 with the server's reply" {
	run mimap --user="$TEST_USER2" status INBOX
	[ "$status" -eq 77 ]
	[[ $output == *"AUTHENTICATIONFAILED"* || $output == *"authentication failed"* ]]
}

@test "errors: a missing folder is 69 with the server's text; usage is 64" {
	run mimap status NoSuchFolder
	[ "$status" -eq 69 ]
	[[ $output == *'NoSuchFolder'* ]]
	[[ $output == *"NONEXISTENT"* || $output == *"doesn't exist"* ]]
	run mimap fetch INBOX notaset
	[ "$status" -eq 64 ]
	run mimap frobnicate
	[ "$status" -eq 64 ]
	run mimap flag INBOX 1 seen
	[ "$status" -eq 64 ]
}

@test "fetch to a stream: UID FETCH goes out with EXAMINE; a missing folder is still 69, nothing written" {
	msg "one" | mimap append INBOX
	msg "two" | mimap append INBOX
	run mimap -v fetch INBOX 1:* --peek
	[ "$status" -eq 0 ]
	[[ $output == *"Subject: one"*"Subject: two"* ]]
	# the fetch is sent before EXAMINE's tagged reply is read
	python3 - "$output" <<'PY'
import re, sys
lines = sys.argv[1].splitlines()
ex = next(i for i, l in enumerate(lines) if re.match(r"> (A\d+) EXAMINE INBOX", l))
tag = lines[ex].split()[1]
ok = next(i for i, l in enumerate(lines) if l.startswith("< %s OK" % tag))
fe = next(i for i, l in enumerate(lines) if "UID FETCH 1:*" in l)
assert ex < fe < ok, (ex, fe, ok)
PY
	mimap fetch NoSuchFolder 1:* >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &&
		false || [ $? -eq 69 ]
	[ ! -s "$BATS_TEST_TMPDIR/out" ]
	[ "$(wc -l <"$BATS_TEST_TMPDIR/err")" -eq 1 ]
	grep -q 'folder "NoSuchFolder": .*SELECT: NO' "$BATS_TEST_TMPDIR/err"
	# without --peek, on the missing folder: nothing in INBOX became seen
	run mimap search INBOX SEEN
	[ "$status" -eq 1 ]
}

@test "ID: name and version only, after login" {
	run mimap -v status INBOX
	[ "$status" -eq 0 ]
	id=$(grep '^> A[0-9]* ID ' <<<"$output")
	[ "$id" = "$(printf '> %s ID ("name" "mkit" "version" "%s")' \
		"$(awk '{print $2}' <<<"$id")" "$(mimap --version | awk '{print $3}')")" ]
	# after the login (the AUTHENTICATE line comes first)
	[ "$(grep -n 'AUTHENTICATE' <<<"$output" | head -1 | cut -d: -f1)" -lt \
		"$(grep -n '^> A[0-9]* ID ' <<<"$output" | cut -d: -f1)" ]
}

@test "list --namespace: NAMESPACE's prefix and delimiter, as LIST shows" {
	mimap create "Sub"
	run mimap -v list --namespace --json
	[ "$status" -eq 0 ]
	grep -q '^> A[0-9]* NAMESPACE$' <<<"$output"
	ns=$(grep '^{' <<<"$output")
	run mimap list --json
	python3 -c 'import json,sys
ns = json.loads(sys.argv[1]); folders = json.loads(sys.argv[2])
assert {f["delimiter"] for f in folders} == {ns["delimiter"]}, (ns, folders)
assert all(f["name"].startswith(ns["prefix"]) for f in folders), (ns, folders)' "$ns" "$output"
	run mimap list --namespace
	[[ $output == 'prefix="'*'" delimiter='? ]]
	run mimap list --namespace INBOX
	[ "$status" -eq 64 ]
}

@test "fetch --maildir: IMAP flags become maildir info in cur/" {
	msg all | mimap append INBOX --flags '\Seen \Answered \Flagged \Draft'
	msg deleted | mimap append INBOX --flags '\Deleted'
	msg none | mimap append INBOX
	msg keyword | mimap append INBOX --flags 'urgent'
	run mimap fetch INBOX 1:* --peek --maildir "$BATS_TEST_TMPDIR/md"
	[ "$status" -eq 0 ]
	local md=$BATS_TEST_TMPDIR/md
	[ "$(ls "$md/cur" | wc -l)" -eq 2 ]
	grep -q '^Subject: all' "$md/cur/"*:2,DFRS
	grep -q '^Subject: deleted' "$md/cur/"*:2,T
	# no system flag: new/, as any new message
	[ "$(ls "$md/new" | wc -l)" -eq 2 ]
	grep -q '^Subject: none' "$md/new/"*
	grep -q '^Subject: keyword' "$md/new/"*
	[ -z "$(ls "$md/tmp")" ]
	# the server's flags were only read (--peek)
	run mimap fetch --json INBOX 3
	[ "$status" -eq 0 ]
	[[ $output != *Seen* ]]
}
