/* chart.c: renderings of a timeline: an aligned text table, CSV, one JSON object, and an SVG
 * chart.
 *
 * Everything here reads the timeline through its public accessors (nc_timeline_stats, _trend,
 * _changes), so the numbers in every format come from the same code. Missing values (NaN: an
 * empty period, a standard deviation of one article) print as "-" in the table, an empty field
 * in CSV and null in JSON. Numbers in JSON are rounded to 6 significant digits.
 *
 * The SVG is self-contained (no scripts, no external fonts) and sized 960x540: the mean tone as
 * a line over its 95% confidence band on the left axis, article counts as light bars on the
 * right axis (scaled so the bars fill the lower part of the plot and do not hide the line), a
 * dashed zero line, the rolling mean when a window is set, period labels on the x axis, and a
 * title naming the inputs, topic and model. With several series each gets a colour (the eight
 * largest are drawn) and the bars show the sum of their counts.
 * SPDX-License-Identifier: MIT */
#include <newsclass/timeline.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "util.h"

#define MAX_LINES 8

/* ---------------------------------------------------------------- shared ---- */

static const char *unit_name(nc_period p)
{
    return nc_period_name(p);
}

static int write_failed(FILE *fp, nc_error *err)
{
    if (ferror(fp))
        return nc_err(err, NC_EIO, "cannot write output: %s", strerror(errno));
    return NC_OK;
}

/* "p = 0.013", "p < 0.001" */
static void format_p(double p, char *buf, size_t n)
{
    if (!isfinite(p))
        snprintf(buf, n, "p = -");
    else if (p < 0.001)
        snprintf(buf, n, "p < 0.001");
    else
        snprintf(buf, n, "p = %.3f", p);
}

static void format_num(double v, const char *fmt, int width, char *buf, size_t n)
{
    if (isfinite(v))
        snprintf(buf, n, fmt, width, v);
    else
        snprintf(buf, n, "%*s", width, "-");
}

/* A description of the run: "topic 'sport' (weighted), grouped by 'source'". */
static void describe(const nc_timeline *t, nc_strbuf *sb)
{
    const nc_timeline_opts *o = nc_timeline_get_opts(t);

    if (!o->topic)
        nc_strbuf_addf(sb, "all articles");
    else if (strcmp(o->topic, "all") == 0)
        nc_strbuf_addf(sb, "every topic");
    else
        nc_strbuf_addf(sb, "topic '%s'", o->topic);
    if (o->weighted)
        nc_strbuf_addf(sb, " (weighted by probability)");
    if (o->group_by)
        nc_strbuf_addf(sb, ", grouped by '%s'", o->group_by);
}

/* The input names, comma-separated, as many as fit in about 'max' bytes ("a, b and 3 more");
 * a single name longer than that keeps its tail. */
static void join_inputs(const nc_timeline *t, nc_strbuf *sb, size_t max)
{
    size_t n = nc_timeline_ninputs(t);

    if (n == 0)
        nc_strbuf_addf(sb, "(no input)");
    for (size_t i = 0; i < n; i++) {
        const char *in = nc_timeline_input(t, i);
        size_t len = strlen(in), more = i + 1 < n ? 14 : 0;
        if (i == 0 && len + more > max && len > 12) {
            size_t keep = max > more + 12 ? max - more - 3 : 9;
            nc_strbuf_addf(sb, "...%s", len > keep ? in + len - keep : in);
            continue;
        }
        if (i > 0 && sb->len + 2 + len + more > max) {
            nc_strbuf_addf(sb, " and %zu more", n - i);
            break;
        }
        nc_strbuf_addf(sb, "%s%s", i ? ", " : "", in);
    }
}

/* ----------------------------------------------------------------- table ---- */

static int table_single(const nc_timeline *t, size_t s, FILE *fp, nc_error *err)
{
    const nc_timeline_opts *o = nc_timeline_get_opts(t);
    size_t np = nc_timeline_nperiods(t);
    char a[32], b[32], c[32], d[32], e[32];
    nc_tl_stats st;
    int rc;

    fprintf(fp, "%-10s %7s", "period", "n");
    if (o->weighted)
        fprintf(fp, " %7s", "n_eff");
    fprintf(fp, " %7s %6s %17s %7s %5s %5s %5s", "mean", "sd", "95% CI", "median", "neg",
            "neu", "pos");
    if (o->window > 0)
        fprintf(fp, "  mean(%d)", o->window);
    fputc('\n', fp);
    for (size_t i = 0; i < np; i++) {
        if ((rc = nc_timeline_stats(t, s, i, &st, err)) < 0)
            return rc;
        fprintf(fp, "%-10s %7llu", st.label, (unsigned long long)st.n);
        if (o->weighted) {
            format_num(st.n ? st.n_eff : NAN, "%*.1f", 7, a, sizeof a);
            fprintf(fp, " %s", a);
        }
        format_num(st.mean, "%+*.3f", 7, a, sizeof a);
        format_num(st.sd, "%*.3f", 6, b, sizeof b);
        if (isfinite(st.ci_lo))
            snprintf(c, sizeof c, "[%+.3f, %+.3f]", st.ci_lo, st.ci_hi);
        else
            snprintf(c, sizeof c, "-");
        format_num(st.median, "%+*.3f", 7, d, sizeof d);
        fprintf(fp, " %s %s %17s %s", a, b, c, d);
        if (st.n)
            fprintf(fp, " %4.0f%% %4.0f%% %4.0f%%", 100 * st.share_neg, 100 * st.share_neu,
                    100 * st.share_pos);
        else
            fprintf(fp, " %5s %5s %5s", "-", "-", "-");
        if (o->window > 0) {
            format_num(st.rolling, "%+*.3f", 9, e, sizeof e);
            fprintf(fp, " %s", e);
        }
        fputc('\n', fp);
    }
    return NC_OK;
}

