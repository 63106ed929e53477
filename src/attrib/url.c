/* URL parsing on liburiparser, with a lenient fallback and no heap use for
 * ordinary URLs (a bump allocator on the stack serves uriparser). */
#include "attrib/url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uriparser/Uri.h>

/* ---- a stack bump allocator for uriparser ---------------------------- */

typedef struct {
    _Alignas(16) unsigned char buf[8192];
    size_t used;
} bump;

#define BUMP_HDR 16

static int in_bump(const bump *b, const void *p)
{
    const unsigned char *q = p;
    return q >= b->buf && q < b->buf + sizeof b->buf;
}

static void *bump_malloc(UriMemoryManager *mm, size_t n)
{
    bump *b = mm->userData;
    size_t need = BUMP_HDR + ((n + 15) & ~(size_t)15);
    if (n < SIZE_MAX / 2 && sizeof b->buf - b->used >= need) {
        unsigned char *p = b->buf + b->used;
        b->used += need;
        memcpy(p, &n, sizeof n);
        return p + BUMP_HDR;
    }
    /* rare: very long URLs; the header keeps frees uniform */
    if (n > SIZE_MAX - BUMP_HDR) return NULL;
    unsigned char *p = malloc(n + BUMP_HDR);
    if (!p) return NULL;
    memcpy(p, &n, sizeof n);
    return p + BUMP_HDR;
}

static void bump_free(UriMemoryManager *mm, void *p)
{
    bump *b = mm->userData;
    if (p && !in_bump(b, p)) free((unsigned char *)p - BUMP_HDR);
}

static void *bump_calloc(UriMemoryManager *mm, size_t n, size_t sz)
{
    if (sz && n > SIZE_MAX / sz) return NULL;
    void *p = bump_malloc(mm, n * sz);
    if (p) memset(p, 0, n * sz);
    return p;
}

static void *bump_realloc(UriMemoryManager *mm, void *p, size_t n)
{
    void *q = bump_malloc(mm, n);
    if (!q || !p) return q;
    size_t old;
    memcpy(&old, (unsigned char *)p - BUMP_HDR, sizeof old);
    memcpy(q, p, old < n ? old : n);
    bump_free(mm, p);
    return q;
}

static void *bump_reallocarray(UriMemoryManager *mm, void *p, size_t n, size_t sz)
{
    if (sz && n > SIZE_MAX / sz) return NULL;
    return bump_realloc(mm, p, n * sz);
}

static void bump_init(bump *b, UriMemoryManager *mm)
{
    b->used = 0;
    mm->malloc = bump_malloc;
    mm->calloc = bump_calloc;
    mm->realloc = bump_realloc;
    mm->reallocarray = bump_reallocarray;
    mm->free = bump_free;
    mm->userData = b;
}

/* ---- helpers -------------------------------------------------------- */

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static void set_host(wf_url *u, const char *h, size_t n)
{
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') { /* IPv6 literal */
        h++;
        n -= 2;
    }
    while (n && h[n - 1] == '.')
        n--; /* "example.com." is example.com */
    if (n >= sizeof u->host) n = sizeof u->host - 1;
    for (size_t i = 0; i < n; i++)
        u->host[i] = lower(h[i]);
    u->host[n] = 0;
}

static int parse_port(const char *p, size_t n)
{
    if (n == 0 || n > 5) return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v <= 65535 ? v : -1;
}

static void set_scheme(wf_url *u, const char *s, size_t n)
{
    if (n >= sizeof u->scheme) n = sizeof u->scheme - 1;
    for (size_t i = 0; i < n; i++)
        u->scheme[i] = lower(s[i]);
    u->scheme[n] = 0;
    u->is_app = strcmp(u->scheme, "android-app") == 0 || strcmp(u->scheme, "ios-app") == 0;
}

static int host_char_ok(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == ':' || c == '[' || c == ']' || (unsigned char)c >= 0x80;
}

/* The fallback: scheme "://" host [":" port] then path, query and fragment
 * split on the first '/', '?', '#'. Accepts spaces and other characters
 * RFC 3986 forbids; refuses hosts with characters no host may hold. */
