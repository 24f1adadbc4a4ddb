/* evaluate.c: the evaluation accumulator, its JSON form and the cross-validation helpers.
 *
 * nc_eval keeps what the metrics need and nothing more: in multi-label mode one row per scored
 * article (score, gold bit and selected bit per label, row-major), in multi-class mode the
 * confusion matrix, for tone the two score arrays, and per label two short sorted lists of the
 * worst errors (bounded by max_errors, so memory is O(articles x labels) at most).
 * nc_eval_finish turns that into an nc_eval_result by calling the pure functions of metrics.c;
 * it copies everything it reports, so the accumulator can keep going (cross-validate and
 * evaluate share this code). The JSON form lives in evaluate_json.c, folds and fold summaries
 * in crossval.c. Nothing here prints or touches files.
 * SPDX-License-Identifier: MIT */
#include <newsclass/newsclass.h>
#include <newsclass/evaluate.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "util.h"

struct errlist {
    nc_eval_example *fp, *fn; /* each max_errors long */
    size_t nfp, nfn;
};

struct nc_eval {
    nc_topic_mode mode;
    size_t k;
    char **labels;
    int has_tone;
    size_t max_errors;

    size_t n_articles, n_evaluated, n_no_gold, n_unknown_articles;
    nc_unknown_label *unknown;
    size_t nunknown, cap_unknown;

    /* multi-label rows */
    double *scores;
    int *gold, *sel;
    size_t rows, cap_scores, cap_gold, cap_sel;

    /* multi-class */
    size_t *confusion;    /* k x k */
    size_t *unknown_pred; /* per predicted class: articles whose gold class is unknown */

    struct errlist *errs; /* k */

    double *tone_pred, *tone_gold;
    size_t ntone, cap_tone_pred, cap_tone_gold;
    size_t int_n, int_covered; /* tone intervals seen, and those holding the gold tone */
    double int_width;          /* their summed widths */
};

static int oom(nc_error *err)
{
    return nc_err(err, NC_ENOMEM, "out of memory");
}

const char *nc_eval_mode_name(nc_topic_mode mode)
{
    switch (mode) {
    case NC_TOPICS_MULTILABEL: return "multi-label";
    case NC_TOPICS_MULTICLASS: return "multi-class";
    default: return "none";
    }
}

/* ---- results ---- */

static void example_free(nc_eval_example *ex, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(ex[i].id);
        free(ex[i].title);
    }
    free(ex);
}

static void calib_undefined(nc_calibration *c)
{
    memset(c, 0, sizeof *c);
    c->ece = c->brier = NAN;
    for (int b = 0; b < NC_CALIB_BINS; b++)
        c->mean_pred[b] = c->frac_pos[b] = NAN;
}

static void binary_undefined(nc_binary_metrics *m)
{
    memset(m, 0, sizeof *m);
    m->precision = m->recall = m->f1 = NAN;
}

void nc_eval_result_init(nc_eval_result *r)
{
    memset(r, 0, sizeof *r);
    binary_undefined(&r->micro);
    binary_undefined(&r->macro);
    r->exact_match = r->macro_auc = r->macro_ap = NAN;
    calib_undefined(&r->calib);
    r->accuracy = r->macro_f1 = NAN;
    nc_wilson_interval(0, 0, &r->interval_coverage);
    r->interval_width = NAN;
    /* the empty evaluation: n == 0 gives NaN everywhere */
    nc_regression_compute(NULL, NULL, 0, &r->tone, NULL);
    nc_tone3_compute(NULL, NULL, 0, &r->tone3);
}

void nc_eval_result_finish(nc_eval_result *r)
{
    for (size_t i = 0; i < r->nunknown; i++)
        free(r->unknown[i].label);
    free(r->unknown);
    for (size_t i = 0; i < r->nlabels; i++) {
        free(r->labels[i].label);
        example_free(r->labels[i].fp, r->labels[i].nfp);
        example_free(r->labels[i].fn, r->labels[i].nfn);
    }
    free(r->labels);
    free(r->confusion);
    nc_eval_result_init(r);
}

