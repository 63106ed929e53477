/* Row sources for the contact list (see rows.h). Every query is keyset
 * paged: "rows after (key)" with ORDER BY ... LIMIT n on an index, so the
 * cost of a page does not depend on where in the list it is. */
#include "store/rows.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/vocab.h"

struct wf_rows {
    wf_store *store;
    wf_sort sort;
    /* sort by source through the computed cache's (eff_source, contact)
     * index: possible when every listed contact has a cache row with an
     * effective source (checked when the sort is chosen) */
    int source_by_cache;
    wf_filter filter;
};

static const struct {
    const char *name, *label;
} sorts[] = {
#define WF_X(e, n, l) {n, l},
    WF_SORT_TABLE(WF_X)
#undef WF_X
};

const char *wf_sort_name(wf_sort s)
{
    return (s >= 0 && s < WF_SORT_COUNT) ? sorts[s].name : "?";
}

int wf_sort_from_name(const char *name)
{
    for (int i = 0; i < WF_SORT_COUNT; i++)
        if (name && strcasecmp(name, sorts[i].name) == 0) return i;
    return -1;
}

/* ---- rows ---------------------------------------------------------------- */

void wf_row_clear(wf_row *r)
{
    if (!r) return;
    free(r->email);
    free(r->firstname);
    free(r->lastname);
    free(r->company);
    free(r->channel);
    free(r->source);
    free(r->dd1);
    free(r->stored_source);
    memset(r, 0, sizeof *r);
}

static int dup_str(char **dst, const char *s)
{
    *dst = NULL;
    if (!s) return 0;
    *dst = strdup(s);
    return *dst ? 0 : -1;
}

wf_status wf_row_copy(wf_row *dst, const wf_row *src)
{
    memset(dst, 0, sizeof *dst);
    dst->id = src->id;
    dst->created_at = src->created_at;
    dst->flags = src->flags;
    dst->has_computed = src->has_computed;
    int bad = dup_str(&dst->email, src->email) | dup_str(&dst->firstname, src->firstname) |
              dup_str(&dst->lastname, src->lastname) | dup_str(&dst->company, src->company) |
              dup_str(&dst->channel, src->channel) | dup_str(&dst->source, src->source) |
              dup_str(&dst->dd1, src->dd1) | dup_str(&dst->stored_source, src->stored_source);
    if (bad) {
        wf_row_clear(dst);
        return WF_E_NOMEM;
    }
    return WF_OK;
}

/* ---- filters ------------------------------------------------------------- */

void wf_filter_init(wf_filter *f)
{
    memset(f, 0, sizeof *f);
    f->from = f->to = WF_TIME_NONE;
}

void wf_filter_clear(wf_filter *f)
{
    free(f->source);
    free(f->channel);
    wf_filter_init(f);
}

int wf_filter_is_empty(const wf_filter *f)
{
    return !f->source && !f->channel && !f->marker && f->from == WF_TIME_NONE &&
           f->to == WF_TIME_NONE;
}

/* A source given as its value ("OFFLINE") or a label prefix ("offline"). */
static const char *source_lookup(const char *v)
{
    for (int s = 0; s < SRC_COUNT; s++)
        if (strcasecmp(v, wf_source_name((wf_source)s)) == 0) return wf_source_name((wf_source)s);
    for (int s = 0; s < SRC_COUNT; s++)
        if (strncasecmp(v, wf_source_label((wf_source)s), strlen(v)) == 0)
            return wf_source_name((wf_source)s);
    return NULL;
}

static const struct {
    unsigned bit;
    const char *name;
    unsigned glyph;
} flag_table[] = {
#define WF_X(e, bit, n, g) {1u << bit, n, g},
    WF_FLAG_TABLE(WF_X)
#undef WF_X
};

