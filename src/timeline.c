/* timeline.c: tone over time: calendar arithmetic, period buckets, sufficient statistics per
 * period, trend and change detection.
 *
 * Design. A timeline holds series (found by name through a small open-addressing hash); a
 * series holds a dense array of period pointers indexed by key - base, allocated lazily, so
 * memory is O(series x periods) and never depends on the number of articles. Each period keeps
 * integer sums in fixed point (tone and weight in units of 2^-24, see NC_TL_SCALE_BITS): the
 * count, sum w, sum w^2, sum wx and sum wx^2 in 128-bit integers, the weight per tone class, a
 * 200-bin histogram over [-1, 1] and, up to NC_TL_EXACT_MAX articles, the quantised tones
 * themselves. Integer addition is associative, so a run over shards merged with
 * nc_timeline_merge_partial gives bit-identical statistics to one run over the whole corpus,
 * whatever the order; the quantisation error (6e-8) is far below what is reported. The struct
 * layouts and the accumulator operations that merging needs are shared with src/timeline_io.c
 * through src/timeline_impl.h.
 *
 * Medians: exact (the weighted median of the kept tones) while a period has at most
 * NC_TL_EXACT_MAX articles, else interpolated inside the histogram bin that holds the middle
 * weight, so within 0.005 of the true median (bins are 0.01 wide).
 *
 * This module does not read articles or run models (the CLI does, with nc_reader and
 * nc_classify), does no file I/O (partial files and the reader of `newsclass classify --format
 * json` output are in src/timeline_io.c) and does not render anything (src/chart.c writes
 * tables, CSV, JSON and SVG).
 * SPDX-License-Identifier: MIT */
#include <newsclass/newsclass.h>
#include <newsclass/timeline.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>

#include <newsclass/model.h>

#include "timeline_impl.h"
#include "util.h"

#define DEFAULT_CHANGE_WINDOW 3

/* ---------------------------------------------------------------- dates ---- */

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parse exactly n decimal digits at s (stops at the first non-digit, so never reads past a
 * terminating NUL). */
static int read_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Howard Hinnant's days_from_civil: proleptic Gregorian, day 0 = 1970-01-01. */
int32_t nc_date_from_civil(int y, int m, int d)
{
    int era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153u * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (unsigned)d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + (int)doe - 719468);
}

void nc_date_to_civil(int32_t day, int *year, int *month, int *mday)
{
    long z = (long)day + 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);

    *mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    *month = m;
    *year = (int)((long)yoe + era * 400) + (m <= 2);
}

void nc_date_format(int32_t day, char *buf, size_t size)
{
    int y, m, d;
    nc_date_to_civil(day, &y, &m, &d);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, d);
}

static long floor_div(long a, long b)
{
    long q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int nc_date_weekday(int32_t day)
{
    return (int)((floor_div(day, 7) * -7 + day + 3) % 7) + 1; /* 1970-01-01 was a Thursday */
}

void nc_date_iso_week(int32_t day, int *iso_year, int *week)
{
    int32_t thursday = day - (nc_date_weekday(day) - 1) + 3;
    int y, m, d;

    /* The ISO year is the year of the week's Thursday; week 1 holds the year's first Thursday. */
    nc_date_to_civil(thursday, &y, &m, &d);
    *iso_year = y;
    *week = (int)((thursday - nc_date_from_civil(y, 1, 1)) / 7) + 1;
}

int nc_date_parse(const char *s, int32_t *day, nc_error *err)
{
    int y, m, d, hh, mm, ss, oh, om;
    const char *p;

    if (!s)
        return nc_err(err, NC_EFORMAT, "missing date");
    if (read_digits(s, 4, &y) || s[4] != '-' || read_digits(s + 5, 2, &m) || s[7] != '-' ||
        read_digits(s + 8, 2, &d))
        goto bad;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        goto bad;
    p = s + 10;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        /* The time and offset must be well formed but do not move the day: the date as
         * written is the publisher's local calendar day. */
        p++;
        if (read_digits(p, 2, &hh) || p[2] != ':' || read_digits(p + 3, 2, &mm) || hh > 23 ||
            mm > 59)
            goto bad;
        p += 5;
        if (*p == ':') {
            if (read_digits(p + 1, 2, &ss) || ss > 60)
                goto bad;
            p += 3;
            if (*p == '.' || *p == ',') {
                p++;
                if (!is_digit(*p))
                    goto bad;
                while (is_digit(*p))
                    p++;
            }
        }
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            p++;
            if (read_digits(p, 2, &oh) || oh > 23)
                goto bad;
            p += 2;
            if (*p == ':') {
                if (read_digits(p + 1, 2, &om) || om > 59)
                    goto bad;
                p += 3;
            } else if (is_digit(*p)) {
                if (read_digits(p, 2, &om) || om > 59)
                    goto bad;
                p += 2;
            }
        }
    }
    if (*p)
        goto bad;
    *day = nc_date_from_civil(y, m, d);
    return NC_OK;
