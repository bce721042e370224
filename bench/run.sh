#!/bin/bash
# bench/run.sh: msend against its peers on loopback (run as root on Debian 12;
# "make bench" runs it after building). Not a test: it prints a table.
#
#   one process per message (the cron/alert pattern), BENCH_N messages:
#     plain to Postfix's smtp-sink, and STARTTLS + AUTH PLAIN to a real
#     Postfix submission port: msend vs msmtp and vs curl
#   BENCH_N messages in one invocation to smtp-sink:
#     msend --batch (mboxrd on stdin, one pipelined connection) vs one curl
#     command on one connection (--next) vs smtp-source (20 sessions, and
#     one session with -d)
#
# Every tool runs once per round, BENCH_ROUNDS rounds (default 3), tools
# interleaved inside a round so that all share the machine's state; the
# table shows the median rate and every round's rate. Ratios are msend's
# median divided by the peer's (> 1: msend wins).
#
# The "cpu-ms" column is the CPU time (user + system) the tool's processes
# used per message; the rest of the wall time is spent waiting for the
# server (and for the scheduler: server and client share two cores).
#
# The "ceiling" row under the plain per-process scenario is the best rate
# any client linked like msend and speaking like msend could reach with one
# process per message. bench/floor measures (1) "start": a program linked
# exactly like msend that starts and exits (exec, loading libcurl's ~35
# libraries, their constructors, libcurl's global initialisation, which
# every libcurl program runs), then (2) msend's very session repeated N
# times inside one process, sleeping the median start time before each:
# the server sees the pace of one process per message while the client
# spends no CPU on starting. No per-process client of these libraries with
# this session can do better; the msend/tool column of that row says how
# close msend gets, and the last line compares the ceiling with curl.
# There is no such row for TLS: against a real Postfix the same paced loop
# runs slower than one process per message (Postfix goes on working after
# its reply, on the same two cores), so it bounds nothing there.
#
# Environment: MSEND (default: cmd/msend of this tree), FLOOR (bench/floor;
# without it the ceiling rows are skipped), BENCH_N (200), BENCH_ROUNDS (3),
# BENCH_SIZE (message body bytes, 1000), BENCH_AUTH (the SASL mechanism for
# the paired TLS rows: "plain" by default, the same for all three tools so the
# ratio compares the tools and not the mechanisms; "on" = each tool picks),
# MKIT_KEEP_SERVERS=1 keeps the servers' directory. Every run is checked:
# the sink (or the maildir) must have received all messages, else the rate
# reads "FAIL". The SASL mechanism each tool used is shown from Postfix's
# log. Rows for a tool that is missing say so and the rest still runs.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
MSEND=${MSEND:-$top/cmd/msend}
FLOOR=${FLOOR:-$top/bench/floor}
N=${BENCH_N:-200}
ROUNDS=${BENCH_ROUNDS:-3}
SIZE=${BENCH_SIZE:-1000}
AUTH=${BENCH_AUTH:-plain}

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
[[ $(id -u) == 0 ]] || die "run as root (the Postfix under test needs it)"

