# src/import: format detection, streaming splitter, readers (core, store, cJSON)
libwherefrom_a_SOURCES += \
	src/import/import.h \
	src/import/import_stub_tmp.c
