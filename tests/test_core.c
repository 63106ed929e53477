/* Foundation tests for src/core: vocabularies, status codes, time parsing
 * and formatting, wf_buf, the arena, and text escaping and widths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/paths.h"
#include "core/status.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/vocab.h"
#include "core/vocab.h" /* twice on purpose: the include guard must cover every table */

/* ---- vocabularies ------------------------------------------------------- */

static void source_table_round_trips(void **state)
{
    (void)state;
    int n = 0;
#define WF_X(e, v, l)                                                                              \
    assert_int_equal(wf_source_from_name(v), e);                                                   \
    assert_string_equal(wf_source_name(e), v);                                                     \
    assert_string_equal(wf_source_label(e), l);                                                    \
    assert_true(strlen(l) > 0);                                                                    \
    n++;
    WF_SOURCE_TABLE(WF_X)
#undef WF_X
    assert_int_equal(n, SRC_COUNT);
    assert_int_equal(SRC_COUNT, 10); /* the ten values of ATTRIBUTION.md §2 */
}

static void source_unknown_kept_verbatim(void **state)
{
    (void)state;
    assert_int_equal(wf_source_from_name("IMPORTED"), SRC_UNKNOWN);
    assert_null(wf_source_name(SRC_UNKNOWN));
    assert_string_equal(wf_source_label_of("IMPORTED"), "IMPORTED");
    /* values are HubSpot's upper-case identifiers: matched exactly */
    assert_int_equal(wf_source_from_name("organic_search"), SRC_UNKNOWN);
    assert_int_equal(wf_source_from_name("ORGANIC_SEARCH "), SRC_UNKNOWN);
}

static void source_empty_is_not_computed(void **state)
{
    (void)state;
    assert_int_equal(wf_source_from_name(NULL), SRC_NONE);
    assert_int_equal(wf_source_from_name(""), SRC_NONE);
    assert_null(wf_source_name(SRC_NONE));
    assert_string_equal(wf_source_label_of(""), "(not computed)");
    assert_string_equal(wf_source_label_of(NULL), "(not computed)");
    assert_string_equal(wf_source_label_of("OFFLINE"), "Offline sources");
    assert_string_equal(wf_source_label_of("AI_REFERRALS"), "AI referrals");
}

static void channel_table_round_trips(void **state)
{
    (void)state;
    int n = 0;
#define WF_X(e, c, d)                                                                              \
    assert_int_equal(wf_channel_from_code(c), e);                                                  \
    assert_string_equal(wf_channel_code(e), c);                                                    \
    assert_string_equal(wf_channel_description(e), d);                                             \
    n++;
    WF_CHANNEL_TABLE(WF_X)
#undef WF_X
    assert_int_equal(n, CH_COUNT);
}

/* Every channel ATTRIBUTION.md §3 names must be known and described. */
static void channel_every_documented_code_described(void **state)
{
    (void)state;
    static const char *const codes[] = {
        "API",           "FORM",           "SALESFORCE",        "CONTACTS",
        "CRM_UI",        "ANALYTICS",      "INTEGRATION",       "IMPORT",
        "SALES",         "PRESENTATIONS",  "EXTENSION",         "CONVERSATIONS",
        "BOT",           "BATCH_UPDATE",   "BCC_TO_CRM",        "CONTACTS_WEB",
        "MOBILE_IOS",    "MOBILE_ANDROID", "EMAIL_INTEGRATION", "SIDEKICK",
        "FORWARD_TO_CRM"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        wf_channel c = wf_channel_from_code(codes[i]);
        assert_true(c >= 0 && c < CH_COUNT);
        const char *d = wf_channel_description(c);
        assert_non_null(d);
        assert_true(strlen(d) > 10);
        assert_string_not_equal(d, "unrecognised channel");
    }
}

static void channel_unknown_and_missing(void **state)
{
    (void)state;
    assert_int_equal(wf_channel_from_code("MEETINGS"), CH_UNKNOWN);
    assert_string_equal(wf_channel_description(CH_UNKNOWN), "unrecognised channel");
    assert_null(wf_channel_code(CH_UNKNOWN));
    assert_int_equal(wf_channel_from_code(""), CH_NONE);
    assert_int_equal(wf_channel_from_code(NULL), CH_NONE);
    assert_true(strlen(wf_channel_description(CH_NONE)) > 0);
    assert_int_equal(wf_channel_from_code("api"), CH_UNKNOWN); /* codes are exact */
}

static void channel_filtered_form_described(void **state)
{
    (void)state;
    /* the offline FORM channel is the filtered-IP case, and says so */
    assert_non_null(strstr(wf_channel_description(CH_FORM), "filtered"));
    assert_non_null(strstr(wf_channel_description(CH_IMPORT), "import"));
}

