# tests: fragment of the top-level Makefile.am — the foundation tests, the
# bundled demo data and the native-format man page.

dist_pkgdata_DATA += data/demo.ndjson
