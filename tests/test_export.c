/* `wherefrom export --overrides`: hubspot-batch bodies (shape, chunks of
 * 100, no drill-downs), RFC 4180 CSV, JSON; run through $WHEREFROM_BIN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/overrides.h"
#include "store/store.h"

#define T0 1700000000000LL

typedef struct {
    char path[512];
    char out[600];
    char *text; /* stdout of the last run */
    size_t len;
} fx;

static void rm_db(const char *path)
{
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* A database with n contacts, every one overridden; contact 2 reverted. */
static int make_db(fx *f, int n)
{
    wf_store *s;
    char err[512];
    if (wf_store_open(f->path, WF_STORE_CREATE, &s, err, sizeof err) != WF_OK) return -1;
    wf_store_exec(s, "BEGIN");
    for (int i = 1; i <= n; i++) {
        char sql[200];
        snprintf(
            sql, sizeof sql,
            "INSERT INTO contacts(id,email,created_at,src) VALUES(%d,'c%d@x.test',0,'OFFLINE')", i,
            i);
        wf_store_exec(s, sql);
    }
    wf_store_exec(s, "COMMIT");
    for (int i = 1; i <= n; i++) {
        wf_override_input in = {.source = "ORGANIC_SEARCH",
                                .dd1 = "kw",
                                .dd2 = "google",
                                .reason = i == 1 ? "said \"google\", twice\nreally" : "fix",
                                .user = "ann"};
        if (wf_override_set(s, i, &in, NULL, T0 + i, NULL, err, sizeof err) != WF_OK) return -1;
    }
    if (n >= 2 && wf_override_revert(s, 2, "no", NULL, T0, NULL, err, sizeof err) != WF_OK)
        return -1;
    wf_store_close(&s);
    return 0;
}

static int run(fx *f, const char *const *args)
{
    const char *bin = getenv("WHEREFROM_BIN");
    if (!bin) return -1;
    pid_t p = fork();
    if (p == 0) {
        int fd = open(f->out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 1);
        int dn = open("/dev/null", O_WRONLY);
        dup2(dn, 2);
        char *argv[16];
        int k = 0;
        argv[k++] = (char *)"wherefrom";
        for (int i = 0; args[i]; i++)
            argv[k++] = (char *)args[i];
        argv[k] = NULL;
        execv(bin, argv);
        _exit(127);
    }
    int st;
    waitpid(p, &st, 0);
    free(f->text);
    FILE *fp = fopen(f->out, "rb");
    fseek(fp, 0, SEEK_END);
    f->len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    f->text = calloc(1, f->len + 1);
    f->len = fread(f->text, 1, f->len, fp);
    fclose(fp);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup_n(void **state, int n)
{
    static int k;
    fx *f = calloc(1, sizeof *f);
    const char *dir = getenv("TESTS_TMPDIR");
    if (!dir) dir = "/tmp";
    mkdir(dir, 0777);
    snprintf(f->path, sizeof f->path, "%s/export-%ld-%d.db", dir, (long)getpid(), k++);
    snprintf(f->out, sizeof f->out, "%s.out", f->path);
    rm_db(f->path);
    if (make_db(f, n)) return -1;
    *state = f;
    return 0;
}

static int setup3(void **state)
{
    return setup_n(state, 3);
}

static int setup250(void **state)
{
    return setup_n(state, 251); /* 251 overrides, one reverted: 250 active */
}

static int teardown(void **state)
{
    fx *f = *state;
    rm_db(f->path);
    unlink(f->out);
    free(f->text);
    free(f);
    return 0;
}

static void test_hubspot_chunks_of_100(void **state)
{
    fx *f = *state;
    const char *args[] = {"export",   "--db",          f->path, "--overrides",
                          "--format", "hubspot-batch", NULL};
    assert_int_equal(run(f, args), 0);
    int sizes[8], nb = 0, total = 0;
    char *save = NULL;
    for (char *line = strtok_r(f->text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        cJSON *j = cJSON_Parse(line);
        assert_non_null(j);
        const cJSON *in = cJSON_GetObjectItemCaseSensitive(j, "inputs");
        assert_true(cJSON_IsArray(in));
        assert_int_equal(cJSON_GetArraySize(j), 1); /* only "inputs" */
        assert_true(nb < 8);
        sizes[nb++] = cJSON_GetArraySize(in);
        total += cJSON_GetArraySize(in);
        cJSON_Delete(j);
    }
    assert_int_equal(nb, 3);
    assert_int_equal(sizes[0], 100);
    assert_int_equal(sizes[1], 100);
    assert_int_equal(sizes[2], 50);
    assert_int_equal(total, 250);
}

static void test_hubspot_input_shape(void **state)
{
    fx *f = *state;
    const char *args[] = {"export",   "--db",          f->path, "--overrides",
                          "--format", "hubspot-batch", NULL};
    assert_int_equal(run(f, args), 0);
    cJSON *j = cJSON_Parse(f->text);
    assert_non_null(j);
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(j, "inputs");
    assert_int_equal(cJSON_GetArraySize(in), 2); /* contact 2 reverted */
    const cJSON *first = cJSON_GetArrayItem(in, 0);
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(first, "id");
    assert_true(cJSON_IsString(id)); /* HubSpot ids are strings */
    assert_string_equal(id->valuestring, "1");
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(in, 1), "id")->valuestring, "3");
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(first, "properties");
    assert_int_equal(cJSON_GetArraySize(props), 1); /* drill-downs are read-only in HubSpot */
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(props, "hs_analytics_source")->valuestring,
                        "ORGANIC_SEARCH");
    cJSON_Delete(j);
}

