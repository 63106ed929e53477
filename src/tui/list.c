/* The contact list: a window of rows around the selection, fetched from the
 * row source by key (never the whole table), and its drawing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vocab.h"
#include "tui/app.h"

/* ---- layout (pure) ------------------------------------------------------ */

/* Preferred and minimum widths; columns shrink in order DD1, source,
 * channel, name and are hidden (DD1, then channel) when even that is too
 * much. One space separates columns. */
static const int pref_w[COL_COUNT] = {7, 3, 28, 10, 13, 16, 16};

static int total(const int w[COL_COUNT])
{
    int t = 0, n = 0;
    for (int i = 0; i < COL_COUNT; i++)
        if (w[i]) t += w[i], n++;
    return t + (n ? n - 1 : 0);
}

/* Shrinks in stages: DD1 and the channel give up their slack first, then
 * the name down to 18, the source, the name again, and last everything to
 * its minimum. */
static void shrink(int w[COL_COUNT], int width)
{
    static const struct {
        int col, floor;
    } stages[] = {{COL_DD1, 10},    {COL_CHANNEL, 10}, {COL_NAME, 18}, {COL_SOURCE, 10},
                  {COL_DD1, 8},     {COL_CHANNEL, 8},  {COL_NAME, 10}, {COL_DD1, 6},
                  {COL_CHANNEL, 6}, {COL_SOURCE, 8},   {COL_ID, 4}};
    for (size_t k = 0; k < sizeof stages / sizeof stages[0] && total(w) > width; k++) {
        int c = stages[k].col;
        int excess = total(w) - width;
        int can = w[c] - stages[k].floor;
        if (can > 0) w[c] -= excess < can ? excess : can;
    }
}

void wf_list_layout(int width, int id_digits, int w[COL_COUNT])
{
    memcpy(w, pref_w, sizeof pref_w);
    w[COL_ID] = id_digits < 2 ? 2 : id_digits > 12 ? 12 : id_digits;
    shrink(w, width);
    if (total(w) > width) w[COL_DD1] = 0;
    if (total(w) > width) w[COL_CHANNEL] = 0;
    if (total(w) > width) w[COL_MARK] = 0;
    shrink(w, width);
    /* whatever is left over goes to the name, then DD1 */
    int spare = width - total(w);
    if (spare > 0) {
        int to_name = spare > 20 ? spare - spare / 3 : spare;
        w[COL_NAME] += to_name;
        if (w[COL_DD1])
            w[COL_DD1] += spare - to_name;
        else
            w[COL_NAME] += spare - to_name;
    }
}

/* One glyph per marker, in a fixed order so columns line up. */
void wf_list_markers(unsigned flags, char *buf, size_t bufsz)
{
    static const struct {
        unsigned mask;
        const char *glyph;
    } marks[] = {
        {F_STORED_DIFFERS, "\xe2\x89\xa0"},
        {F_CHANGED, "~"},
        {F_OVERRIDDEN, "*"},
        {F_MERGED, "m"},
        {F_UNEXPLAINED_CHANGE | F_API_RACE | F_OVERRIDE_DRIFT | F_UNKNOWN_VALUE, "!"},
    };
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
        if ((flags & marks[i].mask) && n + strlen(marks[i].glyph) < bufsz) {
            memcpy(buf + n, marks[i].glyph, strlen(marks[i].glyph) + 1);
            n += strlen(marks[i].glyph);
        }
}

/* ---- the window ---------------------------------------------------------- */

void wf_list_free_window(wf_app *a)
{
    for (size_t i = 0; i < a->n_win; i++)
        wf_row_clear(&a->win[i]);
    a->n_win = 0;
    a->cur = 0;
}

static int ensure_cap(wf_app *a, size_t n)
{
    if (n <= a->cap_win) return 0;
    wf_row *p = realloc(a->win, n * sizeof *p);
    if (!p) return -1;
    a->win = p;
    a->cap_win = n;
    return 0;
}

const wf_row *wf_list_selected(const wf_app *a)
{
    return a->n_win ? &a->win[a->cur] : NULL;
}

static size_t page_rows(const wf_app *a)
{
    return a->list_h > 0 ? (size_t)a->list_h : 1;
}

static int fail(wf_app *a, wf_status st)
{
    wf_app_message(a, 1, "cannot read the contact list: %s (%s)", wf_status_message(st),
                   wf_store_errmsg(a->store));
    return WF_CH_DRAW | WF_CH_ERROR;
}

