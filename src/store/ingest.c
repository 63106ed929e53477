/* Writing imported rows. All statements are prepared once per import and
 * reused; dedup relies on natural keys so a re-import is a no-op. */
#include "store/ingest.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Statement ids and their SQL. "IS" comparisons make NULLs compare equal,
 * which UNIQUE constraints do not. */
#define INGEST_SQL(X)                                                                              \
    X(Q_CONTACT_GET, "SELECT updated_at FROM contacts WHERE id=?1")                                \
    X(Q_CONTACT_INS,                                                                               \
      "INSERT INTO contacts(id,email,firstname,lastname,company,created_at,channel,"               \
      "channel_detail,channel_label,src,src_dd1,src_dd2,latest_src,latest_dd1,latest_dd2,"         \
      "latest_at,first_url,first_referrer,first_at,first_visit_at,merged_into,updated_at)"         \
      " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,"            \
      "coalesce(?21,(SELECT contact FROM merges WHERE merged_id=?1 AND contact<>?1"                \
      " ORDER BY at DESC LIMIT 1)),?22)")                                                          \
    X(Q_CONTACT_UPD,                                                                               \
      "UPDATE contacts SET email=coalesce(?2,email),firstname=coalesce(?3,firstname),"             \
      "lastname=coalesce(?4,lastname),company=coalesce(?5,company),created_at=?6,"                 \
      "channel=coalesce(?7,channel),channel_detail=coalesce(?8,channel_detail),"                   \
      "channel_label=coalesce(?9,channel_label),src=coalesce(?10,src),"                            \
      "src_dd1=coalesce(?11,src_dd1),src_dd2=coalesce(?12,src_dd2),"                               \
      "latest_src=coalesce(?13,latest_src),latest_dd1=coalesce(?14,latest_dd1),"                   \
      "latest_dd2=coalesce(?15,latest_dd2),latest_at=coalesce(?16,latest_at),"                     \
      "first_url=coalesce(?17,first_url),first_referrer=coalesce(?18,first_referrer),"             \
      "first_at=coalesce(?19,first_at),first_visit_at=coalesce(?20,first_visit_at),"               \
      "merged_into=coalesce(?21,merged_into),updated_at=coalesce(?22,updated_at)"                  \
      " WHERE id=?1 AND (email IS NOT coalesce(?2,email) OR firstname IS NOT "                     \
      "coalesce(?3,firstname)"                                                                     \
      " OR lastname IS NOT coalesce(?4,lastname) OR company IS NOT coalesce(?5,company)"           \
      " OR created_at IS NOT ?6 OR channel IS NOT coalesce(?7,channel)"                            \
      " OR channel_detail IS NOT coalesce(?8,channel_detail)"                                      \
      " OR channel_label IS NOT coalesce(?9,channel_label) OR src IS NOT coalesce(?10,src)"        \
      " OR src_dd1 IS NOT coalesce(?11,src_dd1) OR src_dd2 IS NOT coalesce(?12,src_dd2)"           \
      " OR latest_src IS NOT coalesce(?13,latest_src)"                                             \
      " OR latest_dd1 IS NOT coalesce(?14,latest_dd1) OR latest_dd2 IS NOT "                       \
      "coalesce(?15,latest_dd2)"                                                                   \
      " OR latest_at IS NOT coalesce(?16,latest_at) OR first_url IS NOT coalesce(?17,first_url)"   \
      " OR first_referrer IS NOT coalesce(?18,first_referrer)"                                     \
      " OR first_at IS NOT coalesce(?19,first_at)"                                                 \
      " OR first_visit_at IS NOT coalesce(?20,first_visit_at)"                                     \
      " OR merged_into IS NOT coalesce(?21,merged_into)"                                           \
      " OR updated_at IS NOT coalesce(?22,updated_at))")                                           \
    X(Q_CONTACT_NEW,                                                                               \
      "INSERT OR IGNORE INTO contacts(id,email,firstname,lastname,company,created_at,channel,"     \
      "channel_detail,channel_label,src,src_dd1,src_dd2,latest_src,latest_dd1,latest_dd2,"         \
      "latest_at,first_url,first_referrer,first_at,first_visit_at,merged_into,updated_at)"         \
      " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,"            \
      "coalesce(?21,(SELECT contact FROM merges WHERE merged_id=?1 AND contact<>?1"                \
      " ORDER BY at DESC LIMIT 1)),?22)")                                                          \
    X(Q_HISTORY_FAST,                                                                              \
      "INSERT OR IGNORE INTO history(contact,property,value,at,source_type,source_id,"             \
      "source_label,user_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)")                                     \
    X(Q_PROP_SET,                                                                                  \
      "INSERT INTO props(contact,name,value) VALUES(?1,?2,?3) ON CONFLICT(contact,name)"           \
      " DO UPDATE SET value=excluded.value WHERE value IS NOT excluded.value")                     \
    X(Q_PROP_KEEP, "INSERT OR IGNORE INTO props(contact,name,value) VALUES(?1,?2,?3)")             \
    X(Q_PV_EXT,                                                                                    \
      "INSERT OR IGNORE INTO pageviews(contact,token,at,url,referrer,session_id,utm_source,"       \
      "utm_medium,utm_campaign,utm_term,utm_content,title,user_agent,ext_id)"                      \
      " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)")                                   \
    X(Q_PV_BYCONTACT,                                                                              \
      "INSERT INTO pageviews(contact,token,at,url,referrer,session_id,utm_source,"                 \
      "utm_medium,utm_campaign,utm_term,utm_content,title,user_agent,ext_id)"                      \
      " SELECT ?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14 WHERE NOT EXISTS(SELECT 1"           \
      " FROM pageviews WHERE contact=?1 AND at=?3 AND token IS ?2 AND url IS ?4)")                 \
    X(Q_PV_BYTOKEN,                                                                                \
      "INSERT INTO pageviews(contact,token,at,url,referrer,session_id,utm_source,"                 \
      "utm_medium,utm_campaign,utm_term,utm_content,title,user_agent,ext_id)"                      \
      " SELECT ?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14 WHERE NOT EXISTS(SELECT 1"           \
      " FROM pageviews WHERE token=?2 AND at=?3 AND contact IS NULL AND url IS ?4)")               \
    X(Q_FORM,                                                                                      \
      "INSERT INTO forms(contact,at,form_id,conversion_id,page_url,page_title,form_type,token,"    \
      "filtered_ip) SELECT ?1,?2,?3,?4,?5,?6,?7,?8,?9 WHERE NOT EXISTS(SELECT 1 FROM forms"        \
      " WHERE contact IS ?1 AND at=?2 AND conversion_id IS ?4 AND form_id IS ?3)")                 \
    X(Q_FORM_TOKEN,                                                                                \
      "UPDATE forms SET token=?3 WHERE contact IS ?1 AND at=?2 AND conversion_id IS ?4"            \
      " AND token IS NULL AND ?3 IS NOT NULL")                                                     \
    X(Q_CLICK,                                                                                     \
      "INSERT INTO email_clicks(contact,at,url,email_id,campaign,token) SELECT ?1,?2,?3,?4,?5,?6"  \
      " WHERE NOT EXISTS(SELECT 1 FROM email_clicks WHERE contact IS ?1 AND at=?2 AND url IS ?3)") \
    X(Q_LINK, "INSERT OR IGNORE INTO tokens(token,contact,linked_at,linked_by,ref) "               \
              "VALUES(?1,?2,?3,?4,?5)")                                                            \
    X(Q_HISTORY,                                                                                   \
      "INSERT INTO history(contact,property,value,at,source_type,source_id,source_label,user_id)"  \
      " SELECT ?1,?2,?3,?4,?5,?6,?7,?8 WHERE NOT EXISTS(SELECT 1 FROM history WHERE contact=?1"    \
      " AND property=?2 AND at=?4 AND value IS ?3 AND source_type IS ?5 AND source_id IS ?6)")     \
    X(Q_MERGE,                                                                                     \
      "INSERT INTO merges(contact,merged_id,at,user_id) VALUES(?1,?2,?3,?4)"                       \
      " ON CONFLICT(contact,merged_id) DO UPDATE SET at=coalesce(at,excluded.at),"                 \
      "user_id=coalesce(user_id,excluded.user_id) WHERE (at IS NULL AND excluded.at IS NOT NULL)"  \
      " OR (user_id IS NULL AND excluded.user_id IS NOT NULL)")                                    \
    X(Q_MERGED_INTO,                                                                               \
      "UPDATE contacts SET merged_into=?1 WHERE id=?2 AND merged_into IS NOT ?1 AND ?1<>?2")       \
    X(Q_TOUCH, "INSERT OR IGNORE INTO temp.touched(contact) VALUES(?1)")                           \
    X(Q_TOUCH_TOKEN, "INSERT OR IGNORE INTO temp.touched_tokens(token) VALUES(?1)")                \
    X(Q_LOG, "INSERT INTO imports(at,file,format,records,skipped) VALUES(?1,?2,?3,?4,?5)")

