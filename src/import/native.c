/* wherefrom's own NDJSON event log, version 1 (man wherefrom-format(5)):
 * one object per line with "type" settings | contact | pageview | form |
 * email_click | link | history | merge. */
#include <stdlib.h>
#include <string.h>

#include "import/reader.h"

#define GET(o, k) wf_imp_get((o), (k))

static wf_status n_settings(wf_imp *im, const cJSON *rec)
{
    const cJSON *arr, *d;
    wf_status st = wf_imp_arr(im, GET(rec, "site_domains"), "site_domains", &arr);
    if (st != WF_OK || !arr) return st;
    int i = 0;
    cJSON_ArrayForEach(d, arr)
    {
        if (!cJSON_IsString(d)) {
            char f[48];
            snprintf(f, sizeof f, "site_domains[%d]", i);
            return wf_imp_fail(im, f, "expected a string, got %s", wf_imp_type(d));
        }
        i++;
    }
    char *json = cJSON_PrintUnformatted(arr);
    if (!json) return WF_E_NOMEM;
    st = wf_ingest_site_domains(im->ig, json, NULL);
    free(json);
    return st;
}

/* A {source, dd1, dd2[, at]} object as stored/latest values. */
static wf_status n_srcobj(wf_imp *im, const cJSON *rec, const char *key, const char **src,
                          const char **dd1, const char **dd2, wf_ms *at)
{
    const cJSON *o;
    char f[48];
    wf_status st = wf_imp_obj(im, GET(rec, key), key, &o);
    if (st != WF_OK || !o) return st;
    snprintf(f, sizeof f, "%s.source", key);
    st = wf_imp_str(im, GET(o, "source"), f, src);
    snprintf(f, sizeof f, "%s.dd1", key);
    if (st == WF_OK) st = wf_imp_str(im, GET(o, "dd1"), f, dd1);
    snprintf(f, sizeof f, "%s.dd2", key);
    if (st == WF_OK) st = wf_imp_str(im, GET(o, "dd2"), f, dd2);
    snprintf(f, sizeof f, "%s.at", key);
    if (st == WF_OK && at) st = wf_imp_time(im, GET(o, "at"), f, 0, at);
    return st;
}

static wf_status n_contact(wf_imp *im, const cJSON *rec)
{
    wf_ingest_contact c = {0};
    c.latest_at = c.first_at = c.first_visit_at = c.updated_at = WF_TIME_NONE;
    const cJSON *props = NULL;
    wf_status st = wf_imp_id(im, GET(rec, "id"), "id", 1, &c.id);
    if (st == WF_OK) st = wf_imp_time(im, GET(rec, "created_at"), "created_at", 1, &c.created_at);
    struct {
        const char *k;
        const char **dst;
    } text[] = {
        {"email", &c.email},
        {"firstname", &c.firstname},
        {"lastname", &c.lastname},
        {"company", &c.company},
        {"channel", &c.channel},
        {"channel_detail", &c.channel_detail},
        {"channel_label", &c.channel_label},
        {"first_url", &c.first_url},
        {"first_referrer", &c.first_referrer},
    };
    for (size_t i = 0; st == WF_OK && i < sizeof text / sizeof text[0]; i++)
        st = wf_imp_str(im, GET(rec, text[i].k), text[i].k, text[i].dst);
    if (st == WF_OK) st = wf_imp_time(im, GET(rec, "first_at"), "first_at", 0, &c.first_at);
    if (st == WF_OK)
        st = wf_imp_time(im, GET(rec, "first_visit_at"), "first_visit_at", 0, &c.first_visit_at);
    if (st == WF_OK) st = n_srcobj(im, rec, "stored", &c.src, &c.src_dd1, &c.src_dd2, NULL);
    if (st == WF_OK)
        st = n_srcobj(im, rec, "latest", &c.latest_src, &c.latest_dd1, &c.latest_dd2, &c.latest_at);
    if (st == WF_OK) st = wf_imp_obj(im, GET(rec, "properties"), "properties", &props);
    const cJSON *p;
    char f[200], buf[64];
    cJSON_ArrayForEach(p, props)
    {
        snprintf(f, sizeof f, "properties.%s", p->string);
        const char *v;
        if (st == WF_OK) st = wf_imp_value(im, p, f, buf, sizeof buf, &v);
    }
    int older = 0;
    if (st == WF_OK) st = wf_imp_put_contact(im, &c, &older);
    cJSON_ArrayForEach(p, props)
    {
        const char *v;
        if (st == WF_OK) st = wf_imp_value(im, p, "-", buf, sizeof buf, &v);
        if (st == WF_OK) st = wf_ingest_prop(im->ig, c.id, p->string, v, older, NULL);
    }
    return st;
}

