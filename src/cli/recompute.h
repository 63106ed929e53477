/* Refreshing the `computed` cache from the events. */
#ifndef WF_CLI_RECOMPUTE_H
#define WF_CLI_RECOMPUTE_H

#include "attrib/engine.h"
#include "store/store.h"

/* For each non-merged contact (or, when only_touched is set, each contact
 * listed in temp.touched(contact), which the importer fills), loads its
 * facts, explains it and upserts its `computed` row (source, dd1, dd2,
 * rule, via, eff_* = active override else computed, latest_source,
 * first_session_at, n_changes, flags, rulebook). Runs in its own
 * transaction unless one is already open. Each table is read in one pass
 * in contact order (joined with a temporary table of the touched
 * survivors), not queried per contact. With WHEREFROM_TIMINGS=1 in the
 * environment it prints one line on stderr: how many contacts, how long. */
wf_status wf_recompute(wf_store *s, const wf_engine *e, int only_touched);

/* The same for one contact (after an override or a revert). */
wf_status wf_recompute_one(wf_store *s, const wf_engine *e, int64_t id);

#endif
