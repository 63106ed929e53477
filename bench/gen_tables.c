/* The generator's vocabulary and entry-page builder (see gen_tables.h).
 * Hosts and parameter conventions are public facts (ATTRIBUTION.md §4-§6);
 * names, companies and campaigns are made up. */
#include "gen_tables.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define PICK(r, arr) (arr)[gen_rng_below((r), (uint32_t)N(arr))]

static const gen_channel channels[] = {
#define WF_X(e, c, d, o, t, w) {e, c, d, o, t},
    GEN_CHANNEL_TABLE(WF_X)
#undef WF_X
};
static const unsigned channel_w[] = {
#define WF_X(e, c, d, o, t, w) w,
    GEN_CHANNEL_TABLE(WF_X)
#undef WF_X
};
static const char *const channel_names[] = {
#define WF_X(e, c, d, o, t, w) #e,
    GEN_CHANNEL_TABLE(WF_X)
#undef WF_X
};
static const unsigned kind_w[] = {
#define WF_X(e, w) w,
    GEN_KIND_TABLE(WF_X)
#undef WF_X
};

static unsigned pick_w(gen_rng *r, const unsigned *w, size_t n)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    unsigned x = gen_rng_below(r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < w[i]) return (unsigned)i;
        x -= w[i];
    }
    return (unsigned)n - 1;
}

const gen_channel *gen_tables_channel(gen_rng *r)
{
    return &channels[pick_w(r, channel_w, N(channel_w))];
}

const char *gen_tables_channel_name(int k)
{
    return k >= 0 && k < GCH_COUNT ? channel_names[k] + 4 : NULL; /* without "GCH_" */
}

int gen_tables_session_kind(gen_rng *r)
{
    return (int)pick_w(r, kind_w, N(kind_w));
}

/* ---- people and companies ------------------------------------------------ */

static const char *const firsts[][2] = {
    {"Anna", "anna"},         {"Ben", "ben"},        {"Chloé", "chloe"},     {"David", "david"},
    {"Emma", "emma"},         {"Felix", "felix"},    {"Grace", "grace"},     {"Hiro", "hiro"},
    {"Ines", "ines"},         {"José", "jose"},      {"Kim", "kim"},         {"Lena", "lena"},
    {"Mohammed", "mohammed"}, {"Nora", "nora"},      {"Oliver", "oliver"},   {"Priya", "priya"},
    {"Quentin", "quentin"},   {"Rosa", "rosa"},      {"Sam", "sam"},         {"Tomás", "tomas"},
    {"Uma", "uma"},           {"Viktor", "viktor"},  {"Wei", "wei"},         {"Zoë", "zoe"},
    {"明", "ming"},           {"Jürgen", "juergen"}, {"Siobhán", "siobhan"}, {"Łukasz", "lukasz"}};
static const char *const lasts[][2] = {
    {"Smith", "smith"},     {"Müller", "mueller"}, {"García", "garcia"},   {"Johnson", "johnson"},
    {"Rossi", "rossi"},     {"Dubois", "dubois"},  {"Nowak", "nowak"},     {"Tanaka", "tanaka"},
    {"Kim", "kim"},         {"Patel", "patel"},    {"Brown", "brown"},     {"Jensen", "jensen"},
    {"O'Brien", "obrien"},  {"Silva", "silva"},    {"Novák", "novak"},     {"Cohen", "cohen"},
    {"Ivanova", "ivanova"}, {"Nguyen", "nguyen"},  {"Larsen", "larsen"},   {"Story", "story"},
    {"王", "wang"},         {"Okafor", "okafor"},  {"Schmidt", "schmidt"}, {"Martin", "martin"}};

void gen_tables_person(gen_rng *r, const char **first, const char **first_ascii, const char **last,
                       const char **last_ascii)
{
    unsigned f = gen_rng_below(r, N(firsts)), l = gen_rng_below(r, N(lasts));
    *first = firsts[f][0];
    *first_ascii = firsts[f][1];
    *last = lasts[l][0];
    *last_ascii = lasts[l][1];
}

