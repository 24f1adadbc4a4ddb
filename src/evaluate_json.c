/* evaluate_json.c: evaluation results and cross-validation summaries as JSON (cJSON).
 *
 * The whole tree is built first and checked once: every helper marks a shared flag when cJSON
 * fails (out of memory) and accepts a NULL parent, so the builders stay linear. Undefined
 * numbers (NaN) become JSON null. The caller gets a plain malloc'd string.
 * SPDX-License-Identifier: MIT */
#include <newsclass/evaluate.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>

#include "util.h"

static int oom(nc_error *err)
{
    return nc_err(err, NC_ENOMEM, "out of memory");
}

/* cJSON calls that fail set *bad; adding to a NULL parent fails too, so a whole tree can be
 * built and checked once at the end. */
struct jb {
    int bad;
};

static cJSON *jnum(struct jb *b, cJSON *o, const char *name, double v)
{
    cJSON *it = isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
    if (!it || !o || !cJSON_AddItemToObject(o, name, it)) {
        cJSON_Delete(it);
        b->bad = 1;
        return NULL;
    }
    return it;
}

static cJSON *jobj(struct jb *b, cJSON *parent, const char *name)
{
    cJSON *o = parent ? cJSON_AddObjectToObject(parent, name) : NULL;
    if (!o)
        b->bad = 1;
    return o;
}

static cJSON *jarr(struct jb *b, cJSON *parent, const char *name)
{
    cJSON *a = parent ? cJSON_AddArrayToObject(parent, name) : NULL;
    if (!a)
        b->bad = 1;
    return a;
}

static void jstr(struct jb *b, cJSON *o, const char *name, const char *s)
{
    if (!o || !cJSON_AddStringToObject(o, name, s))
        b->bad = 1;
}

static cJSON *jpush_obj(struct jb *b, cJSON *arr)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !arr || !cJSON_AddItemToArray(arr, o)) {
        cJSON_Delete(o);
        b->bad = 1;
        return NULL;
    }
    return o;
}

static void jpush_num(struct jb *b, cJSON *arr, double v)
{
    cJSON *it = isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
    if (!it || !arr || !cJSON_AddItemToArray(arr, it)) {
        cJSON_Delete(it);
        b->bad = 1;
    }
}

static void jbinary(struct jb *b, cJSON *o, const nc_binary_metrics *m, int counts)
{
    jnum(b, o, "precision", m->precision);
    jnum(b, o, "recall", m->recall);
    jnum(b, o, "f1", m->f1);
    jnum(b, o, "support", (double)m->support);
    if (counts) {
        jnum(b, o, "tp", (double)m->tp);
        jnum(b, o, "fp", (double)m->fp);
        jnum(b, o, "fn", (double)m->fn);
        jnum(b, o, "tn", (double)m->tn);
    }
}

static void jcalib(struct jb *b, cJSON *o, const nc_calibration *c)
{
    cJSON *bins = jarr(b, o, "reliability");

    for (int i = 0; i < NC_CALIB_BINS; i++) {
        cJSON *bin = jpush_obj(b, bins);
        jnum(b, bin, "lo", (double)i / NC_CALIB_BINS);
        jnum(b, bin, "hi", (double)(i + 1) / NC_CALIB_BINS);
        jnum(b, bin, "count", (double)c->count[i]);
        jnum(b, bin, "mean_predicted", c->mean_pred[i]);
        jnum(b, bin, "observed", c->frac_pos[i]);
    }
}

static void jexamples(struct jb *b, cJSON *o, const char *name, const nc_eval_example *ex,
                      size_t n)
{
    cJSON *arr = jarr(b, o, name);

    for (size_t i = 0; i < n; i++) {
        cJSON *it = jpush_obj(b, arr);
        jstr(b, it, "id", ex[i].id);
        jnum(b, it, "score", ex[i].score);
        jstr(b, it, "title", ex[i].title);
    }
}

static void jestimate(struct jb *b, cJSON *o, const char *name, const nc_estimate *e)
{
    cJSON *it = jobj(b, o, name);
    jnum(b, it, "value", e->value);
    jnum(b, it, "ci_low", e->lo);
    jnum(b, it, "ci_high", e->hi);
}

static void jmatrix(struct jb *b, cJSON *o, const char *const *names, size_t k,
                    const size_t *cells)
{
    cJSON *labels = jarr(b, o, "labels"), *rows = jarr(b, o, "matrix");

    for (size_t i = 0; i < k; i++) {
        cJSON *s = cJSON_CreateString(names[i]);
        cJSON *row = cJSON_CreateArray();
        if (!s || !labels || !cJSON_AddItemToArray(labels, s)) {
            cJSON_Delete(s);
            b->bad = 1;
        }
        if (!row || !rows || !cJSON_AddItemToArray(rows, row)) {
            cJSON_Delete(row);
            b->bad = 1;
            continue;
        }
        for (size_t j = 0; j < k; j++)
            jpush_num(b, row, (double)cells[i * k + j]);
    }
}

static int print_json(cJSON *root, struct jb *b, int pretty, char **out, nc_error *err)
{
    char *s = NULL;

    if (!b->bad)
        s = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (!s)
        return oom(err);
    /* hand the caller a plain malloc'd string, whatever allocator cJSON was built with */
    *out = nc_strdup(s);
    cJSON_free(s);
    return *out ? NC_OK : oom(err);
}

