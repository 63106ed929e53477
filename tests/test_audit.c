/* `wherefrom audit`: each finding kind is triggered by its fixture contact
 * and absent on the clean one (109); --check, --filter, --limit, --json;
 * flags written back to the cache; read-only and cache-less databases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "audit_util.h"
#include "core/vocab.h"
#include "store/overrides.h"

static int setup(void **state)
{
    au_fx *f = calloc(1, sizeof *f);
    au_paths(f, "audit");
    if (au_import(f, "causes.ndjson", 1)) return -1;
    *state = f;
    return 0;
}

static int setup_nocache(void **state)
{
    au_fx *f = calloc(1, sizeof *f);
    au_paths(f, "audit-nc");
    if (au_import(f, "causes.ndjson", 0)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    au_free(*state);
    return 0;
}

/* Runs audit --json (plus extra args) and returns the parsed document. */
static cJSON *audit_json(au_fx *f, const char *extra1, const char *extra2, int *rc)
{
    const char *a[] = {"audit", "--db", f->db, "--json", "--limit", "0", extra1, extra2, NULL};
    *rc = au_run(f, a);
    cJSON *j = cJSON_Parse(f->text);
    assert_non_null(j);
    return j;
}

/* The ids listed under a kind, as "101 107". */
static void ids_of(const cJSON *j, const char *kind, char *buf, size_t n)
{
    buf[0] = 0;
    const cJSON *arr =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "findings"), kind);
    assert_true(cJSON_IsArray(arr));
    const cJSON *o;
    cJSON_ArrayForEach(o, arr)
    {
        char id[32];
        snprintf(id, sizeof id, "%s%d", buf[0] ? " " : "",
                 cJSON_GetObjectItemCaseSensitive(o, "id")->valueint);
        strncat(buf, id, n - strlen(buf) - 1);
        assert_true(strlen(cJSON_GetObjectItemCaseSensitive(o, "reason")->valuestring) > 10);
    }
    const cJSON *cnt =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "counts"), kind);
    assert_int_equal(cnt->valueint, cJSON_GetArraySize(arr));
}

static void expect_kind(au_fx *f, const char *kind, const char *want)
{
    int rc;
    cJSON *j = audit_json(f, NULL, NULL, &rc);
    assert_int_equal(rc, 0);
    char got[256];
    ids_of(j, kind, got, sizeof got);
    assert_string_equal(got, want);
    assert_null(strstr(got, "109")); /* the clean contact never shows */
    cJSON_Delete(j);
}

static void test_stored_differs(void **state)
{
    expect_kind(*state, "stored-differs", "104 105 106 108");
}

static void test_offline_earlier_session(void **state)
{
    expect_kind(*state, "offline-earlier-session", "105 108");
}

static void test_api_race(void **state)
{
    expect_kind(*state, "api-race", "105");
}

static void test_manual_edit_empty_drilldowns(void **state)
{
    expect_kind(*state, "manual-edit-empty-drilldowns", "101 107");
}

static void test_changed_repeatedly(void **state)
{
    expect_kind(*state, "changed-repeatedly", "107");
}

static void test_unknown_value(void **state)
{
    expect_kind(*state, "unknown-value", "106 110");
}

static wf_status override_with(au_fx *f, int64_t id, const char *computed_then)
{
    wf_store *s;
    char err[512];
    if (wf_store_open(f->db, 0, &s, err, sizeof err) != WF_OK) return WF_E_IO;
    wf_override_input in = {.source = "PAID_SEARCH", .reason = "test", .user = "t"};
    wf_override_value comp = {computed_then, NULL, NULL};
    wf_status st =
        wf_override_set(s, id, &in, computed_then ? &comp : NULL, 1, NULL, err, sizeof err);
    wf_store_close(&s);
    return st;
}

static void test_override_drift(void **state)
{
    au_fx *f = *state;
    expect_kind(f, "override-drift", "");
    /* 109 computed REFERRALS / partner... now; pretend it was DIRECT_TRAFFIC then */
    assert_int_equal(override_with(f, 109, "DIRECT_TRAFFIC"), WF_OK);
    /* 101: override made against the cached computed value: no drift */
    assert_int_equal(override_with(f, 101, NULL), WF_OK);
    int rc;
    cJSON *j = audit_json(f, NULL, NULL, &rc);
    char got[64];
    ids_of(j, "override-drift", got, sizeof got);
    assert_string_equal(got, "109");
    cJSON_Delete(j);
}

static void test_check_exit_codes(void **state)
{
    au_fx *f = *state;
    const char *all[] = {"audit", "--db", f->db, "--check", NULL};
    assert_int_equal(au_run(f, all), 1);
    const char *none[] = {"audit", "--db", f->db, "--check", "--filter", "override-drift", NULL};
    assert_int_equal(au_run(f, none), 0);
    const char *plain[] = {"audit", "--db", f->db, NULL};
    assert_int_equal(au_run(f, plain), 0);
}

