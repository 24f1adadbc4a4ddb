/* cmd_classify.c: `newsclass classify [-m MODEL_DIR] [FILE...]`: label articles with topic
 * scores, topic labels, tone score and tone label, as a table, JSON Lines or TSV.
 *
 * Articles are read in batches; a batch is scored by --threads N threads (default: the
 * processors online; the model is read-only) and printed in input order, so output never
 * depends on the thread count.
 * SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include <newsclass/newsclass.h>
#include <newsclass/model.h>

#include "cli.h"
#include "commands.h"
#include "util.h"

const char cmd_classify_usage[] =
    "usage: newsclass classify [-m MODEL_DIR] [OPTIONS] [FILE...]\n"
    "\n"
    "Label articles: per-topic probabilities, the topics above their thresholds, the primary\n"
    "topic, a tone score in [-1, 1] and its label. FILE is a plain-text article (first line =\n"
    "headline), a directory of them, a JSON Lines corpus, or '-' (the default: standard\n"
    "input).\n"
    "\n"
    "  -m, --model=DIR        model bundle (default: the shipped models/default)\n"
    "  -f, --format=FMT       table (default on a terminal), json (JSON Lines; default when\n"
    "                         piped), tsv\n"
    "  -o, --output=FILE      write there (atomically) instead of standard output\n"
    "      --jsonl            read every FILE as JSON Lines\n"
    "      --text             read every FILE as one plain-text article\n"
    "      --keep-furniture   do not drop page furniture (\"Share this\", ...) from text\n"
    "      --explain=N        the N terms that pushed each reported topic and the tone most\n"
    "                         up and down, with weight x feature value\n"
    "  -t, --threads=N        score with N threads (default: the number of processors;\n"
    "                         the output is the same for any N)\n"
    "  -h, --help             show this help\n";

enum out_format { FMT_TABLE, FMT_JSON, FMT_TSV };

struct classify_opts {
    const char *model_dir;
    const char *output;
    enum out_format format;
    int explain;
    int threads;
    nc_reader_opts ro;
};

#define BATCH 512

struct batch {
    const nc_model *m;
    nc_article a[BATCH];
    nc_prediction p[BATCH];
    int status[BATCH];
    nc_error err[BATCH];
    size_t n;
};

struct worker {
    struct batch *b;
    size_t from, to;
    nc_workspace *ws; /* this worker's own counters, kept across batches */
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (size_t i = w->from; i < w->to; i++)
        w->b->status[i] =
            nc_classify_ws(w->b->m, &w->b->a[i], &w->b->p[i], w->ws, &w->b->err[i]);
    return NULL;
}

static int score_batch(struct batch *b, int threads, nc_workspace **ws)
{
    pthread_t tid[64];
    struct worker w[64];
    int started[64] = { 0 };
    size_t per;

    if (threads <= 1 || b->n < 2) {
        struct worker one = { b, 0, b->n, ws[0] };
        work(&one);
        return 0;
    }
    per = (b->n + (size_t)threads - 1) / (size_t)threads;
    for (int t = 0; t < threads; t++) {
        w[t].b = b;
        w[t].ws = ws[t];
        w[t].from = (size_t)t * per;
        w[t].to = w[t].from + per > b->n ? b->n : w[t].from + per;
        if (w[t].from >= w[t].to)
            break;
        if (pthread_create(&tid[t], NULL, work, &w[t]) != 0) {
            work(&w[t]); /* no thread: do it here */
            continue;
        }
        started[t] = 1;
    }
    for (int t = 0; t < threads && t < 64; t++)
        if (started[t])
            pthread_join(tid[t], NULL);
    return 0;
}

static cJSON *explain_json(const nc_model *m, const nc_article *a, size_t label, int n)
{
    nc_contribution up[64], down[64];
    size_t nup, ndown;
    cJSON *o = cJSON_CreateObject(), *arr;
    if (nc_explain(m, a, label, (size_t)n, up, &nup, down, &ndown, NULL) < 0)
        return o;
    arr = cJSON_AddArrayToObject(o, "up");
    for (size_t i = 0; i < nup; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "term", up[i].term);
        cJSON_AddNumberToObject(e, "contribution", round(up[i].value * 1e4) / 1e4);
        cJSON_AddItemToArray(arr, e);
    }
    arr = cJSON_AddArrayToObject(o, "down");
    for (size_t i = 0; i < ndown; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "term", down[i].term);
        cJSON_AddNumberToObject(e, "contribution", round(down[i].value * 1e4) / 1e4);
        cJSON_AddItemToArray(arr, e);
    }
    return o;
}