/* ---- accumulator ---- */

void nc_eval_free(nc_eval *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->k; i++) {
        free(e->labels ? e->labels[i] : NULL);
        if (e->errs) {
            example_free(e->errs[i].fp, e->errs[i].nfp);
            example_free(e->errs[i].fn, e->errs[i].nfn);
        }
    }
    free(e->labels);
    free(e->errs);
    for (size_t i = 0; i < e->nunknown; i++)
        free(e->unknown[i].label);
    free(e->unknown);
    free(e->scores);
    free(e->gold);
    free(e->sel);
    free(e->confusion);
    free(e->unknown_pred);
    free(e->tone_pred);
    free(e->tone_gold);
    free(e);
}

int nc_eval_new(nc_topic_mode mode, const char *const *labels, size_t nlabels, int has_tone,
                size_t max_errors, nc_eval **out, nc_error *err)
{
    nc_eval *e = NULL;
    int rc = NC_OK;

    nc_init(); /* GSL must not abort the program */
    *out = NULL;
    if (mode != NC_TOPICS_MULTILABEL && mode != NC_TOPICS_MULTICLASS && mode != NC_TOPICS_NONE)
        return nc_err(err, NC_EINVAL, "unknown topic mode %d", (int)mode);
    if (mode == NC_TOPICS_NONE)
        nlabels = 0;
    if (max_errors > 100000)
        return nc_err(err, NC_EINVAL, "too many error examples requested (%zu)", max_errors);
    e = calloc(1, sizeof *e);
    if (!e)
        return oom(err);
    e->mode = mode;
    e->has_tone = has_tone != 0;
    e->max_errors = max_errors;
    e->labels = calloc(nlabels ? nlabels : 1, sizeof *e->labels);
    e->errs = calloc(nlabels ? nlabels : 1, sizeof *e->errs);
    if (!e->labels || !e->errs) {
        rc = oom(err);
        goto out;
    }
    e->k = nlabels;
    for (size_t i = 0; i < nlabels; i++) {
        e->labels[i] = nc_strdup(labels[i] ? labels[i] : "");
        e->errs[i].fp = nc_alloc_array(max_errors ? max_errors : 1, sizeof(nc_eval_example));
        e->errs[i].fn = nc_alloc_array(max_errors ? max_errors : 1, sizeof(nc_eval_example));
        if (!e->labels[i] || !e->errs[i].fp || !e->errs[i].fn) {
            rc = oom(err);
            goto out;
        }
    }
    if (mode == NC_TOPICS_MULTICLASS) {
        if (nlabels && nlabels > SIZE_MAX / nlabels) {
            rc = oom(err);
            goto out;
        }
        e->confusion = calloc(nlabels ? nlabels * nlabels : 1, sizeof *e->confusion);
        e->unknown_pred = calloc(nlabels ? nlabels : 1, sizeof *e->unknown_pred);
        if (!e->confusion || !e->unknown_pred) {
            rc = oom(err);
            goto out;
        }
    }
out:
    if (rc < 0)
        nc_eval_free(e);
    else
        *out = e;
    return rc;
}

static long label_index(const nc_eval *e, const char *label)
{
    for (size_t i = 0; i < e->k; i++)
        if (strcmp(e->labels[i], label) == 0)
            return (long)i;
    return -1;
}

static int note_unknown(nc_eval *e, const char *label)
{
    void *p;

    for (size_t i = 0; i < e->nunknown; i++)
        if (strcmp(e->unknown[i].label, label) == 0) {
            e->unknown[i].count++;
            return NC_OK;
        }
    p = e->unknown;
    if (nc_grow(&p, &e->cap_unknown, e->nunknown + 1, sizeof *e->unknown) < 0)
        return NC_ENOMEM;
    e->unknown = p;
    e->unknown[e->nunknown].label = nc_strdup(label);
    if (!e->unknown[e->nunknown].label)
        return NC_ENOMEM;
    e->unknown[e->nunknown++].count = 1;
    return NC_OK;
}

