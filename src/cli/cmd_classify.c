/* cmd_classify.c: `newsclass classify [-m MODEL_DIR] [FILE...]`: label articles with topic
 * scores, topic labels, tone score and tone label, as a table, JSON Lines or TSV.
 *
 * Articles go through in batches: while --threads N threads (default: the processors online,
 * at most 8; the model is read-only) classify and format one batch, the main thread reads the
 * next; lines are written in input order, so output never depends on the thread count.
 * SPDX-License-Identifier: MIT */
#define _GNU_SOURCE /* sched_getcpu, CPU_SET, pthread_setaffinity_np */
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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
    "headline), a directory of them, a JSON Lines corpus, a CSV or TSV file with a header\n"
    "row, or '-' (the default: standard input).\n"
    "\n"
    "  -m, --model=DIR        model bundle (default: $NEWSCLASS_MODEL, else the shipped\n"
    "                         models/default)\n"
    "  -f, --format=FMT       table (default on a terminal), json (JSON Lines; default when\n"
    "                         piped), tsv\n"
    "  -o, --output=FILE      write there (atomically) instead of standard output\n"
    CLI_INPUT_FORMAT_HELP
    "      --jsonl, --text    the same as --input-format=jsonl, =text\n"
    "      --keep-furniture   do not drop page furniture (\"Share this\", ...) from text\n"
    "      --explain=N        the N terms that pushed each reported topic and the tone most\n"
    "                         up and down, with weight x feature value\n"
    "      --tone-parts       JSON: also the tone's parts, the regression score before the\n"
    "                         stack and scale and the lexicon features (\"tone_parts\")\n"
    "  -t, --threads=N        score with N threads, 1..64 (default: the number of\n"
    "                         processors, at most 8; the output is the same for any N)\n"
    "  -h, --help             show this help\n";

enum out_format { FMT_TABLE, FMT_JSON, FMT_TSV };

struct classify_opts {
    const char *model_dir;
    const char *output;
    enum out_format format;
    int explain;
    int tone_parts;
    int threads;
    nc_reader_opts ro;
};

#define BATCH 256
#define CHUNK 8 /* articles a thread takes at a time */

/* One output line (or lines, with --explain in a table) being formatted; 'oom' remembers a
 * failed append so a truncated line is never written. */
struct out {
    nc_strbuf sb;
    int oom;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (nc_strbuf_add(&o->sb, s, n) < 0)
        o->oom = 1;
}

static void putcc(struct out *o, char c)
{
    put(o, &c, 1);
}

static void puts0(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* printf into the line (nc_strbuf_addf), remembering a failure like put() does */
#define putf(o, ...)                                                                           \
    do {                                                                                        \
        if (nc_strbuf_addf(&(o)->sb, __VA_ARGS__) < 0)                                          \
            (o)->oom = 1;                                                                       \
    } while (0)

/* {"term", "contribution"} objects for c[0..n) under o[name]. */
static void add_contributions(cJSON *o, const char *name, const nc_contribution *c, size_t n)
{
    cJSON *arr = cJSON_AddArrayToObject(o, name);
    for (size_t i = 0; i < n; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "term", c[i].term);
        cJSON_AddNumberToObject(e, "contribution", round(c[i].value * 1e4) / 1e4);
        cJSON_AddItemToArray(arr, e);
    }
}

