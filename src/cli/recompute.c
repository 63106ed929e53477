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

/* All surviving contacts, or the survivors of the touched ones. */
static const char all_sql[] = "SELECT id FROM contacts WHERE merged_into IS NULL ORDER BY id";
static const char touched_sql[] =
    "SELECT DISTINCT COALESCE(c.merged_into, t.contact) FROM temp.touched t"
    " JOIN contacts c ON c.id = t.contact ORDER BY 1";

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

static wf_status run(wf_store *s, const wf_engine *e, const char *ids_sql, int64_t only)
{
    double t0 = seconds();
    int64_t n = 0;
    sqlite3 *db = wf_store_db(s);
    sqlite3_stmt *up = NULL, *ids = NULL;
    wf_bulk_loader *l = NULL;
    wf_status st = wf_bulk_loader_new(s, &l);
    if (st != WF_OK) return st;
    int rc = sqlite3_prepare_v2(db, upsert_sql, -1, &up, NULL);
    if (rc) {
        wf_bulk_loader_free(&l);
        return wf_store_status(rc);
    }
    if (ids_sql) {
        rc = sqlite3_prepare_v2(db, ids_sql, -1, &ids, NULL);
        if (rc) {
            sqlite3_finalize(up);
            wf_bulk_loader_free(&l);
            /* no temp.touched: the importer touched nothing */
            return strstr(sqlite3_errmsg(db), "no such table") ? WF_OK : wf_store_status(rc);
        }
        while (st == WF_OK && (rc = sqlite3_step(ids)) == SQLITE_ROW) {
            n++;
            st = one(l, e, up, sqlite3_column_int64(ids, 0));
        }
        if (st == WF_OK && rc != SQLITE_DONE) st = wf_store_status(rc);
        sqlite3_finalize(ids);
        report_timing(ids_sql == all_sql ? "all" : "touched", n, t0);
    } else {
        st = one(l, e, up, only);
    }
    sqlite3_finalize(up);
    wf_bulk_loader_free(&l);
    return st;
}

static wf_status in_transaction(wf_store *s, const wf_engine *e, const char *ids_sql, int64_t only)
{
    int own = sqlite3_get_autocommit(wf_store_db(s));
    wf_status st = own ? wf_store_begin(s) : WF_OK;
    if (st != WF_OK) return st;
    st = run(s, e, ids_sql, only);
    if (!own) return st;
    if (st == WF_OK) return wf_store_commit(s);
    wf_store_rollback(s);
    return st;
}

wf_status wf_recompute(wf_store *s, const wf_engine *e, int only_touched)
{
    return in_transaction(s, e, only_touched ? touched_sql : all_sql, 0);
}

wf_status wf_recompute_one(wf_store *s, const wf_engine *e, int64_t id)
{
    return in_transaction(s, e, NULL, id);
}
