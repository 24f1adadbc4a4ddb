/* features.c: the vectorizer: vocabulary of word n-grams, document frequencies, TF-IDF vectors.
 *
 * Tokens are interned once into a token dictionary (string -> token id). An n-gram is a key
 * of up to three token ids plus a "headline" flag, so vectorising does no string work beyond
 * tokenizing: each token costs one dictionary probe and one feature-table probe per n-gram
 * order. Fitting counts each key's document frequency; finishing prunes by min_df / max_df /
 * max_features, sorts the kept terms bytewise by their text and numbers them 1..K, so ids are
 * deterministic. In hashed mode there is no dictionary: a term's FNV-1a hash, combined over
 * the n-gram as fastText does, picks one of 2^hash_bits buckets, and document frequencies are
 * kept per bucket.
 *
 * Character n-grams (char_min..char_max > 0) are interned as tokens of their own, "~<dip", and
 * counted as unigrams of them: '~' starts no word, so their terms sort together after the
 * words' ASCII terms, one range of feature ids (char_lo..char_hi) that weighting normalises
 * apart from the word features.
 *
 * transform() collects the n-gram keys of the article, looks them up in one prefetched pass,
 * and folds repeated features into counts: with per-feature counters when the vector was
 * prepared by nc_vector_reserve (reused for many articles), by sorting otherwise. It only
 * reads the vectorizer and is safe to call from several threads.
 *
 * Not done here: reading articles (reader.c), training (train.c).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <newsclass/features.h>

#include "features_index.h"
#include "util.h"

#define NO_TID 0xFFFFFFFFu
#define TITLE_MARK '^'
#define CHAR_MARK '~'
#define CHAR_MAX_N 8

void nc_feature_opts_default(nc_feature_opts *o)
{
    memset(o, 0, sizeof *o);
    o->ngram_max = 2;
    o->min_df = 2;
    o->max_df = 1.0;
    o->max_features = 0;
    o->hash_bits = 0;
    o->title_features = 1;
    o->stopwords = 0;
    o->stopword_list = 2;
    o->stem = 0;
    o->sublinear_tf = 1;
    o->char_min = o->char_max = 0;
}

void nc_vector_init(nc_vector *v)
{
    memset(v, 0, sizeof *v);
}

void nc_vector_finish(nc_vector *v)
{
    free(v->idx);
    free(v->val);
    free(v->scratch);
    free(v->keys);
    free(v->toks);
    free(v->tail);
    free(v->cg_at);
    free(v->cg_pool);
    nc_vector_init(v);
}

/* ---- token dictionary: open addressing, strings in one arena ----
 * A slot holds the token's first 8 bytes, its length and 24 hash bits, so looking up a word of
 * up to 8 bytes (most words) touches one cache line; longer words compare the rest in the
 * arena. */

struct tslot {
    uint64_t head;  /* the first 8 bytes, zero-padded */
    uint32_t meta;  /* hash bits 40..63 << 8 | min(length, 255) */
    uint32_t id1;   /* token id + 1; 0 = empty */
};

struct tokdict {
    struct tslot *slots;
    size_t nslots;     /* power of two */
    uint64_t *hash;    /* per token id */
    size_t *off;       /* per token id: offset in arena */
    uint32_t *len;
    size_t ntok, captok;
    char *arena;
    size_t arena_len, arena_cap;
};

/* The first min(n, 8) bytes, zero-padded (little-endian order on every host: the value is
 * only compared, never persisted). Constant-size copies only: a variable-size memcpy is a
 * library call on this hot path. */
static inline uint64_t head8(const char *s, size_t n)
{
    uint64_t v = 0;
    if (n >= 8) {
        memcpy(&v, s, 8);
        return v;
    }
    if (n >= 4) { /* two overlapping 4-byte loads; the shared bytes are equal */
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        return (uint64_t)lo | (uint64_t)hi << (8 * (n - 4));
    }
    if (n) /* 1..3 bytes: first, middle, last */
        v = (uint64_t)(unsigned char)s[0] | (uint64_t)(unsigned char)s[n / 2] << (8 * (n / 2)) |
            (uint64_t)(unsigned char)s[n - 1] << (8 * (n - 1));
    return v;
}

static size_t pow2_at_least(size_t n)
{
    size_t p = 1024;
    while (p < n)
        p *= 2;
    return p;
}

/* Word-at-a-time string hash (not persisted: only the in-memory dictionary uses it). */
static inline uint64_t tok_hash(const char *s, size_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdULL;
        h ^= h >> 32;
    }
    if (i < n)
        h = (h ^ head8(s + i, n - i)) * 0xc4ceb9fe1a85ec53ULL;
    return nc_mix64(h);
}

/* tok_hash of a word of n < 8 bytes whose head8 is hd (the same value, one load less). */
static inline uint64_t tok_hash_short(uint64_t hd, size_t n)
{
    return nc_mix64(((0x9e3779b97f4a7c15ULL ^ (uint64_t)n) ^ hd) * 0xc4ceb9fe1a85ec53ULL);
}

static uint64_t str_hash(const char *s, size_t n)
{
    return nc_fnv1a(s, n, NC_FNV_OFFSET);
}

static inline uint32_t tok_meta(uint64_t h, size_t n)
{
    return (uint32_t)(h >> 40) << 8 | (uint32_t)(n < 255 ? n : 255);
}

static void tokdict_place(struct tokdict *d, struct tslot *slots, size_t nslots, uint32_t t)
{
    size_t j = (size_t)d->hash[t] & (nslots - 1);
    while (slots[j].id1)
        j = (j + 1) & (nslots - 1);
    slots[j].head = head8(d->arena + d->off[t], d->len[t]);
    slots[j].meta = tok_meta(d->hash[t], d->len[t]);
    slots[j].id1 = t + 1;
}

static int tokdict_rehash(struct tokdict *d, size_t nslots)
{
    struct tslot *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return NC_ENOMEM;
    for (size_t t = 0; t < d->ntok; t++)
        tokdict_place(d, slots, nslots, (uint32_t)t);
    free(d->slots);
    d->slots = slots;
    d->nslots = nslots;
    return NC_OK;
}

/* Find a token given its hash, its first 8 bytes and the rest ('tail', bytes 9..n). */
static inline uint32_t tokdict_find_hd(const struct tokdict *d, uint64_t h, uint64_t hd, size_t n,
                                       const char *tail)
{
    size_t j;
    uint32_t meta;
    if (!d->nslots)
        return NO_TID;
    meta = tok_meta(h, n);
    j = (size_t)h & (d->nslots - 1);
    while (d->slots[j].id1) {
        const struct tslot *sl = &d->slots[j];
        if (sl->meta == meta && sl->head == hd) {
            uint32_t t = sl->id1 - 1;
            if (n <= 8)
                return t;
            if (d->len[t] == n) {
                const char *a = d->arena + d->off[t] + 8;
                if (n <= 16 ? head8(a, n - 8) == head8(tail, n - 8) : memcmp(a, tail, n - 8) == 0)
                    return t;
            }
        }
        j = (j + 1) & (d->nslots - 1);
    }
    return NO_TID;
}

static inline uint32_t tokdict_find(const struct tokdict *d, const char *s, size_t n, uint64_t h)
{
    return tokdict_find_hd(d, h, head8(s, n), n, s + 8);
}

static int tokdict_add(struct tokdict *d, const char *s, size_t n, uint32_t *out)
{
    uint64_t h = tok_hash(s, n);
    uint32_t t = tokdict_find(d, s, n, h);
    void *p;

    if (t != NO_TID) {
        *out = t;
        return NC_OK;
    }
    if (d->ntok >= 0x7FFFFFFEu)
        return NC_ENOMEM;
    if ((d->ntok + 1) * 2 > d->nslots &&
        tokdict_rehash(d, d->nslots ? d->nslots * 2 : 1024) < 0)
        return NC_ENOMEM;
    if (d->ntok == d->captok) {
        size_t cap = d->captok ? d->captok * 2 : 1024;
        p = nc_realloc_array(d->hash, cap, sizeof *d->hash);
        if (!p)
            return NC_ENOMEM;
        d->hash = p;
        p = nc_realloc_array(d->off, cap, sizeof *d->off);
        if (!p)
            return NC_ENOMEM;
        d->off = p;
        p = nc_realloc_array(d->len, cap, sizeof *d->len);
        if (!p)
            return NC_ENOMEM;
        d->len = p;
        d->captok = cap;
    }
    p = d->arena;
    if (nc_grow(&p, &d->arena_cap, d->arena_len + n + 1, 1) < 0)
        return NC_ENOMEM;
    d->arena = p;
    memcpy(d->arena + d->arena_len, s, n);
    d->arena[d->arena_len + n] = '\0';
    t = (uint32_t)d->ntok++;
    d->hash[t] = h;
    d->off[t] = d->arena_len;
    d->len[t] = (uint32_t)n;
    d->arena_len += n + 1;
    tokdict_place(d, d->slots, d->nslots, t);
    *out = t;
    return NC_OK;
}

static void tokdict_free(struct tokdict *d)
{
    free(d->slots);
    free(d->hash);
    free(d->off);
    free(d->len);
    free(d->arena);
    memset(d, 0, sizeof *d);
}

/* ---- n-gram table ---- */

struct gram {
    uint32_t t[3];  /* token ids, NO_TID past the order */
    uint32_t df;
    uint32_t last;  /* last document counted + 1 (fitting) */
    uint8_t title;
};

struct gramtab {
    uint32_t *slots; /* entry + 1 */
    size_t nslots;
    struct gram *g;
    size_t n, cap;
};

static inline uint64_t gram_hash(const uint32_t t[3], int title)
{
    uint64_t h = ((uint64_t)t[0] << 32) ^ t[1];
    h = nc_mix64(h ^ ((uint64_t)t[2] * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)title);
    return h;
}

static inline int gram_eq(const struct gram *g, const uint32_t t[3], int title)
{
    return g->t[0] == t[0] && g->t[1] == t[1] && g->t[2] == t[2] && g->title == title;
}

static int gramtab_rehash(struct gramtab *gt, size_t nslots)
{
    uint32_t *slots = calloc(nslots, sizeof *slots);
    if (!slots)
        return NC_ENOMEM;
    for (size_t e = 0; e < gt->n; e++) {
        size_t j = (size_t)gram_hash(gt->g[e].t, gt->g[e].title) & (nslots - 1);
        while (slots[j])
            j = (j + 1) & (nslots - 1);
        slots[j] = (uint32_t)e + 1;
    }
    free(gt->slots);
    gt->slots = slots;
    gt->nslots = nslots;
    return NC_OK;
}

/* A gram seen while fitting, before it is counted (gramtab_count_batch). */
struct fkey {
    uint32_t t[3];
    uint32_t title;
    uint64_t h;
};

