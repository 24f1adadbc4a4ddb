/* cmd_train.c: `newsclass train CORPUS... -o MODEL_DIR`: read labelled corpora, train topic and
 * tone models, save the bundle atomically, print a summary.
 * SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <newsclass/newsclass.h>
#include <newsclass/corpus.h>
#include <newsclass/model.h>

#include "cli.h"
#include "cli_train_opts.h"
#include "commands.h"
#include "util.h"

const char cmd_train_usage[] =
    "usage: newsclass train [OPTIONS] CORPUS... -o MODEL_DIR\n"
    "\n"
    "Train topic and tone models from labelled articles and save a model bundle.\n"
    "CORPUS is a JSON Lines file (.jsonl, .jsonl.gz), a CSV or TSV file with a header row\n"
    "(.csv, .tsv), a fastText-format file (.ft), a plain-text article or a directory of them;\n"
    "'-' reads standard input.\n"
    "\n"
    "  -o, --output=DIR       where to write the model bundle (required); written to DIR.tmp\n"
    "                         and renamed into place\n"
    "      --label-from-dir   in directories, the parent folder name is the label\n"
    CLI_INPUT_FORMAT_HELP
    "      --tone-oof=FILE    also write every training article's cross-validated tone\n"
    "                         (JSON Lines: its out-of-fold regression score, lexicon\n"
    "                         features and tone), written atomically\n"
    "  -q, --quiet            no progress or summary on stderr\n"
    "  -h, --help             show this help\n"
    "\n";

/* --tone-oof: one JSON line per training article with tone. */
struct oof_out {
    nc_outfile f;
    int failed;
};

static void write_oof(const nc_tone_oof *r, void *ctx)
{
    struct oof_out *o = ctx;
    cJSON *j = cJSON_CreateObject(), *lx;
    char *s = NULL;

    if (!j || o->failed)
        goto fail;
    cJSON_AddStringToObject(j, "id", r->article->id ? r->article->id : "");
    cJSON_AddStringToObject(j, "file", r->article->file ? r->article->file : "");
    cJSON_AddNumberToObject(j, "line", (double)r->article->line);
    cJSON_AddBoolToObject(j, "lead_view", r->lead_view);
    cJSON_AddNumberToObject(j, "fold", r->fold);
    cJSON_AddNumberToObject(j, "tone", r->gold);
    cJSON_AddNumberToObject(j, "oof_regression", r->regression);
    if (!(lx = cJSON_AddObjectToObject(j, "lexicon")))
        goto fail;
    for (int k = 0; k < NC_TONE_LEXICON_FEATURES; k++)
        cJSON_AddNumberToObject(lx, nc_tone_lexicon_name(k), r->lexicon[k]);
    cJSON_AddNumberToObject(j, "oof_tone", r->tone);
    if (!(s = cJSON_PrintUnformatted(j)) || fputs(s, o->f.fp) == EOF ||
        fputc('\n', o->f.fp) == EOF)
        goto fail;
    free(s);
    cJSON_Delete(j);
    return;
fail:
    o->failed = 1;
    free(s);
    cJSON_Delete(j);
}

static void progress(const char *what, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "newsclass train: %s\n", what);
}

/* After the summary's table: the topics whose cross-validated C is the top of its grid, where
 * a grid reaching further might fit better (the choice cannot look past the grid's end). */
static void print_grid_top(const cJSON *topics, const nc_train_opts *o)
{
    const cJSON *solver = cJSON_GetObjectItemCaseSensitive(topics, "solver"), *l;
    nc_solver s;
    const double *grid;
    size_t n;
    const char *sep = "";

    if (o->C > 0 || !cJSON_IsString(solver) || cli_solver_of(solver->valuestring, &s) < 0 ||
        s == NC_SOLVER_AUTO)
        return;
    nc_train_c_grid(o, s, &grid, &n);
    if (n < 2)
        return;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(topics, "labels"))
    {
        const cJSON *C = cJSON_GetObjectItemCaseSensitive(l, "C");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(l, "name");
        if (!cJSON_IsNumber(C) || !cJSON_IsString(name) || C->valuedouble < grid[n - 1])
            continue;
        if (!*sep)
            fprintf(stderr, "  C is the top of its grid (%g) for ", grid[n - 1]);
        fprintf(stderr, "%s%s", sep, name->valuestring);
        sep = ", ";
    }
    if (*sep)
        fprintf(stderr, ";\n  a grid reaching further (--C-grid) may fit better: compare "
                        "with cross-validate\n");
}