static double r4(double x)
{
    return round(x * 1e4) / 1e4;
}

/* JSON output without a cJSON tree, byte for byte what cJSON prints (tests/cli/t0200 checks
 * both against each other): strings escaped as cJSON escapes them, numbers rounded to 4
 * decimals printed as cJSON prints them ("%d" when integral, else "%1.15g", which for these
 * values is the short decimal). Building and printing a cJSON tree per article, with its
 * printf/scanf round trip per number, was a third of classifying a small file. */
static void json_str(nc_strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *run = p;
    nc_strbuf_addc(sb, '"');
    for (;; p++) {
        unsigned char c = *p;
        if (c != '\0' && c != '"' && c != '\\' && c >= 0x20)
            continue;
        nc_strbuf_add(sb, (const char *)run, (size_t)(p - run));
        if (c == '\0')
            break;
        run = p + 1;
        switch (c) {
        case '"': nc_strbuf_add(sb, "\\\"", 2); break;
        case '\\': nc_strbuf_add(sb, "\\\\", 2); break;
        case '\b': nc_strbuf_add(sb, "\\b", 2); break;
        case '\f': nc_strbuf_add(sb, "\\f", 2); break;
        case '\n': nc_strbuf_add(sb, "\\n", 2); break;
        case '\r': nc_strbuf_add(sb, "\\r", 2); break;
        case '\t': nc_strbuf_add(sb, "\\t", 2); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            nc_strbuf_add(sb, u, 6);
        }
        }
    }
    nc_strbuf_addc(sb, '"');
}

/* r4(x) as cJSON prints it. */
static void json_num4(nc_strbuf *sb, double x)
{
    char buf[32];
    double k;
    unsigned long long ip, fr;
    size_t n = 0;
    if (isnan(x) || isinf(x) || fabs(x) >= 1e9) { /* not expected: let printf decide */
        nc_strbuf_addf(sb, "%1.15g", r4(x));
        return;
    }
    k = round(x * 1e4);
    if (k == 0) {
        nc_strbuf_addc(sb, '0');
        return;
    }
    if (k < 0) {
        buf[n++] = '-';
        k = -k;
    }
    ip = (unsigned long long)k / 10000;
    fr = (unsigned long long)k % 10000;
    n += (size_t)snprintf(buf + n, sizeof buf - n, "%llu", ip);
    if (fr) {
        int d = 4;
        while (fr % 10 == 0) {
            fr /= 10;
            d--;
        }
        n += (size_t)snprintf(buf + n, sizeof buf - n, ".%0*llu", d, fr);
    }
    nc_strbuf_add(sb, buf, n);
}

static nc_strbuf json_line = NC_STRBUF_INIT; /* print_json_plain's line, reused */

static int print_json_plain(FILE *fp, const nc_model *m, const nc_article *a,
                            const nc_prediction *p)
{
    nc_strbuf sb = json_line;
    const char *src = nc_article_field(a, "source");
    size_t nl = nc_model_nlabels(m);
    int first = 1;

    sb.len = 0;
    if (sb.buf)
        sb.buf[0] = '\0';
    nc_strbuf_add(&sb, "{\"id\":", 6);
    json_str(&sb, a->id ? a->id : "");
    if (a->date) {
        nc_strbuf_add(&sb, ",\"date\":", 8);
        json_str(&sb, a->date);
    }
    if (src) {
        nc_strbuf_add(&sb, ",\"source\":", 10);
        json_str(&sb, src);
    }
    if (nc_model_topic_mode(m) != NC_TOPICS_NONE) {
        nc_strbuf_add(&sb, ",\"scores\":{", 11);
        for (size_t l = 0; l < nl; l++) {
            if (l)
                nc_strbuf_addc(&sb, ',');
            json_str(&sb, nc_model_label(m, l));
            nc_strbuf_addc(&sb, ':');
            json_num4(&sb, p->scores[l]);
        }
        nc_strbuf_add(&sb, "},\"labels\":[", 12);
        for (size_t l = 0; l < nl; l++)
            if (p->selected[l]) {
                if (!first)
                    nc_strbuf_addc(&sb, ',');
                first = 0;
                json_str(&sb, nc_model_label(m, l));
            }
        nc_strbuf_add(&sb, "],\"primary\":", 12);
        if (p->primary >= 0)
            json_str(&sb, nc_model_label(m, (size_t)p->primary));
        else
            nc_strbuf_add(&sb, "null", 4);
    }
    if (p->has_tone) {
        nc_strbuf_add(&sb, ",\"tone\":", 8);
        json_num4(&sb, p->tone);
        nc_strbuf_add(&sb, ",\"tone_label\":", 14);
        json_str(&sb, nc_tone_label(p->tone));
    }
    nc_strbuf_add(&sb, "}\n", 2);
    json_line = sb; /* the buffer is kept for the next article */
    if (!sb.buf)
        return -1;
    fwrite(sb.buf, 1, sb.len, fp);
    return 0;
}

