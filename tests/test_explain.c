/* The explanation end to end: the worked example of ATTRIBUTION.md §10
 * through the JSON (by hand and through the store), the text renderer's
 * escaping, and the `wherefrom explain` command. */
#include "engine_fx.h"

#include <cjson/cJSON.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/recompute.h"
#include "core/text.h"
#include "import/import.h"
#include "store/store.h"

#define HOME "https://www.example.com/"

static void worked_example_facts(fx *x)
{
    fx_init(x, 5001, "2024-07-03T09:00:00Z", "IMPORT", "9876");
    x->f.email = "kb.story@example.org";
    fx_site(x, "example.com");
    fx_pv(x, "t1", 0, "2024-03-12T10:00:00Z", HOME, "https://www.google.com/");
    fx_form(x, "2024-09-18T14:30:00Z", "f-demo", "t1", 0)->page_title = "Book a demo";
}

static const cJSON *get(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!v) fail_msg("missing key \"%s\"", k);
    return v;
}

static const char *gets(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    assert_true(cJSON_IsString(v));
    return v->valuestring;
}

/* The steps of §10 (creation, the form linking t1, the 12 Mar session,
 * the earlier visit found, the comparison with HubSpot), their rules, and
 * the 18 Sep change. */
static void check_worked_json(const cJSON *j)
{
    assert_string_equal(gets(j, "schema"), "wherefrom.explain/1");
    const cJSON *c = get(j, "computed");
    assert_string_equal(gets(c, "source"), "ORGANIC_SEARCH");
    assert_string_equal(gets(c, "dd1"), "Unknown keywords (SSL)");
    assert_string_equal(gets(c, "dd2"), "google");
    assert_string_equal(gets(c, "rule"), "S11");
    assert_string_equal(gets(c, "via"), "C04");
    const cJSON *d = get(c, "deciding");
    assert_string_equal(gets(d, "kind"), "session");
    assert_string_equal(gets(d, "at"), "2024-03-12T10:00:00Z");
    assert_string_equal(gets(d, "referrer"), "https://www.google.com/");
    const cJSON *steps = get(j, "steps");
    assert_int_equal(cJSON_GetArraySize(steps), 5);
    const char *rules[] = {"C01", "C03", "S11", "C04", NULL};
    const char *ats[] = {"2024-07-03T09:00:00Z", "2024-09-18T14:30:00Z", "2024-03-12T10:00:00Z",
                         "2024-09-18T14:30:00Z", NULL};
    for (int i = 0; i < 5; i++) {
        const cJSON *s = cJSON_GetArrayItem(steps, i);
        assert_int_equal((int)get(s, "n")->valuedouble, i + 1);
        if (rules[i]) {
            assert_string_equal(gets(s, "rule"), rules[i]);
            assert_string_equal(gets(s, "at"), ats[i]);
        } else { /* the closing comparison: no rule, no time, keys still there */
            assert_true(cJSON_IsNull(get(s, "rule")));
            assert_true(cJSON_IsNull(get(s, "at")));
        }
        assert_true(strlen(gets(s, "text")) > 20);
    }
    assert_non_null(strstr(gets(cJSON_GetArrayItem(steps, 1), "text"),
                           "The form \"Book a demo\" (f-demo) submitted on 18 Sep 2024 carried "
                           "visitor token t1"));
    assert_non_null(
        strstr(gets(cJSON_GetArrayItem(steps, 3), "text"), "12 Mar is before the import on 3 Jul"));
    const cJSON *ch = get(j, "changes");
    assert_int_equal(cJSON_GetArraySize(ch), 2);
    const cJSON *c1 = cJSON_GetArrayItem(ch, 1);
    assert_string_equal(gets(c1, "cause"), "earlier-visit-found");
    assert_string_equal(gets(c1, "rule"), "C04");
    assert_string_equal(gets(get(c1, "from"), "source"), "OFFLINE");
    assert_string_equal(gets(get(c1, "to"), "source"), "ORGANIC_SEARCH");
    assert_true(cJSON_IsNull(get(cJSON_GetArrayItem(ch, 0), "from")));
}

