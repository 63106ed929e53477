/* The engine's insides, shared by the files of src/attrib only. */
#ifndef WF_ATTRIB_ENGINE_PRIV_H
#define WF_ATTRIB_ENGINE_PRIV_H

#include <libpsl.h>

#include "attrib/engine.h"
#include "attrib/referrers.h"

struct wf_engine {
    wf_reftable *table;
    const psl_ctx_t *psl;
    psl_ctx_t *psl_owned; /* NULL when the built-in list is used */
    int rulebook;
};

#endif
