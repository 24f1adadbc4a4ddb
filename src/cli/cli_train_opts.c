/* cli_train_opts.c: parse the training options shared by `train` and `cross-validate`.
 * SPDX-License-Identifier: MIT */
#include "cli_train_opts.h"

#include <string.h>
#include <unistd.h>

#include "cli.h"

enum {
    OPT_C = 1000, OPT_C_GRID, OPT_TONE_C, OPT_SOLVER, OPT_FOLDS, OPT_SEED, OPT_NGRAMS, OPT_MIN_DF,
    OPT_MAX_DF, OPT_MAX_FEATURES, OPT_HASH_BITS, OPT_NO_TITLE, OPT_STOPWORDS, OPT_TOPIC_STOPWORDS, OPT_STEM,
    OPT_NO_SUBLINEAR, OPT_NO_BALANCE, OPT_NO_CALIBRATE, OPT_NO_THRESHOLDS, OPT_NO_TONE,
    OPT_MULTILABEL, OPT_MULTICLASS, OPT_LEAD_VIEWS, OPT_LEXICON, OPT_PRIOR, OPT_THREADS,
    OPT_TONE_FILE_FOLDS, OPT_TOPIC_FILE_FOLDS, OPT_NO_CHANGE_WORDS, OPT_TONE_BASELINE,
    OPT_THRESHOLD_WINDOW, OPT_THRESHOLD_REPEATS, OPT_CHAR_NGRAMS
};

const struct option cli_train_longopts[] = {
    { "C", required_argument, NULL, OPT_C },
    { "C-grid", required_argument, NULL, OPT_C_GRID },
    { "tone-C", required_argument, NULL, OPT_TONE_C },
    { "solver", required_argument, NULL, OPT_SOLVER },
    { "folds", required_argument, NULL, OPT_FOLDS },
    { "seed", required_argument, NULL, OPT_SEED },
    { "ngrams", required_argument, NULL, OPT_NGRAMS },
    { "min-df", required_argument, NULL, OPT_MIN_DF },
    { "max-df", required_argument, NULL, OPT_MAX_DF },
    { "max-features", required_argument, NULL, OPT_MAX_FEATURES },
    { "hash-bits", required_argument, NULL, OPT_HASH_BITS },
    { "no-title-features", no_argument, NULL, OPT_NO_TITLE },
    { "stopwords", no_argument, NULL, OPT_STOPWORDS },
    { "topic-stopwords", no_argument, NULL, OPT_TOPIC_STOPWORDS },
    { "stem", no_argument, NULL, OPT_STEM },
    { "char-ngrams", required_argument, NULL, OPT_CHAR_NGRAMS },
    { "no-sublinear-tf", no_argument, NULL, OPT_NO_SUBLINEAR },
    { "no-class-weights", no_argument, NULL, OPT_NO_BALANCE },
    { "no-calibration", no_argument, NULL, OPT_NO_CALIBRATE },
    { "no-thresholds", no_argument, NULL, OPT_NO_THRESHOLDS },
    { "no-tone", no_argument, NULL, OPT_NO_TONE },
    { "multi-label", no_argument, NULL, OPT_MULTILABEL },
    { "multi-class", no_argument, NULL, OPT_MULTICLASS },
    { "lead-views", optional_argument, NULL, OPT_LEAD_VIEWS },
    { "tone-file-folds", no_argument, NULL, OPT_TONE_FILE_FOLDS },
    { "topic-file-folds", no_argument, NULL, OPT_TOPIC_FILE_FOLDS },
    { "tone-lexicon", required_argument, NULL, OPT_LEXICON },
    { "no-change-words", no_argument, NULL, OPT_NO_CHANGE_WORDS },
    { "tone-baseline", required_argument, NULL, OPT_TONE_BASELINE },
    { "threshold-window", required_argument, NULL, OPT_THRESHOLD_WINDOW },
    { "threshold-repeats", required_argument, NULL, OPT_THRESHOLD_REPEATS },
    { "prior", required_argument, NULL, OPT_PRIOR },
    { "threads", required_argument, NULL, OPT_THREADS },
    { NULL, 0, NULL, 0 }
};

