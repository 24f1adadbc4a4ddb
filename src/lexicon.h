/* lexicon.h (private): a tone lexicon (word -> valence in [-1, 1]) and the length-invariant
 * features it gives an article. */
#ifndef NC_LEXICON_H
#define NC_LEXICON_H

#include <stdio.h>

#include <newsclass/article.h>
#include <newsclass/error.h>

typedef struct nc_lexicon nc_lexicon;

#define NC_LEX_NFEAT 4                   /* lexicon features stacked with the regression */
#define NC_LEX_SHORT NC_LEX_NFEAT        /* f[NC_LEX_SHORT]: the article's shortness */
#define NC_LEX_NOUT (NC_LEX_NFEAT + 1)   /* values nc_lexicon_features gives */
#define NC_LEX_TYPES_CAP 512             /* distinct words counted up to this many */
/* The tone stack: intercept, regression score, the NC_LEX_NFEAT lexicon features, and the
 * regression score times the shortness (so the weight of the regression can fall on short
 * texts, whose few n-grams make its score noisy). Bundles written before the last term have
 * 2 + NC_LEX_NFEAT entries and read as if it were 0. */
#define NC_STACK_N (3 + NC_LEX_NFEAT)

/* Read "word<TAB>valence" lines ('#' comments allowed). Errors name path:line. */
int nc_lexicon_read(const char *path, nc_lexicon **out, nc_error *err);
int nc_lexicon_write(const nc_lexicon *lx, FILE *fp, nc_error *err);
void nc_lexicon_free(nc_lexicon *lx);
size_t nc_lexicon_size(const nc_lexicon *lx);

/* The change-word rules (see lexicon.c): a lexicon word that a decrease word ("fell",
 * "fewer", "a drop in") moves counts -gain times its valence, one that an increase word
 * ("rose") moves counts as it is, and the change word's own valence is dropped. gain 0 (what
 * nc_lexicon_read gives, and what bundles written before the rules read as) turns them off. */
#define NC_LEX_SHIFT_DEFAULT 1.0
void nc_lexicon_set_shift(nc_lexicon *lx, double gain);
double nc_lexicon_shift(const nc_lexicon *lx);

/* The article's lexicon features, all unchanged when the text is repeated:
 *   f[0] mean valence of the lexicon words found (0 when none),
 *   f[1] summed valence per 10 tokens,
 *   f[2] share of tokens that are negative words, f[3] share that are positive words,
 *   f[4] (NC_LEX_SHORT) the shortness 20 / (20 + d), d the number of distinct words (counted
 *        up to NC_LEX_TYPES_CAP): about 0.5 for a sentence, 0.3 for a headline and a line,
 *        under 0.1 for a long article; like the others, unchanged when the text is repeated.
 * A negator ("not", "no", "never", "n't" forms, "without") up to three tokens before a word
 * in the same sentence flips and halves its valence; then the change-word rules apply when
 * the lexicon's shift gain is set (nc_lexicon_set_shift). */
void nc_lexicon_features(const nc_lexicon *lx, const nc_article *a, double f[NC_LEX_NOUT]);

/* The regression score's weight in the stack for an article of lexicon values f:
 * stack[1] + stack[2 + NC_LEX_NFEAT] * shortness. */
double nc_tone_stack_weight(const double stack[NC_STACK_N], const double f[NC_LEX_NOUT]);

/* The stacked tone before scaling and clamping: stack[0] + weight * score + the lexicon
 * features' terms. Training (on out-of-fold scores) and classifying share it. */
double nc_tone_stack(const double stack[NC_STACK_N], double score, const double f[NC_LEX_NOUT]);

#endif
