/* libFuzzer target: wf_time_parse and the formatters.
 * Properties checked beyond "no crash": an accepted time is inside the
 * documented range, and its ISO-8601 rendering parses back to itself. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(wf_ms t)
{
    char buf[WF_TIME_BUFSZ], other[WF_TIME_BUFSZ];
    wf_ms back = 0;
    if (t < WF_TIME_MIN || t > WF_TIME_MAX) abort();
    wf_time_iso(t, buf);
    if (wf_time_parse(buf, &back) != WF_OK || back != t) abort();
    wf_time_short(t, other);
    wf_time_date(t, other);
    wf_time_human(t, WF_TIME_NONE, other);
    wf_time_human(t, 0, other);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The parser takes C strings: an embedded NUL just ends the input. */
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    wf_ms t = 0;
    if (wf_time_parse(s, &t) == WF_OK) check_roundtrip(t);
    /* The formatters take any int64 (out-of-range values must not crash). */
    if (size >= sizeof(int64_t)) {
        int64_t raw;
        memcpy(&raw, data, sizeof raw);
        char buf[WF_TIME_BUFSZ];
        wf_time_iso(raw, buf);
        wf_time_short(raw, buf);
        wf_time_date(raw, buf);
        wf_time_human(raw, raw / 2, buf);
    }
    free(s);
    return 0;
}
