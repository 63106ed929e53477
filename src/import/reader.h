/* Inside the importer: what a format reader gets (one parsed record) and the
 * helpers that turn JSON values into typed values with exact error reports. */
#ifndef WF_IMPORT_READER_H
#define WF_IMPORT_READER_H

#include <cjson/cJSON.h>
#include <stdint.h>

#include "core/timeutil.h"
#include "import/import.h"
#include "store/ingest.h"

/* Timestamps outside [1990-01-01, 2100-01-01) are refused as absurd (a time
 * in seconds read as milliseconds lands in 1970; a typo in the year...). */
#define WF_IMPORT_TIME_MIN 631152000000LL
#define WF_IMPORT_TIME_MAX 4102444800000LL

typedef struct {
    wf_ingest *ig;
    wf_import_report *rep;
    char field[128]; /* where the last error is */
    char msg[256];   /* what is wrong */
} wf_imp;

/* Records an error (always returns WF_E_DATA). */
wf_status wf_imp_fail(wf_imp *im, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* After a failure inside a nested object: prefixes the field with the
 * path of that object ("properties.x.versions[2]" + "." + field). Paths are
 * built only when something is wrong, never per record. */
wf_status wf_imp_in(wf_imp *im, wf_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* JSON type name for messages ("a number", "an object", ...). */
const char *wf_imp_type(const cJSON *j);

/* An id: a positive integer number or a string of digits. Absent or null:
 * *out = 0, an error only when required. */
wf_status wf_imp_id(wf_imp *im, const cJSON *j, const char *field, int required, int64_t *out);
/* A time: epoch ms (number or digit string) or ISO-8601. Absent or null:
 * WF_TIME_NONE, an error only when required. */
wf_status wf_imp_time(wf_imp *im, const cJSON *j, const char *field, int required, wf_ms *out);
/* A string or null/absent (*out NULL). Numbers and booleans are refused. */
wf_status wf_imp_str(wf_imp *im, const cJSON *j, const char *field, const char **out);
/* A property value: a string, or a number/boolean kept as its JSON text
 * in buf. */
wf_status wf_imp_value(wf_imp *im, const cJSON *j, const char *field, char *buf, size_t bufsz,
                       const char **out);
/* An object or array member, or absent/null (*out NULL). */
wf_status wf_imp_obj(wf_imp *im, const cJSON *j, const char *field, const cJSON **out);
wf_status wf_imp_arr(wf_imp *im, const cJSON *j, const char *field, const cJSON **out);
/* Text of a string / number id member for ext ids ("123" for 123). */
wf_status wf_imp_idtext(wf_imp *im, const cJSON *j, const char *field, char *buf, size_t bufsz,
                        const char **out);

const cJSON *wf_imp_get(const cJSON *obj, const char *key);

/* The readers: one record each. */
wf_status wf_import_v3_record(wf_imp *im, const cJSON *rec);
wf_status wf_import_v1_profile(wf_imp *im, const cJSON *rec);
wf_status wf_import_event(wf_imp *im, const cJSON *rec);
wf_status wf_import_native(wf_imp *im, const cJSON *rec);

/* Shared by v3 and v1: a contact's typed columns from its current property
 * values (lookup(name) returns the value or NULL) and its history. */
typedef const char *(*wf_imp_lookup)(void *ctx, const char *name);
wf_status wf_imp_contact_from_props(wf_imp *im, int64_t id, wf_imp_lookup lookup, void *ctx,
                                    wf_ms created_fallback, wf_ms updated_at, wf_ingest_contact *c);
/* 1 for a property whose value is kept verbatim in a contacts column (email,
 * names, the source and drill-downs, first URL/referrer) or is the record id
 * itself: the props table does not repeat it. */
int wf_imp_prop_in_columns(const char *name);
/* Writes c, counts it; *older as wf_ingest_contact_put. */
wf_status wf_imp_put_contact(wf_imp *im, const wf_ingest_contact *c, int *older);
/* Writes one history entry and counts it. */
wf_status wf_imp_put_history(wf_imp *im, int64_t contact, const wf_history *h);
/* A record's history entries, gathered before they are written. */
typedef struct {
    wf_history *v;
    size_t n, cap;
} wf_imp_hist;
wf_status wf_imp_hist_add(wf_imp_hist *h, const wf_history *e);
void wf_imp_hist_free(wf_imp_hist *h);
/* When the record-source properties were absent: the channel is the DD1 and
 * the detail the DD2 that came with the earliest OFFLINE value of
 * hs_analytics_source in the history. */
void wf_imp_channel_from_history(const wf_imp_hist *h, wf_ingest_contact *c);

#endif
