/* cmd_info.c: `newsclass info [MODEL_DIR]`: print a model's card as text or JSON.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <newsclass/model.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

const char cmd_info_usage[] =
    "usage: newsclass info [--json] [MODEL_DIR]\n"
    "\n"
    "Check a model bundle (format, version, checksums) and print its model card: feature\n"
    "settings, labels with thresholds and cross-validated scores, tone method and scores,\n"
    "and the training corpus's statistics; and, when the bundle has an evaluation.json\n"
    "(written by tools/eval-default --card), the figures measured on real text. MODEL_DIR\n"
    "defaults to $NEWSCLASS_MODEL, else the shipped model.\n"
    "\n"
    "  -j, --json             print model.json itself\n"
    "  -h, --help             show this help\n";

/* The card's descriptive fields (scores, counts, the training corpus's statistics) are not
 * checked when the model loads, as classify does not use them, and model.json can be edited
 * by hand: so every value printed here goes through these helpers, which print "?" for a
 * missing value or one of the wrong kind, rather than "nan" or a NULL string. */

static double numv(const cJSON *v)
{
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double num(const cJSON *o, const char *k)
{
    return numv(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const char *strv(const cJSON *v)
{
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "?";
}

static const char *str(const cJSON *o, const char *k)
{
    return strv(cJSON_GetObjectItemCaseSensitive(o, k));
}

/* x as text in one of the card's styles: 'c' a count ("%.0f"), 'g' ("%g"), '2' or '3'
 * decimals; "?" when x is not a finite number. A ring of buffers, as one printf takes up to 9
 * of these (its arguments are all evaluated before it prints); the CLI has one thread. */
static const char *fmt(double x, char style)
{
    static char ring[16][320]; /* "%.0f" of the largest double has 309 digits */
    static unsigned next;
    char *b = ring[next++ % NC_ARRAY_SIZE(ring)];

    if (!isfinite(x))
        return "?";
    switch (style) {
    case 'c': snprintf(b, sizeof ring[0], "%.0f", x); break;
    case '2': snprintf(b, sizeof ring[0], "%.2f", x); break;
    case '3': snprintf(b, sizeof ring[0], "%.3f", x); break;
    default: snprintf(b, sizeof ring[0], "%g", x); break;
    }
    return b;
}

/* The number o.k as fmt() writes it. */
static const char *nf(const cJSON *o, const char *k, char style)
{
    return fmt(num(o, k), style);
}

static void print_text(const char *dir, const cJSON *j)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "features");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "topics");
    const cJSON *tone = cJSON_GetObjectItemCaseSensitive(j, "tone");
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "training"), *it;

    printf("model:      %s\n", dir);
    printf("format:     %s version %s (written by newsclass %s)\n", str(j, "format"),
           nf(j, "format_version", 'g'), str(j, "newsclass_version"));
    char chars[64] = "";
    if (num(f, "char_ngram_max") > 0)
        snprintf(chars, sizeof chars, " and character %s-%s-grams", nf(f, "char_ngram_min", 'c'),
                 nf(f, "char_ngram_max", 'c'));
    printf("features:   %s (word 1..%s-grams%s, min-df %s, max-df %s, %s, %s%s%s)\n",
           nf(f, "features", 'c'), nf(f, "ngram_max", 'c'), chars, nf(f, "min_df", 'c'),
           nf(f, "max_df", 'g'), num(f, "hash_bits") > 0 ? "hashed" : "vocabulary",
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "sublinear_tf")) ? "sublinear tf-idf"
                                                                              : "tf-idf",
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "stopwords")) ? ", stop words removed" : "",
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "stem")) ? ", stemmed" : "");
    if (t) {
        printf("topics:     %s, solver %s, class weights %s, calibration %s", str(t, "mode"),
               str(t, "solver"), str(t, "class_weight"), str(t, "calibration"));
        {
            const cJSON *g = cJSON_GetObjectItemCaseSensitive(t, "C_grid"), *c;
            const char *sep = ", C chosen from ";
            if (cJSON_IsArray(g)) {
                cJSON_ArrayForEach(c, g)
                {
                    if (!cJSON_IsNumber(c))
                        continue;
                    printf("%s%g", sep, c->valuedouble);
                    sep = ", ";
                }
            }
        }
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(t, "threshold_window")))
            printf(", thresholds on the F1 curve averaged over -+%s",
                   nf(t, "threshold_window", 'g'));
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(t, "fold_assignments")))
            printf(", fitted on %s fold assignments", nf(t, "fold_assignments", 'c'));
        {
            const cJSON *fb = cJSON_GetObjectItemCaseSensitive(t, "folds_by");
            if (cJSON_IsString(fb) && strcmp(fb->valuestring, "file") == 0)
                printf(", folds by file (%s files)", nf(t, "files", 'c'));
        }
        printf("\n");
        printf("  %-18s %8s %8s %9s %7s %7s %7s %7s %7s\n", "label", "examples", "C", "threshold",
               "cv-P", "cv-R", "cv-F1", "cv-ECE", "cv-AUC");
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(t, "labels"))
        {
            const cJSON *cv = cJSON_GetObjectItemCaseSensitive(it, "cv");
            printf("  %-18s %8s %8s %9s %7s %7s %7s %7s %7s\n", str(it, "name"),
                   nf(it, "articles", 'c'), nf(it, "C", 'g'), nf(it, "threshold", '3'),
                   nf(cv, "precision", '3'), nf(cv, "recall", '3'), nf(cv, "f1", '3'),
                   nf(cv, "ece", '3'), nf(cv, "roc_auc", '3'));
        }
    } else {
        printf("topics:     none\n");
    }
    if (tone) {
        const cJSON *cv = cJSON_GetObjectItemCaseSensitive(tone, "cv");
        const cJSON *fb = cJSON_GetObjectItemCaseSensitive(tone, "folds_by");
        printf("tone:       %s (C %s) on %s examples; cv%s Pearson %s, MAE %s, 3-class "
               "accuracy %s\n",
               str(tone, "method"), nf(tone, "C", 'g'), nf(tone, "articles", 'c'),
               cJSON_IsString(fb) && strcmp(fb->valuestring, "file") == 0 ? " (folds by file)"
                                                                          : "",
               nf(cv, "pearson", '3'), nf(cv, "mae", '3'), nf(cv, "accuracy3", '3'));
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tone, "interval90")))
            printf("            90%% interval: tone -+ %s (split conformal on the "
                   "cross-validated residuals)\n",
                   nf(tone, "interval90", '3'));
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(tone, "stack");
        int nst = cJSON_IsArray(st) ? cJSON_GetArraySize(st) : 0;
        if (nst >= 2) {
            /* the regression's weight in the stack, for a text's shortness 20 / (20 + distinct
             * words): 0.5 for a sentence of 20, 1/16 for a long article of 300 */
            double w = numv(cJSON_GetArrayItem(st, 1));
            double ws = nst >= 7 ? numv(cJSON_GetArrayItem(st, 6)) : 0.0;
            printf("            lexicon stack (%s words, change-word rules %s): regression "
                   "weight %s", nf(tone, "lexicon_words", 'c'),
                   num(tone, "lexicon_shift") > 0 ? "on" : "off", fmt(w, '3'));
            if (ws != 0 && isfinite(ws) && isfinite(w))
                printf(" %+.3f x shortness (%.2f for a sentence of 20 distinct words, %.2f for "
                       "a long article of 300)", ws, w + ws * 0.5, w + ws / 16);
            printf("\n");
        }
        const cJSON *bl = cJSON_GetObjectItemCaseSensitive(tone, "baseline");
        if (cJSON_IsObject(bl))
            printf("            the regression learnt the label less %s x a lexicon-only "
                   "fit of it\n",
                   nf(bl, "weight", 'g'));
    } else {
        printf("tone:       none\n");
    }
    if (tr) {
        const cJSON *dr = cJSON_GetObjectItemCaseSensitive(tr, "date_range"), *o;
        printf("training:   %s articles (%s with topics, %s of them with none; %s with "
               "tone), seed %s, %s folds\n",
               nf(tr, "articles", 'c'), nf(tr, "articles_with_topics", 'c'),
               nf(tr, "articles_without_topic", 'c'), nf(tr, "articles_with_tone", 'c'),
               nf(tr, "seed", 'c'), nf(tr, "folds", 'c'));
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tr, "lead_views"))) {
            /* "first sentence", or with --lead-views=N above 1 "first 1..N sentences" */
            int n = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tr, "lead_sentences"));
            printf("            plus %s lead views (a long article's headline and first %s%s%s, "
                   "with its labels); the examples above count both\n",
                   nf(tr, "lead_views", 'c'), n ? "1.." : "",
                   n ? nf(tr, "lead_sentences", 'c') : "", n ? " sentences" : "sentence");
        }
        if (cJSON_IsArray(dr) && cJSON_GetArraySize(dr) == 2)
            printf("dates:      %s .. %s\n", strv(cJSON_GetArrayItem(dr, 0)),
                   strv(cJSON_GetArrayItem(dr, 1)));
        /* objects of counts by name: anything else (an array has no names) prints nothing */
        printf("per label: ");
        o = cJSON_GetObjectItemCaseSensitive(tr, "articles_per_label");
        o = cJSON_IsObject(o) ? o : NULL;
        cJSON_ArrayForEach(it, o)
            printf(" %s %s", it->string, fmt(numv(it), 'c'));
        printf("\ntone steps:");
        o = cJSON_GetObjectItemCaseSensitive(tr, "tone_distribution");
        o = cJSON_IsObject(o) ? o : NULL;
        cJSON_ArrayForEach(it, o)
            printf(" %s: %s", it->string, fmt(numv(it), 'c'));
        printf("\ncorpus:     %s\n", str(tr, "checksum"));
    }
}

