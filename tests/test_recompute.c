/* The computed cache does not depend on the way it is refreshed: the
 * importer's touched path, the full recompute, and the one-contact loader
 * (wf_store_load_facts + wf_explain) give the same row for every contact,
 * and the bulk loader gives the same facts as wf_store_load_facts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "attrib/engine.h"
#include "attrib/explain.h"
#include "cli/recompute.h"
#include "cli/recompute_load.h"
#include "import/import.h"
#include "store/store.h"

/* Two contacts sharing token t-shared (pageviews recorded for no contact,
 * for 7001 and for 7002, some at the same instant), history entries at the
 * same instant, and 7003 merged into 7001 (set by SQL in the setup, as the
 * v1 importer does for merged vids). */
static const char extra_ndjson[] =
    "{\"type\":\"contact\",\"id\":7001,\"email\":\"a@shared.example\",\"created_at\":"
    "\"2024-05-01T10:00:00Z\",\"channel\":\"FORM\",\"stored\":{\"source\":\"ORGANIC_SEARCH\"}}\n"
    "{\"type\":\"contact\",\"id\":7002,\"email\":\"b@shared.example\",\"created_at\":"
    "\"2024-05-02T10:00:00Z\",\"channel\":\"FORM\",\"stored\":{\"source\":\"DIRECT_TRAFFIC\"}}\n"
    "{\"type\":\"contact\",\"id\":7003,\"email\":\"c@shared.example\",\"created_at\":"
    "\"2024-04-02T10:00:00Z\",\"channel\":\"IMPORT\",\"stored\":{\"source\":\"OFFLINE\"}}\n"
    "{\"type\":\"link\",\"contact\":7001,\"token\":\"t-shared\",\"at\":\"2024-05-01T10:00:00Z\","
    "\"via\":\"form\",\"ref\":null}\n"
    "{\"type\":\"link\",\"contact\":7002,\"token\":\"t-shared\",\"at\":\"2024-05-02T10:00:00Z\","
    "\"via\":\"email\",\"ref\":null}\n"
    "{\"type\":\"pageview\",\"token\":\"t-shared\",\"contact\":null,\"at\":\"2024-04-30T09:00:"
    "00Z\","
    "\"url\":\"https://www.example.com/\",\"referrer\":\"https://www.google.com/\"}\n"
    "{\"type\":\"pageview\",\"token\":\"t-shared\",\"contact\":7001,\"at\":\"2024-04-30T09:00:"
    "00Z\","
    "\"url\":\"https://www.example.com/a\",\"referrer\":\"https://www.bing.com/\"}\n"
    "{\"type\":\"pageview\",\"token\":\"t-shared\",\"contact\":7002,\"at\":\"2024-04-30T09:00:"
    "00Z\","
    "\"url\":\"https://www.example.com/b\",\"referrer\":null}\n"
    "{\"type\":\"pageview\",\"token\":\"t-other\",\"contact\":7002,\"at\":\"2024-04-29T09:00:00Z\","
    "\"url\":\"https://www.example.com/c\",\"referrer\":\"https://t.co/x\"}\n"
    "{\"type\":\"pageview\",\"token\":\"t-c\",\"contact\":7003,\"at\":\"2024-03-29T09:00:00Z\","
    "\"url\":\"https://www.example.com/d\",\"referrer\":\"https://duckduckgo.com/\"}\n"
    "{\"type\":\"history\",\"contact\":7001,\"property\":\"hs_analytics_source\",\"value\":"
    "\"ORGANIC_SEARCH\",\"at\":\"2024-05-01T10:00:05Z\",\"source_type\":\"ANALYTICS\"}\n"
    "{\"type\":\"history\",\"contact\":7001,\"property\":\"hs_analytics_source_data_1\",\"value\":"
    "\"Unknown keywords (SSL)\",\"at\":\"2024-05-01T10:00:05Z\",\"source_type\":\"ANALYTICS\"}\n"
    "{\"type\":\"history\",\"contact\":7001,\"property\":\"hs_analytics_source\",\"value\":"
    "\"DIRECT_TRAFFIC\",\"at\":\"2024-05-01T10:00:05Z\",\"source_type\":\"ANALYTICS\"}\n";

typedef struct {
    wf_engine *e;
    wf_store *s;
    char db[4096];
    char **touched_rows; /* the cache after the importer's touched path */
    size_t n_touched_rows;
} fixture;

static const char rows_sql[] =
    "SELECT contact, source, dd1, dd2, rule, via, eff_source, eff_dd1, eff_dd2, latest_source,"
    " first_session_at, n_changes, flags, rulebook FROM computed ORDER BY contact";

