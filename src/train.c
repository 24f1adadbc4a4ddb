/* train.c: fit topic and tone models with LIBLINEAR, choosing C, calibrating probabilities and
 * tuning thresholds by seeded k-fold cross-validation.
 *
 * Topics, multi-label: one binary logistic-regression model per label (one-vs-rest), class
 * weights balanced by default. For each label, C comes from a grid by cross-validated F1 (at
 * the best threshold), unless fixed. The out-of-fold decision values at the chosen C fit
 * Platt's sigmoid, and the F1-maximising threshold on the calibrated probabilities becomes the
 * label's decision threshold. Reported calibration (ECE, Brier) is cross-fitted: each fold's
 * probabilities come from a sigmoid fitted on the other folds, so it is not judged on its own
 * training data. Topics, multi-class: one-vs-rest models per class, Platt-calibrated the same
 * way, probabilities normalised to sum to one.
 * Tone: L2-regularised L2-loss support vector regression (LIBLINEAR -s 11, primal, so no
 * rand()) on length-invariant features (linear tf x idf, L2-normalised), C by cross-validated
 * mean squared error; predictions are clamped to [-1, 1].
 *
 * Determinism: folds come from a gsl_rng seeded with opts->seed; the dual solvers shuffle
 * with rand(), which rand.c makes per-thread (glibc's generator, one state per thread), so
 * every dual fit calls srand(seed) in its own thread and fits of any solver run in parallel.
 * The vocabulary and its idf are fitted once on the whole corpus (the cross-validation folds
 * share it), and every article is tokenised once more for its counts (on all threads), which
 * the topic and tone rows then weight.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <linear.h>

#include <newsclass/newsclass.h>
#include <newsclass/metrics.h>
#include <newsclass/model.h>

#include "model_impl.h"
#include "util.h"

/* C grids, a factor 4 apart: logistic regression wants larger C than the L2-loss SVM on
 * L2-normalised TF-IDF (measured on BBC, AG News and the project's corpus; on the project's
 * corpus, held out one file at a time, logistic regression's F1 still rose from C 128 to 512). */
static const double c_grid_lr[] = { 2, 8, 32, 128, 512 };
static const double c_grid_svm[] = { 0.125, 0.5, 2, 8 };
static const double tone_c_grid[] = { 0.1, 0.3, 1, 3, 10 };

struct c_grid {
    const double *c;
    size_t n;
};

/* The grid C is chosen from: the user's (o->C_grid) or the solver's own. */
static struct c_grid c_grid_of(const nc_train_opts *o, nc_solver s)
{
    struct c_grid g = { c_grid_lr, NC_ARRAY_SIZE(c_grid_lr) };
    if (o->C_grid_len > 0) {
        g.c = o->C_grid;
        g.n = o->C_grid_len;
    } else if (s == NC_SOLVER_SVM) {
        g.c = c_grid_svm;
        g.n = NC_ARRAY_SIZE(c_grid_svm);
    }
    return g;
}

void nc_train_c_grid(const nc_train_opts *o, nc_solver s, const double **c, size_t *n)
{
    struct c_grid g = c_grid_of(o, s);
    *c = g.c;
    *n = g.n;
}

void nc_train_opts_default(nc_train_opts *o)
{
    memset(o, 0, sizeof *o);
    nc_feature_opts_default(&o->features);
    o->solver = NC_SOLVER_AUTO;
    o->C = 0;
    o->tone_C = 0;
    o->folds = 5;
    o->seed = 1;
    o->balanced = 1;
    o->calibrate = 1;
    o->tune_thresholds = 1;
    o->tone = NC_TONE_AUTO;
    o->threads = 1;
    o->change_words = 1;
    o->tone_baseline = 0.5;
    o->threshold_window = 0.1;
    o->threshold_repeats = 3;
}

double nc_platt(double a, double b, double f)
{
    double z = a * f + b;
    return z >= 0 ? exp(-z) / (1.0 + exp(-z)) : 1.0 / (1.0 + exp(z));
}

void nc_platt_fit(const double *f, const int *y, size_t n, double *pa, double *pb)
{
    /* Lin, Lin & Weng (2007), "A note on Platt's probabilistic outputs for SVMs", with
     * Platt's target smoothing. */
    double prior1 = 0, prior0 = 0, a = 0, b, fval = 0;
    double hi, lo, min_step = 1e-10, sigma = 1e-12, eps = 1e-5;
    double *t = nc_alloc_array(n ? n : 1, sizeof *t);
    size_t i;
    int it;

    for (i = 0; i < n; i++)
        y[i] ? prior1++ : prior0++;
    if (!t || prior1 == 0 || prior0 == 0) {
        free(t);
        *pa = -1.0;
        *pb = prior1 == 0 ? 5.0 : prior0 == 0 ? -5.0 : 0.0;
        return;
    }
    hi = (prior1 + 1.0) / (prior1 + 2.0);
    lo = 1.0 / (prior0 + 2.0);
    b = log((prior0 + 1.0) / (prior1 + 1.0));
    for (i = 0; i < n; i++) {
        double fa = f[i] * a + b;
        t[i] = y[i] ? hi : lo;
        fval += fa >= 0 ? t[i] * fa + log1p(exp(-fa)) : (t[i] - 1) * fa + log1p(exp(fa));
    }
    for (it = 0; it < 100; it++) {
        double h11 = sigma, h22 = sigma, h21 = 0, g1 = 0, g2 = 0, det, da, db, gd, step;
        for (i = 0; i < n; i++) {
            double fa = f[i] * a + b, p, q, d1, d2;
            if (fa >= 0) {
                p = exp(-fa) / (1.0 + exp(-fa));
                q = 1.0 / (1.0 + exp(-fa));
            } else {
                p = 1.0 / (1.0 + exp(fa));
                q = exp(fa) / (1.0 + exp(fa));
            }
            d2 = p * q;
            h11 += f[i] * f[i] * d2;
            h22 += d2;
            h21 += f[i] * d2;
            d1 = t[i] - p;
            g1 += f[i] * d1;
            g2 += d1;
        }
        if (fabs(g1) < eps && fabs(g2) < eps)
            break;
        det = h11 * h22 - h21 * h21;
        da = -(h22 * g1 - h21 * g2) / det;
        db = -(-h21 * g1 + h11 * g2) / det;
        gd = g1 * da + g2 * db;
        for (step = 1.0; step >= min_step; step /= 2.0) {
            double na = a + step * da, nb = b + step * db, nf = 0;
            for (i = 0; i < n; i++) {
                double fa = f[i] * na + nb;
                nf += fa >= 0 ? t[i] * fa + log1p(exp(-fa)) : (t[i] - 1) * fa + log1p(exp(fa));
            }
            if (nf < fval + 1e-4 * step * gd) {
                a = na;
                b = nb;
                fval = nf;
                break;
            }
        }
        if (step < min_step)
            break;
    }
    free(t);
    *pa = a;
    *pb = b;
}

/* ---- data prepared for LIBLINEAR ---- */

struct trainset {
    size_t n;                   /* articles */
    size_t nfeat;
    struct feature_node **xt;   /* topic features per article (with bias node and terminator) */
    struct feature_node **xs;   /* tone features */
    struct feature_node *arena_t, *arena_s;
};

/* 1 for each feature made only of stop words ("of the", "said", a headline-marked "the"). */
static unsigned char *stopword_mask(const nc_vectorizer *vec, size_t *nmasked)
{
    size_t nf = nc_vectorizer_size(vec);
    unsigned char *mask = calloc(nf ? nf : 1, 1);
    *nmasked = 0;
    if (!mask)
        return NULL;
    for (size_t f = 0; f < nf; f++) {
        const char *t = nc_vectorizer_term(vec, f + 1);
        int all = t != NULL && *t != '\0';
        if (t && *t == '^') /* a headline-marked unigram (features.c's TITLE_MARK) */
            t++;
        while (all && *t) {
            size_t len = strcspn(t, " ");
            all = nc_is_stopword(t, len);
            t += len;
            t += *t == ' ';
        }
        mask[f] = (unsigned char)all;
        *nmasked += (size_t)all;
    }
    return mask;
}

/* Every article's term counts, computed once (tokenising is the costly part) and shared by
 * the topic and tone rows, on up to 'threads' threads: each article's counts depend on it
 * alone, so the result is the same for any number of threads. */
struct doccounts {
    size_t n;
    int *idx;       /* n feature indices, then n counts (uint32_t), in one block */
};

static uint32_t *counts_of(const struct doccounts *d)
{
    return (uint32_t *)(void *)(d->idx + d->n);
}

struct count_work {
    const nc_vectorizer *vec;
    const nc_article *docs;
    size_t n, next;
    struct doccounts *dc;
    pthread_mutex_t mu;
    int rc;          /* first failure, under mu */
    nc_error err;
};

static void *count_worker(void *arg)
{
    struct count_work *w = arg;
    nc_vector v;
    nc_error err;
    int rc = NC_OK;

    memset(&err, 0, sizeof err);
    nc_vector_init(&v);
    if ((rc = nc_vector_reserve(&v, w->vec, &err)) < 0)
        goto out;
    for (;;) {
        size_t lo, hi;
        pthread_mutex_lock(&w->mu);
        lo = w->rc < 0 ? w->n : w->next;
        hi = lo + 64 < w->n ? lo + 64 : w->n;
        w->next = hi;
        pthread_mutex_unlock(&w->mu);
        if (lo >= hi)
            break;
        for (size_t i = lo; i < hi; i++) {
            struct doccounts *d = &w->dc[i];
            if ((rc = nc_vectorizer_counts(w->vec, &w->docs[i], &v, &err)) < 0)
                goto out;
            d->n = v.n;
            d->idx = nc_alloc_array(v.n ? 2 * v.n : 1, sizeof *d->idx);
            if (!d->idx) {
                rc = nc_err(&err, NC_ENOMEM, "out of memory");
                goto out;
            }
            if (v.n)
                memcpy(d->idx, v.idx, v.n * sizeof *d->idx);
            for (size_t j = 0; j < v.n; j++)
                counts_of(d)[j] = (uint32_t)v.val[j]; /* whole counts (no hashing signs) */
        }
    }
out:
    nc_vector_finish(&v);
    if (rc < 0) {
        pthread_mutex_lock(&w->mu);
        if (w->rc >= 0) {
            w->rc = rc;
            w->err = err;
        }
        pthread_mutex_unlock(&w->mu);
    }
    return NULL;
}

static void free_counts(struct doccounts *dc, size_t n)
{
    if (!dc)
        return;
    for (size_t i = 0; i < n; i++)
        free(dc[i].idx);
    free(dc);
}

