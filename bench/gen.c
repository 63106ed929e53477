/* bench/gen: writes a synthetic, realistic HubSpot portal for the benchmarks.
 *
 *   bench/gen --seed S --contacts N --format v3|csv|db --out PATH
 *             [--per-file N] [--events-per-file N] [--heavy N]
 *             [--referrers data/referrers.json] [--no-recompute] [-q]
 *   bench/gen --version
 *
 * Same seed, same bytes. See bench/RESULTS.md for the shape of the data. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"
#include "store/store.h"

#ifndef GEN_NO_RECOMPUTE
#include "attrib/engine.h"
#include "cli/recompute.h"
#endif

typedef struct {
    gen_opts g;
    int quiet, recompute;
} gen_cli;

static void usage(FILE *out)
{
    fprintf(out, "Usage: bench/gen --format v3|csv|db --out PATH [--seed S] [--contacts N]\n"
                 "                 [--per-file N] [--events-per-file N] [--heavy N]\n"
                 "                 [--referrers FILE] [--no-recompute] [-q]\n"
                 "       bench/gen --version\n"
                 "Writes a synthetic HubSpot portal: v3 = CRM v3 list responses and web-analytics\n"
                 "events JSON in directory PATH; csv = the same rows as CSV for sqlite3 .import;\n"
                 "db = a wherefrom database (with the computed cache filled by the engine).\n");
}

static int parse_i64(const char *s, int64_t *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 0) return -1;
    if (*end == 0) *out = v;
    return 0;
}

static int parse_format(const char *s, gen_format *f)
{
    if (!strcmp(s, "v3"))
        *f = GEN_V3;
    else if (!strcmp(s, "csv"))
        *f = GEN_CSV;
    else if (!strcmp(s, "db"))
        *f = GEN_DB;
    else
        return -1;
    return 0;
}

/* Returns 0 to run, 1 to exit successfully, 2 on a usage error. */
static int parse_args(int argc, char **argv, gen_cli *c)
{
    int64_t seed = 1;
    int have_format = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0, val = 1;
        if (!strcmp(a, "--version")) {
            printf("%d\n", GEN_VERSION);
            return 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 1;
        } else if (!strcmp(a, "-q")) {
            c->quiet = 1, val = 0;
        } else if (!strcmp(a, "--no-recompute")) {
            c->recompute = 0, val = 0;
        } else if (!v) {
            bad = 1;
        } else if (!strcmp(a, "--seed")) {
            bad = parse_i64(v, &seed);
        } else if (!strcmp(a, "--contacts")) {
            bad = parse_i64(v, &c->g.contacts);
        } else if (!strcmp(a, "--per-file")) {
            bad = parse_i64(v, &c->g.per_file) || c->g.per_file < 1;
        } else if (!strcmp(a, "--events-per-file")) {
            bad = parse_i64(v, &c->g.events_per_file) || c->g.events_per_file < 1;
        } else if (!strcmp(a, "--heavy")) {
            bad = parse_i64(v, &c->g.heavy);
        } else if (!strcmp(a, "--format")) {
            bad = parse_format(v, &c->g.format), have_format = 1;
        } else if (!strcmp(a, "--out")) {
            c->g.out = v;
        } else if (!strcmp(a, "--referrers")) {
            c->g.referrers = v;
        } else {
            bad = 1;
        }
        if (bad) {
            fprintf(stderr, "gen: bad or incomplete option '%s'\n", a);
            usage(stderr);
            return 2;
        }
        i += val;
    }
    c->g.seed = (uint64_t)seed;
    if (!have_format || !c->g.out) {
        fprintf(stderr, "gen: --format and --out are required\n");
        return 2;
    }
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const gen_stats *st, double secs)
{
    fprintf(stderr,
            "gen: %lld contacts (+%lld merged away), %lld sessions, %lld page views "
            "(%.1f per contact), %lld history entries, %lld forms, %lld email clicks in %.1f s\n",
            (long long)st->contacts, (long long)st->merged, (long long)st->sessions,
            (long long)st->pageviews,
            st->contacts ? (double)st->pageviews / (double)st->contacts : 0.0,
            (long long)st->history, (long long)st->forms, (long long)st->clicks, secs);
    fprintf(stderr, "gen: channels:");
    for (int k = 0; gen_channel_name(k); k++)
        if (st->channel_count[k])
            fprintf(stderr, " %s %.1f%%", gen_channel_name(k),
                    100.0 * (double)st->channel_count[k] / (double)st->contacts);
    fprintf(stderr, "\n");
}

#ifndef GEN_NO_RECOMPUTE
/* Fills the computed cache, as `wherefrom import` does after loading. */
static int recompute(const gen_cli *c)
{
    char err[512];
    wf_store *s = NULL;
    wf_engine *e = NULL;
    wf_status st = wf_store_open(c->g.out, 0, &s, err, sizeof err);
    if (st == WF_OK) st = wf_engine_new(c->g.referrers, &e, err, sizeof err);
    if (st == WF_OK) {
        st = wf_recompute(s, e, 0);
        if (st != WF_OK) snprintf(err, sizeof err, "recompute: %s", wf_status_message(st));
    }
    /* Fresh statistics now that the cache is full, as a long-lived database
     * would have them (else the first writer's PRAGMA optimize pays for it). */
    if (st == WF_OK) st = wf_store_exec(s, "ANALYZE");
    wf_engine_free(&e);
    wf_store_close(&s);
    if (st != WF_OK) fprintf(stderr, "gen: %s\n", err);
    return st == WF_OK ? 0 : wf_status_exit_code(st);
}
#endif

int main(int argc, char **argv)
{
    gen_cli c = {.g = {.contacts = 1000, .per_file = 100000, .events_per_file = 500000},
                 .recompute = 1};
    int r = parse_args(argc, argv, &c);
    if (r) return r == 1 ? 0 : 2;
    char err[1024] = "";
    gen_stats st;
    double t0 = now_s();
    wf_status s = gen_run(&c.g, &st, err, sizeof err);
    if (s != WF_OK) {
        fprintf(stderr, "gen: %s\n", err[0] ? err : wf_status_message(s));
        return wf_status_exit_code(s);
    }
    if (!c.quiet) report(&st, now_s() - t0);
#ifndef GEN_NO_RECOMPUTE
    if (c.g.format == GEN_DB && c.recompute) {
        double t1 = now_s();
        r = recompute(&c);
        if (r) return r;
        if (!c.quiet) fprintf(stderr, "gen: computed cache filled in %.1f s\n", now_s() - t1);
    }
#endif
    return 0;
}
