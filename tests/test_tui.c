/* Screen tests: the inspector drawn into an in-memory curses screen
 * (newterm on /dev/null), driven through the command dispatcher, rows read
 * back and compared with named expectation files in tests/expect/.
 * WF_UPDATE_EXPECT=1 rewrites the expectation files instead. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "core/text.h"
#include "store/overrides.h"
#include "tui/app.h"
#include "tui_fixture.h"

typedef struct {
    wf_store *s;
    wf_app a;
    SCREEN *sp;
    FILE *null;
    wf_buf text;
} T;

static T *start(const char *db, unsigned flags, int cols, int rows)
{
    T *t = calloc(1, sizeof *t);
    if (flags & WF_STORE_READONLY) {
        wf_store *w = fix_build(db);
        wf_store_close(&w);
        t->s = fix_open(db, flags);
    } else {
        t->s = fix_build(db);
    }
    char err[256];
    assert_int_equal(wf_app_init(&t->a, t->s, err, sizeof err), WF_OK);
    t->null = fopen("/dev/null", "r+");
    t->sp = newterm("xterm-256color", t->null, t->null);
    if (!t->sp) t->sp = newterm("vt100", t->null, t->null);
    assert_non_null(t->sp);
    set_term(t->sp);
    resize_term(rows, cols);
    wf_tui_colors_init(&t->a);
    t->a.headless = 1;
    wf_app_apply(&t->a, wf_app_start(&t->a));
    wf_app_count(&t->a);
    return t;
}

static void stop(T *t)
{
    wf_app_fini(&t->a);
    endwin();
    delscreen(t->sp);
    fclose(t->null);
    wf_store_close(&t->s);
    wf_buf_free(&t->text);
    free(t);
}

static int run(T *t, const char *cmd)
{
    int ch = wf_cmd_run(&t->a, cmd);
    wf_app_apply(&t->a, ch);
    return ch;
}

static const char *screen(T *t)
{
    wf_buf_clear(&t->text);
    wf_screen_draw(&t->a);
    wf_screen_text(&t->a, &t->text);
    return wf_buf_str(&t->text);
}

/* Row y of the screen (0-based) into buf. */
static const char *line(T *t, int y, char *buf, size_t sz)
{
    const char *p = screen(t);
    for (int i = 0; i < y && p; i++) {
        p = strchr(p, '\n');
        if (p) p++;
    }
    if (!p) return "";
    size_t n = strcspn(p, "\n");
    snprintf(buf, sz, "%.*s", (int)n, p);
    return buf;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    wf_buf b = WF_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        wf_buf_add(&b, chunk, n);
    fclose(f);
    wf_buf_putc(&b, 0);
    return wf_buf_take(&b);
}

static void expect_screen(T *t, const char *name)
{
    char path[1024];
    const char *src = getenv("WHEREFROM_SRCDIR");
    snprintf(path, sizeof path, "%s/tests/expect/%s.txt", src ? src : ".", name);
    const char *now = screen(t);
    if (getenv("WF_UPDATE_EXPECT")) {
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(now, f);
        fclose(f);
        return;
    }
    char *want = read_all(path);
    if (!want) fail_msg("missing expectation file %s", path);
    if (strcmp(want, now) != 0) {
        fprintf(stderr, "screen differs from %s:\n%s", path, now);
        free(want);
        /* detail views show the engine's sentences: when those change on
         * purpose, regenerate with WF_UPDATE_EXPECT=1 and review the diff */
        fail_msg("screen differs from tests/expect/%s.txt (intended? rerun with "
                 "WF_UPDATE_EXPECT=1 and review git diff tests/expect)",
                 name);
    }
    free(want);
}

static int64_t selected(T *t)
{
    const wf_row *r = wf_list_selected(&t->a);
    return r ? r->id : -1;
}

/* ---- list ------------------------------------------------------------------------ */

static void list_80x24(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    expect_screen(t, "list-80x24");
    assert_int_equal(selected(t), FIX_CJK);
    stop(t);
}

static void list_60x15_smallest(void **state)
{
    (void)state;
    T *t = start("screen", 0, 60, 15);
    expect_screen(t, "list-60x15");
    stop(t);
}

