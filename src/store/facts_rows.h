/* How rows of the tables behind wf_facts map onto its structs. Every loader
 * of facts (wf_store_load_facts and the recompute's bulk loader) selects
 * the columns in the orders given here and reads them with these functions,
 * so the two can never disagree. Strings are copied into the arena. */
#ifndef WF_STORE_FACTS_ROWS_H
#define WF_STORE_FACTS_ROWS_H

#include <sqlite3.h>

#include "core/arena.h"
#include "core/facts.h"

#define WF_COLS_CONTACT                                                                            \
    "id, email, firstname, lastname, company, created_at, channel, channel_detail,"                \
    " channel_label, src, src_dd1, src_dd2, latest_src, latest_dd1, latest_dd2, latest_at,"        \
    " first_url, first_referrer, first_at, first_visit_at, merged_into"
#define WF_COLS_LINK "id, token, linked_at, linked_by, ref"
#define WF_COLS_PAGEVIEW                                                                           \
    "id, contact, token, at, url, referrer, session_id, utm_source, utm_medium, utm_campaign,"     \
    " utm_term, utm_content, title"
#define WF_COLS_FORM                                                                               \
    "id, at, form_id, conversion_id, page_url, page_title, form_type, token, filtered_ip"
#define WF_COLS_CLICK "id, at, url, email_id, campaign, token"
#define WF_COLS_HISTORY "id, property, value, at, source_type, source_id, source_label, user_id"
#define WF_COLS_OVERRIDE                                                                           \
    "id, at, user, reason, source, dd1, dd2, computed_source, computed_dd1, computed_dd2, action"

/* Reads the current row of st into elem (a row reader, for arrays). */
typedef void (*wf_row_reader)(wf_arena *a, sqlite3_stmt *st, void *elem);

const char *wf_row_text(wf_arena *a, sqlite3_stmt *st, int col); /* NULL for SQL NULL */
wf_ms wf_row_time(sqlite3_stmt *st, int col);                    /* WF_TIME_NONE for NULL */

void wf_row_link(wf_arena *a, sqlite3_stmt *st, void *elem);     /* wf_token_link */
void wf_row_pageview(wf_arena *a, sqlite3_stmt *st, void *elem); /* wf_pageview */
void wf_row_form(wf_arena *a, sqlite3_stmt *st, void *elem);     /* wf_form */
void wf_row_click(wf_arena *a, sqlite3_stmt *st, void *elem);    /* wf_email_click */
void wf_row_history(wf_arena *a, sqlite3_stmt *st, void *elem);  /* wf_history */
/* The contact columns of f (WF_COLS_CONTACT, columns 0..20). */
void wf_row_contact(wf_arena *a, sqlite3_stmt *st, wf_facts *f);
/* An overrides row; returns 1 when it is a 'set' (an active override). */
int wf_row_override(wf_arena *a, sqlite3_stmt *st, wf_override *o);

#endif
