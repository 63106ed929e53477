/* The overrides log through the C API (store/overrides.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/vocab.h"
#include "store/overrides.h"
#include "store/store.h"

#define T0 1700000000000LL

typedef struct {
    char path[512];
    wf_store *s;
    char err[1024];
} fx;

static void make_path(char *buf, size_t n, const char *tag)
{
    const char *dir = getenv("TESTS_TMPDIR");
    if (!dir) dir = "/tmp";
    mkdir(dir, 0777);
    snprintf(buf, n, "%s/ov-%s-%ld.db", dir, tag, (long)getpid());
}

static void rm_db(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static int setup(void **state)
{
    static int n;
    fx *f = calloc(1, sizeof *f);
    char tag[16];
    snprintf(tag, sizeof tag, "%d", n++);
    make_path(f->path, sizeof f->path, tag);
    rm_db(f->path);
    char err[256];
    if (wf_store_open(f->path, WF_STORE_CREATE, &f->s, err, sizeof err) != WF_OK) return -1;
    wf_store_exec(f->s, "INSERT INTO contacts(id,email,created_at,src,src_dd1,src_dd2) VALUES"
                        "(1,'a@x.test',0,'OFFLINE','IMPORT','9876'),"
                        "(2,'b@x.test',0,'DIRECT_TRAFFIC',NULL,NULL),"
                        "(3,'c@x.test',0,NULL,NULL,NULL)");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    wf_store_close(&f->s);
    rm_db(f->path);
    free(f);
    return 0;
}

static wf_override_input input(const char *src, const char *reason)
{
    return (wf_override_input){.source = src, .reason = reason, .user = "tester"};
}

static wf_status set(fx *f, int64_t c, const char *src, const char *reason, wf_ms at)
{
    wf_override_input in = input(src, reason);
    return wf_override_set(f->s, c, &in, NULL, at, NULL, f->err, sizeof f->err);
}

static int64_t scalar(fx *f, const char *sql)
{
    sqlite3_stmt *q;
    int64_t v = -999;
    if (sqlite3_prepare_v2(wf_store_db(f->s), sql, -1, &q, NULL)) return v;
    if (sqlite3_step(q) == SQLITE_ROW) v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return v;
}

static void test_set_makes_active(void **state)
{
    fx *f = *state;
    wf_override_input in = {.source = "ORGANIC_SEARCH",
                            .dd1 = "kw",
                            .dd2 = "google",
                            .reason = "confirmed by sales",
                            .user = "ann"};
    wf_override_value comp = {"OFFLINE", "IMPORT", "9876"};
    int64_t id = 0;
    assert_int_equal(wf_override_set(f->s, 1, &in, &comp, T0, &id, f->err, sizeof f->err), WF_OK);
    assert_true(id > 0);
    wf_override_row r;
    int found = 0;
    assert_int_equal(wf_override_active(f->s, 1, &r, &found), WF_OK);
    assert_int_equal(found, 1);
    assert_int_equal(r.id, id);
    assert_string_equal(r.source, "ORGANIC_SEARCH");
    assert_string_equal(r.dd1, "kw");
    assert_string_equal(r.dd2, "google");
    assert_string_equal(r.user, "ann");
    assert_string_equal(r.reason, "confirmed by sales");
    assert_string_equal(r.computed_source, "OFFLINE");
    assert_string_equal(r.prev_source, "OFFLINE");
    assert_int_equal(r.at, T0);
    wf_override_row_clear(&r);
}

static void test_unknown_source_refused_with_list(void **state)
{
    fx *f = *state;
    assert_int_equal(set(f, 1, "IMPORTED", "legacy", T0), WF_E_USAGE);
    assert_non_null(strstr(f->err, "IMPORTED"));
    assert_non_null(strstr(f->err, "ORGANIC_SEARCH"));
    assert_non_null(strstr(f->err, "AI_REFERRALS"));
    assert_int_equal(wf_override_count(f->s, 0), 0);
}

static void test_lower_case_source_canonicalised(void **state)
{
    fx *f = *state;
    assert_int_equal(set(f, 2, "paid_search", "typo fix", T0), WF_OK);
    wf_override_row r;
    int found;
    wf_override_active(f->s, 2, &r, &found);
    assert_int_equal(found, 1);
    assert_string_equal(r.source, "PAID_SEARCH");
    wf_override_row_clear(&r);
}

static void test_blank_reason_refused(void **state)
{
    fx *f = *state;
    assert_int_equal(set(f, 1, "ORGANIC_SEARCH", "   ", T0), WF_E_USAGE);
    assert_non_null(strstr(f->err, "reason"));
    assert_int_equal(set(f, 1, "ORGANIC_SEARCH", NULL, T0), WF_E_USAGE);
    assert_int_equal(wf_override_count(f->s, 0), 0);
}

static void test_unknown_contact(void **state)
{
    fx *f = *state;
    assert_int_equal(set(f, 99, "ORGANIC_SEARCH", "x", T0), WF_E_NOTFOUND);
    assert_non_null(strstr(f->err, "99"));
    assert_int_equal(wf_override_count(f->s, 0), 0);
}

static int count_rows(void *ctx, const wf_override_row *r)
{
    int *n = ctx;
    (*n)++;
    (void)r;
    return 0;
}

static void test_set_revert_set_keeps_three_rows(void **state)
{
    fx *f = *state;
    assert_int_equal(set(f, 1, "ORGANIC_SEARCH", "first", T0), WF_OK);
    assert_int_equal(
        wf_override_revert(f->s, 1, "wrong", "bob", T0 + 1, NULL, f->err, sizeof f->err), WF_OK);
    assert_int_equal(set(f, 1, "REFERRALS", "second", T0 + 2), WF_OK);
    int n = 0;
    assert_int_equal(wf_override_log(f->s, 1, count_rows, &n), WF_OK);
    assert_int_equal(n, 3);
    wf_override_row r;
    int found;
    wf_override_active(f->s, 1, &r, &found);
    assert_int_equal(found, 1);
    assert_string_equal(r.source, "REFERRALS");
    /* the value before the second set is the computed one (no override active) */
    assert_string_equal(r.prev_source, "OFFLINE");
    wf_override_row_clear(&r);
}

