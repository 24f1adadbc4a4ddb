/* log.c: the library's only output channel. Messages go to a caller-set callback (the CLI sends
 * them to stderr); LIBLINEAR's print hook is routed here so nothing ever reaches stdout.
 * SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include <gsl/gsl_errno.h>
#include <linear.h>
#include <newsclass/newsclass.h>

static nc_log_fn log_fn;
static void *log_ctx;

const char *nc_version(void)
{
    return NC_VERSION_STRING;
}

static void liblinear_print(const char *s)
{
    (void)s; /* LIBLINEAR's iteration chatter is not useful to our users */
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_hooks(void)
{
    set_print_string_function(liblinear_print);
    /* GSL's default handler prints to stderr and aborts the process; the library checks every
     * GSL status itself, so it turns the handler off, but keeps one the program installed. */
    gsl_error_handler_t *prev = gsl_set_error_handler_off();
    if (prev)
        gsl_set_error_handler(prev);
}

void nc_init(void)
{
    pthread_once(&init_once, init_hooks);
}

void nc_set_log(nc_log_fn fn, void *ctx)
{
    log_fn = fn;
    log_ctx = ctx;
}

void nc_log(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    if (!log_fn)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    log_fn(buf, log_ctx);
}
