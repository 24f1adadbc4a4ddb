/* error.h: status codes and the caller-owned error record.
 *
 * Every library function that can fail returns int: NC_OK (0) or a negative nc_status. It takes
 * an `nc_error *err` last (may be NULL), which receives a one-line message in git's style:
 * lowercase, no final period, the subject in quotes, data errors prefixed with "file:line: ".
 * The library never prints and never exits. */
#ifndef NC_ERROR_H
#define NC_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum nc_status {
    NC_OK = 0,
    NC_ENOMEM = -1,   /* out of memory */
    NC_EIO = -2,      /* cannot open, read or write a file */
    NC_EFORMAT = -3,  /* malformed input data */
    NC_EINVAL = -4,   /* invalid argument or option */
    NC_EVERSION = -5, /* model format version not supported */
    NC_EINTERNAL = -6 /* a dependency failed unexpectedly */
} nc_status;

typedef struct nc_error {
    nc_status code;
    char msg[512];
} nc_error;

/* A short constant name for a status code ("out of memory", ...). Never NULL. */
const char *nc_status_str(int code);

/* Fill 'err' (if not NULL) with 'code' and a printf-style message; returns 'code', so that a
 * caller can write `return nc_err(err, NC_EIO, "cannot open '%s': %s", path, strerror(errno));` */
int nc_err(nc_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prefix the message already in 'err' with "prefix: " (e.g. a file name); returns err->code. */
int nc_err_prefix(nc_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