static char *row_text(sqlite3_stmt *st)
{
    char buf[2048];
    size_t n = 0;
    for (int i = 0; i < sqlite3_column_count(st) && n < sizeof buf; i++) {
        const unsigned char *t = sqlite3_column_text(st, i);
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s|", t ? (const char *)t : "<null>");
    }
    return strdup(buf);
}

/* The computed table as one string per row, in contact order. */
static char **snapshot(wf_store *s, size_t *n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(s), rows_sql, -1, &st, NULL), SQLITE_OK);
    char **rows = NULL;
    *n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        rows = realloc(rows, (*n + 1) * sizeof *rows);
        assert_non_null(rows);
        rows[(*n)++] = row_text(st);
    }
    sqlite3_finalize(st);
    return rows;
}

static void free_rows(char **rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(rows[i]);
    free(rows);
}

static int64_t sql_int(wf_store *s, const char *q)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(s), q, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

static wf_status import_all(fixture *fx, const char *extra, char *err, size_t errsz)
{
    char demo[4096];
    snprintf(demo, sizeof demo, "%s/data/demo.ndjson", getenv("WHEREFROM_SRCDIR"));
    const char *paths[] = {demo, extra};
    wf_import_opts o = {.format = "ndjson"};
    wf_import_report rep;
    return wf_import_files(fx->s, paths, 2, &o, &rep, err, errsz);
}

static int setup(void **state)
{
    const char *tmp = getenv("TESTS_TMPDIR");
    if (!tmp || !getenv("WHEREFROM_SRCDIR")) return -1;
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    *state = fx;
    char err[1024] = "", extra[4096];
    snprintf(fx->db, sizeof fx->db, "%s/recompute_%ld.db", tmp, (long)getpid());
    snprintf(extra, sizeof extra, "%s/recompute_%ld.ndjson", tmp, (long)getpid());
    unlink(fx->db);
    FILE *fp = fopen(extra, "w");
    if (!fp || fputs(extra_ndjson, fp) < 0 || fclose(fp)) return -1;
    wf_status st = wf_engine_new(NULL, &fx->e, err, sizeof err);
    if (!st) st = wf_store_open(fx->db, WF_STORE_CREATE, &fx->s, err, sizeof err);
    if (!st) st = import_all(fx, extra, err, sizeof err);
    unlink(extra);
    if (!st) st = wf_store_exec(fx->s, "UPDATE contacts SET merged_into=7001 WHERE id=7003");
    /* the importer's own path: temp.touched, this connection */
    if (!st) st = wf_recompute(fx->s, fx->e, 1);
    if (st) {
        fprintf(stderr, "setup: %s %s\n", wf_status_message(st), err);
        return -1;
    }
    fx->touched_rows = snapshot(fx->s, &fx->n_touched_rows);
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    if (!fx) return 0;
    free_rows(fx->touched_rows, fx->n_touched_rows);
    wf_store_close(&fx->s);
    wf_engine_free(&fx->e);
    unlink(fx->db);
    free(fx);
    return 0;
}

/* Rebuilds the cache from scratch with the full recompute. */
static void full_recompute(fixture *fx)
{
    assert_int_equal(wf_store_exec(fx->s, "DELETE FROM computed"), WF_OK);
    assert_int_equal(wf_recompute(fx->s, fx->e, 0), WF_OK);
}

static void touched_path_covers_every_surviving_contact(void **state)
{
    fixture *fx = *state;
    int64_t survivors = sql_int(fx->s, "SELECT count(*) FROM contacts WHERE merged_into IS NULL");
    assert_true(survivors >= 41); /* the demo's 39 (5099 is merged), 7001, 7002 */
    assert_int_equal((int64_t)fx->n_touched_rows, survivors);
    assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM computed WHERE contact=7003"), 0);
}

static void touched_path_equals_full_recompute(void **state)
{
    fixture *fx = *state;
    full_recompute(fx);
    size_t n = 0;
    char **rows = snapshot(fx->s, &n);
    assert_int_equal(n, fx->n_touched_rows);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(rows[i], fx->touched_rows[i]);
    free_rows(rows, n);
}

