/* model.c: the model bundle on disk.
 *
 *   DIR/model.json   manifest and model card (format, version, feature settings, labels,
 *                    thresholds, calibration, tone method, corpus statistics, cross-validation
 *                    scores, a 64-bit checksum (nc64) of every other file)
 *   DIR/vocab.tsv    the vectorizer ("index<TAB>term<TAB>df")
 *   DIR/vocab.idx    the same vectorizer as a binary image of its finished tables
 *                    (features_index.h; vocabulary mode, written on little-endian 64-bit
 *                    hosts): loading maps it and uses it in place instead of parsing
 *                    vocab.tsv and rebuilding the tables (BBC News, 92k features:
 *                    `newsclass info` 13.5 ms -> 3.2 ms). It is a cache: bundles without it
 *                    (older builds) or whose image does not apply here (another hash or
 *                    layout version, byte order, or built from another vocab.tsv) load from
 *                    vocab.tsv; a damaged one is an error. vocab.tsv is still checksummed.
 *   DIR/weights.bin  the linear scorers, little-endian: "NCWT", u32 version (2), u32 features,
 *                    u32 scorers S, f64 bias[S], then f64 weights feature by feature
 *                    (S per feature: the topic labels in order, then tone), the layout
 *                    classification reads.
 * Our own binary weights are mapped and used in place instead of LIBLINEAR's text parser (a
 * 60k-feature, four-scorer model: ~2 MB). Saving writes "DIR.tmp/" completely, then swaps it
 * with DIR in one step (Linux's renameat2 RENAME_EXCHANGE; elsewhere, or on a file system
 * without it, DIR goes aside to "DIR.old.PID" first), so an interrupted save never leaves a
 * half-written bundle, and on Linux never a moment without one. Loading checks the
 * format name and version, every checksum and that all parts agree, and says which file is
 * wrong.
 * SPDX-License-Identifier: MIT */
/* renameat2 and RENAME_EXCHANGE (glibc 2.28): the one-step swap of the new bundle with the old */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <newsclass/newsclass.h>
#include <newsclass/model.h>

#include "features_index.h"
#include "model_impl.h"
#include "util.h"

#define WEIGHTS_MAGIC "NCWT"
#define WEIGHTS_VERSION 2u

void nc_model_free(nc_model *m)
{
    if (!m)
        return;
    nc_vectorizer_free(m->vec);
    for (size_t l = 0; l < m->nlabels; l++) {
        free(m->labels ? m->labels[l] : NULL);
        if (m->topic)
            free(m->topic[l].w);
    }
    free(m->labels);
    free(m->topic);
    free(m->platt_a);
    free(m->platt_b);
    free(m->threshold);
    free(m->tone.w);
    if (!m->wmap.data)
        free(m->W);
    nc_unmap_file(&m->wmap);
    nc_lexicon_free(m->lex);
    free(m->card);
    free(m);
}

nc_topic_mode nc_model_topic_mode(const nc_model *m) { return m->mode; }
size_t nc_model_nlabels(const nc_model *m) { return m->nlabels; }
const char *nc_model_label(const nc_model *m, size_t i) { return i < m->nlabels ? m->labels[i] : NULL; }
double nc_model_threshold(const nc_model *m, size_t i) { return i < m->nlabels ? m->threshold[i] : NAN; }
int nc_model_has_tone(const nc_model *m) { return m->has_tone; }
const nc_vectorizer *nc_model_vectorizer(const nc_model *m) { return m->vec; }

/* ---- the card ---- */

static cJSON *features_json(const nc_feature_opts *o, size_t nfeat)
{
    cJSON *f = cJSON_CreateObject();
    if (!f)
        return NULL;
    cJSON_AddStringToObject(f, "tokenizer", "newsclass-1 (NFKC casefold, shapes for numbers, "
                                            "URLs, e-mail)");
    cJSON_AddNumberToObject(f, "ngram_max", o->ngram_max);
    cJSON_AddNumberToObject(f, "min_df", o->min_df);
    cJSON_AddNumberToObject(f, "max_df", o->max_df);
    cJSON_AddNumberToObject(f, "max_features", (double)o->max_features);
    cJSON_AddNumberToObject(f, "hash_bits", o->hash_bits);
    cJSON_AddStringToObject(f, "hash", o->hash_bits ? "fnv1a64+fasttext-ngram" : "none");
    cJSON_AddBoolToObject(f, "title_features", o->title_features);
    cJSON_AddBoolToObject(f, "stopwords", o->stopwords);
    cJSON_AddNumberToObject(f, "stopword_list", o->stopword_list);
    cJSON_AddBoolToObject(f, "stem", o->stem);
    if (o->char_max) { /* only then: bundles without them are written as before */
        cJSON_AddNumberToObject(f, "char_ngram_min", o->char_min);
        cJSON_AddNumberToObject(f, "char_ngram_max", o->char_max);
    }
    cJSON_AddBoolToObject(f, "sublinear_tf", o->sublinear_tf);
    cJSON_AddStringToObject(f, "idf", "smooth: ln((1+N)/(1+df))+1");
    cJSON_AddStringToObject(f, "norm", o->char_max ? "l2 per block: words and character "
                                                     "n-grams each 1/sqrt(2)" : "l2");
    cJSON_AddNumberToObject(f, "features", (double)nfeat);
    return f;
}

