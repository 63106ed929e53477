/* `wherefrom audit [--json] [--check] [--filter KIND,...] [--limit N]`:
 * one pass over the whole database that lists, per finding kind, the
 * contacts whose original source looks wrong, with a one-line reason.
 *
 * It scales by streaming: one statement walks the contacts (joined with
 * the `computed` cache) in id order, and a few aggregate statements, each
 * ordered by contact, are merged into it. Nothing per contact is kept
 * except counts and a bounded number of examples per kind. Contacts with
 * no current cache row are explained on the spot by the engine. Finding
 * bits are written back to computed.flags so the inspector's markers and
 * filters show them. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attrib/engine.h"
#include "attrib/explain.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/vocab.h"
#include "store/overrides.h"

/* X(enum, slug, title, cache flag bit written back) */
#define AUDIT_KIND_TABLE(X)                                                                        \
    X(K_STORED_DIFFERS, "stored-differs", "stored value differs from the computed one",            \
      F_STORED_DIFFERS)                                                                            \
    X(K_OFFLINE_EARLIER, "offline-earlier-session",                                                \
      "Offline sources although a linked session predates creation", 0)                            \
    X(K_API_RACE, "api-race", "form-created but Offline: API created it seconds before (C10)",     \
      F_API_RACE)                                                                                  \
    X(K_MANUAL_DD, "manual-edit-empty-drilldowns", "drill-downs empty after a manual edit (C06)",  \
      F_MANUAL_EDIT)                                                                               \
    X(K_CHANGED, "changed-repeatedly", "source changed more than once", F_CHANGED)                 \
    X(K_DRIFT, "override-drift", "override whose computed value drifted since it was made",        \
      F_OVERRIDE_DRIFT)                                                                            \
    X(K_UNKNOWN, "unknown-value", "source value outside the known list", F_UNKNOWN_VALUE)

typedef enum {
#define WF_X(e, slug, title, flag) e,
    AUDIT_KIND_TABLE(WF_X)
#undef WF_X
        K_COUNT
} audit_kind;

static const struct {
    const char *slug, *title;
    unsigned flag;
} kinds[] = {
#define WF_X(e, slug, title, flag) {slug, title, flag},
    AUDIT_KIND_TABLE(WF_X)
#undef WF_X
};

/* Bits the audit decides on its own, so it may also clear them. */
#define AUDIT_OWNED_FLAGS (F_STORED_DIFFERS | F_OVERRIDE_DRIFT | F_UNKNOWN_VALUE)
#define RACE_WINDOW_MS 60000
#define DEFAULT_LIMIT 20

typedef struct {
    int64_t id;
    char *email, *reason;
    wf_override_value stored, computed; /* owned copies */
} example;

typedef struct {
    int64_t count;
    example *ex;
    size_t n_ex, cap_ex;
} kind_result;

/* An aggregate statement ordered by contact, merged into the main walk. */
typedef struct {
    sqlite3_stmt *q;
    int has_row;
} side;

typedef struct {
    int json, check;
    unsigned want; /* bit per audit_kind */
    size_t limit;  /* examples per kind; 0: all */
} audit_opts;

/* One contact as the walk sees it; strings point into statements. */
typedef struct {
    int64_t id;
    const char *email, *channel;
    wf_ms created;
    wf_ms first_created; /* the earliest creation, merged records included */
    wf_override_value stored, computed;
    int has_cache;
    unsigned cflags;
    wf_ms first_session; /* earliest linked page view, WF_TIME_NONE if none */
    int h_changes;
    wf_ms h_last_at;
    const char *h_last_type, *h_last_id; /* point into the buffers below */
    char h_type_buf[64], h_id_buf[64];
    wf_ms form_at;
    int has_ovr;
    int64_t ovr_id;
    const char *ovr_user;
    wf_override_value ovr_comp;
    unsigned engine_flags;
} crow;

typedef struct {
    wf_store *s;
    const wf_engine *e;
    audit_opts o;
    kind_result res[K_COUNT];
    int64_t scanned, explained, flag_updates;
    int64_t *upd; /* (id, flags) pairs to write back */
    size_t n_upd, cap_upd;
    int nomem;
} audit;