static int print_json(FILE *fp, const nc_model *m, const nc_article *a, const nc_prediction *p,
                      int explain)
{
    cJSON *o, *scores, *labels;
    const char *src = nc_article_field(a, "source");
    char *s;
    size_t nl = nc_model_nlabels(m);

    if (!explain && !getenv("NC_JSON_VIA_CJSON")) /* the variable: for the test of both */
        return print_json_plain(fp, m, a, p);
    if (!(o = cJSON_CreateObject()))
        return -1;
    cJSON_AddStringToObject(o, "id", a->id ? a->id : "");
    if (a->date)
        cJSON_AddStringToObject(o, "date", a->date);
    if (src)
        cJSON_AddStringToObject(o, "source", src);
    if (nc_model_topic_mode(m) != NC_TOPICS_NONE) {
        scores = cJSON_AddObjectToObject(o, "scores");
        for (size_t l = 0; l < nl; l++)
            cJSON_AddNumberToObject(scores, nc_model_label(m, l), r4(p->scores[l]));
        labels = cJSON_AddArrayToObject(o, "labels");
        for (size_t l = 0; l < nl; l++)
            if (p->selected[l])
                cJSON_AddItemToArray(labels, cJSON_CreateString(nc_model_label(m, l)));
        if (p->primary >= 0)
            cJSON_AddStringToObject(o, "primary", nc_model_label(m, (size_t)p->primary));
        else
            cJSON_AddNullToObject(o, "primary");
    }
    if (p->has_tone) {
        cJSON_AddNumberToObject(o, "tone", r4(p->tone));
        cJSON_AddStringToObject(o, "tone_label", nc_tone_label(p->tone));
    }
    if (explain) {
        cJSON *ex = cJSON_AddObjectToObject(o, "explain");
        for (size_t l = 0; l < nl; l++)
            if (p->selected[l])
                cJSON_AddItemToObject(ex, nc_model_label(m, l), explain_json(m, a, l, explain));
        if (p->has_tone)
            cJSON_AddItemToObject(ex, "tone", explain_json(m, a, (size_t)-1, explain));
    }
    s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s)
        return -1;
    fputs(s, fp);
    fputc('\n', fp);
    cJSON_free(s);
    return 0;
}

static void print_tsv_header(FILE *fp, const nc_model *m)
{
    fputs("id\tprimary\tlabels", fp);
    for (size_t l = 0; l < nc_model_nlabels(m); l++)
        fprintf(fp, "\t%s", nc_model_label(m, l));
    if (nc_model_has_tone(m))
        fputs("\ttone\ttone_label", fp);
    fputc('\n', fp);
}

