/* The list's row source (src/store/rows.c): keyset paging, filters, sort
 * orders and search, on a hand-written database. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store/rows.h"
#include "tui_fixture.h"

typedef struct {
    wf_store *s;
    wf_rows *r;
} ctx;

static int setup(void **state)
{
    ctx *c = calloc(1, sizeof *c);
    c->s = fix_build("rows");
    assert_int_equal(wf_rows_new(c->s, &c->r), WF_OK);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    ctx *c = *state;
    wf_rows_free(&c->r);
    wf_store_close(&c->s);
    free(c);
    return 0;
}

static void clear_rows(wf_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        wf_row_clear(&rows[i]);
}

static void set_filter(ctx *c, const char *text)
{
    wf_filter f;
    char err[256];
    wf_filter_init(&f);
    assert_int_equal(wf_filter_parse(&f, text, err, sizeof err), WF_OK);
    assert_int_equal(wf_rows_set_filter(c->r, &f), WF_OK);
    wf_filter_clear(&f);
}

static void first_page_is_oldest_first(void **state)
{
    ctx *c = *state;
    wf_row rows[6];
    size_t got = 0;
    assert_int_equal(wf_rows_after(c->r, NULL, 6, rows, &got), WF_OK);
    assert_int_equal(got, 6);
    assert_int_equal(rows[0].id, FIX_CJK);
    assert_int_equal(rows[1].id, FIX_HOSTILE);
    assert_int_equal(rows[4].id, 1);
    assert_string_equal(rows[4].firstname, "First1");
    assert_string_equal(rows[4].channel, "FORM");
    clear_rows(rows, got);
}

static void paging_visits_every_row_once_in_order(void **state)
{
    ctx *c = *state;
    wf_row rows[17], last;
    size_t got, total = 0;
    int have_last = 0;
    memset(&last, 0, sizeof last);
    do {
        assert_int_equal(wf_rows_after(c->r, have_last ? &last : NULL, 17, rows, &got), WF_OK);
        for (size_t i = 0; i < got; i++) {
            if (have_last || i) {
                const wf_row *prev = i ? &rows[i - 1] : &last;
                assert_true(rows[i].created_at > prev->created_at ||
                            (rows[i].created_at == prev->created_at && rows[i].id > prev->id));
            }
        }
        total += got;
        if (got) {
            wf_row_clear(&last);
            assert_int_equal(wf_row_copy(&last, &rows[got - 1]), WF_OK);
            have_last = 1;
        }
        clear_rows(rows, got);
    } while (got == 17);
    wf_row_clear(&last);
    assert_int_equal(total, FIX_TOTAL);
}

static void before_end_gives_last_rows_ascending(void **state)
{
    ctx *c = *state;
    wf_row rows[5], more[3];
    size_t got = 0, got2 = 0;
    assert_int_equal(wf_rows_before(c->r, NULL, 5, rows, &got), WF_OK);
    assert_int_equal(got, 5);
    assert_int_equal(rows[0].id, 196);
    assert_int_equal(rows[4].id, 200);
    assert_int_equal(wf_rows_before(c->r, &rows[0], 3, more, &got2), WF_OK);
    assert_int_equal(got2, 3);
    assert_int_equal(more[0].id, 193);
    assert_int_equal(more[2].id, 195);
    clear_rows(rows, got);
    clear_rows(more, got2);
}

static void sort_by_id_and_source(void **state)
{
    ctx *c = *state;
    wf_row rows[3];
    size_t got = 0;
    wf_rows_set_sort(c->r, WF_SORT_ID);
    assert_int_equal(wf_rows_before(c->r, NULL, 1, rows, &got), WF_OK);
    assert_int_equal(rows[0].id, FIX_COMBINING);
    clear_rows(rows, got);
    wf_rows_set_sort(c->r, WF_SORT_SOURCE);
    assert_int_equal(wf_rows_after(c->r, NULL, 3, rows, &got), WF_OK);
    assert_string_equal(rows[0].source, "OFFLINE");
    assert_true(rows[0].id < rows[1].id);
    clear_rows(rows, got);
    assert_int_equal(wf_rows_before(c->r, NULL, 1, rows, &got), WF_OK);
    assert_string_equal(rows[0].source, "REFERRALS"); /* the CJK contact sorts last */
    assert_int_equal(rows[0].id, FIX_CJK);
    clear_rows(rows, got);
    assert_int_equal(wf_sort_from_name("source"), WF_SORT_SOURCE);
    assert_int_equal(wf_rows_max_id(c->r), FIX_COMBINING);
    assert_int_equal(wf_sort_from_name("nope"), -1);
}

