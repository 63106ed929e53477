/* The inspector's state and the interfaces between its files. Private to
 * src/tui/; includes curses. */
#ifndef WF_TUI_APP_H
#define WF_TUI_APP_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "attrib/engine.h"
#include "attrib/explain.h"
#include "core/buf.h"
#include "store/rows.h"
#include "store/store.h"

/* What a handler changed; only the main loop draws (htop's Htop_Reaction). */
enum {
    WF_CH_NONE = 0,
    WF_CH_DRAW = 1 << 0,     /* redraw from the current state */
    WF_CH_RELOAD = 1 << 1,   /* refetch the list window around the selection */
    WF_CH_RELAYOUT = 1 << 2, /* the size changed */
    WF_CH_QUIT = 1 << 3,
    WF_CH_ERROR = 1 << 4, /* the command failed (message set) */
};

/* Colour roles: X(enum, name, foreground, background, monochrome attribute) */
#define WF_ROLE_TABLE(X)                                                                           \
    X(ROLE_NORMAL, "normal", -1, -1, A_NORMAL)                                                     \
    X(ROLE_TITLE, "title", COLOR_WHITE, COLOR_BLUE, A_REVERSE)                                     \
    X(ROLE_HEADER, "header", COLOR_CYAN, -1, A_BOLD)                                               \
    X(ROLE_CURSOR, "cursor", COLOR_BLACK, COLOR_CYAN, A_REVERSE)                                   \
    X(ROLE_MARKER, "marker", COLOR_YELLOW, -1, A_BOLD)                                             \
    X(ROLE_ERROR, "error", COLOR_RED, -1, A_BOLD)                                                  \
    X(ROLE_TAB, "tab", -1, -1, A_NORMAL)                                                           \
    X(ROLE_TAB_ACTIVE, "tab-active", COLOR_BLACK, COLOR_YELLOW, A_REVERSE)                         \
    X(ROLE_DIM, "dim", COLOR_BLUE, -1, A_DIM)                                                      \
    X(ROLE_DECIDING, "deciding", COLOR_GREEN, -1, A_BOLD)                                          \
    X(ROLE_STATUS, "status", COLOR_BLACK, COLOR_WHITE, A_REVERSE)

typedef enum {
#define WF_X(e, n, f, b, m) e,
    WF_ROLE_TABLE(WF_X)
#undef WF_X
        ROLE_COUNT
} wf_role;

enum { TAB_OVERVIEW, TAB_TIMELINE, TAB_WHY, TAB_HISTORY, TAB_COUNT };
enum { PROMPT_NONE, PROMPT_SEARCH, PROMPT_FILTER, PROMPT_COMMAND, PROMPT_REASON };

#define WF_HIST_MAX 32
#define WF_LINE_MAX 512

typedef struct {
    int kind;
    char label[192]; /* PROMPT_REASON: what will change (safe text) */
    char buf[WF_LINE_MAX];
    size_t len;
    /* history of the : prompt (oldest first) */
    char *hist[WF_HIST_MAX];
    int n_hist, hist_pos;
} wf_prompt;

/* The override dialog (O). */
typedef struct {
    int open;
    int field;  /* 0 source, 1 dd1, 2 dd2, 3 reason */
    int source; /* index into the source table */
    char dd1[128], dd2[128], reason[256];
    char user[64];
    int64_t contact;
} wf_dialog;

/* The open contact. */
typedef struct {
    int64_t id; /* 0: none */
    wf_facts *facts;
    wf_explanation *x;
    int tab;
    int scroll[TAB_COUNT];
    int sel_step;      /* Why tab: selected step */
    int mark_timeline; /* Timeline: highlighted item, -1 none */
    char error[256];
    struct wf_dcache *cache; /* the current tab's lines (detail.c) */
} wf_detail;

typedef struct wf_app {
    wf_store *store;
    wf_rows *rows;
    wf_engine *engine; /* created on first use (detail) */
    const char *db_name;
    int readonly;
    int headless, use_color, mouse, utf8;
    int attr[ROLE_COUNT];

    /* the list window: rows currently on screen, and the selection */
    wf_row *win;
    size_t n_win, cap_win;
    size_t cur;
    int64_t total;  /* -1: not counted yet */
    int id_digits;  /* width of the largest contact id */

    int lines, cols;
    int list_h; /* rows of the list area */
    int list_w; /* width of the list (all of it when no side detail) */
    int side;   /* detail shown beside the list */
    int too_small;
    int help; /* help screen open */
    int help_scroll;
    int quit;

    wf_detail detail;
    wf_prompt prompt;
    wf_dialog dialog;
    char search[WF_LINE_MAX];
    char msg[512];
    int msg_error;
    int64_t last_override_contact; /* for :undo */
    int64_t search_origin;         /* selection when the / prompt opened */
} wf_app;

