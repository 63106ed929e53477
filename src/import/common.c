/* Typed access to parsed JSON with exact error reports, and the mapping of
 * HubSpot property names to contact columns shared by the v3 and v1 readers. */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/reader.h"

wf_status wf_imp_fail(wf_imp *im, const char *field, const char *fmt, ...)
{
    snprintf(im->field, sizeof im->field, "%s", field && *field ? field : "-");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(im->msg, sizeof im->msg, fmt, ap);
    va_end(ap);
    return WF_E_DATA;
}

wf_status wf_imp_in(wf_imp *im, wf_status st, const char *fmt, ...)
{
    if (st != WF_E_DATA) return st;
    char path[128], old[sizeof im->field];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    memcpy(old, im->field, sizeof old);
    if (strcmp(old, "-") == 0)
        snprintf(im->field, sizeof im->field, "%s", path);
    else
        snprintf(im->field, sizeof im->field, "%.80s.%.46s", path, old);
    return st;
}

const char *wf_imp_type(const cJSON *j)
{
    if (!j || cJSON_IsNull(j)) return "null";
    if (cJSON_IsBool(j)) return "a boolean";
    if (cJSON_IsNumber(j)) return "a number";
    if (cJSON_IsString(j)) return "a string";
    if (cJSON_IsArray(j)) return "an array";
    return "an object";
}

const cJSON *wf_imp_get(const cJSON *obj, const char *key)
{
    return cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

static int absent(const cJSON *j)
{
    return !j || cJSON_IsNull(j);
}

/* A short printable quote of an untrusted string for a message. */
static void quote(char *out, size_t outsz, const char *s)
{
    size_t o = 0;
    for (; *s && o + 4 < outsz; s++) {
        unsigned char c = (unsigned char)*s;
        out[o++] = c >= 0x20 && c < 0x7f && c != '"' ? (char)c : '?';
    }
    if (*s && o + 4 <= outsz) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = 0;
}

static int all_digits(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9') return 0;
    return 1;
}

wf_status wf_imp_id(wf_imp *im, const cJSON *j, const char *field, int required, int64_t *out)
{
    *out = 0;
    if (absent(j)) return required ? wf_imp_fail(im, field, "missing (an id is required)") : WF_OK;
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if (!(d >= 1 && d <= 9007199254740992.0) || floor(d) != d)
            return wf_imp_fail(im, field, "not a valid id: %g", d);
        *out = (int64_t)d;
        return WF_OK;
    }
    if (cJSON_IsString(j)) {
        char q[48];
        quote(q, sizeof q, j->valuestring);
        if (!all_digits(j->valuestring) || strlen(j->valuestring) > 18)
            return wf_imp_fail(im, field, "not a valid id: \"%s\"", q);
        *out = strtoll(j->valuestring, NULL, 10);
        if (*out < 1) return wf_imp_fail(im, field, "not a valid id: \"%s\"", q);
        return WF_OK;
    }
    return wf_imp_fail(im, field, "expected an id (number or string), got %s", wf_imp_type(j));
}

static int in_range(wf_ms t)
{
    return t >= WF_IMPORT_TIME_MIN && t < WF_IMPORT_TIME_MAX;
}

static wf_status absurd(wf_imp *im, const char *field, wf_ms t, const char *text)
{
    char iso[WF_TIME_BUFSZ];
    return wf_imp_fail(im, field, "absurd timestamp %s (%s): expected 1990..2099", text,
                       wf_time_iso(t, iso));
}

/* Messages are formatted only on failure: this runs several times a record. */
wf_status wf_imp_time(wf_imp *im, const cJSON *j, const char *field, int required, wf_ms *out)
{
    *out = WF_TIME_NONE;
    if (absent(j) || (cJSON_IsString(j) && !*j->valuestring))
        return required ? wf_imp_fail(im, field, "missing (a timestamp is required)") : WF_OK;
    char text[80];
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        int whole = isfinite(d) && floor(d) == d && fabs(d) <= 9e15;
        if (whole && in_range((wf_ms)d)) {
            *out = (wf_ms)d;
            return WF_OK;
        }
        snprintf(text, sizeof text, "%.17g", d);
        if (!whole) return wf_imp_fail(im, field, "not a timestamp: %s", text);
        return absurd(im, field, (wf_ms)d, text);
    }
    if (!cJSON_IsString(j))
        return wf_imp_fail(im, field, "expected a timestamp, got %s", wf_imp_type(j));
    wf_ms t;
    wf_status st = wf_time_parse(j->valuestring, &t);
    if (st == WF_OK && in_range(t)) {
        *out = t;
        return WF_OK;
    }
    char q[56];
    quote(q, sizeof q - 8, j->valuestring);
    snprintf(text, sizeof text, "\"%s\"", q);
    if (st != WF_OK) return wf_imp_fail(im, field, "not a timestamp: %s", text);
    return absurd(im, field, t, text);
}

