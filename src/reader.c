/* reader.c: stream articles out of files, standard input and directory trees.
 *
 * The reader owns all input I/O; turning one record into an nc_article is article.c's job
 * (nc_article_from_json / _from_fasttext / _from_text), and csv.c's for CSV and TSV. Every file
 * goes through zlib's gz* calls, which read gzip data and, transparently, plain files, so
 * "x.jsonl.gz" needs no special case. Input is read sequentially and never seeked, so pipes work.
 *
 * Memory: one byte buffer holds the current line (or, for a plain-text article, the current
 * file); it grows geometrically to fit the longest line and is reused for every record, so memory
 * depends on the longest line and never on the number of records. There is no line-length limit
 * other than memory. A directory walk keeps only the sorted entry lists of the directories on
 * the current path.
 *
 * Order: a directory is walked depth first with the entries of each directory sorted so that
 * the files come out in byte order of their full paths (a subdirectory "a" sorts as "a/", which
 * puts it after "a.txt", exactly as the full paths "a.txt" < "a/x" compare). Hidden entries are
 * skipped; symbolic links to regular files are read, symbolic links to directories are not
 * followed, so link loops cannot hang the walk.
 *
 * Errors are never sticky, so a caller may report one and go on: after a bad record the next
 * call continues with the next record; after a file that cannot be opened or read, with the next
 * file of the directory (or the end, for a single file).
 * SPDX-License-Identifier: MIT */
#define _XOPEN_SOURCE 700 /* realpath(); the build defines only _POSIX_C_SOURCE */

#include <newsclass/article.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "csv.h"
#include "util.h"

#define READ_CHUNK (64 * 1024)  /* initial buffer size */
#define GZ_BUFFER (128 * 1024)  /* zlib's input buffer */

enum src_kind {
    SRC_JSONL, SRC_FASTTEXT, SRC_TEXT, SRC_CSV, SRC_TSV,
    SRC_SNIFF /* stdin, AUTO: decide by peeking */
};

struct dir_entry {
    char *name;
    int is_dir;
};

struct dir_frame {
    char *path;              /* this directory, as it will appear in file names */
    char *label;             /* its base name (the label_from_dir topic) */
    struct dir_entry *ents;  /* sorted */
    size_t n, i;
};

struct nc_reader {
    nc_reader_opts opts;
    int dir_mode;

    struct dir_frame *stack; /* directory walk */
    size_t depth, stack_cap;

    gzFile gz;               /* current source, NULL between files */
    enum src_kind kind;
    char *name;              /* its file name ("-" for stdin) */
    char *label;             /* label_from_dir topic, or NULL */
    long lineno;
    int eof;
    int skip_line;           /* discarding the rest of a line already reported (NUL byte) */

    nc_csv_cols csv;         /* CSV/TSV: the header's columns (csv.n == 0 until it is read) */
    int csv_dead;            /* CSV/TSV: the header was bad, so no record can be read */
    nc_strbuf rec;           /* CSV/TSV: the lines of the current record */

    char *buf;               /* unread data is buf[start..end); buf[end] is always writable */
    size_t cap, start, end, scan;
};

/* ---- format by name ---------------------------------------------------------------------- */

