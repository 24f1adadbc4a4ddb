/* test_features.c: vocabulary, pruning, TF-IDF vectors, LIBLINEAR validity, save/load. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <newsclass/features.h>

#include "check.h"

static nc_article art(const char *title, const char *text)
{
    nc_article a;
    nc_article_init(&a);
    a.title = (char *)title;
    a.text = (char *)text;
    return a;
}

static int valid(const nc_vector *v, size_t nfeat)
{
    double norm = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (v->idx[i] < 1 || (size_t)v->idx[i] > nfeat)
            return 0;
        if (i && v->idx[i] <= v->idx[i - 1])
            return 0;
        norm += v->val[i] * v->val[i];
    }
    return v->n == 0 || fabs(norm - 1.0) < 1e-9;
}

static size_t find(const nc_vectorizer *v, const char *term)
{
    for (size_t i = 1; i <= nc_vectorizer_size(v); i++)
        if (strcmp(nc_vectorizer_term(v, i), term) == 0)
            return i;
    return 0;
}

/* a and b hold the same features, values within tol (0: exactly equal). */
static void check_same(const nc_vector *a, const nc_vector *b, double tol)
{
    CHECK_EQ_INT(a->n, b->n);
    for (size_t i = 0; i < a->n && i < b->n; i++) {
        CHECK_EQ_INT(a->idx[i], b->idx[i]);
        CHECK_NEAR(a->val[i], b->val[i], tol);
    }
}

/* The sum of squares of v's entries whose terms start (or do not start) with '~'. */
static double block_norm2(const nc_vectorizer *vz, const nc_vector *v, int chars)
{
    double s = 0;
    for (size_t i = 0; i < v->n; i++)
        if ((nc_vectorizer_term(vz, (size_t)v->idx[i])[0] == '~') == chars)
            s += v->val[i] * v->val[i];
    return s;
}

/* Write v (with its settings when 'settings') to a temporary file; its path in 'path'. */
static void write_temp(const nc_vectorizer *v, int settings, char *path)
{
    nc_error err = { 0 };
    int fd = mkstemp(path);
    FILE *fp;
    CHECK(fd >= 0);
    fp = fdopen(fd, "w");
    CHECK(fp != NULL);
    if (!fp)
        return;
    CHECK_EQ_INT(settings ? nc_vectorizer_write_settings(v, fp, &err)
                          : nc_vectorizer_write(v, fp, &err), NC_OK);
    fclose(fp);
}

/* --char-ngrams: the n-grams of every word but stop words and shapes, counted in characters
 * with the ends marked; the two blocks normalised apart; a misspelt or unseen word still
 * meets its parts; save/load keeps them and refuses mismatched settings. */
