/* mapfile.c: read-only views of whole files, for model files that are used where they lie.
 *
 * A regular file is mapped (MAP_PRIVATE, read-only): its pages come straight from the page
 * cache, a fault maps 16 of them at a time, and nothing is copied or zeroed, where reading a
 * few MB into fresh memory cost a page fault, a clear and a copy per 4 KB. (MAP_POPULATE was
 * measured slower than those faults for a 13 MB model.) Anything else (an empty file, a pipe,
 * a file that cannot be mapped) is read into a malloc'd buffer instead. Either way the bytes
 * are at least 8-byte aligned and followed by nothing the caller may rely on (no NUL).
 * A mapping sees later writes to the same file, and a file truncated under it faults (SIGBUS):
 * newsclass never rewrites a model file in place (saves write a new directory and rename it),
 * and a replaced or deleted file stays readable through the mapping.
 * SPDX-License-Identifier: MIT */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int nc_map_file(const char *path, nc_mapped *out, nc_error *err)
{
    struct stat st;
    int fd;
    void *p;

    memset(out, 0, sizeof *out);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return nc_err(err, NC_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return nc_err(err, NC_EIO, "cannot read '%s': %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return nc_err(err, NC_EIO, "cannot read '%s': Is a directory", path);
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0 && (uint64_t)st.st_size < SIZE_MAX / 2) {
        p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p != MAP_FAILED) {
            close(fd);
            out->data = p;
            out->len = (size_t)st.st_size;
            out->mapped = 1;
            return NC_OK;
        }
    }
    close(fd);
    {
        char *buf = NULL;
        size_t len = 0;
        int rc = nc_read_file(path, &buf, &len, err);
        if (rc < 0)
            return rc;
        out->data = buf;
        out->len = len;
        out->mapped = 0;
    }
    return NC_OK;
}

void nc_unmap_file(nc_mapped *m)
{
    if (!m || !m->data)
        return;
    if (m->mapped)
        munmap((void *)m->data, m->len);
    else
        free((void *)m->data);
    memset(m, 0, sizeof *m);
}
