/* The importer: every input shape into the store, bad input (exact message,
 * status, database unchanged), --skip-bad, idempotence, any order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "import/import.h"
#include "import/scan.h"
#include "store/store.h"

/* ---- helpers ---- */

static const char *tmpdir(void)
{
    const char *d = getenv("TESTS_TMPDIR");
    return d ? d : "/tmp";
}

static char *fixture(const char *name)
{
    const char *src = getenv("WHEREFROM_SRCDIR");
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ % 8];
    snprintf(b, 1024, "%s/tests/fixtures/import/%s", src ? src : ".", name);
    return b;
}

static char *tmpfile_path(const char *name)
{
    static char buf[8][1024];
    static int k;
    char *b = buf[k++ % 8];
    snprintf(b, 1024, "%s/imp-%ld-%s", tmpdir(), (long)getpid(), name);
    return b;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void write_str(const char *path, const char *s)
{
    write_file(path, s, strlen(s));
}

static wf_store *fresh(const char *tag)
{
    char path[1024], aux[1100];
    snprintf(path, sizeof path, "%s/imp-%ld-%s.db", tmpdir(), (long)getpid(), tag);
    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
    wf_store *s = NULL;
    char err[512];
    wf_status st = wf_store_open(path, WF_STORE_CREATE, &s, err, sizeof err);
    if (st != WF_OK) fprintf(stderr, "%s\n", err);
    assert_int_equal(st, WF_OK);
    return s;
}

static void done(wf_store **s)
{
    char path[1024], aux[1100];
    snprintf(path, sizeof path, "%s", wf_store_path(*s));
    wf_store_close(s);
    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
}

static char last_err[2048];

static wf_status imp_opts(wf_store *s, const char **files, size_t n, const char *fmt, int skip,
                          FILE *errors, wf_import_report *rep)
{
    wf_import_opts o = {.format = fmt, .skip_bad = skip, .errors = errors};
    wf_import_report r;
    return wf_import_files(s, files, n, &o, rep ? rep : &r, last_err, sizeof last_err);
}

static wf_status imp1(wf_store *s, const char *file, wf_import_report *rep)
{
    const char *f[] = {file};
    return imp_opts(s, f, 1, NULL, 0, NULL, rep);
}

static int64_t q1(wf_store *s, const char *sql)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(wf_store_db(s), sql, -1, &st, NULL);
    if (rc) fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(wf_store_db(s)));
    assert_int_equal(rc, SQLITE_OK);
    int64_t v = -1;
    if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The text of the first column of the first row ("<null>" for NULL). */
static const char *qs(wf_store *s, const char *sql)
{
    static char buf[4][512];
    static int k;
    char *b = buf[k++ % 4];
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
    snprintf(b, 512, "<none>");
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(b, 512, "%s", t ? (const char *)t : "<null>");
    }
    sqlite3_finalize(st);
    return b;
}

/* A digest of every data table (not the imports log): equal digests mean
 * equal data. Surrogate row ids are left out and rows are combined in any
 * order, so the digest does not depend on the order rows were written. */
static uint64_t digest(wf_store *s)
{
    static const char *const tables[] = {"settings",     "contacts", "props",
                                         "pageviews",    "tokens",   "forms",
                                         "email_clicks", "history",  "merges"};
    uint64_t total = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s", tables[i]);
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(wf_store_db(s), sql, -1, &st, NULL), SQLITE_OK);
        int surrogate = strcmp(tables[i], "contacts") != 0;
        while (sqlite3_step(st) == SQLITE_ROW) {
            uint64_t h = 1469598103934665603ULL + i;
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                if (surrogate && !strcmp(sqlite3_column_name(st, c), "id")) continue;
                const unsigned char *t = sqlite3_column_text(st, c);
                const char *p = t ? (const char *)t : "\x01NULL";
                for (; *p; p++)
                    h = (h ^ (unsigned char)*p) * 1099511628211ULL;
                h = (h ^ 0x1f) * 1099511628211ULL;
            }
            total += h * 0x9E3779B97F4A7C15ULL + (h >> 29);
        }
        sqlite3_finalize(st);
    }
    return total;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fail_msg("expected \"%s\" in \"%s\"", needle, hay);
}

/* ---- shapes ---- */

