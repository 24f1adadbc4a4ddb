/* evaluate.h: compare predictions with gold labels, one article at a time, and summarise many
 * evaluations (cross-validation folds) as mean and standard deviation.
 *
 * An nc_eval accumulator is created for one model's label set (nc_eval_new), fed with
 * (prediction, gold article) pairs (nc_eval_add) and summarised into a caller-owned
 * nc_eval_result value struct (nc_eval_finish; release with nc_eval_result_finish). The metric
 * arithmetic itself lives in <newsclass/metrics.h>.
 *
 * Gold data rules:
 *  - an article without gold topics (no "topics"/"label" field, has_topics == 0; in multi-class
 *    mode also an empty list) is skipped for the topic metrics and counted in n_no_gold;
 *  - a gold label the model does not know is counted (n_unknown_articles, unknown[]); in
 *    multi-label mode the article is still scored on the labels the model knows, in multi-class
 *    mode it counts as a misclassification (and as a false positive of the predicted class);
 *  - tone is evaluated when the model, the prediction and the article all have tone. */
#ifndef NC_EVALUATE_H
#define NC_EVALUATE_H

#include <stddef.h>

#include <newsclass/article.h>
#include <newsclass/error.h>
#include <newsclass/metrics.h>
#include <newsclass/model.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One article in an error list. */
typedef struct nc_eval_example {
    char *id;      /* owned */
    char *title;   /* owned; "" when the article had none */
    double score;  /* the model's probability for the label */
} nc_eval_example;

/* The results of one label (topic or class). */
typedef struct nc_label_eval {
    char *label;              /* owned */
    nc_binary_metrics m;      /* at the model's decision (nc_prediction.selected / primary) */
    /* One-vs-rest over the label's probability (both modes): */
    double auc, ap;           /* ROC AUC, average precision; NaN if undefined */
    nc_calibration calib;     /* reliability bins, ECE and Brier score of this label */
    nc_eval_example *fp;      /* worst false positives: highest score first (owned) */
    size_t nfp;
    nc_eval_example *fn;      /* worst false negatives: lowest score first (owned) */
    size_t nfn;
} nc_label_eval;

typedef struct nc_unknown_label {
    char *label;   /* owned */
    size_t count;  /* articles that carried it */
} nc_unknown_label;

typedef struct nc_eval_result {
    nc_topic_mode mode;
    size_t n_articles;          /* every article added */
    size_t n_evaluated;         /* articles scored for topics */
    size_t n_no_gold;           /* skipped for topics: no gold labels */
    size_t n_unknown_articles;  /* articles with a gold label unknown to the model */
    nc_unknown_label *unknown;  /* the unknown labels, sorted by name (owned) */
    size_t nunknown;

    size_t nlabels;
    nc_label_eval *labels;      /* in model label order (owned) */

    /* both modes */
    double macro_auc, macro_ap; /* means over the labels where defined; NaN when none is */
    nc_calibration calib;       /* pooled over every (article, label) pair */

    /* multi-label */
    nc_binary_metrics micro, macro;
    double exact_match;

    /* multi-class */
    double accuracy;            /* unknown gold labels count as errors */
    double macro_f1;
    size_t *confusion;          /* nlabels x nlabels, row-major [gold][predicted] (owned) */

    /* tone */
    int has_tone;               /* 1 when the model has tone */
    nc_regression_metrics tone; /* tone.n pairs */
    nc_tone3_metrics tone3;
    /* the model's 90% tone interval, over the tone pairs whose prediction had one */
    size_t interval_n;
    nc_estimate interval_coverage; /* share of gold tones inside the interval, with Wilson's
                                      95% interval; NaN when n == 0 */
    double interval_width;      /* mean width (hi - lo); NaN when n == 0 */
} nc_eval_result;

void nc_eval_result_init(nc_eval_result *r);
/* Release everything 'r' owns and re-initialise it. */
void nc_eval_result_finish(nc_eval_result *r);

typedef struct nc_eval nc_eval;

/* A new accumulator for a model with 'mode' and the label names labels[0..nlabels) (copied;
 * ignored for NC_TOPICS_NONE, a tone-only model). has_tone: evaluate tone. max_errors: how
 * many worst false positives and false negatives to keep per label (0: none). Free with
 * nc_eval_free. */
