/* wf_import_files: one transaction over all files; per file, detection of
 * the format, then records one at a time (split by the scanner, parsed by
 * cJSON, written by a reader). */
#include "import/import.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "import/reader.h"
#include "import/scan.h"

#define WF_STR_(x) #x
#define WF_STR(x) WF_STR_(x)

typedef struct {
    wf_store *s;
    const wf_import_opts *o;
    wf_import_report *rep;
    wf_imp im;
    FILE *errors;
    char *err;
    size_t errsz;
    int first_error_kept;
    sqlite3_stmt *sp[3]; /* SAVEPOINT / RELEASE / ROLLBACK TO, per record */
    /* progress */
    double t0, last_print;
    int64_t bytes_total, bytes_before;
    int progress_shown;
    int own_txn, was_wal;
} imp_ctx;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* FILE:RECORD(byte OFFSET): field: what is wrong. The first error goes to
 * err; with skip_bad each one is also printed. */
static void report(imp_ctx *c, const char *path, int64_t recno, int64_t off, const char *field,
                   const char *msg)
{
    char line[1024];
    snprintf(line, sizeof line, "%s:%lld(byte %lld): %s: %s", path, (long long)recno,
             (long long)off, field && *field ? field : "-", msg);
    if (!c->first_error_kept) {
        snprintf(c->err, c->errsz, "%s", line);
        c->first_error_kept = 1;
    }
    if (c->o->skip_bad) {
        if (c->progress_shown) fputs("\r\033[K", c->errors);
        fprintf(c->errors, "wherefrom: %s (skipped)\n", line);
    }
}

static void progress(imp_ctx *c, wf_scan *sc)
{
    if (!c->o->progress) return;
    double t = now_s();
    int delay = c->o->progress_delay_ms > 0 ? c->o->progress_delay_ms : 1000;
    if (t - c->t0 < delay / 1000.0 || t - c->last_print < 0.25) return;
    c->last_print = t;
    c->progress_shown = 1;
    double done = (double)(c->bytes_before + wf_scan_pos(sc));
    double rate = done / (t - c->t0);
    char eta[32] = "?";
    if (c->bytes_total > 0 && rate > 0) {
        long left = (long)(((double)c->bytes_total - done) / rate);
        if (left < 0) left = 0;
        snprintf(eta, sizeof eta, "%ld:%02ld", left / 60, left % 60);
    }
    fprintf(stderr, "\r%lld records  %.1f MB/s  ETA %s ", (long long)c->rep->records, rate / 1e6,
            eta);
    fflush(stderr);
}

static int has(const cJSON *o, const char *k)
{
    return wf_imp_get(o, k) != NULL;
}

/* The format a file's records are in, from how they are wrapped and from
 * the first record; NULL when it is none we know. */
static const char *detect(wf_scan_wrap w, const cJSON *first)
{
    if (w == WF_WRAP_CONTACTS) return "v1";
    if (has(first, "eventType")) return "events";
    if (w == WF_WRAP_RESULTS) return has(first, "id") ? "v3" : NULL;
    if (has(first, "vid") || has(first, "canonical-vid")) return "v1";
    if (has(first, "id") && (has(first, "properties") || has(first, "propertiesWithHistory") ||
                             has(first, "createdAt")))
        return "v3";
    return NULL;
}

static wf_status dispatch(imp_ctx *c, const char *fmt, const cJSON *rec)
{
    if (!strcmp(fmt, "v3")) return wf_import_v3_record(&c->im, rec);
    if (!strcmp(fmt, "v1")) return wf_import_v1_profile(&c->im, rec);
    if (!strcmp(fmt, "events")) return wf_import_event(&c->im, rec);
    return wf_import_native(&c->im, rec);
}

static wf_status step(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? WF_OK : wf_store_status(rc);
}

