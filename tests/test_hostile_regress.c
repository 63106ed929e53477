/* Regression tests for what the fuzzers found (fuzz/README.md lists each
 * finding). Every case feeds the exact input that crashed or misbehaved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "import/import.h"
#include "store/store.h"

/* fuzz_time: wf_time_iso(9223372036854775759) overflowed a signed addition
 * in split() (UBSan). A crafted database can hold any int64 as a time. */
static void time_format_extreme_values(void **state)
{
    (void)state;
    const wf_ms v[] = {
        INT64_MAX, INT64_MAX - 48, INT64_MIN + 1, WF_TIME_MAX + 1, WF_TIME_MIN - 1, -1, 0};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char buf[WF_TIME_BUFSZ];
        wf_time_iso(v[i], buf);
        assert_true(strlen(buf) >= 20 && strlen(buf) < WF_TIME_BUFSZ);
        wf_ms back;
        /* whatever is shown is a valid time inside the accepted range */
        assert_int_equal(wf_time_parse(buf, &back), WF_OK);
        assert_true(back >= WF_TIME_MIN && back <= WF_TIME_MAX);
        wf_time_short(v[i], buf);
        assert_int_equal(strlen(buf), 16);
        wf_time_date(v[i], buf);
        assert_int_equal(strlen(buf), 10);
        wf_time_human(v[i], v[i] / 2, buf);
        assert_true(strlen(buf) > 0);
    }
}

static void time_out_of_range_clamps_to_bounds(void **state)
{
    (void)state;
    char buf[WF_TIME_BUFSZ];
    assert_string_equal(wf_time_iso(INT64_MAX, buf), "9999-12-31T23:59:59.999Z");
    assert_string_equal(wf_time_iso(INT64_MIN + 1, buf), "0001-01-01T00:00:00Z");
}

/* fuzz_import_v3: `explain --json` printed a name's U+009B (CSI) raw, since
 * JSON allows C1 controls unescaped; wf_text_json_safe escapes them. */
static void json_output_escapes_c1_and_bidi(void **state)
{
    (void)state;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name",
                            "\xc2\x9b"
                            "2J \xe2\x80\xae"
                            "evil \x7f \xc2\x85 ok \xc3\xa9");
    char *raw = cJSON_PrintUnformatted(j);
    wf_buf b = WF_BUF_INIT;
    wf_text_json_safe(&b, raw);
    const char *t = wf_buf_str(&b);
    assert_null(strstr(t, "\xc2\x9b"));
    assert_null(strstr(t, "\xe2\x80\xae"));
    assert_null(strchr(t, 0x7f));
    assert_non_null(strstr(t, "\\u009b2J"));
    assert_non_null(strstr(t, "\\u202e"));
    assert_non_null(strstr(t, "\xc3\xa9")); /* printable text is kept */
    /* the same JSON value */
    cJSON *back = cJSON_Parse(t);
    assert_non_null(back);
    assert_string_equal(cJSON_GetObjectItem(back, "name")->valuestring,
                        cJSON_GetObjectItem(j, "name")->valuestring);
    cJSON_Delete(back);
    cJSON_free(raw);
    cJSON_Delete(j);
    wf_buf_free(&b);
}

static void json_invalid_utf8_becomes_replacement(void **state)
{
    (void)state;
    wf_buf b = WF_BUF_INIT;
    wf_text_json_safe(&b, "{\"a\":\"x\x9by\xff\"}");
    assert_string_equal(wf_buf_str(&b), "{\"a\":\"x\\ufffdy\\ufffd\"}");
    wf_buf_free(&b);
}

/* Imports `text` (format fmt) into a new in-memory store; returns the status
 * and the error message in err. */
static wf_status import_text(const char *text, const char *fmt, char *err, size_t errsz,
                             int64_t *contacts)
{
    const char *base = getenv("TESTS_TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/regress-XXXXXX", base && *base ? base : "/tmp");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(":memory:", WF_STORE_CREATE, &s, err, errsz), WF_OK);
    FILE *devnull = fopen("/dev/null", "w");
    wf_import_opts o = {.format = fmt, .errors = devnull};
    wf_import_report rep;
    const char *paths[] = {path};
    err[0] = '\0';
    wf_status st = wf_import_files(s, paths, 1, &o, &rep, err, errsz);
    *contacts = wf_store_count_contacts(s);
    wf_store_close(&s);
    fclose(devnull);
    unlink(path);
    return st;
}

/* fuzz_import_ndjson: a link record whose "at" is bad made n_tokenlink
 * compare an uninitialised "via" pointer (SEGV). */
static void link_with_bad_time_is_refused_cleanly(void **state)
{
    (void)state;
    char err[1024];
    int64_t n = -1;
    wf_status st =
        import_text("{\"type\":\"contact\",\"id\":1,\"created_at\":\"2024-01-01T00:00:00Z\"}\n"
                    "{\"type\":\"link\",\"contact\":1,\"token\":\"t1\",\"at\":\"tact\"}\n",
                    "ndjson", err, sizeof err, &n);
    assert_int_equal(st, WF_E_DATA);
    assert_non_null(strstr(err, "at"));
    assert_int_equal(n, 0); /* all or nothing */
    st = import_text("{\"type\":\"link\",\"contact\":1,\"token\":\"t1\"}\n", "ndjson", err,
                     sizeof err, &n);
    assert_int_equal(st, WF_E_DATA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_format_extreme_values),
        cmocka_unit_test(time_out_of_range_clamps_to_bounds),
        cmocka_unit_test(json_output_escapes_c1_and_bidi),
        cmocka_unit_test(json_invalid_utf8_becomes_replacement),
        cmocka_unit_test(link_with_bad_time_is_refused_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
