/* features.h: the feature extractor: tokenizer, vocabulary and TF-IDF vectors.
 *
 * An nc_vectorizer is fitted on a corpus (nc_vectorizer_fit_article for every training article,
 * then nc_vectorizer_finish), after which it is read-only and may be shared between threads:
 * nc_vectorizer_transform turns an article into a sparse vector with 1-based, strictly
 * ascending indices, ready for LIBLINEAR. Feature ids are deterministic: kept terms are sorted
 * bytewise by their text, so the same corpus and options give the same ids. */
#ifndef NC_FEATURES_H
#define NC_FEATURES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <newsclass/article.h>
#include <newsclass/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nc_feature_opts {
    int ngram_max;          /* word n-grams 1..ngram_max (1 to 3); default 2 */
    int min_df;             /* keep terms seen in at least min_df articles; default 2 */
    double max_df;          /* drop terms in more than this fraction of articles; default 1.0 */
    size_t max_features;    /* keep at most this many terms, by df (0 = all); default 0 */
    int hash_bits;          /* 0: vocabulary; 10..28: hashed features into 2^hash_bits buckets */
    int title_features;     /* 1: headline unigrams also as "^term" features; default 1 */
    int stopwords;          /* 1: drop English stop words; default 0 */
    int stopword_list;      /* the list 'stopwords' uses: 2 (default), or 1 for bundles written
                               before 2026-11-27, whose lookup never found "also", "said" and
                               "says" (kept so that those bundles score as they did) */
    int stem;               /* 1: Snowball English stemming; default 0 */
    int sublinear_tf;       /* 1: tf -> 1 + ln(tf); default 1 */
    int char_min, char_max; /* character n-grams of char_min..char_max characters (1..8) within
                               each word but stop words and shapes, the word's ends marked '<'
                               and '>', as features "~<dip" beside the word n-grams; the two
                               blocks are L2-normalised apart and weigh alike; 0 0: none
                               (default); not in hashed mode */
} nc_feature_opts;

/* Fill 'o' with the defaults above. */
void nc_feature_opts_default(nc_feature_opts *o);

/* A token as the tokenizer produces it; 'text' is borrowed and valid until the next token. */
typedef struct nc_token {
    const char *text;
    size_t len;
    int sentence_start;     /* 1 at the start of a sentence/paragraph: n-grams never cross it */
} nc_token;

/* Tokenize s[0..len) and call fn for every token (NFKC, case-folded, numbers as shape tokens
 * such as "<dddd>", URLs as "<url>", e-mail addresses as "<email>", possessive 's dropped,
 * hyphenated words split). Stop words and stemming follow 'o' (may be NULL: neither). Invalid
 * UTF-8 bytes act as separators. fn returns 0 to go on, non-zero to stop (returned). */
typedef int (*nc_token_fn)(const nc_token *tok, void *ctx);
int nc_tokenize(const char *s, size_t len, const nc_feature_opts *o, nc_token_fn fn, void *ctx);
/* 1 when s[0..n) is a word of the English stop-word list that --stopwords drops. */
int nc_is_stopword(const char *s, size_t n);

/* A sparse vector: n entries with 1-based ascending idx[] and their values. */
typedef struct nc_vector {
    size_t n, cap;
    int *idx;
    double *val;
    uint32_t *scratch;      /* private: per-feature counters reused between articles */
    size_t scratch_cap;
    void *keys;             /* private: the article's n-gram keys before lookup */
    size_t nkeys, keys_cap;
    void *toks;             /* private: the article's tokens before lookup */
    size_t ntoks, toks_cap;
    char *tail;             /* private: bytes 9.. of the article's long tokens */
    size_t tail_len, tail_cap;
    uint32_t *cg_at;        /* private: per word id, where its character n-grams' features
                               are in cg_pool (+ 1; 0: not looked up yet) */
    size_t cg_ntok;
    int32_t *cg_pool;       /* private: [count, feature ids...] per word looked up */
    size_t cg_len, cg_cap;
    uint64_t cg_serial;     /* private: the vectorizer the cache is for */
} nc_vector;
void nc_vector_init(nc_vector *v);
void nc_vector_finish(nc_vector *v);

