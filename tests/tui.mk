# Inspector tests (src/tui, src/store/rows.c): fragment included by tests/local.mk.
TUI_TEST_SOURCES = tests/tui_fixture.c tests/tui_fixture.h

check_PROGRAMS += tests/test_tui_rows
TESTS += tests/test_tui_rows
tests_test_tui_rows_SOURCES = tests/test_tui_rows.c $(TUI_TEST_SOURCES)
tests_test_tui_rows_CFLAGS = $(TEST_CFLAGS)
tests_test_tui_rows_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_tui
TESTS += tests/test_tui
tests_test_tui_SOURCES = tests/test_tui.c $(TUI_TEST_SOURCES)
tests_test_tui_CFLAGS = $(TEST_CFLAGS)
tests_test_tui_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_tui_keys
TESTS += tests/test_tui_keys
tests_test_tui_keys_SOURCES = tests/test_tui_keys.c $(TUI_TEST_SOURCES)
tests_test_tui_keys_CFLAGS = $(TEST_CFLAGS)
tests_test_tui_keys_LDADD = $(TEST_LIBS)

EXTRA_DIST += tests/tui.mk tests/expect

check_PROGRAMS += tests/test_e2e
TESTS += tests/test_e2e
tests_test_e2e_SOURCES = tests/test_e2e.c $(TUI_TEST_SOURCES)
tests_test_e2e_CFLAGS = $(TEST_CFLAGS)
tests_test_e2e_LDADD = $(TEST_LIBS) $(VTERM_LIBS) -lutil