/* draw.c: colours and text primitives */
void wf_tui_colors_init(wf_app *a);
/* Draws s (untrusted: escaped here) at y,x in exactly `width` columns,
 * truncated with an ellipsis and padded with spaces. Returns columns drawn. */
int wf_tui_put(wf_app *a, WINDOW *w, int y, int x, int width, const char *s, int attr);
/* Same for text already safe (labels). */
int wf_tui_put_safe(wf_app *a, WINDOW *w, int y, int x, int width, const char *s, int attr);
/* Line-drawing glyphs: Unicode in a UTF-8 locale, ASCII otherwise (plain
 * characters, so a screen read back is the same on every terminal type). */
enum { GLYPH_VLINE, GLYPH_HLINE, GLYPH_UL, GLYPH_UR, GLYPH_LL, GLYPH_LR };
void wf_tui_glyph(wf_app *a, int y, int x, int glyph);
/* Escaped copy of s in b (b is cleared first). */
const char *wf_tui_escape(wf_buf *b, const char *s);

/* list.c: the contact list */
/* Column widths for a list of `width` columns; pure, tested. Writes the
 * widths of: id, markers, name, created, channel, source, dd1 (0 = hidden). */
enum { COL_ID, COL_MARK, COL_NAME, COL_CREATED, COL_CHANNEL, COL_SOURCE, COL_DD1, COL_COUNT };
void wf_list_layout(int width, int id_digits, int w[COL_COUNT]);
void wf_list_markers(unsigned flags, char *buf, size_t bufsz);
void wf_list_free_window(wf_app *a);
int wf_list_first(wf_app *a);
int wf_list_last(wf_app *a);
int wf_list_move(wf_app *a, int delta);
int wf_list_reload(wf_app *a);
int wf_list_select_id(wf_app *a, int64_t id);
int wf_list_pick(wf_app *a, size_t i);
const wf_row *wf_list_selected(const wf_app *a);
void wf_list_draw(wf_app *a, int y0, int width);

/* detail.c: the contact detail and its tabs */
int wf_detail_open(wf_app *a, int64_t id);
void wf_detail_close(wf_app *a);
int wf_detail_reload(wf_app *a);
int wf_detail_tab(wf_app *a, const char *name);
int wf_detail_move(wf_app *a, int delta);
int wf_detail_enter(wf_app *a);
void wf_detail_draw(wf_app *a, int x0, int width);
int wf_tab_from_name(const char *name);
/* The tab whose label is at column x of the tab bar, or NULL. */
const char *wf_detail_tab_at(int x);

/* dialog.c: override dialog, revert, undo */
int wf_dialog_open(wf_app *a);
int wf_dialog_key(wf_app *a, int key);
void wf_dialog_draw(wf_app *a);
int wf_do_revert(wf_app *a, const char *reason);
/* U: asks for the reason, showing which override goes and what comes back. */
int wf_revert_prompt(wf_app *a);
int wf_do_undo(wf_app *a);

/* cmd.c: the dispatcher */
int wf_cmd_run(wf_app *a, const char *line);
int wf_cmd_key(wf_app *a, int key);
/* Incremental search from the row selected when the prompt opened; empty
 * text (or cancel) goes back to that row. */
int wf_search_live(wf_app *a, const char *text);
/* prompt.c: the line editor of the bottom line */
int wf_prompt_key(wf_app *a, int key);
void wf_prompt_free(wf_prompt *p);
void wf_app_message(wf_app *a, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* screen.c: layout and full redraw */
void wf_screen_layout(wf_app *a);
void wf_screen_draw(wf_app *a);
/* The screen as text, one line per row, trailing blanks removed. */
void wf_screen_text(wf_app *a, wf_buf *out);

/* help.c */
void wf_help_draw(wf_app *a);
void wf_help_keys_roff(wf_buf *out);
int wf_help_lines(void);

/* app.c: life cycle shared by the interactive and the headless mode */
wf_status wf_app_init(wf_app *a, wf_store *s, char *err, size_t errsz);
void wf_app_fini(wf_app *a);
void wf_app_apply(wf_app *a, int changes);
int wf_app_start(wf_app *a);
void wf_app_count(wf_app *a);
void wf_app_prepare_engine(wf_app *a);

/* term.c / headless.c: the two ways to run */
typedef struct {
    int headless;
    int no_mouse;
    int timings;
    int cols, rows;     /* --size; 0: 80x24 */
    const char *script; /* --script FILE */
    const char **cmds;  /* -c CMD ... */
    int n_cmds;
    double t0; /* monotonic ms at start */
} wf_tui_opts;
double wf_tui_now_ms(void);
int wf_tui_run_terminal(wf_app *a, const wf_tui_opts *o);
int wf_tui_run_headless(wf_app *a, const wf_tui_opts *o);

#endif
