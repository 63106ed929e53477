/* Loading one contact's facts after another with prepared statements:
 * the cache refresh over a million contacts must not re-parse SQL for
 * each of them. */
#include "cli/recompute_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "store/facts_rows.h"

enum {
    Q_CONTACT,
    Q_TOKENS,
    Q_PAGEVIEWS,
    Q_TOKEN_PAGEVIEWS,
    Q_FORMS,
    Q_CLICKS,
    Q_HISTORY,
    Q_OVERRIDE,
    Q_N
};

/* Every query is a point lookup on an index that starts with the contact.
 * Page views come in two parts instead of wf_store_load_facts' UNION (which
 * copies every row through a temporary b-tree): the contact's own, already
 * in (at, id) order from pageviews_contact, and, only when the contact has
 * tokens, those of its tokens recorded for another or no contact; the two
 * are merged in C. History is sorted in C too (its index is on (contact,
 * property, at, ...)). Same rows, same order. The last two columns of the
 * contact row say whether records were merged into it: those go through
 * wf_store_load_facts, which follows merge chains. */
static const char *const sql[Q_N] = {
    "SELECT " WF_COLS_CONTACT ","
    " EXISTS(SELECT 1 FROM contacts m WHERE m.merged_into=c.id AND m.id<>c.id),"
    " EXISTS(SELECT 1 FROM merges g WHERE g.contact=c.id) FROM contacts c WHERE id=?1",
    "SELECT " WF_COLS_LINK " FROM tokens WHERE contact=?1",
    "SELECT " WF_COLS_PAGEVIEW " FROM pageviews WHERE contact=?1 ORDER BY at, id",
    "SELECT " WF_COLS_PAGEVIEW " FROM pageviews"
    " WHERE token IN (SELECT token FROM tokens WHERE contact=?1) AND contact IS NOT ?1",
    "SELECT " WF_COLS_FORM " FROM forms WHERE contact=?1 ORDER BY at, id",
    "SELECT " WF_COLS_CLICK " FROM email_clicks WHERE contact=?1"
    " ORDER BY at, id",
    "SELECT " WF_COLS_HISTORY " FROM history"
    " WHERE contact=?1",
    "SELECT " WF_COLS_OVERRIDE " FROM overrides WHERE contact=?1 ORDER BY id DESC LIMIT 1",
};

/* A cursor over one table's rows for many contacts, in contact order; the
 * contact id is the last column. */
typedef struct {
    sqlite3_stmt *st;
    int started, live;
    int64_t key;
} stream;

struct wf_bulk_loader {
    wf_store *s;
    sqlite3_stmt *q[Q_N];
    stream sq[Q_N]; /* stream mode: tokens, page views, forms, clicks, history */
    int empty[Q_N]; /* the query's table has no rows: skip it (nothing is
                     * written to those tables during a recompute) */
    char **domains; /* settings site_domains, loaded once */
    size_t n_domains;
    void *rows; /* scratch for one table's rows, reused */
    size_t rows_cap;
};

static wf_status load_domains(wf_bulk_loader *l)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(wf_store_db(l->s),
                                "SELECT j.value FROM settings s, json_each(s.value) j"
                                " WHERE s.key='site_domains' AND json_valid(s.value)",
                                -1, &st, NULL);
    if (rc) return wf_store_status(rc);
    wf_status res = WF_OK;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && res == WF_OK) {
        const char *d = (const char *)sqlite3_column_text(st, 0);
        char **nd = realloc(l->domains, (l->n_domains + 1) * sizeof *nd);
        if (!nd || !d || !(nd[l->n_domains] = strdup(d))) {
            if (nd) l->domains = nd;
            res = d ? WF_E_NOMEM : WF_OK;
            continue;
        }
        l->domains = nd;
        l->n_domains++;
    }
    sqlite3_finalize(st);
    return res;
}

/* Marks the queries whose table is empty (a bench or a fresh import often
 * has no overrides, forms or clicks at all). */