const char cli_train_opts_help[] =
    "training options:\n"
    "  -C, --C=C              regularisation for topics (default: chosen by cross-validation\n"
    "                         from 2, 8, 32, 128, 512 for lr; 0.125, 0.5, 2, 8 for svm)\n"
    "      --C-grid=C1,C2,... choose the topics' C from these values instead (increasing,\n"
    "                         at most 12; ties go to the smaller C)\n"
    "      --tone-C=C         regularisation for tone (default: cross-validated, 0.1..10)\n"
    "      --solver=S         auto (default: svm for multi-class, lr for multi-label),\n"
    "                         lr (logistic regression), lr-dual, svm (L2-loss SVM)\n"
    "      --folds=K          cross-validation folds for C, calibration, thresholds (5)\n"
    "      --seed=N           seed for folds and solvers (1)\n"
    "      --threads=N        fit topics and tone on N threads (default: the number of\n"
    "                         processors); the model is identical for any N\n"
    "      --multi-label      one-vs-rest topics with thresholds (default when articles\n"
    "                         carry topic lists)\n"
    "      --multi-class      one label per article (default when every article has one)\n"
    "      --no-class-weights do not balance class weights\n"
    "      --no-calibration   do not Platt-calibrate probabilities\n"
    "      --no-thresholds    threshold 0.5 for every topic instead of tuned ones\n"
    "      --threshold-window=H  tuned thresholds maximise the F1 curve averaged over\n"
    "                         +-H, steadier than its exact maximum (0..0.5; 0.1; 0: exact)\n"
    "      --threshold-repeats=R  fit Platt and the thresholds on the out-of-fold scores of\n"
    "                         R fold assignments pooled (1..10; 3)\n"
    "      --no-tone          do not train tone even if the corpus has it\n"
    "      --prior=P          multi-label: expected share of articles carrying each topic\n"
    "                         in use (0..1); probabilities and thresholds are shifted from\n"
    "                         the training corpus's share to P (default: no shift)\n"
    "      --tone-lexicon=F   stack the tone regression with features of a lexicon\n"
    "                         (\"word<TAB>valence\" lines); saved in the bundle\n"
    "      --no-change-words  lexicon words moved by a change word (\"deaths fell\",\n"
    "                         \"hopes faded\", \"the toll rose\") count as they are\n"
    "      --tone-baseline=W  with a lexicon, the regression learns the label less W times\n"
    "                         a lexicon-only fit, so the lexicon keeps more of the weight\n"
    "                         (0..1; default 0.5; 0: the label itself)\n"
    "      --tone-file-folds  tone's cross-validation (its C, the lexicon stack, the scale,\n"
    "                         the 90% interval) holds out whole input files, so they are\n"
    "                         judged on text unlike what was learnt; needs FOLDS files\n"
    "      --topic-file-folds the topics' cross-validation (C, calibration, thresholds,\n"
    "                         the card's figures) holds out whole input files; needs FOLDS\n"
    "                         files\n"
    "      --lead-views[=N]   also train on each long article's leads: its headline with\n"
    "                         its first sentence, first two, ... first N (1..3; 1), so\n"
    "                         short items are scored like long ones\n";

