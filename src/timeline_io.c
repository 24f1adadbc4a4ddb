/* timeline_io.c: the timeline's files: partial files (the sufficient statistics of a run, saved
 * as JSON Lines and merged back exactly) and a reader for `newsclass classify --format json`
 * output (nc_scored_*). Both read plain or gzip JSON Lines, "-" being standard input.
 *
 * Partials ("newsclass-timeline-partial", version 2): a header line with the settings (period,
 * topic, weighting, grouping), the statistics settings (scale bits, bins, exact maximum), the
 * period range, the article and skipped counts, the model, the inputs, the series names and,
 * per series, how many records follow and the articles they hold; then one line per series and
 * non-empty period. The integer sums are written as decimal strings, as a JSON number (a
 * double) cannot hold 64- and 128-bit integers exactly.
 *
 * The per-series counts (new in version 2) are what make a damaged file detectable: a file
 * cut at a line boundary, or with a record repeated, is still valid JSON Lines whose every
 * record is plausible on its own, and merging it would silently report fewer (or twice as
 * many) articles. So a merge checks, per file, that every record's series is declared in the
 * header, that no (series, period) comes twice, that every key lies in the header's range,
 * and that each series' records and articles add up to the header's counts (without a topic,
 * also that the series together hold the header's 'articles'). Version 1 files (no
 * per-series counts) are still read, with every check but the per-series counts.
 *
 * Invariants. Saving writes exactly the integers held in memory and merging adds them back
 * (nc_tl_period_merge), so a merge of shards equals one run over all of them, bit for bit and
 * in any order. A partial is merged only when its statistics settings are this build's and its
 * topic, weighting and grouping are t's (with from_partials, the first partial's settings are
 * adopted); a partial by day may be merged into weeks or months. Standard input is never
 * closed. A scored record borrows everything from its reader until the next call.
 *
 * This file computes no statistics (src/timeline.c does) and runs no model: classify output
 * is taken as written.
 * SPDX-License-Identifier: MIT */
#include <newsclass/timeline.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <zlib.h>

#include "timeline_impl.h"
#include "util.h"

#define PARTIAL_FORMAT "newsclass-timeline-partial"
#define PARTIAL_VERSION 2
#define PARTIAL_VERSION_MIN 1 /* version 1: no per-series counts in the header */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ------------------------------------------------------------ line input ---- */

/* Lines from a plain or gzip file ("-" = stdin); zlib reads plain files transparently. */
typedef struct tl_lines {
    gzFile gz;
    char *path;
    long line;
    nc_strbuf sb;
} tl_lines;

static int lines_open(tl_lines *l, const char *path, nc_error *err)
{
    int fd = -1;

    memset(l, 0, sizeof *l);
    nc_strbuf_init(&l->sb);
    if (!(l->path = nc_strdup(path)))
        return nc_err(err, NC_ENOMEM, "out of memory");
    if (strcmp(path, "-") == 0) {
        fd = dup(STDIN_FILENO); /* gzclose closes it; stdin stays open */
        l->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    } else {
        l->gz = gzopen(path, "rb");
    }
    if (!l->gz) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        free(l->path);
        l->path = NULL;
        return nc_err(err, NC_EIO, "cannot open '%s': %s", path, e ? strerror(e) : "gzip error");
    }
    gzbuffer(l->gz, 1 << 17);
    return NC_OK;
}

/* 1 with the next line (without its newline) in l->sb, 0 at the end, < 0 on error. */
static int lines_next(tl_lines *l, nc_error *err)
{
    char buf[8192];
    int got = 0;

    nc_strbuf_reset(&l->sb);
    while (gzgets(l->gz, buf, sizeof buf)) {
        size_t n = strlen(buf);
        got = 1;
        if (nc_strbuf_add(&l->sb, buf, n) < 0)
            return nc_err(err, NC_ENOMEM, "out of memory");
        if (n && buf[n - 1] == '\n')
            break;
    }
    if (!got) {
        int zerr;
        const char *msg = gzerror(l->gz, &zerr);
        if (zerr != Z_OK && zerr != Z_BUF_ERROR)
            return nc_err(err, NC_EIO, "cannot read '%s': %s", l->path,
                          zerr == Z_ERRNO ? strerror(errno) : msg);
        return 0;
    }
    l->line++;
    while (l->sb.len && (l->sb.buf[l->sb.len - 1] == '\n' || l->sb.buf[l->sb.len - 1] == '\r'))
        l->sb.buf[--l->sb.len] = '\0';
    return 1;
}

static int is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return *s == '\0';
}

