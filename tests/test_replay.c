/* Contact replay: C01–C10 on facts built by hand. */
#include "engine_fx.h"

#define HOME "https://www.example.com/"
#define GOOGLE "https://www.google.com/"

static void assert_value(const wf_value *v, const char *s, const char *d1, const char *d2)
{
    assert_string_equal(v->source, s);
    assert_string_equal(v->dd1 ? v->dd1 : "", d1);
    assert_string_equal(v->dd2 ? v->dd2 : "", d2);
}

/* ---- C01: the ten offline channels of §3 ---- */
static void offline(void **state, const char *ch, const char *detail, const char *desc)
{
    fx x;
    fx_init(&x, 7, "2024-05-01T12:00:00Z", ch, detail);
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "OFFLINE", ch, detail ? detail : "");
    assert_int_equal(ex->computed.via, R_C01);
    assert_int_equal(ex->computed.rule, R_C01);
    assert_string_equal(ex->creation.description, desc);
    assert_true(ex->creation.offline);
    assert_string_equal(ex->computed.deciding.kind, "creation");
    assert_int_equal(ex->n_steps, 2); /* C01, then the closing comparison */
    assert_int_equal(ex->steps[0].rule, R_C01);
    assert_non_null(strstr(ex->steps[0].text, desc));
    assert_int_equal(ex->steps[1].rule, R_NONE);
    assert_int_equal(ex->steps[1].n, 2);
    assert_non_null(strstr(ex->steps[1].text, "nothing to compare"));
    wf_explanation_free(&ex);
    assert_null(ex);
}

static void c01_api(void **s)
{
    offline(s, "API", "contacts-upsert", "created directly through the Contacts API");
}
static void c01_salesforce(void **s)
{
    offline(s, "SALESFORCE", "salesforce-createdby",
            "imported from Salesforce, or created in Salesforce and synced");
}
static void c01_contacts(void **s)
{
    offline(s, "CONTACTS", "userId:42",
            "a user added the contact by hand in the contacts database");
}
static void c01_crm_ui(void **s)
{
    offline(s, "CRM_UI", "CRM_UI", "a user added the contact by hand in the contacts database");
}
static void c01_analytics(void **s)
{
    offline(s, "ANALYTICS", NULL,
            "a third-party (non-HubSpot) form on a tracked page, or a custom event from the "
            "events tool");
}
static void c01_integration(void **s)
{
    offline(s, "INTEGRATION", "221734", "a connected third-party app created it");
}
static void c01_import(void **s)
{
    offline(s, "IMPORT", "9876", "the contact was imported into HubSpot");
}
static void c01_sales(void **s)
{
    offline(s, "SALES", NULL, "a logged email sent with the HubSpot Sales extension");
}
static void c01_presentations(void **s)
{
    offline(s, "PRESENTATIONS", NULL, "created through the documents (Presentations) tool");
}
static void c01_extension(void **s)
{
    offline(s, "EXTENSION", NULL, "a user clicked \"Add to CRM\" in the Sales extension");
}
static void c01_unknown_channel_kept(void **s)
{
    offline(s, "WIDGET_X", "abc", "unrecognised channel");
}

/* ---- C09 / C02: forms ---- */
static void c09_form_filtered_ip(void **state)
{
    fx x;
    fx_init(&x, 7, "2024-05-01T12:00:00Z", "FORM", NULL);
    fx_form(&x, "2024-05-01T12:00:00Z", "f-1", "t1", 1);
    fx_pv(&x, "t1", 0, "2024-05-01T11:50:00Z", HOME, GOOGLE);
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "OFFLINE", "FORM", "f-1");
    assert_int_equal(ex->computed.via, R_C09);
    assert_non_null(strstr(ex->steps[0].text, "filtered"));
    assert_non_null(strstr(ex->steps[0].text, "assumed"));
    wf_explanation_free(&ex);
}

static void c09_form_without_token_uses_conversion_id(void **state)
{
    fx x;
    fx_init(&x, 7, "2024-05-01T12:00:00Z", "FORM", NULL);
    wf_form *m = fx_form(&x, "2024-05-01T12:00:02Z", NULL, NULL, 0);
    m->conversion_id = "conv-9";
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "OFFLINE", "FORM", "conv-9");
    assert_int_equal(ex->computed.rule, R_C09);
    wf_explanation_free(&ex);
}

static void c02_tracked_form(void **state)
{
    fx x;
    fx_init(&x, 7, "2024-05-01T12:00:00Z", "FORM", "f-1");
    fx_form(&x, "2024-05-01T12:00:00Z", "f-1", "t1", 0);
    fx_pv(&x, "t1", 0, "2024-05-01T11:50:00Z", HOME "?utm_source=partner&utm_medium=banner", NULL);
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "OTHER_CAMPAIGNS", "", "partner / banner");
    assert_int_equal(ex->computed.via, R_C02);
    assert_int_equal(ex->computed.rule, R_S08);
    assert_false(ex->creation.offline);
    assert_int_equal(ex->n_changes, 1);
    assert_int_equal(ex->changes[0].cause, WF_CAUSE_CREATION);
    assert_string_equal(ex->computed.deciding.kind, "session");
    assert_true(fx_step(ex, R_C02) >= 0);
    wf_explanation_free(&ex);
}