/* Count n grams of one document (w->doc): find or add each, with the slot of gram i + 16 and
 * the entry of gram i + 8 prefetched (the table of a large corpus is far bigger than the
 * cache). The table is grown first, so no insertion rehashes. */
static int gramtab_count_batch(struct gramtab *gt, const struct fkey *k, size_t n, uint32_t doc)
{
    size_t mask;
    void *p;

    if (!n)
        return NC_OK;
    if ((gt->n + n) * 2 > gt->nslots) {
        size_t ns = gt->nslots ? gt->nslots : 4096;
        while ((gt->n + n) * 2 > ns)
            ns *= 2;
        if (gramtab_rehash(gt, ns) < 0)
            return NC_ENOMEM;
    }
    p = gt->g;
    if (nc_grow(&p, &gt->cap, gt->n + n, sizeof *gt->g) < 0)
        return NC_ENOMEM;
    gt->g = p;
    mask = gt->nslots - 1;
    for (size_t i = 0; i < n; i++) {
        size_t j;
        struct gram *g = NULL;
        if (i + 16 < n)
            __builtin_prefetch(&gt->slots[k[i + 16].h & mask]);
        if (i + 8 < n) {
            uint32_t e = gt->slots[k[i + 8].h & mask];
            if (e)
                __builtin_prefetch(&gt->g[e - 1]);
        }
        for (j = (size_t)k[i].h & mask; gt->slots[j]; j = (j + 1) & mask) {
            struct gram *c = &gt->g[gt->slots[j] - 1];
            if (gram_eq(c, k[i].t, (int)k[i].title)) {
                g = c;
                break;
            }
        }
        if (!g) {
            g = &gt->g[gt->n];
            memset(g, 0, sizeof *g);
            memcpy(g->t, k[i].t, sizeof g->t);
            g->title = (uint8_t)k[i].title;
            gt->slots[j] = (uint32_t)gt->n + 1;
            gt->n++;
        }
        if (g->last != doc) {
            g->last = doc;
            if (g->df < UINT32_MAX)
                g->df++;
        }
    }
    return NC_OK;
}

static void gramtab_free(struct gramtab *gt)
{
    free(gt->slots);
    free(gt->g);
    memset(gt, 0, sizeof *gt);
}

/* ---- the lookup table used when vectorising ----
 * Open addressing over 16-byte slots holding the whole key and its feature id: a lookup reads
 * one slot (four to a cache line) and nothing else, so the misses of a batch of lookups can be
 * prefetched (resolve_keys). An earlier layout of 8-byte {fingerprint, id} slots plus a key
 * array was half the size but took two dependent cache misses per hit. */

struct gslot {
    uint64_t k1;   /* t[0] | t[1] << 32 */
    uint32_t k2;   /* t[2], top bit flipped for a headline unigram */
    int32_t index; /* feature id; 0 = empty slot */
};

struct lookup {
    struct gslot *s;
    size_t nslots, n, nkeys;
};

static inline void gram_key(const uint32_t t[3], int title, uint64_t *k1, uint32_t *k2)
{
    *k1 = (uint64_t)t[0] | (uint64_t)t[1] << 32;
    *k2 = t[2] ^ (title ? 0x80000000u : 0u);
}

static inline uint64_t key_hash(uint64_t k1, uint32_t k2)
{
    return nc_mix64(k1 ^ ((uint64_t)k2 * 0x9e3779b97f4a7c15ULL));
}

static inline int32_t lookup_find_h(const struct lookup *L, uint64_t k1, uint32_t k2,
                                    uint64_t h)
{
    size_t mask = L->nslots - 1, j;
    if (!L->nslots)
        return 0;
    for (j = (size_t)h & mask; L->s[j].index; j = (j + 1) & mask)
        if (L->s[j].k1 == k1 && L->s[j].k2 == k2)
            return L->s[j].index;
    return 0;
}

static inline int32_t lookup_find(const struct lookup *L, uint64_t k1, uint32_t k2)
{
    return lookup_find_h(L, k1, k2, key_hash(k1, k2));
}

/* Size for n keys with feature ids 1..n (load at most about 0.7). */
static int lookup_init(struct lookup *L, size_t n)
{
    size_t ns = 16;
    while (ns < n + n / 2 + 2)
        ns *= 2;
    L->s = calloc(ns, sizeof *L->s);
    if (!L->s)
        return NC_ENOMEM;
    L->nslots = ns;
    L->nkeys = n;
    L->n = 0;
    return NC_OK;
}

/* Insert feature 'index' (1..nkeys); returns 1 when the key was already there (nothing
 * changed), 0 when added. */
static int lookup_put(struct lookup *L, uint64_t k1, uint32_t k2, int32_t index)
{
    size_t mask = L->nslots - 1, j;
    uint64_t h = key_hash(k1, k2);
    for (j = (size_t)h & mask; L->s[j].index; j = (j + 1) & mask)
        if (L->s[j].k1 == k1 && L->s[j].k2 == k2)
            return 1;
    L->s[j].k1 = k1;
    L->s[j].k2 = k2;
    L->s[j].index = index;
    L->n++;
    return 0;
}

/* ---- the vectorizer ---- */

struct nc_vectorizer {
    nc_feature_opts o;
    int finished;
    size_t ndocs;
    struct tokdict dict;
    struct gramtab grams;   /* fitting only: every gram seen, with its df */
    struct fkey *fk;        /* fitting only: the current article's grams, counted together */
    size_t nfk, fk_cap;
    struct lookup lk;       /* after finish: kept grams -> feature id */
    int32_t *uni;           /* after finish: per token id, its unigram's feature id at
                             * [2 * id] and its headline unigram's at [2 * id + 1] (0: none),
                             * so unigrams skip the n-gram table */
    /* hashed mode */
    uint32_t *bucket_df;
    size_t nbuckets;
    /* after finish: per feature (index 1..nfeat, stored at [index - 1]) */
    size_t nfeat;
    char **terms;
    uint32_t *df;
    double *idf;
    char *filebuf;          /* a read vocabulary: terms[] point into this buffer */
    /* built from a vocab.idx image (nc_vectorizer_from_index): the dictionary, lookup table,
     * uni, df and idf point into it, terms[] is NULL and the text of feature i is at
     * term_text + term_off[i - 1] */
    nc_mapped image;
    const uint32_t *term_off;
    const char *term_text;
    /* after finish: the character n-grams' feature ids are char_lo..char_hi (none when
     * char_lo > char_hi) */
    size_t char_lo, char_hi;
    uint64_t serial;        /* after finish: unique in the process (nc_vector's n-gram cache) */
};

/* Serials for finished vectorizers: a vector's cache of character n-grams names the one it was
 * filled from by serial, not by address (a freed vectorizer's address can come back). */
static _Atomic uint64_t next_serial = 1;

static void vidx_release(nc_vectorizer *v);

/* Fill v->uni from the lookup table (vocabulary mode, after finish or parse). */
static int build_unigram_index(nc_vectorizer *v)
{
    size_t nt = v->dict.ntok;
    v->uni = nc_alloc_array(2 * nt + 2, sizeof *v->uni);
    if (!v->uni)
        return NC_ENOMEM;
    for (size_t t = 0; t < nt; t++) {
        uint32_t key[3] = { (uint32_t)t, NO_TID, NO_TID };
        for (int title = 0; title < 2; title++) {
            uint64_t k1;
            uint32_t k2;
            gram_key(key, title, &k1, &k2);
            v->uni[2 * t + (size_t)title] = lookup_find(&v->lk, k1, k2);
        }
    }
    return NC_OK;
}

int nc_vectorizer_new(const nc_feature_opts *o, nc_vectorizer **out, nc_error *err)
{
    nc_vectorizer *v;

    *out = NULL;
    if (o->ngram_max < 1 || o->ngram_max > 3)
        return nc_err(err, NC_EINVAL, "n-gram order must be 1, 2 or 3 (got %d)", o->ngram_max);
    if (o->min_df < 1)
        return nc_err(err, NC_EINVAL, "min-df must be at least 1 (got %d)", o->min_df);
    if (!(o->max_df > 0.0 && o->max_df <= 1.0))
        return nc_err(err, NC_EINVAL, "max-df must be in (0, 1] (got %g)", o->max_df);
    if (o->hash_bits && (o->hash_bits < 10 || o->hash_bits > 28))
        return nc_err(err, NC_EINVAL, "hash bits must be in 10..28 (got %d)", o->hash_bits);
    if ((o->char_min || o->char_max) &&
        (o->char_min < 1 || o->char_max < o->char_min || o->char_max > CHAR_MAX_N))
        return nc_err(err, NC_EINVAL, "character n-grams must be MIN-MAX with 1 <= MIN <= MAX "
                      "<= %d (got %d-%d)", CHAR_MAX_N, o->char_min, o->char_max);
    if (o->char_max && o->hash_bits)
        return nc_err(err, NC_EINVAL, "character n-grams need a vocabulary (not hashed "
                      "features)");
    v = calloc(1, sizeof *v);
    if (!v)
        return nc_err(err, NC_ENOMEM, "out of memory");
    v->o = *o;
    if (o->hash_bits) {
        v->nbuckets = (size_t)1 << o->hash_bits;
        v->bucket_df = calloc(v->nbuckets, sizeof *v->bucket_df);
        if (!v->bucket_df) {
            free(v);
            return nc_err(err, NC_ENOMEM, "out of memory");
        }
    }
    *out = v;
    return NC_OK;
}

void nc_vectorizer_free(nc_vectorizer *v)
{
    if (!v)
        return;
    vidx_release(v); /* first: the borrowed tables must not be freed below */
    tokdict_free(&v->dict);
    gramtab_free(&v->grams);
    free(v->fk);
    free(v->lk.s);
    free(v->uni);
    free(v->bucket_df);
    if (v->terms && !v->filebuf)
        for (size_t i = 0; i < v->nfeat; i++)
            free(v->terms[i]);
    free(v->terms);
    free(v->filebuf);
    free(v->df);
    free(v->idf);
    free(v);
}

size_t nc_vectorizer_size(const nc_vectorizer *v)
{
    return v->nfeat;
}

size_t nc_vectorizer_ndocs(const nc_vectorizer *v)
{
    return v->ndocs;
}

const nc_feature_opts *nc_vectorizer_opts(const nc_vectorizer *v)
{
    return &v->o;
}

const char *nc_vectorizer_term(const nc_vectorizer *v, size_t index)
{
    if (v->term_text && index >= 1 && index <= v->nfeat)
        return v->term_text + v->term_off[index - 1];
    if (index < 1 || index > v->nfeat || !v->terms)
        return NULL;
    return v->terms[index - 1];
}

uint32_t nc_vectorizer_df(const nc_vectorizer *v, size_t index)
{
    if (index < 1 || index > v->nfeat)
        return 0;
    return v->df[index - 1];
}

