/* test_tone.c: the tone's spread matching (nc_tone_spread_factor) and the tone scale it sets,
 * applied alike with and without a lexicon stack.
 * SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <newsclass/corpus.h>
#include <newsclass/model.h>
#include <newsclass/newsclass.h>

#include "check.h"
#include "lexicon.h"
#include "model_impl.h"

static void test_spread_factor(void)
{
    /* gold spread 2 (values -2, 2), pred spread 0.5 (-0.5, 0.5): factor 4 */
    const double pred[] = { -0.5, 0.5, -0.5, 0.5 };
    const double gold[] = { -2, 2, -2, 2 };
    /* a shift does not change the spread */
    const double shifted[] = { 0.5, 1.5, 0.5, 1.5 };
    const double flat[] = { 0.3, 0.3, 0.3, 0.3 };
    /* squared deviations by hand: gold2 sums to 2, pred2 (mean 0.8/3) to 14/75 */
    const double pred2[] = { 0.0, 0.2, 0.6 }, gold2[] = { -1, 0, 1 };

    CHECK_NEAR(nc_tone_spread_factor(pred, gold, 4), 4.0, 1e-12);
    CHECK_NEAR(nc_tone_spread_factor(shifted, gold, 4), 4.0, 1e-12);
    CHECK_NEAR(nc_tone_spread_factor(pred2, gold2, 3), sqrt(2.0 / (14.0 / 75)), 1e-12);
    /* degenerate input: no scaling */
    CHECK_NEAR(nc_tone_spread_factor(flat, gold, 4), 1.0, 0);
    CHECK_NEAR(nc_tone_spread_factor(pred, flat, 4), 1.0, 0);
    CHECK_NEAR(nc_tone_spread_factor(pred, gold, 1), 1.0, 0);
    CHECK_NEAR(nc_tone_spread_factor(pred, gold, 0), 1.0, 0);
}

/* Split-conformal half-width: the ceil(level (n + 1))-th smallest absolute residual. */
static void test_conformal(void)
{
    double zero[19] = { 0 }, gold[19], mixed_p[3] = { 1.0, -0.5, 0.2 }, mixed_g[3] = { 0.7, -0.4, 0.4 };
    for (int i = 0; i < 19; i++)
        gold[i] = (i % 2 ? -1.0 : 1.0) * (double)(i + 1) / 19.0; /* residuals 1/19 .. 19/19 */
    /* n = 19 at 90%: rank ceil(18) = 18 */
    CHECK_NEAR(nc_conformal_halfwidth(zero, gold, 19, 0.9), 18.0 / 19.0, 1e-12);
    /* n = 9 at 90%: rank ceil(9) = 9, the largest (9 * 0.9 + 0.9 must not round up to 10) */
    CHECK_NEAR(nc_conformal_halfwidth(zero, gold, 9, 0.9), 9.0 / 19.0, 1e-12);
    /* n = 5 at 90%: rank 6 > 5, no finite interval: the whole range */
    CHECK_NEAR(nc_conformal_halfwidth(zero, gold, 5, 0.9), 2.0, 0);
    CHECK_NEAR(nc_conformal_halfwidth(zero, gold, 0, 0.9), 2.0, 0);
    /* residuals 0.3, 0.1, 0.2 at 50%: rank ceil(2) = 2, whatever the order */
    CHECK_NEAR(nc_conformal_halfwidth(mixed_p, mixed_g, 3, 0.5), 0.2, 1e-12);
}

/* The lexicon features of one title-less text under lx. */
static void lexf(const nc_lexicon *lx, const char *text, double f[NC_LEX_NOUT])
{
    nc_article a;
    memset(&a, 0, sizeof a);
    a.text = (char *)text;
    nc_lexicon_features(lx, &a, f);
}

/* Mean valence (f[0]) of text with the change-word rules at gain g. */
static double mean_valence(nc_lexicon *lx, double g, const char *text)
{
    double f[NC_LEX_NOUT];
    nc_lexicon_set_shift(lx, g);
    lexf(lx, text, f);
    return f[0];
}