static void c02_without_page_view_is_assumed(void **state)
{
    fx x;
    fx_init(&x, 7, "2024-05-01T12:00:00Z", "FORM", "f-1");
    fx_form(&x, "2024-05-01T12:00:00Z", "f-1", "t1", 0);
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "DIRECT_TRAFFIC", "www.example.com/contact", "");
    int i = fx_step(ex, R_C02);
    assert_true(i >= 0);
    /* the last replay step, before the closing comparison */
    assert_int_equal(ex->steps[ex->n_steps - 2].rule, R_C02);
    assert_non_null(strstr(ex->steps[ex->n_steps - 2].text, "assumed"));
    wf_explanation_free(&ex);
}

/* ---- C03 / C04 / C05 ---- */
static void c04_earlier_visit_rewrites(void **state)
{
    fx x;
    fx_init(&x, 5001, "2024-07-03T09:00:00Z", "IMPORT", "9876");
    fx_pv(&x, "t1", 0, "2024-03-12T10:00:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-09-18T14:30:00Z", "f-demo", "t1", 0);
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "ORGANIC_SEARCH", "Unknown keywords (SSL)", "google");
    assert_int_equal(ex->computed.via, R_C04);
    assert_int_equal(ex->computed.rule, R_S11);
    assert_int_equal(ex->n_changes, 2);
    assert_int_equal(ex->changes[1].cause, WF_CAUSE_EARLIER_VISIT);
    assert_int_equal(ex->changes[1].at, T("2024-09-18T14:30:00Z"));
    assert_value(&ex->changes[1].from, "OFFLINE", "IMPORT", "9876");
    assert_true(ex->flags & F_CHANGED);
    wf_explanation_free(&ex);
}

static void c04_later_visit_does_not_rewrite(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "9876");
    fx_pv(&x, "t1", 0, "2024-08-01T10:00:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-09-18T14:30:00Z", "f-demo", "t1", 0);
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "OFFLINE", "IMPORT", "9876");
    assert_int_equal(ex->n_changes, 1);
    assert_true(fx_step(ex, R_C05) >= 0);
    assert_false(ex->flags & F_CHANGED);
    /* Latest source follows the later session */
    assert_true(ex->has_latest);
    assert_string_equal(ex->latest.value.source, "ORGANIC_SEARCH");
    wf_explanation_free(&ex);
}

static void c03_email_click_links(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t9", 0, "2024-06-01T10:00:00Z", HOME, "https://www.bing.com/search?q=Widgets");
    fx_click(&x, "2024-10-01T08:00:00Z", "t9");
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "ORGANIC_SEARCH", "widgets", "bing");
    assert_int_equal(ex->changes[1].at, T("2024-10-01T08:00:00Z"));
    wf_explanation_free(&ex);
}

static void c03_filtered_form_links_nothing(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t9", 0, "2024-06-01T10:00:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-10-01T08:00:00Z", "f", "t9", 1);
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "OFFLINE", "IMPORT", "1");
    assert_false(ex->has_latest);
    assert_int_equal(ex->first_session_at, WF_TIME_NONE);
    wf_explanation_free(&ex);
}

static void c05_later_sessions_update_latest_only(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "FORM", "f");
    fx_form(&x, "2024-05-01T12:00:00Z", "f", "t1", 0);
    fx_pv(&x, "t1", 0, "2024-05-01T11:55:00Z", HOME, GOOGLE);
    fx_pv(&x, "t1", 0, "2024-06-01T11:55:00Z", HOME, "https://chatgpt.com/");
    fx_pv(&x, "t1", 0, "2024-07-01T11:55:00Z", HOME "?utm_source=x&utm_medium=y", NULL);
    wf_explanation *ex = fx_explain(state, &x);
    assert_string_equal(ex->computed.value.source, "ORGANIC_SEARCH");
    assert_string_equal(ex->latest.value.source, "OTHER_CAMPAIGNS");
    assert_int_equal(ex->latest.at, T("2024-07-01T11:55:00Z"));
    int i = fx_step(ex, R_C05);
    assert_true(i >= 0);
    assert_non_null(strstr(ex->steps[i].text, "2 later sessions"));
    wf_explanation_free(&ex);
}

/* ---- C06 / C08 ---- */
static void c06_manual_edit_clears_drilldowns(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "5");
    fx_hist(&x, "hs_analytics_source", "PAID_SEARCH", "2024-06-01T00:00:00Z", "CRM_UI",
            "userId:42");
    fx_hist(&x, "hs_analytics_source_data_1", "ignored", "2024-06-01T00:00:00Z", "CRM_UI",
            "userId:42");
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "PAID_SEARCH", "", "");
    assert_int_equal(ex->computed.via, R_C06);
    assert_string_equal(ex->computed.deciding.kind, "manual-edit");
    assert_true(ex->flags & F_MANUAL_EDIT);
    assert_int_equal(ex->changes[1].cause, WF_CAUSE_MANUAL_EDIT);
    wf_explanation_free(&ex);
}