/* What write_row in recompute.c stores, rebuilt from an explanation. */
static char *expected_row(const wf_explanation *x, int rulebook)
{
    char buf[2048];
#define S(v) ((v) ? (v) : "<null>")
    char fs[32] = "<null>";
    if (x->first_session_at != WF_TIME_NONE)
        snprintf(fs, sizeof fs, "%lld", (long long)x->first_session_at);
    snprintf(buf, sizeof buf, "%lld|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%lld|%lld|%d|",
             (long long)x->contact.id, S(x->computed.value.source), S(x->computed.value.dd1),
             S(x->computed.value.dd2),
             x->computed.rule == R_NONE ? "<null>" : wf_rule_id(x->computed.rule),
             x->computed.via == R_NONE ? "<null>" : wf_rule_id(x->computed.via),
             S(x->effective.source), S(x->effective.dd1), S(x->effective.dd2),
             x->has_latest ? S(x->latest.value.source) : "<null>", fs, (long long)x->n_changes,
             (long long)x->flags, rulebook);
#undef S
    return strdup(buf);
}

static void cache_equals_store_loader_and_explain(void **state)
{
    fixture *fx = *state;
    size_t checked = 0;
    for (size_t i = 0; i < fx->n_touched_rows; i++) {
        long long id = atoll(fx->touched_rows[i]);
        wf_facts *f = NULL;
        wf_explanation *x = NULL;
        assert_int_equal(wf_store_load_facts(fx->s, id, &f), WF_OK);
        assert_int_equal(wf_explain(fx->e, f, &x), WF_OK);
        char *want = expected_row(x, wf_engine_rulebook(fx->e));
        assert_string_equal(fx->touched_rows[i], want);
        free(want);
        wf_explanation_free(&x);
        wf_facts_free(&f);
        checked++;
    }
    assert_true(checked >= 41);
}

#define SAME_STR(a, b)                                                                             \
    do {                                                                                           \
        if ((a) || (b)) {                                                                          \
            assert_non_null(a);                                                                    \
            assert_non_null(b);                                                                    \
            assert_string_equal(a, b);                                                             \
        }                                                                                          \
    } while (0)

static void same_pageviews(const wf_facts *a, const wf_facts *b)
{
    assert_int_equal(a->n_pageviews, b->n_pageviews);
    for (size_t i = 0; i < a->n_pageviews; i++) {
        const wf_pageview *p = &a->pageviews[i], *q = &b->pageviews[i];
        assert_int_equal(p->id, q->id);
        assert_int_equal(p->contact, q->contact);
        assert_int_equal(p->at, q->at);
        SAME_STR(p->token, q->token);
        SAME_STR(p->url, q->url);
        SAME_STR(p->referrer, q->referrer);
        SAME_STR(p->session_id, q->session_id);
        SAME_STR(p->utm_source, q->utm_source);
        SAME_STR(p->utm_campaign, q->utm_campaign);
        SAME_STR(p->title, q->title);
    }
}

static void same_events(const wf_facts *a, const wf_facts *b)
{
    assert_int_equal(a->n_links, b->n_links);
    for (size_t i = 0; i < a->n_links; i++) {
        assert_int_equal(a->links[i].id, b->links[i].id);
        assert_int_equal(a->links[i].via, b->links[i].via);
        SAME_STR(a->links[i].token, b->links[i].token);
    }
    assert_int_equal(a->n_forms, b->n_forms);
    for (size_t i = 0; i < a->n_forms; i++)
        assert_int_equal(a->forms[i].id, b->forms[i].id);
    assert_int_equal(a->n_clicks, b->n_clicks);
    for (size_t i = 0; i < a->n_clicks; i++)
        assert_int_equal(a->clicks[i].id, b->clicks[i].id);
    assert_int_equal(a->n_history, b->n_history);
    for (size_t i = 0; i < a->n_history; i++) {
        assert_int_equal(a->history[i].id, b->history[i].id);
        SAME_STR(a->history[i].value, b->history[i].value);
    }
    assert_int_equal(a->n_merges, b->n_merges);
    assert_int_equal(a->override != NULL, b->override != NULL);
    if (a->override) assert_int_equal(a->override->id, b->override->id);
    assert_int_equal(a->n_site_domains, b->n_site_domains);
}