static int count_all(const nc_vectorizer *vec, const nc_article *docs, size_t n, int threads,
                     struct doccounts **out, nc_error *err)
{
    struct count_work w;
    pthread_t tid[16];
    int started = 0;

    *out = NULL;
    memset(&w, 0, sizeof w);
    w.vec = vec;
    w.docs = docs;
    w.n = n;
    w.dc = calloc(n ? n : 1, sizeof *w.dc);
    if (!w.dc)
        return nc_err(err, NC_ENOMEM, "out of memory");
    pthread_mutex_init(&w.mu, NULL);
    if (threads > 16)
        threads = 16;
    if ((size_t)threads > n / 64 + 1)
        threads = (int)(n / 64 + 1);
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tid[started], NULL, count_worker, &w) != 0)
            break;
        started++;
    }
    count_worker(&w);
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    pthread_mutex_destroy(&w.mu);
    if (w.rc < 0) {
        free_counts(w.dc, n);
        if (err)
            *err = w.err;
        return w.rc;
    }
    *out = w.dc;
    return NC_OK;
}

/* LIBLINEAR rows for the n articles' counts dc under weighting w. Features whose
 * mask[index - 1] is set are left out (their weights come out 0); mask may be NULL. */
static int build_nodes(const nc_vectorizer *vec, const struct doccounts *dc, size_t n,
                       nc_weighting w, const unsigned char *mask, struct feature_node ***xout,
                       struct feature_node **arena, nc_error *err)
{
    nc_vector v, c;
    size_t total = 0, pos = 0, most = 0;
    struct feature_node **x;
    struct feature_node *a;
    int rc = NC_OK;
    int bias_index = (int)nc_vectorizer_size(vec) + 1;

    nc_vector_init(&v);
    nc_vector_init(&c);
    *xout = NULL;
    *arena = NULL;
    for (size_t i = 0; i < n; i++) {
        total += dc[i].n + 2;
        most = dc[i].n > most ? dc[i].n : most;
    }
    x = nc_alloc_array(n ? n : 1, sizeof *x);
    a = nc_alloc_array(total ? total : 1, sizeof *a);
    c.val = nc_alloc_array(most ? most : 1, sizeof *c.val);
    if (!x || !a || !c.val) {
        free(x);
        free(a);
        free(c.val);
        return nc_err(err, NC_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        c.n = c.cap = dc[i].n;
        c.idx = dc[i].idx;
        for (size_t j = 0; j < c.n; j++)
            c.val[j] = (double)counts_of(&dc[i])[j];
        if ((rc = nc_vector_weight(vec, &c, w, &v, err)) < 0) {
            free(x);
            free(a);
            goto out;
        }
        x[i] = &a[pos];
        for (size_t j = 0; j < v.n; j++) {
            if (mask && mask[v.idx[j] - 1])
                continue;
            a[pos].index = v.idx[j];
            a[pos].value = v.val[j];
            pos++;
        }
        a[pos].index = bias_index; /* the bias feature: LIBLINEAR 2.3 expects it last */
        a[pos].value = 1.0;
        pos++;
        a[pos].index = -1;
        a[pos].value = 0;
        pos++;
    }
    *xout = x;
    *arena = a;
out:
    nc_vector_finish(&v);
    free(c.val);
    return rc;
}

static int uses_rand(int solver_type)
{
    return solver_type != L2R_LR && solver_type != L2R_L2LOSS_SVC &&
           solver_type != L2R_L2LOSS_SVR && solver_type != L1R_LR &&
           solver_type != L1R_L2LOSS_SVC;
}

/* Train one LIBLINEAR model on the rows rows[0..m) of x with targets y. */
static struct model *fit(struct feature_node **x, const double *y, const size_t *rows, size_t m,
                         size_t nfeat, int solver_type, double C, double p, double wpos,
                         double wneg, unsigned long seed, nc_error *err)
{
    struct problem prob;
    struct parameter param;
    struct model *model = NULL;
    int wl[2] = { 1, -1 };
    double wv[2] = { wpos, wneg };
    const char *msg;

    memset(&prob, 0, sizeof prob);
    memset(&param, 0, sizeof param);
    prob.l = (int)m;
    prob.n = (int)nfeat + 1;
    prob.bias = 1.0;
    prob.x = nc_alloc_array(m ? m : 1, sizeof *prob.x);
    prob.y = nc_alloc_array(m ? m : 1, sizeof *prob.y);
    if (!prob.x || !prob.y) {
        nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < m; i++) {
        prob.x[i] = x[rows ? rows[i] : i];
        prob.y[i] = y[rows ? rows[i] : i];
    }
    param.solver_type = solver_type;
    param.C = C;
    param.p = p;
    param.eps = solver_type == L2R_L2LOSS_SVR ? 0.001 : solver_type == L2R_LR ? 0.01 : 0.1;
    if (wpos > 0 && wneg > 0) {
        /* only the labels these rows carry: LIBLINEAR warns on stderr, past the print hook,
         * of a weighted label it does not find (a fold without a rare topic's positives) */
        int has_pos = 0, has_neg = 0, nw = 0;
        for (size_t i = 0; i < m; i++) {
            has_pos |= prob.y[i] == 1;
            has_neg |= prob.y[i] == -1;
        }
        if (has_pos) {
            wl[nw] = 1;
            wv[nw++] = wpos;
        }
        if (has_neg) {
            wl[nw] = -1;
            wv[nw++] = wneg;
        }
        param.nr_weight = nw;
        param.weight_label = wl;
        param.weight = wv;
    }
    /* prob.n counts the bias feature: nr_feature = n - 1 (LIBLINEAR subtracts it) */
    prob.n = (int)nfeat + 1;
    if ((msg = check_parameter(&prob, &param)) != NULL) {
        nc_err(err, NC_EINVAL, "LIBLINEAR rejected the parameters: %s", msg);
        goto out;
    }
    if (uses_rand(solver_type))
        srand((unsigned)seed); /* this thread's generator (rand.c) */
    model = train(&prob, &param);
    if (!model)
        nc_err(err, NC_ENOMEM, "LIBLINEAR could not train a model");
out:
    free(prob.x);
    free(prob.y);
    return model;
}

/* Decision value of 'model' for row x, oriented so that larger means the given class label. */
static double decision(const struct model *model, const struct feature_node *x, int label)
{
    double dec[64];
    int nr = get_nr_class(model);
    double *d = nr > 64 ? malloc((size_t)nr * sizeof *d) : dec;
    double v = 0;
    if (!d)
        return 0;
    predict_values(model, x, d);
    if (check_regression_model(model)) {
        v = d[0];
    } else if (nr == 2) {
        v = model->label[0] == label ? d[0] : -d[0];
    } else {
        for (int k = 0; k < nr; k++)
            if (model->label[k] == label)
                v = d[k];
    }
    if (d != dec)
        free(d);
    return v;
}

/* Copy a binary/regression model's weights for 'label' into an nc_linear. */
static int extract_linear(const struct model *model, int label_idx, size_t nfeat, nc_linear *out)
{
    out->w = nc_alloc_array(nfeat ? nfeat : 1, sizeof *out->w);
    if (!out->w)
        return NC_ENOMEM;
    for (size_t i = 0; i < nfeat; i++)
        out->w[i] = get_decfun_coef(model, (int)i + 1, label_idx);
    /* the bias was trained as feature nfeat+1 with value prob.bias = 1; get_decfun_coef
     * answers 0 past nr_feature, so it must come from get_decfun_bias */
    out->bias = get_decfun_bias(model, label_idx);
    return NC_OK;
}

static int label_index_of(const struct model *model, int label)
{
    int nr = get_nr_class(model);
    for (int k = 0; k < nr; k++)
        if (model->label[k] == label)
            return k;
    return 0;
}

/* ---- folds ---- */

/* Stratified fold assignment: rows grouped by stratum, shuffled with a seeded gsl_rng, dealt
 * round-robin. */
static int make_folds(const int *stratum, size_t n, int k, unsigned long seed, int *fold)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t *order = nc_alloc_array(n ? n : 1, sizeof *order);
    size_t pos = 0;
    if (!r || !order) {
        gsl_rng_free(r);
        free(order);
        return NC_ENOMEM;
    }
    gsl_rng_set(r, seed);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    /* Fisher-Yates with the seeded generator */
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)gsl_rng_uniform_int(r, i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    /* stable pass by stratum keeps the shuffled order within each stratum */
    int smax = 0;
    for (size_t i = 0; i < n; i++)
        if (stratum[i] > smax)
            smax = stratum[i];
    for (int s = 0; s <= smax; s++)
        for (size_t i = 0; i < n; i++)
            if (stratum[order[i]] == s)
                fold[order[i]] = (int)(pos++ % (size_t)k);
    gsl_rng_free(r);
    free(order);
    return NC_OK;
}

/* Folds for rows[0..m) (indices into the article array) where articles at index >= n_orig
 * are lead views of article origin[idx - n_orig]: originals are dealt stratified folds, and
 * every lead view joins its original's fold, so no article is tested on its own copy. */
static int grouped_folds(const size_t *rows, size_t m, const int *strat, size_t n_orig,
                         const size_t *origin, int k, unsigned long seed, int *fold)
{
    size_t *pos = nc_alloc_array(n_orig ? n_orig : 1, sizeof *pos);
    size_t *orows = nc_alloc_array(m ? m : 1, sizeof *orows);
    int *ostrat = nc_alloc_array(m ? m : 1, sizeof *ostrat);
    int *ofold = nc_alloc_array(m ? m : 1, sizeof *ofold);
    size_t no = 0;
    int rc = NC_OK;

    if (!pos || !orows || !ostrat || !ofold) {
        rc = NC_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n_orig; i++)
        pos[i] = (size_t)-1;
    for (size_t i = 0; i < m; i++)
        if (rows[i] < n_orig) {
            pos[rows[i]] = no;
            orows[no] = i;
            ostrat[no++] = strat[i];
        }
    if ((rc = make_folds(ostrat, no, k, seed, ofold)) < 0)
        goto out;
    for (size_t i = 0; i < m; i++) {
        size_t o = rows[i] < n_orig ? rows[i] : origin[rows[i] - n_orig];
        fold[i] = pos[o] != (size_t)-1 ? ofold[pos[o]] : (int)(i % (size_t)k);
    }
out:
    free(pos);
    free(orows);
    free(ostrat);
    free(ofold);
    return rc;
}

/* The lead of an article: its first `sentences` sentences, or its first 20 + 20 * sentences
 * words, whichever is shorter (a full stop counts as the k-th sentence's end only once k * 8
 * words have gone by, so that "Mr." or "U.S." does not cut it short). NULL when the text is
 * already that short (no view is needed). A lead of k + 1 sentences is always longer than
 * the lead of k. */
