/* Database faults, each against the real binary ($WHEREFROM_BIN): a writer
 * holding the lock during an override, a full disk during an import, kill -9
 * of an import at random moments, corrupted pages, and a crafted database
 * whose triggers and views are named like ours. Nothing may crash, every
 * failure must say what happened, and the database must stay consistent:
 * an import is all or nothing, an override is recorded or clearly refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "test_hostile_util.h"

typedef struct {
    char dir[512];
    char base[600]; /* the demo data, imported once */
    char db[600];   /* the copy each test works on */
} fx;

static char g_demo[1024];

static const char *demo_path(void)
{
    const char *src = getenv("WHEREFROM_SRCDIR");
    snprintf(g_demo, sizeof g_demo, "%s/data/demo.ndjson", src && *src ? src : ".");
    return g_demo;
}

static int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (!f) return -1;
    hz_mkdtemp(f->dir, sizeof f->dir, "faults");
    snprintf(f->base, sizeof f->base, "%s/base.db", f->dir);
    snprintf(f->db, sizeof f->db, "%s/t.db", f->dir);
    hz_result r;
    hz_run(&r, "import", "-q", "--db", f->base, demo_path(), NULL);
    int ok = r.status == 0;
    if (!ok) fprintf(stderr, "setup import failed (%d): %s\n", r.status, r.err);
    hz_result_free(&r);
    if (!ok || hz_copy_file(f->base, f->db) != 0) return -1;
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

static long long count(const char *db, const char *table)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return hz_sql_int(db, sql);
}

/* ---- a writer holding the lock ---------------------------------------------------- */

/* Forks a process that holds a write transaction on db for hold_ms, then
 * commits and exits; returns once the lock is taken. */
static pid_t hold_write_lock(const char *db, int hold_ms)
{
    int p[2];
    if (pipe(p)) abort();
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        sqlite3 *d = NULL;
        if (sqlite3_open(db, &d) != SQLITE_OK) _exit(1);
        if (sqlite3_exec(d, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) _exit(2);
        if (write(p[1], "L", 1) != 1) _exit(3);
        usleep((useconds_t)hold_ms * 1000);
        sqlite3_exec(d, "COMMIT", NULL, NULL, NULL);
        sqlite3_close(d);
        _exit(0);
    }
    close(p[1]);
    char c = 0;
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    return pid;
}

static void override_waits_for_a_short_lock(void **state)
{
    fx *f = *state;
    long long before = count(f->db, "overrides");
    assert_true(before >= 0);
    pid_t holder = hold_write_lock(f->db, 800);
    double t0 = hz_now_ms();
    hz_result r;
    hz_run(&r, "override", "--db", f->db, "5001", "--source", "DIRECT_TRAFFIC", "--reason",
           "fault test: lock released after 0.8 s", NULL);
    double took = hz_now_ms() - t0;
    waitpid(holder, NULL, 0);
    assert_false(r.signaled);
    assert_int_equal(r.status, 0);
    assert_true(took >= 700); /* it really waited for the lock */
    assert_int_equal(count(f->db, "overrides"), before + 1);
    hz_result_free(&r);
}

static void override_refused_when_lock_is_held_too_long(void **state)
{
    fx *f = *state;
    long long before = count(f->db, "overrides");
    pid_t holder = hold_write_lock(f->db, 30000);
    double t0 = hz_now_ms();
    hz_result r;
    hz_run(&r, "override", "--db", f->db, "5001", "--source", "DIRECT_TRAFFIC", "--reason",
           "fault test: lock held", NULL);
    double took = hz_now_ms() - t0;
    kill(holder, SIGKILL);
    waitpid(holder, NULL, 0);
    assert_false(r.signaled);
    assert_int_equal(r.status, 75); /* EX_TEMPFAIL: database busy */
    assert_non_null(strstr(r.err, "busy"));
    assert_true(took < 15000); /* bounded wait */
    assert_int_equal(count(f->db, "overrides"), before);
    hz_result_free(&r);
    /* nothing is lost: once the lock is gone the same override goes in */
    hz_run(&r, "override", "--db", f->db, "5001", "--source", "DIRECT_TRAFFIC", "--reason",
           "fault test: retry", NULL);
    assert_int_equal(r.status, 0);
    assert_int_equal(count(f->db, "overrides"), before + 1);
    assert_string_equal(hz_integrity(f->db), "ok");
    hz_result_free(&r);
}

/* ---- imports that are cut short -------------------------------------------------- */

