/* The real binary ($WHEREFROM_BIN) run with fork/exec, no shell: --help,
 * --version, unknown commands, and databases it must refuse with a
 * one-line error, a non-zero exit and the file left untouched. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "filesum.h"
#include <sqlite3.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "config.h"
#include "store/store.h"

/* Every subcommand the design names (ARCHITECTURE.md); only those in
 * WF_COMMAND_TABLE are built and may appear in --help. */
static const char *const designed[] = {"import",   "explain", "history", "audit",
                                       "override", "revert",  "export"};

static const char *const built[] = {
#define WF_X(name, fn, syn, sum) #name,
    WF_COMMAND_TABLE(WF_X)
#undef WF_X
        NULL};

typedef struct {
    int status; /* exit code, or 128 + signal */
    char out[65536], err[65536];
} run_result;

typedef struct {
    char dir[512];
    char db[600];
    int own_home; /* children get HOME=dir/home, XDG_DATA_HOME=dir/home/data */
    run_result r;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof *fx);
    if (!fx) return -1;
    const char *base = getenv("TESTS_TMPDIR");
    snprintf(fx->dir, sizeof fx->dir, "%s/cli-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(fx->dir)) return -1;
    snprintf(fx->db, sizeof fx->db, "%s/t.db", fx->dir);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    static const char *const names[] = {"t.db",
                                        "t.db-wal",
                                        "t.db-shm",
                                        "out",
                                        "err",
                                        "home/data/wherefrom/contacts.db",
                                        "home/data/wherefrom/contacts.db-wal",
                                        "home/data/wherefrom/contacts.db-shm",
                                        "home/data/wherefrom",
                                        "home/data",
                                        "home"};
    char p[700];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", fx->dir, names[i]);
        if (unlink(p) != 0) rmdir(p);
    }
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static const char *bin(void)
{
    const char *b = getenv("WHEREFROM_BIN");
    return b && *b ? b : "./wherefrom";
}

static void slurp(const char *path, char *buf, size_t n)
{
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(buf, 1, n - 1, f) : 0;
    buf[got] = 0;
    if (f) fclose(f);
}

/* Runs the binary with argv (NULL-terminated, without argv[0]), output
 * captured in files; kills it after 20 s. stdin is /dev/null, or with
 * `tty` stdin and stdout are a pseudo-terminal (as when a user types the
 * command; stdout then goes to the terminal, not to r.out). */
