# tests/bats/batch_helper.bash: msend --batch against a local server, for
# msend-batch.bats and mbox-agree.bats (load after helpers).

# batch PORT [ARGS]: msend --batch to 127.0.0.1:PORT, no TLS, no AUTH.
batch() {
	local port=$1
	shift
	msend --batch --host 127.0.0.1 --port "$port" --tls=off --auth=off \
		--timeout=10 "$@"
}

# sink_count: messages smtp-sink has received so far.
sink_count() {
	local n
	n=$(grep -c '^X-Mail-Args:' "$SINK_DUMP" 2>/dev/null) || n=0
	echo "$n"
}

# wait_until SECONDS CMD...: poll CMD every 0.05 s until it succeeds.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		(( SECONDS < end )) || return 1
		sleep 0.05
	done
}

sink_has() { [[ $(sink_count) -ge $1 ]]; }