static int ends_with_ci(const char *s, size_t len, const char *suffix)
{
    size_t sl = strlen(suffix);

    if (sl > len)
        return 0;
    for (size_t i = 0; i < sl; i++) {
        unsigned char a = (unsigned char)s[len - sl + i], b = (unsigned char)suffix[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return 1;
}

/* The kind of a (non-directory) file from its name; a ".gz" ending is looked through. */
static enum src_kind kind_by_name(const char *path)
{
    size_t len = strlen(path);

    if (ends_with_ci(path, len, ".gz"))
        len -= 3;
    if (ends_with_ci(path, len, ".jsonl") || ends_with_ci(path, len, ".json") ||
        ends_with_ci(path, len, ".ndjson"))
        return SRC_JSONL;
    if (ends_with_ci(path, len, ".ft") || ends_with_ci(path, len, ".fasttext"))
        return SRC_FASTTEXT;
    if (ends_with_ci(path, len, ".csv"))
        return SRC_CSV;
    if (ends_with_ci(path, len, ".tsv") || ends_with_ci(path, len, ".tab"))
        return SRC_TSV;
    return SRC_TEXT;
}

/* The kind for an explicit file format; 'fallback' for NC_FORMAT_AUTO. */
static enum src_kind kind_for(nc_format f, enum src_kind fallback)
{
    switch (f) {
    case NC_FORMAT_JSONL: return SRC_JSONL;
    case NC_FORMAT_FASTTEXT: return SRC_FASTTEXT;
    case NC_FORMAT_TEXT: return SRC_TEXT;
    case NC_FORMAT_CSV: return SRC_CSV;
    case NC_FORMAT_TSV: return SRC_TSV;
    default: return fallback;
    }
}

/* ---- sources ----------------------------------------------------------------------------- */

static void source_close(nc_reader *r)
{
    if (r->gz)
        gzclose(r->gz); /* for stdin this closes our dup(), never fd 0 */
    r->gz = NULL;
    free(r->name);
    free(r->label);
    r->name = r->label = NULL;
    r->start = r->end = r->scan = 0;
    r->eof = r->skip_line = 0;
    r->lineno = 0;
    nc_csv_cols_finish(&r->csv);
    r->csv_dead = 0;
}

/* Open 'path' ("-" = stdin) as the current source; 'label' may be NULL. */
static int source_open(nc_reader *r, const char *path, enum src_kind kind, const char *label,
                       nc_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    int fd = is_stdin ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;

    if (fd < 0)
        return nc_err(err, NC_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        close(fd);
        return nc_err(err, NC_EIO, "cannot open '%s': %s", path, strerror(EISDIR));
    }
    r->gz = gzdopen(fd, "rb");
    if (!r->gz) {
        close(fd);
        return nc_err(err, NC_ENOMEM, "out of memory opening '%s'", path);
    }
    gzbuffer(r->gz, GZ_BUFFER);
    r->name = nc_strdup(path);
    r->label = label ? nc_strdup(label) : NULL;
    if (!r->name || (label && !r->label)) {
        source_close(r);
        return nc_err(err, NC_ENOMEM, "out of memory opening '%s'", path);
    }
    r->kind = kind;
    r->start = r->end = r->scan = 0;
    r->eof = r->skip_line = 0;
    r->lineno = 0;
    nc_csv_cols_finish(&r->csv);
    r->csv_dead = 0;
    return NC_OK;
}

/* Read more of the current source into the buffer. Returns the number of bytes added (0 at the
 * end of the input) or a negative status. */
static int source_fill(nc_reader *r, nc_error *err)
{
    size_t want;
    int n, errnum = Z_OK;
    const char *msg;

    if (r->eof)
        return 0;
    /* Keep reads large: when less than a quarter of the buffer is free, move the unread data
     * to the front, and grow only when the unread part (a partial line) fills 3/4 of it. */
    if (r->start > 0 && r->cap - r->end <= r->cap / 4) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->scan -= r->start;
        r->start = 0;
    }
    if (r->cap - r->end <= r->cap / 4 || r->end + 1 >= r->cap) {
        void *p = r->buf;
        if (nc_grow(&p, &r->cap, r->cap < READ_CHUNK ? READ_CHUNK : r->cap + 1, 1) < 0)
            return nc_err(err, NC_ENOMEM, "out of memory reading '%s'", r->name);
        r->buf = p;
    }
    want = r->cap - r->end - 1; /* keep one byte for a terminating NUL */
    if (want > INT_MAX)
        want = INT_MAX;
    n = gzread(r->gz, r->buf + r->end, (unsigned)want);
    msg = n > 0 ? NULL : gzerror(r->gz, &errnum);
    if (n < 0 || (n == 0 && errnum != Z_OK)) {
        if (errnum == Z_ERRNO)
            msg = strerror(errno);
        else if (errnum == Z_BUF_ERROR)
            msg = "unexpected end of compressed data";
        return nc_err(err, NC_EIO, "cannot read '%s': %s", r->name, msg);
    }
    if (n == 0)
        r->eof = 1;
    r->end += (size_t)n;
    return n;
}

/* The next line of the current source, without its "\n" or "\r\n", NUL-terminated in place
 * (borrowed until the next call). Returns 1, 0 at the end, or a negative status.
 * A line with a NUL byte is reported as soon as the chunk that holds the byte is read, not
 * when the line ends: binary data may have no line end for gigabytes (/dev/zero, a gzip bomb),
 * and buffering it whole would exhaust memory. The rest of that line is then read and dropped
 * without being kept, and the next call goes on with the line after it. The check costs a
 * memchr over the unfinished tail of each chunk only; whole lines are checked by article.c. */
static int source_getline(nc_reader *r, char **line, size_t *len, nc_error *err)
{
    for (;;) {
        char *nl = r->end > r->scan ? memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL;
        int n;

        if (r->skip_line) {
            r->start = r->scan = nl ? (size_t)(nl - r->buf) + 1 : r->end;
            if (nl) {
                r->skip_line = 0;
                continue;
            }
            if (r->eof)
                return 0;
            if ((n = source_fill(r, err)) < 0)
                return n;
            continue;
        }
        if (nl || (r->eof && r->start < r->end)) {
            char *s = r->buf + r->start, *e = nl ? nl : r->buf + r->end;
            r->start = r->scan = nl ? (size_t)(nl - r->buf) + 1 : r->end;
            if (e > s && e[-1] == '\r')
                e--;
            *e = '\0';
            r->lineno++;
            if (r->lineno == 1 && e - s >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
                s += 3; /* byte order mark */
            *line = s;
            *len = (size_t)(e - s);
            return 1;
        }
        if (r->eof)
            return 0;
        if (r->end > r->scan && memchr(r->buf + r->scan, '\0', r->end - r->scan)) {
            r->lineno++;
            r->skip_line = 1;
            r->start = r->scan = r->end;
            return nc_err(err, NC_EFORMAT, "%s:%ld: NUL byte (binary file?)", r->name, r->lineno);
        }
        r->scan = r->end;
        if ((n = source_fill(r, err)) < 0)
            return n;
    }
}

static int is_blank_line(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\v' && s[i] != '\f')
            return 0;
    return 1;
}

/* stdin in AUTO mode: JSON Lines when the first non-blank byte is '{', else plain text. */
static int source_sniff(nc_reader *r, nc_error *err)
{
    for (;;) {
        size_t i = r->start;
        int n;

        if (r->end - i >= 3 && memcmp(r->buf + i, "\xEF\xBB\xBF", 3) == 0)
            i += 3;
        while (i < r->end && (r->buf[i] == ' ' || r->buf[i] == '\t' || r->buf[i] == '\n' ||
                              r->buf[i] == '\r' || r->buf[i] == '\v' || r->buf[i] == '\f'))
            i++;
        if (i < r->end || r->eof) {
            r->kind = i < r->end && r->buf[i] == '{' ? SRC_JSONL : SRC_TEXT;
            return NC_OK;
        }
        if ((n = source_fill(r, err)) < 0)
            return n;
    }
}

/* The next article of a CSV or TSV source: 1, 0 at its end, or a negative status. The first
 * record is the header. A record runs over as many lines as its quoted fields need; errors
 * name the line the record starts on, or the line of the offending byte. */
static int csv_next(nc_reader *r, nc_article *a, nc_error *err)
{
    char sep = r->kind == SRC_TSV ? '\t' : ',';

    for (;;) {
        char *line = NULL;
        size_t len = 0;
        long first = 0;
        int state = NC_CSV_OUTSIDE, rc;

        if (r->csv_dead)
            return 0;
        nc_strbuf_reset(&r->rec);
        do {
            if ((rc = source_getline(r, &line, &len, err)) < 0)
                return rc; /* a NUL byte: the record is dropped, reading goes on after it */
            if (rc == 0) {
                if (first == 0)
                    return 0;
                r->csv_dead = 1; /* the rest of the file was this record */
                return nc_err(err, NC_EFORMAT,
                              "%s:%ld: a quoted field of the record that starts here is never "
                              "closed",
                              r->name, first);
            }
            if (first == 0) {
                if (is_blank_line(line, len))
                    break;
                first = r->lineno;
            } else if (nc_strbuf_addc(&r->rec, '\n') < 0) {
                return nc_err(err, NC_ENOMEM, "out of memory reading '%s'", r->name);
            }
            if (nc_strbuf_add(&r->rec, line, len) < 0)
                return nc_err(err, NC_ENOMEM, "out of memory reading '%s'", r->name);
            state = nc_csv_scan(line, len, sep, state);
        } while (state == NC_CSV_IN_QUOTES);
        if (first == 0)
            continue; /* a blank line between records */
        if (r->csv.n == 0) {
            if ((rc = nc_csv_header(&r->csv, sep, r->rec.buf, r->rec.len, r->name, first,
                                    err)) < 0) {
                r->csv_dead = 1;
                return rc;
            }
            continue;
        }
        rc = nc_article_from_csv(&r->csv, r->rec.buf, r->rec.len, r->name, first, a, err);
        return rc < 0 ? rc : 1;
    }
}

/* The next article of the current source: 1, 0 at its end, or a negative status. */
static int source_next(nc_reader *r, nc_article *a, nc_error *err)
{
    char *line = NULL; /* set when source_getline returns 1; GCC cannot tell */
    size_t len = 0;
    int rc;

    if (r->kind == SRC_SNIFF && (rc = source_sniff(r, err)) < 0)
        return rc;
    if (r->kind == SRC_CSV || r->kind == SRC_TSV)
        return csv_next(r, a, err);
    if (r->kind == SRC_TEXT) { /* the whole source is one article; the caller closes it */
        size_t done = 0; /* bytes after r->start checked for NUL: what sniffing read, then each
                          * chunk as it comes, so a binary file is not read whole */
        for (;;) {
            const char *nul = r->end - r->start > done
                                  ? memchr(r->buf + r->start + done, '\0',
                                           r->end - r->start - done)
                                  : NULL;
            if (nul)
                return nc_err(err, NC_EFORMAT, "'%s': binary file (NUL byte at offset %zu)",
                              r->name, (size_t)(nul - (r->buf + r->start)));
            done = r->end - r->start;
            if ((rc = source_fill(r, err)) <= 0)
                break;
        }
        if (rc < 0)
            return rc;
        rc = nc_article_from_text(r->buf ? r->buf + r->start : "", r->end - r->start, r->name,
                                  r->opts.keep_furniture, a, err);
        r->start = r->end;
        return rc < 0 ? rc : 1;
    }
    for (;;) {
        if ((rc = source_getline(r, &line, &len, err)) <= 0)
            return rc;
        if (is_blank_line(line, len))
            continue;
        if (r->kind == SRC_JSONL)
            rc = nc_article_from_json(line, len, r->name, r->lineno, a, err);
        else
            rc = nc_article_from_fasttext(line, len, r->name, r->lineno, a, err);
        return rc < 0 ? rc : 1;
    }
}

/* ---- directory walk ---------------------------------------------------------------------- */

/* Byte i of an entry's sort key: its name, plus "/" for a directory. */
static int key_at(const struct dir_entry *e, size_t i, size_t len)
{
    if (i < len)
        return (unsigned char)e->name[i];
    if (i == len && e->is_dir)
        return '/';
    return -1;
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct dir_entry *a = pa, *b = pb;
    size_t la = strlen(a->name), lb = strlen(b->name);

    for (size_t i = 0;; i++) {
        int ca = key_at(a, i, la), cb = key_at(b, i, lb);
        if (ca != cb)
            return ca < cb ? -1 : 1;
        if (ca < 0)
            return 0;
    }
}

static char *join_path(const char *dir, const char *name)
{
    nc_strbuf sb = NC_STRBUF_INIT;
    size_t dl = strlen(dir);
    int slash = dl > 0 && dir[dl - 1] == '/';

    if (nc_strbuf_addf(&sb, "%s%s%s", dir, slash ? "" : "/", name) < 0) {
        nc_strbuf_finish(&sb);
        return NULL;
    }
    return nc_strbuf_detach(&sb);
}

static void frame_free(struct dir_frame *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->ents[i].name);
    free(f->ents);
    free(f->path);
    free(f->label);
    memset(f, 0, sizeof *f);
}

/* Read and sort the entries of directory 'path' into a new frame on the stack. Takes ownership
 * of 'path' and 'label' (both freed on failure). */
static int frame_push(nc_reader *r, char *path, char *label, nc_error *err)
{
    struct dir_frame f = { path, label, NULL, 0, 0 };
    size_t cap = 0;
    DIR *d = NULL;
    struct dirent *de;
    char *child = NULL;
    void *p;
    int rc = NC_OK;

    if (!path || !label) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    if (!(d = opendir(path))) {
        rc = nc_err(err, NC_EIO, "cannot open '%s': %s", path, strerror(errno));
        goto out;
    }
    for (;;) {
        struct stat st;
        int is_dir;

        errno = 0;
        if (!(de = readdir(d))) {
            if (errno)
                rc = nc_err(err, NC_EIO, "cannot read '%s': %s", path, strerror(errno));
            break;
        }
        if (de->d_name[0] == '.')
            continue; /* hidden, ".", ".." */
        free(child);
        if (!(child = join_path(path, de->d_name))) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            break;
        }
        if (lstat(child, &st) != 0) {
            if (errno == ENOENT)
                continue; /* vanished meanwhile */
            rc = nc_err(err, NC_EIO, "cannot stat '%s': %s", child, strerror(errno));
            break;
        }
        if (S_ISLNK(st.st_mode)) /* read links to files; never follow links to directories */
            is_dir = stat(child, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
        else
            is_dir = S_ISDIR(st.st_mode) ? 1 : S_ISREG(st.st_mode) ? 0 : -1;
        if (is_dir < 0)
            continue;
        p = f.ents;
        if (nc_grow(&p, &cap, f.n + 1, sizeof *f.ents) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            break;
        }
        f.ents = p;
        if (!(f.ents[f.n].name = nc_strdup(de->d_name))) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            break;
        }
        f.ents[f.n++].is_dir = is_dir;
    }
    if (rc < 0)
        goto out;
    if (f.n > 1) /* an empty directory has no array: qsort must not see NULL */
        qsort(f.ents, f.n, sizeof *f.ents, entry_cmp);
    p = r->stack;
    if (nc_grow(&p, &r->stack_cap, r->depth + 1, sizeof *r->stack) < 0) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    r->stack = p;
    r->stack[r->depth++] = f;
    f.path = f.label = NULL;
    f.ents = NULL;
    f.n = 0;
out:
    free(child);
    if (d)
        closedir(d);
    frame_free(&f);
    return rc;
}

