#!/bin/bash
# bench/queue.sh: flush a queue of BENCH_N (1,000) messages (msend
# --flush-all) against msend --batch of the same messages as an mboxrd
# stream, both to Postfix's smtp-sink (a fast sink: PIPELINING, no TLS).
# Not a test: it prints a table. "make bench-queue" runs it after building
# (as root: smtp-sink runs as the postfix user).
#
# The queue is filled once (msend with "queue on" against a port where
# nothing listens) and copied back before every flush (not timed). Every
# round runs both, in turn (each round starting with the other one), after
# a sync, BENCH_ROUNDS rounds (default 5): the table shows the median wall
# time, the rate and every round's time; the ratio is --batch's median time
# divided by the flush's (target, issue 12: >= 0.8). A flush reads the next
# window's entries while the server answers the current one (in the time
# its connection would wait: conn_set_idle), journals
# each window (one fdatasync) and moves every entry it delivered to free/
# (one sync of msg/ per 16 windows; the next queued messages are written
# over those files): the queue loses nothing; --batch has nothing to
# write: that is the price measured. A third row, the same flush with
# MKIT_BENCH_NOSYNC (no fsync: not durable), tells the syncs' part of it
# from the reading and renaming of the entries: its ratio is the ceiling of
# a flush doing this file work. Every run is checked: each must print one
# "sent" line per message, else the row reads FAIL.
#
# Environment: MSEND (default: cmd/msend of this tree; build without
# --enable-sanitizers for real figures), BENCH_N (1000), BENCH_SIZE (bytes
# of body per message, 2000), BENCH_ROUNDS (5).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
MSEND=${MSEND:-$top/cmd/msend}
N=${BENCH_N:-1000}
SIZE=${BENCH_SIZE:-2000}
ROUNDS=${BENCH_ROUNDS:-5}

die() { printf 'bench-queue: %s\n' "$*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "run as root (smtp-sink needs it)"
command -v smtp-sink >/dev/null || die "smtp-sink is missing (apt-get install postfix)"
grep -q __asan_init "$MSEND" 2>/dev/null &&
	echo "bench-queue: warning: $MSEND is built with sanitizers; the figures say little" >&2

# shellcheck source=../tests/servers/servers.bash
source "$top/tests/servers/servers.bash"
trap stop_servers EXIT
start_sink >/dev/null || die "smtp-sink did not start"
W=$MKIT_SRV_ROOT/bench-queue
mkdir -p "$W"
export XDG_STATE_HOME=$W/state MKIT_CONFIG=$W/config

# config PORT: the default account, queue on
config() {
	printf 'account default\nhost 127.0.0.1\nport %s\ntls off\nauth off\nfrom ops@example.test\nqueue on\n' \
		"$1" >"$MKIT_CONFIG"
	chmod 600 "$MKIT_CONFIG"
}

# message I: headers, then SIZE bytes of text in 72-column lines
message() {
	printf 'From: ops@example.test\nTo: ann@example.test\nSubject: m %d\n\n' "$1"
	head -c "$SIZE" /dev/zero | tr '\0' x | fold -w 72
	echo
}

# the queue, filled once against a closed port; the same messages as a
# stream
config "$(free_port)"
for ((i = 0; i < N; i++)); do
	message "$i" | "$MSEND" -i ann@example.test 2>/dev/null
	{ echo "From ops@example.test Thu Jan  1 00:00:00 1970"; message "$i"; echo; } >>"$W/stream.mbox"
done
cp -a "$XDG_STATE_HOME/mkit/queue" "$W/queue.full"
n=$(find "$W/queue.full/msg" -type f | wc -l)
(( n == N )) || die "queued $n of $N messages"
config "$SINK_PORT"

# run flush|nosync|batch: prints "seconds sent-lines"
run() {
	local s e
	if [[ $1 != batch ]]; then
		rm -rf "$XDG_STATE_HOME/mkit/queue"
		cp -a "$W/queue.full" "$XDG_STATE_HOME/mkit/queue"
		sync
		s=$(date +%s.%N)
		if [[ $1 == nosync ]]; then
			MKIT_BENCH_NOSYNC=1 "$MSEND" --flush-all >"$W/out" 2>"$W/err" || true
		else
			"$MSEND" --flush-all >"$W/out" 2>"$W/err" || true
		fi
		e=$(date +%s.%N)
		echo "$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }') $(grep -c ': sent to ' "$W/out")"
	else
		sync
		s=$(date +%s.%N)
		"$MSEND" --batch <"$W/stream.mbox" >"$W/out" 2>"$W/err" || true
		e=$(date +%s.%N)
		echo "$(awk -v s="$s" -v e="$e" 'BEGIN { printf "%.3f", e - s }') $(grep -c ': sent: ' "$W/out")"
	fi
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

modes=(flush batch nosync)
declare -A times ok
for m in "${modes[@]}"; do ok[$m]=1; done
for ((r = 1; r <= ROUNDS; r++)); do
	for ((i = 0; i < 3; i++)); do
		m=${modes[$(( (i + r - 1) % 3 ))]}
		read -r s sent < <(run "$m")
		times[$m]+="$s "
		(( sent == N )) || ok[$m]=0
	done
done

printf 'queue flush vs --batch, %d messages of %d bytes to smtp-sink, %d rounds\n\n' \
	"$N" "$SIZE" "$ROUNDS"
printf '%-16s %9s %9s  %s\n' mode "median s" "msg/s" rounds
declare -A med label=([flush]="msend --flush" [batch]="msend --batch"
	[nosync]="flush, no fsync")
for m in "${modes[@]}"; do
	med[$m]=$(tr ' ' '\n' <<<"${times[$m]}" | grep . | median)
	if (( ok[$m] )); then
		rate=$(awk -v n="$N" -v t="${med[$m]}" 'BEGIN { printf "%.0f", (t > 0 ? n / t : 0) }')
	else
		rate=FAIL
	fi
	printf '%-16s %9s %9s  %s\n' "${label[$m]}" "${med[$m]}" "$rate" "${times[$m]}"
done
ratio=$(awk -v f="${med[flush]}" -v b="${med[batch]}" 'BEGIN { printf "%.2f", (f > 0 ? b / f : 0) }')
ceil=$(awk -v f="${med[nosync]}" -v b="${med[batch]}" 'BEGIN { printf "%.2f", (f > 0 ? b / f : 0) }')
printf '\nflush speed vs --batch: %sx (target >= 0.8x)\n' "$ratio"
printf 'without its fsyncs (not durable: the ceiling): %sx\n' "$ceil"
