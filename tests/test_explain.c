/* The explanation end to end: the worked example of ATTRIBUTION.md §10
 * through the JSON (by hand and through the store), the text renderer's
 * escaping, and the `wherefrom explain` command. */
#include "engine_fx.h"

#include <cjson/cJSON.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/recompute.h"
#include "import/import.h"
#include "store/store.h"

#define HOME "https://www.example.com/"

static void worked_example_facts(fx *x)
{
    fx_init(x, 5001, "2024-07-03T09:00:00Z", "IMPORT", "9876");
    x->f.email = "kb.story@example.org";
    fx_site(x, "example.com");
    fx_pv(x, "t1", 0, "2024-03-12T10:00:00Z", HOME, "https://www.google.com/");
    fx_form(x, "2024-09-18T14:30:00Z", "f-demo", "t1", 0);
}

static const cJSON *get(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v) fail_msg("missing key \"%s\"", k);
    return v;
}

static const char *gets(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

/* The three steps of §10, their rules, and the 18 Sep change. */
static void check_worked_json(const cJSON *j)
{
    assert_string_equal(gets(j, "schema"), "wherefrom.explain/1");
    const cJSON *c = get(j, "computed");
    assert_string_equal(gets(c, "source"), "ORGANIC_SEARCH");
    assert_string_equal(gets(c, "dd1"), "Unknown keywords (SSL)");
    assert_string_equal(gets(c, "dd2"), "google");
    assert_string_equal(gets(c, "rule"), "S11");
    assert_string_equal(gets(c, "via"), "C04");
    const cJSON *d = get(c, "deciding");
    assert_string_equal(gets(d, "kind"), "session");
    assert_string_equal(gets(d, "at"), "2024-03-12T10:00:00Z");
    assert_string_equal(gets(d, "referrer"), "https://www.google.com/");
    const cJSON *steps = get(j, "steps");
    assert_int_equal(cJSON_GetArraySize(steps), 3);
    const char *rules[] = {"S11", "C01", "C04"};
    const char *ats[] = {"2024-03-12T10:00:00Z", "2024-07-03T09:00:00Z", "2024-09-18T14:30:00Z"};
    for (int i = 0; i < 3; i++) {
        const cJSON *s = cJSON_GetArrayItem(steps, i);
        assert_int_equal((int)get(s, "n")->valuedouble, i + 1);
        assert_string_equal(gets(s, "rule"), rules[i]);
        assert_string_equal(gets(s, "at"), ats[i]);
        assert_true(strlen(gets(s, "text")) > 20);
    }
    const cJSON *ch = get(j, "changes");
    assert_int_equal(cJSON_GetArraySize(ch), 2);
    const cJSON *c1 = cJSON_GetArrayItem(ch, 1);
    assert_string_equal(gets(c1, "cause"), "earlier-visit-found");
    assert_string_equal(gets(c1, "rule"), "C04");
    assert_string_equal(gets(get(c1, "from"), "source"), "OFFLINE");
    assert_string_equal(gets(get(c1, "to"), "source"), "ORGANIC_SEARCH");
    assert_true(cJSON_IsNull(get(cJSON_GetArrayItem(ch, 0), "from")));
}

static void check_all_keys(const cJSON *j)
{
    const char *top[] = {"schema",   "contact",  "creation",       "stored",
                         "computed", "override", "effective",      "latest",
                         "steps",    "changes",  "reconciliation", "flags"};
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        get(j, top[i]);
    const char *contact[] = {"id", "email", "created_at"};
    for (size_t i = 0; i < 3; i++)
        get(get(j, "contact"), contact[i]);
    const char *creation[] = {"channel", "detail", "description"};
    for (size_t i = 0; i < 3; i++)
        get(get(j, "creation"), creation[i]);
    const char *computed[] = {"source", "dd1", "dd2", "rule", "via", "deciding"};
    for (size_t i = 0; i < 6; i++)
        get(get(j, "computed"), computed[i]);
    const char *eff[] = {"source", "dd1", "dd2"};
    for (size_t i = 0; i < 3; i++)
        get(get(j, "effective"), eff[i]);
    assert_true(cJSON_IsArray(get(j, "flags")));
}

static void worked_example_json_by_hand(void **state)
{
    fx x;
    worked_example_facts(&x);
    wf_explanation *ex = fx_explain(state, &x);
    cJSON *j = wf_explanation_json(ex);
    assert_non_null(j);
    check_all_keys(j);
    check_worked_json(j);
    /* absent values are null, never missing */
    assert_true(cJSON_IsNull(get(j, "stored")));
    assert_true(cJSON_IsNull(get(j, "override")));
    assert_true(cJSON_IsNull(get(get(j, "contact"), "email")) == 0);
    assert_int_equal(cJSON_GetArraySize(get(j, "reconciliation")), 0);
    assert_int_equal(cJSON_GetArraySize(get(j, "flags")), 0);
    cJSON_Delete(j);
    wf_explanation_free(&ex);
}

static void worked_example_evidence(void **state)
{
    fx x;
    worked_example_facts(&x);
    wf_explanation *ex = fx_explain(state, &x);
    const wf_step *s = &ex->steps[2];
    assert_int_equal(s->rule, R_C04);
    int has_session = 0, has_form = 0;
    for (size_t i = 0; i < s->n_evidence; i++) {
        const wf_tl_item *it = &ex->timeline[s->evidence[i]];
        has_session |= it->kind == WF_TL_SESSION && it->at == T("2024-03-12T10:00:00Z");
        has_form |= it->kind == WF_TL_FORM;
    }
    assert_true(has_session);
    assert_true(has_form);
    const wf_tl_item *d = &ex->timeline[ex->computed.deciding.timeline];
    assert_true(d->is_deciding);
    assert_int_equal(d->n_pages, 1);
    assert_int_equal(ex->timeline[d->first_page].kind, WF_TL_PAGEVIEW);
    assert_int_equal(ex->timeline[d->first_page].session, ex->computed.deciding.timeline);
    assert_true(ex->timeline[0].at <= ex->timeline[ex->n_timeline - 1].at);
    wf_explanation_free(&ex);
}

static void flags_and_override_json(void **state)
{
    fx x;
    worked_example_facts(&x);
    fx_stored(&x, "OFFLINE", "IMPORT", "9876");
    x.ov = (wf_override){.id = 1,
                         .at = T("2024-10-01T00:00:00Z"),
                         .user = "ana",
                         .reason = "why",
                         .source = "REFERRALS",
                         .dd1 = NULL,
                         .dd2 = NULL};
    x.f.override = &x.ov;
    wf_explanation *ex = fx_explain(state, &x);
    cJSON *j = wf_explanation_json(ex);
    const cJSON *fl = get(j, "flags");
    assert_int_equal(cJSON_GetArraySize(fl), 1);
    assert_string_equal(cJSON_GetArrayItem(fl, 0)->valuestring, "stored-differs");
    const cJSON *o = get(j, "override");
    assert_string_equal(gets(o, "user"), "ana");
    assert_string_equal(gets(o, "at"), "2024-10-01T00:00:00Z");
    assert_true(cJSON_IsNull(get(o, "dd1")));
    assert_string_equal(gets(get(j, "effective"), "source"), "REFERRALS");
    cJSON_Delete(j);
    wf_explanation_free(&ex);
}

static void text_is_escaped(void **state)
{
    fx x;
    fx_init(&x, 6001, "2024-01-01T00:00:00Z", "IMPORT", "1\a");
    x.f.firstname = "Evil\x1b[31mName";
    fx_pv(&x, NULL, 6001, "2023-12-01T00:00:00Z", HOME "\x1b[2J", "https://bad\x1b]0;x\a.net/");
    wf_explanation *ex = fx_explain(state, &x);
    wf_buf b = WF_BUF_INIT;
    assert_int_equal(wf_explanation_text(ex, &b), WF_OK);
    const char *s = wf_buf_str(&b);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n') fail_msg("raw control byte 0x%02x", *p);
    assert_non_null(strstr(s, "Evil\\e[31mName"));
    assert_non_null(strstr(s, "Why:"));
    wf_buf_free(&b);
    wf_explanation_free(&ex);
}

/* ---- through the store and the binary ---- */

static char db_path[4096];

/* A contact whose explanation is bigger than a pipe buffer. */
static wf_status write_long_url_contact(const char *tmp, wf_store *s, char *err, size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/engine_long_%ld.ndjson", tmp, (long)getpid());
    FILE *fp = fopen(path, "w");
    if (!fp) return WF_E_IO;
    fputs("{\"type\":\"contact\",\"id\":7001,\"created_at\":\"2024-01-01T00:00:00Z\","
          "\"channel\":\"IMPORT\",\"channel_detail\":\"1\"}\n"
          "{\"type\":\"pageview\",\"contact\":7001,\"at\":\"2023-01-01T00:00:00Z\","
          "\"url\":\"https://www.example.com/?utm_source=",
          fp);
    for (int i = 0; i < 200000; i++)
        fputc('a' + i % 26, fp);
    fputs("\"}\n", fp);
    fclose(fp);
    const char *paths[] = {path};
    wf_import_opts o = {.format = "ndjson"};
    wf_import_report rep;
    wf_status st = wf_import_files(s, paths, 1, &o, &rep, err, errsz);
    unlink(path);
    return st;
}

static int store_setup(void **state)
{
    if (fx_engine_setup(state)) return -1;
    const char *tmp = getenv("TESTS_TMPDIR");
    const char *src = getenv("WHEREFROM_SRCDIR");
    if (!tmp || !src) return -1;
    snprintf(db_path, sizeof db_path, "%s/engine_explain_%ld.db", tmp, (long)getpid());
    unlink(db_path);
    char fixture[4096], err[1024] = "";
    snprintf(fixture, sizeof fixture, "%s/tests/fixtures/engine/worked_example.ndjson", src);
    wf_store *s = NULL;
    if (wf_store_open(db_path, WF_STORE_CREATE, &s, err, sizeof err) != WF_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    const char *paths[] = {fixture};
    wf_import_opts o = {.format = "ndjson"};
    wf_import_report rep;
    wf_status st = wf_import_files(s, paths, 1, &o, &rep, err, sizeof err);
    if (st == WF_OK) st = write_long_url_contact(tmp, s, err, sizeof err);
    if (st == WF_OK) st = wf_recompute(s, *state, 0);
    wf_store_close(&s);
    if (st != WF_OK) fprintf(stderr, "setup: %s %s\n", wf_status_message(st), err);
    return st == WF_OK ? 0 : -1;
}

static int store_teardown(void **state)
{
    unlink(db_path);
    return fx_engine_teardown(state);
}

static void worked_example_through_store(void **state)
{
    char err[512];
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(db_path, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    int64_t id = 0;
    assert_int_equal(wf_store_find_contact(s, "KB.Story@example.org", &id), WF_OK);
    wf_facts *f = NULL;
    assert_int_equal(wf_store_load_facts(s, id, &f), WF_OK);
    wf_explanation *ex = NULL;
    assert_int_equal(wf_explain(*state, f, &ex), WF_OK);
    cJSON *j = wf_explanation_json(ex);
    check_all_keys(j);
    check_worked_json(j);
    const cJSON *rec = get(j, "reconciliation");
    assert_int_equal(cJSON_GetArraySize(rec), 2);
    assert_string_equal(gets(cJSON_GetArrayItem(rec, 1), "cause"), "earlier-visit-found");
    assert_true(cJSON_IsTrue(get(cJSON_GetArrayItem(rec, 1), "explained")));
    cJSON_Delete(j);
    wf_explanation_free(&ex);
    wf_facts_free(&f);
    wf_store_close(&s);
}

static void recompute_fills_cache(void **state)
{
    (void)state;
    char err[512];
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(db_path, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(s),
                                        "SELECT source, rule, via, eff_source, n_changes, flags,"
                                        " first_session_at FROM computed WHERE contact=5001",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ORGANIC_SEARCH");
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "S11");
    assert_string_equal((const char *)sqlite3_column_text(st, 2), "C04");
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "ORGANIC_SEARCH");
    assert_int_equal(sqlite3_column_int(st, 4), 2);
    assert_true(sqlite3_column_int(st, 5) & F_CHANGED);
    assert_int_equal(sqlite3_column_int64(st, 6), T("2024-03-12T10:00:00Z"));
    sqlite3_finalize(st);
    wf_store_close(&s);
}

/* Runs the binary through the shell; returns its exit status. */
static int sh(const char *args, const char *pipe_to, char *out, size_t outsz)
{
    const char *bin = getenv("WHEREFROM_BIN");
    assert_non_null(bin);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' explain --db '%s' %s 2>&1 %s; echo \"rc=$?\"", bin, db_path,
             args, pipe_to ? pipe_to : "");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, outsz - 1, p);
    out[n] = 0;
    pclose(p);
    const char *rc = strstr(out, "rc=");
    assert_non_null(rc);
    return atoi(rc + 3);
}