static void c06_manual_edit_then_earlier_visit_link(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "5");
    fx_hist(&x, "hs_analytics_source", "PAID_SEARCH", "2024-06-01T00:00:00Z", "CRM_UI",
            "userId:42");
    fx_pv(&x, "t1", 0, "2024-02-01T10:00:00Z", HOME, "https://www.reddit.com/r/x");
    fx_form(&x, "2024-08-01T10:00:00Z", "f", "t1", 0);
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "SOCIAL_MEDIA", "Reddit", "");
    assert_int_equal(ex->computed.via, R_C04);
    assert_int_equal(ex->n_changes, 3);
    const wf_step *last = NULL;
    for (size_t i = 0; i < ex->n_steps; i++)
        if (ex->steps[i].rule == R_C04) last = &ex->steps[i];
    assert_non_null(last);
    assert_non_null(strstr(last->text, "assumed"));
    assert_true(ex->flags & F_MANUAL_EDIT);
    wf_explanation_free(&ex);
}

static void c08_data_load_with_drilldowns(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "API", "contacts-upsert");
    fx_hist(&x, "hs_analytics_source", "REFERRALS", "2024-05-02T00:00:00Z", "API", "app-1");
    fx_hist(&x, "hs_analytics_source_data_1", "partner.io", "2024-05-02T00:00:00Z", "API", "app-1");
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "REFERRALS", "partner.io", "");
    assert_int_equal(ex->computed.via, R_C08);
    assert_true(ex->flags & F_DATA_LOAD_VALUE);
    assert_non_null(strstr(ex->steps[1].text, "assumed"));
    wf_explanation_free(&ex);
}

/* ---- C07 ---- */
static void c07_merge_earlier_offline_record(void **state)
{
    fx x;
    fx_init(&x, 5005, "2024-06-01T12:00:00Z", "FORM", "f");
    fx_form(&x, "2024-06-01T12:00:00Z", "f", "t5", 0);
    fx_pv(&x, "t5", 0, "2024-06-01T11:55:00Z", HOME, NULL);
    fx_merge(&x, "2024-06-20T09:30:00Z", 5099, "2024-01-15T16:20:00Z", "SALESFORCE", "sf-1");
    fx_stored(&x, "DIRECT_TRAFFIC", "www.example.com/", "");
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "OFFLINE", "SALESFORCE", "sf-1");
    assert_int_equal(ex->computed.via, R_C07);
    assert_string_equal(ex->computed.deciding.kind, "merge");
    assert_true(ex->flags & F_MERGED);
    assert_true(ex->flags & F_STORED_DIFFERS);
    assert_true(ex->flags & F_MERGE_PRIMARY_KEPT);
    int i = fx_step(ex, R_C07);
    assert_non_null(strstr(ex->steps[i].text, "assumed"));
    wf_explanation_free(&ex);
}

static void c07_merge_later_record_keeps_source(void **state)
{
    fx x;
    fx_init(&x, 5005, "2024-06-01T12:00:00Z", "IMPORT", "1");
    fx_merge(&x, "2024-06-20T09:30:00Z", 5099, "2024-06-10T00:00:00Z", "API", "x");
    fx_stored(&x, "OFFLINE", "IMPORT", "1");
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "OFFLINE", "IMPORT", "1");
    assert_true(ex->flags & F_MERGED);
    assert_false(ex->flags & F_MERGE_PRIMARY_KEPT);
    wf_explanation_free(&ex);
}

static void c07_merged_sessions_count(void **state)
{
    fx x;
    fx_init(&x, 5005, "2024-06-01T12:00:00Z", "IMPORT", "1");
    /* the merged record's token, linked to it by a form before the merge */
    fx_pv(&x, "tm", 0, "2024-01-01T10:00:00Z", HOME, "https://www.facebook.com/");
    fx_link(&x, "tm", "2024-02-01T10:00:00Z", WF_LINK_FORM);
    fx_merge(&x, "2024-06-20T09:30:00Z", 5099, "2024-02-01T10:00:00Z", "FORM", "f");
    wf_explanation *ex = fx_explain(state, &x);
    assert_value(&ex->computed.value, "SOCIAL_MEDIA", "Facebook", "");
    wf_explanation_free(&ex);
}

/* ---- exports without visitor tokens (§7) ---- */
static void export_views_linked_at_identity(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_pv(&x, NULL, 9, "2024-04-01T10:00:00Z", HOME, GOOGLE);
    fx_link(&x, "g2", "2024-07-01T00:00:00Z", WF_LINK_IDENTITY);
    fx_link(&x, "g1", "2024-06-01T00:00:00Z", WF_LINK_IDENTITY);
    fx_form(&x, "2024-05-15T00:00:00Z", "f", "tf", 0);
    wf_explanation *ex = fx_explain(state, &x);
    assert_string_equal(ex->computed.value.source, "ORGANIC_SEARCH");
    /* the earliest LEAD_GUID identity wins over the earlier form */
    assert_int_equal(ex->changes[1].at, T("2024-06-01T00:00:00Z"));
    wf_explanation_free(&ex);
}