/* Keep the max worst examples in 'list' (*n used): 'high' keeps the highest scores, sorted
 * descending, else the lowest, sorted ascending. Earlier articles win ties. */
static int keep_example(nc_eval_example *list, size_t *n, size_t max, int high, double score,
                        const nc_article *a)
{
    size_t pos;
    char *id, *title;

    if (max == 0)
        return NC_OK;
    pos = *n;
    while (pos > 0 && (high ? score > list[pos - 1].score : score < list[pos - 1].score))
        pos--;
    if (pos >= max)
        return NC_OK;
    id = nc_strdup(a->id ? a->id : "");
    title = nc_strdup(a->title ? a->title : "");
    if (!id || !title) {
        free(id);
        free(title);
        return NC_ENOMEM;
    }
    if (*n == max) { /* drop the least bad */
        free(list[max - 1].id);
        free(list[max - 1].title);
        (*n)--;
    }
    memmove(list + pos + 1, list + pos, (*n - pos) * sizeof *list);
    list[pos].id = id;
    list[pos].title = title;
    list[pos].score = score;
    (*n)++;
    return NC_OK;
}

/* Record an error of label j: a false positive (fp != 0) or a false negative. */
static int record_error(nc_eval *e, size_t j, int fp, double score, const nc_article *a)
{
    struct errlist *l = &e->errs[j];
    return fp ? keep_example(l->fp, &l->nfp, e->max_errors, 1, score, a)
              : keep_example(l->fn, &l->nfn, e->max_errors, 0, score, a);
}

/* Append one row of scores with all gold bits 0 and the selected bits from 'sel' (NULL: none);
 * *base receives the row's offset. */
static int append_row(nc_eval *e, const nc_prediction *p, const int *sel, size_t *base)
{
    size_t k = e->k;
    void *ps = e->scores, *pg = e->gold, *pl = e->sel;

    *base = e->rows * k;
    if (e->rows + 1 > SIZE_MAX / (k ? k : 1))
        return NC_ENOMEM;
    if (nc_grow(&ps, &e->cap_scores, *base + k, sizeof *e->scores) < 0)
        return NC_ENOMEM;
    e->scores = ps;
    if (nc_grow(&pg, &e->cap_gold, *base + k, sizeof *e->gold) < 0)
        return NC_ENOMEM;
    e->gold = pg;
    if (nc_grow(&pl, &e->cap_sel, *base + k, sizeof *e->sel) < 0)
        return NC_ENOMEM;
    e->sel = pl;
    for (size_t j = 0; j < k; j++) {
        e->scores[*base + j] = p->scores[j];
        e->gold[*base + j] = 0;
        e->sel[*base + j] = sel && sel[j] != 0;
    }
    e->rows++;
    return NC_OK;
}

static int add_multilabel(nc_eval *e, const nc_prediction *p, const nc_article *a)
{
    size_t k = e->k, base;
    int unknown = 0, rc;

    if ((rc = append_row(e, p, p->selected, &base)) < 0)
        return rc;
    for (size_t t = 0; t < a->ntopics; t++) {
        long j = label_index(e, a->topics[t]);
        if (j >= 0) {
            e->gold[base + (size_t)j] = 1;
        } else {
            unknown = 1;
            if (note_unknown(e, a->topics[t]) < 0)
                return NC_ENOMEM;
        }
    }
    e->n_unknown_articles += unknown;
    for (size_t j = 0; j < k; j++) {
        int g = e->gold[base + j], s = e->sel[base + j];
        if (g != s && (rc = record_error(e, j, s, p->scores[j], a)) < 0)
            return rc;
    }
    return NC_OK;
}

