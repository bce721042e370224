## src/smtp.mk: owned by its area; append only (+=).
src_libmkit_a_SOURCES += \
	src/addrsplit.c src/addrsplit.h \
	src/msgprep.c src/msgprep.h

check_PROGRAMS += tests/unit/t_msgprep
TESTS += tests/unit/t_msgprep
tests_unit_t_msgprep_SOURCES = tests/unit/t_msgprep.c tests/unit/tap.h
tests_unit_t_msgprep_LDADD = $(MKIT_CODEC_LIBS)
src_libmkit_a_SOURCES += src/smtp.c src/smtp.h