static void lines_close(tl_lines *l)
{
    if (l->gz)
        gzclose(l->gz);
    l->gz = NULL;
    free(l->path);
    l->path = NULL;
    nc_strbuf_finish(&l->sb);
}

/* ------------------------------------------------------------- partials ---- */

static void i128_format(i128 v, char *buf)
{
    char tmp[48];
    int n = 0, i = 0;
    u128 u = v < 0 ? (u128)0 - (u128)v : (u128)v;

    do {
        tmp[n++] = (char)('0' + (int)(u % 10));
        u /= 10;
    } while (u);
    if (v < 0)
        buf[i++] = '-';
    while (n)
        buf[i++] = tmp[--n];
    buf[i] = '\0';
}

static int i128_parse(const char *s, i128 *out)
{
    int neg = 0, nd = 0;
    i128 v = 0;

    if (!s)
        return -1;
    if (*s == '-') {
        neg = 1;
        s++;
    }
    for (; is_digit(*s); s++) {
        if (++nd > 37)
            return -1;
        v = v * 10 + (*s - '0');
    }
    if (*s || nd == 0)
        return -1;
    *out = neg ? -v : v;
    return 0;
}

static int u64_parse(const char *s, uint64_t *out)
{
    i128 v;
    if (i128_parse(s, &v) < 0 || v < 0 || v > (i128)UINT64_MAX)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

static cJSON *add_i128(cJSON *o, const char *name, i128 v)
{
    char buf[48];
    i128_format(v, buf);
    return cJSON_AddStringToObject(o, name, buf);
}

static int write_json_line(FILE *fp, cJSON *o)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;
    int rc = s && fputs(s, fp) >= 0 && fputc('\n', fp) != EOF ? 0 : -1;
    cJSON_free(s);
    return rc;
}

static cJSON *partial_header(const nc_timeline *t)
{
    cJSON *h = cJSON_CreateObject(), *a, *an;
    int ok = h != NULL;

    ok = ok && cJSON_AddStringToObject(h, "format", PARTIAL_FORMAT);
    ok = ok && cJSON_AddNumberToObject(h, "version", PARTIAL_VERSION);
    ok = ok && cJSON_AddStringToObject(h, "by", nc_period_name(t->o.by));
    ok = ok && (t->topic ? cJSON_AddStringToObject(h, "topic", t->topic)
                         : cJSON_AddNullToObject(h, "topic"));
    ok = ok && cJSON_AddBoolToObject(h, "weighted", t->o.weighted);
    ok = ok && (t->group_by ? cJSON_AddStringToObject(h, "group_by", t->group_by)
                            : cJSON_AddNullToObject(h, "group_by"));
    ok = ok && cJSON_AddNumberToObject(h, "scale_bits", NC_TL_SCALE_BITS);
    ok = ok && cJSON_AddNumberToObject(h, "bins", NC_TL_BINS);
    ok = ok && cJSON_AddNumberToObject(h, "exact_max", NC_TL_EXACT_MAX);
    ok = ok && (t->have_range ? cJSON_AddNumberToObject(h, "first", (double)t->kmin) != NULL &&
                                    cJSON_AddNumberToObject(h, "last", (double)t->kmax) != NULL
                              : cJSON_AddNullToObject(h, "first") != NULL);
    ok = ok && add_i128(h, "articles", t->narticles);
    ok = ok && add_i128(h, "skipped", t->nskipped);
    ok = ok && (t->model ? cJSON_AddStringToObject(h, "model", t->model)
                         : cJSON_AddNullToObject(h, "model"));
    ok = ok && (a = cJSON_AddArrayToObject(h, "inputs"));
    for (size_t i = 0; ok && i < t->ninputs; i++)
        ok = cJSON_AddItemToArray(a, cJSON_CreateString(t->inputs[i]));
    ok = ok && (a = cJSON_AddArrayToObject(h, "series"));
    for (size_t i = 0; ok && i < t->nseries; i++)
        ok = cJSON_AddItemToArray(a, cJSON_CreateString(t->series[t->order[i]].name));
    /* per series: the records written below (its non-empty periods) and their articles */
    ok = ok && (a = cJSON_AddArrayToObject(h, "series_records")) &&
         (an = cJSON_AddArrayToObject(h, "series_n"));
    for (size_t i = 0; ok && i < t->nseries; i++) {
        const tl_series *s = &t->series[t->order[i]];
        uint64_t nrec = 0;
        u128 n = 0;
        char num[48];
        for (size_t j = 0; j < s->cap; j++) {
            if (s->periods[j]) {
                nrec++;
                n += s->periods[j]->n;
            }
        }
        i128_format((i128)n, num);
        ok = cJSON_AddItemToArray(a, cJSON_CreateNumber((double)nrec)) &&
             cJSON_AddItemToArray(an, cJSON_CreateString(num));
    }
    if (!ok) {
        cJSON_Delete(h);
        return NULL;
    }
    return h;
}

