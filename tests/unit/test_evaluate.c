/* test_evaluate.c: the evaluation accumulator, its JSON, stratified folds and fold summaries.
 * Predictions are built by hand, so no trained model is needed.
 * SPDX-License-Identifier: MIT */
#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <newsclass/evaluate.h>

#include "check.h"

#define TOL 1e-9

/* An article that borrows its strings (never passed to nc_article_finish). */
static nc_article art(const char *id, char **topics, size_t ntopics, int has_topics, double tone,
                      int has_tone)
{
    nc_article a;
    memset(&a, 0, sizeof a);
    a.id = (char *)id;
    a.title = (char *)"a title";
    a.text = (char *)"";
    a.topics = topics;
    a.ntopics = ntopics;
    a.has_topics = has_topics;
    a.tone = tone;
    a.has_tone = has_tone;
    return a;
}

static nc_prediction pred(double *scores, int *sel, size_t k, int primary, double tone)
{
    nc_prediction p;
    memset(&p, 0, sizeof p);
    p.nlabels = k;
    p.scores = scores;
    p.selected = sel;
    p.primary = primary;
    p.has_tone = 1;
    p.tone = tone;
    return p;
}

/* Feed the multi-label example worked out in the comments below into 'e'. */
static void feed_multilabel(nc_eval *e)
{
    static char *ga[] = { "a" }, *gab[] = { "a", "b" }, *gbz[] = { "b", "zzz" };
    double s1[] = { 0.9, 0.2 }, s2[] = { 0.8, 0.4 }, s3[] = { 0.6, 0.1 }, s4[] = { 0.3, 0.7 },
           s5[] = { 0.5, 0.5 };
    int l1[] = { 1, 0 }, l2[] = { 1, 0 }, l3[] = { 1, 0 }, l4[] = { 0, 1 }, l5[] = { 1, 1 };
    nc_article a;
    nc_prediction p;

    a = art("n1", ga, 1, 1, 0.5, 1);
    p = pred(s1, l1, 2, 0, 0.4);
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    a = art("n2", gab, 2, 1, -0.5, 1);            /* b missed: false negative at 0.4 */
    p = pred(s2, l2, 2, 0, -0.6);
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    a = art("n3", NULL, 0, 1, 0, 1);              /* no topic, a given: false positive at 0.6 */
    p = pred(s3, l3, 2, 0, 0.1);
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    a = art("n4", gbz, 2, 1, 1, 1);               /* 'zzz' unknown to the model */
    p = pred(s4, l4, 2, 1, 0.2);
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    a = art("n5", NULL, 0, 0, 0, 0);              /* no gold at all: skipped */
    p = pred(s5, l5, 2, 0, 0);
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
}

