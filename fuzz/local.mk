# fuzz: libFuzzer targets, built only by `configure --enable-fuzzers CC=clang`
# (which instruments every object, libwherefrom.a included). Build them with
# `make fuzzers`; fuzz/run-ci builds them out of tree and runs each one.
FUZZ_LINKFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
FUZZ_LINKLIBS = libwherefrom.a $(DEP_LIBS)
WF_FUZZERS = \
	fuzz/fuzz_time \
	fuzz/fuzz_text \
	fuzz/fuzz_url \
	fuzz/fuzz_referrers \
	fuzz/fuzz_import_v3 \
	fuzz/fuzz_import_v1 \
	fuzz/fuzz_import_events \
	fuzz/fuzz_import_ndjson \
	fuzz/fuzz_plan \
	fuzz/fuzz_tui

EXTRA_DIST += fuzz/README.md fuzz/run-ci fuzz/seeds fuzz/dicts tests/HARDENING.md

if ENABLE_FUZZERS
# check_PROGRAMS: built on demand, never installed, not run as tests.
check_PROGRAMS += $(WF_FUZZERS)
fuzzers: $(WF_FUZZERS)
.PHONY: fuzzers
endif

fuzz_fuzz_time_SOURCES = fuzz/fuzz_time.c
fuzz_fuzz_time_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_time_LDADD = $(FUZZ_LINKLIBS)

fuzz_fuzz_text_SOURCES = fuzz/fuzz_text.c
fuzz_fuzz_text_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_text_LDADD = $(FUZZ_LINKLIBS)

fuzz_fuzz_url_SOURCES = fuzz/fuzz_url.c
fuzz_fuzz_url_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_url_LDADD = $(FUZZ_LINKLIBS)

fuzz_fuzz_referrers_SOURCES = fuzz/fuzz_referrers.c
fuzz_fuzz_referrers_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_referrers_LDADD = $(FUZZ_LINKLIBS)

# One source, one program per format (the format is fixed at compile time).
fuzz_fuzz_import_v3_SOURCES = fuzz/fuzz_import.c
fuzz_fuzz_import_v3_CFLAGS = $(AM_CFLAGS) -DWF_FUZZ_FORMAT='"v3"'
fuzz_fuzz_import_v3_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_import_v3_LDADD = $(FUZZ_LINKLIBS)

fuzz_fuzz_import_v1_SOURCES = fuzz/fuzz_import.c
fuzz_fuzz_import_v1_CFLAGS = $(AM_CFLAGS) -DWF_FUZZ_FORMAT='"v1"'
fuzz_fuzz_import_v1_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_import_v1_LDADD = $(FUZZ_LINKLIBS)

fuzz_fuzz_import_events_SOURCES = fuzz/fuzz_import.c
fuzz_fuzz_import_events_CFLAGS = $(AM_CFLAGS) -DWF_FUZZ_FORMAT='"events"'
fuzz_fuzz_import_events_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_import_events_LDADD = $(FUZZ_LINKLIBS)

fuzz_fuzz_import_ndjson_SOURCES = fuzz/fuzz_import.c
fuzz_fuzz_import_ndjson_CFLAGS = $(AM_CFLAGS) -DWF_FUZZ_FORMAT='"ndjson"'
fuzz_fuzz_import_ndjson_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_import_ndjson_LDADD = $(FUZZ_LINKLIBS)

fuzz_fuzz_plan_SOURCES = fuzz/fuzz_plan.c
fuzz_fuzz_plan_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_plan_LDADD = $(FUZZ_LINKLIBS)

fuzz_fuzz_tui_SOURCES = fuzz/fuzz_tui.c
fuzz_fuzz_tui_LDFLAGS = $(FUZZ_LINKFLAGS)
fuzz_fuzz_tui_LDADD = $(FUZZ_LINKLIBS)

# Regression tests for what the fuzzers found, and the hostile-input suites.
check_PROGRAMS += tests/test_hostile_regress
TESTS += tests/test_hostile_regress
tests_test_hostile_regress_SOURCES = tests/test_hostile_regress.c
tests_test_hostile_regress_CFLAGS = $(TEST_CFLAGS)
tests_test_hostile_regress_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_faults
TESTS += tests/test_faults
tests_test_faults_SOURCES = tests/test_faults.c tests/test_hostile_util.h
tests_test_faults_CFLAGS = $(TEST_CFLAGS)
tests_test_faults_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_hostile
TESTS += tests/test_hostile
tests_test_hostile_SOURCES = tests/test_hostile.c tests/test_hostile_util.h
tests_test_hostile_CFLAGS = $(TEST_CFLAGS)
tests_test_hostile_LDADD = $(TEST_LIBS)
EXTRA_DIST += \
	tests/fixtures/hostile/terminal.ndjson \
	tests/fixtures/hostile/hostile_v3.json \
	tests/fixtures/hostile/raw_controls.ndjson \
	tests/fixtures/hostile/invalid_utf8.ndjson \
	tests/fixtures/hostile/time_zero.ndjson \
	tests/fixtures/hostile/time_negative.ndjson \
	tests/fixtures/hostile/time_9999.ndjson \
	tests/fixtures/hostile/merge_self.ndjson \
	tests/fixtures/hostile/merges.ndjson \
	tests/fixtures/hostile/dup_ids.ndjson \
	tests/fixtures/hostile/lsan.supp

check_PROGRAMS += tests/test_hostile_term
TESTS += tests/test_hostile_term
tests_test_hostile_term_SOURCES = tests/test_hostile_term.c tests/test_hostile_util.h
tests_test_hostile_term_CFLAGS = $(TEST_CFLAGS)
tests_test_hostile_term_LDADD = $(TEST_LIBS) $(VTERM_LIBS)