/* The next regular file of the walk: 1 with a new path in *path and its directory's name in
 * *label (borrowed until the next call), 0 at the end, or a negative status (the walk then
 * continues with the following entry). */
static int walk_next(nc_reader *r, char **path, const char **label, nc_error *err)
{
    while (r->depth > 0) {
        struct dir_frame *f = &r->stack[r->depth - 1];
        struct dir_entry *e;
        char *child;

        if (f->i == f->n) {
            frame_free(f);
            r->depth--;
            continue;
        }
        e = &f->ents[f->i++];
        if (!(child = join_path(f->path, e->name)))
            return nc_err(err, NC_ENOMEM, "out of memory");
        if (e->is_dir) {
            int rc = frame_push(r, child, nc_strdup(e->name), err);
            if (rc < 0)
                return rc;
            continue;
        }
        *path = child;
        *label = f->label;
        return 1;
    }
    return 0;
}

/* The base name of directory 'path' (for label_from_dir on the files at the top). */
static char *dir_label(const char *path)
{
    char *real = NULL, *label;
    const char *base = strrchr(path, '/');

    base = base ? base + 1 : path;
    if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        if ((real = realpath(path, NULL))) {
            base = strrchr(real, '/');
            base = base ? base + 1 : real;
        }
    }
    label = nc_strdup(base);
    free(real);
    return label;
}

