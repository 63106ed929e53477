/* `wherefrom history [--json] CONTACT`: every stored change of the original
 * source and its drill-downs, oldest first, each with its cause class
 * (ATTRIBUTION.md §8) and the replay's evidence for it, then the local
 * overrides trail. The causes come from the engine's reconciliation; this
 * file only finds the evidence and renders. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attrib/engine.h"
#include "attrib/explain.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/vocab.h"
#include "store/overrides.h"

#define P_SOURCE "hs_analytics_source"
#define P_DD1 "hs_analytics_source_data_1"
#define P_DD2 "hs_analytics_source_data_2"

static int empty(const char *s)
{
    return !s || !*s;
}

/* "google.com" from "https://www.google.com/search?q=x". */
static void host_of(const char *url, char *out, size_t n)
{
    const char *p = url ? strstr(url, "://") : NULL;
    p = p ? p + 3 : url;
    if (!p) p = "";
    if (strncmp(p, "www.", 4) == 0) p += 4;
    size_t len = strcspn(p, "/?#:");
    if (len >= n) len = n - 1;
    memcpy(out, p, len);
    out[len] = 0;
}

/* The replayed change that accounts for a stored change: same new value,
 * nearest in time (HubSpot records its change a little after the event). */
static const wf_change *matching_change(const wf_explanation *x, const wf_recon *r)
{
    const wf_change *best = NULL;
    wf_ms best_d = 0;
    for (size_t i = 0; i < x->n_changes; i++) {
        const wf_change *c = &x->changes[i];
        if (!c->to.source || !r->value || strcmp(c->to.source, r->value) != 0) continue;
        wf_ms d = c->at > r->at ? c->at - r->at : r->at - c->at;
        if (!best || d < best_d) {
            best = c;
            best_d = d;
        }
    }
    return best;
}

static const char *link_word(wf_tl_kind k)
{
    switch (k) {
    case WF_TL_FORM:
        return "form";
    case WF_TL_EMAIL_CLICK:
        return "email click";
    case WF_TL_MERGE:
        return "merge";
    default:
        return "link";
    }
}

/* The form, click or link that brought the session in: the timeline item of
 * one of those kinds closest before (or at) the change. */
static const wf_tl_item *linking_item(const wf_explanation *x, wf_ms at)
{
    const wf_tl_item *best = NULL;
    for (size_t i = 0; i < x->n_timeline; i++) {
        const wf_tl_item *t = &x->timeline[i];
        if (t->kind != WF_TL_FORM && t->kind != WF_TL_EMAIL_CLICK && t->kind != WF_TL_LINK &&
            t->kind != WF_TL_MERGE)
            continue;
        if (t->at <= at && (!best || t->at >= best->at)) best = t;
    }
    return best;
}

/* "earlier visit found: session of 12 Mar from google.com, linked by the
 * form of 18 Sep" — plain text, unescaped. */
static void evidence(const wf_explanation *x, const wf_recon *r, wf_buf *b)
{
    const wf_change *c = matching_change(x, r);
    if (r->cause == WF_CAUSE_EARLIER_VISIT && c && c->timeline != WF_NO_INDEX &&
        c->timeline < x->n_timeline) {
        const wf_tl_item *s = &x->timeline[c->timeline];
        char d1[WF_TIME_BUFSZ], d2[WF_TIME_BUFSZ], host[256];
        wf_buf_printf(b, "earlier visit found: %s of %s",
                      s->kind == WF_TL_SESSION ? "session" : "visit",
                      wf_time_human(s->at, r->at, d1));
        if (!empty(s->referrer)) {
            host_of(s->referrer, host, sizeof host);
            wf_buf_printf(b, " from %s", host);
        } else {
            wf_buf_puts(b, " with no referrer");
        }
        const wf_tl_item *l = linking_item(x, c->at);
        if (l)
            wf_buf_printf(b, ", linked by the %s of %s", link_word(l->kind),
                          wf_time_human(l->at, r->at, d2));
        if (c->rule != R_NONE) wf_buf_printf(b, " (%s)", wf_rule_id(c->rule));
        if (r->note && *r->note) wf_buf_printf(b, ". %s", r->note);
        return;
    }
    wf_buf_puts(b, wf_cause_label(r->cause));
    if (r->note && *r->note) wf_buf_printf(b, ": %s", r->note);
}

