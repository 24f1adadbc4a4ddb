/* csv.c: records of comma- and tab-separated corpora (RFC 4180 quoting), and the header row
 * that says which column is which.
 *
 * A field is quoted when its first byte other than spaces is '"'; inside, '""' is one quote and
 * separators and line ends are part of the field. A quoted field may be followed by spaces
 * before the next separator, and by nothing else. An unquoted field is taken as it is, quotes
 * and all (spreadsheets write "5" tall" that way). TSV follows the same rules with a tab as
 * the separator, as spreadsheets and Python's csv module write it.
 * SPDX-License-Identifier: MIT */
#include "csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* scan states: OUTSIDE and IN_QUOTES are public (csv.h) */
enum { ST_UNQUOTED = 2, ST_QUOTE_SEEN = 3 /* a '"' in a quoted field: its end, or "" */ };

int nc_csv_scan(const char *s, size_t len, char sep, int state)
{
    /* A line end inside quotes continues the field; elsewhere it ends the record, so a line
     * always starts either inside quotes or at the start of a field. */
    if (state != NC_CSV_IN_QUOTES)
        state = NC_CSV_OUTSIDE;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        switch (state) {
        case NC_CSV_OUTSIDE: /* at the start of a field */
            if (ch == '"')
                state = NC_CSV_IN_QUOTES;
            else if (ch != sep && ch != ' ')
                state = ST_UNQUOTED;
            break;
        case ST_UNQUOTED:
            if (ch == sep)
                state = NC_CSV_OUTSIDE;
            break;
        case NC_CSV_IN_QUOTES:
            if (ch == '"')
                state = ST_QUOTE_SEEN;
            break;
        default: /* ST_QUOTE_SEEN */
            state = ch == '"' ? NC_CSV_IN_QUOTES : ch == sep ? NC_CSV_OUTSIDE : ST_UNQUOTED;
            break;
        }
    }
    return state == NC_CSV_IN_QUOTES ? NC_CSV_IN_QUOTES : NC_CSV_OUTSIDE;
}

/* ---- splitting a record ------------------------------------------------------------------- */

struct fields {
    nc_strbuf buf;   /* the decoded fields, each NUL-terminated */
    size_t *off;     /* field i starts at buf.buf + off[i] */
    size_t *len;
    size_t n, cap;
};

static void fields_finish(struct fields *f)
{
    nc_strbuf_finish(&f->buf);
    free(f->off);
    free(f->len);
    memset(f, 0, sizeof *f);
}

static int fields_push(struct fields *f, size_t start)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        size_t *off = nc_realloc_array(f->off, cap, sizeof *off);
        size_t *len;
        if (!off)
            return NC_ENOMEM;
        f->off = off;
        if (!(len = nc_realloc_array(f->len, cap, sizeof *len)))
            return NC_ENOMEM;
        f->len = len;
        f->cap = cap;
    }
    f->off[f->n] = start;
    f->len[f->n] = f->buf.len - start;
    f->n++;
    return nc_strbuf_addc(&f->buf, '\0');
}

/* The line of byte 'at' of a record that starts on line 'lineno'. */
static long line_of(const char *rec, size_t at, long lineno)
{
    for (size_t i = 0; i < at; i++)
        lineno += rec[i] == '\n';
    return lineno;
}

/* Split rec[0..len) into decoded fields. */
static int split(const char *rec, size_t len, char sep, struct fields *f, const char *file,
                 long lineno, nc_error *err)
{
    size_t i = 0;

    for (;;) {
        size_t start = f->buf.len, j = i;

        while (j < len && rec[j] == ' ')
            j++;
        if (j < len && rec[j] == '"') { /* quoted */
            size_t open = j;
            for (j++;; j++) {
                if (j >= len)
                    return nc_err(err, NC_EFORMAT,
                                  "%s:%ld: quoted field opened here never closed",
                                  file, line_of(rec, open, lineno));
                if (rec[j] == '"') {
                    if (j + 1 < len && rec[j + 1] == '"') {
                        if (nc_strbuf_addc(&f->buf, '"') < 0)
                            return nc_err(err, NC_ENOMEM, "out of memory");
                        j++;
                        continue;
                    }
                    break;
                }
                if (nc_strbuf_addc(&f->buf, rec[j]) < 0)
                    return nc_err(err, NC_ENOMEM, "out of memory");
            }
            for (j++; j < len && rec[j] == ' '; j++)
                ;
            if (j < len && rec[j] != sep)
                return nc_err(err, NC_EFORMAT,
                              "%s:%ld: field %zu: text after its closing quote (a quote inside a "
                              "quoted field is written as two quotes, \"\")",
                              file, line_of(rec, j, lineno), f->n + 1);
        } else {
            const char *e = memchr(rec + i, sep, len - i);
            j = e ? (size_t)(e - rec) : len;
            if (nc_strbuf_add(&f->buf, rec + i, j - i) < 0)
                return nc_err(err, NC_ENOMEM, "out of memory");
        }
        if (fields_push(f, start) < 0)
            return nc_err(err, NC_ENOMEM, "out of memory");
        if (j >= len)
            return NC_OK;
        i = j + 1; /* past the separator */
    }
}

