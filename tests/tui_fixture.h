/* Test databases for the inspector tests, built from hand-written rows. */
#ifndef WF_TESTS_TUI_FIXTURE_H
#define WF_TESTS_TUI_FIXTURE_H

#include <stddef.h>

#include "store/store.h"

/* Contacts in the fixture: ids 1..N_PLAIN (created one hour apart from
 * 2024-01-01, names "First<i> Last<i>", channels IMPORT/FORM/API, sources
 * OFFLINE/ORGANIC_SEARCH/PAID_SEARCH in turn), plus the special ones. */
#define FIX_N_PLAIN 200
#define FIX_CJK 1001     /* 山田 太郎 */
#define FIX_HOSTILE 1002 /* a name holding ESC ] 0 ; pwned BEL and a bidi override */
#define FIX_MERGED 1003  /* has computed flags: changed, merged, stored-differs */
#define FIX_COMBINING 1004
#define FIX_TOTAL (FIX_N_PLAIN + 4)

/* Creates (replacing) $TESTS_TMPDIR/<name>.db with the fixture; returns the
 * path in buf. Fails the test on error. */
const char *fix_db_path(const char *name, char *buf, size_t bufsz);
wf_store *fix_open(const char *name, unsigned flags);
/* Builds the database and returns it open read-write. */
wf_store *fix_build(const char *name);

#endif