static void put_clean(FILE *fp, const char *s, size_t max)
{
    size_t n = 0;
    for (; s && *s && n < max; s++, n++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

static void print_tsv(FILE *fp, const nc_model *m, const nc_article *a, const nc_prediction *p)
{
    int first = 1;
    put_clean(fp, a->id, (size_t)-1);
    fprintf(fp, "\t%s\t", p->primary >= 0 ? nc_model_label(m, (size_t)p->primary) : "none");
    for (size_t l = 0; l < nc_model_nlabels(m); l++)
        if (p->selected[l]) {
            fprintf(fp, "%s%s", first ? "" : ",", nc_model_label(m, l));
            first = 0;
        }
    for (size_t l = 0; l < nc_model_nlabels(m); l++)
        fprintf(fp, "\t%.4f", p->scores[l]);
    if (p->has_tone)
        fprintf(fp, "\t%.4f\t%s", p->tone, nc_tone_label(p->tone));
    fputc('\n', fp);
}

static void print_table_header(FILE *fp, const nc_model *m)
{
    fprintf(fp, "%-32s %-16s", "article", "topics");
    for (size_t l = 0; l < nc_model_nlabels(m); l++)
        fprintf(fp, " %*.*s", 8, 8, nc_model_label(m, l));
    if (nc_model_has_tone(m))
        fprintf(fp, " %6s %-8s", "tone", "");
    fputc('\n', fp);
}

static void print_table(FILE *fp, const nc_model *m, const nc_article *a, const nc_prediction *p,
                        int explain)
{
    char labels[256] = "";
    size_t len = 0;
    const char *id = a->id ? a->id : "";
    size_t idlen = strlen(id);

    for (size_t l = 0; l < nc_model_nlabels(m); l++)
        if (p->selected[l] && len < sizeof labels - 1)
            len += (size_t)snprintf(labels + len, sizeof labels - len, "%s%s", len ? "," : "",
                                    nc_model_label(m, l));
    if (nc_model_topic_mode(m) != NC_TOPICS_NONE && !len)
        snprintf(labels, sizeof labels, "(none)");
    if (idlen > 32)
        fprintf(fp, "...%-29s", id + idlen - 29);
    else
        fprintf(fp, "%-32s", id);
    fprintf(fp, " %-16s", labels);
    for (size_t l = 0; l < nc_model_nlabels(m); l++)
        fprintf(fp, " %8.3f", p->scores[l]);
    if (p->has_tone)
        fprintf(fp, " %+6.2f %-8s", p->tone, nc_tone_label(p->tone));
    fputc('\n', fp);
    if (explain) {
        nc_contribution up[64], down[64];
        size_t nup, ndown;
        for (size_t l = 0; l <= nc_model_nlabels(m); l++) {
            size_t which = l < nc_model_nlabels(m) ? l : (size_t)-1;
            if (which != (size_t)-1 && !p->selected[l])
                continue;
            if (which == (size_t)-1 && !p->has_tone)
                continue;
            if (nc_explain(m, a, which, (size_t)explain, up, &nup, down, &ndown, NULL) < 0)
                continue;
            fprintf(fp, "    %s:", which == (size_t)-1 ? "tone" : nc_model_label(m, l));
            for (size_t i = 0; i < nup; i++)
                fprintf(fp, " %s (%+.3f)", up[i].term, up[i].value);
            fputs("  |", fp);
            for (size_t i = 0; i < ndown; i++)
                fprintf(fp, " %s (%+.3f)", down[i].term, down[i].value);
            fputc('\n', fp);
        }
    }
}

int cmd_classify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "model", required_argument, NULL, 'm' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "jsonl", no_argument, NULL, 'J' },
        { "text", no_argument, NULL, 'T' },
        { "keep-furniture", no_argument, NULL, 'K' },
        { "explain", required_argument, NULL, 'x' },
        { "threads", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct classify_opts o;
    nc_model *model = NULL;
    nc_error err = { 0 };
    nc_outfile of = { 0 };
    struct batch *b = NULL;
    nc_workspace *ws[64] = { NULL };
    char *stdin_only[] = { "-" };
    char **inputs;
    int ninputs, c, rc = CLI_EXIT_OK, format_set = 0, out_open = 0;
    long l;
    size_t count = 0;

    memset(&o, 0, sizeof o);
    o.output = "-";
    {
        /* the processors online, as for training: output never depends on it */
        long np = sysconf(_SC_NPROCESSORS_ONLN);
        o.threads = np < 1 ? 1 : np > 64 ? 64 : (int)np;
    }
    optind = 0;
    while ((c = getopt_long(argc, argv, "m:f:o:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm': o.model_dir = optarg; break;
        case 'f':
            format_set = 1;
            if (strcmp(optarg, "json") == 0 || strcmp(optarg, "jsonl") == 0)
                o.format = FMT_JSON;
            else if (strcmp(optarg, "tsv") == 0)
                o.format = FMT_TSV;
            else if (strcmp(optarg, "table") == 0 || strcmp(optarg, "text") == 0)
                o.format = FMT_TABLE;
            else
                return cli_usage_error("classify", "unknown format '%s' (table, json, tsv)",
                                       optarg);
            break;
        case 'o': o.output = optarg; break;
        case 'J': o.ro.format = NC_FORMAT_JSONL; break;
        case 'T': o.ro.format = NC_FORMAT_TEXT; break;
        case 'K': o.ro.keep_furniture = 1; break;
        case 'x':
            if (cli_parse_long(optarg, 1, 64, &l) < 0)
                return cli_usage_error("classify", "--explain needs a number in 1..64, not '%s'",
                                       optarg);
            o.explain = (int)l;
            break;
        case 't':
            if (cli_parse_long(optarg, 1, 64, &l) < 0)
                return cli_usage_error("classify", "--threads needs a number in 1..64, not '%s'",
                                       optarg);
            o.threads = (int)l;
            break;
        case 'h': fputs(cmd_classify_usage, stdout); return CLI_EXIT_OK;
        default: fprintf(stderr, "try 'newsclass help classify' for usage\n"); return CLI_EXIT_USAGE;
        }
    }
    if (!format_set)
        o.format = strcmp(o.output, "-") == 0 && isatty(1) ? FMT_TABLE : FMT_JSON;
    if (!o.model_dir && !(o.model_dir = cli_default_model()))
        return cli_errorf("classify", "no model given and no default model found (set "
                                      "NEWSCLASS_MODEL or use -m DIR)");
    inputs = optind < argc ? argv + optind : stdin_only;
    ninputs = optind < argc ? argc - optind : 1;

    if (nc_model_load(o.model_dir, &model, &err) < 0) {
        rc = cli_error("classify", &err);
        goto out;
    }
    b = calloc(1, sizeof *b);
    if (!b) {
        rc = cli_errorf("classify", "out of memory");
        goto out;
    }
    b->m = model;
    for (int t = 0; t < o.threads; t++)
        ws[t] = nc_workspace_new(model); /* NULL is fine: slower counting */
    for (size_t i = 0; i < BATCH; i++) {
        nc_article_init(&b->a[i]);
        nc_prediction_init(&b->p[i]);
    }
    if (nc_outfile_open(&of, o.output, &err) < 0) {
        rc = cli_error("classify", &err);
        goto out;
    }
    out_open = 1;
    if (o.format == FMT_TSV)
        print_tsv_header(of.fp, model);
    else if (o.format == FMT_TABLE)
        print_table_header(of.fp, model);
    for (int i = 0; i < ninputs; i++) {
        nc_reader *r = NULL;
        int more = 1;
        if (nc_reader_open(inputs[i], &o.ro, &r, &err) < 0) {
            rc = cli_error("classify", &err);
            goto out;
        }
        while (more) {
            int st = 0;
            b->n = 0;
            while (b->n < BATCH && (st = nc_reader_next(r, &b->a[b->n], &err)) > 0)
                b->n++;
            if (st < 0) {
                nc_reader_free(r);
                rc = cli_error("classify", &err);
                goto out;
            }
            more = st > 0;
            score_batch(b, o.threads, ws);
            for (size_t k = 0; k < b->n; k++) {
                if (b->status[k] < 0) {
                    nc_reader_free(r);
                    rc = cli_error("classify", &b->err[k]);
                    goto out;
                }
                if (o.format == FMT_JSON)
                    print_json(of.fp, model, &b->a[k], &b->p[k], o.explain);
                else if (o.format == FMT_TSV)
                    print_tsv(of.fp, model, &b->a[k], &b->p[k]);
                else
                    print_table(of.fp, model, &b->a[k], &b->p[k], o.explain);
            }
            count += b->n;
        }
        nc_reader_free(r);
    }
    if (count == 0) {
        rc = cli_errorf("classify", "no articles in the input");
        goto out;
    }
    out_open = 0;
    if (nc_outfile_commit(&of, &err) < 0)
        rc = cli_error("classify", &err);
out:
    if (out_open)
        nc_outfile_abort(&of);
    if (b) {
        for (size_t i = 0; i < BATCH; i++) {
            nc_article_finish(&b->a[i]);
            nc_prediction_finish(&b->p[i]);
        }
        free(b);
    }
    for (int t = 0; t < 64; t++)
        nc_workspace_free(ws[t]);
    nc_model_free(model);
    nc_strbuf_finish(&json_line);
    return rc;
}