/* ---- the header --------------------------------------------------------------------------- */

void nc_csv_cols_init(nc_csv_cols *c)
{
    memset(c, 0, sizeof *c);
    c->id = c->title = c->text = c->date = c->topics = c->label = c->tone = -1;
}

void nc_csv_cols_finish(nc_csv_cols *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->names[i]);
    free(c->names);
    nc_csv_cols_init(c);
}

static int name_is(const char *name, const char *want)
{
    for (; *name && *want; name++, want++) {
        char ch = *name >= 'A' && *name <= 'Z' ? (char)(*name - 'A' + 'a') : *name;
        if (ch != *want)
            return 0;
    }
    return *name == '\0' && *want == '\0';
}

/* The column names of each role, case-insensitively. */
static const struct role {
    const char *what;         /* for messages */
    size_t field;             /* offsetof the column in nc_csv_cols */
    const char *names[5];
} roles[] = {
    { "the id", offsetof(nc_csv_cols, id), { "id" } },
    { "the headline", offsetof(nc_csv_cols, title), { "title", "headline" } },
    { "the body", offsetof(nc_csv_cols, text), { "text", "body", "content", "description" } },
    { "the date", offsetof(nc_csv_cols, date), { "date" } },
    { "the topics", offsetof(nc_csv_cols, topics), { "topics", "labels" } },
    { "the label", offsetof(nc_csv_cols, label), { "label", "topic", "category", "class" } },
    { "the tone", offsetof(nc_csv_cols, tone), { "tone" } },
};

static long *role_col(nc_csv_cols *c, const struct role *r)
{
    return (long *)((char *)c + r->field);
}

int nc_csv_header(nc_csv_cols *c, char sep, const char *rec, size_t len, const char *file,
                  long lineno, nc_error *err)
{
    struct fields f = { NC_STRBUF_INIT, NULL, NULL, 0, 0 };
    int rc;

    nc_csv_cols_finish(c);
    c->sep = sep;
    c->header_line = lineno;
    if ((rc = split(rec, len, sep, &f, file, lineno, err)) < 0)
        goto out;
    if (!(c->names = nc_alloc_array(f.n, sizeof *c->names))) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < f.n; i++) {
        const char *p = f.buf.buf + f.off[i];
        size_t n = f.len[i];
        while (n && (*p == ' ' || *p == '\t'))
            p++, n--;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (!(c->names[i] = nc_strndup(p, n))) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        c->n = i + 1;
        if (memchr(p, '\n', n) || nc_utf8_invalid_at(p, n) < n) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: column %zu's name is not one line of UTF-8",
                        file, lineno, i + 1);
            goto out;
        }
        for (size_t k = 0; k < NC_ARRAY_SIZE(roles); k++) {
            const struct role *r = &roles[k];
            int match = 0;
            for (size_t m = 0; m < NC_ARRAY_SIZE(r->names) && r->names[m]; m++)
                match |= name_is(c->names[i], r->names[m]);
            if (!match)
                continue;
            if (*role_col(c, r) >= 0) {
                long prev = *role_col(c, r);
                rc = nc_err(err, NC_EFORMAT,
                            "%s:%ld: columns %ld ('%s') and %zu ('%s') both give %s", file,
                            lineno, prev + 1, c->names[prev], i + 1, c->names[i], r->what);
                goto out;
            }
            *role_col(c, r) = (long)i;
        }
    }
    if (c->topics >= 0 && c->label >= 0) {
        rc = nc_err(err, NC_EFORMAT,
                    "%s:%ld: columns '%s' (topics, several per article) and '%s' (one label per "
                    "article) both give the labels: keep one",
                    file, lineno, c->names[c->topics], c->names[c->label]);
        goto out;
    }
    if (c->title < 0 && c->text < 0) {
        rc = nc_err(err, NC_EFORMAT,
                    "%s:%ld: the header names no text column ('text', 'body', 'content' or "
                    "'description') and no headline column ('title' or 'headline'); the first "
                    "row must be a header",
                    file, lineno);
        goto out;
    }
    rc = NC_OK;
out:
    fields_finish(&f);
    if (rc < 0)
        nc_csv_cols_finish(c);
    return rc;
}

/* ---- a record ----------------------------------------------------------------------------- */

static int is_blank_field(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
            return 0;
    return 1;
}

