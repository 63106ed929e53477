/* Sessions: 30-minute idle splits, new traffic sources, internal
 * referrers, grouping per token, stable order on ties, site domains. */
#include "engine_fx.h"

#include "attrib/session.h"

typedef struct {
    wf_arena *a;
    const wf_pageview *p[FX_MAX];
    wf_session *s;
    size_t n;
} sess;

static void build(void **state, fx *x, sess *r)
{
    r->a = wf_arena_new();
    wf_site site;
    assert_int_equal(wf_site_from_facts(*state, &x->f, r->a, &site), WF_OK);
    for (size_t i = 0; i < x->f.n_pageviews; i++)
        r->p[i] = &x->pv[i];
    assert_int_equal(wf_build_sessions(*state, r->p, x->f.n_pageviews, &site, r->a, &r->s, &r->n),
                     WF_OK);
}

#define HOME "https://www.example.com/"

static void idle_30_minutes_splits(void **state)
{
    fx x;
    fx_init(&x, 1, "2024-01-01T00:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t1", 0, "2024-03-01T10:00:00Z", HOME, "https://www.google.com/");
    fx_pv(&x, "t1", 0, "2024-03-01T10:29:59Z", HOME "a", HOME);
    fx_pv(&x, "t1", 0, "2024-03-01T10:59:59Z", HOME "b", HOME); /* exactly 30 min: same */
    fx_pv(&x, "t1", 0, "2024-03-01T11:30:00Z", HOME "c", HOME); /* 30:01 later: new */
    sess r;
    build(state, &x, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.s[0].n, 3);
    assert_int_equal(r.s[0].cls.source, SRC_ORGANIC_SEARCH);
    /* the returning visit through an internal referrer is direct traffic (S12) */
    assert_int_equal(r.s[1].cls.rule, R_S12);
    wf_arena_free(&r.a);
}

static void new_source_splits(void **state)
{
    fx x;
    fx_init(&x, 1, "2024-01-01T00:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t1", 0, "2024-03-01T10:00:00Z", HOME, "https://www.google.com/");
    fx_pv(&x, "t1", 0, "2024-03-01T10:05:00Z", HOME "?utm_source=partner&utm_medium=banner", NULL);
    fx_pv(&x, "t1", 0, "2024-03-01T10:06:00Z", HOME "x", HOME);
    sess r;
    build(state, &x, &r);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.s[1].cls.source, SRC_OTHER_CAMPAIGNS);
    assert_int_equal(r.s[1].n, 2);
    wf_arena_free(&r.a);
}

static void same_source_again_continues(void **state)
{
    fx x;
    fx_init(&x, 1, "2024-01-01T00:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t1", 0, "2024-03-01T10:00:00Z", HOME, "https://www.google.com/");
    fx_pv(&x, "t1", 0, "2024-03-01T10:05:00Z", HOME "b", "https://www.google.com/");
    sess r;
    build(state, &x, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.s[0].n, 2);
    wf_arena_free(&r.a);
}

static void internal_and_missing_referrers_continue(void **state)
{
    fx x;
    fx_init(&x, 1, "2024-01-01T00:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t1", 0, "2024-03-01T10:00:00Z", HOME, "https://chatgpt.com/");
    fx_pv(&x, "t1", 0, "2024-03-01T10:01:00Z", HOME "a", "https://app.example.com/");
    fx_pv(&x, "t1", 0, "2024-03-01T10:02:00Z", HOME "b", NULL);
    fx_pv(&x, "t1", 0, "2024-03-01T10:03:00Z", HOME "c", "garbage referrer");
    sess r;
    build(state, &x, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.s[0].cls.source, SRC_AI_REFERRALS);
    assert_int_equal(r.s[0].end, T("2024-03-01T10:03:00Z"));
    wf_arena_free(&r.a);
}

