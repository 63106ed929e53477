/* Session classification: ATTRIBUTION.md §5 (S01–S14b, first match wins)
 * and the drill-down formats of §6. */
#include "attrib/classify.h"

#include <string.h>
#include <strings.h>

#include "attrib/engine_priv.h"

#define UNKNOWN_KEYWORDS "Unknown keywords (SSL)"
#define AUTO_TAGGED "Auto-tagged PPC"

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Case-insensitive ASCII substring test ("contains" in §5). */
static int ci_contains(const char *s, const char *needle)
{
    if (!s) return 0;
    size_t n = strlen(needle);
    for (; *s; s++) {
        size_t i = 0;
        while (i < n && s[i] && lower(s[i]) == needle[i])
            i++;
        if (i == n) return 1;
    }
    return 0;
}

static int ci_paid(const char *s)
{
    return ci_contains(s, "adword") || ci_contains(s, "ppc") || ci_contains(s, "cpc");
}

static const char *lower_dup(wf_arena *a, const char *s)
{
    if (!s) return "";
    size_t n = strlen(s);
    char *d = wf_arena_alloc(a, n + 1);
    if (!d) return "";
    for (size_t i = 0; i < n; i++)
        d[i] = lower(s[i]);
    return d;
}

int wf_site_is_internal(const wf_site *s, const char *host)
{
    if (!s || !host || !*host) return 0;
    size_t hn = strlen(host);
    for (size_t i = 0; i < s->n; i++) {
        const char *d = s->domains[i];
        size_t dn = d ? strlen(d) : 0;
        if (!dn || dn > hn) continue;
        if (memcmp(host + hn - dn, d, dn) == 0 && (dn == hn || host[hn - dn - 1] == '.')) return 1;
    }
    return 0;
}

static int is_ip_literal(const char *h)
{
    if (strchr(h, ':')) return 1;
    for (; *h; h++)
        if (!((*h >= '0' && *h <= '9') || *h == '.')) return 0;
    return 1;
}

/* The public suffix of a host that holds a ".*" entry's label: the part
 * after the right-most such label when the Public Suffix List calls it
 * public ("co.uk" in "www.google.co.uk"). NULL when the host holds no
 * such label: those hosts need no suffix at all, which keeps libpsl off
 * the hot path. */
static const char *anchor_suffix(const wf_engine *e, const char *host)
{
    const char *found = NULL;
    for (const char *p = host; *p;) {
        size_t n = strcspn(p, ".");
        if (p[n] == '.' && wf_reftable_is_anchor(e->table, p, n)) found = p + n + 1;
        p += n;
        if (*p) p++;
    }
    return found && *found && psl_is_public_suffix(e->psl, found) ? found : NULL;
}

const wf_ref_entry *wf_referrer_lookup(const wf_engine *e, const char *host)
{
    if (!e || !host || !*host) return NULL;
    const wf_reftable *t = e->table;
    const char *ps = is_ip_literal(host) ? NULL : anchor_suffix(e, host);
    for (const char *c = host; c && *c;) {
        const wf_ref_entry *hit = wf_reftable_find(t, c, strlen(c), 0);
        if (hit) return hit;
        if (ps && c < ps - 1) {
            hit = wf_reftable_find(t, c, (size_t)(ps - 1 - c), 1);
            if (hit) return hit;
        }
        c = strchr(c, '.');
        if (c) c++;
    }
    return NULL;
}

/* `google.<public suffix>` or `www.google.<public suffix>` (S05). */
static int is_google_search_host(const wf_engine *e, const char *host)
{
    if (!host || is_ip_literal(host)) return 0;
    const char *ps = anchor_suffix(e, host);
    if (!ps || ps == host) return 0;
    size_t n = (size_t)(ps - host);
    return (n == 7 && memcmp(host, "google.", 7) == 0) ||
           (n == 11 && memcmp(host, "www.google.", 11) == 0);
}

static const char *without_www(const char *host)
{
    return strncmp(host, "www.", 4) == 0 && host[4] ? host + 4 : host;
}

typedef struct {
    const wf_engine *e;
    const wf_classify_in *in;
    wf_arena *a;
    wf_query q;
    wf_url ref;
    int has_ref;
    const wf_ref_entry *rent;
    const char *entry_rest; /* entry URL without the scheme */
    wf_session_class *out;
} ctx;

