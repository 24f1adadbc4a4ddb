/* corpus.c: a corpus held in memory, read through the streaming readers.
 * SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <newsclass/corpus.h>

#include "util.h"

void nc_corpus_init(nc_corpus *c)
{
    memset(c, 0, sizeof *c);
}

void nc_corpus_finish(nc_corpus *c)
{
    for (size_t i = 0; i < c->n; i++)
        nc_article_finish(&c->docs[i]);
    free(c->docs);
    nc_corpus_init(c);
}

static int corpus_slot(nc_corpus *c, nc_article **slot)
{
    void *p = c->docs;
    if (nc_grow(&p, &c->cap, c->n + 1, sizeof *c->docs) < 0)
        return NC_ENOMEM;
    c->docs = p;
    *slot = &c->docs[c->n];
    nc_article_init(*slot);
    return NC_OK;
}

int nc_corpus_read(nc_corpus *c, const char *path, const nc_reader_opts *o, nc_error *err)
{
    nc_reader *r = NULL;
    nc_article *a;
    int rc;

    if ((rc = nc_reader_open(path, o, &r, err)) < 0)
        return rc;
    for (;;) {
        if (corpus_slot(c, &a) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory reading '%s'", path);
            break;
        }
        rc = nc_reader_next(r, a, err);
        if (rc <= 0) {
            nc_article_finish(a);
            break;
        }
        c->n++;
    }
    nc_reader_free(r);
    return rc < 0 ? rc : NC_OK;
}

static char *dup_or_null(const char *s, int *fail)
{
    char *d;
    if (!s)
        return NULL;
    d = nc_strdup(s);
    if (!d)
        *fail = 1;
    return d;
}

static char **dup_list(char **src, size_t n, int *fail)
{
    char **d;
    if (!n)
        return NULL;
    d = calloc(n, sizeof *d);
    if (!d) {
        *fail = 1;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        d[i] = dup_or_null(src[i], fail);
    return d;
}

int nc_article_copy(nc_article *dst, const nc_article *src)
{
    int fail = 0;
    nc_article_finish(dst);
    dst->id = dup_or_null(src->id, &fail);
    dst->title = dup_or_null(src->title, &fail);
    dst->text = dup_or_null(src->text, &fail);
    dst->date = dup_or_null(src->date, &fail);
    dst->file = dup_or_null(src->file, &fail);
    dst->line = src->line;
    dst->topics = dup_list(src->topics, src->ntopics, &fail);
    dst->ntopics = dst->topics ? src->ntopics : 0;
    dst->has_topics = src->has_topics;
    dst->tone = src->tone;
    dst->has_tone = src->has_tone;
    dst->field_names = dup_list(src->field_names, src->nfields, &fail);
    dst->field_values = dup_list(src->field_values, src->nfields, &fail);
    dst->nfields = dst->field_names && dst->field_values ? src->nfields : 0;
    if (fail) {
        nc_article_finish(dst);
        return NC_ENOMEM;
    }
    return NC_OK;
}

int nc_corpus_add_copy(nc_corpus *c, const nc_article *a, nc_error *err)
{
    nc_article *slot;
    if (corpus_slot(c, &slot) < 0 || nc_article_copy(slot, a) < 0)
        return nc_err(err, NC_ENOMEM, "out of memory");
    c->n++;
    return NC_OK;
}
