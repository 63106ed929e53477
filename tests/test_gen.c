/* The benchmark data generator (bench/gen): deterministic from its seed,
 * the requested counts, valid HubSpot shapes, and files the importer takes. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/timeutil.h"
#include "gen.h"
#include "import/import.h"
#include "store/store.h"

#define N_CONTACTS 200

static char tmpdir[2048];

static const char *tmp_path(char *buf, const char *name)
{
    snprintf(buf, 4096, "%s/%s", tmpdir, name);
    return buf;
}

static gen_stats generate(gen_format f, uint64_t seed, int64_t n, const char *name, char *path)
{
    gen_opts o = {.seed = seed, .contacts = n, .format = f, .per_file = 64, .events_per_file = 500};
    o.out = tmp_path(path, name);
    gen_stats st;
    char err[512] = "";
    wf_status s = gen_run(&o, &st, err, sizeof err);
    if (s != WF_OK) fprintf(stderr, "gen_run: %s\n", err);
    assert_int_equal(s, WF_OK);
    return st;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = 0;
    fclose(f);
    if (len) *len = (size_t)n;
    return p;
}

/* Names of the files of a kind ("contacts-", "events-") in dir, sorted. */
static int list_files(const char *dir, const char *prefix, char names[][64], int max)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (!strncmp(e->d_name, prefix, strlen(prefix)) && strlen(e->d_name) < 64 && n < max)
            memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
    closedir(d);
    qsort(names, (size_t)n, 64, (int (*)(const void *, const void *))strcmp);
    return n;
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    int same = x && y && la == lb && memcmp(x, y, la) == 0;
    free(x);
    free(y);
    return same;
}

static cJSON *load_json(const char *dir, const char *name)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = slurp(path, NULL);
    assert_non_null(text);
    cJSON *j = cJSON_Parse(text);
    free(text);
    assert_non_null(j);
    return j;
}

/* ---- determinism ---------------------------------------------------------- */

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    char a[4096], b[4096], pa[8192], pb[8192];
    generate(GEN_V3, 7, N_CONTACTS, "det-a", a);
    generate(GEN_V3, 7, N_CONTACTS, "det-b", b);
    char names[64][64];
    int n = list_files(a, "", names, 64);
    assert_true(n >= 4);
    for (int i = 0; i < n; i++) {
        if (names[i][0] == '.') continue;
        snprintf(pa, sizeof pa, "%s/%s", a, names[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, names[i]);
        assert_true(same_file(pa, pb));
    }
}

static void test_other_seed_other_bytes(void **state)
{
    (void)state;
    char a[4096], b[4096], pa[8192], pb[8192];
    generate(GEN_V3, 7, N_CONTACTS, "seed-a", a);
    generate(GEN_V3, 8, N_CONTACTS, "seed-b", b);
    snprintf(pa, sizeof pa, "%s/contacts-00000.json", a);
    snprintf(pb, sizeof pb, "%s/contacts-00000.json", b);
    assert_false(same_file(pa, pb));
}

static void test_csv_deterministic(void **state)
{
    (void)state;
    char a[4096], b[4096], pa[8192], pb[8192];
    generate(GEN_CSV, 3, N_CONTACTS, "csv-a", a);
    generate(GEN_CSV, 3, N_CONTACTS, "csv-b", b);
    const char *files[] = {"contacts.csv", "props.csv", "history.csv", "pageviews.csv"};
    for (int i = 0; i < 4; i++) {
        snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
        snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
        assert_true(same_file(pa, pb));
    }
}

/* The contact set does not depend on the format: the first contact of the
 * v3 output is the first row of the CSV output. */
static void test_formats_describe_same_contacts(void **state)
{
    (void)state;
    char a[4096], b[4096], p[8192];
    generate(GEN_V3, 11, 20, "fmt-v3", a);
    generate(GEN_CSV, 11, 20, "fmt-csv", b);
    cJSON *j = load_json(a, "contacts-00000.json");
    const cJSON *r0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "results"), 0);
    const char *email =
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(r0, "properties"), "email"));
    snprintf(p, sizeof p, "%s/contacts.csv", b);
    char *csv = slurp(p, NULL);
    char *row1 = strchr(csv, '\n') + 1;
    assert_non_null(email);
    assert_non_null(strstr(row1, email));
    assert_true(strstr(row1, email) < strchr(row1, '\n'));
    free(csv);
    cJSON_Delete(j);
}

/* ---- counts ----------------------------------------------------------------- */

static int count_results(const char *dir, const char *prefix)
{
    char names[256][64];
    int n = list_files(dir, prefix, names, 256), total = 0;
    for (int i = 0; i < n; i++) {
        cJSON *j = load_json(dir, names[i]);
        total += cJSON_GetArraySize(cJSON_GetObjectItem(j, "results"));
        cJSON_Delete(j);
    }
    return total;
}

