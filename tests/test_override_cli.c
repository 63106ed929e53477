/* `wherefrom override` / `revert` through $WHEREFROM_BIN: old -> new,
 * refusals, plans (dry run prints exactly what applying changes; one
 * transaction; plan name and author recorded), read-only, two processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "audit_util.h"
#include "store/overrides.h"

static int setup(void **state)
{
    au_fx *f = calloc(1, sizeof *f);
    au_paths(f, "ovcli");
    if (au_import(f, "causes.ndjson", 1)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    au_free(*state);
    return 0;
}

static int64_t q1(au_fx *f, const char *sql)
{
    wf_store *s;
    char err[256];
    int64_t v = -1;
    if (wf_store_open(f->db, WF_STORE_READONLY, &s, err, sizeof err) != WF_OK) return -2;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(wf_store_db(s), sql, -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    wf_store_close(&s);
    return v;
}

static void write_plan(au_fx *f, const char *name, const char *json, char *path, size_t n)
{
    snprintf(path, n, "%s.%s", f->db, name);
    FILE *fp = fopen(path, "w");
    fputs(json, fp);
    fclose(fp);
}

static void test_override_prints_old_new(void **state)
{
    au_fx *f = *state;
    const char *a[] = {"override",    "--db",  f->db, "100",      "--source",
                       "paid_search", "--dd1", "kw",  "--reason", "sales call",
                       "--user",      "ann",   NULL};
    assert_int_equal(au_run(f, a), 0);
    assert_non_null(strstr(f->text, "contact 100"));
    assert_non_null(strstr(f->text, "Organic search / Unknown keywords (SSL) / google -> "
                                    "Paid search / kw / -"));
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides WHERE contact=100 AND user='ann'"
                           " AND source='PAID_SEARCH' AND computed_source='ORGANIC_SEARCH'"),
                     1);
    assert_int_equal(q1(f, "SELECT eff_source='PAID_SEARCH' AND source='ORGANIC_SEARCH'"
                           " FROM computed WHERE contact=100"),
                     1);
}

static void test_refusals_write_nothing(void **state)
{
    au_fx *f = *state;
    const char *bad_src[] = {"override", "--db",     f->db, "100", "--source",
                             "IMPORTED", "--reason", "x",   NULL};
    assert_int_equal(au_run(f, bad_src), 2);
    assert_non_null(strstr(f->errtext, "ORGANIC_SEARCH"));
    const char *no_reason[] = {"override", "--db", f->db, "100", "--source", "OFFLINE", NULL};
    assert_int_equal(au_run(f, no_reason), 2);
    assert_non_null(strstr(f->errtext, "reason"));
    const char *blank[] = {"override", "--db",     f->db, "100", "--source",
                           "OFFLINE",  "--reason", "  ",  NULL};
    assert_int_equal(au_run(f, blank), 2);
    const char *nobody[] = {"override", "--db",     f->db, "424242", "--source",
                            "OFFLINE",  "--reason", "x",   NULL};
    assert_int_equal(au_run(f, nobody), 66);
    const char *revert_none[] = {"revert", "--db", f->db, "100", "--reason", "x", NULL};
    assert_int_equal(au_run(f, revert_none), 66);
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides"), 0);
}

static void test_revert_by_email(void **state)
{
    au_fx *f = *state;
    const char *a[] = {"override", "--db", f->db, "clean@example.com", "--source", "OFFLINE",
                       "--reason", "x",    NULL};
    assert_int_equal(au_run(f, a), 0);
    const char *r[] = {"revert", "--db", f->db, "CLEAN@example.com", "--reason", "undo", NULL};
    assert_int_equal(au_run(f, r), 0);
    assert_non_null(strstr(f->text, "ended"));
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides WHERE contact=109"), 2);
    assert_int_equal(q1(f, "SELECT eff_source='REFERRALS' FROM computed WHERE contact=109"), 1);
}

static void test_read_only_refused_byte_identical(void **state)
{
    au_fx *f = *state;
    size_t n1, n2;
    char *before = au_slurp(f->db, &n1);
    const char *a[] = {"--read-only", "override", "--db",     f->db, "100",
                       "--source",    "OFFLINE",  "--reason", "x",   NULL};
    assert_int_equal(au_run(f, a), 77);
    assert_non_null(strstr(f->errtext, "read-only"));
    char plan[700];
    write_plan(f, "p.json", "{\"reason\":\"r\",\"source\":\"OFFLINE\",\"contacts\":[100]}", plan,
               sizeof plan);
    const char *b[] = {"override", "--read-only", "--db", f->db, "--plan", plan, NULL};
    assert_int_equal(au_run(f, b), 77);
    const char *c[] = {"revert", "--read-only", "--db", f->db, "100", "--reason", "x", NULL};
    assert_int_equal(au_run(f, c), 77);
    char *after = au_slurp(f->db, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    free(before);
    free(after);
    unlink(plan);
}

/* Output lines minus the last (summary) line. */
static char *body(const char *text)
{
    char *t = strdup(text);
    size_t n = strlen(t);
    if (n && t[n - 1] == '\n') t[--n] = 0;
    char *nl = strrchr(t, '\n');
    if (nl) nl[1] = 0;
    return t;
}