/* Makes the window show `target` at screen row `pos` (or as close as the
 * ends of the list allow). Takes ownership of *target. */
static int window_around(wf_app *a, wf_row *target, size_t pos)
{
    size_t h = page_rows(a), na = 0, nb = 0;
    if (pos >= h) pos = h - 1;
    wf_row *above = calloc(h, sizeof *above), *below = calloc(h, sizeof *below);
    wf_status st = (above && below && ensure_cap(a, h) == 0) ? WF_OK : WF_E_NOMEM;
    if (st == WF_OK) st = wf_rows_before(a->rows, target, pos, above, &na);
    if (st == WF_OK) st = wf_rows_after(a->rows, target, h - 1 - na, below, &nb);
    if (st == WF_OK && na + 1 + nb < h && na == pos && pos + 1 < h) {
        /* near the end: show more rows above instead */
        for (size_t i = 0; i < na; i++)
            wf_row_clear(&above[i]);
        st = wf_rows_before(a->rows, target, h - 1 - nb, above, &na);
    }
    if (st == WF_OK) {
        wf_list_free_window(a);
        memcpy(a->win, above, na * sizeof *above);
        a->win[na] = *target;
        memcpy(a->win + na + 1, below, nb * sizeof *below);
        a->n_win = na + 1 + nb;
        a->cur = na;
        memset(target, 0, sizeof *target);
    } else {
        for (size_t i = 0; i < na; i++)
            wf_row_clear(&above[i]);
        for (size_t i = 0; i < nb; i++)
            wf_row_clear(&below[i]);
        wf_row_clear(target);
    }
    free(above);
    free(below);
    return st == WF_OK ? WF_CH_DRAW : fail(a, st);
}

static int window_empty(wf_app *a)
{
    wf_list_free_window(a);
    return WF_CH_DRAW;
}

int wf_list_first(wf_app *a)
{
    wf_row r;
    size_t got = 0;
    wf_status st = wf_rows_after(a->rows, NULL, 1, &r, &got);
    if (st != WF_OK) return fail(a, st);
    return got ? window_around(a, &r, 0) : window_empty(a);
}

int wf_list_last(wf_app *a)
{
    wf_row r;
    size_t got = 0;
    wf_status st = wf_rows_before(a->rows, NULL, 1, &r, &got);
    if (st != WF_OK) return fail(a, st);
    return got ? window_around(a, &r, page_rows(a) - 1) : window_empty(a);
}

/* Moves the selection by delta rows (a page is list_h rows). */
int wf_list_move(wf_app *a, int delta)
{
    if (!a->n_win) return WF_CH_NONE;
    size_t n = (size_t)(delta < 0 ? -delta : delta);
    wf_row *rows = calloc(n, sizeof *rows);
    size_t got = 0;
    if (!rows) return fail(a, WF_E_NOMEM);
    const wf_row *sel = &a->win[a->cur];
    wf_status st = delta > 0 ? wf_rows_after(a->rows, sel, n, rows, &got)
                             : wf_rows_before(a->rows, sel, n, rows, &got);
    int ch = WF_CH_NONE;
    if (st != WF_OK) {
        ch = fail(a, st);
    } else if (got) {
        size_t keep = delta > 0 ? got - 1 : 0; /* the row `delta` away, or the end */
        wf_row target = rows[keep];
        memset(&rows[keep], 0, sizeof rows[keep]);
        /* a step moves the cursor; a whole page keeps its screen row */
        long pos = (long)a->cur;
        if (n == 1 || got < n) pos += delta > 0 ? (long)got : -(long)got;
        long maxpos = (long)page_rows(a) - 1;
        ch = window_around(a, &target, (size_t)(pos < 0 ? 0 : pos > maxpos ? maxpos : pos));
    }
    for (size_t i = 0; i < got; i++)
        wf_row_clear(&rows[i]);
    free(rows);
    return ch;
}

/* Selects the i-th row on screen, where it is. */
int wf_list_pick(wf_app *a, size_t i)
{
    if (i >= a->n_win) return WF_CH_NONE;
    a->cur = i;
    return WF_CH_DRAW;
}

int wf_list_select_id(wf_app *a, int64_t id)
{
    wf_row r;
    wf_status st = wf_rows_get(a->rows, id, &r);
    if (st == WF_E_NOTFOUND) return WF_CH_ERROR;
    if (st != WF_OK) return fail(a, st);
    return window_around(a, &r, a->n_win ? a->cur : page_rows(a) / 3);
}