/* Deepest nesting outside strings (NDJSON lines are not pre-scanned). */
static size_t too_deep(const char *p, size_t n)
{
    int depth = 0, in_str = 0;
    for (size_t i = 0; i < n; i++) {
        if (in_str) {
            if (p[i] == '\\')
                i++;
            else if (p[i] == '"')
                in_str = 0;
        } else if (p[i] == '"')
            in_str = 1;
        else if (p[i] == '{' || p[i] == '[') {
            if (++depth > WF_SCAN_MAX_DEPTH) return i + 1;
        } else if (p[i] == '}' || p[i] == ']')
            depth--;
    }
    return 0;
}

/* Parses one record; on failure fills where/what. */
static cJSON *parse(const wf_scan_rec *r, wf_scan_err *e)
{
    char field[128];
    int64_t bad = wf_utf8_check(r->json, r->len);
    if (bad >= 0) {
        wf_scan_field_at(r->json, r->len, (size_t)bad, field, sizeof field);
        *e = (wf_scan_err){.recno = r->recno, .offset = r->offset + bad};
        snprintf(e->field, sizeof e->field, "%s", *field ? field : "-");
        snprintf(e->msg, sizeof e->msg, "invalid UTF-8 (byte 0x%02x)", (unsigned char)r->json[bad]);
        return NULL;
    }
    size_t deep = too_deep(r->json, r->len);
    const char *end = NULL;
    cJSON *j = deep ? NULL : cJSON_ParseWithLengthOpts(r->json, r->len, &end, 0);
    size_t pos = deep ? deep - 1 : end ? (size_t)(end - r->json) : 0;
    const char *what = "malformed JSON";
    if (j) {
        while (pos < r->len && strchr(" \t\r\n", r->json[pos]))
            pos++;
        if (pos == r->len) return j;
        cJSON_Delete(j);
        what = "malformed JSON (unexpected data after the value)";
    } else if (deep) {
        what = "nested deeper than " WF_STR(WF_SCAN_MAX_DEPTH) " levels";
    } else if (pos >= r->len) {
        what = "malformed JSON (ends too early)";
    }
    wf_scan_field_at(r->json, r->len, pos, field, sizeof field);
    *e = (wf_scan_err){.recno = r->recno, .offset = r->offset + (int64_t)pos};
    snprintf(e->field, sizeof e->field, "%s", *field ? field : "-");
    snprintf(e->msg, sizeof e->msg, "%s", what);
    return NULL;
}

/* Imports one parsed record, inside a savepoint when bad ones are skipped
 * so a record is all or nothing. */
static wf_status one_record(imp_ctx *c, const char *fmt, const cJSON *j)
{
    if (!c->o->skip_bad) return dispatch(c, fmt, j);
    wf_import_report saved = *c->rep;
    wf_status st = step(c->sp[0]);
    if (st != WF_OK) return st;
    st = dispatch(c, fmt, j);
    if (st == WF_OK) return step(c->sp[1]);
    step(c->sp[2]);
    step(c->sp[1]);
    wf_ingest_forget(c->im.ig);
    *c->rep = saved;
    return st;
}

typedef struct {
    const char *path, *fmt;
    int64_t records, skipped;
} file_state;

/* A record-level problem: fatal, or counted and reported with skip_bad. */
static wf_status bad_record(imp_ctx *c, file_state *f, const wf_scan_err *e, wf_status st)
{
    report(c, f->path, e->recno, e->offset, e->field, e->msg);
    if (!c->o->skip_bad || st != WF_E_DATA) return st;
    c->rep->skipped++;
    f->skipped++;
    return WF_OK;
}

