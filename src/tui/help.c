/* The help screen and the man page's KEYS section, both generated from the
 * key table (keys.h), so neither can drift from the real bindings. */
#include <stdio.h>
#include <string.h>

#include "tui/app.h"
#include "tui/keys.h"

static const struct {
    const char *label, *cmd, *help;
} keys[] = {
#define WF_X(label, cmd, help, k1, k2, k3) {label, cmd, help},
    WF_KEY_TABLE(WF_X)
#undef WF_X
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static const struct {
    const char *name, *args, *help;
} commands[] = {
#define WF_X(name, fn, args, help) {name, args, help},
    WF_COMMAND_LIST(WF_X)
#undef WF_X
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* The marker legend; glyphs as in the list (list.c wf_list_markers). */
static const char *const legend[] = {
    "\xe2\x89\xa0  stored value differs from the computed one",
    "~  the original source changed over time",
    "*  overridden locally",
    "m  other records were merged into this one",
    "!  audit finding (unexplained change, API race, override drift, unknown value)",
};
#define N_LEGEND (sizeof legend / sizeof legend[0])

int wf_help_lines(void)
{
    return (int)(2 + N_KEYS + 2 + N_LEGEND + 2 + N_COMMANDS);
}

/* Line i of the help text into buf. */
static void help_line(int i, char *buf, size_t sz)
{
    int k = (int)N_KEYS, l = (int)N_LEGEND;
    buf[0] = 0;
    if (i == 0)
        snprintf(buf, sz, "Keys");
    else if (i >= 2 && i < 2 + k)
        snprintf(buf, sz, "  %-22s %s", keys[i - 2].label, keys[i - 2].help);
    else if (i == 3 + k)
        snprintf(buf, sz, "Markers in the list");
    else if (i >= 4 + k && i < 4 + k + l)
        snprintf(buf, sz, "  %s", legend[i - 4 - k]);
    else if (i == 5 + k + l)
        snprintf(buf, sz, "Commands (: prompt, --script, -c)");
    else if (i >= 6 + k + l && i < 6 + k + l + (int)N_COMMANDS) {
        int c = i - 6 - k - l;
        char syn[96];
        snprintf(syn, sizeof syn, "%s %s", commands[c].name, commands[c].args);
        snprintf(buf, sz, "  :%-30s %s", syn, commands[c].help);
    }
}

void wf_help_draw(wf_app *a)
{
    int h = a->lines - 2, total = wf_help_lines();
    if (a->help_scroll > total - h) a->help_scroll = total - h > 0 ? total - h : 0;
    char line[256];
    for (int y = 0; y < h; y++) {
        int i = a->help_scroll + y;
        help_line(i, line, sizeof line);
        int head = i == 0 || i == 3 + (int)N_KEYS || i == 5 + (int)(N_KEYS + N_LEGEND);
        wf_tui_put_safe(a, stdscr, 1 + y, 0, a->cols, i < total ? line : "",
                        head ? a->attr[ROLE_HEADER] : a->attr[ROLE_NORMAL]);
    }
}

/* roff-escapes a label: backslash and a leading dot or quote. */
static void roff(wf_buf *out, const char *s)
{
    if (*s == '.' || *s == '\'') wf_buf_puts(out, "\\&");
    for (; *s; s++) {
        if (*s == '\\')
            wf_buf_puts(out, "\\e");
        else if (*s == '-')
            wf_buf_puts(out, "\\-");
        else
            wf_buf_putc(out, *s);
    }
}

void wf_help_keys_roff(wf_buf *out)
{
    wf_buf_puts(out, ".SS KEYS\n");
    wf_buf_puts(out, ".\\\" Generated from src/tui/keys.h by `wherefrom --keys-roff`; "
                     "tests/test_tui_keys checks it.\n");
    for (size_t i = 0; i < N_KEYS; i++) {
        wf_buf_puts(out, ".TP\n.B ");
        roff(out, keys[i].label);
        wf_buf_puts(out, "\n");
        roff(out, keys[i].help);
        wf_buf_puts(out, " (\\fB:");
        roff(out, keys[i].cmd);
        wf_buf_puts(out, "\\fR)\n");
    }
    wf_buf_puts(out, ".PP\nMarkers in the list:\n");
    for (size_t i = 0; i < N_LEGEND; i++) {
        wf_buf_puts(out, ".br\n");
        roff(out, legend[i]);
        wf_buf_puts(out, "\n");
    }
    wf_buf_puts(out, ".\\\" KEYS-END\n");
}