static const char plan_json[] =
    "{ \"reason\": \"trade show list\", \"user\": \"events-team\",\n"
    "  \"source\": \"OTHER_CAMPAIGNS\", \"dd1\": \"expo-2024\",\n"
    "  \"contacts\": [ 100, \"fickle@example.com\",\n"
    "    { \"contact\": 108, \"source\": \"REFERRALS\", \"reason\": \"partner\" } ] }\n";

static void test_plan_dry_run_equals_apply(void **state)
{
    au_fx *f = *state;
    char plan[700];
    write_plan(f, "plan.json", plan_json, plan, sizeof plan);
    const char *dry[] = {"override", "--db", f->db, "--plan", plan, "--dry-run", NULL};
    assert_int_equal(au_run(f, dry), 0);
    assert_non_null(strstr(f->text, "3 override(s) would be written"));
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides"), 0);
    char *d = body(f->text);
    const char *apply[] = {"override", "--db", f->db, "--plan", plan, NULL};
    assert_int_equal(au_run(f, apply), 0);
    char *a = body(f->text);
    assert_string_equal(d, a);
    assert_non_null(strstr(a, "contact 108 <early.bird@example.com>: "));
    assert_non_null(strstr(a, "-> Referrals / - / -"));
    free(d);
    free(a);
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides"), 3);
    char sql[900];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM overrides WHERE plan='%s' AND user='events-team'", plan);
    assert_int_equal(q1(f, sql), 3);
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides WHERE contact=107 AND"
                           " source='OTHER_CAMPAIGNS' AND dd1='expo-2024'"),
                     1);
    assert_int_equal(q1(f, "SELECT reason='partner' FROM overrides WHERE contact=108"), 1);
    /* applying again changes nothing and says so */
    assert_int_equal(au_run(f, dry), 0);
    assert_non_null(strstr(f->text, "already so; skipped"));
    assert_non_null(strstr(f->text, "0 override(s) would be written"));
    unlink(plan);
}