/* ---- public API -------------------------------------------------------------------------- */

int nc_reader_open(const char *path, const nc_reader_opts *opts, nc_reader **out, nc_error *err)
{
    static const nc_reader_opts defaults = { NC_FORMAT_AUTO, 0, 0 };
    nc_reader *r = NULL;
    struct stat st;
    char *root = NULL;
    int rc = NC_OK;

    if (!out || !path)
        return nc_err(err, NC_EINVAL, "nc_reader_open: no path or result pointer");
    *out = NULL;
    if (!opts)
        opts = &defaults;
    if (opts->format < NC_FORMAT_AUTO || opts->format > NC_FORMAT_TSV)
        return nc_err(err, NC_EINVAL, "unknown input format %d", (int)opts->format);
    if (!(r = calloc(1, sizeof *r)))
        return nc_err(err, NC_ENOMEM, "out of memory");
    r->opts = *opts;
    nc_csv_cols_init(&r->csv);

    if (strcmp(path, "-") == 0) {
        if (opts->format == NC_FORMAT_DIR) {
            rc = nc_err(err, NC_EIO, "cannot open '-': %s", strerror(ENOTDIR));
            goto out;
        }
        rc = source_open(r, "-", kind_for(opts->format, SRC_SNIFF), NULL, err);
        goto out;
    }
    if (stat(path, &st) != 0) {
        rc = nc_err(err, NC_EIO, "cannot open '%s': %s", path, strerror(errno));
        goto out;
    }
    if (opts->format == NC_FORMAT_DIR || (opts->format == NC_FORMAT_AUTO && S_ISDIR(st.st_mode))) {
        size_t len = strlen(path);
        if (!S_ISDIR(st.st_mode)) {
            rc = nc_err(err, NC_EIO, "cannot open '%s': %s", path, strerror(ENOTDIR));
            goto out;
        }
        while (len > 1 && path[len - 1] == '/')
            len--;
        r->dir_mode = 1;
        root = nc_strndup(path, len);
        rc = frame_push(r, root, root ? dir_label(root) : NULL, err);
        goto out;
    }
    rc = source_open(r, path, kind_for(opts->format, kind_by_name(path)), NULL, err);
out:
    if (rc < 0) {
        nc_reader_free(r);
        return rc;
    }
    *out = r;
    return NC_OK;
}

