#include "core/text.h"

#include <stdio.h>
#include <string.h>

int wf_utf8_decode(const char *str, size_t n, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    if (n == 0) return 0;
    unsigned c = s[0];
    int len;
    unsigned min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        len = 2, c &= 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3, c &= 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n < (size_t)len) return 0;
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) return 0;
    *cp = c;
    return len;
}

static int is_bidi_control(unsigned cp)
{
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
           cp == 0x200f || cp == 0x061c;
}

void wf_text_escape_n(wf_buf *out, const char *s, size_t n)
{
    char tmp[16];
    size_t i = 0;
    while (i < n) {
        unsigned cp;
        int len = wf_utf8_decode(s + i, n - i, &cp);
        if (len == 0) {
            snprintf(tmp, sizeof tmp, "\\x%02X", (unsigned char)s[i]);
            wf_buf_puts(out, tmp);
            i++;
            continue;
        }
        if (cp < 0x20 || cp == 0x7f) {
            switch (cp) {
            case '\n': wf_buf_puts(out, "\\n"); break;
            case '\t': wf_buf_puts(out, "\\t"); break;
            case '\r': wf_buf_puts(out, "\\r"); break;
            case 0x1b: wf_buf_puts(out, "\\e"); break;
            default:
                snprintf(tmp, sizeof tmp, "\\x%02X", cp);
                wf_buf_puts(out, tmp);
            }
        } else if ((cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp)) {
            snprintf(tmp, sizeof tmp, "\\u%04X", cp);
            wf_buf_puts(out, tmp);
        } else {
            wf_buf_add(out, s + i, (size_t)len);
        }
        i += (size_t)len;
    }
    if (!out->p) wf_buf_add(out, "", 0);
}

void wf_text_escape(wf_buf *out, const char *s)
{
    wf_text_escape_n(out, s ? s : "", s ? strlen(s) : 0);
}

int wf_text_is_safe(const char *s)
{
    if (!s) return 1; /* nothing to show */
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        unsigned cp;
        int len = wf_utf8_decode(s + i, n - i, &cp);
        if (!len || cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp))
            return 0;
        i += (size_t)len;
    }
    return 1;
}

/* Zero-width: combining marks and format characters (a compact subset of
 * Unicode's Mn/Me/Cf ranges that covers the scripts users type). */
static int is_zero_width(unsigned cp)
{
    static const unsigned r[][2] = {
        {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x05bf, 0x05bf},
        {0x05c1, 0x05c2}, {0x05c4, 0x05c5}, {0x05c7, 0x05c7}, {0x0610, 0x061a},
        {0x064b, 0x065f}, {0x0670, 0x0670}, {0x06d6, 0x06dc}, {0x06df, 0x06e4},
        {0x06e7, 0x06e8}, {0x06ea, 0x06ed}, {0x0900, 0x0902}, {0x093a, 0x093a},
        {0x093c, 0x093c}, {0x0941, 0x0948}, {0x094d, 0x094d}, {0x0951, 0x0957},
        {0x0e31, 0x0e31}, {0x0e34, 0x0e3a}, {0x0e47, 0x0e4e}, {0x1ab0, 0x1aff},
        {0x1dc0, 0x1dff}, {0x200b, 0x200f}, {0x202a, 0x202e}, {0x2060, 0x2064},
        {0x2066, 0x206f}, {0x20d0, 0x20ff}, {0x302a, 0x302d}, {0x3099, 0x309a},
        {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f}, {0xfeff, 0xfeff}, {0xe0100, 0xe01ef},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (cp >= r[i][0] && cp <= r[i][1]) return 1;
    return 0;
}

static int is_wide(unsigned cp)
{
    static const unsigned r[][2] = {
        {0x1100, 0x115f}, {0x231a, 0x231b}, {0x2329, 0x232a}, {0x23e9, 0x23ec},
        {0x2e80, 0x303e}, {0x3041, 0x33ff}, {0x3400, 0x4dbf}, {0x4e00, 0x9fff},
        {0xa000, 0xa4cf}, {0xa960, 0xa97f}, {0xac00, 0xd7a3}, {0xf900, 0xfaff},
        {0xfe10, 0xfe19}, {0xfe30, 0xfe6f}, {0xff00, 0xff60}, {0xffe0, 0xffe6},
        {0x1f300, 0x1f64f}, {0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        if (cp >= r[i][0] && cp <= r[i][1]) return 1;
    return 0;
}

int wf_cp_width(unsigned cp)
{
    if (cp == 0) return 0;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 1; /* shown escaped elsewhere */
    if (is_zero_width(cp)) return 0;
    return is_wide(cp) ? 2 : 1;
}

size_t wf_text_width(const char *s)
{
    size_t used;
    wf_text_fit(s, (size_t)-1, &used);
    return used;
}

size_t wf_text_fit(const char *s, size_t cols, size_t *used)
{
    size_t n = strlen(s), i = 0, w = 0;
    while (i < n) {
        unsigned cp;
        int len = wf_utf8_decode(s + i, n - i, &cp);
        if (!len) len = 1, cp = 0xfffd;
        int cw = wf_cp_width(cp);
        if (w + (size_t)cw > cols) break;
        w += (size_t)cw;
        i += (size_t)len;
    }
    if (used) *used = w;
    return i;
}

void wf_text_json_safe(wf_buf *out, const char *json)
{
    size_t n = json ? strlen(json) : 0, i = 0;
    char tmp[8];
    while (i < n) {
        unsigned cp;
        int len = wf_utf8_decode(json + i, n - i, &cp);
        if (len == 0) {
            wf_buf_puts(out, "\\ufffd");
            i++;
            continue;
        }
        if (cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || is_bidi_control(cp)) {
            snprintf(tmp, sizeof tmp, "\\u%04x", cp);
            wf_buf_puts(out, tmp);
        } else {
            wf_buf_add(out, json + i, (size_t)len);
        }
        i += (size_t)len;
    }
    if (!out->p) wf_buf_add(out, "", 0);
}
