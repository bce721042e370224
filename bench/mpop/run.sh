#!/bin/bash
# bench/mpop/run.sh: mkit's mpop against mpop 1.4 and fetchmail 6.4, fetching
# from the suite's real Dovecot POP3 into a maildir. A benchmark, not a test:
# never part of `make check`; `make bench-mpop` runs it after building.
#
# For each count in BENCH_SIZES (default "1000 10000") and each mode in
# BENCH_MODES (default "plain starttls"), every tool runs once per round,
# BENCH_ROUNDS rounds (default 3), the tools' order rotating from round to
# round so that each ratio is paired (same round, same machine state).
# Before each run the server's maildir gets the count's messages (hard links
# to the mparse corpus, bench/mparse/gen_corpus.py, cycled: the same sizes),
# Dovecot's index files are removed, and the destination and the UIDL state
# start empty (the last run's destination is moved aside, not removed:
# see below); after it, the destination must hold every message and the
# server none, else the run reads FAIL. Every tool logs in with USER/PASS and
# deletes on the server:
#   mkit    cmd/mpop: RETR and DELE pipelined in windows, each window
#           fsync'd (files and new/) before its DELE
#   mpop    mpop 1.4 (Debian package mpop): maildir delivery
#   fetchmail  fetchmail 6.4 (package fetchmail): an MDA writing the maildir
#           file (fetchmail has no maildir delivery of its own)
# and three rows that say where the time goes:
#   nosync  mkit with MKIT_BENCH_NOSYNC=1: no fsync, fdatasync or
#           sync_file_range at all (a knob for this bench, never a user
#           option): the cost of durability is the gap to the mkit row
#   ceiling bench/mpop/sink with "maildir DEST": every RETR pipelined, each
#           message's bytes written as received to tmp/N, each window of
#           64 made durable by the store layer's own calls as mkit does
#           (durable_sync_files in the mode durable_fs_mode gives, the
#           renames to new/, one fsync of new/; in a second thread while
#           the next window is read), every DELE after the last window:
#           the ceiling of a client that stores durably. It neither
#           unstuffs dots, nor turns CRLF into LF, nor keeps UIDL state or
#           a journal; done plainly, it is a reference more than a strict
#           bound: mkit has run at up to 106% of it
#   sink    bench/mpop/sink: every RETR pipelined, the bytes discarded,
#           every DELE: the server's own pace, the ceiling of any client
#           (with STARTTLS: after STLS, through OpenSSL alone, so the TLS
#           rows are judged against what the server's TLS side gives)
# A destination is removed only when the bench ends. On ext4 without a
# journal the kernel does not reuse an inode freed in the last 30 s or so
# (recently_deleted() in ext4's inode allocator), and it scans past every
# such inode at each file it creates: with the previous runs' thousands of
# files just removed, a file's creation cost up to 0.3 ms, which slowed
# every tool (mpop 950 msgs/s, not 1,330) and moved the ratios.
# The table shows, per tool, the median rate (messages/s), every round's
# rate, the median peak RSS (MiB, /usr/bin/time), and mkit's median over the
# tool's (> 1: mkit wins). The "--version RSS" line is each program's peak
# RSS when it only starts: what its libraries alone cost; the line after it
# gives mkit's median peak RSS over that, per count (flat from 1,000 to
# 10,000 messages: memory does not grow with the mailbox), and for count 0:
# a session on an empty mailbox, the floor that the login alone costs
# (with STARTTLS, the pages of OpenSSL that a handshake touches). When the mkit
# and ceiling rows both ran, a line per count and mode gives mkit's median
# as a share of the ceiling's and, when mpop ran too, the ceiling's over
# mpop's: how far a durable client can go past mpop on this machine.
#
# Environment: MKIT_MPOP (default cmd/mpop of the build tree),
# MKIT_BUILDDIR, BENCH_OUT (default $MKIT_BUILDDIR/bench/out), BENCH_SIZES,
# BENCH_MODES, BENCH_ROUNDS, BENCH_TOOLS (default "mkit mpop fetchmail nosync
# ceiling sink"),
# BENCH_NO_INSTALL=1 (never apt-get the peers), PEER_MPOP (default
# /usr/bin/mpop: a wrapper may strace or time it). Results also go to
# $BENCH_OUT/mpop-results.txt.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(cd "$here/../.." && pwd)
builddir=${MKIT_BUILDDIR:-$srcdir}
out=${BENCH_OUT:-$builddir/bench/out}
work=$out/mpop
MKIT_MPOP=${MKIT_MPOP:-$builddir/cmd/mpop}
SIZES=${BENCH_SIZES:-1000 10000}
MODES=${BENCH_MODES:-plain starttls}
ROUNDS=${BENCH_ROUNDS:-3}
TOOLS=${BENCH_TOOLS:-mkit mpop fetchmail nosync ceiling sink}
SINK=${SINK:-$builddir/bench/mpop/sink}