/* " [lo, hi]" when set has K_ci95, a two-number array (a 95% interval), for the key K. */
static void print_ci(const cJSON *set, const char *key)
{
    char k[128];
    const cJSON *ci;
    if (snprintf(k, sizeof k, "%s_ci95", key) >= (int)sizeof k)
        return;
    ci = cJSON_GetObjectItemCaseSensitive(set, k);
    if (cJSON_IsArray(ci) && cJSON_GetArraySize(ci) == 2 &&
        cJSON_IsNumber(cJSON_GetArrayItem(ci, 0)) && cJSON_IsNumber(cJSON_GetArrayItem(ci, 1)))
        printf(" [%.3f, %.3f]", cJSON_GetArrayItem(ci, 0)->valuedouble,
               cJSON_GetArrayItem(ci, 1)->valuedouble);
}

static int is_ci_key(const char *k)
{
    size_t n = strlen(k);
    return n > 5 && strcmp(k + n - 5, "_ci95") == 0;
}

/* One value of evaluation.json (in set): a number, or a topic's {precision, recall, f1,
 * support}, each with its 95% interval when the set has one (K_ci95). */
static void print_measure(const cJSON *set, const cJSON *v)
{
    if (cJSON_IsNumber(v)) {
        if (v->string[0] == 'n' && v->valuedouble == floor(v->valuedouble) &&
            fabs(v->valuedouble) < 1e15) /* a count: "n", "n_sport" */
            printf("%s %.0f", v->string, v->valuedouble);
        else
            printf("%s %.3f", v->string, v->valuedouble);
        print_ci(set, v->string);
    } else if (cJSON_IsObject(v) && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(v, "f1"))) {
        printf("%s F1 %s", v->string, nf(v, "f1", '3'));
        print_ci(v, "f1");
        printf(" (P %s, R %s, n %s)", nf(v, "precision", '3'), nf(v, "recall", '3'),
               nf(v, "support", 'c'));
    } else if (cJSON_IsString(v)) {
        printf("%s %s", v->string, v->valuestring);
    } else {
        printf("%s ?", v->string);
    }
}

