## src/net.mk: owned by its area; append only (+=).
## The network layer: conn (libcurl connection, TLS, STARTTLS), pp (line and
## reply layer shared by the protocol engines), transcript (-v, redacted).
src_libmkit_a_SOURCES += \
	src/conn.c src/conn.h \
	src/pp.c src/pp.h \
	src/transcript.c src/transcript.h
AM_CPPFLAGS += $(CURL_CFLAGS) $(OPENSSL_CFLAGS)