/* An NDJSON log of n new contacts (ids from first), each with page views
 * and a history entry. */
static void write_big_import(const char *path, int first, int n)
{
    FILE *o = fopen(path, "w");
    assert_non_null(o);
    for (int i = 0; i < n; i++) {
        int id = first + i;
        fprintf(o,
                "{\"type\":\"contact\",\"id\":%d,\"email\":\"bulk%d@example.org\","
                "\"firstname\":\"Bulk\",\"lastname\":\"No "
                "%d\",\"created_at\":\"2024-05-01T10:%02d:00Z\","
                "\"channel\":\"FORM\"}\n",
                id, id, id, i % 60);
        for (int k = 0; k < 3; k++)
            fprintf(o,
                    "{\"type\":\"pageview\",\"token\":\"bulk-%d\",\"contact\":%d,"
                    "\"at\":\"2024-05-01T09:%02d:%02dZ\",\"url\":\"https://www.example.com/"
                    "p%d?utm_source=news&utm_medium=email\","
                    "\"referrer\":\"https://www.google.com/\",\"title\":\"Page %d\"}\n",
                    id, id, k * 10, i % 60, k, k);
        fprintf(o,
                "{\"type\":\"history\",\"contact\":%d,\"property\":\"hs_analytics_source\","
                "\"value\":\"EMAIL_MARKETING\",\"at\":\"2024-05-01T10:%02d:06Z\",\"source_type\":"
                "\"ANALYTICS\","
                "\"source_id\":\"w\"}\n",
                id, i % 60);
    }
    assert_int_equal(fclose(o), 0);
}

static void disk_full_during_import(void **state)
{
    fx *f = *state;
    char big[700];
    snprintf(big, sizeof big, "%s/big.ndjson", f->dir);
    write_big_import(big, 700000, 4000);
    long long contacts = count(f->db, "contacts"), pvs = count(f->db, "pageviews");
    struct stat sb;
    assert_int_equal(stat(f->db, &sb), 0);

    /* The child may grow no file beyond the database's size plus 64 KiB:
     * the write-ahead log fills up long before the import ends. */
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)sb.st_size + 65536;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN); /* write() fails with EFBIG instead */
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    const char *argv[] = {hz_bin(), "import", "--db", f->db, big, NULL};
    hz_result r;
    hz_runv(argv, NULL, 60000, NULL, &r);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);

    assert_false(r.signaled);
    assert_int_not_equal(r.status, 0);
    /* the message says what happened and that nothing was imported */
    assert_true(strstr(r.err, "full") || strstr(r.err, "I/O") || strstr(r.err, "disk"));
    assert_non_null(strstr(r.err, "nothing was imported"));
    assert_string_equal(hz_integrity(f->db), "ok");
    assert_int_equal(count(f->db, "contacts"), contacts);
    assert_int_equal(count(f->db, "pageviews"), pvs);
    hz_result_free(&r);
}