static void sourcetype_table_round_trips(void **state)
{
    (void)state;
    static const char *const classes[] = {"computed", "data-load", "manual-edit", "merge", "other"};
    int n = 0;
#define WF_X(e, c, k)                                                                              \
    assert_int_equal(wf_sourcetype_from_code(c), e);                                               \
    assert_string_equal(wf_sourcetype_code(e), c);                                                 \
    assert_string_equal(wf_sourcetype_class(e), k);                                                \
    n++;
    WF_SOURCETYPE_TABLE(WF_X)
#undef WF_X
    assert_int_equal(n, ST_COUNT);
    for (int t = 0; t < ST_COUNT; t++) {
        int ok = 0;
        for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
            ok |= strcmp(wf_sourcetype_class((wf_sourcetype)t), classes[i]) == 0;
        assert_true(ok);
    }
}

static void sourcetype_classes_follow_the_rulebook(void **state)
{
    (void)state;
    /* C08's data loads */
    static const char *const loads[] = {"IMPORT",       "API",        "INTEGRATION",
                                        "BATCH_UPDATE", "SALESFORCE", "AUTOMATION_PLATFORM"};
    for (size_t i = 0; i < sizeof loads / sizeof loads[0]; i++)
        assert_string_equal(wf_sourcetype_class(wf_sourcetype_from_code(loads[i])), "data-load");
    assert_string_equal(wf_sourcetype_class(wf_sourcetype_from_code("CRM_UI")), "manual-edit");
    assert_string_equal(wf_sourcetype_class(wf_sourcetype_from_code("ANALYTICS")), "computed");
    assert_string_equal(wf_sourcetype_class(wf_sourcetype_from_code("MERGE_OBJECTS")), "merge");
    assert_string_equal(wf_sourcetype_class(wf_sourcetype_from_code("MERGE_CONTACTS")), "merge");
}

static void sourcetype_unknown_kept(void **state)
{
    (void)state;
    assert_int_equal(wf_sourcetype_from_code("SOMETHING_NEW"), ST_UNKNOWN);
    assert_string_equal(wf_sourcetype_class(ST_UNKNOWN), "other");
    assert_null(wf_sourcetype_code(ST_UNKNOWN));
    assert_int_equal(wf_sourcetype_from_code(""), ST_NONE);
    assert_int_equal(wf_sourcetype_from_code(NULL), ST_NONE);
}

static void rule_table_round_trips(void **state)
{
    (void)state;
    int n = 0;
#define WF_X(e, id, nm, t, d)                                                                      \
    assert_int_equal(wf_rule_from_id(id), e);                                                      \
    assert_string_equal(wf_rule_id(e), id);                                                        \
    assert_string_equal(wf_rule_name(e), nm);                                                      \
    assert_string_equal(wf_rule_tag(e), t);                                                        \
    assert_string_equal(wf_rule_statement(e), d);                                                  \
    assert_true(strlen(d) > 0 && strlen(nm) > 0);                                                  \
    n++;
    WF_RULE_TABLE(WF_X)
#undef WF_X
    assert_int_equal(n, R_COUNT);
}

static void rule_ids_of_the_rulebook(void **state)
{
    (void)state;
    static const char *const ids[] = {
        "S01",  "S02",  "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11", "S12", "S13",
        "S14a", "S14b", "C01", "C02", "C03", "C04", "C05", "C06", "C07", "C08", "C09", "C10"};
    assert_int_equal(sizeof ids / sizeof ids[0], R_COUNT);
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        wf_rule r = wf_rule_from_id(ids[i]);
        assert_int_equal(r, (wf_rule)i); /* table order is rulebook order */
        const char *t = wf_rule_tag(r);
        assert_true(!strcmp(t, "doc") || !strcmp(t, "data") || !strcmp(t, "ours"));
    }
}

static void rule_lookup_case_and_unknown(void **state)
{
    (void)state;
    assert_int_equal(wf_rule_from_id("s14A"), R_S14A);
    assert_int_equal(wf_rule_from_id("c04"), R_C04);
    assert_int_equal(wf_rule_from_id("S14"), R_NONE);
    assert_int_equal(wf_rule_from_id("S15"), R_NONE);
    assert_int_equal(wf_rule_from_id(""), R_NONE);
    assert_int_equal(wf_rule_from_id(NULL), R_NONE);
    assert_string_equal(wf_rule_id(R_NONE), "");
    assert_string_equal(wf_rule_tag(R_COUNT), "");
}

static void rule_assumed_are_ours(void **state)
{
    (void)state;
    /* ATTRIBUTION.md tags S13, C07 and C08 as our own decisions */
    assert_true(wf_rule_is_assumed(R_S13));
    assert_true(wf_rule_is_assumed(R_C07));
    assert_true(wf_rule_is_assumed(R_C08));
    assert_false(wf_rule_is_assumed(R_S11));
    assert_false(wf_rule_is_assumed(R_C04));
    assert_false(wf_rule_is_assumed(R_NONE));
    for (int r = 0; r < R_COUNT; r++)
        assert_int_equal(wf_rule_is_assumed((wf_rule)r),
                         strcmp(wf_rule_tag((wf_rule)r), "ours") == 0);
}

