/* The interactive mode on a real terminal: setup, the main loop, signals,
 * and restoring the terminal on every way out. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tui/app.h"

/* Signal handlers may only set flags; these are the program's only
 * mutable file-scope variables, as signal handlers leave no other way. */
static volatile sig_atomic_t got_quit_signal;
static volatile sig_atomic_t got_winch;
static volatile sig_atomic_t got_cont;
/* What a crash handler needs to give the terminal back without curses
 * (which is not async-signal-safe): the tty modes from before curses, and
 * the terminal's own "leave the alternate screen" and "show the cursor". */
static struct termios crash_tio;
static int crash_have_tio;
static char crash_seq[128];
static size_t crash_len;

static void on_crash(int sig)
{
    if (crash_len) (void)!write(STDOUT_FILENO, crash_seq, crash_len);
    if (crash_have_tio) tcsetattr(STDIN_FILENO, TCSANOW, &crash_tio);
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Called before newterm (tty modes) and after it (terminfo strings). */
static void crash_prepare_tty(void)
{
    crash_have_tio = tcgetattr(STDIN_FILENO, &crash_tio) == 0;
}

static void crash_prepare_strings(void)
{
    static const char *const caps[] = {"sgr0", "rmcup", "cnorm"};
    crash_len = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        const char *v = tigetstr(caps[i]);
        if (!v || v == (char *)-1) continue;
        size_t n = strlen(v);
        if (crash_len + n >= sizeof crash_seq) break;
        memcpy(crash_seq + crash_len, v, n);
        crash_len += n;
    }
}

static void on_quit_signal(int sig)
{
    got_quit_signal = sig;
}

static void on_winch(int sig)
{
    (void)sig;
    got_winch = 1;
}

static void on_cont(int sig)
{
    (void)sig;
    got_cont = 1;
}

double wf_tui_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void install(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: a signal wakes the blocking read */
    sigaction(sig, &sa, NULL);
}

static void install_signals(void)
{
    got_quit_signal = got_winch = got_cont = 0;
    signal(SIGSEGV, on_crash);
    signal(SIGBUS, on_crash);
    signal(SIGFPE, on_crash);
    signal(SIGABRT, on_crash);
    install(SIGINT, on_quit_signal);
    install(SIGTERM, on_quit_signal);
    install(SIGHUP, on_quit_signal);
    install(SIGWINCH, on_winch);
    install(SIGCONT, on_cont);
}

static void restore_signals(void)
{
    signal(SIGSEGV, SIG_DFL);
    signal(SIGBUS, SIG_DFL);
    signal(SIGFPE, SIG_DFL);
    signal(SIGABRT, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGWINCH, SIG_DFL);
    signal(SIGCONT, SIG_DFL);
}

/* Sets up curses on the controlling terminal; NULL with a message when
 * the terminal cannot be used (never lets curses exit the process). */
static SCREEN *open_terminal(char *err, size_t errsz)
{
    const char *term = getenv("TERM");
    if (!term || !*term) {
        snprintf(err, errsz,
                 "TERM is not set, so the terminal type is unknown; set it (e.g. "
                 "TERM=xterm-256color) or use a subcommand such as "
                 "'wherefrom explain CONTACT'");
        return NULL;
    }
    SCREEN *sp = newterm(NULL, stdout, stdin);
    if (!sp) {
        wf_buf shown = WF_BUF_INIT; /* TERM is user input: never echo it raw */
        snprintf(err, errsz,
                 "the terminal type '%s' is unknown or unusable (no terminfo entry); "
                 "try TERM=xterm-256color",
                 wf_tui_escape(&shown, term));
        wf_buf_free(&shown);
        return NULL;
    }
    set_term(sp);
    return sp;
}

static void configure(wf_app *a, const wf_tui_opts *o)
{
    cbreak();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    set_escdelay(25);
    wtimeout(stdscr, 1000);
    wf_tui_colors_init(a);
    if (!o->no_mouse) mousemask(BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
    a->mouse = !o->no_mouse;
}

static void handle_winch(void)
{
    struct winsize ws;
    got_winch = 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resize_term(ws.ws_row, ws.ws_col);
    /* Terminals keep, clip or reflow the old content on a resize, each in its
     * own way: repaint everything rather than trust curses' idea of the
     * screen (a burst of resizes left stale rows; tests/test_hostile_term). */
    clearok(curscr, TRUE);
}

static void draw(wf_app *a)
{
    wf_screen_draw(a);
    wnoutrefresh(stdscr);
    doupdate();
}

static int loop(wf_app *a)
{
    int ch = wf_app_start(a) | WF_CH_DRAW;
    while (!a->quit && !got_quit_signal) {
        if (got_winch) {
            handle_winch();
            ch |= WF_CH_RELAYOUT;
        }
        if (got_cont) {
            got_cont = 0;
            clearok(curscr, TRUE);
            ch |= WF_CH_DRAW;
        }
        wf_app_apply(a, ch);
        if (ch) draw(a);
        if (a->total == -1 && !a->too_small) { /* counted after the first screen */
            wf_app_count(a);
            draw(a);
            wf_app_prepare_engine(a);
        }
        ch = 0;
        int key = wgetch(stdscr);
        if (key == ERR) continue; /* timeout or a signal: check the flags */
        ch = wf_cmd_key(a, key);
    }
    return got_quit_signal ? 128 + got_quit_signal : 0;
}

int wf_tui_run_terminal(wf_app *a, const wf_tui_opts *o)
{
    char err[512];
    crash_prepare_tty();
    SCREEN *sp = open_terminal(err, sizeof err);
    if (!sp) {
        fprintf(stderr, "wherefrom: %s\n", err);
        return 78;
    }
    configure(a, o);
    crash_prepare_strings();
    install_signals();
    int rc = loop(a);
    curs_set(1);
    endwin();
    delscreen(sp);
    restore_signals();
    return rc;
}
