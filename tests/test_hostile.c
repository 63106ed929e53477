/* Hostile data through the real binary ($WHEREFROM_BIN): names, URLs and
 * history values holding ESC/CSI/OSC/DCS sequences, C0/C1 controls, bidi
 * overrides, zero-width and combining characters, invalid UTF-8, SQL
 * metacharacters; absurd timestamps, duplicated ids, self-merges and merge
 * cycles (tests/fixtures/hostile/); and, generated here, 1 MB strings,
 * 10,000 sessions and 10,000 history entries in one contact.
 * Each file imports or is refused with a message naming file, record and
 * field; then `explain`, `explain --json`, `history`, `history --json` and
 * the inspector's headless :dump-screen run on every contact: no crash, no
 * raw byte a terminal would act on, and the hostile text shown escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "test_hostile_util.h"

typedef struct {
    char dir[512];
    char db[600];
} fx;

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f) return -1;
    hz_mkdtemp(f->dir, sizeof f->dir, "hostile");
    snprintf(f->db, sizeof f->db, "%s/h.db", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    hz_rm_rf(f->dir);
    free(f);
    return 0;
}

static const char *fixture(const char *name)
{
    static char path[1024];
    const char *src = getenv("WHEREFROM_SRCDIR");
    snprintf(path, sizeof path, "%s/tests/fixtures/hostile/%s", src && *src ? src : ".", name);
    return path;
}

/* Fails the test when output holds a byte a terminal would act on. */
static void assert_clean(const char *what, const char *s, size_t n)
{
    long at = hz_find_raw_control(s, n);
    if (at >= 0) {
        long from = at > 40 ? at - 40 : 0;
        fail_msg("%s: raw control byte 0x%02x at offset %ld, after \"%.*s\"", what,
                 (unsigned char)s[at], at, (int)(at - from), s + from);
    }
}

static void import_ok(fx *f, const char *file)
{
    hz_result r;
    hz_run(&r, "import", "--db", f->db, file, NULL);
    if (r.status != 0) fail_msg("import %s: exit %d: %s", file, r.status, r.err);
    assert_clean("import stdout", r.out, r.out_len);
    assert_clean("import stderr", r.err, r.err_len);
    hz_result_free(&r);
}

/* The refusal names the file, the record and the field; nothing is kept. */
static void import_refused(fx *f, const char *file, const char *field)
{
    hz_result r;
    hz_run(&r, "import", "--db", f->db, file, NULL);
    assert_false(r.signaled);
    assert_int_equal(r.status, 65);
    const char *at = strstr(r.err, file);
    assert_non_null(at);
    /* "FILE:LINE(byte N): FIELD: what" */
    assert_true(at[strlen(file)] == ':' && at[strlen(file) + 1] >= '1' &&
                at[strlen(file) + 1] <= '9');
    if (!strstr(r.err, field)) fail_msg("the error does not name the field %s: %s", field, r.err);
    assert_non_null(strstr(r.err, "nothing was imported"));
    assert_clean("import stderr", r.err, r.err_len);
    long long n = hz_sql_int(f->db, "SELECT count(*) FROM contacts");
    assert_true(n <= 0); /* no database, or an empty one */
    hz_result_free(&r);
}

