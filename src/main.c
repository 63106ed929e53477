/* wherefrom: parse the global options and dispatch; nothing else. */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "config.h"
#include "tui/tui.h"

static const struct {
    const char *name;
    int (*fn)(wf_cli *, int, char **);
    const char *synopsis, *summary;
} commands[] = {
#define WF_X(name, fn, syn, sum) {#name, fn, syn, sum},
    WF_COMMAND_TABLE(WF_X)
#undef WF_X
    {NULL, NULL, NULL, NULL}};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: wherefrom [--db FILE] [--read-only] [INSPECTOR OPTIONS]\n"
            "       wherefrom COMMAND [--db FILE] [ARGS]\n"
            "\n"
            "Explains why each contact's Original Source says what it says.\n"
            "Without a command, opens the interactive inspector.\n"
            "\n"
            "Options:\n"
            "  --db FILE       the contact database (default: $XDG_DATA_HOME/wherefrom/contacts.db,\n"
            "                  filled with the bundled demo data on first use)\n"
            "  --read-only     never write to the database\n"
            "  -q, --quiet     no informational messages\n"
            "  -h, --help      show this help and exit\n"
            "  -V, --version   show the version and exit\n");
    wf_tui_usage(out);
    if (commands[0].name) {
        fprintf(out, "\nCommands:\n");
        for (int i = 0; commands[i].name; i++)
            fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
        fprintf(out, "\nSynopsis:\n");
        for (int i = 0; commands[i].name; i++)
            fprintf(out, "  wherefrom %s\n", commands[i].synopsis);
    }
    fprintf(out, "\nExit status: 0 success, 1 audit findings (--check) or skipped records,\n"
                 "2 usage, 65 bad data, 66 missing input, 74 I/O error, 75 database busy,\n"
                 "77 read-only.\n"
                 "See wherefrom(1) and wherefrom-format(5).\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    wf_cli cli = {.prog = "wherefrom"};
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("wherefrom %s\n", PACKAGE_VERSION);
            return 0;
        }
        int r = wf_cli_global_option(&cli, argc, argv, &i);
        if (r < 0) return 2;
        if (r == 0) break;
    }
    if (i < argc && argv[i][0] != '-') {
        for (int c = 0; commands[c].name; c++)
            if (strcmp(argv[i], commands[c].name) == 0)
                return commands[c].fn(&cli, argc - i, argv + i);
        wf_cli_error("unknown command '%s' (see wherefrom --help)", argv[i]);
        return 2;
    }
    return wf_tui_main(&cli, argc - i, argv + i);
}
