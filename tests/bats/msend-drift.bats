#!/usr/bin/env bats
# msend --help, man/msend.1 and the three completion files name the same
# options: none may gain or lose one without the others.

load drift_helper

@test "drift: --help and man/msend.1 list the same options" {
	run drift msend man -t 40
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the bash completion list the same options" {
	run drift msend bash -t 40
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the zsh completion list the same options" {
	run drift msend zsh -t 40
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "drift: --help and the fish completion list the same options" {
	run drift msend fish -t 40
	echo "$output"
	[ "$status" -eq 0 ]
}