static void v3_list_three_channels(void **state)
{
    (void)state;
    wf_store *s = fresh("v3");
    wf_import_report r;
    assert_int_equal(imp1(s, fixture("v3_list.json"), &r), WF_OK);
    assert_int_equal(r.contacts_added, 3);
    assert_int_equal(r.records, 3);
    assert_int_equal(r.history, 8);
    assert_int_equal(q1(s, "SELECT count(*) FROM contacts"), 3);
    /* record source properties */
    assert_string_equal(qs(s,
                           "SELECT channel||'|'||channel_detail||'|'||channel_label FROM contacts"
                           " WHERE id=101"),
                        "IMPORT|9876|Q3 trade show list");
    assert_string_equal(qs(s, "SELECT channel||'|'||channel_detail FROM contacts WHERE id=103"),
                        "FORM|3f1c9a52-0d1e-4a57-9b7e-5a2f0c1d2e3f");
    /* no record source: the OFFLINE drill-downs of the history */
    assert_string_equal(qs(s, "SELECT channel||'|'||channel_detail FROM contacts WHERE id=102"),
                        "INTEGRATION|12345");
    assert_string_equal(qs(s, "SELECT src||'|'||src_dd1||'|'||src_dd2 FROM contacts WHERE id=103"),
                        "ORGANIC_SEARCH|Unknown keywords (SSL)|google");
    /* createdate as epoch-ms string; ISO with fraction; offsets */
    assert_int_equal(q1(s, "SELECT created_at FROM contacts WHERE id=102"), 1722502800000LL);
    assert_int_equal(q1(s, "SELECT updated_at FROM contacts WHERE id=101"), 1719997500250LL);
    assert_int_equal(q1(s, "SELECT at FROM history WHERE contact=102 AND property="
                           "'hs_analytics_source'"),
                     1722502804000LL);
    assert_int_equal(q1(s, "SELECT first_visit_at FROM contacts WHERE id=103"), 1725978000000LL);
    assert_string_equal(qs(s, "SELECT first_referrer FROM contacts WHERE id=103"),
                        "https://www.google.com/");
    /* every property kept verbatim, unknown ones included */
    assert_string_equal(
        qs(s, "SELECT value FROM props WHERE contact=101 AND name='hs_custom_enum'"),
        "SOME_NEW_VALUE");
    /* ... except those a contacts column keeps verbatim */
    assert_int_equal(q1(s, "SELECT count(*) FROM props WHERE contact=101"), 9);
    assert_int_equal(
        q1(s, "SELECT count(*) FROM props WHERE name IN ('email','hs_analytics_source')"), 0);
    assert_string_equal(qs(s, "SELECT value FROM props WHERE contact=101 AND name='createdate'"),
                        "2024-07-03T09:00:00Z");
    /* a property only in propertiesWithHistory: its newest value */
    assert_string_equal(qs(s, "SELECT firstname FROM contacts WHERE id=103"), "Fay");
    assert_string_equal(qs(s, "SELECT user_id||'|'||source_type||'|'||source_id FROM history"
                              " WHERE contact=103 AND property='firstname'"),
                        "4242|FORM|c0nv-103");
    assert_string_equal(qs(s, "SELECT source_label FROM history WHERE contact=102 AND"
                              " property='hs_analytics_source'"),
                        "Acme Sync");
    /* touched for recomputation */
    assert_int_equal(q1(s, "SELECT count(*) FROM temp.touched"), 3);
    assert_int_equal(q1(s, "SELECT count(*) FROM imports WHERE format='v3' AND records=3"), 1);
    done(&s);
}

static void v1_profile_everything(void **state)
{
    (void)state;
    wf_store *s = fresh("v1");
    wf_import_report r;
    assert_int_equal(imp1(s, fixture("v1_profile.json"), &r), WF_OK);
    assert_int_equal(r.contacts_added, 1);
    assert_int_equal(r.history, 9);
    assert_int_equal(r.forms, 2);
    assert_int_equal(r.links, 1);
    assert_int_equal(r.merges, 1);
    assert_string_equal(qs(s, "SELECT email||'|'||firstname FROM contacts WHERE id=201"),
                        "vera.v1@example.org|Vera");
    assert_int_equal(q1(s, "SELECT created_at FROM contacts WHERE id=201"), 1717405200000LL);
    /* channel from the earliest OFFLINE version's drill-downs */
    assert_string_equal(qs(s, "SELECT channel||'|'||channel_detail FROM contacts WHERE id=201"),
                        "IMPORT|5555");
    /* v1 spellings: source-type, source-id, updated-by-user-id */
    assert_string_equal(qs(s, "SELECT source_type||'|'||source_id||'|'||user_id FROM history"
                              " WHERE contact=201 AND property='firstname'"),
                        "CRM_UI|userId:77|77");
    /* forms: an export gives no visitor token, except through the LEAD_GUID
     * identity stamped right after a submission; "title" as page title */
    assert_string_equal(qs(s, "SELECT token FROM forms WHERE conversion_id='conv-1'"),
                        "a1b2c3d4e5f60718293a4b5c6d7e8f90");
    assert_string_equal(qs(s, "SELECT token FROM forms WHERE conversion_id='conv-2'"), "<null>");
    assert_string_equal(qs(s, "SELECT page_title FROM forms WHERE conversion_id='conv-2'"),
                        "Newsletter");
    /* LEAD_GUID identity: a token link at its timestamp; EMAIL ignored */
    assert_string_equal(qs(s, "SELECT token||'|'||linked_at||'|'||linked_by FROM tokens"),
                        "a1b2c3d4e5f60718293a4b5c6d7e8f90|1726653600100|identity");
    assert_int_equal(q1(s, "SELECT count(*) FROM tokens"), 1);
    /* merge-audit + merged-vids: one merge with its time and user */
    assert_string_equal(qs(s, "SELECT contact||'|'||merged_id||'|'||at||'|'||user_id FROM merges"),
                        "201|202|1725000000000|77");
    done(&s);
}

