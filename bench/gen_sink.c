/* The generator's outputs: HubSpot CRM v3 + web-analytics events JSON, CSV
 * for the sqlite3 .import baseline, and a wherefrom database (real schema). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen_int.h"
#include "store/store.h"

/* ---- output buffer ------------------------------------------------------- */

#define OB_FLUSH_AT (1u << 20)

void gen_ob_init(gen_ob *b, FILE *f)
{
    memset(b, 0, sizeof *b);
    b->f = f;
}

void gen_ob_flush(gen_ob *b)
{
    if (b->n && b->f && fwrite(b->p, 1, b->n, b->f) != b->n) b->failed = 1;
    b->n = 0;
}

void gen_ob_free(gen_ob *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

void gen_ob_mem(gen_ob *b, const char *s, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 2 * OB_FLUSH_AT;
        while (cap < b->n + n)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    if (b->n >= OB_FLUSH_AT) gen_ob_flush(b);
}

void gen_ob_str(gen_ob *b, const char *s)
{
    gen_ob_mem(b, s, strlen(s));
}

void gen_ob_i64(gen_ob *b, int64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0) *--p = '-';
    gen_ob_mem(b, p, (size_t)(tmp + sizeof tmp - p));
}

void gen_ob_json(gen_ob *b, const char *s)
{
    if (!s) {
        gen_ob_mem(b, "null", 4);
        return;
    }
    gen_ob_mem(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch != '"' && ch != '\\' && ch >= 0x20) continue;
        gen_ob_mem(b, run, (size_t)(s - run));
        char esc[8];
        snprintf(esc, sizeof esc, ch == '"' ? "\\\"" : ch == '\\' ? "\\\\" : "\\u%04x", ch);
        gen_ob_str(b, esc);
        run = s + 1;
    }
    gen_ob_mem(b, run, (size_t)(s - run));
    gen_ob_mem(b, "\"", 1);
}

void gen_ob_csv(gen_ob *b, const char *s)
{
    if (!s) return;
    if (!strpbrk(s, ",\"\r\n")) {
        gen_ob_str(b, s);
        return;
    }
    gen_ob_mem(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"') gen_ob_mem(b, "\"", 1);
        gen_ob_mem(b, s, 1);
    }
    gen_ob_mem(b, "\"", 1);
}

/* Days since the epoch to a civil date (Howard Hinnant's algorithm). */
static void civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

void gen_ob_iso(gen_ob *b, wf_ms t)
{
    int64_t days = t >= 0 ? t / 86400000 : -((-t + 86399999) / 86400000);
    int64_t rest = t - days * 86400000;
    int y, mo, d;
    civil(days, &y, &mo, &d);
    char s[25] = "0000-00-00T00:00:00.000Z";
    put2(s, y / 100);
    put2(s + 2, y % 100);
    put2(s + 5, mo);
    put2(s + 8, d);
    put2(s + 11, (int)(rest / 3600000));
    put2(s + 14, (int)(rest / 60000 % 60));
    put2(s + 17, (int)(rest / 1000 % 60));
    int ms = (int)(rest % 1000);
    s[20] = (char)('0' + ms / 100);
    put2(s + 21, ms % 100);
    gen_ob_mem(b, s, 24);
}

/* ---- files --------------------------------------------------------------- */

static FILE *open_out(const char *dir, const char *name, char *err, size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) snprintf(err, errsz, "%s: %s", path, strerror(errno));
    return f;
}

static int make_dir(const char *dir, char *err, size_t errsz)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) return 0;
    snprintf(err, errsz, "%s: %s", dir, strerror(errno));
    return -1;
}

/* Closes an output, reporting a write error once. */
static wf_status close_out(FILE **f, gen_ob *b, const char *what, char *err, size_t errsz)
{
    wf_status st = WF_OK;
    if (*f) {
        gen_ob_flush(b);
        if (fclose(*f) != 0 || b->failed) {
            snprintf(err, errsz, "%s: write failed", what);
            st = WF_E_IO;
        }
    }
    *f = NULL;
    b->failed = 0;
    return st;
}

/* ---- v3 JSON ------------------------------------------------------------- */

typedef struct {
    gen_sink base;
    const gen_opts *o;
    FILE *cf, *ef;
    gen_ob cb, eb;
    int64_t c_in_file, e_in_file;
    int cfile, efile;
} v3_sink;

