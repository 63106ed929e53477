/* The override dialog (O), revert (U) and undo: the inspector's only
 * writes. Each shows what will change before it does, needs a reason, and
 * goes through the store's append-only overrides log (store/overrides.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "core/vocab.h"
#include "store/overrides.h"
#include "tui/app.h"
#include "tui/keys.h"

enum { FIELD_SOURCE, FIELD_DD1, FIELD_DD2, FIELD_REASON, FIELD_COUNT };

static wf_ms now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (wf_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int refuse_readonly(wf_app *a)
{
    char err[256];
    if (wf_store_check_writable(a->store, err, sizeof err) == WF_OK) return 0;
    wf_app_message(a, 1, "read-only (%s): nothing can be changed",
                   wf_store_readonly_reason(a->store));
    return 1;
}

/* The contact a write applies to: the open one, else the selection. */
static int64_t target(wf_app *a)
{
    if (a->detail.id) return a->detail.id;
    const wf_row *r = wf_list_selected(a);
    return r ? r->id : 0;
}

int wf_dialog_open(wf_app *a)
{
    if (refuse_readonly(a)) return WF_CH_DRAW | WF_CH_ERROR;
    int64_t id = target(a);
    if (!id) {
        wf_app_message(a, 1, "no contact selected");
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    int ch = a->detail.id == id && a->detail.x ? 0 : wf_detail_open(a, id);
    const wf_explanation *x = a->detail.x;
    if (!x) {
        wf_app_message(a, 1, "%s", a->detail.error);
        return ch | WF_CH_DRAW | WF_CH_ERROR;
    }
    wf_dialog *dl = &a->dialog;
    memset(dl, 0, sizeof *dl);
    dl->open = 1;
    dl->contact = id;
    wf_source s = wf_source_from_name(x->effective.source);
    dl->source = (s >= 0 && s < SRC_COUNT) ? (int)s : 0;
    /* drill-downs prefilled from the computed value */
    snprintf(dl->dd1, sizeof dl->dd1, "%s", x->computed.value.dd1 ? x->computed.value.dd1 : "");
    snprintf(dl->dd2, sizeof dl->dd2, "%s", x->computed.value.dd2 ? x->computed.value.dd2 : "");
    wf_override_default_user(dl->user, sizeof dl->user);
    return ch | WF_CH_DRAW;
}

static char *field_text(wf_dialog *dl, size_t *cap)
{
    switch (dl->field) {
    case FIELD_DD1:
        *cap = sizeof dl->dd1;
        return dl->dd1;
    case FIELD_DD2:
        *cap = sizeof dl->dd2;
        return dl->dd2;
    case FIELD_REASON:
        *cap = sizeof dl->reason;
        return dl->reason;
    default:
        *cap = 0;
        return NULL;
    }
}

static int save(wf_app *a)
{
    wf_dialog *dl = &a->dialog;
    if (!dl->reason[0]) {
        dl->field = FIELD_REASON;
        wf_app_message(a, 1, "a reason is required");
        return WF_CH_DRAW;
    }
    const wf_explanation *x = a->detail.x;
    wf_override_input in = {
        wf_source_name((wf_source)dl->source), dl->dd1, dl->dd2, dl->reason, dl->user, NULL};
    wf_override_value computed = {x->computed.value.source, x->computed.value.dd1,
                                  x->computed.value.dd2};
    char err[512] = "";
    wf_status st =
        wf_override_set(a->store, dl->contact, &in, &computed, now_ms(), NULL, err, sizeof err);
    dl->open = 0;
    if (st != WF_OK) {
        wf_app_message(a, 1, "override not saved: %s", err[0] ? err : wf_status_message(st));
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    a->last_override_contact = dl->contact;
    wf_app_message(a, 0, "override saved for #%lld (:undo reverts it)", (long long)dl->contact);
    return wf_cmd_run(a, "reload") | WF_CH_DRAW;
}

int wf_dialog_key(wf_app *a, int key)
{
    wf_dialog *dl = &a->dialog;
    size_t cap;
    char *t = field_text(dl, &cap);
    if (key == 27) {
        dl->open = 0;
        wf_app_message(a, 0, "override cancelled; nothing changed");
    } else if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        return save(a);
    } else if (key == '\t' || key == KEY_DOWN) {
        dl->field = (dl->field + 1) % FIELD_COUNT;
    } else if (key == KEY_BTAB || key == KEY_UP) {
        dl->field = (dl->field + FIELD_COUNT - 1) % FIELD_COUNT;
    } else if (dl->field == FIELD_SOURCE && (key == KEY_RIGHT || key == ' ' || key == KEY_LEFT)) {
        dl->source = (dl->source + (key == KEY_LEFT ? SRC_COUNT - 1 : 1)) % SRC_COUNT;
    } else if (t && (key == KEY_BACKSPACE || key == 127 || key == 8)) {
        size_t n = strlen(t);
        while (n > 0 && (((unsigned char)t[--n]) & 0xc0) == 0x80) {
        }
        t[n] = 0;
    } else if (t && key == WF_CTRL('u')) {
        t[0] = 0;
    } else if (t && key >= 32 && key < 256 && key != 127) {
        size_t n = strlen(t);
        if (n + 1 < cap) t[n] = (char)key, t[n + 1] = 0;
    }
    return WF_CH_DRAW;
}

static void box_line(wf_app *a, int y, int x, int w, const char *label, const char *value,
                     int active)
{
    char l[64];
    snprintf(l, sizeof l, " %-17s", label);
    wf_tui_glyph(a, y, x, GLYPH_VLINE);
    wf_tui_put_safe(a, stdscr, y, x + 1, 18, l, a->attr[ROLE_NORMAL]);
    wf_tui_put(a, stdscr, y, x + 19, w - 20, value,
               active ? a->attr[ROLE_CURSOR] : a->attr[ROLE_NORMAL]);
    wf_tui_glyph(a, y, x + w - 1, GLYPH_VLINE);
}

static void box_edge(wf_app *a, int y, int x, int w, int l, int r)
{
    wf_tui_glyph(a, y, x, l);
    for (int i = 1; i < w - 1; i++)
        wf_tui_glyph(a, y, x + i, GLYPH_HLINE);
    wf_tui_glyph(a, y, x + w - 1, r);
}

static const char *value_line(wf_buf *b, const char *src, const char *dd1, const char *dd2)
{
    wf_buf_clear(b);
    wf_buf_puts(b, src ? wf_source_label_of(src) : "(none)");
    if (dd1 && *dd1) wf_buf_printf(b, " / %s", dd1);
    if (dd2 && *dd2) wf_buf_printf(b, " / %s", dd2);
    return wf_buf_str(b);
}

void wf_dialog_draw(wf_app *a)
{
    const wf_dialog *dl = &a->dialog;
    const wf_explanation *x = a->detail.x;
    if (!x) return;
    int w = a->cols - 4 < 72 ? a->cols - 4 : 72, h = 12;
    int y = (a->lines - h) / 2, x0 = (a->cols - w) / 2;
    wf_buf b = WF_BUF_INIT, t = WF_BUF_INIT;
    box_edge(a, y, x0, w, GLYPH_UL, GLYPH_UR);
    wf_buf_printf(&b, " Override the original source of #%lld ", (long long)dl->contact);
    wf_tui_put_safe(a, stdscr, y, x0 + 2, (int)wf_text_width(wf_buf_str(&b)), wf_buf_str(&b),
                    a->attr[ROLE_HEADER]);
    const wf_value *e = &x->effective, *c = &x->computed.value;
    box_line(a, y + 1, x0, w, "Now (effective):", value_line(&t, e->source, e->dd1, e->dd2), 0);
    box_line(a, y + 2, x0, w, "Computed:", value_line(&t, c->source, c->dd1, c->dd2), 0);
    wf_buf_clear(&b);
    wf_buf_printf(&b, "< %s >  %s", wf_source_label((wf_source)dl->source),
                  wf_source_name((wf_source)dl->source));
    box_line(a, y + 3, x0, w, "New source:", wf_buf_str(&b), dl->field == FIELD_SOURCE);
    box_line(a, y + 4, x0, w, "Drill-down 1:", dl->dd1, dl->field == FIELD_DD1);
    box_line(a, y + 5, x0, w, "Drill-down 2:", dl->dd2, dl->field == FIELD_DD2);
    box_line(a, y + 6, x0, w, "Reason:", dl->reason, dl->field == FIELD_REASON);
    box_line(a, y + 7, x0, w, "Author:", dl->user, 0);
    box_line(a, y + 8, x0, w, "", "", 0);
    wf_buf_clear(&b);
    wf_buf_printf(&b, "%s \xe2\x86\x92 ", e->source ? wf_source_label_of(e->source) : "(none)");
    wf_buf_puts(&b, value_line(&t, wf_source_name((wf_source)dl->source), dl->dd1, dl->dd2));
    box_line(a, y + 9, x0, w, "Change:", wf_buf_str(&b), 0);
    box_line(a, y + 10, x0, w, "",
             "Tab next field  \xe2\x86\x90/\xe2\x86\x92 source  Enter save  Esc cancel", 0);
    box_edge(a, y + 11, x0, w, GLYPH_LL, GLYPH_LR);
    wf_buf_free(&b);
    wf_buf_free(&t);
}

int wf_revert_prompt(wf_app *a)
{
    if (refuse_readonly(a)) return WF_CH_DRAW | WF_CH_ERROR;
    int64_t id = target(a);
    wf_override_row row;
    int found = 0;
    if (!id || wf_override_active(a->store, id, &row, &found) != WF_OK || !found) {
        wf_app_message(a, 1, "#%lld has no active override; nothing to revert", (long long)id);
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    wf_buf b = WF_BUF_INIT, e = WF_BUF_INIT;
    wf_buf_printf(&b, "revert #%lld %s \xe2\x86\x92 ", (long long)id,
                  wf_tui_escape(&e, wf_source_label_of(row.source)));
    wf_buf_printf(&b, "%s; reason: ",
                  row.computed_source ? wf_tui_escape(&e, wf_source_label_of(row.computed_source))
                                      : "computed value");
    snprintf(a->prompt.label, sizeof a->prompt.label, "%s", wf_buf_str(&b));
    wf_buf_free(&b);
    wf_buf_free(&e);
    wf_override_row_clear(&row);
    memset(a->prompt.buf, 0, sizeof a->prompt.buf);
    a->prompt.len = 0;
    a->prompt.kind = PROMPT_REASON;
    return WF_CH_DRAW;
}

int wf_do_revert(wf_app *a, const char *reason)
{
    if (refuse_readonly(a)) return WF_CH_DRAW | WF_CH_ERROR;
    int64_t id = target(a);
    char err[512] = "";
    wf_status st = wf_override_revert(a->store, id, reason, NULL, now_ms(), NULL, err, sizeof err);
    if (st != WF_OK) {
        wf_app_message(a, 1, "not reverted: %s", err[0] ? err : wf_status_message(st));
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    a->last_override_contact = id;
    wf_app_message(a, 0, "override of #%lld reverted", (long long)id);
    return wf_cmd_run(a, "reload");
}

int wf_do_undo(wf_app *a)
{
    if (refuse_readonly(a)) return WF_CH_DRAW | WF_CH_ERROR;
    if (!a->last_override_contact) {
        wf_app_message(a, 1, "nothing to undo in this session");
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    char err[512] = "";
    wf_status st = wf_override_undo_last(a->store, a->last_override_contact, NULL, NULL, now_ms(),
                                         NULL, err, sizeof err);
    if (st != WF_OK) {
        wf_app_message(a, 1, "undo failed: %s", err[0] ? err : wf_status_message(st));
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    wf_app_message(a, 0, "undone: last override change of #%lld",
                   (long long)a->last_override_contact);
    a->last_override_contact = 0;
    return wf_cmd_run(a, "reload");
}