static char *lead_of(const char *text, int sentences)
{
    size_t i = 0, words = 0, len, max_words = 20 + 20 * (size_t)sentences;
    int in_word = 0, seen = 0;
    if (!text)
        return NULL;
    len = strlen(text);
    for (; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        int space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (!space && !in_word)
            words++;
        in_word = !space;
        if (words > max_words)
            break;
        if ((c == '.' || c == '!' || c == '?') && i + 1 < len &&
            (text[i + 1] == ' ' || text[i + 1] == '\n') && words >= 8 * (size_t)(seen + 1) &&
            ++seen == sentences) {
            i++;
            break;
        }
    }
    if (i >= len)
        return NULL;
    return nc_strndup(text, i);
}

/* Out-of-fold decision values for rows[0..m) (indices into x/y). */
static int oof_decisions(struct feature_node **x, const double *y, const size_t *rows, size_t m,
                         const int *fold, int k, size_t nfeat, int solver, double C, double p,
                         double wpos, double wneg, unsigned long seed, int label, double *out,
                         nc_error *err)
{
    size_t *tr = nc_alloc_array(m ? m : 1, sizeof *tr);
    if (!tr)
        return nc_err(err, NC_ENOMEM, "out of memory");
    for (int f = 0; f < k; f++) {
        size_t nt = 0;
        struct model *model;
        for (size_t i = 0; i < m; i++)
            if (fold[i] != f)
                tr[nt++] = rows ? rows[i] : i;
        if (nt == m)
            continue;
        model = fit(x, y, tr, nt, nfeat, solver, C, p, wpos, wneg, seed + (unsigned long)f, err);
        if (!model) {
            free(tr);
            return err ? err->code : NC_EINTERNAL;
        }
        for (size_t i = 0; i < m; i++)
            if (fold[i] == f)
                out[i] = decision(model, x[rows ? rows[i] : i], label);
        free_and_destroy_model(&model);
    }
    free(tr);
    return NC_OK;
}

/* Best F1 over thresholds on scores s (higher = positive); returns F1, stores the threshold
 * (midpoint between neighbouring scores). */
struct sc {
    double s;
    int y;
};

static int cmp_sc_desc(const void *a, const void *b)
{
    double x = ((const struct sc *)a)->s, y = ((const struct sc *)b)->s;
    return (x < y) - (x > y);
}

/* Best F1 with every negative counted 'negw' times (the F1 expected at another prevalence). */
static double best_f1_w(const double *s, const int *y, size_t n, double negw, double *thr)
{
    struct sc *v = nc_alloc_array(n ? n : 1, sizeof *v);
    size_t pos = 0, tp = 0;
    double best = 0, fp = 0;
    if (!v)
        return 0;
    for (size_t i = 0; i < n; i++) {
        v[i].s = s[i];
        v[i].y = y[i];
        pos += y[i] != 0;
    }
    qsort(v, n, sizeof *v, cmp_sc_desc);
    *thr = 0.5;
    for (size_t i = 0; i < n; i++) {
        if (v[i].y)
            tp++;
        else
            fp += negw;
        if (i + 1 < n && v[i + 1].s == v[i].s)
            continue; /* ties: all or nothing */
        double f1 = pos ? 2.0 * (double)tp / ((double)tp + fp + (double)pos) : 0;
        if (f1 > best) {
            best = f1;
            *thr = i + 1 < n ? (v[i].s + v[i + 1].s) / 2.0 : v[i].s;
        }
    }
    free(v);
    return best;
}

/* The decision threshold for probabilities s[0..n) in [0, 1] (labels y, negatives counted negw
 * times): the point of a grid (0.01, 0.015, ..., 0.99) where the F1 curve, averaged over the
 * grid points within 'window' of it, is highest (the lowest such point on ties); window 0:
 * the exact best-F1 threshold of best_f1_w. Near its maximum the cross-validated F1 curve is
 * flat and ragged, so its exact maximum jumps with the fold assignment (on the project's
 * corpus, seeds 1-8 put diplomacy's anywhere from 0.39 to 0.52); the averaged curve's does
 * less (0.44-0.50). */
#define THR_GRID 197
int nc_threshold_pick(const double *s, const int *y, size_t n, double negw,
                      double window, double *thr)
{
    double f1[THR_GRID], tp = 0, fp = 0, best = -1;
    struct sc *v;
    size_t pos = 0, i = 0;

    if (window <= 0) {
        best_f1_w(s, y, n, negw, thr);
        return NC_OK;
    }
    if (!(v = nc_alloc_array(n ? n : 1, sizeof *v)))
        return NC_ENOMEM;
    for (size_t j = 0; j < n; j++) {
        v[j].s = s[j];
        v[j].y = y[j];
        pos += y[j] != 0;
    }
    qsort(v, n, sizeof *v, cmp_sc_desc);
    for (int k = THR_GRID - 1; k >= 0; k--) { /* thresholds from the top: counts accumulate */
        double t = 0.01 + 0.005 * k;
        for (; i < n && v[i].s >= t; i++) {
            if (v[i].y)
                tp++;
            else
                fp += negw;
        }
        f1[k] = pos ? 2 * tp / (tp + fp + (double)pos) : 0;
    }
    free(v);
    *thr = 0.5;
    for (int k = 0; k < THR_GRID; k++) {
        double sum = 0;
        int c = 0;
        for (int j = 0; j < THR_GRID; j++)
            if (fabs(0.005 * (j - k)) <= window + 1e-9) {
                sum += f1[j];
                c++;
            }
        if (sum / c > best + 1e-12) {
            best = sum / c;
            *thr = 0.01 + 0.005 * k;
        }
    }
    return NC_OK;
}

static double best_f1(const double *s, const int *y, size_t n, double *thr)
{
    return best_f1_w(s, y, n, 1.0, thr);
}

/* ---- summary statistics for the card ---- */

static double auc(const double *s, const int *y, size_t n)
{
    struct sc *v = nc_alloc_array(n ? n : 1, sizeof *v);
    double npos = 0, nneg = 0, sum = 0;
    size_t i = 0;
    if (!v)
        return NAN;
    for (size_t j = 0; j < n; j++) {
        v[j].s = s[j];
        v[j].y = y[j];
    }
    qsort(v, n, sizeof *v, cmp_sc_desc);
    /* ranks ascending = n - position; average ranks over ties */
    while (i < n) {
        size_t j = i;
        double p = 0;
        while (j < n && v[j].s == v[i].s) {
            p += v[j].y != 0;
            j++;
        }
        double rank = (double)n - ((double)i + (double)j - 1) / 2.0; /* 1-based ascending */
        sum += p * rank;
        npos += p;
        nneg += (double)(j - i) - p;
        i = j;
    }
    free(v);
    if (npos == 0 || nneg == 0)
        return NAN;
    return (sum - npos * (npos + 1) / 2.0) / (npos * nneg);
}

/* ECE (10 bins) and Brier score, negatives weighted by negw. */
static void calibration(const double *p, const int *y, size_t n, double negw, double *ece,
                        double *brier)
{
    double cnt[10] = { 0 }, sp[10] = { 0 }, sy[10] = { 0 }, b = 0, e = 0, tot = 0;
    for (size_t i = 0; i < n; i++) {
        int k = (int)(p[i] * 10);
        double w = y[i] ? 1.0 : negw;
        if (k > 9)
            k = 9;
        if (k < 0)
            k = 0;
        cnt[k] += w;
        sp[k] += w * p[i];
        sy[k] += w * (y[i] != 0);
        b += w * (p[i] - (y[i] != 0)) * (p[i] - (y[i] != 0));
        tot += w;
    }
    for (int k = 0; k < 10; k++)
        if (cnt[k])
            e += cnt[k] / tot * fabs(sp[k] / cnt[k] - sy[k] / cnt[k]);
    *ece = n ? e : NAN;
    *brier = n ? b / tot : NAN;
}

static double round6(double x)
{
    return isfinite(x) ? round(x * 1e6) / 1e6 : x;
}

static void add_num(cJSON *o, const char *k, double v)
{
    if (isfinite(v))
        cJSON_AddNumberToObject(o, k, round6(v));
    else
        cJSON_AddNullToObject(o, k);
}

/* ---- label sets ---- */

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int collect_labels(const nc_article *docs, size_t n, char ***out, size_t *nout)
{
    char **l = NULL;
    size_t nl = 0, cap = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t t = 0; t < docs[i].ntopics; t++) {
            size_t j;
            for (j = 0; j < nl; j++)
                if (strcmp(l[j], docs[i].topics[t]) == 0)
                    break;
            if (j < nl)
                continue;
            void *p = l;
            if (nc_grow(&p, &cap, nl + 1, sizeof *l) < 0)
                goto fail;
            l = p;
            if (!(l[nl] = nc_strdup(docs[i].topics[t])))
                goto fail;
            nl++;
        }
    }
    if (nl)
        qsort(l, nl, sizeof *l, cmp_strp);
    *out = l;
    *nout = nl;
    return NC_OK;
fail:
    for (size_t j = 0; j < nl; j++)
        free(l[j]);
    free(l);
    return NC_ENOMEM;
}

static int has_label(const nc_article *a, const char *label)
{
    for (size_t t = 0; t < a->ntopics; t++)
        if (strcmp(a->topics[t], label) == 0)
            return 1;
    return 0;
}

static int solver_type_of(nc_solver s)
{
    switch (s) {
    case NC_SOLVER_SVM: return L2R_L2LOSS_SVC_DUAL;
    case NC_SOLVER_LR_DUAL: return L2R_LR_DUAL;
    default: return L2R_LR;
    }
}

static const char *solver_name(nc_solver s)
{
    switch (s) {
    case NC_SOLVER_SVM: return "svm";
    case NC_SOLVER_LR_DUAL: return "lr-dual";
    default: return "lr";
    }
}

