/* test_timeline.c: unit tests of the timeline module: date parsing and ISO weeks, period keys
 * and labels, per-period statistics against hand-computed values, empty periods, topic
 * filtering and weighting, histogram medians, the exact merge of partials, Welch's test and
 * the weighted trend against values computed independently, change detection, the
 * classify-output reader, and the renderings (CSV/JSON/SVG well-formedness basics).
 * SPDX-License-Identifier: MIT */
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <newsclass/timeline.h>

#include "check.h"

static char tmpdir[] = "/tmp/nc-test-timeline-XXXXXX";

static const char *tmp_path(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

static int32_t D(const char *s)
{
    int32_t d = 0;
    if (nc_date_parse(s, &d, NULL) != NC_OK) {
        fprintf(stderr, "bad test date %s\n", s);
        exit(2);
    }
    return d;
}

static void test_dates(void)
{
    int32_t d;
    nc_error err = { 0 };
    int y, m, dd, w, ok = 1;
    char buf[16];

    CHECK_EQ_INT(nc_date_from_civil(1970, 1, 1), 0);
    CHECK_EQ_INT(nc_date_from_civil(2000, 3, 1), 11017);
    CHECK_EQ_INT(D("2024-03-01"), 19783);
    CHECK_EQ_INT(D("2021-01-03"), 18630);
    /* timestamps: the date as written is the day, whatever the offset */
    CHECK_EQ_INT(D("2024-03-01T23:30:00+02:00"), 19783);
    CHECK_EQ_INT(D("2024-03-01T00:10:00-05:00"), 19783);
    CHECK_EQ_INT(D("2024-03-01T23:30:00Z"), 19783);
    CHECK_EQ_INT(D("2024-03-01T23:30:00.123+0200"), 19783);
    CHECK_EQ_INT(D("2024-03-01 08:15"), 19783);
    CHECK_EQ_INT(D("2024-03-01T08:15:59+05"), 19783);
    /* leap days */
    CHECK_EQ_INT(nc_date_parse("2024-02-29", &d, NULL), NC_OK);
    CHECK_EQ_INT(nc_date_parse("2000-02-29", &d, NULL), NC_OK);
    CHECK_EQ_INT(nc_date_parse("1900-02-29", &d, NULL), NC_EFORMAT);
    CHECK_EQ_INT(nc_date_parse("2023-02-29", &d, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "invalid date '2023-02-29'");
    /* invalid */
    static const char *bad[] = { "", "2024", "2024-3-01", "2024-03-1", "2024-13-01",
                                 "2024-00-10", "2024-04-31", "0000-01-01", "24-03-01",
                                 "2024-03-01x", "2024-03-01T", "2024-03-01T25:00",
                                 "2024-03-01T10:60", "2024-03-01T10:00:00+2",
                                 "2024-03-01T10:00:00+02:7", "2024-03-01T10:00:00.",
                                 "2024/03/01", " 2024-03-01", "March 1, 2024" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (nc_date_parse(bad[i], &d, NULL) != NC_EFORMAT) {
            fprintf(stderr, "accepted bad date '%s'\n", bad[i]);
            ok = 0;
        }
    }
    CHECK(ok);
    CHECK_EQ_INT(nc_date_parse(NULL, &d, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "missing date");
    /* round trip over a wide range */
    ok = 1;
    for (int32_t k = -800000; k <= 2900000; k += 37) {
        nc_date_to_civil(k, &y, &m, &dd);
        if (nc_date_from_civil(y, m, dd) != k)
            ok = 0;
    }
    CHECK(ok);
    nc_date_format(D("1999-12-31"), buf, sizeof buf);
    CHECK_STR(buf, "1999-12-31");
    /* weekdays and ISO weeks (reference: Python's date.isocalendar) */
    CHECK_EQ_INT(nc_date_weekday(0), 4);
    CHECK_EQ_INT(nc_date_weekday(D("2024-03-01")), 5);
    CHECK_EQ_INT(nc_date_weekday(D("1969-12-29")), 1);
    CHECK_EQ_INT(nc_date_weekday(D("1969-12-28")), 7);
    static const struct { const char *d; int y, w; } iso[] = {
        { "2021-01-03", 2020, 53 }, { "2021-01-04", 2021, 1 }, { "2008-12-29", 2009, 1 },
        { "2010-01-03", 2009, 53 }, { "2024-02-26", 2024, 9 }, { "2019-12-30", 2020, 1 },
        { "2026-12-31", 2026, 53 }, { "2027-01-03", 2026, 53 }, { "2024-03-01", 2024, 9 },
    };
    for (size_t i = 0; i < sizeof iso / sizeof iso[0]; i++) {
        nc_date_iso_week(D(iso[i].d), &y, &w);
        CHECK_EQ_INT(y, iso[i].y);
        CHECK_EQ_INT(w, iso[i].w);
    }
    /* file names */
    CHECK_EQ_INT(nc_date_from_name("dir/2023-01-01/2024-03-01-budget.txt", &d, NULL), NC_OK);
    CHECK_EQ_INT(d, D("2024-03-01"));
    CHECK_EQ_INT(nc_date_from_name("news_2023-02-29_2023-03-01.html", &d, NULL), NC_OK);
    CHECK_EQ_INT(d, D("2023-03-01"));
    CHECK_EQ_INT(nc_date_from_name("x12024-03-01.txt", &d, NULL), NC_EFORMAT);
    CHECK_EQ_INT(nc_date_from_name("20240301.txt", &d, &err), NC_EFORMAT);
    CHECK_STR(err.msg, "no YYYY-MM-DD date in file name '20240301.txt'");
}

static void test_periods(void)
{
    nc_period p;
    char buf[16];
    int32_t a, b;
    long k;

    CHECK_EQ_INT(nc_period_parse("week", &p, NULL), NC_OK);
    CHECK_EQ_INT(p, NC_PERIOD_WEEK);
    CHECK_EQ_INT(nc_period_parse("year", &p, NULL), NC_EINVAL);
    /* weeks start on Monday: Sunday 2021-01-03 is in the week of Monday 2020-12-28 */
    k = nc_period_key(NC_PERIOD_WEEK, D("2021-01-03"));
    CHECK_EQ_INT(k, nc_period_key(NC_PERIOD_WEEK, D("2020-12-28")));
    CHECK_EQ_INT(k + 1, nc_period_key(NC_PERIOD_WEEK, D("2021-01-04")));
    nc_period_label(NC_PERIOD_WEEK, k, buf, sizeof buf);
    CHECK_STR(buf, "2020-W53");
    nc_period_bounds(NC_PERIOD_WEEK, k, &a, &b);
    CHECK_EQ_INT(a, D("2020-12-28"));
    CHECK_EQ_INT(b, D("2021-01-03"));
    k = nc_period_key(NC_PERIOD_WEEK, D("1969-12-28")); /* before the epoch */
    nc_period_bounds(NC_PERIOD_WEEK, k, &a, &b);
    CHECK_EQ_INT(a, D("1969-12-22"));
    k = nc_period_key(NC_PERIOD_MONTH, D("2024-02-29"));
    nc_period_label(NC_PERIOD_MONTH, k, buf, sizeof buf);
    CHECK_STR(buf, "2024-02");
    nc_period_bounds(NC_PERIOD_MONTH, k, &a, &b);
    CHECK_EQ_INT(a, D("2024-02-01"));
    CHECK_EQ_INT(b, D("2024-02-29"));
    CHECK_EQ_INT(nc_period_key(NC_PERIOD_MONTH, D("2024-01-31")) + 1, k);
    nc_period_label(NC_PERIOD_DAY, D("2024-03-01"), buf, sizeof buf);
    CHECK_STR(buf, "2024-03-01");
}

static void add(nc_timeline *t, const char *date, double tone)
{
    nc_tl_item it = { 0 };
    it.day = D(date);
    it.tone = tone;
    CHECK_EQ_INT(nc_timeline_add(t, &it, NULL), NC_OK);
}

static void add_labelled(nc_timeline *t, const char *date, double tone, double p_sport,
                         double p_cyber, const char *group)
{
    static const char *labels[] = { "cybersecurity", "sport" };
    double scores[2] = { p_cyber, p_sport };
    int sel[2] = { p_cyber > 0.5, p_sport > 0.5 };
    nc_tl_item it = { 0 };
    it.day = D(date);
    it.tone = tone;
    it.nlabels = 2;
    it.labels = labels;
    it.scores = scores;
    it.selected = sel;
    it.group = group;
    CHECK_EQ_INT(nc_timeline_add(t, &it, NULL), NC_OK);
}

static void test_stats(void)
{
    nc_timeline_opts o;
    nc_timeline *t = NULL;
    nc_tl_stats st;

    nc_timeline_opts_default(&o);
    o.by = NC_PERIOD_DAY;
    CHECK_EQ_INT(nc_timeline_new(&o, &t, NULL), NC_OK);
    add(t, "2024-03-01", 0.5);
    add(t, "2024-03-01T22:00:00+01:00", -0.5);
    add(t, "2024-03-01", 0.25);
    add(t, "2024-03-01", 1.0);
    add(t, "2024-03-04", -0.2);
    CHECK_EQ_INT(nc_timeline_nseries(t), 1);
    CHECK_STR(nc_timeline_series_name(t, 0), "all");
    CHECK_EQ_INT(nc_timeline_nperiods(t), 4);
    CHECK_EQ_INT(nc_timeline_narticles(t), 5);
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 0, &st, NULL), NC_OK);
    CHECK_STR(st.label, "2024-03-01");
    CHECK_EQ_INT(st.n, 4);
    CHECK_NEAR(st.mean, 0.3125, 1e-7);
    CHECK_NEAR(st.sd, 0.625, 1e-7);                     /* sqrt(1.171875 / 3) */
    CHECK_NEAR(st.ci_lo, 0.3125 - 3.182446305284263 * 0.625 / 2, 1e-6);
    CHECK_NEAR(st.ci_hi, 1.0, 0); /* 1.307, clipped to the tone range */
    CHECK_NEAR(st.median, 0.375, 1e-7);                 /* (0.25 + 0.5) / 2 */
    CHECK(st.median_exact);
    CHECK_NEAR(st.share_neg, 0.25, 1e-12);
    CHECK_NEAR(st.share_neu, 0.25, 1e-12);              /* 0.25 is not above 0.25 */
    CHECK_NEAR(st.share_pos, 0.5, 1e-12);
    CHECK_NEAR(st.n_eff, 4, 1e-9);
    /* empty days in between are kept */
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 1, &st, NULL), NC_OK);
    CHECK_STR(st.label, "2024-03-02");
    CHECK_EQ_INT(st.n, 0);
    CHECK(isnan(st.mean) && isnan(st.median) && isnan(st.share_pos));
    /* one article: a mean and a median, no sd or interval */
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 3, &st, NULL), NC_OK);
    CHECK_EQ_INT(st.n, 1);
    CHECK_NEAR(st.mean, -0.2, 1e-7);
    CHECK(isnan(st.sd) && isnan(st.ci_lo));
    CHECK_NEAR(st.median, -0.2, 1e-7);
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 4, &st, NULL), NC_EINVAL);
    nc_timeline_free(t);

    /* more than NC_TL_EXACT_MAX articles: median from the histogram (bins 0.01 wide);
     * 99 tones at bin centres -0.985, -0.965, ... 0.975: true median -0.005 */
    o.by = NC_PERIOD_MONTH;
    CHECK_EQ_INT(nc_timeline_new(&o, &t, NULL), NC_OK);
    for (int i = 0; i < 99; i++)
        add(t, "2024-03-05", -0.985 + 0.02 * i);
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 0, &st, NULL), NC_OK);
    CHECK_STR(st.label, "2024-03");
    CHECK_EQ_INT(st.n, 99);
    CHECK(!st.median_exact);
    CHECK_NEAR(st.median, -0.005, 1e-9);
    CHECK_NEAR(st.mean, -0.005, 1e-7);
    nc_timeline_free(t);
}

