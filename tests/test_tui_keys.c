/* The key table (src/tui/keys.h) is the single source of the key handling,
 * the help screen and the man page's KEYS section: these tests fail when
 * the man page is stale, a key is bound twice, or a binding names a
 * command the dispatcher does not know. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "tui/app.h"
#include "tui/keys.h"
#include "tui_fixture.h"

static const struct {
    const char *label, *cmd;
    int keys[3];
} table[] = {
#define WF_X(label, cmd, help, k1, k2, k3) {label, cmd, {k1, k2, k3}},
    WF_KEY_TABLE(WF_X)
#undef WF_X
};
#define N (sizeof table / sizeof table[0])

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

static void man_page_keys_section_is_current(void **state)
{
    (void)state;
    char path[1024];
    const char *src = getenv("WHEREFROM_SRCDIR");
    snprintf(path, sizeof path, "%s/man/wherefrom.1.in", src ? src : ".");
    char *man = read_all(path);
    assert_non_null(man);
    wf_buf want = WF_BUF_INIT;
    wf_help_keys_roff(&want);
    const char *start = strstr(man, ".SS KEYS\n");
    const char *end = strstr(man, ".\\\" KEYS-END\n");
    if (!start || !end)
        fail_msg("man/wherefrom.1.in has no KEYS section; paste `wherefrom --keys-roff`");
    end += strlen(".\\\" KEYS-END\n");
    if ((size_t)(end - start) != want.len || memcmp(start, want.p, want.len) != 0)
        fail_msg("the KEYS section of man/wherefrom.1.in is stale: replace it with the "
                 "output of `wherefrom --keys-roff`");
    wf_buf_free(&want);
    free(man);
}

static void no_key_is_bound_twice(void **state)
{
    (void)state;
    for (size_t i = 0; i < N; i++)
        for (int a = 0; a < 3; a++) {
            int k = table[i].keys[a];
            if (!k) continue;
            for (size_t j = 0; j < N; j++)
                for (int b = 0; b < 3; b++)
                    if ((i != j || a != b) && table[j].keys[b] == k)
                        fail_msg("key %d bound to both '%s' and '%s'", k, table[i].cmd,
                                 table[j].cmd);
        }
}

static void writes_use_upper_case_keys(void **state)
{
    (void)state;
    for (size_t i = 0; i < N; i++)
        if (strcmp(table[i].cmd, "override") == 0 || strcmp(table[i].cmd, "revert") == 0)
            for (int a = 0; a < 3; a++)
                if (table[i].keys[a])
                    assert_true(table[i].keys[a] >= 'A' && table[i].keys[a] <= 'Z');
}

static void every_binding_names_a_known_command(void **state)
{
    (void)state;
    wf_store *s = fix_build("keys");
    wf_app a;
    char err[128];
    FILE *null = fopen("/dev/null", "r+");
    SCREEN *sp = newterm("xterm-256color", null, null);
    if (!sp) sp = newterm("vt100", null, null);
    assert_non_null(sp);
    set_term(sp);
    assert_int_equal(wf_app_init(&a, s, err, sizeof err), WF_OK);
    wf_app_apply(&a, wf_app_start(&a));
    for (size_t i = 0; i < N; i++) {
        a.msg[0] = 0;
        wf_cmd_run(&a, table[i].cmd);
        if (strstr(a.msg, "unknown command")) fail_msg("%s: %s", table[i].label, a.msg);
        a.quit = 0;
        a.help = 0;
        a.dialog.open = 0;
        a.prompt.kind = PROMPT_NONE;
    }
    wf_app_fini(&a);
    endwin();
    delscreen(sp);
    fclose(null);
    wf_store_close(&s);
}

static void help_lists_every_key(void **state)
{
    (void)state;
    assert_true(wf_help_lines() > (int)N);
    wf_buf roff = WF_BUF_INIT;
    wf_help_keys_roff(&roff);
    for (size_t i = 0; i < N; i++) {
        char cmd[64];
        snprintf(cmd, sizeof cmd, "\\fB:%s", table[i].cmd);
        /* roff escapes '-' in command names */
        wf_buf esc = WF_BUF_INIT;
        for (const char *p = cmd; *p; p++) {
            if (*p == '-')
                wf_buf_puts(&esc, "\\-");
            else
                wf_buf_putc(&esc, *p);
        }
        assert_non_null(strstr(wf_buf_str(&roff), wf_buf_str(&esc)));
        wf_buf_free(&esc);
    }
    wf_buf_free(&roff);
}

int main(void)
{
    setlocale(LC_ALL, ""); /* as main() does: UTF-8 widths on screen */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(man_page_keys_section_is_current),
        cmocka_unit_test(no_key_is_bound_twice),
        cmocka_unit_test(writes_use_upper_case_keys),
        cmocka_unit_test(every_binding_names_a_known_command),
        cmocka_unit_test(help_lists_every_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