static void per_token_groups(void **state)
{
    fx x;
    fx_init(&x, 1, "2024-01-01T00:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t2", 0, "2024-03-01T10:01:00Z", HOME, "https://www.bing.com/");
    fx_pv(&x, "t1", 0, "2024-03-01T10:00:00Z", HOME, "https://www.google.com/");
    fx_pv(&x, "t2", 0, "2024-03-01T10:02:00Z", HOME "x", HOME);
    fx_pv(&x, NULL, 1, "2024-03-01T10:00:30Z", HOME, NULL);
    sess r;
    build(state, &x, &r);
    assert_int_equal(r.n, 3);
    /* start order across groups */
    assert_string_equal(r.s[0].token, "t1");
    assert_null(r.s[1].token);
    assert_string_equal(r.s[2].token, "t2");
    assert_int_equal(r.s[2].n, 2);
    /* page views contiguous per session, in session order */
    assert_string_equal(r.p[r.s[2].first]->url, HOME);
    assert_string_equal(r.p[r.s[2].first + 1]->url, HOME "x");
    wf_arena_free(&r.a);
}

static void ties_ordered_by_id(void **state)
{
    fx x;
    fx_init(&x, 1, "2024-01-01T00:00:00Z", "IMPORT", "1");
    wf_pageview *b = fx_pv(&x, "t1", 0, "2024-03-01T10:00:00Z", HOME "b", HOME);
    wf_pageview *a =
        fx_pv(&x, "t1", 0, "2024-03-01T10:00:00Z", HOME "a", "https://www.google.com/");
    b->id = 20;
    a->id = 10;
    sess r;
    build(state, &x, &r);
    assert_int_equal(r.n, 1);
    /* the lower id is the entry page whatever the input order */
    assert_ptr_equal(r.p[0], a);
    assert_int_equal(r.s[0].cls.source, SRC_ORGANIC_SEARCH);
    wf_arena_free(&r.a);
}

static void site_from_settings(void **state)
{
    fx x;
    fx_init(&x, 1, "2024-01-01T00:00:00Z", "IMPORT", "1");
    fx_site(&x, "WWW.Shop.test");
    fx_pv(&x, "t1", 0, "2024-03-01T10:00:00Z", HOME, "https://blog.shop.test/");
    sess r;
    build(state, &x, &r);
    assert_int_equal(r.s[0].cls.rule, R_S12);
    wf_site site;
    assert_int_equal(wf_site_from_facts(*state, &x.f, r.a, &site), WF_OK);
    assert_false(site.derived);
    assert_int_equal(site.n, 1);
    assert_string_equal(site.domains[0], "shop.test");
    /* settings replace the landing pages: example.com is not internal now */
    assert_false(wf_site_is_internal(&site, "www.example.com"));
    wf_arena_free(&r.a);
}

static void site_derived_from_landing_pages(void **state)
{
    fx x;
    fx_init(&x, 1, "2024-01-01T00:00:00Z", "IMPORT", "1");
    fx_pv(&x, "t1", 0, "2024-03-01T10:00:00Z", "https://www.example.co.uk/", NULL);
    fx_pv(&x, "t1", 0, "2024-03-02T10:00:00Z", "https://www.example.co.uk/x",
          "https://app.example.co.uk/");
    sess r;
    build(state, &x, &r);
    wf_site site;
    assert_int_equal(wf_site_from_facts(*state, &x.f, r.a, &site), WF_OK);
    assert_true(site.derived);
    assert_int_equal(site.n, 1);
    assert_string_equal(site.domains[0], "example.co.uk");
    assert_int_equal(r.n, 2);
    assert_int_equal(r.s[1].cls.rule, R_S12);
    wf_arena_free(&r.a);
}

static void empty_input(void **state)
{
    wf_arena *a = wf_arena_new();
    wf_session *s = (wf_session *)1;
    size_t n = 7;
    assert_int_equal(wf_build_sessions(*state, NULL, 0, NULL, a, &s, &n), WF_OK);
    assert_null(s);
    assert_int_equal(n, 0);
    wf_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(idle_30_minutes_splits),
        cmocka_unit_test(new_source_splits),
        cmocka_unit_test(same_source_again_continues),
        cmocka_unit_test(internal_and_missing_referrers_continue),
        cmocka_unit_test(per_token_groups),
        cmocka_unit_test(ties_ordered_by_id),
        cmocka_unit_test(site_from_settings),
        cmocka_unit_test(site_derived_from_landing_pages),
        cmocka_unit_test(empty_input),
    };
    return cmocka_run_group_tests(t, fx_engine_setup, fx_engine_teardown);
}
