/* cmd_cross_validate.c: `newsclass cross-validate CORPUS... -k K`: estimate how well the
 * training recipe generalises, with stratified K-fold cross-validation.
 *
 * The whole corpus is read into memory, split into K folds by nc_stratified_folds (stratified by
 * the first gold label, shuffled with a gsl_rng seeded by --seed), and for each fold a model is
 * trained with nc_train on the other K-1 folds and evaluated on the held-out fold with the same
 * nc_eval accumulator `evaluate` uses. The report gives every metric as mean and standard
 * deviation over the folds. Training options are shared with `train` (cli_train_opts.c).
 * Nothing is written to disk.
 * SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <newsclass/newsclass.h>
#include <newsclass/corpus.h>
#include <newsclass/evaluate.h>
#include <newsclass/model.h>

#include "cli.h"
#include "cli_train_opts.h"
#include "commands.h"
#include "util.h"

const char cmd_cross_validate_usage[] =
    "usage: newsclass cross-validate [OPTIONS] CORPUS...\n"
    "\n"
    "Stratified K-fold cross-validation: train on K-1 folds, evaluate on the held-out fold,\n"
    "and report every evaluation metric (see 'newsclass help evaluate') as mean and standard\n"
    "deviation over the folds. Folds are stratified by each article's first gold label\n"
    "(articles without one form their own group) and shuffled with --seed. Without -C, it\n"
    "also gives the C each fold's model chose for each topic. Writes nothing.\n"
    "\n"
    "  -k, --cv-folds=K       number of folds, 2..50 (5)\n"
    "      --by-input         one fold per CORPUS operand instead (leave one input out): how\n"
    "                         the recipe does on a source it did not learn from; also\n"
    "                         reports each input's own figures\n"
    "      --json             print one JSON object instead of a report\n"
    CLI_INPUT_FORMAT_HELP
    "      --jsonl            the same as --input-format=jsonl\n"
    "      --label-from-dir   in directories, the parent folder name is the label\n"
    "  -q, --quiet            no progress messages on stderr\n"
    "  -h, --help             show this help\n"
    "\n";

/* Read every input into 'c'. */
/* Read every input; with 'upto', upto[i] is the corpus size after input i (none may be
 * empty then: an input with no articles would be a fold with nothing to evaluate). */
static int read_corpus(char **inputs, int n, const nc_reader_opts *ro, nc_corpus *c,
                       size_t *upto, nc_error *err)
{
    int rc = NC_OK;
    for (int i = 0; i < n && rc == NC_OK; i++) {
        size_t before = c->n;
        rc = nc_corpus_read(c, inputs[i], ro, err);
        if (rc == NC_OK && upto && (upto[i] = c->n) == before)
            rc = nc_err(err, NC_EINVAL, "no articles in '%s'", inputs[i]);
    }
    return rc;
}

/* --by-input: each held-out input's own figures, in a table or as JSON. */
static void print_inputs(FILE *fp, char **inputs, const nc_eval_result *res, size_t k)
{
    fprintf(fp, "\neach input held out (trained on the others):\n");
    fprintf(fp, "%-30s %8s %9s %9s %9s\n", "input", "articles",
            res[0].mode == NC_TOPICS_MULTICLASS ? "accuracy" : "micro-F1", "macro-F1",
            "tone r"); /* every fold has the corpus's mode (see cmd_cross_validate) */
    for (size_t f = 0; f < k; f++) {
        const nc_eval_result *r = &res[f];
        double a = r->mode == NC_TOPICS_MULTICLASS ? r->accuracy : r->micro.f1;
        double m = r->mode == NC_TOPICS_MULTICLASS ? r->macro_f1 : r->macro.f1;
        int topics = r->mode != NC_TOPICS_NONE && r->n_evaluated > 0;
        char ca[16] = "-", cm[16] = "-", ct[16] = "-";
        if (topics && isfinite(a))
            snprintf(ca, sizeof ca, "%.3f", a);
        if (topics && isfinite(m))
            snprintf(cm, sizeof cm, "%.3f", m);
        if (r->tone.n >= 2 && isfinite(r->tone.pearson.value))
            snprintf(ct, sizeof ct, "%.3f", r->tone.pearson.value);
        fprintf(fp, "%-30.30s %8zu %9s %9s %9s\n", inputs[f], r->n_articles, ca, cm, ct);
    }
}