static void effective_source_prefers_the_computed_cache(void **state)
{
    ctx *c = *state;
    wf_row r;
    assert_int_equal(wf_rows_get(c->r, FIX_MERGED, &r), WF_OK);
    assert_string_equal(r.source, "ORGANIC_SEARCH");
    assert_string_equal(r.stored_source, "REFERRALS");
    assert_string_equal(r.dd1, "google");
    assert_true(r.has_computed);
    assert_int_equal(r.flags, 1u | (1u << 8) | (1u << 10));
    wf_row_clear(&r);
    assert_int_equal(wf_rows_get(c->r, 5, &r), WF_OK);
    assert_false(r.has_computed);
    assert_string_equal(r.source, "PAID_SEARCH");
    wf_row_clear(&r);
}

static void filters_count(void **state)
{
    ctx *c = *state;
    set_filter(c, "source=OFFLINE");
    assert_int_equal(wf_rows_count(c->r), 66 + 2);
    set_filter(c, "source=organic"); /* label prefix; the cache decides for 1003 */
    assert_int_equal(wf_rows_count(c->r), 67 + 1);
    wf_filter none;
    wf_filter_init(&none);
    wf_rows_set_filter(c->r, &none);
    set_filter(c, "channel=import");
    assert_int_equal(wf_rows_count(c->r), 66 + 1);
    wf_rows_set_filter(c->r, &none);
    set_filter(c, "marker=merged");
    assert_int_equal(wf_rows_count(c->r), 1);
    wf_rows_set_filter(c->r, &none);
    set_filter(c, "created=2024-01-01..2024-01-01");
    assert_int_equal(wf_rows_count(c->r), 23);
    wf_rows_set_filter(c->r, &none);
    assert_int_equal(wf_rows_count(c->r), FIX_TOTAL);
}

static void filter_hides_rows_from_get(void **state)
{
    ctx *c = *state;
    wf_row r;
    set_filter(c, "channel=API");
    assert_int_equal(wf_rows_get(c->r, 3, &r), WF_E_NOTFOUND); /* 3 % 3 == 0: IMPORT */
    assert_int_equal(wf_rows_get(c->r, 2, &r), WF_OK);
    wf_row_clear(&r);
}

static void filter_parse_and_describe(void **state)
{
    (void)state;
    wf_filter f;
    char err[256], d[256];
    wf_filter_init(&f);
    assert_int_equal(wf_filter_parse(&f,
                                     "source=OFFLINE channel=IMPORT marker=changed "
                                     "created=2024-01-01..2024-06-30",
                                     err, sizeof err),
                     WF_OK);
    wf_filter_describe(&f, d, sizeof d);
    assert_string_equal(d, "source=OFFLINE channel=IMPORT marker=changed "
                           "created=2024-01-01..2024-06-30");
    assert_int_equal(wf_filter_parse(&f, "colour=red", err, sizeof err), WF_E_USAGE);
    assert_non_null(strstr(err, "colour"));
    assert_int_equal(wf_filter_parse(&f, "source=NOWHERE", err, sizeof err), WF_E_USAGE);
    assert_int_equal(wf_filter_parse(&f, "created=yesterday", err, sizeof err), WF_E_USAGE);
    assert_int_equal(wf_filter_parse(&f, "created=2024-06-30..2024-01-01", err, sizeof err),
                     WF_E_USAGE);
    /* a failed parse leaves the filter as it was */
    wf_filter_describe(&f, d, sizeof d);
    assert_non_null(strstr(d, "source=OFFLINE"));
    assert_int_equal(wf_filter_parse(&f, "marker=!", err, sizeof err), WF_OK);
    wf_filter_describe(&f, d, sizeof d);
    assert_non_null(strstr(d, "marker=unexplained-change,api-race,override-drift"));
    wf_filter_clear(&f);
    assert_true(wf_filter_is_empty(&f));
}

