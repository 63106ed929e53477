/* Shared by the files that build an explanation (src/attrib only). */
#ifndef WF_ATTRIB_EXPLAIN_PRIV_H
#define WF_ATTRIB_EXPLAIN_PRIV_H

#include "attrib/explain.h"
#include "attrib/session.h"
#include "core/arena.h"

/* What linked a visitor token (or an export's page views) to the contact. */
typedef enum { LS_NONE, LS_FORM, LS_CLICK, LS_LINK, LS_CREATION } wf_link_src;

/* A session as the replay sees it. */
typedef struct {
    wf_session s;
    wf_ms link_at;   /* when its pages started to count for the contact */
    wf_rule link_by; /* C02 (creating form), C03 (form/email/identity) or R_NONE */
    int linked;
    int creation_link; /* linked by the creation itself (C02 / export rule) */
    int by_export;     /* pre-creation page views an export attached (§7 rule) */
    wf_link_src src;   /* the fact that linked it, when link_by is set */
    size_t src_idx;    /* its index in wf_facts (forms, clicks or links) */
    size_t item;       /* timeline index */
} rsession;

typedef struct {
    const wf_engine *e;
    const wf_facts *f;
    wf_arena *a;
    wf_explanation *x;
    wf_site site;
    const wf_pageview **pvs;
    rsession *rs;
    size_t n_rs;
    /* vectors, grown with realloc, handed to x at the end */
    size_t cap_steps, cap_changes, cap_recon;
    /* replay state */
    wf_value cur;
    wf_rule cur_rule, cur_via;
    wf_ms earliest;            /* earliest interaction so far (C04) */
    const char *earliest_what; /* it, as a noun: "the import", "the earliest session so far" */
    size_t cur_item;
    const wf_form *creating_form; /* C02/C09 */
    int tracked_creation;
    size_t creation_item;
    size_t n_later; /* C05: sessions that changed only Latest */
    wf_ms first_later;
    size_t first_later_item;
    int overwrote_manual;
    /* timeline indices of the facts, by their index in wf_facts */
    size_t *form_item, *click_item, *link_item, *merge_item, *hist_item;
    size_t override_item;
} builder;

/* Arena printf; never NULL (returns "" on allocation failure). */
const char *wf_x_fmt(builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int wf_x_value_eq(const wf_value *a, const wf_value *b);
/* "Organic search / Unknown keywords (SSL) / google" */
const char *wf_x_value_text(builder *b, const wf_value *v);
/* A time as people say it: "18 Sep 2024", "18 Sep 2024 14:30"; the year is
 * left out when ref (not WF_TIME_NONE) falls in the same year. */
const char *wf_x_when(builder *b, wf_ms t, wf_ms ref, int with_time);
/* "the form "Book a demo" (f-demo)"; `the` is "the" or "The". */
const char *wf_x_form_name(builder *b, const wf_form *m, const char *the);
/* The timeline item of the fact that linked r, or WF_NO_INDEX. */
size_t wf_x_link_evidence(const builder *b, const rsession *r);
/* C03 steps: what linked the sessions of one replay moment (group of n). */
wf_status wf_x_link_steps(builder *b, const rsession *const *group, size_t n, wf_ms at);
/* The closing step: the computed value against HubSpot's stored value. */
wf_status wf_x_closing_step(builder *b);
wf_status wf_x_add_step(builder *b, wf_ms at, wf_rule rule, const char *text, size_t ev1,
                        size_t ev2);
wf_status wf_x_timeline(builder *b);
wf_status wf_x_reconcile(builder *b);

#endif
