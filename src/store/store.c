#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/schema.h"

struct wf_store {
    sqlite3 *db;
    char *path;
    int readonly;
    const char *ro_reason;
    int moved; /* the file was deleted or replaced after it was opened */
};

static void seterr(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errsz, const char *fmt, ...)
{
    if (!err || !errsz) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errsz, fmt, ap);
    va_end(ap);
}

wf_status wf_store_status(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return WF_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return WF_E_BUSY;
    case SQLITE_NOMEM:
        return WF_E_NOMEM;
    case SQLITE_READONLY:
        return WF_E_READONLY;
    case SQLITE_CORRUPT:
        return WF_E_CORRUPT;
    case SQLITE_NOTADB:
        return WF_E_NOTDB;
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
        return WF_E_IO;
    default:
        return WF_E_SOFTWARE;
    }
}

static int pragma_int(sqlite3 *db, const char *sql, int *out)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int(st, 0);
        rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

static wf_status describe_open_error(int rc, const char *path, char *err, size_t errsz)
{
    wf_status st = wf_store_status(rc);
    switch (st) {
    case WF_E_NOTDB:
        seterr(err, errsz, "%s: not a wherefrom database (not an SQLite file)", path);
        break;
    case WF_E_CORRUPT:
        seterr(err, errsz, "%s: the database file is corrupt (%s)", path, sqlite3_errstr(rc));
        break;
    case WF_E_BUSY:
        seterr(err, errsz, "%s: database is busy (locked by another process)", path);
        break;
    default:
        seterr(err, errsz, "%s: cannot open database: %s", path, sqlite3_errstr(rc));
        if (st == WF_OK) st = WF_E_IO;
        break;
    }
    return st;
}

static int count_tables(sqlite3 *db, int *n)
{
    return pragma_int(db, "SELECT count(*) FROM sqlite_schema", n);
}

static wf_status migrate(wf_store *s, int from, char *err, size_t errsz)
{
    int rc = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK) return describe_open_error(rc, s->path, err, errsz);
    for (int v = from + 1; v <= wf_schema_version(); v++) {
        char *msg = NULL;
        rc = sqlite3_exec(s->db, wf_schema_migration(v), NULL, NULL, &msg);
        if (rc != SQLITE_OK) {
            seterr(err, errsz, "%s: migration to schema version %d failed: %s", s->path, v,
                   msg ? msg : sqlite3_errstr(rc));
            sqlite3_free(msg);
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return rc == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR ? WF_E_IO : WF_E_SOFTWARE;
        }
    }
    char sql[96];
    snprintf(sql, sizeof sql, "PRAGMA application_id=%d; PRAGMA user_version=%d",
             WF_APPLICATION_ID, wf_schema_version());
    rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return describe_open_error(rc, s->path, err, errsz);
    }
    return WF_OK;
}

/* Reads application_id, user_version and the table count without writing,
 * and decides whether this file is ours, new, or to be refused. */
static wf_status check_identity(wf_store *s, int *version, char *err, size_t errsz)
{
    int app = 0, ver = 0, ntables = 0;
    int rc = pragma_int(s->db, "PRAGMA application_id", &app);
    if (rc == SQLITE_OK) rc = pragma_int(s->db, "PRAGMA user_version", &ver);
    if (rc == SQLITE_OK) rc = count_tables(s->db, &ntables);
    if (rc != SQLITE_OK) return describe_open_error(rc, s->path, err, errsz);
    if (app != WF_APPLICATION_ID && (ntables > 0 || ver != 0)) {
        seterr(err, errsz, "%s: not a wherefrom database (an SQLite file of another program)",
               s->path);
        return WF_E_NOTDB;
    }
    if (ver > wf_schema_version()) {
        seterr(err, errsz,
               "%s: written by a newer wherefrom (schema version %d; this build knows up to %d); "
               "upgrade wherefrom to open it",
               s->path, ver, wf_schema_version());
        return WF_E_NEWER;
    }
    *version = ver;
    return WF_OK;
}