static void test_csv_rfc4180(void **state)
{
    fx *f = *state;
    const char *args[] = {"export", "--db", f->path, "--overrides", "--format=csv", NULL};
    assert_int_equal(run(f, args), 0);
    assert_true(strncmp(f->text, "contact,email,source,dd1,dd2,", 29) == 0);
    assert_non_null(strstr(f->text, "\r\n1,c1@x.test,ORGANIC_SEARCH,kw,google,"));
    /* quotes doubled, the embedded newline kept inside quotes */
    assert_non_null(strstr(f->text, ",\"said \"\"google\"\", twice\nreally\","));
    /* three lines ending in CRLF: header + two active overrides */
    int crlf = 0;
    for (const char *p = f->text; (p = strstr(p, "\r\n")); p += 2)
        crlf++;
    assert_int_equal(crlf, 3);
    assert_null(strstr(f->text, "\r\n2,"));
}

static void test_json_document(void **state)
{
    fx *f = *state;
    const char *args[] = {"export", "--db", f->path, "--overrides", "--format", "json", NULL};
    assert_int_equal(run(f, args), 0);
    cJSON *j = cJSON_Parse(f->text);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "schema")->valuestring,
                        "wherefrom.overrides/1");
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(j, "overrides");
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    const cJSON *o = cJSON_GetArrayItem(arr, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "dd2")->valuestring, "google");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "user")->valuestring, "ann");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(o, "at")->valuestring,
                        "2023-11-14T22:13:20.001Z");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "plan")));
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(o, "computed_at_override");
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(c, "source")->valuestring, "OFFLINE");
    cJSON_Delete(j);
}

static void test_bad_format_is_usage_error(void **state)
{
    fx *f = *state;
    const char *args[] = {"export", "--db", f->path, "--overrides", "--format", "xml", NULL};
    assert_int_equal(run(f, args), 2);
    const char *args2[] = {"export", "--db", f->path, "--format", "csv", NULL};
    assert_int_equal(run(f, args2), 2);
}

static void test_export_works_read_only(void **state)
{
    fx *f = *state;
    const char *args[] = {"--read-only", "export",   "--db", f->path,
                          "--overrides", "--format", "csv",  NULL};
    assert_int_equal(run(f, args), 0);
    assert_non_null(strstr(f->text, "\r\n3,"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_hubspot_chunks_of_100, setup250, teardown),
        cmocka_unit_test_setup_teardown(test_hubspot_input_shape, setup3, teardown),
        cmocka_unit_test_setup_teardown(test_csv_rfc4180, setup3, teardown),
        cmocka_unit_test_setup_teardown(test_json_document, setup3, teardown),
        cmocka_unit_test_setup_teardown(test_bad_format_is_usage_error, setup3, teardown),
        cmocka_unit_test_setup_teardown(test_export_works_read_only, setup3, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
