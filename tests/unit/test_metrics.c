/* test_metrics.c: the metric functions against values worked out by hand.
 * SPDX-License-Identifier: MIT */
#include <gsl/gsl_errno.h>
#include <math.h>

#include <newsclass/metrics.h>

#include "check.h"

#define TOL 1e-9

static void test_binary(void)
{
    const double s[] = { 0.9, 0.8, 0.3, 0.6, 0.1 };
    const int g[] = { 1, 0, 1, 1, 0 };
    nc_binary_metrics m, per[2], avg;

    nc_binary_at_threshold(s, g, 5, 0.5, &m);
    CHECK_EQ_INT(m.tp, 2);
    CHECK_EQ_INT(m.fp, 1);
    CHECK_EQ_INT(m.fn, 1);
    CHECK_EQ_INT(m.tn, 1);
    CHECK_EQ_INT(m.support, 3);
    CHECK_NEAR(m.precision, 2.0 / 3, TOL);
    CHECK_NEAR(m.recall, 2.0 / 3, TOL);
    CHECK_NEAR(m.f1, 2.0 / 3, TOL);
    /* the threshold itself counts as positive */
    nc_binary_at_threshold(s, g, 5, 0.6, &m);
    CHECK_EQ_INT(m.tp, 2);

    /* nothing predicted, nothing gold: zero_division = 0 */
    nc_binary_at_threshold(s, g, 5, 2.0, &m);
    CHECK_EQ_INT(m.tp, 0);
    CHECK_NEAR(m.precision, 0, 0);
    CHECK_NEAR(m.f1, 0, 0);
    nc_binary_from_counts(0, 0, 0, 7, &m);
    CHECK_NEAR(m.precision, 0, 0);
    CHECK_NEAR(m.recall, 0, 0);
    CHECK_EQ_INT(m.support, 0);

    nc_binary_from_counts(2, 1, 1, 6, &per[0]);
    nc_binary_from_counts(1, 0, 3, 6, &per[1]);
    CHECK_NEAR(per[1].f1, 0.4, TOL);
    nc_micro_average(per, 2, &avg);
    CHECK_EQ_INT(avg.tp, 3);
    CHECK_NEAR(avg.precision, 0.75, TOL);
    CHECK_NEAR(avg.recall, 3.0 / 7, TOL);
    CHECK_NEAR(avg.f1, 6.0 / 11, TOL);
    nc_macro_average(per, 2, &avg);
    CHECK_NEAR(avg.precision, 5.0 / 6, TOL);
    CHECK_NEAR(avg.recall, 11.0 / 24, TOL);
    CHECK_NEAR(avg.f1, (2.0 / 3 + 0.4) / 2, TOL);
    CHECK_EQ_INT(avg.support, 7);
    nc_macro_average(per, 0, &avg);
    CHECK(isnan(avg.f1));
}

static void test_exact_match(void)
{
    const int pred[] = { 1, 0, 0, 1, 1, 1 };
    const int gold[] = { 1, 0, 0, 2, 1, 0 };

    CHECK_NEAR(nc_exact_match(pred, gold, 3, 2), 2.0 / 3, TOL);
    CHECK(isnan(nc_exact_match(pred, gold, 0, 2)));
    CHECK_NEAR(nc_exact_match(pred, gold, 3, 0), 1.0, 0); /* no labels: all rows agree */
}

static void test_ranks(void)
{
    const double x[] = { 3, 1, 4, 1, 5 };
    const double want[] = { 3, 1.5, 4, 1.5, 5 };
    const double same[] = { 2, 2, 2, 2 };
    double r[5];

    CHECK_EQ_INT(nc_average_ranks(x, 5, r, NULL), NC_OK);
    for (int i = 0; i < 5; i++)
        CHECK_NEAR(r[i], want[i], 0);
    CHECK_EQ_INT(nc_average_ranks(same, 4, r, NULL), NC_OK);
    for (int i = 0; i < 4; i++)
        CHECK_NEAR(r[i], 2.5, 0);
}