/* Change words: a decrease word reverses the lexicon word it moves, an increase word keeps
 * it, the change word's own valence is dropped; not across a clause word or a sentence, not
 * in a negator's scope; gain 0 is the old behaviour. */
static void test_change_words(void)
{
    char dir[] = "/tmp/nc-test-shift-XXXXXX", path[128];
    nc_lexicon *lx = NULL;
    nc_error err = { 0 };
    FILE *fp;
    double f[NC_LEX_NOUT];

    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/lex.tsv", dir);
    if ((fp = fopen(path, "w")) != NULL) {
        fputs("unemployment\t-0.5\ndeaths\t-1\nprofits\t0.5\nfears\t-0.5\nrose\t0.25\n"
              "fell\t-0.25\njobless\t-0.5\nhopes\t0.5\n", fp);
        fclose(fp);
    }
    CHECK_EQ_INT(nc_lexicon_read(path, &lx, &err), NC_OK);
    if (!lx)
        return;
    CHECK_NEAR(nc_lexicon_shift(lx), 0.0, 0); /* read: off until set */
    /* off: every word as it is */
    CHECK_NEAR(mean_valence(lx, 0, "Unemployment fell."), -0.375, 1e-12);
    CHECK_NEAR(mean_valence(lx, 0, "Deaths rose."), -0.375, 1e-12);
    /* on: the moved word's direction decides, the change word drops out */
    CHECK_NEAR(mean_valence(lx, 1, "Unemployment fell."), 0.5, 1e-12);
    CHECK_NEAR(mean_valence(lx, 0.5, "Unemployment fell."), 0.25, 1e-12);
    CHECK_NEAR(mean_valence(lx, 1, "Fewer deaths were reported this year."), 1.0, 1e-12);
    CHECK_NEAR(mean_valence(lx, 1, "Profits slumped in the third quarter."), -0.5, 1e-12);
    CHECK_NEAR(mean_valence(lx, 1, "Deaths rose again."), -1.0, 1e-12);
    CHECK_NEAR(mean_valence(lx, 1, "A drop in jobless claims."), 0.5, 1e-12);
    CHECK_NEAR(mean_valence(lx, 1, "Hopes for peace faded."), -0.5, 1e-12);
    /* the nearest word, the one before on a tie; each word moved once */
    CHECK_NEAR(mean_valence(lx, 1, "Jobless fell deaths."), (0.5 - 1.0) / 2, 1e-12);
    /* the second "fell" finds its word moved already and keeps its own valence */
    CHECK_NEAR(mean_valence(lx, 1, "Unemployment fell and fell."), (0.5 - 0.25) / 2, 1e-12);
    /* a clause word stops the change: the fears are the cause, not what fell */
    CHECK_NEAR(mean_valence(lx, 1, "Stocks fell on fears."), -0.375, 1e-12);
    /* nor does it reach into another sentence, or beyond three words */
    CHECK_NEAR(mean_valence(lx, 1, "Unemployment. Fell."), -0.375, 1e-12);
    CHECK_NEAR(mean_valence(lx, 1, "Unemployment in the big cities fell."), -0.375, 1e-12);
    /* a negated change word is an ordinary word ("fall" is not in the lexicon) */
    CHECK_NEAR(mean_valence(lx, 1, "Unemployment did not fall."), -0.5, 1e-12);
    /* the share of negative and positive words follows the moved valences */
    nc_lexicon_set_shift(lx, 1);
    lexf(lx, "Unemployment fell and profits rose.", f);
    CHECK_NEAR(f[2], 0.0, 0);
    CHECK_NEAR(f[3], 2.0 / 5.0, 1e-12);
    /* a sentence longer than the buffer is resolved in pieces, without harm */
    {
        size_t n = 2000 * 5 + 40;
        char *big = malloc(n);
        if (big) {
            big[0] = 0;
            for (int i = 0; i < 2000; i++)
                strcat(big, "word ");
            strcat(big, "deaths fell");
            lexf(lx, big, f);
            CHECK_NEAR(f[0], 1.0, 1e-12);
            free(big);
        }
    }
    nc_lexicon_free(lx);
    unlink(path);
    rmdir(dir);
}