static void too_small_notice(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "resize 50x12");
    expect_screen(t, "too-small-50x12");
    assert_non_null(strstr(screen(t), "needs at least 60x15 (now 50x12)"));
    stop(t);
}

static void resize_keeps_selection(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "select 150");
    assert_int_equal(selected(t), 150);
    run(t, "resize 100x30");
    assert_int_equal(selected(t), 150);
    run(t, "resize 50x12");
    run(t, "resize 60x15");
    assert_int_equal(selected(t), 150);
    char buf[512];
    line(t, 2 + (int)t->a.cur, buf, sizeof buf);
    assert_true(strncmp(buf, "150 ", 4) == 0);
    run(t, "resize 132x43");
    expect_screen(t, "list-resized-132x43");
    stop(t);
}

static void cjk_name_keeps_columns_aligned(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    char cjk[512], plain[512];
    line(t, 2, cjk, sizeof cjk);     /* 1001 山田 太郎 */
    line(t, 6, plain, sizeof plain); /* 1 First1 Last1 */
    assert_non_null(strstr(cjk, "\xe5\xb1\xb1\xe7\x94\xb0 \xe5\xa4\xaa\xe9\x83\x8e"));
    const char *d1 = strstr(cjk, "2023-11-22"), *d2 = strstr(plain, "2024-01-01");
    assert_non_null(d1);
    assert_non_null(d2);
    char a[512], b[512];
    snprintf(a, sizeof a, "%.*s", (int)(d1 - cjk), cjk);
    snprintf(b, sizeof b, "%.*s", (int)(d2 - plain), plain);
    assert_int_equal(wf_text_width(a), wf_text_width(b));
    stop(t);
}

static void hostile_name_is_escaped(void **state)
{
    (void)state;
    T *t = start("screen", 0, 120, 30);
    const char *s = screen(t);
    assert_null(strchr(s, '\x1b'));
    assert_null(strchr(s, '\x07'));
    assert_null(strstr(s, "\xe2\x80\xae"));
    assert_non_null(strstr(s, "\\e]0;pwned\\x07 Eve \\u202Eevil"));
    run(t, "open 1002");
    s = screen(t);
    assert_null(strchr(s, '\x1b'));
    assert_non_null(strstr(s, "#1002 \\e]0;pwned\\x07 Eve"));
    stop(t);
}

/* Outside a UTF-8 locale every cell is ASCII and the columns still line up
 * (CJK and glyphs get one-column stand-ins). */
static void non_utf8_locale_draws_ascii(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    t->a.utf8 = 0;
    const char *s = screen(t);
    for (const char *p = s; *p; p++)
        assert_true((unsigned char)*p < 0x80);
    char cjk[256], plain[256];
    line(t, 2, cjk, sizeof cjk);
    line(t, 6, plain, sizeof plain);
    assert_int_equal(strstr(cjk, "2023-11-22") - cjk, strstr(plain, "2024-01-01") - plain);
    line(t, 4, cjk, sizeof cjk);
    assert_non_null(strstr(cjk, "#~m")); /* markers of 1003 */
    stop(t);
}

static void no_color_gives_monochrome_roles(void **state)
{
    (void)state;
    setenv("NO_COLOR", "1", 1);
    T *t = start("screen", 0, 80, 24);
    unsetenv("NO_COLOR");
    assert_false(t->a.use_color);
    assert_int_equal(t->a.attr[ROLE_CURSOR], A_REVERSE);
    assert_int_equal(t->a.attr[ROLE_TITLE], A_REVERSE);
    expect_screen(t, "list-80x24"); /* readable without colour: same text */
    chtype c = mvwinch(stdscr, 2, 0);
    assert_true(c & A_REVERSE); /* the selection is still visible */
    stop(t);
}

