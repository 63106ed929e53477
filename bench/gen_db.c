/* The generator's database output: a wherefrom database opened through the
 * store (so the schema is the real one), filled with prepared statements in
 * large transactions with syncing and the journal off while it is built.
 * Rows look like what the importer makes of the v3 export, plus the forms,
 * email clicks, token links and merges a v1 export would add. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen_int.h"
#include "store/store.h"

enum { Q_CONTACT, Q_PROP, Q_HIST, Q_PV, Q_FORM, Q_CLICK, Q_TOKEN, Q_MERGE, Q_N };

static const char *const sql[Q_N] = {
    "INSERT INTO contacts(id,email,firstname,lastname,company,created_at,channel,channel_detail,"
    "channel_label,src,src_dd1,src_dd2,latest_src,latest_dd1,latest_dd2,latest_at,first_url,"
    "first_referrer,first_at,first_visit_at,merged_into,updated_at)"
    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT INTO props(contact,name,value) VALUES(?,?,?)",
    "INSERT INTO history(contact,property,value,at,source_type,source_id,source_label,user_id)"
    " VALUES(?,?,?,?,?,?,NULL,?)",
    "INSERT INTO pageviews(contact,token,at,url,referrer,session_id,utm_source,utm_medium,"
    "utm_campaign,utm_term,utm_content,title,user_agent,ext_id)"
    " VALUES(?,NULL,?,?,?,?,?,?,?,?,?,?,?,?)",
    "INSERT INTO forms(contact,at,form_id,conversion_id,page_url,page_title,form_type,token,"
    "filtered_ip) VALUES(?,?,?,?,?,?,'HUBSPOT',?,?)",
    "INSERT INTO email_clicks(contact,at,url,email_id,campaign,token) VALUES(?,?,?,?,?,?)",
    "INSERT OR IGNORE INTO tokens(token,contact,linked_at,linked_by,ref) VALUES(?,?,?,?,?)",
    "INSERT INTO merges(contact,merged_id,at,user_id) VALUES(?,?,?,?)"};

#define COMMIT_EVERY 50000

typedef struct {
    gen_sink base;
    wf_store *store;
    sqlite3 *db;
    sqlite3_stmt *q[Q_N];
    int64_t contacts;
} db_sink;

static void bt(sqlite3_stmt *q, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(q, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, i);
}

static void bi(sqlite3_stmt *q, int i, int64_t v)
{
    sqlite3_bind_int64(q, i, v);
}

static void bt_time(sqlite3_stmt *q, int i, wf_ms t)
{
    if (t == WF_TIME_NONE || t == 0)
        sqlite3_bind_null(q, i);
    else
        sqlite3_bind_int64(q, i, t);
}

static wf_status run(db_sink *k, int q)
{
    int rc = sqlite3_step(k->q[q]);
    sqlite3_reset(k->q[q]);
    if (rc == SQLITE_DONE) return WF_OK;
    snprintf(k->base.err, k->base.errsz, "%s: %s", wf_store_path(k->store), sqlite3_errmsg(k->db));
    return WF_E_IO;
}

static wf_status put_contact_row(db_sink *k, const gen_contact *c)
{
    sqlite3_stmt *q = k->q[Q_CONTACT];
    bi(q, 1, c->id);
    bt(q, 2, c->email);
    bt(q, 3, c->firstname);
    bt(q, 4, c->lastname);
    bt(q, 5, c->company);
    bi(q, 6, c->created);
    bt(q, 7, c->channel);
    bt(q, 8, c->channel_detail);
    bt(q, 9, c->channel_label);
    bt(q, 10, c->src);
    bt(q, 11, c->dd1);
    bt(q, 12, c->dd2);
    bt(q, 13, c->latest);
    bt(q, 14, c->latest_dd1);
    bt(q, 15, c->latest_dd2);
    bt_time(q, 16, c->latest_at);
    bt(q, 17, c->first_url);
    bt(q, 18, c->first_ref);
    bt_time(q, 19, c->first_at);
    bt_time(q, 20, c->first_visit_at);
    if (c->merged_into)
        bi(q, 21, c->merged_into);
    else
        sqlite3_bind_null(q, 21);
    bi(q, 22, c->updated);
    return run(k, Q_CONTACT);
}

static wf_status put_props_history(db_sink *k, const gen_contact *c)
{
    wf_status st = WF_OK;
    for (int i = 0; st == WF_OK && i < c->nprops; i++) {
        sqlite3_stmt *q = k->q[Q_PROP];
        bi(q, 1, c->id);
        bt(q, 2, c->props[i].name);
        bt(q, 3, c->props[i].value);
        st = run(k, Q_PROP);
    }
    for (int i = 0; st == WF_OK && i < c->nhist; i++) {
        const gen_hentry *h = &c->hist[i];
        sqlite3_stmt *q = k->q[Q_HIST];
        bi(q, 1, c->id);
        bt(q, 2, gen_hprop_name(h->prop));
        bt(q, 3, h->value);
        bi(q, 4, h->at);
        bt(q, 5, h->type);
        bt(q, 6, h->source_id);
        bt(q, 7, h->user_id);
        st = run(k, Q_HIST);
    }
    return st;
}

static wf_status put_token(db_sink *k, const char *token, int64_t contact, wf_ms at, const char *by,
                           const char *ref)
{
    sqlite3_stmt *q = k->q[Q_TOKEN];
    bt(q, 1, token);
    bi(q, 2, contact);
    bi(q, 3, at);
    bt(q, 4, by);
    bt(q, 5, ref);
    return run(k, Q_TOKEN);
}

static wf_status put_links(db_sink *k, const gen_contact *c)
{
    wf_status st = WF_OK;
    for (int i = 0; st == WF_OK && i < c->nforms; i++) {
        const gen_form *f = &c->forms[i];
        sqlite3_stmt *q = k->q[Q_FORM];
        bi(q, 1, c->id);
        bi(q, 2, f->at);
        bt(q, 3, f->form_id);
        bt(q, 4, f->conversion_id);
        bt(q, 5, f->page_url);
        bt(q, 6, f->page_title);
        bt(q, 7, f->token);
        bi(q, 8, f->filtered_ip);
        st = run(k, Q_FORM);
        if (st == WF_OK && f->token && !f->filtered_ip)
            st = put_token(k, f->token, c->id, f->at, "form", f->conversion_id);
    }
    for (int i = 0; st == WF_OK && i < c->nclicks; i++) {
        const gen_click *e = &c->clicks[i];
        sqlite3_stmt *q = k->q[Q_CLICK];
        bi(q, 1, c->id);
        bi(q, 2, e->at);
        bt(q, 3, e->url);
        bt(q, 4, e->email_id);
        bt(q, 5, e->campaign);
        bt(q, 6, e->token);
        st = run(k, Q_CLICK);
        if (st == WF_OK && e->token)
            st = put_token(k, e->token, c->id, e->at, "email", e->email_id);
    }
    if (st == WF_OK && c->merged_id) {
        sqlite3_stmt *q = k->q[Q_MERGE];
        bi(q, 1, c->id);
        bi(q, 2, c->merged_id);
        bi(q, 3, c->merged_at);
        bt(q, 4, c->merge_user);
        st = run(k, Q_MERGE);
    }
    return st;
}

static wf_status db_contact(gen_sink *s, const gen_contact *c)
{
    db_sink *k = (db_sink *)s;
    if (!c->merged_into && ++k->contacts % COMMIT_EVERY == 0) {
        wf_status st = wf_store_exec(k->store, "COMMIT; BEGIN");
        if (st != WF_OK) return st;
    }
    wf_status st = put_contact_row(k, c);
    if (st == WF_OK) st = put_props_history(k, c);
    if (st == WF_OK) st = put_links(k, c);
    return st;
}

static wf_status db_pageview(gen_sink *s, const gen_pv *p)
{
    db_sink *k = (db_sink *)s;
    sqlite3_stmt *q = k->q[Q_PV];
    bi(q, 1, p->contact);
    bi(q, 2, p->at);
    bt(q, 3, p->url);
    bt(q, 4, p->referrer);
    bt(q, 5, p->session_id);
    bt(q, 6, p->utm_source);
    bt(q, 7, p->utm_medium);
    bt(q, 8, p->utm_campaign);
    bt(q, 9, p->utm_term);
    bt(q, 10, p->utm_content);
    bt(q, 11, p->title);
    bt(q, 12, p->user_agent);
    bt(q, 13, p->ext_id);
    return run(k, Q_PV);
}

static wf_status db_finish(gen_sink *s, int ok)
{
    db_sink *k = (db_sink *)s;
    wf_status st = WF_OK;
    for (int i = 0; i < Q_N; i++)
        sqlite3_finalize(k->q[i]);
    if (k->store) {
        st = wf_store_exec(k->store, ok ? "COMMIT" : "ROLLBACK");
        /* Back to the store's normal settings for whoever opens it next. */
        if (st == WF_OK) st = wf_store_exec(k->store, "PRAGMA journal_mode=WAL; ANALYZE");
        if (st != WF_OK)
            snprintf(k->base.err, k->base.errsz, "%s: %s", wf_store_path(k->store),
                     wf_store_errmsg(k->store));
        wf_store_close(&k->store);
    }
    free(k);
    return st;
}

