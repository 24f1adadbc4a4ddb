/* test_model.c: training, the model bundle (save, load, validation) and classification. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <newsclass/corpus.h>
#include <newsclass/model.h>
#include <newsclass/newsclass.h>

#include "check.h"
#include "model_impl.h"
#include "util.h"

static int same_file(const char *a, const char *b)
{
    char *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    int same;
    if (nc_read_file(a, &x, &nx, NULL) < 0 || nc_read_file(b, &y, &ny, NULL) < 0) {
        free(x);
        free(y);
        return 0;
    }
    same = nx == ny && memcmp(x, y, nx) == 0;
    free(x);
    free(y);
    return same;
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    if (fp) {
        fputs(text, fp);
        fclose(fp);
    }
}

static void rm_bundle(const char *dir)
{
    char p[1024];
    const char *f[] = { "model.json", "vocab.tsv", "vocab.idx", "weights.bin" };
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, f[i]);
        unlink(p);
    }
    rmdir(dir);
}

/* nc_threshold_pick: a narrow spike of the F1 curve (thresholds 0.24-0.25: F1 0.893) beside a
 * broad plateau (0.26-0.75: F1 0.889). The exact maximum takes the spike; averaged over +-0.1
 * the curve peaks on the plateau, where a small change of the scores cannot move it far; a
 * heavier weight on negatives (F1 at a lower prevalence) moves the exact maximum too. */
static void test_threshold_pick(void)
{
    enum { N = 344 };
    double s[N], thr = -1;
    int y[N], n = 0;
    for (int i = 0; i < 80; i++, n++)
        s[n] = 0.75, y[n] = 1;
    for (int i = 0; i < 20; i++, n++)
        s[n] = 0.25, y[n] = 1;
    for (int i = 0; i < 24; i++, n++)
        s[n] = 0.26, y[n] = 0;
    for (int i = 0; i < 200; i++, n++)
        s[n] = 0.24, y[n] = 0;
    for (int i = 0; i < 20; i++, n++)
        s[n] = 0.02 + 0.001 * i, y[n] = 0;
    CHECK_EQ_INT(n, N);
    CHECK_EQ_INT(nc_threshold_pick(s, y, N, 1.0, 0, &thr), NC_OK);
    CHECK_NEAR(thr, 0.245, 1e-9);
    CHECK_EQ_INT(nc_threshold_pick(s, y, N, 1.0, 0.1, &thr), NC_OK);
    CHECK_NEAR(thr, 0.365, 1e-9); /* the lowest point whose window lies on the plateau */
    CHECK_EQ_INT(nc_threshold_pick(s, y, N, 1.0, 0.02, &thr), NC_OK);
    CHECK(thr > 0.26 && thr <= 0.75);
    CHECK_EQ_INT(nc_threshold_pick(s, y, N, 10.0, 0, &thr), NC_OK);
    CHECK_NEAR(thr, 0.505, 1e-9);
}

