/* lexicon.c: a tone lexicon and the article features computed from it.
 *
 * The tone model is a support vector regression over TF-IDF n-grams; a corpus of a few
 * thousand articles cannot teach it the valence of every evaluative word a reader knows, so a
 * hand-written lexicon (training-data/tone-lexicon.tsv, written for this project) supplies
 * four dense, length-invariant features that train.c stacks with the regression's output,
 * and the text's shortness (from its number of distinct words), through which the stack lets
 * the regression count for less on short texts.
 * Words are matched after the tokenizer's normalisation (case folding, NFKC), without stop-word
 * removal or stemming. Two rules read a word in its context: negators (below) and change
 * words, which turn "unemployment fell" into good news and "the death toll rose" into bad.
 * SPDX-License-Identifier: MIT */
#include "lexicon.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <newsclass/features.h>

#include "util.h"

struct nc_lexicon {
    char **words;     /* sorted */
    double *val;
    size_t n;
    uint32_t *slots;  /* index + 1 */
    uint64_t *shash;  /* each slot's word's hash and length, compared before the word */
    size_t *slen;
    size_t nslots;
    double shift;     /* change-word rules: a decreased word's valence times -shift; 0: off */
};

static uint64_t h(const char *s, size_t n)
{
    return nc_fnv1a(s, n, NC_FNV_OFFSET);
}

/* The index of s[0..n) (hash hv = h(s, n)) in lx, or -1. */
static long find(const nc_lexicon *lx, const char *s, size_t n, uint64_t hv)
{
    size_t j;
    if (!lx->nslots)
        return -1;
    j = (size_t)hv & (lx->nslots - 1);
    while (lx->slots[j]) {
        size_t i = lx->slots[j] - 1;
        if (lx->shash[j] == hv && lx->slen[j] == n && memcmp(lx->words[i], s, n) == 0)
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
    free(lx->shash);
    free(lx->slen);
    free(lx);
}

void nc_lexicon_set_shift(nc_lexicon *lx, double gain)
{
    lx->shift = gain;
}

double nc_lexicon_shift(const nc_lexicon *lx)
{
    return lx ? lx->shift : 0.0;
}

size_t nc_lexicon_size(const nc_lexicon *lx)
{
    return lx ? lx->n : 0;
}

int nc_lexicon_read(const char *path, nc_lexicon **out, nc_error *err)
{
    char *buf = NULL, *line, *save = NULL;
    nc_lexicon *lx = NULL;
    long *lines = NULL; /* each word's line, for the error on a duplicate */
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
        void *pl = lines;
        c2 = cap;
        if (nc_grow(&pl, &c2, lx->n + 1, sizeof *lines) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        lines = pl;
        cap = c2;
        if (!(lx->words[lx->n] = nc_strdup(line))) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        lines[lx->n] = lineno;
        lx->val[lx->n++] = v;
    }
    if (lx->n == 0) { /* an empty or all-comment file is surely the wrong one */
        rc = nc_err(err, NC_EFORMAT, "%s: no words (expected 'word<TAB>valence' lines)", path);
        goto out;
    }
    lx->nslots = 16;
    while (lx->nslots < lx->n * 2 + 2)
        lx->nslots *= 2;
    if (!(lx->slots = calloc(lx->nslots, sizeof *lx->slots)) ||
        !(lx->shash = calloc(lx->nslots, sizeof *lx->shash)) ||
        !(lx->slen = calloc(lx->nslots, sizeof *lx->slen))) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < lx->n; i++) {
        size_t n = strlen(lx->words[i]);
        uint64_t hv = h(lx->words[i], n);
        long first = find(lx, lx->words[i], n, hv);
        if (first >= 0) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: duplicate word '%s' (first on line %ld)", path,
                        lines[i], lx->words[i], lines[first]);
            goto out;
        }
        size_t j = (size_t)hv & (lx->nslots - 1);
        while (lx->slots[j])
            j = (j + 1) & (lx->nslots - 1);
        lx->slots[j] = (uint32_t)i + 1;
        lx->shash[j] = hv;
        lx->slen[j] = n;
    }
    *out = lx;
    lx = NULL;
out:
    nc_lexicon_free(lx);
    free(lines);
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

/* Change words ("shifters"): a decrease word ("fell", "eased", "fewer", "a drop in") next to a
 * lexicon word reverses it ("unemployment fell", "fewer deaths": good news; "profits slumped":
 * bad), an increase word ("rose", "climbed", "surge") keeps it ("the death toll rose": bad,
 * not the upbeat "rose"); either way the change word's own valence is dropped, since it only
 * says which way the loaded word moved. The loaded word is the nearest lexicon word within
 * NC_SHIFT_WINDOW tokens of the same sentence, before or after (before wins a tie: "X fell"),
 * not across a word that starts another clause ("stocks fell on fears of war": the fears are
 * the cause, not what fell). A change word in a negator's scope is left as an ordinary word. */
#define NC_SHIFT_WINDOW 3
#define NC_SENT_CAP 256 /* tokens buffered per sentence; a longer run is resolved in pieces */