static const char *col(sqlite3_stmt *q, int i)
{
    return (const char *)sqlite3_column_text(q, i);
}

static wf_ms col_time(sqlite3_stmt *q, int i)
{
    return sqlite3_column_type(q, i) == SQLITE_NULL ? WF_TIME_NONE : sqlite3_column_int64(q, i);
}

static int empty(const char *s)
{
    return !s || !*s;
}

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int same_value(const wf_override_value *a, const wf_override_value *b)
{
    return same(a->source, b->source) && same(a->dd1, b->dd1) && same(a->dd2, b->dd2);
}

static void value_text(wf_buf *b, const wf_override_value *v)
{
    if (empty(v->source)) {
        wf_buf_puts(b, "(empty)");
        return;
    }
    wf_buf_puts(b, v->source);
    if (!empty(v->dd1) || !empty(v->dd2))
        wf_buf_printf(b, " / %s / %s", empty(v->dd1) ? "-" : v->dd1, empty(v->dd2) ? "-" : v->dd2);
}

/* ---- side streams ---------------------------------------------------- */

static const char *const side_sql[] = {
    /* 0: earliest page view the export attached to the contact */
    "SELECT contact, min(at) FROM pageviews WHERE contact IS NOT NULL GROUP BY contact"
    " ORDER BY contact",
    /* 1: earliest page view of a visitor token linked to the contact */
    "SELECT t.contact, min(p.at) FROM tokens t JOIN pageviews p ON p.token=t.token"
    " GROUP BY t.contact ORDER BY t.contact",
    /* 2: stored entries of the source, per contact oldest first (a plain
     * index scan; changes are counted in C, cheaper than a window query) */
    "SELECT contact, value, at, source_type, source_id FROM history"
    " WHERE property='hs_analytics_source' ORDER BY contact, at",
    /* 3: first form from a non-filtered IP at or after creation */
    "SELECT f.contact, min(f.at) FROM forms f JOIN contacts c ON c.id=f.contact"
    " WHERE f.filtered_ip=0 AND f.at>=c.created_at GROUP BY f.contact ORDER BY f.contact",
    /* 4: active overrides */
    "SELECT contact, id, user, computed_source, computed_dd1, computed_dd2 FROM overrides"
    " WHERE action='set' AND id IN (SELECT max(id) FROM overrides GROUP BY contact)"
    " ORDER BY contact",
    /* 5: earliest creation among the records merged into the contact */
    "SELECT merged_into, min(created_at) FROM contacts WHERE merged_into IS NOT NULL"
    " GROUP BY merged_into ORDER BY merged_into",
};
#define N_SIDES (sizeof side_sql / sizeof side_sql[0])

static int side_open(wf_store *s, side *sd, const char *sql)
{
    if (sqlite3_prepare_v2(wf_store_db(s), sql, -1, &sd->q, NULL)) return -1;
    sd->has_row = sqlite3_step(sd->q) == SQLITE_ROW;
    return 0;
}

/* Advances to contact id; 1 when the stream has a row for it. */
static int side_at(side *sd, int64_t id)
{
    while (sd->has_row && sqlite3_column_int64(sd->q, 0) < id)
        sd->has_row = sqlite3_step(sd->q) == SQLITE_ROW;
    return sd->has_row && sqlite3_column_int64(sd->q, 0) == id;
}

/* Counts the contact's changes of the stored source (entries whose value
 * differs from the one before) and keeps the newest entry. */
static void history_at(side *sd, crow *c)
{
    c->h_changes = 0;
    c->h_last_type = c->h_last_id = NULL;
    if (!side_at(sd, c->id)) return;
    char prev[128];
    int n = 0;
    while (sd->has_row && sqlite3_column_int64(sd->q, 0) == c->id) {
        const char *v = col(sd->q, 1);
        if (n++ && strcmp(prev, v ? v : "") != 0) c->h_changes++;
        snprintf(prev, sizeof prev, "%s", v ? v : "");
        c->h_last_at = col_time(sd->q, 2);
        snprintf(c->h_type_buf, sizeof c->h_type_buf, "%s", col(sd->q, 3) ? col(sd->q, 3) : "");
        snprintf(c->h_id_buf, sizeof c->h_id_buf, "%s", col(sd->q, 4) ? col(sd->q, 4) : "");
        c->h_last_id = col(sd->q, 4) ? c->h_id_buf : NULL;
        c->h_last_type = col(sd->q, 3) ? c->h_type_buf : NULL;
        sd->has_row = sqlite3_step(sd->q) == SQLITE_ROW;
    }
}