int main(void)
{
    nc_corpus c;
    nc_train_opts o;
    nc_model *m = NULL, *m2 = NULL, *bad = NULL;
    nc_error err = { 0 };
    nc_reader_opts ro = { 0 };
    nc_prediction p, q;
    char dir[] = "/tmp/nc-test-model-XXXXXX", a[64], b[64], path[128];

    nc_set_log(NULL, NULL);
    test_threshold_pick();
    nc_corpus_init(&c);
    nc_prediction_init(&p);
    nc_prediction_init(&q);
    CHECK_EQ_INT(nc_corpus_read(&c, NC_TEST_DATA "/tiny-train.jsonl", &ro, &err), NC_OK);
    CHECK(c.n >= 50);
    CHECK(mkdtemp(dir) != NULL);

    nc_train_opts_default(&o);
    o.features.min_df = 1;
    o.folds = 3;
    CHECK_EQ_INT(nc_train(c.docs, c.n, &o, NULL, NULL, &m, &err), NC_OK);
    if (!m) {
        fprintf(stderr, "train failed: %s\n", err.msg);
        return check_report();
    }
    CHECK_EQ_INT(nc_model_topic_mode(m), NC_TOPICS_MULTILABEL);
    CHECK_EQ_INT(nc_model_nlabels(m), 3);
    CHECK_STR(nc_model_label(m, 0), "cybersecurity");
    CHECK(nc_model_has_tone(m));

    /* save, load, identical predictions */
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    CHECK_EQ_INT(nc_model_save(m, a, &err), NC_OK);
    snprintf(path, sizeof path, "%s.tmp", a);
    CHECK(access(path, F_OK) != 0); /* no temporary left behind */
    CHECK_EQ_INT(nc_model_load(a, &m2, &err), NC_OK);
    for (size_t i = 0; m2 && i < c.n; i++) {
        CHECK_EQ_INT(nc_classify(m, &c.docs[i], &p, &err), NC_OK);
        CHECK_EQ_INT(nc_classify(m2, &c.docs[i], &q, &err), NC_OK);
        for (size_t l = 0; l < p.nlabels; l++) {
            CHECK_NEAR(p.scores[l], q.scores[l], 1e-12);
            CHECK_EQ_INT(p.selected[l], q.selected[l]);
        }
        CHECK_NEAR(p.tone, q.tone, 1e-12);
        CHECK(p.tone >= -1 && p.tone <= 1);
    }
    /* the model learnt its training data */
    {
        size_t right = 0, total = 0;
        for (size_t i = 0; i < c.n; i++) {
            nc_classify(m, &c.docs[i], &p, &err);
            for (size_t l = 0; l < p.nlabels; l++) {
                int gold = 0;
                for (size_t t = 0; t < c.docs[i].ntopics; t++)
                    gold |= strcmp(c.docs[i].topics[t], nc_model_label(m, l)) == 0;
                right += p.selected[l] == gold;
                total++;
            }
        }
        CHECK(right >= total * 9 / 10);
    }
    /* determinism: the same corpus, options and seed give a byte-identical bundle */
    {
        nc_model *m3 = NULL;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &o, NULL, NULL, &m3, &err), NC_OK);
        CHECK_EQ_INT(nc_model_save(m3, b, &err), NC_OK);
        nc_model_free(m3);
        const char *files[] = { "model.json", "vocab.tsv", "vocab.idx", "weights.bin" };
        for (int i = 0; i < 4; i++) {
            char x[128], y[128];
            snprintf(x, sizeof x, "%s/%s", a, files[i]);
            snprintf(y, sizeof y, "%s/%s", b, files[i]);
            CHECK(same_file(x, y));
        }
    }
    /* saving over an existing bundle replaces it */
    CHECK_EQ_INT(nc_model_save(m, b, &err), NC_OK);
    /* tone does not drift with length: a paragraph ten times scores like once */
    {
        nc_article once, ten;
        char buf[4096] = "";
        const char *para = "The council approved the new budget after a long debate, though "
                           "several members warned that costs could rise again.\n\n";
        nc_article_init(&once);
        nc_article_init(&ten);
        once.text = (char *)para;
        for (int i = 0; i < 10; i++)
            strcat(buf, para);
        ten.text = buf;
        CHECK_EQ_INT(nc_classify(m, &once, &p, &err), NC_OK);
        CHECK_EQ_INT(nc_classify(m, &ten, &q, &err), NC_OK);
        CHECK_NEAR(p.tone, q.tone, 0.05);
        CHECK(p.tone > -0.99 && p.tone < 0.99); /* not clamped: a drift could not hide */
    }
    /* explanations: terms with the sign of their push */
    {
        nc_contribution up[5], down[5];
        size_t nup, ndown;
        CHECK_EQ_INT(nc_explain(m, &c.docs[0], 0, 5, up, &nup, down, &ndown, &err), NC_OK);
        for (size_t i = 0; i < nup; i++)
            CHECK(up[i].value > 0 && up[i].term);
        for (size_t i = 0; i < ndown; i++)
            CHECK(down[i].value < 0 && down[i].term);
        CHECK_EQ_INT(nc_explain(m, &c.docs[0], 99, 5, up, &nup, down, &ndown, &err), NC_EINVAL);
    }
    /* weights that are not numbers (a damaged bundle) give an error, never a NaN score */
    {
        size_t n = (size_t)m->S * nc_vectorizer_size(m->vec);
        double *keep = malloc(n * sizeof *keep);
        if (keep) {
            memcpy(keep, m->W, n * sizeof *keep);
            for (size_t i = 0; i < n; i++)
                m->W[i] = NAN;
            CHECK_EQ_INT(nc_classify(m, &c.docs[0], &p, &err), NC_EFORMAT);
            CHECK(strstr(err.msg, "not a number (is weights.bin damaged?)") != NULL);
            memcpy(m->W, keep, n * sizeof *keep);
            free(keep);
            CHECK_EQ_INT(nc_classify(m, &c.docs[0], &p, &err), NC_OK);
        }
    }
    /* a newer format version is refused with a clear message */
    snprintf(path, sizeof path, "%s/model.json", b);
    {
        char *text = NULL, *pos;
        nc_read_file(path, &text, NULL, NULL);
        pos = text ? strstr(text, "\"format_version\":\t1") : NULL;
        CHECK(pos != NULL);
        if (pos) {
            pos[strlen("\"format_version\":\t")] = '3';
            write_file(path, text);
        }
        free(text);
        CHECK_EQ_INT(nc_model_load(b, &bad, &err), NC_EVERSION);
        CHECK(strstr(err.msg, "format version 3 is newer than this newsclass (2)") != NULL);
    }
    /* a damaged weights file is caught by its checksum */
    CHECK_EQ_INT(nc_model_save(m, b, &err), NC_OK);
    snprintf(path, sizeof path, "%s/weights.bin", b);
    {
        FILE *fp = fopen(path, "r+b");
        if (fp) {
            fseek(fp, 40, SEEK_SET);
            fputc(0x55, fp);
            fclose(fp);
        }
        CHECK_EQ_INT(nc_model_load(b, &bad, &err), NC_EFORMAT);
        CHECK(strstr(err.msg, "weights.bin: checksum mismatch") != NULL);
    }
    /* not a model */
    CHECK_EQ_INT(nc_model_load("/nonexistent-model", &bad, &err), NC_EIO);
    CHECK(bad == NULL);
    /* a corpus with nothing to learn */
    {
        nc_article one;
        nc_model *none = NULL;
        nc_article_init(&one);
        one.text = "just text";
        CHECK(nc_train(&one, 1, &o, NULL, NULL, &none, &err) < 0);
        CHECK(none == NULL);
    }
    /* the grid C is chosen from: the solver's own, or the one given */
    {
        nc_train_opts g;
        const double *cg;
        size_t n;
        nc_train_opts_default(&g);
        nc_train_c_grid(&g, NC_SOLVER_LR, &cg, &n);
        CHECK(n == 5 && cg[0] == 2 && cg[4] == 512);
        nc_train_c_grid(&g, NC_SOLVER_LR_DUAL, &cg, &n);
        CHECK(n == 5 && cg[4] == 512);
        nc_train_c_grid(&g, NC_SOLVER_SVM, &cg, &n);
        CHECK(n == 4 && cg[0] == 0.125 && cg[3] == 8);
        g.C_grid[0] = 3;
        g.C_grid[1] = 30;
        g.C_grid_len = 2;
        nc_train_c_grid(&g, NC_SOLVER_SVM, &cg, &n);
        CHECK(n == 2 && cg == g.C_grid);
    }
    /* C grids the library refuses: not increasing, a value out of range, beside a fixed C */
    {
        nc_train_opts g = o;
        nc_model *none = NULL;
        g.C_grid[0] = 8;
        g.C_grid[1] = 2;
        g.C_grid_len = 2;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &g, NULL, NULL, &none, &err), NC_EINVAL);
        CHECK(strstr(err.msg, "the C grid must increase (value 2, 2, follows 8)") != NULL);
        g.C_grid[1] = -1;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &g, NULL, NULL, &none, &err), NC_EINVAL);
        CHECK(strstr(err.msg, "C grid value 2 must be in (0, 1e6]") != NULL);
        g.C_grid_len = 1;
        g.C = 4;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &g, NULL, NULL, &none, &err), NC_EINVAL);
        CHECK(strstr(err.msg, "a fixed C and a C grid cannot be combined") != NULL);
        g.C = 0;
        g.C_grid_len = NC_C_GRID_MAX + 1;
        CHECK_EQ_INT(nc_train(c.docs, c.n, &g, NULL, NULL, &none, &err), NC_EINVAL);
        CHECK(none == NULL);
    }

    /* where a bundle can go (nc_model_save_check), and what a save clears and what it refuses */
    {
        char c_[96], ct[96], f[128];
        snprintf(c_, sizeof c_, "%s/c", dir);
        snprintf(ct, sizeof ct, "%s/c.tmp", dir);
        CHECK_EQ_INT(nc_model_save_check(c_, &err), NC_OK);      /* absent: fine */
        CHECK_EQ_INT(nc_model_save_check(a, &err), NC_OK);       /* a bundle: replaced */
        CHECK(nc_model_save_check("", &err) < 0 && strstr(err.msg, "an empty path"));
        snprintf(f, sizeof f, "%s/nodir/m", dir);
        CHECK(nc_model_save_check(f, &err) < 0 && strstr(err.msg, "no directory"));
        CHECK(mkdir(c_, 0755) == 0);
        CHECK_EQ_INT(nc_model_save_check(c_, &err), NC_OK);      /* empty: fine */
        snprintf(f, sizeof f, "%s/notes.txt", c_);
        write_file(f, "mine");
        CHECK(nc_model_save_check(c_, &err) < 0 && strstr(err.msg, "is not a model"));
        CHECK(nc_model_save(m, c_, &err) < 0 && access(f, F_OK) == 0); /* never deleted */
        unlink(f);
        rmdir(c_);
        /* an interrupted save's leftovers in c.tmp are cleared; a file of the user's is not */
        CHECK(mkdir(ct, 0755) == 0);
        snprintf(f, sizeof f, "%s/weights.bin.tmp.99999.3", ct);
        write_file(f, "half");
        CHECK_EQ_INT(nc_model_save_check(c_, &err), NC_OK);
        snprintf(f, sizeof f, "%s/notes.txt", ct);
        write_file(f, "mine");
        CHECK(nc_model_save_check(c_, &err) < 0 && strstr(err.msg, "holds 'notes.txt'"));
        unlink(f);
        CHECK_EQ_INT(nc_model_save(m, c_, &err), NC_OK);
        CHECK(access(ct, F_OK) != 0);
        /* saved over a bundle: the old one is gone, nothing left beside it */
        CHECK_EQ_INT(nc_model_save(m, c_, &err), NC_OK);
        CHECK(access(ct, F_OK) != 0);
        rm_bundle(c_);
    }

    rm_bundle(a);
    rm_bundle(b);
    rmdir(dir);
    nc_prediction_finish(&p);
    nc_prediction_finish(&q);
    nc_model_free(m);
    nc_model_free(m2);
    nc_corpus_finish(&c);
    return check_report();
}
