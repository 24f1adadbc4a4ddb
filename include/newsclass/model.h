/* model.h: trained models, their bundle on disk, training and classification.
 *
 * A model has up to two parts over one vectorizer:
 *  - topics: either multi-label (one calibrated logistic-regression model per label, each with
 *    its own decision threshold; an article can get several labels or none) or multi-class (one
 *    label per article, with a probability per class);
 *  - tone: a score in [-1, 1] with the coarse label of LABELS.md (negative below -0.25, positive
 *    above 0.25).
 * The bundle is a directory: model.json (manifest and model card), vocab.tsv, weights.bin
 * and, when tone uses a lexicon, lexicon.tsv;
 * it is written to "<dir>.tmp" and renamed into place. A loaded model is read-only and may be
 * used from several threads at once. */
#ifndef NC_MODEL_H
#define NC_MODEL_H

#include <stddef.h>

#include <newsclass/article.h>
#include <newsclass/error.h>
#include <newsclass/features.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NC_MODEL_FORMAT "newsclass-model"
/* The newest format this build reads. Bundles are written as version 1 unless they need 2:
 * version 2 adds character n-grams (features.char_ngram_min/max), which a build that knows
 * only 1 would ignore and so score silently without them. */
#define NC_MODEL_FORMAT_VERSION 2

typedef struct nc_model nc_model;

typedef enum nc_topic_mode {
    NC_TOPICS_NONE = 0,       /* the model has no topic part */
    NC_TOPICS_MULTILABEL = 1, /* corpus had "topics" lists: one-vs-rest, thresholds */
    NC_TOPICS_MULTICLASS = 2  /* corpus had one label per article */
} nc_topic_mode;

typedef enum nc_solver {
    NC_SOLVER_AUTO = 0, /* NC_SOLVER_SVM for multi-class topics, NC_SOLVER_LR for multi-label */
    NC_SOLVER_LR,       /* L2-regularised logistic regression (primal, deterministic) */
    NC_SOLVER_SVM,      /* L2-regularised L2-loss SVM (dual; seeded), scores calibrated */
    NC_SOLVER_LR_DUAL   /* L2-regularised logistic regression (dual; seeded) */
} nc_solver;

typedef enum nc_tone_method {
    NC_TONE_AUTO = 0,  /* train tone when the corpus has tone: NC_TONE_SVR */
    NC_TONE_OFF,       /* no tone part */
    NC_TONE_SVR        /* L2-regularised support vector regression on the score */
} nc_tone_method;

/* The lexicon features of a tone with a lexicon stack, in this order: mean valence of the
 * lexicon words found, summed valence per 10 tokens, share of tokens that are negative words,
 * share that are positive words, and the shortness 20 / (20 + distinct words). */
#define NC_TONE_LEXICON_FEATURES 5

/* One training article's cross-validated tone (nc_train_opts.tone_oof): what the models fitted
 * without its fold give it. */
typedef struct nc_tone_oof {
    const nc_article *article; /* the training article; for a lead view, its lead as text */
    int lead_view;             /* 1 for the lead of a long article (--lead-views) */
    int fold;                  /* 0-based */
    double gold;               /* its tone label */
    double regression;         /* the out-of-fold regression score (before stack and scale; of
                                * the label less the lexicon baseline, when there is one) */
    double lexicon[NC_TONE_LEXICON_FEATURES]; /* all 0 without a lexicon */
    double tone;               /* the out-of-fold tone: stacked, scaled and clamped as classify
                                * does with the final model */
} nc_tone_oof;
typedef void (*nc_tone_oof_fn)(const nc_tone_oof *row, void *ctx);
/* The lexicon feature k's name in JSON output: "mean", "per_10_tokens", "negative_share",
 * "positive_share", "shortness"; NULL when k is out of range. */
const char *nc_tone_lexicon_name(int k);

/* The most C values a grid may hold (nc_train_opts.C_grid). */
#define NC_C_GRID_MAX 12