/* DIR/evaluation.json (tools/eval-default --card: the figures measured on real text) into *out,
 * or NULL when the bundle has none. Returns 0, or an exit code after an error naming the file
 * and line. */
static int load_evaluation(const char *dir, cJSON **out)
{
    char path[4096];
    char *buf = NULL;
    size_t len = 0;
    nc_error err = { 0 };
    cJSON *e, *sets, *set;
    FILE *probe;

    *out = NULL;
    if (snprintf(path, sizeof path, "%s/evaluation.json", dir) >= (int)sizeof path)
        return 0;
    if (!(probe = fopen(path, "rb"))) {
        if (errno == ENOENT)
            return 0; /* none: nothing measured */
        return cli_errorf("info", "cannot open '%s': %s", path, strerror(errno));
    }
    fclose(probe);
    if (nc_read_file(path, &buf, &len, &err) < 0)
        return cli_error("info", &err);
    e = cJSON_ParseWithLength(buf, len);
    if (!e) {
        long line = 1;
        const char *at = cJSON_GetErrorPtr();
        if (at && at >= buf && at <= buf + len)
            for (const char *p = buf; p < at; p++)
                line += *p == '\n';
        free(buf);
        return cli_errorf("info", "%s:%ld: not valid JSON", path, line);
    }
    free(buf);
    sets = cJSON_GetObjectItemCaseSensitive(e, "sets");
    if (!cJSON_IsObject(e) || !cJSON_IsObject(sets)) {
        cJSON_Delete(e);
        return cli_errorf("info", "%s: not an evaluation (no \"sets\" object)", path);
    }
    cJSON_ArrayForEach(set, sets)
    {
        if (!cJSON_IsObject(set)) {
            int rc = cli_errorf("info", "%s: set '%s' is not an object of measures", path,
                                set->string);
            cJSON_Delete(e);
            return rc;
        }
    }
    *out = e;
    return 0;
}

