/* URL and query parsing for traffic data: liburiparser first (RFC 3986),
 * then a lenient fallback for what browsers and exports really send.
 * Nothing here allocates on the heap for ordinary URLs, and nothing crashes
 * on garbage: an unusable string parses as "no URL". */
#ifndef WF_ATTRIB_URL_H
#define WF_ATTRIB_URL_H

#include <stddef.h>

#include "core/arena.h"

#define WF_URL_HOST_MAX 256

typedef struct {
    int ok;                     /* a host or an app id was found */
    int lenient;                /* liburiparser refused it; the fallback parser was used */
    int is_app;                 /* android-app://com.linkedin.android/ style referrer */
    char scheme[16];            /* lower-case; "" when none */
    char host[WF_URL_HOST_MAX]; /* lower-case, no port, IPv6 without brackets;
                                   for app referrers the package id */
    int port;                   /* -1 when none */
    const char *path;           /* into the input; "" when none */
    size_t path_len;
    const char *query; /* into the input, without '?', NULL when none */
    size_t query_len;
    const char *after_scheme; /* the input after "scheme://" (or the input) */
} wf_url;

/* Parses s (NULL and "" give ok=0). Never fails otherwise. */
void wf_url_parse(const char *s, wf_url *out);

/* What an entry page needs, without looking at its host: the text after
 * "scheme://" (the input itself when it has no scheme) and the query
 * (without '?', up to '#'; NULL when none). */
void wf_url_split(const char *s, const char **after_scheme, const char **query, size_t *query_len);

/* The query parameters the engine cares about, URL-decoded ('%XX', '+' as
 * space) and trimmed; NULL when absent or empty. Names match
 * case-insensitively; a repeated parameter keeps its first non-empty value. */
typedef struct {
    const char *utm_source, *utm_medium, *utm_campaign, *utm_term, *utm_content;
    const char *source; /* legacy HubSpot tracking parameter */
    const char *gclid;
    const char *search; /* the value of `search_param` when asked for */
} wf_query;

/* Splits query (length n, without '?') with liburiparser and fills q;
 * search_param (may be NULL) names one more parameter to pick (a search
 * engine's term). Strings are allocated in a. */
void wf_query_parse(const char *query, size_t n, const char *search_param, wf_arena *a,
                    wf_query *q);

/* Decodes %XX and '+' (as space) of s[0..n), trims ASCII white space, and
 * lower-cases ASCII when lower is set. Returns an arena string. */
char *wf_url_decode(wf_arena *a, const char *s, size_t n, int lower);

#endif