static void test_v3_counts(void **state)
{
    (void)state;
    char d[4096];
    gen_stats st = generate(GEN_V3, 5, N_CONTACTS, "count-v3", d);
    assert_int_equal(st.contacts, N_CONTACTS);
    assert_int_equal(count_results(d, "contacts-"), N_CONTACTS);
    assert_int_equal(count_results(d, "events-"), st.pageviews);
    char names[16][64];
    assert_int_equal(list_files(d, "contacts-", names, 16), (N_CONTACTS + 63) / 64);
}

static long count_lines(const char *path)
{
    char *t = slurp(path, NULL);
    assert_non_null(t);
    long n = 0;
    int quoted = 0;
    for (char *p = t; *p; p++) {
        if (*p == '"') quoted = !quoted;
        if (*p == '\n' && !quoted) n++;
    }
    free(t);
    return n;
}

static void test_csv_counts(void **state)
{
    (void)state;
    char d[4096], p[8192];
    gen_stats st = generate(GEN_CSV, 5, N_CONTACTS, "count-csv", d);
    snprintf(p, sizeof p, "%s/contacts.csv", d);
    assert_int_equal(count_lines(p), N_CONTACTS + 1);
    snprintf(p, sizeof p, "%s/pageviews.csv", d);
    assert_int_equal(count_lines(p), st.pageviews + 1);
    snprintf(p, sizeof p, "%s/history.csv", d);
    assert_int_equal(count_lines(p), st.history + 1);
}

static int64_t count_rows(wf_store *s, const char *sql)
{
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(s), sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}

static void test_db_counts(void **state)
{
    (void)state;
    char path[4096], err[512];
    gen_stats st = generate(GEN_DB, 5, N_CONTACTS, "count.db", path);
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(path, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM contacts WHERE merged_into IS NULL"),
                     N_CONTACTS);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM contacts"), N_CONTACTS + st.merged);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM merges"), st.merged);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM pageviews"), st.pageviews);
    /* merged-away records (three history rows each) go to the database only */
    assert_int_equal(count_rows(s, "SELECT count(*) FROM history"), st.history + 3 * st.merged);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM forms"), st.forms);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM email_clicks"), st.clicks);
    wf_store_close(&s);
}

static void test_heavy_contact(void **state)
{
    (void)state;
    char path[4096], err[512];
    gen_opts o = {.seed = 1, .contacts = 3, .format = GEN_DB, .heavy = 10000};
    o.out = tmp_path(path, "heavy.db");
    gen_stats st;
    assert_int_equal(gen_run(&o, &st, err, sizeof err), WF_OK);
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(path, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM pageviews WHERE contact = 1001"), 10000);
    wf_store_close(&s);
}

/* ---- shape ------------------------------------------------------------------ */

static const char *prop_of(const cJSON *rec, const char *name)
{
    return cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "properties"), name));
}

/* HubSpot sends history newest first; the stored value is the newest one. */
static void check_record(const cJSON *rec)
{
    wf_ms t;
    assert_true(cJSON_IsString(cJSON_GetObjectItem(rec, "id")));
    assert_int_equal(wf_time_parse(prop_of(rec, "createdate"), &t), WF_OK);
    const cJSON *h = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "propertiesWithHistory"),
                                         "hs_analytics_source");
    assert_true(cJSON_IsArray(h) && cJSON_GetArraySize(h) >= 1);
    wf_ms prev = WF_TIME_MAX;
    const cJSON *e;
    cJSON_ArrayForEach(e, h)
    {
        wf_ms at;
        assert_int_equal(
            wf_time_parse(cJSON_GetStringValue(cJSON_GetObjectItem(e, "timestamp")), &at), WF_OK);
        assert_true(at <= prev);
        prev = at;
        assert_non_null(cJSON_GetStringValue(cJSON_GetObjectItem(e, "sourceType")));
    }
    assert_string_equal(
        cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(h, 0), "value")),
        prop_of(rec, "hs_analytics_source"));
}

static void test_v3_records_valid(void **state)
{
    (void)state;
    char d[4096];
    generate(GEN_V3, 9, N_CONTACTS, "shape-v3", d);
    cJSON *j = load_json(d, "contacts-00000.json");
    assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "paging"), "next"));
    const cJSON *rec;
    cJSON_ArrayForEach(rec, cJSON_GetObjectItem(j, "results")) check_record(rec);
    cJSON_Delete(j);
}