static cJSON *explain_json(const nc_model *m, const nc_article *a, size_t label, int n)
{
    nc_contribution up[64], down[64];
    size_t nup, ndown;
    cJSON *o = cJSON_CreateObject();
    if (nc_explain(m, a, label, (size_t)n, up, &nup, down, &ndown, NULL) < 0)
        return o;
    add_contributions(o, "up", up, nup);
    add_contributions(o, "down", down, ndown);
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
static void json_str(struct out *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *run = p;
    putcc(o, '"');
    for (;; p++) {
        unsigned char c = *p;
        if (c != '\0' && c != '"' && c != '\\' && c >= 0x20)
            continue;
        put(o, (const char *)run, (size_t)(p - run));
        if (c == '\0')
            break;
        run = p + 1;
        switch (c) {
        case '"': put(o, "\\\"", 2); break;
        case '\\': put(o, "\\\\", 2); break;
        case '\b': put(o, "\\b", 2); break;
        case '\f': put(o, "\\f", 2); break;
        case '\n': put(o, "\\n", 2); break;
        case '\r': put(o, "\\r", 2); break;
        case '\t': put(o, "\\t", 2); break;
        default: {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            put(o, u, 6);
        }
        }
    }
    putcc(o, '"');
}

/* r4(x) as cJSON prints it. */
static void json_num4(struct out *o, double x)
{
    char buf[32];
    double k;
    unsigned long long ip, fr;
    size_t n = 0;
    if (isnan(x) || isinf(x) || fabs(x) >= 1e9) { /* not expected: let printf decide */
        putf(o, "%1.15g", r4(x));
        return;
    }
    k = round(x * 1e4);
    if (k == 0) {
        putcc(o, '0');
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
    put(o, buf, n);
}

static void format_json_plain(struct out *o, const nc_model *m, const nc_article *a,
                              const nc_prediction *p)
{
    const char *src = nc_article_field(a, "source");
    size_t nl = nc_model_nlabels(m);
    int first = 1;

    put(o, "{\"id\":", 6);
    json_str(o, a->id ? a->id : "");
    if (a->date) {
        put(o, ",\"date\":", 8);
        json_str(o, a->date);
    }
    if (src) {
        put(o, ",\"source\":", 10);
        json_str(o, src);
    }
    if (nc_model_topic_mode(m) != NC_TOPICS_NONE) {
        put(o, ",\"scores\":{", 11);
        for (size_t l = 0; l < nl; l++) {
            if (l)
                putcc(o, ',');
            json_str(o, nc_model_label(m, l));
            putcc(o, ':');
            json_num4(o, p->scores[l]);
        }
        put(o, "},\"labels\":[", 12);
        for (size_t l = 0; l < nl; l++)
            if (p->selected[l]) {
                if (!first)
                    putcc(o, ',');
                first = 0;
                json_str(o, nc_model_label(m, l));
            }
        put(o, "],\"primary\":", 12);
        if (p->primary >= 0)
            json_str(o, nc_model_label(m, (size_t)p->primary));
        else
            put(o, "null", 4);
    }
    if (p->has_tone) {
        put(o, ",\"tone\":", 8);
        json_num4(o, p->tone);
        put(o, ",\"tone_label\":", 14);
        json_str(o, nc_tone_label(p->tone));
        if (p->has_tone_interval) {
            put(o, ",\"tone_interval\":[", 18);
            json_num4(o, p->tone_lo);
            putcc(o, ',');
            json_num4(o, p->tone_hi);
            putcc(o, ']');
        }
    }
    put(o, "}\n", 2);
}

/* --tone-parts: what the tone is made of (nc_tone_parts), at full precision. */
static cJSON *tone_parts_json(const nc_model *m, const nc_article *a)
{
    double reg, lex[NC_TONE_LEXICON_FEATURES];
    cJSON *j, *lx;
    if (nc_tone_parts(m, a, &reg, lex, NULL) < 0 || !(j = cJSON_CreateObject()))
        return NULL;
    cJSON_AddNumberToObject(j, "regression", reg);
    if (!(lx = cJSON_AddObjectToObject(j, "lexicon"))) {
        cJSON_Delete(j);
        return NULL;
    }
    for (int k = 0; k < NC_TONE_LEXICON_FEATURES; k++)
        cJSON_AddNumberToObject(lx, nc_tone_lexicon_name(k), lex[k]);
    return j;
}

static void format_json(struct out *o, const nc_model *m, const nc_article *a,
                        const nc_prediction *p, int explain, int tone_parts, int via_cjson)
{
    cJSON *j, *scores, *labels;
    const char *src = nc_article_field(a, "source");
    char *s;
    size_t nl = nc_model_nlabels(m);

    if (!explain && !tone_parts && !via_cjson) {
        format_json_plain(o, m, a, p);
        return;
    }
    if (!(j = cJSON_CreateObject())) {
        o->oom = 1;
        return;
    }
    cJSON_AddStringToObject(j, "id", a->id ? a->id : "");
    if (a->date)
        cJSON_AddStringToObject(j, "date", a->date);
    if (src)
        cJSON_AddStringToObject(j, "source", src);
    if (nc_model_topic_mode(m) != NC_TOPICS_NONE) {
        scores = cJSON_AddObjectToObject(j, "scores");
        for (size_t l = 0; l < nl; l++)
            cJSON_AddNumberToObject(scores, nc_model_label(m, l), r4(p->scores[l]));
        labels = cJSON_AddArrayToObject(j, "labels");
        for (size_t l = 0; l < nl; l++)
            if (p->selected[l])
                cJSON_AddItemToArray(labels, cJSON_CreateString(nc_model_label(m, l)));
        if (p->primary >= 0)
            cJSON_AddStringToObject(j, "primary", nc_model_label(m, (size_t)p->primary));
        else
            cJSON_AddNullToObject(j, "primary");
    }
    if (p->has_tone) {
        cJSON_AddNumberToObject(j, "tone", r4(p->tone));
        cJSON_AddStringToObject(j, "tone_label", nc_tone_label(p->tone));
        if (p->has_tone_interval) {
            cJSON *iv = cJSON_AddArrayToObject(j, "tone_interval");
            cJSON_AddItemToArray(iv, cJSON_CreateNumber(r4(p->tone_lo)));
            cJSON_AddItemToArray(iv, cJSON_CreateNumber(r4(p->tone_hi)));
        }
        if (tone_parts) {
            cJSON *tp = tone_parts_json(m, a);
            if (!tp) {
                cJSON_Delete(j);
                o->oom = 1;
                return;
            }
            cJSON_AddItemToObject(j, "tone_parts", tp);
        }
    }
    if (explain) {
        cJSON *ex = cJSON_AddObjectToObject(j, "explain");
        for (size_t l = 0; l < nl; l++)
            if (p->selected[l])
                cJSON_AddItemToObject(ex, nc_model_label(m, l), explain_json(m, a, l, explain));
        if (p->has_tone)
            cJSON_AddItemToObject(ex, "tone", explain_json(m, a, (size_t)-1, explain));
    }
    s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s) {
        o->oom = 1;
        return;
    }
    puts0(o, s);
    putcc(o, '\n');
    cJSON_free(s);
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

static void put_clean(struct out *o, const char *s)
{
    for (; s && *s; s++)
        putcc(o, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void format_tsv(struct out *o, const nc_model *m, const nc_article *a,
                       const nc_prediction *p)
{
    int first = 1;
    put_clean(o, a->id);
    putf(o, "\t%s\t", p->primary >= 0 ? nc_model_label(m, (size_t)p->primary) : "none");
    for (size_t l = 0; l < nc_model_nlabels(m); l++)
        if (p->selected[l]) {
            if (!first)
                putcc(o, ',');
            puts0(o, nc_model_label(m, l));
            first = 0;
        }
    for (size_t l = 0; l < nc_model_nlabels(m); l++)
        putf(o, "\t%.4f", p->scores[l]);
    if (p->has_tone)
        putf(o, "\t%.4f\t%s", p->tone, nc_tone_label(p->tone));
    putcc(o, '\n');
}

/* The table's topics column: wide enough for every label at once ("cybersecurity,diplomacy,
 * sport"; a multi-class model's longest label), at least 16 and at most 48 characters; set
 * with the header. */
static int topics_width = 16;

/* A label's score column: its whole name up to 16 characters (at least 8, for "0.000") */
static int score_width(const char *label)
{
    size_t n = strlen(label);
    return n < 8 ? 8 : n > 16 ? 16 : (int)n;
}

static void print_table_header(FILE *fp, const nc_model *m)
{
    size_t all = 0, longest = 0;
    for (size_t l = 0; l < nc_model_nlabels(m); l++) {
        size_t n = strlen(nc_model_label(m, l));
        all += n + (l > 0);
        longest = n > longest ? n : longest;
    }
    if (nc_model_topic_mode(m) == NC_TOPICS_MULTICLASS) /* one label per article */
        all = longest;
    topics_width = all < 16 ? 16 : all > 48 ? 48 : (int)all;
    fprintf(fp, "%-32s %-*s", "article", topics_width, "topics");
    for (size_t l = 0; l < nc_model_nlabels(m); l++)
    {
        int w = score_width(nc_model_label(m, l));
        fprintf(fp, " %*.*s", w, w, nc_model_label(m, l));
    }
    if (nc_model_has_tone(m))
        fprintf(fp, " %6s %-8s", "tone", "");
    fputc('\n', fp);
}

static void format_table(struct out *o, const nc_model *m, const nc_article *a,
                         const nc_prediction *p, int explain)
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
        putf(o, "...%-29s", id + idlen - 29);
    else
        putf(o, "%-32s", id);
    putf(o, " %-*s", topics_width, labels);
    for (size_t l = 0; l < nc_model_nlabels(m); l++)
        putf(o, " %*.3f", score_width(nc_model_label(m, l)), p->scores[l]);
    if (p->has_tone)
        putf(o, " %+6.2f %-8s", fabs(p->tone) < 0.005 ? 0.0 : p->tone, /* never "-0.00" */
             nc_tone_label(p->tone));
    putcc(o, '\n');
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
            putf(o, "    %s:", which == (size_t)-1 ? "tone" : nc_model_label(m, l));
            for (size_t i = 0; i < nup; i++)
                putf(o, " %s (%+.3f)", up[i].term, up[i].value);
            put(o, "  |", 3);
            for (size_t i = 0; i < ndown; i++)
                putf(o, " %s (%+.3f)", down[i].term, down[i].value);
            putcc(o, '\n');
        }
    }
}

/* A batch of articles: read by the main thread, then classified and formatted by the
 * threads, each taking CHUNK articles at a time, then written in input order. */
struct batch {
    const nc_model *m;
    const struct classify_opts *o;
    int via_cjson;
    nc_article a[BATCH];
    nc_prediction p[BATCH];
    struct out line[BATCH];
    int status[BATCH];
    nc_error err[BATCH];
    size_t n;
    atomic_size_t next;
};

struct worker {
    struct batch *b;
    nc_workspace *ws; /* this thread's own counters, kept across batches */
};

static struct worker workers[64];

/* Classify and format articles until the batch has none left to take. */
static void *work(void *arg)
{
    struct worker *w = arg;
    struct batch *b = w->b;
    size_t i, end;
    while ((i = atomic_fetch_add(&b->next, CHUNK)) < b->n) {
        end = i + CHUNK < b->n ? i + CHUNK : b->n;
        for (; i < end; i++) {
            struct out *o = &b->line[i];
            nc_strbuf_reset(&o->sb);
            o->oom = 0;
            b->status[i] = nc_classify_ws(b->m, &b->a[i], &b->p[i], w->ws, &b->err[i]);
            if (b->status[i] < 0)
                continue;
            if (b->o->format == FMT_JSON)
                format_json(o, b->m, &b->a[i], &b->p[i], b->o->explain, b->o->tone_parts,
                            b->via_cjson);
            else if (b->o->format == FMT_TSV)
                format_tsv(o, b->m, &b->a[i], &b->p[i]);
            else
                format_table(o, b->m, &b->a[i], &b->p[i], b->o->explain);
        }
    }
    return NULL;
}

/* The other threads: started once (before the model loads when the input is large) and kept
 * for the whole run, each pinned to a processor of its own when there are enough. Between
 * batches a thread spins (yielding) for a while before it sleeps: on a virtual machine, waking
 * an idle processor, or the scheduler moving a new thread off the main thread's processor, can
 * take longer than classifying a whole batch, which made a second thread useless on small
 * inputs (measured: AG News's 1,520-item test split, 9.3 -> 8.1 ms per process). */
#define SPIN_NS 3000000L /* 3 ms */

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work_cv, done_cv;
    atomic_uint gen;     /* bumped for each batch handed out */
    atomic_int stop;
    atomic_int pending;  /* threads still on the current batch */
    struct batch *cur;
    int n;               /* threads started (1..n of workers[]) */
    int tried;
    pthread_t tid[64];
};

