/* Sessions from page views (§4): per visitor token, split after 30 minutes
 * idle or when a page brings a new traffic source. */
#include "attrib/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Quick host of an http(s) URL into out (lower-case); 0 when the URL is not
 * plain enough (userinfo, brackets, no scheme): the caller then parses it
 * properly. A fast path for the pages of long visits. */
static int quick_host(const char *u, char *out, size_t outsz)
{
    if (!u) return 0;
    if (strncmp(u, "https://", 8) == 0)
        u += 8;
    else if (strncmp(u, "http://", 7) == 0)
        u += 7;
    else
        return 0;
    size_t n = 0;
    for (; u[n] && u[n] != '/' && u[n] != '?' && u[n] != '#' && u[n] != ':'; n++) {
        if (u[n] == '@' || u[n] == '[' || u[n] == ' ' || n + 1 >= outsz) return 0;
        out[n] = lower(u[n]);
    }
    out[n] = 0;
    while (n && out[n - 1] == '.')
        out[--n] = 0;
    return n > 0;
}

static void host_of(const char *u, char *out, size_t outsz)
{
    if (quick_host(u, out, outsz)) return;
    wf_url p;
    wf_url_parse(u, &p);
    snprintf(out, outsz, "%s", p.ok && !p.is_app ? p.host : "");
}

static int has_tracking_query(const char *url, wf_arena *a)
{
    const char *q = url ? strchr(url, '?') : NULL;
    if (!q) return 0;
    wf_url u;
    wf_url_parse(url, &u);
    if (!u.query) return 0;
    wf_query qq;
    wf_query_parse(u.query, u.query_len, NULL, a, &qq);
    return qq.utm_source || qq.utm_medium || qq.utm_campaign || qq.source || qq.gclid;
}

/* Could this page start a new traffic source inside a session? Only a
 * tracking parameter or an external referrer can. */
static int may_start_source(const wf_pageview *pv, const wf_site *site, wf_arena *a)
{
    if ((pv->utm_source && *pv->utm_source) || (pv->utm_medium && *pv->utm_medium) ||
        (pv->utm_campaign && *pv->utm_campaign))
        return 1;
    if (has_tracking_query(pv->url, a)) return 1;
    if (!pv->referrer || !*pv->referrer) return 0;
    char host[WF_URL_HOST_MAX];
    if (quick_host(pv->referrer, host, sizeof host)) return !wf_site_is_internal(site, host);
    wf_url r;
    wf_url_parse(pv->referrer, &r);
    if (!r.ok) return 0;
    return r.is_app || !wf_site_is_internal(site, r.host);
}

static int str_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static int same_source(const wf_session_class *x, const wf_session_class *y)
{
    return x->source == y->source && str_eq(x->dd1, y->dd1) && str_eq(x->dd2, y->dd2);
}

static int cmp_group(const wf_pageview *a, const wf_pageview *b)
{
    if (a->token && b->token) return strcmp(a->token, b->token);
    if (a->token || b->token) return a->token ? -1 : 1;
    return (a->contact > b->contact) - (a->contact < b->contact);
}