static void progress_msg(nc_progress_fn fn, void *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void progress_msg(nc_progress_fn fn, void *ctx, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    if (!fn)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    fn(buf, ctx);
}

/* ---- the topic part ---- */

struct topic_ctx {
    const nc_train_opts *o;
    nc_solver solver; /* resolved (never AUTO) */
    int solver_multiclass;
    struct trainset *ts;
    const nc_article *docs;
    size_t *rows;   /* labelled articles */
    size_t m;
    int *fold;
    nc_progress_fn progress;
    void *pctx;
    double **grid;  /* when C is chosen: [label * n + g] (n: the solver's grid length),
                     * out-of-fold decisions at grid C g,
                     * computed beforehand by grid jobs running in parallel (grid_job) */
    int *fold_more; /* multi-label: nmore further fold assignments of the rows, m each, whose
                     * out-of-fold scores join fold's for Platt and the thresholds */
    int nmore;
};

/* The targets of label li: y (+1/-1 per row of the training set, -1 elsewhere), yb (1/0 per
 * labelled article), the positives' count and the balanced class weights (0 when off). */
static int label_targets(const struct topic_ctx *c, const nc_model *mdl, size_t li, double *y,
                         int *yb, size_t *npos, double *wpos, double *wneg, nc_error *err)
{
    const char *label = mdl->labels[li];
    size_t m = c->m, np = 0;

    for (size_t i = 0; i < c->ts->n; i++)
        y[i] = -1;
    for (size_t i = 0; i < m; i++) {
        yb[i] = has_label(&c->docs[c->rows[i]], label);
        y[c->rows[i]] = yb[i] ? 1 : -1;
        np += (size_t)yb[i];
    }
    if (np == 0 || np == m)
        return nc_err(err, NC_EINVAL, "label '%s' is on %s article: cannot learn it", label,
                      np ? "every" : "no");
    *npos = np;
    *wpos = *wneg = 0;
    if (c->o->balanced) {
        *wpos = (double)m / (2.0 * (double)np);
        *wneg = (double)m / (2.0 * (double)(m - np));
    }
    return NC_OK;
}

/* One C of one label's grid: its out-of-fold decisions into c->grid[li * n + g]. */
static int grid_job(struct topic_ctx *c, const nc_model *mdl, size_t li, size_t g,
                    nc_error *err)
{
    struct c_grid cg = c_grid_of(c->o, c->solver);
    double *y = nc_alloc_array(c->ts->n ? c->ts->n : 1, sizeof *y);
    int *yb = nc_alloc_array(c->m ? c->m : 1, sizeof *yb);
    double *dec = nc_alloc_array(c->m ? c->m : 1, sizeof *dec);
    double wpos, wneg;
    size_t npos;
    int rc;

    if (!y || !yb || !dec) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = label_targets(c, mdl, li, y, yb, &npos, &wpos, &wneg, err)) < 0)
        goto out;
    progress_msg(c->progress, c->pctx, "topic '%s': C=%g, %d-fold cross-validation",
                 mdl->labels[li], cg.c[g], c->o->folds);
    if ((rc = oof_decisions(c->ts->xt, y, c->rows, c->m, c->fold, c->o->folds, c->ts->nfeat,
                            solver_type_of(c->solver), cg.c[g], 0, wpos, wneg, c->o->seed, 1,
                            dec, err)) < 0)
        goto out;
    c->grid[li * cg.n + g] = dec;
    dec = NULL;
out:
    free(y);
    free(yb);
    free(dec);
    return rc;
}