static const wf_history *history_row(const wf_facts *f, int64_t id)
{
    for (size_t i = 0; i < f->n_history; i++)
        if (f->history[i].id == id) return &f->history[i];
    return NULL;
}

/* "value=X sourceType=Y sourceId=Z sourceLabel=W user=U" */
static void raw_entry(const wf_history *h, wf_buf *b)
{
    wf_buf_printf(b, "value=%s sourceType=%s sourceId=%s sourceLabel=%s updatedByUserId=%s",
                  h->value ? h->value : "null", h->source_type ? h->source_type : "null",
                  h->source_id ? h->source_id : "null", h->source_label ? h->source_label : "null",
                  h->user_id ? h->user_id : "null");
}

/* Drill-down values written at the same moment as a source change. */
static const char *dd_at(const wf_facts *f, const char *prop, wf_ms at, int *found)
{
    *found = 0;
    for (size_t i = 0; i < f->n_history; i++) {
        const wf_history *h = &f->history[i];
        if (h->at == at && h->property && strcmp(h->property, prop) == 0) {
            *found = 1;
            return h->value;
        }
    }
    return NULL;
}

static const wf_recon *recon_at(const wf_explanation *x, wf_ms at)
{
    for (size_t i = 0; i < x->n_recon; i++)
        if (x->recon[i].at == at) return &x->recon[i];
    return NULL;
}