static void test_revert_without_override(void **state)
{
    fx *f = *state;
    assert_int_equal(wf_override_revert(f->s, 2, "why", NULL, T0, NULL, f->err, sizeof f->err),
                     WF_E_NOTFOUND);
    assert_non_null(strstr(f->err, "no active override"));
    assert_int_equal(wf_override_count(f->s, 0), 0);
}

static void test_revert_needs_reason(void **state)
{
    fx *f = *state;
    assert_int_equal(set(f, 1, "ORGANIC_SEARCH", "first", T0), WF_OK);
    assert_int_equal(wf_override_revert(f->s, 1, "", NULL, T0, NULL, f->err, sizeof f->err),
                     WF_E_USAGE);
    assert_int_equal(wf_override_count(f->s, 1), 1);
}

static void test_prev_is_previous_override(void **state)
{
    fx *f = *state;
    assert_int_equal(set(f, 1, "ORGANIC_SEARCH", "first", T0), WF_OK);
    assert_int_equal(set(f, 1, "PAID_SEARCH", "second", T0 + 1), WF_OK);
    wf_override_row r;
    int found;
    wf_override_active(f->s, 1, &r, &found);
    assert_string_equal(r.prev_source, "ORGANIC_SEARCH");
    assert_string_equal(r.computed_source, "OFFLINE");
    wf_override_row_clear(&r);
}

static void test_undo_first_set_reverts(void **state)
{
    fx *f = *state;
    assert_int_equal(set(f, 1, "ORGANIC_SEARCH", "first", T0), WF_OK);
    assert_int_equal(
        wf_override_undo_last(f->s, 1, NULL, "ann", T0 + 1, NULL, f->err, sizeof f->err), WF_OK);
    wf_override_row r;
    int found = 1;
    wf_override_active(f->s, 1, &r, &found);
    assert_int_equal(found, 0);
    assert_int_equal(wf_override_count(f->s, 1), 2);
    assert_int_equal(scalar(f, "SELECT count(*) FROM overrides WHERE action='revert'"
                               " AND reason LIKE 'undo of #%'"),
                     1);
}