typedef struct nc_train_opts {
    nc_feature_opts features;
    nc_solver solver;        /* default NC_SOLVER_AUTO */
    double C;                /* > 0: fixed; 0: chosen by cross-validation (default) */
    double C_grid[NC_C_GRID_MAX]; /* the C values cross-validation chooses from, increasing
                                (ties go to the smaller C), when C_grid_len > 0; default
                                (C_grid_len 0): the solver's own grid (2..512 for logistic
                                regression, 0.125..8 for the SVM). Not with a fixed C */
    size_t C_grid_len;
    double tone_C;           /* > 0: fixed; 0: chosen by cross-validation (default) */
    int folds;               /* cross-validation folds for C, calibration, thresholds; default 5 */
    unsigned long seed;      /* default 1 */
    int balanced;            /* 1: class weights inversely proportional to class size (default) */
    int calibrate;           /* 1: Platt-calibrate topic probabilities on held-out folds (default) */
    int tune_thresholds;     /* 1: per-topic thresholds maximising cross-validated F1 (default) */
    double threshold_window; /* tuned thresholds maximise the cross-validated F1 curve averaged
                                over thresholds within this distance (0..0.5), which moves less
                                with the fold assignment than its ragged exact maximum; default
                                0.1; 0: the exact maximum */
    int threshold_repeats;   /* multi-label: Platt's sigmoid and the thresholds are fitted on the
                                out-of-fold scores of this many fold assignments (1..10) pooled,
                                so that they move less with any one of them; default 3 */
    nc_tone_method tone;     /* default NC_TONE_AUTO */
    int threads;             /* worker threads for cross-validation; default 1 */
    const char *tone_lexicon; /* path of a tone lexicon ("word<TAB>valence") whose features are
                                 stacked with the tone regression; NULL: none (default) */
    double prior;            /* multi-label: the share of articles expected to carry each topic
                                where the model is used (0 < prior < 1); probabilities and
                                thresholds are shifted from the corpus's share to it. 0: use
                                the corpus's share (default) */
    int lead_views;          /* N in 1..3: also train on each long article's leads (its
                                headline with its first sentence, first two, ... first N), so
                                short items score like long ones; default 0 */
    int topic_stopwords;     /* 1: the topic models ignore features made only of stop words
                                ("of the", "said"); tone still uses them. Default 0 */
    int tone_file_folds;     /* 1: tone's cross-validation (C, the lexicon stack, the scale, the
                                interval) holds out whole input files (nc_article.file), so it
                                is judged on text unlike what it learnt from; needs at least
                                'folds' files with tone. Default 0: articles in random folds */
    int topic_file_folds;    /* 1: the topics' cross-validation (C, Platt, the thresholds and
                                the card's figures) holds out whole input files, as
                                tone_file_folds does for tone; needs at least 'folds' files
                                with topics. Default 0 */
    nc_topic_mode topic_mode; /* NC_TOPICS_NONE: decide from the corpus (default); or force
                                 NC_TOPICS_MULTILABEL / NC_TOPICS_MULTICLASS */
    int change_words;        /* 1 (default): with a tone lexicon, a lexicon word that an English
                                change word moves counts by the direction of the change: "deaths
                                fell", "fewer attacks" as good news, "hopes faded" as bad,
                                "the toll rose" as bad (not the upbeat "rose"). 0: as it is */
    double tone_baseline;    /* with a tone lexicon: the regression learns the label less this
                                weight (0..1) times a lexicon-only least-squares fit of it, so
                                its n-gram weights carry what the lexicon does not already say
                                and the lexicon keeps more of the weight on text unlike the
                                corpus; the stack then combines them. Default 0.5 (chosen by
                                cross-validation on the project's corpus); 0: the label itself */
    nc_tone_oof_fn tone_oof; /* when set: called once per article with tone, in training order
                                (lead views last), from the thread that fits tone, before
                                nc_train returns; NULL (default): not called */
    void *tone_oof_ctx;
} nc_train_opts;

/* The grid the topics' C is chosen from when training with o (o->C_grid when given, else the
 * solver's own) for solver s (the resolved one: NC_SOLVER_LR, NC_SOLVER_LR_DUAL or
 * NC_SOLVER_SVM, as the card's topics.solver names it): its values, increasing, in *c
 * (borrowed from o or static) and their number in *n. */
void nc_train_c_grid(const nc_train_opts *o, nc_solver s, const double **c, size_t *n);

void nc_train_opts_default(nc_train_opts *o);

/* Progress callback: 'what' is a short phrase ("fold 2/5 of 'sport'"); may be NULL. */
typedef void (*nc_progress_fn)(const char *what, void *ctx);

/* Train on docs[0..n). Topic mode follows the corpus: every article with a "topics" list ->
 * multi-label; single "label"s -> multi-class. Tone is trained when articles carry tone.
 * On success stores a new model in *out (free with nc_model_free). */