static void check_all_keys(const cJSON *j)
{
    const char *top[] = {"schema",   "contact",  "creation",       "stored",
                         "computed", "override", "effective",      "latest",
                         "steps",    "changes",  "reconciliation", "flags"};
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        get(j, top[i]);
    const char *contact[] = {"id", "email", "created_at"};
    for (size_t i = 0; i < 3; i++)
        get(get(j, "contact"), contact[i]);
    const char *creation[] = {"channel", "detail", "description"};
    for (size_t i = 0; i < 3; i++)
        get(get(j, "creation"), creation[i]);
    const char *computed[] = {"source", "dd1", "dd2", "rule", "via", "deciding"};
    for (size_t i = 0; i < 6; i++)
        get(get(j, "computed"), computed[i]);
    const char *eff[] = {"source", "dd1", "dd2"};
    for (size_t i = 0; i < 3; i++)
        get(get(j, "effective"), eff[i]);
    assert_true(cJSON_IsArray(get(j, "flags")));
    const cJSON *st;
    cJSON_ArrayForEach(st, get(j, "steps"))
    {
        const char *keys[] = {"n", "at", "rule", "text"};
        for (size_t i = 0; i < 4; i++)
            get(st, keys[i]);
    }
}

static void worked_example_json_by_hand(void **state)
{
    fx x;
    worked_example_facts(&x);
    wf_explanation *ex = fx_explain(state, &x);
    cJSON *j = wf_explanation_json(ex);
    assert_non_null(j);
    check_all_keys(j);
    check_worked_json(j);
    /* absent values are null, never missing */
    assert_true(cJSON_IsNull(get(j, "stored")));
    assert_true(cJSON_IsNull(get(j, "override")));
    assert_true(cJSON_IsNull(get(get(j, "contact"), "email")) == 0);
    assert_int_equal(cJSON_GetArraySize(get(j, "reconciliation")), 0);
    assert_int_equal(cJSON_GetArraySize(get(j, "flags")), 0);
    cJSON_Delete(j);
    wf_explanation_free(&ex);
}

static void worked_example_evidence(void **state)
{
    fx x;
    worked_example_facts(&x);
    wf_explanation *ex = fx_explain(state, &x);
    const wf_step *s = &ex->steps[fx_step(ex, R_C04)];
    int has_session = 0, has_form = 0;
    for (size_t i = 0; i < s->n_evidence; i++) {
        const wf_tl_item *it = &ex->timeline[s->evidence[i]];
        has_session |= it->kind == WF_TL_SESSION && it->at == T("2024-03-12T10:00:00Z");
        has_form |= it->kind == WF_TL_FORM;
    }
    assert_true(has_session);
    assert_true(has_form);
    const wf_tl_item *d = &ex->timeline[ex->computed.deciding.timeline];
    assert_true(d->is_deciding);
    assert_int_equal(d->n_pages, 1);
    assert_int_equal(ex->timeline[d->first_page].kind, WF_TL_PAGEVIEW);
    assert_int_equal(ex->timeline[d->first_page].session, ex->computed.deciding.timeline);
    assert_true(ex->timeline[0].at <= ex->timeline[ex->n_timeline - 1].at);
    wf_explanation_free(&ex);
}

static void flags_and_override_json(void **state)
{
    fx x;
    worked_example_facts(&x);
    fx_stored(&x, "OFFLINE", "IMPORT", "9876");
    x.ov = (wf_override){.id = 1,
                         .at = T("2024-10-01T00:00:00Z"),
                         .user = "ana",
                         .reason = "why",
                         .source = "REFERRALS",
                         .dd1 = NULL,
                         .dd2 = NULL};
    x.f.override = &x.ov;
    wf_explanation *ex = fx_explain(state, &x);
    cJSON *j = wf_explanation_json(ex);
    const cJSON *fl = get(j, "flags");
    assert_int_equal(cJSON_GetArraySize(fl), 1);
    assert_string_equal(cJSON_GetArrayItem(fl, 0)->valuestring, "stored-differs");
    const cJSON *o = get(j, "override");
    assert_string_equal(gets(o, "user"), "ana");
    assert_string_equal(gets(o, "at"), "2024-10-01T00:00:00Z");
    assert_true(cJSON_IsNull(get(o, "dd1")));
    assert_string_equal(gets(get(j, "effective"), "source"), "REFERRALS");
    cJSON_Delete(j);
    wf_explanation_free(&ex);
}