/* Train one binary label (multi-label mode, or one class of multi-class mode). */
static int train_binary(struct topic_ctx *c, nc_model *mdl, size_t li, cJSON *jlabel,
                        nc_error *err)
{
    const nc_train_opts *o = c->o;
    size_t m = c->m, npos = 0;
    double *y = nc_alloc_array(c->ts->n ? c->ts->n : 1, sizeof *y);
    int *yb = nc_alloc_array(m ? m : 1, sizeof *yb);
    double *dec = nc_alloc_array(m ? m : 1, sizeof *dec);
    double *prob = nc_alloc_array(m ? m : 1, sizeof *prob);
    double wpos = 0, wneg = 0, bestC = o->C, bestF = -1, thr = 0.5, a = -1, b = 0;
    double shift = 0, negw = 1;
    double *decp = NULL, *probp = NULL; /* with c->nmore: all assignments' scores, pooled */
    int *ybp = NULL;
    size_t mp = m;
    int solver = solver_type_of(c->solver), rc = NC_OK;
    struct model *model = NULL;
    const char *label = mdl->labels[li];

    if (!y || !yb || !dec || !prob) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    if ((rc = label_targets(c, mdl, li, y, yb, &npos, &wpos, &wneg, err)) < 0)
        goto out;
    if (o->C <= 0) {
        /* the grid's out-of-fold scores (grid jobs) at the best C are kept (in prob) for
         * calibration */
        struct c_grid cg = c_grid_of(c->o, c->solver);
        for (size_t g = 0; g < cg.n; g++) {
            double t;
            memcpy(dec, c->grid[li * cg.n + g], m * sizeof *dec);
            double f = best_f1(dec, yb, m, &t);
            if (f > bestF + 1e-9) {
                bestF = f;
                bestC = cg.c[g];
                memcpy(prob, dec, m * sizeof *dec);
            }
        }
        memcpy(dec, prob, m * sizeof *dec);
    } else {
        progress_msg(c->progress, c->pctx, "topic '%s': calibrating at C=%g", label, bestC);
        if ((rc = oof_decisions(c->ts->xt, y, c->rows, m, c->fold, o->folds, c->ts->nfeat,
                                solver, bestC, 0, wpos, wneg, o->seed, 1, dec, err)) < 0)
            goto out;
    }
    /* Label shift: probabilities and thresholds for a target prevalence 'prior' instead of the
     * corpus's own (a logit shift, folded into Platt's b; negatives weighted in F1). */
    if (o->prior > 0 && c->solver_multiclass == 0) {
        double ps = (double)npos / (double)m;
        shift = log(o->prior / (1 - o->prior)) - log(ps / (1 - ps));
        negw = ((1 - o->prior) / o->prior) * (ps / (1 - ps));
    }
    /* Platt and the threshold see the out-of-fold scores of c->nmore further fold assignments
     * too (pooled): fitted on one assignment's, they move with it */
    if (c->nmore > 0) {
        progress_msg(c->progress, c->pctx, "topic '%s': %d more fold assignments at C=%g",
                     label, c->nmore, bestC);
        mp = m * (size_t)(1 + c->nmore);
        if (!(decp = nc_alloc_array(mp, sizeof *decp)) ||
            !(probp = nc_alloc_array(mp, sizeof *probp)) ||
            !(ybp = nc_alloc_array(mp, sizeof *ybp))) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        memcpy(decp, dec, m * sizeof *dec);
        for (int k = 0; k <= c->nmore; k++)
            memcpy(ybp + (size_t)k * m, yb, m * sizeof *yb);
        for (int k = 0; k < c->nmore; k++)
            if ((rc = oof_decisions(c->ts->xt, y, c->rows, m, c->fold_more + (size_t)k * m,
                                    o->folds, c->ts->nfeat, solver, bestC, 0, wpos, wneg,
                                    o->seed + 101 * (unsigned long)(k + 1), 1,
                                    decp + (size_t)(k + 1) * m, err)) < 0)
                goto out;
    }
    if (o->calibrate) {
        nc_platt_fit(decp ? decp : dec, ybp ? ybp : yb, mp, &a, &b);
    } else {
        a = -1;
        b = 0;
    }
    b -= shift;
    for (size_t i = 0; i < m; i++)
        prob[i] = nc_platt(a, b, dec[i]);
    for (size_t i = 0; probp && i < mp; i++)
        probp[i] = nc_platt(a, b, decp[i]);
    if (o->tune_thresholds && npos >= 10 && m - npos >= 10) {
        if (nc_threshold_pick(probp ? probp : prob, ybp ? ybp : yb, mp, negw,
                              o->threshold_window, &thr) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
    } else {
        thr = 0.5;
    }
    /* cross-fitted report: each fold's sigmoid and threshold from the other folds */
    {
        double *pf = nc_alloc_array(m ? m : 1, sizeof *pf);
        double *df = nc_alloc_array(m ? m : 1, sizeof *df);
        int *yf = nc_alloc_array(m ? m : 1, sizeof *yf);
        double tp = 0, fp = 0, fn = 0;
        double ece, brier;
        if (!pf || !df || !yf) {
            free(pf);
            free(df);
            free(yf);
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        for (int f = 0; f < o->folds; f++) {
            size_t nt = 0;
            double fa = a, fb = b, ft = thr;
            for (size_t i = 0; i < m; i++)
                if (c->fold[i] != f) {
                    df[nt] = dec[i];
                    yf[nt++] = yb[i];
                }
            if (o->calibrate) {
                nc_platt_fit(df, yf, nt, &fa, &fb);
                fb -= shift;
            }
            if (o->tune_thresholds && npos >= 10 && m - npos >= 10) {
                for (size_t i = 0; i < nt; i++)
                    df[i] = nc_platt(fa, fb, df[i]);
                if (nc_threshold_pick(df, yf, nt, negw, o->threshold_window, &ft) < 0) {
                    free(pf);
                    free(df);
                    free(yf);
                    rc = nc_err(err, NC_ENOMEM, "out of memory");
                    goto out;
                }
            }
            for (size_t i = 0; i < m; i++)
                if (c->fold[i] == f) {
                    pf[i] = nc_platt(fa, fb, dec[i]);
                    int sel = pf[i] >= ft;
                    tp += sel && yb[i];
                    fp += sel && !yb[i] ? negw : 0;
                    fn += !sel && yb[i];
                }
        }
        calibration(pf, yb, m, negw, &ece, &brier);
        double prec = tp + fp > 0 ? tp / (tp + fp) : 0;
        double rec = tp + fn > 0 ? tp / (tp + fn) : 0;
        cJSON *cv = cJSON_AddObjectToObject(jlabel, "cv");
        add_num(cv, "precision", prec);
        add_num(cv, "recall", rec);
        add_num(cv, "f1", prec + rec > 0 ? 2 * prec * rec / (prec + rec) : 0);
        add_num(cv, "roc_auc", auc(dec, yb, m));
        add_num(cv, "ece", ece);
        add_num(cv, "brier", brier);
        free(pf);
        free(df);
        free(yf);
    }
    progress_msg(c->progress, c->pctx, "topic '%s': final fit on %zu articles", label, m);
    model = fit(c->ts->xt, y, c->rows, m, c->ts->nfeat, solver, bestC, 0, wpos, wneg, o->seed,
                err);
    if (!model) {
        rc = err ? err->code : NC_EINTERNAL;
        goto out;
    }
    if (extract_linear(model, label_index_of(model, 1), c->ts->nfeat, &mdl->topic[li]) < 0) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    thr = round6(thr); /* the card stores it rounded: keep the in-memory model identical */
    mdl->platt_a[li] = a;
    mdl->platt_b[li] = b;
    mdl->threshold[li] = thr;
    add_num(jlabel, "C", bestC);
    cJSON_AddNumberToObject(jlabel, "articles", (double)npos);
    add_num(jlabel, "threshold", thr);
    if (shift != 0) {
        add_num(jlabel, "prior", o->prior);
        add_num(jlabel, "corpus_share", (double)npos / (double)m);
    }
    cJSON_AddNumberToObject(jlabel, "platt_a", a);
    cJSON_AddNumberToObject(jlabel, "platt_b", b);
out:
    if (model)
        free_and_destroy_model(&model);
    free(y);
    free(yb);
    free(dec);
    free(prob);
    free(decp);
    free(probp);
    free(ybp);
    return rc;
}

/* ---- the tone part ---- */

_Static_assert(NC_LEX_NOUT == NC_TONE_LEXICON_FEATURES,
               "nc_tone_oof.lexicon and nc_tone_parts give the lexicon features as computed");

/* Least squares over rows[0..m) of y[rows[i]] on the tone stack's terms (nc_tone_stack):
 * [1, score[i], lexf[i * NC_LEX_NOUT + 0..3], score[i] * lexf[i * NC_LEX_NOUT + NC_LEX_SHORT]]
 * into coef[0..NC_STACK_N), rounded as the card stores them. score NULL: the lexicon baseline
 * (nc_train_opts.tone_baseline), the lexicon's terms alone, with the regression's terms
 * (coef[1] and coef[2 + NC_LEX_NFEAT]) 0, so that nc_tone_stack(coef, 0, f) is its value.
 * Either is fitted on all rows: a handful of numbers from thousands of articles. */
static int fit_stack(const size_t *rows, size_t m, const double *y, const double *score,
                     const double *lexf, double coef[NC_STACK_N], nc_error *err)
{
    const size_t p = score ? NC_STACK_N : 1 + NC_LEX_NFEAT, lex0 = score ? 2 : 1;
    gsl_matrix *X = gsl_matrix_alloc(m, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *Y = gsl_vector_alloc(m), *c = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(m, p);
    double chisq;
    int rc = NC_OK;

    if (!X || !cov || !Y || !c || !ws) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < m; i++) {
        const double *f = lexf + i * NC_LEX_NOUT;
        gsl_matrix_set(X, i, 0, 1.0);
        for (int k = 0; k < NC_LEX_NFEAT; k++)
            gsl_matrix_set(X, i, lex0 + (size_t)k, f[k]);
        if (score) {
            gsl_matrix_set(X, i, 1, score[i]);
            gsl_matrix_set(X, i, 2 + NC_LEX_NFEAT, score[i] * f[NC_LEX_SHORT]);
        }
        gsl_vector_set(Y, i, y[rows[i]]);
    }
    if (gsl_multifit_linear(X, Y, c, cov, &chisq, ws) != GSL_SUCCESS) {
        rc = nc_err(err, NC_EINTERNAL, "tone %s: least squares failed",
                    score ? "stacking" : "baseline");
        goto out;
    }
    for (size_t k = 0; k < NC_STACK_N; k++)
        coef[k] = 0;
    coef[0] = round(gsl_vector_get(c, 0) * 1e9) / 1e9;
    for (size_t k = 1; k < p; k++)
        coef[score ? k : 1 + k] = round(gsl_vector_get(c, k) * 1e9) / 1e9;
out:
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(Y);
    gsl_vector_free(c);
    if (ws)
        gsl_multifit_linear_free(ws);
    return rc;
}

/* Folds by input file for rows[0..m) (--tone-file-folds, --topic-file-folds): each file
 * (nc_article.file; a lead view has its original's) goes whole into one fold, each into the fold
 * with the fewest rows so far (the lowest on ties), so the folds come out about equal. With seed
 * 0 the largest files go first, the same folds whatever the order of the input; another seed
 * deals the files in an order shuffled by it (sorted by name first), a further assignment for
 * the topics' repeats. *nfiles: the number of files; when it is below k, fold is left as it
 * was. */
struct frow {
    const char *file;
    size_t i;
};

struct fgroup {
    size_t start, n;
};

static int cmp_frow(const void *a, const void *b)
{
    const struct frow *x = a, *y = b;
    int c = strcmp(x->file, y->file);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int cmp_fgroup(const void *a, const void *b)
{
    const struct fgroup *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    return (x->start > y->start) - (x->start < y->start);
}

static int file_folds(const nc_article *docs, const size_t *rows, size_t m, int k,
                      unsigned long seed, int *fold, size_t *nfiles)
{
    struct frow *fr = nc_alloc_array(m ? m : 1, sizeof *fr);
    struct fgroup *g = nc_alloc_array(m ? m : 1, sizeof *g);
    size_t ng = 0, load[20] = { 0 };

    *nfiles = 0;
    if (!fr || !g) {
        free(fr);
        free(g);
        return NC_ENOMEM;
    }
    for (size_t i = 0; i < m; i++) {
        fr[i].file = docs[rows[i]].file ? docs[rows[i]].file : "";
        fr[i].i = i;
    }
    qsort(fr, m, sizeof *fr, cmp_frow);
    for (size_t i = 0; i < m; i++) {
        if (i == 0 || strcmp(fr[i].file, fr[i - 1].file) != 0) {
            g[ng].start = i;
            g[ng++].n = 0;
        }
        g[ng - 1].n++;
    }
    *nfiles = ng;
    if (ng >= (size_t)k && k <= 20) {
        if (seed == 0) {
            qsort(g, ng, sizeof *g, cmp_fgroup);
        } else {
            /* the groups are in file-name order here: shuffle them with the seed */
            gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
            if (!rng) {
                free(fr);
                free(g);
                return NC_ENOMEM;
            }
            gsl_rng_set(rng, seed);
            gsl_ran_shuffle(rng, g, ng, sizeof *g);
            gsl_rng_free(rng);
        }
        for (size_t j = 0; j < ng; j++) {
            int f = 0;
            for (int c = 1; c < k; c++)
                if (load[c] < load[f])
                    f = c;
            load[f] += g[j].n;
            for (size_t r = g[j].start; r < g[j].start + g[j].n; r++)
                fold[fr[r].i] = f;
        }
    }
    free(fr);
    free(g);
    return NC_OK;
}

static double clamp1(double t)
{
    return t > 1 ? 1 : t < -1 ? -1 : t;
}

static int train_tone(const nc_train_opts *o, struct trainset *ts, const nc_article *docs,
                      size_t n_orig, const size_t *origin, nc_model *mdl, cJSON *jtone,
                      nc_progress_fn progress, void *pctx, nc_error *err)
{
    size_t m = 0;
    size_t *rows = nc_alloc_array(ts->n ? ts->n : 1, sizeof *rows);
    double *y = nc_alloc_array(ts->n ? ts->n : 1, sizeof *y);
    double *pred = nc_alloc_array(ts->n ? ts->n : 1, sizeof *pred);
    double *best_pred = nc_alloc_array(ts->n ? ts->n : 1, sizeof *best_pred);
    int *fold = nc_alloc_array(ts->n ? ts->n : 1, sizeof *fold);
    int *strat = nc_alloc_array(ts->n ? ts->n : 1, sizeof *strat);
    double *gold = nc_alloc_array(ts->n ? ts->n : 1, sizeof *gold);
    double *target = NULL; /* with a lexicon baseline: what the regression learns */
    double base[NC_STACK_N] = { 0 }; /* the lexicon baseline, as stack terms */
    double *lexf = NULL, *raw = NULL; /* raw: the out-of-fold scores for o->tone_oof */
    double bestC = o->tone_C, bestMSE = INFINITY, scale = 1.0, q90 = 0;
    struct model *model = NULL;
    int rc = NC_OK;

    if (!rows || !y || !pred || !best_pred || !fold || !strat || !gold) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ts->n; i++) {
        y[i] = docs[i].has_tone ? docs[i].tone : 0;
        if (docs[i].has_tone) {
            strat[m] = nc_tone_class(docs[i].tone) + 1;
            rows[m++] = i;
        }
    }
    if (m < (size_t)o->folds * 2) {
        rc = nc_err(err, NC_EINVAL, "only %zu articles carry tone: too few to train tone", m);
        goto out;
    }
    if ((rc = grouped_folds(rows, m, strat, n_orig, origin, o->folds, o->seed + 7919, fold)) <
        0) {
        rc = nc_err(err, rc, "out of memory");
        goto out;
    }
    if (o->tone_file_folds) {
        size_t nfiles = 0;
        if ((rc = file_folds(docs, rows, m, o->folds, 0, fold, &nfiles)) < 0) {
            rc = nc_err(err, rc, "out of memory");
            goto out;
        }
        if (nfiles < (size_t)o->folds) {
            rc = nc_err(err, NC_EINVAL,
                        "tone file folds: %zu file%s carr%s tone, fewer than the %d folds", nfiles,
                        nfiles == 1 ? "" : "s", nfiles == 1 ? "ies" : "y", o->folds);
            goto out;
        }
        cJSON_AddStringToObject(jtone, "folds_by", "file");
        cJSON_AddNumberToObject(jtone, "files", (double)nfiles);
    }
    if (mdl->lex) {
        /* the lexicon features do not depend on C: compute them once */
        if (!(lexf = nc_alloc_array(m * NC_LEX_NOUT, sizeof *lexf))) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < m; i++)
            nc_lexicon_features(mdl->lex, &docs[rows[i]], lexf + i * NC_LEX_NOUT);
    }
    if (lexf && o->tone_baseline > 0) {
        /* The regression's target: the label less w times the lexicon baseline, what the
         * lexicon leaves unexplained (not the lexicon's words over again); the stack puts the
         * two back together. */
        if ((rc = fit_stack(rows, m, y, NULL, lexf, base, err)) < 0)
            goto out;
        if (!(target = nc_alloc_array(ts->n, sizeof *target))) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        memcpy(target, y, ts->n * sizeof *target);
        for (size_t i = 0; i < m; i++)
            target[rows[i]] = y[rows[i]] -
                              o->tone_baseline * nc_tone_stack(base, 0, lexf + i * NC_LEX_NOUT);
    }
    for (size_t g = 0; o->tone_C <= 0 && g < NC_ARRAY_SIZE(tone_c_grid); g++) {
        double mse = 0;
        progress_msg(progress, pctx, "tone: C=%g, %d-fold cross-validation", tone_c_grid[g],
                     o->folds);
        if ((rc = oof_decisions(ts->xs, target ? target : y, rows, m, fold, o->folds,
                                ts->nfeat, L2R_L2LOSS_SVR, tone_c_grid[g], 0.1, 0, 0, o->seed,
                                0, pred, err)) < 0)
            goto out;
        /* with a lexicon, C is chosen for the tone that is used: the stack over this C's
         * out-of-fold scores (a less regularised regression can leave the lexicon less to add) */
        if (mdl->lex && (rc = fit_stack(rows, m, y, pred, lexf, mdl->stack, err)) < 0)
            goto out;
        for (size_t i = 0; i < m; i++) {
            double p = clamp1(mdl->lex ? nc_tone_stack(mdl->stack, pred[i], lexf + i * NC_LEX_NOUT)
                                       : pred[i]);
            mse += (p - y[rows[i]]) * (p - y[rows[i]]);
        }
        if (mse < bestMSE - 1e-12) {
            bestMSE = mse;
            bestC = tone_c_grid[g];
            memcpy(best_pred, pred, m * sizeof *pred);
        }
    }
    if (o->tone_C <= 0) {
        memcpy(pred, best_pred, m * sizeof *pred);
    } else if ((rc = oof_decisions(ts->xs, target ? target : y, rows, m, fold, o->folds,
                                   ts->nfeat, L2R_L2LOSS_SVR, bestC, 0.1, 0, 0, o->seed, 0,
                                   pred, err)) < 0) {
        goto out;
    }
    if (o->tone_oof && !(raw = nc_alloc_array(m, sizeof *raw))) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    if (raw)
        memcpy(raw, pred, m * sizeof *pred);
    if (mdl->lex) {
        /* stack: tone = c0 + c1 * svr + sum c_k * lexicon feature k + c6 * svr * shortness,
         * least squares on the out-of-fold regression scores (so the weights see honest
         * scores) */
        if ((rc = fit_stack(rows, m, y, pred, lexf, mdl->stack, err)) < 0)
            goto out;
        cJSON *st = cJSON_AddArrayToObject(jtone, "stack");
        for (int k = 0; k < NC_STACK_N; k++)
            cJSON_AddItemToArray(st, cJSON_CreateNumber(mdl->stack[k]));
        cJSON_AddStringToObject(jtone, "stack_terms",
                                "intercept, svr, lexicon mean, lexicon sum per 10 tokens, "
                                "negative-word share, positive-word share, "
                                "svr x shortness (20 / (20 + distinct words))");
        cJSON_AddNumberToObject(jtone, "lexicon_words", (double)nc_lexicon_size(mdl->lex));
        cJSON_AddNumberToObject(jtone, "lexicon_shift", nc_lexicon_shift(mdl->lex));
        if (target) {
            cJSON *jb = cJSON_AddObjectToObject(jtone, "baseline"), *jc;
            add_num(jb, "weight", o->tone_baseline);
            jc = cJSON_AddArrayToObject(jb, "coefficients");
            cJSON_AddItemToArray(jc, cJSON_CreateNumber(base[0]));
            for (int k = 0; k < NC_LEX_NFEAT; k++)
                cJSON_AddItemToArray(jc, cJSON_CreateNumber(base[2 + k]));
            cJSON_AddStringToObject(jb, "terms", "intercept, lexicon mean, lexicon sum per 10 "
                                                 "tokens, negative-word share, positive-word "
                                                 "share");
            cJSON_AddStringToObject(jb, "use", "the regression learns label - weight x "
                                               "baseline; the stack above adds the lexicon "
                                               "back");
        }
        for (size_t i = 0; i < m; i++)
            pred[i] = nc_tone_stack(mdl->stack, pred[i], lexf + i * NC_LEX_NOUT);
    }
    /* Spread matching: least squares (and the SVR's regularisation) shrink the out-of-fold
     * scores toward the mean, so with the fixed cut points of the coarse label (+-0.25) many
     * positive and negative articles came out neutral. The tone scale stretches the score
     * about 0 until its spread matches the labels'; Pearson is unchanged but for clamping. */
    for (size_t i = 0; i < m; i++)
        gold[i] = y[rows[i]];
    scale = round6(nc_tone_spread_factor(pred, gold, m)); /* as the card stores it */
    for (size_t i = 0; i < m; i++)
        pred[i] = clamp1(scale * pred[i]);
    /* the 90% interval, from these cross-validated tones (as the card stores it) */
    if ((q90 = nc_conformal_halfwidth(pred, gold, m, 0.9)) < 0) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    q90 = round6(q90);
    {
        double v[3]; /* pred is clamped to [-1, 1] above */
        nc_tone_summary(pred, gold, m, v);
        cJSON *cv = cJSON_AddObjectToObject(jtone, "cv");
        add_num(cv, "pearson", v[0]);
        add_num(cv, "mae", v[1]);
        add_num(cv, "accuracy3", v[2]);
    }
    progress_msg(progress, pctx, "tone: final fit on %zu articles", m);
    model = fit(ts->xs, target ? target : y, rows, m, ts->nfeat, L2R_L2LOSS_SVR, bestC, 0.1, 0,
                0, o->seed, err);
    if (!model) {
        rc = err ? err->code : NC_EINTERNAL;
        goto out;
    }
    if (extract_linear(model, 0, ts->nfeat, &mdl->tone) < 0) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    mdl->has_tone = 1;
    mdl->tone_scale = scale;
    mdl->tone_q90 = q90;
    cJSON_AddStringToObject(jtone, "method", "svr");
    cJSON_AddStringToObject(jtone, "features", "linear tf-idf, l2-normalised");
    add_num(jtone, "C", bestC);
    add_num(jtone, "epsilon", 0.1);
    add_num(jtone, "scale", scale);
    cJSON_AddStringToObject(jtone, "scale_from",
                            "spread matching: sd of the labels / sd of the out-of-fold tone");
    add_num(jtone, "interval90", q90);
    cJSON_AddStringToObject(jtone, "interval_from",
                            "split conformal: the 90% quantile of |out-of-fold tone - label| "
                            "over the training articles; classify reports tone -+ it");
    cJSON_AddNumberToObject(jtone, "articles", (double)m);
    for (size_t i = 0; raw && i < m; i++) {
        nc_tone_oof row = { &docs[rows[i]], rows[i] >= n_orig, fold[i], y[rows[i]], raw[i],
                            { 0 }, pred[i] };
        if (lexf)
            memcpy(row.lexicon, lexf + i * NC_LEX_NOUT, sizeof row.lexicon);
        o->tone_oof(&row, o->tone_oof_ctx);
    }
out:
    free(target);
    free(raw);
    if (model)
        free_and_destroy_model(&model);
    free(rows);
    free(y);
    free(pred);
    free(best_pred);
    free(fold);
    free(strat);
    free(gold);
    free(lexf);
    return rc;
}

/* ---- corpus statistics for the card ---- */

static uint32_t corpus_checksum(const nc_article *docs, size_t n)
{
    uint64_t h = NC_FNV_OFFSET;
    for (size_t i = 0; i < n; i++) {
        const char *parts[3] = { docs[i].id, docs[i].title, docs[i].text };
        for (int k = 0; k < 3; k++)
            if (parts[k])
                h = nc_fnv1a(parts[k], strlen(parts[k]) + 1, h);
        for (size_t t = 0; t < docs[i].ntopics; t++)
            h = nc_fnv1a(docs[i].topics[t], strlen(docs[i].topics[t]) + 1, h);
        if (docs[i].has_tone) {
            char buf[32];
            snprintf(buf, sizeof buf, "%.6f", docs[i].tone);
            h = nc_fnv1a(buf, strlen(buf), h);
        }
    }
    return (uint32_t)(h ^ (h >> 32));
}

static void add_corpus_stats(cJSON *jt, const nc_article *docs, size_t n, const nc_model *mdl)
{
    size_t with_topics = 0, with_tone = 0, none = 0;
    const char *dmin = NULL, *dmax = NULL;
    double steps[5] = { 0 };
    char buf[32];

    for (size_t i = 0; i < n; i++) {
        with_topics += docs[i].has_topics != 0;
        none += docs[i].has_topics && docs[i].ntopics == 0;
        if (docs[i].has_tone) {
            with_tone++;
            int k = (int)lround((docs[i].tone + 1.0) * 2.0);
            steps[k < 0 ? 0 : k > 4 ? 4 : k]++;
        }
        if (docs[i].date && strlen(docs[i].date) >= 10) {
            if (!dmin || strncmp(docs[i].date, dmin, 10) < 0)
                dmin = docs[i].date;
            if (!dmax || strncmp(docs[i].date, dmax, 10) > 0)
                dmax = docs[i].date;
        }
    }
    cJSON_AddNumberToObject(jt, "articles", (double)n);
    cJSON_AddNumberToObject(jt, "articles_with_topics", (double)with_topics);
    cJSON_AddNumberToObject(jt, "articles_without_topic", (double)none);
    cJSON_AddNumberToObject(jt, "articles_with_tone", (double)with_tone);
    cJSON *per = cJSON_AddObjectToObject(jt, "articles_per_label");
    for (size_t l = 0; l < mdl->nlabels; l++) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            c += (size_t)has_label(&docs[i], mdl->labels[l]);
        cJSON_AddNumberToObject(per, mdl->labels[l], (double)c);
    }
    cJSON *td = cJSON_AddObjectToObject(jt, "tone_distribution");
    static const char *names[5] = { "-1", "-0.5", "0", "0.5", "1" };
    for (int k = 0; k < 5; k++)
        cJSON_AddNumberToObject(td, names[k], steps[k]);
    if (dmin) {
        cJSON *dr = cJSON_AddArrayToObject(jt, "date_range");
        snprintf(buf, sizeof buf, "%.10s", dmin);
        cJSON_AddItemToArray(dr, cJSON_CreateString(buf));
        snprintf(buf, sizeof buf, "%.10s", dmax);
        cJSON_AddItemToArray(dr, cJSON_CreateString(buf));
    }
    snprintf(buf, sizeof buf, "fnv1a32:%08x", corpus_checksum(docs, n));
    cJSON_AddStringToObject(jt, "checksum", buf);
}