static int table_multi(const nc_timeline *t, FILE *fp, nc_error *err)
{
    size_t ns = nc_timeline_nseries(t), np = nc_timeline_nperiods(t);
    char a[32], b[32];
    nc_tl_stats st;
    int rc;

    fprintf(fp, "%-10s", "");
    for (size_t s = 0; s < ns; s++)
        fprintf(fp, " | %-29.29s", nc_timeline_series_name(t, s));
    fprintf(fp, "\n%-10s", "period");
    for (size_t s = 0; s < ns; s++)
        fprintf(fp, " | %5s %7s %15s", "n", "mean", "95% CI");
    fputc('\n', fp);
    for (size_t i = 0; i < np; i++) {
        for (size_t s = 0; s < ns; s++) {
            if ((rc = nc_timeline_stats(t, s, i, &st, err)) < 0)
                return rc;
            if (s == 0)
                fprintf(fp, "%-10s", st.label);
            format_num(st.mean, "%+*.3f", 7, a, sizeof a);
            if (isfinite(st.ci_lo))
                snprintf(b, sizeof b, "[%+.2f, %+.2f]", st.ci_lo, st.ci_hi);
            else
                snprintf(b, sizeof b, "-");
            fprintf(fp, " | %5llu %s %15s", (unsigned long long)st.n, a, b);
        }
        fputc('\n', fp);
    }
    return NC_OK;
}

static int table_summary(const nc_timeline *t, size_t s, int multi, FILE *fp, nc_error *err)
{
    const char *unit = unit_name(nc_timeline_get_opts(t)->by);
    nc_tl_trend tr;
    nc_tl_change ch[NC_TL_MAX_CHANGES];
    nc_tl_stats s1, s2;
    size_t nch;
    char p[32], tt[32];
    int rc;

    if (multi)
        fprintf(fp, "\n%s:\n", nc_timeline_series_name(t, s));
    else
        fputc('\n', fp);
    if (nc_timeline_trend(t, s, &tr, NULL) == NC_OK) {
        format_p(tr.p, p, sizeof p);
        format_num(tr.t, "%*.2f", 1, tt, sizeof tt);
        fprintf(fp,
                "trend: %+.3g per %s (SE %.3g, 95%% CI [%+.3g, %+.3g], t = %s, df = %.0f, %s)"
                " over %zu %ss with articles\n",
                tr.slope, unit, tr.se, tr.ci_lo, tr.ci_hi, tt, tr.df, p, tr.npoints, unit);
    } else {
        fprintf(fp, "trend: not enough periods with articles (need 3)\n");
    }
    if ((rc = nc_timeline_changes(t, s, ch, &nch, err)) < 0)
        return rc;
    if (nch == 0) {
        fprintf(fp, "notable changes: none (windows of %d %ss, Welch t-test, p < 0.05)\n",
                nc_timeline_get_opts(t)->window > 0 ? nc_timeline_get_opts(t)->window : 3,
                unit);
        return NC_OK;
    }
    fprintf(fp, "notable changes (windows of %zu %ss, Welch t-test, p < 0.05; %zu boundaries "
                "tested, no correction for multiple tests):\n",
            ch[0].width, unit, nc_timeline_nperiods(t) - 2 * ch[0].width + 1);
    for (size_t i = 0; i < nch; i++) {
        if ((rc = nc_timeline_stats(t, s, ch[i].before, &s1, err)) < 0 ||
            (rc = nc_timeline_stats(t, s, ch[i].after, &s2, err)) < 0)
            return rc;
        format_p(ch[i].test.p, p, sizeof p);
        fprintf(fp, "  from %s: %+.3f -> %+.3f (shift %+.3f, t = %.2f, df = %.1f, %s)\n",
                s2.label, ch[i].mean_before, ch[i].mean_after, ch[i].shift, ch[i].test.t,
                ch[i].test.df, p);
    }
    return NC_OK;
}

static int write_table(const nc_timeline *t, FILE *fp, nc_error *err)
{
    size_t ns = nc_timeline_nseries(t), np = nc_timeline_nperiods(t);
    const char *unit = unit_name(nc_timeline_get_opts(t)->by);
    nc_strbuf sb = NC_STRBUF_INIT;
    nc_tl_stats first, last;
    int rc = NC_OK;

    describe(t, &sb);
    fprintf(fp, "tone by %s: %s", unit, sb.buf ? sb.buf : "");
    if (nc_timeline_model(t))
        fprintf(fp, ", model %s", nc_timeline_model(t));
    nc_strbuf_reset(&sb);
    join_inputs(t, &sb, 200);
    fprintf(fp, "\ninput: %s\n", sb.buf ? sb.buf : "");
    nc_strbuf_finish(&sb);
    if (np == 0 || ns == 0) {
        fprintf(fp, np == 0 ? "no dated articles\n" : "no article in any series\n");
        return write_failed(fp, err);
    }
    if ((rc = nc_timeline_stats(t, 0, 0, &first, err)) < 0 ||
        (rc = nc_timeline_stats(t, 0, np - 1, &last, err)) < 0)
        return rc;
    fprintf(fp, "%llu articles, %s to %s (%zu %ss)\n\n",
            (unsigned long long)nc_timeline_narticles(t), first.label, last.label, np, unit);
    rc = ns == 1 ? table_single(t, 0, fp, err) : table_multi(t, fp, err);
    for (size_t s = 0; rc == NC_OK && s < ns; s++)
        rc = table_summary(t, s, ns > 1, fp, err);
    return rc < 0 ? rc : write_failed(fp, err);
}