static void markers_show_in_the_list(void **state)
{
    (void)state;
    char buf[32];
    wf_list_markers(F_STORED_DIFFERS | F_CHANGED | F_MERGED, buf, sizeof buf);
    assert_string_equal(buf, "\xe2\x89\xa0~m");
    wf_list_markers(F_OVERRIDDEN | F_API_RACE, buf, sizeof buf);
    assert_string_equal(buf, "*!");
    T *t = start("screen", 0, 80, 24);
    char l[512];
    line(t, 4, l, sizeof l); /* 1003 */
    assert_non_null(strstr(l, "1003"));
    assert_non_null(strstr(l, "\xe2\x89\xa0~m"));
    assert_non_null(strstr(l, "Organic search")); /* effective, from the cache */
    stop(t);
}

static void layout_fits_every_width(void **state)
{
    (void)state;
    for (int width = 40; width <= 300; width++) {
        int w[COL_COUNT], sum = 0, n = 0;
        wf_list_layout(width, width % 9 + 1, w);
        for (int c = 0; c < COL_COUNT; c++)
            if (w[c]) sum += w[c], n++;
        assert_true(sum + n - 1 <= width);
        assert_true(w[COL_NAME] >= 10);
        assert_int_equal(w[COL_CREATED], 10);
        assert_true(w[COL_ID] >= 2 && w[COL_ID] >= (width % 9 + 1 < 4 ? 2 : 4));
        if (width >= 60) assert_true(w[COL_SOURCE] >= 8);
    }
}

/* ---- moving ---------------------------------------------------------------------- */

static void keys_move_through_the_key_table(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "keys jjj");
    assert_int_equal(selected(t), FIX_COMBINING);
    run(t, "keys k");
    assert_int_equal(selected(t), FIX_MERGED);
    run(t, "keys G");
    assert_int_equal(selected(t), 200);
    assert_int_equal(t->a.cur, (size_t)t->a.list_h - 1);
    run(t, "keys g");
    assert_int_equal(selected(t), FIX_CJK);
    run(t, "keys <PgDn>");
    assert_int_equal(selected(t), 18); /* one page (21 rows) on: 3 specials, then 1..18 */
    run(t, "page-up");
    assert_int_equal(selected(t), FIX_CJK);
    run(t, "keys <End>");
    assert_int_equal(selected(t), 200);
    run(t, "down");
    assert_int_equal(selected(t), 200);
    stop(t);
}

static void page_down_scrolls_a_full_page(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "keys jj");
    int64_t before = selected(t);
    size_t cur = t->a.cur;
    run(t, "page-down");
    assert_int_equal(t->a.cur, cur); /* same screen row */
    assert_true(selected(t) != before);
    run(t, "page-down");
    run(t, "page-up");
    run(t, "page-up");
    assert_int_equal(selected(t), before);
    stop(t);
}

/* ---- search, filter, sort ----------------------------------------------------------- */

static void search_next_prev_and_not_found(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "search first12");
    assert_int_equal(selected(t), 12);
    run(t, "search-next");
    assert_int_equal(selected(t), 120);
    run(t, "keys N");
    assert_int_equal(selected(t), 12);
    int ch = run(t, "search nobody-like-this");
    assert_true(ch & WF_CH_ERROR);
    char l[256];
    assert_non_null(strstr(line(t, 23, l, sizeof l), "not found: nobody-like-this"));
    assert_int_equal(selected(t), 12);
    stop(t);
}

static void search_prompt_typed(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "keys /first7");
    char l[256];
    assert_string_equal(line(t, 23, l, sizeof l), "/first7");
    run(t, "keys <BS>8<Enter>");
    assert_int_equal(selected(t), 8);
    assert_int_equal(t->a.prompt.kind, PROMPT_NONE);
    stop(t);
}

static void search_is_incremental_and_esc_goes_back(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "keys /first12");
    assert_int_equal(selected(t), 12); /* moved while typing */
    run(t, "keys <BS>");
    assert_int_equal(selected(t), 1); /* "first1" from where the prompt opened */
    run(t, "keys <Esc>");
    assert_int_equal(selected(t), FIX_CJK);
    assert_int_equal(t->a.prompt.kind, PROMPT_NONE);
    run(t, "keys /first12<Enter>");
    assert_int_equal(selected(t), 12); /* Enter keeps the match */
    run(t, "keys n");
    assert_int_equal(selected(t), 120);
    stop(t);
}

