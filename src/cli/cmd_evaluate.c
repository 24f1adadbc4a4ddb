/* cmd_evaluate.c: `newsclass evaluate [-m MODEL_DIR] CORPUS...`: classify labelled articles and
 * compare the model's output with the gold labels.
 *
 * Articles are streamed (memory grows with the number of articles times labels only, for the
 * ranking metrics), classified one by one and fed to the library's nc_eval accumulator, which
 * also serves cross-validate. This file only formats: a text report or one JSON object on
 * stdout, and optionally an SVG reliability diagram written atomically. Everything that can fail
 * happens before the report is printed, so on error stdout stays empty.
 * SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include <newsclass/newsclass.h>
#include <newsclass/evaluate.h>
#include <newsclass/model.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

const char cmd_evaluate_usage[] =
    "usage: newsclass evaluate [-m MODEL_DIR] [OPTIONS] CORPUS...\n"
    "\n"
    "Classify labelled articles and compare with their gold labels. CORPUS is a JSON Lines\n"
    "corpus, a CSV or TSV file with a header row, a fastText-format file, a plain-text\n"
    "article, a directory of them, or '-' (standard input). Articles without gold topics are\n"
    "skipped for the topic metrics.\n"
    "\n"
    "Multi-label models: per topic precision, recall, F1 and support at the model's\n"
    "thresholds, micro and macro averages, exact-match ratio, ROC AUC and average precision,\n"
    "expected calibration error (10 bins) and Brier score. Multi-class models: accuracy,\n"
    "per-class precision, recall and F1, macro-F1 and the confusion matrix. Tone (when the\n"
    "model and the articles have it): MAE, RMSE, Pearson and Spearman correlation with 95%\n"
    "confidence intervals, and the three-class (negative/neutral/positive) accuracy.\n"
    "\n"
    "  -m, --model=DIR        model bundle (default: $NEWSCLASS_MODEL, else the shipped\n"
    "                         models/default)\n"
    "      --json             print one JSON object with every number instead of a report\n"
    "      --errors=N         list the N worst false positives and false negatives per topic\n"
    "      --reliability=FILE write a reliability diagram (SVG) of the topic probabilities\n"
    CLI_INPUT_FORMAT_HELP
    "      --jsonl            the same as --input-format=jsonl\n"
    "      --label-from-dir   in directories, the parent folder name is the gold label\n"
    "      --compare=DIR      also classify with the model DIR and report, per metric, both\n"
    "                         models and the difference (DIR - MODEL_DIR) with its 95%\n"
    "                         paired bootstrap interval, instead of the usual report\n"
    "      --resamples=N      bootstrap resamples for --compare (1000)\n"
    "      --seed=N           seed of the resamples (1)\n"
    "  -q, --quiet            no progress messages on stderr\n"
    "  -h, --help             show this help\n";

struct evaluate_opts {
    const char *model_dir;
    const char *compare;      /* --compare: the second model */
    long resamples;
    unsigned long seed;
    const char *reliability;
    int json;
    int quiet;
    long errors;
    nc_reader_opts ro;
};

/* v to three decimals ("0.123", or "+0.123" with 'sign'), or "n/a" for an undefined value. */
static const char *num3(char *buf, size_t size, double v, int sign)
{
    if (isnan(v))
        snprintf(buf, size, "n/a");
    else
        snprintf(buf, size, sign ? "%+.3f" : "%.3f", v);
    return buf;
}

static const char *num(char *buf, size_t size, double v)
{
    return num3(buf, size, v, 0);
}

static int label_width(const nc_eval_result *r, int min)
{
    int w = min;
    for (size_t j = 0; j < r->nlabels; j++) {
        int n = (int)strlen(r->labels[j].label);
        if (n > w)
            w = n;
    }
    return w > 40 ? 40 : w;
}

static void print_row(FILE *fp, int w, const char *name, const nc_binary_metrics *m, double auc,
                      double ap, const nc_calibration *c)
{
    char b[6][16];

    fprintf(fp, "%-*.*s %9s %7s %7s %8zu %7s %7s", w, w, name,
            num(b[0], sizeof b[0], m->precision), num(b[1], sizeof b[1], m->recall),
            num(b[2], sizeof b[2], m->f1), m->support, num(b[3], sizeof b[3], auc),
            num(b[4], sizeof b[4], ap));
    if (c)
        fprintf(fp, " %7s %7s", num(b[5], sizeof b[5], c->ece),
                num(b[0], sizeof b[0], c->brier));
    fputc('\n', fp);
}

