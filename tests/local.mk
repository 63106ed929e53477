# tests: fragment of the top-level Makefile.am — the foundation tests, the
# bundled demo data and the native-format man page.

dist_pkgdata_DATA += data/demo.ndjson

# audit & override area tests (tests/audit.mk is owned by that area)
include $(top_srcdir)/tests/audit.mk
