/* features_index.h (private): vocab.idx, a binary image of a finished vocabulary-mode
 * vectorizer (features.c, at the end), so that loading a model maps its tables instead of
 * parsing vocab.tsv and rebuilding them. model.c writes and reads it; vocab.tsv stays the
 * source of truth (the image records vocab.tsv's checksum, and anything this host cannot use
 * falls back to parsing vocab.tsv). */
#ifndef NC_FEATURES_INDEX_H
#define NC_FEATURES_INDEX_H

#include <stdint.h>
#include <stdio.h>

#include <newsclass/features.h>

#include "util.h"

/* Returned (positive) by nc_vectorizer_from_index when the image is sound but does not apply
 * here: another layout or hash version, another byte order, built from another vocab.tsv, or
 * other n-gram settings. The caller parses vocab.tsv instead. */
#define NC_VIDX_UNUSABLE 1

/* 1 when nc_vectorizer_write_index can write an image of v (finished, vocabulary mode, a
 * little-endian host with 64-bit size_t), else 0. */
int nc_vectorizer_index_supported(const nc_vectorizer *v);

/* Write the image of v to fp. It is built from v's vocabulary text (what nc_vectorizer_write
 * writes), not from v's tables, so it is canonical: the same vocabulary gives the same bytes
 * however v was built (fitting leaves extra words in its dictionary). */
int nc_vectorizer_write_index(const nc_vectorizer *v, FILE *fp, nc_error *err);

/* Build a finished vectorizer from the image in img (read from 'path', named in errors; its
 * bytes must already have passed the bundle's checksum). 'o' are the model's feature settings
 * and tsv_sum the nc64 checksum model.json gives for vocab.tsv. On NC_OK the vectorizer takes
 * img (it is zeroed) and points into it; otherwise img stays with the caller. Returns
 * NC_VIDX_UNUSABLE (err untouched) when the image does not apply here, a negative status when
 * it is malformed. */
int nc_vectorizer_from_index(nc_mapped *img, const char *path, const nc_feature_opts *o,
                             uint64_t tsv_sum, nc_vectorizer **out, nc_error *err);

#endif