/* ------------------------------------------------------------------- CSV ---- */

static void csv_field(FILE *fp, const char *s)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', fp);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', fp);
            fputc(*s, fp);
        }
        fputc('"', fp);
    } else {
        fputs(s, fp);
    }
}

static void csv_num(FILE *fp, double v)
{
    fputc(',', fp);
    if (isfinite(v))
        fprintf(fp, "%.6g", v);
}

static int write_csv(const nc_timeline *t, FILE *fp, nc_error *err)
{
    size_t ns = nc_timeline_nseries(t), np = nc_timeline_nperiods(t);
    char d1[16], d2[16];
    nc_tl_stats st;
    int rc;

    fputs("series,period,first_day,last_day,n,sum_w,n_eff,mean,sd,ci95_low,ci95_high,median,"
          "median_exact,share_negative,share_neutral,share_positive,rolling_mean\n",
          fp);
    for (size_t s = 0; s < ns; s++) {
        for (size_t i = 0; i < np; i++) {
            if ((rc = nc_timeline_stats(t, s, i, &st, err)) < 0)
                return rc;
            nc_date_format(st.first_day, d1, sizeof d1);
            nc_date_format(st.last_day, d2, sizeof d2);
            csv_field(fp, nc_timeline_series_name(t, s));
            fprintf(fp, ",%s,%s,%s,%llu", st.label, d1, d2, (unsigned long long)st.n);
            csv_num(fp, st.sum_w);
            csv_num(fp, st.n_eff);
            csv_num(fp, st.mean);
            csv_num(fp, st.sd);
            csv_num(fp, st.ci_lo);
            csv_num(fp, st.ci_hi);
            csv_num(fp, st.median);
            fprintf(fp, ",%s", st.n ? (st.median_exact ? "1" : "0") : "");
            csv_num(fp, st.share_neg);
            csv_num(fp, st.share_neu);
            csv_num(fp, st.share_pos);
            csv_num(fp, st.rolling);
            fputc('\n', fp);
        }
    }
    return write_failed(fp, err);
}

/* ------------------------------------------------------------------ JSON ---- */

static int jadd_num(cJSON *o, const char *name, double v)
{
    char buf[32];
    if (!isfinite(v))
        return cJSON_AddNullToObject(o, name) != NULL;
    snprintf(buf, sizeof buf, "%.6g", v);
    return cJSON_AddNumberToObject(o, name, strtod(buf, NULL)) != NULL;
}

static int jadd_str(cJSON *o, const char *name, const char *v)
{
    return (v ? cJSON_AddStringToObject(o, name, v) : cJSON_AddNullToObject(o, name)) != NULL;
}

