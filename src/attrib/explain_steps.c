/* Steps that tell what linked a visitor token (C03, and the export rule of
 * ATTRIBUTION.md §7), and the closing step that compares the computed value
 * with HubSpot's stored one. */
#include <stdlib.h>
#include <string.h>

#include "attrib/explain_priv.h"

/* ---- link steps ------------------------------------------------------ */

static const char *nz(const char *s, const char *dflt)
{
    return s && *s ? s : dflt;
}

static const char *linked_sessions(builder *b, size_t n)
{
    return wf_x_fmt(b, "HubSpot linked %zu earlier session%s to this contact", n,
                    n == 1 ? "" : "s");
}

/* "the form "Book a demo" (f-demo)" or "the form f-demo" ("The" at the
 * start of a sentence). */
const char *wf_x_form_name(builder *b, const wf_form *m, const char *the)
{
    const char *id = nz(m->form_id, nz(m->conversion_id, "(no id)"));
    return m->page_title && *m->page_title
               ? wf_x_fmt(b, "%s form \"%s\" (%s)", the, m->page_title, id)
               : wf_x_fmt(b, "%s form %s", the, id);
}

static const char *click_name(builder *b, const wf_email_click *c, const char *a)
{
    return wf_x_fmt(b, "%s HubSpot marketing-email click on %s%s%s%s%s", a,
                    wf_x_when(b, c->at, WF_TIME_NONE, 0), c->email_id ? " (email " : "",
                    nz(c->email_id, ""), c->url ? (c->email_id ? ", to " : " (to ") : "",
                    c->url ? wf_x_fmt(b, "%s)", c->url) : (c->email_id ? ")" : ""));
}

/* A recorded token link (links table) by its kind. */
static const char *link_record_text(builder *b, const wf_token_link *k, size_t n)
{
    const char *tok = nz(k->token, "(unknown)");
    const char *on = wf_x_when(b, k->at, WF_TIME_NONE, 0);
    const char *ref = k->ref ? wf_x_fmt(b, " (%s)", k->ref) : "";
    const char *done = linked_sessions(b, n);
    switch (k->via) {
    case WF_LINK_FORM:
        return wf_x_fmt(b, "A form submission%s on %s carried visitor token %s; %s.", ref, on, tok,
                        done);
    case WF_LINK_EMAIL:
        return wf_x_fmt(b,
                        "A HubSpot marketing-email click%s on %s identified visitor token %s; %s.",
                        ref, on, tok, done);
    case WF_LINK_IDENTITY:
        return wf_x_fmt(b,
                        "The contact's HubSpot profile lists visitor token %s as a LEAD_GUID "
                        "identity from %s; %s.",
                        tok, on, done);
    case WF_LINK_CREATION:
        return wf_x_fmt(b, "Visitor token %s was linked when the contact was created on %s; %s.",
                        tok, on, done);
    default:
        return wf_x_fmt(b, "The import linked visitor token %s on %s; %s.", tok, on, done);
    }
}

/* C03: a form, an email click or a recorded link carried the token. */
static const char *token_link_text(builder *b, const rsession *r, size_t n)
{
    const wf_facts *f = b->f;
    const char *tok = nz(r->s.token, "(unknown)");
    if (r->src == LS_FORM) {
        const wf_form *m = &f->forms[r->src_idx];
        return wf_x_fmt(b, "%s submitted on %s carried visitor token %s; %s.",
                        wf_x_form_name(b, m, "The"), wf_x_when(b, m->at, WF_TIME_NONE, 0), tok,
                        linked_sessions(b, n));
    }
    if (r->src == LS_CLICK)
        return wf_x_fmt(b, "%s identified visitor token %s; %s.",
                        click_name(b, &f->clicks[r->src_idx], "A"), tok, linked_sessions(b, n));
    if (r->src == LS_LINK) return link_record_text(b, &f->links[r->src_idx], n);
    return wf_x_fmt(b, "Visitor token %s was linked to the contact; %s.", tok,
                    linked_sessions(b, n));
}