static wf_status n_pageview(wf_imp *im, const cJSON *rec)
{
    wf_pageview p = {0};
    const char *ua, *ext;
    char idb[32];
    wf_status st = wf_imp_id(im, GET(rec, "contact"), "contact", 0, &p.contact);
    if (st == WF_OK) st = wf_imp_time(im, GET(rec, "at"), "at", 1, &p.at);
    struct {
        const char *k;
        const char **dst;
    } text[] = {
        {"token", &p.token},           {"url", &p.url},
        {"referrer", &p.referrer},     {"session_id", &p.session_id},
        {"title", &p.title},           {"utm_source", &p.utm_source},
        {"utm_medium", &p.utm_medium}, {"utm_campaign", &p.utm_campaign},
        {"utm_term", &p.utm_term},     {"utm_content", &p.utm_content},
        {"user_agent", &ua},
    };
    for (size_t i = 0; st == WF_OK && i < sizeof text / sizeof text[0]; i++)
        st = wf_imp_str(im, GET(rec, text[i].k), text[i].k, text[i].dst);
    if (st == WF_OK) st = wf_imp_idtext(im, GET(rec, "id"), "id", idb, sizeof idb, &ext);
    if (st == WF_OK && p.token && !*p.token) p.token = NULL;
    if (st == WF_OK && !p.token && !p.contact)
        st = wf_imp_fail(im, "token", "missing (a page view needs a token or a contact)");
    int ch = 0;
    if (st == WF_OK) st = wf_ingest_pageview(im->ig, &p, ua, ext, &ch);
    im->rep->pageviews += ch;
    return st;
}

static wf_status n_link(wf_imp *im, int64_t contact, const char *token, wf_ms at, const char *by,
                        const char *ref)
{
    int ch = 0;
    wf_status st = wf_ingest_link(im->ig, contact, token, at, by, ref, &ch);
    im->rep->links += ch;
    return st;
}

static wf_status n_form(wf_imp *im, const cJSON *rec)
{
    wf_form f = {0};
    int64_t contact;
    char cb[32];
    wf_status st = wf_imp_id(im, GET(rec, "contact"), "contact", 1, &contact);
    if (st == WF_OK) st = wf_imp_time(im, GET(rec, "at"), "at", 1, &f.at);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "form_id"), "form_id", &f.form_id);
    if (st == WF_OK)
        st = wf_imp_idtext(im, GET(rec, "conversion_id"), "conversion_id", cb, sizeof cb,
                           &f.conversion_id);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "page_url"), "page_url", &f.page_url);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "page_title"), "page_title", &f.page_title);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "form_type"), "form_type", &f.form_type);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "token"), "token", &f.token);
    const cJSON *fi = GET(rec, "filtered_ip");
    if (st == WF_OK && fi && !cJSON_IsNull(fi) && !cJSON_IsBool(fi))
        st = wf_imp_fail(im, "filtered_ip", "expected true or false, got %s", wf_imp_type(fi));
    f.filtered_ip = cJSON_IsTrue(fi);
    if (st == WF_OK && f.token && !*f.token) f.token = NULL;
    int ch = 0;
    if (st == WF_OK) st = wf_ingest_form(im->ig, contact, &f, &ch);
    im->rep->forms += ch;
    /* C03: a tracked submission links its token (a filtered IP links nothing) */
    if (st == WF_OK && f.token && !f.filtered_ip)
        st = n_link(im, contact, f.token, f.at, "form",
                    f.conversion_id ? f.conversion_id : f.form_id);
    return st;
}

static wf_status n_click(wf_imp *im, const cJSON *rec)
{
    wf_email_click c = {0};
    int64_t contact;
    char eb[32];
    wf_status st = wf_imp_id(im, GET(rec, "contact"), "contact", 1, &contact);
    if (st == WF_OK) st = wf_imp_time(im, GET(rec, "at"), "at", 1, &c.at);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "url"), "url", &c.url);
    if (st == WF_OK)
        st = wf_imp_idtext(im, GET(rec, "email_id"), "email_id", eb, sizeof eb, &c.email_id);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "campaign"), "campaign", &c.campaign);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "token"), "token", &c.token);
    if (st == WF_OK && c.token && !*c.token) c.token = NULL;
    int ch = 0;
    if (st == WF_OK) st = wf_ingest_click(im->ig, contact, &c, &ch);
    im->rep->clicks += ch;
    if (st == WF_OK && c.token) st = n_link(im, contact, c.token, c.at, "email", c.email_id);
    return st;
}

