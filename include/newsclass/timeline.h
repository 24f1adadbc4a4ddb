/* timeline.h: tone over time: dates, period buckets and per-period tone statistics.
 *
 * An nc_timeline accumulates scored articles (a day, a tone in [-1, 1] and optionally topic
 * probabilities) into periods (days, ISO weeks or months), one or more series per period (one
 * per topic with topic "all", one per value of a grouping field). It keeps only sufficient
 * statistics per period, so memory grows with the number of periods, never with the number of
 * articles: exact fixed-point sums (n, sum w, sum w^2, sum wx, sum wx^2), tone-class weights, a
 * 200-bin tone histogram and, while a period holds at most NC_TL_EXACT_MAX articles, the tones
 * themselves (for exact medians). Partial results ("partials") can be saved and merged; because
 * the sums are integers, merging shards gives bit-for-bit the numbers of one run over all of
 * them, in any order.
 *
 * Dates: "YYYY-MM-DD", optionally followed by an ISO 8601 time ("T" or " ", hh:mm[:ss[.frac]])
 * and an offset ("Z", "+hh:mm", "+hhmm", "+hh"). The article's day is the calendar date as
 * written (the publisher's local day); the time and offset are validated but not used to shift
 * the date to UTC. Days are counted from 1970-01-01 (day 0) in the proleptic Gregorian calendar,
 * years 0001 to 9999. */
#ifndef NC_TIMELINE_H
#define NC_TIMELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <newsclass/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- dates and periods ---- */

typedef enum nc_period {
    NC_PERIOD_DAY = 0,   /* key: days since 1970-01-01; label "2024-03-01" */
    NC_PERIOD_WEEK = 1,  /* ISO week, Monday start; key: weeks since Monday 1969-12-29;
                            label "2024-W09" (ISO week-numbering year) */
    NC_PERIOD_MONTH = 2  /* key: year * 12 + month - 1; label "2024-03" */
} nc_period;

/* Parse a date as described at the top of this file into *day. Returns NC_OK, or NC_EFORMAT
 * with a message such as "invalid date '2023-02-29'" in 'err' (may be NULL). */
int nc_date_parse(const char *s, int32_t *day, nc_error *err);
/* Find the first valid YYYY-MM-DD in the last path component of 'path' (digits around it must
 * not be digits, e.g. "2024-03-01-budget.txt", "news_2024-03-01.html"). NC_OK or NC_EFORMAT. */
int nc_date_from_name(const char *path, int32_t *day, nc_error *err);
/* Day number from a (valid) calendar date, and back. */
int32_t nc_date_from_civil(int year, int month, int mday);
void nc_date_to_civil(int32_t day, int *year, int *month, int *mday);
/* Format 'day' as "YYYY-MM-DD" into buf (at least 11 bytes). */
void nc_date_format(int32_t day, char *buf, size_t size);
/* ISO 8601 week of 'day': week-numbering year and week 1..53 (2021-01-03 -> 2020, 53). */
void nc_date_iso_week(int32_t day, int *iso_year, int *week);
/* Weekday of 'day': 1 = Monday ... 7 = Sunday. */
int nc_date_weekday(int32_t day);

/* "day", "week" or "month" -> *p. NC_OK or NC_EINVAL. */
int nc_period_parse(const char *s, nc_period *p, nc_error *err);
const char *nc_period_name(nc_period p); /* "day", "week", "month" */
/* The key of the period that contains 'day'. */
long nc_period_key(nc_period p, int32_t day);
/* First and last day of period 'key'. */
void nc_period_bounds(nc_period p, long key, int32_t *first, int32_t *last);
/* The label of period 'key' ("2024-03-01", "2024-W09", "2024-03") into buf (>= 16 bytes). */
void nc_period_label(nc_period p, long key, char *buf, size_t size);

/* ---- statistics helpers (exported for tests and other tools) ---- */

typedef struct nc_tl_test {
    double t, df, p; /* statistic, degrees of freedom, two-sided p-value; NaN when undefined */
} nc_tl_test;

/* Welch's unequal-variance t-test of mean2 - mean1 from two samples' means, sample variances
 * and (effective) sizes; df by Welch-Satterthwaite. Needs n1, n2 > 1 and a positive pooled
 * standard error, else every field is NaN. */
void nc_tl_welch(double mean1, double var1, double n1, double mean2, double var2, double n2,
                 nc_tl_test *out);

typedef struct nc_tl_trend {
    size_t npoints;      /* periods that had articles */
    double intercept;    /* fitted mean at period index 0 (the first period) */
    double slope;        /* change in mean tone per period */
    double se;           /* standard error of the slope (weighted least squares, residual
                            variance estimated from the fit: chisq / (npoints - 2)) */
    double ci_lo, ci_hi; /* 95% confidence interval of the slope (t distribution) */
    double t, df, p;     /* slope / se, npoints - 2, two-sided p-value */
} nc_tl_trend;