static void parse_lenient(const char *s, wf_url *u)
{
    const char *p = s;
    const char *sep = strstr(s, "://");
    if (sep) {
        set_scheme(u, s, (size_t)(sep - s));
        p = sep + 3;
    } else if (strncmp(s, "//", 2) == 0) {
        p = s + 2;
    }
    u->after_scheme = p;
    size_t hn = strcspn(p, "/?#");
    const char *hend = p + hn;
    const char *at = memchr(p, '@', hn); /* userinfo */
    const char *h = at ? at + 1 : p;
    size_t n = (size_t)(hend - h);
    const char *colon = NULL;
    if (n && h[0] == '[') {
        const char *rb = memchr(h, ']', n);
        if (rb && rb + 1 < hend && rb[1] == ':') colon = rb + 1;
    } else {
        colon = memchr(h, ':', n);
    }
    if (colon) {
        u->port = parse_port(colon + 1, (size_t)(hend - colon - 1));
        n = (size_t)(colon - h);
    }
    for (size_t i = 0; i < n; i++)
        if (!host_char_ok(h[i])) return;
    /* without a scheme, only something that looks like a domain counts */
    if (n == 0 || (!sep && !memchr(h, '.', n))) return;
    set_host(u, h, n);
    u->ok = u->host[0] != 0;
    const char *q = hend;
    size_t pn = strcspn(q, "?#");
    u->path = q;
    u->path_len = pn;
    if (q[pn] == '?') {
        u->query = q + pn + 1;
        u->query_len = strcspn(u->query, "#");
    }
}

static size_t range_len(const UriTextRangeA *r)
{
    return r->first && r->afterLast ? (size_t)(r->afterLast - r->first) : 0;
}

/* The common shape "http(s)://host[:port][/?#...]" with a plain host
 * (letters, digits, '-', '.') gives the same answer liburiparser would,
 * without its allocations; anything else goes to liburiparser. */
static int parse_plain_http(const char *s, wf_url *u)
{
    const char *p;
    if ((s[0] | 0x20) != 'h' || (s[1] | 0x20) != 't' || (s[2] | 0x20) != 't' ||
        (s[3] | 0x20) != 'p')
        return 0;
    if (strncmp(s + 4, "://", 3) == 0)
        p = s + 7;
    else if ((s[4] | 0x20) == 's' && strncmp(s + 5, "://", 3) == 0)
        p = s + 8;
    else
        return 0;
    size_t n = 0;
    for (; p[n] && p[n] != '/' && p[n] != '?' && p[n] != '#' && p[n] != ':'; n++) {
        char c = p[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.'))
            return 0;
    }
    if (n == 0 || n >= WF_URL_HOST_MAX) return 0;
    const char *rest = p + n;
    int port = -1;
    if (*rest == ':') {
        size_t pn = strcspn(rest + 1, "/?#");
        port = parse_port(rest + 1, pn);
        if (port < 0 && pn) return 0;
        rest += 1 + pn;
    }
    for (const char *q = rest; *q; q++) /* what RFC 3986 forbids goes the long way */
        if ((unsigned char)*q <= ' ' || *q == '"' || *q == '<' || *q == '>' || *q == '\\' ||
            *q == '^' || *q == '`' || *q == '{' || *q == '|' || *q == '}' ||
            (unsigned char)*q >= 0x7f)
            return 0;
    set_scheme(u, s, (size_t)(p - 3 - s));
    set_host(u, p, n);
    u->port = port;
    u->after_scheme = p;
    u->path = rest;
    u->path_len = strcspn(rest, "?#");
    if (rest[u->path_len] == '?') {
        u->query = rest + u->path_len + 1;
        u->query_len = strcspn(u->query, "#");
    }
    u->ok = u->host[0] != 0;
    return 1;
}

void wf_url_split(const char *s, const char **after_scheme, const char **query, size_t *query_len)
{
    *after_scheme = s ? s : "";
    *query = NULL;
    *query_len = 0;
    if (!s) return;
    const char *sep = strstr(s, "://");
    if (sep && (size_t)(sep - s) < 16 && strcspn(s, "/?#") > (size_t)(sep - s))
        *after_scheme = sep + 3;
    size_t before_frag = strcspn(s, "#");
    const char *q = memchr(s, '?', before_frag);
    if (q) {
        *query = q + 1;
        *query_len = before_frag - (size_t)(q + 1 - s);
    }
}

void wf_url_parse(const char *s, wf_url *u)
{
    /* field by field: the host buffer need not be cleared */
    u->ok = u->lenient = u->is_app = 0;
    u->scheme[0] = u->host[0] = 0;
    u->path_len = u->query_len = 0;
    u->query = NULL;
    u->port = -1;
    u->path = "";
    u->after_scheme = s ? s : "";
    if (!s) return;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s) return;
    if (parse_plain_http(s, u)) return;
    bump b;
    UriMemoryManager mm;
    bump_init(&b, &mm);
    UriUriA uri;
    const char *err = NULL;
    size_t len = strlen(s);
    if (uriParseSingleUriExMmA(&uri, s, s + len, &err, &mm) != URI_SUCCESS) {
        u->lenient = 1;
        parse_lenient(s, u);
        return;
    }
    size_t hn = range_len(&uri.hostText);
    if (!uri.scheme.first || hn == 0) {
        /* "www.google.com/x" or "//host/x": no scheme; let the fallback judge */
        uriFreeUriMembersMmA(&uri, &mm);
        u->lenient = 1;
        parse_lenient(s, u);
        return;
    }
    set_scheme(u, uri.scheme.first, range_len(&uri.scheme));
    set_host(u, uri.hostText.first, hn);
    u->port = parse_port(uri.portText.first, range_len(&uri.portText));
    const char *sep = strstr(s, "://");
    u->after_scheme = sep ? sep + 3 : s;
    /* the path runs from the end of the authority to '?' or '#' */
    const char *pstart = uri.portText.afterLast ? uri.portText.afterLast : uri.hostText.afterLast;
    if (pstart && *pstart == ']') pstart++;
    if (pstart) {
        u->path = pstart;
        u->path_len = strcspn(pstart, "?#");
    }
    if (uri.query.first) {
        u->query = uri.query.first;
        u->query_len = range_len(&uri.query);
    }
    u->ok = u->host[0] != 0;
    uriFreeUriMembersMmA(&uri, &mm);
}

