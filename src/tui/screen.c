/* Layout and the full redraw: title line, list, detail, help, dialog and
 * the bottom line. The only place that decides what goes where. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "core/text.h"
#include "tui/app.h"

#define MIN_COLS 60
#define MIN_LINES 15
#define SIDE_COLS 120

void wf_screen_layout(wf_app *a)
{
    getmaxyx(stdscr, a->lines, a->cols);
    a->too_small = a->cols < MIN_COLS || a->lines < MIN_LINES;
    a->side = a->detail.id && a->cols >= SIDE_COLS;
    int detail_w = a->cols * 2 / 5 > 60 ? a->cols * 2 / 5 : 60;
    a->list_w = a->side ? a->cols - detail_w - 1 : a->cols;
    a->list_h = a->lines - 3 > 1 ? a->lines - 3 : 1;
}

static void group_digits(int64_t n, char *buf, size_t sz)
{
    char raw[32];
    snprintf(raw, sizeof raw, "%lld", (long long)n);
    size_t len = strlen(raw), j = 0;
    for (size_t i = 0; i < len && j + 2 < sz; i++) {
        if (i && (len - i) % 3 == 0) buf[j++] = ',';
        buf[j++] = raw[i];
    }
    buf[j] = 0;
}

static void draw_title(wf_app *a)
{
    char count[48], filter[256], left[768], right[64];
    if (a->total >= 0) {
        group_digits(a->total, count, sizeof count);
        strcat(count, wf_filter_is_empty(wf_rows_filter(a->rows)) ? " contacts" : " matching");
    } else if (a->total == -2) {
        snprintf(count, sizeof count, "many %s",
                 wf_filter_is_empty(wf_rows_filter(a->rows)) ? "contacts" : "matching");
    } else {
        snprintf(count, sizeof count, "counting\xe2\x80\xa6");
    }
    wf_filter_describe(wf_rows_filter(a->rows), filter, sizeof filter);
    wf_buf name = WF_BUF_INIT;
    snprintf(left, sizeof left, " wherefrom  %s  %s%s%s  sort: %s",
             wf_tui_escape(&name, a->db_name), count, *filter ? "  filter: " : "", filter,
             wf_sort_name(wf_rows_sort(a->rows)));
    wf_buf_free(&name);
    snprintf(right, sizeof right, "[%s] ", a->readonly ? "read-only" : "read-write");
    int rw = (int)strlen(right);
    wf_tui_put_safe(a, stdscr, 0, 0, a->cols - rw, left, a->attr[ROLE_TITLE]);
    wf_tui_put_safe(a, stdscr, 0, a->cols - rw, rw, right, a->attr[ROLE_TITLE]);
}

static const char *prompt_label(int kind)
{
    switch (kind) {
    case PROMPT_SEARCH:
        return "/";
    case PROMPT_FILTER:
        return "filter: ";
    case PROMPT_REASON:
        return "reason: ";
    default:
        return ":";
    }
}

static void draw_bottom(wf_app *a)
{
    int y = a->lines - 1;
    if (a->prompt.kind != PROMPT_NONE) {
        wf_buf line = WF_BUF_INIT, esc = WF_BUF_INIT;
        wf_buf_printf(&line, "%s%s",
                      a->prompt.kind == PROMPT_REASON && a->prompt.label[0]
                          ? a->prompt.label
                          : prompt_label(a->prompt.kind),
                      wf_tui_escape(&esc, a->prompt.buf));
        wf_tui_put_safe(a, stdscr, y, 0, a->cols, wf_buf_str(&line), a->attr[ROLE_NORMAL]);
        int x = (int)wf_text_width(wf_buf_str(&line));
        wmove(stdscr, y, x < a->cols ? x : a->cols - 1);
        wf_buf_free(&line);
        wf_buf_free(&esc);
        return;
    }
    if (a->msg[0]) {
        wf_tui_put(a, stdscr, y, 0, a->cols, a->msg,
                   a->msg_error ? a->attr[ROLE_ERROR] : a->attr[ROLE_NORMAL]);
        return;
    }
    const char *hints =
        a->detail.id ? " j/k scroll  1-4 tabs  Tab next  Enter evidence  O override  ? help  q back"
                     : " j/k move  / search  f filter  s sort  Enter open  O override  ? help  "
                       "q quit";
    wf_tui_put_safe(a, stdscr, y, 0, a->cols, hints, a->attr[ROLE_STATUS]);
}

static void draw_too_small(wf_app *a)
{
    char l1[128];
    werase(stdscr);
    snprintf(l1, sizeof l1, "wherefrom needs at least %dx%d (now %dx%d).", MIN_COLS, MIN_LINES,
             a->cols, a->lines);
    mvwaddnstr(stdscr, 0, 1, l1, a->cols - 1);
    mvwaddnstr(stdscr, 1 < a->lines ? 1 : 0, 1, "Enlarge the window or press Q to quit.",
               a->cols - 1);
}

void wf_screen_draw(wf_app *a)
{
    wf_screen_layout(a);
    curs_set(0);
    if (a->too_small) {
        draw_too_small(a);
        return;
    }
    draw_title(a);
    if (a->help) {
        wf_help_draw(a);
    } else if (a->detail.id && !a->side) {
        wf_detail_draw(a, 0, a->cols);
    } else {
        wf_list_draw(a, 1, a->list_w);
        if (a->side) {
            for (int y = 1; y < a->lines - 1; y++)
                wf_tui_glyph(a, y, a->list_w, GLYPH_VLINE);
            wf_detail_draw(a, a->list_w + 1, a->cols - a->list_w - 1);
        }
    }
    if (a->dialog.open) wf_dialog_draw(a);
    draw_bottom(a);
    if (a->prompt.kind != PROMPT_NONE) curs_set(1);
}

static void put_wide(wf_buf *out, const wchar_t *ws)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    char mb[MB_LEN_MAX];
    for (; *ws; ws++) {
        size_t n = wcrtomb(mb, *ws, &st);
        if (n == (size_t)-1)
            wf_buf_putc(out, '?');
        else
            wf_buf_add(out, mb, n);
    }
}

void wf_screen_text(wf_app *a, wf_buf *out)
{
    int lines, cols;
    getmaxyx(stdscr, lines, cols);
    /* combining marks come back as extra characters: room for a few per cell */
    if (cols <= 0 || cols > 10000) return;
    int room = cols * 4;
    wchar_t *ws = calloc((size_t)room + 1, sizeof *ws);
    if (!ws) return;
    for (int y = 0; y < lines; y++) {
        int n = mvwinnwstr(stdscr, y, 0, ws, room);
        if (n < 0) n = 0;
        ws[n] = 0;
        while (n > 0 && ws[n - 1] == L' ')
            ws[--n] = 0;
        put_wide(out, ws);
        wf_buf_putc(out, '\n');
    }
    free(ws);
    (void)a;
}