static void test_auc_ap(void)
{
    const double s1[] = { 0.1, 0.4, 0.35, 0.8 };
    const int g1[] = { 0, 0, 1, 1 };
    /* one tie between a positive and a negative: 3.5 of 4 pairs won */
    const double s2[] = { 0.2, 0.6, 0.6, 0.9 };
    const int g2[] = { 0, 1, 0, 1 };
    const double flat[] = { 0.5, 0.5, 0.5, 0.5 };
    const int g3[] = { 1, 0, 1, 0 };
    const int ones[] = { 1, 1, 1, 1 };
    const int zeros[] = { 0, 0, 0, 0 };
    const double perfect[] = { 0.1, 0.2, 0.8, 0.9 };
    double v;

    CHECK_EQ_INT(nc_roc_auc(s1, g1, 4, &v, NULL), NC_OK);
    CHECK_NEAR(v, 0.75, TOL);
    CHECK_EQ_INT(nc_roc_auc(s2, g2, 4, &v, NULL), NC_OK);
    CHECK_NEAR(v, 0.875, TOL);
    CHECK_EQ_INT(nc_roc_auc(flat, g3, 4, &v, NULL), NC_OK);
    CHECK_NEAR(v, 0.5, TOL);
    CHECK_EQ_INT(nc_roc_auc(perfect, g1, 4, &v, NULL), NC_OK);
    CHECK_NEAR(v, 1.0, TOL);
    CHECK_EQ_INT(nc_roc_auc(s1, ones, 4, &v, NULL), NC_OK);
    CHECK(isnan(v));
    CHECK_EQ_INT(nc_roc_auc(s1, zeros, 0, &v, NULL), NC_OK);
    CHECK(isnan(v));

    /* 0.8 (pos): R .5 P 1; 0.4 (neg); 0.35 (pos): R 1 P 2/3 -> .5 + .5 * 2/3 */
    CHECK_EQ_INT(nc_average_precision(s1, g1, 4, &v, NULL), NC_OK);
    CHECK_NEAR(v, 0.5 + 1.0 / 3, TOL);
    /* all tied: one threshold with R 1, P 0.5 */
    CHECK_EQ_INT(nc_average_precision(flat, g3, 4, &v, NULL), NC_OK);
    CHECK_NEAR(v, 0.5, TOL);
    /* 0.9 pos: R .5 P 1; {0.6 pos, 0.6 neg}: R 1 P 2/3 */
    CHECK_EQ_INT(nc_average_precision(s2, g2, 4, &v, NULL), NC_OK);
    CHECK_NEAR(v, 0.5 + 1.0 / 3, TOL);
    CHECK_EQ_INT(nc_average_precision(perfect, g1, 4, &v, NULL), NC_OK);
    CHECK_NEAR(v, 1.0, TOL);
    CHECK_EQ_INT(nc_average_precision(s1, zeros, 4, &v, NULL), NC_OK);
    CHECK(isnan(v));
    CHECK_EQ_INT(nc_average_precision(s1, ones, 4, &v, NULL), NC_OK);
    CHECK_NEAR(v, 1.0, TOL);
}

static void test_calibration(void)
{
    const double p[] = { 0.05, 0.15, 0.15, 0.95, 0.95, 1.0 };
    const int g[] = { 0, 0, 1, 1, 1, 1 };
    const double bad[] = { 0.5, NAN };
    const double out_of_range[] = { -0.5, 1.5 };
    const int g2[] = { 0, 1 };
    nc_calibration c;
    nc_error err = { 0 };

    CHECK_EQ_INT(nc_calibration_compute(p, g, 6, &c, NULL), NC_OK);
    CHECK_EQ_INT(c.count[0], 1);
    CHECK_EQ_INT(c.count[1], 2);
    CHECK_EQ_INT(c.count[9], 3);
    CHECK_EQ_INT(c.count[5], 0);
    CHECK(isnan(c.mean_pred[5]) && isnan(c.frac_pos[5]));
    CHECK_NEAR(c.mean_pred[1], 0.15, TOL);
    CHECK_NEAR(c.frac_pos[1], 0.5, TOL);
    CHECK_NEAR(c.mean_pred[9], 2.9 / 3, TOL);
    /* (1 * .05 + 2 * .35 + 3 * (1/30)) / 6 */
    CHECK_NEAR(c.ece, 0.85 / 6, TOL);
    CHECK_NEAR(c.brier, 0.7525 / 6, TOL);

    /* a perfectly calibrated, perfectly sharp set */
    CHECK_EQ_INT(nc_calibration_compute(out_of_range, g2, 2, &c, NULL), NC_OK);
    CHECK_NEAR(c.ece, 0, TOL);
    CHECK_NEAR(c.brier, 0, TOL);
    CHECK_EQ_INT(c.count[0], 1);
    CHECK_EQ_INT(c.count[9], 1);

    CHECK_EQ_INT(nc_calibration_compute(p, g, 0, &c, NULL), NC_OK);
    CHECK(isnan(c.ece) && isnan(c.brier));
    CHECK_EQ_INT(nc_calibration_compute(bad, g2, 2, &c, &err), NC_EINVAL);
    CHECK_STR(err.msg, "probability 1 is not a number");
}

