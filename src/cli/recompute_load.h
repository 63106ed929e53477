/* A facts loader for many contacts in a row: the statements are prepared
 * once. Used by wf_recompute; records with merges go through the store's
 * own loader (wf_store_load_facts), which follows merge chains. */
#ifndef WF_CLI_RECOMPUTE_LOAD_H
#define WF_CLI_RECOMPUTE_LOAD_H

#include "store/store.h"

typedef struct wf_bulk_loader wf_bulk_loader;

wf_status wf_bulk_loader_new(wf_store *s, wf_bulk_loader **out);
void wf_bulk_loader_free(wf_bulk_loader **l);
/* A loader that reads each table in one pass instead of one query per
 * contact: wf_bulk_load must then be called with ascending ids, all from
 * ids_table (a table with an INTEGER PRIMARY KEY `id`, e.g.
 * "temp.wf_recompute_ids"), or from every contact when it is NULL. Ids in
 * the set may be skipped. */
wf_status wf_bulk_loader_new_stream(wf_store *s, const char *ids_table, wf_bulk_loader **out);
/* Same result as wf_store_load_facts; free with wf_facts_free. */
wf_status wf_bulk_load(wf_bulk_loader *l, int64_t id, wf_facts **out);

#endif
