/* The one dispatcher: keys (through the key table), the `:` prompt and
 * --script lines all end up in wf_cmd_run. Handlers change the state and
 * return what changed; they never draw. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/keys.h"

void wf_app_message(wf_app *a, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a->msg, sizeof a->msg, fmt, ap);
    va_end(ap);
    a->msg_error = error;
}

/* ---- movement ---------------------------------------------------------------- */

static int nav(wf_app *a, int delta)
{
    if (a->help) {
        a->help_scroll += delta;
        if (a->help_scroll < 0) a->help_scroll = 0;
        return WF_CH_DRAW;
    }
    if (a->detail.id) return wf_detail_move(a, delta);
    return wf_list_move(a, delta);
}

static int page(const wf_app *a)
{
    return a->list_h > 1 ? a->list_h : 1;
}

static int cmd_down(wf_app *a, const char *arg)
{
    (void)arg;
    return nav(a, 1);
}

static int cmd_up(wf_app *a, const char *arg)
{
    (void)arg;
    return nav(a, -1);
}

static int cmd_page_down(wf_app *a, const char *arg)
{
    (void)arg;
    return nav(a, page(a));
}

static int cmd_page_up(wf_app *a, const char *arg)
{
    (void)arg;
    return nav(a, -page(a));
}

static int cmd_first(wf_app *a, const char *arg)
{
    (void)arg;
    if (a->help || a->detail.id) return nav(a, -1000000);
    return wf_list_first(a);
}

static int cmd_last(wf_app *a, const char *arg)
{
    (void)arg;
    if (a->help || a->detail.id) return nav(a, 1000000);
    return wf_list_last(a);
}

/* ---- contacts ------------------------------------------------------------------ */

static int find_contact(wf_app *a, const char *spec, int64_t *id)
{
    wf_status st = wf_store_find_contact(a->store, spec, id);
    if (st == WF_OK) return 0;
    wf_app_message(a, 1, "no contact '%s'", spec);
    return -1;
}

