#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "cli/recompute.h"
#include "core/paths.h"
#include "import/import.h"

void wf_cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("wherefrom: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void wf_cli_info(const wf_cli *cli, const char *fmt, ...)
{
    if (cli->quiet) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("wherefrom: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int wf_cli_global_option(wf_cli *cli, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "--read-only") == 0) {
        cli->read_only = 1;
        return 1;
    }
    if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
        cli->quiet = 1;
        return 1;
    }
    if (strncmp(a, "--db=", 5) == 0) {
        cli->db_path = a + 5;
        return 1;
    }
    if (strcmp(a, "--db") == 0) {
        if (*i + 1 >= argc) {
            wf_cli_error("--db needs a file name");
            return -1;
        }
        cli->db_path = argv[++*i];
        return 1;
    }
    return 0;
}

wf_status wf_cli_load_demo(wf_store *s, char *err, size_t errsz)
{
    char path[4096];
    if (wf_data_path("demo.ndjson", path, sizeof path) != WF_OK) {
        snprintf(err, errsz, "the bundled demo data (demo.ndjson) was not found; set "
                             "WHEREFROM_DATADIR or reinstall wherefrom");
        return WF_E_NOINPUT;
    }
    const char *paths[] = {path};
    wf_import_opts opts = {0};
    opts.format = "ndjson";
    wf_import_report rep;
    wf_status st = wf_import_files(s, paths, 1, &opts, &rep, err, errsz);
    /* the demo is shown at once: fill the computed cache for every contact */
    wf_engine *e = NULL;
    if (st == WF_OK) st = wf_engine_new(NULL, &e, err, errsz);
    if (st == WF_OK) st = wf_recompute(s, e, 0);
    wf_engine_free(&e);
    return st;
}

int wf_cli_open_store(const wf_cli *cli, int create, wf_store **out)
{
    char err[1024] = "";
    char def[4096];
    const char *path = cli->db_path;
    int first_run = 0;
    if (!path) {
        if (wf_default_db_path(def, sizeof def) != WF_OK) {
            wf_cli_error("cannot find a place for the default database (set HOME or "
                         "XDG_DATA_HOME, or use --db FILE)");
            return 74;
        }
        path = def;
        first_run = access(path, F_OK) != 0;
        if (first_run && cli->read_only) {
            wf_cli_error("%s: no database yet, and --read-only forbids creating it", path);
            return 66;
        }
        create = 1;
    }
    unsigned flags = (cli->read_only ? WF_STORE_READONLY : 0) | (create ? WF_STORE_CREATE : 0);
    wf_status st = wf_store_open(path, flags, out, err, sizeof err);
    if (st != WF_OK) {
        wf_cli_error("%s", err);
        return wf_status_exit_code(st);
    }
    if (first_run) {
        st = wf_cli_load_demo(*out, err, sizeof err);
        if (st != WF_OK) {
            wf_store_close(out);
            unlink(path);
            wf_cli_error("could not fill %s with the demo data: %s", path, err);
            return wf_status_exit_code(st);
        }
        wf_cli_info(cli, "created %s from the bundled demo data (use --db FILE for your own)",
                    path);
    }
    return 0;
}

int wf_cli_command_help(const char *name, int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "-h") != 0 && strcmp(argv[1], "--help") != 0)) return 0;
#define WF_X(n, fn, syn, sum)                                                                      \
    if (strcmp(#n, name) == 0) printf("Usage: wherefrom %s\n%s.\nSee wherefrom(1).\n", syn, sum);
    WF_COMMAND_TABLE(WF_X)
#undef WF_X
    return 1;
}