static void text_is_escaped(void **state)
{
    fx x;
    fx_init(&x, 6001, "2024-01-01T00:00:00Z", "IMPORT", "1\a");
    x.f.firstname = "Evil\x1b[31mName";
    fx_pv(&x, NULL, 6001, "2023-12-01T00:00:00Z", HOME "\x1b[2J", "https://bad\x1b]0;x\a.net/");
    wf_explanation *ex = fx_explain(state, &x);
    wf_buf b = WF_BUF_INIT;
    assert_int_equal(wf_explanation_text(ex, &b), WF_OK);
    const char *s = wf_buf_str(&b);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n') fail_msg("raw control byte 0x%02x", *p);
    assert_non_null(strstr(s, "Evil\\e[31mName"));
    assert_non_null(strstr(s, "Why:"));
    wf_buf_free(&b);
    wf_explanation_free(&ex);
}

/* ---- text wrapping ---- */

/* The lines of the Why section (between "Why:" and the next blank line). */
static size_t why_lines(const char *text, const char **lines, size_t max)
{
    const char *p = strstr(text, "\nWhy:\n");
    assert_non_null(p);
    p += 6;
    size_t n = 0;
    while (*p && *p != '\n' && n < max) {
        lines[n++] = p;
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    return n;
}

static size_t line_width(const char *l)
{
    const char *e = strchr(l, '\n');
    char tmp[4096];
    size_t n = e ? (size_t)(e - l) : strlen(l);
    assert_true(n < sizeof tmp);
    memcpy(tmp, l, n);
    tmp[n] = 0;
    for (size_t i = 0; i < n;) { /* valid UTF-8: nothing was split */
        unsigned cp;
        int len = wf_utf8_decode(tmp + i, n - i, &cp);
        if (!len) fail_msg("invalid UTF-8 at byte %zu of: %s", i, tmp);
        i += (size_t)len;
    }
    return wf_text_width(tmp);
}

/* Everything but white space, so wrapped and unwrapped text compare. */
static void squeeze(wf_buf *out, const char *s, const char *end)
{
    for (; *s && (!end || s < end); s++)
        if (*s != ' ' && *s != '\n') wf_buf_putc(out, *s);
}

static void wrap_facts(fx *x)
{
    worked_example_facts(x);
    /* a wide (CJK) and long entry page, a referrer with a bidi override */
    x->pv[0].url = "https://www.example.com/"
                   "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xb1\xb1\xe7\x94\xb0\xe5\xb1\xb1\xe7\x94\xb0"
                   "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xb1\xb1\xe7\x94\xb0\xe5\xb1\xb1\xe7\x94\xb0"
                   "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    x->pv[0].referrer = "https://www.google.com/\xe2\x80\xae"
                        "evil";
}

static void check_wrapped(const wf_explanation *ex, size_t width)
{
    wf_buf b = WF_BUF_INIT, a = WF_BUF_INIT, w = WF_BUF_INIT;
    assert_int_equal(wf_explanation_text_width(ex, width, &b), WF_OK);
    const char *lines[64];
    size_t n = why_lines(wf_buf_str(&b), lines, 64);
    assert_true(n > ex->n_steps); /* something was wrapped */
    for (size_t i = 0; i < n; i++) {
        size_t lw = line_width(lines[i]);
        if (lw > width) fail_msg("line %zu is %zu columns wide (max %zu)", i, lw, width);
        assert_true(lines[i][0] == ' '); /* numbers and continuations are indented */
    }
    /* nothing lost or reordered: same characters as the escaped steps */
    for (size_t i = 0; i < ex->n_steps; i++) {
        const wf_step *s = &ex->steps[i];
        char t[WF_TIME_BUFSZ];
        wf_buf e = WF_BUF_INIT;
        wf_buf_printf(&e, "%zu.%s%s", s->n, s->at == WF_TIME_NONE ? "" : wf_time_short(s->at, t),
                      s->rule == R_NONE ? "" : wf_rule_id(s->rule));
        wf_text_escape(&e, s->text);
        squeeze(&a, wf_buf_str(&e), NULL);
        wf_buf_free(&e);
    }
    squeeze(&w, lines[0], strchr(lines[n - 1], '\n'));
    assert_string_equal(wf_buf_str(&w), wf_buf_str(&a));
    assert_non_null(strstr(wf_buf_str(&b), "\\u202E")); /* the escape is never cut */
    wf_buf_free(&a);
    wf_buf_free(&w);
    wf_buf_free(&b);
}

static void text_wraps_to_width(void **state)
{
    fx x;
    wrap_facts(&x);
    wf_explanation *ex = fx_explain(state, &x);
    check_wrapped(ex, 80);
    check_wrapped(ex, 60);
    check_wrapped(ex, 41);
    wf_explanation_free(&ex);
}

/* The hanging indent: continuation lines start under the text column. */
static void text_hanging_indent(void **state)
{
    fx x;
    worked_example_facts(&x);
    wf_explanation *ex = fx_explain(state, &x);
    wf_buf b = WF_BUF_INIT;
    assert_int_equal(wf_explanation_text(ex, &b), WF_OK); /* 80 columns */
    const char *lines[64];
    size_t n = why_lines(wf_buf_str(&b), lines, 64);
    int continued = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(line_width(lines[i]) <= 80);
        if (lines[i][3] == '.') continue; /* "  1. 2024-..." */
        continued++;
        assert_int_equal(strspn(lines[i], " "), 28);
    }
    assert_true(continued > 0);
    assert_non_null(strstr(wf_buf_str(&b), "  2. 2024-09-18 14:30  C03  The form"));
    wf_buf_free(&b);
    wf_explanation_free(&ex);
}

