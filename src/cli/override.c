/* `wherefrom override` (one contact, or a plan file) and `wherefrom revert`:
 * local corrections of the original source, kept in the append-only
 * overrides log (store/overrides.h). The computed value stays visible
 * beside the override; nothing is lost. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attrib/engine.h"
#include "attrib/explain.h"
#include "cli/cli.h"
#include "cli/commands.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/vocab.h"
#include "store/overrides.h"

/* One contact to change, with everything printed about it. */
typedef struct {
    int64_t id;
    const char *email;
    wf_override_input in;
    wf_override_value computed; /* engine's value now (source NULL: unknown) */
    wf_override_value before;   /* effective value now */
    int unchanged;              /* before equals the new value */
} item;

typedef struct {
    const char *contact, *source, *dd1, *dd2, *reason, *user, *plan;
    int dry_run;
} override_args;

static wf_ms now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (wf_ms)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int same(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* "Organic search / kw / google", escaped; empty drill-downs as "-". */
static void put_value(wf_buf *b, const wf_override_value *v)
{
    if (!v->source || !*v->source) {
        wf_buf_puts(b, "(not computed)");
        return;
    }
    wf_text_escape(b, wf_source_label_of(v->source));
    wf_buf_puts(b, " / ");
    wf_text_escape(b, v->dd1 && *v->dd1 ? v->dd1 : "-");
    wf_buf_puts(b, " / ");
    wf_text_escape(b, v->dd2 && *v->dd2 ? v->dd2 : "-");
}

static void print_item(FILE *out, const item *it)
{
    wf_buf b = WF_BUF_INIT;
    wf_buf_printf(&b, "contact %lld", (long long)it->id);
    if (it->email) {
        wf_buf_puts(&b, " <");
        wf_text_escape(&b, it->email);
        wf_buf_puts(&b, ">");
    }
    wf_buf_puts(&b, ": ");
    put_value(&b, &it->before);
    if (it->unchanged) {
        wf_buf_puts(&b, " (already so; skipped)");
    } else {
        wf_override_value nv = {it->in.source, it->in.dd1, it->in.dd2};
        wf_buf_puts(&b, " -> ");
        put_value(&b, &nv);
    }
    fprintf(out, "%s\n", wf_buf_str(&b));
    wf_buf_free(&b);
}

/* The engine's computed value for a contact, copied into the arena. With
 * no engine (its data files missing) the store falls back to the cache. */
static wf_status computed_value(wf_store *s, const wf_engine *e, wf_arena *a, int64_t id,
                                wf_override_value *out, const char **email)
{
    memset(out, 0, sizeof *out);
    wf_facts *f = NULL;
    wf_status st = wf_store_load_facts(s, id, &f);
    if (st != WF_OK) return st;
    *email = wf_arena_strdup(a, f->email);
    wf_explanation *x = NULL;
    if (e && wf_explain(e, f, &x) == WF_OK) {
        out->source = wf_arena_strdup(a, x->computed.value.source);
        out->dd1 = wf_arena_strdup(a, x->computed.value.dd1);
        out->dd2 = wf_arena_strdup(a, x->computed.value.dd2);
    }
    wf_explanation_free(&x);
    wf_facts_free(&f);
    return WF_OK;
}

/* Fills computed/before/unchanged and canonicalises the source. */
static wf_status prepare_item(wf_store *s, const wf_engine *e, wf_arena *a, item *it, char *err,
                              size_t errsz)
{
    char canon[32];
    wf_status st = wf_override_check_source(it->in.source, canon, sizeof canon, err, errsz);
    if (st != WF_OK) return st;
    it->in.source = wf_arena_strdup(a, canon);
    if (!it->in.reason || !it->in.reason[strspn(it->in.reason, " \t\r\n\v\f")]) {
        snprintf(err, errsz, "a reason is required (--reason TEXT, or \"reason\" in the plan)");
        return WF_E_USAGE;
    }
    st = computed_value(s, e, a, it->id, &it->computed, &it->email);
    if (st != WF_OK) {
        snprintf(err, errsz, "contact %lld: cannot load its facts (%s)", (long long)it->id,
                 wf_status_message(st));
        return st;
    }
    wf_override_row act;
    int found = 0;
    st = wf_override_active(s, it->id, &act, &found);
    if (st != WF_OK) return st;
    if (found) {
        it->before.source = wf_arena_strdup(a, act.source);
        it->before.dd1 = wf_arena_strdup(a, act.dd1);
        it->before.dd2 = wf_arena_strdup(a, act.dd2);
        wf_override_row_clear(&act);
    } else {
        it->before = it->computed;
    }
    it->unchanged = found && same(it->before.source, it->in.source) &&
                    same(it->before.dd1, it->in.dd1) && same(it->before.dd2, it->in.dd2);
    return WF_OK;
}

static int parse_args(wf_cli *cli, int argc, char **argv, override_args *a, int allow_plan)
{
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i];
        int r = wf_cli_global_option(cli, argc, argv, &i);
        if (r < 0) return -1;
        if (r > 0) continue;
        const char **slot = NULL;
        if (strcmp(k, "--source") == 0)
            slot = &a->source;
        else if (strcmp(k, "--dd1") == 0)
            slot = &a->dd1;
        else if (strcmp(k, "--dd2") == 0)
            slot = &a->dd2;
        else if (strcmp(k, "--reason") == 0)
            slot = &a->reason;
        else if (strcmp(k, "--user") == 0)
            slot = &a->user;
        else if (allow_plan && strcmp(k, "--plan") == 0)
            slot = &a->plan;
        else if (allow_plan && strcmp(k, "--dry-run") == 0) {
            a->dry_run = 1;
            continue;
        } else if (k[0] == '-' && k[1]) {
            wf_cli_error("%s: unknown option '%s'", argv[0], k);
            return -1;
        } else if (!a->contact) {
            a->contact = k;
            continue;
        } else {
            wf_cli_error("%s: only one CONTACT, got '%s' too", argv[0], k);
            return -1;
        }
        if (i + 1 >= argc) {
            wf_cli_error("%s: %s needs a value", argv[0], k);
            return -1;
        }
        *slot = argv[++i];
    }
    return 0;
}