static cJSON *inputs_json(char **inputs, const nc_eval_result *res, size_t k)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t f = 0; arr && f < k; f++) {
        const nc_eval_result *r = &res[f];
        cJSON *o = cJSON_CreateObject();
        if (!o) {
            cJSON_Delete(arr);
            return NULL;
        }
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "input", inputs[f]);
        cJSON_AddNumberToObject(o, "articles", (double)r->n_articles);
        if (r->mode != NC_TOPICS_NONE && r->n_evaluated > 0) {
            double a = r->mode == NC_TOPICS_MULTICLASS ? r->accuracy : r->micro.f1;
            double m = r->mode == NC_TOPICS_MULTICLASS ? r->macro_f1 : r->macro.f1;
            if (isfinite(a))
                cJSON_AddNumberToObject(o, r->mode == NC_TOPICS_MULTICLASS ? "accuracy"
                                                                          : "micro_f1", a);
            if (isfinite(m))
                cJSON_AddNumberToObject(o, "macro_f1", m);
        }
        if (r->tone.n >= 2 && isfinite(r->tone.pearson.value))
            cJSON_AddNumberToObject(o, "tone_pearson", r->tone.pearson.value);
    }
    return arr;
}

/* Record the C that fold f's model chose for each label (its card's topics.labels[].C) in
 * 'chosen': {label: [C of fold 1, ..., C of fold k]}, null where a fold has no such label.
 * Returns 0, or -1 when out of memory. */
static int add_chosen_c(cJSON *chosen, const nc_model *m, size_t f, size_t k)
{
    char *text = nc_model_card_json(m);
    cJSON *card = text ? cJSON_Parse(text) : NULL, *it;
    const cJSON *topics = cJSON_GetObjectItemCaseSensitive(card, "topics");
    int rc = card ? 0 : -1;

    free(text);
    cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(topics, "labels"))
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *C = cJSON_GetObjectItemCaseSensitive(it, "C");
        cJSON *arr, *v;
        if (!cJSON_IsString(name) || !cJSON_IsNumber(C))
            continue;
        if (!(arr = cJSON_GetObjectItemCaseSensitive(chosen, name->valuestring))) {
            if (!(arr = cJSON_AddArrayToObject(chosen, name->valuestring))) {
                rc = -1;
                break;
            }
            for (size_t i = 0; i < k; i++)
                if (!cJSON_AddItemToArray(arr, cJSON_CreateNull())) {
                    rc = -1;
                    break;
                }
        }
        if (rc < 0 || !(v = cJSON_CreateNumber(C->valuedouble))) {
            rc = -1;
            break;
        }
        if (!cJSON_ReplaceItemInArray(arr, (int)f, v)) {
            cJSON_Delete(v);
            rc = -1;
            break;
        }
    }
    cJSON_Delete(card);
    return rc;
}

/* The text report's table of the C each fold chose, one row per label. */
static void print_chosen_c(FILE *fp, const cJSON *chosen, size_t k)
{
    const cJSON *arr, *v;
    int w = 14;

    cJSON_ArrayForEach(arr, chosen)
    {
        if ((int)strlen(arr->string) > w)
            w = (int)strlen(arr->string) > 40 ? 40 : (int)strlen(arr->string);
    }
    fprintf(fp, "\nC chosen by each fold's cross-validation (folds 1-%zu):\n", k);
    cJSON_ArrayForEach(arr, chosen)
    {
        fprintf(fp, "%-*.*s", w, w, arr->string);
        cJSON_ArrayForEach(v, arr)
        {
            if (cJSON_IsNumber(v))
                fprintf(fp, " %g", v->valuedouble);
            else
                fputs(" -", fp);
        }
        fputc('\n', fp);
    }
}