/* The identity moment that linked an export's page views (§7 [ours]). */
static const char *export_moment(builder *b, const rsession *r)
{
    const wf_facts *f = b->f;
    switch (r->src) {
    case LS_LINK: {
        const wf_token_link *k = &f->links[r->src_idx];
        return wf_x_fmt(b, "the LEAD_GUID identity of %s (visitor token %s)",
                        wf_x_when(b, k->at, WF_TIME_NONE, 0), nz(k->token, "unknown"));
    }
    case LS_FORM: {
        const wf_form *m = &f->forms[r->src_idx];
        return wf_x_fmt(b, "%s submitted on %s", wf_x_form_name(b, m, "the"),
                        wf_x_when(b, m->at, WF_TIME_NONE, 0));
    }
    case LS_CLICK:
        return click_name(b, &f->clicks[r->src_idx], "the");
    default:
        return NULL;
    }
}

static const char *export_link_text(builder *b, const rsession *r, size_t n)
{
    const char *what = wf_x_fmt(b,
                                "The export attaches %zu session%s from before the contact's "
                                "creation to this contact, without a visitor token",
                                n, n == 1 ? "" : "s");
    const char *them = n == 1 ? "it" : "them";
    const char *moment = export_moment(b, r);
    if (!moment)
        return wf_x_fmt(b,
                        "%s; no identity moment (LEAD_GUID identity, tracked form, HubSpot "
                        "email click) is known, so assumed: HubSpot linked %s when the contact "
                        "was created on %s.",
                        what, them, wf_x_when(b, b->f->created_at, WF_TIME_NONE, 0));
    return wf_x_fmt(b,
                    "%s; assumed: HubSpot linked %s at the first identity moment after the "
                    "creation, %s.",
                    what, them, moment);
}

typedef struct {
    size_t item; /* timeline index of the linking fact */
    int by_export;
    const rsession *r;
} link_key;

static int cmp_key(const void *pa, const void *pb)
{
    const link_key *a = pa, *b = pb;
    if (a->item != b->item) return a->item < b->item ? -1 : 1;
    if (a->by_export != b->by_export) return a->by_export - b->by_export;
    return (a->r->item > b->r->item) - (a->r->item < b->r->item);
}

static wf_status link_step(builder *b, const link_key *k, size_t n, wf_ms at)
{
    const rsession *r = k->r;
    const char *text = r->by_export ? export_link_text(b, r, n) : token_link_text(b, r, n);
    wf_rule rule = r->by_export && r->link_by == R_C02 && b->tracked_creation ? R_C02 : R_C03;
    return wf_x_add_step(b, at, rule, text, k->item, WF_NO_INDEX);
}

/* Sessions linked by the creating form (C02) are told by the creation
 * step; sessions that began after the link count as they happen. */
static int needs_link_step(const rsession *r)
{
    return r->link_by != R_NONE && (r->link_by == R_C03 || r->by_export);
}

wf_status wf_x_link_steps(builder *b, const rsession *const *group, size_t n, wf_ms at)
{
    link_key *k = malloc((n ? n : 1) * sizeof *k);
    if (!k) return WF_E_NOMEM;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (needs_link_step(group[i]))
            k[m++] = (link_key){wf_x_link_evidence(b, group[i]), group[i]->by_export, group[i]};
    qsort(k, m, sizeof *k, cmp_key);
    wf_status st = WF_OK;
    for (size_t i = 0; i < m && st == WF_OK;) {
        size_t j = i + 1;
        while (j < m && k[j].item == k[i].item && k[j].by_export == k[i].by_export)
            j++;
        st = link_step(b, &k[i], j - i, at);
        i = j;
    }
    free(k);
    return st;
}

/* ---- closing step ---------------------------------------------------- */

static const wf_recon *first_unexplained(const wf_explanation *x)
{
    for (size_t i = 0; i < x->n_recon; i++)
        if (!x->recon[i].explained) return &x->recon[i];
    return NULL;
}