static int find_contact(wf_store *s, const char *spec, int64_t *id)
{
    wf_status st = wf_store_find_contact(s, spec, id);
    if (st == WF_OK) return 0;
    wf_buf b = WF_BUF_INIT;
    wf_text_escape(&b, spec);
    if (st == WF_E_NOTFOUND)
        wf_cli_error("no contact '%s' (give an id or an email)", wf_buf_str(&b));
    else
        wf_cli_error("cannot look up contact '%s': %s", wf_buf_str(&b), wf_status_message(st));
    wf_buf_free(&b);
    return wf_status_exit_code(st);
}

static wf_engine *engine_or_null(const wf_cli *cli)
{
    wf_engine *e = NULL;
    char err[512];
    if (wf_engine_new(NULL, &e, err, sizeof err) != WF_OK) {
        wf_cli_info(cli, "%s; using the cached computed values", err);
        return NULL;
    }
    return e;
}

/* ---- plan files ------------------------------------------------------ */

typedef struct {
    item *items;
    size_t n, cap;
} item_list;

static int push_item(item_list *l, const item *it)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        item *p = realloc(l->items, cap * sizeof *p);
        if (!p) return -1;
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n++] = *it;
    return 0;
}

static const char *jstr(const cJSON *o, const char *key, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* Keys with a wrong type are errors, not silently ignored. */
static int check_strings(const cJSON *o, const char *const *keys, char *err, size_t errsz,
                         const char *where)
{
    for (size_t i = 0; keys[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[i]);
        if (v && !cJSON_IsString(v) && !cJSON_IsNull(v)) {
            snprintf(err, errsz, "%s\"%s\" must be a string", where, keys[i]);
            return -1;
        }
    }
    return 0;
}

/* Resolves an entry of "contacts": an id (number or string) or an email. */
static int plan_contact(wf_store *s, const cJSON *c, int64_t *id, char *err, size_t errsz,
                        const char *where)
{
    char num[32];
    const char *spec = NULL;
    if (cJSON_IsNumber(c) && c->valuedouble >= 1 && c->valuedouble < 9e15 &&
        (double)(int64_t)c->valuedouble == c->valuedouble) {
        snprintf(num, sizeof num, "%lld", (long long)c->valuedouble);
        spec = num;
    } else if (cJSON_IsString(c) && *c->valuestring) {
        spec = c->valuestring;
    } else {
        snprintf(err, errsz, "%sexpected a contact id or an email", where);
        return -1;
    }
    if (wf_store_find_contact(s, spec, id) != WF_OK) {
        wf_buf b = WF_BUF_INIT;
        wf_text_escape(&b, spec);
        snprintf(err, errsz, "%sno contact '%s'", where, wf_buf_str(&b));
        wf_buf_free(&b);
        return -1;
    }
    return 0;
}

typedef struct {
    wf_store *s;
    const wf_engine *e;
    wf_arena *a;
    item_list *list;
    const char *plan_name;
    const char *user;
    const cJSON *defaults;
} plan_ctx;

static int add_plan_item(plan_ctx *p, int64_t id, const cJSON *own, char *err, size_t errsz,
                         const char *where)
{
    const cJSON *d = p->defaults;
    item it = {.id = id};
    it.in.source = jstr(own, "source", jstr(d, "source", NULL));
    /* drill-downs belong to a source: an entry with its own source does not
     * inherit the plan-wide ones */
    const cJSON *dd_from = jstr(own, "source", NULL) ? NULL : d;
    it.in.dd1 = jstr(own, "dd1", jstr(dd_from, "dd1", NULL));
    it.in.dd2 = jstr(own, "dd2", jstr(dd_from, "dd2", NULL));
    it.in.reason = jstr(own, "reason", jstr(d, "reason", NULL));
    it.in.user = p->user;
    it.in.plan = p->plan_name;
    char e2[768];
    if (prepare_item(p->s, p->e, p->a, &it, e2, sizeof e2) != WF_OK) {
        snprintf(err, errsz, "%s%s", where, e2);
        return -1;
    }
    if (push_item(p->list, &it)) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    return 0;
}

static const char *const item_keys[] = {"source", "dd1", "dd2", "reason", "user", NULL};

static int plan_contacts(plan_ctx *p, const cJSON *arr, char *err, size_t errsz)
{
    int i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, arr)
    {
        char where[64];
        snprintf(where, sizeof where, "contacts[%d]: ", i++);
        const cJSON *own = NULL, *ref = c;
        if (cJSON_IsObject(c)) {
            own = c;
            ref = cJSON_GetObjectItemCaseSensitive(c, "contact");
            if (check_strings(c, item_keys, err, errsz, where)) return -1;
        }
        int64_t id;
        if (plan_contact(p->s, ref, &id, err, errsz, where)) return -1;
        if (add_plan_item(p, id, own, err, errsz, where)) return -1;
    }
    return 0;
}

