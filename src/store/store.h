/* The SQLite store: open, migrate, transactions, settings, contact lookup,
 * and loading one contact's facts for the engine. */
#ifndef WF_STORE_STORE_H
#define WF_STORE_STORE_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "core/facts.h"
#include "core/status.h"

#define WF_SCHEMA_VERSION 1
#define WF_APPLICATION_ID 0x57484652 /* "WHFR" */

typedef struct wf_store wf_store;

enum {
    WF_STORE_READONLY = 1 << 0, /* never write, even if the file is writable */
    WF_STORE_CREATE = 1 << 1,   /* create the file when it does not exist */
};

/* Opens (and if needed creates or migrates) a database. On failure *out is
 * NULL and err holds one plain sentence naming the file; the file is left
 * untouched. A file the user cannot write is opened read-only. */
wf_status wf_store_open(const char *path, unsigned flags, wf_store **out, char *err, size_t errsz);
void wf_store_close(wf_store **s);

sqlite3 *wf_store_db(wf_store *s);
const char *wf_store_path(const wf_store *s);
int wf_store_is_readonly(const wf_store *s);
/* Why it is read-only: "--read-only" or "file is not writable". */
const char *wf_store_readonly_reason(const wf_store *s);
/* The last SQLite error as text. */
const char *wf_store_errmsg(wf_store *s);

/* WF_E_READONLY with a message in err when the store cannot be written. */
wf_status wf_store_check_writable(wf_store *s, char *err, size_t errsz);

/* BEGIN IMMEDIATE (waits up to the busy timeout, then WF_E_BUSY), COMMIT,
 * ROLLBACK. */
wf_status wf_store_begin(wf_store *s);
wf_status wf_store_commit(wf_store *s);
void wf_store_rollback(wf_store *s);

/* Maps a SQLite result code to a status. */
wf_status wf_store_status(int rc);

/* Runs SQL with no result rows. */
wf_status wf_store_exec(wf_store *s, const char *sql);

/* settings table; get returns a malloc'd string or NULL. */
char *wf_store_setting_get(wf_store *s, const char *key);
wf_status wf_store_setting_set(wf_store *s, const char *key, const char *value);

/* Contacts */
int64_t wf_store_count_contacts(wf_store *s); /* -1 on error */
/* CONTACT as the user typed it: a numeric id or an email (case-insensitive).
 * A merged-away record resolves to the record it was merged into. */
wf_status wf_store_find_contact(wf_store *s, const char *spec, int64_t *id);

/* Loads everything the engine needs for one contact (including records
 * merged into it, the tokens linked to them, the page views of those tokens
 * and of the contact, forms, clicks, history, merges, the active override
 * and the site domains). */
wf_status wf_store_load_facts(wf_store *s, int64_t id, wf_facts **out);
void wf_facts_free(wf_facts **f);

#endif