/* Refetches the window keeping the selected contact (after a resize, a
 * reload, a new sort); when it no longer passes the filter, starts over. */
int wf_list_reload(wf_app *a)
{
    const wf_row *sel = wf_list_selected(a);
    if (sel) {
        wf_row r;
        size_t pos = a->cur;
        wf_status st = wf_rows_get(a->rows, sel->id, &r);
        if (st == WF_OK) return window_around(a, &r, pos);
        if (st != WF_E_NOTFOUND) return fail(a, st);
    }
    return wf_list_first(a);
}

/* ---- drawing ---------------------------------------------------------------- */

static void row_name(const wf_row *r, char *buf, size_t sz)
{
    int has_name = (r->firstname && *r->firstname) || (r->lastname && *r->lastname);
    if (has_name)
        snprintf(buf, sz, "%s%s%s", r->firstname ? r->firstname : "",
                 (r->firstname && *r->firstname && r->lastname && *r->lastname) ? " " : "",
                 r->lastname ? r->lastname : "");
    else
        snprintf(buf, sz, "%s", r->email ? r->email : "");
}

static void draw_cells(wf_app *a, int y, int x0, const int w[COL_COUNT], const char *cells[],
                       const int attrs[])
{
    int x = x0;
    for (int c = 0; c < COL_COUNT; c++) {
        if (!w[c]) continue;
        if (x > x0) mvwaddch(stdscr, y, x++, ' ' | (chtype)attrs[COL_COUNT]);
        wf_tui_put(a, stdscr, y, x, w[c], cells[c], attrs[c]);
        x += w[c];
    }
}

static void draw_header(wf_app *a, int y, int width, const int w[COL_COUNT])
{
    static const char *const heads[COL_COUNT] = {"ID",      "",       "Name / email", "Created",
                                                 "Channel", "Source", "DD1"};
    int attrs[COL_COUNT + 1];
    for (int i = 0; i <= COL_COUNT; i++)
        attrs[i] = a->attr[ROLE_HEADER];
    wf_tui_put_safe(a, stdscr, y, 0, width, "", a->attr[ROLE_HEADER]);
    const char *cells[COL_COUNT];
    memcpy(cells, heads, sizeof cells);
    draw_cells(a, y, 0, w, cells, attrs);
}

static void draw_row(wf_app *a, int y, int width, const int w[COL_COUNT], const wf_row *r,
                     int selected)
{
    char id[24], mark[24], name[512], date[WF_TIME_BUFSZ];
    snprintf(id, sizeof id, "%lld", (long long)r->id);
    wf_list_markers(r->flags, mark, sizeof mark);
    row_name(r, name, sizeof name);
    wf_time_date(r->created_at, date);
    const char *cells[COL_COUNT] = {id,
                                    mark,
                                    name,
                                    date,
                                    r->channel ? r->channel : "",
                                    r->source ? wf_source_label_of(r->source) : "",
                                    r->dd1 ? r->dd1 : ""};
    int base = selected ? a->attr[ROLE_CURSOR] : a->attr[ROLE_NORMAL];
    int attrs[COL_COUNT + 1];
    for (int i = 0; i <= COL_COUNT; i++)
        attrs[i] = base;
    if (!selected) attrs[COL_MARK] = a->attr[ROLE_MARKER];
    wf_tui_put_safe(a, stdscr, y, 0, width, "", base);
    draw_cells(a, y, 0, w, cells, attrs);
}

/* The list occupies rows y0 .. y0 + list_h (header included), columns
 * 0 .. width. */
void wf_list_draw(wf_app *a, int y0, int width)
{
    int w[COL_COUNT];
    wf_list_layout(width, a->id_digits, w);
    draw_header(a, y0, width, w);
    for (int i = 0; i < a->list_h; i++) {
        int y = y0 + 1 + i;
        if ((size_t)i < a->n_win)
            draw_row(a, y, width, w, &a->win[i], (size_t)i == a->cur);
        else
            wf_tui_put_safe(a, stdscr, y, 0, width, "", a->attr[ROLE_NORMAL]);
    }
    if (!a->n_win)
        wf_tui_put_safe(a, stdscr, y0 + 2, 1, width - 1,
                        wf_filter_is_empty(wf_rows_filter(a->rows))
                            ? "No contacts. Import some with: wherefrom import FILE"
                            : "No contact matches the filter (x clears it).",
                        a->attr[ROLE_DIM]);
}
