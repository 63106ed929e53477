/* The attribution engine: the state every classification and explanation
 * shares (referrer tables, the Public Suffix List, the rulebook version).
 * Create one per process and pass it around as const; it is never changed
 * after wf_engine_new, so it may be shared by threads. */
#ifndef WF_ATTRIB_ENGINE_H
#define WF_ATTRIB_ENGINE_H

#include <stddef.h>

#include "core/status.h"

/* The rulebook ATTRIBUTION.md describes; stored in computed.rulebook. */
#define WF_RULEBOOK_VERSION 1

typedef struct wf_engine wf_engine;
struct wf_reftable;

/* Loads the referrer tables from referrers_path, or from the shipped
 * data/referrers.json (found with wf_data_path) when it is NULL, and opens
 * the Public Suffix List (the system's latest list, else libpsl's built-in
 * one). On failure err holds one sentence naming the file. */
wf_status wf_engine_new(const char *referrers_path, wf_engine **out, char *err, size_t errsz);
/* Same with tables already loaded; the engine takes ownership of t. */
wf_status wf_engine_new_with_table(struct wf_reftable *t, wf_engine **out);
void wf_engine_free(wf_engine **e);

int wf_engine_rulebook(const wf_engine *e);
const struct wf_reftable *wf_engine_table(const wf_engine *e);

/* Registrable domain of a lower-case host ("www.example.co.uk" ->
 * "example.co.uk"), written to out; the host itself when the list knows no
 * registrable part (IP literals, "localhost"). Returns out. */
const char *wf_engine_registrable(const wf_engine *e, const char *host, char *out, size_t outsz);
/* Pointer into host where its public suffix starts ("co.uk" in
 * "www.google.co.uk"), or NULL when it has none. */
const char *wf_engine_public_suffix(const wf_engine *e, const char *host);

#endif