/* The full card: header, features, then the trained sections; 'files' is moved in if given. */
static cJSON *compose_card(const nc_model *m, cJSON *files)
{
    cJSON *body = cJSON_Parse(m->card ? m->card : "{}");
    cJSON *card = cJSON_CreateObject(), *it, *f;
    if (!body || !card) {
        cJSON_Delete(body);
        cJSON_Delete(card);
        cJSON_Delete(files);
        return NULL;
    }
    if (cJSON_GetObjectItemCaseSensitive(body, "format")) { /* already a full card (loaded) */
        cJSON_Delete(card);
        if (files) {
            cJSON_DeleteItemFromObjectCaseSensitive(body, "files");
            cJSON_AddItemToObject(body, "files", files);
        }
        return body;
    }
    cJSON_AddStringToObject(card, "format", NC_MODEL_FORMAT);
    /* 1 unless character n-grams need 2: older builds still read the bundles they can */
    cJSON_AddNumberToObject(card, "format_version",
                            nc_vectorizer_opts(m->vec)->char_max ? 2 : 1);
    cJSON_AddStringToObject(card, "newsclass_version", nc_version());
    f = features_json(nc_vectorizer_opts(m->vec), nc_vectorizer_size(m->vec));
    if (f)
        cJSON_AddItemToObject(card, "features", f);
    while ((it = body->child) != NULL) {
        cJSON_DetachItemViaPointer(body, it);
        cJSON_AddItemToObject(card, it->string, it); /* cJSON copies the key */
    }
    cJSON_Delete(body);
    if (files)
        cJSON_AddItemToObject(card, "files", files);
    return card;
}

char *nc_model_card_json(const nc_model *m)
{
    cJSON *card = compose_card(m, NULL);
    char *s = card ? cJSON_Print(card) : NULL;
    char *r = s ? nc_strdup(s) : NULL;
    cJSON_free(s);
    cJSON_Delete(card);
    return r;
}

/* ---- weights.bin ---- */

static void put_u32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof v);
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static double get_f64(const unsigned char *p)
{
    uint64_t v = 0;
    double d;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    memcpy(&d, &v, sizeof d);
    return d;
}

static int host_is_little_endian(void)
{
    const uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1 && sizeof(double) == 8;
}

static size_t nscorers(const nc_model *m)
{
    return m->nlabels * (m->mode != NC_TOPICS_NONE) + (m->has_tone != 0);
}

static nc_linear *scorer(nc_model *m, size_t s)
{
    return s < m->S - (m->has_tone != 0) ? &m->topic[s] : &m->tone;
}

int nc_model_pack(nc_model *m)
{
    size_t nfeat = nc_vectorizer_size(m->vec), S = nscorers(m);
    double *W;
    if (m->W)
        return NC_OK;
    if (S && nfeat > SIZE_MAX / S)
        return NC_ENOMEM;
    W = nc_alloc_array(nfeat && S ? nfeat * S : 1, sizeof *W);
    if (!W)
        return NC_ENOMEM;
    m->S = S;
    for (size_t s = 0; s < S; s++) {
        nc_linear *l = scorer(m, s);
        for (size_t i = 0; i < nfeat; i++)
            W[i * S + s] = l->w[i];
        free(l->w);
        l->w = NULL;
    }
    m->W = W;
    return NC_OK;
}

static int write_weights(const nc_model *m, const char *path, nc_error *err)
{
    nc_outfile of;
    unsigned char hdr[16];
    size_t nfeat = nc_vectorizer_size(m->vec);
    int rc;

    if ((rc = nc_outfile_open(&of, path, err)) < 0)
        return rc;
    memcpy(hdr, WEIGHTS_MAGIC, 4);
    put_u32(hdr + 4, WEIGHTS_VERSION);
    put_u32(hdr + 8, (uint32_t)nfeat);
    put_u32(hdr + 12, (uint32_t)m->S);
    if (fwrite(hdr, sizeof hdr, 1, of.fp) != 1)
        goto werr;
    {
        unsigned char buf[8 * 512];
        size_t k = 0, total = m->S + nfeat * m->S;
        for (size_t j = 0; j < total; j++) {
            double d = j < m->S ? scorer((nc_model *)m, j)->bias : m->W[j - m->S];
            put_f64(buf + 8 * k++, d);
            if (k == 512 || j + 1 == total) {
                if (fwrite(buf, 8, k, of.fp) != k)
                    goto werr;
                k = 0;
            }
        }
    }
    return nc_outfile_commit(&of, err);
werr:
    rc = nc_err(err, NC_EIO, "cannot write '%s': %s", path, strerror(errno));
    nc_outfile_abort(&of);
    return rc;
}

