#!/usr/bin/env bats
# mimap fetch --maildir across kill -9, against the suite's real Dovecot:
# whatever moment the fetch dies at, the next run leaves each message of
# the folder exactly once in the maildir, whole, with the server's flags,
# and nothing in tmp/. MKIT_TEST_KILL=rename:N (test_kill_point() in
# base/util.c, called in store/mdirsync.c) makes mimap kill itself
# before its rename N+1 from tmp/: the point between a message being
# whole and synced in tmp/ and its publication in cur/ or new/ with its
# flags.

load mimap_helper
load pull_helper

setup_file() {
	mimap_setup_file
}

teardown_file() {
	stop_servers
}

setup() {
	mimap_reset
	MD=$BATS_TEST_TMPDIR/md
}

# Flags of every kind on the server's messages 1..N.
server_flags() {
	seq 1 3 "$1" | mimap flag INBOX - +flagged
	seq 2 4 "$1" | mimap flag INBOX - +seen +answered
	seq 3 7 "$1" | mimap flag INBOX - +deleted +draft
}

# check_maildir N: the server's N messages each once in $MD (by UID, the
# Message-ID the server has for it), with the server's flags as maildir
# info, nothing in tmp/, and one message byte for byte as fetched raw.
check_maildir() {
	mimap fetch --json INBOX 1:* >"$BATS_TEST_TMPDIR/server.json"
	python3 - "$MD" "$BATS_TEST_TMPDIR/server.json" "$1" <<'PY'
import json, os, re, sys
md, sj, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
letter = {"\\Draft": "D", "\\Flagged": "F", "\\Answered": "R",
          "\\Seen": "S", "\\Deleted": "T"}
server = {}
for line in open(sj):
    m = json.loads(line)
    server[m["uid"]] = (m["envelope"]["message_id"],
                        "".join(sorted(letter[f] for f in m["flags"] if f in letter)))
assert len(server) == n, ("server holds", len(server))
left = os.listdir(os.path.join(md, "tmp"))
assert not left, ("left in tmp/", left)
local = {}
for sub in ("new", "cur"):
    for name in os.listdir(os.path.join(md, sub)):
        t = re.search(r",U=(\d+)(?::2,([A-Z]*))?$", name)
        assert t, ("not ours", name)
        uid = int(t.group(1))
        assert uid not in local, ("twice", uid)
        data = open(os.path.join(md, sub, name), "rb").read()
        mid = re.search(rb"^Message-ID: (<[^>]*>)$", data, re.M).group(1)
        local[uid] = (mid.decode(), t.group(2) or "")
diff = {u: (server.get(u), local.get(u)) for u in set(server) | set(local)
        if server.get(u) != local.get(u)}
assert not diff, ("server vs maildir", sorted(diff.items())[:10])
PY
	mimap fetch INBOX 2 --peek >"$BATS_TEST_TMPDIR/raw"
	cmp "$BATS_TEST_TMPDIR/raw" "$(local_file 2)"
}

@test "fetch --maildir killed between syncing its files and renaming them: the rerun gives each message once, with the server's flags" {
	server_messages 1 40
	server_flags 40
	# killed before the first rename: nothing published, all in tmp/
	MKIT_TEST_KILL=rename:0 run mimap fetch INBOX 1:* --peek --maildir "$MD"
	[ "$status" -eq 137 ]
	[ "$(ls "$MD/new" "$MD/cur" | grep -c ,U=)" -eq 0 ]
	[ "$(ls "$MD/tmp" | wc -l)" -eq 40 ]
	# killed after 7 renames: those 7 are in cur/ or new/, the rest not
	MKIT_TEST_KILL=rename:7 run mimap fetch INBOX 1:* --peek --maildir "$MD"
	[ "$status" -eq 137 ]
	[ "$(ls "$MD/new" "$MD/cur" | grep -c ,U=)" -eq 7 ]
	# the server's flags change meanwhile, on messages held and not
	mimap flag INBOX 1:10 +seen -flagged
	run mimap fetch INBOX 1:* --maildir "$MD"
	[ "$status" -eq 0 ]
	check_maildir 40
	# a rerun with nothing new fetches no message again
	ls -R "$MD" >"$BATS_TEST_TMPDIR/before"
	run mimap -v fetch INBOX 1:* --peek --maildir "$MD"
	[ "$status" -eq 0 ]
	! grep -q 'BODY' <<<"$output"
	ls -R "$MD" | cmp - "$BATS_TEST_TMPDIR/before"
	check_maildir 40
}

@test "fetch --maildir without --peek: the \Seen the fetch sets is in each file's info" {
	server_messages 1 3
	# Dovecot sends FLAGS before the bytes (after them: mimap-fault.bats)
	run mimap fetch INBOX 1:* --maildir "$MD"
	[ "$status" -eq 0 ]
	check_maildir 3
	[ "$(ls "$MD/cur" | grep -c ':2,S$')" -eq 3 ]
}

@test "kill -9 at random points of a larger fetch (several batches), then a rerun: every message once, the server's flags" {
	local i pid
	server_messages 1 1200
	server_flags 1200
	for i in 1 2 3 4 5 6; do
		if [ $((i % 2)) = 0 ]; then
			mimap fetch INBOX 1:* --peek --maildir "$MD" >/dev/null 2>&1 &
		else
			mimap fetch INBOX 1:* --maildir "$MD" >/dev/null 2>&1 &
		fi
		pid=$!
		sleep "0.$((RANDOM % 9))$((RANDOM % 10))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		mimap flag INBOX "$((i * 100)):$((i * 100 + 20))" +flagged -seen
	done
	# and killed between renames in the second batch
	MKIT_TEST_KILL=rename:$((500 + RANDOM % 100)) run mimap fetch INBOX 1:* --peek --maildir "$MD"
	run mimap fetch INBOX 1:* --peek --maildir "$MD"
	[ "$status" -eq 0 ]
	check_maildir 1200
}
