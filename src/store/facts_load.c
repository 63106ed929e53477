/* Loading one contact's facts for the engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "store/store.h"

typedef struct {
    wf_store *s;
    wf_arena *a;
    wf_facts *f;
    int64_t ids[64]; /* the contact and the records merged into it */
    size_t n_ids;
    char idlist[64 * 24];
} loader;

static const char *col_str(loader *L, sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? wf_arena_strndup(L->a, (const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

static wf_ms col_time(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? WF_TIME_NONE : sqlite3_column_int64(st, i);
}

/* Runs sql (with %s replaced by the id list), growing an array of elem_size
 * elements filled by fill(). */
typedef void (*row_fill)(loader *L, sqlite3_stmt *st, void *elem);

static wf_status load_rows(loader *L, const char *sql_fmt, size_t elem_size, row_fill fill,
                           void **out, size_t *n_out)
{
    size_t need = strlen(sql_fmt) + 2 * strlen(L->idlist) + 1;
    char *sql = malloc(need);
    if (!sql) return WF_E_NOMEM;
    /* the format uses %1$s for the id list (maybe twice) */
    char *d = sql;
    for (const char *p = sql_fmt; *p;) {
        if (strncmp(p, "%IDS", 4) == 0) {
            strcpy(d, L->idlist);
            d += strlen(L->idlist);
            p += 4;
        } else {
            *d++ = *p++;
        }
    }
    *d = 0;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(wf_store_db(L->s), sql, -1, &st, NULL);
    free(sql);
    if (rc) return wf_store_status(rc);
    size_t n = 0, cap = 0;
    char *arr = NULL;
    wf_status res = WF_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char *na = realloc(arr, cap * elem_size);
            if (!na) {
                res = WF_E_NOMEM;
                break;
            }
            arr = na;
        }
        memset(arr + n * elem_size, 0, elem_size);
        fill(L, st, arr + n * elem_size);
        n++;
    }
    if (res == WF_OK && rc != SQLITE_DONE) res = wf_store_status(rc);
    sqlite3_finalize(st);
    if (res == WF_OK && n) {
        void *copy = wf_arena_alloc(L->a, n * elem_size);
        if (!copy)
            res = WF_E_NOMEM;
        else
            memcpy(copy, arr, n * elem_size);
        *out = copy;
    }
    free(arr);
    *n_out = res == WF_OK ? n : 0;
    return res;
}

static void fill_pageview(loader *L, sqlite3_stmt *st, void *e)
{
    wf_pageview *p = e;
    p->id = sqlite3_column_int64(st, 0);
    p->contact = sqlite3_column_int64(st, 1);
    p->token = col_str(L, st, 2);
    p->at = col_time(st, 3);
    p->url = col_str(L, st, 4);
    p->referrer = col_str(L, st, 5);
    p->session_id = col_str(L, st, 6);
    p->utm_source = col_str(L, st, 7);
    p->utm_medium = col_str(L, st, 8);
    p->utm_campaign = col_str(L, st, 9);
    p->utm_term = col_str(L, st, 10);
    p->utm_content = col_str(L, st, 11);
    p->title = col_str(L, st, 12);
}

static wf_link_kind link_kind(const char *s)
{
    if (!s) return WF_LINK_FORM;
    if (!strcmp(s, "email")) return WF_LINK_EMAIL;
    if (!strcmp(s, "identity")) return WF_LINK_IDENTITY;
    if (!strcmp(s, "creation")) return WF_LINK_CREATION;
    if (!strcmp(s, "import")) return WF_LINK_IMPORT;
    return WF_LINK_FORM;
}

static void fill_link(loader *L, sqlite3_stmt *st, void *e)
{
    wf_token_link *k = e;
    k->id = sqlite3_column_int64(st, 0);
    k->token = col_str(L, st, 1);
    k->at = col_time(st, 2);
    k->via = link_kind((const char *)sqlite3_column_text(st, 3));
    k->ref = col_str(L, st, 4);
}

static void fill_form(loader *L, sqlite3_stmt *st, void *e)
{
    wf_form *f = e;
    f->id = sqlite3_column_int64(st, 0);
    f->at = col_time(st, 1);
    f->form_id = col_str(L, st, 2);
    f->conversion_id = col_str(L, st, 3);
    f->page_url = col_str(L, st, 4);
    f->page_title = col_str(L, st, 5);
    f->form_type = col_str(L, st, 6);
    f->token = col_str(L, st, 7);
    f->filtered_ip = sqlite3_column_int(st, 8);
}

static void fill_click(loader *L, sqlite3_stmt *st, void *e)
{
    wf_email_click *c = e;
    c->id = sqlite3_column_int64(st, 0);
    c->at = col_time(st, 1);
    c->url = col_str(L, st, 2);
    c->email_id = col_str(L, st, 3);
    c->campaign = col_str(L, st, 4);
    c->token = col_str(L, st, 5);
}

static void fill_history(loader *L, sqlite3_stmt *st, void *e)
{
    wf_history *h = e;
    h->id = sqlite3_column_int64(st, 0);
    h->property = col_str(L, st, 1);
    h->value = col_str(L, st, 2);
    h->at = col_time(st, 3);
    h->source_type = col_str(L, st, 4);
    h->source_id = col_str(L, st, 5);
    h->source_label = col_str(L, st, 6);
    h->user_id = col_str(L, st, 7);
}

static void fill_merge(loader *L, sqlite3_stmt *st, void *e)
{
    wf_merge *m = e;
    m->id = sqlite3_column_int64(st, 0);
    m->at = col_time(st, 1);
    m->merged_id = sqlite3_column_int64(st, 2);
    m->user_id = col_str(L, st, 3);
    m->merged_created_at = col_time(st, 4);
    m->merged_channel = col_str(L, st, 5);
    m->merged_channel_detail = col_str(L, st, 6);
}

static void fill_domain(loader *L, sqlite3_stmt *st, void *e)
{
    *(const char **)e = col_str(L, st, 0);
}

static wf_status load_contact_row(loader *L, int64_t id)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        wf_store_db(L->s),
        "SELECT id, email, firstname, lastname, company, created_at, channel, channel_detail,"
        " channel_label, src, src_dd1, src_dd2, latest_src, latest_dd1, latest_dd2, latest_at,"
        " first_url, first_referrer, first_at, first_visit_at, merged_into"
        " FROM contacts WHERE id=?",
        -1, &st, NULL);
    if (rc) return wf_store_status(rc);
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? WF_E_NOTFOUND : wf_store_status(rc);
    }
    wf_facts *f = L->f;
    f->id = sqlite3_column_int64(st, 0);
    f->email = col_str(L, st, 1);
    f->firstname = col_str(L, st, 2);
    f->lastname = col_str(L, st, 3);
    f->company = col_str(L, st, 4);
    f->created_at = col_time(st, 5);
    f->channel = col_str(L, st, 6);
    f->channel_detail = col_str(L, st, 7);
    f->channel_label = col_str(L, st, 8);
    f->stored_source = col_str(L, st, 9);
    f->stored_dd1 = col_str(L, st, 10);
    f->stored_dd2 = col_str(L, st, 11);
    f->stored_latest_source = col_str(L, st, 12);
    f->stored_latest_dd1 = col_str(L, st, 13);
    f->stored_latest_dd2 = col_str(L, st, 14);
    f->stored_latest_at = col_time(st, 15);
    f->stored_first_url = col_str(L, st, 16);
    f->stored_first_referrer = col_str(L, st, 17);
    f->stored_first_at = col_time(st, 18);
    f->stored_first_visit_at = col_time(st, 19);
    f->merged_into = sqlite3_column_int64(st, 20);
    sqlite3_finalize(st);
    return WF_OK;
}