static cJSON *partial_record(const nc_timeline *t, const tl_series *s, long key,
                             const tl_period *p)
{
    cJSON *o = cJSON_CreateObject(), *a, *pair;
    char label[16], num[48];
    int ok = o != NULL;

    nc_period_label(t->o.by, key, label, sizeof label);
    ok = ok && cJSON_AddStringToObject(o, "series", s->name);
    ok = ok && cJSON_AddNumberToObject(o, "key", (double)key);
    ok = ok && cJSON_AddStringToObject(o, "period", label);
    ok = ok && add_i128(o, "n", p->n);
    ok = ok && add_i128(o, "sw", p->sw);
    ok = ok && add_i128(o, "sw2", p->sw2);
    ok = ok && add_i128(o, "swx", p->swx);
    ok = ok && add_i128(o, "swx2", p->swx2);
    ok = ok && (a = cJSON_AddArrayToObject(o, "classes"));
    for (int i = 0; ok && i < 3; i++) {
        i128_format(p->cls[i], num);
        ok = cJSON_AddItemToArray(a, cJSON_CreateString(num));
    }
    ok = ok && (a = cJSON_AddArrayToObject(o, "hist")); /* sparse: [bin, "weight"] */
    for (int i = 0; ok && i < NC_TL_BINS; i++) {
        if (!p->hist[i])
            continue;
        i128_format(p->hist[i], num);
        ok = (pair = cJSON_CreateArray()) && cJSON_AddItemToArray(a, pair) &&
             cJSON_AddItemToArray(pair, cJSON_CreateNumber(i)) &&
             cJSON_AddItemToArray(pair, cJSON_CreateString(num));
    }
    if (ok && p->nexact >= 0) {
        ok = (a = cJSON_AddArrayToObject(o, "exact")) != NULL; /* [tone, weight] in 2^-24 */
        for (int i = 0; ok && i < p->nexact; i++)
            ok = (pair = cJSON_CreateArray()) && cJSON_AddItemToArray(a, pair) &&
                 cJSON_AddItemToArray(pair, cJSON_CreateNumber(p->ex[i].q)) &&
                 cJSON_AddItemToArray(pair, cJSON_CreateNumber(p->ex[i].u));
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int nc_timeline_save_partial(const nc_timeline *t, const char *path, nc_error *err)
{
    nc_outfile of;
    cJSON *o = NULL;
    int rc;

    if ((rc = nc_outfile_open(&of, path, err)) < 0)
        return rc;
    o = partial_header(t);
    if (write_json_line(of.fp, o) < 0)
        goto fail;
    cJSON_Delete(o);
    o = NULL;
    for (size_t i = 0; i < t->nseries; i++) {
        const tl_series *s = &t->series[t->order[i]];
        for (size_t j = 0; j < s->cap; j++) {
            if (!s->periods[j])
                continue;
            o = partial_record(t, s, s->base + (long)j, s->periods[j]);
            if (write_json_line(of.fp, o) < 0)
                goto fail;
            cJSON_Delete(o);
            o = NULL;
        }
    }
    return nc_outfile_commit(&of, err);
fail:
    rc = o ? nc_err(err, NC_EIO, "cannot write '%s': %s", path, strerror(errno))
           : nc_err(err, NC_ENOMEM, "out of memory");
    cJSON_Delete(o);
    nc_outfile_abort(&of);
    return rc;
}

static const char *strv_or_null(const cJSON *v)
{
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *jstr(const cJSON *o, const char *name)
{
    return strv_or_null(cJSON_GetObjectItemCaseSensitive(o, name));
}

static int jnum(const cJSON *o, const char *name, double *out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    if (!cJSON_IsNumber(v))
        return -1;
    *out = v->valuedouble;
    return 0;
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* What one partial's header declares, to check its records against (see the top of the file). */
typedef struct decl_series {
    size_t s;                     /* t's series index */
    uint64_t want_records, records;
    u128 want_n, n;
} decl_series;

typedef struct seen_rec {
    size_t pos1; /* the series' position in the header + 1; 0: an empty slot */
    long key, line;
} seen_rec;

typedef struct part_decl {
    int counted;            /* the header has per-series counts (version 2) */
    int have_range;         /* the header's range, in the partial's own periods */
    double first, last;
    u128 articles;          /* the header's 'articles' */
    decl_series *ser;       /* in the header's order */
    size_t nser;
    size_t *pos;            /* t's series index -> position in the header + 1 (0: absent) */
    size_t npos;
    seen_rec *seen;         /* (series, key) of the records read: open addressing */
    size_t nseen, seencap;
} part_decl;

static void decl_free(part_decl *d)
{
    free(d->ser);
    free(d->pos);
    free(d->seen);
    memset(d, 0, sizeof *d);
}

static size_t seen_slot(const seen_rec *tab, size_t cap, size_t pos1, long key)
{
    size_t k = (size_t)nc_mix64((uint64_t)pos1 << 40 ^ (uint64_t)key) & (cap - 1);
    while (tab[k].pos1 && !(tab[k].pos1 == pos1 && tab[k].key == key))
        k = (k + 1) & (cap - 1);
    return k;
}

/* Note the record of header position 'pos' for 'key' read on 'line': 1 when new, 0 when that
 * series and period came before (*first: its line), -1 when out of memory. */
static int seen_add(part_decl *d, size_t pos, long key, long line, long *first)
{
    size_t k;

    if ((d->nseen + 1) * 2 > d->seencap) {
        size_t cap = d->seencap ? d->seencap * 2 : 64;
        seen_rec *tab = calloc(cap, sizeof *tab);
        if (!tab)
            return -1;
        for (size_t i = 0; i < d->seencap; i++)
            if (d->seen[i].pos1)
                tab[seen_slot(tab, cap, d->seen[i].pos1, d->seen[i].key)] = d->seen[i];
        free(d->seen);
        d->seen = tab;
        d->seencap = cap;
    }
    k = seen_slot(d->seen, d->seencap, pos + 1, key);
    if (d->seen[k].pos1) {
        *first = d->seen[k].line;
        return 0;
    }
    d->seen[k].pos1 = pos + 1;
    d->seen[k].key = key;
    d->seen[k].line = line;
    d->nseen++;
    return 1;
}

/* The header's series (distinct names) and, from version 2, their counts: add the series to t
 * and note them in d. */
static int decl_series_read(nc_timeline *t, const cJSON *h, int version, const char *where,
                            part_decl *d, nc_error *err)
{
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(h, "series");
    const cJSON *recs = cJSON_GetObjectItemCaseSensitive(h, "series_records");
    const cJSON *ns = cJSON_GetObjectItemCaseSensitive(h, "series_n");
    const cJSON *e, *r = NULL, *c = NULL;
    size_t n = 0;
    int oom = 0;

    if (!cJSON_IsArray(names))
        return nc_err(err, NC_EFORMAT, "%s: malformed partial header: 'series' must be an array "
                      "of names", where);
    n = (size_t)cJSON_GetArraySize(names);
    d->counted = version >= 2;
    if (d->counted &&
        (!cJSON_IsArray(recs) || !cJSON_IsArray(ns) || (size_t)cJSON_GetArraySize(recs) != n ||
         (size_t)cJSON_GetArraySize(ns) != n))
        return nc_err(err, NC_EFORMAT, "%s: malformed partial header: 'series_records' and "
                      "'series_n' must be arrays as long as 'series'", where);
    if (n && !(d->ser = calloc(n, sizeof *d->ser)))
        return nc_err(err, NC_ENOMEM, "out of memory");
    /* the three arrays side by side (--group-by id can make a million series: no indexing) */
    if (d->counted) {
        r = recs->child;
        c = ns->child;
    }
    for (e = names->child; e; e = e->next) {
        decl_series *ds = &d->ser[d->nser++];
        if (!cJSON_IsString(e))
            return nc_err(err, NC_EFORMAT, "%s: malformed partial header: 'series' must be an "
                          "array of names", where);
        if ((ds->s = nc_tl_series_find(t, e->valuestring, 1, &oom)) == (size_t)-1)
            return nc_err(err, NC_ENOMEM, "out of memory");
        if (d->counted) {
            i128 v;
            if (!cJSON_IsNumber(r) || r->valuedouble < 0 || r->valuedouble > 0x1p53 ||
                r->valuedouble != floor(r->valuedouble) ||
                i128_parse(strv_or_null(c), &v) < 0 || v < 0)
                return nc_err(err, NC_EFORMAT, "%s: malformed partial header: 'series_records' "
                              "must hold counts and 'series_n' counts written as strings", where);
            ds->want_records = (uint64_t)r->valuedouble;
            ds->want_n = (u128)v;
            r = r->next;
            c = c->next;
        }
    }
    /* t's series so far (later files may add more, never during this one) */
    d->npos = t->nseries;
    if (d->npos && !(d->pos = calloc(d->npos, sizeof *d->pos)))
        return nc_err(err, NC_ENOMEM, "out of memory");
    for (size_t i = 0; i < d->nser; i++) {
        if (d->pos[d->ser[i].s])
            return nc_err(err, NC_EFORMAT, "%s: malformed partial header: series '%s' is listed "
                          "twice", where, t->series[d->ser[i].s].name);
        d->pos[d->ser[i].s] = i + 1;
    }
    return NC_OK;
}

/* At the end of a partial: its records against its header's counts. */
static int decl_check_counts(const nc_timeline *t, const part_decl *d, const char *where,
                             nc_error *err)
{
    char a[48], b[48];
    u128 total = 0;

    for (size_t i = 0; i < d->nser; i++) {
        const decl_series *ds = &d->ser[i];
        total += ds->n;
        if (d->counted && (ds->records != ds->want_records || ds->n != ds->want_n)) {
            i128_format((i128)ds->n, a);
            i128_format((i128)ds->want_n, b);
            return nc_err(err, NC_EFORMAT, "%s: series '%s' has %llu records with %s articles, "
                          "but the header says %llu with %s (the file was cut short or edited)",
                          where, t->series[ds->s].name, (unsigned long long)ds->records, a,
                          (unsigned long long)ds->want_records, b);
        }
    }
    /* without a topic every article is in exactly one series */
    if (!t->topic && total != d->articles) {
        i128_format((i128)total, a);
        i128_format((i128)d->articles, b);
        return nc_err(err, NC_EFORMAT, "%s: the records hold %s articles, but the header says "
                      "%s (the file was cut short or edited)", where, a, b);
    }
    return NC_OK;
}

/* Check (or, the first time with from_partials, adopt) the settings of a partial header, and
 * note in d what it declares. */
static int merge_header(nc_timeline *t, const cJSON *h, const char *where, nc_period *pby,
                        part_decl *d, nc_error *err)
{
    const char *fmt = jstr(h, "format"), *by = jstr(h, "by"), *topic = jstr(h, "topic");
    const char *group = jstr(h, "group_by"), *model = jstr(h, "model");
    const cJSON *weighted = cJSON_GetObjectItemCaseSensitive(h, "weighted");
    const cJSON *a;
    double v, first, last;
    uint64_t n;
    int version;

    if (!fmt || strcmp(fmt, PARTIAL_FORMAT) != 0)
        return nc_err(err, NC_EFORMAT, "%s: not a newsclass timeline partial", where);
    if (jnum(h, "version", &v) < 0 || v != floor(v) || v < PARTIAL_VERSION_MIN ||
        v > PARTIAL_VERSION)
        return nc_err(err, NC_EVERSION, "%s: unsupported partial version (this newsclass reads "
                      "versions %d to %d)", where, PARTIAL_VERSION_MIN, PARTIAL_VERSION);
    version = (int)v;
    if (jnum(h, "scale_bits", &v) < 0 || v != NC_TL_SCALE_BITS || jnum(h, "bins", &v) < 0 ||
        v != NC_TL_BINS || jnum(h, "exact_max", &v) < 0 || v != NC_TL_EXACT_MAX)
        return nc_err(err, NC_EVERSION, "%s: partial written with other statistics settings",
                      where);
    if (!by || nc_period_parse(by, pby, NULL) < 0 || !cJSON_IsBool(weighted))
        return nc_err(err, NC_EFORMAT, "%s: malformed partial header", where);
    if (t->o.from_partials && !t->adopted) {
        if (t->o.from_partials > 1)
            t->o.by = *pby;
        if (nc_tl_set_str(&t->topic, topic) < 0 || nc_tl_set_str(&t->group_by, group) < 0)
            return nc_err(err, NC_ENOMEM, "out of memory");
        t->o.topic = t->topic;
        t->o.group_by = t->group_by;
        t->o.weighted = cJSON_IsTrue(weighted);
        t->adopted = 1;
    }
    if (!same_str(topic, t->topic) || !same_str(group, t->group_by) ||
        cJSON_IsTrue(weighted) != (t->o.weighted != 0))
        return nc_err(err, NC_EINVAL,
                      "%s: partial has other settings (topic, --weighted or --group-by)", where);
    if (*pby != t->o.by && *pby != NC_PERIOD_DAY)
        return nc_err(err, NC_EINVAL, "%s: partial is by %s; cannot merge it by %s", where,
                      nc_period_name(*pby), nc_period_name(t->o.by));
    if (jnum(h, "first", &first) == 0 && jnum(h, "last", &last) == 0) {
        if (!nc_tl_key_valid(*pby, first) || !nc_tl_key_valid(*pby, last) || first > last)
            return nc_err(err, NC_EFORMAT, "%s: partial header's 'first' and 'last' are not "
                          "periods between 0001-01-01 and 9999-12-31", where);
        d->have_range = 1;
        d->first = first;
        d->last = last;
        if (nc_tl_extend_range(t, *pby == t->o.by ? (long)first
                                                  : nc_period_key(t->o.by, (int32_t)first),
                               err) < 0 ||
            nc_tl_extend_range(t, *pby == t->o.by ? (long)last
                                                  : nc_period_key(t->o.by, (int32_t)last),
                               err) < 0)
            return nc_err_prefix(err, "%s", where);
    }
    if (u64_parse(jstr(h, "articles"), &n) < 0)
        return nc_err(err, NC_EFORMAT, "%s: malformed partial header", where);
    t->narticles += n;
    d->articles = n;
    if (u64_parse(jstr(h, "skipped"), &n) < 0)
        return nc_err(err, NC_EFORMAT, "%s: malformed partial header", where);
    t->nskipped += n;
    if (model && !t->model && nc_timeline_set_model(t, model, err) < 0)
        return err ? err->code : NC_ENOMEM;
    a = cJSON_GetObjectItemCaseSensitive(h, "inputs");
    for (const cJSON *e = cJSON_IsArray(a) ? a->child : NULL; e; e = e->next)
        if (cJSON_IsString(e) && nc_timeline_add_input(t, e->valuestring, err) < 0)
            return err ? err->code : NC_ENOMEM;
    return decl_series_read(t, h, version, where, d, err);
}

/* Parse one record into a fresh period (p zeroed by the caller): NULL, or what is wrong. */
static const char *parse_record(const cJSON *o, tl_period *p, tl_value *ex, int *nex)
{
    const cJSON *a, *e;
    i128 v;
    int i;

    if (i128_parse(jstr(o, "n"), &v) < 0 || v < 0 || v > (i128)1 << 40)
        return "'n' must be a count (a string of digits) up to 2^40";
    p->n = (uint64_t)v;
    if (i128_parse(jstr(o, "sw"), &p->sw) < 0 || i128_parse(jstr(o, "sw2"), &p->sw2) < 0 ||
        i128_parse(jstr(o, "swx"), &p->swx) < 0 || i128_parse(jstr(o, "swx2"), &p->swx2) < 0)
        return "'sw', 'sw2', 'swx' and 'swx2' must be integers written as strings";
    a = cJSON_GetObjectItemCaseSensitive(o, "classes");
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 3)
        return "'classes' must be an array of 3 counts";
    for (i = 0, e = a->child; e; e = e->next, i++)
        if (u64_parse(cJSON_IsString(e) ? e->valuestring : NULL, &p->cls[i]) < 0)
            return "'classes' must be an array of 3 counts";
    a = cJSON_GetObjectItemCaseSensitive(o, "hist");
    if (!cJSON_IsArray(a))
        return "'hist' must be an array of [bin, weight] pairs";
    for (e = a->child; e; e = e->next) {
        const cJSON *b = cJSON_GetArrayItem(e, 0), *w = cJSON_GetArrayItem(e, 1);
        if (!cJSON_IsNumber(b) || b->valueint < 0 || b->valueint >= NC_TL_BINS ||
            u64_parse(cJSON_IsString(w) ? w->valuestring : NULL, &p->hist[b->valueint]) < 0)
            return "'hist' must be an array of [bin, weight] pairs";
    }
    /* what any run can write: the sums of at most 2^40 articles' weights u <= S and tones
     * |q| <= S, and the class weights and the histogram each adding up to the weights */
    {
        const i128 S = NC_TL_SCALE;
        u128 cw = 0, hw = 0;
        if (p->n > (uint64_t)1 << 40 || p->sw < 0 || p->sw > (i128)p->n * S || p->sw2 < 0 ||
            p->sw2 > (i128)p->n * S * S || p->swx > p->sw * S || p->swx < -p->sw * S ||
            p->swx2 < 0 || p->swx2 > p->sw * S * S)
            return "its sums are not those of n tones in [-1, 1] with weights in [0, 1]";
        for (i = 0; i < 3; i++)
            cw += p->cls[i];
        for (i = 0; i < NC_TL_BINS; i++)
            hw += p->hist[i];
        if (cw != (u128)p->sw || hw != (u128)p->sw)
            return "its class weights or histogram do not add up to 'sw'";
    }
    a = cJSON_GetObjectItemCaseSensitive(o, "exact");
    *nex = -1;
    if (a) {
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) > NC_TL_EXACT_MAX)
            return "'exact' must be an array of at most 64 [tone, weight] pairs";
        *nex = 0;
        for (e = a->child; e; e = e->next) {
            const cJSON *q = cJSON_GetArrayItem(e, 0), *u = cJSON_GetArrayItem(e, 1);
            if (!cJSON_IsNumber(q) || !cJSON_IsNumber(u) || fabs(q->valuedouble) > NC_TL_SCALE ||
                u->valuedouble < 0 || u->valuedouble > NC_TL_SCALE)
                return "'exact' must be an array of at most 64 [tone, weight] pairs";
            ex[*nex].q = (int32_t)q->valuedouble;
            ex[*nex].u = (uint32_t)u->valuedouble;
            (*nex)++;
        }
    }
    return NULL;
}

int nc_timeline_merge_partial(nc_timeline *t, const char *path, nc_error *err)
{
    tl_lines l;
    cJSON *o = NULL;
    nc_period pby = t->o.by;
    int rc, have_header = 0, oom = 0;
    tl_value ex[NC_TL_EXACT_MAX];
    part_decl d;

    memset(&d, 0, sizeof d);

    if ((rc = lines_open(&l, path, err)) < 0)
        return rc;
    while ((rc = lines_next(&l, err)) > 0) {
        tl_period rec, *dst;
        const char *name, *bad;
        double key;
        long k, first;
        size_t s, pos;
        int nex;

        if (is_blank(l.sb.buf))
            continue;
        cJSON_Delete(o);
        o = cJSON_ParseWithLength(l.sb.buf, l.sb.len);
        if (!cJSON_IsObject(o)) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: invalid JSON", path, l.line);
            goto out;
        }
        if (!have_header) {
            if ((rc = merge_header(t, o, path, &pby, &d, err)) < 0)
                goto out;
            have_header = 1;
            continue;
        }
        memset(&rec, 0, sizeof rec);
        name = jstr(o, "series");
        if (!name || jnum(o, "key", &key) < 0) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: malformed partial record: it needs 'series' "
                        "(a string) and 'key' (a number)", path, l.line);
            goto out;
        }
        if ((bad = parse_record(o, &rec, ex, &nex)) != NULL) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: malformed partial record: %s", path, l.line,
                        bad);
            goto out;
        }
        if (!nc_tl_key_valid(pby, key)) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: 'key' is not a %s between 0001-01-01 and "
                        "9999-12-31", path, l.line, nc_period_name(pby));
            goto out;
        }
        if (!d.have_range || key < d.first || key > d.last) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: 'key' is outside the header's range ('first' "
                        "to 'last')", path, l.line);
            goto out;
        }
        s = nc_tl_series_find(t, name, 0, &oom);
        pos = s < d.npos ? d.pos[s] : 0;
        if (pos == 0) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: series '%s' is not among the header's series",
                        path, l.line, name);
            goto out;
        }
        pos--;
        switch (seen_add(&d, pos, (long)key, l.line, &first)) {
        case 0: {
            char label[16];
            nc_period_label(pby, (long)key, label, sizeof label);
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: a second record for series '%s', period %s "
                        "(the first is on line %ld)", path, l.line, name, label, first);
            goto out;
        }
        case -1:
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        d.ser[pos].records++;
        d.ser[pos].n += rec.n;
        k = pby == t->o.by ? (long)key : nc_period_key(t->o.by, (int32_t)key);
        if ((rc = nc_tl_extend_range(t, k, err)) < 0) {
            nc_err_prefix(err, "%s:%ld", path, l.line);
            goto out;
        }
        if (!(dst = nc_tl_period_get(&t->series[s], k))) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
        if (nc_tl_period_merge(dst, &rec) < 0) {
            rc = nc_err(err, NC_EFORMAT, "%s:%ld: sums too large: merging this record would "
                        "overflow", path, l.line);
            goto out;
        }
        if (nc_tl_exact_add(dst, ex, nex) < 0) {
            rc = nc_err(err, NC_ENOMEM, "out of memory");
            goto out;
        }
    }
    if (rc < 0)
        goto out;
    if (!have_header)
        rc = nc_err(err, NC_EFORMAT, "%s: empty partial file", path);
    else
        rc = decl_check_counts(t, &d, path, err);
