/* Schema and migrations, keyed on PRAGMA user_version. */
#include "store/schema.h"

#include <stddef.h>

/* Version 1. Times are epoch milliseconds (UTC). Page views, forms and clicks
 * carry the contact id given by the export with no foreign key, so events for
 * a contact that is not imported yet are kept and attach when it arrives. */
static const char schema_v1[] =
    "CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE contacts("
    " id INTEGER PRIMARY KEY,"
    " email TEXT, firstname TEXT, lastname TEXT, company TEXT,"
    " created_at INTEGER NOT NULL,"
    " channel TEXT, channel_detail TEXT, channel_label TEXT,"
    " src TEXT, src_dd1 TEXT, src_dd2 TEXT,"
    " latest_src TEXT, latest_dd1 TEXT, latest_dd2 TEXT, latest_at INTEGER,"
    " first_url TEXT, first_referrer TEXT, first_at INTEGER, first_visit_at INTEGER,"
    " merged_into INTEGER,"
    " updated_at INTEGER);"
    "CREATE INDEX contacts_email ON contacts(email COLLATE NOCASE);"
    "CREATE INDEX contacts_created ON contacts(created_at, id);"
    /* The list's default order skips merged-away records; without this
     * partial index the first page walked past every merged record dated
     * before the first live one (1,415 of them in the 1M bench data). */
    "CREATE INDEX contacts_live_created ON contacts(created_at, id) WHERE merged_into IS NULL;"
    "CREATE INDEX contacts_merged ON contacts(merged_into) WHERE merged_into IS NOT NULL;"
    /* the inspector's search: prefix ranges on these (src/store/rows.c) */
    "CREATE INDEX contacts_firstname ON contacts(firstname COLLATE NOCASE);"
    "CREATE INDEX contacts_lastname ON contacts(lastname COLLATE NOCASE);"
    "CREATE INDEX contacts_company ON contacts(company COLLATE NOCASE);"
    "CREATE INDEX contacts_channel ON contacts(channel, created_at, id);"
    "CREATE TABLE props(contact INTEGER NOT NULL, name TEXT NOT NULL, value TEXT,"
    " PRIMARY KEY(contact, name)) WITHOUT ROWID;"
    "CREATE TABLE pageviews("
    " id INTEGER PRIMARY KEY, contact INTEGER, token TEXT, at INTEGER NOT NULL,"
    " url TEXT, referrer TEXT, session_id TEXT,"
    " utm_source TEXT, utm_medium TEXT, utm_campaign TEXT, utm_term TEXT, utm_content TEXT,"
    " title TEXT, user_agent TEXT, ext_id TEXT);"
    "CREATE INDEX pageviews_contact ON pageviews(contact, at) WHERE contact IS NOT NULL;"
    "CREATE INDEX pageviews_token ON pageviews(token, at) WHERE token IS NOT NULL;"
    "CREATE UNIQUE INDEX pageviews_ext ON pageviews(ext_id) WHERE ext_id IS NOT NULL;"
    "CREATE TABLE tokens("
    " id INTEGER PRIMARY KEY, token TEXT NOT NULL, contact INTEGER NOT NULL,"
    " linked_at INTEGER NOT NULL, linked_by TEXT NOT NULL, ref TEXT,"
    " UNIQUE(contact, token, linked_by, linked_at));"
    "CREATE INDEX tokens_token ON tokens(token);"
    "CREATE TABLE forms("
    " id INTEGER PRIMARY KEY, contact INTEGER, at INTEGER NOT NULL,"
    " form_id TEXT, conversion_id TEXT, page_url TEXT, page_title TEXT, form_type TEXT,"
    " token TEXT, filtered_ip INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(contact, at, conversion_id));"
    "CREATE TABLE email_clicks("
    " id INTEGER PRIMARY KEY, contact INTEGER, at INTEGER NOT NULL,"
    " url TEXT, email_id TEXT, campaign TEXT, token TEXT,"
    " UNIQUE(contact, at, url));"
    "CREATE TABLE history("
    " id INTEGER PRIMARY KEY, contact INTEGER NOT NULL, property TEXT NOT NULL,"
    " value TEXT, at INTEGER NOT NULL,"
    " source_type TEXT, source_id TEXT, source_label TEXT, user_id TEXT,"
    " UNIQUE(contact, property, at, value, source_type, source_id));"
    "CREATE TABLE merges("
    " id INTEGER PRIMARY KEY, contact INTEGER NOT NULL, merged_id INTEGER NOT NULL,"
    " at INTEGER, user_id TEXT, UNIQUE(contact, merged_id));"
    "CREATE INDEX merges_merged ON merges(merged_id);"
    /* Append-only trail of local overrides: 'set' rows and 'revert' rows.
     * The active override of a contact is its newest row when that is a
     * 'set'. Nothing is ever updated or deleted. */
    "CREATE TABLE overrides("
    " id INTEGER PRIMARY KEY, contact INTEGER NOT NULL, at INTEGER NOT NULL,"
    " user TEXT NOT NULL, action TEXT NOT NULL CHECK(action IN ('set','revert')),"
    " source TEXT, dd1 TEXT, dd2 TEXT,"
    " reason TEXT NOT NULL CHECK(length(trim(reason)) > 0),"
    " prev_source TEXT, prev_dd1 TEXT, prev_dd2 TEXT,"
    " computed_source TEXT, computed_dd1 TEXT, computed_dd2 TEXT,"
    " plan TEXT);"
    "CREATE INDEX overrides_contact ON overrides(contact, id);"
    "CREATE TRIGGER overrides_no_update BEFORE UPDATE ON overrides"
    " BEGIN SELECT RAISE(ABORT, 'the overrides log is append-only'); END;"
    "CREATE TRIGGER overrides_no_delete BEFORE DELETE ON overrides"
    " BEGIN SELECT RAISE(ABORT, 'the overrides log is append-only'); END;"
    /* Cache of the engine's result per contact; rebuildable from the events.
     * eff_* is the effective value (active override, else computed). */
    "CREATE TABLE computed("
    " contact INTEGER PRIMARY KEY,"
    " source TEXT, dd1 TEXT, dd2 TEXT, rule TEXT, via TEXT,"
    " eff_source TEXT, eff_dd1 TEXT, eff_dd2 TEXT,"
    " latest_source TEXT, first_session_at INTEGER,"
    " n_changes INTEGER NOT NULL DEFAULT 0, flags INTEGER NOT NULL DEFAULT 0,"
    " rulebook INTEGER NOT NULL DEFAULT 1);"
    "CREATE INDEX computed_eff ON computed(eff_source);"
    "CREATE TABLE imports("
    " id INTEGER PRIMARY KEY, at INTEGER NOT NULL, file TEXT, format TEXT,"
    " records INTEGER, skipped INTEGER);";

static const char *const migrations[] = {
    NULL,      /* 0 -> nothing */
    schema_v1, /* 0 -> 1 */
};

int wf_schema_version(void)
{
    return (int)(sizeof migrations / sizeof migrations[0]) - 1;
}

const char *wf_schema_migration(int to_version)
{
    if (to_version < 1 || to_version > wf_schema_version()) return NULL;
    return migrations[to_version];
}
