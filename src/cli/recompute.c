/* Refreshing the `computed` cache: the engine's result per contact. */
#include "cli/recompute.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attrib/explain.h"
#include "cli/recompute_load.h"

static const char upsert_sql[] =
    "INSERT INTO computed(contact, source, dd1, dd2, rule, via, eff_source, eff_dd1, eff_dd2,"
    " latest_source, first_session_at, n_changes, flags, rulebook)"
    " VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)"
    " ON CONFLICT(contact) DO UPDATE SET source=excluded.source, dd1=excluded.dd1,"
    " dd2=excluded.dd2, rule=excluded.rule, via=excluded.via, eff_source=excluded.eff_source,"
    " eff_dd1=excluded.eff_dd1, eff_dd2=excluded.eff_dd2, latest_source=excluded.latest_source,"
    " first_session_at=excluded.first_session_at, n_changes=excluded.n_changes,"
    " flags=excluded.flags, rulebook=excluded.rulebook";

/* All surviving contacts, or the survivors of the touched ones (collected
 * in a temporary table that the loader's streams join with). */
static const char all_sql[] = "SELECT id FROM contacts WHERE merged_into IS NULL ORDER BY id";
static const char ids_table[] = "temp.wf_recompute_ids";
static const char touched_fill_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS wf_recompute_ids(id INTEGER PRIMARY KEY);"
    "DELETE FROM temp.wf_recompute_ids;"
    "INSERT OR IGNORE INTO temp.wf_recompute_ids SELECT COALESCE(c.merged_into, t.contact)"
    " FROM temp.touched t JOIN contacts c ON c.id = t.contact";
static const char touched_sql[] = "SELECT id FROM temp.wf_recompute_ids ORDER BY id";
static const char touched_drop_sql[] = "DROP TABLE IF EXISTS temp.wf_recompute_ids";

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static const char *rule_or_null(wf_rule r)
{
    return r == R_NONE ? NULL : wf_rule_id(r);
}

static wf_status write_row(sqlite3_stmt *up, const wf_explanation *x, int rulebook)
{
    sqlite3_reset(up);
    sqlite3_clear_bindings(up);
    sqlite3_bind_int64(up, 1, x->contact.id);
    bind_text(up, 2, x->computed.value.source);
    bind_text(up, 3, x->computed.value.dd1);
    bind_text(up, 4, x->computed.value.dd2);
    bind_text(up, 5, rule_or_null(x->computed.rule));
    bind_text(up, 6, rule_or_null(x->computed.via));
    bind_text(up, 7, x->effective.source);
    bind_text(up, 8, x->effective.dd1);
    bind_text(up, 9, x->effective.dd2);
    bind_text(up, 10, x->has_latest ? x->latest.value.source : NULL);
    if (x->first_session_at != WF_TIME_NONE) sqlite3_bind_int64(up, 11, x->first_session_at);
    sqlite3_bind_int64(up, 12, (sqlite3_int64)x->n_changes);
    sqlite3_bind_int64(up, 13, (sqlite3_int64)x->flags);
    sqlite3_bind_int(up, 14, rulebook);
    int rc = sqlite3_step(up);
    return rc == SQLITE_DONE ? WF_OK : wf_store_status(rc);
}

static wf_status one(wf_bulk_loader *l, const wf_engine *e, sqlite3_stmt *up, int64_t id)
{
    wf_facts *f = NULL;
    wf_explanation *x = NULL;
    wf_status st = wf_bulk_load(l, id, &f);
    if (st == WF_E_NOTFOUND) return WF_OK; /* deleted meanwhile: nothing to cache */
    if (st == WF_OK) st = wf_explain(e, f, &x);
    if (st == WF_OK) st = write_row(up, x, wf_engine_rulebook(e));
    wf_explanation_free(&x);
    wf_facts_free(&f);
    return st;
}

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* WHEREFROM_TIMINGS=1: one line on stderr per recompute, for benchmarks. */
static void report_timing(const char *what, int64_t n, double t0)
{
    const char *v = getenv("WHEREFROM_TIMINGS");
    if (!v || !*v || !strcmp(v, "0")) return;
    fprintf(stderr, "wherefrom: recompute (%s): %lld contacts in %.3f s\n", what, (long long)n,
            seconds() - t0);
}

static wf_status each(wf_store *s, wf_bulk_loader *l, const wf_engine *e, sqlite3_stmt *up,
                      const char *ids_sql, int64_t *n)
{
    sqlite3_stmt *ids = NULL;
    int rc = sqlite3_prepare_v2(wf_store_db(s), ids_sql, -1, &ids, NULL);
    if (rc) return wf_store_status(rc);
    wf_status st = WF_OK;
    while (st == WF_OK && (rc = sqlite3_step(ids)) == SQLITE_ROW) {
        ++*n;
        st = one(l, e, up, sqlite3_column_int64(ids, 0));
    }
    if (st == WF_OK && rc != SQLITE_DONE) st = wf_store_status(rc);
    sqlite3_finalize(ids);
    return st;
}

/* ids_sql NULL: the one contact `only`, with point queries; else the ids
 * it yields in ascending order, with the loader streaming over stream_ids
 * (NULL: every contact). */
static wf_status run(wf_store *s, const wf_engine *e, const char *ids_sql, const char *stream_ids,
                     int64_t only)
{
    double t0 = seconds();
    int64_t n = 0;
    sqlite3_stmt *up = NULL;
    wf_bulk_loader *l = NULL;
    wf_status st =
        ids_sql ? wf_bulk_loader_new_stream(s, stream_ids, &l) : wf_bulk_loader_new(s, &l);
    if (st != WF_OK) return st;
    int rc = sqlite3_prepare_v2(wf_store_db(s), upsert_sql, -1, &up, NULL);
    if (rc)
        st = wf_store_status(rc);
    else if (ids_sql)
        st = each(s, l, e, up, ids_sql, &n);
    else
        st = one(l, e, up, only);
    sqlite3_finalize(up);
    wf_bulk_loader_free(&l);
    if (ids_sql && st == WF_OK) report_timing(stream_ids ? "touched" : "all", n, t0);
    return st;
}

static wf_status run_touched(wf_store *s, const wf_engine *e)
{
    wf_status st = wf_store_exec(s, touched_fill_sql);
    /* no temp.touched: the importer touched nothing */
    if (st != WF_OK) return strstr(wf_store_errmsg(s), "no such table") ? WF_OK : st;
    st = run(s, e, touched_sql, ids_table, 0);
    wf_status dropped = wf_store_exec(s, touched_drop_sql);
    return st != WF_OK ? st : dropped;
}

enum { ALL, TOUCHED, ONE };

static wf_status in_transaction(wf_store *s, const wf_engine *e, int which, int64_t only)
{
    int own = sqlite3_get_autocommit(wf_store_db(s));
    wf_status st = own ? wf_store_begin(s) : WF_OK;
    if (st != WF_OK) return st;
    st = which == TOUCHED ? run_touched(s, e)
         : which == ALL   ? run(s, e, all_sql, NULL, 0)
                          : run(s, e, NULL, NULL, only);
    if (!own) return st;
    if (st == WF_OK) return wf_store_commit(s);
    wf_store_rollback(s);
    return st;
}

wf_status wf_recompute(wf_store *s, const wf_engine *e, int only_touched)
{
    return in_transaction(s, e, only_touched ? TOUCHED : ALL, 0);
}

wf_status wf_recompute_one(wf_store *s, const wf_engine *e, int64_t id)
{
    return in_transaction(s, e, ONE, id);
}