/* A marker by flag name, its glyph, or "finding" (every '!' flag). */
static unsigned marker_lookup(const char *v)
{
    unsigned bits = 0;
    for (size_t i = 0; i < sizeof flag_table / sizeof flag_table[0]; i++) {
        int glyph_match = 0;
        if (flag_table[i].glyph == 0x2260)
            glyph_match = strcmp(v, "\xe2\x89\xa0") == 0 || strcmp(v, "!=") == 0;
        else if (flag_table[i].glyph)
            glyph_match = strlen(v) == 1 && (unsigned char)v[0] == flag_table[i].glyph;
        if (strcasecmp(v, flag_table[i].name) == 0 || glyph_match) bits |= flag_table[i].bit;
        if ((strcasecmp(v, "finding") == 0 || strcasecmp(v, "findings") == 0) &&
            flag_table[i].glyph == '!')
            bits |= flag_table[i].bit;
    }
    return bits;
}

/* "2024-01-01..2024-06-30", "2024-01-01..", "..2024-06-30" or one day. The
 * end date is inclusive, so `to` is the start of the next day. */
static wf_status parse_range(const char *v, wf_ms *from, wf_ms *to)
{
    const char *dots = strstr(v, "..");
    char a[64] = "", b[64] = "";
    if (dots) {
        snprintf(a, sizeof a, "%.*s", (int)(dots - v), v);
        snprintf(b, sizeof b, "%s", dots + 2);
    } else {
        snprintf(a, sizeof a, "%s", v);
        snprintf(b, sizeof b, "%s", v);
    }
    *from = *to = WF_TIME_NONE;
    if (*a && wf_time_parse(a, from) != WF_OK) return WF_E_USAGE;
    if (*b) {
        if (wf_time_parse(b, to) != WF_OK) return WF_E_USAGE;
        if (strlen(b) == 10)
            *to += 86400000; /* a date: include the whole day */
        else
            *to += 1;
    }
    if (!*a && !*b) return WF_E_USAGE;
    if (*from != WF_TIME_NONE && *to != WF_TIME_NONE && *to <= *from) return WF_E_USAGE;
    return WF_OK;
}

static wf_status set_str(char **dst, const char *v)
{
    char *copy = strdup(v);
    if (!copy) return WF_E_NOMEM;
    free(*dst);
    *dst = copy;
    return WF_OK;
}

static wf_status term_source(wf_filter *f, const char *v, char *err, size_t errsz)
{
    const char *s = source_lookup(v);
    if (s) return set_str(&f->source, s);
    snprintf(err, errsz, "unknown source '%s' (e.g. OFFLINE, ORGANIC_SEARCH)", v);
    return WF_E_USAGE;
}

/* Known codes in any case; anything else verbatim (exports hold others). */
static wf_status term_channel(wf_filter *f, const char *v, char *err, size_t errsz)
{
    char up[64];
    size_t i = 0;
    for (; v[i] && i + 1 < sizeof up; i++)
        up[i] = (char)toupper((unsigned char)v[i]);
    up[i] = 0;
    wf_channel c = wf_channel_from_code(up);
    (void)err, (void)errsz;
    return set_str(&f->channel, c == CH_UNKNOWN ? v : wf_channel_code(c));
}

static wf_status term_marker(wf_filter *f, const char *v, char *err, size_t errsz)
{
    f->marker = marker_lookup(v);
    if (f->marker) return WF_OK;
    snprintf(err, errsz,
             "unknown marker '%s' (changed, overridden, merged, stored-differs, finding)", v);
    return WF_E_USAGE;
}

static wf_status term_created(wf_filter *f, const char *v, char *err, size_t errsz)
{
    if (parse_range(v, &f->from, &f->to) == WF_OK) return WF_OK;
    snprintf(err, errsz, "created=%s is not a date range like 2024-01-01..2024-06-30", v);
    return WF_E_USAGE;
}

static const struct {
    const char *name;
    wf_status (*fn)(wf_filter *, const char *, char *, size_t);
} terms[] = {
    {"source", term_source},
    {"channel", term_channel},
    {"marker", term_marker},
    {"created", term_created},
};

