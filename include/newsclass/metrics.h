/* metrics.h: evaluation metrics as pure functions (no I/O, no global state).
 *
 * Conventions shared by every function here:
 *  - gold labels are ints, 1 = positive, 0 = negative (any non-zero value counts as 1);
 *  - a ratio whose denominator is zero is 0 for precision, recall and F1 (scikit-learn's
 *    zero_division=0) and NaN for everything else that is undefined (AUC with one class only,
 *    a correlation of a constant series, a confidence interval with n < 3, ...);
 *  - functions that need scratch memory return NC_OK or NC_ENOMEM and take an nc_error last;
 *    the others cannot fail and return void. */
#ifndef NC_METRICS_H
#define NC_METRICS_H

#include <stddef.h>

#include <newsclass/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- binary classification ---- */

typedef struct nc_binary_metrics {
    size_t tp, fp, fn, tn;
    size_t support;          /* gold positives: tp + fn */
    double precision, recall, f1;
} nc_binary_metrics;

/* Fill 'out' from the four counts. */
void nc_binary_from_counts(size_t tp, size_t fp, size_t fn, size_t tn, nc_binary_metrics *out);
/* Predicted positive when scores[i] >= threshold; gold[i] non-zero is positive. */
void nc_binary_at_threshold(const double *scores, const int *gold, size_t n, double threshold,
                            nc_binary_metrics *out);
/* Micro average over per[0..k): counts are summed, then P/R/F1 computed from the sums. */
void nc_micro_average(const nc_binary_metrics *per, size_t k, nc_binary_metrics *out);
/* Macro average over per[0..k): the unweighted means of the per-label precision, recall and F1
 * (so f1 is the mean of the F1s, not the F1 of the means); counts are summed. All NaN when
 * k == 0. */
void nc_macro_average(const nc_binary_metrics *per, size_t k, nc_binary_metrics *out);
/* Share of the n rows whose k-vector of predictions equals the gold one (row-major n x k
 * matrices, non-zero = positive). NaN when n == 0. */
double nc_exact_match(const int *pred, const int *gold, size_t n, size_t k);

/* ---- ranking and calibration ---- */

/* Ranks of x[0..n) in ascending order, 1-based, ties given the average of the ranks they span
 * (so 3 equal values at positions 2..4 all get rank 3). 'ranks' must hold n doubles. */
int nc_average_ranks(const double *x, size_t n, double *ranks, nc_error *err);
/* Area under the ROC curve (Mann-Whitney U with average ranks for tied scores), in *auc;
 * NaN when all gold labels are equal. */
int nc_roc_auc(const double *scores, const int *gold, size_t n, double *auc, nc_error *err);
/* Average precision: sum over distinct score thresholds (descending) of
 * (R_t - R_{t-1}) * P_t, tied scores forming one threshold (scikit-learn's definition); NaN
 * when there is no gold positive. */
int nc_average_precision(const double *scores, const int *gold, size_t n, double *ap,
                         nc_error *err);

#define NC_CALIB_BINS 10

/* Reliability of predicted probabilities over NC_CALIB_BINS equal-width bins of [0, 1]: bin b
 * holds b/10 <= p < (b+1)/10, the last bin includes 1. Probabilities outside [0, 1] are
 * clamped. */
typedef struct nc_calibration {
    size_t n;
    size_t count[NC_CALIB_BINS];
    double mean_pred[NC_CALIB_BINS];  /* mean predicted probability in the bin (NaN if empty) */
    double frac_pos[NC_CALIB_BINS];   /* observed share of positives in the bin (NaN if empty) */
    double ece;    /* expected calibration error: sum_b count_b / n * |frac_pos_b - mean_pred_b| */
    double brier;  /* mean of (p - gold)^2 */
} nc_calibration;

/* ECE and Brier score of probs[0..n) against gold[0..n); both NaN when n == 0. NaN
 * probabilities are rejected with NC_EINVAL. */
int nc_calibration_compute(const double *probs, const int *gold, size_t n, nc_calibration *out,
                           nc_error *err);

/* ---- multi-class ---- */

/* From a k x k confusion matrix (row-major, row = gold class, column = predicted class) fill
 * per[0..k) (one-vs-rest counts per class), *accuracy (trace / total; NaN when empty) and
 * *macro_f1 (mean of the per-class F1s). Any output may be NULL. */
void nc_multiclass_metrics(const size_t *confusion, size_t k, nc_binary_metrics *per,
                           double *accuracy, double *macro_f1);

/* ---- regression ---- */

/* A point estimate with a 95% confidence interval; lo and hi are NaN when undefined. */
typedef struct nc_estimate {
    double value, lo, hi;
} nc_estimate;

typedef struct nc_regression_metrics {
    size_t n;
    nc_estimate mae;       /* CI: mean |e| +- z * sd(|e|) / sqrt(n) (normal approximation) */
    nc_estimate rmse;      /* CI: sqrt of mean e^2 +- z * sd(e^2) / sqrt(n), lower end >= 0 */
    nc_estimate pearson;   /* CI: Fisher's z, tanh(atanh(r) +- z / sqrt(n - 3)) */
    nc_estimate spearman;  /* Pearson of average ranks; CI: Fisher's z with the Fieller et al.
                              (1957) variance 1.06 / (n - 3) */
} nc_regression_metrics;

/* Compare predictions pred[0..n) with gold[0..n). The intervals need n >= 3 (else NaN); a
 * correlation is NaN when either series is constant, and its interval collapses to the value
 * when |r| == 1. Returns NC_ENOMEM when scratch memory cannot be allocated, NC_EINTERNAL when
 * GSL reports an error. */
int nc_regression_compute(const double *pred, const double *gold, size_t n,
                          nc_regression_metrics *out, nc_error *err);

/* In one pass, without intervals: out[0] Pearson (NaN when n < 2 or either side is constant),
 * out[1] MAE, out[2] three-class accuracy of pred[0..n) against gold[0..n); all NaN when
 * n == 0. For training's cross-validated card and evaluate --compare's resamples. */
void nc_tone_summary(const double *pred, const double *gold, size_t n, double out[3]);

/* A proportion k / n with Wilson's 95% score interval (within [0, 1]); all NaN when n == 0. */
void nc_wilson_interval(size_t k, size_t n, nc_estimate *out);

/* ---- three-class tone ---- */

/* The coarse tone classes of LABELS.md: 0 negative (score < -0.25), 1 neutral, 2 positive
 * (score > 0.25). */
#define NC_TONE_NEGATIVE_BELOW (-0.25)
#define NC_TONE_POSITIVE_ABOVE 0.25
int nc_tone3_class(double tone);

typedef struct nc_tone3_metrics {
    size_t n;
    double accuracy;         /* NaN when n == 0 */
    size_t confusion[3][3];  /* [gold class][predicted class] */
} nc_tone3_metrics;

void nc_tone3_compute(const double *pred, const double *gold, size_t n, nc_tone3_metrics *out);

#ifdef __cplusplus
}
#endif
#endif
