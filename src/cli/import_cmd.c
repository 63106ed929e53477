/* wherefrom import [--db FILE] [--format v3|v1|events|ndjson] [--skip-bad] FILE...
 * Imports HubSpot exports and event logs in one transaction, then refreshes
 * the computed values of the contacts whose facts changed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib/engine.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/recompute.h"
#include "import/import.h"

static void import_usage(FILE *out)
{
    fprintf(out, "Usage: wherefrom import [--db FILE] [--format v3|v1|events|ndjson] [--skip-bad]"
                 " FILE...\n"
                 "Imports HubSpot CRM v3 records, legacy v1 contact profiles, web-analytics\n"
                 "events and wherefrom event logs (NDJSON); the format is detected per file.\n"
                 "All files are imported in one transaction: on any bad record nothing is\n"
                 "imported, unless --skip-bad (exit status 1 when records were skipped).\n");
}

static void print_summary(const wf_import_report *r)
{
    printf("imported %lld file%s, %lld record%s: contacts %lld added, %lld updated;"
           " %lld page views, %lld forms, %lld email clicks, %lld token links,"
           " %lld history entries, %lld merges; %lld pending; %lld skipped\n",
           (long long)r->files, r->files == 1 ? "" : "s", (long long)r->records,
           r->records == 1 ? "" : "s", (long long)r->contacts_added, (long long)r->contacts_updated,
           (long long)r->pageviews, (long long)r->forms, (long long)r->clicks, (long long)r->links,
           (long long)r->history, (long long)r->merges, (long long)r->pending,
           (long long)r->skipped);
}

/* Refreshes the computed cache for temp.touched; a failure here leaves the
 * imported data in place (the cache can be rebuilt) and is only reported. */
static void refresh(const wf_cli *cli, wf_store *s)
{
    char err[512] = "";
    wf_engine *e = NULL;
    wf_status st = wf_engine_new(NULL, &e, err, sizeof err);
    if (st == WF_OK) st = wf_recompute(s, e, 1);
    wf_engine_free(&e);
    if (st != WF_OK)
        wf_cli_error("imported, but the computed values were not refreshed: %s",
                     *err ? err : wf_status_message(st));
    (void)cli;
}

/* Parses the arguments; returns -1 to go on, else an exit code. */
static int parse_args(wf_cli *cli, int argc, char **argv, wf_import_opts *o, const char ***files,
                      size_t *n)
{
    int only_files = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!only_files && a[0] == '-' && a[1]) {
            int g = wf_cli_global_option(cli, argc, argv, &i);
            if (g < 0) return 2;
            if (g > 0) continue;
            if (!strcmp(a, "--")) {
                only_files = 1;
            } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
                import_usage(stdout);
                return 0;
            } else if (!strcmp(a, "--skip-bad")) {
                o->skip_bad = 1;
            } else if (!strcmp(a, "--format") && i + 1 < argc) {
                o->format = argv[++i];
            } else if (!strncmp(a, "--format=", 9)) {
                o->format = a + 9;
            } else {
                wf_cli_error("import: unknown option '%s' (see wherefrom import --help)", a);
                return 2;
            }
            continue;
        }
        (*files)[(*n)++] = a;
    }
    if (*n == 0) {
        wf_cli_error("import: no files given");
        import_usage(stderr);
        return 2;
    }
    return -1;
}

int wf_cmd_import(wf_cli *cli, int argc, char **argv)
{
    wf_import_opts o = {.progress = 1};
    /* tests shorten the one-second delay before the progress line */
    const char *delay = getenv("WHEREFROM_PROGRESS_DELAY_MS");
    if (delay) o.progress_delay_ms = atoi(delay);
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files) return 71;
    size_t n = 0;
    int rc = parse_args(cli, argc, argv, &o, &files, &n);
    if (rc >= 0) {
        free(files);
        return rc;
    }
    /* a mistyped file name must not leave a new, empty database behind */
    for (size_t i = 0; i < n; i++) {
        if (access(files[i], R_OK) != 0) {
            wf_cli_error("%s:0(byte 0): -: cannot open: %s", files[i], strerror(errno));
            free(files);
            return 66;
        }
    }
    wf_store *s = NULL;
    rc = wf_cli_open_store(cli, 1, &s);
    if (rc) {
        free(files);
        return rc;
    }
    wf_import_report rep;
    char err[1024] = "";
    wf_status st = wf_import_files(s, files, n, &o, &rep, err, sizeof err);
    free(files);
    if (st == WF_OK || st == WF_E_SKIPPED) {
        refresh(cli, s);
        print_summary(&rep);
    } else {
        wf_cli_error("%s", err);
        if (st != WF_E_USAGE && st != WF_E_READONLY)
            wf_cli_error("nothing was imported; the database is unchanged");
    }
    wf_store_close(&s);
    return wf_status_exit_code(st);
}
