/* The generator's model of a HubSpot portal: who the contacts are, how they
 * were created, when they visited and from where, and what HubSpot's property
 * history would say about their Original Source (ATTRIBUTION.md §2-§9).
 *
 * Every contact is drawn from its own random stream (seed, index), so the
 * same contact comes out of every format, and a session's page views can be
 * regenerated from the session's own seed without storing them. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"
#include "gen_tables.h"

/* ---- random numbers ------------------------------------------------------ */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void gen_rng_seed(gen_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t gen_rng_next(gen_rng *r)
{
    uint64_t *s = r->s;
    uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return out;
}

uint32_t gen_rng_below(gen_rng *r, uint32_t n)
{
    return (uint32_t)(((gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

double gen_rng_unit(gen_rng *r)
{
    return (double)(gen_rng_next(r) >> 11) * 0x1.0p-53;
}

static double rng_exp(gen_rng *r, double mean)
{
    return -mean * log(1.0 - gen_rng_unit(r));
}

#define PICK(r, arr) (arr)[gen_rng_below((r), (uint32_t)(sizeof(arr) / sizeof((arr)[0])))]

const char *gen_hprop_name(gen_hprop p)
{
    static const char *const names[] = {
#define WF_X(e, n) n,
        GEN_HPROP_TABLE(WF_X)
#undef WF_X
    };
    return (unsigned)p < HP_COUNT ? names[p] : "";
}

/* ---- per-contact scratch ------------------------------------------------- */

#define MS_DAY 86400000LL
#define WINDOW_START 1640995200000LL /* 2022-01-01 */
#define WINDOW_END 1761955200000LL   /* 2025-11-01: nothing happens after it */
#define CREATE_END 1759276800000LL   /* 2025-10-01: last creation */

typedef struct {
    wf_ms at;
    uint64_t seed;
    uint32_t npages;
    uint8_t kind;
} gen_session;

struct gen_model {
    const gen_opts *o;
    gen_sink *sink;
    gen_stats *st;
    gen_tables tab;
    char pool[1 << 16];
    size_t pool_n;
    gen_session *ses;
    size_t ses_cap, nses;
    int64_t event_seq;
};
typedef struct gen_model gen_model;

static const char *pool_put(gen_model *m, const char *s)
{
    size_t n = strlen(s) + 1;
    if (m->pool_n + n > sizeof m->pool) return ""; /* cannot happen with our sizes */
    char *p = m->pool + m->pool_n;
    memcpy(p, s, n);
    m->pool_n += n;
    return p;
}

static const char *pool_fmt(gen_model *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *pool_fmt(gen_model *m, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    return pool_put(m, tmp);
}

/* HubSpot's v3 API gives datetime properties as ISO-8601 strings. */
static const char *pool_iso(gen_model *m, wf_ms t)
{
    char buf[WF_TIME_BUFSZ];
    return pool_put(m, wf_time_iso(t, buf));
}

/* ---- sessions ------------------------------------------------------------ */

/* Sessions per contact: most 0-5, a long tail up to thousands. Calibrated so
 * that the mean is about ten page views per contact. */
static uint32_t draw_session_count(gen_rng *r)
{
    double u = gen_rng_unit(r);
    if (u < 0.30) return 0;
    if (u < 0.82) return 1 + gen_rng_below(r, 5);
    if (u < 0.98) return (uint32_t)(6.0 * pow(40.0 / 6.0, gen_rng_unit(r)));
    double v = 40.0 / pow(1.0 - gen_rng_unit(r), 1.0 / 1.4); /* Pareto, alpha 1.4 */
    return v > 3000 ? 3000 : (uint32_t)v;
}

static uint32_t draw_pages(gen_rng *r)
{
    uint32_t n = 1;
    while (n < 40 && gen_rng_unit(r) < 0.34)
        n++;
    return n;
}

static wf_status ses_reserve(gen_model *m, size_t n)
{
    if (n <= m->ses_cap) return WF_OK;
    size_t cap = m->ses_cap ? m->ses_cap : 4096;
    while (cap < n)
        cap *= 2;
    gen_session *p = realloc(m->ses, cap * sizeof *p);
    if (!p) return WF_E_NOMEM;
    m->ses = p;
    m->ses_cap = cap;
    return WF_OK;
}

static void ses_add(gen_model *m, gen_rng *r, wf_ms at, int kind, uint32_t npages)
{
    gen_session *s = &m->ses[m->nses++];
    s->at = at;
    s->seed = gen_rng_next(r);
    s->kind = (uint8_t)(kind >= 0 ? kind : gen_tables_session_kind(r));
    s->npages = npages ? npages : draw_pages(r);
}

static int ses_cmp(const void *a, const void *b)
{
    const gen_session *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

static wf_ms clamp_end(wf_ms t)
{
    return t >= WINDOW_END ? WINDOW_END - 1000 : t;
}

/* ---- the contact plan ---------------------------------------------------- */

typedef struct {
    gen_contact c;
    const gen_channel *ch;
    wf_ms link_at;  /* when a form or email click linked the visitor, or 0 */
    int link_email; /* linked by an email click rather than a form */
    int api_race;   /* API created it seconds before a tracked form (C10) */
    int manual;     /* a user later edited the source by hand (C06) */
    int written;    /* an import wrote the source (C08) */
} gen_plan;

static void hist(gen_contact *c, gen_hprop p, const char *v, wf_ms at, const char *type,
                 const char *sid, const char *uid)
{
    if (c->nhist >= GEN_MAX_HIST) return;
    c->hist[c->nhist++] = (gen_hentry){p, v, at, type, sid, uid};
}

static void prop(gen_contact *c, const char *name, const char *value)
{
    if (c->nprops >= GEN_MAX_PROPS || !value) return;
    c->props[c->nprops++] = (gen_prop){name, value};
}

static void plan_identity(gen_model *m, gen_rng *r, gen_plan *p, int64_t id)
{
    gen_contact *c = &p->c;
    const char *fa, *la;
    gen_tables_person(r, &c->firstname, &fa, &c->lastname, &la);
    c->id = id;
    c->company = PICK(r, gen_companies);
    c->email = pool_fmt(m, "%s.%s%lld@%s", fa, la, (long long)id, PICK(r, gen_mail_domains));
    c->created = WINDOW_START + (wf_ms)(gen_rng_unit(r) * (double)(CREATE_END - WINDOW_START));
    c->token = pool_fmt(m, "%016llx%016llx", (unsigned long long)gen_rng_next(r),
                        (unsigned long long)gen_rng_next(r));
}

static void plan_channel(gen_model *m, gen_rng *r, gen_plan *p)
{
    gen_contact *c = &p->c;
    p->ch = gen_tables_channel(r);
    char detail[64];
    gen_tables_channel_detail(&m->tab, p->ch, r, detail, &c->channel_label);
    c->channel_detail = pool_put(m, detail);
    c->channel = p->ch->code;
    m->st->channel_count[p->ch->kind]++;
    p->api_race = p->ch->kind == GCH_API && gen_rng_unit(r) < 0.08;
    p->manual = gen_rng_unit(r) < 0.015;
    p->written = p->ch->kind == GCH_IMPORT && gen_rng_unit(r) < 0.01;
}

/* Sessions: the creating session of a tracked form, visits before creation
 * (anonymous until a form or an email click links them), visits after. */
static wf_status plan_sessions(gen_model *m, gen_rng *r, gen_plan *p, int heavy)
{
    gen_contact *c = &p->c;
    int tracked = p->ch->tracked || p->api_race;
    /* heavy: exactly o->heavy page views, two per session, extras included */
    uint32_t extras = (uint32_t)(p->ch->tracked + p->api_race + !tracked), hp = heavy ? 2 : 0;
    uint32_t n = heavy ? (uint32_t)(m->o->heavy / 2) - extras : draw_session_count(r);
    wf_status st = ses_reserve(m, (size_t)n + 4);
    if (st != WF_OK) return st;
    m->nses = 0;
    double before = tracked ? 0.4 : (gen_rng_unit(r) < 0.25 ? 0.5 : 0.0);
    if (p->ch->tracked) ses_add(m, r, c->created - 30000 - gen_rng_below(r, 600000), -1, hp);
    if (p->api_race) ses_add(m, r, c->created - 60000 - gen_rng_below(r, 600000), -1, hp);
    for (uint32_t i = 0; i < n; i++) {
        wf_ms at = gen_rng_unit(r) < before
                       ? c->created - 120000 - (wf_ms)rng_exp(r, 40.0 * MS_DAY)
                       : c->created + 60000 + (wf_ms)(gen_rng_unit(r) * (WINDOW_END - c->created));
        ses_add(m, r, clamp_end(at), -1, hp);
    }
    /* An offline contact with visits gets linked later: an email click (its
     * session comes from the email) or a form on some visit. */
    if (!tracked && m->nses > 0) {
        p->link_email = gen_rng_unit(r) < 0.45;
        p->link_at = clamp_end(c->created + 3600000 + (wf_ms)rng_exp(r, 45.0 * MS_DAY));
        ses_add(m, r, p->link_at, p->link_email ? GK_EMAIL : -1, hp);
    }
    if (p->ch->tracked) p->link_at = c->created;
    if (p->api_race) p->link_at = c->created + 2000 + gen_rng_below(r, 48000);
    qsort(m->ses, m->nses, sizeof *m->ses, ses_cmp);
    return WF_OK;
}

/* ---- session entry pages and their classification ----------------------- */

static void entry_of(gen_model *m, const gen_session *s, gen_entry *e)
{
    gen_rng r;
    gen_rng_seed(&r, s->seed);
    gen_tables_entry(&m->tab, &r, s->kind, e);
}

/* ---- history ------------------------------------------------------------- */

static const char *const analytics_ids[] = {"ContactAnalyticsDetailsUpdateWorker",
                                            "WebAnalyticsPropertyCalculation"};

static void hist_source(gen_model *m, gen_plan *p, wf_ms at, const char *type, const char *sid,
                        const char *uid, const char *src, const char *dd1, const char *dd2)
{
    gen_contact *c = &p->c;
    hist(c, HP_SOURCE, pool_put(m, src), at, type, sid, uid);
    hist(c, HP_DD1, pool_put(m, dd1), at, type, sid, uid);
    hist(c, HP_DD2, pool_put(m, dd2), at, type, sid, uid);
    c->src = c->hist[c->nhist - 3].value;
    c->dd1 = c->hist[c->nhist - 2].value;
    c->dd2 = c->hist[c->nhist - 1].value;
}

static void hist_first(gen_model *m, gen_plan *p, wf_ms at, wf_ms first, const gen_entry *e,
                       const char *sid)
{
    gen_contact *c = &p->c;
    hist(c, HP_FIRST_TS, pool_iso(m, first), at, "ANALYTICS", sid, NULL);
    c->first_at = first;
    if (!e) return;
    c->first_url = pool_put(m, e->url);
    c->first_ref = e->ref[0] ? pool_put(m, e->ref) : NULL;
    hist(c, HP_FIRST_URL, c->first_url, at, "ANALYTICS", sid, NULL);
    if (c->first_ref) hist(c, HP_FIRST_REF, c->first_ref, at, "ANALYTICS", sid, NULL);
}

/* At creation HubSpot computes the source about ten seconds later: OFFLINE
 * with the channel, or the earliest linked session for a tracked form. */
static void history_creation(gen_model *m, gen_rng *r, gen_plan *p, const gen_entry *first)
{
    gen_contact *c = &p->c;
    wf_ms at = c->created + 5000 + gen_rng_below(r, 8000);
    const char *sid = PICK(r, analytics_ids);
    if (p->written) {
        const gen_written *w = &PICK(r, gen_written_values);
        hist_source(m, p, c->created, "IMPORT", c->channel_detail, NULL, w->src, w->dd1, "");
        hist_first(m, p, at, c->created, NULL, sid);
        return;
    }
    if (p->ch->tracked && first) {
        hist_source(m, p, at, "ANALYTICS", sid, NULL, first->src, first->dd1, first->dd2);
        hist_first(m, p, at, m->ses[0].at, first, sid);
        return;
    }
    hist_source(m, p, at, "ANALYTICS", sid, NULL, "OFFLINE", p->ch->dd1, c->channel_detail);
    hist_first(m, p, at, c->created, NULL, sid);
}

/* C04: a later link brings in a session that predates creation. HubSpot
 * rewrites the source (ANALYTICS) and moves the first-visit properties. */
static void history_link(gen_model *m, gen_rng *r, gen_plan *p, const gen_entry *first)
{
    gen_contact *c = &p->c;
    if (!p->link_at || p->ch->tracked || p->api_race || p->written || !first) return;
    if (m->ses[0].at >= c->created) return;
    wf_ms at = p->link_at + 3000 + gen_rng_below(r, 20000);
    const char *sid = PICK(r, analytics_ids);
    hist_source(m, p, at, "ANALYTICS", sid, NULL, first->src, first->dd1, first->dd2);
    hist_first(m, p, at, m->ses[0].at, first, sid);
}

/* C06: a user sets the source by hand; HubSpot clears both drill-downs. */
static void history_manual(gen_model *m, gen_rng *r, gen_plan *p)
{
    gen_contact *c = &p->c;
    if (!p->manual) return;
    wf_ms base = p->link_at > c->created ? p->link_at : c->created;
    wf_ms at = clamp_end(base + MS_DAY + (wf_ms)rng_exp(r, 60.0 * MS_DAY));
    const char *uid = pool_fmt(m, "%u", 1000000 + gen_rng_below(r, 40));
    const char *sid = pool_fmt(m, "userId:%s", uid);
    hist_source(m, p, at, "CRM_UI", sid, uid, PICK(r, gen_manual_values), "", "");
}

/* ---- stored values and properties --------------------------------------- */

static void plan_latest(gen_model *m, gen_plan *p)
{
    gen_contact *c = &p->c;
    if (m->nses == 0) {
        c->latest = c->src;
        c->latest_dd1 = c->dd1;
        c->latest_dd2 = c->dd2;
        c->latest_at = c->created;
        return;
    }
    gen_entry e;
    entry_of(m, &m->ses[m->nses - 1], &e);
    c->latest = e.src;
    c->latest_dd1 = pool_put(m, e.dd1);
    c->latest_dd2 = pool_put(m, e.dd2);
    c->latest_at = m->ses[m->nses - 1].at;
}

static void plan_props(gen_model *m, gen_rng *r, gen_plan *p)
{
    gen_contact *c = &p->c;
    prop(c, "hs_object_source", p->ch->object_source);
    prop(c, "hs_object_source_id", c->channel_detail);
    prop(c, "hs_object_source_label", c->channel_label);
    prop(c, "lifecyclestage", PICK(r, gen_lifecycle));
    prop(c, "hs_analytics_num_visits", pool_fmt(m, "%lld", (long long)c->n_sessions));
    prop(c, "hs_analytics_num_page_views", pool_fmt(m, "%lld", (long long)c->n_pageviews));
    prop(c, "hs_latest_source_timestamp", pool_iso(m, c->latest_at));
    prop(c, "jobtitle", PICK(r, gen_jobtitles));
    prop(c, "country", PICK(r, gen_countries));
    if (c->merged_id) prop(c, "hs_merged_object_ids", pool_fmt(m, "%lld", (long long)c->merged_id));
}

static void plan_forms(gen_model *m, gen_rng *r, gen_plan *p)
{
    gen_contact *c = &p->c;
    const char *fid = pool_put(m, gen_tables_form_id(&m->tab, r));
    const char *conv = pool_fmt(
        m, "%08llx-%04x-4%03x-a%03x-%012llx", (unsigned long long)(gen_rng_next(r) & 0xffffffffULL),
        gen_rng_below(r, 65536), gen_rng_below(r, 4096), gen_rng_below(r, 4096),
        (unsigned long long)(gen_rng_next(r) & 0xffffffffffffULL));
    if (p->ch->kind == GCH_FORM_FILTERED) {
        c->channel_detail = fid;
        c->forms[c->nforms++] = (gen_form){
            c->created, fid, conv, "https://www.example.com/demo", "Book a demo", NULL, 1};
        return;
    }
    if (!p->link_at) return;
    if (p->link_email && !p->ch->tracked && !p->api_race) {
        gen_entry e = {0};
        for (size_t i = 0; i < m->nses; i++) /* the session the email click started */
            if (m->ses[i].at == p->link_at && m->ses[i].kind == GK_EMAIL)
                entry_of(m, &m->ses[i], &e);
        c->clicks[c->nclicks++] =
            (gen_click){p->link_at, pool_put(m, e.url), pool_put(m, e.utm_content),
                        pool_put(m, e.utm_campaign), c->token};
        return;
    }
    if (p->ch->tracked) c->channel_detail = fid;
    c->forms[c->nforms++] = (gen_form){
        p->link_at, fid, conv, "https://www.example.com/demo", "Book a demo", c->token, 0};
}

/* ---- emitting ------------------------------------------------------------ */

static wf_status emit_pageviews(gen_model *m, const gen_contact *c)
{
    for (size_t i = 0; i < m->nses; i++) {
        const gen_session *s = &m->ses[i];
        gen_entry e;
        entry_of(m, s, &e);
        gen_rng r;
        gen_rng_seed(&r, s->seed ^ 0x5bd1e995ULL);
        char sid[24], ext[48], url[640], prev[640];
        snprintf(sid, sizeof sid, "%llu", (unsigned long long)(s->seed >> 20));
        gen_pv pv = {.contact = c->id, .at = s->at, .session_id = sid, .ext_id = ext};
        pv.user_agent = gen_tables_user_agent(c->id);
        for (uint32_t j = 0; j < s->npages; j++) {
            uint64_t seq = (uint64_t)++m->event_seq;
            snprintf(ext, sizeof ext, "%012llx-%04x-4%03x-%04x", (unsigned long long)seq,
                     (unsigned)(s->seed & 0xffff), j & 0xfff, (unsigned)((s->seed >> 16) & 0xffff));
            if (j == 0) {
                pv.url = e.url;
                pv.referrer = e.ref[0] ? e.ref : NULL;
                pv.utm_source = e.utm_source[0] ? e.utm_source : NULL;
                pv.utm_medium = e.utm_medium[0] ? e.utm_medium : NULL;
                pv.utm_campaign = e.utm_campaign[0] ? e.utm_campaign : NULL;
                pv.utm_term = e.utm_term[0] ? e.utm_term : NULL;
                pv.utm_content = e.utm_content[0] ? e.utm_content : NULL;
                pv.title = gen_tables_title(e.url);
            } else {
                memcpy(prev, pv.url, strlen(pv.url) + 1);
                pv.referrer = prev;
                pv.url = gen_tables_site_page(&r, url, sizeof url);
                pv.utm_source = pv.utm_medium = pv.utm_campaign = pv.utm_term = NULL;
                pv.utm_content = NULL;
                pv.title = gen_tables_title(url);
                pv.at += 10000 + gen_rng_below(&r, 240000);
            }
            wf_status st = m->sink->pageview(m->sink, &pv);
            if (st != WF_OK) return st;
        }
    }
    return WF_OK;
}

static void count(gen_model *m, const gen_contact *c)
{
    gen_stats *st = m->st;
    st->contacts++;
    st->sessions += c->n_sessions;
    st->pageviews += c->n_pageviews;
    st->history += c->nhist;
    st->props += c->nprops;
    st->forms += c->nforms;
    st->clicks += c->nclicks;
}

/* A record merged into the survivor (C07): older, created offline. Written
 * only to the database (a v3 export no longer lists merged-away records). */
static wf_status emit_merged(gen_model *m, gen_rng *r, gen_plan *p)
{
    gen_contact *c = &p->c;
    if (!c->merged_id) return WF_OK;
    gen_contact s = {.id = c->merged_id, .merged_into = c->id};
    s.created = c->created - MS_DAY - (wf_ms)rng_exp(r, 200.0 * MS_DAY);
    s.firstname = c->firstname;
    s.lastname = c->lastname;
    s.company = c->company;
    s.email = pool_fmt(m, "%lld.%s", (long long)s.id, c->email);
    s.channel = "IMPORT";
    s.channel_detail = pool_fmt(m, "%u", 40000000 + gen_rng_below(r, 400));
    s.channel_label = "Legacy list";
    s.token = c->token;
    s.updated = c->merged_at;
    wf_ms at = s.created + 9000;
    s.hist[s.nhist++] = (gen_hentry){HP_SOURCE, "OFFLINE", at, "ANALYTICS", analytics_ids[0], NULL};
    s.hist[s.nhist++] = (gen_hentry){HP_DD1, "IMPORT", at, "ANALYTICS", analytics_ids[0], NULL};
    s.hist[s.nhist++] =
        (gen_hentry){HP_DD2, s.channel_detail, at, "ANALYTICS", analytics_ids[0], NULL};
    s.src = "OFFLINE";
    s.dd1 = "IMPORT";
    s.dd2 = s.channel_detail;
    s.latest = s.src;
    s.latest_at = s.created;
    s.first_at = s.created;
    m->st->merged++;
    return m->sink->contact(m->sink, &s);
}

static void plan_merge(gen_model *m, gen_rng *r, gen_plan *p, int64_t index)
{
    gen_contact *c = &p->c;
    if (gen_rng_unit(r) >= 0.01) return;
    c->merged_id = 900000000LL + index;
    c->merged_at = clamp_end(c->created + MS_DAY + (wf_ms)rng_exp(r, 90.0 * MS_DAY));
    c->merge_user = pool_fmt(m, "%u", 1000000 + gen_rng_below(r, 40));
    (void)m;
}

static wf_status one_contact(gen_model *m, int64_t index)
{
    gen_rng r;
    gen_rng_seed(&r, m->o->seed * 0x100000001b3ULL + (uint64_t)index);
    gen_plan p;
    memset(&p, 0, sizeof p);
    m->pool_n = 0;
    plan_identity(m, &r, &p, 1001 + index);
    plan_channel(m, &r, &p);
    wf_status st = plan_sessions(m, &r, &p, index == 0 && m->o->heavy > 0);
    if (st != WF_OK) return st;
    gen_contact *c = &p.c;
    c->n_sessions = (int64_t)m->nses;
    for (size_t i = 0; i < m->nses; i++)
        c->n_pageviews += m->ses[i].npages;
    gen_entry first;
    if (m->nses) entry_of(m, &m->ses[0], &first);
    plan_forms(m, &r, &p);
    history_creation(m, &r, &p, m->nses ? &first : NULL);
    history_link(m, &r, &p, m->nses ? &first : NULL);
    history_manual(m, &r, &p);
    if (m->nses && p.link_at) { /* the visits are linked: HubSpot shows the first one */
        c->first_visit_at = m->ses[0].at;
        if (!c->first_url) {
            c->first_url = pool_put(m, first.url);
            c->first_ref = first.ref[0] ? pool_put(m, first.ref) : NULL;
        }
    }
    plan_latest(m, &p);
    plan_merge(m, &r, &p, index);
    plan_props(m, &r, &p);
    c->updated = c->nhist ? c->hist[c->nhist - 1].at : c->created;
    if (c->latest_at > c->updated) c->updated = c->latest_at;
    st = m->sink->contact(m->sink, c);
    if (st == WF_OK) st = emit_pageviews(m, c);
    if (st == WF_OK) st = emit_merged(m, &r, &p);
    count(m, c);
    return st;
}

const char *gen_channel_name(int k)
{
    return gen_tables_channel_name(k);
}

wf_status gen_run(const gen_opts *o, gen_stats *st, char *err, size_t errsz)
{
    memset(st, 0, sizeof *st);
    gen_model *m = calloc(1, sizeof *m);
    if (!m) return WF_E_NOMEM;
    m->o = o;
    m->st = st;
    wf_status s = gen_tables_init(&m->tab, o->referrers, err, errsz);
    if (s == WF_OK) {
        m->sink = o->format == GEN_V3    ? gen_sink_v3_new(o, err, errsz)
                  : o->format == GEN_CSV ? gen_sink_csv_new(o, err, errsz)
                                         : gen_sink_db_new(o, err, errsz);
        if (!m->sink) s = WF_E_IO;
    }
    for (int64_t i = 0; s == WF_OK && i < o->contacts; i++)
        s = one_contact(m, i);
    if (m->sink) {
        wf_status f = m->sink->finish(m->sink, s == WF_OK);
        if (s == WF_OK) s = f;
    }
    gen_tables_free(&m->tab);
    free(m->ses);
    free(m);
    return s;
}