int nc_eval_new(nc_topic_mode mode, const char *const *labels, size_t nlabels, int has_tone,
                size_t max_errors, nc_eval **out, nc_error *err);
void nc_eval_free(nc_eval *e); /* NULL is a no-op */

/* Add the prediction 'p' for article 'gold' (both only read). p->nlabels must equal the
 * accumulator's; NC_EINVAL otherwise. */
int nc_eval_add(nc_eval *e, const nc_prediction *p, const nc_article *gold, nc_error *err);

/* Compute the results of everything added so far into 'out' (finished first). The accumulator
 * is unchanged and may be fed and finished again. */
int nc_eval_finish(const nc_eval *e, nc_eval_result *out, nc_error *err);

/* The results as one JSON object (pretty-printed when 'pretty'); undefined numbers are null.
 * On success *out is a new string the caller frees with free(). */
int nc_eval_result_to_json(const nc_eval_result *r, int pretty, char **out, nc_error *err);

/* ---- comparing two models on the same articles ---- */

/* One metric of two models, a and b, on the same articles, and its paired bootstrap interval. */
typedef struct nc_eval_diff {
    char metric[96];   /* "F1 diplomacy", "macro F1", "accuracy", "tone Pearson", ... */
    double a, b;       /* the metric of each model on all the articles (NaN: undefined) */
    double lo, hi;     /* 95% percentile interval of b - a over the resamples (NaN when fewer
                          than half the resamples define it) */
    int lower_better;  /* 1 for errors (MAE): there a negative b - a is an improvement */
} nc_eval_diff;

/* Compare evaluations 'a' and 'b' of two models fed the same articles in the same order (the
 * gold labels and tones must match, and so must the label names: NC_EINVAL otherwise).
 * 'resamples' paired bootstrap resamples of the articles (seeded with 'seed': the same inputs
 * give the same intervals), each scored for both models, give the interval of every
 * difference. Metrics: multi-label: F1 per label at the models' thresholds, micro and macro
 * F1; multi-class: accuracy and macro F1; tone: Pearson, MAE and three-class accuracy (each
 * counted as nc_eval_finish counts it). *out is a new array of *nout
 * entries the caller frees with free(). */
int nc_eval_compare(const nc_eval *a, const nc_eval *b, size_t resamples, unsigned long seed,
                    nc_eval_diff **out, size_t *nout, nc_error *err);

/* ---- cross-validation ---- */

/* Assign docs[0..n) to k folds: fold[i] in [0, k). Stratified by the first gold label (articles
 * without one form their own stratum); within each stratum the order is shuffled with a
 * gsl_rng seeded with 'seed', and articles are dealt to the folds in turn, continuing across
 * strata, so fold sizes differ by at most one. NC_EINVAL when k < 2 or k > n. */
int nc_stratified_folds(const nc_article *docs, size_t n, size_t k, unsigned long seed,
                        size_t *fold, nc_error *err);

/* One metric over folds. */
typedef struct nc_metric_summary {
    char *label;       /* owned; NULL for a metric of the whole evaluation */
    const char *name;  /* static: "micro_f1", "f1", "tone_mae", ... */
    size_t n;          /* folds where the metric was defined (not NaN) */
    double mean, sd;   /* over those folds; sd is the sample standard deviation (NaN if n < 2) */
} nc_metric_summary;

typedef struct nc_eval_summary {
    size_t folds;
    nc_topic_mode mode;
    nc_metric_summary *m;  /* overall metrics first, then per label in first-seen label order */
    size_t n, cap;
} nc_eval_summary;

void nc_eval_summary_init(nc_eval_summary *s);
void nc_eval_summary_finish(nc_eval_summary *s);
/* Summarise results[0..k) (the folds) into 's' (finished first). Labels are matched by name,
 * so folds whose models learned different label sets are fine. */
int nc_eval_summarize(const nc_eval_result *results, size_t k, nc_eval_summary *s,
                      nc_error *err);
/* The summary as JSON: {"folds":k,"mode":..,"metrics":{name:{"mean","sd","n"}},
 * "labels":{label:{name:{...}}}}; caller frees *out with free(). */
int nc_eval_summary_to_json(const nc_eval_summary *s, int pretty, char **out, nc_error *err);

/* "multi-label", "multi-class" or "none". */
const char *nc_eval_mode_name(nc_topic_mode mode);

#ifdef __cplusplus
}
#endif
#endif