static void test_undo_second_set_restores_first(void **state)
{
    fx *f = *state;
    set(f, 1, "ORGANIC_SEARCH", "first", T0);
    set(f, 1, "PAID_SEARCH", "second", T0 + 1);
    assert_int_equal(
        wf_override_undo_last(f->s, 1, "oops", NULL, T0 + 2, NULL, f->err, sizeof f->err), WF_OK);
    wf_override_row r;
    int found;
    wf_override_active(f->s, 1, &r, &found);
    assert_int_equal(found, 1);
    assert_string_equal(r.source, "ORGANIC_SEARCH");
    assert_string_equal(r.reason, "oops");
    wf_override_row_clear(&r);
    assert_int_equal(wf_override_count(f->s, 1), 3);
}

static void test_undo_revert_restores_set(void **state)
{
    fx *f = *state;
    set(f, 1, "REFERRALS", "first", T0);
    wf_override_revert(f->s, 1, "no", NULL, T0 + 1, NULL, f->err, sizeof f->err);
    assert_int_equal(
        wf_override_undo_last(f->s, 1, NULL, NULL, T0 + 2, NULL, f->err, sizeof f->err), WF_OK);
    wf_override_row r;
    int found;
    wf_override_active(f->s, 1, &r, &found);
    assert_int_equal(found, 1);
    assert_string_equal(r.source, "REFERRALS");
    wf_override_row_clear(&r);
}

static void test_undo_nothing(void **state)
{
    fx *f = *state;
    assert_int_equal(wf_override_undo_last(f->s, 2, NULL, NULL, T0, NULL, f->err, sizeof f->err),
                     WF_E_NOTFOUND);
    assert_int_equal(wf_override_count(f->s, 0), 0);
}

static void test_cache_follows_override(void **state)
{
    fx *f = *state;
    wf_store_exec(f->s, "INSERT INTO computed(contact,source,dd1,dd2,eff_source,eff_dd1,eff_dd2,"
                        "flags) VALUES(1,'ORGANIC_SEARCH','k','google','ORGANIC_SEARCH','k',"
                        "'google',64)");
    assert_int_equal(set(f, 1, "PAID_SEARCH", "ad click", T0), WF_OK);
    assert_int_equal(scalar(f, "SELECT eff_source='PAID_SEARCH' FROM computed WHERE contact=1"), 1);
    assert_int_equal(scalar(f, "SELECT flags FROM computed WHERE contact=1"), F_OVERRIDDEN);
    /* computed value taken from the cache */
    assert_int_equal(scalar(f, "SELECT computed_source='ORGANIC_SEARCH' FROM overrides"), 1);
    wf_override_revert(f->s, 1, "undo", NULL, T0 + 1, NULL, f->err, sizeof f->err);
    assert_int_equal(scalar(f, "SELECT eff_source='ORGANIC_SEARCH' AND eff_dd2='google'"
                               " FROM computed WHERE contact=1"),
                     1);
    assert_int_equal(scalar(f, "SELECT flags FROM computed WHERE contact=1"), 0);
}

static void test_cache_row_created(void **state)
{
    fx *f = *state;
    wf_override_input in = input("EMAIL_MARKETING", "newsletter");
    wf_override_value comp = {"DIRECT_TRAFFIC", NULL, NULL};
    assert_int_equal(wf_override_set(f->s, 2, &in, &comp, T0, NULL, f->err, sizeof f->err), WF_OK);
    assert_int_equal(scalar(f, "SELECT source='DIRECT_TRAFFIC' AND eff_source='EMAIL_MARKETING'"
                               " FROM computed WHERE contact=2"),
                     1);
}

static void test_log_is_append_only(void **state)
{
    fx *f = *state;
    set(f, 1, "ORGANIC_SEARCH", "first", T0);
    assert_int_not_equal(wf_store_exec(f->s, "UPDATE overrides SET source='X'"), WF_OK);
    assert_int_not_equal(wf_store_exec(f->s, "DELETE FROM overrides"), WF_OK);
    assert_int_equal(wf_override_count(f->s, 0), 1);
}