static void fill_sides(side *sd, crow *c)
{
    c->first_session = WF_TIME_NONE;
    for (int i = 0; i < 2; i++)
        if (side_at(&sd[i], c->id)) {
            wf_ms t = col_time(sd[i].q, 1);
            if (c->first_session == WF_TIME_NONE || t < c->first_session) c->first_session = t;
        }
    history_at(&sd[2], c);
    c->form_at = side_at(&sd[3], c->id) ? col_time(sd[3].q, 1) : WF_TIME_NONE;
    c->has_ovr = side_at(&sd[4], c->id);
    if (c->has_ovr) {
        c->ovr_id = sqlite3_column_int64(sd[4].q, 1);
        c->ovr_user = col(sd[4].q, 2);
        c->ovr_comp = (wf_override_value){col(sd[4].q, 3), col(sd[4].q, 4), col(sd[4].q, 5)};
    }
    c->first_created = c->created;
    if (side_at(&sd[5], c->id) && col_time(sd[5].q, 1) < c->first_created)
        c->first_created = col_time(sd[5].q, 1);
}

/* ---- findings -------------------------------------------------------- */

static char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static void record(audit *a, audit_kind k, const crow *c, wf_buf *reason)
{
    kind_result *r = &a->res[k];
    r->count++;
    if (a->o.limit && r->n_ex >= a->o.limit) return;
    if (r->n_ex == r->cap_ex) {
        size_t cap = r->cap_ex ? r->cap_ex * 2 : 16;
        example *p = realloc(r->ex, cap * sizeof *p);
        if (!p) {
            a->nomem = 1;
            return;
        }
        r->ex = p;
        r->cap_ex = cap;
    }
    example *x = &r->ex[r->n_ex++];
    x->id = c->id;
    x->email = xstrdup(c->email);
    x->reason = xstrdup(wf_buf_str(reason));
    x->stored = (wf_override_value){xstrdup(c->stored.source), xstrdup(c->stored.dd1),
                                    xstrdup(c->stored.dd2)};
    x->computed = (wf_override_value){xstrdup(c->computed.source), xstrdup(c->computed.dd1),
                                      xstrdup(c->computed.dd2)};
}

static int is_unknown(const char *v)
{
    return !empty(v) && wf_source_from_name(v) == SRC_UNKNOWN;
}

static int check_unknown(const crow *c, wf_buf *b)
{
    if (is_unknown(c->stored.source))
        wf_buf_printf(b, "stored source '%s' is not a known value (kept verbatim)",
                      c->stored.source);
    else if (is_unknown(c->computed.source))
        wf_buf_printf(b, "computed source '%s' is not a known value", c->computed.source);
    else
        return 0;
    return 1;
}

static int check_differs(const crow *c, wf_buf *b)
{
    if (empty(c->stored.source) || empty(c->computed.source)) return 0;
    if (same_value(&c->stored, &c->computed)) return 0;
    wf_buf_puts(b, "stored ");
    value_text(b, &c->stored);
    wf_buf_puts(b, ", computed ");
    value_text(b, &c->computed);
    return 1;
}

static int check_offline_earlier(const crow *c, wf_buf *b)
{
    if (!same(c->stored.source, "OFFLINE") || c->first_session == WF_TIME_NONE ||
        c->first_session >= c->first_created)
        return 0;
    char t1[WF_TIME_BUFSZ], t2[WF_TIME_BUFSZ];
    wf_buf_printf(b, "stored OFFLINE although a linked session on %s predates creation on %s",
                  wf_time_short(c->first_session, t1), wf_time_short(c->first_created, t2));
    return 1;
}

static int api_created(const crow *c)
{
    return same(c->stored.dd1, "API") || same(c->stored.dd1, "INTEGRATION") ||
           same(c->channel, "API") || same(c->channel, "INTEGRATION");
}

