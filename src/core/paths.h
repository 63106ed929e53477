/* Where wherefrom finds its data files and the user's database. */
#ifndef WF_CORE_PATHS_H
#define WF_CORE_PATHS_H

#include <stddef.h>

#include "core/status.h"

/* Finds a shipped data file ("referrers.json", "demo.ndjson"): first in
 * $WHEREFROM_DATADIR, then the installed data directory, then the source
 * tree's data/ (for running from a build tree). Writes the path to out. */
wf_status wf_data_path(const char *name, char *out, size_t outsz);

/* $XDG_DATA_HOME/wherefrom/contacts.db, default ~/.local/share/...; creates
 * the directory. */
wf_status wf_default_db_path(char *out, size_t outsz);

#endif
