/* test_kat.c - known-answer test of the standalone initfill library (no Python).
 *
 * Checks Philox4x32-10 against the Random123 known-answer vectors, and the simple
 * interface of initfill.h against fill values frozen from the Python API for
 * algorithm version 2 (tests/make_c_known_answers.py prints them), as bit patterns.
 * Also checks that values do not depend on the thread count or on where a fill
 * starts, and that bad parameters are refused without a write; and that the thread
 * pool serves concurrent callers and starts again after a shutdown.
 *
 * Build and run:  make -C csrc test   (or: cmake + ctest).  Exit status 0 = pass. */
#include <inttypes.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "initfill/initfill.h"
#include "philox.h"
#include "pool.h"

static int failures = 0;

#define CHECK(cond, ...)                                        \
    do {                                                        \
        if (!(cond)) {                                          \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                       \
            fputc('\n', stderr);                                \
            ++failures;                                         \
        }                                                       \
    } while (0)

/* ---- Philox4x32-10, Random123 kat_vectors ---------------------------------- */

static void test_philox(void) {
    static const uint32_t v[3][10] = {
        /* ctr[4], key[2], expected[4] */
        {0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8},
        {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
         0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd},
        {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
         0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1},
    };
    for (int i = 0; i < 3; ++i) {
        uint32_t out[4];
        if_philox4x32_10(&v[i][0], &v[i][4], out);
        for (int j = 0; j < 4; ++j)
            CHECK(out[j] == v[i][6 + j], "philox vector %d word %d: %08" PRIx32
                  " != %08" PRIx32, i, j, out[j], v[i][6 + j]);
    }
}

/* ---- Frozen fill values (algorithm version 2) ------------------------------ */
/* Rows of the float16 / bfloat16 functions follow those of the other types. */

enum { UNIFORM_F32, UNIFORM_F64, NORMAL_F32, NORMAL_F64, TRUNC_F32, TRUNC_F64,
       BITS_U32, BITS_U64, UNIFORM_F16, UNIFORM_BF16, NORMAL_F16, NORMAL_BF16, TRUNC_F16,
       TRUNC_BF16 };

#define SEED UINT64_C(0x0123456789ABCDEF)
#define NV 5

typedef struct {
    int kind;
    double p[4];
    uint64_t stream, first;
    uint64_t bits[NV]; /* bit patterns of the NV values (16- and 32-bit ones
                        * zero-extended) */
} kat_row;

