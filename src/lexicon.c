/* lexicon.c: a tone lexicon and the article features computed from it.
 *
 * The tone model is a support vector regression over TF-IDF n-grams; a corpus of a few
 * thousand articles cannot teach it the valence of every evaluative word a reader knows, so a
 * hand-written lexicon (training-data/tone-lexicon.tsv, written for this project) supplies
 * four dense, length-invariant features that train.c stacks with the regression's output,
 * and the text's shortness (from its number of distinct words), through which the stack lets
 * the regression count for less on short texts.
 * Words are matched after the tokenizer's normalisation (case folding, NFKC), without stop-word
 * removal or stemming.
 * SPDX-License-Identifier: MIT */
#include "lexicon.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <newsclass/features.h>

#include "util.h"

struct nc_lexicon {
    char **words;     /* sorted */
    double *val;
    size_t n;
    uint32_t *slots;  /* index + 1 */
    size_t nslots;
};

static uint64_t h(const char *s, size_t n)
{
    return nc_fnv1a(s, n, NC_FNV_OFFSET);
}

static long find(const nc_lexicon *lx, const char *s, size_t n)
{
    size_t j;
    if (!lx->nslots)
        return -1;
    j = (size_t)h(s, n) & (lx->nslots - 1);
    while (lx->slots[j]) {
        size_t i = lx->slots[j] - 1;
        if (strlen(lx->words[i]) == n && memcmp(lx->words[i], s, n) == 0)
            return (long)i;
        j = (j + 1) & (lx->nslots - 1);
    }
    return -1;
}

void nc_lexicon_free(nc_lexicon *lx)
{
    if (!lx)
        return;
    for (size_t i = 0; i < lx->n; i++)
        free(lx->words[i]);
    free(lx->words);
    free(lx->val);
    free(lx->slots);
    free(lx);
}

size_t nc_lexicon_size(const nc_lexicon *lx)
{
    return lx ? lx->n : 0;
}

int nc_lexicon_read(const char *path, nc_lexicon **out, nc_error *err)
{
    char *buf = NULL, *line, *save = NULL;
    nc_lexicon *lx = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc;

    *out = NULL;
    if ((rc = nc_read_file(path, &buf, NULL, err)) < 0)
        return rc;
    if (!(lx = calloc(1, sizeof *lx))) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    /* count lines by hand: strtok_r would skip blank lines and lose the numbering */
    for (line = buf; line && *line; line = save) {
        char *nl = strchr(line, '\n'), *tab, *end;
        double v;
        save = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        lineno++;
        if (nl && nl > line && nl[-1] == '\r')
            nl[-1] = '\0';
        if (!*line || *line == '#')
            continue;
        tab = strchr(line, '\t');
        if (!tab || tab == line) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: expected 'word<TAB>valence'", path, lineno);
            goto out;
        }
        *tab = '\0';
        errno = 0;
        v = strtod(tab + 1, &end);
        if (errno || end == tab + 1 || *end || !(v >= -1 && v <= 1)) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: valence must be a number in [-1, 1]", path,
                        lineno);
            goto out;
        }
        void *pw = lx->words, *pv = lx->val;
        size_t c2 = cap;
        if (nc_grow(&pw, &c2, lx->n + 1, sizeof *lx->words) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        lx->words = pw;
        c2 = cap;
        if (nc_grow(&pv, &c2, lx->n + 1, sizeof *lx->val) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        lx->val = pv;
        cap = c2;
        if (!(lx->words[lx->n] = nc_strdup(line))) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        lx->val[lx->n++] = v;
    }
    lx->nslots = 16;
    while (lx->nslots < lx->n * 2 + 2)
        lx->nslots *= 2;
    if (!(lx->slots = calloc(lx->nslots, sizeof *lx->slots))) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < lx->n; i++) {
        size_t n = strlen(lx->words[i]);
        if (find(lx, lx->words[i], n) >= 0) {
            rc = nc_err(err, NC_EFORMAT, "%s: duplicate word '%s'", path, lx->words[i]);
            goto out;
        }
        size_t j = (size_t)h(lx->words[i], n) & (lx->nslots - 1);
        while (lx->slots[j])
            j = (j + 1) & (lx->nslots - 1);
        lx->slots[j] = (uint32_t)i + 1;
    }
    *out = lx;
    lx = NULL;
