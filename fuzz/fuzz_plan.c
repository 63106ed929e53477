/* libFuzzer target: the `override --plan FILE` reader, through the real
 * command (wf_cmd_override --dry-run) against the demo database built once
 * at start-up; --dry-run reads and checks the whole plan and changes
 * nothing, so every input meets the same database. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "store/store.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[512], db[600], plan[600];

static void cleanup(void)
{
    unlink(plan);
    char p[700];
    snprintf(p, sizeof p, "%s-wal", db);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db);
    unlink(p);
    unlink(db);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/wf-fuzz-plan-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(dir)) abort();
    snprintf(db, sizeof db, "%s/demo.db", dir);
    snprintf(plan, sizeof plan, "%s/plan.json", dir);
    atexit(cleanup);
    wf_store *s = NULL;
    char err[1024];
    if (wf_store_open(db, WF_STORE_CREATE, &s, err, sizeof err) != WF_OK ||
        wf_cli_load_demo(s, err, sizeof err) != WF_OK) {
        fprintf(stderr, "fuzz_plan: %s\n", err);
        abort();
    }
    wf_store_close(&s);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(plan, "wb");
    if (!f) abort();
    if (size && fwrite(data, 1, size, f) != size) abort();
    fclose(f);
    wf_cli cli = {.prog = "wherefrom", .db_path = db, .quiet = 1};
    char *argv[] = {"override", "--plan", plan, "--dry-run", NULL};
    int rc = wf_cmd_override(&cli, 4, argv);
    /* 0 applied (dry), 1 nothing to do, else a documented exit code */
    if (rc < 0 || rc > 78) abort();
    return 0;
}
