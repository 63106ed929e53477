/* Imported fixtures explained by the engine, and `wherefrom import` as a
 * user runs it (exit codes, messages, summary, the computed cache). */
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "attrib/engine.h"
#include "attrib/explain.h"
#include "import/import.h"
#include "store/store.h"

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

static char *dbpath(const char *tag)
{
    static char b[1024];
    snprintf(b, sizeof b, "%s/impe2e-%ld-%s.db", tmpdir(), (long)getpid(), tag);
    return b;
}

static void remove_db(const char *path)
{
    char aux[1100];
    unlink(path);
    snprintf(aux, sizeof aux, "%s-wal", path);
    unlink(aux);
    snprintf(aux, sizeof aux, "%s-shm", path);
    unlink(aux);
}

/* A store holding the given fixtures. */
static wf_store *with(const char *tag, const char **files, size_t n)
{
    const char *path = dbpath(tag);
    remove_db(path);
    wf_store *s = NULL;
    char err[1024];
    assert_int_equal(wf_store_open(path, WF_STORE_CREATE, &s, err, sizeof err), WF_OK);
    const char *paths[8];
    for (size_t i = 0; i < n; i++)
        paths[i] = fixture(files[i]);
    wf_import_report r;
    wf_status st = wf_import_files(s, paths, n, NULL, &r, err, sizeof err);
    if (st != WF_OK) fail_msg("%s", err);
    return s;
}

static void drop(wf_store **s)
{
    char path[1024];
    snprintf(path, sizeof path, "%s", wf_store_path(*s));
    wf_store_close(s);
    remove_db(path);
}

typedef struct {
    wf_engine *e;
} fx;

static int setup(void **state)
{
    static fx f;
    char err[512];
    if (wf_engine_new(NULL, &f.e, err, sizeof err) != WF_OK) {
        fprintf(stderr, "engine: %s\n", err);
        return -1;
    }
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    wf_engine_free(&f->e);
    return 0;
}

/* Explains contact id and checks the computed value. */
static wf_explanation *explain(void **state, wf_store *s, int64_t id, wf_facts **facts)
{
    fx *f = *state;
    assert_int_equal(wf_store_load_facts(s, id, facts), WF_OK);
    wf_explanation *x = NULL;
    assert_int_equal(wf_explain(f->e, *facts, &x), WF_OK);
    return x;
}

static void assert_value(const wf_value *v, const char *src, const char *dd1, const char *dd2)
{
    assert_non_null(v->source);
    assert_string_equal(v->source, src);
    assert_string_equal(v->dd1 ? v->dd1 : "", dd1);
    assert_string_equal(v->dd2 ? v->dd2 : "", dd2);
}

static void canonical_story(void **state)
{
    const char *files[] = {"story_v1.json", "story_events.json"};
    wf_store *s = with("story", files, 2);
    wf_facts *f;
    wf_explanation *x = explain(state, s, 5001, &f);
    assert_string_equal(x->creation.channel, "IMPORT");
    assert_string_equal(x->creation.detail, "9876");
    assert_value(&x->computed.value, "ORGANIC_SEARCH", "Unknown keywords (SSL)", "google");
    /* OFFLINE at creation, then the earlier visit found when the form
     * (18 Sep, 10:00:00) linked the visitor */
    assert_int_equal(x->n_changes, 2);
    assert_string_equal(x->changes[0].to.source, "OFFLINE");
    assert_int_equal(x->changes[1].cause, WF_CAUSE_EARLIER_VISIT);
    assert_string_equal(x->changes[1].from.source, "OFFLINE");
    assert_true(x->changes[1].at >= 1726653600000LL && x->changes[1].at < 1726653601000LL);
    assert_int_equal(f->n_forms, 1);
    assert_string_equal(f->forms[0].token, "t1");
    assert_true(x->changes[1].at - f->forms[0].at < 1000);
    /* the deciding interaction is the 12 Mar Google visit */
    assert_int_equal(x->computed.deciding.at, 1710237600000LL);
    wf_explanation_free(&x);
    wf_facts_free(&f);
    drop(&s);
}

