/* Legacy v1 contact profiles: {vid, canonical-vid, merged-vids, properties
 * {name: {value, versions}}, form-submissions, identity-profiles,
 * merge-audits}. */
#include <stdio.h>
#include <string.h>

#include "import/reader.h"

static const char *v1_lookup(void *ctx, const char *name)
{
    const cJSON *v = wf_imp_get(wf_imp_get(ctx, name), "value");
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Both spellings: v1's "source-type" and v3's "sourceType". */
static const cJSON *get2(const cJSON *o, const char *dashed, const char *camel)
{
    const cJSON *j = wf_imp_get(o, dashed);
    return j ? j : wf_imp_get(o, camel);
}

static wf_status v1_version(wf_imp *im, int64_t id, const char *prop, const cJSON *e,
                            wf_imp_hist *h)
{
    char sb[32], ub[32];
    if (!cJSON_IsObject(e))
        return wf_imp_fail(im, "-", "expected an object, got %s", wf_imp_type(e));
    wf_history x = {.property = prop};
    wf_status st = wf_imp_time(im, wf_imp_get(e, "timestamp"), "timestamp", 1, &x.at);
    if (st == WF_OK) st = wf_imp_str(im, wf_imp_get(e, "value"), "value", &x.value);
    if (st == WF_OK)
        st = wf_imp_str(im, get2(e, "source-type", "sourceType"), "source-type", &x.source_type);
    if (st == WF_OK)
        st = wf_imp_idtext(im, get2(e, "source-id", "sourceId"), "source-id", sb, sizeof sb,
                           &x.source_id);
    if (st == WF_OK)
        st =
            wf_imp_str(im, get2(e, "source-label", "sourceLabel"), "source-label", &x.source_label);
    if (st == WF_OK)
        st = wf_imp_idtext(im, get2(e, "updated-by-user-id", "updatedByUserId"),
                           "updated-by-user-id", ub, sizeof ub, &x.user_id);
    if (st == WF_OK) st = wf_imp_put_history(im, id, &x);
    x.source_id = x.user_id = NULL;
    if (st == WF_OK) st = wf_imp_hist_add(h, &x);
    return st;
}

/* Checks the shapes, writes the versions into history. */
static wf_status v1_properties(wf_imp *im, int64_t id, const cJSON *props, wf_imp_hist *h)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, props)
    {
        if (!cJSON_IsObject(p))
            return wf_imp_in(im,
                             wf_imp_fail(im, "-", "expected an object {value, versions}, got %s",
                                         wf_imp_type(p)),
                             "properties.%s", p->string);
        const char *v;
        char buf[64];
        const cJSON *vers = NULL;
        wf_status st = wf_imp_value(im, wf_imp_get(p, "value"), "value", buf, sizeof buf, &v);
        if (st == WF_OK) st = wf_imp_arr(im, wf_imp_get(p, "versions"), "versions", &vers);
        if (st != WF_OK) return wf_imp_in(im, st, "properties.%s", p->string);
        int i = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, vers)
        {
            st = v1_version(im, id, p->string, e, h);
            if (st != WF_OK) return wf_imp_in(im, st, "properties.%s.versions[%d]", p->string, i);
            i++;
        }
    }
    return WF_OK;
}

static wf_status v1_props_write(wf_imp *im, int64_t id, const cJSON *props, int keep)
{
    const cJSON *p;
    cJSON_ArrayForEach(p, props)
    {
        if (wf_imp_prop_in_columns(p->string)) continue;
        const char *v;
        char buf[64];
        wf_status st = wf_imp_value(im, wf_imp_get(p, "value"), "-", buf, sizeof buf, &v);
        if (st == WF_OK) st = wf_ingest_prop(im->ig, id, p->string, v, keep, NULL);
        if (st != WF_OK) return st;
    }
    return WF_OK;
}

/* LEAD_GUID identities of a profile (the visitor tokens it knows). */
typedef struct {
    const char *token[32];
    wf_ms at[32];
    size_t n;
} v1_guids;

/* HubSpot exports give no visitor token per form submission, but a
 * submission that carried a tracking cookie creates a LEAD_GUID identity at
 * that moment: a LEAD_GUID stamped within FORM_GUID_WINDOW after a
 * submission is taken as the token the submission carried [ours]. */
#define FORM_GUID_WINDOW 10000

static const char *guid_for(const v1_guids *g, wf_ms at)
{
    const char *best = NULL;
    wf_ms best_d = FORM_GUID_WINDOW + 1;
    for (size_t i = 0; i < g->n; i++) {
        wf_ms d = g->at[i] - at;
        if (d >= 0 && d < best_d) {
            best = g->token[i];
            best_d = d;
        }
    }
    return best;
}