bad:
    return nc_err(err, NC_EFORMAT, "invalid date '%.40s'", s);
}

int nc_date_from_name(const char *path, int32_t *day, nc_error *err)
{
    const char *name = strrchr(path, '/');
    char buf[11];

    name = name ? name + 1 : path;
    for (const char *p = name; *p; p++) {
        if (p > name && is_digit(p[-1]))
            continue;
        if (strlen(p) < 10 || is_digit(p[10]))
            continue;
        memcpy(buf, p, 10);
        buf[10] = '\0';
        if (nc_date_parse(buf, day, NULL) == NC_OK)
            return NC_OK;
    }
    return nc_err(err, NC_EFORMAT, "no YYYY-MM-DD date in file name '%s'", name);
}

int nc_period_parse(const char *s, nc_period *p, nc_error *err)
{
    if (strcmp(s, "day") == 0)
        *p = NC_PERIOD_DAY;
    else if (strcmp(s, "week") == 0)
        *p = NC_PERIOD_WEEK;
    else if (strcmp(s, "month") == 0)
        *p = NC_PERIOD_MONTH;
    else
        return nc_err(err, NC_EINVAL, "unknown period '%s' (use day, week or month)", s);
    return NC_OK;
}

const char *nc_period_name(nc_period p)
{
    return p == NC_PERIOD_DAY ? "day" : p == NC_PERIOD_MONTH ? "month" : "week";
}

long nc_period_key(nc_period p, int32_t day)
{
    int y, m, d;

    switch (p) {
    case NC_PERIOD_DAY:
        return day;
    case NC_PERIOD_MONTH:
        nc_date_to_civil(day, &y, &m, &d);
        return (long)y * 12 + (m - 1);
    case NC_PERIOD_WEEK:
    default:
        return floor_div((long)day + 3, 7); /* week 0 starts on Monday 1969-12-29 */
    }
}

void nc_period_bounds(nc_period p, long key, int32_t *first, int32_t *last)
{
    int y, m;

    switch (p) {
    case NC_PERIOD_DAY:
        *first = *last = (int32_t)key;
        break;
    case NC_PERIOD_MONTH:
        y = (int)floor_div(key, 12);
        m = (int)(key - (long)y * 12) + 1;
        *first = nc_date_from_civil(y, m, 1);
        *last = *first + days_in_month(y, m) - 1;
        break;
    case NC_PERIOD_WEEK:
    default:
        *first = (int32_t)(key * 7 - 3);
        *last = *first + 6;
        break;
    }
}

void nc_period_label(nc_period p, long key, char *buf, size_t size)
{
    int32_t first, last;
    int y, w;

    switch (p) {
    case NC_PERIOD_DAY:
        nc_date_format((int32_t)key, buf, size);
        break;
    case NC_PERIOD_MONTH:
        y = (int)floor_div(key, 12);
        snprintf(buf, size, "%04d-%02d", y, (int)(key - (long)y * 12) + 1);
        break;
    case NC_PERIOD_WEEK:
    default:
        nc_period_bounds(p, key, &first, &last);
        nc_date_iso_week(first, &y, &w);
        snprintf(buf, size, "%04d-W%02d", y, w);
        break;
    }
}

/* ----------------------------------------------------------- statistics ---- */

static double two_sided_p(double t, double df)
{
    return 2.0 * gsl_cdf_tdist_Q(fabs(t), df);
}

void nc_tl_welch(double mean1, double var1, double n1, double mean2, double var2, double n2,
                 nc_tl_test *out)
{
    double a, b, se2;

    nc_init(); /* GSL must not abort the program */
    out->t = out->df = out->p = NAN;
    if (!(n1 > 1) || !(n2 > 1) || !isfinite(var1) || !isfinite(var2))
        return;
    a = var1 / n1;
    b = var2 / n2;
    se2 = a + b;
    if (!(se2 > 0))
        return;
    out->t = (mean2 - mean1) / sqrt(se2);
    out->df = se2 * se2 / (a * a / (n1 - 1) + b * b / (n2 - 1));
    out->p = two_sided_p(out->t, out->df);
}

