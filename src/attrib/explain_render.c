/* Rendering an explanation: plain text (escaped) and JSON
 * (wherefrom.explain/1). */
#include <stdio.h>
#include <string.h>

#include "attrib/explain.h"
#include "core/text.h"
#include "core/timeutil.h"

/* ---- JSON ----------------------------------------------------------- */

static cJSON *jstr(const char *s)
{
    return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *jtime(wf_ms t)
{
    char b[WF_TIME_BUFSZ];
    return t == WF_TIME_NONE ? cJSON_CreateNull() : cJSON_CreateString(wf_time_iso(t, b));
}

static cJSON *jrule(wf_rule r)
{
    return r == R_NONE ? cJSON_CreateNull() : cJSON_CreateString(wf_rule_id(r));
}

static void put(cJSON *o, const char *k, cJSON *v)
{
    cJSON_AddItemToObject(o, k, v ? v : cJSON_CreateNull());
}

cJSON *wf_value_json(const wf_value *v)
{
    if (!v || !v->source) return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    put(o, "source", jstr(v->source));
    put(o, "dd1", jstr(v->dd1));
    put(o, "dd2", jstr(v->dd2));
    return o;
}

static cJSON *contact_json(const wf_explanation *x)
{
    cJSON *o = cJSON_CreateObject();
    put(o, "id", cJSON_CreateNumber((double)x->contact.id));
    put(o, "email", jstr(x->contact.email));
    put(o, "created_at", jtime(x->contact.created_at));
    put(o, "firstname", jstr(x->contact.firstname));
    put(o, "lastname", jstr(x->contact.lastname));
    put(o, "company", jstr(x->contact.company));
    return o;
}

static cJSON *creation_json(const wf_explanation *x)
{
    cJSON *o = cJSON_CreateObject();
    put(o, "channel", jstr(x->creation.channel));
    put(o, "detail", jstr(x->creation.detail));
    put(o, "description", jstr(x->creation.description));
    put(o, "label", jstr(x->creation.label));
    put(o, "offline", cJSON_CreateBool(x->creation.offline));
    return o;
}

static cJSON *computed_json(const wf_explanation *x)
{
    cJSON *o = wf_value_json(&x->computed.value);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        o = cJSON_CreateObject();
        put(o, "source", cJSON_CreateNull());
        put(o, "dd1", cJSON_CreateNull());
        put(o, "dd2", cJSON_CreateNull());
    }
    put(o, "rule", jrule(x->computed.rule));
    put(o, "via", jrule(x->computed.via));
    cJSON *d;
    if (x->computed.deciding.kind) {
        d = cJSON_CreateObject();
        put(d, "kind", jstr(x->computed.deciding.kind));
        put(d, "at", jtime(x->computed.deciding.at));
        put(d, "url", jstr(x->computed.deciding.url));
        put(d, "referrer", jstr(x->computed.deciding.referrer));
    } else {
        d = cJSON_CreateNull();
    }
    put(o, "deciding", d);
    return o;
}

static cJSON *override_json(const wf_explanation *x)
{
    const wf_override *ov = x->override;
    if (!ov) return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    put(o, "source", jstr(ov->source));
    put(o, "dd1", jstr(ov->dd1));
    put(o, "dd2", jstr(ov->dd2));
    put(o, "reason", jstr(ov->reason));
    put(o, "user", jstr(ov->user));
    put(o, "at", jtime(ov->at));
    return o;
}

static cJSON *latest_json(const wf_explanation *x)
{
    if (!x->has_latest) return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    put(o, "source", jstr(x->latest.value.source));
    put(o, "dd1", jstr(x->latest.value.dd1));
    put(o, "dd2", jstr(x->latest.value.dd2));
    put(o, "at", jtime(x->latest.at));
    return o;
}

static cJSON *steps_json(const wf_explanation *x)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < x->n_steps; i++) {
        const wf_step *s = &x->steps[i];
        cJSON *o = cJSON_CreateObject();
        put(o, "n", cJSON_CreateNumber((double)s->n));
        put(o, "at", jtime(s->at));
        put(o, "rule", jrule(s->rule));
        put(o, "text", jstr(s->text));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *changes_json(const wf_explanation *x)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < x->n_changes; i++) {
        const wf_change *c = &x->changes[i];
        cJSON *o = cJSON_CreateObject();
        put(o, "at", jtime(c->at));
        put(o, "from", wf_value_json(&c->from));
        put(o, "to", wf_value_json(&c->to));
        put(o, "cause", jstr(wf_cause_slug(c->cause)));
        put(o, "rule", jrule(c->rule));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *recon_json(const wf_explanation *x)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < x->n_recon; i++) {
        const wf_recon *r = &x->recon[i];
        cJSON *o = cJSON_CreateObject();
        put(o, "at", jtime(r->at));
        put(o, "value", jstr(r->value));
        put(o, "source_type", jstr(r->source_type));
        put(o, "source_id", jstr(r->source_id));
        put(o, "cause", jstr(wf_cause_slug(r->cause)));
        put(o, "explained", cJSON_CreateBool(r->explained));
        put(o, "note", jstr(r->note));
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

static cJSON *flags_json(unsigned flags)
{
    cJSON *a = cJSON_CreateArray();
    for (unsigned bit = 0; bit < 8; bit++)
        if (flags & WF_FLAG_JSON_MASK & (1u << bit))
            cJSON_AddItemToArray(a, cJSON_CreateString(wf_flag_name(1u << bit)));
    return a;
}

cJSON *wf_explanation_json(const wf_explanation *x)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    put(o, "schema", cJSON_CreateString(WF_EXPLAIN_SCHEMA));
    put(o, "contact", contact_json(x));
    put(o, "creation", creation_json(x));
    put(o, "stored", x->has_stored ? wf_value_json(&x->stored) : cJSON_CreateNull());
    put(o, "computed", computed_json(x));
    put(o, "override", override_json(x));
    put(o, "effective", wf_value_json(&x->effective));
    put(o, "latest", latest_json(x));
    put(o, "steps", steps_json(x));
    put(o, "changes", changes_json(x));
    put(o, "reconciliation", recon_json(x));
    put(o, "flags", flags_json(x->flags));
    return o;
}