static void export_views_linked_at_first_form(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_pv(&x, NULL, 9, "2024-04-01T10:00:00Z", HOME, GOOGLE);
    fx_click(&x, "2024-05-10T00:00:00Z", NULL);
    fx_form(&x, "2024-05-20T00:00:00Z", "f", "tf", 0);
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->changes[1].at, T("2024-05-20T00:00:00Z"));
    wf_explanation_free(&ex);
}

static void export_views_linked_at_first_click(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_pv(&x, NULL, 9, "2024-04-01T10:00:00Z", HOME, GOOGLE);
    fx_click(&x, "2024-05-10T00:00:00Z", NULL);
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->changes[1].at, T("2024-05-10T00:00:00Z"));
    wf_explanation_free(&ex);
}

static void export_views_linked_at_creation(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_pv(&x, NULL, 9, "2024-04-01T10:00:00Z", HOME, GOOGLE);
    fx_pv(&x, NULL, 9, "2024-06-01T10:00:00Z", HOME, "https://chatgpt.com/");
    wf_explanation *ex = fx_explain(state, &x);
    assert_string_equal(ex->computed.value.source, "ORGANIC_SEARCH");
    assert_int_equal(ex->n_changes, 2);
    assert_int_equal(ex->changes[1].at, T("2024-05-01T12:00:00Z"));
    assert_string_equal(ex->latest.value.source, "AI_REFERRALS");
    wf_explanation_free(&ex);
}

/* ---- ties ---- */
static void ties_creation_before_link(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t1", 0, "2024-04-01T10:00:00Z", HOME, GOOGLE);
    fx_link(&x, "t1", "2024-05-01T12:00:00Z", WF_LINK_FORM); /* same instant as creation */
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->n_changes, 2);
    assert_string_equal(ex->changes[0].to.source, "OFFLINE");
    assert_string_equal(ex->changes[1].to.source, "ORGANIC_SEARCH");
    wf_explanation_free(&ex);
}

static void ties_equal_session_starts_use_row_id(void **state)
{
    fx x, y;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    wf_pageview *a = fx_pv(&x, "ta", 0, "2024-04-01T10:00:00Z", HOME, "https://www.bing.com/");
    wf_pageview *b = fx_pv(&x, "tb", 0, "2024-04-01T10:00:00Z", HOME, GOOGLE);
    fx_link(&x, "ta", "2024-06-01T00:00:00Z", WF_LINK_FORM);
    fx_link(&x, "tb", "2024-06-01T00:00:00Z", WF_LINK_FORM);
    a->id = 100;
    b->id = 200;
    y = x; /* same facts, arrays in the other order */
    y.f.pageviews = y.pv;
    y.f.links = y.ln;
    y.f.forms = y.fm;
    y.f.clicks = y.ck;
    y.f.history = y.hi;
    y.f.merges = y.mg;
    y.f.site_domains = y.domains;
    y.pv[0] = x.pv[1];
    y.pv[1] = x.pv[0];
    wf_explanation *ex = fx_explain(state, &x), *ey = fx_explain(state, &y);
    assert_string_equal(ex->computed.value.dd2, ey->computed.value.dd2);
    assert_string_equal(ex->computed.value.source, ey->computed.value.source);
    /* equal starts: the lower page-view id (bing, id 100) decides */
    assert_string_equal(ex->computed.value.dd2, "bing");
    wf_explanation_free(&ex);
    wf_explanation_free(&ey);
}

/* ---- C10 and unknown values ---- */
static void c10_api_race(void **state)
{
    fx x;
    fx_init(&x, 5002, "2024-05-06T10:00:00Z", "API", "contacts-upsert");
    fx_pv(&x, "t2", 0, "2024-05-06T09:52:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-05-06T10:00:05Z", "f", "t2", 0);
    fx_stored(&x, "OFFLINE", "API", "contacts-upsert");
    wf_explanation *ex = fx_explain(state, &x);
    assert_string_equal(ex->computed.value.source, "ORGANIC_SEARCH");
    assert_true(ex->flags & F_API_RACE);
    assert_true(ex->flags & F_STORED_DIFFERS);
    assert_true(fx_step(ex, R_C10) >= 0);
    wf_explanation_free(&ex);
}

static void c10_not_when_form_is_late(void **state)
{
    fx x;
    fx_init(&x, 5002, "2024-05-06T10:00:00Z", "API", "contacts-upsert");
    fx_pv(&x, "t2", 0, "2024-05-06T09:52:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-05-06T10:05:00Z", "f", "t2", 0);
    fx_stored(&x, "OFFLINE", "API", "contacts-upsert");
    wf_explanation *ex = fx_explain(state, &x);
    assert_false(ex->flags & F_API_RACE);
    assert_int_equal(fx_step(ex, R_C10), -1);
    wf_explanation_free(&ex);
}

static void unknown_stored_value_kept(void **state)
{
    fx x;
    fx_init(&x, 9, "2013-05-21T12:00:00Z", "IMPORT", "112");
    fx_stored(&x, "IMPORTED", NULL, NULL);
    wf_explanation *ex = fx_explain(state, &x);
    assert_string_equal(ex->stored.source, "IMPORTED");
    assert_true(ex->flags & F_UNKNOWN_VALUE);
    assert_true(ex->flags & F_STORED_DIFFERS);
    wf_explanation_free(&ex);
}

