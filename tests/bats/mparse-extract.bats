#!/usr/bin/env bats
# mparse extract: safe names, never outside the folder, no overwrite
# without --force, collisions renamed, names printed.

load mparse_helper

# A message with one attachment per name given (body "n:<name>").
mkmsg() {
	local out=$1 name
	shift
	{
		printf 'Subject: att\nContent-Type: multipart/mixed; boundary=Z\n\n'
		for name in "$@"; do
			printf -- '--Z\nContent-Type: application/octet-stream\n'
			printf 'Content-Disposition: attachment; filename="%s"\n\n' "$name"
			printf 'n:%s\n' "$name"
		done
		printf -- '--Z\nContent-Type: text/plain\n\nnot an attachment\n--Z--\n'
	} > "$out"
}

@test "extract writes attachments under safe base names and prints them" {
	mkmsg "$T/m.eml" "../../evil.sh" "/etc/cron.d/x" '..\win.bat' ".bashrc" "a.txt"
	mkdir "$T/out"
	cd "$T/out"
	mp extract "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = $'evil.sh\nx\nwin.bat\nbashrc\na.txt' ]
	[ "$(cat evil.sh)" = "n:../../evil.sh" ]
	[ "$(cat x)" = "n:/etc/cron.d/x" ]
	[ ! -e "$T/evil.sh" ]
	[ ! -e "$BATS_TEST_TMPDIR/../evil.sh" ]
	[ "$(ls -A | wc -l)" -eq 5 ]
}

@test "extract -o writes into the folder, creating it" {
	mkmsg "$T/m.eml" "report.pdf"
	mp extract -o "$T/new" "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/new/report.pdf" ]
	[ -f "$T/new/report.pdf" ]
}

@test "names that reduce to nothing become part-SECTION" {
	mkmsg "$T/m.eml" ".." "..." "/" ""
	mp extract -o "$T/o" "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/o/part-1"$'\n'"$T/o/part-2"$'\n'"$T/o/part-3"$'\n'"$T/o/part-4" ]
}

@test "control characters are removed from names" {
	printf 'Subject: c\nContent-Type: application/x; name="=?utf-8?q?a=07b=1Bc=7Fd.txt?="\n\nx' > "$T/c.eml"
	mp extract -o "$T/o" "$T/c.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/o/abcd.txt" ]
}

@test "a NUL in a name is dropped, not an end: x.txt%00.jpg is saved as x.txt.jpg" {
	printf "Subject: c\nContent-Type: application/x\nContent-Disposition: attachment; filename*=UTF-8''x.txt%%00.jpg\n\nx" > "$T/n.eml"
	printf 'Subject: c\nContent-Type: application/x; name="=?utf-8?q?y.txt=00.exe?="\n\ny' > "$T/q.eml"
	mp extract -o "$T/o" "$T/n.eml" "$T/q.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/o/x.txt.jpg"$'\n'"$T/o/y.txt.exe" ]
	[ "$(cat "$T/o/x.txt.jpg")" = x ]
	[ ! -e "$T/o/x.txt" ]
	[ ! -e "$T/o/y.txt" ]
}

@test "collisions inside a message are renamed name-1.ext" {
	mkmsg "$T/m.eml" "a.txt" "a.txt" "dir/a.txt"
	mp extract -o "$T/o" "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/o/a.txt"$'\n'"$T/o/a-1.txt"$'\n'"$T/o/a-2.txt" ]
	[ "$(cat "$T/o/a-2.txt")" = "n:dir/a.txt" ]
}

@test "existing files are never overwritten without --force" {
	mkmsg "$T/m.eml" "a.txt"
	mkdir "$T/o"
	echo keep > "$T/o/a.txt"
	mp extract -o "$T/o" "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/o/a-1.txt" ]
	[ "$(cat "$T/o/a.txt")" = "keep" ]
}

@test "--force replaces an existing file but not one of the same run" {
	mkmsg "$T/m.eml" "a.txt" "a.txt"
	mkdir "$T/o"
	echo old > "$T/o/a.txt"
	mp extract --force -o "$T/o" "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/o/a.txt"$'\n'"$T/o/a-1.txt" ]
	[ "$(cat "$T/o/a.txt")" = "n:a.txt" ]
}

@test "a symlink in the folder is not followed" {
	mkmsg "$T/m.eml" "link.txt"
	mkdir "$T/o"
	echo secret > "$T/target"
	ln -s "$T/target" "$T/o/link.txt"
	mp extract -o "$T/o" "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/o/link-1.txt" ]
	[ "$(cat "$T/target")" = "secret" ]
	mp extract -f -o "$T/o" "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$(cat "$T/target")" = "secret" ]
	[ ! -L "$T/o/link.txt" ]
}

@test "-p selects parts, any kind of leaf" {
	mkmsg "$T/m.eml" "a.txt" "b.txt"
	mp extract -o "$T/o" -p 3 -p 2 "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/o/b.txt"$'\n'"$T/o/part-3" ]
	[ "$(cat "$T/o/part-3")" = "not an attachment" ]
}

@test "extract decodes the transfer encoding" {
	mp extract -o "$T/o" "$T/multi.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/o/passwd" ]
	[ "$(cat "$T/o/passwd")" = "hello world" ]
}

@test "an uncreatable folder exits 73" {
	echo file > "$T/notadir"
	mp extract -o "$T/notadir/sub" "$T/multi.eml"
	[ "$status" -eq 73 ]
}

@test "-p naming no leaf part exits 1" {
	mp extract -o "$T/o" -p 7 "$T/multi.eml"
	[ "$status" -eq 1 ]
	[[ $output == *"no leaf part 7"* ]]
}

@test "tree shows control characters in names as ?" {
	printf 'Subject: c\nContent-Type: application/x; name="=?utf-8?q?a=07b.txt?="\n\nx' > "$T/c.eml"
	mp tree "$T/c.eml"
	[ "$status" -eq 0 ]
	[ "$output" = '1 application/x filename="a?b.txt" size=1' ]
}
