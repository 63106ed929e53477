/* Contact replay (ATTRIBUTION.md §7, rules C01–C09) and the explanation
 * built from it. Pure: facts in, a plain structure out. */
#include "attrib/explain.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/explain_priv.h"

#define NEAR_MS (60 * 1000) /* "within seconds": one minute */

static const char *const cause_slugs[] = {
#define WF_X(e, slug, label) slug,
    WF_CAUSE_TABLE(WF_X)
#undef WF_X
};
static const char *const cause_labels[] = {
#define WF_X(e, slug, label) label,
    WF_CAUSE_TABLE(WF_X)
#undef WF_X
};

const char *wf_cause_slug(wf_cause c)
{
    return (unsigned)c < WF_CAUSE_COUNT ? cause_slugs[c] : "unexplained";
}

const char *wf_cause_label(wf_cause c)
{
    return (unsigned)c < WF_CAUSE_COUNT ? cause_labels[c] : "unexplained";
}

const char *wf_tl_kind_name(wf_tl_kind k)
{
    static const char *const n[] = {"creation", "session", "pageview", "form",    "email_click",
                                    "link",     "merge",   "history",  "override"};
    return (unsigned)k < sizeof n / sizeof n[0] ? n[k] : "?";
}

const char *wf_x_fmt(builder *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) return "";
    char *d = wf_arena_alloc(b->a, (size_t)n + 1);
    if (!d) return "";
    if ((size_t)n < sizeof small) {
        memcpy(d, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(d, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return d;
}

static int s_eq(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

int wf_x_value_eq(const wf_value *a, const wf_value *b)
{
    return s_eq(a->source, b->source) && s_eq(a->dd1, b->dd1) && s_eq(a->dd2, b->dd2);
}

static wf_status grow(void **v, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap) return WF_OK;
    size_t nc = *cap ? *cap * 2 : 8;
    void *nv = realloc(*v, nc * elem);
    if (!nv) return WF_E_NOMEM;
    *v = nv;
    *cap = nc;
    return WF_OK;
}

wf_status wf_x_add_step(builder *b, wf_ms at, wf_rule rule, const char *text, size_t ev1,
                        size_t ev2)
{
    wf_explanation *x = b->x;
    if (grow((void **)&x->steps, &b->cap_steps, x->n_steps, sizeof *x->steps)) return WF_E_NOMEM;
    wf_step *s = &x->steps[x->n_steps++];
    memset(s, 0, sizeof *s);
    s->at = s->order_at = at;
    s->rule = rule;
    s->text = text;
    if (ev1 != WF_NO_INDEX) s->evidence[s->n_evidence++] = ev1;
    if (ev2 != WF_NO_INDEX && ev2 != ev1) s->evidence[s->n_evidence++] = ev2;
    return WF_OK;
}

static wf_status add_change(builder *b, wf_ms at, wf_value to, wf_cause cause, wf_rule rule,
                            size_t item)
{
    wf_explanation *x = b->x;
    if (grow((void **)&x->changes, &b->cap_changes, x->n_changes, sizeof *x->changes))
        return WF_E_NOMEM;
    wf_change *c = &x->changes[x->n_changes++];
    c->at = at;
    c->from = b->cur;
    c->to = to;
    c->cause = cause;
    c->rule = rule;
    c->timeline = item;
    b->cur = to;
    return WF_OK;
}

const char *wf_x_value_text(builder *b, const wf_value *v)
{
    return wf_x_fmt(b, "%s / %s / %s", wf_source_label_of(v->source),
                    v->dd1 && *v->dd1 ? v->dd1 : "(empty)", v->dd2 && *v->dd2 ? v->dd2 : "(empty)");
}

static const char *value_text(builder *b, const wf_value *v)
{
    return wf_x_value_text(b, v);
}

const char *wf_x_when(builder *b, wf_ms t, wf_ms ref, int with_time)
{
    char day[WF_TIME_BUFSZ], clock[WF_TIME_BUFSZ];
    if (t == WF_TIME_NONE) return "an unknown time";
    wf_time_human(t, ref, day);
    if (!with_time) return wf_x_fmt(b, "%s", day);
    wf_time_short(t, clock); /* "2024-09-18 14:30": the clock is after the space */
    const char *hm = strchr(clock, ' ');
    return wf_x_fmt(b, "%s %s", day, hm ? hm + 1 : "");
}

static wf_value session_value(const rsession *r)
{
    return (wf_value){wf_source_name(r->s.cls.source), r->s.cls.dd1, r->s.cls.dd2};
}

/* ---- creation ------------------------------------------------------- */

static int channel_is(const char *c, const char *code)
{
    return c && strcmp(c, code) == 0;
}

/* The form that created the contact: the first form within a minute of
 * the creation time. */
static const wf_form *find_creating_form(const wf_facts *f)
{
    const wf_form *best = NULL;
    for (size_t i = 0; i < f->n_forms; i++) {
        const wf_form *m = &f->forms[i];
        if (f->created_at == WF_TIME_NONE || !wf_ms_within(m->at, f->created_at, NEAR_MS)) continue;
        if (!best || m->at < best->at || (m->at == best->at && m->id < best->id)) best = m;
    }
    return best;
}

static void setup_creation(builder *b)
{
    const wf_facts *f = b->f;
    wf_explanation *x = b->x;
    x->creation.channel = f->channel;
    x->creation.detail = f->channel_detail;
    x->creation.label = f->channel_label;
    x->creation.description = wf_channel_description(wf_channel_from_code(f->channel));
    const wf_form *m = find_creating_form(f);
    if (channel_is(f->channel, "FORM") || (!f->channel && m)) {
        b->creating_form = m;
        b->tracked_creation = m && m->token && *m->token && !m->filtered_ip;
    }
    x->creation.offline = !b->tracked_creation;
    /* the channel table's FORM text is the offline (C09) case only */
    if (b->tracked_creation)
        x->creation.description = "a HubSpot form on a tracked page of the site created it";
}

/* ---- links ---------------------------------------------------------- */

typedef struct {
    wf_ms at;
    wf_rule by;
    wf_link_src src;
    size_t idx;
} link_time;

static void consider(link_time *lt, wf_ms at, wf_rule by, wf_link_src src, size_t idx)
{
    if (at == WF_TIME_NONE) return;
    if (lt->at == WF_TIME_NONE || at < lt->at) *lt = (link_time){at, by, src, idx};
}

/* When the token was first linked to the contact, and by what (C02 when
 * by the creating form). */
static link_time token_link(const builder *b, const char *tok)
{
    const wf_facts *f = b->f;
    link_time lt = {WF_TIME_NONE, R_NONE, LS_NONE, 0};
    /* forms and clicks first: on a tie the richer fact names the link */
    for (size_t i = 0; i < f->n_forms; i++) {
        const wf_form *m = &f->forms[i];
        if (m->token && !m->filtered_ip && strcmp(m->token, tok) == 0)
            consider(&lt, m->at, m == b->creating_form ? R_C02 : R_C03, LS_FORM, i);
    }
    for (size_t i = 0; i < f->n_clicks; i++)
        if (f->clicks[i].token && strcmp(f->clicks[i].token, tok) == 0)
            consider(&lt, f->clicks[i].at, R_C03, LS_CLICK, i);
    for (size_t i = 0; i < f->n_links; i++)
        if (f->links[i].token && strcmp(f->links[i].token, tok) == 0)
            consider(&lt, f->links[i].at, f->links[i].via == WF_LINK_CREATION ? R_C02 : R_C03,
                     LS_LINK, i);
    if (lt.at != WF_TIME_NONE && b->creating_form && b->tracked_creation &&
        strcmp(b->creating_form->token, tok) == 0 && lt.at >= b->creating_form->at)
        lt.by = R_C02;
    return lt;
}

/* Exports carry no visitor token per page view: pre-creation page views
 * are linked at the first identity moment after creation (§7). */
static link_time export_link(const builder *b)
{
    const wf_facts *f = b->f;
    link_time id = {WF_TIME_NONE, R_C03, LS_NONE, 0}, form = id, click = id;
    for (size_t i = 0; i < f->n_links; i++)
        if (f->links[i].via == WF_LINK_IDENTITY) consider(&id, f->links[i].at, R_C03, LS_LINK, i);
    for (size_t i = 0; i < f->n_forms; i++)
        if (f->forms[i].token && !f->forms[i].filtered_ip)
            consider(&form, f->forms[i].at, R_C03, LS_FORM, i);
    for (size_t i = 0; i < f->n_clicks; i++)
        consider(&click, f->clicks[i].at, R_C03, LS_CLICK, i);
    link_time r = id.at != WF_TIME_NONE      ? id
                  : form.at != WF_TIME_NONE  ? form
                  : click.at != WF_TIME_NONE ? click
                                             : (link_time){f->created_at, R_C02, LS_CREATION, 0};
    if (r.at < f->created_at) r.at = f->created_at;
    if (r.at == f->created_at && b->tracked_creation) r.by = R_C02;
    return r;
}

static void assign_links(builder *b)
{
    link_time exp = export_link(b);
    for (size_t i = 0; i < b->n_rs; i++) {
        rsession *r = &b->rs[i];
        link_time lt = {WF_TIME_NONE, R_NONE, LS_NONE, 0};
        if (r->s.token) lt = token_link(b, r->s.token);
        if (lt.at == WF_TIME_NONE && b->pvs[r->s.first]->contact != 0) {
            /* attached to the contact by the export */
            r->by_export = r->s.start < b->f->created_at;
            lt = r->by_export ? exp : (link_time){r->s.start, R_NONE, LS_NONE, 0};
        }
        if (lt.at == WF_TIME_NONE) continue;
        r->linked = 1;
        if (r->s.start >= lt.at) {
            r->link_at = r->s.start; /* a known visitor's visit counts as it happens */
            r->link_by = R_NONE;
            r->by_export = 0;
        } else {
            r->link_at = lt.at;
            r->link_by = lt.by;
            r->src = lt.src;
            r->src_idx = lt.idx;
        }
        r->creation_link = r->link_by == R_C02;
    }
}

/* ---- replay events -------------------------------------------------- */

enum { EV_CREATION, EV_MERGE, EV_LINK, EV_HISTORY };
static const int ev_rank[] = {0, 1, 2, 4};

typedef struct {
    wf_ms at;
    int kind;
    int64_t row;
    size_t idx;
} event;

static int cmp_event(const void *pa, const void *pb)
{
    const event *a = pa, *b = pb;
    if (a->at != b->at) return a->at < b->at ? -1 : 1;
    if (ev_rank[a->kind] != ev_rank[b->kind]) return ev_rank[a->kind] - ev_rank[b->kind];
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

static const char *source_class(const wf_history *h)
{
    return wf_sourcetype_class(wf_sourcetype_from_code(h->source_type));
}

static int applies(const wf_history *h)
{
    if (!h->property || strcmp(h->property, "hs_analytics_source") != 0) return 0;
    if (!h->value || !*h->value) return 0;
    const char *c = source_class(h);
    return strcmp(c, "manual-edit") == 0 || strcmp(c, "data-load") == 0;
}

static wf_status tracked_creation_step(builder *b)
{
    const wf_form *m = b->creating_form;
    return wf_x_add_step(
        b, b->f->created_at, R_C02,
        wf_x_fmt(b,
                 "The contact was created by %s submitted on a tracked page (%s); the "
                 "form carried visitor token %s, which is linked to the contact, so the "
                 "original source is that of the earliest session of that visitor.",
                 wf_x_form_name(b, m, "the"), m->page_url ? m->page_url : "page unknown", m->token),
        b->creation_item, WF_NO_INDEX);
}

/* C09: created by a form that linked no visitor token. */
static const char *untracked_form(builder *b, wf_value *v)
{
    const wf_facts *f = b->f;
    const wf_form *m = b->creating_form;
    const char *id = m && m->form_id         ? m->form_id
                     : m && m->conversion_id ? m->conversion_id
                                             : (f->channel_detail ? f->channel_detail : "");
    *v = (wf_value){"OFFLINE", "FORM", id};
    return wf_x_fmt(b,
                    "The contact was created by a form submission that linked no visitor "
                    "token (%s), so the source is %s. Possible causes: the form was "
                    "submitted from a filtered (excluded) IP address; assumed, since an "
                    "export cannot tell them apart: cookies refused, a server-side Forms "
                    "API call without hutk, or a page without the tracking code.",
                    m && m->filtered_ip ? "submitted from a filtered IP address"
                    : m                 ? "the submission carried no token"
                                        : "no form record was imported",
                    value_text(b, v));
}

/* C01: created anywhere but a tracked page. */
static const char *offline_creation(builder *b, wf_value *v)
{
    const wf_facts *f = b->f;
    *v = (wf_value){"OFFLINE", f->channel ? f->channel : "",
                    f->channel_detail ? f->channel_detail : ""};
    return wf_x_fmt(b,
                    "The contact was created offline (channel %s: %s%s%s%s), so the "
                    "original source starts as %s.",
                    f->channel ? f->channel : "(none recorded)", b->x->creation.description,
                    f->channel_label ? ", \"" : "", f->channel_label ? f->channel_label : "",
                    f->channel_label ? "\"" : "", value_text(b, v));
}

/* The offline creation as the C04 step names it: "the import". */
static const char *creation_noun(builder *b)
{
    const char *ch = b->f->channel;
    if (channel_is(ch, "IMPORT")) return "the import";
    if (channel_is(ch, "FORM")) return "the creation by an untracked form";
    return ch && *ch ? wf_x_fmt(b, "the creation (channel %s)", ch) : "the creation";
}

static wf_status creation_event(builder *b)
{
    const wf_facts *f = b->f;
    size_t it = b->creation_item;
    if (b->tracked_creation) return tracked_creation_step(b);
    wf_value v;
    int form = channel_is(f->channel, "FORM");
    wf_rule rule = form ? R_C09 : R_C01;
    const char *text = form ? untracked_form(b, &v) : offline_creation(b, &v);
    if (b->earliest != WF_TIME_NONE && b->earliest <= f->created_at) {
        /* a merged record's visit, linked before this record existed */
        return wf_x_add_step(b, f->created_at, rule,
                             wf_x_fmt(b,
                                      "The contact was created offline (%s, channel %s), "
                                      "but a visit of a record merged into it is earlier, so "
                                      "the original source stays %s.",
                                      value_text(b, &v), f->channel ? f->channel : "(none)",
                                      value_text(b, &b->cur)),
                             it, WF_NO_INDEX);
    }
    b->earliest = f->created_at;
    b->earliest_what = creation_noun(b);
    b->cur_rule = b->cur_via = rule;
    b->cur_item = it;
    wf_status st = add_change(b, f->created_at, v, WF_CAUSE_CREATION, rule, it);
    return st ? st : wf_x_add_step(b, f->created_at, rule, text, it, WF_NO_INDEX);
}

static wf_status session_step(builder *b, const rsession *r, wf_ms order)
{
    wf_buf why = WF_BUF_INIT;
    wf_class_trace_text(&r->s.cls, &why);
    const wf_pageview *p = b->pvs[r->s.first];
    const char *text = wf_x_fmt(
        b,
        "The earliest linked session began with a visit to %s (%s) and is classified %s by %s: "
        "%s.%s%s",
        p->url ? p->url : "(unknown page)",
        p->referrer && *p->referrer ? wf_x_fmt(b, "referrer %s", p->referrer) : "no referrer",
        value_text(b, &(wf_value){wf_source_name(r->s.cls.source), r->s.cls.dd1, r->s.cls.dd2}),
        wf_rule_id(r->s.cls.rule), wf_buf_str(&why),
        r->s.token ? wf_x_fmt(b, " Visitor token %s.", r->s.token) : "",
        wf_rule_is_assumed(r->s.cls.rule)
            ? " (assumed: HubSpot does not publish where AI assistants come in the rule order.)"
            : "");
    int failed = why.failed;
    wf_buf_free(&why);
    if (failed) return WF_E_NOMEM;
    wf_status st = wf_x_add_step(b, r->s.start, r->s.cls.rule, text, r->item, WF_NO_INDEX);
    if (st == WF_OK) b->x->steps[b->x->n_steps - 1].order_at = order; /* told with its link */
    return st;
}

size_t wf_x_link_evidence(const builder *b, const rsession *r)
{
    if (r->link_by != R_NONE) switch (r->src) {
        case LS_FORM:
            return b->form_item[r->src_idx];
        case LS_CLICK:
            return b->click_item[r->src_idx];
        case LS_LINK:
            return b->link_item[r->src_idx];
        case LS_CREATION:
            return b->creation_item;
        default:
            break;
        }
    return r->link_at == b->f->created_at ? b->creation_item : WF_NO_INDEX;
}

/* "12 Mar is before the import on 3 Jul": dates as people say them, with
 * the clock when both fall on the same day. */
static const char *before_text(builder *b, wf_ms session, wf_ms at)
{
    char d1[WF_TIME_BUFSZ], d2[WF_TIME_BUFSZ];
    int same_day = strcmp(wf_time_date(session, d1), wf_time_date(b->earliest, d2)) == 0;
    return wf_x_fmt(b, "%s is before %s on %s", wf_x_when(b, session, at, same_day),
                    b->earliest_what ? b->earliest_what : "the earliest interaction so far",
                    wf_x_when(b, b->earliest, at, same_day));
}

static wf_status apply_earlier(builder *b, const rsession *r, wf_ms at)
{
    int first = b->earliest == WF_TIME_NONE;
    wf_rule via = r->creation_link || (first && b->tracked_creation) ? R_C02 : R_C04;
    wf_value v = session_value(r);
    wf_status st = session_step(b, r, at);
    if (st) return st;
    const char *manual =
        (b->cur_via == R_C06 || b->cur_via == R_C08)
            ? " The current value was written by hand or by a data load; assumed: a later "
              "rewrite by an earlier visit replaces it (HubSpot does not document this)."
            : "";
    const char *text;
    if (first)
        text = wf_x_fmt(b,
                        "That session is the contact's earliest interaction: the original "
                        "source is %s.%s",
                        value_text(b, &v), manual);
    else
        text = wf_x_fmt(b, "%s, so the original source became %s (earlier visit found).%s",
                        before_text(b, r->s.start, at), value_text(b, &v), manual);
    b->overwrote_manual |= *manual != 0;
    size_t ev = wf_x_link_evidence(b, r);
    b->earliest = r->s.start;
    b->earliest_what = "the earliest session so far";
    b->cur_rule = r->s.cls.rule;
    b->cur_via = via;
    b->cur_item = r->item;
    st = add_change(b, at, v,
                    first && b->f->created_at == at ? WF_CAUSE_CREATION : WF_CAUSE_EARLIER_VISIT,
                    via, r->item);
    return st ? st : wf_x_add_step(b, at, via, text, ev, r->item);
}

static wf_status link_group(builder *b, const event *ev, size_t n)
{
    const rsession *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const rsession *r = &b->rs[ev[i].idx];
        if (!best || r->s.start < best->s.start) best = r;
    }
    if (b->earliest == WF_TIME_NONE || best->s.start < b->earliest) {
        const rsession **group = malloc(n * sizeof *group);
        if (!group) return WF_E_NOMEM;
        for (size_t i = 0; i < n; i++)
            group[i] = &b->rs[ev[i].idx];
        wf_status st = wf_x_link_steps(b, group, n, ev[0].at);
        free(group);
        return st ? st : apply_earlier(b, best, ev[0].at);
    }
    for (size_t i = 0; i < n; i++) {
        const rsession *r = &b->rs[ev[i].idx];
        if (b->n_later++ == 0) {
            b->first_later = r->s.start;
            b->first_later_item = r->item;
        }
    }
    return WF_OK;
}

static wf_status merge_event(builder *b, const wf_merge *m, size_t item)
{
    const char *ch = m->merged_channel;
    int offline = ch && *ch && strcmp(ch, "FORM") != 0 && m->merged_created_at != WF_TIME_NONE;
    if (offline && (b->earliest == WF_TIME_NONE || m->merged_created_at < b->earliest)) {
        wf_value v = {"OFFLINE", ch, m->merged_channel_detail ? m->merged_channel_detail : ""};
        b->earliest = m->merged_created_at;
        b->earliest_what =
            wf_x_fmt(b, "the creation of merged record %lld", (long long)m->merged_id);
        b->cur_rule = R_C01;
        b->cur_via = R_C07;
        b->cur_item = item;
        wf_status st = add_change(b, m->at, v, WF_CAUSE_MERGE, R_C07, item);
        if (st) return st;
        return wf_x_add_step(
            b, m->at, R_C07,
            wf_x_fmt(b,
                     "Record %lld was merged into this one; it was created offline on %s, "
                     "earlier than any interaction of this record, so the original source "
                     "becomes %s (assumed: HubSpot keeps the primary record's value; wherefrom "
                     "takes the earliest interaction of either record).",
                     (long long)m->merged_id, wf_x_when(b, m->merged_created_at, m->at, 1),
                     value_text(b, &v)),
            item, WF_NO_INDEX);
    }
    return wf_x_add_step(b, m->at, R_C07,
                         wf_x_fmt(b,
                                  "Record %lld was merged into this one; its visits count for "
                                  "this contact, and its creation is not earlier than the "
                                  "earliest interaction, so the source stays (assumed: "
                                  "earliest interaction of either record).",
                                  (long long)m->merged_id),
                         item, WF_NO_INDEX);
}

static const char *history_dd(const builder *b, const wf_history *h, const char *prop)
{
    const wf_facts *f = b->f;
    for (size_t i = 0; i < f->n_history; i++) {
        const wf_history *o = &f->history[i];
        if (o->at == h->at && o->property && strcmp(o->property, prop) == 0 &&
            s_eq(o->source_type, h->source_type))
            return o->value ? o->value : "";
    }
    return "";
}

static wf_status history_event(builder *b, const wf_history *h, size_t item)
{
    int manual = strcmp(source_class(h), "manual-edit") == 0;
    wf_value v = {h->value, manual ? "" : history_dd(b, h, "hs_analytics_source_data_1"),
                  manual ? "" : history_dd(b, h, "hs_analytics_source_data_2")};
    wf_rule r = manual ? R_C06 : R_C08;
    b->cur_rule = b->cur_via = r;
    b->cur_item = item;
    wf_status st =
        add_change(b, h->at, v, manual ? WF_CAUSE_MANUAL_EDIT : WF_CAUSE_DATA_LOAD, r, item);
    if (st) return st;
    const char *who = h->source_id ? h->source_id : (h->user_id ? h->user_id : "unknown");
    const char *text =
        manual ? wf_x_fmt(b,
                          "A user (%s) set the original source by hand to %s; HubSpot clears "
                          "both drill-downs on a manual edit, so the value is now %s.",
                          who, wf_source_label_of(h->value), value_text(b, &v))
               : wf_x_fmt(b,
                          "A data load (%s %s) wrote %s into the original source; assumed: "
                          "the replay applies it like a manual edit, since HubSpot shows it.",
                          h->source_type ? h->source_type : "", who, value_text(b, &v));
    return wf_x_add_step(b, h->at, r, text, item, WF_NO_INDEX);
}

static wf_status replay(builder *b)
{
    const wf_facts *f = b->f;
    size_t max = 1 + f->n_merges + b->n_rs + f->n_history;
    event *ev = malloc(max * sizeof *ev);
    if (!ev) return WF_E_NOMEM;
    size_t n = 0;
    ev[n++] = (event){f->created_at, EV_CREATION, 0, 0};
    for (size_t i = 0; i < f->n_merges; i++)
        ev[n++] = (event){f->merges[i].at, EV_MERGE, f->merges[i].id, i};
    for (size_t i = 0; i < b->n_rs; i++)
        if (b->rs[i].linked)
            ev[n++] = (event){b->rs[i].link_at, EV_LINK, b->pvs[b->rs[i].s.first]->id, i};
    for (size_t i = 0; i < f->n_history; i++)
        if (applies(&f->history[i]))
            ev[n++] = (event){f->history[i].at, EV_HISTORY, f->history[i].id, i};
    qsort(ev, n, sizeof *ev, cmp_event);
    wf_status st = WF_OK;
    for (size_t i = 0; i < n && st == WF_OK;) {
        size_t j = i + 1;
        switch (ev[i].kind) {
        case EV_CREATION:
            st = creation_event(b);
            break;
        case EV_MERGE:
            st = merge_event(b, &f->merges[ev[i].idx], b->merge_item[ev[i].idx]);
            break;
        case EV_LINK:
            while (j < n && ev[j].kind == EV_LINK && ev[j].at == ev[i].at)
                j++;
            st = link_group(b, ev + i, j - i);
            break;
        default:
            st = history_event(b, &f->history[ev[i].idx], b->hist_item[ev[i].idx]);
            break;
        }
        i = j;
    }
    free(ev);
    return st;
}

/* A tracked creation whose visitor has no known page view: the form page
 * stands in for the session [ours]. */
static wf_status tracked_without_session(builder *b)
{
    if (!b->tracked_creation || b->earliest != WF_TIME_NONE) return WF_OK;
    const wf_form *m = b->creating_form;
    wf_value v = {"DIRECT_TRAFFIC", m->page_url ? m->page_url : "", ""};
    const char *rest = m->page_url ? strstr(m->page_url, "://") : NULL;
    if (rest) v.dd1 = rest + 3;
    b->earliest = b->f->created_at;
    b->earliest_what = "the form submission";
    b->cur_rule = R_S14B;
    b->cur_via = R_C02;
    b->cur_item = b->creation_item;
    wf_status st = add_change(b, b->f->created_at, v, WF_CAUSE_CREATION, R_C02, b->creation_item);
    if (st) return st;
    return wf_x_add_step(b, b->f->created_at, R_C02,
                         wf_x_fmt(b,
                                  "No page view of the submitting visitor is known; assumed: "
                                  "the form page counts as a direct visit, giving %s.",
                                  value_text(b, &v)),
                         b->creation_item, WF_NO_INDEX);
}

static wf_status later_step(builder *b)
{
    if (!b->n_later) return WF_OK;
    return wf_x_add_step(
        b, b->first_later, R_C05,
        b->n_later == 1
            ? "A later session, after the earliest interaction, changed only the Latest source, "
              "never the original source."
            : wf_x_fmt(b,
                       "%zu later sessions, all after the earliest interaction, changed only the "
                       "Latest source, never the original source.",
                       b->n_later),
        b->first_later_item, WF_NO_INDEX);
}

/* ---- results -------------------------------------------------------- */

static void set_deciding(builder *b)
{
    wf_explanation *x = b->x;
    x->computed.value = b->cur;
    x->computed.rule = b->cur_rule;
    x->computed.via = b->cur_via;
    x->computed.deciding.timeline = b->cur_item;
    x->computed.deciding.at = WF_TIME_NONE;
    if (b->cur_item == WF_NO_INDEX) return;
    wf_tl_item *it = &x->timeline[b->cur_item];
    it->is_deciding = 1;
    x->computed.deciding.at = it->at;
    x->computed.deciding.url = it->url;
    x->computed.deciding.referrer = it->referrer;
    switch (b->cur_via) {
    case R_C06:
        x->computed.deciding.kind = "manual-edit";
        break;
    case R_C08:
        x->computed.deciding.kind = "data-load";
        break;
    case R_C07:
        x->computed.deciding.kind = "merge";
        break;
    default:
        x->computed.deciding.kind = it->kind == WF_TL_SESSION ? "session" : "creation";
        break;
    }
    if (it->kind == WF_TL_CREATION && b->creating_form) {
        x->computed.deciding.url = b->creating_form->page_url;
    }
}

static void set_latest(builder *b)
{
    wf_explanation *x = b->x;
    const wf_facts *f = b->f;
    x->first_session_at = WF_TIME_NONE;
    const rsession *last = NULL;
    for (size_t i = 0; i < b->n_rs; i++) {
        const rsession *r = &b->rs[i];
        if (!r->linked) continue;
        if (x->first_session_at == WF_TIME_NONE || r->s.start < x->first_session_at)
            x->first_session_at = r->s.start;
        if (!last || r->s.start >= last->s.start) last = r;
    }
    if (last) {
        x->has_latest = 1;
        x->latest.value = session_value(last);
        x->latest.at = last->s.start;
    } else if (f->stored_latest_source) {
        x->has_latest = 1;
        x->latest.from_store = 1;
        x->latest.value =
            (wf_value){f->stored_latest_source, f->stored_latest_dd1, f->stored_latest_dd2};
        x->latest.at = f->stored_latest_at;
    }
}

static int unknown_source(const char *s)
{
    return s && *s && wf_source_from_name(s) == SRC_UNKNOWN;
}

static void set_flags(builder *b)
{
    wf_explanation *x = b->x;
    const wf_facts *f = b->f;
    unsigned fl = x->flags; /* api-race, unexplained-change: set by reconcile */
    if (x->has_stored && !wf_x_value_eq(&x->stored, &x->computed.value)) fl |= F_STORED_DIFFERS;
    if (x->computed.via == R_C08) fl |= F_DATA_LOAD_VALUE;
    if (f->n_merges && (fl & F_STORED_DIFFERS)) fl |= F_MERGE_PRIMARY_KEPT;
    for (size_t i = 0; i < f->n_history; i++)
        if (f->history[i].property && strcmp(f->history[i].property, "hs_analytics_source") == 0 &&
            strcmp(source_class(&f->history[i]), "manual-edit") == 0)
            fl |= F_MANUAL_EDIT;
    const wf_override *o = f->override;
    if (o) {
        fl |= F_OVERRIDDEN;
        wf_value then = {o->computed_source, o->computed_dd1, o->computed_dd2};
        if (o->computed_source && !wf_x_value_eq(&then, &x->computed.value)) fl |= F_OVERRIDE_DRIFT;
    }
    if (unknown_source(x->stored.source) || unknown_source(x->computed.value.source))
        fl |= F_UNKNOWN_VALUE;
    if (x->n_changes > 1) fl |= F_CHANGED;
    for (size_t i = 1; i < x->n_recon; i++)
        if (!s_eq(x->recon[i].value, x->recon[0].value)) fl |= F_CHANGED;
    if (f->n_merges) fl |= F_MERGED;
    x->flags = fl;
}

static void override_step(builder *b)
{
    const wf_override *o = b->f->override;
    wf_explanation *x = b->x;
    if (o) {
        wf_value v = {o->source, o->dd1, o->dd2};
        x->effective = v;
        wf_x_add_step(b, o->at, R_NONE,
                      wf_x_fmt(b,
                               "A local override by %s sets the effective value to %s (reason: "
                               "%s); the computed value stays visible beside it.%s",
                               o->user ? o->user : "(unknown user)", value_text(b, &v),
                               o->reason ? o->reason : "",
                               (x->flags & F_OVERRIDE_DRIFT)
                                   ? " The computed value has changed since the override was made."
                                   : ""),
                      b->override_item, WF_NO_INDEX);
    } else {
        x->effective = x->computed.value;
    }
}

static int cmp_step(const void *pa, const void *pb)
{
    const wf_step *a = pa, *b = pb;
    if (a->order_at != b->order_at) return a->order_at < b->order_at ? -1 : 1;
    return (a->n > b->n) - (a->n < b->n); /* insertion order */
}

static void number_steps(wf_explanation *x)
{
    for (size_t i = 0; i < x->n_steps; i++)
        x->steps[i].n = i;
    qsort(x->steps, x->n_steps, sizeof *x->steps, cmp_step);
    for (size_t i = 0; i < x->n_steps; i++)
        x->steps[i].n = i + 1;
}

static void fill_contact(builder *b)
{
    const wf_facts *f = b->f;
    wf_explanation *x = b->x;
    x->contact.id = f->id;
    x->contact.email = f->email;
    x->contact.firstname = f->firstname;
    x->contact.lastname = f->lastname;
    x->contact.company = f->company;
    x->contact.created_at = f->created_at;
    x->has_stored = f->stored_source != NULL;
    if (x->has_stored) x->stored = (wf_value){f->stored_source, f->stored_dd1, f->stored_dd2};
    x->override = f->override;
}

static wf_status build_sessions(builder *b)
{
    const wf_facts *f = b->f;
    wf_status st = wf_site_from_facts(b->e, f, b->a, &b->site);
    if (st || !f->n_pageviews) return st;
    b->pvs = wf_arena_alloc(b->a, f->n_pageviews * sizeof *b->pvs);
    if (!b->pvs) return WF_E_NOMEM;
    for (size_t i = 0; i < f->n_pageviews; i++)
        b->pvs[i] = &f->pageviews[i];
    wf_session *s;
    size_t n;
    st = wf_build_sessions(b->e, b->pvs, f->n_pageviews, &b->site, b->a, &s, &n);
    if (st) return st;
    b->rs = wf_arena_alloc(b->a, (n ? n : 1) * sizeof *b->rs);
    if (!b->rs) return WF_E_NOMEM;
    for (size_t i = 0; i < n; i++)
        b->rs[i].s = s[i];
    b->n_rs = n;
    return WF_OK;
}

static wf_status run(builder *b)
{
    fill_contact(b);
    setup_creation(b);
    wf_status st = build_sessions(b);
    if (st) return st;
    assign_links(b);
    if ((st = wf_x_timeline(b))) return st;
    if ((st = replay(b))) return st;
    if ((st = tracked_without_session(b))) return st;
    if ((st = later_step(b))) return st;
    set_deciding(b);
    set_latest(b);
    if ((st = wf_x_reconcile(b))) return st;
    set_flags(b);
    override_step(b);
    number_steps(b->x);
    return wf_x_closing_step(b);
}

wf_status wf_explain(const wf_engine *e, const wf_facts *f, wf_explanation **out)
{
    *out = NULL;
    wf_arena *a = wf_arena_new();
    if (!a) return WF_E_NOMEM;
    wf_explanation *x = wf_arena_alloc(a, sizeof *x);
    if (!x) {
        wf_arena_free(&a);
        return WF_E_NOMEM;
    }
    x->arena_ = a;
    builder b = {.e = e,
                 .f = f,
                 .a = a,
                 .x = x,
                 .earliest = WF_TIME_NONE,
                 .cur_rule = R_NONE,
                 .cur_via = R_NONE,
                 .cur_item = WF_NO_INDEX,
                 .creation_item = WF_NO_INDEX};
    wf_status st = run(&b);
    if (st != WF_OK) {
        wf_explanation_free(&x);
        return st;
    }
    *out = x;
    return WF_OK;
}

void wf_explanation_free(wf_explanation **xp)
{
    if (!xp || !*xp) return;
    wf_explanation *x = *xp;
    free(x->steps);
    free(x->changes);
    free(x->recon);
    wf_arena *a = x->arena_;
    wf_arena_free(&a);
    *xp = NULL;
}