static int check_api_race(const crow *c, wf_buf *b)
{
    int pattern = same(c->stored.source, "OFFLINE") && api_created(c) &&
                  c->form_at != WF_TIME_NONE && c->form_at - c->created <= RACE_WINDOW_MS &&
                  !same(c->computed.source, "OFFLINE");
    if (!pattern && !((c->cflags | c->engine_flags) & F_API_RACE)) return 0;
    char t[WF_TIME_BUFSZ];
    wf_buf_printf(b, "created through the API on %s", wf_time_short(c->created, t));
    if (c->form_at != WF_TIME_NONE)
        wf_buf_printf(b, ", form submitted %lld s later",
                      (long long)((c->form_at - c->created) / 1000));
    wf_buf_puts(b, "; HubSpot kept OFFLINE, the replay says ");
    wf_buf_puts(b, empty(c->computed.source) ? "otherwise" : c->computed.source);
    return 1;
}

static int check_manual_dd(const crow *c, wf_buf *b)
{
    if (!c->h_last_type || !empty(c->stored.dd1) || !empty(c->stored.dd2)) return 0;
    if (strcmp(wf_sourcetype_class(wf_sourcetype_from_code(c->h_last_type)), "manual-edit") != 0)
        return 0;
    char t[WF_TIME_BUFSZ];
    wf_buf_printf(b, "set by hand to %s on %s (%s%s%s); HubSpot cleared both drill-downs",
                  empty(c->stored.source) ? "(empty)" : c->stored.source,
                  wf_time_short(c->h_last_at, t), c->h_last_type, c->h_last_id ? " " : "",
                  c->h_last_id ? c->h_last_id : "");
    return 1;
}

static int check_changed(const crow *c, wf_buf *b)
{
    if (c->h_changes < 2) return 0;
    char t[WF_TIME_BUFSZ];
    wf_buf_printf(b, "stored source changed %d times; last on %s by %s", c->h_changes,
                  wf_time_short(c->h_last_at, t), c->h_last_type ? c->h_last_type : "(unknown)");
    return 1;
}

static int check_drift(const crow *c, wf_buf *b)
{
    if (!c->has_ovr || empty(c->computed.source) || same_value(&c->ovr_comp, &c->computed))
        return 0;
    wf_buf_printf(b, "override #%lld by %s was made when computed was ", (long long)c->ovr_id,
                  c->ovr_user ? c->ovr_user : "?");
    value_text(b, &c->ovr_comp);
    wf_buf_puts(b, "; computed is now ");
    value_text(b, &c->computed);
    return 1;
}

typedef int (*check_fn)(const crow *, wf_buf *);
static const check_fn checks[K_COUNT] = {
    [K_STORED_DIFFERS] = check_differs, [K_OFFLINE_EARLIER] = check_offline_earlier,
    [K_API_RACE] = check_api_race,      [K_MANUAL_DD] = check_manual_dd,
    [K_CHANGED] = check_changed,        [K_DRIFT] = check_drift,
    [K_UNKNOWN] = check_unknown,
};

static void want_update(audit *a, int64_t id, unsigned flags)
{
    if (a->n_upd + 2 > a->cap_upd) {
        size_t cap = a->cap_upd ? a->cap_upd * 2 : 256;
        int64_t *p = realloc(a->upd, cap * sizeof *p);
        if (!p) return; /* the cache refresh is best effort */
        a->upd = p;
        a->cap_upd = cap;
    }
    a->upd[a->n_upd++] = id;
    a->upd[a->n_upd++] = flags;
}

static void evaluate(audit *a, const crow *c, wf_buf *b)
{
    unsigned found = 0;
    for (int k = 0; k < K_COUNT; k++) {
        wf_buf_clear(b);
        if (!checks[k](c, b)) continue;
        found |= kinds[k].flag;
        if (a->o.want & (1u << k)) record(a, (audit_kind)k, c, b);
    }
    if (!c->has_cache) return;
    unsigned nf = (c->cflags & ~(unsigned)AUDIT_OWNED_FLAGS) | found;
    if (nf != c->cflags) want_update(a, c->id, nf);
}