static const kat_row rows[] = {
    {UNIFORM_F32, {-1.0, 2.0}, 0x7, 0, {0xbec3d2a4, 0x3f2c4cb7, 0x3ffc9f5c, 0x3f744084, 0x3ff67516}},
    {UNIFORM_F32, {-1.0, 2.0}, 0xbe163d53ecc2c30c, 0, {0xbdc90d70, 0x3f8316c8, 0x3f504f63, 0x3fe4e95a, 0xbf44b99d}},
    {UNIFORM_F64, {-1.0, 2.0}, 0x7, 0, {0x3fe58996ee53c2d2, 0x3fee8810db1f27d6, 0xbfe46b75088262bc, 0x3ff50bdb0c0bc54a, 0x3fd386dc8fcf6530}},
    {UNIFORM_F64, {-1.0, 2.0}, 0xbe163d53ecc2c30c, 0, {0x3ff062d9385e6de4, 0x3ffc9d2b615d04f6, 0x3ff51b149ed3b466, 0x3ffa9bcbfb41a9c0, 0x3fd522b7163c7f98}},
    {NORMAL_F32, {0.5, 2.0}, 0x7, 0, {0xc02f86f4, 0x3ffad562, 0x3e737fe0, 0x3ee98cfb, 0x3f72d1c8}},
    {NORMAL_F32, {0.5, 2.0}, 0xbe163d53ecc2c30c, 0, {0xc01cdadf, 0xbee7dec0, 0x3f962c26, 0xbfb1f071, 0xc00d2bf7}},
    {NORMAL_F64, {0.5, 2.0}, 0x7, 0, {0xbffa1bee7d6e3144, 0x3fc25ec9fdd8fba4, 0xbfffbf9604b8bfc8, 0xc0063a6e472110f4, 0x4005ab08dc4359dd}},
    {NORMAL_F64, {0.5, 2.0}, 0xbe163d53ecc2c30c, 0, {0x3ff1864e9f520ecc, 0xbff2bdd520b08455, 0x3fe3a789565e0e1e, 0xbfedc6cee7d75bde, 0x400424fc8ef3e7d0}},
    {TRUNC_F32, {0.0, 1.0, -2.0, 2.0}, 0x7, 0, {0xbf465958, 0x3e0dc5a7, 0x3fee9eb9, 0x3ebdadc6, 0x3fd70d28}},
    {TRUNC_F32, {0.0, 1.0, -2.0, 2.0}, 0xbe163d53ecc2c30c, 0, {0xbefe562d, 0x3edcaa82, 0x3e817719, 0x3fab8d11, 0xbfa6af64}},
    {TRUNC_F64, {0.0, 1.0, -2.0, 2.0}, 0x7, 0, {0x3fc1b8b4cefe16c1, 0x3fd7b5b8b8478bc9, 0xbff17008fa28f700, 0x3fe68b0d97cffdcf, 0xbfc3f9e6a73a5582}},
    {TRUNC_F64, {0.0, 1.0, -2.0, 2.0}, 0xbe163d53ecc2c30c, 0, {0x3fdb95503677211f, 0x3ff571a216c571e6, 0x3fe6aa380a5071a6, 0x3ff206757945d515, 0xbfc161ee17db91f1}},
    {TRUNC_F64, {0.0, 1.0, 35.0, INFINITY}, 0x7, 0, {0x404182fad4a8bbdc, 0x404183d951ab2895, 0x404180783eae84ea, 0x4041856558085af4, 0x404182160512c2bf}},
    {TRUNC_F64, {0.0, 1.0, 35.0, INFINITY}, 0xbe163d53ecc2c30c, 0, {0x4041841a164bdd71, 0x404189adbfc42450, 0x4041856a6e3df182, 0x404187fb7a864728, 0x40418223fdca95f4}},
    {BITS_U32, {0}, 0x7, 0, {0x34b23a77, 0x8ec43d26, 0xfdbf9305, 0xa6c02cf2, 0xf9a36445}},
    {BITS_U32, {0}, 0xbe163d53ecc2c30c, 0, {0x4cf4c606, 0xacb9dbd7, 0x9ac52161, 0xedf0e75c, 0x13c22155}},
    {BITS_U64, {0}, 0x7, 0, {0x8ec43d2634b23a77, 0xa6c02cf2fdbf9305, 0x1ee17293f9a36445, 0xc59490403ec6e16d, 0x6f5e7b6a69dc405d}},
    {BITS_U64, {0}, 0xbe163d53ecc2c30c, 0, {0xacb9dbd74cf4c606, 0xedf0e75c9ac52161, 0xc5e5c34f13c22155, 0xe33eea915e34087f, 0x71839ec850aa2265}},
    {UNIFORM_F32, {-1.0, 2.0}, 0x7, 1000003, {0xbeb98fd6, 0x3ef8a634, 0xbe1286c0, 0x3f90bd3a, 0xbf59d0ad}},
    {UNIFORM_F32, {-1.0, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0xbf1a9804, 0x3f8ab828, 0xbf2f9db3, 0x3ff70f87, 0x3f6f6eac}},
    {UNIFORM_F64, {-1.0, 2.0}, 0x7, 1000003, {0x3fd4ea35f94f05b8, 0x3fc5f8f6dead4680, 0x3fe54630b6623f20, 0x3fd0758a1e2c7928, 0x3ff72b6b89eea5d8}},
    {UNIFORM_F64, {-1.0, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0x3ff815e2df164740, 0x3ff9777ea097e444, 0xbf930360a8691a40, 0x3fe063d78f5de61e, 0x3fcca7e86bf6d048}},
    {NORMAL_F32, {0.5, 2.0}, 0x7, 1000003, {0x402f3944, 0x3fe19940, 0x40207374, 0x3ffc8310, 0xbe81e13c}},
    {NORMAL_F32, {0.5, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0x3f18708c, 0x400c63b6, 0x3e909cc1, 0x3d8e0d1c, 0x3ee40370}},
    {NORMAL_F64, {0.5, 2.0}, 0x7, 1000003, {0x3ffaad2c65118054, 0xbfffb28015bf66e2, 0x3ffab2d68f4e8fbf, 0xbfdd203391ad1168, 0xbfff574e0c4bf93a}},
    {NORMAL_F64, {0.5, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0xbfc20faca6fe0aac, 0x3fea40f26a2e604e, 0x3ff888909e3688de, 0x3f931ee7b741b5a0, 0x4006540127b79873}},
    {TRUNC_F32, {0.0, 1.0, -2.0, 2.0}, 0x7, 1000003, {0xbf40dec3, 0xbc3b99df, 0xbf09a730, 0x3f06c185, 0xbfbcb414}},
    {TRUNC_F32, {0.0, 1.0, -2.0, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0xbf85558b, 0x3ef7b1b9, 0xbf94b67f, 0x3fd90d07, 0x3eb57817}},
    {TRUNC_F64, {0.0, 1.0, -2.0, 2.0}, 0x7, 1000003, {0xbfc1bce8d65a40c4, 0xbfd0f48bb67fb8cf, 0x3fc0dfb918782ca4, 0xbfc8f20a91a5740a, 0x3feb1f13ee561202}},
    {TRUNC_F64, {0.0, 1.0, -2.0, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0x3fed468227ed9c15, 0x3ff066abcde7be00, 0xbfdb45992f1048cd, 0x3f83e82df1455da4, 0xbfcc6b6b34e89ae7}},
    {TRUNC_F64, {0.0, 1.0, 35.0, INFINITY}, 0x7, 1000003, {0x404182220fe920d2, 0x404181cf27392afc, 0x404182f50d63b877, 0x404181fbf1877aaa, 0x4041862ea7d9bc08}},
    {TRUNC_F64, {0.0, 1.0, 35.0, INFINITY}, 0xbe163d53ecc2c30c, 1000003, {0x40418694f207d438, 0x404187481691e8e7, 0x404181729831d2aa, 0x4041828fdc417819, 0x404181ea3ef7dc55}},
    {BITS_U32, {0}, 0x7, 1000003, {0x36680786, 0x7ec65e45, 0x491f7025, 0xb5d37ce7, 0xcba711b}},
    {BITS_U32, {0}, 0xbe163d53ecc2c30c, 1000003, {0x21cd5428, 0xb1d01bac, 0x1acb6f87, 0xfa0a5adc, 0xa524e476}},
    {BITS_U64, {0}, 0x7, 1000003, {0x713847f71407a542, 0x63fb4f3f1e2f0055, 0x8e1081e65b53025a, 0x6b4762d2e5f6e528, 0xd0e792dfa374872b}},
    {BITS_U64, {0}, 0xbe163d53ecc2c30c, 1000003, {0xd5ca0f5076d15c32, 0xdd27f8add4c174a4, 0x53bfb7f1f73dd79c, 0x810a3ed3a51050f2, 0x686ff047f9e0339d}},
    {UNIFORM_F16, {-1.0, 2.0}, 0x7, 0, {0xb61f, 0x3962, 0x3fe4, 0x3ba2, 0x3fb3}},
    {UNIFORM_F16, {-1.0, 2.0}, 0xbe163d53ecc2c30c, 0, {0xae49, 0x3c18, 0x3a82, 0x3f27, 0xba26}},
    {UNIFORM_BF16, {-1.0, 2.0}, 0x7, 0, {0xbec4, 0x3f2c, 0x3ffc, 0x3f74, 0x3ff6}},
    {UNIFORM_BF16, {-1.0, 2.0}, 0xbe163d53ecc2c30c, 0, {0xbdca, 0x3f83, 0x3f50, 0x3fe4, 0xbf45}},
    {NORMAL_F16, {0.5, 2.0}, 0x7, 0, {0xc17c, 0x3fd7, 0x339c, 0x374c, 0x3b97}},
    {NORMAL_F16, {0.5, 2.0}, 0xbe163d53ecc2c30c, 0, {0xc0e7, 0xb73f, 0x3cb1, 0xbd90, 0xc069}},
    {NORMAL_BF16, {0.5, 2.0}, 0x7, 0, {0xc030, 0x3ffb, 0x3e73, 0x3eea, 0x3f73}},
    {NORMAL_BF16, {0.5, 2.0}, 0xbe163d53ecc2c30c, 0, {0xc01d, 0xbee8, 0x3f96, 0xbfb2, 0xc00d}},
    {TRUNC_F16, {0.0, 1.0, -2.0, 2.0}, 0x7, 0, {0xba33, 0x306e, 0x3f75, 0x35ed, 0x3eb8}},
    {TRUNC_F16, {0.0, 1.0, -2.0, 2.0}, 0xbe163d53ecc2c30c, 0, {0xb7f3, 0x36e5, 0x340c, 0x3d5c, 0xbd35}},
    {TRUNC_BF16, {0.0, 0.02, -0.04, 0.04}, 0x7, 0, {0xbc7e, 0x3b35, 0x3d19, 0x3bf3, 0x3d0a}},
    {TRUNC_BF16, {0.0, 0.02, -0.04, 0.04}, 0xbe163d53ecc2c30c, 0, {0xbc23, 0x3c0d, 0x3ba6, 0x3cdc, 0xbcd5}},
    {UNIFORM_F16, {-1.0, 2.0}, 0x7, 1000003, {0xb5cd, 0x37c5, 0xb095, 0x3c85, 0xbacf}},
    {UNIFORM_F16, {-1.0, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0xb8d5, 0x3c55, 0xb97d, 0x3fb8, 0x3b7b}},
    {UNIFORM_BF16, {-1.0, 2.0}, 0x7, 1000003, {0xbeba, 0x3ef8, 0xbe13, 0x3f90, 0xbf5a}},
    {UNIFORM_BF16, {-1.0, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0xbf1b, 0x3f8a, 0xbf30, 0x3ff7, 0x3f6f}},
    {NORMAL_F16, {0.5, 2.0}, 0x7, 1000003, {0x417a, 0x3f0d, 0x4104, 0x3fe4, 0xb40f}},
    {NORMAL_F16, {0.5, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0x38c4, 0x4063, 0x3485, 0x2c70, 0x3720}},
    {NORMAL_BF16, {0.5, 2.0}, 0x7, 1000003, {0x402f, 0x3fe2, 0x4020, 0x3ffd, 0xbe82}},
    {NORMAL_BF16, {0.5, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0x3f18, 0x400c, 0x3e91, 0x3d8e, 0x3ee4}},
    {TRUNC_F16, {0.0, 1.0, -2.0, 2.0}, 0x7, 1000003, {0xba07, 0xa1dd, 0xb84d, 0x3836, 0xbde6}},
    {TRUNC_F16, {0.0, 1.0, -2.0, 2.0}, 0xbe163d53ecc2c30c, 1000003, {0xbc2b, 0x37be, 0xbca6, 0x3ec8, 0x35ac}},
    {TRUNC_BF16, {0.0, 0.02, -0.04, 0.04}, 0x7, 1000003, {0xbc77, 0xb970, 0xbc30, 0x3c2c, 0xbcf2}},
    {TRUNC_BF16, {0.0, 0.02, -0.04, 0.04}, 0xbe163d53ecc2c30c, 1000003, {0xbcab, 0x3c1f, 0xbcbe, 0x3d0b, 0x3be8}},
};

