/* The append-only local overrides log (see overrides.h). */
#include "store/overrides.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/vocab.h"

#define ROW_COLS                                                                                   \
    "id, contact, at, user, action, source, dd1, dd2, reason, prev_source, prev_dd1, prev_dd2,"    \
    " computed_source, computed_dd1, computed_dd2, plan"

/* What the contact looks like right before a write. All strings owned. */
typedef struct {
    int64_t active_id; /* 0: no active override */
    char *act_src, *act_dd1, *act_dd2;
    int has_cache;
    char *c_src, *c_dd1, *c_dd2; /* computed cache */
    char *s_src, *s_dd1, *s_dd2; /* stored (as imported) */
} state;

static void state_clear(state *st)
{
    char **all[] = {&st->act_src, &st->act_dd1, &st->act_dd2, &st->c_src, &st->c_dd1,
                    &st->c_dd2,   &st->s_src,   &st->s_dd1,   &st->s_dd2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        free(*all[i]);
        *all[i] = NULL;
    }
    st->active_id = 0;
    st->has_cache = 0;
}

static char *dup_col(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? strdup((const char *)t) : NULL;
}

static const char *nz(const char *s)
{
    return s && *s ? s : NULL;
}

void wf_override_row_clear(wf_override_row *r)
{
    char **all[] = {
        &r->user,         &r->reason,      &r->plan,     &r->source,   &r->dd1,
        &r->dd2,          &r->prev_source, &r->prev_dd1, &r->prev_dd2, &r->computed_source,
        &r->computed_dd1, &r->computed_dd2};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        free(*all[i]);
        *all[i] = NULL;
    }
    memset(r, 0, sizeof *r);
}

void wf_override_default_user(char *buf, size_t size)
{
    const char *name = NULL;
    struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name && *pw->pw_name) name = pw->pw_name;
    if (!name) name = nz(getlogin());
    if (!name) name = nz(getenv("USER"));
    if (!name) name = "unknown";
    snprintf(buf, size, "%s", name);
}

static int is_blank(const char *s)
{
    if (!s) return 1;
    for (; *s; s++)
        if (!isspace((unsigned char)*s)) return 0;
    return 1;
}

wf_status wf_override_check_source(const char *value, char *canon, size_t canonsz, char *err,
                                   size_t errsz)
{
    char up[64];
    size_t n = value ? strlen(value) : 0;
    if (n > 0 && n < sizeof up) {
        for (size_t i = 0; i <= n; i++)
            up[i] = (char)toupper((unsigned char)value[i]);
        wf_source s = wf_source_from_name(up);
        if (s >= 0 && s < SRC_COUNT) {
            snprintf(canon, canonsz, "%s", wf_source_name(s));
            return WF_OK;
        }
    }
    wf_buf b = WF_BUF_INIT;
    if (n == 0)
        wf_buf_puts(&b, "a source value is required; valid values:");
    else {
        wf_buf shown = WF_BUF_INIT; /* user input: escaped before it reaches a terminal */
        wf_text_escape_n(&shown, value, n < 40 ? n : 40);
        wf_buf_printf(&b, "unknown source value '%s'; valid values:", wf_buf_str(&shown));
        wf_buf_free(&shown);
    }
    for (int i = 0; i < SRC_COUNT; i++)
        wf_buf_printf(&b, "%s %s", i ? "," : "", wf_source_name((wf_source)i));
    snprintf(err, errsz, "%s", wf_buf_str(&b));
    wf_buf_free(&b);
    return WF_E_USAGE;
}

static wf_status sql_fail(wf_store *s, int rc, const char *what, char *err, size_t errsz)
{
    wf_status st = wf_store_status(rc);
    if (st == WF_OK) st = WF_E_SOFTWARE;
    if (st == WF_E_BUSY)
        snprintf(err, errsz,
                 "%s: database is busy (locked by another process); nothing was changed",
                 wf_store_path(s));
    else
        snprintf(err, errsz, "%s: %s failed: %s", wf_store_path(s), what, wf_store_errmsg(s));
    return st;
}

