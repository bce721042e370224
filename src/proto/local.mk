## src/proto: the protocol engines and what drives them. SASL (libgsasl and
## the in-tree OAuth mechanisms), the SMTP engine, sendmail(8)'s envelope
## rules, and msend --batch (the stream reader and the window sender). On
## every layer below; link with $(MKIT_PROTO_LIBS).
noinst_LIBRARIES += src/proto/libproto.a
src_proto_libproto_a_SOURCES = \
	src/proto/sasl.c src/proto/sasl.h \
	src/proto/saslx.c src/proto/saslx.h \
	src/proto/smtp.c src/proto/smtp.h src/proto/smtp_int.h \
	src/proto/smtp_auth.c \
	src/proto/netacct.c src/proto/netacct.h \
	src/proto/smtp_reply.c src/proto/smtp_reply.h \
	src/proto/smtp_data.c src/proto/smtp_data.h \
	src/proto/pop3_reply.c src/proto/pop3_reply.h \
	src/proto/pop3.c src/proto/pop3.h \
	src/proto/pop3fetch.c src/proto/pop3fetch.h \
	src/proto/imap_reply.c src/proto/imap_reply.h \
	src/proto/imap.c src/proto/imap.h \
	src/proto/imap_ops.c src/proto/imap_ops.h \
	src/proto/imap_json.c src/proto/imap_json.h \
	src/proto/imap_utf7.c src/proto/imap_utf7.h \
	src/proto/imap_set.c src/proto/imap_set.h \
	src/proto/imap_flagpush.c src/proto/imap_flagpush.h \
	src/proto/imap_idle.c src/proto/imap_idle.h \
	src/proto/sendmail.c src/proto/sendmail.h \
	src/proto/probe.c src/proto/probe.h \
	src/proto/mxprobe.c src/proto/mxprobe.h \
	src/proto/batch.c src/proto/batchread.c src/proto/batch.h \
	src/proto/qflush.c src/proto/qflush.h
AM_CPPFLAGS += $(GSASL_CFLAGS) $(GSSAPI_CFLAGS)

# One reply parser per protocol over the line layer (net/pp.h), and
# SMTP's DATA and BDAT writers.
check_PROGRAMS += tests/unit/t_smtp_reply tests/unit/t_pop3_reply \
	tests/unit/t_imap_reply tests/unit/t_smtp_data
TESTS += tests/unit/t_smtp_reply tests/unit/t_pop3_reply \
	tests/unit/t_imap_reply tests/unit/t_smtp_data
tests_unit_t_smtp_data_SOURCES = tests/unit/t_smtp_data.c tests/unit/tap.h
tests_unit_t_smtp_data_LDADD = $(MKIT_PROTO_LIBS)
tests_unit_t_smtp_reply_SOURCES = tests/unit/t_smtp_reply.c tests/unit/tap.h
tests_unit_t_smtp_reply_LDADD = $(MKIT_PROTO_LIBS)
tests_unit_t_pop3_reply_SOURCES = tests/unit/t_pop3_reply.c tests/unit/tap.h
tests_unit_t_pop3_reply_LDADD = $(MKIT_PROTO_LIBS)
tests_unit_t_imap_reply_SOURCES = tests/unit/t_imap_reply.c tests/unit/tap.h
tests_unit_t_imap_reply_LDADD = $(MKIT_PROTO_LIBS)

# The SASL exchange driver over a socketpair (tests/unit/peer.h: a
# scripted server in a thread), described as SMTP-style and IMAP-style.
check_PROGRAMS += tests/unit/t_saslx
TESTS += tests/unit/t_saslx
tests_unit_t_saslx_SOURCES = tests/unit/t_saslx.c tests/unit/peer.h \
	tests/unit/tap.h
tests_unit_t_saslx_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_t_saslx_LDADD = $(MKIT_PROTO_LIBS) -lpthread

# The SMTP engine against scripted servers on a socketpair (peer.h).
check_PROGRAMS += tests/unit/t_smtp
TESTS += tests/unit/t_smtp
tests_unit_t_smtp_SOURCES = tests/unit/t_smtp.c tests/unit/peer.h \
	tests/unit/tap.h
tests_unit_t_smtp_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_t_smtp_LDADD = $(MKIT_PROTO_LIBS) -lpthread

check_PROGRAMS += tests/unit/t_sasl
TESTS += tests/unit/t_sasl
tests_unit_t_sasl_SOURCES = tests/unit/t_sasl.c tests/unit/tap.h
tests_unit_t_sasl_LDADD = $(MKIT_PROTO_LIBS)

# The SASL layer against a real Dovecot (IMAP AUTHENTICATE over a socket).
check_PROGRAMS += tests/sasl/sasl-imap-driver
tests_sasl_sasl_imap_driver_SOURCES = tests/sasl/sasl-imap-driver.c
tests_sasl_sasl_imap_driver_LDADD = $(MKIT_PROTO_LIBS)
if HAVE_BATS
TESTS += tests/sasl/dovecot-sasl.bats
endif
EXTRA_DIST += tests/sasl/dovecot-sasl.bats

