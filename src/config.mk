## src/config.mk: owned by its area; append only (+=).
src_libmkit_a_SOURCES += src/conf.c src/conf.h src/password.c src/password.h
