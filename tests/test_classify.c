/* Session classification: every rule S01–S14b fires and has a near miss;
 * every drill-down format of ATTRIBUTION.md §6. */
#include "engine_fx.h"

typedef struct {
    wf_arena *a;
    wf_session_class c;
} run;

static const char *site_domains[] = {"example.com"};
static const wf_site site = {site_domains, 1, 0};

/* Classifies and checks source, rule, dd1, dd2 (NULL: do not check). */
static void check(void **state, const char *url, const char *ref, const char *source,
                  const char *rule, const char *dd1, const char *dd2)
{
    wf_arena *a = wf_arena_new();
    wf_classify_in in = {.url = url, .referrer = ref};
    wf_session_class c;
    wf_classify_session(*state, &in, &site, a, &c);
    assert_string_equal(wf_source_name(c.source), source);
    assert_string_equal(wf_rule_id(c.rule), rule);
    if (dd1) assert_string_equal(c.dd1, dd1);
    if (dd2) assert_string_equal(c.dd2, dd2);
    wf_arena_free(&a);
}

#define U(q) "https://www.example.com/landing?" q

/* S01 */
static void s01_fires_on_known_network(void **s)
{
    check(s, U("utm_source=linkedin&utm_medium=social&utm_campaign=Spring+Launch"), NULL,
          "SOCIAL_MEDIA", "S01", "LinkedIn", "spring launch");
}
static void s01_fires_on_social_referrer(void **s)
{
    check(s, U("utm_source=newsletter&utm_medium=Social"), "https://l.facebook.com/l.php",
          "SOCIAL_MEDIA", "S01", "Facebook", "");
}
static void s01_alias_case_insensitive(void **s)
{
    check(s, U("utm_source=FB&utm_medium=SOCIAL"), NULL, "SOCIAL_MEDIA", "S01", "Facebook", "");
    check(s, U("utm_source=x&utm_medium=social"), NULL, "SOCIAL_MEDIA", "S01", "Twitter", "");
}
static void s01_near_miss_unknown_network(void **s)
{
    check(s, U("utm_source=partner&utm_medium=social"), NULL, "OTHER_CAMPAIGNS", "S08", "",
          "partner / social");
}

/* S02 */
static void s02_fires(void **s)
{
    check(s, U("source=AdWords&utm_campaign=Brand"), NULL, "PAID_SEARCH", "S02", "brand",
          "Unknown keywords (SSL)");
}
static void s02_near_miss(void **s)
{
    check(s, U("source=newsletter"), NULL, "OTHER_CAMPAIGNS", "S08", "", "");
}

/* S03 */
static void s03_auto_tagged(void **s)
{
    check(s, U("gclid=EAIaIQobChMI"), NULL, "PAID_SEARCH", "S03", "Auto-tagged PPC",
          "Unknown keywords (SSL)");
}
static void s03_with_campaign(void **s)
{
    check(s, U("gclid=abc&utm_campaign=Brand+Terms&utm_term=Blue+Shoes"), NULL, "PAID_SEARCH",
          "S03", "brand terms", "blue shoes");
}
static void s03_near_miss_empty_gclid(void **s)
{
    check(s, U("gclid="), NULL, "DIRECT_TRAFFIC", "S14b", NULL, NULL);
}

/* S04 */
static void s04_paid_medium_social_source(void **s)
{
    check(s, U("utm_source=facebook&utm_medium=paid&utm_campaign=Retargeting+-+Feed+ad"), NULL,
          "PAID_SOCIAL", "S04", "Facebook", "retargeting - feed ad");
}
static void s04_paidsocial_unknown_network(void **s)
{
    check(s, U("utm_source=Acme&utm_medium=paidsocial&utm_campaign=X"), NULL, "PAID_SOCIAL", "S04",
          "Acme", "x");
}
static void s04_cpc_on_social_referrer(void **s)
{
    check(s, U("utm_source=promo&utm_medium=cpc"), "https://www.linkedin.com/feed/", "PAID_SOCIAL",
          "S04", "LinkedIn", "");
}
static void s04_near_miss_not_social(void **s)
{
    check(s, U("utm_source=newsletter&utm_medium=cpc"), NULL, "PAID_SEARCH", "S06", "", NULL);
}

