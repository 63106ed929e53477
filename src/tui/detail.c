/* The contact detail: Overview, Timeline, Why and History tabs, all drawn
 * from the engine's one explanation (attrib/explain.h), so the screen says
 * what `wherefrom explain` says. Lines are built per draw (one contact is
 * small) into an arena, every datum escaped on the way in. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/text.h"
#include "core/vocab.h"
#include "tui/app.h"

static const char *const tab_names[TAB_COUNT] = {"overview", "timeline", "why", "history"};
static const char *const tab_labels[TAB_COUNT] = {"1 Overview", "2 Timeline", "3 Why", "4 History"};

int wf_tab_from_name(const char *name)
{
    for (int t = 0; t < TAB_COUNT; t++)
        if (strcmp(name, tab_names[t]) == 0 || (name[0] == '1' + t && !name[1])) return t;
    return -1;
}

/* ---- loading ------------------------------------------------------------------ */

static void cache_free(wf_detail *d);

void wf_detail_close(wf_app *a)
{
    cache_free(&a->detail);
    wf_explanation_free(&a->detail.x);
    wf_facts_free(&a->detail.facts);
    a->detail.id = 0;
}

static int load(wf_app *a, int64_t id)
{
    wf_detail *d = &a->detail;
    char err[512] = "";
    cache_free(d);
    wf_explanation_free(&d->x);
    wf_facts_free(&d->facts);
    d->id = id;
    d->error[0] = 0;
    if (!a->engine && wf_engine_new(NULL, &a->engine, err, sizeof err) != WF_OK) {
        snprintf(d->error, sizeof d->error, "cannot start the engine: %s", err);
        return WF_CH_DRAW;
    }
    wf_status st = wf_store_load_facts(a->store, id, &d->facts);
    if (st == WF_OK) st = wf_explain(a->engine, d->facts, &d->x);
    if (st != WF_OK)
        snprintf(d->error, sizeof d->error, "cannot explain contact %lld: %s", (long long)id,
                 wf_status_message(st));
    return WF_CH_DRAW;
}

int wf_detail_open(wf_app *a, int64_t id)
{
    int same = a->detail.id == id;
    int ch = load(a, id);
    if (!same) {
        memset(a->detail.scroll, 0, sizeof a->detail.scroll);
        a->detail.sel_step = 0;
        a->detail.mark_timeline = -1;
    }
    return ch | WF_CH_RELAYOUT;
}

int wf_detail_reload(wf_app *a)
{
    return a->detail.id ? load(a, a->detail.id) : WF_CH_NONE;
}

int wf_detail_tab(wf_app *a, const char *name)
{
    wf_detail *d = &a->detail;
    int t = strcmp(name, "next") == 0   ? (d->tab + 1) % TAB_COUNT
            : strcmp(name, "prev") == 0 ? (d->tab + TAB_COUNT - 1) % TAB_COUNT
                                        : wf_tab_from_name(name);
    if (t < 0) {
        wf_app_message(a, 1, "unknown tab '%s' (overview, timeline, why, history)", name);
        return WF_CH_DRAW | WF_CH_ERROR;
    }
    d->tab = t;
    return WF_CH_DRAW;
}

int wf_detail_move(wf_app *a, int delta)
{
    wf_detail *d = &a->detail;
    if (d->tab == TAB_WHY && d->x && d->x->n_steps) {
        long s = (long)d->sel_step + delta;
        long last = (long)d->x->n_steps - 1;
        d->sel_step = (int)(s < 0 ? 0 : s > last ? last : s);
        return WF_CH_DRAW;
    }
    long s = (long)d->scroll[d->tab] + delta;
    d->scroll[d->tab] = (int)(s < 0 ? 0 : s > 1000000 ? 1000000 : s);
    return WF_CH_DRAW;
}

int wf_detail_enter(wf_app *a)
{
    wf_detail *d = &a->detail;
    if (d->tab != TAB_WHY || !d->x || (size_t)d->sel_step >= d->x->n_steps) return WF_CH_NONE;
    const wf_step *st = &d->x->steps[d->sel_step];
    if (!st->n_evidence) {
        wf_app_message(a, 0, "step %zu has no evidence in the timeline", st->n);
        return WF_CH_DRAW;
    }
    d->mark_timeline = (int)st->evidence[0];
    d->tab = TAB_TIMELINE;
    d->scroll[TAB_TIMELINE] = -1; /* the draw scrolls to the mark */
    return WF_CH_DRAW;
}

