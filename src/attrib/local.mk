# src/attrib: fragment of the top-level Makefile.am
