/* Loading one contact's facts for the engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "store/facts_rows.h"
#include "store/store.h"

typedef struct {
    wf_store *s;
    wf_arena *a;
    wf_facts *f;
    int64_t ids[64]; /* the contact and the records merged into it */
    size_t n_ids;
    char idlist[64 * 24];
} loader;

/* Runs sql (with %s replaced by the id list), growing an array of elem_size
 * elements filled by fill(). */
static wf_status load_rows(loader *L, const char *sql_fmt, size_t elem_size, wf_row_reader fill,
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
        fill(L->a, st, arr + n * elem_size);
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

static void fill_merge(wf_arena *a, sqlite3_stmt *st, void *e)
{
    wf_merge *m = e;
    m->id = sqlite3_column_int64(st, 0);
    m->at = wf_row_time(st, 1);
    m->merged_id = sqlite3_column_int64(st, 2);
    m->user_id = wf_row_text(a, st, 3);
    m->merged_created_at = wf_row_time(st, 4);
    m->merged_channel = wf_row_text(a, st, 5);
    m->merged_channel_detail = wf_row_text(a, st, 6);
}

static void fill_domain(wf_arena *a, sqlite3_stmt *st, void *e)
{
    *(const char **)e = wf_row_text(a, st, 0);
}

static wf_status load_contact_row(loader *L, int64_t id)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        wf_store_db(L->s),
        "SELECT " WF_COLS_CONTACT " FROM contacts WHERE id=?",
        -1, &st, NULL);
    if (rc) return wf_store_status(rc);
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return rc == SQLITE_DONE ? WF_E_NOTFOUND : wf_store_status(rc);
    }
    wf_row_contact(L->a, st, L->f);
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
        "SELECT " WF_COLS_OVERRIDE " FROM overrides WHERE contact=? ORDER BY id DESC LIMIT 1",
        -1, &st, NULL);
    if (rc) return wf_store_status(rc);
    sqlite3_bind_int64(st, 1, L->f->id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        wf_override *o = wf_arena_alloc(L->a, sizeof *o);
        if (!o) {
            sqlite3_finalize(st);
            return WF_E_NOMEM;
        }
        if (wf_row_override(L->a, st, o)) L->f->override = o;
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
                       "SELECT " WF_COLS_LINK " FROM tokens WHERE contact IN (%IDS)",
                       sizeof(wf_token_link), wf_row_link, (void **)&f->links, &f->n_links);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT " WF_COLS_PAGEVIEW " FROM pageviews"
                       " WHERE contact IN (%IDS) UNION "
                       "SELECT " WF_COLS_PAGEVIEW " FROM pageviews"
                       " WHERE token IN (SELECT token FROM tokens WHERE contact IN (%IDS))"
                       " ORDER BY 4, 1",
                       sizeof(wf_pageview), wf_row_pageview, (void **)&f->pageviews,
                       &f->n_pageviews);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT " WF_COLS_FORM " FROM forms WHERE contact IN (%IDS) ORDER BY at, id",
                       sizeof(wf_form), wf_row_form, (void **)&f->forms, &f->n_forms);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT " WF_COLS_CLICK " FROM email_clicks"
                       " WHERE contact IN (%IDS) ORDER BY at, id",
                       sizeof(wf_email_click), wf_row_click, (void **)&f->clicks, &f->n_clicks);
    if (st == WF_OK)
        st = load_rows(&L,
                       "SELECT " WF_COLS_HISTORY " FROM history WHERE contact IN (%IDS) ORDER BY at, id",
                       sizeof(wf_history), wf_row_history, (void **)&f->history, &f->n_history);
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