static void unknown_manual_value_kept(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_hist(&x, "hs_analytics_source", "PARTNER_PORTAL", "2024-06-01T00:00:00Z", "CRM_UI",
            "userId:1");
    wf_explanation *ex = fx_explain(state, &x);
    assert_string_equal(ex->computed.value.source, "PARTNER_PORTAL");
    assert_true(ex->flags & F_UNKNOWN_VALUE);
    wf_explanation_free(&ex);
}

static void s13_step_says_assumed(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "FORM", "f");
    fx_form(&x, "2024-05-01T12:00:00Z", "f", "t1", 0);
    fx_pv(&x, "t1", 0, "2024-05-01T11:55:00Z", HOME, "https://claude.ai/chat/1");
    wf_explanation *ex = fx_explain(state, &x);
    int i = fx_step(ex, R_S13);
    assert_true(i >= 0);
    assert_non_null(strstr(ex->steps[i].text, "assumed"));
    wf_explanation_free(&ex);
}

/* ---- the Why steps: what linked a token, creation text, closing step ---- */

/* The §10 story as the knowledge base tells it. */
static void kb_story(fx *x)
{
    fx_init(x, 5001, "2024-07-03T09:00:00Z", "IMPORT", "9876");
    fx_pv(x, "t1", 0, "2024-03-12T10:00:00Z", HOME, GOOGLE);
    wf_form *m = fx_form(x, "2024-09-18T14:30:00Z", "f-demo", "t1", 0);
    m->page_title = "Book a demo";
}

static void assert_rules(const wf_explanation *ex, const wf_rule *want, size_t n)
{
    assert_int_equal(ex->n_steps, n);
    for (size_t i = 0; i < n; i++) {
        if (ex->steps[i].rule != want[i])
            fail_msg("step %zu: rule %d, want %d (%s)", i + 1, ex->steps[i].rule, want[i],
                     ex->steps[i].text);
        assert_int_equal(ex->steps[i].n, i + 1);
    }
}

static void contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fail_msg("\"%s\" lacks \"%s\"", hay, needle);
}

static void why_kb_story_steps_in_order(void **state)
{
    fx x;
    kb_story(&x);
    wf_explanation *ex = fx_explain(state, &x);
    const wf_rule want[] = {R_C01, R_C03, R_S11, R_C04, R_NONE};
    assert_rules(ex, want, 5);
    contains(ex->steps[1].text, "The form \"Book a demo\" (f-demo) submitted on 18 Sep 2024 "
                                "carried visitor token t1; HubSpot linked 1 earlier session to "
                                "this contact.");
    assert_int_equal(ex->steps[1].at, T("2024-09-18T14:30:00Z"));
    contains(ex->steps[2].text, "The earliest linked session");
    assert_int_equal(ex->steps[2].at, T("2024-03-12T10:00:00Z")); /* its own time */
    contains(ex->steps[3].text, "12 Mar is before the import on 3 Jul, so the original source "
                                "became Organic search");
    wf_explanation_free(&ex);
}

static void why_c03_step_evidence_is_the_form(void **state)
{
    fx x;
    kb_story(&x);
    wf_explanation *ex = fx_explain(state, &x);
    int i = fx_step(ex, R_C03);
    assert_true(i >= 0);
    assert_int_equal(ex->steps[i].n_evidence, 1);
    const wf_tl_item *it = &ex->timeline[ex->steps[i].evidence[0]];
    assert_int_equal(it->kind, WF_TL_FORM);
    assert_string_equal(it->token, "t1");
    wf_explanation_free(&ex);
}

static void why_c03_two_sessions_counted(void **state)
{
    fx x;
    kb_story(&x);
    fx_pv(&x, "t1", 0, "2024-09-18T14:00:00Z", HOME "demo", NULL); /* a second visit */
    wf_explanation *ex = fx_explain(state, &x);
    int i = fx_step(ex, R_C03);
    contains(ex->steps[i].text, "HubSpot linked 2 earlier sessions to this contact");
    wf_explanation_free(&ex);
}

static void why_c03_email_click(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t9", 0, "2024-06-01T10:00:00Z", HOME, "https://www.bing.com/search?q=Widgets");
    fx_click(&x, "2024-10-01T08:00:00Z", "t9")->email_id = "em-7";
    wf_explanation *ex = fx_explain(state, &x);
    const wf_rule want[] = {R_C01, R_C03, R_S11, R_C04, R_NONE};
    assert_rules(ex, want, 5);
    contains(ex->steps[1].text, "A HubSpot marketing-email click on 1 Oct 2024 (email em-7");
    contains(ex->steps[1].text, "identified visitor token t9; HubSpot linked 1 earlier session");
    assert_int_equal(ex->timeline[ex->steps[1].evidence[0]].kind, WF_TL_EMAIL_CLICK);
    wf_explanation_free(&ex);
}