/* apart from the training options: one string literal may hold only 4095 characters in C11 */
const char cli_feature_opts_help[] =
    "feature options:\n"
    "      --ngrams=N         word n-grams 1..N, N in 1..3 (2)\n"
    "      --min-df=N         drop terms in fewer than N articles (2)\n"
    "      --max-df=F         drop terms in more than fraction F of articles (1.0)\n"
    "      --max-features=N   keep the N most frequent terms (all)\n"
    "      --hash-bits=B      hashed features, 2^B buckets, B in 10..28 (off: vocabulary)\n"
    "      --no-title-features  do not add headline-marked features\n"
    "      --stopwords        drop English stop words\n"
    "      --topic-stopwords  keep stop words, but the topic models ignore the features made\n"
    "                         only of them (tone still uses them); not with --stem or --hash-bits\n"
    "      --stem             Snowball English stemming\n"
    "      --char-ngrams=M-N  also character n-grams of M to N characters within words\n"
    "                         (not stop words), 1 <= M <= N <= 8 (3-5 is usual; off); each\n"
    "                         block normalised apart; not with --hash-bits\n"
    "      --no-sublinear-tf  raw term counts instead of 1 + ln(tf)\n";

size_t cli_train_longopts_merge(struct option *dst, size_t cap, const struct option *own,
                                size_t nown)
{
    size_t k = 0;
    for (size_t i = 0; i < nown && k + 1 < cap; i++)
        dst[k++] = own[i];
    for (size_t i = 0; cli_train_longopts[i].name && k + 1 < cap; i++)
        dst[k++] = cli_train_longopts[i];
    memset(&dst[k], 0, sizeof dst[k]);
    return k;
}

void cli_train_opts_default(nc_train_opts *o)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    nc_train_opts_default(o);
    o->threads = n < 1 ? 1 : n > 16 ? 16 : (int)n;
}

int cli_solver_of(const char *name, nc_solver *s)
{
    static const struct {
        const char *name;
        nc_solver s;
    } solvers[] = { { "auto", NC_SOLVER_AUTO },
                    { "lr", NC_SOLVER_LR },
                    { "lr-dual", NC_SOLVER_LR_DUAL },
                    { "svm", NC_SOLVER_SVM } };
    for (size_t i = 0; i < sizeof solvers / sizeof *solvers; i++)
        if (strcmp(name, solvers[i].name) == 0) {
            *s = solvers[i].s;
            return 0;
        }
    return -1;
}

/* --C-grid: comma-separated C values, increasing. */
static int parse_c_grid(const char *cmd, const char *arg, nc_train_opts *o)
{
    char buf[64];
    const char *p = arg;
    size_t n = 0;

    for (;;) {
        size_t len = strcspn(p, ",");
        double d;
        if (n == NC_C_GRID_MAX)
            return cli_usage_error(cmd, "--C-grid takes at most %d values, not '%s'",
                                   NC_C_GRID_MAX, arg), -1;
        if (len == 0 || len >= sizeof buf)
            return cli_usage_error(cmd, "--C-grid needs numbers separated by commas, not '%s'",
                                   arg), -1;
        memcpy(buf, p, len);
        buf[len] = '\0';
        if (cli_parse_double(buf, 1e-6, 1e6, &d) < 0)
            return cli_usage_error(cmd, "--C-grid: '%s' is not a number in (0, 1e6]", buf), -1;
        if (n > 0 && !(d > o->C_grid[n - 1]))
            return cli_usage_error(cmd, "--C-grid values must increase ('%s' follows %g)", buf,
                                   o->C_grid[n - 1]), -1;
        o->C_grid[n++] = d;
        if (p[len] == '\0')
            break;
        p += len + 1;
    }
    o->C_grid_len = n;
    return 1;
}