static void test_multilabel(void)
{
    const char *labels[] = { "a", "b" };
    nc_eval *e = NULL;
    nc_eval_result r;
    nc_error err = { 0 };
    char *json = NULL;
    cJSON *root;
    double s[1] = { 0.5 };
    int l[1] = { 1 };
    nc_prediction bad = pred(s, l, 1, 0, 0);
    nc_article a = art("x", NULL, 0, 1, 0, 0);

    nc_eval_result_init(&r);
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTILABEL, labels, 2, 1, 1, &e, &err), NC_OK);
    feed_multilabel(e);
    CHECK_EQ_INT(nc_eval_add(e, &bad, &a, &err), NC_EINVAL);
    CHECK_STR(err.msg, "prediction has 1 labels, the evaluation 2");
    CHECK_EQ_INT(nc_eval_finish(e, &r, &err), NC_OK);

    CHECK_EQ_INT(r.n_articles, 5);
    CHECK_EQ_INT(r.n_evaluated, 4);
    CHECK_EQ_INT(r.n_no_gold, 1);
    CHECK_EQ_INT(r.n_unknown_articles, 1);
    CHECK_EQ_INT(r.nunknown, 1);
    CHECK_STR(r.unknown[0].label, "zzz");
    CHECK_EQ_INT(r.nlabels, 2);
    /* a: gold 1 1 0 0, selected 1 1 1 0 */
    CHECK_EQ_INT(r.labels[0].m.tp, 2);
    CHECK_EQ_INT(r.labels[0].m.fp, 1);
    CHECK_NEAR(r.labels[0].m.precision, 2.0 / 3, TOL);
    CHECK_NEAR(r.labels[0].m.f1, 0.8, TOL);
    CHECK_NEAR(r.labels[0].auc, 1.0, TOL);
    CHECK_NEAR(r.labels[0].ap, 1.0, TOL);
    /* b: gold 0 1 0 1, selected 0 0 0 1 */
    CHECK_NEAR(r.labels[1].m.recall, 0.5, TOL);
    CHECK_NEAR(r.labels[1].m.f1, 2.0 / 3, TOL);
    CHECK_NEAR(r.micro.f1, 0.75, TOL);
    CHECK_NEAR(r.macro.f1, (0.8 + 2.0 / 3) / 2, TOL);
    CHECK_NEAR(r.exact_match, 0.5, TOL);
    CHECK_NEAR(r.macro_auc, 1.0, TOL);
    /* pooled Brier over the 8 pairs */
    CHECK_NEAR(r.calib.brier,
               (0.01 + 0.04 + 0.04 + 0.36 + 0.36 + 0.01 + 0.09 + 0.09) / 8, TOL);
    CHECK_EQ_INT(r.labels[0].nfp, 1);
    CHECK_STR(r.labels[0].fp[0].id, "n3");
    CHECK_NEAR(r.labels[0].fp[0].score, 0.6, 0);
    CHECK_EQ_INT(r.labels[0].nfn, 0);
    CHECK_EQ_INT(r.labels[1].nfn, 1);
    CHECK_STR(r.labels[1].fn[0].id, "n2");
    CHECK(isnan(r.accuracy));
    /* tone: 4 pairs (n5 has none) */
    CHECK_EQ_INT(r.tone.n, 4);
    CHECK_NEAR(r.tone.mae.value, (0.1 + 0.1 + 0.1 + 0.8) / 4, TOL);
    CHECK_NEAR(r.tone3.accuracy, 0.75, TOL);

    CHECK_EQ_INT(nc_eval_result_to_json(&r, 0, &json, &err), NC_OK);
    root = cJSON_Parse(json);
    CHECK(root != NULL);
    if (root) {
        cJSON *t = cJSON_GetObjectItem(root, "topics");
        cJSON *micro = cJSON_GetObjectItem(t, "micro");
        cJSON *lab = cJSON_GetObjectItem(cJSON_GetObjectItem(t, "labels"), "a");
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(t, "mode")), "multi-label");
        CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItem(micro, "f1")), 0.75, TOL);
        CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItem(t, "without_gold")), 1, 0);
        CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(lab, "reliability")), 10);
        CHECK_EQ_INT(cJSON_GetArraySize(cJSON_GetObjectItem(lab, "false_positives")), 1);
        CHECK(cJSON_IsNumber(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "unknown_labels"),
                                                 "zzz")));
        CHECK(cJSON_IsObject(cJSON_GetObjectItem(root, "tone")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(lab, "missing")) == 0);
        cJSON_Delete(root);
    }
    free(json);

    /* finish is repeatable and the accumulator keeps going */
    CHECK_EQ_INT(nc_eval_finish(e, &r, &err), NC_OK);
    CHECK_EQ_INT(r.n_articles, 5);
    nc_eval_result_finish(&r);
    nc_eval_result_finish(&r); /* twice is fine */
    nc_eval_free(e);
    nc_eval_free(NULL);
}