static void test_topics(void)
{
    nc_timeline_opts o;
    nc_timeline *t = NULL;
    nc_tl_stats st;
    nc_error err = { 0 };

    nc_timeline_opts_default(&o);
    o.by = NC_PERIOD_WEEK;
    o.topic = "sport";
    CHECK_EQ_INT(nc_timeline_new(&o, &t, NULL), NC_OK);
    add_labelled(t, "2024-02-26", 1.0, 0.9, 0.1, NULL);
    add_labelled(t, "2024-02-27", -1.0, 0.6, 0.1, NULL);
    add_labelled(t, "2024-02-28", 0.0, 0.2, 0.9, NULL); /* not sport */
    add_labelled(t, "2024-03-11", 0.3, 0.1, 0.9, NULL); /* extends the range only */
    CHECK_EQ_INT(nc_timeline_nperiods(t), 3);
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 0, &st, NULL), NC_OK);
    CHECK_STR(st.label, "2024-W09");
    CHECK_EQ_INT(st.n, 2);
    CHECK_NEAR(st.mean, 0.0, 1e-7);
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 2, &st, NULL), NC_OK);
    CHECK_EQ_INT(st.n, 0);
    nc_timeline_free(t);

    /* weighted: tones 1 and -1 with weights 0.5 and 1 */
    o.weighted = 1;
    CHECK_EQ_INT(nc_timeline_new(&o, &t, NULL), NC_OK);
    add_labelled(t, "2024-02-26", 1.0, 0.5, 0.1, NULL);
    add_labelled(t, "2024-02-27", -1.0, 1.0, 0.1, NULL);
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 0, &st, NULL), NC_OK);
    CHECK_EQ_INT(st.n, 2);
    CHECK_NEAR(st.sum_w, 1.5, 1e-7);
    CHECK_NEAR(st.mean, -1.0 / 3, 1e-7);
    CHECK_NEAR(st.n_eff, 1.8, 1e-7);     /* 1.5^2 / 1.25 */
    CHECK_NEAR(st.sd, sqrt(2.0), 1e-6);  /* (1.5 - 1.5/9) / (1.5 - 1.25/1.5) = 2 */
    CHECK_NEAR(st.median, -1.0, 1e-7);   /* the heavier article */
    CHECK_NEAR(st.share_pos, 1.0 / 3, 1e-7);
    nc_timeline_free(t);

    /* one series per label, side by side, and grouping */
    o.weighted = 0;
    o.topic = "all";
    o.group_by = "source";
    CHECK_EQ_INT(nc_timeline_new(&o, &t, NULL), NC_OK);
    add_labelled(t, "2024-02-26", 0.5, 0.9, 0.9, "B");
    add_labelled(t, "2024-02-26", -0.5, 0.9, 0.1, NULL);
    CHECK_EQ_INT(nc_timeline_nseries(t), 3);
    CHECK_STR(nc_timeline_series_name(t, 0), "cybersecurity/B");
    CHECK_STR(nc_timeline_series_name(t, 1), "sport/(none)");
    CHECK_STR(nc_timeline_series_name(t, 2), "sport/B");
    nc_timeline_free(t);

    o.topic = NULL;
    o.group_by = NULL;
    o.weighted = 1;
    CHECK_EQ_INT(nc_timeline_new(&o, &t, &err), NC_EINVAL);
    CHECK_STR(err.msg, "weighting needs a topic");
    CHECK(t == NULL);
}

