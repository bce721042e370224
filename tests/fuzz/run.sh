#!/bin/sh
# run.sh SRCDIR: build and run the libFuzzer targets one after the other
# (see tests/fuzz/local.mk; `make fuzz` sets the environment). Exits 1 if a
# target found a crash (saved under tests/fuzz/crashes/<name>/), 2 if a
# target could not be built.
set -u
srcdir=$1
: "${CLANG:=}" "${FUZZ_SECONDS:=60}" "${FUZZ_ARGS:=}" "${FUZZ_ONLY:=}"
if [ -z "$CLANG" ]; then
	echo "make fuzz: clang not found (Debian: clang libclang-rt-14-dev)" >&2
	exit 2
fi
targets=${FUZZ_ONLY:-$FUZZ_TARGETS}
libsrcs=
for s in $FUZZ_LIB_SRCS; do
	libsrcs="$libsrcs $srcdir/$s"
done
mkdir -p tests/fuzz/work
status=0
for t in $targets; do
	src=$srcdir/tests/fuzz/fuzz_$t.c
	bin=tests/fuzz/fuzz_$t
	work=tests/fuzz/work/$t
	crashes=$srcdir/tests/fuzz/crashes/$t
	if [ ! -f "$src" ]; then
		echo "fuzz: $t: no $src" >&2
		status=2
		continue
	fi
	echo "fuzz: $t: building"
	# shellcheck disable=SC2086 # word splitting of flag lists is wanted
	if ! $CLANG $FUZZ_CFLAGS $FUZZ_CPPFLAGS -o "$bin" "$src" $libsrcs \
	    $FUZZ_LIB_LIBS; then
		echo "fuzz: $t: build failed" >&2
		status=2
		continue
	fi
	mkdir -p "$work" "$crashes"
	cp "$srcdir"/tests/fuzz/corpus/"$t"/* "$work"/ 2>/dev/null
	for f in "$crashes"/*; do
		[ -f "$f" ] && cp "$f" "$work"/
	done
	dict=
	if [ -f "$srcdir/tests/fuzz/$t.dict" ]; then
		dict=-dict=$srcdir/tests/fuzz/$t.dict
	fi
	echo "fuzz: $t: running for ${FUZZ_SECONDS}s"
	# shellcheck disable=SC2086
	if ! "$bin" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
	    -artifact_prefix="$crashes/" $dict $FUZZ_ARGS "$work" \
	    >"tests/fuzz/work/$t.log" 2>&1; then
		echo "fuzz: $t: FOUND A CRASH, saved in $crashes/" >&2
		tail -n 40 "tests/fuzz/work/$t.log" >&2
		status=1
	else
		grep -E '^stat::(number_of_executed_units|new_units_added)' \
			"tests/fuzz/work/$t.log" | sed "s/^/fuzz: $t: /"
	fi
done
exit $status
