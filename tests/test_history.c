/* `wherefrom history`: a cause class for each stored change, the replay's
 * evidence, the raw entry of an unexplained change, the overrides trail;
 * text and JSON. Data: tests/fixtures/audit/causes.ndjson. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "audit_util.h"
#include "store/overrides.h"

static int setup(void **state)
{
    au_fx *f = calloc(1, sizeof *f);
    au_paths(f, "history");
    if (au_import(f, "causes.ndjson", 1)) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    au_free(*state);
    return 0;
}

static int history(au_fx *f, const char *contact, int json)
{
    const char *a[] = {"history", "--db", f->db, json ? "--json" : contact, json ? contact : NULL,
                       NULL};
    return au_run(f, a);
}

/* The cause slugs of the JSON "changes", joined by spaces. */
static void causes(au_fx *f, const char *contact, char *buf, size_t n)
{
    buf[0] = 0;
    assert_int_equal(history(f, contact, 1), 0);
    cJSON *j = cJSON_Parse(f->text);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "schema")->valuestring,
                        "wherefrom.history/1");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "changes"))
    {
        const cJSON *cause = cJSON_GetObjectItemCaseSensitive(c, "cause");
        assert_true(cJSON_IsString(cause));
        if (buf[0]) strncat(buf, " ", n - strlen(buf) - 1);
        strncat(buf, cause->valuestring, n - strlen(buf) - 1);
    }
    cJSON_Delete(j);
}

static void test_creation_then_earlier_visit(void **state)
{
    char c[256];
    causes(*state, "100", c, sizeof c);
    assert_string_equal(c, "computed-at-creation earlier-visit-found");
}

static void test_earlier_visit_evidence_text(void **state)
{
    au_fx *f = *state;
    assert_int_equal(history(f, "100", 0), 0);
    assert_non_null(strstr(f->text, "earlier visit found: session of 12 Mar from google.com, "
                                    "linked by the form of 18 Sep"));
    assert_non_null(strstr(f->text, "ANALYTICS"));
}

static void test_manual_edit(void **state)
{
    char c[256];
    causes(*state, "101", c, sizeof c);
    assert_string_equal(c, "computed-at-creation manual-edit");
    au_fx *f = *state;
    assert_int_equal(history(f, "101", 0), 0);
    assert_non_null(strstr(f->text, "CRM_UI userId:42"));
}

static void test_data_load(void **state)
{
    char c[256];
    causes(*state, "102", c, sizeof c);
    assert_string_equal(c, "computed-at-creation data-load");
}

static void test_merge(void **state)
{
    au_fx *f = *state;
    char c[256];
    /* the merged record's own creation entry, the survivor's, then the merge */
    causes(f, "103", c, sizeof c);
    assert_string_equal(c, "computed-at-creation computed-at-creation merge");
    assert_int_equal(history(f, "103", 0), 0);
    assert_non_null(strstr(f->text, "via MERGE_CONTACTS merge-193"));
}

static void test_unexplained_shows_raw_entry(void **state)
{
    au_fx *f = *state;
    char c[256];
    causes(f, "104", c, sizeof c);
    assert_string_equal(c, "computed-at-creation unexplained");
    assert_int_equal(history(f, "104", 0), 0);
    assert_non_null(
        strstr(f->text, "raw entry: value=REFERRALS sourceType=HEISENBERG sourceId=x-42"));
}

static void test_json_raw_and_evidence(void **state)
{
    au_fx *f = *state;
    assert_int_equal(history(f, "104", 1), 0);
    cJSON *j = cJSON_Parse(f->text);
    const cJSON *ch = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "changes"), 1);
    const cJSON *raw = cJSON_GetObjectItemCaseSensitive(ch, "raw");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(raw, "sourceType")->valuestring,
                        "HEISENBERG");
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(ch, "evidence")));
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "replayed")));
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(j, "overrides")));
    cJSON_Delete(j);
}

static void test_drilldowns_listed(void **state)
{
    au_fx *f = *state;
    assert_int_equal(history(f, "100", 0), 0);
    assert_non_null(strstr(f->text, "DD1 = IMPORT"));
    assert_non_null(strstr(f->text, "DD2 = google"));
    assert_int_equal(history(f, "100", 1), 0);
    cJSON *j = cJSON_Parse(f->text);
    const cJSON *dd = cJSON_GetObjectItemCaseSensitive(j, "drilldown_changes");
    assert_int_equal(cJSON_GetArraySize(dd), 4);
    const cJSON *last = cJSON_GetArrayItem(dd, 3);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(last, "cause")->valuestring,
                        "earlier visit found");
    cJSON_Delete(j);
}

static void test_by_email(void **state)
{
    au_fx *f = *state;
    assert_int_equal(history(f, "clean@example.com", 0), 0);
    assert_non_null(strstr(f->text, "Contact 109"));
}

static void test_unknown_contact(void **state)
{
    au_fx *f = *state;
    assert_int_equal(history(f, "nobody@example.com", 0), 66);
    assert_non_null(strstr(f->errtext, "no contact"));
}

static void test_overrides_trail_three_rows(void **state)
{
    au_fx *f = *state;
    const char *o1[] = {"override", "--db",      f->db,    "109", "--source", "PAID_SEARCH",
                        "--reason", "first try", "--user", "ann", NULL};
    const char *r1[] = {"revert",    "--db",   f->db, "109", "--reason",
                        "was wrong", "--user", "bob", NULL};
    const char *o2[] = {"override", "--db", f->db,      "109",        "--source", "OTHER_CAMPAIGNS",
                        "--dd1",    "expo", "--reason", "second try", NULL};
    assert_int_equal(au_run(f, o1), 0);
    assert_int_equal(au_run(f, r1), 0);
    assert_int_equal(au_run(f, o2), 0);
    assert_int_equal(history(f, "109", 1), 0);
    cJSON *j = cJSON_Parse(f->text);
    const cJSON *ov = cJSON_GetObjectItemCaseSensitive(j, "overrides");
    assert_int_equal(cJSON_GetArraySize(ov), 3);
    const char *actions[] = {"set", "revert", "set"};
    const char *users[] = {"ann", "bob", NULL};
    for (int i = 0; i < 3; i++) {
        const cJSON *r = cJSON_GetArrayItem(ov, i);
        assert_string_equal(cJSON_GetObjectItemCaseSensitive(r, "action")->valuestring, actions[i]);
        if (users[i])
            assert_string_equal(cJSON_GetObjectItemCaseSensitive(r, "user")->valuestring, users[i]);
    }
    const cJSON *eff = cJSON_GetObjectItemCaseSensitive(j, "effective");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(eff, "source")->valuestring,
                        "OTHER_CAMPAIGNS");
    const cJSON *comp = cJSON_GetObjectItemCaseSensitive(j, "computed");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(comp, "source")->valuestring, "REFERRALS");
    cJSON_Delete(j);
    assert_int_equal(history(f, "109", 0), 0);
    assert_non_null(strstr(f->text, "why: was wrong"));
    assert_non_null(strstr(f->text, "revert by bob"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_creation_then_earlier_visit),
        T(test_earlier_visit_evidence_text),
        T(test_manual_edit),
        T(test_data_load),
        T(test_merge),
        T(test_unexplained_shows_raw_entry),
        T(test_json_raw_and_evidence),
        T(test_drilldowns_listed),
        T(test_by_email),
        T(test_unknown_contact),
        T(test_overrides_trail_three_rows),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
