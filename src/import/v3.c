/* CRM API v3 contact records: {id, properties, propertiesWithHistory,
 * createdAt, updatedAt, archived}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/reader.h"

typedef struct {
    const cJSON *props, *pwh;
} v3_ctx;

/* The newest entry of a property's history. */
static const cJSON *newest_entry(const cJSON *list)
{
    const cJSON *best = NULL;
    wf_ms best_at = WF_TIME_NONE;
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        const cJSON *ts = wf_imp_get(e, "timestamp");
        wf_ms t = WF_TIME_NONE;
        if (cJSON_IsString(ts))
            wf_time_parse(ts->valuestring, &t);
        else if (cJSON_IsNumber(ts))
            t = (wf_ms)ts->valuedouble;
        if (!best || t > best_at) {
            best = e;
            best_at = t;
        }
    }
    return best;
}

static const char *v3_lookup(void *ctx, const char *name)
{
    v3_ctx *c = ctx;
    const cJSON *v = wf_imp_get(c->props, name);
    if (cJSON_IsString(v)) return v->valuestring;
    if (v && !cJSON_IsNull(v)) return NULL;
    const cJSON *e = newest_entry(wf_imp_get(c->pwh, name));
    const cJSON *ev = wf_imp_get(e, "value");
    return cJSON_IsString(ev) ? ev->valuestring : NULL;
}

/* One propertiesWithHistory entry: written, and kept in h for the channel
 * fallback. */
static wf_status v3_entry(wf_imp *im, int64_t id, const char *prop, const cJSON *e, wf_imp_hist *h)
{
    char ub[32], uid[32];
    if (!cJSON_IsObject(e))
        return wf_imp_fail(im, "-", "expected an object, got %s", wf_imp_type(e));
    wf_history x = {.property = prop};
    wf_status st = wf_imp_time(im, wf_imp_get(e, "timestamp"), "timestamp", 1, &x.at);
    if (st == WF_OK) st = wf_imp_str(im, wf_imp_get(e, "value"), "value", &x.value);
    if (st == WF_OK) st = wf_imp_str(im, wf_imp_get(e, "sourceType"), "sourceType", &x.source_type);
    if (st == WF_OK)
        st = wf_imp_idtext(im, wf_imp_get(e, "sourceId"), "sourceId", ub, sizeof ub, &x.source_id);
    if (st == WF_OK)
        st = wf_imp_str(im, wf_imp_get(e, "sourceLabel"), "sourceLabel", &x.source_label);
    if (st == WF_OK)
        st = wf_imp_idtext(im, wf_imp_get(e, "updatedByUserId"), "updatedByUserId", uid, sizeof uid,
                           &x.user_id);
    if (st == WF_OK) st = wf_imp_put_history(im, id, &x);
    x.source_id = x.user_id = NULL; /* point into this frame */
    if (st == WF_OK) st = wf_imp_hist_add(h, &x);
    return st;
}

static wf_status v3_history(wf_imp *im, int64_t id, const cJSON *pwh, wf_imp_hist *h)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, pwh)
    {
        const cJSON *list = NULL;
        wf_status st = wf_imp_arr(im, p, "-", &list);
        if (st != WF_OK) return wf_imp_in(im, st, "propertiesWithHistory.%s", p->string);
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, list)
        {
            st = v3_entry(im, id, p->string, e, h);
            if (st != WF_OK) return wf_imp_in(im, st, "propertiesWithHistory.%s[%d]", p->string, i);
            i++;
        }
    }
    return WF_OK;
}

static wf_status v3_props(wf_imp *im, int64_t id, const v3_ctx *c, int keep)
{
    const cJSON *p;
    char f[200], buf[64];
    cJSON_ArrayForEach(p, c->props)
    {
        if (wf_imp_prop_in_columns(p->string)) continue;
        const char *v = cJSON_IsString(p) ? p->valuestring : NULL;
        wf_status st = WF_OK;
        if (!v) {
            snprintf(f, sizeof f, "properties.%s", p->string);
            st = wf_imp_value(im, p, f, buf, sizeof buf, &v);
        }
        if (st == WF_OK) st = wf_ingest_prop(im->ig, id, p->string, v, keep, NULL);
        if (st != WF_OK) return st;
    }
    /* properties that only come with history: their newest value */
    cJSON_ArrayForEach(p, c->pwh)
    {
        if (wf_imp_get(c->props, p->string) || wf_imp_prop_in_columns(p->string)) continue;
        const cJSON *ev = wf_imp_get(newest_entry(p), "value");
        if (!cJSON_IsString(ev)) continue;
        wf_status st = wf_ingest_prop(im->ig, id, p->string, ev->valuestring, keep, NULL);
        if (st != WF_OK) return st;
    }
    return WF_OK;
}