static void test_char_ngrams(void)
{
    nc_feature_opts o;
    nc_vectorizer *v = NULL, *w = NULL;
    nc_error err = { 0 };
    nc_vector x, y;
    nc_article docs[3] = {
        art("Diplomats meet", "The diplomats met in Zürich in 2014."),
        art("Diplomatic row", "A diplomatic row over Zürich."),
        art("Cup final", "The final was played."),
    };
    char path[] = "/tmp/nc-test-chars-XXXXXX";

    nc_feature_opts_default(&o);
    o.min_df = 1;
    o.char_min = 3;
    o.char_max = 4;
    nc_vector_init(&x);
    nc_vector_init(&y);
    CHECK_EQ_INT(nc_vectorizer_new(&o, &v, &err), NC_OK);
    for (int i = 0; i < 3; i++)
        CHECK_EQ_INT(nc_vectorizer_fit_article(v, &docs[i], &err), NC_OK);
    CHECK_EQ_INT(nc_vectorizer_finish(v, &err), NC_OK);
    /* word ends marked, lengths 3 and 4 only */
    CHECK(find(v, "~<di") > 0);
    CHECK(find(v, "~<dip") > 0);
    CHECK(find(v, "~ats>") > 0);
    CHECK(find(v, "~<dipl") == 0);
    CHECK(find(v, "~<d") == 0);
    CHECK_EQ_INT(nc_vectorizer_df(v, find(v, "~<dip")), 2);
    /* characters, not bytes: "ü" is one character */
    CHECK(find(v, "~<zü") > 0);
    CHECK(find(v, "~ürich") == 0);
    CHECK(find(v, "~üri") > 0);
    /* no n-grams of stop words ("the", "in", "was") nor of shapes ("<dddd>") */
    CHECK(find(v, "~<th") == 0);
    CHECK(find(v, "~<in>") == 0);
    CHECK(find(v, "~<<d") == 0 && find(v, "~ddd") == 0);
    /* word features unchanged beside them */
    CHECK(find(v, "diplomats") > 0);
    CHECK(find(v, "^diplomats") > 0);
    /* the n-grams are one run of ids, after the terms that start with ASCII ("zürich") */
    {
        size_t lo = 0, hi = 0, n = nc_vectorizer_size(v);
        for (size_t i = 1; i <= n; i++)
            if (nc_vectorizer_term(v, i)[0] == '~') {
                lo = lo ? lo : i;
                hi = i;
            }
        CHECK(lo > find(v, "zürich") && hi == n);
        for (size_t i = lo; lo && i <= hi; i++)
            CHECK(nc_vectorizer_term(v, i)[0] == '~');
    }
    /* each block has length 1/sqrt(2), for either weighting */
    CHECK_EQ_INT(nc_vectorizer_transform(v, &docs[0], NC_WEIGHT_TFIDF, &x, &err), NC_OK);
    CHECK(valid(&x, nc_vectorizer_size(v)));
    CHECK_NEAR(block_norm2(v, &x, 1), 0.5, 1e-12);
    CHECK_NEAR(block_norm2(v, &x, 0), 0.5, 1e-12);
    CHECK_EQ_INT(nc_vectorizer_transform(v, &docs[1], NC_WEIGHT_TFIDF_LINEAR, &x, &err), NC_OK);
    CHECK_NEAR(block_norm2(v, &x, 1), 0.5, 1e-12);
    /* a word never seen (and no known word): its parts alone, normalised to 1 */
    {
        nc_article u = art("", "Diplomatically");
        CHECK_EQ_INT(nc_vectorizer_transform(v, &u, NC_WEIGHT_TFIDF, &y, &err), NC_OK);
        CHECK(y.n > 0);
        CHECK(valid(&y, nc_vectorizer_size(v)));
        CHECK_NEAR(block_norm2(v, &y, 1), 1.0, 1e-12);
    }
    /* a fresh vector whose article starts with a known stop word: its empty list is cached
     * before the vector holds any feature (once a memcpy from NULL, which UBSan reports) */
    {
        nc_vector z;
        nc_article u = art("", "The final");
        nc_vector_init(&z);
        CHECK_EQ_INT(nc_vectorizer_transform(v, &u, NC_WEIGHT_TFIDF, &z, &err), NC_OK);
        CHECK(z.n > 0 && valid(&z, nc_vectorizer_size(v)));
        nc_vector_finish(&z);
    }
    /* a stop word alone: no features at all */
    {
        nc_article u = art("", "the");
        CHECK_EQ_INT(nc_vectorizer_transform(v, &u, NC_WEIGHT_TFIDF, &y, &err), NC_OK);
        CHECK(block_norm2(v, &y, 1) == 0.0);
    }
    /* a vector reused (its cache of words' n-grams filled) gives what a fresh one gives, also
     * for another vectorizer of the same size after it */
    {
        nc_vector fresh;
        nc_vector_init(&fresh);
        for (int round = 0; round < 2; round++)
            for (int i = 0; i < 3; i++) {
                CHECK_EQ_INT(nc_vectorizer_transform(v, &docs[i], NC_WEIGHT_TFIDF, &x, &err),
                             NC_OK);
                nc_vector_finish(&fresh);
                CHECK_EQ_INT(nc_vectorizer_transform(v, &docs[i], NC_WEIGHT_TFIDF, &fresh,
                                                     &err), NC_OK);
                check_same(&x, &fresh, 0);
            }
        CHECK(x.cg_len > 0);
        nc_vector_finish(&fresh);
    }
    /* saved and loaded: the same vectors */
    write_temp(v, 0, path);
    CHECK_EQ_INT(nc_vectorizer_read(path, &o, &w, &err), NC_OK);
    if (w) {
        CHECK_EQ_INT(nc_vectorizer_transform(v, &docs[1], NC_WEIGHT_TFIDF, &x, &err), NC_OK);
        CHECK_EQ_INT(nc_vectorizer_transform(w, &docs[1], NC_WEIGHT_TFIDF, &y, &err), NC_OK);
        check_same(&x, &y, 1e-12);
        /* x's cache is v's: used with w (its words numbered otherwise) it starts again */
        CHECK_EQ_INT(nc_vectorizer_transform(w, &docs[0], NC_WEIGHT_TFIDF, &y, &err), NC_OK);
        CHECK_EQ_INT(nc_vectorizer_transform(v, &docs[0], NC_WEIGHT_TFIDF, &x, &err), NC_OK);
        CHECK_EQ_INT(nc_vectorizer_transform(w, &docs[0], NC_WEIGHT_TFIDF, &x, &err), NC_OK);
        check_same(&x, &y, 0);
    }
    nc_vectorizer_free(w);
    w = NULL;
    /* read without the settings: its n-gram terms do not fit, named with the line */
    {
        nc_feature_opts plain;
        nc_feature_opts_default(&plain);
        plain.min_df = 1;
        CHECK_EQ_INT(nc_vectorizer_read(path, &plain, &w, &err), NC_EFORMAT);
        CHECK(strstr(err.msg, "no character n-grams") != NULL);
        CHECK(strstr(err.msg, path) != NULL);
        unlink(path);
        /* with the settings recorded, the header says which option differs */
        strcpy(path, "/tmp/nc-test-chars-XXXXXX");
        write_temp(v, 1, path);
        CHECK_EQ_INT(nc_vectorizer_read(path, &plain, &w, &err), NC_EINVAL);
        CHECK(strstr(err.msg, "--char-ngrams 3-4 (here without)") != NULL);
        plain.char_min = 3;
        plain.char_max = 5;
        CHECK_EQ_INT(nc_vectorizer_read(path, &plain, &w, &err), NC_EINVAL);
        CHECK(strstr(err.msg, "--char-ngrams 3-4 (here 3-5)") != NULL);
        CHECK_EQ_INT(nc_vectorizer_read(path, &o, &w, &err), NC_OK);
        nc_vectorizer_free(w);
        w = NULL;
        unlink(path);
    }
    /* n-gram terms out of their run (a hand-edited file) are refused */
    {
        FILE *fp;
        strcpy(path, "/tmp/nc-test-chars-XXXXXX");
        close(mkstemp(path));
        fp = fopen(path, "w");
        fputs("# newsclass-vocab 1 docs=3 features=3 mode=vocab\n1\t~<ab\t1\n2\tword\t1\n"
              "3\t~cd>\t1\n", fp);
        fclose(fp);
        CHECK_EQ_INT(nc_vectorizer_read(path, &o, &w, &err), NC_EFORMAT);
        CHECK(strstr(err.msg, ":4: character n-gram term '~cd>' apart from the others") != NULL);
        unlink(path);
    }
    /* invalid settings */
    o.char_min = 0;
    CHECK_EQ_INT(nc_vectorizer_new(&o, &w, &err), NC_EINVAL);
    o.char_min = 5;
    o.char_max = 4;
    CHECK_EQ_INT(nc_vectorizer_new(&o, &w, &err), NC_EINVAL);
    o.char_min = 3;
    o.char_max = 9;
    CHECK_EQ_INT(nc_vectorizer_new(&o, &w, &err), NC_EINVAL);
    o.char_max = 5;
    o.hash_bits = 12;
    CHECK_EQ_INT(nc_vectorizer_new(&o, &w, &err), NC_EINVAL);
    CHECK(strstr(err.msg, "need a vocabulary") != NULL);

    nc_vector_finish(&x);
    nc_vector_finish(&y);
    nc_vectorizer_free(v);
}

