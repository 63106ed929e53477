/* Loading data/referrers.json and looking hosts up in it. */
#include "attrib/referrers.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/arena.h"
#include "core/buf.h"

typedef struct {
    const char *alias;
    const wf_ref_entry *net;
} alias_t;

struct wf_reftable {
    wf_arena *a;
    wf_ref_entry *e;
    size_t n, cap;
    size_t *slots; /* open addressing: entry index + 1, 0 = empty */
    size_t nslots;
    alias_t *aliases;
    size_t n_alias, cap_alias;
    size_t *alias_slots; /* open addressing over aliases (lower-case) */
    size_t n_alias_slots;
    const char *anchors[32]; /* last labels of the ".*" entries ("google") */
    size_t n_anchors;
};

static const char *const kind_names[] = {"search", "social", "mail", "rss", "ai", "other"};

const char *wf_ref_kind_name(wf_ref_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "?";
}

static int kind_from(const char *s, wf_ref_kind *k)
{
    for (size_t i = 0; s && i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *k = (wf_ref_kind)i;
            return 1;
        }
    return 0;
}

static uint64_t hash(const char *s, size_t n, int any)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)any;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

size_t wf_reftable_count(const wf_reftable *t)
{
    return t ? t->n : 0;
}

const wf_ref_entry *wf_reftable_entry(const wf_reftable *t, size_t i)
{
    return t && i < t->n ? &t->e[i] : NULL;
}

const wf_ref_entry *wf_reftable_find(const wf_reftable *t, const char *host, size_t n,
                                     int any_suffix)
{
    if (!t || !t->nslots || !host) return NULL;
    size_t mask = t->nslots - 1;
    for (size_t i = hash(host, n, any_suffix) & mask;; i = (i + 1) & mask) {
        size_t v = t->slots[i];
        if (!v) return NULL;
        const wf_ref_entry *e = &t->e[v - 1];
        if (e->any_suffix == any_suffix && strncmp(e->host, host, n) == 0 && e->host[n] == 0)
            return e;
    }
}

const wf_ref_entry *wf_reftable_network(const wf_reftable *t, const char *s)
{
    if (!t || !s || !*s || !t->n_alias_slots) return NULL;
    char low[64];
    size_t n = 0;
    for (; s[n]; n++) {
        if (n + 1 >= sizeof low) return NULL; /* no alias is that long */
        low[n] = (s[n] >= 'A' && s[n] <= 'Z') ? (char)(s[n] - 'A' + 'a') : s[n];
    }
    low[n] = 0;
    size_t mask = t->n_alias_slots - 1;
    for (size_t i = hash(low, n, 7) & mask;; i = (i + 1) & mask) {
        size_t v = t->alias_slots[i];
        if (!v) return NULL;
        if (strcmp(t->aliases[v - 1].alias, low) == 0) return t->aliases[v - 1].net;
    }
}

int wf_reftable_is_anchor(const wf_reftable *t, const char *label, size_t n)
{
    for (size_t i = 0; t && i < t->n_anchors; i++)
        if (strncmp(t->anchors[i], label, n) == 0 && t->anchors[i][n] == 0) return 1;
    return 0;
}

void wf_reftable_free(wf_reftable **tp)
{
    if (!tp || !*tp) return;
    wf_reftable *t = *tp;
    wf_arena_free(&t->a);
    free(t->e);
    free(t->slots);
    free(t->aliases);
    free(t->alias_slots);
    free(t);
    *tp = NULL;
}

static wf_status fail(char *err, size_t errsz, const char *name, size_t idx, const char *what)
{
    snprintf(err, errsz, "%s: entry %zu: %s", name, idx + 1, what);
    return WF_E_DATA;
}