static void why_c03_lead_guid_identity(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "1");
    fx_pv(&x, "g1", 0, "2024-06-01T10:00:00Z", HOME, GOOGLE);
    fx_link(&x, "g1", "2024-08-01T00:00:00Z", WF_LINK_IDENTITY);
    wf_explanation *ex = fx_explain(state, &x);
    int i = fx_step(ex, R_C03);
    assert_true(i >= 0);
    contains(ex->steps[i].text, "visitor token g1 as a LEAD_GUID identity from 1 Aug 2024");
    assert_int_equal(ex->steps[i + 1].rule, R_S11);
    assert_int_equal(ex->steps[i + 2].rule, R_C04);
    wf_explanation_free(&ex);
}

/* Export page views (§7): which identity moment linked them, and that
 * this is assumed. */
static void why_export_linked_at_identity(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_pv(&x, NULL, 9, "2024-04-01T10:00:00Z", HOME, GOOGLE);
    fx_link(&x, "g2", "2024-07-01T00:00:00Z", WF_LINK_IDENTITY);
    fx_link(&x, "g1", "2024-06-01T00:00:00Z", WF_LINK_IDENTITY);
    wf_explanation *ex = fx_explain(state, &x);
    int i = fx_step(ex, R_C03);
    assert_true(i >= 0);
    contains(ex->steps[i].text, "without a visitor token; assumed:");
    contains(ex->steps[i].text, "the LEAD_GUID identity of 1 Jun 2024 (visitor token g1)");
    assert_int_equal(ex->steps[i].at, T("2024-06-01T00:00:00Z"));
    assert_int_equal(ex->steps[i + 1].rule, R_S11);
    wf_explanation_free(&ex);
}

static void why_export_linked_at_form(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_pv(&x, NULL, 9, "2024-04-01T10:00:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-05-20T00:00:00Z", "f-9", "tf", 0);
    wf_explanation *ex = fx_explain(state, &x);
    int i = fx_step(ex, R_C03);
    assert_true(i >= 0);
    contains(ex->steps[i].text, "assumed: HubSpot linked it at the first identity moment after "
                                "the creation, the form f-9 submitted on 20 May 2024.");
    wf_explanation_free(&ex);
}

static void why_export_linked_at_creation(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_pv(&x, NULL, 9, "2024-04-01T10:00:00Z", HOME, GOOGLE);
    wf_explanation *ex = fx_explain(state, &x);
    size_t i = 0;
    while (i < ex->n_steps && !strstr(ex->steps[i].text, "without a visitor token"))
        i++;
    assert_true(i < ex->n_steps);
    contains(ex->steps[i].text, "no identity moment");
    contains(ex->steps[i].text, "assumed: HubSpot linked it when the contact was created on 1 "
                                "May 2024.");
    wf_explanation_free(&ex);
}

static void creation_description_tracked_form(void **state)
{
    fx x;
    fx_init(&x, 7, "2024-05-01T12:00:00Z", "FORM", "f-1");
    fx_form(&x, "2024-05-01T12:00:00Z", "f-1", "t1", 0);
    fx_pv(&x, "t1", 0, "2024-05-01T11:50:00Z", HOME, GOOGLE);
    wf_explanation *ex = fx_explain(state, &x);
    assert_string_equal(ex->creation.description,
                        "a HubSpot form on a tracked page of the site created it");
    size_t k = 0;
    while (k < ex->n_timeline && ex->timeline[k].kind != WF_TL_CREATION)
        k++;
    assert_true(k < ex->n_timeline);
    assert_null(strstr(ex->timeline[k].detail, "filtered")); /* the Timeline says the same */
    assert_non_null(strstr(ex->timeline[k].detail, "tracked page"));
    wf_explanation_free(&ex);
}

static void creation_description_untracked_form_keeps_filtered(void **state)
{
    fx x;
    fx_init(&x, 7, "2024-05-01T12:00:00Z", "FORM", NULL);
    fx_form(&x, "2024-05-01T12:00:00Z", "f-1", "t1", 1);
    wf_explanation *ex = fx_explain(state, &x);
    assert_string_equal(ex->creation.description,
                        "a form was submitted from a filtered (excluded) IP address");
    wf_explanation_free(&ex);
}

static const wf_step *closing(const wf_explanation *ex)
{
    const wf_step *s = &ex->steps[ex->n_steps - 1];
    assert_int_equal(s->rule, R_NONE);
    assert_int_equal(s->at, WF_TIME_NONE);
    assert_int_equal(s->n, ex->n_steps);
    return s;
}

static void closing_matches_with_history(void **state)
{
    fx x;
    kb_story(&x);
    fx_stored(&x, "ORGANIC_SEARCH", "Unknown keywords (SSL)", "google");
    fx_hist(&x, "hs_analytics_source", "OFFLINE", "2024-07-03T09:00:06Z", "ANALYTICS", NULL);
    wf_history *h = fx_hist(&x, "hs_analytics_source", "ORGANIC_SEARCH", "2024-09-18T14:30:11Z",
                            "ANALYTICS", NULL);
    wf_explanation *ex = fx_explain(state, &x);
    const wf_step *s = closing(ex);
    assert_string_equal(s->text, "✓ Matches HubSpot's stored value and its history (change at 18 "
                                 "Sep 14:30, ANALYTICS).");
    assert_int_equal(s->n_evidence, 1);
    assert_int_equal(ex->timeline[s->evidence[0]].row_id, h->id);
    wf_explanation_free(&ex);
}

