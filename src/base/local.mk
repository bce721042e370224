## src/base: the ground every layer stands on. Buffers, errors, small
## utilities, JSON output, the configuration file and its accounts, and the
## password sources. Includes nothing from another layer.
noinst_LIBRARIES += src/base/libbase.a
src_base_libbase_a_SOURCES = \
	src/base/buf.c src/base/buf.h \
	src/base/err.c src/base/err.h \
	src/base/util.c src/base/util.h \
	src/base/log.c src/base/log.h \
	src/base/json.c src/base/json.h \
	src/base/conf.c src/base/conf.h \
	src/base/password.c src/base/password.h \
	src/base/uidfind.c src/base/uidfind.h \
	src/base/hchain.c src/base/hchain.h

# Each layer is its own archive, so a program links only the layers it
# names: a reference to a layer it does not name fails at link time. List
# the higher layers first. The external libraries each stack needs come
# with it.
MKIT_BASE_LIBS = src/base/libbase.a
MKIT_CODEC_LIBS = src/codec/libcodec.a $(MKIT_BASE_LIBS) $(UNISTRING_LIBS)
MKIT_STORE_LIBS = src/store/libstore.a $(MKIT_BASE_LIBS)
MKIT_MIME_LIBS = src/mime/libmime.a src/store/libstore.a $(MKIT_CODEC_LIBS) \
	$(OPENSSL_LIBS)
MKIT_NET_LIBS = src/net/libnet.a $(MKIT_BASE_LIBS) $(CURL_LIBS) \
	$(OPENSSL_LIBS)
MKIT_DNS_LIBS = src/dns/libdns.a $(MKIT_BASE_LIBS) $(CARES_LIBS) $(PSL_LIBS) \
	$(RESOLV_LIBS)
MKIT_PROTO_LIBS = src/proto/libproto.a src/net/libnet.a src/mime/libmime.a \
	src/store/libstore.a src/codec/libcodec.a $(MKIT_BASE_LIBS) \
	$(GSASL_LIBS) $(GSSAPI_LIBS) $(CURL_LIBS) $(OPENSSL_LIBS) \
	$(UNISTRING_LIBS)

check_PROGRAMS += tests/unit/t_buf tests/unit/t_json tests/unit/t_util \
	tests/unit/t_log
TESTS += tests/unit/t_buf tests/unit/t_json tests/unit/t_util \
	tests/unit/t_log
tests_unit_t_buf_SOURCES = tests/unit/t_buf.c tests/unit/tap.h
tests_unit_t_buf_LDADD = $(MKIT_BASE_LIBS)
tests_unit_t_json_SOURCES = tests/unit/t_json.c tests/unit/tap.h
tests_unit_t_json_LDADD = $(MKIT_BASE_LIBS)
tests_unit_t_util_SOURCES = tests/unit/t_util.c tests/unit/tap.h
tests_unit_t_util_LDADD = $(MKIT_BASE_LIBS)
tests_unit_t_log_SOURCES = tests/unit/t_log.c tests/unit/tap.h
tests_unit_t_log_LDADD = $(MKIT_BASE_LIBS)

# one binary search over ascending UIDs for store and proto
check_PROGRAMS += tests/unit/t_uidfind
TESTS += tests/unit/t_uidfind
tests_unit_t_uidfind_SOURCES = tests/unit/t_uidfind.c tests/unit/tap.h
tests_unit_t_uidfind_LDADD = $(MKIT_BASE_LIBS)

# the chained hash table of mdig-mx's questions and answers
check_PROGRAMS += tests/unit/t_hchain
TESTS += tests/unit/t_hchain
tests_unit_t_hchain_SOURCES = tests/unit/t_hchain.c tests/unit/tap.h
tests_unit_t_hchain_LDADD = $(MKIT_BASE_LIBS)

dist_man_MANS += man/mkit-config.5
check_PROGRAMS += tests/unit/t_config
TESTS += tests/unit/t_config
tests_unit_t_config_SOURCES = tests/unit/t_config.c tests/unit/tap.h
tests_unit_t_config_LDADD = $(MKIT_BASE_LIBS)
check_PROGRAMS += tests/unit/t_password
TESTS += tests/unit/t_password
tests_unit_t_password_SOURCES = tests/unit/t_password.c tests/unit/tap.h
tests_unit_t_password_LDADD = $(MKIT_BASE_LIBS)
if HAVE_BATS
TESTS += tests/bats/keyring.bats tests/bats/keyring-postfix.bats
endif
EXTRA_DIST += tests/bats/keyring.bats tests/bats/keyring_helper.bash \
	tests/bats/keyring-postfix.bats