/* ---- lines ------------------------------------------------------------------------ */

typedef struct {
    const char *text; /* safe (escaped) */
    int role;
    int step; /* Why: step index, -1 */
    int item; /* Timeline: item index, -1 */
} dline;

typedef struct {
    wf_arena *arena;
    dline *v;
    size_t n, cap;
    int width;
} dlines;

static const char *esc(dlines *L, const char *s)
{
    wf_buf b = WF_BUF_INIT;
    if (s) wf_text_escape(&b, s);
    char *r = wf_arena_strdup(L->arena, wf_buf_str(&b));
    wf_buf_free(&b);
    return r ? r : "";
}

static void add_line(dlines *L, int role, int step, int item, const char *text)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? L->cap * 2 : 64;
        dline *v = realloc(L->v, cap * sizeof *v);
        if (!v) return;
        L->v = v;
        L->cap = cap;
    }
    L->v[L->n++] = (dline){text ? text : "", role, step, item};
}

/* Adds a formatted line; every %s argument must already be safe. */
static void addf(dlines *L, int role, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void addf(dlines *L, int role, const char *fmt, ...)
{
    wf_buf b = WF_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    wf_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    add_line(L, role, -1, -1, wf_arena_strdup(L->arena, wf_buf_str(&b)));
    wf_buf_free(&b);
}

/* Word-wraps safe text to the width with `indent` spaces after the first
 * line (prefix is the first line's lead). */
static void add_wrapped(dlines *L, int role, int step, int item, const char *prefix, int indent,
                        const char *text)
{
    wf_buf line = WF_BUF_INIT;
    wf_buf_puts(&line, prefix);
    size_t width = (size_t)(L->width > indent + 10 ? L->width : indent + 10);
    int fresh = 1; /* no word on this line yet */
    for (const char *p = text; *p;) {
        size_t wl = strcspn(p, " ");
        char word[1024];
        snprintf(word, sizeof word, "%.*s", (int)(wl < sizeof word - 1 ? wl : sizeof word - 1), p);
        size_t cur = wf_text_width(wf_buf_str(&line));
        if (!fresh && cur + 1 + wf_text_width(word) > width) {
            add_line(L, role, step, item, wf_arena_strdup(L->arena, wf_buf_str(&line)));
            wf_buf_clear(&line);
            wf_buf_printf(&line, "%*s", indent, "");
            fresh = 1;
        }
        if (!fresh) wf_buf_putc(&line, ' ');
        wf_buf_puts(&line, word);
        fresh = 0;
        p += wl;
        while (*p == ' ')
            p++;
    }
    add_line(L, role, step, item, wf_arena_strdup(L->arena, wf_buf_str(&line)));
    wf_buf_free(&line);
}

static const char *value_text(dlines *L, const wf_value *v)
{
    if (!v->source) return "(none)";
    wf_buf b = WF_BUF_INIT;
    wf_buf_puts(&b, esc(L, wf_source_label_of(v->source)));
    if (v->dd1 && *v->dd1) wf_buf_printf(&b, " / %s", esc(L, v->dd1));
    if (v->dd2 && *v->dd2) wf_buf_printf(&b, " / %s", esc(L, v->dd2));
    char *r = wf_arena_strdup(L->arena, wf_buf_str(&b));
    wf_buf_free(&b);
    return r ? r : "";
}

static const char *when(dlines *L, wf_ms t)
{
    char buf[WF_TIME_BUFSZ];
    if (t == WF_TIME_NONE) return "                ";
    return wf_arena_strdup(L->arena, wf_time_short(t, buf));
}

static const char *rule_id(wf_rule r)
{
    return r == R_NONE ? "" : wf_rule_id(r);
}

/* ---- tabs -------------------------------------------------------------------------- */

static void count_items(const wf_explanation *x, size_t n[9])
{
    memset(n, 0, 9 * sizeof n[0]);
    for (size_t i = 0; i < x->n_timeline; i++)
        if ((unsigned)x->timeline[i].kind < 9) n[x->timeline[i].kind]++;
}

static void overview_sources(dlines *L, const wf_explanation *x)
{
    const int N = ROLE_NORMAL;
    addf(L, ROLE_HEADER, "Original source");
    addf(L, N, "  Effective     %s", value_text(L, &x->effective));
    addf(L, N, "  Computed      %s   (%s via %s)", value_text(L, &x->computed.value),
         rule_id(x->computed.rule), rule_id(x->computed.via));
    addf(L, N, "  Stored        %s%s", x->has_stored ? value_text(L, &x->stored) : "(not imported)",
         (x->flags & F_STORED_DIFFERS) ? "   \xe2\x89\xa0 differs" : "");
    if (x->override)
        addf(L, N, "  Override      %s  by %s at %s: %s",
             value_text(L, &(wf_value){x->override->source, x->override->dd1, x->override->dd2}),
             esc(L, x->override->user), when(L, x->override->at), esc(L, x->override->reason));
    if (x->has_latest)
        addf(L, N, "Latest source   %s  at %s", value_text(L, &x->latest.value),
             when(L, x->latest.at));
}

/* The deciding interaction, and the first page HubSpot stored. */
static void overview_first_page(dlines *L, const wf_explanation *x, const wf_facts *f)
{
    const int N = ROLE_NORMAL;
    if (x->computed.deciding.kind)
        addf(L, N, "Deciding        %s at %s", esc(L, x->computed.deciding.kind),
             when(L, x->computed.deciding.at));
    if (x->computed.deciding.url)
        addf(L, N, "First page      %s", esc(L, x->computed.deciding.url));
    if (x->computed.deciding.referrer && *x->computed.deciding.referrer)
        addf(L, N, "Referrer        %s", esc(L, x->computed.deciding.referrer));
    if (f && f->stored_first_url && *f->stored_first_url)
        addf(L, ROLE_DIM, "Stored first    %s  at %s", esc(L, f->stored_first_url),
             when(L, f->stored_first_at));
    if (f && f->stored_first_referrer && *f->stored_first_referrer)
        addf(L, ROLE_DIM, "Stored referrer %s", esc(L, f->stored_first_referrer));
}

static void overview_counters(dlines *L, const wf_explanation *x)
{
    size_t n[9];
    wf_buf flags = WF_BUF_INIT;
    count_items(x, n);
    add_line(L, ROLE_NORMAL, -1, -1, "");
    addf(L, ROLE_NORMAL,
         "Sessions %zu  page views %zu  forms %zu  email clicks %zu  links %zu  merges %zu"
         "  changes %zu",
         n[WF_TL_SESSION], n[WF_TL_PAGEVIEW], n[WF_TL_FORM], n[WF_TL_EMAIL_CLICK], n[WF_TL_LINK],
         n[WF_TL_MERGE], x->n_recon);
    for (unsigned bit = 0; bit < 8; bit++)
        if (x->flags & (1u << bit)) wf_buf_printf(&flags, " %s", wf_flag_name(1u << bit));
    if (flags.len) addf(L, ROLE_MARKER, "Flags          %s", wf_buf_str(&flags));
    wf_buf_free(&flags);
}

static void overview(dlines *L, const wf_explanation *x, const wf_facts *f)
{
    const int N = ROLE_NORMAL;
    addf(L, N, "Created         %s", when(L, x->contact.created_at));
    addf(L, N, "Channel         %s%s%s", esc(L, x->creation.channel),
         x->creation.detail ? " / " : "", esc(L, x->creation.detail));
    add_wrapped(L, ROLE_DIM, -1, -1, "                ", 16, esc(L, x->creation.description));
    if (x->creation.label) addf(L, N, "Record source   %s", esc(L, x->creation.label));
    add_line(L, N, -1, -1, "");
    overview_sources(L, x);
    overview_first_page(L, x, f);
    overview_counters(L, x);
}

static void timeline(dlines *L, const wf_explanation *x, int mark)
{
    if (!x->n_timeline) add_line(L, ROLE_DIM, -1, -1, "No events.");
    for (size_t i = 0; i < x->n_timeline; i++) {
        const wf_tl_item *t = &x->timeline[i];
        int role = (int)i == mark ? ROLE_CURSOR : t->is_deciding ? ROLE_DECIDING : ROLE_NORMAL;
        wf_buf b = WF_BUF_INIT;
        if (t->kind == WF_TL_PAGEVIEW) {
            wf_buf_printf(&b, "%18s%s", "", esc(L, t->url));
            const wf_tl_item *s = t->session < x->n_timeline ? &x->timeline[t->session] : NULL;
            if (s && s->first_page == i && s->referrer && *s->referrer)
                wf_buf_printf(&b, "  \xe2\x86\x90 %s", esc(L, s->referrer));
        } else {
            wf_buf_printf(&b, "%s  %-14s ", when(L, t->at), esc(L, t->label));
            if (t->kind == WF_TL_SESSION)
                wf_buf_printf(&b, "%s  %s", value_text(L, &t->value), rule_id(t->rule));
            else
                wf_buf_printf(&b, "%s  %s", esc(L, t->detail), rule_id(t->rule));
            if (t->is_deciding) wf_buf_puts(&b, "  \xe2\x97\x86 deciding");
            if (t->is_creation) wf_buf_puts(&b, "  \xe2\x97\x8f creation");
        }
        add_line(L, role, -1, (int)i, wf_arena_strdup(L->arena, wf_buf_str(&b)));
        wf_buf_clear(&b);
        wf_buf_free(&b);
    }
}

static void why(dlines *L, const wf_explanation *x, int sel)
{
    wf_buf head = WF_BUF_INIT;
    wf_buf_printf(&head, "Why is the original source %s?", value_text(L, &x->effective));
    add_wrapped(L, ROLE_HEADER, -1, -1, "", 0, wf_buf_str(&head));
    wf_buf_free(&head);
    add_line(L, ROLE_NORMAL, -1, -1, "");
    for (size_t i = 0; i < x->n_steps; i++) {
        const wf_step *s = &x->steps[i];
        char lead[96];
        snprintf(lead, sizeof lead, "%-2zu %s  %-4s ", s->n, when(L, s->at), rule_id(s->rule));
        add_wrapped(L, (int)i == sel ? ROLE_CURSOR : ROLE_NORMAL, (int)i, -1, lead, 4,
                    esc(L, s->text));
    }
}

static void history(dlines *L, const wf_explanation *x)
{
    if (!x->n_recon) add_line(L, ROLE_DIM, -1, -1, "No stored changes of the original source.");
    const char *prev = NULL;
    for (size_t i = 0; i < x->n_recon; i++) {
        const wf_recon *r = &x->recon[i];
        addf(L, r->explained ? ROLE_NORMAL : ROLE_ERROR, "%s  %s \xe2\x86\x92 %s  %s  %s  %s",
             when(L, r->at), prev ? esc(L, wf_source_label_of(prev)) : "(none)",
             esc(L, wf_source_label_of(r->value)), esc(L, r->source_type), wf_cause_label(r->cause),
             r->explained ? "\xe2\x9c\x93 explained" : "\xe2\x9c\x97 not explained");
        if (r->note && *r->note)
            add_wrapped(L, ROLE_DIM, -1, -1, "                  ", 18, esc(L, r->note));
        prev = r->value;
    }
    if (x->n_changes) {
        add_line(L, ROLE_NORMAL, -1, -1, "");
        add_line(L, ROLE_HEADER, -1, -1, "Replayed changes of the computed value");
        for (size_t i = 0; i < x->n_changes; i++) {
            const wf_change *c = &x->changes[i];
            addf(L, ROLE_NORMAL, "%s  %s \xe2\x86\x92 %s  %s  %s", when(L, c->at),
                 value_text(L, &c->from), value_text(L, &c->to), wf_cause_label(c->cause),
                 rule_id(c->rule));
        }
    }
}

/* ---- drawing ---------------------------------------------------------------------- */

/* Each label is drawn as "[label]" and a space (draw_tabs). */
const char *wf_detail_tab_at(int x)
{
    int start = 0;
    for (int t = 0; t < TAB_COUNT; t++) {
        int w = (int)strlen(tab_labels[t]) + 3;
        if (x >= start && x < start + w - 1) return tab_names[t];
        start += w;
    }
    return NULL;
}

static void draw_tabs(wf_app *a, int y, int x0, int width)
{
    int x = x0;
    for (int t = 0; t < TAB_COUNT && x < x0 + width; t++) {
        char label[32];
        snprintf(label, sizeof label, "[%s]", tab_labels[t]);
        int w = (int)strlen(label) + 1;
        if (x + w > x0 + width) w = x0 + width - x;
        wf_tui_put_safe(a, stdscr, y, x, w, label,
                        t == a->detail.tab ? a->attr[ROLE_TAB_ACTIVE] : a->attr[ROLE_TAB]);
        x += w;
    }
    if (x < x0 + width) wf_tui_put_safe(a, stdscr, y, x, x0 + width - x, "", 0);
}

static void draw_title_line(wf_app *a, int y, int x0, int width)
{
    const wf_explanation *x = a->detail.x;
    wf_buf b = WF_BUF_INIT, e = WF_BUF_INIT;
    wf_buf_printf(&b, "#%lld", (long long)a->detail.id);
    if (x) {
        const char *fn = x->contact.firstname, *ln = x->contact.lastname;
        if (fn && *fn) wf_buf_printf(&b, " %s", wf_tui_escape(&e, fn));
        if (ln && *ln) wf_buf_printf(&b, " %s", wf_tui_escape(&e, ln));
        if (x->contact.email) wf_buf_printf(&b, " <%s>", wf_tui_escape(&e, x->contact.email));
    }
    wf_tui_put_safe(a, stdscr, y, x0, width, wf_buf_str(&b), a->attr[ROLE_HEADER]);
    wf_buf_free(&b);
    wf_buf_free(&e);
}

/* The first line to show: keeps the Why selection or the timeline mark in
 * view, and clamps the scroll to the content. */
static int first_visible(wf_detail *d, const dlines *L, int h)
{
    int want = -1;
    for (size_t i = 0; i < L->n && want < 0; i++)
        if ((d->tab == TAB_WHY && L->v[i].step == d->sel_step && L->v[i].step >= 0) ||
            (d->tab == TAB_TIMELINE && d->scroll[d->tab] < 0 && L->v[i].item == d->mark_timeline))
            want = (int)i;
    int top = d->scroll[d->tab] < 0 ? 0 : d->scroll[d->tab];
    if (want >= 0 && d->tab == TAB_TIMELINE) top = want > 2 ? want - 2 : 0;
    if (want >= 0 && d->tab == TAB_WHY) {
        if (want < top) top = want;
        if (want >= top + h) top = want - h + 2;
    }
    int max = (int)L->n - h;
    if (top > max) top = max > 0 ? max : 0;
    d->scroll[d->tab] = top;
    return top;
}

/* The lines of the current tab, kept until something they depend on
 * changes: scrolling a long timeline must not rebuild (and re-escape)
 * thousands of lines per key. */
struct wf_dcache {
    dlines L;
    const wf_explanation *x;
    int tab, width, mark, sel;
};

static void cache_free(wf_detail *d)
{
    if (!d->cache) return;
    free(d->cache->L.v);
    wf_arena_free(&d->cache->L.arena);
    free(d->cache);
    d->cache = NULL;
}

static void build(wf_detail *d, dlines *L)
{
    if (d->error[0] || !d->x) {
        add_line(L, ROLE_ERROR, -1, -1, esc(L, d->error[0] ? d->error : "no data"));
        return;
    }
    switch (d->tab) {
    case TAB_OVERVIEW:
        overview(L, d->x, d->facts);
        break;
    case TAB_TIMELINE:
        timeline(L, d->x, d->mark_timeline);
        break;
    case TAB_WHY:
        why(L, d->x, d->sel_step);
        break;
    default:
        history(L, d->x);
    }
}

static const dlines *lines_for(wf_detail *d, int width)
{
    struct wf_dcache *c = d->cache;
    if (c && c->x == d->x && c->tab == d->tab && c->width == width && c->mark == d->mark_timeline &&
        c->sel == d->sel_step && !d->error[0])
        return &c->L;
    cache_free(d);
    c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->L = (dlines){wf_arena_new(), NULL, 0, 0, width - 2};
    if (!c->L.arena) {
        free(c);
        return NULL;
    }
    build(d, &c->L);
    c->x = d->x;
    c->tab = d->tab;
    c->width = width;
    c->mark = d->mark_timeline;
    c->sel = d->sel_step;
    d->cache = c;
    return &c->L;
}

void wf_detail_draw(wf_app *a, int x0, int width)
{
    wf_detail *d = &a->detail;
    int y0 = 1, h = a->lines - 2 - 3;
    draw_title_line(a, y0, x0, width);
    draw_tabs(a, y0 + 1, x0, width);
    wf_tui_put_safe(a, stdscr, y0 + 2, x0, width, "", 0);
    const dlines *L = lines_for(d, width);
    if (!L) return;
    int top = first_visible(d, L, h);
    for (int y = 0; y < h; y++) {
        size_t i = (size_t)(top + y);
        const char *t = i < L->n ? L->v[i].text : "";
        int role = i < L->n ? L->v[i].role : ROLE_NORMAL;
        wf_tui_put_safe(a, stdscr, y0 + 3 + y, x0, 1, "", 0);
        wf_tui_put_safe(a, stdscr, y0 + 3 + y, x0 + 1, width - 1, t, a->attr[role]);
    }
}
