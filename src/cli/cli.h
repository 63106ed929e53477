/* What every subcommand shares: global options, opening the database,
 * printing errors. Subcommands are listed in src/cli/commands.h. */
#ifndef WF_CLI_CLI_H
#define WF_CLI_CLI_H

#include <stdio.h>

#include "core/status.h"
#include "store/store.h"

typedef struct {
    const char *prog;    /* "wherefrom" */
    const char *db_path; /* --db FILE, NULL for the default database */
    int read_only;       /* --read-only */
    int quiet;           /* suppress informational messages on stderr */
} wf_cli;

/* "wherefrom: " + message + newline, on stderr. */
void wf_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, but only when not quiet. */
void wf_cli_info(const wf_cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens the database the user means: --db FILE (which must exist unless
 * `create` is set), or the default database, created from the bundled demo
 * data on first use (saying so on stderr). Prints the error itself and
 * returns the exit code (0 on success). */
int wf_cli_open_store(const wf_cli *cli, int create, wf_store **out);

/* Handles a global option (--db FILE, --db=FILE, --read-only, -q) at argv[*i];
 * returns 1 if it consumed it (advancing *i past a separate value), 0 if the
 * argument is not a global option, -1 on a usage error (message printed). */
int wf_cli_global_option(wf_cli *cli, int argc, char **argv, int *i);

/* `wherefrom CMD --help` / `-h` as argv[1]: prints the synopsis and summary
 * of command `name` from the command table and returns 1; else returns 0. */
int wf_cli_command_help(const char *name, int argc, char **argv);

/* Fills a new database from data/demo.ndjson. Used on first run. */
wf_status wf_cli_load_demo(wf_store *s, char *err, size_t errsz);

#endif
