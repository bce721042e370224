## src/: one uninstalled static library. A program pulls in only the objects
## it references; its LDADD names the external libraries it needs.
noinst_LIBRARIES += src/libmkit.a
src_libmkit_a_SOURCES = \
	src/buf.c src/buf.h \
	src/err.c src/err.h \
	src/util.c src/util.h \
	src/json.c src/json.h

# External libraries per layer, for programs and tests to name in LDADD.
MKIT_BASE_LIBS = src/libmkit.a
MKIT_CODEC_LIBS = src/libmkit.a $(UNISTRING_LIBS)
MKIT_NET_LIBS = src/libmkit.a $(GSASL_LIBS) $(GSSAPI_LIBS) $(CURL_LIBS) \
	$(OPENSSL_LIBS)

check_PROGRAMS += tests/unit/t_buf tests/unit/t_json
TESTS += tests/unit/t_buf tests/unit/t_json
tests_unit_t_buf_SOURCES = tests/unit/t_buf.c tests/unit/tap.h
tests_unit_t_buf_LDADD = $(MKIT_BASE_LIBS)
tests_unit_t_json_SOURCES = tests/unit/t_json.c tests/unit/tap.h
tests_unit_t_json_LDADD = $(MKIT_BASE_LIBS)