static void text_narrow_width_is_clamped(void **state)
{
    fx x;
    worked_example_facts(&x);
    wf_explanation *ex = fx_explain(state, &x);
    wf_buf b = WF_BUF_INIT;
    assert_int_equal(wf_explanation_text_width(ex, 5, &b), WF_OK);
    const char *lines[128];
    size_t n = why_lines(wf_buf_str(&b), lines, 128);
    for (size_t i = 0; i < n; i++)
        assert_true(line_width(lines[i]) <= 40);
    wf_buf_free(&b);
    wf_explanation_free(&ex);
}

static void json_creation_description_tracked_form(void **state)
{
    fx x;
    fx_init(&x, 7, "2024-05-01T12:00:00Z", "FORM", "f-1");
    fx_form(&x, "2024-05-01T12:00:00Z", "f-1", "t1", 0);
    fx_pv(&x, "t1", 0, "2024-05-01T11:50:00Z", HOME, "https://www.google.com/");
    wf_explanation *ex = fx_explain(state, &x);
    cJSON *j = wf_explanation_json(ex);
    const char *d = gets(get(j, "creation"), "description");
    assert_string_equal(d, "a HubSpot form on a tracked page of the site created it");
    assert_true(cJSON_IsFalse(get(get(j, "creation"), "offline")));
    wf_buf b = WF_BUF_INIT;
    assert_int_equal(wf_explanation_text(ex, &b), WF_OK);
    assert_null(strstr(wf_buf_str(&b), "filtered"));
    wf_buf_free(&b);
    cJSON_Delete(j);
    wf_explanation_free(&ex);
}

/* ---- through the store and the binary ---- */

static char db_path[4096];

/* A contact whose explanation is bigger than a pipe buffer. */
static wf_status write_long_url_contact(const char *tmp, wf_store *s, char *err, size_t errsz)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/engine_long_%ld.ndjson", tmp, (long)getpid());
    FILE *fp = fopen(path, "w");
    if (!fp) return WF_E_IO;
    fputs("{\"type\":\"contact\",\"id\":7001,\"created_at\":\"2024-01-01T00:00:00Z\","
          "\"channel\":\"IMPORT\",\"channel_detail\":\"1\"}\n"
          "{\"type\":\"pageview\",\"contact\":7001,\"at\":\"2023-01-01T00:00:00Z\","
          "\"url\":\"https://www.example.com/?utm_source=",
          fp);
    for (int i = 0; i < 200000; i++)
        fputc('a' + i % 26, fp);
    fputs("\"}\n", fp);
    fclose(fp);
    const char *paths[] = {path};
    wf_import_opts o = {.format = "ndjson"};
    wf_import_report rep;
    wf_status st = wf_import_files(s, paths, 1, &o, &rep, err, errsz);
    unlink(path);
    return st;
}

