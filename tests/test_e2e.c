/* End-to-end: the real binary ($WHEREFROM_BIN) in a pseudo-terminal
 * (forkpty), its output fed to a terminal emulator (libvterm), keys typed,
 * the screen, the terminal modes and the exit status checked. */
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <vterm.h>

#include "tui_fixture.h"

typedef struct {
    pid_t pid;
    int fd;
    VTerm *vt;
    VTermScreen *vs;
    int rows, cols;
    int altscreen, cursor_visible, title_set;
    int exited, status;
} pty_t;

static int on_prop(VTermProp prop, VTermValue *val, void *user)
{
    pty_t *p = user;
    if (prop == VTERM_PROP_ALTSCREEN) p->altscreen = val->boolean;
    if (prop == VTERM_PROP_CURSORVISIBLE) p->cursor_visible = val->boolean;
    if (prop == VTERM_PROP_TITLE) p->title_set = 1;
    return 1;
}

static const VTermScreenCallbacks callbacks = {.settermprop = on_prop};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Starts wherefrom with args (NULL-terminated) in a cols x rows pty. */
static pty_t *spawn(const char *const *args, int cols, int rows, int unset_term)
{
    pty_t *p = calloc(1, sizeof *p);
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    const char *bin = getenv("WHEREFROM_BIN");
    assert_non_null(bin);
    p->rows = rows;
    p->cols = cols;
    p->cursor_visible = 1;
    p->pid = forkpty(&p->fd, NULL, NULL, &ws);
    assert_true(p->pid >= 0);
    if (p->pid == 0) {
        const char *argv[16] = {bin};
        int n = 1;
        for (; args[n - 1] && n < 15; n++)
            argv[n] = args[n - 1];
        argv[n] = NULL;
        if (unset_term)
            unsetenv("TERM");
        else
            setenv("TERM", "xterm-256color", 1);
        unsetenv("NO_COLOR");
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    p->vt = vterm_new(rows, cols);
    vterm_set_utf8(p->vt, 1);
    p->vs = vterm_obtain_screen(p->vt);
    vterm_screen_set_callbacks(p->vs, &callbacks, p);
    vterm_screen_enable_altscreen(p->vs, 1);
    vterm_screen_reset(p->vs, 1);
    return p;
}

/* Reads what the program wrote for up to ms milliseconds. */
static void pump(pty_t *p, int ms)
{
    struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
    char buf[8192];
    double end = now_ms() + ms;
    while (now_ms() < end) {
        int r = poll(&pfd, 1, 20);
        if (r <= 0) continue;
        ssize_t n = read(p->fd, buf, sizeof buf);
        if (n <= 0) break; /* the program closed the terminal */
        vterm_input_write(p->vt, buf, (size_t)n);
        size_t out;
        while ((out = vterm_output_read(p->vt, buf, sizeof buf)) > 0)
            (void)!write(p->fd, buf, out);
    }
}

static char *screen_text(pty_t *p)
{
    size_t cap = (size_t)(p->rows * (p->cols * 4 + 1)) + 1;
    char *s = calloc(cap, 1);
    size_t len = 0;
    for (int r = 0; r < p->rows; r++) {
        VTermRect rect = {.start_row = r, .end_row = r + 1, .start_col = 0, .end_col = p->cols};
        len += vterm_screen_get_text(p->vs, s + len, cap - len - 2, rect);
        s[len++] = '\n';
    }
    s[len] = 0;
    return s;
}

static int wait_for(pty_t *p, const char *text, int ms)
{
    double end = now_ms() + ms;
    while (now_ms() < end) {
        pump(p, 50);
        char *s = screen_text(p);
        int hit = strstr(s, text) != NULL;
        free(s);
        if (hit) return 1;
    }
    char *s = screen_text(p);
    fprintf(stderr, "waited for '%s'; screen:\n%s", text, s);
    free(s);
    return 0;
}

static void type(pty_t *p, const char *keys)
{
    assert_int_equal(write(p->fd, keys, strlen(keys)), (ssize_t)strlen(keys));
}

static void resize_pty(pty_t *p, int cols, int rows)
{
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    p->rows = rows;
    p->cols = cols;
    vterm_set_size(p->vt, rows, cols);
    ioctl(p->fd, TIOCSWINSZ, &ws); /* the kernel sends SIGWINCH */
    kill(p->pid, SIGWINCH);
}

/* Waits for the program to end; returns its exit status (-1: timeout). */
static int wait_exit(pty_t *p, int ms)
{
    double end = now_ms() + ms;
    while (now_ms() < end) {
        pump(p, 20);
        int st;
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid) {
            pump(p, 50);
            p->exited = 1;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
    }
    return -1;
}

static void finish(pty_t *p)
{
    if (!p->exited) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, NULL, 0);
    }
    close(p->fd);
    vterm_free(p->vt);
    free(p);
}

/* One fixture database for the whole program, passed as the group state. */
static int group_setup(void **state)
{
    char path[1024];
    wf_store *s = fix_build("e2e");
    wf_store_close(&s);
    *state = strdup(fix_db_path("e2e", path, sizeof path));
    return 0;
}