static wf_status probe_tables(wf_bulk_loader *l)
{
    static const struct {
        int q;
        const char *sql;
    } probes[] = {
        {Q_TOKENS, "SELECT NOT EXISTS(SELECT 1 FROM tokens)"},
        {Q_TOKEN_PAGEVIEWS, "SELECT NOT EXISTS(SELECT 1 FROM tokens)"},
        {Q_PAGEVIEWS, "SELECT NOT EXISTS(SELECT 1 FROM pageviews)"},
        {Q_FORMS, "SELECT NOT EXISTS(SELECT 1 FROM forms)"},
        {Q_CLICKS, "SELECT NOT EXISTS(SELECT 1 FROM email_clicks)"},
        {Q_HISTORY, "SELECT NOT EXISTS(SELECT 1 FROM history)"},
        {Q_OVERRIDE, "SELECT NOT EXISTS(SELECT 1 FROM overrides)"},
    };
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(wf_store_db(l->s), probes[i].sql, -1, &st, NULL);
        if (rc) return wf_store_status(rc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) l->empty[probes[i].q] = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_ROW) return wf_store_status(rc);
    }
    return WF_OK;
}

wf_status wf_bulk_loader_new(wf_store *s, wf_bulk_loader **out)
{
    *out = NULL;
    wf_bulk_loader *l = calloc(1, sizeof *l);
    if (!l) return WF_E_NOMEM;
    l->s = s;
    wf_status st = WF_OK;
    for (int i = 0; i < Q_N && st == WF_OK; i++) {
        int rc = sqlite3_prepare_v3(wf_store_db(s), sql[i], -1, SQLITE_PREPARE_PERSISTENT, &l->q[i],
                                    NULL);
        if (rc) st = wf_store_status(rc);
    }
    if (st == WF_OK) st = load_domains(l);
    if (st == WF_OK) st = probe_tables(l);
    if (st != WF_OK) {
        wf_bulk_loader_free(&l);
        return st;
    }
    *out = l;
    return WF_OK;
}

/* Stream queries: the point query's columns (aliased x) and the contact
 * id last, for every contact (ids == NULL) or joined with the ids table
 * (driven by it: CROSS JOIN keeps it the outer loop). Page views and token
 * links come in the point queries' order; the rest is sorted in C. */
static const struct {
    int q;
    const char *cols, *table, *order;
} streams[] = {
    {Q_TOKENS, "x.id, x.token, x.linked_at, x.linked_by, x.ref", "tokens",
     ", x.token, x.linked_by, x.linked_at"},
    {Q_PAGEVIEWS,
     "x.id, x.contact, x.token, x.at, x.url, x.referrer, x.session_id, x.utm_source,"
     " x.utm_medium, x.utm_campaign, x.utm_term, x.utm_content, x.title",
     "pageviews", ", x.at, x.id"},
    {Q_FORMS,
     "x.id, x.at, x.form_id, x.conversion_id, x.page_url, x.page_title, x.form_type, x.token,"
     " x.filtered_ip",
     "forms", ""},
    {Q_CLICKS, "x.id, x.at, x.url, x.email_id, x.campaign, x.token", "email_clicks", ""},
    {Q_HISTORY,
     "x.id, x.property, x.value, x.at, x.source_type, x.source_id, x.source_label, x.user_id",
     "history", ""},
};

static wf_status open_streams(wf_bulk_loader *l, const char *ids)
{
    for (size_t i = 0; i < sizeof streams / sizeof streams[0]; i++) {
        char text[1024];
        if (ids)
            snprintf(text, sizeof text,
                     "SELECT %s, r.id FROM %s r CROSS JOIN %s x ON x.contact=r.id"
                     " ORDER BY r.id%s",
                     streams[i].cols, ids, streams[i].table, streams[i].order);
        else
            snprintf(text, sizeof text,
                     "SELECT %s, x.contact FROM %s x WHERE x.contact IS NOT NULL"
                     " ORDER BY x.contact%s",
                     streams[i].cols, streams[i].table, streams[i].order);
        int rc = sqlite3_prepare_v2(wf_store_db(l->s), text, -1, &l->sq[streams[i].q].st, NULL);
        if (rc) return wf_store_status(rc);
    }
    return WF_OK;
}

wf_status wf_bulk_loader_new_stream(wf_store *s, const char *ids_table, wf_bulk_loader **out)
{
    wf_status st = wf_bulk_loader_new(s, out);
    if (st == WF_OK) st = open_streams(*out, ids_table);
    if (st != WF_OK) wf_bulk_loader_free(out);
    return st;
}

void wf_bulk_loader_free(wf_bulk_loader **lp)
{
    if (!lp || !*lp) return;
    wf_bulk_loader *l = *lp;
    for (int i = 0; i < Q_N; i++) {
        sqlite3_finalize(l->q[i]);
        sqlite3_finalize(l->sq[i].st);
    }
    for (size_t i = 0; i < l->n_domains; i++)
        free(l->domains[i]);
    free(l->domains);
    free(l->rows);
    free(l);
    *lp = NULL;
}