/* "filter": {"source", "channel", "created_from", "created_to"} matched
 * against the effective value as last computed (else the stored value). */
static int plan_filter(plan_ctx *p, const cJSON *flt, char *err, size_t errsz)
{
    static const char *const keys[] = {"source", "channel", "created_from", "created_to", NULL};
    if (check_strings(flt, keys, err, errsz, "filter: ")) return -1;
    const cJSON *k;
    cJSON_ArrayForEach(k, flt)
    {
        int ok = 0;
        for (size_t i = 0; keys[i]; i++)
            ok |= strcmp(k->string, keys[i]) == 0;
        if (!ok) {
            snprintf(err, errsz,
                     "filter: unknown key \"%.40s\" (known: source, channel, "
                     "created_from, created_to)",
                     k->string);
            return -1;
        }
    }
    wf_ms from = WF_TIME_MIN, to = WF_TIME_MAX;
    const char *t;
    if ((t = jstr(flt, "created_from", NULL)) && wf_time_parse(t, &from) != WF_OK) {
        snprintf(err, errsz, "filter: \"created_from\" is not a date or time");
        return -1;
    }
    if ((t = jstr(flt, "created_to", NULL)) && wf_time_parse(t, &to) != WF_OK) {
        snprintf(err, errsz, "filter: \"created_to\" is not a date or time");
        return -1;
    }
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(wf_store_db(p->s),
                           "SELECT c.id FROM contacts c LEFT JOIN computed k ON k.contact=c.id"
                           " WHERE c.merged_into IS NULL AND c.created_at BETWEEN ?3 AND ?4"
                           " AND (?1 IS NULL OR coalesce(k.eff_source, c.src)=?1)"
                           " AND (?2 IS NULL OR c.channel=?2) ORDER BY c.id",
                           -1, &q, NULL)) {
        snprintf(err, errsz, "filter: %s", wf_store_errmsg(p->s));
        return -1;
    }
    sqlite3_bind_text(q, 1, jstr(flt, "source", NULL), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, jstr(flt, "channel", NULL), -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, from);
    sqlite3_bind_int64(q, 4, to);
    /* collect ids first: prepare_item runs its own queries */
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            int64_t *np = realloc(ids, cap * sizeof *np);
            if (!np) break;
            ids = np;
        }
        ids[n++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = add_plan_item(p, ids[i], NULL, err, errsz, "filter: ");
    free(ids);
    return rc;
}

