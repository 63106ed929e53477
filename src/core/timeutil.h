/* Times are int64 milliseconds since the Unix epoch, UTC, everywhere. */
#ifndef WF_CORE_TIMEUTIL_H
#define WF_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef int64_t wf_ms;
#define WF_TIME_NONE INT64_MIN
/* Accepted range: 0001-01-01 .. 9999-12-31T23:59:59.999Z */
#define WF_TIME_MIN (-62135596800000LL)
#define WF_TIME_MAX (253402300799999LL)

/* Parses epoch milliseconds ("1710237600000", optional sign) or ISO-8601
 * ("2024-03-12T10:00:00Z", "...00.123Z", "...00+02:00", "2024-03-12 10:00:00",
 * "2024-03-12"). Returns WF_E_DATA for anything else or out of range. */
wf_status wf_time_parse(const char *s, wf_ms *out);

/* Days since 1970-01-01 for a proleptic Gregorian date (no libc, no TZ). */
int64_t wf_days_from_civil(int64_t y, unsigned m, unsigned d);

/* "2024-03-12T10:00:00Z", with ".123" when the milliseconds are not zero;
 * "null"-free: WF_TIME_NONE gives "". buf needs WF_TIME_BUFSZ bytes. */
#define WF_TIME_BUFSZ 40
char *wf_time_iso(wf_ms t, char *buf);
/* "2024-03-12 10:00" */
char *wf_time_short(wf_ms t, char *buf);
/* "2024-03-12" */
char *wf_time_date(wf_ms t, char *buf);
/* "12 Mar" / "12 Mar 2023" (year shown when it differs from ref's year;
 * pass WF_TIME_NONE as ref to always show it) */
char *wf_time_human(wf_ms t, wf_ms ref, char *buf);

#endif
