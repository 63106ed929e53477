/* The store's write side for imported rows. One wf_ingest holds the prepared
 * statements of one import (reused for every row); the caller owns the
 * transaction. Every write is idempotent: importing the same facts twice
 * changes nothing the second time (natural keys, UNIQUE constraints, ext_id).
 * Each function sets *changed (when not NULL) to 1 if a row was written. */
#ifndef WF_STORE_INGEST_H
#define WF_STORE_INGEST_H

#include <stdint.h>

#include "core/facts.h"
#include "store/store.h"

typedef struct wf_ingest wf_ingest;

/* A contact as an export gives it. NULL / WF_TIME_NONE = not given: a later
 * import never clears a value an earlier one set. */
typedef struct {
    int64_t id;
    const char *email, *firstname, *lastname, *company;
    wf_ms created_at; /* required */
    const char *channel, *channel_detail, *channel_label;
    const char *src, *src_dd1, *src_dd2;
    const char *latest_src, *latest_dd1, *latest_dd2;
    wf_ms latest_at;
    const char *first_url, *first_referrer;
    wf_ms first_at, first_visit_at;
    int64_t merged_into; /* 0: not given */
    wf_ms updated_at;    /* the export's last-modified time; WF_TIME_NONE: unknown */
} wf_ingest_contact;

typedef enum {
    WF_INGEST_ADDED,     /* a new contact */
    WF_INGEST_UPDATED,   /* an existing contact changed */
    WF_INGEST_UNCHANGED, /* same values, or an older export than the stored one */
} wf_ingest_result;

/* Prepares the statements and creates temp.touched / temp.touched_tokens. */
wf_status wf_ingest_new(wf_store *s, wf_ingest **out);
void wf_ingest_free(wf_ingest **ig);

/* Upserts a contact. *older is set when the stored row comes from a newer
 * export (its columns and properties are then left alone). */
wf_status wf_ingest_contact_put(wf_ingest *ig, const wf_ingest_contact *c, wf_ingest_result *res,
                                int *older);
/* One property value (props table); keep_existing: do not overwrite. */
wf_status wf_ingest_prop(wf_ingest *ig, int64_t contact, const char *name, const char *value,
                         int keep_existing, int *changed);
/* A page view; ext_id (the event id) deduplicates when given, else
 * (contact or token, at, url) does. */
wf_status wf_ingest_pageview(wf_ingest *ig, const wf_pageview *p, const char *user_agent,
                             const char *ext_id, int *changed);
wf_status wf_ingest_form(wf_ingest *ig, int64_t contact, const wf_form *f, int *changed);
wf_status wf_ingest_click(wf_ingest *ig, int64_t contact, const wf_email_click *c, int *changed);
/* A visitor-token link; by is "form", "email", "identity" or "creation". */
wf_status wf_ingest_link(wf_ingest *ig, int64_t contact, const char *token, wf_ms at,
                         const char *by, const char *ref, int *changed);
wf_status wf_ingest_history(wf_ingest *ig, int64_t contact, const wf_history *h, int *changed);
/* Record `merged` was merged into `contact` (at may be WF_TIME_NONE). */
wf_status wf_ingest_merge(wf_ingest *ig, int64_t contact, int64_t merged, wf_ms at,
                          const char *user_id, int *changed);
/* settings 'site_domains' (a JSON array text). */
wf_status wf_ingest_site_domains(wf_ingest *ig, const char *json_array, int *changed);

/* Marks a contact (or every contact linked to a token) for recomputation. */
wf_status wf_ingest_touch(wf_ingest *ig, int64_t contact);
wf_status wf_ingest_touch_token(wf_ingest *ig, const char *token);

/* Forgets what is cached about rows written so far (after a ROLLBACK TO). */
void wf_ingest_forget(wf_ingest *ig);

/* Once every row is written: extends temp.touched through token links and
 * merges, counts the events kept for contacts that are not in the database
 * (*pending), and drops those from temp.touched (nothing to recompute). */
wf_status wf_ingest_finish(wf_ingest *ig, int64_t *pending);

/* A log row in `imports` for one file. */
wf_status wf_ingest_log_file(wf_ingest *ig, const char *file, const char *format, int64_t records,
                             int64_t skipped);

/* The SQLite error message of the last failed write. */
const char *wf_ingest_errmsg(wf_ingest *ig);

#endif