static void print_evaluation(const cJSON *e, const cJSON *card)
{
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(card, "files"), *set, *v;
    const char *ours = str(files, "weights.bin"), *theirs = str(e, "model_weights");

    printf("real text:  measured by %s on %s (evaluation.json)%s\n", str(e, "measured_by"),
           str(e, "date"),
           strcmp(ours, theirs) == 0 ? ""
                                     : "; STALE: measured on another build of this model");
    cJSON_ArrayForEach(set, cJSON_GetObjectItemCaseSensitive(e, "sets"))
    {
        int first = 1;
        printf("  %s:", set->string);
        cJSON_ArrayForEach(v, set)
        {
            if (v->string && is_ci_key(v->string))
                continue; /* printed with its figure */
            fputs(first ? " " : ", ", stdout);
            print_measure(set, v);
            first = 0;
        }
        fputc('\n', stdout);
    }
}

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = { { "json", no_argument, NULL, 'j' },
                                              { "help", no_argument, NULL, 'h' },
                                              { NULL, 0, NULL, 0 } };
    nc_model *m = NULL;
    nc_error err = { 0 };
    const char *dir;
    char *card = NULL;
    cJSON *j = NULL, *ev = NULL;
    int c, json = 0, rc = CLI_EXIT_OK;

    optind = 0;
    while ((c = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'h': fputs(cmd_info_usage, stdout); return CLI_EXIT_OK;
        default: fprintf(stderr, "try 'newsclass help info' for usage\n"); return CLI_EXIT_USAGE;
        }
    }
    if (argc - optind > 1)
        return cli_usage_error("info", "too many arguments");
    dir = optind < argc ? argv[optind] : cli_default_model();
    if (!dir)
        return cli_errorf("info", "no model given and no default model found");
    if (nc_model_load(dir, &m, &err) < 0)
        return cli_error("info", &err);
    card = nc_model_card_json(m);
    if (!card) {
        rc = cli_errorf("info", "out of memory");
        goto out;
    }
    if (json) {
        fputs(card, stdout);
        fputc('\n', stdout);
    } else {
        j = cJSON_Parse(card);
        if (!j) {
            rc = cli_errorf("info", "model card is not valid JSON");
            goto out;
        }
        if ((rc = load_evaluation(dir, &ev)) != 0)
            goto out;
        print_text(dir, j);
        if (ev)
            print_evaluation(ev, j);
    }
    /* the card fits stdio's buffer: a write error (a full disk) shows only when flushed */
    rc = cli_flush_stdout("info");
out:
    cJSON_Delete(ev);
    cJSON_Delete(j);
    free(card);
    nc_model_free(m);
    return rc;
}
