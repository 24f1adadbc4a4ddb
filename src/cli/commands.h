/* commands.h: one entry point per subcommand (src/cli/cmd_<name>.c), with its usage text. */
#ifndef NC_COMMANDS_H
#define NC_COMMANDS_H

int cmd_features(int argc, char **argv);
extern const char cmd_features_usage[];
int cmd_train(int argc, char **argv);
extern const char cmd_train_usage[];
int cmd_classify(int argc, char **argv);
extern const char cmd_classify_usage[];
int cmd_info(int argc, char **argv);
extern const char cmd_info_usage[];
int cmd_evaluate(int argc, char **argv);
extern const char cmd_evaluate_usage[];
int cmd_cross_validate(int argc, char **argv);
extern const char cmd_cross_validate_usage[];
int cmd_timeline(int argc, char **argv);
extern const char cmd_timeline_usage[];

#endif
