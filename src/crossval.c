/* crossval.c: cross-validation helpers: stratified fold assignment and the summary of several
 * evaluations as mean and standard deviation per metric.
 *
 * Folds: articles are grouped by their first gold label (no label = its own group), each group
 * is shuffled with a seeded gsl_rng (never rand()), and articles are dealt to the folds in turn,
 * continuing across groups, so every fold gets its share of every group and fold sizes differ by
 * at most one. Summaries flatten each nc_eval_result into (label, metric, value) triples, match
 * them across folds by name, and skip the folds where a metric is undefined (NaN).
 * SPDX-License-Identifier: MIT */
#include <newsclass/newsclass.h>
#include <newsclass/evaluate.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int oom(nc_error *err)
{
    return nc_err(err, NC_ENOMEM, "out of memory");
}

struct stratum_key {
    const char *key; /* NULL: no gold label */
    size_t i;
};

static int cmp_key(const char *x, const char *y)
{
    if (!x || !y)
        return (x != NULL) - (y != NULL);
    return strcmp(x, y);
}

static int cmp_stratum(const void *a, const void *b)
{
    const struct stratum_key *x = a, *y = b;
    int c = cmp_key(x->key, y->key);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

int nc_stratified_folds(const nc_article *docs, size_t n, size_t k, unsigned long seed,
                        size_t *fold, nc_error *err)
{
    struct stratum_key *keys = NULL;
    size_t *order = NULL, next = 0;
    gsl_rng *rng = NULL;
    int rc = NC_OK;

    nc_init(); /* GSL must not abort the program */
    if (k < 2)
        return nc_err(err, NC_EINVAL, "need at least 2 folds, not %zu", k);
    if (k > n)
        return nc_err(err, NC_EINVAL, "cannot split %zu articles into %zu folds", n, k);
    keys = nc_alloc_array(n, sizeof *keys);
    order = nc_alloc_array(n, sizeof *order);
    rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!keys || !order || !rng) {
        rc = oom(err);
        goto out;
    }
    gsl_rng_set(rng, seed);
    for (size_t i = 0; i < n; i++) {
        keys[i].key = docs[i].has_topics && docs[i].ntopics ? docs[i].topics[0] : NULL;
        keys[i].i = i;
    }
    qsort(keys, n, sizeof *keys, cmp_stratum);
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        while (e < n && cmp_key(keys[s].key, keys[e].key) == 0)
            e++;
        for (size_t t = s; t < e; t++)
            order[t - s] = keys[t].i;
        gsl_ran_shuffle(rng, order, e - s, sizeof *order);
        /* deal in turn, continuing where the previous stratum stopped */
        for (size_t t = 0; t < e - s; t++)
            fold[order[t]] = next++ % k;
        s = e;
    }
out:
    gsl_rng_free(rng);
    free(order);
    free(keys);
    return rc;
}

void nc_eval_summary_init(nc_eval_summary *s)
{
    memset(s, 0, sizeof *s);
}

void nc_eval_summary_finish(nc_eval_summary *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->m[i].label);
    free(s->m);
    nc_eval_summary_init(s);
}

/* The values of one summary entry over the folds, NaN where a fold lacks it. */
struct collect {
    nc_eval_summary *s;
    double **vals;  /* parallel to s->m, each k long */
    size_t cap_vals;
    size_t k, fold;
};

static int put(struct collect *c, const char *label, const char *name, double v)
{
    size_t i;
    void *p;

    for (i = 0; i < c->s->n; i++) {
        const nc_metric_summary *m = &c->s->m[i];
        int same_label = label ? m->label && strcmp(m->label, label) == 0 : !m->label;
        if (same_label && strcmp(m->name, name) == 0)
            break;
    }
    if (i == c->s->n) {
        p = c->s->m;
        if (nc_grow(&p, &c->s->cap, i + 1, sizeof *c->s->m) < 0)
            return NC_ENOMEM;
        c->s->m = p;
        p = c->vals;
        if (nc_grow(&p, &c->cap_vals, i + 1, sizeof *c->vals) < 0)
            return NC_ENOMEM;
        c->vals = p;
        c->vals[i] = nc_alloc_array(c->k, sizeof **c->vals);
        c->s->m[i].label = label ? nc_strdup(label) : NULL;
        c->s->m[i].name = name;
        if (!c->vals[i] || (label && !c->s->m[i].label)) {
            free(c->vals[i]);
            free(c->s->m[i].label);
            return NC_ENOMEM;
        }
        for (size_t f = 0; f < c->k; f++)
            c->vals[i][f] = NAN;
        c->s->n++;
    }
    c->vals[i][c->fold] = v;
    return NC_OK;
}