out:
    cJSON_Delete(o);
    lines_close(&l);
    decl_free(&d);
    return rc < 0 ? rc : NC_OK;
}


/* ------------------------------------------------- classify output reader ---- */

struct nc_scored_reader {
    tl_lines lines;
    cJSON *rec;
    const char **labels;
    double *scores;
    int *selected;
    size_t cap;
};

int nc_scored_detect(const char *path, int *yes, nc_error *err)
{
    tl_lines l;
    int rc;

    *yes = 0;
    if ((rc = lines_open(&l, path, err)) < 0)
        return rc;
    while ((rc = lines_next(&l, err)) > 0) {
        cJSON *o;
        if (is_blank(l.sb.buf))
            continue;
        o = cJSON_ParseWithLength(l.sb.buf, l.sb.len);
        *yes = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "tone")) &&
               cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o, "scores"));
        cJSON_Delete(o);
        break;
    }
    lines_close(&l);
    return rc < 0 ? rc : NC_OK;
}

int nc_scored_open(const char *path, nc_scored_reader **out, nc_error *err)
{
    nc_scored_reader *r = calloc(1, sizeof *r);
    int rc;

    *out = NULL;
    if (!r)
        return nc_err(err, NC_ENOMEM, "out of memory");
    if ((rc = lines_open(&r->lines, path, err)) < 0) {
        free(r);
        return rc;
    }
    *out = r;
    return NC_OK;
}