static void cli_json(void **state)
{
    (void)state;
    static char out[65536];
    assert_int_equal(sh("--json 5001", NULL, out, sizeof out), 0);
    *strstr(out, "rc=") = 0;
    cJSON *j = cJSON_Parse(out);
    assert_non_null(j);
    check_worked_json(j);
    cJSON_Delete(j);
}

static void cli_no_such_contact(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(sh("424242", NULL, out, sizeof out), 66);
    assert_non_null(strstr(out, "no such contact"));
    assert_int_equal(sh("nobody@example.org", NULL, out, sizeof out), 66);
}

static void cli_usage_errors(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(sh("", NULL, out, sizeof out), 2);
    assert_int_equal(sh("--bogus 5001", NULL, out, sizeof out), 2);
    assert_int_equal(sh("5001 5002", NULL, out, sizeof out), 2);
}

/* explain | head: stderr and the exit status of explain go around head */
static void cli_pipe_closed_early(void **state)
{
    (void)state;
    const char *bin = getenv("WHEREFROM_BIN");
    const char *heads[] = {"head -1", "head -c 10"};
    const char *who[] = {"6001", "7001"}; /* 7001's steps hold a 200 kB URL */
    for (int i = 0; i < 2; i++) {
        char cmd[8192], out[4096];
        snprintf(cmd, sizeof cmd,
                 "{ { '%s' explain --db '%s' %s 2>&3; echo \"xrc=$?\" >&3; } | %s >/dev/null; }"
                 " 3>&1",
                 bin, db_path, who[i], heads[i]);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = 0;
        pclose(p);
        assert_null(strstr(out, "wherefrom:"));
        assert_non_null(strstr(out, "xrc=0"));
    }
}

