/* test_log.c: the library's process-wide hooks (src/log.c). Each case runs in a child process,
 * because the hooks are global and set once: LIBLINEAR must print nothing on stdout, and GSL's
 * default handler (print and abort) must be off after any library entry point, while a handler
 * the program installed itself stays. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_log.h>
#include <linear.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <newsclass/newsclass.h>
#include <newsclass/evaluate.h>
#include <newsclass/metrics.h>
#include <newsclass/timeline.h>

#include "check.h"

/* Run fn in a child with stdout captured; returns the child's exit status (or 128 + signal)
 * and stores up to cap - 1 bytes of what it printed on stdout. */
static int in_child(int (*fn)(void), char *out, size_t cap)
{
    int fd[2], status = 0;
    size_t len = 0;
    ssize_t r;
    pid_t pid;

    fflush(stdout);
    if (pipe(fd) != 0)
        return -1;
    if ((pid = fork()) < 0)
        return -1;
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], STDOUT_FILENO);
        close(fd[1]);
        int rc = fn();
        fflush(stdout);
        _exit(rc);
    }
    close(fd[1]);
    while (len + 1 < cap && (r = read(fd[0], out + len, cap - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fd[0]);
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A GSL domain error: GSL's default handler aborts here; off, the status comes back. */
static int gsl_domain_error(void)
{
    gsl_sf_result res;
    return gsl_sf_log_e(-1.0, &res) == GSL_EDOM ? 0 : 3;
}

static int default_handler_aborts(void)
{
    gsl_set_error_handler(NULL);
    fclose(stderr); /* GSL's message is expected; keep the test log clean */
    return gsl_domain_error();
}

static int init_turns_handler_off(void)
{
    gsl_set_error_handler(NULL);
    nc_init();
    nc_init(); /* idempotent */
    return gsl_domain_error();
}

/* Entry points reach GSL without the caller having called nc_init. */
static int timeline_entry_turns_handler_off(void)
{
    nc_timeline_opts o;
    nc_timeline *t = NULL;
    nc_error err;
    gsl_set_error_handler(NULL);
    nc_timeline_opts_default(&o);
    if (nc_timeline_new(&o, &t, &err) < 0)
        return 4;
    nc_timeline_free(t);
    return gsl_domain_error();
}

static int regression_entry_turns_handler_off(void)
{
    double p[3] = { 0.1, 0.2, 0.4 }, g[3] = { 0.0, 0.3, 0.5 };
    nc_regression_metrics m;
    nc_error err;
    gsl_set_error_handler(NULL);
    if (nc_regression_compute(p, g, 3, &m, &err) < 0)
        return 4;
    return gsl_domain_error();
}

static int program_handler_calls;
static void program_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    (void)reason;
    (void)file;
    (void)line;
    (void)gsl_errno;
    program_handler_calls++;
}

static int program_handler_is_kept(void)
{
    gsl_set_error_handler(program_handler);
    nc_init();
    if (gsl_domain_error() != 0)
        return 3;
    return program_handler_calls == 1 ? 0 : 5;
}

/* LIBLINEAR prints "optimization finished, #iter = ..." on stdout unless its hook is set. */
static int liblinear_fit(void)
{
    struct feature_node x[4][3] = {
        { { 1, 1.0 }, { 2, 0.5 }, { -1, 0 } },
        { { 1, 0.9 }, { 2, 0.4 }, { -1, 0 } },
        { { 1, -1.0 }, { 2, -0.3 }, { -1, 0 } },
        { { 1, -0.8 }, { 2, -0.6 }, { -1, 0 } },
    };
    struct feature_node *rows[4] = { x[0], x[1], x[2], x[3] };
    double y[4] = { 1, 1, -1, -1 };
    struct problem prob = { .l = 4, .n = 2, .y = y, .x = rows, .bias = -1 };
    struct parameter param = { .solver_type = L2R_L2LOSS_SVC_DUAL, .C = 1, .eps = 0.1 };
    struct model *m = train(&prob, &param);
    if (!m)
        return 6;
    free_and_destroy_model(&m);
    return 0;
}

static int liblinear_unhooked(void)
{
    return liblinear_fit();
}

static int liblinear_hooked(void)
{
    nc_init();
    return liblinear_fit();
}

int main(void)
{
    char out[4096];

    /* the premises: without the hooks, GSL aborts and LIBLINEAR prints */
    CHECK_EQ_INT(in_child(default_handler_aborts, out, sizeof out), 128 + SIGABRT);
    CHECK_EQ_INT(in_child(liblinear_unhooked, out, sizeof out), 0);
    CHECK(strstr(out, "optimization finished") != NULL);

    CHECK_EQ_INT(in_child(init_turns_handler_off, out, sizeof out), 0);
    CHECK_EQ_INT(in_child(timeline_entry_turns_handler_off, out, sizeof out), 0);
    CHECK_EQ_INT(in_child(regression_entry_turns_handler_off, out, sizeof out), 0);
    CHECK_EQ_INT(in_child(program_handler_is_kept, out, sizeof out), 0);
    CHECK_EQ_INT(in_child(liblinear_hooked, out, sizeof out), 0);
    CHECK_STR(out, "");
    return check_report();
}