static wf_status n_tokenlink(wf_imp *im, const cJSON *rec)
{
    int64_t contact;
    const char *token = NULL, *via = NULL, *ref = NULL; /* read below even after an error */
    wf_ms at;
    char rb[32];
    wf_status st = wf_imp_id(im, GET(rec, "contact"), "contact", 1, &contact);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "token"), "token", &token);
    if (st == WF_OK && (!token || !*token)) st = wf_imp_fail(im, "token", "missing");
    if (st == WF_OK) st = wf_imp_time(im, GET(rec, "at"), "at", 1, &at);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "via"), "via", &via);
    if (st == WF_OK) st = wf_imp_idtext(im, GET(rec, "ref"), "ref", rb, sizeof rb, &ref);
    static const char *const kinds[] = {"form", "email", "identity", "creation"};
    int ok = 0;
    for (size_t i = 0; via && i < sizeof kinds / sizeof kinds[0]; i++)
        ok |= !strcmp(via, kinds[i]);
    if (st == WF_OK && !ok)
        st = wf_imp_fail(im, "via", "expected form, email, identity or creation");
    if (st == WF_OK) st = n_link(im, contact, token, at, via, ref);
    return st;
}

static wf_status n_history(wf_imp *im, const cJSON *rec)
{
    int64_t contact;
    wf_history h = {0};
    char sb[32], ub[32];
    wf_status st = wf_imp_id(im, GET(rec, "contact"), "contact", 1, &contact);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "property"), "property", &h.property);
    if (st == WF_OK && (!h.property || !*h.property)) st = wf_imp_fail(im, "property", "missing");
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "value"), "value", &h.value);
    if (st == WF_OK) st = wf_imp_time(im, GET(rec, "at"), "at", 1, &h.at);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "source_type"), "source_type", &h.source_type);
    if (st == WF_OK)
        st = wf_imp_idtext(im, GET(rec, "source_id"), "source_id", sb, sizeof sb, &h.source_id);
    if (st == WF_OK) st = wf_imp_str(im, GET(rec, "source_label"), "source_label", &h.source_label);
    if (st == WF_OK)
        st = wf_imp_idtext(im, GET(rec, "user_id"), "user_id", ub, sizeof ub, &h.user_id);
    if (st == WF_OK) st = wf_imp_put_history(im, contact, &h);
    return st;
}

static wf_status n_merge(wf_imp *im, const cJSON *rec)
{
    int64_t contact, merged;
    wf_ms at;
    const char *user;
    char ub[32];
    wf_status st = wf_imp_id(im, GET(rec, "contact"), "contact", 1, &contact);
    if (st == WF_OK) st = wf_imp_id(im, GET(rec, "merged"), "merged", 1, &merged);
    if (st == WF_OK) st = wf_imp_time(im, GET(rec, "at"), "at", 0, &at);
    if (st == WF_OK) st = wf_imp_idtext(im, GET(rec, "user_id"), "user_id", ub, sizeof ub, &user);
    if (st == WF_OK && merged == contact)
        st = wf_imp_fail(im, "merged", "a record cannot be merged into itself");
    int ch = 0;
    if (st == WF_OK) st = wf_ingest_merge(im->ig, contact, merged, at, user, &ch);
    im->rep->merges += ch;
    return st;
}

wf_status wf_import_native(wf_imp *im, const cJSON *rec)
{
    if (!cJSON_IsObject(rec))
        return wf_imp_fail(im, "-", "expected an object, got %s", wf_imp_type(rec));
    const char *type;
    wf_status st = wf_imp_str(im, GET(rec, "type"), "type", &type);
    if (st != WF_OK) return st;
    if (!type) return wf_imp_fail(im, "type", "missing");
    static const struct {
        const char *name;
        wf_status (*fn)(wf_imp *, const cJSON *);
    } types[] = {
        {"settings", n_settings}, {"contact", n_contact},   {"pageview", n_pageview},
        {"form", n_form},         {"email_click", n_click}, {"link", n_tokenlink},
        {"history", n_history},   {"merge", n_merge},
    };
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(type, types[i].name) == 0) return types[i].fn(im, rec);
    char q[40];
    size_t n = 0;
    for (const char *p = type; *p && n < sizeof q - 1; p++)
        q[n++] = (*p >= 0x20 && *p < 0x7f) ? *p : '?';
    q[n] = 0;
    return wf_imp_fail(im, "type", "unknown record type \"%s\"", q);
}