static int cmd_open(wf_app *a, const char *arg)
{
    int64_t id;
    if (!*arg) {
        const wf_row *r = wf_list_selected(a);
        if (!r) {
            wf_app_message(a, 1, "no contact to open");
            return WF_CH_DRAW | WF_CH_ERROR;
        }
        id = r->id;
    } else if (find_contact(a, arg, &id)) {
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    int ch = 0;
    if (!wf_list_selected(a) || wf_list_selected(a)->id != id) ch = wf_list_select_id(a, id);
    return (ch & ~WF_CH_ERROR) | wf_detail_open(a, id) | WF_CH_RELAYOUT;
}

static int cmd_select(wf_app *a, const char *arg)
{
    int64_t id;
    if (find_contact(a, arg, &id)) return WF_CH_DRAW | WF_CH_ERROR;
    int ch = wf_list_select_id(a, id);
    if (ch & WF_CH_ERROR)
        wf_app_message(a, 1, "contact %lld is not in the list (filter)", (long long)id);
    return ch | WF_CH_DRAW;
}

static int cmd_enter(wf_app *a, const char *arg)
{
    (void)arg;
    if (a->help) return WF_CH_NONE;
    if (a->detail.id) return wf_detail_enter(a);
    return cmd_open(a, "");
}

static int cmd_tab(wf_app *a, const char *arg)
{
    int ch = 0;
    if (!a->detail.id) {
        ch = cmd_open(a, "");
        if (ch & WF_CH_ERROR) return ch;
    }
    return ch | wf_detail_tab(a, *arg ? arg : "next");
}

/* ---- search, filter, sort ------------------------------------------------------ */

static int search_step(wf_app *a, int dir)
{
    if (!a->search[0]) {
        wf_app_message(a, 1, "no search yet (press /)");
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    wf_row r;
    int wrapped = 0;
    wf_status st = wf_rows_find(a->rows, a->search, wf_list_selected(a), dir, &r, &wrapped);
    if (st == WF_E_NOTFOUND) {
        wf_buf esc = WF_BUF_INIT;
        wf_app_message(a, 1, "not found: %s", wf_tui_escape(&esc, a->search));
        wf_buf_free(&esc);
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    if (st != WF_OK) {
        wf_app_message(a, 1, "search failed: %s", wf_store_errmsg(a->store));
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    int64_t id = r.id;
    wf_row_clear(&r);
    int ch = wf_list_select_id(a, id);
    if (wrapped) wf_app_message(a, 0, "search wrapped around");
    if (a->detail.id) ch |= wf_detail_open(a, id);
    return ch | WF_CH_DRAW;
}

int wf_search_live(wf_app *a, const char *text)
{
    int ch = WF_CH_DRAW;
    const wf_row *sel = wf_list_selected(a);
    if (a->search_origin && (!sel || sel->id != a->search_origin))
        ch |= wf_list_select_id(a, a->search_origin) & ~WF_CH_ERROR;
    a->msg[0] = 0;
    snprintf(a->search, sizeof a->search, "%s", text);
    if (!*text) return ch;
    return ch | (search_step(a, 1) & ~WF_CH_ERROR);
}

static int cmd_search(wf_app *a, const char *arg)
{
    snprintf(a->search, sizeof a->search, "%s", arg);
    return search_step(a, 1);
}

static int cmd_search_next(wf_app *a, const char *arg)
{
    (void)arg;
    return search_step(a, 1);
}

static int cmd_search_prev(wf_app *a, const char *arg)
{
    (void)arg;
    return search_step(a, -1);
}

static int apply_filter(wf_app *a, const wf_filter *f)
{
    if (wf_rows_set_filter(a->rows, f) != WF_OK) {
        wf_app_message(a, 1, "out of memory");
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    a->total = -1;
    return wf_list_reload(a) | WF_CH_DRAW;
}

static int cmd_filter(wf_app *a, const char *arg)
{
    wf_filter f;
    char err[256];
    wf_filter_init(&f);
    if (*arg && wf_filter_parse(&f, arg, err, sizeof err) != WF_OK) {
        wf_app_message(a, 1, "%s", err);
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    int ch = apply_filter(a, &f);
    wf_filter_clear(&f);
    return ch;
}

static int cmd_clear(wf_app *a, const char *arg)
{
    (void)arg;
    a->search[0] = 0;
    wf_app_message(a, 0, "filter and search cleared");
    return cmd_filter(a, "");
}

static int cmd_sort(wf_app *a, const char *arg)
{
    int s = strcmp(arg, "next") == 0 || !*arg ? ((int)wf_rows_sort(a->rows) + 1) % WF_SORT_COUNT
                                              : wf_sort_from_name(arg);
    if (s < 0) {
        wf_app_message(a, 1, "unknown sort '%s' (created, id, source)", arg);
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    wf_rows_set_sort(a->rows, (wf_sort)s);
    wf_app_message(a, 0, "sorted by %s", wf_sort_name((wf_sort)s));
    return wf_list_reload(a) | WF_CH_DRAW;
}

static int cmd_reload(wf_app *a, const char *arg)
{
    (void)arg;
    a->total = -1;
    wf_rows_set_sort(a->rows, wf_rows_sort(a->rows)); /* the cache may cover more now */
    int ch = wf_list_reload(a);
    if (a->detail.id) ch |= wf_detail_reload(a);
    return ch | WF_CH_DRAW;
}

/* ---- writes ------------------------------------------------------------------- */

static int cmd_override(wf_app *a, const char *arg)
{
    (void)arg;
    return wf_dialog_open(a);
}

static int cmd_revert(wf_app *a, const char *arg)
{
    return *arg ? wf_do_revert(a, arg) : wf_revert_prompt(a);
}

static int cmd_undo(wf_app *a, const char *arg)
{
    (void)arg;
    return wf_do_undo(a);
}

/* ---- screens -------------------------------------------------------------------- */

static int cmd_prompt(wf_app *a, const char *arg)
{
    int kind = strcmp(arg, "search") == 0   ? PROMPT_SEARCH
               : strcmp(arg, "filter") == 0 ? PROMPT_FILTER
                                            : PROMPT_COMMAND;
    memset(a->prompt.buf, 0, sizeof a->prompt.buf);
    a->prompt.len = 0;
    a->prompt.kind = kind;
    a->prompt.hist_pos = a->prompt.n_hist;
    if (kind == PROMPT_SEARCH) {
        const wf_row *sel = wf_list_selected(a);
        a->search_origin = sel ? sel->id : 0;
    }
    if (kind == PROMPT_FILTER) {
        wf_filter_describe(wf_rows_filter(a->rows), a->prompt.buf, sizeof a->prompt.buf);
        a->prompt.len = strlen(a->prompt.buf);
    }
    return WF_CH_DRAW;
}

static int cmd_help(wf_app *a, const char *arg)
{
    (void)arg;
    a->help = 1;
    a->help_scroll = 0;
    return WF_CH_DRAW;
}

static int cmd_redraw(wf_app *a, const char *arg)
{
    (void)arg;
    clearok(curscr, TRUE);
    return WF_CH_DRAW;
}

static int cmd_back(wf_app *a, const char *arg)
{
    (void)arg;
    if (a->help) {
        a->help = 0;
        return WF_CH_DRAW;
    }
    if (a->detail.id) {
        wf_detail_close(a);
        return WF_CH_DRAW | WF_CH_RELAYOUT | wf_list_reload(a);
    }
    a->quit = 1;
    return WF_CH_QUIT;
}

static int cmd_quit(wf_app *a, const char *arg)
{
    (void)arg;
    a->quit = 1;
    return WF_CH_QUIT;
}

/* "<Enter>", "<Esc>", "<Tab>", "<Down>", "<Up>", "<BS>", "<C-u>", else
 * one byte; returns the bytes consumed. */
static int next_key(const char *s, int *key)
{
    static const struct {
        const char *name;
        int key;
    } names[] = {{"<Enter>", '\n'},       {"<Esc>", 27},         {"<Tab>", '\t'},
                 {"<Down>", KEY_DOWN},    {"<Up>", KEY_UP},      {"<BS>", KEY_BACKSPACE},
                 {"<C-u>", WF_CTRL('u')}, {"<PgDn>", KEY_NPAGE}, {"<PgUp>", KEY_PPAGE},
                 {"<Home>", KEY_HOME},    {"<End>", KEY_END},    {"<F1>", KEY_F(1)},
                 {"<Space>", ' '},        {"<Left>", KEY_LEFT},  {"<Right>", KEY_RIGHT}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strncmp(s, names[i].name, strlen(names[i].name)) == 0) {
            *key = names[i].key;
            return (int)strlen(names[i].name);
        }
    *key = (unsigned char)*s;
    return 1;
}

static int cmd_keys(wf_app *a, const char *arg)
{
    int ch = 0;
    while (*arg && !(ch & WF_CH_QUIT)) {
        int key;
        arg += next_key(arg, &key);
        ch |= wf_cmd_key(a, key);
    }
    return ch;
}

static int cmd_resize(wf_app *a, const char *arg)
{
    int c, r;
    if (sscanf(arg, "%dx%d", &c, &r) != 2 || c < 1 || r < 1 || c > 1000 || r > 1000) {
        wf_app_message(a, 1, "resize needs COLSxROWS, e.g. 80x24");
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    resize_term(r, c);
    return WF_CH_RELAYOUT | WF_CH_DRAW | WF_CH_RELOAD;
}

static int cmd_dump(wf_app *a, const char *arg)
{
    wf_buf text = WF_BUF_INIT;
    wf_screen_draw(a);
    wf_screen_text(a, &text);
    FILE *f = strcmp(arg, "-") == 0 || !*arg ? stdout : fopen(arg, "w");
    int to_stdout = f == stdout;
    int ok = f && fwrite(wf_buf_str(&text), 1, text.len, f) == text.len;
    if (f) ok = (to_stdout ? fflush(f) == 0 : fclose(f) == 0) && ok;
    wf_buf_free(&text);
    if (!ok) {
        wf_app_message(a, 1, "cannot write the screen to %s", arg);
        return WF_CH_ERROR;
    }
    return WF_CH_NONE;
}

/* ---- the dispatcher ---------------------------------------------------------------- */

typedef int (*cmd_fn)(wf_app *, const char *);
static int cmd_click(wf_app *a, const char *arg); /* with the mouse code below */

static const struct {
    const char *name;
    cmd_fn fn;
} handlers[] = {
#define WF_X(name, fn, args, help) {name, fn},
    WF_COMMAND_LIST(WF_X)
#undef WF_X
};

int wf_cmd_run(wf_app *a, const char *line)
{
    while (isspace((unsigned char)*line) || *line == ':')
        line++;
    size_t n = strcspn(line, " \t");
    if (!n) return WF_CH_NONE;
    const char *arg = line + n;
    while (isspace((unsigned char)*arg))
        arg++;
    char argbuf[WF_LINE_MAX];
    snprintf(argbuf, sizeof argbuf, "%s", arg);
    for (size_t len = strlen(argbuf); len && isspace((unsigned char)argbuf[len - 1]);)
        argbuf[--len] = 0;
    for (size_t i = 0; i < sizeof handlers / sizeof handlers[0]; i++)
        if (strlen(handlers[i].name) == n && strncmp(line, handlers[i].name, n) == 0)
            return handlers[i].fn(a, argbuf);
    wf_buf esc = WF_BUF_INIT;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(n < 60 ? n : 60), line);
    wf_app_message(a, 1, "unknown command '%s' (? lists the keys)", wf_tui_escape(&esc, name));
    wf_buf_free(&esc);
    return WF_CH_DRAW | WF_CH_ERROR;
}

/* ---- keys ---------------------------------------------------------------------------- */

static const struct {
    const char *cmd;
    int keys[3];
} bindings[] = {
#define WF_X(label, cmd, help, k1, k2, k3) {cmd, {k1, k2, k3}},
    WF_KEY_TABLE(WF_X)
#undef WF_X
};

static const char *binding_for(int key)
{
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
        for (int k = 0; k < 3; k++)
            if (bindings[i].keys[k] && bindings[i].keys[k] == key) return bindings[i].cmd;
    return NULL;
}

/* A click at screen column x, row y (0-based): a tab label switches the
 * tab; a list row selects it, and opens it when a contact is shown beside
 * the list. */
static int click(wf_app *a, int x, int y)
{
    if (a->help || a->too_small || a->dialog.open) return WF_CH_NONE;
    int dx = a->side ? a->list_w + 1 : 0;
    if (a->detail.id && x >= dx && y == 2) {
        const char *tab = wf_detail_tab_at(x - dx);
        return tab ? wf_detail_tab(a, tab) : WF_CH_NONE;
    }
    int i = y - 2;
    if ((a->detail.id && !a->side) || x >= a->list_w || i < 0 || i >= (int)a->n_win)
        return WF_CH_NONE;
    int ch = wf_list_pick(a, (size_t)i) | WF_CH_DRAW;
    const wf_row *r = wf_list_selected(a);
    if (a->detail.id && r) ch |= wf_detail_open(a, r->id);
    return ch;
}

static int mouse_event(wf_app *a)
{
    MEVENT ev;
    if (getmouse(&ev) != OK) return WF_CH_NONE;
    if (ev.bstate & BUTTON4_PRESSED) return nav(a, -3);
#ifdef BUTTON5_PRESSED
    if (ev.bstate & BUTTON5_PRESSED) return nav(a, 3);
#endif
    if (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED))
        return click(a, ev.x, ev.y);
    return WF_CH_NONE;
}

static int cmd_click(wf_app *a, const char *arg)
{
    int x, y;
    if (sscanf(arg, "%d %d", &x, &y) != 2) {
        wf_app_message(a, 1, "click needs COL ROW (0-based)");
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    return click(a, x, y);
}

int wf_cmd_key(wf_app *a, int key)
{
    if (key == KEY_RESIZE) return WF_CH_RELAYOUT | WF_CH_RELOAD | WF_CH_DRAW;
    if (a->dialog.open) return wf_dialog_key(a, key);
    if (a->prompt.kind != PROMPT_NONE) return wf_prompt_key(a, key);
    a->msg[0] = 0;
    if (a->too_small && key != 'Q' && key != 'q') return WF_CH_NONE;
    if (key == KEY_MOUSE) return mouse_event(a);
    const char *cmd = binding_for(key);
    if (!cmd) return WF_CH_DRAW;
    return wf_cmd_run(a, cmd) | WF_CH_DRAW;
}
