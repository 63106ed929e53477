/* Drawing primitives: colour roles with a monochrome fallback, and the one
 * function that puts text on the screen (escaped, fitted by display width). */
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "tui/app.h"

static const struct {
    short fg, bg;
    int mono;
} roles[ROLE_COUNT] = {
#define WF_X(e, n, f, b, m) {f, b, m},
    WF_ROLE_TABLE(WF_X)
#undef WF_X
};

/* NO_COLOR (https://no-color.org): set and not empty means no colour. */
static int no_color_requested(void)
{
    const char *v = getenv("NO_COLOR");
    return v && *v;
}

void wf_tui_colors_init(wf_app *a)
{
    a->use_color = !no_color_requested() && has_colors() && start_color() == OK;
    if (a->use_color) use_default_colors();
    for (int r = 0; r < ROLE_COUNT; r++) {
        a->attr[r] = roles[r].mono;
        if (!a->use_color || r == ROLE_NORMAL) continue;
        if (init_pair((short)r, roles[r].fg, roles[r].bg) == OK) {
            int bold = roles[r].mono & A_BOLD;
            a->attr[r] = (int)COLOR_PAIR(r) | bold;
        }
    }
}

const char *wf_tui_escape(wf_buf *b, const char *s)
{
    wf_buf_clear(b);
    if (s) wf_text_escape(b, s);
    return wf_buf_str(b);
}

static void pad(WINDOW *w, int n)
{
    for (int i = 0; i < n; i++)
        waddch(w, ' ');
}

/* Outside a UTF-8 locale the terminal cannot show UTF-8: the glyphs we
 * draw get ASCII stand-ins and any other character a '?', one column each,
 * so widths stay right. */
static const char *ascii_only(const char *s, wf_buf *b)
{
    static const struct {
        unsigned cp;
        char c;
    } stand_in[] = {{0x2260, '#'}, {0x2026, '~'}, {0x2192, '>'}, {0x2190, '<'}, {0x25C6, '*'},
                    {0x25CF, 'o'}, {0x2713, '+'}, {0x2717, 'x'}, {0x2502, '|'}};
    wf_buf_clear(b);
    for (size_t n = strlen(s); *s;) {
        unsigned cp;
        int len = wf_utf8_decode(s, n, &cp);
        if (len <= 1) {
            wf_buf_putc(b, len == 1 && (unsigned char)*s < 0x80 ? *s : '?');
            len = 1;
        } else if (wf_cp_width(cp) > 0) {
            char c = '?';
            for (size_t i = 0; i < sizeof stand_in / sizeof stand_in[0]; i++)
                if (stand_in[i].cp == cp) c = stand_in[i].c;
            wf_buf_putc(b, c);
        }
        s += len;
        n -= (size_t)len;
    }
    return wf_buf_str(b);
}

int wf_tui_put_safe(wf_app *a, WINDOW *w, int y, int x, int width, const char *s, int attr)
{
    if (width <= 0) return 0;
    wf_buf ascii = WF_BUF_INIT;
    if (!a->utf8) s = ascii_only(s, &ascii);
    size_t used = 0;
    size_t tw = wf_text_width(s);
    wattrset(w, attr);
    wmove(w, y, x);
    if (tw <= (size_t)width) {
        size_t n = wf_text_fit(s, (size_t)width, &used);
        waddnstr(w, s, (int)n);
    } else {
        /* leave one column for the ellipsis */
        size_t n = wf_text_fit(s, (size_t)width - 1, &used);
        waddnstr(w, s, (int)n);
        waddstr(w, a->utf8 ? "\xe2\x80\xa6" : "~");
        used++;
    }
    pad(w, width - (int)used);
    wattrset(w, A_NORMAL);
    wf_buf_free(&ascii);
    return width;
}

int wf_tui_put(wf_app *a, WINDOW *w, int y, int x, int width, const char *s, int attr)
{
    wf_buf b = WF_BUF_INIT;
    int r = wf_tui_put_safe(a, w, y, x, width, wf_tui_escape(&b, s), attr);
    wf_buf_free(&b);
    return r;
}

void wf_tui_glyph(wf_app *a, int y, int x, int glyph)
{
    static const char *const uni[] = {"\xe2\x94\x82", "\xe2\x94\x80", "\xe2\x94\x8c",
                                      "\xe2\x94\x90", "\xe2\x94\x94", "\xe2\x94\x98"};
    static const char ascii[] = "|-++++";
    wattrset(stdscr, a->attr[ROLE_DIM]);
    if (a->utf8)
        mvwaddstr(stdscr, y, x, uni[glyph]);
    else
        mvwaddch(stdscr, y, x, (chtype)(unsigned char)ascii[glyph]);
    wattrset(stdscr, A_NORMAL);
}