static void print_matrix(FILE *fp, const char *const *names, size_t k, const size_t *cells)
{
    int w = 8, rw;

    for (size_t i = 0; i < k; i++)
        if ((int)strlen(names[i]) > w)
            w = (int)strlen(names[i]) > 20 ? 20 : (int)strlen(names[i]);
    rw = w > 16 ? w : 16; /* the first column also holds the corner caption */
    fprintf(fp, "  %-*s", rw, "gold \\ predicted");
    for (size_t j = 0; j < k; j++)
        fprintf(fp, " %*.*s", w, w, names[j]);
    fputc('\n', fp);
    for (size_t i = 0; i < k; i++) {
        fprintf(fp, "  %-*.*s", rw, w, names[i]);
        for (size_t j = 0; j < k; j++)
            fprintf(fp, " %*zu", w, cells[i * k + j]);
        fputc('\n', fp);
    }
}

static void print_topics(FILE *fp, const nc_eval_result *r)
{
    int w = label_width(r, 14);
    int ml = r->mode == NC_TOPICS_MULTILABEL;
    char b[3][16];

    fprintf(fp, "%-*s %9s %7s %7s %8s %7s %7s %7s %7s\n", w, ml ? "topic" : "class", "precision",
            "recall", "F1", "support", "AUC", "AP", "ECE", "Brier");
    for (size_t j = 0; j < r->nlabels; j++) {
        const nc_label_eval *l = &r->labels[j];
        print_row(fp, w, l->label, &l->m, l->auc, l->ap, &l->calib);
    }
    if (ml) {
        print_row(fp, w, "micro average", &r->micro, NAN, NAN, NULL);
        print_row(fp, w, "macro average", &r->macro, r->macro_auc, r->macro_ap, NULL);
        fprintf(fp, "\nexact-match ratio: %s\n", num(b[0], sizeof b[0], r->exact_match));
    } else {
        const char **names = calloc(r->nlabels ? r->nlabels : 1, sizeof *names);
        fprintf(fp, "\naccuracy: %s   macro-F1: %s   (macro AUC %s)\n",
                num(b[0], sizeof b[0], r->accuracy), num(b[1], sizeof b[1], r->macro_f1),
                num(b[2], sizeof b[2], r->macro_auc));
        if (names) {
            for (size_t j = 0; j < r->nlabels; j++)
                names[j] = r->labels[j].label;
            fputs("confusion matrix (rows: gold class, columns: predicted class):\n", fp);
            print_matrix(fp, names, r->nlabels, r->confusion);
            free(names);
        }
    }
    fprintf(fp, "calibration of all %s probabilities (10 bins): ECE %s, Brier %s\n",
            ml ? "topic" : "class", num(b[0], sizeof b[0], r->calib.ece),
            num(b[1], sizeof b[1], r->calib.brier));
}

static void print_errors(FILE *fp, const nc_eval_result *r)
{
    fputs("\nworst errors:\n", fp);
    for (size_t j = 0; j < r->nlabels; j++) {
        const nc_label_eval *l = &r->labels[j];
        fprintf(fp, "  %s: %zu false positive%s, %zu false negative%s\n", l->label, l->m.fp,
                l->m.fp == 1 ? "" : "s", l->m.fn, l->m.fn == 1 ? "" : "s");
        for (size_t i = 0; i < l->nfp; i++)
            fprintf(fp, "    FP %.3f  %s  %s\n", l->fp[i].score, l->fp[i].id, l->fp[i].title);
        for (size_t i = 0; i < l->nfn; i++)
            fprintf(fp, "    FN %.3f  %s  %s\n", l->fn[i].score, l->fn[i].id, l->fn[i].title);
    }
}

