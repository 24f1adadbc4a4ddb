/* newsclass.h: the umbrella header of libnewsclass.
 *
 * libnewsclass learns what news articles are about (topics) and how they sound (tone) with
 * LIBLINEAR linear models over TF-IDF word n-gram features. Public headers never include
 * linear.h, GSL or cJSON, so LIBLINEAR's unprefixed names stay out of callers. */
#ifndef NC_NEWSCLASS_H
#define NC_NEWSCLASS_H

#include <newsclass/error.h>
#include <newsclass/article.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library version, e.g. "0.1.0". */
const char *nc_version(void);

/* Process-wide set-up, idempotent and thread-safe: routes LIBLINEAR's messages away from
 * stdout (they are discarded), and turns GSL's error handler off when it is GSL's default,
 * which prints and aborts (the library checks every GSL status; a handler the program set
 * before is kept). Every library entry point that reaches LIBLINEAR or GSL calls it, so
 * callers need not; a program that wants GSL's abort back can set it after this call. */
void nc_init(void);

/* Where library progress messages go: a callback (NULL = discard). Not thread-safe; set once. */
typedef void (*nc_log_fn)(const char *msg, void *ctx);
void nc_set_log(nc_log_fn fn, void *ctx);
/* Log a formatted message through the callback (used by library modules). */
void nc_log(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#ifdef __cplusplus
}
#endif
#endif