static struct pool pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                            PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL, 0, 0, { 0 } };

#define POOL_MIN_BYTES 65536   /* start the threads for inputs of at least this size... */
#define POOL_MIN_ARTICLES 64   /* ...or when a batch of this many articles has been read */

/* The size of the inputs that are regular files (directories and pipes count 0). */
static unsigned long long input_bytes(char **inputs, int n)
{
    unsigned long long total = 0;
    struct stat st;
    for (int i = 0; i < n; i++)
        if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &st) == 0 && S_ISREG(st.st_mode))
            total += (unsigned long long)st.st_size;
    return total;
}

static long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static inline void cpu_relax(void)
{
    sched_yield(); /* a thread sharing this processor runs; otherwise it stays awake */
}

/* Spin (yielding) until ready(arg) holds or SPIN_NS have passed, then sleep on cv until it
 * does; whoever makes it hold broadcasts cv under pool.mu. */
static void wait_until(int (*ready)(const void *), const void *arg, pthread_cond_t *cv)
{
    long deadline = now_ns() + SPIN_NS;
    for (int i = 1; !ready(arg); i++) {
        cpu_relax();
        if (i % 16 == 0 && now_ns() > deadline) {
            pthread_mutex_lock(&pool.mu);
            while (!ready(arg))
                pthread_cond_wait(cv, &pool.mu);
            pthread_mutex_unlock(&pool.mu);
            return;
        }
    }
}

