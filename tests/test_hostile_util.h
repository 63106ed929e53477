/* Helpers shared by the hardening tests (test_hostile*.c, test_faults*.c):
 * run the real binary with fork/exec (no shell) and capture its output,
 * temporary directories, files, and checks for bytes a terminal would act on.
 * Header-only (static functions) so each test stays one source file. */
#ifndef WF_TESTS_HOSTILE_UTIL_H
#define WF_TESTS_HOSTILE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HZ_UNUSED __attribute__((unused))

typedef struct {
    int status;      /* exit code, or 128 + signal number */
    int signaled;    /* killed by a signal (a crash unless we sent it) */
    char *out, *err; /* NUL-terminated, malloc'd */
    size_t out_len, err_len;
} hz_result;

HZ_UNUSED static void hz_result_free(hz_result *r)
{
    free(r->out);
    free(r->err);
    memset(r, 0, sizeof *r);
}

HZ_UNUSED static double hz_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

HZ_UNUSED static const char *hz_bin(void)
{
    const char *b = getenv("WHEREFROM_BIN");
    return b && *b ? b : "./wherefrom";
}

HZ_UNUSED static int hz_under_valgrind(void)
{
    return getenv("WHEREFROM_UNDER_VALGRIND") != NULL;
}

/* A fresh directory under $TESTS_TMPDIR (or /tmp) named after the test. */
HZ_UNUSED static void hz_mkdtemp(char *dir, size_t n, const char *tag)
{
    const char *base = getenv("TESTS_TMPDIR");
    if (!base || !*base) base = "/tmp";
    mkdir(base, 0700);
    snprintf(dir, n, "%s/%s-XXXXXX", base, tag);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "mkdtemp %s: %s\n", dir, strerror(errno));
        abort();
    }
}

HZ_UNUSED static void hz_rm_rf(const char *dir)
{
    pid_t pid = fork();
    if (pid == 0) {
        execlp("rm", "rm", "-rf", dir, (char *)NULL);
        _exit(127);
    }
    if (pid > 0) waitpid(pid, NULL, 0);
}

HZ_UNUSED static int hz_write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(data, 1, n, f);
    return fclose(f) == 0 && w == n ? 0 : -1;
}

/* Reads what is available on fd into *buf; returns 0 at end of file. */
static int hz_drain(int fd, char **buf, size_t *len, size_t *cap)
{
    char tmp[65536];
    ssize_t k = read(fd, tmp, sizeof tmp);
    if (k < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    if (k <= 0) return 0;
    if (*len + (size_t)k + 1 > *cap) {
        size_t nc = *cap ? *cap : 65536;
        while (nc < *len + (size_t)k + 1)
            nc *= 2;
        char *p = realloc(*buf, nc);
        if (!p) abort();
        *buf = p, *cap = nc;
    }
    memcpy(*buf + *len, tmp, (size_t)k);
    *len += (size_t)k;
    (*buf)[*len] = '\0';
    return 1;
}

/* Runs argv (argv[0] NULL: the wherefrom binary) with stdin from `in` (NULL:
 * empty), stdout/stderr captured; SIGKILLs it after timeout_ms. `env` may
 * hold extra NAME=VALUE strings (NULL-terminated), set in the child. */
HZ_UNUSED static void hz_runv(const char *const *argv, const char *in, int timeout_ms,
                              const char *const *env, hz_result *r)
{
    memset(r, 0, sizeof *r);
    int po[2], pe[2], pi[2];
    if (pipe(po) || pipe(pe) || pipe(pi)) abort();
    pid_t pid = fork();
    if (pid < 0) abort();
    if (pid == 0) {
        dup2(pi[0], 0), dup2(po[1], 1), dup2(pe[1], 2);
        close(pi[0]), close(pi[1]), close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
        for (int i = 0; env && env[i]; i++)
            putenv((char *)env[i]);
        signal(SIGPIPE, SIG_DFL);
        execv(argv[0] ? argv[0] : hz_bin(), (char *const *)argv);
        _exit(127);
    }
    close(pi[0]), close(po[1]), close(pe[1]);
    if (in) {
        ssize_t w = write(pi[1], in, strlen(in)); /* small inputs: the pipe holds them */
        (void)w;
    }
    close(pi[1]);
    size_t caps[2] = {0, 0};
    r->out = calloc(1, 1), r->err = calloc(1, 1);
    struct pollfd p[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
    double deadline = hz_now_ms() + timeout_ms;
    int killed = 0;
    while (p[0].fd >= 0 || p[1].fd >= 0) {
        int left = (int)(deadline - hz_now_ms());
        if (left <= 0 && !killed) {
            kill(pid, SIGKILL);
            killed = 1;
        }
        if (poll(p, 2, left > 0 ? left : 200) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; i++) {
            if (p[i].fd < 0 || !p[i].revents) continue;
            int more = i == 0 ? hz_drain(p[i].fd, &r->out, &r->out_len, &caps[0])
                              : hz_drain(p[i].fd, &r->err, &r->err_len, &caps[1]);
            if (!more) close(p[i].fd), p[i].fd = -1;
        }
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st)) {
        r->signaled = 1;
        r->status = 128 + WTERMSIG(st);
    } else {
        r->status = WEXITSTATUS(st);
    }
}

/* hz_run(&r, "explain", "--db", db, "5001", NULL): the wherefrom binary. */
HZ_UNUSED static void hz_run(hz_result *r, ...)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = hz_bin();
    va_list ap;
    va_start(ap, r);
    const char *a;
    while ((a = va_arg(ap, const char *)) && n < 63)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    hz_runv(argv, NULL, 60000, NULL, r);
}

