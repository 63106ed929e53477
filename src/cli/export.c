/* `wherefrom export --overrides --format hubspot-batch|csv|json`: the active
 * local overrides, to push back to HubSpot or to read in a spreadsheet.
 * Only hs_analytics_source goes to HubSpot: its drill-downs are read-only
 * there. Never writes to the database. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/commands.h"
#include "core/buf.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "store/overrides.h"

/* HubSpot's batch endpoints take at most 100 inputs per request. */
#define HUBSPOT_BATCH_MAX 100

typedef enum { FMT_HUBSPOT, FMT_CSV, FMT_JSON } export_format;

typedef struct {
    FILE *out;
    export_format fmt;
    size_t chunk;        /* inputs per hubspot-batch body */
    size_t n;            /* rows written */
    cJSON *batch;        /* current hubspot body, or the json document */
    cJSON *inputs;       /* its array */
    sqlite3_stmt *email; /* email of a contact */
    int failed;
} export_ctx;

static int flush_batch(export_ctx *x)
{
    if (!x->batch) return 0;
    char *s = cJSON_PrintUnformatted(x->batch);
    if (!s) return -1;
    wf_buf safe = WF_BUF_INIT; /* same JSON, C1 and bidi controls as \u escapes */
    wf_text_json_safe(&safe, s);
    fprintf(x->out, "%s\n", wf_buf_str(&safe));
    wf_buf_free(&safe);
    cJSON_free(s);
    cJSON_Delete(x->batch);
    x->batch = x->inputs = NULL;
    return 0;
}

/* One body per line (JSON Lines), each with up to `chunk` inputs. */
static int hubspot_row(export_ctx *x, const wf_override_row *r)
{
    if (!x->batch) {
        x->batch = cJSON_CreateObject();
        x->inputs = cJSON_AddArrayToObject(x->batch, "inputs");
        if (!x->inputs) return -1;
    }
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)r->contact);
    cJSON *in = cJSON_CreateObject();
    cJSON_AddItemToArray(x->inputs, in);
    cJSON_AddStringToObject(in, "id", id);
    cJSON *props = cJSON_AddObjectToObject(in, "properties");
    if (!cJSON_AddStringToObject(props, "hs_analytics_source", r->source ? r->source : ""))
        return -1;
    if ((size_t)cJSON_GetArraySize(x->inputs) >= x->chunk) return flush_batch(x);
    return 0;
}

static const char *email_of(export_ctx *x, int64_t contact)
{
    sqlite3_reset(x->email);
    sqlite3_bind_int64(x->email, 1, contact);
    if (sqlite3_step(x->email) != SQLITE_ROW) return NULL;
    return (const char *)sqlite3_column_text(x->email, 0);
}

/* RFC 4180: quote a field holding a comma, quote, CR or LF; double quotes. */
static void csv_field(wf_buf *b, const char *s, int last)
{
    s = s ? s : "";
    if (strpbrk(s, ",\"\r\n")) {
        wf_buf_putc(b, '"');
        for (; *s; s++) {
            if (*s == '"') wf_buf_putc(b, '"');
            wf_buf_putc(b, *s);
        }
        wf_buf_putc(b, '"');
    } else {
        wf_buf_puts(b, s);
    }
    wf_buf_puts(b, last ? "\r\n" : ",");
}

static const char *const csv_header[] = {
    "contact", "email", "source", "dd1",  "dd2", "computed_source", "computed_dd1", "computed_dd2",
    "user",    "at",    "reason", "plan", NULL};

static int csv_row(export_ctx *x, const wf_override_row *r)
{
    char id[32], at[WF_TIME_BUFSZ];
    snprintf(id, sizeof id, "%lld", (long long)r->contact);
    wf_time_iso(r->at, at);
    const char *f[] = {id,
                       email_of(x, r->contact),
                       r->source,
                       r->dd1,
                       r->dd2,
                       r->computed_source,
                       r->computed_dd1,
                       r->computed_dd2,
                       r->user,
                       at,
                       r->reason,
                       r->plan};
    wf_buf b = WF_BUF_INIT;
    for (size_t i = 0; i < 12; i++)
        csv_field(&b, f[i], i == 11);
    fwrite(wf_buf_str(&b), 1, b.len, x->out);
    wf_buf_free(&b);
    return 0;
}

static void add_str_or_null(cJSON *o, const char *k, const char *v)
{
    if (v)
        cJSON_AddStringToObject(o, k, v);
    else
        cJSON_AddNullToObject(o, k);
}