int cli_train_opt(const char *cmd, int c, const char *arg, nc_train_opts *o)
{
    long l;
    double d;

    switch (c) {
    case 'C':
    case OPT_C:
        if (cli_parse_double(arg, 1e-6, 1e6, &d) < 0)
            return cli_usage_error(cmd, "-C needs a number in (0, 1e6], not '%s'", arg), -1;
        o->C = d;
        return 1;
    case OPT_C_GRID:
        return parse_c_grid(cmd, arg, o);
    case OPT_TONE_C:
        if (cli_parse_double(arg, 1e-6, 1e6, &d) < 0)
            return cli_usage_error(cmd, "--tone-C needs a number in (0, 1e6], not '%s'", arg), -1;
        o->tone_C = d;
        return 1;
    case OPT_SOLVER:
        if (cli_solver_of(arg, &o->solver) < 0)
            return cli_usage_error(cmd, "unknown solver '%s' (auto, lr, lr-dual, svm)", arg), -1;
        return 1;
    case OPT_FOLDS:
        if (cli_parse_long(arg, 2, 20, &l) < 0)
            return cli_usage_error(cmd, "--folds needs a whole number in 2..20, not '%s'", arg), -1;
        o->folds = (int)l;
        return 1;
    case OPT_SEED:
        if (cli_parse_long(arg, 0, 2147483647L, &l) < 0)
            return cli_usage_error(cmd, "--seed needs a whole number in 0..2147483647, not '%s'", arg), -1;
        o->seed = (unsigned long)l;
        return 1;
    case OPT_NGRAMS:
        if (cli_parse_long(arg, 1, 3, &l) < 0)
            return cli_usage_error(cmd, "--ngrams needs 1, 2 or 3, not '%s'", arg), -1;
        o->features.ngram_max = (int)l;
        return 1;
    case OPT_MIN_DF:
        if (cli_parse_long(arg, 1, 1000000, &l) < 0)
            return cli_usage_error(cmd, "--min-df needs a whole number >= 1, not '%s'", arg), -1;
        o->features.min_df = (int)l;
        return 1;
    case OPT_MAX_DF:
        if (cli_parse_double(arg, 1e-9, 1.0, &d) < 0)
            return cli_usage_error(cmd, "--max-df needs a fraction in (0, 1], not '%s'", arg), -1;
        o->features.max_df = d;
        return 1;
    case OPT_MAX_FEATURES:
        if (cli_parse_long(arg, 1, 2000000000L, &l) < 0)
            return cli_usage_error(cmd, "--max-features needs a whole number >= 1, not '%s'", arg),
                   -1;
        o->features.max_features = (size_t)l;
        return 1;
    case OPT_HASH_BITS:
        if (cli_parse_long(arg, 10, 28, &l) < 0)
            return cli_usage_error(cmd, "--hash-bits needs a whole number in 10..28, not '%s'", arg),
                   -1;
        o->features.hash_bits = (int)l;
        return 1;
    case OPT_NO_TITLE: o->features.title_features = 0; return 1;
    case OPT_STOPWORDS: o->features.stopwords = 1; return 1;
    case OPT_TOPIC_STOPWORDS: o->topic_stopwords = 1; return 1;
    case OPT_STEM: o->features.stem = 1; return 1;
    case OPT_CHAR_NGRAMS: {
        /* "M-N" or "N" (N-N) */
        char lo[16], *dash;
        long m, n;
        if (strlen(arg) >= sizeof lo)
            goto bad_chars;
        strcpy(lo, arg);
        dash = strchr(lo, '-');
        if (dash)
            *dash = '\0';
        if (cli_parse_long(lo, 1, 8, &m) < 0 || cli_parse_long(dash ? dash + 1 : lo, 1, 8, &n) < 0 ||
            m > n)
            goto bad_chars;
        o->features.char_min = (int)m;
        o->features.char_max = (int)n;
        return 1;
    bad_chars:
        return cli_usage_error(cmd, "--char-ngrams needs M-N with 1 <= M <= N <= 8 (as 3-5), "
                                    "not '%s'", arg),
               -1;
    }
    case OPT_NO_SUBLINEAR: o->features.sublinear_tf = 0; return 1;
    case OPT_NO_BALANCE: o->balanced = 0; return 1;
    case OPT_NO_CALIBRATE: o->calibrate = 0; return 1;
    case OPT_NO_THRESHOLDS: o->tune_thresholds = 0; return 1;
    case OPT_NO_TONE: o->tone = NC_TONE_OFF; return 1;
    case OPT_MULTILABEL:
    case OPT_MULTICLASS: {
        nc_topic_mode m = c == OPT_MULTILABEL ? NC_TOPICS_MULTILABEL : NC_TOPICS_MULTICLASS;
        if (o->topic_mode != NC_TOPICS_NONE && o->topic_mode != m)
            return cli_usage_error(cmd, "--multi-label and --multi-class exclude each other"), -1;
        o->topic_mode = m;
        return 1;
    }
    case OPT_LEAD_VIEWS:
        if (!arg) {
            o->lead_views = 1;
            return 1;
        }
        if (cli_parse_long(arg, 1, 3, &l) < 0)
            return cli_usage_error(cmd, "--lead-views needs 1, 2 or 3, not '%s'", arg), -1;
        o->lead_views = (int)l;
        return 1;
    case OPT_TONE_FILE_FOLDS: o->tone_file_folds = 1; return 1;
    case OPT_TOPIC_FILE_FOLDS: o->topic_file_folds = 1; return 1;
    case OPT_LEXICON: o->tone_lexicon = arg; return 1;
    case OPT_NO_CHANGE_WORDS: o->change_words = 0; return 1;
    case OPT_THRESHOLD_REPEATS:
        if (cli_parse_long(arg, 1, 10, &l) < 0)
            return cli_usage_error(cmd, "--threshold-repeats needs a whole number in 1..10, not "
                                        "'%s'", arg),
                   -1;
        o->threshold_repeats = (int)l;
        return 1;
    case OPT_THRESHOLD_WINDOW:
        if (cli_parse_double(arg, 0, 0.5, &d) < 0)
            return cli_usage_error(cmd, "--threshold-window needs a number in [0, 0.5], not '%s'",
                                   arg),
                   -1;
        o->threshold_window = d;
        return 1;
    case OPT_TONE_BASELINE:
        if (cli_parse_double(arg, 0, 1, &d) < 0)
            return cli_usage_error(cmd, "--tone-baseline needs a weight in [0, 1], not '%s'",
                                   arg),
                   -1;
        o->tone_baseline = d;
        return 1;
    case OPT_THREADS:
        if (cli_parse_long(arg, 1, 16, &l) < 0)
            return cli_usage_error(cmd, "--threads needs a whole number in 1..16, not '%s'", arg),
                   -1;
        o->threads = (int)l;
        return 1;
    case OPT_PRIOR:
        if (cli_parse_double(arg, 1e-4, 0.9999, &d) < 0)
            return cli_usage_error(cmd, "--prior needs a share in (0, 1), not '%s'", arg), -1;
        o->prior = d;
        return 1;
    default: return 0;
    }
}

int cli_train_opts_check(const char *cmd, const nc_train_opts *o)
{
    if (o->tone == NC_TONE_OFF && o->tone_lexicon)
        return cli_usage_error(cmd, "--tone-lexicon is for the tone, which --no-tone leaves "
                                    "out"),
               -1;
    /* the library refuses these too (nc_train, exit 1 after reading the corpus); here they are
     * caught as the usage errors they are, before anything is read */
    if (o->topic_stopwords && o->features.hash_bits)
        return cli_usage_error(cmd, "--topic-stopwords needs a vocabulary: not with "
                                    "--hash-bits"),
               -1;
    if (o->features.char_max && o->features.hash_bits)
        return cli_usage_error(cmd, "--char-ngrams needs a vocabulary: not with --hash-bits"),
               -1;
    if (o->topic_stopwords && o->features.stem)
        return cli_usage_error(cmd, "--topic-stopwords matches words, not stems: not with "
                                    "--stem"),
               -1;
    if (o->C > 0 && o->C_grid_len > 0)
        return cli_usage_error(cmd, "-C fixes C and --C-grid is for choosing it: give one "
                                    "of them"),
               -1;
    return 0;
}