static int group_teardown(void **state)
{
    free(*state);
    return 0;
}

/* ---- cases ------------------------------------------------------------------------ */

static void startup_shows_rows_and_q_exits_0(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 80, 24, 0);
    assert_true(wait_for(p, "First1 Last1", 5000));
    assert_true(wait_for(p, "204 contacts", 5000));
    assert_true(p->altscreen);
    type(p, "q");
    assert_int_equal(wait_exit(p, 5000), 0);
    assert_false(p->altscreen);     /* alternate screen left */
    assert_true(p->cursor_visible); /* cursor back */
    finish(p);
}

static void hostile_name_does_not_retitle(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 100, 30, 0);
    assert_true(wait_for(p, "\\e]0;pwned\\x07", 5000));
    assert_false(p->title_set);
    type(p, "Q");
    assert_int_equal(wait_exit(p, 5000), 0);
    finish(p);
}

static void search_then_open_contact(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 80, 24, 0);
    assert_true(wait_for(p, "First1 Last1", 5000));
    type(p, "/first12\r");
    type(p, "n"); /* next match after 12 is 120 */
    type(p, "\r");
    assert_true(wait_for(p, "#120 First120 Last120", 5000));
    assert_true(wait_for(p, "[1 Overview]", 2000));
    type(p, "q");
    assert_true(wait_for(p, "Name / email", 2000));
    type(p, "Q");
    assert_int_equal(wait_exit(p, 5000), 0);
    finish(p);
}

static void tabs_switch_with_number_keys(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 80, 24, 0);
    assert_true(wait_for(p, "First1 Last1", 5000));
    type(p, ":open 1003\r");
    assert_true(wait_for(p, "#1003 Lee Park", 5000));
    type(p, "3");
    assert_true(wait_for(p, "Why is the original source", 5000));
    type(p, "4");
    assert_true(wait_for(p, "ANALYTICS", 5000)); /* a stored change */
    type(p, "\t");
    assert_true(wait_for(p, "Channel         SALESFORCE", 5000));
    type(p, "Q");
    assert_int_equal(wait_exit(p, 5000), 0);
    finish(p);
}

static void resize_relayouts_and_too_small(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 80, 24, 0);
    assert_true(wait_for(p, "First1 Last1", 5000));
    type(p, "jjjjj"); /* select contact 2 */
    pump(p, 500);     /* let it read the keys before the resize */
    resize_pty(p, 50, 12);
    assert_true(wait_for(p, "needs at least 60x15 (now 50x12)", 5000));
    resize_pty(p, 130, 30);
    assert_true(wait_for(p, "First2 Last2", 5000));
    type(p, "\r"); /* the selection survived: opens contact 2, beside the list */
    assert_true(wait_for(p, "#2 First2 Last2", 5000));
    char *s = screen_text(p);
    assert_non_null(strstr(s, "Name / email")); /* side by side */
    free(s);
    type(p, "Q");
    assert_int_equal(wait_exit(p, 5000), 0);
    assert_false(p->altscreen);
    finish(p);
}

static void sigterm_restores_the_terminal(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 80, 24, 0);
    assert_true(wait_for(p, "First1 Last1", 5000));
    assert_true(p->altscreen);
    kill(p->pid, SIGTERM);
    assert_int_equal(wait_exit(p, 5000), 128 + SIGTERM);
    assert_false(p->altscreen);
    assert_true(p->cursor_visible);
    finish(p);
}

/* Even a crash gives the terminal back (alternate screen left, cursor
 * shown) before the process dies of the signal. */
static void crash_restores_the_terminal(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 80, 24, 0);
    assert_true(wait_for(p, "First1 Last1", 5000));
    assert_true(p->altscreen);
    kill(p->pid, SIGSEGV);
    assert_int_equal(wait_exit(p, 5000), 128 + SIGSEGV);
    assert_false(p->altscreen);
    assert_true(p->cursor_visible);
    finish(p);
}

static void ctrl_c_restores_the_terminal(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 80, 24, 0);
    assert_true(wait_for(p, "First1 Last1", 5000));
    type(p, "\x03"); /* the line discipline turns it into SIGINT */
    assert_int_equal(wait_exit(p, 5000), 128 + SIGINT);
    assert_false(p->altscreen);
    assert_true(p->cursor_visible);
    finish(p);
}

/* A click (SGR mouse report, 1-based column;row) selects a row; Enter
 * opens it. With --no-mouse the same click does nothing. */
static void mouse_click_selects_a_row(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 80, 24, 0);
    assert_true(wait_for(p, "First1 Last1", 5000));
    type(p, "\x1b[<0;5;8M\x1b[<0;5;8m"); /* screen row 7: the 6th contact, id 2 */
    pump(p, 300);
    type(p, "\r");
    assert_true(wait_for(p, "#2 First2 Last2", 5000));
    type(p, "Q");
    assert_int_equal(wait_exit(p, 5000), 0);
    finish(p);
    const char *args2[] = {"--db", *state, "--no-mouse", NULL};
    p = spawn(args2, 80, 24, 0);
    assert_true(wait_for(p, "First1 Last1", 5000));
    type(p, "\x1b[<0;5;8M\x1b[<0;5;8m");
    pump(p, 300);
    type(p, "\r"); /* the selection stayed on the first row */
    assert_true(wait_for(p, "#1001 ", 5000));
    type(p, "Q");
    assert_int_equal(wait_exit(p, 5000), 0);
    finish(p);
}

