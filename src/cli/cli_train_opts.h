/* cli_train_opts.h: the training options shared by `train` and `cross-validate`. */
#ifndef NC_CLI_TRAIN_OPTS_H
#define NC_CLI_TRAIN_OPTS_H

#include <getopt.h>

#include <newsclass/model.h>

/* Long options understood by cli_train_opt(); they use values >= 1000 so that a command can
 * append them to its own table. Terminated by a zero row. */
extern const struct option cli_train_longopts[];
/* Help lines for those options. */
extern const char cli_train_opts_help[];
extern const char cli_feature_opts_help[];

/* Copy a command's own options, then the training options, into dst (room for cap entries,
 * terminator included); returns the number copied. */
size_t cli_train_longopts_merge(struct option *dst, size_t cap, const struct option *own,
                                size_t nown);

/* The library's defaults, with threads = the number of online processors. */
void cli_train_opts_default(nc_train_opts *o);

/* Apply option 'c' (from getopt_long) with 'arg'. Returns 1 when handled, 0 when 'c' is not a
 * training option, -1 after printing a usage error for command 'cmd'. */
int cli_train_opt(const char *cmd, int c, const char *arg, nc_train_opts *o);

/* The solver named 'name' as --solver and the card's topics.solver name them (auto, lr,
 * lr-dual, svm) into *s; returns 0, or -1 for an unknown name. */
int cli_solver_of(const char *name, nc_solver *s);

/* After all options: refuse combinations the library cannot train (a usage error printed for
 * 'cmd'). Returns 0 when the options go together, -1 otherwise. */
int cli_train_opts_check(const char *cmd, const nc_train_opts *o);

#endif