static void print_tone(FILE *fp, const nc_eval_result *r)
{
    static const char *const names[] = { "negative", "neutral", "positive" };
    const struct {
        const char *name;
        const nc_estimate *e;
    } rows[] = { { "MAE", &r->tone.mae },
                 { "RMSE", &r->tone.rmse },
                 { "Pearson r", &r->tone.pearson },
                 { "Spearman rho", &r->tone.spearman } };
    char b[3][16];

    if (r->tone.n == 0) {
        fputs("\ntone: no article has a gold tone\n", fp);
        return;
    }
    fprintf(fp, "\ntone (%zu articles)     value   95%% CI\n", r->tone.n);
    for (size_t i = 0; i < NC_ARRAY_SIZE(rows); i++)
        fprintf(fp, "  %-18s %7s   [%s, %s]\n", rows[i].name,
                num(b[0], sizeof b[0], rows[i].e->value), num(b[1], sizeof b[1], rows[i].e->lo),
                num(b[2], sizeof b[2], rows[i].e->hi));
    if (r->interval_n) {
        const nc_estimate *c = &r->interval_coverage; /* with Wilson's interval */
        char w[16];
        fprintf(fp, "  %-18s %7s   [%s, %s]   (90%% intervals on %zu articles, mean width %s)\n",
                "interval coverage", num(b[0], sizeof b[0], c->value),
                num(b[1], sizeof b[1], c->lo), num(b[2], sizeof b[2], c->hi), r->interval_n,
                num(w, sizeof w, r->interval_width));
    }
    fprintf(fp, "  %-18s %7s\n", "3-class accuracy", num(b[0], sizeof b[0], r->tone3.accuracy));
    fputs("confusion matrix (rows: gold tone, columns: predicted tone):\n", fp);
    print_matrix(fp, names, 3, &r->tone3.confusion[0][0]);
}

static void print_report(FILE *fp, const char *model_dir, const nc_eval_result *r)
{
    fprintf(fp, "model '%s': %s", model_dir, nc_eval_mode_name(r->mode));
    if (r->mode != NC_TOPICS_NONE)
        fprintf(fp, ", %zu %s", r->nlabels,
                r->mode == NC_TOPICS_MULTILABEL ? "topics" : "classes");
    fprintf(fp, "%s\n", r->has_tone ? ", tone" : ", no tone");
    fprintf(fp, "%zu articles", r->n_articles);
    if (r->mode != NC_TOPICS_NONE) {
        fprintf(fp, "; topics: %zu evaluated, %zu without gold labels, %zu with a gold label "
                    "unknown to the model",
                r->n_evaluated, r->n_no_gold, r->n_unknown_articles);
    }
    fputc('\n', fp);
    if (r->nunknown) {
        fputs("unknown gold labels:", fp);
        for (size_t i = 0; i < r->nunknown; i++)
            fprintf(fp, "%s '%s' (%zu)", i ? "," : "", r->unknown[i].label, r->unknown[i].count);
        fputc('\n', fp);
    }
    if (r->mode != NC_TOPICS_NONE) {
        fputc('\n', fp);
        if (r->n_evaluated)
            print_topics(fp, r);
        else
            fputs("topics: no article has gold topics\n", fp);
    }
    if (r->has_tone)
        print_tone(fp, r);
}

/* ---- reliability diagram ---- */

/* Plot area: x0..x0+S (probability 0..1), y0+S..y0 (frequency 0..1). */
#define SVG_X0 70.0
#define SVG_Y0 50.0
#define SVG_S 400.0

static double px(double p)
{
    return SVG_X0 + p * SVG_S;
}

static double py(double f)
{
    return SVG_Y0 + (1.0 - f) * SVG_S;
}

