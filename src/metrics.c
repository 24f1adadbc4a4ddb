/* metrics.c: evaluation metrics over plain arrays.
 *
 * Every function is pure: it reads its inputs, writes its outputs and, at most, allocates and
 * frees scratch memory. Nothing here knows about articles, models or files; evaluate.c collects
 * the arrays and calls these. Undefined quantities are NaN (never a made-up 0), except
 * precision, recall and F1, which follow scikit-learn's zero_division=0 so that averages over
 * labels stay finite. Ranks use the average of tied positions, which makes ROC AUC, average
 * precision and Spearman's rho independent of the order of tied items.
 * SPDX-License-Identifier: MIT */
#include <newsclass/newsclass.h>
#include <newsclass/metrics.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>

#include "util.h"

static double ratio0(size_t num, size_t den)
{
    return den ? (double)num / (double)den : 0.0;
}

void nc_binary_from_counts(size_t tp, size_t fp, size_t fn, size_t tn, nc_binary_metrics *out)
{
    out->tp = tp;
    out->fp = fp;
    out->fn = fn;
    out->tn = tn;
    out->support = tp + fn;
    out->precision = ratio0(tp, tp + fp);
    out->recall = ratio0(tp, tp + fn);
    /* F1 = 2TP / (2TP + FP + FN): the same as the harmonic mean, defined as 0 when TP = 0 */
    out->f1 = ratio0(2 * tp, 2 * tp + fp + fn);
}

void nc_binary_at_threshold(const double *scores, const int *gold, size_t n, double threshold,
                            nc_binary_metrics *out)
{
    size_t tp = 0, fp = 0, fn = 0, tn = 0;

    for (size_t i = 0; i < n; i++) {
        int pred = scores[i] >= threshold;
        if (pred && gold[i])
            tp++;
        else if (pred)
            fp++;
        else if (gold[i])
            fn++;
        else
            tn++;
    }
    nc_binary_from_counts(tp, fp, fn, tn, out);
}

void nc_micro_average(const nc_binary_metrics *per, size_t k, nc_binary_metrics *out)
{
    size_t tp = 0, fp = 0, fn = 0, tn = 0;

    for (size_t i = 0; i < k; i++) {
        tp += per[i].tp;
        fp += per[i].fp;
        fn += per[i].fn;
        tn += per[i].tn;
    }
    nc_binary_from_counts(tp, fp, fn, tn, out);
}

void nc_macro_average(const nc_binary_metrics *per, size_t k, nc_binary_metrics *out)
{
    double p = 0, r = 0, f = 0;

    nc_micro_average(per, k, out); /* the summed counts */
    if (k == 0) {
        out->precision = out->recall = out->f1 = NAN;
        return;
    }
    for (size_t i = 0; i < k; i++) {
        p += per[i].precision;
        r += per[i].recall;
        f += per[i].f1;
    }
    out->precision = p / (double)k;
    out->recall = r / (double)k;
    out->f1 = f / (double)k;
}

double nc_exact_match(const int *pred, const int *gold, size_t n, size_t k)
{
    size_t same = 0;

    if (n == 0)
        return NAN;
    for (size_t i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < k; j++)
            if (!pred[i * k + j] != !gold[i * k + j])
                break;
        if (j == k)
            same++;
    }
    return (double)same / (double)n;
}

/* ---- ranks ---- */

struct keyed {
    double v;
    size_t i;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->v < y->v)
        return -1;
    if (x->v > y->v)
        return 1;
    /* equal values: keep the input order so the sort is deterministic */
    return (x->i > y->i) - (x->i < y->i);
}

/* A new array of (value, index) sorted ascending by value; NULL when out of memory. */
static struct keyed *sorted_keys(const double *x, size_t n)
{
    struct keyed *k = nc_alloc_array(n, sizeof *k);