need=()
command -v msmtp >/dev/null || need+=(msmtp)
command -v curl >/dev/null || need+=(curl)
command -v smtp-source >/dev/null || need+=(postfix)
if (( ${#need[@]} )); then
	echo "bench: installing ${need[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
fi

# shellcheck source=../tests/servers/servers.bash
source "$top/tests/servers/servers.bash"
trap stop_servers EXIT
start_sink --dump >/dev/null || die "smtp-sink did not start"
start_postfix >/dev/null || die "Postfix did not start"
W=$MKIT_SRV_ROOT/bench
mkdir -p "$W"

FROM=$TEST_USER@$TEST_DOMAIN
RCPT=$TEST_USER@$TEST_DOMAIN

# the message: headers, then SIZE bytes of text in 72-column lines
{
	printf 'From: %s\nTo: %s\nSubject: bench\nDate: %s\n' \
		"$FROM" "$RCPT" "$(date -R)"
	printf 'Message-ID: <bench@mkit.test>\n\n'
	head -c "$SIZE" /dev/zero | tr '\0' 'x' | fold -w 72
	echo
} >"$W/msg"
sed 's/$/\r/' "$W/msg" >"$W/msg.crlf"
# the same message N times as an mboxrd stream, for msend --batch
for ((i = 0; i < N; i++)); do
	echo "From $FROM Thu Jan  1 00:00:00 1970"
	cat "$W/msg"
	echo
done >"$W/batch.mbox"

# configurations: mkit config and msmtprc share the syntax
cat >"$W/plain.conf" <<EOF
account default
host 127.0.0.1
port $SINK_PORT
tls off
auth off
from $FROM
EOF
cat >"$W/tls.conf" <<EOF
account default
host 127.0.0.1
port $POSTFIX_PORT
tls on
tls_starttls on
tls_trust_file $TEST_CERT
auth $AUTH
user $TEST_USER
password $TEST_PASS
from $FROM
EOF
chmod 0600 "$W"/*.conf

now() { date +%s.%N; }
# rate START END COUNT: messages per second
rate() { awk -v s="$1" -v e="$2" -v n="$3" 'BEGIN { printf "%.1f", n / (e - s) }'; }

# cpu_per_msg: the CPU time (user + system) of the children this (sub)shell
# has run so far, in ms per message, into $W/cpu
cpu_per_msg() {
	times >"$W/times"	# (no pipe: a subshell would count nothing)
	tail -n 1 "$W/times" | awk -v n="$N" '{
		split($1, u, /[ms]/); split($2, s, /[ms]/)
		printf "%.2f\n", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 / n
	}' >"$W/cpu"
}

# per_process CMD...: run CMD N times, stdin = the message; print the rate,
# or FAIL if any run fails. Run it in a subshell (its CPU time is counted
# from the subshell's start).
per_process() {
	local s e i
	s=$(now)
	for ((i = 0; i < N; i++)); do
		"$@" <"$W/msg" >/dev/null 2>"$W/err" || { echo FAIL; return 0; }
	done
	e=$(now)
	cpu_per_msg
	rate "$s" "$e" "$N"
}

# once CMD...: run CMD once (stdin as redirected by the caller); print rate
once() {
	local s e
	s=$(now)
	"$@" >/dev/null 2>"$W/err" || { echo FAIL; return 0; }
	e=$(now)
	cpu_per_msg
	rate "$s" "$e" "$N"
}

have_msend() { [[ -x $MSEND ]]; }

curl_plain() {
	curl -sS "smtp://127.0.0.1:$SINK_PORT" --mail-from "$FROM" \
		--mail-rcpt "$RCPT" -T "$W/msg.crlf"
}
curl_login=()
[[ $AUTH != on ]] && curl_login=(--login-options "AUTH=${AUTH^^}")
curl_tls() {
	curl -sS "smtp://127.0.0.1:$POSTFIX_PORT" --ssl-reqd "${curl_login[@]}" \
		--cacert "$TEST_CERT" --user "$TEST_USER:$TEST_PASS" \
		--mail-from "$FROM" --mail-rcpt "$RCPT" -T "$W/msg.crlf"
}
curl_batch() {
	local args=() i
	for ((i = 0; i < N; i++)); do
		(( i )) && args+=(--next)
		args+=("smtp://127.0.0.1:$SINK_PORT" --mail-from "$FROM"
			--mail-rcpt "$RCPT" -T "$W/msg.crlf")
	done
	curl -sS "${args[@]}"
}

# The tools, one function each (stdin: the message, unless said).
msend_plain() { "$MSEND" --config "$W/plain.conf" -t; }
msmtp_plain() { msmtp -C "$W/plain.conf" "$RCPT"; }
msend_tls() { "$MSEND" --config "$W/tls.conf" -t; }
msmtp_tls() { msmtp -C "$W/tls.conf" "$RCPT"; }
msend_own() { "$MSEND" --config "$W/tls-own.conf" -t; }
floor_start() { "$FLOOR" start; }
# the session loops, paced by the median start time (see the top)
floor_plain() { "$FLOOR" session "$W/plain.conf" "$N" "$PAUSE_PLAIN" <"$W/msg"; }
msend_batch() { "$MSEND" --config "$W/plain.conf" --batch <"$W/batch.mbox"; }
source_20() {
	smtp-source -s 20 -m "$N" -l "$SIZE" -f "$FROM" -t "$RCPT" \
		"127.0.0.1:$SINK_PORT"
}
source_1() {
	smtp-source -s 1 -d -m "$N" -l "$SIZE" -f "$FROM" -t "$RCPT" \
		"127.0.0.1:$SINK_PORT"
}

# checked KIND RUNNER TOOL: run TOOL through RUNNER (per_process or once)
# and print its rate, or FAIL(n/N) unless the server received N more
# messages (KIND sink: transactions in the sink's dump; maildir: alice's
# mail; none: nothing to check). For maildir runs the SASL mechanism(s)
# from Postfix's log go to $W/mech.
received() {
	case $1 in
	sink) grep -c '^X-Mail-Args:' "$SINK_DUMP" 2>/dev/null || true ;;
	maildir) delivered_messages "$TEST_USER" | wc -l ;;
	none) echo 0 ;;
	esac
}
checked() {
	local kind=$1 before after r logl n=0
	shift
	before=$(received "$kind")
	logl=$(wc -l <"$POSTFIX_LOG")
	r=$("$@")
	after=$(received "$kind")
	while [[ $kind != none ]] && (( after - before < N && n++ < 100 )); do
		sleep 0.1
		after=$(received "$kind")
	done
	if [[ $r != FAIL && $kind != none ]] && (( after - before != N )); then
		r="FAIL($((after - before))/$N)"
	fi
	if [[ $kind == maildir ]]; then
		tail -n +"$((logl + 1))" "$POSTFIX_LOG" |
			grep -o 'sasl_method=[A-Z0-9-]*' | sort | uniq -c |
			sort -rn | awk '{ sub("sasl_method=", "", $2);
				printf "%s%s", s, $2; s = "," }' >"$W/mech"
	fi
	echo "$r"
}

# RATES[tool]: its rate in every round; CPU[tool]: its CPU ms per message
# in every round; MECH[tool]: the SASL mechanism
declare -A RATES=() CPU=() MECH=()
# rounds KIND RUNNER TOOL...: BENCH_ROUNDS rounds, every tool once a round
rounds() {
	local kind=$1 runner=$2 r t
	shift 2
	for ((r = 0; r < ROUNDS; r++)); do
		for t in "$@"; do
			rm -f "$W/cpu"
			RATES[$t]+="$(checked "$kind" "$runner" "$t") "
			CPU[$t]+="$(cat "$W/cpu" 2>/dev/null || echo -) "
			[[ $kind == maildir ]] && MECH[$t]=$(cat "$W/mech")
		done
	done
	return 0
}
# med FORMAT VALUE...: the median (printf FORMAT), or the first value that
# is not a number
med() {
	local v f=$1
	shift
	for v; do
		[[ $v =~ ^[0-9.]+$ ]] || { echo "$v"; return 0; }
	done
	(( $# )) || { echo "not run"; return 0; }
	printf '%s\n' "$@" | sort -n | awk -v f="$f\n" '{ a[NR] = $1 }
		END { if (NR % 2) printf f, a[(NR + 1) / 2];
			else printf f, (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# median TOOL: the median rate of its rounds (FAIL when any round failed)
# shellcheck disable=SC2086
median() { med %.1f ${RATES[$1]:-}; }
# cpu TOOL: its median CPU time per message
# shellcheck disable=SC2086
cpu() { med %.2f ${CPU[$1]:-}; }
num() { [[ $1 =~ ^[0-9.]+$ ]]; }
# pause TOOL: microseconds per run at its median rate (0 if it failed)
pause() {
	local r
	r=$(median "$1")
	num "$r" && awk -v r="$r" 'BEGIN { printf "%d", 1e6 / r }' || echo 0
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

echo "bench: $N messages of ~$((SIZE / 1000)) kB per run, $ROUNDS rounds;" \
	"msend: $MSEND" >&2
have_msend || echo "bench: $MSEND not built: its rows are empty" >&2
have_floor() { [[ -x $FLOOR ]] && have_msend; }

plain=(msmtp_plain curl_plain) tls=(msmtp_tls curl_tls)
have_msend && plain=(msend_plain "${plain[@]}") tls=(msend_tls "${tls[@]}")
if have_msend && [[ $AUTH != on ]]; then
	# msend's own choice (SCRAM-SHA-256 against Dovecot: mutual auth, and
	# a PBKDF2 on both sides), shown for information, not paired
	sed 's/^auth .*/auth on/' "$W/tls.conf" >"$W/tls-own.conf"
	chmod 600 "$W/tls-own.conf"
	tls+=(msend_own)
fi
rounds sink per_process "${plain[@]}"
rounds maildir per_process "${tls[@]}"
if have_floor; then
	rounds none per_process floor_start
	PAUSE_PLAIN=$(pause floor_start)
	rounds sink once floor_plain
fi
batch=(curl_batch source_20 source_1)
have_msend && batch=(msend_batch "${batch[@]}")
rounds sink once "${batch[@]}"

# the table
printf '%-21s %-24s %9s %11s %8s  %-14s %s\n' scenario tool msgs/s \
	msend/tool cpu-ms sasl "rounds (msgs/s)"
line() {	# SCENARIO LABEL TOOL RATIO
	printf '%-21s %-24s %9s %11s %8s  %-14s %s\n' "$1" "$2" \
		"$(median "$3")" "$4" "$(cpu "$3")" "${MECH[$3]:--}" \
		"${RATES[$3]:-}"
}
# scenario SCENARIO MSEND MLABEL TOOL LABEL ...: msend's row, then each peer
# with msend's median divided by the peer's
scenario() {
	local sc=$1 m=$2 mr t
	mr=$(median "$m")
	line "$sc" "$3" "$m" -
	shift 3
	while (( $# )); do
		t=$1
		if num "$mr" && num "$(median "$t")"; then
			line "$sc" "$2" "$t" "$(ratio "$mr" "$(median "$t")")"
		else
			line "$sc" "$2" "$t" -
		fi
		shift 2
	done
}
# ceiling SCENARIO MSEND START SESSION PEER: the ceiling row (see the top)
ceiling() {
	local l c m p
	l=$(median "$3") c=$(median "$4") m=$(median "$2") p=$(median "$5")
	if ! num "$c"; then
		printf '%-21s %-24s %9s\n' "$1" "ceiling" "$c"
		return 0
	fi
	printf '%-21s %-24s %9s %11s %8s  (start only: %s/s)\n' "$1" \
		"ceiling: start + session" "$c" \
		"$(num "$m" && awk -v m="$m" -v c="$c" \
			'BEGIN { printf "%.0f%%", 100 * m / c }')" "$(cpu "$4")" "$l"
	num "$p" && num "$m" && CEIL+=("$1: the ceiling is $(ratio "$c" "$p")\
 curl's rate; msend reaches $(ratio "$m" "$p")")
	return 0
}
CEIL=()
scenario "per-process plain" msend_plain msend msmtp_plain msmtp curl_plain curl
have_floor && ceiling "per-process plain" msend_plain floor_start \
	floor_plain curl_plain
scenario "per-process tls+auth" msend_tls msend msmtp_tls msmtp curl_tls curl
[[ -n ${RATES[msend_own]:-} ]] && line "tls+auth own choice" "msend" msend_own -
scenario "one invocation" msend_batch "msend --batch" curl_batch "curl --next" \
	source_20 "smtp-source -s 20" source_1 "smtp-source -s 1 -d"

# msend --batch streams: its peak memory (maximum resident set, kB) should
# not grow with the stream. Not a rate, a separate line.
peak_kb() {
	python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if r.returncode == 0 else "FAIL")' "$@"
}
if have_msend; then
	for ((i = 0; i < 10; i++)); do cat "$W/batch.mbox"; done >"$W/batch10.mbox"
	echo "msend --batch peak RSS: $(peak_kb "$MSEND" --config "$W/plain.conf" \
		--batch <"$W/batch.mbox") kB for $N messages, $(peak_kb "$MSEND" \
		--config "$W/plain.conf" --batch <"$W/batch10.mbox") kB for $((10 * N))"
fi
echo
echo "targets: per-process msend >= 6x msmtp and >= 1.2x curl;" \
	"msend --batch >= 0.9x smtp-source -s 20"
for c in "${CEIL[@]}"; do
	echo "$c"
done