static int valid_host(const char *h)
{
    if (!*h || strlen(h) > 253) return 0;
    for (const char *p = h; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
            return 0;
    return 1;
}

static wf_status add_host(wf_reftable *t, const wf_ref_entry *proto, const char *h)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        wf_ref_entry *ne = realloc(t->e, cap * sizeof *ne);
        if (!ne) return WF_E_NOMEM;
        t->e = ne;
        t->cap = cap;
    }
    wf_ref_entry *e = &t->e[t->n];
    *e = *proto;
    size_t n = strlen(h);
    e->any_suffix = n > 2 && strcmp(h + n - 2, ".*") == 0;
    e->host = wf_arena_strndup(t->a, h, e->any_suffix ? n - 2 : n);
    if (!e->host) return WF_E_NOMEM;
    t->n++;
    return WF_OK;
}

static wf_status add_alias(wf_reftable *t, const char *alias, size_t entry_index)
{
    if (t->n_alias == t->cap_alias) {
        size_t cap = t->cap_alias ? t->cap_alias * 2 : 64;
        alias_t *na = realloc(t->aliases, cap * sizeof *na);
        if (!na) return WF_E_NOMEM;
        t->aliases = na;
        t->cap_alias = cap;
    }
    char *s = wf_arena_strdup(t->a, alias);
    if (!s) return WF_E_NOMEM;
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    /* store the index: t->e may still move while loading */
    t->aliases[t->n_alias].alias = s;
    t->aliases[t->n_alias].net = (const wf_ref_entry *)(uintptr_t)(entry_index + 1);
    t->n_alias++;
    return WF_OK;
}

static const char *str_field(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static wf_status load_entry(wf_reftable *t, const cJSON *o, size_t idx, const char *name, char *err,
                            size_t errsz)
{
    if (!cJSON_IsObject(o)) return fail(err, errsz, name, idx, "not an object");
    wf_ref_entry proto = {0};
    if (!kind_from(str_field(o, "kind"), &proto.kind))
        return fail(err, errsz, name, idx,
                    "field \"kind\" must be search, social, mail, rss, ai or other");
    const char *nm = str_field(o, "name");
    if (!nm || !*nm) return fail(err, errsz, name, idx, "field \"name\" is missing");
    proto.name = wf_arena_strdup(t->a, nm);
    const char *param = str_field(o, "param");
    if (param) proto.param = wf_arena_strdup(t->a, param);
    if (proto.kind == WF_REF_SEARCH && !proto.param)
        return fail(err, errsz, name, idx, "a search engine needs field \"param\"");
    const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(o, "hosts");
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(o, "host");
    size_t first = t->n;
    if (cJSON_IsString(one)) {
        wf_status st = add_host(t, &proto, one->valuestring);
        if (st) return st;
    }
    const cJSON *h;
    cJSON_ArrayForEach(h, hosts)
    {
        if (!cJSON_IsString(h)) return fail(err, errsz, name, idx, "\"hosts\" holds a non-string");
        wf_status st = add_host(t, &proto, h->valuestring);
        if (st) return st;
    }
    if (t->n == first) return fail(err, errsz, name, idx, "no \"host\" or \"hosts\"");
    for (size_t i = first; i < t->n; i++)
        if (!valid_host(t->e[i].host))
            return fail(err, errsz, name, idx, "a host is not a lower-case host name");
    const cJSON *al = cJSON_GetObjectItemCaseSensitive(o, "aliases");
    const cJSON *a;
    wf_status st = WF_OK;
    if (proto.kind == WF_REF_SOCIAL) st = add_alias(t, nm, first);
    cJSON_ArrayForEach(a, al)
    {
        if (st) break;
        if (!cJSON_IsString(a))
            return fail(err, errsz, name, idx, "\"aliases\" holds a non-string");
        st = add_alias(t, a->valuestring, first);
    }
    return st;
}

/* The registrable label of each ".*" entry: only hosts holding one need
 * the Public Suffix List at lookup time. */
static wf_status collect_anchors(wf_reftable *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (!t->e[i].any_suffix) continue;
        const char *dot = strrchr(t->e[i].host, '.');
        const char *label = dot ? dot + 1 : t->e[i].host;
        if (wf_reftable_is_anchor(t, label, strlen(label))) continue;
        if (t->n_anchors == sizeof t->anchors / sizeof t->anchors[0]) return WF_E_DATA;
        t->anchors[t->n_anchors++] = label;
    }
    return WF_OK;
}