/* Size in bytes of one value of `kind`. */
static size_t elem_size(int kind) {
    switch (kind) {
    case UNIFORM_F16: case UNIFORM_BF16: case NORMAL_F16: case NORMAL_BF16:
    case TRUNC_F16: case TRUNC_BF16: return 2;
    case UNIFORM_F32: case NORMAL_F32: case TRUNC_F32: case BITS_U32: return 4;
    default: return 8;
    }
}

/* Fills n values of row r, from global index first, into buf. */
static int fill(const kat_row *r, uint64_t first, uint64_t n, void *buf, int nthreads) {
    const double *p = r->p;
    const uint64_t s = r->stream;
    switch (r->kind) {
    case UNIFORM_F32:
        return initfill_uniform_f32(buf, n, first, SEED, s, p[0], p[1], nthreads);
    case UNIFORM_F64:
        return initfill_uniform_f64(buf, n, first, SEED, s, p[0], p[1], nthreads);
    case NORMAL_F32:
        return initfill_normal_f32(buf, n, first, SEED, s, p[0], p[1], nthreads);
    case NORMAL_F64:
        return initfill_normal_f64(buf, n, first, SEED, s, p[0], p[1], nthreads);
    case TRUNC_F32:
        return initfill_trunc_normal_f32(buf, n, first, SEED, s, p[0], p[1], p[2], p[3],
                                         nthreads);
    case TRUNC_F64:
        return initfill_trunc_normal_f64(buf, n, first, SEED, s, p[0], p[1], p[2], p[3],
                                         nthreads);
    case BITS_U32: return initfill_bits_u32(buf, n, first, SEED, s, nthreads);
    case BITS_U64: return initfill_bits_u64(buf, n, first, SEED, s, nthreads);
    case UNIFORM_F16:
        return initfill_uniform_f16(buf, n, first, SEED, s, p[0], p[1], nthreads);
    case UNIFORM_BF16:
        return initfill_uniform_bf16(buf, n, first, SEED, s, p[0], p[1], nthreads);
    case NORMAL_F16:
        return initfill_normal_f16(buf, n, first, SEED, s, p[0], p[1], nthreads);
    case NORMAL_BF16:
        return initfill_normal_bf16(buf, n, first, SEED, s, p[0], p[1], nthreads);
    case TRUNC_F16:
        return initfill_trunc_normal_f16(buf, n, first, SEED, s, p[0], p[1], p[2], p[3],
                                         nthreads);
    case TRUNC_BF16:
        return initfill_trunc_normal_bf16(buf, n, first, SEED, s, p[0], p[1], p[2], p[3],
                                          nthreads);
    default: return -1;
    }
}