/* ---- text ----------------------------------------------------------- */

static void esc(wf_buf *o, const char *s)
{
    wf_text_escape(o, s ? s : "");
}

static void value_line(wf_buf *o, const char *title, const wf_value *v)
{
    wf_buf_printf(o, "%-18s", title);
    if (!v->source) {
        wf_buf_puts(o, "(none)\n");
        return;
    }
    esc(o, wf_source_label_of(v->source));
    wf_buf_puts(o, " / ");
    esc(o, v->dd1 && *v->dd1 ? v->dd1 : "(empty)");
    wf_buf_puts(o, " / ");
    esc(o, v->dd2 && *v->dd2 ? v->dd2 : "(empty)");
    wf_buf_putc(o, '\n');
}

static void header(const wf_explanation *x, wf_buf *o)
{
    char t[WF_TIME_BUFSZ];
    wf_buf_printf(o, "Contact %lld", (long long)x->contact.id);
    if (x->contact.firstname || x->contact.lastname) {
        wf_buf_puts(o, "  ");
        esc(o, x->contact.firstname);
        if (x->contact.firstname && x->contact.lastname) wf_buf_putc(o, ' ');
        esc(o, x->contact.lastname);
    }
    if (x->contact.email) {
        wf_buf_puts(o, "  <");
        esc(o, x->contact.email);
        wf_buf_putc(o, '>');
    }
    wf_buf_printf(o, "\n%-18s%s UTC, channel ", "Created", wf_time_short(x->contact.created_at, t));
    esc(o, x->creation.channel ? x->creation.channel : "(none)");
    if (x->creation.detail && *x->creation.detail) {
        wf_buf_puts(o, " / ");
        esc(o, x->creation.detail);
    }
    if (x->creation.label) {
        wf_buf_puts(o, " \"");
        esc(o, x->creation.label);
        wf_buf_putc(o, '"');
    }
    wf_buf_printf(o, "\n%-18s", "");
    esc(o, x->creation.description);
    wf_buf_putc(o, '\n');
}

static void values(const wf_explanation *x, wf_buf *o)
{
    value_line(o, "Original source", &x->computed.value);
    wf_buf_printf(o, "%-18srule %s, made current by %s\n", "",
                  x->computed.rule == R_NONE ? "-" : wf_rule_id(x->computed.rule),
                  x->computed.via == R_NONE ? "-" : wf_rule_id(x->computed.via));
    if (x->has_stored) value_line(o, "Stored (HubSpot)", &x->stored);
    if (x->override) value_line(o, "Override", &x->effective);
    if (x->has_latest)
        value_line(o, x->latest.from_store ? "Latest (stored)" : "Latest source", &x->latest.value);
}

/* ---- wrapping ---- */

/* Columns of the n bytes at s; invalid bytes count as one column each
 * (the text is escaped, so there are none). */
static size_t span_width(const char *s, size_t n)
{
    size_t i = 0, w = 0;
    while (i < n) {
        unsigned cp;
        int len = wf_utf8_decode(s + i, n - i, &cp);
        w += len ? (size_t)wf_cp_width(cp) : 1;
        i += len ? (size_t)len : 1;
    }
    return w;
}

/* Bytes of s[0..n) that fit in cols columns, never splitting a code point
 * or an escape sequence (\xNN, \u202E) that wf_text_escape wrote; at
 * least one code point, so the wrapping always advances. */
static size_t span_fit(const char *s, size_t n, size_t cols)
{
    size_t i = 0, w = 0;
    while (i < n) {
        unsigned cp;
        int len = wf_utf8_decode(s + i, n - i, &cp);
        size_t cw = len ? (size_t)wf_cp_width(cp) : 1;
        if (w + cw > cols && i > 0) break;
        w += cw;
        i += len ? (size_t)len : 1;
    }
    for (size_t k = i > 6 ? i - 6 : 0; k < i; k++) {
        if (s[k] != '\\' || k + 1 >= n) continue;
        size_t esc_len = s[k + 1] == 'u' ? 6 : s[k + 1] == 'x' ? 4 : 2;
        if (k + esc_len > i && k > 0) return k;
    }
    return i;
}