static void filter_shown_and_cleared(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "filter channel=IMPORT created=2024-01-01..2024-01-31");
    wf_app_count(&t->a);
    expect_screen(t, "filter-80x24");
    for (size_t i = 0; i < t->a.n_win; i++)
        assert_string_equal(t->a.win[i].channel, "IMPORT");
    run(t, "keys x");
    wf_app_count(&t->a);
    char l[256];
    assert_null(strstr(line(t, 0, l, sizeof l), "filter:"));
    assert_non_null(strstr(l, "204 contacts"));
    stop(t);
}

static void filter_prompt_and_errors(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "keys fsource=offline<Enter>");
    char l[256];
    assert_non_null(strstr(line(t, 0, l, sizeof l), "filter: source=OFFLINE"));
    int ch = run(t, "filter colour=red");
    assert_true(ch & WF_CH_ERROR);
    assert_non_null(strstr(line(t, 23, l, sizeof l), "unknown filter 'colour'"));
    assert_non_null(strstr(line(t, 0, l, sizeof l), "filter: source=OFFLINE")); /* kept */
    run(t, "filter marker=nothing-matches-this-marker");
    run(t, "filter marker=overridden");
    assert_int_equal(t->a.n_win, 0);
    assert_non_null(strstr(screen(t), "No contact matches the filter"));
    stop(t);
}

static void sort_cycles(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "keys s");
    char l[256];
    assert_non_null(strstr(line(t, 0, l, sizeof l), "sort: id"));
    assert_int_equal(selected(t), FIX_CJK); /* the selection survives the sort */
    run(t, "first");
    assert_int_equal(selected(t), 1);
    run(t, "sort source");
    run(t, "first");
    assert_string_equal(wf_list_selected(&t->a)->source, "OFFLINE");
    assert_true(run(t, "sort colour") & WF_CH_ERROR);
    stop(t);
}

/* ---- detail -------------------------------------------------------------------------- */

static void detail_full_screen_when_narrow(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "keys jjjj<Enter>");
    assert_int_equal(t->a.detail.id, 1);
    assert_false(t->a.side);
    char l[256];
    assert_string_equal(line(t, 1, l, sizeof l), "#1 First1 Last1 <person1@example.org>");
    assert_non_null(strstr(line(t, 2, l, sizeof l), "[1 Overview] [2 Timeline] [3 Why]"));
    assert_non_null(strstr(screen(t), "Channel         FORM"));
    run(t, "keys q");
    assert_int_equal(t->a.detail.id, 0);
    assert_int_equal(selected(t), 1);
    stop(t);
}

static void detail_side_by_side_when_wide(void **state)
{
    (void)state;
    T *t = start("screen", 0, 130, 30);
    run(t, "open 5");
    assert_true(t->a.side);
    char l[512];
    line(t, 3, l, sizeof l);
    assert_non_null(strstr(l, "\xe2\x94\x82")); /* the separator */
    assert_non_null(strstr(line(t, 1, l, sizeof l), "#5 First5 Last5"));
    assert_non_null(strstr(l, "Name / email"));
    run(t, "resize 100x30"); /* narrower: the detail takes the screen */
    assert_false(t->a.side);
    assert_null(strstr(line(t, 1, l, sizeof l), "Name / email"));
    stop(t);
}

static void tabs_switch_by_name_number_and_tab(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "open 1003");
    run(t, "tab why");
    assert_int_equal(t->a.detail.tab, TAB_WHY);
    run(t, "keys <Tab>");
    assert_int_equal(t->a.detail.tab, TAB_HISTORY);
    run(t, "keys <Tab>");
    assert_int_equal(t->a.detail.tab, TAB_OVERVIEW);
    run(t, "keys 2");
    assert_int_equal(t->a.detail.tab, TAB_TIMELINE);
    assert_true(run(t, "tab bogus") & WF_CH_ERROR);
    assert_int_equal(t->a.detail.tab, TAB_TIMELINE);
    stop(t);
}

/* The Why tab shows every step text of the engine's explanation, in order
 * (wrapped lines joined again). */
