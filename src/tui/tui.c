/* TEMPORARY placeholder until the inspector lands (issue 2/6). */
#include "tui/tui.h"

int wf_tui_main(wf_cli *cli, int argc, char **argv)
{
    wf_store *s = NULL;
    int rc = wf_cli_open_store(cli, 0, &s);
    if (rc) return rc;
    wf_store_close(&s);
    wf_cli_error("the inspector is not built yet");
    return 70;
}

void wf_tui_usage(FILE *out)
{
    (void)out;
}