int nc_tl_fit_trend(const double *x, const double *y, const double *w, size_t n,
                    nc_tl_trend *out, nc_error *err)
{
    double *xs = NULL, *ys = NULL, *ws = NULL;
    double c0, c1, cov00, cov01, cov11, chisq;
    size_t m = 0;
    int rc = NC_OK;

    nc_init(); /* GSL must not abort the program */
    out->npoints = 0;
    out->intercept = out->slope = out->se = out->ci_lo = out->ci_hi = NAN;
    out->t = out->df = out->p = NAN;
    xs = nc_alloc_array(n ? n : 1, sizeof *xs);
    ys = nc_alloc_array(n ? n : 1, sizeof *ys);
    ws = nc_alloc_array(n ? n : 1, sizeof *ws);
    if (!xs || !ys || !ws) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(w[i] > 0) || !isfinite(y[i]) || !isfinite(x[i]))
            continue;
        xs[m] = x[i];
        ys[m] = y[i];
        ws[m] = w[i];
        m++;
    }
    out->npoints = m;
    {
        size_t distinct = 0;
        for (size_t i = 0; i < m && distinct < 3; i++) {
            size_t j = 0;
            while (j < i && xs[j] != xs[i])
                j++;
            distinct += j == i;
        }
        if (distinct < 3) {
            rc = nc_err(err, NC_EINVAL, "a trend needs at least 3 periods with articles");
            goto out;
        }
    }
    if (gsl_fit_wlinear(xs, 1, ws, 1, ys, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &chisq) !=
        GSL_SUCCESS) {
        rc = nc_err(err, NC_EINTERNAL, "cannot fit the trend line");
        goto out;
    }
    /* The weights are relative (n_eff), not 1/sigma^2: scale the covariance by the residual
     * variance of the fit, as for ordinary weighted least squares. */
    out->intercept = c0;
    out->slope = c1;
    out->df = (double)(m - 2);
    out->se = sqrt(cov11 * chisq / out->df);
    {
        double q = gsl_cdf_tdist_Pinv(0.975, out->df);
        out->ci_lo = c1 - q * out->se;
        out->ci_hi = c1 + q * out->se;
    }
    if (out->se > 0) {
        out->t = c1 / out->se;
        out->p = two_sided_p(out->t, out->df);
    } else {
        out->t = NAN; /* a perfect fit: no residual variance */
        out->p = c1 != 0 ? 0.0 : 1.0;
    }
out:
    free(ws);
    free(ys);
    free(xs);
    return rc;
}

/* ------------------------------------------------------ the accumulator ---- */

void nc_timeline_opts_default(nc_timeline_opts *o)
{
    memset(o, 0, sizeof *o);
    o->by = NC_PERIOD_WEEK;
}

int nc_tl_set_str(char **dst, const char *src)
{
    char *c = NULL;
    if (src && !(c = nc_strdup(src)))
        return -1;
    free(*dst);
    *dst = c;
    return 0;
}

int nc_timeline_new(const nc_timeline_opts *o, nc_timeline **out, nc_error *err)
{
    nc_timeline *t = calloc(1, sizeof *t);
    int rc = NC_OK;

    nc_init(); /* GSL must not abort the program */
    *out = NULL;
    if (!t)
        return nc_err(err, NC_ENOMEM, "out of memory");
    if (o)
        t->o = *o;
    else
        nc_timeline_opts_default(&t->o);
    nc_strbuf_init(&t->name);
    if (t->o.by != NC_PERIOD_DAY && t->o.by != NC_PERIOD_WEEK && t->o.by != NC_PERIOD_MONTH) {
        rc = nc_err(err, NC_EINVAL, "invalid period %d", (int)t->o.by);
        goto out;
    }
    if (t->o.window < 0 || t->o.window > NC_TL_MAX_WINDOW) {
        rc = nc_err(err, NC_EINVAL, "window must be 0 to %d periods (got %d)", NC_TL_MAX_WINDOW,
                    t->o.window);
        goto out;
    }
    if (t->o.weighted && !t->o.topic) {
        rc = nc_err(err, NC_EINVAL, "weighting needs a topic");
        goto out;
    }
    if (nc_tl_set_str(&t->topic, t->o.topic) || nc_tl_set_str(&t->group_by, t->o.group_by)) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    t->o.topic = t->topic;
    t->o.group_by = t->group_by;
    /* one named series is listed even when no article carries the topic */
    if (t->topic && strcmp(t->topic, "all") != 0 && !t->group_by && !t->o.from_partials)
        rc = nc_timeline_add_series(t, t->topic, err);
out:
    if (rc < 0)
        nc_timeline_free(t);
    else
        *out = t;
    return rc;
}