static void test_welch_trend(void)
{
    nc_tl_test tt;
    nc_tl_trend tr;
    nc_error err = { 0 };
    static const double x[] = { 0, 1, 2, 3, 4 }, y[] = { 1, 2, 1.3, 3.75, 2.25 };
    static const double w1[] = { 1, 1, 1, 1, 1 }, w2[] = { 1, 2, 1, 2, 1 };

    /* A = {1,2,3,4}: mean 2.5, var 5/3; B = {3,...,7}: mean 5, var 2.5 */
    nc_tl_welch(2.5, 5.0 / 3, 4, 5.0, 2.5, 5, &tt);
    CHECK_NEAR(tt.t, 2.61116483934, 1e-9);
    CHECK_NEAR(tt.df, 6.98076923077, 1e-9);
    CHECK_NEAR(tt.p, 0.03493878236, 1e-8);
    nc_tl_welch(2.5, 0, 4, 2.5, 0, 5, &tt);
    CHECK(isnan(tt.t) && isnan(tt.p));
    nc_tl_welch(2.5, 1, 1, 2.5, 1, 5, &tt);
    CHECK(isnan(tt.df));

    CHECK_EQ_INT(nc_tl_fit_trend(x, y, w1, 5, &tr, NULL), NC_OK);
    CHECK_EQ_INT(tr.npoints, 5);
    CHECK_NEAR(tr.slope, 0.425, 1e-12);
    CHECK_NEAR(tr.intercept, 1.21, 1e-12);
    CHECK_NEAR(tr.se, 0.305, 1e-12);
    CHECK_NEAR(tr.df, 3, 0);
    CHECK_NEAR(tr.t, 1.39344262295, 1e-9);
    CHECK_NEAR(tr.p, 0.257777302854, 1e-9);
    CHECK_NEAR(tr.ci_lo, 0.425 - 3.182446305284263 * 0.305, 1e-9);
    CHECK_NEAR(tr.ci_hi, 0.425 + 3.182446305284263 * 0.305, 1e-9);
    CHECK_EQ_INT(nc_tl_fit_trend(x, y, w2, 5, &tr, NULL), NC_OK);
    CHECK_NEAR(tr.slope, 0.5, 1e-12);
    CHECK_NEAR(tr.intercept, 1.29285714286, 1e-9);
    CHECK_NEAR(tr.se, 0.336532269261, 1e-9);
    CHECK_NEAR(tr.p, 0.234034389817, 1e-9);
    /* points with weight 0 are ignored; two points are not enough */
    {
        static const double w3[] = { 1, 0, 0, 0, 1 };
        CHECK_EQ_INT(nc_tl_fit_trend(x, y, w3, 5, &tr, &err), NC_EINVAL);
        CHECK_EQ_INT(tr.npoints, 2);
        CHECK(isnan(tr.slope));
    }
}

