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

static double numv(const cJSON *v)
{
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double num(const cJSON *o, const char *k)
{
    return numv(cJSON_GetObjectItemCaseSensitive(o, k));
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : "?";
}

static void print_text(const char *dir, const cJSON *j)
{
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(j, "features");
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "topics");
    const cJSON *tone = cJSON_GetObjectItemCaseSensitive(j, "tone");
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "training"), *it;

    printf("model:      %s\n", dir);
    printf("format:     %s version %g (written by newsclass %s)\n", str(j, "format"),
           num(j, "format_version"), str(j, "newsclass_version"));
    printf("features:   %.0f (word 1..%.0f-grams, min-df %.0f, max-df %g, %s, %s%s%s)\n",
           num(f, "features"), num(f, "ngram_max"), num(f, "min_df"), num(f, "max_df"),
           num(f, "hash_bits") > 0 ? "hashed" : "vocabulary",
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "sublinear_tf")) ? "sublinear tf-idf"
                                                                              : "tf-idf",
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "stopwords")) ? ", stop words removed" : "",
           cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(f, "stem")) ? ", stemmed" : "");
    if (t) {
        printf("topics:     %s, solver %s, class weights %s, calibration %s", str(t, "mode"),
               str(t, "solver"), str(t, "class_weight"), str(t, "calibration"));
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(t, "threshold_window")))
            printf(", thresholds on the F1 curve averaged over -+%g",
                   num(t, "threshold_window"));
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(t, "fold_assignments")))
            printf(", fitted on %.0f fold assignments", num(t, "fold_assignments"));
        printf("\n");
        printf("  %-18s %8s %8s %9s %7s %7s %7s %7s %7s\n", "label", "examples", "C", "threshold",
               "cv-P", "cv-R", "cv-F1", "cv-ECE", "cv-AUC");
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(t, "labels"))
        {
            const cJSON *cv = cJSON_GetObjectItemCaseSensitive(it, "cv");
            printf("  %-18s %8.0f %8g %9.3f %7.3f %7.3f %7.3f %7.3f %7.3f\n", str(it, "name"),
                   num(it, "articles"), num(it, "C"), num(it, "threshold"), num(cv, "precision"),
                   num(cv, "recall"), num(cv, "f1"), num(cv, "ece"), num(cv, "roc_auc"));
        }
    } else {
        printf("topics:     none\n");
    }
    if (tone) {
        const cJSON *cv = cJSON_GetObjectItemCaseSensitive(tone, "cv");
        const cJSON *fb = cJSON_GetObjectItemCaseSensitive(tone, "folds_by");
        printf("tone:       %s (C %g) on %.0f examples; cv%s Pearson %.3f, MAE %.3f, 3-class "
               "accuracy %.3f\n",
               str(tone, "method"), num(tone, "C"), num(tone, "articles"),
               cJSON_IsString(fb) && strcmp(fb->valuestring, "file") == 0 ? " (folds by file)"
                                                                          : "",
               num(cv, "pearson"), num(cv, "mae"), num(cv, "accuracy3"));
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tone, "interval90")))
            printf("            90%% interval: tone -+ %.3f (split conformal on the "
                   "cross-validated residuals)\n",
                   num(tone, "interval90"));
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(tone, "stack");
        int nst = cJSON_IsArray(st) ? cJSON_GetArraySize(st) : 0;
        if (nst >= 2) {
            /* the regression's weight in the stack, for a text's shortness 20 / (20 + distinct
             * words): 0.5 for a sentence of 20, 1/16 for a long article of 300 */
            double w = numv(cJSON_GetArrayItem(st, 1));
            double ws = nst >= 7 ? numv(cJSON_GetArrayItem(st, 6)) : 0.0;
            printf("            lexicon stack (%.0f words, change-word rules %s): regression "
                   "weight %.3f", num(tone, "lexicon_words"),
                   num(tone, "lexicon_shift") > 0 ? "on" : "off", w);
            if (ws != 0)
                printf(" %+.3f x shortness (%.2f for a sentence of 20 distinct words, %.2f for "
                       "a long article of 300)", ws, w + ws * 0.5, w + ws / 16);
            printf("\n");
        }
        const cJSON *bl = cJSON_GetObjectItemCaseSensitive(tone, "baseline");
        if (cJSON_IsObject(bl))
            printf("            the regression learnt the label less %g x a lexicon-only "
                   "fit of it\n",
                   num(bl, "weight"));
    } else {
        printf("tone:       none\n");
    }
    if (tr) {
        const cJSON *dr = cJSON_GetObjectItemCaseSensitive(tr, "date_range");
        printf("training:   %.0f articles (%.0f with topics, %.0f of them with none; %.0f with "
               "tone), seed %.0f, %.0f folds\n",
               num(tr, "articles"), num(tr, "articles_with_topics"),
               num(tr, "articles_without_topic"), num(tr, "articles_with_tone"), num(tr, "seed"),
               num(tr, "folds"));
        if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(tr, "lead_views")))
            printf("            plus %.0f lead views (a long article's headline and first "
                   "sentence, with its labels); the examples above count both\n",
                   num(tr, "lead_views"));
        if (cJSON_GetArraySize(dr) == 2)
            printf("dates:      %s .. %s\n", cJSON_GetArrayItem(dr, 0)->valuestring,
                   cJSON_GetArrayItem(dr, 1)->valuestring);
        printf("per label: ");
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(tr, "articles_per_label"))
            printf(" %s %.0f", it->string, it->valuedouble);
        printf("\ntone steps:");
        cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(tr, "tone_distribution"))
            printf(" %s: %.0f", it->string, it->valuedouble);
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
        printf("%s F1 %.3f", v->string, num(v, "f1"));
        print_ci(v, "f1");
        printf(" (P %.3f, R %.3f, n %.0f)", num(v, "precision"), num(v, "recall"),
               num(v, "support"));
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
