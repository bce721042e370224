#!/usr/bin/env bats
# Every man page in man/ is valid mdoc: mandoc's linter finds no warning.

@test "mandoc is available" {
	command -v mandoc
}

@test "man pages lint clean" {
	local page out fails=0
	for page in "$MKIT_SRCDIR"/man/*.[1-8]; do
		out=$(mandoc -T lint -W warning "$page" 2>&1) || true
		if [ -n "$out" ]; then
			echo "$out"
			fails=$((fails + 1))
		fi
	done
	[ "$fails" -eq 0 ]
}