static void v3_creation_channels(void **state)
{
    const char *files[] = {"v3_list.json"};
    wf_store *s = with("v3ch", files, 1);
    wf_facts *f;
    wf_explanation *x = explain(state, s, 101, &f);
    assert_value(&x->computed.value, "OFFLINE", "IMPORT", "9876");
    assert_true(x->creation.offline);
    wf_explanation_free(&x);
    wf_facts_free(&f);
    x = explain(state, s, 102, &f);
    assert_value(&x->computed.value, "OFFLINE", "INTEGRATION", "12345");
    assert_string_equal(x->creation.channel, "INTEGRATION");
    wf_explanation_free(&x);
    wf_facts_free(&f);
    /* created by a form, but the export links no visitor token: C09 */
    x = explain(state, s, 103, &f);
    assert_value(&x->computed.value, "OFFLINE", "FORM", "3f1c9a52-0d1e-4a57-9b7e-5a2f0c1d2e3f");
    assert_true(x->has_stored);
    assert_value(&x->stored, "ORGANIC_SEARCH", "Unknown keywords (SSL)", "google");
    wf_explanation_free(&x);
    wf_facts_free(&f);
    drop(&s);
}

static void v3_with_precreation_events(void **state)
{
    /* events first, contacts second: the 12 Mar Google visit attached by
     * the export makes the imported contact ORGANIC_SEARCH */
    const char *files[] = {"events_page.json", "v3_list.json"};
    wf_store *s = with("v3ev", files, 2);
    wf_facts *f;
    wf_explanation *x = explain(state, s, 101, &f);
    assert_int_equal(f->n_pageviews, 2);
    assert_value(&x->computed.value, "ORGANIC_SEARCH", "Unknown keywords (SSL)", "google");
    assert_int_equal(x->first_session_at, 1710237600000LL);
    wf_explanation_free(&x);
    wf_facts_free(&f);
    drop(&s);
}

static void v1_profile_explained(void **state)
{
    const char *files[] = {"v1_profile.json"};
    wf_store *s = with("v1x", files, 1);
    wf_facts *f;
    wf_explanation *x = explain(state, s, 201, &f);
    assert_string_equal(x->creation.channel, "IMPORT");
    assert_value(&x->computed.value, "OFFLINE", "IMPORT", "5555");
    assert_int_equal(f->n_links, 1);
    assert_int_equal(f->n_merges, 1);
    assert_int_equal(f->merges[0].merged_id, 202);
    /* HubSpot's stored history says an earlier visit was found */
    assert_true(x->n_recon >= 2);
    wf_explanation_free(&x);
    wf_facts_free(&f);
    drop(&s);
}

/* ---- the command ---- */