static int store_setup(void **state)
{
    if (fx_engine_setup(state)) return -1;
    const char *tmp = getenv("TESTS_TMPDIR");
    const char *src = getenv("WHEREFROM_SRCDIR");
    if (!tmp || !src) return -1;
    snprintf(db_path, sizeof db_path, "%s/engine_explain_%ld.db", tmp, (long)getpid());
    unlink(db_path);
    char fixture[4096], err[1024] = "";
    snprintf(fixture, sizeof fixture, "%s/tests/fixtures/engine/worked_example.ndjson", src);
    wf_store *s = NULL;
    if (wf_store_open(db_path, WF_STORE_CREATE, &s, err, sizeof err) != WF_OK) {
        fprintf(stderr, "setup: %s\n", err);
        return -1;
    }
    const char *paths[] = {fixture};
    wf_import_opts o = {.format = "ndjson"};
    wf_import_report rep;
    wf_status st = wf_import_files(s, paths, 1, &o, &rep, err, sizeof err);
    if (st == WF_OK) st = write_long_url_contact(tmp, s, err, sizeof err);
    if (st == WF_OK) st = wf_recompute(s, *state, 0);
    wf_store_close(&s);
    if (st != WF_OK) fprintf(stderr, "setup: %s %s\n", wf_status_message(st), err);
    return st == WF_OK ? 0 : -1;
}

static int store_teardown(void **state)
{
    unlink(db_path);
    return fx_engine_teardown(state);
}

static void worked_example_through_store(void **state)
{
    char err[512];
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(db_path, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    int64_t id = 0;
    assert_int_equal(wf_store_find_contact(s, "KB.Story@example.org", &id), WF_OK);
    wf_facts *f = NULL;
    assert_int_equal(wf_store_load_facts(s, id, &f), WF_OK);
    wf_explanation *ex = NULL;
    assert_int_equal(wf_explain(*state, f, &ex), WF_OK);
    cJSON *j = wf_explanation_json(ex);
    check_all_keys(j);
    check_worked_json(j);
    const cJSON *rec = get(j, "reconciliation");
    assert_int_equal(cJSON_GetArraySize(rec), 2);
    assert_string_equal(gets(cJSON_GetArrayItem(rec, 1), "cause"), "earlier-visit-found");
    assert_true(cJSON_IsTrue(get(cJSON_GetArrayItem(rec, 1), "explained")));
    cJSON_Delete(j);
    wf_explanation_free(&ex);
    wf_facts_free(&f);
    wf_store_close(&s);
}

static void recompute_fills_cache(void **state)
{
    (void)state;
    char err[512];
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(db_path, WF_STORE_READONLY, &s, err, sizeof err), WF_OK);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(s),
                                        "SELECT source, rule, via, eff_source, n_changes, flags,"
                                        " first_session_at FROM computed WHERE contact=5001",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ORGANIC_SEARCH");
    assert_string_equal((const char *)sqlite3_column_text(st, 1), "S11");
    assert_string_equal((const char *)sqlite3_column_text(st, 2), "C04");
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "ORGANIC_SEARCH");
    assert_int_equal(sqlite3_column_int(st, 4), 2);
    assert_true(sqlite3_column_int(st, 5) & F_CHANGED);
    assert_int_equal(sqlite3_column_int64(st, 6), T("2024-03-12T10:00:00Z"));
    sqlite3_finalize(st);
    wf_store_close(&s);
}

/* Runs the binary through the shell; returns its exit status. */
static int sh(const char *args, const char *pipe_to, char *out, size_t outsz)
{
    const char *bin = getenv("WHEREFROM_BIN");
    assert_non_null(bin);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' explain --db '%s' %s 2>&1 %s; echo \"rc=$?\"", bin, db_path,
             args, pipe_to ? pipe_to : "");
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, outsz - 1, p);
    out[n] = 0;
    pclose(p);
    const char *rc = strstr(out, "rc=");
    assert_non_null(rc);
    return atoi(rc + 3);
}

static void cli_json(void **state)
{
    (void)state;
    static char out[65536];
    assert_int_equal(sh("--json 5001", NULL, out, sizeof out), 0);
    *strstr(out, "rc=") = 0;
    cJSON *j = cJSON_Parse(out);
    assert_non_null(j);
    check_worked_json(j);
    cJSON_Delete(j);
}

