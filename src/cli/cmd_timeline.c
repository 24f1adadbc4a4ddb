/* cmd_timeline.c: `newsclass timeline`: tone over time per day, ISO week or month.
 *
 * Streams every input once (memory grows with the number of periods, never with the number of
 * articles): dated articles are scored with the model (nc_classify), while the JSON Lines
 * output of `newsclass classify --format json` is used as it is (detected from its first record,
 * or forced with --from-classify), so articles are never scored twice. Articles without a valid
 * date are counted, the first few reported with file:line, and skipped; the command fails only
 * when no article has a valid date. --partial saves the sufficient statistics, --merge adds
 * partials up exactly (src/timeline.c). Rendering is in src/chart.c.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <newsclass/newsclass.h>
#include <newsclass/model.h>
#include <newsclass/timeline.h>

#include "cli.h"
#include "commands.h"

#define MAX_REPORTED 5

const char cmd_timeline_usage[] =
    "usage: newsclass timeline [-m MODEL_DIR] [OPTIONS] CORPUS...\n"
    "   or: newsclass timeline --merge [--by PERIOD] [OUTPUT OPTIONS] PARTIAL...\n"
    "\n"
    "Tone over time: per period, the number of articles, mean tone with its standard deviation\n"
    "and 95% confidence interval (t distribution), median, and the shares of negative, neutral\n"
    "and positive articles; then the trend over the whole range (weighted least squares) and\n"
    "the largest changes between consecutive windows (Welch t-test, p < 0.05). Periods without\n"
    "articles between the first and the last are listed with n = 0.\n"
    "\n"
    "CORPUS is a JSON Lines corpus with a \"date\" (YYYY-MM-DD or ISO 8601; the day as written,\n"
    "not converted to UTC), a CSV or TSV file with a date column, a directory of article\n"
    "files, '-' for standard input (the default), or the JSON Lines output of `newsclass\n"
    "classify --format json`, which is used without scoring again. Articles with a missing or\n"
    "invalid date are reported and skipped.\n"
    "\n"
    "  -m, --model=DIR        model bundle (default: $NEWSCLASS_MODEL, else the shipped\n"
    "                         models/default)\n"
    "  -b, --by=PERIOD        day, week (ISO, Monday start; the default) or month\n"
    "      --topic=T          only articles labelled T; 'all': one series per topic\n"
    "      --weighted         with --topic: weight every article by its probability of the\n"
    "                         topic instead of keeping the labelled ones\n"
    "      --group-by=FIELD   one series per value of a string field (e.g. source)\n"
    "  -w, --window=N         rolling mean over N periods; changes compare windows of N\n"
    "                         periods (default 3)\n"
    "      --csv              CSV, one row per series and period\n"
    "      --json             one JSON object with periods, trend and changes\n"
    "      --svg=FILE         also draw a chart (SVG) into FILE\n"
    "      --partial=FILE     also save the sufficient statistics (JSON Lines) for --merge\n"
    "      --merge            the operands are partial files: add them up (exactly)\n"
    "      --from-classify    read every CORPUS as `newsclass classify --format json` output\n"
    "                         (needed for standard input; files are detected)\n"
    CLI_INPUT_FORMAT_HELP
    "      --date-from-name   take the date from a YYYY-MM-DD in each file name\n"
    "      --since=DATE       leave out articles dated before DATE (YYYY-MM-DD)\n"
    "      --until=DATE       leave out articles dated after DATE (YYYY-MM-DD)\n"
    "  -q, --quiet            no progress or skipped-date messages on standard error\n"
    "  -h, --help             show this help\n";

struct tl_opts {
    const char *model_dir;
    const char *svg;
    const char *partial;
    nc_tl_format format;
    int by_set;
    int merge;
    int from_classify;
    nc_reader_opts ro;        /* --input-format */
    int date_from_name;
    int quiet;
    int has_since, has_until;
    int32_t since, until;     /* days, inclusive */
    nc_timeline_opts to;
};

