/* Hostile terminals, against the real binary ($WHEREFROM_BIN) in a
 * pseudo-terminal whose output feeds a terminal emulator (libvterm):
 * TERM=dumb, empty or unknown TERM, 1x1 and 10x3 terminals, 500 resizes in
 * a second, stdin not a terminal, suspend and resume (SIGTSTP/SIGCONT under
 * a minimal job-control shell); and for the subcommands a closed stdout and
 * a reader that goes away (`explain | head -1`). */
#include <locale.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <cmocka.h>
#include <vterm.h>

#include "test_hostile_util.h"

/* ---- a small pty + libvterm harness ------------------------------------------------ */

typedef struct {
    pid_t pid;     /* the child of forkpty (wherefrom, or the job shell) */
    pid_t job;     /* with the job shell: wherefrom itself */
    int fd;        /* pty master */
    int ctl, stat; /* job shell: command pipe (write), status pipe (read) */
    VTerm *vt;
    VTermScreen *vs;
    int rows, cols;
    int altscreen;
    int exited;
} term_t;

static int on_prop(VTermProp prop, VTermValue *val, void *user)
{
    term_t *t = user;
    if (prop == VTERM_PROP_ALTSCREEN) t->altscreen = val->boolean;
    return 1;
}

static const VTermScreenCallbacks callbacks = {.settermprop = on_prop};

static void vt_init(term_t *t)
{
    t->vt = vterm_new(t->rows, t->cols);
    vterm_set_utf8(t->vt, 1);
    t->vs = vterm_obtain_screen(t->vt);
    vterm_screen_set_callbacks(t->vs, &callbacks, t);
    vterm_screen_enable_altscreen(t->vs, 1);
    vterm_screen_reset(t->vs, 1);
}