static void closing_matches_but_unexplained(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_stored(&x, "OFFLINE", "IMPORT", "1");
    fx_hist(&x, "hs_analytics_source", "OFFLINE", "2024-06-01T00:00:00Z", "ANALYTICS", NULL);
    wf_explanation *ex = fx_explain(state, &x);
    const wf_step *s = closing(ex);
    contains(s->text, "✓ Matches HubSpot's stored value, but");
    contains(s->text, "unexplained-change");
    wf_explanation_free(&ex);
}

static void closing_differs_api_race(void **state)
{
    fx x;
    fx_init(&x, 5002, "2024-05-06T10:00:00Z", "API", "contacts-upsert");
    fx_pv(&x, "t2", 0, "2024-05-06T09:52:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-05-06T10:00:05Z", "f", "t2", 0);
    fx_stored(&x, "OFFLINE", "API", "contacts-upsert");
    wf_explanation *ex = fx_explain(state, &x);
    const wf_step *s = closing(ex);
    contains(s->text, "≠ HubSpot shows Offline sources / API / contacts-upsert; ");
    contains(s->text, "(api-race, C10)");
    /* the C10 diagnosis comes after the replay, right before the closing step */
    assert_int_equal(ex->steps[ex->n_steps - 2].rule, R_C10);
    wf_explanation_free(&ex);
}

static void closing_differs_merge(void **state)
{
    fx x;
    fx_init(&x, 5005, "2024-06-01T12:00:00Z", "IMPORT", "1");
    fx_merge(&x, "2024-06-20T09:30:00Z", 5099, "2024-01-15T16:20:00Z", "SALESFORCE", "sf-1");
    fx_stored(&x, "OFFLINE", "IMPORT", "1");
    wf_explanation *ex = fx_explain(state, &x);
    contains(closing(ex)->text, "(merge-primary-kept, C07, assumed)");
    wf_explanation_free(&ex);
}

static void closing_differs_data_load(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_hist(&x, "hs_analytics_source", "REFERRALS", "2024-06-01T00:00:00Z", "IMPORT", "imp-2");
    fx_pv(&x, "t1", 0, "2024-02-01T10:00:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-08-01T10:00:00Z", "f", "t1", 0);
    fx_stored(&x, "REFERRALS", "", "");
    wf_explanation *ex = fx_explain(state, &x);
    const wf_step *s = closing(ex);
    contains(s->text, "≠ HubSpot shows Referrals");
    contains(s->text, "data-load");
    contains(s->text, "1 Jun 00:00, IMPORT");
    wf_explanation_free(&ex);
}

static void closing_differs_unexplained(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_hist(&x, "hs_analytics_source", "PAID_SEARCH", "2024-06-01T00:00:00Z", "ANALYTICS", NULL);
    fx_stored(&x, "PAID_SEARCH", "", "");
    wf_explanation *ex = fx_explain(state, &x);
    contains(closing(ex)->text, "a change no rule explains (1 Jun 00:00, ANALYTICS; "
                                "unexplained-change).");
    wf_explanation_free(&ex);
}

static void closing_differs_without_reason(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    fx_stored(&x, "DIRECT_TRAFFIC", "", "");
    wf_explanation *ex = fx_explain(state, &x);
    contains(closing(ex)->text, "≠ HubSpot shows Direct traffic");
    contains(closing(ex)->text, "(stored-differs)");
    wf_explanation_free(&ex);
}

static void why_c02_step_names_the_form(void **state)
{
    fx x;
    fx_init(&x, 7, "2024-05-01T12:00:00Z", "FORM", "f-1");
    fx_form(&x, "2024-05-01T12:00:00Z", "f-1", "t1", 0)->page_title = "Contact us";
    fx_pv(&x, "t1", 0, "2024-05-01T11:50:00Z", HOME, GOOGLE);
    wf_explanation *ex = fx_explain(state, &x);
    contains(ex->steps[0].text, "created by the form \"Contact us\" (f-1) submitted on a tracked");
    wf_explanation_free(&ex);
}

static void why_c05_one_later_session(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "9876");
    fx_pv(&x, "t1", 0, "2024-08-01T10:00:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-09-18T14:30:00Z", "f-demo", "t1", 0);
    wf_explanation *ex = fx_explain(state, &x);
    contains(ex->steps[fx_step(ex, R_C05)].text, "A later session, after the earliest interaction");
    wf_explanation_free(&ex);
}