/* Every contact, merged-away ones included: same facts in the same order. */
static void bulk_loader_gives_the_store_loaders_facts(void **state)
{
    fixture *fx = *state;
    wf_bulk_loader *l = NULL;
    assert_int_equal(wf_bulk_loader_new(fx->s, &l), WF_OK);
    sqlite3_stmt *ids;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(fx->s), "SELECT id FROM contacts ORDER BY id",
                                        -1, &ids, NULL),
                     SQLITE_OK);
    size_t n = 0;
    while (sqlite3_step(ids) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(ids, 0);
        wf_facts *a = NULL, *b = NULL;
        assert_int_equal(wf_bulk_load(l, id, &a), WF_OK);
        assert_int_equal(wf_store_load_facts(fx->s, id, &b), WF_OK);
        assert_int_equal(a->id, b->id);
        SAME_STR(a->stored_source, b->stored_source);
        same_pageviews(a, b);
        same_events(a, b);
        wf_facts_free(&a);
        wf_facts_free(&b);
        n++;
    }
    sqlite3_finalize(ids);
    assert_true(n >= 43);
    wf_facts *none = NULL;
    assert_int_equal(wf_bulk_load(l, 987654321, &none), WF_E_NOTFOUND);
    assert_null(none);
    wf_bulk_loader_free(&l);
    assert_null(l);
}

/* The stream loaders (every contact; a subset in a temporary table, with
 * gaps and merged-away records) give wf_store_load_facts' facts too. */
static void stream_loader_matches(fixture *fx, const char *ids_table, const char *ids_sql,
                                  size_t min_n)
{
    wf_bulk_loader *l = NULL;
    assert_int_equal(wf_bulk_loader_new_stream(fx->s, ids_table, &l), WF_OK);
    sqlite3_stmt *ids;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(fx->s), ids_sql, -1, &ids, NULL), SQLITE_OK);
    size_t n = 0;
    while (sqlite3_step(ids) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(ids, 0);
        wf_facts *a = NULL, *b = NULL;
        assert_int_equal(wf_bulk_load(l, id, &a), WF_OK);
        assert_int_equal(wf_store_load_facts(fx->s, id, &b), WF_OK);
        assert_int_equal(a->id, b->id);
        same_pageviews(a, b);
        same_events(a, b);
        wf_facts_free(&a);
        wf_facts_free(&b);
        n++;
    }
    sqlite3_finalize(ids);
    wf_bulk_loader_free(&l);
    assert_true(n >= min_n);
}

static void stream_loader_over_every_contact(void **state)
{
    fixture *fx = *state;
    stream_loader_matches(fx, NULL, "SELECT id FROM contacts ORDER BY id", 43);
}

static void stream_loader_over_a_subset_with_gaps(void **state)
{
    fixture *fx = *state;
    assert_int_equal(wf_store_exec(fx->s, "CREATE TEMP TABLE some_ids(id INTEGER PRIMARY KEY);"
                                          "INSERT INTO some_ids SELECT id FROM contacts WHERE"
                                          " id % 3 <> 1 OR id IN (5005, 5099, 7001, 7002)"),
                     WF_OK);
    /* every other one of them: rows of the skipped ids are passed over */
    stream_loader_matches(fx, "temp.some_ids",
                          "SELECT id FROM temp.some_ids WHERE id % 2 = 0 OR id IN (5005, 7001,"
                          " 7002) ORDER BY id",
                          4);
    assert_int_equal(wf_store_exec(fx->s, "DROP TABLE temp.some_ids"), WF_OK);
}

/* t-shared's page views belong to both contacts; the one recorded for
 * the other contact and the anonymous one come in through the token, in
 * (at, id) order with the contact's own. */
static void shared_token_page_views_reach_both_contacts(void **state)
{
    fixture *fx = *state;
    wf_bulk_loader *l = NULL;
    assert_int_equal(wf_bulk_loader_new(fx->s, &l), WF_OK);
    wf_facts *f = NULL;
    assert_int_equal(wf_bulk_load(l, 7002, &f), WF_OK);
    assert_int_equal(f->n_pageviews, 4); /* t-other, then three at the same instant */
    assert_string_equal(f->pageviews[0].url, "https://www.example.com/c");
    for (size_t i = 2; i < f->n_pageviews; i++) {
        assert_true(f->pageviews[i - 1].at == f->pageviews[i].at);
        assert_true(f->pageviews[i - 1].id < f->pageviews[i].id);
    }
    int foreign = 0;
    for (size_t i = 0; i < f->n_pageviews; i++)
        foreign += f->pageviews[i].contact != 7002;
    assert_int_equal(foreign, 2);
    wf_facts_free(&f);
    wf_bulk_loader_free(&l);
}

