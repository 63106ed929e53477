/* Reconciliation of stored hs_analytics_source changes (§8) and the
 * flags of ARCHITECTURE.md. */
#include "engine_fx.h"

#define HOME "https://www.example.com/"
#define SRC "hs_analytics_source"
#define WORKER "ContactAnalyticsDetailsUpdateWorker"

static void base(fx *x)
{
    fx_init(x, 5001, "2024-07-03T09:00:00Z", "IMPORT", "9876");
    fx_pv(x, "t1", 0, "2024-03-12T10:00:00Z", HOME, "https://www.google.com/");
    fx_form(x, "2024-09-18T14:30:00Z", "f", "t1", 0);
}

static void creation_and_earlier_visit_explained(void **state)
{
    fx x;
    base(&x);
    fx_hist(&x, SRC, "OFFLINE", "2024-07-03T09:00:08Z", "ANALYTICS", WORKER);
    fx_hist(&x, SRC, "ORGANIC_SEARCH", "2024-09-18T14:30:04Z", "ANALYTICS", WORKER);
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->n_recon, 2);
    assert_int_equal(ex->recon[0].cause, WF_CAUSE_CREATION);
    assert_true(ex->recon[0].explained);
    assert_int_equal(ex->recon[1].cause, WF_CAUSE_EARLIER_VISIT);
    assert_true(ex->recon[1].explained);
    assert_false(ex->flags & F_UNEXPLAINED_CHANGE);
    /* the history item is in the timeline */
    assert_int_equal(ex->timeline[ex->recon[1].timeline].kind, WF_TL_HISTORY);
    wf_explanation_free(&ex);
}

static void creation_value_mismatch_not_explained(void **state)
{
    fx x;
    base(&x);
    fx_hist(&x, SRC, "DIRECT_TRAFFIC", "2024-07-03T09:00:08Z", "ANALYTICS", WORKER);
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->recon[0].cause, WF_CAUSE_CREATION);
    assert_false(ex->recon[0].explained);
    wf_explanation_free(&ex);
}

static void later_analytics_without_visit_unexplained(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "1");
    fx_hist(&x, SRC, "REFERRALS", "2024-10-01T00:00:00Z", "ANALYTICS", WORKER);
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->recon[0].cause, WF_CAUSE_UNEXPLAINED);
    assert_false(ex->recon[0].explained);
    assert_true(ex->flags & F_UNEXPLAINED_CHANGE);
    wf_explanation_free(&ex);
}

static void later_analytics_with_first_visit_moving(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "1");
    fx_hist(&x, SRC, "REFERRALS", "2024-10-01T00:00:00Z", "ANALYTICS", WORKER);
    fx_hist(&x, "hs_analytics_first_timestamp", "1700000000000", "2024-10-01T00:00:01Z",
            "ANALYTICS", WORKER);
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->recon[0].cause, WF_CAUSE_EARLIER_VISIT);
    assert_false(ex->recon[0].explained);
    assert_false(ex->flags & F_UNEXPLAINED_CHANGE);
    wf_explanation_free(&ex);
}

static void manual_and_data_load_classes(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "1");
    fx_hist(&x, SRC, "PAID_SEARCH", "2024-08-01T00:00:00Z", "CRM_UI", "userId:7");
    fx_hist(&x, SRC, "REFERRALS", "2024-09-01T00:00:00Z", "BATCH_UPDATE", "auditId=1");
    fx_hist(&x, SRC, "EMAIL_MARKETING", "2024-10-01T00:00:00Z", "AUTOMATION_PLATFORM", "wf-1");
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->n_recon, 3);
    assert_int_equal(ex->recon[0].cause, WF_CAUSE_MANUAL_EDIT);
    assert_int_equal(ex->recon[1].cause, WF_CAUSE_DATA_LOAD);
    assert_int_equal(ex->recon[2].cause, WF_CAUSE_DATA_LOAD);
    assert_true(ex->recon[2].explained);
    assert_string_equal(ex->computed.value.source, "EMAIL_MARKETING");
    assert_true(ex->flags & F_DATA_LOAD_VALUE);
    assert_true(ex->flags & F_MANUAL_EDIT);
    assert_true(ex->flags & F_CHANGED);
    wf_explanation_free(&ex);
}

static void merge_classes(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "1");
    fx_merge(&x, "2024-09-01T00:00:00Z", 99, "2024-08-01T00:00:00Z", "API", "x");
    fx_hist(&x, SRC, "OFFLINE", "2024-09-01T00:00:03Z", "FORM", "conv-1"); /* at the merge */
    fx_hist(&x, SRC, "DIRECT_TRAFFIC", "2024-10-01T00:00:00Z", "MERGE_OBJECTS", NULL);
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->recon[0].cause, WF_CAUSE_MERGE);
    assert_int_equal(ex->recon[1].cause, WF_CAUSE_MERGE);
    assert_true(ex->recon[1].explained);
    wf_explanation_free(&ex);
}