void nc_scored_free(nc_scored_reader *r)
{
    if (!r)
        return;
    lines_close(&r->lines);
    cJSON_Delete(r->rec);
    free(r->labels);
    free(r->scores);
    free(r->selected);
    free(r);
}

static int scored_push(nc_scored_reader *r, size_t n, const char *label, double score)
{
    if (n >= r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        const char **l = nc_realloc_array((void *)r->labels, cap, sizeof *l);
        double *s;
        int *sel;
        if (!l)
            return -1;
        r->labels = l;
        if (!(s = nc_realloc_array(r->scores, cap, sizeof *s)))
            return -1;
        r->scores = s;
        if (!(sel = nc_realloc_array(r->selected, cap, sizeof *sel)))
            return -1;
        r->selected = sel;
        r->cap = cap;
    }
    r->labels[n] = label;
    r->scores[n] = score;
    r->selected[n] = 0;
    return 0;
}

int nc_scored_next(nc_scored_reader *r, nc_scored *rec, nc_error *err)
{
    const cJSON *tone, *scores, *labels, *e;
    size_t n = 0;
    int rc;

    for (;;) {
        if ((rc = lines_next(&r->lines, err)) <= 0)
            return rc;
        if (!is_blank(r->lines.sb.buf))
            break;
    }
    cJSON_Delete(r->rec);
    r->rec = cJSON_ParseWithLength(r->lines.sb.buf, r->lines.sb.len);
    if (!cJSON_IsObject(r->rec))
        return nc_err(err, NC_EFORMAT, "%s:%ld: not a JSON object", r->lines.path,
                      r->lines.line);
    tone = cJSON_GetObjectItemCaseSensitive(r->rec, "tone");
    if (!cJSON_IsNumber(tone))
        return nc_err(err, NC_EFORMAT, "%s:%ld: no numeric 'tone' (classify with a tone model)",
                      r->lines.path, r->lines.line);
    scores = cJSON_GetObjectItemCaseSensitive(r->rec, "scores");
    for (e = cJSON_IsObject(scores) ? scores->child : NULL; e; e = e->next) {
        if (!cJSON_IsNumber(e))
            return nc_err(err, NC_EFORMAT, "%s:%ld: score of '%s' is not a number",
                          r->lines.path, r->lines.line, e->string);
        if (scored_push(r, n++, e->string, e->valuedouble) < 0)
            return nc_err(err, NC_ENOMEM, "out of memory");
    }
    labels = cJSON_GetObjectItemCaseSensitive(r->rec, "labels");
    for (e = cJSON_IsArray(labels) ? labels->child : NULL; e; e = e->next) {
        size_t i = 0;
        if (!cJSON_IsString(e))
            continue;
        while (i < n && strcmp(r->labels[i], e->valuestring) != 0)
            i++;
        if (i == n && scored_push(r, n++, e->valuestring, 1.0) < 0)
            return nc_err(err, NC_ENOMEM, "out of memory");
        r->selected[i] = 1;
    }
    rec->file = r->lines.path;
    rec->line = r->lines.line;
    rec->date = jstr(r->rec, "date");
    rec->tone = tone->valuedouble;
    rec->nlabels = n;
    rec->labels = r->labels;
    rec->scores = r->scores;
    rec->selected = r->selected;
    return 1;
}

const char *nc_scored_field(const nc_scored_reader *r, const char *name)
{
    return r->rec ? jstr(r->rec, name) : NULL;
}