    if (!k)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        k[i].v = x[i];
        k[i].i = i;
    }
    qsort(k, n, sizeof *k, cmp_keyed);
    return k;
}

int nc_average_ranks(const double *x, size_t n, double *ranks, nc_error *err)
{
    struct keyed *k;

    if (n == 0)
        return NC_OK;
    k = sorted_keys(x, n);
    if (!k)
        return nc_err(err, NC_ENOMEM, "out of memory ranking %zu values", n);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        double avg;
        while (j < n && k[j].v == k[i].v)
            j++;
        /* positions i..j-1 (0-based) have 1-based ranks i+1..j; their mean is (i+1+j)/2 */
        avg = ((double)(i + 1) + (double)j) / 2.0;
        for (size_t t = i; t < j; t++)
            ranks[k[t].i] = avg;
        i = j;
    }
    free(k);
    return NC_OK;
}

int nc_roc_auc(const double *scores, const int *gold, size_t n, double *auc, nc_error *err)
{
    double *ranks = NULL, rank_sum = 0;
    size_t npos = 0, nneg;
    int rc;

    *auc = NAN;
    for (size_t i = 0; i < n; i++)
        npos += gold[i] != 0;
    nneg = n - npos;
    if (npos == 0 || nneg == 0)
        return NC_OK;
    ranks = nc_alloc_array(n, sizeof *ranks);
    if (!ranks)
        return nc_err(err, NC_ENOMEM, "out of memory computing ROC AUC");
    rc = nc_average_ranks(scores, n, ranks, err);
    if (rc < 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        if (gold[i])
            rank_sum += ranks[i];
    /* Mann-Whitney: U = R_pos - npos(npos+1)/2 pairs won by a positive (ties count 1/2) */
    *auc = (rank_sum - (double)npos * ((double)npos + 1) / 2.0) / ((double)npos * (double)nneg);
out:
    free(ranks);
    return rc;
}

int nc_average_precision(const double *scores, const int *gold, size_t n, double *ap,
                         nc_error *err)
{
    struct keyed *k;
    size_t npos = 0, tp = 0, seen = 0;
    double sum = 0, prev_recall = 0;

    *ap = NAN;
    for (size_t i = 0; i < n; i++)
        npos += gold[i] != 0;
    if (npos == 0)
        return NC_OK;
    k = sorted_keys(scores, n);
    if (!k)
        return nc_err(err, NC_ENOMEM, "out of memory computing average precision");
    /* walk from the highest score down; a run of tied scores is one threshold */
    for (size_t end = n; end > 0;) {
        size_t start = end - 1;
        double recall;
        while (start > 0 && k[start - 1].v == k[end - 1].v)
            start--;
        for (size_t t = start; t < end; t++)
            tp += gold[k[t].i] != 0;
        seen += end - start;
        recall = (double)tp / (double)npos;
        sum += (recall - prev_recall) * ((double)tp / (double)seen);
        prev_recall = recall;
        end = start;
    }
    free(k);
    *ap = sum;
    return NC_OK;
}

int nc_calibration_compute(const double *probs, const int *gold, size_t n, nc_calibration *out,
                           nc_error *err)
{
    double sum_pred[NC_CALIB_BINS] = { 0 }, sum_pos[NC_CALIB_BINS] = { 0 }, sq = 0;

    out->n = n;
    for (int b = 0; b < NC_CALIB_BINS; b++)
        out->count[b] = 0;
    for (size_t i = 0; i < n; i++) {
        double p = probs[i];
        int b;
        if (isnan(p))
            return nc_err(err, NC_EINVAL, "probability %zu is not a number", i);
        p = p < 0 ? 0 : p > 1 ? 1 : p;
        b = (int)(p * NC_CALIB_BINS);
        if (b >= NC_CALIB_BINS)
            b = NC_CALIB_BINS - 1;
        out->count[b]++;
        sum_pred[b] += p;
        sum_pos[b] += gold[i] != 0;
        sq += (p - (gold[i] != 0)) * (p - (gold[i] != 0));
    }
    out->ece = n ? 0.0 : NAN;
    out->brier = n ? sq / (double)n : NAN;
    for (int b = 0; b < NC_CALIB_BINS; b++) {
        if (out->count[b] == 0) {
            out->mean_pred[b] = out->frac_pos[b] = NAN;
            continue;
        }
        out->mean_pred[b] = sum_pred[b] / (double)out->count[b];
        out->frac_pos[b] = sum_pos[b] / (double)out->count[b];
        out->ece += (double)out->count[b] / (double)n * fabs(out->frac_pos[b] - out->mean_pred[b]);
    }
    return NC_OK;
}

void nc_multiclass_metrics(const size_t *confusion, size_t k, nc_binary_metrics *per,
                           double *accuracy, double *macro_f1)
{
    size_t total = 0, trace = 0;
    double f1_sum = 0;

    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++) {
            total += confusion[i * k + j];
            if (i == j)
                trace += confusion[i * k + j];
        }
    for (size_t c = 0; c < k; c++) {
        size_t row = 0, col = 0, tp = confusion[c * k + c];
        nc_binary_metrics m;
        for (size_t j = 0; j < k; j++) {
            row += confusion[c * k + j];
            col += confusion[j * k + c];
        }
        nc_binary_from_counts(tp, col - tp, row - tp, total - row - col + tp, &m);
        f1_sum += m.f1;
        if (per)
            per[c] = m;
    }
    if (accuracy)
        *accuracy = total ? (double)trace / (double)total : NAN;
    if (macro_f1)
        *macro_f1 = k ? f1_sum / (double)k : NAN;
}