/* The contact plus every record merged into it, transitively, bounded. */
static wf_status collect_ids(loader *L)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(wf_store_db(L->s),
                                "SELECT id FROM contacts WHERE merged_into=? AND id<>merged_into "
                                "UNION SELECT merged_id FROM merges WHERE contact=? AND merged_id<>contact",
                                -1, &st, NULL);
    if (rc) return wf_store_status(rc);
    for (size_t i = 0; i < L->n_ids; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, L->ids[i]);
        sqlite3_bind_int64(st, 2, L->ids[i]);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t m = sqlite3_column_int64(st, 0);
            int seen = 0;
            for (size_t j = 0; j < L->n_ids; j++) seen |= L->ids[j] == m;
            if (!seen && L->n_ids < sizeof L->ids / sizeof L->ids[0]) L->ids[L->n_ids++] = m;
        }
    }
    sqlite3_finalize(st);
    char *d = L->idlist;
    for (size_t i = 0; i < L->n_ids; i++)
        d += sprintf(d, "%s%lld", i ? "," : "", (long long)L->ids[i]);
    return WF_OK;
}

static wf_status load_override(loader *L)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        wf_store_db(L->s),
        "SELECT id, at, user, reason, source, dd1, dd2, computed_source, computed_dd1,"
        " computed_dd2, action FROM overrides WHERE contact=? ORDER BY id DESC LIMIT 1",
        -1, &st, NULL);
    if (rc) return wf_store_status(rc);
    sqlite3_bind_int64(st, 1, L->f->id);
    if (sqlite3_step(st) == SQLITE_ROW &&
        strcmp((const char *)sqlite3_column_text(st, 10), "set") == 0) {
        wf_override *o = wf_arena_alloc(L->a, sizeof *o);
        if (!o) {
            sqlite3_finalize(st);
            return WF_E_NOMEM;
        }
        o->id = sqlite3_column_int64(st, 0);
        o->at = col_time(st, 1);
        o->user = col_str(L, st, 2);
        o->reason = col_str(L, st, 3);
        o->source = col_str(L, st, 4);
        o->dd1 = col_str(L, st, 5);
        o->dd2 = col_str(L, st, 6);
        o->computed_source = col_str(L, st, 7);
        o->computed_dd1 = col_str(L, st, 8);
        o->computed_dd2 = col_str(L, st, 9);
        L->f->override = o;
    }
    sqlite3_finalize(st);
    return WF_OK;
}