static wf_status v3_open(v3_sink *k, int events)
{
    char name[64];
    snprintf(name, sizeof name, events ? "events-%05d.json" : "contacts-%05d.json",
             events ? k->efile++ : k->cfile++);
    FILE *f = open_out(k->o->out, name, k->base.err, k->base.errsz);
    if (!f) return WF_E_IO;
    gen_ob *b = events ? &k->eb : &k->cb;
    if (events) {
        k->ef = f;
        k->e_in_file = 0;
    } else {
        k->cf = f;
        k->c_in_file = 0;
    }
    b->f = f;
    gen_ob_str(b, "{\"results\":[");
    return WF_OK;
}

/* Ends the current file; with a next cursor unless it is the last one. */
static wf_status v3_close(v3_sink *k, int events, const char *after)
{
    gen_ob *b = events ? &k->eb : &k->cb;
    FILE **f = events ? &k->ef : &k->cf;
    if (!*f) return WF_OK;
    gen_ob_str(b, "]");
    if (after) {
        gen_ob_str(b, ",\"paging\":{\"next\":{\"after\":");
        gen_ob_json(b, after);
        gen_ob_str(b, "}}");
    }
    gen_ob_str(b, "}\n");
    return close_out(f, b, events ? "events file" : "contacts file", k->base.err, k->base.errsz);
}

static void v3_hist_prop(gen_ob *b, const gen_contact *c, gen_hprop p, int *first_prop)
{
    int any = 0;
    for (int i = c->nhist - 1; i >= 0; i--) { /* newest first, as HubSpot sends it */
        const gen_hentry *h = &c->hist[i];
        if (h->prop != p) continue;
        gen_ob_str(b, any ? ",{" : (*first_prop ? "\"" : ",\""));
        if (!any) {
            gen_ob_str(b, gen_hprop_name(p));
            gen_ob_str(b, "\":[{");
        }
        any = 1;
        *first_prop = 0;
        gen_ob_str(b, "\"value\":");
        gen_ob_json(b, h->value);
        gen_ob_str(b, ",\"timestamp\":\"");
        gen_ob_iso(b, h->at);
        gen_ob_str(b, "\",\"sourceType\":");
        gen_ob_json(b, h->type);
        if (h->source_id) {
            gen_ob_str(b, ",\"sourceId\":");
            gen_ob_json(b, h->source_id);
        }
        if (h->user_id) {
            gen_ob_str(b, ",\"updatedByUserId\":");
            gen_ob_str(b, h->user_id);
        }
        gen_ob_str(b, "}");
    }
    if (any) gen_ob_str(b, "]");
}

static void v3_kv(gen_ob *b, const char *name, const char *value)
{
    gen_ob_str(b, ",\"");
    gen_ob_str(b, name);
    gen_ob_str(b, "\":");
    gen_ob_json(b, value);
}

static void v3_kv_time(gen_ob *b, const char *name, wf_ms t)
{
    gen_ob_str(b, ",\"");
    gen_ob_str(b, name);
    if (t == WF_TIME_NONE || t == 0) {
        gen_ob_str(b, "\":null");
        return;
    }
    gen_ob_str(b, "\":\"");
    gen_ob_iso(b, t);
    gen_ob_str(b, "\"");
}

static void v3_record(gen_ob *b, const gen_contact *c)
{
    gen_ob_str(b, "{\"id\":\"");
    gen_ob_i64(b, c->id);
    gen_ob_str(b, "\",\"properties\":{\"hs_object_id\":\"");
    gen_ob_i64(b, c->id);
    gen_ob_str(b, "\"");
    v3_kv_time(b, "createdate", c->created);
    v3_kv_time(b, "lastmodifieddate", c->updated);
    v3_kv(b, "email", c->email);
    v3_kv(b, "firstname", c->firstname);
    v3_kv(b, "lastname", c->lastname);
    v3_kv(b, "company", c->company);
    v3_kv(b, "hs_analytics_source", c->src);
    v3_kv(b, "hs_analytics_source_data_1", c->dd1);
    v3_kv(b, "hs_analytics_source_data_2", c->dd2);
    v3_kv(b, "hs_latest_source", c->latest);
    v3_kv(b, "hs_latest_source_data_1", c->latest_dd1);
    v3_kv(b, "hs_latest_source_data_2", c->latest_dd2);
    v3_kv_time(b, "hs_analytics_first_timestamp", c->first_at);
    v3_kv_time(b, "hs_analytics_first_visit_timestamp", c->first_visit_at);
    v3_kv(b, "hs_analytics_first_url", c->first_url);
    v3_kv(b, "hs_analytics_first_referrer", c->first_ref);
    for (int i = 0; i < c->nprops; i++)
        v3_kv(b, c->props[i].name, c->props[i].value);
    gen_ob_str(b, "},\"propertiesWithHistory\":{");
    int first = 1;
    for (int p = 0; p < HP_COUNT; p++)
        v3_hist_prop(b, c, (gen_hprop)p, &first);
    gen_ob_str(b, "},\"createdAt\":\"");
    gen_ob_iso(b, c->created);
    gen_ob_str(b, "\",\"updatedAt\":\"");
    gen_ob_iso(b, c->updated);
    gen_ob_str(b, "\",\"archived\":false}");
}