static void flag_names_round_trip(void **state)
{
    (void)state;
    static const char *const json[] = {"stored-differs",  "unexplained-change", "api-race",
                                       "data-load-value", "merge-primary-kept", "manual-edit",
                                       "override-drift",  "unknown-value"};
    for (size_t i = 0; i < sizeof json / sizeof json[0]; i++) {
        unsigned f = wf_flag_from_name(json[i]);
        assert_int_not_equal(f, 0);
        assert_true(f & WF_FLAG_JSON_MASK);
        assert_string_equal(wf_flag_name(f), json[i]);
    }
    assert_false(wf_flag_from_name("merged") & WF_FLAG_JSON_MASK);
    assert_int_equal(wf_flag_from_name("nope"), 0);
    assert_int_equal(wf_flag_from_name(NULL), 0);
    assert_null(wf_flag_name(0));
    assert_null(wf_flag_name(F_STORED_DIFFERS | F_API_RACE)); /* one flag at a time */
}

static void status_table(void **state)
{
    (void)state;
    assert_string_equal(wf_status_name(WF_OK), "WF_OK");
    assert_int_equal(wf_status_exit_code(WF_OK), 0);
    assert_int_equal(wf_status_exit_code(WF_E_USAGE), 2);
    assert_int_equal(wf_status_exit_code(WF_E_DATA), 65);
    assert_int_equal(wf_status_exit_code(WF_E_NOINPUT), 66);
    assert_int_equal(wf_status_exit_code(WF_E_IO), 74);
    assert_int_equal(wf_status_exit_code(WF_E_BUSY), 75);
    assert_int_equal(wf_status_exit_code(WF_E_READONLY), 77);
    assert_int_equal(wf_status_exit_code(WF_E_FINDINGS), 1);
    for (int s = 0; s < WF_STATUS_COUNT; s++) {
        assert_true(strlen(wf_status_message((wf_status)s)) > 0);
        assert_true(strncmp(wf_status_name((wf_status)s), "WF_", 3) == 0);
        if (s != WF_OK) assert_int_not_equal(wf_status_exit_code((wf_status)s), 0);
    }
    assert_string_equal(wf_status_message(WF_STATUS_COUNT), "unknown status");
    assert_int_equal(wf_status_exit_code((wf_status)-1), 70);
}

/* ---- time --------------------------------------------------------------- */

static wf_ms parse_ok(const char *s)
{
    wf_ms t = 12345;
    assert_int_equal(wf_time_parse(s, &t), WF_OK);
    return t;
}

static void parse_bad(const char *s)
{
    wf_ms t = 777;
    assert_int_equal(wf_time_parse(s, &t), WF_E_DATA);
    assert_int_equal(t, 777); /* untouched on failure */
}

static void time_epoch_ms(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1710237600000"), 1710237600000LL);
    assert_int_equal(parse_ok(" 1710237600000\n"), 1710237600000LL);
    assert_int_equal(parse_ok("0"), 0);
    assert_int_equal(parse_ok("-1000"), -1000);
    assert_int_equal(parse_ok("+42"), 42);
    assert_int_equal(parse_ok("-2203891200000"), -2203891200000LL); /* 1900-03-01 */
}

static void time_epoch_limits(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("253402300799999"), WF_TIME_MAX);
    assert_int_equal(parse_ok("-62135596800000"), WF_TIME_MIN);
    parse_bad("253402300800000");
    parse_bad("-62135596800001");
    parse_bad("99999999999999999999999");
}

static void time_iso_forms(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-03-12T10:00:00Z"), 1710237600000LL);
    assert_int_equal(parse_ok("2024-03-12t10:00:00z"), 1710237600000LL);
    assert_int_equal(parse_ok("2024-03-12 10:00:00"), 1710237600000LL);
    assert_int_equal(parse_ok("2024-03-12T10:00Z"), 1710237600000LL);
    assert_int_equal(parse_ok("2024-03-12"), 1710201600000LL);
    assert_int_equal(parse_ok("2024-03-12T10:00:00.123Z"), 1710237600123LL);
    assert_int_equal(parse_ok("2024-03-12T10:00:00.5Z"), 1710237600500LL);
    assert_int_equal(parse_ok("2024-03-12T10:00:00,25Z"), 1710237600250LL);
    /* digits beyond milliseconds are dropped, not rounded */
    assert_int_equal(parse_ok("2024-03-12T10:00:00.123999Z"), 1710237600123LL);
}

