/* main.c: the newsclass command table and dispatcher (git's commands[] table, CRFsuite's
 * frontend shape). main() finds argv[1] in the table and calls its function with the arguments
 * that follow, so every subcommand sees an argv that starts with its own name.
 * SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include <newsclass/newsclass.h>

#include "cli.h"
#include "commands.h"

static const struct cli_cmd commands[] = {
    /* COMMAND TABLE: keep one row per subcommand, in the order `newsclass --help` lists them */
    { "train", cmd_train, "train topic and tone models from labelled articles", cmd_train_usage },
    { "classify", cmd_classify, "label articles with topics and tone", cmd_classify_usage },
    { "evaluate", cmd_evaluate, "compare a model's output with gold labels", cmd_evaluate_usage },
    { "cross-validate", cmd_cross_validate, "k-fold cross-validation of the training recipe", cmd_cross_validate_usage },
    { "info", cmd_info, "check a model bundle and print its model card", cmd_info_usage },
    { "timeline", cmd_timeline, "tone over time per day, week or month, with trend and changes", cmd_timeline_usage },
    { "features", cmd_features, "turn articles into LIBLINEAR/svmlight vectors", cmd_features_usage },
};

const struct cli_cmd *cli_find_cmd(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void main_usage(FILE *fp)
{
    fputs("usage: newsclass [--version] [--help] COMMAND [ARGS]\n\n"
          "Label news articles by topic and tone with linear models.\n\ncommands:\n",
          fp);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-15s %s\n", commands[i].name, commands[i].summary);
    fputs("  help CMD        show the help of one command\n\n"
          "exit status: 0 success, 1 runtime or data error, 2 usage error\n",
          fp);
}

int main(int argc, char **argv)
{
    const struct cli_cmd *cmd;

    nc_init(); /* LIBLINEAR's chatter away from stdout, GSL's aborting handler off */

    if (argc < 2) {
        main_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        main_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
        printf("newsclass %s\n", nc_version());
        return CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "help") == 0) {
        if (argc < 3) {
            main_usage(stdout);
            return CLI_EXIT_OK;
        }
        cmd = cli_find_cmd(argv[2]);
        if (!cmd) {
            fprintf(stderr, "newsclass: '%s' is not a newsclass command\n", argv[2]);
            return CLI_EXIT_USAGE;
        }
        {
            /* the command's own --help, so `help CMD` and `CMD --help` never differ */
            char help[] = "--help";
            char *hargv[] = { argv[2], help, NULL };
            return cmd->fn(2, hargv);
        }
    }
    cmd = cli_find_cmd(argv[1]);
    if (!cmd) {
        fprintf(stderr, "newsclass: '%s' is not a newsclass command\n\n", argv[1]);
        main_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    {
        /* getopt_long names argv[0] in its own messages ("newsclass classify: unrecognized
         * option '--x'"), so it gets the full command, as every other message has */
        static char name[64];
        snprintf(name, sizeof name, "newsclass %s", argv[1]);
        argv[1] = name;
    }
    return cmd->fn(argc - 1, argv + 1);
}
