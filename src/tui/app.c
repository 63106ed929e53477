/* The inspector's life cycle, shared by the terminal and headless modes. */
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app.h"

wf_status wf_app_init(wf_app *a, wf_store *s, char *err, size_t errsz)
{
    memset(a, 0, sizeof *a);
    a->store = s;
    a->total = -1;
    a->mouse = 1;
    a->detail.mark_timeline = -1;
    a->readonly = wf_store_is_readonly(s);
    const char *path = wf_store_path(s);
    const char *slash = path ? strrchr(path, '/') : NULL;
    a->db_name = slash ? slash + 1 : path ? path : "";
    const char *cs = nl_langinfo(CODESET);
    a->utf8 = cs && strcmp(cs, "UTF-8") == 0;
    wf_status st = wf_rows_new(s, &a->rows);
    if (st != WF_OK) snprintf(err, errsz, "out of memory");
    return st;
}

void wf_app_fini(wf_app *a)
{
    wf_detail_close(a);
    wf_list_free_window(a);
    free(a->win);
    a->win = NULL;
    wf_rows_free(&a->rows);
    wf_prompt_free(&a->prompt);
    wf_engine_free(&a->engine);
}

/* Applies what a handler changed: relayout and refetch the window (keeping
 * the selection) when needed. Drawing is the caller's. */
void wf_app_apply(wf_app *a, int ch)
{
    if (ch & (WF_CH_RELAYOUT | WF_CH_RELOAD)) {
        wf_screen_layout(a);
        if (!a->too_small) wf_list_reload(a);
    }
}

/* The first screen: layout and the first page of rows. The count of
 * contacts comes after it (wf_app_count), since it scans. */
int wf_app_start(wf_app *a)
{
    char digits[32];
    a->id_digits = snprintf(digits, sizeof digits, "%lld", (long long)wf_rows_max_id(a->rows));
    wf_screen_layout(a);
    return wf_list_first(a);
}

void wf_app_count(wf_app *a)
{
    /* bounded: a rare filter on a huge table would scan it all */
    if (a->total == -1) a->total = wf_rows_count_within(a->rows, 150);
}

/* Loads the engine's tables ahead of the first Enter, after the first
 * screen, so opening a contact does not pay for it. A failure is left for
 * the detail view to report. */
void wf_app_prepare_engine(wf_app *a)
{
    char err[256];
    if (!a->engine) wf_engine_new(NULL, &a->engine, err, sizeof err);
}
