/* Local overrides of a contact's original source (ATTRIBUTION.md §7, last
 * paragraph): an append-only log of 'set' and 'revert' rows. The active
 * override of a contact is its newest row when that row is a 'set'.
 *
 * Every write is one transaction (BEGIN IMMEDIATE, bounded busy wait, then
 * WF_E_BUSY "database is busy"), records who, when and why, the effective
 * value before and the computed value at that moment, and updates the
 * `computed` cache row (eff_* columns, F_OVERRIDDEN / F_OVERRIDE_DRIFT bits)
 * so list views and filters see the change at once. A read-only store refuses
 * with WF_E_READONLY and the file is not touched. */
#ifndef WF_STORE_OVERRIDES_H
#define WF_STORE_OVERRIDES_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "core/timeutil.h"
#include "store/store.h"

/* A source value with its two drill-downs; any member may be NULL. */
typedef struct {
    const char *source, *dd1, *dd2;
} wf_override_value;

/* What the user asks for. */
typedef struct {
    const char *source;    /* required; a value of WF_SOURCE_TABLE (any case) */
    const char *dd1, *dd2; /* NULL or "" for empty */
    const char *reason;    /* required, not blank */
    const char *user;      /* NULL or "": the login name */
    const char *plan;      /* plan file name for bulk overrides, else NULL */
} wf_override_input;

/* One row of the log, owned (free with wf_override_row_clear). */
typedef struct {
    int64_t id, contact;
    wf_ms at;
    int is_set; /* 1: 'set', 0: 'revert' */
    char *user, *reason, *plan;
    char *source, *dd1, *dd2;                            /* the override ('set' rows) */
    char *prev_source, *prev_dd1, *prev_dd2;             /* effective value before */
    char *computed_source, *computed_dd1, *computed_dd2; /* computed value at that moment */
} wf_override_row;

void wf_override_row_clear(wf_override_row *r);

/* The author used when none is given: the login name (getpwuid, then
 * getlogin, then $USER), never empty ("unknown" as a last resort). */
void wf_override_default_user(char *buf, size_t size);

/* Checks a source value against the vocabulary; on success writes the
 * canonical upper-case value into canon (size >= 32). On failure err names
 * the value and lists the valid ones. */
wf_status wf_override_check_source(const char *value, char *canon, size_t canonsz, char *err,
                                   size_t errsz);

/* Sets an override. `computed` is the engine's value for the contact at this
 * moment; NULL (or a NULL source) takes it from the computed cache, else from
 * the stored value. *row_id (may be NULL) receives the new log row id. */
wf_status wf_override_set(wf_store *s, int64_t contact, const wf_override_input *in,
                          const wf_override_value *computed, wf_ms now, int64_t *row_id, char *err,
                          size_t errsz);

/* Ends the active override (WF_E_NOTFOUND with a message when there is
 * none). `user` NULL: the login name. */
wf_status wf_override_revert(wf_store *s, int64_t contact, const char *reason, const char *user,
                             wf_ms now, int64_t *row_id, char *err, size_t errsz);

/* Undoes the newest log row of the contact by appending a row that restores
 * the state before it (the previous override, or none). `reason` NULL gives
 * "undo of #<id>". WF_E_NOTFOUND when the contact has no log rows. */
wf_status wf_override_undo_last(wf_store *s, int64_t contact, const char *reason, const char *user,
                                wf_ms now, int64_t *row_id, char *err, size_t errsz);

/* Bulk: applies n overrides in ONE transaction (all or nothing). contacts[i]
 * gets ins[i]; computed may be NULL (cache). On failure err names the
 * contact and *failed_index (may be NULL) the item. */
wf_status wf_override_set_many(wf_store *s, const int64_t *contacts, const wf_override_input *ins,
                               const wf_override_value *computed, size_t n, wf_ms now,
                               size_t *failed_index, char *err, size_t errsz);

/* The active override: *found = 1 and out filled (clear it after), or
 * *found = 0. */
wf_status wf_override_active(wf_store *s, int64_t contact, wf_override_row *out, int *found);

/* Calls fn for each log row in id order: one contact's rows, or every row
 * when contact is 0. A non-zero return from fn stops the walk (returned as
 * WF_OK). The row is valid only during the call. */
typedef int (*wf_override_fn)(void *ctx, const wf_override_row *row);
wf_status wf_override_log(wf_store *s, int64_t contact, wf_override_fn fn, void *ctx);

/* Calls fn for each contact's ACTIVE override, in contact order. */
wf_status wf_override_each_active(wf_store *s, wf_override_fn fn, void *ctx);

/* Number of log rows (contact 0: all); -1 on error. */
int64_t wf_override_count(wf_store *s, int64_t contact);

#endif
