/* classify.c: score articles with a loaded model, and explain the scores.
 *
 * Everything here only reads the model, so one model can serve several threads. Scores are
 * plain dot products over the article's sparse vector (LIBLINEAR is not needed at prediction
 * time: the weights live in our own bundle).
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <newsclass/model.h>

#include "model_impl.h"
#include "util.h"

const char *nc_tone_label(double tone)
{
    return tone < -0.25 ? "negative" : tone > 0.25 ? "positive" : "neutral";
}

int nc_tone_class(double tone)
{
    return tone < -0.25 ? -1 : tone > 0.25 ? 1 : 0;
}

void nc_prediction_init(nc_prediction *p)
{
    memset(p, 0, sizeof *p);
    p->primary = -1;
}

void nc_prediction_finish(nc_prediction *p)
{
    free(p->scores);
    free(p->selected);
    nc_prediction_init(p);
}

/* Scores of scorers [from, to) for vector v into out[0..to-from), biases included. */
static void scores(const nc_model *m, size_t from, size_t to, const nc_vector *v, double *out)
{
    const size_t S = m->S, k = to - from;
    const double *W = m->W + from;
    for (size_t s = 0; s < k; s++)
        out[s] = from + s < m->nlabels && m->mode != NC_TOPICS_NONE ? m->topic[from + s].bias
                                                                     : m->tone.bias;
    if (k == 1) { /* one scorer (tone): a plain dot product */
        double acc = 0;
        for (size_t i = 0; i < v->n; i++)
            acc += W[(size_t)(v->idx[i] - 1) * S] * v->val[i];
        out[0] += acc;
        return;
    }
    for (size_t s0 = 0; s0 < k; s0 += 8) { /* up to 8 accumulators in registers */
        double acc[8] = { 0 };
        size_t kk = k - s0 < 8 ? k - s0 : 8;
        for (size_t i = 0; i < v->n; i++) {
            const double *row = W + (size_t)(v->idx[i] - 1) * S + s0;
            const double x = v->val[i];
            for (size_t s = 0; s < kk; s++)
                acc[s] += row[s] * x;
        }
        for (size_t s = 0; s < kk; s++)
            out[s0 + s] += acc[s];
    }
}

static double weight(const nc_model *m, size_t s, int idx)
{
    return m->W[(size_t)(idx - 1) * m->S + s];
}

double nc_model_tone(const nc_model *m, const nc_article *a, double score)
{
    double t;
    if (m->lex) {
        double f[NC_LEX_NOUT];
        nc_lexicon_features(m->lex, a, f);
        t = m->tone_scale * nc_tone_stack(m->stack, score, f);
    } else {
        t = m->tone_scale * score;
    }
    return t > 1 ? 1 : t < -1 ? -1 : t;
}