/* A new batch handed out since generation *seen, or the pool stopping. */
static int batch_handed_out(const void *seen)
{
    return atomic_load(&pool.gen) != *(const unsigned *)seen || atomic_load(&pool.stop);
}

/* Every pool thread done with the current batch. */
static int batch_done(const void *unused)
{
    (void)unused;
    return atomic_load(&pool.pending) == 0;
}

static void *pool_thread(void *arg)
{
    struct worker *w = arg;
    unsigned seen = 0;
    for (;;) {
        wait_until(batch_handed_out, &seen, &pool.work_cv);
        seen = atomic_load(&pool.gen);
        if (atomic_load(&pool.stop))
            return NULL;
        w->b = pool.cur;
        work(w);
        if (atomic_fetch_sub(&pool.pending, 1) == 1) {
            pthread_mutex_lock(&pool.mu);
            pthread_cond_broadcast(&pool.done_cv);
            pthread_mutex_unlock(&pool.mu);
        }
    }
}

/* Start threads 1..N-1 (fewer when they cannot be created: the others do their share). */
static void pool_start(int threads)
{
    cpu_set_t allowed;
    int cpus[64], ncpu = 0, here, k = 0;

    if (pool.tried)
        return;
    pool.tried = 1;
    here = sched_getcpu();

    /* the processors this process may use, starting after the one the main thread is on */
    if (sched_getaffinity(0, sizeof allowed, &allowed) == 0)
        for (int c = 0; c < CPU_SETSIZE && ncpu < 64; c++)
            if (CPU_ISSET(c, &allowed))
                cpus[ncpu++] = c;
    while (k < ncpu && cpus[k] != here)
        k++;
    for (int t = 1; t < threads && t < 64; t++) {
        pthread_t *tid = &pool.tid[pool.n + 1];
        if (pthread_create(tid, NULL, pool_thread, &workers[pool.n + 1]) != 0)
            break;
        pool.n++;
        /* each thread on a processor of its own when there are enough: the scheduler tends to
         * start it next to the main thread and move it only milliseconds later */
        if (here >= 0 && k < ncpu && threads <= ncpu) {
            cpu_set_t one;
            CPU_ZERO(&one);
            CPU_SET(cpus[(k + t) % ncpu], &one);
            pthread_setaffinity_np(*tid, sizeof one, &one);
        }
    }
}

