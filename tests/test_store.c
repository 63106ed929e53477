/* Foundation tests for src/store: creating, reopening and refusing
 * databases (each refusal leaves the file byte-identical), read-only use,
 * transactions, settings, contact lookup and loading one contact's facts. */
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "filesum.h"
#include <sqlite3.h>

#include "core/timeutil.h"
#include "store/schema.h"
#include "store/store.h"

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
    char dir[512];
    char db[600];
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    const char *base = getenv("TESTS_TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/store-XXXXXX", base && *base ? base : "/tmp");
    mkdir(base && *base ? base : "/tmp", 0700);
    if (!mkdtemp(fx->dir)) return -1;
    snprintf(fx->db, sizeof fx->db, "%s/t.db", fx->dir);
    *state = fx;
    return 0;
}

static void rm_in(const char *dir, const char *name)
{
    char p[700];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    unlink(p);
}

static int teardown(void **state)
{
    fixture *fx = *state;
    static const char *const names[] = {"t.db",     "t.db-wal", "t.db-shm", "t.db-journal",
                                        "other.db", "text.db",  "empty.db"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        rm_in(fx->dir, names[i]);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static void side_file(const char *db, const char *suffix, char *out, size_t n)
{
    snprintf(out, n, "%s%s", db, suffix);
}

static void assert_no_side_files(const char *db)
{
    char p[700];
    side_file(db, "-wal", p, sizeof p);
    assert_false(exists(p));
    side_file(db, "-journal", p, sizeof p);
    assert_false(exists(p));
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* Runs SQL on a file with plain SQLite, outside the store. */
static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) fail_msg("%s: %s", sql, msg ? msg : "?");
    sqlite3_free(msg);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static int query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

static wf_store *open_new(const fixture *fx)
{
    wf_store *s = NULL;
    char err[512] = "";
    wf_status st = wf_store_open(fx->db, WF_STORE_CREATE, &s, err, sizeof err);
    if (st != WF_OK) fail_msg("open %s: %s", fx->db, err);
    return s;
}

static void exec_ok(wf_store *s, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(wf_store_db(s), sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* Opening must fail with `want`, a message naming the file and containing
 * `words`, and leave the file exactly as it was. */
static void expect_refusal(const char *path, unsigned flags, wf_status want, const char *words)
{
    file_sum before = sum_file(path);
    wf_store *s = (wf_store *)1;
    char err[512] = "";
    assert_int_equal(wf_store_open(path, flags, &s, err, sizeof err), want);
    assert_null(s);
    assert_non_null(strstr(err, path));
    if (words && !strstr(err, words)) fail_msg("message \"%s\" lacks \"%s\"", err, words);
    assert_null(strchr(err, '\n')); /* one line */
    assert_same_file(path, before);
    assert_no_side_files(path);
}

/* ---- creating and reopening --------------------------------------------- */

static void create_sets_identity(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    sqlite3 *db = wf_store_db(s);
    assert_int_equal(query_int(db, "PRAGMA user_version"), WF_SCHEMA_VERSION);
    assert_int_equal(query_int(db, "PRAGMA user_version"), wf_schema_version());
    assert_int_equal(query_int(db, "PRAGMA application_id"), WF_APPLICATION_ID);
    assert_int_equal(query_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(query_int(db, "PRAGMA trusted_schema"), 0);
    assert_false(wf_store_is_readonly(s));
    assert_string_equal(wf_store_path(s), fx->db);
    wf_store_close(&s);
    assert_null(s);
}

static void connection_is_defensive(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    int on = -1;
    assert_int_equal(sqlite3_db_config(wf_store_db(s), SQLITE_DBCONFIG_DEFENSIVE, -1, &on),
                     SQLITE_OK);
    assert_int_equal(on, 1);
    /* defensive mode: the schema cannot be rewritten even with writable_schema */
    wf_store_exec(s, "PRAGMA writable_schema=ON");
    assert_int_not_equal(wf_store_exec(s, "UPDATE sqlite_schema SET sql='x' WHERE name='props'"),
                         WF_OK);
    wf_store_close(&s);
    /* the same holds for a read-only open */
    char err[256];
    assert_int_equal(wf_store_open(fx->db, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    on = -1;
    sqlite3_db_config(wf_store_db(s), SQLITE_DBCONFIG_DEFENSIVE, -1, &on);
    assert_int_equal(on, 1);
    assert_int_equal(query_int(wf_store_db(s), "PRAGMA trusted_schema"), 0);
    wf_store_close(&s);
}

static void create_uses_wal(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(s), "PRAGMA journal_mode", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    wf_store_close(&s);
}

static void create_has_schema_tables(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    static const char *const tables[] = {"settings", "contacts",  "props",        "pageviews",
                                         "tokens",   "forms",     "email_clicks", "history",
                                         "merges",   "overrides", "computed",     "imports"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM sqlite_schema WHERE type='table' AND name='%s'", tables[i]);
        assert_int_equal(query_int(wf_store_db(s), sql), 1);
    }
    assert_int_equal(wf_store_count_contacts(s), 0);
    wf_store_close(&s);
}

static void reopen_keeps_data(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    assert_int_equal(wf_store_setting_set(s, "k", "v1"), WF_OK);
    exec_ok(s, "INSERT INTO contacts(id, created_at) VALUES(7, 0)");
    wf_store_close(&s);
    char err[256];
    assert_int_equal(wf_store_open(fx->db, 0, &s, err, sizeof err), WF_OK);
    char *v = wf_store_setting_get(s, "k");
    assert_string_equal(v, "v1");
    free(v);
    assert_int_equal(wf_store_count_contacts(s), 1);
    wf_store_close(&s);
}

static void reopen_current_version_does_not_rewrite(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    wf_store_close(&s);
    file_sum before = sum_file(fx->db);
    char err[256];
    assert_int_equal(wf_store_open(fx->db, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    assert_int_equal(wf_store_count_contacts(s), 0);
    wf_store_close(&s);
    assert_same_file(fx->db, before);
}

/* The identity pre-check opens a file: URI; names that mean something in a
 * URI must still reach the right file. */
static void odd_file_names(void **state)
{
    fixture *fx = *state;
    static const char *const names[] = {"a b.db", "x#y.db", "q?immutable=0.db", "p%41.db",
                                        "ü山.db"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/%s", fx->dir, names[i]);
        wf_store *s = NULL;
        char err[512] = "";
        assert_int_equal(wf_store_open(path, WF_STORE_CREATE, &s, err, sizeof err), WF_OK);
        assert_int_equal(wf_store_exec(s, "INSERT INTO contacts(id, created_at) VALUES(1, 0)"),
                         WF_OK);
        wf_store_close(&s);
        assert_int_equal(wf_store_open(path, 0, &s, err, sizeof err), WF_OK);
        assert_int_equal(wf_store_count_contacts(s), 1);
        wf_store_close(&s);
        raw_exec(path, "PRAGMA user_version=77");
        expect_refusal(path, 0, WF_E_NEWER, "newer");
        unlink(path);
    }
}

static void relative_path(void **state)
{
    fixture *fx = *state;
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(fx->dir), 0);
    wf_store *s = NULL;
    char err[512] = "";
    wf_status st = wf_store_open("t.db", WF_STORE_CREATE, &s, err, sizeof err);
    if (st == WF_OK) wf_store_close(&s);
    wf_status st2 = WF_OK;
    if (st == WF_OK) {
        raw_exec("t.db", "PRAGMA user_version=9");
        st2 = wf_store_open("t.db", WF_STORE_READONLY, &s, err, sizeof err);
    }
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(st, WF_OK);
    assert_int_equal(st2, WF_E_NEWER); /* the pre-check read the same relative file */
    assert_non_null(strstr(err, "t.db"));
}

static void empty_file_is_initialised(void **state)
{
    fixture *fx = *state;
    write_file(fx->db, "", 0);
    wf_store *s = NULL;
    char err[256];
    assert_int_equal(wf_store_open(fx->db, 0, &s, err, sizeof err), WF_OK);
    assert_int_equal(query_int(wf_store_db(s), "PRAGMA user_version"), WF_SCHEMA_VERSION);
    wf_store_close(&s);
}

/* ---- refusals ----------------------------------------------------------- */

static void refuse_missing_file_without_create(void **state)
{
    fixture *fx = *state;
    wf_store *s = NULL;
    char err[512] = "";
    assert_int_equal(wf_store_open(fx->db, 0, &s, err, sizeof err), WF_E_NOINPUT);
    assert_null(s);
    assert_non_null(strstr(err, fx->db));
    assert_false(exists(fx->db));
    assert_int_equal(
        wf_store_open(fx->db, WF_STORE_READONLY | WF_STORE_CREATE, &s, err, sizeof err),
        WF_E_NOINPUT);
    assert_false(exists(fx->db));
}

static void refuse_nonexistent_directory(void **state)
{
    (void)state;
    const char *path = "/nonexistent/dir/x.db";
    wf_store *s = NULL;
    char err[512] = "";
    wf_status st = wf_store_open(path, WF_STORE_CREATE, &s, err, sizeof err);
    assert_int_not_equal(st, WF_OK);
    assert_int_not_equal(wf_status_exit_code(st), 0);
    assert_null(s);
    assert_non_null(strstr(err, path));
    assert_false(exists("/nonexistent"));
    assert_int_equal(wf_store_open(path, 0, &s, err, sizeof err), WF_E_NOINPUT);
    assert_non_null(strstr(err, path));
}

static void refuse_directory(void **state)
{
    fixture *fx = *state;
    wf_store *s = NULL;
    char err[512] = "";
    assert_int_equal(wf_store_open(fx->dir, WF_STORE_CREATE, &s, err, sizeof err), WF_E_NOINPUT);
    assert_non_null(strstr(err, fx->dir));
    assert_non_null(strstr(err, "directory"));
}

static void refuse_empty_path(void **state)
{
    (void)state;
    wf_store *s = NULL;
    char err[128] = "";
    assert_int_equal(wf_store_open("", WF_STORE_CREATE, &s, err, sizeof err), WF_E_USAGE);
    assert_int_equal(wf_store_open(NULL, WF_STORE_CREATE, &s, err, sizeof err), WF_E_USAGE);
    assert_true(strlen(err) > 0);
}

static void refuse_text_file(void **state)
{
    fixture *fx = *state;
    char text[3000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    write_file(fx->db, text, sizeof text);
    expect_refusal(fx->db, 0, WF_E_NOTDB, "not a wherefrom database");
    expect_refusal(fx->db, WF_STORE_CREATE, WF_E_NOTDB, "not a wherefrom database");
    expect_refusal(fx->db, WF_STORE_READONLY, WF_E_NOTDB, "not a wherefrom database");
}

static void refuse_short_garbage_file(void **state)
{
    fixture *fx = *state;
    write_file(fx->db, "SQLite format 2\0junk", 20);
    expect_refusal(fx->db, 0, WF_E_NOTDB, "not a wherefrom database");
}

/* A valid wherefrom database with garbage written over its pages after the
 * 100-byte file header (the schema page included). */
static void make_corrupt(const fixture *fx)
{
    wf_store *s = open_new(fx);
    exec_ok(s, "BEGIN");
    for (int i = 1; i <= 400; i++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "INSERT INTO contacts(id, email, created_at) VALUES(%d, 'c%d@example.com', %d)", i,
                 i, i);
        exec_ok(s, sql);
    }
    exec_ok(s, "COMMIT");
    exec_ok(s, "PRAGMA wal_checkpoint(TRUNCATE)");
    wf_store_close(&s);
    FILE *f = fopen(fx->db, "r+b");
    assert_non_null(f);
    assert_int_equal(fseek(f, 100, SEEK_SET), 0);
    for (int i = 0; i < 20000; i++)
        fputc((i * 131 + 17) & 0xff, f);
    assert_int_equal(fclose(f), 0);
}

static void refuse_corrupt_file(void **state)
{
    fixture *fx = *state;
    make_corrupt(fx);
    expect_refusal(fx->db, 0, WF_E_CORRUPT, "corrupt");
}

static void refuse_corrupt_file_read_only(void **state)
{
    fixture *fx = *state;
    make_corrupt(fx);
    expect_refusal(fx->db, WF_STORE_READONLY, WF_E_CORRUPT, "corrupt");
}

static void refuse_other_programs_database(void **state)
{
    fixture *fx = *state;
    raw_exec(fx->db, "CREATE TABLE photos(id INTEGER PRIMARY KEY, path TEXT);"
                     "INSERT INTO photos(path) VALUES('a.jpg')");
    expect_refusal(fx->db, 0, WF_E_NOTDB, "another program");
    expect_refusal(fx->db, WF_STORE_READONLY, WF_E_NOTDB, "another program");
}

static void refuse_other_program_with_user_version(void **state)
{
    fixture *fx = *state;
    raw_exec(fx->db, "PRAGMA user_version=3");
    expect_refusal(fx->db, 0, WF_E_NOTDB, "another program");
}

static void refuse_newer_version(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    exec_ok(s, "INSERT INTO contacts(id, created_at) VALUES(1, 0)");
    wf_store_close(&s);
    raw_exec(fx->db, "PRAGMA user_version=99");
    expect_refusal(fx->db, 0, WF_E_NEWER, "newer");
    expect_refusal(fx->db, WF_STORE_READONLY, WF_E_NEWER, "99");
}

/* A file whose header says "not ours" but with a hot journal beside it is
 * still judged by a normal open (the journal may change the main file):
 * the refusal must not depend on the quick immutable check. */
static void refuse_other_program_with_journal(void **state)
{
    fixture *fx = *state;
    raw_exec(fx->db, "CREATE TABLE photos(id INTEGER PRIMARY KEY)");
    char j[700];
    snprintf(j, sizeof j, "%s-journal", fx->db);
    write_file(j, "", 0); /* an empty journal is not hot: nothing to roll back */
    wf_store *s = NULL;
    char err[512] = "";
    assert_int_equal(wf_store_open(fx->db, 0, &s, err, sizeof err), WF_E_NOTDB);
    assert_non_null(strstr(err, "another program"));
    unlink(j);
}

/* Our application id but user_version 0: needs the migration to v1. */
static void make_needs_migration(const fixture *fx)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d", WF_APPLICATION_ID);
    raw_exec(fx->db, sql);
}

static void migrate_old_file(void **state)
{
    fixture *fx = *state;
    make_needs_migration(fx);
    wf_store *s = NULL;
    char err[256];
    assert_int_equal(wf_store_open(fx->db, 0, &s, err, sizeof err), WF_OK);
    assert_int_equal(query_int(wf_store_db(s), "PRAGMA user_version"), WF_SCHEMA_VERSION);
    assert_int_equal(wf_store_count_contacts(s), 0);
    wf_store_close(&s);
}

static void refuse_read_only_needing_migration(void **state)
{
    fixture *fx = *state;
    make_needs_migration(fx);
    expect_refusal(fx->db, WF_STORE_READONLY, WF_E_READONLY, "upgrade");
    write_file(fx->db, "", 0); /* an empty file would need the same */
    expect_refusal(fx->db, WF_STORE_READONLY, WF_E_READONLY, "read-only");
}

/* ---- read-only use ------------------------------------------------------ */

static void check_writes_refused(wf_store *s, const char *path)
{
    assert_true(wf_store_is_readonly(s));
    assert_true(strlen(wf_store_readonly_reason(s)) > 0);
    assert_int_equal(wf_store_setting_set(s, "k", "v"), WF_E_READONLY);
    assert_int_equal(wf_store_begin(s), WF_E_READONLY);
    char err[512] = "";
    assert_int_equal(wf_store_check_writable(s, err, sizeof err), WF_E_READONLY);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "read-only"));
    /* even raw SQL cannot write through a read-only connection */
    assert_int_equal(wf_store_exec(s, "INSERT INTO contacts(id, created_at) VALUES(2, 0)"),
                     WF_E_READONLY);
}

static void read_only_flag_reads_and_refuses_writes(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    exec_ok(s, "INSERT INTO contacts(id, email, created_at) VALUES(1, 'a@example.com', 0)");
    wf_store_close(&s);
    file_sum before = sum_file(fx->db);
    char err[256];
    assert_int_equal(wf_store_open(fx->db, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    assert_non_null(strstr(wf_store_readonly_reason(s), "--read-only"));
    int64_t id = 0;
    assert_int_equal(wf_store_find_contact(s, "a@example.com", &id), WF_OK);
    assert_int_equal(id, 1);
    check_writes_refused(s, fx->db);
    wf_store_close(&s);
    assert_same_file(fx->db, before);
}

/* "A file the user cannot write" cannot be made for root, who may write
 * any file: these checks run in a child process, as user nobody when the
 * tests run as root. A check returns 0, or the line of the first failure
 * (cmocka's asserts cannot be used in a forked child). */
#define CHK(c)                                                                                     \
    do {                                                                                           \
        if (!(c)) return __LINE__;                                                                 \
    } while (0)

static int chk_unwritable_opens_read_only(const fixture *fx)
{
    wf_store *s = NULL;
    char err[512] = "";
    CHK(wf_store_open(fx->db, 0, &s, err, sizeof err) == WF_OK);
    CHK(wf_store_is_readonly(s));
    CHK(strstr(wf_store_readonly_reason(s), "not writable") != NULL);
    CHK(wf_store_count_contacts(s) == 1);
    CHK(wf_store_setting_set(s, "k", "v") == WF_E_READONLY);
    CHK(wf_store_begin(s) == WF_E_READONLY);
    CHK(wf_store_check_writable(s, err, sizeof err) == WF_E_READONLY);
    CHK(strstr(err, fx->db) != NULL);
    CHK(wf_store_exec(s, "INSERT INTO contacts(id, created_at) VALUES(2, 0)") == WF_E_READONLY);
    wf_store_close(&s);
    return 0;
}

static int chk_unwritable_needing_migration_refused(const fixture *fx)
{
    wf_store *s = NULL;
    char err[512] = "";
    CHK(wf_store_open(fx->db, 0, &s, err, sizeof err) == WF_E_READONLY);
    CHK(s == NULL);
    CHK(strstr(err, fx->db) != NULL);
    CHK(strstr(err, "not writable") != NULL);
    CHK(strchr(err, '\n') == NULL);
    return 0;
}

static void run_unprivileged(const fixture *fx, int (*chk)(const fixture *))
{
    assert_int_equal(chmod(fx->db, 0444), 0);
    assert_int_equal(chmod(fx->dir, 0777), 0); /* nobody may create -shm beside it */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (geteuid() == 0 && (setgroups(0, NULL) || setgid(65534) || setuid(65534))) _exit(3);
        if (access(fx->db, R_OK) != 0) _exit(3); /* the temp dir is closed to nobody */
        if (access(fx->db, W_OK) == 0) _exit(3); /* still writable: cannot test */
        int line = chk(fx);
        if (line)
            fprintf(stderr, "test_store.c:%d: check failed (as uid %d)\n", line, (int)geteuid());
        _exit(line ? 1 : 0);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    chmod(fx->dir, 0700);
    chmod(fx->db, 0644);
    assert_true(WIFEXITED(st));
    if (WEXITSTATUS(st) == 3) skip();
    assert_int_equal(WEXITSTATUS(st), 0);
}

static void unwritable_file_opens_read_only(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    exec_ok(s, "INSERT INTO contacts(id, created_at) VALUES(1, 0)");
    wf_store_close(&s);
    file_sum before = sum_file(fx->db);
    run_unprivileged(fx, chk_unwritable_opens_read_only);
    assert_same_file(fx->db, before);
}

static void refuse_unwritable_file_needing_migration(void **state)
{
    fixture *fx = *state;
    make_needs_migration(fx);
    file_sum before = sum_file(fx->db);
    run_unprivileged(fx, chk_unwritable_needing_migration_refused);
    assert_same_file(fx->db, before);
    assert_no_side_files(fx->db);
}

/* ---- status mapping, transactions, settings ------------------------------ */

static void status_mapping(void **state)
{
    (void)state;
    assert_int_equal(wf_store_status(SQLITE_OK), WF_OK);
    assert_int_equal(wf_store_status(SQLITE_DONE), WF_OK);
    assert_int_equal(wf_store_status(SQLITE_BUSY), WF_E_BUSY);
    assert_int_equal(wf_store_status(SQLITE_BUSY_SNAPSHOT), WF_E_BUSY);
    assert_int_equal(wf_store_status(SQLITE_CORRUPT), WF_E_CORRUPT);
    assert_int_equal(wf_store_status(SQLITE_NOTADB), WF_E_NOTDB);
    assert_int_equal(wf_store_status(SQLITE_READONLY), WF_E_READONLY);
    assert_int_equal(wf_store_status(SQLITE_IOERR_READ), WF_E_IO);
    assert_int_equal(wf_store_status(SQLITE_FULL), WF_E_IO);
    assert_int_equal(wf_store_status(SQLITE_NOMEM), WF_E_NOMEM);
    assert_int_equal(wf_store_status(SQLITE_CONSTRAINT), WF_E_SOFTWARE);
}

static void transaction_rollback_and_commit(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    assert_int_equal(wf_store_begin(s), WF_OK);
    exec_ok(s, "INSERT INTO contacts(id, created_at) VALUES(1, 0)");
    wf_store_rollback(s);
    assert_int_equal(wf_store_count_contacts(s), 0);
    wf_store_rollback(s); /* no transaction open: harmless */
    assert_int_equal(wf_store_begin(s), WF_OK);
    exec_ok(s, "INSERT INTO contacts(id, created_at) VALUES(1, 0)");
    assert_int_equal(wf_store_commit(s), WF_OK);
    assert_int_equal(wf_store_count_contacts(s), 1);
    assert_int_not_equal(wf_store_commit(s), WF_OK); /* nothing to commit */
    wf_store_close(&s);
}

static void busy_when_another_writer_holds_the_lock(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(fx->db, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(wf_store_db(s), 50); /* the default waits 5 s */
    assert_int_equal(wf_store_begin(s), WF_E_BUSY);
    assert_int_equal(wf_status_exit_code(WF_E_BUSY), 75);
    /* reading still works while the other writer holds its lock (WAL) */
    assert_int_equal(wf_store_count_contacts(s), 0);
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(other), SQLITE_OK);
    assert_int_equal(wf_store_begin(s), WF_OK);
    assert_int_equal(wf_store_commit(s), WF_OK);
    wf_store_close(&s);
}

static void schema_migrations_table(void **state)
{
    (void)state;
    assert_int_equal(wf_schema_version(), WF_SCHEMA_VERSION);
    assert_null(wf_schema_migration(0));
    assert_null(wf_schema_migration(wf_schema_version() + 1));
    assert_null(wf_schema_migration(-1));
    for (int v = 1; v <= wf_schema_version(); v++) {
        const char *sql = wf_schema_migration(v);
        assert_non_null(sql);
        assert_true(sqlite3_complete(sql)); /* whole statements */
    }
}

static void settings_get_set(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    assert_null(wf_store_setting_get(s, "site_domains"));
    assert_int_equal(wf_store_setting_set(s, "site_domains", "[\"example.com\"]"), WF_OK);
    assert_int_equal(wf_store_setting_set(s, "other", "x"), WF_OK);
    assert_int_equal(wf_store_setting_set(s, "site_domains", "[\"example.org\"]"), WF_OK);
    char *v = wf_store_setting_get(s, "site_domains");
    assert_string_equal(v, "[\"example.org\"]");
    free(v);
    v = wf_store_setting_get(s, "other");
    assert_string_equal(v, "x");
    free(v);
    assert_int_equal(query_int(wf_store_db(s), "SELECT count(*) FROM settings"), 2);
    wf_store_close(&s);
}

static void overrides_log_is_append_only(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    exec_ok(s, "INSERT INTO overrides(contact, at, user, action, source, reason)"
               " VALUES(1, 0, 'u', 'set', 'OFFLINE', 'because')");
    assert_int_not_equal(wf_store_exec(s, "UPDATE overrides SET reason='x'"), WF_OK);
    assert_int_not_equal(wf_store_exec(s, "DELETE FROM overrides"), WF_OK);
    assert_int_not_equal(wf_store_exec(s, "INSERT INTO overrides(contact, at, user, action,"
                                          " reason) VALUES(1, 0, 'u', 'set', '   ')"),
                         WF_OK);
    assert_int_equal(query_int(wf_store_db(s), "SELECT count(*) FROM overrides"), 1);
    wf_store_close(&s);
}

/* ---- contact lookup ------------------------------------------------------ */

static wf_store *open_people(const fixture *fx)
{
    wf_store *s = open_new(fx);
    exec_ok(s, "INSERT INTO contacts(id, email, created_at, merged_into) VALUES"
               " (10, 'Ana@Example.com', 0, NULL),"
               " (11, 'old.ana@example.com', 0, 10),"
               " (12, 'older.ana@example.com', 0, 11),"
               " (20, 'shared@example.com', 0, 21),"
               " (21, 'shared@example.com', 0, NULL),"
               " (30, 'loop1@example.com', 0, 31),"
               " (31, 'loop2@example.com', 0, 30)");
    return s;
}

static int64_t find(wf_store *s, const char *spec, wf_status want)
{
    int64_t id = -1;
    assert_int_equal(wf_store_find_contact(s, spec, &id), want);
    return id;
}

static void find_by_id_and_email(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_people(fx);
    assert_int_equal(find(s, "10", WF_OK), 10);
    assert_int_equal(find(s, "ana@example.com", WF_OK), 10);
    assert_int_equal(find(s, "ANA@EXAMPLE.COM", WF_OK), 10);
    find(s, "99", WF_E_NOTFOUND);
    find(s, "nobody@example.com", WF_E_NOTFOUND);
    find(s, "", WF_E_USAGE);
    find(s, NULL, WF_E_USAGE);
    find(s, "10x", WF_E_NOTFOUND); /* not a number: looked up as an email */
    wf_store_close(&s);
}

static void find_follows_merges(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_people(fx);
    assert_int_equal(find(s, "11", WF_OK), 10);
    assert_int_equal(find(s, "12", WF_OK), 10); /* two hops */
    assert_int_equal(find(s, "old.ana@example.com", WF_OK), 10);
    /* an email held by a live record and a merged one: the live record */
    assert_int_equal(find(s, "shared@example.com", WF_OK), 21);
    assert_int_equal(wf_store_count_contacts(s), 2); /* 10 and 21; 30 and 31 are merged */
    wf_store_close(&s);
}

static void find_survives_merge_cycles(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_people(fx);
    int64_t id = find(s, "30", WF_OK); /* bad data: must end, on one of the two */
    assert_true(id == 30 || id == 31);
    wf_store_close(&s);
}

/* ---- loading facts ------------------------------------------------------- */

static void insert_facts_rows(wf_store *s)
{
    exec_ok(s, "INSERT INTO settings(key, value) VALUES('site_domains',"
               " '[\"example.com\",\"example.org\"]')");
    exec_ok(s, "INSERT INTO contacts(id, email, firstname, lastname, company, created_at,"
               " channel, channel_detail, channel_label, src, src_dd1, src_dd2, latest_src,"
               " latest_at, first_url, first_at, merged_into) VALUES"
               " (1, 'kim@example.org', 'Kim', 'Story', 'Story Ltd', 1720000000000, 'IMPORT',"
               "  '9876', 'Q3 list', 'ORGANIC_SEARCH', 'Unknown keywords (SSL)', 'google',"
               "  'DIRECT_TRAFFIC', 1726669680000, 'https://www.example.com/', 1710237600000,"
               "  NULL),"
               " (2, 'kim.old@example.org', 'Kim', 'Old', NULL, 1700000000000, 'SALESFORCE',"
               "  'salesforce-createdby', NULL, 'OFFLINE', 'SALESFORCE', NULL, NULL, NULL, NULL,"
               "  NULL, 1),"
               " (3, 'someone@example.org', 'Some', 'One', NULL, 1700000000000, 'API', NULL,"
               "  NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    exec_ok(s, "INSERT INTO tokens(id, token, contact, linked_at, linked_by, ref) VALUES"
               " (1, 't1', 1, 1726669800000, 'form', 'c-1'),"
               " (2, 't2', 2, 1700000000000, 'identity', NULL),"
               " (3, 't3', 3, 1700000000000, 'email', NULL)");
    exec_ok(s, "INSERT INTO pageviews(id, contact, token, at, url, referrer, utm_source, title)"
               " VALUES (1, NULL, 't1', 1710237600000, 'https://www.example.com/',"
               "  'https://www.google.com/', NULL, 'Home'),"
               " (2, NULL, 't1', 1726669680000, 'https://www.example.com/demo', NULL, NULL,"
               "  NULL),"
               " (3, NULL, 't2', 1699990000000, 'https://www.example.com/?utm_source=x', NULL,"
               "  'x', NULL),"
               " (4, 1, NULL, 1726669700000, 'https://www.example.com/thanks', NULL, NULL, NULL),"
               " (5, NULL, 't3', 1699990000000, 'https://www.example.com/other', NULL, NULL,"
               "  NULL),"
               " (6, NULL, 'tx', 1699990000000, 'https://www.example.com/anon', NULL, NULL,"
               "  NULL)");
    exec_ok(s, "INSERT INTO forms(id, contact, at, form_id, conversion_id, page_url, token,"
               " filtered_ip) VALUES (1, 1, 1726669800000, 'f-demo', 'c-1',"
               " 'https://www.example.com/demo', 't1', 0),"
               " (2, 2, 1700000000000, 'f-x', 'c-2', NULL, NULL, 1),"
               " (3, 3, 1700000000000, 'f-y', 'c-3', NULL, NULL, 0)");
    exec_ok(s, "INSERT INTO email_clicks(id, contact, at, url, email_id, campaign, token)"
               " VALUES (1, 1, 1726000000000, 'https://www.example.com/?utm_medium=email',"
               " '123', 'spring', NULL)");
    exec_ok(s, "INSERT INTO history(id, contact, property, value, at, source_type, source_id,"
               " source_label, user_id) VALUES"
               " (1, 1, 'hs_analytics_source', 'OFFLINE', 1720000006000, 'ANALYTICS',"
               "  'ContactAnalyticsDetailsUpdateWorker', NULL, NULL),"
               " (2, 1, 'hs_analytics_source', 'ORGANIC_SEARCH', 1726669811000, 'ANALYTICS',"
               "  NULL, NULL, NULL),"
               " (3, 2, 'hs_analytics_source', 'OFFLINE', 1700000008000, 'ANALYTICS', NULL,"
               "  NULL, NULL),"
               " (4, 3, 'hs_analytics_source', 'OFFLINE', 1700000008000, 'ANALYTICS', NULL,"
               "  NULL, NULL)");
    exec_ok(s, "INSERT INTO merges(id, contact, merged_id, at, user_id) VALUES"
               " (1, 1, 2, 1725000000000, '42')");
}

static wf_facts *load(wf_store *s, int64_t id)
{
    wf_facts *f = NULL;
    assert_int_equal(wf_store_load_facts(s, id, &f), WF_OK);
    assert_non_null(f);
    return f;
}

static void facts_contact_row(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    insert_facts_rows(s);
    wf_facts *f = load(s, 1);
    assert_int_equal(f->id, 1);
    assert_string_equal(f->email, "kim@example.org");
    assert_string_equal(f->firstname, "Kim");
    assert_string_equal(f->company, "Story Ltd");
    assert_int_equal(f->created_at, 1720000000000LL);
    assert_string_equal(f->channel, "IMPORT");
    assert_string_equal(f->channel_detail, "9876");
    assert_string_equal(f->channel_label, "Q3 list");
    assert_string_equal(f->stored_source, "ORGANIC_SEARCH");
    assert_string_equal(f->stored_dd2, "google");
    assert_string_equal(f->stored_latest_source, "DIRECT_TRAFFIC");
    assert_null(f->stored_latest_dd1);
    assert_int_equal(f->stored_latest_at, 1726669680000LL);
    assert_int_equal(f->stored_first_visit_at, WF_TIME_NONE);
    assert_int_equal(f->merged_into, 0);
    assert_null(f->override);
    wf_facts_free(&f);
    assert_null(f);
    wf_store_close(&s);
}

static void facts_include_merged_record(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    insert_facts_rows(s);
    wf_facts *f = load(s, 1);
    /* tokens of both records; page views by token (t1, t2) and by contact */
    assert_int_equal(f->n_links, 2);
    assert_int_equal(f->n_pageviews, 4);
    for (size_t i = 0; i < f->n_pageviews; i++) {
        assert_string_not_equal(f->pageviews[i].url, "https://www.example.com/other");
        assert_string_not_equal(f->pageviews[i].url, "https://www.example.com/anon");
        if (i) assert_true(f->pageviews[i - 1].at <= f->pageviews[i].at); /* in time order */
    }
    assert_int_equal(f->pageviews[0].at, 1699990000000LL); /* the merged record's visit */
    assert_string_equal(f->pageviews[0].utm_source, "x");
    assert_int_equal(f->n_forms, 2);
    assert_int_equal(f->n_history, 3);
    assert_int_equal(f->n_clicks, 1);
    assert_int_equal(f->n_merges, 1);
    assert_int_equal(f->merges[0].merged_id, 2);
    assert_int_equal(f->merges[0].merged_created_at, 1700000000000LL);
    assert_string_equal(f->merges[0].merged_channel, "SALESFORCE");
    assert_string_equal(f->merges[0].merged_channel_detail, "salesforce-createdby");
    assert_string_equal(f->merges[0].user_id, "42");
    wf_facts_free(&f);
    wf_store_close(&s);
}

static void facts_field_values(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    insert_facts_rows(s);
    wf_facts *f = load(s, 1);
    int seen_form = 0, seen_identity = 0, seen_filtered = 0;
    for (size_t i = 0; i < f->n_links; i++) {
        if (!strcmp(f->links[i].token, "t1")) {
            seen_form = f->links[i].via == WF_LINK_FORM;
            assert_string_equal(f->links[i].ref, "c-1");
            assert_int_equal(f->links[i].at, 1726669800000LL);
        }
        if (!strcmp(f->links[i].token, "t2")) seen_identity = f->links[i].via == WF_LINK_IDENTITY;
    }
    assert_true(seen_form && seen_identity);
    for (size_t i = 0; i < f->n_forms; i++) {
        if (f->forms[i].filtered_ip) {
            seen_filtered = 1;
            assert_null(f->forms[i].token);
            assert_string_equal(f->forms[i].form_id, "f-x");
        } else {
            assert_string_equal(f->forms[i].token, "t1");
            assert_string_equal(f->forms[i].page_url, "https://www.example.com/demo");
        }
    }
    assert_true(seen_filtered);
    assert_string_equal(f->clicks[0].email_id, "123");
    assert_null(f->clicks[0].token);
    /* in time order: the merged record's creation comes first */
    assert_int_equal(f->history[0].at, 1700000008000LL);
    assert_null(f->history[0].source_id);
    assert_string_equal(f->history[1].source_id, "ContactAnalyticsDetailsUpdateWorker");
    assert_true(f->history[1].at <= f->history[2].at);
    assert_int_equal(f->n_site_domains, 2);
    assert_string_equal(f->site_domains[0], "example.com");
    assert_string_equal(f->site_domains[1], "example.org");
    wf_facts_free(&f);
    wf_store_close(&s);
}

static void facts_of_unrelated_contact(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    insert_facts_rows(s);
    wf_facts *f = load(s, 3);
    assert_int_equal(f->n_links, 1);
    assert_int_equal(f->links[0].via, WF_LINK_EMAIL);
    assert_int_equal(f->n_pageviews, 1);
    assert_string_equal(f->pageviews[0].url, "https://www.example.com/other");
    assert_int_equal(f->n_merges, 0);
    assert_null(f->stored_source);
    assert_null(f->channel_detail);
    assert_int_equal(f->stored_latest_at, WF_TIME_NONE);
    wf_facts_free(&f);
    /* the merged-away record on its own still loads, pointing at its survivor */
    f = load(s, 2);
    assert_int_equal(f->merged_into, 1);
    wf_facts_free(&f);
    wf_store_close(&s);
}

static void facts_active_override(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    insert_facts_rows(s);
    exec_ok(s, "INSERT INTO overrides(id, contact, at, user, action, source, dd1, reason,"
               " computed_source) VALUES (1, 1, 100, 'ana', 'set', 'PAID_SEARCH', 'x', 'r1',"
               " 'ORGANIC_SEARCH')");
    wf_facts *f = load(s, 1);
    assert_non_null(f->override);
    assert_string_equal(f->override->source, "PAID_SEARCH");
    assert_string_equal(f->override->user, "ana");
    assert_string_equal(f->override->reason, "r1");
    assert_string_equal(f->override->computed_source, "ORGANIC_SEARCH");
    assert_int_equal(f->override->at, 100);
    wf_facts_free(&f);
    exec_ok(s, "INSERT INTO overrides(id, contact, at, user, action, reason) VALUES"
               " (2, 1, 200, 'ana', 'revert', 'undo')");
    f = load(s, 1);
    assert_null(f->override); /* the newest row is a revert */
    wf_facts_free(&f);
    wf_store_close(&s);
}

static void facts_missing_contact(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    wf_facts *f = (wf_facts *)1;
    assert_int_equal(wf_store_load_facts(s, 404, &f), WF_E_NOTFOUND);
    assert_null(f);
    wf_facts_free(&f); /* NULL is fine */
    wf_store_close(&s);
}

static void facts_without_site_domains(void **state)
{
    fixture *fx = *state;
    wf_store *s = open_new(fx);
    exec_ok(s, "INSERT INTO contacts(id, created_at) VALUES(5, 0)");
    exec_ok(s, "INSERT INTO settings(key, value) VALUES('site_domains', 'not json')");
    wf_facts *f = load(s, 5);
    assert_int_equal(f->n_site_domains, 0);
    assert_int_equal(f->n_pageviews, 0);
    assert_null(f->pageviews);
    wf_facts_free(&f);
    wf_store_close(&s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(create_sets_identity),
        T(create_uses_wal),
        T(connection_is_defensive),
        T(create_has_schema_tables),
        T(reopen_keeps_data),
        T(reopen_current_version_does_not_rewrite),
        T(odd_file_names),
        T(relative_path),
        T(empty_file_is_initialised),
        T(refuse_missing_file_without_create),
        T(refuse_nonexistent_directory),
        T(refuse_directory),
        T(refuse_empty_path),
        T(refuse_text_file),
        T(refuse_short_garbage_file),
        T(refuse_corrupt_file),
        T(refuse_corrupt_file_read_only),
        T(refuse_other_programs_database),
        T(refuse_other_program_with_user_version),
        T(refuse_newer_version),
        T(refuse_other_program_with_journal),
        T(migrate_old_file),
        T(refuse_read_only_needing_migration),
        T(refuse_unwritable_file_needing_migration),
        T(read_only_flag_reads_and_refuses_writes),
        T(unwritable_file_opens_read_only),
        T(status_mapping),
        T(transaction_rollback_and_commit),
        T(busy_when_another_writer_holds_the_lock),
        T(schema_migrations_table),
        T(settings_get_set),
        T(overrides_log_is_append_only),
        T(find_by_id_and_email),
        T(find_follows_merges),
        T(find_survives_merge_cycles),
        T(facts_contact_row),
        T(facts_include_merged_record),
        T(facts_field_values),
        T(facts_of_unrelated_contact),
        T(facts_active_override),
        T(facts_missing_contact),
        T(facts_without_site_domains),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