static uint64_t word(const void *buf, int kind, uint64_t i) {
    const size_t es = elem_size(kind);
    if (es == 2) {
        uint16_t w;
        memcpy(&w, (const char *)buf + 2 * i, 2);
        return w;
    }
    if (es == 4) {
        uint32_t w;
        memcpy(&w, (const char *)buf + 4 * i, 4);
        return w;
    }
    uint64_t w;
    memcpy(&w, (const char *)buf + 8 * i, 8);
    return w;
}

static void test_frozen(void) {
    const size_t nrows = sizeof rows / sizeof rows[0];
    for (size_t i = 0; i < nrows; ++i) {
        const kat_row *r = &rows[i];
        uint64_t buf[NV];
        const int st = fill(r, r->first, NV, buf, 1);
        CHECK(st == INITFILL_OK, "row %zu: status %d (%s)", i, st,
              initfill_status_string(st));
        for (uint64_t j = 0; j < NV; ++j)
            CHECK(word(buf, r->kind, j) == r->bits[j],
                  "row %zu (kind %d, first %" PRIu64 ") value %" PRIu64 ": %" PRIx64
                  " != %" PRIx64, i, r->kind, r->first, j, word(buf, r->kind, j),
                  r->bits[j]);
    }
}

/* A large fill over 8 threads equals the frozen values and a 1-thread fill, and a
 * window that starts mid-block equals the same slice of the whole fill. */