typedef struct {
    wf_buf *o;
    size_t width, indent, col;
    int fresh; /* nothing on the line after the lead or the indent */
} wrapper;

static void new_line(wrapper *w)
{
    wf_buf_printf(w->o, "\n%*s", (int)w->indent, "");
    w->col = w->indent;
    w->fresh = 1;
}

/* One word (no spaces): on this line, on the next, or cut in pieces when
 * it is wider than a whole line (a long URL). */
static void put_word(wrapper *w, const char *p, size_t n)
{
    size_t ww = span_width(p, n);
    if (!w->fresh && w->col + 1 + ww > w->width) new_line(w);
    if (!w->fresh) {
        wf_buf_putc(w->o, ' ');
        w->col++;
    }
    while (w->col + ww > w->width) { /* only a word wider than a line gets here */
        size_t cut = span_fit(p, n, w->width > w->col ? w->width - w->col : 1);
        wf_buf_add(w->o, p, cut);
        ww -= span_width(p, cut);
        p += cut;
        n -= cut;
        new_line(w);
    }
    wf_buf_add(w->o, p, n);
    w->col += ww;
    w->fresh = 0;
}

/* Appends lead + text word-wrapped to width columns, later lines indented
 * by indent; text is escaped first, so widths are what the terminal shows. */
static void wrapped(wf_buf *o, const char *lead, size_t indent, size_t width, const char *text)
{
    wf_buf e = WF_BUF_INIT;
    esc(&e, text);
    wf_buf_puts(o, lead);
    wrapper w = {o, width, indent, wf_text_width(lead), 1};
    const char *p = wf_buf_str(&e);
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n) put_word(&w, p, n);
        p += n;
    }
    wf_buf_putc(o, '\n');
    if (e.failed) o->failed = 1;
    wf_buf_free(&e);
}

#define STEP_LEAD 28 /* "  1. 2024-03-12 10:00  S11  " */

static void steps(const wf_explanation *x, size_t width, wf_buf *o)
{
    char t[WF_TIME_BUFSZ], lead[64];
    /* hang under the text when it leaves a readable column, else just indent */
    size_t indent = width >= STEP_LEAD + 40 ? STEP_LEAD : 6;
    wf_buf_puts(o, "\nWhy:\n");
    for (size_t i = 0; i < x->n_steps; i++) {
        const wf_step *s = &x->steps[i];
        snprintf(lead, sizeof lead, "%3zu. %-16s  %-4s ", s->n,
                 s->at == WF_TIME_NONE ? "" : wf_time_short(s->at, t),
                 s->rule == R_NONE ? "" : wf_rule_id(s->rule));
        wrapped(o, lead, indent, width, s->text);
    }
}

static void changes(const wf_explanation *x, wf_buf *o)
{
    char t[WF_TIME_BUFSZ];
    if (x->n_changes) wf_buf_puts(o, "\nChanges of the computed value:\n");
    for (size_t i = 0; i < x->n_changes; i++) {
        const wf_change *c = &x->changes[i];
        wf_buf_printf(o, "  %s  ", wf_time_short(c->at, t));
        esc(o, c->from.source ? c->from.source : "(none)");
        wf_buf_puts(o, " -> ");
        esc(o, c->to.source);
        wf_buf_printf(o, "  %s (%s)\n", wf_cause_label(c->cause), wf_rule_id(c->rule));
    }
    if (x->n_recon) wf_buf_puts(o, "\nStored changes (HubSpot history):\n");
    for (size_t i = 0; i < x->n_recon; i++) {
        const wf_recon *r = &x->recon[i];
        wf_buf_printf(o, "  %s  ", wf_time_short(r->at, t));
        esc(o, r->value ? r->value : "(empty)");
        wf_buf_puts(o, "  ");
        esc(o, r->source_type ? r->source_type : "-");
        if (r->source_id) {
            wf_buf_putc(o, ' ');
            esc(o, r->source_id);
        }
        wf_buf_printf(o, "  %s, %s: ", wf_cause_label(r->cause),
                      r->explained ? "explained" : "NOT explained");
        esc(o, r->note);
        wf_buf_putc(o, '\n');
    }
}

wf_status wf_explanation_text(const wf_explanation *x, wf_buf *o)
{
    return wf_explanation_text_width(x, 80, o);
}

wf_status wf_explanation_text_width(const wf_explanation *x, size_t width, wf_buf *o)
{
    header(x, o);
    values(x, o);
    steps(x, width < 40 ? 40 : width, o);
    changes(x, o);
    if (x->flags & WF_FLAG_JSON_MASK) {
        wf_buf_puts(o, "\nFlags:");
        for (unsigned bit = 0; bit < 8; bit++)
            if (x->flags & (1u << bit)) wf_buf_printf(o, " %s", wf_flag_name(1u << bit));
        wf_buf_putc(o, '\n');
    }
    return o->failed ? WF_E_NOMEM : WF_OK;
}
