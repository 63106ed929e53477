/* Making untrusted text safe to show: data never reaches a terminal raw. */
#ifndef WF_CORE_TEXT_H
#define WF_CORE_TEXT_H

#include <stddef.h>

#include "core/buf.h"

/* Appends s to out with everything a terminal could act on made visible:
 * C0 controls and DEL as \n \t \r \e or \xNN, C1 controls (U+0080..U+009F)
 * as \u0085-style, bidi overrides and isolates (U+202A..U+202E,
 * U+2066..U+2069), U+200E/U+200F, U+061C as \u202E-style, invalid UTF-8 bytes as
 * \xNN, and a backslash as itself (no ambiguity needed for display).
 * Printable UTF-8, including CJK and combining marks, is kept. */
void wf_text_escape(wf_buf *out, const char *s);
/* Same for a length-delimited string. */
void wf_text_escape_n(wf_buf *out, const char *s, size_t n);
/* Returns 1 when s needs no escaping. */
int wf_text_is_safe(const char *s);

/* Appends JSON text (as cJSON prints it) with what JSON allows raw but a
 * terminal acts on -- DEL, C1 controls (U+0080..U+009F), bidi controls --
 * written as \u escapes, and invalid UTF-8 bytes as \ufffd: the same JSON
 * value (bar invalid bytes), safe to print. Outside strings cJSON prints
 * ASCII only, so rewriting the whole text is safe. */
void wf_text_json_safe(wf_buf *out, const char *json);

/* Decodes one UTF-8 code point at s (n bytes available). Returns its length
 * (1..4) and sets *cp, or 0 for an invalid or truncated sequence. */
int wf_utf8_decode(const char *s, size_t n, unsigned *cp);

/* Terminal columns a code point takes: 0 for combining marks and
 * zero-width characters, 2 for East Asian wide/fullwidth, else 1. Does not
 * depend on the locale. */
int wf_cp_width(unsigned cp);
/* Columns of a (safe, escaped) UTF-8 string. */
size_t wf_text_width(const char *s);
/* Byte length of the longest prefix of s that fits in `cols` columns,
 * never splitting a code point or separating combining marks from their
 * base; *used receives the columns used. */
size_t wf_text_fit(const char *s, size_t cols, size_t *used);

#endif