/* Decode weights.bin held in buf[0..len) (checked already; the caller frees it). */
static int read_weights(nc_model *m, const char *buf, size_t len, const char *path,
                        nc_error *err)
{
    size_t nfeat = nc_vectorizer_size(m->vec), nsc, need;
    const unsigned char *p;
    int rc = NC_OK;

    p = (const unsigned char *)buf;
    nsc = m->nlabels * (m->mode != NC_TOPICS_NONE) + (m->has_tone != 0);
    if (len < 16 || memcmp(p, WEIGHTS_MAGIC, 4) != 0) {
        rc = nc_err(err, NC_EFORMAT, "%s: not a newsclass weights file", path);
        goto out;
    }
    if (get_u32(p + 4) != WEIGHTS_VERSION) { /* 1 was scorer-major, before any release */
        rc = nc_err(err, NC_EVERSION, "%s: weights version %u is not supported", path,
                    get_u32(p + 4));
        goto out;
    }
    if (get_u32(p + 8) != nfeat || get_u32(p + 12) != nsc) {
        rc = nc_err(err, NC_EFORMAT,
                    "%s: holds %u scorers over %u features, model.json and vocab.tsv say %zu "
                    "over %zu",
                    path, get_u32(p + 12), get_u32(p + 8), nsc, nfeat);
        goto out;
    }
    need = 16 + nsc * (nfeat + 1) * 8;
    if (len != need) {
        rc = nc_err(err, NC_EFORMAT, "%s: %zu bytes, expected %zu", path, len, need);
        goto out;
    }
    p += 16;
    m->S = nsc;
    for (size_t s = 0; s < nsc; s++, p += 8)
        scorer(m, s)->bias = get_f64(p);
    if (m->wmap.data) {
        /* the file's byte order and 8-byte aligned (mapped or malloc'd, offset 16 + 8 S): the
         * weights are used where they lie, with no copy */
        m->W = (double *)(void *)p;
    } else {
        m->W = nc_alloc_array(nfeat && nsc ? nfeat * nsc : 1, sizeof *m->W);
        if (!m->W) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < nfeat * nsc; i++, p += 8)
            m->W[i] = get_f64(p);
    }
out:
    return rc;
}

/* ---- save ---- */

static const char *const bundle_files[] = { "model.json", "vocab.tsv", "vocab.idx",
                                             "weights.bin", "lexicon.tsv", "evaluation.json" };

/* Whether a directory entry is a bundle file, or the temporary an interrupted save left of one
 * (nc_outfile's "NAME.tmp.PID.N"). */
static int is_bundle_entry(const char *name)
{
    for (size_t i = 0; i < NC_ARRAY_SIZE(bundle_files); i++) {
        size_t n = strlen(bundle_files[i]);
        if (strncmp(name, bundle_files[i], n) == 0 &&
            (name[n] == '\0' || strncmp(name + n, ".tmp.", 5) == 0))
            return 1;
    }
    return 0;
}

static int no_entry(const char *name)
{
    (void)name;
    return 0;
}

/* Whether directory 'dir' holds only entries 'allowed' accepts (is_bundle_entry: clearing it
 * loses nothing of the user's; no_entry: it is empty). Returns 1, 0 (something else is there:
 * other[0..cap) names it), or -1 (cannot read it). */
static int only_entries(const char *dir, int (*allowed)(const char *), char *other, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    int ok = 1;
    if (!d)
        return -1;
    while (ok && (de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            allowed(de->d_name))
            continue;
        snprintf(other, cap, "%s", de->d_name);
        ok = 0;
    }
    closedir(d);
    return ok;
}

/* Remove a bundle directory: the files a bundle holds and the temporaries an interrupted save
 * left of them, then the directory; anything else in it keeps it (rmdir fails: ENOTEMPTY).
 * evaluation.json (tools/eval-default --card) is among the files: it describes the build it
 * sits beside, so a retrained bundle goes without it, and it must not keep the old directory
 * alive. */
static int remove_bundle_dir(const char *dir)
{
    char path[PATH_MAX];
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d)
        return errno == ENOENT ? 0 : -1;
    while ((de = readdir(d)) != NULL) {
        int n;
        if (!is_bundle_entry(de->d_name))
            continue;
        n = snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (n < 0 || (size_t)n >= sizeof path || (unlink(path) != 0 && errno != ENOENT)) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return rmdir(dir) == 0 || errno == ENOENT ? 0 : -1;
}

/* dir without trailing slashes into out ("out/" names the same directory as "out": without the
 * slash, the temporary is a sibling, "out.tmp", not a child). */
static int bundle_path(const char *dir_in, char *out, size_t cap, nc_error *err)
{
    size_t dl = strlen(dir_in);
    while (dl > 1 && dir_in[dl - 1] == '/')
        dl--;
    if (dl == 0)
        return nc_err(err, NC_EINVAL, "no model directory given (an empty path)");
    if (dl >= cap)
        return nc_err(err, NC_EINVAL, "model path '%s' is too long", dir_in);
    memcpy(out, dir_in, dl);
    out[dl] = '\0';
    return NC_OK;
}