/* For a vectorizer being finished (fitted, parsed or mapped): give it its serial and find the
 * character n-grams' id range (their terms start with CHAR_MARK and sort together). NULL, or
 * what is wrong: such terms without character n-gram settings, or not together (only a
 * damaged vocab.idx can have them so: fitting sorts, parsing checks term by term). */
static const char *set_char_range(nc_vectorizer *v)
{
    size_t lo = 0, hi = 0;
    v->char_lo = 1;
    v->char_hi = 0;
    v->serial = atomic_fetch_add(&next_serial, 1);
    if (v->o.hash_bits)
        return NULL;
    for (size_t i = 1; i <= v->nfeat; i++) {
        const char *t = nc_vectorizer_term(v, i);
        if (!t || t[0] != CHAR_MARK)
            continue;
        if (!lo)
            lo = i;
        else if (hi != i - 1)
            return "character n-gram terms are not together";
        hi = i;
    }
    if (lo && !v->o.char_max)
        return "character n-gram terms, but the settings have none";
    if (lo) {
        v->char_lo = lo;
        v->char_hi = hi;
    }
    return NULL;
}

/* Walks the n-grams of an article. mode FIT interns tokens and counts df; mode TRANSFORM looks
 * terms up and appends feature ids to out->idx. */
enum walk_mode { WALK_FIT, WALK_TRANSFORM };

struct pkey {
    uint64_t k1;
    uint32_t k2;
    uint64_t h;
};

/* A token of the article being vectorised, kept until the article's lookups (TRANSFORM). */
struct ptok {
    uint64_t h, head;
    uint32_t len;
    uint32_t tail;       /* offset of bytes 9.. in nc_vector.tail (len > 8) */
    uint32_t start;      /* starts a sentence */
    uint32_t tid;
};

struct walk {
    nc_vectorizer *vw;       /* FIT only */
    const nc_vectorizer *v;
    enum walk_mode mode;
    int title;
    uint32_t hist[2];        /* previous token ids (or hashes' low bits in hashed mode) */
    uint64_t hhist[2];       /* previous token hashes (hashed mode) */
    int nhist;
    uint32_t doc;            /* FIT: document number + 1 */
    nc_vector *out;          /* TRANSFORM */
    int rc;
};

static __attribute__((noinline)) int vector_grow(nc_vector *o)
{
    size_t cap = o->cap ? o->cap * 2 : 256;
    void *p = nc_realloc_array(o->idx, cap, sizeof *o->idx);
    if (!p)
        return NC_ENOMEM;
    o->idx = p;
    p = nc_realloc_array(o->val, cap, sizeof *o->val);
    if (!p)
        return NC_ENOMEM;
    o->val = p;
    o->cap = cap;
    return NC_OK;
}

static inline int push_index(struct walk *w, int idx)
{
    nc_vector *o = w->out;
    if (__builtin_expect(o->n == o->cap, 0) && vector_grow(o) < 0)
        return NC_ENOMEM;
    o->idx[o->n++] = idx;
    return NC_OK;
}

static int use_gram(struct walk *w, const uint32_t t[3], int title)
{
    if (w->mode == WALK_FIT) {
        /* counted with the article's other grams (gramtab_count_batch) */
        nc_vectorizer *v = w->vw;
        struct fkey *k;
        if (v->nfk == v->fk_cap) {
            size_t cap = v->fk_cap ? v->fk_cap * 2 : 1024;
            void *p = nc_realloc_array(v->fk, cap, sizeof *v->fk);
            if (!p)
                return NC_ENOMEM;
            v->fk = p;
            v->fk_cap = cap;
        }
        k = &v->fk[v->nfk++];
        memcpy(k->t, t, sizeof k->t);
        k->title = (uint32_t)title;
        k->h = gram_hash(t, title);
        return NC_OK;
    } else {
        /* collected now, looked up in one pass with prefetching (nc_vectorizer_counts) */
        nc_vector *o = w->out;
        struct pkey *pk;
        if (o->nkeys == o->keys_cap) {
            size_t cap = o->keys_cap ? o->keys_cap * 2 : 512;
            void *p = nc_realloc_array(o->keys, cap, sizeof(struct pkey));
            if (!p)
                return NC_ENOMEM;
            o->keys = p;
            o->keys_cap = cap;
        }
        pk = (struct pkey *)o->keys + o->nkeys++;
        gram_key(t, title, &pk->k1, &pk->k2);
        pk->h = key_hash(pk->k1, pk->k2);
        return NC_OK;
    }
}

/* Look up the collected keys with the slot of key i + 32 prefetched, so the table's cache
 * misses overlap instead of queueing. */
static int resolve_keys(const nc_vectorizer *v, nc_vector *o, struct walk *w)
{
    const struct lookup *L = &v->lk;
    const struct pkey *pk = o->keys;
    size_t n = o->nkeys, mask = L->nslots - 1;
    int rc;

    o->nkeys = 0;
    if (!L->nslots)
        return NC_OK;
    for (size_t i = 0; i < n; i++) {
        if (i + 32 < n)
            __builtin_prefetch(&L->s[pk[i + 32].h & mask]);
        int32_t idx = lookup_find_h(L, pk[i].k1, pk[i].k2, pk[i].h);
        if (idx > 0 && (rc = push_index(w, idx)) < 0)
            return rc;
    }
    return NC_OK;
}

static int use_bucket(struct walk *w, uint64_t h)
{
    const nc_vectorizer *v = w->v;
    size_t b = (size_t)(nc_mix64(h) & (v->nbuckets - 1));
    if (w->mode == WALK_FIT) {
        /* df per bucket: counted once per document through the sorted pass in fit */
        return push_index(w, (int)b + 1);
    }
    if (v->df[b] == 0)
        return NC_OK;
    return push_index(w, (int)b + 1);
}

/* The character n-grams of a word: FIT interns and counts each as a unigram of its own
 * token "~<dip"; TRANSFORM looks it up and appends its feature. Not for stop words (the
 * function words --topic-stopwords ignores) or shape tokens ("<dddd>"). Lengths count
 * characters (UTF-8 sequences), not bytes. */
static int char_grams(struct walk *w, const nc_token *tok)
{
    const nc_vectorizer *v = w->v;
    char pad[2 + 4 * 64 + 2], g[1 + 4 * CHAR_MAX_N];
    size_t starts[4 * 64 + 4], nch = 0, plen;
    int rc;

    /* (no token holds a space, which a term could not: the tokenizer splits words that NFKC
     * folding splits, such as U+037A -> " \u03b9") */
    if (tok->len == 0 || tok->len > 4 * 64 || tok->text[0] == '<' ||
        nc_is_stopword(tok->text, tok->len))
        return NC_OK;
    pad[0] = '<';
    memcpy(pad + 1, tok->text, tok->len);
    pad[tok->len + 1] = '>';
    plen = tok->len + 2;
    for (size_t i = 0; i < plen; i++)
        if (((unsigned char)pad[i] & 0xC0) != 0x80)
            starts[nch++] = i;
    starts[nch] = plen;
    g[0] = CHAR_MARK;
    for (int k = v->o.char_min; k <= v->o.char_max && (size_t)k <= nch; k++) {
        for (size_t i = 0; i + (size_t)k <= nch; i++) {
            size_t glen = starts[i + (size_t)k] - starts[i];
            uint32_t tid;
            if (glen > sizeof g - 1) /* not UTF-8 (the tokenizer never gives such a word) */
                continue;
            memcpy(g + 1, pad + starts[i], glen);
            glen++;
            if (w->mode == WALK_FIT) {
                uint32_t t[3] = { 0, NO_TID, NO_TID };
                if ((rc = tokdict_add(&w->vw->dict, g, glen, &tid)) < 0)
                    return rc;
                t[0] = tid;
                if ((rc = use_gram(w, t, 0)) < 0)
                    return rc;
            } else {
                int32_t f;
                tid = tokdict_find(&v->dict, g, glen, tok_hash(g, glen));
                if (tid != NO_TID && (f = v->uni[2 * (size_t)tid]) && (rc = push_index(w, f)) < 0)
                    return rc;
            }
        }
    }
    return NC_OK;
}

/* TRANSFORM: char_grams through the vector's cache: a word of the vocabulary has its
 * n-grams' features looked up once per vector (they depend on the word alone), then copied.
 * Words not in the dictionary are looked up every time. */
static int char_grams_cached(struct walk *w, const nc_token *tok)
{
    const nc_vectorizer *v = w->v;
    nc_vector *o = w->out;
    uint32_t tid;
    size_t before, cnt;
    int rc;

    /* stop words are left to char_grams: cached (with no n-grams) like other words, they cost
     * no stop-word search after their first time */
    if (tok->len == 0 || tok->len > 4 * 64 || tok->text[0] == '<')
        return NC_OK;
    tid = tokdict_find(&v->dict, tok->text, tok->len, tok_hash(tok->text, tok->len));
    if (tid == NO_TID)
        return char_grams(w, tok);
    if (o->cg_serial != v->serial || o->cg_ntok != v->dict.ntok || !o->cg_at) {
        free(o->cg_at);
        o->cg_at = calloc(v->dict.ntok ? v->dict.ntok : 1, sizeof *o->cg_at);
        o->cg_ntok = v->dict.ntok;
        o->cg_len = 0;
        o->cg_serial = v->serial;
        if (!o->cg_at) {
            o->cg_ntok = 0;
            o->cg_serial = 0;
            return NC_ENOMEM;
        }
    }
    if (o->cg_at[tid]) {
        const int32_t *p = o->cg_pool + o->cg_at[tid] - 1;
        for (int32_t k = 1; k <= p[0]; k++)
            if ((rc = push_index(w, p[k])) < 0)
                return rc;
        return NC_OK;
    }
    before = o->n;
    if ((rc = char_grams(w, tok)) < 0)
        return rc;
    cnt = o->n - before;
    if (o->cg_len + cnt + 1 >= UINT32_MAX)
        return NC_OK; /* the pool is full: this word stays uncached */
    {
        void *p = o->cg_pool;
        if (nc_grow(&p, &o->cg_cap, o->cg_len + cnt + 1, sizeof *o->cg_pool) < 0)
            return NC_ENOMEM;
        o->cg_pool = p;
    }
    o->cg_pool[o->cg_len] = (int32_t)cnt;
    if (cnt) /* o->idx may still be NULL (a stop word first in an article): no memcpy(NULL) */
        memcpy(o->cg_pool + o->cg_len + 1, o->idx + before, cnt * sizeof *o->idx);
    o->cg_at[tid] = (uint32_t)o->cg_len + 1;
    o->cg_len += cnt + 1;
    return NC_OK;
}