/* Every tone comes with the model's 90% interval, tone -+ q within [-1, 1]; a model without
 * one (q == 0, an older bundle) gives none. */
static void check_interval(nc_model *m, const nc_corpus *c)
{
    nc_prediction p;
    nc_error err = { 0 };
    double q = m->tone_q90;
    char *text = nc_model_card_json(m);
    cJSON *card = text ? cJSON_Parse(text) : NULL;
    const cJSON *iv = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(card, "tone"), "interval90");

    CHECK(q > 0 && q <= 2);
    CHECK(cJSON_IsNumber(iv) && fabs(iv->valuedouble - q) < 1e-9);
    cJSON_Delete(card);
    free(text);
    nc_prediction_init(&p);
    for (size_t i = 0; i < c->n; i++) {
        CHECK_EQ_INT(nc_classify(m, &c->docs[i], &p, &err), NC_OK);
        CHECK(p.has_tone_interval);
        CHECK(p.tone_lo <= p.tone && p.tone <= p.tone_hi);
        CHECK(p.tone_lo >= -1 && p.tone_hi <= 1);
        CHECK_NEAR(p.tone_lo, p.tone - q < -1 ? -1 : p.tone - q, 1e-12);
        CHECK_NEAR(p.tone_hi, p.tone + q > 1 ? 1 : p.tone + q, 1e-12);
    }
    m->tone_q90 = 0;
    CHECK_EQ_INT(nc_classify(m, &c->docs[0], &p, &err), NC_OK);
    CHECK(p.has_tone && !p.has_tone_interval);
    m->tone_q90 = q;
    nc_prediction_finish(&p);
}

static double card_scale(const nc_model *m)
{
    char *text = nc_model_card_json(m);
    cJSON *card = text ? cJSON_Parse(text) : NULL;
    const cJSON *tone = cJSON_GetObjectItemCaseSensitive(card, "tone");
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(tone, "scale");
    double v = cJSON_IsNumber(s) ? s->valuedouble : -1;
    cJSON_Delete(card);
    free(text);
    return v;
}

/* The scale multiplies the whole tone before clamping, and the card records it (c: articles
 * the model did not see, whose tones are rarely clamped). */
static void check_scaled(nc_model *m, const nc_corpus *c)
{
    nc_prediction p, q;
    nc_error err = { 0 };
    double s = m->tone_scale;
    size_t unclamped = 0;

    nc_prediction_init(&p);
    nc_prediction_init(&q);
    CHECK(s > 1 && s < 20); /* out-of-fold scores are shrunk: the scale stretches them */
    CHECK_NEAR(card_scale(m), s, 1e-6);
    for (size_t i = 0; i < c->n; i++) {
        m->tone_scale = s;
        CHECK_EQ_INT(nc_classify(m, &c->docs[i], &p, &err), NC_OK);
        m->tone_scale = 1.0;
        CHECK_EQ_INT(nc_classify(m, &c->docs[i], &q, &err), NC_OK);
        if (q.tone > -1 && q.tone < 1) {
            /* both tones are rounded to 4 decimals: q's rounding is stretched by s */
            double t = s * q.tone;
            CHECK_NEAR(p.tone, t > 1 ? 1 : t < -1 ? -1 : t, 0.5e-4 * (1 + s) + 1e-12);
            unclamped++;
        }
    }
    m->tone_scale = s;
    CHECK(unclamped >= c->n / 2);
    nc_prediction_finish(&p);
    nc_prediction_finish(&q);
}