static pid_t spawn_quiet(const char *const *argv)
{
    pid_t pid = fork();
    if (pid == 0) {
        int dn = open("/dev/null", O_RDWR);
        dup2(dn, 0), dup2(dn, 1), dup2(dn, 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    return pid;
}

static void kill9_import_is_all_or_nothing(void **state)
{
    fx *f = *state;
    const int trials = hz_under_valgrind() ? 4 : 20;
    const int n_new = 600;
    char big[700], full[700];
    snprintf(big, sizeof big, "%s/kill.ndjson", f->dir);
    snprintf(full, sizeof full, "%s/full.db", f->dir);
    write_big_import(big, 800000, n_new);
    long long base_c = count(f->base, "contacts"), base_pv = count(f->base, "pageviews");

    /* One complete import gives "all" and the time it takes. */
    assert_int_equal(hz_copy_file(f->base, full), 0);
    const char *argv_full[] = {hz_bin(), "import", "-q", "--db", full, big, NULL};
    double t0 = hz_now_ms();
    pid_t p = spawn_quiet(argv_full);
    int st;
    waitpid(p, &st, 0);
    double t_full = hz_now_ms() - t0;
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    long long all_c = count(full, "contacts"), all_pv = count(full, "pageviews");
    assert_int_equal(all_c, base_c + n_new);

    srand(20261126);
    int none = 0, all = 0;
    for (int i = 0; i < trials; i++) {
        assert_int_equal(hz_copy_file(f->base, f->db), 0);
        char wal[700];
        snprintf(wal, sizeof wal, "%s-wal", f->db);
        unlink(wal);
        const char *argv[] = {hz_bin(), "import", "-q", "--db", f->db, big, NULL};
        /* the commit comes well before the end (the cache refresh follows) */
        int delay_ms = (int)(rand() % (int)(t_full * 0.8 + 1));
        pid_t pid = spawn_quiet(argv);
        usleep((useconds_t)delay_ms * 1000);
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        const char *integ = hz_integrity(f->db);
        if (strcmp(integ, "ok") != 0) fail_msg("trial %d (kill at %d ms): %s", i, delay_ms, integ);
        long long c = count(f->db, "contacts"), pv = count(f->db, "pageviews");
        if (c == base_c && pv == base_pv)
            none++;
        else if (c == all_c && pv == all_pv)
            all++;
        else
            fail_msg("trial %d (kill at %d ms): %lld contacts, %lld page views: a partial import",
                     i, delay_ms, c, pv);
    }
    printf("# kill -9: %d trials over %.0f ms: %d none, %d all\n", trials, t_full, none, all);
}

/* ---- the file changes under an open inspector ----------------------------------------- */

typedef struct {
    pid_t pid;
    int script; /* write end of the FIFO the inspector reads its script from */
    char out[700], err[700];
} live;

/* Starts the headless inspector on db reading commands from a FIFO, and
 * waits until it has run `first` (which must end with a dump-screen). */
static void live_start(fx *f, live *l, const char *first)
{
    char fifo[700];
    snprintf(fifo, sizeof fifo, "%s/script", f->dir);
    snprintf(l->out, sizeof l->out, "%s/out.txt", f->dir);
    snprintf(l->err, sizeof l->err, "%s/err.txt", f->dir);
    unlink(fifo);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    l->pid = fork();
    if (l->pid == 0) {
        int o = open(l->out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(l->err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1), dup2(e, 2);
        execl(hz_bin(), hz_bin(), "--db", f->db, "--script", fifo, (char *)NULL);
        _exit(127);
    }
    l->script = open(fifo, O_WRONLY);
    assert_true(l->script >= 0);
    assert_int_equal(write(l->script, first, strlen(first)), (ssize_t)strlen(first));
    struct stat sb;
    double end = hz_now_ms() + 10000;
    while ((stat(l->out, &sb) != 0 || sb.st_size == 0) && hz_now_ms() < end)
        usleep(20000);
    assert_true(sb.st_size > 0);
}

/* Sends the rest of the script, waits for the end; returns the exit status
 * and stderr (caller frees). */
static int live_finish(live *l, const char *rest, char **err)
{
    assert_int_equal(write(l->script, rest, strlen(rest)), (ssize_t)strlen(rest));
    close(l->script);
    int st;
    waitpid(l->pid, &st, 0);
    if (WIFSIGNALED(st)) fail_msg("the inspector was killed by signal %d", WTERMSIG(st));
    FILE *e = fopen(l->err, "r");
    *err = calloc(1, 8192);
    size_t n = e ? fread(*err, 1, 8191, e) : 0;
    (*err)[n] = 0;
    if (e) fclose(e);
    assert_int_equal(hz_find_raw_control(*err, n), -1);
    return WEXITSTATUS(st);
}

static void remove_db(const char *db)
{
    char p[700];
    unlink(db);
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
}

static const char *override_keys =
    "override\nkeys <Space><Tab><Tab><Tab>fault test<Enter>\ndump-screen\n";

/* Deleted: reads go on from the open file; an override is refused with a
 * clear message instead of going to the deleted file. */
static void database_deleted_while_inspector_open(void **state)
{
    fx *f = *state;
    live l;
    live_start(f, &l, "open 5001\ndump-screen\n");
    remove_db(f->db);
    char rest[512];
    snprintf(rest, sizeof rest, "reload\nopen 5002\ntab timeline\ndump-screen\n%squit\n",
             override_keys);
    char *err;
    int rc = live_finish(&l, rest, &err);
    assert_int_equal(rc, 1); /* the override failed, and said so */
    assert_non_null(strstr(err, "deleted or replaced"));
    assert_null(strstr(err, "override saved"));
    free(err);
}

/* Replaced by another wherefrom database (an older copy, say): the
 * override must not land in either file unnoticed. */
static void database_replaced_while_inspector_open(void **state)
{
    fx *f = *state;
    char other[700];
    snprintf(other, sizeof other, "%s/other.db", f->dir);
    assert_int_equal(hz_copy_file(f->base, other), 0);
    live l;
    live_start(f, &l, "open 5001\ndump-screen\n");
    long long before = count(other, "overrides");
    assert_int_equal(rename(other, f->db), 0);
    char *err;
    char rest[512];
    snprintf(rest, sizeof rest, "reload\n%squit\n", override_keys);
    int rc = live_finish(&l, rest, &err);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "deleted or replaced"));
    assert_int_equal(count(f->db, "overrides"), before);
    free(err);
}

/* Replaced by garbage: nothing crashes. */
static void database_replaced_by_junk_while_inspector_open(void **state)
{
    fx *f = *state;
    live l;
    live_start(f, &l, "open 5001\ndump-screen\n");
    char junk[700];
    snprintf(junk, sizeof junk, "%s/junk", f->dir);
    char bytes[8192];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (char)(i * 7);
    assert_int_equal(hz_write_file(junk, bytes, sizeof bytes), 0);
    assert_int_equal(rename(junk, f->db), 0);
    char *err;
    char rest[512];
    snprintf(rest, sizeof rest, "reload\nopen 5002\ndump-screen\n%squit\n", override_keys);
    int rc = live_finish(&l, rest, &err);
    assert_true(rc == 0 || rc == 1);
    free(err);
}

/* --db naming something that is not a database file: a FIFO (which would
 * block an open forever), a device, a directory, a symbolic link. */
static void odd_database_paths(void **state)
{
    fx *f = *state;
    char fifo[700], link[700];
    snprintf(fifo, sizeof fifo, "%s/fifo.db", f->dir);
    snprintf(link, sizeof link, "%s/link.db", f->dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(symlink(f->db, link), 0);
    const char *paths[] = {fifo, "/dev/null", "/dev/zero", f->dir, link};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        const char *argv[] = {hz_bin(), "explain", "--db", paths[i], "5001", NULL};
        hz_result r;
        double t0 = hz_now_ms();
        hz_runv(argv, NULL, 10000, NULL, &r);
        if (r.signaled)
            fail_msg("--db %s: killed (signal %d), after %.0f ms", paths[i], r.status - 128,
                     hz_now_ms() - t0);
        assert_int_equal(r.status, 66);
        assert_non_null(strstr(r.err, paths[i]));
        hz_result_free(&r);
    }
    /* the file behind the link is untouched and still opens by its name */
    hz_result r;
    hz_run(&r, "explain", "--db", f->db, "5001", NULL);
    assert_int_equal(r.status, 0);
    hz_result_free(&r);
}

/* ---- damaged and crafted files ---------------------------------------------------- */

static void corrupt_pages(const char *db, int keep_header)
{
    FILE *o = fopen(db, "r+b");
    assert_non_null(o);
    fseek(o, 0, SEEK_END);
    long size = ftell(o);
    unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 131 + 7);
    for (long off = keep_header ? 4096 : 0; off < size; off += 4096) {
        fseek(o, off, SEEK_SET);
        fwrite(junk, 1, sizeof junk, o);
    }
    assert_int_equal(fclose(o), 0);
}