static void test_trend_changes(void)
{
    nc_timeline_opts o;
    nc_timeline *t = NULL;
    nc_tl_trend tr;
    nc_tl_change ch[NC_TL_MAX_CHANGES];
    nc_tl_stats st;
    size_t n;
    /* six weeks from Monday 2024-01-01: three around -0.5, three around +0.5 */
    static const char *days[] = { "2024-01-01", "2024-01-08", "2024-01-15",
                                  "2024-01-22", "2024-01-29", "2024-02-05" };

    nc_timeline_opts_default(&o);
    o.window = 3;
    CHECK_EQ_INT(nc_timeline_new(&o, &t, NULL), NC_OK);
    for (int w = 0; w < 6; w++) {
        double c = w < 3 ? -0.5 : 0.5;
        add(t, days[w], c - 0.1);
        add(t, days[w], c);
        add(t, days[w], c + 0.1);
    }
    CHECK_EQ_INT(nc_timeline_nperiods(t), 6);
    CHECK_EQ_INT(nc_timeline_trend(t, 0, &tr, NULL), NC_OK);
    /* means -0.5 x3, 0.5 x3 at x = 0..5, equal weights: slope = 4.5 / 17.5 */
    CHECK_NEAR(tr.slope, 4.5 / 17.5, 1e-6);
    CHECK_EQ_INT(nc_timeline_changes(t, 0, ch, &n, NULL), NC_OK);
    CHECK_EQ_INT(n, 1);
    CHECK_EQ_INT(ch[0].before, 0);
    CHECK_EQ_INT(ch[0].after, 3);
    CHECK_NEAR(ch[0].shift, 1.0, 1e-6);
    CHECK(ch[0].test.p < 0.05);
    /* rolling mean over 3 weeks */
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 1, &st, NULL), NC_OK);
    CHECK(isnan(st.rolling));
    CHECK_EQ_INT(nc_timeline_stats(t, 0, 3, &st, NULL), NC_OK);
    CHECK_NEAR(st.rolling, -1.0 / 6, 1e-6);
    nc_timeline_free(t);
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf;
    long n;
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    n = ftell(fp);
    rewind(fp);
    buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(fp);
    return buf;
}

