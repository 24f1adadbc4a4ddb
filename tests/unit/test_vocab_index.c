/* test_vocab_index.c: vocab.idx, the binary image of a model's vectorizer. A model loaded
 * through it behaves exactly like the same model loaded from vocab.tsv alone (every article's
 * scores, vectors and terms); the image is canonical (byte-identical however the vectorizer
 * was built); older bundles without it load as before; a damaged one is refused with a message
 * naming it and never crashes the loader. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <newsclass/corpus.h>
#include <newsclass/model.h>
#include <newsclass/newsclass.h>

#include "check.h"
#include "features_index.h"
#include "util.h"

static const char *bundle_files[] = { "model.json", "vocab.tsv", "vocab.idx", "weights.bin",
                                      "lexicon.tsv" };

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char p[1024], *buf = NULL;
    size_t n = 0;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (nc_read_file(p, &buf, &n, NULL) < 0)
        return NULL;
    if (len)
        *len = n;
    return buf;
}

/* Write a file as a new inode (a loaded model may still map the old one). */
static void spill(const char *dir, const char *name, const char *buf, size_t len)
{
    char p[1024], t[1100];
    FILE *fp;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    snprintf(t, sizeof t, "%s.new", p);
    fp = fopen(t, "wb");
    if (!fp)
        return;
    fwrite(buf, 1, len, fp);
    fclose(fp);
    rename(t, p);
}