static void events_pending_then_attached(void **state)
{
    (void)state;
    wf_store *s = fresh("ev");
    wf_import_report r;
    assert_int_equal(imp1(s, fixture("events_page.json"), &r), WF_OK);
    assert_int_equal(r.pageviews, 3);
    assert_int_equal(r.ignored, 1); /* the CTA click */
    assert_int_equal(r.pending, 3);
    assert_int_equal(q1(s, "SELECT count(*) FROM temp.touched"), 0);
    assert_string_equal(qs(s, "SELECT utm_source||utm_medium||utm_campaign||utm_term||utm_content"
                              " FROM pageviews WHERE ext_id='ev-101-2'"),
                        "xcpcspringcrmad1");
    assert_int_equal(q1(s, "SELECT at FROM pageviews WHERE ext_id='ev-101-2'"), 1710237690500LL);
    assert_string_equal(
        qs(s, "SELECT session_id||'|'||title FROM pageviews WHERE ext_id='ev-101-1'"), "s-1|Home");
    /* the contact arrives later: its pre-creation page views attach */
    assert_int_equal(imp1(s, fixture("v3_list.json"), &r), WF_OK);
    assert_int_equal(r.pending, 1); /* 999 is still unknown */
    assert_int_equal(q1(s, "SELECT count(*) FROM pageviews p JOIN contacts c ON c.id=p.contact"),
                     2);
    assert_int_equal(q1(s, "SELECT count(*) FROM temp.touched WHERE contact=101"), 1);
    done(&s);
}

static void both_user_agent_spellings(void **state)
{
    (void)state;
    wf_store *s = fresh("ua");
    assert_int_equal(imp1(s, fixture("ua_both.json"), NULL), WF_OK);
    assert_string_equal(qs(s, "SELECT user_agent FROM pageviews WHERE ext_id='ua-1'"),
                        "UA-camel/1.0");
    assert_string_equal(qs(s, "SELECT user_agent FROM pageviews WHERE ext_id='ua-2'"),
                        "UA-snake/2.0");
    assert_int_equal(q1(s, "SELECT count(*) FROM pageviews WHERE contact=301"), 2);
    done(&s);
}

static void native_every_line_type(void **state)
{
    (void)state;
    wf_store *s = fresh("nd");
    wf_import_report r;
    assert_int_equal(imp1(s, fixture("native.ndjson"), &r), WF_OK);
    assert_int_equal(r.records, 9);
    assert_string_equal(qs(s, "SELECT value FROM settings WHERE key='site_domains'"),
                        "[\"example.com\"]");
    assert_string_equal(
        qs(s, "SELECT channel||'|'||channel_label||'|'||src||'|'||src_dd2||'|'||latest_src"
              " FROM contacts WHERE id=7001"),
        "IMPORT|Q3 trade show list|ORGANIC_SEARCH|google|DIRECT_TRAFFIC");
    assert_int_equal(q1(s, "SELECT latest_at FROM contacts WHERE id=7001"), 1726660800000LL);
    assert_string_equal(qs(s, "SELECT value FROM props WHERE contact=7001 AND name='score'"), "42");
    assert_int_equal(q1(s, "SELECT count(*) FROM pageviews WHERE token='t1' AND contact IS NULL"),
                     2);
    assert_string_equal(qs(s, "SELECT token FROM forms WHERE contact=7001"), "t1");
    assert_string_equal(qs(s, "SELECT group_concat(linked_by||':'||token, ',') FROM"
                              " (SELECT * FROM tokens ORDER BY linked_by)"),
                        "email:t9,form:t1,identity:t5");
    assert_int_equal(q1(s, "SELECT linked_at FROM tokens WHERE token='t5'"), 1726783200000LL);
    assert_int_equal(q1(s, "SELECT count(*) FROM email_clicks WHERE token='t9'"), 1);
    assert_int_equal(q1(s, "SELECT count(*) FROM history WHERE contact=7001"), 1);
    assert_string_equal(qs(s, "SELECT user_id FROM merges WHERE contact=7001 AND merged_id=7099"),
                        "42");
    /* the merged record arrives later: it points at its survivor */
    const char *p = tmpfile_path("late.ndjson");
    write_str(p, "{\"type\":\"contact\",\"id\":7099,\"created_at\":\"2024-01-01T00:00:00Z\"}\n");
    assert_int_equal(imp1(s, p, NULL), WF_OK);
    assert_int_equal(q1(s, "SELECT merged_into FROM contacts WHERE id=7099"), 7001);
    unlink(p);
    done(&s);
}

static void single_batch_and_bare_shapes(void **state)
{
    (void)state;
    wf_store *s = fresh("shapes");
    const char *single = tmpfile_path("single.json");
    write_str(single, "\xEF\xBB\xBF {\"id\":\"11\",\"properties\":{\"createdate\":"
                      "\"2024-01-02T03:04:05.678+01:00\"},\"archived\":false}");
    const char *batch = tmpfile_path("batch.json");
    write_str(batch, "{\"status\":\"COMPLETE\",\"results\":[{\"id\":12,\"properties\":"
                     "{\"createdate\":\"2024-01-02\"}}],\"startedAt\":\"x\"}");
    const char *bare_v1 = tmpfile_path("bare_v1.json");
    write_str(bare_v1, "[{\"vid\":13,\"addedAt\":1704153600000,\"properties\":{}}]");
    const char *v1list = tmpfile_path("v1list.json");
    write_str(v1list, "{\"has-more\":false,\"vid-offset\":14,\"contacts\":[{\"vid\":14,"
                      "\"properties\":{\"createdate\":{\"value\":\"1704153600000\"}}}]}");
    const char *files[] = {single, batch, bare_v1, v1list};
    wf_import_report r;
    assert_int_equal(imp_opts(s, files, 4, NULL, 0, NULL, &r), WF_OK);
    assert_int_equal(r.contacts_added, 4);
    assert_int_equal(r.files, 4);
    assert_int_equal(q1(s, "SELECT created_at FROM contacts WHERE id=11"), 1704161045678LL);
    assert_int_equal(q1(s, "SELECT created_at FROM contacts WHERE id=12"), 1704153600000LL);
    assert_string_equal(qs(s, "SELECT group_concat(format, ',') FROM"
                              " (SELECT format FROM imports ORDER BY id)"),
                        "v3,v3,v1,v1");
    for (size_t i = 0; i < 4; i++)
        unlink(files[i]);
    done(&s);
}