wf_status wf_imp_str(wf_imp *im, const cJSON *j, const char *field, const char **out)
{
    *out = NULL;
    if (absent(j)) return WF_OK;
    if (!cJSON_IsString(j))
        return wf_imp_fail(im, field, "expected a string, got %s", wf_imp_type(j));
    *out = j->valuestring;
    return WF_OK;
}

wf_status wf_imp_value(wf_imp *im, const cJSON *j, const char *field, char *buf, size_t bufsz,
                       const char **out)
{
    *out = NULL;
    if (absent(j)) return WF_OK;
    if (cJSON_IsString(j)) {
        *out = j->valuestring;
        return WF_OK;
    }
    if (cJSON_IsBool(j)) {
        *out = cJSON_IsTrue(j) ? "true" : "false";
        return WF_OK;
    }
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if (floor(d) == d && fabs(d) < 9e15)
            snprintf(buf, bufsz, "%lld", (long long)d);
        else
            snprintf(buf, bufsz, "%.17g", d);
        *out = buf;
        return WF_OK;
    }
    return wf_imp_fail(im, field, "expected a string, got %s", wf_imp_type(j));
}

wf_status wf_imp_obj(wf_imp *im, const cJSON *j, const char *field, const cJSON **out)
{
    *out = NULL;
    if (absent(j)) return WF_OK;
    if (!cJSON_IsObject(j))
        return wf_imp_fail(im, field, "expected an object, got %s", wf_imp_type(j));
    *out = j;
    return WF_OK;
}

wf_status wf_imp_arr(wf_imp *im, const cJSON *j, const char *field, const cJSON **out)
{
    *out = NULL;
    if (absent(j)) return WF_OK;
    if (!cJSON_IsArray(j))
        return wf_imp_fail(im, field, "expected an array, got %s", wf_imp_type(j));
    *out = j;
    return WF_OK;
}

wf_status wf_imp_idtext(wf_imp *im, const cJSON *j, const char *field, char *buf, size_t bufsz,
                        const char **out)
{
    *out = NULL;
    if (absent(j)) return WF_OK;
    if (cJSON_IsString(j)) {
        *out = *j->valuestring ? j->valuestring : NULL;
        return WF_OK;
    }
    if (cJSON_IsNumber(j) && floor(j->valuedouble) == j->valuedouble) {
        snprintf(buf, bufsz, "%.0f", j->valuedouble);
        *out = buf;
        return WF_OK;
    }
    return wf_imp_fail(im, field, "expected an id (string or number), got %s", wf_imp_type(j));
}

/* Property name -> contact column. */
typedef enum { COL_TEXT, COL_TIME } col_kind;
static const struct {
    const char *prop;
    size_t off;
    col_kind kind;
} colmap[] = {
#define T(p, m)                                                                                    \
    {                                                                                              \
        p, offsetof(wf_ingest_contact, m), COL_TEXT                                                \
    }
#define M(p, m)                                                                                    \
    {                                                                                              \
        p, offsetof(wf_ingest_contact, m), COL_TIME                                                \
    }
    T("email", email),
    T("firstname", firstname),
    T("lastname", lastname),
    T("company", company),
    T("hs_analytics_source", src),
    T("hs_analytics_source_data_1", src_dd1),
    T("hs_analytics_source_data_2", src_dd2),
    T("hs_latest_source", latest_src),
    T("hs_latest_source_data_1", latest_dd1),
    T("hs_latest_source_data_2", latest_dd2),
    M("hs_latest_source_timestamp", latest_at),
    T("hs_analytics_first_url", first_url),
    T("hs_analytics_first_referrer", first_referrer),
    M("hs_analytics_first_timestamp", first_at),
    M("hs_analytics_first_visit_timestamp", first_visit_at),
    T("hs_object_source", channel),
    T("hs_object_source_id", channel_detail),
#undef T
#undef M
};

int wf_imp_prop_in_columns(const char *name)
{
    if (strcmp(name, "hs_object_id") == 0) return 1;
    /* hs_object_source(_id) stay: the channel may come from elsewhere */
    for (size_t i = 0; i < sizeof colmap / sizeof colmap[0]; i++)
        if (strcmp(colmap[i].prop, name) == 0)
            return colmap[i].kind == COL_TEXT && strncmp(name, "hs_object_", 10) != 0;
    return 0;
}

