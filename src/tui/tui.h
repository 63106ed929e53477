/* The interactive inspector (the only code that sees curses lives below
 * src/tui/; this header does not include curses). */
#ifndef WF_TUI_TUI_H
#define WF_TUI_TUI_H

#include <stdio.h>

#include "cli/cli.h"

/* Runs the inspector; argv holds the inspector's own options (argv[0] is
 * the first of them, not the program name; argc may be 0). Returns the exit
 * code. */
int wf_tui_main(wf_cli *cli, int argc, char **argv);

/* Prints the inspector's options for --help. */
void wf_tui_usage(FILE *out);

#endif