static void why_tab_says_what_explain_says(void **state)
{
    (void)state;
    T *t = start("screen", 0, 100, 40);
    run(t, "open 1003");
    run(t, "tab why");
    const wf_explanation *x = t->a.detail.x;
    assert_non_null(x);
    assert_true(x->n_steps > 0);
    wf_buf joined = WF_BUF_INIT, esc = WF_BUF_INIT;
    for (const char *p = screen(t); *p; p++) {
        if (*p == '\n') {
            while (p[1] == ' ')
                p++;
            wf_buf_putc(&joined, ' ');
        } else {
            wf_buf_putc(&joined, *p);
        }
    }
    const char *pos = wf_buf_str(&joined);
    for (size_t i = 0; i < x->n_steps; i++) {
        wf_tui_escape(&esc, x->steps[i].text);
        const char *hit = strstr(pos, wf_buf_str(&esc));
        if (!hit) fail_msg("step %zu missing: %s\nscreen: %s", i + 1, wf_buf_str(&esc), pos);
        pos = hit;
    }
    wf_buf_free(&joined);
    wf_buf_free(&esc);
    stop(t);
}

static void why_enter_jumps_to_evidence(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "open 1003");
    run(t, "tab why");
    const wf_explanation *x = t->a.detail.x;
    size_t s = 0;
    while (s < x->n_steps && !x->steps[s].n_evidence)
        s++;
    if (s == x->n_steps) skip();
    for (size_t i = 0; i < s; i++)
        run(t, "down");
    run(t, "enter");
    assert_int_equal(t->a.detail.tab, TAB_TIMELINE);
    assert_int_equal(t->a.detail.mark_timeline, (int)x->steps[s].evidence[0]);
    stop(t);
}

static void detail_tabs_80x24(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "open 1003");
    expect_screen(t, "detail-overview-80x24");
    run(t, "tab timeline");
    expect_screen(t, "detail-timeline-80x24");
    run(t, "tab why");
    expect_screen(t, "detail-why-80x24");
    run(t, "tab history");
    expect_screen(t, "detail-history-80x24");
    stop(t);
}

static void detail_side_by_side_130x30(void **state)
{
    (void)state;
    T *t = start("screen", 0, 130, 30);
    run(t, "open 1003");
    expect_screen(t, "detail-overview-side-130x30");
    stop(t);
}

/* Every contact of the bundled demo data opens and explains on screen. */
static void every_demo_contact_opens(void **state)
{
    (void)state;
    T *t = start("screen-demo", 0, 100, 30);
    sqlite3 *db = wf_store_db(t->s);
    assert_int_equal(sqlite3_exec(db,
                                  "DELETE FROM pageviews; DELETE FROM tokens;"
                                  " DELETE FROM forms; DELETE FROM history;"
                                  " DELETE FROM computed; DELETE FROM contacts",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    char err[512] = "";
    if (wf_cli_load_demo(t->s, err, sizeof err) != WF_OK) fail_msg("demo: %s", err);
    run(t, "reload");
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT id FROM contacts WHERE merged_into IS NULL", -1, &st, NULL),
        SQLITE_OK);
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char cmd[64];
        snprintf(cmd, sizeof cmd, "open %lld", (long long)sqlite3_column_int64(st, 0));
        assert_false(run(t, cmd) & WF_CH_ERROR);
        assert_non_null(t->a.detail.x);
        assert_string_equal(t->a.detail.error, "");
        assert_true(t->a.detail.x->n_steps > 0);
        for (int tab = 0; tab < 4; tab++) {
            run(t, "tab next");
            assert_null(strchr(screen(t), '\x1b'));
        }
        n++;
    }
    sqlite3_finalize(st);
    assert_true(n >= 30);
    stop(t);
}

