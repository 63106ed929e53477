# src/attrib: the attribution engine (core, uriparser, libpsl, cJSON)
libwherefrom_a_SOURCES += \
	src/attrib/engine.c src/attrib/engine.h src/attrib/engine_priv.h \
	src/attrib/url.c src/attrib/url.h \
	src/attrib/referrers.c src/attrib/referrers.h \
	src/attrib/classify.c src/attrib/classify.h \
	src/attrib/session.c src/attrib/session.h \
	src/attrib/explain.c src/attrib/explain.h src/attrib/explain_priv.h \
	src/attrib/explain_timeline.c src/attrib/explain_recon.c \
	src/attrib/explain_render.c src/attrib/explain_steps.c

dist_pkgdata_DATA += data/referrers.json

# the explain command and the computed-cache refresh live in src/cli but
# are the engine's (registered here so src/cli/local.mk stays others')
libwherefrom_a_SOURCES += src/cli/explain.c src/cli/recompute.c src/cli/recompute.h \
	src/cli/recompute_load.c src/cli/recompute_load.h

# engine tests (cmocka)
EXTRA_DIST += tests/engine_fx.h
check_PROGRAMS += tests/test_classify
TESTS += tests/test_classify
tests_test_classify_SOURCES = tests/test_classify.c
tests_test_classify_CFLAGS = $(TEST_CFLAGS)
tests_test_classify_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_url
TESTS += tests/test_url
tests_test_url_SOURCES = tests/test_url.c
tests_test_url_CFLAGS = $(TEST_CFLAGS)
tests_test_url_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_referrers
TESTS += tests/test_referrers
tests_test_referrers_SOURCES = tests/test_referrers.c
tests_test_referrers_CFLAGS = $(TEST_CFLAGS)
tests_test_referrers_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_session
TESTS += tests/test_session
tests_test_session_SOURCES = tests/test_session.c
tests_test_session_CFLAGS = $(TEST_CFLAGS)
tests_test_session_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_replay
TESTS += tests/test_replay
tests_test_replay_SOURCES = tests/test_replay.c
tests_test_replay_CFLAGS = $(TEST_CFLAGS)
tests_test_replay_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_reconcile
TESTS += tests/test_reconcile
tests_test_reconcile_SOURCES = tests/test_reconcile.c
tests_test_reconcile_CFLAGS = $(TEST_CFLAGS)
tests_test_reconcile_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_explain
TESTS += tests/test_explain
tests_test_explain_SOURCES = tests/test_explain.c
tests_test_explain_CFLAGS = $(TEST_CFLAGS)
tests_test_explain_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/fixtures/engine/worked_example.ndjson

# engine benchmark, built on demand: make bench/bench_engine
EXTRA_PROGRAMS += bench/bench_engine
bench_bench_engine_SOURCES = bench/bench_engine.c
bench_bench_engine_LDADD = libwherefrom.a $(DEP_LIBS)
CLEANFILES += bench/bench_engine

check_PROGRAMS += tests/test_recompute
TESTS += tests/test_recompute
tests_test_recompute_SOURCES = tests/test_recompute.c
tests_test_recompute_CFLAGS = $(TEST_CFLAGS)
tests_test_recompute_LDADD = $(TEST_LIBS)