/* S05 */
static void s05_fires_on_google_any_suffix(void **s)
{
    check(s, U("utm_source=partner&utm_medium=banner&utm_campaign=Q3"), "https://www.google.co.uk/",
          "PAID_SEARCH", "S05", "q3", "Unknown keywords (SSL)");
    check(s, U("utm_campaign=Q3"), "https://google.com.br/", "PAID_SEARCH", "S05", "q3", NULL);
}
static void s05_near_miss_gmail(void **s)
{
    check(s, U("utm_source=partner&utm_medium=banner"), "https://mail.google.com/mail/u/0/",
          "OTHER_CAMPAIGNS", "S08", "", "partner / banner");
}
static void s05_near_miss_gemini(void **s)
{
    check(s, U("utm_source=partner"), "https://gemini.google.com/app", "OTHER_CAMPAIGNS", "S08",
          NULL, "partner");
}

/* S06 */
static void s06_fires(void **s)
{
    check(s, U("utm_source=bing&utm_medium=CPC&utm_term=Blue%20Shoes"), NULL, "PAID_SEARCH", "S06",
          "", "blue shoes");
}
static void s06_adwords_in_campaign(void **s)
{
    check(s, U("utm_campaign=adwords-brand"), NULL, "PAID_SEARCH", "S06", "adwords-brand", NULL);
}
static void s06_near_miss_cpm(void **s)
{
    check(s, U("utm_source=bing&utm_medium=cpm"), NULL, "OTHER_CAMPAIGNS", "S08", "", "bing / cpm");
}

/* S07 */
static void s07_hubspot_email(void **s)
{
    check(s,
          U("utm_source=hs_email&utm_medium=email&utm_campaign=Spring&utm_content=123&_hsenc=p2A"),
          NULL, "EMAIL_MARKETING", "S07", "spring", "123");
}
static void s07_source_param(void **s)
{
    check(s, U("source=Email-Digest"), NULL, "EMAIL_MARKETING", "S07", "", "");
}
static void s07_near_miss(void **s)
{
    check(s, U("utm_source=newsletter&utm_medium=e-mail"), NULL, "OTHER_CAMPAIGNS", "S08", NULL,
          "newsletter / e-mail");
}

/* S08 */
static void s08_fires(void **s)
{
    check(s, U("utm_source=Partner&utm_medium=Banner&utm_campaign=Q3+Launch"), NULL,
          "OTHER_CAMPAIGNS", "S08", "q3 launch", "Partner / Banner");
}
static void s08_source_only(void **s)
{
    check(s, U("utm_source=partner"), NULL, "OTHER_CAMPAIGNS", "S08", "", "partner");
}
static void s08_near_miss_term_content_only(void **s)
{
    check(s, U("utm_term=shoes&utm_content=ad1"), NULL, "DIRECT_TRAFFIC", "S14b", NULL, "");
}
static void s08_near_miss_click_ids(void **s)
{
    check(s, U("fbclid=1&msclkid=2&wbraid=3&gclsrc=aw.ds&_hsenc=x&_hsmi=9"), NULL, "DIRECT_TRAFFIC",
          "S14b", NULL, NULL);
}

/* S09 */
static void s09_fires(void **s)
{
    check(s, "https://www.example.com/", "https://lnkd.in/abc", "SOCIAL_MEDIA", "S09", "LinkedIn",
          "");
    check(s, "https://www.example.com/", "https://t.co/xyz", "SOCIAL_MEDIA", "S09", "Twitter", "");
    check(s, "https://www.example.com/", "https://lm.facebook.com/", "SOCIAL_MEDIA", "S09",
          "Facebook", "");
}
static void s09_app_referrer(void **s)
{
    check(s, "https://www.example.com/", "android-app://com.linkedin.android/", "SOCIAL_MEDIA",
          "S09", "LinkedIn", "");
}
static void s09_near_miss(void **s)
{
    check(s, "https://www.example.com/", "https://linkedin.example.org/", "REFERRALS", "S14a",
          "linkedin.example.org", NULL);
}