int nc_eval_result_to_json(const nc_eval_result *r, int pretty, char **out, nc_error *err)
{
    struct jb b = { 0 };
    cJSON *root = cJSON_CreateObject(), *topics, *per, *unk;
    const char **names = NULL;
    int rc;

    *out = NULL;
    if (!root)
        return oom(err);
    jnum(&b, root, "articles", (double)r->n_articles);
    topics = jobj(&b, root, "topics");
    jstr(&b, topics, "mode", nc_eval_mode_name(r->mode));
    jnum(&b, topics, "evaluated", (double)r->n_evaluated);
    jnum(&b, topics, "without_gold", (double)r->n_no_gold);
    jnum(&b, topics, "unknown_gold_articles", (double)r->n_unknown_articles);
    unk = jobj(&b, topics, "unknown_labels");
    for (size_t i = 0; i < r->nunknown; i++)
        jnum(&b, unk, r->unknown[i].label, (double)r->unknown[i].count);
    if (r->mode == NC_TOPICS_MULTILABEL) {
        jbinary(&b, jobj(&b, topics, "micro"), &r->micro, 1);
        jbinary(&b, jobj(&b, topics, "macro"), &r->macro, 0);
        jnum(&b, topics, "exact_match", r->exact_match);
    } else if (r->mode == NC_TOPICS_MULTICLASS) {
        jnum(&b, topics, "accuracy", r->accuracy);
        jnum(&b, topics, "macro_f1", r->macro_f1);
    }
    if (r->mode != NC_TOPICS_NONE) {
        jnum(&b, topics, "macro_auc", r->macro_auc);
        jnum(&b, topics, "macro_ap", r->macro_ap);
        jnum(&b, topics, "ece", r->calib.ece);
        jnum(&b, topics, "brier", r->calib.brier);
    }
    per = jobj(&b, topics, "labels");
    for (size_t j = 0; j < r->nlabels; j++) {
        const nc_label_eval *l = &r->labels[j];
        cJSON *o = jobj(&b, per, l->label);
        jbinary(&b, o, &l->m, 1);
        jnum(&b, o, "auc", l->auc);
        jnum(&b, o, "ap", l->ap);
        jnum(&b, o, "ece", l->calib.ece);
        jnum(&b, o, "brier", l->calib.brier);
        jcalib(&b, o, &l->calib);
        if (l->nfp || l->nfn) {
            jexamples(&b, o, "false_positives", l->fp, l->nfp);
            jexamples(&b, o, "false_negatives", l->fn, l->nfn);
        }
    }
    if (r->mode == NC_TOPICS_MULTICLASS) {
        names = calloc(r->nlabels ? r->nlabels : 1, sizeof *names);
        if (!names) {
            b.bad = 1;
        } else {
            for (size_t j = 0; j < r->nlabels; j++)
                names[j] = r->labels[j].label;
            jmatrix(&b, jobj(&b, topics, "confusion"), names, r->nlabels, r->confusion);
        }
    }
    if (r->has_tone) {
        static const char *const tone_names[] = { "negative", "neutral", "positive" };
        cJSON *tone = jobj(&b, root, "tone");
        jnum(&b, tone, "evaluated", (double)r->tone.n);
        jestimate(&b, tone, "mae", &r->tone.mae);
        jestimate(&b, tone, "rmse", &r->tone.rmse);
        jestimate(&b, tone, "pearson", &r->tone.pearson);
        jestimate(&b, tone, "spearman", &r->tone.spearman);
        jnum(&b, tone, "accuracy3", r->tone3.accuracy);
        if (r->interval_n) {
            cJSON *iv = jobj(&b, tone, "interval90");
            jnum(&b, iv, "evaluated", (double)r->interval_n);
            jnum(&b, iv, "coverage", r->interval_coverage.value);
            jnum(&b, iv, "coverage_ci_low", r->interval_coverage.lo);
            jnum(&b, iv, "coverage_ci_high", r->interval_coverage.hi);
            jnum(&b, iv, "mean_width", r->interval_width);
        }
        jmatrix(&b, jobj(&b, tone, "confusion3"), tone_names, 3, &r->tone3.confusion[0][0]);
    }
    rc = print_json(root, &b, pretty, out, err);
    free(names);
    return rc;
}

int nc_eval_summary_to_json(const nc_eval_summary *s, int pretty, char **out, nc_error *err)
{
    struct jb b = { 0 };
    cJSON *root = cJSON_CreateObject(), *metrics, *labels;

    *out = NULL;
    if (!root)
        return oom(err);
    jnum(&b, root, "folds", (double)s->folds);
    jstr(&b, root, "mode", nc_eval_mode_name(s->mode));
    metrics = jobj(&b, root, "metrics");
    labels = jobj(&b, root, "labels");
    for (size_t i = 0; i < s->n; i++) {
        const nc_metric_summary *m = &s->m[i];
        cJSON *parent = metrics, *o;
        if (m->label) {
            parent = labels ? cJSON_GetObjectItemCaseSensitive(labels, m->label) : NULL;
            if (!parent)
                parent = jobj(&b, labels, m->label);
        }
        o = jobj(&b, parent, m->name);
        jnum(&b, o, "mean", m->mean);
        jnum(&b, o, "sd", m->sd);
        jnum(&b, o, "n", (double)m->n);
    }
    return print_json(root, &b, pretty, out, err);
}