static int run(const char *args, char *out, size_t outsz, char *errout, size_t errsz)
{
    const char *bin = getenv("WHEREFROM_BIN");
    if (!bin || access(bin, X_OK) != 0) skip();
    char o[1024], e[1024], cmd[8192];
    snprintf(o, sizeof o, "%s/impe2e-%ld.out", tmpdir(), (long)getpid());
    snprintf(e, sizeof e, "%s/impe2e-%ld.err", tmpdir(), (long)getpid());
    snprintf(cmd, sizeof cmd, "%s %s >%s 2>%s </dev/null", bin, args, o, e);
    int rc = system(cmd);
    const char *names[2] = {o, e};
    char *bufs[2] = {out, errout};
    size_t sizes[2] = {outsz, errsz};
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(names[i], "rb");
        size_t n = f ? fread(bufs[i], 1, sizes[i] - 1, f) : 0;
        bufs[i][n] = 0;
        if (f) fclose(f);
        unlink(names[i]);
    }
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int64_t count(const char *db, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(h, sql, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

static void cli_imports_and_recomputes(void **state)
{
    (void)state;
    char out[4096], err[4096], args[4096];
    const char *db = dbpath("cli");
    remove_db(db);
    snprintf(args, sizeof args, "import --db %s %s %s", db, fixture("story_events.json"),
             fixture("story_v1.json"));
    assert_int_equal(run(args, out, sizeof out, err, sizeof err), 0);
    assert_non_null(strstr(out, "contacts 1 added, 0 updated"));
    assert_non_null(strstr(out, "1 page views"));
    assert_non_null(strstr(out, "0 skipped"));
    /* the computed cache was refreshed for the imported contact */
    assert_int_equal(count(db, "SELECT count(*) FROM computed WHERE contact=5001 AND"
                               " source='ORGANIC_SEARCH'"),
                     1);
    remove_db(db);
}

static void cli_bad_input_exit_codes(void **state)
{
    (void)state;
    char out[4096], err[4096], args[4096];
    const char *db = dbpath("clibad");
    remove_db(db);
    snprintf(args, sizeof args, "import --db %s %s", db, fixture("v3_list.json"));
    assert_int_equal(run(args, out, sizeof out, err, sizeof err), 0);
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/impe2e-%ld-bad.json", tmpdir(), (long)getpid());
    FILE *f = fopen(bad, "w");
    fputs("[{\"id\":\"61\",\"properties\":{\"createdate\":\"2024-01-01\"}},{\"id\":[]}]", f);
    fclose(f);
    snprintf(args, sizeof args, "import --db %s %s %s", db, fixture("native.ndjson"), bad);
    assert_int_equal(run(args, out, sizeof out, err, sizeof err), 65);
    assert_non_null(
        strstr(err, ":2(byte 54): id: expected an id (number or string), got an array"));
    assert_non_null(strstr(err, "nothing was imported"));
    assert_int_equal(count(db, "SELECT count(*) FROM contacts"), 3);
    /* --skip-bad: the good ones go in, exit 1 */
    snprintf(args, sizeof args, "import --db %s --skip-bad %s", db, bad);
    assert_int_equal(run(args, out, sizeof out, err, sizeof err), 1);
    assert_non_null(strstr(err, ":2(byte 54): id:"));
    assert_non_null(strstr(out, "1 skipped"));
    assert_int_equal(count(db, "SELECT count(*) FROM contacts"), 4);
    /* a missing file: 66 */
    snprintf(args, sizeof args, "import --db %s %s/no-such-file.json", db, tmpdir());
    assert_int_equal(run(args, out, sizeof out, err, sizeof err), 66);
    assert_non_null(strstr(err, "no-such-file.json:0(byte 0): -: cannot open"));
    /* ... and a database that does not exist yet is not created for nothing */
    char fresh_db[1100];
    snprintf(fresh_db, sizeof fresh_db, "%s.new", db);
    snprintf(args, sizeof args, "import --db %s %s/no-such-file.json", fresh_db, tmpdir());
    assert_int_equal(run(args, out, sizeof out, err, sizeof err), 66);
    assert_int_equal(access(fresh_db, F_OK), -1);
    /* usage */
    snprintf(args, sizeof args, "import --db %s", db);
    assert_int_equal(run(args, out, sizeof out, err, sizeof err), 2);
    snprintf(args, sizeof args, "import --db %s --format xml %s", db, bad);
    assert_int_equal(run(args, out, sizeof out, err, sizeof err), 2);
    assert_non_null(strstr(err, "unknown format 'xml'"));
    unlink(bad);
    remove_db(db);
}

/* Imported with stderr on a terminal, a file shows the progress line (after
 * 1 ms instead of a second here); the summary still ends the output. */
static void cli_progress_on_a_terminal(void **state)
{
    (void)state;
    const char *bin = getenv("WHEREFROM_BIN");
    if (!bin || access(bin, X_OK) != 0) skip();
    char big[1024];
    snprintf(big, sizeof big, "%s/impe2e-%ld-big.ndjson", tmpdir(), (long)getpid());
    FILE *f = fopen(big, "w");
    assert_non_null(f);
    for (long i = 0; i < 100000; i++)
        fprintf(f,
                "{\"type\":\"pageview\",\"token\":\"tok%ld\",\"at\":%lld,"
                "\"url\":\"https://www.example.com/page/%ld\",\"referrer\":null}\n",
                i % 5000, 1700000000000LL + i * 1000, i);
    fclose(f);
    const char *db = dbpath("progress");
    remove_db(db);
    int master;
    pid_t pid = forkpty(&master, NULL, NULL, NULL);
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("WHEREFROM_PROGRESS_DELAY_MS", "1", 1);
        execl(bin, bin, "import", "--db", db, big, (char *)NULL);
        _exit(127);
    }
    static char out[1 << 16];
    size_t n = 0;
    for (;;) {
        struct pollfd p = {master, POLLIN, 0};
        if (poll(&p, 1, 120000) <= 0) break;
        ssize_t k = read(master, out + n, sizeof out - 1 - n);
        if (k <= 0) break;
        n += (size_t)k;
    }
    out[n] = 0;
    int status;
    waitpid(pid, &status, 0);
    close(master);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!strstr(out, "MB/s")) fail_msg("no progress line in: %s", out);
    assert_non_null(strstr(out, " records "));
    assert_non_null(strstr(out, "ETA "));
    assert_non_null(strstr(out, "100000 page views"));
    unlink(big);
    remove_db(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(canonical_story),
        cmocka_unit_test(v3_creation_channels),
        cmocka_unit_test(v3_with_precreation_events),
        cmocka_unit_test(v1_profile_explained),
        cmocka_unit_test(cli_imports_and_recomputes),
        cmocka_unit_test(cli_bad_input_exit_codes),
        cmocka_unit_test(cli_progress_on_a_terminal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