static void test_set_many_all_or_nothing(void **state)
{
    fx *f = *state;
    int64_t ids[] = {1, 2, 3};
    wf_override_input ins[] = {input("REFERRALS", "plan"), input("REFERRALS", "plan"),
                               input("BOGUS", "plan")};
    size_t bad = 99;
    assert_int_equal(wf_override_set_many(f->s, ids, ins, NULL, 3, T0, &bad, f->err, sizeof f->err),
                     WF_E_USAGE);
    assert_int_equal(bad, 2);
    assert_non_null(strstr(f->err, "contact 3"));
    assert_int_equal(wf_override_count(f->s, 0), 0);
    ins[2] = input("DIRECT_TRAFFIC", "plan");
    ins[2].plan = "fix.json";
    assert_int_equal(wf_override_set_many(f->s, ids, ins, NULL, 3, T0, NULL, f->err, sizeof f->err),
                     WF_OK);
    assert_int_equal(wf_override_count(f->s, 0), 3);
    assert_int_equal(scalar(f, "SELECT count(*) FROM overrides WHERE plan='fix.json'"), 1);
}

static int collect_contacts(void *ctx, const wf_override_row *r)
{
    int64_t *sum = ctx;
    *sum = *sum * 10 + r->contact;
    return 0;
}

static void test_each_active_skips_reverted(void **state)
{
    fx *f = *state;
    set(f, 1, "ORGANIC_SEARCH", "a", T0);
    set(f, 2, "ORGANIC_SEARCH", "b", T0);
    set(f, 3, "ORGANIC_SEARCH", "c", T0);
    wf_override_revert(f->s, 2, "no", NULL, T0, NULL, f->err, sizeof f->err);
    int64_t seq = 0;
    assert_int_equal(wf_override_each_active(f->s, collect_contacts, &seq), WF_OK);
    assert_int_equal(seq, 13);
}

static void test_default_user_not_empty(void **state)
{
    (void)state;
    char u[64] = "";
    wf_override_default_user(u, sizeof u);
    assert_true(strlen(u) > 0);
}

static void test_author_defaults_to_login(void **state)
{
    fx *f = *state;
    wf_override_input in = {.source = "REFERRALS", .reason = "x"};
    assert_int_equal(wf_override_set(f->s, 1, &in, NULL, T0, NULL, f->err, sizeof f->err), WF_OK);
    char u[64];
    wf_override_default_user(u, sizeof u);
    wf_override_row r;
    int found;
    wf_override_active(f->s, 1, &r, &found);
    assert_string_equal(r.user, u);
    wf_override_row_clear(&r);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *p = malloc((size_t)len + 1);
    *n = fread(p, 1, (size_t)len, fp);
    fclose(fp);
    return p;
}

static void test_read_only_refuses_byte_identical(void **state)
{
    fx *f = *state;
    set(f, 1, "ORGANIC_SEARCH", "first", T0);
    wf_store_close(&f->s); /* checkpoints the WAL into the file */
    size_t n1, n2;
    char *before = slurp(f->path, &n1);
    char err[256];
    assert_int_equal(wf_store_open(f->path, WF_STORE_READONLY, &f->s, err, sizeof err), WF_OK);
    assert_int_equal(set(f, 1, "REFERRALS", "second", T0), WF_E_READONLY);
    assert_non_null(strstr(f->err, "read-only"));
    assert_int_equal(wf_override_revert(f->s, 1, "x", NULL, T0, NULL, f->err, sizeof f->err),
                     WF_E_READONLY);
    assert_int_equal(wf_override_undo_last(f->s, 1, "x", NULL, T0, NULL, f->err, sizeof f->err),
                     WF_E_READONLY);
    wf_store_close(&f->s);
    char *after = slurp(f->path, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(before, after, n1);
    free(before);
    free(after);
    assert_int_equal(wf_store_open(f->path, 0, &f->s, err, sizeof err), WF_OK);
}

static void test_busy_is_reported(void **state)
{
    fx *f = *state;
    sqlite3 *other;
    assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_busy_timeout(wf_store_db(f->s), 200); /* keep the test short */
    assert_int_equal(set(f, 1, "REFERRALS", "x", T0), WF_E_BUSY);
    assert_non_null(strstr(f->err, "busy"));
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    assert_int_equal(wf_override_count(f->s, 0), 0);
    assert_int_equal(set(f, 1, "REFERRALS", "x", T0), WF_OK);
}

static void child_writes(const char *path, int64_t contact, int n)
{
    wf_store *s;
    char err[512];
    if (wf_store_open(path, 0, &s, err, sizeof err) != WF_OK) _exit(3);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        wf_override_input in = {
            .source = i % 2 ? "REFERRALS" : "PAID_SEARCH", .reason = "race", .user = "child"};
        if (wf_override_set(s, contact, &in, NULL, T0 + i, NULL, err, sizeof err) != WF_OK) bad++;
    }
    wf_store_close(&s);
    _exit(bad ? 4 : 0);
}

