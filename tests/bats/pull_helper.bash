# tests/bats/pull_helper.bash: mimap pull's tests (mimap-pull.bats and its
# links mimap-pull-condstore.bats, mimap-pull-plain.bats, which run the
# same tests with QRESYNC, or QRESYNC and CONDSTORE, hidden by Dovecot's
# imap_capability).
#
#   pull_setup_file       start Dovecot with the capabilities of the file
#   pull_setup            empty store, fresh state ($XDG_STATE_HOME) and
#                         maildir ($MD) for each test
#   local_file UID [F]    the file of UID in folder F's maildir (maildir++)
#   local_flags UID [F]   its maildir flags
#   local_flag UID L [F]  give it flags L, as a mail reader does

PULL_ALL_CAPS="IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED CONDSTORE QRESYNC ESEARCH LIST-STATUS BINARY MOVE LITERAL+ SPECIAL-USE"

pull_setup_file() {
	case $BATS_TEST_FILENAME in
	*-condstore.bats)
		export PULL_MODE=condstore
		export DOVECOT_IMAP_CAPABILITY=${PULL_ALL_CAPS/ QRESYNC/} ;;
	*-plain.bats)
		export PULL_MODE=full
		local c=${PULL_ALL_CAPS/ QRESYNC/}
		export DOVECOT_IMAP_CAPABILITY=${c/ CONDSTORE/} ;;
	*)
		export PULL_MODE=qresync ;;
	esac
	mimap_setup_file
}

pull_setup() {
	mimap_reset
	export XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
	MD=$BATS_TEST_TMPDIR/mail
}

folder_dir() {
	if [[ -z ${1:-} || $1 == INBOX ]]; then
		echo "$MD"
	else
		echo "$MD/.$1"
	fi
}

local_file() {
	local d
	d=$(folder_dir "${2:-}")
	ls "$d"/new/*",U=$1" "$d"/cur/*",U=$1:2,"* 2>/dev/null | head -1
}

local_flags() {
	local f
	f=$(local_file "$@")
	[[ $f == *:2,* ]] && echo "${f##*:2,}" || echo ""
}

local_flag() {
	local f d base
	f=$(local_file "$1" "${3:-}")
	d=$(folder_dir "${3:-}")
	base=$(basename "$f")
	mv "$f" "$d/cur/${base%%:2,*}:2,$2"
}

# The transcript of an unchanged re-pull: what each mode costs.
pull_check_unchanged_transcript() {
	run mimap -v pull --maildir "$MD"
	[ "$status" -eq 0 ]
	local sent
	sent=$(grep '^> ' <<<"$output" | grep -v -e LOGIN -e AUTHENTICATE \
		-e STARTTLS -e CAPABILITY -e LOGOUT -e '<redacted>' \
		-e '^> A[0-9]* ID (')	# ID goes out in the next command's write
	echo "sent after login: $sent"	# shown when a check fails
	case $PULL_MODE in
	qresync)
		[[ $sent == *"SELECT INBOX (QRESYNC ("* ]]
		[[ $sent != *FETCH* && $sent != *SEARCH* ]]
		# ENABLE (first folder only) and SELECT go in one write
		[ "$(grep -c . <<<"$sent")" -le 2 ] ;;
	condstore)
		[[ $sent == *"SELECT INBOX (CONDSTORE)"* ]]
		[[ $sent != *FETCH* ]]
		[[ $sent == *"UID SEARCH"*" UID 1:3"* ]] ;;
	full)
		[[ $sent != *CONDSTORE* && $sent != *QRESYNC* ]]
		[[ $sent == *"UID FETCH 1:* (UID FLAGS)"* ]] ;;
	esac
}

# A pull holding the lock (stuck on a server that never greets) and a
# second one for the same account.
pull_second_while_first() {
	local port pid srv
	port=$(free_port)
	python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(5)
open(sys.argv[2], "w").close()
c = s.accept()[0]; time.sleep(30)' "$port" "$BATS_TEST_TMPDIR/ready" &
	srv=$!
	for _ in $(seq 100); do
		[ -e "$BATS_TEST_TMPDIR/ready" ] && break
		sleep 0.1
	done
	mimap pull --maildir "$MD" --port "$port" --timeout 20 \
		2>"$BATS_TEST_TMPDIR/first.err" &
	pid=$!
	for _ in $(seq 50); do
		[ -e "$XDG_STATE_HOME"/mkit/imap/*"127.0.0.1:$port"/lock ] && break
		sleep 0.1
	done
	sleep 0.3
	run mimap pull --maildir "$MD" --port "$port"
	kill -0 "$pid"		# the first still runs
	kill "$pid" "$srv"
	wait "$pid" || true
	wait "$srv" || true
	[ "$status" -eq 75 ]
	[[ $output == *"in use by another pull"* ]]
	[ ! -e "$MD/new" ]
}

# N messages written straight into alice's INBOX on the server.
server_messages() {
	python3 - "$MAILDIR_ROOT/$TEST_USER/Maildir" "$1" "$2" <<'PY'
import os, sys
root, start, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range(start, start + n):
    body = ("line %d of a message body\n" % i) * (20 + i % 200)
    m = ("From: a@example.test\nTo: b@example.test\nSubject: m%d\n"
         "Message-ID: <m%d@example.test>\n\n%s" % (i, i, body))
    with open(os.path.join(root, "new", "%d.M%dP1.test" % (1700000000 + i, i)), "w") as f:
        f.write(m)
PY
	chown -R "$MAIL_UID:$MAIL_GID" "$MAILDIR_ROOT/$TEST_USER"
}

# Message-IDs of the local mirror, one per file, sorted.
local_ids() {
	grep -h -m1 '^Message-ID:' "$MD"/new/* "$MD"/cur/* 2>/dev/null | sort
}

kill_pulls() {
	local i pid
	for i in 1 2 3 4 5 6; do
		mimap pull --maildir "$MD" >/dev/null 2>&1 &
		pid=$!
		sleep "0.$((RANDOM % 9))$((RANDOM % 10))"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
}

pull_kill_test() {
	local n=$1 want
	server_messages 1 "$n"
	kill_pulls
	run mimap pull --maildir "$MD"
	[ "$status" -eq 0 ]
	want=$(for i in $(seq 1 "$n"); do echo "Message-ID: <m$i@example.test>"; done | sort)
	[ "$(local_ids)" = "$want" ]
	[ "$(ls "$MD/tmp" | wc -l)" -eq 0 ]
	# flag changes on both sides, new mail, and more kills
	mimap flag INBOX 1:50 +flagged
	for i in $(seq 51 100); do local_flag "$i" S; done
	server_messages $((n + 1)) 300
	kill_pulls
	run mimap pull --maildir "$MD"
	[ "$status" -eq 0 ]
	want=$(for i in $(seq 1 $((n + 300))); do echo "Message-ID: <m$i@example.test>"; done | sort)
	[ "$(local_ids)" = "$want" ]
	for i in 1 25 50; do [ "$(local_flags $i)" = F ]; done
	for i in 51 75 100; do [ "$(local_flags $i)" = S ]; done
	run mimap search INBOX SEEN
	[ "$output" = "$(seq 51 100)" ]
	run mimap search INBOX FLAGGED
	[ "$output" = "$(seq 1 50)" ]
}