const char *const gen_companies[24] = {
    "Acme Widgets",     "Globex",          "Initech",        "Umbrella Logistics",
    "Stark Analytics",  "Wayne Foods",     "Hooli",          "Vandelay Imports",
    "Soylent GmbH",     "Tyrell Systems",  "Cyberdyne",      "Wonka Confections",
    "Pied Piper",       "Massive Dynamic", "Gringotts Bank", "Oscorp Labs",
    "Nordlicht AB",     "Café Lumière",    "Sakura Trading", "Blue Sun",
    "Aperture Science", "Black Mesa",      "Monarch Travel", "Virtucon"};
const char *const gen_mail_domains[8] = {"gmail.com",   "outlook.com",    "yahoo.com",
                                         "example.org", "example.net",    "acme.example",
                                         "proton.me",   "company.example"};
const char *const gen_lifecycle[6] = {"subscriber",         "lead",        "marketingqualifiedlead",
                                      "salesqualifiedlead", "opportunity", "customer"};
const char *const gen_jobtitles[10] = {
    "Marketing Manager", "CMO", "Head of Growth",     "Sales Director", "CEO", "Data Analyst",
    "Operations Lead",   "CTO", "Content Strategist", "Founder"};
const char *const gen_countries[10] = {"United States", "Germany",  "France", "United Kingdom",
                                       "Brazil",        "Japan",    "India",  "Canada",
                                       "Netherlands",   "Australia"};
/* What users set by hand (C06): often "Offline" for list uploads. */
const char *const gen_manual_values[6] = {"OFFLINE",         "DIRECT_TRAFFIC", "REFERRALS",
                                          "OTHER_CAMPAIGNS", "PAID_SEARCH",    "ORGANIC_SEARCH"};
/* What an import sheet with an "Original Source" column writes (C08). */
const gen_written gen_written_values[4] = {{"OFFLINE", "IMPORT"},
                                           {"OTHER_CAMPAIGNS", "trade show"},
                                           {"REFERRALS", ""},
                                           {"IMPORTED", ""}}; /* legacy value, kept verbatim */

/* ---- channel details ----------------------------------------------------- */

static const char *const import_names[] = {
    "Q3 trade show list",          "Webinar attendees", "Purchased list 2023", "Event badge scans",
    "Newsletter signups (legacy)", "Partner referrals", "CRM migration",       "Conference leads"};
static const char *const apps[][2] = {
    {"51381", "Zapier"},      {"178192", "Zoom"},    {"36725", "Typeform"}, {"250003", "Calendly"},
    {"200413", "Eventbrite"}, {"66071", "Intercom"}, {"1043981", "Shopify"}};

void gen_tables_channel_detail(gen_tables *t, const gen_channel *ch, gen_rng *r, char *buf,
                               const char **label)
{
    const size_t bufsz = 64;
    unsigned k = gen_rng_below(r, 64);
    *label = NULL;
    buf[0] = 0;
    switch (ch->kind) {
    case GCH_FORM:
    case GCH_FORM_FILTERED:
        snprintf(buf, bufsz, "%s", t->form_ids[k % 24]);
        *label = "Form";
        break;
    case GCH_IMPORT:
        snprintf(buf, bufsz, "%u", 10000000 + k * 7919);
        *label = import_names[k % N(import_names)];
        break;
    case GCH_API:
        snprintf(buf, bufsz, "%s", k < 13 ? "contact-upsert" : "contacts-upsert");
        *label = "Contacts API";
        break;
    case GCH_INTEGRATION:
        snprintf(buf, bufsz, "%s", apps[k % N(apps)][0]);
        *label = apps[k % N(apps)][1];
        break;
    case GCH_CRM_UI:
    case GCH_CONTACTS:
        snprintf(buf, bufsz, "userId:%u", 1000000 + k % 40);
        *label = "CRM UI";
        break;
    case GCH_SALESFORCE:
        snprintf(buf, bufsz, "salesforce-createdby");
        *label = "Salesforce";
        break;
    case GCH_BATCH_UPDATE:
        snprintf(buf, bufsz, "auditId=%u", 700000 + k);
        break;
    default:
        break;
    }
}

