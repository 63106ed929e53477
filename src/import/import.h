/* Importing files into the store. Formats are detected per file. */
#ifndef WF_IMPORT_IMPORT_H
#define WF_IMPORT_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "core/status.h"
#include "store/store.h"

typedef struct {
    const char *format;    /* NULL: detect; "v3", "v1", "events", "ndjson" */
    int skip_bad;          /* import good records, report each skipped one */
    int progress;          /* progress line on stderr (when a terminal) */
    FILE *errors;          /* where bad records are reported; NULL: stderr */
    int progress_delay_ms; /* show progress once the import runs this long; 0: 1000 */
} wf_import_opts;

typedef struct {
    int64_t files, records;
    int64_t contacts_added, contacts_updated;
    int64_t pageviews, forms, clicks, links, history, merges;
    int64_t pending; /* events in the database for contacts not (yet) in it */
    int64_t skipped; /* bad records skipped with skip_bad */
    int64_t ignored; /* well-formed records of no interest (other event types) */
} wf_import_report;

/* Imports all files in one transaction: all or nothing (unless skip_bad).
 * Contacts whose facts changed are recorded in the temporary table
 * temp.touched(contact INTEGER PRIMARY KEY) for recomputation. On failure
 * err names the file, the record, the byte offset and the field. */
wf_status wf_import_files(wf_store *s, const char *const *paths, size_t n,
                          const wf_import_opts *opts, wf_import_report *rep, char *err,
                          size_t errsz);

#endif