static cJSON *json_period(const nc_timeline *t, size_t s, const nc_tl_stats *st)
{
    cJSON *o = cJSON_CreateObject(), *sh;
    char d1[16], d2[16];
    int ok = o != NULL;

    nc_date_format(st->first_day, d1, sizeof d1);
    nc_date_format(st->last_day, d2, sizeof d2);
    ok = ok && jadd_str(o, "series", nc_timeline_series_name(t, s));
    ok = ok && jadd_str(o, "period", st->label);
    ok = ok && jadd_str(o, "first_day", d1);
    ok = ok && jadd_str(o, "last_day", d2);
    ok = ok && jadd_num(o, "n", (double)st->n);
    ok = ok && jadd_num(o, "sum_w", st->sum_w);
    ok = ok && jadd_num(o, "n_eff", st->n_eff);
    ok = ok && jadd_num(o, "mean", st->mean);
    ok = ok && jadd_num(o, "sd", st->sd);
    ok = ok && jadd_num(o, "ci95_low", st->ci_lo);
    ok = ok && jadd_num(o, "ci95_high", st->ci_hi);
    ok = ok && jadd_num(o, "median", st->median);
    ok = ok && cJSON_AddBoolToObject(o, "median_exact", st->n && st->median_exact);
    ok = ok && (sh = cJSON_AddObjectToObject(o, "shares"));
    ok = ok && jadd_num(sh, "negative", st->share_neg);
    ok = ok && jadd_num(sh, "neutral", st->share_neu);
    ok = ok && jadd_num(sh, "positive", st->share_pos);
    ok = ok && jadd_num(o, "rolling_mean", st->rolling);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *json_trend(const nc_timeline *t, size_t s)
{
    cJSON *o = cJSON_CreateObject();
    nc_tl_trend tr;
    int ok = o != NULL;

    nc_timeline_trend(t, s, &tr, NULL); /* too few periods: the fields stay null */
    ok = ok && jadd_str(o, "series", nc_timeline_series_name(t, s));
    ok = ok && jadd_str(o, "unit", nc_period_name(nc_timeline_get_opts(t)->by));
    ok = ok && jadd_num(o, "periods_with_articles", (double)tr.npoints);
    ok = ok && jadd_num(o, "intercept", tr.intercept);
    ok = ok && jadd_num(o, "slope", tr.slope);
    ok = ok && jadd_num(o, "se", tr.se);
    ok = ok && jadd_num(o, "ci95_low", tr.ci_lo);
    ok = ok && jadd_num(o, "ci95_high", tr.ci_hi);
    ok = ok && jadd_num(o, "t", tr.t);
    ok = ok && jadd_num(o, "df", tr.df);
    ok = ok && jadd_num(o, "p", tr.p);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *json_window(const nc_timeline *t, size_t s, size_t first, size_t width,
                          double mean, double neff)
{
    cJSON *o = cJSON_CreateObject();
    nc_tl_stats a, b;
    int ok = o != NULL;

    ok = ok && nc_timeline_stats(t, s, first, &a, NULL) == NC_OK &&
         nc_timeline_stats(t, s, first + width - 1, &b, NULL) == NC_OK;
    ok = ok && jadd_str(o, "from", a.label) && jadd_str(o, "to", b.label);
    ok = ok && jadd_num(o, "mean", mean) && jadd_num(o, "n_eff", neff);
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static int write_json(const nc_timeline *t, FILE *fp, nc_error *err)
{
    const nc_timeline_opts *o = nc_timeline_get_opts(t);
    size_t ns = nc_timeline_nseries(t), np = nc_timeline_nperiods(t);
    cJSON *root = cJSON_CreateObject(), *a, *periods, *trend, *changes, *item;
    nc_tl_change ch[NC_TL_MAX_CHANGES];
    nc_tl_stats st;
    char *text = NULL;
    int ok = root != NULL, rc = NC_OK;

    ok = ok && jadd_str(root, "by", nc_period_name(o->by));
    ok = ok && jadd_str(root, "topic", o->topic);
    ok = ok && cJSON_AddBoolToObject(root, "weighted", o->weighted);
    ok = ok && jadd_str(root, "group_by", o->group_by);
    ok = ok && jadd_num(root, "window", o->window);
    ok = ok && jadd_num(root, "change_window", o->window > 0 ? o->window : 3);
    ok = ok && jadd_str(root, "model", nc_timeline_model(t));
    ok = ok && (a = cJSON_AddArrayToObject(root, "inputs"));
    for (size_t i = 0; ok && i < nc_timeline_ninputs(t); i++)
        ok = cJSON_AddItemToArray(a, cJSON_CreateString(nc_timeline_input(t, i)));
    ok = ok && jadd_num(root, "articles", (double)nc_timeline_narticles(t));
    ok = ok && jadd_num(root, "skipped", (double)nc_timeline_nskipped(t));
    ok = ok && (a = cJSON_AddArrayToObject(root, "series"));
    for (size_t s = 0; ok && s < ns; s++)
        ok = cJSON_AddItemToArray(a, cJSON_CreateString(nc_timeline_series_name(t, s)));
    ok = ok && (periods = cJSON_AddArrayToObject(root, "periods"));
    ok = ok && (trend = cJSON_AddArrayToObject(root, "trend"));
    ok = ok && (changes = cJSON_AddArrayToObject(root, "changes"));
    for (size_t s = 0; ok && s < ns; s++) {
        size_t nch = 0;
        for (size_t i = 0; ok && i < np; i++) {
            if ((rc = nc_timeline_stats(t, s, i, &st, err)) < 0)
                goto out;
            ok = cJSON_AddItemToArray(periods, json_period(t, s, &st));
        }
        ok = ok && cJSON_AddItemToArray(trend, json_trend(t, s));
        if (ok && (rc = nc_timeline_changes(t, s, ch, &nch, err)) < 0)
            goto out;
        for (size_t i = 0; ok && i < nch; i++) {
            ok = (item = cJSON_CreateObject()) && cJSON_AddItemToArray(changes, item);
            ok = ok && jadd_str(item, "series", nc_timeline_series_name(t, s));
            ok = ok && cJSON_AddItemToObject(item, "before",
                                             json_window(t, s, ch[i].before, ch[i].width,
                                                         ch[i].mean_before, ch[i].n_before));
            ok = ok && cJSON_AddItemToObject(item, "after",
                                             json_window(t, s, ch[i].after, ch[i].width,
                                                         ch[i].mean_after, ch[i].n_after));
            ok = ok && jadd_num(item, "shift", ch[i].shift);
            ok = ok && jadd_num(item, "t", ch[i].test.t);
            ok = ok && jadd_num(item, "df", ch[i].test.df);
            ok = ok && jadd_num(item, "p", ch[i].test.p);
        }
    }
    if (!ok || !(text = cJSON_PrintUnformatted(root))) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    fputs(text, fp);
    fputc('\n', fp);
    rc = write_failed(fp, err);
out:
    cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}

int nc_timeline_write(const nc_timeline *t, nc_tl_format f, FILE *fp, nc_error *err)
{
    switch (f) {
    case NC_TL_TABLE:
        return write_table(t, fp, err);
    case NC_TL_CSV:
        return write_csv(t, fp, err);
    case NC_TL_JSON: {
        size_t ns = nc_timeline_nseries(t), np = nc_timeline_nperiods(t);
        if (np && ns > NC_TL_MAX_JSON_ROWS / np)
            return nc_err(err, NC_EINVAL, "the JSON would hold %zu series x %zu periods, more "
                          "than the %d rows one JSON object is kept to: use --csv (written as "
                          "it goes), --by week or month, --since/--until, or fewer series",
                          ns, np, NC_TL_MAX_JSON_ROWS);
        return write_json(t, fp, err);
    }
    }
    return nc_err(err, NC_EINVAL, "unknown output format %d", (int)f);
}

/* ------------------------------------------------------------------- SVG ---- */

typedef struct frame {
    double x0, x1, y0, y1;  /* plot area: left, right, top, bottom */
    double lo, hi;          /* tone axis range */
    double cmax;            /* count axis range 0..cmax */
    size_t np;
} frame;

static double fx(const frame *f, size_t i)
{
    return f->x0 + ((double)i + 0.5) * (f->x1 - f->x0) / (double)f->np;
}

static double fy(const frame *f, double v)
{
    return f->y1 - (v - f->lo) / (f->hi - f->lo) * (f->y1 - f->y0);
}

static double fc(const frame *f, double c)
{
    return f->y1 - c / f->cmax * (f->y1 - f->y0);
}

/* A "nice" step (1, 2, 2.5 or 5 times a power of ten) near range/target. */
static double nice_step(double range, int target)
{
    double raw = range / target, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return mag * (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10);
}

static const char *palette[MAX_LINES] = { "#1f5fa8", "#d1495b", "#2a9d55", "#e09f1f",
                                          "#7b4fa8", "#00a6a6", "#8c564b", "#555555" };

typedef struct series_info {
    size_t s;
    double total;
} series_info;

static int info_cmp(const void *a, const void *b)
{
    const series_info *x = a, *y = b;
    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return x->s < y->s ? -1 : x->s > y->s;
}

#define ROLLING_COLOUR "#d95f02"
#define TREND_COLOUR "#222222"
#define CHANGE_COLOUR "#8e2c8e"

static int dense(const frame *f)
{
    return f->np > 200;
}

/* Bands for one series, or for up to 3 series over not too many periods (else noise). */
static int draw_bands(const frame *f, size_t nlines)
{
    return nlines <= 1 || (nlines <= 3 && !dense(f));
}

/* Mean line (broken at empty periods), dots, the 95% band and the rolling mean of one series
 * (band: the number of series drawn). With several series and a window, only the rolling means
 * are drawn: raw means of many series on top of each other cannot be read. */
static int svg_series(const nc_timeline *t, size_t s, const frame *f, const char *colour,
                      int band, FILE *fp, nc_error *err)
{
    nc_tl_stats *st = nc_alloc_array(f->np, sizeof *st);
    int rc = NC_OK, pen, multi = band > 1, window = nc_timeline_get_opts(t)->window > 0;

    if (!st)
        return nc_err(err, NC_ENOMEM, "out of memory");
    for (size_t i = 0; i < f->np; i++)
        if ((rc = nc_timeline_stats(t, s, i, &st[i], err)) < 0)
            goto out;
    if (draw_bands(f, (size_t)band)) {
        /* one polygon per run of periods with a finite interval */
        for (size_t i = 0; i < f->np;) {
            size_t j = i;
            while (j < f->np && isfinite(st[j].ci_lo))
                j++;
            if (j > i) {
                fprintf(fp, "<polygon fill=\"%s\" fill-opacity=\"%s\" stroke=\"none\" points=\"",
                        colour, band > 1 ? "0.12" : "0.22");
                for (size_t k = i; k < j; k++)
                    fprintf(fp, "%.1f,%.1f ", fx(f, k) - (j - i == 1 ? 3 : 0),
                            fy(f, fmin(fmax(st[k].ci_hi, f->lo), f->hi)));
                if (j - i == 1)
                    fprintf(fp, "%.1f,%.1f ", fx(f, i) + 3,
                            fy(f, fmin(fmax(st[i].ci_hi, f->lo), f->hi)));
                if (j - i == 1)
                    fprintf(fp, "%.1f,%.1f ", fx(f, i) + 3,
                            fy(f, fmin(fmax(st[i].ci_lo, f->lo), f->hi)));
                for (size_t k = j; k-- > i;)
                    fprintf(fp, "%.1f,%.1f ", fx(f, k) - (j - i == 1 ? 3 : 0),
                            fy(f, fmin(fmax(st[k].ci_lo, f->lo), f->hi)));
                fputs("\"/>\n", fp);
                i = j;
            } else {
                i++;
            }
        }
    }
    if (multi && window)
        goto rolling;
    /* many periods: a thin, lighter mean line, so the rolling mean stands out over it */
    fprintf(fp, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-opacity=\"%s\" "
                "stroke-linejoin=\"round\" d=\"",
            colour, dense(f) ? "0.8" : "2", dense(f) && band == 1 ? "0.6" : "1");
    pen = 0;
    for (size_t i = 0; i < f->np; i++) {
        if (!isfinite(st[i].mean)) {
            pen = 0;
            continue;
        }
        fprintf(fp, "%c%.1f,%.1f ", pen ? 'L' : 'M', fx(f, i), fy(f, st[i].mean));
        pen = 1;
    }
    fputs("\"/>\n", fp);
    if (f->np <= 120) {
        for (size_t i = 0; i < f->np; i++)
            if (isfinite(st[i].mean))
                fprintf(fp, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n",
                        fx(f, i), fy(f, st[i].mean), colour);
    }
rolling:
    if (window) {
        /* one series: a solid contrasting line; several: solid in the series colour */
        fprintf(fp, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" d=\"",
                multi ? colour : ROLLING_COLOUR, multi && dense(f) ? "1.2" : "2.2");
        pen = 0;
        for (size_t i = 0; i < f->np; i++) {
            if (!isfinite(st[i].rolling)) {
                pen = 0;
                continue;
            }
            fprintf(fp, "%c%.1f,%.1f ", pen ? 'L' : 'M', fx(f, i), fy(f, st[i].rolling));
            pen = 1;
        }
        fputs("\"/>\n", fp);
    }
out:
    free(st);
    return rc;
}

/* One legend entry at (*x, *y); wraps to a new row before the right edge 'xmax'. */
static void legend_item(FILE *fp, double *x, double *y, double x0, double xmax,
                        const char *kind, const char *colour, const char *label)
{
    double w = 28 + 6.8 * (double)strlen(label) + 20, ly;

    if (*x > x0 && *x + w > xmax) {
        *x = x0;
        *y += 18;
    }
    ly = *y;
    if (strcmp(kind, "line") == 0 || strcmp(kind, "dash") == 0 || strcmp(kind, "dot") == 0)
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"2\"%s/>\n",
                *x, ly, *x + 22, ly, colour,
                kind[1] == 'a' ? " stroke-dasharray=\"6,3\""
                               : kind[1] == 'o' ? " stroke-dasharray=\"2,3\"" : "");
    else if (strcmp(kind, "vline") == 0)
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"1.2\" stroke-dasharray=\"3,2\"/>\n",
                *x + 11, ly - 7, *x + 11, ly + 7, colour);
    else if (strcmp(kind, "none") != 0)
        fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"22\" height=\"10\" fill=\"%s\" "
                    "fill-opacity=\"%s\"/>\n",
                *x, ly - 5, colour, strcmp(kind, "band") == 0 ? "0.22" : "0.6");
    if (strcmp(kind, "none") == 0)
        *x -= 28;
    fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">", *x + 28, ly + 4);
    nc_xml_text(fp, label);
    fputs("</text>\n", fp);
    *x += w;
}