wf_status wf_imp_contact_from_props(wf_imp *im, int64_t id, wf_imp_lookup lookup, void *ctx,
                                    wf_ms created_fallback, wf_ms updated_at, wf_ingest_contact *c)
{
    memset(c, 0, sizeof *c);
    c->id = id;
    c->latest_at = c->first_at = c->first_visit_at = WF_TIME_NONE;
    c->updated_at = updated_at;
    char field[128];
    for (size_t i = 0; i < sizeof colmap / sizeof colmap[0]; i++) {
        const char *v = lookup(ctx, colmap[i].prop);
        if (!v || !*v) continue;
        char *dst = (char *)c + colmap[i].off;
        if (colmap[i].kind == COL_TEXT) {
            *(const char **)dst = v;
            continue;
        }
        snprintf(field, sizeof field, "properties.%s", colmap[i].prop);
        cJSON tmp = {.type = cJSON_String, .valuestring = (char *)v};
        wf_status st = wf_imp_time(im, &tmp, field, 0, (wf_ms *)dst);
        if (st != WF_OK) return st;
    }
    /* the import name (or app name) the UI shows for the record source */
    c->channel_label = lookup(ctx, "hs_object_source_detail_1");
    if (!c->channel_label || !*c->channel_label)
        c->channel_label = lookup(ctx, "hs_object_source_label");
    if (c->channel_label && !*c->channel_label) c->channel_label = NULL;
    const char *cd = lookup(ctx, "createdate");
    c->created_at = created_fallback;
    if (cd && *cd) {
        cJSON tmp = {.type = cJSON_String, .valuestring = (char *)cd};
        wf_status st = wf_imp_time(im, &tmp, "properties.createdate", 1, &c->created_at);
        if (st != WF_OK) return st;
    }
    if (c->created_at == WF_TIME_NONE)
        return wf_imp_fail(im, "properties.createdate",
                           "missing (the contact's create date is required)");
    return WF_OK;
}

wf_status wf_imp_put_contact(wf_imp *im, const wf_ingest_contact *c, int *older)
{
    wf_ingest_result res;
    wf_status st = wf_ingest_contact_put(im->ig, c, &res, older);
    if (st != WF_OK) return st;
    if (res == WF_INGEST_ADDED) im->rep->contacts_added++;
    if (res == WF_INGEST_UPDATED) im->rep->contacts_updated++;
    return WF_OK;
}

wf_status wf_imp_put_history(wf_imp *im, int64_t contact, const wf_history *h)
{
    int ch = 0;
    wf_status st = wf_ingest_history(im->ig, contact, h, &ch);
    im->rep->history += ch;
    return st;
}

wf_status wf_imp_hist_add(wf_imp_hist *h, const wf_history *e)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 32;
        wf_history *v = realloc(h->v, cap * sizeof *v);
        if (!v) return WF_E_NOMEM;
        h->v = v;
        h->cap = cap;
    }
    h->v[h->n++] = *e;
    return WF_OK;
}

void wf_imp_hist_free(wf_imp_hist *h)
{
    free(h->v);
    memset(h, 0, sizeof *h);
}

/* The value of prop set closest to time t (at or after it first, else the
 * latest before it). */
static const char *value_near(const wf_imp_hist *h, const char *prop, wf_ms t)
{
    const wf_history *after = NULL, *before = NULL;
    for (size_t i = 0; i < h->n; i++) {
        const wf_history *e = &h->v[i];
        if (strcmp(e->property, prop) != 0) continue;
        if (e->at >= t && (!after || e->at < after->at)) after = e;
        if (e->at < t && (!before || e->at > before->at)) before = e;
    }
    const wf_history *e = after ? after : before;
    return e && e->value && *e->value ? e->value : NULL;
}

void wf_imp_channel_from_history(const wf_imp_hist *h, wf_ingest_contact *c)
{
    const wf_history *off = NULL;
    for (size_t i = 0; i < h->n; i++) {
        const wf_history *e = &h->v[i];
        if (strcmp(e->property, "hs_analytics_source") == 0 && e->value &&
            strcmp(e->value, "OFFLINE") == 0 && (!off || e->at < off->at))
            off = e;
    }
    if (off) {
        c->channel = value_near(h, "hs_analytics_source_data_1", off->at);
        c->channel_detail = value_near(h, "hs_analytics_source_data_2", off->at);
    } else if (c->src && strcmp(c->src, "OFFLINE") == 0) {
        c->channel = c->src_dd1;
        c->channel_detail = c->src_dd2;
    }
}
