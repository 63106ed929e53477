#include "core/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Howard Hinnant's days_from_civil, in our words: shift the year to start in
 * March so the leap day is last, then count eras of 400 years. */
int64_t wf_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return 0;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

static wf_status parse_epoch(const char *s, wf_ms *out)
{
    const char *p = s;
    if (*p == '-' || *p == '+') p++;
    if (!*p) return WF_E_DATA;
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q)) return WF_E_DATA;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < WF_TIME_MIN || v > WF_TIME_MAX) return WF_E_DATA;
    *out = v;
    return WF_OK;
}

wf_status wf_time_parse(const char *s, wf_ms *out)
{
    if (!s) return WF_E_DATA;
    while (isspace((unsigned char)*s)) s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1])) len--;
    if (len == 0 || len > 64) return WF_E_DATA;
    char tmp[65];
    memcpy(tmp, s, len);
    tmp[len] = 0;
    if (len < 10 || tmp[4] != '-') return parse_epoch(tmp, out);

    const char *p = tmp;
    int y, mo, d, h = 0, mi = 0, se = 0, ms = 0, off = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        return WF_E_DATA;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return WF_E_DATA;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi)) return WF_E_DATA;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &se)) return WF_E_DATA;
            if (*p == '.' || *p == ',') {
                p++;
                int n = 0, scale = 100;
                if (!isdigit((unsigned char)*p)) return WF_E_DATA;
                while (isdigit((unsigned char)*p)) {
                    if (n < 3) ms += (*p - '0') * scale, scale /= 10;
                    n++, p++;
                }
            }
        }
        if (h > 23 || mi > 59 || se > 60) return WF_E_DATA;
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
            if (!digits(&p, 2, &oh)) return WF_E_DATA;
            /* "+02", "+0200" or "+02:00"; after a colon the minutes are required */
            if (*p == ':') {
                p++;
                if (!digits(&p, 2, &om)) return WF_E_DATA;
            } else if (*p && !digits(&p, 2, &om)) {
                return WF_E_DATA;
            }
            if (oh > 23 || om > 59) return WF_E_DATA;
            off = sign * (oh * 60 + om);
        }
    }
    if (*p) return WF_E_DATA;
    int64_t days = wf_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + se - (int64_t)off * 60;
    int64_t v = secs * 1000 + ms;
    if (v < WF_TIME_MIN || v > WF_TIME_MAX) return WF_E_DATA;
    *out = v;
    return WF_OK;
}

static void split(wf_ms t, int64_t *y, unsigned *mo, unsigned *d, int *h, int *mi, int *s, int *ms)
{
    /* Times read back from a (possibly crafted) database may be any int64:
     * clamp to the accepted range so the arithmetic below cannot overflow. */
    if (t < WF_TIME_MIN) t = WF_TIME_MIN;
    if (t > WF_TIME_MAX) t = WF_TIME_MAX;
    int64_t secs = t >= 0 ? t / 1000 : -((-t + 999) / 1000);
    *ms = (int)(t - secs * 1000);
    int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    int64_t rem = secs - days * 86400;
    civil_from_days(days, y, mo, d);
    *h = (int)(rem / 3600);
    *mi = (int)(rem / 60 % 60);
    *s = (int)(rem % 60);
}

char *wf_time_iso(wf_ms t, char *buf)
{
    if (t == WF_TIME_NONE) {
        buf[0] = 0;
        return buf;
    }
    int64_t y;
    unsigned mo, d;
    int h, mi, s, ms;
    split(t, &y, &mo, &d, &h, &mi, &s, &ms);
    if (ms)
        snprintf(buf, WF_TIME_BUFSZ, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d.%03dZ", y, mo, d, h,
                 mi, s, ms);
    else
        snprintf(buf, WF_TIME_BUFSZ, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02dZ", y, mo, d, h, mi,
                 s);
    return buf;
}

char *wf_time_short(wf_ms t, char *buf)
{
    if (t == WF_TIME_NONE) {
        buf[0] = 0;
        return buf;
    }
    int64_t y;
    unsigned mo, d;
    int h, mi, s, ms;
    split(t, &y, &mo, &d, &h, &mi, &s, &ms);
    snprintf(buf, WF_TIME_BUFSZ, "%04" PRId64 "-%02u-%02u %02d:%02d", y, mo, d, h, mi);
    return buf;
}

char *wf_time_date(wf_ms t, char *buf)
{
    if (t == WF_TIME_NONE) {
        buf[0] = 0;
        return buf;
    }
    int64_t y;
    unsigned mo, d;
    int h, mi, s, ms;
    split(t, &y, &mo, &d, &h, &mi, &s, &ms);
    snprintf(buf, WF_TIME_BUFSZ, "%04" PRId64 "-%02u-%02u", y, mo, d);
    return buf;
}

char *wf_time_human(wf_ms t, wf_ms ref, char *buf)
{
    static const char *mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (t == WF_TIME_NONE) {
        buf[0] = 0;
        return buf;
    }
    int64_t y, ry = -1;
    unsigned mo, d;
    int h, mi, s, ms;
    split(t, &y, &mo, &d, &h, &mi, &s, &ms);
    if (ref != WF_TIME_NONE) {
        unsigned rm, rd;
        split(ref, &ry, &rm, &rd, &h, &mi, &s, &ms);
    }
    if (ry == y)
        snprintf(buf, WF_TIME_BUFSZ, "%u %s", d, mon[mo - 1]);
    else
        snprintf(buf, WF_TIME_BUFSZ, "%u %s %" PRId64, d, mon[mo - 1], y);
    return buf;
}