const char *gen_tables_form_id(gen_tables *t, gen_rng *r)
{
    return t->form_ids[gen_rng_below(r, 24)];
}

/* ---- referrer hosts ------------------------------------------------------ */

static const gen_host search_hosts[] = {{"www.google.com", "google", NULL, NULL},
                                        {"www.google.com", "google", NULL, NULL},
                                        {"www.google.com", "google", NULL, NULL},
                                        {"www.google.com", "google", NULL, NULL},
                                        {"www.google.com", "google", NULL, NULL},
                                        {"www.google.de", "google", NULL, NULL},
                                        {"www.google.co.uk", "google", NULL, NULL},
                                        {"www.google.fr", "google", NULL, NULL},
                                        {"www.google.com.br", "google", NULL, NULL},
                                        {"www.google.ca", "google", NULL, NULL},
                                        {"www.google.es", "google", NULL, NULL},
                                        {"www.google.co.in", "google", NULL, NULL},
                                        {"www.google.com.au", "google", NULL, NULL},
                                        {"www.google.nl", "google", NULL, NULL},
                                        {"www.google.it", "google", NULL, NULL},
                                        {"www.bing.com", "bing", "q", NULL},
                                        {"www.bing.com", "bing", "q", NULL},
                                        {"duckduckgo.com", "duckduckgo", "q", NULL},
                                        {"search.yahoo.com", "yahoo", "p", NULL},
                                        {"www.ecosia.org", "ecosia", "q", NULL},
                                        {"yandex.ru", "yandex", "text", NULL},
                                        {"www.baidu.com", "baidu", "wd", NULL},
                                        {"search.brave.com", "brave", "q", NULL},
                                        {"www.qwant.com", "qwant", "q", NULL},
                                        {"search.naver.com", "naver", "query", NULL},
                                        {"www.startpage.com", "startpage", "query", NULL}};
static const gen_host social_hosts[] = {
    {"www.linkedin.com", "LinkedIn", NULL, "linkedin"},
    {"www.linkedin.com", "LinkedIn", NULL, "linkedin"},
    {"lnkd.in", "LinkedIn", NULL, "linkedin"},
    {"android-app://com.linkedin.android/", "LinkedIn", NULL, "linkedin"},
    {"l.facebook.com", "Facebook", NULL, "facebook"},
    {"l.facebook.com", "Facebook", NULL, "facebook"},
    {"m.facebook.com", "Facebook", NULL, "facebook"},
    {"www.facebook.com", "Facebook", NULL, "facebook"},
    {"t.co", "Twitter", NULL, "twitter"},
    {"x.com", "Twitter", NULL, "twitter"},
    {"www.instagram.com", "Instagram", NULL, "instagram"},
    {"l.instagram.com", "Instagram", NULL, "instagram"},
    {"www.youtube.com", "YouTube", NULL, "youtube"},
    {"www.reddit.com", "Reddit", NULL, "reddit"},
    {"www.pinterest.com", "Pinterest", NULL, "pinterest"},
    {"www.tiktok.com", "TikTok", NULL, "tiktok"}};
static const gen_host mail_hosts[] = {{"mail.google.com", NULL, NULL, NULL},
                                      {"outlook.live.com", NULL, NULL, NULL},
                                      {"outlook.office.com", NULL, NULL, NULL},
                                      {"mail.yahoo.com", NULL, NULL, NULL}};
