/* util.h (private): checked allocation, a growable string, whole-file reading and atomic
 * output files. Every function that can fail reports through nc_error and never exits. */
#ifndef NC_UTIL_H
#define NC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <newsclass/error.h>

#define NC_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* malloc/realloc that refuse n*size overflow; return NULL on failure (errno left as is). */
void *nc_alloc_array(size_t n, size_t size);
void *nc_realloc_array(void *p, size_t n, size_t size);
/* Grow *p (of *cap elements of 'size') to hold at least 'need' elements, geometrically. */
int nc_grow(void **p, size_t *cap, size_t need, size_t size);
char *nc_strdup(const char *s);                 /* NULL on failure or when s is NULL */
char *nc_strndup(const char *s, size_t n);

/* A growable NUL-terminated byte string. Initialise with NC_STRBUF_INIT or nc_strbuf_init. */
typedef struct nc_strbuf {
    char *buf;
    size_t len, cap;
} nc_strbuf;
#define NC_STRBUF_INIT { NULL, 0, 0 }
void nc_strbuf_init(nc_strbuf *sb);
void nc_strbuf_finish(nc_strbuf *sb);
int nc_strbuf_add(nc_strbuf *sb, const char *s, size_t n);   /* 0 or NC_ENOMEM */
int nc_strbuf_addc(nc_strbuf *sb, char c);
int nc_strbuf_addf(nc_strbuf *sb, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void nc_strbuf_reset(nc_strbuf *sb);
/* Hand the buffer to the caller (free() it); sb is left empty. Never NULL unless out of memory. */
char *nc_strbuf_detach(nc_strbuf *sb);

/* Read a whole file ("-" = stdin) into a new NUL-terminated buffer (caller frees). */
int nc_read_file(const char *path, char **out, size_t *len, nc_error *err);

/* A whole file as read-only bytes (mapfile.c): mapped when it is a regular file, else read.
 * data is 8-byte aligned; release with nc_unmap_file (which accepts a zeroed or released
 * nc_mapped). */
typedef struct nc_mapped {
    const char *data;
    size_t len;
    int mapped;     /* 1: munmap on release; 0: free */
} nc_mapped;
int nc_map_file(const char *path, nc_mapped *out, nc_error *err);
void nc_unmap_file(nc_mapped *m);

/* An output file written under a temporary name in the same directory and renamed into place
 * by nc_outfile_commit; nc_outfile_abort (or a crash) leaves the destination untouched.
 * path "-" writes to stdout directly (commit only flushes); an existing path that is not a
 * regular file (a device such as /dev/null, a FIFO) is written in place. */
typedef struct nc_outfile {
    FILE *fp;
    char *path;
    char *tmp;
} nc_outfile;
int nc_outfile_open(nc_outfile *o, const char *path, nc_error *err);
int nc_outfile_commit(nc_outfile *o, nc_error *err);  /* flush, fsync, close, rename */
void nc_outfile_abort(nc_outfile *o);                 /* close and remove the temporary */

/* Write s to fp as XML 1.0 character data (for SVG text and attribute values): '&', '<', '>'
 * and '"' escaped; C0 controls other than tab dropped (a chart's text is one line); and what XML
 * 1.0 cannot hold at all replaced by U+FFFD: bytes that are not well-formed UTF-8 and the
 * noncharacters U+FFFE and U+FFFF. The strings come from users' data (a record's source, a
 * label, a file name), so without this one odd value would make the whole file unreadable. */
void nc_xml_text(FILE *fp, const char *s);

/* A fast 64-bit checksum of bytes ("nc64": four lanes of multiply-xorshift over little-endian
 * 8-byte words, then the tail and the length), for model files: it catches damaged or edited
 * files at several GB/s, where CRC-32 took a fifth of a one-article classify. Not
 * cryptographic. */
uint64_t nc_checksum64(const void *p, size_t n);
/* nc_checksum64 of a whole file. */
int nc_file_checksum(const char *path, uint64_t *out, nc_error *err);

/* 64-bit FNV-1a over bytes (widened as unsigned char: see fastText's signed-char lesson). */
static inline uint64_t nc_fnv1a(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}
#define NC_FNV_OFFSET 14695981039346656037ULL

/* Mix a 64-bit value (splitmix64 finaliser). */
static inline uint64_t nc_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#endif
