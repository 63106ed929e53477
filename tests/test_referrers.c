/* The referrer tables: the shipped file through the real loader, the
 * memory loader with its error messages, and host lookup. */
#include "engine_fx.h"

#include "attrib/referrers.h"

static wf_reftable *load(const char *json, char *err, size_t errsz, wf_status *st)
{
    wf_reftable *t = NULL;
    *st = wf_reftable_load_buffer(json, strlen(json), "mem.json", &t, err, errsz);
    return t;
}

static void shipped_file_loads(void **state)
{
    const wf_reftable *t = wf_engine_table(*state);
    assert_non_null(t);
    assert_true(wf_reftable_count(t) >= 200);
    size_t kinds[6] = {0};
    for (size_t i = 0; i < wf_reftable_count(t); i++)
        kinds[wf_reftable_entry(t, i)->kind]++;
    for (int k = 0; k < 6; k++)
        assert_true(kinds[k] > 0);
}

static void shipped_file_by_path(void **state)
{
    (void)state;
    const char *dir = getenv("WHEREFROM_DATADIR");
    assert_non_null(dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/referrers.json", dir);
    char err[256];
    wf_reftable *t = NULL;
    assert_int_equal(wf_reftable_load_file(path, &t, err, sizeof err), WF_OK);
    assert_true(wf_reftable_count(t) >= 200);
    wf_reftable_free(&t);
    assert_null(t);
}

static void required_engines_present(void **state)
{
    const char *hosts[] = {"www.google.fr",  "www.bing.com",     "search.yahoo.com",
                           "duckduckgo.com", "www.baidu.com",    "yandex.ru",
                           "www.ecosia.org", "search.naver.com", "search.seznam.cz",
                           "www.qwant.com",  "search.brave.com", "www.startpage.com",
                           "www.ask.com",    "search.aol.com"};
    for (size_t i = 0; i < sizeof hosts / sizeof hosts[0]; i++) {
        const wf_ref_entry *e = wf_referrer_lookup(*state, hosts[i]);
        assert_non_null(e);
        assert_int_equal(e->kind, WF_REF_SEARCH);
        assert_non_null(e->param);
    }
}

static void required_social_and_ai_present(void **state)
{
    const char *social[] = {"l.facebook.com",
                            "lm.facebook.com",
                            "m.facebook.com",
                            "www.instagram.com",
                            "www.linkedin.com",
                            "lnkd.in",
                            "com.linkedin.android",
                            "twitter.com",
                            "t.co",
                            "x.com",
                            "www.youtube.com",
                            "www.reddit.com",
                            "www.pinterest.com",
                            "www.tiktok.com",
                            "www.quora.com",
                            "mastodon.social",
                            "bsky.app",
                            "www.threads.net"};
    for (size_t i = 0; i < sizeof social / sizeof social[0]; i++) {
        const wf_ref_entry *e = wf_referrer_lookup(*state, social[i]);
        assert_non_null(e);
        assert_int_equal(e->kind, WF_REF_SOCIAL);
    }
    const char *ai[] = {"chatgpt.com",       "chat.openai.com",   "claude.ai",
                        "gemini.google.com", "www.perplexity.ai", "copilot.microsoft.com"};
    for (size_t i = 0; i < sizeof ai / sizeof ai[0]; i++) {
        const wf_ref_entry *e = wf_referrer_lookup(*state, ai[i]);
        assert_non_null(e);
        assert_int_equal(e->kind, WF_REF_AI);
    }
}

static void most_specific_wins(void **state)
{
    assert_int_equal(wf_referrer_lookup(*state, "mail.google.com")->kind, WF_REF_MAIL);
    assert_int_equal(wf_referrer_lookup(*state, "mail.google.co.uk")->kind, WF_REF_MAIL);
    assert_int_equal(wf_referrer_lookup(*state, "maps.google.de")->kind, WF_REF_OTHER);
    assert_int_equal(wf_referrer_lookup(*state, "docs.google.com")->kind, WF_REF_OTHER);
    assert_int_equal(wf_referrer_lookup(*state, "www.google.com")->kind, WF_REF_SEARCH);
    assert_int_equal(wf_referrer_lookup(*state, "gemini.google.com")->kind, WF_REF_AI);
}

static void google_any_public_suffix(void **state)
{
    const char *h[] = {"google.de", "www.google.co.uk", "www.google.com.br", "google.co.jp",
                       "www.google.com.ng"};
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++) {
        const wf_ref_entry *e = wf_referrer_lookup(*state, h[i]);
        assert_non_null(e);
        assert_string_equal(e->name, "google");
    }
    assert_null(wf_referrer_lookup(*state, "google.example.com"));
    assert_null(wf_referrer_lookup(*state, "notgoogle.com"));
}

static void parent_domains(void **state)
{
    assert_string_equal(wf_referrer_lookup(*state, "a.b.l.facebook.com")->name, "Facebook");
    assert_string_equal(wf_referrer_lookup(*state, "uk.search.yahoo.com")->name, "yahoo");
    assert_null(wf_referrer_lookup(*state, "facebook.com.evil.org"));
    assert_null(wf_referrer_lookup(*state, ""));
    assert_null(wf_referrer_lookup(*state, NULL));
    assert_null(wf_referrer_lookup(*state, "192.168.0.1"));
}