static const gen_host ai_hosts[] = {{"chatgpt.com", "ChatGPT", NULL, NULL},
                                    {"chatgpt.com", "ChatGPT", NULL, NULL},
                                    {"chat.openai.com", "ChatGPT", NULL, NULL},
                                    {"www.perplexity.ai", "Perplexity", NULL, NULL},
                                    {"claude.ai", "Claude", NULL, NULL},
                                    {"gemini.google.com", "Gemini", NULL, NULL},
                                    {"copilot.microsoft.com", "Copilot", NULL, NULL}};
static const char *const ref_words[] = {
    "growthdigest", "saasweekly",  "martechtoday", "crmreview",   "b2bleaders",
    "datadriven",   "funnelhacks", "inboundhub",   "analyticsio", "salesnotes",
    "techradarx",   "bizjournal",  "startupdaily", "cmoinsider",  "opsguide",
    "revopsclub",   "leadgenlab",  "contentfarm",  "agencylist",  "partnerhub"};

/* Host from the shipped table for about one pick in ten, so its long tail
 * (every Google country, every Mastodon instance) shows up too. */
static const gen_host *pick_host(gen_tables *t, gen_rng *r, int kind, const gen_host *base,
                                 size_t nbase)
{
    if (t->nextra[kind] && gen_rng_below(r, 10) == 0)
        return &t->extra[kind][gen_rng_below(r, (uint32_t)t->nextra[kind])];
    return &base[gen_rng_below(r, (uint32_t)nbase)];
}

static void set_ref(char *ref, size_t n, const char *host)
{
    if (strstr(host, "://"))
        snprintf(ref, n, "%s", host);
    else
        snprintf(ref, n, "https://%s/", host);
}

/* ---- referrers.json ------------------------------------------------------ */

static int kind_of(const char *k)
{
    if (!k) return -1;
    if (!strcmp(k, "search")) return GK_ORGANIC;
    if (!strcmp(k, "social")) return GK_SOCIAL;
    if (!strcmp(k, "mail")) return GK_MAILREF;
    if (!strcmp(k, "ai")) return GK_AI;
    return -1;
}

static void add_host(gen_tables *t, int kind, const char *host, const cJSON *e)
{
    if (strchr(host, '*') && !strstr(host, ".*")) return;
    char *h = NULL;
    size_t hl = strlen(host);
    if (hl > 2 && !strcmp(host + hl - 2, ".*")) {
        h = malloc(hl + 3);
        if (!h) return;
        snprintf(h, hl + 3, "%.*s.com", (int)(hl - 2), host);
    }
    gen_host *p = realloc(t->extra[kind], (t->nextra[kind] + 1) * sizeof *p);
    if (!p) {
        free(h);
        return;
    }
    t->extra[kind] = p;
    const cJSON *al = cJSON_GetObjectItemCaseSensitive(e, "aliases");
    p[t->nextra[kind]++] =
        (gen_host){h ? h : host, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "name")),
                   cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "param")),
                   cJSON_IsArray(al) ? cJSON_GetStringValue(cJSON_GetArrayItem(al, 0)) : NULL};
    if (h) {
        char **o = realloc(t->owned, (t->nowned + 1) * sizeof *o);
        if (o) {
            t->owned = o;
            t->owned[t->nowned++] = h;
        } /* else: leaks one host name; harmless in a one-shot tool */
    }
}

static void load_entry(gen_tables *t, const cJSON *e)
{
    int kind = kind_of(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "kind")));
    if (kind < 0) return;
    const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(e, "hosts");
    const cJSON *one = cJSON_GetObjectItemCaseSensitive(e, "host");
    const cJSON *h;
    if (cJSON_IsString(one)) add_host(t, kind, one->valuestring, e);
    cJSON_ArrayForEach(h, hosts) if (cJSON_IsString(h)) add_host(t, kind, h->valuestring, e);
}

