# tests/bats/mimap_idle_helper.bash: mimap idle in the background
# against the suite's Dovecot (mimap_helper.bash), for mimap-idle*.bats.
#
#   idle ARGS...        mimap -v idle ARGS in the background (events in
#                       $OUT, transcript in $ERR, PID in $IDLE_PID); returns
#                       once every folder is watched (in IDLE)
#   wait_out RE [FILE]  until a line of FILE ($OUT) matches RE (10 s)
#   stop_idle           SIGTERM; sets status and took (seconds)
#   drop SUBJECT        a message written straight into alice's Maildir
#   msg_file UID [DIR]  the file of a message in alice's Maildir (or DIR)
#   dovecot_down        stop Dovecot and its IMAP processes (a restart:
#                       every connection is cut)
#   keepalive_on        mimap's connections to the proxy ($PROXY_PORT) have
#                       TCP keepalive on
#   dovecot_up          start it again from the same configuration
#                       (same ports); its PID is kept for later tests

load mimap_helper

# setup, teardown and teardown_file of every mimap-idle*.bats (each file
# has its setup_file: Dovecot with the capabilities it tests).
setup() {
	idle_setup
}

teardown() {
	idle_teardown
	stop_fake_smtp
}

teardown_file() {
	stop_servers
}

idle_setup() {
	mimap_reset
	OUT=$BATS_TEST_TMPDIR/out ERR=$BATS_TEST_TMPDIR/err
	IDLE_PID=
	# Dovecot as the last test left it (restarted: a new PID)
	if [[ -s $BATS_FILE_TMPDIR/dovecot.pid ]]; then
		DOVECOT_PID=$(cat "$BATS_FILE_TMPDIR/dovecot.pid")
	fi
	# tests do not wait minutes: a reconnection after 1 s
	export MIMAP_IDLE_BACKOFF=1
}

idle_teardown() {
	if [[ -n $IDLE_PID ]]; then
		kill -KILL "$IDLE_PID" 2>/dev/null || true
		wait "$IDLE_PID" 2>/dev/null || true
	fi
	if [[ -n ${DOVECOT_PID:-} ]] && ! srv_alive "$DOVECOT_PID"; then
		dovecot_up
	fi
}

# idle ARGS...: mimap -v idle ARGS in the background (events in $OUT, the
# transcript in $ERR); returns once every folder is in IDLE (or polling).
idle() {
	local n=0 want=0 skip=0 a
	for a in "$@"; do
		if (( skip )); then
			skip=0
		elif [[ $a == --exec || $a == --interval ]]; then
			skip=1
		elif [[ $a != -* ]]; then
			want=$((want + 1))
		fi
	done
	mimap -v idle "$@" >"$OUT" 2>"$ERR" 3>&- &
	IDLE_PID=$!
	# every folder examined, and IDLE after the last (one connection
	# per folder, or one for all with NOTIFY)
	until awk -v want="$want" '/^> A[0-9]+ EXAMINE/ { n++; idle = 0 }
		/^< \+ idling/ { idle = 1 }
		END { exit !(n >= want && idle) }' "$ERR"; do
		(( n++ < 100 )) || { cat "$ERR" >&2; return 1; }
		kill -0 "$IDLE_PID" || { cat "$ERR" >&2; return 1; }
		sleep 0.1
	done
}

# wait_out PATTERN [FILE]: until a line of FILE ($OUT) matches the
# extended regex PATTERN (10 s at most).
wait_out() {
	local n=0
	until grep -Eq -- "$1" "${2:-$OUT}" 2>/dev/null; do
		if (( n++ > 100 )); then
			echo "no line matching $1 in:" >&2
			cat "${2:-$OUT}" "$ERR" >&2
			return 1
		fi
		sleep 0.1
	done
}

# stop_idle: SIGTERM; sets status and the seconds it took.
stop_idle() {
	local t0=$SECONDS
	kill -TERM "$IDLE_PID"
	status=0
	wait "$IDLE_PID" || status=$?
	took=$((SECONDS - t0))
	IDLE_PID=
}

# drop SUBJECT: a message written straight into alice's Maildir/new, as
# a local delivery agent would.
drop() {
	local d=$MAILDIR_ROOT/$TEST_USER/Maildir
	msg "$1" >"$d/tmp/drop.$RANDOM$RANDOM"
	chown "$MAIL_UID:$MAIL_GID" "$d"/tmp/drop.*
	mv "$d"/tmp/drop.* "$d/new/$(date +%s).$RANDOM$RANDOM.idletest"
}

# msg_file UID [DIR]: the file of message UID in the maildir DIR (alice's
# INBOX), by Dovecot's dovecot-uidlist (file names do not sort by UID).
msg_file() {
	local d=${2:-$MAILDIR_ROOT/$TEST_USER/Maildir} base
	base=$(awk -v uid="$1" 'NR > 1 && $1 == uid { sub(/^[^:]*:/, ""); print }' \
		"$d/dovecot-uidlist")
	[[ -n $base ]] || return 1
	ls "$d"/cur/"$base"* "$d"/new/"$base"* 2>/dev/null | sed -n 1p
}

# keepalive_on: mimap's connections to the proxy ($PROXY_PORT), at least
# one, all with TCP keepalive on (ss shows its timer).
keepalive_on() {
	local conns
	conns=$(ss -tnoH state established "( dport = :$PROXY_PORT )")
	echo "$conns"
	[[ -n $conns ]] && ! grep -vq 'timer:(keepalive' <<<"$conns"
}

dovecot_down() {
	local kids
	# the master's children serve the connections: a stopped master
	# leaves a busy one running, a real restart does not
	kids=$(pgrep -P "$DOVECOT_PID" || true)
	srv_kill "$DOVECOT_PID" 10
	local pid
	for pid in $kids; do
		srv_kill "$pid" 5
	done
}

# dovecot_up: Dovecot again, from the same configuration (same ports).
dovecot_up() {
	dovecot -c "$DOVECOT_CONF" -F >>"$MKIT_SRV_ROOT/dovecot/stdout" 2>&1 \
		3>&- </dev/null &
	DOVECOT_PID=$!
	srv_dovecot_ready "$DOVECOT_IMAP_PORT" "$DOVECOT_PID" || return 1
	srv_track dovecot "$DOVECOT_PID"
	echo "$DOVECOT_PID" >"$BATS_FILE_TMPDIR/dovecot.pid"
}