/* A word whose NFKC case folding holds a space (U+037A GREEK YPOGEGRAMMENI folds to " \u03b9";
 * Arabic isolated forms U+FE70.. likewise): its character n-grams would be terms with a space,
 * which a vocabulary cannot hold ("a character n-gram is one word"), so train --char-ngrams
 * failed at saving the bundle. Such a word has no character n-grams, and the vocabulary loads. */
static void test_char_ngrams_space(void)
{
    nc_feature_opts o;
    nc_vectorizer *v = NULL, *w = NULL;
    nc_error err = { 0 };
    nc_article a[2] = { art("", "foo\xcd\xba" "bar"), art("", "diplomats") };
    char path[] = "/tmp/nc-test-chars-sp-XXXXXX";

    nc_feature_opts_default(&o);
    o.min_df = 1;
    o.char_min = 3;
    o.char_max = 5;
    CHECK_EQ_INT(nc_vectorizer_new(&o, &v, &err), NC_OK);
    for (int i = 0; i < 2; i++)
        CHECK_EQ_INT(nc_vectorizer_fit_article(v, &a[i], &err), NC_OK);
    CHECK_EQ_INT(nc_vectorizer_finish(v, &err), NC_OK);
    for (size_t i = 1; i <= nc_vectorizer_size(v); i++) {
        const char *t = nc_vectorizer_term(v, i);
        CHECK(t[0] != '~' || !strchr(t, ' '));
    }
    CHECK(find(v, "~<dip") > 0);
    write_temp(v, 0, path);
    if (nc_vectorizer_read(path, &o, &w, &err) != NC_OK)
        fprintf(stderr, "read: %s\n", err.msg);
    CHECK(w != NULL);
    unlink(path);
    nc_vectorizer_free(w);
    nc_vectorizer_free(v);
}