static void rm_bundle(const char *dir)
{
    char p[1024];
    for (size_t i = 0; i < NC_ARRAY_SIZE(bundle_files); i++) {
        snprintf(p, sizeof p, "%s/%s", dir, bundle_files[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* Copy bundle 'src' to 'dst' (every file it has). */
static void copy_bundle(const char *src, const char *dst)
{
    rm_bundle(dst);
    mkdir(dst, 0755);
    for (size_t i = 0; i < NC_ARRAY_SIZE(bundle_files); i++) {
        size_t n;
        char *b = slurp(src, bundle_files[i], &n);
        if (b)
            spill(dst, bundle_files[i], b, n);
        free(b);
    }
}

static int same_file(const char *a, const char *b, const char *name)
{
    size_t nx = 0, ny = 0;
    char *x = slurp(a, name, &nx), *y = slurp(b, name, &ny);
    int same = x && y && nx == ny && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

/* Replace model.json's checksum of vocab.idx with that of the file now in dir. */
static void reseal(const char *dir)
{
    size_t n, ni;
    char *j = slurp(dir, "model.json", &n), *idx = slurp(dir, "vocab.idx", &ni), *pos, sum[32];
    pos = j ? strstr(j, "\"vocab.idx\":\t\"nc64:") : NULL;
    if (pos && idx) {
        snprintf(sum, sizeof sum, "%016llx", (unsigned long long)nc_checksum64(idx, ni));
        memcpy(pos + strlen("\"vocab.idx\":\t\"nc64:"), sum, 16);
        spill(dir, "model.json", j, n);
    }
    free(j);
    free(idx);
}

/* Two models agree on everything the vectorizer offers and on every article's result. */
static void check_same_model(const nc_model *x, const nc_model *y, const nc_corpus *c)
{
    const nc_vectorizer *vx = nc_model_vectorizer(x), *vy = nc_model_vectorizer(y);
    nc_prediction p, q;
    nc_vector a, b;
    nc_error err = { 0 };
    size_t nf = nc_vectorizer_size(vx), bad_terms = 0, bad_scores = 0, bad_vectors = 0;

    CHECK_EQ_INT(nf, nc_vectorizer_size(vy));
    CHECK_EQ_INT(nc_vectorizer_ndocs(vx), nc_vectorizer_ndocs(vy));
    CHECK(nf > 100);
    for (size_t i = 0; i <= nf + 1; i++) {
        const char *s = nc_vectorizer_term(vx, i), *t = nc_vectorizer_term(vy, i);
        if ((s == NULL) != (t == NULL) || (s && strcmp(s, t) != 0) ||
            nc_vectorizer_df(vx, i) != nc_vectorizer_df(vy, i))
            bad_terms++;
    }
    CHECK_EQ_INT(bad_terms, 0);
    CHECK(nc_vectorizer_term(vx, 0) == NULL && nc_vectorizer_term(vx, nf + 1) == NULL);
    CHECK(nc_vectorizer_term(vx, 1) != NULL && nc_vectorizer_term(vx, nf) != NULL);
    nc_prediction_init(&p);
    nc_prediction_init(&q);
    nc_vector_init(&a);
    nc_vector_init(&b);
    for (size_t i = 0; i < c->n; i++) {
        if (nc_classify(x, &c->docs[i], &p, &err) < 0 ||
            nc_classify(y, &c->docs[i], &q, &err) < 0 || p.nlabels != q.nlabels ||
            p.tone != q.tone) {
            bad_scores++;
            continue;
        }
        for (size_t l = 0; l < p.nlabels; l++)
            bad_scores += p.scores[l] != q.scores[l] || p.selected[l] != q.selected[l];
        if (nc_vectorizer_transform(vx, &c->docs[i], NC_WEIGHT_TFIDF, &a, &err) < 0 ||
            nc_vectorizer_transform(vy, &c->docs[i], NC_WEIGHT_TFIDF, &b, &err) < 0 ||
            a.n != b.n || (a.n && (memcmp(a.idx, b.idx, a.n * sizeof *a.idx) != 0 ||
                                   memcmp(a.val, b.val, a.n * sizeof *a.val) != 0)))
            bad_vectors++;
    }
    CHECK_EQ_INT(bad_scores, 0);
    CHECK_EQ_INT(bad_vectors, 0);
    /* explanations name the same terms */
    {
        nc_contribution u1[5], d1[5], u2[5], d2[5];
        size_t nu1, nd1, nu2, nd2;
        CHECK_EQ_INT(nc_explain(x, &c->docs[0], 0, 5, u1, &nu1, d1, &nd1, &err), NC_OK);
        CHECK_EQ_INT(nc_explain(y, &c->docs[0], 0, 5, u2, &nu2, d2, &nd2, &err), NC_OK);
        CHECK_EQ_INT(nu1, nu2);
        for (size_t i = 0; i < nu1 && i < nu2; i++)
            CHECK_STR(u1[i].term, u2[i].term);
    }
    nc_vector_finish(&a);
    nc_vector_finish(&b);
    nc_prediction_finish(&p);
    nc_prediction_finish(&q);
}

/* The image in dir/vocab.idx, built into a vectorizer directly (no checksum involved). */
static int from_buf(const char *buf, size_t len, const nc_feature_opts *o, uint64_t tsv_sum,
                    nc_vectorizer **out, nc_error *err)
{
    nc_mapped img;
    char *copy = malloc(len ? len : 1);
    int rc;
    if (!copy)
        return NC_ENOMEM;
    memcpy(copy, buf, len);
    img.data = copy;
    img.len = len;
    img.mapped = 0;
    rc = nc_vectorizer_from_index(&img, "x/vocab.idx", o, tsv_sum, out, err);
    nc_unmap_file(&img); /* nothing when taken */
    return rc;
}

static void put64(char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (char)(unsigned char)(v >> (8 * i));
}

int main(void)
{
    nc_corpus c;
    nc_train_opts o;
    nc_model *m = NULL, *mi = NULL, *mt = NULL, *mo = NULL, *bad = NULL;
    nc_error err = { 0 };
    nc_reader_opts ro = { 0 };
    char dir[] = "/tmp/nc-test-vidx-XXXXXX", a[64], b[64], d[64], e[64];

    nc_set_log(NULL, NULL);
    nc_corpus_init(&c);
    CHECK_EQ_INT(nc_corpus_read(&c, NC_TEST_DATA "/tiny-train.jsonl", &ro, &err), NC_OK);
    CHECK(mkdtemp(dir) != NULL);
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    snprintf(d, sizeof d, "%s/d", dir);
    snprintf(e, sizeof e, "%s/e", dir);

    nc_train_opts_default(&o);
    o.features.min_df = 1;
    o.features.ngram_max = 3; /* trigrams too: every kind of key in the image */
    o.folds = 2;
    CHECK_EQ_INT(nc_train(c.docs, c.n, &o, NULL, NULL, &m, &err), NC_OK);
    if (!m) {
        fprintf(stderr, "train failed: %s\n", err.msg);
        return check_report();
    }
    CHECK_EQ_INT(nc_model_save(m, a, &err), NC_OK);
    {
        char *j = slurp(a, "model.json", NULL), *idx = slurp(a, "vocab.idx", NULL);
        CHECK(idx != NULL && memcmp(idx, "NCVOCIDX", 8) == 0);
        CHECK(j && strstr(j, "\"vocab.idx\":\t\"nc64:") != NULL);
        free(j);
        free(idx);
    }

    /* through the index, through vocab.tsv (index deleted), and as an older bundle (no index
     * listed in model.json): the same model */
    CHECK_EQ_INT(nc_model_load(a, &mi, &err), NC_OK);
    copy_bundle(a, b);
    {
        char p[128];
        snprintf(p, sizeof p, "%s/vocab.idx", b);
        unlink(p);
    }
    CHECK_EQ_INT(nc_model_load(b, &mt, &err), NC_OK);
    copy_bundle(a, d);
    {
        size_t n;
        char *j = slurp(d, "model.json", &n), *pos = j ? strstr(j, "\t\t\"vocab.idx\":") : NULL;
        char *eol = pos ? strchr(pos, '\n') : NULL;
        CHECK(eol != NULL);
        if (eol) {
            memmove(pos, eol + 1, n - (size_t)(eol + 1 - j) + 1);
            spill(d, "model.json", j, strlen(j));
        }
        free(j);
        /* a stale index is never consulted once model.json does not list it */
        spill(d, "vocab.idx", "garbage", 7);
    }
    CHECK_EQ_INT(nc_model_load(d, &mo, &err), NC_OK);
    if (mi && mt && mo) {
        check_same_model(mi, mt, &c);
        check_same_model(mi, mo, &c);
        check_same_model(m, mi, &c);
    }

    /* canonical: saving the model loaded either way writes the same image as training did */
    if (mi && mt) {
        CHECK_EQ_INT(nc_model_save(mi, e, &err), NC_OK);
        CHECK(same_file(a, e, "vocab.idx"));
        CHECK(same_file(a, e, "vocab.tsv"));
        CHECK_EQ_INT(nc_model_save(mt, e, &err), NC_OK);
        CHECK(same_file(a, e, "vocab.idx"));
    }

    /* the image built directly: every check on the header and contents */
    {
        size_t n, nt;
        char *img = slurp(a, "vocab.idx", &n), *tsv = slurp(a, "vocab.tsv", &nt);
        const nc_feature_opts *fo = nc_vectorizer_opts(nc_model_vectorizer(m));
        nc_feature_opts o2;
        uint64_t tsum = tsv ? nc_checksum64(tsv, nt) : 0;
        nc_vectorizer *v = NULL;
        char *x = img ? malloc(n) : NULL;
        CHECK(x != NULL);
        if (x) {
            CHECK_EQ_INT(from_buf(img, n, fo, tsum, &v, &err), NC_OK);
            CHECK(v && nc_vectorizer_size(v) == nc_vectorizer_size(nc_model_vectorizer(m)));
            nc_vectorizer_free(v);
            v = NULL;
            /* not for this vocab.tsv, these settings, this layout: not used (vocab.tsv is) */
            CHECK_EQ_INT(from_buf(img, n, fo, tsum ^ 1, &v, &err), NC_VIDX_UNUSABLE);
            o2 = *fo;
            o2.ngram_max = 2;
            CHECK_EQ_INT(from_buf(img, n, &o2, tsum, &v, &err), NC_VIDX_UNUSABLE);
            memcpy(x, img, n);
            x[16]++; /* layout version */
            CHECK_EQ_INT(from_buf(x, n, fo, tsum, &v, &err), NC_VIDX_UNUSABLE);
            memcpy(x, img, n);
            x[24] ^= 1; /* tok_hash probe: another hash function */
            CHECK_EQ_INT(from_buf(x, n, fo, tsum, &v, &err), NC_VIDX_UNUSABLE);
            memcpy(x, img, n);
            x[12] = 4, x[15] = 1; /* written big-endian */
            CHECK_EQ_INT(from_buf(x, n, fo, tsum, &v, &err), NC_VIDX_UNUSABLE);
            /* malformed: refused, naming the file */
            memcpy(x, img, n);
            x[0] = 'X';
            CHECK_EQ_INT(from_buf(x, n, fo, tsum, &v, &err), NC_EFORMAT);
            CHECK(strstr(err.msg, "vocab.idx: not a newsclass vocabulary index") != NULL);
            CHECK_EQ_INT(from_buf(img, 100, fo, tsum, &v, &err), NC_EFORMAT);
            CHECK_EQ_INT(from_buf(img, n / 2, fo, tsum, &v, &err), NC_EFORMAT);
            CHECK(strstr(err.msg, "vocab.idx: section") != NULL);
            memcpy(x, img, n);
            put64(x + 112 + 16 * 4, (uint64_t)n); /* lookup slots past the end */
            CHECK_EQ_INT(from_buf(x, n, fo, tsum, &v, &err), NC_EFORMAT);
            memcpy(x, img, n);
            put64(x + 96, 3); /* lookup table size not a power of two */
            CHECK_EQ_INT(from_buf(x, n, fo, tsum, &v, &err), NC_EFORMAT);
            CHECK(strstr(err.msg, "vocab.idx: bad table sizes") != NULL);
            memcpy(x, img, n);
            put64(x + 72, (uint64_t)1 << 40); /* absurd feature count */
            CHECK_EQ_INT(from_buf(x, n, fo, tsum, &v, &err), NC_EFORMAT);
            /* a lookup slot naming a feature that does not exist */
            {
                uint64_t off = 0, len = 0;
                for (int i = 0; i < 8; i++) {
                    off |= (uint64_t)(unsigned char)img[112 + 16 * 4 + i] << (8 * i);
                    len |= (uint64_t)(unsigned char)img[120 + 16 * 4 + i] << (8 * i);
                }
                memcpy(x, img, n);
                for (uint64_t s = 0; s < len / 16; s++) {
                    char *slot = x + off + 16 * s;
                    if (memcmp(slot + 12, "\0\0\0\0", 4) != 0) {
                        memcpy(slot + 12, "\xff\xff\xff\x7f", 4);
                        break;
                    }
                }
                CHECK_EQ_INT(from_buf(x, n, fo, tsum, &v, &err), NC_EFORMAT);
                CHECK(strstr(err.msg, "vocab.idx: malformed index (a bad feature slot)") != NULL);
            }
            /* random damage anywhere never crashes: either refused or usable (the checksum
             * in model.json is what catches it in a bundle) */
            {
                uint64_t r = 0x243f6a8885a308d3ULL;
                size_t ok = 0, refused = 0;
                nc_vector vec;
                nc_vector_init(&vec);
                for (int k = 0; k < 400; k++) {
                    memcpy(x, img, n);
                    for (int f = 0; f < 4; f++) {
                        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
                        /* half the flips in the header, where they matter most */
                        size_t pos = (size_t)(r >> 33) % (f % 2 ? n : 320);
                        x[pos] ^= (char)(1u << ((r >> 20) & 7));
                    }
                    int rc = from_buf(x, n, fo, tsum, &v, &err);
                    if (rc == NC_OK) {
                        ok++;
                        for (size_t i = 0; i < c.n; i += 7)
                            nc_vectorizer_transform(v, &c.docs[i], NC_WEIGHT_TFIDF, &vec, &err);
                        for (size_t i = 1; i <= nc_vectorizer_size(v); i += 97)
                            CHECK(nc_vectorizer_term(v, i) != NULL);
                        nc_vectorizer_free(v);
                        v = NULL;
                    } else {
                        refused++;
                        CHECK(v == NULL);
                    }
                }
                CHECK(ok > 0 && refused > 0);
                nc_vector_finish(&vec);
            }
        }
        free(x);
        free(img);
        free(tsv);
    }

    /* damaged in a bundle: the checksum names the file; truncated: the same */
    {
        size_t n;
        char *img = slurp(a, "vocab.idx", &n);
        copy_bundle(a, d);
        if (img) {
            img[n / 2] ^= 0x20;
            spill(d, "vocab.idx", img, n);
            img[n / 2] ^= 0x20;
        }
        CHECK_EQ_INT(nc_model_load(d, &bad, &err), NC_EFORMAT);
        CHECK(strstr(err.msg, "vocab.idx: checksum mismatch") != NULL);
        CHECK(bad == NULL);
        if (img)
            spill(d, "vocab.idx", img, n - 1000);
        CHECK_EQ_INT(nc_model_load(d, &bad, &err), NC_EFORMAT);
        CHECK(strstr(err.msg, "vocab.idx: checksum mismatch") != NULL);
        if (img)
            spill(d, "vocab.idx", img, 0);
        CHECK_EQ_INT(nc_model_load(d, &bad, &err), NC_EFORMAT);
        CHECK(strstr(err.msg, "vocab.idx: checksum mismatch") != NULL);
        /* malformed but with a matching checksum: the structural checks name it */
        if (img) {
            spill(d, "vocab.idx", img, n / 2);
            reseal(d);
        }
        CHECK_EQ_INT(nc_model_load(d, &bad, &err), NC_EFORMAT);
        CHECK(strstr(err.msg, "/vocab.idx: section") != NULL);
        CHECK(bad == NULL);
        /* vocab.tsv is still checked when the index is used */
        copy_bundle(a, d);
        {
            size_t nt;
            char *t = slurp(d, "vocab.tsv", &nt);
            if (t) {
                t[nt - 2] = t[nt - 2] == '1' ? '2' : '1';
                spill(d, "vocab.tsv", t, nt);
            }
            free(t);
        }
        CHECK_EQ_INT(nc_model_load(d, &bad, &err), NC_EFORMAT);
        CHECK(strstr(err.msg, "vocab.tsv: checksum mismatch") != NULL);
        free(img);
    }

    /* hashed features: no dictionary, so no index; loads from vocab.tsv */
    {
        nc_model *h = NULL, *h2 = NULL;
        char p[128];
        o.features.hash_bits = 12;
        o.features.ngram_max = 2;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &o, NULL, NULL, &h, &err), NC_OK);
        CHECK_EQ_INT(nc_model_save(h, d, &err), NC_OK);
        snprintf(p, sizeof p, "%s/vocab.idx", d);
        CHECK(access(p, F_OK) != 0);
        CHECK_EQ_INT(nc_model_load(d, &h2, &err), NC_OK);
        nc_model_free(h);
        nc_model_free(h2);
    }

    nc_model_free(m);
    nc_model_free(mi);
    nc_model_free(mt);
    nc_model_free(mo);
    nc_corpus_finish(&c);
    rm_bundle(a);
    rm_bundle(b);
    rm_bundle(d);
    rm_bundle(e);
    rmdir(dir);
    return check_report();
}
