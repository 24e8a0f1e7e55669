# The fast path for small dense arrays and CPU torch tensors, and its plan cache.

# ---- The fast path: a C-contiguous NumPy array or CPU torch tensor, default addressing
# Small fills are dominated by Python overhead (buffer checks, addressing, preparing
# the plan), so Generator's fills first offer the call to fill_fast, which checks
# everything the general path would for the common cases and fills in one step;
# it declines (returns -1, nothing written, no stream taken) whenever the general
# path has something to check, convert or report.

# Prepared plans, keyed by (dist, dtype, exact bits of the parameters): -0.0 and 0.0
# are different keys.  Direct-mapped; only touched with the GIL held, and a plan is
# copied out before the GIL is released, so a slot may be replaced at any time.
cdef enum:
    PLAN_CACHE_BITS = 6

ctypedef struct plan_slot:
    int used, dist, dtype, nparams, status
    double params[4]
    initfill_plan plan

cdef plan_slot _plan_cache[1 << PLAN_CACHE_BITS]


cdef int cached_plan(int dist, int dtype, const double *p, int n,
                     initfill_plan *out) noexcept:
    """Copy the plan of (dist, dtype, p[:n]) into *out; return its status."""
    cdef uint64_t h = <uint64_t>(dist * 8 + dtype + 1) * 0x9E3779B97F4A7C15ULL
    cdef uint64_t w
    cdef int i
    for i in range(n):
        memcpy(&w, &p[i], 8)
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL
    cdef plan_slot *slot = &_plan_cache[h >> (64 - PLAN_CACHE_BITS)]
    if not (slot.used and slot.dist == dist and slot.dtype == dtype
            and slot.nparams == n and memcmp(slot.params, p, n * sizeof(double)) == 0):
        slot.used = 0
        slot.status = initfill_plan_init(&slot.plan, dist, dtype, p, n)
        slot.dist = dist
        slot.dtype = dtype
        slot.nparams = n
        memcpy(slot.params, p, n * sizeof(double))
        slot.used = 1
    memcpy(out, &slot.plan, sizeof(initfill_plan))
    return slot.status


cdef int ndarray_code(object x, bint bits) noexcept:
    """C type of `x` if it is an exact ndarray the fast path may fill as one
    contiguous run (C-contiguous, aligned, writable, native byte order, a type of
    this fill); else -1."""
    if type(x) is not cnp.ndarray:
        return -1
    cdef cnp.ndarray arr = <cnp.ndarray>x
    cdef int need = (cnp.NPY_ARRAY_C_CONTIGUOUS | cnp.NPY_ARRAY_ALIGNED
                     | cnp.NPY_ARRAY_WRITEABLE)
    if (cnp.PyArray_FLAGS(arr) & need) != need or cnp.PyArray_ISBYTESWAPPED(arr):
        return -1
    cdef int t = cnp.PyArray_TYPE(arr)
    cdef Py_ssize_t size = cnp.PyArray_ITEMSIZE(arr)
    if bits:
        if t == cnp.NPY_UINT or t == cnp.NPY_ULONG or t == cnp.NPY_ULONGLONG:
            if size == 4:
                return INITFILL_UINT32
            if size == 8:
                return INITFILL_UINT64
        return -1
    if t == cnp.NPY_FLOAT:
        return INITFILL_FLOAT32
    if t == cnp.NPY_DOUBLE:
        return INITFILL_FLOAT64
    if t == cnp.NPY_FLOAT16:
        return INITFILL_FLOAT16
    return -1


# ---- torch, learnt from sys.modules once it is imported (never imported here) -------
cdef object _torch_types = None      # (torch.Tensor, torch.nn.Parameter)
cdef dict _torch_float_codes = None  # torch dtype -> C code, float fills
cdef dict _torch_bits_codes = None   # torch dtype -> C code, bits_
cdef object _torch_strided = None
cdef object _torch_increment_version = None


cdef bint learn_torch() except -1:
    """Read torch's classes and dtypes once torch is imported; False before."""
    global _torch_types, _torch_float_codes, _torch_bits_codes, _torch_strided
    global _torch_increment_version
    if _torch_types is not None:
        return True
    torch = sys.modules.get("torch")
    if torch is None or not hasattr(torch, "autograd") or not hasattr(torch, "nn"):
        return False  # not imported, or still importing
    _torch_float_codes = {torch.float32: INITFILL_FLOAT32, torch.float64: INITFILL_FLOAT64,
                          torch.float16: INITFILL_FLOAT16, torch.bfloat16: INITFILL_BFLOAT16}
    # torch.uint32 and uint64 are recent; without them bits_ takes the general path.
    _torch_bits_codes = {getattr(torch, name): code
                         for name, code in (("uint32", INITFILL_UINT32),
                                            ("uint64", INITFILL_UINT64))
                         if hasattr(torch, name)}
    _torch_strided = torch.strided
    _torch_increment_version = torch.autograd.graph.increment_version
    _torch_types = (torch.Tensor, torch.nn.Parameter)
    return True