static void test_multiclass(void)
{
    const size_t cm[] = { 5, 1, 0, 2, 3, 1, 0, 0, 4 };
    const size_t empty[4] = { 0 };
    nc_binary_metrics per[3];
    double acc, mf1;

    nc_multiclass_metrics(cm, 3, per, &acc, &mf1);
    CHECK_NEAR(acc, 0.75, TOL);
    CHECK_NEAR(per[0].precision, 5.0 / 7, TOL);
    CHECK_NEAR(per[0].recall, 5.0 / 6, TOL);
    CHECK_NEAR(per[0].f1, 10.0 / 13, TOL);
    CHECK_NEAR(per[1].precision, 0.75, TOL);
    CHECK_NEAR(per[1].recall, 0.5, TOL);
    CHECK_NEAR(per[2].f1, 8.0 / 9, TOL);
    CHECK_EQ_INT(per[2].support, 4);
    CHECK_EQ_INT(per[2].tn, 11);
    CHECK_NEAR(mf1, (10.0 / 13 + 0.6 + 8.0 / 9) / 3, TOL);

    nc_multiclass_metrics(empty, 2, per, &acc, NULL);
    CHECK(isnan(acc));
    CHECK_NEAR(per[0].f1, 0, 0);
}

static void test_regression(void)
{
    const double pred[] = { 1, 2, 3, 4, 5 };
    const double gold[] = { 2, 4, 5, 4, 5 };
    const double flat[] = { 3, 3, 3, 3, 3 };
    const double neg[] = { 5, 4, 3, 2, 1 };
    nc_regression_metrics m;

    CHECK_EQ_INT(nc_regression_compute(pred, gold, 5, &m, NULL), NC_OK);
    CHECK_EQ_INT(m.n, 5);
    CHECK_NEAR(m.mae.value, 1.0, TOL);
    CHECK_NEAR(m.mae.lo, 0.1234774594234187, 1e-7);
    CHECK_NEAR(m.mae.hi, 1.8765225405765813, 1e-7);
    CHECK_NEAR(m.rmse.value, sqrt(9.0 / 5), TOL);
    CHECK_NEAR(m.rmse.lo, 0.06052550116760054, 1e-7);
    CHECK_NEAR(m.rmse.hi, 1.8964009765100869, 1e-7);
    /* r = 6 / sqrt(10 * 6) */
    CHECK_NEAR(m.pearson.value, 6 / sqrt(60.0), TOL);
    CHECK_NEAR(m.pearson.lo, -0.3400820351875101, 1e-7);
    CHECK_NEAR(m.pearson.hi, 0.9842357551507267, 1e-7);
    /* gold ranks 1, 2.5, 4.5, 2.5, 4.5 */
    CHECK_NEAR(m.spearman.value, 0.7378647873726218, TOL);
    CHECK_NEAR(m.spearman.lo, -0.44712356359997923, 1e-7);
    CHECK_NEAR(m.spearman.hi, 0.9827649535021883, 1e-7);

    /* perfect inverse order: rho = r = -1, interval collapses */
    CHECK_EQ_INT(nc_regression_compute(pred, neg, 5, &m, NULL), NC_OK);
    CHECK_NEAR(m.pearson.value, -1, TOL);
    CHECK_NEAR(m.spearman.value, -1, TOL);
    CHECK_NEAR(m.spearman.lo, -1, TOL);

    /* all-equal predictions: correlations undefined, errors fine */
    CHECK_EQ_INT(nc_regression_compute(flat, gold, 5, &m, NULL), NC_OK);
    CHECK(isnan(m.pearson.value) && isnan(m.pearson.lo));
    CHECK(isnan(m.spearman.value));
    CHECK_NEAR(m.mae.value, 1.4, TOL);

    /* n < 3: values where defined, intervals NaN */
    CHECK_EQ_INT(nc_regression_compute(pred, gold, 2, &m, NULL), NC_OK);
    CHECK_NEAR(m.pearson.value, 1.0, TOL);
    CHECK(isnan(m.pearson.lo) && isnan(m.pearson.hi));
    CHECK(isnan(m.spearman.lo));
    CHECK(isnan(m.mae.lo) && isnan(m.rmse.hi));
    CHECK_NEAR(m.mae.value, 1.5, TOL);

    /* n == 3: the Fisher interval covers everything */
    CHECK_EQ_INT(nc_regression_compute(pred, gold, 3, &m, NULL), NC_OK);
    CHECK_NEAR(m.pearson.lo, -1, 0);
    CHECK_NEAR(m.pearson.hi, 1, 0);

    CHECK_EQ_INT(nc_regression_compute(pred, gold, 0, &m, NULL), NC_OK);
    CHECK(isnan(m.mae.value) && isnan(m.pearson.value));
}