/* Offset of the first byte a terminal would act on, or -1: ESC and every C0
 * control but \n and \t, DEL, a C1 control (raw 0x80-0x9F as a lone byte or
 * U+0080..U+009F in UTF-8), and the bidi overrides/isolates in UTF-8. */
HZ_UNUSED static long hz_find_raw_control(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return (long)i;
        if (c == 0xc2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f) return (long)i;
        if (c == 0xe2 && i + 2 < n && p[i + 1] == 0x80 && p[i + 2] >= 0xaa && p[i + 2] <= 0xae)
            return (long)i;
        if (c == 0xe2 && i + 2 < n && p[i + 1] == 0x81 && p[i + 2] >= 0xa6 && p[i + 2] <= 0xa9)
            return (long)i;
        /* a lone C1 byte is invalid UTF-8, and an 8-bit terminal obeys it */
        if (c >= 0x80 && c <= 0x9f) {
            size_t k = i;
            while (k > 0 && i - k < 3 && (p[k] & 0xc0) == 0x80)
                k--;
            if (k == i || p[k] < 0xc2) return (long)i;
        }
    }
    return -1;
}

/* One integer from a SQL query on a database file (-1 on any error). */
HZ_UNUSED static long long hz_sql_int(const char *db, const char *sql)
{
    sqlite3 *d = NULL;
    long long v = -1;
    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(d, 5000);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(d, sql, -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW) v = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(d);
    return v;
}

/* "ok" when PRAGMA integrity_check passes; else the first message (static). */
HZ_UNUSED static const char *hz_integrity(const char *db)
{
    static char msg[512];
    sqlite3 *d = NULL;
    snprintf(msg, sizeof msg, "cannot open");
    if (sqlite3_open_v2(db, &d, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(d, 5000);
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(d, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW)
                snprintf(msg, sizeof msg, "%s", (const char *)sqlite3_column_text(st, 0));
            else
                snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(d));
            sqlite3_finalize(st);
        } else {
            snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(d));
        }
    }
    sqlite3_close(d);
    return msg;
}

HZ_UNUSED static int hz_copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    int ok = a && b;
    char buf[65536];
    size_t k;
    while (ok && (k = fread(buf, 1, sizeof buf, a)) > 0)
        ok = fwrite(buf, 1, k, b) == k;
    if (a) fclose(a);
    if (b) ok = fclose(b) == 0 && ok;
    return ok ? 0 : -1;
}

#endif
