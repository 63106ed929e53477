/* The explanation of one contact's original source: one plain structure
 * that feeds the inspector, `wherefrom explain` text and its JSON
 * (schema wherefrom.explain/1, ARCHITECTURE.md).
 *
 * Strings are UNESCAPED data: every renderer escapes them (wf_text_escape).
 * LIFETIME: an explanation borrows strings from the wf_facts it was built
 * from (URLs, names, history values) and from the engine's tables; keep
 * both alive until wf_explanation_free. */
#ifndef WF_ATTRIB_EXPLAIN_H
#define WF_ATTRIB_EXPLAIN_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "attrib/engine.h"
#include "core/buf.h"
#include "core/facts.h"
#include "core/vocab.h"

#define WF_NO_INDEX ((size_t)-1)
#define WF_EXPLAIN_SCHEMA "wherefrom.explain/1"

/* A source value with its drill-downs; source NULL = absent. */
typedef struct {
    const char *source, *dd1, *dd2;
} wf_value;

/* Cause classes of a change of the original source (§8). */
#define WF_CAUSE_TABLE(X)                                                                          \
    X(WF_CAUSE_CREATION, "computed-at-creation", "computed at creation")                           \
    X(WF_CAUSE_EARLIER_VISIT, "earlier-visit-found", "earlier visit found")                        \
    X(WF_CAUSE_MANUAL_EDIT, "manual-edit", "manual edit")                                          \
    X(WF_CAUSE_DATA_LOAD, "data-load", "data load")                                                \
    X(WF_CAUSE_MERGE, "merge", "merge")                                                            \
    X(WF_CAUSE_UNEXPLAINED, "unexplained", "unexplained")

typedef enum {
#define WF_X(e, slug, label) e,
    WF_CAUSE_TABLE(WF_X)
#undef WF_X
        WF_CAUSE_COUNT
} wf_cause;

const char *wf_cause_slug(wf_cause c);  /* JSON: "earlier-visit-found" */
const char *wf_cause_label(wf_cause c); /* text: "earlier visit found" */

typedef enum {
    WF_TL_CREATION,
    WF_TL_SESSION,
    WF_TL_PAGEVIEW,
    WF_TL_FORM,
    WF_TL_EMAIL_CLICK,
    WF_TL_LINK,
    WF_TL_MERGE,
    WF_TL_HISTORY,
    WF_TL_OVERRIDE
} wf_tl_kind;

const char *wf_tl_kind_name(wf_tl_kind k); /* "session", "pageview", ... */

/* One timeline item. The timeline is in time order, except that each
 * session item is directly followed by its page views (first_page ..
 * first_page + n_pages - 1), so a view can fold them. Ties on time: see
 * wf_explain. */
typedef struct {
    wf_ms at;
    wf_tl_kind kind;
    int64_t row_id;     /* store row id of the fact (pageviews, forms, ...), 0 if none */
    const char *label;  /* short: "Session", "Page view", "Form submitted" */
    const char *detail; /* one line for display, unescaped */
    /* sessions (and page views: the session's values are not repeated) */
    wf_value value;  /* classification of a session */
    wf_rule rule;    /* S01..S14b for sessions; C-rule for other items or R_NONE */
    const char *url; /* session entry URL / page URL / form page / click URL */
    const char *referrer;
    const char *token;
    wf_ms end_at;      /* session: last page view */
    size_t first_page; /* session: index of its first page-view item */
    size_t n_pages;    /* session: number of page views */
    size_t session;    /* page view: index of its session item */
    int linked;        /* session: its pages count for the contact */
    int is_deciding;   /* the deciding interaction of the computed value */
    int is_creation;   /* the contact's creation (or the creating form) */
} wf_tl_item;

/* One numbered step of the Why. Steps follow the replay: a session that a
 * link brought in is told right after the link step (C03), so its `at`
 * (when the session started) may be earlier than the step before it.
 * The last step compares the computed value with HubSpot's stored one: it
 * has no time (WF_TIME_NONE, JSON null) and no rule (R_NONE, JSON null),
 * and its text starts with "✓" (matches) or "≠" (differs). */
typedef struct {
    size_t n; /* 1-based */
    wf_ms at;
    wf_rule rule;
    const char *text;   /* one plain sentence; "assumed: ..." for [ours] rules */
    size_t evidence[4]; /* timeline indices */
    size_t n_evidence;
    wf_ms order_at; /* the replay moment the step belongs to (orders the steps) */
} wf_step;

typedef struct {
    wf_ms at;
    wf_value from, to; /* from.source NULL: nothing before */
    wf_cause cause;
    wf_rule rule;
    size_t timeline; /* evidence: the deciding item, or WF_NO_INDEX */
} wf_change;

typedef struct {
    wf_ms at;
    const char *value, *source_type, *source_id;
    wf_cause cause;
    int explained;    /* the replay accounts for this stored change */
    const char *note; /* plain sentence, unescaped */
    int64_t history_id;
    size_t timeline; /* the history item */
} wf_recon;

typedef struct {
    /* contact */
    struct {
        int64_t id;
        const char *email, *firstname, *lastname, *company;
        wf_ms created_at;
    } contact;
    /* how the record entered the CRM */
    struct {
        const char *channel, *detail, *label;
        const char *description; /* plain-language, from the channel table */
        int offline;             /* created anywhere but a tracked page (C01/C09) */
    } creation;
    int has_stored;
    wf_value stored; /* as imported from HubSpot */
    struct {
        wf_value value;
        wf_rule rule; /* what produced the value: S-rule for a session, else C01/C06/C08/C09 */
        wf_rule via;  /* the contact rule that made it current */
        struct {
            const char *kind; /* "session|creation|manual-edit|data-load|merge" */
            wf_ms at;
            const char *url, *referrer;
            size_t timeline; /* index, WF_NO_INDEX when none */
        } deciding;
    } computed;
    const wf_override *override; /* the active override (borrowed), or NULL */
    wf_value effective;          /* override if any, else computed */
    int has_latest;
    struct {
        wf_value value;
        wf_ms at;
        int from_store; /* no linked session: the imported Latest source */
    } latest;
    wf_ms first_session_at; /* first linked session, WF_TIME_NONE when none */

    wf_step *steps;
    size_t n_steps;
    wf_change *changes;
    size_t n_changes;
    wf_recon *recon;
    size_t n_recon;
    unsigned flags; /* wf_flag bits, including F_CHANGED, F_OVERRIDDEN, F_MERGED */
    wf_tl_item *timeline;
    size_t n_timeline;

    void *arena_;
} wf_explanation;

/* Builds the explanation. Pure: no I/O, no clock. Equal timestamps are
 * ordered creation, merge, link/form/click, session, history, override,
 * then by store row id, so the result never depends on input order. */
wf_status wf_explain(const wf_engine *e, const wf_facts *f, wf_explanation **out);
void wf_explanation_free(wf_explanation **x);

/* Plain text for `wherefrom explain`, every datum escaped; step texts are
 * wrapped to 80 columns (by display width) with a hanging indent. */
wf_status wf_explanation_text(const wf_explanation *x, wf_buf *out);
/* Same, wrapped to `width` columns (at least 40 are used). */
wf_status wf_explanation_text_width(const wf_explanation *x, size_t width, wf_buf *out);
/* The wherefrom.explain/1 object; NULL on allocation failure. */
cJSON *wf_explanation_json(const wf_explanation *x);
/* Pieces reused by history/audit JSON: {"source","dd1","dd2"} or null. */
cJSON *wf_value_json(const wf_value *v);

#endif