/* S10 */
static void s10_webmail(void **s)
{
    check(s, "https://www.example.com/pricing", "https://mail.google.com/mail/u/0/",
          "DIRECT_TRAFFIC", "S10", "www.example.com/pricing", "");
    check(s, "https://www.example.com/", "https://outlook.live.com/", "DIRECT_TRAFFIC", "S10", NULL,
          NULL);
}
static void s10_rss(void **s)
{
    check(s, "https://www.example.com/blog", "https://feedly.com/i/latest", "DIRECT_TRAFFIC", "S10",
          "www.example.com/blog", "");
}
static void s10_near_miss(void **s)
{
    check(s, "https://www.example.com/", "https://gmail.example.org/", "REFERRALS", "S14a", NULL,
          NULL);
}

/* S11 */
static void s11_term(void **s)
{
    check(s, "https://www.example.com/", "https://www.google.de/search?q=Blue+Widgets%21&hl=de",
          "ORGANIC_SEARCH", "S11", "blue widgets!", "google");
}
static void s11_unknown_keywords(void **s)
{
    check(s, "https://www.example.com/", "https://www.google.com/", "ORGANIC_SEARCH", "S11",
          "Unknown keywords (SSL)", "google");
}
static void s11_other_engines(void **s)
{
    check(s, "https://www.example.com/", "https://www.bing.com/search?q=wherefrom",
          "ORGANIC_SEARCH", "S11", "wherefrom", "bing");
    check(s, "https://www.example.com/", "https://search.yahoo.com/search?p=Attribution",
          "ORGANIC_SEARCH", "S11", "attribution", "yahoo");
    check(s, "https://www.example.com/", "https://duckduckgo.com/", "ORGANIC_SEARCH", "S11", NULL,
          "duckduckgo");
    check(s, "https://www.example.com/", "https://yandex.ru/search/?text=test", "ORGANIC_SEARCH",
          "S11", "test", "yandex");
    check(s, "https://www.example.com/", "https://www.baidu.com/s?wd=abc", "ORGANIC_SEARCH", "S11",
          "abc", "baidu");
    check(s, "https://www.example.com/", "https://www.ecosia.org/search?q=x", "ORGANIC_SEARCH",
          "S11", "x", "ecosia");
}
static void s11_near_miss_google_maps(void **s)
{
    check(s, "https://www.example.com/", "https://maps.google.com/maps?q=x", "REFERRALS", "S14a",
          "maps.google.com", NULL);
    check(s, "https://www.example.com/", "https://support.google.com/", "REFERRALS", "S14a", NULL,
          NULL);
}

/* S12 */
static void s12_internal(void **s)
{
    check(s, "https://www.example.com/pricing", "https://www.example.com/", "DIRECT_TRAFFIC", "S12",
          "www.example.com/pricing", "");
    check(s, "https://www.example.com/", "https://app.example.com/login", "DIRECT_TRAFFIC", "S12",
          NULL, NULL);
}
static void s12_near_miss_lookalike(void **s)
{
    check(s, "https://www.example.com/", "https://example.com.evil.org/", "REFERRALS", "S14a",
          "example.com.evil.org", NULL);
    check(s, "https://www.example.com/", "https://notexample.com/", "REFERRALS", "S14a", NULL,
          NULL);
}