int nc_model_save_check(const char *dir_in, nc_error *err)
{
    char dir[PATH_MAX], tmp[PATH_MAX], probe[PATH_MAX], other[256];
    struct stat st;
    int rc;
    const char *slash;

    if ((rc = bundle_path(dir_in, dir, sizeof dir, err)) < 0)
        return rc;
    if (snprintf(tmp, sizeof tmp, "%s.tmp", dir) >= (int)sizeof tmp ||
        snprintf(probe, sizeof probe, "%s/model.json", dir) >= (int)sizeof probe)
        return nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return nc_err(err, NC_EIO, "cannot write model to '%s': not a directory", dir);
        /* only ever replace a bundle, or an empty directory */
        if (access(probe, F_OK) != 0 && only_entries(dir, no_entry, other, sizeof other) != 1)
            return nc_err(err, NC_EIO,
                          "cannot write model to '%s': directory exists and is not a model", dir);
    } else if (errno != ENOENT) {
        return nc_err(err, NC_EIO, "cannot write model to '%s': %s", dir, strerror(errno));
    }
    /* the parent must take the temporary directory and the rename */
    slash = strrchr(dir, '/');
    if (slash) {
        size_t pl = slash == dir ? 1 : (size_t)(slash - dir);
        memcpy(probe, dir, pl);
        probe[pl] = '\0';
    } else {
        strcpy(probe, ".");
    }
    if (stat(probe, &st) != 0 || !S_ISDIR(st.st_mode))
        return nc_err(err, NC_EIO, "cannot write model to '%s': no directory '%s'", dir, probe);
    if (access(probe, W_OK | X_OK) != 0)
        return nc_err(err, NC_EIO, "cannot write model to '%s': '%s': %s", dir, probe,
                      strerror(errno));
    if (lstat(tmp, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return nc_err(err, NC_EIO, "cannot write model to '%s': '%s' is in the way (not a "
                                       "directory)", dir, tmp);
        rc = only_entries(tmp, is_bundle_entry, other, sizeof other);
        if (rc < 0)
            return nc_err(err, NC_EIO, "cannot clear '%s': %s", tmp, strerror(errno));
        if (rc == 0)
            return nc_err(err, NC_EIO, "cannot write model to '%s': '%s' holds '%s', which is "
                                       "not part of a model bundle (move it away)", dir, tmp,
                          other);
    }
    return NC_OK;
}

/* Put the finished bundle tmp in place of dir (which exists when had_dir). Returns 0, or -1
 * with errno set and dir as it was. */
static int swap_into_place(const char *tmp, const char *dir, const char *old, int had_dir)
{
    if (!had_dir)
        return rename(tmp, dir);
#if defined(__linux__) && defined(RENAME_EXCHANGE)
    /* one step: there is never a moment without a bundle at dir; tmp then holds the old one */
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0) {
        /* files of the user's in the old bundle keep it: it goes aside, as the two-step
         * swap leaves it, so that tmp is free for the next save */
        if (remove_bundle_dir(tmp) != 0)
            rename(tmp, old);
        return 0;
    }
    if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
        return -1;
#endif
    /* two steps (no exchange here): dir goes aside, tmp takes its place, dir comes back when
     * that fails */
    if (rename(dir, old) != 0)
        return -1;
    if (rename(tmp, dir) != 0) {
        int e = errno;
        rename(old, dir);
        errno = e;
        return -1;
    }
    remove_bundle_dir(old);
    return 0;
}

static int file_crc_json(cJSON *files, const char *dir, const char *name, nc_error *err)
{
    char path[PATH_MAX], buf[32];
    uint64_t sum;
    int rc;
    int n = snprintf(path, sizeof path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return nc_err(err, NC_EINVAL, "path too long: '%s/%s'", dir, name);
    if ((rc = nc_file_checksum(path, &sum, err)) < 0)
        return rc;
    snprintf(buf, sizeof buf, "nc64:%016llx", (unsigned long long)sum);
    cJSON_AddStringToObject(files, name, buf);
    return NC_OK;
}

enum part { PART_VOCAB, PART_INDEX, PART_LEXICON };

/* Write bundle file 'name' of m into the temporary directory tmp (dir: for messages). */
static int write_part(const char *tmp, const char *dir, const char *name, enum part what,
                      const nc_model *m, nc_error *err)
{
    char path[PATH_MAX];
    nc_outfile of;
    int rc;

    if (snprintf(path, sizeof path, "%s/%s", tmp, name) >= (int)sizeof path)
        return nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
    if ((rc = nc_outfile_open(&of, path, err)) < 0)
        return rc;
    rc = what == PART_VOCAB ? nc_vectorizer_write(m->vec, of.fp, err)
         : what == PART_INDEX ? nc_vectorizer_write_index(m->vec, of.fp, err)
                              : nc_lexicon_write(m->lex, of.fp, err);
    if (rc < 0) {
        nc_outfile_abort(&of);
        return rc;
    }
    return nc_outfile_commit(&of, err);
}

int nc_model_save(const nc_model *m, const char *dir_in, nc_error *err)
{
    char dir[PATH_MAX], tmp[PATH_MAX], old[PATH_MAX], path[PATH_MAX];
    nc_outfile of;
    cJSON *files = NULL, *card = NULL;
    char *text = NULL;
    struct stat st;
    int rc = NC_OK, with_index = nc_vectorizer_index_supported(m->vec);

    if ((rc = nc_model_save_check(dir_in, err)) < 0 ||
        (rc = bundle_path(dir_in, dir, sizeof dir, err)) < 0)
        return rc;
    if (snprintf(tmp, sizeof tmp, "%s.tmp", dir) >= (int)sizeof tmp ||
        snprintf(old, sizeof old, "%s.old.%ld", dir, (long)getpid()) >= (int)sizeof old)
        return nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
    /* a directory without model.json is empty (nc_model_save_check let nothing else through):
     * it goes, so that the new bundle can take its name */
    if (snprintf(path, sizeof path, "%s/model.json", dir) >= (int)sizeof path)
        return nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
    if (stat(dir, &st) == 0 && access(path, F_OK) != 0 && rmdir(dir) != 0)
        return nc_err(err, NC_EIO,
                      "cannot write model to '%s': directory exists and is not a model", dir);
    if (remove_bundle_dir(tmp) != 0)
        return nc_err(err, NC_EIO, "cannot clear '%s': %s", tmp, strerror(errno));
    if (mkdir(tmp, 0755) != 0)
        return nc_err(err, NC_EIO, "cannot create '%s': %s", tmp, strerror(errno));

    if ((rc = write_part(tmp, dir, "vocab.tsv", PART_VOCAB, m, err)) < 0 ||
        (with_index && (rc = write_part(tmp, dir, "vocab.idx", PART_INDEX, m, err)) < 0) ||
        (m->lex && (rc = write_part(tmp, dir, "lexicon.tsv", PART_LEXICON, m, err)) < 0))
        goto fail;
    if (snprintf(path, sizeof path, "%s/weights.bin", tmp) >= (int)sizeof path) {
        rc = nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
        goto fail;
    }
    if ((rc = write_weights(m, path, err)) < 0)
        goto fail;
    files = cJSON_CreateObject();
    if (!files || (rc = file_crc_json(files, tmp, "vocab.tsv", err)) < 0 ||
        (with_index && (rc = file_crc_json(files, tmp, "vocab.idx", err)) < 0) ||
        (rc = file_crc_json(files, tmp, "weights.bin", err)) < 0 ||
        (m->lex && (rc = file_crc_json(files, tmp, "lexicon.tsv", err)) < 0)) {
        if (!files)
            rc = nc_err(err, NC_ENOMEM, "out of memory");
        cJSON_Delete(files);
        goto fail;
    }
    card = compose_card(m, files);
    text = card ? cJSON_Print(card) : NULL;
    if (!text) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto fail;
    }
    if (snprintf(path, sizeof path, "%s/model.json", tmp) >= (int)sizeof path) {
        rc = nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
        goto fail;
    }
    if ((rc = nc_outfile_open(&of, path, err)) < 0)
        goto fail;
    fputs(text, of.fp);
    fputc('\n', of.fp);
    if ((rc = nc_outfile_commit(&of, err)) < 0)
        goto fail;
    if (swap_into_place(tmp, dir, old, stat(dir, &st) == 0) != 0) {
        rc = nc_err(err, NC_EIO, "cannot put the new model in place of '%s': %s", dir,
                    strerror(errno));
        goto fail;
    }
    cJSON_free(text);
    cJSON_Delete(card);
    return NC_OK;
fail:
    cJSON_free(text);
    cJSON_Delete(card);
    remove_bundle_dir(tmp);
    return rc;
}