static void time_iso_offsets(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-03-12T12:00:00+02:00"), 1710237600000LL);
    assert_int_equal(parse_ok("2024-03-12T12:00:00+0200"), 1710237600000LL);
    assert_int_equal(parse_ok("2024-03-12T12:00:00+02"), 1710237600000LL);
    assert_int_equal(parse_ok("2024-03-12T04:30:00-05:30"), 1710237600000LL);
    assert_int_equal(parse_ok("2024-03-12T10:00:00.000+00:00"), 1710237600000LL);
    /* an offset can move the date across midnight and a year boundary */
    assert_int_equal(parse_ok("2024-01-01T01:00:00+02:00"), parse_ok("2023-12-31T23:00:00Z"));
}

static void time_leap_years(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), 951782400000LL);
    assert_int_equal(parse_ok("2024-02-29T23:59:59Z"), 1709251199000LL);
    parse_bad("2023-02-29");
    parse_bad("1900-02-29"); /* divisible by 100, not by 400 */
    parse_bad("2100-02-29");
    assert_int_equal(parse_ok("2024-03-01") - parse_ok("2024-02-28"), 2 * 86400000LL);
    assert_int_equal(parse_ok("2023-03-01") - parse_ok("2023-02-28"), 86400000LL);
}

static void time_iso_limits(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("0001-01-01T00:00:00Z"), WF_TIME_MIN);
    assert_int_equal(parse_ok("9999-12-31T23:59:59.999Z"), WF_TIME_MAX);
    parse_bad("0000-12-31");
    parse_bad("9999-12-31T23:59:59.999-00:01"); /* past the end once shifted */
    parse_bad("0001-01-01T00:00:00+00:01");
    parse_bad("10000-01-01");
}

static void time_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "   ",
                                      "abc",
                                      "2024-13-01",
                                      "2024-00-10",
                                      "2024-04-31",
                                      "2024-03-00",
                                      "2024-3-12",
                                      "2024-03-12T24:00:00Z",
                                      "2024-03-12T10:60Z",
                                      "2024-03-12T10:00:61Z",
                                      "2024-03-12T10:00:00Q",
                                      "2024-03-12T10:00:00+25:00",
                                      "2024-03-12T10:00:00+02:60",
                                      "2024-03-12T10",
                                      "2024-03-12T10:00:00.Z",
                                      "1e5",
                                      "12.5",
                                      "+",
                                      "-",
                                      "--1",
                                      "0x10",
                                      "2024-03-12Tfoo",
                                      "2024-03-12X",
                                      "2024-03-12T10:00:00+02:",
                                      "2024-03-12T10:00:00+2",
                                      "2024-03-12T10:00:00+02:0"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        parse_bad(bad[i]);
    wf_ms t;
    assert_int_equal(wf_time_parse(NULL, &t), WF_E_DATA);
    char big[200];
    memset(big, '1', sizeof big - 1);
    big[sizeof big - 1] = 0;
    parse_bad(big);
}