/* The trend line and the notable changes of a single series, with their legend texts. */
static int svg_trend_changes(const nc_timeline *t, const frame *f, FILE *fp, nc_strbuf *trend,
                             nc_strbuf *changes, nc_error *err)
{
    nc_tl_trend tr;
    nc_tl_change ch[NC_TL_MAX_CHANGES];
    size_t nch;
    int rc;

    if (nc_timeline_trend(t, 0, &tr, NULL) == NC_OK) {
        double ya = tr.intercept, yb = tr.intercept + tr.slope * (double)(f->np - 1);
        char p[32];
        format_p(tr.p, p, sizeof p);
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"2\" stroke-dasharray=\"2,3\"/>\n",
                fx(f, 0), fy(f, fmin(fmax(ya, f->lo), f->hi)), fx(f, f->np - 1),
                fy(f, fmin(fmax(yb, f->lo), f->hi)), TREND_COLOUR);
        nc_strbuf_addf(trend, "trend %+.3g per %s (%s)", tr.slope,
                       nc_period_name(nc_timeline_get_opts(t)->by), p);
    }
    if ((rc = nc_timeline_changes(t, 0, ch, &nch, err)) < 0)
        return rc;
    double placed[NC_TL_MAX_CHANGES];
    int row_of[NC_TL_MAX_CHANGES];
    for (size_t i = 0; i < nch; i++) {
        double x = (fx(f, ch[i].after - 1) + fx(f, ch[i].after)) / 2;
        int row = 0;
        /* labels of nearby changes go on lower rows instead of overprinting each other */
        for (size_t k = 0; k < i; k++)
            if (fabs(placed[k] - x) < 40 && row_of[k] >= row)
                row = row_of[k] + 1;
        placed[i] = x;
        row_of[i] = row;
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"1.2\" stroke-dasharray=\"3,2\"/>\n",
                x, f->y0, x, f->y1, CHANGE_COLOUR);
        fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" fill=\"%s\">%+.2f</text>\n",
                x + 3, f->y0 + 12 + 12 * row, CHANGE_COLOUR, ch[i].shift);
    }
    if (nch)
        nc_strbuf_addf(changes, "notable change (shift of the mean, Welch p < 0.05)");
    return NC_OK;
}