/* ---- running the fits: one job per label and one for tone, on a few threads ---- */

#define NC_MAX_JOBS 1024

enum job_kind { JOB_LABEL, JOB_TONE, JOB_GRID };

struct job {
    enum job_kind kind;
    size_t label;
    size_t g;       /* JOB_GRID: which C of the grid */
    cJSON *json;
    int rc;
    nc_error err;
};

struct pool {
    const nc_train_opts *o;
    struct trainset *ts;
    const nc_article *docs;
    size_t n_orig;
    const size_t *origin;
    nc_model *mdl;
    struct topic_ctx *tc;
    nc_progress_fn progress;
    void *pctx;
    struct job *jobs;
    size_t njobs, next;
    pthread_mutex_t mu;
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        struct job *j;
        pthread_mutex_lock(&p->mu);
        j = p->next < p->njobs ? &p->jobs[p->next++] : NULL;
        pthread_mutex_unlock(&p->mu);
        if (!j)
            return NULL;
        memset(&j->err, 0, sizeof j->err);
        if (j->kind == JOB_TONE)
            j->rc = train_tone(p->o, p->ts, p->docs, p->n_orig, p->origin, p->mdl, j->json,
                               p->progress, p->pctx, &j->err);
        else if (j->kind == JOB_GRID)
            j->rc = grid_job(p->tc, p->mdl, j->label, j->g, &j->err);
        else
            j->rc = train_binary(p->tc, p->mdl, j->label, j->json, &j->err);
    }
}

