/* Classifying one session (ATTRIBUTION.md §5, rules S01–S14b, first match
 * wins) with the drill-downs of §6, and the site's own domains (S12). */
#ifndef WF_ATTRIB_CLASSIFY_H
#define WF_ATTRIB_CLASSIFY_H

#include <stddef.h>

#include "attrib/engine.h"
#include "attrib/referrers.h"
#include "attrib/url.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/vocab.h"

/* The site's own domains (lower-case). A host is internal when it equals
 * one of them or is a subdomain of one. */
typedef struct {
    const char **domains;
    size_t n;
    int derived; /* 1: taken from the landing pages, not from settings */
} wf_site;

int wf_site_is_internal(const wf_site *s, const char *host);

/* Host lookup in the referrer table: the full host, then each parent
 * domain; at each level an exact entry, then a "name.*" entry whose name is
 * the part before the host's public suffix. The most specific match wins
 * whatever its kind. NULL when nothing matches. */
const wf_ref_entry *wf_referrer_lookup(const wf_engine *e, const char *host);

typedef struct {
    const char *url;      /* entry page, full URL with query string */
    const char *referrer; /* that page's referrer; NULL/"" for none */
    /* UTM values an export gave as separate fields; used when the URL's
     * query lacks the parameter. May all be NULL. */
    const char *utm_source, *utm_medium, *utm_campaign, *utm_term, *utm_content;
} wf_classify_in;

/* Why a rule fired: the inputs that decided. */
typedef struct {
    const char *param;  /* tracking parameter that decided ("utm_medium"), or NULL */
    const char *value;  /* its decoded value */
    const char *param2; /* a second deciding parameter (S01, S04), or NULL */
    const char *value2;
    const wf_ref_entry *ref; /* referrer table entry that matched, or NULL */
    const char *ref_host;    /* referrer host, lower-case; NULL for no referrer */
    int ref_internal;        /* the referrer is one of the site's domains */
    int ref_unparsable;      /* a referrer was given but could not be parsed */
} wf_class_trace;

typedef struct {
    wf_source source;
    wf_rule rule;          /* R_S01 .. R_S14B */
    const char *dd1, *dd2; /* never NULL ("" when empty); arena, table or input */
    int has_tracking;      /* a tracking parameter (§4) was present */
    wf_class_trace trace;
} wf_session_class;

/* Classifies a session from its first page. Decoded strings go to a; dd
 * strings may also point into in->url / in->referrer or the engine's table,
 * so keep those alive as long as the result. site may be NULL (no internal
 * domains). */
void wf_classify_session(const wf_engine *e, const wf_classify_in *in, const wf_site *site,
                         wf_arena *a, wf_session_class *out);

/* One plain sentence naming the rule and the inputs that fired it
 * ("utm_medium=social and utm_source=linkedin, a known social network"),
 * appended to out unescaped. */
void wf_class_trace_text(const wf_session_class *c, wf_buf *out);

#endif
