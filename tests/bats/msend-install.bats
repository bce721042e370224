#!/usr/bin/env bats
# make install-sendmail (cmd/msend.mk) into a DESTDIR with prefix /usr: the
# links are where Debian's msmtp-mta puts them (/usr/sbin/sendmail,
# /usr/lib/sendmail, /usr/bin/mailq), each runs msend as what it is named
# (sendmail takes a message, mailq lists the queue), and
# make uninstall-sendmail removes them and nothing else.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	export HOME=$BATS_TEST_TMPDIR XDG_STATE_HOME=$BATS_TEST_TMPDIR/state
	export MKIT_CONFIG=$BATS_TEST_TMPDIR/config
	# a server that is down, queue on: a message is queued, never sent
	printf 'account default\nhost 127.0.0.1\nport %s\ntls off\nauth off\nfrom ops@example.test\nqueue on\n' \
		"$(free_port)" >"$MKIT_CONFIG"
	chmod 600 "$MKIT_CONFIG"
	ROOT=$BATS_TEST_TMPDIR/root
}

# mk TARGET: make TARGET into $ROOT with prefix /usr.
mk() {
	make -s -C "$MKIT_BUILDDIR" "$1" DESTDIR="$ROOT" prefix=/usr >make.log 2>&1 ||
		{ cat make.log; return 1; }
}

@test "make install-sendmail: sendmail, /usr/lib/sendmail and mailq run msend; uninstall removes them" {
	mk install-sendmail
	[ -x "$ROOT/usr/bin/msend" ]
	[ "$(readlink "$ROOT/usr/sbin/sendmail")" = ../bin/msend ]
	[ "$(readlink "$ROOT/usr/lib/sendmail")" = ../bin/msend ]
	[ "$(readlink "$ROOT/usr/bin/mailq")" = msend ]
	for l in usr/sbin/sendmail usr/lib/sendmail usr/bin/mailq; do
		[ "$("$ROOT/$l" --version)" = "$(msend --version)" ]
	done
	run "$ROOT/usr/bin/mailq"
	[ "$status" -eq 0 ]
	[ "$output" = "mail queue is empty" ]
	# cron's call: the message is taken (queued: the relay is down)
	run "$ROOT/usr/sbin/sendmail" -FCronDaemon -i -odi -oem -oi -t -f root \
		< <(printf 'To: ops@example.test\nSubject: cron\n\nout\n')
	[ "$status" -eq 0 ]
	[[ $output == *"queued as "* ]]
	run "$ROOT/usr/lib/sendmail" -i ops@example.test < <(printf 'Subject: two\n\nx\n')
	[ "$status" -eq 0 ]
	run "$ROOT/usr/bin/mailq"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == *"<root>" ]]
	[ "${lines[-1]}" = "-- 2 requests" ]
	mk uninstall-sendmail
	[ ! -e "$ROOT/usr/sbin/sendmail" ] && [ ! -L "$ROOT/usr/sbin/sendmail" ]
	[ ! -e "$ROOT/usr/lib/sendmail" ] && [ ! -L "$ROOT/usr/lib/sendmail" ]
	[ ! -e "$ROOT/usr/bin/mailq" ] && [ ! -L "$ROOT/usr/bin/mailq" ]
	[ -x "$ROOT/usr/bin/msend" ]
}