static void period_free(tl_period *p)
{
    if (p) {
        free(p->ex);
        free(p);
    }
}

void nc_timeline_free(nc_timeline *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nseries; i++) {
        for (size_t j = 0; j < t->series[i].cap; j++)
            period_free(t->series[i].periods[j]);
        free(t->series[i].periods);
        free(t->series[i].name);
    }
    free(t->series);
    free(t->order);
    free(t->hash);
    for (size_t i = 0; i < t->ninputs; i++)
        free(t->inputs[i]);
    free(t->inputs);
    free(t->model);
    free(t->topic);
    free(t->group_by);
    nc_strbuf_finish(&t->name);
    free(t);
}

const nc_timeline_opts *nc_timeline_get_opts(const nc_timeline *t)
{
    return &t->o;
}

static size_t name_hash(const char *s)
{
    return (size_t)nc_mix64(nc_fnv1a(s, strlen(s), NC_FNV_OFFSET));
}

static int rehash(nc_timeline *t, size_t cap)
{
    size_t *h = calloc(cap, sizeof *h);
    if (!h)
        return -1;
    for (size_t i = 0; i < t->nseries; i++) {
        size_t k = name_hash(t->series[i].name) & (cap - 1);
        while (h[k])
            k = (k + 1) & (cap - 1);
        h[k] = i + 1;
    }
    free(t->hash);
    t->hash = h;
    t->hcap = cap;
    return 0;
}

/* Find the series called 'name', creating it when 'create'. Returns its index, (size_t)-1 when
 * absent (and not created) or on out-of-memory (then *oom is set). */
size_t nc_tl_series_find(nc_timeline *t, const char *name, int create, int *oom)
{
    size_t k, idx, pos, *o;
    char *copy;

    if (t->hcap) {
        k = name_hash(name) & (t->hcap - 1);
        while (t->hash[k]) {
            if (strcmp(t->series[t->hash[k] - 1].name, name) == 0)
                return t->hash[k] - 1;
            k = (k + 1) & (t->hcap - 1);
        }
    }
    if (!create)
        return (size_t)-1;
    if (nc_grow((void **)&t->series, &t->scap, t->nseries + 1, sizeof *t->series) < 0 ||
        !(o = nc_realloc_array(t->order, t->scap, sizeof *o)))
        goto oom;
    t->order = o;
    if ((t->nseries + 1) * 2 > t->hcap && rehash(t, t->hcap ? t->hcap * 2 : 16) < 0)
        goto oom;
    if (!(copy = nc_strdup(name)))
        goto oom;
    idx = t->nseries++;
    memset(&t->series[idx], 0, sizeof t->series[idx]);
    t->series[idx].name = copy;
    k = name_hash(name) & (t->hcap - 1);
    while (t->hash[k])
        k = (k + 1) & (t->hcap - 1);
    t->hash[k] = idx + 1;
    /* keep order[] sorted by name (insertion: series are few and created rarely) */
    for (pos = idx; pos > 0 && strcmp(t->series[t->order[pos - 1]].name, name) > 0; pos--)
        t->order[pos] = t->order[pos - 1];
    t->order[pos] = idx;
    return idx;
oom:
    *oom = 1;
    return (size_t)-1;
}

int nc_timeline_add_series(nc_timeline *t, const char *name, nc_error *err)
{
    int oom = 0;
    if (nc_tl_series_find(t, name, 1, &oom) == (size_t)-1)
        return nc_err(err, NC_ENOMEM, "out of memory");
    return NC_OK;
}

int nc_timeline_add_input(nc_timeline *t, const char *name, nc_error *err)
{
    char *c = nc_strdup(name);
    if (!c || nc_grow((void **)&t->inputs, &t->icap, t->ninputs + 1, sizeof *t->inputs) < 0) {
        free(c);
        return nc_err(err, NC_ENOMEM, "out of memory");
    }
    t->inputs[t->ninputs++] = c;
    return NC_OK;
}

int nc_timeline_set_model(nc_timeline *t, const char *model, nc_error *err)
{
    if (nc_tl_set_str(&t->model, model) < 0)
        return nc_err(err, NC_ENOMEM, "out of memory");
    return NC_OK;
}

void nc_timeline_count_skipped(nc_timeline *t, uint64_t n)
{
    t->nskipped += n;
}