/* ---- regression ---- */

static void undefined_estimate(nc_estimate *e)
{
    e->value = e->lo = e->hi = NAN;
}

/* Mean +- z * sd / sqrt(n) of x[0..n); the interval needs n >= 3 like the others. */
static void mean_ci(const double *x, size_t n, double z, nc_estimate *e)
{
    double sd;

    undefined_estimate(e);
    if (n == 0)
        return;
    e->value = gsl_stats_mean(x, 1, n);
    if (n < 3)
        return;
    sd = gsl_stats_sd_m(x, 1, n, e->value);
    e->lo = e->value - z * sd / sqrt((double)n);
    e->hi = e->value + z * sd / sqrt((double)n);
}

/* Pearson correlation of x and y with a Fisher-z interval whose variance is var / (n - 3). */
static void correlation_ci(const double *x, const double *y, size_t n, double z, double var,
                           nc_estimate *e)
{
    double r, zr, half;

    undefined_estimate(e);
    if (n < 2 || gsl_stats_variance(x, 1, n) <= 0 || gsl_stats_variance(y, 1, n) <= 0)
        return;
    r = gsl_stats_correlation(x, 1, y, 1, n);
    if (!isfinite(r))
        return;
    r = r > 1 ? 1 : r < -1 ? -1 : r;
    e->value = r;
    if (n < 3)
        return;
    if (fabs(r) == 1.0) {
        e->lo = e->hi = r;
        return;
    }
    if (n == 3) { /* variance / 0: the interval is the whole range */
        e->lo = -1.0;
        e->hi = 1.0;
        return;
    }
    zr = atanh(r);
    half = z * sqrt(var / (double)(n - 3));
    e->lo = tanh(zr - half);
    e->hi = tanh(zr + half);
}

void nc_tone_summary(const double *pred, const double *gold, size_t n, double out[3])
{
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, sae = 0, right = 0, nn = (double)n, den;

    if (n == 0) {
        out[0] = out[1] = out[2] = NAN;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double p = pred[i], t = gold[i];
        sx += p;
        sy += t;
        sxx += p * p;
        syy += t * t;
        sxy += p * t;
        sae += fabs(p - t);
        right += nc_tone3_class(p) == nc_tone3_class(t);
    }
    den = (nn * sxx - sx * sx) * (nn * syy - sy * sy);
    out[0] = den > 0 ? (nn * sxy - sx * sy) / sqrt(den) : NAN;
    out[1] = sae / nn;
    out[2] = right / nn;
}

