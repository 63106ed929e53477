/* Reconciliation (§8): each stored change of hs_analytics_source gets a
 * cause class, and is marked explained when the replay accounts for it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/explain_priv.h"

#define NEAR_MS (60 * 1000)

static int near(wf_ms a, wf_ms b)
{
    return a != WF_TIME_NONE && b != WF_TIME_NONE && wf_ms_within(a, b, NEAR_MS);
}

static int s_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

static const char *klass(const wf_history *h)
{
    return wf_sourcetype_class(wf_sourcetype_from_code(h->source_type));
}

static int is_first_visit_property(const char *p)
{
    return p && (strcmp(p, "hs_analytics_first_timestamp") == 0 ||
                 strcmp(p, "hs_analytics_first_url") == 0 ||
                 strcmp(p, "hs_analytics_first_referrer") == 0);
}

static int cmp_ms(const void *pa, const void *pb)
{
    wf_ms a = *(const wf_ms *)pa, b = *(const wf_ms *)pb;
    return (a > b) - (a < b);
}

/* Times at which a first-visit property moved, sorted (§8 evidence of an
 * earlier visit); one pass, so long histories stay linear. */
typedef struct {
    wf_ms *t;
    size_t n;
    const wf_change **visits; /* replayed earlier-visit changes */
    size_t n_visits;
} moments;

static wf_status first_visit_moments(const wf_facts *f, moments *m)
{
    m->n = 0;
    m->t = malloc((f->n_history ? f->n_history : 1) * sizeof *m->t);
    if (!m->t) return WF_E_NOMEM;
    for (size_t i = 0; i < f->n_history; i++)
        if (is_first_visit_property(f->history[i].property)) m->t[m->n++] = f->history[i].at;
    qsort(m->t, m->n, sizeof *m->t, cmp_ms);
    return WF_OK;
}

static wf_status visit_changes(const wf_explanation *x, moments *m)
{
    m->n_visits = 0;
    m->visits = malloc((x->n_changes ? x->n_changes : 1) * sizeof *m->visits);
    if (!m->visits) return WF_E_NOMEM;
    for (size_t i = 0; i < x->n_changes; i++)
        if (x->changes[i].cause == WF_CAUSE_EARLIER_VISIT)
            m->visits[m->n_visits++] = &x->changes[i];
    return WF_OK;
}