int nc_tl_extend_range(nc_timeline *t, long key, nc_error *err)
{
    long lo = t->have_range && t->kmin < key ? t->kmin : key;
    long hi = t->have_range && t->kmax > key ? t->kmax : key;

    if (hi - lo >= NC_TL_MAX_PERIODS) {
        char a[32], b[32];
        nc_period_label(t->o.by, lo, a, sizeof a);
        nc_period_label(t->o.by, hi, b, sizeof b);
        return nc_err(err, NC_EINVAL, "the dates would run from %s to %s, %ld %ss; a timeline "
                      "spans at most %d periods: is a date wrong? (--since and --until leave "
                      "dates out; --by week or month spans more years)", a, b, hi - lo + 1, nc_period_name(t->o.by),
                      NC_TL_MAX_PERIODS);
    }
    t->kmin = lo;
    t->kmax = hi;
    t->have_range = 1;
    return NC_OK;
}

/* The period of series s for 'key', created (zeroed) when absent; NULL when out of memory. */
tl_period *nc_tl_period_get(tl_series *s, long key)
{
    tl_period *p;

    if (s->cap == 0 || key < s->base || key >= s->base + (long)s->cap) {
        long lo = s->cap ? (key < s->base ? key : s->base) : key;
        long hi = s->cap ? (key >= s->base + (long)s->cap ? key : s->base + (long)s->cap - 1)
                         : key;
        size_t need = (size_t)(hi - lo + 1), ncap = s->cap ? s->cap * 2 : 16;
        tl_period **np;
        long nbase;

        if (ncap < need + 16)
            ncap = need + 16;
        /* leave the slack on the side that grew, so long runs in one direction stay cheap */
        nbase = (s->cap && key < s->base) ? hi - (long)ncap + 1 : lo;
        np = calloc(ncap, sizeof *np);
        if (!np)
            return NULL;
        if (s->cap)
            memcpy(np + (s->base - nbase), s->periods, s->cap * sizeof *np);
        free(s->periods);
        s->periods = np;
        s->cap = ncap;
        s->base = nbase;
    }
    p = s->periods[key - s->base];
    if (!p) {
        p = calloc(1, sizeof *p);
        if (!p)
            return NULL;
        s->periods[key - s->base] = p;
    }
    return p;
}

static const tl_period *period_at(const tl_series *s, long key)
{
    if (s->cap == 0 || key < s->base || key >= s->base + (long)s->cap)
        return NULL;
    return s->periods[key - s->base];
}

static int value_cmp(const void *a, const void *b)
{
    const tl_value *x = a, *y = b;
    if (x->q != y->q)
        return x->q < y->q ? -1 : 1;
    return x->u < y->u ? -1 : x->u > y->u;
}

/* Keep (or stop keeping) exact values after adding 'k' more from src[0..k). */
int nc_tl_exact_add(tl_period *p, const tl_value *src, int k)
{
    if (p->nexact < 0)
        return 0;
    if (k < 0 || p->nexact + k > NC_TL_EXACT_MAX) {
        free(p->ex);
        p->ex = NULL;
        p->nexact = -1;
        return 0;
    }
    if (!p->ex && !(p->ex = nc_alloc_array(NC_TL_EXACT_MAX, sizeof *p->ex)))
        return -1;
    memcpy(p->ex + p->nexact, src, (size_t)k * sizeof *src);
    p->nexact += k;
    return 0;
}

static int period_add(tl_period *p, int32_t q, uint32_t u, int cls)
{
    tl_value v = { q, u };
    int64_t bin = ((int64_t)q + NC_TL_SCALE) * NC_TL_BINS / (2 * NC_TL_SCALE);

    if (bin >= NC_TL_BINS)
        bin = NC_TL_BINS - 1;
    p->n++;
    p->sw += u;
    p->sw2 += (i128)u * u;
    p->swx += (i128)u * q;
    p->swx2 += (i128)u * q * q;
    p->cls[cls + 1] += u;
    p->hist[bin] += u;
    return nc_tl_exact_add(p, &v, 1);
}

int nc_tl_period_merge(tl_period *dst, const tl_period *src)
{
    int over = 0;
    over |= __builtin_add_overflow(dst->n, src->n, &dst->n);
    over |= __builtin_add_overflow(dst->sw, src->sw, &dst->sw);
    over |= __builtin_add_overflow(dst->sw2, src->sw2, &dst->sw2);
    over |= __builtin_add_overflow(dst->swx, src->swx, &dst->swx);
    over |= __builtin_add_overflow(dst->swx2, src->swx2, &dst->swx2);
    for (int i = 0; i < 3; i++)
        over |= __builtin_add_overflow(dst->cls[i], src->cls[i], &dst->cls[i]);
    for (int i = 0; i < NC_TL_BINS; i++)
        over |= __builtin_add_overflow(dst->hist[i], src->hist[i], &dst->hist[i]);
    return over ? -1 : 0;
}