static wf_status v3_contact(gen_sink *s, const gen_contact *c)
{
    v3_sink *k = (v3_sink *)s;
    if (c->merged_into) return WF_OK; /* merged-away records are not listed */
    if (k->cf && k->c_in_file >= k->o->per_file) {
        char after[24];
        snprintf(after, sizeof after, "%lld", (long long)c->id);
        wf_status st = v3_close(k, 0, after);
        if (st != WF_OK) return st;
    }
    if (!k->cf && v3_open(k, 0) != WF_OK) return WF_E_IO;
    if (k->c_in_file++) gen_ob_str(&k->cb, ",\n");
    v3_record(&k->cb, c);
    return k->cb.failed ? WF_E_IO : WF_OK;
}

static void v3_event(gen_ob *b, const gen_pv *p)
{
    gen_ob_str(b, "{\"objectType\":\"CONTACT\",\"objectId\":");
    gen_ob_i64(b, p->contact);
    gen_ob_str(b, ",\"eventType\":\"e_visited_page\",\"occurredAt\":\"");
    gen_ob_iso(b, p->at);
    gen_ob_str(b, "\",\"id\":");
    gen_ob_json(b, p->ext_id);
    gen_ob_str(b, ",\"properties\":{\"hs_url\":");
    gen_ob_json(b, p->url);
    if (p->referrer) v3_kv(b, "hs_referrer", p->referrer);
    v3_kv(b, "hs_session_id", p->session_id);
    v3_kv(b, "hs_page_title", p->title);
    if (p->utm_source) v3_kv(b, "hs_utm_source", p->utm_source);
    if (p->utm_medium) v3_kv(b, "hs_utm_medium", p->utm_medium);
    if (p->utm_campaign) v3_kv(b, "hs_utm_campaign", p->utm_campaign);
    if (p->utm_term) v3_kv(b, "hs_utm_term", p->utm_term);
    if (p->utm_content) v3_kv(b, "hs_utm_content", p->utm_content);
    /* Both spellings occur in real exports (§9). */
    v3_kv(b, p->contact % 3 ? "hs_userAgent" : "hs_user_agent", p->user_agent);
    gen_ob_str(b, "}}");
}

static wf_status v3_pageview(gen_sink *s, const gen_pv *p)
{
    v3_sink *k = (v3_sink *)s;
    if (k->ef && k->e_in_file >= k->o->events_per_file) {
        wf_status st = v3_close(k, 1, p->ext_id);
        if (st != WF_OK) return st;
    }
    if (!k->ef && v3_open(k, 1) != WF_OK) return WF_E_IO;
    if (k->e_in_file++) gen_ob_str(&k->eb, ",\n");
    v3_event(&k->eb, p);
    return k->eb.failed ? WF_E_IO : WF_OK;
}

static wf_status v3_finish(gen_sink *s, int ok)
{
    v3_sink *k = (v3_sink *)s;
    (void)ok;
    wf_status a = v3_close(k, 0, NULL), b = v3_close(k, 1, NULL);
    gen_ob_free(&k->cb);
    gen_ob_free(&k->eb);
    free(k);
    return a != WF_OK ? a : b;
}

gen_sink *gen_sink_v3_new(const gen_opts *o, char *err, size_t errsz)
{
    if (make_dir(o->out, err, errsz) != 0) return NULL;
    v3_sink *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->base = (gen_sink){v3_contact, v3_pageview, v3_finish, err, errsz};
    k->o = o;
    gen_ob_init(&k->cb, NULL);
    gen_ob_init(&k->eb, NULL);
    return &k->base;
}

/* ---- CSV ----------------------------------------------------------------- */

enum { CSV_CONTACTS, CSV_PROPS, CSV_HISTORY, CSV_PAGEVIEWS, CSV_N };

static const char *const csv_names[CSV_N] = {"contacts.csv", "props.csv", "history.csv",
                                             "pageviews.csv"};