static char *render(const nc_timeline *t, nc_tl_format f)
{
    const char *p = tmp_path("render.out");
    FILE *fp = fopen(p, "wb");
    char *s;
    if (!fp)
        return NULL;
    CHECK_EQ_INT(nc_timeline_write(t, f, fp, NULL), NC_OK);
    fclose(fp);
    s = slurp(p);
    unlink(p);
    return s;
}

/* Articles: a deterministic pseudo-random mix, with more than NC_TL_EXACT_MAX in some days. */
static void fill(nc_timeline *t, int from, int to)
{
    for (int i = from; i < to; i++) {
        unsigned h = (unsigned)i * 2654435761u;
        char date[16];
        double tone = ((double)(h % 2001) - 1000) / 1000.0;
        double ps = (double)((h >> 11) % 101) / 100.0;
        int day = i < 150 ? 0 : (int)(h >> 5) % 40;
        nc_date_format(D("2024-02-20") + day, date, sizeof date);
        add_labelled(t, date, tone, ps, 1 - ps, (h >> 3) & 1 ? "north" : "south");
    }
}

static void test_merge(void)
{
    nc_timeline_opts o;
    nc_timeline *whole = NULL, *a = NULL, *b = NULL, *m = NULL, *wk = NULL;
    nc_error err = { 0 };
    char *s1, *s2;
    nc_tl_stats x, y;
    int same = 1;

    nc_timeline_opts_default(&o);
    o.by = NC_PERIOD_DAY;
    o.topic = "sport";
    o.weighted = 1;
    o.window = 2;
    CHECK_EQ_INT(nc_timeline_new(&o, &whole, NULL), NC_OK);
    CHECK_EQ_INT(nc_timeline_new(&o, &a, NULL), NC_OK);
    CHECK_EQ_INT(nc_timeline_new(&o, &b, NULL), NC_OK);
    fill(whole, 0, 400);
    fill(a, 0, 77);      /* the shards split day 0 (150 articles) in two */
    fill(b, 77, 400);
    nc_timeline_count_skipped(a, 2);
    nc_timeline_count_skipped(b, 3);
    nc_timeline_count_skipped(whole, 5);
    CHECK_EQ_INT(nc_timeline_add_input(a, "shard-a.jsonl", NULL), NC_OK);
    CHECK_EQ_INT(nc_timeline_save_partial(a, tmp_path("a.partial"), &err), NC_OK);
    CHECK_EQ_INT(nc_timeline_save_partial(b, tmp_path("b.partial"), &err), NC_OK);

    o.from_partials = 2;
    o.topic = NULL;
    o.weighted = 0;
    CHECK_EQ_INT(nc_timeline_new(&o, &m, NULL), NC_OK);
    CHECK_EQ_INT(nc_timeline_merge_partial(m, tmp_path("b.partial"), &err), NC_OK);
    CHECK_EQ_INT(nc_timeline_merge_partial(m, tmp_path("a.partial"), &err), NC_OK);
    CHECK_STR(nc_timeline_get_opts(m)->topic, "sport");
    CHECK_EQ_INT(nc_timeline_narticles(m), 400);
    CHECK_EQ_INT(nc_timeline_nskipped(m), 5);
    CHECK_EQ_INT(nc_timeline_ninputs(m), 1);
    CHECK_EQ_INT(nc_timeline_nperiods(m), nc_timeline_nperiods(whole));
    for (size_t i = 0; i < nc_timeline_nperiods(whole); i++) {
        nc_timeline_stats(whole, 0, i, &x, NULL);
        nc_timeline_stats(m, 0, i, &y, NULL);
        if (x.n != y.n || memcmp(&x.mean, &y.mean, sizeof x.mean) ||
            memcmp(&x.sd, &y.sd, sizeof x.sd) || memcmp(&x.median, &y.median, sizeof x.median) ||
            memcmp(&x.rolling, &y.rolling, sizeof x.rolling) ||
            x.median_exact != y.median_exact || memcmp(&x.share_pos, &y.share_pos, sizeof x.share_pos))
            same = 0;
    }
    CHECK(same);
    nc_timeline_stats(whole, 0, 0, &x, NULL);
    CHECK(x.n >= 150);
    CHECK(!x.median_exact);
    s1 = render(whole, NC_TL_CSV);
    s2 = render(m, NC_TL_CSV);
    CHECK(s1 && s2 && strcmp(s1, s2) == 0);
    free(s1);
    free(s2);

    /* a partial by day merges into weeks exactly like a run by week */
    o.from_partials = 1;
    o.by = NC_PERIOD_WEEK;
    o.topic = "sport";
    o.weighted = 1;
    nc_timeline_free(m);
    CHECK_EQ_INT(nc_timeline_new(&o, &m, NULL), NC_OK);
    CHECK_EQ_INT(nc_timeline_merge_partial(m, tmp_path("a.partial"), &err), NC_OK);
    CHECK_EQ_INT(nc_timeline_merge_partial(m, tmp_path("b.partial"), &err), NC_OK);
    o.from_partials = 0;
    CHECK_EQ_INT(nc_timeline_new(&o, &wk, NULL), NC_OK);
    fill(wk, 0, 400);
    nc_timeline_count_skipped(wk, 5);
    s1 = render(wk, NC_TL_JSON);
    s2 = render(m, NC_TL_JSON);
    CHECK(s1 && s2 && strstr(s1, "\"by\":\"week\""));
    /* equal except for the inputs list */
    if (s1 && s2) {
        char *p1 = strstr(s1, "\"articles\""), *p2 = strstr(s2, "\"articles\"");
        CHECK(p1 && p2 && strcmp(p1, p2) == 0);
    }
    free(s1);
    free(s2);

    /* a partial by week cannot become days; settings must match */
    CHECK_EQ_INT(nc_timeline_save_partial(wk, tmp_path("w.partial"), &err), NC_OK);
    nc_timeline_free(m);
    o.by = NC_PERIOD_DAY;
    CHECK_EQ_INT(nc_timeline_new(&o, &m, NULL), NC_OK);
    CHECK_EQ_INT(nc_timeline_merge_partial(m, tmp_path("w.partial"), &err), NC_EINVAL);
    CHECK(strstr(err.msg, "partial is by week; cannot merge it by day") != NULL);
    nc_timeline_free(m);
    o.topic = "cybersecurity";
    CHECK_EQ_INT(nc_timeline_new(&o, &m, NULL), NC_OK);
    CHECK_EQ_INT(nc_timeline_merge_partial(m, tmp_path("a.partial"), &err), NC_EINVAL);
    {
        FILE *fp = fopen(tmp_path("junk.partial"), "w");
        fputs("{\"format\":\"something-else\"}\n", fp);
        fclose(fp);
    }
    CHECK_EQ_INT(nc_timeline_merge_partial(m, tmp_path("junk.partial"), &err), NC_EFORMAT);
    CHECK_EQ_INT(nc_timeline_merge_partial(m, tmp_path("missing.partial"), &err), NC_EIO);
    CHECK(strstr(err.msg, "cannot open") != NULL);
    /* a partial cut at a line boundary (here: after its header) is still JSON Lines of
     * plausible records: the header's per-series counts tell it from a whole one */
    {
        FILE *in = fopen(tmp_path("a.partial"), "r"), *out = fopen(tmp_path("cut.partial"), "w");
        char line[4096];
        if (in && out && fgets(line, sizeof line, in))
            fputs(line, out);
        if (in)
            fclose(in);
        if (out)
            fclose(out);
    }
    nc_timeline_free(m);
    o.from_partials = 2;
    CHECK_EQ_INT(nc_timeline_new(&o, &m, NULL), NC_OK);
    CHECK_EQ_INT(nc_timeline_merge_partial(m, tmp_path("cut.partial"), &err), NC_EFORMAT);
    CHECK(strstr(err.msg, "cut.partial: series 'sport' has 0 records") != NULL);
    CHECK(strstr(err.msg, "(the file was cut short or edited)") != NULL);
    unlink(tmp_path("cut.partial"));
    unlink(tmp_path("a.partial"));
    unlink(tmp_path("b.partial"));
    unlink(tmp_path("w.partial"));
    unlink(tmp_path("junk.partial"));
    nc_timeline_free(m);
    nc_timeline_free(wk);
    nc_timeline_free(a);
    nc_timeline_free(b);
    nc_timeline_free(whole);
}

