/* cli.h: shared helpers of the newsclass command line (not part of the library).
 * Exit codes: 0 success, 1 runtime or data error, 2 usage error. */
#ifndef NC_CLI_H
#define NC_CLI_H

#include <stdio.h>

#include <newsclass/article.h>
#include <newsclass/error.h>

#define CLI_EXIT_OK 0
#define CLI_EXIT_ERROR 1
#define CLI_EXIT_USAGE 2

/* One row of the command table (main.c). */
struct cli_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
    const char *usage; /* full help text, printed by --help and `newsclass help CMD` */
};
const struct cli_cmd *cli_find_cmd(const char *name);

/* "newsclass CMD: <err->msg>" on stderr; returns CLI_EXIT_ERROR. */
int cli_error(const char *cmd, const nc_error *err);
/* As cli_error, the message first prefixed with where the article came from: "file:line"
 * (line > 0), "file", or nothing when file is NULL. */
int cli_error_at(const char *cmd, nc_error *err, const char *file, long line);
/* "newsclass CMD: <printf message>" on stderr; returns CLI_EXIT_ERROR. */
int cli_errorf(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* "newsclass CMD: <message>" plus "try 'newsclass help CMD'" on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* "newsclass CMD: no articles in 'A'" (or "in 'A', 'B' or 'C'", or "in 'A', 'B', 'C' or N more
 * inputs"): an empty input is named, so that the user knows which file to look at; returns
 * CLI_EXIT_ERROR. */
int cli_no_articles(const char *cmd, char *const *inputs, int ninputs);
/* Informational line on stderr unless quiet ("newsclass CMD: ..."). */
void cli_info(int quiet, const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Operands argv[0..n): '-' (standard input) at most once. 0, or -1 after a usage error for
 * 'cmd' (standard input can be read only once). */
int cli_stdin_once(const char *cmd, char *const *argv, int n);

/* When no operand was given and standard input is a terminal, say on stderr that the command is
 * reading it (a command that waits silently looks hung). */
void cli_stdin_hint(const char *cmd, int noperands);

/* Flush standard output and check that everything printed reached it: 0, or (after
 * "newsclass CMD: cannot write standard output: REASON" on stderr) CLI_EXIT_ERROR. stdio
 * buffers small outputs until exit, where a failure (a full disk, /dev/full, a closed pipe)
 * would otherwise go unnoticed and the command report success. */
int cli_flush_stdout(const char *cmd);

/* --input-format=FMT (the commands that read corpora): its getopt code, the help line, and the
 * parser: FMT jsonl, text, fasttext, csv or tsv into ro->format. 0, or CLI_EXIT_USAGE after a
 * usage error for 'cmd' (an unknown name, or a second format unlike the first: --jsonl and
 * --text are the same option). */
#define CLI_OPT_INPUT_FORMAT 900
#define CLI_INPUT_FORMAT_HELP                                                                 \
    "      --input-format=FMT read every file given as FMT: jsonl, text, fasttext, csv, tsv\n" \
    "                         (default: by name; see docs/input-formats.md)\n"
int cli_input_format(const char *cmd, const char *name, nc_reader_opts *ro);

/* Strict number parsing: the whole string must be a number in [min, max]. 0 or -1. */
int cli_parse_long(const char *s, long min, long max, long *out);
int cli_parse_double(const char *s, double min, double max, double *out);

/* The default model directory: $NEWSCLASS_MODEL, models/default next to the binary's source
 * tree, or the install prefix's share/newsclass/models/default. Returns a borrowed string or
 * NULL when none exists. argv0 is used to find the executable. */
const char *cli_default_model(void);

#endif
