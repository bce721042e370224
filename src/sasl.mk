## src/sasl.mk: owned by its area; append only (+=).
src_libmkit_a_SOURCES += src/sasl.c src/sasl.h
AM_CPPFLAGS += $(GSASL_CFLAGS)