/* How transform weights the term counts. */
typedef enum nc_weighting {
    NC_WEIGHT_TFIDF = 0,    /* (sublinear) tf x idf, L2-normalised: the topic features */
    NC_WEIGHT_TFIDF_LINEAR  /* linear tf x idf, L2-normalised: length-invariant (tone) */
} nc_weighting;

typedef struct nc_vectorizer nc_vectorizer;

int nc_vectorizer_new(const nc_feature_opts *o, nc_vectorizer **out, nc_error *err);
void nc_vectorizer_free(nc_vectorizer *v);
/* Count the article's terms (document frequencies). Only before nc_vectorizer_finish. */
int nc_vectorizer_fit_article(nc_vectorizer *v, const nc_article *a, nc_error *err);
/* Prune (min_df, max_df, max_features), assign ids and compute smoothed idf
 * ln((1 + N) / (1 + df)) + 1. After this the vectorizer is read-only. */
int nc_vectorizer_finish(nc_vectorizer *v, nc_error *err);
/* Vectorise 'a' into 'out' (reset first). Unknown terms are ignored. Thread-safe. */
int nc_vectorizer_transform(const nc_vectorizer *v, const nc_article *a, nc_weighting w,
                            nc_vector *out, nc_error *err);
/* Raw term counts of 'a' (idx ascending, val = count); weight them with nc_vector_weight.
 * Lets a caller tokenize once and weight twice. Thread-safe. */
int nc_vectorizer_counts(const nc_vectorizer *v, const nc_article *a, nc_vector *out,
                         nc_error *err);
/* Prepare 'v' for many articles of 'vz': per-feature counters (4 bytes a feature) make
 * nc_vectorizer_counts faster than sorting. Without it, counts sort instead (cheaper for a
 * vector used once). */
int nc_vector_reserve(nc_vector *v, const nc_vectorizer *vz, nc_error *err);
/* Weight counts (from nc_vectorizer_counts) into 'out' (may be 'counts' itself). */
int nc_vector_weight(const nc_vectorizer *v, const nc_vector *counts, nc_weighting w,
                     nc_vector *out, nc_error *err);
/* Number of features (the largest index). */
size_t nc_vectorizer_size(const nc_vectorizer *v);
/* Number of articles it was fitted on. */
size_t nc_vectorizer_ndocs(const nc_vectorizer *v);
const nc_feature_opts *nc_vectorizer_opts(const nc_vectorizer *v);
/* The text of feature 'index' (1-based): "word", "two words", "^headline-word", "~<char" (a
 * character n-gram), or "#bucket" in hashed mode. Borrowed; NULL when out of range. */
const char *nc_vectorizer_term(const nc_vectorizer *v, size_t index);
/* Document frequency of feature 'index'. */
uint32_t nc_vectorizer_df(const nc_vectorizer *v, size_t index);

/* Save as TSV ("index<TAB>term<TAB>df" after one "# newsclass-vocab" header line) to 'fp'. */
int nc_vectorizer_write(const nc_vectorizer *v, FILE *fp, nc_error *err);
/* As nc_vectorizer_write, with the tokenizer settings (n-grams, headline features, stop words,
 * stemming, character n-grams) recorded on the header line, for a vocabulary file that has no
 * model.json beside it (`newsclass features --vocab`); nc_vectorizer_read and _parse refuse
 * such a file when 'o' differs from them, instead of vectorising differently from the fit. */
int nc_vectorizer_write_settings(const nc_vectorizer *v, FILE *fp, nc_error *err);
/* Load a vocabulary written by nc_vectorizer_write; 'o' gives the tokenizer options that were
 * used (ngram_max, hash_bits, stopwords, stem, sublinear_tf...). Errors name path:line. */
int nc_vectorizer_read(const char *path, const nc_feature_opts *o, nc_vectorizer **out,
                       nc_error *err);
/* The same from a NUL-terminated buffer buf[0..len) read from 'path' (named in errors). Takes
 * ownership of 'buf' (malloc'd), which is freed or kept by the vectorizer in every case. */
int nc_vectorizer_parse(char *buf, size_t len, const char *path, const nc_feature_opts *o,
                        nc_vectorizer **out, nc_error *err);

#ifdef __cplusplus
}
#endif
#endif