static void test_scored_reader(void)
{
    const char *p = tmp_path("classified.jsonl");
    FILE *fp = fopen(p, "w");
    nc_scored_reader *r = NULL;
    nc_scored rec;
    nc_error err = { 0 };
    int yes = 0;

    fputs("\n{\"id\":\"a\",\"date\":\"2024-03-01\",\"source\":\"X\",\"scores\":{\"sport\":0.9,"
          "\"diplomacy\":0.2},\"labels\":[\"sport\"],\"tone\":0.4,\"tone_label\":\"positive\"}\n"
          "{\"id\":\"b\",\"scores\":{},\"labels\":[\"other\"],\"tone\":-0.3}\n"
          "{\"id\":\"c\",\"scores\":{}}\n",
          fp);
    fclose(fp);
    CHECK_EQ_INT(nc_scored_detect(p, &yes, NULL), NC_OK);
    CHECK(yes);
    CHECK_EQ_INT(nc_scored_open(p, &r, NULL), NC_OK);
    CHECK_EQ_INT(nc_scored_next(r, &rec, NULL), 1);
    CHECK_EQ_INT(rec.line, 2);
    CHECK_STR(rec.date, "2024-03-01");
    CHECK_NEAR(rec.tone, 0.4, 0);
    CHECK_EQ_INT(rec.nlabels, 2);
    CHECK_STR(rec.labels[0], "sport");
    CHECK_EQ_INT(rec.selected[0], 1);
    CHECK_EQ_INT(rec.selected[1], 0);
    CHECK_NEAR(rec.scores[1], 0.2, 0);
    CHECK_STR(nc_scored_field(r, "source"), "X");
    CHECK_EQ_INT(nc_scored_next(r, &rec, NULL), 1);
    CHECK(rec.date == NULL);
    CHECK_EQ_INT(rec.nlabels, 1);
    CHECK_STR(rec.labels[0], "other");
    CHECK_EQ_INT(rec.selected[0], 1);
    CHECK_EQ_INT(nc_scored_next(r, &rec, &err), NC_EFORMAT);
    CHECK(strstr(err.msg, "classified.jsonl:4: no numeric 'tone'") != NULL);
    nc_scored_free(r);

    fp = fopen(p, "w");
    fputs("{\"id\":\"a\",\"date\":\"2024-03-01\",\"title\":\"x\",\"tone\":0.5}\n", fp);
    fclose(fp);
    CHECK_EQ_INT(nc_scored_detect(p, &yes, NULL), NC_OK);
    CHECK(!yes);
    unlink(p);
}