static int on_token(const nc_token *tok, void *ctx)
{
    struct walk *w = ctx;
    const nc_vectorizer *v = w->v;
    int rc;

    if (tok->sentence_start)
        w->nhist = 0;
    if (v->o.hash_bits) {
        uint64_t h = str_hash(tok->text, tok->len);
        if (w->title && v->o.title_features && (rc = use_bucket(w, h ^ 0x5bd1e995ULL)) < 0)
            return w->rc = rc;
        if ((rc = use_bucket(w, h)) < 0)
            return w->rc = rc;
        if (v->o.ngram_max >= 2 && w->nhist >= 1 &&
            (rc = use_bucket(w, w->hhist[0] * 116049371ULL + h)) < 0)
            return w->rc = rc;
        if (v->o.ngram_max >= 3 && w->nhist >= 2 &&
            (rc = use_bucket(w, (w->hhist[1] * 116049371ULL + w->hhist[0]) * 116049371ULL + h)) <
                0)
            return w->rc = rc;
        w->hhist[1] = w->hhist[0];
        w->hhist[0] = h;
        if (w->nhist < 2)
            w->nhist++;
        return 0;
    }

    uint32_t tid;
    if (v->o.char_max &&
        (rc = w->mode == WALK_TRANSFORM ? char_grams_cached(w, tok) : char_grams(w, tok)) < 0)
        return w->rc = rc;
    if (w->mode == WALK_TRANSFORM) {
        /* kept for one prefetched pass over the article (resolve_tokens) */
        nc_vector *o = w->out;
        struct ptok *pt;
        if (o->ntoks == o->toks_cap) {
            size_t cap = o->toks_cap ? o->toks_cap * 2 : 512;
            void *p = nc_realloc_array(o->toks, cap, sizeof(struct ptok));
            if (!p)
                return w->rc = NC_ENOMEM;
            o->toks = p;
            o->toks_cap = cap;
        }
        pt = (struct ptok *)o->toks + o->ntoks++;
        pt->head = head8(tok->text, tok->len);
        pt->h = tok->len < 8 ? tok_hash_short(pt->head, tok->len) : tok_hash(tok->text, tok->len);
        pt->len = (uint32_t)tok->len;
        pt->start = (uint32_t)tok->sentence_start;
        pt->tail = 0;
        if (tok->len > 8) {
            void *p = o->tail;
            if (nc_grow(&p, &o->tail_cap, o->tail_len + tok->len - 8, 1) < 0)
                return w->rc = NC_ENOMEM;
            o->tail = p;
            memcpy(o->tail + o->tail_len, tok->text + 8, tok->len - 8);
            pt->tail = (uint32_t)o->tail_len;
            o->tail_len += tok->len - 8;
        }
        return 0;
    }
    if ((rc = tokdict_add(&w->vw->dict, tok->text, tok->len, &tid)) < 0)
        return w->rc = rc;
    {
        uint32_t t[3] = { tid, NO_TID, NO_TID };
        if ((rc = use_gram(w, t, 0)) < 0)
            return w->rc = rc;
        if (w->title && v->o.title_features && (rc = use_gram(w, t, 1)) < 0)
            return w->rc = rc;
    }
    if (v->o.ngram_max >= 2 && w->nhist >= 1) {
        uint32_t t2[3] = { w->hist[0], tid, NO_TID };
        if ((rc = use_gram(w, t2, 0)) < 0)
            return w->rc = rc;
    }
    if (v->o.ngram_max >= 3 && w->nhist >= 2) {
        uint32_t t3[3] = { w->hist[1], w->hist[0], tid };
        if ((rc = use_gram(w, t3, 0)) < 0)
            return w->rc = rc;
    }
    w->hist[1] = w->hist[0];
    w->hist[0] = tid;
    if (w->nhist < 2)
        w->nhist++;
    return 0;
}

/* TRANSFORM: look up the article's tokens from..to with the dictionary slot of token i + 24
 * prefetched (a lookup is a few cycles, a miss a few hundred), then emit unigram features and
 * n-gram keys. */
static int resolve_tokens(struct walk *w, size_t from, size_t to, int title)
{
    const nc_vectorizer *v = w->v;
    const struct tokdict *d = &v->dict;
    nc_vector *o = w->out;
    struct ptok *pt = o->toks;
    size_t mask = d->nslots - 1;
    int rc;

    if (!d->nslots)
        return NC_OK;
    for (size_t i = from; i < to; i++) {
        if (i + 24 < to)
            __builtin_prefetch(&d->slots[pt[i + 24].h & mask]);
        pt[i].tid = tokdict_find_hd(d, pt[i].h, pt[i].head, pt[i].len,
                                    pt[i].len > 8 ? o->tail + pt[i].tail : NULL);
        if (pt[i].tid != NO_TID)
            __builtin_prefetch(&v->uni[2 * (size_t)pt[i].tid]);
    }
    w->nhist = 0;
    for (size_t i = from; i < to; i++) {
        uint32_t tid = pt[i].tid;
        int32_t f;
        if (pt[i].start)
            w->nhist = 0;
        if (tid == NO_TID) { /* unknown word: no n-gram can contain it */
            w->nhist = 0;
            continue;
        }
        /* unigrams straight from the token's entry */
        if ((f = v->uni[2 * (size_t)tid]) && (rc = push_index(w, f)) < 0)
            return rc;
        if (title && v->o.title_features && (f = v->uni[2 * (size_t)tid + 1]) &&
            (rc = push_index(w, f)) < 0)
            return rc;
        if (v->o.ngram_max >= 2 && w->nhist >= 1) {
            uint32_t t2[3] = { w->hist[0], tid, NO_TID };
            if ((rc = use_gram(w, t2, 0)) < 0)
                return rc;
        }
        if (v->o.ngram_max >= 3 && w->nhist >= 2) {
            uint32_t t3[3] = { w->hist[1], w->hist[0], tid };
            if ((rc = use_gram(w, t3, 0)) < 0)
                return rc;
        }
        w->hist[1] = w->hist[0];
        w->hist[0] = tid;
        if (w->nhist < 2)
            w->nhist++;
    }
    return NC_OK;
}

static int walk_article(struct walk *w, const nc_article *a)
{
    const nc_feature_opts *o = &w->v->o;
    int defer = w->mode == WALK_TRANSFORM && !o->hash_bits; /* see resolve_tokens */
    size_t ntitle = 0;
    int rc;

    w->nhist = 0;
    w->rc = 0;
    if (defer)
        w->out->ntoks = w->out->tail_len = 0;
    if (a->title && a->title[0]) {
        w->title = 1;
        rc = nc_tokenize(a->title, strlen(a->title), o, on_token, w);
        if (rc)
            return w->rc ? w->rc : rc;
    }
    if (defer)
        ntitle = w->out->ntoks;
    w->title = 0;
    w->nhist = 0;
    if (a->text && a->text[0]) {
        rc = nc_tokenize(a->text, strlen(a->text), o, on_token, w);
        if (rc)
            return w->rc ? w->rc : rc;
    }
    if (defer && ((rc = resolve_tokens(w, 0, ntitle, 1)) < 0 ||
                  (rc = resolve_tokens(w, ntitle, w->out->ntoks, 0)) < 0))
        return rc;
    return NC_OK;
}

/* Sort ints ascending: insertion sort for short runs, quicksort (median of three, recursing
 * into the smaller side) above; much faster than qsort's callback on this hot path. */
static void sort_ints(int *a, size_t n)
{
    while (n > 16) {
        size_t i = 0, j = n - 1, mid = n / 2;
        int p, t;
        if (a[mid] < a[0]) { t = a[mid]; a[mid] = a[0]; a[0] = t; }
        if (a[n - 1] < a[0]) { t = a[n - 1]; a[n - 1] = a[0]; a[0] = t; }
        if (a[n - 1] < a[mid]) { t = a[n - 1]; a[n - 1] = a[mid]; a[mid] = t; }
        p = a[mid];
        for (;;) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i >= j)
                break;
            t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* a[0..j] <= p <= a[j+1..n) */
        if (j + 1 < n - (j + 1)) {
            sort_ints(a, j + 1);
            a += j + 1;
            n -= j + 1;
        } else {
            sort_ints(a + j + 1, n - (j + 1));
            n = j + 1;
        }
    }
    for (size_t i = 1; i < n; i++) {
        int x = a[i];
        size_t k = i;
        while (k > 0 && a[k - 1] > x) {
            a[k] = a[k - 1];
            k--;
        }
        a[k] = x;
    }
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int nc_vectorizer_fit_article(nc_vectorizer *v, const nc_article *a, nc_error *err)
{
    struct walk w;
    int rc;

    if (v->finished)
        return nc_err(err, NC_EINVAL, "vectorizer is already finished");
    if (v->ndocs >= UINT32_MAX - 1)
        return nc_err(err, NC_EINVAL, "too many articles");
    memset(&w, 0, sizeof w);
    w.vw = v;
    w.v = v;
    w.mode = WALK_FIT;
    w.doc = (uint32_t)v->ndocs + 1;
    if (v->o.hash_bits) {
        nc_vector tmp;
        nc_vector_init(&tmp);
        w.out = &tmp;
        rc = walk_article(&w, a);
        if (rc == NC_OK && tmp.n) {
            qsort(tmp.idx, tmp.n, sizeof *tmp.idx, cmp_int);
            for (size_t i = 0; i < tmp.n; i++)
                if (i == 0 || tmp.idx[i] != tmp.idx[i - 1])
                    v->bucket_df[tmp.idx[i] - 1]++;
        }
        nc_vector_finish(&tmp);
    } else {
        v->nfk = 0;
        rc = walk_article(&w, a);
        if (rc >= 0)
            rc = gramtab_count_batch(&v->grams, v->fk, v->nfk, w.doc);
    }
    if (rc < 0)
        return nc_err(err, rc, "out of memory while counting terms");
    v->ndocs++;
    return NC_OK;
}

/* The text of a gram: tokens joined by spaces, '^' before a headline unigram. */
static char *gram_text(const nc_vectorizer *v, const struct gram *g)
{
    nc_strbuf sb = NC_STRBUF_INIT;
    if (g->title && nc_strbuf_addc(&sb, TITLE_MARK) < 0)
        goto fail;
    for (int k = 0; k < 3 && g->t[k] != NO_TID; k++) {
        if (k && nc_strbuf_addc(&sb, ' ') < 0)
            goto fail;
        if (nc_strbuf_add(&sb, v->dict.arena + v->dict.off[g->t[k]], v->dict.len[g->t[k]]) < 0)
            goto fail;
    }
    return nc_strbuf_detach(&sb);
fail:
    nc_strbuf_finish(&sb);
    return NULL;
}

struct kept {
    char *text;
    uint64_t head; /* the text's first 8 bytes, big-endian: compares as strcmp does */
    uint32_t df;
    size_t entry;
};