struct run {
    struct tl_opts *o;
    nc_timeline *t;
    nc_model *model;          /* loaded on first need */
    const char **labels;      /* the model's labels */
    uint64_t skipped;
    uint64_t outside;         /* dated outside --since/--until: left out, not reported */
    int topic_seen;
};

static void report_bad_date(struct run *r, const char *file, long line, const char *what)
{
    if (r->skipped++ >= MAX_REPORTED || r->o->quiet)
        return;
    if (line > 0)
        fprintf(stderr, "newsclass timeline: %s:%ld: %s, skipped\n", file, line, what);
    else
        fprintf(stderr, "newsclass timeline: %s: %s, skipped\n", file, what);
}

/* The day of an article: with --date-from-name from its file name (falling back on its date
 * field), else from its date field. -1 (reported and counted) when there is none. */
static int article_day(struct run *r, const char *file, long line, const char *date,
                       int32_t *day)
{
    nc_error derr = { 0 };

    if ((r->o->date_from_name && file && nc_date_from_name(file, day, NULL) == NC_OK) ||
        (date && nc_date_parse(date, day, &derr) == NC_OK)) {
        if ((r->o->has_since && *day < r->o->since) || (r->o->has_until && *day > r->o->until)) {
            r->outside++;
            return -1;
        }
        return 0;
    }
    report_bad_date(r, file ? file : "-", line,
                    date ? derr.msg
                         : r->o->date_from_name ? "no date in the file name or the article"
                                                : "missing date");
    return -1;
}

static int load_model(struct run *r)
{
    const char *dir = r->o->model_dir ? r->o->model_dir : cli_default_model();
    const char *topic = r->o->to.topic;
    nc_error err = { 0 };
    size_t n;

    if (r->model)
        return 0;
    if (!dir)
        return cli_errorf("timeline", "no model: give one with -m (none found at "
                                      "models/default)");
    if (nc_model_load(dir, &r->model, &err) < 0)
        return cli_error("timeline", &err);
    if (!nc_model_has_tone(r->model))
        return cli_errorf("timeline", "model '%s' has no tone part", dir);
    n = nc_model_nlabels(r->model);
    if (!(r->labels = calloc(n ? n : 1, sizeof *r->labels)))
        return cli_errorf("timeline", "out of memory");
    for (size_t i = 0; i < n; i++)
        r->labels[i] = nc_model_label(r->model, i);
    if (topic && strcmp(topic, "all") != 0) {
        size_t i = 0;
        while (i < n && strcmp(r->labels[i], topic) != 0)
            i++;
        if (i == n)
            return cli_errorf("timeline", "model '%s' has no topic '%s'", dir, topic);
    }
    if (topic && strcmp(topic, "all") == 0 && !r->o->to.group_by) {
        for (size_t i = 0; i < n; i++)
            if (nc_timeline_add_series(r->t, r->labels[i], &err) < 0)
                return cli_error("timeline", &err);
    }
    if (nc_timeline_set_model(r->t, dir, &err) < 0)
        return cli_error("timeline", &err);
    return 0;
}

static void note_topic(struct run *r, const nc_tl_item *it)
{
    const char *topic = r->o->to.topic;
    if (!topic || r->topic_seen)
        return;
    for (size_t i = 0; i < it->nlabels; i++)
        if (strcmp(topic, "all") == 0 || strcmp(it->labels[i], topic) == 0)
            r->topic_seen = 1;
}

/* Count one scored article (file:line) into the timeline; 0 or an exit code (error already
 * reported). */
static int add_item(struct run *r, const nc_tl_item *it, const char *file, long line)
{
    nc_error err = { 0 };
    note_topic(r, it);
    if (nc_timeline_add(r->t, it, &err) < 0)
        return cli_error_at("timeline", &err, file, line);
    return 0;
}

