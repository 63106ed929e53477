/* Building sessions from page views (ATTRIBUTION.md §4). */
#ifndef WF_ATTRIB_SESSION_H
#define WF_ATTRIB_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "attrib/classify.h"
#include "core/facts.h"

#define WF_SESSION_IDLE_MS (30 * 60 * 1000)

/* |a - b| <= lim without signed overflow, whatever the times (fuzzers and
 * hand-built facts may hold any int64). */
static inline int wf_ms_within(wf_ms a, wf_ms b, wf_ms lim)
{
    uint64_t d = a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
    return d <= (uint64_t)lim;
}

typedef struct {
    size_t first, n;      /* range in the sorted page-view array */
    wf_ms start, end;     /* first and last page view */
    const char *token;    /* visitor token, NULL when grouped per contact */
    wf_session_class cls; /* from the first page */
} wf_session;

/* Sorts pvs (pointers) into sessions order: by visitor token (NULL tokens
 * form one group per attached contact), then time, then store id — the
 * stable order for equal timestamps. Then splits each group after 30
 * minutes idle or where a page arrives with a new traffic source: a page
 * carrying a tracking parameter or an external referrer whose classification
 * differs from the session's. Pages with an internal or no referrer and no
 * tracking parameter continue the session [ours for "no referrer"].
 * Sessions are returned in start order (ties: token, then first page id);
 * pvs is left in session order (each session's pages contiguous). */
wf_status wf_build_sessions(const wf_engine *e, const wf_pageview **pvs, size_t n,
                            const wf_site *site, wf_arena *a, wf_session **out, size_t *n_out);

/* The site's domains: settings when given, else the registrable domains of
 * the landing pages (the URLs of the page views). Strings in a. */
wf_status wf_site_from_facts(const wf_engine *e, const wf_facts *f, wf_arena *a, wf_site *out);

#endif
