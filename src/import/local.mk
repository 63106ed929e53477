# src/import: format detection, streaming splitter, readers (core, store, cJSON)
libwherefrom_a_SOURCES += \
	src/import/import.h src/import/import.c \
	src/import/scan.h src/import/scan.c \
	src/import/reader.h src/import/common.c \
	src/import/v3.c src/import/v1.c src/import/events.c src/import/native.c

# the import subcommand is the importer's (registered here so src/cli/local.mk
# stays others')
libwherefrom_a_SOURCES += src/cli/import_cmd.c

check_PROGRAMS += tests/test_import
TESTS += tests/test_import
tests_test_import_SOURCES = tests/test_import.c
tests_test_import_CFLAGS = $(TEST_CFLAGS)
tests_test_import_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/test_import_e2e
TESTS += tests/test_import_e2e
tests_test_import_e2e_SOURCES = tests/test_import_e2e.c
tests_test_import_e2e_CFLAGS = $(TEST_CFLAGS)
tests_test_import_e2e_LDADD = $(TEST_LIBS) -lutil

EXTRA_DIST += \
	tests/fixtures/import/v3_list.json \
	tests/fixtures/import/v1_profile.json \
	tests/fixtures/import/events_page.json \
	tests/fixtures/import/ua_both.json \
	tests/fixtures/import/story_v1.json \
	tests/fixtures/import/story_events.json \
	tests/fixtures/import/native.ndjson
