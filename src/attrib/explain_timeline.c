/* The explanation's timeline: every fact of the contact in time order,
 * each session followed by its page views. */
#include <stdlib.h>
#include <string.h>

#include "attrib/explain_priv.h"

enum { U_CREATION, U_MERGE, U_LINK, U_FORM, U_CLICK, U_SESSION, U_HISTORY, U_OVERRIDE };

/* Tie order for equal times: creation, merge, link/form/click, session,
 * history, override; then the store row id. */
static const int unit_rank[] = {0, 1, 2, 2, 2, 3, 4, 5};

typedef struct {
    wf_ms at;
    int kind;
    int64_t row;
    size_t idx;
} unit;

static int cmp_unit(const void *pa, const void *pb)
{
    const unit *a = pa, *b = pb;
    if (a->at != b->at) return a->at < b->at ? -1 : 1;
    if (unit_rank[a->kind] != unit_rank[b->kind]) return unit_rank[a->kind] - unit_rank[b->kind];
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static const char *link_via_name(wf_link_kind k)
{
    static const char *const n[] = {"a form", "an email click", "an identity (LEAD_GUID)",
                                    "the creation", "the export rule"};
    return (unsigned)k < 5 ? n[k] : "a link";
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static void fill_session(builder *b, wf_tl_item *it, rsession *r)
{
    const wf_session_class *c = &r->s.cls;
    const wf_pageview *first = b->pvs[r->s.first];
    it->kind = WF_TL_SESSION;
    it->label = "Session";
    it->value.source = wf_source_name(c->source);
    it->value.dd1 = c->dd1;
    it->value.dd2 = c->dd2;
    it->rule = c->rule;
    it->url = first->url;
    it->referrer = first->referrer;
    it->token = r->s.token;
    it->end_at = r->s.end;
    it->n_pages = r->s.n;
    it->linked = r->linked;
    it->row_id = first->id;
    it->detail = wf_x_fmt(b, "%s / %s / %s (%s), %zu page view%s%s", wf_source_label(c->source),
                          c->dd1, c->dd2, wf_rule_id(c->rule), r->s.n, r->s.n == 1 ? "" : "s",
                          r->linked ? "" : ", not linked to the contact");
}

static size_t index_of(const builder *b, const wf_tl_item *it)
{
    return (size_t)(it - b->x->timeline);
}

static void fill_creation(builder *b, wf_tl_item *it)
{
    const wf_facts *f = b->f;
    it->kind = WF_TL_CREATION;
    it->label = "Created";
    it->is_creation = 1;
    it->detail =
        wf_x_fmt(b, "channel %s%s%s: %s", f->channel ? f->channel : "(none)",
                 f->channel_detail ? " / " : "", nz(f->channel_detail), b->x->creation.description);
    b->creation_item = index_of(b, it);
}

static void fill_merge(builder *b, wf_tl_item *it, size_t i)
{
    const wf_merge *m = &b->f->merges[i];
    it->kind = WF_TL_MERGE;
    it->label = "Merged";
    it->detail = wf_x_fmt(b, "record %lld merged into this one%s%s", (long long)m->merged_id,
                          m->user_id ? " by user " : "", nz(m->user_id));
    b->merge_item[i] = index_of(b, it);
}

static void fill_link(builder *b, wf_tl_item *it, size_t i)
{
    const wf_token_link *k = &b->f->links[i];
    it->kind = WF_TL_LINK;
    it->label = "Token linked";
    it->token = k->token;
    it->rule = R_C03;
    it->detail = wf_x_fmt(b, "visitor token %s linked by %s", nz(k->token), link_via_name(k->via));
    b->link_item[i] = index_of(b, it);
}

static void fill_form(builder *b, wf_tl_item *it, size_t i)
{
    const wf_form *m = &b->f->forms[i];
    it->kind = WF_TL_FORM;
    it->label = "Form submitted";
    it->url = m->page_url;
    it->token = m->token;
    it->is_creation = m == b->creating_form;
    it->detail = wf_x_fmt(b, "form %s on %s%s", m->form_id ? m->form_id : nz(m->conversion_id),
                          m->page_url ? m->page_url : "(unknown page)",
                          m->filtered_ip ? " (filtered IP: links nothing)"
                          : m->token     ? ""
                                         : " (no visitor token)");
    b->form_item[i] = index_of(b, it);
}

static void fill_click(builder *b, wf_tl_item *it, size_t i)
{
    const wf_email_click *c = &b->f->clicks[i];
    it->kind = WF_TL_EMAIL_CLICK;
    it->label = "Email click";
    it->url = c->url;
    it->token = c->token;
    it->detail = wf_x_fmt(b, "email %s%s%s", c->email_id ? c->email_id : "(unknown)",
                          c->url ? " to " : "", nz(c->url));
    b->click_item[i] = index_of(b, it);
}

static void fill_history(builder *b, wf_tl_item *it, size_t i)
{
    const wf_history *h = &b->f->history[i];
    it->kind = WF_TL_HISTORY;
    it->label = "Stored change";
    it->detail = wf_x_fmt(b, "%s = %s (%s%s%s)", nz(h->property), h->value ? h->value : "(empty)",
                          h->source_type ? h->source_type : "no source type",
                          h->source_id ? " " : "", nz(h->source_id));
    b->hist_item[i] = index_of(b, it);
}

static void fill_override(builder *b, wf_tl_item *it)
{
    const wf_override *o = b->f->override;
    it->kind = WF_TL_OVERRIDE;
    it->label = "Override";
    it->detail = wf_x_fmt(b, "%s / %s / %s by %s: %s", nz(o->source), nz(o->dd1), nz(o->dd2),
                          nz(o->user), nz(o->reason));
    b->override_item = index_of(b, it);
}

static void fill_other(builder *b, wf_tl_item *it, const unit *u)
{
    switch (u->kind) {
    case U_CREATION:
        fill_creation(b, it);
        break;
    case U_MERGE:
        fill_merge(b, it, u->idx);
        break;
    case U_LINK:
        fill_link(b, it, u->idx);
        break;
    case U_FORM:
        fill_form(b, it, u->idx);
        break;
    case U_CLICK:
        fill_click(b, it, u->idx);
        break;
    case U_HISTORY:
        fill_history(b, it, u->idx);
        break;
    default:
        fill_override(b, it);
        break;
    }
}

static int is_source_property(const char *p)
{
    return p && strcmp(p, "hs_analytics_source") == 0;
}

static size_t *index_map(builder *b, size_t n)
{
    size_t *m = wf_arena_alloc(b->a, (n ? n : 1) * sizeof *m);
    if (m)
        for (size_t i = 0; i < n; i++)
            m[i] = WF_NO_INDEX;
    return m;
}

static size_t collect_units(builder *b, unit *u)
{
    const wf_facts *f = b->f;
    size_t n = 0;
    u[n++] = (unit){f->created_at, U_CREATION, 0, 0};
    for (size_t i = 0; i < f->n_merges; i++)
        u[n++] = (unit){f->merges[i].at, U_MERGE, f->merges[i].id, i};
    for (size_t i = 0; i < f->n_links; i++)
        u[n++] = (unit){f->links[i].at, U_LINK, f->links[i].id, i};
    for (size_t i = 0; i < f->n_forms; i++)
        u[n++] = (unit){f->forms[i].at, U_FORM, f->forms[i].id, i};
    for (size_t i = 0; i < f->n_clicks; i++)
        u[n++] = (unit){f->clicks[i].at, U_CLICK, f->clicks[i].id, i};
    for (size_t i = 0; i < b->n_rs; i++)
        u[n++] = (unit){b->rs[i].s.start, U_SESSION, b->pvs[b->rs[i].s.first]->id, i};
    for (size_t i = 0; i < f->n_history; i++)
        if (is_source_property(f->history[i].property))
            u[n++] = (unit){f->history[i].at, U_HISTORY, f->history[i].id, i};
    if (f->override) u[n++] = (unit){f->override->at, U_OVERRIDE, f->override->id, 0};
    return n;
}

/* Writes a session item at tl[k] followed by its page views; returns the
 * index after them. */
static size_t emit_session(builder *b, wf_tl_item *tl, size_t k, rsession *r)
{
    r->item = k;
    fill_session(b, &tl[k], r);
    tl[k].first_page = k + 1;
    size_t sess = k++;
    for (size_t p = 0; p < r->s.n; p++, k++) {
        const wf_pageview *pv = b->pvs[r->s.first + p];
        tl[k] = (wf_tl_item){.at = pv->at,
                             .kind = WF_TL_PAGEVIEW,
                             .row_id = pv->id,
                             .label = "Page view",
                             .detail = pv->url ? pv->url : "",
                             .url = pv->url,
                             .referrer = pv->referrer,
                             .token = pv->token,
                             .rule = R_NONE,
                             .first_page = WF_NO_INDEX,
                             .session = sess,
                             .linked = r->linked};
    }
    return k;
}

static wf_status alloc_maps(builder *b)
{
    const wf_facts *f = b->f;
    b->form_item = index_map(b, f->n_forms);
    b->click_item = index_map(b, f->n_clicks);
    b->link_item = index_map(b, f->n_links);
    b->merge_item = index_map(b, f->n_merges);
    b->hist_item = index_map(b, f->n_history);
    b->override_item = WF_NO_INDEX;
    return b->form_item && b->click_item && b->link_item && b->merge_item && b->hist_item
               ? WF_OK
               : WF_E_NOMEM;
}

wf_status wf_x_timeline(builder *b)
{
    const wf_facts *f = b->f;
    size_t max_units =
        2 + f->n_merges + f->n_links + f->n_forms + f->n_clicks + b->n_rs + f->n_history;
    unit *u = malloc(max_units * sizeof *u);
    if (!u || alloc_maps(b) != WF_OK) {
        free(u);
        return WF_E_NOMEM;
    }
    size_t nu = collect_units(b, u);
    qsort(u, nu, sizeof *u, cmp_unit);
    wf_tl_item *tl = wf_arena_alloc(b->a, (nu + f->n_pageviews) * sizeof *tl);
    if (!tl) {
        free(u);
        return WF_E_NOMEM;
    }
    b->x->timeline = tl;
    size_t k = 0;
    for (size_t i = 0; i < nu; i++) {
        wf_tl_item *it = &tl[k];
        it->at = u[i].at;
        it->rule = R_NONE;
        it->first_page = it->session = WF_NO_INDEX;
        if (u[i].kind == U_SESSION) {
            k = emit_session(b, tl, k, &b->rs[u[i].idx]);
            continue;
        }
        it->row_id = u[i].row;
        fill_other(b, it, &u[i]);
        k++;
    }
    b->x->n_timeline = k;
    free(u);
    return WF_OK;
}