static int load_active(sqlite3 *db, int64_t contact, state *st)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT id, action, source, dd1, dd2 FROM overrides"
                                " WHERE contact=? ORDER BY id DESC LIMIT 1",
                                -1, &q, NULL);
    if (rc) return rc;
    sqlite3_bind_int64(q, 1, contact);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        if (strcmp((const char *)sqlite3_column_text(q, 1), "set") == 0) {
            st->active_id = sqlite3_column_int64(q, 0);
            st->act_src = dup_col(q, 2);
            st->act_dd1 = dup_col(q, 3);
            st->act_dd2 = dup_col(q, 4);
        }
        rc = SQLITE_DONE;
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Fills st; WF_E_NOTFOUND when the contact does not exist. */
static wf_status load_state(wf_store *s, int64_t contact, state *st, char *err, size_t errsz)
{
    sqlite3 *db = wf_store_db(s);
    sqlite3_stmt *q;
    int rc =
        sqlite3_prepare_v2(db,
                           "SELECT c.src, c.src_dd1, c.src_dd2, k.contact, k.source, k.dd1, k.dd2"
                           " FROM contacts c LEFT JOIN computed k ON k.contact=c.id WHERE c.id=?",
                           -1, &q, NULL);
    if (rc) return sql_fail(s, rc, "reading the contact", err, errsz);
    sqlite3_bind_int64(q, 1, contact);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        st->s_src = dup_col(q, 0);
        st->s_dd1 = dup_col(q, 1);
        st->s_dd2 = dup_col(q, 2);
        st->has_cache = sqlite3_column_type(q, 3) != SQLITE_NULL;
        st->c_src = dup_col(q, 4);
        st->c_dd1 = dup_col(q, 5);
        st->c_dd2 = dup_col(q, 6);
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE) {
        snprintf(err, errsz, "no contact with id %lld", (long long)contact);
        return WF_E_NOTFOUND;
    }
    if (rc != SQLITE_ROW) return sql_fail(s, rc, "reading the contact", err, errsz);
    rc = load_active(db, contact, st);
    if (rc) return sql_fail(s, rc, "reading the overrides log", err, errsz);
    return WF_OK;
}

/* The computed value "at this moment": the caller's, else the cache's,
 * else the stored one (a database never recomputed). */
static wf_override_value pick_computed(const state *st, const wf_override_value *given)
{
    if (given && given->source) return *given;
    if (st->has_cache && st->c_src) return (wf_override_value){st->c_src, st->c_dd1, st->c_dd2};
    return (wf_override_value){st->s_src, st->s_dd1, st->s_dd2};
}

typedef struct {
    int64_t contact;
    wf_ms at;
    const char *user, *action, *reason, *plan;
    wf_override_value val, prev, comp;
} new_row;

static wf_status insert_row(wf_store *s, const new_row *r, int64_t *row_id, char *err, size_t errsz)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(wf_store_db(s),
                                "INSERT INTO overrides(contact, at, user, action, source, dd1, dd2,"
                                " reason, prev_source, prev_dd1, prev_dd2, computed_source,"
                                " computed_dd1, computed_dd2, plan)"
                                " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                                -1, &q, NULL);
    if (rc) return sql_fail(s, rc, "writing the overrides log", err, errsz);
    const char *texts[] = {r->user,         r->action,          nz(r->val.source),  nz(r->val.dd1),
                           nz(r->val.dd2),  r->reason,          nz(r->prev.source), nz(r->prev.dd1),
                           nz(r->prev.dd2), nz(r->comp.source), nz(r->comp.dd1),    nz(r->comp.dd2),
                           nz(r->plan)};
    sqlite3_bind_int64(q, 1, r->contact);
    sqlite3_bind_int64(q, 2, r->at);
    for (int i = 0; i < 13; i++)
        sqlite3_bind_text(q, 3 + i, texts[i], -1, SQLITE_STATIC);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return sql_fail(s, rc, "writing the overrides log", err, errsz);
    if (row_id) *row_id = sqlite3_last_insert_rowid(wf_store_db(s));
    return WF_OK;
}

/* Keeps the computed cache in step: eff_* = the override (set) or the
 * computed value (revert), and the overridden/drift bits. */