int nc_tl_key_valid(nc_period p, double key)
{
    const int32_t dmin = nc_date_from_civil(1, 1, 1), dmax = nc_date_from_civil(9999, 12, 31);
    return key == floor(key) && key >= (double)nc_period_key(p, dmin) &&
           key <= (double)nc_period_key(p, dmax);
}

static uint32_t quantize_weight(double w)
{
    if (!(w > 0))
        return 0;
    if (w >= 1)
        return (uint32_t)NC_TL_SCALE;
    return (uint32_t)llround(w * (double)NC_TL_SCALE);
}

/* Series name for an article: the label (topic "all"), the group value, or both. */
static const char *series_name(nc_timeline *t, const char *label, const char *group)
{
    nc_strbuf_reset(&t->name);
    if (label && t->group_by) {
        if (nc_strbuf_addf(&t->name, "%s/%s", label, group ? group : "(none)") < 0)
            return NULL;
        return t->name.buf;
    }
    if (t->group_by)
        return group ? group : "(none)";
    if (label)
        return label;
    return t->topic ? t->topic : "all";
}

static int add_to(nc_timeline *t, const char *name, long key, int32_t q, uint32_t u, int cls,
                  nc_error *err)
{
    int oom = 0;
    size_t s = nc_tl_series_find(t, name, 1, &oom);
    tl_period *p;

    if (s == (size_t)-1 || !(p = nc_tl_period_get(&t->series[s], key)) ||
        period_add(p, q, u, cls) < 0)
        return nc_err(err, NC_ENOMEM, "out of memory");
    return NC_OK;
}

int nc_timeline_add(nc_timeline *t, const nc_tl_item *it, nc_error *err)
{
    double tone = it->tone;
    long key;
    int32_t q;
    int cls, rc = NC_OK;
    const char *name;

    if (!isfinite(tone))
        return nc_err(err, NC_EINVAL, "tone is not a number");
    if (tone < -1)
        tone = -1;
    if (tone > 1)
        tone = 1;
    q = (int32_t)llround(tone * (double)NC_TL_SCALE);
    cls = nc_tone_class(tone);
    key = nc_period_key(t->o.by, it->day);
    if ((rc = nc_tl_extend_range(t, key, err)) < 0)
        return rc;
    t->narticles++;

    if (!t->topic) {
        if (!(name = series_name(t, NULL, it->group)))
            return nc_err(err, NC_ENOMEM, "out of memory");
        return add_to(t, name, key, q, (uint32_t)NC_TL_SCALE, cls, err);
    }
    for (size_t i = 0; i < it->nlabels && rc == NC_OK; i++) {
        int all = strcmp(t->topic, "all") == 0;
        int sel = it->selected ? it->selected[i] != 0 : 0;
        uint32_t u;

        if (!all && strcmp(it->labels[i], t->topic) != 0)
            continue;
        if (t->o.weighted)
            u = quantize_weight(it->scores ? it->scores[i] : sel);
        else
            u = sel ? (uint32_t)NC_TL_SCALE : 0;
        if (u == 0)
            continue;
        if (!(name = series_name(t, all ? it->labels[i] : NULL, it->group)))
            return nc_err(err, NC_ENOMEM, "out of memory");
        rc = add_to(t, name, key, q, u, cls, err);
    }
    return rc;
}

/* --------------------------------------------------------------- results ---- */

/* Sums of a period or a window of periods, as real numbers (weights and tones scaled). */
typedef struct moments {
    uint64_t n;
    long double s0, w2, s1, s2; /* sum w, sum w^2, sum w x, sum w x^2 */
} moments;

static void moments_add(moments *m, const tl_period *p)
{
    const long double S = (long double)NC_TL_SCALE;
    if (!p)
        return;
    m->n += p->n;
    m->s0 += (long double)p->sw / S;
    m->w2 += (long double)p->sw2 / (S * S);
    m->s1 += (long double)p->swx / (S * S);
    m->s2 += (long double)p->swx2 / (S * S * S);
}