static void test_threads_and_windows(void) {
    const uint64_t n = (uint64_t)1 << 18; /* 8 parts of 2^15: 8 threads really run */
    uint64_t *one = malloc(n * 8), *many = malloc(n * 8), *win = malloc(64 * 8);
    CHECK(one && many && win, "out of memory");
    if (!(one && many && win)) goto done;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i) {
        const kat_row *r = &rows[i];
        if (r->first != 0) continue;
        const size_t es = elem_size(r->kind);
        CHECK(fill(r, 0, n, one, 1) == INITFILL_OK, "row %zu 1 thread", i);
        CHECK(fill(r, 0, n, many, 8) == INITFILL_OK, "row %zu 8 threads", i);
        CHECK(memcmp(one, many, n * es) == 0, "row %zu: thread count changed values", i);
        for (uint64_t j = 0; j < NV; ++j)
            CHECK(word(many, r->kind, j) == r->bits[j], "row %zu value %" PRIu64, i, j);
        CHECK(fill(r, 12345, 37, win, 1) == INITFILL_OK, "row %zu window", i);
        CHECK(memcmp(win, (char *)one + 12345 * es, 37 * es) == 0,
              "row %zu: window differs from the slice of the whole fill", i);
    }
done:
    free(one);
    free(many);
    free(win);
}