static int by_time(const void *a, const void *b)
{
    const wf_history *x = *(const wf_history *const *)a, *y = *(const wf_history *const *)b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Drill-down history rows, oldest first (caller frees the array). */
static const wf_history **dd_rows(const wf_facts *f, size_t *n)
{
    const wf_history **v = calloc(f->n_history + 1, sizeof *v);
    *n = 0;
    for (size_t i = 0; v && i < f->n_history; i++) {
        const char *p = f->history[i].property;
        if (p && (strcmp(p, P_DD1) == 0 || strcmp(p, P_DD2) == 0)) v[(*n)++] = &f->history[i];
    }
    if (v) qsort(v, *n, sizeof *v, by_time);
    return v;
}

static const char *dd_cause(const wf_explanation *x, const wf_history *h)
{
    const wf_recon *r = recon_at(x, h->at);
    if (r) return wf_cause_label(r->cause);
    return wf_sourcetype_class(wf_sourcetype_from_code(h->source_type));
}

/* ---- text ------------------------------------------------------------ */

static void put_value(wf_buf *b, const char *src, const char *dd1, const char *dd2)
{
    wf_text_escape(b, empty(src) ? "(empty)" : src);
    wf_buf_puts(b, " / ");
    wf_text_escape(b, empty(dd1) ? "-" : dd1);
    wf_buf_puts(b, " / ");
    wf_text_escape(b, empty(dd2) ? "-" : dd2);
}

static void text_header(const wf_explanation *x, wf_buf *b)
{
    char t[WF_TIME_BUFSZ];
    wf_buf_printf(b, "Contact %lld", (long long)x->contact.id);
    if (x->contact.email) {
        wf_buf_puts(b, " <");
        wf_text_escape(b, x->contact.email);
        wf_buf_puts(b, ">");
    }
    wf_buf_printf(b, ", created %s", wf_time_short(x->contact.created_at, t));
    if (x->creation.channel) {
        wf_buf_puts(b, " through ");
        wf_text_escape(b, x->creation.channel);
        if (x->creation.description) wf_buf_printf(b, " (%s)", x->creation.description);
    }
    wf_buf_puts(b, "\n  stored:    ");
    if (x->has_stored)
        put_value(b, x->stored.source, x->stored.dd1, x->stored.dd2);
    else
        wf_buf_puts(b, "(not imported)");
    wf_buf_puts(b, "\n  computed:  ");
    put_value(b, x->computed.value.source, x->computed.value.dd1, x->computed.value.dd2);
    wf_buf_puts(b, "\n  effective: ");
    put_value(b, x->effective.source, x->effective.dd1, x->effective.dd2);
    wf_buf_puts(b, x->override ? "  (local override)\n" : "\n");
}

static void text_changes(const wf_explanation *x, const wf_facts *f, wf_buf *b)
{
    char t[WF_TIME_BUFSZ];
    wf_buf_puts(b, "\nStored changes of Original Source (" P_SOURCE "), oldest first:\n");
    if (!x->n_recon) wf_buf_puts(b, "  (no property history was imported for this contact)\n");
    wf_buf e = WF_BUF_INIT;
    for (size_t i = 0; i < x->n_recon; i++) {
        const wf_recon *r = &x->recon[i];
        wf_buf_printf(b, "  %s  ", wf_time_short(r->at, t));
        wf_text_escape(b, empty(r->value) ? "(empty)" : r->value);
        wf_buf_puts(b, "  via ");
        wf_text_escape(b, r->source_type ? r->source_type : "(no sourceType)");
        if (r->source_id) {
            wf_buf_puts(b, " ");
            wf_text_escape(b, r->source_id);
        }
        wf_buf_clear(&e);
        evidence(x, r, &e);
        wf_buf_puts(b, "\n      ");
        wf_text_escape(b, wf_buf_str(&e));
        wf_buf_puts(b, r->explained ? "\n" : " [the replay does not account for it]\n");
        int f1, f2;
        const char *d1 = dd_at(f, P_DD1, r->at, &f1), *d2 = dd_at(f, P_DD2, r->at, &f2);
        if (f1 || f2) {
            wf_buf_puts(b, "      drill-downs written with it: ");
            put_value(b, r->value, f1 ? d1 : "(unchanged)", f2 ? d2 : "(unchanged)");
            wf_buf_puts(b, "\n");
        }
        const wf_history *h = history_row(f, r->history_id);
        if (r->cause == WF_CAUSE_UNEXPLAINED && h) {
            wf_buf_clear(&e);
            raw_entry(h, &e);
            wf_buf_puts(b, "      unexplained; raw entry: ");
            wf_text_escape(b, wf_buf_str(&e));
            wf_buf_puts(b, "\n");
        }
    }
    wf_buf_free(&e);
}

static void text_dd(const wf_explanation *x, const wf_facts *f, wf_buf *b)
{
    size_t n;
    const wf_history **v = dd_rows(f, &n);
    if (!v || !n) {
        free(v);
        return;
    }
    char t[WF_TIME_BUFSZ];
    wf_buf_puts(b, "\nStored changes of the drill-downs:\n");
    for (size_t i = 0; i < n; i++) {
        const wf_history *h = v[i];
        wf_buf_printf(b, "  %s  %s = ", wf_time_short(h->at, t),
                      strcmp(h->property, P_DD1) == 0 ? "DD1" : "DD2");
        wf_text_escape(b, empty(h->value) ? "(empty)" : h->value);
        wf_buf_puts(b, "  via ");
        wf_text_escape(b, h->source_type ? h->source_type : "(no sourceType)");
        wf_buf_printf(b, "  (%s)\n", dd_cause(x, h));
    }
    free(v);
}

static int text_override(void *ctx, const wf_override_row *r)
{
    wf_buf *b = ctx;
    char t[WF_TIME_BUFSZ];
    wf_buf_printf(b, "  #%lld %s %s by ", (long long)r->id, wf_time_short(r->at, t),
                  r->is_set ? "set" : "revert");
    wf_text_escape(b, r->user);
    if (r->is_set) {
        wf_buf_puts(b, ": ");
        put_value(b, r->source, r->dd1, r->dd2);
    }
    wf_buf_puts(b, "\n      why: ");
    wf_text_escape(b, r->reason);
    wf_buf_puts(b, "\n      before: ");
    put_value(b, r->prev_source, r->prev_dd1, r->prev_dd2);
    wf_buf_puts(b, "; computed then: ");
    put_value(b, r->computed_source, r->computed_dd1, r->computed_dd2);
    if (r->plan) {
        wf_buf_puts(b, "; plan ");
        wf_text_escape(b, r->plan);
    }
    wf_buf_puts(b, "\n");
    return 0;
}

static wf_status history_text(wf_store *s, const wf_explanation *x, const wf_facts *f)
{
    wf_buf b = WF_BUF_INIT;
    text_header(x, &b);
    text_changes(x, f, &b);
    text_dd(x, f, &b);
    wf_buf_puts(&b, "\nLocal overrides (wherefrom's own trail):\n");
    size_t before = b.len;
    wf_status st = wf_override_log(s, x->contact.id, text_override, &b);
    if (b.len == before) wf_buf_puts(&b, "  (none)\n");
    fputs(wf_buf_str(&b), stdout);
    wf_buf_free(&b);
    return st;
}

/* ---- JSON ------------------------------------------------------------ */

static void add_str(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static void add_time(cJSON *o, const char *k, wf_ms at)
{
    char t[WF_TIME_BUFSZ];
    add_str(o, k, at == WF_TIME_NONE ? NULL : wf_time_iso(at, t));
}

static cJSON *triple(const char *s, const char *d1, const char *d2)
{
    wf_value v = {s, d1, d2};
    return wf_value_json(&v);
}

/* Adds evidence, raw entry and drill-downs to each reconciliation object. */
static void augment_recon(cJSON *arr, const wf_explanation *x, const wf_facts *f)
{
    wf_buf e = WF_BUF_INIT;
    /* walk the list: cJSON_GetArrayItem(i) is O(i), quadratic over 10,000 entries */
    cJSON *o = arr ? arr->child : NULL;
    for (size_t i = 0; i < x->n_recon && o; i++, o = o->next) {
        const wf_recon *r = &x->recon[i];
        wf_buf_clear(&e);
        evidence(x, r, &e);
        add_str(o, "evidence", wf_buf_str(&e));
        int f1, f2;
        const char *d1 = dd_at(f, P_DD1, r->at, &f1), *d2 = dd_at(f, P_DD2, r->at, &f2);
        add_str(o, "dd1", f1 ? d1 : NULL);
        add_str(o, "dd2", f2 ? d2 : NULL);
        const wf_history *h = history_row(f, r->history_id);
        cJSON *raw = h ? cJSON_AddObjectToObject(o, "raw") : NULL;
        if (raw) {
            add_str(raw, "value", h->value);
            add_time(raw, "timestamp", h->at);
            add_str(raw, "sourceType", h->source_type);
            add_str(raw, "sourceId", h->source_id);
            add_str(raw, "sourceLabel", h->source_label);
            add_str(raw, "updatedByUserId", h->user_id);
        } else {
            cJSON_AddNullToObject(o, "raw");
        }
    }
    wf_buf_free(&e);
}

static cJSON *dd_json(const wf_explanation *x, const wf_facts *f)
{
    cJSON *arr = cJSON_CreateArray();
    size_t n;
    const wf_history **v = dd_rows(f, &n);
    for (size_t i = 0; v && i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(arr, o);
        add_time(o, "at", v[i]->at);
        add_str(o, "property", v[i]->property);
        add_str(o, "value", v[i]->value);
        add_str(o, "source_type", v[i]->source_type);
        add_str(o, "source_id", v[i]->source_id);
        add_str(o, "cause", dd_cause(x, v[i]));
    }
    free(v);
    return arr;
}

static int json_override(void *ctx, const wf_override_row *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray((cJSON *)ctx, o);
    cJSON_AddNumberToObject(o, "id", (double)r->id);
    add_str(o, "action", r->is_set ? "set" : "revert");
    add_time(o, "at", r->at);
    add_str(o, "user", r->user);
    add_str(o, "reason", r->reason);
    cJSON_AddItemToObject(o, "value",
                          r->is_set ? triple(r->source, r->dd1, r->dd2) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "before", triple(r->prev_source, r->prev_dd1, r->prev_dd2));
    cJSON_AddItemToObject(o, "computed",
                          triple(r->computed_source, r->computed_dd1, r->computed_dd2));
    add_str(o, "plan", r->plan);
    return 0;
}

static void move_item(cJSON *from, cJSON *to, const char *key, const char *as)
{
    cJSON *v = cJSON_DetachItemFromObjectCaseSensitive(from, key);
    cJSON_AddItemToObject(to, as, v ? v : cJSON_CreateNull());
}

static wf_status history_json(wf_store *s, const wf_explanation *x, const wf_facts *f)
{
    cJSON *ex = wf_explanation_json(x);
    if (!ex) return WF_E_NOMEM;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "schema", "wherefrom.history/1");
    static const char *const keys[] = {"contact",  "creation", "stored",
                                       "computed", "override", "effective"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        move_item(ex, j, keys[i], keys[i]);
    cJSON *recon = cJSON_DetachItemFromObjectCaseSensitive(ex, "reconciliation");
    if (!recon) recon = cJSON_CreateArray();
    augment_recon(recon, x, f);
    cJSON_AddItemToObject(j, "changes", recon);
    move_item(ex, j, "changes", "replayed");
    cJSON_AddItemToObject(j, "drilldown_changes", dd_json(x, f));
    cJSON *ov = cJSON_AddArrayToObject(j, "overrides");
    wf_status st = wf_override_log(s, x->contact.id, json_override, ov);
    char *t = cJSON_Print(j);
    wf_buf safe = WF_BUF_INIT; /* C1 and bidi controls as \u escapes */
    if (t) {
        wf_text_json_safe(&safe, t);
        printf("%s\n", wf_buf_str(&safe));
    }
    wf_buf_free(&safe);
    cJSON_free(t);
    cJSON_Delete(j);
    cJSON_Delete(ex);
    return t ? st : WF_E_NOMEM;
}

/* ---- command --------------------------------------------------------- */

static int history_args(wf_cli *cli, int argc, char **argv, int *json, const char **contact)
{
    for (int i = 1; i < argc; i++) {
        int r = wf_cli_global_option(cli, argc, argv, &i);
        if (r < 0) return -1;
        if (r > 0) continue;
        if (strcmp(argv[i], "--json") == 0) {
            *json = 1;
        } else if (argv[i][0] != '-' && !*contact) {
            *contact = argv[i];
        } else {
            wf_cli_error("history: unexpected argument '%s'", argv[i]);
            return -1;
        }
    }
    if (!*contact) {
        wf_cli_error("history: usage: history [--json] CONTACT (an id or an email)");
        return -1;
    }
    return 0;
}

static int explain_contact(wf_store *s, const char *spec, int json)
{
    int64_t id;
    wf_status st = wf_store_find_contact(s, spec, &id);
    if (st != WF_OK) {
        wf_buf b = WF_BUF_INIT;
        wf_text_escape(&b, spec);
        wf_cli_error("no contact '%s' (give an id or an email)", wf_buf_str(&b));
        wf_buf_free(&b);
        return wf_status_exit_code(st);
    }
    char err[512];
    wf_engine *e = NULL;
    wf_facts *f = NULL;
    wf_explanation *x = NULL;
    st = wf_engine_new(NULL, &e, err, sizeof err);
    if (st != WF_OK) {
        wf_cli_error("%s", err);
        return wf_status_exit_code(st);
    }
    st = wf_store_load_facts(s, id, &f);
    if (st == WF_OK) st = wf_explain(e, f, &x);
    if (st == WF_OK) st = json ? history_json(s, x, f) : history_text(s, x, f);
    if (st != WF_OK)
        wf_cli_error("history of contact %lld: %s", (long long)id, wf_status_message(st));
    wf_explanation_free(&x);
    wf_facts_free(&f);
    wf_engine_free(&e);
    return wf_status_exit_code(st);
}

int wf_cmd_history(wf_cli *cli, int argc, char **argv)
{
    if (wf_cli_command_help("history", argc, argv)) return 0;
    int json = 0;
    const char *contact = NULL;
    if (history_args(cli, argc, argv, &json, &contact)) return 2;
    wf_store *s = NULL;
    int rc = wf_cli_open_store(cli, 0, &s);
    if (rc) return rc;
    rc = explain_contact(s, contact, json);
    wf_store_close(&s);
    /* a lost write is an error (wherefrom history X >&-, a full disk); a
     * reader that went away (| head -1) is not */
    errno = 0;
    if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)) && errno != EPIPE) {
        wf_cli_error("cannot write the history: %s", strerror(errno ? errno : EIO));
        rc = 74;
    }
    return rc;
}