/* A fresh file each time: the generator never appends to an old database. */
static int remove_old(const char *path, char *err, size_t errsz)
{
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    char p[4096];
    for (size_t i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s%s", path, sfx[i]);
        if (unlink(p) != 0 && errno != ENOENT) {
            snprintf(err, errsz, "%s: %s", p, strerror(errno));
            return -1;
        }
    }
    return 0;
}

static wf_status db_prepare(db_sink *k)
{
    wf_status st = wf_store_exec(k->store, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                                           " PRAGMA cache_size=-262144; PRAGMA temp_store=MEMORY");
    if (st == WF_OK) st = wf_store_setting_set(k->store, "site_domains", "[\"example.com\"]");
    for (int i = 0; st == WF_OK && i < Q_N; i++)
        if (sqlite3_prepare_v3(k->db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &k->q[i], NULL) !=
            SQLITE_OK)
            st = WF_E_SOFTWARE;
    if (st == WF_OK) st = wf_store_exec(k->store, "BEGIN");
    if (st != WF_OK)
        snprintf(k->base.err, k->base.errsz, "%s: %s", wf_store_path(k->store),
                 sqlite3_errmsg(k->db));
    return st;
}

gen_sink *gen_sink_db_new(const gen_opts *o, char *err, size_t errsz)
{
    if (remove_old(o->out, err, errsz) != 0) return NULL;
    db_sink *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->base = (gen_sink){db_contact, db_pageview, db_finish, err, errsz};
    if (wf_store_open(o->out, WF_STORE_CREATE, &k->store, err, errsz) != WF_OK) {
        free(k);
        return NULL;
    }
    k->db = wf_store_db(k->store);
    if (db_prepare(k) != WF_OK) {
        db_finish(&k->base, 0);
        return NULL;
    }
    return &k->base;
}