static void set(ctx *c, wf_source s, wf_rule r, const char *dd1, const char *dd2)
{
    c->out->source = s;
    c->out->rule = r;
    c->out->dd1 = dd1 ? dd1 : "";
    c->out->dd2 = dd2 ? dd2 : "";
}

static void why(ctx *c, const char *p, const char *v, const char *p2, const char *v2)
{
    c->out->trace.param = p;
    c->out->trace.value = v;
    c->out->trace.param2 = p2;
    c->out->trace.value2 = v2;
}

static const char *campaign(ctx *c)
{
    return c->q.utm_campaign ? lower_dup(c->a, c->q.utm_campaign) : "";
}

static const char *term_or_unknown(ctx *c)
{
    return c->q.utm_term ? lower_dup(c->a, c->q.utm_term) : UNKNOWN_KEYWORDS;
}

static int ref_is(const ctx *c, wf_ref_kind k)
{
    return c->rent && c->rent->kind == k;
}

static const char *first_of(const char *a, const char *b)
{
    return a ? a : b;
}

/* The utm values and `source` (S06–S08 look at several at once). */
static void tracking_values(const ctx *c, const char *names[4], const char *vals[4])
{
    names[0] = "utm_source", vals[0] = c->q.utm_source;
    names[1] = "utm_medium", vals[1] = c->q.utm_medium;
    names[2] = "utm_campaign", vals[2] = c->q.utm_campaign;
    names[3] = "source", vals[3] = c->q.source;
}

static int rule_s01(ctx *c)
{
    if (!c->q.utm_medium || strcasecmp(c->q.utm_medium, "social") != 0) return 0;
    const wf_ref_entry *net = wf_reftable_network(c->e->table, c->q.utm_source);
    if (!net && !ref_is(c, WF_REF_SOCIAL)) return 0;
    set(c, SRC_SOCIAL_MEDIA, R_S01, net ? net->name : c->rent->name, campaign(c));
    why(c, "utm_medium", c->q.utm_medium, net ? "utm_source" : NULL, net ? c->q.utm_source : NULL);
    return 1;
}

static int rule_s02(ctx *c)
{
    if (!ci_paid(c->q.source)) return 0;
    set(c, SRC_PAID_SEARCH, R_S02, campaign(c), term_or_unknown(c));
    why(c, "source", c->q.source, NULL, NULL);
    return 1;
}

static int rule_s03(ctx *c)
{
    if (!c->q.gclid) return 0;
    int sole = !c->q.utm_source && !c->q.utm_medium && !c->q.utm_campaign && !c->q.source;
    set(c, SRC_PAID_SEARCH, R_S03, sole ? AUTO_TAGGED : campaign(c), term_or_unknown(c));
    why(c, "gclid", c->q.gclid, NULL, NULL);
    return 1;
}

static int rule_s04(ctx *c)
{
    const wf_ref_entry *net = wf_reftable_network(c->e->table, c->q.utm_source);
    int paid_medium = ci_contains(c->q.utm_medium, "paid") || ci_contains(c->q.utm_medium, "ppc") ||
                      ci_contains(c->q.utm_medium, "cpc");
    int social = net || ref_is(c, WF_REF_SOCIAL);
    int ps_src = ci_contains(c->q.utm_source, "paidsocial");
    int ps_med = ci_contains(c->q.utm_medium, "paidsocial");
    if (!((paid_medium && social) || ps_src || ps_med)) return 0;
    const char *name = net ? net->name : ref_is(c, WF_REF_SOCIAL) ? c->rent->name : c->q.utm_source;
    set(c, SRC_PAID_SOCIAL, R_S04, name, campaign(c));
    if (ps_src)
        why(c, "utm_source", c->q.utm_source, NULL, NULL);
    else
        why(c, "utm_medium", c->q.utm_medium, net ? "utm_source" : NULL,
            net ? c->q.utm_source : NULL);
    return 1;
}

static int rule_s05(ctx *c)
{
    if (!(c->q.utm_source || c->q.utm_medium || c->q.utm_campaign)) return 0;
    if (!c->has_ref || !is_google_search_host(c->e, c->ref.host)) return 0;
    set(c, SRC_PAID_SEARCH, R_S05, campaign(c), term_or_unknown(c));
    const char *n[4], *v[4];
    tracking_values(c, n, v);
    for (int i = 0; i < 3; i++)
        if (v[i]) {
            why(c, n[i], v[i], NULL, NULL);
            break;
        }
    return 1;
}

