# tests of the audit & override area (overrides log, history, audit, export)
check_PROGRAMS += tests/test_override
TESTS += tests/test_override
tests_test_override_SOURCES = tests/test_override.c
tests_test_override_CFLAGS = $(TEST_CFLAGS)
tests_test_override_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/test_export
TESTS += tests/test_export
tests_test_export_SOURCES = tests/test_export.c
tests_test_export_CFLAGS = $(TEST_CFLAGS)
tests_test_export_LDADD = $(TEST_LIBS)
check_PROGRAMS += tests/test_history
TESTS += tests/test_history
tests_test_history_SOURCES = tests/test_history.c tests/audit_util.h
tests_test_history_CFLAGS = $(TEST_CFLAGS)
tests_test_history_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/fixtures/audit/causes.ndjson
