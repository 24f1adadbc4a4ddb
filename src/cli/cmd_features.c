/* cmd_features.c: `newsclass features CORPUS... [-o OUT.svm] [--vocab V.tsv | --use-vocab V.tsv]`:
 * vectorise articles into LIBLINEAR/svmlight format ("label idx:val ...", 1-based ascending
 * indices), so the features can be checked with liblinear-train and other tools.
 *
 * Fitting a vocabulary streams the inputs twice (counting, then writing), so a corpus larger
 * than memory can be vectorised; standard input can be read only once, so it needs
 * --use-vocab. Labels are written as integers 1..K, sorted bytewise so the mapping is
 * deterministic; it is saved beside the vocabulary as
 * "<vocab>.labels" ("id<TAB>label") and read back with --use-vocab.
 * SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <newsclass/newsclass.h>
#include <newsclass/features.h>
#include <newsclass/model.h>

#include "cli.h"
#include "cli_train_opts.h"
#include "commands.h"
#include "util.h"

const char cmd_features_usage[] =
    "usage: newsclass features [OPTIONS] CORPUS... [-o OUT.svm]\n"
    "\n"
    "Turn articles into TF-IDF vectors in LIBLINEAR/svmlight format (one line per article:\n"
    "\"label index:value ...\", indices 1-based and ascending). Class labels are written as\n"
    "integers 1..K (sorted by name; 0 = unlabelled), the mapping saved in VOCAB.labels.\n"
    "\n"
    "  -o, --output=FILE      vectors (default: standard output); written atomically\n"
    "      --vocab=FILE       fit a vocabulary on the corpus and save it (and FILE.labels),\n"
    "                         with the feature options it was fitted with\n"
    "      --use-vocab=FILE   vectorise with an existing vocabulary and its idf (a test split);\n"
    "                         the feature options must be those it was fitted with\n"
    "      --target=TOPIC     multi-label corpora: write +1 / -1 for TOPIC (an error when no\n"
    "                         article carries it, a warning with --use-vocab)\n"
    "      --tone             write the tone score as the target (regression)\n"
    "      --linear-tf        linear tf (the tone features) instead of the topic weighting\n"
    "      --label-from-dir   in directories, the parent folder name is the label\n"
    CLI_INPUT_FORMAT_HELP
    "  -q, --quiet            no summary on stderr\n"
    "  -h, --help             show this help\n"
    "\n"
    "feature options (as in `newsclass train`): --ngrams=N --min-df=N --max-df=F\n"
    "  --max-features=N --hash-bits=B --no-title-features --stopwords --stem --char-ngrams=M-N\n"
    "  --no-sublinear-tf\n";

struct labelmap {
    char **names;
    size_t n, cap;
};

static int label_id(const struct labelmap *lm, const char *name)
{
    for (size_t i = 0; i < lm->n; i++)
        if (strcmp(lm->names[i], name) == 0)
            return (int)i + 1;
    return -1;
}

static int labelmap_add(struct labelmap *lm, const char *name)
{
    void *p = lm->names;
    if (label_id(lm, name) > 0)
        return 0;
    if (nc_grow(&p, &lm->cap, lm->n + 1, sizeof *lm->names) < 0)
        return -1;
    lm->names = p;
    if (!(lm->names[lm->n] = nc_strdup(name)))
        return -1;
    lm->n++;
    return 0;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void labelmap_free(struct labelmap *lm)
{
    for (size_t i = 0; i < lm->n; i++)
        free(lm->names[i]);
    free(lm->names);
}

static int read_labels(const char *path, struct labelmap *lm, nc_error *err)
{
    char *buf, *line, *save = NULL;
    long n = 0;
    int rc = nc_read_file(path, &buf, NULL, err);
    if (rc < 0)
        return rc;
    for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *tab = strchr(line, '\t');
        n++;
        if (!tab || atol(line) != n) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: expected '%ld<TAB>label'", path, n, n);
            break;
        }
        if (labelmap_add(lm, tab + 1) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            break;
        }
    }
    free(buf);
    return rc;
}

static int write_labels(const char *path, const struct labelmap *lm, nc_error *err)
{
    nc_outfile of;
    int rc = nc_outfile_open(&of, path, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < lm->n; i++)
        fprintf(of.fp, "%zu\t%s\n", i + 1, lm->names[i]);
    return nc_outfile_commit(&of, err);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LITTLE_ENDIAN_HOST 1
#else
#define LITTLE_ENDIAN_HOST 0
#endif

/* Two decimal digits per table entry: formatting pairs halves the divisions. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

/* Writes v in decimal at p; returns the end. */
static char *put_uint(char *p, unsigned long long v)
{
    size_t n;
    char *e;
    if (v < 10)
        return *p = (char)('0' + v), p + 1;
    n = v < 100 ? 2 : v < 1000 ? 3 : v < 10000 ? 4 : v < 100000 ? 5 : v < 1000000 ? 6 : 7;
    for (unsigned long long t = 10000000ULL; n == 7 && v >= t && t < 10000000000000000000ULL;
         t *= 10)
        n++;
    e = p + n;
    while (v >= 100) {
        e -= 2;
        memcpy(e, digit_pairs + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        e -= 2;
        memcpy(e, digit_pairs + 2 * v, 2);
    } else {
        *--e = (char)('0' + v);
    }
    return p + n;
}

/* "0000".."9999", filled once: a 4-digit group is one load. */
static char digits4[10000][4];

static void init_digits4(void)
{
    for (int i = 0; i < 10000; i++) {
        digits4[i][0] = (char)('0' + i / 1000);
        digits4[i][1] = (char)('0' + i / 100 % 10);
        digits4[i][2] = (char)('0' + i / 10 % 10);
        digits4[i][3] = (char)('0' + i % 10);
    }
}

/* The eight decimal digits of x < 10^8 as byte values 0..9, the most significant in the lowest
 * byte (so, plus '0' in every byte, the digits in reading order on a little-endian host). */
static inline uint64_t digits8(uint32_t x)
{
    uint32_t hi, lo;
    memcpy(&hi, digits4[x / 10000], 4);
    memcpy(&lo, digits4[x % 10000], 4);
    return ((uint64_t)hi | (uint64_t)lo << 32) - 0x3030303030303030ULL;
}

static inline void put8(char *p, uint64_t d)
{
    d += 0x3030303030303030ULL;
    memcpy(p, &d, 8);
}

/* " index:value" with the value to 8 decimals (trailing zeros dropped): printf's %g was a
 * third of this command's time. Values of L2-normalised vectors lie in [-1, 1]. Writes up to
 * 8 bytes past the returned length (the caller's buffer has room). */
static size_t format_pair(char *buf, int idx, double val)
{
    char *p = buf;
    unsigned long long fx;
    uint32_t frac;

    *p++ = ' ';
    if (LITTLE_ENDIAN_HOST && idx < 100000000) {
        uint64_t d = digits8((uint32_t)idx);
        int lead = __builtin_ctzll(d) >> 3; /* idx >= 1: d != 0 */
        put8(p, d >> (8 * lead));
        p += 8 - lead;
    } else {
        p = put_uint(p, (unsigned long long)(unsigned)idx);
    }
    *p++ = ':';
    if (val < 0) {
        *p++ = '-';
        val = -val;
    }
    if (!(val < 1e12)) /* not expected; keep it exact */
        return (size_t)(p - buf) + (size_t)snprintf(p, 24, "%.8g", val);
    fx = (unsigned long long)(val * 1e8 + 0.5);
    p = put_uint(p, fx / 100000000ULL);
    frac = (uint32_t)(fx % 100000000ULL);
    if (frac) {
        *p++ = '.';
        if (LITTLE_ENDIAN_HOST) {
            uint64_t d = digits8(frac);
            put8(p, d);
            p += 8 - (__builtin_clzll(d) >> 3); /* trailing zeros dropped */
        } else {
            char *e = p + 8;
            for (int i = 7; i >= 0; i--) {
                p[i] = (char)('0' + frac % 10);
                frac /= 10;
            }
            p = e;
            while (p[-1] == '0') /* the fraction is not 0: a non-zero digit stops this */
                p--;
        }
    }
    return (size_t)(p - buf);
}

int cmd_features(int argc, char **argv)
{
    enum { OPT_VOCAB = 1, OPT_USE_VOCAB, OPT_TARGET, OPT_TONE, OPT_LINEAR, OPT_LFD };
    static const struct option own[] = {
        { "output", required_argument, NULL, 'o' },
        { "vocab", required_argument, NULL, OPT_VOCAB },
        { "use-vocab", required_argument, NULL, OPT_USE_VOCAB },
        { "target", required_argument, NULL, OPT_TARGET },
        { "tone", no_argument, NULL, OPT_TONE },
        { "linear-tf", no_argument, NULL, OPT_LINEAR },
        { "label-from-dir", no_argument, NULL, OPT_LFD },
        { "input-format", required_argument, NULL, CLI_OPT_INPUT_FORMAT },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
    };
    struct option longopts[64];
    nc_train_opts to;
    nc_reader_opts ro = { 0 };
    nc_vectorizer *vec = NULL;
    nc_article a;
    nc_vector v;
    nc_error err = { 0 };
    nc_outfile of = { 0 }, vf = { 0 };
    struct labelmap lm = { 0 };
    const char *output = "-", *vocab = NULL, *use_vocab = NULL, *target = NULL;
    int tone = 0, linear = 0, quiet = 0, c, rc = CLI_EXIT_OK, out_open = 0, vocab_open = 0;
    size_t count = 0, nnz = 0, line_cap = 0, with_target = 0;
    char *line = NULL;

    cli_train_longopts_merge(longopts, sizeof longopts / sizeof longopts[0], own,
                             sizeof own / sizeof own[0]);
    cli_train_opts_default(&to);
    nc_article_init(&a);
    nc_vector_init(&v);

    optind = 0;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        int r;
        switch (c) {
        case 'o': output = optarg; break;
        case OPT_VOCAB: vocab = optarg; break;
        case OPT_USE_VOCAB: use_vocab = optarg; break;
        case OPT_TARGET: target = optarg; break;
        case OPT_TONE: tone = 1; break;
        case OPT_LINEAR: linear = 1; break;
        case OPT_LFD: ro.label_from_dir = 1; break;
        case CLI_OPT_INPUT_FORMAT:
            if (cli_input_format("features", optarg, &ro) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'q': quiet = 1; break;
        case 'h': fputs(cmd_features_usage, stdout); return CLI_EXIT_OK;
        default:
            r = cli_train_opt("features", c, optarg, &to);
            if (r == 1)
                break;
            if (r == 0)
                fprintf(stderr, "try 'newsclass help features' for usage\n");
            return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error("features", "no corpus given");
    if (vocab && use_vocab)
        return cli_usage_error("features", "--vocab and --use-vocab exclude each other");
    if (target && tone)
        return cli_usage_error("features", "--target and --tone exclude each other");
    if (to.features.char_max && to.features.hash_bits)
        return cli_usage_error("features", "--char-ngrams needs a vocabulary: not with "
                                           "--hash-bits");
    if (!use_vocab)
        for (int i = optind; i < argc; i++)
            if (strcmp(argv[i], "-") == 0)
                return cli_usage_error("features", "standard input can be read only once: "
                                                   "fitting a vocabulary needs files (or "
                                                   "--use-vocab)");

    /* the vocabulary: fitted (first pass) or loaded */
    if (use_vocab) {
        char lpath[4096];
        if (nc_vectorizer_read(use_vocab, &to.features, &vec, &err) < 0) {
            rc = cli_error("features", &err);
            goto out;
        }
        snprintf(lpath, sizeof lpath, "%s.labels", use_vocab);
        if (!target && !tone && read_labels(lpath, &lm, &err) < 0 && err.code != NC_EIO) {
            rc = cli_error("features", &err);
            goto out;
        }
    } else {
        if (nc_vectorizer_new(&to.features, &vec, &err) < 0) {
            rc = cli_error("features", &err);
            goto out;
        }
        for (int i = optind; i < argc; i++) {
            nc_reader *r = NULL;
            int st;
            if (nc_reader_open(argv[i], &ro, &r, &err) < 0) {
                rc = cli_error("features", &err);
                goto out;
            }
            while ((st = nc_reader_next(r, &a, &err)) > 0) {
                if (nc_vectorizer_fit_article(vec, &a, &err) < 0) {
                    st = -1;
                    break;
                }
                for (size_t t = 0; t < a.ntopics; t++)
                    if (labelmap_add(&lm, a.topics[t]) < 0) {
                        st = nc_err(&err, NC_ENOMEM, "out of memory");
                        break;
                    }
            }
            nc_reader_free(r);
            if (st < 0) {
                rc = cli_error("features", &err);
                goto out;
            }
        }
        if (nc_vectorizer_ndocs(vec) == 0) {
            rc = cli_no_articles("features", argv + optind, argc - optind);
            goto out;
        }
        if (nc_vectorizer_finish(vec, &err) < 0) {
            rc = cli_error("features", &err);
            goto out;
        }
        if (lm.n)
            qsort(lm.names, lm.n, sizeof *lm.names, cmp_strp);
    }

    /* the vocabulary is written (not yet renamed into place) before the vectors, so that a path
     * it cannot go to is found before they stream out */
    if (vocab) {
        if (nc_outfile_open(&vf, vocab, &err) < 0) {
            rc = cli_error("features", &err);
            goto out;
        }
        vocab_open = 1;
        if (nc_vectorizer_write_settings(vec, vf.fp, &err) < 0) {
            rc = cli_error("features", &err);
            goto out;
        }
    }
    /* second pass: write vectors */
    if (nc_vector_reserve(&v, vec, &err) < 0 || nc_outfile_open(&of, output, &err) < 0) {
        rc = cli_error("features", &err);
        goto out;
    }
    out_open = 1;
    init_digits4();
    /* a line per article of several KB: with stdio's default buffer (4 KB for a device or a
     * pipe) every line would be its own write(2) */
    setvbuf(of.fp, NULL, _IOFBF, (size_t)1 << 20);
    for (int i = optind; i < argc; i++) {
        nc_reader *r = NULL;
        int st;
        if (nc_reader_open(argv[i], &ro, &r, &err) < 0) {
            rc = cli_error("features", &err);
            goto out;
        }
        while ((st = nc_reader_next(r, &a, &err)) > 0) {
            if (nc_vectorizer_transform(vec, &a, linear ? NC_WEIGHT_TFIDF_LINEAR : NC_WEIGHT_TFIDF,
                                        &v, &err) < 0) {
                st = -1;
                break;
            }
            if (tone) {
                if (!a.has_tone) {
                    st = nc_err(&err, NC_EFORMAT, "%s:%ld: article has no 'tone'", a.file,
                                a.line);
                    break;
                }
                fprintf(of.fp, "%.6g", a.tone);
            } else if (target) {
                int has = 0;
                for (size_t t = 0; t < a.ntopics; t++)
                    has |= strcmp(a.topics[t], target) == 0;
                fputs(has ? "+1" : "-1", of.fp);
                with_target += has;
            } else if (a.ntopics == 0) {
                fputs("0", of.fp);
            } else if (a.ntopics == 1) {
                int id = label_id(&lm, a.topics[0]);
                if (id < 0) {
                    st = nc_err(&err, NC_EFORMAT,
                                "%s:%ld: label '%s' is not in the vocabulary's label list",
                                a.file, a.line, a.topics[0]);
                    break;
                }
                fprintf(of.fp, "%d", id);
            } else {
                st = nc_err(&err, NC_EINVAL,
                            "%s:%ld: article has %zu labels: use --target TOPIC for "
                            "multi-label corpora",
                            a.file, a.line, a.ntopics);
                break;
            }
            /* the whole line in one buffer, one fwrite */
            if (line_cap < v.n * 40 + 16) {
                char *p = realloc(line, v.n * 40 + 16);
                if (!p) {
                    st = nc_err(&err, NC_ENOMEM, "out of memory");
                    break;
                }
                line = p;
                line_cap = v.n * 40 + 16;
            }
            {
                size_t len = 0;
                for (size_t j = 0; j < v.n; j++)
                    len += format_pair(line + len, v.idx[j], v.val[j]);
                line[len++] = '\n';
                fwrite(line, 1, len, of.fp);
            }
            count++;
            nnz += v.n;
        }
        nc_reader_free(r);
        if (st < 0) {
            rc = cli_error("features", &err);
            goto out;
        }
    }
    /* a misspelt topic would give every article -1: when fitting, that is an error; on a test
     * split (--use-vocab) a topic may be absent, so it is said but written */
    if (target && with_target == 0) {
        if (!use_vocab) {
            rc = cli_errorf("features", "no article carries the topic '%s' (--target)", target);
            goto out;
        }
        cli_info(0, "features", "warning: no article carries the topic '%s' (--target): every "
                                "target is -1", target);
    }
    out_open = 0;
    if (nc_outfile_commit(&of, &err) < 0) {
        rc = cli_error("features", &err);
        goto out;
    }
    if (vocab) {
        char lpath[4096];
        vocab_open = 0;
        if (nc_outfile_commit(&vf, &err) < 0) {
            rc = cli_error("features", &err);
            goto out;
        }
        snprintf(lpath, sizeof lpath, "%s.labels", vocab);
        if (lm.n && write_labels(lpath, &lm, &err) < 0) {
            rc = cli_error("features", &err);
            goto out;
        }
    }
    cli_info(quiet, "features", "%zu articles, %zu features, %.1f non-zeros per article", count,
             nc_vectorizer_size(vec), count ? (double)nnz / (double)count : 0.0);
out:
    if (out_open)
        nc_outfile_abort(&of);
    if (vocab_open)
        nc_outfile_abort(&vf);
    free(line);
    labelmap_free(&lm);
    nc_vector_finish(&v);
    nc_article_finish(&a);
    nc_vectorizer_free(vec);
    return rc;
}