static int add_multiclass(nc_eval *e, const nc_prediction *p, const nc_article *a)
{
    long g = label_index(e, a->topics[0]);
    size_t pred = 0, base;
    int rc;

    if (e->k == 0) {
        e->n_unknown_articles++;
        return note_unknown(e, a->topics[0]);
    }
    if (p->primary >= 0 && (size_t)p->primary < e->k) {
        pred = (size_t)p->primary;
    } else {
        for (size_t j = 1; j < e->k; j++)
            if (p->scores[j] > p->scores[pred])
                pred = j;
    }
    /* the one-vs-rest row feeds the per-class AUC, AP and calibration */
    if ((rc = append_row(e, p, NULL, &base)) < 0)
        return rc;
    e->sel[base + pred] = 1;
    if (g < 0) {
        e->n_unknown_articles++;
        if (note_unknown(e, a->topics[0]) < 0)
            return NC_ENOMEM;
        e->unknown_pred[pred]++;
        return record_error(e, pred, 1, p->scores[pred], a);
    }
    e->gold[base + (size_t)g] = 1;
    e->confusion[(size_t)g * e->k + pred]++;
    if ((size_t)g != pred) {
        if ((rc = record_error(e, pred, 1, p->scores[pred], a)) < 0 ||
            (rc = record_error(e, (size_t)g, 0, p->scores[g], a)) < 0)
            return rc;
    }
    return NC_OK;
}

int nc_eval_add(nc_eval *e, const nc_prediction *p, const nc_article *gold, nc_error *err)
{
    int rc = NC_OK;

    if (e->mode != NC_TOPICS_NONE && p->nlabels != e->k)
        return nc_err(err, NC_EINVAL, "prediction has %zu labels, the evaluation %zu", p->nlabels,
                      e->k);
    e->n_articles++;
    if (e->mode != NC_TOPICS_NONE) {
        int has_gold = gold->has_topics && (e->mode == NC_TOPICS_MULTILABEL || gold->ntopics > 0);
        if (!has_gold) {
            e->n_no_gold++;
        } else {
            e->n_evaluated++;
            rc = e->mode == NC_TOPICS_MULTILABEL ? add_multilabel(e, p, gold)
                                                 : add_multiclass(e, p, gold);
            if (rc < 0)
                goto out;
        }
    }
    if (e->has_tone && p->has_tone && gold->has_tone) {
        void *pp = e->tone_pred, *pg = e->tone_gold;
        if (nc_grow(&pp, &e->cap_tone_pred, e->ntone + 1, sizeof(double)) < 0) {
            rc = NC_ENOMEM;
            goto out;
        }
        e->tone_pred = pp;
        if (nc_grow(&pg, &e->cap_tone_gold, e->ntone + 1, sizeof(double)) < 0) {
            rc = NC_ENOMEM;
            goto out;
        }
        e->tone_gold = pg;
        e->tone_pred[e->ntone] = p->tone;
        e->tone_gold[e->ntone] = gold->tone;
        e->ntone++;
        if (p->has_tone_interval) {
            e->int_n++;
            e->int_covered += gold->tone >= p->tone_lo && gold->tone <= p->tone_hi;
            e->int_width += p->tone_hi - p->tone_lo;
        }
    }
out:
    if (rc == NC_ENOMEM)
        return oom(err);
    return rc;
}

static int copy_examples(const nc_eval_example *src, size_t n, nc_eval_example **dst,
                         size_t *ndst)
{
    *dst = calloc(n ? n : 1, sizeof **dst);
    *ndst = 0;
    if (!*dst)
        return NC_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        (*dst)[i].id = nc_strdup(src[i].id);
        (*dst)[i].title = nc_strdup(src[i].title);
        (*dst)[i].score = src[i].score;
        *ndst = i + 1;
        if (!(*dst)[i].id || !(*dst)[i].title)
            return NC_ENOMEM;
    }
    return NC_OK;
}

