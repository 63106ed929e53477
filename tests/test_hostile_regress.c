/* Regression tests for what the fuzzers found (fuzz/README.md lists each
 * finding). Every case feeds the exact input that crashed or misbehaved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/text.h"
#include "core/timeutil.h"

/* fuzz_time: wf_time_iso(9223372036854775759) overflowed a signed addition
 * in split() (UBSan). A crafted database can hold any int64 as a time. */
static void time_format_extreme_values(void **state)
{
    (void)state;
    const wf_ms v[] = {INT64_MAX, INT64_MAX - 48, INT64_MIN + 1, WF_TIME_MAX + 1,
                       WF_TIME_MIN - 1, -1, 0};
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(time_format_extreme_values),
        cmocka_unit_test(time_out_of_range_clamps_to_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