static int parse_tone(const char *s, size_t n, double *out)
{
    char *end;
    double v;

    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    if (n == 0 || !((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == '.'))
        return -1; /* no "inf", "nan", hex */
    errno = 0;
    v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || *end != '\0' || !isfinite(v) || v < -1.0 || v > 1.0)
        return -1;
    *out = v;
    return 0;
}

int nc_article_from_csv(const nc_csv_cols *c, const char *rec, size_t len, const char *file,
                        long lineno, nc_article *a, nc_error *err)
{
    struct fields f = { NC_STRBUF_INIT, NULL, NULL, 0, 0 };
    const char *nul;
    size_t bad, nf = 0;
    int rc;

    nc_article_finish(a);
    if ((nul = memchr(rec, '\0', len))) {
        rc = nc_err(err, NC_EFORMAT, "%s:%ld: NUL byte (binary file?)", file,
                    line_of(rec, (size_t)(nul - rec), lineno));
        goto out;
    }
    if ((bad = nc_utf8_invalid_at(rec, len)) < len) {
        size_t bol = bad; /* the start of the line that holds it */
        while (bol > 0 && rec[bol - 1] != '\n')
            bol--;
        rc = nc_err(err, NC_EFORMAT, "%s:%ld: invalid UTF-8 at byte %zu", file,
                    line_of(rec, bad, lineno), bad - bol + 1);
        goto out;
    }
    if ((rc = split(rec, len, c->sep, &f, file, lineno, err)) < 0)
        goto out;
    if (f.n != c->n) {
        rc = nc_err(err, NC_EFORMAT, "%s:%ld: %zu field%s where the header (line %ld) has %zu",
                    file, lineno, f.n, f.n == 1 ? "" : "s", c->header_line, c->n);
        goto out;
    }
#define FIELD(col) (f.buf.buf + f.off[(col)])
#define FLEN(col) (f.len[(col)])
    if (c->tone >= 0 && !is_blank_field(FIELD(c->tone), FLEN(c->tone))) {
        if (parse_tone(FIELD(c->tone), FLEN(c->tone), &a->tone) < 0) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: '%s' must be a number in [-1, 1], not '%.40s'",
                        file, lineno, c->names[c->tone], FIELD(c->tone));
            goto out;
        }
        a->has_tone = 1;
    }
    if (c->label >= 0) {
        if (is_blank_field(FIELD(c->label), FLEN(c->label))) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: empty '%s' (the article's label)", file,
                        lineno, c->names[c->label]);
            goto out;
        }
        rc = nc_article_set_topics(a, FIELD(c->label), FLEN(c->label), "", file, lineno, err);
    } else if (c->topics >= 0) {
        rc = nc_article_set_topics(a, FIELD(c->topics), FLEN(c->topics), ";|", file, lineno,
                                   err);
    }
    if (rc < 0)
        goto out;
    if ((c->title < 0 || is_blank_field(FIELD(c->title), FLEN(c->title))) &&
        (c->text < 0 || is_blank_field(FIELD(c->text), FLEN(c->text)))) {
        rc = nc_err(err, NC_EFORMAT, "%s:%ld: missing 'text' and 'title'", file, lineno);
        goto out;
    }
    rc = NC_ENOMEM; /* until everything is copied */
    if (!(a->title = nc_strdup(c->title >= 0 ? FIELD(c->title) : "")) ||
        !(a->text = nc_strdup(c->text >= 0 ? FIELD(c->text) : "")))
        goto out;
    if (c->id >= 0 && !is_blank_field(FIELD(c->id), FLEN(c->id)) &&
        !(a->id = nc_strdup(FIELD(c->id))))
        goto out;
    if (c->date >= 0 && !is_blank_field(FIELD(c->date), FLEN(c->date)) &&
        !(a->date = nc_strdup(FIELD(c->date))))
        goto out;
    if (c->n > (c->text >= 0)) { /* every column but the text is a field */
        a->field_names = nc_alloc_array(c->n, sizeof(char *));
        a->field_values = nc_alloc_array(c->n, sizeof(char *));
        if (!a->field_names || !a->field_values)
            goto out;
    }
    for (size_t i = 0; i < c->n; i++) {
        if ((long)i == c->text)
            continue;
        a->field_names[nf] = nc_strdup(c->names[i]);
        a->field_values[nf] = nc_strdup(FIELD(i));
        if (!a->field_names[nf] || !a->field_values[nf]) {
            free(a->field_names[nf]);
            free(a->field_values[nf]);
            goto out;
        }
        a->nfields = ++nf;
    }
#undef FIELD
#undef FLEN
    if (nc_article_set_origin(a, file, lineno, a->id == NULL) < 0)
        goto out;
    rc = NC_OK;
out:
    fields_finish(&f);
    if (rc == NC_ENOMEM)
        nc_err(err, NC_ENOMEM, "out of memory");
    if (rc < 0)
        nc_article_finish(a);
    return rc;
}
