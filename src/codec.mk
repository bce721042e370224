## src/codec.mk: owned by its area; append only (+=).
## The codec layer: base64 qp charset rfc2047 rfc2231 addr date. Depends on
## base (buf err util) and libunistring only; link with $(MKIT_CODEC_LIBS).
src_libmkit_a_SOURCES += \
	src/base64.c src/base64.h \
	src/qp.c src/qp.h \
	src/charset.c src/charset.h \
	src/rfc2047.c src/rfc2047.h \
	src/rfc2231.c src/rfc2231.h \
	src/addr.c src/addr.h \
	src/date.c src/date.h