static void pool_stop(void)
{
    pthread_mutex_lock(&pool.mu);
    atomic_store(&pool.stop, 1);
    pthread_cond_broadcast(&pool.work_cv);
    pthread_mutex_unlock(&pool.mu);
    for (int t = 1; t <= pool.n; t++)
        pthread_join(pool.tid[t], NULL);
    pool.n = 0;
}

/* Hand the batch to the pool's threads; the calling thread joins in with batch_finish. */
static void batch_start(struct batch *b, nc_workspace **ws)
{
    atomic_store(&b->next, 0);
    if (!pool.n)
        return;
    for (int t = 1; t <= pool.n; t++)
        workers[t].ws = ws[t];
    pool.cur = b;
    atomic_store(&pool.pending, pool.n);
    pthread_mutex_lock(&pool.mu);
    atomic_fetch_add(&pool.gen, 1);
    pthread_cond_broadcast(&pool.work_cv);
    pthread_mutex_unlock(&pool.mu);
}

static void batch_finish(struct batch *b, nc_workspace **ws)
{
    workers[0].b = b;
    workers[0].ws = ws[0];
    work(&workers[0]);
    if (pool.n)
        wait_until(batch_done, NULL, &pool.done_cv);
}

/* The inputs, read one after another as a single stream of articles. */
struct source {
    char **inputs;
    int ninputs, i;
    const nc_reader_opts *ro;
    nc_reader *r;
};

