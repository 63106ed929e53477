# src/store: the SQLite store (core, sqlite3)
libwherefrom_a_SOURCES += \
	src/store/store.c src/store/store.h \
	src/store/schema.c src/store/schema.h \
	src/store/rows.c src/store/rows.h \
	src/store/facts_load.c src/store/facts_rows.c src/store/facts_rows.h \
	src/store/ingest.c src/store/ingest.h \
	src/store/overrides.c src/store/overrides.h