/* Set model.json's tone.KEY in bundle to val (NULL: remove it); or, with key NULL, keep the
 * first n entries of tone.stack. */
static void edit_tone(const char *bundle, int n, const char *key, cJSON *val)
{
    char path[256];
    FILE *fp;
    cJSON *card = NULL;
    snprintf(path, sizeof path, "%s/model.json", bundle);
    if ((fp = fopen(path, "rb")) != NULL) {
        char buf[1 << 16];
        size_t len = fread(buf, 1, sizeof buf - 1, fp);
        buf[len] = 0;
        fclose(fp);
        card = cJSON_Parse(buf);
    }
    CHECK(card != NULL);
    if (!card)
        return;
    cJSON *tone = cJSON_GetObjectItem(card, "tone");
    cJSON *st = cJSON_GetObjectItem(tone, "stack");
    CHECK(cJSON_IsArray(st));
    if (key) {
        cJSON_DeleteItemFromObject(tone, key);
        if (val)
            cJSON_AddItemToObject(tone, key, val);
    }
    while (!key && cJSON_IsArray(st) && cJSON_GetArraySize(st) > n)
        cJSON_DeleteItemFromArray(st, cJSON_GetArraySize(st) - 1);
    char *out = cJSON_Print(card);
    if (out && (fp = fopen(path, "wb")) != NULL) {
        fputs(out, fp);
        fclose(fp);
    }
    free(out);
    cJSON_Delete(card);
}

/* The stack's last term weighs the regression score by the text's shortness: the tone of an
 * article follows stack . [1, s, f0..f3, s * shortness], and the lexicon values of a text
 * repeated, its shortness too (distinct words), are those of the text. A bundle from before that term (six entries) loads
 * with it 0 and scores as before; any other length is refused. */
static void check_stack(const nc_model *m, const char *bundle, const nc_corpus *test)
{
    nc_model *old = NULL;
    nc_error err = { 0 };
    nc_article rep = test->docs[0];
    char *twice;
    size_t n = strlen(rep.text);

    CHECK(m->stack[2 + NC_LEX_NFEAT] != 0);
    twice = malloc(2 * n + 3);
    if (twice) {
        sprintf(twice, "%s\n\n%s", rep.text, rep.text);
        rep.text = twice;
        double f1[NC_LEX_NOUT], f2[NC_LEX_NOUT];
        nc_lexicon_features(m->lex, &test->docs[0], f1);
        nc_lexicon_features(m->lex, &rep, f2);
        for (int k = 0; k < NC_LEX_NOUT; k++)
            CHECK_NEAR(f1[k], f2[k], 1e-12);
        free(twice);
    }
    /* the change-word rules are recorded: a bundle from before them scores without */
    CHECK_NEAR(nc_lexicon_shift(m->lex), NC_LEX_SHIFT_DEFAULT, 0);
    edit_tone(bundle, 0, "lexicon_shift", cJSON_CreateString("on"));
    CHECK_EQ_INT(nc_model_load(bundle, &old, &err), NC_EFORMAT);
    CHECK(strstr(err.msg, "'tone.lexicon_shift' must be a number in [0, 2]") != NULL);
    edit_tone(bundle, 0, "lexicon_shift", cJSON_CreateNumber(3));
    CHECK_EQ_INT(nc_model_load(bundle, &old, &err), NC_EFORMAT);
    edit_tone(bundle, 0, "lexicon_shift", NULL);
    CHECK_EQ_INT(nc_model_load(bundle, &old, &err), NC_OK);
    if (old) {
        CHECK_NEAR(nc_lexicon_shift(old->lex), 0.0, 0);
        nc_model_free(old);
        old = NULL;
    }
    edit_tone(bundle, 0, "lexicon_shift", cJSON_CreateNumber(NC_LEX_SHIFT_DEFAULT));
    edit_tone(bundle, 2 + NC_LEX_NFEAT, NULL, NULL);
    CHECK_EQ_INT(nc_model_load(bundle, &old, &err), NC_OK);
    if (old) {
        CHECK(old->stack[2 + NC_LEX_NFEAT] == 0);
        for (int k = 0; k < 2 + NC_LEX_NFEAT; k++)
            CHECK_NEAR(old->stack[k], m->stack[k], 1e-9);
        for (size_t i = 0; i < test->n; i++) {
            double f[NC_LEX_NOUT], score = 0.05 * (double)(i % 5) - 0.1, tnew, told, d;
            nc_lexicon_features(m->lex, &test->docs[i], f);
            CHECK(f[NC_LEX_SHORT] > 0 && f[NC_LEX_SHORT] < 1);
            tnew = nc_model_tone(m, &test->docs[i], score);
            told = nc_model_tone(old, &test->docs[i], score);
            /* the old tone is the new one without the shortness term */
            d = m->tone_scale * m->stack[2 + NC_LEX_NFEAT] * f[NC_LEX_SHORT] * score;
            if (fabs(tnew) < 1 && fabs(told) < 1)
                CHECK_NEAR(told, tnew - d, 1e-9);
        }
        nc_model_free(old);
    }
    edit_tone(bundle, 5, NULL, NULL);
    CHECK_EQ_INT(nc_model_load(bundle, &old, &err), NC_EFORMAT);
    CHECK(strstr(err.msg, "'tone.stack' must be an array of 7 numbers") != NULL);
}