void nc_wilson_interval(size_t k, size_t n, nc_estimate *out)
{
    double z = gsl_cdf_ugaussian_Pinv(0.975), nn = (double)n, p, c, h;
    if (n == 0) {
        out->value = out->lo = out->hi = NAN;
        return;
    }
    p = (double)k / nn;
    c = (p + z * z / (2 * nn)) / (1 + z * z / nn);
    h = z * sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn)) / (1 + z * z / nn);
    out->value = p;
    out->lo = c - h < 0 ? 0 : c - h;
    out->hi = c + h > 1 ? 1 : c + h;
}

int nc_regression_compute(const double *pred, const double *gold, size_t n,
                          nc_regression_metrics *out, nc_error *err)
{
    double *abs_err = NULL, *sq_err = NULL, *rank_p = NULL, *rank_g = NULL, z;
    nc_estimate mse;
    int rc = NC_OK;

    nc_init(); /* GSL must not abort the program */
    out->n = n;
    undefined_estimate(&out->mae);
    undefined_estimate(&out->rmse);
    undefined_estimate(&out->pearson);
    undefined_estimate(&out->spearman);
    if (n == 0)
        return NC_OK;
    z = gsl_cdf_ugaussian_Pinv(0.975);
    if (!isfinite(z)) {
        rc = nc_err(err, NC_EINTERNAL, "GSL could not compute the normal quantile");
        goto out;
    }
    abs_err = nc_alloc_array(n, sizeof *abs_err);
    sq_err = nc_alloc_array(n, sizeof *sq_err);
    rank_p = nc_alloc_array(n, sizeof *rank_p);
    rank_g = nc_alloc_array(n, sizeof *rank_g);
    if (!abs_err || !sq_err || !rank_p || !rank_g) {
        rc = nc_err(err, NC_ENOMEM, "out of memory computing regression metrics");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        double e = pred[i] - gold[i];
        abs_err[i] = fabs(e);
        sq_err[i] = e * e;
    }
    mean_ci(abs_err, n, z, &out->mae);
    mean_ci(sq_err, n, z, &mse);
    out->rmse.value = sqrt(mse.value);
    out->rmse.lo = isnan(mse.lo) ? NAN : sqrt(mse.lo > 0 ? mse.lo : 0);
    out->rmse.hi = isnan(mse.hi) ? NAN : sqrt(mse.hi);
    correlation_ci(pred, gold, n, z, 1.0, &out->pearson);
    if ((rc = nc_average_ranks(pred, n, rank_p, err)) < 0 ||
        (rc = nc_average_ranks(gold, n, rank_g, err)) < 0)
        goto out;
    correlation_ci(rank_p, rank_g, n, z, 1.06, &out->spearman);
out:
    free(rank_g);
    free(rank_p);
    free(sq_err);
    free(abs_err);
    return rc;
}

/* ---- three-class tone ---- */

int nc_tone3_class(double tone)
{
    if (tone < NC_TONE_NEGATIVE_BELOW)
        return 0;
    if (tone > NC_TONE_POSITIVE_ABOVE)
        return 2;
    return 1;
}

void nc_tone3_compute(const double *pred, const double *gold, size_t n, nc_tone3_metrics *out)
{
    size_t right = 0;

    out->n = n;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            out->confusion[i][j] = 0;
    for (size_t i = 0; i < n; i++) {
        int g = nc_tone3_class(gold[i]), p = nc_tone3_class(pred[i]);
        out->confusion[g][p]++;
        right += g == p;
    }
    out->accuracy = n ? (double)right / (double)n : NAN;
}
