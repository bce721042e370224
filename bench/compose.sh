#!/bin/bash
# bench/compose.sh: compose and print a message with a big attachment:
# msend --print against s-nail -a and mutt -a (Debian packages), both made
# to write the message to a file instead of sending it (their sendmail is
# a script that copies standard input to the file). Not a test: it prints a
# table. "make bench-compose" runs it after building.
#
# Every round runs the three tools once each, in turn (each round starting
# with the next tool), on the same input, after a sync, BENCH_ROUNDS rounds
# (default 3); the table shows the median wall time and
# peak RSS (GNU time's %M: the largest process of the tree) and every
# round's time. The ratio is the peer's median time divided by msend's
# (> 1: msend is faster). Targets (issue 12): msend >= 2x the faster peer;
# msend's peak RSS within 4 MiB of its own start-up (msend --version).
# The first round checks every tool's output: mparse must find the
# attachment with the input's SHA-256, else the row reads FAIL.
#
# Environment: MSEND (default: cmd/msend of this tree; build without
# --enable-sanitizers for real figures), BENCH_MB (attachment size in MB,
# default 100), BENCH_ROUNDS (3), TMPDIR (where the files go: 3x the size).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
MSEND=${MSEND:-$top/cmd/msend}
MPARSE=${MPARSE:-$(dirname "$MSEND")/mparse}
MB=${BENCH_MB:-100}
ROUNDS=${BENCH_ROUNDS:-3}

die() { printf 'bench-compose: %s\n' "$*" >&2; exit 1; }
for t in s-nail mutt; do
	command -v "$t" >/dev/null || die "$t is missing (apt-get install $t)"
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (apt-get install time)"
grep -q __asan_init "$MSEND" 2>/dev/null &&
	echo "bench-compose: warning: $MSEND is built with sanitizers; the figures say little" >&2

W=$(mktemp -d "${TMPDIR:-/tmp}/mkit-bench-compose.XXXXXX")
trap 'rm -rf "$W"' EXIT
head -c $((MB * 1000 * 1000)) /dev/urandom >"$W/report.bin"
printf 'The nightly report is attached.\n' >"$W/body.txt"
want=$(sha256sum "$W/report.bin" | cut -d' ' -f1)
printf '#!/bin/sh\nexec cat >"$BENCH_OUT"\n' >"$W/mta"
chmod +x "$W/mta"
mkdir -p "$W/home"

# run TOOL OUTFILE: compose into OUTFILE; prints "seconds kib".
run() {
	local tool=$1 out=$2
	export BENCH_OUT=$out
	case $tool in
	msend)
		/usr/bin/time -o "$W/time" -f '%e %M' "$MSEND" --print \
			--from ops@example.org --to ann@example.org \
			--subject bench --attach "$W/report.bin" \
			<"$W/body.txt" >"$out" ;;
	s-nail)
		HOME=$W/home /usr/bin/time -o "$W/time" -f '%e %M' s-nail -:/ \
			-Sv15-compat -Smta="$W/mta" -Snosave -Sexpandaddr \
			-Sttycharset=utf-8 -r ops@example.org -s bench \
			-a "$W/report.bin" ann@example.org <"$W/body.txt" ;;
	mutt)
		HOME=$W/home /usr/bin/time -o "$W/time" -f '%e %M' mutt -n \
			-F /dev/null -e "set sendmail=\"$W/mta\"; set record=\"\";
			set from=\"ops@example.org\"; set charset=\"utf-8\"" \
			-s bench -a "$W/report.bin" -- ann@example.org \
			<"$W/body.txt" ;;
	esac
	cat "$W/time"
}

# check FILE: the attachment mparse finds has the input's bytes.
check() {
	"$MPARSE" --json "$1" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
print(" ".join(p["sha256"] or "" for p in doc["parts"] if p.get("filename")))' |
		grep -qw "$want"
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

tools=(msend s-nail mutt)
declare -A times rss ok
for t in "${tools[@]}"; do ok[$t]=1; done
for ((r = 1; r <= ROUNDS; r++)); do
	# each round starts with another tool; every run starts with no
	# dirty pages of the one before (writeback would be timed otherwise)
	for ((i = 0; i < ${#tools[@]}; i++)); do
		t=${tools[$(( (i + r - 1) % ${#tools[@]} ))]}
		sync
		read -r s k < <(run "$t" "$W/out.eml")
		times[$t]+="$s "
		rss[$t]+="$k "
		if (( r == 1 )) && ! check "$W/out.eml"; then
			ok[$t]=0
		fi
		rm -f "$W/out.eml"
	done
done
start=$(/usr/bin/time -f %M "$MSEND" --version 2>&1 >/dev/null)

printf 'compose + print, %d MB attachment, %d rounds\n\n' "$MB" "$ROUNDS"
printf '%-8s %9s %10s  %-8s %s\n' tool "median s" "peak MiB" "vs msend" rounds
declare -A med
for t in "${tools[@]}"; do
	med[$t]=$(tr ' ' '\n' <<<"${times[$t]}" | grep . | median)
	m=$(tr ' ' '\n' <<<"${rss[$t]}" | grep . | median)
	if (( ! ok[$t] )); then
		ratio=FAIL
	else
		ratio=$(awk -v a="${med[$t]}" -v b="${med[msend]}" \
			'BEGIN { printf "%.2fx", (b > 0 ? a / b : 0) }')
	fi
	printf '%-8s %9s %10.1f  %-8s %s\n' "$t" "${med[$t]}" \
		"$(awk -v k="$m" 'BEGIN { print k / 1024 }')" "$ratio" "${times[$t]}"
	[[ $t == msend ]] && msend_rss=$m
done
faster=$(printf '%s\n' "${med[s-nail]}" "${med[mutt]}" | sort -n | head -1)
speed=$(awk -v a="$faster" -v b="${med[msend]}" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
extra=$(( msend_rss - start ))
printf '\nmsend start-up (--version): %.1f MiB; composing adds %d KiB\n' \
	"$(awk -v k="$start" 'BEGIN { print k / 1024 }')" "$extra"
printf 'target speed >= 2x the faster peer: %sx %s\n' "$speed" \
	"$(awk -v s="$speed" 'BEGIN { print (s >= 2 ? "met" : "MISSED") }')"
printf 'target RSS within 4 MiB of start-up: %s\n' \
	"$( (( extra <= 4096 )) && echo met || echo MISSED)"
