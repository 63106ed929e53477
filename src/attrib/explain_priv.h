/* Shared by the files that build an explanation (src/attrib only). */
#ifndef WF_ATTRIB_EXPLAIN_PRIV_H
#define WF_ATTRIB_EXPLAIN_PRIV_H

#include "attrib/explain.h"
#include "attrib/session.h"
#include "core/arena.h"

/* A session as the replay sees it. */
typedef struct {
    wf_session s;
    wf_ms link_at;   /* when its pages started to count for the contact */
    wf_rule link_by; /* C02 (creating form), C03 (form/email/identity) or R_NONE */
    int linked;
    int creation_link; /* linked by the creation itself (C02 / export rule) */
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
    wf_ms earliest; /* earliest interaction so far (C04) */
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
wf_status wf_x_add_step(builder *b, wf_ms at, wf_rule rule, const char *text, size_t ev1,
                        size_t ev2);
wf_status wf_x_timeline(builder *b);
wf_status wf_x_reconcile(builder *b);

#endif
