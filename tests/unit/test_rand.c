/* test_rand.c: rand.c's per-thread rand()/srand() give glibc's sequences (checked against
 * glibc's own random_r, which is not replaced), one independent sequence per thread, and are
 * the definitions that LIBLINEAR (a shared library) calls.
 * SPDX-License-Identifier: MIT */
#define _DEFAULT_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define N 2000

static void reference(unsigned seed, int *out, int n)
{
    struct random_data rd;
    char state[128];
    memset(&rd, 0, sizeof rd);
    memset(state, 0, sizeof state);
    initstate_r(seed, state, sizeof state, &rd); /* 128 bytes: TYPE_3, as rand() uses */
    for (int i = 0; i < n; i++) {
        int32_t r;
        random_r(&rd, &r);
        out[i] = (int)r;
    }
}

static void test_same_as_glibc(void)
{
    static const unsigned seeds[] = { 0, 1, 2, 42, 12345, 2147483647u, 4294967295u };
    int want[N];
    for (size_t k = 0; k < sizeof seeds / sizeof seeds[0]; k++) {
        int same = 1;
        reference(seeds[k], want, N);
        srand(seeds[k]);
        for (int i = 0; i < N; i++)
            same &= rand() == want[i];
        CHECK(same);
    }
}

struct job {
    unsigned seed;
    int got[N];
};

static void *draw(void *arg)
{
    struct job *j = arg;
    srand(j->seed);
    for (int i = 0; i < N; i++) {
        j->got[i] = rand();
        if (i % 64 == 0)
            sched_yield();
    }
    return NULL;
}

static void test_per_thread(void)
{
    static struct job jobs[4];
    pthread_t t[4];
    int want[N];
    for (int k = 0; k < 4; k++) {
        jobs[k].seed = (unsigned)(k + 7);
        CHECK(pthread_create(&t[k], NULL, draw, &jobs[k]) == 0);
    }
    for (int k = 0; k < 4; k++)
        pthread_join(t[k], NULL);
    for (int k = 0; k < 4; k++) {
        reference(jobs[k].seed, want, N);
        CHECK(memcmp(jobs[k].got, want, sizeof want) == 0);
    }
}

static void test_resolution(void)
{
    /* liblinear.so's calls go through the dynamic symbol lookup: it must find these */
    int (*r)(void);
    void (*s)(unsigned);
    *(void **)(&r) = dlsym(RTLD_DEFAULT, "rand"); /* POSIX's idiom for function pointers */
    *(void **)(&s) = dlsym(RTLD_DEFAULT, "srand");
    CHECK(r == rand);
    CHECK(s == srand);
}

int main(void)
{
    test_same_as_glibc();
    test_per_thread();
    test_resolution();
    return check_report();
}