static int json_row(export_ctx *x, const wf_override_row *r)
{
    char at[WF_TIME_BUFSZ];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddItemToArray(x->inputs, o);
    cJSON_AddNumberToObject(o, "contact", (double)r->contact);
    add_str_or_null(o, "email", email_of(x, r->contact));
    add_str_or_null(o, "source", r->source);
    add_str_or_null(o, "dd1", r->dd1);
    add_str_or_null(o, "dd2", r->dd2);
    cJSON *c = cJSON_AddObjectToObject(o, "computed_at_override");
    add_str_or_null(c, "source", r->computed_source);
    add_str_or_null(c, "dd1", r->computed_dd1);
    add_str_or_null(c, "dd2", r->computed_dd2);
    add_str_or_null(o, "user", r->user);
    add_str_or_null(o, "at", wf_time_iso(r->at, at));
    add_str_or_null(o, "reason", r->reason);
    add_str_or_null(o, "plan", r->plan);
    return cJSON_AddNumberToObject(o, "row", (double)r->id) ? 0 : -1;
}

static int each_row(void *ctx, const wf_override_row *r)
{
    export_ctx *x = ctx;
    int rc = x->fmt == FMT_HUBSPOT ? hubspot_row(x, r)
             : x->fmt == FMT_CSV   ? csv_row(x, r)
                                   : json_row(x, r);
    x->n++;
    if (rc) x->failed = 1;
    return rc;
}

static int parse_format(const char *f, export_format *out)
{
    if (!f) return -1;
    if (strcmp(f, "hubspot-batch") == 0)
        *out = FMT_HUBSPOT;
    else if (strcmp(f, "csv") == 0)
        *out = FMT_CSV;
    else if (strcmp(f, "json") == 0)
        *out = FMT_JSON;
    else
        return -1;
    return 0;
}

static int export_args(wf_cli *cli, int argc, char **argv, export_format *fmt, int *overrides)
{
    const char *f = NULL;
    for (int i = 1; i < argc; i++) {
        int r = wf_cli_global_option(cli, argc, argv, &i);
        if (r < 0) return -1;
        if (r > 0) continue;
        if (strcmp(argv[i], "--overrides") == 0) {
            *overrides = 1;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            f = argv[++i];
        } else if (strncmp(argv[i], "--format=", 9) == 0) {
            f = argv[i] + 9;
        } else {
            wf_cli_error("export: unexpected argument '%s'", argv[i]);
            return -1;
        }
    }
    if (!*overrides) {
        wf_cli_error("export: say what to export: --overrides");
        return -1;
    }
    if (parse_format(f ? f : "hubspot-batch", fmt)) {
        wf_cli_error("export: --format must be hubspot-batch, csv or json");
        return -1;
    }
    return 0;
}

static int run_export(wf_store *s, export_ctx *x)
{
    if (sqlite3_prepare_v2(wf_store_db(s), "SELECT email FROM contacts WHERE id=?", -1, &x->email,
                           NULL)) {
        wf_cli_error("%s", wf_store_errmsg(s));
        return 74;
    }
    if (x->fmt == FMT_CSV) {
        wf_buf b = WF_BUF_INIT;
        for (size_t i = 0; csv_header[i]; i++)
            csv_field(&b, csv_header[i], !csv_header[i + 1]);
        fwrite(wf_buf_str(&b), 1, b.len, x->out);
        wf_buf_free(&b);
    } else if (x->fmt == FMT_JSON) {
        x->batch = cJSON_CreateObject();
        cJSON_AddStringToObject(x->batch, "schema", "wherefrom.overrides/1");
        x->inputs = cJSON_AddArrayToObject(x->batch, "overrides");
    }
    wf_status st = wf_override_each_active(s, each_row, x);
    if (st == WF_OK && !x->failed) {
        if (x->fmt == FMT_JSON) {
            char *t = cJSON_Print(x->batch);
            wf_buf safe = WF_BUF_INIT; /* same JSON, C1 and bidi controls as \u escapes */
            if (t) {
                wf_text_json_safe(&safe, t);
                fprintf(x->out, "%s\n", wf_buf_str(&safe));
            }
            wf_buf_free(&safe);
            cJSON_free(t);
        } else if (x->fmt == FMT_HUBSPOT) {
            flush_batch(x);
        }
    }
    cJSON_Delete(x->batch);
    sqlite3_finalize(x->email);
    if (st != WF_OK || x->failed) {
        wf_cli_error("export failed: %s", st != WF_OK ? wf_status_message(st) : "out of memory");
        return st != WF_OK ? wf_status_exit_code(st) : 71;
    }
    if (fflush(x->out) != 0 || ferror(x->out)) {
        wf_cli_error("export: cannot write the output: %m");
        return 74;
    }
    return 0;
}

int wf_cmd_export(wf_cli *cli, int argc, char **argv)
{
    if (wf_cli_command_help("export", argc, argv)) return 0;
    export_ctx x = {.out = stdout, .chunk = HUBSPOT_BATCH_MAX};
    int overrides = 0;
    if (export_args(cli, argc, argv, &x.fmt, &overrides)) return 2;
    wf_store *s = NULL;
    int rc = wf_cli_open_store(cli, 0, &s);
    if (rc) return rc;
    rc = run_export(s, &x);
    wf_cli_info(cli, "%zu active override(s) exported", x.n);
    wf_store_close(&s);
    return rc;
}