/* Replace the topics of 'a' by the one label (label_from_dir). */
static int set_dir_label(nc_article *a, const char *label, nc_error *err)
{
    char **topics = nc_alloc_array(1, sizeof *topics);

    if (!topics || !(topics[0] = nc_strdup(label))) {
        free(topics);
        return nc_err(err, NC_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < a->ntopics; i++)
        free(a->topics[i]);
    free(a->topics);
    a->topics = topics;
    a->ntopics = 1;
    a->has_topics = 1;
    return NC_OK;
}

/* A folder name becomes a topic (label_from_dir) only without control bytes, as the topics of
 * records (article.c): a tab or a line break would break TSV headers and vocab.tsv.labels. */
static int check_dir_label(const char *path, const char *label, nc_error *err)
{
    for (const unsigned char *p = (const unsigned char *)label; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return nc_err(err, NC_EFORMAT,
                          "'%s': topic name (the folder's name) contains a control character "
                          "(0x%02x)",
                          path, (unsigned)*p);
    return NC_OK;
}

int nc_reader_next(nc_reader *r, nc_article *a, nc_error *err)
{
    nc_error local;
    nc_error *e = err ? err : &local;
    int rc;

    nc_article_finish(a);
    for (;;) {
        if (!r->gz) {
            char *path = NULL;
            const char *label = NULL;

            if (!r->dir_mode || (rc = walk_next(r, &path, &label, e)) == 0)
                return 0;
            if (rc < 0)
                return rc;
            if (r->opts.label_from_dir && (rc = check_dir_label(path, label, e)) < 0) {
                free(path);
                return rc;
            }
            rc = source_open(r, path, kind_by_name(path), r->opts.label_from_dir ? label : NULL,
                             e);
            free(path);
            if (rc < 0)
                return rc;
        }
        rc = source_next(r, a, e);
        if (rc > 0 && r->label && set_dir_label(a, r->label, e) < 0) {
            nc_article_finish(a);
            rc = NC_ENOMEM;
        }
        /* Done with this source at its end, after its one text article, or after a read error
         * (a bad record only costs that record). */
        if (rc == 0 || r->kind == SRC_TEXT || (rc < 0 && e->code != NC_EFORMAT))
            source_close(r);
        if (rc != 0)
            return rc;
    }
}

void nc_reader_free(nc_reader *r)
{
    if (!r)
        return;
    source_close(r);
    while (r->depth > 0)
        frame_free(&r->stack[--r->depth]);
    free(r->stack);
    free(r->buf);
    nc_strbuf_finish(&r->rec);
    free(r);
}
