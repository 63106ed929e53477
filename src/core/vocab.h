/* The project's vocabularies, each one X-macro table (ATTRIBUTION.md). */
#ifndef WF_CORE_VOCAB_H
#define WF_CORE_VOCAB_H

#include <stddef.h>

/* Original/Latest source values (§2): X(enum, value, label) */
#define WF_SOURCE_TABLE(X)                                                        \
    X(SRC_ORGANIC_SEARCH, "ORGANIC_SEARCH", "Organic search")                     \
    X(SRC_PAID_SEARCH, "PAID_SEARCH", "Paid search")                              \
    X(SRC_EMAIL_MARKETING, "EMAIL_MARKETING", "Email marketing")                  \
    X(SRC_SOCIAL_MEDIA, "SOCIAL_MEDIA", "Organic social")                         \
    X(SRC_REFERRALS, "REFERRALS", "Referrals")                                    \
    X(SRC_OTHER_CAMPAIGNS, "OTHER_CAMPAIGNS", "Other campaigns")                   \
    X(SRC_DIRECT_TRAFFIC, "DIRECT_TRAFFIC", "Direct traffic")                     \
    X(SRC_OFFLINE, "OFFLINE", "Offline sources")                                  \
    X(SRC_PAID_SOCIAL, "PAID_SOCIAL", "Paid social")                              \
    X(SRC_AI_REFERRALS, "AI_REFERRALS", "AI referrals")

typedef enum {
    SRC_NONE = -1, /* empty: not computed yet */
#define WF_X(e, v, l) e,
    WF_SOURCE_TABLE(WF_X)
#undef WF_X
        SRC_COUNT,
    SRC_UNKNOWN = SRC_COUNT /* a value outside the table, kept verbatim */
} wf_source;

/* Creation channels / OFFLINE drill-down 1 (§3): X(enum, code, description) */
#define WF_CHANNEL_TABLE(X)                                                                   \
    X(CH_API, "API", "created directly through the Contacts API")                             \
    X(CH_FORM, "FORM", "a form was submitted from a filtered (excluded) IP address")          \
    X(CH_SALESFORCE, "SALESFORCE", "imported from Salesforce, or created in Salesforce and synced") \
    X(CH_CONTACTS, "CONTACTS", "a user added the contact by hand in the contacts database")   \
    X(CH_CRM_UI, "CRM_UI", "a user added the contact by hand in the contacts database")       \
    X(CH_ANALYTICS, "ANALYTICS",                                                              \
      "a third-party (non-HubSpot) form on a tracked page, or a custom event from the events tool") \
    X(CH_INTEGRATION, "INTEGRATION", "a connected third-party app created it")                \
    X(CH_IMPORT, "IMPORT", "the contact was imported into HubSpot")                           \
    X(CH_SALES, "SALES", "a logged email sent with the HubSpot Sales extension")              \
    X(CH_PRESENTATIONS, "PRESENTATIONS", "created through the documents (Presentations) tool") \
    X(CH_EXTENSION, "EXTENSION", "a user clicked \"Add to CRM\" in the Sales extension")     \
    X(CH_CONVERSATIONS, "CONVERSATIONS", "created from a conversation in the inbox or chat")  \
    X(CH_BOT, "BOT", "created by a chatbot conversation")                                     \
    X(CH_BATCH_UPDATE, "BATCH_UPDATE", "created by a bulk (batch) update")                   \
    X(CH_BCC_TO_CRM, "BCC_TO_CRM", "created when an email was BCC'd to the CRM")              \
    X(CH_CONTACTS_WEB, "CONTACTS_WEB", "created in the HubSpot web app")                     \
    X(CH_MOBILE_IOS, "MOBILE_IOS", "created in the HubSpot iOS app")                          \
    X(CH_MOBILE_ANDROID, "MOBILE_ANDROID", "created in the HubSpot Android app")              \
    X(CH_EMAIL_INTEGRATION, "EMAIL_INTEGRATION", "created by a connected inbox (email integration)") \
    X(CH_SIDEKICK, "SIDEKICK", "created by the Sidekick extension (the Sales extension's old name)") \
    X(CH_FORWARD_TO_CRM, "FORWARD_TO_CRM", "created when an email was forwarded to the CRM")

typedef enum {
    CH_NONE = -1,
#define WF_X(e, c, d) e,
    WF_CHANNEL_TABLE(WF_X)
#undef WF_X
        CH_COUNT,
    CH_UNKNOWN = CH_COUNT
} wf_channel;