/* S13 */
static void s13_ai(void **s)
{
    check(s, "https://www.example.com/", "https://chatgpt.com/", "AI_REFERRALS", "S13",
          "chatgpt.com", "https://chatgpt.com/");
    check(s, "https://www.example.com/", "https://www.perplexity.ai/search", "AI_REFERRALS", "S13",
          "perplexity.ai", "https://www.perplexity.ai/search");
}
static void s13_most_specific_beats_google(void **s)
{
    check(s, "https://www.example.com/", "https://gemini.google.com/app", "AI_REFERRALS", "S13",
          "gemini.google.com", NULL);
}
static void s13_near_miss(void **s)
{
    check(s, "https://www.example.com/", "https://openai.com/blog", "REFERRALS", "S14a",
          "openai.com", NULL);
}

/* S14a / S14b */
static void s14a_referral_formats(void **s)
{
    check(s, "https://www.example.com/", "https://WWW.Partner-Site.COM:8443/Page?x=1", "REFERRALS",
          "S14a", "partner-site.com", "https://WWW.Partner-Site.COM:8443/Page?x=1");
}
static void s14a_ipv6(void **s)
{
    check(s, "https://www.example.com/", "http://[2001:DB8::1]:8080/x", "REFERRALS", "S14a",
          "2001:db8::1", NULL);
}
static void s14b_direct(void **s)
{
    check(s, "https://www.example.com/pricing?plan=Pro#top", NULL, "DIRECT_TRAFFIC", "S14b",
          "www.example.com/pricing?plan=Pro#top", "");
    check(s, "http://www.example.com/", "", "DIRECT_TRAFFIC", "S14b", "www.example.com/", "");
}
static void s14b_garbage_referrer(void **s)
{
    check(s, "https://www.example.com/", "not a url at all", "DIRECT_TRAFFIC", "S14b", NULL, NULL);
    check(s, "https://www.example.com/", "\x01\x02://", "DIRECT_TRAFFIC", "S14b", NULL, NULL);
    check(s, "https://www.example.com/", "https://", "DIRECT_TRAFFIC", "S14b", NULL, NULL);
}
static void s14b_no_url(void **s)
{
    check(s, NULL, NULL, "DIRECT_TRAFFIC", "S14b", "", "");
}

/* parameters */
static void params_first_wins_and_case(void **s)
{
    check(s, U("UTM_SOURCE=partner&Utm_Medium=banner&utm_campaign=First&utm_campaign=Second"), NULL,
          "OTHER_CAMPAIGNS", "S08", "first", "partner / banner");
}
static void params_empty_value_skipped(void **s)
{
    check(s, U("utm_campaign=&utm_campaign=Later&utm_source=p"), NULL, "OTHER_CAMPAIGNS", "S08",
          "later", "p");
}
static void params_trimmed(void **s)
{
    check(s, U("utm_source=+Partner+&utm_campaign=%20Big%20Sale%20"), NULL, "OTHER_CAMPAIGNS",
          "S08", "big sale", "Partner");
}

static void export_fields_fill_missing(void **state)
{
    wf_arena *a = wf_arena_new();
    wf_classify_in in = {.url = "https://www.example.com/",
                         .utm_source = "partner",
                         .utm_medium = "banner",
                         .utm_campaign = "Fall+Promo"};
    wf_session_class c;
    wf_classify_session(*state, &in, &site, a, &c);
    assert_int_equal(c.source, SRC_OTHER_CAMPAIGNS);
    assert_string_equal(c.dd1, "fall promo");
    assert_string_equal(c.dd2, "partner / banner");
    assert_true(c.has_tracking);
    wf_arena_free(&a);
}

static void trace_names_inputs(void **state)
{
    wf_arena *a = wf_arena_new();
    wf_classify_in in = {.url = U("utm_source=linkedin&utm_medium=social")};
    wf_session_class c;
    wf_classify_session(*state, &in, &site, a, &c);
    assert_string_equal(c.trace.param, "utm_medium");
    assert_string_equal(c.trace.value, "social");
    assert_string_equal(c.trace.param2, "utm_source");
    wf_buf b = WF_BUF_INIT;
    wf_class_trace_text(&c, &b);
    assert_non_null(strstr(wf_buf_str(&b), "utm_source=linkedin"));
    wf_buf_free(&b);
    wf_arena_free(&a);
}

