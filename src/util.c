/* util.c: checked allocation, growable strings, whole-file reads and atomic output files.
 *
 * Atomic output: data goes to "<path>.tmp.<pid>.<n>" in the destination's directory (so rename
 * stays within one file system) and is renamed over <path> only after a successful flush, fsync
 * and close. An interrupted run leaves at most a stray temporary, never a half-written file.
 * SPDX-License-Identifier: MIT */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <utf8proc.h>

void *nc_alloc_array(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return malloc(n && size ? n * size : 1);
}

void *nc_realloc_array(void *p, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return realloc(p, n && size ? n * size : 1);
}

int nc_grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *np;

    if (need <= *cap)
        return NC_OK;
    ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return NC_ENOMEM;
        ncap *= 2;
    }
    np = nc_realloc_array(*p, ncap, size);
    if (!np)
        return NC_ENOMEM;
    *p = np;
    *cap = ncap;
    return NC_OK;
}

char *nc_strdup(const char *s)
{
    return s ? nc_strndup(s, strlen(s)) : NULL;
}

char *nc_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void nc_strbuf_init(nc_strbuf *sb)
{
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

void nc_strbuf_finish(nc_strbuf *sb)
{
    free(sb->buf);
    nc_strbuf_init(sb);
}

void nc_strbuf_reset(nc_strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

int nc_strbuf_add(nc_strbuf *sb, const char *s, size_t n)
{
    void *p = sb->buf;
    if (n > SIZE_MAX - sb->len - 1 || nc_grow(&p, &sb->cap, sb->len + n + 1, 1) < 0)
        return NC_ENOMEM;
    sb->buf = p;
    if (n)
        memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
    return NC_OK;
}

int nc_strbuf_addc(nc_strbuf *sb, char c)
{
    return nc_strbuf_add(sb, &c, 1);
}

int nc_strbuf_addf(nc_strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int n;
    void *p;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NC_EINTERNAL;
    p = sb->buf;
    if (nc_grow(&p, &sb->cap, sb->len + (size_t)n + 1, 1) < 0)
        return NC_ENOMEM;
    sb->buf = p;
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
    return NC_OK;
}

char *nc_strbuf_detach(nc_strbuf *sb)
{
    char *b = sb->buf;
    if (!b)
        b = nc_strdup("");
    nc_strbuf_init(sb);
    return b;
}

int nc_read_file(const char *path, char **out, size_t *len, nc_error *err)
{
    int is_stdin = strcmp(path, "-") == 0;
    FILE *fp = is_stdin ? stdin : fopen(path, "rb");
    nc_strbuf sb = NC_STRBUF_INIT;
    char chunk[65536];
    size_t n;
    struct stat st;

    *out = NULL;
    if (!fp)
        return nc_err(err, NC_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (!is_stdin && fstat(fileno(fp), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(fp);
            return nc_err(err, NC_EIO, "cannot read '%s': Is a directory", path);
        }
        /* a regular file: one allocation of the right size */
        if (S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size < SIZE_MAX - 2) {
            void *p = NULL;
            if (nc_grow(&p, &sb.cap, (size_t)st.st_size + 1, 1) < 0) {
                fclose(fp);
                return nc_err(err, NC_ENOMEM, "out of memory reading '%s'", path);
            }
            sb.buf = p;
            sb.buf[0] = '\0';
        }
    }
    while (sb.cap > sb.len + 1 && (n = fread(sb.buf + sb.len, 1, sb.cap - sb.len - 1, fp)) > 0) {
        sb.len += n;
        sb.buf[sb.len] = '\0';
    }
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (nc_strbuf_add(&sb, chunk, n) < 0) {
            if (!is_stdin)
                fclose(fp);
            nc_strbuf_finish(&sb);
            return nc_err(err, NC_ENOMEM, "out of memory reading '%s'", path);
        }
    }
    if (ferror(fp)) {
        int e = errno;
        if (!is_stdin)
            fclose(fp);
        nc_strbuf_finish(&sb);
        return nc_err(err, NC_EIO, "cannot read '%s': %s", path, strerror(e));
    }
    if (!is_stdin)
        fclose(fp);
    if (len)
        *len = sb.len;
    *out = nc_strbuf_detach(&sb);
    return *out ? NC_OK : nc_err(err, NC_ENOMEM, "out of memory reading '%s'", path);
}

int nc_outfile_open(nc_outfile *o, const char *path, nc_error *err)
{
    static unsigned counter;
    nc_strbuf sb = NC_STRBUF_INIT;
    int fd;

    o->fp = NULL;
    o->path = o->tmp = NULL;
    if (strcmp(path, "-") == 0) {
        o->fp = stdout;
        return NC_OK;
    }
    if (!*path)
        return nc_err(err, NC_EINVAL, "no output file given (an empty path)");
    {
        /* a device or a pipe (/dev/null, /dev/stdout, a FIFO) is written in place: renaming
         * a temporary over it would replace the device with a file */
        struct stat st;
        /* a directory is refused now, not at the rename after all the work */
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return nc_err(err, NC_EIO, "cannot write '%s': it is a directory", path);
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
            o->fp = fopen(path, "wb");
            if (!o->fp)
                return nc_err(err, NC_EIO, "cannot open '%s': %s", path, strerror(errno));
            return NC_OK;
        }
    }
    o->path = nc_strdup(path);
    if (!o->path || nc_strbuf_addf(&sb, "%s.tmp.%ld.%u", path, (long)getpid(), counter++) < 0) {
        free(o->path);
        o->path = NULL;
        nc_strbuf_finish(&sb);
        return nc_err(err, NC_ENOMEM, "out of memory");
    }
    o->tmp = nc_strbuf_detach(&sb);
    fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0 || !(o->fp = fdopen(fd, "wb"))) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        free(o->tmp);
        free(o->path);
        o->tmp = o->path = NULL;
        return nc_err(err, NC_EIO, "cannot create '%s': %s", path, strerror(e));
    }
    return NC_OK;
}