static int read_scored(struct run *r, const char *path)
{
    nc_scored_reader *sr = NULL;
    nc_scored rec;
    nc_error err = { 0 };
    int rc = 0, got;

    if (nc_scored_open(path, &sr, &err) < 0)
        return cli_error("timeline", &err);
    while ((got = nc_scored_next(sr, &rec, &err)) > 0) {
        nc_tl_item it = { 0 };
        if (article_day(r, rec.file, rec.line, rec.date, &it.day) < 0)
            continue;
        it.tone = rec.tone;
        it.nlabels = rec.nlabels;
        it.labels = rec.labels;
        it.scores = rec.scores;
        it.selected = rec.selected;
        it.group = r->o->to.group_by ? nc_scored_field(sr, r->o->to.group_by) : NULL;
        if ((rc = add_item(r, &it, rec.file, (long)rec.line)) != 0)
            goto out;
    }
    if (got < 0)
        rc = cli_error("timeline", &err);
out:
    nc_scored_free(sr);
    return rc;
}

static int read_articles(struct run *r, const char *path)
{
    nc_reader_opts ro = r->o->ro;
    nc_reader *rd = NULL;
    nc_article a;
    nc_prediction p;
    nc_workspace *ws = NULL;
    nc_error err = { 0 };
    int rc = 0, got;

    nc_article_init(&a);
    nc_prediction_init(&p);
    if ((rc = load_model(r)) != 0)
        goto out;
    if (nc_reader_open(path, &ro, &rd, &err) < 0) {
        rc = cli_error("timeline", &err);
        goto out;
    }
    while ((got = nc_reader_next(rd, &a, &err)) > 0) {
        nc_tl_item it = { 0 };
        if (article_day(r, a.file, a.line, a.date, &it.day) < 0)
            continue;
        if (!ws)
            ws = nc_workspace_new(r->model); /* NULL is fine: slower counting */
        if (nc_classify_ws(r->model, &a, &p, ws, &err) < 0) {
            rc = cli_error("timeline", &err);
            goto out;
        }
        it.tone = p.tone;
        it.nlabels = p.nlabels;
        it.labels = r->labels;
        it.scores = p.scores;
        it.selected = p.selected;
        it.group = r->o->to.group_by ? nc_article_field(&a, r->o->to.group_by) : NULL;
        if ((rc = add_item(r, &it, a.file, (long)a.line)) != 0)
            goto out;
    }
    if (got < 0)
        rc = cli_error("timeline", &err);
out:
    nc_reader_free(rd);
    nc_workspace_free(ws);
    nc_prediction_finish(&p);
    nc_article_finish(&a);
    return rc;
}

static int read_input(struct run *r, const char *path)
{
    struct stat st;
    nc_error err = { 0 };
    int scored = r->o->from_classify;

    if (strcmp(path, "-") != 0) {
        if (stat(path, &st) != 0)
            return cli_errorf("timeline", "cannot open '%s': %s", path, strerror(errno));
        if (!scored && r->o->ro.format == NC_FORMAT_AUTO && S_ISREG(st.st_mode) &&
            nc_scored_detect(path, &scored, &err) < 0)
            return cli_error("timeline", &err);
    }
    if (nc_timeline_add_input(r->t, path, &err) < 0)
        return cli_error("timeline", &err);
    return scored ? read_scored(r, path) : read_articles(r, path);
}