static void expect_clean_refusal(const char *db, const char *what)
{
    const char *cmds[][6] = {
        {"explain", "--db", db, "5001", NULL},
        {"explain", "--json", "--db", db, "5001", NULL},
        {"history", "--db", db, "5001", NULL},
        {"audit", "--db", db, NULL},
        {"override", "--db", db, "5001", "--source", NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *argv[12] = {hz_bin()};
        int n = 1;
        for (int k = 0; cmds[i][k]; k++)
            argv[n++] = cmds[i][k];
        if (i == 4) argv[n++] = "DIRECT_TRAFFIC", argv[n++] = "--reason", argv[n++] = "x";
        argv[n] = NULL;
        hz_result r;
        hz_runv(argv, NULL, 30000, NULL, &r);
        if (r.signaled) fail_msg("%s: %s crashed (signal %d)", what, cmds[i][0], r.status - 128);
        assert_int_not_equal(r.status, 0);
        /* one clear sentence naming the file */
        assert_non_null(strstr(r.err, db));
        assert_true(strstr(r.err, "corrupt") || strstr(r.err, "not a wherefrom database") ||
                    strstr(r.err, "malformed"));
        assert_int_equal(hz_find_raw_control(r.err, r.err_len), -1);
        hz_result_free(&r);
    }
}

static void corrupted_pages_give_a_clear_error(void **state)
{
    fx *f = *state;
    corrupt_pages(f->db, 1);
    expect_clean_refusal(f->db, "corrupted pages");
}

static void corrupted_header_gives_a_clear_error(void **state)
{
    fx *f = *state;
    corrupt_pages(f->db, 0);
    expect_clean_refusal(f->db, "corrupted header");
}

static void exec_sql(const char *db, const char *sql)
{
    sqlite3 *d = NULL;
    assert_int_equal(sqlite3_open(db, &d), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(d, sql, NULL, NULL, &msg) != SQLITE_OK) fail_msg("%s: %s", sql, msg);
    sqlite3_close(d);
}

/* Runs each command on db: none may crash, print `marker`, or succeed; each
 * names the file and says it was not created by wherefrom. */
static void expect_refused_code(const char *db, const char *marker)
{
    const char *cmds[][8] = {
        {"explain", "--db", db, "5001", NULL},
        {"audit", "--db", db, NULL},
        {"export", "--db", db, "--overrides", NULL},
        {"override", "--db", db, "5001", "--source", "DIRECT_TRAFFIC", "--reason", "x"},
        {"import", "-q", "--db", db, demo_path(), NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        const char *argv[12] = {hz_bin()};
        int n = 1;
        for (int k = 0; k < 8 && cmds[i][k]; k++)
            argv[n++] = cmds[i][k];
        argv[n] = NULL;
        hz_result r;
        hz_runv(argv, NULL, 30000, NULL, &r);
        if (r.signaled) fail_msg("%s crashed (signal %d)", cmds[i][0], r.status - 128);
        assert_null(strstr(r.out, marker));
        assert_null(strstr(r.err, marker));
        assert_int_not_equal(r.status, 0);
        assert_non_null(strstr(r.err, db));
        assert_non_null(strstr(r.err, "did not create"));
        hz_result_free(&r);
    }
}

/* Triggers on our own tables: one would erase the audit trail, the other
 * leaves evidence that it ran. */
static void crafted_trigger_is_not_executed(void **state)
{
    fx *f = *state;
    exec_sql(f->db, "CREATE TABLE evidence(x);"
                    "CREATE TRIGGER overrides_ai AFTER INSERT ON overrides BEGIN"
                    " INSERT INTO evidence VALUES('trigger ran'); END;"
                    "CREATE TRIGGER contacts_au AFTER UPDATE ON contacts BEGIN"
                    " INSERT INTO evidence VALUES('trigger ran'); END;");
    long long before = count(f->db, "overrides");
    expect_refused_code(f->db, "trigger ran");
    assert_int_equal(count(f->db, "evidence"), 0);
    assert_int_equal(count(f->db, "overrides"), before);
}

/* A trigger with OUR name but other code (ours raises; this one lets the
 * log be rewritten and leaves evidence). */
static void crafted_trigger_with_our_name_is_refused(void **state)
{
    fx *f = *state;
    exec_sql(f->db, "CREATE TABLE evidence(x);"
                    "DROP TRIGGER overrides_no_delete;"
                    "CREATE TRIGGER overrides_no_delete BEFORE DELETE ON overrides BEGIN"
                    " INSERT INTO evidence VALUES('trigger ran'); END;");
    expect_refused_code(f->db, "trigger ran");
    assert_int_equal(count(f->db, "evidence"), 0);
}

/* Our `computed` table replaced by a view showing forged values. */
static void crafted_view_is_not_executed(void **state)
{
    fx *f = *state;
    exec_sql(f->db, "ALTER TABLE computed RENAME TO computed_real;"
                    "CREATE VIEW computed AS SELECT contact, 'FORGED_BY_VIEW' AS source, *"
                    " FROM computed_real;");
    expect_refused_code(f->db, "FORGED_BY_VIEW");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(override_waits_for_a_short_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(override_refused_when_lock_is_held_too_long, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(disk_full_during_import, setup, teardown),
        cmocka_unit_test_setup_teardown(kill9_import_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(database_deleted_while_inspector_open, setup, teardown),
        cmocka_unit_test_setup_teardown(database_replaced_while_inspector_open, setup, teardown),
        cmocka_unit_test_setup_teardown(database_replaced_by_junk_while_inspector_open, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(odd_database_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupted_pages_give_a_clear_error, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupted_header_gives_a_clear_error, setup, teardown),
        cmocka_unit_test_setup_teardown(crafted_trigger_is_not_executed, setup, teardown),
        cmocka_unit_test_setup_teardown(crafted_trigger_with_our_name_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(crafted_view_is_not_executed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