static void format_override(void **state)
{
    (void)state;
    wf_store *s = fresh("force");
    /* an object with neither id nor type: refused, unless forced */
    const char *p = tmpfile_path("odd.json");
    write_str(p,
              "[{\"vid\":\"21\",\"properties\":{\"createdate\":{\"value\":\"1704153600000\"}}}]");
    const char *f[] = {p};
    assert_int_equal(imp_opts(s, f, 1, "events", 0, NULL, NULL), WF_E_DATA);
    assert_contains(last_err, "eventType: missing");
    assert_int_equal(imp_opts(s, f, 1, "v1", 0, NULL, NULL), WF_OK);
    assert_int_equal(q1(s, "SELECT count(*) FROM contacts WHERE id=21"), 1);
    assert_int_equal(imp_opts(s, f, 1, "csv", 0, NULL, NULL), WF_E_USAGE);
    assert_contains(last_err, "unknown format 'csv'");
    unlink(p);
    done(&s);
}

/* ---- re-import, order, updates ---- */

static void reimport_is_idempotent(void **state)
{
    (void)state;
    wf_store *s = fresh("idem");
    const char *files[] = {fixture("v3_list.json"),     fixture("v1_profile.json"),
                           fixture("events_page.json"), fixture("ua_both.json"),
                           fixture("native.ndjson"),    fixture("story_v1.json"),
                           fixture("story_events.json")};
    wf_import_report r;
    assert_int_equal(imp_opts(s, files, 7, NULL, 0, NULL, &r), WF_OK);
    assert_true(r.contacts_added > 0);
    uint64_t d1 = digest(s);
    assert_int_equal(imp_opts(s, files, 7, NULL, 0, NULL, &r), WF_OK);
    assert_int_equal(r.contacts_added + r.contacts_updated, 0);
    assert_int_equal(r.pageviews + r.forms + r.clicks + r.links + r.history + r.merges, 0);
    assert_true(d1 == digest(s));
    done(&s);
}

static void any_order_same_database(void **state)
{
    (void)state;
    wf_store *a = fresh("orderA"), *b = fresh("orderB");
    const char *ab[] = {fixture("story_v1.json"), fixture("story_events.json"),
                        fixture("native.ndjson")};
    const char *ba[] = {fixture("native.ndjson"), fixture("story_events.json"),
                        fixture("story_v1.json")};
    assert_int_equal(imp_opts(a, ab, 3, NULL, 0, NULL, NULL), WF_OK);
    /* the same files, events first, across separate invocations */
    for (int i = 0; i < 3; i++)
        assert_int_equal(imp1(b, ba[i], NULL), WF_OK);
    assert_int_equal(q1(b, "SELECT count(*) FROM pageviews WHERE contact=5001"), 1);
    assert_true(digest(a) == digest(b));
    done(&a);
    done(&b);
}

static void newer_export_updates_older_does_not(void **state)
{
    (void)state;
    wf_store *s = fresh("newer");
    assert_int_equal(imp1(s, fixture("v3_list.json"), NULL), WF_OK);
    const char *p = tmpfile_path("newer.json");
    write_str(p, "{\"results\":[{\"id\":\"101\",\"properties\":{\"createdate\":"
                 "\"2024-07-03T09:00:00Z\",\"hs_analytics_source\":\"ORGANIC_SEARCH\","
                 "\"favourite_colour\":\"red\"},\"propertiesWithHistory\":{"
                 "\"hs_analytics_source\":[{\"value\":\"ORGANIC_SEARCH\",\"timestamp\":"
                 "\"2024-09-18T10:00:05Z\",\"sourceType\":\"ANALYTICS\"},{\"value\":\"OFFLINE\","
                 "\"timestamp\":\"2024-07-03T09:00:05.120Z\",\"sourceType\":\"ANALYTICS\","
                 "\"sourceId\":\"ContactAnalyticsDetailsUpdateWorker\"}]},\"updatedAt\":\"2024-09-"
                 "18T10:00:05Z\"}]}");
    wf_import_report r;
    assert_int_equal(imp1(s, p, &r), WF_OK);
    assert_int_equal(r.contacts_updated, 1);
    assert_int_equal(r.history, 1); /* only the entry it did not have */
    assert_string_equal(qs(s, "SELECT src||'|'||channel FROM contacts WHERE id=101"),
                        "ORGANIC_SEARCH|IMPORT");
    assert_string_equal(qs(s, "SELECT value FROM props WHERE contact=101 AND"
                              " name='favourite_colour'"),
                        "red");
    /* the older export again: the contact stays as the newer one made it */
    assert_int_equal(imp1(s, fixture("v3_list.json"), &r), WF_OK);
    assert_int_equal(r.contacts_updated, 0);
    assert_string_equal(qs(s, "SELECT src FROM contacts WHERE id=101"), "ORGANIC_SEARCH");
    assert_string_equal(qs(s, "SELECT value FROM props WHERE contact=101 AND"
                              " name='favourite_colour'"),
                        "red");
    assert_int_equal(q1(s, "SELECT count(*) FROM history WHERE contact=101"), 4);
    unlink(p);
    done(&s);
}

