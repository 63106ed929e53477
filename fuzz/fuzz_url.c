/* libFuzzer target: URL and query parsing, the session classifier and the
 * session builder, with the shipped referrer tables.
 * Input: lines of tab-separated fields
 *   url \t referrer \t token \t time \t utm_source \t utm_medium
 * Each line is one page view; every field also goes through wf_url_parse,
 * wf_query_parse and wf_url_decode on its own. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/classify.h"
#include "attrib/engine.h"
#include "attrib/session.h"
#include "attrib/url.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/facts.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 6
#define MAX_LINES 64

static wf_engine *engine; /* built once: loading the tables is not what we fuzz */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    char err[512];
    if (wf_engine_new(NULL, &engine, err, sizeof err) != WF_OK) {
        fprintf(stderr, "fuzz_url: %s\n", err);
        abort();
    }
    return 0;
}

static int in_range(const char *p, size_t n, const char *base, size_t len)
{
    return p >= base && p + n <= base + len;
}

static void check_url(const char *s, wf_arena *a)
{
    wf_url u;
    size_t len = strlen(s);
    wf_url_parse(s, &u);
    if (strlen(u.host) >= WF_URL_HOST_MAX || strlen(u.scheme) >= sizeof u.scheme) abort();
    if (u.ok && u.path && u.path_len && !in_range(u.path, u.path_len, s, len)) abort();
    if (u.query && !in_range(u.query, u.query_len, s, len)) abort();
    wf_query q;
    memset(&q, 0, sizeof q);
    if (u.query) wf_query_parse(u.query, u.query_len, "q", a, &q);
    wf_query_parse(s, len, NULL, a, &q);
    char *d = wf_url_decode(a, s, len, 1);
    if (d && strlen(d) > len) abort(); /* decoding never grows */
    if (u.ok && !u.is_app) (void)wf_referrer_lookup(engine, u.host);
    char reg[WF_URL_HOST_MAX];
    if (u.ok) wf_engine_registrable(engine, u.host, reg, sizeof reg);
}

/* Splits one line into fields (in place); missing fields are NULL. */
static void split_fields(char *line, char **f)
{
    for (int i = 0; i < MAX_FIELDS; i++)
        f[i] = NULL;
    for (int i = 0; i < MAX_FIELDS && line; i++) {
        f[i] = line;
        char *tab = strchr(line, '\t');
        if (tab) *tab++ = '\0';
        line = tab;
    }
}

static void run(char *text, wf_arena *a)
{
    wf_pageview pv[MAX_LINES];
    const wf_pageview *ptr[MAX_LINES];
    size_t n = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line && n < MAX_LINES;
         line = strtok_r(NULL, "\n", &save)) {
        char *f[MAX_FIELDS];
        split_fields(line, f);
        for (int i = 0; i < MAX_FIELDS; i++)
            if (f[i]) check_url(f[i], a);
        memset(&pv[n], 0, sizeof pv[n]);
        pv[n].id = (int64_t)n + 1;
        pv[n].url = f[0];
        pv[n].referrer = f[1];
        pv[n].token = f[2];
        pv[n].contact = f[2] ? 0 : 1;
        pv[n].at = f[3] ? strtoll(f[3], NULL, 10) : (wf_ms)n * 60000;
        pv[n].utm_source = f[4];
        pv[n].utm_medium = f[5];
        ptr[n] = &pv[n];
        n++;
    }
    static const char *doms[] = {"example.com", "www.example.org"};
    wf_site site = {doms, 2, 0};
    for (size_t i = 0; i < n; i++) {
        wf_classify_in in = {
            pv[i].url, pv[i].referrer, pv[i].utm_source, pv[i].utm_medium, NULL, NULL, NULL};
        wf_session_class c;
        wf_classify_session(engine, &in, i % 2 ? &site : NULL, a, &c);
        if (!c.dd1 || !c.dd2) abort(); /* documented: never NULL */
        wf_buf b = WF_BUF_INIT;
        wf_class_trace_text(&c, &b);
        wf_buf_free(&b);
    }
    wf_session *sess = NULL;
    size_t ns = 0;
    if (wf_build_sessions(engine, ptr, n, &site, a, &sess, &ns) == WF_OK) {
        size_t pages = 0;
        for (size_t i = 0; i < ns; i++) {
            if (sess[i].first + sess[i].n > n || sess[i].n == 0) abort();
            pages += sess[i].n;
        }
        if (pages != n) abort(); /* every page view is in exactly one session */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    char *text = malloc(size + 1);
    wf_arena *a = wf_arena_new();
    if (text && a) {
        memcpy(text, data, size);
        text[size] = '\0';
        run(text, a);
    }
    free(text);
    wf_arena_free(&a);
    return 0;
}
