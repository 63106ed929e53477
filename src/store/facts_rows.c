#include "store/facts_rows.h"

#include <string.h>

const char *wf_row_text(wf_arena *a, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? wf_arena_strndup(a, (const char *)t, (size_t)sqlite3_column_bytes(st, col)) : NULL;
}

wf_ms wf_row_time(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? WF_TIME_NONE
                                                       : sqlite3_column_int64(st, col);
}

static wf_link_kind link_kind(const char *s)
{
    if (!s) return WF_LINK_FORM;
    if (!strcmp(s, "email")) return WF_LINK_EMAIL;
    if (!strcmp(s, "identity")) return WF_LINK_IDENTITY;
    if (!strcmp(s, "creation")) return WF_LINK_CREATION;
    if (!strcmp(s, "import")) return WF_LINK_IMPORT;
    return WF_LINK_FORM;
}

void wf_row_link(wf_arena *a, sqlite3_stmt *st, void *elem)
{
    wf_token_link *k = elem;
    k->id = sqlite3_column_int64(st, 0);
    k->token = wf_row_text(a, st, 1);
    k->at = wf_row_time(st, 2);
    k->via = link_kind((const char *)sqlite3_column_text(st, 3));
    k->ref = wf_row_text(a, st, 4);
}

void wf_row_pageview(wf_arena *a, sqlite3_stmt *st, void *elem)
{
    wf_pageview *p = elem;
    p->id = sqlite3_column_int64(st, 0);
    p->contact = sqlite3_column_int64(st, 1);
    p->token = wf_row_text(a, st, 2);
    p->at = wf_row_time(st, 3);
    p->url = wf_row_text(a, st, 4);
    p->referrer = wf_row_text(a, st, 5);
    p->session_id = wf_row_text(a, st, 6);
    p->utm_source = wf_row_text(a, st, 7);
    p->utm_medium = wf_row_text(a, st, 8);
    p->utm_campaign = wf_row_text(a, st, 9);
    p->utm_term = wf_row_text(a, st, 10);
    p->utm_content = wf_row_text(a, st, 11);
    p->title = wf_row_text(a, st, 12);
}

void wf_row_form(wf_arena *a, sqlite3_stmt *st, void *elem)
{
    wf_form *f = elem;
    f->id = sqlite3_column_int64(st, 0);
    f->at = wf_row_time(st, 1);
    f->form_id = wf_row_text(a, st, 2);
    f->conversion_id = wf_row_text(a, st, 3);
    f->page_url = wf_row_text(a, st, 4);
    f->page_title = wf_row_text(a, st, 5);
    f->form_type = wf_row_text(a, st, 6);
    f->token = wf_row_text(a, st, 7);
    f->filtered_ip = sqlite3_column_int(st, 8);
}

void wf_row_click(wf_arena *a, sqlite3_stmt *st, void *elem)
{
    wf_email_click *c = elem;
    c->id = sqlite3_column_int64(st, 0);
    c->at = wf_row_time(st, 1);
    c->url = wf_row_text(a, st, 2);
    c->email_id = wf_row_text(a, st, 3);
    c->campaign = wf_row_text(a, st, 4);
    c->token = wf_row_text(a, st, 5);
}

void wf_row_history(wf_arena *a, sqlite3_stmt *st, void *elem)
{
    wf_history *h = elem;
    h->id = sqlite3_column_int64(st, 0);
    h->property = wf_row_text(a, st, 1);
    h->value = wf_row_text(a, st, 2);
    h->at = wf_row_time(st, 3);
    h->source_type = wf_row_text(a, st, 4);
    h->source_id = wf_row_text(a, st, 5);
    h->source_label = wf_row_text(a, st, 6);
    h->user_id = wf_row_text(a, st, 7);
}

void wf_row_contact(wf_arena *a, sqlite3_stmt *st, wf_facts *f)
{
    f->id = sqlite3_column_int64(st, 0);
    f->email = wf_row_text(a, st, 1);
    f->firstname = wf_row_text(a, st, 2);
    f->lastname = wf_row_text(a, st, 3);
    f->company = wf_row_text(a, st, 4);
    f->created_at = wf_row_time(st, 5);
    f->channel = wf_row_text(a, st, 6);
    f->channel_detail = wf_row_text(a, st, 7);
    f->channel_label = wf_row_text(a, st, 8);
    f->stored_source = wf_row_text(a, st, 9);
    f->stored_dd1 = wf_row_text(a, st, 10);
    f->stored_dd2 = wf_row_text(a, st, 11);
    f->stored_latest_source = wf_row_text(a, st, 12);
    f->stored_latest_dd1 = wf_row_text(a, st, 13);
    f->stored_latest_dd2 = wf_row_text(a, st, 14);
    f->stored_latest_at = wf_row_time(st, 15);
    f->stored_first_url = wf_row_text(a, st, 16);
    f->stored_first_referrer = wf_row_text(a, st, 17);
    f->stored_first_at = wf_row_time(st, 18);
    f->stored_first_visit_at = wf_row_time(st, 19);
    f->merged_into = sqlite3_column_int64(st, 20);
}

int wf_row_override(wf_arena *a, sqlite3_stmt *st, wf_override *o)
{
    o->id = sqlite3_column_int64(st, 0);
    o->at = wf_row_time(st, 1);
    o->user = wf_row_text(a, st, 2);
    o->reason = wf_row_text(a, st, 3);
    o->source = wf_row_text(a, st, 4);
    o->dd1 = wf_row_text(a, st, 5);
    o->dd2 = wf_row_text(a, st, 6);
    o->computed_source = wf_row_text(a, st, 7);
    o->computed_dd1 = wf_row_text(a, st, 8);
    o->computed_dd2 = wf_row_text(a, st, 9);
    const char *act = (const char *)sqlite3_column_text(st, 10);
    return act && strcmp(act, "set") == 0;
}