/* nc_train_opts.tone_oof: one row per article with tone, in order, each the stack of its own
 * out-of-fold parts. */
struct oof_rows {
    size_t n;
    int in_order, consistent;
    const nc_article *docs;
    const nc_model *m; /* set after training, for the second pass */
    double gold[64], reg[64], lex[64][NC_TONE_LEXICON_FEATURES], tone[64];
};

static void collect_oof(const nc_tone_oof *r, void *ctx)
{
    struct oof_rows *o = ctx;
    if (o->n < 64) {
        o->in_order &= r->article == &o->docs[o->n] && !r->lead_view && r->fold >= 0 &&
                       r->fold < 3 && r->gold == o->docs[o->n].tone;
        o->gold[o->n] = r->gold;
        o->reg[o->n] = r->regression;
        memcpy(o->lex[o->n], r->lexicon, sizeof r->lexicon);
        o->tone[o->n] = r->tone;
    }
    o->n++;
}

/* nc_tone_parts gives what nc_classify's tone is made of. */
static void check_tone_parts(const nc_model *m, const nc_corpus *test)
{
    nc_prediction p;
    nc_error err = { 0 };
    nc_prediction_init(&p);
    for (size_t i = 0; i < test->n; i++) {
        double reg, lex[NC_TONE_LEXICON_FEATURES], f[NC_LEX_NOUT], t;
        CHECK_EQ_INT(nc_classify(m, &test->docs[i], &p, &err), NC_OK);
        CHECK_EQ_INT(nc_tone_parts(m, &test->docs[i], &reg, lex, &err), NC_OK);
        nc_lexicon_features(m->lex, &test->docs[i], f);
        for (int k = 0; k < NC_TONE_LEXICON_FEATURES; k++)
            CHECK_NEAR(lex[k], f[k], 1e-12);
        t = m->tone_scale * nc_tone_stack(m->stack, reg, lex);
        t = t > 1 ? 1 : t < -1 ? -1 : t;
        CHECK_NEAR(p.tone, round(t * 1e4) / 1e4, 1e-12); /* classify reports 4 decimals */
    }
    nc_prediction_finish(&p);
    CHECK_STR(nc_tone_lexicon_name(0), "mean");
    CHECK_STR(nc_tone_lexicon_name(NC_TONE_LEXICON_FEATURES - 1), "shortness");
    CHECK(nc_tone_lexicon_name(NC_TONE_LEXICON_FEATURES) == NULL);
    CHECK(nc_tone_lexicon_name(-1) == NULL);
}