static void write_svg(FILE *fp, const nc_eval_result *r)
{
    static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
                                          "#9467bd", "#8c564b", "#e377c2", "#17becf" };
    size_t nl = r->nlabels;
    double width = 680, height = SVG_Y0 + SVG_S + 70;

    fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
            width, height, width, height);
    fprintf(fp, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(fp, "<text x=\"%.1f\" y=\"28\" font-size=\"16\" text-anchor=\"middle\">"
                "Reliability diagram (%s, %zu articles, ECE %.3f)</text>\n",
            px(0.5), nc_eval_mode_name(r->mode), r->n_evaluated,
            isnan(r->calib.ece) ? 0.0 : r->calib.ece);
    /* grid, ticks and tick labels */
    for (int t = 0; t <= 5; t++) {
        double v = t / 5.0;
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n",
                px(v), py(0), px(v), py(1));
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>\n",
                px(0), py(v), px(1), py(v));
        fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>\n", px(v),
                py(0) + 18, v);
        fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n", px(0) - 8,
                py(v) + 4, v);
    }
    /* axes */
    fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                "stroke=\"black\"/>\n",
            px(0), py(1), SVG_S, SVG_S);
    fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">predicted probability "
                "(mean per bin)</text>\n",
            px(0.5), py(0) + 40);
    fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 "
                "%.1f %.1f)\">observed frequency</text>\n",
            px(0) - 40, py(0.5), px(0) - 40, py(0.5));
    /* the diagonal: perfect calibration */
    fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#808080\" "
                "stroke-dasharray=\"6 4\"/>\n",
            px(0), py(0), px(1), py(1));
    for (size_t j = 0; j < nl; j++) {
        const nc_calibration *c = &r->labels[j].calib;
        const char *col = colors[j % NC_ARRAY_SIZE(colors)];
        int any = 0;
        fprintf(fp, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", col);
        for (int b = 0; b < NC_CALIB_BINS; b++) {
            if (!c->count[b])
                continue;
            fprintf(fp, "%s%.1f,%.1f", any ? " " : "", px(c->mean_pred[b]), py(c->frac_pos[b]));
            any = 1;
        }
        fputs("\"/>\n", fp);
        for (int b = 0; b < NC_CALIB_BINS; b++) {
            if (!c->count[b])
                continue;
            fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"><title>",
                    px(c->mean_pred[b]), py(c->frac_pos[b]), col);
            nc_xml_text(fp, r->labels[j].label);
            fprintf(fp, ": %zu in bin %.1f-%.1f</title></circle>\n", c->count[b],
                    (double)b / NC_CALIB_BINS, (double)(b + 1) / NC_CALIB_BINS);
        }
    }
    /* legend */
    {
        double lx = px(1) + 20, ly = py(1) + 10;
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#808080\" "
                    "stroke-dasharray=\"6 4\"/>\n",
                lx, ly, lx + 24, ly);
        fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">perfect calibration</text>\n", lx + 30, ly + 4);
        for (size_t j = 0; j < nl; j++) {
            double y = ly + 22.0 * (double)(j + 1);
            fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                        "stroke-width=\"2\"/>\n",
                    lx, y, lx + 24, y, colors[j % NC_ARRAY_SIZE(colors)]);
            fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">", lx + 30, y + 4);
            nc_xml_text(fp, r->labels[j].label);
            if (!isnan(r->labels[j].calib.ece))
                fprintf(fp, " (ECE %.3f)", r->labels[j].calib.ece);
            fputs("</text>\n", fp);
        }
    }
    fputs("</svg>\n", fp);
}

static int write_reliability(const char *path, const nc_eval_result *r, nc_error *err)
{
    nc_outfile of = { 0 };
    int rc;

    if ((rc = nc_outfile_open(&of, path, err)) < 0)
        return rc;
    write_svg(of.fp, r);
    return nc_outfile_commit(&of, err);
}

/* 1 when one of the inputs is a directory (whose folder names may be the labels). */
static int any_directory(char **inputs, int ninputs)
{
    struct stat st;
    for (int i = 0; i < ninputs; i++)
        if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &st) == 0 && S_ISDIR(st.st_mode))
            return 1;
    return 0;
}

/* An accumulator for model m's predictions, with m's own labels. */
static int eval_for(const nc_model *m, size_t max_errors, nc_eval **out, nc_error *err)
{
    size_t nl = nc_model_nlabels(m);
    const char **labels = calloc(nl + 1, sizeof *labels);
    int rc;
    if (!labels)
        return nc_err(err, NC_ENOMEM, "out of memory");
    for (size_t j = 0; j < nl; j++)
        labels[j] = nc_model_label(m, j);
    rc = nc_eval_new(nc_model_topic_mode(m), labels, nl, nc_model_has_tone(m), max_errors, out,
                     err);
    free(labels);
    return rc;
}