static wf_status load_referrers(gen_tables *t, const char *path, char *err, size_t errsz)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errsz, "%s: cannot open", path);
        return WF_E_NOINPUT;
    }
    char *data = NULL;
    size_t n = 0, cap = 0, got;
    char chunk[65536];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (n + got + 1 > cap) {
            cap = (n + got + 1) * 2;
            char *p = realloc(data, cap);
            if (!p) break;
            data = p;
        }
        memcpy(data + n, chunk, got);
        n += got;
    }
    fclose(f);
    t->json = data ? cJSON_ParseWithLength(data, n) : NULL;
    free(data);
    if (!t->json) {
        snprintf(err, errsz, "%s: not valid JSON", path);
        return WF_E_DATA;
    }
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(t->json, "entries")) load_entry(t, e);
    return WF_OK;
}

wf_status gen_tables_init(gen_tables *t, const char *referrers, char *err, size_t errsz)
{
    memset(t, 0, sizeof *t);
    gen_rng r;
    gen_rng_seed(&r, 0x466f726d73ULL); /* form ids do not depend on the seed */
    for (int i = 0; i < 24; i++)
        snprintf(t->form_ids[i], sizeof t->form_ids[i], "%08x-%04x-4%03x-b%03x-%012llx",
                 (unsigned)gen_rng_next(&r), gen_rng_below(&r, 65536), gen_rng_below(&r, 4096),
                 gen_rng_below(&r, 4096),
                 (unsigned long long)(gen_rng_next(&r) & 0xffffffffffffULL));
    return referrers ? load_referrers(t, referrers, err, errsz) : WF_OK;
}

void gen_tables_free(gen_tables *t)
{
    cJSON_Delete(t->json);
    for (size_t i = 0; i < t->nowned; i++)
        free(t->owned[i]);
    free(t->owned);
    for (int k = 0; k < GK_COUNT; k++)
        free(t->extra[k]);
    memset(t, 0, sizeof *t);
}

/* ---- entry pages ----------------------------------------------------------- */

static const char *const pages[] = {"/",
                                    "/",
                                    "/pricing",
                                    "/features",
                                    "/demo",
                                    "/blog/original-source-explained",
                                    "/blog/utm-guide",
                                    "/blog/offline-sources",
                                    "/resources/attribution-ebook",
                                    "/customers",
                                    "/about",
                                    "/contact",
                                    "/webinars/q3-roadmap",
                                    "/docs/getting-started",
                                    "/integrations",
                                    "/careers"};
static const char *const titles[] = {"Example — Attribution you can explain",
                                     "Example — Attribution you can explain",
                                     "Pricing",
                                     "Features",
                                     "Book a demo",
                                     "Original Source, explained",
                                     "The UTM guide",
                                     "Offline sources",
                                     "Ebook: attribution",
                                     "Customers",
                                     "About us",
                                     "Contact",
                                     "Webinar: Q3 roadmap",
                                     "Getting started",
                                     "Integrations",
                                     "Careers"};
static const char *const campaigns[] = {
    "Spring Newsletter", "Q3 Webinar Invite",     "Product Launch 2024", "Black Friday",
    "Onboarding Day 3",  "Retargeting - Feed ad", "Brand Awareness",     "Customer Stories",
    "Summer Sale",       "Year in Review",        "Partner Spotlight",   "Feature Update 12"};
static const char *const terms[] = {
    "attribution software", "crm original source", "hubspot offline source",
    "marketing analytics",  "utm builder",         "lead source tracking"};
static const char *const other_sources[] = {"partner", "newsletter-weekly", "capterra",
                                            "g2",      "podcast",           "qr"};
static const char *const other_media[] = {"banner", "affiliate", "referral", "qr", "display"};

const char *gen_tables_site_page(gen_rng *r, char *buf, size_t n)
{
    snprintf(buf, n, "https://www.example.com%s", PICK(r, pages));
    return buf;
}

const char *gen_tables_title(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    if (!p) return titles[0];
    size_t len = strcspn(p, "?#");
    for (size_t i = 1; i < N(pages); i++)
        if (strlen(pages[i]) == len && !strncmp(p, pages[i], len)) return titles[i];
    return titles[0];
}