/* ---- query ---------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Trimmed copy of an already decoded value; NULL when empty. */
static const char *keep(wf_arena *a, const char *v)
{
    if (!v) return NULL;
    while (is_space(*v))
        v++;
    size_t n = strlen(v);
    while (n && is_space(v[n - 1]))
        n--;
    return n ? wf_arena_strndup(a, v, n) : NULL;
}

static int key_is(const char *k, const char *name)
{
    for (; *k && *name; k++, name++)
        if (lower(*k) != *name) return 0;
    return *k == 0 && *name == 0;
}

static void pick(const char **slot, wf_arena *a, const char *v)
{
    if (!*slot) *slot = keep(a, v);
}

/* Could the query hold one of our parameters? A cheap scan that lets
 * most queries skip the full split. Names may be percent-encoded, so any
 * '%' sends the query the long way. */
static int maybe_tracking(const char *q, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = lower(q[i]);
        if (c == '%') return 1;
        if (i && q[i - 1] != '&' && q[i - 1] != ';') continue;
        if (c == 'u' || c == 's' || c == 'g') return 1;
    }
    return 0;
}

void wf_query_parse(const char *query, size_t n, const char *search_param, wf_arena *a, wf_query *q)
{
    memset(q, 0, sizeof *q);
    if (!query || n == 0) return;
    if (!search_param && !maybe_tracking(query, n)) return;
    bump b;
    UriMemoryManager mm;
    bump_init(&b, &mm);
    UriQueryListA *list = NULL;
    int count = 0;
    if (uriDissectQueryMallocExMmA(&list, &count, query, query + n, URI_TRUE, URI_BR_DONT_TOUCH,
                                   &mm) != URI_SUCCESS)
        return;
    for (UriQueryListA *it = list; it; it = it->next) {
        const char *k = it->key, *v = it->value;
        if (!k || !v || !*v) continue;
        if (k[0] == 'u' || k[0] == 'U') {
            if (key_is(k, "utm_source"))
                pick(&q->utm_source, a, v);
            else if (key_is(k, "utm_medium"))
                pick(&q->utm_medium, a, v);
            else if (key_is(k, "utm_campaign"))
                pick(&q->utm_campaign, a, v);
            else if (key_is(k, "utm_term"))
                pick(&q->utm_term, a, v);
            else if (key_is(k, "utm_content"))
                pick(&q->utm_content, a, v);
        } else if (key_is(k, "source")) {
            pick(&q->source, a, v);
        } else if (key_is(k, "gclid")) {
            pick(&q->gclid, a, v);
        }
        if (search_param && key_is(k, search_param)) pick(&q->search, a, v);
    }
    uriFreeQueryListMmA(list, &mm);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    c = lower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

char *wf_url_decode(wf_arena *a, const char *s, size_t n, int lower_case)
{
    char *out = wf_arena_alloc(a, n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int h = i + 1 < n ? hexval(s[i + 1]) : -1;
            int l = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (h >= 0 && l >= 0) {
                c = (char)(h * 16 + l);
                i += 2;
            }
        }
        out[o++] = lower_case ? lower(c) : c;
    }
    out[o] = 0;
    size_t st = 0;
    while (is_space(out[st]))
        st++;
    while (o > st && is_space(out[o - 1]))
        o--;
    out[o] = 0;
    return out + st;
}
