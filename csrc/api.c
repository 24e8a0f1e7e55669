/* api.c - the simple interface and the table of entry points (initfill.h).
 *
 * Everything here is generated from INITFILL_CAPI_ENTRIES and INITFILL_STATUS_CODES.
 * The fills are thin wrappers over initfill_plan_init + initfill_fill_contiguous or
 * initfill_fill_strided: no arithmetic of their own, so they give exactly the
 * values of every other path. */
#include <stddef.h>

#include "capi_entries.h"
#include "initfill/initfill.h"

static int fill_1d(int dist, int dtype, const double *params, int nparams, void *out,
                   uint64_t n, uint64_t first, uint64_t seed, uint64_t stream,
                   int nthreads) {
    initfill_plan plan;
    const int st = initfill_plan_init(&plan, dist, dtype, params, nparams);
    if (st != INITFILL_OK) return st;
    return initfill_fill_contiguous(&plan, seed, stream, first, n, out, nthreads);
}

/* One definition per kind; FILL_ND and STATUS are written out below. */
#define DEFINE_FILL2(name, T, dist, dtype)                                            \
    int initfill_##name INITFILL_PARAMS_FILL2(T) {                                    \
        const double p[2] = {p0, p1};                                                 \
        return fill_1d(INITFILL_##dist, INITFILL_##dtype, p, 2, out, n, first, seed,  \
                       stream, nthreads);                                             \
    }
#define DEFINE_FILL4(name, T, dist, dtype)                                            \
    int initfill_##name INITFILL_PARAMS_FILL4(T) {                                    \
        const double p[4] = {p0, p1, p2, p3};                                         \
        return fill_1d(INITFILL_##dist, INITFILL_##dtype, p, 4, out, n, first, seed,  \
                       stream, nthreads);                                             \
    }
#define DEFINE_BITS(name, T, dist, dtype)                                             \
    int initfill_##name INITFILL_PARAMS_BITS(T) {                                     \
        return fill_1d(INITFILL_##dist, INITFILL_##dtype, NULL, 0, out, n, first,     \
                       seed, stream, nthreads);                                       \
    }
#define DEFINE_FILL_ND(name, T, dist, dtype)
#define DEFINE_STATUS(name, T, dist, dtype)
#define DEFINE_ENTRY(name, ret, kind, T, dist, dtype) DEFINE_##kind(name, T, dist, dtype)
INITFILL_CAPI_ENTRIES(DEFINE_ENTRY)

int initfill_fill_nd INITFILL_PARAMS_FILL_ND(void) {
    initfill_plan plan;
    const int st = initfill_plan_init(&plan, dist, dtype, params, nparams);
    if (st != INITFILL_OK) return st;
    return initfill_fill_strided(&plan, seed, stream, data, ndim, shape, strides,
                                 gstrides, gbase, nthreads);
}

const char *initfill_status_string INITFILL_PARAMS_STATUS(void) {
#define STATUS_CASE(name, code, text) \
    case INITFILL_##name: return text;
    switch (status) {
    INITFILL_STATUS_CODES(STATUS_CASE)
    default: return "unknown status";
    }
#undef STATUS_CASE
}

int initfill_algorithm_version(void) { return INITFILL_ALGORITHM_VERSION; }

int initfill_abi_version(void) { return INITFILL_ABI_VERSION; }

#define TABLE_FIELD(name, ret, kind, T, dist, dtype) .name = initfill_##name,
static const initfill_capi capi_table = {
    .abi_version = INITFILL_ABI_VERSION,
    .size = (uint32_t)sizeof(initfill_capi),
    .algorithm_version = INITFILL_ALGORITHM_VERSION,
    .reserved = 0,
    INITFILL_CAPI_ENTRIES(TABLE_FIELD)
};

const initfill_capi *initfill_get_capi(void) { return &capi_table; }

#define ENTRY_ROW(name, ret, kind, T, dist, dtype) \
    {#name, #kind, #T, (void (*)(void))initfill_##name},
const if_capi_entry if_capi_entries[] = {INITFILL_CAPI_ENTRIES(ENTRY_ROW)};
const int if_capi_entry_count = (int)(sizeof if_capi_entries / sizeof if_capi_entries[0]);
