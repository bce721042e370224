#!/bin/bash
# bench/mdig-mx/run.sh: mdig-mx against dig and adnshost (make bench-mdig-mx).
# A benchmark, not a test: it prints a table and is never part of make check.
# Run as root on Debian 12 (the delaying proxy listens on port 53: adnshost
# cannot be given another port).
#
# NSD serves BENCH_N (1,000) generated mail domains (gen_zone.py: MX hosts
# with A/AAAA, SPF with includes up to three levels, DMARC at the domain or
# its parent) behind delayproxy (delayproxy.c, built by the bench target),
# which holds every answer BENCH_DELAY (20) ms: the round trip of a remote
# resolver, without netem. The proxy is C (epoll, recvmmsg/sendmmsg) so
# that it is not the bottleneck; the "proxy check" line shows its headroom:
# two mdig-mx runs at once against one alone, and the CPU time the proxy
# used meanwhile (a small part of the wall time: it mostly waits).
#
#   batch   MX + SPF + DMARC of every domain:
#             mdig-mx --batch --checks mx,spf,dmarc --parallel BENCH_PARALLEL
#               (default BENCH_N: every domain at once, as adnshost is
#               given every query at once), and mdig-mx with its default
#               --parallel
#             a loop of dig, one dig per domain asking that domain's
#               queries one after another (the same queries mdig-mx makes,
#               listed by gen_zone.py and counted against the proxy's log)
#             adnshost --asynch fed every query at once on stdin
#           paired: each round runs them in turn; the ratios are the
#           peer's time over mdig-mx's in the same round, medians over
#           BENCH_ROUNDS (3). Targets: >= 20x the dig loop, > 1x adnshost.
#           The queries the proxy saw from each client are counted: more
#           than given means the client lost answers (its own socket
#           buffer overflowed) and asked again after its timeout; the
#           ratio to adnshost is also given over the rounds where it lost
#           none. mdig-mx asks a question once while its answer is
#           awaited (the MX hosts, SPF includes and _dmarc names that
#           domains share), so the proxy sees fewer queries from it than
#           the peers are given; adnshost-uniq, adnshost given each
#           distinct query once, all at once (a list only known once the
#           answers are in: a bound, not a real client), shows what that
#           alone is worth.
#   report  one full report (mdig-mx DOMAIN: every check) of a domain whose
#           lookup tree is 3 deep (an SPF include that includes another),
#           against the same queries (as the proxy saw them) one after
#           another (one dig asking them in turn); target: within 3x
#           (round trip x tree depth).
#
# Environment: MDIG_MX (default cmd/mdig-mx of this tree), DELAYPROXY
# (bench/mdig-mx/delayproxy), BENCH_N (1000), BENCH_PARALLEL (BENCH_N),
# BENCH_ROUNDS (3), BENCH_DELAY (ms, 20), BENCH_DNS_IP (the proxy's address,
# 127.0.0.2), BENCH_OUT (bench/out), BENCH_NO_INSTALL=1 (never apt-get),
# BENCH_PEERS (the batch peers to run, default "dig adnshost adnshost-uniq";
# the dig loop takes about 6 minutes a round at 1,000 domains: leave it
# out with BENCH_PEERS="adnshost adnshost-uniq").
# Measure with a build without --enable-sanitizers.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/bench/mdig-mx
MDIG=${MDIG_MX:-$top/cmd/mdig-mx}
PROXY=${DELAYPROXY:-$top/bench/mdig-mx/delayproxy}
N=${BENCH_N:-1000}
PAR=${BENCH_PARALLEL:-$N}
ROUNDS=${BENCH_ROUNDS:-3}
DELAY=${BENCH_DELAY:-20}
IP=${BENCH_DNS_IP:-127.0.0.2}
OUT=${BENCH_OUT:-$top/bench/out}/mdig-mx
DEPTH=3
PEERS=" ${BENCH_PEERS:-dig adnshost adnshost-uniq} "
for p in $PEERS; do
	case $p in
	dig | adnshost | adnshost-uniq) ;;
	*) printf 'bench-mdig-mx: BENCH_PEERS: unknown peer "%s" (dig, adnshost, adnshost-uniq)\n' "$p" >&2
		exit 1 ;;
	esac
