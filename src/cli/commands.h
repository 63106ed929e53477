/* The subcommands: X(name, function, synopsis, summary).
 * A command appears here only once it is built; --help is generated from
 * this table, and so is the man page's COMMANDS check. */
#ifndef WF_CLI_COMMANDS_H
#define WF_CLI_COMMANDS_H

#include "cli/cli.h"

#define WF_COMMAND_TABLE(X) \
    X(import, wf_cmd_import, "import [--db FILE] [--format v3|v1|events|ndjson] [--skip-bad] FILE...", "import HubSpot exports (v3, v1, events) or wherefrom NDJSON event logs") \
    X(explain, wf_cmd_explain, "explain [--db FILE] [--json] CONTACT", "explain step by step why a contact's original source is what it is") \
    X(history, wf_cmd_history, "history [--db FILE] [--json] CONTACT", "every stored change of the original source with its cause and evidence") \
    X(audit, wf_cmd_audit, "audit [--db FILE] [--json] [--check] [--filter KIND,...] [--limit N]", "find contacts whose source looks wrong across the database") \
    X(override, wf_cmd_override, "override [--db FILE] CONTACT --source VALUE [--dd1 X] [--dd2 Y] --reason TEXT [--user NAME] | --plan FILE [--dry-run]", "set the source by hand, with a trail (one contact or a plan)") \
    X(revert, wf_cmd_revert, "revert [--db FILE] CONTACT --reason TEXT [--user NAME]", "end a contact's override") \
    X(export, wf_cmd_export, "export [--db FILE] --overrides [--format hubspot-batch|csv|json]", "write the active overrides for HubSpot, a spreadsheet or a script") \

#define WF_X(name, fn, syn, sum) int fn(wf_cli *cli, int argc, char **argv);
WF_COMMAND_TABLE(WF_X)
#undef WF_X

#endif
