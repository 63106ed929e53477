/* Synthetic HubSpot portal generator for the benchmarks (bench/gen).
 * Deterministic from the seed: contact i is drawn from its own random stream,
 * so every output format describes the same contacts. */
#ifndef WF_BENCH_GEN_H
#define WF_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/* Bump when the generated data changes shape: bench/run keys its cache on it. */
#define GEN_VERSION 1

typedef enum {
    GEN_V3,  /* CRM v3 list responses + web-analytics events JSON, in a directory */
    GEN_CSV, /* contacts.csv, props.csv, history.csv, pageviews.csv, in a directory */
    GEN_DB   /* a wherefrom database file */
} gen_format;

typedef struct {
    uint64_t seed;
    int64_t contacts;
    gen_format format;
    const char *out;         /* directory (v3, csv) or database file (db) */
    int64_t per_file;        /* contact records per v3 file (default 100000) */
    int64_t events_per_file; /* events per events file (default 500000) */
    int64_t heavy;           /* >0: the first contact gets exactly this many page views */
    const char *referrers;   /* data/referrers.json to draw hosts from; NULL: built-in */
    int recompute;           /* db: fill the computed cache when the engine is built in */
} gen_opts;

typedef struct {
    int64_t contacts, merged, sessions, pageviews, history, props, forms, clicks;
    int64_t channel_count[32]; /* per creation-channel kind, in gen_channel_name order */
} gen_stats;

/* Writes the data set. err names the file on failure. */
wf_status gen_run(const gen_opts *o, gen_stats *st, char *err, size_t errsz);

/* Name of channel kind k (for gen_stats.channel_count), NULL past the end. */
const char *gen_channel_name(int k);

#endif