/* Mean, sample variance and effective size of m (NaN where undefined). */
static void moments_stats(const moments *m, double *mean, double *var, double *neff)
{
    *mean = *var = NAN;
    *neff = 0;
    if (m->n == 0 || !(m->s0 > 0))
        return;
    *mean = (double)(m->s1 / m->s0);
    *neff = (double)(m->s0 * m->s0 / m->w2);
    if (m->n >= 2 && *neff > 1) {
        long double num = m->s2 - m->s1 * m->s1 / m->s0;
        long double den = m->s0 - m->w2 / m->s0; /* n - 1 when unweighted */
        *var = num > 0 && den > 0 ? (double)(num / den) : 0.0;
    }
}

size_t nc_timeline_nseries(const nc_timeline *t)
{
    return t->nseries;
}

const char *nc_timeline_series_name(const nc_timeline *t, size_t s)
{
    return s < t->nseries ? t->series[t->order[s]].name : NULL;
}

size_t nc_timeline_nperiods(const nc_timeline *t)
{
    return t->have_range ? (size_t)(t->kmax - t->kmin + 1) : 0;
}

uint64_t nc_timeline_narticles(const nc_timeline *t)
{
    return t->narticles;
}

uint64_t nc_timeline_nskipped(const nc_timeline *t)
{
    return t->nskipped;
}

size_t nc_timeline_ninputs(const nc_timeline *t)
{
    return t->ninputs;
}

const char *nc_timeline_input(const nc_timeline *t, size_t i)
{
    return i < t->ninputs ? t->inputs[i] : NULL;
}

const char *nc_timeline_model(const nc_timeline *t)
{
    return t->model;
}

static int change_width(const nc_timeline *t)
{
    return t->o.window > 0 ? t->o.window : DEFAULT_CHANGE_WINDOW;
}

static double period_median(const tl_period *p)
{
    uint64_t total = 0, cum = 0;

    if (p->nexact >= 0) {
        tl_value v[NC_TL_EXACT_MAX];
        int i;
        memcpy(v, p->ex, (size_t)p->nexact * sizeof *v);
        qsort(v, (size_t)p->nexact, sizeof *v, value_cmp);
        for (i = 0; i < p->nexact; i++)
            total += v[i].u;
        /* the weighted median: the first value whose cumulative weight reaches half; when it
         * reaches exactly half, the midpoint with the next value (the usual even-n median) */
        for (i = 0; i < p->nexact; i++) {
            cum += v[i].u;
            if (2 * cum == total && i + 1 < p->nexact)
                return ((double)v[i].q + (double)v[i + 1].q) / 2.0 / (double)NC_TL_SCALE;
            if (2 * cum >= total)
                return (double)v[i].q / (double)NC_TL_SCALE;
        }
        return NAN;
    }
    for (int b = 0; b < NC_TL_BINS; b++)
        total += p->hist[b];
    for (int b = 0; b < NC_TL_BINS; b++) {
        if (!p->hist[b])
            continue;
        if (2.0 * (double)(cum + p->hist[b]) >= (double)total) {
            double frac = ((double)total / 2.0 - (double)cum) / (double)p->hist[b];
            double width = 2.0 / NC_TL_BINS;
            return -1.0 + width * ((double)b + frac);
        }
        cum += p->hist[b];
    }
    return NAN;
}

int nc_timeline_stats(const nc_timeline *t, size_t s, size_t i, nc_tl_stats *out,
                      nc_error *err)
{
    const tl_series *se;
    const tl_period *p;
    moments m = { 0 }, w = { 0 };
    double var, wvar, wneff;
    long key;

    if (s >= t->nseries || i >= nc_timeline_nperiods(t))
        return nc_err(err, NC_EINVAL, "no such series or period");
    se = &t->series[t->order[s]];
    key = t->kmin + (long)i;
    p = period_at(se, key);
    memset(out, 0, sizeof *out);
    out->key = key;
    nc_period_label(t->o.by, key, out->label, sizeof out->label);
    nc_period_bounds(t->o.by, key, &out->first_day, &out->last_day);
    out->mean = out->sd = out->ci_lo = out->ci_hi = out->median = NAN;
    out->share_neg = out->share_neu = out->share_pos = NAN;
    out->rolling = NAN;
    if (t->o.window > 0 && i + 1 >= (size_t)t->o.window) {
        for (long k = key - t->o.window + 1; k <= key; k++)
            moments_add(&w, period_at(se, k));
        moments_stats(&w, &out->rolling, &wvar, &wneff);
    }
    if (!p || p->n == 0)
        return NC_OK;
    moments_add(&m, p);
    out->n = m.n;
    out->sum_w = (double)m.s0;
    moments_stats(&m, &out->mean, &var, &out->n_eff);
    if (isfinite(var)) {
        double half;
        out->sd = sqrt(var);
        half = gsl_cdf_tdist_Pinv(0.975, out->n_eff - 1) * out->sd / sqrt(out->n_eff);
        /* tones live in [-1, 1]; so does any honest interval for their mean */
        out->ci_lo = fmax(-1.0, out->mean - half);
        out->ci_hi = fmin(1.0, out->mean + half);
    }
    out->median = period_median(p);
    out->median_exact = p->nexact >= 0;
    {
        double sw = (double)p->cls[0] + (double)p->cls[1] + (double)p->cls[2];
        out->share_neg = (double)p->cls[0] / sw;
        out->share_neu = (double)p->cls[1] / sw;
        out->share_pos = (double)p->cls[2] / sw;
    }
    return NC_OK;
}