out:
    nc_lexicon_free(lx);
    free(buf);
    return rc;
}

int nc_lexicon_write(const nc_lexicon *lx, FILE *fp, nc_error *err)
{
    fputs("# newsclass tone lexicon (word<TAB>valence)\n", fp);
    for (size_t i = 0; i < lx->n; i++)
        fprintf(fp, "%s\t%.17g\n", lx->words[i], lx->val[i]);
    if (ferror(fp))
        return nc_err(err, NC_EIO, "cannot write lexicon: %s", strerror(errno));
    return NC_OK;
}

struct lexwalk {
    const nc_lexicon *lx;
    double sum, pos, neg;
    size_t tokens, hits;
    int since_neg; /* tokens since the last negator in this sentence; large = none */
    size_t types;  /* distinct words seen, up to NC_LEX_TYPES_CAP */
    uint64_t seen[2 * NC_LEX_TYPES_CAP]; /* their hashes + 1 (0: empty), open addressing */
};

/* Count t among the distinct words, until NC_LEX_TYPES_CAP of them (a long article's
 * shortness is near 0 either way, and the table stays on the stack). */
static void count_type(struct lexwalk *w, const char *s, size_t n)
{
    const size_t mask = 2 * NC_LEX_TYPES_CAP - 1;
    uint64_t hv = h(s, n) | 1; /* never 0 */
    size_t j;
    if (w->types >= NC_LEX_TYPES_CAP)
        return;
    for (j = (size_t)hv & mask; w->seen[j]; j = (j + 1) & mask)
        if (w->seen[j] == hv)
            return;
    w->seen[j] = hv;
    w->types++;
}

static int is_negator(const char *s, size_t n)
{
    static const char *const neg[] = { "not", "no", "never", "without", "nor", "neither",
                                       "cannot", "hardly" };
    for (size_t i = 0; i < sizeof neg / sizeof neg[0]; i++)
        if (strlen(neg[i]) == n && memcmp(neg[i], s, n) == 0)
            return 1;
    return n > 3 && memcmp(s + n - 3, "n't", 3) == 0;
}

static int on_tok(const nc_token *t, void *ctx)
{
    struct lexwalk *w = ctx;
    long i;
    if (t->sentence_start)
        w->since_neg = 100;
    w->tokens++;
    count_type(w, t->text, t->len);
    if (is_negator(t->text, t->len)) {
        w->since_neg = 0;
        return 0;
    }
    w->since_neg++;
    i = find(w->lx, t->text, t->len);
    if (i >= 0) {
        double v = w->lx->val[i];
        if (w->since_neg <= 3)
            v = -0.5 * v;
        w->sum += v;
        w->hits++;
        if (v < 0)
            w->neg++;
        else if (v > 0)
            w->pos++;
    }
    return 0;
}

double nc_tone_stack_weight(const double stack[NC_STACK_N], const double f[NC_LEX_NOUT])
{
    return stack[1] + stack[2 + NC_LEX_NFEAT] * f[NC_LEX_SHORT];
}

double nc_tone_stack(const double stack[NC_STACK_N], double score, const double f[NC_LEX_NOUT])
{
    double t = stack[0] + nc_tone_stack_weight(stack, f) * score;
    for (int k = 0; k < NC_LEX_NFEAT; k++)
        t += stack[2 + k] * f[k];
    return t;
}

void nc_lexicon_features(const nc_lexicon *lx, const nc_article *a, double f[NC_LEX_NOUT])
{
    struct lexwalk w;
    memset(&w, 0, sizeof w);
    w.lx = lx;
    w.since_neg = 100;
    if (a->title && a->title[0])
        nc_tokenize(a->title, strlen(a->title), NULL, on_tok, &w);
    w.since_neg = 100;
    if (a->text && a->text[0])
        nc_tokenize(a->text, strlen(a->text), NULL, on_tok, &w);
    f[0] = w.hits ? w.sum / (double)w.hits : 0.0;
    f[1] = w.tokens ? 10.0 * w.sum / (double)w.tokens : 0.0;
    f[2] = w.tokens ? w.neg / (double)w.tokens : 0.0;
    f[3] = w.tokens ? w.pos / (double)w.tokens : 0.0;
    f[NC_LEX_SHORT] = 20.0 / (20.0 + (double)w.types);
}