static void network_aliases(void **state)
{
    const wf_reftable *t = wf_engine_table(*state);
    assert_string_equal(wf_reftable_network(t, "FB")->name, "Facebook");
    assert_string_equal(wf_reftable_network(t, "facebook")->name, "Facebook");
    assert_string_equal(wf_reftable_network(t, "LinkedIn")->name, "LinkedIn");
    assert_string_equal(wf_reftable_network(t, "x")->name, "Twitter");
    assert_string_equal(wf_reftable_network(t, "twitter")->name, "Twitter");
    assert_string_equal(wf_reftable_network(t, "youtube")->name, "YouTube");
    assert_null(wf_reftable_network(t, "google"));
    assert_null(wf_reftable_network(t, "partner"));
    assert_null(wf_reftable_network(t, NULL));
}

static void buffer_loader_ok(void **state)
{
    (void)state;
    char err[256] = "";
    wf_status st;
    wf_reftable *t = load("{\"entries\":[{\"kind\":\"search\",\"name\":\"s\",\"param\":\"q\","
                          "\"hosts\":[\"s.test\",\"s.*\"]},{\"kind\":\"social\",\"name\":\"N\","
                          "\"host\":\"n.test\",\"aliases\":[\"nn\"]}]}",
                          err, sizeof err, &st);
    assert_int_equal(st, WF_OK);
    assert_int_equal(wf_reftable_count(t), 3);
    assert_non_null(wf_reftable_find(t, "s.test", 6, 0));
    assert_non_null(wf_reftable_find(t, "s", 1, 1));
    assert_null(wf_reftable_find(t, "s", 1, 0));
    assert_string_equal(wf_reftable_network(t, "NN")->name, "N");
    assert_string_equal(wf_reftable_network(t, "n")->name, "N");
    wf_reftable_free(&t);
}

static void expect_error(const char *json, const char *fragment)
{
    char err[256] = "";
    wf_status st;
    wf_reftable *t = load(json, err, sizeof err, &st);
    assert_null(t);
    assert_int_equal(st, WF_E_DATA);
    assert_non_null(strstr(err, "mem.json"));
    if (!strstr(err, fragment)) fail_msg("error '%s' lacks '%s'", err, fragment);
}

static void buffer_loader_errors(void **state)
{
    (void)state;
    expect_error("{", "not valid JSON");
    expect_error("{\"x\":1}", "no \"entries\"");
    expect_error("{\"entries\":[{\"kind\":\"nope\",\"name\":\"a\",\"host\":\"a.b\"}]}",
                 "entry 1: field \"kind\"");
    expect_error("{\"entries\":[{\"kind\":\"mail\",\"name\":\"a\",\"host\":\"a.b\"},"
                 "{\"kind\":\"mail\",\"host\":\"a.b\"}]}",
                 "entry 2: field \"name\"");
    expect_error("{\"entries\":[{\"kind\":\"search\",\"name\":\"a\",\"host\":\"a.b\"}]}",
                 "needs field \"param\"");
    expect_error("{\"entries\":[{\"kind\":\"mail\",\"name\":\"a\"}]}", "no \"host\"");
    expect_error("{\"entries\":[{\"kind\":\"mail\",\"name\":\"a\",\"host\":\"A B\"}]}",
                 "not a lower-case host name");
    expect_error("{\"entries\":[{\"kind\":\"mail\",\"name\":\"a\",\"hosts\":[1]}]}", "non-string");
    expect_error("{\"entries\":[7]}", "not an object");
}

static void missing_file_named(void **state)
{
    (void)state;
    char err[256] = "";
    wf_reftable *t = NULL;
    assert_int_equal(wf_reftable_load_file("/nonexistent/ref.json", &t, err, sizeof err),
                     WF_E_NOINPUT);
    assert_non_null(strstr(err, "/nonexistent/ref.json"));
    wf_engine *e = NULL;
    assert_int_equal(wf_engine_new("/nonexistent/ref.json", &e, err, sizeof err), WF_E_NOINPUT);
    assert_null(e);
}

static void registrable_domains(void **state)
{
    char out[256];
    assert_string_equal(wf_engine_registrable(*state, "www.example.co.uk", out, sizeof out),
                        "example.co.uk");
    assert_string_equal(wf_engine_registrable(*state, "app.example.com", out, sizeof out),
                        "example.com");
    assert_string_equal(wf_engine_public_suffix(*state, "www.google.com.br"), "com.br");
    assert_int_equal(wf_engine_rulebook(*state), WF_RULEBOOK_VERSION);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(shipped_file_loads),
        cmocka_unit_test(shipped_file_by_path),
        cmocka_unit_test(required_engines_present),
        cmocka_unit_test(required_social_and_ai_present),
        cmocka_unit_test(most_specific_wins),
        cmocka_unit_test(google_any_public_suffix),
        cmocka_unit_test(parent_domains),
        cmocka_unit_test(network_aliases),
        cmocka_unit_test(buffer_loader_ok),
        cmocka_unit_test(buffer_loader_errors),
        cmocka_unit_test(missing_file_named),
        cmocka_unit_test(registrable_domains),
    };
    return cmocka_run_group_tests(t, fx_engine_setup, fx_engine_teardown);
}