# GSSAPI end to end: a throwaway MIT KDC, Dovecot with GSSAPI, Postfix, msend.
if HAVE_BATS
TESTS += tests/bats/gssapi.bats
endif
EXTRA_DIST += tests/bats/gssapi.bats tests/sasl/gssapi-lsan.supp

check_PROGRAMS += tests/unit/t_netacct
TESTS += tests/unit/t_netacct
tests_unit_t_netacct_SOURCES = tests/unit/t_netacct.c tests/unit/tap.h
tests_unit_t_netacct_LDADD = $(MKIT_PROTO_LIBS)

check_PROGRAMS += tests/unit/t_sendmail
TESTS += tests/unit/t_sendmail
tests_unit_t_sendmail_SOURCES = tests/unit/t_sendmail.c tests/unit/tap.h
tests_unit_t_sendmail_LDADD = $(MKIT_PROTO_LIBS)

check_PROGRAMS += tests/unit/t_batch
TESTS += tests/unit/t_batch
tests_unit_t_batch_SOURCES = tests/unit/t_batch.c tests/unit/tap.h
tests_unit_t_batch_LDADD = $(MKIT_PROTO_LIBS)

# The one mboxrd reader fed in any steps, directly and through the --batch
# reader over a pipe, against itself fed at once; the writer's round trip
# (differential fuzz target).
FUZZ_TARGETS += batch
FUZZ_LIB_SRCS += src/proto/batchread.c src/store/msgsrc.c src/store/mdir.c
check_PROGRAMS += tests/fuzz/replay_batch
TESTS += tests/fuzz/replay_batch
tests_fuzz_replay_batch_SOURCES = tests/fuzz/fuzz_batch.c tests/fuzz/replay.c
tests_fuzz_replay_batch_LDADD = $(MKIT_PROTO_LIBS)
EXTRA_DIST += tests/fuzz/corpus/batch tests/fuzz/crashes/batch

# What --probe shows of a server (probe.h), from fixed values.
check_PROGRAMS += tests/unit/t_probe
TESTS += tests/unit/t_probe
tests_unit_t_probe_SOURCES = tests/unit/t_probe.c tests/unit/tap.h
tests_unit_t_probe_LDADD = $(MKIT_PROTO_LIBS)

# The IMAP response reader on hostile input (fuzz target; the corpus
# replay runs in make check).
FUZZ_TARGETS += imap
check_PROGRAMS += tests/fuzz/replay_imap
TESTS += tests/fuzz/replay_imap
tests_fuzz_replay_imap_SOURCES = tests/fuzz/fuzz_imap.c tests/fuzz/replay.c
tests_fuzz_replay_imap_LDADD = $(MKIT_PROTO_LIBS)

# IMAP folder names (modified UTF-7) and UID sets.
check_PROGRAMS += tests/unit/t_imap_util
TESTS += tests/unit/t_imap_util
tests_unit_t_imap_util_SOURCES = tests/unit/t_imap_util.c tests/unit/tap.h
tests_unit_t_imap_util_LDADD = $(MKIT_PROTO_LIBS)

# The POP3 engine over a socketpair (tests/unit/peer.h), strict and
# pipelined servers.
check_PROGRAMS += tests/unit/t_pop3
TESTS += tests/unit/t_pop3
tests_unit_t_pop3_SOURCES = tests/unit/t_pop3.c tests/unit/peer.h \
	tests/unit/tap.h
tests_unit_t_pop3_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_t_pop3_LDADD = $(MKIT_PROTO_LIBS) -lpthread
## APPEND of a message stream: spooled, MULTIAPPEND batches (imap_append.h)
src_proto_libproto_a_SOURCES += src/proto/imap_append.c src/proto/imap_append.h
## the IMAP engine against scripted servers on a socketpair
check_PROGRAMS += tests/unit/t_imap
TESTS += tests/unit/t_imap
tests_unit_t_imap_SOURCES = tests/unit/t_imap.c tests/unit/peer.h \
	tests/unit/tap.h
tests_unit_t_imap_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_t_imap_LDADD = $(MKIT_PROTO_LIBS) -lpthread

# The folder watch of mimap idle against a scripted server (peer.h).
check_PROGRAMS += tests/unit/t_imap_idle
TESTS += tests/unit/t_imap_idle
tests_unit_t_imap_idle_SOURCES = tests/unit/t_imap_idle.c tests/unit/peer.h \
	tests/unit/imap_peer.h tests/unit/tap.h
tests_unit_t_imap_idle_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_t_imap_idle_LDADD = $(MKIT_PROTO_LIBS) -lpthread

# Flags pushed with UNCHANGEDSINCE against a scripted server (peer.h).
check_PROGRAMS += tests/unit/t_imap_flagpush
TESTS += tests/unit/t_imap_flagpush
tests_unit_t_imap_flagpush_SOURCES = tests/unit/t_imap_flagpush.c \
	tests/unit/peer.h tests/unit/imap_peer.h tests/unit/tap.h
tests_unit_t_imap_flagpush_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_t_imap_flagpush_LDADD = $(MKIT_PROTO_LIBS) -lpthread

# mimap pull (issue 11)
src_proto_libproto_a_SOURCES += src/proto/imap_pull.c src/proto/imap_pull.h
