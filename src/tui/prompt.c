/* The bottom-line prompt: search (incremental), filter, command (with
 * history) and the reason asked before a revert. Text is edited as UTF-8
 * bytes; Backspace removes a whole code point. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"
#include "tui/keys.h"

void wf_prompt_free(wf_prompt *p)
{
    for (int i = 0; i < p->n_hist; i++)
        free(p->hist[i]);
    p->n_hist = 0;
}

static void history_add(wf_prompt *p, const char *line)
{
    if (!*line) return;
    if (p->n_hist && strcmp(p->hist[p->n_hist - 1], line) == 0) return;
    char *copy = strdup(line);
    if (!copy) return;
    if (p->n_hist == WF_HIST_MAX) {
        free(p->hist[0]);
        memmove(p->hist, p->hist + 1, (WF_HIST_MAX - 1) * sizeof p->hist[0]);
        p->n_hist--;
    }
    p->hist[p->n_hist++] = copy;
}

static void set_text(wf_prompt *p, const char *s)
{
    snprintf(p->buf, sizeof p->buf, "%s", s);
    p->len = strlen(p->buf);
}

static void history_step(wf_prompt *p, int dir)
{
    int pos = p->hist_pos + dir;
    if (pos < 0 || pos > p->n_hist) return;
    p->hist_pos = pos;
    set_text(p, pos == p->n_hist ? "" : p->hist[pos]);
}

static void backspace(wf_prompt *p)
{
    while (p->len > 0) {
        unsigned char c = (unsigned char)p->buf[--p->len];
        p->buf[p->len] = 0;
        if ((c & 0xc0) != 0x80) break; /* stop at the lead byte */
    }
}

/* Runs what the prompt holds. The prompt is closed first, so the command
 * may open another one. */
static int submit(wf_app *a)
{
    char line[WF_LINE_MAX + 16];
    int kind = a->prompt.kind;
    a->prompt.kind = PROMPT_NONE;
    switch (kind) {
    case PROMPT_SEARCH:
        if (!a->prompt.len) return WF_CH_DRAW;
        snprintf(line, sizeof line, "search %s", a->prompt.buf);
        break;
    case PROMPT_FILTER:
        snprintf(line, sizeof line, "filter %s", a->prompt.buf);
        break;
    case PROMPT_REASON:
        if (!a->prompt.len) {
            wf_app_message(a, 1, "a reason is required; nothing was changed");
            return WF_CH_DRAW;
        }
        snprintf(line, sizeof line, "revert %s", a->prompt.buf);
        break;
    default:
        history_add(&a->prompt, a->prompt.buf);
        snprintf(line, sizeof line, "%s", a->prompt.buf);
    }
    return wf_cmd_run(a, line) | WF_CH_DRAW;
}

enum { EDIT_NONE, EDIT_CHANGED, EDIT_SUBMIT, EDIT_CANCEL };

/* Applies one key to the line. */
static int edit(wf_prompt *p, int key)
{
    switch (key) {
    case '\n':
    case '\r':
    case KEY_ENTER:
        return EDIT_SUBMIT;
    case 27:
        return EDIT_CANCEL;
    case KEY_BACKSPACE:
    case 127:
    case 8:
        if (!p->len) return EDIT_CANCEL;
        backspace(p);
        return EDIT_CHANGED;
    case WF_CTRL('u'):
        set_text(p, "");
        return EDIT_CHANGED;
    case KEY_UP:
    case KEY_DOWN:
        if (p->kind != PROMPT_COMMAND) return EDIT_NONE;
        history_step(p, key == KEY_UP ? -1 : 1);
        return EDIT_CHANGED;
    default:
        break;
    }
    /* printable ASCII and the bytes of UTF-8 sequences; no controls */
    if (key >= 32 && key < 256 && key != 127 && p->len + 1 < sizeof p->buf) {
        p->buf[p->len++] = (char)key;
        p->buf[p->len] = 0;
        return EDIT_CHANGED;
    }
    return EDIT_NONE;
}

int wf_prompt_key(wf_app *a, int key)
{
    wf_prompt *p = &a->prompt;
    int search = p->kind == PROMPT_SEARCH;
    switch (edit(p, key)) {
    case EDIT_SUBMIT:
        if (!search) return submit(a);
        p->kind = PROMPT_NONE; /* the live search already moved there */
        snprintf(a->search, sizeof a->search, "%s", p->buf);
        return WF_CH_DRAW;
    case EDIT_CANCEL:
        p->kind = PROMPT_NONE;
        return search ? wf_search_live(a, "") : WF_CH_DRAW;
    case EDIT_CHANGED:
        return search ? wf_search_live(a, p->buf) : WF_CH_DRAW;
    default:
        return WF_CH_DRAW;
    }
}