static int collect_fold(struct collect *c, const nc_eval_result *r)
{
    int rc = NC_OK;

#define PUT(label, name, v)                                 \
    do {                                                    \
        if ((rc = put(c, (label), (name), (v))) < 0)        \
            return rc;                                      \
    } while (0)
    PUT(NULL, "articles", (double)r->n_articles);
    PUT(NULL, "evaluated", (double)r->n_evaluated);
    if (r->mode == NC_TOPICS_MULTILABEL) {
        PUT(NULL, "micro_precision", r->micro.precision);
        PUT(NULL, "micro_recall", r->micro.recall);
        PUT(NULL, "micro_f1", r->micro.f1);
        PUT(NULL, "macro_precision", r->macro.precision);
        PUT(NULL, "macro_recall", r->macro.recall);
        PUT(NULL, "macro_f1", r->macro.f1);
        PUT(NULL, "exact_match", r->exact_match);
    } else if (r->mode == NC_TOPICS_MULTICLASS) {
        PUT(NULL, "accuracy", r->accuracy);
        PUT(NULL, "macro_f1", r->macro_f1);
    }
    if (r->mode != NC_TOPICS_NONE) {
        PUT(NULL, "macro_auc", r->macro_auc);
        PUT(NULL, "macro_ap", r->macro_ap);
        PUT(NULL, "ece", r->calib.ece);
        PUT(NULL, "brier", r->calib.brier);
    }
    if (r->has_tone) {
        PUT(NULL, "tone_mae", r->tone.mae.value);
        PUT(NULL, "tone_rmse", r->tone.rmse.value);
        PUT(NULL, "tone_pearson", r->tone.pearson.value);
        PUT(NULL, "tone_spearman", r->tone.spearman.value);
        PUT(NULL, "tone_accuracy3", r->tone3.accuracy);
        if (r->interval_n)
            PUT(NULL, "tone_interval_coverage", r->interval_coverage.value);
    }
    for (size_t j = 0; j < r->nlabels; j++) {
        const nc_label_eval *l = &r->labels[j];
        PUT(l->label, "precision", l->m.precision);
        PUT(l->label, "recall", l->m.recall);
        PUT(l->label, "f1", l->m.f1);
        PUT(l->label, "support", (double)l->m.support);
        PUT(l->label, "auc", l->auc);
        PUT(l->label, "ap", l->ap);
    }
#undef PUT
    return rc;
}

int nc_eval_summarize(const nc_eval_result *results, size_t k, nc_eval_summary *s,
                      nc_error *err)
{
    struct collect c = { s, NULL, 0, k, 0 };
    double *defined = NULL;
    int rc = NC_OK;

    nc_eval_summary_finish(s);
    s->folds = k;
    s->mode = k ? results[0].mode : NC_TOPICS_NONE;
    defined = nc_alloc_array(k, sizeof *defined);
    if (!defined) {
        rc = oom(err);
        goto out;
    }
    for (c.fold = 0; c.fold < k; c.fold++) {
        if (collect_fold(&c, &results[c.fold]) < 0) {
            rc = oom(err);
            goto out;
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        nc_metric_summary *m = &s->m[i];
        size_t nd = 0;
        for (size_t f = 0; f < k; f++)
            if (!isnan(c.vals[i][f]))
                defined[nd++] = c.vals[i][f];
        m->n = nd;
        m->mean = nd ? gsl_stats_mean(defined, 1, nd) : NAN;
        m->sd = nd >= 2 ? gsl_stats_sd_m(defined, 1, nd, m->mean) : NAN;
    }
out:
    for (size_t i = 0; i < s->n; i++)
        free(c.vals[i]);
    free(c.vals);
    free(defined);
    if (rc < 0)
        nc_eval_summary_finish(s);
    return rc;
}
