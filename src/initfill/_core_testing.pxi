# Hooks the tests use to check the C conversions and Philox directly.

def round_half(const float[::1] src, uint16_t[::1] dst, int dtype, bint down=False):
    """Round float32 values to float16 (dtype FLOAT16) or bfloat16 (BFLOAT16) bits
    with the kernels' conversion: to nearest even, or down (uniform fills)."""
    cdef Py_ssize_t i, n = src.shape[0]
    if dst.shape[0] != n:
        raise ValueError("src and dst differ in length")
    if dtype != INITFILL_FLOAT16 and dtype != INITFILL_BFLOAT16:
        raise ValueError("dtype must be FLOAT16 or BFLOAT16")
    for i in range(n):
        if dtype == INITFILL_FLOAT16:
            dst[i] = if_f32_to_f16_down(src[i]) if down else if_f32_to_f16(src[i])
        else:
            dst[i] = if_f32_to_bf16_down(src[i]) if down else if_f32_to_bf16(src[i])


def philox4x32_10(ctr, key):
    """Raw Philox4x32-10: four 32-bit counter words and two key words -> 4 words."""
    cdef uint32_t c[4]
    cdef uint32_t k[2]
    cdef uint32_t out[4]
    if len(ctr) != 4 or len(key) != 2:
        raise ValueError("ctr needs 4 words and key 2")
    for i in range(4):
        c[i] = ctr[i]
    for i in range(2):
        k[i] = key[i]
    if_philox4x32_10(c, k, out)
    return (out[0], out[1], out[2], out[3])