static int cmp_unknown(const void *a, const void *b)
{
    return strcmp(((const nc_unknown_label *)a)->label, ((const nc_unknown_label *)b)->label);
}

/* Per-label ranking and calibration metrics from the stored rows (both modes); in multi-label
 * mode also the counts at the model's decisions and their averages. */
static int finish_rows(const nc_eval *e, nc_eval_result *r, nc_error *err)
{
    size_t n = e->rows, k = e->k, nauc = 0, nap = 0;
    double *col = NULL, sum_auc = 0, sum_ap = 0;
    int *gcol = NULL, rc = NC_OK;
    nc_binary_metrics *per = NULL;

    col = nc_alloc_array(n, sizeof *col);
    gcol = nc_alloc_array(n, sizeof *gcol);
    per = nc_alloc_array(k, sizeof *per);
    if (!col || !gcol || !per) {
        rc = oom(err);
        goto out;
    }
    for (size_t j = 0; j < k; j++) {
        nc_label_eval *l = &r->labels[j];
        size_t tp = 0, fp = 0, fn = 0, tn = 0;
        for (size_t i = 0; i < n; i++) {
            int g = e->gold[i * k + j], s = e->sel[i * k + j];
            col[i] = e->scores[i * k + j];
            gcol[i] = g;
            tp += g && s;
            fp += !g && s;
            fn += g && !s;
            tn += !g && !s;
        }
        nc_binary_from_counts(tp, fp, fn, tn, &per[j]);
        if (e->mode == NC_TOPICS_MULTILABEL)
            l->m = per[j];
        if ((rc = nc_roc_auc(col, gcol, n, &l->auc, err)) < 0 ||
            (rc = nc_average_precision(col, gcol, n, &l->ap, err)) < 0 ||
            (rc = nc_calibration_compute(col, gcol, n, &l->calib, err)) < 0) {
            nc_err_prefix(err, "label '%s'", e->labels[j]);
            goto out;
        }
        if (!isnan(l->auc)) {
            sum_auc += l->auc;
            nauc++;
        }
        if (!isnan(l->ap)) {
            sum_ap += l->ap;
            nap++;
        }
    }
    r->macro_auc = nauc ? sum_auc / (double)nauc : NAN;
    r->macro_ap = nap ? sum_ap / (double)nap : NAN;
    if (e->mode == NC_TOPICS_MULTILABEL) {
        if (k && n) { /* no article: leave the averages undefined rather than 0 */
            nc_micro_average(per, k, &r->micro);
            nc_macro_average(per, k, &r->macro);
        }
        r->exact_match = nc_exact_match(e->sel, e->gold, n, k);
    }
    if (n && k)
        rc = nc_calibration_compute(e->scores, e->gold, n * k, &r->calib, err);
out:
    free(per);
    free(gcol);
    free(col);
    return rc;
}

static int finish_multiclass(const nc_eval *e, nc_eval_result *r, nc_error *err)
{
    size_t k = e->k, total = 0, trace = 0, unknown = 0;
    nc_binary_metrics *per = NULL;
    double f1 = 0;
    int rc = NC_OK;

    r->confusion = nc_alloc_array(k * k, sizeof *r->confusion);
    per = nc_alloc_array(k, sizeof *per);
    if (!r->confusion || !per) {
        rc = oom(err);
        goto out;
    }
    if (k)
        memcpy(r->confusion, e->confusion, k * k * sizeof *r->confusion);
    nc_multiclass_metrics(e->confusion, k, per, NULL, NULL);
    for (size_t j = 0; j < k * k; j++)
        total += e->confusion[j];
    for (size_t j = 0; j < k; j++) {
        trace += e->confusion[j * k + j];
        unknown += e->unknown_pred[j];
    }
    for (size_t j = 0; j < k; j++) {
        /* an article whose gold label is unknown, predicted as j, is a false positive of j */
        size_t u = e->unknown_pred[j];
        nc_binary_from_counts(per[j].tp, per[j].fp + u, per[j].fn, per[j].tn + unknown - u,
                              &r->labels[j].m);
        f1 += r->labels[j].m.f1;
    }
    r->accuracy = (total + unknown) ? (double)trace / (double)(total + unknown) : NAN;
    r->macro_f1 = k ? f1 / (double)k : NAN;
out:
    free(per);
    return rc;
}

