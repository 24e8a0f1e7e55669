/* main.c - initfill from a plain C program, linked to the static library of csrc/.
 *
 *   make                       # builds ../../csrc as build/libinitfill.a, then this
 *   ./build/fill_demo [seed] [stream] [first] [n]
 *
 * Fills n float32 values (default 8) with N(0, 0.02^2) for global elements
 * first .. first+n-1 of `stream` under `seed`, twice: whole, and as two halves on
 * four threads, and shows they agree bit for bit.  It prints one line per value,
 * "index value bits", the same numbers as
 *   initfill.Generator(seed).normal_(x, 0.0, 0.02, stream=stream)[first:first+n]
 * in Python. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initfill/initfill.h"

int main(int argc, char **argv) {
    const uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 42;
    const uint64_t stream = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
    const uint64_t first = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
    const uint64_t n = argc > 4 ? strtoull(argv[4], NULL, 0) : 8;
    if (initfill_algorithm_version() != INITFILL_ALGORITHM_VERSION) {
        fprintf(stderr, "library and header disagree on the algorithm version\n");
        return 1;
    }
    float *whole = malloc((n ? n : 1) * sizeof *whole);
    float *halves = malloc((n ? n : 1) * sizeof *halves);
    if (whole == NULL || halves == NULL) return 1;

    int st = initfill_normal_f32(whole, n, first, seed, stream, 0.0, 0.02, 1);
    /* The second half is the block of global elements first + n/2 .. first + n - 1. */
    if (st == INITFILL_OK)
        st = initfill_normal_f32(halves, n / 2, first, seed, stream, 0.0, 0.02, 4);
    if (st == INITFILL_OK)
        st = initfill_normal_f32(halves + n / 2, n - n / 2, first + n / 2, seed, stream,
                                 0.0, 0.02, 4);
    if (st != INITFILL_OK) {
        fprintf(stderr, "initfill: %s\n", initfill_status_string(st));
        return 1;
    }
    for (uint64_t i = 0; i < n; ++i) {
        uint32_t bits;
        memcpy(&bits, &whole[i], sizeof bits);
        printf("%" PRIu64 " %.9g %08" PRIx32 "\n", first + i, (double)whole[i], bits);
    }
    const int same = memcmp(whole, halves, n * sizeof *whole) == 0;
    fprintf(stderr, "whole and two-block fills agree: %s\n", same ? "yes" : "NO");
    free(whole);
    free(halves);
    return same ? 0 : 1;
}