/* ---- bad input ---- */

/* Imports `content` as a file on a database holding v3_list.json and
 * checks status, message and that nothing changed. */
static void bad_case(const char *name, const void *content, size_t len, wf_status want,
                     const char *const *needles)
{
    wf_store *s = fresh("bad");
    assert_int_equal(imp1(s, fixture("v3_list.json"), NULL), WF_OK);
    uint64_t before = digest(s);
    int64_t logs = q1(s, "SELECT count(*) FROM imports");
    const char *p = tmpfile_path(name);
    if (content) write_file(p, content, len);
    const char *files[] = {fixture("native.ndjson"), p};
    wf_import_report r;
    wf_status st = imp_opts(s, files, 2, NULL, 0, NULL, &r);
    assert_int_equal(st, want);
    assert_contains(last_err, p);
    for (size_t i = 0; needles[i]; i++)
        assert_contains(last_err, needles[i]);
    assert_true(before == digest(s)); /* native.ndjson was rolled back too */
    assert_int_equal(q1(s, "SELECT count(*) FROM imports"), logs);
    assert_int_equal(r.contacts_added, 0);
    if (content) unlink(p);
    done(&s);
}

#define NEEDLES(...) ((const char *const[]){__VA_ARGS__, NULL})
#define S(lit) lit, sizeof lit - 1

static void bad_malformed_json(void **state)
{
    (void)state;
    bad_case("malformed.json",
             S("[{\"id\":\"1\",\"properties\":{\"createdate\":\"2024-01-01T00:00:00Z\"}},\n"
               " {\"id\":\"2\",\"properties\":{\"createdate\": x}}]"),
             WF_E_DATA, NEEDLES(":2(byte 103): createdate: malformed JSON"));
}

static void bad_wrong_type(void **state)
{
    (void)state;
    bad_case("wrongtype.json", S("{\"results\":[{\"id\":\"5\",\"properties\":\"oops\"}]}"),
             WF_E_DATA, NEEDLES(":1(byte 12): properties: expected an object, got a string"));
}

static void bad_missing_id(void **state)
{
    (void)state;
    bad_case("noid.json",
             S("{\"results\":[{\"id\":\"7\",\"properties\":{\"createdate\":\"2024-01-01\"}},"
               "{\"properties\":{\"createdate\":\"2024-01-01\"}}]}"),
             WF_E_DATA, NEEDLES(":2(byte 64): id: missing"));
}

static void bad_invalid_utf8(void **state)
{
    (void)state;
    bad_case("utf8.json",
             S("[{\"id\":\"8\",\"properties\":{\"createdate\":\"2024-01-01\",\"firstname\":"
               "\"A\xff\"}}]"),
             WF_E_DATA, NEEDLES(":1(byte 65): firstname: invalid UTF-8 (byte 0xff)"));
}

static void bad_absurd_timestamp(void **state)
{
    (void)state;
    /* seconds where milliseconds are expected: 1970 */
    bad_case("absurd.json", S("[{\"id\":\"9\",\"properties\":{\"createdate\":\"1710237600\"}}]"),
             WF_E_DATA, NEEDLES(":1(byte 1): properties.createdate: absurd timestamp"));
}

static void bad_not_a_timestamp(void **state)
{
    (void)state;
    bad_case("notime.ndjson", S("{\"type\":\"contact\",\"id\":3,\"created_at\":\"yesterday\"}\n"),
             WF_E_DATA, NEEDLES(":1(byte 0): created_at: not a timestamp: \"yesterday\""));
}

static void bad_too_deep(void **state)
{
    (void)state;
    size_t depth = 1100;
    const char *head = "[{\"id\":\"10\",\"properties\":{\"createdate\":\"2024-01-01\"},\"deep\":";
    size_t n = strlen(head) + 2 * depth + 4;
    char *buf = malloc(n);
    size_t k = 0;
    memcpy(buf, head, strlen(head));
    k = strlen(head);
    for (size_t i = 0; i < depth; i++)
        buf[k++] = '[';
    for (size_t i = 0; i < depth; i++)
        buf[k++] = ']';
    buf[k++] = '}';
    buf[k++] = ']';
    bad_case("deep.json", buf, k, WF_E_DATA,
             NEEDLES(":1(byte 1059): deep: nested deeper than 1000 levels"));
    free(buf);
}

static void bad_huge_string(void **state)
{
    (void)state;
    size_t big = 50u << 20;
    const char *head = "[{\"id\":\"11\",\"properties\":{\"createdate\":\"2024-01-01\",\"notes\":\"";
    size_t hl = strlen(head);
    char *buf = malloc(hl + big + 8);
    memcpy(buf, head, hl);
    memset(buf + hl, 'a', big);
    memcpy(buf + hl + big, "\"}}]", 4);
    bad_case("huge.json", buf, hl + big + 4, WF_E_DATA,
             NEEDLES(":1(byte 60): notes: a string longer than 4 MB"));
    free(buf);
}