static wf_status v1_forms(wf_imp *im, int64_t id, const cJSON *rec, const v1_guids *g)
{
    const cJSON *list = NULL;
    wf_status st = wf_imp_arr(im, wf_imp_get(rec, "form-submissions"), "form-submissions", &list);
    int i = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, list)
    {
        char f[64], ff[96], cb[32];
        snprintf(f, sizeof f, "form-submissions[%d]", i++);
        if (st != WF_OK) break;
        if (!cJSON_IsObject(e))
            return wf_imp_fail(im, f, "expected an object, got %s", wf_imp_type(e));
#define FIELD(name) (snprintf(ff, sizeof ff, "%s.%s", f, name), ff)
        /* HubSpot exports give no visitor token per submission */
        wf_form x = {0};
        st = wf_imp_time(im, wf_imp_get(e, "timestamp"), FIELD("timestamp"), 1, &x.at);
        if (st == WF_OK)
            st = wf_imp_idtext(im, wf_imp_get(e, "conversion-id"), FIELD("conversion-id"), cb,
                               sizeof cb, &x.conversion_id);
        if (st == WF_OK)
            st = wf_imp_str(im, wf_imp_get(e, "form-id"), FIELD("form-id"), &x.form_id);
        if (st == WF_OK)
            st = wf_imp_str(im, wf_imp_get(e, "page-url"), FIELD("page-url"), &x.page_url);
        if (st == WF_OK)
            st = wf_imp_str(im, wf_imp_get(e, "page-title"), FIELD("page-title"), &x.page_title);
        if (st == WF_OK && !x.page_title)
            st = wf_imp_str(im, wf_imp_get(e, "title"), FIELD("title"), &x.page_title);
        if (st == WF_OK)
            st = wf_imp_str(im, wf_imp_get(e, "form-type"), FIELD("form-type"), &x.form_type);
#undef FIELD
        if (st == WF_OK) x.token = guid_for(g, x.at);
        int ch = 0;
        if (st == WF_OK) st = wf_ingest_form(im->ig, id, &x, &ch);
        im->rep->forms += ch;
    }
    return st;
}

static wf_status v1_identity(wf_imp *im, int64_t vid, const cJSON *idn, const char *f, v1_guids *g)
{
    char ff[128];
#define FIELD(name) (snprintf(ff, sizeof ff, "%s.%s", f, name), ff)
    if (!cJSON_IsObject(idn))
        return wf_imp_fail(im, f, "expected an object, got %s", wf_imp_type(idn));
    const char *type, *value;
    wf_ms at;
    wf_status st = wf_imp_str(im, wf_imp_get(idn, "type"), FIELD("type"), &type);
    if (st != WF_OK || !type || strcmp(type, "LEAD_GUID") != 0) return st;
    st = wf_imp_str(im, wf_imp_get(idn, "value"), FIELD("value"), &value);
    if (st == WF_OK && (!value || !*value)) st = wf_imp_fail(im, FIELD("value"), "missing");
    if (st == WF_OK) st = wf_imp_time(im, wf_imp_get(idn, "timestamp"), FIELD("timestamp"), 1, &at);
#undef FIELD
    if (st == WF_OK && g->n < sizeof g->at / sizeof g->at[0]) {
        g->token[g->n] = value;
        g->at[g->n++] = at;
    }
    int ch = 0;
    if (st == WF_OK) st = wf_ingest_link(im->ig, vid, value, at, "identity", NULL, &ch);
    im->rep->links += ch;
    return st;
}

static wf_status v1_identities(wf_imp *im, int64_t id, const cJSON *rec, v1_guids *g)
{
    const cJSON *list = NULL;
    wf_status st = wf_imp_arr(im, wf_imp_get(rec, "identity-profiles"), "identity-profiles", &list);
    int i = 0;
    const cJSON *p;
    cJSON_ArrayForEach(p, list)
    {
        char f[64], ff[96];
        snprintf(f, sizeof f, "identity-profiles[%d]", i++);
        if (st != WF_OK) break;
        if (!cJSON_IsObject(p))
            return wf_imp_fail(im, f, "expected an object, got %s", wf_imp_type(p));
        int64_t vid;
        const cJSON *ids = NULL;
        snprintf(ff, sizeof ff, "%s.vid", f);
        st = wf_imp_id(im, wf_imp_get(p, "vid"), ff, 0, &vid);
        snprintf(ff, sizeof ff, "%s.identities", f);
        if (st == WF_OK) st = wf_imp_arr(im, wf_imp_get(p, "identities"), ff, &ids);
        int k = 0;
        const cJSON *idn;
        cJSON_ArrayForEach(idn, ids)
        {
            snprintf(ff, sizeof ff, "%s.identities[%d]", f, k++);
            if (st == WF_OK) st = v1_identity(im, vid ? vid : id, idn, ff, g);
        }
    }
    return st;
}