static void test_plan_is_all_or_nothing(void **state)
{
    au_fx *f = *state;
    char plan[700];
    write_plan(f, "bad.json",
               "{\"reason\":\"r\",\"source\":\"OFFLINE\",\"contacts\":[100, 101, \"ghost@x\"]}",
               plan, sizeof plan);
    const char *a[] = {"override", "--db", f->db, "--plan", plan, NULL};
    assert_int_equal(au_run(f, a), 65);
    assert_non_null(strstr(f->errtext, "contacts[2]"));
    assert_non_null(strstr(f->errtext, "ghost@x"));
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides"), 0);
    write_plan(f, "bad.json", "{\"source\":\"OFFLINE\",\"contacts\":[100]}", plan, sizeof plan);
    assert_int_equal(au_run(f, a), 65);
    assert_non_null(strstr(f->errtext, "reason"));
    write_plan(f, "bad.json", "{\"reason\":\"  \",\"source\":\"OFFLINE\",\"contacts\":[100]}", plan,
               sizeof plan);
    const char *dry[] = {"override", "--db", f->db, "--plan", plan, "--dry-run", NULL};
    assert_int_equal(au_run(f, dry), 65); /* a blank reason fails the dry run too */
    assert_non_null(strstr(f->errtext, "reason"));
    write_plan(f, "bad.json", "{\"reason\":\"r\",\"source\":\"OFFLINE\",\"contacts\":[100", plan,
               sizeof plan);
    assert_int_equal(au_run(f, a), 65);
    assert_non_null(strstr(f->errtext, "not valid JSON"));
    write_plan(f, "bad.json", "{\"reason\":\"r\",\"source\":\"NOPE\",\"contacts\":[100]}", plan,
               sizeof plan);
    assert_int_equal(au_run(f, a), 65);
    assert_non_null(strstr(f->errtext, "NOPE"));
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides"), 0);
    unlink(plan);
}

static void test_plan_filter(void **state)
{
    au_fx *f = *state;
    char plan[700];
    write_plan(f, "flt.json",
               "{\"reason\":\"imports were trade shows\",\"source\":\"OTHER_CAMPAIGNS\","
               "\"filter\":{\"channel\":\"IMPORT\",\"created_from\":\"2024-01-01\"}}",
               plan, sizeof plan);
    const char *a[] = {"override", "--db", f->db, "--plan", plan, NULL};
    assert_int_equal(au_run(f, a), 0);
    /* IMPORT contacts created in 2024: 100, 108 and 110 (106 is from 2013) */
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides WHERE contact IN (100,108,110)"), 3);
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides"), 3);
    unlink(plan);
}

static void test_two_processes_both_succeed(void **state)
{
    au_fx *f = *state;
    pid_t kids[2];
    for (int k = 0; k < 2; k++) {
        kids[k] = fork();
        if (kids[k] == 0) {
            int bad = 0;
            for (int i = 0; i < 10; i++) {
                au_fx g = *f;
                g.text = g.errtext = NULL;
                snprintf(g.out, sizeof g.out, "%s.kid%d", f->db, k);
                const char *a[] = {
                    "override",        "--db",     f->db,
                    k ? "100" : "109", "--source", i % 2 ? "REFERRALS" : "PAID_SEARCH",
                    "--reason",        "race",     NULL};
                if (au_run(&g, a) != 0) bad++;
                free(g.text);
                free(g.errtext);
            }
            _exit(bad);
        }
    }
    for (int k = 0; k < 2; k++) {
        int st;
        waitpid(kids[k], &st, 0);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides WHERE contact=100"), 10);
    assert_int_equal(q1(f, "SELECT count(*) FROM overrides WHERE contact=109"), 10);
}

static void test_help_lists_values(void **state)
{
    au_fx *f = *state;
    const char *a[] = {"override", "--help", NULL};
    assert_int_equal(au_run(f, a), 0);
    assert_non_null(strstr(f->text, "Usage: wherefrom override"));
    assert_non_null(strstr(f->text, "AI_REFERRALS (AI referrals)"));
    const char *names[] = {"revert", "history", "audit", "export"};
    for (int i = 0; i < 4; i++) {
        const char *b[] = {names[i], "-h", NULL};
        assert_int_equal(au_run(f, b), 0);
        assert_non_null(strstr(f->text, names[i]));
        assert_non_null(strstr(f->text, "Usage: wherefrom "));
    }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_override_prints_old_new),
        T(test_refusals_write_nothing),
        T(test_revert_by_email),
        T(test_read_only_refused_byte_identical),
        T(test_plan_dry_run_equals_apply),
        T(test_plan_is_all_or_nothing),
        T(test_plan_filter),
        T(test_two_processes_both_succeed),
        T(test_help_lists_values),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