static void bad_truncated(void **state)
{
    (void)state;
    FILE *f = fopen(fixture("v3_list.json"), "rb");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, 2500, f);
    buf[n] = 0;
    fclose(f);
    assert_int_equal(n, 2500);
    /* the cut falls inside the third record: it is named, with its offset */
    const char *third = strstr(buf, "{\n      \"id\": \"103\"");
    assert_non_null(third);
    char where[64];
    snprintf(where, sizeof where, ":3(byte %d): ", (int)(third - buf));
    bad_case("truncated.json", buf, n, WF_E_DATA,
             NEEDLES("unexpected end of file (truncated?)", where));
}

static void bad_empty_file(void **state)
{
    (void)state;
    bad_case("empty.json", "", 0, WF_E_DATA, NEEDLES(":0(byte 0): -: the file is empty"));
}

static void bad_directory(void **state)
{
    (void)state;
    wf_store *s = fresh("dir");
    const char *files[] = {tmpdir()};
    assert_int_equal(imp_opts(s, files, 1, NULL, 0, NULL, NULL), WF_E_DATA);
    assert_contains(last_err, "is a directory");
    assert_int_equal(q1(s, "SELECT count(*) FROM imports"), 0);
    done(&s);
}

static void bad_missing_file(void **state)
{
    (void)state;
    bad_case("does-not-exist.json", NULL, 0, WF_E_NOINPUT,
             NEEDLES(":0(byte 0): -: cannot open: No such file or directory"));
    assert_int_equal(wf_status_exit_code(WF_E_NOINPUT), 66);
    assert_int_equal(wf_status_exit_code(WF_E_DATA), 65);
}

static void bad_unrecognised(void **state)
{
    (void)state;
    bad_case("hello.json", S("{\"hello\":\"world\"}"), WF_E_DATA,
             NEEDLES(":1(byte 0): -: not a HubSpot export"));
}

static void bad_garbage_after(void **state)
{
    (void)state;
    bad_case("after.json",
             S("[{\"id\":\"12\",\"properties\":{\"createdate\":\"2024-01-01\"}}] trailing"),
             WF_E_DATA, NEEDLES("unexpected data after the end of the JSON document"));
}

static void bad_native_lines(void **state)
{
    (void)state;
    bad_case("unknown.ndjson",
             S("{\"type\":\"contact\",\"id\":3,\"created_at\":\"2024-01-01\"}\n\n"
               "{\"type\":\"teleport\",\"id\":3}\n"),
             WF_E_DATA, NEEDLES(":3(byte 53): type: unknown record type \"teleport\""));
    bad_case("noanchor.ndjson", S("{\"type\":\"pageview\",\"at\":\"2024-01-01\",\"url\":\"x\"}\n"),
             WF_E_DATA, NEEDLES(":1(byte 0): token: missing"));
    bad_case("badline.ndjson",
             S("{\"type\":\"contact\",\"id\":3,\"created_at\":\"2024-01-01\"}\n{\"type\":\n"),
             WF_E_DATA, NEEDLES(":2(byte 59): type: malformed JSON"));
    /* the extension says NDJSON even when the first line is broken */
    bad_case("firstbad.ndjson", S("{\"type\":\"contact\",\"id\":\n{\"type\":\"merge\"}\n"),
             WF_E_DATA, NEEDLES(":1(byte 22): id: malformed JSON"));
}

static void bad_v1_nested_field(void **state)
{
    (void)state;
    bad_case("v1bad.json",
             S("{\"vid\":31,\"properties\":{\"createdate\":{\"value\":\"1704153600000\"}},"
               "\"form-submissions\":[{\"timestamp\":\"soon\"}]}"),
             WF_E_DATA,
             NEEDLES(":1(byte 0): form-submissions[0].timestamp: not a timestamp: \"soon\""));
}

static void bad_history_entry_paths(void **state)
{
    (void)state;
    bad_case("v3hist.json",
             S("[{\"id\":\"32\",\"properties\":{\"createdate\":\"2024-01-01\"},"
               "\"propertiesWithHistory\":{\"hs_analytics_source\":[{\"value\":\"OFFLINE\","
               "\"timestamp\":\"2024-01-01\"},{\"value\":\"X\",\"timestamp\":\"13/01/2024\"}]}}]"),
             WF_E_DATA,
             NEEDLES(":1(byte 1): propertiesWithHistory.hs_analytics_source[1].timestamp: not a "
                     "timestamp: \"13/01/2024\""));
    bad_case("v1vers.json",
             S("{\"vid\":33,\"properties\":{\"createdate\":{\"value\":\"1704153600000\"},"
               "\"firstname\":{\"value\":\"A\",\"versions\":[{\"value\":\"A\",\"timestamp\":"
               "1704153600000,\"source-type\":7}]}}}"),
             WF_E_DATA,
             NEEDLES(":1(byte 0): properties.firstname.versions[0].source-type: expected a string, "
                     "got a number"));
}

