/* The subcommands: X(name, function, synopsis, summary).
 * A command appears here only once it is built; --help is generated from
 * this table, and so is the man page's COMMANDS check. */
#ifndef WF_CLI_COMMANDS_H
#define WF_CLI_COMMANDS_H

#include "cli/cli.h"

#define WF_COMMAND_TABLE(X)

#define WF_X(name, fn, syn, sum) int fn(wf_cli *cli, int argc, char **argv);
WF_COMMAND_TABLE(WF_X)
#undef WF_X

#endif
