/* cli_util.c: error reporting, number parsing and default-model lookup for the CLI.
 * SPDX-License-Identifier: MIT */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cli_error(const char *cmd, const nc_error *err)
{
    fprintf(stderr, "newsclass %s: %s\n", cmd, err && err->msg[0] ? err->msg : "unknown error");
    return CLI_EXIT_ERROR;
}

int cli_error_at(const char *cmd, nc_error *err, const char *file, long line)
{
    if (file && line > 0)
        nc_err_prefix(err, "%s:%ld", file, line);
    else if (file)
        nc_err_prefix(err, "%s", file);
    return cli_error(cmd, err);
}

static void vreport(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "newsclass %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

int cli_errorf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    return CLI_EXIT_ERROR;
}

int cli_no_articles(const char *cmd, char *const *inputs, int ninputs)
{
    enum { NAMES_MAX = 3 }; /* a long glob of empty files need not fill the screen */
    int shown = ninputs > NAMES_MAX ? NAMES_MAX : ninputs;

    fprintf(stderr, "newsclass %s: no articles in", cmd);
    for (int i = 0; i < shown; i++)
        fprintf(stderr, "%s'%s'", i == 0 ? " " : i + 1 < ninputs ? ", " : " or ", inputs[i]);
    if (ninputs > shown)
        fprintf(stderr, " or %d more inputs", ninputs - shown);
    fputc('\n', stderr);
    return CLI_EXIT_ERROR;
}

int cli_flush_stdout(const char *cmd)
{
    int e = fflush(stdout) != 0 ? errno : 0;

    /* an earlier write may have failed with its buffer dropped, so fflush now succeeds: the
     * error flag still says so (errno then no longer says why) */
    if (e == 0 && !ferror(stdout))
        return CLI_EXIT_OK;
    if (e)
        return cli_errorf(cmd, "cannot write standard output: %s", strerror(e));
    return cli_errorf(cmd, "cannot write standard output");
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
    fprintf(stderr, "try 'newsclass help %s' for usage\n", cmd);
    return CLI_EXIT_USAGE;
}

void cli_info(int quiet, const char *cmd, const char *fmt, ...)
{
    va_list ap;
    if (quiet)
        return;
    va_start(ap, fmt);
    vreport(cmd, fmt, ap);
    va_end(ap);
}

int cli_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int is_model_dir(const char *dir)
{
    char path[PATH_MAX];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/model.json", dir) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

const char *cli_default_model(void)
{
    static char found[PATH_MAX];
    char exe[PATH_MAX];
    const char *env = getenv("NEWSCLASS_MODEL");
    ssize_t n;

    if (env && *env)
        return env;
    /* Next to the binary: <bindir>/../models/default (a build tree inside the source tree),
     * then <bindir>/../share/newsclass/models/default (an installed tree). */
    n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *rel[] = { "/../models/default", "/../../models/default",
                                         "/../share/newsclass/models/default" };
            for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
                if (snprintf(found, sizeof found, "%s%s", exe, rel[i]) < (int)sizeof found &&
                    is_model_dir(found))
                    return found;
            }
        }
    }
#ifdef NC_SOURCE_DIR
    if (is_model_dir(NC_SOURCE_DIR "/models/default"))
        return NC_SOURCE_DIR "/models/default";
#endif
#ifdef NC_DATA_DIR
    if (is_model_dir(NC_DATA_DIR "/models/default"))
        return NC_DATA_DIR "/models/default";
#endif
    return NULL;
}

int cli_input_format(const char *cmd, const char *name, nc_reader_opts *ro)
{
    static const struct {
        const char *name;
        nc_format format;
    } fmts[] = {
        { "jsonl", NC_FORMAT_JSONL }, { "text", NC_FORMAT_TEXT },
        { "fasttext", NC_FORMAT_FASTTEXT }, { "csv", NC_FORMAT_CSV }, { "tsv", NC_FORMAT_TSV },
    };
    size_t i, prev;

    for (i = 0; i < sizeof fmts / sizeof fmts[0] && strcmp(fmts[i].name, name) != 0; i++)
        ;
    if (i == sizeof fmts / sizeof fmts[0])
        return cli_usage_error(cmd, "unknown input format '%s' (jsonl, text, fasttext, csv, tsv)",
                               name);
    if (ro->format != NC_FORMAT_AUTO && ro->format != fmts[i].format) {
        for (prev = 0; prev < sizeof fmts / sizeof fmts[0] && fmts[prev].format != ro->format;
             prev++)
            ;
        return cli_usage_error(cmd, "two input formats given: %s and %s",
                               prev < sizeof fmts / sizeof fmts[0] ? fmts[prev].name : "?",
                               name);
    }
    ro->format = fmts[i].format;
    return 0;
}

int cli_stdin_once(const char *cmd, char *const *argv, int n)
{
    int seen = 0;
    for (int i = 0; i < n; i++)
        if (strcmp(argv[i], "-") == 0 && seen++)
            return cli_usage_error(cmd, "'-' given twice: standard input can be read only once"),
                   -1;
    return 0;
}

void cli_stdin_hint(const char *cmd, int noperands)
{
    if (noperands == 0 && isatty(0))
        fprintf(stderr, "newsclass %s: reading articles from standard input (end with Ctrl-D; "
                        "'newsclass help %s' for usage)\n", cmd, cmd);
}