static void cli_no_such_contact(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(sh("424242", NULL, out, sizeof out), 66);
    assert_non_null(strstr(out, "no such contact"));
    assert_int_equal(sh("nobody@example.org", NULL, out, sizeof out), 66);
}

static void cli_usage_errors(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(sh("", NULL, out, sizeof out), 2);
    assert_int_equal(sh("--bogus 5001", NULL, out, sizeof out), 2);
    assert_int_equal(sh("5001 5002", NULL, out, sizeof out), 2);
}

/* explain | head: stderr and the exit status of explain go around head */
static void cli_pipe_closed_early(void **state)
{
    (void)state;
    const char *bin = getenv("WHEREFROM_BIN");
    const char *heads[] = {"head -1", "head -c 10"};
    const char *who[] = {"6001", "7001"}; /* 7001's steps hold a 200 kB URL */
    for (int i = 0; i < 2; i++) {
        char cmd[8192], out[4096];
        snprintf(cmd, sizeof cmd,
                 "{ { '%s' explain --db '%s' %s 2>&3; echo \"xrc=$?\" >&3; } | %s >/dev/null; }"
                 " 3>&1",
                 bin, db_path, who[i], heads[i]);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        size_t n = fread(out, 1, sizeof out - 1, p);
        out[n] = 0;
        pclose(p);
        assert_null(strstr(out, "wherefrom:"));
        assert_non_null(strstr(out, "xrc=0"));
    }
}

static void cli_text_escaped(void **state)
{
    (void)state;
    static char out[65536];
    assert_int_equal(sh("esc@example.org", NULL, out, sizeof out), 0);
    for (const char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\n') fail_msg("raw control byte 0x%02x", *p);
    assert_non_null(strstr(out, "\\e[31m"));
    assert_non_null(strstr(out, "\\u202E") ? strstr(out, "\\u202E") : strstr(out, "\\u202e"));
}

/* COLUMNS sets the wrap width; into a pipe without it, 80. */
static void cli_text_wraps_to_columns(void **state)
{
    (void)state;
    static char out[65536];
    const char *old = getenv("COLUMNS");
    char *saved = old ? strdup(old) : NULL;
    size_t widths[] = {60, 80};
    for (int k = 0; k < 2; k++) {
        if (k == 0)
            setenv("COLUMNS", "60", 1);
        else
            unsetenv("COLUMNS");
        assert_int_equal(sh("5001", NULL, out, sizeof out), 0);
        const char *lines[64];
        size_t n = why_lines(out, lines, 64);
        assert_true(n >= 5);
        for (size_t i = 0; i < n; i++)
            if (line_width(lines[i]) > widths[k])
                fail_msg("COLUMNS %s: line %zu too wide", k ? "unset" : "60", i);
        assert_non_null(strstr(out, "2024-09-18 14:30  C03"));
        assert_non_null(strstr(out, "\xe2\x9c\x93 Matches HubSpot's stored value"));
    }
    if (saved) setenv("COLUMNS", saved, 1);
    free(saved);
}

static int64_t sql_int(wf_store *s, const char *q)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(wf_store_db(s), q, -1, &st, NULL), SQLITE_OK);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return v;
}

/* only_touched refreshes exactly the contacts in temp.touched; without
 * that table it does nothing; wf_recompute_one picks up an override. */
static void recompute_touched_and_one(void **state)
{
    char err[512];
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(db_path, 0, &s, err, sizeof err), WF_OK);
    assert_int_equal(wf_store_exec(s, "DELETE FROM computed"), WF_OK);
    assert_int_equal(wf_recompute(s, *state, 1), WF_OK); /* no temp.touched yet */
    assert_int_equal(sql_int(s, "SELECT count(*) FROM computed"), 0);
    assert_int_equal(wf_store_exec(s, "CREATE TEMP TABLE touched(contact INTEGER PRIMARY KEY);"
                                      "INSERT INTO temp.touched VALUES(6001)"),
                     WF_OK);
    assert_int_equal(wf_recompute(s, *state, 1), WF_OK);
    assert_int_equal(sql_int(s, "SELECT count(*) FROM computed"), 1);
    assert_int_equal(sql_int(s, "SELECT contact FROM computed"), 6001);
    assert_int_equal(wf_store_exec(s, "INSERT INTO overrides(contact, at, user, action, source,"
                                      " reason, computed_source) VALUES(6001, 1727740800000,"
                                      " 'ana', 'set', 'PAID_SEARCH', 'partner deal', 'OFFLINE')"),
                     WF_OK);
    assert_int_equal(wf_recompute_one(s, *state, 6001), WF_OK);
    assert_int_equal(sql_int(s, "SELECT eff_source = 'PAID_SEARCH' AND source <> 'PAID_SEARCH'"
                                " FROM computed WHERE contact=6001"),
                     1);
    int64_t flags = sql_int(s, "SELECT flags FROM computed WHERE contact=6001");
    assert_true(flags & F_OVERRIDDEN);
    assert_true(flags & F_OVERRIDE_DRIFT);
    /* leave the cache as the other tests expect it */
    assert_int_equal(wf_recompute(s, *state, 0), WF_OK);
    wf_store_close(&s);
}