/* Room for element n of the scratch array, zeroed; NULL when out of memory. */
static void *scratch(wf_bulk_loader *l, size_t n, size_t elem_size)
{
    if ((n + 1) * elem_size > l->rows_cap) {
        size_t cap = l->rows_cap ? l->rows_cap * 2 : 64 * elem_size;
        while (cap < (n + 1) * elem_size)
            cap *= 2;
        void *nr = realloc(l->rows, cap);
        if (!nr) return NULL;
        l->rows = nr;
        l->rows_cap = cap;
    }
    char *e = (char *)l->rows + n * elem_size;
    memset(e, 0, elem_size);
    return e;
}

static int stream_step(stream *c)
{
    int rc = sqlite3_step(c->st);
    c->started = 1;
    c->live = rc == SQLITE_ROW;
    if (c->live) c->key = sqlite3_column_int64(c->st, sqlite3_column_count(c->st) - 1);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Stream mode: skips the rows of contacts before id (merged-away records,
 * contacts loaded another way), then takes id's rows. */
static wf_status stream_rows(wf_bulk_loader *l, wf_arena *a, int q, int64_t id, size_t elem_size,
                             wf_row_reader fill, size_t *n_out)
{
    stream *c = &l->sq[q];
    int rc = c->started ? SQLITE_OK : stream_step(c);
    while (rc == SQLITE_OK && c->live && c->key < id)
        rc = stream_step(c);
    size_t n = 0;
    while (rc == SQLITE_OK && c->live && c->key == id) {
        void *e = scratch(l, n, elem_size);
        if (!e) return WF_E_NOMEM;
        fill(a, c->st, e);
        n++;
        rc = stream_step(c);
    }
    *n_out = n;
    return rc == SQLITE_OK ? WF_OK : wf_store_status(rc);
}

static wf_status point_rows(wf_bulk_loader *l, wf_arena *a, int q, int64_t id, size_t elem_size,
                            wf_row_reader fill, size_t *n_out)
{
    sqlite3_stmt *st = l->q[q];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        void *e = scratch(l, n, elem_size);
        if (!e) {
            sqlite3_reset(st);
            return WF_E_NOMEM;
        }
        fill(a, st, e);
        n++;
    }
    sqlite3_reset(st);
    *n_out = n;
    return rc == SQLITE_DONE ? WF_OK : wf_store_status(rc);
}

/* Query q's rows for id (from its stream, else its point query), as
 * elements of elem_size filled by fill, copied into the arena. */
static wf_status rows(wf_bulk_loader *l, wf_arena *a, int q, int64_t id, size_t elem_size,
                      wf_row_reader fill, void **out, size_t *n_out)
{
    *n_out = 0;
    if (l->empty[q]) return WF_OK;
    size_t n = 0;
    wf_status st = l->sq[q].st ? stream_rows(l, a, q, id, elem_size, fill, &n)
                               : point_rows(l, a, q, id, elem_size, fill, &n);
    if (st != WF_OK || !n) return st;
    *out = wf_arena_alloc(a, n * elem_size);
    if (!*out) return WF_E_NOMEM;
    memcpy(*out, l->rows, n * elem_size);
    *n_out = n;
    return WF_OK;
}

/* The newest overrides row; a revert is marked with id -1. */
static void fill_override(wf_arena *a, sqlite3_stmt *st, void *e)
{
    wf_override *o = e;
    if (!wf_row_override(a, st, o)) o->id = -1;
}

/* 1: found; 0: no such contact; <0: SQLite error code negated. *merged
 * says whether records were merged into it. */
static int contact_row(wf_bulk_loader *l, wf_arena *a, int64_t id, wf_facts *f, int *merged)
{
    sqlite3_stmt *st = l->q[Q_CONTACT];
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        wf_row_contact(a, st, f);
        *merged = sqlite3_column_int(st, 21) || sqlite3_column_int(st, 22);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -rc;
}

static int by_time_id(wf_ms a_at, int64_t a_id, wf_ms b_at, int64_t b_id)
{
    return a_at != b_at ? (a_at < b_at ? -1 : 1) : (a_id > b_id) - (a_id < b_id);
}

static int cmp_pageview(const void *a, const void *b)
{
    const wf_pageview *x = a, *y = b;
    return by_time_id(x->at, x->id, y->at, y->id);
}

