/* corpus.h: a labelled corpus held in memory (for training and evaluation). */
#ifndef NC_CORPUS_H
#define NC_CORPUS_H

#include <stddef.h>

#include <newsclass/article.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nc_corpus {
    nc_article *docs;
    size_t n, cap;
} nc_corpus;

void nc_corpus_init(nc_corpus *c);
void nc_corpus_finish(nc_corpus *c);
/* Append every article of 'path' (any format nc_reader_open accepts). */
int nc_corpus_read(nc_corpus *c, const char *path, const nc_reader_opts *o, nc_error *err);
/* Append a copy of article 'a'. */
int nc_corpus_add_copy(nc_corpus *c, const nc_article *a, nc_error *err);
/* Deep-copy 'src' into 'dst' (dst must be initialised; it is finished first). */
int nc_article_copy(nc_article *dst, const nc_article *src);

#ifdef __cplusplus
}
#endif
#endif