static wf_status filter_term(wf_filter *f, const char *term, char *err, size_t errsz)
{
    const char *eq = strchr(term, '=');
    if (!eq || eq == term || !eq[1]) {
        snprintf(err, errsz,
                 "filter term '%s' is not NAME=VALUE (source, channel, marker, created)", term);
        return WF_E_USAGE;
    }
    size_t nl = (size_t)(eq - term);
    for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++)
        if (strlen(terms[i].name) == nl && strncasecmp(term, terms[i].name, nl) == 0)
            return terms[i].fn(f, eq + 1, err, errsz);
    snprintf(err, errsz, "unknown filter '%.*s' (source, channel, marker, created)", (int)nl, term);
    return WF_E_USAGE;
}

static wf_status filter_dup(wf_filter *dst, const wf_filter *src)
{
    wf_filter_init(dst);
    *dst = *src;
    dst->source = dst->channel = NULL;
    if (dup_str(&dst->source, src->source) | dup_str(&dst->channel, src->channel)) {
        wf_filter_clear(dst);
        return WF_E_NOMEM;
    }
    return WF_OK;
}

wf_status wf_filter_parse(wf_filter *f, const char *text, char *err, size_t errsz)
{
    wf_filter tmp;
    if (filter_dup(&tmp, f) != WF_OK) return WF_E_NOMEM;
    char term[256];
    const char *p = text ? text : "";
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t n = strcspn(p, " \t,");
        if (!n) break;
        snprintf(term, sizeof term, "%.*s", (int)n, p);
        p += n;
        wf_status st = filter_term(&tmp, term, err, errsz);
        if (st != WF_OK) {
            wf_filter_clear(&tmp);
            return st;
        }
    }
    wf_filter_clear(f);
    *f = tmp;
    return WF_OK;
}

static void describe_markers(unsigned m, wf_buf *b)
{
    int first = 1;
    for (size_t i = 0; i < sizeof flag_table / sizeof flag_table[0]; i++) {
        if (!(m & flag_table[i].bit)) continue;
        wf_buf_printf(b, "%s%s", first ? "" : ",", flag_table[i].name);
        first = 0;
    }
}

void wf_filter_describe(const wf_filter *f, char *buf, size_t bufsz)
{
    wf_buf b = WF_BUF_INIT;
    char d[WF_TIME_BUFSZ];
    if (f->source) wf_buf_printf(&b, "source=%s ", f->source);
    if (f->channel) wf_buf_printf(&b, "channel=%s ", f->channel);
    if (f->marker) {
        wf_buf_puts(&b, "marker=");
        describe_markers(f->marker, &b);
        wf_buf_putc(&b, ' ');
    }
    if (f->from != WF_TIME_NONE || f->to != WF_TIME_NONE) {
        wf_buf_puts(&b, "created=");
        if (f->from != WF_TIME_NONE) wf_buf_puts(&b, wf_time_date(f->from, d));
        wf_buf_puts(&b, "..");
        if (f->to != WF_TIME_NONE) wf_buf_puts(&b, wf_time_date(f->to - 1, d));
        wf_buf_putc(&b, ' ');
    }
    if (b.len) b.p[--b.len] = 0;
    snprintf(buf, bufsz, "%s", wf_buf_str(&b));
    wf_buf_free(&b);
}

/* ---- the row source ------------------------------------------------------- */

wf_status wf_rows_new(wf_store *s, wf_rows **out)
{
    wf_rows *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r) return WF_E_NOMEM;
    r->store = s;
    r->sort = WF_SORT_CREATED;
    wf_filter_init(&r->filter);
    *out = r;
    return WF_OK;
}

void wf_rows_free(wf_rows **rp)
{
    if (!rp || !*rp) return;
    wf_filter_clear(&(*rp)->filter);
    free(*rp);
    *rp = NULL;
}