static void print_summary(const nc_model *m, const nc_train_opts *o)
{
    char *card = nc_model_card_json(m);
    cJSON *j = card ? cJSON_Parse(card) : NULL;
    const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "training");
    const cJSON *feat = cJSON_GetObjectItemCaseSensitive(j, "features");
    const cJSON *topics = cJSON_GetObjectItemCaseSensitive(j, "topics");
    const cJSON *tone = cJSON_GetObjectItemCaseSensitive(j, "tone"), *l;

    if (!j)
        goto out;
    fprintf(stderr, "newsclass train: %d articles, %d features\n",
            cJSON_GetObjectItemCaseSensitive(tr, "articles")->valueint,
            cJSON_GetObjectItemCaseSensitive(feat, "features")->valueint);
    if (topics) {
        fprintf(stderr, "  %-16s %6s %7s %6s %6s %6s %6s %6s\n", "topic", "n", "C", "thr",
                "cv-P", "cv-R", "cv-F1", "ECE");
        cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(topics, "labels"))
        {
            const cJSON *cv = cJSON_GetObjectItemCaseSensitive(l, "cv");
            fprintf(stderr, "  %-16s %6d %7g %6.3f %6.3f %6.3f %6.3f %6.3f\n",
                    cJSON_GetObjectItemCaseSensitive(l, "name")->valuestring,
                    cJSON_GetObjectItemCaseSensitive(l, "articles")->valueint,
                    cJSON_GetObjectItemCaseSensitive(l, "C")->valuedouble,
                    cJSON_GetObjectItemCaseSensitive(l, "threshold")->valuedouble,
                    cJSON_GetObjectItemCaseSensitive(cv, "precision")->valuedouble,
                    cJSON_GetObjectItemCaseSensitive(cv, "recall")->valuedouble,
                    cJSON_GetObjectItemCaseSensitive(cv, "f1")->valuedouble,
                    cJSON_GetObjectItemCaseSensitive(cv, "ece")->valuedouble);
        }
        print_grid_top(topics, o);
    }
    if (tone) {
        const cJSON *cv = cJSON_GetObjectItemCaseSensitive(tone, "cv");
        fprintf(stderr, "  tone: %d articles, C=%g, cv Pearson %.3f, MAE %.3f, 3-class accuracy %.3f\n",
                cJSON_GetObjectItemCaseSensitive(tone, "articles")->valueint,
                cJSON_GetObjectItemCaseSensitive(tone, "C")->valuedouble,
                cJSON_GetObjectItemCaseSensitive(cv, "pearson")->valuedouble,
                cJSON_GetObjectItemCaseSensitive(cv, "mae")->valuedouble,
                cJSON_GetObjectItemCaseSensitive(cv, "accuracy3")->valuedouble);
    }
out:
    cJSON_Delete(j);
    free(card);
}

