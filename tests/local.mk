# tests: fragment of the top-level Makefile.am
include $(top_srcdir)/tests/audit.mk
