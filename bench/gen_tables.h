/* The generator's vocabulary: creation channels with their shares, session
 * kinds with their shares, referrer hosts, campaigns, names. Entry pages are
 * built here together with the classification HubSpot gives them (§5, §6). */
#ifndef WF_BENCH_GEN_TABLES_H
#define WF_BENCH_GEN_TABLES_H

#include <stddef.h>

#include "gen_int.h"

/* Creation channel kinds: X(enum, code, OFFLINE dd1, hs_object_source, tracked, per-mille) */
#define GEN_CHANNEL_TABLE(X)                                                                       \
    X(GCH_FORM, "FORM", "FORM", "FORM", 1, 420)                                                    \
    X(GCH_IMPORT, "IMPORT", "IMPORT", "IMPORT", 0, 170)                                            \
    X(GCH_API, "API", "API", "API", 0, 95)                                                         \
    X(GCH_INTEGRATION, "INTEGRATION", "INTEGRATION", "INTEGRATION", 0, 80)                         \
    X(GCH_CRM_UI, "CRM_UI", "CRM_UI", "CRM_UI", 0, 60)                                             \
    X(GCH_SALESFORCE, "SALESFORCE", "SALESFORCE", "SALESFORCE", 0, 50)                             \
    X(GCH_CONVERSATIONS, "CONVERSATIONS", "CONVERSATIONS", "CONVERSATIONS", 0, 25)                 \
    X(GCH_CONTACTS, "CONTACTS", "CONTACTS", "CRM_UI", 0, 15)                                       \
    X(GCH_FORM_FILTERED, "FORM", "FORM", "FORM", 0, 15)                                            \
    X(GCH_ANALYTICS, "ANALYTICS", "ANALYTICS", "ANALYTICS", 0, 15)                                 \
    X(GCH_BOT, "BOT", "BOT", "BOT", 0, 10)                                                         \
    X(GCH_SALES, "SALES", "SALES", "SALES", 0, 10)                                                 \
    X(GCH_EXTENSION, "EXTENSION", "EXTENSION", "EXTENSION", 0, 10)                                 \
    X(GCH_BATCH_UPDATE, "BATCH_UPDATE", "BATCH_UPDATE", "BATCH_UPDATE", 0, 7)                      \
    X(GCH_EMAIL_INTEGRATION, "EMAIL_INTEGRATION", "EMAIL_INTEGRATION", "EMAIL_INTEGRATION", 0, 7)  \
    X(GCH_BCC_TO_CRM, "BCC_TO_CRM", "BCC_TO_CRM", "BCC_TO_CRM", 0, 5)                              \
    X(GCH_PRESENTATIONS, "PRESENTATIONS", "PRESENTATIONS", "PRESENTATIONS", 0, 3)                  \
    X(GCH_MOBILE_IOS, "MOBILE_IOS", "MOBILE_IOS", "MOBILE_IOS", 0, 3)

typedef enum {
#define WF_X(e, c, d, o, t, w) e,
    GEN_CHANNEL_TABLE(WF_X)
#undef WF_X
        GCH_COUNT
} gen_channel_kind;

typedef struct {
    gen_channel_kind kind;
    const char *code, *dd1, *object_source;
    int tracked; /* created by a HubSpot form on a tracked page (C02) */
} gen_channel;

/* Session kinds: X(enum, share in percent) */
#define GEN_KIND_TABLE(X)                                                                          \
    X(GK_ORGANIC, 30)                                                                              \
    X(GK_DIRECT, 20)                                                                               \
    X(GK_EMAIL, 12)                                                                                \
    X(GK_REFERRAL, 9)                                                                              \
    X(GK_SOCIAL, 8)                                                                                \
    X(GK_PAID_SEARCH, 7)                                                                           \
    X(GK_OTHER, 5)                                                                                 \
    X(GK_PAID_SOCIAL, 3)                                                                           \
    X(GK_MAILREF, 3)                                                                               \
    X(GK_AI, 3)

typedef enum {
#define WF_X(e, w) e,
    GEN_KIND_TABLE(WF_X)
#undef WF_X
        GK_COUNT
} gen_kind;

/* A session's entry page, its referrer, the hs_utm_* values HubSpot records
 * with the page view, and the source and drill-downs HubSpot gives it. */
typedef struct {
    char url[640], ref[320];
    char utm_source[48], utm_medium[32], utm_campaign[96], utm_term[96], utm_content[24];
    const char *src;
    char dd1[400], dd2[400];
} gen_entry;

typedef struct {
    const char *host, *name, *param, *alias;
} gen_host;

typedef struct {
    void *json; /* parsed referrers.json owning the extra hosts' strings */
    gen_host *extra[GK_COUNT];
    size_t nextra[GK_COUNT];
    char **owned; /* host names made here ("google.*" -> "google.com") */
    size_t nowned;
    char form_ids[24][40];
} gen_tables;

wf_status gen_tables_init(gen_tables *t, const char *referrers, char *err, size_t errsz);
void gen_tables_free(gen_tables *t);

const gen_channel *gen_tables_channel(gen_rng *r);
const char *gen_tables_channel_name(int k);
/* The OFFLINE drill-down 2 / record-source id and the record-source label. */
/* buf: 64 bytes. */
void gen_tables_channel_detail(gen_tables *t, const gen_channel *ch, gen_rng *r, char *buf,
                               const char **label);
int gen_tables_session_kind(gen_rng *r);
void gen_tables_person(gen_rng *r, const char **first, const char **first_ascii, const char **last,
                       const char **last_ascii);
const char *gen_tables_form_id(gen_tables *t, gen_rng *r);
void gen_tables_entry(gen_tables *t, gen_rng *r, int kind, gen_entry *e);
const char *gen_tables_site_page(gen_rng *r, char *buf, size_t n);
const char *gen_tables_title(const char *url);
const char *gen_tables_user_agent(int64_t contact);

typedef struct {
    const char *src, *dd1;
} gen_written;

extern const char *const gen_companies[24];
extern const char *const gen_mail_domains[8];
extern const char *const gen_lifecycle[6];
extern const char *const gen_jobtitles[10];
extern const char *const gen_countries[10];
extern const char *const gen_manual_values[6];
extern const gen_written gen_written_values[4];

#endif