static void clicks_select_rows_and_tabs(void **state)
{
    (void)state;
    T *t = start("screen", 0, 130, 30);
    run(t, "click 3 6"); /* screen row 6: the 5th contact, id 1 */
    assert_int_equal(selected(t), 1);
    run(t, "open 1");
    int x = t->a.list_w + 1;
    run(t, "click 0 0");
    assert_int_equal(t->a.detail.tab, TAB_OVERVIEW);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "click %d 2", x + 15); /* "[2 Timeline]" starts at 13 */
    run(t, cmd);
    assert_int_equal(t->a.detail.tab, TAB_TIMELINE);
    snprintf(cmd, sizeof cmd, "click %d 2", x + 27); /* "[3 Why]" at 26..32 */
    run(t, cmd);
    assert_int_equal(t->a.detail.tab, TAB_WHY);
    snprintf(cmd, sizeof cmd, "click %d 2", x + 36); /* "[4 History]" at 34.. */
    run(t, cmd);
    assert_int_equal(t->a.detail.tab, TAB_HISTORY);
    run(t, "click 3 7"); /* a list row beside the detail opens that contact */
    assert_int_equal(t->a.detail.id, selected(t));
    assert_int_equal(selected(t), 2);
    assert_true(run(t, "click here") & WF_CH_ERROR);
    stop(t);
}

/* ---- help, prompt, dialogs ------------------------------------------------------------ */

static void help_screen_from_the_key_table(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "keys ?");
    expect_screen(t, "help-80x24");
    run(t, "page-down");
    assert_non_null(strstr(screen(t), "Markers in the list"));
    run(t, "keys q");
    assert_false(t->a.help);
    assert_false(t->a.quit);
    stop(t);
}

static void command_prompt_history(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "keys :sort id<Enter>");
    assert_int_equal(wf_rows_sort(t->a.rows), WF_SORT_ID);
    run(t, "keys :<Up>");
    char l[256];
    assert_string_equal(line(t, 23, l, sizeof l), ":sort id");
    run(t, "keys <Esc>");
    assert_int_equal(t->a.prompt.kind, PROMPT_NONE);
    assert_true(run(t, "frobnicate") & WF_CH_ERROR);
    assert_non_null(strstr(line(t, 23, l, sizeof l), "unknown command 'frobnicate'"));
    stop(t);
}

static void override_dialog_saves_and_undo_reverts(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "select 5");
    run(t, "keys O");
    assert_true(t->a.dialog.open);
    const char *s = screen(t);
    assert_non_null(strstr(s, "Override the original source of #5"));
    assert_non_null(strstr(s, "Reason:"));
    /* Enter without a reason keeps the dialog open */
    run(t, "keys <Enter>");
    assert_true(t->a.dialog.open);
    assert_int_equal(t->a.dialog.field, 3);
    run(t, "keys <Up><Up><Up><Right>");
    run(t, "keys <Tab><Tab><Tab>checked on the call<Enter>");
    assert_false(t->a.dialog.open);
    wf_override_row row;
    int found = 0;
    assert_int_equal(wf_override_active(t->s, 5, &row, &found), WF_OK);
    assert_true(found);
    assert_string_equal(row.reason, "checked on the call");
    wf_override_row_clear(&row);
    run(t, "undo");
    assert_int_equal(wf_override_active(t->s, 5, &row, &found), WF_OK);
    assert_false(found);
    stop(t);
}

static void override_dialog_80x24(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "select 1003");
    run(t, "override");
    snprintf(t->a.dialog.user, sizeof t->a.dialog.user, "tester"); /* not the login name */
    run(t, "keys <Right><Tab><Tab><Tab>confirmed on the call");
    expect_screen(t, "dialog-override-80x24");
    run(t, "keys <Esc>");
    stop(t);
}

static void revert_asks_for_a_reason(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    wf_override_input in = {"REFERRALS", "partner", NULL, "set by the test", "tester", NULL};
    char err[256];
    assert_int_equal(wf_override_set(t->s, 9, &in, NULL, 1700000000000LL, NULL, err, sizeof err),
                     WF_OK);
    run(t, "select 9");
    run(t, "keys U");
    assert_int_equal(t->a.prompt.kind, PROMPT_REASON);
    run(t, "keys wrong person");
    expect_screen(t, "prompt-revert-80x24");
    run(t, "keys <C-u><Enter>"); /* an empty reason changes nothing */
    char l[256];
    assert_non_null(strstr(line(t, 23, l, sizeof l), "a reason is required"));
    wf_override_row row;
    int found = 0;
    assert_int_equal(wf_override_active(t->s, 9, &row, &found), WF_OK);
    assert_true(found);
    wf_override_row_clear(&row);
    run(t, "keys Uwrong person<Enter>");
    assert_int_equal(wf_override_active(t->s, 9, &row, &found), WF_OK);
    assert_false(found);
    assert_non_null(strstr(line(t, 23, l, sizeof l), "override of #9 reverted"));
    /* nothing left to revert: a clear message, no change */
    int64_t n = wf_override_count(t->s, 0);
    assert_true(run(t, "revert again") & WF_CH_ERROR);
    assert_int_equal(wf_override_count(t->s, 0), n);
    stop(t);
}

