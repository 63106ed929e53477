/* Internals shared by the generator's model (gen_model.c) and its output
 * sinks (gen_sink.c). Not installed, not used outside bench/ and its test. */
#ifndef WF_BENCH_GEN_INT_H
#define WF_BENCH_GEN_INT_H

#include <stdint.h>
#include <stdio.h>

#include "core/timeutil.h"
#include "gen.h"

/* xoshiro256** seeded with splitmix64: fast, good enough, reproducible. */
typedef struct {
    uint64_t s[4];
} gen_rng;

void gen_rng_seed(gen_rng *r, uint64_t seed);
uint64_t gen_rng_next(gen_rng *r);
uint32_t gen_rng_below(gen_rng *r, uint32_t n);
double gen_rng_unit(gen_rng *r);

/* Property-history entries the model writes (source-related properties). */
#define GEN_HPROP_TABLE(X)                                                                         \
    X(HP_SOURCE, "hs_analytics_source")                                                            \
    X(HP_DD1, "hs_analytics_source_data_1")                                                        \
    X(HP_DD2, "hs_analytics_source_data_2")                                                        \
    X(HP_FIRST_TS, "hs_analytics_first_timestamp")                                                 \
    X(HP_FIRST_URL, "hs_analytics_first_url")                                                      \
    X(HP_FIRST_REF, "hs_analytics_first_referrer")

typedef enum {
#define WF_X(e, n) e,
    GEN_HPROP_TABLE(WF_X)
#undef WF_X
        HP_COUNT
} gen_hprop;

const char *gen_hprop_name(gen_hprop p);

typedef struct {
    const char *name, *value;
} gen_prop;

typedef struct {
    gen_hprop prop;
    const char *value;
    wf_ms at;
    const char *type, *source_id, *user_id;
} gen_hentry;

typedef struct {
    wf_ms at;
    const char *form_id, *conversion_id, *page_url, *page_title, *token;
    int filtered_ip;
} gen_form;

typedef struct {
    wf_ms at;
    const char *url, *email_id, *campaign, *token;
} gen_click;

#define GEN_MAX_PROPS 40
#define GEN_MAX_HIST 48

typedef struct {
    int64_t id;
    wf_ms created, updated;
    const char *email, *firstname, *lastname, *company;
    const char *channel, *channel_detail, *channel_label;
    const char *src, *dd1, *dd2; /* stored original source */
    const char *latest, *latest_dd1, *latest_dd2;
    wf_ms latest_at;
    const char *first_url, *first_ref;
    wf_ms first_at, first_visit_at;
    int64_t merged_into; /* a merged-away record (database output only) */
    int64_t merged_id;   /* a record merged into this one, 0 if none */
    wf_ms merged_at;
    const char *merge_user;
    const char *token; /* the contact's hubspotutk */
    int64_t n_sessions, n_pageviews;
    gen_prop props[GEN_MAX_PROPS];
    int nprops;
    gen_hentry hist[GEN_MAX_HIST];
    int nhist;
    gen_form forms[4];
    int nforms;
    gen_click clicks[4];
    int nclicks;
} gen_contact;

typedef struct {
    int64_t contact;
    wf_ms at;
    const char *url, *referrer, *session_id, *title, *user_agent, *ext_id;
    const char *utm_source, *utm_medium, *utm_campaign, *utm_term, *utm_content;
} gen_pv;

/* An output format. contact() is called once per contact (merged-away
 * records too, with merged_into set), then pageview() for each of its page
 * views in time order; finish() once at the end, also after an error. */
typedef struct gen_sink {
    wf_status (*contact)(struct gen_sink *k, const gen_contact *c);
    wf_status (*pageview)(struct gen_sink *k, const gen_pv *p);
    wf_status (*finish)(struct gen_sink *k, int ok);
    char *err;
    size_t errsz;
} gen_sink;

gen_sink *gen_sink_v3_new(const gen_opts *o, char *err, size_t errsz);
gen_sink *gen_sink_csv_new(const gen_opts *o, char *err, size_t errsz);
gen_sink *gen_sink_db_new(const gen_opts *o, char *err, size_t errsz);

/* A growable output buffer flushed to a FILE in large writes. */
typedef struct {
    FILE *f;
    char *p;
    size_t n, cap;
    int failed;
} gen_ob;

void gen_ob_init(gen_ob *b, FILE *f);
void gen_ob_free(gen_ob *b);
void gen_ob_flush(gen_ob *b);
void gen_ob_mem(gen_ob *b, const char *s, size_t n);
void gen_ob_str(gen_ob *b, const char *s);
void gen_ob_i64(gen_ob *b, int64_t v);
void gen_ob_json(gen_ob *b, const char *s); /* quoted JSON string, or null */
void gen_ob_csv(gen_ob *b, const char *s);  /* a CSV field, quoted if needed */
void gen_ob_iso(gen_ob *b, wf_ms t);        /* 2024-03-12T10:00:00.123Z */

#endif
