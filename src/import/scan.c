/* The record splitter. It never builds a tree: it only knows enough JSON
 * (strings, escapes, depth) to find where each record starts and ends, and
 * copies one record at a time into a buffer that cJSON then parses. */
#include "import/scan.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/text.h"

#define SCAN_BUFSZ (1u << 20)

enum { S_START, S_ARRAY, S_MEMBERS, S_AFTER, S_LINES };
enum { V_OK = 0, V_EOF = -1 };

struct wf_scan {
    FILE *f;
    unsigned char *buf;
    size_t len, pos;
    int64_t base, size;
    int eof, ioerr;
    /* capture of the current record: bytes buf[cap_from..pos) are pending */
    int capturing, cap_over;
    size_t cap_from;
    wf_buf cap;
    int state, first, in_wrapper;
    wf_scan_wrap wrap;
    int64_t recno, single_off;
    char last_str[128], last_key[128];
};

static void seterr(wf_scan_err *e, int64_t recno, int64_t off, const char *field, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
static void seterr(wf_scan_err *e, int64_t recno, int64_t off, const char *field, const char *fmt,
                   ...)
{
    e->recno = recno;
    e->offset = off;
    snprintf(e->field, sizeof e->field, "%s", field && *field ? field : "-");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

wf_status wf_scan_open(const char *path, wf_scan_mode mode, wf_scan **out, wf_scan_err *e)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        seterr(e, 0, 0, "-", "cannot open: %s", strerror(errno));
        return WF_E_NOINPUT;
    }
    if (S_ISDIR(sb.st_mode)) {
        seterr(e, 0, 0, "-", "is a directory, not a file");
        return WF_E_DATA;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        seterr(e, 0, 0, "-", "cannot open: %s", strerror(errno));
        return WF_E_NOINPUT;
    }
    wf_scan *s = calloc(1, sizeof *s);
    if (s) s->buf = malloc(SCAN_BUFSZ);
    if (!s || !s->buf) {
        if (s) free(s);
        fclose(f);
        return WF_E_NOMEM;
    }
    s->f = f;
    s->size = S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : 0;
    s->state = mode == WF_SCAN_NDJSON ? S_LINES : S_START;
    if (mode == WF_SCAN_NDJSON) s->wrap = WF_WRAP_LINES;
    *out = s;
    return WF_OK;
}

void wf_scan_free(wf_scan **sp)
{
    if (!sp || !*sp) return;
    wf_scan *s = *sp;
    if (s->f) fclose(s->f);
    free(s->buf);
    wf_buf_free(&s->cap);
    free(s);
    *sp = NULL;
}

wf_scan_wrap wf_scan_wrapping(const wf_scan *s)
{
    return s->wrap;
}

int64_t wf_scan_pos(const wf_scan *s)
{
    return s->base + (int64_t)s->pos;
}

int64_t wf_scan_size(const wf_scan *s)
{
    return s->size;
}

/* Moves pending captured bytes into the record buffer; past the record
 * limit the capture stops (the record is reported, memory stays bounded). */
static void cap_flush(wf_scan *s)
{
    if (!s->capturing) return;
    size_t n = s->pos - s->cap_from;
    if (s->cap.len + n > WF_SCAN_MAX_RECORD || wf_buf_add(&s->cap, s->buf + s->cap_from, n)) {
        s->cap_over = 1;
        s->capturing = 0;
        wf_buf_free(&s->cap);
    }
    s->cap_from = s->pos;
}

static void cap_start(wf_scan *s)
{
    wf_buf_clear(&s->cap);
    s->capturing = 1;
    s->cap_over = 0;
    s->cap_from = s->pos;
}

static void cap_end(wf_scan *s)
{
    cap_flush(s);
    s->capturing = 0;
}

static int fill(wf_scan *s)
{
    if (s->eof) return 0;
    cap_flush(s);
    s->base += (int64_t)s->len;
    s->len = fread(s->buf, 1, SCAN_BUFSZ, s->f);
    s->pos = 0;
    s->cap_from = 0;
    if (s->len == 0) {
        s->eof = 1;
        s->ioerr = ferror(s->f) != 0;
        return 0;
    }
    return 1;
}

static inline int peek(wf_scan *s)
{
    if (s->pos >= s->len && !fill(s)) return -1;
    return s->buf[s->pos];
}

static inline int get(wf_scan *s)
{
    int c = peek(s);
    if (c >= 0) s->pos++;
    return c;
}