/* Fill the batch; 1 when there may be more, 0 at the end of the last input, or an error. */
static int read_batch(struct source *s, struct batch *b, nc_error *err)
{
    int st;
    b->n = 0;
    while (b->n < BATCH) {
        if (!s->r) {
            if (s->i >= s->ninputs)
                return 0;
            if (nc_reader_open(s->inputs[s->i++], s->ro, &s->r, err) < 0)
                return -1;
        }
        if ((st = nc_reader_next(s->r, &b->a[b->n], err)) < 0)
            return -1;
        if (st == 0) {
            nc_reader_free(s->r);
            s->r = NULL;
            continue;
        }
        b->n++;
    }
    return 1;
}

static struct batch *batch_new(const nc_model *m, const struct classify_opts *o)
{
    struct batch *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->m = m;
    b->o = o;
    b->via_cjson = getenv("NC_JSON_VIA_CJSON") != NULL; /* for the test that compares both */
    for (size_t i = 0; i < BATCH; i++) {
        nc_article_init(&b->a[i]);
        nc_prediction_init(&b->p[i]);
        nc_strbuf_init(&b->line[i].sb);
    }
    return b;
}

static void batch_free(struct batch *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < BATCH; i++) {
        nc_article_finish(&b->a[i]);
        nc_prediction_finish(&b->p[i]);
        nc_strbuf_finish(&b->line[i].sb);
    }
    free(b);
}

