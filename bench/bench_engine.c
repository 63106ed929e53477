/* Engine benchmark (not a test): classifying 1,000,000 referrer/URL pairs,
 * and explaining one contact with 10,000 page views.
 *   make bench/bench_engine && WHEREFROM_DATADIR=data bench/bench_engine
 * Prints figures; asserts nothing about time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attrib/classify.h"
#include "attrib/explain.h"

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double now_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

/* CPU time of this process: the "one core" figure on a busy machine. */
static double cpu_ms(void)
{
    return clock_ms(CLOCK_PROCESS_CPUTIME_ID);
}

static const char *const urls[] = {
    "https://www.example.com/",
    "https://www.example.com/pricing",
    "https://www.example.com/blog/"
    "attribution-101?utm_source=linkedin&utm_medium=social&utm_campaign=Spring+Launch",
    "https://www.example.com/?gclid=EAIaIQobChMI8sX",
    "https://www.example.com/"
    "demo?utm_source=hs_email&utm_medium=email&utm_campaign=spring&utm_content=123&_hsenc=p2ANqtz",
    "https://www.example.com/features?utm_source=partner&utm_medium=banner&utm_campaign=Q3",
    "https://www.example.com/"
    "lp?utm_source=facebook&utm_medium=paid&utm_campaign=Retargeting+-+Feed+ad",
    "https://www.example.com/docs/getting-started#install",
};
static const char *const refs[] = {
    "https://www.google.com/",
    "https://www.google.co.uk/search?q=marketing+attribution",
    "",
    "https://www.example.com/",
    "https://l.facebook.com/l.php?u=x",
    "https://www.bing.com/search?q=wherefrom",
    "https://chatgpt.com/",
    "https://www.g2.com/categories/marketing-attribution",
    "android-app://com.linkedin.android/",
    "https://mail.google.com/mail/u/0/",
    "https://duckduckgo.com/",
    "https://news.ycombinator.com/item?id=1",
    "not a url",
};

static void bench_classify(const wf_engine *e)
{
    const size_t n = 1000000, nu = sizeof urls / sizeof urls[0], nr = sizeof refs / sizeof refs[0];
    const char *dom[] = {"example.com"};
    wf_site site = {dom, 1, 0};
    wf_arena *a = wf_arena_new();
    unsigned check = 0;
    double t0 = now_ms(), c0 = cpu_ms();
    for (size_t i = 0; i < n; i++) {
        if ((i & 4095) == 0) { /* bounded memory: a fresh arena now and then */
            wf_arena_free(&a);
            a = wf_arena_new();
        }
        wf_classify_in in = {.url = urls[i % nu], .referrer = refs[(i / nu + i) % nr]};
        wf_session_class c;
        wf_classify_session(e, &in, &site, a, &c);
        check += (unsigned)c.source;
    }
    double ms = now_ms() - t0, cms = cpu_ms() - c0;
    wf_arena_free(&a);
    printf("classify: %zu referrer/URL pairs: %.1f ms CPU = %.2f million sessions/s on one core "
           "(wall %.1f ms; check %u)\n",
           n, cms, (double)n / cms / 1e3, ms, check);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* One contact: 10,000 page views of one visitor over ~400 sessions. */
static void bench_explain(const wf_engine *e)
{
    enum { NPV = 10000, RUNS = 21 };
    static wf_pageview pv[NPV];
    static char urlbuf[NPV][64];
    wf_ms t = 1700000000000LL;
    for (int i = 0; i < NPV; i++) {
        int fresh = i % 25 == 0;
        t += fresh ? 3 * 3600 * 1000LL : (i % 7 + 1) * 45 * 1000LL;
        snprintf(urlbuf[i], sizeof urlbuf[i], "https://www.example.com/page/%d", i % 97);
        pv[i] = (wf_pageview){.id = i + 1, .at = t, .token = "t1", .url = urlbuf[i]};
        pv[i].referrer = fresh ? refs[(i / 25) % 8] : "https://www.example.com/";
        if (fresh && i % 50 == 0) pv[i].url = urls[(i / 50) % 8];
    }
    wf_form form = {.id = 1,
                    .at = t + 1000,
                    .form_id = "f",
                    .token = "t1",
                    .page_url = "https://www.example.com/contact"};
    wf_facts f = {.id = 1,
                  .created_at = 1700000000000LL + 86400000LL * 30,
                  .channel = "IMPORT",
                  .channel_detail = "1",
                  .pageviews = pv,
                  .n_pageviews = NPV,
                  .forms = &form,
                  .n_forms = 1,
                  .stored_latest_at = WF_TIME_NONE};
    double ms[RUNS];
    size_t steps = 0, tl = 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = cpu_ms();
        wf_explanation *x = NULL;
        if (wf_explain(e, &f, &x) != WF_OK) {
            fprintf(stderr, "explain failed\n");
            exit(1);
        }
        ms[r] = cpu_ms() - t0;
        steps = x->n_steps;
        tl = x->n_timeline;
        wf_explanation_free(&x);
    }
    qsort(ms, RUNS, sizeof ms[0], cmp_double);
    printf(
        "explain: contact with %d page views (%zu timeline items, %zu steps): median %.2f ms CPU "
        "(min %.2f, max %.2f, %d runs)\n",
        NPV, tl, steps, ms[RUNS / 2], ms[0], ms[RUNS - 1], RUNS);
}