/* ---- load ---- */

/* o's number k, def when absent, NaN when it is there but not a number (so that the range
 * checks after it refuse it instead of a default standing in for what was written) */
static double num_or(const cJSON *o, const char *k, double def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : v ? NAN : def;
}

/* o's integer k (def when absent) into *out: 0, or -1 when k is not an integer in [lo, hi]
 * (checked before any cast: a double outside an integer type's range has no defined cast). */
static int int_in(const cJSON *o, const char *k, double def, double lo, double hi, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    double x = v ? (cJSON_IsNumber(v) ? v->valuedouble : NAN) : def;
    if (!(x >= lo && x <= hi) || x != floor(x))
        return -1;
    *out = x;
    return 0;
}

/* o's boolean k, def when absent, -1 when it is there but not true or false */
static int bool_or(const cJSON *o, const char *k, int def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsBool(v) ? cJSON_IsTrue(v) : v ? -1 : def;
}

/* Check the bytes of bundle file 'name' against model.json's "files" entry. */
static int check_sum(const char *dir, const cJSON *files, const char *name, const char *buf,
                     size_t len, nc_error *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(files, name);
    char got[32];
    if (!cJSON_IsString(v))
        return nc_err(err, NC_EFORMAT, "%s/model.json: no checksum for '%s'", dir, name);
    snprintf(got, sizeof got, "nc64:%016llx", (unsigned long long)nc_checksum64(buf, len));
    if (strcmp(got, v->valuestring) != 0)
        return nc_err(err, NC_EFORMAT, "%s/%s: checksum mismatch (model.json says %s, file has "
                      "%s)", dir, name, v->valuestring, got);
    return NC_OK;
}

/* Read bundle file 'name' into a new buffer and check its checksum. */
static int read_checked(const char *dir, const cJSON *files, const char *name, char **buf,
                        size_t *len, nc_error *err)
{
    char path[PATH_MAX];
    int rc;
    *buf = NULL;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
    if ((rc = nc_read_file(path, buf, len, err)) < 0)
        return rc;
    if ((rc = check_sum(dir, files, name, *buf, *len, err)) < 0) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

/* "nc64:" and 16 hex digits -> *out; -1 when s is not that. */
static int parse_nc64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (strncmp(s, "nc64:", 5) != 0 || strlen(s) != 21)
        return -1;
    for (s += 5; *s; s++) {
        int d = *s >= '0' && *s <= '9' ? *s - '0' : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (uint64_t)d;
    }
    *out = v;
    return 0;
}

/* Check bundle file 'name' against its checksum without keeping it (mapped, not copied). */
static int check_file(const char *dir, const cJSON *files, const char *name, nc_error *err)
{
    char path[PATH_MAX];
    nc_mapped f;
    int rc;
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
    if ((rc = nc_map_file(path, &f, err)) < 0)
        return rc;
    rc = check_sum(dir, files, name, f.data, f.len, err);
    nc_unmap_file(&f);
    return rc;
}