static cJSON *read_json_file(const char *path, char *err, size_t errsz)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        snprintf(err, errsz, "cannot open the plan: %m");
        return NULL;
    }
    wf_buf b = WF_BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        wf_buf_add(&b, chunk, n);
    fclose(fp);
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(wf_buf_str(&b), b.len + 1, &end, 1);
    if (!j) {
        long off = end ? (long)(end - wf_buf_str(&b)) : 0;
        snprintf(err, errsz, "not valid JSON (near byte %ld)", off);
    } else if (!cJSON_IsObject(j)) {
        snprintf(err, errsz, "a plan is a JSON object");
        cJSON_Delete(j);
        j = NULL;
    }
    wf_buf_free(&b);
    return j;
}

static int load_plan(plan_ctx *p, const char *path, char *err, size_t errsz)
{
    cJSON *j = read_json_file(path, err, errsz);
    if (!j) return -1;
    int rc = -1;
    const cJSON *contacts = cJSON_GetObjectItemCaseSensitive(j, "contacts");
    const cJSON *filter = cJSON_GetObjectItemCaseSensitive(j, "filter");
    p->defaults = j;
    if (check_strings(j, item_keys, err, errsz, "")) goto out;
    if (!p->user) p->user = wf_arena_strdup(p->a, jstr(j, "user", NULL));
    if (!!contacts == !!filter) {
        snprintf(err, errsz, "a plan needs either \"contacts\" (a list) or \"filter\" (an object)");
    } else if (contacts && !cJSON_IsArray(contacts)) {
        snprintf(err, errsz, "\"contacts\" must be a list of ids, emails or objects");
    } else if (filter && !cJSON_IsObject(filter)) {
        snprintf(err, errsz, "\"filter\" must be an object");
    } else {
        /* strings borrowed from j are copied before j goes away */
        rc = contacts ? plan_contacts(p, contacts, err, errsz) : plan_filter(p, filter, err, errsz);
    }
    for (size_t i = 0; rc == 0 && i < p->list->n; i++) {
        wf_override_input *in = &p->list->items[i].in;
        in->dd1 = wf_arena_strdup(p->a, in->dd1);
        in->dd2 = wf_arena_strdup(p->a, in->dd2);
        in->reason = wf_arena_strdup(p->a, in->reason);
    }
out:
    cJSON_Delete(j);
    return rc;
}

static int apply_items(wf_store *s, item_list *l, int dry_run)
{
    size_t n_change = 0;
    for (size_t i = 0; i < l->n; i++) {
        print_item(stdout, &l->items[i]);
        n_change += !l->items[i].unchanged;
    }
    if (dry_run) {
        printf("%zu override(s) would be written (dry run: nothing was changed)\n", n_change);
        return 0;
    }
    int64_t *ids = calloc(n_change + 1, sizeof *ids);
    wf_override_input *ins = calloc(n_change + 1, sizeof *ins);
    wf_override_value *comp = calloc(n_change + 1, sizeof *comp);
    size_t k = 0;
    for (size_t i = 0; ids && ins && comp && i < l->n; i++) {
        if (l->items[i].unchanged) continue;
        ids[k] = l->items[i].id;
        ins[k] = l->items[i].in;
        comp[k++] = l->items[i].computed;
    }
    char err[1024] = "";
    wf_status st = (ids && ins && comp)
                       ? wf_override_set_many(s, ids, ins, comp, k, now_ms(), NULL, err, sizeof err)
                       : WF_E_NOMEM;
    free(ids);
    free(ins);
    free(comp);
    if (st != WF_OK) {
        wf_cli_error("%s", *err ? err : wf_status_message(st));
        return wf_status_exit_code(st);
    }
    printf("%zu override(s) written in one transaction\n", k);
    return 0;
}