static void history_at_the_same_instant_in_id_order(void **state)
{
    fixture *fx = *state;
    wf_bulk_loader *l = NULL;
    assert_int_equal(wf_bulk_loader_new(fx->s, &l), WF_OK);
    wf_facts *f = NULL;
    assert_int_equal(wf_bulk_load(l, 7002, &f), WF_OK); /* no merges: the bulk path itself */
    wf_facts_free(&f);
    /* 7001 absorbs 7003, so check the order on a demo contact with ties */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(fx->s),
                                        "SELECT contact FROM history h WHERE EXISTS(SELECT 1 FROM"
                                        " history g WHERE g.contact=h.contact AND g.at=h.at AND"
                                        " g.id<>h.id) AND contact<>7001 LIMIT 1",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    assert_int_equal(wf_bulk_load(l, id, &f), WF_OK);
    assert_true(f->n_history >= 2);
    for (size_t i = 1; i < f->n_history; i++) {
        const wf_history *p = &f->history[i - 1], *q = &f->history[i];
        assert_true(p->at < q->at || (p->at == q->at && p->id < q->id));
    }
    wf_facts_free(&f);
    wf_bulk_loader_free(&l);
}

/* 7003 is merged into 7001: 7001's facts include 7003's page view, the
 * cache has no row for 7003, and touching 7003 refreshes 7001. */
static void merged_record_refreshes_its_survivor(void **state)
{
    fixture *fx = *state;
    wf_facts *f = NULL;
    wf_bulk_loader *l = NULL;
    assert_int_equal(wf_bulk_loader_new(fx->s, &l), WF_OK);
    assert_int_equal(wf_bulk_load(l, 7001, &f), WF_OK);
    int from_merged = 0;
    for (size_t i = 0; i < f->n_pageviews; i++)
        from_merged += f->pageviews[i].contact == 7003;
    assert_int_equal(from_merged, 1);
    wf_facts_free(&f);
    wf_bulk_loader_free(&l);
    full_recompute(fx);
    assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM computed WHERE contact=7003"), 0);
    assert_int_equal(wf_store_exec(fx->s, "DELETE FROM computed WHERE contact IN (7001, 7002);"
                                          "DELETE FROM temp.touched;"
                                          "INSERT INTO temp.touched VALUES(7003)"),
                     WF_OK);
    assert_int_equal(wf_recompute(fx->s, fx->e, 1), WF_OK);
    assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM computed WHERE contact=7001"), 1);
    assert_int_equal(sql_int(fx->s, "SELECT count(*) FROM computed WHERE contact=7002"), 0);
    assert_int_equal(wf_recompute_one(fx->s, fx->e, 7002), WF_OK);
    size_t n = 0;
    char **rows = snapshot(fx->s, &n);
    assert_int_equal(n, fx->n_touched_rows);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(rows[i], fx->touched_rows[i]);
    free_rows(rows, n);
}

/* An override (the table is no longer empty) is seen by both paths. */
static void override_seen_by_both_paths(void **state)
{
    fixture *fx = *state;
    assert_int_equal(wf_store_exec(fx->s, "INSERT INTO overrides(contact, at, user, action, source,"
                                          " reason, computed_source) VALUES(7002, 1727740800000,"
                                          " 'ana', 'set', 'PAID_SEARCH', 'deal', 'X')"),
                     WF_OK);
    assert_int_equal(wf_store_exec(fx->s, "DELETE FROM temp.touched;"
                                          "INSERT INTO temp.touched VALUES(7002)"),
                     WF_OK);
    assert_int_equal(wf_recompute(fx->s, fx->e, 1), WF_OK);
    size_t n1 = 0, n2 = 0;
    char **touched = snapshot(fx->s, &n1);
    assert_int_equal(
        sql_int(fx->s, "SELECT eff_source='PAID_SEARCH' FROM computed WHERE contact=7002"), 1);
    full_recompute(fx);
    char **full = snapshot(fx->s, &n2);
    assert_int_equal(n1, n2);
    for (size_t i = 0; i < n1; i++)
        assert_string_equal(touched[i], full[i]);
    free_rows(touched, n1);
    free_rows(full, n2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(touched_path_covers_every_surviving_contact),
        cmocka_unit_test(touched_path_equals_full_recompute),
        cmocka_unit_test(cache_equals_store_loader_and_explain),
        cmocka_unit_test(bulk_loader_gives_the_store_loaders_facts),
        cmocka_unit_test(stream_loader_over_every_contact),
        cmocka_unit_test(stream_loader_over_a_subset_with_gaps),
        cmocka_unit_test(shared_token_page_views_reach_both_contacts),
        cmocka_unit_test(history_at_the_same_instant_in_id_order),
        cmocka_unit_test(merged_record_refreshes_its_survivor),
        cmocka_unit_test(override_seen_by_both_paths),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