/* The first of the (3 or 4) tracking values that contains one of words. */
static int any_contains(ctx *c, int count, int paid, const char *word)
{
    const char *n[4], *v[4];
    tracking_values(c, n, v);
    for (int i = 0; i < count; i++)
        if (paid ? ci_paid(v[i]) : ci_contains(v[i], word)) {
            why(c, n[i], v[i], NULL, NULL);
            return 1;
        }
    return 0;
}

static int rule_s06(ctx *c)
{
    if (!any_contains(c, 3, 1, NULL)) return 0;
    set(c, SRC_PAID_SEARCH, R_S06, campaign(c), term_or_unknown(c));
    return 1;
}

static int rule_s07(ctx *c)
{
    if (!any_contains(c, 4, 0, "email")) return 0;
    set(c, SRC_EMAIL_MARKETING, R_S07, campaign(c), first_of(c->q.utm_content, ""));
    return 1;
}

static int rule_s08(ctx *c)
{
    const char *n[4], *v[4];
    tracking_values(c, n, v);
    int i = 0;
    while (i < 4 && !v[i])
        i++;
    if (i == 4) return 0;
    why(c, n[i], v[i], NULL, NULL);
    const char *dd2 = "";
    if (c->q.utm_source && c->q.utm_medium) {
        size_t ls = strlen(c->q.utm_source), lm = strlen(c->q.utm_medium);
        char *j = wf_arena_alloc(c->a, ls + lm + 4);
        if (j) {
            memcpy(j, c->q.utm_source, ls);
            memcpy(j + ls, " / ", 3);
            memcpy(j + ls + 3, c->q.utm_medium, lm + 1);
            dd2 = j;
        }
    } else {
        dd2 = first_of(c->q.utm_source, first_of(c->q.utm_medium, ""));
    }
    set(c, SRC_OTHER_CAMPAIGNS, R_S08, campaign(c), dd2);
    return 1;
}

static const char *search_term(ctx *c)
{
    if (!c->ref.query || !c->rent->param) return UNKNOWN_KEYWORDS;
    wf_query rq;
    wf_query_parse(c->ref.query, c->ref.query_len, c->rent->param, c->a, &rq);
    return rq.search ? lower_dup(c->a, rq.search) : UNKNOWN_KEYWORDS;
}

static void referrer_rules(ctx *c)
{
    const char *dom = c->has_ref ? without_www(c->ref.host) : NULL;
    if (ref_is(c, WF_REF_SOCIAL))
        set(c, SRC_SOCIAL_MEDIA, R_S09, c->rent->name, "");
    else if (ref_is(c, WF_REF_MAIL) || ref_is(c, WF_REF_RSS))
        set(c, SRC_DIRECT_TRAFFIC, R_S10, c->entry_rest, "");
    else if (ref_is(c, WF_REF_SEARCH))
        set(c, SRC_ORGANIC_SEARCH, R_S11, search_term(c), c->rent->name);
    else if (c->out->trace.ref_internal)
        set(c, SRC_DIRECT_TRAFFIC, R_S12, c->entry_rest, "");
    else if (ref_is(c, WF_REF_AI))
        set(c, SRC_AI_REFERRALS, R_S13, wf_arena_strdup(c->a, dom), c->in->referrer);
    else if (c->has_ref)
        set(c, SRC_REFERRALS, R_S14A, wf_arena_strdup(c->a, dom), c->in->referrer);
    else
        set(c, SRC_DIRECT_TRAFFIC, R_S14B, c->entry_rest, "");
}

/* Export-given UTM fields fill what the URL lacks. */
static void export_fallback(ctx *c)
{
    const wf_classify_in *in = c->in;
    const char *const from[5] = {in->utm_source, in->utm_medium, in->utm_campaign, in->utm_term,
                                 in->utm_content};
    const char **to[5] = {&c->q.utm_source, &c->q.utm_medium, &c->q.utm_campaign, &c->q.utm_term,
                          &c->q.utm_content};
    for (int i = 0; i < 5; i++)
        if (!*to[i] && from[i] && *from[i]) {
            const char *v = wf_url_decode(c->a, from[i], strlen(from[i]), 0);
            *to[i] = v && *v ? v : NULL;
        }
}