int cmd_classify(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "model", required_argument, NULL, 'm' },
        { "format", required_argument, NULL, 'f' },
        { "output", required_argument, NULL, 'o' },
        { "jsonl", no_argument, NULL, 'J' },
        { "text", no_argument, NULL, 'T' },
        { "input-format", required_argument, NULL, CLI_OPT_INPUT_FORMAT },
        { "keep-furniture", no_argument, NULL, 'K' },
        { "explain", required_argument, NULL, 'x' },
        { "tone-parts", no_argument, NULL, 'P' },
        { "threads", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct classify_opts o;
    nc_model *model = NULL;
    nc_error err = { 0 };
    nc_outfile of = { 0 };
    struct batch *bufs[2] = { NULL, NULL };
    nc_workspace *ws[64] = { NULL };
    struct source src = { 0 };
    char *stdin_only[] = { "-" };
    char **inputs;
    int ninputs, c, rc = CLI_EXIT_OK, format_set = 0, out_open = 0;
    long l;
    size_t count = 0;
    int st;

    memset(&o, 0, sizeof o);
    o.output = "-";
    {
        /* the processors online, as for training: output never depends on it */
        long np = sysconf(_SC_NPROCESSORS_ONLN);
        o.threads = np < 1 ? 1 : np > 8 ? 8 : (int)np; /* a batch is 32 chunks: more rarely
                                                          * help, and each costs a start */
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
        case 'J':
        case 'T':
        case CLI_OPT_INPUT_FORMAT:
            if (cli_input_format("classify", c == 'J' ? "jsonl" : c == 'T' ? "text" : optarg,
                                 &o.ro) != 0)
                return CLI_EXIT_USAGE;
            break;
        case 'K': o.ro.keep_furniture = 1; break;
        case 'x':
            if (cli_parse_long(optarg, 1, 64, &l) < 0)
                return cli_usage_error("classify", "--explain needs a number in 1..64, not '%s'",
                                       optarg);
            o.explain = (int)l;
            break;
        case 'P': o.tone_parts = 1; break;
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
    if (o.tone_parts && o.format != FMT_JSON)
        return cli_usage_error("classify", "--tone-parts needs --format json");
    if (!o.model_dir && !(o.model_dir = cli_default_model()))
        return cli_errorf("classify", "no model given and no default model found (set "
                                      "NEWSCLASS_MODEL or use -m DIR)");
    inputs = optind < argc ? argv + optind : stdin_only;
    ninputs = optind < argc ? argc - optind : 1;
    cli_stdin_hint("classify", argc - optind);
    if (cli_stdin_once("classify", inputs, ninputs) < 0)
        return CLI_EXIT_USAGE;

    /* With a large input the threads get going while the model loads; for a few articles they
     * would cost more than they save; for a pipe, they start with the first full batch. */
    if (input_bytes(inputs, ninputs) >= POOL_MIN_BYTES)
        pool_start(o.threads);
    if (nc_model_load(o.model_dir, &model, &err) < 0) {
        rc = cli_error("classify", &err);
        goto out;
    }
    if (o.tone_parts && !nc_model_has_tone(model)) {
        rc = cli_errorf("classify", "--tone-parts: model '%s' has no tone", o.model_dir);
        goto out;
    }
    bufs[0] = batch_new(model, &o);
    bufs[1] = batch_new(model, &o);
    if (!bufs[0] || !bufs[1]) {
        rc = cli_errorf("classify", "out of memory");
        goto out;
    }
    for (int t = 0; t < o.threads; t++)
        ws[t] = nc_workspace_new(model); /* NULL is fine: slower counting */
    if (nc_outfile_open(&of, o.output, &err) < 0) {
        rc = cli_error("classify", &err);
        goto out;
    }
    out_open = 1;
    if (o.format == FMT_TSV)
        print_tsv_header(of.fp, model);
    else if (o.format == FMT_TABLE)
        print_table_header(of.fp, model);

    /* A pipeline of two batches: while the other threads classify and format one, the main
     * thread reads the next, then helps; the output is written in input order. */
    src.inputs = inputs;
    src.ninputs = ninputs;
    src.ro = &o.ro;
    /* a read error ends the input, but the articles read before it are still classified and
     * written (to standard output; -o discards its file on any error) before it is reported */
    st = read_batch(&src, bufs[0], &err);
    while (bufs[0]->n > 0) {
        struct batch *b = bufs[0];
        int st_next = st;
        if (!pool.tried && b->n >= POOL_MIN_ARTICLES)
            pool_start(o.threads);
        batch_start(b, ws);
        if (st > 0)
            st_next = read_batch(&src, bufs[1], &err);
        else
            bufs[1]->n = 0;
        batch_finish(b, ws);
        for (size_t k = 0; k < b->n; k++) {
            if (b->status[k] < 0) {
                rc = cli_error_at("classify", &b->err[k], b->a[k].file, b->a[k].line);
                goto out;
            }
            if (b->line[k].oom) {
                rc = cli_errorf("classify", "out of memory");
                goto out;
            }
            fwrite(b->line[k].sb.buf, 1, b->line[k].sb.len, of.fp);
        }
        count += b->n;
        bufs[0] = bufs[1];
        bufs[1] = b;
        st = st_next;
    }
    if (st < 0) {
        rc = cli_error("classify", &err);
        goto out;
    }
    if (count == 0) {
        rc = cli_no_articles("classify", inputs, ninputs);
        goto out;
    }
    out_open = 0;
    if (nc_outfile_commit(&of, &err) < 0)
        rc = cli_error("classify", &err);
out:
    pool_stop();
    if (out_open)
        nc_outfile_abort(&of);
    nc_reader_free(src.r);
    batch_free(bufs[0]);
    batch_free(bufs[1]);
    for (int t = 0; t < 64; t++)
        nc_workspace_free(ws[t]);
    nc_model_free(model);
    return rc;
}
