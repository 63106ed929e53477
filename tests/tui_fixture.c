/* Test databases for the inspector tests (see tui_fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "tui_fixture.h"

static const char *const channels[] = {"IMPORT", "FORM", "API"};
static const char *const sources[] = {"OFFLINE", "ORGANIC_SEARCH", "PAID_SEARCH"};
static const char *const dd1s[] = {"IMPORT", "google", "spring sale"};

#define T0 1704067200000LL /* 2024-01-01T00:00:00Z */
#define HOUR 3600000LL

const char *fix_db_path(const char *name, char *buf, size_t bufsz)
{
    const char *dir = getenv("TESTS_TMPDIR");
    snprintf(buf, bufsz, "%s/%s.db", dir && *dir ? dir : "/tmp", name);
    return buf;
}

wf_store *fix_open(const char *name, unsigned flags)
{
    char path[1024], err[512] = "";
    wf_store *s = NULL;
    wf_status st = wf_store_open(fix_db_path(name, path, sizeof path), flags, &s, err, sizeof err);
    if (st != WF_OK) fail_msg("cannot open %s: %s", path, err);
    return s;
}

static void insert(sqlite3 *db, int64_t id, const char *first, const char *last, const char *email,
                   int64_t created, const char *ch, const char *src, const char *dd1)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "INSERT INTO contacts(id, firstname, lastname, email,"
                                        " company, created_at, channel, src, src_dd1)"
                                        " VALUES(?,?,?,?,'Acme',?,?,?,?)",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, first, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, last, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, email, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, created);
    sqlite3_bind_text(st, 6, ch, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, src, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, dd1, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static void plain_contacts(sqlite3 *db)
{
    char first[32], last[32], email[64];
    for (int i = 1; i <= FIX_N_PLAIN; i++) {
        snprintf(first, sizeof first, "First%d", i);
        snprintf(last, sizeof last, "Last%d", i);
        snprintf(email, sizeof email, "person%d@example.org", i);
        insert(db, i, first, last, email, T0 + i * HOUR, channels[i % 3], sources[i % 3],
               dd1s[i % 3]);
    }
}

static void special_contacts(sqlite3 *db)
{
    /* created in 2023, so they come first in created order */
    insert(db, FIX_CJK, "\xe5\xb1\xb1\xe7\x94\xb0", "\xe5\xa4\xaa\xe9\x83\x8e", "yamada@example.jp",
           T0 - 40 * 24 * HOUR, "FORM", "REFERRALS", "news.example.jp");
    insert(db, FIX_HOSTILE, "\x1b]0;pwned\x07 Eve",
           "\xe2\x80\xae"
           "evil",
           "eve@example.org", T0 - 30 * 24 * HOUR, "API", "OFFLINE", "API");
    insert(db, FIX_MERGED, "Lee", "Park", "lee@example.org", T0 - 20 * 24 * HOUR, "SALESFORCE",
           "REFERRALS", "news.example.com");
    insert(db, FIX_COMBINING, "Zoe\xcc\x88", "Ame\xcc\x81lie", "zoe@example.org",
           T0 - 10 * 24 * HOUR, "IMPORT", "OFFLINE", "IMPORT");
    /* a computed cache row with markers: stored-differs, changed, merged */
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO computed(contact, source, dd1, eff_source, eff_dd1, flags)"
             " VALUES(%d, 'ORGANIC_SEARCH', 'google', 'ORGANIC_SEARCH', 'google', %u)",
             FIX_MERGED, 1u | (1u << 8) | (1u << 10));
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

/* Events for 1003: a Google visit before the Salesforce creation, linked
 * later by a form, and HubSpot's two stored changes: a full story for the
 * Timeline, Why and History tabs. */
static const char events_1003[] =
    "INSERT INTO pageviews(token, at, url, referrer) VALUES"
    " ('tok1003', 1701424800000, 'https://www.example.com/', 'https://www.google.com/'),"
    " ('tok1003', 1701424920000, 'https://www.example.com/pricing', 'https://www.example.com/');"
    "INSERT INTO tokens(token, contact, linked_at, linked_by, ref) VALUES"
    " ('tok1003', 1003, 1703062800000, 'form', 'f-demo');"
    "INSERT INTO forms(contact, at, form_id, conversion_id, page_url, token) VALUES"
    " (1003, 1703062800000, 'f-demo', 'conv-1', 'https://www.example.com/demo', 'tok1003');"
    "INSERT INTO history(contact, property, value, at, source_type, source_id) VALUES"
    " (1003, 'hs_analytics_source', 'OFFLINE', 1702339200000, 'ANALYTICS', 'worker'),"
    " (1003, 'hs_analytics_source', 'ORGANIC_SEARCH', 1703062800000, 'ANALYTICS', 'worker');";

wf_store *fix_build(const char *name)
{
    char path[1024];
    fix_db_path(name, path, sizeof path);
    unlink(path);
    char wal[1100];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    wf_store *s = fix_open(name, WF_STORE_CREATE);
    sqlite3 *db = wf_store_db(s);
    assert_int_equal(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    plain_contacts(db);
    special_contacts(db);
    assert_int_equal(sqlite3_exec(db, events_1003, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    return s;
}