enum { SH_NONE = 0, SH_DOWN = -1, SH_UP = 1 };

struct lextok {
    double v;      /* valence after negation; 0 when not in the lexicon */
    signed char hit;   /* 1: a lexicon word, 2: one a change word has moved, 0: neither */
    signed char shift; /* SH_DOWN, SH_UP or SH_NONE (negated change words are SH_NONE) */
    signed char barrier; /* a clause-starting word: shifts do not reach across it */
};

struct lexwalk {
    const nc_lexicon *lx;
    double sum, pos, neg;
    size_t tokens, hits;
    int since_neg; /* tokens since the last negator in this sentence; large = none */
    size_t types;  /* distinct words seen, up to NC_LEX_TYPES_CAP */
    uint64_t seen[2 * NC_LEX_TYPES_CAP]; /* their hashes + 1 (0: empty), open addressing */
    size_t nsent;  /* buffered tokens of the current sentence */
    struct lextok sent[NC_SENT_CAP];
};

/* The words the rules look for, by class: negators, decrease and increase words, and the
 * clause words change words do not reach across. */
enum { W_NEG = 1, W_DOWN = 2, W_UP = 4, W_BARRIER = 8 };

static const char *const negators[] = { "not", "no", "never", "without", "nor", "neither",
                                        "cannot", "hardly" };
static const char *const down_words[] = {
    "fell", "fall", "falls", "falling", "drop", "drops", "dropped", "dropping", "decline",
    "declines", "declined", "declining", "ease", "eased", "eases", "easing", "narrowed",
    "narrows", "narrowing", "shrank", "shrink", "shrinks", "shrinking", "shrunk", "slowed",
    "slows", "slowing", "slowdown", "cut", "cuts", "cutting", "reduce", "reduced", "reduces",
    "reducing", "reduction", "fewer", "less", "lower", "lowered", "lowest", "halved", "halve",
    "halving", "curb", "curbed", "curbs", "curbing", "slid", "slide", "slides", "sliding",
    "slump", "slumped", "slumps", "plunge", "plunged", "plunges", "tumble", "tumbled",
    "tumbles", "sank", "sink", "sinks", "dip", "dipped", "dips", "retreat", "retreated",
    "receded", "recede", "recedes", "subside", "subsided", "subsides", "wane", "waned",
    "waning", "ebbed", "ebbing", "fade", "faded", "fades", "fading", "cooled", "cooling",
    "eroded", "erode", "erodes", "eroding", "erosion", "dwindle", "dwindled", "dwindling",
    "diminish", "diminished", "diminishing", "lessened", "lessen", "shed",
};
static const char *const up_words[] = {
    "rose", "rise", "rises", "rising", "risen", "climb", "climbed", "climbs", "climbing",
    "jump", "jumped", "jumps", "surge", "surged", "surges", "surging", "soar", "soared",
    "soars", "soaring", "grew", "grow", "grows", "growing", "increase", "increased",
    "increases", "increasing", "higher", "highest", "doubled", "double", "tripled", "spread",
    "spreads", "spreading", "widen", "widened", "widening", "widens", "deepen", "deepened",
    "deepening", "swelled", "swell", "mounted", "mounting", "escalate", "escalated",
    "escalating", "spike", "spiked", "spikes", "rocketed", "boost", "boosted",
};
static const char *const barriers[] = { "on", "amid", "after", "as", "over", "because",
                                        "despite", "following", "but", "while", "although",
                                        "though", "when", "due", "since", "before", "until",
                                        "if" };

#define NC_WCLASS_SLOTS 512 /* power of two, over twice the words above */

static struct {
    const char *word[NC_WCLASS_SLOTS]; /* NULL: empty */
    unsigned char cls[NC_WCLASS_SLOTS];
} wclass;
static pthread_once_t wclass_once = PTHREAD_ONCE_INIT;

static void wclass_add(const char *const *list, size_t n, unsigned char cls)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(list[i]);
        size_t j = (size_t)h(list[i], len) & (NC_WCLASS_SLOTS - 1);
        while (wclass.word[j] && strcmp(wclass.word[j], list[i]) != 0)
            j = (j + 1) & (NC_WCLASS_SLOTS - 1);
        wclass.word[j] = list[i];
        wclass.cls[j] |= cls;
    }
}

static void wclass_init(void)
{
#define ADD(list, cls) wclass_add(list, sizeof list / sizeof list[0], cls)
    ADD(negators, W_NEG);
    ADD(down_words, W_DOWN);
    ADD(up_words, W_UP);
    ADD(barriers, W_BARRIER);
#undef ADD
}

/* The classes of s[0..n) (hash hv): a bit set of W_*, 0 for any other word. A word ending in
 * "n't" is a negator too. */