double nc_tone_spread_factor(const double *pred, const double *gold, size_t n)
{
    double mp = 0, mg = 0, vp = 0, vg = 0, r;
    if (n < 2)
        return 1.0;
    for (size_t i = 0; i < n; i++) {
        mp += pred[i];
        mg += gold[i];
    }
    mp /= (double)n;
    mg /= (double)n;
    for (size_t i = 0; i < n; i++) {
        vp += (pred[i] - mp) * (pred[i] - mp);
        vg += (gold[i] - mg) * (gold[i] - mg);
    }
    if (!(vp > 0 && vg > 0))
        return 1.0;
    r = sqrt(vg / vp);
    return isfinite(r) ? r : 1.0;
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double nc_conformal_halfwidth(const double *pred, const double *gold, size_t n, double level)
{
    double *r, q;
    size_t k = (size_t)ceil(level * (double)(n + 1) - 1e-9); /* 1e-9: 0.9 * 10 is 9, not 9.000..1 */
    if (k < 1 || k > n)
        return 2.0;
    if (!(r = nc_alloc_array(n, sizeof *r)))
        return -1;
    for (size_t i = 0; i < n; i++)
        r[i] = fabs(pred[i] - gold[i]);
    qsort(r, n, sizeof *r, cmp_dbl);
    q = r[k - 1];
    free(r);
    return q;
}

struct nc_workspace {
    nc_vector counts, v;
};

nc_workspace *nc_workspace_new(const nc_model *m)
{
    nc_workspace *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    nc_vector_init(&ws->counts);
    nc_vector_init(&ws->v);
    if (nc_vector_reserve(&ws->counts, m->vec, NULL) < 0) {
        nc_workspace_free(ws);
        return NULL;
    }
    return ws;
}

void nc_workspace_free(nc_workspace *ws)
{
    if (!ws)
        return;
    nc_vector_finish(&ws->counts);
    nc_vector_finish(&ws->v);
    free(ws);
}

int nc_classify(const nc_model *m, const nc_article *a, nc_prediction *out, nc_error *err)
{
    return nc_classify_ws(m, a, out, NULL, err);
}

int nc_classify_ws(const nc_model *m, const nc_article *a, nc_prediction *out,
                   nc_workspace *ws_in, nc_error *err)
{
    nc_workspace local, *ws = ws_in ? ws_in : &local;
    nc_vector *counts = &ws->counts, *v = &ws->v;
    int rc = NC_OK;

    if (!ws_in) { /* used once: no per-feature counters (counting sorts instead) */
        nc_vector_init(&local.counts);
        nc_vector_init(&local.v);
    }
    /* tokenize once; the topic and tone parts weight the same counts differently */
    if ((rc = nc_vectorizer_counts(m->vec, a, counts, err)) < 0)
        goto out;
    if (out->nlabels != m->nlabels) {
        free(out->scores);
        free(out->selected);
        out->scores = calloc(m->nlabels ? m->nlabels : 1, sizeof *out->scores);
        out->selected = calloc(m->nlabels ? m->nlabels : 1, sizeof *out->selected);
        if (!out->scores || !out->selected) {
            out->nlabels = 0;
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        out->nlabels = m->nlabels;
    }
    out->primary = -1;
    out->has_tone = 0;
    out->has_tone_interval = 0;
    out->tone_lo = out->tone_hi = 0;
    out->tone = 0;
    if (m->mode != NC_TOPICS_NONE) {
        double sum = 0, best = -1;
        if ((rc = nc_vector_weight(m->vec, counts, NC_WEIGHT_TFIDF, v, err)) < 0)
            goto out;
        scores(m, 0, m->nlabels, v, out->scores);
        for (size_t l = 0; l < m->nlabels; l++) {
            out->scores[l] = nc_platt(m->platt_a[l], m->platt_b[l], out->scores[l]);
            if (!isfinite(out->scores[l])) {
                rc = nc_err(err, NC_EFORMAT, "label '%s': the model's weights give a score "
                            "that is not a number (is weights.bin damaged?)", m->labels[l]);
                goto out;
            }
            sum += out->scores[l];
        }
        for (size_t l = 0; l < m->nlabels; l++) {
            if (m->mode == NC_TOPICS_MULTICLASS) {
                out->scores[l] = sum > 0 ? out->scores[l] / sum : 1.0 / (double)m->nlabels;
                out->selected[l] = 0;
                if (out->scores[l] > best) {
                    best = out->scores[l];
                    out->primary = (int)l;
                }
            } else {
                out->selected[l] = out->scores[l] >= m->threshold[l];
                if (out->selected[l] && out->scores[l] > best) {
                    best = out->scores[l];
                    out->primary = (int)l;
                }
            }
        }
        if (m->mode == NC_TOPICS_MULTICLASS && out->primary >= 0)
            out->selected[out->primary] = 1;
    }
    if (m->has_tone) {
        double t;
        if ((rc = nc_vector_weight(m->vec, counts, NC_WEIGHT_TFIDF_LINEAR, v, err)) < 0)
            goto out;
        size_t ts = m->S - 1; /* tone is the last scorer */
        scores(m, ts, ts + 1, v, &t);
        t = nc_model_tone(m, a, t);
        if (!isfinite(t)) {
            rc = nc_err(err, NC_EFORMAT, "the model's weights give a tone that is not a number "
                        "(is weights.bin damaged?)");
            goto out;
        }
        /* Reported to 4 decimals, and kept at that: the label, the three-class figures of
         * evaluate and every output then follow the value printed (a tone of 0.25003, printed
         * 0.25, was labelled positive while the guide's "above 0.25" read off the output says
         * neutral). */
        t = round(t * 1e4) / 1e4;
        out->tone = t;
        out->has_tone = 1;
        if (m->tone_q90 > 0) {
            out->has_tone_interval = 1;
            out->tone_lo = t - m->tone_q90 < -1 ? -1 : t - m->tone_q90;
            out->tone_hi = t + m->tone_q90 > 1 ? 1 : t + m->tone_q90;
        }
    }
out:
    if (!ws_in) {
        nc_vector_finish(&local.v);
        nc_vector_finish(&local.counts);
    }
    return rc;
}

const char *nc_tone_lexicon_name(int k)
{
    static const char *const names[NC_TONE_LEXICON_FEATURES] = {
        "mean", "per_10_tokens", "negative_share", "positive_share", "shortness"
    };
    return k >= 0 && k < NC_TONE_LEXICON_FEATURES ? names[k] : NULL;
}

int nc_tone_parts(const nc_model *m, const nc_article *a, double *regression,
                  double lexicon[NC_TONE_LEXICON_FEATURES], nc_error *err)
{
    nc_vector v;
    int rc;

    *regression = 0;
    for (int k = 0; k < NC_TONE_LEXICON_FEATURES; k++)
        lexicon[k] = 0;
    if (!m->has_tone)
        return nc_err(err, NC_EINVAL, "the model has no tone");
    nc_vector_init(&v);
    if ((rc = nc_vectorizer_transform(m->vec, a, NC_WEIGHT_TFIDF_LINEAR, &v, err)) == NC_OK) {
        scores(m, m->S - 1, m->S, &v, regression); /* tone is the last scorer */
        if (m->lex)
            nc_lexicon_features(m->lex, a, lexicon);
    }
    nc_vector_finish(&v);
    return rc;
}

struct contrib_sort {
    double value;
    int idx;
};

static int cmp_contrib_desc(const void *a, const void *b)
{
    const struct contrib_sort *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? 1 : -1;
    return (x->idx > y->idx) - (x->idx < y->idx);
}

static const char *contrib_term(const nc_model *m, int idx)
{
    static const char *const lex[NC_LEX_NFEAT] = {
        "[lexicon: mean valence]", "[lexicon: valence per 10 words]",
        "[lexicon: share of negative words]", "[lexicon: share of positive words]"
    };
    const char *t;
    if (idx < 0)
        return lex[-1 - idx];
    t = nc_vectorizer_term(m->vec, (size_t)idx);
    return t ? t : "(hashed feature)";
}

int nc_explain(const nc_model *m, const nc_article *a, size_t label, size_t n,
               nc_contribution *up, size_t *nup, nc_contribution *down, size_t *ndown,
               nc_error *err)
{
    size_t sc;
    nc_weighting wt;
    nc_vector v;
    struct contrib_sort *c = NULL;
    int rc = NC_OK;

    *nup = *ndown = 0;
    if (label == (size_t)-1) {
        if (!m->has_tone)
            return nc_err(err, NC_EINVAL, "the model has no tone part");
        sc = m->S - 1;
        wt = NC_WEIGHT_TFIDF_LINEAR;
    } else {
        if (label >= m->nlabels)
            return nc_err(err, NC_EINVAL, "no label %zu in the model", label);
        sc = label;
        wt = NC_WEIGHT_TFIDF;
    }
    nc_vector_init(&v);
    if ((rc = nc_vectorizer_transform(m->vec, a, wt, &v, err)) < 0)
        goto out;
    c = nc_alloc_array(v.n + NC_LEX_NFEAT, sizeof *c);
    if (!c) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    /* a tone with a lexicon stack: the terms count through the regression's coefficient for
     * this article's length, and the four lexicon features are contributions of their own
     * (idx -1..-4); the tone scale multiplies them all */
    double f[NC_LEX_NOUT] = { 0 };
    int lexterms = label == (size_t)-1 && m->lex;
    if (lexterms)
        nc_lexicon_features(m->lex, a, f);
    double scale = sc == m->S - 1 && m->has_tone
                       ? m->tone_scale * (lexterms ? nc_tone_stack_weight(m->stack, f) : 1.0)
                       : 1.0;
    size_t nc = v.n;
    for (size_t i = 0; i < v.n; i++) {
        c[i].value = scale * weight(m, sc, v.idx[i]) * v.val[i];
        c[i].idx = v.idx[i];
    }
    if (lexterms) {
        for (int k = 0; k < NC_LEX_NFEAT; k++) {
            c[nc].value = m->tone_scale * m->stack[2 + k] * f[k];
            c[nc++].idx = -1 - k;
        }
    }
    qsort(c, nc, sizeof *c, cmp_contrib_desc);
    for (size_t i = 0; i < nc && *nup < n && c[i].value > 0; i++) {
        up[*nup].term = contrib_term(m, c[i].idx);
        up[(*nup)++].value = c[i].value;
    }
    for (size_t i = nc; i-- > 0 && *ndown < n && c[i].value < 0;) {
        down[*ndown].term = contrib_term(m, c[i].idx);
        down[(*ndown)++].value = c[i].value;
    }
out:
    free(c);
    nc_vector_finish(&v);
    return rc;
}