static void test_scale_in_models(void)
{
    nc_corpus c, test;
    nc_train_opts o;
    nc_model *plain = NULL, *stacked = NULL, *loaded = NULL;
    nc_error err = { 0 };
    nc_reader_opts ro = { 0 };
    char dir[] = "/tmp/nc-test-tone-XXXXXX", lex[128], bundle[128];
    FILE *fp;

    nc_corpus_init(&c);
    nc_corpus_init(&test);
    CHECK_EQ_INT(nc_corpus_read(&c, NC_TEST_DATA "/tiny-train.jsonl", &ro, &err), NC_OK);
    CHECK_EQ_INT(nc_corpus_read(&test, NC_TEST_DATA "/tiny-test.jsonl", &ro, &err), NC_OK);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(lex, sizeof lex, "%s/lexicon.tsv", dir);
    snprintf(bundle, sizeof bundle, "%s/model", dir);
    if ((fp = fopen(lex, "w")) != NULL) {
        fputs("win\t0.75\nvictory\t0.75\nagreement\t0.5\nprogress\t0.5\nattack\t-0.75\n"
              "breach\t-0.5\ndefeat\t-0.5\ncrisis\t-0.75\nwarning\t-0.5\nthreat\t-0.5\n",
              fp);
        fclose(fp);
    }

    nc_train_opts_default(&o);
    o.features.min_df = 1;
    o.folds = 3;
    CHECK_EQ_INT(nc_train(c.docs, c.n, &o, NULL, NULL, &plain, &err), NC_OK);
    if (plain) {
        check_scaled(plain, &test);
        check_interval(plain, &test);
    }

    {
        double reg, lx[NC_TONE_LEXICON_FEATURES];
        nc_train_opts nt = o;
        nc_model *notone = NULL;
        nt.tone = NC_TONE_OFF;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &nt, NULL, NULL, &notone, &err), NC_OK);
        if (notone)
            CHECK_EQ_INT(nc_tone_parts(notone, &test.docs[0], &reg, lx, &err), NC_EINVAL);
        nc_model_free(notone);
    }

    struct oof_rows *rows = calloc(1, sizeof *rows);
    o.tone_lexicon = lex;
    if (rows) {
        rows->in_order = 1;
        rows->docs = c.docs;
        o.tone_oof = collect_oof;
        o.tone_oof_ctx = rows;
    }
    CHECK_EQ_INT(nc_train(c.docs, c.n, &o, NULL, NULL, &stacked, &err), NC_OK);
    o.tone_oof = NULL;
    if (stacked && rows) {
        CHECK_EQ_INT(rows->n, c.n);
        CHECK(rows->in_order);
        for (size_t i = 0; i < rows->n && i < 64; i++) {
            double t = stacked->tone_scale * nc_tone_stack(stacked->stack, rows->reg[i],
                                                           rows->lex[i]);
            CHECK_NEAR(rows->tone[i], t > 1 ? 1 : t < -1 ? -1 : t, 1e-12);
        }
        check_tone_parts(stacked, &test);
    }
    free(rows);
    if (stacked) {
        CHECK(stacked->lex != NULL);
        check_scaled(stacked, &test);
        /* the scale survives a save and a load */
        CHECK_EQ_INT(nc_model_save(stacked, bundle, &err), NC_OK);
        CHECK_EQ_INT(nc_model_load(bundle, &loaded, &err), NC_OK);
        if (loaded) {
            CHECK_NEAR(loaded->tone_scale, stacked->tone_scale, 1e-9);
            CHECK_NEAR(loaded->tone_q90, stacked->tone_q90, 1e-9);
            check_interval(loaded, &test);
            for (int k = 0; k < NC_STACK_N; k++)
                CHECK_NEAR(loaded->stack[k], stacked->stack[k], 1e-9);
            check_stack(loaded, bundle, &test);
        }
    }
    nc_model_free(plain);
    nc_model_free(stacked);
    nc_model_free(loaded);
    nc_corpus_finish(&c);
    nc_corpus_finish(&test);
    {
        const char *f[] = { "model.json", "vocab.tsv", "vocab.idx", "weights.bin", "lexicon.tsv" };
        char p[256];
        for (int i = 0; i < (int)(sizeof f / sizeof f[0]); i++) {
            snprintf(p, sizeof p, "%s/%s", bundle, f[i]);
            unlink(p);
        }
        rmdir(bundle);
        unlink(lex);
        rmdir(dir);
    }
}