/* Classify the held-out articles docs[i] with fold[i] == f and fill 'res'. */
static int evaluate_fold(const nc_model *m, const nc_corpus *c, const size_t *fold, size_t f,
                         nc_eval_result *res, nc_error *err)
{
    const char **labels = NULL;
    nc_eval *ev = NULL;
    nc_prediction p;
    size_t nl = nc_model_nlabels(m);
    nc_workspace *ws = NULL;
    int rc = NC_OK;

    nc_prediction_init(&p);
    labels = calloc(nl + 1, sizeof *labels);
    if (!labels) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t j = 0; j < nl; j++)
        labels[j] = nc_model_label(m, j);
    if ((rc = nc_eval_new(nc_model_topic_mode(m), labels, nl, nc_model_has_tone(m), 0, &ev,
                          err)) < 0)
        goto out;
    ws = nc_workspace_new(m); /* NULL is fine: slower counting */
    for (size_t i = 0; i < c->n; i++) {
        if (fold[i] != f)
            continue;
        if ((rc = nc_classify_ws(m, &c->docs[i], &p, ws, err)) < 0 ||
            (rc = nc_eval_add(ev, &p, &c->docs[i], err)) < 0)
            goto out;
    }
    rc = nc_eval_finish(ev, res, err);
out:
    nc_workspace_free(ws);
    nc_eval_free(ev);
    nc_prediction_finish(&p);
    free(labels);
    return rc;
}

static const nc_metric_summary *find(const nc_eval_summary *s, const char *label,
                                     const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        const nc_metric_summary *m = &s->m[i];
        if (strcmp(m->name, name) == 0 &&
            (label ? m->label && strcmp(m->label, label) == 0 : !m->label))
            return m;
    }
    return NULL;
}

/* "0.812 +- 0.043" (or "n/a") into buf; plain ASCII so columns line up in any locale. */
static const char *mean_sd(char *buf, size_t size, const nc_metric_summary *m)
{
    if (!m || isnan(m->mean))
        snprintf(buf, size, "n/a");
    else if (isnan(m->sd))
        snprintf(buf, size, "%.3f", m->mean);
    else
        snprintf(buf, size, "%.3f +- %.3f", m->mean, m->sd);
    return buf;
}

static void print_report(FILE *fp, const nc_eval_summary *s, size_t narticles,
                         unsigned long seed, int by_input)
{
    static const char *const label_cols[] = { "precision", "recall", "f1", "auc", "ap",
                                              "support" };
    char buf[64];
    int w = 14;

    if (by_input)
        fprintf(fp, "%zu-fold cross-validation of %zu articles, one fold per input (%s)\n\n",
                s->folds, narticles, nc_eval_mode_name(s->mode));
    else
        fprintf(fp, "%zu-fold cross-validation of %zu articles (%s, seed %lu)\n\n", s->folds,
                narticles, nc_eval_mode_name(s->mode), seed);
    fprintf(fp, "%-22s %-17s %s\n", "metric", "mean +- sd", "folds");
    for (size_t i = 0; i < s->n; i++) {
        const nc_metric_summary *m = &s->m[i];
        if (m->label)
            continue;
        fprintf(fp, "%-22s %-17s %5zu\n", m->name, mean_sd(buf, sizeof buf, m), m->n);
    }
    int any_label = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->m[i].label)
            continue;
        any_label = 1;
        if ((int)strlen(s->m[i].label) > w)
            w = (int)strlen(s->m[i].label) > 40 ? 40 : (int)strlen(s->m[i].label);
    }
    if (!any_label) /* tone only: no table of topics */
        return;
    fprintf(fp, "\n%-*s", w, s->mode == NC_TOPICS_MULTICLASS ? "class" : "topic");
    for (size_t c = 0; c < NC_ARRAY_SIZE(label_cols); c++)
        fprintf(fp, c + 1 < NC_ARRAY_SIZE(label_cols) ? " %-17s" : " %s", label_cols[c]);
    fputc('\n', fp);
    for (size_t i = 0; i < s->n; i++) {
        const nc_metric_summary *m = &s->m[i];
        if (!m->label || strcmp(m->name, "precision") != 0)
            continue; /* one row per label, at its first metric */
        fprintf(fp, "%-*.*s", w, w, m->label);
        for (size_t c = 0; c < NC_ARRAY_SIZE(label_cols); c++) {
            const nc_metric_summary *v = find(s, m->label, label_cols[c]);
            mean_sd(buf, sizeof buf, v);
            if (c + 1 == NC_ARRAY_SIZE(label_cols)) /* no trailing blanks */
                fprintf(fp, " %s", buf);
            else
                fprintf(fp, " %-17s", buf);
        }
        fputc('\n', fp);
    }
}