/* The pool: several threads fill at once (one gets the workers, the others start
 * threads of their own), then the workers are joined and started again. */
#define POOL_N ((uint64_t)1 << 18)

typedef struct {
    const float *want;
    int nthreads, bad;
} pool_caller;

static void *pool_caller_main(void *arg) {
    pool_caller *c = arg;
    float *buf = malloc(POOL_N * sizeof(float));
    if (buf == NULL) {
        c->bad = 1;
        return NULL;
    }
    for (int rep = 0; rep < 20; ++rep) {
        if (initfill_normal_f32(buf, POOL_N, 0, SEED, 9, 0.0, 1.0, c->nthreads) != INITFILL_OK ||
            memcmp(buf, c->want, POOL_N * sizeof(float)) != 0)
            c->bad = 1;
    }
    free(buf);
    return NULL;
}

static void test_pool(void) {
    float *want = malloc(POOL_N * sizeof(float));
    CHECK(want != NULL, "out of memory");
    if (want == NULL) return;
    CHECK(initfill_normal_f32(want, POOL_N, 0, SEED, 9, 0.0, 1.0, 1) == INITFILL_OK, "ref");
    if_pool_shutdown(); /* forget the workers of earlier tests */
    for (int round = 0; round < 2; ++round) {
        pool_caller callers[4];
        pthread_t tids[4];
        int started[4];
        for (int k = 0; k < 4; ++k) {
            callers[k].want = want;
            callers[k].nthreads = 2 + k;
            callers[k].bad = 0;
            started[k] = pthread_create(&tids[k], NULL, pool_caller_main, &callers[k]) == 0;
            if (!started[k]) pool_caller_main(&callers[k]);
        }
        for (int k = 0; k < 4; ++k) {
            if (started[k]) pthread_join(tids[k], NULL);
            CHECK(!callers[k].bad, "round %d caller %d: wrong values", round, k);
        }
        CHECK(if_pool_size() >= 1 && if_pool_size() <= 4, "pool of %d workers", if_pool_size());
        if_pool_shutdown();
        CHECK(if_pool_size() == 0, "workers left after shutdown");
    }
    free(want);
}