static int cmp_kept_text(const void *a, const void *b)
{
    const struct kept *x = a, *y = b;
    if (x->head != y->head)
        return x->head < y->head ? -1 : 1;
    return strcmp(x->text, y->text);
}

static int cmp_kept_df(const void *a, const void *b)
{
    const struct kept *x = a, *y = b;
    if (x->df != y->df)
        return x->df > y->df ? -1 : 1;
    return strcmp(x->text, y->text);
}

static double smooth_idf(size_t ndocs, uint32_t df)
{
    return log((1.0 + (double)ndocs) / (1.0 + (double)df)) + 1.0;
}

int nc_vectorizer_finish(nc_vectorizer *v, nc_error *err)
{
    struct kept *k = NULL;
    size_t nk = 0;
    double max_df = v->o.max_df * (double)v->ndocs;
    int rc = NC_OK;

    if (v->finished)
        return nc_err(err, NC_EINVAL, "vectorizer is already finished");
    if (v->o.hash_bits) {
        v->nfeat = v->nbuckets;
        v->df = v->bucket_df;
        v->bucket_df = NULL;
        v->idf = nc_alloc_array(v->nfeat, sizeof *v->idf);
        if (!v->idf)
            return nc_err(err, NC_ENOMEM, "out of memory");
        for (size_t b = 0; b < v->nfeat; b++) {
            if (v->df[b] < (uint32_t)v->o.min_df || (double)v->df[b] > max_df)
                v->df[b] = 0; /* pruned: transform skips buckets with df 0 */
            v->idf[b] = v->df[b] ? smooth_idf(v->ndocs, v->df[b]) : 0.0;
        }
        v->finished = 1;
        return NC_OK;
    }

    k = nc_alloc_array(v->grams.n ? v->grams.n : 1, sizeof *k);
    if (!k)
        return nc_err(err, NC_ENOMEM, "out of memory");
    for (size_t e = 0; e < v->grams.n; e++) {
        struct gram *g = &v->grams.g[e];
        if (g->df < (uint32_t)v->o.min_df || (double)g->df > max_df)
            continue;
        k[nk].text = gram_text(v, g);
        if (!k[nk].text) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        k[nk].head = 0;
        for (size_t b = 0; b < 8 && k[nk].text[b]; b++)
            k[nk].head |= (uint64_t)(unsigned char)k[nk].text[b] << (56 - 8 * b);
        k[nk].df = g->df;
        k[nk].entry = e;
        nk++;
    }
    if (v->o.max_features && nk > v->o.max_features) {
        qsort(k, nk, sizeof *k, cmp_kept_df);
        for (size_t i = v->o.max_features; i < nk; i++)
            free(k[i].text);
        nk = v->o.max_features;
    }
    qsort(k, nk, sizeof *k, cmp_kept_text);
    v->terms = nc_alloc_array(nk ? nk : 1, sizeof *v->terms);
    v->df = nc_alloc_array(nk ? nk : 1, sizeof *v->df);
    v->idf = nc_alloc_array(nk ? nk : 1, sizeof *v->idf);
    if (!v->terms || !v->df || !v->idf) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    if (lookup_init(&v->lk, nk) < 0) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < nk; i++) {
        const struct gram *g = &v->grams.g[k[i].entry];
        uint64_t k1;
        uint32_t k2;
        gram_key(g->t, g->title, &k1, &k2);
        lookup_put(&v->lk, k1, k2, (int32_t)(i + 1));
        v->terms[i] = k[i].text;
        k[i].text = NULL;
        v->df[i] = k[i].df;
        v->idf[i] = smooth_idf(v->ndocs, k[i].df);
    }
    v->nfeat = nk;
    if (build_unigram_index(v) < 0) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    (void)set_char_range(v); /* cannot fail: the terms are sorted, the settings are v's own */
    v->finished = 1;
    gramtab_free(&v->grams); /* the counts are no longer needed */
    free(v->fk);
    v->fk = NULL;
    v->nfk = v->fk_cap = 0;
out:
    if (k) {
        for (size_t i = 0; i < nk; i++)
            free(k[i].text);
        free(k);
    }
    return rc;
}

/* Counters at [0, nfeat]; (size_t)-1 when the feature space is too large for counters (ids
 * must fit radix_sort_ids's 22 bits). */
static size_t scratch_need(const nc_vectorizer *v)
{
    if (v->nfeat >= ((size_t)1 << 22))
        return (size_t)-1;
    return v->nfeat + 1;
}

/* Sort n distinct feature ids in 1..nfeat (nfeat < 2^22) ascending: two passes of a
 * least-significant-digit radix sort, digits of half the ids' bits; tmp holds n ids. Short
 * lists go to insertion sort. No comparison branches to mispredict. */
static void radix_sort_ids(int *a, uint32_t *tmp, size_t n, size_t nfeat)
{
    uint32_t h0[2048], h1[2048], s0 = 0, s1 = 0;
    unsigned bits = 1, b;
    uint32_t mask;

    if (n <= 32) {
        sort_ints(a, n);
        return;
    }
    while (bits < 22 && ((size_t)1 << bits) <= nfeat)
        bits++;
    b = (bits + 1) / 2;
    mask = (1u << b) - 1;
    memset(h0, 0, (mask + 1) * sizeof *h0);
    memset(h1, 0, (mask + 1) * sizeof *h1);
    for (size_t i = 0; i < n; i++) {
        h0[(uint32_t)a[i] & mask]++;
        h1[(uint32_t)a[i] >> b]++;
    }
    for (uint32_t d = 0; d <= mask; d++) {
        uint32_t c0 = h0[d], c1 = h1[d];
        h0[d] = s0;
        h1[d] = s1;
        s0 += c0;
        s1 += c1;
    }
    for (size_t i = 0; i < n; i++)
        tmp[h0[(uint32_t)a[i] & mask]++] = (uint32_t)a[i];
    for (size_t i = 0; i < n; i++)
        a[h1[tmp[i] >> b]++] = (int)tmp[i];
}

int nc_vector_reserve(nc_vector *v, const nc_vectorizer *vz, nc_error *err)
{
    size_t need = scratch_need(vz);
    if (need == (size_t)-1 || v->scratch_cap >= need)
        return NC_OK;
    free(v->scratch);
    v->scratch = calloc(need, sizeof *v->scratch);
    if (!v->scratch) {
        v->scratch_cap = 0;
        return nc_err(err, NC_ENOMEM, "out of memory");
    }
    v->scratch_cap = need;
    return NC_OK;
}

int nc_vectorizer_counts(const nc_vectorizer *v, const nc_article *a, nc_vector *out,
                         nc_error *err)
{
    struct walk w;
    size_t i, m;
    int rc;

    if (!v->finished)
        return nc_err(err, NC_EINVAL, "vectorizer is not finished");
    out->n = 0;
    out->nkeys = 0;
    memset(&w, 0, sizeof w);
    w.v = v;
    w.mode = WALK_TRANSFORM;
    w.out = out;
    rc = walk_article(&w, a);
    if (rc >= 0 && !v->o.hash_bits)
        rc = resolve_keys(v, out, &w);
    if (rc < 0)
        return nc_err(err, rc, "out of memory while vectorising");
    /* Fold repeats into counts with a per-feature counter array (kept in the vector between
     * calls), and order the distinct features with a bitmap scan over [lo, hi] when that is
     * cheaper than sorting them (comparison sorts mispredict a branch per step). */
    if (out->scratch_cap < scratch_need(v)) {
        /* no counters reserved (or a huge hashed space): sort the occurrences */
        sort_ints(out->idx, out->n);
        for (i = 0, m = 0; i < out->n; m++) {
            size_t j = i + 1;
            while (j < out->n && out->idx[j] == out->idx[i])
                j++;
            out->idx[m] = out->idx[i];
            out->val[m] = (double)(j - i);
            i = j;
        }
        out->n = m;
        return NC_OK;
    }
    /* distinct features, in order of first occurrence (branch-free: half the occurrences are
     * first ones, so a branch here mispredicts), then sorted by radix */
    for (i = 0, m = 0; i < out->n; i++) {
        int f = out->idx[i];
        uint32_t c = out->scratch[f];
        out->scratch[f] = c + 1;
        out->idx[m] = f;
        m += c == 0;
    }
    out->n = m;
    radix_sort_ids(out->idx, (uint32_t *)(void *)out->val, m, v->nfeat);
    for (i = 0; i < m; i++) {
        out->val[i] = (double)out->scratch[out->idx[i]];
        out->scratch[out->idx[i]] = 0;
    }
    return NC_OK;
}

static double sublinear_tab[64];
static pthread_once_t sublinear_once = PTHREAD_ONCE_INIT;

static void init_sublinear(void)
{
    for (int t = 1; t < 64; t++)
        sublinear_tab[t] = 1.0 + log((double)t);
}

int nc_vector_weight(const nc_vectorizer *v, const nc_vector *counts, nc_weighting wt,
                     nc_vector *out, nc_error *err)
{
    double norm = 0.0;

    if (out != counts) {
        if (out->cap < counts->n) {
            size_t cap = counts->n;
            void *p = nc_realloc_array(out->idx, cap, sizeof *out->idx);
            if (!p)
                return nc_err(err, NC_ENOMEM, "out of memory");
            out->idx = p;
            p = nc_realloc_array(out->val, cap, sizeof *out->val);
            if (!p)
                return nc_err(err, NC_ENOMEM, "out of memory");
            out->val = p;
            out->cap = cap;
        }
        if (counts->n)
            memcpy(out->idx, counts->idx, counts->n * sizeof *out->idx);
        out->n = counts->n;
    }
    if (wt == NC_WEIGHT_TFIDF && v->o.sublinear_tf) {
        /* 1 + ln(tf), from a table for the usual small counts (the same values log gives) */
        pthread_once(&sublinear_once, init_sublinear);
        for (size_t i = 0; i < counts->n; i++) {
            double tf = counts->val[i];
            tf = tf < 64 && tf == (double)(int)tf ? sublinear_tab[(int)tf] : 1.0 + log(tf);
            out->val[i] = tf * v->idf[counts->idx[i] - 1];
            norm += out->val[i] * out->val[i];
        }
    } else {
        for (size_t i = 0; i < counts->n; i++) {
            out->val[i] = counts->val[i] * v->idf[counts->idx[i] - 1];
            norm += out->val[i] * out->val[i];
        }
    }
    if (v->char_lo <= v->char_hi) {
        /* the character n-grams (ids char_lo..char_hi, a run of the sorted vector) and the
         * words are normalised apart, each block to length 1/sqrt(2) when both are there, so
         * that the many character n-grams of a word do not drown its word features */
        size_t a = 0, b;
        double nw = 0.0, nch = 0.0;
        while (a < out->n && (size_t)out->idx[a] < v->char_lo)
            a++;
        for (b = a; b < out->n && (size_t)out->idx[b] <= v->char_hi; b++)
            nch += out->val[b] * out->val[b];
        for (size_t i = 0; i < a; i++) /* the words before the run and after it */
            nw += out->val[i] * out->val[i];
        for (size_t i = b; i < out->n; i++)
            nw += out->val[i] * out->val[i];
        double sw = nw > 0.0 ? 1.0 / sqrt(nch > 0.0 ? 2.0 * nw : nw) : 0.0;
        double sc = nch > 0.0 ? 1.0 / sqrt(nw > 0.0 ? 2.0 * nch : nch) : 0.0;
        for (size_t i = 0; i < out->n; i++)
            out->val[i] *= i >= a && i < b ? sc : sw;
        return NC_OK;
    }
    if (norm > 0.0) {
        norm = 1.0 / sqrt(norm);
        for (size_t i = 0; i < out->n; i++)
            out->val[i] *= norm;
    }
    return NC_OK;
}