static void time_days_from_civil(void **state)
{
    (void)state;
    assert_int_equal(wf_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(wf_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(wf_days_from_civil(2000, 3, 1) - wf_days_from_civil(2000, 2, 28), 2);
    assert_int_equal(wf_days_from_civil(2001, 1, 1) - wf_days_from_civil(2000, 1, 1), 366);
}

static void time_format_iso(void **state)
{
    (void)state;
    char b[WF_TIME_BUFSZ];
    assert_string_equal(wf_time_iso(1710237600000LL, b), "2024-03-12T10:00:00Z");
    assert_string_equal(wf_time_iso(1710237600123LL, b), "2024-03-12T10:00:00.123Z");
    assert_string_equal(wf_time_iso(-1, b), "1969-12-31T23:59:59.999Z");
    assert_string_equal(wf_time_iso(0, b), "1970-01-01T00:00:00Z");
    assert_string_equal(wf_time_iso(WF_TIME_MIN, b), "0001-01-01T00:00:00Z");
    assert_string_equal(wf_time_iso(WF_TIME_MAX, b), "9999-12-31T23:59:59.999Z");
    assert_string_equal(wf_time_iso(WF_TIME_NONE, b), "");
}

static void time_round_trip(void **state)
{
    (void)state;
    char b[WF_TIME_BUFSZ];
    /* a spread of instants, negative ones and leap days included */
    for (wf_ms t = WF_TIME_MIN; t < WF_TIME_MAX - 7777777777777LL; t += 7777777777777LL) {
        wf_ms back = 0;
        assert_int_equal(wf_time_parse(wf_time_iso(t, b), &back), WF_OK);
        assert_int_equal(back, t);
    }
    wf_ms back = 0;
    assert_int_equal(wf_time_parse(wf_time_iso(951782400001LL, b), &back), WF_OK);
    assert_int_equal(back, 951782400001LL);
}

static void time_format_short_date_human(void **state)
{
    (void)state;
    char b[WF_TIME_BUFSZ];
    wf_ms t = 1710237600000LL; /* 2024-03-12T10:00:00Z */
    assert_string_equal(wf_time_short(t, b), "2024-03-12 10:00");
    assert_string_equal(wf_time_date(t, b), "2024-03-12");
    assert_string_equal(wf_time_human(t, 1726669800000LL, b), "12 Mar");
    assert_string_equal(wf_time_human(t, 1672531200000LL, b), "12 Mar 2024");
    assert_string_equal(wf_time_human(t, WF_TIME_NONE, b), "12 Mar 2024");
    assert_string_equal(wf_time_short(WF_TIME_NONE, b), "");
    assert_string_equal(wf_time_date(WF_TIME_NONE, b), "");
    assert_string_equal(wf_time_human(WF_TIME_NONE, t, b), "");
    assert_string_equal(wf_time_date(-1, b), "1969-12-31");
}

/* ---- wf_buf ------------------------------------------------------------- */

static void buf_empty(void **state)
{
    (void)state;
    wf_buf b = WF_BUF_INIT;
    assert_string_equal(wf_buf_str(&b), "");
    assert_int_equal(b.len, 0);
    char *s = wf_buf_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
    wf_buf_free(&b);
}

static void buf_appends_and_grows(void **state)
{
    (void)state;
    wf_buf b = WF_BUF_INIT;
    assert_int_equal(wf_buf_puts(&b, "abc"), WF_OK);
    assert_int_equal(wf_buf_putc(&b, '-'), WF_OK);
    assert_int_equal(wf_buf_add(&b, "xyz", 2), WF_OK);
    assert_int_equal(wf_buf_puts(&b, NULL), WF_OK);
    assert_string_equal(wf_buf_str(&b), "abc-xy");
    assert_int_equal(b.len, 6);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(wf_buf_puts(&b, "0123456789"), WF_OK);
    assert_int_equal(b.len, 10006);
    assert_true(b.cap > b.len);
    assert_int_equal(b.p[b.len], 0);
    assert_memory_equal(b.p + 9996, "0123456789", 10);
    wf_buf_free(&b);
    assert_null(b.p);
}

static void buf_printf(void **state)
{
    (void)state;
    wf_buf b = WF_BUF_INIT;
    assert_int_equal(wf_buf_printf(&b, "%s=%d", "n", 42), WF_OK);
    assert_int_equal(wf_buf_printf(&b, " %05.1f", 3.14159), WF_OK);
    assert_string_equal(wf_buf_str(&b), "n=42 003.1");
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = 0;
    assert_int_equal(wf_buf_printf(&b, "[%s]", big), WF_OK);
    assert_int_equal(b.len, 10 + 2 + 4999);
    assert_int_equal(b.p[b.len - 1], ']');
    wf_buf_free(&b);
}

static void buf_clear_keeps_allocation(void **state)
{
    (void)state;
    wf_buf b = WF_BUF_INIT;
    wf_buf_puts(&b, "hello");
    char *p = b.p;
    size_t cap = b.cap;
    wf_buf_clear(&b);
    assert_string_equal(wf_buf_str(&b), "");
    assert_ptr_equal(b.p, p);
    assert_int_equal(b.cap, cap);
    wf_buf_puts(&b, "again");
    assert_string_equal(wf_buf_str(&b), "again");
    wf_buf_free(&b);
}

static void buf_take_resets(void **state)
{
    (void)state;
    wf_buf b = WF_BUF_INIT;
    wf_buf_puts(&b, "owned");
    char *s = wf_buf_take(&b);
    assert_string_equal(s, "owned");
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    wf_buf_puts(&b, "new");
    assert_string_equal(wf_buf_str(&b), "new");
    free(s);
    wf_buf_free(&b);
}

static void buf_huge_reserve_fails_cleanly(void **state)
{
    (void)state;
    wf_buf b = WF_BUF_INIT;
    wf_buf_puts(&b, "keep");
    assert_int_equal(wf_buf_reserve(&b, (size_t)-1), WF_E_NOMEM);
    assert_true(b.failed);
    /* the failure sticks: later writes are refused, contents stay valid */
    assert_int_equal(wf_buf_puts(&b, "more"), WF_E_NOMEM);
    assert_string_equal(wf_buf_str(&b), "keep");
    wf_buf_free(&b);
    assert_false(b.failed);
}

/* ---- arena -------------------------------------------------------------- */

static void arena_zeroed_and_aligned(void **state)
{
    (void)state;
    wf_arena *a = wf_arena_new();
    assert_non_null(a);
    for (size_t n = 1; n < 100; n += 7) {
        unsigned char *p = wf_arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xab, n);
    }
    assert_non_null(wf_arena_alloc(a, 0));
    wf_arena_free(&a);
    assert_null(a);
    wf_arena_free(&a); /* freeing twice through the cleared pointer is harmless */
}

static void arena_many_chunks_keep_contents(void **state)
{
    (void)state;
    wf_arena *a = wf_arena_new();
    enum { N = 1000 };
    char **ptrs = calloc(N, sizeof *ptrs);
    assert_non_null(ptrs);
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 5 == 0 ? 70000 + i : 40 + i % 50); /* big blocks too */
        ptrs[i] = wf_arena_alloc(a, n);
        assert_non_null(ptrs[i]);
        memset(ptrs[i], i & 0x7f, n);
    }
    for (int i = 0; i < N; i++) {
        size_t n = (size_t)(i % 5 == 0 ? 70000 + i : 40 + i % 50);
        assert_int_equal(ptrs[i][0], i & 0x7f);
        assert_int_equal(ptrs[i][n - 1], i & 0x7f);
    }
    free(ptrs);
    wf_arena_free(&a);
}

