/* libFuzzer target: one importer (WF_FUZZ_FORMAT: "v3", "v1", "events" or
 * "ndjson") fed through the real streaming splitter (the input is written
 * to a temporary file and imported with wf_import_files) into an empty
 * in-memory store, inside a transaction rolled back afterwards; then each imported contact is
 * loaded and explained, as text and as JSON. Properties: a refused import leaves the store empty
 * (all or nothing) and says why; the explanation text holds no raw ESC or C1 control. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attrib/engine.h"
#include "attrib/explain.h"
#include "core/buf.h"
#include "core/text.h"
#include "import/import.h"
#include "store/store.h"

#ifndef WF_FUZZ_FORMAT
#define WF_FUZZ_FORMAT "ndjson"
#endif
#define MAX_EXPLAINED 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[512];
static FILE *devnull;
static wf_engine *engine;
/* One empty store for the whole run: each input is imported inside a
 * transaction that is rolled back, so every input meets the same state. */
static wf_store *store;

static void cleanup(void)
{
    if (path[0]) unlink(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/wf-fuzz-import-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) abort();
    close(fd);
    atexit(cleanup);
    devnull = fopen("/dev/null", "w");
    char err[512] = "";
    if (!devnull || wf_engine_new(NULL, &engine, err, sizeof err) != WF_OK ||
        wf_store_open(":memory:", WF_STORE_CREATE, &store, err, sizeof err) != WF_OK) {
        fprintf(stderr, "fuzz_import: %s\n", err);
        abort();
    }
    return 0;
}

static int64_t count(wf_store *s, const char *sql)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(wf_store_db(s), sql, -1, &st, NULL) != SQLITE_OK) abort();
    if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void no_raw_controls(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0x1b || (c < 0x20 && c != '\n')) abort();
        /* a C1 control is U+0080..U+009F: C2 80..C2 9F in UTF-8 */
        if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
            (unsigned char)s[i + 1] <= 0x9f)
            abort();
    }
}

static void explain_one(wf_store *s, int64_t id)
{
    wf_facts *f = NULL;
    if (wf_store_load_facts(s, id, &f) != WF_OK) return;
    wf_explanation *x = NULL;
    if (wf_explain(engine, f, &x) == WF_OK) {
        wf_buf b = WF_BUF_INIT;
        if (wf_explanation_text(x, &b) == WF_OK && !b.failed)
            no_raw_controls(b.p ? b.p : "", b.len);
        wf_buf_free(&b);
        cJSON *j = wf_explanation_json(x);
        char *txt = j ? cJSON_PrintUnformatted(j) : NULL;
        /* as `explain --json` prints it: JSON is often piped to a terminal */
        wf_buf safe = WF_BUF_INIT;
        if (txt) wf_text_json_safe(&safe, txt);
        if (txt && !safe.failed) no_raw_controls(wf_buf_str(&safe), safe.len);
        wf_buf_free(&safe);
        free(txt);
        cJSON_Delete(j);
    }
    wf_explanation_free(&x);
    wf_facts_free(&f);
}

static void explain_all(wf_store *s)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(wf_store_db(s), "SELECT id FROM contacts ORDER BY id LIMIT 16", -1, &st,
                           NULL) != SQLITE_OK)
        abort();
    int64_t ids[MAX_EXPLAINED];
    size_t n = 0;
    while (n < MAX_EXPLAINED && sqlite3_step(st) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    for (size_t i = 0; i < n; i++)
        explain_one(s, ids[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp) abort();
    if (size && fwrite(data, 1, size, fp) != size) abort();
    fclose(fp);

    wf_store *s = store;
    char err[1024] = "";
    if (wf_store_exec(s, "BEGIN") != WF_OK) abort();
    /* the input's length picks the mode, so a reproducer replays the same way */
    wf_import_opts opts = {
        .format = WF_FUZZ_FORMAT, .skip_bad = (int)(size & 1), .errors = devnull};
    wf_import_report rep;
    memset(&rep, 0, sizeof rep);
    const char *paths[] = {path};
    wf_status st = wf_import_files(s, paths, 1, &opts, &rep, err, sizeof err);
    if (st != WF_OK && st != WF_E_SKIPPED) {
        if (!err[0]) abort(); /* a refusal always says why */
        if (!opts.skip_bad && count(s, "SELECT count(*) FROM contacts") != 0) abort();
        if (!opts.skip_bad && count(s, "SELECT count(*) FROM history") != 0) abort();
    } else {
        explain_all(s);
    }
    wf_store_rollback(s);
    if (count(s, "SELECT count(*) FROM contacts") != 0) abort();
    return 0;
}