int nc_vectorizer_transform(const nc_vectorizer *v, const nc_article *a, nc_weighting wt,
                            nc_vector *out, nc_error *err)
{
    int rc = nc_vectorizer_counts(v, a, out, err);
    return rc < 0 ? rc : nc_vector_weight(v, out, wt, out, err);
}

/* ---- vocabulary file ---- */

/* The settings recorded by nc_vectorizer_write_settings, after the header's mode (older
 * readers' sscanf stops before them) */
#define SETTINGS_FMT " ngrams=%d title=%d stopwords=%d stoplist=%d stem=%d"

static int write_vocab(const nc_vectorizer *v, FILE *fp, int settings, nc_error *err)
{
    if (!v->finished)
        return nc_err(err, NC_EINVAL, "vectorizer is not finished");
    /* version 2 only with character n-grams: a build that knows only 1 refuses those
     * vocabularies instead of reading their "~<ab" terms as words */
    fprintf(fp, "# newsclass-vocab %d docs=%zu features=%zu mode=%s", v->o.char_max ? 2 : 1,
            v->ndocs, v->nfeat,
            v->o.hash_bits ? "hash" : "vocab");
    if (settings) {
        fprintf(fp, SETTINGS_FMT, v->o.ngram_max, v->o.title_features, v->o.stopwords,
                v->o.stopword_list, v->o.stem);
        if (v->o.char_max) /* only then: vocabularies without them read as before */
            fprintf(fp, " chars=%d-%d", v->o.char_min, v->o.char_max);
    }
    fputc('\n', fp);
    for (size_t i = 0; i < v->nfeat; i++) {
        if (v->o.hash_bits) {
            if (v->df[i])
                fprintf(fp, "%zu\t#%zu\t%u\n", i + 1, i, v->df[i]);
        } else {
            fprintf(fp, "%zu\t%s\t%u\n", i + 1, nc_vectorizer_term(v, i + 1), v->df[i]);
        }
    }
    if (ferror(fp))
        return nc_err(err, NC_EIO, "cannot write vocabulary: %s", strerror(errno));
    return NC_OK;
}

int nc_vectorizer_write(const nc_vectorizer *v, FILE *fp, nc_error *err)
{
    return write_vocab(v, fp, 0, err);
}

int nc_vectorizer_write_settings(const nc_vectorizer *v, FILE *fp, nc_error *err)
{
    return write_vocab(v, fp, 1, err);
}

/* A header's recorded settings (nc_vectorizer_write_settings) against 'o': NC_OK when there are
 * none or they agree, else an error listing the options that differ. */
static int check_settings(const char *buf, size_t len, const char *path, const nc_feature_opts *o,
                          nc_error *err)
{
    const char *nl = memchr(buf, '\n', len), *s, *chars;
    char line[256], diff[256] = "";
    size_t ll = nl ? (size_t)(nl - buf) : len, dl = 0;
    int ng, title, stop, list, stem, cmin = 0, cmax = 0;

    if (ll >= sizeof line)
        ll = sizeof line - 1;
    memcpy(line, buf, ll);
    line[ll] = '\0';
    if (!(s = strstr(line, " ngrams=")))
        return NC_OK; /* a vocabulary of an older build, or of a model bundle */
    chars = strstr(s, " chars=");
    if (sscanf(s, SETTINGS_FMT, &ng, &title, &stop, &list, &stem) != 5 ||
        (chars && sscanf(chars, " chars=%d-%d", &cmin, &cmax) != 2))
        return nc_err(err, NC_EFORMAT, "%s:1: bad settings on the header line", path);
#define DIFF(...) (dl < sizeof diff ? dl += (size_t)snprintf(diff + dl, sizeof diff - dl, __VA_ARGS__) : 0)
    if (ng != o->ngram_max)
        DIFF(", --ngrams %d (here %d)", ng, o->ngram_max);
    if (title != o->title_features)
        DIFF(", %s", title ? "headline features (here --no-title-features)"
                           : "--no-title-features (here without)");
    if (stop != o->stopwords)
        DIFF(", %s", stop ? "--stopwords (here without)" : "no --stopwords (here with)");
    if (stop && o->stopwords && list != o->stopword_list)
        DIFF(", stop-word list %d (here %d)", list, o->stopword_list);
    if (stem != o->stem)
        DIFF(", %s", stem ? "--stem (here without)" : "no --stem (here with)");
    if (cmin != o->char_min || cmax != o->char_max) {
        if (!cmax)
            DIFF(", no --char-ngrams (here %d-%d)", o->char_min, o->char_max);
        else if (!o->char_max)
            DIFF(", --char-ngrams %d-%d (here without)", cmin, cmax);
        else
            DIFF(", --char-ngrams %d-%d (here %d-%d)", cmin, cmax, o->char_min, o->char_max);
    }
#undef DIFF
    if (*diff)
        return nc_err(err, NC_EINVAL, "%s:1: the vocabulary was fitted with other feature options: "
                      "%s; give the options it was fitted with", path, diff + 2);
    return NC_OK;
}

/* A decimal number filling s[0..) up to its NUL; -1 when it is not one (or too large). */
static long long parse_count(const char *s)
{
    long long v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 100000000000LL)
            return -1;
        v = v * 10 + (*s - '0');
    }
    return v;
}

int nc_vectorizer_read(const char *path, const nc_feature_opts *o, nc_vectorizer **out,
                       nc_error *err)
{
    char *buf = NULL;
    size_t len;
    int rc;

    *out = NULL;
    if ((rc = nc_read_file(path, &buf, &len, err)) < 0)
        return rc;
    return nc_vectorizer_parse(buf, len, path, o, out, err);
}

int nc_vectorizer_parse(char *buf, size_t len, const char *path, const nc_feature_opts *o,
                        nc_vectorizer **out, nc_error *err)
{
    nc_vectorizer *v = NULL;
    char *p, *end;
    size_t ndocs = 0, nfeat = 0;
    long lineno = 1;
    char mode[16] = "";
    double idf_memo[1024] = { 0 }; /* idf by df (0: not computed yet; idf is always >= 1) */
    int rc = NC_OK, version = 0;

    *out = NULL;
    if (sscanf(buf, "# newsclass-vocab %d docs=%zu features=%zu mode=%15s", &version, &ndocs,
               &nfeat, mode) != 4 ||
        (strcmp(mode, "vocab") != 0 && strcmp(mode, "hash") != 0)) {
        rc = nc_err(err, NC_EFORMAT, "%s:1: not a newsclass vocabulary header", path);
        goto out;
    }
    if (version != 1 && version != 2) {
        rc = nc_err(err, NC_EFORMAT, "%s:1: vocabulary version %d (this newsclass reads 1 and 2)",
                    path, version);
        goto out;
    }
    /* every term takes a line of at least 6 bytes ("1<TAB>x<TAB>1\n"): a header claiming more
     * is corrupt, and must not size the tables */
    if (strcmp(mode, "vocab") == 0 && nfeat > len / 6) {
        rc = nc_err(err, NC_EFORMAT, "%s:1: header says %zu terms, more than the file can hold",
                    path, nfeat);
        goto out;
    }
    if ((rc = check_settings(buf, len, path, o, err)) < 0)
        goto out;
    if ((strcmp(mode, "hash") == 0) != (o->hash_bits != 0)) {
        rc = nc_err(err, NC_EFORMAT, "%s:1: mode '%s' does not match the feature settings (%s)",
                    path, mode, o->hash_bits ? "hashed features need a hashed vocabulary"
                                             : "a hashed vocabulary needs its --hash-bits");
        goto out;
    }
    if ((rc = nc_vectorizer_new(o, &v, err)) < 0)
        goto out;
    v->ndocs = ndocs;
    if (o->hash_bits) {
        if (nfeat != v->nbuckets) {
            rc = nc_err(err, NC_EFORMAT, "%s:1: %zu buckets, expected %zu", path, nfeat,
                        v->nbuckets);
            goto out;
        }
        v->nfeat = nfeat;
        v->df = v->bucket_df;
        v->bucket_df = NULL;
    } else {
        v->nfeat = nfeat;
        /* start the dictionary at one word per four terms (n-gram vocabularies have about
         * one per five); it grows if it must, and is shrunk to fit at the end */
        if (tokdict_rehash(&v->dict, pow2_at_least(nfeat / 2 + 16)) < 0 ||
            lookup_init(&v->lk, nfeat) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        v->terms = calloc(nfeat ? nfeat : 1, sizeof *v->terms);
        v->df = calloc(nfeat ? nfeat : 1, sizeof *v->df);
        if (!v->terms || !v->df) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
    }
    v->idf = calloc(nfeat ? nfeat : 1, sizeof *v->idf);
    if (!v->idf) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    p = strchr(buf, '\n');
    p = p ? p + 1 : buf + len;
    size_t expect = 1;
    int char_run = 0; /* 0: no character n-gram term yet, 1: in their run, 2: past it */
    for (; p < buf + len; p = end + 1, lineno++) {
        char *tab1, *tab2;
        long long idx, df;
        end = memchr(p, '\n', (size_t)(buf + len - p));
        if (!end)
            end = buf + len;
        *end = '\0';
        if (p == end)
            continue;
        /* short fields: plain loops beat the library calls here */
        for (tab1 = p; *tab1 && *tab1 != '\t'; tab1++)
            ;
        for (tab2 = *tab1 ? tab1 + 1 : tab1; *tab2 && *tab2 != '\t'; tab2++)
            ;
        if (!*tab1 || !*tab2)
            tab2 = NULL;
        if (!tab2) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: expected 'index<TAB>term<TAB>df'", path,
                        lineno + 1);
            goto out;
        }
        *tab1 = *tab2 = '\0';
        idx = parse_count(p);
        if (idx < 1 || (size_t)idx > nfeat || (!o->hash_bits && (size_t)idx != expect)) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: bad feature index '%s'", path, lineno + 1, p);
            goto out;
        }
        df = parse_count(tab2 + 1);
        if (df < 1 || (size_t)df > ndocs) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: bad document frequency '%s'", path, lineno + 1,
                        tab2 + 1);
            goto out;
        }
        v->df[idx - 1] = (uint32_t)df;
        /* most terms are rare: their idf comes from a small table filled on first use */
        if (df < (long long)NC_ARRAY_SIZE(idf_memo)) {
            if (idf_memo[df] == 0.0)
                idf_memo[df] = smooth_idf(ndocs, (uint32_t)df);
            v->idf[idx - 1] = idf_memo[df];
        } else {
            v->idf[idx - 1] = smooth_idf(ndocs, (uint32_t)df);
        }
        expect = (size_t)idx + 1;
        if (o->hash_bits)
            continue;
        /* split the term into tokens (in place: terms[] point into the file buffer) */
        {
            char *term = tab1 + 1, *tok = term;
            uint32_t t[3] = { NO_TID, NO_TID, NO_TID };
            int title = 0, n = 0;
            uint64_t k1;
            uint32_t k2;
            v->terms[idx - 1] = term;
            if (term[0] == CHAR_MARK && (!o->char_max || strchr(term, ' '))) {
                rc = nc_err(err, NC_EFORMAT, "%s:%ld: term '%s' does not fit the settings (%s)",
                            path, lineno + 1, term, o->char_max ? "a character n-gram is one word"
                                                           : "no character n-grams");
                goto out;
            }
            if (term[0] == CHAR_MARK) {
                if (char_run == 2) {
                    rc = nc_err(err, NC_EFORMAT, "%s:%ld: character n-gram term '%s' apart from "
                                "the others (terms are sorted, so they are together)", path,
                                lineno + 1, term);
                    goto out;
                }
                char_run = 1;
            } else if (char_run == 1) {
                char_run = 2;
            }
            if (term[0] == TITLE_MARK) {
                title = 1;
                tok++;
            }
            while (*tok) {
                size_t tlen = 0;
                while (tok[tlen] && tok[tlen] != ' ')
                    tlen++;
                if (n == 3 || tlen == 0 || tokdict_add(&v->dict, tok, tlen, &t[n]) < 0) {
                    rc = nc_err(err, NC_EFORMAT, "%s:%ld: bad term '%s'", path, lineno + 1,
                                v->terms[idx - 1]);
                    goto out;
                }
                n++;
                tok += tlen;
                if (*tok == ' ')
                    tok++;
            }
            if (n == 0 || n > o->ngram_max || (title && n != 1)) {
                rc = nc_err(err, NC_EFORMAT, "%s:%ld: term '%s' does not fit the n-gram settings",
                            path, lineno + 1, v->terms[idx - 1]);
                goto out;
            }
            gram_key(t, title, &k1, &k2);
            if (lookup_put(&v->lk, k1, k2, (int32_t)idx)) {
                rc = nc_err(err, NC_EFORMAT, "%s:%ld: duplicate term '%s'", path, lineno + 1,
                            v->terms[idx - 1]);
                goto out;
            }
        }
    }
    if (!o->hash_bits && expect != nfeat + 1) {
        rc = nc_err(err, NC_EFORMAT, "%s: %zu terms, header says %zu", path, expect - 1, nfeat);
        goto out;
    }
    /* the dictionary was sized for one word per term; most terms share words, and a table
     * that fits the cache is what keeps lookups fast */
    if (!o->hash_bits &&
        ((v->dict.nslots > pow2_at_least(v->dict.ntok + v->dict.ntok / 2 + 16) &&
          tokdict_rehash(&v->dict, pow2_at_least(v->dict.ntok + v->dict.ntok / 2 + 16)) < 0) ||
         build_unigram_index(v) < 0)) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    (void)set_char_range(v); /* cannot fail: the terms were checked one by one above */
    v->finished = 1;
    if (!o->hash_bits) {
        v->filebuf = buf; /* the terms live in it */
        buf = NULL;
    }
    *out = v;
    v = NULL;