static int run_plan(wf_cli *cli, wf_store *s, const override_args *a)
{
    wf_arena *ar = wf_arena_new();
    item_list l = {0};
    plan_ctx p = {.s = s, .a = ar, .list = &l, .plan_name = a->plan, .user = a->user};
    wf_engine *e = engine_or_null(cli);
    p.e = e;
    char err[1024] = "";
    int rc = 0;
    if (!a->dry_run && wf_store_check_writable(s, err, sizeof err) != WF_OK) {
        wf_cli_error("%s", err);
        rc = wf_status_exit_code(WF_E_READONLY);
    } else if (load_plan(&p, a->plan, err, sizeof err)) {
        wf_buf b = WF_BUF_INIT;
        wf_text_escape(&b, a->plan);
        wf_cli_error("%s: %s", wf_buf_str(&b), err);
        wf_buf_free(&b);
        rc = 65;
    } else {
        rc = apply_items(s, &l, a->dry_run);
    }
    wf_engine_free(&e);
    free(l.items);
    wf_arena_free(&ar);
    return rc;
}

static int run_single(wf_cli *cli, wf_store *s, const override_args *a)
{
    if (!a->contact || !a->source) {
        wf_cli_error("override: usage: override CONTACT --source VALUE [--dd1 X] [--dd2 Y] "
                     "--reason TEXT [--user NAME], or override --plan FILE [--dry-run]");
        return 2;
    }
    char err[1024] = "";
    if (wf_store_check_writable(s, err, sizeof err) != WF_OK) {
        wf_cli_error("%s", err);
        return wf_status_exit_code(WF_E_READONLY);
    }
    item_list l = {0};
    item it = {.in = {a->source, a->dd1, a->dd2, a->reason, a->user, NULL}};
    int rc = find_contact(s, a->contact, &it.id);
    if (rc) return rc;
    wf_arena *ar = wf_arena_new();
    wf_engine *e = engine_or_null(cli);
    wf_status st = prepare_item(s, e, ar, &it, err, sizeof err);
    if (st != WF_OK) {
        wf_cli_error("%s", err);
        rc = wf_status_exit_code(st);
    } else if (push_item(&l, &it) == 0) {
        rc = apply_items(s, &l, a->dry_run);
    } else {
        rc = 71;
    }
    wf_engine_free(&e);
    free(l.items);
    wf_arena_free(&ar);
    return rc;
}

int wf_cmd_override(wf_cli *cli, int argc, char **argv)
{
    if (wf_cli_command_help("override", argc, argv)) {
        printf("VALUE is one of:");
        for (int i = 0; i < SRC_COUNT; i++)
            printf(" %s (%s)%s", wf_source_name((wf_source)i), wf_source_label((wf_source)i),
                   i + 1 < SRC_COUNT ? "," : "\n");
        return 0;
    }
    override_args a = {0};
    if (parse_args(cli, argc, argv, &a, 1)) return 2;
    if (a.plan && (a.contact || a.source || a.dd1 || a.dd2 || a.reason)) {
        wf_cli_error("override: --plan takes everything from the plan file (only --user and "
                     "--dry-run may be added)");
        return 2;
    }
    wf_store *s = NULL;
    int rc = wf_cli_open_store(cli, 0, &s);
    if (rc) return rc;
    rc = a.plan ? run_plan(cli, s, &a) : run_single(cli, s, &a);
    wf_store_close(&s);
    return rc;
}

int wf_cmd_revert(wf_cli *cli, int argc, char **argv)
{
    if (wf_cli_command_help("revert", argc, argv)) return 0;
    override_args a = {0};
    if (parse_args(cli, argc, argv, &a, 0)) return 2;
    if (!a.contact || a.source || a.dd1 || a.dd2) {
        wf_cli_error("revert: usage: revert CONTACT --reason TEXT [--user NAME]");
        return 2;
    }
    wf_store *s = NULL;
    int rc = wf_cli_open_store(cli, 0, &s);
    if (rc) return rc;
    int64_t id = 0;
    char err[1024] = "";
    rc = find_contact(s, a.contact, &id);
    if (rc == 0) {
        wf_override_row act;
        int found = 0;
        wf_override_active(s, id, &act, &found);
        wf_status st = wf_override_revert(s, id, a.reason, a.user, now_ms(), NULL, err, sizeof err);
        if (st != WF_OK) {
            wf_cli_error("%s", err);
            rc = wf_status_exit_code(st);
        } else {
            wf_buf b = WF_BUF_INIT;
            wf_override_value v = {act.source, act.dd1, act.dd2};
            wf_buf_printf(&b, "contact %lld: override ", (long long)id);
            put_value(&b, &v);
            wf_buf_puts(&b, " ended; the computed value applies again");
            printf("%s\n", wf_buf_str(&b));
            wf_buf_free(&b);
        }
        if (found) wf_override_row_clear(&act);
    }
    wf_store_close(&s);
    return rc;
}