/* Classify every article with m (into ev) and, when m2 is given, with m2 (into ev2). */
static int run(const struct evaluate_opts *o, char **inputs, int ninputs, const nc_model *m,
               nc_eval *ev, const nc_model *m2, nc_eval *ev2, nc_error *err)
{
    nc_article a;
    nc_prediction p, p2;
    nc_reader *rd = NULL;
    nc_workspace *ws = nc_workspace_new(m); /* NULL is fine: slower counting */
    nc_workspace *ws2 = m2 ? nc_workspace_new(m2) : NULL;
    int rc = NC_OK;

    nc_article_init(&a);
    nc_prediction_init(&p);
    nc_prediction_init(&p2);
    for (int i = 0; i < ninputs && rc == NC_OK; i++) {
        int st;
        if ((rc = nc_reader_open(inputs[i], &o->ro, &rd, err)) < 0)
            goto out;
        while ((st = nc_reader_next(rd, &a, err)) > 0) {
            if ((rc = nc_classify_ws(m, &a, &p, ws, err)) < 0) {
                nc_err_prefix(err, "%s", a.id);
                goto out;
            }
            if ((rc = nc_eval_add(ev, &p, &a, err)) < 0)
                goto out;
            if (m2 && (rc = nc_classify_ws(m2, &a, &p2, ws2, err)) < 0) {
                nc_err_prefix(err, "%s: %s", o->compare, a.id);
                goto out;
            }
            if (m2 && (rc = nc_eval_add(ev2, &p2, &a, err)) < 0)
                goto out;
        }
        if (st < 0)
            rc = st;
        nc_reader_free(rd);
        rd = NULL;
    }
out:
    nc_reader_free(rd);
    nc_workspace_free(ws);
    nc_workspace_free(ws2);
    nc_prediction_finish(&p);
    nc_prediction_finish(&p2);
    nc_article_finish(&a);
    return rc;
}

static void print_comparison(FILE *fp, const struct evaluate_opts *o, size_t n,
                             const nc_eval_diff *d, size_t nd)
{
    char b1[32], b2[32], b3[32], b4[80], b5[32];
    fprintf(fp, "comparison on %zu articles: A = %s, B = %s\n", n, o->model_dir, o->compare);
    fprintf(fp, "95%% intervals of B - A: paired bootstrap, %ld resamples, seed %lu; an interval "
                "without 0 is a difference the data show\n\n", o->resamples, o->seed);
    fprintf(fp, "%-24s %7s %7s %7s  %s\n", "metric", "A", "B", "B - A", "95% interval");
    for (size_t j = 0; j < nd; j++) {
        const char *verdict = "";
        if (!isnan(d[j].lo) && (d[j].lo > 0 || d[j].hi < 0))
            verdict = (d[j].lo > 0) != (d[j].lower_better != 0) ? "B better" : "A better";
        snprintf(b4, sizeof b4, "[%s, %s]", num3(b1, sizeof b1, d[j].lo, 1),
                 num3(b2, sizeof b2, d[j].hi, 1));
        fprintf(fp, "%-24s %7s %7s %7s  %-*s%s\n", d[j].metric, num(b3, sizeof b3, d[j].a),
                num(b5, sizeof b5, d[j].b), num3(b1, sizeof b1, d[j].b - d[j].a, 1),
                *verdict ? 19 : 0, b4, verdict);
    }
}