static void cli_text_escaped(void **state)
{
    (void)state;
    static char out[65536];
    assert_int_equal(sh("esc@example.org", NULL, out, sizeof out), 0);
    for (const char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n') fail_msg("raw control byte 0x%02x", *p);
    assert_non_null(strstr(out, "\\e[31m"));
    assert_non_null(strstr(out, "\\u202E") ? strstr(out, "\\u202E") : strstr(out, "\\u202e"));
}

static int64_t sql_int(wf_store *s, const char *q)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(s), q, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* only_touched refreshes exactly the contacts in temp.touched; without
 * that table it does nothing; wf_recompute_one picks up an override. */
static void recompute_touched_and_one(void **state)
{
    char err[512];
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(db_path, 0, &s, err, sizeof err), WF_OK);
    assert_int_equal(wf_store_exec(s, "DELETE FROM computed"), WF_OK);
    assert_int_equal(wf_recompute(s, *state, 1), WF_OK); /* no temp.touched yet */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM computed"), 0);
    assert_int_equal(wf_store_exec(s, "CREATE TEMP TABLE touched(contact INTEGER PRIMARY KEY);"
                                      "INSERT INTO temp.touched VALUES(6001)"),
                     WF_OK);
    assert_int_equal(wf_recompute(s, *state, 1), WF_OK);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM computed"), 1);
    assert_int_equal(sql_int(s, "SELECT contact FROM computed"), 6001);
    assert_int_equal(wf_store_exec(s, "INSERT INTO overrides(contact, at, user, action, source,"
                                      " reason, computed_source) VALUES(6001, 1727740800000,"
                                      " 'ana', 'set', 'PAID_SEARCH', 'partner deal', 'OFFLINE')"),
                     WF_OK);
    assert_int_equal(wf_recompute_one(s, *state, 6001), WF_OK);
    assert_int_equal(sql_int(s, "SELECT eff_source = 'PAID_SEARCH' AND source <> 'PAID_SEARCH'"
                                " FROM computed WHERE contact=6001"),
                     1);
    int64_t flags = sql_int(s, "SELECT flags FROM computed WHERE contact=6001");
    assert_true(flags & F_OVERRIDDEN);
    assert_true(flags & F_OVERRIDE_DRIFT);
    /* leave the cache as the other tests expect it */
    assert_int_equal(wf_recompute(s, *state, 0), WF_OK);
    wf_store_close(&s);
}