static void test_render(void)
{
    nc_timeline_opts o;
    nc_timeline *t = NULL;
    char *s;
    const char *svg = tmp_path("chart.svg");

    nc_timeline_opts_default(&o);
    o.by = NC_PERIOD_MONTH;
    o.window = 2;
    CHECK_EQ_INT(nc_timeline_new(&o, &t, NULL), NC_OK);
    CHECK_EQ_INT(nc_timeline_add_input(t, "a&b.jsonl", NULL), NC_OK);
    add(t, "2024-01-05", 0.5);
    add(t, "2024-01-09", 0.1);
    add(t, "2024-03-05", -0.5);
    s = render(t, NC_TL_CSV);
    CHECK(s && strstr(s, "series,period,first_day,last_day,n,") == s);
    CHECK(s && strstr(s, "\nall,2024-02,2024-02-01,2024-02-29,0,0,0,,,,,,,,,,0.3\n"));
    CHECK(s && strstr(s, "\nall,2024-01,2024-01-01,2024-01-31,2,2,2,0.3,"));
    free(s);
    s = render(t, NC_TL_JSON);
    CHECK(s && s[0] == '{' && strstr(s, "\"period\":\"2024-02\",\"first_day\":\"2024-02-01\""));
    CHECK(s && strstr(s, "\"mean\":null"));
    free(s);
    s = render(t, NC_TL_TABLE);
    CHECK(s && strstr(s, "tone by month: all articles"));
    CHECK(s && strstr(s, "2024-02          0       -"));
    free(s);
    CHECK_EQ_INT(nc_timeline_save_svg(t, svg, NULL), NC_OK);
    s = slurp(svg);
    CHECK(s && strstr(s, "<svg ") && strstr(s, "</svg>\n") && strstr(s, "a&amp;b.jsonl"));
    free(s);
    unlink(svg);
    CHECK_EQ_INT(nc_timeline_save_svg(t, "/nonexistent-dir/x.svg", NULL), NC_EIO);
    nc_timeline_free(t);
}

int main(void)
{
    gsl_set_error_handler_off();
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_dates();
    test_periods();
    test_stats();
    test_topics();
    test_welch_trend();
    test_trend_changes();
    test_merge();
    test_scored_reader();
    test_render();
    rmdir(tmpdir);
    return check_report();
}
