/* Headless mode: named commands from --script FILE and -c CMD run against
 * an in-memory curses screen (newterm on /dev/null), no terminal needed.
 * Used by the screen tests and the benchmarks (--timings). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

/* A terminal description for the in-memory screen: the user's when it
 * exists, else common ones. Nothing is ever written to a real terminal. */
static SCREEN *open_memory_screen(FILE *null)
{
    const char *env = getenv("TERM");
    const char *types[] = {env && *env ? env : "xterm-256color", "xterm-256color", "xterm", "vt100",
                           "dumb"};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        SCREEN *sp = newterm(types[i], null, null);
        if (sp) return sp;
    }
    return NULL;
}

static void draw(wf_app *a)
{
    wf_screen_draw(a);
    wnoutrefresh(stdscr);
    doupdate();
}

static void timing(const wf_tui_opts *o, const char *what, double start)
{
    if (!o->timings) return;
    wf_buf e = WF_BUF_INIT; /* script lines are user input: shown escaped */
    fprintf(stderr, "timing %.3f ms %s\n", wf_tui_now_ms() - start, wf_tui_escape(&e, what));
    wf_buf_free(&e);
}

/* Runs one command line; returns 1 when it failed (message on stderr). */
static int run_line(wf_app *a, const wf_tui_opts *o, const char *line, const char *where)
{
    double t = wf_tui_now_ms();
    int ch = wf_cmd_run(a, line);
    wf_app_apply(a, ch);
    draw(a);
    timing(o, line, t);
    if (ch & WF_CH_ERROR) {
        wf_buf e = WF_BUF_INIT;
        fprintf(stderr, "wherefrom: %s: %s\n", where, wf_tui_escape(&e, a->msg));
        wf_buf_free(&e);
        return 1;
    }
    return 0;
}

static int run_script(wf_app *a, const wf_tui_opts *o, int *failed)
{
    FILE *f = strcmp(o->script, "-") == 0 ? stdin : fopen(o->script, "r");
    if (!f) {
        wf_buf e = WF_BUF_INIT;
        fprintf(stderr, "wherefrom: cannot read the script %s\n", wf_tui_escape(&e, o->script));
        wf_buf_free(&e);
        return 66;
    }
    char line[WF_LINE_MAX], where[600];
    for (int n = 1; !a->quit && fgets(line, sizeof line, f); n++) {
        line[strcspn(line, "\r\n")] = 0;
        const char *p = line + strspn(line, " \t");
        if (!*p || *p == '#') continue;
        wf_buf e = WF_BUF_INIT;
        snprintf(where, sizeof where, "%s line %d", wf_tui_escape(&e, o->script), n);
        wf_buf_free(&e);
        *failed |= run_line(a, o, p, where);
    }
    if (f != stdin) fclose(f);
    return 0;
}

static int run(wf_app *a, const wf_tui_opts *o)
{
    int failed = 0;
    double t = wf_tui_now_ms();
    wf_app_apply(a, wf_app_start(a));
    draw(a);
    timing(o, "first-screen", t);
    if (o->timings)
        fprintf(stderr, "timing %.3f ms start-to-first-screen\n", wf_tui_now_ms() - o->t0);
    t = wf_tui_now_ms();
    wf_app_count(a);
    timing(o, "count", t);
    t = wf_tui_now_ms();
    wf_app_prepare_engine(a); /* as the terminal mode does while the user reads */
    timing(o, "engine", t);
    for (int i = 0; i < o->n_cmds && !a->quit; i++) {
        char where[64];
        snprintf(where, sizeof where, "-c #%d", i + 1);
        failed |= run_line(a, o, o->cmds[i], where);
    }
    if (o->script && !a->quit) {
        int rc = run_script(a, o, &failed);
        if (rc) return rc;
    }
    return failed ? 1 : 0;
}

int wf_tui_run_headless(wf_app *a, const wf_tui_opts *o)
{
    FILE *null = fopen("/dev/null", "r+");
    SCREEN *sp = null ? open_memory_screen(null) : NULL;
    if (!sp) {
        fprintf(stderr, "wherefrom: cannot create an in-memory screen (no terminfo entry "
                        "for xterm, vt100 or dumb)\n");
        if (null) fclose(null);
        return 78;
    }
    set_term(sp);
    resize_term(o->rows > 0 ? o->rows : 24, o->cols > 0 ? o->cols : 80);
    wf_tui_colors_init(a);
    a->headless = 1;
    int rc = run(a, o);
    endwin();
    delscreen(sp);
    fclose(null);
    return rc;
}