/* Property-history sourceType values (§8) and the cause class they suggest.
 * X(enum, code, class) with class one of: "computed", "data-load",
 * "manual-edit", "merge", "other". */
#define WF_SOURCETYPE_TABLE(X)                                                    \
    X(ST_ANALYTICS, "ANALYTICS", "computed")                                      \
    X(ST_CALCULATED, "CALCULATED", "computed")                                    \
    X(ST_CRM_UI, "CRM_UI", "manual-edit")                                         \
    X(ST_CONTACTS_WEB, "CONTACTS_WEB", "manual-edit")                             \
    X(ST_MOBILE_IOS, "MOBILE_IOS", "manual-edit")                                 \
    X(ST_MOBILE_ANDROID, "MOBILE_ANDROID", "manual-edit")                         \
    X(ST_IMPORT, "IMPORT", "data-load")                                           \
    X(ST_API, "API", "data-load")                                                 \
    X(ST_INTEGRATION, "INTEGRATION", "data-load")                                 \
    X(ST_BATCH_UPDATE, "BATCH_UPDATE", "data-load")                               \
    X(ST_SALESFORCE, "SALESFORCE", "data-load")                                   \
    X(ST_AUTOMATION_PLATFORM, "AUTOMATION_PLATFORM", "data-load")                 \
    X(ST_WORKFLOWS, "WORKFLOWS", "data-load")                                     \
    X(ST_MERGE_OBJECTS, "MERGE_OBJECTS", "merge")                                 \
    X(ST_MERGE_CONTACTS, "MERGE_CONTACTS", "merge")                               \
    X(ST_MIGRATION, "MIGRATION", "other")                                         \
    X(ST_AI_GROUP, "AI_GROUP", "other")                                           \
    X(ST_FORM, "FORM", "other")                                                   \
    X(ST_EMAIL, "EMAIL", "other")                                                 \
    X(ST_ADS, "ADS", "other")                                                     \
    X(ST_HEISENBERG, "HEISENBERG", "other")                                       \
    X(ST_SALES, "SALES", "other")                                                 \
    X(ST_SIDEKICK, "SIDEKICK", "other")                                           \
    X(ST_BCC_TO_CRM, "BCC_TO_CRM", "other")                                       \
    X(ST_CONVERSATIONS, "CONVERSATIONS", "other")                                 \
    X(ST_BOT, "BOT", "other")                                                     \
    X(ST_SEQUENCES, "SEQUENCES", "other")

typedef enum {
    ST_NONE = -1,
#define WF_X(e, c, k) e,
    WF_SOURCETYPE_TABLE(WF_X)
#undef WF_X
        ST_COUNT,
    ST_UNKNOWN = ST_COUNT
} wf_sourcetype;

/* Rules (§5, §7): X(enum, id, short name, tag, one-line statement).
 * tag: "doc", "data" or "ours"; an "ours" rule must say "assumed" when used. */
#define WF_RULE_TABLE(X)                                                                         \
    X(R_S01, "S01", "utm-social", "doc", "utm_medium=social from a known social network")         \
    X(R_S02, "S02", "legacy-paid", "doc", "the source parameter contains adword, ppc or cpc")    \
    X(R_S03, "S03", "gclid", "doc", "a Google Ads click id (gclid)")                              \
    X(R_S04, "S04", "utm-paid-social", "doc", "paid utm_medium from a social network, or paidsocial") \
    X(R_S05, "S05", "utm-google-referrer", "doc", "UTM parameters on a visit from Google search") \
    X(R_S06, "S06", "utm-paid", "doc", "a UTM value contains adword, ppc or cpc")                 \
    X(R_S07, "S07", "utm-email", "doc", "a UTM value contains email")                             \
    X(R_S08, "S08", "utm-other", "doc", "any other UTM campaign parameters")                      \
    X(R_S09, "S09", "ref-social", "doc", "referred by a social network")                          \
    X(R_S10, "S10", "ref-mail", "doc", "referred by a web-mail site or RSS reader")               \
    X(R_S11, "S11", "ref-search", "doc", "referred by a search engine")                           \
    X(R_S12, "S12", "ref-internal", "doc", "referred by the site's own domain")                    \
    X(R_S13, "S13", "ref-ai", "ours", "referred by an AI assistant")                              \
    X(R_S14A, "S14a", "ref-other", "doc", "referred by another site")                             \
    X(R_S14B, "S14b", "none", "doc", "no referrer and no tracking parameter")                     \
    X(R_C01, "C01", "creation-offline", "doc", "created offline: Offline sources / channel / detail") \
    X(R_C02, "C02", "creation-tracked", "doc", "created by a form on a tracked page")             \
    X(R_C03, "C03", "identity-link", "doc", "a form or email click linked a visitor token")       \
    X(R_C04, "C04", "earliest-interaction", "doc", "an earlier linked session replaces the source") \
    X(R_C05, "C05", "later-sessions", "data", "later sessions change only Latest source")         \
    X(R_C06, "C06", "manual-edit", "doc", "set by hand; drill-downs cleared")                     \
    X(R_C07, "C07", "merge", "ours", "merged records: earliest interaction of either")            \
    X(R_C08, "C08", "written-value", "ours", "written by a data load")                            \
    X(R_C09, "C09", "no-token", "doc", "form submission that linked no visitor token")            \
    X(R_C10, "C10", "api-race", "data", "API created the contact seconds before a tracked form")

