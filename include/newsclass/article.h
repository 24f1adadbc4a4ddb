/* article.h: articles and the readers that stream them out of files.
 *
 * An nc_article is a caller-owned value struct (nc_article_init / nc_article_finish). A reader
 * streams articles one at a time from a JSON Lines corpus (optionally .gz), a plain-text article,
 * a fastText-format file, a CSV or TSV file with a header row, or a directory of article files; it never seeks, so pipes work, and its
 * memory does not grow with the corpus. Every data error names the file and line. */
#ifndef NC_ARTICLE_H
#define NC_ARTICLE_H

#include <stddef.h>

#include <newsclass/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nc_article {
    char *id;          /* "id" field, or the file name for plain text; never NULL after a read */
    char *title;       /* headline; "" when absent */
    char *text;        /* body; "" when absent (a headline-only item is fine) */
    char *date;        /* "date" as given (YYYY-MM-DD or ISO 8601), NULL when absent */
    char **topics;     /* label strings: "topics" array, or "label" as one element */
    size_t ntopics;
    int has_topics;    /* 1 when the record carried "topics" or "label" (even an empty list) */
    double tone;       /* in [-1, 1] when has_tone */
    int has_tone;
    /* Every top-level string field of a JSON record but "text" (id, title, ... included), for
     * grouping by an arbitrary field; names[i] pairs with values[i]. */
    char **field_names;
    char **field_values;
    size_t nfields;
    char *file;        /* where it came from ("-" for stdin) */
    long line;         /* 1-based line of a JSONL/fastText record, or where a CSV/TSV record
                          starts; 0 for a whole file */
} nc_article;

void nc_article_init(nc_article *a);
/* Release everything 'a' owns and re-initialise it. */
void nc_article_finish(nc_article *a);
/* The value of string field 'name' (borrowed from 'a'), or NULL; "text" gives the body (NULL
 * when empty). */
const char *nc_article_field(const nc_article *a, const char *name);

typedef enum nc_format {
    NC_FORMAT_AUTO = 0, /* by name: directory, *.jsonl[.gz] / *.json[.gz] / *.ndjson, *.ft /
                           *.fasttext, *.csv, *.tsv / *.tab, else plain text; stdin: JSONL
                           when its first non-blank byte is '{', else one plain-text article */
    NC_FORMAT_JSONL,
    NC_FORMAT_TEXT,     /* one article per file: headline line, then body */
    NC_FORMAT_FASTTEXT, /* "__label__a __label__b text" per line */
    NC_FORMAT_DIR,      /* every regular file below, recursively, sorted by path */
    NC_FORMAT_CSV,      /* comma-separated values under a header row (RFC 4180 quoting) */
    NC_FORMAT_TSV       /* tab-separated values, the same rules */
} nc_format;

typedef struct nc_reader_opts {
    nc_format format;       /* for files (and stdin); files in a directory are read by name */
    int label_from_dir;     /* in a directory: the parent folder's name is the one label */
    int keep_furniture;     /* 1: do not drop page-furniture lines from plain text */
} nc_reader_opts;

typedef struct nc_reader nc_reader;

/* Open 'path' ("-" is standard input). On success stores a new reader in *out (free with
 * nc_reader_free). Fails with NC_EIO when the path cannot be opened. */
int nc_reader_open(const char *path, const nc_reader_opts *opts, nc_reader **out, nc_error *err);
/* Read the next article into 'a' (finished and re-initialised first). Returns 1 when an article
 * was read, 0 at the end, or a negative nc_status with "file:line: what is wrong" in 'err'.
 * Errors are not sticky: after a bad record the next call goes on with the next record, after a
 * file that cannot be opened or read with the next file of a directory (a single file ends). */
int nc_reader_next(nc_reader *r, nc_article *a, nc_error *err);
void nc_reader_free(nc_reader *r);  /* NULL is a no-op; never closes stdin */

/* Parse a plain-text article held in buf[0..len): the first non-empty line is the headline
 * (trailing separators such as " |" or " - Site Name" stripped), the rest the body; page
 * furniture lines are dropped unless keep_furniture. 'name' becomes the id and file. */
int nc_article_from_text(const char *buf, size_t len, const char *name, int keep_furniture,
                         nc_article *a, nc_error *err);
/* Parse one JSON Lines record held in line[0..len) (no newline; need not be NUL-terminated).
 * 'file' and 'lineno' name the place in error messages ("file:line: ...") and make the default
 * id "file:line". Rejects NUL bytes, invalid UTF-8, non-objects, wrong field types, a tone
 * outside [-1, 1] and a record without a non-blank "title" or "text" (NC_EFORMAT). */
int nc_article_from_json(const char *line, size_t len, const char *file, long lineno,
                         nc_article *a, nc_error *err);
/* Parse one fastText line "__label__a __label__b text" held in line[0..len): the leading
 * __label__ tokens become the topics (has_topics is 1 when there is at least one), the rest is
 * the text; the id is "file:line". A line without text is an error (NC_EFORMAT). */
int nc_article_from_fasttext(const char *line, size_t len, const char *file, long lineno,
                             nc_article *a, nc_error *err);
/* 1 when the line s[0..len) is page furniture ("Source: ...", "No comments:", "Share this",...). */
int nc_is_furniture(const char *s, size_t len);
/* Strip trailing separators from a headline in place (" |", " - Site", " | Site"). */
void nc_clean_headline(char *title);

#ifdef __cplusplus
}
#endif
#endif
