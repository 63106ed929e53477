/* Shared helpers of the audit/override/history tests: a scratch database
 * filled from tests/fixtures/audit, and running $WHEREFROM_BIN. Header-only
 * (static functions) so each test program stays one file. */
#ifndef WF_TESTS_AUDIT_UTIL_H
#define WF_TESTS_AUDIT_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attrib/engine.h"
#include "cli/recompute.h"
#include "import/import.h"
#include "store/store.h"

typedef struct {
    char db[512];
    char out[600];
    char *text; /* stdout of the last run_bin */
    size_t len;
    char *errtext; /* stderr of the last run_bin */
} au_fx;

static void au_rm_db(const char *path)
{
    char p[700];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof p, "%s.out", path);
    unlink(p);
    snprintf(p, sizeof p, "%s.err", path);
    unlink(p);
}

static void au_paths(au_fx *f, const char *tag)
{
    static int n;
    const char *dir = getenv("TESTS_TMPDIR");
    if (!dir) dir = "/tmp";
    mkdir(dir, 0777);
    snprintf(f->db, sizeof f->db, "%s/%s-%ld-%d.db", dir, tag, (long)getpid(), n++);
    snprintf(f->out, sizeof f->out, "%s.out", f->db);
    au_rm_db(f->db);
}

static void au_fixture_path(const char *name, char *buf, size_t n)
{
    const char *src = getenv("WHEREFROM_SRCDIR");
    snprintf(buf, n, "%s/tests/fixtures/audit/%s", src ? src : ".", name);
}

/* Creates f->db from a fixture and fills the computed cache. */
static int au_import(au_fx *f, const char *fixture, int recompute)
{
    wf_store *s = NULL;
    char err[1024], path[1024];
    au_fixture_path(fixture, path, sizeof path);
    if (wf_store_open(f->db, WF_STORE_CREATE, &s, err, sizeof err) != WF_OK) return -1;
    const char *paths[] = {path};
    wf_import_opts o = {0};
    wf_import_report rep;
    int rc = wf_import_files(s, paths, 1, &o, &rep, err, sizeof err) == WF_OK ? 0 : -1;
    if (rc) fprintf(stderr, "import: %s\n", err);
    if (rc == 0 && recompute) {
        wf_engine *e = NULL;
        rc = wf_engine_new(NULL, &e, err, sizeof err) == WF_OK ? 0 : -1;
        if (rc == 0) rc = wf_recompute(s, e, 0) == WF_OK ? 0 : -1;
        wf_engine_free(&e);
    }
    wf_store_close(&s);
    return rc;
}

static char *au_slurp(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *p = calloc(1, (size_t)len + 1);
    size_t got = fread(p, 1, (size_t)len, fp);
    if (n) *n = got;
    fclose(fp);
    return p;
}

/* Runs wherefrom with args (NULL-terminated); stdout in f->text, stderr in
 * f->errtext; returns the exit status. */
static int au_run(au_fx *f, const char *const *args)
{
    const char *bin = getenv("WHEREFROM_BIN");
    char errp[700];
    snprintf(errp, sizeof errp, "%s.err", f->db);
    if (!bin) return -1;
    fflush(NULL);
    pid_t p = fork();
    if (p == 0) {
        int fd = open(f->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        dup2(fe, 2);
        char *argv[32];
        int k = 0;
        argv[k++] = (char *)"wherefrom";
        for (int i = 0; args[i] && k < 31; i++)
            argv[k++] = (char *)args[i];
        argv[k] = NULL;
        execv(bin, argv);
        _exit(127);
    }
    int st;
    waitpid(p, &st, 0);
    free(f->text);
    free(f->errtext);
    f->text = au_slurp(f->out, &f->len);
    f->errtext = au_slurp(errp, NULL);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void au_free(au_fx *f)
{
    au_rm_db(f->db);
    free(f->text);
    free(f->errtext);
    free(f);
}

#endif