die() { printf 'bench-mpop: %s\n' "$*" >&2; exit 1; }
[[ -x $MKIT_MPOP ]] || die "$MKIT_MPOP: not built (make first)"

need=()
command -v /usr/bin/mpop >/dev/null || need+=(mpop)
command -v fetchmail >/dev/null || need+=(fetchmail)
[[ -x /usr/bin/time ]] || need+=(time)
if ((${#need[@]})); then
	if [[ $(id -u) == 0 && -z ${BENCH_NO_INSTALL:-} ]]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
			--no-install-recommends "${need[@]}" >/dev/null
	else
		printf 'bench-mpop: missing %s: their rows are skipped\n' \
			"${need[*]}" >&2
	fi
fi

mkdir -p "$work"
python3 "$srcdir/bench/mparse/gen_corpus.py" --out "$out/mparse" --no-big \
	>/dev/null
# nullglob: an empty new/ (or cur/) adds no literal pattern to the cycle
shopt -s nullglob
corpus=("$out"/mparse/corpus/maildir/cur/* "$out"/mparse/corpus/maildir/new/*)
shopt -u nullglob
((${#corpus[@]})) || die "no corpus in $out/mparse/corpus/maildir"

export MKIT_SERVERS_DIR=$srcdir/tests/servers
# shellcheck source=../../tests/servers/servers.bash
source "$srcdir/tests/servers/servers.bash"
trap 'stop_servers; rm -rf "$work/trash"' EXIT
start_dovecot || die "Dovecot did not start"
box=$MAILDIR_ROOT/$TEST_USER/Maildir

# fill N: N messages on the server (hard links into the corpus, cycled).
fill() {
	local n=$1
	rm -rf "$box/new" "$box/cur" "$box/tmp" "$box"/dovecot*
	mkdir -p "$box/new" "$box/cur" "$box/tmp"
	python3 -c 'import os, sys
box, n, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for i in range(n):
    os.link(corpus[i % len(corpus)],
            "%s/%d.M%d.bench:2," % (box, 1700000000 + i, i))' \
		"$box/new" "$n" "${corpus[@]}"
	chown -R "$MAIL_UID:$MAIL_GID" "$box" 2>/dev/null || true
}

# conf TOOL MODE DEST: write TOOL's configuration; prints its command line.
conf() {
	local tool=$1 mode=$2 dest=$3 d=$work/$1 port tls
	mkdir -p "$d"
	rm -rf "$d/state"
	port=$DOVECOT_POP3_PORT
	tls=on
	[[ $mode == plain ]] && tls=off
	case $tool in
	mkit | nosync)
		cat >"$d/config" <<EOF
account default
host 127.0.0.1
pop3_port $port
tls $tls
tls_starttls on
tls_trust_file $TEST_CERT
auth user
user $TEST_USER
password $TEST_PASS
delivery maildir $dest
EOF
		chmod 600 "$d/config"
		local knob=
		[[ $tool == nosync ]] && knob=MKIT_BENCH_NOSYNC=1
		echo "env XDG_STATE_HOME=$d/state $knob $MKIT_MPOP -q -C $d/config" ;;
	sink | ceiling)
		local stls='' store=''
		[[ $mode == starttls ]] && stls=starttls
		[[ $tool == ceiling ]] && store="maildir $dest"
		echo "$SINK 127.0.0.1 $port $TEST_USER $TEST_PASS" \
			"$stls $store" ;;
	mpop)
		cat >"$d/config" <<EOF
account default
host 127.0.0.1
port $port
tls $tls
tls_starttls on
tls_trust_file $TEST_CERT
auth user
user $TEST_USER
password $TEST_PASS
delivery maildir $dest
uidls_file $d/state
EOF
		chmod 600 "$d/config"
		echo "${PEER_MPOP:-/usr/bin/mpop} -q -C $d/config" ;;
	fetchmail)
		cat >"$d/deliver" <<'EOF'
#!/bin/sh
f=$(date +%s%N).$$
cat >"$1/tmp/$f" && mv "$1/tmp/$f" "$1/new/$f"
EOF
		chmod 755 "$d/deliver"
		local ssl="sslproto ''"
		[[ $mode == starttls ]] &&
			ssl="sslproto tls1.2+ sslcertck sslcertfile $TEST_CERT sslcommonname localhost"
		cat >"$d/config" <<EOF
set no syslog
poll 127.0.0.1 service $port protocol pop3 auth password
  user "$TEST_USER" there with password "$TEST_PASS" is root here
  $ssl
  fetchall nokeep mda "$d/deliver $dest"
EOF
		chmod 600 "$d/config"
		echo "fetchmail -s -f $d/config -i $d/state --pidfile $d/pid" ;;
	esac
}

# have TOOL MODE: does TOOL run in MODE here?
have() {
	case $1 in
	mkit | nosync) return 0 ;;
	sink | ceiling) [[ -x $SINK ]] ;;
	mpop) [[ -x /usr/bin/mpop ]] ;;
	fetchmail) command -v fetchmail >/dev/null ;;
	esac
}

# run TOOL MODE N: one timed run; prints "RATE RSS_KIB" or "FAIL RSS".
run() {
	local tool=$1 mode=$2 n=$3 dest=$work/dest cmd t0 t1 rss got left
	[[ -e $dest ]] && mv "$dest" "$work/trash/$(date +%s%N)"
	mkdir -p "$dest/new" "$dest/cur" "$dest/tmp"
	fill "$n"
	cmd=$(conf "$tool" "$mode" "$dest")
	t0=$(date +%s%N)
	/usr/bin/time -f '%M' -o "$work/time" $cmd >"$work/$tool.log" 2>&1 ||
		true
	t1=$(date +%s%N)
	rss=$(tail -1 "$work/time")
	got=$(find "$dest/new" "$dest/cur" -type f | wc -l)
	left=$(find "$box/new" "$box/cur" -type f | wc -l)
	[[ $tool == sink ]] && ((got == 0)) && got=$n	# it keeps nothing
	if ((got != n || left != 0)); then
		echo "FAIL $rss"
		printf 'bench-mpop: %s %s %d: %d delivered, %d left: %s\n' \
			"$tool" "$mode" "$n" "$got" "$left" \
			"$(tail -3 "$work/$tool.log")" >&2
		return
	fi
	awk -v n="$n" -v ns=$((t1 - t0)) -v r="$rss" \
		'BEGIN { printf "%.1f %s\n", n / (ns / 1e9), r }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "-" }'; }

# rates N MODE TOOL: TOOL's rate in every round of N in MODE, one a line.
rates() {
	awk -v n="$1" -v m="$2" -v t="$3" '$1 == n && $2 == m && $3 == t {
		print $4 }' "$results"
}

# share N MODE: "N MODE: mkit at NN% of the ceiling; ceiling = X.XXx mpop"
# from the medians, when the mkit and ceiling rows ran (the part after the
# semicolon when mpop ran too); nothing otherwise.
share() {
	awk -v n="$1" -v mode="$2" -v m="$(rates "$1" "$2" mkit | median)" \
		-v c="$(rates "$1" "$2" ceiling | median)" \
		-v p="$(rates "$1" "$2" mpop | median)" 'BEGIN {
		if (!(m + 0 > 0 && c + 0 > 0)) exit
		printf "%s %s: mkit at %.0f%% of the ceiling", n, mode,
			100 * m / c
		if (p + 0 > 0) printf "; ceiling = %.2fx mpop", c / p
		print "" }'
}

results=$work/results
rm -rf "$work/trash"
mkdir -p "$work/trash"
: >"$results"
read -r -a tools <<<"$TOOLS"
for n in $SIZES; do
	for mode in $MODES; do
		for ((r = 0; r < ROUNDS; r++)); do
			for ((k = 0; k < ${#tools[@]}; k++)); do
				tool=${tools[(k + r) % ${#tools[@]}]}
				have "$tool" "$mode" || continue
				echo "$n $mode $tool $(run "$tool" "$mode" "$n")" \
					>>"$results"
			done
		done
	done
done
# the floor of mkit's memory: a session on an empty mailbox (connect,
# STLS, login, LIST, UIDL, QUIT), count 0 in the results
if [[ " $TOOLS " == *" mkit "* ]]; then
	for mode in $MODES; do
		for ((r = 0; r < ROUNDS; r++)); do
			echo "0 $mode mkit $(run mkit "$mode" 0)" >>"$results"
		done
	done
fi

{
	printf 'mpop benchmark: Dovecot POP3 on 127.0.0.1 -> maildir, %s rounds\n' \
		"$ROUNDS"
	printf '%-6s %-9s %-10s %10s %8s  %s\n' count mode tool 'msgs/s' \
		'RSS MiB' 'mkit/tool   rounds'
	for n in $SIZES; do
		for mode in $MODES; do
			ours=$(rates "$n" "$mode" mkit | median)
			for tool in "${tools[@]}"; do
				have "$tool" "$mode" || continue
				all=$(rates "$n" "$mode" "$tool")
				med=$(median <<<"$all")
				rss=$(awk -v n="$n" -v m="$mode" -v t="$tool" \
					'$1 == n && $2 == m && $3 == t { print $5 }' \
					"$results" | median)
				ratio=$(awk -v a="$ours" -v b="$med" 'BEGIN {
					if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b
					else print "-" }')
				printf '%-6s %-9s %-10s %10s %8.1f  %-9s %s\n' "$n" \
					"$mode" "$tool" "$med" "$(awk -v r="$rss" \
					'BEGIN { print r / 1024 }')" "$ratio" \
					"$(echo $all)"
			done
		done
	done
	for n in $SIZES; do
		for mode in $MODES; do
			share "$n" "$mode"
		done
	done
	v=$(/usr/bin/time -f '%M' "$MKIT_MPOP" --version 2>&1 >/dev/null | tail -1)
	printf -- '--version RSS: mkit %.1f MiB' "$(awk -v r="$v" 'BEGIN { print r / 1024 }')"
	if [[ -x /usr/bin/mpop ]]; then
		v=$(/usr/bin/time -f '%M' /usr/bin/mpop --version 2>&1 >/dev/null | tail -1)
		printf ', mpop %.1f MiB' "$(awk -v r="$v" 'BEGIN { print r / 1024 }')"
	fi
	echo
	v=$(/usr/bin/time -f '%M' "$MKIT_MPOP" --version 2>&1 >/dev/null | tail -1)
	printf 'mkit peak RSS over its --version (0: an empty mailbox, the login alone):'
	for n in 0 $SIZES; do
		for mode in $MODES; do
			rss=$(awk -v n="$n" -v m="$mode" '$1 == n && $2 == m &&
				$3 == "mkit" { print $5 }' "$results" | median)
			awk -v n="$n" -v m="$mode" -v r="$rss" -v v="$v" 'BEGIN {
				if (r + 0 > 0) printf " %s %s +%.1f MiB;", n, m, (r - v) / 1024 }'
		done
	done
	echo
} | tee "$out/mpop-results.txt"
