/* One contact's known facts: the attribution engine's whole input.
 * Plain data; the store fills it (store_load_facts), tests build it by hand.
 * All strings may be NULL (absent). Times are wf_ms, WF_TIME_NONE if unknown.
 * Arrays are in no particular order; the engine sorts what it needs. */
#ifndef WF_CORE_FACTS_H
#define WF_CORE_FACTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/timeutil.h"

typedef struct {
    int64_t id; /* store row id (evidence reference); 0 when built by hand */
    wf_ms at;
    const char *token;      /* visitor token (hubspotutk), NULL in HubSpot exports */
    int64_t contact;        /* contact the export attached it to, 0 when via token */
    const char *url;        /* full page URL with query string */
    const char *referrer;   /* as sent by the browser; NULL/"" for none */
    const char *session_id; /* HubSpot's hs_session_id when the export gave it */
    /* UTM values the export gave as separate fields (hs_utm_*); the engine
     * uses them when the URL's query lacks the parameter. */
    const char *utm_source, *utm_medium, *utm_campaign, *utm_term, *utm_content;
    const char *title;
} wf_pageview;

typedef enum {
    WF_LINK_FORM,     /* a form submission carried the token */
    WF_LINK_EMAIL,    /* a HubSpot email click identified the visitor (_hsenc) */
    WF_LINK_IDENTITY, /* a LEAD_GUID identity in a v1 profile */
    WF_LINK_CREATION, /* linked when the contact was created (tracked form) */
    WF_LINK_IMPORT    /* pre-creation page views of an export, linked by rule */
} wf_link_kind;

typedef struct {
    int64_t id;
    const char *token;
    wf_ms at;
    wf_link_kind via;
    const char *ref; /* form/conversion id, email id, ... */
} wf_token_link;

typedef struct {
    int64_t id;
    wf_ms at;
    const char *form_id, *conversion_id, *page_url, *page_title, *form_type;
    const char *token; /* NULL: linked no visitor token (C09) */
    int filtered_ip;   /* submitted from an excluded IP: links nothing */
} wf_form;

typedef struct {
    int64_t id;
    wf_ms at;
    const char *url; /* the tracked page the click landed on */
    const char *email_id, *campaign;
    const char *token; /* token identified through _hsenc, if known */
} wf_email_click;

typedef struct {
    int64_t id;
    const char *property; /* "hs_analytics_source", "..._data_1", ... */
    const char *value;
    wf_ms at;
    const char *source_type, *source_id, *source_label, *user_id;
} wf_history;

typedef struct {
    int64_t id;
    wf_ms at;
    int64_t merged_id; /* the record merged into this one */
    const char *user_id;
    /* the merged record's own creation, an interaction of its own (C07) */
    wf_ms merged_created_at;
    const char *merged_channel, *merged_channel_detail;
} wf_merge;

typedef struct {
    int64_t id; /* overrides row id */
    wf_ms at;
    const char *user, *reason;
    const char *source, *dd1, *dd2;
    /* the computed value when the override was made (drift detection) */
    const char *computed_source, *computed_dd1, *computed_dd2;
} wf_override;

typedef struct {
    int64_t id;
    const char *email, *firstname, *lastname, *company;
    wf_ms created_at;
    /* creation channel: record source (hs_object_source) or OFFLINE DD1 */
    const char *channel, *channel_detail, *channel_label;
    /* stored values as imported from HubSpot (NULL when never imported) */
    const char *stored_source, *stored_dd1, *stored_dd2;
    const char *stored_latest_source, *stored_latest_dd1, *stored_latest_dd2;
    wf_ms stored_latest_at;
    const char *stored_first_url, *stored_first_referrer;
    wf_ms stored_first_at, stored_first_visit_at;
    int64_t merged_into; /* 0 unless this record was merged into another */

    const char **site_domains; /* settings; empty: derive from landing pages */
    size_t n_site_domains;

    wf_pageview *pageviews;
    size_t n_pageviews;
    wf_token_link *links;
    size_t n_links;
    wf_form *forms;
    size_t n_forms;
    wf_email_click *clicks;
    size_t n_clicks;
    wf_history *history;
    size_t n_history;
    wf_merge *merges;
    size_t n_merges;
    const wf_override *override; /* active local override, or NULL */

    void *arena_; /* owner of the strings and arrays when loaded from a store */
} wf_facts;

#endif