/* A "file:" URI for path with immutable=1. */
static char *immutable_uri(const char *path)
{
    size_t n = strlen(path);
    char *u = malloc(3 * n + 32);
    if (!u) return NULL;
    char *d = u + sprintf(u, "file:%s", path[0] == '/' ? "//" : "");
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if (isalnum(*p) || strchr("/-._~", *p))
            *d++ = (char)*p;
        else
            d += sprintf(d, "%%%02X", *p);
    }
    strcpy(d, "?immutable=1");
    return u;
}

/* Checks an existing file's identity through an immutable read-only
 * connection before the real open: SQLite then takes no locks and creates
 * no -wal/-shm files, so a file we refuse is left exactly as it was (a
 * normal read-only open of a WAL file would leave both behind). Skipped
 * when a -wal or -journal file exists: the main file alone may then be
 * out of date. */
static wf_status precheck_identity(wf_store *s, char *err, size_t errsz)
{
    char side[4200];
    struct stat sb;
    if (snprintf(side, sizeof side, "%s-wal", s->path) >= (int)sizeof side || stat(side, &sb) == 0)
        return WF_OK;
    /* a hot rollback journal: only a normal open can roll it back */
    snprintf(side, sizeof side, "%s-journal", s->path);
    if (stat(side, &sb) == 0) return WF_OK;
    char *uri = immutable_uri(s->path);
    if (!uri) return WF_E_NOMEM;
    sqlite3 *db = NULL, *keep = s->db;
    int rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOFOLLOW,
                             NULL);
    free(uri);
    wf_status st;
    int version = 0;
    if (rc != SQLITE_OK) {
        st = describe_open_error(rc, s->path, err, errsz);
    } else {
        s->db = db;
        st = check_identity(s, &version, err, errsz);
        s->db = keep;
    }
    sqlite3_close(db);
    return st;
}