static int parse_args(int argc, char **argv, struct tl_opts *o)
{
    enum { O_TOPIC = 256, O_WEIGHTED, O_GROUP, O_CSV, O_JSON, O_SVG, O_PARTIAL, O_MERGE,
           O_FROM_CLASSIFY, O_DATE_FROM_NAME, O_SINCE, O_UNTIL };
    static const struct option longopts[] = {
        { "model", required_argument, NULL, 'm' },
        { "by", required_argument, NULL, 'b' },
        { "topic", required_argument, NULL, O_TOPIC },
        { "weighted", no_argument, NULL, O_WEIGHTED },
        { "group-by", required_argument, NULL, O_GROUP },
        { "window", required_argument, NULL, 'w' },
        { "csv", no_argument, NULL, O_CSV },
        { "json", no_argument, NULL, O_JSON },
        { "svg", required_argument, NULL, O_SVG },
        { "partial", required_argument, NULL, O_PARTIAL },
        { "merge", no_argument, NULL, O_MERGE },
        { "from-classify", no_argument, NULL, O_FROM_CLASSIFY },
        { "input-format", required_argument, NULL, CLI_OPT_INPUT_FORMAT },
        { "date-from-name", no_argument, NULL, O_DATE_FROM_NAME },
        { "since", required_argument, NULL, O_SINCE },
        { "until", required_argument, NULL, O_UNTIL },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, nformats = 0;
    long v;

    optind = 0; /* glibc: full reset */
    while ((c = getopt_long(argc, argv, "m:b:w:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            o->model_dir = optarg;
            break;
        case 'b':
            if (nc_period_parse(optarg, &o->to.by, NULL) < 0)
                return cli_usage_error("timeline", "unknown period '%s' (day, week or month)",
                                       optarg);
            o->by_set = 1;
            break;
        case O_TOPIC:
            if (!*optarg)
                return cli_usage_error("timeline", "empty topic");
            o->to.topic = optarg;
            break;
        case O_WEIGHTED:
            o->to.weighted = 1;
            break;
        case O_GROUP:
            if (!*optarg)
                return cli_usage_error("timeline", "empty field name for '--group-by'");
            o->to.group_by = optarg;
            break;
        case 'w':
            if (cli_parse_long(optarg, 1, NC_TL_MAX_WINDOW, &v) < 0)
                return cli_usage_error("timeline", "invalid window '%s' (1 to %d periods)",
                                       optarg, NC_TL_MAX_WINDOW);
            o->to.window = (int)v;
            break;
        case O_CSV:
            o->format = NC_TL_CSV;
            nformats++;
            break;
        case O_JSON:
            o->format = NC_TL_JSON;
            nformats++;
            break;
        case O_SVG:
            o->svg = optarg;
            break;
        case O_PARTIAL:
            o->partial = optarg;
            break;
        case O_MERGE:
            o->merge = 1;
            break;
        case O_FROM_CLASSIFY:
            o->from_classify = 1;
            break;
        case CLI_OPT_INPUT_FORMAT:
            if (cli_input_format("timeline", optarg, &o->ro) != 0)
                return CLI_EXIT_USAGE;
            break;
        case O_DATE_FROM_NAME:
            o->date_from_name = 1;
            break;
        case O_SINCE:
        case O_UNTIL: {
            int32_t day;
            if (strlen(optarg) != 10 || nc_date_parse(optarg, &day, NULL) < 0)
                return cli_usage_error("timeline", "invalid date '%s' for --%s (YYYY-MM-DD)",
                                       optarg, c == O_SINCE ? "since" : "until");
            if (c == O_SINCE) {
                o->since = day;
                o->has_since = 1;
            } else {
                o->until = day;
                o->has_until = 1;
            }
            break;
        }
        case 'q':
            o->quiet = 1;
            break;
        case 'h':
            fputs(cmd_timeline_usage, stdout);
            return -1;
        default:
            fputs(cmd_timeline_usage, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (nformats > 1)
        return cli_usage_error("timeline", "'--csv' and '--json' exclude each other");
    if (o->to.weighted && !o->to.topic)
        return cli_usage_error("timeline", "'--weighted' needs '--topic'");
    if (o->from_classify && o->ro.format != NC_FORMAT_AUTO)
        return cli_usage_error("timeline", "'--from-classify' and '--input-format' exclude each "
                                           "other");
    if (o->has_since && o->has_until && o->since > o->until)
        return cli_usage_error("timeline", "'--since' is after '--until'");
    if (o->merge) {
        if (o->to.topic || o->to.weighted || o->to.group_by || o->from_classify ||
            o->date_from_name || o->model_dir || o->has_since || o->has_until ||
            o->ro.format != NC_FORMAT_AUTO)
            return cli_usage_error("timeline", "'--merge' takes topic, weighting and grouping "
                                               "from the partial files; it reads no corpus");
        if (optind >= argc)
            return cli_usage_error("timeline", "'--merge' needs partial files");
        o->to.from_partials = o->by_set ? 1 : 2;
    }
    if (cli_stdin_once("timeline", argv + optind, argc - optind) < 0)
        return CLI_EXIT_USAGE;
    return 0;
}

int cmd_timeline(int argc, char **argv)
{
    static char *stdin_only[] = { "-" };
    struct tl_opts o;
    struct run r;
    nc_error err = { 0 };
    char **inputs;
    int rc, ninputs;

    memset(&o, 0, sizeof o);
    memset(&r, 0, sizeof r);
    nc_timeline_opts_default(&o.to);
    o.format = NC_TL_TABLE;
    if ((rc = parse_args(argc, argv, &o)) != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    r.o = &o;
    inputs = optind < argc ? argv + optind : stdin_only;
    ninputs = optind < argc ? argc - optind : 1;
    if (!o.merge)
        cli_stdin_hint("timeline", argc - optind);
    if (nc_timeline_new(&o.to, &r.t, &err) < 0) {
        rc = cli_error("timeline", &err);
        goto out;
    }
    if (o.merge) {
        for (int i = 0; i < ninputs; i++) {
            if (nc_timeline_merge_partial(r.t, inputs[i], &err) < 0) {
                rc = cli_error("timeline", &err);
                goto out;
            }
        }
    } else {
        for (int i = 0; i < ninputs; i++)
            if ((rc = read_input(&r, inputs[i])) != 0)
                goto out;
        nc_timeline_count_skipped(r.t, r.skipped);
    }
    if (nc_timeline_narticles(r.t) == 0) {
        if (r.outside == 0 && nc_timeline_nskipped(r.t) == 0)
            rc = cli_no_articles("timeline", inputs, ninputs); /* none read at all */
        else if (r.outside > 0)
            rc = cli_errorf("timeline", "no article dated within --since/--until (%llu outside, "
                            "%llu skipped)", (unsigned long long)r.outside,
                            (unsigned long long)nc_timeline_nskipped(r.t));
        else
            rc = cli_errorf("timeline", "no article with a valid date (%llu skipped)",
                            (unsigned long long)nc_timeline_nskipped(r.t));
        goto out;
    }
    if (r.outside > 0)
        cli_info(o.quiet, "timeline", "left out %llu article%s dated outside --since/--until",
                 (unsigned long long)r.outside, r.outside == 1 ? "" : "s");
    if (r.skipped > 0)
        cli_info(o.quiet, "timeline", "skipped %llu article%s with a missing or invalid date%s",
                 (unsigned long long)r.skipped, r.skipped == 1 ? "" : "s",
                 r.skipped > MAX_REPORTED ? " (the first 5 shown)" : "");
    if (!o.merge && o.to.topic && !r.topic_seen)
        cli_info(o.quiet, "timeline", "warning: no article carries topic '%s'", o.to.topic);
    if (o.partial && nc_timeline_save_partial(r.t, o.partial, &err) < 0) {
        rc = cli_error("timeline", &err);
        goto out;
    }
    if (o.svg && nc_timeline_save_svg(r.t, o.svg, &err) < 0) {
        rc = cli_error("timeline", &err);
        goto out;
    }
    if (nc_timeline_write(r.t, o.format, stdout, &err) < 0) {
        rc = cli_error("timeline", &err);
        goto out;
    }
    /* the table fits stdio's buffer, so a write error usually shows only here */
    rc = cli_flush_stdout("timeline");
out:
    free(r.labels);
    nc_model_free(r.model);
    nc_timeline_free(r.t);
    return rc;
}
