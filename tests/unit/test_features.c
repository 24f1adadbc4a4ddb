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
        CHECK_EQ_INT(x.n, y.n);
        for (size_t i = 0; i < x.n && i < y.n; i++) {
            CHECK_EQ_INT(x.idx[i], y.idx[i]);
            CHECK_NEAR(x.val[i], y.val[i], 1e-12);
        }
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
        CHECK_EQ_INT(x.n, y.n);
        for (size_t i = 0; i < x.n && i < y.n; i++) {
            CHECK_EQ_INT(x.idx[i], y.idx[i]);
            CHECK_NEAR(x.val[i], y.val[i], 1e-12);
        }
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

    nc_vector_finish(&x);
    nc_vector_finish(&y);
    nc_vectorizer_free(v);
    return check_report();
}