/* Did a first-visit property move at the same moment? */
static int first_moved(const moments *m, const wf_history *h)
{
    size_t lo = 0, hi = m->n;
    wf_ms from = h->at < INT64_MIN + NEAR_MS ? INT64_MIN : h->at - NEAR_MS;
    while (lo < hi) { /* first moment >= from */
        size_t mid = lo + (hi - lo) / 2;
        if (m->t[mid] < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n && near(m->t[lo], h->at);
}

static const wf_merge *merge_near(const wf_facts *f, wf_ms at)
{
    for (size_t i = 0; i < f->n_merges; i++)
        if (near(f->merges[i].at, at)) return &f->merges[i];
    return NULL;
}

/* The merge whose merged record was created at about that time. */
static const wf_merge *merged_created_near(const wf_facts *f, wf_ms at)
{
    for (size_t i = 0; i < f->n_merges; i++)
        if (near(f->merges[i].merged_created_at, at)) return &f->merges[i];
    return NULL;
}

/* The replayed earlier-visit change (C04) that gives a stored value. */
static const wf_change *replayed(const moments *m, const char *value)
{
    for (size_t i = 0; i < m->n_visits; i++)
        if (s_eq(m->visits[i]->to.source, value)) return m->visits[i];
    return NULL;
}

static void set_cause(wf_recon *r, wf_cause c, int explained, const char *note)
{
    r->cause = c;
    r->explained = explained;
    r->note = note;
}

/* ANALYTICS / CALCULATED: HubSpot's own computation. */
static void classify_computed(builder *b, const moments *mv, const wf_history *h, wf_recon *r)
{
    const wf_facts *f = b->f;
    const wf_explanation *x = b->x;
    const char *v = h->value ? h->value : "";
    const wf_merge *m;
    if (near(h->at, f->created_at)) {
        const wf_change *c = x->n_changes ? &x->changes[0] : NULL;
        int same = c && s_eq(c->to.source, v);
        set_cause(r, WF_CAUSE_CREATION, same,
                  same ? "HubSpot computed the value when the contact was created; the "
                         "replay starts with the same value."
                       : wf_x_fmt(b,
                                  "HubSpot computed %s at creation, but the replay starts "
                                  "with %s.",
                                  v, c ? c->to.source : "no value"));
    } else if ((m = merged_created_near(f, h->at))) {
        set_cause(r, WF_CAUSE_CREATION,
                  s_eq(v, "OFFLINE") && m->merged_channel && strcmp(m->merged_channel, "FORM"),
                  wf_x_fmt(b,
                           "HubSpot computed the value when record %lld, merged in later, was "
                           "created; it belongs to that record's history (C07).",
                           (long long)m->merged_id));
    } else if (replayed(mv, v)) {
        set_cause(r, WF_CAUSE_EARLIER_VISIT, 1,
                  "An earlier visit was found (C04); the replay makes the same change.");
    } else if (first_moved(mv, h)) {
        set_cause(r, WF_CAUSE_EARLIER_VISIT, 0,
                  "The first-visit properties moved earlier at the same moment (an earlier "
                  "visit was found), but the imported visits do not show it.");
    } else {
        set_cause(r, WF_CAUSE_UNEXPLAINED, 0,
                  "HubSpot recomputed the value later, and no earlier visit in the imported "
                  "data explains it.");
    }
}

static void classify(builder *b, const moments *mv, const wf_history *h, wf_recon *r)
{
    const char *k = klass(h);
    if (strcmp(k, "computed") == 0)
        classify_computed(b, mv, h, r);
    else if (strcmp(k, "manual-edit") == 0)
        set_cause(r, WF_CAUSE_MANUAL_EDIT, 1,
                  "Set by hand (C06); HubSpot cleared both drill-downs.");
    else if (strcmp(k, "data-load") == 0)
        set_cause(r, WF_CAUSE_DATA_LOAD, 1,
                  "Written by a data load (C08); wherefrom applies it like a manual edit "
                  "(assumed).");
    else if (strcmp(k, "merge") == 0 || merge_near(b->f, h->at))
        set_cause(r, WF_CAUSE_MERGE, 1,
                  "Changed by a merge (C07): HubSpot keeps the primary record's value, "
                  "wherefrom takes the earliest interaction of either record (assumed).");
    else
        set_cause(r, WF_CAUSE_UNEXPLAINED, 0,
                  wf_x_fmt(b,
                           "No rule explains a change by source type %s; the raw entry is "
                           "shown as stored.",
                           h->source_type ? h->source_type : "(none)"));
}

/* C10: the API (or an integration) created the contact seconds before a
 * tracked form, HubSpot kept OFFLINE, the replay says otherwise. */
static int api_race(const builder *b)
{
    const wf_facts *f = b->f;
    const wf_explanation *x = b->x;
    if (!f->channel || (strcmp(f->channel, "API") != 0 && strcmp(f->channel, "INTEGRATION") != 0))
        return 0;
    if (!x->has_stored || !s_eq(x->stored.source, "OFFLINE")) return 0;
    if (s_eq(x->computed.value.source, "OFFLINE")) return 0;
    for (size_t i = 0; i < f->n_forms; i++) {
        const wf_form *m = &f->forms[i];
        if (m->token && !m->filtered_ip && m->at >= f->created_at &&
            wf_ms_within(m->at, f->created_at, NEAR_MS))
            return 1;
    }
    return 0;
}

wf_status wf_x_reconcile(builder *b)
{
    const wf_facts *f = b->f;
    wf_explanation *x = b->x;
    moments mv = {0};
    if (first_visit_moments(f, &mv) != WF_OK || visit_changes(x, &mv) != WF_OK) {
        free(mv.t);
        free(mv.visits);
        return WF_E_NOMEM;
    }
    for (size_t i = 0; i < f->n_history; i++) {
        const wf_history *h = &f->history[i];
        if (!h->property || strcmp(h->property, "hs_analytics_source") != 0) continue;
        if (x->n_recon == b->cap_recon) {
            size_t cap = b->cap_recon ? b->cap_recon * 2 : 8;
            wf_recon *nr = realloc(x->recon, cap * sizeof *nr);
            if (!nr) {
                free(mv.t);
                free(mv.visits);
                return WF_E_NOMEM;
            }
            x->recon = nr;
            b->cap_recon = cap;
        }
        wf_recon *r = &x->recon[x->n_recon++];
        memset(r, 0, sizeof *r);
        r->at = h->at;
        r->value = h->value;
        r->source_type = h->source_type;
        r->source_id = h->source_id;
        r->history_id = h->id;
        r->timeline = b->hist_item[i];
        classify(b, &mv, h, r);
        if (r->cause == WF_CAUSE_UNEXPLAINED) x->flags |= F_UNEXPLAINED_CHANGE;
    }
    free(mv.t);
    free(mv.visits);
    /* the loader sorts by time; hand-built facts may not */
    for (size_t i = 1; i < x->n_recon; i++)
        for (size_t j = i; j > 0 && x->recon[j].at < x->recon[j - 1].at; j--) {
            wf_recon t = x->recon[j];
            x->recon[j] = x->recon[j - 1];
            x->recon[j - 1] = t;
        }
    if (api_race(b)) {
        x->flags |= F_API_RACE;
        wf_status st = wf_x_add_step(
            b, f->created_at, R_C10,
            wf_x_fmt(b,
                     "HubSpot shows %s, but a tracked form was submitted within a minute of the "
                     "API creation: this is the known API race (C10), in which HubSpot keeps "
                     "Offline sources although the visitor's session is earlier.",
                     wf_source_label_of(x->stored.source)),
            b->creation_item, WF_NO_INDEX);
        /* a diagnosis, not a replay event: told after the replay's steps */
        if (st == WF_OK) x->steps[x->n_steps - 1].order_at = WF_TIME_MAX;
        return st;
    }
    return WF_OK;
}
