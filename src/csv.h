/* csv.h (private): comma- and tab-separated corpora, one article per record under a header row.
 *
 * The reader (reader.c) does the I/O: it gathers the physical lines of one record, using
 * nc_csv_scan to tell whether a quoted field goes on past the line's end, and hands the whole
 * record to nc_csv_header (the first record) or nc_article_from_csv (every other one).
 * docs/input-formats.md ("CSV and TSV") is the user-facing description of these rules. */
#ifndef NC_CSV_H
#define NC_CSV_H

#include <stddef.h>

#include <newsclass/article.h>
#include <newsclass/error.h>

/* nc_csv_scan's state at the end of a line: a record ends at a line end only outside quotes. */
enum { NC_CSV_OUTSIDE = 0, NC_CSV_IN_QUOTES = 1 };

/* The state after scanning line s[0..len) (no line end) from 'state' (NC_CSV_OUTSIDE at the
 * start of a record). */
int nc_csv_scan(const char *s, size_t len, char sep, int state);

/* The columns a header row names. */
typedef struct nc_csv_cols {
    char sep;
    size_t n;           /* fields in the header: every record must have as many */
    char **names;       /* the header's names, trimmed: each record's fields but the text */
    long header_line;
    /* the column of each role, or -1 */
    long id, title, text, date, topics, label, tone;
} nc_csv_cols;

void nc_csv_cols_init(nc_csv_cols *c);
void nc_csv_cols_finish(nc_csv_cols *c);

/* Read the header record rec[0..len) (its lines joined by "\n"; it starts on line 'lineno' of
 * 'file'). Fails with NC_EFORMAT naming what is wrong: a column name used twice for one role,
 * no title or text column, topics and label both present. */
int nc_csv_header(nc_csv_cols *c, char sep, const char *rec, size_t len, const char *file,
                  long lineno, nc_error *err);

/* One record under header 'c' into 'a'. On failure 'a' is left empty and 'err' says
 * "file:line: what is wrong", the line being that of the offending byte. */
int nc_article_from_csv(const nc_csv_cols *c, const char *rec, size_t len, const char *file,
                        long lineno, nc_article *a, nc_error *err);

/* From article.c, for this file: the byte checks and topic rules every format shares. */
size_t nc_utf8_invalid_at(const char *s, size_t len);
/* Split s[0..len) at any byte of 'seps' into topics (each trimmed; empty pieces skipped,
 * duplicates dropped) and set a->topics and a->has_topics = 1. NC_EFORMAT ("file:line: topic
 * name contains a control character") or NC_ENOMEM. */
int nc_article_set_topics(nc_article *a, const char *s, size_t len, const char *seps,
                          const char *file, long lineno, nc_error *err);
/* a->file and a->line; a->id "file:line" when need_id. 0 or NC_ENOMEM. */
int nc_article_set_origin(nc_article *a, const char *file, long lineno, int need_id);

#endif