static int cmp_history(const void *a, const void *b)
{
    const wf_history *x = a, *y = b;
    return by_time_id(x->at, x->id, y->at, y->id);
}

static int cmp_form(const void *a, const void *b)
{
    const wf_form *x = a, *y = b;
    return by_time_id(x->at, x->id, y->at, y->id);
}

static int cmp_click(const void *a, const void *b)
{
    const wf_email_click *x = a, *y = b;
    return by_time_id(x->at, x->id, y->at, y->id);
}

/* The contact's page views, then those of its tokens recorded for another
 * or no contact, in (at, id) order: what the UNION in wf_store_load_facts
 * gives (the two parts are disjoint, so there is nothing to dedupe). */
static wf_status pageviews(wf_bulk_loader *l, wf_arena *a, int64_t id, wf_facts *f)
{
    wf_pageview *own = NULL, *other = NULL;
    size_t n_own = 0, n_other = 0;
    wf_status st = rows(l, a, Q_PAGEVIEWS, id, sizeof *own, wf_row_pageview, (void **)&own, &n_own);
    if (st == WF_OK && f->n_links)
        st = rows(l, a, Q_TOKEN_PAGEVIEWS, id, sizeof *other, wf_row_pageview, (void **)&other,
                  &n_other);
    if (st != WF_OK) return st;
    f->pageviews = own;
    f->n_pageviews = n_own;
    if (!n_other) return WF_OK;
    wf_pageview *all = wf_arena_alloc(a, (n_own + n_other) * sizeof *all);
    if (!all) return WF_E_NOMEM;
    if (n_own) memcpy(all, own, n_own * sizeof *all);
    memcpy(all + n_own, other, n_other * sizeof *all);
    qsort(all, n_own + n_other, sizeof *all, cmp_pageview);
    f->pageviews = all;
    f->n_pageviews = n_own + n_other;
    return WF_OK;
}

static wf_status fill_rest(wf_bulk_loader *l, wf_arena *a, int64_t id, wf_facts *f)
{
    wf_status st =
        rows(l, a, Q_TOKENS, id, sizeof(wf_token_link), wf_row_link, (void **)&f->links, &f->n_links);
    if (!st) st = pageviews(l, a, id, f);
    if (!st)
        st = rows(l, a, Q_FORMS, id, sizeof(wf_form), wf_row_form, (void **)&f->forms, &f->n_forms);
    if (!st)
        st = rows(l, a, Q_CLICKS, id, sizeof(wf_email_click), wf_row_click, (void **)&f->clicks,
                  &f->n_clicks);
    if (!st)
        st = rows(l, a, Q_HISTORY, id, sizeof(wf_history), wf_row_history, (void **)&f->history,
                  &f->n_history);
    /* streams come in contact order only */
    if (!st && f->n_forms > 1) qsort(f->forms, f->n_forms, sizeof *f->forms, cmp_form);
    if (!st && f->n_clicks > 1) qsort(f->clicks, f->n_clicks, sizeof *f->clicks, cmp_click);
    if (!st && f->n_history > 1) qsort(f->history, f->n_history, sizeof *f->history, cmp_history);
    wf_override *o = NULL;
    size_t n_o = 0;
    if (!st) st = rows(l, a, Q_OVERRIDE, id, sizeof(wf_override), fill_override, (void **)&o, &n_o);
    if (!st && n_o && o->id >= 0) f->override = o;
    f->site_domains = (const char **)l->domains;
    f->n_site_domains = l->n_domains;
    return st;
}

wf_status wf_bulk_load(wf_bulk_loader *l, int64_t id, wf_facts **out)
{
    *out = NULL;
    wf_arena *a = wf_arena_new();
    wf_facts *f = a ? wf_arena_alloc(a, sizeof *f) : NULL;
    if (!f) {
        wf_arena_free(&a);
        return WF_E_NOMEM;
    }
    f->arena_ = a;
    int merged = 0;
    int found = contact_row(l, a, id, f, &merged);
    if (found > 0 && merged) {
        wf_arena_free(&a);
        return wf_store_load_facts(l->s, id, out);
    }
    wf_status st = found > 0    ? fill_rest(l, a, id, f)
                   : found == 0 ? WF_E_NOTFOUND
                                : wf_store_status(-found);
    if (st != WF_OK) {
        wf_arena_free(&a);
        return st;
    }
    *out = f;
    return WF_OK;
}
