/* libFuzzer target: the referrer-table loader from a memory buffer.
 * Properties: a refused table has an error message naming the buffer; an
 * accepted one answers lookups for each of its own hosts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/referrers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wf_reftable *t = NULL;
    char err[512] = "";
    wf_status st =
        wf_reftable_load_buffer((const char *)data, size, "fuzz.json", &t, err, sizeof err);
    if (st != WF_OK) {
        if (t) abort();
        if (!strstr(err, "fuzz.json")) abort();
        return 0;
    }
    if (!t) abort();
    size_t n = wf_reftable_count(t);
    for (size_t i = 0; i < n; i++) {
        const wf_ref_entry *e = wf_reftable_entry(t, i);
        if (!e || !e->host) abort();
        const wf_ref_entry *f = wf_reftable_find(t, e->host, strlen(e->host), e->any_suffix);
        if (!f) abort();
        (void)wf_ref_kind_name(e->kind);
        if (e->name) (void)wf_reftable_network(t, e->name);
    }
    (void)wf_reftable_network(t, "x");
    wf_reftable_free(&t);
    if (t) abort();
    return 0;
}