static void exec_wherefrom(const char *term, const char *const *args)
{
    const char *argv[16] = {hz_bin()};
    int n = 1;
    for (; args[n - 1] && n < 15; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    const char *src = getenv("WHEREFROM_SRCDIR");
    char supp[1200];
    snprintf(supp, sizeof supp, "suppressions=%s/tests/fixtures/hostile/lsan.supp",
             src && *src ? src : ".");
    setenv("LSAN_OPTIONS", supp, 1); /* under ASan: ncurses' own leak on a failed newterm */
    if (term)
        setenv("TERM", term, 1);
    else
        unsetenv("TERM");
    unsetenv("NO_COLOR");
    execv(hz_bin(), (char *const *)argv);
    _exit(127);
}

/* wherefrom args... in a cols x rows pty with TERM=term (NULL: unset). */
static term_t *spawn(const char *term, int cols, int rows, const char *const *args)
{
    term_t *t = calloc(1, sizeof *t);
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    t->rows = rows, t->cols = cols, t->ctl = t->stat = -1;
    t->pid = forkpty(&t->fd, NULL, NULL, &ws);
    assert_true(t->pid >= 0);
    if (t->pid == 0) exec_wherefrom(term, args);
    t->job = t->pid;
    vt_init(t);
    return t;
}

/* The job shell: the forkpty child plays a shell with job control, so the
 * inspector runs in its own foreground process group (one that is not
 * orphaned, as under a real shell: SIGTSTP then really stops it). It
 * reports "P<pid>", "S" (stopped), "X<status>" (exited) on the status
 * pipe, and on 'f' from the command pipe does what `fg` does. */
static void job_shell(int ctl, int stat, const char *const *args)
{
    signal(SIGTTOU, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
    pid_t job = fork();
    if (job == 0) {
        setpgid(0, 0);
        tcsetpgrp(0, getpid());
        signal(SIGTTOU, SIG_DFL), signal(SIGTTIN, SIG_DFL), signal(SIGTSTP, SIG_DFL);
        close(ctl), close(stat);
        exec_wherefrom("xterm-256color", args);
    }
    setpgid(job, job);
    tcsetpgrp(0, job);
    char msg[32];
    int n = snprintf(msg, sizeof msg, "P%d\n", (int)job);
    if (write(stat, msg, (size_t)n) != n) _exit(1);
    for (;;) {
        int st;
        if (waitpid(job, &st, WUNTRACED) != job) _exit(1);
        if (WIFSTOPPED(st)) {
            tcsetpgrp(0, getpgrp()); /* the shell takes the terminal back */
            if (write(stat, "S\n", 2) != 2) _exit(1);
            char c;
            if (read(ctl, &c, 1) != 1) _exit(1);
            tcsetpgrp(0, job); /* fg */
            kill(-job, SIGCONT);
            continue;
        }
        n = snprintf(msg, sizeof msg, "X%d\n",
                     WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
        if (write(stat, msg, (size_t)n) != n) _exit(1);
        _exit(0);
    }
}

static term_t *spawn_job(int cols, int rows, const char *const *args)
{
    term_t *t = calloc(1, sizeof *t);
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    int c[2], s[2];
    assert_int_equal(pipe(c), 0);
    assert_int_equal(pipe(s), 0);
    t->rows = rows, t->cols = cols;
    t->pid = forkpty(&t->fd, NULL, NULL, &ws);
    assert_true(t->pid >= 0);
    if (t->pid == 0) {
        free(t);
        close(c[1]), close(s[0]);
        job_shell(c[0], s[1], args);
    }
    close(c[0]), close(s[1]);
    t->ctl = c[1], t->stat = s[0];
    char line[32] = "";
    for (size_t i = 0; i < sizeof line - 1 && read(t->stat, line + i, 1) == 1; i++)
        if (line[i] == '\n') break;
    assert_int_equal(line[0], 'P');
    t->job = (pid_t)atoi(line + 1);
    vt_init(t);
    return t;
}

/* Reads what the program wrote for up to ms milliseconds. */
static void pump(term_t *t, int ms)
{
    struct pollfd pfd = {.fd = t->fd, .events = POLLIN};
    char buf[8192];
    double end = hz_now_ms() + ms;
    for (double now = hz_now_ms(); now < end; now = hz_now_ms()) {
        int left = (int)(end - now);
        if (poll(&pfd, 1, left < 20 ? left : 20) <= 0) continue;
        ssize_t n = read(t->fd, buf, sizeof buf);
        if (n <= 0) break;
        vterm_input_write(t->vt, buf, (size_t)n);
        size_t out;
        while ((out = vterm_output_read(t->vt, buf, sizeof buf)) > 0)
            (void)!write(t->fd, buf, out); /* answers to terminal queries */
    }
}

static char *screen(term_t *t)
{
    size_t cap = (size_t)(t->rows * (t->cols * 4 + 1)) + 1;
    char *s = calloc(cap, 1);
    size_t len = 0;
    for (int r = 0; r < t->rows; r++) {
        VTermRect rect = {.start_row = r, .end_row = r + 1, .start_col = 0, .end_col = t->cols};
        len += vterm_screen_get_text(t->vs, s + len, cap - len - 2, rect);
        s[len++] = '\n';
    }
    s[len] = 0;
    return s;
}

static int wait_for(term_t *t, const char *text, int ms)
{
    double end = hz_now_ms() + ms;
    while (hz_now_ms() < end) {
        pump(t, 50);
        char *s = screen(t);
        int hit = strstr(s, text) != NULL;
        free(s);
        if (hit) return 1;
    }
    char *s = screen(t);
    fprintf(stderr, "waited for '%s'; screen:\n%s", text, s);
    free(s);
    return 0;
}

static void type(term_t *t, const char *keys)
{
    assert_int_equal(write(t->fd, keys, strlen(keys)), (ssize_t)strlen(keys));
}

/* Tells the program its terminal is now cols x rows (the kernel sends
 * SIGWINCH to the foreground). The emulator is resized only when `emu` is
 * set: libvterm is not itself hardened against a storm of odd sizes. */
static void set_size(term_t *t, int cols, int rows, int emu)
{
    struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
    if (emu) {
        t->rows = rows, t->cols = cols;
        vterm_set_size(t->vt, rows, cols);
    }
    ioctl(t->fd, TIOCSWINSZ, &ws);
}

/* Exit status of the program (-1: still running after ms). */
static int wait_exit(term_t *t, int ms)
{
    double end = hz_now_ms() + ms;
    while (hz_now_ms() < end) {
        pump(t, 20);
        int st;
        if (waitpid(t->pid, &st, WNOHANG) == t->pid) {
            t->exited = 1;
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
    }
    return -1;
}

static void finish(term_t *t)
{
    if (!t->exited) {
        if (t->job != t->pid) kill(t->job, SIGKILL);
        kill(t->pid, SIGKILL);
        waitpid(t->pid, NULL, 0);
    }
    if (t->ctl >= 0) close(t->ctl);
    if (t->stat >= 0) close(t->stat);
    close(t->fd);
    vterm_free(t->vt);
    free(t);
}

/* ---- fixture: the demo data in a private database ----------------------------------- */

static char g_dir[512], g_db[600];

static int group_setup(void **state)
{
    (void)state;
    hz_mkdtemp(g_dir, sizeof g_dir, "hostile-term");
    snprintf(g_db, sizeof g_db, "%s/demo.db", g_dir);
    const char *src = getenv("WHEREFROM_SRCDIR");
    char demo[1024];
    snprintf(demo, sizeof demo, "%s/data/demo.ndjson", src && *src ? src : ".");
    hz_result r;
    hz_run(&r, "import", "-q", "--db", g_db, demo, NULL);
    int ok = r.status == 0;
    hz_result_free(&r);
    return ok ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    hz_rm_rf(g_dir);
    return 0;
}

/* ---- terminal types and sizes --------------------------------------------------------- */

/* Whatever the terminal type, the program either runs and quits on q, or
 * refuses at once with exit 78 and a sentence naming TERM. */
static void runs_or_refuses(const char *term, const char *expect_in_refusal)
{
    const char *args[] = {"--db", g_db, NULL};
    term_t *t = spawn(term, 80, 24, args);
    /* started (the alternate screen is on) or refused (it exited) */
    int rc = -1;
    for (double end = hz_now_ms() + 8000; rc == -1 && !t->altscreen && hz_now_ms() < end;)
        rc = wait_exit(t, 50);
    if (rc == -1) {
        pump(t, 300);
        type(t, "q");
        rc = wait_exit(t, 5000);
        assert_int_equal(rc, 0);
    } else {
        assert_int_equal(rc, 78);
        char *s = screen(t);
        if (!strstr(s, expect_in_refusal))
            fail_msg("refusal without '%s':\n%s", expect_in_refusal, s);
        free(s);
    }
    assert_false(t->altscreen);
    finish(t);
}

static void term_dumb(void **state)
{
    (void)state;
    runs_or_refuses("dumb", "dumb");
}

static void term_empty(void **state)
{
    (void)state;
    runs_or_refuses("", "TERM");
}

static void term_unknown(void **state)
{
    (void)state;
    /* the refusal names the type, escaped: \e[2J, not a cleared screen */
    runs_or_refuses("no-such-terminal-\x1b[2J", "no-such-terminal-\\e[2J");
}

static void tiny(int cols, int rows)
{
    const char *args[] = {"--db", g_db, NULL};
    term_t *t = spawn("xterm-256color", cols, rows, args);
    pump(t, 1500);
    assert_int_equal(wait_exit(t, 10), -1); /* still running */
    type(t, "jjkk\r\t?q");
    pump(t, 300);
    type(t, "Q");
    assert_int_equal(wait_exit(t, 5000), 0);
    assert_false(t->altscreen);
    finish(t);
}

static void terminal_1x1(void **state)
{
    (void)state;
    tiny(1, 1);
}

static void terminal_10x3(void **state)
{
    (void)state;
    tiny(10, 3);
}

/* 500 size changes (each a SIGWINCH) within about a second, then a usable
 * size: the program survives, and the final screen is right. */
static void resize_storm(void **state)
{
    (void)state;
    const char *args[] = {"--db", g_db, NULL};
    /* the emulator stays at 200x60, the largest size the program is told */
    term_t *t = spawn("xterm-256color", 200, 60, args);
    assert_true(wait_for(t, "Lee Legacy", 8000));
    srand(500);
    double t0 = hz_now_ms();
    for (int i = 0; i < 500; i++) {
        set_size(t, 2 + rand() % 199, 2 + rand() % 59, 1);
        if (i % 50 == 0) type(t, "j");
        pump(t, 1); /* keep the pty drained so the program never blocks */
    }
    double took = hz_now_ms() - t0;
    set_size(t, 100, 30, 1);
    assert_true(wait_for(t, "39 contacts", 8000));
    assert_true(wait_for(t, "q quit", 8000)); /* the key bar on the last row */
    assert_int_equal(wait_exit(t, 10), -1);
    type(t, "Q");
    assert_int_equal(wait_exit(t, 5000), 0);
    assert_false(t->altscreen);
    printf("# 500 resizes sent in %.0f ms\n", took);
    finish(t);
}

/* stdout is a terminal but stdin is not: refused with a hint. */
static void stdin_not_a_terminal(void **state)
{
    (void)state;
    struct winsize ws = {.ws_row = 24, .ws_col = 300}; /* the hint on one line */
    int fd;
    pid_t pid = forkpty(&fd, NULL, NULL, &ws);
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDONLY);
        dup2(null, 0);
        const char *args[] = {"--db", g_db, NULL};
        exec_wherefrom("xterm-256color", args);
    }
    term_t t = {.pid = pid, .job = pid, .fd = fd, .rows = 24, .cols = 300, .ctl = -1, .stat = -1};
    vt_init(&t);
    int rc = wait_exit(&t, 5000);
    char *s = screen(&t);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(s, "terminal"));
    assert_non_null(strstr(s, "--script"));
    free(s);
    assert_false(t.altscreen);
    close(fd);
    vterm_free(t.vt);
}

/* ^Z and fg under a job-control shell: the terminal is restored while
 * stopped, and the screen comes back on resume. */
static void suspend_and_resume(void **state)
{
    (void)state;
    const char *args[] = {"--db", g_db, NULL};
    term_t *t = spawn_job(80, 24, args);
    assert_true(wait_for(t, "Lee Legacy", 8000));
    assert_true(t->altscreen);
    type(t, "\x1a"); /* ^Z: the line discipline sends SIGTSTP to the foreground */
    char line[32] = "";
    struct pollfd p = {.fd = t->stat, .events = POLLIN};
    double end = hz_now_ms() + 5000;
    while (hz_now_ms() < end && poll(&p, 1, 20) == 0)
        pump(t, 20);
    assert_int_equal(read(t->stat, line, 2), 2);
    assert_int_equal(line[0], 'S'); /* stopped, not killed */
    pump(t, 200);
    assert_false(t->altscreen); /* the user gets the shell's screen back */
    /* clear the emulator so the redraw must come from the program */
    vterm_screen_reset(t->vs, 1);
    assert_int_equal(write(t->ctl, "f", 1), 1);
    assert_true(wait_for(t, "Lee Legacy", 8000));
    assert_true(t->altscreen);
    type(t, "Q");
    end = hz_now_ms() + 5000;
    memset(line, 0, sizeof line);
    while (hz_now_ms() < end && poll(&p, 1, 20) == 0)
        pump(t, 20);
    assert_true(read(t->stat, line, sizeof line - 1) >= 2);
    assert_string_equal(line, "X0\n");
    t->exited = wait_exit(t, 5000) >= 0;
    finish(t);
}

/* ---- subcommands writing to a closed or vanishing stdout ------------------------------ */

/* Each subcommand with stdout closed (to_full = 0: `>&-`) or on a full
 * device (to_full = 1: `>/dev/full`): a non-zero exit and a message. */
static void lost_output(int to_full)
{
    const char *cmds[][6] = {
        {"explain", "--db", g_db, "5001", NULL}, {"explain", "--json", "--db", g_db, "5001", NULL},
        {"history", "--db", g_db, "5001", NULL}, {"history", "--json", "--db", g_db, "5001", NULL},
        {"audit", "--db", g_db, NULL},           {"--db", g_db, "-c", "dump-screen", NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        int err[2];
        assert_int_equal(pipe(err), 0);
        pid_t pid = fork();
        if (pid == 0) {
            dup2(err[1], 2);
            close(err[0]), close(err[1]);
            close(1);
            if (to_full && open("/dev/full", O_WRONLY) != 1) _exit(126);
            const char *argv[8] = {hz_bin()};
            for (int k = 0; cmds[i][k]; k++)
                argv[k + 1] = cmds[i][k];
            execv(hz_bin(), (char *const *)argv);
            _exit(127);
        }
        close(err[1]);
        char msg[4096] = "";
        size_t len = 0;
        ssize_t n;
        while ((n = read(err[0], msg + len, sizeof msg - 1 - len)) > 0)
            len += (size_t)n;
        close(err[0]);
        int st;
        waitpid(pid, &st, 0);
        const char *what = cmds[i][0][0] == '-' ? "dump-screen" : cmds[i][0];
        if (WIFSIGNALED(st)) fail_msg("%s: killed by signal %d", what, WTERMSIG(st));
        if (WEXITSTATUS(st) == 0)
            fail_msg("%s with stdout %s: exit 0, nothing said", what, to_full ? "full" : "closed");
        assert_true(len > 0);
        assert_int_equal(hz_find_raw_control(msg, len), -1);
    }
}

static void closed_stdout(void **state)
{
    (void)state;
    lost_output(0);
}

static void full_stdout(void **state)
{
    (void)state;
    lost_output(1);
}

/* `wherefrom explain X | head -1`: the reader goes away after one line. */
static void reader_goes_away(void **state)
{
    (void)state;
    const char *cmds[][6] = {
        {"explain", "--db", g_db, "5001", NULL},
        {"explain", "--json", "--db", g_db, "5001", NULL},
        {"history", "--json", "--db", g_db, "5001", NULL},
        {"audit", "--db", g_db, NULL},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        int out[2], err[2];
        assert_int_equal(pipe(out), 0);
        assert_int_equal(pipe(err), 0);
        pid_t pid = fork();
        if (pid == 0) {
            dup2(out[1], 1), dup2(err[1], 2);
            close(out[0]), close(out[1]), close(err[0]), close(err[1]);
            signal(SIGPIPE, SIG_DFL); /* as a shell starts it */
            const char *argv[8] = {hz_bin()};
            for (int k = 0; cmds[i][k]; k++)
                argv[k + 1] = cmds[i][k];
            execv(hz_bin(), (char *const *)argv);
            _exit(127);
        }
        close(out[1]), close(err[1]);
        char c;
        while (read(out[0], &c, 1) == 1 && c != '\n') {
        }
        close(out[0]); /* head -1 exits */
        char msg[4096] = "";
        size_t len = 0;
        ssize_t n;
        while ((n = read(err[0], msg + len, sizeof msg - 1 - len)) > 0)
            len += (size_t)n;
        close(err[0]);
        int st;
        waitpid(pid, &st, 0);
        /* quiet: exit 0 or the default SIGPIPE death, nothing else */
        if (WIFSIGNALED(st) && WTERMSIG(st) != SIGPIPE)
            fail_msg("%s: killed by signal %d", cmds[i][0], WTERMSIG(st));
        if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
            fail_msg("%s: exit %d: %s", cmds[i][0], WEXITSTATUS(st), msg);
        if (len) fail_msg("%s: said something on stderr: %s", cmds[i][0], msg);
    }
}

int main(void)
{
    setlocale(LC_ALL, "");
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(term_dumb),
        cmocka_unit_test(term_empty),
        cmocka_unit_test(term_unknown),
        cmocka_unit_test(terminal_1x1),
        cmocka_unit_test(terminal_10x3),
        cmocka_unit_test(resize_storm),
        cmocka_unit_test(stdin_not_a_terminal),
        cmocka_unit_test(suspend_and_resume),
        cmocka_unit_test(closed_stdout),
        cmocka_unit_test(full_stdout),
        cmocka_unit_test(reader_goes_away),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