static void arena_strings(void **state)
{
    (void)state;
    wf_arena *a = wf_arena_new();
    assert_null(wf_arena_strdup(a, NULL));
    assert_null(wf_arena_strndup(a, NULL, 3));
    assert_string_equal(wf_arena_strdup(a, "山田 太郎"), "山田 太郎");
    assert_string_equal(wf_arena_strndup(a, "abcdef", 3), "abc");
    assert_string_equal(wf_arena_strdup(a, ""), "");
    wf_arena_free(&a);
}

static void arena_huge_request_fails(void **state)
{
    (void)state;
    wf_arena *a = wf_arena_new();
    assert_null(wf_arena_alloc(a, (size_t)-1));
    assert_null(wf_arena_alloc(a, (size_t)-1 - 8));
    assert_non_null(wf_arena_alloc(a, 32)); /* still usable */
    wf_arena_free(&a);
}

/* ---- text escaping ------------------------------------------------------ */

static void expect_escape(const char *in, const char *want)
{
    wf_buf b = WF_BUF_INIT;
    wf_text_escape(&b, in);
    assert_string_equal(wf_buf_str(&b), want);
    assert_true(wf_text_is_safe(wf_buf_str(&b)));
    wf_buf_free(&b);
}

static void escape_csi_and_osc(void **state)
{
    (void)state;
    expect_escape("a\x1b[31mred\x1b[0m", "a\\e[31mred\\e[0m");
    expect_escape("\x1b]0;pwned\x07 Eve", "\\e]0;pwned\\x07 Eve");
    expect_escape("\x1b]8;;http://x\x1b\\link", "\\e]8;;http://x\\e\\link");
    assert_false(wf_text_is_safe("\x1b[2J"));
}

static void escape_c0_and_del(void **state)
{
    (void)state;
    expect_escape("l1\nl2\tx\ry", "l1\\nl2\\tx\\ry");
    expect_escape("\x01\x7f", "\\x01\\x7F");
    wf_buf b = WF_BUF_INIT;
    wf_text_escape_n(&b, "a\0b", 3);
    assert_string_equal(wf_buf_str(&b), "a\\x00b");
    wf_buf_free(&b);
}

static void escape_c1_controls(void **state)
{
    (void)state;
    expect_escape("x\xc2\x9b"
                  "31m",
                  "x\\u009B31m"); /* U+009B is an 8-bit CSI */
    expect_escape("\xc2\x85", "\\u0085");
    expect_escape("\xc2\xa0", "\xc2\xa0"); /* U+00A0 is printable */
}

static void escape_bidi_overrides(void **state)
{
    (void)state;
    expect_escape("\xe2\x80\xae"
                  "evil",
                  "\\u202Eevil");
    expect_escape("\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069");
    expect_escape("\xe2\x80\x8f", "\\u200F");
    expect_escape("\xd8\x9c", "\\u061C");
}

static void escape_invalid_utf8(void **state)
{
    (void)state;
    expect_escape("a\xff"
                  "b",
                  "a\\xFFb");
    expect_escape("\xc0\xaf", "\\xC0\\xAF");                   /* overlong '/' */
    expect_escape("\xed\xa0\x80", "\\xED\\xA0\\x80");          /* a surrogate */
    expect_escape("\xe6\x97", "\\xE6\\x97");                   /* truncated */
    expect_escape("\xf4\x90\x80\x80", "\\xF4\\x90\\x80\\x80"); /* > U+10FFFF */
}

static void escape_keeps_printable(void **state)
{
    (void)state;
    const char *s = "Chloé Begoña Jürgen 山田 太郎 e\xcc\x81 \\ back";
    expect_escape(s, s);
    assert_true(wf_text_is_safe(s));
    expect_escape(NULL, "");
    assert_true(wf_text_is_safe(NULL));
    assert_true(wf_text_is_safe(""));
    wf_buf b = WF_BUF_INIT;
    wf_text_escape(&b, "");
    assert_non_null(b.p); /* always a string, even when empty */
    wf_buf_free(&b);
}