int nc_outfile_commit(nc_outfile *o, nc_error *err)
{
    int rc = NC_OK;

    if (!o->fp)
        return nc_err(err, NC_EINTERNAL, "output file is not open");
    if (!o->tmp) { /* stdout, or a device written in place */
        if (fflush(o->fp) != 0 || ferror(o->fp))
            rc = nc_err(err, NC_EIO, "cannot write output: %s", strerror(errno));
        if (o->fp != stdout && fclose(o->fp) != 0 && rc == NC_OK)
            rc = nc_err(err, NC_EIO, "cannot write output: %s", strerror(errno));
        o->fp = NULL;
        return rc;
    }
    if (fflush(o->fp) != 0 || ferror(o->fp) || fsync(fileno(o->fp)) != 0) {
        rc = nc_err(err, NC_EIO, "cannot write '%s': %s", o->path, strerror(errno));
        nc_outfile_abort(o);
        return rc;
    }
    if (fclose(o->fp) != 0) {
        o->fp = NULL;
        rc = nc_err(err, NC_EIO, "cannot write '%s': %s", o->path, strerror(errno));
        nc_outfile_abort(o);
        return rc;
    }
    o->fp = NULL;
    if (rename(o->tmp, o->path) != 0) {
        rc = nc_err(err, NC_EIO, "cannot rename '%s' to '%s': %s", o->tmp, o->path,
                    strerror(errno));
        nc_outfile_abort(o);
        return rc;
    }
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
    return NC_OK;
}

void nc_outfile_abort(nc_outfile *o)
{
    if (o->fp && o->fp != stdout)
        fclose(o->fp);
    o->fp = NULL;
    if (o->tmp)
        unlink(o->tmp);
    free(o->tmp);
    free(o->path);
    o->tmp = o->path = NULL;
}

static inline uint64_t load64le(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8); /* one load */
    return v;
#else
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
#endif
}

static inline uint64_t lane(uint64_t h, uint64_t w)
{
    h ^= w * 0x9e3779b97f4a7c15ULL;
    h = (h << 31 | h >> 33) * 0xbf58476d1ce4e5b9ULL;
    return h;
}

uint64_t nc_checksum64(const void *data, size_t n)
{
    const unsigned char *p = data;
    uint64_t h[4] = { 0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
                      0x082efa98ec4e6c89ULL };
    size_t i = 0;

    for (; i + 32 <= n; i += 32) {
        h[0] = lane(h[0], load64le(p + i));
        h[1] = lane(h[1], load64le(p + i + 8));
        h[2] = lane(h[2], load64le(p + i + 16));
        h[3] = lane(h[3], load64le(p + i + 24));
    }
    for (; i + 8 <= n; i += 8)
        h[0] = lane(h[0], load64le(p + i));
    if (i < n) {
        unsigned char tail[8] = { 0 };
        memcpy(tail, p + i, n - i);
        h[1] = lane(h[1], load64le(tail));
    }
    return nc_mix64(h[0] ^ nc_mix64(h[1]) ^ nc_mix64(h[2] + 1) ^ nc_mix64(h[3] + 2) ^
                    (uint64_t)n);
}

int nc_file_checksum(const char *path, uint64_t *out, nc_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = nc_read_file(path, &buf, &len, err);
    if (rc < 0)
        return rc;
    *out = nc_checksum64(buf, len);
    free(buf);
    return NC_OK;
}

void nc_xml_text(FILE *fp, const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + strlen(s);

    while (p < end) {
        utf8proc_int32_t cp = 0;
        /* utf8proc refuses stray continuation bytes, overlong forms, surrogates and code
         * points above U+10FFFF */
        utf8proc_ssize_t n = utf8proc_iterate(p, end - p < 4 ? end - p : 4, &cp);

        if (n <= 0) { /* one replacement per bad byte: the next byte may start a good one */
            fputs("\xef\xbf\xbd", fp);
            p++;
            continue;
        }
        switch (cp) {
        case '&': fputs("&amp;", fp); break;
        case '<': fputs("&lt;", fp); break;
        case '>': fputs("&gt;", fp); break;
        case '"': fputs("&quot;", fp); break;
        case 0xfffe:
        case 0xffff: fputs("\xef\xbf\xbd", fp); break;
        default:
            if (cp >= 0x20 || cp == '\t')
                fwrite(p, 1, (size_t)n, fp);
        }
        p += n;
    }
}