/* Run every job; each writes only its own parts of the model and of the card, and the fits
 * give the same result on any thread (see fit()), so the model never depends on 'threads'. */
static int run_jobs(struct pool *p, int threads, nc_error *err)
{
    pthread_t tid[16];
    int started = 0;

    if (threads > 16)
        threads = 16;
    if ((size_t)threads > p->njobs)
        threads = (int)p->njobs;
    for (int t = 1; t < threads; t++) {
        if (pthread_create(&tid[started], NULL, worker, p) != 0)
            break;
        started++;
    }
    worker(p); /* this thread works too */
    for (int t = 0; t < started; t++)
        pthread_join(tid[t], NULL);
    for (size_t i = 0; i < p->njobs; i++)
        if (p->jobs[i].rc < 0) {
            if (err)
                *err = p->jobs[i].err;
            return p->jobs[i].rc;
        }
    return NC_OK;
}

/* ---- entry point ---- */

/* One training run: what the steps below build, and free_run releases. */
struct run {
    const nc_train_opts *o;
    nc_progress_fn progress;
    void *pctx;
    const nc_article *docs_in; /* the caller's articles */
    size_t n_orig;
    nc_article *ext;    /* with lead views: the originals (borrowed) followed by the views */
    size_t *origin;     /* lead view n_orig + k comes from article origin[k] */
    const nc_article *docs; /* docs_in or ext */
    size_t n;
    nc_model *mdl;
    struct trainset ts;
    struct doccounts *dcounts; /* every article's term counts, until the rows are built */
    unsigned char *stop_mask;  /* --topic-stopwords */
    size_t n_masked;
    cJSON *card;
    size_t *rows, m;    /* the articles with topics */
    int *fold, *strat;
    int *fold_more;     /* the topics' further fold assignments (topic_ctx.fold_more) */
    struct job *jobs;   /* one per label, and tone first */
    size_t njobs;
    struct topic_ctx tc;
    size_t ngrid;       /* tc.grid's entries */
};

static int check_opts(const nc_train_opts *o, size_t n, nc_error *err)
{
    if (n == 0)
        return nc_err(err, NC_EINVAL, "no articles to train on");
    if (o->folds < 2 || o->folds > 20)
        return nc_err(err, NC_EINVAL, "folds must be in 2..20 (got %d)", o->folds);
    if (o->lead_views < 0 || o->lead_views > 3)
        return nc_err(err, NC_EINVAL, "lead views must be in 0..3 (got %d)", o->lead_views);
    if (o->threshold_repeats < 1 || o->threshold_repeats > 10)
        return nc_err(err, NC_EINVAL, "threshold repeats must be in 1..10 (got %d)",
                      o->threshold_repeats);
    if (!(o->threshold_window >= 0 && o->threshold_window <= 0.5))
        return nc_err(err, NC_EINVAL, "threshold window must be in [0, 0.5] (got %g)",
                      o->threshold_window);
    if (o->C_grid_len > NC_C_GRID_MAX)
        return nc_err(err, NC_EINVAL, "a C grid holds at most %d values (got %zu)",
                      NC_C_GRID_MAX, o->C_grid_len);
    if (o->C_grid_len > 0 && o->C > 0)
        return nc_err(err, NC_EINVAL, "a fixed C and a C grid cannot be combined: the grid is "
                                      "for choosing C");
    for (size_t g = 0; g < o->C_grid_len; g++) {
        if (!(o->C_grid[g] > 0 && o->C_grid[g] <= 1e6))
            return nc_err(err, NC_EINVAL, "C grid value %zu must be in (0, 1e6] (got %g)",
                          g + 1, o->C_grid[g]);
        if (g > 0 && !(o->C_grid[g] > o->C_grid[g - 1]))
            return nc_err(err, NC_EINVAL, "the C grid must increase (value %zu, %g, follows "
                                          "%g)", g + 1, o->C_grid[g], o->C_grid[g - 1]);
    }
    if (!(o->tone_baseline >= 0 && o->tone_baseline <= 1))
        return nc_err(err, NC_EINVAL, "tone baseline weight must be in [0, 1] (got %g)",
                      o->tone_baseline);
    if (o->topic_stopwords && o->features.hash_bits)
        return nc_err(err, NC_EINVAL, "topic stop words need a vocabulary: they cannot be "
                                      "combined with hashed features");
    if (o->topic_stopwords && o->features.stem)
        return nc_err(err, NC_EINVAL, "topic stop words are matched as words, not stems: they "
                                      "cannot be combined with stemming");
    return NC_OK;
}

/* --lead-views=N: each long article also as its headline with its first sentence, its first two
 * sentences, ... its first N (each only while shorter than the text). */
static int add_lead_views(struct run *r, nc_error *err)
{
    size_t views = (size_t)r->o->lead_views;
    r->ext = nc_alloc_array((1 + views) * r->n_orig, sizeof *r->ext);
    r->origin = nc_alloc_array(views * r->n_orig, sizeof *r->origin);
    if (!r->ext || !r->origin)
        return nc_err(err, NC_ENOMEM, "out of memory");
    memcpy(r->ext, r->docs_in, r->n_orig * sizeof *r->ext);
    for (size_t i = 0; i < r->n_orig; i++) {
        for (int k = 1; k <= r->o->lead_views; k++) {
            char *lead = lead_of(r->docs_in[i].text, k);
            if (!lead)
                break;
            r->ext[r->n] = r->docs_in[i]; /* borrows everything but the text */
            r->ext[r->n].text = lead;
            r->origin[r->n - r->n_orig] = i;
            r->n++;
        }
    }
    r->docs = r->ext;
    return NC_OK;
}

/* The vocabulary, every article's counts and the topic rows. */
static int fit_features(struct run *r, nc_error *err)
{
    const nc_train_opts *o = r->o;
    nc_model *mdl = r->mdl;
    int rc;

    progress_msg(r->progress, r->pctx, "vectorising %zu articles", r->n);
    if ((rc = nc_vectorizer_new(&o->features, &mdl->vec, err)) < 0)
        return rc;
    for (size_t i = 0; i < r->n; i++)
        if ((rc = nc_vectorizer_fit_article(mdl->vec, &r->docs[i], err)) < 0)
            return rc;
    if ((rc = nc_vectorizer_finish(mdl->vec, err)) < 0)
        return rc;
    r->ts.n = r->n;
    r->ts.nfeat = nc_vectorizer_size(mdl->vec);
    if (r->ts.nfeat == 0)
        return nc_err(err, NC_EINVAL, "no features survive min-df %d: the corpus is too small",
                      o->features.min_df);
    if (o->topic_stopwords && !(r->stop_mask = stopword_mask(mdl->vec, &r->n_masked)))
        return nc_err(err, NC_ENOMEM, "out of memory");
    if ((rc = count_all(mdl->vec, r->docs, r->n, o->threads, &r->dcounts, err)) < 0)
        return rc;
    return build_nodes(mdl->vec, r->dcounts, r->n, NC_WEIGHT_TFIDF, r->stop_mask, &r->ts.xt,
                       &r->ts.arena_t, err);
}

/* Fold assignment 'which' (0: the first; k: the k-th further one, for the thresholds' repeats)
 * of the topics' rows: stratified by the seed, or with --topic-file-folds whole files (the first
 * largest first, the others in orders shuffled by the seed; *nfiles: how many files). */
static int topic_folds(const struct run *r, int which, int *fold, size_t *nfiles)
{
    const nc_train_opts *o = r->o;
    unsigned long seed = o->seed + 7717 * (unsigned long)which;

    if (o->topic_file_folds)
        return file_folds(r->docs, r->rows, r->m, o->folds, which ? seed : 0, fold, nfiles);
    return grouped_folds(r->rows, r->m, r->strat, r->n_orig, r->origin, o->folds, seed, fold);
}

/* The labels, the mode (multi-class or multi-label), the folds, the card's topic part, and a
 * job per label. */
