## src/net: bytes on the wire. On base only; link with $(MKIT_NET_LIBS).
## The network layer: conn (libcurl connection, TLS, STARTTLS), pp (line and
## reply layer shared by the protocol engines), transcript (-v, redacted).
noinst_LIBRARIES += src/net/libnet.a
src_net_libnet_a_SOURCES = \
	src/net/conn.c src/net/conn.h \
	src/net/connacc.c src/net/connacc.h \
	src/net/tlsreport.c src/net/tlsreport.h \
	src/net/tlsamatch.c src/net/tlsamatch.h \
	src/net/certchk.c src/net/certchk.h \
	src/net/pp.c src/net/pp.h \
	src/net/transcript.c src/net/transcript.h \
	src/net/https.c src/net/https.h
AM_CPPFLAGS += $(CURL_CFLAGS) $(OPENSSL_CFLAGS)

## Tests: unit tests from memory; conn_drive runs conn+pp against the local
## servers started by tests/net.bats (tests/net/*.py).
check_PROGRAMS += tests/net/conn_drive
tests_net_conn_drive_SOURCES = tests/net/conn_drive.c
# (it reads SMTP replies: the proto layer's smtp_reply)
tests_net_conn_drive_LDADD = $(MKIT_PROTO_LIBS)
check_PROGRAMS += tests/unit/t_connacc
TESTS += tests/unit/t_connacc
tests_unit_t_connacc_SOURCES = tests/unit/t_connacc.c tests/unit/tap.h
tests_unit_t_connacc_LDADD = $(MKIT_NET_LIBS)
check_PROGRAMS += tests/unit/t_tlsreport
TESTS += tests/unit/t_tlsreport
tests_unit_t_tlsreport_SOURCES = tests/unit/t_tlsreport.c tests/unit/tap.h
tests_unit_t_tlsreport_LDADD = $(MKIT_NET_LIBS)
check_PROGRAMS += tests/unit/t_pp
TESTS += tests/unit/t_pp
tests_unit_t_pp_SOURCES = tests/unit/t_pp.c tests/unit/tap.h
tests_unit_t_pp_LDADD = $(MKIT_NET_LIBS)
if HAVE_BATS
TESTS += tests/net.bats
endif
EXTRA_DIST += tests/net.bats tests/net/netserver.py
# The TLSA matcher and the chain checks against certificates made at test
# time (OpenSSL).
check_PROGRAMS += tests/unit/t_tlsamatch
TESTS += tests/unit/t_tlsamatch
tests_unit_t_tlsamatch_SOURCES = tests/unit/t_tlsamatch.c tests/unit/tap.h
tests_unit_t_tlsamatch_LDADD = $(MKIT_NET_LIBS)

## libcurl loaded on first use (curlload.c) for mdig-mx, whose runs mostly
## ask only the DNS: link $(MKIT_NET_LOAD_LIBS) in place of $(MKIT_NET_LIBS).
## Without a soname (configure --disable-curl-load) it is libcurl itself.
## OpenSSL (libssl, libcrypto) likewise, on first use (sslload.c), when
## configure found OpenSSL 3's soname.
if CURL_LOAD
noinst_LIBRARIES += src/net/libcurlload.a
src_net_libcurlload_a_SOURCES = src/net/curlload.c \
	src/net/dlsyms.c src/net/dlsyms.h
if SSL_LOAD
noinst_LIBRARIES += src/net/libsslload.a
src_net_libsslload_a_SOURCES = src/net/sslload.c
MKIT_NET_LOAD_LIBS = src/net/libnet.a $(MKIT_BASE_LIBS) \
	src/net/libsslload.a src/net/libcurlload.a $(DL_LIBS)
else
MKIT_NET_LOAD_LIBS = src/net/libnet.a $(MKIT_BASE_LIBS) \
	src/net/libcurlload.a $(DL_LIBS) $(OPENSSL_LIBS)
endif
else
MKIT_NET_LOAD_LIBS = $(MKIT_NET_LIBS)
endif