static void unset_term_gives_a_clear_message(void **state)
{
    const char *args[] = {"--db", *state, NULL};
    pty_t *p = spawn(args, 80, 24, 1);
    int rc = wait_exit(p, 5000);
    assert_int_equal(rc, 78);
    char *s = screen_text(p);
    assert_non_null(strstr(s, "TERM is not set"));
    free(s);
    finish(p);
}

static void not_a_terminal_is_refused_with_a_hint(void **state)
{
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        execl(getenv("WHEREFROM_BIN"), "wherefrom", "--db", (const char *)*state, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char buf[2048] = "";
    size_t len = 0;
    ssize_t n;
    while ((n = read(out[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)n;
    buf[len] = 0;
    close(out[0]);
    int st;
    waitpid(pid, &st, 0);
    assert_int_equal(WEXITSTATUS(st), 2);
    assert_non_null(strstr(buf, "needs a terminal"));
    assert_non_null(strstr(buf, "wherefrom explain"));
    assert_non_null(strstr(buf, "--script"));
}

/* Runs the binary without a terminal; returns the exit status and what it
 * wrote on stdout and stderr (together) in out. */
static int run_plain(const char *const *args, char *out, size_t outsz)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        const char *argv[16] = {getenv("WHEREFROM_BIN")};
        int n = 1;
        for (; args[n - 1] && n < 15; n++)
            argv[n] = args[n - 1];
        argv[n] = NULL;
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while (len + 1 < outsz && (r = read(fds[0], out + len, outsz - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = 0;
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void script_mode_needs_no_terminal(void **state)
{
    char script[1024], out[16384];
    const char *tmp = getenv("TESTS_TMPDIR");
    snprintf(script, sizeof script, "%s/e2e-script.txt", tmp ? tmp : "/tmp");
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs("# a comment\n:open 1003\ntab why\n\ndump-screen -\n", f);
    fclose(f);
    const char *args[] = {"--db",     *state, "--size",    "100x30",
                          "--script", script, "--timings", NULL};
    assert_int_equal(run_plain(args, out, sizeof out), 0);
    assert_non_null(strstr(out, "#1003 Lee Park"));
    assert_non_null(strstr(out, "Why is the original source"));
    assert_non_null(strstr(out, "ms start-to-first-screen"));
    assert_non_null(strstr(out, "ms tab why"));
    /* a failing command: exit 1, its message escaped, the rest still runs */
    const char *bad[] = {"--db", *state, "-c", "open \x1b]0;x\x07", "-c", "dump-screen -", NULL};
    assert_int_equal(run_plain(bad, out, sizeof out), 1);
    assert_non_null(strstr(out, "no contact '\\e]0;x\\x07'"));
    assert_null(strchr(out, '\x1b'));
    assert_non_null(strstr(out, "Name / email"));
    const char *usage[] = {"--db", *state, "--size", "huge", NULL};
    assert_int_equal(run_plain(usage, out, sizeof out), 2);
    assert_non_null(strstr(out, "--size needs COLSxROWS"));
}

static void demo_database_on_first_run(void **state)
{
    (void)state;
    char home[1024], data[1100];
    const char *tmp = getenv("TESTS_TMPDIR");
    snprintf(home, sizeof home, "%s/e2e-home", tmp ? tmp : "/tmp");
    snprintf(data, sizeof data, "%s/data/wherefrom/contacts.db", home);
    unlink(data);
    setenv("XDG_DATA_HOME", strcat(strcpy(data, home), "/data"), 1);
    const char *args[] = {NULL};
    pty_t *p = spawn(args, 100, 30, 0);
    assert_true(wait_for(p, "contacts.db", 10000));
    assert_true(wait_for(p, "Kim Story", 5000));
    type(p, "q");
    assert_int_equal(wait_exit(p, 5000), 0);
    finish(p);
}

int main(void)
{
    setlocale(LC_ALL, "");
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(startup_shows_rows_and_q_exits_0),
        cmocka_unit_test(hostile_name_does_not_retitle),
        cmocka_unit_test(search_then_open_contact),
        cmocka_unit_test(tabs_switch_with_number_keys),
        cmocka_unit_test(resize_relayouts_and_too_small),
        cmocka_unit_test(sigterm_restores_the_terminal),
        cmocka_unit_test(ctrl_c_restores_the_terminal),
        cmocka_unit_test(crash_restores_the_terminal),
        cmocka_unit_test(mouse_click_selects_a_row),
        cmocka_unit_test(unset_term_gives_a_clear_message),
        cmocka_unit_test(not_a_terminal_is_refused_with_a_hint),
        cmocka_unit_test(script_mode_needs_no_terminal),
        cmocka_unit_test(demo_database_on_first_run),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