static int64_t count_of(wf_rows *r, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(wf_store_db(r->store), sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Every listed contact has a cache row with an effective source. Contacts
 * are never deleted, so comparing counts (all through indexes or whole-
 * table counts) is enough, and costs far less than one full sort. */
static int cache_covers_all(wf_rows *r)
{
    int64_t listed = count_of(r, "SELECT (SELECT count(*) FROM contacts) - (SELECT count(*)"
                                 " FROM contacts WHERE merged_into IS NOT NULL)");
    int64_t nulls = count_of(r, "SELECT count(*) FROM (SELECT 1 FROM computed"
                                " WHERE eff_source IS NULL LIMIT 1)");
    int64_t merged_rows = count_of(r, "SELECT count(*) FROM contacts c JOIN computed k"
                                      " ON k.contact = c.id WHERE c.merged_into IS NOT NULL");
    int64_t cached = count_of(r, "SELECT count(*) FROM computed");
    return listed > 0 && nulls == 0 && merged_rows >= 0 && cached - merged_rows == listed;
}

void wf_rows_set_sort(wf_rows *r, wf_sort sort)
{
    if (sort < 0 || sort >= WF_SORT_COUNT) return;
    r->sort = sort;
    r->source_by_cache = sort == WF_SORT_SOURCE && cache_covers_all(r);
}

wf_sort wf_rows_sort(const wf_rows *r)
{
    return r->sort;
}

wf_status wf_rows_set_filter(wf_rows *r, const wf_filter *f)
{
    wf_filter tmp;
    if (filter_dup(&tmp, f) != WF_OK) return WF_E_NOMEM;
    wf_filter_clear(&r->filter);
    r->filter = tmp;
    return WF_OK;
}

const wf_filter *wf_rows_filter(const wf_rows *r)
{
    return &r->filter;
}

#define ROW_COLUMNS                                                                                \
    "c.id, c.email, c.firstname, c.lastname, c.company, c.created_at, c.channel,"                  \
    " coalesce(k.eff_source, c.src),"                                                              \
    " CASE WHEN k.contact IS NULL THEN c.src_dd1 ELSE k.eff_dd1 END,"                              \
    " c.src, coalesce(k.flags, 0), k.contact IS NOT NULL"

#define EFF_SOURCE "coalesce(k.eff_source, c.src, '')"

/* The sort key as a row value, and its ORDER BY in either direction. */
static const char *key_expr(const wf_rows *r)
{
    if (r->sort == WF_SORT_SOURCE && r->source_by_cache) return "(k.eff_source, k.contact)";
    switch (r->sort) {
    case WF_SORT_ID:
        return "(c.id)";
    case WF_SORT_SOURCE:
        return "(" EFF_SOURCE ", c.id)";
    default:
        return "(c.created_at, c.id)";
    }
}

static const char *key_params(const wf_rows *r)
{
    return r->sort == WF_SORT_ID ? "(:k2)" : "(:k1, :k2)";
}

static const char *order_by(const wf_rows *r, int desc)
{
    static const char *const o[WF_SORT_COUNT][2] = {
        {"c.created_at, c.id", "c.created_at DESC, c.id DESC"},
        {"c.id", "c.id DESC"},
        {EFF_SOURCE ", c.id", EFF_SOURCE " DESC, c.id DESC"},
    };
    if (r->sort == WF_SORT_SOURCE && r->source_by_cache)
        return desc ? "k.eff_source DESC, k.contact DESC" : "k.eff_source, k.contact";
    return o[r->sort][desc ? 1 : 0];
}

/* The FROM clause of list-order queries. */
static const char *from_sql(const wf_rows *r)
{
    return r->sort == WF_SORT_SOURCE && r->source_by_cache
               ? " FROM computed k CROSS JOIN contacts c ON c.id = k.contact"
               : " FROM contacts c LEFT JOIN computed k ON k.contact = c.id";
}

/* The WHERE clause. Terms that must not pick the index (another index
 * gives the sort order) get a unary +: a page then walks the sort index and
 * stops after n rows, instead of sorting every row the filter lets through. */
static void filter_sql(const wf_rows *r, wf_buf *sql)
{
    const wf_filter *f = &r->filter;
    int by_created = r->sort == WF_SORT_CREATED;
    int by_cache = r->sort == WF_SORT_SOURCE && r->source_by_cache;
    wf_buf_puts(sql, " WHERE c.merged_into IS NULL");
    if (f->source && by_cache)
        wf_buf_puts(sql, " AND k.eff_source = :src"); /* a range of the sort index */
    else if (f->source)
        wf_buf_puts(sql, " AND " EFF_SOURCE " = :src");
    if (f->channel) wf_buf_puts(sql, by_created ? " AND c.channel = :ch" : " AND +c.channel = :ch");
    if (f->marker) wf_buf_puts(sql, " AND (coalesce(k.flags, 0) & :mk) != 0");
    if (f->from != WF_TIME_NONE)
        wf_buf_puts(sql, by_created ? " AND c.created_at >= :from" : " AND +c.created_at >= :from");
    if (f->to != WF_TIME_NONE)
        wf_buf_puts(sql, by_created ? " AND c.created_at < :to" : " AND +c.created_at < :to");
}

static void bind_text(sqlite3_stmt *st, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i) sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void bind_int(sqlite3_stmt *st, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(st, name);
    if (i) sqlite3_bind_int64(st, i, v);
}

static void bind_filter(sqlite3_stmt *st, const wf_filter *f)
{
    bind_text(st, ":src", f->source);
    bind_text(st, ":ch", f->channel);
    bind_int(st, ":mk", f->marker);
    bind_int(st, ":from", f->from);
    bind_int(st, ":to", f->to);
}

static void bind_key(sqlite3_stmt *st, wf_sort s, const wf_row *key)
{
    if (s == WF_SORT_SOURCE)
        bind_text(st, ":k1", key->source ? key->source : "");
    else
        bind_int(st, ":k1", key->created_at);
    bind_int(st, ":k2", key->id);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    return (const char *)sqlite3_column_text(st, i);
}

static wf_status read_row(sqlite3_stmt *st, wf_row *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(st, 0);
    r->created_at = sqlite3_column_int64(st, 5);
    r->flags = (unsigned)sqlite3_column_int64(st, 10);
    r->has_computed = sqlite3_column_int(st, 11);
    int bad = dup_str(&r->email, col_text(st, 1)) | dup_str(&r->firstname, col_text(st, 2)) |
              dup_str(&r->lastname, col_text(st, 3)) | dup_str(&r->company, col_text(st, 4)) |
              dup_str(&r->channel, col_text(st, 6)) | dup_str(&r->source, col_text(st, 7)) |
              dup_str(&r->dd1, col_text(st, 8)) | dup_str(&r->stored_source, col_text(st, 9));
    if (bad) {
        wf_row_clear(r);
        return WF_E_NOMEM;
    }
    return WF_OK;
}

/* Runs a prepared statement, reading up to n rows into out. */
static wf_status collect(sqlite3_stmt *st, size_t n, wf_row *out, size_t *got)
{
    int rc;
    wf_status res = WF_OK;
    while (*got < n && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if ((res = read_row(st, &out[*got])) != WF_OK) break;
        ++*got;
    }
    if (res == WF_OK && *got < n && rc != SQLITE_DONE) res = wf_store_status(rc);
    return res;
}

static wf_status prepare(wf_rows *r, wf_buf *sql, sqlite3_stmt **st)
{
    if (sql->failed) return WF_E_NOMEM;
    int rc = sqlite3_prepare_v2(wf_store_db(r->store), wf_buf_str(sql), -1, st, NULL);
    return rc ? wf_store_status(rc) : WF_OK;
}

static wf_status page(wf_rows *r, const wf_row *key, size_t n, int backward, wf_row *out,
                      size_t *got)
{
    wf_buf sql = WF_BUF_INIT;
    sqlite3_stmt *st = NULL;
    *got = 0;
    wf_buf_printf(&sql, "SELECT " ROW_COLUMNS "%s", from_sql(r));
    filter_sql(r, &sql);
    if (key) wf_buf_printf(&sql, " AND %s %s %s", key_expr(r), backward ? "<" : ">", key_params(r));
    wf_buf_printf(&sql, " ORDER BY %s LIMIT :n", order_by(r, backward));
    wf_status res = prepare(r, &sql, &st);
    wf_buf_free(&sql);
    if (res != WF_OK) return res;
    bind_filter(st, &r->filter);
    if (key) bind_key(st, r->sort, key);
    bind_int(st, ":n", (int64_t)n);
    res = collect(st, n, out, got);
    sqlite3_finalize(st);
    if (backward) /* the query ran backwards; hand the rows back ascending */
        for (size_t i = 0; i < *got / 2; i++) {
            wf_row t = out[i];
            out[i] = out[*got - 1 - i];
            out[*got - 1 - i] = t;
        }
    return res;
}

wf_status wf_rows_after(wf_rows *r, const wf_row *key, size_t n, wf_row *out, size_t *got)
{
    return page(r, key, n, 0, out, got);
}

wf_status wf_rows_before(wf_rows *r, const wf_row *key, size_t n, wf_row *out, size_t *got)
{
    return page(r, key, n, 1, out, got);
}

wf_status wf_rows_get(wf_rows *r, int64_t id, wf_row *out)
{
    wf_buf sql = WF_BUF_INIT;
    sqlite3_stmt *st = NULL;
    size_t got = 0;
    wf_buf_puts(&sql, "SELECT " ROW_COLUMNS " FROM contacts c"
                      " LEFT JOIN computed k ON k.contact = c.id");
    filter_sql(r, &sql);
    wf_buf_puts(&sql, " AND c.id = :id");
    wf_status res = prepare(r, &sql, &st);
    wf_buf_free(&sql);
    if (res != WF_OK) return res;
    bind_filter(st, &r->filter);
    bind_int(st, ":id", id);
    res = collect(st, 1, out, &got);
    sqlite3_finalize(st);
    if (res == WF_OK && got == 0) res = WF_E_NOTFOUND;
    return res;
}

/* ---- search ---------------------------------------------------------------- */

/* The ids matching a query, each branch an index range on a NOCASE index:
 * column >= prefix AND column < prefix || 0xff. */
#define MATCH_RANGE(col, lo, hi)                                                                   \
    "SELECT id FROM contacts WHERE " col " COLLATE NOCASE >= " lo " AND " col                      \
    " COLLATE NOCASE < " hi

static const char match_cte[] =
    "WITH m(id) AS MATERIALIZED (" MATCH_RANGE("email", ":lo", ":hi") " UNION " MATCH_RANGE(
        "firstname", ":lo",
        ":hi") " UNION " MATCH_RANGE("lastname", ":lo",
                                     ":hi") " UNION " MATCH_RANGE("company", ":lo",
                                                                  ":hi") " UNION "
                                                                         "SELECT id FROM contacts "
                                                                         "WHERE firstname COLLATE "
                                                                         "NOCASE >= :w1lo"
                                                                         " AND firstname COLLATE "
                                                                         "NOCASE < :w1hi"
                                                                         " AND lastname COLLATE "
                                                                         "NOCASE >= :w2lo AND "
                                                                         "lastname COLLATE NOCASE "
                                                                         "< :w2hi UNION "
                                                                         "SELECT id FROM contacts "
                                                                         "WHERE id = :qid) ";

static int is_number(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

static void bind_prefix(sqlite3_stmt *st, const char *lo_name, const char *hi_name, const char *p,
                        size_t n)
{
    char buf[512];
    if (n > sizeof buf - 2) n = sizeof buf - 2;
    memcpy(buf, p, n);
    buf[n] = 0;
    bind_text(st, lo_name, buf);
    buf[n] = (char)0xff; /* sorts after every UTF-8 continuation of the prefix */
    buf[n + 1] = 0;
    bind_text(st, hi_name, buf);
}

static void bind_query(sqlite3_stmt *st, const char *q)
{
    bind_prefix(st, ":lo", ":hi", q, strlen(q));
    const char *sp = strchr(q, ' ');
    if (sp) {
        const char *w2 = sp;
        while (*w2 == ' ')
            w2++;
        bind_prefix(st, ":w1lo", ":w1hi", q, (size_t)(sp - q));
        bind_prefix(st, ":w2lo", ":w2hi", w2, strlen(w2));
    }
    if (is_number(q)) bind_int(st, ":qid", strtoll(q, NULL, 10));
}

/* The same match as an inline predicate, for scanning in list order. The
 * unary + keeps SQLite from answering it through the name indexes, so the
 * scan follows the sort index and stops at the first hit. */
#define MATCH_COL(col, lo, hi)                                                                     \
    "(+c." col " COLLATE NOCASE >= " lo " AND +c." col " COLLATE NOCASE < " hi ")"
static const char
    match_pred
        [] = " AND (" MATCH_COL("email", ":lo", ":hi") " OR " MATCH_COL("firstname", ":lo", ":hi") " OR " MATCH_COL(
            "lastname", ":lo",
            ":hi") " OR " MATCH_COL("company", ":lo",
                                    ":hi") " OR (" MATCH_COL("firstname", ":w1lo",
                                                             ":w1hi") " AND " MATCH_COL("lastname",
                                                                                        ":w2lo",
                                                                                        ":w2hi") ")"
                                                                                                 " "
                                                                                                 "O"
                                                                                                 "R"
                                                                                                 " "
                                                                                                 "+"
                                                                                                 "c"
                                                                                                 "."
                                                                                                 "i"
                                                                                                 "d"
                                                                                                 " "
                                                                                                 "="
                                                                                                 " "
                                                                                                 ":"
                                                                                                 "q"
                                                                                                 "i"
                                                                                                 "d"
                                                                                                 ")";

/* Matches at or above this many are "dense": scanning the list from the
 * cursor finds the next one within about N / DENSE rows, cheaper than
 * sorting every match. Below it, the matches are fetched through the name
 * indexes and sorted. Either way the cost is bounded. */
#define DENSE 500
#define SCAN_BUDGET_MS 15

/* Stops a statement once the monotonic clock passes the deadline. */
static int past_deadline(void *arg)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6 > *(const double *)arg;
}

static double deadline_in(int ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6 + ms;
}

static const char match_union[] = MATCH_RANGE("email", ":lo", ":hi") " UNION ALL " MATCH_RANGE(
    "firstname", ":lo",
    ":hi") " UNION ALL " MATCH_RANGE("lastname", ":lo",
                                     ":hi") " UNION ALL " MATCH_RANGE("company", ":lo", ":hi");

/* Counts up to DENSE matches, streaming the index ranges (no
 * materialization), so the check costs at most DENSE index steps. */
static int match_is_dense(wf_rows *r, const char *q)
{
    sqlite3_stmt *st = NULL;
    wf_buf sql = WF_BUF_INIT;
    int dense = 0;
    wf_buf_printf(&sql, "SELECT count(*) FROM (%s LIMIT %d)", match_union, DENSE);
    if (prepare(r, &sql, &st) == WF_OK) {
        bind_query(st, q);
        if (sqlite3_step(st) == SQLITE_ROW) dense = sqlite3_column_int(st, 0) >= DENSE;
    }
    sqlite3_finalize(st);
    wf_buf_free(&sql);
    return dense;
}

static wf_status find_once(wf_rows *r, const char *q, const wf_row *from, int dir, int dense,
                           wf_row *out)
{
    wf_buf sql = WF_BUF_INIT;
    sqlite3_stmt *st = NULL;
    size_t got = 0;
    if (dense) {
        wf_buf_printf(&sql, "SELECT " ROW_COLUMNS "%s", from_sql(r));
        filter_sql(r, &sql);
        wf_buf_puts(&sql, match_pred);
    } else {
        /* CROSS JOIN keeps the matches as the outer loop: the cost follows
         * the number of matches, not the size of the table. */
        wf_buf_puts(&sql, match_cte);
        wf_buf_puts(&sql, "SELECT " ROW_COLUMNS " FROM m CROSS JOIN contacts c"
                          " LEFT JOIN computed k ON k.contact = c.id");
        filter_sql(r, &sql);
        wf_buf_puts(&sql, " AND c.id = m.id");
    }
    if (from) wf_buf_printf(&sql, " AND %s %s %s", key_expr(r), dir < 0 ? "<" : ">", key_params(r));
    wf_buf_printf(&sql, " ORDER BY %s LIMIT 1", order_by(r, dir < 0));
    wf_status res = prepare(r, &sql, &st);
    wf_buf_free(&sql);
    if (res != WF_OK) return res;
    bind_filter(st, &r->filter);
    bind_query(st, q);
    if (from) bind_key(st, r->sort, from);
    /* a scan that runs long means the matches are far from the cursor:
     * give up and take the index path, whose cost follows the matches */
    sqlite3 *db = wf_store_db(r->store);
    double deadline = deadline_in(SCAN_BUDGET_MS);
    if (dense) sqlite3_progress_handler(db, 1000, past_deadline, &deadline);
    res = collect(st, 1, out, &got);
    int interrupted = dense && got == 0 && sqlite3_errcode(db) == SQLITE_INTERRUPT;
    if (dense) sqlite3_progress_handler(db, 0, NULL, NULL);
    sqlite3_finalize(st);
    if (interrupted) return find_once(r, q, from, dir, 0, out);
    if (res == WF_OK && got == 0) res = WF_E_NOTFOUND;
    return res;
}

wf_status wf_rows_find(wf_rows *r, const char *query, const wf_row *from, int dir, wf_row *out,
                       int *wrapped)
{
    *wrapped = 0;
    char q[256];
    while (query && *query == ' ')
        query++;
    snprintf(q, sizeof q, "%s", query ? query : "");
    for (size_t n = strlen(q); n && q[n - 1] == ' ';)
        q[--n] = 0;
    if (!*q) return WF_E_NOTFOUND;
    int dense = match_is_dense(r, q);
    wf_status st = find_once(r, q, from, dir, dense, out);
    if (st == WF_E_NOTFOUND && from) {
        st = find_once(r, q, NULL, dir, dense, out);
        if (st == WF_OK) *wrapped = 1;
    }
    return st;
}

int64_t wf_rows_count_within(wf_rows *r, int ms)
{
    wf_buf sql = WF_BUF_INIT;
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (wf_filter_is_empty(&r->filter)) {
        /* count(*) of a whole table walks the b-tree without decoding rows */
        wf_buf_puts(&sql, "SELECT (SELECT count(*) FROM contacts) - (SELECT count(*) FROM"
                          " contacts WHERE merged_into IS NOT NULL)");
    } else {
        wf_buf_puts(&sql, "SELECT count(*) FROM contacts c");
        if (r->filter.source || r->filter.marker)
            wf_buf_puts(&sql, " LEFT JOIN computed k ON k.contact = c.id");
        filter_sql(r, &sql);
    }
    sqlite3 *db = wf_store_db(r->store);
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double deadline = (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6 + ms;
    if (ms > 0) sqlite3_progress_handler(db, 1000, past_deadline, &deadline);
    if (prepare(r, &sql, &st) == WF_OK) {
        bind_filter(st, &r->filter);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        else if (rc == SQLITE_INTERRUPT)
            n = -2;
    }
    sqlite3_finalize(st);
    if (ms > 0) sqlite3_progress_handler(db, 0, NULL, NULL);
    wf_buf_free(&sql);
    return n;
}

int64_t wf_rows_count(wf_rows *r)
{
    return wf_rows_count_within(r, 0);
}

int64_t wf_rows_max_id(wf_rows *r)
{
    int64_t n = count_of(r, "SELECT coalesce(max(id), 0) FROM contacts");
    return n < 0 ? 0 : n;
}