static void other_source_type_unexplained(void **state)
{
    fx x;
    fx_init(&x, 9, "2013-05-21T12:00:00Z", "IMPORT", "112");
    fx_hist(&x, SRC, "IMPORTED", "2013-05-21T12:00:00Z", "MIGRATION", NULL);
    wf_explanation *ex = fx_explain(state, &x);
    assert_int_equal(ex->recon[0].cause, WF_CAUSE_UNEXPLAINED);
    assert_string_equal(ex->recon[0].value, "IMPORTED");
    assert_non_null(strstr(ex->recon[0].note, "MIGRATION"));
    wf_explanation_free(&ex);
}

static void unsorted_history_sorted(void **state)
{
    fx x;
    fx_init(&x, 9, "2024-07-03T09:00:00Z", "IMPORT", "1");
    fx_hist(&x, SRC, "PAID_SEARCH", "2024-10-01T00:00:00Z", "CRM_UI", "userId:7");
    fx_hist(&x, SRC, "OFFLINE", "2024-07-03T09:00:05Z", "ANALYTICS", WORKER);
    wf_explanation *ex = fx_explain(state, &x);
    assert_true(ex->recon[0].at < ex->recon[1].at);
    assert_string_equal(ex->computed.value.source, "PAID_SEARCH");
    wf_explanation_free(&ex);
}

static void stored_equal_no_flag(void **state)
{
    fx x;
    base(&x);
    fx_stored(&x, "ORGANIC_SEARCH", "Unknown keywords (SSL)", "google");
    wf_explanation *ex = fx_explain(state, &x);
    assert_false(ex->flags & F_STORED_DIFFERS);
    fx_stored(&x, "ORGANIC_SEARCH", "other words", "google");
    wf_explanation *ey = fx_explain(state, &x);
    assert_true(ey->flags & F_STORED_DIFFERS);
    wf_explanation_free(&ex);
    wf_explanation_free(&ey);
}

static void override_effective_and_drift(void **state)
{
    fx x;
    base(&x);
    x.ov = (wf_override){.id = 3,
                         .at = T("2024-10-01T00:00:00Z"),
                         .user = "ana",
                         .reason = "partner deal",
                         .source = "REFERRALS",
                         .dd1 = "partner.io",
                         .dd2 = "",
                         .computed_source = "OFFLINE",
                         .computed_dd1 = "IMPORT",
                         .computed_dd2 = "9876"};
    x.f.override = &x.ov;
    wf_explanation *ex = fx_explain(state, &x);
    assert_string_equal(ex->effective.source, "REFERRALS");
    assert_string_equal(ex->computed.value.source, "ORGANIC_SEARCH");
    assert_true(ex->flags & F_OVERRIDDEN);
    assert_true(ex->flags & F_OVERRIDE_DRIFT);
    x.ov.computed_source = "ORGANIC_SEARCH";
    x.ov.computed_dd1 = "Unknown keywords (SSL)";
    x.ov.computed_dd2 = "google";
    wf_explanation *ey = fx_explain(state, &x);
    assert_false(ey->flags & F_OVERRIDE_DRIFT);
    assert_int_equal(ey->timeline[ey->n_timeline - 1].kind, WF_TL_OVERRIDE);
    wf_explanation_free(&ex);
    wf_explanation_free(&ey);
}

static void no_override_effective_is_computed(void **state)
{
    fx x;
    base(&x);
    wf_explanation *ex = fx_explain(state, &x);
    assert_null(ex->override);
    assert_string_equal(ex->effective.source, ex->computed.value.source);
    assert_string_equal(ex->effective.dd1, ex->computed.value.dd1);
    assert_false(ex->flags & F_OVERRIDDEN);
    wf_explanation_free(&ex);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(creation_and_earlier_visit_explained),
        cmocka_unit_test(creation_value_mismatch_not_explained),
        cmocka_unit_test(later_analytics_without_visit_unexplained),
        cmocka_unit_test(later_analytics_with_first_visit_moving),
        cmocka_unit_test(manual_and_data_load_classes),
        cmocka_unit_test(merge_classes),
        cmocka_unit_test(other_source_type_unexplained),
        cmocka_unit_test(unsorted_history_sorted),
        cmocka_unit_test(stored_equal_no_flag),
        cmocka_unit_test(override_effective_and_drift),
        cmocka_unit_test(no_override_effective_is_computed),
    };
    return cmocka_run_group_tests(t, fx_engine_setup, fx_engine_teardown);
}