static void test_two_processes_lose_nothing(void **state)
{
    fx *f = *state;
    wf_store_close(&f->s);
    pid_t a = fork();
    if (a == 0) child_writes(f->path, 1, 40);
    pid_t b = fork();
    if (b == 0) child_writes(f->path, 2, 40);
    int sa, sb;
    waitpid(a, &sa, 0);
    waitpid(b, &sb, 0);
    assert_true(WIFEXITED(sa) && WEXITSTATUS(sa) == 0);
    assert_true(WIFEXITED(sb) && WEXITSTATUS(sb) == 0);
    char err[256];
    assert_int_equal(wf_store_open(f->path, 0, &f->s, err, sizeof err), WF_OK);
    assert_int_equal(wf_override_count(f->s, 1), 40);
    assert_int_equal(wf_override_count(f->s, 2), 40);
}

/* A process killed in the middle of a bulk write leaves all or nothing. */
static void test_killed_mid_write_all_or_nothing(void **state)
{
    fx *f = *state;
    enum { N = 3000 };
    wf_store_exec(f->s, "WITH RECURSIVE n(i) AS (SELECT 1000 UNION ALL SELECT i+1 FROM n"
                        " WHERE i < 1000+2999) INSERT INTO contacts(id,created_at,src)"
                        " SELECT i, 0, 'OFFLINE' FROM n");
    wf_store_close(&f->s);
    for (int delay_us = 0; delay_us <= 40000; delay_us += 20000) {
        pid_t p = fork();
        if (p == 0) {
            wf_store *s;
            char err[512];
            if (wf_store_open(f->path, 0, &s, err, sizeof err) != WF_OK) _exit(3);
            static int64_t ids[N];
            static wf_override_input ins[N];
            for (int i = 0; i < N; i++) {
                ids[i] = 1000 + i;
                ins[i] = (wf_override_input){.source = "REFERRALS", .reason = "bulk"};
            }
            wf_override_set_many(s, ids, ins, NULL, N, T0, NULL, err, sizeof err);
            _exit(0);
        }
        usleep((useconds_t)delay_us);
        kill(p, SIGKILL);
        int st;
        waitpid(p, &st, 0);
        char err[256];
        assert_int_equal(wf_store_open(f->path, 0, &f->s, err, sizeof err), WF_OK);
        int64_t n = wf_override_count(f->s, 0);
        assert_true(n % N == 0); /* 0, N, 2N... never part of a batch */
        assert_int_equal(scalar(f, "SELECT count(*) FROM pragma_integrity_check"
                                   " WHERE integrity_check<>'ok'"),
                         0);
        assert_int_equal(scalar(f, "SELECT count(*) FROM computed WHERE flags & 512"),
                         scalar(f, "SELECT count(DISTINCT contact) FROM overrides"));
        wf_store_close(&f->s);
    }
    char err[256];
    assert_int_equal(wf_store_open(f->path, 0, &f->s, err, sizeof err), WF_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_set_makes_active),
        T(test_unknown_source_refused_with_list),
        T(test_lower_case_source_canonicalised),
        T(test_blank_reason_refused),
        T(test_unknown_contact),
        T(test_set_revert_set_keeps_three_rows),
        T(test_revert_without_override),
        T(test_revert_needs_reason),
        T(test_prev_is_previous_override),
        T(test_undo_first_set_reverts),
        T(test_undo_second_set_restores_first),
        T(test_undo_revert_restores_set),
        T(test_undo_nothing),
        T(test_cache_follows_override),
        T(test_cache_row_created),
        T(test_log_is_append_only),
        T(test_set_many_all_or_nothing),
        T(test_each_active_skips_reverted),
        cmocka_unit_test(test_default_user_not_empty),
        T(test_author_defaults_to_login),
        T(test_read_only_refuses_byte_identical),
        T(test_busy_is_reported),
        T(test_two_processes_lose_nothing),
        T(test_killed_mid_write_all_or_nothing),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