/* The comparison as one JSON object; NULL when out of memory. */
static char *comparison_json(const struct evaluate_opts *o, size_t n, const nc_eval_diff *d,
                             size_t nd)
{
    cJSON *root = cJSON_CreateObject(), *arr;
    char *s = NULL;
#define NUM_OR_NULL(obj, key, v)                                                            \
    (isnan(v) ? cJSON_AddNullToObject(obj, key) : cJSON_AddNumberToObject(obj, key, v))
    if (!root || !cJSON_AddStringToObject(root, "a", o->model_dir) ||
        !cJSON_AddStringToObject(root, "b", o->compare) ||
        !cJSON_AddNumberToObject(root, "articles", (double)n) ||
        !cJSON_AddNumberToObject(root, "resamples", (double)o->resamples) ||
        !cJSON_AddNumberToObject(root, "seed", (double)o->seed) ||
        !(arr = cJSON_AddArrayToObject(root, "metrics")))
        goto out;
    for (size_t j = 0; j < nd; j++) {
        cJSON *m = cJSON_CreateObject(), *ci;
        if (!m || !cJSON_AddItemToArray(arr, m) || !cJSON_AddStringToObject(m, "metric", d[j].metric) ||
            !NUM_OR_NULL(m, "a", d[j].a) || !NUM_OR_NULL(m, "b", d[j].b) ||
            !NUM_OR_NULL(m, "diff", d[j].b - d[j].a) ||
            !(ci = cJSON_AddArrayToObject(m, "ci95")) ||
            !cJSON_AddBoolToObject(m, "lower_is_better", d[j].lower_better))
            goto out;
        if (isnan(d[j].lo)) {
            cJSON_AddItemToArray(ci, cJSON_CreateNull());
            cJSON_AddItemToArray(ci, cJSON_CreateNull());
        } else {
            cJSON_AddItemToArray(ci, cJSON_CreateNumber(d[j].lo));
            cJSON_AddItemToArray(ci, cJSON_CreateNumber(d[j].hi));
        }
    }
#undef NUM_OR_NULL
    s = cJSON_Print(root);
out:
    cJSON_Delete(root);
    return s;
}

