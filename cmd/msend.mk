## cmd/msend.mk: owned by its area; append only (+=).
bin_PROGRAMS += cmd/msend
cmd_msend_SOURCES = cmd/msend.c cmd/msend-queue.c cmd/msend-queue.h \
	cmd/msend.h cmd/msend-compose.c cmd/msend-modes.c
cmd_msend_LDADD = cmd/libcmd.a $(MKIT_PROTO_LIBS)
dist_man_MANS += man/msend.1
dist_bashcompletion_DATA += completions/msend.bash
dist_zshcompletion_DATA += completions/_msend
dist_fishcompletion_DATA += completions/msend.fish
if HAVE_BATS
TESTS += tests/bats/msend-drift.bats tests/bats/msend.bats \
	tests/bats/msend-fault.bats tests/bats/msend-batch.bats
endif
EXTRA_DIST += tests/bats/msend-drift.bats tests/bats/msend.bats \
	tests/bats/msend-fault.bats tests/bats/msend-batch.bats

# the queue and failover (issue 12)
if HAVE_BATS
TESTS += tests/bats/msend-queue.bats
endif
EXTRA_DIST += tests/bats/msend-queue.bats

# make install-sendmail: msend as the system's sendmail, where Debian's
# msmtp-mta puts it: $(sbindir)/sendmail, $(prefix)/lib/sendmail and
# $(bindir)/mailq link to msend (which lists its queue when called mailq).
# The links are relative (ln -r, as Debian's policy wants them inside
# /usr), so they work under DESTDIR too.
install-sendmail: install-binPROGRAMS
	$(MKDIR_P) '$(DESTDIR)$(sbindir)' '$(DESTDIR)$(bindir)' \
		'$(DESTDIR)$(prefix)/lib'
	ln -sfr '$(DESTDIR)$(bindir)/msend' '$(DESTDIR)$(sbindir)/sendmail'
	ln -sfr '$(DESTDIR)$(bindir)/msend' '$(DESTDIR)$(prefix)/lib/sendmail'
	ln -sf msend '$(DESTDIR)$(bindir)/mailq'
uninstall-sendmail:
	rm -f '$(DESTDIR)$(sbindir)/sendmail' '$(DESTDIR)$(bindir)/mailq' \
		'$(DESTDIR)$(prefix)/lib/sendmail'
.PHONY: install-sendmail uninstall-sendmail

# sendmail mode streams its body through a spool file (1 GB in bounded
# memory)
if HAVE_BATS
TESTS += tests/bats/msend-stream.bats
endif
EXTRA_DIST += tests/bats/msend-stream.bats

# make install-sendmail and uninstall-sendmail, into a DESTDIR
if HAVE_BATS
TESTS += tests/bats/msend-install.bats
endif
EXTRA_DIST += tests/bats/msend-install.bats
