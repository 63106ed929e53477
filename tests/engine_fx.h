/* Helpers shared by the engine's tests: the shipped engine, and facts
 * built by hand. Header-only (static inline) so each test links alone. */
#ifndef WF_TESTS_ENGINE_FX_H
#define WF_TESTS_ENGINE_FX_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attrib/classify.h"
#include "attrib/engine.h"
#include "attrib/explain.h"
#include "core/arena.h"
#include "core/facts.h"
#include "core/timeutil.h"

#define FX_MAX 64

typedef struct {
    wf_facts f;
    wf_pageview pv[FX_MAX];
    wf_token_link ln[FX_MAX];
    wf_form fm[FX_MAX];
    wf_email_click ck[FX_MAX];
    wf_history hi[FX_MAX];
    wf_merge mg[FX_MAX];
    const char *domains[8];
    wf_override ov;
    int64_t next_id;
} fx;

static inline wf_ms T(const char *iso)
{
    wf_ms t = WF_TIME_NONE;
    assert_int_equal(wf_time_parse(iso, &t), WF_OK);
    return t;
}

static inline void fx_init(fx *x, int64_t id, const char *created, const char *channel,
                           const char *detail)
{
    memset(x, 0, sizeof *x);
    x->f.id = id;
    x->f.created_at = T(created);
    x->f.channel = channel;
    x->f.channel_detail = detail;
    x->f.stored_latest_at = WF_TIME_NONE;
    x->f.stored_first_at = x->f.stored_first_visit_at = WF_TIME_NONE;
    x->f.pageviews = x->pv;
    x->f.links = x->ln;
    x->f.forms = x->fm;
    x->f.clicks = x->ck;
    x->f.history = x->hi;
    x->f.merges = x->mg;
    x->f.site_domains = x->domains;
    x->next_id = 1;
}

static inline void fx_site(fx *x, const char *d)
{
    x->domains[x->f.n_site_domains++] = d;
}

static inline wf_pageview *fx_pv(fx *x, const char *token, int64_t contact, const char *at,
                                 const char *url, const char *ref)
{
    wf_pageview *p = &x->pv[x->f.n_pageviews++];
    memset(p, 0, sizeof *p);
    p->id = x->next_id++;
    p->token = token;
    p->contact = contact;
    p->at = T(at);
    p->url = url;
    p->referrer = ref;
    return p;
}

static inline wf_token_link *fx_link(fx *x, const char *token, const char *at, wf_link_kind via)
{
    wf_token_link *k = &x->ln[x->f.n_links++];
    memset(k, 0, sizeof *k);
    k->id = x->next_id++;
    k->token = token;
    k->at = T(at);
    k->via = via;
    return k;
}

static inline wf_form *fx_form(fx *x, const char *at, const char *form_id, const char *token,
                               int filtered)
{
    wf_form *m = &x->fm[x->f.n_forms++];
    memset(m, 0, sizeof *m);
    m->id = x->next_id++;
    m->at = T(at);
    m->form_id = form_id;
    m->token = token;
    m->filtered_ip = filtered;
    m->page_url = "https://www.example.com/contact";
    return m;
}

static inline wf_email_click *fx_click(fx *x, const char *at, const char *token)
{
    wf_email_click *c = &x->ck[x->f.n_clicks++];
    memset(c, 0, sizeof *c);
    c->id = x->next_id++;
    c->at = T(at);
    c->token = token;
    c->url = "https://www.example.com/?utm_source=hs_email&utm_medium=email";
    return c;
}

static inline wf_history *fx_hist(fx *x, const char *prop, const char *value, const char *at,
                                  const char *type, const char *sid)
{
    wf_history *h = &x->hi[x->f.n_history++];
    memset(h, 0, sizeof *h);
    h->id = x->next_id++;
    h->property = prop;
    h->value = value;
    h->at = T(at);
    h->source_type = type;
    h->source_id = sid;
    return h;
}

static inline wf_merge *fx_merge(fx *x, const char *at, int64_t merged, const char *created,
                                 const char *channel, const char *detail)
{
    wf_merge *m = &x->mg[x->f.n_merges++];
    memset(m, 0, sizeof *m);
    m->id = x->next_id++;
    m->at = T(at);
    m->merged_id = merged;
    m->merged_created_at = created ? T(created) : WF_TIME_NONE;
    m->merged_channel = channel;
    m->merged_channel_detail = detail;
    return m;
}

static inline void fx_stored(fx *x, const char *s, const char *d1, const char *d2)
{
    x->f.stored_source = s;
    x->f.stored_dd1 = d1;
    x->f.stored_dd2 = d2;
}

/* The engine from the shipped data/referrers.json (WHEREFROM_DATADIR). */
static inline int fx_engine_setup(void **state)
{
    char err[512] = "";
    wf_engine *e = NULL;
    if (wf_engine_new(NULL, &e, err, sizeof err) != WF_OK) {
        fprintf(stderr, "engine: %s\n", err);
        return -1;
    }
    *state = e;
    return 0;
}

static inline int fx_engine_teardown(void **state)
{
    wf_engine *e = *state;
    wf_engine_free(&e);
    return 0;
}

static inline wf_explanation *fx_explain(void **state, fx *x)
{
    wf_explanation *ex = NULL;
    assert_int_equal(wf_explain(*state, &x->f, &ex), WF_OK);
    assert_non_null(ex);
    return ex;
}

/* Index of the first step with rule r, or -1. */
static inline int fx_step(const wf_explanation *ex, wf_rule r)
{
    for (size_t i = 0; i < ex->n_steps; i++)
        if (ex->steps[i].rule == r) return (int)i;
    return -1;
}

#endif