static wf_status update_cache(wf_store *s, const new_row *r, int cache_from_caller, char *err,
                              size_t errsz)
{
    int set = strcmp(r->action, "set") == 0;
    const char *sql =
        set ? "INSERT INTO computed(contact, source, dd1, dd2, eff_source, eff_dd1, eff_dd2, flags)"
              " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(contact) DO UPDATE SET"
              " eff_source=?5, eff_dd1=?6, eff_dd2=?7, flags=(flags & ~?9) | ?8"
            : "UPDATE computed SET eff_source=source, eff_dd1=dd1, eff_dd2=dd2,"
              " flags=flags & ~?9 WHERE contact=?1";
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(wf_store_db(s), sql, -1, &q, NULL);
    if (rc) return sql_fail(s, rc, "updating the computed cache", err, errsz);
    sqlite3_bind_int64(q, 1, r->contact);
    if (set) {
        /* a cache row created here holds the computed value only when the
         * caller gave it; a recompute fills the rest */
        if (cache_from_caller) {
            sqlite3_bind_text(q, 2, nz(r->comp.source), -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, nz(r->comp.dd1), -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 4, nz(r->comp.dd2), -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(q, 5, nz(r->val.source), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 6, nz(r->val.dd1), -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 7, nz(r->val.dd2), -1, SQLITE_STATIC);
        sqlite3_bind_int64(q, 8, F_OVERRIDDEN);
    }
    sqlite3_bind_int64(q, 9, set ? F_OVERRIDE_DRIFT : (F_OVERRIDDEN | F_OVERRIDE_DRIFT));
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return sql_fail(s, rc, "updating the computed cache", err, errsz);
    return WF_OK;
}

static wf_override_value effective_now(const state *st, wf_override_value comp)
{
    if (st->active_id) return (wf_override_value){st->act_src, st->act_dd1, st->act_dd2};
    return comp;
}

static wf_status check_reason(const char *reason, char *err, size_t errsz)
{
    if (!is_blank(reason)) return WF_OK;
    snprintf(err, errsz, "a reason is required (say why, e.g. --reason \"confirmed by sales\")");
    return WF_E_USAGE;
}

/* One 'set' inside an open transaction. */
static wf_status set_locked(wf_store *s, int64_t contact, const wf_override_input *in,
                            const wf_override_value *computed, wf_ms now, int64_t *row_id,
                            char *err, size_t errsz)
{
    char canon[32], user[256];
    wf_status st = wf_override_check_source(in->source, canon, sizeof canon, err, errsz);
    if (st == WF_OK) st = check_reason(in->reason, err, errsz);
    if (st != WF_OK) return st;
    if (is_blank(in->user))
        wf_override_default_user(user, sizeof user);
    else
        snprintf(user, sizeof user, "%s", in->user);
    state cur = {0};
    st = load_state(s, contact, &cur, err, errsz);
    if (st == WF_OK) {
        new_row r = {.contact = contact,
                     .at = now,
                     .user = user,
                     .action = "set",
                     .reason = in->reason,
                     .plan = in->plan,
                     .val = {canon, in->dd1, in->dd2}};
        r.comp = pick_computed(&cur, computed);
        r.prev = effective_now(&cur, r.comp);
        st = insert_row(s, &r, row_id, err, errsz);
        if (st == WF_OK) st = update_cache(s, &r, computed && computed->source, err, errsz);
    }
    state_clear(&cur);
    return st;
}

static wf_status begin(wf_store *s, char *err, size_t errsz)
{
    wf_status st = wf_store_check_writable(s, err, errsz);
    if (st != WF_OK) return st;
    st = wf_store_begin(s);
    if (st == WF_E_BUSY)
        snprintf(err, errsz,
                 "%s: database is busy (locked by another process); nothing was changed",
                 wf_store_path(s));
    else if (st != WF_OK)
        snprintf(err, errsz, "%s: cannot start a transaction: %s", wf_store_path(s),
                 wf_store_errmsg(s));
    return st;
}

static wf_status finish(wf_store *s, wf_status st, char *err, size_t errsz)
{
    if (st != WF_OK) {
        wf_store_rollback(s);
        return st;
    }
    st = wf_store_commit(s);
    if (st == WF_E_BUSY)
        snprintf(err, errsz,
                 "%s: database is busy (locked by another process); nothing was changed",
                 wf_store_path(s));
    else if (st != WF_OK)
        snprintf(err, errsz, "%s: could not save: %s", wf_store_path(s), wf_store_errmsg(s));
    return st;
}

wf_status wf_override_set(wf_store *s, int64_t contact, const wf_override_input *in,
                          const wf_override_value *computed, wf_ms now, int64_t *row_id, char *err,
                          size_t errsz)
{
    wf_status st = begin(s, err, errsz);
    if (st != WF_OK) return st;
    st = set_locked(s, contact, in, computed, now, row_id, err, errsz);
    return finish(s, st, err, errsz);
}

wf_status wf_override_set_many(wf_store *s, const int64_t *contacts, const wf_override_input *ins,
                               const wf_override_value *computed, size_t n, wf_ms now,
                               size_t *failed_index, char *err, size_t errsz)
{
    wf_status st = begin(s, err, errsz);
    if (st != WF_OK) return st;
    for (size_t i = 0; i < n && st == WF_OK; i++) {
        char e[512] = "";
        st = set_locked(s, contacts[i], &ins[i], computed ? &computed[i] : NULL, now, NULL, e,
                        sizeof e);
        if (st != WF_OK) {
            snprintf(err, errsz, "contact %lld: %s; nothing was changed", (long long)contacts[i],
                     e);
            if (failed_index) *failed_index = i;
        }
    }
    return finish(s, st, err, errsz);
}

/* A 'revert' inside an open transaction; requires an active override. */
static wf_status revert_locked(wf_store *s, int64_t contact, const char *reason, const char *user,
                               wf_ms now, int64_t *row_id, char *err, size_t errsz)
{
    state cur = {0};
    wf_status st = load_state(s, contact, &cur, err, errsz);
    if (st == WF_OK && !cur.active_id) {
        snprintf(err, errsz, "contact %lld has no active override; nothing was changed",
                 (long long)contact);
        st = WF_E_NOTFOUND;
    }
    if (st == WF_OK) {
        new_row r = {
            .contact = contact, .at = now, .user = user, .action = "revert", .reason = reason};
        r.comp = pick_computed(&cur, NULL);
        r.prev = effective_now(&cur, r.comp);
        st = insert_row(s, &r, row_id, err, errsz);
        if (st == WF_OK) st = update_cache(s, &r, 0, err, errsz);
    }
    state_clear(&cur);
    return st;
}

static const char *author(const char *given, char *buf, size_t size)
{
    if (!is_blank(given)) return given;
    wf_override_default_user(buf, size);
    return buf;
}

wf_status wf_override_revert(wf_store *s, int64_t contact, const char *reason, const char *user,
                             wf_ms now, int64_t *row_id, char *err, size_t errsz)
{
    char ubuf[256];
    wf_status st = check_reason(reason, err, errsz);
    if (st == WF_OK) st = begin(s, err, errsz);
    if (st != WF_OK) return st;
    st =
        revert_locked(s, contact, reason, author(user, ubuf, sizeof ubuf), now, row_id, err, errsz);
    return finish(s, st, err, errsz);
}

/* The override in force right before log row `before_id` (0 id: none). */
static wf_status state_before(wf_store *s, int64_t contact, int64_t before_id,
                              wf_override_row *prev, char *err, size_t errsz)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(wf_store_db(s),
                                "SELECT id, action, source, dd1, dd2 FROM overrides"
                                " WHERE contact=? AND id<? ORDER BY id DESC LIMIT 1",
                                -1, &q, NULL);
    if (rc) return sql_fail(s, rc, "reading the overrides log", err, errsz);
    sqlite3_bind_int64(q, 1, contact);
    sqlite3_bind_int64(q, 2, before_id);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && strcmp((const char *)sqlite3_column_text(q, 1), "set") == 0) {
        prev->id = sqlite3_column_int64(q, 0);
        prev->source = dup_col(q, 2);
        prev->dd1 = dup_col(q, 3);
        prev->dd2 = dup_col(q, 4);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sql_fail(s, rc, "reading the overrides log", err, errsz);
    return WF_OK;
}

static int64_t newest_row(wf_store *s, int64_t contact)
{
    sqlite3_stmt *q;
    int64_t id = -1;
    if (sqlite3_prepare_v2(wf_store_db(s), "SELECT max(id) FROM overrides WHERE contact=?", -1, &q,
                           NULL))
        return -1;
    sqlite3_bind_int64(q, 1, contact);
    if (sqlite3_step(q) == SQLITE_ROW) id = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return id;
}

static wf_status undo_locked(wf_store *s, int64_t contact, const char *reason, const char *user,
                             wf_ms now, int64_t *row_id, char *err, size_t errsz)
{
    int64_t last = newest_row(s, contact);
    if (last < 0) return sql_fail(s, SQLITE_ERROR, "reading the overrides log", err, errsz);
    if (last == 0) {
        snprintf(err, errsz, "contact %lld has no override to undo; nothing was changed",
                 (long long)contact);
        return WF_E_NOTFOUND;
    }
    char why[64];
    if (is_blank(reason)) {
        snprintf(why, sizeof why, "undo of #%lld", (long long)last);
        reason = why;
    }
    wf_override_row prev = {0};
    wf_status st = state_before(s, contact, last, &prev, err, errsz);
    if (st == WF_OK && prev.id) {
        wf_override_input in = {.source = prev.source,
                                .dd1 = prev.dd1,
                                .dd2 = prev.dd2,
                                .reason = reason,
                                .user = user};
        st = set_locked(s, contact, &in, NULL, now, row_id, err, errsz);
    } else if (st == WF_OK) {
        st = revert_locked(s, contact, reason, user, now, row_id, err, errsz);
        if (st == WF_E_NOTFOUND) /* the newest row was already a revert to nothing */
            snprintf(err, errsz, "contact %lld: nothing to undo", (long long)contact);
    }
    wf_override_row_clear(&prev);
    return st;
}

wf_status wf_override_undo_last(wf_store *s, int64_t contact, const char *reason, const char *user,
                                wf_ms now, int64_t *row_id, char *err, size_t errsz)
{
    char ubuf[256];
    wf_status st = begin(s, err, errsz);
    if (st != WF_OK) return st;
    st = undo_locked(s, contact, reason, author(user, ubuf, sizeof ubuf), now, row_id, err, errsz);
    return finish(s, st, err, errsz);
}

/* Points row's strings into the statement's current row (no copies). */
static void row_view(sqlite3_stmt *q, wf_override_row *r)
{
#define TXT(i) ((char *)sqlite3_column_text(q, i))
    r->id = sqlite3_column_int64(q, 0);
    r->contact = sqlite3_column_int64(q, 1);
    r->at = sqlite3_column_int64(q, 2);
    r->user = TXT(3);
    r->is_set = strcmp((const char *)sqlite3_column_text(q, 4), "set") == 0;
    r->source = TXT(5);
    r->dd1 = TXT(6);
    r->dd2 = TXT(7);
    r->reason = TXT(8);
    r->prev_source = TXT(9);
    r->prev_dd1 = TXT(10);
    r->prev_dd2 = TXT(11);
    r->computed_source = TXT(12);
    r->computed_dd1 = TXT(13);
    r->computed_dd2 = TXT(14);
    r->plan = TXT(15);
#undef TXT
}

static wf_status walk(wf_store *s, const char *sql, int64_t contact, wf_override_fn fn, void *ctx)
{
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(wf_store_db(s), sql, -1, &q, NULL);
    if (rc) return wf_store_status(rc);
    sqlite3_bind_int64(q, 1, contact);
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        wf_override_row r = {0};
        row_view(q, &r);
        if (fn(ctx, &r)) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? WF_OK : wf_store_status(rc);
}

wf_status wf_override_log(wf_store *s, int64_t contact, wf_override_fn fn, void *ctx)
{
    return walk(s, "SELECT " ROW_COLS " FROM overrides WHERE ?1=0 OR contact=?1 ORDER BY id",
                contact, fn, ctx);
}

wf_status wf_override_each_active(wf_store *s, wf_override_fn fn, void *ctx)
{
    return walk(s,
                "SELECT " ROW_COLS " FROM overrides WHERE ?1=0 AND action='set' AND id IN"
                " (SELECT max(id) FROM overrides GROUP BY contact) ORDER BY contact",
                0, fn, ctx);
}

static char *dup_or_null(const char *t)
{
    return t ? strdup(t) : NULL;
}

static int copy_row(void *ctx, const wf_override_row *r)
{
    wf_override_row *out = ctx;
    *out = *r;
    char **f[] = {&out->user,         &out->reason,
                  &out->plan,         &out->source,
                  &out->dd1,          &out->dd2,
                  &out->prev_source,  &out->prev_dd1,
                  &out->prev_dd2,     &out->computed_source,
                  &out->computed_dd1, &out->computed_dd2};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        *f[i] = dup_or_null(*f[i]);
    return 1;
}

wf_status wf_override_active(wf_store *s, int64_t contact, wf_override_row *out, int *found)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    wf_status st = walk(s,
                        "SELECT " ROW_COLS " FROM overrides WHERE contact=?1"
                        " ORDER BY id DESC LIMIT 1",
                        contact, copy_row, out);
    if (st != WF_OK) return st;
    if (out->id && out->is_set) {
        *found = 1;
        return WF_OK;
    }
    wf_override_row_clear(out);
    return WF_OK;
}

int64_t wf_override_count(wf_store *s, int64_t contact)
{
    sqlite3_stmt *q;
    int64_t n = -1;
    if (sqlite3_prepare_v2(wf_store_db(s),
                           "SELECT count(*) FROM overrides WHERE ?1=0 OR contact=?1", -1, &q, NULL))
        return -1;
    sqlite3_bind_int64(q, 1, contact);
    if (sqlite3_step(q) == SQLITE_ROW) n = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    return n;
}