/* No current cache row: explain the contact now. */
static void explain_now(audit *a, crow *c, wf_facts **f, wf_explanation **x)
{
    if (!a->e || wf_store_load_facts(a->s, c->id, f) != WF_OK) return;
    if (wf_explain(a->e, *f, x) != WF_OK) return;
    c->computed = (wf_override_value){(*x)->computed.value.source, (*x)->computed.value.dd1,
                                      (*x)->computed.value.dd2};
    c->engine_flags = (*x)->flags;
    if (c->first_session == WF_TIME_NONE) c->first_session = (*x)->first_session_at;
    a->explained++;
}

static const char main_sql[] =
    "SELECT c.id, c.email, c.created_at, c.channel, c.src, c.src_dd1, c.src_dd2,"
    " k.source IS NOT NULL AND k.rulebook=?1, k.source, k.dd1, k.dd2, k.first_session_at,"
    " coalesce(k.flags, 0)"
    " FROM contacts c LEFT JOIN computed k ON k.contact=c.id"
    " WHERE c.merged_into IS NULL ORDER BY c.id";

static void read_main(sqlite3_stmt *q, crow *c)
{
    memset(c, 0, sizeof *c);
    c->id = sqlite3_column_int64(q, 0);
    c->email = col(q, 1);
    c->created = sqlite3_column_int64(q, 2);
    c->channel = col(q, 3);
    c->stored = (wf_override_value){col(q, 4), col(q, 5), col(q, 6)};
    c->has_cache = sqlite3_column_int(q, 7);
    if (c->has_cache) c->computed = (wf_override_value){col(q, 8), col(q, 9), col(q, 10)};
    c->cflags = (unsigned)sqlite3_column_int64(q, 12);
    c->first_session = c->has_cache && sqlite3_column_type(q, 11) != SQLITE_NULL
                           ? sqlite3_column_int64(q, 11)
                           : WF_TIME_NONE;
}

static wf_status scan(audit *a)
{
    side sd[N_SIDES] = {{0}};
    sqlite3_stmt *q = NULL;
    wf_status st = WF_OK;
    int rc = sqlite3_prepare_v2(wf_store_db(a->s), main_sql, -1, &q, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < N_SIDES; i++)
        if (side_open(a->s, &sd[i], side_sql[i])) rc = SQLITE_ERROR;
    if (rc != SQLITE_OK) {
        wf_cli_error("audit: %s", wf_store_errmsg(a->s));
        st = WF_E_SOFTWARE;
    }
    sqlite3_bind_int(q, 1, a->e ? wf_engine_rulebook(a->e) : WF_RULEBOOK_VERSION);
    wf_buf b = WF_BUF_INIT;
    while (st == WF_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        crow c;
        read_main(q, &c);
        wf_ms cached_first = c.first_session;
        fill_sides(sd, &c);
        if (cached_first != WF_TIME_NONE &&
            (c.first_session == WF_TIME_NONE || cached_first < c.first_session))
            c.first_session = cached_first;
        wf_facts *f = NULL;
        wf_explanation *x = NULL;
        if (!c.has_cache) explain_now(a, &c, &f, &x);
        evaluate(a, &c, &b);
        wf_explanation_free(&x);
        wf_facts_free(&f);
        a->scanned++;
    }
    if (st == WF_OK && rc != SQLITE_DONE) {
        wf_cli_error("audit: reading the database failed: %s", wf_store_errmsg(a->s));
        st = wf_store_status(rc);
    }
    wf_buf_free(&b);
    sqlite3_finalize(q);
    for (size_t i = 0; i < N_SIDES; i++)
        sqlite3_finalize(sd[i].q);
    return st;
}

/* Writes the finding bits back to computed.flags; best effort (a busy or
 * read-only database only costs the markers). */
static void write_flags(const wf_cli *cli, audit *a)
{
    if (!a->n_upd || wf_store_is_readonly(a->s)) return;
    if (wf_store_begin(a->s) != WF_OK) {
        wf_cli_info(cli, "database busy: the list markers were not refreshed");
        return;
    }
    sqlite3_stmt *q;
    int rc = sqlite3_prepare_v2(wf_store_db(a->s), "UPDATE computed SET flags=?2 WHERE contact=?1",
                                -1, &q, NULL);
    for (size_t i = 0; rc == SQLITE_OK && i < a->n_upd; i += 2) {
        sqlite3_bind_int64(q, 1, a->upd[i]);
        sqlite3_bind_int64(q, 2, a->upd[i + 1]);
        rc = sqlite3_step(q) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_OK || wf_store_commit(a->s) != WF_OK) {
        wf_store_rollback(a->s);
        wf_cli_info(cli, "could not refresh the list markers: %s", wf_store_errmsg(a->s));
        return;
    }
    a->flag_updates = (int64_t)a->n_upd / 2;
}

