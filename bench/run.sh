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
# Environment: MSEND (default: cmd/msend of this tree), BENCH_N (200),
# BENCH_SIZE (message body bytes, 1000), BENCH_AUTH (the SASL mechanism for
# the paired TLS rows: "plain" by default, the same for all three tools so the
# ratio compares the tools and not the mechanisms; "on" = each tool picks),
# MKIT_KEEP_SERVERS=1 keeps the servers' directory. Every run is checked:
# the sink (or the maildir) must have received all messages, else the rate
# reads "FAIL". The SASL mechanism each tool used is shown from Postfix's log. Rows for a tool that is missing say so and the rest
# still runs. Ratios are msend's rate divided by the peer's (> 1: msend wins).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
MSEND=${MSEND:-$top/cmd/msend}
N=${BENCH_N:-200}
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

# per_process CMD...: run CMD N times, stdin = the message; print the rate,
# or FAIL if any run fails
per_process() {
	local s e i
	s=$(now)
	for ((i = 0; i < N; i++)); do
		"$@" <"$W/msg" >/dev/null 2>"$W/err" || { echo FAIL; return 0; }
	done
	e=$(now)
	rate "$s" "$e" "$N"
}

# once CMD...: run CMD once (stdin as redirected by the caller); print rate
once() {
	local s e
	s=$(now)
	"$@" >/dev/null 2>"$W/err" || { echo FAIL; return 0; }
	e=$(now)
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

rows=()
# row SCENARIO TOOL RATE: remember a result line
row() { rows+=("$1|$2|$3"); }

# checked KIND CMD...: run a measuring command (per_process or once) and
# print its rate, or "FAIL (n/N)" unless the server received N more messages
# (KIND sink: transactions in the sink's dump; KIND maildir: alice's mail).
# For maildir runs the SASL mechanism(s) from Postfix's log are appended.
received() {
	case $1 in
	sink) grep -c '^X-Mail-Args:' "$SINK_DUMP" 2>/dev/null || true ;;
	maildir) delivered_messages "$TEST_USER" | wc -l ;;
	esac
}
checked() {
	local kind=$1 before after r logl mech n=0
	shift
	before=$(received "$kind")
	logl=$(wc -l <"$POSTFIX_LOG")
	r=$("$@")
	after=$(received "$kind")
	while (( after - before < N && n++ < 100 )); do
		sleep 0.1
		after=$(received "$kind")
	done
	if [[ $r != FAIL ]] && (( after - before != N )); then
		r="FAIL ($((after - before))/$N)"
	fi
	if [[ $kind == maildir ]]; then
		mech=$(tail -n +"$((logl + 1))" "$POSTFIX_LOG" |
			grep -o 'sasl_method=[A-Z0-9-]*' | sort | uniq -c |
			sort -rn | awk '{ sub("sasl_method=", "", $2); printf "%s%s", s, $2; s = "," }')
		r="$r ${mech:-?}"
	fi
	echo "$r"
}

echo "bench: $N messages of ~$((SIZE / 1000)) kB per scenario; msend: $MSEND" >&2

# 1. one process per message, plain
if have_msend; then
	m1=$(checked sink per_process "$MSEND" --config "$W/plain.conf" -t)
else
	m1="not built"
fi
row "per-process plain" msend "$m1"
row "per-process plain" msmtp "$(checked sink per_process msmtp -C "$W/plain.conf" "$RCPT")"
row "per-process plain" curl "$(checked sink per_process curl_plain)"

# 2. one process per message, STARTTLS + AUTH to Postfix
if have_msend; then
	m2=$(checked maildir per_process "$MSEND" --config "$W/tls.conf" -t)
else
	m2="not built"
fi
row "per-process tls+auth" msend "$m2"
row "per-process tls+auth" msmtp "$(checked maildir per_process msmtp -C "$W/tls.conf" "$RCPT")"
row "per-process tls+auth" curl "$(checked maildir per_process curl_tls)"
# msend's own default choice (SCRAM-SHA-256 against Dovecot: mutual auth,
# and a PBKDF2 on both sides), shown for information, not paired.
if have_msend && [[ $AUTH != on ]]; then
	sed 's/^auth .*/auth on/' "$W/tls.conf" >"$W/tls-own.conf"
	chmod 600 "$W/tls-own.conf"
	row "tls+auth own choice" msend "$(checked maildir per_process "$MSEND" --config "$W/tls-own.conf" -t)"
fi

# 3. N messages in one invocation, plain to smtp-sink
if have_msend; then
	m3=$(checked sink once "$MSEND" --config "$W/plain.conf" --batch <"$W/batch.mbox")
else
	m3="not built"
fi
row "one invocation" "msend --batch" "$m3"
row "one invocation" "curl --next" "$(checked sink once curl_batch)"
row "one invocation" "smtp-source -s 20" "$(checked sink once smtp-source -s 20 -m "$N" \
	-l "$SIZE" -f "$FROM" -t "$RCPT" "127.0.0.1:$SINK_PORT")"
row "one invocation" "smtp-source -s 1 -d" "$(checked sink once smtp-source -s 1 -d \
	-m "$N" -l "$SIZE" -f "$FROM" -t "$RCPT" "127.0.0.1:$SINK_PORT")"

# the table: msend's rate in its scenario divided by each peer's
printf '%-22s %-22s %10s %12s  %s\n' scenario tool msgs/s "msend/tool" sasl
msend_rate=
for r in "${rows[@]}"; do
	IFS='|' read -r sc tool v <<<"$r"
	mech=
	if [[ $sc == *tls* && $v != "not built" ]]; then
		mech=${v##* }
		v=${v% *}
	fi
	if [[ $tool == msend* ]]; then
		msend_rate=$v
		ratio=-
		[[ $v == "not built" ]] && v="msend: not built"
	elif [[ $msend_rate =~ ^[0-9.]+$ && $v =~ ^[0-9.]+$ ]]; then
		ratio=$(awk -v a="$msend_rate" -v b="$v" 'BEGIN { printf "%.2fx", a / b }')
	else
		ratio=-
	fi
	printf '%-22s %-22s %10s %12s  %s\n' "$sc" "$tool" "$v" "$ratio" "$mech"
done

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