static int64_t find_id(ctx *c, const char *q, int64_t from, int dir, int *wrapped)
{
    wf_row key, out;
    int64_t id = -1;
    if (from) assert_int_equal(wf_rows_get(c->r, from, &key), WF_OK);
    if (wf_rows_find(c->r, q, from ? &key : NULL, dir, &out, wrapped) == WF_OK) {
        id = out.id;
        wf_row_clear(&out);
    }
    if (from) wf_row_clear(&key);
    return id;
}

static void search_by_prefix_id_email_and_full_name(void **state)
{
    ctx *c = *state;
    int w;
    assert_int_equal(find_id(c, "first12", 0, 1, &w), 12);
    assert_int_equal(find_id(c, "first12", 12, 1, &w), 120);
    assert_false(w);
    assert_int_equal(find_id(c, "150", 0, 1, &w), 150);
    assert_int_equal(find_id(c, "PERSON7@", 0, 1, &w), 7);
    assert_int_equal(find_id(c, "first5 last5", 0, 1, &w), 5);
    assert_int_equal(find_id(c, "\xe5\xb1\xb1\xe7\x94\xb0", 0, 1, &w), FIX_CJK);
    assert_int_equal(find_id(c, "zzz", 0, 1, &w), -1);
    assert_int_equal(find_id(c, "   ", 0, 1, &w), -1);
}

static void search_wraps_and_goes_backwards(void **state)
{
    ctx *c = *state;
    int w = 0;
    assert_int_equal(find_id(c, "first12", 129, 1, &w), 12);
    assert_true(w);
    assert_int_equal(find_id(c, "first12", 120, -1, &w), 12);
    assert_false(w);
    assert_int_equal(find_id(c, "first12", 12, -1, &w), 129);
    assert_true(w);
}

static void search_respects_the_filter(void **state)
{
    ctx *c = *state;
    int w;
    set_filter(c, "channel=FORM");
    assert_int_equal(find_id(c, "first3", 0, 1, &w), 31); /* 3 and 30 are IMPORT */
}

/* Many matches take the scanning path; it must agree with the index path:
 * every next match is the following row in list order whose name matches. */