/* The vectorizer from vocab.idx: 1 when *vec was built from it; 0 when vocab.tsv must be
 * parsed instead (no index listed, as in bundles of older builds; the file was removed; or an
 * image this host or build cannot use); a negative status when the index is damaged. */
static int load_index(const char *dir, const cJSON *files, const nc_feature_opts *fo,
                      nc_vectorizer **vec, nc_error *err)
{
    const cJSON *isum = cJSON_GetObjectItemCaseSensitive(files, "vocab.idx");
    const cJSON *tsum = cJSON_GetObjectItemCaseSensitive(files, "vocab.tsv");
    char path[PATH_MAX];
    nc_mapped img;
    uint64_t want;
    int rc;

    if (!cJSON_IsString(isum) || !cJSON_IsString(tsum) || parse_nc64(tsum->valuestring, &want) < 0)
        return 0;
    if (snprintf(path, sizeof path, "%s/vocab.idx", dir) >= (int)sizeof path)
        return nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
    if (access(path, F_OK) != 0 && errno == ENOENT)
        return 0;
    if ((rc = nc_map_file(path, &img, err)) < 0)
        return rc;
    if ((rc = check_sum(dir, files, "vocab.idx", img.data, img.len, err)) == NC_OK)
        rc = nc_vectorizer_from_index(&img, path, fo, want, vec, err);
    nc_unmap_file(&img); /* nothing left to release when the vectorizer took it */
    return rc == NC_OK ? 1 : rc == NC_VIDX_UNUSABLE ? 0 : rc;
}