static void configure_connection(wf_store *s)
{
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    sqlite3_db_config(s->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
#endif
    sqlite3_exec(s->db, "PRAGMA trusted_schema=OFF", NULL, NULL, NULL);
    /* PRAGMA optimize at close may ANALYZE; on a 10M-row table an unbounded
     * analysis took 6-19 s after an audit. A sampled one is enough. */
    sqlite3_exec(s->db, "PRAGMA analysis_limit=1000", NULL, NULL, NULL);
    sqlite3_busy_timeout(s->db, 5000);
}

/* 1 when the reference schema `ref` has a trigger or view of that type,
 * name and exact SQL. */
static int known_code(sqlite3 *ref, const char *type, const char *name, const char *sql)
{
    sqlite3_stmt *q;
    int found = 0;
    if (sqlite3_prepare_v2(ref, "SELECT 1 FROM sqlite_schema WHERE type=?1 AND name=?2 AND sql=?3",
                           -1, &q, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, sql ? sql : "", -1, SQLITE_STATIC);
    found = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return found;
}

/* Triggers and views run their author's SQL inside our statements (a trigger
 * could erase the overrides log, a view forge values), and defensive mode
 * does not stop that. Accept only the ones our own schema of that version
 * creates, byte for byte (tests/test_faults: crafted_*). */
static wf_status check_schema_code(wf_store *s, int version, char *err, size_t errsz)
{
    sqlite3 *ref = NULL;
    wf_status st = WF_E_SOFTWARE;
    int ok = sqlite3_open_v2(":memory:", &ref, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK;
    for (int v = 1; ok && v <= version; v++)
        ok = sqlite3_exec(ref, wf_schema_migration(v), NULL, NULL, NULL) == SQLITE_OK;
    if (!ok) {
        seterr(err, errsz, "%s: cannot check the database schema: %s", s->path,
               ref ? sqlite3_errmsg(ref) : "out of memory");
        goto done;
    }
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(s->db,
                                "SELECT type, name, sql FROM sqlite_schema"
                                " WHERE type IN ('trigger','view') ORDER BY name",
                                -1, &q, NULL);
    if (rc != SQLITE_OK) {
        st = describe_open_error(rc, s->path, err, errsz);
        goto done;
    }
    st = WF_OK;
    while (st == WF_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(q, 0);
        const char *name = (const char *)sqlite3_column_text(q, 1);
        if (known_code(ref, type, name, (const char *)sqlite3_column_text(q, 2))) continue;
        seterr(err, errsz,
               "%s: not a wherefrom database (it contains a %s named \"%s\" that wherefrom did "
               "not create; refusing to run it)",
               s->path, type, name ? name : "");
        st = WF_E_NOTDB;
    }
    if (st == WF_OK && rc != SQLITE_DONE) st = describe_open_error(rc, s->path, err, errsz);
    sqlite3_finalize(q);
done:
    sqlite3_close(ref);
    return st;
}

wf_status wf_store_open(const char *path, unsigned flags, wf_store **out, char *err, size_t errsz)
{
    *out = NULL;
    if (!path || !*path) {
        seterr(err, errsz, "no database file given");
        return WF_E_USAGE;
    }
    struct stat sb;
    int exists = stat(path, &sb) == 0;
    if (exists && S_ISDIR(sb.st_mode)) {
        seterr(err, errsz, "%s: is a directory, not a database file", path);
        return WF_E_NOINPUT;
    }
    /* A FIFO would block the open forever, a device reads as garbage
     * (tests/test_faults: odd_database_paths). */
    if (exists && !S_ISREG(sb.st_mode) && strcmp(path, ":memory:") != 0) {
        seterr(err, errsz, "%s: not a regular file, so not a database file", path);
        return WF_E_NOINPUT;
    }
    struct stat lsb; /* SQLITE_OPEN_NOFOLLOW below refuses links: say so */
    if (exists && lstat(path, &lsb) == 0 && S_ISLNK(lsb.st_mode)) {
        seterr(err, errsz,
               "%s: is a symbolic link; wherefrom opens only the database file itself "
               "(give its real path)",
               path);
        return WF_E_NOINPUT;
    }
    int want_ro = (flags & WF_STORE_READONLY) != 0;
    if (!exists) {
        if (errno != ENOENT) {
            seterr(err, errsz, "%s: %s", path, strerror(errno));
            return WF_E_IO;
        }
        if (want_ro || !(flags & WF_STORE_CREATE)) {
            seterr(err, errsz, "%s: no such database file", path);
            return WF_E_NOINPUT;
        }
    }
    int file_ro = exists && access(path, W_OK) != 0;

    wf_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        return WF_E_NOMEM;
    }
    s->readonly = want_ro || file_ro;
    s->ro_reason = want_ro ? "opened with --read-only" : file_ro ? "the file is not writable" : NULL;
    wf_status st = exists ? precheck_identity(s, err, errsz) : WF_OK;
    if (st != WF_OK) goto fail;
    int oflags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOFOLLOW, NULL);
    if (rc != SQLITE_OK) {
        if (!exists)
            seterr(err, errsz, "%s: cannot create database: %s", path,
                   errno ? strerror(errno) : sqlite3_errstr(rc));
        else
            describe_open_error(rc, path, err, errsz);
        st = exists ? wf_store_status(rc) : WF_E_IO;
        if (st == WF_OK) st = WF_E_IO;
        goto fail;
    }
    configure_connection(s);
    int version = 0;
    if ((st = check_identity(s, &version, err, errsz)) != WF_OK) goto fail;
    if (version > 0 && (st = check_schema_code(s, version, err, errsz)) != WF_OK) goto fail;
    if (version < wf_schema_version()) {
        if (s->readonly) {
            seterr(err, errsz,
                   "%s: needs an upgrade to schema version %d, but it is read-only (%s)", path,
                   wf_schema_version(), s->ro_reason);
            st = WF_E_READONLY;
            goto fail;
        }
        if ((st = migrate(s, version, err, errsz)) != WF_OK) goto fail;
    }
    if (!s->readonly) {
        sqlite3_exec(s->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
        sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    }
    sqlite3_exec(s->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    *out = s;
    return WF_OK;
fail:
    sqlite3_close(s->db);
    s->db = NULL;
    if (!exists) unlink(path); /* we created it: leave nothing behind */
    free(s->path);
    free(s);
    return st;
}

void wf_store_close(wf_store **sp)
{
    if (!sp || !*sp) return;
    wf_store *s = *sp;
    if (s->db) {
        if (!s->readonly) sqlite3_exec(s->db, "PRAGMA optimize", NULL, NULL, NULL);
        sqlite3_close_v2(s->db);
    }
    free(s->path);
    free(s);
    *sp = NULL;
}

sqlite3 *wf_store_db(wf_store *s)
{
    return s->db;
}

const char *wf_store_path(const wf_store *s)
{
    return s->path;
}

int wf_store_is_readonly(const wf_store *s)
{
    return s->readonly;
}

const char *wf_store_readonly_reason(const wf_store *s)
{
    return s->ro_reason ? s->ro_reason : "";
}

const char *wf_store_errmsg(wf_store *s)
{
    if (s->moved)
        return "the database file was deleted or replaced after it was opened; nothing was "
               "written (open the database again)";
    return sqlite3_errmsg(s->db);
}

wf_status wf_store_check_writable(wf_store *s, char *err, size_t errsz)
{
    if (!s->readonly) return WF_OK;
    seterr(err, errsz, "%s: read-only (%s); nothing was changed", s->path, s->ro_reason);
    return WF_E_READONLY;
}

wf_status wf_store_exec(wf_store *s, const char *sql)
{
    return wf_store_status(sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

wf_status wf_store_begin(wf_store *s)
{
    if (s->readonly) return WF_E_READONLY;
    /* In WAL mode SQLite goes on writing to a file that was deleted or
     * replaced under it: the write would be lost with the old inode
     * (tests/test_faults: database_deleted_while_inspector_open). */
    int moved = 0;
    if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
        s->moved = 1;
        return WF_E_IO;
    }
    return wf_store_exec(s, "BEGIN IMMEDIATE");
}

wf_status wf_store_commit(wf_store *s)
{
    wf_status st = wf_store_exec(s, "COMMIT");
    if (st != WF_OK) wf_store_rollback(s);
    return st;
}

void wf_store_rollback(wf_store *s)
{
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

char *wf_store_setting_get(wf_store *s, const char *key)
{
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM settings WHERE key=?", -1, &st, NULL))
        return NULL;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        if (t) v = strdup(t);
    }
    sqlite3_finalize(st);
    return v;
}

wf_status wf_store_setting_set(wf_store *s, const char *key, const char *value)
{
    if (s->readonly) return WF_E_READONLY;
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        s->db, "INSERT INTO settings(key,value) VALUES(?,?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        -1, &st, NULL);
    if (rc) return wf_store_status(rc);
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return wf_store_status(rc);
}

int64_t wf_store_count_contacts(wf_store *s)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM contacts WHERE merged_into IS NULL", -1,
                           &st, NULL))
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static int is_integer(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

wf_status wf_store_find_contact(wf_store *s, const char *spec, int64_t *id)
{
    if (!spec || !*spec) return WF_E_USAGE;
    sqlite3_stmt *st;
    const char *sql = is_integer(spec)
                          ? "SELECT id, merged_into FROM contacts WHERE id=CAST(?1 AS INTEGER)"
                          : "SELECT id, merged_into FROM contacts WHERE email=?1 COLLATE NOCASE "
                            "ORDER BY merged_into IS NOT NULL, id LIMIT 1";
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc) return wf_store_status(rc);
    sqlite3_bind_text(st, 1, spec, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    wf_status res = WF_E_NOTFOUND;
    if (rc == SQLITE_ROW) {
        int64_t cur = sqlite3_column_int64(st, 0);
        int64_t into = sqlite3_column_int64(st, 1);
        /* follow merged_into, at most a few hops (cycles are possible in bad data) */
        for (int hop = 0; into && into != cur && hop < 16; hop++) {
            sqlite3_reset(st);
            sqlite3_finalize(st);
            st = NULL;
            if (sqlite3_prepare_v2(s->db, "SELECT id, merged_into FROM contacts WHERE id=?", -1,
                                   &st, NULL))
                break;
            sqlite3_bind_int64(st, 1, into);
            if (sqlite3_step(st) != SQLITE_ROW) break;
            cur = sqlite3_column_int64(st, 0);
            into = sqlite3_column_int64(st, 1);
        }
        *id = cur;
        res = WF_OK;
    } else if (rc != SQLITE_DONE) {
        res = wf_store_status(rc);
    }
    sqlite3_finalize(st);
    return res;
}