const char *gen_tables_user_agent(int64_t contact)
{
    static const char *const ua[] = {
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.4 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Mobile/15E148",
        "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/124.0 Mobile Safari/537.36"};
    return ua[(uint64_t)contact % N(ua)];
}

/* "Q3 Webinar Invite" -> "Q3+Webinar+Invite" (the form browsers send). */
static void plus_encode(char *out, size_t n, const char *s)
{
    size_t j = 0;
    for (; *s && j + 1 < n; s++)
        out[j++] = *s == ' ' ? '+' : *s;
    out[j] = 0;
}

static void lower(char *out, size_t n, const char *s)
{
    size_t j = 0;
    for (; *s && j + 1 < n; s++)
        out[j++] = (char)tolower((unsigned char)*s);
    out[j] = 0;
}

static void rand_chars(gen_rng *r, char *out, size_t len)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    for (size_t i = 0; i < len; i++)
        out[i] = a[gen_rng_below(r, 64)];
    out[len] = 0;
}

/* Direct traffic: drill-down 1 is the entry URL without its scheme. */
static void direct(gen_entry *e)
{
    e->src = "DIRECT_TRAFFIC";
    snprintf(e->dd1, sizeof e->dd1, "%s", strstr(e->url, "://") + 3);
}

static void entry_organic(gen_tables *t, gen_rng *r, gen_entry *e, const char *page)
{
    const gen_host *h = pick_host(t, r, GK_ORGANIC, search_hosts, N(search_hosts));
    e->src = "ORGANIC_SEARCH";
    snprintf(e->url, sizeof e->url, "https://www.example.com%s", page);
    lower(e->dd2, sizeof e->dd2, h->name ? h->name : h->host);
    snprintf(e->dd1, sizeof e->dd1, "Unknown keywords (SSL)");
    if (h->param && gen_rng_below(r, 4) == 0) {
        const char *term = PICK(r, terms);
        char enc[128];
        plus_encode(enc, sizeof enc, term);
        snprintf(e->ref, sizeof e->ref, "https://%s/search?%s=%s", h->host, h->param, enc);
        snprintf(e->dd1, sizeof e->dd1, "%s", term);
    } else {
        set_ref(e->ref, sizeof e->ref, h->host);
    }
}

static void entry_email(gen_rng *r, gen_entry *e, const char *page)
{
    const char *camp = PICK(r, campaigns);
    char enc[128], hsenc[48];
    plus_encode(enc, sizeof enc, camp);
    rand_chars(r, hsenc, 40);
    snprintf(e->utm_source, sizeof e->utm_source, "%s",
             gen_rng_below(r, 7) == 0 ? "hs_automation" : "hs_email");
    snprintf(e->utm_medium, sizeof e->utm_medium, "email");
    snprintf(e->utm_campaign, sizeof e->utm_campaign, "%s", camp);
    snprintf(e->utm_content, sizeof e->utm_content, "%u", 100000000 + gen_rng_below(r, 900) * 97);
    snprintf(e->url, sizeof e->url,
             "https://www.example.com%s?utm_campaign=%s&utm_medium=email&_hsmi=%u"
             "&_hsenc=p2ANqtz-%s&utm_content=%s&utm_source=%s",
             page, enc, 200000000 + gen_rng_below(r, 99999999), hsenc, e->utm_content,
             e->utm_source);
    if (gen_rng_below(r, 2)) set_ref(e->ref, sizeof e->ref, PICK(r, mail_hosts).host);
    e->src = "EMAIL_MARKETING";
    lower(e->dd1, sizeof e->dd1, camp);
    snprintf(e->dd2, sizeof e->dd2, "%s", e->utm_content);
}

