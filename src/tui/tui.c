/* The inspector's entry point: its options, then the terminal or the
 * headless mode. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui/app.h"
#include "tui/tui.h"

void wf_tui_usage(FILE *out)
{
    fprintf(out, "\nInspector options:\n"
                 "  --no-mouse          do not use the mouse\n"
                 "  --script FILE       run named commands from FILE on an in-memory screen\n"
                 "                      (no terminal needed; - reads stdin), then exit\n"
                 "  -c CMD              run one command headless (repeatable), e.g.\n"
                 "                      -c ':open 42' -c ':tab why' -c ':dump-screen -'\n"
                 "  --size COLSxROWS    screen size for --script/-c (default 80x24)\n"
                 "  --timings           print per-command wall times on stderr (headless)\n"
                 "  --keys-roff         print the man page KEYS section (from the key table)\n");
}

static int usage_error(const char *what, const char *arg)
{
    wf_buf e = WF_BUF_INIT; /* arguments are user input: shown escaped */
    fprintf(stderr, "wherefrom: %s '%s' (see wherefrom --help)\n", what, wf_tui_escape(&e, arg));
    wf_buf_free(&e);
    return 2;
}

static int keys_roff(void)
{
    wf_buf b = WF_BUF_INIT;
    wf_help_keys_roff(&b);
    fputs(wf_buf_str(&b), stdout);
    wf_buf_free(&b);
    return 0;
}

/* Returns -1 to go on, else an exit code. */
static int parse(wf_tui_opts *o, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;
        if (strcmp(a, "--no-mouse") == 0)
            o->no_mouse = 1;
        else if (strcmp(a, "--timings") == 0)
            o->timings = 1;
        else if (strcmp(a, "--keys-roff") == 0)
            return keys_roff();
        else if (strcmp(a, "--script") == 0 && has_next)
            o->script = argv[++i];
        else if (strcmp(a, "-c") == 0 && has_next)
            o->cmds[o->n_cmds++] = argv[++i];
        else if (strcmp(a, "--size") == 0 && has_next) {
            const char *v = argv[++i];
            if (sscanf(v, "%dx%d", &o->cols, &o->rows) != 2 || o->cols < 1 || o->rows < 1 ||
                o->cols > 1000 || o->rows > 1000)
                return usage_error("--size needs COLSxROWS, e.g. 120x40, not", v);
        } else if (strcmp(a, "--script") == 0 || strcmp(a, "-c") == 0 || strcmp(a, "--size") == 0)
            return usage_error("a value is needed after", a);
        else
            return usage_error("unknown option", a);
    }
    o->headless = o->script || o->n_cmds;
    return -1;
}

static int run(wf_cli *cli, wf_tui_opts *o)
{
    if (!o->headless && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
        fprintf(stderr,
                "wherefrom: the inspector needs a terminal (standard %s is not one); "
                "use a subcommand such as 'wherefrom explain CONTACT', or run "
                "commands headless with --script FILE or -c CMD\n",
                isatty(STDIN_FILENO) ? "output" : "input");
        return 2;
    }
    wf_store *s = NULL;
    int rc = wf_cli_open_store(cli, 0, &s);
    if (rc) return rc;
    wf_app app;
    char err[256];
    if (wf_app_init(&app, s, err, sizeof err) != WF_OK) {
        fprintf(stderr, "wherefrom: %s\n", err);
        wf_store_close(&s);
        return 71;
    }
    rc = o->headless ? wf_tui_run_headless(&app, o) : wf_tui_run_terminal(&app, o);
    wf_app_fini(&app);
    wf_store_close(&s);
    return rc;
}

int wf_tui_main(wf_cli *cli, int argc, char **argv)
{
    wf_tui_opts o;
    memset(&o, 0, sizeof o);
    o.t0 = wf_tui_now_ms();
    o.cmds = calloc((size_t)argc + 1, sizeof *o.cmds);
    if (!o.cmds) return 71;
    int rc = parse(&o, argc, argv);
    if (rc < 0) rc = run(cli, &o);
    free(o.cmds);
    return rc;
}