int cmd_evaluate(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "model", required_argument, NULL, 'm' },
        { "json", no_argument, NULL, 'j' },
        { "errors", required_argument, NULL, 'e' },
        { "reliability", required_argument, NULL, 'r' },
        { "jsonl", no_argument, NULL, 'J' },
        { "input-format", required_argument, NULL, CLI_OPT_INPUT_FORMAT },
        { "label-from-dir", no_argument, NULL, 'L' },
        { "compare", required_argument, NULL, 'C' },
        { "resamples", required_argument, NULL, 'R' },
        { "seed", required_argument, NULL, 'S' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct evaluate_opts o;
    nc_model *model = NULL, *model2 = NULL;
    nc_eval *ev = NULL, *ev2 = NULL;
    nc_eval_diff *diffs = NULL;
    size_t ndiffs = 0;
    long seed = 1;
    nc_eval_result res;
    nc_error err = { 0 };
    char *json = NULL;
    int c, rc = CLI_EXIT_OK;

    memset(&o, 0, sizeof o);
    o.resamples = 1000;
    nc_eval_result_init(&res);
    optind = 0;
    while ((c = getopt_long(argc, argv, "m:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': o.model_dir = optarg; break;
        case 'j': o.json = 1; break;
        case 'e':
            if (cli_parse_long(optarg, 0, 1000, &o.errors) < 0)
                return cli_usage_error("evaluate", "--errors needs a number in 0..1000, not '%s'",
                                       optarg);
            break;
        case 'r': o.reliability = optarg; break;
        case 'J':
        case CLI_OPT_INPUT_FORMAT:
            if (cli_input_format("evaluate", c == 'J' ? "jsonl" : optarg, &o.ro) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'L': o.ro.label_from_dir = 1; break;
        case 'C': o.compare = optarg; break;
        case 'R':
            if (cli_parse_long(optarg, 10, 1000000, &o.resamples) < 0)
                return cli_usage_error("evaluate", "--resamples needs a number in 10..1000000, "
                                                   "not '%s'", optarg);
            break;
        case 'S':
            if (cli_parse_long(optarg, 0, 2147483647, &seed) < 0)
                return cli_usage_error("evaluate", "--seed needs a number in 0..2147483647, "
                                                   "not '%s'", optarg);
            break;
        case 'q': o.quiet = 1; break;
        case 'h': fputs(cmd_evaluate_usage, stdout); return CLI_EXIT_OK;
        default: fputs("try 'newsclass help evaluate' for usage\n", stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error("evaluate", "no corpus given");
    if (cli_stdin_once("evaluate", argv + optind, argc - optind) < 0)
        return CLI_EXIT_USAGE;
    if (o.reliability && strcmp(o.reliability, "-") == 0)
        return cli_usage_error("evaluate", "--reliability needs a file name, not '-'");
    if (o.compare && (o.reliability || o.errors > 0))
        return cli_usage_error("evaluate", "--compare reports the comparison only: not with "
                                           "--reliability or --errors");
    o.seed = (unsigned long)seed;
    if (!o.model_dir && !(o.model_dir = cli_default_model()))
        return cli_errorf("evaluate", "no model given and no default model found (set "
                                      "NEWSCLASS_MODEL or use -m DIR)");

    if (nc_model_load(o.model_dir, &model, &err) < 0) {
        rc = cli_error("evaluate", &err);
        goto out;
    }
    if (o.reliability && nc_model_topic_mode(model) == NC_TOPICS_NONE) {
        rc = cli_errorf("evaluate", "model '%s' has no topics: no reliability diagram",
                        o.model_dir);
        goto out;
    }
    if (o.compare && (nc_model_load(o.compare, &model2, &err) < 0 ||
                      eval_for(model2, 0, &ev2, &err) < 0)) {
        rc = cli_error("evaluate", &err);
        goto out;
    }
    if (eval_for(model, (size_t)o.errors, &ev, &err) < 0 ||
        run(&o, argv + optind, argc - optind, model, ev, model2, ev2, &err) < 0 ||
        nc_eval_finish(ev, &res, &err) < 0) {
        rc = cli_error("evaluate", &err);
        goto out;
    }
    if (res.n_articles == 0) {
        rc = cli_no_articles("evaluate", argv + optind, argc - optind);
        goto out;
    }
    if (res.n_evaluated == 0 && res.tone.n == 0) {
        /* a report of empty sections would read as a success */
        const char *what = nc_model_topic_mode(model) == NC_TOPICS_NONE ? "a gold tone"
                           : nc_model_has_tone(model) ? "gold topics ('topics' or 'label') or a "
                                                        "gold tone"
                                                      : "gold topics ('topics' or 'label')";
        rc = cli_errorf("evaluate", "nothing to measure: none of the %zu articles carries %s%s",
                        res.n_articles, what,
                        !o.ro.label_from_dir && any_directory(argv + optind, argc - optind)
                            ? " (for a directory whose folder names are the labels, add "
                              "--label-from-dir)"
                            : "");
        goto out;
    }
    if (o.compare) {
        if (nc_eval_compare(ev, ev2, (size_t)o.resamples, o.seed, &diffs, &ndiffs, &err) < 0) {
            nc_err_prefix(&err, "cannot compare '%s' with '%s'", o.model_dir, o.compare);
            rc = cli_error("evaluate", &err);
            goto out;
        }
        if (o.json && !(json = comparison_json(&o, res.n_articles, diffs, ndiffs))) {
            rc = cli_errorf("evaluate", "out of memory");
            goto out;
        }
        cli_info(o.quiet, "evaluate", "compared two models on %zu articles", res.n_articles);
        if (json) {
            fputs(json, stdout);
            fputc('\n', stdout);
        } else {
            print_comparison(stdout, &o, res.n_articles, diffs, ndiffs);
        }
        rc = cli_flush_stdout("evaluate");
        goto out;
    }
    if (o.json && nc_eval_result_to_json(&res, 1, &json, &err) < 0) {
        rc = cli_error("evaluate", &err);
        goto out;
    }
    if (o.reliability) {
        if (write_reliability(o.reliability, &res, &err) < 0) {
            rc = cli_error("evaluate", &err);
            goto out;
        }
        cli_info(o.quiet, "evaluate", "wrote reliability diagram '%s'", o.reliability);
    }
    cli_info(o.quiet, "evaluate", "evaluated %zu articles", res.n_articles);
    if (json) {
        fputs(json, stdout);
        fputc('\n', stdout);
    } else {
        print_report(stdout, o.model_dir, &res);
        if (o.errors > 0 && res.mode != NC_TOPICS_NONE)
            print_errors(stdout, &res);
    }
    rc = cli_flush_stdout("evaluate");
out:
    free(json);
    free(diffs);
    nc_eval_result_finish(&res);
    nc_eval_free(ev);
    nc_eval_free(ev2);
    nc_model_free(model);
    nc_model_free(model2);
    return rc;
}