/* Errors: a status and no write. */
static void test_errors(void) {
    float f[4] = {7, 7, 7, 7};
    CHECK(initfill_normal_f32(f, 4, 0, 1, 2, 0.0, -1.0, 1) == INITFILL_ERR_PARAM, "std < 0");
    CHECK(initfill_normal_f32(f, 4, 0, 1, 2, NAN, 1.0, 1) == INITFILL_ERR_PARAM, "nan mean");
    CHECK(initfill_uniform_f32(f, 4, 0, 1, 2, 2.0, 1.0, 1) == INITFILL_ERR_PARAM, "low > high");
    CHECK(initfill_trunc_normal_f32(f, 4, 0, 1, 2, 0.0, 1.0, 1.0, 1.0, 1) == INITFILL_ERR_PARAM,
          "a == b");
    CHECK(initfill_normal_f32(f, 4, 0, 1, 2, 0.0, 1.0, 0) == INITFILL_ERR_THREADS, "0 threads");
    CHECK(initfill_normal_f32(NULL, 4, 0, 1, 2, 0.0, 1.0, 1) == INITFILL_ERR_NULL, "NULL out");
    CHECK(initfill_normal_f32(f, 4, UINT64_MAX - 1, 1, 2, 0.0, 1.0, 1) == INITFILL_ERR_SHAPE,
          "index overflow");
    CHECK(initfill_normal_f32((float *)((char *)f + 1), 2, 0, 1, 2, 0.0, 1.0, 1) ==
              INITFILL_ERR_ALIGN, "misaligned");
    uint16_t h[4] = {7, 7, 7, 7};
    CHECK(initfill_normal_f16(h, 4, 0, 1, 2, 1e6, 1.0, 1) == INITFILL_ERR_PARAM,
          "f16 mean overflows");
    CHECK(initfill_uniform_f16(h, 4, 0, 1, 2, -7e4, 0.0, 1) == INITFILL_ERR_PARAM,
          "f16 low overflows");
    CHECK(initfill_trunc_normal_f16(h, 4, 0, 1, 2, 0.5, 1.0, 0.5001, 0.5002, 1) ==
              INITFILL_ERR_PARAM, "no f16 value in [a, b]");
    CHECK(initfill_normal_bf16(h, 4, 0, 1, 2, 0.0, -1.0, 1) == INITFILL_ERR_PARAM,
          "bf16 std < 0");
    CHECK(initfill_uniform_bf16((uint16_t *)((char *)h + 1), 2, 0, 1, 2, 0.0, 1.0, 1) ==
              INITFILL_ERR_ALIGN, "misaligned bf16");
    for (int i = 0; i < 4; ++i) CHECK(h[i] == 7, "half error path wrote element %d", i);
    for (int i = 0; i < 4; ++i) CHECK(f[i] == 7.0f, "error path wrote element %d", i);
    CHECK(initfill_normal_f32(NULL, 0, 0, 1, 2, 0.0, 1.0, 1) == INITFILL_OK, "n == 0");
    CHECK(initfill_fill_nd(INITFILL_NORMAL, INITFILL_UINT32, (const double[]){0, 1}, 2, 1, 2,
                           f, 0, NULL, NULL, NULL, 0, 1) == INITFILL_ERR_DTYPE, "nd dtype");
    CHECK(strcmp(initfill_status_string(INITFILL_OK), "success") == 0, "status string");
}