enum {
#define WF_X(id, sql) id,
    INGEST_SQL(WF_X)
#undef WF_X
        Q_COUNT
};

static const char *const ingest_sql[] = {
#define WF_X(id, sql) sql,
    INGEST_SQL(WF_X)
#undef WF_X
};

struct wf_ingest {
    wf_store *s;
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
    int64_t last_touched; /* saves a statement per event of the same contact */
};

wf_status wf_ingest_new(wf_store *s, wf_ingest **out)
{
    *out = NULL;
    wf_ingest *ig = calloc(1, sizeof *ig);
    if (!ig) return WF_E_NOMEM;
    ig->s = s;
    ig->db = wf_store_db(s);
    int rc = sqlite3_exec(ig->db,
                          "CREATE TEMP TABLE IF NOT EXISTS touched(contact INTEGER PRIMARY KEY);"
                          "CREATE TEMP TABLE IF NOT EXISTS touched_tokens(token TEXT PRIMARY KEY);",
                          NULL, NULL, NULL);
    for (int i = 0; rc == SQLITE_OK && i < Q_COUNT; i++)
        rc = sqlite3_prepare_v3(ig->db, ingest_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &ig->q[i],
                                NULL);
    if (rc != SQLITE_OK) {
        wf_ingest_free(&ig);
        return wf_store_status(rc);
    }
    *out = ig;
    return WF_OK;
}