/* The cache refresh (bulk loader) agrees with explain (store loader) on
 * every demo contact, merged ones included. */
static void recompute_matches_explain_on_demo(void **state)
{
    const char *tmp = getenv("TESTS_TMPDIR"), *data = getenv("WHEREFROM_DATADIR");
    char path[4096], demo[4096], err[1024] = "";
    snprintf(path, sizeof path, "%s/engine_demo_%ld.db", tmp, (long)getpid());
    snprintf(demo, sizeof demo, "%s/demo.ndjson", data);
    unlink(path);
    wf_store *s = NULL;
    assert_int_equal(wf_store_open(path, WF_STORE_CREATE, &s, err, sizeof err), WF_OK);
    const char *paths[] = {demo};
    wf_import_opts o = {.format = "ndjson"};
    wf_import_report rep;
    assert_int_equal(wf_import_files(s, paths, 1, &o, &rep, err, sizeof err), WF_OK);
    assert_int_equal(wf_recompute(s, *state, 0), WF_OK);
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(wf_store_db(s),
                           "SELECT c.id, k.source, k.dd1, k.dd2, k.flags FROM contacts c"
                           " LEFT JOIN computed k ON k.contact=c.id"
                           " WHERE c.merged_into IS NULL",
                           -1, &st, NULL),
        SQLITE_OK);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        wf_facts *f = NULL;
        wf_explanation *ex = NULL;
        assert_int_equal(wf_store_load_facts(s, sqlite3_column_int64(st, 0), &f), WF_OK);
        assert_int_equal(wf_explain(*state, f, &ex), WF_OK);
        assert_non_null(sqlite3_column_text(st, 1));
        assert_string_equal((const char *)sqlite3_column_text(st, 1), ex->computed.value.source);
        assert_string_equal((const char *)sqlite3_column_text(st, 2), ex->computed.value.dd1);
        assert_string_equal((const char *)sqlite3_column_text(st, 3), ex->computed.value.dd2);
        assert_int_equal((unsigned)sqlite3_column_int(st, 4), ex->flags);
        wf_explanation_free(&ex);
        wf_facts_free(&f);
        n++;
    }
    sqlite3_finalize(st);
    assert_true(n >= 10);
    wf_store_close(&s);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(worked_example_json_by_hand),
        cmocka_unit_test(worked_example_evidence),
        cmocka_unit_test(flags_and_override_json),
        cmocka_unit_test(text_is_escaped),
        cmocka_unit_test(text_wraps_to_width),
        cmocka_unit_test(text_hanging_indent),
        cmocka_unit_test(text_narrow_width_is_clamped),
        cmocka_unit_test(json_creation_description_tracked_form),
    };
    const struct CMUnitTest store[] = {
        cmocka_unit_test(worked_example_through_store),
        cmocka_unit_test(recompute_fills_cache),
        cmocka_unit_test(recompute_matches_explain_on_demo),
        cmocka_unit_test(recompute_touched_and_one),
        cmocka_unit_test(cli_json),
        cmocka_unit_test(cli_no_such_contact),
        cmocka_unit_test(cli_usage_errors),
        cmocka_unit_test(cli_pipe_closed_early),
        cmocka_unit_test(cli_text_escaped),
        cmocka_unit_test(cli_text_wraps_to_columns),
    };
    int r = cmocka_run_group_tests_name("explain", pure, fx_engine_setup, fx_engine_teardown);
    r += cmocka_run_group_tests_name("explain-store", store, store_setup, store_teardown);
    return r;
}