def bump_version(tensor):
    """Tell torch that `tensor` was written in place: bump its version counter, so
    autograd notices that a tensor saved for backward changed (as after any in-place
    op).  Inference tensors have no counter and are left as they are."""
    if _torch_increment_version is None and not learn_torch():
        return
    try:
        _torch_increment_version(tensor)
    except Exception:  # inference tensors have no version counter
        pass


cdef int tensor_code(object x, bint bits, void **data, uint64_t *n) except -2:
    """C type of `x` if it is a plain torch.Tensor or nn.Parameter the fast path may
    fill as one run (CPU, strided, not nested, contiguous, no negative bit, a memory
    address, aligned, not empty, inside its storage, a type of this fill), with its
    address and size; else -1 (the general path then refuses what must be refused).
    A conjugated view is complex, which no fill takes."""
    cdef type t = type(x)
    if _torch_types is None and not learn_torch():
        return -1
    if t is not _torch_types[0] and t is not _torch_types[1]:
        return -1
    code = (_torch_bits_codes if bits else _torch_float_codes).get(x.dtype)
    if code is None or not x.is_cpu or x.layout is not _torch_strided:
        return -1
    if x.is_nested or not x.is_contiguous() or x.is_neg():
        return -1
    cdef uint64_t size = x.numel()
    cdef uintptr_t addr = x.data_ptr()
    cdef int c = code
    cdef uint64_t es = initfill_dtype_size(c)
    if size == 0 or addr == 0 or addr % <uintptr_t>es:
        return -1
    # A storage shrunk in place (untyped_storage().resize_) leaves views past its end.
    cdef uint64_t start = x.storage_offset()
    cdef uint64_t nbytes = x.untyped_storage().nbytes()
    if start > nbytes // es or size > nbytes // es - start:
        return -1
    data[0] = <void *>addr
    n[0] = size
    return c


def pool_workers():
    """Number of worker threads the fill pool has started in this process (it starts
    them on first need and keeps them; a forked child starts with none)."""
    return if_pool_size()


def fill_fast(Streams streams not None, x, int dist, tuple params):
    """Fill `x` with the next stream of `streams` under their seed, if the fast path
    applies.

    `streams` are a Generator's own (only the Generator calls this).

    `params` is a tuple of up to 4 floats; C validates them.  Returns 0 when `x` was
    filled, -1 when the fast path does not apply (`x` is neither a C-contiguous,
    aligned, writable, native-endian ndarray nor a contiguous CPU torch tensor of a
    type of `dist`, or C refuses the parameters): nothing was written and no stream
    was taken, so the caller takes the general path, which reports any error.
    Another value is a C status from the fill itself.
    """
    cdef bint bits = dist == INITFILL_BITS
    cdef void *data
    cdef uint64_t n
    cdef bint tensor = False
    cdef int code = ndarray_code(x, bits)
    if code >= 0:
        data = cnp.PyArray_DATA(<cnp.ndarray>x)
        n = <uint64_t>cnp.PyArray_SIZE(<cnp.ndarray>x)
    else:
        code = tensor_code(x, bits, &data, &n)
        if code < 0:
            return -1
        tensor = True
    cdef double p[4]
    cdef Py_ssize_t i, nparams = len(params)
    if nparams > 4:
        return -1
    for i in range(nparams):
        p[i] = params[i]
    cdef initfill_plan plan
    if cached_plan(dist, code, p, <int>nparams, &plan) != INITFILL_OK:
        return -1
    cdef uint64_t s, seed
    streams.take_c(&s, &seed)
    cdef int nthreads = _num_threads
    cdef int status
    if n < <uint64_t>NOGIL_THRESHOLD:
        status = initfill_fill_contiguous(&plan, seed, s, 0, n, data, nthreads)
    elif n <= _part_elements:
        with nogil:
            status = initfill_fill_contiguous(&plan, seed, s, 0, n, data, nthreads)
    else:
        try:
            status = fill_contiguous_parts(&plan, seed, s, n, data, nthreads)
        finally:  # an interrupted fill has written part of the tensor
            if tensor:
                bump_version(x)
        return status
    if tensor:
        bump_version(x)
    return status
