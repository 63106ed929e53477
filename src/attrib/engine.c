/* The engine object: referrer tables and the Public Suffix List. */
#include "attrib/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/engine_priv.h"
#include "core/paths.h"

wf_status wf_engine_new_with_table(wf_reftable *t, wf_engine **out)
{
    *out = NULL;
    wf_engine *e = calloc(1, sizeof *e);
    if (!e) {
        wf_reftable_free(&t);
        return WF_E_NOMEM;
    }
    e->table = t;
    e->rulebook = WF_RULEBOOK_VERSION;
    /* the distribution's list is newer than the one compiled into libpsl */
    e->psl_owned = psl_latest(NULL);
    e->psl = e->psl_owned ? e->psl_owned : psl_builtin();
    if (!e->psl) {
        wf_engine_free(&e);
        return WF_E_SOFTWARE;
    }
    *out = e;
    return WF_OK;
}

wf_status wf_engine_new(const char *referrers_path, wf_engine **out, char *err, size_t errsz)
{
    *out = NULL;
    char path[4096];
    if (!referrers_path) {
        if (wf_data_path("referrers.json", path, sizeof path) != WF_OK) {
            snprintf(err, errsz,
                     "the referrer table (referrers.json) was not found; set "
                     "WHEREFROM_DATADIR or reinstall wherefrom");
            return WF_E_NOINPUT;
        }
        referrers_path = path;
    }
    wf_reftable *t;
    wf_status st = wf_reftable_load_file(referrers_path, &t, err, errsz);
    if (st != WF_OK) return st;
    st = wf_engine_new_with_table(t, out);
    if (st != WF_OK)
        snprintf(err, errsz, "cannot set up the attribution engine: %s", wf_status_message(st));
    return st;
}

void wf_engine_free(wf_engine **ep)
{
    if (!ep || !*ep) return;
    wf_engine *e = *ep;
    wf_reftable_free(&e->table);
    if (e->psl_owned) psl_free(e->psl_owned);
    free(e);
    *ep = NULL;
}

int wf_engine_rulebook(const wf_engine *e)
{
    return e ? e->rulebook : WF_RULEBOOK_VERSION;
}

const wf_reftable *wf_engine_table(const wf_engine *e)
{
    return e ? e->table : NULL;
}

const char *wf_engine_public_suffix(const wf_engine *e, const char *host)
{
    if (!e || !host || !*host) return NULL;
    const char *s = psl_unregistrable_domain(e->psl, host);
    /* libpsl answers the last label for unknown TLDs; an IP has none */
    return s && *s ? s : NULL;
}

const char *wf_engine_registrable(const wf_engine *e, const char *host, char *out, size_t outsz)
{
    const char *r = e && host ? psl_registrable_domain(e->psl, host) : NULL;
    snprintf(out, outsz, "%s", r ? r : (host ? host : ""));
    return out;
}