/* Sentences say dates as people do; ISO-like times stay in the column. */
static void dates_in_sentences_are_human(void **state)
{
    fx x;
    fx_init(&x, 5005, "2024-06-01T12:00:00Z", "IMPORT", "1");
    fx_merge(&x, "2024-06-20T09:30:00Z", 5099, "2023-01-15T16:20:00Z", "SALESFORCE", "sf-1");
    fx_pv(&x, "t1", 0, "2022-06-01T10:00:00Z", HOME, GOOGLE);
    fx_form(&x, "2024-08-01T10:00:00Z", "f", "t1", 0);
    wf_explanation *ex = fx_explain(state, &x);
    for (size_t i = 0; i < ex->n_steps; i++)
        if (strstr(ex->steps[i].text, "2024-") || strstr(ex->steps[i].text, "2023-"))
            fail_msg("ISO date in step %zu: %s", i + 1, ex->steps[i].text);
    contains(ex->steps[fx_step(ex, R_C07)].text, "created offline on 15 Jan 2023 16:20");
    contains(ex->steps[fx_step(ex, R_C04)].text,
             "1 Jun 2022 is before the creation of merged record 5099 on 15 Jan 2023");
    wf_explanation_free(&ex);
}

/* Hand-built or crafted facts with times at the ends of the range still
 * give whole sentences (no overflow in the human dates). */
static void why_extreme_times(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-05-01T12:00:00Z", "IMPORT", "1");
    x.f.created_at = INT64_MAX;
    wf_pageview *p = fx_pv(&x, "t1", 0, "2024-01-01T00:00:00Z", HOME, GOOGLE);
    p->at = INT64_MIN + 1;
    fx_form(&x, "2024-01-01T00:00:00Z", "f", "t1", 0)->at = INT64_MAX;
    fx_stored(&x, "OFFLINE", "IMPORT", "1");
    wf_explanation *ex = fx_explain(state, &x);
    assert_true(ex->n_steps >= 2);
    for (size_t i = 0; i < ex->n_steps; i++)
        assert_true(strlen(ex->steps[i].text) > 10);
    closing(ex);
    wf_explanation_free(&ex);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(c01_api),
        cmocka_unit_test(c01_salesforce),
        cmocka_unit_test(c01_contacts),
        cmocka_unit_test(c01_crm_ui),
        cmocka_unit_test(c01_analytics),
        cmocka_unit_test(c01_integration),
        cmocka_unit_test(c01_import),
        cmocka_unit_test(c01_sales),
        cmocka_unit_test(c01_presentations),
        cmocka_unit_test(c01_extension),
        cmocka_unit_test(c01_unknown_channel_kept),
        cmocka_unit_test(c09_form_filtered_ip),
        cmocka_unit_test(c09_form_without_token_uses_conversion_id),
        cmocka_unit_test(c02_tracked_form),
        cmocka_unit_test(c02_without_page_view_is_assumed),
        cmocka_unit_test(c04_earlier_visit_rewrites),
        cmocka_unit_test(c04_later_visit_does_not_rewrite),
        cmocka_unit_test(c03_email_click_links),
        cmocka_unit_test(c03_filtered_form_links_nothing),
        cmocka_unit_test(c05_later_sessions_update_latest_only),
        cmocka_unit_test(c06_manual_edit_clears_drilldowns),
        cmocka_unit_test(c06_manual_edit_then_earlier_visit_link),
        cmocka_unit_test(c08_data_load_with_drilldowns),
        cmocka_unit_test(c07_merge_earlier_offline_record),
        cmocka_unit_test(c07_merge_later_record_keeps_source),
        cmocka_unit_test(c07_merged_sessions_count),
        cmocka_unit_test(export_views_linked_at_identity),
        cmocka_unit_test(export_views_linked_at_first_form),
        cmocka_unit_test(export_views_linked_at_first_click),
        cmocka_unit_test(export_views_linked_at_creation),
        cmocka_unit_test(ties_creation_before_link),
        cmocka_unit_test(ties_equal_session_starts_use_row_id),
        cmocka_unit_test(c10_api_race),
        cmocka_unit_test(c10_not_when_form_is_late),
        cmocka_unit_test(unknown_stored_value_kept),
        cmocka_unit_test(unknown_manual_value_kept),
        cmocka_unit_test(s13_step_says_assumed),
        cmocka_unit_test(why_kb_story_steps_in_order),
        cmocka_unit_test(why_c03_step_evidence_is_the_form),
        cmocka_unit_test(why_c03_two_sessions_counted),
        cmocka_unit_test(why_c03_email_click),
        cmocka_unit_test(why_c03_lead_guid_identity),
        cmocka_unit_test(why_export_linked_at_identity),
        cmocka_unit_test(why_export_linked_at_form),
        cmocka_unit_test(why_export_linked_at_creation),
        cmocka_unit_test(creation_description_tracked_form),
        cmocka_unit_test(creation_description_untracked_form_keeps_filtered),
        cmocka_unit_test(closing_matches_with_history),
        cmocka_unit_test(closing_matches_but_unexplained),
        cmocka_unit_test(closing_differs_api_race),
        cmocka_unit_test(closing_differs_merge),
        cmocka_unit_test(closing_differs_data_load),
        cmocka_unit_test(closing_differs_unexplained),
        cmocka_unit_test(closing_differs_without_reason),
        cmocka_unit_test(dates_in_sentences_are_human),
        cmocka_unit_test(why_c02_step_names_the_form),
        cmocka_unit_test(why_c05_one_later_session),
        cmocka_unit_test(why_extreme_times),
    };
    return cmocka_run_group_tests(t, fx_engine_setup, fx_engine_teardown);
}
