/* error.c: fill nc_error records (git's `return error(...)` idiom, without global state).
 *
 * Messages are truncated to the record's buffer; truncation is never an error.
 * SPDX-License-Identifier: MIT */
#include <newsclass/error.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *nc_status_str(int code)
{
    switch (code) {
    case NC_OK: return "ok";
    case NC_ENOMEM: return "out of memory";
    case NC_EIO: return "input/output error";
    case NC_EFORMAT: return "malformed data";
    case NC_EINVAL: return "invalid argument";
    case NC_EVERSION: return "unsupported format version";
    case NC_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}

int nc_err(nc_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = (nc_status)code;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int nc_err_prefix(nc_error *err, const char *fmt, ...)
{
    char prefix[256], old[sizeof err->msg];
    int n;
    va_list ap;

    if (!err)
        return NC_EINTERNAL;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    /* "prefix: old", truncated to the buffer (a truncated message is still a message) */
    n = (int)strlen(prefix);
    if ((size_t)n > sizeof err->msg - 3)
        n = (int)sizeof err->msg - 3;
    memcpy(err->msg, prefix, (size_t)n);
    memcpy(err->msg + n, ": ", 2);
    n += 2;
    size_t rest = strlen(old);
    if (rest > sizeof err->msg - 1 - (size_t)n)
        rest = sizeof err->msg - 1 - (size_t)n;
    memcpy(err->msg + n, old, rest);
    err->msg[(size_t)n + rest] = '\0';
    return err->code;
}
