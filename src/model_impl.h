/* model_impl.h (private): the layout of nc_model, shared by train.c, model.c and classify.c. */
#ifndef NC_MODEL_IMPL_H
#define NC_MODEL_IMPL_H

#include <newsclass/model.h>

#include "lexicon.h"
#include "util.h"

/* One linear scorer over the vectorizer's features: score = w . x + b. While training, w holds
 * nfeat weights (index i+1 -> w[i]); a finished model keeps all scorers' weights interleaved
 * in nc_model.W instead (w is then NULL). */
typedef struct nc_linear {
    double *w;
    double bias;
} nc_linear;

struct nc_model {
    nc_vectorizer *vec;
    nc_topic_mode mode;
    size_t nlabels;
    char **labels;
    nc_linear *topic;        /* nlabels scorers (one-vs-rest) */
    double *platt_a, *platt_b; /* p = 1 / (1 + exp(a * score + b)) */
    double *threshold;       /* multi-label decision thresholds */
    int has_tone;
    nc_linear tone;
    double tone_scale;       /* tone = clamp(tone_scale * score) without a lexicon */
    nc_lexicon *lex;         /* optional tone lexicon; then
                              * tone = clamp(tone_scale * (stack . [1, score, f0..f3,
                              *                                      score * shortness])) */
    double stack[NC_STACK_N];
    double tone_q90;         /* half-width of the 90% tone interval; 0: none (older bundle) */
    char *card;              /* model.json text as loaded or built (owned) */
    nc_mapped wmap;          /* a loaded weights.bin (mapped): W points into it */
    /* Weights feature-major: W[(i - 1) * S + s] for feature i and scorer s (the topic labels
     * in order, then tone), so one article feature reads one cache line for every label. */
    double *W;
    size_t S;
};

/* The tone of an article from its regression score (and lexicon features when the model has
 * a lexicon), times the model's tone scale, clamped to [-1, 1]. */
double nc_model_tone(const nc_model *m, const nc_article *a, double score);

/* The spread-matching factor for tone scores: the standard deviation of gold[0..n) over that
 * of pred[0..n), so that scale * pred has the labels' spread (undoing the shrinkage toward the
 * mean of a least-squares fit). 1.0 when n < 2 or either spread is 0 or not finite. */
double nc_tone_spread_factor(const double *pred, const double *gold, size_t n);
/* Split-conformal half-width at 'level' (0.9: 90%): the ceil(level (n + 1))-th smallest of the
 * n absolute residuals |pred - gold| (out-of-sample), so that a new item drawn like these has
 * its gold within pred -+ q with probability at least 'level'; 2 (the whole tone range) when
 * n is too small for that rank; -1 when out of memory. */
double nc_conformal_halfwidth(const double *pred, const double *gold, size_t n, double level);

/* Move the scorers' separate weight arrays into the interleaved W (after training). */
int nc_model_pack(nc_model *m);

/* Platt sigmoid. */
double nc_platt(double a, double b, double score);
/* Fit Platt's sigmoid to decision values f[] with labels y[] (1/0) by Newton's method with
 * backtracking (Lin, Lin and Weng 2007). */
void nc_platt_fit(const double *f, const int *y, size_t n, double *a, double *b);

/* A topic's decision threshold for probabilities s[0..n) in [0, 1] with labels y[] (1/0),
 * negatives counted negw times (F1 at another prevalence): with window > 0 the point of the
 * grid 0.01, 0.015, ..., 0.99 where the F1 curve averaged over the grid points within window
 * is highest (the lowest on ties); with window 0 the exact best-F1 cut (midway between two
 * neighbouring scores). NC_OK, or NC_ENOMEM. */
int nc_threshold_pick(const double *s, const int *y, size_t n, double negw, double window,
                      double *thr);

/* Build model.json for m (train.c); 'extra' members are moved into the card. */
int nc_model_write_bundle(const nc_model *m, const char *dir, nc_error *err);

#endif