static void trace_referrer_entry(void **state)
{
    wf_arena *a = wf_arena_new();
    wf_classify_in in = {.url = "https://www.example.com/", .referrer = "https://www.bing.com/"};
    wf_session_class c;
    wf_classify_session(*state, &in, &site, a, &c);
    assert_non_null(c.trace.ref);
    assert_int_equal(c.trace.ref->kind, WF_REF_SEARCH);
    assert_string_equal(c.trace.ref_host, "www.bing.com");
    assert_false(c.trace.ref_internal);
    wf_arena_free(&a);
}

static void null_site_has_no_internal(void **state)
{
    wf_arena *a = wf_arena_new();
    wf_classify_in in = {.url = "https://www.example.com/", .referrer = "https://www.example.com/"};
    wf_session_class c;
    wf_classify_session(*state, &in, NULL, a, &c);
    assert_int_equal(c.rule, R_S14A);
    wf_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(s01_fires_on_known_network),
        cmocka_unit_test(s01_fires_on_social_referrer),
        cmocka_unit_test(s01_alias_case_insensitive),
        cmocka_unit_test(s01_near_miss_unknown_network),
        cmocka_unit_test(s02_fires),
        cmocka_unit_test(s02_near_miss),
        cmocka_unit_test(s03_auto_tagged),
        cmocka_unit_test(s03_with_campaign),
        cmocka_unit_test(s03_near_miss_empty_gclid),
        cmocka_unit_test(s04_paid_medium_social_source),
        cmocka_unit_test(s04_paidsocial_unknown_network),
        cmocka_unit_test(s04_cpc_on_social_referrer),
        cmocka_unit_test(s04_near_miss_not_social),
        cmocka_unit_test(s05_fires_on_google_any_suffix),
        cmocka_unit_test(s05_near_miss_gmail),
        cmocka_unit_test(s05_near_miss_gemini),
        cmocka_unit_test(s06_fires),
        cmocka_unit_test(s06_adwords_in_campaign),
        cmocka_unit_test(s06_near_miss_cpm),
        cmocka_unit_test(s07_hubspot_email),
        cmocka_unit_test(s07_source_param),
        cmocka_unit_test(s07_near_miss),
        cmocka_unit_test(s08_fires),
        cmocka_unit_test(s08_source_only),
        cmocka_unit_test(s08_near_miss_term_content_only),
        cmocka_unit_test(s08_near_miss_click_ids),
        cmocka_unit_test(s09_fires),
        cmocka_unit_test(s09_app_referrer),
        cmocka_unit_test(s09_near_miss),
        cmocka_unit_test(s10_webmail),
        cmocka_unit_test(s10_rss),
        cmocka_unit_test(s10_near_miss),
        cmocka_unit_test(s11_term),
        cmocka_unit_test(s11_unknown_keywords),
        cmocka_unit_test(s11_other_engines),
        cmocka_unit_test(s11_near_miss_google_maps),
        cmocka_unit_test(s12_internal),
        cmocka_unit_test(s12_near_miss_lookalike),
        cmocka_unit_test(s13_ai),
        cmocka_unit_test(s13_most_specific_beats_google),
        cmocka_unit_test(s13_near_miss),
        cmocka_unit_test(s14a_referral_formats),
        cmocka_unit_test(s14a_ipv6),
        cmocka_unit_test(s14b_direct),
        cmocka_unit_test(s14b_garbage_referrer),
        cmocka_unit_test(s14b_no_url),
        cmocka_unit_test(params_first_wins_and_case),
        cmocka_unit_test(params_empty_value_skipped),
        cmocka_unit_test(params_trimmed),
        cmocka_unit_test(export_fields_fill_missing),
        cmocka_unit_test(trace_names_inputs),
        cmocka_unit_test(trace_referrer_entry),
        cmocka_unit_test(null_site_has_no_internal),
    };
    return cmocka_run_group_tests(t, fx_engine_setup, fx_engine_teardown);
}