static int plan_topics(struct run *r, nc_error *err)
{
    const nc_train_opts *o = r->o;
    nc_model *mdl = r->mdl;
    int rc, all_single = 1, multiclass;

    if ((rc = collect_labels(r->docs, r->n, &mdl->labels, &mdl->nlabels)) < 0)
        return nc_err(err, rc, "out of memory");
    if (mdl->nlabels + 1 > NC_MAX_JOBS)
        return nc_err(err, NC_EINVAL, "%zu labels: at most %d are supported", mdl->nlabels,
                      NC_MAX_JOBS - 1);
    r->jobs = calloc(mdl->nlabels + 1, sizeof *r->jobs);
    r->rows = nc_alloc_array(r->n, sizeof *r->rows);
    r->fold = nc_alloc_array(r->n, sizeof *r->fold);
    r->strat = nc_alloc_array(r->n, sizeof *r->strat);
    if (!r->rows || !r->fold || !r->strat || !r->jobs)
        return nc_err(err, NC_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->n; i++) {
        if (!r->docs[i].has_topics)
            continue;
        if (r->docs[i].ntopics != 1)
            all_single = 0;
        r->rows[r->m++] = i;
    }
    multiclass = o->topic_mode == NC_TOPICS_MULTICLASS ||
                 (o->topic_mode == NC_TOPICS_NONE && all_single && mdl->nlabels >= 2);
    if (o->topic_mode == NC_TOPICS_MULTICLASS && !all_single)
        return nc_err(err, NC_EINVAL, "multi-class training needs exactly one label per article");
    if (!r->m || !mdl->nlabels) {
        mdl->mode = NC_TOPICS_NONE;
        return NC_OK;
    }

    nc_solver solver = o->solver != NC_SOLVER_AUTO ? o->solver
                       : multiclass             ? NC_SOLVER_SVM
                                                : NC_SOLVER_LR;
    struct topic_ctx c = {
        .o = o,       .solver = solver, .solver_multiclass = multiclass, .ts = &r->ts,
        .docs = r->docs, .rows = r->rows, .m = r->m, .fold = r->fold, .progress = r->progress,
        .pctx = r->pctx,
    };
    mdl->mode = multiclass ? NC_TOPICS_MULTICLASS : NC_TOPICS_MULTILABEL;
    mdl->topic = calloc(mdl->nlabels, sizeof *mdl->topic);
    mdl->platt_a = calloc(mdl->nlabels, sizeof *mdl->platt_a);
    mdl->platt_b = calloc(mdl->nlabels, sizeof *mdl->platt_b);
    mdl->threshold = calloc(mdl->nlabels, sizeof *mdl->threshold);
    if (!mdl->topic || !mdl->platt_a || !mdl->platt_b || !mdl->threshold)
        return nc_err(err, NC_ENOMEM, "out of memory");
    /* strata: the first label in model order, "none" as its own */
    for (size_t i = 0; i < r->m; i++) {
        const nc_article *a = &r->docs[r->rows[i]];
        r->strat[i] = 0;
        for (size_t l = 0; l < mdl->nlabels; l++)
            if (has_label(a, mdl->labels[l])) {
                r->strat[i] = (int)l + 1;
                break;
            }
    }
    /* the folds: stratified over articles (a lead view with its original), or with
     * --topic-file-folds whole files, so C, Platt and the thresholds are judged on text unlike
     * what was learnt */
    size_t nfiles = 0;
    if (topic_folds(r, 0, r->fold, &nfiles) < 0)
        return nc_err(err, NC_ENOMEM, "out of memory");
    if (o->topic_file_folds && nfiles < (size_t)o->folds)
        return nc_err(err, NC_EINVAL,
                      "topic file folds: %zu file%s carr%s topics, fewer than the %d folds",
                      nfiles, nfiles == 1 ? "" : "s", nfiles == 1 ? "ies" : "y", o->folds);
    /* multi-label: further fold assignments (other seeds) for Platt and the thresholds */
    if (!multiclass && (o->calibrate || o->tune_thresholds) && o->threshold_repeats > 1) {
        c.nmore = o->threshold_repeats - 1;
        if (!(r->fold_more = nc_alloc_array((size_t)c.nmore * r->m, sizeof *r->fold_more)))
            return nc_err(err, NC_ENOMEM, "out of memory");
        for (int k = 0; k < c.nmore; k++)
            if (topic_folds(r, k + 1, r->fold_more + (size_t)k * r->m, &nfiles) < 0)
                return nc_err(err, NC_ENOMEM, "out of memory");
        c.fold_more = r->fold_more;
    }
    cJSON *jtopics = cJSON_AddObjectToObject(r->card, "topics");
    cJSON_AddStringToObject(jtopics, "mode", multiclass ? "multi-class" : "multi-label");
    cJSON_AddStringToObject(jtopics, "solver", solver_name(solver));
    if (o->C_grid_len > 0) {
        cJSON *jg = cJSON_AddArrayToObject(jtopics, "C_grid");
        for (size_t g = 0; jg && g < o->C_grid_len; g++)
            cJSON_AddItemToArray(jg, cJSON_CreateNumber(o->C_grid[g]));
    }
    cJSON_AddStringToObject(jtopics, "class_weight", o->balanced ? "balanced" : "none");
    cJSON_AddStringToObject(jtopics, "calibration", o->calibrate ? "platt" : "none");
    if (!multiclass && o->tune_thresholds && o->threshold_window > 0)
        add_num(jtopics, "threshold_window", o->threshold_window);
    if (c.nmore > 0)
        cJSON_AddNumberToObject(jtopics, "fold_assignments", c.nmore + 1);
    cJSON_AddNumberToObject(jtopics, "folds", o->folds);
    if (o->topic_file_folds) {
        cJSON_AddStringToObject(jtopics, "folds_by", "file");
        cJSON_AddNumberToObject(jtopics, "files", (double)nfiles);
    }
    if (r->stop_mask)
        cJSON_AddNumberToObject(jtopics, "stopword_features_ignored", (double)r->n_masked);
    cJSON *jlabels = cJSON_AddArrayToObject(jtopics, "labels");
    r->tc = c;
    for (size_t l = 0; l < mdl->nlabels; l++) {
        cJSON *jl = cJSON_CreateObject();
        cJSON_AddItemToArray(jlabels, jl);
        cJSON_AddStringToObject(jl, "name", mdl->labels[l]);
        r->jobs[r->njobs].kind = JOB_LABEL;
        r->jobs[r->njobs].label = l;
        r->jobs[r->njobs].json = jl;
        r->njobs++;
    }
    return NC_OK;
}

/* When articles carry tone: the tone rows and a tone job, first (the longest). */
static int plan_tone(struct run *r, nc_error *err)
{
    size_t with_tone = 0;
    int rc;

    if (r->o->tone == NC_TONE_OFF)
        return NC_OK;
    for (size_t i = 0; i < r->n; i++)
        with_tone += r->docs[i].has_tone != 0;
    if (!with_tone)
        return NC_OK;
    if ((rc = build_nodes(r->mdl->vec, r->dcounts, r->n, NC_WEIGHT_TFIDF_LINEAR, NULL, &r->ts.xs,
                          &r->ts.arena_s, err)) < 0)
        return rc;
    memmove(r->jobs + 1, r->jobs, r->njobs * sizeof *r->jobs);
    r->jobs[0].kind = JOB_TONE;
    r->jobs[0].json = cJSON_AddObjectToObject(r->card, "tone");
    r->njobs++;
    return NC_OK;
}

static int run_pool(struct run *r, struct job *jobs, size_t njobs, nc_error *err)
{
    struct pool p = {
        .o = r->o,           .ts = &r->ts,           .docs = r->docs, .n_orig = r->n_orig,
        .origin = r->origin, .mdl = r->mdl,          .tc = &r->tc,    .progress = r->progress,
        .pctx = r->pctx,     .jobs = jobs,           .njobs = njobs,
        .mu = PTHREAD_MUTEX_INITIALIZER,
    };
    return run_jobs(&p, r->o->threads, err);
}

/* Choosing C: first every (label, C) cross-validation of the grid, and tone, as separate jobs
 * (the costly large C first), so that the threads stay busy whatever the number of labels;
 * then (run_pool over r->jobs) each label's choice, calibration and final fit. The results are
 * those of doing it label by label. */
static int run_grid(struct run *r, nc_error *err)
{
    size_t glen = c_grid_of(r->tc.o, r->tc.solver).n, ng = r->mdl->nlabels * glen, na = 0;
    struct job *ja = calloc(ng + 1, sizeof *ja);
    int rc, tone_first = r->njobs && r->jobs[0].kind == JOB_TONE;

    r->tc.grid = calloc(ng, sizeof *r->tc.grid);
    r->ngrid = r->tc.grid ? ng : 0;
    if (!ja || !r->tc.grid) {
        free(ja);
        return nc_err(err, NC_ENOMEM, "out of memory");
    }
    if (tone_first)
        ja[na++] = r->jobs[0];
    for (size_t g = glen; g-- > 0;)
        for (size_t l = 0; l < r->mdl->nlabels; l++) {
            ja[na].kind = JOB_GRID;
            ja[na].label = l;
            ja[na++].g = g;
        }
    rc = run_pool(r, ja, na, err);
    free(ja);
    if (rc < 0)
        return rc;
    if (tone_first) { /* done above */
        memmove(r->jobs, r->jobs + 1, (r->njobs - 1) * sizeof *r->jobs);
        r->njobs--;
    }
    return NC_OK;
}

/* The card's training part, the packed weights and the card text. */
static int finish_model(struct run *r, nc_error *err)
{
    nc_model *mdl = r->mdl;

    if (mdl->mode == NC_TOPICS_MULTICLASS) {
        /* multi-class accuracy of the calibrated one-vs-rest models is reported by
         * `newsclass evaluate`; thresholds are unused (the top class wins). */
        for (size_t l = 0; l < mdl->nlabels; l++)
            mdl->threshold[l] = 0;
    }
    if (!mdl->has_tone) {
        nc_lexicon_free(mdl->lex);
        mdl->lex = NULL;
    }
    if (mdl->mode == NC_TOPICS_NONE && !mdl->has_tone)
        return nc_err(err, NC_EINVAL, "the corpus has neither topics/labels nor tone to learn");
    cJSON *jt = cJSON_AddObjectToObject(r->card, "training");
    add_corpus_stats(jt, r->docs_in, r->n_orig, mdl);
    if (r->n > r->n_orig)
        cJSON_AddNumberToObject(jt, "lead_views", (double)(r->n - r->n_orig));
    if (r->o->lead_views > 1)
        cJSON_AddNumberToObject(jt, "lead_sentences", r->o->lead_views);
    cJSON_AddNumberToObject(jt, "seed", (double)r->o->seed);
    cJSON_AddNumberToObject(jt, "folds", r->o->folds);
    if (nc_model_pack(mdl) < 0 || !(mdl->card = cJSON_PrintUnformatted(r->card)))
        return nc_err(err, NC_ENOMEM, "out of memory");
    return NC_OK;
}

static void free_run(struct run *r)
{
    for (size_t i = 0; i < r->ngrid; i++)
        free(r->tc.grid[i]);
    free(r->tc.grid);
    cJSON_Delete(r->card);
    free(r->jobs);
    free(r->rows);
    free(r->fold);
    free(r->fold_more);
    free(r->strat);
    free_counts(r->dcounts, r->n);
    free(r->ts.xt);
    free(r->ts.xs);
    free(r->ts.arena_t);
    free(r->ts.arena_s);
    free(r->stop_mask);
    nc_model_free(r->mdl);
    for (size_t i = r->n_orig; r->ext && i < r->n; i++)
        free(r->ext[i].text);
    free(r->ext);
    free(r->origin);
}

int nc_train(const nc_article *docs_in, size_t n_in, const nc_train_opts *o,
             nc_progress_fn progress, void *pctx, nc_model **out, nc_error *err)
{
    struct run r;
    int rc;

    nc_init();
    *out = NULL;
    if ((rc = check_opts(o, n_in, err)) < 0)
        return rc;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.progress = progress;
    r.pctx = pctx;
    r.docs_in = r.docs = docs_in;
    r.n_orig = r.n = n_in;
    if (o->lead_views && (rc = add_lead_views(&r, err)) < 0)
        goto out;
    if (!(r.mdl = calloc(1, sizeof *r.mdl)) || !(r.card = cJSON_CreateObject())) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    if (o->tone_lexicon && o->tone != NC_TONE_OFF &&
        (rc = nc_lexicon_read(o->tone_lexicon, &r.mdl->lex, err)) < 0)
        goto out;
    if (r.mdl->lex && o->change_words)
        nc_lexicon_set_shift(r.mdl->lex, NC_LEX_SHIFT_DEFAULT);
    if ((rc = fit_features(&r, err)) < 0 || (rc = plan_topics(&r, err)) < 0 ||
        (rc = plan_tone(&r, err)) < 0)
        goto out;
    free_counts(r.dcounts, r.n); /* the rows are built: the counts are not needed any more */
    r.dcounts = NULL;
    if (o->C <= 0 && r.mdl->mode != NC_TOPICS_NONE && (rc = run_grid(&r, err)) < 0)
        goto out;
    if ((rc = run_pool(&r, r.jobs, r.njobs, err)) < 0 || (rc = finish_model(&r, err)) < 0)
        goto out;
    *out = r.mdl;
    r.mdl = NULL;
out:
    free_run(&r);
    return rc;
}