static int is_ws(int c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(wf_scan *s)
{
    while (is_ws(peek(s)))
        s->pos++;
}

static void rec_bad(wf_scan_rec *r, int64_t off, const char *field, const char *msg)
{
    if (r->bad) return;
    r->bad = 1;
    seterr(&r->err, r->recno, off, field, "%s", msg);
}

/* After the opening quote. Keeps the first bytes in s->last_str (to name
 * fields), flags strings over the limit. Runs of plain bytes are skipped a
 * buffer at a time: this loop sees every byte of the file. */
static int scan_string(wf_scan *s, wf_scan_rec *r)
{
    size_t n = 0, keep = sizeof s->last_str - 1;
    int64_t start = wf_scan_pos(s) - 1;
    int flagged = 0;
    for (;;) {
        if (s->pos >= s->len && !fill(s)) return V_EOF;
        const unsigned char *b = s->buf + s->pos, *e = s->buf + s->len, *p = b;
        while (p < e && *p != '"' && *p != '\\')
            p++;
        size_t k = (size_t)(p - b);
        if (n < keep) memcpy(s->last_str + n, b, k < keep - n ? k : keep - n);
        n += k;
        s->pos += k;
        if (p < e) {
            s->pos++;
            if (*p == '"') break;
            /* an escape: the next byte is part of the string whatever it is */
            if (n < keep) s->last_str[n] = '\\';
            n++;
            int c = get(s);
            if (c < 0) return V_EOF;
            if (n < keep) s->last_str[n] = (char)c;
            n++;
        }
        if (n > WF_SCAN_MAX_STRING && r && !flagged) {
            char msg[96];
            snprintf(msg, sizeof msg, "a string longer than %u MB", WF_SCAN_MAX_STRING >> 20);
            rec_bad(r, start, s->last_key, msg);
            flagged = 1;
            s->capturing = 0; /* do not hold it in memory */
            wf_buf_free(&s->cap);
        }
    }
    s->last_str[n < keep ? n : keep] = 0;
    return V_OK;
}

/* One JSON value of any kind, not validated beyond its extent. */
static int scan_value(wf_scan *s, wf_scan_rec *r)
{
    int c = peek(s);
    if (c < 0) return V_EOF;
    if (c == '"') {
        s->pos++;
        return scan_string(s, r);
    }
    if (c != '{' && c != '[') {
        size_t n = 0;
        while ((c = peek(s)) >= 0 && !is_ws(c) && c != ',' && c != ']' && c != '}') {
            s->pos++;
            n++;
        }
        if (n == 0 && r) rec_bad(r, wf_scan_pos(s), s->last_key, "expected a value");
        return V_OK;
    }
    /* the bytes the structure depends on; everything else is skipped in bulk */
    static const unsigned char special[256] = {
        ['"'] = 1, ['{'] = 1, ['['] = 1, ['}'] = 1, [']'] = 1, [':'] = 1};
    int depth = 0;
    for (;;) {
        if (s->pos >= s->len && !fill(s)) return V_EOF;
        const unsigned char *p = s->buf + s->pos, *e = s->buf + s->len;
        while (p < e && !special[*p])
            p++;
        s->pos = (size_t)(p - s->buf);
        if (p == e) continue;
        c = *p;
        s->pos++;
        switch (c) {
        case '"':
            if (scan_string(s, r) == V_EOF) return V_EOF;
            break;
        case '{':
        case '[':
            if (++depth > WF_SCAN_MAX_DEPTH && r) {
                char msg[96];
                snprintf(msg, sizeof msg, "nested deeper than %d levels", WF_SCAN_MAX_DEPTH);
                rec_bad(r, wf_scan_pos(s) - 1, s->last_key, msg);
            }
            break;
        case '}':
        case ']':
            if (--depth == 0) return V_OK;
            break;
        case ':':
            memcpy(s->last_key, s->last_str, sizeof s->last_key);
            break;
        default:
            break;
        }
    }
}

static void rec_finish(wf_scan *s, wf_scan_rec *r)
{
    cap_end(s);
    if (s->cap_over) {
        char msg[96];
        snprintf(msg, sizeof msg, "record larger than %u MB", WF_SCAN_MAX_RECORD >> 20);
        rec_bad(r, r->offset, "-", msg);
    }
    r->json = s->cap.p ? s->cap.p : "";
    r->len = r->bad ? 0 : s->cap.len;
}

static wf_status truncated(wf_scan *s, wf_scan_err *e, int64_t recno, int64_t off)
{
    if (s->ioerr) {
        seterr(e, recno, off, "-", "read error");
        return WF_E_IO;
    }
    seterr(e, recno, off, s->last_key, "unexpected end of file (truncated?)");
    return WF_E_DATA;
}

static wf_status next_start(wf_scan *s, wf_scan_err *e)
{
    /* a UTF-8 byte order mark is allowed */
    if (peek(s) == 0xEF) {
        s->pos++;
        if (get(s) != 0xBB || get(s) != 0xBF) {
            seterr(e, 1, 0, "-", "not JSON: invalid byte at the start");
            return WF_E_DATA;
        }
    }
    skip_ws(s);
    int c = peek(s);
    if (c < 0) {
        if (s->ioerr) return truncated(s, e, 0, 0);
        seterr(e, 0, wf_scan_pos(s), "-", "the file is empty");
        return WF_E_DATA;
    }
    if (c == '[') {
        s->pos++;
        s->wrap = WF_WRAP_ARRAY;
        s->state = S_ARRAY;
        s->first = 1;
        return WF_OK;
    }
    if (c == '{') {
        s->single_off = wf_scan_pos(s);
        cap_start(s);
        s->pos++;
        s->wrap = WF_WRAP_SINGLE;
        s->state = S_MEMBERS;
        s->first = 1;
        return WF_OK;
    }
    seterr(e, 1, wf_scan_pos(s), "-", "not JSON: expected '{' or '[' at the start, found '%c'",
           c >= 0x20 && c < 0x7f ? c : '?');
    return WF_E_DATA;
}

/* Inside a top-level array or a wrapper's array. 1: a record in r. */
static int next_in_array(wf_scan *s, wf_scan_rec *r, wf_scan_err *e, wf_status *st)
{
    skip_ws(s);
    int c = peek(s);
    if (c < 0) {
        *st = truncated(s, e, s->recno + 1, wf_scan_pos(s));
        return 0;
    }
    if (c == ']') {
        s->pos++;
        s->state = s->in_wrapper ? S_MEMBERS : S_AFTER;
        s->first = 0;
        return 0;
    }
    if (!s->first) {
        if (c != ',') {
            seterr(e, s->recno, wf_scan_pos(s), "-", "expected ',' or ']' after record %lld",
                   (long long)s->recno);
            *st = WF_E_DATA;
            return 0;
        }
        s->pos++;
        skip_ws(s);
    }
    s->first = 0;
    r->recno = ++s->recno;
    r->offset = wf_scan_pos(s);
    s->last_key[0] = 0;
    cap_start(s);
    if (scan_value(s, r) == V_EOF) {
        cap_end(s);
        *st = truncated(s, e, r->recno, r->offset);
        return 0;
    }
    rec_finish(s, r);
    return 1;
}

static int key_is_wrapper(const char *k)
{
    return strcmp(k, "results") == 0 || strcmp(k, "contacts") == 0;
}

/* Members of a top-level object. 1: a record (the single object) in r. */
static int next_member(wf_scan *s, wf_scan_rec *r, wf_scan_err *e, wf_status *st)
{
    if (!s->in_wrapper) {
        r->recno = 1;
        r->offset = s->single_off;
    }
    skip_ws(s);
    int c = peek(s);
    int64_t off = wf_scan_pos(s);
    if (c < 0) {
        *st = truncated(s, e, s->in_wrapper ? s->recno : 1, off);
        return 0;
    }
    if (c == '}') {
        s->pos++;
        s->state = S_AFTER;
        if (s->in_wrapper) return 0;
        s->recno = 1;
        rec_finish(s, r);
        return 1;
    }
    if (!s->first) {
        if (c != ',') {
            seterr(e, s->in_wrapper ? s->recno : 1, off, s->last_key,
                   "expected ',' or '}' in the top-level object");
            *st = WF_E_DATA;
            return 0;
        }
        s->pos++;
        skip_ws(s);
        c = peek(s);
    }
    s->first = 0;
    if (c != '"') {
        seterr(e, s->in_wrapper ? s->recno : 1, wf_scan_pos(s), s->last_key,
               "expected a member name in the top-level object");
        *st = WF_E_DATA;
        return 0;
    }
    s->pos++;
    wf_scan_rec junk = {0};
    if (scan_string(s, s->in_wrapper ? &junk : r) == V_EOF) {
        *st = truncated(s, e, 1, off);
        return 0;
    }
    char key[sizeof s->last_str];
    memcpy(key, s->last_str, sizeof key);
    memcpy(s->last_key, key, sizeof key);
    skip_ws(s);
    if (get(s) != ':') {
        seterr(e, 1, wf_scan_pos(s), key, "expected ':' after the member name");
        *st = peek(s) < 0 ? truncated(s, e, 1, off) : WF_E_DATA;
        return 0;
    }
    skip_ws(s);
    if (!s->in_wrapper && key_is_wrapper(key) && peek(s) == '[') {
        /* a list or batch response: its records are the array's elements */
        s->capturing = 0;
        wf_buf_clear(&s->cap);
        s->wrap = key[0] == 'r' ? WF_WRAP_RESULTS : WF_WRAP_CONTACTS;
        s->in_wrapper = 1;
        s->pos++;
        s->state = S_ARRAY;
        s->first = 1;
        return 0;
    }
    if (scan_value(s, s->in_wrapper ? &junk : r) == V_EOF) *st = truncated(s, e, 1, off);
    return 0;
}

static int next_line(wf_scan *s, wf_scan_rec *r, wf_status *st)
{
    (void)st;
    while (peek(s) >= 0) {
        r->recno = ++s->recno;
        r->offset = wf_scan_pos(s);
        cap_start(s);
        for (;;) {
            if (s->pos >= s->len && !fill(s)) break;
            unsigned char *nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
            if (nl) {
                s->pos = (size_t)(nl - s->buf);
                break;
            }
            s->pos = s->len;
        }
        rec_finish(s, r);
        if (peek(s) == '\n') s->pos++;
        size_t n = r->len;
        while (n && is_ws((unsigned char)r->json[n - 1]))
            n--;
        size_t b = 0;
        while (b < n && is_ws((unsigned char)r->json[b]))
            b++;
        if (n == b && !r->bad) continue; /* blank line */
        r->len = n;
        return 1;
    }
    return 0;
}

wf_status wf_scan_next(wf_scan *s, wf_scan_rec *r, wf_scan_err *e)
{
    memset(r, 0, sizeof *r);
    wf_status st = WF_OK;
    for (;;) {
        switch (s->state) {
        case S_START:
            st = next_start(s, e);
            break;
        case S_ARRAY:
            if (next_in_array(s, r, e, &st)) return WF_OK;
            break;
        case S_MEMBERS:
            if (next_member(s, r, e, &st)) return WF_OK;
            break;
        case S_LINES:
            if (next_line(s, r, &st)) return WF_OK;
            if (s->ioerr) return truncated(s, e, s->recno, wf_scan_pos(s));
            return WF_OK;
        case S_AFTER:
            skip_ws(s);
            if (peek(s) < 0) {
                if (s->ioerr) return truncated(s, e, s->recno, wf_scan_pos(s));
                return WF_OK;
            }
            seterr(e, s->recno, wf_scan_pos(s), "-",
                   "unexpected data after the end of the JSON document");
            return WF_E_DATA;
        }
        if (st != WF_OK) {
            memset(r, 0, sizeof *r);
            return st;
        }
    }
}

int wf_scan_looks_ndjson(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 1u << 20;
    char *buf = malloc(cap);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    fclose(f);
    int yes = 0;
    size_t b = 0;
    while (b < n && is_ws((unsigned char)buf[b]))
        b++;
    char *nl = n > b ? memchr(buf + b, '\n', n - b) : NULL;
    size_t e = nl ? (size_t)(nl - buf) : n;
    if (e > b && buf[b] == '{') {
        const char *end = NULL;
        cJSON *j = cJSON_ParseWithLengthOpts(buf + b, e - b, &end, 0);
        if (j) {
            const char *p = end;
            while (p < buf + e && is_ws((unsigned char)*p))
                p++;
            yes = p == buf + e && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(j, "type"));
        }
        cJSON_Delete(j);
    }
    free(buf);
    return yes;
}

int64_t wf_utf8_check(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII runs eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & 0x8080808080808080ULL) break;
            i += 8;
        }
        if (i >= n) break;
        if ((unsigned char)p[i] < 0x80) {
            i++;
            continue;
        }
        unsigned cp;
        int k = wf_utf8_decode(p + i, n - i, &cp);
        if (k == 0) return (int64_t)i;
        i += (size_t)k;
    }
    return -1;
}

void wf_scan_field_at(const char *json, size_t len, size_t off, char *out, size_t outsz)
{
    size_t str_b = 0, str_e = 0, key_b = 0, key_e = 0;
    int in_str = 0;
    /* the byte at off counts: an error right at a ':' names its key */
    size_t upto = off < len ? off + 1 : len;
    for (size_t i = 0; i < upto; i++) {
        char c = json[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"') {
                in_str = 0;
                str_e = i;
            }
        } else if (c == '"') {
            in_str = 1;
            str_b = i + 1;
        } else if (c == ':') {
            key_b = str_b;
            key_e = str_e;
        }
    }
    size_t o = 0;
    for (size_t i = key_b; i < key_e && o + 1 < outsz; i++) {
        unsigned char c = (unsigned char)json[i];
        out[o++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    if (outsz) out[o] = 0;
}