static void test_tone3(void)
{
    const double pred[] = { -0.5, -0.25, 0.3, 0.25, 1 };
    const double gold[] = { -1, 0, 0.5, 0.5, -0.3 };
    nc_tone3_metrics t;

    CHECK_EQ_INT(nc_tone3_class(-0.25), 1);
    CHECK_EQ_INT(nc_tone3_class(-0.2500001), 0);
    CHECK_EQ_INT(nc_tone3_class(0.25), 1);
    CHECK_EQ_INT(nc_tone3_class(0.26), 2);
    nc_tone3_compute(pred, gold, 5, &t);
    CHECK_NEAR(t.accuracy, 0.6, TOL);
    CHECK_EQ_INT(t.confusion[0][0], 1);
    CHECK_EQ_INT(t.confusion[0][2], 1);
    CHECK_EQ_INT(t.confusion[1][1], 1);
    CHECK_EQ_INT(t.confusion[2][1], 1);
    CHECK_EQ_INT(t.confusion[2][2], 1);
    CHECK_EQ_INT(t.confusion[1][0], 0);
    nc_tone3_compute(pred, gold, 0, &t);
    CHECK(isnan(t.accuracy));
}

/* Wilson's score interval, against values computed by hand (z = 1.959964) */
static void test_wilson(void)
{
    nc_estimate e;
    nc_wilson_interval(9, 10, &e);
    CHECK_NEAR(e.value, 0.9, 1e-12);
    CHECK_NEAR(e.lo, 0.595850, 1e-5);
    CHECK_NEAR(e.hi, 0.982124, 1e-5);
    nc_wilson_interval(0, 5, &e); /* the ends stay within [0, 1] */
    CHECK_NEAR(e.lo, 0.0, 1e-12);
    CHECK_NEAR(e.hi, 0.434482, 1e-5);
    nc_wilson_interval(5, 5, &e);
    CHECK_NEAR(e.lo, 0.565518, 1e-5);
    CHECK_NEAR(e.hi, 1.0, 1e-12);
    nc_wilson_interval(0, 0, &e);
    CHECK(isnan(e.value) && isnan(e.lo) && isnan(e.hi));
}

int main(void)
{
    gsl_set_error_handler_off();
    test_binary();
    test_exact_match();
    test_ranks();
    test_auc_ap();
    test_calibration();
    test_multiclass();
    test_regression();
    test_tone3();
    test_wilson();
    return check_report();
}