int cmd_cross_validate(int argc, char **argv)
{
    static const struct option own[] = {
        { "cv-folds", required_argument, NULL, 'k' },
        { "by-input", no_argument, NULL, 'B' },
        { "json", no_argument, NULL, 'j' },
        { "jsonl", no_argument, NULL, 'J' },
        { "input-format", required_argument, NULL, CLI_OPT_INPUT_FORMAT },
        { "label-from-dir", no_argument, NULL, 'L' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
    };
    struct option longopts[64];
    nc_train_opts o;
    nc_reader_opts ro = { 0 };
    nc_corpus corpus;
    nc_article *train = NULL;
    nc_model *model = NULL;
    nc_eval_result *results = NULL;
    nc_eval_summary summary;
    nc_error err = { 0 };
    size_t *fold = NULL, *upto = NULL, k = 5;
    char *json = NULL, **inputs;
    cJSON *chosen = NULL; /* the C each fold chose, per label, when C is cross-validated */
    int json_out = 0, quiet = 0, by_input = 0, k_set = 0, ninputs, c, rc = CLI_EXIT_OK;
    long l;

    cli_train_longopts_merge(longopts, NC_ARRAY_SIZE(longopts), own, NC_ARRAY_SIZE(own));

    cli_train_opts_default(&o);
    nc_corpus_init(&corpus);
    nc_eval_summary_init(&summary);
    optind = 0;
    while ((c = getopt_long(argc, argv, "k:C:qh", longopts, NULL)) != -1) {
        int r;
        switch (c) {
        case 'k':
            if (cli_parse_long(optarg, 2, 50, &l) < 0)
                return cli_usage_error("cross-validate", "-k needs a number in 2..50, not '%s'",
                                       optarg);
            k = (size_t)l;
            k_set = 1;
            break;
        case 'B': by_input = 1; break;
        case 'j': json_out = 1; break;
        case 'J':
        case CLI_OPT_INPUT_FORMAT:
            if (cli_input_format("cross-validate", c == 'J' ? "jsonl" : optarg, &ro) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'L': ro.label_from_dir = 1; break;
        case 'q': quiet = 1; break;
        case 'h':
            fputs(cmd_cross_validate_usage, stdout);
            fputs(cli_train_opts_help, stdout);
            fputs(cli_feature_opts_help, stdout);
            return CLI_EXIT_OK;
        default:
            r = cli_train_opt("cross-validate", c, optarg, &o);
            if (r == 1)
                break;
            if (r == 0)
                fputs("try 'newsclass help cross-validate' for usage\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error("cross-validate", "no corpus given");
    if (cli_train_opts_check("cross-validate", &o) < 0 ||
        cli_stdin_once("cross-validate", argv + optind, argc - optind) < 0)
        return CLI_EXIT_USAGE;
    inputs = argv + optind;
    ninputs = argc - optind;
    if (by_input && k_set)
        return cli_usage_error("cross-validate", "--by-input makes one fold per CORPUS: not "
                                                 "with -k");
    if (by_input && ninputs < 2)
        return cli_usage_error("cross-validate", "--by-input needs at least two CORPUS "
                                                 "operands, one per fold");
    if (by_input) {
        k = (size_t)ninputs;
        if (!(upto = calloc(k, sizeof *upto))) {
            rc = cli_errorf("cross-validate", "out of memory");
            goto out;
        }
    }

    if (read_corpus(inputs, ninputs, &ro, &corpus, upto, &err) < 0) {
        rc = cli_error("cross-validate", &err);
        goto out;
    }
    /* the topic mode of the whole corpus for every fold: left to each fold, a fold whose
     * training articles all happen to carry one label would train a multi-class model */
    if (o.topic_mode == NC_TOPICS_NONE) {
        int all_single = 1, any = 0, two = 0;
        const char *first = NULL;
        for (size_t i = 0; i < corpus.n; i++) {
            const nc_article *a = &corpus.docs[i];
            if (!a->has_topics)
                continue;
            any = 1;
            all_single &= a->ntopics == 1;
            for (size_t t = 0; t < a->ntopics && !two; t++) {
                if (!first)
                    first = a->topics[t];
                else if (strcmp(first, a->topics[t]) != 0)
                    two = 1;
            }
        }
        if (any)
            o.topic_mode = all_single && two ? NC_TOPICS_MULTICLASS : NC_TOPICS_MULTILABEL;
    }
    if (corpus.n == 0) {
        rc = cli_no_articles("cross-validate", inputs, ninputs);
        goto out;
    }
    if (corpus.n < k) {
        rc = cli_errorf("cross-validate", "%zu articles are too few for %zu folds", corpus.n, k);
        goto out;
    }
    fold = calloc(corpus.n, sizeof *fold);
    train = calloc(corpus.n, sizeof *train);
    results = calloc(k, sizeof *results);
    if (!fold || !train || !results) {
        rc = cli_errorf("cross-validate", "out of memory");
        goto out;
    }
    for (size_t f = 0; f < k; f++)
        nc_eval_result_init(&results[f]);
    if (o.C <= 0 && !(chosen = cJSON_CreateObject())) {
        rc = cli_errorf("cross-validate", "out of memory");
        goto out;
    }
    if (by_input) {
        for (size_t f = 0, i = 0; f < k; f++)
            for (; i < upto[f]; i++)
                fold[i] = f;
    } else if (nc_stratified_folds(corpus.docs, corpus.n, k, o.seed, fold, &err) < 0) {
        rc = cli_error("cross-validate", &err);
        goto out;
    }
    for (size_t f = 0; f < k; f++) {
        size_t ntrain = 0;
        /* shallow copies: 'train' borrows the corpus's strings and is never finished */
        for (size_t i = 0; i < corpus.n; i++)
            if (fold[i] != f)
                train[ntrain++] = corpus.docs[i];
        if (nc_train(train, ntrain, &o, NULL, NULL, &model, &err) < 0 ||
            evaluate_fold(model, &corpus, fold, f, &results[f], &err) < 0) {
            if (by_input)
                nc_err_prefix(&err, "fold %zu of %zu (held out '%s')", f + 1, k, inputs[f]);
            else
                nc_err_prefix(&err, "fold %zu of %zu", f + 1, k);
            rc = cli_error("cross-validate", &err);
            goto out;
        }
        if (chosen && add_chosen_c(chosen, model, f, k) < 0) {
            rc = cli_errorf("cross-validate", "out of memory");
            goto out;
        }
        nc_model_free(model);
        model = NULL;
        cli_info(quiet, "cross-validate", "fold %zu/%zu%s%s%s: trained on %zu articles, evaluated %zu",
                 f + 1, k, by_input ? " (held out '" : "", by_input ? inputs[f] : "",
                 by_input ? "')" : "", ntrain, results[f].n_articles);
    }
    if (nc_eval_summarize(results, k, &summary, &err) < 0 ||
        (json_out && nc_eval_summary_to_json(&summary, 1, &json, &err) < 0)) {
        rc = cli_error("cross-validate", &err);
        goto out;
    }
    if (chosen && cJSON_GetArraySize(chosen) == 0) { /* no topics: nothing was chosen */
        cJSON_Delete(chosen);
        chosen = NULL;
    }
    if (json && (by_input || chosen)) {
        /* the summary, with the C each fold chose, how the folds were made and each input's */
        cJSON *j = cJSON_Parse(json), *per = by_input ? inputs_json(inputs, results, k) : NULL;
        int ok = j && (!by_input || per);
        free(json);
        json = NULL;
        if (ok && chosen) {
            ok = cJSON_AddItemToObject(j, "C_chosen", chosen);
            if (ok)
                chosen = NULL;
        }
        if (ok && by_input) {
            cJSON_AddStringToObject(j, "folds_by", "input");
            cJSON_AddItemToObject(j, "inputs", per);
            per = NULL;
        }
        if (ok)
            json = cJSON_Print(j);
        cJSON_Delete(j);
        cJSON_Delete(per);
        if (!json) {
            rc = cli_errorf("cross-validate", "out of memory");
            goto out;
        }
    }
    if (json) {
        fputs(json, stdout);
        fputc('\n', stdout);
    } else {
        print_report(stdout, &summary, corpus.n, o.seed, by_input);
        if (chosen)
            print_chosen_c(stdout, chosen, k);
        if (by_input)
            print_inputs(stdout, inputs, results, k);
    }
    rc = cli_flush_stdout("cross-validate");
out:
    free(json);
    nc_eval_summary_finish(&summary);
    cJSON_Delete(chosen);
    for (size_t f = 0; results && f < k; f++)
        nc_eval_result_finish(&results[f]);
    free(results);
    nc_model_free(model);
    free(train);
    free(fold);
    free(upto);
    nc_corpus_finish(&corpus);
    return rc;
}