/* The common contact: an import, one earlier visit of three pages, a
 * form that links it, one stored history entry. */
static void bench_small(const wf_engine *e)
{
    enum { RUNS = 100000 };
    wf_pageview pv[3] = {
        {.id = 1,
         .at = 1710237600000LL,
         .token = "t1",
         .url = "https://www.example.com/",
         .referrer = "https://www.google.com/"},
        {.id = 2,
         .at = 1710237660000LL,
         .token = "t1",
         .url = "https://www.example.com/pricing",
         .referrer = "https://www.example.com/"},
        {.id = 3,
         .at = 1710237720000LL,
         .token = "t1",
         .url = "https://www.example.com/demo",
         .referrer = "https://www.example.com/pricing"},
    };
    wf_form form = {.id = 4, .at = 1726669800000LL, .form_id = "f", .token = "t1"};
    wf_history h = {.id = 5,
                    .property = "hs_analytics_source",
                    .value = "OFFLINE",
                    .at = 1719997208000LL,
                    .source_type = "ANALYTICS"};
    wf_facts f = {.id = 1,
                  .created_at = 1719997200000LL,
                  .channel = "IMPORT",
                  .channel_detail = "9876",
                  .pageviews = pv,
                  .n_pageviews = 3,
                  .forms = &form,
                  .n_forms = 1,
                  .history = &h,
                  .n_history = 1,
                  .stored_source = "OFFLINE",
                  .stored_latest_at = WF_TIME_NONE};
    double c0 = cpu_ms();
    unsigned check = 0;
    for (int r = 0; r < RUNS; r++) {
        wf_explanation *x = NULL;
        if (wf_explain(e, &f, &x) != WF_OK) exit(1);
        check += x->flags;
        wf_explanation_free(&x);
    }
    double ms = cpu_ms() - c0;
    printf("explain: small contact (3 page views, 1 form, 1 history entry): %.2f us CPU each "
           "(%d runs; check %u)\n",
           ms * 1e3 / RUNS, RUNS, check);
}

int main(void)
{
    char err[512] = "";
    wf_engine *e = NULL;
    if (wf_engine_new(NULL, &e, err, sizeof err) != WF_OK) {
        fprintf(stderr, "bench_engine: %s\n", err);
        return 1;
    }
    bench_classify(e);
    bench_explain(e);
    bench_small(e);
    wf_engine_free(&e);
    return 0;
}
