/* The referrer tables (data/referrers.json): which hosts are search
 * engines, social networks, web-mail, RSS readers, AI assistants, or
 * "other" hosts that only stop a parent-domain match. */
#ifndef WF_ATTRIB_REFERRERS_H
#define WF_ATTRIB_REFERRERS_H

#include <stddef.h>

#include "core/status.h"

typedef enum {
    WF_REF_SEARCH,
    WF_REF_SOCIAL,
    WF_REF_MAIL,
    WF_REF_RSS,
    WF_REF_AI,
    WF_REF_OTHER
} wf_ref_kind;

typedef struct {
    const char *host; /* lower-case; for any_suffix entries without ".*" */
    int any_suffix;   /* "google.*": the host before any public suffix */
    wf_ref_kind kind;
    const char *name;  /* "google", "LinkedIn", "ChatGPT" */
    const char *param; /* search engines: the query parameter with the term */
} wf_ref_entry;

typedef struct wf_reftable wf_reftable;

/* File format: {"schema":"wherefrom.referrers/1","entries":[{"kind":
 * "search|social|mail|rss|ai|other","name":..,"param":..,"hosts":[..],
 * "aliases":[..]}]} — "host" may replace "hosts"; a host ending in ".*"
 * matches that name under any public suffix; "aliases" (social) are the
 * utm_source spellings of the network. Errors name the file and entry. */
wf_status wf_reftable_load_file(const char *path, wf_reftable **out, char *err, size_t errsz);
/* The same from memory (name is used in error messages). */
wf_status wf_reftable_load_buffer(const char *data, size_t len, const char *name, wf_reftable **out,
                                  char *err, size_t errsz);
void wf_reftable_free(wf_reftable **t);

size_t wf_reftable_count(const wf_reftable *t); /* host entries */
const wf_ref_entry *wf_reftable_entry(const wf_reftable *t, size_t i);

/* Exact lookup of one host key (no parents); any_suffix selects the ".*"
 * entries. */
const wf_ref_entry *wf_reftable_find(const wf_reftable *t, const char *host, size_t n,
                                     int any_suffix);
/* The social network whose name or alias equals s case-insensitively
 * ("fb", "LinkedIn", "x"), or NULL. */
const wf_ref_entry *wf_reftable_network(const wf_reftable *t, const char *s);

/* Is label (n bytes) the registrable label of some ".*" entry
 * ("google" for "google.*" and "mail.google.*")? Hosts without such a
 * label never need a Public Suffix lookup. */
int wf_reftable_is_anchor(const wf_reftable *t, const char *label, size_t n);

const char *wf_ref_kind_name(wf_ref_kind k); /* "search", ... */

#endif