/* hs_merged_object_ids "1;2" or hs_calculated_merged_vids "1:ms;2:ms". */
static wf_status v3_merges(wf_imp *im, int64_t id, const char *list)
{
    if (!list) return WF_OK;
    const char *p = list;
    while (*p) {
        char *end;
        long long m = strtoll(p, &end, 10);
        wf_ms at = WF_TIME_NONE;
        if (*end == ':') {
            long long t = strtoll(end + 1, &end, 10);
            if (t >= WF_IMPORT_TIME_MIN && t < WF_IMPORT_TIME_MAX) at = t;
        }
        if (m > 0 && m != id) {
            int ch = 0;
            wf_status st = wf_ingest_merge(im->ig, id, m, at, NULL, &ch);
            if (st != WF_OK) return st;
            im->rep->merges += ch;
        }
        while (*end && *end != ';')
            end++;
        p = *end ? end + 1 : end;
    }
    return WF_OK;
}

static wf_status v3_check_props(wf_imp *im, const cJSON *props)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, props)
    {
        if (cJSON_IsObject(p) || cJSON_IsArray(p)) {
            char f[200];
            snprintf(f, sizeof f, "properties.%s", p->string);
            return wf_imp_fail(im, f, "expected a string, got %s", wf_imp_type(p));
        }
    }
    return WF_OK;
}

wf_status wf_import_v3_record(wf_imp *im, const cJSON *rec)
{
    if (!cJSON_IsObject(rec))
        return wf_imp_fail(im, "-", "expected a CRM v3 record (an object), got %s",
                           wf_imp_type(rec));
    int64_t id;
    v3_ctx c = {0};
    wf_ms created, updated;
    wf_status st = wf_imp_id(im, wf_imp_get(rec, "id"), "id", 1, &id);
    if (st == WF_OK) st = wf_imp_obj(im, wf_imp_get(rec, "properties"), "properties", &c.props);
    if (st == WF_OK)
        st = wf_imp_obj(im, wf_imp_get(rec, "propertiesWithHistory"), "propertiesWithHistory",
                        &c.pwh);
    if (st == WF_OK) st = v3_check_props(im, c.props);
    if (st == WF_OK) st = wf_imp_time(im, wf_imp_get(rec, "createdAt"), "createdAt", 0, &created);
    if (st == WF_OK) st = wf_imp_time(im, wf_imp_get(rec, "updatedAt"), "updatedAt", 0, &updated);
    if (st == WF_OK && updated == WF_TIME_NONE) {
        const char *lm = v3_lookup(&c, "lastmodifieddate");
        cJSON tmp = {.type = cJSON_String, .valuestring = (char *)(lm ? lm : "")};
        st = wf_imp_time(im, &tmp, "properties.lastmodifieddate", 0, &updated);
    }
    if (st != WF_OK) return st;
    wf_imp_hist h = {0};
    wf_ingest_contact ct;
    int older = 0;
    st = v3_history(im, id, c.pwh, &h);
    if (st == WF_OK) st = wf_imp_contact_from_props(im, id, v3_lookup, &c, created, updated, &ct);
    if (st == WF_OK && !ct.channel) wf_imp_channel_from_history(&h, &ct);
    if (st == WF_OK) st = wf_imp_put_contact(im, &ct, &older);
    if (st == WF_OK) st = v3_props(im, id, &c, older);
    if (st == WF_OK) st = v3_merges(im, id, v3_lookup(&c, "hs_merged_object_ids"));
    if (st == WF_OK) st = v3_merges(im, id, v3_lookup(&c, "hs_calculated_merged_vids"));
    wf_imp_hist_free(&h);
    return st;
}