static void utf8_decode(void **state)
{
    (void)state;
    unsigned cp = 0;
    assert_int_equal(wf_utf8_decode("A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(wf_utf8_decode("\xc3\xa9", 2, &cp), 2);
    assert_int_equal(cp, 0xe9);
    assert_int_equal(wf_utf8_decode("\xe5\xb1\xb1", 3, &cp), 3);
    assert_int_equal(cp, 0x5c71);
    assert_int_equal(wf_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1f600);
    assert_int_equal(wf_utf8_decode("\xe5\xb1\xb1", 2, &cp), 0); /* n too small */
    assert_int_equal(wf_utf8_decode("", 0, &cp), 0);
    assert_int_equal(wf_utf8_decode("\x80", 1, &cp), 0);
}

static void widths(void **state)
{
    (void)state;
    assert_int_equal(wf_cp_width('a'), 1);
    assert_int_equal(wf_cp_width(0x5c71), 2);  /* 山 */
    assert_int_equal(wf_cp_width(0xac00), 2);  /* Hangul */
    assert_int_equal(wf_cp_width(0xff21), 2);  /* fullwidth A */
    assert_int_equal(wf_cp_width(0x1f600), 2); /* emoji */
    assert_int_equal(wf_cp_width(0x0301), 0);  /* combining acute */
    assert_int_equal(wf_cp_width(0x200b), 0);  /* zero-width space */
    assert_int_equal(wf_cp_width(0xe9), 1);
    assert_int_equal(wf_text_width("山田 太郎"), 9);
    assert_int_equal(wf_text_width("e\xcc\x81t\xc3\xa9"), 3);
    assert_int_equal(wf_text_width(""), 0);
    assert_int_equal(wf_text_width("Begoña"), 6);
}

static void fit_never_splits(void **state)
{
    (void)state;
    const char *s = "a山e\xcc\x81\xcc\x82"
                    "b田\xf0\x9f\x98\x80z";
    size_t total = wf_text_width(s);
    for (size_t cols = 0; cols <= total + 2; cols++) {
        size_t used = 99;
        size_t n = wf_text_fit(s, cols, &used);
        assert_true(used <= cols);
        assert_true(n <= strlen(s));
        /* the prefix decodes completely: no code point is cut */
        for (size_t i = 0; i < n;) {
            unsigned cp;
            int len = wf_utf8_decode(s + i, n - i, &cp);
            assert_true(len > 0);
            i += (size_t)len;
        }
        /* a combining mark is never left behind without its base */
        unsigned next;
        if (n < strlen(s) && wf_utf8_decode(s + n, strlen(s) - n, &next))
            assert_int_not_equal(wf_cp_width(next), 0);
    }
}

static void fit_wide_boundary(void **state)
{
    (void)state;
    size_t used;
    assert_int_equal(wf_text_fit("山田太郎", 3, &used), 3); /* 山 fits, 田 would need 4 */
    assert_int_equal(used, 2);
    assert_int_equal(wf_text_fit("山田太郎", 4, &used), 6);
    assert_int_equal(used, 4);
    assert_int_equal(wf_text_fit("山田太郎", 1, &used), 0);
    assert_int_equal(used, 0);
    assert_int_equal(wf_text_fit("e\xcc\x81x", 1, &used), 3); /* é keeps its accent */
    assert_int_equal(used, 1);
    assert_int_equal(wf_text_fit("abc", 10, NULL), 3);
}

/* ---- paths ------------------------------------------------------------------ */

static char *tmp_dir(void)
{
    const char *base = getenv("TESTS_TMPDIR");
    char *d = malloc(600);
    assert_non_null(d);
    snprintf(d, 600, "%s/core-XXXXXX", base && *base ? base : "/tmp");
    assert_non_null(mkdtemp(d));
    return d;
}

static void set_env(const char *k, const char *v)
{
    if (v)
        setenv(k, v, 1);
    else
        unsetenv(k);
}

static char *save_env(const char *k)
{
    const char *v = getenv(k);
    return v ? strdup(v) : NULL;
}

static void data_path_prefers_env_dir(void **state)
{
    (void)state;
    char *old = save_env("WHEREFROM_DATADIR");
    char *dir = tmp_dir(), file[700], out[800];
    snprintf(file, sizeof file, "%s/probe.json", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    set_env("WHEREFROM_DATADIR", dir);
    assert_int_equal(wf_data_path("probe.json", out, sizeof out), WF_OK);
    assert_string_equal(out, file);
    assert_int_equal(wf_data_path("no-such-file.json", out, sizeof out), WF_E_NOINPUT);
    /* a path that does not fit is not found, never truncated */
    assert_int_not_equal(wf_data_path("probe.json", out, 8), WF_OK);
    unlink(file);
    rmdir(dir);
    free(dir);
    set_env("WHEREFROM_DATADIR", old);
    free(old);
}

static void data_path_falls_back(void **state)
{
    (void)state;
    char *old = save_env("WHEREFROM_DATADIR");
    char out[4096];
    set_env("WHEREFROM_DATADIR", "/nonexistent-datadir");
    /* the installed directory or the source tree still has the demo data */
    assert_int_equal(wf_data_path("demo.ndjson", out, sizeof out), WF_OK);
    assert_non_null(strstr(out, "demo.ndjson"));
    assert_int_equal(access(out, R_OK), 0);
    set_env("WHEREFROM_DATADIR", old);
    free(old);
}

static void default_db_under_xdg(void **state)
{
    (void)state;
    char *old_x = save_env("XDG_DATA_HOME"), *old_h = save_env("HOME");
    char *dir = tmp_dir(), want[800], out[800], sub[800];
    set_env("XDG_DATA_HOME", dir);
    assert_int_equal(wf_default_db_path(out, sizeof out), WF_OK);
    snprintf(want, sizeof want, "%s/wherefrom/contacts.db", dir);
    assert_string_equal(out, want);
    snprintf(sub, sizeof sub, "%s/wherefrom", dir);
    struct stat sb;
    assert_int_equal(stat(sub, &sb), 0); /* the directory is created */
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(sb.st_mode & 077, 0); /* private */
    rmdir(sub);
    /* a relative XDG_DATA_HOME is ignored (XDG spec): HOME/.local/share */
    set_env("XDG_DATA_HOME", "relative/dir");
    set_env("HOME", dir);
    assert_int_equal(wf_default_db_path(out, sizeof out), WF_OK);
    snprintf(want, sizeof want, "%s/.local/share/wherefrom/contacts.db", dir);
    assert_string_equal(out, want);
    snprintf(sub, sizeof sub, "%s/.local/share/wherefrom", dir);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/.local/share", dir);
    rmdir(sub);
    snprintf(sub, sizeof sub, "%s/.local", dir);
    rmdir(sub);
    /* no place at all, or one too long for the buffer */
    set_env("XDG_DATA_HOME", NULL);
    set_env("HOME", NULL);
    assert_int_equal(wf_default_db_path(out, sizeof out), WF_E_IO);
    set_env("XDG_DATA_HOME", dir);
    assert_int_equal(wf_default_db_path(out, 10), WF_E_IO);
    snprintf(sub, sizeof sub, "%s/wherefrom", dir);
    rmdir(sub);
    rmdir(dir);
    free(dir);
    set_env("XDG_DATA_HOME", old_x);
    set_env("HOME", old_h);
    free(old_x);
    free(old_h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(source_table_round_trips),
        cmocka_unit_test(source_unknown_kept_verbatim),
        cmocka_unit_test(source_empty_is_not_computed),
        cmocka_unit_test(channel_table_round_trips),
        cmocka_unit_test(channel_every_documented_code_described),
        cmocka_unit_test(channel_unknown_and_missing),
        cmocka_unit_test(channel_filtered_form_described),
        cmocka_unit_test(sourcetype_table_round_trips),
        cmocka_unit_test(sourcetype_classes_follow_the_rulebook),
        cmocka_unit_test(sourcetype_unknown_kept),
        cmocka_unit_test(rule_table_round_trips),
        cmocka_unit_test(rule_ids_of_the_rulebook),
        cmocka_unit_test(rule_lookup_case_and_unknown),
        cmocka_unit_test(rule_assumed_are_ours),
        cmocka_unit_test(flag_names_round_trip),
        cmocka_unit_test(status_table),
        cmocka_unit_test(time_epoch_ms),
        cmocka_unit_test(time_epoch_limits),
        cmocka_unit_test(time_iso_forms),
        cmocka_unit_test(time_iso_offsets),
        cmocka_unit_test(time_leap_years),
        cmocka_unit_test(time_iso_limits),
        cmocka_unit_test(time_invalid),
        cmocka_unit_test(time_days_from_civil),
        cmocka_unit_test(time_format_iso),
        cmocka_unit_test(time_round_trip),
        cmocka_unit_test(time_format_short_date_human),
        cmocka_unit_test(buf_empty),
        cmocka_unit_test(buf_appends_and_grows),
        cmocka_unit_test(buf_printf),
        cmocka_unit_test(buf_clear_keeps_allocation),
        cmocka_unit_test(buf_take_resets),
        cmocka_unit_test(buf_huge_reserve_fails_cleanly),
        cmocka_unit_test(arena_zeroed_and_aligned),
        cmocka_unit_test(arena_many_chunks_keep_contents),
        cmocka_unit_test(arena_strings),
        cmocka_unit_test(arena_huge_request_fails),
        cmocka_unit_test(escape_csi_and_osc),
        cmocka_unit_test(escape_c0_and_del),
        cmocka_unit_test(escape_c1_controls),
        cmocka_unit_test(escape_bidi_overrides),
        cmocka_unit_test(escape_invalid_utf8),
        cmocka_unit_test(escape_keeps_printable),
        cmocka_unit_test(utf8_decode),
        cmocka_unit_test(widths),
        cmocka_unit_test(fit_never_splits),
        cmocka_unit_test(fit_wide_boundary),
        cmocka_unit_test(data_path_prefers_env_dir),
        cmocka_unit_test(data_path_falls_back),
        cmocka_unit_test(default_db_under_xdg),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