int nc_eval_finish(const nc_eval *e, nc_eval_result *r, nc_error *err)
{
    int rc = NC_OK;

    nc_eval_result_finish(r);
    r->mode = e->mode;
    r->has_tone = e->has_tone;
    r->n_articles = e->n_articles;
    r->n_evaluated = e->n_evaluated;
    r->n_no_gold = e->n_no_gold;
    r->n_unknown_articles = e->n_unknown_articles;
    r->unknown = calloc(e->nunknown ? e->nunknown : 1, sizeof *r->unknown);
    r->labels = calloc(e->k ? e->k : 1, sizeof *r->labels);
    if (!r->unknown || !r->labels) {
        rc = oom(err);
        goto out;
    }
    for (size_t i = 0; i < e->nunknown; i++) {
        r->unknown[i].count = e->unknown[i].count;
        r->unknown[i].label = nc_strdup(e->unknown[i].label);
        r->nunknown = i + 1;
        if (!r->unknown[i].label) {
            rc = oom(err);
            goto out;
        }
    }
    qsort(r->unknown, r->nunknown, sizeof *r->unknown, cmp_unknown);
    for (size_t j = 0; j < e->k; j++) {
        nc_label_eval *l = &r->labels[j];
        r->nlabels = j + 1;
        l->auc = l->ap = NAN;
        calib_undefined(&l->calib);
        binary_undefined(&l->m);
        l->label = nc_strdup(e->labels[j]);
        if (!l->label || copy_examples(e->errs[j].fp, e->errs[j].nfp, &l->fp, &l->nfp) < 0 ||
            copy_examples(e->errs[j].fn, e->errs[j].nfn, &l->fn, &l->nfn) < 0) {
            rc = oom(err);
            goto out;
        }
    }
    if (e->mode != NC_TOPICS_NONE)
        rc = finish_rows(e, r, err);
    if (rc == NC_OK && e->mode == NC_TOPICS_MULTICLASS)
        rc = finish_multiclass(e, r, err);
    if (rc < 0)
        goto out;
    if (e->has_tone) {
        if ((rc = nc_regression_compute(e->tone_pred, e->tone_gold, e->ntone, &r->tone, err)) < 0)
            goto out;
        nc_tone3_compute(e->tone_pred, e->tone_gold, e->ntone, &r->tone3);
        r->interval_n = e->int_n;
        nc_wilson_interval(e->int_covered, e->int_n, &r->interval_coverage);
        if (e->int_n)
            r->interval_width = e->int_width / (double)e->int_n;
    }
out:
    if (rc < 0)
        nc_eval_result_finish(r);
    return rc;
}

/* ---- comparing two models ---- */

/* F1 = 2TP / (2TP + FP + FN), 0 when TP = 0, as nc_binary_from_counts defines it. */
static double f1_of(size_t tp, size_t fp, size_t fn)
{
    return tp ? 2.0 * (double)tp / (double)(2 * tp + fp + fn) : 0.0;
}

/* The topic metrics of e over the rows idx[0..m) (repeats allowed) into v, counted as
 * nc_eval_finish counts them: multi-label: F1 per label, micro F1, macro F1 (k + 2 values);
 * multi-class: accuracy, macro F1 (2 values). */