static void test_multiclass(void)
{
    const char *labels[] = { "x", "y", "z" };
    static char *gx[] = { "x" }, *gy[] = { "y" }, *gz[] = { "z" }, *gq[] = { "q" };
    double s1[] = { 0.8, 0.1, 0.1 }, s2[] = { 0.5, 0.3, 0.2 }, s3[] = { 0.1, 0.2, 0.7 },
           s4[] = { 0.2, 0.6, 0.2 };
    int l[] = { 0, 0, 0 };
    nc_eval *e = NULL;
    nc_eval_result r;
    nc_article a;
    nc_prediction p;
    char *json = NULL;

    nc_eval_result_init(&r);
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTICLASS, labels, 3, 0, 2, &e, NULL), NC_OK);
    a = art("c1", gx, 1, 1, 0, 0);
    p = pred(s1, l, 3, 0, 0);
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    a = art("c2", gy, 1, 1, 0, 0); /* y taken for x */
    p = pred(s2, l, 3, -1, 0);     /* no primary: the highest score decides */
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    a = art("c3", gz, 1, 1, 0, 0);
    p = pred(s3, l, 3, 2, 0);
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    a = art("c4", gq, 1, 1, 0, 0); /* unknown gold: an error, and a false positive of y */
    p = pred(s4, l, 3, 1, 0);
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    a = art("c5", NULL, 0, 1, 0, 0); /* empty label list: no gold */
    p = pred(s4, l, 3, 1, 0);
    CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    CHECK_EQ_INT(nc_eval_finish(e, &r, NULL), NC_OK);

    CHECK_EQ_INT(r.n_evaluated, 4);
    CHECK_EQ_INT(r.n_no_gold, 1);
    CHECK_EQ_INT(r.n_unknown_articles, 1);
    CHECK_NEAR(r.accuracy, 0.5, TOL);
    CHECK_EQ_INT(r.confusion[1 * 3 + 0], 1);
    CHECK_EQ_INT(r.confusion[0 * 3 + 0], 1);
    CHECK_EQ_INT(r.confusion[2 * 3 + 2], 1);
    CHECK_NEAR(r.labels[0].m.precision, 0.5, TOL);
    CHECK_NEAR(r.labels[0].m.recall, 1.0, TOL);
    CHECK_EQ_INT(r.labels[1].m.fp, 1);
    CHECK_EQ_INT(r.labels[1].m.fn, 1);
    CHECK_EQ_INT(r.labels[1].m.tn, 2);
    CHECK_NEAR(r.labels[1].m.f1, 0, 0);
    CHECK_NEAR(r.macro_f1, (2.0 / 3 + 0 + 1) / 3, TOL);
    CHECK_EQ_INT(r.labels[0].nfp, 1);
    CHECK_STR(r.labels[0].fp[0].id, "c2");
    CHECK_EQ_INT(r.labels[1].nfn, 1);
    CHECK_NEAR(r.labels[1].fn[0].score, 0.3, 0);
    /* one-vs-rest ranking: x scores .8 .5 .1 .2 with only c1 gold x */
    CHECK_NEAR(r.labels[0].auc, 1.0, TOL);
    CHECK_EQ_INT(r.labels[0].calib.n, 4);
    CHECK(isnan(r.micro.f1));
    CHECK_EQ_INT(r.tone.n, 0);

    CHECK_EQ_INT(nc_eval_result_to_json(&r, 1, &json, NULL), NC_OK);
    CHECK(json && strstr(json, "\"confusion\"") && strstr(json, "\"multi-class\""));
    CHECK(json && !strstr(json, "\"tone\""));
    free(json);
    nc_eval_result_finish(&r);
    nc_eval_free(e);
}

static void test_errors_kept(void)
{
    const char *labels[] = { "a" };
    static char *none[] = { NULL };
    double sc[] = { 0.55, 0.9, 0.7, 0.9, 0.6 };
    const char *ids[] = { "e1", "e2", "e3", "e4", "e5" };
    nc_eval *e = NULL;
    nc_eval_result r;

    nc_eval_result_init(&r);
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTILABEL, labels, 1, 0, 3, &e, NULL), NC_OK);
    for (int i = 0; i < 5; i++) {
        double s[1] = { sc[i] };
        int l[1] = { 1 };
        nc_article a = art(ids[i], none, 0, 1, 0, 0);
        nc_prediction p = pred(s, l, 1, 0, 0);
        CHECK_EQ_INT(nc_eval_add(e, &p, &a, NULL), NC_OK);
    }
    CHECK_EQ_INT(nc_eval_finish(e, &r, NULL), NC_OK);
    /* the three highest false positives, earlier articles first on ties */
    CHECK_EQ_INT(r.labels[0].nfp, 3);
    CHECK_STR(r.labels[0].fp[0].id, "e2");
    CHECK_STR(r.labels[0].fp[1].id, "e4");
    CHECK_STR(r.labels[0].fp[2].id, "e3");
    /* only negatives: AUC and AP undefined, precision 0 */
    CHECK(isnan(r.labels[0].auc) && isnan(r.labels[0].ap));
    CHECK(isnan(r.macro_auc));
    CHECK_NEAR(r.labels[0].m.precision, 0, 0);
    nc_eval_result_finish(&r);
    nc_eval_free(e);
}