done
peer() { [[ $PEERS == *" $1 "* ]]; }

die() { printf 'bench-mdig-mx: %s\n' "$*" >&2; exit 1; }
say() { printf 'bench-mdig-mx: %s\n' "$*" >&2; }
[[ $(id -u) == 0 ]] || die "run as root (the proxy listens on port 53)"
[[ -x $MDIG ]] || die "$MDIG: not built"
[[ -x $PROXY ]] || die "$PROXY: not built (make bench/mdig-mx/delayproxy)"
ldd "$MDIG" 2>/dev/null | grep -q libasan &&
	say "note: $MDIG is built with sanitizers: configure without" \
		"--enable-sanitizers to measure it"

need=()
command -v dig >/dev/null || need+=(bind9-dnsutils)
command -v adnshost >/dev/null || need+=(adns-tools)
command -v nsd >/dev/null || need+=(nsd)
if (( ${#need[@]} )) && [[ ${BENCH_NO_INSTALL:-0} != 1 ]]; then
	say "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}" >&2
fi
command -v dig >/dev/null || die "dig missing (bind9-dnsutils)"
command -v adnshost >/dev/null || die "adnshost missing (adns-tools)"

mkdir -p "$OUT"
python3 "$here/gen_zone.py" "$N" "$OUT"

# shellcheck source=../../tests/servers/servers.bash
source "$top/tests/servers/servers.bash"
ppid_=
cleanup() {
	if [[ -n $ppid_ ]]; then
		kill "$ppid_" 2>/dev/null || true
		wait "$ppid_" 2>/dev/null || true
	fi
	stop_servers
	return 0
}
trap cleanup EXIT
start_dns test "$OUT/test.zone" >/dev/null || die "NSD did not start"
: >"$OUT/proxy.log"
"$PROXY" "$IP" 53 "$DNS_PORT" "$DELAY" \
	"$OUT/proxy.log" >"$OUT/proxy.out" 2>&1 &
ppid_=$!
for _ in $(seq 100); do
	grep -q ready "$OUT/proxy.out" 2>/dev/null && break
	kill -0 "$ppid_" 2>/dev/null || die "proxy: $(cat "$OUT/proxy.out")"
	sleep 0.1
done

# the peers' inputs, from the queries mdig-mx makes
awk -v ip="$IP" '
	$1 != d { if (d != "") printf "\n"; d = $1; printf "@%s +tries=1 +time=5 +noall +answer", ip }
	{ printf " %s %s", $2, $3 }
	END { printf "\n" }' "$OUT/queries.txt" >"$OUT/dig-args.txt"
# (-Qq: names with "_" are fine to ask)
awk 'BEGIN { print "-Qq" }
	{ t = $3 == "MX" ? "mx-" : tolower($3)
	if (t != last) { print "-t " t; last = t }
	print $2 }' "$OUT/queries.txt" >"$OUT/adns-input.txt"
# each distinct question once, for adnshost-uniq
awk '!seen[$2 " " $3]++ { t = $3 == "MX" ? "mx-" : tolower($3)
	print t, $2 }' "$OUT/queries.txt" | sort |
	awk 'BEGIN { print "-Qq" }
	{ if ($1 != last) { print "-t " $1; last = $1 }; print $2 }' \
	>"$OUT/adns-uniq.txt"
nq=$(wc -l <"$OUT/queries.txt")
nuq=$(($(wc -l <"$OUT/adns-uniq.txt") - 1 - $(grep -c '^-t ' "$OUT/adns-uniq.txt")))

# mdig-mx once, to check the queries and the output
: >"$OUT/proxy.log"
"$MDIG" -r "$IP" --batch --parallel "$PAR" --checks mx,spf,dmarc \
	<"$OUT/domains.txt" >"$OUT/mdig.out" || true
got=$(wc -l <"$OUT/proxy.log")
lines=$(wc -l <"$OUT/mdig.out")
[[ $lines == "$N" ]] || die "mdig-mx --batch printed $lines lines, not $N"
[[ $got == "$nq" ]] ||
	say "note: mdig-mx made $got queries, the peers are given $nq"
grep -vq '"result":"ok"' "$OUT/mdig.out" &&
	say "note: $(grep -vc '"result":"ok"' "$OUT/mdig.out") reports not ok"

now() { date +%s%N; }
ms() { echo $(( ($2 - $1) / 1000000 )); }

run_mdig() { "$MDIG" -r "$IP" --batch --parallel "$PAR" \
	--checks mx,spf,dmarc <"$OUT/domains.txt" >"$OUT/mdig.out" || true; }
run_mdig_def() { "$MDIG" -r "$IP" --batch --checks mx,spf,dmarc \
	<"$OUT/domains.txt" >"$OUT/mdig-def.out" || true; }

run_dig() { while read -r -a args; do dig "${args[@]}"; done \
	<"$OUT/dig-args.txt" >"$OUT/dig.out"; }
run_adns() { adnshost --config "nameserver $IP" -a -Vq -f \
	<"$OUT/adns-input.txt" >"$OUT/adns.out" || true; }
run_adnsu() { adnshost --config "nameserver $IP" -a -Vq -f \
	<"$OUT/adns-uniq.txt" >"$OUT/adns-uniq.out" || true; }

timed() { local a b; a=$(now); "$@"; b=$(now); ms "$a" "$b"; }
declare -a t_mdig t_def t_dig t_adns t_adnsu q_mdig q_adns
for ((r = 1; r <= ROUNDS; r++)); do
	say "batch round $r/$ROUNDS ($N domains, $nq queries)"
	a=$(wc -l <"$OUT/proxy.log"); t_mdig+=("$(timed run_mdig)")
	sleep 0.05; b=$(wc -l <"$OUT/proxy.log"); q_mdig+=($((b - a)))
	t_def+=("$(timed run_mdig_def)")
	if peer dig; then t_dig+=("$(timed run_dig)"); fi
	if peer adnshost; then
		a=$(wc -l <"$OUT/proxy.log"); t_adns+=("$(timed run_adns)")
		sleep 0.05; b=$(wc -l <"$OUT/proxy.log"); q_adns+=($((b - a)))
		# every query must have its answer (or NXDOMAIN, NODATA)
		n_adns=$(grep -Ec '^[0-9]+ [0-9]+ (ok|permfail [0-9]+ (nxdomain|nodata)) ' \
			"$OUT/adns.out" || true)
		[[ $n_adns == "$nq" ]] ||
			say "note: adnshost answered $n_adns of $nq"
	fi
	if peer adnshost-uniq; then t_adnsu+=("$(timed run_adnsu)"); fi
done

# the proxy's headroom: two clients at once against one alone, and the
# CPU time the proxy used meanwhile (far below the wall time: it waits)
tck=$(getconf CLK_TCK)
cpu_ms() { awk -v t="$tck" '{ print int(($14 + $15) * 1000 / t) }' \
	"/proc/$ppid_/stat"; }
c0=$(cpu_ms)
t_one=$(timed run_mdig)
c1=$(cpu_ms)
a=$(now)
"$MDIG" -r "$IP" --batch --parallel "$PAR" --checks mx,spf,dmarc \
	<"$OUT/domains.txt" >"$OUT/mdig2.out" &
run_mdig
wait $!
b=$(now)
c2=$(cpu_ms)
t_two=$(ms "$a" "$b")

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
	END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio_dig=() ratio_adns=() ratio_adnsu=() ratio_clean=()
ratio() { awk -v p="$1" -v m="$2" 'BEGIN { printf "%.2f", p / m }'; }
for ((i = 0; i < ROUNDS; i++)); do
	peer dig && ratio_dig+=("$(ratio "${t_dig[i]}" "${t_mdig[i]}")")
	peer adnshost-uniq &&
		ratio_adnsu+=("$(ratio "${t_adnsu[i]}" "${t_mdig[i]}")")
	peer adnshost || continue
	ratio_adns+=("$(ratio "${t_adns[i]}" "${t_mdig[i]}")")
	# the rounds where adnshost lost no answer (asked nothing twice)
	((q_adns[i] == nq)) && ratio_clean+=("${ratio_adns[i]}")
done

# one full report (every check) against the same queries one after
# another: the queries are those the proxy saw during the report
dom=d2.bench.test
: >"$OUT/proxy.log"
"$MDIG" -r "$IP" "$dom" >/dev/null || true
seqargs=$(awk 'BEGIN { n[1] = "A"; n[28] = "AAAA"; n[15] = "MX"; n[16] = "TXT"
	n[52] = "TLSA" }
	{ printf " %s %s", $1, ($2 in n) ? n[$2] : "TYPE" $2 }' "$OUT/proxy.log")
nseq=$(wc -l <"$OUT/proxy.log")
declare -a t_rep t_seq
for ((r = 1; r <= ROUNDS; r++)); do
	a=$(now); "$MDIG" -r "$IP" "$dom" >/dev/null || true; b=$(now)
	t_rep+=("$(ms "$a" "$b")")
	a=$(now)
	# shellcheck disable=SC2086
	dig "@$IP" +tries=1 +time=5 +noall +answer $seqargs >/dev/null
	b=$(now)
	t_seq+=("$(ms "$a" "$b")")
done

{
	printf 'mdig-mx bench: %d domains, %d queries, %d ms per answer, %d rounds\n' \
		"$N" "$nq" "$DELAY" "$ROUNDS"
	printf '%-34s %10s   %s\n' "batch (MX+SPF+DMARC)" "median ms" "rounds (ms)"
	printf '%-34s %10s   %s\n' "mdig-mx --batch --parallel $PAR" "$(median "${t_mdig[@]}")" "${t_mdig[*]}"
	printf '%-34s %10s   %s\n' "mdig-mx --batch (default)" "$(median "${t_def[@]}")" "${t_def[*]}"
	peer dig && printf '%-34s %10s   %s\n' "dig loop (one dig per domain)" "$(median "${t_dig[@]}")" "${t_dig[*]}"
	peer adnshost && printf '%-34s %10s   %s\n' "adnshost -a (all queries at once)" "$(median "${t_adns[@]}")" "${t_adns[*]}"
	peer adnshost-uniq && printf '%-34s %10s   %s\n' "adnshost -a, distinct queries" "$(median "${t_adnsu[@]}")" "${t_adnsu[*]}"
	printf 'queries the proxy saw (given %d, %d distinct): mdig-mx %s; adnshost %s\n' \
		"$nq" "$nuq" "${q_mdig[*]}" "${q_adns[*]:-not run}"
	printf 'proxy check: one mdig-mx %d ms (proxy CPU %d ms), two at once %d ms (%s; proxy CPU %d ms)\n' \
		"$t_one" $((c1 - c0)) "$t_two" "$(awk -v a="$t_two" -v b="$t_one" \
		'BEGIN { printf "%.2fx", a / b }')" $((c2 - c1))
	peer dig && printf 'ratio dig loop / mdig-mx:   %sx (rounds %s; target >= 20x)\n' \
		"$(median "${ratio_dig[@]}")" "${ratio_dig[*]}"
	if peer adnshost; then
		printf 'ratio adnshost / mdig-mx:   %sx (rounds %s; target > 1x)\n' \
			"$(median "${ratio_adns[@]}")" "${ratio_adns[*]}"
		if ((${#ratio_clean[@]})); then
			printf '  in the rounds where adnshost lost no answer: %sx (%s)\n' \
				"$(median "${ratio_clean[@]}")" "${ratio_clean[*]}"
		else
			printf '  adnshost lost answers (and waited to ask again) in every round\n'
		fi
	fi
	peer adnshost-uniq && printf 'ratio adnshost distinct / mdig-mx: %sx (rounds %s; a bound)\n' \
		"$(median "${ratio_adnsu[@]}")" "${ratio_adnsu[*]}"
	printf 'full report of %s (%d queries, tree depth %d):\n' "$dom" "$nseq" "$DEPTH"
	printf '  mdig-mx %s ms (rounds %s); its queries one after another %s ms;\n' \
		"$(median "${t_rep[@]}")" "${t_rep[*]}" "$(median "${t_seq[@]}")"
	printf '  bound 3 x %d ms x %d = %d ms: mdig-mx at %s of it\n' "$DELAY" "$DEPTH" \
		$((3 * DELAY * DEPTH)) "$(awk -v a="$(median "${t_rep[@]}")" \
		-v b=$((3 * DELAY * DEPTH)) 'BEGIN { printf "%.2f", a / b }')"
} | tee "$OUT/results.txt"
