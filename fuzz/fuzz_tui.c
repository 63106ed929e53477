/* libFuzzer target: the inspector's headless command parser and key
 * handling. The input is a --script (one named command per line: open,
 * tab, keys <Enter>..., search, filter, sort, resize, ...) run by the real
 * wf_tui_main on an in-memory screen against the demo database, opened
 * --read-only so every input meets the same data.
 * Inputs holding '/' are skipped and the working directory is a private
 * temporary one: `dump-screen FILE` may then only write there. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "store/store.h"
#include "tui/tui.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[512], db[600], script[600];

static void cleanup(void)
{
    /* dump-screen may have left files here */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "fuzz_tui: could not remove %s\n", dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/wf-fuzz-tui-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) abort();
    snprintf(db, sizeof db, "%s/demo.db", dir);
    snprintf(script, sizeof script, "%s/script", dir);
    atexit(cleanup);
    setenv("TERM", "xterm-256color", 1);
    wf_store *s = NULL;
    char err[1024];
    if (wf_store_open(db, WF_STORE_CREATE, &s, err, sizeof err) != WF_OK ||
        wf_cli_load_demo(s, err, sizeof err) != WF_OK) {
        fprintf(stderr, "fuzz_tui: %s\n", err);
        abort();
    }
    wf_store_close(&s);
    if (chdir(dir) != 0) abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || memchr(data, '/', size)) return 0;
    FILE *f = fopen(script, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    wf_cli cli = {.prog = "wherefrom", .db_path = db, .read_only = 1, .quiet = 1};
    char *argv[] = {"--script", script, NULL};
    int rc = wf_tui_main(&cli, 2, argv);
    if (rc < 0 || rc > 78) abort();
    return 0;
}