static void test_tone_only(void)
{
    static char *gt[] = { "sport" };
    const double pt[] = { -0.8, -0.1, 0.6 }, gtone[] = { -1, 0, 1 };
    nc_eval *e = NULL;
    nc_eval_result r;
    nc_error err = { 0 };
    char *json = NULL;

    nc_eval_result_init(&r);
    CHECK_EQ_INT(nc_eval_new((nc_topic_mode)7, NULL, 0, 1, 0, &e, &err), NC_EINVAL);
    CHECK(e == NULL);
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_NONE, NULL, 0, 1, 0, &e, &err), NC_OK);
    for (int i = 0; i < 3; i++) {
        nc_article a = art("t", gt, 1, 1, gtone[i], 1);
        nc_prediction p = pred(NULL, NULL, 0, -1, pt[i]);
        CHECK_EQ_INT(nc_eval_add(e, &p, &a, &err), NC_OK);
    }
    CHECK_EQ_INT(nc_eval_finish(e, &r, &err), NC_OK);
    CHECK_EQ_INT(r.mode, NC_TOPICS_NONE);
    CHECK_EQ_INT(r.nlabels, 0);
    CHECK_EQ_INT(r.n_evaluated, 0);
    CHECK_EQ_INT(r.tone.n, 3);
    CHECK_NEAR(r.tone3.accuracy, 1.0, TOL);
    CHECK_NEAR(r.tone.mae.value, (0.2 + 0.1 + 0.4) / 3, TOL);
    CHECK(!isnan(r.tone.pearson.lo)); /* n == 3: the whole range */
    CHECK_NEAR(r.tone.pearson.lo, -1, 0);
    CHECK_EQ_INT(nc_eval_result_to_json(&r, 0, &json, &err), NC_OK);
    CHECK(json && strstr(json, "\"mode\":\"none\"") && strstr(json, "\"mae\":{"));
    free(json);
    nc_eval_result_finish(&r);
    nc_eval_free(e);
}

static void test_folds(void)
{
    static char *ta[] = { "a" }, *tb[] = { "b", "a" };
    nc_article docs[11];
    size_t f1[11], f2[11], f3[11], per[3][3] = { { 0 } }, size[3] = { 0 };
    nc_error err = { 0 };
    int differs = 0;

    for (int i = 0; i < 11; i++) {
        if (i < 5)
            docs[i] = art("x", ta, 1, 1, 0, 0);
        else if (i < 8)
            docs[i] = art("x", tb, 2, 1, 0, 0);
        else
            docs[i] = art("x", NULL, 0, i != 10, 0, 0);
    }
    CHECK_EQ_INT(nc_stratified_folds(docs, 11, 3, 42, f1, &err), NC_OK);
    CHECK_EQ_INT(nc_stratified_folds(docs, 11, 3, 42, f2, &err), NC_OK);
    CHECK_EQ_INT(nc_stratified_folds(docs, 11, 3, 7, f3, &err), NC_OK);
    for (int i = 0; i < 11; i++) {
        int stratum = i < 5 ? 0 : i < 8 ? 1 : 2;
        CHECK(f1[i] < 3);
        CHECK_EQ_INT(f1[i], f2[i]);
        differs |= f1[i] != f3[i];
        per[stratum][f1[i]]++;
        size[f1[i]]++;
    }
    CHECK(differs); /* another seed, another split (true for seeds 42 and 7) */
    for (int f = 0; f < 3; f++) {
        CHECK(size[f] == 3 || size[f] == 4);
        CHECK(per[0][f] == 1 || per[0][f] == 2); /* 5 'a' over 3 folds */
        CHECK_EQ_INT(per[1][f], 1);              /* 3 'b' */
        CHECK_EQ_INT(per[2][f], 1);              /* 3 without topics */
    }
    CHECK_EQ_INT(nc_stratified_folds(docs, 11, 1, 1, f1, &err), NC_EINVAL);
    CHECK_STR(err.msg, "need at least 2 folds, not 1");
    CHECK_EQ_INT(nc_stratified_folds(docs, 2, 3, 1, f1, &err), NC_EINVAL);
    CHECK_STR(err.msg, "cannot split 2 articles into 3 folds");
}