int nc_train(const nc_article *docs, size_t n, const nc_train_opts *o, nc_progress_fn progress,
             void *progress_ctx, nc_model **out, nc_error *err);

/* Load and validate a bundle (format, version, checksums, consistency). Errors name the file. */
int nc_model_load(const char *dir, nc_model **out, nc_error *err);
/* Save to 'dir' atomically (via "<dir>.tmp", then rename; an existing bundle is replaced). */
int nc_model_save(const nc_model *m, const char *dir, nc_error *err);
/* Whether nc_model_save could write to 'dir', checked before the work that makes the model
 * (nc_model_save checks again): dir is absent, an empty directory or a bundle; its parent is
 * a writable directory; and "<dir>.tmp", if an interrupted save left it, holds nothing but a
 * bundle's files. NC_OK, or an error saying what is in the way. */
int nc_model_save_check(const char *dir, nc_error *err);
void nc_model_free(nc_model *m); /* NULL is a no-op */

nc_topic_mode nc_model_topic_mode(const nc_model *m);
size_t nc_model_nlabels(const nc_model *m);
const char *nc_model_label(const nc_model *m, size_t i);  /* borrowed */
double nc_model_threshold(const nc_model *m, size_t i);   /* multi-label decision threshold */
int nc_model_has_tone(const nc_model *m);
const nc_vectorizer *nc_model_vectorizer(const nc_model *m);
/* The model card (model.json) as pretty-printed JSON text; caller frees with free(). */
char *nc_model_card_json(const nc_model *m);

/* ---- classification ---- */

typedef struct nc_prediction {
    size_t nlabels;
    double *scores;   /* probability per label, in model label order (owned) */
    int *selected;    /* 1 when the label is given to the article (owned) */
    int primary;      /* index of the highest-scoring selected label, or -1 (none) */
    int has_tone;
    double tone;      /* in [-1, 1], rounded to 4 decimals (as printed) */
    int has_tone_interval; /* 1 when the model carries a tone interval (trained since 0.1.0
                            * of 2026-11-27) */
    double tone_lo, tone_hi; /* the 90% interval: tone -+ the model's half-width, within
                              * [-1, 1] (split conformal on cross-validated residuals) */
} nc_prediction;

void nc_prediction_init(nc_prediction *p);
void nc_prediction_finish(nc_prediction *p);

/* Classify one article. Thread-safe for a shared model. */
int nc_classify(const nc_model *m, const nc_article *a, nc_prediction *out, nc_error *err);

/* Scratch memory for classifying many articles in a row (one per thread): with it,
 * nc_classify_ws counts terms with per-feature counters instead of sorting. */
typedef struct nc_workspace nc_workspace;
nc_workspace *nc_workspace_new(const nc_model *m); /* NULL when out of memory */
void nc_workspace_free(nc_workspace *ws);          /* NULL is a no-op */
/* nc_classify with a workspace made for the same model (ws may be NULL). */
int nc_classify_ws(const nc_model *m, const nc_article *a, nc_prediction *out,
                   nc_workspace *ws, nc_error *err);

/* The parts of the model's tone for article a: the regression's score before the stack and
 * the scale, and the lexicon features (all 0 when the model has no lexicon). The tone of
 * nc_classify is made of them (see model.json's "tone": "stack", "scale"). NC_EINVAL when the
 * model has no tone. */
int nc_tone_parts(const nc_model *m, const nc_article *a, double *regression,
                  double lexicon[NC_TONE_LEXICON_FEATURES], nc_error *err);

/* "negative" (tone < -0.25), "positive" (tone > 0.25) or "neutral". */
const char *nc_tone_label(double tone);
/* -1, 0 or 1 by the same thresholds. */
int nc_tone_class(double tone);

/* One term's push on a score: weight x feature value. */
typedef struct nc_contribution {
    const char *term;  /* borrowed from the model */
    double value;
} nc_contribution;

/* The n terms that pushed label 'label' (or the tone when label == (size_t)-1) most up and
 * most down for article 'a'. Fills up[0..*nup) (descending) and down[0..*ndown) (ascending);
 * both arrays must hold n entries. */
int nc_explain(const nc_model *m, const nc_article *a, size_t label, size_t n,
               nc_contribution *up, size_t *nup, nc_contribution *down, size_t *ndown,
               nc_error *err);

#ifdef __cplusplus
}
#endif
#endif