static void dense_search_scans_in_list_order(void **state)
{
    ctx *c = *state;
    sqlite3 *db = wf_store_db(c->s);
    assert_int_equal(sqlite3_exec(db,
                                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n"
                                  " WHERE i < 2500) INSERT INTO contacts(id, firstname,"
                                  " created_at, channel) SELECT 10000 + i, 'Dense' || i,"
                                  " 1700000000000 + (i * 7919) % 2500 * 1000, 'API' FROM n",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    int w;
    /* the oldest Dense contact, then the next ones in created order */
    assert_int_equal(find_id(c, "dense", 0, 1, &w), 10000 + 2500); /* created offset 0 */
    int64_t prev = find_id(c, "dense", 0, 1, &w);
    for (int k = 0; k < 5; k++) {
        int64_t next = find_id(c, "dense", prev, 1, &w);
        wf_row a, b;
        assert_int_equal(wf_rows_get(c->r, prev, &a), WF_OK);
        assert_int_equal(wf_rows_get(c->r, next, &b), WF_OK);
        assert_true(b.created_at > a.created_at);
        assert_int_equal(b.created_at - a.created_at, 1000); /* no match skipped */
        wf_row_clear(&a);
        wf_row_clear(&b);
        prev = next;
    }
    int64_t first = find_id(c, "dense", 0, 1, &w);
    int64_t second = find_id(c, "dense", first, 1, &w);
    assert_int_equal(find_id(c, "dense", second, -1, &w), first);
    wf_row last;
    assert_int_equal(wf_rows_get(c->r, find_id(c, "dense", first, -1, &w), &last), WF_OK);
    assert_true(w); /* wrapped around to the newest Dense contact */
    assert_int_equal(last.created_at, 1700000000000LL + 2499 * 1000);
    wf_row_clear(&last);
}

/* With a cache row for every contact, sorting by source pages through the
 * cache's index; the order must be the same as the general query's. */
static void source_sort_through_the_cache_keeps_the_order(void **state)
{
    ctx *c = *state;
    sqlite3 *db = wf_store_db(c->s);
    assert_int_equal(sqlite3_exec(db,
                                  "INSERT INTO computed(contact, source, eff_source, eff_dd1)"
                                  " SELECT id, src, src, src_dd1 FROM contacts WHERE id NOT IN"
                                  " (SELECT contact FROM computed)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT c.id FROM contacts c LEFT JOIN computed k ON"
                                        " k.contact = c.id WHERE c.merged_into IS NULL ORDER BY"
                                        " coalesce(k.eff_source, c.src, ''), c.id",
                                        -1, &st, NULL),
                     SQLITE_OK);
    wf_rows_set_sort(c->r, WF_SORT_SOURCE);
    set_filter(c, "");
    wf_row rows[7], last;
    size_t got;
    int have = 0, n = 0;
    do {
        assert_int_equal(wf_rows_after(c->r, have ? &last : NULL, 7, rows, &got), WF_OK);
        for (size_t i = 0; i < got; i++, n++) {
            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            assert_int_equal(rows[i].id, sqlite3_column_int64(st, 0));
        }
        if (got) {
            if (have) wf_row_clear(&last);
            wf_row_copy(&last, &rows[got - 1]);
            have = 1;
        }
        clear_rows(rows, got);
    } while (got == 7);
    if (have) wf_row_clear(&last);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(n, FIX_TOTAL);
    /* the source filter as a range of the same index */
    set_filter(c, "source=PAID_SEARCH");
    assert_int_equal(wf_rows_after(c->r, NULL, 3, rows, &got), WF_OK);
    assert_int_equal(got, 3);
    assert_int_equal(rows[0].id, 2);
    assert_string_equal(rows[2].source, "PAID_SEARCH");
    clear_rows(rows, got);
}

int main(void)
{
    setlocale(LC_ALL, ""); /* as main() does: UTF-8 widths on screen */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_page_is_oldest_first, setup, teardown),
        cmocka_unit_test_setup_teardown(paging_visits_every_row_once_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(before_end_gives_last_rows_ascending, setup, teardown),
        cmocka_unit_test_setup_teardown(sort_by_id_and_source, setup, teardown),
        cmocka_unit_test_setup_teardown(effective_source_prefers_the_computed_cache, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(filters_count, setup, teardown),
        cmocka_unit_test_setup_teardown(filter_hides_rows_from_get, setup, teardown),
        cmocka_unit_test(filter_parse_and_describe),
        cmocka_unit_test_setup_teardown(search_by_prefix_id_email_and_full_name, setup, teardown),
        cmocka_unit_test_setup_teardown(search_wraps_and_goes_backwards, setup, teardown),
        cmocka_unit_test_setup_teardown(search_respects_the_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(dense_search_scans_in_list_order, setup, teardown),
        cmocka_unit_test_setup_teardown(source_sort_through_the_cache_keeps_the_order, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