static void read_only_store_refused(void **state)
{
    (void)state;
    wf_store *s = fresh("ro");
    char path[1024], err[512];
    snprintf(path, sizeof path, "%s", wf_store_path(s));
    wf_store_close(&s);
    assert_int_equal(wf_store_open(path, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    assert_int_equal(imp1(s, fixture("v3_list.json"), NULL), WF_E_READONLY);
    assert_contains(last_err, "read-only");
    assert_int_equal(q1(s, "SELECT count(*) FROM contacts"), 0);
    done(&s);
}

/* ---- --skip-bad ---- */

static void skip_bad_imports_the_good(void **state)
{
    (void)state;
    wf_store *s = fresh("skip");
    const char *p = tmpfile_path("mixed.json");
    /* record 2 fails after its history was written: the savepoint undoes it */
    write_str(p, "{\"results\":["
                 "{\"id\":\"41\",\"properties\":{\"createdate\":\"2024-01-01\"}},"
                 "{\"id\":\"42\",\"propertiesWithHistory\":{\"email\":[{\"value\":\"a@b\","
                 "\"timestamp\":\"2024-01-01\"}]},\"properties\":{\"createdate\":\"never\"}},"
                 "{\"id\":\"43\",\"properties\":{\"createdate\":\"2024-01-02\"}},"
                 "{\"id\":\"44\",\"properties\":{\"createdate\":1e400}}"
                 "]}");
    char *log = NULL;
    size_t loglen = 0;
    FILE *errs = open_memstream(&log, &loglen);
    const char *files[] = {p};
    wf_import_report r;
    assert_int_equal(imp_opts(s, files, 1, NULL, 1, errs, &r), WF_E_SKIPPED);
    fclose(errs);
    assert_int_equal(wf_status_exit_code(WF_E_SKIPPED), 1);
    assert_int_equal(r.skipped, 2);
    assert_int_equal(r.contacts_added, 2);
    assert_int_equal(r.history, 0);
    assert_int_equal(q1(s, "SELECT group_concat(id) FROM contacts"), 41); /* "41,43" as int */
    assert_string_equal(qs(s, "SELECT group_concat(id) FROM contacts"), "41,43");
    assert_int_equal(q1(s, "SELECT count(*) FROM history"), 0);
    assert_contains(log, ":2(byte 65): properties.createdate: not a timestamp: \"never\"");
    assert_contains(log, ":4(byte ");
    assert_contains(log, "(skipped)");
    assert_int_equal(q1(s, "SELECT skipped FROM imports"), 2);
    free(log);
    unlink(p);
    done(&s);
}

static void skip_bad_clean_is_ok(void **state)
{
    (void)state;
    wf_store *s = fresh("skipok");
    const char *files[] = {fixture("v3_list.json")};
    wf_import_report r;
    assert_int_equal(imp_opts(s, files, 1, NULL, 1, NULL, &r), WF_OK);
    assert_int_equal(r.skipped, 0);
    assert_int_equal(r.contacts_added, 3);
    done(&s);
}

static void skip_bad_truncated_keeps_earlier(void **state)
{
    (void)state;
    wf_store *s = fresh("skiptr");
    const char *p = tmpfile_path("trunc2.json");
    write_str(p, "[{\"id\":\"51\",\"properties\":{\"createdate\":\"2024-01-01\"}},"
                 "{\"id\":\"52\",\"properties\":{\"createdate\":\"2024-");
    const char *files[] = {p};
    wf_import_report r;
    FILE *errs = tmpfile();
    assert_int_equal(imp_opts(s, files, 1, NULL, 1, errs, &r), WF_E_SKIPPED);
    fclose(errs);
    assert_int_equal(r.skipped, 1);
    assert_string_equal(qs(s, "SELECT group_concat(id) FROM contacts"), "51");
    unlink(p);
    done(&s);
}

static void skip_bad_unusable_file(void **state)
{
    (void)state;
    wf_store *s = fresh("skipfile");
    const char *empty = tmpfile_path("empty2.json");
    write_str(empty, "  \n");
    const char *files[] = {empty, fixture("ua_both.json"), tmpdir()};
    char *log = NULL;
    size_t loglen = 0;
    FILE *errs = open_memstream(&log, &loglen);
    wf_import_report r;
    assert_int_equal(imp_opts(s, files, 3, NULL, 1, errs, &r), WF_E_SKIPPED);
    fclose(errs);
    assert_int_equal(r.skipped, 2);
    assert_int_equal(r.pageviews, 2);
    assert_contains(log, "empty2.json:0(byte 3): -: the file is empty (skipped)");
    assert_contains(log, "is a directory, not a file (skipped)");
    free(log);
    unlink(empty);
    done(&s);
}

static void events_without_ids_deduplicate(void **state)
{
    (void)state;
    wf_store *s = fresh("noids");
    const char *p = tmpfile_path("noids.json");
    write_str(p, "[{\"objectId\":71,\"eventType\":\"e_visited_page\",\"occurredAt\":"
                 "\"2024-02-01T00:00:00Z\",\"properties\":{\"hs_url\":\"https://a.example/\"}},"
                 "{\"objectId\":71,\"eventType\":\"e_visited_page\",\"occurredAt\":"
                 "\"2024-02-01T00:00:00Z\",\"properties\":{\"hs_url\":\"https://a.example/x\"}}]");
    wf_import_report r;
    assert_int_equal(imp1(s, p, &r), WF_OK);
    assert_int_equal(r.pageviews, 2);
    assert_int_equal(imp1(s, p, &r), WF_OK);
    assert_int_equal(r.pageviews, 0);
    assert_int_equal(q1(s, "SELECT count(*) FROM pageviews WHERE contact=71 AND ext_id IS NULL"),
                     2);
    unlink(p);
    done(&s);
}

/* ---- scanner ---- */

static void scanner_helpers(void **state)
{
    (void)state;
    const char *j = "{\"a\":1,\"bee\":{\"c\":\"x:y\",\"d\":[1,";
    char f[64];
    wf_scan_field_at(j, strlen(j), strlen(j), f, sizeof f);
    assert_string_equal(f, "d");
    wf_scan_field_at(j, strlen(j), 12, f, sizeof f);
    assert_string_equal(f, "bee");
    assert_int_equal(wf_utf8_check("ok \xc3\xa9", 5), -1);
    assert_int_equal(wf_utf8_check("ab\xc0\xaf", 4), 2);
    assert_int_equal(wf_utf8_check("\xed\xa0\x80", 3), 0); /* a surrogate */
    assert_true(wf_scan_looks_ndjson(fixture("native.ndjson")));
    assert_false(wf_scan_looks_ndjson(fixture("v3_list.json")));
    assert_false(wf_scan_looks_ndjson(fixture("story_events.json")));
}

static void scanner_splits_with_offsets(void **state)
{
    (void)state;
    const char *p = tmpfile_path("split.json");
    const char *text = "{\"paging\":{\"next\":{\"after\":\"]}\\\"\"}},\"results\":[ {\"a\":\"[{\"},"
                       "\n{\"b\":[1,{\"c\":2}]} ],\"status\":\"COMPLETE\"}";
    write_str(p, text);
    wf_scan *sc;
    wf_scan_err e;
    assert_int_equal(wf_scan_open(p, WF_SCAN_JSON, &sc, &e), WF_OK);
    wf_scan_rec r;
    assert_int_equal(wf_scan_next(sc, &r, &e), WF_OK);
    assert_non_null(r.json);
    assert_int_equal(r.recno, 1);
    assert_int_equal(r.offset, strstr(text, "{\"a\"") - text);
    assert_int_equal(r.len, strlen("{\"a\":\"[{\"}"));
    assert_memory_equal(r.json, "{\"a\":\"[{\"}", r.len);
    assert_int_equal(wf_scan_wrapping(sc), WF_WRAP_RESULTS);
    assert_int_equal(wf_scan_next(sc, &r, &e), WF_OK);
    assert_int_equal(r.recno, 2);
    assert_memory_equal(r.json, "{\"b\":[1,{\"c\":2}]}", r.len);
    assert_int_equal(wf_scan_next(sc, &r, &e), WF_OK);
    assert_null(r.json);
    wf_scan_free(&sc);
    unlink(p);
}

static void demo_data_imports(void **state)
{
    (void)state;
    const char *dir = getenv("WHEREFROM_DATADIR");
    char path[1024];
    snprintf(path, sizeof path, "%s/demo.ndjson", dir ? dir : "data");
    if (access(path, R_OK) != 0) skip(); /* written by another issue */
    wf_store *s = fresh("demo");
    wf_import_report r;
    wf_status st = imp1(s, path, &r);
    if (st != WF_OK) fail_msg("%s", last_err);
    assert_true(r.contacts_added > 0);
    assert_int_equal(r.skipped, 0);
    assert_int_equal(q1(s, "SELECT count(*) FROM contacts"), r.contacts_added);
    done(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(v3_list_three_channels),
        cmocka_unit_test(v1_profile_everything),
        cmocka_unit_test(events_pending_then_attached),
        cmocka_unit_test(both_user_agent_spellings),
        cmocka_unit_test(native_every_line_type),
        cmocka_unit_test(single_batch_and_bare_shapes),
        cmocka_unit_test(format_override),
        cmocka_unit_test(reimport_is_idempotent),
        cmocka_unit_test(any_order_same_database),
        cmocka_unit_test(newer_export_updates_older_does_not),
        cmocka_unit_test(bad_malformed_json),
        cmocka_unit_test(bad_wrong_type),
        cmocka_unit_test(bad_missing_id),
        cmocka_unit_test(bad_invalid_utf8),
        cmocka_unit_test(bad_absurd_timestamp),
        cmocka_unit_test(bad_not_a_timestamp),
        cmocka_unit_test(bad_too_deep),
        cmocka_unit_test(bad_huge_string),
        cmocka_unit_test(bad_truncated),
        cmocka_unit_test(bad_empty_file),
        cmocka_unit_test(bad_directory),
        cmocka_unit_test(bad_missing_file),
        cmocka_unit_test(bad_unrecognised),
        cmocka_unit_test(bad_garbage_after),
        cmocka_unit_test(bad_native_lines),
        cmocka_unit_test(bad_v1_nested_field),
        cmocka_unit_test(bad_history_entry_paths),
        cmocka_unit_test(read_only_store_refused),
        cmocka_unit_test(skip_bad_imports_the_good),
        cmocka_unit_test(skip_bad_clean_is_ok),
        cmocka_unit_test(skip_bad_truncated_keeps_earlier),
        cmocka_unit_test(skip_bad_unusable_file),
        cmocka_unit_test(events_without_ids_deduplicate),
        cmocka_unit_test(scanner_helpers),
        cmocka_unit_test(scanner_splits_with_offsets),
        cmocka_unit_test(demo_data_imports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
