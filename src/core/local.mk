# src/core: plain types and vocabularies (libc only)
libwherefrom_a_SOURCES += \
	src/core/status.c src/core/status.h \
	src/core/vocab.c src/core/vocab.h \
	src/core/timeutil.c src/core/timeutil.h \
	src/core/buf.c src/core/buf.h \
	src/core/paths.c src/core/paths.h \
	src/core/arena.c src/core/arena.h \
	src/core/facts.h \
	src/core/text.c src/core/text.h