/* Weighted least squares y = a + b x with weights w[i] >= 0 (points with w = 0 or NaN y are
 * ignored). Needs 3 points with distinct x, else NC_EINVAL (slope etc. NaN). */
int nc_tl_fit_trend(const double *x, const double *y, const double *w, size_t n,
                    nc_tl_trend *out, nc_error *err);

/* ---- the timeline ---- */

#define NC_TL_BINS 200     /* tone histogram bins over [-1, 1]: median resolution 0.01 */
#define NC_TL_EXACT_MAX 64 /* periods with at most this many articles get exact medians */
#define NC_TL_MAX_PERIODS 100000 /* a timeline spans at most this many periods (274 years by
                                    day): a wider span is almost always a wrong date */
#define NC_TL_MAX_WINDOW 1000    /* the largest rolling window, in periods */
#define NC_TL_MAX_JSON_ROWS 200000 /* series x periods that one --json object holds (built in
                                      memory, about 2.5 KB a row); CSV and tables stream */
#define NC_TL_SCALE_BITS 24 /* tones and weights are summed in units of 2^-24 */
#define NC_TL_MAX_CHANGES 5

typedef struct nc_timeline_opts {
    nc_period by;          /* default NC_PERIOD_WEEK */
    const char *topic;     /* NULL: every article, one series; "all": one series per label;
                              else only that label (copied) */
    int weighted;          /* with a topic: weight each article by its probability of the
                              topic instead of keeping only articles labelled with it */
    const char *group_by;  /* name of the grouping field, NULL for none (copied; the caller
                              passes each article's value in nc_tl_item.group) */
    int window;            /* rolling-mean window in periods (0: no rolling mean); notable
                              changes compare consecutive windows of max(window, 1) periods,
                              3 when window is 0 */
    int from_partials;     /* 1: take by/topic/weighted/group_by from the first merged partial */
} nc_timeline_opts;

void nc_timeline_opts_default(nc_timeline_opts *o);

/* One scored article as the timeline sees it; every pointer is borrowed for the call. */
typedef struct nc_tl_item {
    int32_t day;
    double tone;               /* clamped to [-1, 1] */
    size_t nlabels;
    const char *const *labels; /* topic names, nlabels of them (may be NULL when 0) */
    const double *scores;      /* probability per label (NULL: 1 for selected labels) */
    const int *selected;       /* 1 when the article carries the label (NULL: none) */
    const char *group;         /* value of the group_by field; NULL is counted as "(none)" */
} nc_tl_item;

typedef struct nc_timeline nc_timeline;

/* New empty timeline with options 'o' (NULL: defaults). Free with nc_timeline_free. */
int nc_timeline_new(const nc_timeline_opts *o, nc_timeline **out, nc_error *err);
void nc_timeline_free(nc_timeline *t); /* NULL is a no-op */
/* The options in effect (after merges with from_partials); borrowed from t. */
const nc_timeline_opts *nc_timeline_get_opts(const nc_timeline *t);

/* Declare a series in advance (e.g. every model label with topic "all"), so that it is listed
 * even when no article falls in it. */
int nc_timeline_add_series(nc_timeline *t, const char *name, nc_error *err);
/* Describe the run for titles and partials: an input file name, the model, and how many
 * articles were skipped for a missing or invalid date. */
int nc_timeline_add_input(nc_timeline *t, const char *name, nc_error *err);
int nc_timeline_set_model(nc_timeline *t, const char *model, nc_error *err);
void nc_timeline_count_skipped(nc_timeline *t, uint64_t n);

/* Add one article. With a topic filter it may add nothing (not labelled, or weight 0); its day
 * still extends the timeline's range. */
int nc_timeline_add(nc_timeline *t, const nc_tl_item *item, nc_error *err);

/* Save the sufficient statistics as JSON Lines (one header line, then one line per series and
 * non-empty period; format "newsclass-timeline-partial" version 2, whose header counts each
 * series' records and articles) to 'path' ("-" is stdout), atomically. */
int nc_timeline_save_partial(const nc_timeline *t, const char *path, nc_error *err);
/* Add a partial file ("-" is stdin) to t. Its settings must match t's (with from_partials, the
 * first partial sets them); a partial by day can be merged into weeks or months. The file must
 * be whole: every record of a series its header declares, none twice, and (version 2) as many
 * records and articles per series as the header says; else NC_EFORMAT naming the file (and
 * line). On any error t is partly merged and should be discarded. Versions 1 and 2 are read. */
int nc_timeline_merge_partial(nc_timeline *t, const char *path, nc_error *err);

/* ---- results ---- */