/* ---- output ---------------------------------------------------------- */

static void print_text(const char *path, const audit *a, double secs)
{
    wf_buf b = WF_BUF_INIT;
    wf_text_escape(&b, path);
    printf("Audit of %s: %lld contact(s) scanned in %.1f s\n\n", wf_buf_str(&b),
           (long long)a->scanned, secs);
    for (int k = 0; k < K_COUNT; k++)
        if (a->o.want & (1u << k))
            printf("  %8lld  %-29s %s\n", (long long)a->res[k].count, kinds[k].slug,
                   kinds[k].title);
    for (int k = 0; k < K_COUNT; k++) {
        const kind_result *r = &a->res[k];
        if (!(a->o.want & (1u << k)) || !r->count) continue;
        printf("\n%s (%lld):\n", kinds[k].slug, (long long)r->count);
        for (size_t i = 0; i < r->n_ex; i++) {
            wf_buf_clear(&b);
            wf_buf_printf(&b, "  %lld", (long long)r->ex[i].id);
            if (r->ex[i].email) {
                wf_buf_puts(&b, " <");
                wf_text_escape(&b, r->ex[i].email);
                wf_buf_puts(&b, ">");
            }
            wf_buf_puts(&b, ": ");
            wf_text_escape(&b, r->ex[i].reason);
            printf("%s\n", wf_buf_str(&b));
        }
        if ((int64_t)r->n_ex < r->count)
            printf("  ... and %lld more (--limit 0 lists all)\n",
                   (long long)(r->count - (int64_t)r->n_ex));
    }
    wf_buf_free(&b);
}

static cJSON *value_json(const wf_override_value *v)
{
    wf_value w = {v->source, v->dd1, v->dd2};
    return wf_value_json(&w);
}

static cJSON *audit_json(const char *path, const audit *a, double secs)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "schema", "wherefrom.audit/1");
    cJSON_AddStringToObject(j, "database", path);
    cJSON_AddNumberToObject(j, "contacts_scanned", (double)a->scanned);
    cJSON_AddNumberToObject(j, "seconds", secs);
    cJSON *counts = cJSON_AddObjectToObject(j, "counts");
    cJSON *finds = cJSON_AddObjectToObject(j, "findings");
    for (int k = 0; k < K_COUNT; k++) {
        if (!(a->o.want & (1u << k))) continue;
        const kind_result *r = &a->res[k];
        cJSON_AddNumberToObject(counts, kinds[k].slug, (double)r->count);
        cJSON *arr = cJSON_AddArrayToObject(finds, kinds[k].slug);
        for (size_t i = 0; i < r->n_ex; i++) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(arr, o);
            cJSON_AddNumberToObject(o, "id", (double)r->ex[i].id);
            if (r->ex[i].email)
                cJSON_AddStringToObject(o, "email", r->ex[i].email);
            else
                cJSON_AddNullToObject(o, "email");
            cJSON_AddStringToObject(o, "reason", r->ex[i].reason);
            cJSON_AddItemToObject(o, "stored", value_json(&r->ex[i].stored));
            cJSON_AddItemToObject(o, "computed", value_json(&r->ex[i].computed));
        }
    }
    cJSON_AddNumberToObject(j, "limit", (double)a->o.limit);
    return j;
}

static void free_results(audit *a)
{
    for (int k = 0; k < K_COUNT; k++) {
        for (size_t i = 0; i < a->res[k].n_ex; i++) {
            example *x = &a->res[k].ex[i];
            free(x->email);
            free(x->reason);
            free((char *)x->stored.source);
            free((char *)x->stored.dd1);
            free((char *)x->stored.dd2);
            free((char *)x->computed.source);
            free((char *)x->computed.dd1);
            free((char *)x->computed.dd2);
        }
        free(a->res[k].ex);
    }
    free(a->upd);
}