static wf_status handle(imp_ctx *c, file_state *f, wf_scan *sc, const wf_scan_rec *r)
{
    wf_scan_err e;
    f->records++;
    c->rep->records++;
    if (r->bad) return bad_record(c, f, &r->err, WF_E_DATA);
    cJSON *j = parse(r, &e);
    if (!j) return bad_record(c, f, &e, WF_E_DATA);
    if (!f->fmt) {
        f->fmt = detect(wf_scan_wrapping(sc), j);
        if (!f->fmt) {
            cJSON_Delete(j);
            e = (wf_scan_err){.recno = r->recno, .offset = r->offset};
            snprintf(e.field, sizeof e.field, "-");
            snprintf(e.msg, sizeof e.msg,
                     "not a HubSpot export or wherefrom event log (no results/contacts list, "
                     "and the record has no id, vid or eventType); use --format to force one");
            report(c, f->path, e.recno, e.offset, e.field, e.msg);
            return WF_E_DATA; /* the whole file is refused */
        }
    }
    wf_status st = one_record(c, f->fmt, j);
    cJSON_Delete(j);
    if (st == WF_E_DATA) {
        e = (wf_scan_err){.recno = r->recno, .offset = r->offset};
        snprintf(e.field, sizeof e.field, "%s", c->im.field);
        snprintf(e.msg, sizeof e.msg, "%s", c->im.msg);
        return bad_record(c, f, &e, st);
    }
    if (st != WF_OK) {
        char msg[300];
        snprintf(msg, sizeof msg, "cannot write to the database: %s", wf_ingest_errmsg(c->im.ig));
        report(c, f->path, r->recno, r->offset, "-", msg);
    }
    return st;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static wf_status import_file(imp_ctx *c, const char *path)
{
    file_state f = {.path = path, .fmt = c->o->format};
    int nd = f.fmt ? !strcmp(f.fmt, "ndjson")
                   : ends_with(path, ".ndjson") || ends_with(path, ".jsonl") ||
                         wf_scan_looks_ndjson(path);
    if (nd) f.fmt = "ndjson";
    wf_scan *sc;
    wf_scan_err e;
    wf_status st = wf_scan_open(path, nd ? WF_SCAN_NDJSON : WF_SCAN_JSON, &sc, &e);
    if (st != WF_OK) {
        if (st == WF_E_NOMEM) return st;
        report(c, path, e.recno, e.offset, e.field, e.msg);
        if (st == WF_E_DATA && c->o->skip_bad) {
            c->rep->skipped++;
            return WF_OK;
        }
        return st;
    }
    for (;;) {
        wf_scan_rec r;
        st = wf_scan_next(sc, &r, &e);
        if (st != WF_OK) {
            /* the file cannot be split any further */
            report(c, path, e.recno, e.offset, e.field, e.msg);
            if (st == WF_E_DATA && c->o->skip_bad) {
                c->rep->skipped++;
                f.skipped++;
                st = WF_OK;
            }
            break;
        }
        if (!r.json) break;
        st = handle(c, &f, sc, &r);
        if (st != WF_OK) break;
        if ((c->rep->records & 1023) == 0) progress(c, sc);
    }
    c->bytes_before += wf_scan_pos(sc);
    wf_scan_free(&sc);
    if (st == WF_OK) {
        c->rep->files++;
        st = wf_ingest_log_file(c->im.ig, path, f.fmt ? f.fmt : "empty", f.records, f.skipped);
    }
    return st;
}

static int valid_format(const char *f)
{
    return !f || !strcmp(f, "v3") || !strcmp(f, "v1") || !strcmp(f, "events") ||
           !strcmp(f, "ndjson");
}

static wf_status import_all(imp_ctx *c, const char *const *paths, size_t n)
{
    wf_status st = WF_OK;
    for (size_t i = 0; i < n && st == WF_OK; i++)
        st = import_file(c, paths[i]);
    if (st == WF_OK) st = wf_ingest_finish(c->im.ig, &c->rep->pending);
    return st;
}

static wf_status prepare_savepoints(imp_ctx *c)
{
    static const char *const sql[] = {"SAVEPOINT wf_rec", "RELEASE wf_rec", "ROLLBACK TO wf_rec"};
    for (int i = 0; i < 3; i++) {
        int rc = sqlite3_prepare_v2(wf_store_db(c->s), sql[i], -1, &c->sp[i], NULL);
        if (rc) return wf_store_status(rc);
    }
    return WF_OK;
}

static int64_t total_size(const char *const *paths, size_t n)
{
    int64_t t = 0;
    struct stat sb;
    for (size_t i = 0; i < n; i++)
        if (stat(paths[i], &sb) == 0 && S_ISREG(sb.st_mode)) t += sb.st_size;
    return t;
}

static int journal_is_wal(wf_store *s)
{
    sqlite3_stmt *q;
    int wal = 0;
    if (sqlite3_prepare_v2(wf_store_db(s), "PRAGMA journal_mode", -1, &q, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *m = sqlite3_column_text(q, 0);
        wal = m && strcmp((const char *)m, "wal") == 0;
    }
    sqlite3_finalize(q);
    return wal;
}

/* Starts the one transaction of an import (a savepoint when the caller
 * already holds one). A bulk load into a rollback journal writes each page
 * once; WAL writes it twice (log, then checkpoint): the mode goes back to
 * WAL afterwards, and when another connection holds the file it simply
 * stays WAL. */
static wf_status txn_begin(imp_ctx *c)
{
    sqlite3 *db = wf_store_db(c->s);
    /* a large page cache for the bulk load, but bounded (peak RSS target) */
    sqlite3_exec(db, "PRAGMA cache_size=-32768; PRAGMA temp_store=FILE", NULL, NULL, NULL);
    c->own_txn = sqlite3_get_autocommit(db);
    c->was_wal = c->own_txn && journal_is_wal(c->s);
    if (c->was_wal) sqlite3_exec(db, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL);
    wf_status st = c->own_txn ? wf_store_begin(c->s) : wf_store_exec(c->s, "SAVEPOINT wf_import");
    if (st != WF_OK) {
        snprintf(c->err, c->errsz, "%s: cannot start a transaction: %s", wf_store_path(c->s),
                 wf_store_errmsg(c->s));
        if (c->was_wal) sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    }
    return st;
}

/* Commits when st is WF_OK, else rolls everything back. */
static wf_status txn_end(imp_ctx *c, wf_status st)
{
    if (c->own_txn)
        st = st == WF_OK ? wf_store_commit(c->s) : (wf_store_rollback(c->s), st);
    else if (st == WF_OK)
        st = wf_store_exec(c->s, "RELEASE wf_import");
    else {
        wf_store_exec(c->s, "ROLLBACK TO wf_import");
        wf_store_exec(c->s, "RELEASE wf_import");
    }
    if (st != WF_OK && !c->first_error_kept)
        snprintf(c->err, c->errsz, "%s: %s", wf_store_path(c->s), wf_store_errmsg(c->s));
    if (c->was_wal) sqlite3_exec(wf_store_db(c->s), "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    return st;
}

wf_status wf_import_files(wf_store *s, const char *const *paths, size_t n,
                          const wf_import_opts *opts, wf_import_report *rep, char *err,
                          size_t errsz)
{
    memset(rep, 0, sizeof *rep);
    if (errsz) *err = 0;
    static const wf_import_opts defaults = {0};
    if (!opts) opts = &defaults;
    if (!valid_format(opts->format)) {
        snprintf(err, errsz, "unknown format '%s' (expected v3, v1, events or ndjson)",
                 opts->format);
        return WF_E_USAGE;
    }
    wf_status st = wf_store_check_writable(s, err, errsz);
    if (st != WF_OK) return st;
    /* opts->progress only asks; a progress line needs a terminal */
    wf_import_opts o = *opts;
    o.progress = opts->progress && isatty(STDERR_FILENO);
    imp_ctx c = {.s = s, .o = &o, .rep = rep, .err = err, .errsz = errsz};
    c.errors = opts->errors ? opts->errors : stderr;
    c.im.rep = rep;
    c.t0 = now_s();
    c.bytes_total = total_size(paths, n);
    st = txn_begin(&c);
    if (st != WF_OK) return st;
    st = wf_ingest_new(s, &c.im.ig);
    if (st == WF_OK && opts->skip_bad) st = prepare_savepoints(&c);
    if (st == WF_OK) st = import_all(&c, paths, n);
    for (int i = 0; i < 3; i++)
        sqlite3_finalize(c.sp[i]);
    wf_ingest_free(&c.im.ig);
    st = txn_end(&c, st);
    if (c.progress_shown) fputs("\r\033[K", stderr);
    if (st != WF_OK) {
        *rep = (wf_import_report){0}; /* nothing was imported */
        return st;
    }
    return rep->skipped ? WF_E_SKIPPED : WF_OK;
}