out:
    if (v && v->terms && !v->filebuf) {
        /* the terms point into buf: do not free them one by one */
        free(v->terms);
        v->terms = NULL;
    }
    nc_vectorizer_free(v);
    free(buf);
    return rc;
}

/* ---- vocab.idx: a binary image of a finished vocabulary (see features_index.h) ----
 * Layout, little-endian, every section at a multiple of 64 bytes:
 *   header (VIDX_HDR bytes): "NCVOCIDX", u32 format version, u32 byte-order mark 0x04030201,
 *     u32 layout version, u32 struct sizes, u64 probes of tok_hash, head8 and gram_key +
 *     key_hash (so a changed hash function is noticed even if VIDX_LAYOUT is not bumped), u64
 *     checksum and length of the vocab.tsv text it was built from, u64 ndocs, nfeat, tokens,
 *     dictionary slots, lookup slots, u32 ngram_max, u32 0, then VIDX_NSEC x {u64 offset, u64
 *     length};
 *   sections: the dictionary's slots, offsets (u64), lengths (u32) and string arena; the
 *     lookup table's slots; uni (2 x tokens + 2 int32); df (u32); idf (f64); the offset (u32)
 *     of each term's text, and the terms' text (NUL-terminated, in feature order).
 * The tables are the in-memory ones byte for byte, placed by tok_hash / key_hash: they are
 * valid only on a host where those give the same values, which the probes check. Loading maps
 * the file and points the vectorizer into it: no parse, no allocation per term. */

#define VIDX_MAGIC "NCVOCIDX"
#define VIDX_VERSION 1u
#define VIDX_LAYOUT 1u /* bump when tok_hash, head8, key_hash, gram_key or a slot changes */
#define VIDX_BOM 0x04030201u
#define VIDX_HDR 320u
#define VIDX_ALIGN 64u

enum { VS_DSLOTS, VS_DOFF, VS_DLEN, VS_ARENA, VS_LSLOTS, VS_UNI, VS_DF, VS_IDF, VS_TOFF, VS_TEXT,
       VIDX_NSEC };

static uint32_t vidx_sizes(void)
{
    return (uint32_t)(sizeof(struct tslot) | sizeof(struct gslot) << 8 | sizeof(size_t) << 16 |
                      sizeof(double) << 24);
}

static void vidx_probes(uint64_t pr[3])
{
    static const char s[] = "newsclass vocab.idx probe";
    uint32_t t[3] = { 7, NO_TID, NO_TID };
    uint64_t k1;
    uint32_t k2;
    gram_key(t, 1, &k1, &k2);
    pr[0] = tok_hash(s, sizeof s - 1) ^ tok_hash(s, 5);
    pr[1] = head8(s, 3) ^ head8(s, 6) << 1 ^ head8(s, 11) << 2;
    pr[2] = key_hash(k1, k2) ^ key_hash((uint64_t)3 | (uint64_t)4 << 32, 5);
}

static int vidx_host_ok(void)
{
    const uint32_t bom = VIDX_BOM;
    unsigned char b[4];
    memcpy(b, &bom, 4);
    return b[0] == 1 && b[3] == 4 && sizeof(size_t) == 8 && sizeof(double) == 8;
}

static void vidx_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void vidx_put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t vidx_get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t vidx_get64(const unsigned char *p)
{
    return (uint64_t)vidx_get32(p) | (uint64_t)vidx_get32(p + 4) << 32;
}

int nc_vectorizer_index_supported(const nc_vectorizer *v)
{
    return v && v->finished && !v->o.hash_bits && vidx_host_ok();
}

/* Write the image of c, a vectorizer parsed from vocabulary text tsv[0..tlen). */
static int vidx_emit(const nc_vectorizer *c, uint64_t tsv_sum, size_t tlen, FILE *fp,
                     nc_error *err)
{
    static const unsigned char zeros[VIDX_ALIGN];
    unsigned char hdr[VIDX_HDR];
    const void *sp[VIDX_NSEC];
    size_t sl[VIDX_NSEC], pos = VIDX_HDR, text_len = 0;
    uint32_t *toff = NULL;
    int32_t uni_tail[2] = { 0, 0 };
    uint64_t pr[3];
    nc_strbuf text = NC_STRBUF_INIT;
    int rc = NC_OK;

    /* the terms' text, NUL-terminated in feature order */
    toff = nc_alloc_array(c->nfeat ? c->nfeat : 1, sizeof *toff);
    if (!toff) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < c->nfeat; i++) {
        const char *t = c->terms[i];
        if (text.len > UINT32_MAX - strlen(t) - 1) {
            rc = nc_err(err, NC_EINVAL, "vocabulary too large for an index");
            goto out;
        }
        toff[i] = (uint32_t)text.len;
        if (nc_strbuf_add(&text, t, strlen(t) + 1) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
    }
    text_len = text.len;
    sp[VS_DSLOTS] = c->dict.slots;
    sl[VS_DSLOTS] = c->dict.nslots * sizeof(struct tslot);
    sp[VS_DOFF] = c->dict.off;
    sl[VS_DOFF] = c->dict.ntok * sizeof(size_t);
    sp[VS_DLEN] = c->dict.len;
    sl[VS_DLEN] = c->dict.ntok * sizeof(uint32_t);
    sp[VS_ARENA] = c->dict.arena;
    sl[VS_ARENA] = c->dict.arena_len;
    sp[VS_LSLOTS] = c->lk.s;
    sl[VS_LSLOTS] = c->lk.nslots * sizeof(struct gslot);
    sp[VS_UNI] = c->uni; /* 2 x tokens; the two spare entries are written as zeros below */
    sl[VS_UNI] = 2 * c->dict.ntok * sizeof(int32_t);
    sp[VS_DF] = c->df;
    sl[VS_DF] = c->nfeat * sizeof(uint32_t);
    sp[VS_IDF] = c->idf;
    sl[VS_IDF] = c->nfeat * sizeof(double);
    sp[VS_TOFF] = toff;
    sl[VS_TOFF] = c->nfeat * sizeof(uint32_t);
    sp[VS_TEXT] = text.buf;
    sl[VS_TEXT] = text_len;

    memset(hdr, 0, sizeof hdr);
    memcpy(hdr, VIDX_MAGIC, 8);
    vidx_put32(hdr + 8, VIDX_VERSION);
    vidx_put32(hdr + 12, VIDX_BOM);
    vidx_put32(hdr + 16, VIDX_LAYOUT);
    vidx_put32(hdr + 20, vidx_sizes());
    vidx_probes(pr);
    vidx_put64(hdr + 24, pr[0]);
    vidx_put64(hdr + 32, pr[1]);
    vidx_put64(hdr + 40, pr[2]);
    vidx_put64(hdr + 48, tsv_sum);
    vidx_put64(hdr + 56, (uint64_t)tlen);
    vidx_put64(hdr + 64, (uint64_t)c->ndocs);
    vidx_put64(hdr + 72, (uint64_t)c->nfeat);
    vidx_put64(hdr + 80, (uint64_t)c->dict.ntok);
    vidx_put64(hdr + 88, (uint64_t)c->dict.nslots);
    vidx_put64(hdr + 96, (uint64_t)c->lk.nslots);
    vidx_put32(hdr + 104, (uint32_t)c->o.ngram_max);
    for (int s = 0; s < VIDX_NSEC; s++) {
        size_t len = sl[s] + (s == VS_UNI ? sizeof uni_tail : 0);
        vidx_put64(hdr + 112 + 16 * s, (uint64_t)pos);
        vidx_put64(hdr + 120 + 16 * s, (uint64_t)len);
        pos += (len + VIDX_ALIGN - 1) / VIDX_ALIGN * VIDX_ALIGN;
    }
    if (fwrite(hdr, sizeof hdr, 1, fp) != 1)
        goto werr;
    for (int s = 0; s < VIDX_NSEC; s++) {
        size_t len = sl[s];
        if (len && fwrite(sp[s], len, 1, fp) != 1)
            goto werr;
        if (s == VS_UNI) {
            if (fwrite(uni_tail, sizeof uni_tail, 1, fp) != 1)
                goto werr;
            len += sizeof uni_tail;
        }
        if (len % VIDX_ALIGN && fwrite(zeros, VIDX_ALIGN - len % VIDX_ALIGN, 1, fp) != 1)
            goto werr;
    }
    goto out;
werr:
    rc = nc_err(err, NC_EIO, "cannot write vocabulary index: %s", strerror(errno));
out:
    free(toff);
    nc_strbuf_finish(&text);
    return rc;
}

