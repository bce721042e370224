#!/usr/bin/env bats
# mpop --help, man/mpop.1 and the three completion files name the same
# options: none may gain or lose one without the others.

load drift_helper

@test "drift: --help and man/mpop.1 list the same options" {
	run drift mpop man -s 40
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the bash completion list the same options" {
	run drift mpop bash -s 40
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the zsh completion list the same options" {
	run drift mpop zsh -s 40
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the fish completion list the same options" {
	run drift mpop fish -s 40
	echo "$output"
	[ "$status" -eq 0 ]
}