static void test_events_valid(void **state)
{
    (void)state;
    char d[4096];
    generate(GEN_V3, 9, N_CONTACTS, "shape-ev", d);
    cJSON *j = load_json(d, "events-00000.json");
    const cJSON *ev;
    int n = 0, agents = 0;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItem(j, "results"))
    {
        wf_ms t;
        n++;
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "eventType")),
                            "e_visited_page");
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "objectType")), "CONTACT");
        assert_true(cJSON_GetObjectItem(ev, "objectId")->valuedouble >= 1001);
        assert_int_equal(
            wf_time_parse(cJSON_GetStringValue(cJSON_GetObjectItem(ev, "occurredAt")), &t), WF_OK);
        const cJSON *p = cJSON_GetObjectItem(ev, "properties");
        assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(p, "hs_url")), "://"));
        agents |= cJSON_GetObjectItem(p, "hs_userAgent") ? 1 : 0;
        agents |= cJSON_GetObjectItem(p, "hs_user_agent") ? 2 : 0;
    }
    assert_int_equal(n, 500);
    assert_int_equal(agents, 3); /* both spellings occur */
    cJSON_Delete(j);
}

/* Realistic shape: forms on tracked pages are the most common channel, then
 * imports; some contacts have no visits, a few have many. */
static void test_realistic_shape(void **state)
{
    (void)state;
    char d[4096];
    gen_stats st = generate(GEN_DB, 21, 1000, "shape.db", d);
    const int form = 0, import = 1;
    assert_string_equal(gen_channel_name(form), "FORM");
    assert_string_equal(gen_channel_name(import), "IMPORT");
    for (int k = 1; gen_channel_name(k); k++)
        assert_true(st.channel_count[form] > st.channel_count[k]);
    for (int k = 2; gen_channel_name(k); k++)
        assert_true(st.channel_count[import] > st.channel_count[k]);
    double per = (double)st.pageviews / (double)st.contacts;
    assert_true(per > 4 && per < 25);
    char err[512];
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(d, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    int64_t none = count_rows(s, "SELECT count(*) FROM contacts c WHERE merged_into IS NULL AND"
                                 " NOT EXISTS(SELECT 1 FROM pageviews p WHERE p.contact = c.id)");
    int64_t most = count_rows(s, "SELECT max(n) FROM (SELECT count(*) n FROM pageviews"
                                 " GROUP BY contact)");
    int64_t rewrites =
        count_rows(s, "SELECT count(DISTINCT contact) FROM history WHERE"
                      " property = 'hs_analytics_source' AND source_type = 'ANALYTICS'"
                      " AND value <> 'OFFLINE' AND contact IN (SELECT contact FROM"
                      " history WHERE value = 'OFFLINE')");
    int64_t manual = count_rows(s, "SELECT count(*) FROM history WHERE source_type = 'CRM_UI'"
                                   " AND property = 'hs_analytics_source'");
    wf_store_close(&s);
    assert_true(none > 150);   /* about 30% */
    assert_true(most > 100);   /* the heavy tail */
    assert_true(rewrites > 5); /* C04: an earlier visit found after an offline creation */
    assert_true(manual > 2);   /* C06 */
}

/* The importer takes the v3 output: every contact and page view arrives. */
static void test_import_accepts_v3(void **state)
{
    (void)state;
    char d[4096], db[4096], err[1024] = "";
    gen_stats st = generate(GEN_V3, 13, N_CONTACTS, "imp-v3", d);
    char names[64][64], paths[64][8192];
    const char *argv[64];
    int n = list_files(d, "contacts-", names, 32);
    n += list_files(d, "events-", names + n, 32);
    for (int i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", d, names[i]);
        argv[i] = paths[i];
    }
    tmp_path(db, "imp.db");
    unlink(db);
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(db, WF_STORE_CREATE, &s, err, sizeof err), WF_OK);
    wf_import_opts o = {0};
    wf_import_report rep;
    memset(&rep, 0, sizeof rep);
    wf_status r = wf_import_files(s, argv, (size_t)n, &o, &rep, err, sizeof err);
    if (r == WF_OK && rep.records == 0 && rep.contacts_added == 0) {
        wf_store_close(&s);
        skip(); /* the importer is not built yet */
    }
    if (r != WF_OK) fprintf(stderr, "import: %s\n", err);
    assert_int_equal(r, WF_OK);
    assert_int_equal(rep.contacts_added, N_CONTACTS);
    assert_int_equal(rep.pageviews, st.pageviews);
    assert_int_equal(count_rows(s, "SELECT count(*) FROM pageviews"), st.pageviews);
    wf_store_close(&s);
}

static int setup(void **state)
{
    (void)state;
    const char *base = getenv("TESTS_TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/gen.XXXXXX", base ? base : "/tmp");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_bytes),
        cmocka_unit_test(test_other_seed_other_bytes),
        cmocka_unit_test(test_csv_deterministic),
        cmocka_unit_test(test_formats_describe_same_contacts),
        cmocka_unit_test(test_v3_counts),
        cmocka_unit_test(test_csv_counts),
        cmocka_unit_test(test_db_counts),
        cmocka_unit_test(test_heavy_contact),
        cmocka_unit_test(test_v3_records_valid),
        cmocka_unit_test(test_events_valid),
        cmocka_unit_test(test_realistic_shape),
        cmocka_unit_test(test_import_accepts_v3),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