static void entry_paid_search(gen_rng *r, gen_entry *e, const char *page)
{
    char gclid[80], enc_c[128], enc_t[128];
    rand_chars(r, gclid, 64);
    const char *camp = PICK(r, campaigns), *term = PICK(r, terms);
    plus_encode(enc_c, sizeof enc_c, camp);
    plus_encode(enc_t, sizeof enc_t, term);
    unsigned v = gen_rng_below(r, 20);
    e->src = "PAID_SEARCH";
    if (v < 13) { /* auto-tagged: only gclid */
        snprintf(e->url, sizeof e->url, "https://www.example.com%s?gclid=Cj0KCQjw%s", page, gclid);
        set_ref(e->ref, sizeof e->ref, "www.google.com");
        snprintf(e->dd1, sizeof e->dd1, "Auto-tagged PPC");
        snprintf(e->dd2, sizeof e->dd2, "Unknown keywords (SSL)");
        return;
    }
    const int bing = v >= 18;
    snprintf(e->utm_source, sizeof e->utm_source, "%s", bing ? "bing" : "google");
    snprintf(e->utm_medium, sizeof e->utm_medium, "cpc");
    snprintf(e->utm_campaign, sizeof e->utm_campaign, "%s", camp);
    snprintf(e->utm_term, sizeof e->utm_term, "%s", term);
    snprintf(e->url, sizeof e->url,
             "https://www.example.com%s?utm_source=%s&utm_medium=cpc&utm_campaign=%s"
             "&utm_term=%s&%s=%s",
             page, e->utm_source, enc_c, enc_t, bing ? "msclkid" : "gclid", gclid);
    set_ref(e->ref, sizeof e->ref, bing ? "www.bing.com" : "www.google.com");
    lower(e->dd1, sizeof e->dd1, camp);
    lower(e->dd2, sizeof e->dd2, term);
}

static void entry_social(gen_tables *t, gen_rng *r, gen_entry *e, const char *page, int paid)
{
    static const int paid_networks[] = {0, 4, 5, 11}; /* LinkedIn, Facebook x2, Instagram */
    const gen_host *h = paid ? &social_hosts[PICK(r, paid_networks)]
                             : pick_host(t, r, GK_SOCIAL, social_hosts, N(social_hosts));
    set_ref(e->ref, sizeof e->ref, h->host);
    snprintf(e->url, sizeof e->url, "https://www.example.com%s", page);
    e->src = paid ? "PAID_SOCIAL" : "SOCIAL_MEDIA";
    snprintf(e->dd1, sizeof e->dd1, "%s", h->name ? h->name : h->host);
    if (!paid && (gen_rng_below(r, 7) != 0 || !h->alias)) return;
    const char *camp = PICK(r, campaigns);
    char enc[128], fbclid[48];
    plus_encode(enc, sizeof enc, camp);
    rand_chars(r, fbclid, 40);
    snprintf(e->utm_source, sizeof e->utm_source, "%s", h->alias);
    snprintf(e->utm_medium, sizeof e->utm_medium, "%s", paid ? "paid_social" : "social");
    snprintf(e->utm_campaign, sizeof e->utm_campaign, "%s", camp);
    snprintf(e->url, sizeof e->url,
             "https://www.example.com%s?utm_source=%s&utm_medium=%s&utm_campaign=%s&fbclid=%s",
             page, e->utm_source, e->utm_medium, enc, fbclid);
    lower(e->dd2, sizeof e->dd2, camp);
}

static void referral_host(gen_rng *r, char *out, size_t n)
{
    unsigned w = gen_rng_below(r, N(ref_words)), k = gen_rng_below(r, 25);
    if (k == 0)
        snprintf(out, n, "%s.com", ref_words[w]);
    else
        snprintf(out, n, "www.%s%u.com", ref_words[w], k);
}