static void topic_values(const nc_eval *e, const size_t *idx, size_t m, size_t *cnt,
                         double *v)
{
    size_t k = e->k, *tp = cnt, *fp = cnt + k, *fn = cnt + 2 * k, right = 0;
    size_t stp = 0, sfp = 0, sfn = 0;
    double sum_f1 = 0;

    memset(cnt, 0, 3 * k * sizeof *cnt);
    for (size_t i = 0; i < m; i++) {
        const int *g = e->gold + idx[i] * k, *s = e->sel + idx[i] * k;
        int hit = 0; /* a gold class unknown to the model (no gold bit) counts as an error */
        for (size_t j = 0; j < k; j++) {
            tp[j] += g[j] && s[j];
            fp[j] += !g[j] && s[j];
            fn[j] += g[j] && !s[j];
            hit |= g[j] && s[j];
        }
        right += hit;
    }
    for (size_t j = 0; j < k; j++) {
        double f = f1_of(tp[j], fp[j], fn[j]);
        if (e->mode == NC_TOPICS_MULTILABEL)
            v[j] = f;
        sum_f1 += f;
        stp += tp[j];
        sfp += fp[j];
        sfn += fn[j];
    }
    if (e->mode == NC_TOPICS_MULTILABEL) {
        v[k] = f1_of(stp, sfp, sfn);
        v[k + 1] = k ? sum_f1 / (double)k : NAN;
    } else {
        v[0] = m ? (double)right / (double)m : NAN;
        v[1] = k ? sum_f1 / (double)k : NAN;
    }
}

/* Tone Pearson, MAE and three-class accuracy of e over the items idx[0..m) into v[0..3);
 * tp and tg (m each) are scratch. */
static void tone_values(const nc_eval *e, const size_t *idx, size_t m, double *tp, double *tg,
                        double *v)
{
    for (size_t i = 0; i < m; i++) {
        tp[i] = e->tone_pred[idx[i]];
        tg[i] = e->tone_gold[idx[i]];
    }
    nc_tone_summary(tp, tg, m, v);
}

static int dbl_cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

/* The 95% percentile interval of d[0..n) without its NaNs (sorted in place), into *lo, *hi;
 * NaN when fewer than half of 'total' are defined. */
static void percentile_ci(double *d, size_t n, size_t total, double *lo, double *hi)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(d[i]))
            d[m++] = d[i];
    *lo = *hi = NAN;
    if (m == 0 || 2 * m < total)
        return;
    qsort(d, m, sizeof *d, dbl_cmp);
    *lo = d[(size_t)floor(0.025 * (double)(m - 1))];
    *hi = d[(size_t)ceil(0.975 * (double)(m - 1))];
}

