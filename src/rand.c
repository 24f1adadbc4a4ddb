/* rand.c: rand() and srand() with one generator per thread, for LIBLINEAR.
 *
 * LIBLINEAR's dual solvers (-s 1, 3, 4, 5, 6, 7, 12, 13) shuffle their coordinates with the C
 * library's rand(), whose state glibc shares between all threads. Two fits running at once
 * would then draw from one interleaved sequence, and a model would depend on thread timing.
 * These definitions take the place of the C library's (the executable's symbols come first
 * when liblinear.so's calls are resolved; tests/unit/test_rand.c checks that they do) and
 * keep the state per thread. The generator is glibc's own (the additive feedback generator
 * of random(3), TYPE_3: x[i] = x[i-3] + x[i-31], output x[i] >> 1, seeded through
 * 16807 * x mod (2^31 - 1) and 310 discarded outputs), so each thread sees exactly the
 * sequence glibc's rand() gives after the same srand(), and models trained before this file
 * existed are reproduced bit for bit. A thread that never calls srand() starts as if with
 * srand(1), as the C standard requires.
 *
 * Deliberately not nc_-prefixed: interposing on rand/srand is the point. Programs that link
 * libnewsclass get per-thread rand() too; every thread's sequence is the one the C library
 * would give it alone.
 * SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>

#define RAND_DEG 31
#define RAND_SEP 3

struct rand_state {
    int32_t r[RAND_DEG];
    int f, b;   /* front and rear positions in r */
    int seeded;
};

static _Thread_local struct rand_state tl_rand;

static int32_t next(struct rand_state *st)
{
    uint32_t v = (uint32_t)st->r[st->f] + (uint32_t)st->r[st->b];
    st->r[st->f] = (int32_t)v;
    if (++st->f == RAND_DEG)
        st->f = 0;
    if (++st->b == RAND_DEG)
        st->b = 0;
    return (int32_t)(v >> 1);
}

static void seed_state(struct rand_state *st, unsigned seed)
{
    int32_t word = (int32_t)(seed ? seed : 1);

    st->r[0] = word;
    for (int i = 1; i < RAND_DEG; i++) {
        /* 16807 * word mod (2^31 - 1) without overflow (Schrage) */
        long hi = word / 127773, lo = word % 127773;
        word = (int32_t)(16807 * lo - 2836 * hi);
        if (word < 0)
            word += 2147483647;
        st->r[i] = word;
    }
    st->f = RAND_SEP;
    st->b = 0;
    st->seeded = 1;
    for (int i = 0; i < 10 * RAND_DEG; i++)
        (void)next(st);
}

void srand(unsigned seed)
{
    seed_state(&tl_rand, seed);
}

int rand(void)
{
    if (!tl_rand.seeded)
        seed_state(&tl_rand, 1);
    return (int)next(&tl_rand);
}
