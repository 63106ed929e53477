/* URL and query parsing: liburiparser plus the lenient fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "attrib/url.h"

static void full_url_parts(void **s)
{
    (void)s;
    wf_url u;
    wf_url_parse("HTTPS://WWW.Example.COM:8443/a/b?x=1&y=2#frag", &u);
    assert_true(u.ok);
    assert_false(u.lenient);
    assert_string_equal(u.scheme, "https");
    assert_string_equal(u.host, "www.example.com");
    assert_int_equal(u.port, 8443);
    assert_int_equal(u.path_len, 4);
    assert_memory_equal(u.path, "/a/b", 4);
    assert_int_equal(u.query_len, 7);
    assert_memory_equal(u.query, "x=1&y=2", 7);
    assert_string_equal(u.after_scheme, "WWW.Example.COM:8443/a/b?x=1&y=2#frag");
}

static void no_path_no_query(void **s)
{
    (void)s;
    wf_url u;
    wf_url_parse("https://example.org", &u);
    assert_true(u.ok);
    assert_string_equal(u.host, "example.org");
    assert_int_equal(u.port, -1);
    assert_null(u.query);
    assert_int_equal(u.path_len, 0);
}

static void ipv6_literal(void **s)
{
    (void)s;
    wf_url u;
    wf_url_parse("http://[2001:DB8::1]:8080/x", &u);
    assert_true(u.ok);
    assert_string_equal(u.host, "2001:db8::1");
    assert_int_equal(u.port, 8080);
}

static void app_referrer(void **s)
{
    (void)s;
    wf_url u;
    wf_url_parse("android-app://com.linkedin.android/", &u);
    assert_true(u.ok);
    assert_true(u.is_app);
    assert_string_equal(u.host, "com.linkedin.android");
}

static void idn_host_kept(void **s)
{
    (void)s;
    wf_url u;
    wf_url_parse("https://b\xc3\xbc\x63her.example/x y", &u);
    assert_true(u.ok);
    assert_true(u.lenient);
    assert_string_equal(u.host, "b\xc3\xbc\x63her.example");
}

static void lenient_spaces(void **s)
{
    (void)s;
    wf_url u;
    wf_url_parse("https://www.example.com/a page?q=two words", &u);
    assert_true(u.ok);
    assert_true(u.lenient);
    assert_string_equal(u.host, "www.example.com");
    assert_non_null(u.query);
    assert_memory_equal(u.query, "q=two words", 11);
}

static void no_scheme_domain(void **s)
{
    (void)s;
    wf_url u;
    wf_url_parse("www.google.com/search?q=x", &u);
    assert_true(u.ok);
    assert_string_equal(u.host, "www.google.com");
    assert_string_equal(u.scheme, "");
}

static void garbage_is_no_url(void **s)
{
    (void)s;
    const char *bad[] = {"",
                         "   ",
                         "not a url",
                         "https://",
                         "://",
                         "\x01\x02\x03",
                         "?",
                         "#",
                         "http://exa mple.com/",
                         "javascript:alert(1)"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        wf_url u;
        wf_url_parse(bad[i], &u);
        assert_false(u.ok);
    }
    wf_url u;
    wf_url_parse(NULL, &u);
    assert_false(u.ok);
}

static void trailing_dot_and_userinfo(void **s)
{
    (void)s;
    wf_url u;
    wf_url_parse("https://user:pw@Example.COM./x", &u);
    assert_true(u.ok);
    assert_string_equal(u.host, "example.com");
}

static void very_long_url(void **s)
{
    (void)s;
    static char big[20000];
    strcpy(big, "https://www.example.com/?utm_campaign=");
    size_t n = strlen(big);
    memset(big + n, 'a', sizeof big - n - 1);
    wf_url u;
    wf_url_parse(big, &u);
    assert_true(u.ok);
    wf_arena *a = wf_arena_new();
    wf_query q;
    wf_query_parse(u.query, u.query_len, NULL, a, &q);
    assert_non_null(q.utm_campaign);
    assert_int_equal(strlen(q.utm_campaign), sizeof big - n - 1);
    wf_arena_free(&a);
}

static void query_decoding(void **s)
{
    (void)s;
    wf_arena *a = wf_arena_new();
    wf_query q;
    const char *qs = "utm_campaign=Retargeting+-+Feed+ad&UTM_SOURCE=%46acebook&q=a%2Bb&gclid=&"
                     "gclid=G1&utm_medium=x&utm_medium=y";
    wf_query_parse(qs, strlen(qs), "q", a, &q);
    assert_string_equal(q.utm_campaign, "Retargeting - Feed ad");
    assert_string_equal(q.utm_source, "Facebook");
    assert_string_equal(q.search, "a+b");
    assert_string_equal(q.gclid, "G1");
    assert_string_equal(q.utm_medium, "x");
    assert_null(q.utm_term);
    assert_null(q.source);
    wf_arena_free(&a);
}

static void query_empty_and_bare_keys(void **s)
{
    (void)s;
    wf_arena *a = wf_arena_new();
    wf_query q;
    wf_query_parse("&&=&utm_source&utm_medium=+++", 28, NULL, a, &q);
    assert_null(q.utm_source);
    assert_null(q.utm_medium);
    wf_query_parse(NULL, 0, NULL, a, &q);
    assert_null(q.utm_source);
    wf_arena_free(&a);
}

static void decode_function(void **s)
{
    (void)s;
    wf_arena *a = wf_arena_new();
    assert_string_equal(wf_url_decode(a, "  Big%20Sale+Now%21 ", 20, 1), "big sale now!");
    assert_string_equal(wf_url_decode(a, "100%", 4, 0), "100%");
    assert_string_equal(wf_url_decode(a, "%zz%4", 5, 0), "%zz%4");
    wf_arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(full_url_parts),
        cmocka_unit_test(no_path_no_query),
        cmocka_unit_test(ipv6_literal),
        cmocka_unit_test(app_referrer),
        cmocka_unit_test(idn_host_kept),
        cmocka_unit_test(lenient_spaces),
        cmocka_unit_test(no_scheme_domain),
        cmocka_unit_test(garbage_is_no_url),
        cmocka_unit_test(trailing_dot_and_userinfo),
        cmocka_unit_test(very_long_url),
        cmocka_unit_test(query_decoding),
        cmocka_unit_test(query_empty_and_bare_keys),
        cmocka_unit_test(decode_function),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}