/* The lexicon baseline: on a corpus whose labels the lexicon's mean valence gives exactly,
 * with weight 1 the regression is left nothing to learn (every target within the SVR's
 * epsilon, so its weights are all 0 and every out-of-fold score is 0), while with weight 0 it
 * learns the labels from the words; the stack still fits both, and the card records the
 * baseline only when one is used. Weights outside [0, 1] are refused. */
struct oof_abs {
    size_t n;
    double max_abs_reg, max_err;
};

static void collect_abs(const nc_tone_oof *r, void *ctx)
{
    struct oof_abs *o = ctx;
    o->n++;
    if (fabs(r->regression) > o->max_abs_reg)
        o->max_abs_reg = fabs(r->regression);
    if (fabs(r->tone - r->gold) > o->max_err)
        o->max_err = fabs(r->tone - r->gold);
}

static void test_baseline(void)
{
    static const char *const pos[] = { "splendid", "triumph", "delight" };
    static const char *const neg[] = { "disaster", "scandal", "misery" };
    static const char *const filler[] = { "harbour", "council", "river", "market", "village",
                                          "station", "bridge", "museum", "school", "garden" };
    char dir[] = "/tmp/nc-test-baseline-XXXXXX", lex[128], corpus[128];
    nc_corpus c;
    nc_reader_opts ro = { 0 };
    nc_error err = { 0 };
    FILE *fp;

    CHECK(mkdtemp(dir) != NULL);
    snprintf(lex, sizeof lex, "%s/lexicon.tsv", dir);
    snprintf(corpus, sizeof corpus, "%s/corpus.jsonl", dir);
    if ((fp = fopen(lex, "w")) != NULL) {
        for (int k = 0; k < 3; k++)
            fprintf(fp, "%s\t0.5\n%s\t-0.5\n", pos[k], neg[k]);
        fclose(fp);
    }
    /* 60 articles: filler words and lexicon words of one sign (tone +-0.5, the mean valence)
     * or none (tone 0) */
    if ((fp = fopen(corpus, "w")) != NULL) {
        for (int i = 0; i < 60; i++) {
            int sign = i % 3 - 1;
            fprintf(fp, "{\"id\": \"b%d\", \"title\": \"%s %s\", \"text\": \"", i,
                    filler[i % 10], filler[(i / 10 + 3) % 10]);
            for (int w = 0; w < 8; w++)
                fprintf(fp, "%s ", filler[(i * 7 + w * 3) % 10]);
            for (int w = 0; sign && w < 1 + i % 3; w++)
                fprintf(fp, "%s ", sign > 0 ? pos[(i + w) % 3] : neg[(i + w) % 3]);
            fprintf(fp, "today.\", \"tone\": %g}\n", 0.5 * sign);
        }
        fclose(fp);
    }
    nc_corpus_init(&c);
    CHECK_EQ_INT(nc_corpus_read(&c, corpus, &ro, &err), NC_OK);
    for (int wi = 0; wi < 3; wi++) {
        static const double weight[] = { 0, 0.5, 1 };
        struct oof_abs rows = { 0 };
        nc_train_opts o;
        nc_model *m = NULL;
        nc_train_opts_default(&o);
        o.features.min_df = 1;
        o.folds = 3;
        o.tone_C = 1;
        o.tone_lexicon = lex;
        o.tone_baseline = weight[wi];
        o.tone_oof = collect_abs;
        o.tone_oof_ctx = &rows;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &o, NULL, NULL, &m, &err), NC_OK);
        if (!m)
            continue;
        CHECK_EQ_INT(rows.n, c.n);
        if (wi == 0)
            CHECK(rows.max_abs_reg > 0.2); /* the words carry the labels */
        else if (wi == 2)
            CHECK(rows.max_abs_reg == 0.0); /* nothing left to learn */
        for (int k = 0; k < NC_STACK_N; k++)
            CHECK(isfinite(m->stack[k]));
        CHECK(rows.max_err < 0.1); /* every article's tone, out of fold, near its label */
        {
            cJSON *card = cJSON_Parse(m->card);
            const cJSON *b = cJSON_GetObjectItem(cJSON_GetObjectItem(card, "tone"), "baseline");
            CHECK(card != NULL);
            CHECK((b != NULL) == (wi > 0));
            if (b) {
                const cJSON *co = cJSON_GetObjectItem(b, "coefficients");
                CHECK_NEAR(cJSON_GetNumberValue(cJSON_GetObjectItem(b, "weight")), weight[wi],
                           0);
                CHECK_EQ_INT(cJSON_GetArraySize(co), 1 + NC_LEX_NFEAT);
            }
            cJSON_Delete(card);
        }
        nc_model_free(m);
    }
    {
        nc_train_opts o;
        nc_model *m = NULL;
        nc_train_opts_default(&o);
        o.tone_lexicon = lex;
        o.tone_baseline = 1.5;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &o, NULL, NULL, &m, &err), NC_EINVAL);
        CHECK(strstr(err.msg, "baseline") != NULL);
        CHECK(m == NULL);
    }
    for (int lv = -1; lv <= 4; lv += 5) { /* lead views outside 0..3 are refused */
        nc_train_opts o;
        nc_model *m = NULL;
        nc_train_opts_default(&o);
        o.lead_views = lv;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &o, NULL, NULL, &m, &err), NC_EINVAL);
        CHECK(strstr(err.msg, "lead views must be in 0..3") != NULL);
        CHECK(m == NULL);
    }
    nc_corpus_finish(&c);
    unlink(lex);
    unlink(corpus);
    rmdir(dir);
}