static const char *recon_when(builder *b, const wf_recon *r)
{
    return wf_x_fmt(b, "%s, %s", wf_x_when(b, r->at, b->f->created_at, 1),
                    nz(r->source_type, "no source type"));
}

static const char *matches_text(builder *b, const wf_recon **ev)
{
    const wf_explanation *x = b->x;
    const wf_recon *bad = first_unexplained(x);
    if (!x->n_recon) return "✓ Matches HubSpot's stored value (no stored history was imported).";
    if (bad) {
        *ev = bad;
        return wf_x_fmt(b,
                        "✓ Matches HubSpot's stored value, but its history holds a change no rule "
                        "explains (%s; %s).",
                        recon_when(b, bad), wf_flag_name(F_UNEXPLAINED_CHANGE));
    }
    *ev = &x->recon[x->n_recon - 1];
    return wf_x_fmt(b, "✓ Matches HubSpot's stored value and its history (change at %s).",
                    recon_when(b, *ev));
}

/* Why HubSpot shows another value, most specific reason first; the flag
 * name is the reason class. */
static const char *differs_reason(builder *b, const wf_recon **ev)
{
    const wf_explanation *x = b->x;
    const wf_recon *last = x->n_recon ? &x->recon[x->n_recon - 1] : NULL;
    const wf_recon *bad = first_unexplained(x);
    if (x->flags & F_API_RACE)
        return wf_x_fmt(b,
                        "a tracked form came within a minute of the API creation: the known API "
                        "race, in which HubSpot keeps Offline sources (%s, C10)",
                        wf_flag_name(F_API_RACE));
    if (x->flags & F_MERGE_PRIMARY_KEPT)
        return wf_x_fmt(b,
                        "after the merge HubSpot kept the primary record's value, while wherefrom "
                        "takes the earliest interaction of either record (%s, C07, assumed)",
                        wf_flag_name(F_MERGE_PRIMARY_KEPT));
    if (last && last->cause == WF_CAUSE_DATA_LOAD && last->value && x->stored.source &&
        strcmp(last->value, x->stored.source) == 0) {
        *ev = last;
        return wf_x_fmt(b,
                        "a data load wrote that value (%s); the replay applies it like a manual "
                        "edit, but the rest of the replay gives another value (data-load, C08, "
                        "assumed)",
                        recon_when(b, last));
    }
    if (bad) {
        *ev = bad;
        return wf_x_fmt(b, "its history holds a change no rule explains (%s; %s)",
                        recon_when(b, bad), wf_flag_name(F_UNEXPLAINED_CHANGE));
    }
    *ev = last;
    if (last && last->value && x->stored.source && strcmp(last->value, x->stored.source) != 0)
        return wf_x_fmt(b,
                        "yet its own history ends with %s (%s): the stored value was set "
                        "outside the imported history (%s)",
                        wf_source_label_of(last->value), recon_when(b, last),
                        wf_flag_name(F_STORED_DIFFERS));
    return wf_x_fmt(b,
                    "the imported data does not show why: HubSpot may know visits or links "
                    "that were not imported (%s)",
                    wf_flag_name(F_STORED_DIFFERS));
}

wf_status wf_x_closing_step(builder *b)
{
    wf_explanation *x = b->x;
    const wf_recon *ev = NULL;
    const char *text;
    if (!x->has_stored)
        text = "No stored value from HubSpot was imported, so there is nothing to compare with.";
    else if (wf_x_value_eq(&x->stored, &x->computed.value))
        text = matches_text(b, &ev);
    else
        text = wf_x_fmt(b, "≠ HubSpot shows %s; %s.", wf_x_value_text(b, &x->stored),
                        differs_reason(b, &ev));
    wf_status st =
        wf_x_add_step(b, WF_TIME_NONE, R_NONE, text, ev ? ev->timeline : WF_NO_INDEX, WF_NO_INDEX);
    if (st == WF_OK) x->steps[x->n_steps - 1].n = x->n_steps;
    return st;
}