/* ---- arguments ------------------------------------------------------- */

static int parse_filter(const char *list, unsigned *want)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", list);
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (k < K_COUNT && strcmp(kinds[k].slug, t) != 0)
            k++;
        if (k == K_COUNT) {
            wf_buf b = WF_BUF_INIT;
            for (int i = 0; i < K_COUNT; i++)
                wf_buf_printf(&b, "%s%s", i ? ", " : "", kinds[i].slug);
            wf_cli_error("audit: unknown finding kind '%.40s'; kinds: %s", t, wf_buf_str(&b));
            wf_buf_free(&b);
            return -1;
        }
        *want |= 1u << k;
    }
    return 0;
}

static int audit_args(wf_cli *cli, int argc, char **argv, audit_opts *o)
{
    o->limit = DEFAULT_LIMIT;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        int r = wf_cli_global_option(cli, argc, argv, &i);
        if (r < 0) return -1;
        if (r > 0) continue;
        if (strcmp(k, "--json") == 0)
            o->json = 1;
        else if (strcmp(k, "--check") == 0)
            o->check = 1;
        else if (strcmp(k, "--filter") == 0 && i + 1 < argc) {
            if (parse_filter(argv[++i], &o->want)) return -1;
        } else if (strcmp(k, "--limit") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0) {
                wf_cli_error("audit: --limit needs a number (0: no limit)");
                return -1;
            }
            o->limit = (size_t)v;
        } else {
            wf_cli_error("audit: unexpected argument '%s'", k);
            return -1;
        }
    }
    if (!o->want) o->want = (1u << K_COUNT) - 1;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int report(audit *a, const char *path, double secs)
{
    int64_t total = 0;
    for (int k = 0; k < K_COUNT; k++)
        if (a->o.want & (1u << k)) total += a->res[k].count;
    if (a->o.json) {
        cJSON *j = audit_json(path, a, secs);
        char *t = j ? cJSON_Print(j) : NULL;
        wf_buf safe = WF_BUF_INIT; /* C1 and bidi controls as \u escapes */
        if (t) {
            wf_text_json_safe(&safe, t);
            printf("%s\n", wf_buf_str(&safe));
        }
        wf_buf_free(&safe);
        cJSON_free(t);
        cJSON_Delete(j);
    } else {
        print_text(path, a, secs);
    }
    if (a->nomem) wf_cli_error("audit: out of memory; some examples are missing");
    return a->o.check && total > 0 ? wf_status_exit_code(WF_E_FINDINGS) : 0;
}

int wf_cmd_audit(wf_cli *cli, int argc, char **argv)
{
    if (wf_cli_command_help("audit", argc, argv)) return 0;
    audit a = {0};
    if (audit_args(cli, argc, argv, &a.o)) return 2;
    int rc = wf_cli_open_store(cli, 0, &a.s);
    if (rc) return rc;
    wf_engine *e = NULL;
    char err[512];
    if (wf_engine_new(NULL, &e, err, sizeof err) != WF_OK)
        wf_cli_info(cli, "%s; contacts never computed are judged on stored values only", err);
    a.e = e;
    double t0 = now_s();
    wf_status st = scan(&a);
    if (st == WF_OK) {
        write_flags(cli, &a);
        if (a.explained)
            wf_cli_info(cli,
                        "%lld contact(s) had no cached result and were explained now "
                        "(run an import or recompute to cache them)",
                        (long long)a.explained);
        rc = report(&a, wf_store_path(a.s), now_s() - t0);
    } else {
        rc = wf_status_exit_code(st);
    }
    free_results(&a);
    wf_engine_free(&e);
    /* The scan touched every big table, so the PRAGMA optimize run when the
     * store closes would ANALYZE them in full (seconds to minutes on a
     * million contacts); sampled statistics are as good for our queries. */
    sqlite3_exec(wf_store_db(a.s), "PRAGMA analysis_limit=1000", NULL, NULL, NULL);
    wf_store_close(&a.s);
    /* a lost write is an error (audit >&-, a full disk); a reader that went
     * away (| head -1) is not */
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE) {
        wf_cli_error("audit: cannot write the report: %s", strerror(errno ? errno : EIO));
        rc = 74;
    }
    return rc;
}