/* initfill_fill_nd on a transposed 2-d view equals the same logical elements. */
static void test_fill_nd(void) {
    enum { R = 6, C = 10 };
    double whole[R * C], t[C][R];
    const double p[2] = {1.0, 3.0};
    CHECK(initfill_normal_f64(whole, R * C, 0, SEED, 9, p[0], p[1], 1) == INITFILL_OK, "whole");
    /* View t^T: element (i, j) of the logical R x C tensor lives at t[j][i]. */
    const int64_t shape[2] = {R, C};
    const int64_t strides[2] = {sizeof(double), R * sizeof(double)};
    const int64_t gstrides[2] = {C, 1};
    CHECK(initfill_fill_nd(INITFILL_NORMAL, INITFILL_FLOAT64, p, 2, SEED, 9, t, 2, shape,
                           strides, gstrides, 0, 2) == INITFILL_OK, "fill_nd");
    for (int i = 0; i < R; ++i)
        for (int j = 0; j < C; ++j)
            CHECK(memcmp(&t[j][i], &whole[i * C + j], sizeof(double)) == 0,
                  "fill_nd element (%d, %d)", i, j);
}

static void test_versions(void) {
    CHECK(initfill_algorithm_version() == INITFILL_ALGORITHM_VERSION, "algorithm version");
    CHECK(initfill_abi_version() == INITFILL_ABI_VERSION, "abi version");
    const initfill_capi *t = initfill_get_capi();
    CHECK(t != NULL && t->abi_version == INITFILL_ABI_VERSION &&
              t->size == sizeof(initfill_capi) &&
              t->algorithm_version == INITFILL_ALGORITHM_VERSION && t->reserved == 0,
          "capi table header");
#define SAME_FUNCTION(name, ret, kind, T, dist, dtype) \
    CHECK(t->name == initfill_##name, "capi table: field %s", #name);
    INITFILL_CAPI_ENTRIES(SAME_FUNCTION)
#undef SAME_FUNCTION
}

/* The ABI of initfill_capi, written out by hand (not from the list, which it
 * checks): 4 header words, then one pointer per entry point in this order, the 10
 * of the first release and the 6 half fills appended to it.  A change here is an
 * ABI break (or an append, which moves no offset). */
static void test_capi_layout(void) {
    const size_t p = sizeof(void (*)(void)), h = 4 * sizeof(uint32_t);
    CHECK(offsetof(initfill_capi, abi_version) == 0 && offsetof(initfill_capi, size) == 4 &&
              offsetof(initfill_capi, algorithm_version) == 8 &&
              offsetof(initfill_capi, reserved) == 12,
          "capi header offsets");
    const size_t offsets[] = {
        offsetof(initfill_capi, uniform_f32),      offsetof(initfill_capi, uniform_f64),
        offsetof(initfill_capi, normal_f32),       offsetof(initfill_capi, normal_f64),
        offsetof(initfill_capi, trunc_normal_f32), offsetof(initfill_capi, trunc_normal_f64),
        offsetof(initfill_capi, bits_u32),         offsetof(initfill_capi, bits_u64),
        offsetof(initfill_capi, fill_nd),          offsetof(initfill_capi, status_string),
        offsetof(initfill_capi, uniform_f16),      offsetof(initfill_capi, uniform_bf16),
        offsetof(initfill_capi, normal_f16),       offsetof(initfill_capi, normal_bf16),
        offsetof(initfill_capi, trunc_normal_f16), offsetof(initfill_capi, trunc_normal_bf16),
    };
    const size_t count = sizeof offsets / sizeof offsets[0];
    for (size_t k = 0; k < count; ++k)
        CHECK(offsets[k] == h + k * p, "capi field %zu at offset %zu", k, offsets[k]);
    CHECK(sizeof(initfill_capi) == h + count * p, "sizeof(initfill_capi) %zu",
          sizeof(initfill_capi));
}

int main(void) {
    test_philox();
    test_frozen();
    test_threads_and_windows();
    test_errors();
    test_fill_nd();
    test_versions();
    test_capi_layout();
    test_pool();
    if (failures) {
        fprintf(stderr, "test_kat: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_kat: all passed (%zu frozen rows, algorithm version %d, level %s)\n",
           sizeof rows / sizeof rows[0], initfill_algorithm_version(),
           initfill_simd_name(initfill_simd_level()));
    return 0;
}