static void override_cancel_changes_nothing(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    run(t, "select 7");
    run(t, "override");
    run(t, "keys <Tab><Tab><Tab>why not<Esc>");
    assert_false(t->a.dialog.open);
    assert_int_equal(wf_override_count(t->s, 0), 0);
    stop(t);
}

static void read_only_refuses_writes(void **state)
{
    (void)state;
    T *t = start("screen-ro", WF_STORE_READONLY, 80, 24);
    char l[256];
    assert_non_null(strstr(line(t, 0, l, sizeof l), "[read-only]"));
    int ch = run(t, "keys O");
    assert_false(t->a.dialog.open);
    assert_non_null(strstr(line(t, 23, l, sizeof l), "read-only"));
    ch = run(t, "revert checking");
    assert_true(ch & WF_CH_ERROR);
    assert_int_equal(wf_override_count(t->s, 0), 0);
    stop(t);
}

static void dump_screen_writes_the_text(void **state)
{
    (void)state;
    T *t = start("screen", 0, 80, 24);
    char path[1024];
    fix_db_path("dump", path, sizeof path);
    strcat(path, ".txt");
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "dump-screen %s", path);
    run(t, cmd);
    char *got = read_all(path);
    assert_non_null(got);
    assert_string_equal(got, screen(t));
    free(got);
    assert_true(run(t, "dump-screen /nonexistent/dir/x.txt") & WF_CH_ERROR);
    stop(t);
}

int main(void)
{
    setlocale(LC_ALL, ""); /* as main() does: UTF-8 widths on screen */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_80x24),
        cmocka_unit_test(list_60x15_smallest),
        cmocka_unit_test(too_small_notice),
        cmocka_unit_test(resize_keeps_selection),
        cmocka_unit_test(cjk_name_keeps_columns_aligned),
        cmocka_unit_test(hostile_name_is_escaped),
        cmocka_unit_test(no_color_gives_monochrome_roles),
        cmocka_unit_test(non_utf8_locale_draws_ascii),
        cmocka_unit_test(markers_show_in_the_list),
        cmocka_unit_test(layout_fits_every_width),
        cmocka_unit_test(keys_move_through_the_key_table),
        cmocka_unit_test(page_down_scrolls_a_full_page),
        cmocka_unit_test(search_next_prev_and_not_found),
        cmocka_unit_test(search_prompt_typed),
        cmocka_unit_test(search_is_incremental_and_esc_goes_back),
        cmocka_unit_test(filter_shown_and_cleared),
        cmocka_unit_test(filter_prompt_and_errors),
        cmocka_unit_test(sort_cycles),
        cmocka_unit_test(detail_full_screen_when_narrow),
        cmocka_unit_test(detail_side_by_side_when_wide),
        cmocka_unit_test(tabs_switch_by_name_number_and_tab),
        cmocka_unit_test(why_tab_says_what_explain_says),
        cmocka_unit_test(why_enter_jumps_to_evidence),
        cmocka_unit_test(detail_tabs_80x24),
        cmocka_unit_test(detail_side_by_side_130x30),
        cmocka_unit_test(every_demo_contact_opens),
        cmocka_unit_test(override_dialog_80x24),
        cmocka_unit_test(clicks_select_rows_and_tabs),
        cmocka_unit_test(help_screen_from_the_key_table),
        cmocka_unit_test(command_prompt_history),
        cmocka_unit_test(override_dialog_saves_and_undo_reverts),
        cmocka_unit_test(revert_asks_for_a_reason),
        cmocka_unit_test(override_cancel_changes_nothing),
        cmocka_unit_test(read_only_refuses_writes),
        cmocka_unit_test(dump_screen_writes_the_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