/* Errors in a lexicon file name the file and the line; a duplicate names both lines. */
static void lexicon_fails(const char *dir, const char *text, const char *want_after_path)
{
    char path[128], want[256];
    nc_lexicon *lx = (nc_lexicon *)&want; /* must be reset to NULL */
    nc_error err = { 0 };
    FILE *fp;

    snprintf(path, sizeof path, "%s/lex.tsv", dir);
    if ((fp = fopen(path, "w")) != NULL) {
        fputs(text, fp);
        fclose(fp);
    }
    snprintf(want, sizeof want, "%s%s", path, want_after_path);
    CHECK_EQ_INT(nc_lexicon_read(path, &lx, &err), NC_EFORMAT);
    CHECK(lx == NULL);
    CHECK_STR(err.msg, want);
    unlink(path);
}

static void test_lexicon_errors(void)
{
    char dir[] = "/tmp/nc-test-lexicon-XXXXXX";

    CHECK(mkdtemp(dir) != NULL);
    lexicon_fails(dir, "# header\ngood\t0.5\nbad\t-0.5\n\ngood\t0.25\n",
                  ":5: duplicate word 'good' (first on line 2)");
    lexicon_fails(dir, "", ": no words (expected 'word<TAB>valence' lines)");
    lexicon_fails(dir, "# only a comment\n\n", ": no words (expected 'word<TAB>valence' lines)");
    lexicon_fails(dir, "good 0.5\n", ":1: expected 'word<TAB>valence'");
    rmdir(dir);
}

int main(void)
{
    nc_set_log(NULL, NULL);
    test_spread_factor();
    test_conformal();
    test_change_words();
    test_scale_in_models();
    test_baseline();
    test_lexicon_errors();
    return check_report();
}