static int word_class(const char *s, size_t n, uint64_t hv)
{
    int cls = 0;
    for (size_t j = (size_t)hv & (NC_WCLASS_SLOTS - 1); wclass.word[j];
         j = (j + 1) & (NC_WCLASS_SLOTS - 1))
        if (strncmp(wclass.word[j], s, n) == 0 && wclass.word[j][n] == 0) {
            cls = wclass.cls[j];
            break;
        }
    if (n > 3 && memcmp(s + n - 3, "n't", 3) == 0)
        cls |= W_NEG;
    return cls;
}

/* Count t among the distinct words, until NC_LEX_TYPES_CAP of them (a long article's
 * shortness is near 0 either way, and the table stays on the stack). */
static void count_type(struct lexwalk *w, uint64_t hv)
{
    const size_t mask = 2 * NC_LEX_TYPES_CAP - 1;
    size_t j;
    hv |= 1; /* never 0 */
    if (w->types >= NC_LEX_TYPES_CAP)
        return;
    for (j = (size_t)hv & mask; w->seen[j]; j = (j + 1) & mask)
        if (w->seen[j] == hv)
            return;
    w->seen[j] = hv;
    w->types++;
}

/* The loaded word a change word at i moves: the nearest lexicon word that is not itself a
 * change word nor already moved, within NC_SHIFT_WINDOW tokens and no barrier between; -1
 * when none. */
static long shift_target(const struct lextok *t, size_t nt, size_t i)
{
    for (size_t d = 1; d <= NC_SHIFT_WINDOW; d++) {
        int open_before = 1, open_after = 1;
        for (size_t k = 1; k < d; k++) {
            if (i < k || t[i - k].barrier)
                open_before = 0;
            if (i + k >= nt || t[i + k].barrier)
                open_after = 0;
        }
        if (open_before && i >= d && !t[i - d].barrier && t[i - d].hit == 1 && !t[i - d].shift)
            return (long)(i - d);
        if (open_after && i + d < nt && !t[i + d].barrier && t[i + d].hit == 1 && !t[i + d].shift)
            return (long)(i + d);
    }
    return -1;
}

/* Resolve the buffered sentence's change words and add its valences to the totals. */
static void flush_sentence(struct lexwalk *w)
{
    struct lextok *t = w->sent;
    size_t nt = w->nsent;
    if (w->lx->shift > 0)
        for (size_t i = 0; i < nt; i++) {
            long j;
            if (!t[i].shift || (j = shift_target(t, nt, i)) < 0)
                continue;
            if (t[i].shift == SH_DOWN)
                t[j].v = -t[j].v * w->lx->shift;
            t[j].hit = 2; /* moved once: no other change word takes it */
            t[i].hit = 0; /* the change word's own valence is dropped */
            t[i].v = 0;
        }
    for (size_t i = 0; i < nt; i++) {
        if (!t[i].hit)
            continue;
        w->sum += t[i].v;
        w->hits++;
        if (t[i].v < 0)
            w->neg++;
        else if (t[i].v > 0)
            w->pos++;
    }
    w->nsent = 0;
}

static int on_tok(const nc_token *t, void *ctx)
{
    struct lexwalk *w = ctx;
    struct lextok *lt;
    uint64_t hv = h(t->text, t->len);
    int cls = word_class(t->text, t->len, hv);
    long i;
    if (t->sentence_start) {
        flush_sentence(w);
        w->since_neg = 100;
    }
    if (w->nsent == NC_SENT_CAP)
        flush_sentence(w);
    w->tokens++;
    count_type(w, hv);
    lt = &w->sent[w->nsent++];
    memset(lt, 0, sizeof *lt);
    if (cls & W_NEG) {
        w->since_neg = 0;
        lt->barrier = 1; /* "crime did not fall": left alone */
        return 0;
    }
    w->since_neg++;
    lt->barrier = (cls & W_BARRIER) != 0;
    if (w->since_neg > 3)
        lt->shift = (cls & W_DOWN) ? SH_DOWN : (cls & W_UP) ? SH_UP : SH_NONE;
    i = find(w->lx, t->text, t->len, hv);
    if (i >= 0) {
        double v = w->lx->val[i];
        if (w->since_neg <= 3)
            v = -0.5 * v;
        lt->v = v;
        lt->hit = 1;
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
    pthread_once(&wclass_once, wclass_init);
    memset(&w, 0, sizeof w);
    w.lx = lx;
    w.since_neg = 100;
    if (a->title && a->title[0])
        nc_tokenize(a->title, strlen(a->title), NULL, on_tok, &w);
    flush_sentence(&w);
    w.since_neg = 100;
    if (a->text && a->text[0])
        nc_tokenize(a->text, strlen(a->text), NULL, on_tok, &w);
    flush_sentence(&w);
    f[0] = w.hits ? w.sum / (double)w.hits : 0.0;
    f[1] = w.tokens ? 10.0 * w.sum / (double)w.tokens : 0.0;
    f[2] = w.tokens ? w.neg / (double)w.tokens : 0.0;
    f[3] = w.tokens ? w.pos / (double)w.tokens : 0.0;
    f[NC_LEX_SHORT] = 20.0 / (20.0 + (double)w.types);
}
