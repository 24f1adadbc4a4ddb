/* timeline_impl.h (private): the layout of nc_timeline and the accumulator operations shared by
 * timeline.c (building and reporting) and timeline_io.c (partial files and the classify-output
 * reader). Nothing outside those two files includes this header. */
#ifndef NC_TIMELINE_IMPL_H
#define NC_TIMELINE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include <newsclass/timeline.h>

#include "util.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define NC_TL_SCALE ((int64_t)1 << NC_TL_SCALE_BITS) /* 1.0 in fixed point */

typedef struct tl_value {
    int32_t q;  /* tone in units of 2^-24 */
    uint32_t u; /* weight in units of 2^-24 (at most 2^24) */
} tl_value;

typedef struct tl_period {
    uint64_t n;
    i128 sw, sw2, swx, swx2;
    uint64_t cls[3];            /* weight of negative, neutral, positive */
    uint64_t hist[NC_TL_BINS];  /* weight per 0.01-wide tone bin */
    int nexact;                 /* values kept in ex[]; -1 once there were too many */
    tl_value *ex;
} tl_period;

typedef struct tl_series {
    char *name;
    long base;            /* key of periods[0] */
    size_t cap;
    tl_period **periods;
} tl_series;

struct nc_timeline {
    nc_timeline_opts o;
    char *topic, *group_by;
    int adopted;          /* with from_partials: settings taken from a partial */
    tl_series *series;
    size_t nseries, scap;
    size_t *order;        /* series indices sorted by name */
    size_t *hash;         /* open addressing: series index + 1, 0 = empty */
    size_t hcap;
    int have_range;
    long kmin, kmax;
    uint64_t narticles, nskipped;
    char **inputs;
    size_t ninputs, icap;
    char *model;
    nc_strbuf name;       /* scratch for series names */
};

/* Replace *dst with a copy of src (NULL allowed). 0, or -1 when out of memory (*dst kept). */
int nc_tl_set_str(char **dst, const char *src);
/* Widen t's period range [kmin, kmax] to include 'key'; an error (range unchanged) when it
 * would then span more than NC_TL_MAX_PERIODS periods. */
int nc_tl_extend_range(nc_timeline *t, long key, nc_error *err);
/* Find the series called 'name', creating it when 'create'. Returns its index, (size_t)-1 when
 * absent (and not created) or on out-of-memory (then *oom is set). */
size_t nc_tl_series_find(nc_timeline *t, const char *name, int create, int *oom);
/* The period of series s for 'key', created (zeroed) when absent; NULL when out of memory. */
tl_period *nc_tl_period_get(tl_series *s, long key);
/* Keep (or stop keeping) exact values after adding 'k' more from src[0..k); k < 0 means "an
 * unknown number", which stops keeping them. 0, or -1 when out of memory. */
int nc_tl_exact_add(tl_period *p, const tl_value *src, int k);
/* Add src's sums, class weights and histogram to dst (not the exact values: see
 * nc_tl_exact_add). 0, or -1 when a sum would overflow (dst is then partly updated: the
 * caller fails the whole merge). */
int nc_tl_period_merge(tl_period *dst, const tl_period *src);
/* 1 when key is a period of kind p within the dates newsclass reads (0001-01-01 to
 * 9999-12-31), else 0. */
int nc_tl_key_valid(nc_period p, double key);

#endif