typedef enum {
    R_NONE = -1,
#define WF_X(e, id, n, t, d) e,
    WF_RULE_TABLE(WF_X)
#undef WF_X
        R_COUNT
} wf_rule;

/* Lookups: value/code strings are matched exactly (they are HubSpot's
 * upper-case identifiers); NULL or "" gives the NONE member, anything else
 * outside the table the UNKNOWN member. */
wf_source wf_source_from_name(const char *value);
const char *wf_source_name(wf_source s);   /* "ORGANIC_SEARCH"; NULL for NONE/UNKNOWN */
const char *wf_source_label(wf_source s);  /* "Organic search" */
/* Label for any stored string: known values get their label, empty gives
 * "(not computed)", unknown values come back verbatim. */
const char *wf_source_label_of(const char *value);

wf_channel wf_channel_from_code(const char *code);
const char *wf_channel_code(wf_channel c);
const char *wf_channel_description(wf_channel c); /* "unrecognised channel" for UNKNOWN */

wf_sourcetype wf_sourcetype_from_code(const char *code);
const char *wf_sourcetype_code(wf_sourcetype t);
const char *wf_sourcetype_class(wf_sourcetype t); /* "other" for UNKNOWN */

wf_rule wf_rule_from_id(const char *id); /* "S11", "C04", case-insensitive */
const char *wf_rule_id(wf_rule r);
const char *wf_rule_name(wf_rule r);
const char *wf_rule_tag(wf_rule r);
const char *wf_rule_statement(wf_rule r);
int wf_rule_is_assumed(wf_rule r); /* tag "ours" */

/* Per-contact flags (ARCHITECTURE.md "Explanation JSON") and list markers,
 * stored as a bit set in the computed cache. X(enum, bit, name, glyph) —
 * glyph 0 means "no list marker of its own". */
#define WF_FLAG_TABLE(X)                                                          \
    X(F_STORED_DIFFERS, 0, "stored-differs", 0x2260 /* ≠ */)                      \
    X(F_UNEXPLAINED_CHANGE, 1, "unexplained-change", '!')                         \
    X(F_API_RACE, 2, "api-race", '!')                                             \
    X(F_DATA_LOAD_VALUE, 3, "data-load-value", 0)                                 \
    X(F_MERGE_PRIMARY_KEPT, 4, "merge-primary-kept", 0)                           \
    X(F_MANUAL_EDIT, 5, "manual-edit", 0)                                         \
    X(F_OVERRIDE_DRIFT, 6, "override-drift", '!')                                 \
    X(F_UNKNOWN_VALUE, 7, "unknown-value", '?')                                   \
    X(F_CHANGED, 8, "changed", '~')                                               \
    X(F_OVERRIDDEN, 9, "overridden", '*')                                         \
    X(F_MERGED, 10, "merged", 'm')

typedef enum {
#define WF_X(e, bit, n, g) e = 1u << bit,
    WF_FLAG_TABLE(WF_X)
#undef WF_X
} wf_flag;

/* The first 8 are the JSON "flags"; the rest are list markers only. */
#define WF_FLAG_JSON_MASK 0xffu
const char *wf_flag_name(unsigned flag_bit_value); /* name of a single flag */
unsigned wf_flag_from_name(const char *name);     /* 0 if unknown */

#endif