int main(void)
{
    nc_feature_opts o;
    nc_vectorizer *v = NULL, *w = NULL;
    nc_error err = { 0 };
    nc_vector x, y;
    nc_article docs[4] = {
        art("Peace talks resume", "Diplomats met in Geneva. The talks resume today."),
        art("Talks stall", "The peace talks stalled in Geneva."),
        art("Cup final", "The final was played today in Geneva."),
        art("Ransomware attack", "A ransomware attack hit the city."),
    };
    char path[] = "/tmp/nc-test-vocab-XXXXXX";
    int fd;
    FILE *fp;

    nc_feature_opts_default(&o);
    nc_vector_init(&x);
    nc_vector_init(&y);
    CHECK_EQ_INT(nc_vectorizer_new(&o, &v, &err), NC_OK);
    for (int i = 0; i < 4; i++)
        CHECK_EQ_INT(nc_vectorizer_fit_article(v, &docs[i], &err), NC_OK);
    CHECK_EQ_INT(nc_vectorizer_finish(v, &err), NC_OK);
    CHECK_EQ_INT(nc_vectorizer_ndocs(v), 4);
    /* min_df 2 keeps terms in two or more articles: "talks", "geneva", "peace talks", "^talks" */
    CHECK(find(v, "talks") > 0);
    CHECK(find(v, "geneva") > 0);
    CHECK(find(v, "peace talks") > 0);
    CHECK(find(v, "^talks") > 0);
    CHECK(find(v, "ransomware") == 0);
    /* bigrams never cross a sentence: "geneva the" appears only across '.' */
    CHECK(find(v, "geneva the") == 0);
    /* ids are sorted by term text */
    for (size_t i = 2; i <= nc_vectorizer_size(v); i++)
        CHECK(strcmp(nc_vectorizer_term(v, i - 1), nc_vectorizer_term(v, i)) < 0);
    CHECK_EQ_INT(nc_vectorizer_df(v, find(v, "geneva")), 3);

    CHECK_EQ_INT(nc_vectorizer_transform(v, &docs[0], NC_WEIGHT_TFIDF, &x, &err), NC_OK);
    CHECK(x.n > 0);
    CHECK(valid(&x, nc_vectorizer_size(v)));
    /* unknown words only: an empty vector */
    {
        nc_article u = art("", "zebra quokka");
        CHECK_EQ_INT(nc_vectorizer_transform(v, &u, NC_WEIGHT_TFIDF, &y, &err), NC_OK);
        CHECK_EQ_INT(y.n, 0);
    }
    /* linear tf: a repeated paragraph gives exactly the same vector */
    {
        nc_article once = art("", "The peace talks stalled in Geneva.");
        nc_article ten = art("", "The peace talks stalled in Geneva. The peace talks stalled in "
                                 "Geneva. The peace talks stalled in Geneva.");
        CHECK_EQ_INT(nc_vectorizer_transform(v, &once, NC_WEIGHT_TFIDF_LINEAR, &x, &err), NC_OK);
        CHECK_EQ_INT(nc_vectorizer_transform(v, &ten, NC_WEIGHT_TFIDF_LINEAR, &y, &err), NC_OK);
        check_same(&x, &y, 1e-12);
    }
    /* save and load give identical vectors */
    fd = mkstemp(path);
    CHECK(fd >= 0);
    fp = fdopen(fd, "w");
    CHECK_EQ_INT(nc_vectorizer_write(v, fp, &err), NC_OK);
    fclose(fp);
    CHECK_EQ_INT(nc_vectorizer_read(path, &o, &w, &err), NC_OK);
    if (w) {
        CHECK_EQ_INT(nc_vectorizer_size(w), nc_vectorizer_size(v));
        CHECK_EQ_INT(nc_vectorizer_transform(v, &docs[1], NC_WEIGHT_TFIDF, &x, &err), NC_OK);
        CHECK_EQ_INT(nc_vectorizer_transform(w, &docs[1], NC_WEIGHT_TFIDF, &y, &err), NC_OK);
        check_same(&x, &y, 1e-12);
    }
    nc_vectorizer_free(w);
    w = NULL;
    /* a corrupt vocabulary names the file and line */
    fp = fopen(path, "w");
    fputs("# newsclass-vocab 1 docs=4 features=2 mode=vocab\n1\ttalks\t2\n3\tgeneva\t3\n", fp);
    fclose(fp);
    CHECK_EQ_INT(nc_vectorizer_read(path, &o, &w, &err), NC_EFORMAT);
    CHECK(strstr(err.msg, ":3: bad feature index") != NULL);
    fp = fopen(path, "w");
    fputs("not a vocabulary\n", fp);
    fclose(fp);
    CHECK_EQ_INT(nc_vectorizer_read(path, &o, &w, &err), NC_EFORMAT);
    CHECK(strstr(err.msg, ":1: not a newsclass vocabulary") != NULL);
    fp = fopen(path, "w");
    fputs("# newsclass-vocab 3 docs=4 features=1 mode=vocab\n1\ttalks\t2\n", fp);
    fclose(fp);
    CHECK_EQ_INT(nc_vectorizer_read(path, &o, &w, &err), NC_EFORMAT);
    CHECK(strstr(err.msg, ":1: vocabulary version 3 (this newsclass reads 1 and 2)") != NULL);
    CHECK_EQ_INT(nc_vectorizer_read("/nonexistent/vocab.tsv", &o, &w, &err), NC_EIO);
    unlink(path);

    /* invalid options */
    o.ngram_max = 4;
    CHECK_EQ_INT(nc_vectorizer_new(&o, &w, &err), NC_EINVAL);
    o.ngram_max = 3;
    o.hash_bits = 5;
    CHECK_EQ_INT(nc_vectorizer_new(&o, &w, &err), NC_EINVAL);

    /* hashed mode: indices within the buckets, still valid and normalised */
    o.hash_bits = 12;
    CHECK_EQ_INT(nc_vectorizer_new(&o, &w, &err), NC_OK);
    for (int i = 0; i < 4; i++)
        nc_vectorizer_fit_article(w, &docs[i], &err);
    CHECK_EQ_INT(nc_vectorizer_finish(w, &err), NC_OK);
    CHECK_EQ_INT(nc_vectorizer_size(w), 4096);
    CHECK_EQ_INT(nc_vectorizer_transform(w, &docs[1], NC_WEIGHT_TFIDF, &x, &err), NC_OK);
    CHECK(x.n > 0 && valid(&x, 4096));
    nc_vectorizer_free(w);

    test_char_ngrams();
    test_char_ngrams_space();
    nc_vector_finish(&x);
    nc_vector_finish(&y);
    nc_vectorizer_free(v);
    return check_report();
}
