/* initfill/philox.h - Philox4x32-10, the counter-based generator under every fill.
 *
 * Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11.
 * A 128-bit counter and a 64-bit key map to 128 random bits with no state, so any
 * element of any tensor can be computed on its own.  The constants are those of the
 * paper (Random123's philox4x32 with 10 rounds); tests check the published
 * known-answer vectors.
 *
 * initfill's counter layout (frozen by algorithm version 1):
 *   ctr = (block_lo, block_hi, stream_lo, stream_hi), key = (seed_lo, seed_hi)
 * where `block` is the global element index divided by the number of elements one
 * block yields (4 for 32-bit outputs, 2 for 64-bit ones). */
#ifndef INITFILL_PHILOX_H
#define INITFILL_PHILOX_H

#include <stdint.h>
#include "config.h"

#define IF_PHILOX_M0 UINT32_C(0xD2511F53)
#define IF_PHILOX_M1 UINT32_C(0xCD9E8D57)
#define IF_PHILOX_W0 UINT32_C(0x9E3779B9)
#define IF_PHILOX_W1 UINT32_C(0xBB67AE85)

IF_INLINE void if_philox_round(uint32_t c[4], uint32_t k0, uint32_t k1) {
    uint64_t p0 = (uint64_t)IF_PHILOX_M0 * c[0];
    uint64_t p1 = (uint64_t)IF_PHILOX_M1 * c[2];
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
    c[1] = (uint32_t)p1;
    c[3] = (uint32_t)p0;
    c[0] = n0;
    c[2] = n2;
}

/* out = Philox4x32-10(ctr, key).  `out` may alias `ctr`. */
IF_INLINE void if_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2],
                                uint32_t out[4]) {
    uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
    uint32_t k0 = key[0], k1 = key[1];
    for (int r = 0; r < 9; ++r) {
        if_philox_round(c, k0, k1);
        k0 += IF_PHILOX_W0;
        k1 += IF_PHILOX_W1;
    }
    if_philox_round(c, k0, k1);
    out[0] = c[0]; out[1] = c[1]; out[2] = c[2]; out[3] = c[3];
}

/* The 4 words of block `block` of stream `stream` under `seed`. */
IF_INLINE void if_philox_block(uint64_t seed, uint64_t stream, uint64_t block,
                               uint32_t out[4]) {
    const uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32),
                             (uint32_t)stream, (uint32_t)(stream >> 32)};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    if_philox4x32_10(ctr, key, out);
}

#endif /* INITFILL_PHILOX_H */