/* Same columns as the store's tables, so the baseline loads equivalent rows. */
static const char *const csv_headers[CSV_N] = {
    "id,email,firstname,lastname,company,created_at,channel,channel_detail,channel_label,src,"
    "src_dd1,src_dd2,latest_src,latest_dd1,latest_dd2,latest_at,first_url,first_referrer,"
    "first_at,first_visit_at,merged_into,updated_at\n",
    "contact,name,value\n",
    "contact,property,value,at,source_type,source_id,source_label,user_id\n",
    "contact,token,at,url,referrer,session_id,utm_source,utm_medium,utm_campaign,utm_term,"
    "utm_content,title,user_agent,ext_id\n"};

typedef struct {
    gen_sink base;
    FILE *f[CSV_N];
    gen_ob b[CSV_N];
} csv_sink;

static void csv_row(gen_ob *b, const char *const *v, int n)
{
    for (int i = 0; i < n; i++) {
        if (i) gen_ob_mem(b, ",", 1);
        gen_ob_csv(b, v[i]);
    }
    gen_ob_mem(b, "\n", 1);
}

static const char *num(char *buf, int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

static const char *tnum(char *buf, wf_ms t)
{
    return t == WF_TIME_NONE || t == 0 ? NULL : num(buf, t);
}

static wf_status csv_contact(gen_sink *s, const gen_contact *c)
{
    csv_sink *k = (csv_sink *)s;
    if (c->merged_into) return WF_OK; /* as in the v3 export */
    char n[8][24];
    const char *row[] = {num(n[0], c->id),
                         c->email,
                         c->firstname,
                         c->lastname,
                         c->company,
                         num(n[1], c->created),
                         c->channel,
                         c->channel_detail,
                         c->channel_label,
                         c->src,
                         c->dd1,
                         c->dd2,
                         c->latest,
                         c->latest_dd1,
                         c->latest_dd2,
                         tnum(n[2], c->latest_at),
                         c->first_url,
                         c->first_ref,
                         tnum(n[3], c->first_at),
                         tnum(n[4], c->first_visit_at),
                         NULL,
                         num(n[5], c->updated)};
    csv_row(&k->b[CSV_CONTACTS], row, 22);
    for (int i = 0; i < c->nprops; i++) {
        const char *p[] = {n[0], c->props[i].name, c->props[i].value};
        csv_row(&k->b[CSV_PROPS], p, 3);
    }
    for (int i = 0; i < c->nhist; i++) {
        const gen_hentry *h = &c->hist[i];
        const char *p[] = {n[0],     gen_hprop_name(h->prop),
                           h->value, num(n[6], h->at),
                           h->type,  h->source_id,
                           NULL,     h->user_id};
        csv_row(&k->b[CSV_HISTORY], p, 8);
    }
    return WF_OK;
}

static wf_status csv_pageview(gen_sink *s, const gen_pv *p)
{
    csv_sink *k = (csv_sink *)s;
    char n[2][24];
    const char *row[] = {num(n[0], p->contact), NULL,          num(n[1], p->at), p->url,
                         p->referrer,           p->session_id, p->utm_source,    p->utm_medium,
                         p->utm_campaign,       p->utm_term,   p->utm_content,   p->title,
                         p->user_agent,         p->ext_id};
    csv_row(&k->b[CSV_PAGEVIEWS], row, 14);
    return k->b[CSV_PAGEVIEWS].failed ? WF_E_IO : WF_OK;
}

static wf_status csv_finish(gen_sink *s, int ok)
{
    csv_sink *k = (csv_sink *)s;
    wf_status st = WF_OK;
    (void)ok;
    for (int i = 0; i < CSV_N; i++) {
        wf_status r = close_out(&k->f[i], &k->b[i], csv_names[i], k->base.err, k->base.errsz);
        if (st == WF_OK) st = r;
        gen_ob_free(&k->b[i]);
    }
    free(k);
    return st;
}

gen_sink *gen_sink_csv_new(const gen_opts *o, char *err, size_t errsz)
{
    if (make_dir(o->out, err, errsz) != 0) return NULL;
    csv_sink *k = calloc(1, sizeof *k);
    if (!k) return NULL;
    k->base = (gen_sink){csv_contact, csv_pageview, csv_finish, err, errsz};
    for (int i = 0; i < CSV_N; i++) {
        k->f[i] = open_out(o->out, csv_names[i], err, errsz);
        gen_ob_init(&k->b[i], k->f[i]);
        if (!k->f[i]) {
            csv_finish(&k->base, 0);
            return NULL;
        }
        gen_ob_str(&k->b[i], csv_headers[i]);
    }
    return &k->base;
}
