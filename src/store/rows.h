/* Row sources for the contact list: keyset paging over prepared statements,
 * filters, sort orders and search. Nothing here ever loads all contacts: a
 * view asks for "n rows after this row" or "n rows before this row", so the
 * first screen costs the same on a thousand contacts and on ten million. */
#ifndef WF_STORE_ROWS_H
#define WF_STORE_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "core/timeutil.h"
#include "store/store.h"

/* Sort orders: X(enum, name, label) */
#define WF_SORT_TABLE(X)                                                                           \
    X(WF_SORT_CREATED, "created", "created date")                                                  \
    X(WF_SORT_ID, "id", "contact id")                                                              \
    X(WF_SORT_SOURCE, "source", "original source")

typedef enum {
#define WF_X(e, n, l) e,
    WF_SORT_TABLE(WF_X)
#undef WF_X
        WF_SORT_COUNT
} wf_sort;

const char *wf_sort_name(wf_sort s);
/* -1 for an unknown name */
int wf_sort_from_name(const char *name);

/* One list row. Strings are owned by the row (wf_row_clear frees them). */
typedef struct {
    int64_t id;
    char *email, *firstname, *lastname, *company;
    wf_ms created_at;
    char *channel;
    char *source;        /* effective: computed cache, else the stored value */
    char *dd1;           /* effective drill-down 1, same rule */
    char *stored_source; /* as imported */
    unsigned flags;      /* computed.flags bit set (core/vocab.h WF_FLAG_TABLE) */
    int has_computed;    /* a computed cache row exists */
} wf_row;

void wf_row_clear(wf_row *r);
/* Deep copy; WF_E_NOMEM on failure (dst is then cleared). */
wf_status wf_row_copy(wf_row *dst, const wf_row *src);

/* A filter; zero/NULL fields do not filter. */
typedef struct {
    char *source;    /* effective source value, e.g. "OFFLINE" */
    char *channel;   /* creation channel code, e.g. "IMPORT" */
    unsigned marker; /* any of these flag bits set */
    wf_ms from, to;  /* created_at in [from, to); WF_TIME_NONE = open */
} wf_filter;

void wf_filter_init(wf_filter *f);
void wf_filter_clear(wf_filter *f);
int wf_filter_is_empty(const wf_filter *f);
/* Parses "source=OFFLINE channel=IMPORT marker=changed
 * created=2024-01-01..2024-06-30" (terms in any order, each optional; a term
 * replaces the same term in *f). Source values may be given as value or
 * label prefix ("offline"); markers by flag name or glyph. On error returns
 * WF_E_USAGE with one sentence in err and leaves *f unchanged. */
wf_status wf_filter_parse(wf_filter *f, const char *text, char *err, size_t errsz);
/* "source=OFFLINE channel=IMPORT" (canonical form, "" when empty) into buf. */
void wf_filter_describe(const wf_filter *f, char *buf, size_t bufsz);

typedef struct wf_rows wf_rows;

wf_status wf_rows_new(wf_store *s, wf_rows **out);
void wf_rows_free(wf_rows **r);
void wf_rows_set_sort(wf_rows *r, wf_sort sort);
wf_sort wf_rows_sort(const wf_rows *r);
/* Copies the filter. */
wf_status wf_rows_set_filter(wf_rows *r, const wf_filter *f);
const wf_filter *wf_rows_filter(const wf_rows *r);

/* Up to n rows strictly after `key` in the sort order (from the start when
 * key is NULL), ascending. *got receives the count; out[0..*got) must be
 * cleared by the caller. */
wf_status wf_rows_after(wf_rows *r, const wf_row *key, size_t n, wf_row *out, size_t *got);
/* Up to n rows strictly before `key` (up to the end when key is NULL),
 * returned in ascending order. */
wf_status wf_rows_before(wf_rows *r, const wf_row *key, size_t n, wf_row *out, size_t *got);
/* The row of contact id if it passes the filter; WF_E_NOTFOUND otherwise. */
wf_status wf_rows_get(wf_rows *r, int64_t id, wf_row *out);

/* The next (dir > 0) or previous (dir < 0) row after `from` matching query,
 * wrapping around the ends (*wrapped set to 1 then). The query matches an
 * id exactly, or a prefix of email, first name, last name or company
 * (ASCII case-insensitive), or "first last" prefixes; lookups go through
 * indexes, never a scan of all contacts. WF_E_NOTFOUND when nothing
 * matches. */
wf_status wf_rows_find(wf_rows *r, const char *query, const wf_row *from, int dir, wf_row *out,
                       int *wrapped);

/* Number of contacts passing the filter (not merged away). This one scans;
 * callers run it after the first screen. -1 on error. */
int64_t wf_rows_count(wf_rows *r);
/* The largest contact id (0 when there is none): one index step. */
int64_t wf_rows_max_id(wf_rows *r);
/* The same, giving up after about ms milliseconds (returns -2 then). */
int64_t wf_rows_count_within(wf_rows *r, int ms);

#endif