static void prepare(ctx *c, const wf_site *site)
{
    const wf_classify_in *in = c->in;
    const char *query;
    size_t qn;
    wf_url_split(in->url, &c->entry_rest, &query, &qn);
    if (query) wf_query_parse(query, qn, NULL, c->a, &c->q);
    export_fallback(c);
    c->out->has_tracking =
        c->q.utm_source || c->q.utm_medium || c->q.utm_campaign || c->q.source || c->q.gclid;
    if (in->referrer && *in->referrer) {
        wf_url_parse(in->referrer, &c->ref);
        c->has_ref = c->ref.ok;
        c->out->trace.ref_unparsable = !c->ref.ok;
    }
    if (c->has_ref) {
        c->out->trace.ref_host = wf_arena_strdup(c->a, c->ref.host);
        c->out->trace.ref_internal = !c->ref.is_app && wf_site_is_internal(site, c->ref.host);
        c->rent = wf_referrer_lookup(c->e, c->ref.host);
        c->out->trace.ref = c->rent;
    }
}

void wf_classify_session(const wf_engine *e, const wf_classify_in *in, const wf_site *site,
                         wf_arena *a, wf_session_class *out)
{
    memset(out, 0, sizeof *out);
    ctx c = {.e = e, .in = in, .a = a, .out = out};
    prepare(&c, site);
    int (*const tracking_rules[])(ctx *) = {rule_s01, rule_s02, rule_s03, rule_s04,
                                            rule_s05, rule_s06, rule_s07, rule_s08};
    if (out->has_tracking)
        for (size_t i = 0; i < sizeof tracking_rules / sizeof tracking_rules[0]; i++)
            if (tracking_rules[i](&c)) return;
    referrer_rules(&c);
}

static void kv(wf_buf *o, const char *k, const char *v)
{
    wf_buf_printf(o, "%s=%s", k, v ? v : "");
}

void wf_class_trace_text(const wf_session_class *c, wf_buf *o)
{
    const wf_class_trace *t = &c->trace;
    const char *net = t->ref ? t->ref->name : NULL;
    switch (c->rule) {
    case R_S01:
    case R_S04:
        kv(o, t->param, t->value);
        if (t->param2) {
            wf_buf_puts(o, " and ");
            kv(o, t->param2, t->value2);
            wf_buf_printf(o, ", a known social network (%s)", c->dd1);
        } else if (net && c->rule == R_S01) {
            wf_buf_printf(o, " on a visit from %s (%s)", t->ref_host, net);
        } else if (net && c->rule == R_S04 && t->ref && t->ref->kind == WF_REF_SOCIAL) {
            wf_buf_printf(o, " on a visit from %s (%s)", t->ref_host, net);
        }
        break;
    case R_S02:
    case R_S03:
    case R_S06:
    case R_S07:
    case R_S08:
        kv(o, t->param, t->value);
        if (c->rule == R_S03 && strcmp(c->dd1, AUTO_TAGGED) == 0)
            wf_buf_puts(o, " is the only tracking parameter (auto-tagged)");
        break;
    case R_S05:
        kv(o, t->param, t->value);
        wf_buf_printf(o, " on a visit from Google search (%s)", t->ref_host);
        break;
    case R_S09:
    case R_S10:
    case R_S11:
    case R_S13:
        wf_buf_printf(o, "referrer %s is listed as %s (%s)", t->ref_host,
                      t->ref->kind == WF_REF_SEARCH   ? "a search engine"
                      : t->ref->kind == WF_REF_SOCIAL ? "a social network"
                      : t->ref->kind == WF_REF_AI     ? "an AI assistant"
                      : t->ref->kind == WF_REF_RSS    ? "an RSS reader"
                                                      : "a web-mail site",
                      t->ref->name);
        break;
    case R_S12:
        wf_buf_printf(o, "referrer %s is one of the site's own domains%s", t->ref_host, "");
        break;
    case R_S14A:
        wf_buf_printf(o, "referrer %s is not in any list", t->ref_host);
        break;
    default:
        wf_buf_puts(o, t->ref_unparsable ? "the referrer could not be read as a URL, and no "
                                           "tracking parameter"
                                         : "no referrer and no tracking parameter");
        break;
    }
}