/* The cache refresh (bulk loader) agrees with explain (store loader) on
 * every demo contact, merged ones included. */
static void recompute_matches_explain_on_demo(void **state)
{
    const char *tmp = getenv("TESTS_TMPDIR"), *data = getenv("WHEREFROM_DATADIR");
    char path[4096], demo[4096], err[1024] = "";
    snprintf(path, sizeof path, "%s/engine_demo_%ld.db", tmp, (long)getpid());
    snprintf(demo, sizeof demo, "%s/demo.ndjson", data);
    unlink(path);
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(path, WF_STORE_CREATE, &s, err, sizeof err), WF_OK);
    const char *paths[] = {demo};
    wf_import_opts o = {.format = "ndjson"};
    wf_import_report rep;
    assert_int_equal(wf_import_files(s, paths, 1, &o, &rep, err, sizeof err), WF_OK);
    assert_int_equal(wf_recompute(s, *state, 0), WF_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(wf_store_db(s),
                           "SELECT c.id, k.source, k.dd1, k.dd2, k.flags FROM contacts c"
                           " LEFT JOIN computed k ON k.contact=c.id"
                           " WHERE c.merged_into IS NULL",
                           -1, &st, NULL),
        SQLITE_OK);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        wf_facts *f = NULL;
        wf_explanation *ex = NULL;
        assert_int_equal(wf_store_load_facts(s, sqlite3_column_int64(st, 0), &f), WF_OK);
        assert_int_equal(wf_explain(*state, f, &ex), WF_OK);
        assert_non_null(sqlite3_column_text(st, 1));
        assert_string_equal((const char *)sqlite3_column_text(st, 1), ex->computed.value.source);
        assert_string_equal((const char *)sqlite3_column_text(st, 2), ex->computed.value.dd1);
        assert_string_equal((const char *)sqlite3_column_text(st, 3), ex->computed.value.dd2);
        assert_int_equal((unsigned)sqlite3_column_int(st, 4), ex->flags);
        wf_explanation_free(&ex);
        wf_facts_free(&f);
        n++;
    }
    sqlite3_finalize(st);
    assert_true(n >= 10);
    wf_store_close(&s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(worked_example_json_by_hand),
        cmocka_unit_test(worked_example_evidence),
        cmocka_unit_test(flags_and_override_json),
        cmocka_unit_test(text_is_escaped),
    };
    const struct CMUnitTest store[] = {
        cmocka_unit_test(worked_example_through_store),
        cmocka_unit_test(recompute_fills_cache),
        cmocka_unit_test(recompute_matches_explain_on_demo),
        cmocka_unit_test(recompute_touched_and_one),
        cmocka_unit_test(cli_json),
        cmocka_unit_test(cli_no_such_contact),
        cmocka_unit_test(cli_usage_errors),
        cmocka_unit_test(cli_pipe_closed_early),
        cmocka_unit_test(cli_text_escaped),
    };
    int r = cmocka_run_group_tests_name("explain", pure, fx_engine_setup, fx_engine_teardown);
    r += cmocka_run_group_tests_name("explain-store", store, store_setup, store_teardown);
    return r;
}