static int cmp_pv(const void *pa, const void *pb)
{
    const wf_pageview *a = *(const wf_pageview *const *)pa, *b = *(const wf_pageview *const *)pb;
    int g = cmp_group(a, b);
    if (g) return g;
    if (a->at != b->at) return a->at < b->at ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

static void classify_pv(const wf_engine *e, const wf_pageview *pv, const wf_site *site, wf_arena *a,
                        wf_session_class *out)
{
    wf_classify_in in = {pv->url,          pv->referrer, pv->utm_source, pv->utm_medium,
                         pv->utm_campaign, pv->utm_term, pv->utm_content};
    wf_classify_session(e, &in, site, a, out);
}

typedef struct {
    wf_session *v;
    size_t n, cap;
} sess_vec;

static wf_status push(sess_vec *sv, const wf_session *s)
{
    if (sv->n == sv->cap) {
        size_t cap = sv->cap ? sv->cap * 2 : 8;
        wf_session *nv = realloc(sv->v, cap * sizeof *nv);
        if (!nv) return WF_E_NOMEM;
        sv->v = nv;
        sv->cap = cap;
    }
    sv->v[sv->n++] = *s;
    return WF_OK;
}

static int cmp_session(const void *pa, const void *pb)
{
    const wf_session *a = pa, *b = pb;
    if (a->start != b->start) return a->start < b->start ? -1 : 1;
    int t = strcmp(a->token ? a->token : "", b->token ? b->token : "");
    if (t) return t;
    return (a->first > b->first) - (a->first < b->first);
}

/* Gap between two sorted times (b >= a) without signed overflow: any times
 * can arrive here (fuzzing found INT64_MAX - -5). */
static uint64_t idle_gap(wf_ms a, wf_ms b)
{
    return (uint64_t)b - (uint64_t)a;
}

static wf_status split(const wf_engine *e, const wf_pageview **pvs, size_t n, const wf_site *site,
                       wf_arena *a, sess_vec *sv)
{
    wf_session cur = {0};
    for (size_t i = 0; i < n; i++) {
        const wf_pageview *pv = pvs[i];
        int fresh = i == 0 || cmp_group(pvs[i - 1], pv) != 0 ||
                    idle_gap(pvs[i - 1]->at, pv->at) > WF_SESSION_IDLE_MS;
        int new_source = 0;
        wf_session_class cls;
        if (!fresh && may_start_source(pv, site, a)) {
            classify_pv(e, pv, site, a, &cls);
            new_source = cls.rule != R_S12 && !same_source(&cls, &cur.cls);
        }
        if (fresh || new_source) {
            if (i > 0 && push(sv, &cur) != WF_OK) return WF_E_NOMEM;
            memset(&cur, 0, sizeof cur);
            cur.first = i;
            cur.start = pv->at;
            cur.token = pv->token;
            if (new_source)
                cur.cls = cls;
            else
                classify_pv(e, pv, site, a, &cur.cls);
        }
        cur.n++;
        cur.end = pv->at;
    }
    return n ? push(sv, &cur) : WF_OK;
}

wf_status wf_build_sessions(const wf_engine *e, const wf_pageview **pvs, size_t n,
                            const wf_site *site, wf_arena *a, wf_session **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (n == 0) return WF_OK;
    qsort(pvs, n, sizeof *pvs, cmp_pv);
    sess_vec sv = {0};
    wf_status st = split(e, pvs, n, site, a, &sv);
    if (st != WF_OK) {
        free(sv.v);
        return st;
    }
    qsort(sv.v, sv.n, sizeof *sv.v, cmp_session);
    /* put the page views in session order, each session contiguous */
    const wf_pageview **tmp = wf_arena_alloc(a, n * sizeof *tmp);
    wf_session *res = wf_arena_alloc(a, sv.n * sizeof *res);
    if (!tmp || !res) {
        free(sv.v);
        return WF_E_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < sv.n; i++) {
        res[i] = sv.v[i];
        memcpy(tmp + k, pvs + sv.v[i].first, sv.v[i].n * sizeof *tmp);
        res[i].first = k;
        k += sv.v[i].n;
    }
    memcpy(pvs, tmp, n * sizeof *pvs);
    free(sv.v);
    *out = res;
    *n_out = sv.n;
    return WF_OK;
}

static int seen(const char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0) return 1;
    return 0;
}

wf_status wf_site_from_facts(const wf_engine *e, const wf_facts *f, wf_arena *a, wf_site *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = f->n_site_domains ? f->n_site_domains : 8;
    const char **v = wf_arena_alloc(a, cap * sizeof *v);
    if (!v) return WF_E_NOMEM;
    out->domains = v;
    for (size_t i = 0; i < f->n_site_domains; i++) {
        const char *d = f->site_domains[i];
        if (!d || !*d) continue;
        char *l = wf_arena_strdup(a, d);
        if (!l) return WF_E_NOMEM;
        for (char *p = l; *p; p++)
            *p = lower(*p);
        if (strncmp(l, "www.", 4) == 0) l += 4;
        v[out->n++] = l;
    }
    if (out->n) return WF_OK;
    out->derived = 1;
    char host[WF_URL_HOST_MAX], prev[WF_URL_HOST_MAX] = "", reg[WF_URL_HOST_MAX];
    for (size_t i = 0; i < f->n_pageviews; i++) {
        host_of(f->pageviews[i].url, host, sizeof host);
        if (!*host || strcmp(host, prev) == 0) continue;
        memcpy(prev, host, sizeof host);
        wf_engine_registrable(e, host, reg, sizeof reg);
        if (seen(v, out->n, reg)) continue;
        if (out->n == cap) {
            const char **nv = wf_arena_alloc(a, 2 * cap * sizeof *nv);
            if (!nv) return WF_E_NOMEM;
            memcpy(nv, v, cap * sizeof *nv);
            v = nv;
            cap *= 2;
            out->domains = v;
        }
        if (!(v[out->n] = wf_arena_strdup(a, reg))) return WF_E_NOMEM;
        out->n++;
    }
    return WF_OK;
}
