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

/* Process-wide set-up, idempotent: routes LIBLINEAR's messages to the library log (never
 * stdout). Called by the functions that train; callers may call it first themselves. */
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