typedef struct nc_tl_stats {
    long key;            /* period key */
    char label[16];      /* period label */
    int32_t first_day, last_day;
    uint64_t n;          /* articles (with weight > 0) */
    double sum_w;        /* sum of weights (n when unweighted) */
    double n_eff;        /* (sum w)^2 / sum w^2 (n when unweighted) */
    double mean, sd;     /* weighted mean tone, sample standard deviation (NaN when n < 2) */
    double ci_lo, ci_hi; /* 95% CI of the mean: mean -/+ t(0.975, n_eff - 1) sd / sqrt(n_eff),
                            clipped to [-1, 1] (NaN when n_eff <= 1) */
    double median;       /* exact when median_exact, else from the histogram (+-0.005) */
    int median_exact;
    double share_neg, share_neu, share_pos; /* weighted shares of nc_tone_class -1, 0, 1 */
    double rolling;      /* pooled mean over this and the window-1 previous periods (NaN) */
} nc_tl_stats;

typedef struct nc_tl_change {
    size_t before;       /* index of the first period of the earlier window */
    size_t after;        /* index of the first period of the later window */
    size_t width;        /* window width in periods */
    double mean_before, mean_after, shift; /* shift = mean_after - mean_before */
    double n_before, n_after;              /* effective sizes */
    nc_tl_test test;                       /* Welch t-test, p < 0.05 */
} nc_tl_change;

/* Series are listed in bytewise order of their names; periods run from the first to the last
 * period holding a dated article, with empty periods included (n = 0, statistics NaN). */
size_t nc_timeline_nseries(const nc_timeline *t);
const char *nc_timeline_series_name(const nc_timeline *t, size_t s); /* borrowed */
size_t nc_timeline_nperiods(const nc_timeline *t);
/* Number of articles added (or merged) with a valid date, and the skipped count. */
uint64_t nc_timeline_narticles(const nc_timeline *t);
uint64_t nc_timeline_nskipped(const nc_timeline *t);
/* Statistics of series s, period i (0 <= i < nperiods). */
int nc_timeline_stats(const nc_timeline *t, size_t s, size_t i, nc_tl_stats *out,
                      nc_error *err);
/* Trend of series s: WLS of period means on period index, weighted by n_eff. NC_EINVAL when
 * fewer than 3 periods have articles (fields NaN). */
int nc_timeline_trend(const nc_timeline *t, size_t s, nc_tl_trend *out, nc_error *err);
/* Notable changes of series s: the largest shifts (by absolute size) between consecutive
 * windows with Welch p < 0.05, at most NC_TL_MAX_CHANGES, no two within one window width of
 * each other. out must hold NC_TL_MAX_CHANGES entries. */
int nc_timeline_changes(const nc_timeline *t, size_t s, nc_tl_change *out, size_t *nout,
                        nc_error *err);

typedef enum nc_tl_format {
    NC_TL_TABLE = 0, /* aligned text for people */
    NC_TL_CSV,       /* one row per series and period */
    NC_TL_JSON       /* one object: settings, periods, trend, changes */
} nc_tl_format;

/* Write the results to 'fp' (which the caller owns and flushes). NC_TL_JSON refuses more than
 * NC_TL_MAX_JSON_ROWS series x periods (before writing anything). */
int nc_timeline_write(const nc_timeline *t, nc_tl_format f, FILE *fp, nc_error *err);
/* Render an SVG chart (mean tone with its 95% band, article counts as bars, a zero line,
 * axes, title and legend) to 'path' atomically (src/chart.c). */
int nc_timeline_save_svg(const nc_timeline *t, const char *path, nc_error *err);
int nc_timeline_write_svg(const nc_timeline *t, FILE *fp, nc_error *err);

/* Inputs and model recorded with nc_timeline_add_input / set_model (or merged partials). */
size_t nc_timeline_ninputs(const nc_timeline *t);
const char *nc_timeline_input(const nc_timeline *t, size_t i);
const char *nc_timeline_model(const nc_timeline *t); /* NULL when unknown */

/* ---- reading `newsclass classify --format json` output ---- */

typedef struct nc_scored_reader nc_scored_reader;

/* A classified article; every pointer is borrowed from the reader until the next call. */
typedef struct nc_scored {
    const char *file;
    long line;
    const char *date;          /* NULL when absent or not a string */
    double tone;
    size_t nlabels;
    const char *const *labels; /* keys of "scores", then any "labels" entry not among them */
    const double *scores;
    const int *selected;       /* 1 for the entries of "labels" */
} nc_scored;

/* 1 in *yes when the first record of 'path' (JSON Lines, optionally gzip) has a numeric
 * "tone" and a "scores" object. Not for "-" (standard input cannot be read twice). */
int nc_scored_detect(const char *path, int *yes, nc_error *err);
int nc_scored_open(const char *path, nc_scored_reader **out, nc_error *err);
/* 1 with the next record in *rec, 0 at the end, or a negative nc_status ("file:line: ..."). */
int nc_scored_next(nc_scored_reader *r, nc_scored *rec, nc_error *err);
/* Top-level string field of the current record, or NULL (borrowed until the next call). */
const char *nc_scored_field(const nc_scored_reader *r, const char *name);
void nc_scored_free(nc_scored_reader *r); /* NULL is a no-op; never closes stdin */

#ifdef __cplusplus
}
#endif
#endif
