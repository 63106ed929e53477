/* wherefrom explain [--db FILE] [--json] CONTACT */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "attrib/explain.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/text.h"

static void usage(FILE *o)
{
    fputs("Usage: wherefrom explain [--db FILE] [--json] CONTACT\n"
          "Explains step by step why the contact's original source is what it is.\n"
          "CONTACT is a contact id or an email address.\n"
          "  --json   print the explanation as JSON (schema wherefrom.explain/1)\n"
          "The steps are wrapped to $COLUMNS, the terminal's width, or 80 columns.\n",
          o);
}

/* Columns to wrap the steps to: $COLUMNS, else the terminal's width when
 * stdout is one, else 80. */
static size_t text_width(void)
{
    const char *c = getenv("COLUMNS");
    char *end = NULL;
    long n = c ? strtol(c, &end, 10) : 0;
    if (c && end != c && *end == 0 && n > 0 && n <= 10000) return (size_t)n;
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Writes out; a closed pipe (explain | head) is not an error. Returns an
 * exit code. */
static int emit(const char *s, size_t n)
{
    errno = 0;
    if (fwrite(s, 1, n, stdout) == n && fflush(stdout) == 0) return 0;
    if (errno == EPIPE) return 0;
    wf_cli_error("cannot write the explanation: %s", strerror(errno));
    return 74;
}

static int render(const wf_explanation *x, int json)
{
    if (json) {
        cJSON *j = wf_explanation_json(x);
        char *s = j ? cJSON_Print(j) : NULL;
        cJSON_Delete(j);
        if (!s) {
            wf_cli_error("out of memory");
            return 71;
        }
        wf_buf safe = WF_BUF_INIT; /* C1 and bidi controls as \u escapes */
        wf_text_json_safe(&safe, s);
        cJSON_free(s);
        int rc = 71;
        if (safe.failed)
            wf_cli_error("out of memory");
        else
            rc = emit(safe.p, safe.len);
        if (rc == 0) rc = emit("\n", 1);
        wf_buf_free(&safe);
        return rc;
    }
    wf_buf b = WF_BUF_INIT;
    if (wf_explanation_text_width(x, text_width(), &b) != WF_OK) {
        wf_buf_free(&b);
        wf_cli_error("out of memory");
        return 71;
    }
    int rc = emit(wf_buf_str(&b), b.len);
    wf_buf_free(&b);
    return rc;
}

/* A merged-away record resolves to the survivor: say so. */
static void note_merged(const wf_cli *cli, const char *spec, int64_t id)
{
    char *end = NULL;
    long long asked = strtoll(spec, &end, 10);
    if (end && *end == 0 && end != spec && asked != id)
        wf_cli_info(cli, "record %lld was merged into %lld; explaining %lld", asked, (long long)id,
                    (long long)id);
}

static int explain_one(const wf_cli *cli, wf_store *s, const char *spec, int json)
{
    int64_t id;
    wf_status st = wf_store_find_contact(s, spec, &id);
    if (st == WF_E_NOTFOUND) {
        wf_buf b = WF_BUF_INIT;
        wf_text_escape(&b, spec);
        wf_cli_error("no such contact: %s", wf_buf_str(&b));
        wf_buf_free(&b);
        return wf_status_exit_code(st);
    }
    char err[1024] = "";
    wf_engine *e = NULL;
    wf_facts *f = NULL;
    wf_explanation *x = NULL;
    if (st == WF_OK) note_merged(cli, spec, id);
    if (st == WF_OK) st = wf_store_load_facts(s, id, &f);
    if (st == WF_OK) st = wf_engine_new(NULL, &e, err, sizeof err);
    if (st == WF_OK) st = wf_explain(e, f, &x);
    int rc = 0;
    if (st == WF_OK)
        rc = render(x, json);
    else {
        wf_cli_error("cannot explain contact %s: %s", spec, *err ? err : wf_status_message(st));
        rc = wf_status_exit_code(st);
    }
    wf_explanation_free(&x);
    wf_facts_free(&f);
    wf_engine_free(&e);
    return rc;
}

int wf_cmd_explain(wf_cli *cli, int argc, char **argv)
{
    int json = 0;
    const char *spec = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int g = wf_cli_global_option(cli, argc, argv, &i);
        if (g < 0) return 2;
        if (g) continue;
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1] && strcmp(a, "--") != 0) {
            wf_cli_error("explain: unknown option '%s'", a);
            usage(stderr);
            return 2;
        } else if (strcmp(a, "--") == 0 && i + 1 < argc && !spec) {
            spec = argv[++i];
        } else if (!spec) {
            spec = a;
        } else {
            wf_cli_error("explain: one CONTACT only");
            return 2;
        }
    }
    if (!spec) {
        wf_cli_error("explain: which contact? (an id or an email)");
        usage(stderr);
        return 2;
    }
    /* a reader that stops early (explain | head -1) must not kill us */
    signal(SIGPIPE, SIG_IGN);
    wf_store *s = NULL;
    int rc = wf_cli_open_store(cli, 0, &s);
    if (rc) return rc;
    rc = explain_one(cli, s, spec, json);
    wf_store_close(&s);
    return rc;
}