int nc_timeline_trend(const nc_timeline *t, size_t s, nc_tl_trend *out, nc_error *err)
{
    size_t np = nc_timeline_nperiods(t);
    double *x = NULL, *y = NULL, *w = NULL;
    nc_tl_stats st;
    int rc = NC_OK;

    if (s >= t->nseries)
        return nc_err(err, NC_EINVAL, "no such series");
    x = nc_alloc_array(np ? np : 1, sizeof *x);
    y = nc_alloc_array(np ? np : 1, sizeof *y);
    w = nc_alloc_array(np ? np : 1, sizeof *w);
    if (!x || !y || !w) {
        rc = nc_err(err, NC_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < np; i++) {
        if ((rc = nc_timeline_stats(t, s, i, &st, err)) < 0)
            goto out;
        x[i] = (double)i;
        y[i] = st.mean;
        w[i] = st.n ? st.n_eff : 0;
    }
    rc = nc_tl_fit_trend(x, y, w, np, out, err);
out:
    free(w);
    free(y);
    free(x);
    return rc;
}

static int change_cmp(const void *a, const void *b)
{
    const nc_tl_change *x = a, *y = b;
    double dx = fabs(x->shift), dy = fabs(y->shift);
    if (dx != dy)
        return dx > dy ? -1 : 1;
    return x->after < y->after ? -1 : x->after > y->after;
}

int nc_timeline_changes(const nc_timeline *t, size_t s, nc_tl_change *out, size_t *nout,
                        nc_error *err)
{
    size_t np = nc_timeline_nperiods(t), wd = (size_t)change_width(t), ncand = 0;
    nc_tl_change *cand = NULL;
    const tl_series *se;
    int rc = NC_OK;

    *nout = 0;
    if (s >= t->nseries)
        return nc_err(err, NC_EINVAL, "no such series");
    if (np < 2 * wd)
        return NC_OK;
    se = &t->series[t->order[s]];
    if (!(cand = nc_alloc_array(np, sizeof *cand)))
        return nc_err(err, NC_ENOMEM, "out of memory");
    for (size_t b = wd; b + wd <= np; b++) {
        moments m1 = { 0 }, m2 = { 0 };
        double mean1, var1, n1, mean2, var2, n2;
        nc_tl_change *c = &cand[ncand];

        for (size_t k = b - wd; k < b; k++)
            moments_add(&m1, period_at(se, t->kmin + (long)k));
        for (size_t k = b; k < b + wd; k++)
            moments_add(&m2, period_at(se, t->kmin + (long)k));
        moments_stats(&m1, &mean1, &var1, &n1);
        moments_stats(&m2, &mean2, &var2, &n2);
        nc_tl_welch(mean1, var1, n1, mean2, var2, n2, &c->test);
        if (!(c->test.p < 0.05))
            continue;
        c->before = b - wd;
        c->after = b;
        c->width = wd;
        c->mean_before = mean1;
        c->mean_after = mean2;
        c->shift = mean2 - mean1;
        c->n_before = n1;
        c->n_after = n2;
        ncand++;
    }
    qsort(cand, ncand, sizeof *cand, change_cmp);
    /* greedy: the largest shift first, then skip boundaries within one window of a kept one
     * (overlapping windows see the same change) */
    for (size_t i = 0; i < ncand && *nout < NC_TL_MAX_CHANGES; i++) {
        int near = 0;
        for (size_t j = 0; j < *nout && !near; j++) {
            size_t a = cand[i].after, b = out[j].after;
            near = (a > b ? a - b : b - a) < wd;
        }
        if (!near)
            out[(*nout)++] = cand[i];
    }
    free(cand);
    return rc;
}