static void test_summary(void)
{
    const char *labels[] = { "a", "b" };
    const char *labels2[] = { "a", "c" };
    nc_eval *e1 = NULL, *e2 = NULL;
    nc_eval_result r[2];
    nc_eval_summary s;
    char *json = NULL;
    cJSON *root;
    const nc_metric_summary *micro = NULL, *bf1 = NULL, *cf1 = NULL;

    nc_eval_result_init(&r[0]);
    nc_eval_result_init(&r[1]);
    nc_eval_summary_init(&s);
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTILABEL, labels, 2, 1, 0, &e1, NULL), NC_OK);
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTILABEL, labels2, 2, 1, 0, &e2, NULL), NC_OK);
    feed_multilabel(e1);
    feed_multilabel(e2); /* 'b' gold is unknown to this one; 'c' never gold */
    CHECK_EQ_INT(nc_eval_finish(e1, &r[0], NULL), NC_OK);
    CHECK_EQ_INT(nc_eval_finish(e2, &r[1], NULL), NC_OK);
    CHECK_EQ_INT(nc_eval_summarize(r, 2, &s, NULL), NC_OK);
    CHECK_EQ_INT(s.folds, 2);
    for (size_t i = 0; i < s.n; i++) {
        if (!s.m[i].label && !strcmp(s.m[i].name, "micro_f1"))
            micro = &s.m[i];
        if (s.m[i].label && !strcmp(s.m[i].label, "b") && !strcmp(s.m[i].name, "f1"))
            bf1 = &s.m[i];
        if (s.m[i].label && !strcmp(s.m[i].label, "c") && !strcmp(s.m[i].name, "auc"))
            cf1 = &s.m[i];
    }
    CHECK(micro && bf1 && cf1);
    if (micro && bf1 && cf1) {
        /* second fold: 'a' as before; 'c' is never gold, so its F1 is 0 and its AUC undefined */
        double m2 = r[1].micro.f1;
        CHECK_NEAR(micro->mean, (0.75 + m2) / 2, TOL);
        CHECK_NEAR(micro->sd, fabs(0.75 - m2) / sqrt(2.0), TOL);
        CHECK_EQ_INT(micro->n, 2);
        CHECK_EQ_INT(bf1->n, 1);
        CHECK_NEAR(bf1->mean, 2.0 / 3, TOL);
        CHECK(isnan(bf1->sd));
        CHECK_EQ_INT(cf1->n, 0); /* never defined: c has no positive */
        CHECK(isnan(cf1->mean));
    }
    CHECK_EQ_INT(nc_eval_summary_to_json(&s, 0, &json, NULL), NC_OK);
    root = json ? cJSON_Parse(json) : NULL;
    CHECK(root != NULL);
    if (root) {
        cJSON *m = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "metrics"), "micro_f1");
        cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(root, "labels"), "b");
        CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItem(m, "n")), 2, 0);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(b, "f1"), "sd")));
        cJSON_Delete(root);
    }
    free(json);
    nc_eval_summary_finish(&s);
    nc_eval_result_finish(&r[0]);
    nc_eval_result_finish(&r[1]);
    nc_eval_free(e1);
    nc_eval_free(e2);
}

/* nc_eval_compare: the values of each model are those nc_eval_finish reports; a model
 * compared with itself differs by exactly 0; a better model's interval lies above 0; the
 * intervals repeat with the seed; evaluations of other articles or labels are refused. */