static void test_filter_limits_kinds(void **state)
{
    au_fx *f = *state;
    int rc;
    cJSON *j = audit_json(f, "--filter", "api-race,unknown-value", &rc);
    const cJSON *counts = cJSON_GetObjectItemCaseSensitive(j, "counts");
    assert_int_equal(cJSON_GetArraySize(counts), 2);
    assert_null(cJSON_GetObjectItemCaseSensitive(counts, "stored-differs"));
    cJSON_Delete(j);
    const char *bad[] = {"audit", "--db", f->db, "--filter", "nonsense", NULL};
    assert_int_equal(au_run(f, bad), 2);
    assert_non_null(strstr(f->errtext, "stored-differs")); /* lists the kinds */
}

static void test_text_counts_on_top_and_limit(void **state)
{
    au_fx *f = *state;
    const char *a[] = {"audit", "--db", f->db, "--limit", "1", NULL};
    assert_int_equal(au_run(f, a), 0);
    const char *counts = strstr(f->text, "stored-differs");
    const char *list = strstr(f->text, "stored-differs (4):");
    assert_non_null(counts);
    assert_non_null(list);
    assert_true(counts < list);
    assert_non_null(strstr(f->text, "... and 3 more"));
    assert_non_null(strstr(f->text, "11 contact(s) scanned"));
}

static int64_t flags_of(au_fx *f, int64_t id)
{
    wf_store *s;
    char err[256];
    int64_t v = -1;
    if (wf_store_open(f->db, WF_STORE_READONLY, &s, err, sizeof err) != WF_OK) return -1;
    sqlite3_stmt *q;
    sqlite3_prepare_v2(wf_store_db(s), "SELECT flags FROM computed WHERE contact=?", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    wf_store_close(&s);
    return v;
}

static void test_flags_written_back(void **state)
{
    au_fx *f = *state;
    assert_int_equal(override_with(f, 109, "DIRECT_TRAFFIC"), WF_OK);
    assert_int_equal(flags_of(f, 109) & F_OVERRIDE_DRIFT, 0);
    const char *a[] = {"audit", "--db", f->db, NULL};
    assert_int_equal(au_run(f, a), 0);
    assert_true(flags_of(f, 109) & F_OVERRIDE_DRIFT);
    assert_true(flags_of(f, 109) & F_OVERRIDDEN);
    assert_true(flags_of(f, 105) & F_API_RACE);
    assert_true(flags_of(f, 106) & F_UNKNOWN_VALUE);
    assert_true(flags_of(f, 108) & F_STORED_DIFFERS);
    assert_int_equal(flags_of(f, 100) & (F_STORED_DIFFERS | F_API_RACE | F_UNKNOWN_VALUE), 0);
}

static void test_read_only_audit_leaves_file(void **state)
{
    au_fx *f = *state;
    assert_int_equal(override_with(f, 109, "DIRECT_TRAFFIC"), WF_OK);
    size_t n1, n2;
    char *before = au_slurp(f->db, &n1);
    const char *a[] = {"--read-only", "audit", "--db", f->db, "--check", NULL};
    assert_int_equal(au_run(f, a), 1);
    assert_non_null(strstr(f->text, "override-drift (1)"));
    char *after = au_slurp(f->db, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    free(before);
    free(after);
}

static void test_without_cache_same_findings(void **state)
{
    au_fx *f = *state;
    int rc;
    cJSON *j = audit_json(f, NULL, NULL, &rc);
    char got[128];
    ids_of(j, "stored-differs", got, sizeof got);
    assert_string_equal(got, "104 105 106 108");
    ids_of(j, "api-race", got, sizeof got);
    assert_string_equal(got, "105");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "contacts_scanned")->valueint, 11);
    cJSON_Delete(j);
}

static void test_hostile_text_escaped(void **state)
{
    au_fx *f = *state;
    const char *a[] = {"audit", "--db", f->db, "--limit", "0", NULL};
    assert_int_equal(au_run(f, a), 0);
    assert_null(strchr(f->text, '\x1b')); /* no raw escape reaches the terminal */
    assert_null(strchr(f->text, '\a'));
    assert_non_null(strstr(f->text, "110 <evil"));
    const char *h[] = {"history", "--db", f->db, "110", NULL};
    assert_int_equal(au_run(f, h), 0);
    assert_null(strchr(f->text, '\x1b'));
    assert_non_null(strstr(f->text, "EVIL"));
    const char *o[] = {"override", "--db",     f->db, "110", "--source",
                       "OFFLINE",  "--reason", "x",   NULL};
    assert_int_equal(au_run(f, o), 0);
    assert_null(strchr(f->text, '\x1b'));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_stored_differs),
        T(test_offline_earlier_session),
        T(test_api_race),
        T(test_manual_edit_empty_drilldowns),
        T(test_changed_repeatedly),
        T(test_unknown_value),
        T(test_override_drift),
        T(test_check_exit_codes),
        T(test_filter_limits_kinds),
        T(test_text_counts_on_top_and_limit),
        T(test_flags_written_back),
        T(test_read_only_audit_leaves_file),
        T(test_hostile_text_escaped),
        cmocka_unit_test_setup_teardown(test_without_cache_same_findings, setup_nocache, teardown),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