void wf_ingest_free(wf_ingest **igp)
{
    if (!igp || !*igp) return;
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize((*igp)->q[i]);
    free(*igp);
    *igp = NULL;
}

const char *wf_ingest_errmsg(wf_ingest *ig)
{
    return sqlite3_errmsg(ig->db);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_time(sqlite3_stmt *st, int i, wf_ms t)
{
    if (t == WF_TIME_NONE)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int64(st, i, t);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
    if (id)
        sqlite3_bind_int64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

/* Steps a write statement; *changed = rows changed. */
static wf_status run(wf_ingest *ig, sqlite3_stmt *st, int *changed)
{
    int rc = sqlite3_step(st);
    int n = rc == SQLITE_DONE ? sqlite3_changes(ig->db) : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (changed) *changed = n > 0;
    return rc == SQLITE_DONE ? WF_OK : wf_store_status(rc);
}

static void bind_contact(sqlite3_stmt *st, const wf_ingest_contact *c)
{
    sqlite3_bind_int64(st, 1, c->id);
    const char *text[] = {c->email, c->firstname, c->lastname, c->company};
    for (int i = 0; i < 4; i++)
        bind_text(st, 2 + i, text[i]);
    sqlite3_bind_int64(st, 6, c->created_at);
    const char *more[] = {c->channel, c->channel_detail, c->channel_label, c->src,       c->src_dd1,
                          c->src_dd2, c->latest_src,     c->latest_dd1,    c->latest_dd2};
    for (int i = 0; i < 9; i++)
        bind_text(st, 7 + i, more[i]);
    bind_time(st, 16, c->latest_at);
    bind_text(st, 17, c->first_url);
    bind_text(st, 18, c->first_referrer);
    bind_time(st, 19, c->first_at);
    bind_time(st, 20, c->first_visit_at);
    bind_id(st, 21, c->merged_into);
    bind_time(st, 22, c->updated_at);
}

wf_status wf_ingest_contact_put(wf_ingest *ig, const wf_ingest_contact *c, wf_ingest_result *res,
                                int *older)
{
    *older = 0;
    *res = WF_INGEST_UNCHANGED;
    /* most contacts of an import are new: try that first (one statement) */
    int added = 0;
    sqlite3_stmt *n = ig->q[Q_CONTACT_NEW];
    bind_contact(n, c);
    wf_status ns = run(ig, n, &added);
    if (ns != WF_OK) return ns;
    if (added) {
        *res = WF_INGEST_ADDED;
        return wf_ingest_touch(ig, c->id);
    }
    sqlite3_stmt *g = ig->q[Q_CONTACT_GET];
    sqlite3_bind_int64(g, 1, c->id);
    int rc = sqlite3_step(g);
    int exists = rc == SQLITE_ROW;
    wf_ms stored_upd = exists && sqlite3_column_type(g, 0) != SQLITE_NULL
                           ? sqlite3_column_int64(g, 0)
                           : WF_TIME_NONE;
    sqlite3_reset(g);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return wf_store_status(rc);
    /* An export older than what is stored must not roll the contact back. */
    if (exists && stored_upd != WF_TIME_NONE && c->updated_at != WF_TIME_NONE &&
        c->updated_at < stored_upd) {
        *older = 1;
        return WF_OK;
    }
    sqlite3_stmt *st = ig->q[exists ? Q_CONTACT_UPD : Q_CONTACT_INS];
    bind_contact(st, c);
    int changed = 0;
    wf_status s = run(ig, st, &changed);
    if (s == WF_OK && changed) {
        *res = exists ? WF_INGEST_UPDATED : WF_INGEST_ADDED;
        s = wf_ingest_touch(ig, c->id);
    }
    return s;
}

wf_status wf_ingest_prop(wf_ingest *ig, int64_t contact, const char *name, const char *value,
                         int keep_existing, int *changed)
{
    sqlite3_stmt *st = ig->q[keep_existing ? Q_PROP_KEEP : Q_PROP_SET];
    sqlite3_bind_int64(st, 1, contact);
    bind_text(st, 2, name);
    bind_text(st, 3, value);
    return run(ig, st, changed);
}

wf_status wf_ingest_pageview(wf_ingest *ig, const wf_pageview *p, const char *user_agent,
                             const char *ext_id, int *changed)
{
    int which = ext_id ? Q_PV_EXT : p->contact ? Q_PV_BYCONTACT : Q_PV_BYTOKEN;
    sqlite3_stmt *st = ig->q[which];
    bind_id(st, 1, p->contact);
    bind_text(st, 2, p->token);
    sqlite3_bind_int64(st, 3, p->at);
    const char *text[] = {p->url,        p->referrer,     p->session_id, p->utm_source,
                          p->utm_medium, p->utm_campaign, p->utm_term,   p->utm_content,
                          p->title,      user_agent,      ext_id};
    for (int i = 0; i < 11; i++)
        bind_text(st, 4 + i, text[i]);
    int ch = 0;
    wf_status s = run(ig, st, &ch);
    if (changed) *changed = ch;
    if (s != WF_OK || !ch) return s;
    if (p->contact) s = wf_ingest_touch(ig, p->contact);
    if (s == WF_OK && p->token) s = wf_ingest_touch_token(ig, p->token);
    return s;
}

wf_status wf_ingest_form(wf_ingest *ig, int64_t contact, const wf_form *f, int *changed)
{
    sqlite3_stmt *st = ig->q[Q_FORM];
    bind_id(st, 1, contact);
    sqlite3_bind_int64(st, 2, f->at);
    const char *text[] = {f->form_id,    f->conversion_id, f->page_url,
                          f->page_title, f->form_type,     f->token};
    for (int i = 0; i < 6; i++)
        bind_text(st, 3 + i, text[i]);
    sqlite3_bind_int(st, 9, f->filtered_ip != 0);
    int ch = 0;
    wf_status s = run(ig, st, &ch);
    if (s == WF_OK && !ch && f->token) {
        /* a later file may know the token an export did not give */
        sqlite3_stmt *u = ig->q[Q_FORM_TOKEN];
        bind_id(u, 1, contact);
        sqlite3_bind_int64(u, 2, f->at);
        bind_text(u, 3, f->token);
        bind_text(u, 4, f->conversion_id);
        s = run(ig, u, &ch);
    }
    if (changed) *changed = ch;
    if (s == WF_OK && ch && contact) s = wf_ingest_touch(ig, contact);
    return s;
}

wf_status wf_ingest_click(wf_ingest *ig, int64_t contact, const wf_email_click *c, int *changed)
{
    sqlite3_stmt *st = ig->q[Q_CLICK];
    bind_id(st, 1, contact);
    sqlite3_bind_int64(st, 2, c->at);
    const char *text[] = {c->url, c->email_id, c->campaign, c->token};
    for (int i = 0; i < 4; i++)
        bind_text(st, 3 + i, text[i]);
    int ch = 0;
    wf_status s = run(ig, st, &ch);
    if (changed) *changed = ch;
    if (s == WF_OK && ch && contact) s = wf_ingest_touch(ig, contact);
    return s;
}

wf_status wf_ingest_link(wf_ingest *ig, int64_t contact, const char *token, wf_ms at,
                         const char *by, const char *ref, int *changed)
{
    sqlite3_stmt *st = ig->q[Q_LINK];
    bind_text(st, 1, token);
    sqlite3_bind_int64(st, 2, contact);
    sqlite3_bind_int64(st, 3, at);
    bind_text(st, 4, by);
    bind_text(st, 5, ref);
    int ch = 0;
    wf_status s = run(ig, st, &ch);
    if (changed) *changed = ch;
    if (s == WF_OK && ch) s = wf_ingest_touch(ig, contact);
    return s;
}

wf_status wf_ingest_history(wf_ingest *ig, int64_t contact, const wf_history *h, int *changed)
{
    /* the UNIQUE constraint deduplicates unless one of its columns is NULL */
    int fast = h->value && h->source_type && h->source_id;
    sqlite3_stmt *st = ig->q[fast ? Q_HISTORY_FAST : Q_HISTORY];
    sqlite3_bind_int64(st, 1, contact);
    bind_text(st, 2, h->property);
    bind_text(st, 3, h->value);
    sqlite3_bind_int64(st, 4, h->at);
    const char *text[] = {h->source_type, h->source_id, h->source_label, h->user_id};
    for (int i = 0; i < 4; i++)
        bind_text(st, 5 + i, text[i]);
    int ch = 0;
    wf_status s = run(ig, st, &ch);
    if (changed) *changed = ch;
    if (s == WF_OK && ch) s = wf_ingest_touch(ig, contact);
    return s;
}

wf_status wf_ingest_merge(wf_ingest *ig, int64_t contact, int64_t merged, wf_ms at,
                          const char *user_id, int *changed)
{
    sqlite3_stmt *st = ig->q[Q_MERGE];
    sqlite3_bind_int64(st, 1, contact);
    sqlite3_bind_int64(st, 2, merged);
    bind_time(st, 3, at);
    bind_text(st, 4, user_id);
    int ch = 0, ch2 = 0;
    wf_status s = run(ig, st, &ch);
    if (s == WF_OK) {
        sqlite3_stmt *u = ig->q[Q_MERGED_INTO];
        sqlite3_bind_int64(u, 1, contact);
        sqlite3_bind_int64(u, 2, merged);
        s = run(ig, u, &ch2);
    }
    if (changed) *changed = ch;
    if (s == WF_OK && (ch || ch2)) s = wf_ingest_touch(ig, contact);
    return s;
}

wf_status wf_ingest_site_domains(wf_ingest *ig, const char *json_array, int *changed)
{
    char *old = wf_store_setting_get(ig->s, "site_domains");
    int same = old && strcmp(old, json_array) == 0;
    free(old);
    if (changed) *changed = !same;
    if (same) return WF_OK;
    wf_status s = wf_store_setting_set(ig->s, "site_domains", json_array);
    /* every contact's S12 decisions may change */
    if (s == WF_OK)
        s = wf_store_exec(ig->s, "INSERT OR IGNORE INTO temp.touched SELECT id FROM contacts");
    return s;
}

wf_status wf_ingest_touch(wf_ingest *ig, int64_t contact)
{
    if (contact == ig->last_touched) return WF_OK;
    sqlite3_stmt *st = ig->q[Q_TOUCH];
    sqlite3_bind_int64(st, 1, contact);
    wf_status s = run(ig, st, NULL);
    if (s == WF_OK) ig->last_touched = contact;
    return s;
}

void wf_ingest_forget(wf_ingest *ig)
{
    ig->last_touched = 0;
}

wf_status wf_ingest_touch_token(wf_ingest *ig, const char *token)
{
    sqlite3_stmt *st = ig->q[Q_TOUCH_TOKEN];
    bind_text(st, 1, token);
    return run(ig, st, NULL);
}

static wf_status count_one(wf_ingest *ig, const char *sql, int64_t *n)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(ig->db, sql, -1, &st, NULL);
    if (rc) return wf_store_status(rc);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? WF_OK : wf_store_status(rc);
}

/* Events whose contact is neither in the database nor a merged-away
 * record: they wait for the contact to be imported. Grouped first so a
 * large table costs one index scan and one lookup per distinct contact. */
#define PENDING(table)                                                                             \
    "SELECT coalesce(sum(n),0) FROM (SELECT contact, count(*) n FROM " table                       \
    " WHERE contact IS NOT NULL GROUP BY contact) g WHERE NOT EXISTS(SELECT 1 FROM contacts c"     \
    " WHERE c.id=g.contact) AND NOT EXISTS(SELECT 1 FROM merges m WHERE m.merged_id=g.contact)"

wf_status wf_ingest_finish(wf_ingest *ig, int64_t *pending)
{
    *pending = 0;
    ig->last_touched = 0;
    wf_status s =
        wf_store_exec(ig->s, "INSERT OR IGNORE INTO temp.touched SELECT contact FROM tokens"
                             " WHERE token IN (SELECT token FROM temp.touched_tokens);"
                             "DELETE FROM temp.touched_tokens;");
    /* a change to a merged-away record changes its survivor (chains are short) */
    for (int i = 0; s == WF_OK && i < 4; i++)
        s = wf_store_exec(
            ig->s, "INSERT OR IGNORE INTO temp.touched SELECT merged_into FROM contacts"
                   " WHERE merged_into IS NOT NULL AND id IN (SELECT contact FROM temp.touched);"
                   "INSERT OR IGNORE INTO temp.touched SELECT contact FROM merges"
                   " WHERE merged_id IN (SELECT contact FROM temp.touched);");
    int64_t a = 0, b = 0, c = 0;
    if (s == WF_OK) s = count_one(ig, PENDING("pageviews"), &a);
    if (s == WF_OK) s = count_one(ig, PENDING("forms"), &b);
    if (s == WF_OK) s = count_one(ig, PENDING("email_clicks"), &c);
    if (s == WF_OK)
        s = wf_store_exec(ig->s, "DELETE FROM temp.touched WHERE contact NOT IN"
                                 " (SELECT id FROM contacts)");
    *pending = a + b + c;
    return s;
}

wf_status wf_ingest_log_file(wf_ingest *ig, const char *file, const char *format, int64_t records,
                             int64_t skipped)
{
    sqlite3_stmt *st = ig->q[Q_LOG];
    sqlite3_bind_int64(st, 1, (int64_t)time(NULL) * 1000);
    bind_text(st, 2, file);
    bind_text(st, 3, format);
    sqlite3_bind_int64(st, 4, records);
    sqlite3_bind_int64(st, 5, skipped);
    return run(ig, st, NULL);
}