static void entry_other(gen_rng *r, gen_entry *e, const char *page)
{
    const char *camp = PICK(r, campaigns);
    char enc[128], host[64];
    plus_encode(enc, sizeof enc, camp);
    snprintf(e->utm_source, sizeof e->utm_source, "%s", PICK(r, other_sources));
    snprintf(e->utm_medium, sizeof e->utm_medium, "%s", PICK(r, other_media));
    snprintf(e->utm_campaign, sizeof e->utm_campaign, "%s", camp);
    snprintf(e->url, sizeof e->url,
             "https://www.example.com%s?utm_source=%s&utm_medium=%s&utm_campaign=%s", page,
             e->utm_source, e->utm_medium, enc);
    if (gen_rng_below(r, 2)) {
        referral_host(r, host, sizeof host);
        snprintf(e->ref, sizeof e->ref, "https://%s/", host);
    }
    e->src = "OTHER_CAMPAIGNS";
    lower(e->dd1, sizeof e->dd1, camp);
    snprintf(e->dd2, sizeof e->dd2, "%s / %s", e->utm_source, e->utm_medium);
}

static void entry_referral(gen_rng *r, gen_entry *e, const char *page)
{
    char host[64];
    referral_host(r, host, sizeof host);
    snprintf(e->ref, sizeof e->ref, "https://%s/blog/top-%u-attribution-tools", host,
             3 + gen_rng_below(r, 20));
    snprintf(e->url, sizeof e->url, "https://www.example.com%s", page);
    e->src = "REFERRALS";
    snprintf(e->dd1, sizeof e->dd1, "%s", strncmp(host, "www.", 4) ? host : host + 4);
    snprintf(e->dd2, sizeof e->dd2, "%s", e->ref);
}

/* ChatGPT adds utm_source=chatgpt.com to links: then S08 decides. */
static void entry_ai(gen_tables *t, gen_rng *r, gen_entry *e, const char *page)
{
    const gen_host *h = pick_host(t, r, GK_AI, ai_hosts, N(ai_hosts));
    set_ref(e->ref, sizeof e->ref, h->host);
    if (!strcmp(h->host, "chatgpt.com") && gen_rng_below(r, 5) < 2) {
        snprintf(e->utm_source, sizeof e->utm_source, "chatgpt.com");
        snprintf(e->url, sizeof e->url, "https://www.example.com%s?utm_source=chatgpt.com", page);
        e->src = "OTHER_CAMPAIGNS";
        snprintf(e->dd2, sizeof e->dd2, "chatgpt.com");
        return;
    }
    snprintf(e->url, sizeof e->url, "https://www.example.com%s", page);
    e->src = "AI_REFERRALS";
    snprintf(e->dd1, sizeof e->dd1, "%s", strncmp(h->host, "www.", 4) ? h->host : h->host + 4);
    snprintf(e->dd2, sizeof e->dd2, "%s", e->ref);
}

void gen_tables_entry(gen_tables *t, gen_rng *r, int kind, gen_entry *e)
{
    memset(e, 0, offsetof(gen_entry, dd1));
    e->dd1[0] = e->dd2[0] = 0;
    const char *page = PICK(r, pages);
    switch (kind) {
    case GK_ORGANIC:
        entry_organic(t, r, e, page);
        break;
    case GK_EMAIL:
        entry_email(r, e, page);
        break;
    case GK_PAID_SEARCH:
        entry_paid_search(r, e, page);
        break;
    case GK_SOCIAL:
        entry_social(t, r, e, page, 0);
        break;
    case GK_PAID_SOCIAL:
        entry_social(t, r, e, page, 1);
        break;
    case GK_OTHER:
        entry_other(r, e, page);
        break;
    case GK_REFERRAL:
        entry_referral(r, e, page);
        break;
    case GK_AI:
        entry_ai(t, r, e, page);
        break;
    case GK_MAILREF:
        set_ref(e->ref, sizeof e->ref,
                pick_host(t, r, GK_MAILREF, mail_hosts, N(mail_hosts))->host);
        /* fall through */
    default:
        snprintf(e->url, sizeof e->url, "https://www.example.com%s", page);
        direct(e);
        break;
    }
}