int nc_timeline_write_svg(const nc_timeline *t, FILE *fp, nc_error *err)
{
    const double W = 960, H = 580;
    const nc_timeline_opts *o = nc_timeline_get_opts(t);
    size_t ns = nc_timeline_nseries(t), np = nc_timeline_nperiods(t), nlines;
    series_info *info = NULL;
    double *count = NULL, lo = 0, hi = 0, step, cmax = 0, lx;
    frame f;
    nc_tl_stats st;
    nc_strbuf sb = NC_STRBUF_INIT, trend = NC_STRBUF_INIT, changes = NC_STRBUF_INIT;
    int rc = NC_OK;
    char label[16];

    info = nc_alloc_array(ns ? ns : 1, sizeof *info);
    count = nc_alloc_array(np ? np : 1, sizeof *count);
    if (!info || !count) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    /* counts summed over series; the series drawn are the largest */
    for (size_t i = 0; i < np; i++)
        count[i] = 0;
    for (size_t s = 0; s < ns; s++) {
        info[s].s = s;
        info[s].total = 0;
        for (size_t i = 0; i < np; i++) {
            if ((rc = nc_timeline_stats(t, s, i, &st, err)) < 0)
                goto out;
            count[i] += (double)st.n;
            info[s].total += (double)st.n;
        }
    }
    for (size_t i = 0; i < np; i++)
        cmax = fmax(cmax, count[i]);
    qsort(info, ns, sizeof *info, info_cmp);
    nlines = ns < MAX_LINES ? ns : MAX_LINES;
    f.np = np ? np : 1;
    /* tone range: what is drawn (means, bands, rolling means) and 0 */
    for (size_t k = 0; k < nlines; k++) {
        int means = nlines == 1 || o->window == 0, bands = draw_bands(&f, nlines);
        for (size_t i = 0; i < np; i++) {
            double v[4];
            if ((rc = nc_timeline_stats(t, info[k].s, i, &st, err)) < 0)
                goto out;
            v[0] = means ? st.mean : NAN;
            v[1] = bands ? st.ci_lo : NAN;
            v[2] = bands ? st.ci_hi : NAN;
            v[3] = st.rolling;
            for (int j = 0; j < 4; j++) {
                if (isfinite(v[j])) {
                    lo = fmin(lo, v[j]);
                    hi = fmax(hi, v[j]);
                }
            }
        }
    }

    lo = fmax(-1, lo - 0.05 * (hi - lo + 0.1));
    hi = fmin(1, hi + 0.05 * (hi - lo + 0.1));
    step = nice_step(hi - lo, 6);
    f.lo = fmax(-1, floor(lo / step - 1e-9) * step);
    f.hi = fmin(1, ceil(hi / step + 1e-9) * step);
    if (f.hi - f.lo < 1e-9)
        f.lo = -1, f.hi = 1;
    f.x0 = 78;
    f.x1 = W - 84;
    f.y0 = 72;
    f.y1 = H - 110;
    {
        /* bars fill at most ~40% of the height: the count axis runs to 2.5x the largest */
        double cstep = nice_step(cmax > 0 ? cmax * 2.5 : 10, 5);
        if (cstep < 1)
            cstep = 1;
        f.cmax = ceil((cmax > 0 ? cmax * 2.5 : 10) / cstep) * cstep;

        fprintf(fp, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
                    "viewBox=\"0 0 %.0f %.0f\" font-family=\"DejaVu Sans, Arial, sans-serif\">\n"
                    "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                W, H, W, H);
        /* title and subtitle */
        join_inputs(t, &sb, 64);
        fputs("<text x=\"78\" y=\"30\" font-size=\"18\" font-weight=\"bold\">Tone over time: ",
              fp);
        nc_xml_text(fp, sb.buf ? sb.buf : "");
        fputs("</text>\n", fp);
        nc_strbuf_reset(&sb);
        describe(t, &sb);
        nc_strbuf_addf(&sb, " \xc2\xb7 by %s \xc2\xb7 model: %s \xc2\xb7 %llu articles",
                       nc_period_name(o->by), nc_timeline_model(t) ? nc_timeline_model(t) : "-",
                       (unsigned long long)nc_timeline_narticles(t));
        fputs("<text x=\"78\" y=\"52\" font-size=\"13\" fill=\"#444\">", fp);
        nc_xml_text(fp, sb.buf ? sb.buf : "");
        fputs("</text>\n", fp);

        /* count axis (right) and bars */
        fprintf(fp, "<g font-size=\"11\" fill=\"#777\" text-anchor=\"start\">\n");
        for (double c = 0; c <= f.cmax + 1e-9; c += cstep)
            fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">%.0f</text>\n", f.x1 + 8, fc(&f, c) + 4, c);
        fputs("</g>\n", fp);
        {
            double bw = (f.x1 - f.x0) / (double)f.np * 0.7;
            if (bw < 1)
                bw = 1;
            for (size_t i = 0; i < np; i++)
                if (count[i] > 0)
                    fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                "fill=\"#c8c2b8\" fill-opacity=\"0.6\"/>\n",
                            fx(&f, i) - bw / 2, fc(&f, count[i]), bw, f.y1 - fc(&f, count[i]));
        }
        /* tone axis (left): grid, ticks, zero line */
        fputs("<g font-size=\"11\" fill=\"#333\" text-anchor=\"end\">\n", fp);
        for (double v = f.lo; v <= f.hi + 1e-9; v += step) {
            double y = fy(&f, v);
            fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e6e6e6\"/>\n",
                    f.x0, y, f.x1, y);
            if (fabs(v) < 1e-9)
                fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">0</text>\n", f.x0 - 8, y + 4);
            else
                fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">%+.2f</text>\n", f.x0 - 8, y + 4, v);
        }
        fputs("</g>\n", fp);
    }
    if (f.lo < 0 && f.hi > 0)
        fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333\" "
                    "stroke-width=\"1\" stroke-dasharray=\"4,3\"/>\n",
                f.x0, fy(&f, 0), f.x1, fy(&f, 0));
    fprintf(fp, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
                "stroke=\"#999\"/>\n",
            f.x0, f.y0, f.x1 - f.x0, f.y1 - f.y0);

    /* series (largest first, so the largest is drawn at the bottom) */
    for (size_t k = 0; k < nlines; k++)
        if ((rc = svg_series(t, info[k].s, &f, palette[k], (int)nlines, fp, err)) < 0)
            goto out;
    if (ns == 1 && np > 0 && (rc = svg_trend_changes(t, &f, fp, &trend, &changes, err)) < 0)
        goto out;

    /* x axis: period labels, as many as fit */
    if (np > 0 && ns > 0) {
        double slot = (f.x1 - f.x0) / (double)np, lw;
        size_t every;
        nc_period_label(o->by, 0, label, sizeof label);
        lw = 7.0 * (double)strlen(label) + 14;
        every = (size_t)ceil(lw / slot);
        if (every < 1)
            every = 1;
        fputs("<g font-size=\"11\" fill=\"#333\" text-anchor=\"middle\">\n", fp);
        for (size_t i = 0; i < np; i += every) {
            if ((rc = nc_timeline_stats(t, 0, i, &st, err)) < 0)
                goto out;
            fprintf(fp, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\"/>\n",
                    fx(&f, i), f.y1, fx(&f, i), f.y1 + 5);
            fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", fx(&f, i), f.y1 + 18,
                    st.label);
        }
        fputs("</g>\n", fp);
    } else {
        fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"14\" text-anchor=\"middle\">"
                    "no articles to show</text>\n",
                (f.x0 + f.x1) / 2, (f.y0 + f.y1) / 2);
    }
    /* axis titles */
    fprintf(fp, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\" text-anchor=\"middle\">%s%s</text>\n",
            (f.x0 + f.x1) / 2, f.y1 + 40,
            o->by == NC_PERIOD_WEEK ? "ISO week, Monday start" : o->by == NC_PERIOD_DAY ? "day"
                                                                                     : "month",
            " (dates as published, not converted to UTC)");
    fprintf(fp, "<text transform=\"translate(22,%.1f) rotate(-90)\" font-size=\"12\" "
                "text-anchor=\"middle\">mean tone (-1 negative, +1 positive)</text>\n",
            (f.y0 + f.y1) / 2);
    fprintf(fp, "<text transform=\"translate(%.1f,%.1f) rotate(90)\" font-size=\"12\" "
                "fill=\"#777\" text-anchor=\"middle\">articles per %s</text>\n",
            W - 22, (f.y0 + f.y1) / 2, nc_period_name(o->by));

    /* legend */
    {
        double ly = H - 44, xmax = W - 20;
        lx = f.x0;
        if (nlines <= 1) {
            legend_item(fp, &lx, &ly, f.x0, xmax, "line", palette[0], "mean tone");
            legend_item(fp, &lx, &ly, f.x0, xmax, "band", palette[0], "95% CI of the mean");
        } else {
            for (size_t k = 0; k < nlines; k++)
                legend_item(fp, &lx, &ly, f.x0, xmax, "line", palette[k],
                            nc_timeline_series_name(t, info[k].s));
            if (ns > nlines) {
                nc_strbuf_reset(&sb);
                nc_strbuf_addf(&sb, "(the %zu largest of %zu series)", nlines, ns);
                legend_item(fp, &lx, &ly, f.x0, xmax, "none", "none", sb.buf ? sb.buf : "");
            }
            if (draw_bands(&f, nlines))
                legend_item(fp, &lx, &ly, f.x0, xmax, "band", "#555", "95% CI (shaded)");
        }
        if (o->window > 0 && nlines > 1) {
            nc_strbuf_reset(&sb);
            nc_strbuf_addf(&sb, "lines: rolling means over %d %ss", o->window,
                           nc_period_name(o->by));
            legend_item(fp, &lx, &ly, f.x0, xmax, "none", "none", sb.buf ? sb.buf : "");
        } else if (o->window > 0) {
            nc_strbuf_reset(&sb);
            nc_strbuf_addf(&sb, "rolling mean (%d %ss)", o->window, nc_period_name(o->by));
            legend_item(fp, &lx, &ly, f.x0, xmax, "line", ROLLING_COLOUR, sb.buf ? sb.buf : "");
        }
        legend_item(fp, &lx, &ly, f.x0, xmax, "bar", "#c8c2b8",
                    nlines > 1 ? "articles (sum over series)" : "articles");
        if (trend.len)
            legend_item(fp, &lx, &ly, f.x0, xmax, "dot", TREND_COLOUR, trend.buf);
        if (changes.len)
            legend_item(fp, &lx, &ly, f.x0, xmax, "vline", CHANGE_COLOUR, changes.buf);
    }
    fputs("</svg>\n", fp);
    rc = write_failed(fp, err);
out:
    nc_strbuf_finish(&changes);
    nc_strbuf_finish(&trend);
    nc_strbuf_finish(&sb);
    free(count);
    free(info);
    return rc;
}

int nc_timeline_save_svg(const nc_timeline *t, const char *path, nc_error *err)
{
    nc_outfile of;
    int rc;

    if ((rc = nc_outfile_open(&of, path, err)) < 0)
        return rc;
    if ((rc = nc_timeline_write_svg(t, of.fp, err)) < 0) {
        nc_outfile_abort(&of);
        return nc_err_prefix(err, "%s", path);
    }
    return nc_outfile_commit(&of, err);
}
