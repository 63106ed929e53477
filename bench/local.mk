# bench: the synthetic-data generator and the benchmark suite (bench/run).
# Built on demand only (`make bench/gen`), so normal builds do not pay for it.
GEN_SOURCES = bench/gen_model.c bench/gen_tables.c bench/gen_tables.h bench/gen_sink.c \
	bench/gen_db.c bench/gen.h bench/gen_int.h

EXTRA_PROGRAMS += bench/gen
bench_gen_SOURCES = bench/gen.c $(GEN_SOURCES)
bench_gen_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/bench
bench_gen_LDADD = libwherefrom.a $(DEP_LIBS) -lm
CLEANFILES += bench/gen

EXTRA_DIST += bench/run bench/RESULTS.md

check_PROGRAMS += tests/test_gen
TESTS += tests/test_gen
tests_test_gen_SOURCES = tests/test_gen.c $(GEN_SOURCES)
tests_test_gen_CPPFLAGS = $(AM_CPPFLAGS) -I$(srcdir)/bench
tests_test_gen_CFLAGS = $(TEST_CFLAGS)
tests_test_gen_LDADD = $(TEST_LIBS) -lm