int nc_model_load(const char *dir, nc_model **out, nc_error *err)
{
    char path[PATH_MAX], jpath[PATH_MAX];
    char *text = NULL, *vbuf = NULL;
    size_t len, vlen = 0, nfeatures = 0;
    nc_mapped wm = { 0 };
    cJSON *card = NULL;
    const cJSON *v, *feat, *topics, *tone, *files;
    nc_model *m = NULL;
    nc_feature_opts fo;
    const char *end = NULL;
    int rc;

    *out = NULL;
    if (snprintf(path, sizeof path, "%s/model.json", dir) >= (int)sizeof path)
        return nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
    strcpy(jpath, path); /* for messages: path is reused for the other files */
    {
        struct stat st;
        if (stat(dir, &st) != 0)
            return nc_err(err, NC_EIO, "cannot open model '%s': %s", dir, strerror(errno));
        if (!S_ISDIR(st.st_mode))
            return nc_err(err, NC_EIO, "cannot open model '%s': not a directory", dir);
    }
    if ((rc = nc_read_file(path, &text, &len, err)) < 0)
        return rc;
    card = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (card && end) { /* nothing but white space after the object (cJSON stops at its end) */
        const char *q = end;
        while (q < text + len && (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r'))
            q++;
        if (q < text + len) {
            cJSON_Delete(card);
            card = NULL;
            end = q;
        }
    }
    if (!card || !cJSON_IsObject(card)) {
        long line = 1;
        for (const char *q = text; end && q < end; q++)
            line += *q == '\n';
        rc = nc_err(err, NC_EFORMAT, "%s:%ld: malformed JSON", path, line);
        goto out;
    }
    v = cJSON_GetObjectItemCaseSensitive(card, "format");
    if (!cJSON_IsString(v) || strcmp(v->valuestring, NC_MODEL_FORMAT) != 0) {
        rc = nc_err(err, NC_EFORMAT, "%s: not a newsclass model (format is not '%s')", path,
                    NC_MODEL_FORMAT);
        goto out;
    }
    v = cJSON_GetObjectItemCaseSensitive(card, "format_version");
    if (!cJSON_IsNumber(v) || v->valuedouble < 1) {
        rc = nc_err(err, NC_EFORMAT, "%s: missing or bad 'format_version'", path);
        goto out;
    }
    if (v->valuedouble > NC_MODEL_FORMAT_VERSION) {
        rc = nc_err(err, NC_EVERSION, "%s: format version %g is newer than this newsclass (%d)",
                    path, v->valuedouble, NC_MODEL_FORMAT_VERSION);
        goto out;
    }
    files = cJSON_GetObjectItemCaseSensitive(card, "files");
    feat = cJSON_GetObjectItemCaseSensitive(card, "features");
    if (!cJSON_IsObject(feat)) {
        rc = nc_err(err, NC_EFORMAT, "%s: missing 'features'", path);
        goto out;
    }
    nc_feature_opts_default(&fo);
    {
        /* bundles from before the stop-word list had a version used the first one */
        static const struct {
            const char *key;
            double def, lo, hi;
        } ints[] = { { "ngram_max", 2, 1, 3 },       { "min_df", 2, 1, 2147483647.0 },
                     { "max_features", 0, 0, 1e12 }, { "hash_bits", 0, 0, 28 },
                     { "stopword_list", 1, 0, 1e9 },  { "features", -1, 0, 1e12 },
                     { "char_ngram_min", 0, 0, 8 },   { "char_ngram_max", 0, 0, 8 } };
        double iv[sizeof ints / sizeof ints[0]];
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
            if (int_in(feat, ints[i].key, ints[i].def, ints[i].lo, ints[i].hi, &iv[i]) < 0) {
                rc = nc_err(err, NC_EFORMAT, "%s: 'features.%s' must be an integer from %.0f to "
                            "%.0f", path, ints[i].key, ints[i].lo, ints[i].hi);
                goto out;
            }
        fo.ngram_max = (int)iv[0];
        fo.min_df = (int)iv[1];
        fo.max_features = (size_t)iv[2];
        fo.hash_bits = (int)iv[3];
        fo.stopword_list = (int)iv[4];
        nfeatures = (size_t)iv[5];
        fo.char_min = (int)iv[6];
        fo.char_max = (int)iv[7];
    }
    if ((fo.char_min || fo.char_max) &&
        (fo.char_min < 1 || fo.char_max < fo.char_min || fo.hash_bits)) {
        rc = nc_err(err, NC_EFORMAT, "%s: 'features.char_ngram_min' and 'char_ngram_max' must "
                    "be 1 <= min <= max <= 8, without 'hash_bits'", path);
        goto out;
    }
    if (fo.stopword_list != 1 && fo.stopword_list != 2) {
        rc = nc_err(err, NC_EFORMAT, "%s: unknown stop-word list %d (this newsclass knows 1 and 2)",
                    path, fo.stopword_list);
        goto out;
    }
    fo.max_df = num_or(feat, "max_df", fo.max_df);
    if (!(fo.max_df > 0 && fo.max_df <= 1)) {
        rc = nc_err(err, NC_EFORMAT, "%s: 'features.max_df' must be a number in (0, 1]", path);
        goto out;
    }
    fo.title_features = bool_or(feat, "title_features", fo.title_features);
    fo.stopwords = bool_or(feat, "stopwords", fo.stopwords);
    fo.stem = bool_or(feat, "stem", fo.stem);
    fo.sublinear_tf = bool_or(feat, "sublinear_tf", fo.sublinear_tf);
    if (fo.title_features < 0 || fo.stopwords < 0 || fo.stem < 0 || fo.sublinear_tf < 0) {
        rc = nc_err(err, NC_EFORMAT, "%s: 'features.title_features', 'stopwords', 'stem' and "
                    "'sublinear_tf' must be true or false", path);
        goto out;
    }
    if (!(m = calloc(1, sizeof *m))) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    /* each file is read once: checked, then used or parsed from the same buffer; with a
     * vocab.idx, vocab.tsv is only checked */
    if ((rc = load_index(dir, files, &fo, &m->vec, err)) < 0)
        goto out;
    if (rc == 1) {
        if ((rc = check_file(dir, files, "vocab.tsv", err)) < 0)
            goto out;
    } else {
        if ((rc = read_checked(dir, files, "vocab.tsv", &vbuf, &vlen, err)) < 0)
            goto out;
        snprintf(path, sizeof path, "%s/vocab.tsv", dir);
        rc = nc_vectorizer_parse(vbuf, vlen, path, &fo, &m->vec, err);
        vbuf = NULL; /* taken by the parser */
        if (rc < 0)
            goto out;
    }
    /* mapped, not read: 92k features x 5 scorers is 3.7 MB, whose copy into fresh pages cost
     * more than the rest of the load */
    if (snprintf(path, sizeof path, "%s/weights.bin", dir) >= (int)sizeof path) {
        rc = nc_err(err, NC_EINVAL, "model path '%s' is too long", dir);
        goto out;
    }
    if ((rc = nc_map_file(path, &wm, err)) < 0 ||
        (rc = check_sum(dir, files, "weights.bin", wm.data, wm.len, err)) < 0)
        goto out;
    if (nfeatures != nc_vectorizer_size(m->vec)) {
        rc = nc_err(err, NC_EFORMAT, "%s: 'features' does not match vocab.tsv", jpath);
        goto out;
    }
    topics = cJSON_GetObjectItemCaseSensitive(card, "topics");
    if (cJSON_IsObject(topics)) {
        const cJSON *mode = cJSON_GetObjectItemCaseSensitive(topics, "mode");
        const cJSON *labels = cJSON_GetObjectItemCaseSensitive(topics, "labels"), *jl;
        size_t l = 0, n = (size_t)cJSON_GetArraySize(labels);
        /* (the bound keeps the check for repeated names below cheap; weights.bin, checked
         * later, must hold a scorer per label anyway) */
        if (!cJSON_IsString(mode) || !cJSON_IsArray(labels) || n == 0 || n > 65536) {
            rc = nc_err(err, NC_EFORMAT, "%s: bad 'topics' section", jpath);
            goto out;
        }
        if (strcmp(mode->valuestring, "multi-class") != 0 &&
            strcmp(mode->valuestring, "multi-label") != 0) {
            rc = nc_err(err, NC_EFORMAT, "%s: 'topics.mode' must be \"multi-label\" or "
                        "\"multi-class\", not \"%s\"", jpath, mode->valuestring);
            goto out;
        }
        m->mode = strcmp(mode->valuestring, "multi-class") == 0 ? NC_TOPICS_MULTICLASS
                                                                : NC_TOPICS_MULTILABEL;
        m->labels = calloc(n, sizeof *m->labels);
        m->topic = calloc(n, sizeof *m->topic);
        m->platt_a = calloc(n, sizeof *m->platt_a);
        m->platt_b = calloc(n, sizeof *m->platt_b);
        m->threshold = calloc(n, sizeof *m->threshold);
        if (!m->labels || !m->topic || !m->platt_a || !m->platt_b || !m->threshold) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        m->nlabels = n;
        cJSON_ArrayForEach(jl, labels)
        {
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(jl, "name");
            if (!cJSON_IsString(name) || !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(jl, "platt_a"))) {
                rc = nc_err(err, NC_EFORMAT, "%s: label %zu lacks 'name' or 'platt_a'", jpath, l);
                goto out;
            }
            /* a label names a key of classify's "scores": one per label, never empty */
            if (!*name->valuestring) {
                rc = nc_err(err, NC_EFORMAT, "%s: label %zu has an empty name", jpath, l);
                goto out;
            }
            for (size_t k = 0; k < l; k++)
                if (strcmp(m->labels[k], name->valuestring) == 0) {
                    rc = nc_err(err, NC_EFORMAT, "%s: label '%s' is listed twice", jpath,
                                name->valuestring);
                    goto out;
                }
            if (!(m->labels[l] = nc_strdup(name->valuestring))) {
                rc = nc_err(err, NC_ENOMEM, "out of memory");
                goto out;
            }
            m->platt_a[l] = num_or(jl, "platt_a", -1);
            m->platt_b[l] = num_or(jl, "platt_b", 0);
            m->threshold[l] = num_or(jl, "threshold", 0.5);
            if (!isfinite(m->platt_a[l]) || !isfinite(m->platt_b[l]) ||
                !(m->threshold[l] >= 0 && m->threshold[l] <= 1)) {
                rc = nc_err(err, NC_EFORMAT, "%s: label '%s': 'platt_a' and 'platt_b' "
                            "must be finite and 'threshold' in [0, 1]", jpath, name->valuestring);
                goto out;
            }
            l++;
        }
    }
    tone = cJSON_GetObjectItemCaseSensitive(card, "tone");
    if (cJSON_IsObject(tone)) {
        const cJSON *stack = cJSON_GetObjectItemCaseSensitive(tone, "stack");
        m->has_tone = 1;
        m->tone_scale = num_or(tone, "scale", 1.0);
        if (!(isfinite(m->tone_scale) && m->tone_scale > 0)) {
            rc = nc_err(err, NC_EFORMAT, "%s: 'tone.scale' must be a positive number", jpath);
            goto out;
        }
        m->tone_q90 = num_or(tone, "interval90", 0.0);
        if (!(m->tone_q90 >= 0 && m->tone_q90 <= 2)) {
            rc = nc_err(err, NC_EFORMAT, "%s: 'tone.interval90' must be in [0, 2]", jpath);
            goto out;
        }
        if (stack) {
            /* 2 + NC_LEX_NFEAT entries: a bundle from before the shortness term (stack[6]
             * stays 0, so it scores as it did) */
            int nst = cJSON_IsArray(stack) ? cJSON_GetArraySize(stack) : -1;
            if (nst != NC_STACK_N && nst != 2 + NC_LEX_NFEAT) {
                rc = nc_err(err, NC_EFORMAT, "%s: 'tone.stack' must be an array of %d "
                            "numbers", jpath, NC_STACK_N);
                goto out;
            }
            for (int k = 0; k < nst; k++) {
                const cJSON *x = cJSON_GetArrayItem(stack, k);
                if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble)) {
                    rc = nc_err(err, NC_EFORMAT, "%s: 'tone.stack' must be an array of "
                                "%d numbers", jpath, NC_STACK_N);
                    goto out;
                }
                m->stack[k] = x->valuedouble;
            }
            char *lbuf = NULL;
            size_t llen;
            if ((rc = read_checked(dir, files, "lexicon.tsv", &lbuf, &llen, err)) < 0)
                goto out;
            free(lbuf); /* small: the lexicon reader reads it again */
            snprintf(path, sizeof path, "%s/lexicon.tsv", dir);
            if ((rc = nc_lexicon_read(path, &m->lex, err)) < 0)
                goto out;
            /* the change-word rules' gain; bundles from before them have none: off */
            const cJSON *jsh = cJSON_GetObjectItemCaseSensitive(tone, "lexicon_shift");
            double shift = cJSON_IsNumber(jsh) ? jsh->valuedouble : jsh ? -1.0 : 0.0;
            if (!(shift >= 0 && shift <= 2)) {
                rc = nc_err(err, NC_EFORMAT, "%s: 'tone.lexicon_shift' must be a number "
                            "in [0, 2]", jpath);
                goto out;
            }
            nc_lexicon_set_shift(m->lex, shift);
        }
    }
    snprintf(path, sizeof path, "%s/weights.bin", dir);
    if (host_is_little_endian() && ((uintptr_t)wm.data & 7) == 0) {
        m->wmap = wm; /* the model keeps the buffer; its scorers point into it */
        memset(&wm, 0, sizeof wm);
    }
    if ((rc = read_weights(m, m->wmap.data ? m->wmap.data : wm.data,
                           m->wmap.data ? m->wmap.len : wm.len, path, err)) < 0)
        goto out;
    m->card = text;
    text = NULL;
    *out = m;
    m = NULL;
out:
    free(vbuf);
    nc_unmap_file(&wm);
    nc_model_free(m);
    cJSON_Delete(card);
    free(text);
    return rc;
}
