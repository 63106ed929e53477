/* The subcommands: X(name, function, synopsis, summary).
 * A command appears here only once it is built; --help is generated from
 * this table, and so is the man page's COMMANDS check. */
#ifndef WF_CLI_COMMANDS_H
#define WF_CLI_COMMANDS_H

#include "cli/cli.h"

#define WF_COMMAND_TABLE(X) \
    X(export, wf_cmd_export, "export [--db FILE] --overrides [--format hubspot-batch|csv|json]", "write the active overrides for HubSpot, a spreadsheet or a script") \

#define WF_X(name, fn, syn, sum) int fn(wf_cli *cli, int argc, char **argv);
WF_COMMAND_TABLE(WF_X)
#undef WF_X

#endif