static void run_as(fixture *fx, const char *const *args, int tty)
{
    char out[700], err[700];
    snprintf(out, sizeof out, "%s/out", fx->dir);
    snprintf(err, sizeof err, "%s/err", fx->dir);
    const char *argv[32] = {bin()};
    size_t n = 1;
    for (; args[n - 1] && n < 31; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    int master = -1;
    const char *slave = NULL;
    if (tty) {
        master = posix_openpt(O_RDWR | O_NOCTTY);
        assert_true(master >= 0);
        assert_int_equal(grantpt(master), 0);
        assert_int_equal(unlockpt(master), 0);
        slave = ptsname(master);
        assert_non_null(slave);
    }
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (tty) setsid();
        int in = open(tty ? slave : "/dev/null", tty ? O_RDWR : O_RDONLY);
        int o = tty ? in : open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || o < 0 || e < 0) _exit(126);
        dup2(in, 0), dup2(o, 1), dup2(e, 2);
        if (fx->own_home) {
            char h[700], x[720];
            snprintf(h, sizeof h, "%s/home", fx->dir);
            snprintf(x, sizeof x, "%s/data", h);
            setenv("HOME", h, 1);
            setenv("XDG_DATA_HOME", x, 1);
        }
        if (tty) {
            close(master);
            setenv("TERM", "xterm", 1);
        } else {
            unsetenv("TERM"); /* no terminal at all */
        }
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    if (tty) {
        FILE *f = fopen(out, "wb"); /* nothing reaches r.out through a terminal */
        if (f) fclose(f);
    }
    int st = 0;
    for (int waited = 0;; waited++) {
        pid_t w = waitpid(pid, &st, WNOHANG);
        if (w == pid) break;
        if (tty) { /* drain the terminal so the child never blocks on output */
            char junk[4096];
            int fl = fcntl(master, F_GETFL);
            fcntl(master, F_SETFL, fl | O_NONBLOCK);
            while (read(master, junk, sizeof junk) > 0)
                continue;
        }
        if (waited > 2000) { /* 20 s */
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            fail_msg("%s did not finish", argv[0]);
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (master >= 0) close(master);
    fx->r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    assert_int_not_equal(fx->r.status, 127); /* exec failed */
    slurp(out, fx->r.out, sizeof fx->r.out);
    slurp(err, fx->r.err, sizeof fx->r.err);
}

static void run(fixture *fx, const char *const *args)
{
    run_as(fx, args, 0);
}

/* The database refusals a user sees: the inspector in a terminal, and
 * headless (-c) without one; both must fail on the database first. */
static void run_db(fixture *fx, const char *const *dbargs, int tty)
{
    const char *args[16];
    size_t n = 0;
    for (; dbargs[n] && n < 12; n++)
        args[n] = dbargs[n];
    if (!tty) args[n++] = "-c", args[n++] = "quit";
    args[n] = NULL;
    run_as(fx, args, tty);
}

static int lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* A refusal: non-zero (not a crash), exactly one line on stderr naming the
 * file, nothing on stdout. */
static void assert_one_line_error(const fixture *fx, const char *path)
{
    assert_int_not_equal(fx->r.status, 0);
    assert_true(fx->r.status < 128);
    assert_int_equal(lines(fx->r.err), 1);
    assert_true(strncmp(fx->r.err, "wherefrom: ", 11) == 0);
    if (path && !strstr(fx->r.err, path))
        fail_msg("error \"%s\" does not name %s", fx->r.err, path);
    assert_string_equal(fx->r.out, "");
}

static void assert_untouched(const char *path, file_sum before)
{
    assert_same_file(path, before);
    char side[700];
    snprintf(side, sizeof side, "%s-wal", path);
    assert_int_not_equal(access(side, F_OK), 0);
    snprintf(side, sizeof side, "%s-shm", path);
    assert_int_not_equal(access(side, F_OK), 0);
}

static void raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void make_db(const fixture *fx)
{
    wf_store *s = NULL;
    char err[512];
    assert_int_equal(wf_store_open(fx->db, WF_STORE_CREATE, &s, err, sizeof err), WF_OK);
    assert_int_equal(wf_store_exec(s, "INSERT INTO contacts(id, created_at) VALUES(1, 0)"), WF_OK);
    wf_store_close(&s);
}

/* ---- help and version ----------------------------------------------------- */

static void help_exits_zero(void **state)
{
    fixture *fx = *state;
    run(fx, (const char *[]){"--help", NULL});
    assert_int_equal(fx->r.status, 0);
    assert_non_null(strstr(fx->r.out, "Usage: wherefrom"));
    assert_non_null(strstr(fx->r.out, "--db FILE"));
    assert_non_null(strstr(fx->r.out, "--read-only"));
    assert_string_equal(fx->r.err, "");
    char copy[sizeof fx->r.out];
    strcpy(copy, fx->r.out);
    run(fx, (const char *[]){"-h", NULL});
    assert_string_equal(fx->r.out, copy);
}

static int is_built(const char *name)
{
    for (size_t i = 0; built[i]; i++)
        if (!strcmp(built[i], name)) return 1;
    return 0;
}

/* "  name   summary" lines of the Commands: section. */
static int help_lists(const char *help, const char *name)
{
    const char *sec = strstr(help, "\nCommands:\n");
    if (!sec) return 0;
    char pat[64];
    snprintf(pat, sizeof pat, "\n  %s ", name);
    const char *end = strstr(sec + 1, "\n\n");
    const char *hit = strstr(sec, pat);
    return hit && (!end || hit < end);
}

static void help_lists_only_built_commands(void **state)
{
    fixture *fx = *state;
    run(fx, (const char *[]){"--help", NULL});
    for (size_t i = 0; built[i]; i++)
        if (!help_lists(fx->r.out, built[i])) fail_msg("--help lacks built command %s", built[i]);
    for (size_t i = 0; i < sizeof designed / sizeof designed[0]; i++)
        if (!is_built(designed[i]) && strstr(fx->r.out, designed[i]) &&
            help_lists(fx->r.out, designed[i]))
            fail_msg("--help lists %s, which is not built", designed[i]);
    /* every line of the section is a built command */
    const char *sec = strstr(fx->r.out, "\nCommands:\n");
    if (!built[0]) {
        assert_null(sec);
        return;
    }
    assert_non_null(sec);
    const char *p = sec + strlen("\nCommands:\n");
    while (*p && *p != '\n') {
        char name[64] = "";
        assert_int_equal(sscanf(p, " %63s", name), 1);
        if (!is_built(name)) fail_msg("--help lists unknown command %s", name);
        p = strchr(p, '\n');
        if (!p) break;
        p++;
    }
}

static void version(void **state)
{
    fixture *fx = *state;
    run(fx, (const char *[]){"--version", NULL});
    assert_int_equal(fx->r.status, 0);
    char want[128];
    snprintf(want, sizeof want, "wherefrom %s\n", PACKAGE_VERSION);
    assert_string_equal(fx->r.out, want);
    run(fx, (const char *[]){"-V", NULL});
    assert_string_equal(fx->r.out, want);
}

/* ---- usage errors ----------------------------------------------------------- */

static void unknown_command_is_usage_error(void **state)
{
    fixture *fx = *state;
    run(fx, (const char *[]){"frobnicate", NULL});
    assert_int_equal(fx->r.status, 2);
    assert_non_null(strstr(fx->r.err, "frobnicate"));
    assert_int_equal(lines(fx->r.err), 1);
    assert_string_equal(fx->r.out, "");
}

static void unknown_option_is_usage_error(void **state)
{
    fixture *fx = *state;
    run(fx, (const char *[]){"--frobnicate", NULL});
    assert_int_equal(fx->r.status, 2);
    assert_non_null(strstr(fx->r.err, "--frobnicate"));
    assert_int_equal(lines(fx->r.err), 1);
    assert_string_equal(fx->r.out, "");
}

static void unbuilt_command_is_unknown(void **state)
{
    fixture *fx = *state;
    for (size_t i = 0; i < sizeof designed / sizeof designed[0]; i++) {
        if (is_built(designed[i])) continue;
        run(fx, (const char *[]){designed[i], NULL});
        assert_int_equal(fx->r.status, 2);
    }
}

static void db_without_file_is_usage_error(void **state)
{
    fixture *fx = *state;
    run(fx, (const char *[]){"--db", NULL});
    assert_int_equal(fx->r.status, 2);
    assert_non_null(strstr(fx->r.err, "--db"));
}

/* ---- refused databases ------------------------------------------------------ */

/* Runs args in a terminal and headless; each run must end in a one-line
 * error naming `path` and containing `words`, with exit code `code` (0:
 * any non-zero), leaving the file as it was. */
static void expect_refused(fixture *fx, const char *const *args, const char *path,
                           const char *words, int code)
{
    file_sum before = sum_file(path);
    for (int tty = 0; tty <= 1; tty++) {
        run_db(fx, args, tty);
        assert_one_line_error(fx, path);
        if (words && !strstr(fx->r.err, words))
            fail_msg("%s: error \"%s\" lacks \"%s\"", tty ? "terminal" : "headless", fx->r.err,
                     words);
        if (code) assert_int_equal(fx->r.status, code);
        if (before.size >= 0)
            assert_untouched(path, before);
        else
            assert_int_not_equal(access(path, F_OK), 0); /* not created */
    }
}

static void nonexistent_directory(void **state)
{
    fixture *fx = *state;
    expect_refused(fx, (const char *[]){"--db", "/nonexistent/dir/x.db", NULL},
                   "/nonexistent/dir/x.db", NULL, 0);
    assert_int_not_equal(access("/nonexistent", F_OK), 0);
}

static void missing_file_read_only(void **state)
{
    fixture *fx = *state;
    expect_refused(fx, (const char *[]){"--read-only", "--db", fx->db, NULL}, fx->db, NULL, 0);
}

static void not_sqlite(void **state)
{
    fixture *fx = *state;
    FILE *f = fopen(fx->db, "wb");
    assert_non_null(f);
    for (int i = 0; i < 5000; i++)
        fputc("hello, world\n"[i % 13], f);
    fclose(f);
    expect_refused(fx, (const char *[]){"--db", fx->db, NULL}, fx->db, "not a wherefrom database",
                   65);
    expect_refused(fx, (const char *[]){"--read-only", "--db", fx->db, NULL}, fx->db,
                   "not a wherefrom database", 65);
}

static void corrupt(void **state)
{
    fixture *fx = *state;
    make_db(fx);
    FILE *f = fopen(fx->db, "r+b");
    assert_non_null(f);
    fseek(f, 100, SEEK_SET);
    for (int i = 0; i < 8000; i++)
        fputc((i * 7919) & 0xff, f);
    fclose(f);
    expect_refused(fx, (const char *[]){"--db", fx->db, NULL}, fx->db, "corrupt", 65);
    expect_refused(fx, (const char *[]){"--read-only", "--db", fx->db, NULL}, fx->db, "corrupt",
                   65);
}

static void newer_version(void **state)
{
    fixture *fx = *state;
    make_db(fx);
    raw_exec(fx->db, "PRAGMA user_version=42");
    expect_refused(fx, (const char *[]){"--db", fx->db, NULL}, fx->db, "newer", 65);
    expect_refused(fx, (const char *[]){"--read-only", "--db", fx->db, NULL}, fx->db, "newer", 65);
}

static void other_programs_database(void **state)
{
    fixture *fx = *state;
    raw_exec(fx->db, "CREATE TABLE songs(id INTEGER PRIMARY KEY, title TEXT)");
    expect_refused(fx, (const char *[]){"--db", fx->db, NULL}, fx->db, "another program", 65);
}

static void read_only_needing_migration(void **state)
{
    fixture *fx = *state;
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d", WF_APPLICATION_ID);
    raw_exec(fx->db, sql);
    expect_refused(fx, (const char *[]){"--read-only", "--db", fx->db, NULL}, fx->db, "read-only",
                   77);
}

/* Subcommands refuse a bad database the same way (those that are built). */
static void refusal_through_subcommands(void **state)
{
    fixture *fx = *state;
    static const char *const forms[][4] = {{"explain", "1", NULL},
                                           {"history", "1", NULL},
                                           {"audit", NULL},
                                           {"export", "--overrides", NULL}};
    FILE *f = fopen(fx->db, "wb");
    assert_non_null(f);
    fputs("not a database at all, just text that is long enough to have a header....\n", f);
    fclose(f);
    file_sum before = sum_file(fx->db);
    int tried = 0;
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        if (!is_built(forms[i][0])) continue;
        const char *args[8] = {forms[i][0], "--db", fx->db};
        for (size_t k = 1; forms[i][k] && k < 4; k++)
            args[2 + k] = forms[i][k];
        run(fx, args);
        assert_one_line_error(fx, fx->db);
        assert_int_equal(fx->r.status, 65);
        assert_untouched(fx->db, before);
        tried++;
    }
    if (!tried) skip();
}

/* ---- global options (wf_cli_global_option, in-process) ---------------------- */

static int opt(wf_cli *cli, int argc, const char **argv, int *i)
{
    return wf_cli_global_option(cli, argc, (char **)argv, i);
}

static void global_options_parsed(void **state)
{
    (void)state;
    wf_cli cli = {.prog = "wherefrom"};
    const char *argv[] = {"wherefrom", "--read-only", "-q",      "--db=a.db", "--db",
                          "b.db",      "--quiet",     "explain", "5001"};
    int argc = (int)(sizeof argv / sizeof argv[0]), i = 1;
    assert_int_equal(opt(&cli, argc, argv, &i), 1);
    assert_true(cli.read_only);
    i = 2;
    assert_int_equal(opt(&cli, argc, argv, &i), 1);
    assert_true(cli.quiet);
    i = 3;
    assert_int_equal(opt(&cli, argc, argv, &i), 1);
    assert_string_equal(cli.db_path, "a.db");
    i = 4;
    assert_int_equal(opt(&cli, argc, argv, &i), 1);
    assert_int_equal(i, 5); /* consumed the value */
    assert_string_equal(cli.db_path, "b.db");
    cli.quiet = 0;
    i = 6;
    assert_int_equal(opt(&cli, argc, argv, &i), 1);
    assert_true(cli.quiet);
    i = 7;
    assert_int_equal(opt(&cli, argc, argv, &i), 0); /* a command is not an option */
    assert_int_equal(i, 7);
}

static void global_option_db_needs_value(void **state)
{
    (void)state;
    wf_cli cli = {.prog = "wherefrom"};
    const char *argv[] = {"wherefrom", "--db"};
    int i = 1;
    assert_int_equal(opt(&cli, 2, argv, &i), -1);
    assert_null(cli.db_path);
}

static void empty_db_name_is_usage_error(void **state)
{
    fixture *fx = *state;
    run(fx, (const char *[]){"--db=", "-c", "quit", NULL});
    assert_int_equal(fx->r.status, 2);
    assert_int_equal(lines(fx->r.err), 1);
}

/* ---- the default database ---------------------------------------------------- */

static void default_db_path(const fixture *fx, char *out, size_t n)
{
    snprintf(out, n, "%s/home/data/wherefrom/contacts.db", fx->dir);
}

static int64_t contacts_in(const char *path)
{
    wf_store *s = NULL;
    char err[512];
    assert_int_equal(wf_store_open(path, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    int64_t n = wf_store_count_contacts(s);
    wf_store_close(&s);
    return n;
}

static void first_run_fills_default_db_from_demo(void **state)
{
    fixture *fx = *state;
    fx->own_home = 1;
    char db[700];
    default_db_path(fx, db, sizeof db);
    run(fx, (const char *[]){"-c", "quit", NULL});
    assert_int_equal(fx->r.status, 0);
    assert_non_null(strstr(fx->r.err, db));
    assert_non_null(strstr(fx->r.err, "demo"));
    assert_int_equal(lines(fx->r.err), 1);
    assert_int_equal(contacts_in(db), 39); /* data/demo.ndjson: 40 records, one merged */
    /* the second run uses it and says nothing */
    run(fx, (const char *[]){"-c", "quit", NULL});
    assert_int_equal(fx->r.status, 0);
    assert_string_equal(fx->r.err, "");
    assert_int_equal(contacts_in(db), 39);
}

static void first_run_quiet(void **state)
{
    fixture *fx = *state;
    fx->own_home = 1;
    run(fx, (const char *[]){"-q", "-c", "quit", NULL});
    assert_int_equal(fx->r.status, 0);
    assert_string_equal(fx->r.err, "");
    char db[700];
    default_db_path(fx, db, sizeof db);
    assert_int_equal(access(db, F_OK), 0);
}

static void first_run_read_only_creates_nothing(void **state)
{
    fixture *fx = *state;
    fx->own_home = 1;
    char db[700];
    default_db_path(fx, db, sizeof db);
    run(fx, (const char *[]){"--read-only", "-c", "quit", NULL});
    assert_one_line_error(fx, db);
    assert_int_not_equal(access(db, F_OK), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(help_exits_zero),
        T(help_lists_only_built_commands),
        T(version),
        T(unknown_command_is_usage_error),
        T(unknown_option_is_usage_error),
        T(unbuilt_command_is_unknown),
        T(db_without_file_is_usage_error),
        T(nonexistent_directory),
        T(missing_file_read_only),
        T(not_sqlite),
        T(corrupt),
        T(newer_version),
        T(other_programs_database),
        T(read_only_needing_migration),
        T(refusal_through_subcommands),
        T(global_options_parsed),
        T(global_option_db_needs_value),
        T(empty_db_name_is_usage_error),
        T(first_run_fills_default_db_from_demo),
        T(first_run_quiet),
        T(first_run_read_only_creates_nothing),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
