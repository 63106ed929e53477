# tests: fragment of the top-level Makefile.am — the foundation tests, the
# bundled demo data and the native-format man page.

dist_pkgdata_DATA += data/demo.ndjson

# audit & override area tests (tests/audit.mk is owned by that area)
include $(top_srcdir)/tests/audit.mk

# inspector tests (tests/tui.mk is owned by the inspector)
include $(top_srcdir)/tests/tui.mk

check_PROGRAMS += tests/test_core
TESTS += tests/test_core
tests_test_core_SOURCES = tests/test_core.c
tests_test_core_CFLAGS = $(TEST_CFLAGS)
tests_test_core_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_store
TESTS += tests/test_store
tests_test_store_SOURCES = tests/test_store.c tests/filesum.h
tests_test_store_CFLAGS = $(TEST_CFLAGS)
tests_test_store_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_demo
TESTS += tests/test_demo
tests_test_demo_SOURCES = tests/test_demo.c
tests_test_demo_CFLAGS = $(TEST_CFLAGS)
tests_test_demo_LDADD = $(TEST_LIBS)

# runs the real binary ($WHEREFROM_BIN) with fork/exec
check_PROGRAMS += tests/test_cli
TESTS += tests/test_cli
tests_test_cli_SOURCES = tests/test_cli.c tests/filesum.h
tests_test_cli_CFLAGS = $(TEST_CFLAGS)
tests_test_cli_LDADD = $(TEST_LIBS)

# the native format's man page (installed by make install)
dist_man_MANS += man/wherefrom-format.5