static void check_same_as_finish(const nc_eval *e, const nc_eval_diff *d, size_t nd)
{
    nc_eval_result r;
    nc_eval_result_init(&r);
    CHECK_EQ_INT(nc_eval_finish(e, &r, NULL), NC_OK);
    if (r.mode == NC_TOPICS_MULTILABEL) {
        CHECK_EQ_INT(nd, r.nlabels + 2 + 3);
        for (size_t j = 0; j < r.nlabels && j < nd; j++)
            CHECK_NEAR(d[j].a, r.labels[j].m.f1, TOL);
        CHECK_NEAR(d[r.nlabels].a, r.micro.f1, TOL);
        CHECK_NEAR(d[r.nlabels + 1].a, r.macro.f1, TOL);
    }
    if (nd >= 3) {
        CHECK_NEAR(d[nd - 3].a, r.tone.pearson.value, TOL);
        CHECK_NEAR(d[nd - 2].a, r.tone.mae.value, TOL);
        CHECK_NEAR(d[nd - 1].a, r.tone3.accuracy, TOL);
        CHECK(d[nd - 2].lower_better && !d[nd - 1].lower_better);
    }
    nc_eval_result_finish(&r);
}

static void test_compare(void)
{
    const char *labels[] = { "a", "b" }, *other[] = { "a", "c" };
    static char *ga[] = { "a" }, *gb[] = { "b" };
    nc_eval *e1 = NULL, *e2 = NULL, *good = NULL, *bad = NULL, *lab = NULL;
    nc_eval_diff *d = NULL, *d2 = NULL;
    size_t nd = 0, nd2 = 0;
    nc_error err = { 0 };

    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTILABEL, labels, 2, 1, 0, &e1, NULL), NC_OK);
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTILABEL, labels, 2, 1, 0, &e2, NULL), NC_OK);
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTILABEL, labels, 2, 1, 0, &good, NULL), NC_OK);
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTILABEL, other, 2, 1, 0, &lab, NULL), NC_OK);
    feed_multilabel(e1);
    feed_multilabel(e2);
    CHECK_EQ_INT(nc_eval_compare(e1, e2, 200, 7, &d, &nd, &err), NC_OK);
    check_same_as_finish(e1, d, nd);
    for (size_t j = 0; j < nd; j++) {
        CHECK_NEAR(d[j].b - d[j].a, 0.0, 0);
        if (!isnan(d[j].lo))
            CHECK(d[j].lo == 0 && d[j].hi == 0);
    }
    free(d);
    d = NULL;
    /* 40 articles: model 'good' always right, e3 ('bad') wrong on a third of them */
    CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTILABEL, labels, 2, 1, 0, &bad, NULL), NC_OK);
    for (int i = 0; i < 40; i++) {
        int isa = i % 2 == 0, wrong = i % 3 == 0;
        double sr[2] = { isa ? 0.9 : 0.1, isa ? 0.1 : 0.9 }, sw[2] = { sr[1], sr[0] };
        int lr[2] = { isa, !isa }, lw[2] = { !isa, isa };
        double tone = (i % 5 - 2) * 0.5;
        nc_article a = art("x", isa ? ga : gb, 1, 1, tone, 1);
        nc_prediction p = pred(sr, lr, 2, isa ? 0 : 1, tone);
        CHECK_EQ_INT(nc_eval_add(good, &p, &a, NULL), NC_OK);
        p = wrong ? pred(sw, lw, 2, isa ? 1 : 0, -tone) : pred(sr, lr, 2, isa ? 0 : 1, tone);
        CHECK_EQ_INT(nc_eval_add(bad, &p, &a, NULL), NC_OK);
    }
    CHECK_EQ_INT(nc_eval_compare(bad, good, 500, 3, &d, &nd, &err), NC_OK);
    check_same_as_finish(bad, d, nd);
    for (size_t j = 0; j < nd; j++) {
        double diff = d[j].b - d[j].a;
        CHECK(d[j].lower_better ? diff < 0 : diff > 0);
        CHECK(d[j].lower_better ? d[j].hi < 0 : d[j].lo > 0); /* the data show it */
        CHECK(d[j].lo <= diff && diff <= d[j].hi);
    }
    CHECK_EQ_INT(nc_eval_compare(bad, good, 500, 3, &d2, &nd2, &err), NC_OK);
    for (size_t j = 0; j < nd && j < nd2; j++)
        CHECK(d[j].lo == d2[j].lo && d[j].hi == d2[j].hi); /* the seed fixes the resamples */
    free(d2);
    d2 = NULL;
    CHECK_EQ_INT(nc_eval_compare(good, bad, 500, 3, &d2, &nd2, &err), NC_OK);
    check_same_as_finish(good, d2, nd2);
    free(d2);
    /* not the same articles, other labels, too few resamples */
    CHECK_EQ_INT(nc_eval_compare(e1, good, 200, 1, &d2, &nd2, &err), NC_EINVAL);
    CHECK(strstr(err.msg, "not of the same articles") != NULL);
    feed_multilabel(lab);
    CHECK_EQ_INT(nc_eval_compare(e1, lab, 200, 1, &d2, &nd2, &err), NC_EINVAL);
    CHECK(strstr(err.msg, "other labels ('b' and 'c')") != NULL);
    CHECK_EQ_INT(nc_eval_compare(e1, e2, 5, 1, &d2, &nd2, &err), NC_EINVAL);
    CHECK(d2 == NULL && nd2 == 0);
    free(d);
    /* multi-class: accuracy and macro F1 as nc_eval_finish counts them (an unknown gold class
     * is an error) */
    {
        const char *mc[] = { "x", "y", "z" };
        static char *gx[] = { "x" }, *gy[] = { "y" }, *gq[] = { "q" };
        double s1[] = { 0.8, 0.1, 0.1 }, s2[] = { 0.5, 0.3, 0.2 }, s3[] = { 0.2, 0.6, 0.2 };
        int l[] = { 0, 0, 0 };
        nc_eval *m1 = NULL, *m2 = NULL;
        nc_eval_result r;
        CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTICLASS, mc, 3, 0, 0, &m1, NULL), NC_OK);
        CHECK_EQ_INT(nc_eval_new(NC_TOPICS_MULTICLASS, mc, 3, 0, 0, &m2, NULL), NC_OK);
        for (int i = 0; i < 2; i++) {
            nc_eval *m = i ? m2 : m1;
            nc_article a = art("c1", gx, 1, 1, 0, 0);
            nc_prediction p = pred(s1, l, 3, 0, 0);
            CHECK_EQ_INT(nc_eval_add(m, &p, &a, NULL), NC_OK);
            a = art("c2", gy, 1, 1, 0, 0);
            p = pred(i ? s3 : s2, l, 3, -1, 0);
            CHECK_EQ_INT(nc_eval_add(m, &p, &a, NULL), NC_OK);
            a = art("c3", gq, 1, 1, 0, 0);
            p = pred(s3, l, 3, 1, 0);
            CHECK_EQ_INT(nc_eval_add(m, &p, &a, NULL), NC_OK);
        }
        CHECK_EQ_INT(nc_eval_compare(m1, m2, 100, 1, &d, &nd, &err), NC_OK);
        CHECK_EQ_INT(nd, 2);
        nc_eval_result_init(&r);
        CHECK_EQ_INT(nc_eval_finish(m1, &r, NULL), NC_OK);
        CHECK_NEAR(d[0].a, r.accuracy, TOL);
        CHECK_NEAR(d[1].a, r.macro_f1, TOL);
        nc_eval_result_finish(&r);
        CHECK_EQ_INT(nc_eval_finish(m2, &r, NULL), NC_OK);
        CHECK_NEAR(d[0].b, r.accuracy, TOL);
        CHECK_NEAR(d[1].b, r.macro_f1, TOL);
        nc_eval_result_finish(&r);
        free(d);
        nc_eval_free(m1);
        nc_eval_free(m2);
    }
    nc_eval_free(e1);
    nc_eval_free(e2);
    nc_eval_free(good);
    nc_eval_free(bad);
    nc_eval_free(lab);
}

int main(void)
{
    gsl_set_error_handler_off();
    test_multilabel();
    test_multiclass();
    test_errors_kept();
    test_tone_only();
    test_folds();
    test_summary();
    test_compare();
    return check_report();
}