static int64_t *contact_ids(const char *db, size_t *n)
{
    sqlite3 *d = NULL;
    sqlite3_stmt *st;
    int64_t *ids = calloc(64, sizeof *ids);
    *n = 0;
    assert_int_equal(sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(d, "SELECT id FROM contacts ORDER BY id LIMIT 64", -1, &st, NULL),
        SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(d);
    return ids;
}

enum { EXPLAIN = 1, EXPLAIN_JSON = 2, HISTORY = 4, HISTORY_JSON = 8, ALL = 15 };

/* explain/history (text and JSON, as `which` selects) on one contact: exit
 * 0, clean output, valid JSON. Returns the text explanation (caller frees). */
static char *explain_some(fx *f, const char *spec, int which)
{
    static const char *const cmds[][2] = {
        {"explain", NULL}, {"explain", "--json"}, {"history", NULL}, {"history", "--json"}};
    char *text = NULL;
    for (size_t i = 0; i < 4; i++) {
        if (!(which & (1 << i))) continue;
        const char *argv[8] = {hz_bin(), cmds[i][0], "--db", f->db};
        int n = 4;
        if (cmds[i][1]) argv[n++] = cmds[i][1];
        argv[n++] = spec;
        argv[n] = NULL;
        hz_result r;
        hz_runv(argv, NULL, 120000, NULL, &r);
        if (r.signaled || r.status != 0)
            fail_msg("%s %s %s: exit %d: %.300s", cmds[i][0], cmds[i][1] ? cmds[i][1] : "", spec,
                     r.status, r.err);
        assert_true(r.out_len > 0);
        assert_clean(cmds[i][0], r.out, r.out_len);
        assert_clean(cmds[i][0], r.err, r.err_len);
        if (cmds[i][1]) {
            cJSON *j = cJSON_Parse(r.out);
            if (!j) fail_msg("%s --json %s: not JSON", cmds[i][0], spec);
            cJSON_Delete(j);
        } else if (i == 0) {
            text = r.out;
            r.out = NULL;
        }
        hz_result_free(&r);
    }
    return text;
}

static char *explain_checked(fx *f, const char *spec)
{
    return explain_some(f, spec, ALL);
}

/* The inspector, headless: open the contact, dump the overview and the
 * timeline, and with all_tabs the Why and History tabs too. */
static char *inspect_some(fx *f, const char *spec, int all_tabs)
{
    char open[128];
    snprintf(open, sizeof open, "open %s", spec);
    const char *argv[] = {hz_bin(),      "--db", f->db,          "-c", open,          "-c",
                          "dump-screen", "-c",   "tab timeline", "-c", "dump-screen", "-c",
                          "tab why",     "-c",   "dump-screen",  "-c", "tab history", "-c",
                          "dump-screen", "-c",   "quit",         NULL};
    if (!all_tabs) argv[11] = "-c", argv[12] = "quit", argv[13] = NULL;
    hz_result r;
    hz_runv(argv, NULL, 120000, NULL, &r);
    if (r.signaled || r.status != 0)
        fail_msg("inspector on %s: exit %d: %.300s", spec, r.status, r.err);
    assert_clean("inspector screen", r.out, r.out_len);
    assert_clean("inspector stderr", r.err, r.err_len);
    char *screen = r.out;
    r.out = NULL;
    hz_result_free(&r);
    return screen;
}

static char *inspect_checked(fx *f, const char *spec)
{
    return inspect_some(f, spec, 1);
}

static void every_contact_explains(fx *f, int with_inspector)
{
    size_t n;
    int64_t *ids = contact_ids(f->db, &n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        char spec[32];
        snprintf(spec, sizeof spec, "%lld", (long long)ids[i]);
        free(explain_checked(f, spec));
        if (with_inspector) free(inspect_checked(f, spec));
    }
    free(ids);
}

/* ---- the fixtures ------------------------------------------------------------------- */

static void terminal_sequences_are_shown_escaped(void **state)
{
    fx *f = *state;
    import_ok(f, fixture("terminal.ndjson"));
    assert_int_equal(hz_sql_int(f->db, "SELECT count(*) FROM contacts"), 7);
    every_contact_explains(f, 1);
    /* the CSI of 9001's name and the C1 CSI of 9002's are visible as text */
    char *t = explain_checked(f, "9001");
    assert_non_null(strstr(t, "\\e[2J\\e[31mRed"));
    assert_non_null(strstr(t, "\\e]0;pwned title\\x07"));
    free(t);
    t = explain_checked(f, "9002");
    assert_non_null(strstr(t, "\\u009B2J"));
    free(t);
    t = explain_checked(f, "9003");
    assert_non_null(strstr(t, "\\u202E"));
    free(t);
    char *s = inspect_checked(f, "9001");
    assert_non_null(strstr(s, "\\e[2J"));
    free(s);
}

static void sql_metacharacters_are_data(void **state)
{
    fx *f = *state;
    import_ok(f, fixture("terminal.ndjson"));
    long long before = hz_sql_int(f->db, "SELECT count(*) FROM contacts");
    char *t = explain_checked(f, "9005");
    assert_non_null(strstr(t, "Robert'); DROP TABLE contacts;--"));
    free(t);
    /* as a contact spec: not found, said plainly, tables intact */
    hz_result r;
    hz_run(&r, "explain", "--db", f->db, "1 OR 1=1; DROP TABLE contacts;--", NULL);
    assert_false(r.signaled);
    assert_int_equal(r.status, 66);
    assert_clean("explain stderr", r.err, r.err_len);
    hz_result_free(&r);
    hz_run(&r, "explain", "--db", f->db, "%' OR email LIKE '%", NULL);
    assert_int_equal(r.status, 66);
    hz_result_free(&r);
    assert_int_equal(hz_sql_int(f->db, "SELECT count(*) FROM contacts"), before);
}

static void hostile_email_finds_the_contact(void **state)
{
    fx *f = *state;
    import_ok(f, fixture("terminal.ndjson"));
    free(explain_checked(f, "h9001+\x1b[1m@example.org"));
}

static void hostile_override_text_is_escaped(void **state)
{
    fx *f = *state;
    import_ok(f, fixture("terminal.ndjson"));
    hz_result r;
    hz_run(&r, "override", "--db", f->db, "9001", "--source", "DIRECT_TRAFFIC", "--dd1",
           "\x1b[2Jdd1", "--reason", "\x1b]0;reason\x07 \xe2\x80\xae evil", "--user",
           "\x1b[31muser", NULL);
    assert_int_equal(r.status, 0);
    assert_clean("override stdout", r.out, r.out_len);
    assert_clean("override stderr", r.err, r.err_len);
    hz_result_free(&r);
    char *t = explain_checked(f, "9001");
    assert_non_null(strstr(t, "\\e]0;reason\\x07"));
    free(t);
    free(inspect_checked(f, "9001"));
    /* a hostile source value is refused, and the refusal is escaped too */
    hz_run(&r, "override", "--db", f->db, "9002", "--source", "\x1b[2JEVIL", "--reason", "x", NULL);
    assert_true(r.status == 2 || r.status == 65);
    assert_clean("override stderr", r.err, r.err_len);
    hz_result_free(&r);
}

static void v3_export_with_hostile_values(void **state)
{
    fx *f = *state;
    import_ok(f, fixture("hostile_v3.json"));
    every_contact_explains(f, 1);
}

static void raw_control_bytes_in_json_strings(void **state)
{
    fx *f = *state;
    /* JSON forbids raw controls in strings; accepting them is fine as long
     * as they never reach the terminal raw */
    hz_result r;
    hz_run(&r, "import", "--db", f->db, fixture("raw_controls.ndjson"), NULL);
    assert_false(r.signaled);
    assert_clean("import stderr", r.err, r.err_len);
    if (r.status == 0)
        every_contact_explains(f, 1);
    else
        assert_non_null(strstr(r.err, "raw_controls.ndjson"));
    hz_result_free(&r);
}

static void invalid_utf8_is_refused(void **state)
{
    import_refused(*state, fixture("invalid_utf8.ndjson"), "firstname");
}

static void time_zero_is_refused(void **state)
{
    import_refused(*state, fixture("time_zero.ndjson"), "created_at");
}

static void time_negative_is_refused(void **state)
{
    import_refused(*state, fixture("time_negative.ndjson"), "created_at");
}

static void time_year_9999_is_refused(void **state)
{
    import_refused(*state, fixture("time_9999.ndjson"), "created_at");
}

static void self_merge_is_refused(void **state)
{
    import_refused(*state, fixture("merge_self.ndjson"), "merged");
}

static void merge_cycles_explain(void **state)
{
    fx *f = *state;
    import_ok(f, fixture("merges.ndjson"));
    every_contact_explains(f, 1);
}

static void duplicated_ids_merge_into_one(void **state)
{
    fx *f = *state;
    import_ok(f, fixture("dup_ids.ndjson"));
    assert_int_equal(hz_sql_int(f->db, "SELECT count(*) FROM contacts WHERE id=9201"), 1);
    assert_int_equal(hz_sql_int(f->db, "SELECT count(*) FROM pageviews"), 1);
    assert_int_equal(hz_sql_int(f->db, "SELECT count(*) FROM history"), 1);
    every_contact_explains(f, 1);
    /* importing the same file again changes nothing */
    long long pv = hz_sql_int(f->db, "SELECT count(*) FROM pageviews");
    import_ok(f, fixture("dup_ids.ndjson"));
    assert_int_equal(hz_sql_int(f->db, "SELECT count(*) FROM pageviews"), pv);
}

/* The database-wide views of the same data: audit (text and JSON) and the
 * override export as JSON, with an override whose values hold a C1 CSI. */
static void audit_and_export_are_clean(void **state)
{
    fx *f = *state;
    import_ok(f, fixture("terminal.ndjson"));
    hz_result r;
    hz_run(&r, "override", "--db", f->db, "9002", "--source", "DIRECT_TRAFFIC", "--dd1",
           "\xc2\x9b"
           "2J",
           "--reason", "\xe2\x80\xae evil \x1b]0;t\x07", NULL);
    assert_int_equal(r.status, 0);
    hz_result_free(&r);
    const char *cmds[][6] = {
        {"audit", "--db", f->db, NULL},
        {"audit", "--json", "--db", f->db, NULL},
        {"export", "--overrides", "--format", "json", "--db", f->db},
        {"export", "--overrides", "--db", f->db, NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *argv[8] = {hz_bin()};
        for (int k = 0; k < 6 && cmds[i][k]; k++)
            argv[k + 1] = cmds[i][k];
        hz_runv(argv, NULL, 60000, NULL, &r);
        assert_false(r.signaled);
        assert_true(r.status == 0 || r.status == 1); /* 1: findings */
        assert_clean(cmds[i][0], r.out, r.out_len);
        assert_clean(cmds[i][0], r.err, r.err_len);
        hz_result_free(&r);
    }
}

/* ---- generated at run time ------------------------------------------------------------ */

static FILE *gen_open(fx *f, const char *name, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", f->dir, name);
    FILE *o = fopen(path, "w");
    assert_non_null(o);
    return o;
}

/* A string of n bytes: text with ESC sequences and a C1 control sprinkled. */
static void put_huge(FILE *o, size_t n)
{
    static const char chunk[] = "A\\u001b[31mB\\u009b2J\\u202e ";
    size_t done = 0;
    while (done < n) {
        fputs(chunk, o);
        done += sizeof chunk - 1;
    }
}

static void megabyte_strings(void **state)
{
    fx *f = *state;
    char path[700];
    FILE *o = gen_open(f, "huge.ndjson", path, sizeof path);
    fputs("{\"type\":\"contact\",\"id\":9701,\"created_at\":\"2024-01-01T00:00:00Z\","
          "\"channel\":\"FORM\",\"firstname\":\"",
          o);
    put_huge(o, 1 << 20);
    fputs("\",\"company\":\"", o);
    put_huge(o, 1 << 20);
    fputs("\"}\n{\"type\":\"pageview\",\"contact\":9701,\"token\":\"th\",\"at\":"
          "\"2023-12-31T00:00:00Z\",\"url\":\"https://www.example.com/?utm_source=",
          o);
    put_huge(o, 1 << 20);
    fputs("\",\"referrer\":\"https://www.google.com/", o);
    put_huge(o, 1 << 20);
    fputs("\"}\n{\"type\":\"history\",\"contact\":9701,\"property\":\"hs_analytics_source\","
          "\"value\":\"",
          o);
    put_huge(o, 1 << 20);
    fputs("\",\"at\":\"2024-01-02T00:00:00Z\",\"source_type\":\"CRM_UI\",\"source_id\":\"u\"}\n",
          o);
    assert_int_equal(fclose(o), 0);
    hz_result r;
    hz_run(&r, "import", "--db", f->db, path, NULL);
    assert_false(r.signaled);
    assert_clean("import stderr", r.err, r.err_len);
    if (r.status == 0) {
        hz_result_free(&r);
        free(explain_checked(f, "9701"));
        char *s = inspect_checked(f, "9701");
        /* the screen is 80 columns whatever the data */
        for (char *line = s; line && *line;) {
            char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) : strlen(line);
            assert_true(len <= 80 * 4); /* bytes: up to 4 per column */
            line = nl ? nl + 1 : NULL;
        }
        free(s);
    } else {
        /* refused: must say which field is too long */
        assert_non_null(strstr(r.err, "huge.ndjson"));
        hz_result_free(&r);
    }
}

/* One contact whose visitor made n visits, each more than 30 minutes after
 * the last (n sessions), and n history entries. */
static void many_sessions_and_history(void **state)
{
    fx *f = *state;
    const int n = 10000;
    char path[700];
    FILE *o = gen_open(f, "many.ndjson", path, sizeof path);
    fputs("{\"type\":\"contact\",\"id\":9801,\"firstname\":\"Many\",\"created_at\":"
          "\"2024-06-01T00:00:00Z\",\"channel\":\"FORM\"}\n"
          "{\"type\":\"form\",\"contact\":9801,\"at\":\"2024-06-01T00:00:00Z\",\"form_id\":\"f\","
          "\"conversion_id\":\"c\",\"page_url\":\"https://www.example.com/\",\"token\":\"tmany\","
          "\"filtered_ip\":false}\n",
          o);
    const long long start = 1672531200000LL; /* 2023-01-01 */
    static const char *const refs[] = {"https://www.google.com/", "https://www.linkedin.com/", "",
                                       "https://news.example.net/a?b=c"};
    for (int i = 0; i < n; i++)
        fprintf(o,
                "{\"type\":\"pageview\",\"token\":\"tmany\",\"contact\":null,\"at\":%lld,"
                "\"url\":\"https://www.example.com/p%d?utm_campaign=c%d\",\"referrer\":\"%s\"}\n",
                start + (long long)i * 40 * 60000, i % 50, i % 7, refs[i % 4]);
    for (int i = 0; i < n; i++)
        fprintf(o,
                "{\"type\":\"history\",\"contact\":9801,\"property\":\"hs_analytics_source\","
                "\"value\":\"%s\",\"at\":%lld,\"source_type\":\"%s\",\"source_id\":\"s%d\"}\n",
                i % 2 ? "ORGANIC_SEARCH" : "SOCIAL_MEDIA", start + (long long)i * 60000 + 7,
                i % 3 ? "ANALYTICS" : "CRM_UI", i);
    assert_int_equal(fclose(o), 0);
    import_ok(f, path);
    assert_int_equal(hz_sql_int(f->db, "SELECT count(*) FROM pageviews"), n);
    assert_int_equal(hz_sql_int(f->db, "SELECT count(*) FROM history"), n);
    /* (the Why and History tabs and `history` take seconds here: left out
     * to keep the suite fast; tests/HARDENING.md has the figures) */
    double t0 = hz_now_ms();
    char *t = explain_some(f, "9801", EXPLAIN | EXPLAIN_JSON | HISTORY_JSON);
    assert_non_null(t);
    assert_non_null(strstr(t, "Many"));
    free(t);
    char *screen = inspect_some(f, "9801", 0);
    assert_non_null(strstr(screen, "Many"));
    free(screen);
    printf("# 10,000 sessions + 10,000 history entries: explain, --json, history --json, inspector "
           "in %.0f ms\n",
           hz_now_ms() - t0);
}

/* Files that are not exports at all: each refused at once with a message
 * naming it, and nothing created in the database. */
static void special_files_are_refused(void **state)
{
    fx *f = *state;
    char deep[700], unclosed[700];
    FILE *o = gen_open(f, "deep.ndjson", deep, sizeof deep);
    fputs("{\"type\":\"contact\",\"id\":1,\"created_at\":\"2024-01-01\",\"properties\":", o);
    for (int i = 0; i < 5000; i++)
        fputs("{\"a\":", o);
    fputs("1", o);
    for (int i = 0; i < 5000; i++)
        fputc('}', o);
    fputs("}\n", o);
    assert_int_equal(fclose(o), 0);
    o = gen_open(f, "unclosed.json", unclosed, sizeof unclosed);
    for (int i = 0; i < 200000; i++)
        fputc('[', o);
    assert_int_equal(fclose(o), 0);
    const char *files[] = {"/dev/zero",           "/dev/urandom", "/dev/null", f->dir,
                           "/nonexistent/x.json", deep,           unclosed};
    const int codes[] = {65, 65, 65, 65, 66, 65, 65};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        hz_result r;
        const char *argv[] = {hz_bin(), "import", "--db", f->db, files[i], NULL};
        hz_runv(argv, NULL, 20000, NULL, &r);
        if (r.signaled || r.status != codes[i])
            fail_msg("import %s: exit %d: %s", files[i], r.status, r.err);
        assert_non_null(strstr(r.err, files[i]));
        if (codes[i] == 65) assert_non_null(strstr(r.err, "nothing was imported"));
        assert_clean("import stderr", r.err, r.err_len);
        hz_result_free(&r);
    }
    assert_true(hz_sql_int(f->db, "SELECT count(*) FROM contacts") <= 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(terminal_sequences_are_shown_escaped),
        T(sql_metacharacters_are_data),
        T(hostile_email_finds_the_contact),
        T(hostile_override_text_is_escaped),
        T(v3_export_with_hostile_values),
        T(audit_and_export_are_clean),
        T(raw_control_bytes_in_json_strings),
        T(invalid_utf8_is_refused),
        T(time_zero_is_refused),
        T(time_negative_is_refused),
        T(time_year_9999_is_refused),
        T(self_merge_is_refused),
        T(merge_cycles_explain),
        T(duplicated_ids_merge_into_one),
        T(megabyte_strings),
        T(many_sessions_and_history),
        T(special_files_are_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