static wf_status build_index(wf_reftable *t)
{
    size_t ns = 16;
    while (ns < t->n * 2)
        ns *= 2;
    t->slots = calloc(ns, sizeof *t->slots);
    if (!t->slots) return WF_E_NOMEM;
    t->nslots = ns;
    for (size_t i = 0; i < t->n; i++) {
        const wf_ref_entry *e = &t->e[i];
        if (wf_reftable_find(t, e->host, strlen(e->host), e->any_suffix)) continue; /* first wins */
        size_t j = hash(e->host, strlen(e->host), e->any_suffix) & (ns - 1);
        while (t->slots[j])
            j = (j + 1) & (ns - 1);
        t->slots[j] = i + 1;
    }
    for (size_t i = 0; i < t->n_alias; i++)
        t->aliases[i].net = &t->e[(uintptr_t)t->aliases[i].net - 1];
    size_t na = 16;
    while (na < t->n_alias * 2)
        na *= 2;
    t->alias_slots = calloc(na, sizeof *t->alias_slots);
    if (!t->alias_slots) return WF_E_NOMEM;
    t->n_alias_slots = na;
    for (size_t i = 0; i < t->n_alias; i++) {
        const char *a = t->aliases[i].alias;
        if (wf_reftable_network(t, a)) continue; /* first wins */
        size_t j = hash(a, strlen(a), 7) & (na - 1);
        while (t->alias_slots[j])
            j = (j + 1) & (na - 1);
        t->alias_slots[j] = i + 1;
    }
    return collect_anchors(t);
}

wf_status wf_reftable_load_buffer(const char *data, size_t len, const char *name, wf_reftable **out,
                                  char *err, size_t errsz)
{
    *out = NULL;
    if (!name) name = "referrer table";
    cJSON *root = cJSON_ParseWithLength(data, len);
    if (!root) {
        snprintf(err, errsz, "%s: not valid JSON", name);
        return WF_E_DATA;
    }
    wf_status st = WF_OK;
    const cJSON *entries = cJSON_GetObjectItemCaseSensitive(root, "entries");
    if (!cJSON_IsArray(entries)) {
        snprintf(err, errsz, "%s: no \"entries\" array", name);
        cJSON_Delete(root);
        return WF_E_DATA;
    }
    wf_reftable *t = calloc(1, sizeof *t);
    if (!t || !(t->a = wf_arena_new())) {
        free(t);
        cJSON_Delete(root);
        return WF_E_NOMEM;
    }
    size_t idx = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, entries)
    {
        st = load_entry(t, o, idx++, name, err, errsz);
        if (st) break;
    }
    cJSON_Delete(root);
    if (st == WF_OK && (st = build_index(t)) == WF_E_DATA)
        snprintf(err, errsz, "%s: too many \".*\" entries (at most 32 names)", name);
    if (st != WF_OK) {
        if (st == WF_E_NOMEM) snprintf(err, errsz, "%s: out of memory", name);
        wf_reftable_free(&t);
        return st;
    }
    *out = t;
    return WF_OK;
}

wf_status wf_reftable_load_file(const char *path, wf_reftable **out, char *err, size_t errsz)
{
    *out = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errsz, "%s: cannot open the referrer table", path);
        return WF_E_NOINPUT;
    }
    wf_buf b = WF_BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        wf_buf_add(&b, chunk, n);
    int bad = ferror(fp);
    fclose(fp);
    if (bad || b.failed) {
        wf_buf_free(&b);
        snprintf(err, errsz, "%s: cannot read the referrer table", path);
        return WF_E_IO;
    }
    wf_status st = wf_reftable_load_buffer(wf_buf_str(&b), b.len, path, out, err, errsz);
    wf_buf_free(&b);
    return st;
}