static wf_status v1_merges(wf_imp *im, int64_t id, const cJSON *rec)
{
    const cJSON *audits = NULL, *vids = NULL;
    wf_status st = wf_imp_arr(im, wf_imp_get(rec, "merge-audits"), "merge-audits", &audits);
    if (st == WF_OK) st = wf_imp_arr(im, wf_imp_get(rec, "merged-vids"), "merged-vids", &vids);
    int i = 0;
    const cJSON *a;
    cJSON_ArrayForEach(a, audits)
    {
        char f[64], ff[96], ub[32];
        snprintf(f, sizeof f, "merge-audits[%d]", i++);
        if (st != WF_OK) break;
        if (!cJSON_IsObject(a))
            return wf_imp_fail(im, f, "expected an object, got %s", wf_imp_type(a));
#define FIELD(name) (snprintf(ff, sizeof ff, "%s.%s", f, name), ff)
        int64_t canon, merged;
        wf_ms at;
        const char *user;
        st = wf_imp_id(im, wf_imp_get(a, "canonical-vid"), FIELD("canonical-vid"), 0, &canon);
        if (st == WF_OK)
            st = wf_imp_id(im, wf_imp_get(a, "vid-to-merge"), FIELD("vid-to-merge"), 1, &merged);
        if (st == WF_OK)
            st = wf_imp_time(im, wf_imp_get(a, "timestamp"), FIELD("timestamp"), 0, &at);
        if (st == WF_OK)
            st =
                wf_imp_idtext(im, wf_imp_get(a, "user-id"), FIELD("user-id"), ub, sizeof ub, &user);
#undef FIELD
        int ch = 0;
        if (st == WF_OK && merged != (canon ? canon : id))
            st = wf_ingest_merge(im->ig, canon ? canon : id, merged, at, user, &ch);
        im->rep->merges += ch;
    }
    i = 0;
    cJSON_ArrayForEach(a, vids)
    {
        char f[64];
        snprintf(f, sizeof f, "merged-vids[%d]", i++);
        int64_t m;
        if (st == WF_OK) st = wf_imp_id(im, a, f, 1, &m);
        int ch = 0;
        if (st == WF_OK && m != id) st = wf_ingest_merge(im->ig, id, m, WF_TIME_NONE, NULL, &ch);
        im->rep->merges += ch;
    }
    return st;
}

wf_status wf_import_v1_profile(wf_imp *im, const cJSON *rec)
{
    if (!cJSON_IsObject(rec))
        return wf_imp_fail(im, "-", "expected a v1 contact profile (an object), got %s",
                           wf_imp_type(rec));
    int64_t vid, canon;
    const cJSON *props = NULL;
    wf_ms added;
    wf_status st = wf_imp_id(im, wf_imp_get(rec, "canonical-vid"), "canonical-vid", 0, &canon);
    if (st == WF_OK) st = wf_imp_id(im, wf_imp_get(rec, "vid"), "vid", !canon, &vid);
    if (st == WF_OK && !vid) vid = canon;
    if (st == WF_OK) st = wf_imp_obj(im, wf_imp_get(rec, "properties"), "properties", &props);
    if (st == WF_OK) st = wf_imp_time(im, wf_imp_get(rec, "addedAt"), "addedAt", 0, &added);
    wf_ms updated = WF_TIME_NONE;
    if (st == WF_OK) {
        const char *lm = v1_lookup((void *)props, "lastmodifieddate");
        cJSON tmp = {.type = cJSON_String, .valuestring = (char *)(lm ? lm : "")};
        st = wf_imp_time(im, &tmp, "properties.lastmodifieddate.value", 0, &updated);
    }
    if (st != WF_OK) return st;
    wf_imp_hist h = {0};
    wf_ingest_contact ct;
    int older = 0;
    st = v1_properties(im, vid, props, &h);
    if (st == WF_OK)
        st = wf_imp_contact_from_props(im, vid, v1_lookup, (void *)props, added, updated, &ct);
    if (st == WF_OK && !ct.channel) wf_imp_channel_from_history(&h, &ct);
    if (st == WF_OK && canon && canon != vid) ct.merged_into = canon;
    if (st == WF_OK) st = wf_imp_put_contact(im, &ct, &older);
    if (st == WF_OK) st = v1_props_write(im, vid, props, older);
    v1_guids g = {0};
    if (st == WF_OK) st = v1_identities(im, vid, rec, &g);
    if (st == WF_OK) st = v1_forms(im, vid, rec, &g);
    if (st == WF_OK) st = v1_merges(im, vid, rec);
    wf_imp_hist_free(&h);
    return st;
}
