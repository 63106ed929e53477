/* Web-analytics events (v3): {objectType, objectId, eventType, occurredAt,
 * id, properties {hs_url, hs_referrer, ...}}. Page views become pageviews
 * rows attached to objectId; other event types are counted and skipped. */
#include <string.h>

#include "import/reader.h"

static wf_status prop_str(wf_imp *im, const cJSON *props, const char *name, const char **out)
{
    const cJSON *j = wf_imp_get(props, name);
    *out = NULL;
    if (!j || cJSON_IsNull(j)) return WF_OK;
    if (cJSON_IsString(j)) {
        *out = j->valuestring;
        return WF_OK;
    }
    char f[96]; /* named only when it is wrong: this runs per page view */
    snprintf(f, sizeof f, "properties.%s", name);
    return wf_imp_str(im, j, f, out);
}

wf_status wf_import_event(wf_imp *im, const cJSON *rec)
{
    if (!cJSON_IsObject(rec))
        return wf_imp_fail(im, "-", "expected an event (an object), got %s", wf_imp_type(rec));
    const char *type, *otype;
    wf_status st = wf_imp_str(im, wf_imp_get(rec, "eventType"), "eventType", &type);
    if (st == WF_OK && !type) st = wf_imp_fail(im, "eventType", "missing");
    if (st == WF_OK) st = wf_imp_str(im, wf_imp_get(rec, "objectType"), "objectType", &otype);
    if (st != WF_OK) return st;
    if (strcmp(type, "e_visited_page") != 0 ||
        (otype && strcmp(otype, "CONTACT") != 0 && strcmp(otype, "contact") != 0 &&
         strcmp(otype, "0-1") != 0)) {
        im->rep->ignored++;
        return WF_OK;
    }
    wf_pageview p = {0};
    const cJSON *props = NULL;
    const char *ext, *ua = NULL;
    char idbuf[32];
    st = wf_imp_id(im, wf_imp_get(rec, "objectId"), "objectId", 1, &p.contact);
    if (st == WF_OK) st = wf_imp_time(im, wf_imp_get(rec, "occurredAt"), "occurredAt", 1, &p.at);
    if (st == WF_OK) st = wf_imp_idtext(im, wf_imp_get(rec, "id"), "id", idbuf, sizeof idbuf, &ext);
    if (st == WF_OK) st = wf_imp_obj(im, wf_imp_get(rec, "properties"), "properties", &props);
    struct {
        const char *name;
        const char **dst;
    } map[] = {
        {"hs_url", &p.url},
        {"hs_referrer", &p.referrer},
        {"hs_session_id", &p.session_id},
        {"hs_utm_source", &p.utm_source},
        {"hs_utm_medium", &p.utm_medium},
        {"hs_utm_campaign", &p.utm_campaign},
        {"hs_utm_term", &p.utm_term},
        {"hs_utm_content", &p.utm_content},
        {"hs_page_title", &p.title},
        /* both spellings occur in real exports */
        {"hs_userAgent", &ua},
    };
    for (size_t i = 0; st == WF_OK && i < sizeof map / sizeof map[0]; i++)
        st = prop_str(im, props, map[i].name, map[i].dst);
    if (st == WF_OK && !ua) st = prop_str(im, props, "hs_user_agent", &ua);
    if (st == WF_OK && !p.url) st = wf_imp_fail(im, "properties.hs_url", "missing (the page URL)");
    int ch = 0;
    if (st == WF_OK) st = wf_ingest_pageview(im->ig, &p, ua, ext, &ch);
    im->rep->pageviews += ch;
    return st;
}