wf_status wf_store_load_facts(wf_store *s, int64_t id, wf_facts **out)
{
    *out = NULL;
    loader L = {.s = s};
    L.a = wf_arena_new();
    if (!L.a) return WF_E_NOMEM;
    L.f = wf_arena_alloc(L.a, sizeof *L.f);
    if (!L.f) {
        wf_arena_free(&L.a);
        return WF_E_NOMEM;
    }
    L.f->arena_ = L.a;
    L.ids[0] = id;
    L.n_ids = 1;
    wf_facts *f = L.f;
    wf_status st = load_contact_row(&L, id);
    if (st == WF_OK) st = collect_ids(&L);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT id, token, linked_at, linked_by, ref FROM tokens WHERE contact IN (%IDS)",
                       sizeof(wf_token_link), fill_link, (void **)&f->links, &f->n_links);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT id, contact, token, at, url, referrer, session_id, utm_source,"
                       " utm_medium, utm_campaign, utm_term, utm_content, title FROM pageviews"
                       " WHERE contact IN (%IDS) UNION "
                       "SELECT id, contact, token, at, url, referrer, session_id, utm_source,"
                       " utm_medium, utm_campaign, utm_term, utm_content, title FROM pageviews"
                       " WHERE token IN (SELECT token FROM tokens WHERE contact IN (%IDS))"
                       " ORDER BY 4, 1",
                       sizeof(wf_pageview), fill_pageview, (void **)&f->pageviews,
                       &f->n_pageviews);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT id, at, form_id, conversion_id, page_url, page_title, form_type,"
                       " token, filtered_ip FROM forms WHERE contact IN (%IDS) ORDER BY at, id",
                       sizeof(wf_form), fill_form, (void **)&f->forms, &f->n_forms);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT id, at, url, email_id, campaign, token FROM email_clicks"
                       " WHERE contact IN (%IDS) ORDER BY at, id",
                       sizeof(wf_email_click), fill_click, (void **)&f->clicks, &f->n_clicks);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT id, property, value, at, source_type, source_id, source_label,"
                       " user_id FROM history WHERE contact IN (%IDS) ORDER BY at, id",
                       sizeof(wf_history), fill_history, (void **)&f->history, &f->n_history);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT m.id, m.at, m.merged_id, m.user_id, c.created_at, c.channel,"
                       " c.channel_detail FROM merges m LEFT JOIN contacts c ON c.id=m.merged_id"
                       " WHERE m.contact IN (%IDS) ORDER BY m.at, m.id",
                       sizeof(wf_merge), fill_merge, (void **)&f->merges, &f->n_merges);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT j.value FROM settings s, json_each(s.value) j"
                       " WHERE s.key='site_domains' AND json_valid(s.value)",
                       sizeof(const char *), fill_domain, (void **)&f->site_domains,
                       &f->n_site_domains);
    if (st == WF_OK) st = load_override(&L);
    if (st != WF_OK) {
        wf_arena_free(&L.a);
        return st;
    }
    *out = f;
    return WF_OK;
}

void wf_facts_free(wf_facts **fp)
{
    if (!fp || !*fp) return;
    wf_arena *a = (*fp)->arena_;
    wf_arena_free(&a);
    *fp = NULL;
}