int cmd_train(int argc, char **argv)
{
    static const struct option own[] = {
        { "output", required_argument, NULL, 'o' },
        { "label-from-dir", no_argument, NULL, 'L' },
        { "tone-oof", required_argument, NULL, 'T' },
        { "input-format", required_argument, NULL, CLI_OPT_INPUT_FORMAT },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
    };
    struct option longopts[64];
    struct oof_out oof = { { NULL, NULL, NULL }, 0 };
    const char *oof_path = NULL;
    nc_train_opts o;
    nc_reader_opts ro = { 0 };
    nc_corpus corpus;
    nc_model *model = NULL;
    nc_error err = { 0 };
    const char *output = NULL;
    int quiet = 0, c, rc = CLI_EXIT_OK;

    cli_train_longopts_merge(longopts, sizeof longopts / sizeof longopts[0], own,
                             sizeof own / sizeof own[0]);

    cli_train_opts_default(&o);
    nc_corpus_init(&corpus);
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:C:qh", longopts, NULL)) != -1) {
        int r;
        switch (c) {
        case 'o': output = optarg; break;
        case 'L': ro.label_from_dir = 1; break;
        case CLI_OPT_INPUT_FORMAT:
            if (cli_input_format("train", optarg, &ro) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'T': oof_path = optarg; break;
        case 'q': quiet = 1; break;
        case 'h':
            fputs(cmd_train_usage, stdout);
            fputs(cli_train_opts_help, stdout);
            fputs(cli_feature_opts_help, stdout);
            return CLI_EXIT_OK;
        default:
            r = cli_train_opt("train", c, optarg, &o);
            if (r == 1)
                break;
            if (r == 0)
                fprintf(stderr, "try 'newsclass help train' for usage\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (!output)
        return cli_usage_error("train", "missing required option '--output'");
    if (cli_train_opts_check("train", &o) < 0 ||
        cli_stdin_once("train", argv + optind, argc - optind) < 0)
        return CLI_EXIT_USAGE;
    if (oof_path && strcmp(oof_path, output) == 0)
        return cli_usage_error("train", "--tone-oof and --output both name '%s'", output);
    /* a path the model cannot go to is found now, not after the training */
    if (nc_model_save_check(output, &err) < 0)
        return cli_error("train", &err);
    if (optind >= argc)
        return cli_usage_error("train", "no corpus given");

    for (int i = optind; i < argc; i++) {
        size_t before = corpus.n;
        if (nc_corpus_read(&corpus, argv[i], &ro, &err) < 0) {
            rc = cli_error("train", &err);
            goto out;
        }
        if (corpus.n == before) {
            rc = cli_errorf("train", "no articles in '%s'", argv[i]);
            goto out;
        }
    }
    cli_info(quiet, "train", "read %zu articles", corpus.n);
    if (oof_path) {
        size_t with_tone = 0;
        for (size_t i = 0; i < corpus.n; i++)
            with_tone += corpus.docs[i].has_tone != 0;
        if (!with_tone || o.tone == NC_TONE_OFF) {
            rc = cli_errorf("train", "--tone-oof: %s", with_tone ? "--no-tone trains no tone"
                                                                 : "no article carries a tone");
            goto out;
        }
        if (nc_outfile_open(&oof.f, oof_path, &err) < 0) {
            rc = cli_error("train", &err);
            goto out;
        }
        o.tone_oof = write_oof;
        o.tone_oof_ctx = &oof;
    }
    if (nc_train(corpus.docs, corpus.n, &o, !quiet && isatty(2) ? progress : NULL, NULL, &model,
                 &err) < 0) {
        rc = cli_error("train", &err);
        goto out;
    }
    if (nc_model_save(model, output, &err) < 0) {
        rc = cli_error("train", &err);
        goto out;
    }
    if (oof.f.fp) {
        if (oof.failed) {
            rc = cli_errorf("train", "cannot write '%s'", oof_path);
            goto out;
        }
        if (nc_outfile_commit(&oof.f, &err) < 0) {
            rc = cli_error("train", &err);
            goto out;
        }
        cli_info(quiet, "train", "cross-validated tone written to '%s'", oof_path);
    }
    if (!quiet) {
        print_summary(model, &o);
        fprintf(stderr, "newsclass train: model written to '%s'\n", output);
    }
out:
    if (oof.f.fp)
        nc_outfile_abort(&oof.f);
    nc_model_free(model);
    nc_corpus_finish(&corpus);
    return rc;
}