int nc_eval_compare(const nc_eval *a, const nc_eval *b, size_t resamples, unsigned long seed,
                    nc_eval_diff **out, size_t *nout, nc_error *err)
{
    size_t k = a->k, ntopic = 0, nd = 0, rows = a->rows, nt = a->ntone, reps = resamples;
    size_t *idx = NULL, *cnt = NULL;
    double *va = NULL, *vb = NULL, *diffs = NULL, *tp = NULL, *tg = NULL;
    nc_eval_diff *d = NULL;
    gsl_rng *rng = NULL;
    int rc = NC_OK;

    nc_init(); /* GSL must not abort the program */
    *out = NULL;
    *nout = 0;
    if (a->mode != b->mode || a->k != b->k || a->has_tone != b->has_tone)
        return nc_err(err, NC_EINVAL, "the two models differ in kind (topics, labels or tone)");
    for (size_t j = 0; j < k; j++)
        if (strcmp(a->labels[j], b->labels[j]) != 0)
            return nc_err(err, NC_EINVAL, "the two models have other labels ('%s' and '%s')",
                          a->labels[j], b->labels[j]);
    if (a->rows != b->rows || a->ntone != b->ntone ||
        (rows && memcmp(a->gold, b->gold, rows * k * sizeof *a->gold) != 0) ||
        (nt && memcmp(a->tone_gold, b->tone_gold, nt * sizeof *a->tone_gold) != 0))
        return nc_err(err, NC_EINVAL, "the two evaluations are not of the same articles");
    if (reps < 10)
        return nc_err(err, NC_EINVAL, "at least 10 resamples are needed (got %zu)", reps);
    if (a->mode == NC_TOPICS_MULTILABEL)
        ntopic = k + 2;
    else if (a->mode == NC_TOPICS_MULTICLASS)
        ntopic = 2;
    if (rows == 0)
        ntopic = 0;
    nd = ntopic + (a->has_tone && nt > 0 ? 3 : 0);
    if (nd == 0)
        return nc_err(err, NC_EINVAL, "nothing to compare: no articles with gold topics or tone");
    d = calloc(nd, sizeof *d);
    idx = nc_alloc_array((rows > nt ? rows : nt) + 1, sizeof *idx);
    cnt = nc_alloc_array(3 * k + 1, sizeof *cnt);
    va = nc_alloc_array(nd, sizeof *va);
    vb = nc_alloc_array(nd, sizeof *vb);
    diffs = nc_alloc_array(nd * reps, sizeof *diffs);
    tp = nc_alloc_array(nt + 1, sizeof *tp);
    tg = nc_alloc_array(nt + 1, sizeof *tg);
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!d || !idx || !cnt || !va || !vb || !diffs || !tp || !tg || !rng) {
        rc = oom(err);
        goto out;
    }
    for (size_t j = 0; j < ntopic; j++) {
        if (a->mode == NC_TOPICS_MULTILABEL)
            snprintf(d[j].metric, sizeof d[j].metric, "%s%s",
                     j < k ? "F1 " : j == k ? "micro F1" : "macro F1", j < k ? a->labels[j] : "");
        else
            snprintf(d[j].metric, sizeof d[j].metric, "%s", j == 0 ? "accuracy" : "macro F1");
    }
    if (nd > ntopic) {
        snprintf(d[ntopic].metric, sizeof d[ntopic].metric, "tone Pearson");
        snprintf(d[ntopic + 1].metric, sizeof d[ntopic + 1].metric, "tone MAE");
        d[ntopic + 1].lower_better = 1;
        snprintf(d[ntopic + 2].metric, sizeof d[ntopic + 2].metric, "tone 3-class accuracy");
    }
    /* on all the articles */
    for (size_t i = 0; i < (rows > nt ? rows : nt); i++)
        idx[i] = i;
    if (ntopic) {
        topic_values(a, idx, rows, cnt, va);
        topic_values(b, idx, rows, cnt, vb);
    }
    if (nd > ntopic) {
        tone_values(a, idx, nt, tp, tg, va + ntopic);
        tone_values(b, idx, nt, tp, tg, vb + ntopic);
    }
    for (size_t j = 0; j < nd; j++) {
        d[j].a = va[j];
        d[j].b = vb[j];
    }
    /* paired resamples: the same articles for both models */
    gsl_rng_set(rng, seed);
    for (size_t r = 0; r < reps; r++) {
        if (ntopic) {
            for (size_t i = 0; i < rows; i++)
                idx[i] = (size_t)gsl_rng_uniform_int(rng, rows);
            topic_values(a, idx, rows, cnt, va);
            topic_values(b, idx, rows, cnt, vb);
        }
        if (nd > ntopic) {
            for (size_t i = 0; i < nt; i++)
                idx[i] = (size_t)gsl_rng_uniform_int(rng, nt);
            tone_values(a, idx, nt, tp, tg, va + ntopic);
            tone_values(b, idx, nt, tp, tg, vb + ntopic);
        }
        for (size_t j = 0; j < nd; j++)
            diffs[j * reps + r] = vb[j] - va[j];
    }
    for (size_t j = 0; j < nd; j++)
        percentile_ci(diffs + j * reps, reps, reps, &d[j].lo, &d[j].hi);
    *out = d;
    *nout = nd;
    d = NULL;
out:
    gsl_rng_free(rng);
    free(tg);
    free(tp);
    free(diffs);
    free(vb);
    free(va);
    free(cnt);
    free(idx);
    free(d);
    return rc;
}
