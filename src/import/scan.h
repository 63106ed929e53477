/* Splitting a file into records without parsing it whole: a byte scanner
 * that tracks strings, escapes and depth, so memory stays bounded by the
 * largest record whatever the file size.
 *
 * JSON files: a top-level array yields its elements; a top-level object
 * with a "results" or "contacts" array yields that array's elements (the
 * other members are skipped); any other top-level object is one record.
 * NDJSON files: one record per non-blank line. */
#ifndef WF_IMPORT_SCAN_H
#define WF_IMPORT_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/status.h"

/* Limits that keep one record's memory bounded. */
#define WF_SCAN_MAX_RECORD (16u << 20) /* bytes */
#define WF_SCAN_MAX_STRING (4u << 20)  /* bytes in one JSON string */
#define WF_SCAN_MAX_DEPTH 1000         /* cJSON's nesting limit */

typedef enum {
    WF_SCAN_JSON,   /* detect array / wrapper / single object */
    WF_SCAN_NDJSON, /* one record per line */
} wf_scan_mode;

typedef enum {
    WF_WRAP_NONE,     /* not yet known */
    WF_WRAP_ARRAY,    /* a top-level array */
    WF_WRAP_RESULTS,  /* {"results": [...], ...} */
    WF_WRAP_CONTACTS, /* {"contacts": [...], ...} */
    WF_WRAP_SINGLE,   /* one top-level object */
    WF_WRAP_LINES,    /* NDJSON */
} wf_scan_wrap;

/* A problem: where, in which field, what. */
typedef struct {
    int64_t recno;  /* 1-based record (NDJSON: line) number; 0 = the file */
    int64_t offset; /* byte offset in the file */
    char field[128];
    char msg[256];
} wf_scan_err;

typedef struct {
    const char *json; /* the record's bytes (not NUL-terminated beyond len) */
    size_t len;
    int64_t recno, offset;
    int bad; /* the record is delimited but unusable: err says why */
    wf_scan_err err;
} wf_scan_rec;

typedef struct wf_scan wf_scan;

/* Opens path for reading. WF_E_NOINPUT (missing, unreadable) or WF_E_DATA
 * (a directory, not a regular file) with e filled. */
wf_status wf_scan_open(const char *path, wf_scan_mode mode, wf_scan **out, wf_scan_err *e);
void wf_scan_free(wf_scan **s);

/* The next record. WF_OK with rec->json == NULL at the end of the file.
 * WF_E_DATA / WF_E_IO when the file cannot be split any further (truncated,
 * not JSON, garbage between records): e says where. */
wf_status wf_scan_next(wf_scan *s, wf_scan_rec *rec, wf_scan_err *e);

/* How the records are wrapped (known after the first wf_scan_next). */
wf_scan_wrap wf_scan_wrapping(const wf_scan *s);
/* Bytes consumed so far and the file size (0 if unknown). */
int64_t wf_scan_pos(const wf_scan *s);
int64_t wf_scan_size(const wf_scan *s);

/* Looks at the first line of a file: 1 if it is a complete JSON object with
 * a string "type" member (a wherefrom NDJSON event log). */
int wf_scan_looks_ndjson(const char *path);

/* Checks UTF-8; returns the offset of the first bad byte or -1. */
int64_t wf_utf8_check(const char *p, size_t n);
/* The name of the last object key before offset off in a record ("" if
 * none): names the field around a syntax or encoding error. */
void wf_scan_field_at(const char *json, size_t len, size_t off, char *out, size_t outsz);

#endif