int nc_vectorizer_write_index(const nc_vectorizer *v, FILE *fp, nc_error *err)
{
    char *text = NULL;
    size_t tlen = 0;
    nc_vectorizer *c = NULL;
    uint64_t sum;
    FILE *ms;
    int rc;

    if (!nc_vectorizer_index_supported(v))
        return nc_err(err, NC_EINVAL, "no vocabulary index for this vectorizer on this host");
    /* the canonical vectorizer: parsed from the text vocab.tsv holds */
    ms = open_memstream(&text, &tlen);
    if (!ms)
        return nc_err(err, NC_ENOMEM, "out of memory");
    rc = nc_vectorizer_write(v, ms, err);
    if (fclose(ms) != 0 && rc == NC_OK)
        rc = nc_err(err, NC_ENOMEM, "out of memory");
    if (rc < 0) {
        free(text);
        return rc;
    }
    sum = nc_checksum64(text, tlen);
    rc = nc_vectorizer_parse(text, tlen, "vocabulary", &v->o, &c, err); /* takes text */
    if (rc == NC_OK)
        rc = vidx_emit(c, sum, tlen, fp, err);
    nc_vectorizer_free(c);
    return rc;
}

/* Drop the pointers into the image (not the image itself). */
static void vidx_forget(nc_vectorizer *v)
{
    memset(&v->dict, 0, sizeof v->dict);
    memset(&v->lk, 0, sizeof v->lk);
    v->uni = NULL;
    v->df = NULL;
    v->idf = NULL;
    v->term_off = NULL;
    v->term_text = NULL;
}

static void vidx_release(nc_vectorizer *v)
{
    if (!v->image.data)
        return;
    vidx_forget(v);
    nc_unmap_file(&v->image);
}

int nc_vectorizer_from_index(nc_mapped *img, const char *path, const nc_feature_opts *o,
                             uint64_t tsv_sum, nc_vectorizer **out, nc_error *err)
{
    const unsigned char *h = (const unsigned char *)img->data;
    const char *base = img->data;
    size_t flen = img->len, so[VIDX_NSEC], need[VIDX_NSEC];
    uint64_t ndocs, nfeat, ntok, dslots, lslots, pr[3];
    nc_vectorizer *v = NULL;
    int rc;

    *out = NULL;
    if (flen < VIDX_HDR || memcmp(h, VIDX_MAGIC, 8) != 0)
        return nc_err(err, NC_EFORMAT, "%s: not a newsclass vocabulary index", path);
    /* sound, but for another build or host: vocab.tsv serves instead */
    vidx_probes(pr);
    if (vidx_get32(h + 8) != VIDX_VERSION || !vidx_host_ok() || memcmp(h + 12, "\1\2\3\4", 4) ||
        vidx_get32(h + 16) != VIDX_LAYOUT || vidx_get32(h + 20) != vidx_sizes() ||
        vidx_get64(h + 24) != pr[0] || vidx_get64(h + 32) != pr[1] ||
        vidx_get64(h + 40) != pr[2] || vidx_get64(h + 48) != tsv_sum || o->hash_bits ||
        vidx_get32(h + 104) != (uint32_t)o->ngram_max || ((uintptr_t)base & 7) != 0)
        return NC_VIDX_UNUSABLE;
    ndocs = vidx_get64(h + 64);
    nfeat = vidx_get64(h + 72);
    ntok = vidx_get64(h + 80);
    dslots = vidx_get64(h + 88);
    lslots = vidx_get64(h + 96);
    /* the counts first (so that the sizes below cannot overflow), then every section's place */
    if (nfeat >= 0x7FFFFFFFu || ntok >= 0x7FFFFFFEu || ndocs > UINT32_MAX ||
        dslots <= ntok || lslots <= nfeat || dslots > ((uint64_t)1 << 40) ||
        lslots > ((uint64_t)1 << 40) || (dslots & (dslots - 1)) || (lslots & (lslots - 1)))
        return nc_err(err, NC_EFORMAT, "%s: bad table sizes in the header", path);
    need[VS_DSLOTS] = (size_t)dslots * sizeof(struct tslot);
    need[VS_DOFF] = (size_t)ntok * sizeof(size_t);
    need[VS_DLEN] = (size_t)ntok * sizeof(uint32_t);
    need[VS_ARENA] = 0; /* any length */
    need[VS_LSLOTS] = (size_t)lslots * sizeof(struct gslot);
    need[VS_UNI] = (2 * (size_t)ntok + 2) * sizeof(int32_t);
    need[VS_DF] = (size_t)nfeat * sizeof(uint32_t);
    need[VS_IDF] = (size_t)nfeat * sizeof(double);
    need[VS_TOFF] = (size_t)nfeat * sizeof(uint32_t);
    need[VS_TEXT] = 0;
    for (int s = 0; s < VIDX_NSEC; s++) {
        uint64_t off = vidx_get64(h + 112 + 16 * s), len = vidx_get64(h + 120 + 16 * s);
        if (off < VIDX_HDR || off % 8 || len > flen || off > flen - len ||
            (need[s] && len != need[s]) || (!need[s] && s == VS_ARENA && ntok && len == 0) ||
            (!need[s] && s == VS_TEXT && nfeat && len == 0))
            return nc_err(err, NC_EFORMAT, "%s: section %d out of place (offset %llu, %llu bytes)",
                          path, s, (unsigned long long)off, (unsigned long long)len);
        so[s] = (size_t)off;
        need[s] = (size_t)len;
    }
    if ((rc = nc_vectorizer_new(o, &v, err)) < 0)
        return rc;
    v->ndocs = (size_t)ndocs;
    v->nfeat = (size_t)nfeat;
    v->dict.slots = (struct tslot *)(void *)(uintptr_t)(base + so[VS_DSLOTS]);
    v->dict.nslots = (size_t)dslots;
    v->dict.off = (size_t *)(void *)(uintptr_t)(base + so[VS_DOFF]);
    v->dict.len = (uint32_t *)(void *)(uintptr_t)(base + so[VS_DLEN]);
    v->dict.ntok = v->dict.captok = (size_t)ntok;
    v->dict.arena = (char *)(uintptr_t)(base + so[VS_ARENA]);
    v->dict.arena_len = v->dict.arena_cap = need[VS_ARENA];
    v->lk.s = (struct gslot *)(void *)(uintptr_t)(base + so[VS_LSLOTS]);
    v->lk.nslots = (size_t)lslots;
    v->lk.n = v->lk.nkeys = (size_t)nfeat;
    v->uni = (int32_t *)(void *)(uintptr_t)(base + so[VS_UNI]);
    v->df = (uint32_t *)(void *)(uintptr_t)(base + so[VS_DF]);
    v->idf = (double *)(void *)(uintptr_t)(base + so[VS_IDF]);
    v->term_off = (const uint32_t *)(const void *)(base + so[VS_TOFF]);
    v->term_text = base + so[VS_TEXT];
    v->image = *img; /* from here on nc_vectorizer_free releases the image */
    memset(img, 0, sizeof *img);
    v->finished = 1;

    /* the contents, as far as memory safety depends on them: every index stays in its table,
     * every string ends inside its section, and both hash tables have an empty slot (a probe
     * ends) */
    {
        const char *why = NULL;
        size_t alen = v->dict.arena_len, tlen = need[VS_TEXT], used = 0;
        if ((alen && v->dict.arena[alen - 1]) || (tlen && v->term_text[tlen - 1]))
            why = "unterminated strings";
        for (size_t t = 0; !why && t < v->dict.ntok; t++)
            if (v->dict.len[t] == 0 || v->dict.off[t] >= alen ||
                v->dict.len[t] >= alen - v->dict.off[t])
                why = "a word outside its section";
        for (size_t i = 0; !why && i < v->nfeat; i++)
            if (v->term_off[i] >= tlen)
                why = "a term outside its section";
        for (size_t i = 0; !why && i < 2 * v->dict.ntok + 2; i++)
            if (v->uni[i] < 0 || (uint64_t)v->uni[i] > nfeat)
                why = "a bad unigram feature";
        for (size_t j = 0; !why && j < v->dict.nslots; j++) {
            uint32_t id1 = v->dict.slots[j].id1;
            if (id1 > ntok)
                why = "a bad dictionary slot";
            used += id1 != 0;
        }
        if (!why && used != ntok)
            why = "a bad dictionary slot count";
        used = 0;
        for (size_t j = 0; !why && j < v->lk.nslots; j++) {
            int32_t ix = v->lk.s[j].index;
            if (ix < 0 || (uint64_t)ix > nfeat)
                why = "a bad feature slot";
            used += ix != 0;
        }
        if (!why && used != nfeat)
            why = "a bad feature slot count";
        if (!why)
            why = set_char_range(v);
        if (why) {
            rc = nc_err(err, NC_EFORMAT, "%s: malformed index (%s)", path, why);
            vidx_forget(v);
            *img = v->image; /* back to the caller, as promised */
            memset(&v->image, 0, sizeof v->image);
            nc_vectorizer_free(v);
            return rc;
        }
    }
    *out = v;
    return NC_OK;
}
